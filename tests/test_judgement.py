"""Judgement a reader would sign: files tools read by path stay, folders are never duplicated by case,
and the same repository always gives the same plan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.apply.apply import apply_plan
from consolidator.core import gitio
from consolidator.core.config import Config
from consolidator.core.models import Cluster, Decision, Plan, PlanHeader
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import dump_plan, validate_plan
from consolidator.decide.sprawl import TEXT_HEAD_BYTES, text_headings, text_heads, text_title
from tests.conftest import SHARED, RepoMaker, write_files

GUIDE = (
    "# {0}\n\nThis guide explains how to set up the service.\n\n## Prerequisites\n\nInstall the tools.\n\n"
    "## Setup\n\nRun the following command to configure the file.\n\n## Troubleshooting\n\nSee the logs.\n"
)
TEMPLATE = "## Summary\n\nWhat does this change do?\n\n## Checklist\n\n- [ ] tests\n- [ ] docs\n"


def _plan(root: Path, groups: Groups | None = None) -> Plan:
    config = Config()
    return build_plan(scan_repo(root, config=config, use_cache=False), config, groups)


def test_files_tools_read_by_path_are_never_moved_and_twins_are_reported(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": "# Tool\n",
            ".github/PULL_REQUEST_TEMPLATE.md": TEMPLATE,
            ".github/pull_request_template.md": TEMPLATE,
            ".changeset/brave-lions-sing.md": "---\n'pkg': patch\n---\n\nFix a typo.\n",
        },
    )
    upper, lower = ".github/PULL_REQUEST_TEMPLATE.md", ".github/pull_request_template.md"
    # the analysis calls the two templates one document: the plan must still leave both where tools read
    twins = Cluster("dup-template", "duplicate", (upper, lower), lower, "template", score=1.0)
    plan = _plan(tmp_path, Groups((twins,), (), ()))
    by_source = {e.source: e for e in plan.entries}
    for path in (upper, lower, ".changeset/brave-lions-sing.md"):
        assert by_source[path].action == "keep", (path, by_source[path])
        assert by_source[path].kind == "tool-file"
    assert any("differs only in case" in r.text for r in by_source[upper].reasons)


def test_a_new_section_reuses_an_existing_folder_of_another_case(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": "# Tool\n",
            "docs/OPERATIONS/oncall.md": GUIDE.format("On-call"),
            "DEPLOYMENT_RUNBOOK.md": GUIDE.format("Deployment runbook").replace("set up", "deploy"),
        },
    )
    plan = _plan(tmp_path, Groups((), (), ()))
    entry = next(e for e in plan.entries if e.source == "DEPLOYMENT_RUNBOOK.md")
    assert entry.action == "move"
    assert entry.destination == "docs/OPERATIONS/DEPLOYMENT_RUNBOOK.md"
    folders = {d.rsplit("/", 1)[0] for d in (e.destination for e in plan.entries) if d}
    assert len({f.casefold() for f in folders}) == len(folders)
    assert (
        validate_plan(plan, tmp_path, ["README.md", "docs/OPERATIONS/oncall.md", "DEPLOYMENT_RUNBOOK.md"])
        == []
    )


def test_validation_refuses_a_folder_that_differs_only_in_case(tmp_path: Path) -> None:
    files = ["docs/OPERATIONS/oncall.md", "RUNBOOK.md"]
    move = Decision("RUNBOOK.md", "move", "docs/operations/RUNBOOK.md", "operations", None, (), 0.9, "0" * 40)
    plan = Plan(PlanHeader("consolidator", "repo", None), (move,), ())
    problems = validate_plan(plan, tmp_path, files)
    assert any("differs only in case from docs/OPERATIONS" in p for p in problems), problems
    # two new folders of one name but for case, from two entries
    other = Decision("GUIDE.md", "move", "docs/Guides/GUIDE.md", "guides", None, (), 0.9, "0" * 40)
    mine = Decision("HOWTO.md", "move", "docs/guides/HOWTO.md", "guides", None, (), 0.9, "0" * 40)
    plan = Plan(PlanHeader("consolidator", "repo", None), (other, mine), ())
    problems = validate_plan(plan, tmp_path, ["GUIDE.md", "HOWTO.md"])
    assert any("differs only in case" in p for p in problems), problems


def test_the_same_repository_gives_the_same_plan_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    from consolidator.demo import make_sample_repo

    root = make_sample_repo(tmp_path / "repo")
    script = (
        "import sys; from pathlib import Path; from consolidator.analysis.scan import scan_repo; "
        "from consolidator.core.config import Config; from consolidator.decide.plan import build_plan; "
        "from consolidator.decide.planfile import dump_plan; "
        "c = Config(); p = build_plan(scan_repo(Path(sys.argv[1]), config=c, use_cache=False), c); "
        "sys.stdout.write(dump_plan(p))"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", script, str(root)], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert dump_plan(_plan(root)) in outputs


REPORT = (
    "# Widget implementation complete ✅\n\n**Date:** 2025-03-02\n\n**Status:** ✅ COMPLETE\n\n"
    "## What was done\n\n- ✅ Implemented the widget\n- ✅ Added widget tests\n- ✅ Fixed the widget cache\n"
    "- ✅ Deployed the widget\n\n## Results\n\nAll widget work finished.\n"
)
WIDGET_GUIDE = (
    "# Widget guide\n\nThis guide explains how to use the widget.\n\n## Prerequisites\n\nInstall the widget "
    "tools.\n\n## Usage\n\nRun the following command to configure the widget file.\n\n## Troubleshooting\n\n"
    "Check the widget logs.\n"
)


def _duplicates(*members: str, canonical: str) -> Groups:
    return Groups((Cluster("dup-x", "duplicate", tuple(sorted(members)), canonical, "x", score=0.9),), (), ())


def test_a_record_is_never_the_canonical_of_a_live_guide(tmp_path: Path) -> None:
    write_files(
        tmp_path, {"README.md": "# Tool\n", "WIDGET_GUIDE_V2.md": REPORT, "WIDGET_GUIDE.md": WIDGET_GUIDE}
    )
    # the analysis proposes the report as the version to read
    plan = _plan(
        tmp_path, _duplicates("WIDGET_GUIDE_V2.md", "WIDGET_GUIDE.md", canonical="WIDGET_GUIDE_V2.md")
    )
    by_source = {e.source: e for e in plan.entries}
    assert by_source["WIDGET_GUIDE.md"].action == "move"
    assert by_source["WIDGET_GUIDE_V2.md"].action in ("merge", "archive")
    assert by_source["WIDGET_GUIDE_V2.md"].canonical in (None, "WIDGET_GUIDE.md")
    for entry in plan.entries:
        if entry.canonical:
            assert by_source[entry.canonical].action in ("keep", "move"), entry


def test_a_record_points_to_the_organised_trees_page_over_a_root_one(tmp_path: Path) -> None:
    # a completion report grouped with two live pages on its subject: a reference still at the root,
    # which reads more like a guide, and a short page already filed in the docs tree. The report's
    # readers go to the tree's page: the root one is only on its way into the tree.
    tree_page = "# Widget notes\n\nThe widget runs as a service.\n\n## Running\n\nStart the widget.\n"
    write_files(
        tmp_path,
        {
            "README.md": "# Tool\n",
            "WIDGET_COMPLETE.md": REPORT,
            "WIDGET_REFERENCE.md": WIDGET_GUIDE,
            "docs/index.md": "# Docs\n",
            "docs/widget.md": tree_page,
        },
    )
    members = ("WIDGET_COMPLETE.md", "WIDGET_REFERENCE.md", "docs/widget.md")
    plan = _plan(tmp_path, _duplicates(*members, canonical="WIDGET_COMPLETE.md"))
    by_source = {e.source: e for e in plan.entries}
    assert by_source["docs/widget.md"].action == "keep"
    assert by_source["WIDGET_REFERENCE.md"].action == "move"
    assert by_source["WIDGET_COMPLETE.md"].action == "merge"
    assert by_source["WIDGET_COMPLETE.md"].canonical == "docs/widget.md"


def test_setup_guides_named_alike_over_unrelated_bodies_are_not_versions(tmp_path: Path) -> None:
    first = (
        "# Payments setup\n\nCard payments need a merchant account.\n\n## Merchant account\n\n"
        "Note the merchant identifier, refunds policy, chargebacks contact and settlement currency.\n\n"
        "## Invoices\n\nInvoices carry the merchant identifier; refunds reverse an invoice in full.\n"
    )
    second = (
        "# Mailer setup\n\nOutgoing email goes through a relay.\n\n## Domain\n\n"
        "Register a sending domain and publish its DNS records (SPF, DKIM, DMARC).\n\n"
        "## Relay\n\nPoint the SMTP relay at the mail host; bounces land in the postmaster mailbox.\n"
    )
    write_files(tmp_path, {"README.md": "# Tool\n", "PAYMENTS_SETUP.md": first, "MAILER_SETUP.md": second})
    plan = _plan(tmp_path, _duplicates("MAILER_SETUP.md", "PAYMENTS_SETUP.md", canonical="PAYMENTS_SETUP.md"))
    by_source = {e.source: e for e in plan.entries}
    assert by_source["MAILER_SETUP.md"].action == "move", by_source["MAILER_SETUP.md"]
    assert by_source["PAYMENTS_SETUP.md"].action == "move"


WEEK_REPORT = "Week 3 summary\n\nDone: the importer, the exporter.\nNext: billing.\n"


def test_text_reports_and_backup_copies_are_archived_and_apply_moves_them_with_history(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    old_plan = b"# Migration plan\r\n\r\nStep one.\r\n"  # CRLF: must arrive byte for byte
    repo = make_repo(
        {
            "README.md": "# Tool\n",
            "WEEK_3_SUMMARY.txt": WEEK_REPORT,
            "MIGRATION_PLAN.md.old": old_plan,
            "requirements.txt": "click\n",
            "notes.txt": "a list of things\n",
        }
    )
    plan = _plan(repo)
    by_source = {e.source: e for e in plan.entries}
    assert by_source["WEEK_3_SUMMARY.txt"].action == "archive"
    assert by_source["MIGRATION_PLAN.md.old"].action == "archive"
    assert "requirements.txt" not in by_source and "notes.txt" not in by_source
    assert validate_plan(plan, repo, gitio.list_files(repo)) == []
    target = repo / ".consolidate" / "plan.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_plan(plan), encoding="utf-8")
    apply_plan(repo)
    for source in ("WEEK_3_SUMMARY.txt", "MIGRATION_PLAN.md.old"):
        dest = by_source[source].destination or ""
        assert not (repo / source).exists() and (repo / dest).exists()
        # moved with git: the history of the destination goes back to the source
        log = gitio.run_git(repo, "log", "--follow", "--name-only", "--format=", "--", dest).decode()
        assert source in log.split()
    assert (repo / (by_source["MIGRATION_PLAN.md.old"].destination or "")).read_bytes() == old_plan
    assert (repo / "requirements.txt").read_text() == "click\n"


# Made-up texts: a completion report under a name that says nothing, and a workshop's how-to handout
# under a name that says report.
DONE_REPORT = (
    "Importer rollout\n\n"
    "Status: COMPLETED\n"
    "Prepared by: the platform team\n\n"
    "[x] Implemented the CSV importer\n"
    "[x] Added a retry on failure\n"
    "[x] Fixed the currency rounding\n"
    "[x] Updated the exporter\n"
)
HOW_TO = (
    "Working on the importer\n\n"
    "This guide explains how to run the importer on a laptop.\n\n"
    "1. Install the tools with the make command\n"
    "2. Set the IMPORT_DIR variable to a folder of CSV files\n"
    "3. Run the import script\n"
    "4. Open the settings file to pick a port\n"
    "5. Configure the rounding with the following lines\n"
)
# A report that says so only in its sections, underlined as plain text marks them.
SECTIONS_REPORT = (
    "Importer rollout\n================\n\n"
    "What was done\n-------------\nThe importer reads CSV files now.\n\n"
    "What was fixed\n--------------\nThe rounding of amounts.\n"
)


def test_a_text_file_is_judged_by_what_it_says_not_only_by_its_name(make_repo: RepoMaker) -> None:
    # The same text rules as a Markdown document's own text: a report whose name says nothing is
    # archived (with the findings as reasons); a guide whose name says report stays.
    files = {"README.md": "# Tool\n", "LEDGER.txt": DONE_REPORT, "SESSION_SUMMARY.txt": HOW_TO}
    repo = make_repo({**files, "NOTES_B.txt": SECTIONS_REPORT})
    by_source = {e.source: e for e in _plan(repo).entries}
    assert by_source["NOTES_B.txt"].action == "archive", by_source["NOTES_B.txt"]
    assert {"headings-record", "lead-record"} <= {r.tag for r in by_source["NOTES_B.txt"].reasons}
    report = by_source["LEDGER.txt"]
    assert report.action == "archive", report
    assert {"top-status-done", "text-past-work"} <= {r.tag for r in report.reasons}
    assert "SESSION_SUMMARY.txt" not in by_source


def test_saved_run_output_and_message_drafts_are_text_sprawl(make_repo: RepoMaker) -> None:
    # Named for what they are, whatever they say: the output of a build or test run, a commit message
    # drafted beside a change, a numbered backup. A run's name alone may be a file a test reads.
    repo = make_repo(
        {
            "README.md": "# Tool\n",
            "lint-errors.txt": "src/a.ts:3:1 no-unused-vars\n",
            "e2e-test-results2.txt": "12 passed\n",
            "COMMIT_MSG.txt": "Add the importer\n",
            "NOTES.md.bk2": "# Notes\n",
            "test-fixture.txt": "a,b\n1,2\n",
            "requirements-dev.txt": "pytest\n",
        }
    )
    by_source = {e.source: e for e in _plan(repo).entries}
    tags = {source: {r.tag for r in e.reasons} for source, e in by_source.items()}
    assert tags["lint-errors.txt"] >= {"run-output"} and tags["e2e-test-results2.txt"] >= {"run-output"}
    assert tags["COMMIT_MSG.txt"] >= {"message-draft"} and tags["NOTES.md.bk2"] >= {"backup-copy"}
    for source in ("lint-errors.txt", "e2e-test-results2.txt", "COMMIT_MSG.txt", "NOTES.md.bk2"):
        assert by_source[source].action == "archive", by_source[source]
    assert "test-fixture.txt" not in by_source and "requirements-dev.txt" not in by_source


def test_only_the_opening_of_a_text_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "LOG.txt").write_bytes(b"a line of a long log\n" * 10_000)
    (tmp_path / "PLAN.md.old").write_text("# Plan\n")
    heads = text_heads(tmp_path, ["LOG.txt", "PLAN.md.old", "docs/notes.txt", "requirements.txt"])
    assert list(heads) == ["LOG.txt"] and len(heads["LOG.txt"]) == TEXT_HEAD_BYTES
    assert text_title("\n=====\n== Rollout done ==\n") == "Rollout done"


def test_a_text_file_s_underlined_lines_are_its_headings() -> None:
    # The title's own underline does not make it a section; a rule under nothing is not a heading.
    text = "Rollout\n=======\n\nWhat was done\n-------------\nthe importer\n\n-----\nNext steps\n==========\n"
    found = [(h.level, h.text, h.line) for h in text_headings(text)]
    assert found == [(2, "What was done", 4), (2, "Next steps", 9)]


def test_a_text_report_is_filed_under_the_period_of_its_last_commit(make_repo: RepoMaker) -> None:
    # git knows when the text report last changed (the fixture commits on 2025-06-01): it is filed in
    # that month's folder beside the Markdown records, not in an "undated" one.
    repo = make_repo({"README.md": "# Tool\n", "WEEK_3_SUMMARY.txt": WEEK_REPORT, "PLAN.md.bak": "# Plan\n"})
    by_source = {e.source: e for e in _plan(repo).entries}
    for source in ("WEEK_3_SUMMARY.txt", "PLAN.md.bak"):
        assert (by_source[source].destination or "").startswith("docs/archive/2025-06/"), by_source[source]


@pytest.mark.corpus
def test_a_corpus_plan_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """The cleanup whose plan once changed from run to run (a float summed over a set of strings)."""
    bundle = SHARED / "corpora" / "cleanups" / "aj-geddes-useful-ai-prompts-2025-11-08.bundle"
    if not bundle.exists():
        pytest.skip(f"needs the shared corpus bundle {bundle}")
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(repo)], check=True)
    plans = set()
    for seed in ("1", "2", "3"):
        out = tmp_path / f"plan-{seed}.yaml"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [str(Path(sys.executable).with_name("consolidate")), "plan", str(repo), "-o", str(out), "-q"],
            env=env,
            check=True,
            capture_output=True,
        )
        plans.add(out.read_bytes())
    assert len(plans) == 1


def test_apply_refuses_a_hand_edit_that_makes_a_case_only_folder(make_repo: RepoMaker) -> None:
    from click.testing import CliRunner

    from consolidator.cli import main

    repo = make_repo(
        {
            "README.md": "# Tool\n",
            "docs/OPERATIONS/oncall.md": GUIDE.format("On-call"),
            "DEPLOYMENT_RUNBOOK.md": (
                "# Deployment runbook\n\nThis runbook explains how to deploy the berth planner.\n\n"
                "## Rollout\n\nRun the release script, then watch the queue drain.\n\n"
                "## Rollback\n\nRedeploy the previous tag and restart the workers.\n"
            ),
        }
    )
    planned = CliRunner().invoke(main, ["plan", str(repo), "--quiet"])
    assert planned.exit_code == 0, planned.output
    plan_file = repo / ".consolidate" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    assert "docs/OPERATIONS/DEPLOYMENT_RUNBOOK.md" in text
    # a reviewer "fixes" the case of the folder by hand
    plan_file.write_text(
        text.replace("docs/OPERATIONS/DEPLOYMENT_RUNBOOK.md", "docs/operations/DEPLOYMENT_RUNBOOK.md")
    )
    applied = CliRunner().invoke(main, ["apply", str(repo), "--quiet"])
    assert applied.exit_code != 0
    assert "differs only in case from docs/OPERATIONS" in applied.output
    assert (repo / "DEPLOYMENT_RUNBOOK.md").is_file() and not (repo / "docs" / "operations").exists()
