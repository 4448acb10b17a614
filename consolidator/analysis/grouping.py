"""Grouping: duplicate sets by average linkage, their canonical member and evidence, series and topics.
Part of the similarity stage (see `similarity`).

* Groups by average linkage with a floor, not single linkage: clusters merge only while the mean score
  over all their cross pairs clears the threshold and no cross pair is below the floor, so one strong
  pair cannot chain unrelated documents together. Exact duplicates (same text after normalising
  whitespace and case) always score 1.

* Canonical member: see `canonical_key`. For every other member, the sections whose text the canonical
  lacks (`unique_sections`).

* Topics: Louvain communities (fixed seed) of the content-neighbour graph, labelled by their top terms.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from ..core.conventions import in_history_folder, slug
from ..core.models import Cluster, Document
from .names import _SPLIT, NUMBERED_RUN, STALE_MARKERS, NameParts, parse_name, version_rank
from .pairs import PairScore, _Index, score_pairs
from .prose import _NOT_WORD, _clean_line, strip_symbols
from .vectors import Pair, normalised_heading

# Sections with fewer words than this are not reported as content a canonical lacks.
MIN_SECTION_WORDS = 5


# ---------------------------------------------------------------------------------------------------------
# Grouping


def average_linkage(size: int, scores: np.ndarray, threshold: float, floor: float) -> list[list[int]]:
    """Merge clusters while the mean score of all their cross pairs is >= threshold and none is < floor.

    `scores` is a symmetric size x size matrix. Sums and minima are updated in place on merge
    (Lance-Williams), so a merge costs O(size) and the whole run O(size^2) per step.
    """
    sums = scores.astype(np.float64).copy()
    mins = scores.astype(np.float64).copy()
    np.fill_diagonal(sums, -np.inf)
    counts = np.ones(size)
    members: list[list[int]] = [[i] for i in range(size)]
    alive = np.ones(size, dtype=bool)
    while True:
        mean = sums / np.outer(counts, counts)
        ok = (mean >= threshold) & (mins >= floor) & np.outer(alive, alive)
        np.fill_diagonal(ok, False)
        if not ok.any():
            break
        masked = np.where(ok, mean, -np.inf)
        flat = int(np.argmax(masked))
        x, z = divmod(flat, size)
        if x > z:
            x, z = z, x
        sums[x, :] += sums[z, :]
        sums[:, x] = sums[x, :]
        mins[x, :] = np.minimum(mins[x, :], mins[z, :])
        mins[:, x] = mins[x, :]
        sums[x, x] = -np.inf
        counts[x] += counts[z]
        members[x].extend(members[z])
        alive[z] = False
        sums[z, :] = sums[:, z] = -np.inf
        mins[z, :] = mins[:, z] = -np.inf
    return [sorted(members[i]) for i in range(size) if alive[i] and len(members[i]) > 1]


def _components(n: int, edges: Iterable[Pair]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        comps[find(i)].append(i)
    return [c for c in comps.values() if len(c) > 1]


def duplicate_sets(index: _Index, scored: dict[Pair, PairScore]) -> list[list[int]]:
    cfg = index.config
    strong = [p for p, s in scored.items() if s.score >= cfg.duplicate_threshold]
    found: list[list[int]] = []
    adjacency: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (a, b), s in scored.items():
        adjacency[a].append((b, s.score))
    for comp in _components(len(index.docs), strong):
        if len(comp) == 2:
            found.append(sorted(comp))
            continue
        local = {d: k for k, d in enumerate(comp)}
        if len(comp) <= cfg.max_component:
            # score every pair of the component: the cross pairs no candidate list produced are the
            # evidence that two halves do not belong together
            missing = [
                (a, b)
                for ai, a in enumerate(comp)
                for b in comp[ai + 1 :]
                if (min(a, b), max(a, b)) not in scored
            ]
            for (a, b), extra in score_pairs(index, [(min(a, b), max(a, b)) for a, b in missing]).items():
                scored[(a, b)] = extra
                adjacency[a].append((b, extra.score))
        if cfg.cohesion_floor > 0:
            # The sparse form makes the dense form's merges over the scored pairs, in memory and
            # time that follow the pairs: a dense matrix costs its size squared several times over
            # and a full pass of it per merge, which made components of templated reference pages
            # (hundreds, or with more than max_component, thousands that look alike) dominate.
            pairs = {
                (local[a], local[b]): score for a in comp for b, score in adjacency.get(a, ()) if b in local
            }
            clusters = sparse_average_linkage(len(comp), pairs, cfg.duplicate_threshold, cfg.cohesion_floor)
        else:  # with no floor an unscored pair may join a cluster: only the dense form says so
            matrix = np.zeros((len(comp), len(comp)))
            for a in comp:
                for b, score in adjacency.get(a, ()):
                    if b in local:
                        matrix[local[a], local[b]] = matrix[local[b], local[a]] = score
            clusters = average_linkage(len(comp), matrix, cfg.duplicate_threshold, cfg.cohesion_floor)
        for cluster in clusters:
            found.append(sorted(comp[k] for k in cluster))
    return found


def sparse_average_linkage(
    size: int, pairs: dict[Pair, float], threshold: float, floor: float
) -> list[list[int]]:
    """`average_linkage` over the listed pairs (i < j) only, in memory that follows the pairs.

    In the dense form an unlisted pair scores 0, below any positive floor, so two clusters can merge
    only when every cross pair is listed: cross sums, minima and the number of listed cross pairs are
    kept per pair of clusters that has any. The merges are the dense form's, in its order: the highest
    mean first, ties to the lowest (x, z), which is the first maximum of the dense matrix in row-major
    order; sums are added in the same order, so the means are the same floats. With a floor of zero
    or less an unlisted pair could merge, which this form never does.
    """
    sums: list[dict[int, float]] = [{} for _ in range(size)]
    mins: list[dict[int, float]] = [{} for _ in range(size)]
    listed: list[dict[int, int]] = [{} for _ in range(size)]
    for (a, b), score in pairs.items():
        if a == b:
            continue
        for x, y in ((a, b), (b, a)):
            sums[x][y] = score
            mins[x][y] = score
            listed[x][y] = 1
    counts = [1] * size
    members: list[list[int]] = [[i] for i in range(size)]
    alive = [True] * size
    version = [0] * size
    heap: list[tuple[float, int, int, int, int]] = []

    def offer(x: int, z: int) -> None:
        if x > z:
            x, z = z, x
        if listed[x].get(z, 0) != counts[x] * counts[z] or mins[x][z] < floor:
            return
        mean = sums[x][z] / (float(counts[x]) * float(counts[z]))
        if mean >= threshold:
            heapq.heappush(heap, (-mean, x, z, version[x], version[z]))

    for x in range(size):
        for z in sums[x]:
            if x < z:
                offer(x, z)
    while heap:
        _, x, z, vx, vz = heapq.heappop(heap)
        if not (alive[x] and alive[z]) or version[x] != vx or version[z] != vz:
            continue
        for y, value in sums[z].items():
            if y == x or not alive[y]:
                continue
            sums[x][y] = sums[x].get(y, 0.0) + value
            sums[y][x] = sums[x][y]
            mins[x][y] = min(mins[x].get(y, 0.0), mins[z][y])
            mins[y][x] = mins[x][y]
            listed[x][y] = listed[x].get(y, 0) + listed[z][y]
            listed[y][x] = listed[x][y]
        for y in sums[z]:
            sums[y].pop(z, None)
            mins[y].pop(z, None)
            listed[y].pop(z, None)
        sums[x].pop(z, None)
        mins[x].pop(z, None)
        listed[x].pop(z, None)
        sums[z], mins[z], listed[z] = {}, {}, {}
        counts[x] += counts[z]
        members[x].extend(members[z])
        alive[z] = False
        version[x] += 1
        for y in sums[x]:
            if alive[y]:
                offer(x, y)
    return [sorted(members[i]) for i in range(size) if alive[i] and len(members[i]) > 1]


# ---------------------------------------------------------------------------------------------------------
# Canonical member, unique content, evidence


def canonical_key(
    index: _Index, i: int, stated: bool = True
) -> tuple[int, str, int, int, int, int, int, str]:
    """Sort key of canonical candidates, highest wins.

    1. no stale marker (_OLD, _BACKUP, _DEPRECATED) and not filed in an archive folder or a folder
       named as a stale copy (backups/): a file named old, or already archived, is never the one to keep;
    2. newest: the date the document states about itself when every member states one (`stated`),
       else its last commit (day precision). Dates are compared like with like: a date written in a
       text is when its author wrote it, a commit is when the file last changed, and a copy stating
       no date would otherwise win on its commit date over every member that does (a snapshot
       committed in one go makes every commit the newest date);
    3. a name that claims to be newest (_FINAL, _V2, _NEW);
    4. most complete (word count);
    5. most linked to from other documents (what readers already reach);
    6. filed in a folder over a copy at the root: the root is where sprawl lands, a folder is where
       someone placed the page (of two identical copies, the one in the documentation tree);
    7. the shorter, plainer name; then the path, so the choice is stable.
    On the labelled corpus, completeness before links picked the labelled canonical more often.
    """
    doc = index.docs[i]
    rank = version_rank(index.names[i])
    newest = _compared_date(doc, stated)
    # a copy filed in history, or in a folder named as a stale copy (backups/, old_docs_backup/), is
    # never the one to read
    archived = in_history_folder(doc.path) or _in_stale_folder(doc.path)
    return (
        0 if rank < 0 or archived else 1,
        newest,
        rank,
        doc.words,
        len(index.in_links[i]),
        0 if doc.at_root else 1,
        -len(doc.name),
        _reverse(doc.path),
    )


def _compared_date(doc: Document, stated: bool) -> str:
    """The date a member is compared on for newest: the one it states when every member of its group
    states one (`stated`), else its last commit (a stated date only without history)."""
    commit = doc.dates.last_commit or doc.dates.first_commit
    return (doc.dates.content if stated else commit) or doc.dates.content or commit or ""


# The stale markers that name a folder of stale copies. Not the words a folder also takes for live work:
# `copy/` (marketing copy), `drafts/` and `wip/` (work not yet published), `original/`.
_STALE_FOLDER_WORDS = STALE_MARKERS - {"copy", "draft", "wip", "orig", "original"}


def _in_stale_folder(path: str) -> bool:
    """Below a folder whose name holds a stale marker, singular or plural (`backups/`,
    `backup_2025_08_16/`, `legacy/`): the folder's analogue of a file named X_BACKUP.md."""
    for folder in path.split("/")[:-1]:
        for word in _SPLIT.split(folder.lower()):
            if word in _STALE_FOLDER_WORDS or (word.endswith("s") and word[:-1] in _STALE_FOLDER_WORDS):
                return True
    return False


def _reverse(text: str) -> str:
    # the last tie-breaker sorts ascending by path while the key is maximised
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def _shingles(text: str, size: int = 4) -> set[int]:
    words = _NOT_WORD.sub(" ", text.lower()).split()
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[k : k + size])) for k in range(len(words) - size + 1)}


def _contents(canonical: Document) -> tuple[set[str], set[int]]:
    """What `unique_sections` compares members with: the canonical's headings and text shingles."""
    have_headings = {normalised_heading(h.text) for h in canonical.headings}
    have_text: set[int] = set()
    for section in canonical.sections or ():
        have_text |= _shingles(section.text)
    if not canonical.sections:
        have_text = _shingles(canonical.text)
    return have_headings, have_text


def unique_sections(
    member: Document,
    canonical: Document,
    limit: int = 20,
    contents: tuple[set[str], set[int]] | None = None,
) -> tuple[str, ...]:
    """Sections (or the opening paragraph) of `member` whose heading and text the canonical lacks.
    `contents` is `_contents(canonical)`, when the caller compares several members with it."""
    have_headings, have_text = contents if contents is not None else _contents(canonical)
    out: list[str] = []
    for section in member.sections:
        body = _clean_line(section.text)
        words = len(body.split())
        if words < MIN_SECTION_WORDS:
            continue  # a heading over nothing, or a title line, is not content
        heading = normalised_heading(section.heading)
        shingles = _shingles(body)
        covered = len(shingles & have_text) / len(shingles) if shingles else 1.0
        if covered >= 0.5:
            continue
        where = f"line {section.line}, {words} words"
        if section.heading:
            label = strip_symbols(section.heading).strip()
            if heading in have_headings:
                where += "; the canonical's section of that name says something else"
            out.append(f"{label} ({where})")
        else:
            snippet = " ".join(body.split()[:12])
            out.append(f'"{snippet}..." ({where})')
        if len(out) >= limit:
            break
    return tuple(out)


def _evidence(index: _Index, members: list[int], scored: dict[Pair, PairScore], limit: int = 6) -> list[str]:
    pairs = [(a, b) for ai, a in enumerate(members) for b in members[ai + 1 :]]
    ranked = sorted(((scored[p], p) for p in pairs if p in scored), key=lambda sp_: (-sp_[0].score, sp_[1]))
    lines: list[str] = []
    for s, (a, b) in ranked[:limit]:
        na, nb = index.docs[a].path, index.docs[b].path
        if s.exact:
            lines.append(f"{na} = {nb}: identical text")
            continue
        parts = [
            f"content {s.content:.2f}",
            f"name {s.name:.2f}",
            f"title {s.title:.2f}",
            f"headings {s.headings:.2f}",
        ]
        if s.links:
            parts.append(f"links {s.links:.2f}")
        if s.dates:
            parts.append(f"dates {s.dates:.2f}")
        why = f"; {s.rule}" if s.rule else ""
        lines.append(f"{na} ~ {nb}: score {s.score:.2f} ({', '.join(parts)}){why}")
    shared = set.intersection(*(set(index.heading_sets[m]) for m in members)) if members else set()
    if shared:
        lines.append("sections in every member: " + ", ".join(sorted(shared)[:8]))
    citing = set.intersection(*(set(index.in_links[m]) for m in members)) if members else set()
    if citing:
        lines.append("all listed by: " + ", ".join(sorted(index.docs[c].path for c in citing)[:5]))
    return lines


def _unique_ids(prefix: str, labels: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    ids = []
    for label in labels:
        base = f"{prefix}-{slug(label) or 'x'}"
        seen[base] += 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _duplicate_clusters(index: _Index, sets: list[list[int]], scored: dict[Pair, PairScore]) -> list[Cluster]:
    docs = index.docs
    drafts = []
    for members in sets:
        stated = all(docs[m].dates.content for m in members)
        canonical = max(members, key=lambda m: canonical_key(index, m, stated))
        pair_scores = [
            scored[(a, b)].score
            for ai, a in enumerate(members)
            for b in members[ai + 1 :]
            if (a, b) in scored
        ]
        contents = _contents(docs[canonical])  # once per group, not once per member
        unique = tuple(
            (docs[m].path, unique_sections(docs[m], docs[canonical], contents=contents))
            for m in sorted(members, key=lambda m: docs[m].path)
            if m != canonical
        )
        why = _canonical_reason(index, canonical, members, stated)
        evidence = [f"canonical {docs[canonical].path}: {why}"]
        evidence += _evidence(index, sorted(members), scored)
        drafts.append(
            (docs[canonical], members, unique, evidence, float(np.mean(pair_scores)) if pair_scores else 0)
        )
    drafts.sort(key=lambda d: d[0].path)
    ids = _unique_ids("dup", [stem_of(d[0].path) for d in drafts])
    return [
        Cluster(
            id=cid,
            kind="duplicate",
            members=tuple(sorted(docs[m].path for m in members)),
            canonical=canon.path,
            label=" ".join(parse_name(canon.name).base) or stem_of(canon.path),
            evidence=tuple(evidence),
            unique_content=unique,
            score=round(score, 3),
        )
        for cid, (canon, members, unique, evidence, score) in zip(ids, drafts, strict=True)
    ]


def stem_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _canonical_reason(index: _Index, chosen: int, members: list[int], stated: bool) -> str:
    doc = index.docs[chosen]
    reasons = []
    if any(version_rank(index.names[m]) < 0 for m in members) and version_rank(index.names[chosen]) >= 0:
        reasons.append("no stale marker in its name")
    if any(_in_stale_folder(index.docs[m].path) for m in members) and not _in_stale_folder(doc.path):
        reasons.append("not in a folder of stale copies")
    date_text = _compared_date(doc, stated)
    if date_text:
        reasons.append(f"newest ({date_text})")
    inbound = len(index.in_links[chosen])
    if inbound:
        reasons.append(f"{inbound} documents link to it")
    reasons.append(f"{doc.words} words")
    if not doc.at_root and any(index.docs[m].at_root for m in members):
        reasons.append(f"filed in {doc.folder}/, not a copy at the root")
    return ", ".join(reasons)


# ---------------------------------------------------------------------------------------------------------
# Series and topics


def series_clusters(docs: Sequence[Document], names: Sequence[NameParts]) -> list[Cluster]:
    """Documents that share a name template and differ in their sequence numbers, dated logs, and runs
    of one folder named alike but for a closing number."""
    by_template: dict[str, list[int]] = defaultdict(list)
    for i, parts in enumerate(names):
        if parts.template:
            by_template[parts.template].append(i)
    chosen: dict[str, list[int]] = {}
    placed: set[int] = set()
    for template, members in by_template.items():
        if len({names[m].numbers for m in members}) >= 2:
            chosen[template] = members
            placed.update(members)
    # SESSION_SUMMARY_2025_02_20, SESSION_SUMMARY_2025_04_03: a dated log, one file per day
    by_base: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, parts in enumerate(names):
        if parts.day_markers and not parts.template and i not in placed:
            by_base[parts.base].append(i)
    for base, members in by_base.items():
        if base and len({names[m].day_markers for m in members}) >= 2:
            chosen["_".join(w.upper() for w in base) + "_<date>"] = members
            placed.update(members)
    # WEEK_1_STATUS, WEEK_2_REPORT, WEEK_3_PLAN: one series of weeks even though the rest differs
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for i, parts in enumerate(names):
        if parts.template and i not in placed:
            by_prefix[parts.series_key + "_*"].append(i)
    for key, members in by_prefix.items():
        if len(members) >= 3 and len({names[m].numbers for m in members}) >= 2:
            chosen[key] = members
            placed.update(members)
    # RESUME_NOTES_7, RESUME_NOTES_8, RESUME_NOTES_9: a number that closes the name after a word is no
    # sequence word's number, so only a run of them in one folder makes a series.
    by_run: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for i, parts in enumerate(names):
        if parts.closing_number is not None and i not in placed:
            by_run[(docs[i].folder, parts.base[:-1])].append(i)
    for (folder, words), members in sorted(by_run.items()):
        if len({names[m].closing_number for m in members}) >= NUMBERED_RUN:
            label = "_".join(w.upper() for w in words) + "_n"
            # runs of one name in two folders stay two series
            chosen[label if label not in chosen else f"{folder}/{label}"] = members
    labels = sorted(chosen)
    ids = _unique_ids("series", labels)
    out = []
    for cid, label in zip(ids, labels, strict=True):
        members = chosen[label]
        if label.endswith("<date>"):
            listed = ", ".join(sorted({"/".join(names[m].day_markers) for m in members}))
        else:
            numbers = sorted({names[m].position for m in members})
            listed = ", ".join("_".join(str(x) for x in nums) for nums in numbers)
        out.append(
            Cluster(
                id=cid,
                kind="series",
                members=tuple(sorted(docs[m].path for m in members)),
                label=label,
                evidence=(f"{len(members)} documents named {label}: {listed}",),
            )
        )
    return out


def topic_clusters(index: _Index, neighbours: dict[Pair, float]) -> list[Cluster]:
    """Communities of the content-neighbour graph: documents about one subject."""
    import networkx as nx

    cfg = index.config
    graph = nx.Graph()
    graph.add_nodes_from(range(len(index.docs)))
    graph.add_weighted_edges_from(
        (a, b, w) for (a, b), w in sorted(neighbours.items()) if w >= cfg.topic_cosine
    )
    if graph.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=cfg.topic_resolution, seed=7
    )
    drafts = []
    terms = index.content_terms
    # The neighbour cosines inside each community, in one pass over the pairs (in their order, so
    # the means are the same floats): a pass per community costs communities x pairs, which grows
    # with the square of the repository.
    community_of: dict[int, int] = {}
    for c, community in enumerate(communities):
        for m in community:
            community_of[m] = c
    inside_of: dict[int, list[float]] = defaultdict(list)
    for (a, b), w in neighbours.items():
        c = community_of.get(a, -1)
        if c >= 0 and c == community_of.get(b, -2):
            inside_of[c].append(w)
    for c, community in enumerate(communities):
        members = sorted(community)
        if len(members) < cfg.min_topic_size:
            continue
        centroid = np.asarray(index.content[members].mean(axis=0)).ravel()
        # The four heaviest terms, ties to the lower column, as a stable sort of the whole row
        # would give, but sorting only the community's own terms instead of the vocabulary.
        present = np.flatnonzero(centroid > 0)
        top = present[np.lexsort((present, -centroid[present]))][:4]
        words = [terms[t] for t in top]
        inside = inside_of.get(c, [])
        drafts.append((" ".join(words) or "misc", members, float(np.mean(inside)) if inside else 0.0))
    drafts.sort(key=lambda d: (d[0], index.docs[d[1][0]].path))
    ids = _unique_ids("topic", [d[0] for d in drafts])
    return [
        Cluster(
            id=cid,
            kind="topic",
            members=tuple(sorted(index.docs[m].path for m in members)),
            label=label,
            evidence=(f"{len(members)} documents, mean neighbour cosine {cohesion:.2f}",),
            score=round(cohesion, 3),
        )
        for cid, (label, members, cohesion) in zip(ids, drafts, strict=True)
    ]


# Names or titles must share this much for two documents to be about one subject, not just alike in
# wording (a development guide and a tooling guide share commands but not a subject).
RELATED_NAME = 0.2


def related_pairs(index: _Index, scored: dict[Pair, PairScore]) -> tuple[tuple[str, str, float], ...]:
    floor = index.config.cohesion_floor
    found = [
        (index.docs[i].path, index.docs[j].path, round(s.score, 3))
        for (i, j), s in scored.items()
        if s.score >= floor and (s.name >= RELATED_NAME or s.title >= RELATED_NAME)
    ]
    return tuple(sorted(found))
