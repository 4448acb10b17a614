"""Carry out a reviewed plan: move files with their history, rewrite links, commit; and undo it.

Everything the apply will do is worked out in memory first, while the repository is untouched:
the moves, the new bytes of every file whose links change, the archive notices, the mentions of
moved paths in other files. The commits are built as git objects in a private index (a commit of
pure renames, so history follows each file exactly, then a commit of the content changes). Only
then is the work tree changed, in small journalled steps, then the index, then HEAD.

The journal (see journal.py) holds the original bytes of every file touched and the original index,
so an apply killed at any point can be finished (`resume=True`) or rolled back (`undo`) to the
exact pre-apply commit, index and work tree.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import posixpath
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..analysis.scan import is_markdown, readable_title
from ..core import gitio
from ..core.errors import ApplyError, GitError, PlanError
from ..core.models import Plan
from ..core.textio import decode, encode, looks_binary, round_trips
from ..decide.planfile import DEFAULT_PLAN, RECORD, load_plan, validate_plan
from ..guard.baseline import BASELINE_REL, dump_keys, keys_after_apply, parse_keys
from ..markdown.links import relative_path
from ..markdown.parse import split_front_matter
from ..security.sanitize import UnsafePathError, safe_relpath
from .journal import Journal, journal_dir, temp_name, write_durably
from .rewrite import find_path_mentions, rewrite_document, rewrite_mentions

PLAN_REL = DEFAULT_PLAN.as_posix()  # the proposal `plan` writes and a person may edit
RECORD_REL = RECORD.as_posix()  # what was applied, committed with the content
IGNORE_REL = ".consolidate/.gitignore"
NOTICE_MARK = "> **Archived.**"
BATCH = 4  # files per journal record: small enough that a kill loses little, large enough to be cheap
MAX_MENTION_BYTES = 1_000_000  # larger non-Markdown files are data, not configuration or code
REGULAR_MODES = ("100644", "100755")

Report = Callable[[str], None]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class LinkChange:
    line: int
    old: str  # link target as written before
    new: str  # and after


@dataclass(frozen=True)
class FileChange:
    """A file whose content the apply changes."""

    path: str  # where the file is after the apply
    source: str  # where it was before (the same unless it moved)
    changes: tuple[LinkChange, ...]  # rewritten link targets (or path mentions)
    notice: str | None = None  # canonical document the added archive notice points to
    unmatched: tuple[str, ...] = ()  # what the rewriter reported it could not rewrite


@dataclass(frozen=True)
class PathMention:
    """A moved path named in a file that is not Markdown (script, config, code)."""

    file: str
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class ApplyResult:
    plan: str  # the plan file applied
    plan_blob: str  # git blob id of the plan file's bytes
    moves: tuple[tuple[str, str], ...]  # (source, destination), sorted
    rewritten: tuple[FileChange, ...]  # every file whose content changes (Markdown and, opt-in, others)
    mentions: tuple[PathMention, ...]  # moved paths named in non-Markdown files
    mentions_rewritten: bool  # whether those mentions were rewritten (opt-in)
    skipped: tuple[str, ...]  # files left untouched on purpose, with the reason
    diffs: tuple[str, ...] = ()  # unified diff per rewritten file (dry run only)
    # "path: what" for links that may need rewriting but were left as written (the rewriter could not
    # place them with certainty); check these by hand
    unmatched: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()  # commits made, oldest first (renames, then content)
    staged: bool = False  # changes left staged, not committed (commit=False)
    dry_run: bool = False
    already_applied: bool = False
    resumed: bool = False


@dataclass(frozen=True)
class UndoResult:
    head: str  # the commit HEAD is back at
    removed_commits: tuple[str, ...]  # commits of the apply taken off the branch
    restored_files: int  # files put back as they were
    completed: bool  # whether the apply undone had finished (else it was interrupted)


# ---------------------------------------------------------------- the work, worked out in memory


@dataclass
class _Write:
    path: str  # path after the apply
    source: str  # path before
    mode: str
    data: bytes
    blob: str


@dataclass
class _Work:
    pre_head: str
    moves: list[tuple[str, str]]
    move_modes: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (mode, blob)
    writes: list[_Write] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)
    mentions: list[PathMention] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    # path -> (blob, permission bits) of what was there before
    backups: dict[str, tuple[str, int]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)  # blob id -> bytes (backups and new content)


def _say(report: Report | None, message: str) -> None:
    if report is not None:
        report(message)


def _root(repo: Path) -> Path:
    if not repo.exists():
        raise ApplyError(f"{repo} does not exist")
    if not gitio.is_work_tree(repo):
        raise ApplyError(f"{repo} is not inside a git work tree; apply moves files with git and needs one")
    return gitio.toplevel(repo).resolve()


def _git_dir(root: Path) -> Path:
    gdir = gitio.git_dir(root)
    if gdir is None:
        raise ApplyError(f"cannot find the git directory of {root}")
    return gdir


def _check_state(root: Path) -> str:
    """The commit to build on; refuses when git is in the middle of something."""
    busy = gitio.operation_in_progress(root)
    if busy:
        raise ApplyError(f"{busy} is in progress in {root}; finish or abort it before applying a plan")
    pre_head = gitio.head(root)
    if pre_head is None:
        raise ApplyError(f"{root} has no commits yet; commit the documentation before applying a plan")
    conflicts = sorted({e.path for e in gitio.index_entries(root) if e.stage})
    if conflicts:
        raise ApplyError("unresolved merge conflicts in: " + ", ".join(conflicts[:10]))
    return pre_head


def _title(data: bytes, path: str) -> str:
    """The title readers know the document by: front matter title, first `# ` heading, or its name."""
    text = decode(data).text
    meta, body, _ = split_front_matter(text)
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"^ {0,3}# +\S", line):
            return re.sub(r"\s+#+\s*$", "", line.strip()[1:]).strip()
    return readable_title(path.rsplit("/", 1)[-1])


def _link_target(path: str) -> str:
    if re.search(r"[\s()<>]", path):
        return f"<{path}>"
    return path


def notice_line(title: str, target: str) -> str:
    label = re.sub(r"([\\\[\]])", r"\\\1", title)
    return f"{NOTICE_MARK} Superseded by [{label}]({_link_target(target)})."


def add_notice(text: str, notice: str) -> str:
    """`text` with `notice` as its first line after any front matter (unchanged if it has one)."""
    if NOTICE_MARK in text:
        return text
    _, _, fm_lines = split_front_matter(text)
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    head = "".join(lines[:fm_lines])
    rest = "".join(lines[fm_lines:])
    if head and not head.endswith(("\n", "\r")):
        head += newline
    gap = "" if not rest or rest.startswith(("\n", "\r\n")) else newline
    return head + notice + newline + gap + rest


def _stale(root: Path, plan: Plan) -> list[str]:
    stale = []
    for e in plan.entries:
        if not e.blob:
            continue
        try:
            data = (root / e.source).read_bytes()
        except OSError:
            continue  # a missing source is the validator's to report
        if gitio.blob_id(data) != e.blob:
            stale.append(f"{e.source}: changed since the plan was made (plan has {e.blob[:12]})")
    return stale


def _move_problems(
    root: Path, moves: Mapping[str, str], tracked: Mapping[str, gitio.IndexEntry]
) -> list[str]:
    """What would make a move unsafe, checked here too so that apply never rests on the plan's word."""
    problems = []
    seen: dict[str, str] = {}
    lower_existing = {p.lower(): p for p in tracked}
    for src, dst in sorted(moves.items()):
        entry = tracked.get(src)
        if entry is None:
            problems.append(f"{src}: not tracked by git (commit it, or leave it out of the plan)")
        elif entry.mode not in REGULAR_MODES:
            problems.append(f"{src}: a symbolic link or submodule; move it by hand")
        try:
            safe_relpath(root, dst)
        except UnsafePathError as exc:
            problems.append(f"{src} -> {dst}: {exc}")
            continue
        if posixpath.normpath(dst) != dst:
            problems.append(f"{src} -> {dst}: write the destination as a plain path (no ./, .. or //)")
        elif os.path.lexists(root / dst) and not (
            os.path.lexists(root / src) and os.path.samefile(root / src, root / dst)
        ):
            problems.append(f"{src} -> {dst}: destination already exists")
        other = lower_existing.get(dst.lower())
        if other is not None and other != src and other not in moves:
            problems.append(f"{src} -> {dst}: differs only in letter case from existing {other}")
        if dst.lower() in seen:
            problems.append(f"{src} -> {dst}: same destination as {seen[dst.lower()]} (ignoring case)")
        seen[dst.lower()] = src
    return problems


def _untracked_links(root: Path, moves: Mapping[str, str], untracked: set[str]) -> list[str]:
    """Untracked Markdown files that link to moved documents. Apply commits tracked files only, so
    their links would break unseen: better to say so before anything moves."""
    problems = []
    for path in sorted(untracked):
        if not is_markdown(path) or path in moves:
            continue  # an untracked file the plan moves is reported as such
        try:
            data = (root / path).read_bytes()
        except OSError:
            continue
        if looks_binary(data):
            continue
        changes = rewrite_document(decode(data).exact, path, path, moves).changes
        if changes:
            problems.append(
                f"{path}: not tracked by git, yet it links to {len(changes)} document(s) the plan moves; "
                "commit it (its links are then rewritten with the others) or move it out of the repository"
            )
    return problems


def _compute(
    root: Path,
    plan: Plan,
    plan_bytes: bytes,
    pre_head: str,
    tracked: Mapping[str, gitio.IndexEntry],
    *,
    with_mentions: bool,
    with_diffs: bool,
) -> _Work:
    moves = plan.moves()
    notices = {
        e.source: e.canonical
        for e in plan.entries
        if e.canonical and e.canonical != e.source and (e.action == "merge" or e.action == "archive")
    }
    work = _Work(pre_head, sorted(moves.items()))
    moved_names = {src.rsplit("/", 1)[-1] for src in moves}
    for src in moves:
        work.move_modes[src] = (tracked[src].mode, tracked[src].blob)
    # Only non-Markdown files that hold a moved file's name can mention it; git grep finds them at once.
    names = sorted({src.rsplit("/", 1)[-1] for src in moves})
    candidates = {p for p in gitio.files_containing(root, names) if not is_markdown(p)} if names else set()
    titles: dict[str, str] = {}

    def backup(path: str, data: bytes) -> None:
        blob = gitio.blob_id(data)
        work.blobs[blob] = data
        work.backups[path] = (blob, stat.S_IMODE(os.lstat(root / path).st_mode))

    for path in sorted(tracked):
        entry = tracked[path]
        if entry.mode not in REGULAR_MODES or path == PLAN_REL:
            continue
        markdown = is_markdown(path)
        if not markdown and path not in moves and path not in candidates:
            continue
        full = root / path
        try:
            if not markdown and path not in moves and full.stat().st_size > MAX_MENTION_BYTES:
                continue
            data = full.read_bytes()
        except OSError:
            continue  # deleted in the work tree: the clean check reports it if it matters
        if path in moves:
            backup(path, data)
        if not markdown and (path not in candidates or looks_binary(data)):
            continue
        decoded = decode(data)
        final = moves.get(path, path)
        if not round_trips(decoded):
            if markdown:
                work.skipped.append(f"{path}: cannot be re-encoded byte for byte; links not rewritten")
            continue
        notice_to: str | None = None
        unmatched: tuple[str, ...] = ()
        if markdown:
            done = rewrite_document(decoded.exact, path, final, moves, files=tracked)
            text, unmatched = done.text, tuple(str(u) for u in done.unmatched)
            work.unmatched.extend(
                f"{path}: {u}" for u in unmatched if path in moves or any(n in u for n in moved_names)
            )
            canonical = notices.get(path)
            if canonical is not None and canonical not in tracked:
                work.skipped.append(f"{path}: canonical {canonical} is not tracked; no archive notice added")
            elif canonical is not None:
                if canonical not in titles:
                    titles[canonical] = _title((root / canonical).read_bytes(), canonical)
                target = relative_path(final, moves.get(canonical, canonical))
                with_notice = add_notice(text, notice_line(titles[canonical], target))
                if with_notice != text:
                    text, notice_to = with_notice, moves.get(canonical, canonical)
        else:
            found = find_path_mentions(decoded.exact, path, moves)
            work.mentions.extend(PathMention(path, m.line, m.old, m.new) for m in found)
            if not with_mentions or not found:
                continue
            done = rewrite_mentions(decoded.exact, path, moves)
            text = done.text
        changes = tuple(LinkChange(c.line, c.old, c.new) for c in done.changes)
        if text == decoded.exact:
            continue
        new = encode(decoded, text)
        if path not in work.backups:
            backup(path, data)
        blob = gitio.blob_id(new)
        work.blobs[blob] = new
        work.writes.append(_Write(final, path, entry.mode, new, blob))
        work.files.append(FileChange(final, path, changes, notice_to, unmatched))
        if with_diffs:
            old_lines = decoded.text.splitlines(keepends=True)
            new_lines = decode(new).text.splitlines(keepends=True)
            work.diffs.append("".join(difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{final}")))
    # The applied plan goes on record in the content commit, and so does the check baseline: the
    # links that were already broken are history the consolidation keeps, not new damage.
    baseline_file = root / BASELINE_REL
    known = parse_keys(baseline_file.read_bytes()) if baseline_file.is_file() else None
    records = {
        RECORD_REL: plan_bytes,
        BASELINE_REL: dump_keys(keys_after_apply(known or [], plan)).encode("utf-8"),
    }
    if not os.path.lexists(root / IGNORE_REL):
        # The proposal is a working file: the applied plan is on record, so git need not show it.
        records[IGNORE_REL] = (
            b"# Written by `consolidate plan`: a proposal, applied as applied-plan.yaml\nplan.yaml\n"
        )
    for rel, data in records.items():
        if os.path.lexists(root / rel):
            if (root / rel).read_bytes() == data:
                continue
            backup(rel, (root / rel).read_bytes())
        blob = gitio.blob_id(data)
        work.blobs[blob] = data
        mode = tracked[rel].mode if rel in tracked else "100644"
        work.writes.append(_Write(rel, rel, mode, data, blob))
    return work


def _dirty(root: Path, work: _Work) -> list[str]:
    touched = {src for src, _ in work.moves} | {w.source for w in work.writes}
    return sorted(touched & gitio.changed_paths(root))


def _already_applied(root: Path, plan: Plan, plan_bytes: bytes, pre_head: str) -> bool:
    moves = plan.moves()
    if moves:
        return all(
            not os.path.lexists(root / src) and os.path.lexists(root / dst) for src, dst in moves.items()
        )
    return gitio.read_blob(root, pre_head, RECORD_REL) == plan_bytes


# ---------------------------------------------------------------- actions file (what the journal replays)


def _created_dirs(root: Path, paths: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for p in paths:
        parts = p.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if not os.path.lexists(root / folder):
                found.add(folder)
    return sorted(found, key=lambda f: (f.count("/"), f))


def _messages(plan: Plan, plan_blob: str, work: _Work) -> tuple[str, str]:
    made_at = f"planned at commit {plan.header.commit[:12]}" if plan.header.commit else "planned outside git"
    origin = f"Plan: {PLAN_REL} (blob {plan_blob[:12]}, {made_at})."
    moved = "".join(f"\n  {src} -> {dst}" for src, dst in work.moves)
    renames = (
        f"docs: move {len(work.moves)} documents (consolidate apply, renames only)\n\n"
        f"Pure renames, no content change, so history follows every file.\n{origin}\n{moved}\n"
    )
    notices = sum(1 for f in work.files if f.notice)
    links = sum(len(f.changes) for f in work.files)
    edited = sum(1 for w in work.writes if w.path not in (RECORD_REL, BASELINE_REL, IGNORE_REL))
    content = (
        f"docs: rewrite links after moving documents (consolidate apply)\n\n"
        f"Rewrote {links} link targets or path mentions in {edited} files, added {notices} archive "
        f"notices, recorded the applied plan as {RECORD_REL} and the links already broken before "
        f"as known in {BASELINE_REL}.\n{origin}\n"
    )
    return renames, content


def _actions(
    root: Path, plan: Plan, plan_path: Path, plan_blob: str, work: _Work, *, commit: bool, mentions: bool
) -> dict[str, Any]:
    renames, content = _messages(plan, plan_blob, work)
    finals = [dst for _, dst in work.moves] + [w.path for w in work.writes]
    return {
        "version": 1,
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
            [f.path, f.source, [[c.line, c.old, c.new] for c in f.changes], f.notice, list(f.unmatched)]
            for f in work.files
        ],
        "mentions": [[m.file, m.line, m.old, m.new] for m in work.mentions],
        "mentions_rewritten": mentions,
        "skipped": work.skipped,
        "unmatched": work.unmatched,
    }


def _result(actions: Mapping[str, Any], commits: Sequence[str], *, resumed: bool) -> ApplyResult:
    return ApplyResult(
        plan=actions["plan"],
        plan_blob=actions["plan_blob"],
        moves=tuple((m[0], m[1]) for m in actions["moves"]),
        rewritten=tuple(
            FileChange(f[0], f[1], tuple(LinkChange(*c) for c in f[2]), f[3], tuple(f[4]))
            for f in actions["files"]
        ),
        mentions=tuple(PathMention(*m) for m in actions["mentions"]),
        mentions_rewritten=bool(actions["mentions_rewritten"]),
        skipped=tuple(actions["skipped"]),
        unmatched=tuple(actions.get("unmatched", ())),
        commits=tuple(commits),
        staged=not actions["commit"],
        resumed=resumed,
    )


# ---------------------------------------------------------------- executing the journalled steps


def _batches(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _index_changes(actions: Mapping[str, Any], *, content: bool) -> list[tuple[str, str, str]]:
    changes: list[tuple[str, str, str]] = []
    for src, dst, mode, blob in actions["moves"]:
        changes += [("0", "", src), (mode, blob, dst)]
    if content:
        changes += [(mode, blob, path) for path, _, mode, blob in actions["writes"]]
    return changes


def _build_objects(root: Path, journal: Journal, actions: Mapping[str, Any]) -> dict[str, str]:
    new_blobs = [w[3] for w in actions["writes"]]
    stored = gitio.write_blobs(root, [journal.folder / "blobs" / b for b in new_blobs])
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
    actions = _actions_of(journal)
    steps = journal.steps()
    done = {str(s.get("step")) for s in steps}
    objects: dict[str, str] = next((s for s in steps if s.get("step") == "objects"), {})
    if "objects" not in done:
        objects = _build_objects(root, journal, actions)
        journal.record("objects", **objects)
    moves = _batches(actions["moves"])
    if moves:
        _say(report, f"moving {len(actions['moves'])} files")
    for i, batch in enumerate(moves):
        if f"move:{i}" not in done:
            _move(root, batch)
            journal.record(f"move:{i}")
    if "tidy" not in done:
        _tidy(root, actions)
        journal.record("tidy")
    _say(report, f"writing {len(actions['writes'])} files")
    for i, batch in enumerate(_batches(actions["writes"])):
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


def _run_or_explain(root: Path, journal: Journal, report: Report | None) -> dict[str, str]:
    try:
        return _run(root, journal, report)
    except (OSError, GitError) as exc:
        raise ApplyError(
            f"apply stopped part-way ({exc}). Its journal keeps track of what was done: fix the cause "
            "and run apply with --resume to finish, or run undo to return to the state before the apply"
        ) from exc


def _commits(objects: Mapping[str, str]) -> list[str]:
    return [objects[k] for k in ("rename_commit", "content_commit") if k in objects]


# ---------------------------------------------------------------- public API


def apply_plan(
    repo: Path,
    plan_path: Path | None = None,
    *,
    dry_run: bool = False,
    commit: bool = True,
    resume: bool = False,
    rewrite_mentions: bool = False,
    report: Report | None = None,
) -> ApplyResult:
    """Apply the plan at `plan_path` (default `<repo>/.consolidate/plan.yaml`) to `repo`."""
    root = _root(repo)
    journal = Journal(journal_dir(_git_dir(root)))
    if resume:
        return _resume(root, journal, report)
    if journal.exists() and not journal.finished():
        raise ApplyError(
            "an earlier apply was interrupted; run apply with --resume to finish it, or undo to roll it back"
        )
    plan_path = (plan_path or root / PLAN_REL).resolve()
    try:
        plan_bytes = plan_path.read_bytes()
    except OSError as exc:
        raise ApplyError(f"cannot read the plan {plan_path} ({exc.strerror or exc}); run plan first") from exc
    plan = load_plan(plan_path)
    plan_blob = gitio.blob_id(plan_bytes)
    pre_head = _check_state(root)
    if _already_applied(root, plan, plan_bytes, pre_head):
        _say(report, "the plan is already applied; nothing to do")
        return ApplyResult(
            str(plan_path), plan_blob, (), (), (), False, (), dry_run=dry_run, already_applied=True
        )

    tracked = {e.path: e for e in gitio.index_entries(root)}
    listed = gitio.list_files(root)
    problems = validate_plan(plan, root, frozenset(listed))
    problems += [p for p in _move_problems(root, plan.moves(), tracked) if p not in problems]
    problems += _untracked_links(root, plan.moves(), set(listed) - set(tracked))
    if problems:
        raise PlanError(f"the plan {plan_path} does not fit the repository; nothing was changed", problems)
    stale = _stale(root, plan)
    if stale:
        raise ApplyError(
            "the plan is out of date; make a new plan, nothing was changed:\n  - " + "\n  - ".join(stale)
        )
    _say(report, "working out every change")
    work = _compute(
        root, plan, plan_bytes, pre_head, tracked, with_mentions=rewrite_mentions, with_diffs=dry_run
    )
    dirty = _dirty(root, work)
    if dirty:
        raise ApplyError(
            "uncommitted changes in files the plan touches; commit or stash them first:\n  - "
            + "\n  - ".join(dirty)
        )
    if dry_run:
        return ApplyResult(
            str(plan_path),
            plan_blob,
            tuple(work.moves),
            tuple(work.files),
            tuple(work.mentions),
            False,
            tuple(work.skipped),
            diffs=tuple(work.diffs),
            unmatched=tuple(work.unmatched),
            staged=not commit,
            dry_run=True,
        )
    if commit:
        problem = gitio.identity_problem(root)
        if problem:
            raise ApplyError(
                "git does not know who you are, so it cannot commit: set `git config user.name` and "
                f"`git config user.email`, or apply with --no-commit ({problem})"
            )
    actions = _actions(root, plan, plan_path, plan_blob, work, commit=commit, mentions=rewrite_mentions)
    index_file = _git_dir(root) / "index"
    journal = Journal.prepare(journal.folder, actions, work.blobs, index_file)
    objects = _run_or_explain(root, journal, report)
    return _result(actions, _commits(objects), resumed=False)


_ACTION_KEYS = ("pre_head", "commit", "plan", "plan_blob", "moves", "writes", "backups", "created_dirs")


def _actions_of(journal: Journal) -> dict[str, Any]:
    actions = journal.actions()
    missing = [k for k in _ACTION_KEYS if k not in actions]
    if actions.get("version") != 1 or missing:
        raise ApplyError(
            f"the apply journal in {journal.folder} is from another version or damaged "
            f"(missing {', '.join(missing) or 'version 1'}); nothing was changed"
        )
    return actions


def _resume(root: Path, journal: Journal, report: Report | None) -> ApplyResult:
    if not journal.exists():
        raise ApplyError("there is no interrupted apply to resume")
    actions = _actions_of(journal)
    if journal.finished():
        objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
        return replace(_result(actions, _commits(objects), resumed=True), already_applied=True)
    current = gitio.head(root)
    objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
    if current not in (actions["pre_head"], objects.get("content_commit")):
        raise ApplyError(
            f"HEAD is at {current}, neither the commit the apply started from ({actions['pre_head'][:12]}) "
            "nor the one it makes; not resuming"
        )
    _say(report, "resuming the interrupted apply")
    objects = _run_or_explain(root, journal, report)
    return _result(actions, _commits(objects), resumed=True)


def undo(repo: Path) -> UndoResult:
    """Put the repository back exactly as it was before the last apply (finished or interrupted)."""
    root = _root(repo)
    journal = Journal(journal_dir(_git_dir(root)))
    if not journal.exists():
        raise ApplyError("there is no apply to undo (no journal in .git/consolidate/apply)")
    actions = _actions_of(journal)
    pre_head = actions["pre_head"]
    objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
    made = _commits(objects) if actions["commit"] else []
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
            write_durably(_git_dir(root) / "index", index_copy.read_bytes())
    except (OSError, GitError) as exc:
        raise ApplyError(f"undo stopped part-way ({exc}); fix the cause and run undo again") from exc
    journal.remove()
    return UndoResult(pre_head, tuple(made) if current != pre_head else (), restored, completed)


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
