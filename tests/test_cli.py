from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from consolidator.cli import main
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
