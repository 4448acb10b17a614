from __future__ import annotations

import pytest

from consolidator.markdown.parse import (
    date_in_name,
    find_date,
    github_slug,
    mkdocs_slug,
    parse_text,
    split_front_matter,
    unique_ids,
)


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("1. ✅ Gateway Auth (Issue #3)", "1--gateway-auth-issue-3"),
        ("Quick Start", "quick-start"),
        ("What's new in v2.0?", "whats-new-in-v20"),
        ("API / REST", "api--rest"),
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
        ("Déploiement rapide", "déploiement-rapide"),
        ("🚀 Launch", "-launch"),
    ],
)
def test_github_slug(heading: str, expected: str) -> None:
    assert github_slug(heading) == expected


def test_mkdocs_slug_matches_github_for_common_headings() -> None:
    assert mkdocs_slug("1. ✅ Gateway Auth (Issue #3)") == "1--gateway-auth-issue-3"
    assert mkdocs_slug("Quick Start") == "quick-start"


def test_repeated_headings_are_numbered_each_way() -> None:
    assert unique_ids(["a", "a", "b", "a"], "-") == ["a", "a-1", "b", "a-2"]
    assert unique_ids(["a", "a"], "_") == ["a", "a_1"]


def test_front_matter_is_split_and_not_parsed_as_markdown() -> None:
    meta, body, used = split_front_matter("---\ntitle: Hello\ndate: 2025-01-02\n---\n# Body\n")
    assert meta["title"] == "Hello"
    assert body == "# Body\n"
    assert used == 4
    parsed = parse_text("---\ntitle: Hello\n---\n# Body\n")
    assert [h.text for h in parsed.headings] == ["Body"]
    assert parsed.headings[0].line == 4


def test_not_front_matter_when_unclosed_or_not_a_mapping() -> None:
    assert split_front_matter("---\njust a rule\n")[0] == {}
    assert split_front_matter("---\n- a\n- b\n---\n")[0] == {}


SOURCE = """# Guide *one*

Intro with [inline](docs/a.md "Title"), ![pic](img/p.png) and [ref][r].
Also <https://example.com/x> and <a href="b.md#sec">html</a>.

## Setup

`[span](span.md)`

    [indented](indented.md)

```md
[fenced](fenced.md)
```

<div><img src='assets/logo.png'></div>

[r]: ./ref.md#Setup
"""


def test_links_of_every_kind_and_none_from_code() -> None:
    parsed = parse_text(SOURCE)
    found = {(link.target, link.kind, link.is_image) for link in parsed.links}
    assert found == {
        ("docs/a.md", "inline", False),
        ("img/p.png", "inline", True),
        ("./ref.md#Setup", "reference", False),
        ("https://example.com/x", "autolink", False),
        ("b.md#sec", "html", False),
        ("assets/logo.png", "html", True),
    }
    ref = next(link for link in parsed.links if link.kind == "reference")
    assert ref.label == "r"
    assert ref.definition_line == 18
    assert ref.line == 3
    assert next(link for link in parsed.links if link.target == "assets/logo.png").line == 16


def test_headings_lines_and_sections() -> None:
    parsed = parse_text(SOURCE)
    assert [(h.level, h.text, h.line) for h in parsed.headings] == [(1, "Guide one", 1), (2, "Setup", 6)]
    assert parsed.h1 == "Guide one"
    assert parsed.code_blocks == 2
    assert "fenced" not in parsed.text
    assert [s.heading for s in parsed.sections] == ["Guide one", "Setup"]


def test_dates_from_labelled_lines_and_front_matter() -> None:
    text = "---\ndate: 2025-02-03\n---\n# R\n\n**Report Date:** November 14, 2025\nLast Updated: 2025/10/01\n"
    parsed = parse_text(text)
    dates = {(d.label, d.date) for d in parsed.dates}
    assert ("date", "2025-02-03") in dates
    assert ("Report Date", "2025-11-14") in dates
    assert ("Last Updated", "2025-10-01") in dates


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2025-11-14", "2025-11-14"),
        ("Nov 4, 2025 (final)", "2025-11-04"),
        ("14 November 2025", "2025-11-14"),
        ("December 2024", "2024-12-01"),
        ("no date here", None),
        ("2025-13-45", None),
    ],
)
def test_find_date(value: str, iso: str | None) -> None:
    assert find_date(value) == iso


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("REPORT_2024_11_28.md", "2024-11-28"),
        ("audit-20251128.md", "2025-11-28"),
        ("STATUS_DEC_2024.md", "2024-12-01"),
        ("notes-2025-03.md", "2025-03-01"),
        ("PHASE_2_COMPLETE.md", None),
        ("README_2025.md", None),
    ],
)
def test_date_in_name(name: str, iso: str | None) -> None:
    found = date_in_name(name)
    assert (found[1] if found else None) == iso


def test_crlf_text_parses_like_lf() -> None:
    lf = parse_text(SOURCE)
    crlf = parse_text(SOURCE.replace("\n", "\r\n"))
    assert [h.text for h in crlf.headings] == [h.text for h in lf.headings]
    assert [link.target for link in crlf.links] == [link.target for link in lf.links]
    assert [h.line for h in crlf.headings] == [h.line for h in lf.headings]


def test_explicit_html_anchors_are_collected() -> None:
    parsed = parse_text('# T\n\n<a name="custom"></a>\n\n## H {#attr-id}\n')
    assert "custom" in parsed.html_ids
    assert "attr-id" in parsed.html_ids


def test_front_matter_values_written_once_are_told_apart() -> None:
    """Non-string front-matter values are written as YAML once per distinct value (kept between
    documents): values Python deems equal but YAML writes differently must never share an entry."""
    import yaml

    from consolidator.markdown import parse

    def written(value: object) -> str:
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=True).strip()

    values: list[object] = [
        1,
        True,
        1.0,
        0,
        False,
        0.0,
        -0.0,
        None,
        [1, "a"],
        [True, "a"],
        ["1", "a"],
        {"a": 1},
        {"a": True},
        {"a": [1.0, None]},
    ]
    for _ in range(2):  # the second time from what the first kept
        for value in values:
            assert parse._scalar(value) == written(value), value
    assert len({parse._scalar(v) for v in values}) == len(values)


def test_word_count_is_the_count_of_word_runs() -> None:
    """An ASCII text's words are counted by `str.split` after a translation: the same count as
    `\\w+` matches, for every ASCII character and for texts that are not ASCII."""
    import re

    from consolidator.markdown.parse import word_count

    every = "".join(chr(c) for c in range(128))
    texts = [
        "",
        every,
        every * 3 + "tail",
        "snake_case and kebab-case, v2.0: 100% done!\tnext\x0bline\x1fend",
        "__init__ --flag=1 a.b/c x\u00a0y",  # not ASCII: the regex itself
        "Déjà vu, naïve café",
        "\x00\x01word\x7fword",
    ]
    for text in texts:
        assert word_count(text) == len(re.findall(r"\w+", text)), text


def test_links_with_letters_mistune_percent_encodes_get_their_line() -> None:
    text = "# Notas\n\nIntro.\n\n- [Índice](#visão-geral)\n- [Rota](api/[slug].ts)\n- [Café](CAFÉ_NOTAS.md)\n"
    parsed = parse_text(text)
    assert [(link.target, link.line) for link in parsed.links] == [
        ("#vis%C3%A3o-geral", 5),
        ("api/%5Bslug%5D.ts", 6),
        ("CAF%C3%89_NOTAS.md", 7),
    ]
