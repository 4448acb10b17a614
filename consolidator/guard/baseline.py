"""The check baseline: which findings were already known, as a small reviewable file.

Shared by `check` (which reads and writes it) and `apply` (which records, in its content commit,
the findings a consolidation leaves behind on purpose: links that were already broken, and the
secrets the documents already held). Keys name a finding without its line number, so edits above
it do not make it new.

Secrets follow detect-secrets' baseline workflow: `results` maps each file to the secrets found in
it when the baseline was written (type, `hashed_secret`, line number), never the secret itself. A
person who reviews an entry and finds no secret sets `"is_secret": false` on it, as `detect-secrets
audit` does; rewriting the baseline keeps that verdict. A secret is known by its fingerprint
wherever it is, so moving, archiving or copying the document that holds it does not make it new.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.scan import list_repo_files
from ..core.config import Config, load_config
from ..core.conventions import is_markdown
from ..core.models import Inventory, Plan
from ..core.textio import decode
from ..core.version import __version__
from ..markdown.links import resolve
from ..security.secrets import scan_documents, without_allowed

BASELINE_REL = ".consolidate/baseline.json"
# Where a user reads how to rotate a secret (consolidator's own documentation).
ROTATE_DOC = "'Rotating a leaked secret' in consolidator's docs/security.md"


@dataclass(frozen=True)
class SecretEntry:
    """One secret a baseline records: where it was, what kind, its fingerprint; never its value.
    `is_secret` is a person's verdict after review (None: not reviewed)."""

    path: str
    line: int
    kind: str
    fingerprint: str
    is_secret: bool | None = None


@dataclass(frozen=True)
class Baseline:
    keys: tuple[str, ...] = ()
    secrets: tuple[SecretEntry, ...] = ()

    def known_secrets(self) -> frozenset[str]:
        """Fingerprints of recorded secrets still to rotate (reviewed as not secret excluded)."""
        return frozenset(e.fingerprint for e in self.secrets if e.is_secret is not False)

    def not_secrets(self) -> frozenset[str]:
        """Fingerprints a person marked `is_secret: false`."""
        return frozenset(e.fingerprint for e in self.secrets if e.is_secret is False)


def parse_baseline(data: bytes | str | None) -> Baseline | None:
    """A baseline file's content; None when it is not a baseline."""
    if data is None:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return None
    keys = body.get("findings", []) if isinstance(body, dict) else None
    results = body.get("results", {}) if isinstance(body, dict) else None
    if (
        not isinstance(keys, list)
        or not all(isinstance(k, str) for k in keys)
        or not isinstance(results, dict)
    ):
        return None
    secrets = []
    for path, entries in results.items():
        if not isinstance(entries, list):
            return None
        for e in entries:
            entry = _secret_entry(path, e)
            if entry is None:
                return None
            secrets.append(entry)
    return Baseline(tuple(keys), tuple(secrets))


def _secret_entry(path: str, e: Any) -> SecretEntry | None:
    if not isinstance(e, dict) or not isinstance(e.get("hashed_secret"), str):
        return None
    line = e.get("line_number", 0)
    verdict = e.get("is_secret")
    return SecretEntry(
        path,
        line if isinstance(line, int) else 0,
        str(e.get("type", "")),
        e["hashed_secret"],
        verdict if isinstance(verdict, bool) else None,
    )


def dump_baseline(baseline: Baseline) -> str:
    results: dict[str, list[dict[str, Any]]] = {}
    unique = {(e.path, e.fingerprint): e for e in sorted(baseline.secrets, key=lambda e: (e.path, e.line))}
    for e in sorted(unique.values(), key=lambda e: (e.path, e.line, e.fingerprint)):
        item: dict[str, Any] = {
            "type": e.kind,
            "filename": e.path,
            "hashed_secret": e.fingerprint,
            "is_verified": False,
            "line_number": e.line,
        }
        if e.is_secret is not None:
            item["is_secret"] = e.is_secret
        results.setdefault(e.path, []).append(item)
    body = {"tool": f"consolidator {__version__}", "findings": sorted(set(baseline.keys)), "results": results}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def with_verdicts(entries: Iterable[SecretEntry], previous: Iterable[SecretEntry]) -> list[SecretEntry]:
    """`entries` keeping the verdict a person gave the same secret in the previous baseline."""
    verdicts = {e.fingerprint: e.is_secret for e in previous if e.is_secret is not None}
    return [
        SecretEntry(e.path, e.line, e.kind, e.fingerprint, verdicts.get(e.fingerprint, e.is_secret))
        for e in entries
    ]


def inventory_secrets(inventory: Inventory) -> list[SecretEntry]:
    return [
        SecretEntry(doc.path, s.line, s.kind, s.fingerprint)
        for doc in inventory.documents
        for s in doc.secrets
    ]


def repository_secrets(root: Path, config: Config) -> list[SecretEntry]:
    """The secrets a scan of `root` reports (the documents `scan_repo` reads, its allow list),
    without parsing the documents."""
    files, _, _ = list_repo_files(root)

    def excluded(path: str) -> bool:  # as the scan excludes: a pattern, or a folder pattern
        return any(
            fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.rstrip("/") + "/*") for p in config.exclude
        )

    texts = {}
    for path in files:
        if is_markdown(path) and not excluded(path) and (root / path).is_file():
            texts[path] = decode((root / path).read_bytes()).text
    found = scan_documents(texts)
    return [
        SecretEntry(path, f.line, f.kind, f.fingerprint)
        for path, items in sorted(found.items())
        for f in without_allowed(items, config.secrets.allow)
    ]


def link_key(code: str, source: str, path: str | None, fragment: str | None, target: str) -> str:
    """Key of a broken link or anchor: by the repository path it means, not by how it is written,
    because apply rewrites the text of a link but keeps what it points at."""
    if path is None:
        detail = target
    elif code == "broken-anchor":
        detail = f"{path}#{fragment or ''}"
    else:
        detail = path
    return f"{code}:{source}:{detail}"


def dump_keys(keys: Iterable[str], secrets: Sequence[SecretEntry] = ()) -> str:
    return dump_baseline(Baseline(tuple(keys), tuple(secrets)))


def _move_key(key: str, moves: dict[str, str]) -> str:
    code, sep, rest = key.partition(":")
    if not sep:
        return key
    path, sep, detail = rest.partition(":")
    if path not in moves:
        return key
    return f"{code}:{moves[path]}{sep}{detail}"


def keys_after_apply(existing: Iterable[str], plan: Plan) -> list[str]:
    """The baseline once `plan` is applied: known findings follow their files, and every link the
    plan found already broken is known (it is history, not damage done by the consolidation)."""
    moves = plan.moves()
    keys = {_move_key(k, moves) for k in existing}
    for broken in plan.broken_links:
        source = moves.get(broken.source, broken.source)
        code = "broken-anchor" if broken.reason == "missing anchor" else "broken-link"
        if broken.resolved is not None:
            fragment = resolve(broken.source, broken.target).fragment
            # The rewriter keeps the link pointing at the same document, wherever that went.
            target = moves.get(broken.resolved, broken.resolved)
            keys.add(link_key(code, source, target, fragment, broken.target))
            continue
        # A link that climbs out of the repository is left as written; from its new place it may
        # now name a (missing) path inside the repository.
        where = resolve(source, broken.target)
        path = None if where.outside_repo else where.path
        keys.add(link_key("broken-link", source, path, None, broken.target))
    return sorted(keys)


def baseline_after_apply(
    root: Path, plan: Plan, existing: bytes | None, secrets: Sequence[SecretEntry] | None = None
) -> bytes:
    """The baseline file `apply` records in its content commit: known findings follow their files,
    links already broken are known, and so is every secret the documents hold (moving documents
    neither adds nor removes one), each under the path its document moves to. Verdicts a person
    gave in the previous baseline are kept. `secrets`: what `repository_secrets` reports for `root`
    before the apply, when the caller has it already (else it is scanned for here)."""
    previous = parse_baseline(existing) or Baseline()
    moves = plan.moves()
    keys = keys_after_apply(previous.keys, plan)
    if secrets is None:
        secrets = repository_secrets(root, load_config(root))
    found = [
        SecretEntry(moves.get(e.path, e.path), e.line, e.kind, e.fingerprint, e.is_secret) for e in secrets
    ]
    return dump_baseline(Baseline(tuple(keys), tuple(with_verdicts(found, previous.secrets)))).encode("utf-8")
