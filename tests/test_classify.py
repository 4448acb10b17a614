from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.core.config import Config
from consolidator.core.conventions import is_conventional
from consolidator.core.errors import ConsolidatorError
from consolidator.core.models import DateFact, Dates, Document
from consolidator.decide.classify import Classification, Context, classify, section_for
from consolidator.decide.evidence import (
    gather_evidence,
    phase_of,
    phases_done,
    signal_idle_share,
    signal_left_behind,
)
from consolidator.decide.rules import RULES
from consolidator.decide.weights import Weights, default_weights, parse_weights, prior_weights
from tests.conftest import RepoMaker, write_files

REPORT = """# Payment Webhooks - Implementation Complete ✅

**Date:** 2025-03-02
**Status:** ✅ COMPLETE

## What Was Done

- ✅ Implemented signature checks
- ✅ Added retry queue
- ✅ Fixed duplicate deliveries
- ✅ Updated the dashboard

## Files Changed

- `src/webhooks/sign.py`

## Next Steps

- Monitor error rates
"""

GUIDE = """# Webhooks Guide

This guide explains how to receive webhook events and verify their signatures.

## Prerequisites

You need an API key and a public HTTPS endpoint.

## Setup

1. Open the settings page and add your endpoint URL.
2. Copy the signing secret into your `.env` file.

## Troubleshooting

If deliveries fail, check the response code your endpoint returns.
"""


def docs_of(tmp_path: Path, files: dict[str, str]) -> dict[str, Document]:
    write_files(tmp_path, files)
    return scan_repo(tmp_path, use_cache=False).by_path()


def one(
    tmp_path: Path, path: str, text: str, context: Context | None = None, config: Config | None = None
) -> Classification:
    doc = docs_of(tmp_path, {path: text})[path]
    return classify(doc, context or Context(), config or Config())


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "readme.md",
        "LICENSE.md",
        "Code_Of_Conduct.md",
        "CODE-OF-CONDUCT.md",
        "CHANGELOG.markdown",
        "SECURITY.md",
        "AGENTS.md",
        "CITATION.md",
        "governance.md",
        "Support.mdx",
    ],
)
def test_conventional_root_files_stay_at_root(tmp_path: Path, name: str) -> None:
    assert is_conventional(name)
    result = one(tmp_path, name, "# Something\n\n**Status:** ✅ COMPLETE\n\nAll done and delivered.\n")
    assert (result.kind, result.disposition) == ("conventional-root", "keep-root")


@pytest.mark.parametrize("name", ["README_OLD.md", "STATUS.md", "DEPLOYMENT_GUIDE.md", "readme-notes.md"])
def test_other_names_are_not_conventional(name: str) -> None:
    assert not is_conventional(name)


def test_completion_report_at_root_is_history(tmp_path: Path) -> None:
    result = one(tmp_path, "WEBHOOKS_DONE.md", REPORT)
    assert result.disposition == "archive"
    assert result.kind in ("completion-note", "status-report")
    assert result.section is None
    assert any(r.tag == "name-done" for r in result.reasons)
    assert any(r.tag == "dated" for r in result.reasons)
    assert 0.5 < result.confidence <= 1.0


def test_guide_at_root_is_live_with_a_section(tmp_path: Path) -> None:
    result = one(tmp_path, "WEBHOOKS.md", GUIDE)
    assert result.disposition == "live"
    assert result.kind == "guide"
    assert result.section == "guides"
    assert default_weights().reading(result.score) < 0  # its evidence leans toward documentation
    assert 0.0 <= result.confidence <= 1.0


def test_body_outweighs_a_guide_like_name(tmp_path: Path) -> None:
    # A "quick start" whose body reports what was completed is history all the same.
    result = one(tmp_path, "QUICK_START.md", REPORT.replace("Payment Webhooks - ", ""))
    assert result.disposition == "archive"


def test_complete_as_an_adjective_is_not_a_completion(tmp_path: Path) -> None:
    result = one(
        tmp_path, "COMPLETE_SETUP_GUIDE.md", GUIDE.replace("# Webhooks Guide", "# Complete Setup Guide")
    )
    assert result.disposition == "live"
    assert not any(r.tag in ("name-done", "title-done") for r in result.reasons)


def test_docs_tree_needs_strong_evidence(tmp_path: Path) -> None:
    mild = "# Release notes\n\n## What's new\n\nFaster exports.\n\n## Results\n\nNothing broke.\n"
    result = one(tmp_path, "docs/guides/exports.md", mild)
    assert result.disposition == "live"
    assert result.in_tree
    # The same mild evidence at the root is enough.
    assert one(tmp_path / "x", "EXPORTS_SUMMARY.md", mild).disposition == "archive"


def test_clear_report_inside_docs_is_history(tmp_path: Path) -> None:
    result = one(tmp_path, "docs/notes/SESSION_SUMMARY_2025_03_02.md", REPORT)
    assert result.disposition == "archive"


def test_nested_readme_and_archive_folder_stay(tmp_path: Path) -> None:
    docs = docs_of(tmp_path, {"src/api/README.md": REPORT, "docs/archive/2025-01/x/WEEK_1_STATUS.md": REPORT})
    readme = classify(docs["src/api/README.md"], Context(), Config())
    archived = classify(docs["docs/archive/2025-01/x/WEEK_1_STATUS.md"], Context(), Config())
    assert (readme.kind, readme.disposition) == ("index", "live")
    assert (archived.kind, archived.disposition) == ("archived", "archive")


def test_duplicate_member_is_archived_with_reason(tmp_path: Path) -> None:
    context = Context(duplicate_of={"WEBHOOKS_COPY.md": "WEBHOOKS.md"})
    result = one(tmp_path, "WEBHOOKS_COPY.md", GUIDE, context)
    assert result.disposition == "archive"
    assert "WEBHOOKS.md" in result.reasons[0].text


def test_guide_resembling_a_history_canonical_stays_live(tmp_path: Path) -> None:
    context = Context(
        duplicate_of={"WEBHOOKS.md": "WEBHOOKS_DONE.md"}, history_paths=frozenset({"WEBHOOKS_DONE.md"})
    )
    assert one(tmp_path, "WEBHOOKS.md", GUIDE, context).disposition == "live"


def test_link_from_readme_is_evidence_of_use(tmp_path: Path) -> None:
    text = "# Notes\n\nSome notes about the exports, results and status.\n"
    docs = docs_of(tmp_path, {"README.md": "# P\n\n[notes](NOTES.md)\n", "NOTES.md": text})
    context = Context(inbound={"NOTES.md": ("README.md",)}, entry_points=frozenset({"README.md"}))
    with_link = classify(docs["NOTES.md"], context, Config())
    without = classify(docs["NOTES.md"], Context(), Config())
    # The link from the README weighs what the shipped table says, toward documentation.
    weight = default_weights().of("entry-point")
    assert weight < 0
    assert with_link.score == pytest.approx(without.score + weight, abs=0.01)
    assert any("README.md" in r.text for r in with_link.reasons)


def test_plan_with_milestones_ahead_is_live(tmp_path: Path) -> None:
    text = "# Migration Plan\n\n## Steps\n\n| Step | When |\n|---|---|\n| Switch over | 2025-07-22 |\n"
    ahead = one(tmp_path, "MIGRATION_PLAN.md", text, Context(now="2025-06-01"))
    passed = one(tmp_path / "b", "MIGRATION_PLAN.md", text, Context(now="2025-09-01"))
    assert ahead.disposition == "live" and ahead.section == "plans"
    assert passed.score > ahead.score


def test_root_prior_tips_mixed_documents(tmp_path: Path) -> None:
    text = "# Deploy notes\n\nThe deploy is ready for review.\n\n## Steps\n\nRun the script.\n"
    base = one(tmp_path, "DEPLOY_NOTES.md", text)
    tipped = one(tmp_path / "b", "DEPLOY_NOTES.md", text, Context(root_prior=2.0))
    # The base rate weighs what the shipped table says per unit of its log-odds, toward history.
    weight = default_weights().of("root-prior")
    assert weight > 0
    assert tipped.score == pytest.approx(base.score + 2.0 * weight, abs=0.01)


def test_pins_and_keep_patterns(tmp_path: Path) -> None:
    config = Config(pin={"NOTES*.md": "reference", "OLD*.md": "archive"}, keep=("KEEP.md",))
    docs = docs_of(tmp_path, {"NOTES.md": REPORT, "OLD_GUIDE.md": GUIDE, "KEEP.md": REPORT})
    pinned = classify(docs["NOTES.md"], Context(), config)
    assert (pinned.disposition, pinned.section) == ("live", "reference")
    assert classify(docs["OLD_GUIDE.md"], Context(), config).disposition == "archive"
    assert classify(docs["KEEP.md"], Context(), config).disposition == "keep-root"


def test_section_words(tmp_path: Path) -> None:
    docs = docs_of(
        tmp_path,
        {
            "ROLLBACK_RUNBOOK.md": "# Rollback runbook\n",
            "API_REFERENCE.md": "# API reference\n",
            "LOCAL_DEVELOPMENT.md": "# Local development\n",
            "GETTING_STARTED.md": "# Getting started\n",
            "ARCHITECTURE.md": "# Architecture\n",
            "AUTH_GUIDE.md": "# Authentication\n",
            "NOTHING.md": "# Hello\n",
        },
    )
    got = {p: section_for(d, Config())[0] for p, d in docs.items()}
    assert got == {
        "ROLLBACK_RUNBOOK.md": "operations",
        "API_REFERENCE.md": "reference",
        "LOCAL_DEVELOPMENT.md": "development",
        "GETTING_STARTED.md": "getting-started",
        "ARCHITECTURE.md": "architecture",
        "AUTH_GUIDE.md": "security",
        "NOTHING.md": "guides",
    }


def test_sections_outside_the_configured_list_are_not_used(tmp_path: Path) -> None:
    doc = docs_of(tmp_path, {"ROLLBACK_RUNBOOK.md": "# Rollback runbook\n"})["ROLLBACK_RUNBOOK.md"]
    assert section_for(doc, Config(sections=("guides", "reference")))[0] == "guides"


def test_rules_table_is_well_formed() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert {r.where for r in RULES} <= {"name", "title", "headings", "lead", "top", "text"}
    assert all(r.weight != 0 and r.why and r.kind for r in RULES)


def _dated(doc: Document, first: str, last: str) -> Document:
    facts = (DateFact("first_commit", "", first), DateFact("last_commit", "", last))
    return replace(doc, dates=Dates(facts))


def test_idle_time_is_measured_against_the_repositorys_life(tmp_path: Path) -> None:
    doc = docs_of(tmp_path, {"NOTES.md": "# Notes\n\nSome text.\n"})["NOTES.md"]
    doc = _dated(doc, "2025-01-01", "2025-01-31")
    ev = gather_evidence(doc)
    young = signal_idle_share(doc, ev, Context(now="2025-03-02", born="2025-01-01"), Config(), 0.0)
    old = signal_idle_share(doc, ev, Context(now="2025-03-02", born="2020-03-02"), Config(), 0.0)
    assert young is not None and old is not None
    # Thirty idle days: half the life of a two-month-old repository, a sliver of a five-year-old one.
    assert young.weight == 0.5
    assert old.weight is not None and old.weight < 0.05


def test_left_behind_is_the_share_of_root_documents_changed_later(tmp_path: Path) -> None:
    doc = docs_of(tmp_path, {"NOTES.md": "# Notes\n\nSome text.\n"})["NOTES.md"]
    doc = _dated(doc, "2025-01-01", "2025-02-01")
    changes = ("2025-01-01", "2025-02-01", "2025-02-01", "2025-03-01", "2025-04-01")
    found = signal_left_behind(doc, gather_evidence(doc), Context(root_changes=changes), Config(), 0.0)
    assert found is not None and found.tag == "left-behind" and found.weight == 0.4
    # Too few root documents to rank against: no finding.
    few = Context(root_changes=changes[:3])
    assert signal_left_behind(doc, gather_evidence(doc), few, Config(), 0.0) is None


def _rescaled(weights: Weights, factor: float, shift: float) -> Weights:
    # Every weight times `factor`, and the intercept and threshold moved by `shift` on top: the same
    # decisions in another table's numbers (a refit comes out on a smaller scale than the prior table).
    return Weights(
        {tag: w * factor for tag, w in weights.weights.items()},
        weights.intercept * factor + shift,
        weights.threshold * factor + shift,
    )


MILD = "# Release notes\n\n## What's new\n\nFaster exports.\n\n## Results\n\nNothing broke.\n"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("docs/notes/SESSION_SUMMARY_2025_03_02.md", REPORT),  # a clear report in a docs tree: archived
        ("docs/guides/exports.md", MILD),  # mild evidence in a docs tree: stays
        ("WEBHOOKS_DONE.md", REPORT),
        ("WEBHOOKS.md", GUIDE),
        ("EXPORTS_SUMMARY.md", MILD),
    ],
)
@pytest.mark.parametrize(("factor", "shift"), [(0.5, 0.0), (0.25, -1.0), (2.0, 0.5)])
def test_a_table_on_another_scale_decides_the_same(
    tmp_path: Path, path: str, text: str, factor: float, shift: float
) -> None:
    # The classifier's own margins (the docs tree's stronger evidence, the confidence) are read in the
    # table's units, so a table on another scale decides exactly what the shipped one decides.
    doc = docs_of(tmp_path, {path: text})[path]
    shipped = default_weights()
    other = _rescaled(shipped, factor, shift)
    assert other.reading(other.margin_at(3.0)) == pytest.approx(3.0)
    first = classify(doc, Context(weights=shipped, tree_weights=shipped), Config())
    second = classify(doc, Context(weights=other, tree_weights=other), Config())
    assert (second.disposition, second.kind, second.section) == (first.disposition, first.kind, first.section)
    assert second.confidence == pytest.approx(first.confidence, abs=0.011)
    # (scores are rounded to 0.01 of each table's own margin)
    rounding = 0.006 / other.unit + 0.006 / shipped.unit
    assert other.reading(second.score) == pytest.approx(shipped.reading(first.score), abs=rounding)
    # and its reasons read the same: each weight is shown in the prior table's numbers
    assert [str(r) for r in second.reasons] == [str(r) for r in first.reasons]


def test_a_table_whose_threshold_is_not_above_its_intercept_is_refused() -> None:
    with pytest.raises(ConsolidatorError, match="above the intercept"):
        parse_weights({"intercept": 0.5, "threshold": 0.5, "weights": {}})
    assert parse_weights({"intercept": -2.0, "threshold": -1.0, "weights": {}}).unit == pytest.approx(1 / 1.5)


def test_the_repositorys_clock_counts_at_the_root_only(tmp_path: Path) -> None:
    # A table where sitting unchanged weighs a lot (a refit learns it from root files): a root file idle
    # for a year leans history for it; a page of a docs tree idle as long does not, it is done, not dead.
    text = "# Exports\n\nHow the exports work.\n"
    docs = docs_of(tmp_path, {"EXPORTS.md": text, "docs/guides/exports.md": text})
    table = Weights({"idle": 1.0, "idle-share": 1.0}, 0.0, 1.5)
    context = Context(weights=table, now="2026-03-01", born="2024-03-01")
    root = classify(_dated(docs["EXPORTS.md"], "2025-01-01", "2025-01-31"), context, Config())
    page = classify(_dated(docs["docs/guides/exports.md"], "2025-01-01", "2025-01-31"), context, Config())
    assert any(r.tag == "idle" for r in root.reasons)
    assert root.disposition == "archive"
    assert not any(r.tag in ("idle", "idle-share") for r in page.reasons)
    assert page.disposition == "live"


def test_a_page_written_for_a_phase_whose_end_is_recorded_belongs_to_its_records(tmp_path: Path) -> None:
    docs = docs_of(
        tmp_path,
        {
            "PHASE_4_SETUP.md": GUIDE,
            "Phase4-Completion-Summary.md": REPORT,
            "PHASE_5_SETUP.md": GUIDE,  # its phase has no completion note: it may be under way
            "WEEK_2_GUIDE.md": GUIDE,  # a week of a course is a section of a whole, not a phase of work
            "WEEK_2_COMPLETE.md": REPORT,
            "docs/PHASE_4_NOTES.md": GUIDE,  # inside a tree: not the sprawl
        },
    )
    assert phase_of("PHASE9_QUICKSTART.md") == (("phase", "9"),)
    assert phase_of("TEST_SPRINT_3a.md") == (("sprint", "3a"),)
    assert phase_of("PHASE_2_MILESTONE_2.1_SETUP.md") == (("phase", "2"), ("milestone", "2.1"))
    assert phase_of("WEEK_2_GUIDE.md") == ()
    done = phases_done(list(docs.values()))
    assert done == {"PHASE_4_SETUP.md": ("Phase4-Completion-Summary.md",)}
    # the end of a milestone is not the end of its phase; the end of a phase ends its milestones
    nested = docs_of(
        tmp_path / "nested",
        {
            "PHASE_2_SETUP.md": GUIDE,
            "PHASE_2_MILESTONE_1_COMPLETE.md": REPORT,
            "PHASE_2_MILESTONE_1_GUIDE.md": GUIDE,
            "PHASE_3_MILESTONE_1_GUIDE.md": GUIDE,
            "PHASE_3_DONE.md": REPORT,
        },
    )
    assert phases_done(list(nested.values())) == {
        "PHASE_2_MILESTONE_1_GUIDE.md": ("PHASE_2_MILESTONE_1_COMPLETE.md",),
        "PHASE_3_MILESTONE_1_GUIDE.md": ("PHASE_3_DONE.md",),
    }
    table = Weights({"phase-over": 1.0}, 0.0, 1.5)
    recorded = Context(
        weights=table, phase_done=done, history_paths=frozenset({"Phase4-Completion-Summary.md"})
    )
    found = classify(docs["PHASE_4_SETUP.md"], recorded, Config())
    assert [r.tag for r in found.reasons if r.tag == "phase-over"] == ["phase-over"]
    # the completion note not (yet) judged history: no finding, and the page leans less towards history
    before = classify(docs["PHASE_4_SETUP.md"], replace(recorded, history_paths=frozenset()), Config())
    assert not any(r.tag == "phase-over" for r in before.reasons)
    assert found.score > before.score


# ---------------------------------------------------------------------------------------------------------
# Later passes weigh again only what read a verdict that changed


def _all_passes(repo: Path) -> dict[str, Classification]:
    from consolidator.decide.classify import classify_all
    from consolidator.decide.evidence import build_context
    from consolidator.decide.plan import find_document_groups

    config = Config()
    inventory = scan_repo(repo, config=config, use_cache=False)
    groups = find_document_groups(inventory.documents, config)
    context = build_context(inventory, groups, config, None)
    evidence = {d.path: gather_evidence(d) for d in inventory.documents}
    return classify_all(inventory, context, evidence, config)


def _notes_repo(make_repo: RepoMaker) -> Path:
    """Records in a docs tree and a page linking to them: the page reads their verdicts from the
    first pass on (it cites history), and nothing links to it (what it reads is only what it links to)."""
    files = {
        f"docs/notes/SESSION_SUMMARY_2025_03_0{n}.md": REPORT.replace("signature checks", f"check {n}")
        for n in range(1, 5)
    }
    listed = "".join(f"- [Session {n}](SESSION_SUMMARY_2025_03_0{n}.md)\n" for n in range(1, 5))
    files["docs/notes/overview.md"] = GUIDE + "\n## Sessions\n\n" + listed
    files["README.md"] = "# Project\n\nNotes are in docs/.\n"
    return make_repo(files)


@pytest.mark.parametrize("which", ["samples", "notes"])
def test_later_passes_give_what_weighing_every_document_again_gives(
    which: str, samples_repo: Path, make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consolidator.decide.classify as classify_module

    repo = samples_repo if which == "samples" else _notes_repo(make_repo)
    kept = _all_passes(repo)
    every = frozenset(d.path for d in scan_repo(repo, use_cache=False).documents)
    # Every document reading every verdict: each pass weighs every document again, as before.
    monkeypatch.setattr(
        classify_module, "_verdicts_read", lambda docs, context, evidence: {d.path: every for d in docs}
    )
    assert _all_passes(repo) == kept
    if which == "notes":
        # and here what a document reads matters: reading nothing, the overview misses its citations
        monkeypatch.setattr(
            classify_module,
            "_verdicts_read",
            lambda docs, context, evidence: {d.path: frozenset() for d in docs},
        )
        assert _all_passes(repo) != kept


def test_root_documents_use_the_fitted_table_and_folder_pages_the_prior(tmp_path: Path) -> None:
    # The fit learns from root files only: a page inside a folder is weighed with the hand-set prior
    # table whatever the fitted table says, a root document with the fitted one.
    docs = docs_of(
        tmp_path, {"docs/notes/SESSION_SUMMARY_2025_03_02.md": REPORT, "SESSION_SUMMARY.md": REPORT}
    )
    timid = Weights({}, 0.0, 100.0)  # archives nothing
    context = Context(weights=timid, tree_weights=prior_weights())
    assert classify(docs["SESSION_SUMMARY.md"], context, Config()).disposition == "live"
    assert (
        classify(docs["docs/notes/SESSION_SUMMARY_2025_03_02.md"], context, Config()).disposition == "archive"
    )
    context = Context(weights=prior_weights(), tree_weights=timid)
    assert classify(docs["SESSION_SUMMARY.md"], context, Config()).disposition == "archive"
    assert classify(docs["docs/notes/SESSION_SUMMARY_2025_03_02.md"], context, Config()).disposition == "live"


def test_a_root_document_that_moves_live_is_not_named_a_record(tmp_path: Path) -> None:
    # A root page with a little record-like evidence (a results section, next steps), under the
    # threshold: it moves into the docs tree as living documentation, so its kind must not call it a
    # report (the site files a folder whose pages are mostly records under history). A page already in
    # a folder keeps the kind its lean names.
    body = "Exports run every night and write one file per account into the shared bucket. " * 12
    text = f"# Exports\n\n## Results\n\n{body}\n\n## Next steps\n\nAdd retries.\n"
    moved = one(tmp_path, "EXPORTS.md", text)
    assert moved.disposition == "live"
    assert default_weights().reading(moved.score) > 0  # it leans toward a record, under the line
    assert moved.kind == "guide"
    page = one(tmp_path / "b", "docs/notes/EXPORTS.md", text)
    assert page.disposition == "live"
    assert page.kind == "status-report"
