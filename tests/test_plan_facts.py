"""What planning reads of each document's text may be computed in the scan's workers, beside the parse
(decide/textsignals.plan_facts, handed to scan_repo as `per_document`): the plan must not depend on
where it was computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.core.config import load_config
from consolidator.decide.evidence import gather_evidence
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import dump_plan
from consolidator.decide.textsignals import PlanFacts, plan_facts


def test_plan_facts_from_the_workers_give_the_plan_computed_without_them(samples_repo: Path) -> None:
    config = load_config(samples_repo)
    plain = scan_repo(samples_repo, config=config, use_cache=False)
    # workers=2 with a low threshold is not needed: the serial branch runs the same function.
    facts = scan_repo(samples_repo, config=config, use_cache=False, per_document=plan_facts)
    assert plain.derived == {}
    assert set(facts.derived) == {d.blob for d in facts.documents}
    assert all(isinstance(f, PlanFacts) for f in facts.derived.values())
    assert facts.documents == plain.documents
    assert dump_plan(build_plan(facts, config)) == dump_plan(build_plan(plain, config))


def test_evidence_from_signals_is_the_evidence_read_from_the_document(samples_repo: Path) -> None:
    config = load_config(samples_repo)
    inventory = scan_repo(samples_repo, config=config, use_cache=False, per_document=plan_facts)
    for doc in inventory.documents:
        facts = inventory.derived[doc.blob]
        assert isinstance(facts, PlanFacts)
        assert gather_evidence(doc, facts.signals) == gather_evidence(doc)


def test_a_parse_cache_hit_has_no_facts_and_the_plan_is_the_same(samples_repo: Path) -> None:
    config = load_config(samples_repo)
    first = scan_repo(samples_repo, config=config, per_document=plan_facts)
    again = scan_repo(samples_repo, config=config, per_document=plan_facts)  # every blob from the cache
    assert again.derived == {}
    assert dump_plan(build_plan(again, config)) == dump_plan(build_plan(first, config))


def test_plan_facts_computed_in_worker_processes(samples_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from consolidator.analysis import scan

    monkeypatch.setattr(scan, "PARALLEL_THRESHOLD", 1)  # the samples are too few to start workers
    config = load_config(samples_repo)
    pooled = scan_repo(samples_repo, config=config, use_cache=False, workers=2, per_document=plan_facts)
    plain = scan_repo(samples_repo, config=config, use_cache=False, workers=1)
    assert set(pooled.derived) == {d.blob for d in pooled.documents}
    assert dump_plan(build_plan(pooled, config)) == dump_plan(build_plan(plain, config))
