from __future__ import annotations

from consolidator.core.models import Cluster, Decision, Reason
from consolidator.report import deciding_reasons, duplicate_rows


def _entry(action: str, reasons: tuple[Reason, ...]) -> Decision:
    return Decision("X.md", action, None, None, None, reasons, 0.4, "0" * 40)


# Records, as the plan builds them: the report reads tag and weight, it never parses the text.
REASONS = (
    Reason("WARNING: holds 1 credential(s): API key at line 3; remove and rotate them", "warning"),
    Reason("history: archived under docs/archive/2025-03/"),
    Reason("file name says it is a guide", "name-guide", -1.5),
    Reason("most documents at this root lean toward records of past work", "root-prior", 1.6),
    Reason("stamped with a date like a report (Date)", "dated", 1.5),
    Reason("headings of a guide (prerequisites, setup)", "headings-guide", -1.0),
)


def test_deciding_reasons_name_the_action_the_evidence_for_and_against() -> None:
    # the warning is left out, the document's own evidence outranks the repository's base rate
    assert deciding_reasons(_entry("archive", REASONS)) == [
        "history: archived under docs/archive/2025-03/",
        "stamped with a date like a report (Date) [dated +1.5]",
        "against: file name says it is a guide [name-guide -1.5]",
    ]


def test_deciding_reasons_for_a_live_document_read_the_other_way() -> None:
    reasons = (Reason("living documentation: moves to docs/guides/"), *REASONS[2:])
    assert deciding_reasons(_entry("move", reasons)) == [
        "living documentation: moves to docs/guides/",
        "file name says it is a guide [name-guide -1.5]",
        "against: stamped with a date like a report (Date) [dated +1.5]",
    ]


def test_duplicate_groups_are_shown_as_the_plan_decided_them() -> None:
    # The analysis chose a completion report as the group's canonical; the plan turned the group round
    # to the live guide (the report and its copy point there) and kept a design page apart.
    group = Cluster(
        "dup-widget",
        "duplicate",
        ("WIDGET_COPY.md", "WIDGET_DESIGN.md", "WIDGET_DONE.md", "WIDGET_GUIDE.md"),
        canonical="WIDGET_DONE.md",
    )
    entries = [
        Decision("WIDGET_COPY.md", "merge", None, None, "WIDGET_GUIDE.md", (), 0.9, "0" * 40),
        Decision("WIDGET_DESIGN.md", "move", None, "architecture", None, (), 0.6, "0" * 40),
        Decision("WIDGET_DONE.md", "merge", None, None, "WIDGET_GUIDE.md", (), 0.9, "0" * 40),
        Decision("WIDGET_GUIDE.md", "move", None, "guides", None, (), 0.8, "0" * 40),
    ]
    assert duplicate_rows([group], entries) == [
        ("WIDGET_GUIDE.md", "WIDGET_COPY.md, WIDGET_DONE.md; not folded: WIDGET_DESIGN.md")
    ]
    # A group whose canonical is itself history and folds nothing says so.
    archived = [Decision("WIDGET_DONE.md", "archive", None, None, None, (), 0.9, "0" * 40)]
    lone = Cluster("dup-w", "duplicate", ("WIDGET_DONE.md", "WIDGET_GUIDE.md"), canonical="WIDGET_DONE.md")
    assert duplicate_rows([lone], archived) == [
        ("WIDGET_DONE.md (archived: history itself)", "not folded: WIDGET_GUIDE.md")
    ]
