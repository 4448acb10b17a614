"""`site` and `build` on hostile but legal input, through the command line as a user runs it.

Run by hand: python benchmarks/hostile_site_bench.py [--depth N] [--keep DIR]

1. A page whose list is nested DEPTH levels deep (default 10,000: `- - - ... bottom`, one line).
   Python-Markdown recurses once per level, so the page cannot be rendered. Target: `build` exits
   1 (not 70, the internal-error code) with a message naming docs/deep.md, within seconds.
2. File names holding `#`, `?`, `%`, spaces and non-ASCII letters, some archived by the plan so the
   generated pages link them. Target: plan, apply, site and a strict build all exit 0, and `site`
   announces as many pages as `build` makes.

Prints one line per command: exit code, wall time, and the largest resident set of any command so
far (ru_maxrss of the finished children).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = "import sys; from consolidator.cli import main; sys.argv[0] = 'consolidate'; main()"
CLI = [sys.executable, "-c", ENTRY]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
SPECIAL = {
    "README.md": (
        "# Special names\n\n- [Phase 4](PHASE%234_COMPLETE.md)\n- [What](docs/guides/what%3F.md)\n"
        "- [Percent](docs/guides/100%25.md)\n- [Spaced](<docs/guides/my guide.md>)\n"
        "- [Résumé](docs/guides/résumé.md)\n- [Week](<WEEK 2 STATUS — ÉTÉ.md>)\n"
    ),
    "PHASE#4_COMPLETE.md": "# Phase 4 complete\n\nStatus: COMPLETE. Completed 2025-03-01.\n\nAll done.\n",
    "WEEK 2 STATUS — ÉTÉ.md": "# Week 2 status — été\n\nDate: 2025-02-10\n\nDone this week.\n",
    "docs/guides/what?.md": "# What? <b>bold</b>\n\nA guide with a question mark.\n",
    "docs/guides/100%.md": "# 100% [done] & more\n\nA guide with a percent sign.\n",
    "docs/guides/my guide.md": "# My guide\n\nA guide with spaces in its name.\n",
    "docs/guides/résumé.md": "# Résumé\n\nAccents. See [what](what%3F.md).\n",
}


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = {**os.environ, **IDENTITY}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "initial"], cwd=root, check=True, env=env)
    return root


def consolidate(*args: str) -> tuple[int, float, str, str]:
    start = time.perf_counter()
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, env={**os.environ, **IDENTITY})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"  consolidate {args[0]:<6} exit {done.returncode:>2}  {seconds:6.2f} s  "
        f"peak RSS so far {peak:6.0f} MB"
    )
    return done.returncode, seconds, done.stdout, done.stderr


def deep(work: Path, depth: int) -> bool:
    print(f"1. one page nested {depth:,} levels deep")
    page = "# Deep\n\n" + "- " * depth + "bottom\n"
    repo = make_repo(
        work / "deep",
        {"README.md": "# Home\n\nSee [deep](docs/deep.md).\n", "docs/deep.md": page, "docs/a.md": "# A\n"},
    )
    code, _, _, err = consolidate("site", str(repo))
    if code != 0:
        print(err)
        return False
    code, _, _, err = consolidate("build", str(repo))
    print("  " + err.strip().replace("\n", "\n  "))
    ok = code == 1 and "docs/deep.md" in err
    print(f"  exits cleanly and names the page: {'yes' if ok else 'NO'}")
    return ok


def special(work: Path) -> bool:
    print("2. file names with #, ?, %, spaces and non-ASCII letters")
    repo = make_repo(work / "special", SPECIAL)
    outputs = {}
    for command in ("plan", "apply", "site", "build"):
        code, _, out, err = consolidate(command, str(repo), *(["-q"] if command in ("plan", "apply") else []))
        outputs[command] = out
        if code != 0:
            print("  " + (err or out).strip().replace("\n", "\n  "))
            return False
    announced = re.search(r": (\d+) pages?,", outputs["site"])
    built = re.search(r"Built (\d+) pages?", outputs["build"])
    same = bool(announced and built and announced.group(1) == built.group(1))
    print(f"  site announced {announced and announced.group(1)} pages, build made {built and built.group(1)}")
    print(f"  all four succeed, one page count: {'yes' if same else 'NO'}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build the repositories here (kept afterwards)")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return 0 if deep(args.keep, args.depth) & special(args.keep) else 1
    with tempfile.TemporaryDirectory(prefix="hostile-site-") as tmp:
        return 0 if deep(Path(tmp), args.depth) & special(Path(tmp)) else 1


if __name__ == "__main__":
    sys.exit(main())
