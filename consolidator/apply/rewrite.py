"""Rewrite the links of documents when files move, changing no other byte.

mistune's AST carries no source positions and folds reference definitions into the links that use
them, so link destinations are found in the text itself (`mdspans`, over the block structure from
`mdblocks`). Every span found is then checked here against mistune's AST for the same text; only
confirmed spans are rewritten, and every disagreement is reported instead of being dropped.
"""

from __future__ import annotations

import html
import posixpath
import re
import string
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import unquote

import mistune
from mistune.helpers import unescape_char
from mistune.util import escape_url, unikey
from mistune.util import unescape as unescape_entities

from ..markdown.blocks import front_matter_end
from ..markdown.links import is_external, relative_path, resolve, split_target
from ..markdown.parse import MISTUNE_PLUGINS
from ..markdown.spans import Found, Lines, LinkSpan, html_values, locate, normalise


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
# Checking spans against mistune's AST

_PARSER: Any = None
_COLLECT = "consolidator.expected"  # key of the collector in mistune's per-parse env


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        md = mistune.create_markdown(renderer=None, plugins=list(MISTUNE_PLUGINS))
        inline = md.inline

        # Only inline links and inline HTML matter here (references are checked through their
        # definitions; footnote references decide which footnotes exist), so other text is skipped.
        # What matters is collected as each paragraph is parsed and no inline token is kept: on a
        # file of 20 MB the token tree alone would take hundreds of megabytes.
        def links_only(s: str, env: Any) -> Any:
            if "](" in s or "<" in s or "[^" in s:
                tokens = inline(s, env)
                into = env.get(_COLLECT)
                if into is None:  # a state without the collector: its caller walks the tokens
                    return tokens
                _walk(tokens, into)
            return []

        md.inline = links_only  # type: ignore[assignment]
        _quicken(inline)
        _PARSER = md
    return _PARSER


def _quicken(inline: Any) -> None:
    """Spare the cross-check two costs of mistune's inline parser that decide no link (about a third
    of its time on a link-heavy file).

    - Since mistune 3.1 emphasis is resolved after the scan (`finalize_tokens`), by wrapping tokens
      already made into emphasis nodes: whether a bracket makes a link was decided during the scan,
      and no link token is ever dropped or made text by it. Only the tree's shape would differ, and
      `_walk` counts links at any depth, so it is skipped.
    - The regex that finds the next character any rule starts with is looked up afresh for every
      run of plain text (sorting the set of characters each time); the rules do not change once the
      parser is made, so it is looked up once.

    Older mistune versions have neither method and parse as before. `tests/test_rewrite.py` checks
    that this parser sees the same links as an untouched one."""
    if callable(getattr(inline, "finalize_tokens", None)):
        inline.finalize_tokens = lambda tokens, depth: tokens
    chars = getattr(inline, "_get_fast_trigger_chars", lambda: None)()
    if chars is not None and callable(getattr(inline, "_get_fast_trigger_re", None)):
        found = inline._get_fast_trigger_re(chars)
        inline._get_fast_trigger_re = lambda _chars: found


@dataclass
class _Expected:
    links: Counter[str] = field(default_factory=Counter)
    definitions: dict[str, str] = field(default_factory=dict)  # label key -> url
    html: Counter[str] = field(default_factory=Counter)


_LEAVES = frozenset({"text", "softbreak", "linebreak", "codespan", "blank_line", "thematic_break"})


def _walk(tokens: Iterable[dict[str, Any]], into: _Expected) -> None:
    # A stack, not recursion: a link-heavy file has hundreds of thousands of links, each with
    # children, and what is counted does not depend on the order of the walk.
    todo = [tokens]
    while todo:
        for tok in todo.pop():
            kind = tok.get("type")
            if kind in _LEAVES:  # most tokens: nothing to count, nothing inside
                continue
            if kind in ("link", "image") and "ref" not in tok:
                into.links[tok["attrs"]["url"]] += 1
            elif kind in ("inline_html", "block_html"):
                raw = tok.get("raw", "")
                for a, b, _ in html_values(raw):
                    into.html[raw[a:b]] += 1
            children = tok.get("children")
            if isinstance(children, list):
                todo.append(children)


def _expected(text: str) -> _Expected:
    src = normalise(text)
    fm = front_matter_end(src)
    if fm:  # blank the front matter out, keeping the line count
        src = "\n" * src.count("\n", 0, fm) + src[fm:]
    into = _Expected()
    md = _parser()
    state = md.block.state_cls()
    state.env[_COLLECT] = into
    tokens, state = md.parse(src, state)
    _walk(tokens, into)  # block HTML (inline tokens were collected as they were parsed)
    for key, ref in state.env.get("ref_links", {}).items():
        into.definitions[key] = ref["url"]
    return into


@lru_cache(maxsize=65536)
def _url_key(target: str) -> str:
    return str(escape_url(unescape_char(target)))


def _relative(url: str) -> bool:
    return not is_external(url.strip())


def _check(located: list[tuple[LinkSpan, Found]], exp: _Expected) -> tuple[set[int], list[str]]:
    """Indexes of the spans mistune confirms (`exp`: what it sees in the text), and what could not
    be matched either way."""
    confirmed: set[int] = set()
    missing: list[str] = []

    # each span's URL as mistune writes it, worked out once (a file may hold more distinct URLs
    # than `_url_key` remembers)
    keys = [_url_key(s.target) if f.kind in ("inline", "image") else "" for s, f in located]
    seen = Counter(k for k, (_, f) in zip(keys, located, strict=True) if f.kind in ("inline", "image"))
    html_seen = Counter(s.target for s, f in located if f.kind == "html")
    first_definition: dict[str, bool] = {}  # label key -> whether its first definition is confirmed
    for i, (s, f) in enumerate(located):
        if f.kind in ("inline", "image"):
            # With more spans than the parser has links for a URL, any of them may be the stray one.
            ok = seen[keys[i]] <= exp.links[keys[i]]
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


# Below this many characters a text is checked in this process: handing it over costs more.
PARALLEL_CHECK_CHARS = 1_000_000

T = TypeVar("T")


def in_worker(pool: Executor | None, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """`fn(*args)` started in a worker of `pool`, and a function that waits for its result. Without
    a pool, or when the worker fails for any reason (it could not start, it was killed), `fn(*args)`
    runs in this process when the result is asked for, so that a real error shows here."""
    future: Future[T] | None = None
    if pool is not None:
        try:
            future = pool.submit(fn, *args)
        except (OSError, RuntimeError):  # a broken or shut down pool is a RuntimeError
            future = None

    def result() -> T:
        if future is not None:
            try:
                return future.result()
            except Exception:  # any failure of the worker: done here instead
                pass
        return fn(*args)

    return result


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
        if c in "<>":
            # Raw in a bare destination (GitHub, MkDocs and VS Code all read `p<i>.md` so); inside
            # `<...>` a backslash escape would do for GitHub and VS Code but MkDocs does not undo
            # it, so it is percent-encoded there, as in HTML.
            return not angle and kind != "html"
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
    out = "/".join(parts)
    if out.startswith("<") and not angle:  # would open an angle-bracket destination
        out = "%3C" + out[1:]
    return out


@dataclass(frozen=True)
class _Moves:
    """What moves: files (old repository path -> new), whole folders, and what else exists."""

    files: Mapping[str, str]
    folders: Mapping[str, str]  # a folder every file of which moves to one new folder, keeping its tree
    existing: frozenset[str] | None  # every file before the move; None when the caller gave none
    emptied: frozenset[str] = frozenset()  # folders left empty, their files moved to several places
    dirs: frozenset[str] = frozenset()  # every folder before the move

    def dest(self, path: str) -> str:
        return self.files.get(path) or self.folders.get(path) or path


def folder_moves(moved: Mapping[str, str], files: Collection[str]) -> dict[str, str]:
    """Folders that move as a whole: every file under the folder (in `files`, the repository before
    the move) moves to the same relative place under one new folder. A link to such a folder
    (`../old/`, `/old`) follows it; a folder only partly emptied keeps its links as written."""
    return _folders(moved, files)[0]


def _folders(moved: Mapping[str, str], files: Collection[str]) -> tuple[dict[str, str], frozenset[str]]:
    """(folders moved whole -> their new place, folders emptied with no one place to follow)."""
    under: Counter[str] = Counter()
    for path in {*files, *moved}:
        for folder in _ancestors(path):
            under[folder] += 1
    targets: dict[str, set[str | None]] = {}
    moved_under: Counter[str] = Counter()
    for old, new in moved.items():
        for folder in _ancestors(old):
            rest = old[len(folder) :]  # "/name" or "/sub/name"
            moved_under[folder] += 1
            targets.setdefault(folder, set()).add(new[: -len(rest)] if new.endswith(rest) else None)
    out, emptied = {}, set()
    for folder, found in targets.items():
        if moved_under[folder] != under[folder]:
            continue
        (to,) = found if len(found) == 1 else (None,)
        if to is None:
            emptied.add(folder)
        elif to != folder:
            out[folder] = to
    return out, frozenset(emptied)


def _ancestors(path: str) -> Iterable[str]:
    parts = path.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])


_PathMemo = dict[tuple[str, str, bool, str], str | None]


def _new_target(
    target: str,
    kind: str,
    angle: bool,
    quote: str,
    old_path: str,
    new_path: str,
    moves: _Moves,
    memo: _PathMemo | None = None,
) -> str | None:
    """The target to write instead of `target`, or None to leave it as written.

    Only the path part is worked out (`?query#fragment` is kept verbatim), so `memo` holds it by
    path: links to one file that differ only in their fragment (`page.md#part-1`, `#part-2`, ...)
    are worked out once."""
    if kind == "autolink" or not target.strip() or is_external(target.strip()):
        return None
    written_path = split_target(target)[0]
    if not written_path.strip():
        return None
    key = (written_path, kind, angle, quote)
    if memo is not None and key in memo:
        new = memo[key]
    else:
        new = _new_path(written_path, kind, angle, quote, old_path, new_path, moves)
        if memo is not None:
            memo[key] = new
    return None if new is None else new + target[len(written_path) :]


def _new_path(
    written_path: str, kind: str, angle: bool, quote: str, old_path: str, new_path: str, moves: _Moves
) -> str | None:
    """The path part to write instead of `written_path`, or None to leave it as written."""
    meant = _decode(written_path, kind).strip()
    before = resolve(old_path, meant)
    if before.external or before.path is None:
        return None
    path, suffix = before.path, ""
    if (
        moves.existing is not None
        and path not in moves.existing
        and path not in moves.dirs
        and path + ".md" in moves.existing
    ):
        # Written without its extension (`guide#part`), as VS Code resolves it; GitHub and MkDocs do
        # not, so such a link is broken there either way, but it keeps working in the editor.
        path, suffix = path + ".md", ".md"
    dest = moves.dest(path)
    if dest == path and old_path == new_path:
        return None
    if suffix:
        if not dest.endswith(suffix):
            return None
        dest = dest[: -len(suffix)]
    if meant.startswith("/"):
        new = "/" + dest
    else:
        new = relative_path(new_path, dest)
        # A link written explicitly relative (`./x`, `../x`) stays so: `./` unless it climbs.
        if meant.startswith(("./", "../")) and not new.startswith("../") and new != "..":
            new = "./" if new == "." else "./" + new
    if meant.endswith("/") and not new.endswith("/"):
        new += "/"
    written = _write_path(new, written_path.strip(), kind, angle, quote)
    lead = written_path[: len(written_path) - len(written_path.lstrip())]
    trail = written_path[len(written_path.rstrip()) :]
    result = lead + written + trail
    return result if result != written_path else None


_MOVES_CACHE: list[tuple[Mapping[str, str], Collection[str] | None, _Moves]] = []


def _moves(moved: Mapping[str, str], files: Collection[str] | None) -> _Moves:
    """The moves, with folder moves worked out once for a run (apply passes the same objects for
    every document)."""
    for m, f, found in _MOVES_CACHE:
        # the same objects, unchanged since (a caller may fill one dict and call again)
        if m is moved and f is files and found.files == moved and len(f or ()) == len(files or ()):
            return found
    if files is None:
        found = _Moves(dict(moved), {}, None)
    else:
        existing = frozenset(files) | frozenset(moved)
        folders, emptied = _folders(moved, existing)
        dirs = frozenset(d for path in existing for d in _ancestors(path))
        found = _Moves(dict(moved), folders, existing, emptied, dirs)
    _MOVES_CACHE[:] = [(moved, files, found)]
    return found


def _effective_moves(old_path: str, new_path: str, moves: _Moves) -> _Moves:
    """The moves with the document's own move in them (apply passes it among the others already)."""
    if old_path == new_path or moves.files.get(old_path) == new_path:
        return moves
    files = {**moves.files, old_path: new_path}
    if moves.existing is None:
        return _Moves(files, moves.folders, None)
    folders, emptied = _folders(files, moves.existing)
    return _Moves(files, folders, moves.existing, emptied, moves.dirs)


@lru_cache(maxsize=8)
def _names(paths: frozenset[str], stems: bool) -> tuple[str, ...]:
    """File and folder names of the moved paths, as written and percent-encoded (with `stems`, the
    names without a `.md` extension too, for links written without it)."""
    found: set[str] = set()
    for path in paths:
        name = posixpath.basename(path)
        if stems and name.lower().endswith(".md"):
            name = name[:-3]
        found.update((name, str(escape_url(name))))
    return tuple(sorted(found))


def _emptied_folder(target: str, kind: str, old_path: str, emptied: frozenset[str]) -> str | None:
    """The folder a link names when the moves empty it in several directions (nowhere to follow)."""
    if not emptied or kind == "autolink" or is_external(target.strip()):
        return None
    path = resolve(old_path, _decode(split_target(target)[0], kind).strip()).path
    return path if path in emptied else None


def _may_change(text: str, old_path: str, new_path: str, moves: _Moves) -> bool:
    """Cheap test: can any link in `text` need rewriting? (A moved file's or folder's name must
    appear.)"""
    if old_path != new_path:
        return True
    flat = text.replace("\\", "") if "\\" in text else text  # `GUIDE\_V2.md` names GUIDE_V2.md
    paths = frozenset(moves.files) | frozenset(moves.folders) | moves.emptied
    return any(name in flat for name in _names(paths, moves.existing is not None))


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


def rewrite_document(
    text: str,
    old_path: str,
    new_path: str,
    moved: Mapping[str, str],
    files: Collection[str] | None = None,
    pool: Executor | None = None,
) -> Rewritten:
    """Rewrite the relative links of a Markdown document that moves from `old_path` to `new_path`
    while the files in `moved` (old repository path -> new) move too.

    Each link keeps pointing at the repository path it pointed at before (moved along if that file
    moves; already broken links keep meaning the same path), written in its own style: `./`, a
    leading `/`, percent-encoding or raw spaces in `<...>`, query and fragment. External links,
    fragment-only links and links that climb out of the repository stay as written. Only
    destinations change; every other byte stays.

    `files` (every file of the repository before the move) lets links to folders follow a folder
    whose files all move together (`../old/`, `/old`), and links written without the `.md`
    extension follow the file they name, as VS Code reads them. The same `moved` and `files` objects
    passed for every document of a run have their folder moves worked out once.

    `pool` (worker processes) takes over the parser cross-check of a large document meanwhile.

    `unmatched` lists, as readable strings, links mistune reports that the span finder could not
    locate ("<url> (reported by the Markdown parser, ...)") and spans that would have changed but
    that mistune does not see as links ("line N: <target> (... left as written)").
    """
    all_moves = _moves(moved, files)
    if not _may_change(text, old_path, new_path, all_moves) or not _has_relative_candidates(text):
        return Rewritten(text, (), ())
    moves = _effective_moves(old_path, new_path, all_moves)
    # mistune's reading of a large text is worked out in a worker process (when the caller has one)
    # while this one locates the spans: both read only the text.
    expected = in_worker(pool if len(text) >= PARALLEL_CHECK_CHARS else None, _expected, text)
    located = locate(text)
    confirmed, unmatched = _check(located, expected())
    edits: list[tuple[int, int, str]] = []
    changes: list[Change] = []
    memo: _PathMemo = {}  # links repeat: work each path out once
    for i, (span, f) in enumerate(located):
        new = _new_target(span.target, span.kind, span.angle, f.quote, old_path, new_path, moves, memo)
        if new is None:
            folder = _emptied_folder(span.target, span.kind, old_path, moves.emptied)
            if folder is not None:
                first = min(p for p in moves.files if p.startswith(folder + "/"))
                unmatched.append(
                    f"line {span.line}: {span.target} (a folder whose files, such as {first}, move to"
                    " several places; left as written)"
                )
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


def _candidates(source: str, moved: Mapping[str, str], text: str, final: str | None = None) -> dict[str, str]:
    """Strings that name a moved file from `source` -> what to write instead (a folder-relative
    mention is written from `final`, where the mentioning file is after the apply, if it moves)."""
    found: dict[str, str] = {}
    for old, new in moved.items():
        if posixpath.basename(old) not in text:
            continue
        rel_old = relative_path(source, old)
        if rel_old != old:
            found.setdefault(rel_old, relative_path(final or source, new))
        found[old] = new  # the repository-relative reading wins when both readings collide
    return found


def _mentions(
    text: str, source: str, moved: Mapping[str, str], final: str | None = None
) -> list[tuple[int, int, Mention]]:
    cands = _candidates(source, moved, text, final)
    if not cands:
        return []
    names = "|".join(re.escape(c) for c in sorted(cands, key=len, reverse=True))
    pattern = re.compile(rf"{_PATH_CHAR_BEFORE}(\./)?({names}){_PATH_CHAR_AFTER}")
    lines = Lines(text)
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


def _markdown_mentions(
    text: str, source: str, moved: Mapping[str, str], final: str | None = None
) -> list[tuple[int, int, Mention]]:
    """Path mentions in a Markdown text whose links are already rewritten, minus link destinations.

    Destinations are the link rewriter's: those it changed now hold new paths, and those it left as
    written are reported by it already, so neither is a mention. A link's visible label (`[PLAN.md]`)
    is text the reader sees, so it is one. Fenced code counts like any other text: a shell example
    `cat PLAN.md` names a stale path just as a script does, and non-Markdown files are read whole."""
    found = _mentions(text, source, moved, final)
    if not found:
        return []
    spans = [(s.start, s.end) for s, _ in locate(text)]
    # A mention that reads the same from where its moving document goes (a sibling that moves along)
    # still names the right file: not stale, so not listed.
    return [
        (a, b, m)
        for a, b, m in found
        if m.new != m.old and not any(a < end and start < b for start, end in spans)
    ]


def find_markdown_mentions(
    text: str, source: str, moved: Mapping[str, str], final: str | None = None
) -> list[Mention]:
    """Exact mentions of moved paths in a Markdown document at `source` that are not link
    destinations (plain text, inline code, code blocks, link labels), by the rules of
    `find_path_mentions`. `text` is the document with its links already rewritten; `final` is where
    the document is after the apply when it moves too, from where a folder-relative mention is
    rewritten (a repository-root mention stays one)."""
    return [m for _, _, m in _markdown_mentions(text, source, moved, final)]


def rewrite_markdown_mentions(
    text: str, source: str, moved: Mapping[str, str], final: str | None = None
) -> Rewritten:
    """Every mention `find_markdown_mentions` lists rewritten, except a whole reference label
    (`[PLAN.md]: …`, `[see][PLAN.md]`, `[PLAN.md][]`, `[PLAN.md]`): the label pairs a link with its
    definition, matched without regard to case, so renaming one spelling of it could break the
    link. Those are reported in `unmatched` instead; an inline link's label (`[PLAN.md](…)`) is
    visible text only and is rewritten."""
    found, kept = [], []
    for a, b, m in _markdown_mentions(text, source, moved, final):
        if _reference_label(text, a, b):
            kept.append(f"line {m.line}: {m.old} (a reference label; left as written)")
        else:
            found.append((a, b, m))
    edits = [(a, b, m.new) for a, b, m in found]
    changes = tuple(Change(m.line, m.old, m.new) for _, _, m in found)
    return Rewritten(_splice(text, edits), changes, tuple(kept))


def _reference_label(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole bracketed label not followed by an inline destination."""
    return (
        start > 0 and text[start - 1] == "[" and text[end : end + 1] == "]" and text[end + 1 : end + 2] != "("
    )
