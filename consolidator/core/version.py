"""The tool's version, stamped into plans, baselines and caches (pyproject.toml reads it from here)."""

__version__ = "0.1.0"
