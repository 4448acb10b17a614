"""Kill a real apply process (SIGKILL) at every journal step, then resume it or undo it.

The apply runs in a child process with CONSOLIDATE_TEST_KILL_AT=<n>, which makes it kill itself
right after writing its n-th journal record, or with "~<n>" just before writing it (the step's work
done but not recorded, so resuming repeats it). Afterwards `apply --resume` must reach exactly the
state an uninterrupted apply reaches, and `undo` exactly the state before the apply (HEAD, index,
every file's bytes and mode, folders, and the untracked plan file).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IDENTITY
from test_apply import git, sample_plan, snapshot, write_plan

from consolidator.apply.apply import apply_plan
from consolidator.apply.journal import KILL_AT_VARIABLE, Journal, journal_dir
from consolidator.apply.undo import undo
from consolidator.core import gitio

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("git_identity")]

CHILD = (
    "import sys; from pathlib import Path; from consolidator.apply.apply import apply_plan; "
    "apply_plan(Path(sys.argv[1]), commit=sys.argv[2] == 'commit')"
)
PARALLEL = 3  # child processes at once (the machine is shared)


def _without_head(state: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in state.items() if k != "head"}


Prepared = tuple[Path, dict[str, object], dict[str, object], int]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """A samples repository with its plan, its state before, the state an uninterrupted apply
    reaches, and how many journal records that apply writes."""
    from consolidator.demo import make_sample_repo

    base = tmp_path_factory.mktemp("kill")
    template = make_sample_repo(base / "template")
    write_plan(template, sample_plan(template))
    before = snapshot(template)
    reference = base / "reference"
    shutil.copytree(template, reference, symlinks=True)
    env_before = {k: os.environ.get(k) for k in IDENTITY}
    os.environ.update(IDENTITY)
    try:
        apply_plan(reference)
    finally:
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    records = len(Journal(journal_dir(reference / ".git")).steps())
    after = snapshot(reference)
    after["trees"] = _trees(reference)
    return template, before, after, records


def _trees(repo: Path) -> list[str]:
    """Trees of HEAD and its two parents: the content commit, the rename commit, the start."""
    return [gitio.tree_of(repo, f"HEAD~{i}") for i in range(3)]


def _kill_all(template: Path, base: Path, points: list[str], mode: str = "commit") -> dict[str, Path]:
    """Copy the template once per kill point and run a child apply in each, PARALLEL at a time."""
    repos = {}
    for point in points:
        repos[point] = base / f"k{point.replace('~', 'b')}"
        shutil.copytree(template, repos[point], symlinks=True)
    pending = list(points)
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    while pending or running:
        while pending and len(running) < PARALLEL:
            point = pending.pop(0)
            env = {**os.environ, **IDENTITY, KILL_AT_VARIABLE: point}
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(repos[point]), mode],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            running.append((point, child))
        point, child = running.pop(0)
        _, err = child.communicate(timeout=120)
        assert child.returncode == -signal.SIGKILL, f"kill point {point}: exit {child.returncode}: {err!r}"
    return repos


def test_journal_has_enough_kill_points(prepared: Prepared) -> None:
    _, _, _, records = prepared
    assert records >= 20


def test_kill_at_every_step_then_resume(prepared: Prepared, tmp_path: Path) -> None:
    template, before, after, records = prepared
    # After the last record ("done") nothing is left to resume; just before it, only the record.
    # Kills before a record (work done, not recorded) at every other step keep the run short.
    points = [str(n) for n in range(1, records)] + [f"~{n}" for n in range(1, records + 1, 2)]
    repos = _kill_all(template, tmp_path, points)
    failures = []
    for point, repo in repos.items():
        journal = Journal(journal_dir(repo / ".git"))
        recorded = int(point.lstrip("~")) - point.startswith("~")
        assert len(journal.steps()) == recorded, f"kill point {point}"
        assert not journal.finished()
        # A plain apply refuses while one is interrupted.
        with pytest.raises(Exception, match="interrupted"):
            apply_plan(repo)
        result = apply_plan(repo, resume=True)
        assert result.resumed and len(result.commits) == 2
        state = snapshot(repo)
        state["trees"] = _trees(repo)
        if _without_head(state) != _without_head(after):
            failures.append(point)
            continue
        assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
        assert gitio.head(repo) == result.commits[-1]
        assert git(repo, "rev-parse", "HEAD~2").strip() == before["head"]
    assert not failures, f"resume did not reach the applied state after kills at {failures}"


def test_kill_at_every_step_then_undo(prepared: Prepared, tmp_path: Path) -> None:
    template, before, _, records = prepared
    # After every other record, before the others, and after "done": the undo of a finished apply.
    points = [str(n) for n in range(2, records, 2)] + [f"~{n}" for n in range(1, records + 1, 2)]
    points.append(str(records))
    repos = _kill_all(template, tmp_path, points)
    failures = []
    for point, repo in repos.items():
        undone = undo(repo)
        assert undone.head == before["head"]
        assert undone.completed == (point == str(records))
        if snapshot(repo) != before:
            failures.append(point)
        assert not journal_dir(repo / ".git").exists()
    assert not failures, f"undo did not restore the exact state after kills at {failures}"


def test_kill_apply_without_commit_then_resume_or_undo(prepared: Prepared, tmp_path: Path) -> None:
    template, before, _, records = prepared
    reference = tmp_path / "reference"
    shutil.copytree(template, reference, symlinks=True)
    apply_plan(reference, commit=False)
    staged = snapshot(reference)
    assert staged["head"] == before["head"] and staged["ls-files"] != before["ls-files"]
    points = ["2", f"~{records // 2}", str(records - 2)]
    resumed = _kill_all(template, tmp_path / "resume", points, mode="no-commit")
    for point, repo in resumed.items():
        result = apply_plan(repo, resume=True)
        assert result.staged and not result.commits
        assert snapshot(repo) == staged, f"kill point {point}"
    undone = _kill_all(template, tmp_path / "undo", points, mode="no-commit")
    for point, repo in undone.items():
        undo(repo)
        assert snapshot(repo) == before, f"kill point {point}"


def test_killed_from_outside_mid_step(prepared: Prepared, tmp_path: Path) -> None:
    """SIGKILL sent by another process once the journal reaches N records: the child is wherever it
    happens to be by then, often in the middle of a step (half a batch moved or written)."""
    import time

    template, before, after, records = prepared
    killed = 0
    for n, then in [(2, "resume"), (5, "undo"), (14, "resume"), (17, "undo"), (records - 3, "resume")]:
        repo = tmp_path / f"outside{n}"
        shutil.copytree(template, repo, symlinks=True)
        steps = journal_dir(repo / ".git") / "journal.jsonl"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(repo), "commit"],
            env={**os.environ, **IDENTITY},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while child.poll() is None and time.monotonic() < deadline:
            if steps.is_file() and steps.read_bytes().count(b"\n") >= n:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        child.wait(timeout=60)
        if child.returncode != -signal.SIGKILL:
            continue  # finished before the signal landed: nothing interrupted to test here
        killed += 1
        if then == "resume":
            apply_plan(repo, resume=True)
            state = snapshot(repo)
            state["trees"] = _trees(repo)
            assert _without_head(state) == _without_head(after), f"killed after {n} records"
        else:
            undo(repo)
            assert snapshot(repo) == before, f"killed after {n} records"
    assert killed >= 3
