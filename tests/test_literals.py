"""The literal prefilter of regular expressions (core.literals) and the text signals that use it:
a text the prefilter skips is one the pattern cannot match, so the signals never change."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from consolidator.core.literals import (
    alternatives,
    anchored_matches,
    condition,
    folded,
    heads,
    may_match,
    meets,
    needles,
)
from consolidator.decide import textsignals
from consolidator.decide.textsignals import CONTENT_RULES, DOC_NAME, ISO_DATE, TOOLING_FILE, signals_of
from consolidator.markdown.parse import parse_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PATTERNS = [r.pattern for r in CONTENT_RULES] + [TOOLING_FILE, DOC_NAME, ISO_DATE]


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        ("pr|pull request", 0, {"pr", "pull request"}),
        (r"\b(?:pr|pull request)\s*#\d+", re.IGNORECASE, {"pr", "pull request"}),
        ("(?:a|b)c", 0, {"c"}),
        ("x(?:ab|cd)y", 0, {"xab", "xcd"}),
        ("Deploy(?:ed)? to", re.IGNORECASE, {"deploy"}),
        (r"\d+\w+", 0, None),  # no literal at all
        ("a|\\d", 0, None),  # one alternative brings none
        ("(?:x)?y*", 0, None),  # optional parts only
        ("\u03c3\u03c3", re.IGNORECASE, None),  # σ has case partners str.lower() does not join
    ],
)
def test_needles_read_off_the_pattern(pattern: str, flags: int, expected: set[str] | None) -> None:
    found = needles(re.compile(pattern, flags))
    assert (set(found) if found is not None else None) == expected


def test_folded_keeps_offsets_and_joins_what_ignorecase_joins() -> None:
    text = "\u0130stanbul pa\u017f\u017fword \u212aey"
    low = folded(text)
    assert len(low) == len(text)
    assert "password" in low and "key" in low and low.startswith("istanbul")


def _words(pattern: re.Pattern[str]) -> list[str]:
    bare = re.sub(r"\\.", " ", pattern.pattern)  # escapes (\b, \d) are not words
    return [w for w in re.findall(r"[A-Za-z%#:/.✅-]+", bare) if len(w) > 1] or ["x"]


def _texts(
    pattern: re.Pattern[str], extra: list[str], count: int, longest: int, upper: bool
) -> Iterator[str]:
    """`count` texts of up to `longest` words drawn from the pattern's own words and `extra`, the same
    ones on every run (seeded by the pattern); a fifth upper-cased when `upper`."""
    rng = random.Random(pattern.pattern)
    vocabulary = [*_words(pattern), *extra]
    for _ in range(count):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, longest)))
        yield text.upper() if upper and rng.random() < 0.2 else text


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_a_text_the_prefilter_skips_is_one_the_pattern_cannot_match(pattern: re.Pattern[str]) -> None:
    extra = [
        "the",
        "a",
        "is",
        "was",
        "to",
        "of:",
        "#",
        "#12",
        "9fceb02",
        "2024-05-06",
        "12:30",
        "10%",
        "3/4",
        "[x]",
        "✅",
        "✔",
        "file.yml",
        "docs/a.md",
        "\u0130",
        "\u017f",
        "\n",
        "  ",
    ]
    found = needles(pattern)
    assert found, "every signal pattern has needles; without them it is scanned in full"
    matched = 0
    for text in _texts(pattern, extra, 3000, 12, upper=True):
        if pattern.search(text):
            matched += 1
            haystack = folded(text) if pattern.flags & re.IGNORECASE else text
            assert may_match(found, haystack), text
            assert meets(condition(pattern), haystack), text
    assert matched > 0  # the generator does reach the pattern


def test_signals_are_the_same_with_and_without_the_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = [parse_text(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.rglob("*.md"))]
    assert len(parses) > 10
    fast = [signals_of(p.text, p.headings) for p in parses]
    monkeypatch.setattr(textsignals, "_NEEDLES", {})
    monkeypatch.setattr(textsignals, "_HEADS", {})
    assert fast == [signals_of(p.text, p.headings) for p in parses]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_anchored_matches_are_the_scans(pattern: re.Pattern[str]) -> None:
    starts = heads(pattern)
    if starts is None:
        pytest.skip("the pattern does not start with literals")
    extra = ["the", "a", "was:", "#12", "9fceb02", "[x]", "✅", "file.yml", "\u0130", "\n", "  "]
    for text in _texts(pattern, extra, 2000, 16, upper=True):
        haystack = folded(text) if pattern.flags & re.IGNORECASE else text
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in anchored_matches(pattern, text, haystack, starts)] == expected, text


def test_heads_read_off_the_pattern() -> None:
    assert heads(re.compile(r"\b(?:pr|pull request)\s*#", re.IGNORECASE)) == {"pr", "pull request"}
    assert heads(re.compile(r"\d+ items")) is None
    assert heads(re.compile(r"x(?:ab|cd)+")) == {"x"}  # a repeat is not followed into


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_a_pattern_matches_where_one_of_its_alternatives_does(pattern: re.Pattern[str]) -> None:
    parts = alternatives(pattern)
    if parts is None:
        pytest.skip("no top-level alternatives")
    extra = ["the", "a", "12", "50%", "9fceb02", "#3", ":", "[x]", "\u2705", "\n", "  "]
    seen = 0
    for text in _texts(pattern, extra, 2000, 12, upper=False):
        found = pattern.search(text) is not None
        seen += found
        assert found == any(p.search(text) for p in parts), text
    assert seen > 0


def test_alternatives_are_split_only_at_the_top_level() -> None:
    parts = alternatives(re.compile(r"a(?:b|c)|[|x]d|e\|f", re.IGNORECASE))
    assert parts is not None
    assert [p.pattern for p in parts] == ["a(?:b|c)", "[|x]d", "e\\|f"]
    assert all(p.flags & re.IGNORECASE for p in parts)
    assert alternatives(re.compile(r"(a)|\1")) is None
    assert alternatives(re.compile("(?i)a|b")) is None
    assert alternatives(re.compile("ab")) is None


def test_condition_asks_for_every_part_of_an_alternative() -> None:
    found = condition(re.compile(r"\b(?:pr|pull request)\s*#\d+|\bcommit [0-9a-f]{7}", re.IGNORECASE))
    assert meets(found, "see pr #12")
    assert not meets(found, "a pr without a number sign")  # `pr` alone is not enough: `#` is needed
    assert meets(found, "commit 9fceb02")
    assert condition(re.compile(r"a|\d")) is None  # one alternative asks for nothing
