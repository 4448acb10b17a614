"""Secrets and safe output: credential detection and redaction, escaping and path safety.

May import: `core`.
"""
