"""Several guides to one procedure at the root, reduced to the one readers are pointed to.

Sprawl repeats itself: a deployment guide, a "deploy now" quick start, a quick reference of the same
steps and a README for the same pipeline, each written in a different session. None is a copy of
another (they are not duplicates), but together they are one procedure told four times. Among the
root documents classification keeps as live documentation, those that overlap (mean combined
similarity at least `overlap_threshold`, with related names or titles) form a group; the member
readers already reach (linked from the README or docs index, then from the most live documents,
then the newest) stays, and the others are archived pointing to it. Documents inside an organised
docs tree are never reduced: the engine goes after the sprawl. A document classification left for review
beside a duplicate group may still be superseded here; its review note is then dropped, so the plan
never both leaves it for review and merges it.

Only documents of one genre can be versions of each other: a design document and the roadmap that
builds it share the system's vocabulary, but neither replaces the other (see `genre`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..analysis.names import parse_name
from ..analysis.similarity import average_linkage
from .rules import rx


@dataclass(frozen=True)
class Overlap:
    members: tuple[str, ...]  # sorted paths
    kept: str
    score: float  # mean pair score inside the group


# What a document is, as its file name says: a plan of work to come, a design of the system, or a page on
# how to use or run it (guides, references, runbooks and checklists are one family: a quick reference
# often is a shorter telling of a guide, and the overlap step is there to reduce those). The last such
# word of the name is its head noun (MIGRATION_DESIGN_PLAN is a plan, DESIGN_SYSTEM_GUIDE a guide). A
# convention of reading names, not a weight.
GENRES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("plan", rx(r"^(?:plan|plans|planning|roadmap|roadmaps|todo|backlog|proposal)$")),
    ("design", rx(r"^(?:architecture|design|designs|adr|diagram|diagrams)$")),
    (
        "procedure",
        rx(
            r"^(?:guide|guides|howto|tutorial|walkthrough|manual|instructions|setup|install|installation|"
            r"quickstart|reference|ref|spec|specification|checklist|runbook|playbook|cheatsheet|faq|"
            r"troubleshooting)$"
        ),
    ),
)


def genre(path: str) -> str:
    """The genre the file name of `path` declares (see `GENRES`), or "" when it names none."""
    for token in reversed(parse_name(path.rsplit("/", 1)[-1]).tokens):
        for name, pattern in GENRES:
            if pattern.match(token):
                return name
    return ""


def same_genre(a: str, b: str) -> bool:
    """Whether `a` and `b` may be versions of one another: not when their names declare two genres."""
    genre_a, genre_b = genre(a), genre(b)
    return not (genre_a and genre_b and genre_a != genre_b)


def overlap_groups(
    paths: Sequence[str], related: Iterable[tuple[str, str, float]], threshold: float, floor: float
) -> list[tuple[list[str], float]]:
    """Average-linkage groups of `paths` whose pairs score `threshold` on average and none below `floor`."""
    ordered = sorted(set(paths))
    position = {p: i for i, p in enumerate(ordered)}
    scores = np.zeros((len(ordered), len(ordered)))
    for a, b, score in related:
        if a in position and b in position:
            scores[position[a], position[b]] = scores[position[b], position[a]] = score
    groups = []
    for members in average_linkage(len(ordered), scores, threshold, floor):
        pairs = [scores[x, y] for i, x in enumerate(members) for y in members[i + 1 :]]
        groups.append(([ordered[i] for i in members], float(np.mean(pairs))))
    return groups


def reduce_overlaps(
    paths: Sequence[str],
    related: Iterable[tuple[str, str, float]],
    rank: Mapping[str, tuple[int | str, ...]],
    threshold: float,
    floor: float,
) -> list[Overlap]:
    """The overlap groups among `paths`, each with the member to keep: the highest `rank`.

    A member is superseded by the guide that stays only when it tells that guide's procedure: its own
    score with it reaches `threshold`. Average linkage joins a group through its members (a checklist
    like a specification, a traceability table like the checklist); a member the kept guide does not
    itself resemble is another document, left out of the group."""
    if threshold <= 0:
        return []
    # Documents of two genres are never versions of each other: their pairs do not join a group.
    related = [(a, b, score) for a, b, score in related if same_genre(a, b)]
    pair = {frozenset((a, b)): score for a, b, score in related}
    found = []
    for members, score in overlap_groups(paths, related, threshold, floor):
        kept = max(members, key=lambda p: (rank[p], p))
        told = [m for m in members if m == kept or pair.get(frozenset((m, kept)), 0.0) >= threshold]
        if len(told) < 2:
            continue
        if len(told) < len(members):
            score = float(
                np.mean([pair.get(frozenset((a, b)), 0.0) for i, a in enumerate(told) for b in told[i + 1 :]])
            )
        found.append(Overlap(tuple(told), kept, round(score, 3)))
    return sorted(found, key=lambda o: o.members)
