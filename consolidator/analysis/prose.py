"""The prose of a document as the similarity stage reads it, and the key of its exact text.

Functions of one document's parse alone, kept apart from `vectors` (which imports scikit-learn and
SciPy) so that the scan's worker processes can run them beside the parse (see `prepare`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..core.models import Document
from ..markdown.parse import Parsed

_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_BADGE = re.compile(
    r"!?\[[^\]]*\]\([^)]*(?:shields\.io|badge|badgen|travis-ci|circleci|codecov)[^)]*\)", re.I
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TOC_HEADING = re.compile(r"^\W*(table of contents|contents|toc|index|navigation|quick links)\W*$", re.I)
_WS = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")


_SYMBOLS = re.compile(
    "[\u00a9\u00ae\u2000-\u206f\u2100-\u2bff\u2e00-\u2e7f\u3030\u303d\u3297\u3299"
    "\ufe00-\ufe0f\U0001f000-\U0001faff\U000e0000-\U000e007f]+"
)


def strip_symbols(text: str) -> str:
    """Drop emoji, pictographs, arrows, box drawing and the like (they decorate, they don't say anything)."""
    if text.isascii():
        return text
    return _SYMBOLS.sub(" ", text)


def _clean_line(line: str) -> str:
    """Badges out, link text kept without its target, bare URLs and symbols out (works on any text)."""
    if "](" in line:
        line = _BADGE.sub(" ", line)
        line = _MD_LINK.sub(r"\1", line)
    if "://" in line or "www." in line:
        line = _URL.sub(" ", line)
    return strip_symbols(line)


def document_text(doc: Document | Parsed) -> str:
    """The prose that identifies a document, without tables of contents or decoration."""
    if doc.sections:
        parts = [
            f"{s.heading}\n{s.text}" for s in doc.sections if not _TOC_HEADING.match(strip_symbols(s.heading))
        ]
        raw = "\n".join(parts)
    else:
        raw = doc.text
    if "--" in raw:
        # a table rule holds "--": the other lines need no match (most of a table-heavy text)
        raw = "\n".join(ln for ln in raw.splitlines() if "--" not in ln or not _TABLE_RULE.match(ln))
    return "\n".join(ln for ln in _clean_line(raw).splitlines() if ln.strip())


def exact_key(doc: Document | Parsed) -> str:
    """Same text after normalising whitespace (and case): the key that always finds exact duplicates."""
    # `str.split` breaks at exactly the characters `\s` matches (checked for every code point by
    # tests/test_scan.py), several times faster than `_WS.sub(" ", text).strip()` on a long text.
    body = " ".join((doc.text or "").split()).lower()
    return hashlib.sha1(body.encode("utf-8")).hexdigest() if body else ""


@dataclass(frozen=True)
class Prepared:
    """What the similarity stage reads of one document, computed where it was parsed."""

    prose: str  # document_text
    exact: str  # exact_key


def prepare(parsed: Parsed) -> Prepared:
    """`document_text` and `exact_key` of a parse: the same as of the Document made from it."""
    return Prepared(document_text(parsed), exact_key(parsed))
