"""Secret detection in document text, with masked reports and redaction.

detect-secrets supplies the detectors (JWTs, cloud and service tokens, keyword assignments,
high-entropy quoted strings) and its heuristic filters; this module adds what documentation
shows and that scanner misses: passwords inside connection strings of any scheme (its own
detector wants a user name and reports no position), env-style `NAME_KEY=value` lines whose
names its keyword list does not know, `Authorization: Bearer/Basic` headers, and private key
blocks redacted as a whole rather than by their first line. Plugins are called directly
(never through detect-secrets' global settings), so nothing is ever verified over the network.
Placeholders that docs are full of
(`your-api-key`, `<token>`, `sk-...`, `${VAR}`) and digests (integrity hashes, commit ids)
are not findings.

A finding never carries the secret: only a masked fragment and a fingerprint that an
allow-list entry can name.

The detectors are in `detectors.py` and the filters they ask in `filters.py`; this module merges
their hits into findings, allow-lists, redacts, and finds a value found once wherever it recurs.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.literals import folded
from ..core.textio import line_starts
from .detectors import (
    AUTH_HEADER,
    HIGH_ENTROPY,
    KEYWORD,
    PRIVATE_KEY,
    URL_PASSWORD,
    _auth_headers,
    _env_lines,
    _Hit,
    _plugin_hits,
    _private_key_blocks,
    _table_rows,
    _url_passwords,
    credential_lines,
)


@dataclass(frozen=True)
class SecretFinding:
    """One detected secret. `start`/`end` are offsets of the secret value in the scanned text."""

    path: str
    line: int
    kind: str
    masked: str
    fingerprint: str
    start: int
    end: int
    end_line: int = 0  # last line the secret spans (a key block spans several)


# Which detector wins when two findings overlap: the most specific one names the kind.
_PRIORITY = {PRIVATE_KEY: 0, URL_PASSWORD: 2, AUTH_HEADER: 2, KEYWORD: 3, HIGH_ENTROPY: 4}


def _priority(kind: str) -> int:
    return _PRIORITY.get(kind, 1)


def _merge(hits: Sequence[_Hit]) -> list[_Hit]:
    """Overlapping hits become one span, named by the most specific detector."""
    merged: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            kind = min((last.kind, hit.kind), key=_priority)
            merged[-1] = _Hit(last.start, max(last.end, hit.end), kind)
        else:
            merged.append(hit)
    return merged


def mask(value: str) -> str:
    """A fragment that identifies a secret to its owner but can't rebuild it: at most 4 + 2 chars."""
    n = len(value)
    head = min(4, n // 6) if n >= 8 else 0
    tail = min(2, n // 12)
    shown_head = value[:head] if "\n" not in value[:head] else ""
    shown_tail = value[n - tail :] if tail and "\n" not in value[n - tail :] else ""
    return f"{shown_head}…({n} chars)…{shown_tail}"


def fingerprint(kind: str, value: str) -> str:
    """sha256 of `kind:value`, first 16 hex digits: names a secret without holding it."""
    normalized = value.replace("\r\n", "\n")
    return hashlib.sha256(f"{kind}:{normalized}".encode()).hexdigest()[:16]


def _allowed(finding: SecretFinding, allow: Sequence[str]) -> bool:
    last_line = max(finding.end_line, finding.line)
    for entry in allow:
        entry = entry.strip()
        if entry == finding.fingerprint:
            return True
        where, sep, number = entry.rpartition(":")
        if (
            sep
            and number.isdigit()
            and _same_path(where, finding.path)
            and (finding.line <= int(number) <= last_line)
        ):
            return True
    return False


def _same_path(a: str, b: str) -> bool:
    def norm(p: str) -> str:
        p = p.replace("\\", "/")
        return p[2:] if p.startswith("./") else p

    return norm(a) == norm(b)


def scan_text(path: str, text: str, prefilter: bool = True) -> tuple[SecretFinding, ...]:
    """Every finding in `text`, before allow-listing."""
    # What the detectors' prefilters read, found once: the text case-folded, the lines that name
    # a credential.
    low = folded(text)
    credential = credential_lines(text, low)
    hits = [
        *_private_key_blocks(text),
        *_url_passwords(text),
        *_env_lines(text, credential),
        *_table_rows(text, credential),
        *_auth_headers(text, low),
        *_plugin_hits(path, text, low, prefilter),
    ]
    if not hits:
        return ()
    starts = line_starts(text)
    findings = []
    for hit in _merge(hits):
        value = text[hit.start : hit.end]
        findings.append(
            SecretFinding(
                path=path,
                line=bisect.bisect_right(starts, hit.start),
                kind=hit.kind,
                masked=mask(value),
                fingerprint=fingerprint(hit.kind, value),
                start=hit.start,
                end=hit.end,
                end_line=bisect.bisect_right(starts, max(hit.start, hit.end - 1)),
            )
        )
    return tuple(findings)


def find_secrets(path: str, text: str, allow: Sequence[str] = ()) -> tuple[SecretFinding, ...]:
    """Secrets in one document, in text order. `allow` holds fingerprints or "path:line" entries."""
    return without_allowed(scan_text(path, text), allow)


def without_allowed(findings: Sequence[SecretFinding], allow: Sequence[str]) -> tuple[SecretFinding, ...]:
    """`findings` less those an allow entry (fingerprint, or path:line within the secret) covers."""
    if not allow:
        return tuple(findings)
    return tuple(f for f in findings if not _allowed(f, allow))


def redact(text: str, findings: Sequence[SecretFinding], replacement: str = "[REDACTED]") -> str:
    """`text` with every finding's span replaced (overlapping spans once); other text is untouched."""
    merged: list[list[int]] = []
    for start, end in sorted((f.start, f.end) for f in findings):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- the same secret elsewhere --------------------------------------------------------------

# Shorter values are too likely to occur by chance in unrelated text.
MIN_KNOWN_LENGTH = 12


def known_values(texts: Mapping[str, str], findings: Mapping[str, Sequence[SecretFinding]]) -> dict[str, str]:
    """value -> kind for every secret found: a value found once is a secret wherever it appears."""
    values: dict[str, str] = {}
    for path, found in findings.items():
        text = texts.get(path)
        if text is None:
            continue
        for f in found:
            value = text[f.start : f.end]
            if len(value) >= MIN_KNOWN_LENGTH and "\n" not in value:
                values.setdefault(value, f.kind)
    return values


def find_known(path: str, text: str, values: Mapping[str, str]) -> tuple[SecretFinding, ...]:
    """Occurrences in `text` of secret values found elsewhere (a token pasted into a table, a
    status board, a prose line the detectors cannot read as an assignment)."""
    if not values:
        return ()
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    starts: list[int] = []  # found only for a text that holds a value: most hold none
    found = []
    for match in pattern.finditer(text):
        starts = starts or line_starts(text)
        kind = values[match.group()]
        line = bisect.bisect_right(starts, match.start())
        found.append(
            SecretFinding(
                path=path,
                line=line,
                kind=kind,
                masked=mask(match.group()),
                fingerprint=fingerprint(kind, match.group()),
                start=match.start(),
                end=match.end(),
                end_line=line,
            )
        )
    return tuple(found)


def combine(first: Sequence[SecretFinding], more: Sequence[SecretFinding]) -> tuple[SecretFinding, ...]:
    """`first` plus the findings of `more` that do not overlap any of them, in text order."""
    taken = [(f.start, f.end) for f in first]
    extra = [f for f in more if not any(f.start < end and start < f.end for start, end in taken)]
    return tuple(sorted([*first, *extra], key=lambda f: (f.start, f.end)))


def scan_documents(texts: Mapping[str, str]) -> dict[str, tuple[SecretFinding, ...]]:
    """Every document's findings as a repository scan reports them: what the detectors find in
    it, plus every occurrence of a value they found anywhere (before allow-listing)."""
    found = {path: scan_text(path, text) for path, text in texts.items()}
    values = known_values({p: texts[p] for p, f in found.items() if f}, found)
    if values:
        found = {path: combine(found[path], find_known(path, texts[path], values)) for path in texts}
    return found
