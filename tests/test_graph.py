from __future__ import annotations

from dataclasses import replace

from simdocs import make_doc

from consolidator.analysis.graph import build_graph, graph_facts, inbound_links
from consolidator.core.models import Document, Link


def small_site() -> list[Document]:
    pages = ("A.md", "B.md", "C.md", "D.md", "E.md")
    index = "# Index\n" + "\n".join(f"- {p}" for p in pages)
    docs = [
        make_doc("INDEX.md", index, links=pages),
        make_doc("A.md", "# A\nAlpha text that links on to bravo.", links=("B.md", "B.md")),
        make_doc("B.md", "# B\nBravo text.", links=("A.md",)),
        make_doc("C.md", "# C\nCharlie text.", links=("D.md",)),
        make_doc("D.md", "# D\nDelta text.", links=("C.md",)),
        make_doc("E.md", "# E\nEcho text.", links=("C.md", "missing.md")),
        make_doc("LONELY.md", "# Lonely\nNobody links here and it links nowhere."),
    ]
    # an image and an external link are not edges between documents
    images = (
        Link(target="A.md", kind="inline", line=2, is_image=True, path="A.md", exists=True),
        Link(target="https://example.com", kind="inline", line=2, external=True),
    )
    docs[-1] = replace(docs[-1], links=images)
    return docs


def test_build_graph_nodes_edges_and_counts() -> None:
    graph = build_graph(small_site())
    assert sorted(graph.nodes) == ["A.md", "B.md", "C.md", "D.md", "E.md", "INDEX.md", "LONELY.md"]
    assert graph.edges["A.md", "B.md"]["count"] == 2
    assert not graph.has_edge("E.md", "missing.md")
    assert graph.out_degree("LONELY.md") == 0
    assert graph.nodes["INDEX.md"]["title"] == "Index"


def test_graph_facts() -> None:
    facts = graph_facts(build_graph(small_site()))
    assert facts.inbound_of("C.md") == 3
    assert facts.inbound_of("INDEX.md") == 0
    assert dict(facts.outbound)["INDEX.md"] == 5
    assert facts.hubs == ("INDEX.md",)
    assert facts.index_pages == ("INDEX.md",)
    assert facts.orphans == ("INDEX.md", "LONELY.md")
    # pages the index lists together are co-cited by it
    cocited = {(a, b): n for a, b, n in facts.cocited}
    assert cocited[("A.md", "B.md")] == 1
    assert ("A.md", "LONELY.md") not in cocited
    coupled = {(a, b): n for a, b, n in facts.coupled}
    # D and E both link to C
    assert coupled[("D.md", "E.md")] == 1
    members = {frozenset(c) for c in facts.communities}
    assert any({"C.md", "D.md"} <= c for c in members)
    assert all("LONELY.md" not in c for c in members)


def test_graph_facts_are_deterministic() -> None:
    docs = small_site()
    assert graph_facts(build_graph(docs)) == graph_facts(build_graph(list(reversed(docs))))


def test_empty_graph() -> None:
    facts = graph_facts(build_graph([]))
    assert facts.inbound == () and facts.communities == () and facts.orphans == ()


def test_inbound_links_are_who_links_to_each_document() -> None:
    inbound = inbound_links(build_graph(small_site()))
    # two links from A to B count once; the image from LONELY to A is no reader's link; nothing links to
    # INDEX.md, E.md or LONELY.md, so they are absent
    assert inbound == {
        "A.md": ("B.md", "INDEX.md"),
        "B.md": ("A.md", "INDEX.md"),
        "C.md": ("D.md", "E.md", "INDEX.md"),
        "D.md": ("C.md", "INDEX.md"),
        "E.md": ("INDEX.md",),
    }
