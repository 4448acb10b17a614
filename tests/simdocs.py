"""A small factory of `Document`s for the similarity and graph tests (no parsing, no git)."""

from __future__ import annotations

import re

from consolidator.core.models import DateFact, Dates, Document, Heading, Link, Section

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", text.lower()).replace(" ", "-")


def make_doc(
    path: str,
    body: str,
    *,
    links: tuple[str, ...] = (),
    first_commit: str | None = None,
    last_commit: str | None = None,
    stated: str | None = None,
) -> Document:
    """`body` is Markdown with ATX headings and prose only; `links` are repository paths it links to."""
    headings: list[Heading] = []
    sections: list[Section] = []
    current: tuple[str, int, int] = ("", 0, 1)
    lines: list[str] = []
    prose: list[str] = []
    for number, line in enumerate(body.strip("\n").splitlines(), start=1):
        match = _HEADING.match(line)
        if match:
            if current[0] or any(x.strip() for x in lines):
                sections.append(Section(current[0], current[1], "\n".join(lines).strip(), current[2]))
            text = match.group(2).strip()
            headings.append(Heading(len(match.group(1)), text, number, _slug(text), _slug(text)))
            current, lines = (text, len(match.group(1)), number), []
        else:
            lines.append(line)
            if line.strip():
                prose.append(line)
    if current[0] or any(x.strip() for x in lines):
        sections.append(Section(current[0], current[1], "\n".join(lines).strip(), current[2]))
    facts = []
    if stated:
        facts.append(DateFact("text", "Date", stated, 1))
    if first_commit:
        facts.append(DateFact("first_commit", "first commit", first_commit))
    if last_commit or first_commit:
        facts.append(DateFact("last_commit", "last commit", last_commit or first_commit or ""))
    title = next((h.text for h in headings if h.level == 1), path.rsplit("/", 1)[-1])
    text = "\n".join(prose)
    return Document(
        path=path,
        title=title,
        title_source="h1",
        headings=tuple(headings),
        links=tuple(Link(target=t, kind="inline", line=1, path=t, exists=True) for t in links),
        dates=Dates(tuple(facts)),
        words=len(text.split()),
        size=len(body.encode()),
        lines=body.count("\n") + 1,
        blob=f"blob-{path}",
        text=text,
        sections=tuple(sections),
    )


# Unrelated documents, so that term weights behave as they do in a real repository.
FILLER = {
    "CODE_STYLE.md": """# Code style
## Formatting
Indent with four spaces, keep lines under one hundred characters and let the formatter decide quotes.
## Naming
Functions are verbs, classes are nouns, constants are upper case with underscores between words.
## Imports
Group standard library imports first, then third party packages, then local modules, each sorted.
""",
    "GLOSSARY.md": """# Glossary
## Berth
A stretch of quay where one vessel moors while cranes load and unload its containers.
## Crane split
How many quay cranes work one vessel at the same time, and in which bays they start.
## Window
The agreed arrival slot of a liner service, negotiated every season with the carrier.
""",
    "ONBOARDING.md": """# Onboarding
## First day
Collect your badge at reception, meet your mentor, and set up the laptop with the provisioning script.
## First week
Pair with a colleague on a small ticket, read the architecture overview, and join the weekly demo.
## Accounts
Request access to the issue tracker, the chat workspace and the shared calendar from the team lead.
""",
    "BILLING.md": """# Billing
## Invoices
Invoices are generated on the first of every month from the usage ledger and emailed as PDF files.
## Refunds
Refunds go back to the original card within ten business days; partial refunds need two approvals.
## Taxes
Sales tax is computed from the billing address with the rates table updated every quarter.
""",
    "ACCESSIBILITY.md": """# Accessibility
## Keyboard
Every control is reachable with the tab key and shows a visible focus ring in both colour themes.
## Screen readers
Images carry alternative text, and live regions announce saved changes and validation errors.
## Contrast
Text meets a contrast ratio of four and a half to one against its background everywhere.
""",
    "DATA_RETENTION.md": """# Data retention
## Logs
Application logs are kept thirty days in hot storage and one year in the compressed archive bucket.
## Personal data
Customer records are deleted ninety days after account closure unless a legal hold applies.
## Backups
Nightly snapshots are retained for five weeks and restored monthly in a drill to prove they work.
""",
}
