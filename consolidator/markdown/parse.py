"""Markdown text to the facts the pipeline needs, read from mistune 3's AST.

The AST carries no source positions, so line numbers are found afterwards by searching the source in
document order, outside code. Everything here depends on the text alone (never on the path), so the
result can be cached by git blob id and shared by files with the same content.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import mistune
import yaml

from ..core.models import Heading, Section
from ..core.textio import line_starts

# The mistune plugins every reading of a document uses (the rewriter's cross-check too), so that all
# of them see the same links.
MISTUNE_PLUGINS = ("table", "strikethrough", "footnotes")
_MARKDOWN = mistune.create_markdown(renderer=None, plugins=list(MISTUNE_PLUGINS))

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_ATTR = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)
_HTML_ID = re.compile(r"""<[a-zA-Z][^>]*?\b(?:id|name)\s*=\s*["']?([^"'\s>]+)""")
_ATTR_ID = re.compile(r"\{:?\s*#([\w\-]+)[^}]*\}")
_NOT_GITHUB_ASCII = re.compile(r"[^a-z0-9 _-]")
# Every ASCII character `_WORD` does not match, to a space: in an ASCII text the words are then what
# `str.split` finds, about three times faster than `_WORD.findall` (see `word_count`).
_ASCII_NOT_WORD = str.maketrans({chr(c): " " for c in range(128) if not _WORD.fullmatch(chr(c))})


@dataclass(frozen=True)
class RawLink:
    target: str
    kind: str  # "inline" | "reference" | "autolink" | "html"
    line: int
    is_image: bool = False
    label: str | None = None
    definition_line: int | None = None


@dataclass(frozen=True)
class DateMention:
    label: str
    date: str
    line: int
    from_front_matter: bool = False


@dataclass(frozen=True)
class Parsed:
    """What a document's text says, independent of where the file lives."""

    h1: str | None
    front_matter: tuple[tuple[str, str], ...]
    headings: tuple[Heading, ...]
    links: tuple[RawLink, ...]
    dates: tuple[DateMention, ...]
    text: str
    sections: tuple[Section, ...]
    words: int
    lines: int
    code_blocks: int
    html_ids: tuple[str, ...] = ()


# ---------------------------------------------------------------- anchors


def github_slug(text: str) -> str:
    """The heading id GitHub renders: lower case, punctuation and symbols dropped, spaces to '-'."""
    lowered = text.lower()
    if lowered.isascii():
        # Among ASCII characters the letters and digits are exactly the categories L and N kept below.
        return _NOT_GITHUB_ASCII.sub("", lowered).replace(" ", "-")
    out = []
    for ch in lowered:
        if ch == " ":
            out.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in "LNM":
            out.append(ch)
    return "".join(out)


def mkdocs_slug(text: str) -> str:
    """The id the generated site gives a heading (pymdownx.slugs.slugify(case="lower"))."""
    slug: str = _mkdocs_slugify()(text, "-")
    return slug


@lru_cache(maxsize=1)
def _mkdocs_slugify() -> Callable[[str, str], str]:
    from pymdownx.slugs import slugify

    slugger: Callable[[str, str], str] = slugify(case="lower")
    return slugger


def unique_ids(slugs: list[str], sep: str) -> list[str]:
    """Repeated headings get numbered ids: GitHub adds -1, -2; python-markdown adds _1, _2."""
    seen: set[str] = set()
    out = []
    for slug in slugs:
        candidate, n = slug, 0
        while candidate in seen:
            n += 1
            candidate = f"{slug}{sep}{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


# ---------------------------------------------------------------- front matter


# libyaml's loader where PyYAML was built with it (its wheels are): the same mappings as the pure-Python
# SafeLoader, and on a reference tree whose every page has front matter, the pure-Python one cost more
# than mistune itself.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """YAML front matter (`---` ... `---`) as a mapping, the body, and how many lines it took."""
    if not text.startswith("---"):
        return {}, text, 0
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip("\r\n") != "---":
        return {}, text, 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            try:
                data = yaml.load("".join(lines[1:i]), Loader=_YAML_LOADER)
            except yaml.YAMLError:
                return {}, text, 0
            if not isinstance(data, dict):
                return {}, text, 0
            return data, "".join(lines[i + 1 :]), i + 1
    return {}, text, 0


# ---------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_LABEL = re.compile(
    r"^[\s>*_#|-]*(?:\*\*|__)?(?P<label>(?:report |last |status |review |completion |completed |audit |"
    r"release |deployment |creation |prepared |generated |updated |created |analysis |implementation )?"
    r"(?:date|updated|generated|created|completed|prepared|reviewed|modified|on))(?:\*\*|__)?\s*[:：]\s*"
    r"(?:\*\*|__)?(?P<value>.{6,60})",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(20\d{2}|19\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NAMED = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(20\d{{2}})\b", re.IGNORECASE)
_NAMED_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(20\d{{2}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(20\d{{2}})\b", re.IGNORECASE)


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_date(value: str) -> str | None:
    """The first calendar date written in `value` (ISO, "Nov 14, 2025", "14 November 2025", "Nov 2025")."""
    found = _ISO.search(value)
    if found:
        return _valid(int(found[1]), int(found[2]), int(found[3]))
    found = _NAMED.search(value)
    if found:
        return _valid(int(found[3]), _MONTHS[found[1].lower()], int(found[2]))
    found = _NAMED_DMY.search(value)
    if found:
        return _valid(int(found[3]), _MONTHS[found[2].lower()], int(found[1]))
    found = _MONTH_YEAR.search(value)
    if found:
        return _valid(int(found[2]), _MONTHS[found[1].lower()], 1)
    return None


_NAME_YMD = re.compile(r"(?<!\d)(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NAME_YM = re.compile(r"(?<!\d)(20\d{2})[-_.](0[1-9]|1[0-2])(?![\d])")
_NAME_MONTH = re.compile(rf"(?<![a-z])({_MONTH_RE})[-_.]?(20\d{{2}})(?!\d)", re.IGNORECASE)
_NAME_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})[-_.]?({_MONTH_RE})[-_.]?(20\d{{2}})(?!\d)", re.IGNORECASE)


def date_in_name(name: str) -> tuple[str, str] | None:
    """A date written in a file name: (the fragment, ISO date). `2024_11_28`, `20251128`, `DEC_2024`."""
    stem = name.rsplit(".", 1)[0]
    for pattern, order in ((_NAME_YMD, "ymd"), (_NAME_DMY, "dmy"), (_NAME_YM, "ym"), (_NAME_MONTH, "my")):
        found = pattern.search(stem)
        if not found:
            continue
        if order == "ymd":
            iso = _valid(int(found[1]), int(found[2]), int(found[3]))
        elif order == "dmy":
            iso = _valid(int(found[3]), _MONTHS[found[2].lower()], int(found[1]))
        elif order == "ym":
            iso = _valid(int(found[1]), int(found[2]), 1)
        else:
            iso = _valid(int(found[2]), _MONTHS[found[1].lower()], 1)
        if iso:
            return found[0], iso
    return None


def _text_dates(lines: list[str], first_line: int) -> list[DateMention]:
    """The labelled dates of a body's `lines` (its `splitlines()`), the first being `first_line`."""
    found = []
    for offset, line in enumerate(lines):
        # a labelled date needs its colon; most lines have none and need no regex
        if len(line) > 200 or (":" not in line and "：" not in line):
            continue
        labelled = _DATE_LABEL.match(line)
        if labelled:
            iso = find_date(labelled["value"])
            if iso:
                label = labelled["label"].strip().title()
                found.append(DateMention(label, iso, first_line + offset))
    return found


# ---------------------------------------------------------------- AST walk


def _plain(children: list[dict[str, Any]] | None) -> str:
    """Rendered text of inline tokens, as a reader (and a slugger) sees it."""
    out: list[str] = []
    for tok in children or ():
        kind = tok.get("type")
        if kind in ("text", "codespan"):
            out.append(tok.get("raw", ""))
        elif kind in ("softbreak", "linebreak"):
            out.append(" ")
        elif kind == "inline_html":
            continue
        elif "children" in tok:
            out.append(_plain(tok["children"]))
    return "".join(out)


@dataclass
class _Walk:
    headings: list[tuple[int, str]]
    links: list[dict[str, Any]]
    prose: list[str]
    sections: list[list[Any]]  # [heading, level, chunks]
    code_blocks: int = 0


def _inline(tokens: list[dict[str, Any]] | None, walk: _Walk, out: list[str]) -> None:
    for tok in tokens or ():
        kind = tok.get("type")
        if kind in ("link", "image"):
            attrs = tok.get("attrs", {})
            url = attrs.get("url", "")
            text = _plain(tok.get("children"))
            autolink = kind == "link" and "label" not in tok and text == url and "://" in url
            walk.links.append(
                {
                    "target": url,
                    "kind": "reference" if "label" in tok else ("autolink" if autolink else "inline"),
                    "is_image": kind == "image",
                    "label": tok.get("label"),
                }
            )
            _inline(tok.get("children"), walk, out)
        elif kind == "inline_html":
            _html_links(tok.get("raw", ""), walk)
        elif kind in ("text", "codespan"):
            out.append(tok.get("raw", ""))
        elif kind in ("softbreak", "linebreak"):
            out.append(" ")
        elif "children" in tok:
            _inline(tok["children"], walk, out)


def _html_links(raw: str, walk: _Walk) -> None:
    raw = _HTML_COMMENT.sub("", raw)
    for found in _HTML_ATTR.finditer(raw):
        value = next(v for v in found.groups()[1:] if v is not None)
        walk.links.append(
            {"target": value, "kind": "html", "is_image": found[1].lower() == "src", "label": None}
        )


def _blocks(tokens: list[dict[str, Any]], walk: _Walk) -> None:
    for tok in tokens:
        kind = tok.get("type")
        if kind == "heading":
            text = _plain(tok.get("children")).strip()
            level = tok.get("attrs", {}).get("level", 1)
            walk.headings.append((level, text))
            walk.sections.append([text, level, []])
            # links inside headings count too
            _inline(tok.get("children"), walk, [])
        elif kind == "block_code":
            walk.code_blocks += 1
        elif kind == "block_html":
            _html_links(tok.get("raw", ""), walk)
        elif kind in ("paragraph", "block_text", "table_cell"):
            chunk: list[str] = []
            _inline(tok.get("children"), walk, chunk)
            text = "".join(chunk).strip()
            if text:
                walk.prose.append(text)
                walk.sections[-1][2].append(text)
        elif "children" in tok and isinstance(tok["children"], list):
            _blocks(tok["children"], walk)


# ---------------------------------------------------------------- source positions


def _code_mask(lines: list[str]) -> list[bool]:
    """True for lines inside fenced code blocks (including the fences)."""
    mask = [False] * len(lines)
    fence: str | None = None
    for i, line in enumerate(lines):
        # A fence starts within the first four characters: most lines need no match.
        head = line[:4]
        found = _FENCE.match(line) if "`" in head or "~" in head else None
        if fence is None:
            if found:
                fence = found[1]
                mask[i] = True
        else:
            mask[i] = True
            if (
                found
                and found[1][0] == fence[0]
                and len(found[1]) >= len(fence)
                and not line.strip(" \t`~\r\n")
            ):
                fence = None
    return mask


def _heading_lines(lines: list[str], mask: list[bool]) -> list[int]:
    """1-based lines of ATX and setext headings, in order (outside fenced code)."""
    found = []
    for i, line in enumerate(lines):
        if mask[i]:
            continue
        head = line[:4]  # where an ATX heading's "#" or a setext underline's "=" or "-" starts
        if "#" not in head and "=" not in head and "-" not in head:
            continue
        if _ATX.match(line):
            found.append(i + 1)
        elif (
            i > 0
            and _SETEXT.match(line)
            and lines[i - 1].strip()
            and not mask[i - 1]
            and not _ATX.match(lines[i - 1])
            and not re.match(r"^ {0,3}[-*_]( *[-*_]){2,} *$", lines[i - 1])
        ):
            found.append(i)
    return found


def _alnum(text: str) -> str:
    return "".join(filter(str.isalnum, text.casefold()))


def _match_heading_lines(texts: list[str], lines: list[str], candidates: list[int]) -> list[int]:
    """Pair each AST heading with a source line whose letters contain its text, in order.

    Headings nested in lists or quotes have no candidate line; they get 0 rather than shifting
    every later heading onto the wrong line.
    """
    out = []
    cursor = 0
    # A heading with no line of its own scans every later candidate: reduce each line once.
    letters = [_alnum(lines[c - 1]) for c in candidates]
    for text in texts:
        want = _alnum(text)
        line = 0
        for j in range(cursor, len(candidates)):
            if want in letters[j]:
                line = candidates[j]
                cursor = j + 1
                break
        out.append(line)
    return out


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _definition_lines(lines: list[str], mask: list[bool]) -> dict[str, int]:
    found: dict[str, int] = {}
    pattern = re.compile(r"^(?: {0,3}(?:>\s?)*)\s{0,3}\[([^\]]+)\]:")
    for i, line in enumerate(lines):
        if mask[i]:
            continue
        hit = pattern.match(line)
        if hit:
            found.setdefault(_normal_label(hit[1]), i + 1)
    return found


def _normal_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _iter_link_lines(body: str, mask: list[bool], targets: list[str]) -> Iterator[int]:
    """Lines of each target in order, searching forward outside fenced code."""
    starts = line_starts(body)
    cursor = 0
    for target in targets:
        line = 0
        # mistune percent-encodes a destination (`diretórios` is `diret%C3%B3rios`, `[id]` is
        # `%5Bid%5D`): the source holds it as written, which is the decoded form
        probes = [p for p in dict.fromkeys((target or "", unquote(target or ""))) if p]
        found = -1, ""
        for probe in probes:
            pos = body.find(probe, cursor)
            while pos != -1 and mask[_line_of(starts, pos) - 1]:
                pos = body.find(probe, pos + 1)
            if pos != -1:
                found = pos, probe
                break
        else:  # written with escapes or entities: fall back to a search from the start
            for probe in probes:
                if (pos := body.find(probe)) != -1:
                    found = pos, probe
                    break
        pos, probe = found
        if pos != -1:
            line = _line_of(starts, pos)
            cursor = pos + len(probe) if pos >= cursor else cursor
        yield line


# ---------------------------------------------------------------- entry point


def parse_text(text: str) -> Parsed:
    """Parse one document's text (already decoded)."""
    meta, body, fm_lines = split_front_matter(text)
    tokens = _MARKDOWN(body)
    walk = _Walk(headings=[], links=[], prose=[], sections=[["", 0, []]])
    _blocks(tokens if isinstance(tokens, list) else [], walk)

    lines = body.splitlines()
    mask = _code_mask(lines)
    heading_lines = _match_heading_lines([t for _, t in walk.headings], lines, _heading_lines(lines, mask))
    gh_ids = unique_ids([github_slug(t) for _, t in walk.headings], "-")
    mk_ids = unique_ids([mkdocs_slug(t) for _, t in walk.headings], "_")
    headings = tuple(
        Heading(
            level=level,
            text=text_,
            line=heading_lines[i] + fm_lines if heading_lines[i] else 0,
            github_id=gh_ids[i],
            mkdocs_id=mk_ids[i],
        )
        for i, (level, text_) in enumerate(walk.headings)
    )

    definitions = _definition_lines(lines, mask)
    link_lines = list(
        _iter_link_lines(
            body, mask, [(lk["label"] if lk["kind"] == "reference" else lk["target"]) for lk in walk.links]
        )
    )
    links = []
    for lk, line in zip(walk.links, link_lines, strict=True):
        def_line = definitions.get(_normal_label(lk["label"])) if lk["label"] else None
        links.append(
            RawLink(
                target=lk["target"],
                kind=lk["kind"],
                line=line + fm_lines if line else 0,
                is_image=lk["is_image"],
                label=lk["label"],
                definition_line=def_line + fm_lines if def_line else None,
            )
        )

    dates = _front_matter_dates(meta) + _text_dates(lines, fm_lines + 1)
    h1 = next((t for level, t in walk.headings if level == 1 and t), None)
    prose = "\n".join(walk.prose)
    return Parsed(
        h1=h1,
        front_matter=tuple(sorted((str(k), _scalar(v)) for k, v in meta.items())),
        headings=headings,
        links=tuple(links),
        dates=tuple(dates),
        text=prose,
        sections=_numbered_sections(walk, headings),
        words=word_count(prose),
        lines=text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        code_blocks=walk.code_blocks,
        html_ids=_explicit_ids(lines, mask),
    )


def _front_matter_dates(meta: dict[str, Any]) -> list[DateMention]:
    """Dates the front matter states: date values, and date-like text under date-like keys."""
    dates = []
    for key, value in meta.items():
        if isinstance(value, date):
            dates.append(DateMention(str(key), value.isoformat()[:10], 1, True))
        elif isinstance(value, str) and re.search(r"date|updated|created|modified", str(key), re.I):
            iso = find_date(value)
            if iso:
                dates.append(DateMention(str(key), iso, 1, True))
    return dates


def _numbered_sections(walk: _Walk, headings: tuple[Heading, ...]) -> tuple[Section, ...]:
    """The sections of the walk, each with the line of its heading (the preamble has none)."""
    sections = tuple(
        Section(heading=h, level=lvl, text="\n".join(chunks), line=0)
        for h, lvl, chunks in walk.sections
        if h or chunks
    )
    numbered = []
    index = 0
    for section in sections:
        if section.heading or section.level:
            line = headings[index].line if index < len(headings) else 0
            index += 1
            numbered.append(Section(section.heading, section.level, section.text, line))
        else:
            numbered.append(section)
    return tuple(numbered)


def parse_outline(text: str) -> Parsed:
    """A cheap reading of a huge file: ATX headings and counts, no inline parsing."""
    lines = text.splitlines()
    mask = _code_mask(lines)
    found = []
    for i, line in enumerate(lines):
        hit = None if mask[i] else _ATX.match(line)
        if hit:
            found.append((len(hit[1]), line[hit.end() :].strip().rstrip("#").strip(), i + 1))
    gh = unique_ids([github_slug(t) for _, t, _ in found], "-")
    mk = unique_ids([mkdocs_slug(t) for _, t, _ in found], "_")
    headings = tuple(Heading(lv, t, ln, gh[i], mk[i]) for i, (lv, t, ln) in enumerate(found))
    return Parsed(
        h1=next((t for lv, t, _ in found if lv == 1 and t), None),
        front_matter=(),
        headings=headings,
        links=(),
        dates=(),
        text="",
        sections=(),
        words=word_count(text),
        lines=text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        code_blocks=0,
    )


def word_count(text: str) -> int:
    """How many runs of word characters (`\\w+`) `text` holds."""
    if text.isascii():
        return len(text.translate(_ASCII_NOT_WORD).split())
    return len(_WORD.findall(text))


def _explicit_ids(lines: list[str], mask: list[bool]) -> tuple[str, ...]:
    found: list[str] = []
    for i, line in enumerate(lines):
        if mask[i] or ("id" not in line and "name" not in line and "{" not in line):
            continue
        found.extend(_HTML_ID.findall(line))
        found.extend(_ATTR_ID.findall(line))
    return tuple(dict.fromkeys(found))


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    key = _dump_key(value)
    if key is None:
        return _dumped(value)
    found = _DUMPED.get(key)
    if found is None:
        if len(_DUMPED) >= _DUMPED_MAX:
            _DUMPED.clear()
        found = _DUMPED[key] = _dumped(value)
    return found


def _dumped(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=True).strip()


# The YAML of front-matter values that are no strings (`draft: false`, `weight: 10`, `tags: [a, b]`),
# by `_dump_key`: the pure-Python emitter costs as much per value as a short document's whole walk, and
# a repository repeats the same few values on page after page. Bounded: cleared when full.
_DUMPED: dict[tuple[Any, ...], str] = {}
_DUMPED_MAX = 4096


def _dump_key(value: Any) -> tuple[Any, ...] | None:
    """A key that tells apart any two values `_dumped` writes differently: the type of every part with
    its `repr` (so that 1, 1.0 and True, or 0.0 and -0.0, never meet), lists and mappings part by part
    in order; None for anything else (not kept)."""
    kind = type(value)
    if kind in (str, int, bool, float) or value is None:
        return (kind, repr(value))
    if kind is list:
        parts = [_dump_key(v) for v in value]
        return None if any(p is None for p in parts) else (list, *parts)
    if kind is dict:
        items = [(_dump_key(k), _dump_key(v)) for k, v in value.items()]
        return None if any(k is None or v is None for k, v in items) else (dict, *items)
    return None
