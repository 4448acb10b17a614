"""Structured folders: sibling folders that repeat one set of file names, each the record of one thing.

Projects file the documents of each feature, component or platform in a folder of its own, laid out the
same way: `specs/001-login/{spec,plan,tasks}.md`, `specs/002-search/{spec,plan,tasks}.md`. Such a folder
is a unit. Its files are companions (a feature's spec and its plan are two documents about one feature,
not two versions of one document); the file of one name in two sibling units (`001-login/plan.md` and
`002-search/plan.md`) is two features' pages, not two versions of one page; and a file moved out of its
unit leaves the unit's set broken. Units are found from the shape of the tree alone: file names, never
what the files say, and no list of folder or file names.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..core.conventions import heads_folder, language_folder
from .names import NUMBERED_RUN, SEQUENCE_WORDS, parse_name

# A parent folder is structured when at least this many of its child folders repeat one set of names.
# Two, not more: the second feature folder is the first repetition of the pattern, and a project with two
# specs is as organised as one with ten. What two folders sharing names can also be, a folder and its
# copy (`guide/` and `guide-old/`, `v1/` and `v2/`), is ruled out on its own (see `_copies`), and a copy's
# identical pages are still reported as duplicates. A count, not a fitted weight.
MIN_UNITS = 2
# A child folder repeats the set when at least this many of its entries (Markdown files, and sub-folders
# that hold Markdown) are found in a sibling too, and they make up at least `SHARED_SHARE` of its
# entries. One shared name (`usage.md`, `notes.md`) is a coincidence of naming, two are a layout; a folder
# most of whose files are its own is not laid out like its siblings. Conventional files and folder
# indexes (README, index, CHANGELOG) are in nearly every folder and say nothing of a layout: not entries.
# Counts of a layout, not fitted weights.
MIN_SHARED = 2
SHARED_SHARE = 0.5
# Once a parent is structured, a child folder with fewer entries joins its units when what it has is
# the layout's (at least `SHARED_SHARE` of its entries): a feature folder only begun (`005-new/spec.md`)
# or a run that wrote one of the usual files. One entry alone never makes a parent structured.
# A folder that names a version of the documentation: 5.1, 7.4, v2, v1.0 (plain numbers are not: years
# and sequence numbers name periods and parts, not versions).
VERSION_FOLDER = re.compile(r"v?\d+(?:\.\d+)+|v\d+", re.IGNORECASE)


@dataclass(frozen=True)
class Units:
    """The structured folders of a set of paths."""

    # unit folder -> its parent folder ("" for the repository's root)
    parents: Mapping[str, str]
    # parent folder -> how many units it holds
    counts: Mapping[str, int]

    def unit_of(self, path: str) -> str | None:
        """The innermost unit folder holding `path` (at any depth), or None."""
        folder = path.rpartition("/")[0]
        while folder:
            if folder in self.parents:
                return folder
            folder = folder.rpartition("/")[0]
        return None

    def siblings(self, unit: str) -> int:
        """How many units the parent of `unit` holds (`unit` included)."""
        return self.counts.get(self.parents.get(unit, ""), 0)


def _entries(paths: Iterable[str]) -> dict[str, set[str]]:
    """Each folder's entries: the names of the Markdown files in it and of its sub-folders that hold
    Markdown (with a trailing slash), case aside, conventional files and indexes left out."""
    entries: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        parts = path.split("/")
        name = parts[-1]
        if len(parts) >= 2 and not heads_folder(name):
            entries["/".join(parts[:-1])].add(name.casefold())
        for depth in range(1, len(parts) - 1):
            entries["/".join(parts[:depth])].add(parts[depth].casefold() + "/")
    return entries


def _copies(names: list[str]) -> set[str]:
    """Sibling folder names that are one name apart from version markers (`guide`, `guide-old`), that
    name versions (`v1`, `v2`, `7.4`), or that are one tree in several languages (`fr`, `ja`; `pages`,
    `pages.fr`): a folder and its copy, one tree in two versions or two languages (pairs tells those
    pages apart on its own), not units of one layout."""
    by_base: dict[str, list[str]] = defaultdict(list)
    by_tree: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_base[parse_name(name).compact].append(name)
        language = language_folder(name)
        by_tree[language[0] if language else name].append(name)
    copies = {n for group in by_base.values() if len(group) > 1 for n in group}
    translated = {n for group in by_tree.values() if len(group) > 1 for n in group}
    return copies | translated | {n for n in names if VERSION_FOLDER.fullmatch(n)}


def structured_folders(paths: Iterable[str]) -> Units:
    """The units among the folders of `paths` (Markdown documents' paths). Deterministic: depends on the
    set of paths alone, not on their order."""
    entries = _entries(paths)
    children: dict[str, list[str]] = defaultdict(list)
    for folder in entries:
        if folder:
            children[folder.rpartition("/")[0]].append(folder)
    parents: dict[str, str] = {}
    counts: dict[str, int] = {}
    for parent, folders in sorted(children.items()):
        copies = _copies([f.rpartition("/")[2] for f in folders])
        folders = sorted(f for f in folders if f.rpartition("/")[2] not in copies)
        if len(folders) < MIN_UNITS:
            continue
        seen: Counter[str] = Counter()
        for folder in folders:
            seen.update(entries[folder])
        shared = {f: sum(1 for e in entries[f] if seen[e] >= 2) for f in folders}
        laid_out = {f: n >= SHARED_SHARE * len(entries[f]) for f, n in shared.items()}
        if sum(1 for f in folders if laid_out[f] and shared[f] >= MIN_SHARED) < MIN_UNITS:
            continue
        units = [f for f in folders if laid_out[f] and shared[f] >= 1]
        counts[parent] = len(units)
        parents.update((f, parent) for f in units)
    return Units(parents, counts)


class PartSet(NamedTuple):
    """A set of numbered parts (see `numbered_parts`)."""

    label: str  # BRIEF_<n>-*, with the folder before it outside the root
    words: tuple[str, ...]  # the words before the number, lower-cased: what the set is called
    members: tuple[str, ...]  # paths, sorted


def numbered_parts(paths: Iterable[str]) -> list[PartSet]:
    """Sets of numbered parts: files of one folder named alike up to a number, each then naming a
    subject of its own (`AUDIT_01-state-model.md`, `AUDIT_02-executor.md`, `AUDIT_03-registry.md`;
    `01-intro.md`, `02-install.md`). Each covers its own subject, so none follows or replaces another:
    they are chapters of one whole, not a series (a series repeats one template over time, WEEK_n_STATUS,
    and its later members supersede the earlier ones). Sorted by label.

    A set needs NUMBERED_RUN parts, one per number, numbers close together (no more than twice as
    many numbers spanned as there are parts: issue numbers 12, 40 and 97 name tickets, not chapters),
    and names that carry no date or version (those are records of one day or release)."""
    by_key: dict[tuple[str, tuple[str, ...]], list[tuple[int, tuple[str, ...], str]]] = defaultdict(list)
    for path in paths:
        folder, _, name = path.rpartition("/")
        parts = parse_name(name)
        if parts.markers or parts.template:
            continue
        digits = [i for i, w in enumerate(parts.base) if w.isdigit()]
        if len(digits) != 1:
            continue
        at = digits[0]
        prefix, subject = parts.base[:at], parts.base[at + 1 :]
        # after a sequence word the number is a place in time (PHASE_2_...): a series, not a part
        if not subject or (prefix and prefix[-1] in SEQUENCE_WORDS):
            continue
        by_key[(folder, prefix)].append((int(parts.base[at]), subject, path))
    found = []
    for (folder, prefix), members in by_key.items():
        numbers = [n for n, _, _ in members]
        if (
            len(members) < NUMBERED_RUN
            or len(set(numbers)) != len(members)
            or len({s for _, s, _ in members}) != len(members)
            or max(numbers) - min(numbers) + 1 > 2 * len(members)
        ):
            continue
        label = "_".join(w.upper() for w in prefix) + ("_" if prefix else "") + "<n>-*"
        paths_of = tuple(sorted(p for _, _, p in members))
        found.append(PartSet(f"{folder}/{label}" if folder else label, prefix, paths_of))
    return sorted(found)
