"""The link graph between documents, and what it says about them.

Nodes are document paths; an edge a -> b means a links to b (images and links that leave the set of
documents are not edges; several links from a to b make one edge with a `count`). From it:
inbound counts (what readers reach), hubs and index pages (documents that mostly list other documents),
orphans (nothing links to them), co-citation (two documents listed by the same pages) and coupling (two
documents listing the same pages), and communities (Louvain on the undirected graph, fixed seed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from ..core.models import Document

# A page whose links to other documents make up this share of its lines or more reads as an index.
INDEX_LINK_SHARE = 0.25
# A hub links to at least this many documents.
HUB_MIN_LINKS = 5
# A page listing more documents than this says little about any pair it lists (co-citation).
COCITATION_MAX_LIST = 60


@dataclass(frozen=True)
class GraphFacts:
    inbound: tuple[tuple[str, int], ...]  # path -> documents linking to it, every node, sorted by path
    outbound: tuple[tuple[str, int], ...]  # path -> documents it links to
    hubs: tuple[str, ...]  # link to many documents, most first
    index_pages: tuple[str, ...]  # hubs that are mostly a list of links
    orphans: tuple[str, ...]  # no other document links to them
    communities: tuple[tuple[str, ...], ...]  # largest first, members sorted
    cocited: tuple[tuple[str, str, int], ...]  # pairs listed together by n pages, most first
    coupled: tuple[tuple[str, str, int], ...]  # pairs that share n link targets, most first

    def inbound_of(self, path: str) -> int:
        return dict(self.inbound).get(path, 0)


def build_graph(docs: Sequence[Document]) -> nx.DiGraph:
    graph = nx.DiGraph()
    known = {d.path for d in docs}
    for doc in sorted(docs, key=lambda d: d.path):
        graph.add_node(doc.path, title=doc.title, lines=doc.lines, words=doc.words)
    for doc in sorted(docs, key=lambda d: d.path):
        counts: Counter[str] = Counter(
            link.path
            for link in doc.links
            if link.path in known and link.path != doc.path and not link.is_image and not link.external
        )
        for target, count in sorted(counts.items()):
            graph.add_edge(doc.path, target, count=count)
    return graph


def inbound_links(graph: nx.DiGraph) -> dict[str, tuple[str, ...]]:
    """Path -> the documents linking to it (sorted), for every document something links to."""
    return {n: tuple(sorted(graph.predecessors(n))) for n in sorted(graph.nodes) if graph.in_degree(n)}


def _pair_counts(groups: list[list[str]]) -> tuple[tuple[str, str, int], ...]:
    counts: Counter[tuple[str, str]] = Counter()
    for members in groups:
        if 2 <= len(members) <= COCITATION_MAX_LIST:
            counts.update(combinations(sorted(members), 2))
    return tuple(sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda t: (-t[2], t[0], t[1])))


def graph_facts(graph: nx.DiGraph) -> GraphFacts:
    nodes = sorted(graph.nodes)
    inbound = tuple((n, graph.in_degree(n)) for n in nodes)
    outbound = tuple((n, graph.out_degree(n)) for n in nodes)
    hubs = sorted(
        (n for n in nodes if graph.out_degree(n) >= HUB_MIN_LINKS), key=lambda n: (-graph.out_degree(n), n)
    )
    index_pages = []
    for node in hubs:
        lines = max(1, int(graph.nodes[node].get("lines", 0) or 0))
        link_lines = sum(int(graph.edges[node, t].get("count", 1)) for t in graph.successors(node))
        if link_lines / lines >= INDEX_LINK_SHARE:
            index_pages.append(node)
    orphans = tuple(n for n in nodes if graph.in_degree(n) == 0)
    cocited = _pair_counts([sorted(graph.successors(n)) for n in nodes])
    coupled = _pair_counts([sorted(graph.predecessors(n)) for n in nodes])
    communities: list[tuple[str, ...]] = []
    undirected = graph.to_undirected()
    if undirected.number_of_edges():
        found = nx.community.louvain_communities(undirected, seed=7)
        communities = sorted((tuple(sorted(c)) for c in found if len(c) > 1), key=lambda c: (-len(c), c))
    return GraphFacts(
        inbound=inbound,
        outbound=outbound,
        hubs=tuple(hubs),
        index_pages=tuple(index_pages),
        orphans=orphans,
        communities=tuple(communities),
        cocited=cocited,
        coupled=coupled,
    )
