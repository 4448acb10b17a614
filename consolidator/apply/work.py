"""What an apply will do, worked out in memory while the repository is untouched.

The moves, the new bytes of every file whose links change, the archive notices, the mentions of moved
paths in other files, and the records committed with them (the applied plan, the check baseline). The
checks that refuse a plan that does not fit the repository live here too: nothing has changed yet.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.scan import readable_title
from ..core import gitio
from ..core.config import load_config
from ..core.conventions import is_markdown
from ..core.errors import ApplyError
from ..core.models import Plan
from ..core.textio import decode, encode, looks_binary, round_trips
from ..decide.planfile import DEFAULT_PLAN, RECORD
from ..guard.baseline import BASELINE_REL, SecretEntry, baseline_after_apply, repository_secrets
from ..markdown.links import relative_path
from ..markdown.parse import split_front_matter
from ..security.sanitize import UnsafePathError, safe_relpath
from .rewrite import (
    Change,
    Mention,
    find_markdown_mentions,
    find_path_mentions,
    in_worker,
    rewrite_document,
    rewrite_markdown_mentions,
    rewrite_mentions,
)

PLAN_REL = DEFAULT_PLAN.as_posix()  # the proposal `plan` writes and a person may edit
RECORD_REL = RECORD.as_posix()  # what was applied, committed with the content
IGNORE_REL = ".consolidate/.gitignore"
NOTICE_MARK = "> **Archived.**"
MAX_MENTION_BYTES = 1_000_000  # larger non-Markdown files are data, not configuration or code
REGULAR_MODES = ("100644", "100755")


# ---------------------------------------------------------------- results


# A rewritten link target or path mention (line, old, new): the rewriter's own record.
LinkChange = Change


@dataclass(frozen=True)
class FileChange:
    """A file whose content the apply changes."""

    path: str  # where the file is after the apply
    source: str  # where it was before (the same unless it moved)
    changes: tuple[LinkChange, ...]  # rewritten link targets, then rewritten paths named as text
    notice: str | None = None  # canonical document the added archive notice points to
    unmatched: tuple[str, ...] = ()  # what the rewriter reported it could not rewrite
    # how many of `changes` (the last ones) are moved paths named as text, not links: rewritten with
    # --rewrite-mentions, in Markdown prose or in files that are not Markdown; the summary counts them apart
    mentions: int = 0


def link_counts(files: Iterable[FileChange]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(links rewritten, files they are in), (moved paths named as text rewritten, files they are in):
    counted apart, since a path named in prose is no link (an archive notice alone is neither)."""
    links, named = [], []
    for f in files:
        links.append(len(f.changes) - f.mentions)
        named.append(f.mentions)
    return (sum(links), sum(1 for n in links if n)), (sum(named), sum(1 for n in named if n))


@dataclass(frozen=True)
class PathMention:
    """A moved path named as text: in a file that is not Markdown (script, config, code), or in a
    Markdown document outside any link destination (prose, inline code, code blocks, link labels)."""

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
    # moved paths named as text (not as links) in Markdown documents; rewritten with the mentions
    markdown_mentions: tuple[PathMention, ...] = ()
    # "path: what" for links that may need rewriting but were left as written (the rewriter could not
    # place them with certainty); check these by hand
    unmatched: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()  # commits made, oldest first (renames, then content)
    staged: bool = False  # changes left staged, not committed (commit=False)
    dry_run: bool = False
    already_applied: bool = False
    resumed: bool = False

    def rewrite_counts(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """`link_counts` of the rewritten files: links, and paths named as text, each with its files."""
        return link_counts(self.rewritten)


# ---------------------------------------------------------------- the work, worked out in memory


@dataclass
class Write:
    path: str  # path after the apply
    source: str  # path before
    mode: str
    data: bytes
    blob: str


@dataclass
class Work:
    pre_head: str
    moves: list[tuple[str, str]]
    move_modes: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (mode, blob)
    writes: list[Write] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)
    mentions: list[PathMention] = field(default_factory=list)
    markdown_mentions: list[PathMention] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    # path -> (blob, permission bits) of what was there before
    backups: dict[str, tuple[str, int]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)  # blob id -> bytes (backups and new content)


def repo_root(repo: Path) -> Path:
    if not repo.exists():
        raise ApplyError(f"{repo} does not exist")
    if not gitio.is_work_tree(repo):
        raise ApplyError(f"{repo} is not inside a git work tree; apply moves files with git and needs one")
    return gitio.toplevel(repo).resolve()


def git_dir_of(root: Path) -> Path:
    gdir = gitio.git_dir(root)
    if gdir is None:
        raise ApplyError(f"cannot find the git directory of {root}")
    return gdir


def check_state(root: Path) -> str:
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


def stale_entries(root: Path, plan: Plan) -> list[str]:
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


def move_problems(
    root: Path, moves: Mapping[str, str], tracked: Mapping[str, gitio.IndexEntry]
) -> list[tuple[str, str]]:
    """What would make a move unsafe, checked here too so that apply never rests on the plan's word:
    (source, problem) pairs."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    lower_existing = {p.lower(): p for p in tracked}
    for src, dst in sorted(moves.items()):
        entry = tracked.get(src)
        if entry is None:
            problems.append((src, f"{src}: not tracked by git (commit it, or leave it out of the plan)"))
        elif entry.mode not in REGULAR_MODES:
            problems.append((src, f"{src}: a symbolic link or submodule; move it by hand"))
        try:
            safe_relpath(root, dst)
        except UnsafePathError as exc:
            problems.append((src, f"{src} -> {dst}: {exc}"))
            continue
        if posixpath.normpath(dst) != dst:
            problems.append((src, f"{src} -> {dst}: write the destination as a plain path (no ./, .. or //)"))
        elif os.path.lexists(root / dst) and not (
            os.path.lexists(root / src) and os.path.samefile(root / src, root / dst)
        ):
            problems.append((src, f"{src} -> {dst}: destination already exists"))
        other = lower_existing.get(dst.lower())
        if other is not None and other not in (src, dst) and other not in moves:
            problems.append((src, f"{src} -> {dst}: differs only in letter case from existing {other}"))
        if dst.lower() in seen:
            problems.append((src, f"{src} -> {dst}: same destination as {seen[dst.lower()]} (ignoring case)"))
        seen[dst.lower()] = src
    return problems


def colons(text: str) -> list[int]:
    """Where `text` could end a leading path ("path: problem"; a path may itself hold ": ")."""
    return [i for i in range(len(text)) if text.startswith(": ", i)]


def untracked_links(root: Path, moves: Mapping[str, str], untracked: set[str]) -> list[str]:
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


@dataclass
class _Pass:
    """What one pass over the tracked files needs, and the work it fills in."""

    root: Path
    tracked: Mapping[str, gitio.IndexEntry]
    moves: Mapping[str, str]
    notices: Mapping[str, str]  # archived or merged source -> its canonical
    candidates: set[str]  # non-Markdown files that hold a moved file's name
    work: Work
    with_mentions: bool
    with_diffs: bool
    pool: Executor | None = None  # worker processes for the parser cross-check of large documents
    titles: dict[str, str] = field(default_factory=dict)  # canonical -> its title, read once
    moved_names: set[str] = field(init=False)  # base names of the moved files

    def __post_init__(self) -> None:
        self.moved_names = {src.rsplit("/", 1)[-1] for src in self.moves}

    def backup(self, path: str, data: bytes) -> None:
        blob = gitio.blob_id(data)
        self.work.blobs[blob] = data
        self.work.backups[path] = (blob, stat.S_IMODE(os.lstat(self.root / path).st_mode))


def compute_work(
    root: Path,
    plan: Plan,
    plan_bytes: bytes,
    pre_head: str,
    tracked: Mapping[str, gitio.IndexEntry],
    *,
    with_mentions: bool,
    with_diffs: bool,
) -> Work:
    moves = plan.moves()
    notices = {
        e.source: e.canonical
        for e in plan.entries
        if e.canonical and e.canonical != e.source and (e.action == "merge" or e.action == "archive")
    }
    work = Work(pre_head, sorted(moves.items()))
    for src in moves:
        work.move_modes[src] = (tracked[src].mode, tracked[src].blob)
    # Only non-Markdown files that hold a moved file's name can mention it; git grep finds them at once.
    names = sorted({src.rsplit("/", 1)[-1] for src in moves})
    candidates = {p for p in gitio.files_containing(root, names) if not is_markdown(p)} if names else set()
    pool = _workers(root, tracked)
    try:
        secrets = in_worker(pool, repository_secrets, root, load_config(root))
        one = _Pass(root, tracked, moves, notices, candidates, work, with_mentions, with_diffs, pool)
        with collector_paused():
            for path in sorted(tracked):
                _rewrite_file(one, path)
            _add_records(root, plan, plan_bytes, tracked, one, secrets())
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    return work


# Below this much Markdown, starting worker processes costs more than the work they would take over.
PARALLEL_BYTES = 2_000_000


def _workers(root: Path, tracked: Mapping[str, gitio.IndexEntry]) -> Executor | None:
    """Two worker processes for work that needs nothing else of the apply, when there is much to
    read and more than one processor: the secret scan for the baseline (it reads the documents as
    they are on disk, which the apply has not changed yet), and the parser cross-check of each large
    document while this process finds its links (on a 20 MB document, 2 s and 3 s of the apply's
    10). Started before any thread is (a forked worker inherits no lock another thread holds)."""
    if (os.cpu_count() or 1) < 2 or _markdown_bytes(root, tracked) < PARALLEL_BYTES:
        return None
    try:
        return ProcessPoolExecutor(max_workers=2)
    except (OSError, RuntimeError, ValueError):
        return None


def _markdown_bytes(root: Path, tracked: Mapping[str, gitio.IndexEntry]) -> int:
    total = 0
    for path in tracked:
        if is_markdown(path):
            with contextlib.suppress(OSError):
                total += (root / path).stat().st_size
    return total


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a while (as it was before, after).

    Rewriting links makes millions of short-lived objects (the Markdown parser's tokens, the spans
    found), none of them in a reference cycle, so reference counting frees every one; yet the
    collector, run every few hundred allocations, walks the objects still alive each time: a third
    of the time of rewriting a 20 MB file. Any cycle made meanwhile is collected once it resumes."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _file_bytes(one: _Pass, path: str, markdown: bool) -> bytes | None:
    """The bytes of a tracked file the apply may edit (backed up if it moves), None to leave it."""
    entry = one.tracked[path]
    if entry.mode not in REGULAR_MODES or path == PLAN_REL:
        return None
    if not markdown and path not in one.moves and path not in one.candidates:
        return None
    full = one.root / path
    try:
        if not markdown and path not in one.moves and full.stat().st_size > MAX_MENTION_BYTES:
            return None
        data = full.read_bytes()
    except OSError:
        return None  # deleted in the work tree: the clean check reports it if it matters
    if path in one.moves:
        one.backup(path, data)
    if not markdown and (path not in one.candidates or looks_binary(data)):
        return None
    return data


def _markdown_text(
    one: _Pass, path: str, final: str, exact: str
) -> tuple[str, tuple[LinkChange, ...], int, str | None, tuple[str, ...]]:
    """A document with its links rewritten and, if archived, its notice: text, changes, how many of the
    changes are paths named as text, notice, unmatched."""
    moves = one.moves
    done = rewrite_document(exact, path, final, moves, files=one.tracked, pool=one.pool)
    text, unmatched, changes = done.text, tuple(str(u) for u in done.unmatched), done.changes
    one.work.unmatched.extend(
        f"{path}: {u}" for u in unmatched if path in moves or any(n in u for n in one.moved_names)
    )
    # Moved paths the document names as text: found in what the link rewriter made, so no link it
    # changed is counted twice, and before the notice is added (it names the canonical's new path).
    # Always listed, rewritten only when asked, as in files that are not Markdown.
    found = find_markdown_mentions(text, path, moves, final)
    mentions = 0
    if one.with_mentions and found:
        named = rewrite_markdown_mentions(text, path, moves, final)
        text, changes, mentions = named.text, changes + named.changes, len(named.changes)
        # what was rewritten is listed as such; reference labels left as written are to check by hand
        found = [Mention(c.line, c.old, c.new) for c in named.changes]
        one.work.unmatched.extend(f"{path}: {u}" for u in named.unmatched)
        unmatched += named.unmatched
    one.work.markdown_mentions.extend(PathMention(path, m.line, m.old, m.new) for m in found)
    notice_to: str | None = None
    canonical = one.notices.get(path)
    if canonical is not None and canonical not in one.tracked:
        one.work.skipped.append(f"{path}: canonical {canonical} is not tracked; no archive notice added")
    elif canonical is not None:
        if canonical not in one.titles:
            one.titles[canonical] = _title((one.root / canonical).read_bytes(), canonical)
        target = relative_path(final, moves.get(canonical, canonical))
        with_notice = add_notice(text, notice_line(one.titles[canonical], target))
        if with_notice != text:
            text, notice_to = with_notice, moves.get(canonical, canonical)
    return text, changes, mentions, notice_to, unmatched


def _mention_text(one: _Pass, path: str, exact: str) -> tuple[str, tuple[LinkChange, ...]] | None:
    """Moved paths named in a non-Markdown file: always listed, rewritten only when asked."""
    found = find_path_mentions(exact, path, one.moves)
    one.work.mentions.extend(PathMention(path, m.line, m.old, m.new) for m in found)
    if not one.with_mentions or not found:
        return None
    done = rewrite_mentions(exact, path, one.moves)
    return done.text, done.changes


def _rewrite_file(one: _Pass, path: str) -> None:
    markdown = is_markdown(path)
    data = _file_bytes(one, path, markdown)
    if data is None:
        return
    work = one.work
    decoded = decode(data)
    final = one.moves.get(path, path)
    if not round_trips(decoded):
        if markdown:
            work.skipped.append(f"{path}: cannot be re-encoded byte for byte; links not rewritten")
        return
    notice_to: str | None = None
    unmatched: tuple[str, ...] = ()
    if markdown:
        text, changes, mentions, notice_to, unmatched = _markdown_text(one, path, final, decoded.exact)
    else:
        mentioned = _mention_text(one, path, decoded.exact)
        if mentioned is None:
            return
        text, changes = mentioned
        mentions = len(changes)  # a file that is not Markdown has no links rewritten: all are mentions
    if text == decoded.exact:
        return
    new = encode(decoded, text)
    if path not in work.backups:
        one.backup(path, data)
    blob = gitio.blob_id(new)
    work.blobs[blob] = new
    work.writes.append(Write(final, path, one.tracked[path].mode, new, blob))
    work.files.append(FileChange(final, path, changes, notice_to, unmatched, mentions))
    if one.with_diffs:
        old_lines = decoded.text.splitlines(keepends=True)
        new_lines = decode(new).text.splitlines(keepends=True)
        work.diffs.append("".join(difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{final}")))


def _add_records(
    root: Path,
    plan: Plan,
    plan_bytes: bytes,
    tracked: Mapping[str, gitio.IndexEntry],
    one: _Pass,
    secrets: list[SecretEntry],
) -> None:
    """The applied plan goes on record in the content commit, and so does the check baseline: the
    links that were already broken, and the secrets the documents already held (still to rotate),
    are history the consolidation keeps, not new damage."""
    work = one.work
    baseline_file = root / BASELINE_REL
    records = {
        RECORD_REL: plan_bytes,
        BASELINE_REL: baseline_after_apply(
            root, plan, baseline_file.read_bytes() if baseline_file.is_file() else None, secrets
        ),
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
            one.backup(rel, (root / rel).read_bytes())
        blob = gitio.blob_id(data)
        work.blobs[blob] = data
        mode = tracked[rel].mode if rel in tracked else "100644"
        work.writes.append(Write(rel, rel, mode, data, blob))


def dirty_paths(root: Path, work: Work) -> list[str]:
    touched = {src for src, _ in work.moves} | {w.source for w in work.writes}
    return sorted(touched & gitio.changed_paths(root))


def already_applied(root: Path, plan: Plan, plan_bytes: bytes, pre_head: str) -> bool:
    moves = plan.moves()
    if moves:
        return all(
            not os.path.lexists(root / src) and os.path.lexists(root / dst) for src, dst in moves.items()
        )
    return gitio.read_blob(root, pre_head, RECORD_REL) == plan_bytes
