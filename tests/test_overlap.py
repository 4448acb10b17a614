from __future__ import annotations

from pathlib import Path

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import Groups, PairScore, _Index, related_pairs
from consolidator.core.config import Config
from consolidator.core.models import Cluster, Document
from consolidator.decide.overlap import overlap_groups, reduce_overlaps
from consolidator.decide.plan import build_plan
from tests.conftest import write_files

RELATED = [
    ("DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md", 0.56),
    ("DEPLOY_NOW.md", "QUICK_DEPLOY.md", 0.39),
    ("PAGES_DEPLOYMENT.md", "QUICK_DEPLOY.md", 0.49),
    ("TESTING_GUIDE.md", "QUICK_DEPLOY.md", 0.26),
]


def test_overlap_groups_use_average_linkage() -> None:
    paths = ["DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md", "QUICK_DEPLOY.md", "TESTING_GUIDE.md"]
    groups = overlap_groups(paths, RELATED, threshold=0.4, floor=0.25)
    assert [members for members, _ in groups] == [["DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md", "QUICK_DEPLOY.md"]]
    assert round(groups[0][1], 3) == round((0.56 + 0.39 + 0.49) / 3, 3)
    # a pair outside the candidate paths is ignored
    assert overlap_groups(paths[:1] + paths[3:], RELATED, 0.4, 0.25) == []


def test_reduce_overlaps_keeps_the_highest_ranked_member() -> None:
    paths = ["DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md", "QUICK_DEPLOY.md"]
    rank = {"DEPLOY_NOW.md": (0, 1, "2025-03-01", 300), "PAGES_DEPLOYMENT.md": (1, 0, "2025-01-01", 100)}
    rank["QUICK_DEPLOY.md"] = (0, 5, "2025-04-01", 900)
    (found,) = reduce_overlaps(paths, RELATED, rank, 0.4, 0.25)
    assert found.kept == "PAGES_DEPLOYMENT.md"  # linked from an entry point outranks everything else
    assert reduce_overlaps(paths, RELATED, rank, 0.0, 0.25) == []  # 0 turns the reduction off


def test_a_member_the_kept_guide_does_not_resemble_is_not_superseded_by_it() -> None:
    # QUICK_DEPLOY joins the group through PAGES_DEPLOYMENT (average linkage); DEPLOY_NOW stays, and
    # QUICK_DEPLOY and DEPLOY_NOW score under the threshold: it does not retell the guide that stays
    paths = ["DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md", "QUICK_DEPLOY.md"]
    rank = {p: (0, 0, "2025-01-01", 100) for p in paths}
    rank["DEPLOY_NOW.md"] = (1, 0, "2025-01-01", 100)
    (found,) = reduce_overlaps(paths, RELATED, rank, 0.4, 0.25)
    assert found.kept == "DEPLOY_NOW.md"
    assert found.members == ("DEPLOY_NOW.md", "PAGES_DEPLOYMENT.md")
    assert found.score == 0.56


def test_documents_of_two_genres_are_not_versions_of_each_other() -> None:
    # A design document and the roadmap that builds it share the system's words, but neither replaces
    # the other; a quick start still retells the setup guide it overlaps.
    paths = ["SYSTEM_ARCHITECTURE.md", "BUILD_ROADMAP.md", "SETUP_GUIDE.md", "QUICK_START.md"]
    related = [
        ("BUILD_ROADMAP.md", "SYSTEM_ARCHITECTURE.md", 0.55),
        ("QUICK_START.md", "SETUP_GUIDE.md", 0.55),
        ("BUILD_ROADMAP.md", "SETUP_GUIDE.md", 0.5),
    ]
    rank = {p: (0, i, "2025-01-01", 100) for i, p in enumerate(paths)}
    (found,) = reduce_overlaps(paths, related, rank, 0.4, 0.25)
    assert found.members == ("QUICK_START.md", "SETUP_GUIDE.md")
    assert found.kept == "QUICK_START.md"


GUIDE = (
    "# {title}\n\nLast updated: 2025-06-01\n\n## Prerequisites\n\nInstall the CLI.\n\n## Steps\n\n"
    "Run the following command to deploy the site, then open the settings file.\n\n## Troubleshooting\n\n"
    "Check the logs.\n"
)


def _plan(root: Path, related: list[tuple[str, str, float]]) -> dict[str, tuple[str, str | None]]:
    inventory = scan_repo(root, config=Config())
    plan = build_plan(inventory, Config(), Groups((), (), (), tuple(sorted(related))))
    return {e.source: (e.action, e.canonical) for e in plan.entries}


def test_overlapping_root_guides_reduce_to_the_one_readers_reach(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": "# Site\n\nTo ship it, follow [the deployment guide](PAGES_DEPLOYMENT.md).\n",
            "DEPLOY_NOW.md": GUIDE.format(title="Deploy now"),
            "PAGES_DEPLOYMENT.md": GUIDE.format(title="Pages deployment"),
            "QUICK_DEPLOY.md": GUIDE.format(title="Quick deploy"),
            "docs/ops/deploy.md": GUIDE.format(title="Deploy"),
            "docs/ops/deploy-quick.md": GUIDE.format(title="Deploy quickly"),
        },
    )
    related = [*RELATED[:3], ("docs/ops/deploy-quick.md", "docs/ops/deploy.md", 0.7)]
    got = _plan(tmp_path, related)
    assert got["PAGES_DEPLOYMENT.md"] == ("move", None)
    assert got["DEPLOY_NOW.md"] == ("merge", "PAGES_DEPLOYMENT.md")
    assert got["QUICK_DEPLOY.md"] == ("merge", "PAGES_DEPLOYMENT.md")
    # pages of an organised docs tree are never reduced
    assert got["docs/ops/deploy.md"] == got["docs/ops/deploy-quick.md"] == ("keep", None)


def test_companions_that_link_each_other_are_not_versions(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "README.md": "# Site\n",
            "DEPLOY_GUIDE.md": GUIDE.format(title="Deploy guide")
            + "\nTick the [checklist](DEPLOY_CHECKLIST.md).\n",
            "DEPLOY_CHECKLIST.md": GUIDE.format(title="Deploy checklist")
            + "\nHow: [guide](DEPLOY_GUIDE.md).\n",
        },
    )
    got = _plan(tmp_path, [("DEPLOY_CHECKLIST.md", "DEPLOY_GUIDE.md", 0.6)])
    assert got["DEPLOY_GUIDE.md"] == got["DEPLOY_CHECKLIST.md"] == ("move", None)


def test_guides_a_front_page_lists_side_by_side_are_not_versions(tmp_path: Path) -> None:
    # The README presents a members' guide and an operators' guide as two pages: they stay two, though
    # their names and wording look alike. A record listing both proves nothing.
    write_files(
        tmp_path,
        {
            "README.md": "# Site\n\n- [Members](MEMBER_GUIDE.md)\n- [Operators](OPERATOR_GUIDE.md)\n",
            "MEMBER_GUIDE.md": GUIDE.format(title="Member guide"),
            "OPERATOR_GUIDE.md": GUIDE.format(title="Operator guide"),
            "DEPLOY_NOW.md": GUIDE.format(title="Deploy now"),
            "QUICK_DEPLOY.md": GUIDE.format(title="Quick deploy"),
            "WORK_DONE.md": "# Work done\n\nWrote DEPLOY_NOW.md and QUICK_DEPLOY.md.\n",
        },
    )
    related = [("MEMBER_GUIDE.md", "OPERATOR_GUIDE.md", 0.6), ("DEPLOY_NOW.md", "QUICK_DEPLOY.md", 0.6)]
    got = _plan(tmp_path, related)
    assert got["MEMBER_GUIDE.md"] == got["OPERATOR_GUIDE.md"] == ("move", None)
    assert {got["DEPLOY_NOW.md"][0], got["QUICK_DEPLOY.md"][0]} == {"move", "merge"}


def _docs(tmp_path: Path, files: dict[str, str]) -> list[Document]:
    write_files(tmp_path, files)
    return sorted(scan_repo(tmp_path, config=Config()).documents, key=lambda d: d.path)


def test_related_pairs_need_related_names_or_titles(tmp_path: Path) -> None:
    docs = _docs(tmp_path, {f"{n}.md": f"# {n}\n\nText {i}.\n" for i, n in enumerate(("A", "B", "C", "D"))})
    index = _Index(docs, Config().similarity)

    def pair(score: float, name: float, title: float) -> PairScore:
        return PairScore(score, 0.6, name, title, 0.0, 0.0, 0.0, False, False, False)

    scored = {
        (0, 1): pair(0.45, name=0.6, title=0.0),  # related by name
        (0, 2): pair(0.45, name=0.0, title=0.3),  # related by title
        (1, 2): pair(0.45, name=0.05, title=0.0),  # alike in wording only: a tooling page and a guide
        (2, 3): pair(0.2, name=0.9, title=0.9),  # related names, too little in common
    }
    assert related_pairs(index, scored) == (("A.md", "B.md", 0.45), ("A.md", "C.md", 0.45))


# Two specifications of different interfaces of one made-up system: their shared schema boilerplate
# makes them score alike (0.50), over the overlap bar but under the bar for folding live documents.
SPEC = (
    "# {title}\n\nThis specification defines the {feed} feed of the Orchard system.\n\n"
    "## Transport\n\nMessages are JSON over HTTPS, one object per line, UTF-8 encoded.\n\n"
    "## Envelope\n\n| field | type | meaning |\n|---|---|---|\n| id | string | message id |\n"
    "| sent_at | timestamp | when the producer sent it |\n| version | integer | schema version |\n\n"
    "## {feed} payload\n\n{payload}\n\n## Errors\n\nA consumer rejects a message whose version it does "
    "not know.\n"
)
SPECS = {
    "README.md": "# Orchard\n\nA made-up system with two feeds.\n",
    "ORCHARD_HARVEST_FEED_SPEC.md": SPEC.format(
        title="Harvest feed specification",
        feed="harvest",
        payload="Each message carries a crate count, a row number and the picker's badge.",
    ),
    "ORCHARD_WEATHER_FEED_SPEC.md": SPEC.format(
        title="Weather feed specification",
        feed="weather",
        payload="Each message carries a temperature, a wind speed and the station's code.",
    ),
}


def _spec_plan(root: Path) -> dict[str, tuple[str, str | None, tuple[str, ...]]]:
    write_files(root, SPECS)
    inventory = scan_repo(root, config=Config())
    a, b = "ORCHARD_HARVEST_FEED_SPEC.md", "ORCHARD_WEATHER_FEED_SPEC.md"
    group = Cluster(
        id="dup-orchard", kind="duplicate", members=(a, b), canonical=a, label="orchard", score=0.5
    )
    plan = build_plan(inventory, Config(), Groups((group,), (), (), ((a, b, 0.5),)))
    return {e.source: (e.action, e.canonical, tuple(r.text for r in e.reasons)) for e in plan.entries}


def test_a_document_the_overlap_step_supersedes_is_no_longer_left_for_review(tmp_path: Path) -> None:
    # Classification leaves the weather specification live beside the group it resembles (it reads as
    # documentation of its own, and its group scores under the bar for folding live documents); the
    # overlap step then reduces the two to one. The entry says why it is merged, and no longer that it
    # was left for review: a plan that says both contradicts itself.
    got = _spec_plan(tmp_path)
    action, canonical, reasons = got["ORCHARD_WEATHER_FEED_SPEC.md"]
    assert (action, canonical) == ("merge", "ORCHARD_HARVEST_FEED_SPEC.md")
    assert any(r.startswith("superseded: one of 2 overlapping guides") for r in reasons)
    assert not any("left for review" in r for r in reasons)
    # the evidence it was weighed on is still there
    assert "file name says it is a reference" in reasons


def test_no_entry_both_leaves_its_pair_for_review_and_merges(tmp_path: Path) -> None:
    got = _spec_plan(tmp_path)
    contradictory = [
        path
        for path, (action, _, reasons) in got.items()
        if action == "merge" and any("left for review" in r for r in reasons)
    ]
    assert contradictory == []
    assert any(action == "merge" for action, _, _ in got.values())
