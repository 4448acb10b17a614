"""consolidator: turn documentation sprawl into a structured docs/ tree and an MkDocs site.

The public API is the same set of functions the `consolidate` command calls; see docs/api.md.
Names are loaded on first use so that `import consolidator` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from .core.version import __version__

_API = {
    "scan_repo": "consolidator.analysis.scan",
    "load_config": "consolidator.core.config",
    "Config": "consolidator.core.config",
    "ConsolidatorError": "consolidator.core.errors",
    "find_groups": "consolidator.analysis.similarity",
    "build_plan": "consolidator.decide.plan",
    "load_plan": "consolidator.decide.planfile",
    "write_plan": "consolidator.decide.planfile",
    "dump_plan": "consolidator.decide.planfile",
    "validate_plan": "consolidator.decide.planfile",
    "apply_plan": "consolidator.apply.apply",
    "undo": "consolidator.apply.undo",
    "generate_site": "consolidator.site.build",
    "build_site": "consolidator.site.build",
    "serve_site": "consolidator.site.build",
    "run_check": "consolidator.guard.check",
    "find_secrets": "consolidator.security.secrets",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'consolidator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
