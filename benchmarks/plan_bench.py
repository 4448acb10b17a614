"""What `consolidate plan` costs on a repository, against the cost of parsing it.

    python benchmarks/plan_bench.py REPO [--runs 3] [--warm-runs 3] [--subsets 10000,20000,40000]
                                         [--no-floor] [--phases] [--cap-gib 6]

For REPO (a git work tree; it is only read: the plan goes to a temporary file, the parse cache
inside `.git`, as `consolidate plan -o FILE` does) it prints:

- the cold plan: `consolidate plan` run as a user runs it (a fresh interpreter, imports included)
  with its parse cache removed first; wall time, CPU time (user + system, worker processes
  included) and peak memory: the largest single process (`ru_maxrss`) and the largest sum over the
  whole process tree, sampled every 50 ms from /proc;
- the warm plan: the same command again with nothing changed;
- what the plan proposes: documents, moves (and their share), duplicate groups and their members;
- the parse floor, measured in the same run: every Markdown file the plan reads, parsed by the same
  mistune call the parser makes, once in one process and once on all cores;
- with --phases, where the time of one more cold plan goes (`plan_phases.py`): when each phase of the
  planning process ended, with the CPU time of the process and of its workers;
- with --subsets, the growth: the same cold plan on repositories made of the first N Markdown files
  (by path) of REPO, each committed once to a fresh git repository under a temporary folder.

Every child runs under an address-space cap (--cap-gib), so a run that would grow without bound
fails on its own instead of taking the machine's memory from everyone else.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docs_tree import make_docs_tree  # noqa: F401  (the generated tree, imported from here by tests)

GIB = 1024**3


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    max_rss: int  # bytes, the largest single process
    tree_rss: int  # bytes, the largest sampled sum over the process tree


def _tree(pid: int) -> list[int]:
    found = [pid]
    for p in found:
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as src:
                    found.extend(int(c) for c in src.read().split())
            except OSError:
                continue
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as src:
            return int(src.read().split()[1]) * resource.getpagesize()
    except OSError:
        return 0


def measure(command: Sequence[str], cap_bytes: int) -> Run:
    """Run `command`, returning its wall and CPU time and peak memory; raise if it fails."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_rss(p) for p in _tree(child.pid)))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4 reports the child with every process it waited for (its parse workers).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{err[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, peak)


def plan_command(repo: Path, output: Path) -> list[str]:
    code = "from consolidator.cli import main; main()"
    return [sys.executable, "-c", code, "plan", str(repo), "--output", str(output), "--quiet"]


def drop_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".git" / "consolidate", ignore_errors=True)


def show(label: str, runs: list[Run]) -> Run:
    med = Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.max_rss for r in runs),
        max(r.tree_rss for r in runs),
    )
    walls = ", ".join(f"{r.wall:.2f}" for r in runs)
    print(
        f"{label:<28} wall {med.wall:7.2f} s  cpu {med.cpu:7.2f} s  peak rss {med.max_rss / GIB:5.2f} GiB"
        f" (process tree {med.tree_rss / GIB:5.2f} GiB)  [runs: {walls}]",
        flush=True,
    )
    return med


def outcome(plan_file: Path) -> None:
    from consolidator.decide.planfile import load_plan

    plan = load_plan(plan_file)
    n = len(plan.entries)
    moves = plan.moves()
    duplicates = [c for c in plan.clusters if c.kind == "duplicate"]
    members = sum(len(c.members) for c in duplicates)
    print(
        f"plan: {n} documents, {len(moves)} moved ({100 * len(moves) / max(n, 1):.2f}%), "
        f"{len(duplicates)} duplicate groups ({members} documents)",
        flush=True,
    )
    for c in duplicates[:8]:
        print(f"  duplicate group {c.id}: {', '.join(list(c.members)[:4])}")


def markdown_files(repo: Path) -> list[Path]:
    """The files the plan reads, chosen the way the scan chooses them."""
    from consolidator.analysis.scan import excluded, list_repo_files
    from consolidator.core.config import load_config
    from consolidator.core.conventions import is_markdown

    config = load_config(repo)
    files, _, _ = list_repo_files(repo.resolve())
    return [repo / f for f in files if is_markdown(f) and not excluded(f, config.exclude)]


def _parse_file(path: Path) -> int:
    from consolidator.core.textio import decode
    from consolidator.markdown.parse import _MARKDOWN, split_front_matter

    try:
        data = path.read_bytes()
    except OSError:
        return 0
    _, body, _ = split_front_matter(decode(data).text)
    _MARKDOWN(body)
    return len(data)


def parse_floor(repo: Path) -> tuple[float, float, int, int]:
    """(one process, all cores, files, bytes): every file through the parser's mistune call."""
    files = markdown_files(repo)
    start = time.perf_counter()
    size = sum(_parse_file(f) for f in files)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    # Largest first, a few at a time, as the scan hands them out.
    ordered = sorted(files, key=lambda f: -f.stat().st_size if f.exists() else 0)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_parse_file, ordered, chunksize=16))
    parallel = time.perf_counter() - start
    return serial, parallel, len(files), size


def make_subset(repo: Path, count: int, where: Path) -> Path:
    """A fresh git repository holding the first `count` Markdown files of `repo` (by path)."""
    files = sorted(markdown_files(repo))[:count]
    target = where / f"subset-{count}"
    for f in files:
        dest = target / f.relative_to(repo)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    }
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "subset"],
    ):
        subprocess.run(["git", "-C", str(target), *args], check=True, env=env)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="cold runs of the plan (median shown)")
    parser.add_argument("--warm-runs", type=int, default=1, help="warm runs of the plan")
    parser.add_argument("--subsets", default="", help="comma-separated file counts, e.g. 10000,20000,40000")
    parser.add_argument("--no-floor", action="store_true", help="skip the parse floor")
    parser.add_argument("--phases", action="store_true", help="time the phases of one more cold plan")
    parser.add_argument("--cap-gib", type=float, default=6.0, help="address-space cap of every child")
    args = parser.parse_args(argv)
    repo: Path = args.repo.resolve()
    cap = int(args.cap_gib * GIB)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    print(f"repository {repo} at {head.stdout.strip() or '(no commit)'}; {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as tmp:
        out = Path(tmp) / "plan.yaml"
        cold_run = None
        if args.runs > 0:  # --runs 0: only the subsets
            cold = []
            for _ in range(args.runs):
                drop_cache(repo)
                cold.append(measure(plan_command(repo, out), cap))
            cold_run = show("plan, cold", cold)
            outcome(out)
            if args.warm_runs:
                show(
                    "plan, warm (nothing changed)",
                    [measure(plan_command(repo, out), cap) for _ in range(args.warm_runs)],
                )
        if not args.no_floor and cold_run is not None:
            serial, parallel, files, size = parse_floor(repo)
            print(
                f"parse floor ({files} files, {size / 1e6:.1f} MB): one process {serial:.2f} s, "
                f"all cores {parallel:.2f} s; cold plan = {cold_run.wall / parallel:.2f} x the all-cores "
                "floor",
                flush=True,
            )
        if args.phases:
            phases = Path(__file__).with_name("plan_phases.py")
            print("phases of one cold plan:", flush=True)
            subprocess.run(
                [sys.executable, str(phases), str(repo)],
                check=True,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
            )
        previous: tuple[int, Run] | None = None
        for count in [int(c) for c in args.subsets.split(",") if c.strip()]:
            subset = make_subset(repo, count, Path(tmp))
            n = len(markdown_files(subset))
            run = show(f"subset of {n} files, cold", [measure(plan_command(subset, out), cap)])
            if previous:
                pn, pr = previous
                print(
                    f"  growth from {pn}: files x{n / pn:.2f}, wall x{run.wall / pr.wall:.2f}, "
                    f"peak rss x{run.max_rss / pr.max_rss:.2f}, "
                    f"process tree x{run.tree_rss / pr.tree_rss:.2f}",
                    flush=True,
                )
            previous = (n, run)
            shutil.rmtree(subset, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
