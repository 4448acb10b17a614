"""Turning results into JSON-ready data and into text that is safe to show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .core.models import OVERLAP_PREFIX, Cluster, Decision, Document, Inventory, Plan, Reason

if TYPE_CHECKING:
    from .apply.work import ApplyResult
    from .guard.check import CheckResult
    from .site.build import BuildResult, SiteResult


def safe(text: str) -> str:
    """Document-controlled text for the terminal: no control sequences, no rich markup."""
    from .security.sanitize import strip_control

    return escape(strip_control(text))


def plural(count: int, noun: str) -> str:
    """ "1 file", "2 files": a count and its noun agree."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def safe_lines(text: str) -> str:
    """Like `safe`, but the lines stay lines: for multi-line messages and diffs."""
    from .security.sanitize import strip_control_keep_lines

    return escape(strip_control_keep_lines(text))


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


# ---------------------------------------------------------------- plans


def _summary(plan: Plan) -> dict[str, int]:
    return dict(plan.header.summary)


def print_plan_summary(
    console: Console, plan: Plan, inventory: Inventory, counts: Mapping[str, int] | None = None
) -> None:
    """What `plan` proposes, in short. `counts` (documents, and entries by action) are the plan's
    when `plan` holds only the entries the summary lists (`summary_view`)."""
    summary = _summary(plan)
    entries = plan.entries
    root_before = summary.get("root_before", sum(1 for d in inventory.documents if d.at_root))
    root_after = summary.get(
        "root_after", sum(1 for e in entries if "/" not in e.source and e.action == "keep")
    )
    if counts is None:
        counts = _action_counts(entries)
    console.print(
        f"[bold]{counts['documents']} documents[/]; Markdown files at the root: "
        f"[bold]{root_before} → {root_after}[/]"
    )
    leaking = [d for d in inventory.documents if d.secrets]
    if leaking:
        console.print(
            f"[bold red]WARNING: {len(leaking)} document(s) hold credentials.[/] "
            "Remove and rotate them; the site redacts them, but git history keeps them."
        )
        for d in leaking:
            for s in d.secrets:
                console.print(f"  {safe(d.path)}:{s.line}: {safe(s.kind)} ({safe(s.masked)})")
    actions = Table(title="Actions")
    actions.add_column("action")
    actions.add_column("files", justify="right")
    for action in ("keep", "move", "archive", "merge"):
        actions.add_row(action, str(counts[action]))
    console.print(actions)

    sections = Counter(e.section for e in entries if e.action == "move" and e.section)
    if sections:
        table = Table(title="Moves by docs section")
        table.add_column("section")
        table.add_column("files", justify="right")
        for section, count in sorted(sections.items()):
            table.add_row(safe(section), str(count))
        console.print(table)

    duplicates = sorted(
        (c for c in plan.clusters if c.kind == "duplicate"), key=lambda c: (-len(c.members), c.id)
    )
    if duplicates:
        table = Table(title=f"Largest duplicate groups (of {len(duplicates)})")
        table.add_column("canonical (the version to read)")
        table.add_column("archived with a notice pointing to it")
        for canonical, folded in duplicate_rows(duplicates[:8], entries):
            table.add_row(safe(canonical), safe(folded))
        console.print(table)

    # What a reviewer should look at: decisions that change something, and root files left in place.
    doubtful = sorted(
        (e for e in entries if e.action != "keep" or ("/" not in e.source and e.kind != "conventional-root")),
        key=lambda e: (e.confidence, e.source),
    )
    if doubtful:
        table = Table(title="Check these first (lowest confidence)")
        table.add_column("document")
        table.add_column("action")
        table.add_column("confidence", justify="right")
        table.add_column("because")
        for e in doubtful[:10]:
            because = "; ".join(deciding_reasons(e))
            table.add_row(safe(e.source), e.action, f"{e.confidence:.2f}", safe(because))
        console.print(table)
    if plan.broken_links:
        console.print(f"{len(plan.broken_links)} links were already broken; they are listed in the plan.")


def duplicate_rows(clusters: Sequence[Cluster], entries: Sequence[Decision]) -> list[tuple[str, str]]:
    """One row per duplicate group, as the plan decided it rather than as the analysis found it: the
    version readers are pointed to (which the plan may have turned round from a record to a live
    member) with its own fate when it is history, and the members folded into it; a member the plan
    does not fold into it (it reads as documentation, or is judged on its own) is named apart."""
    decided = {e.source: e for e in entries}
    rows = []
    for c in clusters:
        # member -> the version it is folded into
        into = {
            m: e.canonical
            for m in c.members
            if (e := decided.get(m)) is not None and e.action == "merge" and e.canonical
        }
        targets = Counter(into.values())
        canonical = targets.most_common(1)[0][0] if targets else (c.canonical or "?")
        folded = [m for m, target in into.items() if target == canonical]
        apart = [m for m in c.members if m != canonical and m not in folded]
        own = decided.get(canonical)
        where = own.action if own is not None else "keep"
        note = "" if where in ("keep", "move") else f" ({where}d: history itself)"
        if c.id.startswith(OVERLAP_PREFIX):
            note += " (several guides to one procedure)"
        cell = ", ".join(folded) + (
            f"{'; ' if folded else ''}not folded: {', '.join(apart)}" if apart else ""
        )
        rows.append((canonical + note, cell))
    return rows


def _action_counts(entries: Sequence[Decision]) -> dict[str, int]:
    """How many entries each action has, and how many documents (entries) in all."""
    counts = {a: sum(1 for e in entries if e.action == a) for a in ("keep", "move", "archive", "merge")}
    counts["documents"] = len(entries)
    return counts


def summary_view(plan: Plan) -> tuple[Plan, dict[str, int]]:
    """`plan` cut to what `print_plan_summary` reads of it (entries that change something or stay at
    the root, duplicate groups, the header and broken links), with the counts it also prints: kept
    beside a cached plan so that a warm run prints the summary without reading the whole plan back."""
    counts = _action_counts(plan.entries)
    entries = tuple(e for e in plan.entries if e.action != "keep" or "/" not in e.source)
    clusters = tuple(c for c in plan.clusters if c.kind == "duplicate")
    return replace(plan, entries=entries, clusters=clusters), counts


def deciding_reasons(entry: Decision) -> list[str]:
    """Why an entry is what it is, in one line: its action, the heaviest evidence for it and the
    heaviest against it (what makes it doubtful). Credential warnings are listed on their own."""
    reasons = [r if isinstance(r, Reason) else Reason(str(r)) for r in entry.reasons]
    plain = [r for r in reasons if r.tag != "warning" and r.weight is None]
    history = entry.action in ("archive", "merge")
    ranked: dict[bool, list[tuple[bool, float, int, Reason]]] = {True: [], False: []}
    for i, reason in enumerate(reasons):
        if reason.weight is not None:
            # the repository's base rate says nothing about this document itself: it comes last
            general = reason.tag == "root-prior"
            ranked[(reason.weight > 0) == history].append((general, -abs(reason.weight), i, reason))
    out = [str(r) for r in plain[:1]]
    if ranked[True]:
        out.append(str(min(ranked[True])[-1]))
    if ranked[False]:
        out.append("against: " + str(min(ranked[False])[-1]))
    return out


def plan_report_markdown(plan: Plan, inventory: Inventory) -> str:
    """The full review as Markdown; every document-controlled string is escaped."""
    from .security.sanitize import escape_markdown_inline as md

    titles = {d.path: d.title for d in inventory.documents}
    summary = _summary(plan)
    out = [
        "# Consolidation plan review",
        "",
        f"Repository `{md(plan.header.repo)}` at commit `{plan.header.commit or 'none'}`, "
        f"planned by {md(plan.header.tool)}.",
        "",
        f"Markdown files at the root: **{summary.get('root_before', '?')}** before, "
        f"**{summary.get('root_after', '?')}** after.",
        "",
        "| action | files |",
        "| --- | ---: |",
    ]
    for action in ("keep", "move", "archive", "merge"):
        out.append(f"| {action} | {sum(1 for e in plan.entries if e.action == action)} |")
    leaking = [d for d in inventory.documents if d.secrets]
    if leaking:
        out += [
            "",
            f"## Warning: {len(leaking)} document(s) hold credentials",
            "",
            "Remove and rotate them. The site redacts them, but git history keeps them.",
            "",
        ]
        for d in leaking:
            out.extend(f"- {md(d.path)}, line {s.line}: {md(s.kind)} ({md(s.masked)})" for s in d.secrets)
    out += [
        "",
        "## Decisions",
        "",
        "| document | title | action | destination | confidence | reasons |",
        "| --- | --- | --- | --- | ---: | --- |",
    ]
    for e in plan.entries:
        reasons = "<br>".join(md(str(r)) for r in e.reasons)
        dest = md(e.destination) if e.destination else ""
        if e.canonical:
            dest += f" (read instead: {md(e.canonical)})"
        title = md(titles.get(e.source, ""))
        out.append(f"| {md(e.source)} | {title} | {e.action} | {dest} | {e.confidence:.2f} | {reasons} |")
    dups = [c for c in plan.clusters if c.kind == "duplicate"]
    if dups:
        out += ["", "## Duplicate groups", ""]
        for c in dups:
            out.append(
                f"- **{md(c.canonical or '?')}** is kept; archived: "
                + ", ".join(md(m) for m in c.members if m != c.canonical)
            )
            for line in c.evidence[:4]:
                out.append(f"    - {md(line)}")
    if plan.broken_links:
        out += [
            "",
            "## Links already broken",
            "",
            "| document | line | target | problem | suggestion |",
            "| --- | ---: | --- | --- | --- |",
        ]
        for b in plan.broken_links:
            out.append(
                f"| {md(b.source)} | {b.line} | {md(b.target)} | {b.reason} | {md(b.suggestion or '')} |"
            )
    return "\n".join(out) + "\n"


def write_plan_report(plan: Plan, inventory: Inventory, path: Path) -> None:
    text = plan_report_markdown(plan, inventory)
    if path.suffix.lower() in (".html", ".htm"):
        import markdown

        body = markdown.markdown(text, extensions=["tables"])
        text = (
            '<!doctype html>\n<html><head><meta charset="utf-8"><title>Consolidation plan review</title>'
            "<style>body{font-family:sans-serif;max-width:80rem;margin:2rem auto}"
            "table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top}</style>"
            f"</head><body>\n{body}\n</body></html>\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- apply and check


def print_apply_result(console: Console, result: ApplyResult) -> None:
    if result.already_applied:
        console.print("The plan is already applied; nothing changed.")
        return
    # Links and paths named as text counted apart (a document that only names a moved file in its
    # prose has no link rewritten); a file changed by its archive notice alone is in neither count.
    (links, linked), (named, naming) = result.rewrite_counts()
    parts = [f"{plural(links, 'link')} in {plural(linked, 'file')}"] if links else []
    if named:
        parts.append(f"{plural(named, 'path')} named as text in {plural(naming, 'file')}")
    what = " and ".join(parts) or "no links"
    moved = plural(len(result.moves), "file")
    if result.dry_run:
        console.print(f"[bold]Would move {moved}[/], would rewrite {what}.")
    else:
        console.print(f"[bold]Moved {moved}[/], rewrote {what}.")
    for source, dest in result.moves:
        console.print(f"  {safe(source)} → {safe(dest)}")
    for diff in result.diffs:
        # a diff is many lines: each keeps its place, only terminal escapes are removed
        console.print(safe_lines(diff), end="" if diff.endswith("\n") else "\n")
    if result.mentions:
        rewritten = "would be rewritten" if result.dry_run else "rewritten"
        state = rewritten if result.mentions_rewritten else "not changed (use --rewrite-mentions)"
        console.print(f"\nMoved paths named in files that are not Markdown ({state}):")
        for m in result.mentions:
            console.print(f"  {safe(m.file)}:{m.line}: {safe(m.old)} → {safe(m.new)}")
    if result.markdown_mentions:
        # Named as text (prose, inline code, code blocks, link labels), not as links: the link
        # rewriter does not touch them, so the reader is told where the old paths remain.
        count = plural(len(result.markdown_mentions), "mention")
        docs = plural(len({m.file for m in result.markdown_mentions}), "Markdown file")
        if result.mentions_rewritten:
            verb = "Would rewrite" if result.dry_run else "Rewrote"
            console.print(f"\n{verb} {count} of moved files named as text in {docs}:")
        else:
            console.print(
                f"\n{count} of moved files left as text in {docs} (not changed; use --rewrite-mentions):"
            )
        for m in result.markdown_mentions:
            console.print(f"  {safe(m.file)}:{m.line}: {safe(m.old)} → {safe(m.new)}")
    for item in result.skipped:
        console.print(f"[yellow]skipped:[/] {safe(item)}")
    for item in result.unmatched:
        console.print(f"[yellow]left as written, check by hand:[/] {safe(item)}")
    if result.resumed:
        console.print("Resumed the interrupted apply and finished it.")
    if result.commits:
        console.print("Commits: " + ", ".join(c[:12] for c in result.commits))
    elif result.staged:
        console.print("Changes are staged, not committed.")


def print_check_result(console: Console, result: CheckResult) -> None:
    from .guard.baseline import ROTATE_DOC

    known_secrets = result.known_secrets
    for f in result.findings:
        if f in known_secrets:
            continue  # counted below: the baseline already lists each of them
        where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or ".")
        mark = "[dim]known[/] " if f.known else ""
        console.print(f"{mark}{safe(where)}: {safe('[' + f.code + ']')} {safe(f.message)}")
    if known_secrets:
        files = len({f.path for f in known_secrets})
        secrets = len({f.key for f in known_secrets})
        where = safe(result.baseline or "")
        console.print(
            f"[yellow]{secrets} known secret(s)[/] in {files} document(s), recorded in {where}: "
            f"rotate them, then remove them from the documents (see {ROTATE_DOC})"
        )
    if result.ok:
        known = f" ({len(result.known)} known in {result.baseline})" if result.known else ""
        console.print(f"[green]ok[/]: {result.documents} documents in order{known}")


# ---------------------------------------------------------------- the site


def print_site_result(console: Console, result: SiteResult) -> None:
    verb = "Wrote" if result.created else "Updated"
    console.print(
        f"{verb} {safe(str(result.config_file))}: {plural(result.pages, 'page')}, "
        f"{plural(result.redirects, 'redirect')}."
    )
    for change in result.changes:
        console.print(f"  - {safe(change)}")
    if not result.changes and not result.created:
        console.print("  (nothing changed)")
    if result.root_files:
        console.print(
            "Root files shown in the site without moving: " + ", ".join(safe(f) for f in result.root_files)
        )
    console.print("Next: `consolidate build` (strict) or `consolidate serve` (live reload).")


def print_build_result(console: Console, result: BuildResult) -> None:
    for note in result.infos:
        console.print(f"[dim]info:[/] {safe(note)}")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {safe(warning)}")
    redirects = f" and {plural(result.redirects, 'redirect')}" if result.redirects else ""
    console.print(
        f"Built {plural(result.pages, 'page')}{redirects} into {safe(str(result.site_dir))} "
        f"in {result.seconds:.1f} s with {plural(len(result.warnings), 'warning')}."
    )
