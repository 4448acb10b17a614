"""The bundled sample repository, copied somewhere it can be changed."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .core import gitio
from .core.bundled import bundled
from .core.errors import RepoError


def sample_source() -> Path:
    path = bundled("samples")
    if not (path / "README.md").is_file():
        raise RepoError(f"the bundled samples are incomplete (no README.md in {path})")
    return path


def make_sample_repo(target: Path | None = None) -> Path:
    """Copy the samples into `target` (default: a new temporary folder) as a fresh git repository."""
    if target is None:
        target = Path(tempfile.mkdtemp(prefix="consolidate-demo-")) / "sample-repo"
    if target.exists() and any(target.iterdir()):
        raise RepoError(f"{target} is not empty; give an empty or new folder")
    shutil.copytree(
        sample_source(),
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"),
    )
    if gitio.git_available():
        gitio.init_with_commit(target, "Sample repository: documentation sprawl")
    return target
