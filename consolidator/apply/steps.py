"""Carrying out worked-out changes in small journalled steps, so that a kill at any point can be resumed.

The commits are built as git objects in a private index first (a commit of pure renames, so history
follows each file exactly, then a commit of the content changes). Only then is the work tree changed,
batch by batch, then the index, then HEAD; the journal (journal.py) records each step as it is done.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core import gitio
from ..core.errors import ApplyError, GitError
from ..core.models import Plan
from ..guard.baseline import BASELINE_REL
from ..markdown.links import folders_of
from ..security.sanitize import safe_relpath
from .journal import Journal, write_durably
from .work import (
    IGNORE_REL,
    PLAN_REL,
    RECORD_REL,
    ApplyResult,
    FileChange,
    LinkChange,
    PathMention,
    Work,
    link_counts,
)

BATCH = 4  # files per journal record: small enough that a kill loses little, large enough to be cheap
# ... but at most this many records for the moves and as many for the writes: each record is flushed
# to disk, and 100 flushes for 400 files took a third of a second.
MAX_BATCHES = 16


Report = Callable[[str], None]


def say(report: Report | None, message: str) -> None:
    if report is not None:
        report(message)


def _created_dirs(root: Path, paths: Sequence[str]) -> list[str]:
    found = {f for f in folders_of(paths) if f and not os.path.lexists(root / f)}
    return sorted(found, key=lambda f: (f.count("/"), f))


def _messages(plan: Plan, plan_blob: str, work: Work) -> tuple[str, str]:
    made_at = f"planned at commit {plan.header.commit[:12]}" if plan.header.commit else "planned outside git"
    origin = f"Plan: {PLAN_REL} (blob {plan_blob[:12]}, {made_at})."
    moved = "".join(f"\n  {src} -> {dst}" for src, dst in work.moves)
    renames = (
        f"docs: move {len(work.moves)} documents (consolidate apply, renames only)\n\n"
        f"Pure renames, no content change, so history follows every file.\n{origin}\n{moved}\n"
    )
    notices = sum(1 for f in work.files if f.notice)
    (links, _), (named, _) = link_counts(work.files)
    edited = sum(1 for w in work.writes if w.path not in (RECORD_REL, BASELINE_REL, IGNORE_REL))
    rewrote = _count(links, "link target") + (f" and {_count(named, 'path')} named as text" if named else "")
    content = (
        f"docs: rewrite links after moving documents (consolidate apply)\n\n"
        f"Rewrote {rewrote} in {_count(edited, 'file')}, added {notices} archive "
        f"notices, recorded the applied plan as {RECORD_REL} and the links already broken and "
        f"secrets already present before as known in {BASELINE_REL}.\n{origin}\n"
    )
    return renames, content


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def actions_for(
    root: Path, plan: Plan, plan_path: Path, plan_blob: str, work: Work, *, commit: bool, mentions: bool
) -> dict[str, Any]:
    renames, content = _messages(plan, plan_blob, work)
    finals = [dst for _, dst in work.moves] + [w.path for w in work.writes]
    return {
        "version": 1,
        "batch": batch_size(len(work.moves), len(work.writes)),
        "pre_head": work.pre_head,
        "commit": commit,
        "plan": str(plan_path),
        "plan_blob": plan_blob,
        "moves": [[src, dst, *work.move_modes[src]] for src, dst in work.moves],
        "writes": [[w.path, w.source, w.mode, w.blob] for w in work.writes],
        "backups": [[p, b, perm] for p, (b, perm) in sorted(work.backups.items())],
        "created_dirs": _created_dirs(root, finals),
        "messages": [renames, content],
        "files": [
            [
                f.path,
                f.source,
                [[c.line, c.old, c.new] for c in f.changes],
                f.notice,
                list(f.unmatched),
                f.mentions,
            ]
            for f in work.files
        ],
        "mentions": [[m.file, m.line, m.old, m.new] for m in work.mentions],
        "mentions_rewritten": mentions,
        "markdown_mentions": [[m.file, m.line, m.old, m.new] for m in work.markdown_mentions],
        "skipped": work.skipped,
        "unmatched": work.unmatched,
    }


def result_of(actions: Mapping[str, Any], commits: Sequence[str], *, resumed: bool) -> ApplyResult:
    return ApplyResult(
        plan=actions["plan"],
        plan_blob=actions["plan_blob"],
        moves=tuple((m[0], m[1]) for m in actions["moves"]),
        rewritten=tuple(
            # journals written before mentions were counted apart hold 5 fields (all counted as links)
            FileChange(f[0], f[1], tuple(LinkChange(*c) for c in f[2]), f[3], tuple(f[4]), *f[5:6])
            for f in actions["files"]
        ),
        mentions=tuple(PathMention(*m) for m in actions["mentions"]),
        mentions_rewritten=bool(actions["mentions_rewritten"]),
        skipped=tuple(actions["skipped"]),
        unmatched=tuple(actions.get("unmatched", ())),
        # journals written before Markdown mentions were found hold none
        markdown_mentions=tuple(PathMention(*m) for m in actions.get("markdown_mentions", ())),
        commits=tuple(commits),
        staged=not actions["commit"],
        resumed=resumed,
    )


def batch_size(moves: int, writes: int) -> int:
    """Files per journal record, fixed in the actions (a resumed apply must cut its batches where
    the interrupted one did: journals that do not say cut every BATCH files)."""
    return max(BATCH, -(-max(moves, writes) // MAX_BATCHES))


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _index_changes(actions: Mapping[str, Any], *, content: bool) -> list[tuple[str, str, str]]:
    changes: list[tuple[str, str, str]] = []
    for src, dst, mode, blob in actions["moves"]:
        changes += [("0", "", src), (mode, blob, dst)]
    if content:
        changes += [(mode, blob, path) for path, _, mode, blob in actions["writes"]]
    return changes


def _build_objects(root: Path, journal: Journal, actions: Mapping[str, Any]) -> dict[str, str]:
    new_blobs = [w[3] for w in actions["writes"]]
    stored = gitio.write_blobs(root, journal.blob_files(new_blobs))
    journal.drop_blob_files()
    if stored != new_blobs:
        raise ApplyError("git stored the new file contents under unexpected ids; nothing was changed")
    pre = actions["pre_head"]
    scratch = journal.folder / "index.build"
    rename_tree = gitio.build_tree(root, pre, _index_changes(actions, content=False), scratch)
    content_tree = gitio.build_tree(root, pre, _index_changes(actions, content=True), scratch)
    found = {"rename_tree": rename_tree, "content_tree": content_tree}
    if actions["commit"]:
        renames, content = actions["messages"]
        parent = pre
        if actions["moves"]:
            parent = found["rename_commit"] = gitio.commit_tree(root, rename_tree, pre, renames)
        found["content_commit"] = gitio.commit_tree(root, content_tree, parent, content)
    return found


def _move(root: Path, batch: Sequence[Sequence[str]]) -> None:
    for src, dst, *_ in batch:
        old, new = root / src, root / dst
        if os.path.lexists(old):
            if os.path.lexists(new) and not os.path.samefile(old, new):
                raise ApplyError(f"cannot move {src}: {dst} appeared while applying")
            new.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, new)
        elif not os.path.lexists(new):
            raise ApplyError(f"cannot move {src}: it is gone and {dst} does not exist")


def _tidy(root: Path, actions: Mapping[str, Any]) -> None:
    """Remove folders that moving files out of left empty, as `git mv` does."""
    folders = {src.rsplit("/", 1)[0] for src, *_ in actions["moves"] if "/" in src}
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        parts = folder.split("/")
        while parts:
            try:
                (root.joinpath(*parts)).rmdir()
            except OSError:
                break
            parts.pop()


def _write(root: Path, journal: Journal, batch: Sequence[Sequence[str]]) -> None:
    for path, _, _, blob in batch:
        target = safe_relpath(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_durably(target, journal.blob(blob))


def _run(root: Path, journal: Journal, report: Report | None) -> dict[str, str]:
    """Carry out every step the journal does not record as done; returns the objects built."""
    actions = actions_of(journal)
    steps = journal.steps()
    done = {str(s.get("step")) for s in steps}
    objects: dict[str, str] = next((s for s in steps if s.get("step") == "objects"), {})
    if "objects" not in done:
        objects = _build_objects(root, journal, actions)
        journal.record("objects", **objects)
    size = int(actions.get("batch", BATCH))
    moves = _batches(actions["moves"], size)
    if moves:
        count = len(actions["moves"])
        say(report, f"moving {count} file{'s' if count != 1 else ''}")
    for i, batch in enumerate(moves):
        if f"move:{i}" not in done:
            _move(root, batch)
            journal.record(f"move:{i}")
    if "tidy" not in done:
        _tidy(root, actions)
        journal.record("tidy")
    # the same count as the result's "rewrote links in N files"; the rest are the apply's records
    rewritten = len(actions.get("files", ()))
    records = len(actions["writes"]) - rewritten
    extra = f" and {records} record{'s' if records != 1 else ''} of the apply" if records > 0 else ""
    say(report, f"rewriting links in {rewritten} file{'s' if rewritten != 1 else ''}{extra}")
    for i, batch in enumerate(_batches(actions["writes"], size)):
        if f"write:{i}" not in done:
            _write(root, journal, batch)
            journal.record(f"write:{i}")
    if "index" not in done:
        gitio.update_index(root, _index_changes(actions, content=True))
        journal.record("index")
    if "head" not in done:
        target = objects.get("content_commit")
        if target:
            current = gitio.head(root)
            if current != target:
                if current != actions["pre_head"]:
                    raise ApplyError(f"HEAD moved to {current} while applying; not moving it")
                gitio.update_head(root, target, actions["pre_head"], "consolidate apply")
        journal.record("head")
    if "done" not in done:
        journal.record("done")
    return objects


def run_or_explain(root: Path, journal: Journal, report: Report | None) -> dict[str, str]:
    try:
        return _run(root, journal, report)
    except (OSError, GitError) as exc:
        raise ApplyError(
            f"apply stopped part-way ({exc}). Its journal keeps track of what was done: fix the cause "
            "and run apply with --resume to finish, or run undo to return to the state before the apply"
        ) from exc


def commits_of(objects: Mapping[str, str]) -> list[str]:
    return [objects[k] for k in ("rename_commit", "content_commit") if k in objects]


_ACTION_KEYS = ("pre_head", "commit", "plan", "plan_blob", "moves", "writes", "backups", "created_dirs")


def actions_of(journal: Journal) -> dict[str, Any]:
    actions = journal.actions()
    missing = [k for k in _ACTION_KEYS if k not in actions]
    if actions.get("version") != 1 or missing:
        raise ApplyError(
            f"the apply journal in {journal.folder} is from another version or damaged "
            f"(missing {', '.join(missing) or 'version 1'}); nothing was changed"
        )
    return actions
