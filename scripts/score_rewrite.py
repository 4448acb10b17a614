"""Score the link rewriter on the held-out move and rename cases of other link updaters.

    python scripts/score_rewrite.py [CASES_YAML] [-v]

The cases (scripts/rewrite_heldout.yaml) are re-told from the test suites of VS Code's Markdown
language service, markdown-link-updater and markmv, and were kept apart from the golden cases the
rewriter was developed against. A case passes when the rewritten document equals the reference
output byte for byte. Cases where the reference tool changes a link's style (adds or removes angle
brackets or `./`, drops a trailing slash) are scored apart: the target is on the style-preserving
ones. Exit status 0 when at least 95% of the style-preserving cases pass.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from consolidator.apply.rewrite import rewrite_document

HERE = Path(__file__).resolve().parent
TARGET = 0.95


def run_case(case: dict[str, object]) -> str:
    old, new = case["doc"]  # type: ignore[misc]
    moves = dict(case.get("moves") or {})  # type: ignore[call-overload]
    if old != new:  # as apply passes them: every move of the run, the document's own included
        moves[old] = new
    files = {old, *moves, *(case.get("files") or [])}  # type: ignore[misc]
    return rewrite_document(str(case["input"]), old, new, moves, files=files).text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="?", type=Path, default=HERE / "rewrite_heldout.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failing case")
    args = parser.parse_args()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    tally = {True: [0, 0], False: [0, 0]}
    for case in cases:
        got = run_case(case)
        ok = got == case["expected"]
        tally[case["style"]][0] += ok
        tally[case["style"]][1] += 1
        if not ok and (args.verbose or case["style"]):
            kind = "style-preserving" if case["style"] else f"style-changing ({case.get('why')})"
            print(f"FAIL {case['id']} [{kind}]\n  input:    {case['input']!r}")
            print(f"  expected: {case['expected']!r}\n  got:      {got!r}")
    kept, changed = tally[True], tally[False]
    rate = kept[0] / kept[1] if kept[1] else 1.0
    print(f"style-preserving cases: {kept[0]}/{kept[1]} pass ({rate:.1%}; target {TARGET:.0%})")
    print(f"style-changing cases (the reference rewrites the style): {changed[0]}/{changed[1]} match")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
