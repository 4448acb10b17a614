"""Which files are documents, and the inventory of what each one says.

In a git work tree the documents are the tracked files plus the untracked ones git does not ignore;
elsewhere the tree is walked. Parsing is the cost floor, so each distinct content is parsed once,
in parallel when there is much to do, and remembered by git blob id between runs.
"""

from __future__ import annotations

import fnmatch
import os
import pickle
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from ..core import gitio
from ..core.config import Config
from ..core.conventions import is_markdown
from ..core.errors import RepoError
from ..core.models import DateFact, Dates, Document, Inventory, Link, Secret
from ..core.textio import decode, looks_binary
from ..markdown.links import folders_of, resolve
from ..markdown.parse import Parsed, date_in_name, parse_outline, parse_text
from ..security.secrets import SecretFinding, combine, find_known, known_values, scan_text, without_allowed
from .cache import Entry, Kept, ParseCache, dump_entry

# Folders that hold tools, dependencies or build output rather than documentation.
SKIP_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        "build",
        "dist",
        "site",
        "_build",
        "target",
        ".next",
        ".nuxt",
        ".docusaurus",
        ".cache",
        "bower_components",
        "vendor",
    }
)
# Full parsing costs about a second per MB; a Markdown file this large is almost always generated
# output (logs, dumps), so it is inventoried from its lines alone rather than stalling the run.
MAX_PARSE_BYTES = 5 * 1024 * 1024
PARALLEL_THRESHOLD = 400  # below this many files to parse, worker start-up costs more than it saves
# Endings of the root files the plan may archive as text sprawl (decide/sprawl.py decides which it does):
# text reports and editors' backup copies. Their history is read with the documents'.
TEXT_SUFFIXES = (".txt", ".old", ".bak", ".backup", ".orig", ".prev", "~")
PARALLEL_CHUNK = 16  # files sent to a worker at once: few round trips, and the last ones are small

Progress = Callable[[int, int], None]
# Work a caller wants done on each freshly parsed document, beside the parse: a module-level function
# (it is sent to the worker processes by name) whose result is small and picklable.
PerDocument = Callable[[Parsed], object]


@dataclass(frozen=True)
class _Read:
    path: str
    data: bytes | None
    warning: str | None = None


@dataclass(frozen=True)
class Listing:
    """What the scan reads before it parses: every file, whether git listed them, what it warns
    about, and the bytes of every document it could read (`list_documents`)."""

    files: list[str]
    in_git: bool
    warnings: tuple[str, ...]
    reads: tuple[_Read, ...]


def list_documents(root: Path, exclude: Iterable[str]) -> Listing:
    """The files of `root` (a `check_repo` path) and the bytes of its documents, read once: given to
    `scan_repo`, and to `cache.inputs_key` before it, so that a plan reads every document once."""
    files, in_git, warnings = list_repo_files(root)
    doc_paths = [f for f in files if is_markdown(f) and not excluded(f, exclude)]
    reads = [read_document(root, p) for p in doc_paths]
    warnings.extend(r.warning for r in reads if r.warning)
    return Listing(files, in_git, tuple(warnings), tuple(r for r in reads if r.data is not None))


def check_repo(repo: Path) -> Path:
    if not repo.exists():
        raise RepoError(f"{repo} does not exist")
    if not repo.is_dir():
        raise RepoError(f"{repo} is not a directory")
    return repo.resolve()


def walk_files(root: Path) -> list[str]:
    """Every file below `root` outside tool and build folders, without following directory links."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS and not (here / d / "pyvenv.cfg").exists() and not (here / d).is_symlink()
        )
        for name in files:
            found.append((here / name).relative_to(root).as_posix())
    return sorted(found)


def list_repo_files(root: Path) -> tuple[list[str], bool, list[str]]:
    """(files, used git, warnings)."""
    warnings: list[str] = []
    if not gitio.git_available():
        warnings.append("git is not on PATH: walking the folder instead (no history dates)")
        return walk_files(root), False, warnings
    if not gitio.is_work_tree(root):
        return walk_files(root), False, warnings
    # In a folder inside the work tree, ls-files answers relative to that folder, as the scan names files.
    files = gitio.list_files(root)
    existing = [f for f in files if os.path.lexists(root / f)]
    return existing, True, warnings


def excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.rstrip("/") + "/*") for p in patterns)


def read_document(root: Path, rel: str) -> _Read:
    full = root / rel
    try:
        if full.is_symlink():
            try:
                real = full.resolve(strict=True)
            except (OSError, RuntimeError):
                return _Read(rel, None, f"{rel}: symbolic link that loops or leads nowhere; skipped")
            if not real.is_relative_to(root):
                return _Read(rel, None, f"{rel}: symbolic link out of the repository; not followed")
            if not real.is_file():
                return _Read(rel, None, f"{rel}: symbolic link to a folder; skipped")
        elif not full.is_file():
            return _Read(rel, None, f"{rel}: not a regular file; skipped")
        data = full.read_bytes()
    except OSError as exc:
        return _Read(rel, None, f"{rel}: cannot be read ({exc.strerror or exc}); skipped")
    if looks_binary(data):
        return _Read(rel, None, f"{rel}: binary content in a Markdown file; skipped")
    return _Read(rel, data)


def parse_blob(data: bytes) -> Entry:
    """One file's bytes parsed as the scan parses them: the parse (an outline alone past
    `MAX_PARSE_BYTES`), whether the bytes held invalid text, and the secrets found in the text. Public
    for stages that judge a few changed files without a scan (the incremental check), so that they
    cannot drift from the scan."""
    decoded = decode(data)
    # Secrets are looked for in every file, however large: a dump is where keys get pasted.
    found = scan_text("", decoded.text)
    if len(data) > MAX_PARSE_BYTES:
        return parse_outline(decoded.text), decoded.invalid_bytes, found
    return parse_text(decoded.text), decoded.invalid_bytes, found


def _parse_and_derive(data: bytes, per_document: PerDocument | None) -> tuple[bytes, bytes | None]:
    """`parse_blob`, pickled for the cache file (`dump_entry`), and what `per_document` makes of
    the parse while it is at hand (in the worker, so that per-document work runs on every core and
    only its compact result travels back), pickled too: the cache keeps these bytes as they are."""
    entry = parse_blob(data)
    extra = None
    if per_document is not None:
        extra = pickle.dumps(per_document(entry[0]), protocol=pickle.HIGHEST_PROTOCOL)
    return dump_entry(entry), extra


class _Background:
    """Runs `work` in a thread; `finish` waits for it and raises what it raised, here rather than as a
    thread's traceback on stderr."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work = work
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # handed to the caller's thread by finish()
            self._failure = exc

    def finish(self) -> None:
        self._thread.join()
        if self._failure is not None:
            raise self._failure


def readable_title(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words)
    return " ".join(w if w.isupper() and len(w) <= 3 else w.capitalize() for w in words.split()) or name


def _parse_missing(
    todo: list[tuple[str, bytes]],
    cache: ParseCache,
    *,
    total: int,
    progress: Progress | None,
    workers: int | None,
    while_parsing: Callable[[], object] | None,
    read_history: Callable[[], None],
    in_git: bool,
    per_document: PerDocument | None = None,
    derived: dict[str, object] | None = None,
    kept: Kept | None = None,
) -> _Background | None:
    """Parse the blobs the cache lacks (`todo`: blob id, bytes) into it, in worker processes when
    there are many. `while_parsing` runs meanwhile, and `read_history` in a thread when the parse
    leaves time for it: that thread is returned, for the caller to finish. What `per_document` makes
    of each parse goes into `derived`, by blob id."""
    history_job: _Background | None = None
    done = 0
    work = partial(_parse_and_derive, per_document=per_document)
    if len(todo) >= PARALLEL_THRESHOLD and (workers or os.cpu_count() or 1) > 1:
        # Largest first and a few at a time, so the workers run out of work together rather than
        # one parsing a last batch of big files while the others wait. Parse time follows size.
        todo = sorted(todo, key=lambda item: -len(item[1]))
        with ProcessPoolExecutor(max_workers=workers or min(os.cpu_count() or 1, 8)) as pool:
            results = pool.map(work, [d for _, d in todo], chunksize=PARALLEL_CHUNK)
            # Every chunk is queued and every worker started by now, so nothing done from now on is
            # inherited by a forked worker (a half-done import, a held lock). This process would only
            # wait: a thread does the caller's work meanwhile, and this one keeps the progress going.
            helper = _Background(while_parsing) if while_parsing else None
            history_job = _Background(read_history) if in_git else None
            for (blob, _), (pickled, extra) in zip(todo, results, strict=True):
                # Unpickled once here; the cache file gets the same bytes without pickling again.
                cache.put(blob, pickle.loads(pickled), pickled)
                if derived is not None and extra is not None:
                    derived[blob] = pickle.loads(extra)
                    if kept is not None:
                        cache.put_derived(blob, kept, extra)
                done += 1
                if progress and done % 50 == 0:
                    progress(total - len(todo) + done, total)
            if helper:
                helper.finish()
    else:
        history_job = _Background(read_history) if in_git and todo else None
        if while_parsing:
            while_parsing()
        for blob, data in todo:
            entry = parse_blob(data)
            made = per_document(entry[0]) if per_document is not None else None
            cache.put(blob, entry)
            if derived is not None and made is not None:
                derived[blob] = made
                if kept is not None:
                    cache.put_derived(blob, kept, pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
            done += 1
            if progress and done % 50 == 0:
                progress(total - len(todo) + done, total)
    return history_job


def _documents(
    reads: list[_Read],
    blobs: dict[str, str],
    cache: ParseCache,
    hist: dict[str, gitio.FileHistory],
    found_in: dict[str, tuple[SecretFinding, ...]],
    warnings: list[str],
) -> list[Document]:
    """A `Document` for every read file, from its cached parse, history and secrets; what the scan
    warns about a document is added both to the document and to `warnings`."""
    docs = []
    for r in reads:
        assert r.data is not None
        parsed, invalid, _ = cache.get(blobs[r.path])
        secrets = tuple(Secret(f.line, f.end_line, f.kind, f.masked, f.fingerprint) for f in found_in[r.path])
        doc_warnings = []
        if len(r.data) > MAX_PARSE_BYTES:
            note = f"larger than {MAX_PARSE_BYTES // (1024 * 1024)} MB: only headings and size were read"
            doc_warnings.append(note)
            warnings.append(f"{r.path}: {note}")
        if invalid:
            doc_warnings.append(f"{invalid} byte(s) are not valid UTF-8; shown as U+FFFD")
            warnings.append(f"{r.path}: {invalid} byte(s) are not valid UTF-8; decoded what could be decoded")
        doc = make_document(r.path, r.data, blobs[r.path], parsed, hist.get(r.path), tuple(doc_warnings))
        docs.append(replace(doc, secrets=secrets) if secrets else doc)
    return docs


def scan_repo(
    repo: Path,
    *,
    config: Config | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    while_parsing: Callable[[], object] | None = None,
    per_document: PerDocument | None = None,
    listing: Listing | None = None,
    kept: Kept | None = None,
) -> Inventory:
    """Inventory every Markdown document of `repo`.

    `while_parsing` is called once, in a thread of its own while worker processes parse (or in
    this thread before the parse when there are no workers), and has finished when the scan
    returns: time the caller would otherwise spend after the scan, such as importing what it needs
    next, overlaps with the parse.

    `per_document` is called on each document parsed in this run (not on those the parse cache
    already held), where it is parsed: its results are the inventory's `derived`, by blob id. The
    caller must be able to do without them (compute what is missing itself).

    With `kept`, what `per_document` made is kept in the parse cache beside each parse, under
    `kept.version`: a document parsed in an earlier run gets it from there (or, the first time, from
    `per_document` here) instead of the caller computing it.

    `listing`, if given, is `list_documents(check_repo(repo), config.exclude)` made already (by the
    caller, to key a result by the same bytes): the files are not listed and read again.
    """
    config = config or Config()
    root = check_repo(repo)
    if listing is None:
        listing = list_documents(root, config.exclude)
    files, in_git = listing.files, listing.in_git
    warnings = list(listing.warnings)
    reads = list(listing.reads)

    cache = ParseCache.for_repo(root) if (use_cache and in_git) else ParseCache.memory()
    blobs = {r.path: gitio.blob_id(r.data) for r in reads if r.data is not None}
    todo = sorted(
        {blobs[r.path]: r.data for r in reads if r.data is not None and blobs[r.path] not in cache}.items()
    )
    total = len(reads)
    if progress:
        progress(total - len(todo), total)
    # The history is one `git log` over the files dated here (by their endings): read it while the
    # documents parse.
    hist: dict[str, gitio.FileHistory] = {}
    derived: dict[str, object] = {}
    # Root text files and backup copies are no documents, but the plan may archive them as sprawl: their
    # last commit dates them like the Markdown records beside them (same pass over the log).
    texts = sorted(f for f in files if "/" not in f and f.lower().endswith(TEXT_SUFFIXES))
    paths = [r.path for r in reads] + texts

    history_warnings: list[str] = []

    def read_history() -> None:
        found = gitio.read_history(root, paths)
        hist.update(found.files)
        if found.warning:
            history_warnings.append(found.warning)

    history_job = _parse_missing(
        todo,
        cache,
        total=total,
        progress=progress,
        workers=workers,
        while_parsing=while_parsing,
        read_history=read_history,
        in_git=in_git,
        per_document=per_document,
        derived=derived,
        kept=kept,
    )
    if per_document is not None and kept is not None:
        for blob in sorted(set(blobs.values()) - derived.keys()):
            # Parsed in an earlier run: what was derived then, or (a cache of older code) derived now
            # and kept for the next run.
            found = cache.derived(blob, kept)
            if found is None:
                found = per_document(cache.get(blob)[0])
                cache.put_derived(blob, kept, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
            derived[blob] = found
    if progress:
        progress(total, total)
    # Every blob of this run is still needed: without this, `save` (which keeps what the run used)
    # would keep only what was parsed just now and forget every unchanged document.
    cache.use(blobs.values())
    cache.save()

    if history_job is not None:
        history_job.finish()
    elif in_git:
        read_history()
    warnings.extend(history_warnings)
    found_in = document_secrets(reads, blobs, cache, config)
    docs = _documents(reads, blobs, cache, hist, found_in, warnings)

    all_files = frozenset(files)
    docs = resolve_links(docs, all_files)
    return Inventory(
        root=str(root),
        documents=tuple(sorted(docs, key=lambda d: d.path)),
        git=in_git,
        head=gitio.head(root) if in_git else None,
        shallow=in_git and gitio.is_shallow(root),
        files=all_files,
        warnings=tuple(warnings),
        derived=derived,
        file_dates={p: hist[p].last for p in texts if p in hist},
    )


def document_secrets(
    reads: list[_Read], blobs: dict[str, str], cache: ParseCache, config: Config
) -> dict[str, tuple[SecretFinding, ...]]:
    """Each document's secrets: what the detectors found in it (cached by blob), plus every other
    occurrence of a value found anywhere, since a token pasted into a table is still that token."""
    found = {r.path: tuple(replace(f, path=r.path) for f in cache.get(blobs[r.path])[2]) for r in reads}
    texts: dict[str, str] = {}

    def text_of(r: _Read) -> str:
        if r.path not in texts:
            texts[r.path] = decode(r.data or b"").text
        return texts[r.path]

    values = known_values({r.path: text_of(r) for r in reads if found[r.path]}, found)
    if values:
        for r in reads:
            found[r.path] = combine(found[r.path], find_known(r.path, text_of(r), values))
    return {path: without_allowed(items, config.secrets.allow) for path, items in found.items()}


def make_document(
    path: str,
    data: bytes,
    blob: str,
    parsed: Parsed,
    hist: gitio.FileHistory | None = None,
    warnings: tuple[str, ...] = (),
) -> Document:
    """The `Document` the scan makes of a parse (`parse_blob`) of the file at `path`, its bytes `data`
    and blob id `blob`; its links are not resolved against the repository's files (`resolve_links`)."""
    name = path.rsplit("/", 1)[-1]
    fm = dict(parsed.front_matter)
    if fm.get("title", "").strip():
        title, source = fm["title"].strip(), "front_matter"
    elif parsed.h1:
        title, source = parsed.h1, "h1"
    else:
        title, source = readable_title(name), "file_name"
    facts = [
        DateFact("front_matter" if m.from_front_matter else "text", m.label, m.date, m.line)
        for m in parsed.dates
    ]
    named = date_in_name(name)
    if named:
        facts.append(DateFact("file_name", named[0], named[1]))
    if hist:
        facts.append(DateFact("first_commit", "first commit", hist.first))
        facts.append(DateFact("last_commit", "last commit", hist.last))
    links = tuple(
        Link(
            target=raw.target,
            kind=raw.kind,
            line=raw.line,
            is_image=raw.is_image,
            label=raw.label,
            definition_line=raw.definition_line,
        )
        for raw in parsed.links
    )
    return Document(
        path=path,
        title=title,
        title_source=source,
        headings=parsed.headings,
        links=links,
        dates=Dates(tuple(facts)),
        words=parsed.words,
        size=len(data),
        lines=parsed.lines,
        blob=blob,
        text=parsed.text,
        sections=parsed.sections,
        front_matter=parsed.front_matter,
        code_blocks=parsed.code_blocks,
        html_ids=parsed.html_ids,
        warnings=warnings,
    )


def anchor_key(anchor: str) -> str:
    """Anchors compared the lenient way browsers and code hosts treat them: case and invisible
    emoji modifiers (variation selector, zero-width joiner) do not matter."""
    return anchor.casefold().replace("\ufe0f", "").replace("\u200d", "")


def resolve_links(docs: list[Document], files: frozenset[str]) -> list[Document]:
    """Fill in where every link leads and whether its file and anchor exist."""
    folders = folders_of(files)
    anchors = {d.path: {anchor_key(a) for a in d.anchors()} for d in docs}
    out = []
    for doc in docs:
        resolved = []
        for link in doc.links:
            if not link.target.strip():
                resolved.append(link)
                continue
            where = resolve(doc.path, link.target)
            # Each link made anew with its resolved fields (what `dataclasses.replace` does, which
            # costs twice as much: a repository has tens of thousands of links).
            if where.external:
                resolved.append(_link(link, True, link.path, link.fragment, link.exists, link.anchor_ok))
                continue
            if where.outside_repo:
                resolved.append(
                    _link(link, link.external, link.path, where.fragment, False, link.anchor_ok, outside=True)
                )
                continue
            path = where.path or ""
            exists = path in files or path in folders
            anchor_ok = None
            if exists and where.fragment and path in anchors:
                anchor_ok = anchor_key(where.fragment) in anchors[path]
            resolved.append(_link(link, link.external, path, where.fragment, exists, anchor_ok))
        out.append(replace(doc, links=tuple(resolved)))
    return out


def _link(
    link: Link,
    external: bool,
    path: str | None,
    fragment: str | None,
    exists: bool | None,
    anchor_ok: bool | None,
    *,
    outside: bool | None = None,
) -> Link:
    """`link` with where it leads set as given (`outside`: None keeps its `outside_repo`)."""
    return Link(
        link.target,
        link.kind,
        link.line,
        link.is_image,
        link.label,
        link.definition_line,
        external,
        path,
        fragment,
        exists,
        anchor_ok,
        link.outside_repo if outside is None else outside,
    )


def secret_values(inventory: Inventory) -> dict[str, str]:
    """value -> kind of every secret in the repository's documents, for redacting them anywhere."""
    root = Path(inventory.root)
    texts: dict[str, str] = {}
    found: dict[str, tuple[SecretFinding, ...]] = {}
    for doc in inventory.documents:
        if doc.secrets:
            texts[doc.path] = decode((root / doc.path).read_bytes()).text
            found[doc.path] = scan_text(doc.path, texts[doc.path])
    return known_values(texts, found)
