"""Where the time of one cold `consolidate plan` goes, phase by phase.

    python benchmarks/plan_phases.py REPO

Runs `consolidate plan REPO --output TEMPFILE --quiet` in this interpreter, its parse cache removed
first, and prints when each phase of the planning process ended: wall time since the interpreter
started, the CPU time of this process (its threads included) and of the processes it waited for (the
parse workers and `git`; a worker's time shows when the parse ends and the pool is shut down), and what
each phase added. Nothing heavy is imported before the clock
starts, and the planner's modules are timed where the plan imports them (in a thread, while the
workers parse). `plan_bench.py --phases` runs this in a fresh interpreter after its own runs.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import contextlib  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

_MARKS: list[tuple[str, float, float, float]] = []  # label, wall, own cpu, children's cpu
_LOCK = threading.Lock()


def mark(label: str) -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with _LOCK:
        _MARKS.append(
            (
                label,
                time.perf_counter() - _T0,
                own.ru_utime + own.ru_stime,
                children.ru_utime + children.ru_stime,
            )
        )


def timed(module: Any, name: str, label: str) -> None:
    """Mark when `module.name` starts and ends, each time it is called."""
    original: Callable[..., Any] = getattr(module, name)

    def run(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} starts")
        try:
            return original(*args, **kwargs)
        finally:
            mark(f"{label} ends")

    setattr(module, name, run)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    repo = Path(args[0]).resolve()
    shutil.rmtree(repo / ".git" / "consolidate", ignore_errors=True)
    mark("interpreter up")
    cli = importlib.import_module("consolidator.cli")
    scan = importlib.import_module("consolidator.analysis.scan")
    planfile = importlib.import_module("consolidator.decide.planfile")  # as `plan` does first
    mark("command imported")
    timed(cli, "list_documents", "listing and reading documents")
    timed(scan, "_parse_missing", "parse (workers)")
    timed(cli, "scan_repo", "scan")
    timed(planfile, "write_plan", "writing the plan file")
    importing = cli._import_planning

    def import_planning() -> None:
        mark("planner import (thread) starts")
        importing()
        mark("planner import (thread) ends")
        # Only now that the plan imported them: timing them earlier would import them outside the run.
        plan = importlib.import_module("consolidator.decide.plan")
        for name, label in (
            ("start_document_groups", "similarity"),
            ("_judge", "classification"),
            ("_assemble", "layout and assembly"),
        ):
            timed(plan, name, label)

    cli._import_planning = import_planning
    with tempfile.TemporaryDirectory(prefix="plan-phases-") as tmp:
        with contextlib.redirect_stdout(io.StringIO()):  # the plan's summary is not shown
            command = ["plan", str(repo), "--output", str(Path(tmp) / "plan.yaml"), "--quiet"]
            cli.main(command, standalone_mode=False)
        mark("command done")
    print(f"{'wall s':>7} {'own cpu':>8} {'workers':>8}  {'+wall':>6} {'+cpu':>6}  phase")
    last = (0.0, 0.0, 0.0)
    for label, wall, own, children in sorted(_MARKS, key=lambda m: m[1]):
        added = own + children - last[1] - last[2]
        print(f"{wall:7.2f} {own:8.2f} {children:8.2f}  {wall - last[0]:6.2f} {added:6.2f}  {label}")
        last = (wall, own, children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
