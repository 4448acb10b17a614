from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from consolidator.cli import main
from consolidator.decide.planfile import load_plan, plan_to_dict
from tests.conftest import RepoMaker

README = Path(__file__).resolve().parents[1] / "README.md"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_scan_json_is_the_full_inventory(samples_repo: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(samples_repo), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["documents"] == len(data["documents"])
    assert data["summary"]["root_documents"] >= 40
    readme = next(d for d in data["documents"] if d["path"] == "README.md")
    assert readme["title"] and readme["headings"] and readme["links"]
    assert {"github_id", "mkdocs_id", "line", "level", "text"} <= set(readme["headings"][0])
    assert {"target", "kind", "path", "exists", "anchor_ok", "line"} <= set(readme["links"][0])
    assert "first_commit" in readme["dates"]


def test_scan_human_summary(samples_repo: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(samples_repo)])
    assert result.exit_code == 0, result.output
    assert "documents" in result.stdout and "Largest documents" in result.stdout
    assert "Oldest documents" in result.stdout


def test_missing_repo_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_bad_config_names_the_nearest_setting(make_repo: RepoMaker) -> None:
    root = make_repo({"a.md": "# A\n", "consolidate.toml": "root_budgett = 5\n"})
    result = CliRunner().invoke(main, ["scan", str(root)])
    assert result.exit_code == 2
    assert "unknown setting 'root_budgett'" in result.stderr and "root_budget" in result.stderr


def test_terminal_escapes_in_titles_are_not_passed_through(make_repo: RepoMaker) -> None:
    root = make_repo({"EVIL.md": "# \x1b]0;pwned\x07Evil \x1b[31mred[/] [bold]x\n\n" + "word " * 5000})
    result = CliRunner().invoke(main, ["scan", str(root)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_line_numbers_in_findings_are_not_turned_into_emoji(make_repo: RepoMaker) -> None:
    # "guide.md:100: ..." holds `:100:`, an emoji code rich would print as a symbol
    root = make_repo({"guide.md": "# Guide\n\n" + "text\n" * 97 + "[gone](missing.md)\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1, result.output
    assert "guide.md:100: [broken-link]" in result.stdout, result.stdout


def test_demo_scans_a_copy_of_the_samples(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--keep", str(target), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (target / ".git").is_dir() and (target / "README.md").is_file()


def test_every_command_is_documented() -> None:
    documented = README.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")
    )
    for name in main.commands:
        assert re.search(rf"consolidate {name}\b", documented), f"`consolidate {name}` is not documented"


def test_plan_writes_where_apply_looks_and_summarises(samples_repo: Path) -> None:
    result = CliRunner().invoke(main, ["plan", str(samples_repo), "--quiet"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Markdown files at the root: 55 → 5" in out
    assert "Check these first (lowest confidence)" in out and "against:" in out
    assert "DEPLOYMENT_GUIDE.md (several guides to one procedure)" in out
    assert (samples_repo / ".consolidate" / "plan.yaml").is_file()
    # the default location is where apply looks, and an untracked plan file does not block it
    applied = CliRunner().invoke(main, ["apply", str(samples_repo), "--quiet"])
    assert applied.exit_code == 0, applied.output
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=samples_repo, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    # applying it again changes nothing and says so once (stdout and stderr together)
    twice = CliRunner().invoke(main, ["apply", str(samples_repo)])
    assert twice.exit_code == 0, twice.output
    assert twice.output.lower().count("already applied") == 1, twice.output
    # planning the consolidated repository again proposes no moves
    again = CliRunner().invoke(main, ["plan", str(samples_repo), "--json", "--quiet"])
    assert again.exit_code == 0, again.output
    assert {e["action"] for e in json.loads(again.stdout)["entries"]} == {"keep"}


def test_plan_json_is_the_plan_file(samples_repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    report = tmp_path / "review.md"
    args = ["plan", str(samples_repo), "--json", "--output", str(target), "--report", str(report), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == plan_to_dict(load_plan(target))
    assert not (samples_repo / ".consolidate" / "plan.yaml").exists()
    assert "DEPLOYMENT\\_QUICKSTART.md" in report.read_text(encoding="utf-8")  # escaped Markdown


def test_plan_leaves_the_garbage_collector_as_it_found_it(samples_repo: Path, tmp_path: Path) -> None:
    import gc

    before = gc.get_threshold()
    result = CliRunner().invoke(main, ["plan", str(samples_repo), "-o", str(tmp_path / "p.yaml"), "-q"])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == before
