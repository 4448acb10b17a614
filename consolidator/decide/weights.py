"""The weights of the evidence, fitted from labelled repositories and shipped as reviewed data.

`weights.json` beside this module holds one weight per piece of evidence (a rule of `rules.py` or a
signal of `evidence.py`, by tag), in log-odds of "a record of past work" per unit of the evidence's
strength, plus the intercept and the threshold a root document is archived at. `scripts/fit_weights.py`
refits them with scikit-learn (leave-one-repository-out) and writes the file; planning only reads JSON.

`prior_weights.json` beside it is the hand-set table the fit starts from. Planning weighs root documents
with the fitted table and pages already inside a folder with the prior one: every label the fit learns
from is a root file's, so the fitted weights are known to hold at the root only, and a page of a tree
(which no label covers) is judged as the rules were written for it.

Tables differ in scale: a refit anchored on the rules table's prior weights (prior_weights.json,
the hand-set table) comes out on a smaller scale. The classifier's few fixed margins (the stronger
evidence a page of a docs tree needs, the width of its confidence) are therefore written in the *reading*
of a margin, not in raw margins: `Weights.reading` maps a margin of any table onto the prior table's
numbers, so every table asks the same relative strength of evidence, and the prior table reads as itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.errors import ConsolidatorError
from ..core.models import Reason

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
PRIOR_WEIGHTS_FILE = Path(__file__).with_name("prior_weights.json")

# Where the prior table (prior_weights.json, the hand-set rules table) archives a root document.
# Not a weight: the anchor of the reading scale (see `Weights.reading`), so that the classifier's fixed
# margins, written in the prior table's numbers, keep their meaning under a refit.
READING_THRESHOLD = 1.5
# A finding is listed among a document's reasons when its weight reads at least this much in the prior
# table's numbers: what a reason's one decimal would show as 0.0 moves no decision worth explaining.
SHOWN_READING = 0.05


@dataclass(frozen=True)
class Weights:
    weights: Mapping[str, float] = field(default_factory=dict)  # tag -> weight per unit of strength
    intercept: float = 0.0  # the log-odds of history before any evidence
    threshold: float = 0.0  # a root document is archived when its margin reaches this

    def of(self, tag: str) -> float:
        return self.weights.get(tag, 0.0)

    @property
    def unit(self) -> float:
        """How much of this table's margin one unit of the prior table's is worth: the table's spread (the
        evidence it asks of a root document, from none at all, the intercept, to the threshold) over the
        prior table's. The spread, not a typical weight, because it is what every table is fitted to get
        right: where the line between the two kinds of document falls."""
        return (self.threshold - self.intercept) / READING_THRESHOLD

    def reading(self, margin: float) -> float:
        """A margin of this table in the prior table's numbers: the threshold reads READING_THRESHOLD, and
        each unit of this table's evidence reads as one of the prior's. Exact for the prior table itself."""
        return (margin - self.intercept) / self.unit

    def reason(self, why: str, tag: str, weight: float) -> Reason | None:
        """A weighed finding as a reason, its weight shown in the prior table's numbers (so one finding
        reads the same under any table), or None when it would read 0.0 (see SHOWN_READING)."""
        shown = weight / self.unit
        return Reason(why, tag, shown) if abs(shown) >= SHOWN_READING else None

    def margin_at(self, reading: float) -> float:
        """The margin of this table that reads `reading` (the inverse of `reading`)."""
        return self.intercept + reading * self.unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "intercept": round(self.intercept, 3),
            "threshold": round(self.threshold, 3),
            "weights": {k: round(v, 3) for k, v in sorted(self.weights.items())},
        }


def parse_weights(data: Any) -> Weights:
    if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
        raise ConsolidatorError("weights: expected a mapping with `weights`, `intercept` and `threshold`")
    table = {str(k): float(v) for k, v in data["weights"].items()}
    weights = Weights(
        MappingProxyType(dict(sorted(table.items()))),
        float(data.get("intercept", 0.0)),
        float(data.get("threshold", 0.0)),
    )
    # A table whose threshold is not above its intercept would archive documents that carry no evidence
    # at all, and has no scale to read its margins by.
    if not weights.threshold > weights.intercept:
        raise ConsolidatorError("weights: the threshold must lie above the intercept")
    return weights


def _read(path: Path) -> Weights:
    try:
        return parse_weights(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ConsolidatorError(f"cannot read the shipped weights {path.name}: {error}") from error


@cache
def default_weights() -> Weights:
    """The fitted weights, for root documents (read once)."""
    return _read(WEIGHTS_FILE)


@cache
def prior_weights() -> Weights:
    """The hand-set prior table, for pages inside a folder (read once)."""
    return _read(PRIOR_WEIGHTS_FILE)
