"""Rewrite the links of documents when files move, changing no other byte.

mistune's AST carries no source positions and folds reference definitions into the links that use
them, so this module finds link destinations itself: a small CommonMark block scanner (containers,
code, HTML blocks, front matter) feeds an inline scanner that follows the spec's bracket algorithm.
Every span it reports is then checked against mistune's AST for the same text; only confirmed spans
are rewritten, and every disagreement is reported instead of being dropped.
"""

from __future__ import annotations

import html
import posixpath
import re
import string
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import mistune
from mistune.helpers import BLOCK_TAGS, PRE_TAGS, unescape_char
from mistune.util import escape_url, unikey
from mistune.util import unescape as unescape_entities

from .links import is_external, relative_path, resolve, split_target


@dataclass(frozen=True)
class LinkSpan:
    start: int  # offsets in the text of the destination only (excludes <> brackets and title)
    end: int
    target: str  # destination as written
    kind: str  # "inline" | "image" | "definition" | "autolink" | "html"
    line: int  # 1-based
    angle: bool  # written as <...>


@dataclass(frozen=True)
class Change:
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class Rewritten:
    text: str
    changes: tuple[Change, ...]
    # links the Markdown parser reports that could not be located in the text, and spans that look
    # like links but that the parser disagrees about (left as written when they would have changed)
    unmatched: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    line: int
    old: str
    new: str


# ---------------------------------------------------------------------------------------------
# Block structure

_PUNCT = frozenset(string.punctuation)
_WS = " \t\n\r\f"
_LIST_MARKER = re.compile(r"[-+*]|(\d{1,9})[.)]")
_THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*$")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"`{3,}|~{3,}")
_MARKER_FIRST = frozenset("-+*0123456789")
_CONTAINER_FIRST = _MARKER_FIRST | {">"}
_BLOCK_FIRST = frozenset("`~#=-*_<")  # first characters of fences, headings, rules and HTML
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_YAML_KEY = re.compile(r"[A-Za-z0-9_\"'][^:\n]*:(?:[ \t]|$)", re.M)

_TAG = r"[A-Za-z][A-Za-z0-9-]*"
_ATTR = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
_OPEN_TAG = re.compile(rf"<({_TAG})({_ATTR}*)\s*/?>")
_CLOSE_TAG = re.compile(rf"</{_TAG}\s*>")
_ATTR_VALUE = re.compile(
    r"""\s+([A-Za-z_:][A-Za-z0-9_.:-]*)(?:\s*=\s*(?:([^\s"'=<>`]+)|'([^']*)'|"([^"]*)"))?"""
)
_HTML_SKIP = re.compile(r"<!-->|<!--->|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^>]*>", re.S)
_LINK_ATTRS = frozenset({"href", "src"})
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea"})

_PRE = "|".join(PRE_TAGS)
_HTML_STARTS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, bool], ...] = (
    # (start, end on the same or a later line (None: a blank line), may interrupt a paragraph)
    (re.compile(rf"<(?:{_PRE})(?:[ \t>]|$)", re.I), re.compile(rf"</(?:{_PRE})>", re.I), True),
    (re.compile(r"<!--"), re.compile(r"-->"), True),
    (re.compile(r"<\?"), re.compile(r"\?>"), True),
    (re.compile(r"<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (re.compile(rf"</?(?:{'|'.join(BLOCK_TAGS)})(?:[ \t]|/?>|$)", re.I), None, True),
    (re.compile(rf"(?:<(?!(?:{_PRE})\b){_TAG}{_ATTR}*\s*/?>|</{_TAG}\s*>)[ \t]*$", re.I), None, False),
)


@dataclass
class _Container:
    quote: bool
    indent: int = 0  # content column of a list item
    empty: bool = False  # a list item that began with a blank line and has no content yet


@dataclass
class _Chunk:
    """Text of one paragraph, heading or HTML block, with container prefixes removed."""

    text: str
    starts: list[int]  # where each line piece begins in `text`
    origs: list[int]  # where that piece begins in the document
    begin: int = 0  # inline content starts here (after reference definitions)

    def orig(self, pos: int) -> int:
        k = bisect_right(self.starts, pos) - 1
        return self.origs[k] + pos - self.starts[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        a = self.orig(start)
        return (a, self.orig(end - 1) + 1) if end > start else (a, a)


def _chunk(src: str, pieces: list[tuple[int, int]]) -> _Chunk:
    starts, origs, parts, n = [], [], [], 0
    for a, b in pieces:
        starts.append(n)
        origs.append(a)
        parts.append(src[a:b])
        n += b - a
    return _Chunk("".join(parts), starts, origs)


def _skip_ws(line: str, pos: int, col: int) -> tuple[int, int]:
    if pos >= len(line) or line[pos] not in " \t":
        return pos, col
    while pos < len(line) and line[pos] in " \t":
        col = col + 4 - col % 4 if line[pos] == "\t" else col + 1
        pos += 1
    return pos, col


def _skip_cols(line: str, pos: int, col: int, target: int) -> tuple[int, int]:
    """Consume whitespace up to column `target`; a tab that reaches past it stays half consumed
    (`pos` stays on it while `col` moves on), as CommonMark counts tabs as columns."""
    while col < target and pos < len(line) and line[pos] in " \t":
        stop = col + 4 - col % 4 if line[pos] == "\t" else col + 1
        if stop > target:
            return pos, target
        pos, col = pos + 1, stop
    return pos, col


def _skip_one(line: str, pos: int, col: int) -> tuple[int, int]:
    """Consume one column of the space or tab at `pos` (the optional space after `>` or a marker)."""
    return _skip_cols(line, pos, col, col + 1)


class _Blocks:
    """One pass over the lines: collects inline chunks, HTML chunks and definition chunks."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.containers: list[_Container] = []
        self.leaf: str | None = None  # "para" | "fence" | "icode" | "html"
        self.pieces: list[tuple[int, int]] = []
        self.fence = ("`", 3)
        self.html_end: re.Pattern[str] | None = None
        self.paragraphs: list[_Chunk] = []
        self.headings: list[_Chunk] = []
        self.html: list[_Chunk] = []
        self.opened: list[_Container] = []
        self.marks = [m.start() for m in re.finditer(r"[\[<]", src)]

    def run(self) -> None:
        src = self.src
        start = _front_matter_end(src)
        n = len(src)
        while start < n:
            nl = src.find("\n", start)
            end = n if nl < 0 else nl
            nxt = n if nl < 0 else nl + 1
            line = src[start:end]
            if self.leaf == "fence" and not self.containers and self.fence[0] not in line[:4]:
                pass  # a code line: the one question it could raise is whether it closes the fence
            else:
                self._line(line, start, nxt)
            start = nxt
        self._close_leaf()

    # -- leaves

    def _close_leaf(self) -> None:
        if self.leaf is None:
            return
        if self.leaf == "para":
            # Links need a '[' or a '<': most paragraphs have neither and are not worth a chunk.
            k = bisect_left(self.marks, self.pieces[0][0])
            if k < len(self.marks) and self.marks[k] < self.pieces[-1][1]:
                self.paragraphs.append(_chunk(self.src, self.pieces))
        elif self.leaf == "html":
            self.html.append(_chunk(self.src, self.pieces))
        self.leaf = None
        self.pieces = []

    def _close_containers(self, keep: int) -> None:
        self._close_leaf()
        del self.containers[keep:]

    def _match_containers(self, line: str) -> tuple[int, int, int]:
        """How many open containers the line continues, and where their prefixes end (pos, col)."""
        n = len(line)
        pos = col = matched = 0
        for c in self.containers:
            p, cl = _skip_ws(line, pos, col)
            if c.quote:
                if cl - col > 3 or p >= n or line[p] != ">":
                    break
                pos, col = _skip_one(line, p + 1, cl + 1)
            elif p >= n:
                if c.empty:  # a list item can begin with at most one blank line
                    break
                pos, col = p, cl
            elif cl >= c.indent:
                pos, col = _skip_cols(line, pos, col, c.indent)
                c.empty = False
            else:
                break
            matched += 1
        return matched, pos, col

    def _open_containers(self, line: str, pos: int, col: int, interrupting: bool) -> tuple[int, int]:
        """Open the block quotes and list items that start on this line; returns where they end."""
        n = len(line)
        new: list[_Container] = []
        while True:
            p, cl = _skip_ws(line, pos, col)
            if cl - col >= 4 or p >= n:
                break
            c0 = line[p]
            if c0 == ">":
                new.append(_Container(True))
                pos, col = _skip_one(line, p + 1, cl + 1)
                continue
            if c0 not in _MARKER_FIRST:
                break
            m = _LIST_MARKER.match(line, p)
            if not m or _THEMATIC.match(line, p):
                break
            after = m.end()
            if after < n and line[after] not in " \t":
                break
            blank_item = not line[after:].strip(" \t")
            if interrupting and not new and (blank_item or m.group(1) not in (None, "1")):
                break
            marker_col = cl + after - p
            q, qc = _skip_ws(line, after, marker_col)
            if q >= n:
                indent, pos, col = marker_col + 1, q, qc
            elif qc - marker_col > 4:
                indent = marker_col + 1
                pos, col = _skip_one(line, after, marker_col)
            else:
                indent, pos, col = qc, q, qc
            new.append(_Container(False, indent, blank_item))
        self.opened = new
        return pos, col

    def _line(self, line: str, at: int, nxt: int) -> None:
        n = len(line)
        matched, pos, col = self._match_containers(line) if self.containers else (0, 0, 0)
        all_matched = matched == len(self.containers)

        p, cl = _skip_ws(line, pos, col)
        c0 = line[p] if p < n else ""
        if self.leaf == "fence":
            if all_matched:
                m = _FENCE.match(line, p) if c0 == self.fence[0] else None
                if (
                    m
                    and cl - col <= 3
                    and len(m.group()) >= self.fence[1]
                    and not line[m.end() :].strip(" \t")
                ):
                    self.leaf = None
                return
            self.leaf = None
        elif self.leaf == "html":
            if all_matched:
                if self.html_end is None and p >= n:
                    self._close_leaf()
                    return
                self.pieces.append((at + pos, nxt))
                if self.html_end is not None and self.html_end.search(line, pos):
                    self._close_leaf()
                return
            self._close_leaf()
        elif self.leaf == "icode":
            if all_matched and (p >= n or cl - col >= 4):
                return
            self.leaf = None

        if c0 and (c0 in _CONTAINER_FIRST) and cl - col < 4:
            pos, col = self._open_containers(line, pos, col, self.leaf == "para" and all_matched)
            if self.opened:
                self._close_containers(matched)
                self.containers.extend(self.opened)
                all_matched = True
                p, cl = _skip_ws(line, pos, col)
                c0 = line[p] if p < n else ""

        if p >= n:
            if not all_matched:
                self._close_containers(matched)
            self._close_leaf()
            return
        if not all_matched:
            if self.leaf == "para" and not (
                cl - col < 4 and c0 in _BLOCK_FIRST and self._interrupts(line, p)
            ):
                self.pieces.append((at + p, nxt))
                return
            self._close_containers(matched)
        if cl - col >= 4:
            if self.leaf == "para":
                self.pieces.append((at + p, nxt))
            else:
                self._close_leaf()
                self.leaf = "icode"
            return
        if c0 in _BLOCK_FIRST and self._leaf_block(line, p, at, nxt):
            return
        if self.leaf != "para":
            self._close_leaf()
            self.leaf = "para"
        self.pieces.append((at + p, nxt))

    def _interrupts(self, line: str, p: int) -> bool:
        """Does the rest of the line start a block that ends a lazy paragraph continuation?"""
        if _fence(line, p) or _ATX.match(line, p) or _THEMATIC.match(line, p):
            return True
        return any(can and start.match(line, p) for start, _, can in _HTML_STARTS)

    def _leaf_block(self, line: str, p: int, at: int, nxt: int) -> bool:
        """Start the non-paragraph leaf block the line opens, if any."""
        m = _fence(line, p)
        if m:
            self._close_leaf()
            self.leaf, self.fence = "fence", (m.group()[0], len(m.group()))
            return True
        m = _ATX.match(line, p)
        if m:
            self._close_leaf()
            self.headings.append(_chunk(self.src, [(at + m.end(), nxt)]))
            return True
        if (self.leaf == "para" and _SETEXT.match(line, p)) or _THEMATIC.match(line, p):
            self._close_leaf()
            return True
        for start, end, can_interrupt in _HTML_STARTS:
            m = start.match(line, p)
            if m and (can_interrupt or self.leaf != "para"):
                self._close_leaf()
                self.leaf, self.html_end = "html", end
                self.pieces = [(at + p, nxt)]
                if end is not None and end.search(line, m.end()):
                    self._close_leaf()
                return True
        return False


def _fence(line: str, p: int) -> re.Match[str] | None:
    m = _FENCE.match(line, p)
    if m and m.group()[0] == "`" and "`" in line[m.end() :]:
        return None
    return m


def _front_matter_end(src: str) -> int:
    """Offset after a YAML front matter block at the very top, else 0.

    The block must open with `key:` so that a document starting with a horizontal rule is not
    swallowed up to its next `---`.
    """
    first, _, rest = src.partition("\n")
    if first.rstrip(" \t") != "---" or not _YAML_KEY.match(rest):
        return 0
    m = _FRONT_MATTER_END.search(src, len(first) + 1)
    if not m:
        return 0
    nl = src.find("\n", m.end())
    return len(src) if nl < 0 else nl + 1


# ---------------------------------------------------------------------------------------------
# Destinations, titles, labels (the grammar mistune follows)

_LABEL = re.compile(r"((?:[^\\\[\]]|\\.){0,999})\]", re.S)
_MAX_PARENS = 20  # mistune's DEFAULT_MAX_NESTED_LEVEL


@dataclass(frozen=True)
class _Dest:
    start: int
    end: int
    angle: bool
    after: int  # first offset after the destination (after '>' for angle brackets)


def _skip_to_one_newline(s: str, p: int) -> int:
    while p < len(s) and s[p] in " \t":
        p += 1
    if p < len(s) and s[p] == "\n":
        p += 1
        while p < len(s) and s[p] in " \t":
            p += 1
    return p


def _destination(s: str, p: int, block: bool) -> _Dest | None:
    p = _skip_to_one_newline(s, p)
    n = len(s)
    if p >= n:
        return None
    if s[p] == "<":
        q = p + 1
        while q < n:
            c = s[q]
            if c == ">":
                return _Dest(p + 1, q, True, q + 1)
            if c == "\\" and q + 1 < n and s[q + 1] in _PUNCT:
                q += 2
                continue
            if c in "<\n\x00":
                return None
            q += 1
        return None
    if block and s[p] in _WS:
        return None
    q, level = p, 0
    while q < n:
        c = s[q]
        if c in _WS:
            break
        if ord(c) < 32 or c == "\x7f":
            return None
        if c == "\\" and q + 1 < n and s[q + 1] in _PUNCT:
            q += 2
            continue
        if c == "(":
            level += 1
            if level > _MAX_PARENS:
                return None
        elif c == ")":
            if level == 0:
                break
            level -= 1
        q += 1
    if level:
        return None
    return _Dest(p, q, False, q)


def _title_end(s: str, p: int) -> int | None:
    """End of a title after whitespace at `p`, or None."""
    if p >= len(s) or s[p] not in _WS:
        return None
    while p < len(s) and s[p] in _WS:
        p += 1
    if p >= len(s) or s[p] not in "\"'(":
        return None
    closer = ")" if s[p] == "(" else s[p]
    opener = s[p]
    p += 1
    while p < len(s):
        c = s[p]
        if c == "\x00" or (opener == "(" and c == "("):
            return None
        if c == "\\" and p + 1 < len(s) and s[p + 1] in _PUNCT:
            p += 2
            continue
        if c == closer:
            return p + 1
        p += 1
    return None


def _inline_tail(s: str, p: int) -> _Dest | None:
    """`(destination "title")` starting just after '('; `after` is past the ')'."""
    d = _destination(s, p, block=False)
    if d is None:
        return None
    q = _title_end(s, d.after) or d.after
    while q < len(s) and s[q] in _WS:
        q += 1
    if q >= len(s) or s[q] != ")":
        return None
    return _Dest(d.start, d.end, d.angle, q + 1)


def _line_end(s: str, p: int) -> int | None:
    """Offset after the line ending if only spaces and tabs remain on the line, else None."""
    while p < len(s) and s[p] in " \t":
        p += 1
    if p >= len(s):
        return p
    return p + 1 if s[p] == "\n" else None


def _definition(s: str, p: int) -> tuple[str, _Dest, int] | None:
    """A reference definition at `p`: (label, destination, end)."""
    while p < len(s) and s[p] in " \t":
        p += 1
    if not s.startswith("[", p):
        return None
    m = _LABEL.match(s, p + 1)
    if not m or not s.startswith(":", m.end()):
        return None
    label = m.group(1)
    # A `[^note]:` line is a footnote, which GitHub renders and mistune's footnotes plugin parses.
    if not unikey(label) or (label.startswith("^") and len(label) > 1):
        return None
    d = _destination(s, m.end() + 1, block=True)
    if d is None:
        return None
    t = _title_end(s, d.after)
    if t is not None:
        end = _line_end(s, t)
        if end is not None:
            return label, d, end
    end = _line_end(s, d.after)
    return (label, d, end) if end is not None else None


# ---------------------------------------------------------------------------------------------
# Inline scanning

_SPECIAL = re.compile(r"[\\`<\[\]!]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_EMAIL = re.compile(
    r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*)>"
)
_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    target: str
    kind: str
    angle: bool
    label: str | None = None  # of a definition
    quote: str = ""  # of an HTML attribute value


@dataclass
class _Opener:
    text_start: int
    image: bool
    active: bool = True
    nested: bool = False


def _html_values(s: str) -> list[tuple[int, int, str]]:
    """(start, end, quote) of every href/src value in the tags of an HTML fragment; comments,
    processing instructions, declarations, CDATA and script/style/textarea text are skipped."""
    end = len(s)
    out: list[tuple[int, int, str]] = []
    p = s.find("<")
    while 0 <= p < end:
        m = _HTML_SKIP.match(s, p)
        if m:
            p = s.find("<", m.end(), end)
            continue
        if s.startswith("<!--", p):  # an unclosed comment hides the rest
            break
        m = _OPEN_TAG.match(s, p, end)
        if not m:
            p = s.find("<", p + 1, end)
            continue
        out.extend(_tag_values(m))
        nxt = m.end()
        if m.group(1).lower() in _RAW_TEXT_TAGS:
            close = re.compile(rf"</{m.group(1)}\s*>", re.I).search(s, nxt, end)
            nxt = close.end() if close else end
        p = s.find("<", nxt, end)
    return out


def _tag_values(m: re.Match[str]) -> Iterable[tuple[int, int, str]]:
    attrs_at = m.start(2)
    for a in _ATTR_VALUE.finditer(m.group(2)):
        if a.group(1).lower() not in _LINK_ATTRS:
            continue
        for g, quote in ((2, ""), (3, "'"), (4, '"')):
            if a.group(g) is not None:
                yield attrs_at + a.start(g), attrs_at + a.end(g), quote


class _Inline:
    def __init__(self, chunk: _Chunk, labels: set[str], out: list[tuple[_Chunk, _Found]]) -> None:
        self.c = chunk
        self.s = chunk.text
        self.labels = labels
        self.out = out
        self.openers: list[_Opener] = []
        self._runs: dict[int, list[int]] | None = None

    def add(self, start: int, end: int, kind: str, angle: bool, quote: str = "") -> None:
        self.out.append((self.c, _Found(start, end, self.s[start:end], kind, angle, quote=quote)))

    def run(self) -> None:
        s, n = self.s, len(self.s)
        i = self.c.begin
        while i < n:
            m = _SPECIAL.search(s, i)
            if not m:
                break
            i = m.start()
            c = s[i]
            if c == "\\":
                i += 2 if i + 1 < n and s[i + 1] in _PUNCT else 1
            elif c == "`":
                i = self._code_span(i)
            elif c == "<":
                i = self._angle(i)
            elif c == "!":
                if s.startswith("[", i + 1):
                    self._open(i + 2, True)
                    i += 2
                else:
                    i += 1
            elif c == "[":
                self._open(i + 1, False)
                i += 1
            else:
                i = self._close(i)

    def _open(self, text_start: int, image: bool) -> None:
        if self.openers:
            self.openers[-1].nested = True
        self.openers.append(_Opener(text_start, image))

    def _code_span(self, i: int) -> int:
        """Skip a code span starting at i, or just the backtick run when it has no closer."""
        if self._runs is None:
            self._runs = {}
            for run in _BACKTICKS.finditer(self.s):
                self._runs.setdefault(len(run.group()), []).append(run.start())
        m = _BACKTICKS.match(self.s, i)
        assert m is not None
        size = len(m.group())
        starts = self._runs.get(size, [])
        k = bisect_right(starts, i)
        # A run that starts inside this one (i was reached mid-run after an escape) is not a closer.
        while k < len(starts) and starts[k] < m.end():
            k += 1
        return starts[k] + size if k < len(starts) else m.end()

    def _angle(self, i: int) -> int:
        s = self.s
        auto = _AUTOLINK.match(s, i) or _EMAIL.match(s, i)
        if auto:
            self.add(auto.start(1), auto.end(1), "autolink", True)
            return auto.end()
        m = _HTML_SKIP.match(s, i)
        if m:
            return m.end()
        m = _OPEN_TAG.match(s, i)
        if m:
            for a, b, quote in _tag_values(m):
                self.add(a, b, "html", False, quote)
            return m.end()
        m = _CLOSE_TAG.match(s, i)
        return m.end() if m else i + 1

    def _close(self, i: int) -> int:
        if not self.openers:
            return i + 1
        op = self.openers.pop()
        if not op.active:
            return i + 1
        s = self.s
        if s.startswith("(", i + 1):
            d = _inline_tail(s, i + 2)
            if d is not None:
                self.add(d.start, d.end, "image" if op.image else "inline", d.angle)
                self._deactivate(op)
                return d.after
        if not self.labels:
            return i + 1
        label: str | None = None
        after = i + 1
        if s.startswith("[", i + 1):
            m = _LABEL.match(s, i + 2, i + 2 + 1000)
            if m:
                label, after = m.group(1), m.end()
        if not label:
            if op.nested or i - op.text_start > 999:
                return i + 1
            label = s[op.text_start : i]
        if unikey(label) not in self.labels:
            return i + 1
        self._deactivate(op)
        return after

    def _deactivate(self, op: _Opener) -> None:
        """A link cannot contain a link: earlier link openers go inactive (image openers stay).

        Every opener below an inactive link opener is inactive already, so the walk stops there and
        each opener is visited about once (no quadratic blow-up on bracket-heavy text).
        """
        if op.image:
            return
        for other in reversed(self.openers):
            if other.image:
                continue
            if not other.active:
                break
            other.active = False


# ---------------------------------------------------------------------------------------------
# Finding spans


def _normalise(text: str) -> str:
    # Same length as `text`, so offsets carry over; every line ending becomes "\n".
    return text.replace("\r\n", " \n").replace("\r", "\n")


def _scan(text: str) -> list[tuple[_Chunk, _Found]]:
    src = _normalise(text)
    blocks = _Blocks(src)
    blocks.run()
    found: list[tuple[_Chunk, _Found]] = []
    labels: set[str] = set()
    for chunk in blocks.paragraphs:
        p = 0
        while True:
            d = _definition(chunk.text, p)
            if d is None:
                break
            label, dest, p = d
            labels.add(unikey(label))
            target = chunk.text[dest.start : dest.end]
            found.append((chunk, _Found(dest.start, dest.end, target, "definition", dest.angle, label)))
        chunk.begin = p
    for chunk in [*blocks.paragraphs, *blocks.headings]:
        _Inline(chunk, labels, found).run()
    for chunk in blocks.html:
        for a, b, quote in _html_values(chunk.text):
            found.append((chunk, _Found(a, b, chunk.text[a:b], "html", False, quote=quote)))
    return found


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


def _located(text: str) -> list[tuple[LinkSpan, _Found]]:
    lines = _Lines(text)
    out = []
    for chunk, f in _scan(text):
        start, end = chunk.span(f.start, f.end)
        out.append((LinkSpan(start, end, text[start:end], f.kind, lines.of(start), f.angle), f))
    out.sort(key=lambda pair: pair[0].start)
    return out


def find_link_spans(text: str) -> list[LinkSpan]:
    """Every link destination written in a Markdown text, in order of offset: inline links and
    images, reference definitions, autolinks and href/src values of raw HTML. Code spans and
    blocks, HTML comments and front matter hold none. (Not checked against mistune; see
    `rewrite_document`.)"""
    return [span for span, _ in _located(text)]


# ---------------------------------------------------------------------------------------------
# Checking spans against mistune's AST

_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        # The plugins parse.py uses, so that both see the same links.
        md = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "footnotes"])
        inline = md.inline

        # Only inline links and inline HTML matter here (references are checked through their
        # definitions; footnote references decide which footnotes exist), so other text is skipped.
        def links_only(s: str, env: Any) -> Any:
            return inline(s, env) if "](" in s or "<" in s or "[^" in s else []

        md.inline = links_only  # type: ignore[assignment]
        _PARSER = md
    return _PARSER


@dataclass
class _Expected:
    links: Counter[str] = field(default_factory=Counter)
    definitions: dict[str, str] = field(default_factory=dict)  # label key -> url
    html: Counter[str] = field(default_factory=Counter)


def _walk(tokens: Iterable[dict[str, Any]], into: _Expected) -> None:
    for tok in tokens:
        kind = tok.get("type")
        if kind in ("link", "image") and "ref" not in tok:
            into.links[tok["attrs"]["url"]] += 1
        elif kind in ("inline_html", "block_html"):
            raw = tok.get("raw", "")
            for a, b, _ in _html_values(raw):
                into.html[raw[a:b]] += 1
        children = tok.get("children")
        if isinstance(children, list):
            _walk(children, into)


def _expected(text: str) -> _Expected:
    src = _normalise(text)
    fm = _front_matter_end(src)
    if fm:  # blank the front matter out, keeping the line count
        src = "\n" * src.count("\n", 0, fm) + src[fm:]
    tokens, state = _parser().parse(src)
    into = _Expected()
    _walk(tokens, into)
    for key, ref in state.env.get("ref_links", {}).items():
        into.definitions[key] = ref["url"]
    return into


def _url_key(target: str) -> str:
    return str(escape_url(unescape_char(target)))


def _relative(url: str) -> bool:
    return not is_external(url.strip())


def _check(located: list[tuple[LinkSpan, _Found]], text: str) -> tuple[set[int], list[str]]:
    """Indexes of the spans mistune confirms, and what could not be matched either way."""
    exp = _expected(text)
    confirmed: set[int] = set()
    missing: list[str] = []

    seen = Counter(_url_key(s.target) for s, f in located if f.kind in ("inline", "image"))
    html_seen = Counter(s.target for s, f in located if f.kind == "html")
    first_definition: dict[str, bool] = {}  # label key -> whether its first definition is confirmed
    for i, (s, f) in enumerate(located):
        if f.kind in ("inline", "image"):
            # With more spans than the parser has links for a URL, any of them may be the stray one.
            ok = seen[_url_key(s.target)] <= exp.links[_url_key(s.target)]
        elif f.kind == "definition":
            assert f.label is not None
            key = unikey(f.label)
            if key in first_definition:  # a later duplicate: the parser skips it, as it should
                ok = first_definition[key]
            else:
                ok = first_definition[key] = exp.definitions.get(key) == _url_key(s.target)
        elif f.kind == "html":
            ok = html_seen[s.target] <= exp.html[s.target]
        else:
            ok = True  # autolinks always have a scheme: never rewritten
        if ok or not _relative(s.target):
            confirmed.add(i)
    for url, count in exp.links.items():
        if _relative(url) and count > seen[url]:
            missing.extend([url] * (count - seen[url]))
    defined = {unikey(f.label) for _, f in located if f.kind == "definition" and f.label is not None}
    missing.extend(u for k, u in exp.definitions.items() if k not in defined and _relative(u))
    for value, count in exp.html.items():
        if _relative(value) and count > html_seen[value]:
            missing.extend([value] * (count - html_seen[value]))
    return confirmed, [f"{u} (reported by the Markdown parser, not located in the text)" for u in missing]


# ---------------------------------------------------------------------------------------------
# New targets

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def _decode(written: str, kind: str) -> str:
    """The destination a written path means (escapes and entities undone, percent-encoding kept)."""
    if kind == "html":
        return html.unescape(written)
    return str(unescape_entities(unescape_char(written)))


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


def _encode_segment(seg: str, written: str, kind: str, angle: bool, quote: str) -> str:
    percent = re.search(r"%[0-9A-Fa-f]{2}", written) is not None
    raw_non_ascii = any(ord(c) > 127 for c in written)
    spaces_ok = angle or (" " in written and (kind != "html" or bool(quote)))
    parens_ok = angle or kind == "html" or _balanced(seg)

    def keep(c: str) -> bool:
        if c in _UNRESERVED or c in "/!$&*+,;=:@[]{}^|`":
            return True
        if c in "()":
            return parens_ok
        if c == " ":
            return spaces_ok
        if c == "'":
            return quote != "'"
        return ord(c) > 127 and not (percent and not raw_non_ascii)

    return "".join(c if keep(c) else _percent(c) for c in seg)


def _percent(c: str) -> str:
    return "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogateescape"))


def _write_path(new: str, written_path: str, kind: str, angle: bool, quote: str) -> str:
    """`new` (a decoded relative or /-rooted path) written in the style of `written_path`."""
    originals: dict[str, str] = {}
    for seg in written_path.split("/"):
        originals.setdefault(unquote(_decode(seg, kind)), seg)
    parts = []
    for seg in new.split("/"):
        if seg in ("", ".", ".."):
            parts.append(seg)
        elif seg in originals:
            parts.append(originals[seg])
        else:
            parts.append(_encode_segment(seg, written_path, kind, angle, quote))
    return "/".join(parts)


def _new_target(
    target: str, kind: str, angle: bool, quote: str, old_path: str, new_path: str, moved: Mapping[str, str]
) -> str | None:
    """The target to write instead of `target`, or None to leave it as written."""
    if kind == "autolink" or not target.strip() or is_external(target.strip()):
        return None
    written_path = split_target(target)[0]
    rest = target[len(written_path) :]  # ?query#fragment, kept verbatim
    if not written_path.strip():
        return None
    meant = _decode(written_path, kind).strip()
    before = resolve(old_path, meant)
    if before.external or before.path is None:
        return None
    dest = moved.get(before.path, before.path)
    if resolve(new_path, meant).path == dest:
        return None
    if meant.startswith("/"):
        new = "/" + dest
    else:
        new = relative_path(new_path, dest)
        if meant.startswith("./") and not new.startswith(("./", "../")) and new not in (".", ".."):
            new = "./" + new
    if meant.endswith("/") and not new.endswith("/"):
        new += "/"
    written = _write_path(new, written_path.strip(), kind, angle, quote)
    lead = written_path[: len(written_path) - len(written_path.lstrip())]
    trail = written_path[len(written_path.rstrip()) :]
    result = lead + written + trail + rest
    return result if result != target else None


def _effective_moves(old_path: str, new_path: str, moved: Mapping[str, str]) -> Mapping[str, str]:
    if old_path == new_path or moved.get(old_path) == new_path:
        return moved
    return {**moved, old_path: new_path}


@lru_cache(maxsize=8)
def _names(paths: frozenset[str]) -> tuple[str, ...]:
    """File names of the moved paths, as written and percent-encoded."""
    found: set[str] = set()
    for path in paths:
        name = posixpath.basename(path)
        found.update((name, str(escape_url(name))))
    return tuple(sorted(found))


def _may_change(text: str, old_path: str, new_path: str, moved: Mapping[str, str]) -> bool:
    """Cheap test: can any link in `text` need rewriting? (A moved file's name must appear.)"""
    if old_path != new_path:
        return True
    flat = text.replace("\\", "") if "\\" in text else text  # `GUIDE\_V2.md` names GUIDE_V2.md
    return any(name in flat for name in _names(frozenset(moved)))


_CANDIDATE = re.compile(r"""\]\(\s*<?([^\s)>]*)|\]:\s*<?(\S*)|\b(?:href|src)\s*=\s*["']?([^\s"'>]*)""", re.I)


def _has_relative_candidates(text: str) -> bool:
    """Cheap test: could the text hold a link to a repository path at all?

    Every inline link, definition and HTML link is caught by `_CANDIDATE` (raw, so escapes and
    entities only ever make a destination look relative, which errs on the side of checking).
    """
    for m in _CANDIDATE.finditer(text):
        target = m.group(m.lastindex or 1)
        if target and not target.startswith("#") and not is_external(target):
            return True
    return False


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, new in sorted(edits):
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def rewrite_document(text: str, old_path: str, new_path: str, moved: Mapping[str, str]) -> Rewritten:
    """Rewrite the relative links of a Markdown document that moves from `old_path` to `new_path`
    while the files in `moved` (old repository path -> new) move too.

    Each link keeps pointing at the repository path it pointed at before (moved along if that file
    moves; already broken links keep meaning the same path), written in its own style: `./`, a
    leading `/`, percent-encoding or raw spaces in `<...>`, query and fragment. External links,
    fragment-only links and links that climb out of the repository stay as written. Only
    destinations change; every other byte stays.

    `unmatched` lists, as readable strings, links mistune reports that the span finder could not
    locate ("<url> (reported by the Markdown parser, ...)") and spans that would have changed but
    that mistune does not see as links ("line N: <target> (... left as written)").
    """
    if not _may_change(text, old_path, new_path, moved) or not _has_relative_candidates(text):
        return Rewritten(text, (), ())
    moves = _effective_moves(old_path, new_path, moved)
    located = _located(text)
    confirmed, unmatched = _check(located, text)
    edits: list[tuple[int, int, str]] = []
    changes: list[Change] = []
    for i, (span, f) in enumerate(located):
        new = _new_target(span.target, span.kind, span.angle, f.quote, old_path, new_path, moves)
        if new is None:
            continue
        if i not in confirmed:
            unmatched.append(
                f"line {span.line}: {span.target} (looks like a link, but the Markdown parser disagrees;"
                " left as written)"
            )
            continue
        edits.append((span.start, span.end, new))
        changes.append(Change(span.line, span.target, new))
    return Rewritten(_splice(text, edits), tuple(changes), tuple(unmatched))


# ---------------------------------------------------------------------------------------------
# Mentions of paths in other files (scripts, configs, manifests)

_PATH_CHAR_BEFORE = r"(?<![\w.\-/\\~@])"
_PATH_CHAR_AFTER = r"(?![\w\-/\\]|\.[\w\-])"


def _candidates(source: str, moved: Mapping[str, str], text: str) -> dict[str, str]:
    """Strings that name a moved file from `source` -> what to write instead."""
    found: dict[str, str] = {}
    for old, new in moved.items():
        if posixpath.basename(old) not in text:
            continue
        rel_old = relative_path(source, old)
        if rel_old != old:
            found.setdefault(rel_old, relative_path(source, new))
        found[old] = new  # the repository-relative reading wins when both readings collide
    return found


def _mentions(text: str, source: str, moved: Mapping[str, str]) -> list[tuple[int, int, Mention]]:
    cands = _candidates(source, moved, text)
    if not cands:
        return []
    names = "|".join(re.escape(c) for c in sorted(cands, key=len, reverse=True))
    pattern = re.compile(rf"{_PATH_CHAR_BEFORE}(\./)?({names}){_PATH_CHAR_AFTER}")
    lines = _Lines(text)
    out = []
    for m in pattern.finditer(text):
        new = cands[m.group(2)]
        if m.group(1) and not new.startswith("../"):
            new = "./" + new
        out.append((m.start(), m.end(), Mention(lines.of(m.start()), m.group(), new)))
    return out


def find_path_mentions(text: str, source: str, moved: Mapping[str, str]) -> list[Mention]:
    """Exact mentions of moved repository paths in a non-Markdown file at `source` (scripts, configs,
    manifests): written relative to the repository root or to the file's folder, optionally with a
    `./` prefix. A longer name that merely ends with a moved file's name is not a mention."""
    return [m for _, _, m in _mentions(text, source, moved)]


def rewrite_mentions(text: str, source: str, moved: Mapping[str, str]) -> Rewritten:
    found = [(a, b, m) for a, b, m in _mentions(text, source, moved) if m.new != m.old]
    edits = [(a, b, m.new) for a, b, m in found]
    changes = tuple(Change(m.line, m.old, m.new) for _, _, m in found)
    return Rewritten(_splice(text, edits), changes, ())
