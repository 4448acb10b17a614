"""Fit the weights of the evidence on every labelled corpus and validate them leave-one-repository-out.

    python scripts/fit_weights.py [--corpora DIR] [--clones DIR] [--write] [--json]

Each root document of each labelled corpus (see scripts/evaluate.py for the labels) becomes one row:
the strength of every finding the classifier makes (rules of decide/rules.py, signals of
decide/evidence.py), labelled history or live. A logistic regression (scikit-learn) gives a weight per
finding; the threshold is the one that agrees best with the training rows. Validation: for each
repository, fit on the others, plan the one left out with those weights, and score the plan as
scripts/evaluate.py does. That table is printed; with --write the weights fitted on every repository
are written to consolidator/decide/weights.json (reviewed data; planning reads it without scikit-learn).

Features come from a classification run with the shipped weights (the link and citation signals
depend on what the previous pass called history); --rounds N refits on features recomputed with the
weights of the previous round.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import Corpus, baselines, checkout, load_corpora, overall, render, score_plan

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config, load_config
from consolidator.core.models import Inventory
from consolidator.decide.classify import _settled, classify_all, root_prior, weigh
from consolidator.decide.evidence import build_context, gather_evidence
from consolidator.decide.plan import build_plan, find_document_groups
from consolidator.decide.planfile import load_record, settled_paths
from consolidator.decide.weights import WEIGHTS_FILE, Weights, default_weights

# Regularisation of the fit (inverse strength, scikit-learn's C): not fitted per fold, chosen once so
# that no single finding's weight runs away on the few rows that carry it.
C = 0.03
# The prior margin column is scaled up so the penalty barely touches its factor: the prior is the
# starting point, the per-finding corrections are what the penalty keeps small.
PRIOR_SCALE = 3.0
PRIOR_FILE = Path(__file__).resolve().with_name("prior_weights.json")


@dataclass
class Loaded:
    corpus: Corpus
    inventory: Inventory
    config: Config
    groups: Groups
    settled: frozenset[str]


def load(corpus: Corpus, clones: Path | None, scratch: Path) -> Loaded:
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
        root_prior=root_prior(result),
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


def fit(data: list[tuple[list[dict[str, float]], list[int]]], tags: list[str]) -> Weights:
    """One logistic regression over the rows of every repository given.

    The weights are the prior (scripts/prior_weights.json, the rules table's weights before any fit)
    scaled by one fitted factor, plus a fitted correction per finding: the regression sees the prior
    margin as one more column, so with few rows carrying a finding its weight stays near the prior
    instead of running off on a handful of documents."""
    prior = json.loads(PRIOR_FILE.read_text(encoding="utf-8"))["weights"]
    p = np.array([float(prior.get(t, 0.0)) for t in tags])
    x = np.array([[row.get(t, 0.0) for t in tags] for xs, _ in data for row in xs])
    y = np.array([label for _, ys in data for label in ys])
    z = np.hstack([(x @ p)[:, None] * PRIOR_SCALE, x])
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(z, y)
    raw = model.coef_[0][0] * PRIOR_SCALE * p + model.coef_[0][1:]
    coef = {t: float(c) for t, c in zip(tags, raw, strict=True) if abs(c) >= 0.005}
    intercept = float(model.intercept_[0])
    margins = x @ raw + intercept
    # The threshold that agrees best with the training rows, nearest 0 on ties.
    grid = np.round(np.arange(-1.5, 1.51, 0.05), 2)
    scores = [(int(np.sum((margins >= t) == (y == 1))), -abs(t), t) for t in grid]
    threshold = float(max(scores)[2])
    return Weights(dict(sorted(coef.items())), round(intercept, 3), threshold)


def all_tags(data: list[tuple[list[dict[str, float]], list[int]]]) -> list[str]:
    return sorted({t for xs, _ in data for row in xs for t in row})


def main(argv: list[str] | None = None) -> int:
    default = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=default)
    parser.add_argument("--clones", type=Path, help="folder of existing clones named after the bundles")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the weights fitted on every corpus")
    parser.add_argument("--output", type=Path, help="write the weights fitted on every corpus to this file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    corpora = load_corpora(args.corpora)
    with tempfile.TemporaryDirectory(prefix="fit-") as scratch:
        loaded = [load(c, args.clones, Path(scratch)) for c in corpora]
    weights = default_weights()
    for _ in range(args.rounds):
        data = [rows(item, weights) for item in loaded]
        tags = all_tags(data)
        weights = fit(data, tags)
    per: dict[str, Any] = {}
    for i, item in enumerate(loaded):
        held_out = fit([d for j, d in enumerate(data) if j != i], tags)
        plan = build_plan(item.inventory, item.config, item.groups, item.settled, held_out)
        result = score_plan(item.corpus, plan)
        result["seconds"] = 0.0
        result["baselines"] = baselines(item.corpus)
        per[item.corpus.name] = result
    table = {"corpora": per, "overall": overall(corpora, per)}
    final = fit(data, tags)
    if args.json:
        print(json.dumps({"leave_one_out": table, "weights": final.to_dict()}, indent=2))
    else:
        print("leave one repository out (each row planned with weights fitted on the others):")
        print(render(table))
        print(f"\nweights fitted on every corpus: {json.dumps(final.to_dict())}")
    if args.output:
        args.output.write_text(json.dumps(final.to_dict(), indent=1) + "\n", encoding="utf-8")
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(final.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
