"""Document content is never trusted: escaping for every place the tool writes it, and one
gate for every path the tool writes to.

Titles, headings and descriptions come from documents (or from a plan someone edited), so a
title may be `<script>alert(1)</script>`, carry terminal escape sequences, or hold Markdown and
rich markup. Paths in a plan may be absolute, climb out with `..`, point into `.git`, or run
through a symlink planted in the repository.
"""

from __future__ import annotations

import html
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from rich.markup import escape as _rich_escape

from ..core.errors import ConsolidatorError


class UnsafePathError(ConsolidatorError):
    """A path from a plan or a document would write outside the repository or into git's data."""


def escape_html(s: str) -> str:
    """Text for HTML element content or a quoted attribute value."""
    return html.escape(s, quote=True)


# ESC-introduced sequences: CSI (`ESC [ ... final`), OSC/DCS/PM/APC/SOS strings (ended by BEL
# or ST), and two-byte escapes; then their 8-bit C1 forms (CSI 0x9b, OSC 0x9d, ...).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# C0 except tab, DEL, C1, and the bidirectional overrides that can reorder what a terminal
# shows ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")


def strip_control(s: str) -> str:
    """Text safe to print on a terminal: escape sequences and control characters removed
    (tab kept). A line break becomes a space, so one title stays one line."""
    return _CONTROL.sub("", _ANSI.sub("", _LINE_BREAKS.sub(" ", s)))


def strip_control_keep_lines(s: str) -> str:
    """Like `strip_control`, for text whose lines matter (a multi-line message, a diff): every
    line break becomes a plain newline, so a `\\r` cannot overwrite what a line showed, and each
    line loses its escape sequences and control characters (tab kept)."""
    return "\n".join(strip_control(line) for line in _LINE_BREAKS.split(s))


def escape_rich(s: str) -> str:
    """Text safe inside rich markup: controls stripped and `[tag]` look-alikes escaped."""
    return str(_rich_escape(strip_control(s)))


# Characters with inline meaning in Markdown (CommonMark and Python-Markdown alike). Those in
# Python-Markdown's escapable set get a backslash; the rest become character references, which
# every renderer shows as the character and none reads as syntax. `#`, `+`, `-` and `1.` only
# mean something at the start (a trailing `#` closes a heading), so they are escaped there only.
_MD_BACKSLASH = frozenset("\\`*_{}[]")
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;", "^": "&#94;"}
_WHITESPACE_RUN = re.compile(r"\s+")
_BLOCK_START = re.compile(r"^(?:[#+\-]|\d+(?=[.)]))")


def escape_markdown_inline(s: str) -> str:
    """A title or description to place inline in generated Markdown (a heading, a list item,
    link text, a table cell) so that it renders as the literal text: no HTML, no links or
    emphasis, no table or line breaks."""
    text = _WHITESPACE_RUN.sub(" ", strip_control(s.replace("\t", " "))).strip()
    out = []
    for ch in text:
        if ch in _MD_BACKSLASH:
            out.append("\\" + ch)
        else:
            out.append(_MD_ENTITY.get(ch, ch))
    escaped = "".join(out)
    match = _BLOCK_START.match(escaped)
    if match:
        head = match.group()
        # `1.` is escaped on its dot; `#`, `+`, `-` on themselves
        escaped = head + "\\" + escaped[len(head) :] if head[0].isdigit() else "\\" + escaped
    if escaped.endswith("#"):
        escaped = escaped[:-1] + "\\#"
    return escaped


def _is_absolute(rel: str) -> bool:
    return (
        PurePosixPath(rel).is_absolute()
        or PureWindowsPath(rel).is_absolute()
        or bool(PureWindowsPath(rel).drive)
        or rel.startswith("~")
    )


def safe_relpath(repo: Path, rel: str) -> Path:
    """The absolute path of `rel` inside `repo`, for writing.

    Refuses (UnsafePathError) a path that is empty, absolute, leaves the repository, lies in
    `.git`, or passes through a symlink (a planted link would redirect the write elsewhere).
    """
    if not rel or not rel.strip():
        raise UnsafePathError("empty path")
    shown = strip_control(rel)
    if "\x00" in rel or _CONTROL.search(rel):
        raise UnsafePathError(f"path holds control characters: {shown!r}")
    if "\\" in rel:
        raise UnsafePathError(f"path uses backslashes; use '/' between folders: {shown}")
    if _is_absolute(rel):
        raise UnsafePathError(f"path must be relative to the repository, not absolute: {shown}")
    parts: list[str] = []
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise UnsafePathError(f"path leads outside the repository: {shown}")
            parts.pop()
            continue
        # case-insensitive file systems (macOS, Windows) treat .GIT as .git
        if part.lower() == ".git":
            raise UnsafePathError(f"path lies inside git's data (.git): {shown}")
        parts.append(part)
    if not parts:
        raise UnsafePathError(f"path names the repository itself, not a file in it: {shown}")

    root = repo.resolve()
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(
                f"path passes through a symbolic link ({current.relative_to(root)}): {shown}"
            )
    if not current.resolve().is_relative_to(root):  # pragma: no cover - defended above
        raise UnsafePathError(f"path leads outside the repository: {shown}")
    return current
