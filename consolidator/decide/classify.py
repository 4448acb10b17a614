"""What each document is (a kind), and whether it is a root file, living documentation or history.

Classification is a table of rules, each a piece of evidence with a weight: positive weights say "this
is a record of work that happened" (status report, completion note, session summary, audit), negative
weights say "this is documentation someone will need again" (guide, reference, runbook). Evidence comes
from the file name, the title, the headings, the first lines (status and date fields), the prose, the
dates, the link graph and the duplicate groups. No single signal decides: a name like `QUICK_START.md`
over a body of "what was completed today" is history, and `DEPLOYMENT_SETUP.md` titled "Configuration
Complete" over a body of usage instructions is a guide. Names alone agree with a careful reader only
about two times in three; the body is what tips most decisions.

Documents already in an organised tree (docs/, nested READMEs next to code) start from "stays": they need
much stronger evidence to be called history than a stray file at the root does.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import FOLDER_INDEX, conventional_key, in_history_folder, is_conventional, is_markdown
from ..core.models import Document
from .rules import RULES, SECTION_WORDS, Rule, rx

# ---------------------------------------------------------------------------------------------------------
# Conventional files

# Folders where records are filed on purpose: what sits there is organised history, left in place.
RECORD_FOLDERS = frozenset(
    {
        "reports",
        "incidents",
        "postmortems",
        "post-mortems",
        "retrospectives",
        "retros",
        "meetings",
        "minutes",
        "releases",
        "release-notes",
        "changelog",
        "changelogs",
        "adr",
        "adrs",
        "decisions",
        "rfcs",
        "blog",
        "posts",
        "news",
    }
)
_PERIOD_FOLDER = re.compile(r"^(?:19|20)\d\d(?:[-_](?:0[1-9]|1[0-2]|q[1-4]))?$", re.IGNORECASE)


def _filed(path: str) -> bool:
    folders = path.split("/")[:-1]
    return any(f.lower() in RECORD_FOLDERS or _PERIOD_FOLDER.match(f) for f in folders)


# ---------------------------------------------------------------------------------------------------------
# Context and result


@dataclass(frozen=True)
class Context:
    """What classification needs to know about the rest of the repository."""

    now: str | None = None  # newest date in the repository's history (ISO): what "old" is measured from
    inbound: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # path -> documents linking to it
    entry_points: frozenset[str] = frozenset()  # README.md, docs/index.md ...: what readers start from
    duplicate_of: Mapping[str, str] = field(default_factory=dict)  # non-canonical member -> canonical
    canonicals: frozenset[str] = frozenset()
    duplicate_score: Mapping[str, float] = field(default_factory=dict)  # member -> its group's score
    versions: frozenset[str] = frozenset()  # members whose name is their canonical's, bar version markers
    series: Mapping[str, str] = field(default_factory=dict)  # member -> series label
    newer_in_series: frozenset[str] = frozenset()  # members a later member of the same series follows
    root_prior: float = 0.0  # base rate of history among root documents, as log-odds (see plan.classify_all)
    file_names: frozenset[str] = frozenset()  # lower-cased base names of every file (empty: not checked)
    history_paths: frozenset[str] = frozenset()  # documents a first pass judged history
    live_paths: frozenset[str] = (
        frozenset()
    )  # documents a first pass judged live (conventional files included)
    documents: frozenset[str] = frozenset()  # every document's path (to resolve names written in prose)


@dataclass(frozen=True)
class Classification:
    kind: str
    disposition: str  # "keep-root" | "live" | "archive"
    section: str | None  # docs section for live documents
    reasons: tuple[str, ...]
    confidence: float
    score: float = 0.0  # > 0 leans history, < 0 leans live documentation
    in_tree: bool = False  # already inside an organised docs tree or next to code
    canonical: str | None = None  # for a duplicate folded into its group: the version to read instead


# Root documents are archived at this margin of evidence; documents in a docs tree need much more.
ROOT_THRESHOLD = 1.5
TREE_THRESHOLD = 5.0
# Inside a docs tree, a duplicate group must score this high before a page is folded into another.
TREE_DUPLICATE_SCORE = 0.8
# A document that reads as documentation joins its group only when the group scores at least this
# (groups just over the duplicate threshold are often two guides on one subject).
LIVE_MERGE_SCORE = 0.6
TOP_LINES = 12
LEAD_HEADINGS = 2  # the first sections say what a document is for
STRONG_FACTOR = 3  # a headings or text rule matching this many times its minimum counts double
_DOCS_WORDS = rx(r"\b(?:documentation|docs|master|map|sitemap|all documents)\b")
_PLAN_WORDS = rx(r"\b(?:plan|plans|roadmap|action plan|next steps|todo)\b")
_INDEX_WORDS = rx(r"\b(?:index|map|hub|toc|contents|navigation|overview of (?:the )?doc\w*)\b")
_MAINTAINED_LABEL = rx(r"\b(?:updated|modified|reviewed|revised|version)\b")


def _count(rule: Rule, doc: Document, name_text: str, top: str) -> int:
    if rule.where == "name":
        return 1 if rule.pattern.search(name_text) else 0
    if rule.where == "title":
        return 1 if rule.pattern.search(doc.title) else 0
    if rule.where == "headings":
        return sum(1 for h in doc.headings if h.level >= 2 and rule.pattern.search(h.text))
    if rule.where == "top":
        return 1 if rule.pattern.search(top) else 0
    if rule.where == "lead":
        lead = [h.text for h in doc.headings if h.level == 2][:LEAD_HEADINGS]
        return sum(1 for text in lead if rule.pattern.search(text))
    return len(rule.pattern.findall(doc.text))


def _name_text(doc: Document) -> str:
    return " ".join(parse_name(doc.name).tokens)


def _top(doc: Document) -> str:
    lines = [ln for ln in doc.text.splitlines() if ln.strip()]
    return "\n".join(lines[:TOP_LINES])


def _days(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    try:
        return (date.fromisoformat(b) - date.fromisoformat(a)).days
    except ValueError:
        return None


def _in_history_folder(path: str, config: Config) -> bool:
    archive = config.archive_dir.strip("/")
    if archive and (path == archive or path.startswith(archive + "/")):
        return True
    return in_history_folder(path)


def section_for(doc: Document, config: Config) -> tuple[str, tuple[str, ...]]:
    """The docs section a live document belongs in, and the words that put it there."""
    name = " ".join(parse_name(doc.name).tokens)
    headings = " ".join(h.text for h in doc.headings if h.level == 2)
    best: tuple[float, int, str] | None = None
    words: tuple[str, ...] = ()
    allowed = set(config.sections)
    for order, (section, pattern) in enumerate(SECTION_WORDS):
        if section not in allowed:
            continue
        hits = [m.lower() for m in pattern.findall(name)]
        title_hits = [m.lower() for m in pattern.findall(doc.title)]
        head_hits = pattern.findall(headings)
        score = 3.0 * len(hits) + 2.0 * len(title_hits) + 0.5 * min(len(head_hits), 4)
        if score > 0 and (best is None or (score, -order) > (best[0], -best[1])):
            best = (score, order, section)
            words = tuple(sorted(set(hits + title_hits)))
    if best is None:
        fallback = "guides" if "guides" in allowed else (config.sections[0] if config.sections else "guides")
        return fallback, ()
    return best[2], words


def _pinned(path: str, config: Config) -> str | None:
    for pattern in sorted(config.pin):
        if fnmatch.fnmatch(path, pattern):
            return config.pin[pattern]
    return None


def _confidence(margin: float, agreeing: float, disagreeing: float) -> float:
    # Strength: how far past the line the margin is. Agreement: how one-sided the evidence is.
    strength = min(abs(margin) / 6.0, 1.0)
    total = agreeing + disagreeing
    agreement = agreeing / total if total else 0.5
    return round(min(0.99, max(0.05, 0.35 + 0.4 * strength + 0.25 * (agreement - 0.5) * 2)), 2)


@dataclass(frozen=True)
class Evidence:
    """What the rules table finds in a document's own text: the same whatever the rest of the repository."""

    hits: tuple[tuple[Rule, float], ...]
    name_text: str
    plan_ahead_dates: tuple[str, ...]  # ISO dates written in a plan's text ("" when not a plan)
    is_plan: bool
    tooling: tuple[tuple[str, int], ...] = ()  # script and config file names the text mentions, with counts
    doc_names: tuple[str, ...] = ()  # Markdown files the prose names without linking them


def gather_evidence(doc: Document) -> Evidence:
    name_text = _name_text(doc)
    top = _top(doc)
    hits: list[tuple[Rule, float]] = []
    for rule in RULES:
        count = _count(rule, doc, name_text, top)
        if count >= rule.min_count:
            # Headings and prose are graded: a document built of guide sections says so more loudly.
            strong = rule.where in ("headings", "text") and count >= STRONG_FACTOR * max(rule.min_count, 2)
            hits.append((rule, rule.weight * (2 if strong else 1)))
    is_plan = bool(_PLAN_WORDS.search(name_text) or _PLAN_WORDS.search(doc.title))
    dates = tuple(_text_dates(doc.text)) if is_plan else ()
    mentioned: dict[str, int] = {}
    for found in _TOOLING_FILE.findall(doc.text):
        mentioned[found.lower()] = mentioned.get(found.lower(), 0) + 1
    doc_names = tuple(sorted(set(_DOC_NAME.findall(doc.text))))
    return Evidence(
        tuple(_one_per_group(hits)), name_text, dates, is_plan, tuple(sorted(mentioned.items())), doc_names
    )


def mentioned_docs(names: tuple[str, ...], folder: str, documents: frozenset[str]) -> list[str]:
    """The documents that names written in prose (`STATUS.md`, `docs/plan.md`) refer to, where they exist:
    beside the mentioning document first, then from the repository root."""
    found = []
    for name in names:
        for candidate in (posixpath.normpath(posixpath.join(folder, name)) if folder else name, name):
            if candidate in documents:
                found.append(candidate)
                break
    return found


def classify(
    doc: Document, context: Context, config: Config, evidence: Evidence | None = None
) -> Classification:
    """Kind, disposition and section of one document, with the evidence behind them.

    `evidence` (from `gather_evidence(doc)`) may be passed in when one document is classified several
    times against a changing context; it depends on the document alone.
    """
    in_tree = not doc.at_root
    key = conventional_key(doc.name)
    pin = _pinned(doc.path, config)

    if doc.at_root and is_conventional(doc.name):
        return Classification(
            "conventional-root",
            "keep-root",
            None,
            ("conventional root file: tools and readers look for it here",),
            0.99,
            0.0,
            False,
        )
    if any(fnmatch.fnmatch(doc.path, pattern) for pattern in config.keep):
        return Classification(
            "pinned",
            "live" if in_tree else "keep-root",
            None,
            ("matches a `keep` pattern in the configuration",),
            0.99,
            0.0,
            in_tree,
        )
    if pin is not None:
        if pin == "archive":
            return Classification(
                "pinned",
                "archive",
                None,
                (f"pinned to the archive by `pin` ({doc.path})",),
                0.99,
                0.0,
                in_tree,
            )
        return Classification(
            "pinned", "live", pin, (f"pinned to section '{pin}' by `pin`",), 0.99, 0.0, in_tree
        )
    if _in_history_folder(doc.path, config):
        return Classification("archived", "archive", None, ("already in an archive folder",), 0.95, 0.0, True)
    if in_tree and _filed(doc.path):
        return Classification(
            "filed-record",
            "live",
            None,
            ("already filed with its kind or period (reports/, releases/, 2025-10/ ...)",),
            0.9,
            0.0,
            True,
        )
    if in_tree and (key in FOLDER_INDEX or is_conventional(doc.name)):
        return Classification(
            "index" if key in FOLDER_INDEX else "conventional-root",
            "live",
            None,
            ("heads its folder (README/index next to what it describes)",),
            0.95,
            0.0,
            True,
        )

    canonical = context.duplicate_of.get(doc.path)
    evidence = evidence or gather_evidence(doc)
    hits = list(evidence.hits)
    history = sum(w for _, w in hits if w > 0)
    evergreen = -sum(w for _, w in hits if w < 0)
    reasons = [f"{r.why} [{r.name} {w:+.1f}]" for r, w in hits]
    base = history - evergreen
    fired: list[str] = []
    for signal in SIGNALS:
        found = signal(doc, evidence, context, config, base)
        if found is None:
            continue
        tag, weight, why = found
        fired.append(tag)
        if weight > 0:
            history += weight
        else:
            evergreen -= weight
        reasons.append(f"{why} [{tag} {weight:+.1f}]")

    margin = round(history - evergreen, 2)
    threshold = TREE_THRESHOLD if in_tree else ROOT_THRESHOLD
    # Pages of a documentation tree share templates and boilerplate: there only a clear duplicate (a
    # stale-marked copy, a near-identical text, or one that reads as history itself) is folded away.
    if canonical is not None and in_tree:
        score = context.duplicate_score.get(doc.path, 0.0)
        same_folder = canonical.rsplit("/", 1)[0] == doc.folder if "/" in canonical else False
        close = score >= TREE_DUPLICATE_SCORE and same_folder
        if not (parse_name(doc.name).stale or close or margin >= ROOT_THRESHOLD):
            reasons.append(
                f"resembles {canonical} (group score {score:.2f}) but stays: pages of a docs tree "
                "share templates"
            )
            canonical = None
    # A document that reads as documentation is folded into another only on clear evidence: not into a
    # report, and not on a borderline resemblance (guides on one subject share headings and wording).
    # An earlier version by name (X and X_V2, QUICKSTART and QUICK_START) goes where its successor goes,
    # whatever it reads like: two files of one name are one document.
    if (
        canonical is not None
        and margin < threshold
        and not parse_name(doc.name).stale
        and doc.path not in context.versions
    ):
        score = context.duplicate_score.get(doc.path, 1.0)
        if canonical in context.history_paths or score < LIVE_MERGE_SCORE:
            reasons.append(
                f"resembles {canonical} (group score {score:.2f}) but reads as documentation of its "
                "own: left for review"
            )
            canonical = None
    if canonical is not None:
        kind = _kind(hits, margin) if margin > 0 else "duplicate"
        reasons.insert(0, f"a duplicate of {canonical}, which is kept as the canonical version")
        confidence = _confidence(2.0 + max(margin, 0.0), history + 2.0, evergreen)
        return Classification(kind, "archive", None, tuple(reasons), confidence, margin, in_tree, canonical)

    disposition = "archive" if margin >= threshold else "live"
    kind = "docs-index" if "docs-index" in fired and disposition == "archive" else _kind(hits, margin)
    if doc.path in context.canonicals:
        reasons.append("canonical member of a duplicate group")
    section = None
    if disposition == "live":
        section, words = section_for(doc, config)
        if words:
            reasons.append(f"section '{section}' from {', '.join(words)}")
    agreeing, disagreeing = (history, evergreen) if disposition == "archive" else (evergreen, history)
    return Classification(
        kind,
        disposition,
        section,
        tuple(reasons),
        _confidence(margin - threshold, agreeing, disagreeing),
        margin,
        in_tree,
    )


# ---------------------------------------------------------------------------------------------------------
# Signals that need the rest of the repository: dates against the repository's "now", the link graph,
# the files that exist, and the base rate at the root. Each returns (tag, weight, reason) or None;
# `base` is the margin of the document's own text (positive leans history).

Found = tuple[str, float, str] | None


def _stamped(doc: Document) -> list[str]:
    return sorted(
        {
            f.label
            for f in doc.dates.facts
            if f.source in ("text", "front_matter") and not _MAINTAINED_LABEL.search(f.label)
        }
    )


def signal_dated(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """ "Date:", "Generated:", "Report Date:" stamp a document as of one day."""
    stamped = _stamped(doc)
    if stamped:
        return "dated", 1.5, f"stamped with a date like a report ({', '.join(stamped[:2])})"
    return None


def signal_maintained_label(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """ "Last updated:" is what pages that expect to change write."""
    labels = sorted(
        {
            f.label
            for f in doc.dates.facts
            if f.source in ("text", "front_matter") and _MAINTAINED_LABEL.search(f.label)
        }
    )
    if labels and not _stamped(doc):
        return "maintained-label", -0.5, f"carries a '{labels[0]}' line, as maintained pages do"
    return None


def signal_age(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A report that has sat for months is history (guides do not age by date alone)."""
    best = doc.dates.best
    age = _days(best, ctx.now)
    if base > 0 and age is not None and age > 60:
        bonus = 1.0 if age > 180 else 0.5
        return "age", bonus, f"dated {best}, {age} days before the newest change in the repository"
    return None


def signal_maintained(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Edited over weeks and recently: someone keeps it up to date."""
    span = _days(doc.dates.first_commit, doc.dates.last_commit)
    recent = _days(doc.dates.last_commit, ctx.now)
    if span is not None and span >= 14 and recent is not None and recent <= 30:
        return "maintained", -1.0, f"maintained: edited over {span} days, last on {doc.dates.last_commit}"
    return None


def signal_series(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """WEEK_1_STATUS with a WEEK_2_STATUS after it: the earlier members are records of their week."""
    if doc.path in ctx.newer_in_series:
        return "series", 1.0, f"a later member of series '{ctx.series.get(doc.path, '')}' follows it"
    return None


def signal_linked(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """What the README or live documentation links to is documentation readers use."""
    linkers = ctx.inbound.get(doc.path, ())
    from_entry = sorted(p for p in linkers if p in ctx.entry_points)
    if from_entry:
        return "entry-point", -2.0, f"linked from {', '.join(from_entry[:3])}"
    from_live = from_live_docs(linkers, ctx, doc.path)
    if len(from_live) >= 2 and base < 4:
        return "linked", -0.5, f"linked from {len(from_live)} documents"
    judged = [p for p in linkers if p in ctx.history_paths]
    if not from_live and len(judged) >= 2:
        return "cited-by-history", 1.0, f"only history links to it ({', '.join(judged[:2])})"
    return None


def signal_gone_tooling(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Instructions for scripts and workflows that exist nowhere in the repository any more."""
    if not ctx.file_names or not ev.tooling:
        return None
    gone = [(name, n) for name, n in ev.tooling if name not in ctx.file_names]
    if len(gone) >= 2 or any(n >= 3 for _, n in gone):
        names = ", ".join(name for name, _ in gone[:3])
        return "gone-tooling", 1.0, f"refers to files that are no longer in the repository ({names})"
    return None


def signal_plan(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A plan is current while its milestones lie ahead; one whose dates have all passed is a record."""
    if not ev.is_plan or not ctx.now:
        return None
    ahead = [d for d in ev.plan_ahead_dates if d > ctx.now]
    if ahead:
        return "plan-ahead", -1.5, f"a plan with milestones ahead ({ahead[0]})"
    return "plan-past", 1.0, "a plan with no milestone after the repository's newest change"


def signal_cites(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """What a document points at says what it is: an index of reports is part of the history it lists."""
    linked = sorted(
        {
            ln.path
            for ln in doc.links
            if ln.path and ln.exists and ln.path != doc.path and is_markdown(ln.path)
        }
    )
    named_index = bool(_INDEX_WORDS.search(ev.name_text) or _INDEX_WORDS.search(doc.title))
    index_like = named_index or (len(linked) >= 5 and len(linked) * 40 >= doc.words)
    # A root-level map of the whole documentation is replaced by the docs tree's index and the site nav.
    whole = _DOCS_WORDS.search(ev.name_text) or _DOCS_WORDS.search(doc.title) or _spread(linked) >= 3
    if doc.at_root and named_index and len(linked) >= 5 and whole:
        return (
            "docs-index",
            3.0,
            f"a root index of the documentation ({len(linked)} documents): the docs index and site "
            "navigation replace it",
        )
    # What the prose names without linking ("see STATUS.md") is cited all the same.
    named = [p for p in mentioned_docs(ev.doc_names, doc.folder, ctx.documents) if p != doc.path]
    cited = sorted(set(linked) | set(named))
    old = [p for p in cited if p in ctx.history_paths]
    new = [p for p in cited if p in ctx.live_paths]
    if len(old) + len(new) < 3:
        return None
    share = len(old) / (len(old) + len(new))
    if share >= 0.6:
        bonus = 2.5 if index_like else 1.0
        return (
            "cites-history",
            bonus,
            f"links mostly to history ({len(old)} of {len(old) + len(new)} it cites)",
        )
    if share <= 0.4 and index_like:
        return "cites-live", -1.0, f"indexes live documentation ({len(new)} of {len(old) + len(new)})"
    return None


def signal_root_prior(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """In a root of two hundred reports, a document with mixed signals is most likely one more."""
    if doc.at_root and ctx.root_prior > 0:
        return "root-prior", ctx.root_prior, "most files at this root are records of past work"
    return None


SIGNALS = (
    signal_dated,
    signal_maintained_label,
    signal_age,
    signal_maintained,
    signal_series,
    signal_linked,
    signal_gone_tooling,
    signal_plan,
    signal_cites,
    signal_root_prior,
)


def _one_per_group(hits: list[tuple[Rule, float]]) -> list[tuple[Rule, float]]:
    best: dict[str, float] = {}
    for rule, weight in hits:
        if rule.group and abs(weight) > abs(best.get(rule.group, 0.0)):
            best[rule.group] = weight
    kept, seen = [], set()
    for rule, weight in hits:
        if rule.group:
            if rule.group in seen or weight != best[rule.group]:
                continue
            seen.add(rule.group)
        kept.append((rule, weight))
    return kept


def from_live_docs(linkers: tuple[str, ...], context: Context, own: str) -> list[str]:
    """Linking documents a previous pass judged live (none before the first pass has run)."""
    return sorted(p for p in linkers if p in context.live_paths and p != own)


# Script and configuration files a guide tells readers to run or edit (not source files, whose names
# drift with every refactor, nor product names like Node.js).
_TOOLING_FILE = re.compile(
    r"(?<![\w@/.-])(?:[\w.-]+/)*(\w[\w.-]*\.(?:ya?ml|sh|bash|ps1|toml|gradle|"
    r"sql|properties|plist|conf|cfg|ini))\b"
)
# A Markdown file named in prose: STATUS.md, docs/guide.md (not inside a URL: no scheme or domain before).
_DOC_NAME = re.compile(r"(?<![\w/.:-])((?:[\w-]+/)*[\w][\w.-]*\.md)\b")
_ISO_DATE = re.compile(r"\b(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")


def _text_dates(text: str) -> list[str]:
    return sorted({"-".join(m) for m in _ISO_DATE.findall(text)})


def _spread(paths: list[str]) -> int:
    """How many docs sections the documents at `paths` fall into, judged by their names."""
    found = set()
    for path in paths:
        name = " ".join(parse_name(path.rsplit("/", 1)[-1]).tokens)
        for section, pattern in SECTION_WORDS:
            if pattern.search(name):
                found.add(section)
                break
    return len(found)


def _kind(hits: list[tuple[Rule, float]], margin: float) -> str:
    """The kind named by the heaviest evidence on the winning side."""
    side = [(abs(w), -i, r.kind) for i, (r, w) in enumerate(hits) if (w > 0) == (margin > 0)]
    if not side:
        return "report" if margin > 0 else "guide"
    weight: dict[str, float] = {}
    first: dict[str, int] = {}
    for w, i, kind in side:
        weight[kind] = weight.get(kind, 0.0) + w
        first.setdefault(kind, i)
    return max(sorted(weight), key=lambda k: (weight[k], first[k]))
