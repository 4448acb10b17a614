"""Time `site` and a strict `build` on a consolidated clone of the shared corpus.

Run by hand: python benchmarks/site_bench.py [--keep DIR]
Clones the corpus, runs plan + apply, then `generate_site` and a strict `build_site`.
Target: site + build under 60 s with zero warnings. Warnings are printed (first 40) when there are.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.core import gitio
from consolidator.core.config import load_config
from consolidator.core.errors import SiteError
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import write_plan
from consolidator.site.build import build_site, generate_site, load_applied_plan

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ibimina-2025-11-14.bundle"
TARGET_SECONDS = 60.0


def run(work: Path) -> int:
    repo = work / "ibimina"
    gitio.clone(BUNDLE, repo)
    config = load_config(repo)

    start = time.perf_counter()
    plan = build_plan(scan_repo(repo, config=config), config)
    write_plan(plan, repo / ".consolidate" / "plan.yaml")
    apply_plan(repo)
    print(f"plan + apply: {len(plan.moves())} moves in {time.perf_counter() - start:.1f} s")

    start, cpu = time.perf_counter(), time.process_time()
    result = generate_site(repo, config=config, plan=load_applied_plan(repo))
    site_time = time.perf_counter() - start
    print(
        f"site: {result.pages} documents, {len(result.generated)} generated pages, "
        f"{result.redirects} redirects in {site_time:.2f} s"
    )
    for change in result.changes:
        print(f"  {change}")

    start = time.perf_counter()
    try:
        built = build_site(repo, strict=True, site_dir=work / "site")
    except SiteError as exc:
        build_time = time.perf_counter() - start
        lines = str(exc).splitlines()
        print(f"strict build FAILED after {build_time:.1f} s with {len(lines) - 1} warnings:")
        print("\n".join(lines[:41]))
        return 1
    build_time = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(
        f"build (strict): {built.pages} pages, {len(built.warnings)} warnings, "
        f"{len(built.infos)} notes (links broken before consolidation, redactions) in {build_time:.1f} s"
    )
    total = site_time + build_time
    verdict = "ok" if total < TARGET_SECONDS and not built.warnings else "OVER TARGET"
    # CPU time tells a busy machine from a slow build: wall time doubles when the cores are shared
    print(f"site + build: {total:.1f} s wall, {cpu:.1f} s CPU (target {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if verdict == "ok" else 1


def main() -> int:
    if not BUNDLE.is_file():
        print(f"corpus bundle not found at {BUNDLE}")
        return 1
    if "--keep" in sys.argv:
        work = Path(sys.argv[sys.argv.index("--keep") + 1]).resolve()
        work.mkdir(parents=True, exist_ok=True)
        return run(work)
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
