"""Reading Markdown: text to a parse summary with mistune; CommonMark block structure and link spans
by offset; link targets and their resolution.

May import: `core`.
"""
