"""The refit of the weights (scripts/fit_weights.py): how repositories are weighed and where the
threshold may fall. Needs scikit-learn, which the package already depends on."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_tool


@pytest.fixture(scope="module")
def fitting() -> Any:
    return load_tool("scripts", "fit_weights")


def test_a_document_without_evidence_stays_live_whatever_the_base_rate(fitting: Any) -> None:
    # Two repositories that are almost all history, most rows carrying no finding at all: the base rate
    # alone would archive a plain page. The threshold stays above the intercept, so it does not.
    first = ([{}] * 40 + [{"name-guide": 1.0}] * 2, [1] * 40 + [0] * 2)
    second = ([{}] * 30 + [{"name-guide": 1.0}] * 3, [1] * 30 + [0] * 3)
    weights = fitting.fit([first, second], ["name-guide"], 0.05)
    assert weights.intercept > 0
    assert weights.intercept < weights.threshold


def test_every_repository_weighs_the_same_in_the_fit(fitting: Any) -> None:
    # A large repository where a finding means history, two small ones where it means live: with every
    # row weighing the same the large one decides; with every repository weighing the same the two
    # small ones outvote it.
    # (Findings without a prior weight, so only the rows speak.)
    large = ([{"capitals": 1.0}] * 200 + [{"idle": 1.0}] * 200, [1] * 200 + [0] * 200)
    small = ([{"capitals": 1.0}] * 10 + [{"idle": 1.0}] * 10, [0] * 10 + [1] * 10)
    weights = fitting.fit([large, small, small], ["capitals", "idle"], 0.05)
    assert weights.of("capitals") < weights.of("idle")


def test_a_plain_page_stays_live_though_it_carries_descriptive_features(fitting: Any) -> None:
    # Two repositories almost all history, whose records carry nothing but their length (a feature every
    # document has, here a little longer than the guides): the threshold that agrees best with them sits
    # just above the intercept, where a plain page of some length is archived. The floor keeps the
    # threshold one ordinary finding's weight above the intercept, so a long page with no finding stays.
    first = ([{"length": 0.4}] * 40 + [{"name-guide": 1.0}] * 4, [1] * 40 + [0] * 4)
    second = ([{"length": 0.4}] * 30 + [{"name-guide": 1.0}] * 3, [1] * 30 + [0] * 3)
    weights = fitting.fit([first, second], ["length", "name-guide"], 0.05)
    assert weights.of("length") > 0
    assert weights.intercept + weights.of("length") * 0.5 < weights.threshold


def test_a_repository_weighs_as_the_scheme_says_of_its_rows(fitting: Any) -> None:
    big = ([{}] * 100, [1] * 50 + [0] * 50)
    small = ([{}] * 4, [1] * 2 + [0] * 2)
    assert fitting.shares([big, small], ["x", "y"], "equal") == [1.0, 1.0]
    assert fitting.shares([big, small], ["x", "y"], "sqrt") == [10.0, 2.0]
    assert fitting.shares([big, small], ["x", "y"], "rows") == [100.0, 4.0]


def test_bundles_of_one_repository_share_its_weight(fitting: Any) -> None:
    # one repository at two dates (30 and 10 rows) counts as one repository, split by rows
    early, late, other = ([{}] * 30, [1] * 30), ([{}] * 10, [1] * 10), ([{}] * 5, [0] * 5)
    names = ("team-tool-2031-01-05", "team-tool-2031-02-09", "solo-app-2031-03-01")
    units = [fitting.unit_of(n, "repository", {}) for n in names]
    assert units == ["team-tool", "team-tool", "solo-app"]
    assert fitting.shares([early, late, other], units, "equal") == [0.75, 0.25, 1.0]
    # an owner's two repositories are one unit when owners are known; one bundle at a time otherwise
    owners = {"team-tool-2031-01-05": "team", "team-lib-2031-01-07": "team"}
    assert fitting.unit_of("team-lib-2031-01-07", "owner", owners) == "team"
    assert fitting.unit_of("solo-app-2031-03-01", "owner", owners) == "solo-app"
    assert fitting.unit_of("team-lib-2031-01-07", "bundle", owners) == "team-lib-2031-01-07"


def test_with_every_row_weighing_the_same_the_large_repository_decides(fitting: Any) -> None:
    # the counterpart of test_every_repository_weighs_the_same_in_the_fit, with --weighting rows
    large = ([{"capitals": 1.0}] * 200 + [{"idle": 1.0}] * 200, [1] * 200 + [0] * 200)
    small = ([{"capitals": 1.0}] * 10 + [{"idle": 1.0}] * 10, [0] * 10 + [1] * 10)
    data = [large, small, small]
    share = fitting.shares(data, ["large", "small-1", "small-2"], "rows")
    weights = fitting.fit(data, ["capitals", "idle"], 0.05, share)
    assert weights.of("capitals") > weights.of("idle")


def test_a_finding_no_row_carries_keeps_its_prior_weight_scaled(fitting: Any) -> None:
    # `plan-ahead` (a plan whose milestones are still ahead) is in the prior table; no row below carries
    # it, so the fit has nothing to correct it with: it keeps its prior sign and its share of the scale,
    # instead of dropping out of the table (which would make such plans weigh nothing).
    prior = fitting.prior_weights().weights
    first = ([{"name-status": 1.0}] * 20 + [{"name-guide": 1.0}] * 20, [1] * 20 + [0] * 20)
    second = ([{"name-status": 1.0}] * 10 + [{"name-guide": 1.0}] * 12, [1] * 10 + [0] * 12)
    weights = fitting.fit([first, second], ["name-guide", "name-status"], 0.05)
    assert prior["plan-ahead"] < 0
    assert weights.of("plan-ahead") < 0
    ratio = weights.of("plan-ahead") / prior["plan-ahead"]
    # scaled like a finding the rows barely correct (the prior's own scale, within the fit's corrections)
    assert ratio == pytest.approx(weights.of("name-guide") / prior["name-guide"], rel=0.5)


def test_without_labelled_corpora_the_fit_says_so(fitting: Any, tmp_path: Path, capsys: Any) -> None:
    # A copy of the script elsewhere, or a wrong --corpora, finds no corpus: a clear message and exit 2,
    # not a division by zero deep in the fit.
    assert fitting.main(["--corpora", str(tmp_path)]) == 2
    assert "labelled corpora" in capsys.readouterr().err
    assert fitting.main(["--corpora", str(tmp_path / "missing")]) == 2


def test_the_log_loss_scores_how_sure_the_margin_is_of_the_truth(fitting: Any) -> None:
    # A margin of 0 is a coin toss either way; a margin on the right side costs little, on the wrong
    # side much, and a far-off margin does not overflow.
    assert fitting._log_loss(0.0, 1) == pytest.approx(math.log(2))
    assert fitting._log_loss(3.0, 1) < fitting._log_loss(0.0, 1) < fitting._log_loss(-3.0, 1)
    assert fitting._log_loss(3.0, 0) == pytest.approx(fitting._log_loss(-3.0, 1))
    assert fitting._log_loss(-1000.0, 1) == pytest.approx(1000.0)


def test_c_is_chosen_by_the_left_out_rows(fitting: Any) -> None:
    # Three repositories where a finding means history each time: once the weights get the left-out
    # rows right, agreement ties and keeps the smaller C, while the log loss goes on preferring the C
    # whose margins are surer of the truth (the largest, with nothing to contradict it).
    repo = ([{"capitals": 1.0}] * 10 + [{"idle": 1.0}] * 10, [1] * 10 + [0] * 10)
    data, units, keep = [repo, repo, repo], ["a", "b", "c"], [0, 1, 2]
    by_agreement = fitting.choose_c(data, ["capitals", "idle"], keep, units, "rows", "agreement")
    by_loss = fitting.choose_c(data, ["capitals", "idle"], keep, units, "rows", "logloss")
    assert by_loss == max(fitting.C_GRID)
    assert by_agreement < by_loss
