"""Does the site render a page as GitHub does? Compare the block structure of two renderings.

GitHub renders a document with cmark-gfm (the `cmarkgfm` package binds it); the site renders it
with Python-Markdown through MkDocs. `structure()` reduces either HTML to what a reader navigates by
(headings, list items and their nesting, tables and their shape, code blocks, block quotes and
alerts, links, task boxes, footnotes) and `first_difference()` says where two reductions part.

What each renderer adds on its own is left out: the site's permalinks, the title Material prints
when a page has no heading of its own, the superseded notice on archived duplicates; GitHub's
alerts (`> [!NOTE]`) and the site's admonitions both count as an alert; links the site turned into
plain text (they lead out of the site) still count as links.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..core.errors import SiteError

_ALERT = re.compile(r"^\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_SUPERSEDED = "Superseded."  # the notice `superseded.md.j2` puts on archived duplicates
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def github_html(markdown: str) -> str:
    """The HTML GitHub's parser makes of a document (front matter left out, as the site does)."""
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options
    except ImportError as exc:
        raise SiteError("the fidelity check needs the cmarkgfm package (pip install cmarkgfm)") from exc
    from mkdocs.utils.meta import get_data

    body, _ = get_data(markdown)  # the front matter MkDocs takes off (GitHub shows it as a table)
    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
    html: str = cmarkgfm.github_flavored_markdown_to_html(body, options=options)
    return html


def article(page_html: str) -> str:
    """The content of a built MkDocs Material page (its `<article>`)."""
    start = page_html.find('<article class="md-content__inner')
    if start < 0:
        return page_html
    start = page_html.find(">", start) + 1
    end = page_html.rfind("</article>")
    return page_html[start : end if end > start else len(page_html)]


def _heading_text(text: str) -> str:
    text = _SHORTCODE.sub("", text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


class _Structure(HTMLParser):
    def __init__(self, *, site: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.site = site
        self.tokens: list[str] = []
        self.stack: list[tuple[str, str]] = []  # (tag, role) of open elements
        self.lists: list[str] = []
        self.quotes: list[int] = []  # index of the token each open block quote wrote
        self.heading: list[str] | None = None
        self.skip = 0  # inside something that is not compared (permalinks, the superseded notice)
        self.footnotes = 0
        self.in_footnotes = 0
        self.table: list[int] | None = None

    # element roles

    def _role(self, tag: str, attrs: dict[str, str | None]) -> str:
        css = (attrs.get("class") or "").split()
        if self.skip or self.in_footnotes:
            if self.in_footnotes and tag == "li" and len([s for s in self.stack if s[0] in "ol"]) == 1:
                self.footnotes += 1
            return "skip" if self.skip else "footnotes-inner"
        if "headerlink" in css or "md-content__button" in css or "footnote-backref" in css:
            return "skip"
        footnote_link = (
            "footnote-ref" in css or "data-footnote-ref" in attrs or "data-footnote-backref" in attrs
        )
        if tag == "a" and footnote_link:
            return "skip"
        if (tag == "section" and "footnotes" in css) or (tag == "div" and "footnote" in css):
            return "footnotes"
        if tag == "div" and "admonition" in css:
            return "alert"
        if tag == "details":
            return "alert"
        return ""

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        role = self._role(tag, attrs)
        if tag in _VOID:
            if not role and tag == "input" and (attrs.get("type") or "").lower() == "checkbox":
                self.tokens.append("task")
            return
        self.stack.append((tag, role))
        if role == "skip":
            self.skip += 1
            return
        if role == "footnotes":
            self.in_footnotes += 1
            return
        if role == "footnotes-inner":
            return
        if role == "alert":
            self.tokens.append("alert")
            return
        if tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "li" and self.lists:
            self.tokens.append("li " + "/".join(self.lists))
        elif re.fullmatch(r"h[1-6]", tag):
            # Material prints the page title as an h1 without an id when the page has no h1
            if self.site and "id" not in attrs:
                self.stack[-1] = (tag, "skip")
                self.skip += 1
                return
            self.heading = [tag]
        elif tag == "blockquote":
            self.quotes.append(len(self.tokens))
            self.tokens.append("quote")
            self.stack[-1] = (tag, "quote")
        elif tag == "pre":
            self.tokens.append("code")
        elif tag == "table":
            self.table = [0, 0]
        elif tag == "tr" and self.table is not None:
            self.table[0] += 1
        elif tag in ("td", "th") and self.table is not None and self.table[0] == 1:
            self.table[1] += 1
        elif (tag == "a" and "href" in attrs) or (
            tag == "span" and "consolidate-path" in (attrs.get("class") or "")
        ):
            self.tokens.append("link")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # close up to the matching element (HTML written by hand may leave some open)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        while len(self.stack) > i:
            open_tag, role = self.stack.pop()
            self._close(open_tag, role)

    def _close(self, tag: str, role: str) -> None:
        if role == "skip":
            self.skip -= 1
            return
        if role == "footnotes":
            self.in_footnotes -= 1
            return
        if role in ("footnotes-inner", "alert"):
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif self.heading is not None and tag == self.heading[0]:
            self.tokens.append(f"{tag} {_heading_text(''.join(self.heading[1:]))}")
            self.heading = None
        elif tag == "blockquote" and self.quotes:
            self.quotes.pop()
        elif tag == "table" and self.table is not None:
            self.tokens.append(f"table {self.table[0]}x{self.table[1]}")
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.skip or self.in_footnotes:
            return
        if self.heading is not None:
            self.heading.append(data)
        if self.quotes and data.strip():
            at = self.quotes[-1]
            if self.tokens[at] == "quote" and len(self.tokens) == at + 1:
                # the first text of a block quote: GitHub's alert marker, or the site's notice
                if _ALERT.match(data):
                    self.tokens[at] = "alert"
                elif self.site and data.strip() == _SUPERSEDED:
                    self.tokens[at] = "superseded"
                else:
                    self.tokens[at] = "quote "
            elif self.tokens[at] == "quote":
                self.tokens[at] = "quote "

    def result(self) -> list[str]:
        out: list[str] = []
        skip_notice = False
        for token in self.tokens:
            if token == "superseded":
                skip_notice = True  # the notice and its link
                continue
            if skip_notice and token == "link":
                skip_notice = False
                continue
            skip_notice = False
            out.append(token.rstrip())
        if self.footnotes:
            out.append(f"footnotes {self.footnotes}")
        return out


def structure(html: str, *, site: bool = False) -> list[str]:
    """The block structure of rendered HTML, one token per element a reader navigates by."""
    parser = _Structure(site=site)
    parser.feed(html)
    parser.close()
    return parser.result()


@dataclass(frozen=True)
class Difference:
    index: int  # position in the structure where the two part
    github: str  # GitHub's token there ("" when GitHub's structure ended)
    site: str
    context: str  # the last heading before it

    def __str__(self) -> str:
        where = f" after {self.context!r}" if self.context else ""
        github, site = self.github or "nothing", self.site or "nothing"
        return f"item {self.index}{where}: GitHub has {github!r}, the site {site!r}"


def first_difference(github: list[str], site: list[str]) -> Difference | None:
    """Where the site's structure first departs from GitHub's, None when they are the same."""
    for i in range(max(len(github), len(site))):
        a = github[i] if i < len(github) else ""
        b = site[i] if i < len(site) else ""
        if a != b:
            context = next((t for t in reversed(github[:i]) if re.match(r"h[1-6] ", t)), "")
            return Difference(i, a, b, context)
    return None


def compare(markdown: str, site_html: str) -> Difference | None:
    """Compare a document's GitHub rendering with the site's rendering of it (its built page)."""
    return first_difference(structure(github_html(markdown)), structure(article(site_html), site=True))


@dataclass(frozen=True)
class PageResult:
    repo_path: str  # the document
    page: str  # its built HTML file, relative to the site folder
    difference: Difference | None  # None: the same structure as GitHub's rendering
    missing: bool = False  # the page was not built


def built_page(site_path: str) -> str:
    """The HTML file MkDocs writes for a page (directory URLs, MkDocs' default)."""
    stem, _, _ = site_path.rpartition(".")
    if posixpath.basename(stem) in ("index", "README"):  # MkDocs' own test, case and all
        folder = posixpath.dirname(stem)
        return f"{folder}/index.html" if folder else "index.html"
    return f"{stem}/index.html"


def check_site(repo: Path, site_dir: Path, pages: Iterable[tuple[str, str]]) -> list[PageResult]:
    """Compare every repository document (repository path, site path) with its built page."""
    out = []
    for repo_path, site_path in pages:
        built = built_page(site_path)
        try:
            page_html = (site_dir / built).read_text(encoding="utf-8")
        except OSError:
            out.append(PageResult(repo_path, built, None, missing=True))
            continue
        text = (repo / repo_path).read_text(encoding="utf-8", errors="replace")
        out.append(PageResult(repo_path, built, compare(text, page_html)))
    return out
