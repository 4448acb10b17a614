"""The block structure of a Markdown text, as CommonMark defines it: which lines are paragraphs,
headings and HTML blocks, with block quote and list item prefixes removed.

Links live only in that text: code blocks and front matter hold none, and a reference definition
counts only at the start of a paragraph. mistune's AST carries no source positions, so the link
finder (`mdspans`) cannot ask it where a block starts and scans the blocks here instead, keeping
every piece of text mapped back to its offset in the document.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from mistune.helpers import BLOCK_TAGS, PRE_TAGS

# ---------------------------------------------------------------------------------------------
# Block structure

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

TAG = r"[A-Za-z][A-Za-z0-9-]*"
ATTR = r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""

_PRE = "|".join(PRE_TAGS)
_HTML_STARTS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, bool], ...] = (
    # (start, end on the same or a later line (None: a blank line), may interrupt a paragraph)
    (re.compile(rf"<(?:{_PRE})(?:[ \t>]|$)", re.I), re.compile(rf"</(?:{_PRE})>", re.I), True),
    (re.compile(r"<!--"), re.compile(r"-->"), True),
    (re.compile(r"<\?"), re.compile(r"\?>"), True),
    (re.compile(r"<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (re.compile(rf"</?(?:{'|'.join(BLOCK_TAGS)})(?:[ \t]|/?>|$)", re.I), None, True),
    (re.compile(rf"(?:<(?!(?:{_PRE})\b){TAG}{ATTR}*\s*/?>|</{TAG}\s*>)[ \t]*$", re.I), None, False),
)


@dataclass
class _Container:
    quote: bool
    indent: int = 0  # content column of a list item
    empty: bool = False  # a list item that began with a blank line and has no content yet


@dataclass
class Chunk:
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


def _chunk(src: str, pieces: list[tuple[int, int]]) -> Chunk:
    starts: list[int] = []
    origs: list[int] = []
    parts: list[str] = []
    n = 0
    for a, b in pieces:
        if origs and origs[-1] + n - starts[-1] == a:
            # Continues the piece before it (no prefix removed between them): one piece maps both,
            # so a paragraph outside any container maps back with one addition.
            parts.append(src[a:b])
            n += b - a
            continue
        starts.append(n)
        origs.append(a)
        parts.append(src[a:b])
        n += b - a
    return Chunk("".join(parts), starts, origs)


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


class Blocks:
    """One pass over the lines: collects inline chunks, HTML chunks and definition chunks."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.containers: list[_Container] = []
        # indexes (ascending) of the containers a blank line does not continue: block quotes, and
        # list items that began with a blank line and have no content yet
        self.blockers: list[int] = []
        self.leaf: str | None = None  # "para" | "fence" | "icode" | "html"
        self.pieces: list[tuple[int, int]] = []
        self.fence = ("`", 3)
        self.html_end: re.Pattern[str] | None = None
        self.paragraphs: list[Chunk] = []
        self.headings: list[Chunk] = []
        self.html: list[Chunk] = []
        self.opened: list[_Container] = []

    def run(self) -> None:
        src = self.src
        start = front_matter_end(src)
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
            # (paragraphs do not overlap: looking through each one's text is linear in all)
            a, b = self.pieces[0][0], self.pieces[-1][1]
            if self.src.find("[", a, b) >= 0 or self.src.find("<", a, b) >= 0:
                self.paragraphs.append(_chunk(self.src, self.pieces))
        elif self.leaf == "html":
            self.html.append(_chunk(self.src, self.pieces))
        self.leaf = None
        self.pieces = []

    def _close_containers(self, keep: int) -> None:
        self._close_leaf()
        self._truncate(keep)

    def _match_containers(self, line: str) -> tuple[int, int, int]:
        """How many open containers the line continues, and where their prefixes end (pos, col).

        Linear in the line's length whatever the nesting: the end of each run of whitespace is found
        once (not once per container), and once only whitespace remains, which every list item
        continues, the answer comes from `blockers` without visiting the containers one by one.
        """
        n = len(line)
        containers = self.containers
        pos = col = 0
        p, cl = _skip_ws(line, 0, 0)  # end of the whitespace run that starts at `pos`
        for i, c in enumerate(containers):
            if p < pos:  # a `>` was consumed: a new run of whitespace starts here
                p, cl = _skip_ws(line, pos, col)
            if p >= n:
                # The first block quote or still-empty list item (which may begin with one blank
                # line at most) from here on stops the match.
                k = bisect_left(self.blockers, i)
                matched = self.blockers[k] if k < len(self.blockers) else len(containers)
                return (matched, p, cl) if matched > i else (i, pos, col)
            if c.quote:
                if cl - col > 3 or line[p] != ">":
                    return i, pos, col
                pos, col = _skip_one(line, p + 1, cl + 1)
                p = -1
            elif cl >= c.indent:
                pos, col = _skip_cols(line, pos, col, c.indent)
                if c.empty:
                    c.empty = False
                    self._unblock(i)
            else:
                return i, pos, col
        return len(containers), pos, col

    def _unblock(self, i: int) -> None:
        if self.blockers and self.blockers[-1] == i:  # the usual case: the innermost container
            self.blockers.pop()
        elif i in self.blockers:
            self.blockers.remove(i)

    def _truncate(self, keep: int) -> None:
        del self.containers[keep:]
        while self.blockers and self.blockers[-1] >= keep:
            self.blockers.pop()

    def _extend(self, new: list[_Container]) -> None:
        for c in new:
            if c.quote or c.empty:
                self.blockers.append(len(self.containers))
            self.containers.append(c)

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
                self._extend(self.opened)
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


def front_matter_end(src: str) -> int:
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
