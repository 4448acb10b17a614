"""`check` after a clean consolidation: its navigation test maps pages as the site plugin does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.cli import main

pytestmark = pytest.mark.usefixtures("git_identity")


def _consolidate(repo: Path) -> None:
    runner = CliRunner()
    for args in (["plan", str(repo), "-q"], ["apply", str(repo), "-q"], ["site", str(repo)]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, (args, done.output)


def _not_in_nav(repo: Path) -> tuple[int, list[str]]:
    done = CliRunner().invoke(main, ["check", str(repo), "--json", "--no-cache"])
    findings = json.loads(done.stdout)["findings"]
    return done.exit_code, [f["path"] for f in findings if f["code"] == "not-in-nav"]


def test_consolidated_samples_pass_check_with_no_not_in_nav(samples_repo: Path) -> None:
    _consolidate(samples_repo)
    code, missing = _not_in_nav(samples_repo)
    assert missing == []
    assert code == 0


def test_a_docs_readme_and_index_beside_a_root_readme_count_as_in_the_nav(samples_repo: Path) -> None:
    # the site plugin shows them as readme.md and overview.md: check must look for those pages
    (samples_repo / "docs" / "README.md").write_text("# About these docs\n\nHow the docs are organised.\n")
    (samples_repo / "docs" / "INDEX.md").write_text("# Docs index\n\n- [Guides](guides/)\n")
    subprocess.run(["git", "add", "docs"], cwd=samples_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "docs landing pages"], cwd=samples_repo, check=True)
    _consolidate(samples_repo)
    assert (samples_repo / "docs" / "README.md").is_file()
    _, missing = _not_in_nav(samples_repo)
    assert missing == []
