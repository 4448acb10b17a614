"""Count plan entries whose reasons contradict their action: merged, yet a reason says classification did
not fold the document ("... left for review", "... stays with its folder", ...).

    python scripts/contradictory_reasons.py DIR [DIR ...] [-v]

Reads every `*.yaml` plan in each DIR and prints the count per plan (with -v, each entry). "left for
review" is the judgement no later step may overrule; the other notes are listed apart, since an overlap
may merge such a document into a different, live guide than the one the note names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

REVIEW = "left for review"
# Notes classification writes when it does not fold a document into the group it resembles.
OTHER_NOTES = (
    "but stays: pages of a docs tree",
    "a record of past work, but reads as documentation",
    ": stays with its folder",
    "a template: a page made from it is not a version of it",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    totals = [0, 0]
    for folder in args.dirs:
        for path in sorted(folder.glob("*.yaml")):
            entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []
            counts = [0, 0]
            for entry in entries:
                if entry.get("action") != "merge":
                    continue
                reasons = [str(r) for r in entry.get("reasons") or []]
                for i, found in enumerate(
                    (
                        [r for r in reasons if REVIEW in r],
                        [r for r in reasons if any(n in r for n in OTHER_NOTES)],
                    )
                ):
                    if found:
                        counts[i] += 1
                        if args.verbose:
                            print(f"    {entry['source']} -> {entry.get('canonical')}: {found[0]}")
            totals = [t + c for t, c in zip(totals, counts, strict=True)]
            print(f"{counts[0]:4d} left for review, {counts[1]:4d} other notes  {path}")
    print(f"{totals[0]:4d} left for review, {totals[1]:4d} other notes  total")


if __name__ == "__main__":
    main()
