"""The weights of the evidence, fitted from labelled repositories and shipped as reviewed data.

`weights.json` beside this module holds one weight per piece of evidence (a rule of `rules.py` or a
signal of `evidence.py`, by tag), in log-odds of "a record of past work" per unit of the evidence's
strength, plus the intercept and the threshold a root document is archived at. `scripts/fit_weights.py`
refits them with scikit-learn (leave-one-repository-out) and writes the file; planning only reads JSON.
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

WEIGHTS_FILE = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Weights:
    weights: Mapping[str, float] = field(default_factory=dict)  # tag -> weight per unit of strength
    intercept: float = 0.0  # the log-odds of history before any evidence
    threshold: float = 0.0  # a root document is archived when its margin reaches this

    def of(self, tag: str) -> float:
        return self.weights.get(tag, 0.0)

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
    return Weights(
        MappingProxyType(dict(sorted(table.items()))),
        float(data.get("intercept", 0.0)),
        float(data.get("threshold", 0.0)),
    )


@cache
def default_weights() -> Weights:
    """The shipped weights (read once)."""
    try:
        return parse_weights(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ConsolidatorError(f"cannot read the shipped weights {WEIGHTS_FILE.name}: {error}") from error
