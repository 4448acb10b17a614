"""The byte-exact link rewriter: golden files, spans, the parser cross-checks, path mentions."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
import yaml
from markdown_it import MarkdownIt

from consolidator.apply.rewrite import (
    Change,
    find_path_mentions,
    folder_moves,
    rewrite_document,
    rewrite_mentions,
)
from consolidator.core import textio
from consolidator.markdown.links import resolve
from consolidator.markdown.spans import LinkSpan, find_link_spans

GOLDEN = Path(__file__).parent / "golden" / "rewrite"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def _case(name: str) -> tuple[textio.Decoded, dict[str, Any], bytes]:
    folder = GOLDEN / name
    meta = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    return textio.decode((folder / "input.md").read_bytes()), meta, (folder / "expected.md").read_bytes()


def test_golden_cases_exist() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    decoded, meta, expected = _case(name)
    done = rewrite_document(
        decoded.exact, meta["old_path"], meta["new_path"], meta["moved"], files=meta.get("files")
    )
    assert textio.encode(decoded, done.text) == expected
    assert done.unmatched == ()
    if "changes" in meta:
        assert len(done.changes) == meta["changes"]
    for change in done.changes:
        assert change.old != change.new
        assert change.new in done.text.splitlines()[change.line - 1]


@pytest.mark.parametrize("name", CASES)
def test_golden_links_still_lead_where_they_did(name: str) -> None:
    """Independently of the expected files: every relative link of the output, read from the new
    location, names the (moved) path the input link named from the old location."""
    decoded, meta, _ = _case(name)
    old, new, moved = meta["old_path"], meta["new_path"], dict(meta["moved"])
    moved.setdefault(old, new)
    files = meta.get("files")
    done = rewrite_document(decoded.exact, old, new, meta["moved"], files=files)
    folders = folder_moves(moved, files or ())
    before = find_link_spans(decoded.exact)
    after = find_link_spans(done.text)
    assert [s.kind for s in before] == [s.kind for s in after]
    for a, b in zip(before, after, strict=True):
        if a.kind == "autolink":  # always absolute (a scheme, or an email address)
            assert a.target == b.target
            continue
        was, now = resolve(old, a.target), resolve(new, b.target)
        if a.target == b.target and (was.external or was.path is None or not a.target.split("#")[0]):
            continue
        assert was.path is not None
        if files and was.path not in files and was.path + ".md" in files:  # written without .md
            assert now.path is not None
            was, now = replace(was, path=was.path + ".md"), replace(now, path=now.path + ".md")
        expected = moved.get(was.path) or folders.get(was.path) or was.path
        assert now.path == expected, (a.target, b.target)
        assert now.fragment == was.fragment and now.query == was.query


def test_crlf_and_bom_cases_are_real() -> None:
    crlf = (GOLDEN / "crlf" / "input.md").read_bytes()
    assert b"\r\n" in crlf and b"\n" not in crlf.replace(b"\r\n", b"")
    assert (GOLDEN / "bom" / "input.md").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (GOLDEN / "bom" / "expected.md").read_bytes().startswith(b"\xef\xbb\xbf")


# --- spans


def test_spans_locate_destinations_exactly() -> None:
    text = (
        '# T\r\n\r\n[a](x.md "t") ![i](<a b.png>) <https://e.com>\r\n'
        '<a href="h.md">h</a>\r\n\r\n[d]:\r\n  <d f.md>\r\n'
    )
    spans = find_link_spans(text)
    assert [(s.kind, s.target, s.line, s.angle) for s in spans] == [
        ("inline", "x.md", 3, False),
        ("image", "a b.png", 3, True),
        ("autolink", "https://e.com", 3, True),
        ("html", "h.md", 4, False),
        ("definition", "d f.md", 7, True),
    ]
    for s in spans:
        assert text[s.start : s.end] == s.target


def test_spans_skip_code_and_comments() -> None:
    text = (
        "`[a](a.md)` ``[b](b.md)`` ```[c](c.md)```\n\n"
        "    [d](d.md)\n\n"
        "<!-- [e](e.md) -->\n\n"
        "````\n```\n[f](f.md)\n````\n\n"
        "- x\n\n      [g](g.md)\n\n"
        "real [h](h.md)\n"
    )
    assert [s.target for s in find_link_spans(text)] == ["h.md"]


def test_spans_follow_the_bracket_rules() -> None:
    # Inner links win over outer ones; an unmatched backtick is literal; escapes are not brackets.
    text = "[o [p](p.md)](q.md) `x [r](r.md) \\[s](s.md) [t](t(1).md) [u](u.md 'v') [w]( w.md )"
    assert [s.target for s in find_link_spans(text)] == ["p.md", "r.md", "t(1).md", "u.md", "w.md"]


def test_shortcut_and_collapsed_references_change_only_the_definition() -> None:
    text = "[api] and [api][] and [text][api]\n\n[api]: API.md\n"
    done = rewrite_document(text, "README.md", "docs/README.md", {})
    assert done.text == "[api] and [api][] and [text][api]\n\n[api]: ../API.md\n"
    assert done.changes == (Change(3, "API.md", "../API.md"),)


def test_footnote_bodies_are_text_not_definitions() -> None:
    # `[^1]: x` is a footnote (GitHub, mistune's footnotes plugin), not a reference definition.
    text = "Claim[^1].\n\n[^1]: See [the data](DATA.md) and FOOT.md.\n"
    assert [(s.kind, s.target) for s in find_link_spans(text)] == [("inline", "DATA.md")]
    out = rewrite_document(text, "CLAIM.md", "docs/CLAIM.md", {})
    assert out.text == "Claim[^1].\n\n[^1]: See [the data](../DATA.md) and FOOT.md.\n"
    assert out.unmatched == ()


def test_spans_are_linear_enough_for_big_documents() -> None:
    # Many unmatched brackets and backticks must not make the scan quadratic; a pathological
    # document of 400 KB still finds the one real link at the end.
    text = "[ ` " * 100_000 + "\n\n[end](end.md)\n"
    assert [s.target for s in find_link_spans(text)] == ["end.md"]


# --- rewriting details


def test_percent_encoding_follows_the_original_style() -> None:
    moved = {"a.md": "docs/New Folder/a.md"}
    out = rewrite_document("[x](a.md) [y](<a.md>) [z](./a.md)\n", "README.md", "README.md", moved)
    assert out.text == (
        "[x](docs/New%20Folder/a.md) [y](<docs/New Folder/a.md>) [z](./docs/New%20Folder/a.md)\n"
    )


def test_unchanged_document_is_returned_as_is() -> None:
    text = "[a](a.md)\r\n[b](https://x)\r\n"
    out = rewrite_document(text, "README.md", "README.md", {"other.md": "docs/other.md"})
    assert out.text is text and out.changes == ()


def test_links_written_oddly_but_still_right_are_kept() -> None:
    text = "[a](docs/../A.md) [b](./docs/./B.md)\n"
    out = rewrite_document(text, "README.md", "README.md", {"C.md": "docs/C.md"})
    assert out.text == text


def test_surrogate_escapes_survive() -> None:
    data = b"caf\xe9 [x](x.md) \xff\n"
    decoded = textio.decode(data)
    out = rewrite_document(decoded.exact, "A.md", "docs/A.md", {})
    assert textio.encode(decoded, out.text) == b"caf\xe9 [x](../x.md) \xff\n"


# --- disagreements with mistune are reported, never dropped


def test_link_only_mistune_sees_is_reported_as_unmatched() -> None:
    # CommonMark (and markdown-it) make `<c/>` alone on a line an HTML block that swallows the next
    # line; mistune 3.4 reads a paragraph with a link. The rewriter cannot locate that link.
    out = rewrite_document("<c/>\n[a](x.md)\n", "A.md", "docs/A.md", {})
    assert out.text == "<c/>\n[a](x.md)\n"
    assert len(out.unmatched) == 1 and out.unmatched[0].startswith("x.md ")


def test_span_mistune_disagrees_with_is_left_and_reported() -> None:
    # A fence opened in a list item ends with the item (CommonMark, markdown-it); mistune 3.4 keeps
    # the next, unindented line inside the code block. The link is left as written and reported.
    text = "- ```\n[a](x.md)\n"
    out = rewrite_document(text, "A.md", "docs/A.md", {})
    assert out.text == text and out.changes == ()
    assert len(out.unmatched) == 1 and "line 2: x.md" in out.unmatched[0]


_LINK_SHAPES = (
    "*[a](x.md)* **[b](y.md)** _[c](z.md)_ *a [b](w.md) c* __[*d*](v.md)__\n",
    "[*a*](x.md) ![*b* [c](y.md)](z.png) <a href='p.md'>x</a> *<a href=\"q.md\">y</a>*\n",
    "[a [b](x.md) c](y.md) [<http://e.example>](z.md) *[a*](w.md) [b*](v.md)*\n",
    "~~[a](x.md)~~ and [^1] then **a [b][r] c**\n\n[^1]: note [n](n.md)\n\n[r]: r.md\n",
    "| a | b |\n|---|---|\n| [t](t.md) | *[u](u.md)* |\n\n> - [q](q.md) *[s](s.md)*\n",
    '# [h](h.md) *x*\n\n***[a](x.md)*** `[c](c.md)` \\*[e](e.md)\\* [f](<f g.md> "t")\n',
)


def test_cross_check_sees_the_links_an_untouched_mistune_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cross-check's parser skips work that decides no link (emphasis resolution, a lookup per
    # run of text): what it counts must be what a plain mistune parser reports.
    from consolidator.apply import rewrite

    texts = [*_LINK_SHAPES, *((GOLDEN / name / "input.md").read_text(encoding="utf-8") for name in CASES)]
    quick = [rewrite._expected(t) for t in texts]
    monkeypatch.setattr(rewrite, "_PARSER", None)
    monkeypatch.setattr(rewrite, "_quicken", lambda inline: None)
    plain = [rewrite._expected(t) for t in texts]
    assert sum(sum(e.links.values()) for e in plain) > 100
    assert quick == plain


@pytest.mark.parametrize(
    "text",
    [
        "<c/>\n[a](x.md)\n",  # a link only mistune sees
        "- ```\n[a](x.md)\n",  # a span mistune disagrees with
        "See [a](x.md) and `[b](y.md)` and <a href='z.md'>z</a>.\n\n[r]: w.md\n",
    ],
)
def test_cross_check_in_a_worker_process_reports_what_it_does_here(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from consolidator.apply import rewrite

    here = rewrite_document(text, "A.md", "docs/A.md", {})
    sent = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(fn)
            return super().submit(fn, *args, **kwargs)

    with Pool(max_workers=1) as pool:
        assert rewrite_document(text, "A.md", "docs/A.md", {}, pool=pool) == here  # small: checked here
        assert sent == []
        monkeypatch.setattr(rewrite, "PARALLEL_CHECK_CHARS", 0)
        assert rewrite_document(text, "A.md", "docs/A.md", {}, pool=pool) == here
        assert sent == [rewrite._expected]
    # A pool that cannot take work: checked here after all.
    assert rewrite_document(text, "A.md", "docs/A.md", {}, pool=pool) == here
    assert here.unmatched or here.changes


# --- an independent parser


_HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def _markdown_it_view(text: str) -> tuple[Counter[str], dict[str, str]]:
    """Destinations markdown-it renders as links/images (decoded), and its reference definitions."""
    env: dict[str, Any] = {}
    found: Counter[str] = Counter()

    def walk(tokens: list[Any]) -> None:
        for t in tokens:
            if t.type == "link_open":
                found[unquote(t.attrGet("href"))] += 1
            elif t.type == "image":
                found[unquote(t.attrGet("src"))] += 1
            elif t.type in ("html_inline", "html_block"):
                html = re.sub(r"<!--.*?-->", "", t.content, flags=re.S)
                for m in _HTML_LINK.finditer(html):
                    found["html:" + (m.group(1) or m.group(2) or m.group(3) or "")] += 1
            if t.children:
                walk(t.children)

    # Allowed disagreement: front matter is not Markdown to us (MkDocs and code hosts strip it), while
    # markdown-it would read it as a rule and a heading; it is blanked out (line count kept) here.
    front = re.match(r"---\r?\n.*?\n---\r?\n", text, re.S)
    if front:
        text = "\n" * front.group().count("\n") + text[front.end() :]
    # Its default nesting limit (20) would turn deep lists into text: CommonMark sets none.
    walk(MarkdownIt("commonmark", {"maxNesting": 10_000}).parse(text, env))
    refs = {key: unquote(ref["href"]) for key, ref in env.get("references", {}).items()}
    return found, refs


def _our_view(text: str) -> tuple[Counter[str], set[str]]:
    found: Counter[str] = Counter()
    definitions: set[str] = set()
    for s in find_link_spans(text):
        if s.kind == "definition":
            definitions.add(unquote(s.target))
        elif s.kind == "html":
            found["html:" + s.target] += 1
        elif s.kind == "autolink" and ":" not in s.target:
            found["mailto:" + s.target] += 1  # markdown-it reports what an email autolink renders to
        else:
            found[unquote(s.target.replace("\\", ""))] += 1
    return found, definitions


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _docs_for_cross_check() -> list[tuple[str, str]]:
    docs = [(name, _case(name)[0].exact) for name in CASES]
    docs += [
        (str(p.relative_to(SAMPLES)), textio.decode(p.read_bytes()).exact)
        for p in sorted(SAMPLES.rglob("*.md"))
    ]
    docs.append(
        (
            "realistic",
            "# Project\n\n[![CI](https://ci/badge.svg)](https://ci)\n\n"
            "| Doc | Link |\n|---|---|\n| Guide | [guide](docs/guide.md) |\n\n"
            "1. Install:\n   ```bash\n   ./install.sh  # see [x](x.md)\n   ```\n"
            "2. Read [the FAQ][faq] and <https://example.com>.\n\n"
            "> **Note** see [notes](./NOTES.md#top)\n\n"
            '<p align="center"><img src="docs/logo.png"></p>\n\n[faq]: docs/FAQ.md\n',
        )
    )
    # Deep nesting, with blank lines that every list item continues across (read without visiting
    # each open container) and block quotes that stop them.
    deep = [" " * (2 * i) + f"- item {i} [l{i}](d{i}.md)" for i in range(120)]
    docs.append(("deep-list", "\n\n".join(deep) + "\n\n" + " " * 240 + "[tail](tail.md)\n"))
    quoted = "> " + "- " * 60 + "[in](in.md)\n>\n> " + " " * 120 + "[on](on.md)\n>\n\n[out](out.md)\n"
    docs.append(("deep-quoted-list", quoted))
    mixed = "".join(f"{'  ' * i}- > x{i} [m{i}](m{i}.md)\n{'  ' * (i + 1)}>\n" for i in range(40))
    docs.append(("deep-mixed", mixed + "\n[after](after.md)\n"))
    empty = "- \n\n  [not in the item](e.md)\n\n-\n  [in the item](f.md)\n"
    docs.append(("empty-items", empty))
    return docs


@pytest.mark.parametrize(("name", "text"), _docs_for_cross_check())
def test_spans_agree_with_markdown_it(name: str, text: str) -> None:
    theirs, refs = _markdown_it_view(text)
    ours, definitions = _our_view(text)
    # Allowed disagreement: markdown-it resolves reference links where they are used, we report
    # the definition (the only place the destination is written). So destinations defined by a
    # reference are compared as sets, not counted.
    # Known, not exercised here: markdown-it continues a block quote on a line indented 4+ spaces
    # (`    > x`), where CommonMark (and we) read an indented or lazy line instead.
    defined = set(refs.values())
    assert defined == definitions
    assert set(theirs) - set(ours) <= defined
    assert {k: v for k, v in theirs.items() if k not in defined} == {
        k: v for k, v in ours.items() if k not in defined
    }


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_spans_agree_with_both_parsers(corpus_clone: Path) -> None:
    repo = corpus_clone
    files = sorted(p for p in repo.rglob("*.md") if ".git" not in p.parts)
    assert len(files) > 100
    moved = {str(p.relative_to(repo)): f"docs/archive/{p.name}" for p in files if p.parent == repo}
    for path in files:
        rel = str(path.relative_to(repo))
        decoded = textio.decode(path.read_bytes())
        done = rewrite_document(decoded.exact, rel, moved.get(rel, rel), moved)
        assert done.unmatched == (), rel
        theirs, refs = _markdown_it_view(decoded.exact)
        ours, _ = _our_view(decoded.exact)
        defined = set(refs.values())
        assert {k: v for k, v in theirs.items() if k not in defined} == {
            k: v for k, v in ours.items() if k not in defined
        }, rel


# --- mentions in other files


def test_mentions_in_a_shell_script() -> None:
    script = (
        "#!/bin/sh\n"
        "# See DEPLOYMENT_GUIDE.md for details.\n"
        'cat "../DEPLOYMENT_GUIDE.md" ./DEPLOYMENT_GUIDE.md\n'
        "echo MY_DEPLOYMENT_GUIDE.md DEPLOYMENT_GUIDE.md.bak docs/DEPLOYMENT_GUIDE.md\n"
        "curl https://github.com/o/r/blob/main/DEPLOYMENT_GUIDE.md\n"
    )
    moved = {"DEPLOYMENT_GUIDE.md": "docs/operations/DEPLOYMENT_GUIDE.md"}
    found = find_path_mentions(script, "scripts/deploy.sh", moved)
    assert [(m.line, m.old, m.new) for m in found] == [
        (2, "DEPLOYMENT_GUIDE.md", "docs/operations/DEPLOYMENT_GUIDE.md"),
        (3, "../DEPLOYMENT_GUIDE.md", "../docs/operations/DEPLOYMENT_GUIDE.md"),
        (3, "./DEPLOYMENT_GUIDE.md", "./docs/operations/DEPLOYMENT_GUIDE.md"),
    ]
    out = rewrite_mentions(script, "scripts/deploy.sh", moved)
    assert out.text == (
        "#!/bin/sh\n"
        "# See docs/operations/DEPLOYMENT_GUIDE.md for details.\n"
        'cat "../docs/operations/DEPLOYMENT_GUIDE.md" ./docs/operations/DEPLOYMENT_GUIDE.md\n'
        "echo MY_DEPLOYMENT_GUIDE.md DEPLOYMENT_GUIDE.md.bak docs/DEPLOYMENT_GUIDE.md\n"
        "curl https://github.com/o/r/blob/main/DEPLOYMENT_GUIDE.md\n"
    )
    assert [c.line for c in out.changes] == [2, 3, 3]


def test_mentions_in_package_json() -> None:
    manifest = '{\r\n  "files": ["docs/old/x.md", "docs/old/x.mdx"],\r\n  "readme": "docs/old/x.md"\r\n}\r\n'
    moved = {"docs/old/x.md": "docs/archive/x.md"}
    found = find_path_mentions(manifest, "package.json", moved)
    assert [(m.line, m.old) for m in found] == [(2, "docs/old/x.md"), (3, "docs/old/x.md")]
    out = rewrite_mentions(manifest, "package.json", moved)
    assert out.text == manifest.replace('"docs/old/x.md"', '"docs/archive/x.md"')


def test_partial_names_are_not_mentions() -> None:
    moved = {"DEPLOYMENT_GUIDE.md": "docs/DEPLOYMENT_GUIDE.md"}
    text = "MY_DEPLOYMENT_GUIDE.md OLD-DEPLOYMENT_GUIDE.md DEPLOYMENT_GUIDE.mdx x/DEPLOYMENT_GUIDE.md\n"
    assert find_path_mentions(text, "Makefile", moved) == []
    assert rewrite_mentions(text, "Makefile", moved).text == text


def test_span_dataclass_is_frozen() -> None:
    span = LinkSpan(0, 1, "a", "inline", 1, False)
    with pytest.raises(AttributeError):
        span.start = 2  # type: ignore[misc]


def test_folder_moves_need_every_file_to_move_together() -> None:
    files = ["a/one.md", "a/sub/two.md", "b/one.md", "b/keep.sh", "c/x.md", "c/y.md"]
    moved = {
        "a/one.md": "docs/a/one.md",
        "a/sub/two.md": "docs/a/sub/two.md",
        "b/one.md": "docs/b/one.md",  # b keeps a script: it stays a folder of its own
        "c/x.md": "docs/c/x.md",
        "c/y.md": "elsewhere/y.md",  # c is emptied but scattered: no one place to follow
    }
    assert folder_moves(moved, files) == {"a": "docs/a", "a/sub": "docs/a/sub"}
    # a folder renamed in place
    assert folder_moves({"old/x.md": "new/x.md"}, ["old/x.md"]) == {"old": "new"}


def test_links_to_a_partly_moved_folder_stay() -> None:
    text = "[b](b/) [c](/c) [a](./a)\n"
    files = ["README.md", "a/one.md", "b/one.md", "b/keep.sh", "c/x.md"]
    moved = {"a/one.md": "docs/a/one.md", "b/one.md": "docs/b/one.md"}
    out = rewrite_document(text, "README.md", "README.md", moved, files=files)
    assert out.text == "[b](b/) [c](/c) [a](./docs/a)\n"


_AWKWARD = ["with gap.md", "p(x.md", "a<b>.md", "pct%.md", "café.md", "hash#1.md", "q?.md"]


def _awkward_rewrite() -> str:
    """Links of every style to files moved to names that need escaping, rewritten."""
    moved = {f"old{i}.md": f"new/{name}" for i, name in enumerate(_AWKWARD)}
    text = "".join(
        f"[b{i}](old{i}.md) [a{i}](<old{i}.md>)\n\n[d{i}]: old{i}.md\n\n" for i in range(len(_AWKWARD))
    )
    text += "".join(f"[u{i}][d{i}] " for i in range(len(_AWKWARD))) + "\n"
    return rewrite_document(text, "index.md", "index.md", moved).text


def test_escaped_new_names_resolve_on_github() -> None:
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="GitHub's renderer (pip install cmarkgfm) is absent")
    html = cmarkgfm.github_flavored_markdown_to_html(_awkward_rewrite())
    hrefs = [unquote(h) for h in re.findall(r'href="([^"]*)"', html)]
    assert hrefs == [f"new/{name}" for name in _AWKWARD for _ in (1, 2)] + [f"new/{n}" for n in _AWKWARD]


def test_escaped_new_names_resolve_in_a_strict_mkdocs_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "new").mkdir(parents=True)
    (docs / "index.md").write_text(_awkward_rewrite(), encoding="utf-8")
    for name in _AWKWARD:
        (docs / "new" / name).write_text("# Page\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nvalidation:\n  unrecognized_links: warn\n")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for name in _AWKWARD:  # every link reaches its page's URL (the navigation links it once more)
        assert page.count(f'href="{quote("new/" + name[:-3])}/"') >= 3, name


def test_a_link_to_a_folder_emptied_in_all_directions_is_reported() -> None:
    files = ["README.md", "c/x.md", "c/y.md"]
    moved = {"c/x.md": "docs/x.md", "c/y.md": "elsewhere/y.md"}
    out = rewrite_document("[c](c/) [x](c/x.md)\n", "README.md", "README.md", moved, files=files)
    assert out.text == "[c](c/) [x](docs/x.md)\n"
    assert out.unmatched == (
        "line 1: c/ (a folder whose files, such as c/x.md, move to several places; left as written)",
    )


def test_a_folder_is_not_read_as_a_file_without_its_extension() -> None:
    files = ["index.md", "guide.md", "guide/part.md"]
    moved = {"guide.md": "docs/guide.md"}
    out = rewrite_document("[f](guide) [g](guide.md)\n", "index.md", "index.md", moved, files=files)
    assert out.text == "[f](guide) [g](docs/guide.md)\n"


def test_a_moves_dict_filled_between_calls_is_read_afresh() -> None:
    moved: dict[str, str] = {}
    files = ["index.md", "a.md"]
    assert rewrite_document("[a](a.md)\n", "index.md", "index.md", moved, files=files).changes == ()
    moved["a.md"] = "docs/a.md"
    assert (
        rewrite_document("[a](a.md)\n", "index.md", "index.md", moved, files=files).text == "[a](docs/a.md)\n"
    )
