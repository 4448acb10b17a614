"""A generated well-kept documentation tree: what a tidy repository looks like, with a large reference of
templated pages (one per API endpoint) that share most of their wording but each document something
different. On such a tree the plan should propose almost nothing and call none of them duplicates.
"""

from __future__ import annotations

import random
from pathlib import Path

SECTIONS = ("getting-started", "guides", "reference", "architecture", "operations", "development")
RESOURCES = (
    "account",
    "invoice",
    "payment",
    "refund",
    "customer",
    "order",
    "shipment",
    "webhook",
    "token",
    "report",
    "subscription",
    "plan",
    "coupon",
    "tax",
    "ledger",
    "payout",
    "dispute",
    "balance",
    "product",
    "price",
)
VERBS = ("list", "get", "create", "update", "delete", "search", "export", "import", "archive", "restore")
FIELDS = (
    "id",
    "name",
    "status",
    "created",
    "amount",
    "currency",
    "owner",
    "region",
    "limit",
    "cursor",
    "metadata",
    "description",
    "email",
    "phone",
    "country",
    "timezone",
    "locale",
    "version",
)

REFERENCE_PAGE = """# {verb_title} {resource}

`{method} /v1/{resource}s{suffix}` {verb}s {article} {resource} record.

## Parameters

| Name | Type | Description |
|------|------|-------------|
{rows}

## Response

Returns the {resource} object. Fields that are not set are omitted from the response.

## Errors

| Code | Meaning |
|------|---------|
| 400 | A parameter is missing or malformed |
| 404 | No {resource} with this identifier |
| 429 | Too many requests; retry after the time in `Retry-After` |

## Example

```bash
curl -X {method} https://api.example.com/v1/{resource}s{suffix} -H "Authorization: Bearer $TOKEN"
```

See also: [{resource} guide](../../guides/{resource}.md).
"""

GUIDE_PAGE = """# Working with {resource}s

This guide explains how to manage {resource}s: creating them, reading them back and keeping them in step
with your own records. It assumes you have finished [installation](../getting-started/install.md).

## Prerequisites

- An API token with the `{resource}:write` scope.
- {detail}

## Creating a {resource}

Send the fields you know; the service fills in the rest. Keep the identifier it returns: every later call
needs it. {extra}

## Keeping records in step

Subscribe to the `{resource}.updated` webhook rather than polling. Each event carries the full object.

## Troubleshooting

If a call returns 429, wait for the time in `Retry-After`. If it returns 404, check the identifier.
"""

WORDS = (
    "batch",
    "window",
    "retry",
    "cache",
    "quota",
    "shard",
    "replica",
    "cursor",
    "tenant",
    "region",
    "audit",
    "schema",
    "index",
    "backfill",
    "rollover",
    "snapshot",
    "export",
    "import",
    "migration",
    "failover",
    "latency",
    "budget",
    "alert",
    "dashboard",
    "runbook",
    "queue",
    "worker",
    "scheduler",
    "timeout",
    "lease",
)


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_docs_tree(root: Path, pages: int = 10_000, seed: int = 7) -> int:
    """Write a tidy documentation repository of about `pages` Markdown files; returns how many."""
    rng = random.Random(seed)
    files: dict[str, str] = {
        "README.md": "# Example service\n\nStart at [the documentation](docs/index.md).\n",
        "CONTRIBUTING.md": "# Contributing\n\nOpen a pull request against main.\n",
        "CHANGELOG.md": "# Changelog\n\n## 2.0.0\n\n- New API version.\n",
        "SECURITY.md": "# Security policy\n\nReport issues to security@example.com.\n",
        "docs/index.md": "# Documentation\n\n" + "".join(f"- [{s}]({s}/index.md)\n" for s in SECTIONS),
        "docs/getting-started/install.md": "# Installation\n\nInstall the client with pip.\n\n"
        "## Requirements\n\nPython 3.11.\n",
    }
    for section in SECTIONS:
        files[f"docs/{section}/index.md"] = (
            f"# {section.replace('-', ' ').title()}\n\nPages of this section.\n"
        )
    # Guides and narrative pages: distinct prose per page.
    narrative = max(pages // 10, len(RESOURCES))
    for i in range(narrative):
        section = SECTIONS[i % len(SECTIONS)] if i >= len(RESOURCES) else "guides"
        resource = RESOURCES[i % len(RESOURCES)]
        name = resource if i < len(RESOURCES) else f"{resource}-{rng.choice(WORDS)}-{i}"
        files[f"docs/{section}/{name}.md"] = GUIDE_PAGE.format(
            resource=resource if i < len(RESOURCES) else name.replace("-", " "),
            detail=_sentence(rng),
            extra=" ".join(_sentence(rng) for _ in range(3)),
        )
    # Templated reference pages: one per endpoint, same skeleton, different content.
    count = len(files)
    i = 0
    while count < pages:
        resource = RESOURCES[i % len(RESOURCES)]
        verb = VERBS[(i // len(RESOURCES)) % len(VERBS)]
        variant = i // (len(RESOURCES) * len(VERBS))
        fields = rng.sample(FIELDS, 5)
        rows = "\n".join(f"| `{f}` | string | The {resource}'s {f}. {_sentence(rng, 6)} |" for f in fields)
        path = f"docs/reference/api/{resource}/{verb}-{variant}.md"
        files[path] = REFERENCE_PAGE.format(
            verb=verb,
            verb_title=verb.title(),
            resource=resource,
            article="an" if resource[0] in "aeiou" else "a",
            method="GET" if verb in ("list", "get", "search", "export") else "POST",
            suffix="" if verb in ("list", "create") else f"/{{id}}/{verb}-{variant}",
            rows=rows,
        )
        count += 1
        i += 1
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return len(files)
