"""The `consolidate` command: a thin layer of options and output over the library."""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from . import __version__
from .analysis.cache import Kept
from .analysis.scan import Listing, PerDocument, check_repo, list_documents, scan_repo
from .core.config import Config, load_config
from .core.errors import ConsolidatorError
from .core.models import Dates, Document, Inventory, Plan, Reason, Secret
from .report import inventory_to_dict, safe
from .security.sanitize import strip_control_keep_lines

F = TypeVar("F", bound=Callable[..., Any])

REPO_ARG = click.argument(
    "repo", required=False, default=".", type=click.Path(path_type=Path, file_okay=True, dir_okay=True)
)


# Piped or redirected output has no width: rich would assume 80 columns and cut every longer
# line. Tables and trees are laid out to their content instead (they never expand to the width).
_UNBOUNDED = 1_000_000


def _out() -> Console:
    # soft_wrap: one finding or move per line, however long, so tools and people can grep it.
    # emoji=False: rich would turn `:100:` or `:1234:` in "FILE.md:100: ..." (a path and its line
    # number, which every finding and mention is printed as) into an emoji.
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    if not console.is_terminal:
        console.width = _UNBOUNDED
    return console


def _err() -> Console:
    console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    if not console.is_terminal:
        console.width = _UNBOUNDED
    return console


def _rule(console: Console, title: str) -> None:
    """A section rule: the terminal's width, or a short one when the width is unbounded."""
    console.print(Rule(title), width=min(console.width, 100))


def wrap_words(line: str, width: int, first: int = 0) -> list[str]:
    """`line` wrapped at spaces to `width` cells (`first` cells are taken on the first line).

    A word is never cut: a path or identifier longer than the width stays whole on a line of
    its own, where the terminal shows it folded but a copy gets it back in one piece. Wrapped
    lines keep the line's indent (plus two cells under a `- ` list item)."""
    stripped = line.lstrip(" ")
    indent = line[: len(line) - len(stripped)]
    hang = indent + ("  " if stripped.startswith("- ") else "")
    out: list[str] = []
    current = indent
    budget = width - first
    gap = ""
    for token in re.findall(r"\S+|\s+", stripped):
        if token.isspace():
            gap = token
            continue
        if current.strip() and cell_len(current + gap + token) > budget:
            out.append(current)
            current, budget = hang + token, width
        else:
            current += gap + token
        gap = ""
    out.append(current)
    return out


def tell(label: str, message: str, console: Console | None = None) -> None:
    """One message on stderr: `label` (rich markup, e.g. "[red]error:[/]"), then `message`.

    The message's lines stay lines (only terminal escapes and control characters are removed).
    On a terminal they wrap between words at its width; elsewhere they are plain and unwrapped."""
    console = console or _err()
    head = Text.from_markup(label + " ") if label else Text()
    lines = strip_control_keep_lines(message).split("\n")
    if console.is_terminal:
        width = max(console.width, 20)
        wrapped: list[str] = []
        for i, line in enumerate(lines):
            wrapped += wrap_words(line, width, head.cell_len if i == 0 else 0)
        lines = wrapped
    console.print(head + Text("\n".join(lines)), soft_wrap=True)


class _Group(click.Group):
    """Turns every ConsolidatorError into a message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConsolidatorError as exc:
            tell("[bold red]error:[/]", str(exc))
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            tell("", "interrupted")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            # A bug, not bad input: still no traceback unless asked for.
            if os.environ.get("CONSOLIDATE_DEBUG"):
                raise
            tell(
                "[bold red]internal error:[/]",
                f"{type(exc).__name__}: {exc}\n"
                "Set CONSOLIDATE_DEBUG=1 to see the traceback, and please report it.",
            )
            sys.exit(70)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consolidate")
def main() -> None:
    """Consolidate sprawling Markdown documentation into a docs/ tree and an MkDocs site.

    The usual sequence: `consolidate plan`, review or edit `.consolidate/plan.yaml`,
    `consolidate apply`, then `consolidate site` and `consolidate build`.
    """


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, only for a person watching a terminal."""
    console = _err()
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _import_planning() -> None:
    # scikit-learn, SciPy and networkx take well over a second to import; the scan's worker
    # processes keep the parse going meanwhile.
    importlib.import_module(".decide.plan", __package__)
    importlib.import_module("networkx")


def _reason_records(the_plan: Plan) -> dict[str, list[list[Any]]]:
    """The reasons behind each decision as records (text, tag, weight), kept beside a cached plan:
    the plan file holds their rendered text only, and the summary ranks them by weight."""
    return {e.source: [[r.text, r.tag, r.weight] for r in e.reasons] for e in the_plan.entries}


def _with_reason_records(the_plan: Plan, stored: Any) -> Plan:
    """`the_plan` (read back from its file) with the records `_reason_records` kept; a decision whose
    reasons no longer render to what the file says keeps the file's text."""
    if not isinstance(stored, dict):
        return the_plan
    entries = []
    for entry in the_plan.entries:
        records = stored.get(entry.source)
        try:
            reasons = tuple(Reason(str(text), str(tag), weight) for text, tag, weight in records or ())
        except (TypeError, ValueError):
            reasons = ()
        same = len(reasons) == len(entry.reasons) and all(
            str(a) == str(b) for a, b in zip(reasons, entry.reasons, strict=True)
        )
        entries.append(replace(entry, reasons=reasons) if same else entry)
    return replace(the_plan, entries=tuple(entries))


def _leaking(result: dict[str, Any]) -> tuple[Document, ...]:
    """Stand-ins for the documents a cached plan's summary lists as holding credentials: their
    path and masked findings, all the summary reads of them."""
    return tuple(
        Document(
            path=item["path"],
            title="",
            title_source="file_name",
            headings=(),
            links=(),
            dates=Dates(()),
            words=0,
            size=0,
            lines=0,
            blob="",
            secrets=tuple(Secret(*fields) for fields in item["secrets"]),
        )
        for item in result.get("leaking", [])
    )


# Full collections of the garbage collector after this many collections of its middle generation,
# instead of Python's 10: see `_rare_full_collections`.
FULL_COLLECTION_AFTER = 1000


@contextmanager
def _rare_full_collections() -> Iterator[None]:
    """A plan makes millions of objects that live until it ends (every parse, the inventory, the
    similarity index) and almost no cyclic garbage. Each full collection walks all of them to free
    nothing; Python makes one every time the heap grows by a quarter: on a repository of 40,000 pages,
    fifteen passes and about a tenth of the plan's CPU time. The young generations are still collected
    as usual (where short-lived cycles die); the workers forked to parse inherit the setting. Python's
    own setting is back afterwards (the command may run inside a longer process, such as tests)."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], FULL_COLLECTION_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _config(repo: Path, config_file: Path | None) -> Config:
    return load_config(check_repo(repo), config_file)


def _scan(
    repo: Path,
    config: Config,
    quiet: bool,
    while_parsing: Callable[[], object] | None = None,
    per_document: PerDocument | None = None,
    listing: Listing | None = None,
    kept: Kept | None = None,
) -> Inventory:
    with _progress(quiet, "Reading documents") as progress:
        inventory = scan_repo(
            repo,
            config=config,
            progress=progress,
            while_parsing=while_parsing,
            per_document=per_document,
            listing=listing,
            kept=kept,
        )
    if not quiet:
        for warning in inventory.warnings:
            tell("[yellow]warning:[/]", warning)
    return inventory


CONFIG_OPT = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: consolidate.toml or [tool.consolidate] in pyproject.toml).",
)
QUIET_OPT = click.option("-q", "--quiet", is_flag=True, help="No progress bar or warnings on stderr.")
JSON_OPT = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")


@main.command()
@REPO_ARG
@JSON_OPT
@QUIET_OPT
@CONFIG_OPT
def scan(repo: Path, as_json: bool, quiet: bool, config_file: Path | None) -> None:
    """Inventory every Markdown file of REPO: titles, headings, links, dates."""
    inventory = _scan(repo, _config(repo, config_file), quiet)
    if as_json:
        click.echo(json.dumps(inventory_to_dict(inventory), indent=2, ensure_ascii=False))
        return
    print_inventory(_out(), inventory)


def print_inventory(console: Console, inventory: Inventory) -> None:
    docs = inventory.documents
    links = [link for d in docs for link in d.links]
    relative = [link for link in links if link.relative or link.outside_repo]
    broken = [link for link in relative if link.broken or link.outside_repo]
    summary = Table(title=f"Markdown in {safe(Path(inventory.root).name)}", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    summary.add_row("documents", str(len(docs)))
    summary.add_row("at the repository root", str(sum(d.at_root for d in docs)))
    summary.add_row("words", f"{sum(d.words for d in docs):,}")
    summary.add_row("relative links", str(len(relative)))
    summary.add_row("  resolved", str(len(relative) - len(broken)))
    summary.add_row("  broken (file or anchor missing)", str(len(broken)))
    summary.add_row("external links (not fetched)", str(sum(link.external for link in links)))
    summary.add_row("history from git", "yes" if inventory.git else "no")
    console.print(summary)

    largest = Table(title="Largest documents")
    for col in ("document", "words", "KiB"):
        largest.add_column(col, justify="right" if col != "document" else "left")
    for d in sorted(docs, key=lambda d: (-d.size, d.path))[:5]:
        largest.add_row(safe(d.path), f"{d.words:,}", f"{d.size / 1024:.1f}")
    console.print(largest)

    dated = [d for d in docs if d.dates.oldest]
    oldest = Table(title="Oldest documents")
    oldest.add_column("document")
    oldest.add_column("date")
    for d in sorted(dated, key=lambda d: (d.dates.oldest or "", d.path))[:5]:
        oldest.add_row(safe(d.path), d.dates.oldest or "")
    console.print(oldest)
    if broken:
        console.print(f"{len(broken)} broken links; `consolidate scan --json` lists them.")


@main.command()
@click.option("--keep", "keep_dir", type=click.Path(path_type=Path, file_okay=False), help="Where to copy.")
@click.option("--serve", "serve_after", is_flag=True, help="Serve the built site afterwards.")
@QUIET_OPT
def demo(keep_dir: Path | None, serve_after: bool, quiet: bool) -> None:
    """Run the whole job on a temporary git copy of the bundled sample repository.

    Scan, plan, apply (two commits), generate the site and build it strictly, then say where to
    browse the result.
    """
    from .apply.apply import apply_plan
    from .decide.plan import plan_repository
    from .decide.planfile import DEFAULT_PLAN, write_plan
    from .demo import make_sample_repo
    from .report import print_apply_result, print_build_result, print_plan_summary
    from .site.build import build_site, generate_site, load_applied_plan, serve_url

    out = _out()
    target = make_sample_repo(keep_dir)
    _rule(out, "1. scan")
    config = load_config(target)
    inventory = _scan(target, config, quiet)
    print_inventory(out, inventory)
    _rule(out, "2. plan")
    the_plan = plan_repository(inventory, config)
    write_plan(the_plan, target / DEFAULT_PLAN)
    print_plan_summary(out, the_plan, inventory)
    _rule(out, "3. apply")
    print_apply_result(out, apply_plan(target))
    _rule(out, "4. site")
    generate_site(target, config=config, plan=load_applied_plan(target))
    result = build_site(target, strict=True)
    print_build_result(out, result)
    _rule(out, "done")
    out.print(f"Consolidated sample repository: {safe(str(target))} (see `git log` there)")
    out.print(f"Site built into {safe(str(result.site_dir))}")
    out.print(f"Browse it with: consolidate serve {safe(str(target))}   (or rerun the demo with --serve)")
    if serve_after:
        _serve(target, "127.0.0.1:8000", serve_url(target))


def run() -> None:  # pragma: no cover - console entry point alias
    main()


# ---------------------------------------------------------------- analysis and planning


@main.command()
@REPO_ARG
@JSON_OPT
@click.option("--brief", is_flag=True, help="Groups and members only, without the evidence.")
@click.option("--no-topics", is_flag=True, help="Skip topic clusters (duplicates and series only).")
@QUIET_OPT
@CONFIG_OPT
def clusters(
    repo: Path, as_json: bool, brief: bool, no_topics: bool, quiet: bool, config_file: Path | None
) -> None:
    """Show duplicate groups, series and topic clusters of REPO, with their evidence."""
    from .analysis.similarity import find_groups, groups_to_dict, render_groups

    config = _config(repo, config_file)
    inventory = _scan(repo, config, quiet)
    groups = find_groups(inventory.documents, config.similarity, topics=not no_topics)
    if as_json:
        click.echo(json.dumps(groups_to_dict(groups), indent=2, ensure_ascii=False))
        return
    render_groups(groups, _out(), evidence=not brief, topics=not no_topics)


@main.command()
@REPO_ARG
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the plan (default: REPO/.consolidate/plan.yaml, what `apply` reads).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the full review as a page: .md for Markdown, .html for HTML.",
)
@click.option("--root-budget", type=int, help="Most Markdown files to leave at the root (overrides config).")
@click.option("--docs-dir", help="Folder for live documents (overrides config).")
@click.option("--archive-dir", help="Folder for historical documents (overrides config).")
@JSON_OPT
@QUIET_OPT
@CONFIG_OPT
@_rare_full_collections()
def plan(
    repo: Path,
    output: Path | None,
    report_file: Path | None,
    root_budget: int | None,
    docs_dir: str | None,
    archive_dir: str | None,
    as_json: bool,
    quiet: bool,
    config_file: Path | None,
) -> None:
    """Classify every document and write a reviewable plan for `consolidate apply`."""
    from .analysis.cache import inputs_key, load_result, store_result
    from .decide.planfile import DEFAULT_PLAN, RECORD, plan_from_data, plan_to_dict, write_plan
    from .report import print_plan_summary, summary_view, write_plan_report

    config = _config(repo, config_file).with_overrides(
        root_budget=root_budget, docs_dir=docs_dir, archive_dir=archive_dir
    )
    # Nothing changed since the last plan (same code, settings, commit, files and contents): the
    # same bytes, from the result cache, without parsing or planning (see analysis/cache.py).
    checked = check_repo(repo)
    # Every document read once: for the key, and (on a miss) for the scan.
    listing = list_documents(checked, config.exclude)
    key = inputs_key(checked, config, (RECORD.as_posix(),), listing) if not (report_file or as_json) else None
    hit = load_result(checked, "plan", key) if key else None
    counts: dict[str, int] | None = None
    if (
        hit is not None
        and isinstance(hit.get("plan"), str)
        and isinstance(hit.get("warnings"), list)
        and isinstance(hit.get("view"), dict)
        and isinstance(hit.get("counts"), dict)
    ):
        root = checked
        target = output if output is not None else root / DEFAULT_PLAN
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(hit["plan"].encode("utf-8"))
        if not quiet:
            for warning in hit["warnings"]:
                _err().print(f"[yellow]warning:[/] {safe(str(warning))}")
        # The summary reads a few entries of a plan of any size: those were kept as they are, rather
        # than read back from the whole plan's YAML (most of a warm run on 40,000 pages).
        the_plan = _with_reason_records(plan_from_data(hit["view"], str(target)), hit.get("reasons"))
        counts = {str(k): int(v) for k, v in hit["counts"].items()}
        inventory = Inventory(str(root), _leaking(hit), git=True)
    else:
        from .decide.textsignals import plan_facts, plan_facts_kept  # light: the workers import it too

        # What planning reads of each document's text is read in the scan's workers, beside its parse,
        # and kept in the parse cache for the next run.
        inventory = _scan(
            repo,
            config,
            quiet,
            while_parsing=_import_planning,
            per_document=plan_facts,
            listing=listing,
            kept=plan_facts_kept(),
        )
        from .decide.plan import plan_repository  # imported by now, while the scan parsed

        the_plan = plan_repository(inventory, config)
        root = Path(inventory.root)
        target = output if output is not None else root / DEFAULT_PLAN
        write_plan(the_plan, target)
        if key:
            # The summary lists where credentials were found (masked, as printed): kept with the plan.
            leaking = [
                {"path": d.path, "secrets": [list(astuple(x)) for x in d.secrets]}
                for d in inventory.documents
                if d.secrets
            ]
            written = target.read_bytes().decode("utf-8")
            view, view_counts = summary_view(the_plan)
            result = {
                "plan": written,
                "warnings": list(inventory.warnings),
                "leaking": leaking,
                "view": plan_to_dict(view),
                "counts": view_counts,
                "reasons": _reason_records(view),
            }
            store_result(root, "plan", key, result)
    if report_file is not None:
        write_plan_report(the_plan, inventory, report_file)
    if as_json:
        click.echo(json.dumps(plan_to_dict(the_plan), indent=2, ensure_ascii=False))
        return
    print_plan_summary(_out(), the_plan, inventory, counts)
    shown = target if output is not None else DEFAULT_PLAN
    _out().print(f"\nPlan written to {safe(str(shown))}. Review or edit it, then run `consolidate apply`.")
    if report_file is not None:
        _out().print(f"Full review written to {safe(str(report_file))}.")


# ---------------------------------------------------------------- doing


@main.command()
@REPO_ARG
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The plan to apply (default: REPO/.consolidate/plan.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Print every move and a diff of every rewrite; change nothing.")
@click.option("--no-commit", is_flag=True, help="Leave the changes staged instead of committing them.")
@click.option("--resume", is_flag=True, help="Finish an apply that was interrupted.")
@click.option(
    "--rewrite-mentions",
    is_flag=True,
    help="Also rewrite exact mentions of moved paths: in files that are not Markdown, and as text "
    "(not links) in Markdown.",
)
@QUIET_OPT
def apply(
    repo: Path,
    plan_file: Path | None,
    dry_run: bool,
    no_commit: bool,
    resume: bool,
    rewrite_mentions: bool,
    quiet: bool,
) -> None:
    """Carry out the plan: git moves, link rewriting, two commits; journaled so it can resume or undo."""
    from .apply.apply import apply_plan
    from .report import print_apply_result

    err = _err()

    def say(message: str) -> None:
        if not quiet:
            tell("", message, err)

    result = apply_plan(
        check_repo(repo),
        plan_file,
        dry_run=dry_run,
        commit=not no_commit,
        resume=resume,
        rewrite_mentions=rewrite_mentions,
        report=say,
    )
    print_apply_result(_out(), result)


@main.command()
@REPO_ARG
def undo(repo: Path) -> None:
    """Return REPO to the exact commit and tree it had before the last apply (finished or not)."""
    from .apply.undo import undo as undo_apply

    result = undo_apply(check_repo(repo))
    state = "completed" if result.completed else "interrupted"
    from .report import plural

    out = _out()
    out.print(
        f"Undid the {state} apply: HEAD is back at {result.head[:12]}, "
        f"{plural(len(result.removed_commits), 'commit')} removed, "
        f"{plural(result.restored_files, 'file')} restored."
    )
    # `site` and `build` wrote these for the consolidated tree; they name the applied plan undo
    # just removed, so a build would fail on them. Say exactly what to do rather than delete.
    for paths, action in ((result.stale_untracked, "rm -r --"), (result.stale_tracked, "git checkout --")):
        if not paths:
            continue
        names = " and ".join(safe(p) for p in paths)
        verb, them = ("still describes", "it") if len(paths) == 1 else ("still describe", "them")
        command = f"{action} {' '.join(safe(shlex.quote(p)) for p in paths)}"
        out.print(
            f"{names} {verb} the consolidated site: {'remove' if action.startswith('rm') else 'restore'} "
            f"{them} ({command}), or run `consolidate site` to fit {them} to the restored files."
        )


# ---------------------------------------------------------------- the site


@main.command()
@REPO_ARG
@CONFIG_OPT
def site(repo: Path, config_file: Path | None) -> None:
    """Write or update mkdocs.yml (and the pages the site needs) for the consolidated tree."""
    from .site.build import generate_site, load_applied_plan

    root = check_repo(repo)
    config = _config(root, config_file)
    result = generate_site(root, config=config, plan=load_applied_plan(root))
    from .report import print_site_result

    print_site_result(_out(), result)


@main.command()
@REPO_ARG
@click.option("--site-dir", type=click.Path(path_type=Path, file_okay=False), help="Where to write the site.")
def build(repo: Path, site_dir: Path | None) -> None:
    """Build the site strictly: new broken links, anchors or pages left out of the nav fail the build."""
    from .site.build import build_site

    result = build_site(check_repo(repo), strict=True, site_dir=site_dir)
    from .report import print_build_result

    print_build_result(_out(), result)


@main.command()
@REPO_ARG
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(repo: Path, dev_addr: str) -> None:
    """Serve the site with live reload for browsing."""
    from .site.build import serve_url

    root = check_repo(repo)
    _serve(root, dev_addr, serve_url(root, dev_addr))


def _serve(root: Path, dev_addr: str, url: str) -> None:
    """Say where the site will be at once, then build and serve it, showing progress on stderr.

    The first build of a large repository takes a while; the address comes first so a person
    knows where to look, and MkDocs' own messages (building, built, reloading) follow."""
    from .site.build import serve_site

    out, err = _out(), _err()
    out.print(f"Serving {safe(str(root))} at {safe(url)} once the first build is done (Ctrl+C to stop)")
    out.file.flush()
    status = err.status("building the site…") if err.is_terminal else None
    if status is not None:
        status.start()

    def progress(level: int, message: str) -> None:
        label = "[yellow]warning:[/]" if level >= logging.WARNING else "[dim]mkdocs:[/]"
        tell(label, message, err)
        if status is not None and message.startswith(("Documentation built", "Serving on")):
            status.stop()
        elif status is not None and message.startswith("Building documentation"):
            status.start()

    try:
        serve_site(root, dev_addr=dev_addr, progress=progress)
    finally:
        if status is not None:
            status.stop()


# ---------------------------------------------------------------- the guard


@main.command()
@REPO_ARG
@click.option("--all", "include_archive", is_flag=True, help="Also report broken links inside the archive.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@JSON_OPT
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Record every current finding as known (secrets by fingerprint; is_secret marks kept), then check.",
)
@click.option("--no-cache", is_flag=True, help="Ignore cached parse and check results.")
@CONFIG_OPT
def check(
    repo: Path,
    include_archive: bool,
    fmt: str,
    as_json: bool,
    update_baseline: bool,
    no_cache: bool,
    config_file: Path | None,
) -> None:
    """Exit 0 when REPO is in order; exit 1 with one finding per line otherwise (for CI and pre-commit)."""
    from .core.errors import CheckFailed
    from .guard.check import github_annotations, result_to_dict, run_check
    from .report import print_check_result

    config = _config(repo, config_file)
    result = run_check(
        repo, config, include_archive=include_archive, update_baseline=update_baseline, use_cache=not no_cache
    )
    if as_json or fmt == "json":
        click.echo(json.dumps(result_to_dict(result), indent=2, ensure_ascii=False))
    elif fmt == "github":
        for line in github_annotations(result):
            click.echo(line)
    else:
        print_check_result(_out(), result)
    if not result.ok:
        from .report import plural

        raise CheckFailed(f"{plural(len(result.new), 'new finding')}")
