"""What is there: which files are documents (scan, with a parse cache keyed by git blob id), names,
similarity (duplicate groups, series, topics) and the link graph.

May import: `core`, `markdown`, `security`.
"""
