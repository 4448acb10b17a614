"""Where each link destination is written in a Markdown text, down to the offset.

The rewriter must change destinations and not one other byte, so it needs their exact offsets, which
mistune's AST does not give. This module finds them itself over the blocks `mdblocks` reports,
following the grammar mistune follows (destinations, titles, labels, the spec's bracket algorithm,
href/src values of raw HTML) so that both agree on what is a link; `rewrite` then checks every span
against mistune's AST before trusting it.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from mistune.util import unikey

from .blocks import ATTR, TAG, Blocks, Chunk


@dataclass(frozen=True, slots=True)
class LinkSpan:
    start: int  # offsets in the text of the destination only (excludes <> brackets and title)
    end: int
    target: str  # destination as written
    kind: str  # "inline" | "image" | "definition" | "autolink" | "html"
    line: int  # 1-based
    angle: bool  # written as <...>


# ---------------------------------------------------------------------------------------------
# Destinations, titles, labels (the grammar mistune follows)

_PUNCT = frozenset(string.punctuation)
_WS = " \t\n\r\f"
_LABEL = re.compile(r"((?:[^\\\[\]]|\\.){0,999})\]", re.S)
_MAX_PARENS = 20  # mistune's DEFAULT_MAX_NESTED_LEVEL


@dataclass(frozen=True, slots=True)
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


# Runs of characters that need no decision, skipped at once (a destination is read in long strides).
_ANGLE_PLAIN = re.compile(r"[^>\\<\n\x00]*")
_BARE_PLAIN = re.compile(r"[^ \t\n\r\f\\()\x00-\x1f\x7f]*")


def _destination(s: str, p: int, block: bool) -> _Dest | None:
    p = _skip_to_one_newline(s, p)
    n = len(s)
    if p >= n:
        return None
    if s[p] == "<":
        q = p + 1
        while True:
            q = _ANGLE_PLAIN.match(s, q).end()  # type: ignore[union-attr]
            if q >= n:
                return None
            c = s[q]
            if c == ">":
                return _Dest(p + 1, q, True, q + 1)
            if c == "\\":
                q += 2 if q + 1 < n and s[q + 1] in _PUNCT else 1
                continue
            return None  # '<', a line ending or NUL
    if block and s[p] in _WS:
        return None
    q, level = p, 0
    while True:
        q = _BARE_PLAIN.match(s, q).end()  # type: ignore[union-attr]
        if q >= n:
            break
        c = s[q]
        if c in _WS:
            break
        if c == "\\":
            q += 2 if q + 1 < n and s[q + 1] in _PUNCT else 1
            continue
        if c == "(":
            level += 1
            if level > _MAX_PARENS:
                return None
        elif c == ")":
            if level == 0:
                break
            level -= 1
        else:  # another control character
            return None
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

_OPEN_TAG = re.compile(rf"<({TAG})({ATTR}*)\s*/?>")
_CLOSE_TAG = re.compile(rf"</{TAG}\s*>")
_ATTR_VALUE = re.compile(
    r"""\s+([A-Za-z_:][A-Za-z0-9_.:-]*)(?:\s*=\s*(?:([^\s"'=<>`]+)|'([^']*)'|"([^"]*)"))?"""
)
_HTML_SKIP = re.compile(r"<!-->|<!--->|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^>]*>", re.S)
_LINK_ATTRS = frozenset({"href", "src"})
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea"})

_SPECIAL = re.compile(r"[\\`<\[\]!]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_EMAIL = re.compile(
    r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*)>"
)
_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True, slots=True)
class Found:
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


def html_values(s: str) -> list[tuple[int, int, str]]:
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
    def __init__(self, chunk: Chunk, labels: set[str], out: list[tuple[Chunk, Found]]) -> None:
        self.c = chunk
        self.s = chunk.text
        self.labels = labels
        self.out = out
        self.openers: list[_Opener] = []
        self._runs: dict[int, list[int]] | None = None

    def add(self, start: int, end: int, kind: str, angle: bool, quote: str = "") -> None:
        self.out.append((self.c, Found(start, end, self.s[start:end], kind, angle, quote=quote)))

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


def normalise(text: str) -> str:
    # Same length as `text`, so offsets carry over; every line ending becomes "\n".
    return text.replace("\r\n", " \n").replace("\r", "\n")


def _scan(text: str) -> list[tuple[Chunk, Found]]:
    src = normalise(text)
    blocks = Blocks(src)
    blocks.run()
    found: list[tuple[Chunk, Found]] = []
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
            found.append((chunk, Found(dest.start, dest.end, target, "definition", dest.angle, label)))
        chunk.begin = p
    for chunk in [*blocks.paragraphs, *blocks.headings]:
        _Inline(chunk, labels, found).run()
    for chunk in blocks.html:
        for a, b, quote in html_values(chunk.text):
            found.append((chunk, Found(a, b, chunk.text[a:b], "html", False, quote=quote)))
    return found


class Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


def locate(text: str) -> list[tuple[LinkSpan, Found]]:
    placed = []
    for chunk, f in _scan(text):
        if len(chunk.origs) == 1:  # one piece (most paragraphs): offsets shift by one amount
            at = chunk.origs[0] - chunk.starts[0]
            placed.append((at + f.start, at + f.end, f))
        else:
            placed.append((*chunk.span(f.start, f.end), f))
    placed.sort(key=itemgetter(0))
    starts = Lines(text).starts
    return [
        (LinkSpan(start, end, text[start:end], f.kind, bisect_right(starts, start), f.angle), f)
        for start, end, f in placed
    ]


def find_link_spans(text: str) -> list[LinkSpan]:
    """Every link destination written in a Markdown text, in order of offset: inline links and
    images, reference definitions, autolinks and href/src values of raw HTML. Code spans and
    blocks, HTML comments and front matter hold none. (Not checked against mistune; see
    `rewrite_document`.)"""
    return [span for span, _ in locate(text)]
