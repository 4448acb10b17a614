"""Score the duplicate groups the engine finds against a labelled groups file.

    python scripts/score_groups.py REPO GROUPS_TSV [--all] [--show]

REPO is a checkout of the labelled repository; GROUPS_TSV has columns group, canonical, members
(comma-separated root file names). Scores are per document over the root Markdown files: B-cubed
precision / recall / F1 (a document outside every labelled or found group is its own singleton) and
pairwise precision / recall / F1 over same-group pairs. Canonical accuracy is the share of labelled
groups whose found group (the one holding most of its members) names the labelled canonical.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Mapping
from itertools import combinations
from pathlib import Path


def read_truth(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """member -> group id, and group id -> canonical."""
    member_group: dict[str, str] = {}
    canonical: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            canonical[row["group"]] = row["canonical"]
            for member in row["members"].split(","):
                member_group[member.strip()] = row["group"]
    return member_group, canonical


def _clusters(universe: Iterable[str], assignment: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each document -> the set of documents in its cluster (itself alone when unassigned)."""
    by_label: dict[str, set[str]] = {}
    for doc in universe:
        label = assignment.get(doc)
        if label is not None:
            by_label.setdefault(label, set()).add(doc)
    out: dict[str, frozenset[str]] = {}
    for doc in universe:
        label = assignment.get(doc)
        out[doc] = frozenset(by_label[label]) if label is not None else frozenset({doc})
    return out


def bcubed(
    universe: Iterable[str], truth: Mapping[str, str], found: Mapping[str, str]
) -> tuple[float, float, float]:
    docs = sorted(set(universe))
    if not docs:
        return 1.0, 1.0, 1.0
    true_of = _clusters(docs, truth)
    found_of = _clusters(docs, found)
    precision = sum(len(found_of[d] & true_of[d]) / len(found_of[d]) for d in docs) / len(docs)
    recall = sum(len(found_of[d] & true_of[d]) / len(true_of[d]) for d in docs) / len(docs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pairs(universe: list[str], assignment: Mapping[str, str]) -> set[tuple[str, str]]:
    by_label: dict[str, list[str]] = {}
    for doc in universe:
        if doc in assignment:
            by_label.setdefault(assignment[doc], []).append(doc)
    return {pair for members in by_label.values() for pair in combinations(sorted(members), 2)}


def pairwise(
    universe: Iterable[str], truth: Mapping[str, str], found: Mapping[str, str]
) -> tuple[float, float, float]:
    docs = sorted(set(universe))
    true_pairs = _pairs(docs, truth)
    found_pairs = _pairs(docs, found)
    hit = len(true_pairs & found_pairs)
    precision = hit / len(found_pairs) if found_pairs else 1.0
    recall = hit / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def canonical_accuracy(
    truth: Mapping[str, str],
    truth_canonical: Mapping[str, str],
    found: Mapping[str, str],
    found_canonical: Mapping[str, str],
) -> float:
    labelled: dict[str, list[str]] = {}
    for doc, group in truth.items():
        labelled.setdefault(group, []).append(doc)
    right = 0
    for group, members in labelled.items():
        votes: dict[str, int] = {}
        for doc in members:
            if doc in found:
                votes[found[doc]] = votes.get(found[doc], 0) + 1
        if votes:
            best = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            right += found_canonical.get(best) == truth_canonical[group]
    return right / len(labelled) if labelled else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repo", type=Path)
    parser.add_argument("groups", type=Path)
    parser.add_argument("--show", action="store_true", help="list found groups and misses")
    args = parser.parse_args(argv)

    from consolidator.analysis.scan import scan_repo
    from consolidator.analysis.similarity import find_groups

    inventory = scan_repo(args.repo)
    groups = find_groups(inventory.documents)
    universe = [d.path for d in inventory.documents if d.at_root]
    truth, truth_canonical = read_truth(args.groups)
    found: dict[str, str] = {}
    found_canonical: dict[str, str] = {}
    for cluster in groups.duplicates:
        found_canonical[cluster.id] = cluster.canonical or ""
        for member in cluster.members:
            found[member] = cluster.id
    bp, br, bf = bcubed(universe, truth, found)
    pp, pr, pf = pairwise(universe, truth, found)
    acc = canonical_accuracy(truth, truth_canonical, found, found_canonical)
    print(
        f"documents (root): {len(universe)}  labelled groups: {len(set(truth.values()))}  "
        f"found groups: {len(groups.duplicates)}"
    )
    print(f"B-cubed   precision {bp:.3f}  recall {br:.3f}  F1 {bf:.3f}")
    print(f"pairwise  precision {pp:.3f}  recall {pr:.3f}  F1 {pf:.3f}")
    print(f"canonical accuracy {acc:.3f}")
    if args.show:
        for cluster in groups.duplicates:
            labels = sorted({truth.get(m, "-") for m in cluster.members})
            print(f"{cluster.id}  [{cluster.score:.2f}]  canonical={cluster.canonical}  truth={labels}")
            for member in cluster.members:
                print(f"    {member}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
