"""Build the consolidation plan: one decision per Markdown file, with where it goes and why.

Deciding runs one pipeline, each step a function of what the steps before it produced:

1. evidence (`evidence`): the rules table on each document's text, and the analysis (links, dates,
   duplicate groups, series) gathered into a `Context`;
2. classification (`classify`): each document's kind and disposition (keep at the root, live, history),
   in a few passes, and whether a duplicate joins its group;
3. group decisions (`groups`): overlapping live guides reduced to the one readers reach;
4. layout (`layout`): docs sections and topic folders, archive folders, the root budget;
5. the plan (here): destinations made unique, reasons in order, the header and the broken links.

Conventional files stay at the root, and files already in the docs tree or the archive stay, so
planning a consolidated repository proposes nothing. Everything is sorted before it is used: the same
inventory always gives the same plan.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..analysis.similarity import Groups, Topics, start_groups
from ..core.config import Config
from ..core.conventions import slug
from ..core.models import BrokenLink, Cluster, Decision, Document, Inventory, Plan, PlanHeader, Reason
from ..core.version import __version__
from .classify import Classification, classify_all
from .evidence import build_context, gather_evidence
from .groups import overlap_cluster, readable_canonicals, supersede_overlaps
from .layout import ARCHIVE_FOLDER_MIN, Draft, lay_out, period_of, subject_of
from .overlap import Overlap
from .planfile import load_record, settled_paths
from .sprawl import sprawl_entries, text_heads
from .textsignals import PlanFacts, TextSignals
from .weights import Weights

__all__ = [
    "ARCHIVE_FOLDER_MIN",
    "build_plan",
    "find_document_groups",
    "period_of",
    "plan_repository",
    "plan_with_fresh",
    "start_document_groups",
    "subject_of",
]


HISTORY = ("archive", "merge")


def find_document_groups(
    docs: Sequence[Document], config: Config, derived: Mapping[str, object] | None = None
) -> Groups:
    """The one place the plan asks for duplicate groups, topics and series. `derived` is the
    inventory's: what the scan's workers computed of each document (`textsignals.plan_facts`)."""
    groups, topics = start_document_groups(docs, config, derived, fork_topics=False)
    return replace(groups, topics=topics.result())


def start_document_groups(
    docs: Sequence[Document],
    config: Config,
    derived: Mapping[str, object] | None = None,
    *,
    fork_topics: bool = True,
) -> tuple[Groups, Topics]:
    """`find_document_groups` with the topics apart (`similarity.start_groups`): on a large repository
    they are found in a second process while this one judges, which reads no topic (only the layout
    does)."""
    prepared = {b: f.prepared for b, f in (derived or {}).items() if isinstance(f, PlanFacts)}
    return start_groups(docs, config.similarity, prepared=prepared, fork_topics=fork_topics)


def secret_warnings(doc: Document) -> tuple[Reason, ...]:
    """A reviewer must see first that a document holds credentials (masked, never the value)."""
    if not doc.secrets:
        return ()
    found = "; ".join(f"{s.kind} at line {s.line} ({s.masked})" for s in doc.secrets[:5])
    more = f" and {len(doc.secrets) - 5} more" if len(doc.secrets) > 5 else ""
    why = f"WARNING: holds {len(doc.secrets)} credential(s): {found}{more}; remove and rotate them"
    return (Reason(why, "warning"),)


def plan_repository(inventory: Inventory, config: Config, groups: Groups | None = None) -> Plan:
    """`build_plan` for a repository on disk, honouring what its applied plan already settled."""
    root = Path(inventory.root)
    return build_plan(inventory, config, groups, settled_paths(root, load_record(root)))


def build_plan(
    inventory: Inventory,
    config: Config,
    groups: Groups | None = None,
    settled: frozenset[str] = frozenset(),
    weights: Weights | None = None,
) -> Plan:
    """The plan for `inventory`: one decision per Markdown file, sorted by source.

    `settled` are documents an earlier, applied plan placed and that have not changed since: that
    reviewed decision stands (unless a `pin` setting says otherwise), so planning a consolidated
    repository proposes no moves. `weights` replace the shipped ones (to validate a refit).
    """
    if groups is None:
        groups, topics = start_document_groups(inventory.documents, config, inventory.derived)
        judged = _judge(inventory, config, groups, weights)
        groups = replace(groups, topics=topics.result())
    else:
        judged = _judge(inventory, config, groups, weights)
    return _assemble(inventory, config, groups, judged, settled)


def plan_with_fresh(
    inventory: Inventory, config: Config, groups: Groups | None = None
) -> tuple[Plan, tuple[Decision, ...]]:
    """`plan_repository`'s plan, and the decisions it would make were nothing settled.

    `check` keeps the second: a document an applied plan settled is judged afresh once it changes, and
    that judgement, made now from the same evidence, is what an incremental check reuses for it.
    """
    if groups is None:
        groups, topics = start_document_groups(inventory.documents, config, inventory.derived)
        judged = _judge(inventory, config, groups, None)
        groups = replace(groups, topics=topics.result())
    else:
        judged = _judge(inventory, config, groups, None)
    root = Path(inventory.root)
    plan = _assemble(inventory, config, groups, judged, settled_paths(root, load_record(root)))
    return plan, _assemble(inventory, config, groups, judged, frozenset()).entries


_Judged = tuple[Mapping[str, Classification], list[Overlap], Weights]


def _judge(inventory: Inventory, config: Config, groups: Groups, weights: Weights | None) -> _Judged:
    """Evidence, classification and group decisions: everything before the layout."""
    # One context and one reading of each document serve every classification pass and the overlaps.
    context = build_context(inventory, groups, config, weights)
    facts = inventory.derived
    evidence = {d.path: gather_evidence(d, _signals(facts.get(d.blob))) for d in inventory.documents}
    classes = classify_all(inventory, context, evidence, config)
    classes = readable_canonicals(classes, context)
    classes, overlaps = supersede_overlaps(classes, inventory, groups, context, evidence, config)
    return classes, overlaps, context.weights


def _assemble(
    inventory: Inventory, config: Config, groups: Groups, judged: _Judged, settled: frozenset[str]
) -> Plan:
    """The layout, destinations and header of the plan from the judgement."""
    classes, overlaps, weights = judged
    drafts = lay_out(inventory, classes, groups, config, settled)
    entries = _entries(drafts, inventory)
    archived = {e.source: e.destination for e in entries if e.destination and e.action in HISTORY}
    texts = text_heads(Path(inventory.root), inventory.files)
    text = sprawl_entries(inventory.files, archived, config, weights, inventory.file_dates, texts)
    if text:
        taken = {e.destination.casefold() for e in entries if e.destination}
        text = [e for e in text if e.destination and e.destination.casefold() not in taken]
        entries = tuple(sorted((*entries, *text), key=lambda e: e.source))
    return Plan(
        header=_header(inventory, config, entries, _acted(entries, groups, overlaps)),
        entries=entries,
        clusters=tuple(
            sorted(_acted(entries, groups, overlaps) + groups.topics, key=lambda c: (c.kind, c.id))
        ),
        broken_links=broken_links(inventory),
    )


def _signals(facts: object) -> TextSignals | None:
    return facts.signals if isinstance(facts, PlanFacts) else None


def _entries(drafts: list[Draft], inventory: Inventory) -> tuple[Decision, ...]:
    moving = {d.doc.path for d in drafts if d.folder is not None}
    taken = {f.casefold() for f in inventory.files if f not in moving}
    # Folders of staying files cannot become files, and staying files cannot become folders.
    entries: list[Decision] = []
    for d in sorted(drafts, key=lambda d: d.doc.path):
        dest = None
        if d.folder is not None:
            dest = _unique(posixpath.join(d.folder, d.doc.name), taken, d.doc.path)
            taken.add(dest.casefold())
        reasons = secret_warnings(d.doc) + tuple(d.extra) + d.cls.reasons
        entries.append(
            Decision(
                source=d.doc.path,
                action=d.action,
                destination=dest,
                section=(d.cls.section if d.action == "move" else None),
                canonical=d.canonical,
                reasons=reasons,
                confidence=d.cls.confidence,
                blob=d.doc.blob,
                kind=d.cls.kind,
            )
        )
    return tuple(entries)


def _acted(entries: tuple[Decision, ...], groups: Groups, overlaps: list[Overlap]) -> tuple[Cluster, ...]:
    """Only the duplicate groups the plan acts on: a group whose members all stay was not judged
    duplicates."""
    merged = {e.source for e in entries if e.action == "merge"}
    acted = tuple(c for c in groups.duplicates if merged.intersection(c.members))
    return acted + tuple(overlap_cluster(o) for o in overlaps if merged.intersection(o.members))


def _header(
    inventory: Inventory, config: Config, entries: tuple[Decision, ...], acted: tuple[Cluster, ...]
) -> PlanHeader:
    root_before = sum(1 for d in inventory.documents if d.at_root)
    root_after = sum(1 for e in entries if "/" not in e.source and e.action == "keep")
    counts = {a: sum(1 for e in entries if e.action == a) for a in ("keep", "move", "archive", "merge")}
    return PlanHeader(
        tool=f"consolidator {__version__}",
        repo=Path(inventory.root).name,
        commit=inventory.head,
        config=(
            ("docs_dir", config.docs_dir),
            ("archive_dir", config.archive_dir),
            ("archive_layout", config.archive_layout),
            ("root_budget", str(config.root_budget)),
        ),
        summary=(
            ("documents", len(entries)),
            ("root_before", root_before),
            ("root_after", root_after),
            ("keep", counts["keep"]),
            ("move", counts["move"]),
            ("archive", counts["archive"]),
            ("merge", counts["merge"]),
            ("duplicate_groups", len(acted)),
            ("documents_with_secrets", sum(1 for d in inventory.documents if d.secrets)),
        ),
    )


def _unique(dest: str, taken: set[str], source: str) -> str:
    """`dest`, or a variant no other entry or existing file uses (case-insensitively)."""
    if dest.casefold() not in taken:
        return dest
    folder, name = posixpath.split(dest)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    origin = slug(posixpath.dirname(source).replace("/", "-")) or "root"
    suffix = f".{ext}" if ext else ""
    candidate = posixpath.join(folder, f"{stem}--{origin}{suffix}")
    n = 2
    while candidate.casefold() in taken:
        candidate = posixpath.join(folder, f"{stem}--{origin}-{n}{suffix}")
        n += 1
    return candidate


# ---------------------------------------------------------------------------------------------------------
# Broken links


def broken_links(inventory: Inventory) -> tuple[BrokenLink, ...]:
    by_name: dict[str, list[str]] = defaultdict(list)
    for f in sorted(inventory.files):
        by_name[f.rsplit("/", 1)[-1].casefold()].append(f)
    out = []
    for doc in inventory.documents:
        for link in doc.links:
            if not link.broken and not link.outside_repo:
                continue
            if link.outside_repo:
                reason, resolved = "outside repository", None
            elif link.exists is False:
                reason, resolved = "missing file", link.path
            else:
                reason, resolved = "missing anchor", link.path
            suggestion = None
            if reason == "missing file" and link.path:
                name = link.path.rsplit("/", 1)[-1].casefold()
                near = [f for f in by_name.get(name, []) if f != link.path]
                if near:
                    suggestion = min(near, key=lambda f: (-_shared_prefix(f, link.path or ""), len(f), f))
            out.append(BrokenLink(doc.path, link.line, link.target, resolved, reason, suggestion))
    return tuple(sorted(out, key=lambda b: (b.source, b.line, b.target)))


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        n += 1
    return n
