"""Time `apply` on two hostile but legal files (issue 13): a list nested 1,000 deep (about 1 MB)
and a 20 MB file holding 283,800 links.

Run by hand: python benchmarks/rewrite_bench.py [nested|links] [--depth N] [--links N]
Each case runs in its own subprocess so that its peak memory (ru_maxrss) is its own.
Targets: nested under 2 s; links under 10 s and under 500 MB. The machine's load shows in wall
time, so CPU time is printed too (git's own work runs in child processes and is not in it).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from consolidator.apply.apply import PLAN_REL, apply_plan
from consolidator.core import gitio
from consolidator.core.models import Decision, Plan, PlanHeader
from consolidator.decide.planfile import dump_plan

IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
TARGETS = 200  # files the big documents link to; the plan moves every one of them


def nested_text(depth: int) -> str:
    """A list nested `depth` deep, one item per line, each with a link to a moved file."""
    lines = [" " * (2 * i) + f"- item {i}, see [page](page-{i % TARGETS}.md)" for i in range(depth)]
    # Blank lines and lazy lines under the deepest item: each is a container-matching question.
    lines += ["", "lazy continuation text", ""] * (depth // 4)
    return "\n".join(lines) + "\n"


def links_text(count: int) -> str:
    """About 20 MB: `count` links of every kind, most to moved files, some to files that stay."""
    kinds = (
        "See [page {i}](page-{t}.md#part-{i}) in the text, and [other {i}](stays.md) too.",
        "An image ![fig {i}](page-{t}.md) inline, then <https://example.com/{i}> as well.",
        '<a href="page-{t}.md">raw {i}</a> and [other {i}](<./stays.md> "title").',
        "A reference [ref {i}][r{t}] to a definition, with [another](./page-{t}.md).",
    )
    lines = []
    for i in range(count // 2):
        line = kinds[i % 4].format(i=i, t=i % TARGETS)
        lines.append(line + " Plain words follow the links on this line, and a few more.")
        if i % 50 == 49:
            lines.append("")
    lines.append("")
    lines += [f"[r{t}]: page-{t}.md" for t in range(TARGETS)]
    return "\n".join(lines) + "\n"


def run_case(kind: str, size: int) -> None:
    os.environ.update(IDENTITY)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        gitio.run_git(repo, "init", "-q", "-b", "main")
        text = nested_text(size) if kind == "nested" else links_text(size)
        (repo / "BIG.md").write_text(text, encoding="utf-8")
        (repo / "stays.md").write_text("# Stays\n", encoding="utf-8")
        for t in range(TARGETS):
            (repo / f"page-{t}.md").write_text(f"# Page {t}\n\nBack to [big](BIG.md).\n", encoding="utf-8")
        gitio.run_git(repo, "add", "-A")
        gitio.run_git(repo, "commit", "-q", "-m", "start")
        entries = []
        for t in range(TARGETS):
            path = f"page-{t}.md"
            blob = gitio.blob_id((repo / path).read_bytes())
            entries.append(Decision(path, "move", f"docs/pages/{path}", "pages", None, ("bench",), 1.0, blob))
        plan = Plan(PlanHeader("consolidator", "bench", gitio.head(repo)), tuple(entries))
        (repo / PLAN_REL).parent.mkdir(parents=True, exist_ok=True)
        (repo / PLAN_REL).write_text(dump_plan(plan), encoding="utf-8")
        del text
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu = time.perf_counter(), time.process_time()
        result = apply_plan(repo)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        links = sum(len(f.changes) for f in result.rewritten)
        size_mb = (repo / "BIG.md").stat().st_size / 1e6
        print(
            f"{kind}: {size_mb:.2f} MB file, {links} links rewritten, {len(result.unmatched)} unmatched: "
            f"{elapsed:.2f} s wall, {cpu:.2f} s CPU in this process, "
            f"peak RSS {peak:.0f} MB (before apply {before / 1024:.0f} MB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", nargs="?", choices=["nested", "links"])
    parser.add_argument("--depth", type=int, default=1000)
    parser.add_argument("--links", type=int, default=283_800)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        run_case(args.case, args.depth if args.case == "nested" else args.links)
        return 0
    for case in [args.case] if args.case else ["nested", "links"]:
        sizes = ["--depth", str(args.depth), "--links", str(args.links)]
        subprocess.run([sys.executable, __file__, case, "--inner", *sizes], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
