"""Files that ship with the tool: `templates/` and `samples/`.

In a checkout (also an editable install) they sit beside the package; a regular install puts them
inside it (pyproject.toml maps them to `consolidator.templates` and `consolidator.samples`).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ConsolidatorError

_PACKAGE = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """The folder of bundled `name` ("templates" or "samples")."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConsolidatorError(f"the bundled {name} folder is missing from this installation")
