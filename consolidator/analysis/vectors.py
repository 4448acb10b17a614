"""Document vectors and content neighbours: the cleaned prose of each document, its TF-IDF row, and
each row's nearest rows. Part of the similarity stage (see `similarity`).

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
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ..core.models import Document

Pair = tuple[int, int]

# Above SEARCH_PRUNE_FROM documents, terms in more than SEARCH_MAX_DF documents are left out of the
# neighbour search (not of the scores), so the block products stay sparse and the cost near linear.
SEARCH_PRUNE_FROM = 1000
SEARCH_MAX_DF = 250


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
