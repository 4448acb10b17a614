from __future__ import annotations

import io
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from rich.console import Console
from simdocs import FILLER, make_doc

from consolidator.analysis.similarity import (
    Groups,
    average_linkage,
    document_text,
    find_groups,
    groups_to_dict,
    render_groups,
    tfidf_matrix,
    top_k_neighbours,
    unique_sections,
)
from consolidator.core.config import SimilarityConfig
from consolidator.core.models import Document
from tests.conftest import load_tool

# ------------------------------------------------------------------------------------------ hard cases

WEEK_1 = """# Week 1 status
## Summary
The team set up the repository, the build pipeline and the staging database for the berth planner.
## Done
Continuous integration runs the unit tests on every push; the schema migration tool is wired in.
## Blocked
Waiting for terminal operators to share the vessel call export so the importer can be written.
## Next week
Write the vessel call importer and draft the first screen of the berth timeline.
"""
WEEK_2 = """# Week 2 status
## Summary
The importer reads the vessel call export and the berth timeline shows calls on a scrolling chart.
## Done
Vessel call importer merged with tests; the timeline renders twelve berths and drag handles.
## Blocked
Crane availability data is still missing, so crane split suggestions cannot be computed yet.
## Next week
Add crane availability import and start on conflict warnings for overlapping berth windows.
"""
WEEK_3 = """# Week 3 status
## Summary
Crane availability arrives nightly and the planner proposes crane splits for each vessel call.
## Done
Conflict warnings highlight overlapping berth windows; planners can accept or dismiss each one.
## Blocked
Nothing blocks the team this week.
## Next week
Demo the planner to the terminal and collect feedback on the warning wording.
"""
DEPLOY_GUIDE = """# Deployment guide
## Prerequisites
You need the release tag, access to the container registry and the production kubeconfig.
## Deploying
Run the deploy job with the release tag; it pushes images, runs migrations and rolls pods one by one.
## Verifying
Open the health page, check that the version matches the tag and watch error rates for ten minutes.
"""
ROLLBACK = """# Rollback runbook
## When to roll back
Roll back when error rates double after a release or when the health page reports a failing check.
## Steps
Trigger the rollback job with the previous release tag; it restores the previous images only.
## Database
Migrations are forward only, so a rollback never reverts schema changes; write a fix forward instead.
"""
REPORT_A = """# Project status report
## Overview
The berth scheduling pilot went live on the fifteenth of April at the first partner terminal, on time.
## Progress
Planners now build the weekly berth plan in the tool; spreadsheets were retired after two weeks.
## Risks
Crane maintenance windows are entered by hand and sometimes forgotten, which causes false conflicts.
## Next steps
Automate the maintenance feed, then onboard the second terminal in the summer.
"""
REPORT_B = """# Final project report
## Overview
Since mid April our partner terminal schedules vessels with the pilot, and launch happened as promised.
## Progress
Weekly plans are made in the application by the planning desk and the old workbook is no longer used.
## Risks
Manual entry of crane servicing slots is error prone and triggers warnings that are not real.
## Next steps
Import servicing slots automatically and bring a second terminal on board during summer.
"""
REPORT_C = """# Delivery summary
## Overview
The pilot of the berth scheduler reached production at our first terminal in April, as planned.
## Progress
The planning desk produces its weekly plan with the scheduler; the spreadsheet era has ended.
## Risks
Crane downtime is typed in manually, gets missed, and then shows up as conflicts that are not real.
## Next steps
Feed maintenance data automatically and add the second partner terminal this summer.
"""
GUIDE_NEW = """# Backup guide
## Schedule
Database snapshots run every night at two and are copied to a second region before five.
## Restoring
Restore into a scratch instance first, compare row counts, then switch the application over.
"""
GUIDE_OLD = """# Backup guide (draft)
## Schedule
Backups are taken by hand every Friday by whoever is on call and stored on the shared drive.
## Restoring
Ask the database administrator; there is no written procedure yet.
## Tape archive
Monthly tapes are sent to the vault company, who keep them for seven years.
"""


def corpus(extra: dict[str, str], **dates: str) -> list[Document]:
    files = {**FILLER, **extra}
    return [
        make_doc(path, body, first_commit=dates.get(path.split(".")[0], "2025-03-01"))
        for path, body in files.items()
    ]


def member_sets(groups: Groups) -> set[frozenset[str]]:
    return {frozenset(c.members) for c in groups.duplicates}


def in_one_group(groups: Groups, *paths: str) -> bool:
    return any(set(paths) <= set(c.members) for c in groups.duplicates)


def test_series_members_are_a_series_not_duplicates() -> None:
    docs = corpus({"WEEK_1_STATUS.md": WEEK_1, "WEEK_2_STATUS.md": WEEK_2, "WEEK_3_STATUS.md": WEEK_3})
    groups = find_groups(docs)
    assert not groups.duplicates
    assert [(c.label, c.members) for c in groups.series] == [
        ("WEEK_n_STATUS", ("WEEK_1_STATUS.md", "WEEK_2_STATUS.md", "WEEK_3_STATUS.md"))
    ]
    assert groups.series[0].id == "series-week-n-status"


RESUME = "# Resume notes {n}\n\nPick up where session {n} stopped: rerun the {topic} import tests.\n"
TOPICS = ("ledger", "invoice", "payroll", "courier", "tariff")


def test_files_named_alike_but_for_a_closing_number_are_a_series() -> None:
    runs = {f"RESUME_NOTES_{n}.md": RESUME.format(n=n, topic=TOPICS[n - 7]) for n in (7, 8, 9, 10)}
    pair = {f"HANDOVER_{n}.md": RESUME.format(n=n, topic=TOPICS[n]) for n in (1, 2)}
    apart = {"ops/RESUME_NOTES_11.md": RESUME.format(n=11, topic="tariff")}
    groups = find_groups(corpus({**runs, **pair, **apart}))
    numbered = [c for c in groups.series if c.label.endswith("NOTES_n")]
    # one series of the run in its folder, in the same terms as the analysis' other series
    assert [(c.label, c.members) for c in numbered] == [("RESUME_NOTES_n", tuple(sorted(runs)))]
    assert numbered[0].evidence == ("4 documents named RESUME_NOTES_n: 7, 8, 9, 10",)
    # two files are a document and its second version, not a series; a file of another folder is apart
    assert not any(set(pair) & set(c.members) or "ops/RESUME_NOTES_11.md" in c.members for c in groups.series)


def test_series_members_whose_text_repeats_are_duplicates() -> None:
    docs = corpus({"WEEK_1_STATUS.md": WEEK_1, "WEEK_2_STATUS.md": WEEK_1 + "\nOne more line.\n"})
    assert member_sets(find_groups(docs)) == {frozenset({"WEEK_1_STATUS.md", "WEEK_2_STATUS.md"})}


def test_same_topic_different_documents_are_not_duplicates() -> None:
    docs = corpus({"DEPLOYMENT_GUIDE.md": DEPLOY_GUIDE, "ROLLBACK_RUNBOOK.md": ROLLBACK})
    assert not find_groups(docs).duplicates


def test_low_overlap_rewrites_are_one_group_with_the_newest_canonical() -> None:
    docs = corpus(
        {"STATUS_REPORT.md": REPORT_A, "FINAL_PROJECT_REPORT.md": REPORT_B, "DELIVERY_SUMMARY.md": REPORT_C},
        STATUS_REPORT="2025-04-20",
        FINAL_PROJECT_REPORT="2025-04-22",
        DELIVERY_SUMMARY="2025-04-21",
    )
    dated = [
        make_doc(d.path, body, first_commit=d.dates.first_commit, stated=d.dates.first_commit)
        for d, body in zip(docs, [*FILLER.values(), REPORT_A, REPORT_B, REPORT_C], strict=True)
    ]
    groups = find_groups(dated)
    assert member_sets(groups) == {
        frozenset({"STATUS_REPORT.md", "FINAL_PROJECT_REPORT.md", "DELIVERY_SUMMARY.md"})
    }
    cluster = groups.duplicates[0]
    assert cluster.canonical == "FINAL_PROJECT_REPORT.md"
    assert cluster.id == "dup-final-project-report"
    assert any("same outline" in line for line in cluster.evidence)


def test_old_marker_makes_versions_even_with_little_shared_text() -> None:
    docs = corpus({"BACKUP_GUIDE.md": GUIDE_NEW, "BACKUP_GUIDE_OLD.md": GUIDE_OLD})
    # the stale copy is newer by date, yet its name says it is the old one
    docs = [
        make_doc(
            d.path,
            GUIDE_OLD if d.path == "BACKUP_GUIDE_OLD.md" else body,
            first_commit="2025-03-01",
            stated="2025-05-01" if d.path == "BACKUP_GUIDE_OLD.md" else "2025-02-01",
        )
        if d.path.startswith("BACKUP")
        else d
        for d, body in zip(docs, [*FILLER.values(), GUIDE_NEW, GUIDE_OLD], strict=True)
    ]
    groups = find_groups(docs)
    assert member_sets(groups) == {frozenset({"BACKUP_GUIDE.md", "BACKUP_GUIDE_OLD.md"})}
    cluster = groups.duplicates[0]
    assert cluster.canonical == "BACKUP_GUIDE.md"
    assert any("version markers" in line for line in cluster.evidence)
    unique = dict(cluster.unique_content)["BACKUP_GUIDE_OLD.md"]
    assert any(item.startswith("Tape archive") for item in unique)


def test_a_copy_stating_no_date_does_not_win_on_its_commit_date() -> None:
    # Two versions of one guide committed in one go (a snapshot): the fuller one says it was written on
    # a date before that commit, the shorter states no date. Its commit date is no evidence that it is
    # newer: dates are compared like with like, so the fuller version is the one to read.
    fuller = (
        GUIDE_NEW + "## Offsite copies\nA weekly copy goes to the second provider and is kept for a year.\n"
    )
    docs = [make_doc(p, body, first_commit="2025-03-01") for p, body in FILLER.items()]
    docs.append(make_doc("BACKUP_GUIDE.md", fuller, first_commit="2025-06-01", stated="2025-05-20"))
    docs.append(make_doc("BACKUP_HOWTO.md", GUIDE_NEW, first_commit="2025-06-01"))
    groups = find_groups(docs)
    assert member_sets(groups) == {frozenset({"BACKUP_GUIDE.md", "BACKUP_HOWTO.md"})}
    cluster = groups.duplicates[0]
    assert cluster.canonical == "BACKUP_GUIDE.md"
    assert cluster.evidence[0].startswith("canonical BACKUP_GUIDE.md: newest (2025-06-01)")
    # when every member states a date, the stated dates decide
    docs[-1] = make_doc("BACKUP_HOWTO.md", GUIDE_NEW, first_commit="2025-06-01", stated="2025-05-25")
    assert find_groups(docs).duplicates[0].canonical == "BACKUP_HOWTO.md"


def test_of_two_identical_copies_the_one_filed_in_a_folder_is_canonical() -> None:
    # a stray copy left at the root beside the page filed in the documentation tree: readers reach the
    # tree's page, so that is the one to keep whatever the paths' order says
    docs = corpus({"ROLLOUT_NOTES.md": DEPLOY_GUIDE, "docs/notes/ROLLOUT_NOTES.md": DEPLOY_GUIDE})
    groups = find_groups(docs)
    assert member_sets(groups) == {frozenset({"ROLLOUT_NOTES.md", "docs/notes/ROLLOUT_NOTES.md"})}
    assert groups.duplicates[0].canonical == "docs/notes/ROLLOUT_NOTES.md"
    assert groups.duplicates[0].evidence[0].endswith("filed in docs/notes/, not a copy at the root")


def test_a_copy_in_a_backup_folder_is_never_canonical() -> None:
    # a bulk backup of the library, taken later and a little fuller, is still the backup: the folder's
    # name says so as a file's _BACKUP marker would
    fuller = DEPLOY_GUIDE + "## Notes\nAsk the release manager before deploying on a Friday afternoon.\n"
    docs = [make_doc(p, body, first_commit="2025-03-01") for p, body in FILLER.items()]
    docs.append(make_doc("guides/deploying.md", DEPLOY_GUIDE, first_commit="2025-04-01"))
    docs.append(make_doc("backups/bulk_20250816/guides/deploying.md", fuller, first_commit="2025-08-16"))
    groups = find_groups(docs)
    assert member_sets(groups) == {
        frozenset({"guides/deploying.md", "backups/bulk_20250816/guides/deploying.md"})
    }
    assert groups.duplicates[0].canonical == "guides/deploying.md"
    assert "not in a folder of stale copies" in groups.duplicates[0].evidence[0]


ANDROID_QUICKSTART = """# Quick start
## Install the app
Download the signed package from the release page and allow installs from this source on the phone.
## Pair the handset
Scan the pairing code shown on the till; the handset then lists the shop's open orders.
"""


def test_one_name_in_another_folder_needs_agreeing_text_to_be_a_version() -> None:
    # A stale copy kept beside its original is a version however much it was rewritten; a page of the
    # same common name in another folder, about something else, is not a version of it.
    docs = corpus(
        {
            "BACKUP_GUIDE.md": GUIDE_NEW,
            "BACKUP_GUIDE_OLD.md": GUIDE_OLD,
            "QUICKSTART_OLD.md": DEPLOY_GUIDE,
            "mobile/QUICKSTART.md": ANDROID_QUICKSTART,
        }
    )
    groups = find_groups(docs)
    assert in_one_group(groups, "BACKUP_GUIDE.md", "BACKUP_GUIDE_OLD.md")
    assert not in_one_group(groups, "QUICKSTART_OLD.md", "mobile/QUICKSTART.md")
    # nor is a file of one folder whose name differs only in case and separators
    spelled = corpus({"ROLLOUT_SUMMARY.md": DEPLOY_GUIDE, "RolloutSummary.md": ANDROID_QUICKSTART})
    assert not in_one_group(find_groups(spelled), "ROLLOUT_SUMMARY.md", "RolloutSummary.md")
    # the same copy whose text does agree with the page elsewhere is still its old version
    moved = corpus(
        {
            "QUICKSTART_OLD.md": ANDROID_QUICKSTART + "Call support if pairing fails.\n",
            "mobile/QUICKSTART.md": ANDROID_QUICKSTART,
        }
    )
    assert in_one_group(find_groups(moved), "QUICKSTART_OLD.md", "mobile/QUICKSTART.md")


def test_exact_duplicates_after_whitespace_are_always_found() -> None:
    spaced = DEPLOY_GUIDE.replace("\n## ", "\n\n\n##  ").replace(". ", ".   ")
    docs = corpus({"DEPLOYMENT_GUIDE.md": DEPLOY_GUIDE, "HOW_TO_SHIP.md": spaced})
    groups = find_groups(docs)
    assert member_sets(groups) == {frozenset({"DEPLOYMENT_GUIDE.md", "HOW_TO_SHIP.md"})}
    assert any("identical text" in line for line in groups.duplicates[0].evidence)


def test_average_linkage_does_not_chain_through_a_middle_document() -> None:
    a = DEPLOY_GUIDE
    c = FILLER["BILLING.md"]
    middle = "# Mixed notes\n" + "\n".join(a.splitlines()[1:]) + "\n" + "\n".join(c.splitlines()[1:])
    files = {k: v for k, v in FILLER.items() if k != "BILLING.md"}
    docs = [make_doc(p, b, first_commit="2025-03-01") for p, b in files.items()]
    docs += [
        make_doc("DEPLOY.md", a, first_commit="2025-03-01"),
        make_doc("BILLING.md", c, first_commit="2025-03-01"),
        make_doc("NOTES.md", middle, first_commit="2025-03-01"),
    ]
    groups = find_groups(docs, SimilarityConfig(duplicate_threshold=0.3))
    assert not in_one_group(groups, "DEPLOY.md", "BILLING.md")


def test_readme_is_never_a_duplicate_of_an_index() -> None:
    targets = tuple(FILLER)
    index = "# Docs index\n" + "\n".join(f"- {t}" for t in targets)
    docs = [make_doc(p, b) for p, b in FILLER.items()]
    docs += [
        make_doc("README.md", index.replace("Docs index", "Project") + "\nStart here.", links=targets),
        make_doc("DOCS_INDEX.md", index, links=targets),
        make_doc("MASTER_INDEX.md", index.replace("Docs index", "All documents"), links=targets[:-1]),
    ]
    groups = find_groups(docs)
    assert member_sets(groups) == {frozenset({"DOCS_INDEX.md", "MASTER_INDEX.md"})}


def _mixed_docs() -> list[Document]:
    """Reports, a guide and its old copy, and a weekly series: every kind of group at once."""
    return corpus(
        {
            "STATUS_REPORT.md": REPORT_A,
            "FINAL_PROJECT_REPORT.md": REPORT_B,
            "BACKUP_GUIDE.md": GUIDE_NEW,
            "BACKUP_GUIDE_OLD.md": GUIDE_OLD,
            "WEEK_1_STATUS.md": WEEK_1,
            "WEEK_2_STATUS.md": WEEK_2,
        }
    )


def test_output_is_deterministic_and_json_ready() -> None:
    docs = _mixed_docs()
    first = groups_to_dict(find_groups(docs))
    shuffled = list(docs)
    random.Random(3).shuffle(shuffled)
    assert groups_to_dict(find_groups(shuffled)) == first
    assert json.loads(json.dumps(first)) == first
    ids = [str(c["id"]) for c in first["duplicates"]]
    assert ids == sorted(ids) and len(ids) == 2


def test_empty_and_tiny_inputs() -> None:
    assert find_groups([]) == Groups((), (), ())
    one = find_groups([make_doc("A.md", "# A\nsome words here")])
    assert not one.duplicates and not one.series
    blank = find_groups([make_doc("A.md", ""), make_doc("B.md", "")])
    assert not blank.series


# ------------------------------------------------------------------------------------------ pieces


def test_top_k_neighbours_agrees_with_dense_cosine() -> None:
    rng = np.random.default_rng(5)
    dense = rng.random((60, 40)) * (rng.random((60, 40)) < 0.15)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    matrix = sp.csr_matrix(dense.astype(np.float32))
    found = top_k_neighbours(matrix, k=3, floor=0.2, block=7)
    cos = dense @ dense.T
    np.fill_diagonal(cos, -1)
    expected = set()
    for i in range(60):
        best = [j for j in np.argsort(-cos[i])[:3] if cos[i, j] >= 0.2]
        expected |= {(min(i, j), max(i, j)) for j in best}
    assert set(found) == expected
    for (i, j), value in found.items():
        assert value == pytest.approx(cos[i, j], abs=1e-5)


def test_average_linkage_respects_mean_and_floor() -> None:
    scores = np.array(
        [
            [0, 0.9, 0.6, 0.0],
            [0.9, 0, 0.6, 0.0],
            [0.6, 0.6, 0, 0.55],
            [0.0, 0.0, 0.55, 0],
        ]
    )
    assert average_linkage(4, scores, threshold=0.5, floor=0.2) == [[0, 1, 2]]
    assert average_linkage(4, scores, threshold=0.5, floor=0.65) == [[0, 1]]
    assert average_linkage(4, scores, threshold=0.95, floor=0.0) == []


def test_tfidf_rows_are_unit_length_and_drop_stop_words() -> None:
    matrix, terms = tfidf_matrix(["the berth plan", "the crane split", "berth windows"])
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1))
    assert np.allclose(norms, 1.0)
    assert "the" not in terms and "berth" in terms


def test_boilerplate_is_removed_from_compared_text() -> None:
    body = """# Guide 🚀
## Table of Contents
- Setup
- Usage
## Setup
Install it ✅ from https://example.com/download and run [the script](scripts/run.sh).
| a | b |
|---|---|
"""
    text = document_text(make_doc("GUIDE.md", body))
    assert "🚀" not in text and "✅" not in text
    assert "example.com" not in text
    assert "Table of Contents" not in text and "Usage" not in text
    assert "the script" in text
    assert "---" not in text


def test_unique_sections_lists_what_the_canonical_lacks() -> None:
    canonical = make_doc("A.md", GUIDE_NEW)
    member = make_doc(
        "B.md", GUIDE_NEW + "\n## Offsite copies\nA weekly copy goes to cold storage in another country.\n"
    )
    assert unique_sections(member, canonical) == ("Offsite copies (line 7, 10 words)",)
    assert unique_sections(canonical, canonical) == ()


def test_render_groups_prints_canonical_members_and_evidence() -> None:
    docs = corpus(
        {
            "BACKUP_GUIDE.md": GUIDE_NEW,
            "BACKUP_GUIDE_OLD.md": GUIDE_OLD,
            "WEEK_1_STATUS.md": WEEK_1,
            "WEEK_2_STATUS.md": WEEK_2,
        }
    )
    out = io.StringIO()
    render_groups(find_groups(docs), Console(file=out, width=120, color_system=None))
    text = out.getvalue()
    assert "dup-backup-guide" in text and "keep BACKUP_GUIDE.md" in text
    assert "BACKUP_GUIDE_OLD.md" in text and "Tape archive" in text
    assert "WEEK_n_STATUS" in text


# ------------------------------------------------------------------------------------------ samples


def test_samples_planted_groups_found_with_intended_canonical(
    samples_repo: Path, samples_truth: dict[str, Any]
) -> None:
    from consolidator.analysis.scan import scan_repo

    groups = find_groups(scan_repo(samples_repo).documents)
    found = {frozenset(c.members): c.canonical for c in groups.duplicates}
    for planted in samples_truth["duplicate_groups"]:
        members = frozenset(planted["members"])
        assert members in found, f"missed {sorted(members)}; found {sorted(map(sorted, found))}"
        assert found[members] == planted["canonical"]
    assert len(found) == len(samples_truth["duplicate_groups"]), "a group nobody planted was reported"
    for series in samples_truth["series"]:
        for cluster in groups.duplicates:
            assert len(set(series) & set(cluster.members)) <= 1, f"series reported as duplicates: {cluster}"
    for topic in samples_truth["topic_not_duplicate"]:
        for cluster in groups.duplicates:
            assert len(set(topic) & set(cluster.members)) <= 1, f"topic reported as duplicates: {cluster}"
    series_members = {frozenset(c.members) for c in groups.series}
    for series in samples_truth["series"]:
        assert frozenset(series) in series_members


# ------------------------------------------------------------------------------------------ corpus


def _scorer() -> ModuleType:
    return load_tool("scripts", "score_groups")


def test_scorer_bcubed_and_pairwise_by_hand() -> None:
    scorer = _scorer()
    universe = ["a", "b", "c", "d"]
    truth = {"a": "g", "b": "g", "c": "g"}
    found = {"a": "x", "b": "x", "d": "x"}
    precision, recall, f1 = scorer.bcubed(universe, truth, found)
    # a, b: 2 of 3 in their found cluster are right; d: 1 of 3; c alone: 1 of 1
    assert precision == pytest.approx((2 / 3 + 2 / 3 + 1 + 1 / 3) / 4)
    assert recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert scorer.pairwise(universe, truth, found) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert scorer.bcubed(universe, {}, {}) == (1.0, 1.0, 1.0)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_duplicate_groups_score(corpus_clone: Path) -> None:
    from consolidator.analysis.scan import scan_repo

    scorer = _scorer()
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ibimina-2025-11-14.groups.tsv"
    if not shared.is_file():
        pytest.skip(f"labelled groups not found at {shared} (../shared is absent)")
    docs = scan_repo(corpus_clone).documents
    groups = find_groups(docs, topics=False)
    truth, _ = scorer.read_truth(shared)
    found = {m: c.id for c in groups.duplicates for m in c.members}
    universe = [d.path for d in docs if d.at_root]
    precision, recall, f1 = scorer.bcubed(universe, truth, found)
    assert precision >= 0.85, (precision, recall, f1)
    assert f1 >= 0.85, (precision, recall, f1)


def test_sparse_average_linkage_makes_the_dense_merges() -> None:
    # Random components with ties, unscored pairs and pairs below the floor: the sparse form (used
    # for components too large for a dense matrix) must find exactly the dense form's clusters.
    import random

    import numpy as np

    from consolidator.analysis.grouping import sparse_average_linkage

    values = (0.0, 0.2, 0.25, 0.3, 0.5, 0.5, 0.6, 0.75, 0.9, 1.0)
    for trial in range(400):
        rng = random.Random(trial)
        n = rng.randint(2, 12)
        density = rng.choice((0.3, 0.7, 1.0))
        pairs = {
            (a, b): rng.choice(values) for a in range(n) for b in range(a + 1, n) if rng.random() < density
        }
        matrix = np.zeros((n, n))
        for (a, b), v in pairs.items():
            matrix[a, b] = matrix[b, a] = v
        assert sparse_average_linkage(n, pairs, 0.5, 0.25) == average_linkage(n, matrix, 0.5, 0.25), trial


# Generated reference pages: one template (headings, a table, boilerplate sentences), a different
# symbol on each page. Made-up symbols.
_SYMBOLS = ["Frobnicate", "Defrobnicate", "Quux-Enable", "Quux-Disable", "Widget-Count", "Widget-Limit"]


def _reference_page(symbol: str) -> str:
    return f"""# {symbol} attribute
The {symbol} attribute of the gadget schema.
## Entry
| Entry | Value |
| Syntax | Integer |
| Update Privilege | Domain administrator |
| Is Single Valued | True |
| Is Indexed | False |
| In Global Catalog | False |
| Ldap Display Name | {symbol.lower()} |
## Implementations
- Gadget Server 2016 and later support this attribute.
- Gadget Server 2019 replicates it to every domain controller.
## Remarks
This attribute is read by the gadget service at start-up and cached until the next restart.
"""


def test_pages_of_one_template_about_different_symbols_are_not_duplicates() -> None:
    docs = corpus({f"reference/a-{s.lower()}.md": _reference_page(s) for s in _SYMBOLS})
    assert find_groups(docs).duplicates == ()
    # a real copy of one page, under another name, still is one
    copy = {"reference/a-frobnicate-copy.md": _reference_page("Frobnicate")}
    docs = corpus({**{f"reference/a-{s.lower()}.md": _reference_page(s) for s in _SYMBOLS}, **copy})
    assert member_sets(find_groups(docs)) == {
        frozenset({"reference/a-frobnicate.md", "reference/a-frobnicate-copy.md"})
    }


def test_one_page_in_the_trees_of_two_versions_is_not_a_duplicate() -> None:
    from consolidator.analysis.pairs import parallel_versions

    docs = corpus({"reference/5.1/Deploy.md": DEPLOY_GUIDE, "reference/7.4/Deploy.md": DEPLOY_GUIDE})
    assert find_groups(docs).duplicates == ()
    assert parallel_versions("ref/v1.0/a/x.md", "ref/v2.1/a/x.md")
    assert parallel_versions("api/v1/x.md", "api/v2/x.md")
    # years and plain numbers name periods and parts, not versions; nor does a different file name
    assert not parallel_versions("notes/2024/x.md", "notes/2025/x.md")
    assert not parallel_versions("ref/5.1/x.md", "ref/7.4/y.md")
    assert not parallel_versions("ref/5.1/x.md", "old/7.4/x.md")


# One command page and its translation: the examples are the same, the prose is not. Made-up tool.
_PAGE_EN = """# frob

> Compress and unpack frob archives.

- Create an archive from a folder:

`frob pack {{path/to/folder}} {{archive.frob}}`

- Unpack an archive into the current folder:

`frob unpack {{archive.frob}}`

- List the files an archive holds:

`frob list {{archive.frob}}`
"""
_PAGE_FR = """# frob

> Compresse et décompresse les archives frob.

- Créer une archive à partir d'un dossier :

`frob pack {{path/to/folder}} {{archive.frob}}`

- Décompresser une archive dans le dossier courant :

`frob unpack {{archive.frob}}`

- Lister les fichiers d'une archive :

`frob list {{archive.frob}}`
"""


def test_one_page_in_two_languages_is_not_a_duplicate() -> None:
    from consolidator.analysis.pairs import in_two_languages
    from consolidator.core.conventions import language_folder

    assert (
        find_groups(
            corpus({"pages/common/frob.md": _PAGE_EN, "pages.fr/common/frob.md": _PAGE_FR})
        ).duplicates
        == ()
    )
    # two language folders side by side, even holding the same text (an untranslated page)
    assert find_groups(corpus({"docs/de/frob.md": _PAGE_FR, "docs/ja/frob.md": _PAGE_FR})).duplicates == ()
    # the same pages outside language trees are one document
    assert find_groups(corpus({"a/frob.md": _PAGE_FR, "b/frob-copy.md": _PAGE_FR})).duplicates != ()
    assert in_two_languages(("docs", "en-us"), ("docs", "pt_BR"))
    # folders that are not languages, or languages of two trees, are not translations
    assert not in_two_languages(("docs", "guide"), ("docs", "api"))
    assert not in_two_languages(("pages.fr",), ("other.de",))
    assert language_folder("pages.zh_TW") == ("pages", "zh_TW")
    assert language_folder("src") is None and language_folder("ui") is None


def _alias_page(name: str) -> str:
    return f"""# {name}

> This command is an alias of `frob unpack`.

- View documentation for the original command:

`tldr frob unpack`
"""


def test_alias_stubs_for_two_names_are_not_duplicates() -> None:
    # two pages for two names of one command, each titled by its own file name: alike by design
    docs = corpus(
        {
            "pages/common/frob-x.md": _alias_page("frob x"),
            "pages/common/frob-extract.md": _alias_page("frob extract"),
        }
    )
    assert find_groups(docs).duplicates == ()
    # a stray copy whose title is not its own file name is still a copy
    docs = corpus(
        {
            "pages/common/frob-x.md": _alias_page("frob x"),
            "pages/common/frob-x-copy.md": _alias_page("frob x"),
        }
    )
    assert find_groups(docs).duplicates != ()
    # nor is a copy retitled after its new name, when the names differ only by a marker
    docs = corpus(
        {
            "pages/common/frob-x.md": _alias_page("frob x"),
            "pages/common/frob-x-copy.md": _alias_page("frob x copy"),
        }
    )
    assert find_groups(docs).duplicates != ()


def test_one_stub_body_under_two_declared_titles_is_not_a_duplicate() -> None:
    from dataclasses import replace

    stub = "# Method\nThis method is not implemented and returns E_NOTIMPL.\n"
    docs = corpus({"api/goback.md": stub, "api/goforward.md": stub})
    titled = [
        replace(d, title=d.path.rsplit("/", 1)[-1][:-3] + " method", title_source="front_matter")
        if d.path.startswith("api/")
        else d
        for d in docs
    ]
    assert find_groups(titled).duplicates == ()
    # the same copies without declared titles are exact duplicates, as before
    assert member_sets(find_groups(docs)) == {frozenset({"api/goback.md", "api/goforward.md"})}


def test_pairs_scored_by_forked_workers_score_as_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large repository's pairs are scored by forked workers (pairs.PARALLEL_PAIRS): same scores,
    same order."""
    from consolidator.analysis import pairs

    docs = _mixed_docs()
    index = pairs._Index(sorted(docs, key=lambda d: d.path), SimilarityConfig())
    every = [(i, j) for i in range(len(docs)) for j in range(i + 1, len(docs))]
    called: list[str] = []
    alone = pairs.score_pairs(index, every, workers=1, meanwhile=lambda: called.append("alone"))
    before = groups_to_dict(find_groups(docs))
    monkeypatch.setattr(pairs, "PARALLEL_PAIRS", 1)
    forked = pairs.score_pairs(index, every, workers=2, meanwhile=lambda: called.append("forked"))
    assert list(forked.items()) == list(alone.items())
    assert called == ["alone", "forked"]  # the work that needs no scores, once either way
    assert groups_to_dict(find_groups(docs)) == before


def _api_page(symbol: str, summary: str) -> str:
    # a generated reference page: the symbol's title, one line of its own, the template's sections
    return f"""# Gadget.{symbol.split("(")[0]}
## Description
{summary}
## Parameters
See the gadget parameter table for the accepted values and their defaults.
## Remarks
Every gadget call is queued and completes on the gadget's own dispatcher thread.
A call made while the gadget is closed fails with the gadget-closed error and changes nothing.
Calls from several threads are applied in the order the dispatcher receives them.
## Requirements
Minimum supported gadget runtime: version four. Declared in the gadget header and library.
"""


def test_pages_declaring_two_identifiers_are_not_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference set declares each page's identifier in front matter (`uid`, an API id): two overloads
    of one method, under one title and almost one text, are two pages. Made-up API."""
    from dataclasses import replace

    from consolidator.analysis import pairs

    pages = {
        f"api/gadget-member{k}.md": _api_page(f"Member{k}", f"Sets member number {k} of the gadget.")
        for k in range(60)
    }
    pages["api/gadget-open-1.md"] = _api_page(
        "Open", "Opens the gadget and returns its handle to the caller."
    )
    pages["api/gadget-open-2.md"] = _api_page(
        "Open(Mode)", "Opens the gadget in the given mode and returns its handle."
    )
    docs = corpus(pages)

    def declared(d: Document, uid: str | None = None) -> Document:
        if not d.path.startswith("api/"):
            return d
        name = d.path.rsplit("/", 1)[-1][:-3]
        return replace(d, front_matter=(("uid", uid or f"Gadget.{name}"),))

    overloads = frozenset({"api/gadget-open-1.md", "api/gadget-open-2.md"})
    assert overloads in member_sets(find_groups(docs))  # alike enough without the identifiers
    assert overloads not in member_sets(find_groups([declared(d) for d in docs]))
    # a copy keeps the identifier of the page it copies: still one page
    same = [declared(d, "Gadget.Open" if d.path in overloads else None) for d in docs]
    assert overloads in member_sets(find_groups(same))
    # a key a handful of pages carry, or whose values repeat or read as dates, identifies nothing
    ids = pairs.declared_identifiers([declared(d) for d in docs])
    assert ids[0] == {} and {"uid"} == set(ids[-1])
    assert pairs.declared_identifiers([declared(d) for d in docs[-40:]])[-1] == {}
    dated = [
        replace(d, front_matter=(("created", f"2025-01-{k % 28 + 1:02d}T{k:02d}:00"),))
        for k, d in enumerate(docs)
    ]
    assert not any(pairs.declared_identifiers(dated))
    monkeypatch.setattr(pairs, "IDENTIFIER_MIN_DOCS", 10_000)
    assert overloads in member_sets(find_groups([declared(d) for d in docs]))


def test_word_blocks_are_capped_on_a_large_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word shared by more names than the square root of the repository's size, or than
    pairs.BLOCK_CAP on a large one, makes no candidates: the candidates grow linearly, not with
    n * sqrt(n). Made-up names."""
    from consolidator.analysis import pairs

    names = {
        f"tools/zorblat-{w}.md": f"# How to {w} with zorblat\n\n{FILLER_LINE} {w}.\n" for w in _TOOL_WORDS
    }
    docs = sorted(corpus(names), key=lambda d: d.path)
    index = pairs._Index(docs, SimilarityConfig())
    members = {k for k, d in enumerate(docs) if d.path.startswith("tools/")}

    def zorblat_pairs() -> int:
        found = pairs.candidate_pairs(index, {})
        return sum(1 for a, b in found if a in members and b in members)

    assert zorblat_pairs() == len(members) * (len(members) - 1) // 2  # one rare word: every pair
    monkeypatch.setattr(pairs, "BLOCK_CAP", len(members) - 1)
    assert zorblat_pairs() == 0  # a block larger than the ceiling is no block


FILLER_LINE = "Runs the zorblat subcommand named"
_TOOL_WORDS = ["pack", "unpack", "verify", "mount", "prune", "rekey"]


def _glossary_page(letter: str, term: str) -> str:
    return f"""# {letter}
## Terms
Terms of the gadget glossary that begin with the letter {letter}, each with a short definition.
See the full gadget glossary for every term, and the gadget reference for the calls that use them.
- {term}: a part of the gadget named in the reference pages and in the error messages.
## See also
The gadget glossary index, the gadget reference and the gadget error messages.
Terms are added to the glossary when a reference page or an error message first uses them, and
removed once no page or message does.
"""


def test_declared_titles_apart_by_a_letter_or_a_number_are_two_subjects() -> None:
    """`B (Gadget glossary)` and `F (Gadget glossary)` declare two subjects though their longer words
    are the same. Made-up glossary."""
    from dataclasses import replace

    docs = corpus(
        {"glossary/b.md": _glossary_page("B", "Backplane"), "glossary/f.md": _glossary_page("F", "Faceplate")}
    )
    pair = frozenset({"glossary/b.md", "glossary/f.md"})
    assert pair in member_sets(find_groups(docs))  # alike enough with titles from their headings

    def titled(d: Document) -> Document:
        if not d.path.startswith("glossary/"):
            return d
        return replace(d, title=f"{d.path[9].upper()} (Gadget glossary)", title_source="front_matter")

    assert pair not in member_sets(find_groups([titled(d) for d in docs]))
    # the same declared title, whatever its case and punctuation, is one subject
    same = [
        replace(d, title="b  (GADGET glossary)", title_source="front_matter")
        if d.path == "glossary/f.md"
        else titled(d)
        for d in docs
    ]
    assert pair in member_sets(find_groups(same))


# ------------------------------------------------------------------------------ topics found elsewhere


def _subject_docs() -> list[Document]:
    """Pages on three made-up subjects, each page its own mix of its subject's words."""
    subjects = {
        "harbour": [
            "berth",
            "crane",
            "vessel",
            "quay",
            "pilot",
            "tug",
            "mooring",
            "cargo",
            "manifest",
            "tide",
        ],
        "orchard": [
            "graft",
            "pruning",
            "rootstock",
            "blossom",
            "cider",
            "pollination",
            "harvest",
            "ladder",
            "crate",
            "frost",
        ],
        "observatory": [
            "telescope",
            "mirror",
            "aperture",
            "eyepiece",
            "nebula",
            "parallax",
            "dome",
            "mount",
            "filter",
            "seeing",
        ],
    }
    rng = random.Random(11)
    docs = []
    for subject, words in subjects.items():
        for n in range(8):
            lines = [" ".join(rng.choice(words) for _ in range(14)) + "." for _ in range(6)]
            body = f"# {subject} note {n}\n\n" + "\n".join(lines) + "\n"
            docs.append(make_doc(f"{subject}/note-{n}.md", body, first_commit="2025-03-01"))
    return docs


def test_topics_found_in_a_forked_process_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import consolidator.analysis.similarity as similarity

    docs = _subject_docs()
    here = find_groups(docs)
    assert here.topics  # the case shows something
    monkeypatch.setattr(similarity, "TOPICS_FORK_FROM", 1)
    forks: list[int] = []
    real = similarity._fork_topics

    def counting(*args: Any) -> Any:
        forks.append(1)
        return real(*args)

    monkeypatch.setattr(similarity, "_fork_topics", counting)
    groups, later = similarity.start_groups(docs)
    assert forks == [1]
    assert groups.topics == ()
    assert later.result() == here.topics
    assert groups.duplicates == here.duplicates and groups.related == here.related
    # `find_groups` itself never forks
    assert find_groups(docs) == here and forks == [1]


def test_topics_are_found_here_when_the_forked_process_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import consolidator.analysis.similarity as similarity

    docs = _subject_docs()
    here = find_groups(docs).topics

    def failing() -> list[Any]:
        raise MemoryError("made up")

    monkeypatch.setattr(similarity, "TOPICS_FORK_FROM", 1)
    monkeypatch.setattr(similarity, "_forked_topics", failing)
    _, later = similarity.start_groups(docs)
    assert later.result() == here
    assert later.result() == here  # asked again: the same, without waiting on anything


def test_numbered_parts_are_chapters_of_one_set_not_a_series() -> None:
    from consolidator.analysis.folders import numbered_parts

    chapters = ["BRIEF_01-storage.md", "BRIEF_02-scheduler.md", "BRIEF_03-registry.md"]
    numbered = ["guide/01-intro.md", "guide/02-install.md", "guide/03-usage.md", "guide/04-faq.md"]
    others = [
        # ticket numbers far apart name tickets, not chapters
        "ticket_12_login.md",
        "ticket_40_export.md",
        "ticket_97_search.md",
        # a number after a sequence word is a place in time: a series (WEEK_n_...), not parts
        "PHASE_1_AUTH.md",
        "PHASE_2_BILLING.md",
        "PHASE_3_EXPORT.md",
        # two parts are not a set, nor are names that repeat one subject
        "NOTE_1-cache.md",
        "NOTE_2-cache.md",
        "NOTE_3-cache.md",
        # a dated name is a record of its day
        "LOG_2025-01-02-a.md",
    ]
    found = numbered_parts([*chapters, *numbered, *others, "ops/BRIEF_04-billing.md"])
    assert [(p.label, p.words, p.members) for p in found] == [
        ("BRIEF_<n>-*", ("brief",), tuple(chapters)),
        ("guide/<n>-*", (), tuple(numbered)),
    ]
