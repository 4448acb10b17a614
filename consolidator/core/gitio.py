"""Every call to git. Nothing else in the package starts a git process."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GitError


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(
    repo: Path,
    *args: str,
    input: bytes | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> bytes:
    """Run `git args...` in `repo` and return stdout; a failure raises GitError with git's message."""
    if not git_available():
        raise GitError("git is not installed or not on PATH")
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(
            ["git", *args], cwd=repo, input=input, capture_output=True, env=full_env, check=False
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise GitError(f"git {' '.join(args[:2])} failed: {message}")
    return done.stdout


def is_work_tree(repo: Path) -> bool:
    if not git_available():
        return False
    out = run_git(repo, "rev-parse", "--is-inside-work-tree", check=False)
    return out.strip() == b"true"


def is_shallow(repo: Path) -> bool:
    """A shallow clone: its oldest commits are a cut, not the start of the repository."""
    out = run_git(repo, "rev-parse", "--is-shallow-repository", check=False)
    return out.strip() == b"true"


def toplevel(repo: Path) -> Path:
    return Path(run_git(repo, "rev-parse", "--show-toplevel").decode().strip())


def head(repo: Path) -> str | None:
    out = run_git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).decode().strip()
    return out or None


def list_files(repo: Path) -> list[str]:
    """Tracked files plus untracked ones that are not ignored, as repository-relative POSIX paths."""
    out = run_git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    names = {name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name}
    return sorted(names)


def blob_id(data: bytes) -> str:
    """The id git gives `data` as a blob, computed without running git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class FileHistory:
    first: str  # ISO date of the oldest commit touching the file (under any earlier name)
    last: str  # ISO date of the newest one
    commits: int


@dataclass(frozen=True)
class History:
    """What `read_history` found: the dates of each file, and why renames were not followed, if not."""

    files: dict[str, FileHistory]
    warning: str | None = None


# Reading history must never reach the network. In a partial clone (`--filter=blob:none`) git fetches a
# missing object from the promisor remote when it needs one: GIT_NO_LAZY_FETCH stops that (git 2.44,
# and the 2024 security releases of older lines: 2.39.5 here honours it); gits without it ignore it,
# and an empty GIT_ALLOW_PROTOCOL allows no transport at all, so the fetch they start fails at once.
# Either way the read fails like one on a missing object, and is retried without rename detection.
# The pathspec variables are cleared so that the magic written here holds.
OFFLINE_ENV = {
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_ALLOW_PROTOCOL": "",
    "GIT_LITERAL_PATHSPECS": "0",
    "GIT_GLOB_PATHSPECS": "0",
    "GIT_NOGLOB_PATHSPECS": "0",
    "GIT_ICASE_PATHSPECS": "0",
}


def history_pathspecs(paths: Sequence[str]) -> list[str]:
    """Pathspecs covering every path in `paths`: one per file-name ending, in any case and at any depth
    (without the `glob` magic a `*` also matches `/`; `**/*.md` under `glob` would match the same and
    makes git about four times slower), so that a file renamed from another name with the same ending
    is still followed; a name without an ending is given literally. Relative to the top of the work
    tree (`top`), as git prints paths.
    """
    endings, literal = _endings(paths)
    return [f":(top,icase)*.{e}" for e in sorted(endings)] + [f":(top,literal){p}" for p in sorted(literal)]


def _endings(paths: Iterable[str]) -> tuple[set[str], set[str]]:
    """(the lower-case endings of `paths`, the paths that have none usable in a pathspec)."""
    endings: set[str] = set()
    literal: set[str] = set()
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        stem, dot, ending = name.rpartition(".")
        if dot and stem and ending and not any(c in ending for c in "*?[]\\"):
            endings.add(ending.lower())
        else:
            literal.add(path)
    return endings, literal


def history(repo: Path, paths: Sequence[str] | None = None) -> dict[str, FileHistory]:
    """First and last commit dates of every file (of `paths`), following renames; see `read_history`."""
    return read_history(repo, paths).files


# Inexact renames from files without an ending are looked for among at most this many of them (named
# one by one on git's command line); exact renames are followed whatever the number.
MAX_LITERAL_SOURCES = 5000
# One commit of `git log --name-status -z --format=%x01%H %aI`: (commit, day, status fields).
_Commit = tuple[str, str, list[str]]
_LOG = ("--name-status", "-z", "--format=%x01%H %aI")


def read_history(repo: Path, paths: Sequence[str] | None = None) -> History:
    """First and last commit dates of every file (of `paths`), following renames (see `_read_history`).

    Paths are relative to `repo`, which may be a folder inside the work tree (`consolidate plan docs`):
    git names files from the top of the work tree, so they are read there and named back from `repo`.
    Files outside `repo` are left out."""
    if head(repo) is None:
        return History({})
    prefix = run_git(repo, "rev-parse", "--show-prefix").decode().rstrip("\n")
    if not prefix:
        return _read_history(repo, paths)
    found = _read_history(repo, None if paths is None else [prefix + p for p in paths])
    inside = {p[len(prefix) :]: h for p, h in found.files.items() if p.startswith(prefix)}
    return History(inside, found.warning)


def _read_history(repo: Path, paths: Sequence[str] | None = None) -> History:
    """First and last commit dates of every file, named from the top of the work tree, following
    renames, in one pass over the log.

    `git log --follow` works on one file at a time; instead read the whole log once, newest first,
    and map each older name onto the name the file has now whenever a rename shows up.

    With `paths`, git reads no blob of other files (images, binaries, logs): that costs time, and
    fails on a clone that lacks some old objects. The log is read without rename detection, which
    reads no blob at all; then only the commits that add a wanted file and delete some file are
    compared again: for exact renames of any file (same blob id, nothing read), and for renames with
    edits limited to files with the wanted endings (`history_pathspecs`) or none (`tool` ->
    `tool.md`). (A pathspec on the whole log would match every entry of every changed folder of every
    commit: several times slower on a large repository.) If that comparison fails (an old blob of a
    wanted file is missing), renames with edits are not followed, and `warning` says so. The work tree
    has a commit (`read_history` asks).
    """
    wanted = set(paths) if paths is not None else None
    if wanted is None:
        return _whole_history(repo)
    if not wanted:
        return History({})
    endings, literal = _endings(wanted)

    suffixes = tuple("." + e for e in endings)

    def matches(path: str) -> bool:
        return path.lower().endswith(suffixes) or path in literal

    out = run_git(repo, "log", "--no-renames", *_LOG, "--no-merges", env=OFFLINE_ENV)
    commits = _commits(out)
    # Commits where a wanted file may have been renamed from a deleted one (of any kind).
    candidates = [(sha, fields) for sha, _, fields in commits if _adds_and_deletes(fields, matches)]
    if not candidates:
        return History(_dates(commits, wanted), None)
    # Exact renames (the same blob deleted and added) of any file: found from blob ids alone, with no
    # blob read, as in the whole log (a page once named `tool`, or `tool.cmd`, then `tool.md`).
    try:
        exact = run_git(
            repo,
            "diff-tree",
            "--stdin",
            "-r",
            "-M100%",
            *_LOG,
            input="".join(f"{sha}\n" for sha, _ in candidates).encode(),
            env=OFFLINE_ENV,
        )
    except GitError as exc:  # not expected (no blob is read), but dates without renames beat none
        return History(_dates(commits, wanted), _no_renames_warning(exc))
    pairs = {sha: _renames(fields) for sha, _, fields in _commits(exact)}
    # Renames with edits, only between files with the wanted endings or none at all (the only ones
    # whose old versions git reads): where a deleted file like that meets an added wanted one.
    sources = {
        path
        for _, fields in candidates
        for status, path in zip(fields[::2], fields[1::2], strict=False)
        if status == "D" and (matches(path) or "." not in path.rsplit("/", 1)[-1])
    }
    # The old names of exact renames onto wanted files are named too, so that git pairs them first
    # there as well (as in the whole log), instead of matching their new names with other files.
    exact_sources = {old for found in pairs.values() for _, old, new in found if matches(new)}
    extensionless = sorted(p for p in sources | exact_sources if not matches(p))[:MAX_LITERAL_SOURCES]
    similar = [sha for sha, fields in candidates if _adds_and_deletes(fields, matches, sources)]
    warning = None
    if similar:
        specs = history_pathspecs(sorted(wanted)) + [f":(top,literal){p}" for p in extensionless]
        try:
            compared = run_git(
                repo,
                "diff-tree",
                "--stdin",
                "-r",
                "-M",
                *_LOG,
                "--",
                *specs,
                input="".join(f"{sha}\n" for sha in similar).encode(),
                env=OFFLINE_ENV,
            )
        except GitError as exc:
            warning = _no_renames_warning(exc, "renames with edits")
        else:
            for sha, _, fields in _commits(compared):
                pairs[sha] = pairs.get(sha, []) + _renames(fields)
    commits = [(sha, day, _with_renames(fields, pairs.get(sha, []))) for sha, day, fields in commits]
    return History(_dates(commits, wanted), warning)


def _renames(fields: list[str]) -> list[tuple[str, str, str]]:
    """The renames of one commit's `--name-status -z` fields: (status, old name, new name)."""
    found = []
    i = 0
    while i < len(fields):
        status = fields[i]
        if not status:
            i += 1
        elif status[0] in "RC":
            if status[0] == "R":
                found.append((status, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            i += 2
    return found


def _with_renames(fields: list[str], renames: list[tuple[str, str, str]]) -> list[str]:
    """One commit's `--no-renames` fields, with each rename in place of its deletion and addition.
    The first rename given for a name wins: exact ones come first, as git pairs those before it
    compares contents."""
    if not renames:
        return fields
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    out: list[str] = []
    for status, old, new in renames:
        if old in taken_old or new in taken_new:
            continue
        taken_old.add(old)
        taken_new.add(new)
        out += [status, old, new]
    for status, path in zip(fields[::2], fields[1::2], strict=False):
        if (status == "D" and path in taken_old) or (status == "A" and path in taken_new):
            continue
        out += [status, path]
    return out


def _whole_history(repo: Path) -> History:
    """`read_history` of every file: the whole log with rename detection (or, failing, without)."""
    try:
        out = run_git(repo, "log", "-M", *_LOG, "--no-merges", env=OFFLINE_ENV)
        warning = None
    except GitError as exc:
        out = run_git(repo, "log", "--no-renames", *_LOG, "--no-merges", env=OFFLINE_ENV)
        warning = _no_renames_warning(exc)
    return History(_dates(_commits(out), None), warning)


def _no_renames_warning(exc: GitError, renames: str = "renames") -> str:
    # git's stderr may hold several lines ("lazy fetching disabled", then the fatal one): keep the one
    # that says what is missing, so the warning stays one line.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = next((line for line in lines if "fatal:" in line), lines[-1] if lines else "")
    reason = reason.split(" failed: ", 1)[-1] if reason.startswith("git ") else reason
    return (
        f"git history read without following {renames} ({reason}): an object of an older version is "
        "missing from the clone, so such a renamed file is dated from its rename, not its first name"
    )


def _commits(out: bytes) -> list[_Commit]:
    """Split `git log` / `git diff-tree --stdin` output in the `_LOG` format, newest first."""
    commits = []
    for record in out.split(b"\x01")[1:]:
        header, _, rest = record.partition(b"\n")
        sha, _, when = header.decode().strip("\0 \n").partition(" ")
        fields = [f.decode("utf-8", "surrogateescape") for f in rest.lstrip(b"\n").split(b"\0")]
        commits.append((sha, when[:10], fields))
    return commits


def _adds_and_deletes(
    fields: list[str], matches: Callable[[str], bool], deleted_from: set[str] | None = None
) -> bool:
    """Whether a commit's `--no-renames` statuses add a wanted file and delete a file (of `deleted_from`
    when given, else any)."""
    statuses = fields[::2]
    if "A" not in statuses or "D" not in statuses:  # most commits only change files: no test per name
        return False
    added = deleted = False
    for status, path in zip(statuses, fields[1::2], strict=False):
        if status == "A" and not added:
            added = matches(path)
        elif status == "D" and not deleted:
            deleted = deleted_from is None or path in deleted_from
        if added and deleted:
            return True
    return False


def _dates(commits: Iterable[_Commit], wanted: set[str] | None) -> dict[str, FileHistory]:
    """First and last day and number of commits of each file, from the log newest first."""
    current: dict[str, str] = {}  # name in an older commit -> name now
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    count: dict[str, int] = {}
    for _, when, fields in commits:
        i = 0
        while i < len(fields):
            status = fields[i]
            if not status:
                i += 1
                continue
            if status[0] in "RC":
                old, new = fields[i + 1], fields[i + 2]
                i += 3
                now = current.get(new, new)
                if status[0] == "R":
                    current[old] = now
                touched = now
            else:
                touched = current.get(fields[i + 1], fields[i + 1])
                i += 2
            if wanted is not None and touched not in wanted:
                continue
            last.setdefault(touched, when)
            first[touched] = when
            count[touched] = count.get(touched, 0) + 1
    return {p: FileHistory(first[p], last[p], count[p]) for p in first}


def remote_url(repo: Path) -> str | None:
    """The web address of the `origin` remote, when it is a recognisable forge URL."""
    out = run_git(repo, "config", "--get", "remote.origin.url", check=False).decode().strip()
    if not out:
        return None
    url = out
    if url.startswith("git@") and ":" in url:
        host, _, path = url[4:].partition(":")
        url = f"https://{host}/{path}"
    elif url.startswith("ssh://"):
        url = "https://" + url[len("ssh://") :].split("@", 1)[-1]
    if not url.startswith(("http://", "https://")):
        return None
    return url.removesuffix(".git").rstrip("/")


def current_branch(repo: Path) -> str | None:
    out = run_git(repo, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).decode().strip()
    return out or None


def git_dir(repo: Path) -> Path | None:
    """The repository's git directory (also for linked work trees), or None outside git."""
    if not git_available():
        return None
    out = run_git(repo, "rev-parse", "--absolute-git-dir", check=False).decode().strip()
    return Path(out) if out else None


# Fixed identity and dates make commits of generated repositories (demo, tests) reproducible.
FIXED_IDENTITY = {
    "GIT_AUTHOR_NAME": "consolidate",
    "GIT_AUTHOR_EMAIL": "consolidate@localhost",
    "GIT_COMMITTER_NAME": "consolidate",
    "GIT_COMMITTER_EMAIL": "consolidate@localhost",
}


def init_with_commit(repo: Path, message: str, date: str = "2025-06-01T12:00:00+00:00") -> str:
    """Make `repo` a git repository whose first commit holds every file in it; returns the commit."""
    env = {**FIXED_IDENTITY, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    run_git(repo, "init", "-q", "-b", "main")
    ensure_identity(repo)
    run_git(repo, "add", "-A")
    run_git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message, env=env)
    return head(repo) or ""


# ---------------------------------------------------------------- apply / undo

ZERO_ID = "0" * 40


def operation_in_progress(repo: Path) -> str | None:
    """The name of a merge, rebase, cherry-pick, revert or bisect under way, else None."""
    gdir = git_dir(repo)
    if gdir is None:
        return None
    markers = (
        ("MERGE_HEAD", "a merge"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase or `git am`"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
        ("BISECT_LOG", "a bisect"),
    )
    for name, what in markers:
        if (gdir / name).exists():
            return what
    return None


@dataclass(frozen=True)
class IndexEntry:
    mode: str  # "100644", "100755", "120000" (symbolic link), "160000" (submodule)
    blob: str
    stage: int
    path: str


def index_entries(repo: Path) -> list[IndexEntry]:
    """Every entry of the index (stage > 0 marks an unresolved conflict)."""
    out = run_git(repo, "ls-files", "-s", "-z")
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, blob, stage = meta.decode().split()
        entries.append(IndexEntry(mode, blob, int(stage), name.decode("utf-8", "surrogateescape")))
    return entries


def changed_paths(repo: Path) -> set[str]:
    """Tracked paths whose index or work tree differs from HEAD (untracked files not included)."""
    # Without renames a staged rename lists both its paths all the same (a deletion and an addition),
    # and git reads no blob to pair them: nothing missing from a partial clone is needed, or fetched.
    out = run_git(
        repo,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=no",
        "--ignore-submodules=none",
        "--no-renames",
        env=OFFLINE_ENV,
    )
    paths: set[str] = set()
    fields = out.split(b"\0")
    i = 0
    while i < len(fields):
        item = fields[i]
        i += 1
        if len(item) < 4:
            continue
        paths.add(item[3:].decode("utf-8", "surrogateescape"))
        if b"R" in item[:2] or b"C" in item[:2]:
            # A staged rename or copy is followed by its source path.
            if i < len(fields) and fields[i]:
                paths.add(fields[i].decode("utf-8", "surrogateescape"))
            i += 1
    return paths


def identity_problem(repo: Path) -> str | None:
    """Why git could not name the author or committer of a new commit, or None when it can."""
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            run_git(repo, "-c", "user.useConfigOnly=true", "var", var)
        except GitError as exc:
            return str(exc)
    return None


def write_blobs(repo: Path, files: Sequence[Path]) -> list[str]:
    """Store each file's bytes, unfiltered, as a blob in the object database; the blob ids in order."""
    if not files:
        return []
    listing = "".join(f"{f}\n" for f in files).encode("utf-8", "surrogateescape")
    out = run_git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", input=listing)
    ids = out.decode().split()
    if len(ids) != len(files):
        raise GitError(f"git hash-object stored {len(ids)} of {len(files)} files")
    return ids


def index_info(changes: Sequence[tuple[str, str, str]]) -> bytes:
    """`git update-index --index-info` input: (mode, blob, path); mode "0" removes the path."""
    lines = []
    for mode, blob, path in changes:
        if mode == "0":
            lines.append(f"0 {ZERO_ID}\t{path}")
        else:
            lines.append(f"{mode} {blob}\t{path}")
    return "".join(f"{line}\0" for line in lines).encode("utf-8", "surrogateescape")


def build_tree(repo: Path, base: str, changes: Sequence[tuple[str, str, str]], index_file: Path) -> str:
    """The tree of `base` with `changes` applied, built in a private index so the real one is untouched."""
    env = {"GIT_INDEX_FILE": str(index_file)}
    run_git(repo, "read-tree", base, env=env)
    if changes:
        run_git(repo, "update-index", "-z", "--index-info", input=index_info(changes), env=env)
    tree = run_git(repo, "write-tree", env=env).decode().strip()
    index_file.unlink(missing_ok=True)
    return tree


def commit_tree(repo: Path, tree: str, parent: str, message: str) -> str:
    out = run_git(repo, "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode("utf-8"))
    return out.decode().strip()


def update_index(repo: Path, changes: Sequence[tuple[str, str, str]]) -> None:
    """Apply `changes` to the real index (the work tree must already hold the same content)."""
    if changes:
        run_git(repo, "update-index", "-z", "--index-info", input=index_info(changes))
    # Entries written from --index-info carry no file stat; refresh so status does not re-hash them.
    run_git(repo, "update-index", "-q", "--refresh", check=False)


def update_head(repo: Path, new: str, old: str, message: str) -> None:
    """Move HEAD (the branch it names) from `old` to `new`; refuses if HEAD is no longer `old`."""
    run_git(repo, "update-ref", "-m", message, "HEAD", new, old)


def tree_of(repo: Path, rev: str) -> str:
    return run_git(repo, "rev-parse", f"{rev}^{{tree}}").decode().strip()


def read_blob(repo: Path, rev: str, path: str) -> bytes | None:
    """The bytes of `path` in commit `rev`, or None when it holds no such file."""
    spec = f"{rev}:{path}"
    if run_git(repo, "cat-file", "-t", spec, check=False).strip() != b"blob":
        return None
    return run_git(repo, "cat-file", "blob", spec)


def files_containing(repo: Path, needles: Sequence[str]) -> set[str]:
    """Tracked text files holding any of `needles` (fixed strings): one `git grep` over the work tree."""
    import tempfile

    if not needles:
        return set()
    with tempfile.NamedTemporaryFile("wb", suffix=".patterns", delete=False) as fh:
        fh.write("".join(f"{n}\n" for n in needles).encode("utf-8", "surrogateescape"))
        patterns = fh.name
    try:
        done = subprocess.run(
            ["git", "grep", "-l", "-z", "-I", "-F", "--no-color", "-f", patterns],
            cwd=repo,
            capture_output=True,
            env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"},
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    finally:
        os.unlink(patterns)
    if done.returncode not in (0, 1):  # 1: nothing found
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git grep failed: {message}")
    return {n.decode("utf-8", "surrogateescape") for n in done.stdout.split(b"\0") if n}


def last_commit_touching(repo: Path, path: str) -> str | None:
    """The newest commit that changed `path`, or None."""
    if head(repo) is None:
        return None
    out = run_git(repo, "log", "-1", "--format=%H", "--", path, check=False).decode().strip()
    return out or None


def changed_since(repo: Path, commit: str) -> set[str]:
    """Paths changed after `commit`: in later commits, staged, or in the work tree."""
    out = run_git(repo, "diff", "--name-only", "-z", "--no-renames", commit, check=False, env=OFFLINE_ENV)
    changed = {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}
    return changed | changed_paths(repo)


def ensure_identity(repo: Path) -> None:
    """Give a generated repository (demo, tests) an identity of its own when git has none, so
    later commits work on a machine where no user is configured."""
    if identity_problem(repo) is not None:
        run_git(repo, "config", "user.name", FIXED_IDENTITY["GIT_AUTHOR_NAME"])
        run_git(repo, "config", "user.email", FIXED_IDENTITY["GIT_AUTHOR_EMAIL"])


def clone(source: Path, dest: Path, branch: str = "main") -> Path:
    """Clone `source` (a repository or a bundle) into `dest`, ready to commit in."""
    run_git(dest.parent, "clone", "-q", "-b", branch, str(source), str(dest))
    ensure_identity(dest)
    return dest
