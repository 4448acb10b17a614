"""Bytes to text and back without losing a byte.

Documents are decoded once for reading (`text`, safe to print and serialise) and, where a stage edits
them, re-encoded from the exact form so that byte-order marks, line endings and even invalid UTF-8
survive untouched.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    exact: str  # decodes back to the same bytes through `encode` (may hold surrogate escapes)
    encoding: str  # "utf-8", "utf-16-le" or "utf-16-be"
    bom: bytes
    invalid_bytes: int  # bytes that were not valid in `encoding`

    @property
    def text(self) -> str:
        """The readable text: invalid bytes shown as U+FFFD, safe to print and to write as JSON."""
        if not self.invalid_bytes:
            return self.exact
        return self.exact.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def looks_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB means binary, unless the file declares UTF-16."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def decode(data: bytes) -> Decoded:
    bom, encoding = next(((b, e) for b, e in _BOMS if data.startswith(b)), (b"", "utf-8"))
    body = data[len(bom) :]
    if encoding == "utf-8":
        try:
            # The common case, valid UTF-8, decodes in C with nothing to count.
            return Decoded(body.decode("utf-8"), encoding, bom, 0)
        except UnicodeDecodeError:
            exact = body.decode("utf-8", "surrogateescape")
        invalid = sum(1 for ch in exact if "\udc80" <= ch <= "\udcff")
        return Decoded(exact, encoding, bom, invalid)
    try:
        return Decoded(body.decode(encoding), encoding, bom, 0)
    except UnicodeDecodeError:
        # Broken UTF-16 cannot be round-tripped; keep a readable copy and let writers refuse it.
        text = body.decode(encoding, "replace")
        return Decoded(text, encoding, bom, max(1, text.count("\ufffd")))


def encode(decoded: Decoded, text: str | None = None) -> bytes:
    """Bytes for `text` (default: the original) in the document's own encoding and BOM."""
    body = decoded.exact if text is None else text
    if decoded.encoding == "utf-8":
        return decoded.bom + body.encode("utf-8", "surrogateescape")
    return decoded.bom + body.encode(decoded.encoding)


def line_starts(text: str) -> list[int]:
    """Offsets where each line of `text` begins: line N (1-based) starts at `line_starts(text)[N - 1]`."""
    return [0, *(m.end() for m in re.finditer("\n", text))]


def round_trips(decoded: Decoded) -> bool:
    """False when the file cannot be rewritten byte-exactly (broken UTF-16)."""
    return decoded.encoding == "utf-8" or decoded.invalid_bytes == 0
