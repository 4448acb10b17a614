"""Publishing: mkdocs.yml, navigation, generated pages, the MkDocs plugin; build and serve.

May import: `core`, `markdown`, `security`, `analysis`, `decide`.
"""
