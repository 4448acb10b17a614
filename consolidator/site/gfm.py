"""GitHub-flavoured Markdown for the site: the documents render as GitHub renders them.

The documents were written for GitHub (cmark-gfm), whose block rules differ from Python-Markdown's,
which MkDocs uses:

* a list may start right after a paragraph line; Python-Markdown needs a blank line first;
* list items nest at their content column (2 spaces after `- `, 3 after `1. `); Python-Markdown
  nests at multiples of 4 spaces, so `- item` followed by `  - sub` is one paragraph of text;
* `1)` starts an ordered list; a table may follow a paragraph line; `#word` is not a heading.

No maintained extension handles all of these: mdx_truly_sane_lists nests at one fixed width (GitHub's
width depends on the marker), and mdx_breakless_lists fixes only the blank line. So `normalize`
reads the block structure with a CommonMark parser (markdown-it-py) and writes the same structure
in the form Python-Markdown reads: lists re-indented by 4 spaces a level, blank lines where
Python-Markdown needs them. It runs on the Markdown at build time; the files are not changed. The
rest of GitHub's syntax (task lists, strikethrough, autolinks, footnotes, alerts, emoji, mermaid)
is done by extensions, see `EXTENSIONS`.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown_it import MarkdownIt
from markdown_it.token import Token

_MARKER = re.compile(r"^( {0,3})([-+*]|(\d{1,9})[.)])( *)")
_QUOTE = re.compile(r"^ {0,3}> ?")
_HASH = re.compile(r"^( *)#")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
# a line that may start (or be) a block of its own: blank, indented, a marker, a fence, a quote, a
# heading, a rule, a table row or HTML
_BLOCK_START = re.compile(
    r"^(?:\s*$| {4}| {0,3}(?:[-+*]|\d{1,9}[.)])(?:\s|$)| {0,3}(?:```|~~~|>|#|[-_*=]{2}|:-|\||<))"
)
_HTML_CONTAINERS = (
    "div",
    "details",
    "section",
    "center",
    "article",
    "aside",
    "main",
    "header",
    "footer",
    "nav",
    "figure",
)
_HTML_OPEN = re.compile(rf"^ {{0,3}}<({'|'.join(_HTML_CONTAINERS)})\b[^>]*?(?=/?>)", re.IGNORECASE)
_BARE_ATTR = re.compile(r"\{(?=[A-Za-z_][\w-]*\}[ \t#]*$)")
_LISTS = {"bullet_list_open", "ordered_list_open"}
# blocks Python-Markdown only sees after a blank line
_NEEDS_BLANK = {"bullet_list_open", "ordered_list_open", "table_open", "fence", "hr", "blockquote_open"}
# ... except inside a tight list item, where Python-Markdown reads these without one
_TIGHT_OK = {"bullet_list_open", "ordered_list_open", "fence", "hr"}


@functools.cache
def _parser() -> MarkdownIt:
    # only the blocks matter here: inline parsing would be half of the time, for nothing
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


def normalize(text: str) -> str:
    """GitHub-flavoured Markdown rewritten so Python-Markdown builds the same block structure."""
    if not text.strip():
        return text
    try:
        lines = text.split("\n")
        return "\n".join(_blocks(lines, in_item=False))
    except (RecursionError, ValueError, IndexError):  # a page it cannot read stays as written
        return text


def _top_blocks(tokens: list[Token]) -> list[tuple[int, int, Token, list[Token]]]:
    """Top-level blocks as (first line, end line, opening token, tokens inside)."""
    out: list[tuple[int, int, Token, list[Token]]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level != 0 or tok.map is None:
            i += 1
            continue
        if tok.nesting == 1:
            depth, j = 0, i
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            out.append((tok.map[0], tok.map[1], tok, tokens[i + 1 : j]))
            i = j + 1
        else:
            out.append((tok.map[0], tok.map[1], tok, []))
            i += 1
    return out


def _blocks(lines: list[str], *, in_item: bool) -> list[str]:
    tokens = _parser().parse("\n".join(lines))
    out: list[str] = []
    pos = 0
    previous = ""
    for start, end, tok, inner in _top_blocks(tokens):
        if start < pos:
            continue  # overlapping maps: keep what was written
        out.extend(lines[pos:start])
        kind = tok.type
        if (kind in _LISTS and previous in _LISTS) or kind == previous == "blockquote_open":
            # two lists in a row (`1.` then `-`, or `-` then `*`), or two block quotes, are two on
            # GitHub; Python-Markdown joins them unless something stands between
            if out and out[-1].strip():
                out.append("")
            out.extend(["<!-- -->", ""])
        previous = kind
        needs_blank = kind in _NEEDS_BLANK and not (in_item and kind in _TIGHT_OK)
        if needs_blank and out and out[-1].strip():
            out.append("")
        body = lines[start:end]
        if kind in ("bullet_list_open", "ordered_list_open"):
            body = _list(body, start, inner)
        elif kind == "blockquote_open":
            body = _quote(body)
        elif kind == "fence":
            body = _closed_fence(body, tok)
        elif kind == "heading_open" and tok.markup.startswith("#"):
            # GitHub allows 3 spaces before `#`; a closing `{word}` is text there, not attr_list's
            body = [_BARE_ATTR.sub(r"\\{", line.lstrip(" ")) for line in body]
        elif kind == "heading_open" and len(body) > 2:
            # a setext heading of several lines: Python-Markdown reads only one line above `---`
            body = [" ".join(line.strip() for line in body[:-1]), body[-1]]
        elif kind == "html_block":
            body = _open_html(body)
        elif kind == "paragraph_open":
            body = [_HASH.sub(r"\1\\#", line, count=1) for line in body]
        out.extend(body)
        pos = end
        after = lines[end] if end < len(lines) else ""
        if kind in _NEEDS_BLANK and not in_item and after.strip():
            out.append("")
    out.extend(lines[pos:])
    return out


def _plain(content: list[str]) -> bool:
    """Item content that is one paragraph with nothing GitHub and Python-Markdown read apart.

    Most list items are one line of text: parsing them again would cost most of the build.
    """
    return not any(_BLOCK_START.match(line) for line in content)


def _open_html(body: list[str]) -> list[str]:
    """An HTML element left open at a blank line holds Markdown on GitHub (`<div align="center">`,
    a blank line, `## Title`, ..., `</div>`). Python-Markdown keeps everything up to `</div>` as raw
    HTML unless the element says `markdown="1"` (md_in_html)."""
    m = _HTML_OPEN.match(body[0]) if body else None
    if m is None or "markdown=" in body[0]:
        return body
    text = "\n".join(body).lower()
    opened = sum(text.count(f"<{t}") - text.count(f"</{t}") for t in _HTML_CONTAINERS)
    if opened != 1:
        # closed in the same block (raw HTML on both), or nested elements left open: that is a
        # page laid out in HTML, which Python-Markdown shows best as the raw HTML it is
        return body
    return [body[0][: m.end()] + ' markdown="1"' + body[0][m.end() :], *body[1:]]


def _closed_fence(body: list[str], tok: Token) -> list[str]:
    """A fence left open runs to the end of its container on GitHub; Python-Markdown needs it closed."""
    m = _FENCE_OPEN.match(body[0]) if body else None
    if m is None:
        return body
    fence = m.group(2)
    if len(body) > 1:
        close = _FENCE_CLOSE.match(body[-1])
        if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
            # GitHub closes at any indent up to 3 spaces; SuperFences only at the opening's indent
            return [*body[:-1], m.group(1) + close.group(1)]
    return [*body, m.group(1) + fence]


def _quote(body: list[str]) -> list[str]:
    inner = [_QUOTE.sub("", line, count=1) for line in body]
    return [("> " + line).rstrip() for line in _blocks(inner, in_item=False)]


def _list(body: list[str], offset: int, inner: list[Token]) -> list[str]:
    items = [t for t in inner if t.type == "list_item_open" and t.level == 1 and t.map is not None]
    if not items:
        return body
    # loose on GitHub: the items' own paragraphs are shown (not those of a quote inside an item)
    loose = any(t.type == "paragraph_open" and not t.hidden and t.level == 2 for t in inner)
    out: list[str] = []
    spread = False
    for n, item in enumerate(items):
        assert item.map is not None
        start, end = item.map[0] - offset, item.map[1] - offset
        chunk = body[start:end]
        m = _MARKER.match(chunk[0]) if chunk else None
        if m is None:
            return body  # a list item that does not start its line (`- - x`): keep it as written
        marker_end = m.end(2)
        spaces = len(m.group(4))
        rest = chunk[0][m.end(4) :]
        if not rest.strip() or spaces > 4:
            column = marker_end + 1  # an empty first line, or indented code after the marker
        else:
            column = marker_end + spaces
        first = chunk[0][column:] if len(chunk[0]) > column else ""
        content = [first]
        for line in chunk[1:]:
            indent = len(line) - len(line.lstrip(" "))
            content.append(line[column:] if indent >= column else line.lstrip(" "))
        while len(content) > 1 and not content[-1].strip():
            content.pop()
        trailing = (end - start) - len(content)
        marker = f"{m.group(3)}." if m.group(3) is not None else m.group(2)
        written = content if _plain(content) else _blocks(content, in_item=not loose)
        if n and (loose or spread) and out and out[-1].strip():
            # after an item of several blocks, Python-Markdown reads a marker line as more of it
            out.append("")
        spread = any(not line.strip() for line in written)
        # an empty item keeps the space after its marker: `1.` alone is text to Python-Markdown
        out.append(f"{marker} {written[0].rstrip()}" if written else f"{marker} ")
        out.extend(("    " + line) if line.strip() else "" for line in written[1:])
        out.extend([""] * trailing)
    return out


# ---------------------------------------------------------------- Python-Markdown extensions


class _Preprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return normalize("\n".join(lines)).split("\n")


class GfmBlocks(Extension):
    """Runs `normalize` on every page, after whitespace is normalized and before fences are read."""

    def extendMarkdown(self, md: Markdown) -> None:
        # normalize_whitespace is 30 (tabs expanded); fenced code / superfences read at 25 or less
        md.preprocessors.register(_Preprocessor(md), "consolidate_gfm_blocks", 29)


def mermaid_fence(source: str, language: str, css_class: str, options: Any, md: Any, **kwargs: Any) -> str:
    """A mermaid fence as the element the site's own mermaid script draws (see `MERMAID_INIT`)."""
    return f'<pre class="consolidate-mermaid">{html.escape(source)}</pre>'


def _emoji_index() -> Any:
    return _gemoji


def _gemoji(options: Any, md: Any) -> Any:
    """GitHub's emoji list, built once: pymdownx copies it for every page, a tenth of a second each."""
    return _gemoji_once()


@functools.cache
def _gemoji_once() -> Any:
    from pymdownx import emoji

    return emoji.gemoji({}, None)


def _emoji_unicode() -> Any:
    from pymdownx import emoji

    return emoji.to_alt


def extensions() -> dict[str, dict[str, Any]]:
    """The Markdown extensions GitHub's syntax needs, with their settings.

    The plugin adds each one the site's mkdocs.yml does not already configure (an owner's own
    settings win).
    """
    return {
        "tables": {},
        "footnotes": {},
        "md_in_html": {},  # Markdown inside an HTML element left open, see `_open_html`
        "admonition": {},
        # `> [!NOTE]` ... GitHub alerts become admonitions
        "github-callouts": {},
        "pymdownx.tasklist": {"custom_checkbox": True},
        # ~~strike~~ (single tildes are plain text, as in most GitHub renderings)
        "pymdownx.tilde": {"subscript": False},
        # bare URLs and www. addresses become links, as GitHub's autolinks do
        "pymdownx.magiclink": {"hide_protocol": False, "repo_url_shortener": False},
        # :rocket: becomes the Unicode character, from GitHub's own emoji list
        "pymdownx.emoji": {"emoji_index": _emoji_index(), "emoji_generator": _emoji_unicode()},
        "pymdownx.superfences": {
            "custom_fences": [{"name": "mermaid", "class": "consolidate-mermaid", "format": mermaid_fence}]
        },
    }


# Draws every mermaid diagram of the page with the mermaid script the site serves itself.
MERMAID_INIT = """\
(function () {
  function draw() {
    if (typeof mermaid === "undefined") { return; }
    var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    mermaid.run({ querySelector: "pre.consolidate-mermaid" });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
"""


# ---------------------------------------------------------------- the site's configuration

MERMAID_SCRIPT = "assets/consolidate/mermaid.min.js"
MERMAID_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*mermaid\b", re.MULTILINE)
MERMAID_INIT_SCRIPT = "assets/consolidate/mermaid-init.js"


def configure(markdown_extensions: list[Any], mdx_configs: dict[str, Any]) -> None:
    """Add GitHub's syntax to a site's Markdown settings, in place; what the owner set is kept."""
    for name, options in extensions().items():
        if name not in markdown_extensions:
            markdown_extensions.append(name)
            mdx_configs[name] = options
        elif not mdx_configs.get(name):
            mdx_configs[name] = options
        elif name == "pymdownx.superfences":
            fences = list(mdx_configs[name].get("custom_fences") or [])
            if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
                mdx_configs[name] = {**mdx_configs[name], "custom_fences": fences + options["custom_fences"]}
    markdown_extensions.append(GfmBlocks())


def mermaid_source() -> str | None:
    """Where mermaid's browser script is installed (the `mermaidx` package ships it), None if absent."""
    try:
        import importlib.resources

        path = importlib.resources.files("mermaidx").joinpath("assets", "mermaid.js")
        return str(path) if path.is_file() else None
    except (ModuleNotFoundError, OSError):
        return None


def has_mermaid(html_text: str) -> bool:
    return 'class="consolidate-mermaid"' in html_text
