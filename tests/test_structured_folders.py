"""Structured folders: sibling folders that repeat one set of files (a folder per feature) are units.
Their pages are companions, never versions of each other; the page of one name in two sibling folders is
two features' pages; and a record inside such a folder stays with it. Root sprawl is judged as before."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from consolidator.analysis import similarity
from consolidator.analysis.folders import structured_folders
from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups, find_groups, named_reference_pages
from consolidator.core.config import Config
from consolidator.core.models import Cluster, Plan
from consolidator.decide import evidence
from consolidator.decide.evidence import build_context
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import dump_plan
from tests.conftest import RepoMaker


def _spec(feature: str) -> str:
    return (
        f"# Feature specification: {feature}\n\nUsers need {feature} so that their daily work is quicker.\n\n"
        f"## User stories\n\n- As a clerk I open {feature} from the menu.\n- As an auditor I read the "
        f"{feature} log.\n\n## Requirements\n\n- FR-1: {feature} answers within a second.\n"
    )


def _plan_page(feature: str) -> str:
    return (
        f"# Implementation plan: {feature}\n\n## Summary\n\nThe {feature} module is built on the shared "
        "queue and the ledger store, behind the gateway.\n\n## Technical context\n\n"
        "Language: the house runtime. "
        "Storage: the ledger store. Testing: contract tests first, then integration tests.\n\n"
        "## Phases\n\n1. Research the queue limits and the ledger schema.\n2. Write the data model and the "
        "contracts.\n3. Generate the task list from the contracts.\n\n## Project structure\n\n"
        "Source lives in the module folder; tests beside it in contract, integration and unit folders.\n"
    )


def _tasks_like_plan(feature: str) -> str:
    # a task list that repeats its plan nearly word for word: alike by being about one feature
    return _plan_page(feature).replace("Implementation plan", "Tasks") + (
        "\n## Task list\n\n- T001 create the module folder\n- T002 write the contract tests\n"
    )


RECORD = (
    "# Tasks: {0}\n\n**Status**: COMPLETE\n**Date**: 2024-03-02\n\n## Completed\n\n"
    "- [x] T001 set up the {0} module\n- [x] T002 contract tests written and passing\n"
    "- [x] T003 integration tests passing\n- [x] T004 wired into the gateway\n"
    "- [x] T005 documentation updated\n- [x] T006 release notes written\n\n"
    "## Results\n\nAll 6 tasks completed (100%). Implemented, tested and merged on 2024-03-02.\n"
    "Everything that was planned is done; the work is finished.\n"
)


def _contract(backend: str) -> str:
    return (
        f"# Contract: {backend} backend\n\n## Contract overview\n\nThe {backend} backend turns a request "
        f"into a command through the {backend} model server, with a timeout and a retry.\n\n"
        "## Constructor contract\n\n"
        "The constructor takes the server address, the model name and the timeout in seconds; it never "
        "connects.\n\n## Method 1: generate\n\nSends the prompt, waits for the answer, parses the command "
        "out of the reply and returns it with its confidence.\n\n## Method 2: is_available\n\nAsks the "
        "server for its health and answers within two seconds.\n\n## Fallback behaviour\n\nWhen the server "
        "is down the embedded backend answers instead.\n"
    )


def feature_repo_files() -> dict[str, str]:
    files = {"README.md": "# Ledger tool\n\nSee the features folder.\n"}
    for folder, feature in (
        ("001-alpha-import", "import"),
        ("002-beta-export", "export"),
        ("003-gamma-audit", "audit"),
    ):
        base = f"features/{folder}/"
        files[base + "spec.md"] = _spec(feature)
        files[base + "plan.md"] = _plan_page(feature)
        files[base + "tasks.md"] = (
            RECORD.format(feature) if feature == "audit" else f"# Tasks: {feature}\n\n- [ ] T001 start\n"
        )
    files["features/002-beta-export/tasks.md"] = _tasks_like_plan("export")
    files["features/002-beta-export/contracts/north-backend.md"] = _contract("North")
    files["features/002-beta-export/contracts/south-backend.md"] = _contract("South")
    # the same record at the root is sprawl, judged as before
    files["AUDIT_TASKS_COMPLETE.md"] = RECORD.format("audit").replace("# Tasks", "# Audit tasks complete")
    return files


def _plan(root: Path) -> Plan:
    config = Config()
    return build_plan(scan_repo(root, config=config, use_cache=False), config)


def test_feature_folders_are_found_from_the_shape_of_the_tree() -> None:
    paths = list(feature_repo_files())
    units = structured_folders(paths)
    assert sorted(units.parents) == [
        "features/001-alpha-import",
        "features/002-beta-export",
        "features/003-gamma-audit",
    ]
    assert units.unit_of("features/002-beta-export/contracts/north-backend.md") == "features/002-beta-export"
    assert units.siblings("features/002-beta-export") == 3
    assert units.unit_of("README.md") is None
    # a feature folder only begun is laid out like the others, as far as it goes
    begun = structured_folders([*paths, "features/004-delta-sync/spec.md"])
    assert begun.unit_of("features/004-delta-sync/spec.md") == "features/004-delta-sync"
    assert begun.siblings("features/004-delta-sync") == 4
    # the same answer whatever the order of the paths
    random.Random(7).shuffle(paths)
    assert structured_folders(paths) == units


def test_two_folders_of_one_layout_are_units_but_a_folder_and_its_copy_are_not() -> None:
    # two sibling folders laying out the same pages already show the layout
    laid_out = [
        "parts/engine/setup.md",
        "parts/engine/usage.md",
        "parts/wheel/setup.md",
        "parts/wheel/usage.md",
    ]
    assert sorted(structured_folders(laid_out).parents) == ["parts/engine", "parts/wheel"]
    # a folder and its old copy, two versions of a tree: versions, which pairs tells apart on its own
    copies = ["guide/setup.md", "guide/usage.md", "guide-old/setup.md", "guide-old/usage.md"]
    versions = ["ref/v1/setup.md", "ref/v1/usage.md", "ref/v2/setup.md", "ref/v2/usage.md"]
    # one tree in several languages: translations, which pairs tells apart on its own
    languages = ["pages/setup.md", "pages/usage.md", "pages.fr/setup.md", "pages.fr/usage.md"]
    languages += ["docs/de/setup.md", "docs/de/usage.md", "docs/ja/setup.md", "docs/ja/usage.md"]
    # sharing one page name (or only READMEs) is a coincidence, not a layout
    loose = ["api/usage.md", "api/auth.md", "cli/usage.md", "cli/flags.md", "web/README.md", "app/README.md"]
    # a folder most of whose pages are its own is not laid out like its siblings
    sprawl = ["a/plan.md", "a/spec.md", "b/plan.md", "b/spec.md", *(f"b/REPORT_{n}.md" for n in range(5))]
    assert not structured_folders(copies).parents
    assert not structured_folders(versions).parents
    assert not structured_folders(languages).parents
    assert not structured_folders(loose).parents
    assert not structured_folders(sprawl).parents


def test_pages_of_one_feature_folder_are_never_grouped_as_versions(make_repo: RepoMaker) -> None:
    repo = make_repo(feature_repo_files())
    groups = find_groups(scan_repo(repo, config=Config(), use_cache=False).documents)
    for cluster in groups.duplicates:
        folders = {m.rsplit("/", 1)[0] for m in cluster.members if m.startswith("features/")}
        assert len(folders) == len({m for m in cluster.members if m.startswith("features/")}), cluster
    pairs = {(a, b) for a, b, _ in groups.related}
    assert ("features/002-beta-export/plan.md", "features/002-beta-export/tasks.md") not in pairs
    plan = _plan(repo)
    by_source = {e.source: e for e in plan.entries}
    for page in (
        "features/002-beta-export/plan.md",
        "features/002-beta-export/tasks.md",
        "features/002-beta-export/contracts/north-backend.md",
        "features/002-beta-export/contracts/south-backend.md",
    ):
        assert by_source[page].action == "keep", by_source[page]
        assert by_source[page].canonical is None


def test_the_page_of_one_name_in_two_feature_folders_is_two_pages(make_repo: RepoMaker) -> None:
    repo = make_repo(feature_repo_files())
    plan = _plan(repo)
    for entry in plan.entries:
        if entry.source.startswith("features/"):
            assert not any("resembles features/" in r.text for r in entry.reasons), entry
    assert not any(
        sum(1 for m in c.members if m.endswith("/plan.md")) > 1
        for c in plan.clusters
        if c.kind == "duplicate"
    )


def test_a_record_in_a_feature_folder_stays_with_it_and_root_sprawl_does_not(make_repo: RepoMaker) -> None:
    repo = make_repo(feature_repo_files())
    by_source = {e.source: e for e in _plan(repo).entries}
    kept = by_source["features/003-gamma-audit/tasks.md"]
    assert kept.action == "keep", kept
    assert any("stays with its folder" in r.text for r in kept.reasons)
    assert by_source["AUDIT_TASKS_COMPLETE.md"].action in ("archive", "merge")


def test_an_old_copy_inside_a_feature_folder_is_still_a_version(make_repo: RepoMaker) -> None:
    files = feature_repo_files()
    files["features/001-alpha-import/plan-old.md"] = files["features/001-alpha-import/plan.md"] + "\nDraft.\n"
    repo = make_repo(files)
    by_source = {e.source: e for e in _plan(repo).entries}
    old = by_source["features/001-alpha-import/plan-old.md"]
    assert old.action == "merge" and old.canonical == "features/001-alpha-import/plan.md", old
    # the only page of a feature folder that leaves it
    leaving = [
        e.source for e in by_source.values() if e.source.startswith("features/") and e.action != "keep"
    ]
    assert leaving == ["features/001-alpha-import/plan-old.md"]


def test_identical_pages_of_two_feature_folders_are_reported_and_neither_moves(make_repo: RepoMaker) -> None:
    files = feature_repo_files()
    # a page copied from one feature into the next and never filled in
    files["features/003-gamma-audit/spec.md"] = files["features/001-alpha-import/spec.md"]
    repo = make_repo(files)
    pair = ("features/001-alpha-import/spec.md", "features/003-gamma-audit/spec.md")
    groups = find_groups(scan_repo(repo, config=Config(), use_cache=False).documents)
    assert any(set(pair) <= set(c.members) for c in groups.duplicates)
    by_source = {e.source: e for e in _plan(repo).entries}
    for page in pair:
        assert by_source[page].action == "keep" and by_source[page].canonical is None, by_source[page]
    # the reviewer is told, on the page that would have been folded away
    notes = [r.text for page in pair for r in by_source[page].reasons if "stays with its folder" in r.text]
    assert len(notes) == 1 and "resembles features/" in notes[0]


def test_plans_of_feature_folders_are_deterministic(make_repo: RepoMaker) -> None:
    repo = make_repo(feature_repo_files())
    config = Config()
    inventory = scan_repo(repo, config=config, use_cache=False)
    # the same documents in another order give the same plan, with the feature folders found
    shuffled = list(inventory.documents)
    random.Random(3).shuffle(shuffled)
    first = dump_plan(build_plan(inventory, config))
    assert first == dump_plan(build_plan(replace(inventory, documents=tuple(shuffled)), config))
    assert "stays with its folder" in first


GUIDE = (
    "# Audit guide\n\nThis guide explains how to set up the audit module.\n\n## Prerequisites\n\n"
    "Install the tools.\n\n## Usage\n\nSet up the audit module, run the contract tests and the "
    "integration tests, wire the module into the gateway, then read the documentation and release notes.\n\n"
    "## Troubleshooting\n\nWhen the integration tests fail, see the audit logs.\n"
)


def test_a_live_guide_is_never_folded_into_a_record_kept_in_its_feature_folder(make_repo: RepoMaker) -> None:
    files = feature_repo_files()
    del files["AUDIT_TASKS_COMPLETE.md"]
    files["AUDIT_GUIDE.md"] = GUIDE
    repo = make_repo(files)
    record = "features/003-gamma-audit/tasks.md"
    # the analysis proposes the feature's record as the version to read
    group = Cluster("dup-audit", "duplicate", ("AUDIT_GUIDE.md", record), record, "audit", score=0.9)
    config = Config()
    plan = build_plan(scan_repo(repo, config=config, use_cache=False), config, Groups((group,), (), ()))
    by_source = {e.source: e for e in plan.entries}
    assert by_source[record].action == "keep"
    assert by_source["AUDIT_GUIDE.md"].action == "move", by_source["AUDIT_GUIDE.md"]


def test_deciding_reads_the_folders_the_analysis_found(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The analysis finds the structured folders and the pages of a reference named by subject while it
    # scores pairs; deciding reads them from the groups instead of finding them a second time.
    files = feature_repo_files()
    files.update({f"reference/cmd{n:02}.md": f"# cmd{n:02}\n\nWhat cmd{n:02} prints.\n" for n in range(20)})
    repo = make_repo(files)
    inventory = scan_repo(repo, config=Config(), use_cache=False)
    groups = find_groups(inventory.documents)
    assert groups.units == structured_folders(d.path for d in inventory.documents)
    docs = sorted(inventory.documents, key=lambda d: d.path)
    named = {d.path for d, is_named in zip(docs, named_reference_pages(docs), strict=True) if is_named}
    assert groups.named_subjects == named and len(named) == 20
    # groups made without the analysis: build_context finds both itself, to the same context
    bare = Groups(groups.duplicates, groups.topics, groups.series, groups.related)
    expected = build_context(inventory, bare, Config())
    assert expected.units and expected.named_subjects == named

    def found_again(*args: object) -> None:
        raise AssertionError("found a second time")

    monkeypatch.setattr(evidence, "structured_folders", found_again)
    monkeypatch.setattr(similarity, "named_reference_pages", found_again)  # evidence imports it where used
    assert build_context(inventory, groups, Config()) == expected
