from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.cli import main
from consolidator.core.config import Config
from consolidator.guard import check as check_module
from consolidator.guard.check import run_check
from tests.conftest import RepoMaker, count_parses

SETUP = """# Setup

How to install the service on a workstation.

## Prerequisites

Install Python 3.11 and PostgreSQL 15. Clone the repository and create a virtual environment.

## Install

Run the installer, then start the development server and open the dashboard in a browser.
See the [index](../index.md) for the rest of the documentation.
"""

CLEAN = {
    "README.md": "# Project\n\nStart with the [documentation](docs/index.md).\n",
    "CONTRIBUTING.md": "# Contributing\n\nRead [setup](docs/guides/setup.md#install) first.\n",
    "docs/index.md": "# Documentation\n\n- [Setup](guides/setup.md)\n",
    "docs/guides/setup.md": SETUP,
    "docs/archive/2025-01/old-notes.md": "# Old notes\n\nSee [gone](gone.md).\n",
    "mkdocs.yml": "site_name: Project\nnav:\n  - Home: index.md\n  - Setup: guides/setup.md\n"
    "not_in_nav: |\n  archive/**\n",
}


def _codes(result: check_module.CheckResult) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in result.findings]


def _repo(make_repo: RepoMaker, **changes: str) -> Path:
    files: dict[str, str | bytes] = dict(CLEAN)
    files.update(changes)
    return make_repo(files)


def test_a_repository_in_order_passes(make_repo: RepoMaker) -> None:
    result = run_check(_repo(make_repo), Config())
    assert result.findings == ()
    assert result.ok
    outcome = CliRunner().invoke(main, ["check", str(_repo(make_repo))])
    assert outcome.exit_code == 0, outcome.output
    assert "ok" in outcome.stdout


def test_root_budget(make_repo: RepoMaker) -> None:
    result = run_check(_repo(make_repo), Config(root_budget=1))
    assert _codes(result) == [("root-budget", "", 0)]
    assert "2 Markdown files at the repository root; the budget is 1" in result.findings[0].message


def test_new_root_report_suggests_the_archive(make_repo: RepoMaker) -> None:
    report = (
        "# Sprint 9 Complete ✅\n\n**Status:** COMPLETE\n**Date:** 2025-03-14\n\n## Summary\n\n"
        "All sprint 9 tasks were completed and deployed. The team finished the billing migration, "
        "fixed the flaky login tests and shipped the new dashboard.\n\n## Completed\n\n"
        "- ✅ Billing migration done\n- ✅ Login tests fixed\n- ✅ Dashboard shipped\n"
    )
    root = _repo(make_repo, **{"SPRINT_9_COMPLETE.md": report})
    result = run_check(root, Config())
    assert _codes(result) == [("root-file", "SPRINT_9_COMPLETE.md", 1)]
    assert "archive" in result.findings[0].message
    outcome = CliRunner().invoke(main, ["check", str(root)])
    assert outcome.exit_code == 1
    assert "SPRINT_9_COMPLETE.md:1: [root-file]" in outcome.stdout


def test_broken_link_and_anchor_with_lines(make_repo: RepoMaker) -> None:
    root = _repo(
        make_repo,
        **{
            "docs/guides/setup.md": SETUP
            + "\nAlso [missing](missing.md) and [anchor](../index.md#nowhere).\n"
        },
    )
    result = run_check(root, Config())
    assert _codes(result) == [
        ("broken-link", "docs/guides/setup.md", 14),
        ("broken-anchor", "docs/guides/setup.md", 14),
    ] or sorted(_codes(result)) == sorted(
        [("broken-link", "docs/guides/setup.md", 14), ("broken-anchor", "docs/guides/setup.md", 14)]
    )


def test_archive_links_only_with_all(make_repo: RepoMaker) -> None:
    root = _repo(make_repo)
    assert run_check(root, Config()).ok
    result = run_check(root, Config(), include_archive=True)
    assert _codes(result) == [("broken-link", "docs/archive/2025-01/old-notes.md", 3)]


def test_page_missing_from_nav(make_repo: RepoMaker) -> None:
    root = _repo(make_repo, **{"docs/guides/extra.md": "# Extra\n\nMore about the scheduler internals.\n"})
    result = run_check(root, Config())
    assert _codes(result) == [("not-in-nav", "docs/guides/extra.md", 1)]


def test_duplicate_of_a_live_document(make_repo: RepoMaker) -> None:
    copy = SETUP.replace("# Setup", "# Setup (copy)") + "\nOne more line that the original lacks.\n"
    root = _repo(
        make_repo,
        **{
            "docs/guides/setup-copy.md": copy,
            "mkdocs.yml": CLEAN["mkdocs.yml"].replace(
                "  - Setup: guides/setup.md\n", "  - Setup: guides/setup.md\n  - Copy: guides/setup-copy.md\n"
            ),
        },
    )
    result = run_check(root, Config())
    dups = [f for f in result.findings if f.code == "duplicate"]
    assert len(dups) == 1
    assert {dups[0].path, dups[0].message.split()[1].rstrip(";")} == {
        "docs/guides/setup.md",
        "docs/guides/setup-copy.md",
    }


def test_check_finds_the_groups_through_the_planners_own_path(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # check judges with the plan's one path (the planner asks for the groups itself), never a second
    # way of its own: the duplicate is found, by one request for the groups, and not by another door.
    from consolidator.decide import plan as plan_module

    asked: list[int] = []
    real = plan_module.start_document_groups

    def counting(*args: object, **kwargs: object) -> object:
        asked.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def elsewhere(*args: object, **kwargs: object) -> None:
        raise AssertionError("groups found outside the planner's path")

    monkeypatch.setattr(plan_module, "start_document_groups", counting)
    monkeypatch.setattr(plan_module, "find_document_groups", elsewhere)
    test_duplicate_of_a_live_document(make_repo)
    assert asked == [1]


def test_history_outside_archive(make_repo: RepoMaker) -> None:
    status = (
        "# Week 3 Status Report\n\n**Status:** ✅ COMPLETE\n**Report Date:** 2025-02-21\n\n## Summary\n\n"
        "This week we completed the payment integration and deployed it to staging. All tests passed.\n\n"
        "## Completed This Week\n\n- ✅ Payment provider integrated\n- ✅ Staging deploy\n\n"
        "## Next Week\n\n- Load testing\n"
    )
    root = _repo(
        make_repo,
        **{
            "docs/guides/WEEK_3_STATUS.md": status,
            "mkdocs.yml": CLEAN["mkdocs.yml"].replace(
                "  - Setup: guides/setup.md\n",
                "  - Setup: guides/setup.md\n  - Week: guides/WEEK_3_STATUS.md\n",
            ),
        },
    )
    result = run_check(root, Config())
    assert _codes(result) == [("history-outside-archive", "docs/guides/WEEK_3_STATUS.md", 1)]


def test_secret_in_a_document_fails_until_the_baseline_records_it(make_repo: RepoMaker) -> None:
    key = "AKIA" + "Z7XK3Q9M2PLW4RTN"
    root = _repo(make_repo, **{"docs/guides/setup.md": SETUP + f"\nexport AWS_ACCESS_KEY_ID={key}\n"})
    result = run_check(root, Config())
    assert [(f.code, f.path, f.line, f.known) for f in result.findings] == [
        ("secret", "docs/guides/setup.md", 14, False)
    ]
    assert key not in result.findings[0].message
    assert not result.ok
    recorded = run_check(root, Config(), update_baseline=True)
    assert recorded.ok and [f.known for f in recorded.findings] == [True]
    assert key not in (root / ".consolidate" / "baseline.json").read_text(encoding="utf-8")
    fingerprint = result.findings[0].key.rsplit(":", 1)[1]
    allowed = Config(secrets=Config().secrets.__class__(allow=(fingerprint,)))
    assert run_check(root, allowed).findings == ()


def test_baseline_makes_existing_findings_known_and_new_ones_fail(make_repo: RepoMaker) -> None:
    root = _repo(make_repo, **{"docs/guides/extra.md": "# Extra\n\nScheduler internals.\n"})
    runner = CliRunner()
    first = runner.invoke(main, ["check", str(root)])
    assert first.exit_code == 1
    updated = runner.invoke(main, ["check", str(root), "--update-baseline"])
    assert updated.exit_code == 0, updated.output
    baseline = json.loads((root / ".consolidate" / "baseline.json").read_text())
    assert baseline["findings"] == ["not-in-nav:docs/guides/extra.md"]
    again = runner.invoke(main, ["check", str(root)])
    assert again.exit_code == 0 and "known" in again.stdout
    (root / "docs" / "guides" / "more.md").write_text("# More\n\nAnother page about the worker queue.\n")
    later = runner.invoke(main, ["check", str(root), "--format", "json"])
    assert later.exit_code == 1
    data = json.loads(later.stdout)
    assert [(f["path"], f["known"]) for f in data["findings"]] == [
        ("docs/guides/extra.md", True),
        ("docs/guides/more.md", False),
    ]


def test_github_annotations(make_repo: RepoMaker) -> None:
    root = _repo(make_repo, **{"docs/guides/setup.md": SETUP + "\n[x](missing,file.md)\n"})
    outcome = CliRunner().invoke(main, ["check", str(root), "--format", "github"])
    assert outcome.exit_code == 1
    line = outcome.stdout.strip().splitlines()[0]
    assert line.startswith("::error file=docs/guides/setup.md,line=14,title=consolidate broken-link::")


def test_warm_run_reuses_the_cache_and_survives_corruption(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(make_repo, **{"docs/guides/extra.md": "# Extra\n\nScheduler internals.\n"})
    first = run_check(root, Config())
    calls = _analysis_counter(monkeypatch)
    assert run_check(root, Config()) == first
    assert calls == []
    cache = root / ".git" / "consolidate" / "check-cache.json"
    cache.write_text("{not json")
    assert run_check(root, Config()) == first
    assert calls == [1]
    (root / "docs" / "guides" / "extra.md").write_text("# Extra\n\nChanged.\n")
    run_check(root, Config())
    assert calls == [1, 1]


# What a pre-commit hook runs: `consolidate check` in a fresh interpreter. The scan is replaced by
# one that fails, so the run passes only when it is answered before anything is parsed.
_HOOK_RUN = """
import sys
from consolidator.guard import check

def no_scan(*args, **kwargs):
    raise AssertionError("scanned")

check.scan_repo = no_scan
from consolidator.cli import main
sys.argv = ["consolidate", "check", sys.argv[1], "--format", "json"]
try:
    main()
except SystemExit as done:
    code = done.code
print("sklearn" in sys.modules, "consolidator.decide.plan" in sys.modules, code, file=sys.stderr)
"""


def test_unchanged_repository_is_answered_from_the_cache_without_the_planner(make_repo: RepoMaker) -> None:
    import subprocess
    import sys

    root = _repo(make_repo, **{"docs/guides/extra.md": "# Extra\n\nSee [gone](gone.md).\n"})
    first = run_check(root, Config())
    assert not first.ok
    done = subprocess.run([sys.executable, "-c", _HOOK_RUN, str(root)], capture_output=True, text=True)
    assert done.stderr.split()[-3:] == ["False", "False", "1"], done.stderr
    answered = json.loads(done.stdout)
    assert answered["documents"] == first.documents
    assert [f["key"] for f in answered["findings"]] == [f.key for f in first.findings]
    # Anything the findings depend on, changed, means a real check again: here a new file that
    # repairs the broken link.
    (root / "docs" / "guides" / "gone.md").write_text("# Gone\n\nBack again.\n")
    again = subprocess.run([sys.executable, "-c", _HOOK_RUN, str(root)], capture_output=True, text=True)
    assert "AssertionError: scanned" in again.stderr


def test_pre_commit_hook_definition_exists() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "consolidate-check")
    assert hook["entry"] == "consolidate check" and hook["pass_filenames"] is False


def test_after_plan_and_apply_the_samples_pass_and_a_new_report_fails(samples_repo: Path) -> None:
    from consolidator.analysis.scan import scan_repo
    from consolidator.apply.apply import apply_plan
    from consolidator.decide.plan import build_plan
    from consolidator.decide.planfile import DEFAULT_PLAN, write_plan

    config = Config()
    write_plan(build_plan(scan_repo(samples_repo), config), samples_repo / DEFAULT_PLAN)
    apply_plan(samples_repo)
    result = run_check(samples_repo, config)
    # The links that were broken before the consolidation are known, not new.
    assert result.ok, [f.message for f in result.new]
    assert [(f.code, f.path) for f in result.known] == [("broken-link", "README.md")]
    # With the archive included, its old broken link and anchor are known too.
    everything = run_check(samples_repo, config, include_archive=True)
    assert everything.ok
    assert {f.code for f in everything.known} == {"broken-link", "broken-anchor"}
    (samples_repo / "SPRINT_9_COMPLETE.md").write_text(
        "# Sprint 9 Complete ✅\n\n**Status:** COMPLETE\n**Date:** 2025-07-01\n\n## Summary\n\n"
        "Sprint 9 is done: every task was completed, reviewed and deployed to production.\n\n"
        "## Completed\n\n- ✅ Berth conflict alerts shipped\n- ✅ Crane roster export finished\n",
        encoding="utf-8",
    )
    after = run_check(samples_repo, config)
    assert [(f.code, f.path) for f in after.new] == [("root-file", "SPRINT_9_COMPLETE.md")]
    assert "archive" in after.new[0].message


def test_root_file_suggestion_names_the_configured_docs_folder(make_repo: RepoMaker) -> None:
    guide = (
        "# Deployment guide\n\nHow to deploy the service to production, step by step.\n\n## Steps\n\n"
        "1. Build the image.\n2. Push it to the registry.\n3. Roll out the new version and watch the logs.\n"
    )
    root = make_repo({"README.md": "# Project\n", "DEPLOYMENT_GUIDE.md": guide})
    config = Config(docs_dir="handbook", archive_dir="handbook/archive")
    findings = [f for f in run_check(root, config).findings if f.code == "root-file"]
    assert [f.path for f in findings] == ["DEPLOYMENT_GUIDE.md"]
    assert "belongs in handbook/" in findings[0].message
    assert "docs/" not in findings[0].message


# A page long enough that an edit below its first lines leaves the opening the rules read alone, with
# a broken link and a broken anchor under the edit (their findings must move with their lines) and a
# link into the setup guide's anchors.
LONG = (
    "# Worker queue\n\n"
    + "".join(
        f"Paragraph {n} about the worker queue, its retries and its dead letters.\n\n" for n in range(14)
    )
    + (
        "Read [the setup](setup.md#install) and [the missing page](nowhere.md).\n\n"
        "Also [a lost anchor](setup.md#no-such-section).\n"
    )
)


def _analysis_counter(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = check_module.analysis_findings

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "analysis_findings", counting)
    return calls


def test_after_one_small_edit_only_that_file_is_parsed_and_the_findings_are_a_cold_runs(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(make_repo, **{"docs/guides/queue.md": LONG, "docs/guides/other.md": "# Other\n\nNotes.\n"})
    run_check(root, Config())  # the full check that leaves the state
    parsed, calls = count_parses(monkeypatch), _analysis_counter(monkeypatch)
    page = root / "docs" / "guides" / "queue.md"
    text = page.read_text()
    cut = text.index("Read [the setup]")
    page.write_text(text[:cut] + "One more sentence about the queue.\n\n" + text[cut:])
    warm = run_check(root, Config())
    assert len(parsed) == 1 and calls == []  # one document parsed, the planner never asked
    cold = run_check(root, Config(), use_cache=False)
    assert warm == cold
    lines = page.read_text().splitlines()
    moved = (lines.index("Also [a lost anchor](setup.md#no-such-section).") + 1, text.count("\n"))
    assert ("broken-anchor", "docs/guides/queue.md", moved[0]) in _codes(warm)
    assert moved[0] == moved[1] + 2  # the finding followed its link two lines down


def test_an_edit_that_changes_the_outline_or_adds_a_file_runs_the_full_check(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(make_repo, **{"docs/guides/queue.md": LONG})
    run_check(root, Config())
    calls = _analysis_counter(monkeypatch)
    page = root / "docs" / "guides" / "queue.md"
    page.write_text(page.read_text() + "\n## Retries\n\nHow retries back off.\n")
    assert run_check(root, Config()) == run_check(root, Config(), use_cache=False)
    assert calls == [1, 1]
    (root / "docs" / "guides" / "new.md").write_text("# New\n\nSee [gone](gone.md).\n")
    after = run_check(root, Config())
    assert calls == [1, 1, 1]
    assert ("broken-link", "docs/guides/new.md", 3) in _codes(after)


def test_a_small_edit_that_repeats_a_known_secret_is_reported(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # made up; the detectors find it only where it is assigned, the scan wherever it is repeated
    token = "Vq7rT2mXk9Lp4Wz"
    root = _repo(
        make_repo,
        **{"docs/guides/queue.md": LONG, "docs/guides/keys.md": f'# Keys\n\ndb_password = "{token}"\n'},
    )
    run_check(root, Config())
    calls = _analysis_counter(monkeypatch)
    page = root / "docs" / "guides" / "queue.md"
    page.write_text(page.read_text() + f"\n| db | {token} |\n")
    warm = run_check(root, Config())
    assert calls == []
    assert warm == run_check(root, Config(), use_cache=False)
    assert ("secret", "docs/guides/queue.md", page.read_text().count("\n")) in _codes(warm)


def test_an_edit_after_a_hook_run_does_not_import_the_planner(make_repo: RepoMaker) -> None:
    import subprocess
    import sys

    root = _repo(make_repo, **{"docs/guides/queue.md": LONG})
    first = run_check(root, Config())
    page = root / "docs" / "guides" / "queue.md"
    page.write_text(page.read_text() + "\nOne more sentence about the queue.\n")
    run = _HOOK_RUN.replace("check.scan_repo = no_scan\n", "")
    done = subprocess.run([sys.executable, "-c", run, str(root)], capture_output=True, text=True)
    assert done.stderr.split()[-3:-1] == ["False", "False"], done.stderr
    answered = json.loads(done.stdout)
    assert [f["key"] for f in answered["findings"]] == [f.key for f in first.findings]
