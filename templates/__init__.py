"""Jinja templates of the docs site (mkdocs.yml and the generated pages)."""
