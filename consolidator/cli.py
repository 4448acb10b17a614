"""The `consolidate` command: a thin layer of options and output over the library."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .config import Config, load_config
from .errors import ConsolidatorError
from .models import Inventory
from .report import inventory_to_dict, safe
from .scan import check_repo, scan_repo

F = TypeVar("F", bound=Callable[..., Any])

REPO_ARG = click.argument(
    "repo", required=False, default=".", type=click.Path(path_type=Path, file_okay=True, dir_okay=True)
)


def _out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


class _Group(click.Group):
    """Turns every ConsolidatorError into a message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConsolidatorError as exc:
            _err().print(f"[bold red]error:[/] {safe(str(exc))}")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _err().print("interrupted")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            # A bug, not bad input: still no traceback unless asked for.
            if os.environ.get("CONSOLIDATE_DEBUG"):
                raise
            _err().print(
                f"[bold red]internal error:[/] {safe(type(exc).__name__)}: {safe(str(exc))}\n"
                "Set CONSOLIDATE_DEBUG=1 to see the traceback, and please report it."
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


def _config(repo: Path, config_file: Path | None) -> Config:
    return load_config(check_repo(repo), config_file)


def _scan(repo: Path, config: Config, quiet: bool) -> Inventory:
    with _progress(quiet, "Reading documents") as progress:
        inventory = scan_repo(repo, config=config, progress=progress)
    if not quiet:
        for warning in inventory.warnings:
            _err().print(f"[yellow]warning:[/] {safe(warning)}")
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
@QUIET_OPT
def demo(keep_dir: Path | None, quiet: bool) -> None:
    """Run the main job on a temporary git copy of the bundled sample repository."""
    from .demo import make_sample_repo

    target = make_sample_repo(keep_dir)
    _err().print(f"sample repository copied to {target}")
    inventory = _scan(target, load_config(target), quiet)
    print_inventory(_out(), inventory)


def run() -> None:  # pragma: no cover - console entry point alias
    main()
