"""Keeping it consolidated: `check`'s findings, the baseline of known findings, and its result cache.

May import: `core`, `markdown`, `security`, `analysis`, `decide`, `site`.
"""
