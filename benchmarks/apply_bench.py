"""Time `apply` (and `undo`) on a fresh clone of the shared corpus.

Run by hand: python benchmarks/apply_bench.py [--synthetic]
The plan comes from `consolidator.decide.plan.build_plan` on the clone (or, with --synthetic or when the
planner is unavailable, a plan that moves every root Markdown file but README into docs/).
Target: the whole apply under 30 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.apply.undo import undo
from consolidator.apply.work import PLAN_REL
from consolidator.core import gitio
from consolidator.core.config import Config
from consolidator.core.models import Decision, Plan, PlanHeader
from consolidator.decide.planfile import dump_plan

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ibimina-2025-11-14.bundle"


def synthetic_plan(repo: Path) -> Plan:
    """Move every root Markdown file except README into docs/moved/, keeping its name."""
    entries = []
    for path in sorted(p.name for p in repo.glob("*.md")):
        blob = gitio.blob_id((repo / path).read_bytes())
        if path.lower() == "readme.md":
            entries.append(Decision(path, "keep", None, None, None, ("entry point",), 1.0, blob))
        else:
            dest = f"docs/moved/{path}"
            entries.append(Decision(path, "move", dest, "moved", None, ("benchmark",), 1.0, blob))
    return Plan(PlanHeader("consolidator", repo.name, gitio.head(repo)), tuple(entries))


def planned(repo: Path, synthetic: bool) -> tuple[Plan, str]:
    if not synthetic:
        try:
            from consolidator.decide.plan import build_plan

            inventory = scan_repo(repo, config=Config())
            return build_plan(inventory, Config()), "build_plan"
        except ImportError as exc:
            print(f"planner unavailable ({exc}); using the synthetic plan")
    return synthetic_plan(repo), "synthetic"


def main() -> int:
    if not BUNDLE.is_file():
        print(f"corpus bundle not found at {BUNDLE}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "ibimina"
        gitio.clone(BUNDLE, repo)
        start = time.perf_counter()
        plan, how = planned(repo, "--synthetic" in sys.argv)
        plan_time = time.perf_counter() - start
        (repo / PLAN_REL).parent.mkdir(parents=True, exist_ok=True)
        (repo / PLAN_REL).write_text(dump_plan(plan), encoding="utf-8")
        print(f"plan ({how}): {len(plan.moves())} moves of {len(plan.entries)} entries in {plan_time:.1f} s")

        start = time.perf_counter()
        dry = apply_plan(repo, dry_run=True)
        print(
            f"dry run: {len(dry.moves)} moves, {len(dry.rewritten)} files rewritten, "
            f"{time.perf_counter() - start:.2f} s"
        )

        start = time.perf_counter()
        result = apply_plan(repo)
        elapsed = time.perf_counter() - start
        links = sum(len(f.changes) for f in result.rewritten)
        notices = sum(1 for f in result.rewritten if f.notice)
        print(
            f"apply: {len(result.moves)} moves, {links} links rewritten in {len(result.rewritten)} files, "
            f"{notices} archive notices, {len(result.mentions)} mentions in other files, "
            f"{len(result.skipped)} skipped, commits {[c[:10] for c in result.commits]}: {elapsed:.2f} s"
        )
        start = time.perf_counter()
        undone = undo(repo)
        print(f"undo: {undone.restored_files} files restored: {time.perf_counter() - start:.2f} s")
        verdict = "OK" if elapsed < 30 else "TOO SLOW"
        print(f"{verdict}: apply took {elapsed:.2f} s (target < 30 s)")
        return 0 if elapsed < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
