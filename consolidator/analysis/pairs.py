"""Pair scoring: the features of the whole set computed once, which pairs are worth scoring, and the
score of each. Part of the similarity stage (see `similarity`).

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

* Well-kept documentation repeats itself on purpose, and those pairs are never duplicates: the pages
  that declare different titles in their front matter (the subject a page states is its identity),
  whatever their file names; pages of one template (generated API or schema reference: the same
  headings, tables and boilerplate lines, a different symbol on each page) unless their titles or
  their own lines agree; one page in the parallel trees of two versions (`reference/5.1/Get-Item.md`,
  `reference/7.4/Get-Item.md`); two pages in two languages of one tree (`docs/fr/`, `docs/ja/`), whatever
  their names; and, in a reference named by subject (folders whose pages are titled by their own file
  names: commands, functions, endpoints), two pages with two titles, or one name in two sibling
  sections (`linux/top.md`, `macos/top.md`: one subject documented for two contexts).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import scipy.sparse as sp
from rapidfuzz import fuzz

from ..core.config import SimilarityConfig
from ..core.conventions import heads_folder, in_history_folder, language_folder
from ..core.models import Document
from .folders import VERSION_FOLDER, Units, structured_folders
from .names import NameParts, parse_name, stem
from .prose import _NOT_WORD, Prepared, document_text, exact_key, strip_symbols
from .vectors import (
    Pair,
    _drop_common_lines,
    _row_products,
    line_keys,
    normalised_heading,
    tfidf_matrix,
)

# A document linking to at least this many documents, with no more than this many words per link,
# reads as an index page.
INDEX_MIN_LINKS = 5
INDEX_WORDS_PER_LINK = 25
# Outlines shorter than this say too little to compare.
MIN_OUTLINE = 3
# A line found in this many documents or more is a template line (headings, table rows, boilerplate
# sentences of generated reference pages); a document whose lines are mostly template lines is a page
# of a template, and what tells two such pages apart is what they are about: their titles and their
# own lines (a symbol's name, signature, description). Two pages of a template are versions of one
# page only when their own lines agree: at least half of the fewer.
TEMPLATE_MIN_DOCS = 5
TEMPLATE_SHARE = 0.5
OWN_LINES_AGREE = 0.5
# A page of at most this many words of prose is a stub: an alias or pointer page. Two stubs inside
# folders, each titled by its own file name, are pages for two names (`brew rm`, `brew remove`) that
# say the same by design, not versions of one page. A size that tells a stub from a document, not a
# fitted weight.
STUB_WORDS = 60
# A front-matter key is a page's identifier (an API id, a uid, an asset id, an online address) when at
# least this many documents carry it and, in all but this share of them, its value is one word (not a
# date) that differs from page to page. Pages declaring two different identifiers document two things
# however alike their text (overloads of one method under one title, two events described by one
# sentence); a copy keeps the identifier of the page it copies. A count that tells a reference set from
# a handful of pages, and a share that allows a few stray copies, not fitted weights.
IDENTIFIER_MIN_DOCS = 50
IDENTIFIER_DISTINCT = 0.99
_DATE_VALUE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}")
# A folder of at least this many pages, nearly all of them (this share) titled by exactly their own file
# names (case, spacing and punctuation aside: `foo-bar.md` titled `foo bar`), is a reference named by
# subject: one page per command, function or endpoint. There a page's name is its subject: two pages
# with two titles document two subjects however alike their text (related commands share options,
# examples and wording), and one name in two sibling sections (platforms, products) is one subject
# documented for two contexts. A count that tells a reference section from a handful of notes, and a
# share that allows a few pages titled otherwise, not fitted weights: hand-written notes and reports are
# rarely titled by exactly their file names (about one in ten on the shared corpora).
NAMED_MIN_DOCS = 20
NAMED_SHARE = 0.9
# Two sibling folders of at least this many pages each are sections of one large documentation tree
# (API families, products): a page of one name in both documents that name in each section (`Session
# methods` of two APIs), as one page in the trees of two versions does. Folders that hold history are
# not sections: a page there is an old copy. The count of `IDENTIFIER_MIN_DOCS`: a reference set, not a
# handful of notes (sibling folders of notes sharing a file name hold copies of one page).
SECTION_MIN_DOCS = 50
_NOT_ALNUM = re.compile(r"[\W_]+")


# ---------------------------------------------------------------------------------------------------------
# Features of the whole set, computed once


@dataclass
class _Index:
    docs: Sequence[Document]
    config: SimilarityConfig
    content: sp.csr_matrix = field(init=False)
    content_terms: list[str] = field(init=False)
    title_idf: dict[str, float] = field(init=False)
    headings: sp.csr_matrix = field(init=False)
    names: list[NameParts] = field(init=False)
    name_idf: dict[str, float] = field(init=False)
    heading_sets: list[frozenset[str]] = field(init=False)
    section_sets: list[frozenset[str]] = field(init=False)
    heading_idf: dict[str, float] = field(init=False)
    index_like: list[bool] = field(init=False)
    conventional: list[bool] = field(init=False)
    title_words: list[frozenset[str]] = field(init=False)
    out_links: list[frozenset[int]] = field(init=False)
    in_links: list[frozenset[int]] = field(init=False)
    dates: list[date | None] = field(init=False)
    exact: list[str] = field(init=False)
    texts: list[str] = field(init=False)
    template_share: list[float] = field(init=False)
    self_titled_stub: list[bool] = field(init=False)  # a stub titled by exactly its own file name
    own_lines: list[frozenset[int]] = field(init=False)
    identifiers: list[dict[str, str]] = field(init=False)  # the identifiers a page declares, by key
    # the structured folders (see `folders`): each document's unit (an index into `unit_folders`, -1 for
    # none), the index of that unit's parent, and its path inside the unit (case aside)
    units: Units = field(init=False)
    unit_folders: list[str] = field(init=False)
    unit: list[int] = field(init=False)
    unit_parent: list[int] = field(init=False)
    unit_path: list[str] = field(init=False)
    folders: list[tuple[str, ...]] = field(init=False)  # the folders of each path, outermost first
    named: list[bool] = field(init=False)  # a page titled by its own name, in a reference named by subject
    title_keys: list[str] = field(init=False)  # the title, case and spacing aside
    name_keys: list[str] = field(init=False)  # the file name without its suffix, case aside
    sections: list[bool] = field(init=False)  # in a folder of SECTION_MIN_DOCS pages, not of history
    ranks: dict[Pair, float] = field(init=False, default_factory=dict)
    # blob id -> the document's prose and exact key, when the scan's workers computed them
    prepared: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        docs = self.docs
        n = len(docs)
        ready = [self.prepared.get(d.blob) if d.blob else None for d in docs]
        texts = [
            r.prose if isinstance(r, Prepared) else document_text(d) for d, r in zip(docs, ready, strict=True)
        ]
        # Every line keyed once, for both the template lines and the common lines dropped.
        keyed = [line_keys(t) for t in texts]
        self.template_share, self.own_lines = template_lines(keyed)
        stubs = [len(t.split()) <= STUB_WORDS for t in texts]
        texts = _drop_common_lines(texts, max(3, int(0.05 * n)), keyed)
        self.texts = texts
        self.content, self.content_terms = tfidf_matrix(texts, ngram_max=self.config.content_ngrams)
        heading_texts = [" ".join(normalised_heading(h.text) for h in d.headings) for d in docs]
        self.headings, _ = tfidf_matrix(heading_texts)
        self.heading_sets = [
            frozenset(h for h in (normalised_heading(x.text) for x in d.headings) if h) for d in docs
        ]
        # The sections below the title: rewrites of one report keep its outline (Overview, Progress,
        # Risks, Next Steps) while the wording changes. Rare headings count for more.
        self.section_sets = [
            frozenset(h for h in (normalised_heading(x.text) for x in d.headings if x.level >= 2) if h)
            for d in docs
        ]
        hdf: Counter[str] = Counter()
        for heads in self.section_sets:
            hdf.update(heads)
        self.heading_idf = {h: math.log((1 + n) / (1 + c)) + 1.0 for h, c in hdf.items()}
        self.names = [parse_name(d.name) for d in docs]
        self.conventional = [heads_folder(d.name) for d in docs]
        df: Counter[str] = Counter()
        for parts in self.names:
            df.update(set(parts.base))
        self.name_idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
        self.title_words = [
            frozenset(w for w in _NOT_WORD.sub(" ", strip_symbols(d.title).lower()).split() if len(w) > 1)
            for d in docs
        ]
        tdf: Counter[str] = Counter()
        for words in self.title_words:
            tdf.update(words)
        self.title_idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in tdf.items()}
        self.self_titled_stub = [
            stub and "/" in d.path and frozenset(w for w in parts.tokens if len(w) > 1) == title
            for d, stub, parts, title in zip(docs, stubs, self.names, self.title_words, strict=True)
        ]
        position = {d.path: i for i, d in enumerate(docs)}
        outs: list[set[int]] = [set() for _ in docs]
        ins: list[set[int]] = [set() for _ in docs]
        for i, d in enumerate(docs):
            for link in d.links:
                j = position.get(link.path) if link.path and not link.is_image else None
                if j is not None and j != i:
                    outs[i].add(j)
                    ins[j].add(i)
        self.out_links = [frozenset(s) for s in outs]
        self.in_links = [frozenset(s) for s in ins]
        # A page that is mostly a list of links to other documents: its list is its content.
        self.index_like = [
            len(outs[i]) >= INDEX_MIN_LINKS and len(outs[i]) * INDEX_WORDS_PER_LINK >= max(d.words, 1)
            for i, d in enumerate(docs)
        ]
        # When a document was written: AI-written reports often state invented dates, so the first
        # commit wins over what the text says; the text date is the fallback outside git.
        self.dates = [_as_date(d.dates.first_commit or d.dates.content) for d in docs]
        self.exact = [
            r.exact if isinstance(r, Prepared) else exact_key(d) for d, r in zip(docs, ready, strict=True)
        ]
        self.identifiers = declared_identifiers(docs)
        self.folders = [tuple(d.path.split("/")[:-1]) for d in docs]
        self.named = named_reference_pages(docs)
        self.title_keys = [" ".join(d.title.lower().split()) for d in docs]
        self.name_keys = [stem(d.name).lower() for d in docs]
        sizes = Counter(d.folder for d in docs)
        self.sections = [
            sizes[d.folder] >= SECTION_MIN_DOCS and bool(d.folder) and not in_history_folder(d.path)
            for d in docs
        ]
        self._find_units()

    def _find_units(self) -> None:
        units = structured_folders(d.path for d in self.docs)
        self.units = units  # also carried in `Groups`, for deciding
        self.unit_folders = sorted(units.parents)
        number = {folder: k for k, folder in enumerate(self.unit_folders)}
        parents = {parent: k for k, parent in enumerate(sorted(units.counts))}
        self.unit, self.unit_parent, self.unit_path = [], [], []
        for d in self.docs:
            folder = units.unit_of(d.path)
            self.unit.append(-1 if folder is None else number[folder])
            self.unit_parent.append(-1 if folder is None else parents[units.parents[folder]])
            self.unit_path.append("" if folder is None else d.path[len(folder) + 1 :].casefold())


def _self_titled(doc: Document) -> bool:
    """The page states a title, and it is its own file name (case, spacing and punctuation aside), or
    the name before a qualifier (`printf.3.md`, `open.fish.md` titled `printf`, `open`: one of several
    subjects of one name, told apart by the qualifier)."""
    if doc.title_source == "file_name":  # a title made from the name says nothing
        return False
    name = stem(doc.name).lower()
    head = name.split(".")[0]
    return _same_name_words(doc.title, name) or (head != name and _same_name_words(doc.title, head))


def _same_name_words(title: str, name: str) -> bool:
    a, b = _NOT_ALNUM.sub("", title.lower()), _NOT_ALNUM.sub("", name)
    if a or b:
        return a == b
    return " ".join(title.split()) == name.strip()  # names of punctuation alone (`[`, `]]`)


def named_reference_pages(docs: Sequence[Document]) -> list[bool]:
    """For each document, whether it is titled by its own file name in a reference named by subject
    (see `NAMED_MIN_DOCS`): its folder is one, or its folder and the sibling folders beside it are one
    together (a reference split into small sections by platform or product)."""
    titled = [_self_titled(d) for d in docs]
    count: Counter[tuple[int, str]] = Counter()
    named: Counter[tuple[int, str]] = Counter()
    for d, t in zip(docs, titled, strict=True):
        # (0, folder): the folder's own pages; (1, parent): the pages of every folder in `parent`
        for unit in ((0, d.folder), (1, d.folder.rpartition("/")[0])) if d.folder else ((0, ""),):
            count[unit] += 1
            named[unit] += t
    units = {u for u, c in count.items() if c >= NAMED_MIN_DOCS and named[u] >= NAMED_SHARE * c}
    return [
        t and ((0, d.folder) in units or (bool(d.folder) and (1, d.folder.rpartition("/")[0]) in units))
        for d, t in zip(docs, titled, strict=True)
    ]


def declared_identifiers(docs: Sequence[Document]) -> list[dict[str, str]]:
    """For each document, the values of the front-matter keys that identify pages in this set (see
    `IDENTIFIER_MIN_DOCS`)."""
    values: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        for key, value in d.front_matter:
            values[key].append(value)
    keys = set()
    for key, found in values.items():
        if len(found) < IDENTIFIER_MIN_DOCS:
            continue
        words = sum(1 for v in found if len(v.split()) == 1 and not _DATE_VALUE.match(v))
        least = IDENTIFIER_DISTINCT * len(found)
        if words >= least and len(set(found)) >= least:
            keys.add(key)
    if not keys:
        return [{} for _ in docs]
    return [{k: v for k, v in d.front_matter if k in keys} for d in docs]


def _identified_apart(index: _Index, i: int, j: int) -> str:
    """The first identifier key both documents declare with different values, or ''."""
    a, b = index.identifiers[i], index.identifiers[j]
    if not a or not b or a == b:
        return ""
    return next((k for k in sorted(a.keys() & b.keys()) if a[k] != b[k]), "")


def _line_keys(keys: list[str]) -> list[str]:
    # the `vectors.line_keys` of a text that say something
    return [k for k in keys if len(k) > 3]


def template_lines(keyed: Sequence[list[str]]) -> tuple[list[float], list[frozenset[int]]]:
    """For each text, given by its lines' keys (`vectors.line_keys`), the share of its lines found in at
    least `TEMPLATE_MIN_DOCS` texts, and a checksum of each of its other lines (its own)."""
    df: Counter[str] = Counter()
    for all_keys in keyed:
        df.update(set(_line_keys(all_keys)))
    shares, own = [], []
    for all_keys in keyed:
        keys = _line_keys(all_keys)  # filtered again rather than kept for every text at once
        shares.append(sum(1 for k in keys if df[k] >= TEMPLATE_MIN_DOCS) / len(keys) if keys else 0.0)
        own.append(frozenset(zlib.crc32(k.encode()) for k in keys if df[k] < TEMPLATE_MIN_DOCS))
    return shares, own


def _declared_apart(index: _Index, i: int, j: int) -> bool:
    """Both documents declare their subject in front matter (`title:`), and the subjects differ.

    The titles are compared word for word, one-letter words and numbers included (case, punctuation
    and spacing aside): `B (Network Monitor)` and `F (Network Monitor)`, or `Shader Model 6.0` and
    `Shader Model 6.4`, declare two subjects though their longer words are the same."""
    a, b = index.docs[i], index.docs[j]
    both = a.title_source == "front_matter" and b.title_source == "front_matter"
    return both and _title_key(a.title) != _title_key(b.title)


def _title_key(title: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", strip_symbols(title).lower()).split())


def _stubs_of_two_names(index: _Index, i: int, j: int) -> bool:
    """Two stubs inside folders, each titled by exactly its own file name, for two different names."""
    # names that differ only by a marker (`setup`, `setup-copy`) are one name
    both = index.self_titled_stub[i] and index.self_titled_stub[j]
    return both and index.names[i].base != index.names[j].base


def _own_lines_agree(a: frozenset[int], b: frozenset[int]) -> bool:
    if not a or not b:
        return False
    return len(a & b) >= OWN_LINES_AGREE * min(len(a), len(b))


def _one_folder_apart(a: str, b: str) -> tuple[str, str] | None:
    """The two folder names where paths `a` and `b` differ, when they differ in one folder only (the
    file name and every other folder the same)."""
    pa, pb = a.split("/"), b.split("/")
    if len(pa) != len(pb) or len(pa) < 2:
        return None
    apart = [k for k in range(len(pa)) if pa[k] != pb[k]]
    if len(apart) != 1 or apart[0] == len(pa) - 1:
        return None
    return pa[apart[0]], pb[apart[0]]


def parallel_versions(a: str, b: str) -> bool:
    """One page in the trees of two versions: the paths differ in one folder only, and both folders
    name a version (`reference/5.1/x.md`, `reference/7.4/x.md`)."""
    folders = _one_folder_apart(a, b)
    return bool(folders and all(VERSION_FOLDER.fullmatch(f) for f in folders))


def in_two_languages(a: Sequence[str], b: Sequence[str]) -> bool:
    """Folders `a` and `b` (outermost first) lie in two languages of one tree: where they first
    differ, the two folders are one tree in two languages (`docs/fr`, `docs/ja`) or a tree and its
    translation (`pages`, `pages.fr`). A page of one language is never a version of a page of another,
    whatever their names: it translates its own page of the source tree."""
    for fa, fb in zip(a, b, strict=False):
        if fa != fb:
            la, lb = language_folder(fa), language_folder(fb)
            if la and lb:
                return la[0] == lb[0] and la[1] != lb[1]
            return bool((la and la[0] == fb) or (lb and lb[0] == fa))
    return False


def _as_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _weighted_overlap(a: Iterable[str], b: Iterable[str], idf: dict[str, float]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    # Every weight is positive (an idf is at least 1), so these two cases need no sums: the same words
    # make two equal sums, whose quotient is exactly 1.0, and no shared word makes 0.0. They are most
    # pairs of a large repository (translations of one page share a name and nothing of their title).
    if sa == sb:
        return 1.0
    if sa.isdisjoint(sb):
        return 0.0
    # summed in sorted order: a float sum over a set of strings follows the per-run string hash, and
    # a pair scored exactly at a threshold would fall either side from run to run
    inter = sum(idf.get(w, 1.0) for w in sorted(sa & sb))
    union = sum(idf.get(w, 1.0) for w in sorted(sa | sb))
    return inter / union if union else 0.0


def name_similarity(a: NameParts, b: NameParts, idf: dict[str, float]) -> float:
    """How alike two file names are once version markers are out: 1.0 for the same base name.

    Name words are weighted by how rare they are in this repository, so `CLOUDFLARE_*` names meet on
    CLOUDFLARE while `*_SUMMARY` names do not meet on SUMMARY; rapidfuzz catches QUICKSTART / QUICK_START
    and re-ordered words.
    """
    if not a.base or not b.base:
        return 0.0
    if a.compact == b.compact:
        return 1.0
    overlap = _weighted_overlap(a.base, b.base, idf)
    fuzzy = (
        max(fuzz.ratio(a.compact, b.compact), fuzz.token_sort_ratio(" ".join(a.base), " ".join(b.base)))
        / 100.0
    )
    # fuzzy agreement counts only as far as the words themselves agree: "STATUS" ~ "STATUS_BOARD"
    # share letters but not identity
    return max(overlap, fuzzy * min(1.0, 0.25 + overlap))


def same_name(a: NameParts, b: NameParts, same_folder: bool) -> bool:
    """Versions by name: one base name, told apart only by markers (_OLD, _V2, 2025) or separators."""
    if not a.compact or a.compact != b.compact or a.numbers != b.numbers or _dated_apart(a, b):
        return False
    return a.markers != b.markers or same_folder


def _ruled_apart(index: _Index, i: int, j: int, one_place: bool = True) -> str:
    """Why two documents are never duplicates whatever their scores say, in words, or ''.

    `one_place` False says the two do not share one file name at one depth, so they cannot be one page
    in the trees of two versions or in two sections of a reference, and those rules (which compare the
    paths) are not asked."""
    a, b = index.docs[i].path, index.docs[j].path
    if one_place and parallel_versions(a, b):
        # each version of the documentation keeps its page, however alike
        return "one page in the trees of two versions of the documentation"
    if in_two_languages(index.folders[i], index.folders[j]):
        return "one page in two languages" if one_place else "pages in two languages of one tree"
    key = _identified_apart(index, i, j)
    if key:
        return f"pages declaring two different identifiers (front matter `{key}`): two subjects"
    if _stubs_of_two_names(index, i, j):
        return "stub pages for two names (an alias or pointer page each), alike by design"
    if index.named[i] and index.named[j]:
        if index.title_keys[i] != index.title_keys[j] or index.name_keys[i] != index.name_keys[j]:
            return "pages of a reference named by subject, for two names: two subjects"
        if one_place and _one_folder_apart(a, b):
            return "one name in two sections of a reference named by subject: one subject, two contexts"
    if one_place and index.sections[i] and index.sections[j] and _one_folder_apart(a, b):
        return "one name in two sibling sections of a large documentation tree: a page in each"
    return _units_apart(index, i, j)


def _units_apart(index: _Index, i: int, j: int) -> str:
    """Why two pages of structured folders (see `folders`) are not versions of each other, or ''.

    The pages of one unit are its companions (a feature's spec and its plan share the feature's words
    and outline because they are about one feature), unless their names are one name apart from version
    markers (`plan.md`, `plan-old.md`): a copy kept beside the page. The page of one name in two sibling
    units (`001-login/plan.md`, `002-search/plan.md`) is two units' pages of one layout: alike by the
    layout, different in subject. Identical texts are still reported (a template copied and not filled
    in, one unit's page pasted into another): a reviewer should see them, though classification leaves
    both in their folders."""
    ui, uj = index.unit[i], index.unit[j]
    if ui < 0 or uj < 0 or (index.exact[i] and index.exact[i] == index.exact[j]):
        return ""
    if ui == uj:
        a, b = index.docs[i], index.docs[j]
        if same_name(index.names[i], index.names[j], a.folder == b.folder):
            return ""
        return f"companion pages of one structured folder ({index.unit_folders[ui]}/), not versions"
    if index.unit_parent[i] == index.unit_parent[j] and index.unit_path[i] == index.unit_path[j]:
        fi, fj = index.unit_folders[ui], index.unit_folders[uj]
        return f"the page of one name in two sibling structured folders ({fi}/, {fj}/): two units' pages"
    return ""


@dataclass(frozen=True)
class PairScore:
    score: float
    content: float
    name: float
    title: float
    headings: float
    links: float
    dates: float
    same_name: bool
    series_apart: bool
    exact: bool
    rule: str = ""  # the rule that set a floor under the score, in words


def _score(index: _Index, i: int, j: int, content: float, headings: float) -> PairScore:
    cfg = index.config
    why = _ruled_apart(index, i, j)
    if why:
        return PairScore(0.0, content, 0.0, 0.0, headings, 0.0, 0.0, False, False, False, why)
    titled = _declared_apart(index, i, j)
    if index.exact[i] and index.exact[i] == index.exact[j]:
        if titled:
            # one stub body under two declared titles: generated pages of two symbols
            why = "the same text under two declared titles: pages of one template about different subjects"
            return PairScore(0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, False, False, False, why)
        return PairScore(1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, False, False, True)
    a, b = index.names[i], index.names[j]
    name = name_similarity(a, b, index.name_idf)
    title = _weighted_overlap(index.title_words[i], index.title_words[j], index.title_idf)
    links = _link_score(index, i, j)
    days = _date_score(index.dates[i], index.dates[j], cfg.date_window_days)
    rank = index.ranks.get((i, j), 0.0)
    sa, sb = index.section_sets[i], index.section_sets[j]
    outline = 0.0
    if len(sa) >= MIN_OUTLINE and len(sb) >= MIN_OUTLINE:
        outline = _weighted_overlap(sa, sb, index.heading_idf)
        headings = max(headings, outline)
    coupling = 0.0
    if index.index_like[i] and index.index_like[j]:
        oa, ob = index.out_links[i], index.out_links[j]
        coupling = len(oa & ob) / len(oa | ob)
        content = max(content, coupling)
    score = (
        cfg.weight_rank * rank
        + cfg.weight_content * content
        + cfg.weight_name * name
        + cfg.weight_title * title
        + cfg.weight_structure * headings
        + cfg.weight_links * links
        + cfg.weight_dates * days
    )
    same_folder = index.docs[i].folder == index.docs[j].folder
    versions = same_name(a, b, same_folder)
    rule = ""
    # The name alone makes versions only of a copy marked as one and kept beside its original (X.md,
    # X_OLD.md in one folder). A file of that name in another folder (a root QUICKSTART_OLD.md, an app's
    # docs/app/QUICKSTART.md), or one spelled apart only by case or separators (EXECUTIVE_SUMMARY.md,
    # ExecutiveSummary.md), shares a common name, not necessarily a subject: there the texts must be
    # content neighbours too, else the name alone would group pages about different things.
    marked_copy = same_folder and a.markers != b.markers
    if versions and (marked_copy or content >= cfg.candidate_cosine) and score < cfg.same_name_score:
        score, rule = cfg.same_name_score, "same name apart from version markers"
    # A rewrite keeps the outline of the report it rewrites, and stays its nearest neighbour
    if (
        outline >= cfg.outline_overlap
        and rank > 0
        and content >= cfg.candidate_cosine
        and score < cfg.rule_score
    ):
        score, rule = cfg.rule_score, f"same outline ({outline:.2f}) and nearest content neighbours"
    # Two index pages in one folder listing largely the same documents are one index
    if coupling >= cfg.index_coupling and same_folder and score < cfg.rule_score:
        score, rule = cfg.rule_score, f"index pages listing the same documents ({coupling:.2f})"
    # Two records numbering the same thing (WEB_STAGE_2 and STAGE_3: stages) are two steps of one
    # series, whatever else their names say, not two versions of one record.
    series_apart = (
        bool(a.numbers)
        and bool(b.numbers)
        and (a.series_key == b.series_key or _counted(a) == _counted(b) != "")
    )
    series_apart = (series_apart and a.numbers != b.numbers) or _dated_apart(a, b)
    if series_apart and content < cfg.series_duplicate_cosine:
        score *= cfg.series_penalty
        rule = "members of one series" + (f" (not: {rule})" if rule else "")
    templated = index.template_share[i] >= TEMPLATE_SHARE and index.template_share[j] >= TEMPLATE_SHARE
    apart = index.title_words[i] != index.title_words[j]
    if titled or (
        not versions and templated and apart and not _own_lines_agree(index.own_lines[i], index.own_lines[j])
    ):
        # generated reference pages share their headings, tables and sentences; their subjects differ.
        # A declared title is the page's subject whatever its file name says: `constants.md` and
        # `obsolete-constants.md` of two API families declare two subjects, not two versions of one.
        why = "declared titles, or a template's titles and own lines, differ"
        score, rule = 0.0, f"pages about different subjects ({why})"
    if (index.conventional[i] or index.conventional[j]) and not versions:
        # README, CHANGELOG, CONTRIBUTING ... are fixtures of their folder, not versions of anything
        score, rule = 0.0, "a conventional file (README, CHANGELOG ...) is not a version of another"
    return PairScore(
        min(score, 1.0), content, name, title, headings, links, days, versions, series_apart, False, rule
    )


def _counted(parts: NameParts) -> str:
    """The word a name's first sequence number counts: "stage" for WEB_STAGE_n_COMPLETE ("" when the
    name opens with its number)."""
    head, _, _ = parts.template.partition("_n")
    return "" if parts.template.startswith("n") else head.rsplit("_", 1)[-1].lower()


def _dated_apart(a: NameParts, b: NameParts) -> bool:
    """SESSION_SUMMARY_2025_02_20 and SESSION_SUMMARY_2025_04_03: one log kept per day, not versions."""
    da, db = a.day_markers, b.day_markers
    return bool(da) and bool(db) and da != db and a.base == b.base


# From this many pairs on, scoring is split between worker processes forked from this one (they read
# the index from their copy of this process's memory, nothing is pickled to them). A large repository
# has about a million candidate pairs, scored one by one in Python.
PARALLEL_PAIRS = 50_000
_FORKED: tuple[_Index, Sequence[Pair], list[float], list[float]] | None = None  # what the workers read


def score_pairs(
    index: _Index,
    pairs: Sequence[Pair],
    workers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> dict[Pair, PairScore]:
    """The score of each pair. `meanwhile` (work that does not need the scores) is called once: while
    forked workers score, when there are enough pairs for them, else after the scoring."""
    contents = _row_products(index.content, pairs).tolist()
    headings = _row_products(index.headings, pairs).tolist()
    workers = workers or min(os.cpu_count() or 1, 8)
    # Linux only: elsewhere `fork` is missing or, on macOS, unsafe once system libraries are loaded.
    if len(pairs) >= PARALLEL_PAIRS and workers > 1 and sys.platform.startswith("linux"):
        found = _score_forked(index, pairs, contents, headings, workers, meanwhile)
        return dict(zip(pairs, found, strict=True))
    scored = {
        pair: _score(index, pair[0], pair[1], float(c), float(h))
        for pair, c, h in zip(pairs, contents, headings, strict=True)
    }
    if meanwhile is not None:
        meanwhile()
    return scored


def _score_forked(
    index: _Index,
    pairs: Sequence[Pair],
    contents: list[float],
    headings: list[float],
    workers: int,
    meanwhile: Callable[[], object] | None,
) -> list[PairScore]:
    """The scores of `pairs` in order, computed by forked workers, each taking a slice in turn."""
    global _FORKED
    step = max(1, -(-len(pairs) // (workers * 8)))
    slices = [(start, min(start + step, len(pairs))) for start in range(0, len(pairs), step)]
    _FORKED = (index, pairs, contents, headings)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = pool.map(_score_slice, slices)
            # Every slice is queued and every worker forked by now: this process would only wait.
            if meanwhile is not None:
                meanwhile()
            out: list[PairScore] = []
            for rows in results:
                out.extend(PairScore(*row) for row in rows)
            return out
    finally:
        _FORKED = None


_Row = tuple[float, float, float, float, float, float, float, bool, bool, bool, str]  # a PairScore's fields


def _score_slice(bounds: tuple[int, int]) -> list[_Row]:
    # Plain tuples travel back much faster than dataclass instances.
    assert _FORKED is not None
    index, pairs, contents, headings = _FORKED
    rows: list[_Row] = []
    for k in range(*bounds):
        i, j = pairs[k]
        s = _score(index, i, j, float(contents[k]), float(headings[k]))
        rows.append(
            (
                s.score,
                s.content,
                s.name,
                s.title,
                s.headings,
                s.links,
                s.dates,
                s.same_name,
                s.series_apart,
                s.exact,
                s.rule,
            )
        )
    return rows


def _link_score(index: _Index, i: int, j: int) -> float:
    direct = 1.0 if (j in index.out_links[i] or i in index.out_links[j]) else 0.0
    ia, ib = index.in_links[i], index.in_links[j]
    cocited = len(ia & ib) / len(ia | ib) if ia and ib else 0.0
    oa, ob = index.out_links[i], index.out_links[j]
    coupled = len(oa & ob) / len(oa | ob) if len(oa) >= 2 and len(ob) >= 2 else 0.0
    return max(0.5 * direct, cocited, 0.7 * coupled)


def _date_score(a: date | None, b: date | None, window: int) -> float:
    if a is None or b is None or window <= 0:
        return 0.0
    gap = abs((a - b).days)
    return max(0.0, 1.0 - gap / (window + 1))


# ---------------------------------------------------------------------------------------------------------
# Candidates

# The largest block of documents sharing a word (or a base name, or an index's list) whose pairs are
# all candidates: the square root of the number of documents, up to this size. Without a ceiling a
# block's pairs grow with the square of its size and the candidates with n * sqrt(n): 900,000 on a
# 40,000-page tree, most of the plan's time and memory; with it they grow linearly. A word shared by
# more documents than this says little about any two of them. 64 is the root of 4,096 documents, more
# than any of the repositories the plans were checked on.
BLOCK_CAP = 64


def _shared_word_pairs(words_of: list[set[str]], cap: int) -> set[Pair]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, words in enumerate(words_of):
        for w in words:
            if w and not w.isdigit():
                blocks[w].append(i)
    shared: Counter[Pair] = Counter()
    for members in blocks.values():
        if 2 <= len(members) <= cap:
            shared.update((a, b) for ai, a in enumerate(members) for b in members[ai + 1 :])
    return {
        (a, b) for (a, b), count in shared.items() if 2 * count >= min(len(words_of[a]), len(words_of[b]))
    }


def candidate_pairs(index: _Index, neighbours: dict[Pair, float]) -> set[Pair]:
    """Pairs worth scoring: content neighbours, name or title relatives, documents an index lists together."""
    cfg = index.config
    n = len(index.docs)
    pairs = {p for p, cosine in neighbours.items() if cosine >= cfg.candidate_cosine}
    # Blocking on rare words: a word in more than `cap` names or titles is too common to say anything
    # and would make the blocks quadratic. Within a block, a pair is kept when the words the two names
    # share make up at least half of the shorter name: CLOUDFLARE_DEPLOYMENT_SUMMARY meets
    # CLOUDFLARE_SETUP_SUMMARY, but not every other name that happens to contain CLOUDFLARE.
    cap = min(max(8, int(math.sqrt(n))), BLOCK_CAP)
    for words_of in ([set(p.base) for p in index.names], [set(w) for w in index.title_words]):
        pairs |= _shared_word_pairs(words_of, cap)
    same_base: dict[str, list[int]] = defaultdict(list)
    for i, parts in enumerate(index.names):
        if parts.compact:
            same_base[parts.compact].append(i)
    for members in same_base.values():
        if 2 <= len(members) <= cap:
            pairs.update((a, b) for ai, a in enumerate(members) for b in members[ai + 1 :])
    for i in range(n):
        listed = sorted(index.out_links[i])
        if 2 <= len(listed) <= cap:
            pairs.update((a, b) for ai, a in enumerate(listed) for b in listed[ai + 1 :])
        pairs.update((min(i, j), max(i, j)) for j in index.out_links[i])
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(index.exact):
        if key:
            by_key[key].append(i)
    for members in by_key.values():
        pairs.update((a, b) for ai, a in enumerate(members) for b in members[ai + 1 :])
    if cfg.cohesion_floor <= 0:
        return {p for p in pairs if p[0] != p[1]}
    # A pair ruled apart scores 0, below the floor: it can join no group and is no related pair, so it
    # need not be scored (most pairs of a reference set that declares identifiers, or of a translated
    # tree). The floor keeps both true; without one, the pairs are scored as before. The rules that
    # compare two paths holding one file name (versions, sections) are asked only of pairs with one
    # file name at one depth.
    where: dict[tuple[str, int], int] = {}
    place = [where.setdefault((d.name, d.path.count("/")), len(where)) for d in index.docs]
    return {(a, b) for a, b in pairs if a != b and not _ruled_apart(index, a, b, place[a] == place[b])}
