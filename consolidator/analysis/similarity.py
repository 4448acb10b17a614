"""Near-duplicate groups, topic clusters and series among a repository's documents.

Method, and why:

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

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz
from rich.console import Console
from rich.markup import escape
from sklearn.feature_extraction.text import TfidfVectorizer

from ..core.config import SimilarityConfig
from ..core.conventions import heads_folder, in_history_folder, slug
from ..core.models import Cluster, Document
from .names import NameParts, parse_name, version_rank

Pair = tuple[int, int]

# A document linking to at least this many documents, with no more than this many words per link,
# reads as an index page.
INDEX_MIN_LINKS = 5
INDEX_WORDS_PER_LINK = 25
# Above SEARCH_PRUNE_FROM documents, terms in more than SEARCH_MAX_DF documents are left out of the
# neighbour search (not of the scores), so the block products stay sparse and the cost near linear.
SEARCH_PRUNE_FROM = 1000
SEARCH_MAX_DF = 250
# Sections with fewer words than this are not reported as content a canonical lacks.
MIN_SECTION_WORDS = 5
# Outlines shorter than this say too little to compare.
MIN_OUTLINE = 3


@dataclass(frozen=True)
class Groups:
    duplicates: tuple[Cluster, ...]
    topics: tuple[Cluster, ...]
    series: tuple[Cluster, ...]
    # scored pairs below duplicate level whose names or titles are related: (path, path, score), sorted.
    # Classification uses them to find several guides to one procedure.
    related: tuple[tuple[str, str, float], ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Cleaning

_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_BADGE = re.compile(
    r"!?\[[^\]]*\]\([^)]*(?:shields\.io|badge|badgen|travis-ci|circleci|codecov)[^)]*\)", re.I
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TOC_HEADING = re.compile(r"^\W*(table of contents|contents|toc|index|navigation|quick links)\W*$", re.I)
_WS = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")


_SYMBOLS = re.compile(
    "[\u00a9\u00ae\u2000-\u206f\u2100-\u2bff\u2e00-\u2e7f\u3030\u303d\u3297\u3299"
    "\ufe00-\ufe0f\U0001f000-\U0001faff\U000e0000-\U000e007f]+"
)


def strip_symbols(text: str) -> str:
    """Drop emoji, pictographs, arrows, box drawing and the like (they decorate, they don't say anything)."""
    if text.isascii():
        return text
    return _SYMBOLS.sub(" ", text)


def _clean_line(line: str) -> str:
    """Badges out, link text kept without its target, bare URLs and symbols out (works on any text)."""
    if "](" in line:
        line = _BADGE.sub(" ", line)
        line = _MD_LINK.sub(r"\1", line)
    if "://" in line or "www." in line:
        line = _URL.sub(" ", line)
    return strip_symbols(line)


def document_text(doc: Document) -> str:
    """The prose that identifies a document, without tables of contents or decoration."""
    if doc.sections:
        parts = [
            f"{s.heading}\n{s.text}" for s in doc.sections if not _TOC_HEADING.match(strip_symbols(s.heading))
        ]
        raw = "\n".join(parts)
    else:
        raw = doc.text
    if "--" in raw:
        raw = "\n".join(ln for ln in raw.splitlines() if not _TABLE_RULE.match(ln))
    return "\n".join(ln for ln in _clean_line(raw).splitlines() if ln.strip())


@lru_cache(maxsize=1 << 16)
def normalised_heading(text: str) -> str:
    text = strip_symbols(text).lower()
    text = re.sub(r"^\s*(?:\d+[.)]?\s*)+", "", text)  # "1. Setup" and "Setup" are the same section
    text = _NOT_WORD.sub(" ", text)
    return _WS.sub(" ", text).strip()


def exact_key(doc: Document) -> str:
    """Same text after normalising whitespace (and case): the key that always finds exact duplicates."""
    body = _WS.sub(" ", (doc.text or "")).strip().lower()
    return hashlib.sha1(body.encode("utf-8")).hexdigest() if body else ""


def _drop_common_lines(texts: list[str], limit: int) -> list[str]:
    # Footers and banners repeated across many documents ("Generated by ...", a status legend) make
    # unrelated documents look alike; a line in more than `limit` documents is boilerplate.
    seen: Counter[str] = Counter()
    keyed = []
    for t in texts:
        keys = [" ".join(ln.split()).lower() for ln in t.splitlines()]
        keyed.append(keys)
        seen.update({k for k in keys if len(k) > 3})
    common = {k for k, c in seen.items() if c > limit}
    if not common:
        return texts
    return [
        "\n".join(ln for ln, k in zip(t.splitlines(), keys, strict=True) if k not in common)
        for t, keys in zip(texts, keyed, strict=True)
    ]


# ---------------------------------------------------------------------------------------------------------
# Vectors and neighbours


def tfidf_matrix(
    texts: Sequence[str], *, max_df: float = 0.5, ngram_max: int = 1
) -> tuple[sp.csr_matrix, list[str]]:
    """Rows L2-normalised, so a row product is a cosine; and the term of each column."""
    empty = sp.csr_matrix((len(texts), 0), dtype=np.float32)
    if not texts or not any(t.strip() for t in texts):
        return empty, []
    # A vocabulary of a few dozen documents cannot spare terms that happen to be in half of them.
    max_df_used = max_df if len(texts) >= 50 else 1.0
    vectoriser = TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        ngram_range=(1, ngram_max),
        sublinear_tf=True,
        max_df=max_df_used,
        min_df=1,
        # words of two or more characters that start with a letter: numbers (versions, counts,
        # percentages) change between rewrites without changing what a document is about
        token_pattern=r"(?u)\b[^\W\d_]\w+",
        dtype=np.float32,
    )
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # nothing left once stop words are gone
        return empty, []
    return sp.csr_matrix(matrix, dtype=np.float32), list(vectoriser.get_feature_names_out())


def top_k_neighbours(
    matrix: sp.csr_matrix, k: int, floor: float, *, block: int | None = None, prune_df: int | None = None
) -> dict[Pair, float]:
    """Each row's k most similar other rows with cosine >= floor, as {(i, j): cosine} with i < j.

    The product is formed one block of rows at a time, so memory is O(block * n + n * k). With
    `prune_df`, terms found in more documents than that are left out of the search (they are what makes
    the product dense and slow, and near-duplicates share plenty of rarer terms); the cosines of the
    pairs found are then recomputed exactly on the full vectors.
    """
    n = matrix.shape[0]
    found: dict[Pair, float] = {}
    if n < 2 or matrix.shape[1] == 0 or k <= 0:
        return found
    search = matrix
    search_floor = floor
    if prune_df is not None:
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        common = df > prune_df
        if common.any():
            search = (matrix @ sp.diags((~common).astype(np.float32))).tocsr()
            search.eliminate_zeros()
            search_floor = floor / 2
    if block is None:
        block = max(64, min(2048, int(2e7 // n)))
    transposed = search.T.tocsr()
    for start in range(0, n, block):
        stop = min(start + block, n)
        product = (search[start:stop] @ transposed).tocsr()
        product.data[product.data < search_floor] = 0
        product.eliminate_zeros()
        for row in range(stop - start):
            i = start + row
            lo, hi = product.indptr[row], product.indptr[row + 1]
            cols = product.indices[lo:hi]
            vals = product.data[lo:hi]
            keep = cols != i
            cols, vals = cols[keep], vals[keep]
            if len(cols) > k:
                best = np.argpartition(-vals, k - 1)[:k]
                cols, vals = cols[best], vals[best]
            for j, v in zip(cols.tolist(), vals.tolist(), strict=True):
                pair = (i, j) if i < j else (j, i)
                found[pair] = max(found.get(pair, 0.0), float(v))
    if search is not matrix:
        pairs = sorted(found)
        exact = _row_products(matrix, pairs)
        found = {p: float(v) for p, v in zip(pairs, exact.tolist(), strict=True) if v >= floor}
    return found


def pair_cosine(matrix: sp.csr_matrix, i: int, j: int) -> float:
    if matrix.shape[1] == 0:
        return 0.0
    return float(matrix[i].multiply(matrix[j]).sum())


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
    ranks: dict[Pair, float] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        docs = self.docs
        n = len(docs)
        texts = [document_text(d) for d in docs]
        texts = _drop_common_lines(texts, max(3, int(0.05 * n)))
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
        self.exact = [exact_key(d) for d in docs]


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
    if index.exact[i] and index.exact[i] == index.exact[j]:
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
    if versions and score < cfg.same_name_score:
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
    series_apart = bool(a.numbers) and bool(b.numbers) and a.series_key == b.series_key
    series_apart = (series_apart and a.numbers != b.numbers) or _dated_apart(a, b)
    if series_apart and content < cfg.series_duplicate_cosine:
        score *= cfg.series_penalty
        rule = "members of one series" + (f" (not: {rule})" if rule else "")
    if (index.conventional[i] or index.conventional[j]) and not versions:
        # README, CHANGELOG, CONTRIBUTING ... are fixtures of their folder, not versions of anything
        score, rule = 0.0, "a conventional file (README, CHANGELOG ...) is not a version of another"
    return PairScore(
        min(score, 1.0), content, name, title, headings, links, days, versions, series_apart, False, rule
    )


def _dated_apart(a: NameParts, b: NameParts) -> bool:
    """SESSION_SUMMARY_2025_02_20 and SESSION_SUMMARY_2025_04_03: one log kept per day, not versions."""
    da, db = a.day_markers, b.day_markers
    return bool(da) and bool(db) and da != db and a.base == b.base


def _row_products(matrix: sp.csr_matrix, pairs: Sequence[Pair], chunk: int = 50_000) -> np.ndarray:
    """Cosine of each listed pair, without forming the full product."""
    out = np.zeros(len(pairs), dtype=np.float64)
    if matrix.shape[1] == 0 or not pairs:
        return out
    arr = np.asarray(pairs, dtype=np.int64)
    for start in range(0, len(arr), chunk):
        part = arr[start : start + chunk]
        prod = matrix[part[:, 0]].multiply(matrix[part[:, 1]])
        out[start : start + len(part)] = np.asarray(prod.sum(axis=1)).ravel()
    return out


def score_pairs(index: _Index, pairs: Sequence[Pair]) -> dict[Pair, PairScore]:
    contents = _row_products(index.content, pairs)
    headings = _row_products(index.headings, pairs)
    return {
        pair: _score(index, pair[0], pair[1], float(c), float(h))
        for pair, c, h in zip(pairs, contents.tolist(), headings.tolist(), strict=True)
    }


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


def neighbour_ranks(n: int, neighbours: dict[Pair, float]) -> dict[Pair, float]:
    """Mutual closeness: (1/rank of j among i's neighbours + 1/rank of i among j's) / 2.

    A rewrite shares few words with the original yet is still its nearest neighbour, and the cosine
    that means "nearest" differs between a terse repository and a verbose one; ranks do not.
    """
    lists: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (a, b), cosine in neighbours.items():
        lists[a].append((-cosine, b))
        lists[b].append((-cosine, a))
    rank_of: dict[Pair, int] = {}
    for a, items in lists.items():
        for position, (_, b) in enumerate(sorted(items), start=1):
            rank_of[(a, b)] = position
    return {(a, b): 0.5 * (1.0 / rank_of[(a, b)] + 1.0 / rank_of[(b, a)]) for (a, b) in neighbours}


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
    cap = max(8, int(math.sqrt(n)))
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
    return {p for p in pairs if p[0] != p[1]}


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
        matrix = np.zeros((len(comp), len(comp)))
        for a in comp:
            for b, score in adjacency.get(a, ()):
                if b in local:
                    matrix[local[a], local[b]] = matrix[local[b], local[a]] = score
        for cluster in average_linkage(len(comp), matrix, cfg.duplicate_threshold, cfg.cohesion_floor):
            found.append(sorted(comp[k] for k in cluster))
    return found


# ---------------------------------------------------------------------------------------------------------
# Canonical member, unique content, evidence


def canonical_key(index: _Index, i: int) -> tuple[int, str, int, int, int, int, str]:
    """Sort key of canonical candidates, highest wins.

    1. no stale marker (_OLD, _BACKUP, _DEPRECATED) and not filed in an archive folder: a file
       named old, or already archived, is never the one to keep;
    2. newest: the date the document states about itself, else its last commit (day precision);
    3. a name that claims to be newest (_FINAL, _V2, _NEW);
    4. most complete (word count);
    5. most linked to from other documents (what readers already reach);
    6. the shorter, plainer name; then the path, so the choice is stable.
    On the labelled corpus, completeness before links picked the labelled canonical more often.
    """
    doc = index.docs[i]
    rank = version_rank(index.names[i])
    newest = doc.dates.content or doc.dates.last_commit or doc.dates.first_commit or ""
    archived = in_history_folder(doc.path)  # a copy filed in history is never the one to read
    return (
        0 if rank < 0 or archived else 1,
        newest,
        rank,
        doc.words,
        len(index.in_links[i]),
        -len(doc.name),
        _reverse(doc.path),
    )


def _reverse(text: str) -> str:
    # the last tie-breaker sorts ascending by path while the key is maximised
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def _shingles(text: str, size: int = 4) -> set[int]:
    words = _NOT_WORD.sub(" ", text.lower()).split()
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[k : k + size])) for k in range(len(words) - size + 1)}


def unique_sections(member: Document, canonical: Document, limit: int = 20) -> tuple[str, ...]:
    """Sections (or the opening paragraph) of `member` whose heading and text the canonical lacks."""
    have_headings = {normalised_heading(h.text) for h in canonical.headings}
    have_text: set[int] = set()
    for section in canonical.sections or ():
        have_text |= _shingles(section.text)
    if not canonical.sections:
        have_text = _shingles(canonical.text)
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
        canonical = max(members, key=lambda m: canonical_key(index, m))
        pair_scores = [
            scored[(a, b)].score
            for ai, a in enumerate(members)
            for b in members[ai + 1 :]
            if (a, b) in scored
        ]
        unique = tuple(
            (docs[m].path, unique_sections(docs[m], docs[canonical]))
            for m in sorted(members, key=lambda m: docs[m].path)
            if m != canonical
        )
        evidence = [f"canonical {docs[canonical].path}: " + _canonical_reason(index, canonical, members)]
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


def _canonical_reason(index: _Index, chosen: int, members: list[int]) -> str:
    doc = index.docs[chosen]
    reasons = []
    if any(version_rank(index.names[m]) < 0 for m in members) and version_rank(index.names[chosen]) >= 0:
        reasons.append("no stale marker in its name")
    date_text = doc.dates.content or doc.dates.last_commit
    if date_text:
        reasons.append(f"newest ({date_text})")
    inbound = len(index.in_links[chosen])
    if inbound:
        reasons.append(f"{inbound} documents link to it")
    reasons.append(f"{doc.words} words")
    return ", ".join(reasons)


# ---------------------------------------------------------------------------------------------------------
# Series and topics


def series_clusters(docs: Sequence[Document], names: Sequence[NameParts]) -> list[Cluster]:
    """Documents that share a name template and differ in their sequence numbers."""
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
    labels = sorted(chosen)
    ids = _unique_ids("series", labels)
    out = []
    for cid, label in zip(ids, labels, strict=True):
        members = chosen[label]
        if label.endswith("<date>"):
            listed = ", ".join(sorted({"/".join(names[m].day_markers) for m in members}))
        else:
            numbers = sorted({names[m].numbers for m in members})
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
    for community in communities:
        members = sorted(community)
        if len(members) < cfg.min_topic_size:
            continue
        centroid = np.asarray(index.content[members].mean(axis=0)).ravel()
        top = np.argsort(-centroid, kind="stable")[:4]
        words = [terms[t] for t in top if centroid[t] > 0]
        inside = [w for (a, b), w in neighbours.items() if a in community and b in community]
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
