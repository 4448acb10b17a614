from __future__ import annotations

import pytest

from consolidator.analysis.names import parse_name, split_words, stem, version_rank


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("WEEK_1_QuickStart-v2.md", ["week", "1", "quick", "start", "v2"]),
        ("SecurityReview.md", ["security", "review"]),
        ("docs/guides/deployment-guide.markdown", ["deployment", "guide"]),
        ("Meeting Notes 2025-02.md", ["meeting", "notes", "2025", "02"]),
        ("APIReference.md", ["api", "reference"]),
    ],
)
def test_split_words(name: str, words: list[str]) -> None:
    assert split_words(name) == words


def test_stem_drops_folder_and_markdown_extension_only() -> None:
    assert stem("a/b/NOTES.v2.md") == "NOTES.v2"
    assert stem("README") == "README"


@pytest.mark.parametrize(
    ("names", "base"),
    [
        (
            [
                "DEPLOYMENT_GUIDE.md",
                "DEPLOYMENT_GUIDE_OLD.md",
                "deployment-guide-v2.md",
                "DeploymentGuide2025.md",
            ],
            ("deployment", "guide"),
        ),
        (
            [
                "PRODUCTION_AUDIT_REPORT_2025.md",
                "production-audit-report.md",
                "PRODUCTION_AUDIT_REPORT_FINAL.md",
            ],
            ("production", "audit", "report"),
        ),
        (
            ["audit-report.md", "Audit Report.md", "AUDIT_REPORT_20250214.md", "audit_report_2025-02-14.md"],
            ("audit", "report"),
        ),
        (
            ["WEEK_1_QUICK_START_CARD_V2.md", "WEEK_1_QUICK_START_CARD.md", "week1-quick-start-card-new.md"],
            ("week", "1", "quick", "start", "card"),
        ),
    ],
)
def test_variants_share_a_base_name(names: list[str], base: tuple[str, ...]) -> None:
    assert {parse_name(n).base for n in names} == {base}


def test_version_markers_are_kept_as_features() -> None:
    parts = parse_name("WEEK_1_QUICK_START_CARD_V2.md")
    assert parts.markers == ("v2",)
    assert parse_name("DEPLOYMENT_GUIDE_OLD.md").markers == ("old",)
    assert parse_name("PRODUCTION_AUDIT_REPORT_2025.md").markers == ("2025",)
    assert parse_name("report_2025-11-04.md").markers == ("2025-11-04",)
    assert parse_name("SESSION_SUMMARY_2025_02_20.md").day_markers == ("2025-02-20",)
    assert parse_name("AUDIT_REPORT_20250214.md").day_markers == ("20250214",)
    assert parse_name("PRODUCTION_AUDIT_REPORT_2025.md").day_markers == ()


def test_stale_and_fresh_markers_rank_versions() -> None:
    assert version_rank(parse_name("DEPLOYMENT_GUIDE_OLD.md")) == -1
    assert version_rank(parse_name("guide.backup.md")) == -1
    assert version_rank(parse_name("FINAL_EXECUTIVE_SUMMARY.md")) == 1
    assert version_rank(parse_name("ROADMAP_V2.md")) == 1
    assert version_rank(parse_name("ROADMAP.md")) == 0


@pytest.mark.parametrize(
    ("name", "template", "numbers"),
    [
        ("WEEK_2_STATUS.md", "WEEK_n_STATUS", (2,)),
        ("week2-status.md", "WEEK_n_STATUS", (2,)),
        ("PHASE_3_COMPLETE.md", "PHASE_n_COMPLETE", (3,)),
        ("DAY_1_2_API_SCAFFOLD.md", "DAY_n_n_API_SCAFFOLD", (1, 2)),
        ("Sprint-4-Review.md", "SPRINT_n_REVIEW", (4,)),
        ("ROADMAP_V2.md", "", ()),
        ("PR731_HOTFIX.md", "", ()),
        ("2025-11-04-notes.md", "", ()),
    ],
)
def test_series_template(name: str, template: str, numbers: tuple[int, ...]) -> None:
    parts = parse_name(name)
    assert parts.template == template
    assert parts.numbers == numbers


def test_series_key_groups_templates_by_their_sequence_word() -> None:
    assert parse_name("WEEK_1_STATUS.md").series_key == parse_name("WEEK_3_REPORT.md").series_key == "WEEK_n"
    assert parse_name("DAY_1_2_NOTES.md").series_key == "DAY_n"
    assert parse_name("GUIDE.md").series_key == ""


def test_compact_base_joins_words() -> None:
    assert parse_name("QUICKSTART.md").compact == parse_name("quick-start.md").compact == "quickstart"
