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
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import (
    FOLDER_INDEX,
    conventional_key,
    in_history_folder,
    is_conventional,
    read_by_tools,
)
from ..core.models import Document, Inventory, Reason
from .evidence import (
    SIGNALS,
    Context,
    Evidence,
    gather_evidence,
    mentioned_docs,
    one_per_group,
    table_for,
    task_prompt,
)
from .rules import SECTION_WORDS, Rule
from .weights import Weights

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


# Templates and examples: a page in a templates/ or examples/ folder, or named a template
# (PHASE_REPORT_TEMPLATE.md), is a form to fill in or a model to copy (a report template reads like a
# report), not a record of anything. A convention of code trees, not fitted.
TEMPLATE_FOLDERS = frozenset({"templates", "template", "_templates", ".templates", "examples", "example"})


def _template(path: str) -> bool:
    folders, _, name = path.rpartition("/")
    named = any(t in ("template", "templates") for t in parse_name(name).tokens)
    return named or any(f.lower() in TEMPLATE_FOLDERS for f in folders.split("/") if f)


# ---------------------------------------------------------------------------------------------------------
# One document


@dataclass(frozen=True)
class Classification:
    kind: str
    disposition: str  # "keep-root" | "live" | "archive"
    section: str | None  # docs section for live documents
    reasons: tuple[Reason, ...]
    confidence: float
    score: float = 0.0  # > 0 leans history, < 0 leans live documentation
    in_tree: bool = False  # already inside an organised docs tree or next to code
    canonical: str | None = None  # for a duplicate folded into its group: the version to read instead
    # a record kept where it is filed (a structured folder) instead of archived: history to the other
    # documents' evidence, as if archived, though it does not move
    kept_record: bool = False
    # the note that leaves a document reading as documentation of its own live beside the group it
    # resembles, for a person to review; dropped when the overlap step supersedes the document after all
    review: Reason | None = None


# The margins below that are on the weights' scale are *readings* (`Weights.reading`): margins in the
# prior table's numbers, where a root document is archived at 1.5. Each table turns them into its own
# margins (`Weights.margin_at`), so a refit on a smaller scale asks the same relative strength of
# evidence as the prior table; with the prior table they are the margins themselves.

# Root documents are archived at the threshold of weights.json; documents in a docs tree need a margin
# that reads this much, three and a half units past the root threshold. Safety, not fitted: no corpus
# labels pages of a docs tree, and a tree someone organised on purpose is not the sprawl the engine goes
# after.
TREE_THRESHOLD = 5.0
# Inside a docs tree, a duplicate group must score this high before a page is folded into another.
# On the similarity score (0 to 1), not on the weights' scale, so no table changes its meaning. Safety,
# not fitted (same reason as TREE_THRESHOLD): templated reference pages share most of their text.
TREE_DUPLICATE_SCORE = 0.8
# A document that reads as documentation joins its group only when the group scores at least this
# (groups just over the duplicate threshold are often two guides on one subject). On the similarity
# score, not on the weights' scale. Safety, not fitted: the labelled groups are too few to fit a merge
# threshold on.
LIVE_MERGE_SCORE = 0.6


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


# The repository's clock (how long a page sat unchanged, for how much of the repository's life, how long
# it was edited over) counts at the root only. Their weights are fitted on root files, where sitting
# unchanged marks work that moved on; pages of a docs tree someone organised sit unchanged for months
# because they are done, and no label says otherwise. Safety, not fitted (no corpus labels tree pages).
CLOCK_TAGS = frozenset({"idle", "idle-share", "edit-span", "left-behind"})

# How far past the line a decision must read (`Weights.reading`) to count as certain; and what being a
# member of a duplicate group is worth toward a merge's confidence. Presentation, not fitted: confidence
# orders the plan's review list and decides nothing; no label says how sure a reader was.
CERTAIN_READING = 6.0
DUPLICATE_READING = 2.0


def _confidence(reading: float, agreeing: float, disagreeing: float) -> float:
    """`reading`: how far past the line the decision is, read in the prior table's numbers."""
    # Strength: how far past the line the margin is. Agreement: how one-sided the evidence is (a ratio of
    # weights, the same whatever the table's scale).
    strength = min(abs(reading) / CERTAIN_READING, 1.0)
    total = agreeing + disagreeing
    agreement = agreeing / total if total else 0.5
    return round(min(0.99, max(0.05, 0.35 + 0.4 * strength + 0.25 * (agreement - 0.5) * 2)), 2)


def classify(
    doc: Document, context: Context, config: Config, evidence: Evidence | None = None
) -> Classification:
    """Kind, disposition and section of one document, with the evidence behind them.

    `evidence` (from `gather_evidence(doc)`) may be passed in when one document is classified several
    times against a changing context; it depends on the document alone.
    """
    settled = _settled(doc, config)
    if settled is not None:
        return _with_twins(settled, doc, context)
    return _weighed(doc, evidence or gather_evidence(doc), context, config, section_for)


Sections = Callable[[Document, Config], tuple[str, tuple[str, ...]]]


def _weighed(
    doc: Document, evidence: Evidence, context: Context, config: Config, sections: Sections
) -> Classification:
    """`classify` for a document whose place no convention or setting settles."""
    weighed = weigh(doc, evidence, context, config)
    canonical, notes, review = _joins_group(doc, weighed, context)
    if canonical is not None:
        return _folded(weighed, canonical, notes)
    judged = _judged(doc, weighed, notes, context, config, sections)
    return replace(judged, review=review) if review is not None else judged


def _with_twins(settled: Classification, doc: Document, context: Context) -> Classification:
    """A file tools read by path with a twin of the same name but for case: both stay, a person chooses."""
    if settled.kind != "tool-file":
        return settled
    folded = doc.path.casefold()
    twins = sorted(p for p in context.documents if p != doc.path and p.casefold() == folded)
    if not twins:
        return settled
    why = f"has a twin that differs only in case ({', '.join(twins)}): tools read one of them, review by hand"
    return replace(settled, reasons=(*settled.reasons, Reason(why)))


def _settled(doc: Document, config: Config) -> Classification | None:
    """Documents whose place is settled before any evidence is weighed: conventional root files, `keep`
    and `pin` settings, the archive, records already filed, and pages that head their folder."""
    in_tree = not doc.at_root
    key = conventional_key(doc.name)
    pin = _pinned(doc.path, config)
    if doc.at_root and is_conventional(doc.name):
        why = "conventional root file: tools and readers look for it here"
        return Classification("conventional-root", "keep-root", None, (Reason(why),), 0.99, 0.0, False)
    if read_by_tools(doc.path):
        why = "read by a tool at this path (templates, agent instructions, changesets): never moved"
        disposition = "live" if in_tree else "keep-root"
        return Classification("tool-file", disposition, None, (Reason(why),), 0.99, 0.0, in_tree)
    if any(fnmatch.fnmatch(doc.path, pattern) for pattern in config.keep):
        why = "matches a `keep` pattern in the configuration"
        disposition = "live" if in_tree else "keep-root"
        return Classification("pinned", disposition, None, (Reason(why),), 0.99, 0.0, in_tree)
    if pin is not None:
        if pin == "archive":
            why = f"pinned to the archive by `pin` ({doc.path})"
            return Classification("pinned", "archive", None, (Reason(why),), 0.99, 0.0, in_tree)
        why = f"pinned to section '{pin}' by `pin`"
        return Classification("pinned", "live", pin, (Reason(why),), 0.99, 0.0, in_tree)
    if _in_history_folder(doc.path, config):
        why = "already in an archive folder"
        return Classification("archived", "archive", None, (Reason(why),), 0.95, 0.0, True)
    if in_tree and _filed(doc.path):
        why = "already filed with its kind or period (reports/, releases/, 2025-10/ ...)"
        return Classification("filed-record", "live", None, (Reason(why),), 0.9, 0.0, True)
    if in_tree and _template(doc.path):
        why = "a template or example (named so, or in a templates/ or examples/ folder), not a record"
        return Classification("template", "live", None, (Reason(why),), 0.9, 0.0, True)
    if in_tree and (key in FOLDER_INDEX or is_conventional(doc.name)):
        why = "heads its folder (README/index next to what it describes)"
        kind = "index" if key in FOLDER_INDEX else "conventional-root"
        return Classification(kind, "live", None, (Reason(why),), 0.95, 0.0, True)
    return None


@dataclass(frozen=True)
class Weighed:
    """A document's evidence added up: the rules table's findings, then the repository's signals."""

    hits: tuple[tuple[Rule, float], ...]
    reasons: tuple[Reason, ...]
    history: float  # total weight of the evidence toward a record of past work
    evergreen: float  # total weight of the evidence toward documentation to keep using
    fired: tuple[str, ...]  # tags of the signals that fired
    in_tree: bool
    features: Mapping[str, float]  # tag -> strength of every finding: what the weights are fitted on
    # The weights it was weighed with (evidence.table_for). The margin starts at the table's intercept,
    # its log-odds of history before any evidence, kept apart from `history` and `evergreen`, which weigh
    # evidence only (confidence reads how one-sided the evidence is; where a table puts its zero is not
    # evidence).
    table: Weights
    prompt: bool = False  # a one-shot prompt for an AI assistant (evidence.task_prompt)

    @property
    def margin(self) -> float:
        return round(self.table.intercept + self.history - self.evergreen, 2)

    @property
    def threshold(self) -> float:
        return self.table.margin_at(TREE_THRESHOLD) if self.in_tree else self.table.threshold


def weigh(doc: Document, evidence: Evidence, context: Context, config: Config) -> Weighed:
    """Each finding's strength times its fitted weight (`weights.json`), added up from the intercept."""
    table = table_for(doc.path, context)
    own = evidence.hits
    if doc.path in context.named_subjects:
        # In a reference named by subject the name and title are the subject a page documents (the
        # command `git status`, `npm completion`): they say nothing of a status report or a done note.
        # What they say of living documentation (`how-to-...`, `...-reference`) still holds.
        own = tuple(
            (r, strength) for r, strength in own if r.where not in ("name", "title") or table.of(r.name) <= 0
        )
    prompt = task_prompt(doc, evidence, context)
    unheard: list[str] = []
    if prompt is not None:
        # A prompt's guide sections, steps and commands are instructions to the assistant that carried
        # out the work, not to a reader: what its own name and text say of living documentation is not
        # counted (the finding says why), as the name of a page named by subject says nothing of reports.
        unheard = sorted({r.name for r, _ in own if table.of(r.name) < 0})
        own = tuple((r, strength) for r, strength in own if table.of(r.name) >= 0)
    hits = tuple(one_per_group([(r, table.of(r.name) * strength) for r, strength in own]))
    features: dict[str, float] = {r.name: strength for r, strength in own}
    history = sum(w for _, w in hits if w > 0)
    evergreen = -sum(w for _, w in hits if w < 0)
    reasons = [shown for r, w in hits if (shown := table.reason(r.why, r.name, w)) is not None]
    if prompt is not None:
        features[prompt.tag] = 1.0
        weight = table.of(prompt.tag)
        history, evergreen = history + max(weight, 0.0), evergreen - min(weight, 0.0)
        if (shown := table.reason(prompt.text, prompt.tag, weight)) is not None:
            reasons.append(shown)
        if unheard:
            reasons.append(
                Reason(f"its guide-like parts instruct the assistant: not counted ({', '.join(unheard)})")
            )
    # The signals' own cut-offs on the text's margin ("leans history", "not clearly a record") are written
    # in the prior table's numbers: they see the margin's reading, the same under any table's scale.
    base = table.reading(table.intercept + history - evergreen)
    fired: list[str] = []
    for signal in SIGNALS:
        found = signal(doc, evidence, context, config, base)
        if found is None or found.weight is None:
            continue
        fired.append(found.tag)
        features[found.tag] = found.weight
        if not doc.at_root and found.tag in CLOCK_TAGS:
            continue
        weight = table.of(found.tag) * found.weight
        if weight > 0:
            history += weight
        elif weight < 0:
            evergreen -= weight
        shown = table.reason(found.text, found.tag, weight)
        if shown is not None:
            reasons.append(shown)
    return Weighed(
        hits,
        tuple(reasons),
        history,
        evergreen,
        tuple(fired),
        not doc.at_root,
        features,
        table,
        prompt is not None,
    )


def _joins_group(
    doc: Document, weighed: Weighed, context: Context
) -> tuple[str | None, tuple[Reason, ...], Reason | None]:
    """The canonical a duplicate is folded into, or None when it stays a document of its own (with why),
    and the note leaving it beside that canonical for review (None when it was not)."""
    canonical = context.duplicate_of.get(doc.path)
    margin = weighed.margin
    notes: list[Reason] = []
    # A page of a structured folder is not folded out of it: the folder is the project's record of one
    # feature (or component), and its siblings repeat its set of files. Only a copy its own name marks as
    # old (plan-old.md) goes. The analysis already keeps companions and same-named pages of sibling
    # folders out of one group; this covers a group with a page elsewhere, or identical texts.
    # A report filled in from a template is not a version of the template: folded into it, the record
    # would point readers to a blank form. It is judged as a document of its own.
    if canonical is not None and _template(canonical) and not _template(doc.path):
        why = f"resembles {canonical}, a template: a page made from it is not a version of it"
        return None, (Reason(why),), None
    unit = _unit_keeping(doc, context)
    if canonical is not None and unit is not None:
        score = context.duplicate_score.get(doc.path, 0.0)
        why = f"resembles {canonical} (group score {score:.2f}) but {_unit_page(unit)}: stays with its folder"
        return None, (Reason(why),), None
    # Pages of a documentation tree share templates and boilerplate: there only a clear duplicate (a
    # stale-marked copy, a near-identical text, or one that reads as history itself) is folded away.
    if canonical is not None and weighed.in_tree:
        score = context.duplicate_score.get(doc.path, 0.0)
        same_folder = canonical.rsplit("/", 1)[0] == doc.folder if "/" in canonical else False
        close = score >= TREE_DUPLICATE_SCORE and same_folder
        if not (parse_name(doc.name).stale or close or margin >= weighed.table.threshold):
            notes.append(
                Reason(
                    f"resembles {canonical} (group score {score:.2f}) but stays: pages of a docs tree "
                    "share templates"
                )
            )
            canonical = None
    # Documentation is never folded into a record: a history canonical is the version to read only
    # when every member of its group is history (groups.readable_canonicals turns such groups round).
    reads_live = margin < weighed.threshold and not parse_name(doc.name).stale
    if canonical is not None and reads_live and canonical in context.history_paths:
        notes.append(Reason(f"resembles {canonical}, a record of past work, but reads as documentation"))
        canonical = None
    # A document that reads as documentation is folded into another only on clear evidence: not into a
    # report, and not on a borderline resemblance (guides on one subject share headings and wording).
    # An earlier version by name (X and X_V2, QUICKSTART and QUICK_START) goes where its successor goes,
    # whatever it reads like: two files of one name are one document.
    if (
        canonical is not None
        and margin < weighed.threshold
        and not parse_name(doc.name).stale
        and doc.path not in context.versions
    ):
        score = context.duplicate_score.get(doc.path, 1.0)
        if canonical in context.history_paths or score < LIVE_MERGE_SCORE:
            review = Reason(
                f"resembles {canonical} (group score {score:.2f}) but reads as documentation of its "
                "own: left for review"
            )
            return None, (*notes, review), review
    return canonical, tuple(notes), None


def _unit_keeping(doc: Document, context: Context) -> tuple[str, int] | None:
    """The structured folder that keeps `doc` (neither folded nor archived out of it), with its
    sibling count, or None: outside one, or a copy its own name marks as old (plan-old.md)."""
    unit = context.units.get(doc.path)
    return None if unit is None or parse_name(doc.name).stale else unit


def _unit_page(unit: tuple[str, int]) -> str:
    folder, siblings = unit
    return f"belongs to {folder}/, one of {siblings} sibling folders that repeat one set of files"


def _folded(weighed: Weighed, canonical: str, notes: tuple[Reason, ...]) -> Classification:
    margin, weights = weighed.margin, weighed.table
    reading = weights.reading(margin)
    kind = _kind(weighed.hits, True) if reading > 0 else "duplicate"
    first = Reason(f"a duplicate of {canonical}, which is kept as the canonical version")
    reasons = (first, *weighed.reasons, *notes)
    bonus = DUPLICATE_READING * weights.unit
    confidence = _confidence(
        DUPLICATE_READING + max(reading, 0.0), weighed.history + bonus, weighed.evergreen
    )
    return Classification(kind, "archive", None, reasons, confidence, margin, weighed.in_tree, canonical)


def _judged(
    doc: Document,
    weighed: Weighed,
    notes: tuple[Reason, ...],
    context: Context,
    config: Config,
    sections: Sections = section_for,
) -> Classification:
    margin = weighed.margin
    threshold, table = weighed.threshold, weighed.table
    disposition = "archive" if margin >= threshold else "live"
    docs_index = "docs-index" in weighed.fired and disposition == "archive"
    # A root document's kind follows the decision: one that moves into the docs tree as living
    # documentation is named by its evidence toward documentation (or "guide"), not by a record-like lean
    # that did not reach the threshold (the site files a folder under history by its pages' kinds). A
    # page already in a folder keeps the kind its lean names: a report the tree's higher bar keeps in
    # place is still a report.
    leans = disposition == "archive" if not weighed.in_tree else table.reading(margin) > 0
    kind = "docs-index" if docs_index else _kind(weighed.hits, leans)
    if weighed.prompt and disposition == "archive":
        kind = "prompt"
    reasons = [*weighed.reasons, *notes]
    # A record in a structured folder is already filed with what it records: archived out of the
    # folder, it would leave a hole in the set its siblings repeat. Its kind still says it is a record.
    unit = _unit_keeping(doc, context) if disposition == "archive" else None
    kept_record = unit is not None
    if unit is not None:
        disposition = "live"
        reasons.append(Reason(f"reads as a record, but {_unit_page(unit)}: stays with its folder"))
    if doc.path in context.canonicals:
        reasons.append(Reason("canonical member of a duplicate group"))
    section = None
    if disposition == "live":
        section, words = sections(doc, config)
        if words:
            reasons.append(Reason(f"section '{section}' from {', '.join(words)}", "section"))
    history, evergreen = weighed.history, weighed.evergreen
    agreeing, disagreeing = (history, evergreen) if disposition == "archive" else (evergreen, history)
    confidence = _confidence((margin - threshold) / table.unit, agreeing, disagreeing)
    return Classification(
        kind, disposition, section, tuple(reasons), confidence, margin, weighed.in_tree, None, kept_record
    )


def _kind(hits: Sequence[tuple[Rule, float]], history: bool) -> str:
    """The kind named by the heaviest evidence on the winning side (`history`: the margin reads > 0)."""
    side = [(abs(w), -i, r.kind) for i, (r, w) in enumerate(hits) if (w > 0) == history]
    if not side:
        return "report" if history else "guide"
    weight: dict[str, float] = {}
    first: dict[str, int] = {}
    for w, i, kind in side:
        weight[kind] = weight.get(kind, 0.0) + w
        first.setdefault(kind, i)
    return max(sorted(weight), key=lambda k: (weight[k], first[k]))


# ---------------------------------------------------------------------------------------------------------
# Every document, in passes

# Classification passes: each later pass sees what the previous one decided about linked documents.
# A fixed count (not "until stable") keeps the result deterministic even where decisions would cycle.
PASSES = 3
# The base-rate signal is capped so a document's own text can still outweigh it. The cap bounds the
# feature (the log-odds of a share of documents, a count, not a margin), whose weight is fitted: what it
# adds to a margin scales with the table's own `root-prior` weight, so it needs no reading. Hand-set, not
# fitted: a cap and a weight fitted together on nine repositories would fit their noise.
PRIOR_CAP = 2.0


def root_prior(result: Mapping[str, Classification], weights: Weights) -> float:
    """Log-odds that a root document is history, from the previous pass; 0 when history is not the norm.

    In a root of two hundred reports and twenty guides, a document with mixed signals is far more likely
    a report; in a tidy root the same signals mean little. Capped so the body can still speak.
    """
    root = [
        c for p, c in result.items() if "/" not in p and c.disposition != "keep-root" and c.kind != "pinned"
    ]
    if len(root) < 10:
        return 0.0
    # Leaning, not decided: the share of root documents whose own evidence points to history at all.
    share = (sum(1 for c in root if weights.reading(c.score) > 0 or c.canonical) + 1) / (len(root) + 2)
    return round(min(max(math.log(share / (1 - share)), 0.0), PRIOR_CAP), 1)


def classify_all(
    inventory: Inventory, context: Context, evidence: Mapping[str, Evidence], config: Config
) -> dict[str, Classification]:
    """Later passes know which documents earlier ones called history (indexes follow what they list).

    `context` is `evidence.build_context`'s, `evidence` each document's `gather_evidence`."""
    # What depends on the document and the settings alone (its settled place, its section) is worked
    # out once, not once per pass: on a reference tree of 40,000 pages that was a quarter of the work.
    settled = {d.path: _settled(d, config) for d in inventory.documents}
    known: dict[str, tuple[str, tuple[str, ...]]] = {}

    def section_once(doc: Document, config: Config) -> tuple[str, tuple[str, ...]]:
        if doc.path not in known:
            known[doc.path] = section_for(doc, config)
        return known[doc.path]

    def one_pass(context: Context) -> dict[str, Classification]:
        return {
            d.path: _with_twins(done, d, context)
            if (done := settled[d.path]) is not None
            else _weighed(d, evidence[d.path], context, config, section_once)
            for d in inventory.documents
        }

    result = one_pass(context)
    prior = root_prior(result, context.weights)
    reads = _verdicts_read(inventory.documents, context, evidence)
    for _ in range(PASSES - 1):
        before = context
        context = replace(
            context,
            root_prior=prior,
            # a record kept in its structured folder is still a record to the others' evidence (a live
            # guide is not folded into it, a plan it follows is not current for it)
            history_paths=frozenset(
                p for p, c in result.items() if c.disposition == "archive" or c.kept_record
            ),
            live_paths=frozenset(
                p for p, c in result.items() if c.disposition != "archive" and not c.kept_record
            ),
        )
        # A later pass differs from the one before only in the verdicts it reads (which documents were
        # history, which live) and the root's base rate: a document that reads none of the verdicts
        # that changed, away from the root, is judged as before. On a reference tree of 40,000 pages a
        # handful change between the second and third pass; weighing them all again was a third of
        # the classification.
        changed = (before.history_paths ^ context.history_paths) | (before.live_paths ^ context.live_paths)
        result = {
            d.path: _with_twins(done, d, context)
            if (done := settled[d.path]) is not None
            else _weighed(d, evidence[d.path], context, config, section_once)
            if d.at_root or evidence[d.path].is_plan or not changed.isdisjoint(reads[d.path])
            else result[d.path]
            for d in inventory.documents
        }
    return result


def _verdicts_read(
    docs: Sequence[Document], context: Context, evidence: Mapping[str, Evidence]
) -> dict[str, frozenset[str]]:
    """For each document, every path whose verdict in the previous pass (in `history_paths` or
    `live_paths`) its classification may read, or more: the documents linking to it, those it links
    to or names in its prose, the members of its duplicate group and the other parts of its numbered
    set. Documents at the root (which also read the root's base rate) and plans (which read whether
    any verdict is history) are weighed again in every pass whatever this holds."""
    group: dict[str, set[str]] = {}
    for member, canonical in context.duplicate_of.items():
        group.setdefault(canonical, {canonical}).add(member)
    reads: dict[str, frozenset[str]] = {}
    for d in docs:
        found = {*context.inbound.get(d.path, ()), *(ln.path for ln in d.links if ln.path)}
        found.update(mentioned_docs(evidence[d.path].doc_names, d.folder, context.documents))
        found.update(group.get(context.duplicate_of.get(d.path, d.path), ()))
        found.update(context.parts.get(d.path, ("", ()))[1])
        reads[d.path] = frozenset(found)
    return reads
