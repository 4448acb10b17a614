"""Score a consolidation plan against a labelled repository.

    python scripts/score_plan.py REPO LABELS_TSV [--groups GROUPS_TSV] [--fates FATES_TSV] [--plan PLAN_YAML]

REPO is a checkout of the labelled repository. LABELS_TSV has columns path, action (keep-root | live |
archive), section, note, for the root Markdown files. Without --plan the plan is built here (scan, groups,
classification). Prints the confusion table (label x plan action), the targets, and every disagreement
with the plan's reasons. Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from consolidator.core.config import load_config
from consolidator.core.models import Decision, Plan, Reason

ACTIONS = ("keep", "move", "archive", "merge")


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def label_of(entry: Decision) -> str:
    """What a plan entry means in the labels' terms."""
    if entry.action in ("archive", "merge"):
        return "archive"
    if entry.action == "move" and entry.destination and "/" in entry.source:
        return "live"
    if entry.action == "keep" and "/" not in entry.source:
        return "keep-root"
    return "live"


@dataclass(frozen=True)
class Score:
    agreement: float
    archive_recall: float
    live_recall: float
    canonical_live: float
    fates_archived: float
    root_after: int
    confusion: dict[tuple[str, str], int]
    disagreements: list[tuple[str, str, Decision]]
    canonical_misses: list[str]
    fate_misses: list[str]

    def targets(self) -> list[tuple[str, bool, str]]:
        return [
            ("root files after the plan <= 10", self.root_after <= 10, str(self.root_after)),
            ("agreement with labels >= 0.92", self.agreement >= 0.92, f"{self.agreement:.3f}"),
            (
                "labelled archive archived or merged >= 95%",
                self.archive_recall >= 0.95,
                f"{self.archive_recall:.3f}",
            ),
            ("labelled live kept live >= 85%", self.live_recall >= 0.85, f"{self.live_recall:.3f}"),
            (
                "live labelled canonicals kept live = 100%",
                self.canonical_live >= 1.0,
                f"{self.canonical_live:.3f}",
            ),
            (
                "removed/moved by maintainers archived >= 90%",
                self.fates_archived >= 0.90,
                f"{self.fates_archived:.3f}",
            ),
        ]


def score(
    plan: Plan, labels: list[dict[str, str]], groups: list[dict[str, str]], fates: list[dict[str, str]]
) -> Score:
    by_source = {e.source: e for e in plan.entries}
    want = {row["path"]: row["action"] for row in labels}
    confusion: Counter[tuple[str, str]] = Counter()
    disagreements = []
    for path in sorted(want):
        entry = by_source.get(path)
        if entry is None:
            continue
        got = label_of(entry)
        confusion[(want[path], entry.action)] += 1
        if got != want[path]:
            disagreements.append((path, want[path], entry))
    total = sum(confusion.values())
    agree = total - len(disagreements)

    def share(label: str, ok: tuple[str, ...]) -> float:
        paths = [p for p in want if want[p] == label and p in by_source]
        good = [p for p in paths if label_of(by_source[p]) in ok]
        return len(good) / len(paths) if paths else 1.0

    live_canonicals = sorted({g["canonical"] for g in groups if want.get(g["canonical"]) == "live"})
    canonical_misses = [c for c in live_canonicals if c in by_source and label_of(by_source[c]) != "live"]
    gone = sorted(r["path"] for r in fates if r["fate"] in ("moved", "removed") and r["path"] in by_source)
    fate_misses = [p for p in gone if by_source[p].action not in ("archive", "merge")]
    root_after = sum(1 for e in plan.entries if "/" not in e.source and e.action == "keep")
    return Score(
        agreement=agree / total if total else 1.0,
        archive_recall=share("archive", ("archive",)),
        live_recall=share("live", ("live",)),
        canonical_live=1 - len(canonical_misses) / len(live_canonicals) if live_canonicals else 1.0,
        fates_archived=1 - len(fate_misses) / len(gone) if gone else 1.0,
        root_after=root_after,
        confusion=dict(confusion),
        disagreements=disagreements,
        canonical_misses=canonical_misses,
        fate_misses=fate_misses,
    )


def strongest(reasons: tuple[Reason, ...], limit: int) -> list[str]:
    """The reasons that weighed most (those with a weight), then the others in their order."""

    def weight(reason: Reason) -> float:
        return abs(reason.weight or 0.0)

    ranked = sorted(range(len(reasons)), key=lambda i: (-weight(reasons[i]), i))
    return [str(reasons[i]) for i in ranked[:limit]]


def report(result: Score, show_reasons: int = 4) -> str:
    lines = [
        "confusion (rows: label, columns: plan action)",
        f"{'':12}" + "".join(f"{a:>9}" for a in ACTIONS),
    ]
    for label in ("keep-root", "live", "archive"):
        lines.append(f"{label:12}" + "".join(f"{result.confusion.get((label, a), 0):>9}" for a in ACTIONS))
    lines.append("")
    for name, ok, value in result.targets():
        lines.append(f"  [{'ok' if ok else 'MISS'}] {name}: {value}")
    lines.append("")
    lines.append(f"disagreements ({len(result.disagreements)}):")
    for path, wanted, entry in result.disagreements:
        lines.append(
            f"  {path}: label {wanted}, plan {entry.action} ({entry.kind}, confidence {entry.confidence})"
        )
        for reason in strongest(entry.reasons, show_reasons):
            lines.append(f"      - {reason}")
    if result.canonical_misses:
        lines.append(f"live canonicals not kept live: {', '.join(result.canonical_misses)}")
    if result.fate_misses:
        lines.append(f"removed/moved by maintainers but kept live: {', '.join(result.fate_misses)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--groups", type=Path)
    parser.add_argument("--fates", type=Path)
    parser.add_argument("--plan", type=Path, help="score this plan file instead of planning here")
    parser.add_argument("--reasons", type=int, default=4, help="reasons shown per disagreement")
    args = parser.parse_args(argv)
    labels = read_tsv(args.labels)
    groups = read_tsv(args.groups) if args.groups else []
    fates = read_tsv(args.fates) if args.fates else []
    if args.plan:
        from consolidator.decide.planfile import load_plan

        plan = load_plan(args.plan)
    else:
        from consolidator.analysis.scan import scan_repo
        from consolidator.decide.plan import build_plan

        config = load_config(args.repo)
        start = time.perf_counter()
        inventory = scan_repo(args.repo, config=config)
        scanned = time.perf_counter()
        plan = build_plan(inventory, config)
        done = time.perf_counter()
        print(f"scan {scanned - start:.2f} s, plan {done - scanned:.2f} s, {len(plan.entries)} documents")
    result = score(plan, labels, groups, fates)
    print(report(result, args.reasons))
    return 0 if all(ok for _, ok, _ in result.targets()) else 1


if __name__ == "__main__":
    sys.exit(main())
