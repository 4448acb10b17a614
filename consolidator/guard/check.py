"""The guard that keeps the sprawl from coming back: findings, a baseline, and a result cache.

`check` runs the same analysis as `plan` (classification, duplicate groups) and reports what is out
of order. Findings that already existed when the baseline was written are shown as known and do
not fail; only new findings do. Secrets follow detect-secrets' baseline workflow: a secret the
baseline records is known (a count, and a pointer to rotating it) wherever it now is; one a
person marked `is_secret: false` is not reported; any other secret is new and fails.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import posixpath
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ..analysis.scan import check_repo as _check_path
from ..analysis.scan import excluded, list_repo_files, read_document, scan_repo
from ..core import gitio
from ..core.config import Config
from ..core.conventions import is_conventional, is_markdown
from ..core.errors import ConsolidatorError
from ..core.mkdocs_yaml import load_tagged, untagged
from ..core.models import Decision, Document, Inventory, Secret
from ..core.textio import decode
from ..core.version import __version__
from ..decide.planfile import RECORD
from ..security.secrets import scan_text
from . import incremental
from .baseline import (
    BASELINE_REL,
    ROTATE_DOC,
    Baseline,
    dump_baseline,
    inventory_secrets,
    link_key,
    parse_baseline,
    with_verdicts,
)

CODES = {
    "root-budget": "more Markdown files at the root than the budget",
    "root-file": "a root file that is not a conventional root file",
    "broken-link": "a relative link to a file that does not exist",
    "broken-anchor": "a link to a heading that does not exist",
    "not-in-nav": "a page under the docs folder missing from the site navigation",
    "duplicate": "a document that repeats another live document",
    "history-outside-archive": "a historical report living outside the archive",
    "secret": "a credential written in a document",
}


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    line: int
    message: str
    key: str  # identity for the baseline: stable across edits that only move lines
    known: bool = False


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    documents: int
    baseline: str | None  # the baseline file used, repository-relative

    @property
    def new(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.known)

    @property
    def known(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.known)

    @property
    def ok(self) -> bool:
        return not self.new

    @property
    def known_secrets(self) -> tuple[Finding, ...]:
        """Secrets the baseline already records: still to rotate, but not a reason to fail."""
        return tuple(f for f in self.findings if f.known and f.code == "secret")


def _under(path: str, folder: str) -> bool:
    folder = folder.strip("/")
    return bool(folder) and (path == folder or path.startswith(folder + "/"))


# ---------------------------------------------------------------- the kinds of finding


def root_findings(inventory: Inventory, config: Config, suggestions: dict[str, str]) -> list[Finding]:
    root_docs = [d for d in inventory.documents if d.at_root]
    found = []
    if len(root_docs) > config.root_budget:
        found.append(
            Finding(
                "root-budget",
                "",
                0,
                f"{len(root_docs)} Markdown files at the repository root; the budget is {config.root_budget}",
                "root-budget",
            )
        )
    for doc in root_docs:
        if is_conventional(doc.name) or any(fnmatch.fnmatch(doc.path, g) for g in config.keep):
            continue
        where = suggestions.get(doc.path, config.docs_dir.strip("/") + "/")
        found.append(
            Finding(
                "root-file",
                doc.path,
                1,
                f"not a conventional root file; it probably belongs in {where}",
                f"root-file:{doc.path}",
            )
        )
    return found


def link_findings(inventory: Inventory, config: Config, include_archive: bool) -> list[Finding]:
    return [f for _, _, f in indexed_link_findings(inventory, config, include_archive)]


def indexed_link_findings(
    inventory: Inventory, config: Config, include_archive: bool
) -> list[tuple[str, int, Finding]]:
    """Each broken link or anchor with its document and the link's index in it (an incremental check
    moves a finding to its link's new line)."""
    found = []
    for doc in inventory.documents:
        if not include_archive and _under(doc.path, config.archive_dir):
            continue
        for index, link in enumerate(doc.links):
            if link.external or not (link.relative or link.outside_repo):
                continue
            if link.outside_repo or link.exists is False:
                finding = Finding(
                    "broken-link",
                    doc.path,
                    link.line,
                    f"link to {link.target} leads nowhere ({_why(link.outside_repo)})",
                    link_key("broken-link", doc.path, link.path, None, link.target),
                )
            elif link.anchor_ok is False:
                finding = Finding(
                    "broken-anchor",
                    doc.path,
                    link.line,
                    f"link to {link.target}: no heading or anchor '{link.fragment}' in {link.path}",
                    link_key("broken-anchor", doc.path, link.path, link.fragment, link.target),
                )
            else:
                continue
            found.append((doc.path, index, finding))
    return found


def _why(outside: bool) -> str:
    return "outside the repository" if outside else "no such file"


def read_mkdocs_config(root: Path) -> dict[str, Any] | None:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        path = root / name
        if path.is_file():
            try:
                data = untagged(load_tagged(path.read_text(encoding="utf-8")))
            except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
                raise ConsolidatorError(f"cannot read {name}: {exc}") from exc
            return data if isinstance(data, dict) else {}
    return None


def _nav_pages(nav: Any) -> set[str]:
    pages: set[str] = set()
    if isinstance(nav, str):
        if not nav.startswith(("http://", "https://")):
            pages.add(posixpath.normpath(nav))
    elif isinstance(nav, list):
        for item in nav:
            pages |= _nav_pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            pages |= _nav_pages(value)
    return pages


def _uses_plugin(mkdocs: dict[str, Any]) -> bool:
    plugins = mkdocs.get("plugins") or []
    if isinstance(plugins, dict):
        return "consolidate" in plugins
    return any(p == "consolidate" or (isinstance(p, dict) and "consolidate" in p) for p in plugins)


def nav_findings(inventory: Inventory, root: Path, settings: Config | None = None) -> list[Finding]:
    """Pages under docs_dir that an explicit `nav` leaves out (no `nav` means every page is in it)."""
    config = read_mkdocs_config(root)
    if not config or "nav" not in config:
        return []
    # what MkDocs reads: the mkdocs.yml setting, else MkDocs' own default (not this tool's docs_dir)
    docs_dir = str(config.get("docs_dir", "docs")).strip("/")
    # With the consolidate plugin a document's page is where the plugin puts it (a docs index.md or
    # README.md beside a root README becomes overview.md, ...): the same mapping, not a guess.
    site_of: dict[str, str] = {}
    if _uses_plugin(config):
        from ..site.layout import layout

        site_settings = replace(settings or Config(), docs_dir=docs_dir)
        site_of = layout(root, site_settings, report=False).site_of
    in_nav = _nav_pages(config["nav"])
    # `not_in_nav` is gitignore-style text: one pattern a line.
    raw = config.get("not_in_nav") or ""
    lines = raw.splitlines() if isinstance(raw, str) else [str(x) for x in raw]
    exempt = {line.strip() for line in lines if line.strip() and not line.strip().startswith("#")}
    found = []
    for doc in inventory.documents:
        if not _under(doc.path, docs_dir):
            continue
        page = site_of.get(doc.path) or doc.path[len(docs_dir) + 1 :]
        if page in in_nav or any(_matches(page, p) for p in exempt):
            continue
        found.append(
            Finding(
                "not-in-nav",
                doc.path,
                1,
                f"{page} is not in the site navigation (mkdocs.yml `nav`); run `consolidate site`",
                f"not-in-nav:{doc.path}",
            )
        )
    return found


def _matches(page: str, pattern: str) -> bool:
    if pattern.startswith("/"):
        return fnmatch.fnmatch(page, pattern.lstrip("/"))
    # Unanchored patterns match at any depth, as in .gitignore.
    return fnmatch.fnmatch(page, pattern) or fnmatch.fnmatch(page, "*/" + pattern)


def secret_findings(inventory: Inventory) -> list[Finding]:
    return [secret_finding(doc.path, secret) for doc in inventory.documents for secret in doc.secrets]


def secret_finding(path: str, secret: Secret) -> Finding:
    # The key is the fingerprint alone: a secret is the same secret in whichever file it sits.
    return Finding(
        "secret",
        path,
        secret.line,
        f"{secret.kind} ({secret.masked}), fingerprint {secret.fingerprint}: remove it and rotate it "
        f"(see {ROTATE_DOC}); if it is not a secret, record it with `consolidate check "
        f"--update-baseline` and mark it `is_secret: false` in {BASELINE_REL}",
        f"secret:{secret.fingerprint}",
    )


def _fingerprint_of(finding: Finding) -> str:
    return finding.key.rpartition(":")[2]


@dataclass(frozen=True)
class Analysis:
    """What the planner says: findings and where files belong, as the plan stands and, for every
    document, as it would stand were nothing settled by the applied plan (`fresh_*`)."""

    findings: list[Finding]
    suggestions: dict[str, str]
    fresh_flagged: frozenset[str]  # documents whose fresh verdict is a duplicate or a misplaced record
    fresh_suggestions: dict[str, str]


def analysis_findings(inventory: Inventory, config: Config) -> Analysis:
    """Duplicates and misplaced history, from the same engine as `plan`; also where files belong."""
    # Imported here, not at the top: the planner brings scikit-learn and SciPy, which a check answered
    # from its cache never needs (importing them alone costs longer than the whole warm check).
    from ..decide.plan import plan_with_fresh

    # The planner finds the groups itself, as `plan` does (with what the scan's workers derived, and the
    # topics in a second process on a large repository): one path, so check cannot judge differently.
    plan, fresh = plan_with_fresh(inventory, config)
    found, suggestions = _plan_findings(plan.entries, inventory, config)
    fresh_found, fresh_suggestions = _plan_findings(fresh, inventory, config)
    return Analysis(found, suggestions, frozenset(f.path for f in fresh_found), fresh_suggestions)


def _plan_findings(
    entries: Iterable[Decision], inventory: Inventory, config: Config
) -> tuple[list[Finding], dict[str, str]]:
    by_path = inventory.by_path()
    suggestions: dict[str, str] = {}
    found = []
    for entry in entries:
        if entry.destination and entry.destination != entry.source:
            docs_folder = posixpath.join(config.docs_dir.strip("/"), entry.section or "")
            where = "the archive" if entry.action in ("archive", "merge") else docs_folder
            suggestions[entry.source] = f"{where.rstrip('/')} ({entry.destination})"
        doc = by_path.get(entry.source)
        if doc is None or _under(doc.path, config.archive_dir):
            continue
        if entry.action in ("archive", "merge") and entry.canonical:
            found.append(
                Finding(
                    "duplicate",
                    doc.path,
                    1,
                    f"repeats {entry.canonical}; keep one of them (the other belongs in the archive)",
                    f"duplicate:{doc.path}:{entry.canonical}",
                )
            )
        elif entry.action == "archive" and not doc.at_root:
            kind = entry.kind.replace("-", " ") if entry.kind else "historical record"
            found.append(
                Finding(
                    "history-outside-archive",
                    doc.path,
                    1,
                    f"reads as a {kind}; it belongs in the archive ({entry.destination})",
                    f"history-outside-archive:{doc.path}",
                )
            )
    return found, suggestions


# ---------------------------------------------------------------- baseline


def baseline_path(root: Path) -> Path:
    return root / BASELINE_REL


def load_baseline(root: Path) -> Baseline | None:
    path = baseline_path(root)
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConsolidatorError(f"cannot read the baseline {BASELINE_REL}: {exc}") from exc
    baseline = parse_baseline(data)
    if baseline is None:
        raise ConsolidatorError(
            f"{BASELINE_REL} is not a baseline: expected "
            "{'findings': [keys], 'results': {file: [secrets]}}"
        )
    return baseline


def write_baseline(root: Path, findings: Iterable[Finding], inventory: Inventory) -> Path:
    """Record today's findings and secrets as known: a small, sorted, reviewable file. A verdict
    a person gave a secret (`is_secret`) in the previous baseline is kept."""
    path = baseline_path(root)
    previous = load_baseline(root) if path.is_file() else None
    secrets = with_verdicts(inventory_secrets(inventory), previous.secrets if previous else ())
    keys = tuple(f.key for f in findings if f.code != "secret")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_baseline(Baseline(keys, tuple(secrets))), encoding="utf-8", newline="\n")
    return path


# ---------------------------------------------------------------- result cache


def _cache_file(root: Path) -> Path | None:
    git_dir = gitio.git_dir(root) if gitio.git_available() else None
    return git_dir / "consolidate" / "check-cache.json" if git_dir else None


def _fingerprint(
    documents: Sequence[tuple[str, str]],
    files: Iterable[str],
    root: Path,
    config: Config,
    include_archive: bool,
) -> str:
    """What the findings depend on: every document's path and blob, every file's path, the site
    navigation, the applied plan's record and the settings. `documents` is (path, blob) by path."""
    digest = hashlib.sha256(f"{__version__}|{include_archive}|{config!r}".encode())
    for path, blob in documents:
        digest.update(f"{path}\0{blob}\n".encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\n")
    # Besides the documents, findings depend on the site navigation and on what was applied.
    for name in ("mkdocs.yml", "mkdocs.yaml", RECORD.as_posix()):
        if (root / name).is_file():
            digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Listing:
    """The files as the scan will see them: listed, read and hashed, never parsed."""

    key: str  # everything the findings depend on
    static: str  # the same without the documents' contents (what an incremental check must share)
    data: dict[str, bytes]
    blobs: dict[str, str]


def _listing(root: Path, config: Config, include_archive: bool) -> _Listing:
    files, _, _ = list_repo_files(root)
    chosen = [f for f in files if is_markdown(f) and not excluded(f, config.exclude)]
    reads = [read_document(root, p) for p in chosen]
    data = {r.path: r.data for r in reads if r.data is not None}
    blobs = {path: gitio.blob_id(raw) for path, raw in data.items()}
    key = _fingerprint(sorted(blobs.items()), files, root, config, include_archive)
    # the documents' paths are in `files`: only their contents are left out
    static = _fingerprint((), [*files, *(f"\0{p}" for p in sorted(blobs))], root, config, include_archive)
    return _Listing(key, static, data, blobs)


def _as_findings(items: Iterable[dict[str, Any]]) -> list[Finding]:
    return [Finding(**{k: item[k] for k in ("code", "path", "line", "message", "key")}) for item in items]


def _cached(root: Path, key: str) -> tuple[list[Finding], int] | None:
    """The findings and document count stored under `key`, if that is what the cache holds."""
    path = _cache_file(root)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        findings = _as_findings(data["findings"])
        documents = data["documents"]
        if not isinstance(documents, int):
            return None
        return findings, documents
    except Exception:  # a damaged cache is rebuilt, never trusted
        return None


def _store(root: Path, key: str, findings: Sequence[Finding], documents: int) -> None:
    path = _cache_file(root)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".check-cache.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"key": key, "documents": documents, "findings": [asdict(f) for f in findings]}, out)
        os.replace(tmp, path)
    except OSError:
        return


def _own_secrets(root: Path, doc: Document) -> tuple[str, ...]:
    """Fingerprints of what the detectors find in the document's own text (not the values found
    elsewhere that it repeats): what an incremental check compares."""
    if not doc.secrets:
        return ()
    return tuple(f.fingerprint for f in scan_text(doc.path, decode((root / doc.path).read_bytes()).text))


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line, f.code, f.key))


# ---------------------------------------------------------------- entry point


def collect_findings(
    repo: Path, config: Config, *, include_archive: bool = False, use_cache: bool = True
) -> tuple[list[Finding], int]:
    """Every finding, sorted, and how many documents were checked."""
    root = _check_path(repo)
    listing = _listing(root, config, include_archive) if use_cache else None
    cache_file = _cache_file(root) if use_cache else None
    if listing is not None:
        cached = _cached(root, listing.key)
        if cached is not None:
            return cached
        state = incremental.load(cache_file.parent, listing.static) if cache_file else None
        updated = incremental.update(state, listing.data, listing.blobs, config) if state else None
        if updated is not None:
            findings = _sorted(_as_findings(updated[0]))
            _store(root, listing.key, findings, len(listing.blobs))
            return findings, len(listing.blobs)
    inventory = scan_repo(root, config=config, use_cache=use_cache)
    analysis = analysis_findings(inventory, config)
    links = indexed_link_findings(inventory, config, include_archive)
    roots = root_findings(inventory, config, analysis.suggestions)
    findings = _sorted(
        [
            *roots,
            *(f for _, _, f in links),
            *nav_findings(inventory, root, config),
            *analysis.findings,
            *secret_findings(inventory),
        ]
    )
    if listing is not None and cache_file is not None:
        # Stored under the key of the files as they were before the scan read them: a file edited
        # meanwhile makes the next run's key differ, so it is checked again rather than missed.
        _store(root, listing.key, findings, len(inventory.documents))
        fresh_roots = {
            f.path: asdict(f) for f in root_findings(inventory, config, analysis.fresh_suggestions) if f.path
        }
        by_doc: dict[str, list[tuple[int, str, str, str]]] = {}
        for path, index, f in links:
            by_doc.setdefault(path, []).append((index, f.code, f.message, f.key))
        docs = {
            doc.path: incremental.summary(
                doc,
                _own_secrets(root, doc),
                by_doc.get(doc.path, ()),
                fresh_roots.get(doc.path),
                doc.path in analysis.fresh_flagged,
            )
            for doc in inventory.documents
            if listing.blobs.get(doc.path) == doc.blob
        }
        if len(docs) == len(listing.blobs):
            state = incremental.State(listing.static, docs, tuple(asdict(f) for f in findings))
            incremental.save(cache_file.parent, state)
    return findings, len(inventory.documents)


def run_check(
    repo: Path,
    config: Config,
    *,
    include_archive: bool = False,
    update_baseline: bool = False,
    use_cache: bool = True,
) -> CheckResult:
    """Check `repo`; with `update_baseline`, first record every current finding as known."""
    root = _check_path(repo)
    findings, documents = collect_findings(root, config, include_archive=include_archive, use_cache=use_cache)
    if update_baseline:
        # the secrets' fingerprints come from the documents themselves (the parse cache has them)
        write_baseline(root, findings, scan_repo(root, config=config, use_cache=use_cache))
    known = load_baseline(root)
    if known is not None:
        keys, secrets, not_secrets = frozenset(known.keys), known.known_secrets(), known.not_secrets()
        findings = [
            replace(f, known=_fingerprint_of(f) in secrets if f.code == "secret" else f.key in keys)
            for f in findings
            if not (f.code == "secret" and _fingerprint_of(f) in not_secrets)
        ]
    return CheckResult(
        findings=tuple(findings),
        documents=documents,
        baseline=BASELINE_REL if known is not None else None,
    )


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "documents": result.documents,
        "baseline": result.baseline,
        "new": len(result.new),
        "known": len(result.known),
        "known_secrets": len(result.known_secrets),
        "findings": [asdict(f) for f in result.findings],
    }


def _escape_property(value: str) -> str:
    return (
        value.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_annotations(result: CheckResult) -> list[str]:
    """GitHub workflow commands: `::error file=F,line=N,title=T::message` (known findings as notices)."""
    lines = []
    for f in result.findings:
        level = "notice" if f.known else "error"
        props = [f"title={_escape_property('consolidate ' + f.code)}"]
        if f.path:
            props.insert(0, f"file={_escape_property(f.path)}")
            if f.line:
                props.insert(1, f"line={f.line}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f.message)}")
    return lines
