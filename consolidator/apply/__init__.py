"""Carrying a plan out: git moves, link rewrites, the journal that makes it resumable, and undo.

May import: `core`, `markdown`, `security`, `analysis`, `decide`, `site`, `guard`.
"""
