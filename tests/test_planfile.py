from __future__ import annotations

import os
from pathlib import Path

import pytest

from consolidator.core.errors import PlanError
from consolidator.core.models import BrokenLink, Cluster, Decision, Plan, PlanHeader, Reason
from consolidator.decide.planfile import dump_plan, load_plan, parse_plan, validate_plan, write_plan


def _entry(source: str, action: str = "archive", destination: str | None = None, **kw: object) -> Decision:
    return Decision(
        source=source,
        action=action,
        destination=destination,
        section=kw.get("section"),  # type: ignore[arg-type]
        canonical=kw.get("canonical"),  # type: ignore[arg-type]
        reasons=("because",),
        confidence=0.8,
        blob="0" * 40,
    )


def _plan(*entries: Decision) -> Plan:
    return Plan(PlanHeader("consolidator test", "repo", "abc"), tuple(entries))


def test_round_trip_is_byte_identical_and_sorted(tmp_path: Path) -> None:
    plan = Plan(
        PlanHeader("consolidator 0.1.0", "repo", "c0ffee", (("root_budget", "10"),), (("root_before", 3),)),
        (
            _entry("b.md", "merge", "docs/archive/b.md", canonical="a.md"),
            _entry("a.md", "keep"),
            _entry("Weird: 'name' #1.md", "move", "docs/guides/Weird: 'name' #1.md", section="guides"),
        ),
        (
            Cluster(
                "dup-a", "duplicate", ("a.md", "b.md"), "a.md", "a", ("cosine 0.93",), (("b.md", ("Extra",)),)
            ),
        ),
        (BrokenLink("a.md", 4, "gone.md", "gone.md", "missing file", "docs/gone.md"),),
    )
    text = dump_plan(plan)
    assert text.index("Weird: ") < text.index("source: a.md") < text.index("source: b.md")
    again = parse_plan(text)
    assert dump_plan(again) == text
    assert again.entries[2].canonical == "a.md"
    assert again.clusters[0].unique_content == (("b.md", ("Extra",)),)
    assert again.broken_links == plan.broken_links
    write_plan(plan, tmp_path / ".consolidate" / "plan.yaml")
    assert load_plan(tmp_path / ".consolidate" / "plan.yaml") == again


def test_reading_reports_every_problem_at_once() -> None:
    text = """
entries:
  - source: a.md
    action: delete
  - action: keep
  - source: c.md
    action: keep
    colour: blue
    confidence: high
"""
    with pytest.raises(PlanError) as caught:
        parse_plan(text)
    problems = caught.value.problems
    assert any("a.md" in p and "'delete'" in p for p in problems)
    assert any("`source` is missing" in p for p in problems)
    assert any("unknown field(s) colour" in p for p in problems)
    assert any("confidence 'high'" in p for p in problems)
    assert len(problems) == 4


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="not valid YAML"):
        parse_plan("entries: [unclosed")
    with pytest.raises(PlanError, match="run `consolidate plan` first"):
        load_plan(tmp_path / "nope.yaml")


def test_validation_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "taken.md").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "linked")
    files = {
        "a.md",
        "b.md",
        "c.md",
        "d.md",
        "e.md",
        "f.md",
        "g.md",
        "h.md",
        "i.md",
        "docs/taken.md",
        "Readme.md",
    }
    plan = _plan(
        _entry("ghost.md", "archive", "docs/archive/ghost.md"),
        _entry("a.md", "archive", "docs/x.md"),
        _entry("b.md", "archive", "docs/X.md"),
        _entry("c.md", "move", "/etc/c.md"),
        _entry("d.md", "move", "../outside/d.md"),
        _entry("e.md", "move", ".git/hooks/e.md"),
        _entry("f.md", "move", "docs/taken.md"),
        _entry("g.md", "move", "linked/g.md"),
        _entry("h.md", "merge", "docs/archive/h.md"),
        _entry("i.md", "keep"),
        _entry("i.md", "move", "docs/i.md"),
        _entry("Readme.md", "keep"),
        _entry("README.md", "archive", "README.MD"),
    )
    problems = validate_plan(plan, tmp_path, files)
    text = "\n".join(problems)
    assert "ghost.md: unknown source" in text
    assert "differ only in case" in text
    assert "c.md: destination /etc/c.md is an absolute path" in text
    assert "d.md: destination ../outside/d.md is not a normalised path" in text or "outside" in text
    assert "e.md: destination .git/hooks/e.md is inside .git" in text
    assert "f.md: destination docs/taken.md already exists" in text
    assert "g.md: destination linked/g.md crosses the symbolic link linked" in text
    assert "h.md: action merge needs `canonical`" in text
    assert "i.md: listed twice with different decisions (keep and move)" in text
    assert "collides with Readme.md when case is ignored" in text
    assert len(problems) >= 11


def test_a_valid_plan_has_no_problems_and_edits_stay_valid(tmp_path: Path) -> None:
    files = {"a.md", "b.md", "README.md"}
    plan = _plan(
        _entry("README.md", "keep"),
        _entry("a.md", "move", "docs/guides/a.md", section="guides"),
        _entry("b.md", "merge", "docs/archive/2025-01/b.md", canonical="a.md"),
    )
    assert validate_plan(plan, tmp_path, files) == []
    # A reviewer deletes an entry and flips another to keep: still valid.
    edited = parse_plan(
        dump_plan(plan)
        .replace("action: merge", "action: keep")
        .replace("destination: docs/archive/2025-01/b.md", "destination: null")
    )
    assert validate_plan(edited, tmp_path, files) == []
    assert validate_plan(_plan(*plan.entries[:2]), tmp_path, files) == []


def test_swapping_two_files_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "b.md").write_text("b")
    plan = _plan(_entry("a.md", "move", "b.md"), _entry("b.md", "move", "a.md"))
    assert validate_plan(plan, tmp_path, {"a.md", "b.md"}) == []


# Strings that PyYAML writes plain, single-quoted, double-quoted with escapes, folded past the width, on
# several lines, or as a complex key; and numbers that are not plain decimals.
_AWKWARD = (
    "plain words",
    "",
    " leading space",
    "trailing space ",
    "null",
    "~",
    "yes",
    "No",
    "1.0",
    "0x1F",
    "2024-01-02",
    "12:30",
    "- dash first",
    "? question",
    "key: value",
    "a #hash",
    "#first",
    "it's",
    "'quoted'",
    '"double"',
    "tab\there",
    "bell\x07",
    "bom\ufeff",
    "line one\nline two",
    "carriage\rreturn",
    "next\x85line",
    "wide é ü 中文 🎉",
    "[brackets]",
    "{braces}",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick`",
    "|pipe",
    ">fold",
    "word " * 1200,
    "x" * 5000,
    "p/" * 70 + "long-key.md",
)


def test_the_plan_writer_writes_what_pyyaml_writes() -> None:
    """dump_plan writes most items itself (see planfile._BlockWriter): byte for byte PyYAML's output,
    whatever the strings, numbers and shapes."""
    from consolidator.decide.planfile import _HEADER_COMMENT, _pyyaml, plan_to_dict

    entries = tuple(
        Decision(
            source=f"{i:03d}-{s}",
            action="merge" if i % 2 else "keep",
            destination=s or None,
            section=s if i % 3 else None,
            canonical=s if i % 5 else None,
            reasons=tuple(Reason(x) for x in _AWKWARD[i : i + 3]),
            confidence=(0.5, 1.0, 1e-07, 12345.678, float("inf"), float("nan"), 0.0)[i % 7],
            blob=("0" * 40, "1" * 40, "1e10", "deadbeef")[i % 4],
            kind=s,
        )
        for i, s in enumerate(_AWKWARD)
    )
    clusters = [
        Cluster(
            f"dup-{i}",
            "duplicate",
            (s, "other.md"),
            s or None,
            s,
            _AWKWARD[i : i + 2],
            ((s, _AWKWARD[i : i + 2]), ("plain.md", ())),
            (0.123, 2.5e-5, 1.0)[i % 3],
        )
        for i, s in enumerate(_AWKWARD)
    ]
    clusters.append(Cluster("empty", "topic", ()))
    broken = tuple(BrokenLink(s, i, s, s or None, "missing file", s or None) for i, s in enumerate(_AWKWARD))
    plan = Plan(PlanHeader("consolidator test", "repo", None), entries, tuple(clusters), broken)
    assert dump_plan(plan) == _HEADER_COMMENT + _pyyaml(plan_to_dict(plan))
    empty = Plan(PlanHeader("consolidator test", "repo", "abc"), ())
    assert dump_plan(empty) == _HEADER_COMMENT + _pyyaml(plan_to_dict(empty))
