"""Group decisions: several live guides to one procedure at the root, reduced to the one readers reach
(see `overlap`), and the copies folded into a guide that is itself superseded re-pointed to the guide
that stays. Runs on the classification of every document; layout runs on its result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from ..analysis.names import parse_name
from ..analysis.similarity import Groups
from ..core.config import Config
from ..core.conventions import slug
from ..core.models import OVERLAP_PREFIX, Cluster, Inventory, Reason
from .classify import Classification
from .evidence import Context, Evidence, bodies_agree, mentioned_docs, table_for
from .overlap import Overlap, reduce_overlaps


def supersede_overlaps(
    result: dict[str, Classification],
    inventory: Inventory,
    groups: Groups,
    context: Context,
    evidence: Mapping[str, Evidence],
    config: Config,
) -> tuple[dict[str, Classification], list[Overlap]]:
    """Several live guides to one procedure at the root: the one readers reach stays, the others are
    archived pointing to it (see `overlap`)."""
    candidates = [
        p for p, c in result.items() if "/" not in p and c.disposition == "live" and c.kind != "pinned"
    ]
    by_path = inventory.by_path()
    live = {p for p, c in result.items() if c.disposition != "archive"}
    # Who points readers to a guide: links, and names written in prose ("use SMOKE_TEST_STEPS.md").
    pointed: dict[str, set[str]] = defaultdict(set)
    for path, linkers in context.inbound.items():
        pointed[path].update(linkers)
    for doc in inventory.documents:
        if doc.path in live:
            for named in mentioned_docs(evidence[doc.path].doc_names, doc.folder, context.documents):
                if named != doc.path:
                    pointed[named].add(doc.path)
    rank: dict[str, tuple[int | str, ...]] = {}
    for path in candidates:
        readers = pointed.get(path, set())
        doc = by_path[path]
        rank[path] = (
            int(any(p in context.entry_points for p in readers)),
            sum(1 for p in readers if p in live),
            doc.dates.best or "",
            doc.words,
        )
    # Two documents that link to each other were written as companions (a guide and its checklist),
    # not as versions of one another.
    links = {(linker, target) for target, linkers in context.inbound.items() for linker in linkers}
    # Names and headings alike are not enough: two guides whose bodies share almost no subject words
    # (X_SETUP and Y_SETUP) tell two procedures, not one.
    # A front page that points readers to both (the README listing a user guide and an admin guide, the
    # agent instructions naming each plan) presents them as two documents: its author told them apart.
    # Only front pages count: sprawl's own "related documents" lists name every sibling alike.
    front = {p for p, c in result.items() if p in context.entry_points or c.kind == "conventional-root"}
    live_pointers = {path: readers & front for path, readers in pointed.items()}
    among = set(candidates)
    related = [
        (a, b, score)
        for a, b, score in groups.related
        if a in among
        and b in among
        and not {(a, b), (b, a)} <= links
        and not live_pointers.get(a, set()) & live_pointers.get(b, set())
        and bodies_agree(by_path.get(a), by_path.get(b))
    ]
    sim = config.similarity
    overlaps = reduce_overlaps(candidates, related, rank, sim.overlap_threshold, sim.cohesion_floor)
    replaced: dict[str, str] = {}
    out = dict(result)
    for overlap in overlaps:
        for member in overlap.members:
            if member == overlap.kept:
                continue
            replaced[member] = overlap.kept
            why = (
                f"superseded: one of {len(overlap.members)} overlapping guides to one subject (mean score "
                f"{overlap.score:.2f}); {overlap.kept} is the one readers reach and stays"
            )
            out[member] = replace(
                result[member],
                kind="superseded",
                disposition="archive",
                section=None,
                canonical=overlap.kept,
                # Classification left it for review beside a group it resembles; the overlap with the
                # guide readers reach settles it, and a plan that both leaves it for review and merges it
                # contradicts itself (the group note goes, the evidence stays).
                reasons=(Reason(why), *(r for r in result[member].reasons if r != result[member].review)),
                confidence=round(min(0.9, 0.45 + overlap.score - sim.overlap_threshold), 2),
            )
    # Copies merged into a guide that is now superseded point to the guide that stays.
    for path, c in out.items():
        if c.canonical in replaced and path not in replaced:
            kept = replaced[c.canonical]
            note = f"its canonical {c.canonical} is superseded by {kept}, which readers are pointed to"
            out[path] = replace(c, canonical=kept, reasons=(*c.reasons, Reason(note)))
    return out, overlaps


def overlap_cluster(overlap: Overlap) -> Cluster:
    stem = overlap.kept.rsplit(".", 1)[0]
    return Cluster(
        id=f"{OVERLAP_PREFIX}{slug(stem)}",
        kind="duplicate",
        members=overlap.members,
        canonical=overlap.kept,
        label=" ".join(parse_name(overlap.kept).tokens),
        evidence=(f"overlapping guides to one subject (mean score {overlap.score:.2f})",),
        score=overlap.score,
    )


_SETTLED = ("pinned", "tool-file", "template")


def readable_canonicals(result: Mapping[str, Classification], context: Context) -> dict[str, Classification]:
    """A record is the version to read only when every member of its group is history: where a member
    reads as live documentation, the record and its copies point to that member instead: a page already
    in the organised tree over one still at the root (the tree's page is the one readers reach, and a
    root page is only on its way there), then the one that reads most like documentation, then by path."""
    members: dict[str, list[str]] = defaultdict(list)
    for member, canonical in context.duplicate_of.items():
        members[canonical].append(member)
    out = dict(result)
    for canonical, group in sorted(members.items()):
        own = result.get(canonical)
        if own is None or own.disposition != "archive" or own.canonical or own.kind in ("archived", "pinned"):
            continue
        # Margins of root and folder pages are on their tables' own scales: compared as readings.
        live = sorted(
            (not result[m].in_tree, table_for(m, context).reading(result[m].score), m)
            for m in group
            if m in result and result[m].disposition == "live" and result[m].kind not in _SETTLED
        )
        if not live:
            continue
        reader = live[0][-1]
        why = f"a record on the subject of {reader}, which reads as live documentation and is the one to read"
        out[canonical] = replace(own, canonical=reader, reasons=(Reason(why), *own.reasons))
        for member in sorted(group):
            c = out[member]
            if c.canonical == canonical:
                note = f"its group's canonical {canonical} is a record; {reader} is the version to read"
                out[member] = replace(c, canonical=reader, reasons=(*c.reasons, Reason(note)))
    return out
