"""Time `plan` on a generated well-kept documentation tree, and on the shared corpus when it is there.

    python benchmarks/plan_bench.py [--pages 10000] [--corpus PATH_TO_CLONE] [--cli-runs 3] [--keep DIR]

The generated tree is what a tidy documentation repository looks like: a README and the usual root
files, docs/ with sections, an index per section, guides, and a large reference of templated pages
(one per API endpoint, CLI command or configuration option) that share most of their wording but each
document something different. On such a repository the plan should propose almost nothing (at most 1%
of files move) and call none of the templated pages duplicates.

With --corpus, the corpus is also timed the way `consolidate plan` runs it, cold: the command itself
(a fresh interpreter, imports included) with its parse cache removed first, several times (median).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups
from consolidator.core.config import Config
from consolidator.core.gitio import git_dir
from consolidator.decide.plan import build_plan, find_document_groups
from consolidator.decide.planfile import dump_plan

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


def time_plan(root: Path, label: str, with_groups: bool = True) -> None:
    config = Config()
    start = time.perf_counter()
    inventory = scan_repo(root, config=config, use_cache=False)
    scanned = time.perf_counter()
    groups = find_document_groups(inventory.documents, config) if with_groups else Groups((), (), ())
    grouped = time.perf_counter()
    plan = build_plan(inventory, config, groups)
    planned = time.perf_counter()
    dump_plan(plan)
    done = time.perf_counter()
    moves = plan.moves()
    duplicates = [c for c in plan.clusters if c.kind == "duplicate"]
    n = len(inventory.documents)
    print(
        f"{label}: {n} documents; scan {scanned - start:.2f} s, groups {grouped - scanned:.2f} s"
        f"{'' if with_groups else ' (skipped)'}, classify + plan {planned - grouped:.2f} s, "
        f"plan file {done - planned:.2f} s (total {done - start:.2f} s)"
    )
    print(
        f"  moves proposed: {len(moves)} ({100 * len(moves) / max(n, 1):.2f}%), duplicate groups: "
        f"{len(duplicates)}"
    )
    for source, dest in sorted(moves.items())[:10]:
        print(f"    {source} -> {dest}")


def time_cli(repo: Path, runs: int) -> None:
    """`consolidate plan` end to end with a cold parse cache, as a user runs it: imports, the parallel
    parse, groups, classification and the plan file."""
    cache = git_dir(repo)
    walls = []
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as out:
        command = [sys.executable, "-c", "from consolidator.cli import main; main()", "plan", str(repo)]
        command += ["--output", str(Path(out) / "plan.yaml"), "--quiet"]
        for _ in range(runs):
            if cache is not None:
                shutil.rmtree(cache / "consolidate", ignore_errors=True)
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - start)
    shown = ", ".join(f"{w:.2f}" for w in walls)
    print(f"consolidate plan, cold parse cache: median {statistics.median(walls):.2f} s ({shown})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, help="a clone of the shared corpus to time as well")
    parser.add_argument("--keep", type=Path, help="write the generated tree here and keep it")
    parser.add_argument("--no-groups", action="store_true", help="time the plan without similarity groups")
    parser.add_argument("--cli-runs", type=int, default=3, help="cold runs of the command on the corpus")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="plan-bench-"))
    try:
        made = make_docs_tree(root, args.pages)
        print(f"generated {made} pages in {root}")
        time_plan(root, "well-kept tree", not args.no_groups)
        if args.corpus:
            time_plan(args.corpus, "corpus", not args.no_groups)
            if args.cli_runs > 0:
                time_cli(args.corpus, args.cli_runs)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
