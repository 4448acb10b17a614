"""`check` after small edits: re-read only the documents that changed since the last full check.

A full check (scan, planner, every finding) leaves a state file beside the result cache: for every
document, its blob id and a summary of what the findings depend on (its outline and links, its first
lines, a digest of each line, the secrets its own text holds), its link findings by link, and the
verdict the planner would give it were it no longer settled by the applied plan (a document an
applied plan placed is judged afresh once it changes; that judgement is made during the full check,
from the same evidence, and kept).

The next check lists, reads and hashes the files as before. When the file list, the settings, the site
navigation and the applied plan are those of the full check and only a few documents changed, each
changed document is parsed (only those) and compared with its summary. The findings are updated
without the planner (and without importing scikit-learn) when every change is small:

* the title, headings, anchors, links, stated dates and front matter are the same, so no link into or
  out of the document changes its status and no other page's finding moves;
* the secrets its own text holds are the same (so are the values looked for in every other document);
* the first lines, which the classification rules read closely, are the same, a few lines at most
  changed, and no classification rule matches in an added line;
* its fresh verdict was no finding (neither a duplicate nor a record outside the archive).

Then the changed document's link findings keep their codes and move to their new lines, its secrets
are found again, and its analysis findings are its fresh verdict; every other finding is the full
check's. Anything else (a new or removed file, a changed heading, a larger rewrite) runs the full
check, which writes a new state. Changes are always compared with the last full check, so edits never
drift further from it than one small edit per document.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..analysis import scan
from ..core.config import Config
from ..core.models import Document, Secret
from ..security.secrets import SecretFinding, combine, find_known, known_values, scan_text, without_allowed

# More changed documents than this, and the full check runs: the reuse is for the edit of a commit.
MAX_CHANGED = 8
# The first non-blank lines: where the classification rules look for report fields and openings.
TOP_LINES = 12
# A small edit changes at most this many lines, or this share of the document's lines.
MAX_LINES = 3
MAX_SHARE = 0.1
STATE_FORMAT = 1
# Finding codes about one document's own text, recomputed for a changed document.
OWN_CODES = ("broken-link", "broken-anchor", "secret", "root-file", "duplicate", "history-outside-archive")


@dataclass(frozen=True)
class DocState:
    blob: str
    shape: str  # digest of the title, outline, anchors, links, dates and front matter
    top: str  # digest of the first non-blank lines
    lines: tuple[int, ...]  # a checksum per non-blank line, in order
    own_secrets: tuple[str, ...]  # fingerprints of the secrets the detectors find in its own text
    links: tuple[tuple[int, str, str, str], ...]  # (link index, code, message, key) of its link findings
    root: dict[str, Any] | None  # its root-file finding as its fresh verdict words it
    flagged: bool  # its fresh verdict is a duplicate or a record outside the archive


@dataclass(frozen=True)
class State:
    static: str  # fingerprint of everything but the documents' contents
    docs: Mapping[str, DocState]
    findings: tuple[dict[str, Any], ...]  # the full check's findings, as `Finding` fields


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:24]


def _nonblank(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def shape_of(doc: Document) -> str:
    facts = [
        (f.source, f.label, f.date)
        for f in doc.dates.facts
        if f.source not in ("first_commit", "last_commit")
    ]
    return _digest(
        [
            doc.title,
            doc.title_source,
            [(h.level, h.text) for h in doc.headings],
            sorted(doc.anchors()),
            [(link.target, link.kind, link.is_image) for link in doc.links],
            facts,
            [list(item) for item in doc.front_matter],
            doc.code_blocks,
        ]
    )


def summary(
    doc: Document,
    own: Iterable[str],
    links: Sequence[tuple[int, str, str, str]],
    root: dict[str, Any] | None,
    flagged: bool,
) -> DocState:
    lines = _nonblank(doc.text)
    return DocState(
        blob=doc.blob,
        shape=shape_of(doc),
        top=_digest(lines[:TOP_LINES]),
        lines=tuple(zlib.crc32(ln.encode()) for ln in lines),
        own_secrets=tuple(sorted(set(own))),
        links=tuple(links),
        root=root,
        flagged=flagged,
    )


# ---------------------------------------------------------------- the state file


def state_file(cache_dir: Path) -> Path:
    return cache_dir / "check-state.json"


def save(cache_dir: Path, state: State) -> None:
    path = state_file(cache_dir)
    body = {
        "format": STATE_FORMAT,
        "static": state.static,
        "docs": {p: asdict(d) for p, d in sorted(state.docs.items())},
        "findings": list(state.findings),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".check-state.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        return


def load(cache_dir: Path, static: str) -> State | None:
    """The state of the last full check, when it was made with the same `static` fingerprint."""
    try:
        body = json.loads(state_file(cache_dir).read_text(encoding="utf-8"))
        if body.get("format") != STATE_FORMAT or body.get("static") != static:
            return None
        docs = {
            p: DocState(
                blob=d["blob"],
                shape=d["shape"],
                top=d["top"],
                lines=tuple(d["lines"]),
                own_secrets=tuple(d["own_secrets"]),
                links=tuple((int(i), c, m, k) for i, c, m, k in d["links"]),
                root=d["root"],
                flagged=bool(d["flagged"]),
            )
            for p, d in body["docs"].items()
        }
        return State(static, docs, tuple(body["findings"]))
    except Exception:  # a damaged state means a full check, never a wrong answer
        return None


# ---------------------------------------------------------------- the update


def _small_edit(old: DocState, new: DocState, added: list[str]) -> bool:
    from ..decide.rules import RULES  # the rules table alone: no planner, no scikit-learn

    if (new.shape, new.top, new.own_secrets) != (old.shape, old.top, old.own_secrets) or old.flagged:
        return False
    before, after = set(old.lines), set(new.lines)
    changed = len(before ^ after) + abs(len(old.lines) - len(new.lines))
    if changed > max(MAX_LINES, int(MAX_SHARE * max(len(old.lines), len(new.lines)))):
        return False
    text_rules = [r for r in RULES if r.where == "text"]
    return not any(r.pattern.search(line) for r in text_rules for line in added)


def update(
    state: State,
    data: Mapping[str, bytes],
    blobs: Mapping[str, str],
    config: Config,
) -> tuple[list[dict[str, Any]], int] | None:
    """The findings (as `Finding` fields, unsorted) after the changes since the full check of `state`,
    with how many documents were parsed; None when the full check must run."""
    if set(blobs) != set(state.docs) or config.secrets.allow:
        # an allow list can hide a value the other documents are searched for: judged in full
        return None
    changed = sorted(p for p, b in blobs.items() if state.docs[p].blob != b)
    if not changed or len(changed) > MAX_CHANGED:
        return None
    documents: dict[str, Document] = {}
    own: dict[str, tuple[SecretFinding, ...]] = {}
    for path in changed:
        raw = data[path]
        if len(raw) > scan.MAX_PARSE_BYTES:
            return None
        parsed, invalid, found = scan.parse_blob(raw)
        if invalid:
            return None
        doc = scan.make_document(path, raw, blobs[path], parsed)
        old = state.docs[path]
        new = summary(doc, (f.fingerprint for f in found), (), None, False)
        previous = set(old.lines)
        added = [ln for ln in _nonblank(doc.text) if zlib.crc32(ln.encode()) not in previous]
        if not _small_edit(old, new, added):
            return None
        documents[path] = doc
        own[path] = tuple(replace(f, path=path) for f in found)
    findings = [f for f in state.findings if f["path"] not in documents or f["code"] not in OWN_CODES]
    secrets = _secrets(state, data, documents, own, config)
    for path, doc in sorted(documents.items()):
        old = state.docs[path]
        for index, code, message, key in old.links:
            line = doc.links[index].line
            findings.append({"code": code, "path": path, "line": line, "message": message, "key": key})
        if old.root is not None:
            findings.append(dict(old.root))
        findings.extend(secrets[path])
    return findings, len(documents)


def _secrets(
    state: State,
    data: Mapping[str, bytes],
    documents: Mapping[str, Document],
    own: Mapping[str, tuple[SecretFinding, ...]],
    config: Config,
) -> dict[str, list[dict[str, Any]]]:
    """The changed documents' secret findings, found as the scan finds them: what the detectors see in
    the text, plus any value found in any document (the values are the full check's: the secrets each
    document's own text holds did not change)."""
    from ..core.textio import decode
    from .check import secret_finding

    raw_texts = {p: decode(data[p]).text for p in documents}
    holders = [p for p, d in state.docs.items() if d.own_secrets]
    found: dict[str, tuple[SecretFinding, ...]] = {}
    for path in holders:
        text = raw_texts.get(path) or decode(data[path]).text
        raw_texts[path] = text
        found[path] = own[path] if path in own else scan_text(path, text)
    values = known_values(raw_texts, found)
    out: dict[str, list[dict[str, Any]]] = {}
    for path in documents:
        items = own[path]
        if values:
            items = combine(items, find_known(path, raw_texts[path], values))
        kept = without_allowed(items, config.secrets.allow)
        out[path] = [
            asdict(secret_finding(path, Secret(f.line, f.end_line, f.kind, f.masked, f.fingerprint)))
            for f in kept
        ]
    return out
