"""Near-duplicate groups, topic clusters and series among a repository's documents.

This module puts the stage together; each part documents its method, and why, where its code is:

* `vectors`: each document's cleaned prose, its TF-IDF row, and its nearest content neighbours found
  block by block (sparse top-k), never through an all-pairs matrix.
* `pairs`: which pairs are scored (content neighbours, related names or titles, documents listed or
  linked together, identical text) and their combined score.
* `grouping`: duplicate sets by average linkage with a floor, the canonical member of each and the
  sections it lacks, series, and topics (Louvain communities of the neighbour graph).
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

from rich.console import Console
from rich.markup import escape

from ..core.config import SimilarityConfig
from ..core.models import Cluster, Document
from .folders import Units
from .grouping import (
    _duplicate_clusters,
    average_linkage,
    duplicate_sets,
    related_pairs,
    series_clusters,
    topic_clusters,
    unique_sections,
)
from .pairs import (
    PARALLEL_PAIRS,
    PairScore,
    _Index,
    candidate_pairs,
    named_reference_pages,
    same_name,
    score_pairs,
)
from .prose import document_text
from .vectors import (
    SEARCH_MAX_DF,
    SEARCH_PRUNE_FROM,
    Pair,
    neighbour_ranks,
    tfidf_matrix,
    top_k_neighbours,
)

# The stage's names, as other stages and the tests import them from here.
__all__ = [
    "Groups",
    "PairScore",
    "_Index",
    "average_linkage",
    "document_text",
    "find_groups",
    "groups_to_dict",
    "named_reference_pages",
    "related_pairs",
    "render_groups",
    "same_name",
    "start_groups",
    "tfidf_matrix",
    "top_k_neighbours",
    "unique_sections",
]


@dataclass(frozen=True)
class Groups:
    duplicates: tuple[Cluster, ...]
    topics: tuple[Cluster, ...]
    series: tuple[Cluster, ...]
    # scored pairs below duplicate level whose names or titles are related: (path, path, score), sorted.
    # Classification uses them to find several guides to one procedure.
    related: tuple[tuple[str, str, float], ...] = ()
    # What the analysis found of the documents' folders while scoring, carried so that deciding reads
    # them instead of finding them again: the structured folders of the documents' paths, and the
    # documents titled by their own name in a reference named by subject (`pairs.named_reference_pages`).
    # None in groups made without the analysis (by hand, in tests): `evidence.build_context` finds them.
    units: Units | None = None
    named_subjects: frozenset[str] | None = None


# ---------------------------------------------------------------------------------------------------------
# Entry points


def find_groups(
    docs: Sequence[Document],
    config: SimilarityConfig | None = None,
    *,
    topics: bool = True,
    prepared: Mapping[str, object] | None = None,
) -> Groups:
    """Duplicate groups, topic clusters and series among `docs` (any order; output is sorted).

    `topics=False` skips the topic clusters (the duplicate and series results do not depend on them).
    `prepared` may hold, by blob id, `prose.prepare` of documents' parses (computed by the scan's
    workers): what it lacks is computed here, with the same result.
    """
    groups, later = start_groups(docs, config, topics=topics, prepared=prepared, fork_topics=False)
    return replace(groups, topics=later.result())


# From this many documents on, `start_groups` may find the topic clusters in a process forked from this
# one: Louvain on the neighbour graph is pure Python, about 7 s of one core on a reference tree of
# 40,000 pages, and what the plan does next (classifying) does not read topics, only the layout does.
# Below it the topics take a fraction of a second, less than the fork would save.
TOPICS_FORK_FROM = 5_000


class Topics:
    """Topic clusters, found already or being found in a forked process; `result` has them either way."""

    def __init__(
        self,
        found: tuple[Cluster, ...] = (),
        *,
        pool: ProcessPoolExecutor | None = None,
        future: Future[list[Cluster]] | None = None,
        inputs: tuple[_Index, dict[Pair, float]] | None = None,
    ) -> None:
        self._found = found
        self._pool = pool
        self._future = future
        self._inputs = inputs  # to find them here after all, should the forked process fail

    def result(self) -> tuple[Cluster, ...]:
        if self._pool is not None and self._future is not None:
            try:
                self._found = tuple(self._future.result())
            except Exception:
                # A worker killed or failing (memory, a signal): the same clusters, found here instead.
                assert self._inputs is not None
                self._found = tuple(topic_clusters(*self._inputs))
            finally:
                self._pool.shutdown()
                self._pool, self._future, self._inputs = None, None, None
        return self._found


_FORKED_TOPICS: tuple[_Index, dict[Pair, float]] | None = None  # what the forked process reads


def _forked_topics() -> list[Cluster]:
    # No collection in the forked process, which lives for this one call: a full pass would write to
    # every object it inherited and so copy most of the parent's memory, page by page, to find nothing.
    gc.disable()
    assert _FORKED_TOPICS is not None
    return topic_clusters(*_FORKED_TOPICS)


def _fork_topics(index: _Index, neighbours: dict[Pair, float]) -> Topics:
    """`topic_clusters(index, neighbours)`, found in a process forked from this one: it reads them from
    its copy of this process's memory (nothing is pickled to it), and only the clusters come back."""
    global _FORKED_TOPICS
    _FORKED_TOPICS = (index, neighbours)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        future = pool.submit(_forked_topics)  # with `fork`, the process starts here, in this call
    finally:
        _FORKED_TOPICS = None
    return Topics(pool=pool, future=future, inputs=(index, neighbours))


def start_groups(
    docs: Sequence[Document],
    config: SimilarityConfig | None = None,
    *,
    topics: bool = True,
    prepared: Mapping[str, object] | None = None,
    fork_topics: bool = True,
) -> tuple[Groups, Topics]:
    """`find_groups`, with the topic clusters apart: the groups (their `topics` empty) and the topics,
    whose `result` waits for them. With `fork_topics`, on a large repository (`TOPICS_FORK_FROM`, and
    Linux, where `fork` is safe) they are found in a forked process while the caller goes on with the
    groups, on the second core; the clusters are the same either way."""
    config = config or SimilarityConfig()
    ordered = sorted(docs, key=lambda d: d.path)
    if not ordered:
        return Groups((), (), ()), Topics()
    index = _Index(ordered, config, prepared or {})
    neighbours = top_k_neighbours(
        index.content,
        config.neighbours,
        min(config.candidate_cosine, config.topic_cosine),
        prune_df=SEARCH_MAX_DF if len(ordered) > SEARCH_PRUNE_FROM else None,
    )
    index.ranks = neighbour_ranks(len(ordered), neighbours)
    pairs = sorted(candidate_pairs(index, neighbours))
    # Not beside forked pair scoring: that forks again, and a fork must not copy this process while the
    # topics pool's thread may hold a lock. There the topics are found while those workers score.
    forked = (
        topics
        and fork_topics
        and len(ordered) >= TOPICS_FORK_FROM
        and len(pairs) < PARALLEL_PAIRS
        and sys.platform.startswith("linux")
    )
    later = _fork_topics(index, neighbours) if forked else None
    topic_list: list[Cluster] = []

    def find_topics() -> None:  # needs the neighbours, not the scores: done while workers score
        if topics and not forked:
            topic_list.extend(topic_clusters(index, neighbours))

    scored = score_pairs(index, pairs, meanwhile=find_topics)
    sets = duplicate_sets(index, scored)
    duplicates = _duplicate_clusters(index, sets, scored)
    series = series_clusters(ordered, index.names)
    named = frozenset(d.path for d, is_named in zip(ordered, index.named, strict=True) if is_named)
    groups = Groups(
        tuple(duplicates),
        (),
        tuple(series),
        related_pairs(index, scored),
        units=index.units,
        named_subjects=named,
    )
    return groups, later if later is not None else Topics(tuple(topic_list))


def groups_to_dict(groups: Groups) -> dict[str, list[dict[str, object]]]:
    """JSON-ready, in a stable order."""

    def one(cluster: Cluster) -> dict[str, object]:
        return {
            "id": cluster.id,
            "kind": cluster.kind,
            "label": cluster.label,
            "canonical": cluster.canonical,
            "members": list(cluster.members),
            "score": cluster.score,
            "evidence": list(cluster.evidence),
            "unique_content": {member: list(items) for member, items in cluster.unique_content},
        }

    return {
        "duplicates": [one(c) for c in sorted(groups.duplicates, key=lambda c: c.id)],
        "topics": [one(c) for c in sorted(groups.topics, key=lambda c: c.id)],
        "series": [one(c) for c in sorted(groups.series, key=lambda c: c.id)],
    }


def render_groups(groups: Groups, console: Console, *, evidence: bool = True, topics: bool = True) -> None:
    """What the `clusters` command prints: duplicates (canonical first), series, then topics."""
    from rich.table import Table
    from rich.tree import Tree

    if groups.duplicates:
        console.print(f"[bold]Duplicate groups[/bold] ({len(groups.duplicates)})")
        for cluster in groups.duplicates:
            tree = Tree(
                f"[bold]{escape(cluster.id)}[/bold]  score {cluster.score:.2f}  "
                f"keep [green]{escape(cluster.canonical or '-')}[/green]"
            )
            unique = dict(cluster.unique_content)
            for member in cluster.members:
                if member == cluster.canonical:
                    continue
                extra = unique.get(member, ())
                note = f"  [yellow]{len(extra)} section(s) the canonical lacks[/yellow]" if extra else ""
                branch = tree.add(f"{escape(member)}{note}")
                for item in extra:
                    branch.add(f"[dim]{escape(item)}[/dim]")
            if evidence:
                why = tree.add("[dim]evidence[/dim]")
                for line in cluster.evidence:
                    why.add(f"[dim]{escape(line)}[/dim]")
            console.print(tree)
    else:
        console.print("No duplicate groups.")
    if groups.series:
        table = Table(title=f"Series ({len(groups.series)})", title_justify="left")
        table.add_column("template")
        table.add_column("documents", justify="right")
        table.add_column("members")
        for cluster in groups.series:
            table.add_row(
                escape(cluster.label), str(len(cluster.members)), escape(", ".join(cluster.members))
            )
        console.print(table)
    if topics and groups.topics:
        table = Table(title=f"Topics ({len(groups.topics)})", title_justify="left")
        table.add_column("topic")
        table.add_column("documents", justify="right")
        table.add_column("members")
        for cluster in groups.topics:
            shown = ", ".join(cluster.members[:8]) + (" ..." if len(cluster.members) > 8 else "")
            table.add_row(escape(cluster.label), str(len(cluster.members)), escape(shown))
        console.print(table)
