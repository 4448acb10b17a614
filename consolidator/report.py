"""Turning results into JSON-ready data and into text that is safe to show."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.markup import escape

from .models import Document, Inventory


def safe(text: str) -> str:
    """Document-controlled text for the terminal: no control sequences, no rich markup."""
    from .sanitize import strip_control

    return escape(strip_control(text))


def document_to_dict(doc: Document) -> dict[str, Any]:
    data = asdict(doc)
    data.pop("text")
    data.pop("sections")
    data["at_root"] = doc.at_root
    data["front_matter"] = dict(doc.front_matter)
    data["dates"] = {
        "facts": [asdict(f) for f in doc.dates.facts],
        "content": doc.dates.content,
        "first_commit": doc.dates.first_commit,
        "last_commit": doc.dates.last_commit,
    }
    data["sections"] = [s.heading for s in doc.sections if s.heading]
    return data


def inventory_to_dict(inventory: Inventory) -> dict[str, Any]:
    docs = inventory.documents
    relative = [link for d in docs for link in d.links if link.relative or link.outside_repo]
    return {
        "tool": "consolidator",
        "root": inventory.root,
        "git": inventory.git,
        "head": inventory.head,
        "summary": {
            "documents": len(docs),
            "root_documents": sum(d.at_root for d in docs),
            "links": sum(len(d.links) for d in docs),
            "relative_links": len(relative),
            "broken_links": sum(1 for link in relative if link.broken or link.outside_repo),
            "external_links": sum(1 for d in docs for link in d.links if link.external),
        },
        "warnings": list(inventory.warnings),
        "documents": [document_to_dict(d) for d in docs],
    }
