"""Links broken by `apply` on real repositories, by an independent reading (markdown-it-py).

    python scripts/check_apply_links.py REPO [REPO ...]

Each REPO (a git work tree, left untouched) is cloned to a temporary folder, planned with the
planner's defaults and applied. Every relative link of every tracked Markdown file is read before
and after (links and images in use, every reference definition whether used or not, href/src of
raw HTML) and resolved to a file or a folder; a link that resolved before and no longer does is
broken by apply. Exit status 0 when no link is broken anywhere.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_links_independent import link_states, lost_links

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import PLAN_REL, apply_plan
from consolidator.core import gitio
from consolidator.core.config import load_config
from consolidator.decide.plan import plan_repository
from consolidator.decide.planfile import dump_plan

IDENTITY = {
    "GIT_AUTHOR_NAME": "Link Check",
    "GIT_AUTHOR_EMAIL": "check@example.com",
    "GIT_COMMITTER_NAME": "Link Check",
    "GIT_COMMITTER_EMAIL": "check@example.com",
}


def check(source: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / source.name
        gitio.clone(source, repo)
        start = time.perf_counter()
        config = load_config(repo)
        plan = plan_repository(scan_repo(repo, config=config, use_cache=False), config)
        (repo / PLAN_REL).parent.mkdir(parents=True, exist_ok=True)
        (repo / PLAN_REL).write_text(dump_plan(plan), encoding="utf-8")
        before = link_states(repo)
        result = apply_plan(repo)
        after = link_states(repo)
        lost = lost_links(before, after, plan.moves())
        total = sum(len(v) for v in before.values())
        ok_before = sum(sum(v) for v in before.values())
        ok_after = sum(sum(after[plan.moves().get(p, p)]) for p in before)
        rewritten = sum(len(f.changes) for f in result.rewritten)
        print(
            f"{source.name}: {len(plan.moves())} moves, {rewritten} links "
            f"rewritten; relative links {total}, resolving before {ok_before}, after {ok_after}; "
            f"broken by apply: {len(lost)} ({time.perf_counter() - start:.0f} s)"
        )
        for line in lost[:20]:
            print("   ", line)
        return len(lost)


def main() -> int:
    os.environ.update(IDENTITY)
    broken = sum(check(Path(arg)) for arg in sys.argv[1:])
    return 0 if broken == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
