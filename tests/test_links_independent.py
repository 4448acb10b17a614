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

import os
import posixpath
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from consolidator.analysis.scan import scan_repo
from consolidator.core import gitio
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


# ---------------------------------------------------------------------------------------------
# Links kept by apply, counting every reference definition (used or not) and links to folders

_NOTICE = "> **Archived.**"  # the archive notice line apply may add (its link is counted apart)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def every_target(text: str) -> list[str]:
    """Every link destination markdown-it reads in a document, in order: links and images in use,
    every reference definition whether a link uses it or not, and href/src of raw HTML."""
    _, body, _ = split_front_matter(text)
    env: dict[str, Any] = {}
    found: list[str] = []
    for token in _MD.parse(body, env):
        if token.type == "html_block":
            found.extend(_html_targets(token.content))
        for child in token.children or ():
            if child.type == "link_open":
                found.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                found.append(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                found.extend(_html_targets(child.content))
    found.extend(ref["href"] for ref in env.get("references", {}).values())
    return found


def resolves(source: str, href: str, files: set[str], folders: set[str]) -> bool | None:
    """Whether a relative link of `source` names an existing file or folder (the fragment is not
    checked); None for links that name no repository path (external, fragment-only)."""
    if not href or _SCHEME.match(href) or href.startswith("#"):
        return None
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(source), path)
    target = posixpath.normpath(joined) if joined else "."
    if target == ".." or target.startswith("../"):
        return False
    return target == "." or target in files or target in folders


def link_states(repo: Path) -> dict[str, list[bool]]:
    """For each tracked Markdown file, whether each of its relative links resolves."""
    listed = gitio.run_git(repo, "ls-files", "-z").decode("utf-8", "surrogateescape")
    files = set(listed.split("\0")) - {""}
    folders = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    out: dict[str, list[bool]] = {}
    for path in sorted(f for f in files if f.lower().endswith(".md")):
        text = (repo / path).read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
        text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(_NOTICE))
        states = [resolves(path, h, files, folders) for h in every_target(text)]
        out[path] = [s for s in states if s is not None]
    return out


def lost_links(
    before: dict[str, list[bool]], after: dict[str, list[bool]], moves: dict[str, str]
) -> list[str]:
    """Links that resolved before apply and no longer do (document by document, link by link)."""
    lost = []
    for path, states in before.items():
        now = after[moves.get(path, path)]
        assert len(now) == len(states), f"{path}: {len(states)} links before, {len(now)} after"
        lost += [
            f"{path}: link {i + 1}" for i, (a, b) in enumerate(zip(states, now, strict=True)) if a and not b
        ]
    return lost


def test_every_definition_is_read(tmp_path: Path) -> None:
    text = "[used][a]\n\n[a]: one.md\n[unused]: ./two.md\n[dir]: ../\n\n<a href='three/'>x</a>\n"
    # the link in use and its definition both count
    assert sorted(every_target(text)) == ["../", "./two.md", "one.md", "one.md", "three/"]
    assert resolves("a/b.md", "../", {"a/b.md"}, {"a"}) is True
    assert resolves("a/b.md", "../../", {"a/b.md"}, {"a"}) is False
    assert resolves("b.md", "/a", {"a/b.md"}, {"a"}) is True


def test_samples_apply_keeps_definitions_and_folder_links(samples_repo: Path) -> None:
    """Apply the reviewed samples plan, after adding links of the kinds editors follow: a definition
    no link uses, links to folders (a document's own, a parent, a root-relative one)."""
    from test_apply import IDENTITY, sample_plan, write_plan

    from consolidator.apply.apply import apply_plan
    from consolidator.core.models import Decision, Plan

    for key, value in IDENTITY.items():
        os.environ.setdefault(key, value)
    plan = sample_plan(samples_repo)
    moved = sorted(plan.moves())
    extra = "\n".join(
        [
            "",
            f"[unused-definition]: ./{moved[0]}",
            f"[unused-angle]: <{moved[1]}> 'a title'",
            "[own folder](./) [root](/) [docs](docs/) [rooted](/docs)",
            f'<a href="{moved[2]}">raw</a>',
            "",
        ]
    )
    for name in (moved[0], "README.md"):
        with (samples_repo / name).open("a", encoding="utf-8") as handle:
            handle.write(extra)
    (samples_repo / "docs").mkdir(exist_ok=True)
    (samples_repo / "docs" / "KEEP.md").write_text(f"[up](../{moved[3]})\n\n[def]: ../{moved[4]}\n")
    # A folder whose every file moves: links to the folder follow it.
    (samples_repo / "notes").mkdir()
    for name in ("a.md", "b.md"):
        (samples_repo / "notes" / name).write_text("[folder](./) [up](../)\n\n[me]: ../notes/\n")
    with (samples_repo / "README.md").open("a", encoding="utf-8") as handle:
        handle.write("\n[notes](notes/) [rooted](/notes)\n\n[notes-def]: ./notes\n")
    gitio.run_git(samples_repo, "add", "-A")
    gitio.run_git(samples_repo, "commit", "-q", "-m", "more links")
    plan = sample_plan(samples_repo)
    notes = []
    for name in ("a.md", "b.md"):
        blob = gitio.blob_id((samples_repo / "notes" / name).read_bytes())
        notes.append(
            Decision(f"notes/{name}", "move", f"docs/notes/{name}", "notes", None, ("t",), 1.0, blob)
        )
    plan = Plan(plan.header, (*plan.entries, *notes))
    write_plan(samples_repo, plan)
    before = link_states(samples_repo)
    apply_plan(samples_repo)
    after = link_states(samples_repo)
    total = sum(sum(s) for s in before.values())
    assert total > 150
    assert lost_links(before, after, plan.moves()) == []
