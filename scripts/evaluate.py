"""Plan every labelled corpus and score the plans against what people decided.

    python scripts/evaluate.py [--corpora DIR ...] [--clones DIR ...] [--plans DIR] [--confusion] [--json]

Corpora (see ../shared/corpora/README.md and cleanups/README.md):
- ibimina: every root file labelled blind (`keep-root`, `live`, `archive`), duplicate groups with the
  member to keep, and what the maintainers later did (`fates`, informational only);
- the cleanups: what each repository's maintainers did with each root file. A file is history when they
  archived it, moved it into a records folder, deleted or merged it; live when they kept it at the root
  or moved it somewhere live. The partial pass (a repository whose maintainers handled only some files)
  has `kept-root` rows that are not decisions: they are left out of its score.

A plan's `archive` and `merge` are history, `keep` and `move` live. Printed per corpus and overall
(micro means over root files, macro means over the cleanups, and the worst one): agreement, history
recall, live kept, root files after the plan, canonical agreement where groups are labelled, and two
naive baselines: archiving every root file but the conventional ones, and archiving by file-name
keywords.

--corpora may be given several times: further folders laid out like the shared one (`NAME.labels.tsv`
at the top, `cleanups/NAME.fates.tsv` with an INDEX.tsv naming each repository), such as cleanups of
other public repositories gathered as held-out data. Each corpus is planned in a clone named after it
in one of the --clones folders (repeatable), else its bundle is cloned into a temporary folder; with
--plans the plan files there (`NAME.yaml`) are scored instead of planning.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidator.core.models import Plan

# Fates of the cleanups that mean "history" (README of cleanups/); the others mean "live".
HISTORY_FATES = frozenset({"archived", "moved-records", "deleted", "merged"})
LIVE_FATES = frozenset({"kept-root", "moved-live"})
# The cleanup whose maintainers handled only part of the root: its kept-root rows are not decisions.
PARTIAL_PASS = frozenset({"rwilliamspbg-ops-Sovereign-Mohawk-Proto-2026-04-27"})
HISTORY_ACTIONS = frozenset({"archive", "merge"})
# The keyword baseline: a file whose name holds one of these words is archived, every other one kept.
# The words a person would grep for first, not fitted to any corpus.
BASELINE_WORDS = re.compile(
    r"(?:^|[^a-z])(?:summary|report|status|complete|completed|completion|session|progress|final|"
    r"fixed|done|old|backup)(?:[^a-z]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Corpus:
    name: str
    bundle: Path
    truth: dict[str, str]  # root file -> "history" | "live"
    labels: dict[str, str] = field(default_factory=dict)  # ibimina: path -> keep-root | live | archive
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (canonical, members)
    fates: dict[str, str] = field(default_factory=dict)  # ibimina: path -> fate (informational)
    cleanup: bool = True


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_corpora(root: Path) -> list[Corpus]:
    """Every labelled corpus under `root`: the labelled ones first, then the cleanups by name."""
    out = []
    for labels_file in sorted(root.glob("*.labels.tsv")):
        name = labels_file.name.removesuffix(".labels.tsv")
        labels = {r["path"]: r["action"] for r in read_tsv(labels_file)}
        groups_file = root / f"{name}.groups.tsv"
        fates_file = root / f"{name}.fates.tsv"
        groups = tuple(
            (r["canonical"], tuple(m.strip() for m in r["members"].split(",")))
            for r in (read_tsv(groups_file) if groups_file.exists() else [])
        )
        fates = {r["path"]: r["fate"] for r in read_tsv(fates_file)} if fates_file.exists() else {}
        truth = {p: ("history" if a == "archive" else "live") for p, a in labels.items()}
        out.append(Corpus(name, root / f"{name}.bundle", truth, labels, groups, fates, cleanup=False))
    for fates_file in sorted((root / "cleanups").glob("*.fates.tsv")):
        name = fates_file.name.removesuffix(".fates.tsv")
        truth = {}
        for row in read_tsv(fates_file):
            path, fate = row["path"], row["fate"]
            if "/" in path or (name in PARTIAL_PASS and fate == "kept-root"):
                continue
            if fate in HISTORY_FATES:
                truth[path] = "history"
            elif fate in LIVE_FATES:
                truth[path] = "live"
        out.append(Corpus(name, fates_file.parent / f"{name}.bundle", truth))
    return out


# ----------------------------------------------------------------------------------------------- scoring


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def score_decisions(corpus: Corpus, history: Mapping[str, bool]) -> dict[str, Any]:
    """Agreement, history recall and live kept of `history` (path -> planned as history) on `corpus`."""
    rows = [(p, t) for p, t in sorted(corpus.truth.items()) if p in history]
    agree = sum(1 for p, t in rows if history[p] == (t == "history"))
    hist = [p for p, t in rows if t == "history"]
    live = [p for p, t in rows if t == "live"]
    return {
        "files": len(rows),
        "agree": agree,
        "agreement": _share(agree, len(rows)),
        "history": len(hist),
        "history_recall": _share(sum(history[p] for p in hist), len(hist)),
        "live": len(live),
        "live_kept": _share(sum(not history[p] for p in live), len(live)),
    }


def _plan_label(action: str, source: str) -> str:
    if action in HISTORY_ACTIONS:
        return "archive"
    return "keep-root" if action == "keep" and "/" not in source else "live"


def score_plan(corpus: Corpus, plan: Plan) -> dict[str, Any]:
    by_source = {e.source: e for e in plan.entries}
    history = {p: by_source[p].action in HISTORY_ACTIONS for p in corpus.truth if p in by_source}
    result = score_decisions(corpus, history)
    result["missing"] = sorted(p for p in corpus.truth if p not in by_source)
    result["root_after"] = sum(1 for e in plan.entries if "/" not in e.source and e.action == "keep")
    confusion: Counter[tuple[str, str]] = Counter()
    for path in corpus.truth:
        if path in by_source:
            want = corpus.labels.get(path) or corpus.truth[path]
            confusion[(want, by_source[path].action)] += 1
    result["confusion"] = {f"{w}|{a}": n for (w, a), n in sorted(confusion.items())}
    result["disagreements"] = sorted(p for p in history if history[p] != (corpus.truth[p] == "history"))
    if corpus.labels:
        # The labels tell a root keeper from a document that moves: agreement counts that too.
        rows = [p for p in corpus.labels if p in by_source]
        exact = sum(1 for p in rows if _plan_label(by_source[p].action, p) == corpus.labels[p])
        result["agreement"] = _share(exact, len(rows))
        # "Live kept" is about the documents labelled live (the root keepers are conventional files).
        live = [p for p in rows if corpus.labels[p] == "live"]
        result["live"] = len(live)
        result["live_kept"] = _share(sum(by_source[p].action not in HISTORY_ACTIONS for p in live), len(live))
    if corpus.groups:
        result.update(_canonicals(corpus, plan))
    if corpus.fates:
        gone = [p for p, f in corpus.fates.items() if f in ("moved", "removed") and p in by_source]
        result["fates_archived"] = _share(
            sum(by_source[p].action in HISTORY_ACTIONS for p in gone), len(gone)
        )
    return result


def _canonicals(corpus: Corpus, plan: Plan) -> dict[str, Any]:
    """How the plan treats the labelled groups: is the labelled canonical the one it points readers to,
    and is every labelled canonical that the labels call live kept live?"""
    by_source = {e.source: e for e in plan.entries}
    right = 0
    misses = []
    for canonical, members in corpus.groups:
        pointed = {by_source[m].canonical for m in members if m in by_source and by_source[m].canonical}
        entry = by_source.get(canonical)
        kept = entry is not None and entry.action != "merge"
        if kept and pointed <= {canonical}:
            right += 1
        else:
            misses.append(canonical)
    live = sorted({c for c, _ in corpus.groups if corpus.labels.get(c) == "live"})
    dropped = [c for c in live if c in by_source and by_source[c].action in HISTORY_ACTIONS]
    return {
        "groups": len(corpus.groups),
        "canonical_agreement": _share(right, len(corpus.groups)),
        "canonical_misses": misses,
        "live_canonicals": len(live),
        "live_canonicals_kept": _share(len(live) - len(dropped), len(live)),
        "live_canonicals_dropped": dropped,
    }


def baselines(corpus: Corpus) -> dict[str, dict[str, Any]]:
    from consolidator.core.conventions import is_conventional

    everything = {p: not is_conventional(p) for p in corpus.truth}
    keywords = {p: bool(BASELINE_WORDS.search(Path(p).stem.replace("_", " "))) for p in corpus.truth}
    return {"archive_all": score_decisions(corpus, everything), "keywords": score_decisions(corpus, keywords)}


# ----------------------------------------------------------------------------------------------- planning


def checkout(corpus: Corpus, clones: Sequence[Path], scratch: Path) -> Path:
    """The corpus's working clone: an existing one named after it in one of `clones`, else its bundle
    cloned into `scratch`."""
    for folder in clones:
        if (folder / corpus.name / ".git").exists():
            return folder / corpus.name
    target = scratch / corpus.name
    if not target.exists():
        subprocess.run(
            ["git", "clone", "-q", "-b", "main", str(corpus.bundle), str(target)],
            check=True,
            capture_output=True,
        )
    return target


def make_plan(repo: Path, weights_file: Path | None = None) -> tuple[Plan, float]:
    """The plan `consolidate plan` writes for `repo` (with the weights of `weights_file` instead of the
    shipped ones, if given), and the seconds it took (scan included)."""
    from consolidator.analysis.scan import scan_repo
    from consolidator.core.config import load_config
    from consolidator.decide.plan import build_plan
    from consolidator.decide.planfile import load_record, settled_paths
    from consolidator.decide.weights import parse_weights

    weights = parse_weights(json.loads(weights_file.read_text(encoding="utf-8"))) if weights_file else None
    start = time.perf_counter()
    config = load_config(repo)
    inventory = scan_repo(repo, config=config)
    plan = build_plan(inventory, config, None, settled_paths(repo, load_record(repo)), weights)
    return plan, time.perf_counter() - start


def evaluate(corpora: list[Corpus], get_plan: Callable[[Corpus], tuple[Plan, float]]) -> dict[str, Any]:
    per: dict[str, Any] = {}
    for corpus in corpora:
        plan, seconds = get_plan(corpus)
        result = score_plan(corpus, plan)
        result["seconds"] = round(seconds, 2)
        result["baselines"] = baselines(corpus)
        per[corpus.name] = result
    return {"corpora": per, "overall": overall(corpora, per)}


def _micro(results: list[dict[str, Any]]) -> dict[str, Any]:
    files = sum(r["files"] for r in results)
    hist = sum(r["history"] for r in results)
    live = sum(r["live"] for r in results)

    def hits(r: dict[str, Any], key: str, total: str) -> float:
        return float(r[key] or 0.0) * int(r[total])

    return {
        "files": files,
        "agreement": _share(round(sum(r["agree"] for r in results)), files),
        "history_recall": _share(round(sum(hits(r, "history_recall", "history") for r in results)), hist),
        "live_kept": _share(round(sum(hits(r, "live_kept", "live") for r in results)), live),
    }


def overall(corpora: list[Corpus], per: Mapping[str, Any]) -> dict[str, Any]:
    """Micro and macro means over the cleanups, the worst cleanup, and the same for the baselines."""
    names = [c.name for c in corpora if c.cleanup]
    if not names:
        return {}
    results = [per[n] for n in names]
    out: dict[str, Any] = {"cleanups": len(names), "micro": _micro(results)}
    out["macro_agreement"] = round(sum(r["agreement"] for r in results) / len(results), 3)
    worst = min(names, key=lambda n: (per[n]["agreement"], n))
    out["worst"] = {"name": worst, "agreement": per[worst]["agreement"]}
    out["seconds"] = round(sum(r["seconds"] for r in per.values()), 1)
    for base in ("archive_all", "keywords"):
        rows = [per[n]["baselines"][base] for n in names]
        out[base] = _micro(rows) | {
            "macro_agreement": round(sum(r["agreement"] for r in rows) / len(rows), 3)
        }
    return out


# ----------------------------------------------------------------------------------------------- output


def _f(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def render(result: Mapping[str, Any], confusion: bool = False) -> str:
    per, total = result["corpora"], result["overall"]
    head = f"{'corpus':52} {'files':>5} {'agree':>5} {'hist':>5} {'live':>5} {'root':>4}   base: all / words"
    lines = [head, "-" * len(head)]
    for name, r in per.items():
        b = r["baselines"]
        lines.append(
            f"{name[:52]:52} {r['files']:5} {_f(r['agreement'])} {_f(r['history_recall'])} "
            f"{_f(r['live_kept'])} {r['root_after']:4}   {_f(b['archive_all']['agreement'])} / "
            f"{_f(b['keywords']['agreement'])}"
        )
    if total:
        m = total["micro"]
        lines += [
            "-" * len(head),
            f"{'cleanups, micro':52} {m['files']:5} {_f(m['agreement'])} {_f(m['history_recall'])} "
            f"{_f(m['live_kept'])}",
            f"{'cleanups, macro agreement':52} {'':5} {_f(total['macro_agreement'])}",
            f"{'cleanups, worst: ' + total['worst']['name']:52.52} {'':5} {_f(total['worst']['agreement'])}",
        ]
        for base, title in (
            ("archive_all", "archive all but conventional"),
            ("keywords", "archive by keywords"),
        ):
            b = total[base]
            lines.append(
                f"{'baseline: ' + title + ', micro':52} {b['files']:5} {_f(b['agreement'])} "
                f"{_f(b['history_recall'])} {_f(b['live_kept'])}"
            )
    for name, r in per.items():
        if "canonical_agreement" in r or "fates_archived" in r:
            lines += ["", f"{name}:"]
        if "canonical_agreement" in r:
            lines.append(
                f"  labelled groups {r['groups']}: canonical agreement {_f(r['canonical_agreement'])}; "
                f"live canonicals kept live {_f(r['live_canonicals_kept'])} of {r['live_canonicals']}"
                + (
                    f" (dropped: {', '.join(r['live_canonicals_dropped'])})"
                    if r["live_canonicals_dropped"]
                    else ""
                )
            )
        if "fates_archived" in r:
            lines.append(
                f"  removed/moved by its maintainers and archived (informational): {_f(r['fates_archived'])}"
            )
    if confusion:
        for name, r in per.items():
            lines += ["", f"{name}: truth x plan action"]
            rows = sorted({k.split("|")[0] for k in r["confusion"]})
            actions = ("keep", "move", "archive", "merge")
            lines.append(f"  {'':10}" + "".join(f"{a:>8}" for a in actions))
            for row in rows:
                cells = "".join(f"{r['confusion'].get(f'{row}|{a}', 0):8}" for a in actions)
                lines.append(f"  {row:10}{cells}")
            if r["disagreements"]:
                lines.append(f"  disagreements: {', '.join(r['disagreements'])}")
    lines += ["", f"planning time (scan included): {total.get('seconds', 0)} s"]
    return "\n".join(lines)


# The shared corpora, beside the project's clone.
DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def add_corpora_arguments(parser: argparse.ArgumentParser) -> None:
    """--corpora and --clones, both repeatable (this script's and fit_weights.py's)."""
    parser.add_argument(
        "--corpora",
        type=Path,
        action="append",
        help=f"a folder of labelled corpora like the shared one (repeatable; default {DEFAULT_CORPORA})",
    )
    parser.add_argument(
        "--clones", type=Path, action="append", default=[], help="a folder of clones named after the corpora"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpora_arguments(parser)
    parser.add_argument("--plans", type=Path, help="score the plan files NAME.yaml in this folder")
    parser.add_argument("--weights", type=Path, help="plan with this weights file instead of the shipped one")
    parser.add_argument("--only", action="append", default=[], help="only corpora whose name holds this")
    parser.add_argument("--confusion", action="store_true", help="also print the confusion tables")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    roots = args.corpora or [DEFAULT_CORPORA]
    missing = [str(r) for r in roots if not r.is_dir()]
    if missing:
        print(f"no corpora at {', '.join(missing)}", file=sys.stderr)
        return 2
    corpora = [
        c
        for root in roots
        for c in load_corpora(root)
        if not args.only or any(o in c.name for o in args.only)
    ]
    if not corpora:
        print(f"no labelled corpus at {', '.join(map(str, roots))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="evaluate-") as scratch:

        def get_plan(corpus: Corpus) -> tuple[Plan, float]:
            if args.plans is not None:
                from consolidator.decide.planfile import load_plan

                return load_plan(args.plans / f"{corpus.name}.yaml"), 0.0
            return make_plan(checkout(corpus, args.clones, Path(scratch)), args.weights)

        result = evaluate(corpora, get_plan)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render(result, args.confusion))
    return 0


if __name__ == "__main__":
    sys.exit(main())
