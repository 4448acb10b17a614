"""Link extraction checked against a second, independent reading (markdown-it-py tokens).

The scanner reads mistune's AST; this test reads markdown-it-py's token stream, a different
CommonMark implementation, and compares the link targets found in every document. Differences it
allows are normalisations, not missed links:
- markdown-it percent-encodes destinations (spaces, non-ASCII) where mistune keeps them as written:
  both sides are compared after percent-decoding;
- markdown-it decodes HTML entities inside raw HTML attributes only on its own side of the
  comparison, so raw-HTML targets are read here with an HTML parser, not a regex, and decoded too.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from consolidator.analysis.scan import scan_repo
from consolidator.markdown.parse import split_front_matter

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.found.append(value)

    handle_startendtag = handle_starttag


def _html_targets(raw: str) -> list[str]:
    parser = _Attrs()
    parser.feed(raw)
    parser.close()
    return parser.found


def second_reading(text: str) -> Counter[str]:
    _, body, _ = split_front_matter(text)
    found: Counter[str] = Counter()
    for token in _MD.parse(body):
        if token.type == "html_block":
            found.update(unquote(t) for t in _html_targets(token.content))
        for child in token.children or ():
            if child.type == "link_open":
                found[unquote(str(child.attrs.get("href", "")))] += 1
            elif child.type == "image":
                found[unquote(str(child.attrs.get("src", "")))] += 1
            elif child.type == "html_inline":
                found.update(unquote(t) for t in _html_targets(child.content))
    return found


def compare(root: Path) -> tuple[int, dict[str, tuple[Counter[str], Counter[str]]]]:
    inventory = scan_repo(root, use_cache=False)
    differences = {}
    total = 0
    for doc in inventory.documents:
        ours = Counter(unquote(link.target) for link in doc.links)
        total += sum(ours.values())
        theirs = second_reading((root / doc.path).read_text(encoding="utf-8", errors="replace"))
        if ours != theirs:
            differences[doc.path] = (ours - theirs, theirs - ours)
    return total, differences


def test_samples_links_agree_with_markdown_it(samples_repo: Path) -> None:
    total, differences = compare(samples_repo)
    assert total > 150
    assert differences == {}


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_links_agree_with_markdown_it(corpus_clone: Path) -> None:
    total, differences = compare(corpus_clone)
    assert total > 1000
    assert differences == {}
