"""Precision and recall of secret detection on the shared corpora, against a labelled fixture.

    python scripts/secret_corpus.py [--ref /work/ref] [--labels tests/data/secret_labels.tsv]
    python scripts/secret_corpus.py --unlabelled   # findings the fixture has no verdict for

Each corpus is scanned as `plan` scans it (every Markdown file, plus every other occurrence of a
value found). A file is *flagged* when it has a finding, and *holds a credential* when the fixture
says one of its findings is real. Precision = flagged files holding a credential / flagged files;
recall = files holding a credential that are flagged / files holding a credential.

The fixture holds fingerprints and verdicts only, never a value, a text or a file name:
`corpus  file  finding  verdict  why`, where `file` is sha256("corpus/path") and `finding` is
sha256("corpus/path\\0value"), each cut to 16 hex digits. Working clones of the corpora are read
from `--ref` (folders named after the bundles); missing ones are cloned from `--shared`.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from consolidator.core.conventions import is_markdown
from consolidator.core.textio import decode
from consolidator.security.secrets import scan_documents

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "secret_labels.tsv"
SHARED = ROOT.parent / "shared" / "corpora"
CORPORA = (
    "ibimina-2025-11-14",
    "ContextLab-clustrix-2025-08-23",
    "aj-geddes-useful-ai-prompts-2025-11-08",
    "conanizer-pockettracker-2026-03-16",
    "jimmc414-Kosmos-2025-11-26",
    "jimmc414-Kosmos-2025-12-05",
    "peteromallet-Arnold-2026-05-25",
    "rwilliamspbg-ops-Sovereign-Mohawk-Proto-2026-04-27",
    "wildcard-caro-2025-12-15",
)


def file_print(corpus: str, path: str) -> str:
    return hashlib.sha256(f"{corpus}/{path}".encode()).hexdigest()[:16]


def finding_print(corpus: str, path: str, value: str) -> str:
    return hashlib.sha256(f"{corpus}/{path}\0{value}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Row:
    corpus: str
    file: str
    finding: str
    verdict: str  # "real" or "not"
    why: str


@dataclass(frozen=True)
class Score:
    corpus: str
    flagged: int
    holding: int  # files the fixture says hold a credential
    hits: int  # flagged files that hold one
    unlabelled: tuple[Row, ...]  # findings without a verdict (verdict "")

    @property
    def precision(self) -> float:
        return self.hits / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.holding if self.holding else 1.0


def read_labels(path: Path = LABELS) -> dict[tuple[str, str], Row]:
    rows: dict[tuple[str, str], Row] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        corpus, file, finding, verdict, why = (line.split("\t") + [""] * 5)[:5]
        rows[(corpus, finding)] = Row(corpus, file, finding, verdict, why)
    return rows


def corpus_texts(repo: Path) -> dict[str, str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=True).stdout
    texts = {}
    for raw in out.split(b"\0"):
        path = raw.decode("utf-8", "surrogateescape")
        if path and is_markdown(path) and (repo / path).is_file():
            texts[path] = decode((repo / path).read_bytes()).text
    return texts


def findings_rows(corpus: str, repo: Path) -> list[tuple[Row, str, int, str]]:
    """(row without verdict, path, line, kind) of every finding in the corpus."""
    texts = corpus_texts(repo)
    rows = []
    for path, found in sorted(scan_documents(texts).items()):
        for f in found:
            value = texts[path][f.start : f.end]
            row = Row(corpus, file_print(corpus, path), finding_print(corpus, path, value), "", "")
            rows.append((row, path, f.line, f.kind))
    return rows


def score(corpus: str, repo: Path, labels: dict[tuple[str, str], Row]) -> Score:
    flagged: set[str] = set()
    unlabelled = []
    for row, _, _, _ in findings_rows(corpus, repo):
        flagged.add(row.file)
        if (corpus, row.finding) not in labels:
            unlabelled.append(row)
    holding = {r.file for r in labels.values() if r.corpus == corpus and r.verdict == "real"}
    return Score(corpus, len(flagged), len(holding), len(flagged & holding), tuple(unlabelled))


def corpus_repo(name: str, ref: Path, work: Path) -> Path | None:
    if (ref / name / ".git").exists():
        return ref / name
    bundles = (SHARED / f"{name}.bundle", SHARED / "cleanups" / f"{name}.bundle")
    bundle = next((b for b in bundles if b.is_file()), None)
    if bundle is None:
        return None
    dest = work / name
    subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(dest)], check=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", type=Path, default=Path("/work/ref"))
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--unlabelled", action="store_true", help="list findings without a verdict")
    args = parser.parse_args(argv)
    labels = read_labels(args.labels) if args.labels.is_file() else {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name in CORPORA:
            repo = corpus_repo(name, args.ref, Path(tmp))
            if repo is None:
                print(f"{name}: not found", file=sys.stderr)
                continue
            if args.unlabelled:
                for row, path, line, kind in findings_rows(name, repo):
                    if (name, row.finding) not in labels:
                        print(f"{name}\t{row.file}\t{row.finding}\t\t\t# {path}:{line} {kind}")
                continue
            s = score(name, repo, labels)
            ok = s.precision >= 0.9 and s.recall == 1.0 and not s.unlabelled
            failed |= not ok
            print(
                f"{name}: {s.flagged} files flagged, {s.holding} hold a credential, {s.hits} of those "
                "flagged; "
                f"precision {s.precision:.2f}, recall {s.recall:.2f}"
                + (f"; {len(s.unlabelled)} unlabelled finding(s)" if s.unlabelled else "")
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
