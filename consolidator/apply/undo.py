"""Undo: the repository back exactly as it was before the last apply, finished or interrupted.

The journal holds the original bytes of every file touched and the original index, so the pre-apply
commit, index and work tree come back byte for byte.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import gitio
from ..core.errors import ApplyError, GitError
from ..decide.planfile import RECORD
from ..security.sanitize import safe_relpath
from .journal import Journal, journal_dir, temp_name, write_durably
from .steps import actions_of, commits_of
from .work import git_dir_of, repo_root


@dataclass(frozen=True)
class UndoResult:
    head: str  # the commit HEAD is back at
    removed_commits: tuple[str, ...]  # commits of the apply taken off the branch
    restored_files: int  # files put back as they were
    completed: bool  # whether the apply undone had finished (else it was interrupted)
    # Written by `consolidate site` / `build` for the consolidated tree after the apply, left in
    # place by undo (they are not the apply's), and stale now: paths to remove, tracked files to
    # restore with git.
    stale_untracked: tuple[str, ...] = ()
    stale_tracked: tuple[str, ...] = ()


def undo(repo: Path) -> UndoResult:
    """Put the repository back exactly as it was before the last apply (finished or interrupted)."""
    root = repo_root(repo)
    journal = Journal(journal_dir(git_dir_of(root)))
    if not journal.exists():
        raise ApplyError("there is no apply to undo (no journal in .git/consolidate/apply)")
    actions = actions_of(journal)
    pre_head = actions["pre_head"]
    objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
    made = commits_of(objects) if actions["commit"] else []
    current = gitio.head(root)
    completed = journal.finished()
    # An undo that was itself interrupted has already changed files: skip the checks and finish it.
    undoing = "undo" in journal.done_steps()
    allowed = {pre_head} | ({objects["content_commit"]} if "content_commit" in objects else set())
    if completed and actions["commit"] and not undoing:
        allowed = {objects["content_commit"]}
    if current not in allowed:
        raise ApplyError(
            f"HEAD is at {current}, not the commit the apply left ({', '.join(sorted(allowed))}); "
            "undo would discard later work, so it refuses. Use `git revert` on the apply's commits instead."
        )
    if completed and not undoing:
        changed = _changed_since(root, actions)
        if changed:
            raise ApplyError(
                "files the apply wrote have changed since; undo would lose those changes:\n  - "
                + "\n  - ".join(changed)
            )
    journal.record("undo")
    try:
        restored = _restore_files(root, journal, actions)
        if current != pre_head and current is not None:
            gitio.update_head(root, pre_head, current, "consolidate undo")
        index_copy = journal.index_copy()
        if index_copy is not None:
            write_durably(git_dir_of(root) / "index", index_copy.read_bytes())
    except (OSError, GitError) as exc:
        raise ApplyError(f"undo stopped part-way ({exc}); fix the cause and run undo again") from exc
    journal.remove()
    untracked, tracked = _site_leftovers(root, pre_head)
    return UndoResult(
        pre_head, tuple(made) if current != pre_head else (), restored, completed, untracked, tracked
    )


_SITE_CONFIG = "mkdocs.yml"  # what `consolidate site` writes


def _site_leftovers(root: Path, pre_head: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The site files that still describe the consolidated tree: an mkdocs.yml naming the applied
    plan (which undo removed, so a build would fail) and, when it is new, the built site folder."""
    config = root / _SITE_CONFIG
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return (), ()
    if RECORD.as_posix() not in text:
        return (), ()  # not written for the apply: the owner's own, or already updated
    if gitio.read_blob(root, pre_head, _SITE_CONFIG) is not None:
        return (), (_SITE_CONFIG,)
    untracked = [_SITE_CONFIG]
    found = re.search(r"^site_dir:\s*['\"]?([^'\"\n#]+?)['\"]?\s*$", text, re.MULTILINE)
    site_dir = (found.group(1) if found else "site").strip().strip("/")
    folder = root / site_dir
    inside = folder.is_dir() and not folder.is_symlink() and folder.resolve().is_relative_to(root.resolve())
    if site_dir and inside and gitio.read_blob(root, pre_head, f"{site_dir}/index.html") is None:
        untracked.append(site_dir + "/")
    return tuple(untracked), ()


def _changed_since(root: Path, actions: Mapping[str, Any]) -> list[str]:
    expected = {dst: blob for _, dst, _, blob in actions["moves"]}
    expected.update({path: blob for path, _, _, blob in actions["writes"]})
    changed = []
    for path, blob in sorted(expected.items()):
        try:
            data = (root / path).read_bytes()
        except OSError:
            changed.append(f"{path}: missing")
            continue
        if gitio.blob_id(data) != blob:
            changed.append(path)
    changed += [f"{src}: exists again" for src, *_ in actions["moves"] if os.path.lexists(root / src)]
    return changed


def _restore_files(root: Path, journal: Journal, actions: Mapping[str, Any]) -> int:
    written = [dst for _, dst, *_ in actions["moves"]] + [path for path, *_ in actions["writes"]]
    for path in written:
        for candidate in (root / path, temp_name(root / path)):
            if os.path.lexists(candidate) and not candidate.is_dir():
                candidate.unlink()
    for path, blob, perm in actions["backups"]:
        target = safe_relpath(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_durably(target, journal.blob(blob))
        os.chmod(target, perm)
    for folder in reversed(actions["created_dirs"]):
        with contextlib.suppress(OSError):
            (root / folder).rmdir()
    return len(actions["backups"])
