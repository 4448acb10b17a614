"""Near-duplicate detection at scale: the similarity engine beside datasketch MinHashLSH.

    python benchmarks/similarity_bench.py                 # 1,000 and 10,000 documents
    python benchmarks/similarity_bench.py 1000 10000 50000
    python benchmarks/similarity_bench.py 10000 --engine-only
    python benchmarks/similarity_bench.py 50000 --methods=engine,minhash@0.3

For each size a synthetic corpus is generated (seeded): documents of 150-600 words in 3-8 sections
drawn from a Zipf vocabulary, and for 10% of them a planted near-duplicate: an edited copy (10-20% of
words replaced or dropped), the same sections in another order, or a renamed copy (new file name,
light edits). Each method runs in its own process, so its peak memory (ru_maxrss) is its own.

Reported per size and method: wall time, peak memory, and recall / precision over planted pairs (a pair
counts as found when both documents land in one reported group; MinHashLSH reports the pairs its
query returns). MinHashLSH uses 128 permutations over word 3-shingles, at Jaccard threshold 0.5 (the
usual setting for near-duplicate text) and 0.3 (to reach the recall the engine has). The clock runs
over the detection only: building the engine's documents (the scanner's work) and imports are outside
it, shingling and hashing are inside it for MinHash.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import resource
import sys
import time
from collections.abc import Callable
from itertools import combinations

from consolidator.core.models import Dates, Document, Heading, Section

WORDS_PER_SECTION = (40, 90)


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def make_corpus(n: int, seed: int = 11) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """(name, markdown) documents, and the planted pairs of names."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 40_000)
    weights = [1.0 / (r + 1) ** 1.05 for r in range(len(vocab))]
    name_words = _vocabulary(rng, 3_000)
    planted_count = n // 10
    originals = n - planted_count

    def section() -> tuple[str, list[str]]:
        heading = " ".join(rng.choices(vocab[:3000], k=rng.randint(1, 3))).title()
        words = rng.choices(vocab, weights=weights, k=rng.randint(*WORDS_PER_SECTION))
        return heading, words

    def render(title: str, sections: list[tuple[str, list[str]]]) -> str:
        parts = [f"# {title}", ""]
        for heading, words in sections:
            parts += [f"## {heading}", "", " ".join(words), ""]
        return "\n".join(parts)

    docs: list[tuple[str, str, list[tuple[str, list[str]]]]] = []
    used: set[str] = set()
    for _ in range(originals):
        while True:
            name = "_".join(rng.sample(name_words, 3)).upper() + ".md"
            if name not in used:
                used.add(name)
                break
        sections = [section() for _ in range(rng.randint(3, 8))]
        docs.append((name, name[:-3].replace("_", " ").title(), sections))
    planted: set[tuple[str, str]] = set()
    out = [(name, render(title, sections)) for name, title, sections in docs]
    for k, source in enumerate(rng.sample(range(originals), planted_count)):
        name, title, sections = docs[source]
        kind = k % 3
        new_sections = []
        for heading, words in sections:
            edited = list(words)
            rate = 0.15 if kind == 0 else 0.05
            for pos in range(len(edited)):
                roll = rng.random()
                if roll < rate / 2:
                    edited[pos] = rng.choices(vocab, weights=weights)[0]
                elif roll < rate:
                    edited[pos] = ""
            new_sections.append((heading, [w for w in edited if w]))
        if kind == 1:
            rng.shuffle(new_sections)
        if kind == 2:
            new_name = "_".join(rng.sample(name_words, 3)).upper() + "_SUMMARY.md"
        else:
            new_name = name[:-3] + rng.choice(["_V2", "_OLD", "_FINAL", "_2025", "_NEW"]) + ".md"
        while new_name in used:
            new_name = new_name[:-3] + "_X.md"
        used.add(new_name)
        out.append((new_name, render(title, new_sections)))
        planted.add((min(name, new_name), max(name, new_name)))
    return out, planted


def _documents(corpus: list[tuple[str, str]]) -> list[Document]:
    docs = []
    for name, body in corpus:
        headings = []
        sections = []
        current, level, start = "", 0, 1
        lines: list[str] = []
        for number, line in enumerate(body.splitlines(), start=1):
            if line.startswith("#"):
                if current or lines:
                    sections.append(Section(current, level, "\n".join(lines).strip(), start))
                marks = len(line) - len(line.lstrip("#"))
                current, level, start, lines = line[marks:].strip(), marks, number, []
                headings.append(Heading(marks, current, number, current.lower(), current.lower()))
            elif line.strip():
                lines.append(line)
        sections.append(Section(current, level, "\n".join(lines).strip(), start))
        text = "\n".join(s.text for s in sections)
        docs.append(
            Document(
                path=name,
                title=headings[0].text if headings else name,
                title_source="h1",
                headings=tuple(headings),
                links=(),
                dates=Dates(),
                words=len(text.split()),
                size=len(body),
                lines=body.count("\n") + 1,
                blob="",
                text=text,
                sections=tuple(sections),
            )
        )
    return docs


def _engine(corpus: list[tuple[str, str]]) -> Callable[[], set[tuple[str, str]]]:
    """Parsing is the scanner's job: documents are built before the clock starts."""
    from consolidator.analysis.similarity import find_groups

    docs = _documents(corpus)

    def run() -> set[tuple[str, str]]:
        groups = find_groups(docs, topics=False)
        return {(a, b) for c in groups.duplicates for a, b in combinations(sorted(c.members), 2)}

    return run


def _minhash(corpus: list[tuple[str, str]], threshold: float) -> Callable[[], set[tuple[str, str]]]:
    from datasketch import MinHash, MinHashLSH

    def run() -> set[tuple[str, str]]:
        lsh = MinHashLSH(threshold=threshold, num_perm=128)
        hashes = {}
        for name, body in corpus:
            words = body.lower().split()
            shingles = {" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))}
            mh = MinHash(num_perm=128)
            mh.update_batch(list(shingles))
            hashes[name] = mh
            lsh.insert(name, mh)
        found = set()
        for name, mh in hashes.items():
            for other in lsh.query(mh):
                if other != name:
                    found.add((min(name, other), max(name, other)))
        return found

    return run


def _run(method: str, n: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    corpus, planted = make_corpus(n)
    if method == "engine":
        run = _engine(corpus)
    else:
        run = _minhash(corpus, float(method.split("@")[1]))
    start = time.perf_counter()
    found = run()
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hit = len(found & planted)
    queue.put(
        {
            "method": method,
            "docs": n,
            "seconds": round(elapsed, 1),
            "peak_mib": round(peak_mib),
            "recall": round(hit / len(planted), 3) if planted else 1.0,
            "precision": round(hit / len(found), 3) if found else 1.0,
            "pairs_found": len(found),
        }
    )


def main(argv: list[str]) -> int:
    methods: tuple[str, ...] = ("engine", "minhash@0.5", "minhash@0.3")
    for arg in argv:
        if arg == "--engine-only":
            methods = ("engine",)
        elif arg.startswith("--methods="):
            methods = tuple(arg.split("=", 1)[1].split(","))
    sizes = [int(a) for a in argv if a.isdigit()] or [1000, 10000]
    ctx = mp.get_context("spawn")
    rows = []
    print(f"{'docs':>7} {'method':<12} {'seconds':>8} {'peak MiB':>9} {'recall':>7} {'precision':>9}")
    for n in sizes:
        for method in methods:
            queue = ctx.Queue()
            proc = ctx.Process(target=_run, args=(method, n, queue))
            proc.start()
            row = queue.get()
            proc.join()
            rows.append(row)
            print(
                f"{row['docs']:>7} {row['method']:<12} {row['seconds']:>8} {row['peak_mib']:>9} "
                f"{row['recall']:>7} {row['precision']:>9}",
                flush=True,
            )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
