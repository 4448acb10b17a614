"""Does the built site render each document as GitHub does? (cmark-gfm against the site's pages.)

    python scripts/fidelity.py REPO [--site-dir DIR] [--min 98] [--show 20]

REPO has been through `consolidate site` and `consolidate build` (the site in REPO/site unless
--site-dir says otherwise). Each document is rendered with cmark-gfm, GitHub's own parser, and its
built page is read back; their structures (headings, list items and nesting, tables, code blocks,
block quotes and alerts, links) are compared, and the pages that differ are listed with the first
difference. Exits 1 when fewer than --min percent of the pages have the same structure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consolidator.core.config import load_config
from consolidator.site.build import _with_owner_docs_dir
from consolidator.site.fidelity import check_site
from consolidator.site.layout import layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--site-dir", type=Path, default=None)
    parser.add_argument("--min", type=float, default=98.0, help="percent of pages that must match")
    parser.add_argument("--show", type=int, default=50, help="how many differing pages to list")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    config = _with_owner_docs_dir(repo / "mkdocs.yml", load_config(repo))
    lay = layout(repo, config, report=False)
    results = check_site(repo, (args.site_dir or repo / "site").resolve(), lay.pages)
    same = sum(1 for r in results if r.difference is None and not r.missing)
    total = len(results)
    share = 100.0 * same / total if total else 100.0
    print(f"{same}/{total} pages have GitHub's structure ({share:.1f}%)")
    differing = [r for r in results if r.difference is not None or r.missing]
    for r in differing[: args.show]:
        print(f"  {r.repo_path}: " + ("not built" if r.missing else str(r.difference)))
    if len(differing) > args.show:
        print(f"  ... and {len(differing) - args.show} more")
    return 0 if share >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
