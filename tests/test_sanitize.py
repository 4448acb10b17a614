"""Hostile titles render as text everywhere; paths never leave the repository."""

from __future__ import annotations

import html
import os
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from rich.text import Text

from consolidator.core.errors import ConsolidatorError
from consolidator.security.sanitize import (
    UnsafePathError,
    escape_html,
    escape_markdown_inline,
    escape_rich,
    safe_relpath,
    strip_control,
)

HOSTILE_TITLES = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/t.png)",
    "**bold** _em_ `code` ~~gone~~ ==mark== ^sup^",
    "# Not a heading",
    "- not a list",
    "+ not a list either",
    "1. not an ordered list",
    "Title with trailing hash #",
    "Cells | split | here",
    "a\\*b\\ back\\\\slash",
    "<https://autolink.example>",
    "Tom & Jerry &amp; friends &lt;b&gt;",
    "{: #injected .class }",
    "[^footnote] and *[HTML]: abbreviation",
    "line one\nline two\r\n=====",
    "[bold]rich[/bold] markup",
    "plain PHASE_3_COMPLETE title (v2.0) - done!",
]


class _TextOf(HTMLParser):
    """Collects the visible text of rendered HTML and every tag that appears."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(rendered_html: str) -> _TextOf:
    parser = _TextOf()
    parser.feed(rendered_html)
    return parser


def _expected_text(title: str) -> str:
    return " ".join(title.split())


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize(
    ("template", "container"),
    [("# {}", "h1"), ("- [{}](page.md)", "a"), ("Intro text: {}", "p"), ("| a |\n|---|\n| {} |", "td")],
)
def test_markdown_titles_render_as_literal_text(title: str, template: str, container: str) -> None:
    source = template.format(escape_markdown_inline(title))
    assert "\n" not in escape_markdown_inline(title)
    renderers = {
        "python-markdown": markdown.markdown(source, extensions=["tables", "attr_list", "abbr", "footnotes"]),
        "markdown-it": MarkdownIt("commonmark").enable("table").render(source),
    }
    for name, rendered in renderers.items():
        page = _render(rendered)
        shown = "".join(page.text).strip()
        if container == "p":
            shown = shown.removeprefix("Intro text:").strip()
        if container == "td":
            shown = shown.removeprefix("a").strip()
        assert shown == _expected_text(title), f"{name}: {rendered!r}"
        allowed = {
            "h1": {"h1"},
            "a": {"ul", "li", "a"},
            "p": {"p"},
            "td": {"table", "thead", "tbody", "tr", "th", "td"},
        }
        assert set(page.tags) <= allowed[container], f"{name} produced markup: {rendered!r}"


def test_escape_html() -> None:
    title = "<script>alert('x')</script> & \"quotes\""
    escaped = escape_html(title)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and "'" not in escaped
    assert html.unescape(escaped) == title
    page = _render(f'<h1 title="{escaped}">{escaped}</h1>')
    assert page.tags == ["h1"] and "".join(page.text) == title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;owned title\x07after", "after"),
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("bell\x07 back\x08space", "bell backspace"),
        ("tab\tkept", "tab\tkept"),
        ("two\nlines\r\nhere", "two lines here"),
        ("c1 \x9b31m csi \x9d0;t\x9c end \x85next", "c1  csi  end  next"),
        ("\x1bcreset \x1b7saved", "reset saved"),
        ("del\x7f null\x00", "del null"),
        ("rtl \u202eevil\u202c override", "rtl evil override"),
        ("ünïcödé ✓ 日本", "ünïcödé ✓ 日本"),
    ],
)
def test_strip_control(raw: str, expected: str) -> None:
    assert strip_control(raw) == expected


def test_stripped_text_has_no_controls_left() -> None:
    everything = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202b\u202c\u202d\u202e\u2066\u2069"
    cleaned = strip_control(everything)
    assert all(ch == "\t" or ch == " " or 0x20 <= ord(ch) < 0x7F for ch in cleaned)
    assert "\x1b" not in cleaned and "\x9b" not in cleaned


def test_rich_markup_is_shown_literally() -> None:
    title = "[bold red]alarm[/bold red] \x1b[31m[link=https://evil.example]x[/link]"
    console = Console(record=True, width=200, color_system=None)
    console.print(escape_rich(title))
    shown = console.export_text().strip()
    assert shown == "[bold red]alarm[/bold red] [link=https://evil.example]x[/link]"
    assert Text.from_markup(escape_rich("[bold]x[/bold]")).spans == []
    assert escape_rich("ends with backslash\\").endswith("\\\\")


# --- safe_relpath --------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs" / "guides").mkdir(parents=True)
    (root / ".git").mkdir()
    (tmp_path / "outside").mkdir()
    return root


@pytest.mark.parametrize(
    "rel",
    [
        "docs/guides/setup.md",
        "docs/new/folder/page.md",
        "README.md",
        "./docs/a.md",
        "docs//a.md",
        "docs/x/../a.md",
    ],
)
def test_safe_relpath_accepts_paths_inside(repo: Path, rel: str) -> None:
    path = safe_relpath(repo, rel)
    assert path.is_absolute()
    assert path.is_relative_to(repo.resolve())
    assert path == repo.resolve() / os.path.normpath(rel)


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (".", "repository itself"),
        ("/etc/passwd", "absolute"),
        ("~/notes.md", "absolute"),
        ("C:/Windows/x.md", "absolute"),
        ("//server/share/x.md", "absolute"),
        ("../outside/x.md", "outside"),
        ("docs/../../outside/x.md", "outside"),
        ("..", "outside"),
        (".git/config", ".git"),
        ("docs/.git/hooks/pre-commit", ".git"),
        (".GIT/hooks/post-checkout", ".git"),
        ("..\\outside\\x.md", "backslash"),
        ("docs/a\x00.md", "control"),
        ("docs/\x1b[31m.md", "control"),
    ],
)
def test_safe_relpath_refuses(repo: Path, rel: str, reason: str) -> None:
    with pytest.raises(UnsafePathError) as err:
        safe_relpath(repo, rel)
    assert reason in str(err.value)
    assert isinstance(err.value, ConsolidatorError)
    assert "\x1b" not in str(err.value) and "\x00" not in str(err.value)


def test_safe_relpath_refuses_symlinks(repo: Path, tmp_path: Path) -> None:
    (repo / "docs" / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    (repo / "docs" / "inner").symlink_to(repo / "docs" / "guides", target_is_directory=True)
    (repo / "page.md").symlink_to(tmp_path / "outside" / "target.md")
    for rel in ("docs/link/x.md", "docs/inner/x.md", "page.md", "docs/link"):
        with pytest.raises(UnsafePathError, match="symbolic link"):
            safe_relpath(repo, rel)
    assert not (tmp_path / "outside" / "target.md").exists()


def test_safe_relpath_through_a_symlinked_repository_root(tmp_path: Path, repo: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(repo, target_is_directory=True)
    assert safe_relpath(alias, "docs/a.md") == repo.resolve() / "docs" / "a.md"
