"""The evidence: what a document's own text and place in the tree say, each rule checked on made-up
documents (one that fires and one that must not)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config
from consolidator.core.models import Cluster, DateFact, Dates, Document
from consolidator.decide.classify import Classification, Context, classify, weigh
from consolidator.decide.evidence import build_context, gather_evidence
from consolidator.decide.plan import build_plan, find_document_groups
from tests.conftest import write_files

NOW = "2031-06-01"


def _doc(tmp_path: Path, path: str, text: str) -> Document:
    write_files(tmp_path, {path: text})
    return scan_repo(tmp_path, use_cache=False).by_path()[path]


def _classify(tmp_path: Path, path: str, text: str, now: str = NOW) -> Classification:
    return classify(_doc(tmp_path, path, text), Context(now=now), Config())


def _tags(result: Classification) -> set[str]:
    return {r.tag for r in result.reasons if r.tag}


# A plan of upcoming work that writes no date for any of its steps.
UNDATED_PLAN = """# Export Pipeline Plan

## Goals

Move the nightly export to a queue so that large tenants stop timing out.

## Steps

- [ ] Add a queue table
- [ ] Move the export job onto the queue
- [ ] Remove the cron entry
"""


def test_a_plan_without_dated_milestones_is_no_evidence_of_a_past_plan(tmp_path: Path) -> None:
    result = _classify(tmp_path, "EXPORT_PLAN.md", UNDATED_PLAN)
    assert not _tags(result) & {"plan-past", "plan-ahead"}


def test_production_ready_announces_finished_work_only_when_said_of_the_work(tmp_path: Path) -> None:
    # what a page offers, and a goal it sets: no announcement
    offered = "# Queue Recipes\n\nA set of production-ready recipes for the job queue.\n\n## Usage\n"
    goal = "# Queue Spec\n\nWhat the queue must do to be considered production-ready.\n\n## Scope\n"
    assert "top-completion" not in _tags(_classify(tmp_path, "QUEUE_RECIPES.md", offered))
    assert "top-completion" not in _tags(_classify(tmp_path, "QUEUE_SPEC.md", goal))
    # said of the work: an announcement
    done = "# Queue Rollout\n\nThe job queue is now production-ready.\n\n## Changes\n"
    headline = "# Queue Rollout\n\n🎉 Production ready\n\n## Changes\n"
    assert "top-completion" in _tags(_classify(tmp_path, "QUEUE_ROLLOUT.md", done))
    assert "top-completion" in _tags(_classify(tmp_path, "QUEUE_NOTES.md", headline))


def test_a_plans_headings_of_what_will_be_done_are_not_a_reports(tmp_path: Path) -> None:
    plan = "# Tile Cache\n\n## What We're Building\n\nA cache.\n\n## What We Will Change\n\nThe loader.\n"
    assert "headings-record" not in _tags(_classify(tmp_path, "TILE_CACHE.md", plan))
    report = plan.replace("What We're Building", "What We Built").replace("Will Change", "Changed")
    assert "headings-record" in _tags(_classify(tmp_path, "TILE_CACHE_NOTES.md", report))


def test_a_plans_own_creation_stamp_is_not_a_milestone(tmp_path: Path) -> None:
    # "Created:" says when the plan was written, not when its steps fall: still no dated milestone.
    stamped = UNDATED_PLAN.replace("## Goals", "**Created:** 2030-01-10\n\n## Goals")
    result = _classify(tmp_path, "EXPORT_PLAN.md", stamped)
    assert "plan-past" not in _tags(result)


def test_a_plan_whose_milestones_have_all_passed_is_a_past_plan(tmp_path: Path) -> None:
    dated = UNDATED_PLAN.replace("- [ ] Add a queue table", "- [ ] Add a queue table (by 2030-02-01)")
    assert "plan-past" in _tags(_classify(tmp_path, "EXPORT_PLAN.md", dated))
    assert "plan-ahead" in _tags(_classify(tmp_path / "b", "EXPORT_PLAN.md", dated, now="2030-01-15"))


# A register kept up as issues come and go: it tracks, it does not summarise finished work.
REGISTER = """# Known Limitations

This document tracks known limitations of the importer and where help is wanted.

## Large files

**Status**: Open

- [ ] Stream files over 2 GB instead of loading them
- [ ] Report progress while streaming
"""


def test_a_document_that_tracks_open_items_does_not_say_it_summarises_work(tmp_path: Path) -> None:
    result = _classify(tmp_path, "KNOWN_LIMITATIONS.md", REGISTER)
    assert "top-this-doc-summarises" not in _tags(result)
    summary = REGISTER.replace("tracks known limitations", "summarises the work done on the limitations")
    assert "top-this-doc-summarises" in _tags(_classify(tmp_path / "b", "KNOWN_LIMITATIONS.md", summary))


# A report template: its body reads exactly like a report.
REPORT_TEMPLATE = """# Incident Report

**Date:** 2030-01-10
**Status:** ✅ COMPLETE
**Author:** (name)

## What Was Done

- ✅ (first action taken)
- ✅ (second action taken)

## Results

(what changed)

## Next Steps

- (follow-up)
"""


def test_a_template_in_a_code_tree_is_not_a_record(tmp_path: Path) -> None:
    for path in ("tools/triage/templates/incident-report.md", "docs/runbooks/INCIDENT_REPORT_TEMPLATE.md"):
        result = _classify(tmp_path / path.replace("/", "_"), path, REPORT_TEMPLATE)
        assert (result.kind, result.disposition) == ("template", "live"), path
    # The same body elsewhere in the tree is a record.
    elsewhere = _classify(tmp_path / "c", "tools/triage/notes/incident-report.md", REPORT_TEMPLATE)
    assert elsewhere.disposition == "archive"


def test_two_templates_alike_are_not_merged(tmp_path: Path) -> None:
    files = {
        "README.md": "# Tool\n",
        "tools/checks/templates/linux-capture.md": REPORT_TEMPLATE,
        "tools/checks/templates/macos-capture.md": REPORT_TEMPLATE.replace("Incident", "Capture"),
    }
    write_files(tmp_path, files)
    config = Config()
    twins = Cluster(
        id="dup-capture",
        kind="duplicate",
        members=tuple(sorted(files)[1:]),
        canonical="tools/checks/templates/macos-capture.md",
        label="capture",
        evidence=(),
        score=0.95,
    )
    plan = build_plan(scan_repo(tmp_path, config=config, use_cache=False), config, Groups((twins,), (), ()))
    by_source = {e.source: e for e in plan.entries}
    for path in files:
        if path != "README.md":
            assert by_source[path].action == "keep" and by_source[path].canonical is None, path


def test_an_undated_plan_the_root_moved_on_from_is_past(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "EXPORT_PLAN.md", UNDATED_PLAN)
    doc = replace(doc, dates=Dates((DateFact("last_commit", "last commit", "2030-01-05"),)))
    # Nine of ten root documents changed after the plan: the work has moved on from it.
    moved_on = ("2030-01-05", *(f"2030-02-{d:02}" for d in range(1, 10)))
    past = classify(doc, Context(now=NOW, root_changes=moved_on), Config())
    assert "plan-past" in _tags(past)
    # Most of the root changed before it: an undated plan still being worked from.
    current = ("2029-12-01", "2029-12-02", "2029-12-03", "2029-12-04", "2030-01-05", "2030-02-01")
    assert "plan-past" not in _tags(classify(doc, Context(now=NOW, root_changes=current), Config()))


NOTE = "# Resume notes {n}\n\nPick up where session {n} stopped: rerun the failing import tests.\n"


def test_a_numbered_series_is_read_in_the_order_of_its_numbers(tmp_path: Path) -> None:
    files = {f"RESUME_NOTES_{n}.md": NOTE.format(n=n) for n in (7, 8, 9, 10)}
    write_files(
        tmp_path, {**files, "OTHER_NOTES_1.md": NOTE.format(n=1), "OTHER_NOTES_2.md": NOTE.format(n=2)}
    )
    inventory = scan_repo(tmp_path, use_cache=False)
    groups = find_document_groups(inventory.documents, Config())
    context = build_context(inventory, groups, Config())
    # each member but the last is followed by a later one, numbers compared as numbers (10 after 9)
    assert {p for p in context.newer_in_series if p.startswith("RESUME")} == {
        "RESUME_NOTES_7.md",
        "RESUME_NOTES_8.md",
        "RESUME_NOTES_9.md",
    }
    # two files are a document and its second version, not a series
    assert not {p for p in context.newer_in_series if p.startswith("OTHER")}


def test_a_plan_grouped_with_a_later_record_of_its_work_was_carried_out(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "EXPORT_PLAN.md", UNDATED_PLAN)
    doc = replace(doc, dates=Dates((DateFact("last_commit", "last commit", "2030-01-05"),)))
    group = {
        "duplicate_of": {"EXPORT_PLAN.md": "EXPORT_SUMMARY.md"},
        "canonicals": frozenset({"EXPORT_SUMMARY.md"}),
    }
    done = Context(
        now=NOW,
        history_paths=frozenset({"EXPORT_SUMMARY.md"}),
        record_dates={"EXPORT_SUMMARY.md": "2030-01-20"},
        **group,
    )
    assert "plan-done" in _tags(classify(doc, done, Config()))
    # a record written before the plan is not its outcome, and a live group-mate is no record at all
    before = replace(done, record_dates={"EXPORT_SUMMARY.md": "2029-12-20"})
    assert "plan-done" not in _tags(classify(doc, before, Config()))
    live = replace(done, history_paths=frozenset())
    assert "plan-done" not in _tags(classify(doc, live, Config()))


def test_a_plans_creation_stamp_is_not_a_report_date(tmp_path: Path) -> None:
    stamped = UNDATED_PLAN.replace("## Goals", "**Created:** 2030-01-10\n\n## Goals")
    assert "dated" not in _tags(_classify(tmp_path, "EXPORT_PLAN.md", stamped))
    # the same stamp on a document that is no plan still dates it like a report
    notes = stamped.replace("# Export Pipeline Plan", "# Export Pipeline Notes")
    assert "dated" in _tags(_classify(tmp_path / "b", "EXPORT_NOTES.md", notes))


def test_nothing_is_folded_into_a_file_a_tool_reads(tmp_path: Path) -> None:
    guide = "# Import cheatsheet\n\n## Usage\n\nRun `make import` and then `make check`.\n"
    files = {"README.md": "# Tool\n", "IMPORT_CHEATSHEET.md": guide, ".claude/skills/import/SKILL.md": guide}
    write_files(tmp_path, files)
    twins = Cluster(
        id="dup-import",
        kind="duplicate",
        members=(".claude/skills/import/SKILL.md", "IMPORT_CHEATSHEET.md"),
        canonical=".claude/skills/import/SKILL.md",
        label="import",
        evidence=(),
        score=0.95,
    )
    context = build_context(scan_repo(tmp_path, use_cache=False), Groups((twins,), (), ()), Config())
    assert "IMPORT_CHEATSHEET.md" not in context.duplicate_of


def test_guides_alike_only_in_name_are_not_one_procedure(tmp_path: Path) -> None:
    payments = (
        "# Payments setup\n\n## Prerequisites\n\nA merchant account.\n\n## Setup\n\n"
        "Create the merchant key, add the webhook secret and enable card refunds in the dashboard.\n"
    )
    mailer = (
        "# Mailer setup\n\n## Prerequisites\n\nA domain.\n\n## Setup\n\n"
        "Verify the sender domain, publish the DKIM record and choose the bounce mailbox.\n"
    )
    files = {"README.md": "# Shop\n", "PAYMENTS_SETUP.md": payments, "MAILER_SETUP.md": mailer}
    write_files(tmp_path, files)
    config = Config()
    # the analysis relates them strongly (names, headings): the bodies must still agree
    related = (("MAILER_SETUP.md", "PAYMENTS_SETUP.md", 0.9),)
    plan = build_plan(
        scan_repo(tmp_path, config=config, use_cache=False), config, Groups((), (), (), related)
    )
    by_source = {e.source: e for e in plan.entries}
    for path in ("PAYMENTS_SETUP.md", "MAILER_SETUP.md"):
        assert by_source[path].action == "move" and by_source[path].canonical is None, path


def test_what_the_agents_instructions_name_is_in_use_not_what_a_readme_lists(tmp_path: Path) -> None:
    # The agents' instructions name the plans to follow without linking them; the README's prose names a
    # record it replaced. Only the first is a front page sending readers to a document.
    write_files(
        tmp_path,
        {
            "CLAUDE.md": "# Agent notes\n\n## Living docs\n\n- **GROWTH_PLAN.md**: the quarter's plan.\n",
            "README.md": "# Tool\n\nFiles folded into this page: `OLD_NOTES.md`.\n",
            "GROWTH_PLAN.md": "# Growth plan\n\nWeek 1: write the landing page.\n",
            "OLD_NOTES.md": "# Notes\n\nSome notes.\n",
        },
    )
    inventory = scan_repo(tmp_path, config=Config())
    context = build_context(inventory, Groups((), (), ()), Config())
    assert context.named_by_front == {"GROWTH_PLAN.md": ("CLAUDE.md",)}
    plan = build_plan(inventory, Config())
    reasons = {e.source: " ".join(r.text for r in e.reasons) for e in plan.entries}
    assert "named by CLAUDE.md" in reasons["GROWTH_PLAN.md"]
    assert "named by" not in reasons["OLD_NOTES.md"]


def test_a_report_made_from_a_template_is_not_merged_into_it(tmp_path: Path) -> None:
    # The analysis groups a filled-in report with the template it was made from (same outline, same
    # words) and may pick the template as the newer member: the report is not a version of the blank
    # form, so it is judged on its own (archived as the record it is), never pointed at the template.
    filled = REPORT_TEMPLATE.replace("(first action taken)", "Rotated the keys").replace("(name)", "Ops")
    files = {
        "README.md": "# Tool\n",
        "docs/ops/INCIDENT_REPORT_TEMPLATE.md": REPORT_TEMPLATE,
        "docs/ops/INCIDENT_3_COMPLETE.md": filled,
    }
    write_files(tmp_path, files)
    config = Config()
    pair = Cluster(
        id="dup-incident",
        kind="duplicate",
        members=tuple(sorted(files)[1:]),
        canonical="docs/ops/INCIDENT_REPORT_TEMPLATE.md",
        label="incident",
        evidence=(),
        score=0.6,
    )
    plan = build_plan(scan_repo(tmp_path, config=config, use_cache=False), config, Groups((pair,), (), ()))
    by_source = {e.source: e for e in plan.entries}
    report = by_source["docs/ops/INCIDENT_3_COMPLETE.md"]
    assert report.canonical is None and report.action == "archive"
    assert by_source["docs/ops/INCIDENT_REPORT_TEMPLATE.md"].action == "keep"


# ---------------------------------------------------------------------------------------------------------
# Live documents of the kinds sprawl is mistaken for: references stamped with a date, parts of a set


def test_a_requirements_page_or_a_matrix_stamped_with_a_date_is_a_reference(tmp_path: Path) -> None:
    matrix = (
        "# Browser Support Matrix\n\n**Date:** 2031-05-02\n\n| Browser | Checkout | Search |\n"
        "|---|---|---|\n| Firefox | yes | yes |\n| Safari | yes | no |\n"
    )
    requirements = (
        "# Ledger Service Requirements\n\n**Date:** 2031-05-02\n\n"
        "This document defines what the ledger service must do before it takes live traffic.\n\n"
        "## Posting\n\n**REQ-POST-001:** Every posting MUST balance.\n"
    )
    # a date stamp alone would file either as a report; the name says what they are, and the opening of
    # the second says it defines something, as references do
    found = _classify(tmp_path, "BROWSER_SUPPORT_MATRIX.md", matrix)
    assert found.disposition == "live" and "name-reference" in _tags(found)
    found = _classify(tmp_path / "b", "LEDGER_REQUIREMENTS.md", requirements)
    assert found.disposition == "live"
    assert {"name-reference", "top-guide-intro"} <= _tags(found)
    vision = "# Kiln - Product Vision\n\nWhat Kiln is for, and for whom.\n"
    assert "name-architecture" in _tags(_classify(tmp_path / "c", "PRODUCT_VISION.md", vision))


BRIEF_PART = """First read `BRIEF_PREAMBLE.md` and follow it.

## Your subsystem: {subject}

{body}
You should cite file and line for every finding, and end with a clear call on whether it can be split.
"""
# what each part asks about: one subject each, in words of its own
BODIES = {
    "storage": "Where are rows cached, flushed and compacted? Which writers bypass the journal?",
    "scheduler": "How are timers armed and cancelled? What happens to a job whose lease expires twice?",
    "registry": "Which plugins register at import time, and which lazily through entry points?",
    "billing": "How are invoices rounded, and which currencies skip the tax table entirely?",
    # a subject whose name alone would send it to another section (operations)
    "deploy": "Which release artefacts stream and which buffer whole files in memory before upload?",
}
# one part also weighs an open pull request: on its own that reads like a note on one change
PULL_REQUESTS = (
    "\nThe open pull request #43 rewrites this module; pull request #43 is blocked, and pull request #43 "
    "touches 98 files. Say whether commit 4f2a9c1d and commit 9b7e3a2f can land apart.\n"
)


def _briefs_plan(tmp_path: Path, names: dict[str, str]) -> dict[str, str]:
    """`names`: file name -> subject. The plan's action for each file."""
    files = {
        name: BRIEF_PART.format(subject=subject, body=BODIES[subject])
        + (PULL_REQUESTS if subject == "registry" else "")
        for name, subject in names.items()
    }
    write_files(tmp_path, {"README.md": "# Kiln\n", "BRIEF_PREAMBLE.md": "# Brief preamble\n", **files})
    inventory = scan_repo(tmp_path, use_cache=False)
    plan = build_plan(inventory, Config(), find_document_groups(inventory.documents, Config()))
    return {e.source: e.action for e in plan.entries}


def test_a_part_of_a_numbered_set_of_live_pages_stays_with_its_set(tmp_path: Path) -> None:
    parts = {f"BRIEF_0{n}-{s}.md": s for n, s in enumerate(BODIES, 1)}
    actions = _briefs_plan(tmp_path, parts)
    assert {actions[n] for n in parts} == {"move"}, actions
    # and moves with it, into one folder named by the set, whatever section each subject's words suggest
    inventory = scan_repo(tmp_path, use_cache=False)
    plan = build_plan(inventory, Config(), find_document_groups(inventory.documents, Config()))
    folders = {e.destination.rsplit("/", 1)[0] for e in plan.entries if e.source in parts and e.destination}
    assert len(folders) == 1 and folders.pop().endswith("/brief"), folders
    # the same pages not named as one set: the one about the pull request is judged alone, and archived
    loose = {f"{s.upper()}_BRIEF.md": s for s in BODIES}
    actions = _briefs_plan(tmp_path / "b", loose)
    assert actions["REGISTRY_BRIEF.md"] == "archive", actions
    assert {actions[n] for n in loose if n != "REGISTRY_BRIEF.md"} == {"move"}, actions


def test_a_readme_that_lists_the_root_weighs_against_what_it_leaves_out(tmp_path: Path) -> None:
    # The README lists two of the four root documents (CONTRIBUTING.md, a conventional file, is not
    # counted): the two it leaves out carry `unlisted` at half strength, the listed ones do not.
    write_files(
        tmp_path,
        {
            "README.md": "# Tool\n\n- [Setup](SETUP_GUIDE.md)\n- [API](API_REFERENCE.md)\n",
            "CONTRIBUTING.md": "# Contributing\n\nOpen a pull request.\n",
            "SETUP_GUIDE.md": "# Setup guide\n\nInstall the tool.\n",
            "API_REFERENCE.md": "# API reference\n\nThe endpoints.\n",
            "EXPORT_NOTES.md": "# Export notes\n\nThe export runs at night.\n",
            "CACHE_NOTES.md": "# Cache notes\n\nThe cache holds an hour.\n",
        },
    )
    inventory = scan_repo(tmp_path, config=Config())
    context = build_context(inventory, Groups((), (), ()), Config())
    assert (context.front_listed, context.root_documents, context.front_listers) == (2, 4, ("README.md",))
    docs = inventory.by_path()
    left_out = classify(docs["EXPORT_NOTES.md"], context, Config())
    listed = classify(docs["SETUP_GUIDE.md"], context, Config())
    assert "unlisted" in _tags(left_out) and "unlisted" not in _tags(listed)
    assert any("README.md links 2 of the 4 root documents" in r.text for r in left_out.reasons)
    weighed = weigh(docs["EXPORT_NOTES.md"], gather_evidence(docs["EXPORT_NOTES.md"]), context, Config())
    assert weighed.features["unlisted"] == 0.5
    # Without the README's list the same document carries no such finding, and its score is lower by
    # the shipped weight at half strength.
    bare = classify(docs["EXPORT_NOTES.md"], replace(context, front_listed=0), Config())
    assert "unlisted" not in _tags(bare)
    weight = context.weights.of("unlisted")
    assert weight > 0
    assert left_out.score == pytest.approx(bare.score + weight * 0.5, abs=0.01)


def test_a_readme_that_lists_no_root_document_says_nothing_of_them(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": "# Tool\n\nSee [the docs](docs/index.md).\n",
            "docs/index.md": "# Docs\n\nWelcome.\n",
            "EXPORT_NOTES.md": "# Export notes\n\nThe export runs at night.\n",
        },
    )
    inventory = scan_repo(tmp_path, config=Config())
    context = build_context(inventory, Groups((), (), ()), Config())
    assert (context.front_listed, context.root_documents) == (0, 1)
    assert "unlisted" not in _tags(classify(inventory.by_path()["EXPORT_NOTES.md"], context, Config()))
