"""Moved paths that Markdown documents name as text (prose, inline code, code blocks, link labels),
not as links: listed by `apply` by default, rewritten with `--rewrite-mentions`, never counted or
rewritten twice where the link rewriter already changed a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.apply.apply import apply_plan
from consolidator.apply.rewrite import find_markdown_mentions, rewrite_markdown_mentions
from consolidator.cli import main
from consolidator.core import gitio
from consolidator.core.models import Decision, Plan, PlanHeader
from tests.conftest import RepoMaker
from tests.test_apply import write_plan

pytestmark = pytest.mark.usefixtures("git_identity")

# Made-up project: one note moves into docs/, the agent instructions stay at the root.
AGENTS = (
    "# Agent notes\n"
    "\n"
    "Before deploying, see `ROLLOUT_PLAN.md` and read ROLLOUT_PLAN.md twice.\n"
    "- ./ROLLOUT_PLAN.md: the steps\n"
    "- OLD_ROLLOUT_PLAN.md: a longer name, not a mention\n"
    "- [ROLLOUT_PLAN.md](ROLLOUT_PLAN.md) as a link\n"
    "\n"
    "```sh\n"
    "cat ROLLOUT_PLAN.md\n"
    "```\n"
)
# The same bytes with every mention rewritten (the golden file of the rewrite).
AGENTS_REWRITTEN = (
    "# Agent notes\n"
    "\n"
    "Before deploying, see `docs/ops/rollout-plan.md` and read docs/ops/rollout-plan.md twice.\n"
    "- ./docs/ops/rollout-plan.md: the steps\n"
    "- OLD_ROLLOUT_PLAN.md: a longer name, not a mention\n"
    "- [docs/ops/rollout-plan.md](docs/ops/rollout-plan.md) as a link\n"
    "\n"
    "```sh\n"
    "cat docs/ops/rollout-plan.md\n"
    "```\n"
)
MOVES = {"ROLLOUT_PLAN.md": "docs/ops/rollout-plan.md"}


def _repo(make_repo: RepoMaker, text: str = AGENTS) -> Path:
    repo = make_repo(
        {
            "AGENTS.md": text,
            "ROLLOUT_PLAN.md": "# Rollout plan\n\nStep one.\n",
            "OLD_ROLLOUT_PLAN.md": "# Old rollout plan\n\nGone.\n",
        }
    )
    entries = []
    for path in ("AGENTS.md", "OLD_ROLLOUT_PLAN.md", "ROLLOUT_PLAN.md"):
        blob = gitio.blob_id((repo / path).read_bytes())
        if path in MOVES:
            entries.append(Decision(path, "move", MOVES[path], "ops", None, ("live",), 0.9, blob))
        else:
            entries.append(Decision(path, "keep", None, None, None, ("root",), 1.0, blob))
    write_plan(repo, Plan(PlanHeader("consolidator 0.1.0", repo.name, gitio.head(repo)), tuple(entries)))
    return repo


def test_markdown_mentions_are_listed_by_default_and_left_as_written(make_repo: RepoMaker) -> None:
    repo = _repo(make_repo)
    result = apply_plan(repo)
    found = {(m.file, m.line, m.old, m.new) for m in result.markdown_mentions}
    assert found == {
        ("AGENTS.md", 3, "ROLLOUT_PLAN.md", "docs/ops/rollout-plan.md"),
        ("AGENTS.md", 4, "./ROLLOUT_PLAN.md", "./docs/ops/rollout-plan.md"),
        ("AGENTS.md", 6, "ROLLOUT_PLAN.md", "docs/ops/rollout-plan.md"),
        ("AGENTS.md", 9, "ROLLOUT_PLAN.md", "docs/ops/rollout-plan.md"),
    }
    assert len(result.markdown_mentions) == 5  # line 3 names it twice
    # Only the link target changed; the text still names the old path, as the user was told.
    text = (repo / "AGENTS.md").read_text(encoding="utf-8")
    assert text == AGENTS.replace("](ROLLOUT_PLAN.md)", "](docs/ops/rollout-plan.md)")


def test_rewrite_mentions_rewrites_markdown_text_byte_for_byte(make_repo: RepoMaker) -> None:
    repo = _repo(make_repo)
    result = apply_plan(repo, rewrite_mentions=True)
    assert (repo / "AGENTS.md").read_text(encoding="utf-8") == AGENTS_REWRITTEN
    changes = next(f.changes for f in result.rewritten if f.path == "AGENTS.md")
    # the link target once (by the link rewriter), each text mention once: nothing twice
    assert len(changes) == 6
    assert sum(1 for c in changes if c.line == 6) == 2


def test_no_double_rewrite_of_links() -> None:
    # After the link rewriter, the link target holds the new path: only the label is a mention.
    after_links = "[ROLLOUT_PLAN.md](docs/ops/rollout-plan.md) and [x](./docs/ops/rollout-plan.md)\n"
    assert [m.old for m in find_markdown_mentions(after_links, "AGENTS.md", MOVES)] == ["ROLLOUT_PLAN.md"]
    done = rewrite_markdown_mentions(after_links, "AGENTS.md", MOVES)
    new = "docs/ops/rollout-plan.md"
    assert done.text == f"[{new}]({new}) and [x](./{new})\n"
    # A link target the link rewriter left as written is its report, not a mention.
    assert find_markdown_mentions("[see](ROLLOUT_PLAN.md)\n", "AGENTS.md", MOVES) == []


def test_longer_name_and_other_folder_are_not_mentions() -> None:
    text = "OLD_ROLLOUT_PLAN.md, ROLLOUT_PLAN.md.bak, sub/ROLLOUT_PLAN.md, ROLLOUT_PLAN.mdx\n"
    assert find_markdown_mentions(text, "AGENTS.md", MOVES) == []
    # relative to the mentioning document's folder, and from the repository root
    nested = "see ../ROLLOUT_PLAN.md or ROLLOUT_PLAN.md\n"
    found = find_markdown_mentions(nested, "guide/README.md", MOVES)
    assert [(m.old, m.new) for m in found] == [
        ("../ROLLOUT_PLAN.md", "../docs/ops/rollout-plan.md"),
        ("ROLLOUT_PLAN.md", "docs/ops/rollout-plan.md"),
    ]


def test_cli_lists_markdown_mentions_in_dry_run_and_apply(make_repo: RepoMaker) -> None:
    repo = _repo(make_repo)
    runner = CliRunner()
    dry = runner.invoke(main, ["apply", str(repo), "--dry-run", "--quiet"])
    assert dry.exit_code == 0, dry.output
    assert "5 mentions of moved files left as text in 1 Markdown file" in dry.output
    assert "AGENTS.md:4: ./ROLLOUT_PLAN.md → ./docs/ops/rollout-plan.md" in dry.output
    done = runner.invoke(main, ["apply", str(repo), "--quiet"])
    assert done.exit_code == 0, done.output
    assert "5 mentions of moved files left as text in 1 Markdown file" in done.output
    assert "AGENTS.md:9: ROLLOUT_PLAN.md → docs/ops/rollout-plan.md" in done.output


def test_cli_rewrite_mentions_says_rewritten(make_repo: RepoMaker) -> None:
    repo = _repo(make_repo)
    result = CliRunner().invoke(main, ["apply", str(repo), "--rewrite-mentions", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Rewrote 5 mentions of moved files named as text in 1 Markdown file" in result.output
    assert (repo / "AGENTS.md").read_text(encoding="utf-8") == AGENTS_REWRITTEN


def test_dry_run_with_rewrite_mentions_says_what_it_would_do(make_repo: RepoMaker) -> None:
    repo = _repo(make_repo)
    result = CliRunner().invoke(main, ["apply", str(repo), "--dry-run", "--rewrite-mentions", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Would rewrite 5 mentions of moved files named as text in 1 Markdown file" in result.output
    assert "+cat docs/ops/rollout-plan.md" in result.output
    assert (repo / "AGENTS.md").read_text(encoding="utf-8") == AGENTS


def test_moving_document_writes_folder_relative_mentions_from_its_new_place() -> None:
    moves = {"guide/SETUP.md": "docs/setup.md", "guide/README.md": "docs/guide/readme.md"}
    text = "run SETUP.md first, or guide/SETUP.md from the top\n"
    found = find_markdown_mentions(text, "guide/README.md", moves, "docs/guide/readme.md")
    expected = [("SETUP.md", "../setup.md"), ("guide/SETUP.md", "docs/setup.md")]
    assert [(m.old, m.new) for m in found] == expected
    done = rewrite_markdown_mentions(text, "guide/README.md", moves, "docs/guide/readme.md")
    assert done.text == "run ../setup.md first, or docs/setup.md from the top\n"


def test_reference_labels_are_listed_not_rewritten() -> None:
    # Renaming one spelling of a label could unpair a reference link from its definition.
    text = "[plan.md]: ROLLOUT_PLAN.md\nsee [ROLLOUT_PLAN.md][] and [ROLLOUT_PLAN.md](x.md)\n"
    found = find_markdown_mentions(text, "AGENTS.md", MOVES)
    assert [(m.line, m.old) for m in found] == [(2, "ROLLOUT_PLAN.md"), (2, "ROLLOUT_PLAN.md")]
    done = rewrite_markdown_mentions(text, "AGENTS.md", MOVES)
    assert done.text == text.replace("[ROLLOUT_PLAN.md](", "[docs/ops/rollout-plan.md](")
    assert done.unmatched == ("line 2: ROLLOUT_PLAN.md (a reference label; left as written)",)


def test_sibling_that_moves_along_is_not_a_mention() -> None:
    text = "run SETUP.md first\n"
    moves = {"guide/SETUP.md": "docs/guide/SETUP.md", "guide/README.md": "docs/guide/README.md"}
    assert find_markdown_mentions(text, "guide/README.md", moves, "docs/guide/README.md") == []


def test_the_first_line_counts_links_and_paths_named_as_text_apart(make_repo: RepoMaker) -> None:
    # A document that names the moved file only as text has no link rewritten: the first line says
    # what was rewritten (links, and the paths named as text when asked), never one for the other.
    runner = CliRunner()
    text_only = _repo(make_repo, AGENTS.replace("- [ROLLOUT_PLAN.md](ROLLOUT_PLAN.md) as a link\n", ""))
    done = runner.invoke(main, ["apply", str(text_only), "--rewrite-mentions", "--quiet"])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == "Moved 1 file, rewrote 4 paths named as text in 1 file."
    repo = _repo(make_repo)
    dry = runner.invoke(main, ["apply", str(repo), "--dry-run", "--rewrite-mentions", "--quiet"])
    assert dry.stdout.splitlines()[0] == (
        "Would move 1 file, would rewrite 1 link in 1 file and 5 paths named as text in 1 file."
    )
    # not asked to rewrite them: the mentions are listed below, and the first line counts the link
    done = runner.invoke(main, ["apply", str(repo), "--quiet"])
    assert done.stdout.splitlines()[0] == "Moved 1 file, rewrote 1 link in 1 file."
    message = gitio.run_git(repo, "log", "-1", "--format=%B").decode()
    assert "Rewrote 1 link target in 1 file," in message
    message = gitio.run_git(text_only, "log", "-1", "--format=%B").decode()
    assert "Rewrote 0 link targets and 4 paths named as text in 1 file," in message


def test_a_journal_from_before_mentions_were_counted_apart_counts_its_changes_as_links() -> None:
    from consolidator.apply.steps import result_of

    actions = {
        "plan": "plan.yaml",
        "plan_blob": "0" * 40,
        "moves": [["A.md", "docs/A.md", "100644", "1" * 40]],
        "files": [["README.md", "README.md", [[3, "A.md", "docs/A.md"]], None, []]],  # 5 fields
        "mentions": [],
        "mentions_rewritten": False,
        "skipped": [],
        "commit": True,
    }
    assert result_of(actions, [], resumed=True).rewrite_counts() == ((1, 1), (0, 0))
