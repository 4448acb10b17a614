"""Fit the weights of the evidence on every labelled corpus and validate them leave-one-repository-out.

    python scripts/fit_weights.py [--corpora DIR ...] [--clones DIR ...] [--fast] [--weighting SCHEME]
        [--select logloss|agreement] [--leave-out owner|repository|bundle] [--confusion] [--write] [--json]

Each root document of each labelled corpus (see scripts/evaluate.py for the labels) becomes one row:
the strength of every finding the classifier makes (rules of decide/rules.py, signals of
decide/evidence.py), labelled history or live. A logistic regression (scikit-learn), in which each
repository weighs as --weighting says (by default by the count of its labelled root files, so every
file counts the same; or the same for every repository, by the square root or by the logarithm of that
count), gives a weight per finding; the threshold is the one that agrees best
with the training repositories (and at least one ordinary finding above the intercept). The
regularisation C is chosen from a small grid by leave-one-repository-out inside the training
repositories, scored on their rows (--select: by their log loss, or by their agreement). Validation:
for each repository, choose C and fit on the others, plan the one left out with those weights, and
score the plan as scripts/evaluate.py does (--fast chooses C once on every repository instead:
quicker, slightly optimistic). Bundles of one repository at
two dates are one repository here, and the repositories of one owner one unit (--leave-out owner, the
default, the owner read from cleanups/INDEX.tsv): left out together, since fitting on one and scoring
the other would leak (--leave-out repository or bundle leave out less at a time). That table is
printed, then the same for the weights fitted on every repository (in sample); with --write those
weights are written to consolidator/decide/weights.json (reviewed data; planning reads it without
scikit-learn).

--corpora and --clones may be given several times (see scripts/evaluate.py): the shipped weights are
fitted on the shared corpora and on further held-out corpora of public repositories (docs/classification.md
says which). Only root documents are labelled, so only root documents are planned with the fitted
weights; pages inside folders keep the prior table (decide/weights.py).

Features come from a classification run with the prior weights (decide/prior_weights.json), so a
refit does not depend on what is shipped (the link and citation signals depend on what the previous
pass called history); --rounds N refits on features recomputed with the weights of the previous round.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import (
    DEFAULT_CORPORA,
    Corpus,
    add_corpora_arguments,
    baselines,
    checkout,
    load_corpora,
    overall,
    read_tsv,
    render,
    score_plan,
)

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config, load_config
from consolidator.core.models import Inventory
from consolidator.decide.classify import _settled, classify_all, root_prior, weigh
from consolidator.decide.evidence import build_context, gather_evidence
from consolidator.decide.plan import build_plan, find_document_groups
from consolidator.decide.planfile import load_record, settled_paths
from consolidator.decide.weights import WEIGHTS_FILE, Weights, prior_weights

# Regularisation strengths tried (inverse strength, scikit-learn's C). Which one is used is fitted: by
# leave-one-repository-out inside the repositories of each fold (nested), so the table never scores a
# repository with a C its own rows chose. The grid itself is hand-set: it spans the range where no single
# finding's weight runs away on the few rows that carry it (0.3 and above did, measured on the corpora)
# down to where the corrections to the prior all but vanish (below 0.005 the fit is the prior table
# rescaled).
C_GRID = (0.005, 0.01, 0.02, 0.05, 0.1)
# The least evidence a root document needs to be archived: the weight, in the fitted table, of one
# ordinary finding (a prior weight of 1.0: a date stamp, a later member of its series), above a
# document with no finding at all. Safety, not fitted: without it the threshold of a fold whose
# repositories are mostly history slid to just above the intercept, and descriptive features that every
# document carries (its length) pushed plain pages past it: a repository without history lost half its
# pages. The prior table asks 1.5.
ONE_FINDING = 1.0
# The prior margin column is scaled up so the penalty barely touches its factor: the prior is the
# starting point, the per-finding corrections are what the penalty keeps small. Hand-set, not fitted:
# the fit is insensitive to it (1, 3 and 10 gave the same leave-one-out table).
PRIOR_SCALE = 3.0
# How much a repository counts in the fit, the threshold and the choice of C, by its number n of labelled
# root files (bundles of one repository at several dates share that repository's weight, in proportion to
# their rows). "equal": every repository the same, a 15-file repository like a 226-file one; "sqrt": by
# the square root of n, between counting repositories and counting files (the usual compromise when
# units of very different sizes each bring their own bias); "log": by 1 + ln n, nearer equal; "rows": by
# n, every file the same, so the largest repository decides. "rows" is the default: left out, it agreed
# best of the four on the cleanups (micro and macro) and tied on ibimina (docs/classification.md).
WEIGHTINGS: dict[str, Callable[[int], float]] = {
    "equal": lambda n: 1.0,
    "sqrt": lambda n: math.sqrt(n),
    "log": lambda n: 1.0 + math.log(n) if n else 0.0,
    "rows": lambda n: float(n),
}
# A bundle named OWNER-NAME-YYYY-MM-DD is that repository at that date.
DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
LEAVE_OUT = ("owner", "repository", "bundle")


def unit_of(name: str, leave_out: str, owners: dict[str, str]) -> str:
    """The unit a bundle is left out with, and shares its weight with: the bundle itself, its repository
    (the name without its date), or its owner (from `owners`, bundle name -> owner; a bundle missing
    there is its own repository's owner)."""
    if leave_out == "bundle":
        return name
    if leave_out == "owner" and name in owners:
        return owners[name]
    return DATED.sub("", name)


def read_owners(corpora: Path) -> dict[str, str]:
    """Bundle name -> owner, from the cleanups' INDEX.tsv (`name`, `repo` as OWNER/NAME) if there is one."""
    index = corpora / "cleanups" / "INDEX.tsv"
    if not index.exists():
        return {}
    return {r["name"]: "owner:" + r["repo"].split("/")[0] for r in read_tsv(index) if r.get("repo")}


# What chooses C inside a fold. "logloss" (the default): the mean log loss of the left-out repositories'
# rows under the margins fitted without them, a proper score of the whole margin, so a C that gets the
# same files right with more confidence on the wrong side of the others loses. "agreement": the share of
# left-out rows on the right side of the threshold; a file or two of a small repository moved the
# choice from fold to fold (the fold that left ibimina out chose the largest C and lost three live
# pages that every smaller C kept).
SELECT = ("logloss", "agreement")
# Findings given no weight whatever the data say: the word "plan" (or roadmap, todo) in a file name names
# what the document is, not whether it is current. A current plan is live and a finished or superseded
# one history (issue 14), and the evidence for that is the plan's own (milestones ahead or past, done
# marks, a newer version): on the pooled corpora, where most plans were archived, the word alone came
# to weigh half the threshold and archived current plans that nothing else marked as past. The rule
# still names the document's kind.
UNWEIGHED = frozenset({"name-plan"})
# Thresholds tried (log-odds): wide enough to hold every fitted threshold seen, fine enough to not matter.
THRESHOLDS = np.round(np.arange(-3.0, 3.01, 0.05), 2)


@dataclass
class Loaded:
    corpus: Corpus
    inventory: Inventory
    config: Config
    groups: Groups
    settled: frozenset[str]


def load(corpus: Corpus, clones: list[Path], scratch: Path) -> Loaded:
    repo = checkout(corpus, clones, scratch)
    config = load_config(repo)
    inventory = scan_repo(repo, config=config)
    groups = find_document_groups(inventory.documents, config)
    return Loaded(corpus, inventory, config, groups, settled_paths(repo, load_record(repo)))


def rows(item: Loaded, weights: Weights) -> tuple[list[dict[str, float]], list[int]]:
    """Features and labels of the labelled root documents whose place is not settled by convention."""
    context = build_context(item.inventory, item.groups, item.config, weights)
    evidence = {d.path: gather_evidence(d) for d in item.inventory.documents}
    result = classify_all(item.inventory, context, evidence, item.config)
    final = replace(
        context,
        root_prior=root_prior(result, weights),
        history_paths=frozenset(p for p, c in result.items() if c.disposition == "archive"),
        live_paths=frozenset(p for p, c in result.items() if c.disposition != "archive"),
    )
    by_path = item.inventory.by_path()
    xs, ys = [], []
    for path, truth in sorted(item.corpus.truth.items()):
        doc = by_path.get(path)
        if doc is None or _settled(doc, item.config) is not None:
            continue
        xs.append(dict(weigh(doc, evidence[path], final, item.config).features))
        ys.append(1 if truth == "history" else 0)
    return xs, ys


Rows = tuple[list[dict[str, float]], list[int]]


def shares(data: list[Rows], units: list[str], weighting: str) -> list[float]:
    """How much each bundle of `data` counts: its repository (`units`, one per bundle) weighs as the
    scheme `weighting` says of the labelled rows it has in `data`, split among its bundles by their rows."""
    rows_of: dict[str, int] = {}
    for (_, ys), unit in zip(data, units, strict=True):
        rows_of[unit] = rows_of.get(unit, 0) + len(ys)
    scheme = WEIGHTINGS[weighting]
    return [
        scheme(rows_of[unit]) * len(ys) / rows_of[unit] if rows_of[unit] else 0.0
        for (_, ys), unit in zip(data, units, strict=True)
    ]


def fit(data: list[Rows], tags: list[str], c: float, share: list[float] | None = None) -> Weights:
    """One logistic regression over the rows of every repository given.

    Each repository weighs `share` in the fit (by default every one the same; see WEIGHTINGS), its weight
    split evenly between its history and its live rows: how much of a root
    is history differs wildly from one repository to the next (from none to all); that base rate is the
    `root-prior` finding's job, measured on the repository being planned, not a constant learnt from
    whichever repositories happen to be in the fit.

    The weights are the prior (decide/prior_weights.json, the rules table's weights before any fit)
    scaled by one fitted factor, plus a fitted correction per finding: the regression sees the prior
    margin as one more column, so with few rows carrying a finding its weight stays near the prior
    instead of running off on a handful of documents."""
    prior = prior_weights().weights
    tags = [t for t in tags if t not in UNWEIGHED]
    p = np.array([float(prior.get(t, 0.0)) for t in tags])
    x = np.array([[row.get(t, 0.0) for t in tags] for xs, _ in data for row in xs])
    y = np.array([label for _, ys in data for label in ys])
    repo = np.array([i for i, (_, ys) in enumerate(data) for _ in ys])
    share = share if share is not None else [1.0] * len(data)
    sample = np.zeros(len(y))
    for i, (_, ys) in enumerate(data):
        counts = {label: ys.count(label) for label in set(ys)}
        for label, n in counts.items():
            sample[(repo == i) & (y == label)] = share[i] / (len(counts) * n)
    sample *= len(y) / sample.sum()
    z = np.hstack([(x @ p)[:, None] * PRIOR_SCALE, x])
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(z, y, sample_weight=sample)
    factor = float(model.coef_[0][0]) * PRIOR_SCALE  # how the fit scaled the prior table
    raw = factor * p + model.coef_[0][1:]
    # Weights under 0.005 are dropped from the file: rounding, not a choice (they move no margin by 0.1).
    coef = {t: float(v) for t, v in zip(tags, raw, strict=True) if abs(v) >= 0.005}
    # A finding no labelled row carries (a plan whose milestones are still ahead, on these corpora) has no
    # data to correct it: it keeps its prior weight, scaled as the fit scaled the whole table, rather than
    # vanishing from the table because nothing tested it.
    coef.update(
        (t, factor * float(w))
        for t, w in prior.items()
        if t not in coef and t not in tags and abs(factor * float(w)) >= 0.005
    )
    intercept = float(model.intercept_[0])
    margins = x @ raw + intercept
    # The threshold that agrees best with the training repositories (mean agreement, each repository
    # counting its share), nearest 0 on ties. Safety, not fitted: it stays above the intercept, so a document
    # with no evidence either way stays live; archiving needs evidence that it is a record, never only
    # the base rate of the repositories in the fit (without this floor a fold whose repositories are
    # mostly history archived every plain page of a repository that has no history at all). Above the
    # intercept as written to the file (three decimals): a threshold equal to it leaves the table no
    # scale to read its margins by (Weights.unit). And at least ONE_FINDING above it, in the fitted scale.
    floor = intercept + ONE_FINDING * max(factor, 0.0)
    best: tuple[float, float, float] | None = None
    for t in THRESHOLDS:
        if t <= round(intercept, 3) or t < floor:
            continue
        right = (margins >= t) == (y == 1)
        present = [i for i in range(len(data)) if np.any(repo == i)]
        score = float(
            np.average([right[repo == i].mean() for i in present], weights=[share[i] for i in present])
        )
        key = (round(score, 9), -abs(float(t)), float(t))
        best = key if best is None or key > best else best
    threshold = best[2] if best is not None else float(np.ceil(max(floor, intercept + 0.005) * 100) / 100)
    return Weights(dict(sorted(coef.items())), round(intercept, 3), threshold)


def plan_score(item: Loaded, weights: Weights) -> dict[str, Any]:
    """`item` planned with `weights` and scored as scripts/evaluate.py scores it."""
    plan = build_plan(item.inventory, item.config, item.groups, item.settled, weights)
    result = score_plan(item.corpus, plan)
    result["seconds"] = 0.0
    result["baselines"] = baselines(item.corpus)
    return result


def choose_c(
    data: list[Rows],
    tags: list[str],
    keep: list[int],
    units: list[str],
    weighting: str,
    select: str,
) -> float:
    """The C of C_GRID whose leave-one-repository-out predictions over the repositories `keep` score best
    (`select`, see SELECT: the log loss or the agreement of each left-out repository's rows, every bundle
    of it left out together, under the weights and threshold fitted without it; the mean over
    repositories weighted as `weighting` says; the smaller C on ties).

    Scored on the rows, not on plans: planning every inner fold for every C cost most of the run, and the
    plans' agreement, a few files per repository, swung the choice from fold to fold (measured: the
    outer leave-one-out table was better and steadier with the rows)."""
    groups = sorted({units[i] for i in keep})
    best: tuple[float, float] | None = None
    for c in C_GRID:
        scores, sizes = [], []
        for group in groups:
            train = [j for j in keep if units[j] != group]
            data_train = [data[j] for j in train]
            weights = fit(data_train, tags, c, shares(data_train, [units[j] for j in train], weighting))
            held = [
                (row, label) for j in keep if units[j] == group for row, label in zip(*data[j], strict=True)
            ]
            margins = [weights.intercept + sum(weights.of(t) * v for t, v in row.items()) for row, _ in held]
            labels = [label for _, label in held]
            if select == "logloss":
                right = [-_log_loss(m, y) for m, y in zip(margins, labels, strict=True)]
            else:
                right = [
                    float((m >= weights.threshold) == (y == 1)) for m, y in zip(margins, labels, strict=True)
                ]
            scores.append(sum(right) / len(right) if right else 0.0)
            sizes.append(len(right))
        scheme = WEIGHTINGS[weighting]
        key = (round(float(np.average(scores, weights=[scheme(n) for n in sizes])), 9), -c)
        best = key if best is None or key > best else best
    assert best is not None
    return -best[1]


def _log_loss(margin: float, label: int) -> float:
    """-log of the probability the margin gives the true label (logistic), without overflow."""
    z = margin if label == 1 else -margin
    return math.log1p(math.exp(-z)) if z > -30 else -z


def all_tags(data: list[Rows]) -> list[str]:
    return sorted({t for xs, _ in data for row in xs for t in row})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpora_arguments(parser)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--c", type=float, help="use this C instead of choosing it from C_GRID")
    parser.add_argument(
        "--fast", action="store_true", help="choose C once on every repository, not inside each fold"
    )
    parser.add_argument(
        "--weighting", choices=sorted(WEIGHTINGS), default="rows", help="how much a repository counts"
    )
    parser.add_argument(
        "--leave-out",
        choices=LEAVE_OUT,
        default="owner",
        help="what one fold leaves out: an owner's repositories, a repository's bundles, or one bundle",
    )
    parser.add_argument(
        "--select",
        choices=SELECT,
        default="logloss",
        help="what chooses C inside each fold: the left-out rows' log loss (default) or their agreement",
    )
    parser.add_argument("--confusion", action="store_true", help="also print the confusion tables")
    parser.add_argument("--write", action="store_true", help="write the weights fitted on every corpus")
    parser.add_argument("--output", type=Path, help="write the weights fitted on every corpus to this file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    roots = args.corpora or [DEFAULT_CORPORA]
    corpora = [c for root in roots if root.is_dir() for c in load_corpora(root)]
    if len(corpora) < 2:
        # leave-one-out needs at least two labelled repositories (a script copied elsewhere finds none)
        where = ", ".join(map(str, roots))
        print(f"need at least two labelled corpora under {where} (--corpora DIR)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fit-") as scratch:
        loaded = [load(c, args.clones, Path(scratch)) for c in corpora]
    everyone = list(range(len(loaded)))
    # The repository of each bundle: the unit left out, and the unit a repository's weight is shared by.
    owners = {name: owner for root in roots for name, owner in read_owners(root).items()}
    units = [unit_of(item.corpus.name, args.leave_out, owners) for item in loaded]
    prior = prior_weights()
    first = [rows(item, prior) for item in loaded]
    tags = all_tags(first)

    def refit(keep: list[int], c: float) -> Weights:
        """Weights fitted on the repositories `keep`; each later round reads their features again with the
        previous round's weights (what a pass called history moves the link and citation signals), so
        a left-out repository's labels never reach the features either."""
        kept_units = [units[j] for j in keep]
        data = [first[j] for j in keep]
        weights = fit(data, tags, c, shares(data, kept_units, args.weighting))
        for _ in range(args.rounds - 1):
            data = [rows(loaded[j], weights) for j in keep]
            weights = fit(data, all_tags(data), c, shares(data, kept_units, args.weighting))
        return weights

    # C is chosen on the first round's features (choosing it on every round's would cost a refit of
    # every inner fold's features).
    c = choose_c(first, tags, everyone, units, args.weighting, args.select) if args.c is None else args.c
    per: dict[str, Any] = {}
    chosen: dict[str, float] = {}
    folds: dict[str, Weights] = {}
    for i, item in enumerate(loaded):
        if units[i] not in folds:
            # Every bundle of the left-out repository is left out of the fit together.
            others = [j for j in everyone if units[j] != units[i]]
            # Nested: the left-out repository plays no part in choosing C either.
            fold_c = (
                args.c
                if args.c is not None
                else (c if args.fast else choose_c(first, tags, others, units, args.weighting, args.select))
            )
            chosen[units[i]] = fold_c
            folds[units[i]] = refit(others, fold_c)
        per[item.corpus.name] = plan_score(item, folds[units[i]])
    table = {"corpora": per, "overall": overall(corpora, per)}
    final = refit(everyone, c)
    in_sample: dict[str, Any] = {item.corpus.name: plan_score(item, final) for item in loaded}
    sample_table = {"corpora": in_sample, "overall": overall(corpora, in_sample)}
    if args.json:
        out = {"leave_one_out": table, "in_sample": sample_table, "c": c, "fold_c": chosen}
        print(json.dumps(out | {"weights": final.to_dict()}, indent=2))
    else:
        print("leave one repository out (each row planned with weights fitted on the others):")
        print(render(table, args.confusion))
        print(f"C per fold: {json.dumps(chosen)}")
        print("\nin sample (every row planned with the weights fitted on every corpus):")
        print(render(sample_table, args.confusion))
        print(f"\nC {c}; weights fitted on every corpus: {json.dumps(final.to_dict())}")
    if args.output:
        args.output.write_text(json.dumps(final.to_dict(), indent=1) + "\n", encoding="utf-8")
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(final.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
