"""The whole job on the shared corpus: plan, apply, plan again, check (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.core.config import Config
from consolidator.decide.plan import plan_repository
from consolidator.decide.planfile import DEFAULT_PLAN, write_plan
from consolidator.guard.check import run_check

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

SPRINT_REPORT = """# Sprint 9 Complete ✅

**Status:** COMPLETE
**Date:** 2025-11-20

## Summary

Sprint 9 is finished. All planned stories were completed, reviewed and deployed to production.

## Completed

- ✅ Member statements exported as PDF
- ✅ Loan reminders sent by SMS
- ✅ Staff dashboard performance fixed
"""


def test_consolidated_corpus_passes_check_and_a_new_report_fails(corpus_repo: Path) -> None:
    config = Config()
    write_plan(plan_repository(scan_repo(corpus_repo), config), corpus_repo / DEFAULT_PLAN)
    apply_plan(corpus_repo)

    again = plan_repository(scan_repo(corpus_repo), config)
    assert [e.source for e in again.entries if e.action != "keep"] == []
    assert sum(1 for d in scan_repo(corpus_repo).documents if d.at_root) <= 10

    result = run_check(corpus_repo, config)
    # The corpus pastes real credentials into its docs: apply recorded them in the baseline, so
    # they are known (to rotate), not new, wherever the consolidation moved or archived them.
    assert result.ok, [(f.code, f.path) for f in result.new]
    assert len({f.key for f in result.known_secrets}) >= 4
    allowed = config

    (corpus_repo / "SPRINT_9_COMPLETE.md").write_text(SPRINT_REPORT, encoding="utf-8")
    after = run_check(corpus_repo, allowed)
    assert [(f.code, f.path) for f in after.new] == [("root-file", "SPRINT_9_COMPLETE.md")]
    assert "archive" in after.new[0].message


def test_consolidated_corpus_site_builds_cleanly_and_publishes_no_secret(
    corpus_repo: Path, tmp_path: Path
) -> None:
    from consolidator.security.secrets import scan_text
    from consolidator.site.build import build_site, generate_site, load_applied_plan

    config = Config()
    inventory = scan_repo(corpus_repo)
    leaked: set[str] = set()
    for doc in inventory.documents:
        if doc.secrets:
            text = (corpus_repo / doc.path).read_text(encoding="utf-8", errors="replace")
            leaked.update(text[f.start : f.end] for f in scan_text(doc.path, text))
    assert len(leaked) >= 4  # the corpus pastes real tokens and passwords into its docs
    write_plan(plan_repository(inventory, config), corpus_repo / DEFAULT_PLAN)
    apply_plan(corpus_repo)
    site = generate_site(corpus_repo, config=config, plan=load_applied_plan(corpus_repo))
    result = build_site(corpus_repo, site_dir=tmp_path / "site")
    assert result.warnings == ()
    # Every document of the docs tree and the root is a page (with the generated ones: folder indexes,
    # archive views), counted alike by `site` and `build`; redirect pages are counted apart. (Documents
    # kept beside the code they describe, outside the docs tree, are not pages.)
    shown = [d for d in scan_repo(corpus_repo).documents if d.at_root or d.path.startswith("docs/")]
    assert len(shown) >= 400
    assert result.pages > len(shown) and result.pages == site.pages, (len(shown), result.pages, site.pages)
    assert result.redirects > 0
    output = b"".join(p.read_bytes() for p in result.site_dir.rglob("*") if p.is_file())
    for value in leaked:
        assert value.encode() not in output
