"""Scan throughput on the shared corpus beside its floor: reading the files, and bare mistune.

Run by hand: `python benchmarks/scan_bench.py [REPO]` (default: a fresh clone of the shared corpus).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import mistune

from consolidator.analysis.scan import list_repo_files, scan_repo
from consolidator.core import gitio
from consolidator.core.conventions import is_markdown
from consolidator.core.textio import decode

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ibimina-2025-11-14.bundle"


def corpus() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1]).resolve()
    if not BUNDLE.is_file():
        sys.exit(f"no repository given and no shared corpus at {BUNDLE}")
    dest = Path(tempfile.mkdtemp()) / "corpus"
    gitio.clone(BUNDLE, dest)
    return dest


def timed(label: str, files: int, size: int, fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - start
    print(f"{label:<44} {took:7.2f} s {files / took:9.0f} files/s {size / took / 1e6:7.2f} MB/s")
    return took


def main() -> None:
    repo = corpus()
    files, _, _ = list_repo_files(repo)
    paths = [repo / f for f in files if is_markdown(f)]
    size = sum(p.stat().st_size for p in paths)
    print(f"{repo}: {len(paths)} Markdown files, {size / 1e6:.1f} MB\n")
    texts: list[str] = []
    timed(
        "read + decode only",
        len(paths),
        size,
        lambda: texts.extend(decode(p.read_bytes()).text for p in paths),
    )
    md = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "footnotes"])
    timed("bare mistune AST, one process", len(paths), size, lambda: [md(t) for t in texts])
    cache = gitio.git_dir(repo)
    if cache:
        (cache / "consolidate" / "parse-cache.pickle").unlink(missing_ok=True)
    timed("scan, cold, single process", len(paths), size, lambda: scan_repo(repo, use_cache=False, workers=1))
    timed("scan, cold, parallel (writes the cache)", len(paths), size, lambda: scan_repo(repo))
    timed("scan, warm (parse cache hit)", len(paths), size, lambda: scan_repo(repo))


if __name__ == "__main__":
    main()
