"""Judgement a reader would sign: files tools read by path stay, folders are never duplicated by case,
and the same repository always gives the same plan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config
from consolidator.core.models import Cluster, Decision, Plan, PlanHeader
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import dump_plan, validate_plan
from tests.conftest import write_files

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
    twins = Cluster("dup-template", "duplicate", (upper, lower), lower, "template", (), 1.0)
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
