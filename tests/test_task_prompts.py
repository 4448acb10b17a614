"""One-shot prompts written for an AI assistant at the root: the brief of work that was asked for, archived
as history; a prompt library, a document about prompts and a prompt the README sends readers to stay."""

from __future__ import annotations

from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config
from consolidator.core.models import Decision, Plan
from consolidator.decide.evidence import Context, gather_evidence, task_prompt
from consolidator.decide.plan import build_plan
from tests.conftest import write_files

# A brief that reads like a guide (prerequisites, setup, troubleshooting, "you will need"): without the
# finding it is kept as live documentation.
BRIEF = (
    "# {title}\n\n"
    "## Objective\n\n"
    "Rewrite the {subject} module of the lantern service so that it streams its records. You will need "
    "the staging credentials. This prompt follows the earlier pass on the importer.\n\n"
    "## Prerequisites\n\nInstall the toolchain and run the following command to configure the file.\n\n"
    "## Setup\n\nRun `make bootstrap` and set the `LANTERN_HOME` variable in the settings file.\n\n"
    "## Troubleshooting\n\nIf the build fails, open the logs and use the script to reset the cache.\n\n"
    "## Deliverables\n\n- a pull request\n- a short note on what changed\n"
)
README = "# Lantern\n\nA service that keeps lamps lit.\n"


def _plan(root: Path) -> dict[str, Decision]:
    config = Config()
    plan: Plan = build_plan(scan_repo(root, config=config, use_cache=False), config, Groups((), (), ()))
    return {e.source: e for e in plan.entries}


def _tags(entry: Decision) -> set[str]:
    return {r.tag for r in entry.reasons if r.tag}


def test_a_root_task_prompt_is_archived_as_the_brief_of_work_that_was_asked_for(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": README,
            "STREAMING_REWRITE_PROMPT.md": BRIEF.format(title="Streaming rewrite prompt", subject="reader"),
        },
    )
    entry = _plan(tmp_path)["STREAMING_REWRITE_PROMPT.md"]
    assert entry.action == "archive", entry
    assert entry.kind == "prompt"
    assert "task-prompt" in _tags(entry)
    reason = next(r for r in entry.reasons if r.tag == "task-prompt")
    assert "prompt for an AI assistant" in reason.text and "this prompt" in reason.text
    # its guide sections instructed the assistant: they are not weighed as a reader's guide
    assert "headings-guide" not in _tags(entry)
    assert any("instruct the assistant" in r.text for r in entry.reasons)


def test_a_prompt_library_folder_is_not_archived(tmp_path: Path) -> None:
    # Reusable prompts, each a brief in form, stamped with a date: what a prompt library holds.
    page = "Date: 2024-03-02\n\n" + BRIEF
    library = {
        f"prompts/{shelf}/{name}-prompt.md": page.format(title=f"{name.title()} prompt", subject=name)
        for shelf in ("writing", "coding")
        for name in ("outline", "review", "summary", "refactor")
    }
    # and a root prompt with blanks to fill in: a template to reuse, not one brief
    template = BRIEF.format(title="Newsletter prompt", subject="{{topic}}") + "\nAudience: {audience}\n"
    write_files(
        tmp_path,
        {
            "README.md": README,
            **library,
            "NEWSLETTER_PROMPT.md": template.replace("streams its records", "writes for [insert audience]"),
            "STREAMING_REWRITE_PROMPT.md": BRIEF.format(title="Streaming rewrite prompt", subject="reader"),
        },
    )
    plan = _plan(tmp_path)
    for path in library:
        assert plan[path].action == "keep", plan[path]
        assert "task-prompt" not in _tags(plan[path])
    assert plan["NEWSLETTER_PROMPT.md"].action == "move"
    assert "task-prompt" not in _tags(plan["NEWSLETTER_PROMPT.md"])
    assert plan["STREAMING_REWRITE_PROMPT.md"].action == "archive"
    # the same page read at the root would be a task prompt: the library is spared for where it lies
    inventory = scan_repo(tmp_path, config=Config(), use_cache=False)
    doc = next(d for d in inventory.documents if d.path == "prompts/writing/outline-prompt.md")
    assert task_prompt(doc, gather_evidence(doc), Context()) is None
    moved = next(d for d in inventory.documents if d.path == "STREAMING_REWRITE_PROMPT.md")
    assert task_prompt(moved, gather_evidence(moved), Context()) is not None


def test_a_process_document_about_prompts_is_not_a_prompt(tmp_path: Path) -> None:
    process = (
        "# Prompt addition process\n\n"
        "This document explains how to add a prompt to the library.\n\n"
        "## Objective\n\nEvery prompt states its audience and its output.\n\n"
        "## Steps\n\n1. Create the file under `prompts/`.\n"
        "2. Run the following command to check the file.\n\n"
        "## Review\n\nA maintainer reviews each new prompt.\n"
    )
    write_files(
        tmp_path,
        {
            "README.md": README,
            "PROMPT_ADDITION_PROCESS.md": process,
            "STREAMING_REWRITE_PROMPT.md": BRIEF.format(title="Streaming rewrite prompt", subject="reader"),
        },
    )
    plan = _plan(tmp_path)
    entry = plan["PROMPT_ADDITION_PROCESS.md"]
    assert entry.action == "move", entry
    assert "task-prompt" not in _tags(entry)
    assert plan["STREAMING_REWRITE_PROMPT.md"].action == "archive"


def test_a_prompt_the_readme_or_the_agents_instructions_link_to_stays_live(tmp_path: Path) -> None:
    readme = README + "\nTo start, paste the [onboarding prompt](ONBOARDING_PROMPT.md) into your assistant.\n"
    agents = "# Agents\n\nBefore a release, run the [release prompt](RELEASE_PROMPT.md).\n"
    write_files(
        tmp_path,
        {
            "README.md": readme,
            "CLAUDE.md": agents,
            "ONBOARDING_PROMPT.md": BRIEF.format(title="Onboarding prompt", subject="setup"),
            "RELEASE_PROMPT.md": BRIEF.format(title="Release prompt", subject="packaging"),
            "STREAMING_REWRITE_PROMPT.md": BRIEF.format(title="Streaming rewrite prompt", subject="reader"),
        },
    )
    plan = _plan(tmp_path)
    for path in ("ONBOARDING_PROMPT.md", "RELEASE_PROMPT.md"):
        assert plan[path].action == "move", plan[path]
        assert "task-prompt" not in _tags(plan[path])
    assert "entry-point" in _tags(plan["ONBOARDING_PROMPT.md"])
    assert plan["STREAMING_REWRITE_PROMPT.md"].action == "archive"


def test_a_prompt_of_the_command_line_is_not_a_prompt_for_an_assistant(tmp_path: Path) -> None:
    # "prompt" in the name, but nothing in the text addresses an assistant: the word alone says nothing
    text = (
        "# Confirmation prompt\n\n"
        "This guide explains the confirmation prompt the CLI shows before it deletes.\n\n"
        "## Usage\n\nRun the command with `--yes` to skip it.\n\n"
        "## Options\n\nSet the variable to change it.\n"
    )
    write_files(
        tmp_path,
        {
            "README.md": README,
            "CONFIRMATION_PROMPT.md": text,
            "STREAMING_REWRITE_PROMPT.md": BRIEF.format(title="Streaming rewrite prompt", subject="reader"),
        },
    )
    plan = _plan(tmp_path)
    entry = plan["CONFIRMATION_PROMPT.md"]
    assert entry.action == "move"
    assert "task-prompt" not in _tags(entry)
    assert plan["STREAMING_REWRITE_PROMPT.md"].action == "archive"


def test_route_parameters_and_shell_variables_are_not_blanks_to_fill_in(tmp_path: Path) -> None:
    routes = " Serve `/lamps/{id}`, `/lamps/{id}/wicks` and `/rooms/{room}`, under `${LANTERN_HOME}`.\n"
    brief = BRIEF.format(title="Streaming rewrite prompt", subject="reader") + routes
    write_files(tmp_path, {"README.md": README, "STREAMING_REWRITE_PROMPT.md": brief})
    entry = _plan(tmp_path)["STREAMING_REWRITE_PROMPT.md"]
    assert entry.action == "archive", entry
    assert "task-prompt" in _tags(entry)
