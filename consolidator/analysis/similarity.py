"""Near-duplicate groups, topic clusters and series among a repository's documents.

Method, and why (the code is in `vectors`, `pairs` and `grouping`; this module puts them
together):

* Content: scikit-learn TF-IDF over each document's prose (code, front matter and HTML are already gone;
  here emoji and other symbols, badges, link targets and bare URLs, tables of contents, table rules and
  lines repeated across many documents go too). Word unigrams, sublinear tf, English stop words, words
  starting with a letter (numbers change between rewrites without changing the subject). On the labelled
  corpus, pairs of one group were ranked best by word unigrams (average precision 0.37), then
  unigrams+bigrams (0.35) and character 3-5-grams (0.32): rewrites of one document share vocabulary, not
  phrasing or spelling, and character n-grams multiply the non-zeros of every row, which is what the
  neighbour search pays for.

* Neighbours without an all-pairs matrix: rows are L2-normalised, so a cosine is a sparse dot product.
  The search multiplies one block of rows at a time by the transposed matrix and keeps each row's k best
  neighbours above a floor (sparse top-k). Memory is O(block * n) for one block plus O(n * k) for the
  result, never O(n^2). Above a thousand documents, terms found in more than SEARCH_MAX_DF documents are
  left out of the search (not of the scores): they are what makes the product dense, and near-duplicates
  share plenty of rarer terms; the cosines found are recomputed exactly. Top-k rather than MinHash LSH
  or a threshold join: it is exact for the k best (LSH misses pairs by design and needs its bands
  tuned to one threshold), it yields the neighbour ranks the score uses, and its cost is a few sparse
  products scipy runs in C (see benchmarks/similarity_bench.py: faster than MinHashLSH at higher recall).

* More candidates than content finds: names (after version markers are out) or titles that share rare
  words, one base name (`DEPLOYMENT_GUIDE_OLD` / `deployment-guide-v2`), documents an index lists
  together, direct links, identical text. Regenerated AI reports share little wording but keep the name
  words, the outline, the dates and the index that lists them.

* Each candidate pair gets a combined score (weights in SimilarityConfig, chosen on labelled data): content
  cosine, mutual neighbour rank, file-name similarity (rapidfuzz on normalised names, words weighted by
  how rare they are in this repository), title words, headings (outline overlap), links (direct,
  co-citation, coupling) and closeness of creation dates. Rules set a floor under it: names equal apart
  from version markers; the same outline between nearest content neighbours (a rewrite); two index pages
  of one folder listing the same documents. Members of one series (`WEEK_1_STATUS`, `WEEK_2_STATUS`,
  `SESSION_2025_02_20` / `SESSION_2025_04_03`) are penalised unless their text really repeats, and
  conventional files (README, CHANGELOG ...) are never versions of another name.

* Groups by average linkage with a floor, not single linkage: clusters merge only while the mean score
  over all their cross pairs clears the threshold and no cross pair is below the floor, so one strong
  pair cannot chain unrelated documents together. Exact duplicates (same text after normalising
  whitespace and case) always score 1.

* Canonical member: see `canonical_key`. For every other member, the sections whose text the canonical
  lacks (`unique_sections`).

* Topics: Louvain communities (fixed seed) of the content-neighbour graph, labelled by their top terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape

from ..core.config import SimilarityConfig
from ..core.models import Cluster, Document
from .grouping import (
    _duplicate_clusters,
    average_linkage,
    duplicate_sets,
    related_pairs,
    series_clusters,
    topic_clusters,
    unique_sections,
)
from .pairs import PairScore, _Index, candidate_pairs, same_name, score_pairs
from .vectors import (
    SEARCH_MAX_DF,
    SEARCH_PRUNE_FROM,
    document_text,
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
    "related_pairs",
    "render_groups",
    "same_name",
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


# ---------------------------------------------------------------------------------------------------------
# Entry points


def find_groups(
    docs: Sequence[Document], config: SimilarityConfig | None = None, *, topics: bool = True
) -> Groups:
    """Duplicate groups, topic clusters and series among `docs` (any order; output is sorted).

    `topics=False` skips the topic clusters (the duplicate and series results do not depend on them).
    """
    config = config or SimilarityConfig()
    ordered = sorted(docs, key=lambda d: d.path)
    if not ordered:
        return Groups((), (), ())
    index = _Index(ordered, config)
    neighbours = top_k_neighbours(
        index.content,
        config.neighbours,
        min(config.candidate_cosine, config.topic_cosine),
        prune_df=SEARCH_MAX_DF if len(ordered) > SEARCH_PRUNE_FROM else None,
    )
    index.ranks = neighbour_ranks(len(ordered), neighbours)
    pairs = sorted(candidate_pairs(index, neighbours))
    scored = score_pairs(index, pairs)
    sets = duplicate_sets(index, scored)
    duplicates = _duplicate_clusters(index, sets, scored)
    topic_list = topic_clusters(index, neighbours) if topics else []
    series = series_clusters(ordered, index.names)
    return Groups(tuple(duplicates), tuple(topic_list), tuple(series), related_pairs(index, scored))


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
