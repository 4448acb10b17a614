"""consolidator: turn documentation sprawl into a structured docs/ tree and an MkDocs site.

The public API is the same set of functions the `consolidate` command calls; see docs/api.md.
Names are loaded on first use so that `import consolidator` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "scan_repo": "consolidator.scan",
    "load_config": "consolidator.config",
    "Config": "consolidator.config",
    "ConsolidatorError": "consolidator.errors",
    "find_groups": "consolidator.similarity",
    "build_plan": "consolidator.plan",
    "load_plan": "consolidator.planfile",
    "write_plan": "consolidator.planfile",
    "dump_plan": "consolidator.planfile",
    "validate_plan": "consolidator.planfile",
    "apply_plan": "consolidator.apply",
    "undo": "consolidator.apply",
    "generate_site": "consolidator.site",
    "build_site": "consolidator.site",
    "serve_site": "consolidator.site",
    "run_check": "consolidator.check",
    "find_secrets": "consolidator.secrets",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'consolidator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
