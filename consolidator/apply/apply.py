"""Carry out a reviewed plan: move files with their history, rewrite links, commit.

Everything the apply will do is worked out in memory first (work.py), while the repository is
untouched. Then it is carried out in journalled steps (steps.py), so an apply killed at any point can
be finished (`resume=True`) or rolled back (undo.py) to the exact pre-apply commit, index and work tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..core import gitio
from ..core.errors import ApplyError, PlanError
from ..core.models import Plan
from ..decide.planfile import load_plan, validate_plan
from .journal import Journal, journal_dir
from .steps import Report, actions_for, actions_of, commits_of, result_of, run_or_explain, say
from .work import (
    PLAN_REL,
    ApplyResult,
    already_applied,
    check_state,
    colons,
    compute_work,
    dirty_paths,
    git_dir_of,
    move_problems,
    repo_root,
    stale_entries,
    untracked_links,
)


def apply_plan(
    repo: Path,
    plan_path: Path | None = None,
    *,
    dry_run: bool = False,
    commit: bool = True,
    resume: bool = False,
    rewrite_mentions: bool = False,
    report: Report | None = None,
) -> ApplyResult:
    """Apply the plan at `plan_path` (default `<repo>/.consolidate/plan.yaml`) to `repo`."""
    root = repo_root(repo)
    journal = Journal(journal_dir(git_dir_of(root)))
    if resume:
        return _resume(root, journal, report)
    if journal.exists() and not journal.finished():
        raise ApplyError(
            "an earlier apply was interrupted; run apply with --resume to finish it, or undo to roll it back"
        )
    plan_path = (plan_path or root / PLAN_REL).resolve()
    try:
        plan_bytes = plan_path.read_bytes()
    except OSError as exc:
        raise ApplyError(f"cannot read the plan {plan_path} ({exc.strerror or exc}); run plan first") from exc
    plan = load_plan(plan_path)
    plan_blob = gitio.blob_id(plan_bytes)
    pre_head = check_state(root)
    if already_applied(root, plan, plan_bytes, pre_head):
        # No progress line: the result says so (the CLI printed it twice, on stderr and on stdout).
        return ApplyResult(
            str(plan_path), plan_blob, (), (), (), False, (), dry_run=dry_run, already_applied=True
        )

    tracked = {e.path: e for e in gitio.index_entries(root)}
    _refuse_unfit(root, plan, plan_path, tracked)
    say(report, "working out every change")
    work = compute_work(
        root, plan, plan_bytes, pre_head, tracked, with_mentions=rewrite_mentions, with_diffs=dry_run
    )
    dirty = dirty_paths(root, work)
    if dirty:
        raise ApplyError(
            "uncommitted changes in files the plan touches; commit or stash them first:\n  - "
            + "\n  - ".join(dirty)
        )
    if dry_run:
        return ApplyResult(
            str(plan_path),
            plan_blob,
            tuple(work.moves),
            tuple(work.files),
            tuple(work.mentions),
            rewrite_mentions,  # what the diffs show: the mentions rewritten when asked
            tuple(work.skipped),
            diffs=tuple(work.diffs),
            markdown_mentions=tuple(work.markdown_mentions),
            unmatched=tuple(work.unmatched),
            staged=not commit,
            dry_run=True,
        )
    if commit:
        problem = gitio.identity_problem(root)
        if problem:
            raise ApplyError(
                "git does not know who you are, so it cannot commit: set `git config user.name` and "
                f"`git config user.email`, or apply with --no-commit ({problem})"
            )
    actions = actions_for(root, plan, plan_path, plan_blob, work, commit=commit, mentions=rewrite_mentions)
    index_file = git_dir_of(root) / "index"
    journal = Journal.prepare(journal.folder, actions, work.blobs, index_file)
    objects = run_or_explain(root, journal, report)
    return result_of(actions, commits_of(objects), resumed=False)


def _refuse_unfit(root: Path, plan: Plan, plan_path: Path, tracked: Mapping[str, gitio.IndexEntry]) -> None:
    """Refuse, before anything changes, a plan that does not fit the repository or is out of date."""
    listed = gitio.list_files(root)
    problems = validate_plan(plan, root, frozenset(listed))
    # The plan's own validation and apply's safety checks see some problems alike: one message per
    # problem, so a source the validation already named is not named again in other words.
    sources = {e.source for e in plan.entries}
    named = {p[:i] for p in problems for i in colons(p) if p[:i] in sources}
    problems += [
        p for src, p in move_problems(root, plan.moves(), tracked) if src not in named and p not in problems
    ]
    problems += untracked_links(root, plan.moves(), set(listed) - set(tracked))
    if problems:
        raise PlanError(f"the plan {plan_path} does not fit the repository; nothing was changed", problems)
    stale = stale_entries(root, plan)
    if stale:
        raise ApplyError(
            "the plan is out of date; make a new plan, nothing was changed:\n  - " + "\n  - ".join(stale)
        )


def _resume(root: Path, journal: Journal, report: Report | None) -> ApplyResult:
    if not journal.exists():
        raise ApplyError("there is no interrupted apply to resume")
    actions = actions_of(journal)
    if journal.finished():
        objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
        return replace(result_of(actions, commits_of(objects), resumed=True), already_applied=True)
    current = gitio.head(root)
    objects = next((s for s in journal.steps() if s.get("step") == "objects"), {})
    if current not in (actions["pre_head"], objects.get("content_commit")):
        raise ApplyError(
            f"HEAD is at {current}, neither the commit the apply started from ({actions['pre_head'][:12]}) "
            "nor the one it makes; not resuming"
        )
    say(report, "resuming the interrupted apply")
    objects = run_or_explain(root, journal, report)
    return result_of(actions, commits_of(objects), resumed=True)
