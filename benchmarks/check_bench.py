"""`consolidate check` cold and warm on the consolidated shared corpus.

Run by hand: `python benchmarks/check_bench.py`. Clones the corpus, plans and applies it, then times
check with no caches (cold), again on the unchanged repository (warm), and after editing one file:
in this process (imports already paid) and as a pre-commit hook runs it, `consolidate check` in a
fresh interpreter.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.core import gitio
from consolidator.core.config import load_config
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import DEFAULT_PLAN, write_plan
from consolidator.guard.check import run_check

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ibimina-2025-11-14.bundle"


def main() -> None:
    if not BUNDLE.is_file():
        sys.exit(f"no shared corpus at {BUNDLE}")
    repo = Path(tempfile.mkdtemp()) / "corpus"
    gitio.clone(BUNDLE, repo)
    config = load_config(repo)
    write_plan(build_plan(scan_repo(repo, config=config), config), repo / DEFAULT_PLAN)
    apply_plan(repo)
    run_check(repo, config, update_baseline=True)
    cache = repo / ".git" / "consolidate"

    def timed(label: str) -> float:
        start = time.perf_counter()
        result = run_check(repo, config)
        took = time.perf_counter() - start
        print(
            f"{label:<36} {took:6.2f} s  ok={result.ok} findings={len(result.findings)} new={len(result.new)}"
        )
        return took

    def command(label: str) -> float:
        start = time.perf_counter()
        code = "from consolidator.cli import main; main()"
        done = subprocess.run([sys.executable, "-c", code, "check", str(repo)], capture_output=True)
        took = time.perf_counter() - start
        print(f"{label:<36} {took:6.2f} s  exit {done.returncode}")
        return took

    page = next(p for p in sorted((repo / "docs").rglob("*.md")) if "archive" not in p.parts)

    def rounds(run: Callable[[str], float], edit: str) -> float:
        """Cold, warm, warm again, then after one edit: the ratio of cold to warm."""
        shutil.rmtree(cache, ignore_errors=True)
        cold = run("cold (no parse or check cache)")
        warm = run("warm (unchanged repository)")
        run("warm again")
        page.write_text(page.read_text(encoding="utf-8") + edit, encoding="utf-8")
        run(f"after editing {page.relative_to(repo)}")
        return cold / warm

    print("in this process:")
    ratio = rounds(timed, "\nOne more line.\n")
    print(f"warm is {ratio:.1f} times faster than cold (target: at least 5)")
    print("\n`consolidate check` as a hook runs it (a fresh interpreter each time):")
    ratio = rounds(command, "\nAnd another.\n")
    print(f"warm is {ratio:.1f} times faster than cold (target: at least 5, warm at most 1 s)")


if __name__ == "__main__":
    main()
