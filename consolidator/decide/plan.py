"""Build the consolidation plan: one decision per Markdown file, with where it goes and why.

Classification says what each document is; this module turns that into moves a reviewer can read:
conventional files stay at the root, living documentation goes to `docs/<section>/<name>` (the name is
kept, so links and history stay readable), history goes to the archive grouped by period and by series,
duplicate group or topic (`docs/archive/2025-11/deployment-status/...`), never one flat folder, and
every non-canonical duplicate is archived next to its group and names its canonical. Files already in
the docs tree or the archive stay, so planning a consolidated repository proposes nothing.

Everything is sorted before it is used: the same inventory always gives the same plan.
"""

from __future__ import annotations

import math
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..analysis.graph import build_graph, inbound_links
from ..analysis.names import parse_name
from ..analysis.similarity import Groups, find_groups, same_name
from ..core.config import Config
from ..core.conventions import is_conventional, is_markdown
from ..core.conventions import slug as _slug
from ..core.models import OVERLAP_PREFIX, BrokenLink, Cluster, Decision, Document, Inventory, Plan, PlanHeader
from ..core.version import __version__
from .classify import (
    Classification,
    Context,
    Evidence,
    classify,
    gather_evidence,
    mentioned_docs,
    section_for,
)
from .overlap import Overlap, reduce_overlaps
from .planfile import load_record, settled_paths

# Entry points readers start from: what they link to is documentation in use.
ENTRY_NAMES = ("readme.md", "index.md", "readme.markdown", "index.markdown", "home.md", "summary.md")
# A topic gets its own sub-folder of a section when at least this many moved documents share it.
TOPIC_FOLDER_MIN = 8
# An archive folder holding fewer records than this is not worth opening: its records join a broader
# subject of the same period, or lie loose in the period's folder.
ARCHIVE_FOLDER_MIN = 3
# Classification passes: each later pass sees what the previous one decided about linked documents.
# A fixed count (not "until stable") keeps the result deterministic even where decisions would cycle.
PASSES = 3
PRIOR_CAP = 2.0


def find_document_groups(docs: Sequence[Document], config: Config) -> Groups:
    """The one place the plan asks for duplicate groups, topics and series."""
    return find_groups(docs, config.similarity)


# ---------------------------------------------------------------------------------------------------------
# Context


def entry_points(docs: Iterable[Document], config: Config) -> frozenset[str]:
    docs_dir = config.docs_dir.strip("/")
    found = set()
    for doc in docs:
        lower = doc.path.lower()
        if (doc.at_root and lower in ENTRY_NAMES[:2]) or (
            doc.folder == docs_dir and doc.name.lower() in ENTRY_NAMES
        ):
            found.add(doc.path)
    return frozenset(found)


def build_context(inventory: Inventory, groups: Groups, config: Config) -> Context:
    docs = inventory.documents
    # "Now" is the newest change the history records; without history, the newest date a document states.
    commits = [d.dates.last_commit for d in docs if d.dates.last_commit]
    newest = max(commits) if commits else max((d.dates.content or "" for d in docs), default="")
    duplicate_of: dict[str, str] = {}
    duplicate_score: dict[str, float] = {}
    canonicals: set[str] = set()
    versions: set[str] = set()
    for cluster in sorted(groups.duplicates, key=lambda c: c.id):
        if not cluster.canonical:
            continue
        canonicals.add(cluster.canonical)
        for member in cluster.members:
            if member != cluster.canonical and member not in duplicate_of:
                duplicate_of[member] = cluster.canonical
                duplicate_score[member] = cluster.score
                if _versions(member, cluster.canonical, config.docs_dir.strip("/")):
                    versions.add(member)
    series: dict[str, str] = {}
    newer: set[str] = set()
    by_path = inventory.by_path()
    for cluster in groups.series:
        members = [m for m in cluster.members if m in by_path]
        for m in members:
            series[m] = cluster.label
        dated = sorted((by_path[m].dates.best or "", m) for m in members)
        newer.update(m for _, m in dated[:-1])
    # Whether mentioned scripts still exist can only be judged where the inventory lists more than docs.
    others = [f for f in inventory.files if not is_markdown(f)]
    file_names = frozenset(f.rsplit("/", 1)[-1].lower() for f in others) if len(others) >= 20 else frozenset()
    return Context(
        now=newest or None,
        file_names=file_names,
        inbound=inbound_links(build_graph(docs)),
        entry_points=entry_points(docs, config),
        duplicate_of=dict(sorted(duplicate_of.items())),
        duplicate_score=dict(sorted(duplicate_score.items())),
        versions=frozenset(versions),
        documents=frozenset(d.path for d in docs),
        canonicals=frozenset(canonicals),
        series=dict(sorted(series.items())),
        newer_in_series=frozenset(newer),
    )


def _versions(a: str, b: str, docs_dir: str) -> bool:
    """Two files of one name: versions of one document. Beside each other, or a stray copy at the root of
    a page in the docs tree (RELEASE_CHECKLIST.md and docs/go-live/release-checklist.md)."""
    folder_a, _, name_a = a.rpartition("/")
    folder_b, _, name_b = b.rpartition("/")
    # a stray copy: one of the two at the root, the other in the docs tree
    other = folder_a or folder_b
    stray = bool(docs_dir) and not (folder_a and folder_b) and (other + "/").startswith(docs_dir + "/")
    return same_name(parse_name(name_a), parse_name(name_b), folder_a == folder_b or stray)


def root_prior(result: Mapping[str, Classification]) -> float:
    """Log-odds that a root document is history, from the previous pass; 0 when history is not the norm.

    In a root of two hundred reports and twenty guides, a document with mixed signals is far more likely
    a report; in a tidy root the same signals mean little. Capped so the body can still speak.
    """
    root = [
        c for p, c in result.items() if "/" not in p and c.disposition != "keep-root" and c.kind != "pinned"
    ]
    if len(root) < 10:
        return 0.0
    # Leaning, not decided: the share of root documents whose own evidence points to history at all.
    share = (sum(1 for c in root if c.score > 0 or c.canonical) + 1) / (len(root) + 2)
    return round(min(max(math.log(share / (1 - share)), 0.0), PRIOR_CAP), 1)


def classify_all(
    inventory: Inventory, context: Context, evidence: Mapping[str, Evidence], config: Config
) -> dict[str, Classification]:
    """Later passes know which documents earlier ones called history (indexes follow what they list).

    `context` is `build_context`'s, `evidence` each document's `gather_evidence`."""
    result = {d.path: classify(d, context, config, evidence[d.path]) for d in inventory.documents}
    prior = root_prior(result)
    for _ in range(PASSES - 1):
        context = replace(
            context,
            root_prior=prior,
            history_paths=frozenset(p for p, c in result.items() if c.disposition == "archive"),
            live_paths=frozenset(p for p, c in result.items() if c.disposition != "archive"),
        )
        result = {d.path: classify(d, context, config, evidence[d.path]) for d in inventory.documents}
    return result


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
    # Who points readers to a guide: links, and names written in prose ("use QUICK_TEST_COMMANDS.md").
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
    related = [(a, b, score) for a, b, score in groups.related if not {(a, b), (b, a)} <= links]
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
                reasons=(why, *result[member].reasons),
                confidence=round(min(0.9, 0.45 + overlap.score - sim.overlap_threshold), 2),
            )
    # Copies merged into a guide that is now superseded point to the guide that stays.
    for path, c in out.items():
        if c.canonical in replaced and path not in replaced:
            kept = replaced[c.canonical]
            note = f"its canonical {c.canonical} is superseded by {kept}, which readers are pointed to"
            out[path] = replace(c, canonical=kept, reasons=(*c.reasons, note))
    return out, overlaps


def _overlap_cluster(overlap: Overlap) -> Cluster:
    stem = overlap.kept.rsplit(".", 1)[0]
    return Cluster(
        id=f"{OVERLAP_PREFIX}{_slug(stem)}",
        kind="duplicate",
        members=overlap.members,
        canonical=overlap.kept,
        label=" ".join(parse_name(overlap.kept).tokens),
        evidence=(f"overlapping guides to one subject (mean score {overlap.score:.2f})",),
        score=overlap.score,
    )


# ---------------------------------------------------------------------------------------------------------
# Destinations


@dataclass(frozen=True)
class _Draft:
    doc: Document
    cls: Classification
    action: str
    folder: str | None  # where it goes (None: stays)
    canonical: str | None
    extra: tuple[str, ...]
    period: str = ""  # history only: the archive period and group it is filed under
    group: str = ""


def period_of(doc: Document, config: Config) -> str:
    best = doc.dates.best
    if not best:
        return "undated"
    if "{quarter}" in config.archive_layout:
        return f"{best[:4]}-Q{(int(best[5:7]) - 1) // 3 + 1}"
    return best[:7]


def archive_folder(config: Config, period: str, group: str) -> str:
    """The archive folder for `period` and `group`; without a group, the layout's group level is left out."""
    layout = config.archive_layout.replace("{quarter}", "{period}")
    parts = [part.format(period=period, group=group) for part in layout.split("/")]
    return posixpath.join(config.archive_dir.strip("/"), *[p.strip("/") for p in parts if p.strip("/")])


def _group_labels(groups: Groups) -> tuple[dict[str, Cluster], dict[str, str], dict[str, str]]:
    dup: dict[str, Cluster] = {}
    for cluster in sorted(groups.duplicates, key=lambda c: c.id):
        for m in cluster.members:
            dup.setdefault(m, cluster)
    series: dict[str, str] = {}
    for cluster in sorted(groups.series, key=lambda c: c.id):
        for m in cluster.members:
            series.setdefault(m, cluster.label)
    topic: dict[str, str] = {}
    for cluster in sorted(groups.topics, key=lambda c: (-len(c.members), c.id)):
        for m in cluster.members:
            topic.setdefault(m, cluster.label)
    return dup, series, topic


# Words that say what sort of record a file is rather than what it is about.
_RECORD_WORDS = frozenset(
    {
        "status",
        "complete",
        "completed",
        "completion",
        "summary",
        "report",
        "final",
        "done",
        "success",
        "successful",
        "ready",
        "fixed",
        "fix",
        "fixes",
        "session",
        "notes",
        "note",
        "meeting",
        "results",
        "result",
        "review",
        "audit",
        "analysis",
        "update",
        "updates",
        "progress",
        "tracker",
        "plan",
        "old",
        "new",
        "v2",
        "v3",
        "draft",
        "copy",
        "backup",
        "readme",
        "md",
        "the",
        "and",
        "of",
        "for",
        "to",
        "a",
        "implementation",
        "implemented",
        "accomplished",
        "executive",
        "full",
        "comprehensive",
        "quick",
        "checklist",
        "index",
        "certificate",
        "handoff",
        "sprint",
        "week",
        "day",
        "phase",
        "n",
        "doc",
        "docs",
        "documentation",
    }
)


def subject_of(name: str) -> str:
    """What a record is about, from its name: DEPLOYMENT_STATUS.md -> "deployment" ("" if nothing is left)."""
    words = [w for w in parse_name(name).base if w not in _RECORD_WORDS and not w.isdigit()]
    months = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
    words = [w for w in words if w not in months]
    return "-".join(words[:2])


def _unique(dest: str, taken: set[str], source: str) -> str:
    """`dest`, or a variant no other entry or existing file uses (case-insensitively)."""
    if dest.casefold() not in taken:
        return dest
    folder, name = posixpath.split(dest)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    origin = _slug(posixpath.dirname(source).replace("/", "-")) or "root"
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


# ---------------------------------------------------------------------------------------------------------
# The plan


def _drafts(
    inventory: Inventory, classes: Mapping[str, Classification], groups: Groups, config: Config
) -> list[_Draft]:
    by_path = inventory.by_path()
    dup, series, _ = _group_labels(groups)
    docs_dir = config.docs_dir.strip("/")
    drafts: list[_Draft] = []
    for doc in inventory.documents:
        c = classes[doc.path]
        cluster = dup.get(doc.path)
        canonical = c.canonical
        if c.disposition == "keep-root" or (c.disposition == "archive" and c.kind == "archived"):
            drafts.append(_Draft(doc, c, "keep", None, None, ()))
            continue
        if c.kind == "pinned" and c.disposition == "live":
            folder = posixpath.join(docs_dir, c.section) if c.section else None
            if folder is None or doc.folder == folder:
                drafts.append(_Draft(doc, c, "keep", None, None, ()))
            else:
                drafts.append(_Draft(doc, c, "move", folder, None, (f"pinned: moves to {folder}/",)))
            continue
        if c.disposition == "live":
            if doc.at_root:
                section = c.section or "guides"
                drafts.append(
                    _Draft(
                        doc,
                        c,
                        "move",
                        posixpath.join(docs_dir, section),
                        None,
                        (f"living documentation: moves to {docs_dir}/{section}/",),
                    )
                )
            else:
                drafts.append(_Draft(doc, c, "keep", None, None, ("already in the documentation tree",)))
            continue
        # History: grouped by period and by the group it belongs to, not one flat folder.
        if cluster is not None:
            label = subject_of(cluster.label) or cluster.label
            newest = max(
                (by_path[m] for m in cluster.members if m in by_path),
                key=lambda d: (d.dates.best or "", d.path),
            )
            period = period_of(newest, config)
        else:
            label = series.get(doc.path) or subject_of(doc.name) or c.kind
            period = period_of(doc, config)
        group = _slug(label) or _slug(c.kind)
        folder = archive_folder(config, period, group)
        if canonical is not None:
            why = f"merge: {canonical} is the version to read; this copy is archived with a notice"
            drafts.append(_Draft(doc, c, "merge", folder, canonical, (why,), period, group))
        else:
            # its reason names the folder, which _archive_groups settles
            drafts.append(_Draft(doc, c, "archive", folder, None, (), period, group))
    return drafts


def _archive_groups(drafts: list[_Draft], config: Config) -> list[_Draft]:
    """Archive folders a reader can browse: no folder of one or two records.

    Within a period, groups that share a first word (tapmomo, tapmomo-production) gather under that
    word when it names a group of its own or when the small ones are large enough together; a group
    still too small lies loose in the period's folder.
    """

    # Only drafts still bound for the archive: a settled decision may have turned one into a keep.
    def filed(d: _Draft) -> bool:
        return bool(d.group) and d.action in ("archive", "merge")

    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for d in filter(filed, drafts):
        sizes[(d.period, d.group)] += 1
    joining: dict[tuple[str, str], list[str]] = defaultdict(list)
    for period, group in sizes:
        word = group.split("-")[0]
        if group == word or (period, word) in sizes or sizes[(period, group)] < ARCHIVE_FOLDER_MIN:
            joining[(period, word)].append(group)
    formed = {
        key
        for key, members in joining.items()
        if sum(sizes[(key[0], g)] for g in members) >= ARCHIVE_FOLDER_MIN
    }
    final: dict[tuple[str, str], str] = {}
    for (period, group), n in sizes.items():
        word = group.split("-")[0]
        # once the broader folder exists, the larger groups of that word belong in it too
        final[(period, group)] = (
            word if (period, word) in formed else (group if n >= ARCHIVE_FOLDER_MIN else "")
        )

    out = []
    for d in drafts:
        if filed(d):
            group = final[(d.period, d.group)]
            folder = archive_folder(config, d.period, group)
            extra = (f"history: archived under {folder}/",) if d.action == "archive" else d.extra
            d = replace(d, folder=folder, group=group, extra=extra)
        out.append(d)
    return out


def _apply_root_budget(drafts: list[_Draft], config: Config) -> list[_Draft]:
    """Above the budget, the weakest root keepers that are not conventional files move into docs/."""
    keepers = [d for d in drafts if d.doc.at_root and d.action == "keep"]
    if len(keepers) <= config.root_budget:
        return drafts
    movable = sorted(
        (d for d in keepers if not is_conventional(d.doc.name)), key=lambda d: (d.cls.confidence, d.doc.path)
    )
    excess = len(keepers) - config.root_budget
    chosen = {d.doc.path for d in movable[:excess]}
    out = []
    for d in drafts:
        if d.doc.path in chosen:
            section = d.cls.section or section_for(d.doc, config)[0]
            folder = posixpath.join(config.docs_dir.strip("/"), section)
            d = replace(
                d,
                action="move",
                folder=folder,
                extra=(f"root budget of {config.root_budget} files exceeded: moves to {folder}/",),
            )
        out.append(d)
    return out


def _topic_folders(drafts: list[_Draft], groups: Groups, config: Config) -> list[_Draft]:
    """A large topic moving into one section gets a sub-folder of its own."""
    _, _, topic = _group_labels(groups)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for d in drafts:
        if d.action == "move" and d.folder and d.doc.path in topic:
            counts[(d.folder, topic[d.doc.path])] += 1
    out = []
    for d in drafts:
        label = topic.get(d.doc.path)
        if d.action == "move" and d.folder and label and counts[(d.folder, label)] >= TOPIC_FOLDER_MIN:
            d = replace(d, folder=posixpath.join(d.folder, _slug(label.split()[0])))
        out.append(d)
    return out


def secret_warnings(doc: Document) -> tuple[str, ...]:
    """A reviewer must see first that a document holds credentials (masked, never the value)."""
    if not doc.secrets:
        return ()
    found = "; ".join(f"{s.kind} at line {s.line} ({s.masked})" for s in doc.secrets[:5])
    more = f" and {len(doc.secrets) - 5} more" if len(doc.secrets) > 5 else ""
    return (f"WARNING: holds {len(doc.secrets)} credential(s): {found}{more}; remove and rotate them",)


SETTLED_REASON = "placed by the applied consolidation and unchanged since: the reviewed decision stands"


def plan_repository(inventory: Inventory, config: Config, groups: Groups | None = None) -> Plan:
    """`build_plan` for a repository on disk, honouring what its applied plan already settled."""
    root = Path(inventory.root)
    return build_plan(inventory, config, groups, settled_paths(root, load_record(root)))


def build_plan(
    inventory: Inventory, config: Config, groups: Groups | None = None, settled: frozenset[str] = frozenset()
) -> Plan:
    """The plan for `inventory`: one decision per Markdown file, sorted by source.

    `settled` are documents an earlier, applied plan placed and that have not changed since: that
    reviewed decision stands (unless a `pin` setting says otherwise), so planning a consolidated
    repository proposes no moves.
    """
    if groups is None:
        groups = find_document_groups(inventory.documents, config)
    # One context and one reading of each document serve every classification pass and the overlaps.
    context = build_context(inventory, groups, config)
    evidence = {d.path: gather_evidence(d) for d in inventory.documents}
    classes = classify_all(inventory, context, evidence, config)
    classes, overlaps = supersede_overlaps(classes, inventory, groups, context, evidence, config)
    drafts = _drafts(inventory, classes, groups, config)
    drafts = [
        replace(d, action="keep", folder=None, canonical=None, extra=(SETTLED_REASON,))
        if d.doc.path in settled and d.action != "keep" and d.cls.kind != "pinned"
        else d
        for d in drafts
    ]
    drafts = _apply_root_budget(drafts, config)
    drafts = _topic_folders(drafts, groups, config)
    drafts = _archive_groups(drafts, config)

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

    # Only the duplicate groups the plan acts on: a group whose members all stay was not judged duplicates.
    merged = {e.source for e in entries if e.action == "merge"}
    acted = tuple(c for c in groups.duplicates if merged.intersection(c.members))
    acted += tuple(_overlap_cluster(o) for o in overlaps if merged.intersection(o.members))
    clusters = tuple(sorted(acted + groups.topics, key=lambda c: (c.kind, c.id)))
    root_before = sum(1 for d in inventory.documents if d.at_root)
    root_after = sum(1 for e in entries if "/" not in e.source and e.action == "keep")
    counts = {a: sum(1 for e in entries if e.action == a) for a in ("keep", "move", "archive", "merge")}
    header = PlanHeader(
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
    return Plan(
        header=header, entries=tuple(entries), clusters=clusters, broken_links=broken_links(inventory)
    )
