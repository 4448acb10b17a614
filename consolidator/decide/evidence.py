"""Evidence: what the rules table finds in each document's own text, and the signals that need the rest
of the repository (dates against the repository's "now", the link graph, the duplicate groups and
series the analysis found, the files that exist). Every finding is a `Reason` record (tag, weight,
text); classification adds the weights up and the plan, the report and the summary render them.

This is the first step of deciding: it reads the analysis (`Inventory`, `Groups`) and nothing that a
later step decides, except the previous classification pass (`Context.history_paths`/`live_paths`).
"""

from __future__ import annotations

import bisect
import math
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import takewhile
from typing import TYPE_CHECKING

from ..analysis.folders import numbered_parts, structured_folders
from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import is_conventional, is_markdown, read_by_tools
from ..core.models import Document, Inventory, Reason
from .rules import RULES, SECTION_WORDS, Rule, rx
from .textsignals import CONTENT_RULES, TextSignals, signals_of
from .weights import Weights, default_weights, prior_weights

# scikit-learn, the similarity stage (SciPy) and the link graph (networkx) are imported where they are
# used, not here: the site (`site.layout`, through `sprawl`) imports this module for the rules alone, and
# would pay most of a second for them.
if TYPE_CHECKING:
    from ..analysis.similarity import Groups


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
    root_prior: float = (
        0.0  # base rate of history among root documents, as log-odds (see classify.classify_all)
    )
    file_names: frozenset[str] = frozenset()  # lower-cased base names of every file (empty: not checked)
    history_paths: frozenset[str] = frozenset()  # documents a first pass judged history
    live_paths: frozenset[str] = (
        frozenset()
    )  # documents a first pass judged live (conventional files included)
    documents: frozenset[str] = frozenset()  # every document's path (to resolve names written in prose)
    born: str | None = None  # oldest first commit of any document (ISO): the repository's documented life
    root_changes: tuple[str, ...] = ()  # last-commit dates of the root documents, sorted
    record_dates: Mapping[str, str] = field(default_factory=dict)  # members of duplicate groups that are
    # not plans -> their last-commit date (what a plan's group says was done since)
    # what each piece of evidence weighs in a root document (fitted on root files) and in a page inside a
    # folder (the hand-set prior: no label covers such pages; see decide/weights.py)
    weights: Weights = field(default_factory=default_weights)
    tree_weights: Weights = field(default_factory=prior_weights)
    # documents in a structured folder (analysis.folders) -> that folder and how many sibling folders
    # (itself included) repeat its layout
    units: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    # documents the agents' instructions at the root (CLAUDE.md, AGENTS.md) name in their prose without
    # linking them -> those files
    named_by_front: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # root documents, the entry points and the conventional files aside, and how many of them an entry
    # point links to: a README that lists them is curating the root
    root_documents: int = 0
    front_listed: int = 0
    front_listers: tuple[str, ...] = ()  # the entry points that link them (README.md, docs/index.md)
    # pages of a reference named by subject (see `analysis.pairs.NAMED_MIN_DOCS`): their file name and
    # title name what they document (`git-status.md`, `# npm completion`), not a genre
    named_subjects: frozenset[str] = frozenset()
    # numbered parts of one set (`analysis.folders.numbered_parts`: AUDIT_01-state.md, AUDIT_02-api.md
    # ...) -> the set's label and its other parts
    parts: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # root documents named for a phase of the work (PHASE_4_SETUP.md) -> the root documents named for the
    # same phase that say it is done (PHASE_4_COMPLETE.md), see `phase_of`
    phase_done: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# How a finding's strength is graded (where the rules look: textsignals.py): this defines the features,
# whose weights are fitted (weights.json); it is a convention of reading, not a weight.
STRONG_FACTOR = 3  # a headings or text rule matching this many times its minimum has strength 2
_DOCS_WORDS = rx(r"\b(?:documentation|docs|master|map|sitemap|all documents)\b")
_PLAN_WORDS = rx(r"\b(?:plan|plans|roadmap|action plan|next steps|todo)\b")
_INDEX_WORDS = rx(r"\b(?:index|map|hub|toc|contents|navigation|overview of (?:the )?doc\w*)\b")
_MAINTAINED_LABEL = rx(r"\b(?:updated|modified|reviewed|revised|version)\b")


def _name_text(doc: Document) -> str:
    return " ".join(parse_name(doc.name).tokens)


def _days(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    try:
        return (date.fromisoformat(b) - date.fromisoformat(a)).days
    except ValueError:
        return None


@dataclass(frozen=True)
class Evidence:
    """What the rules table finds in a document's own text: the same whatever the rest of the repository."""

    hits: tuple[tuple[Rule, float], ...]  # each rule that fired, with its strength (2 when graded strong)
    name_text: str
    plan_ahead_dates: tuple[str, ...]  # ISO dates written in a plan's text ("" when not a plan)
    is_plan: bool
    tooling: tuple[tuple[str, int], ...] = ()  # script and config file names the text mentions, with counts
    doc_names: tuple[str, ...] = ()  # Markdown files the prose names without linking them
    brief: tuple[str, ...] = ()  # how the text briefs an AI assistant on a task (textsignals.BRIEF_MARKERS)
    blanks: int = 0  # blanks to fill in ({{topic}}, [INSERT ...]): a reusable prompt template has them


# Each content rule's position in TextSignals.counts.
_CONTENT_INDEX = {id(rule): i for i, rule in enumerate(CONTENT_RULES)}


def gather_evidence(doc: Document, signals: object = None) -> Evidence:
    """The rules table on `doc`. `signals` are `textsignals.text_signals` of its parse when the scan's
    workers computed them (read from the text here otherwise): the same result either way."""
    if not isinstance(signals, TextSignals):
        signals = signals_of(doc.text, doc.headings)
    name_text = _name_text(doc)
    hits = rule_hits(name_text, doc.title, signals)
    planned = is_plan(doc)
    dates = signals.iso_dates if planned else ()
    return Evidence(
        hits, name_text, dates, planned, signals.tooling, signals.doc_names, signals.brief, signals.blanks
    )


def rule_hits(name_text: str, title: str, signals: TextSignals) -> tuple[tuple[Rule, float], ...]:
    """Each rule of the table that fires on a name (its words), a title and the content's signals, with
    its strength. Shared by Markdown documents and root text reports (sprawl.py), so both are read alike."""
    hits: list[tuple[Rule, float]] = []
    for rule in RULES:
        if rule.where == "name":
            count = 1 if rule.pattern.search(name_text) else 0
        elif rule.where == "title":
            count = 1 if rule.pattern.search(title) else 0
        else:
            count = signals.counts[_CONTENT_INDEX[id(rule)]]
        if count >= rule.min_count:
            # Headings and prose are graded: a document built of guide sections says so more loudly.
            strong = rule.where in ("headings", "text") and count >= STRONG_FACTOR * max(rule.min_count, 2)
            hits.append((rule, 2.0 if strong else 1.0))
    return tuple(hits)


def is_plan(doc: Document) -> bool:
    """Named or titled as a plan, a roadmap or a to-do list."""
    return bool(_PLAN_WORDS.search(_name_text(doc)) or _PLAN_WORDS.search(doc.title))


# "Prompt" as what a document is (`README_UPDATE_PROMPT.md`, `# Prompt 3: ...`), not what it is about: not
# a system prompt (part of a product), not a plural (a collection is a library), and not a modifier of
# another genre (`PROMPT_ADDITION_SPEC.md`, "Prompt Engineering Guide", "prompt library": documents
# about prompts). A convention of reading names, not a weight.
_PROMPT_NAMED = rx(
    r"(?<!system )(?<!system-)\bprompt\b(?!\s+(?:[\w-]+\s+){0,2}?(?:guide|guidelines|spec|specification|"
    r"process|library|libraries|template|templates|engineering|reference|catalog|catalogue|index|standards|"
    r"conventions|format|schema|design|writing|patterns?)\b)"
)
# A one-shot prompt is archived with this many blanks to fill in or fewer: more make it a reusable
# template (what a prompt library holds). A cut-off that defines the finding, hand-set like those below.
PROMPT_BLANKS = 2


def task_prompt(doc: Document, ev: Evidence, ctx: Context) -> Reason | None:
    """A one-shot prompt for an AI assistant at the root: named a prompt, and written to the assistant
    about one piece of work ("this prompt follows...", "Your task is...", an Objective section). It is
    the brief of work that was asked for, a record once the work exists, like a plan carried out; the
    instructions in it are the assistant's, not a reader's.

    Not a prompt: one inside a tree (a prompt library, prompts a program loads), one with blanks to fill
    in (a reusable template), one the README, the docs index or the agents' instructions point readers
    to (in use), and a document about prompts (a process for adding one to a library) that addresses
    no assistant. Files tools read by path (`CLAUDE.md`, `AGENTS.md`) are settled before any of this."""
    if not doc.at_root or not ev.brief or ev.blanks > PROMPT_BLANKS:
        return None
    if not (_PROMPT_NAMED.search(ev.name_text) or _PROMPT_NAMED.search(doc.title)):
        return None
    # In use: what readers start from links to it, or the agents' instructions at the root (`CLAUDE.md`,
    # written to direct the work) link to it or name it.
    if front_links(doc, ctx, tools=True) or doc.path in ctx.named_by_front:
        return None
    why = (
        f"a one-shot prompt for an AI assistant: named a prompt, and it {' and '.join(ev.brief[:2])}; "
        "the brief of work that was asked for, not a page for readers"
    )
    return Reason(why, "task-prompt", 1.0)


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


# ---------------------------------------------------------------------------------------------------------
# Signals that need the rest of the repository: dates against the repository's "now", the link graph,
# the files that exist, and the base rate at the root. Each returns (tag, weight, reason) or None;
# `base` is the margin of the document's own text (positive leans history).
#
# The cut-offs inside the signals (60 and 180 days, 14 and 30 days, two or three links, 60 % and 40 %
# of citations, five root documents, twelve months) say when a finding fires and how strong it is: they
# define the features, and the weight each feature carries is fitted (weights.json). They are hand-set,
# not fitted, because the labelled corpora are too few (nine repositories) to fit cut-offs and weights
# together without fitting the noise; the continuous features (length, edit span, idle months, idle
# share, left behind) carry the same information without a cut-off for the fit to weigh.

Found = Reason | None

# An undated plan is past once this share of the root documents changed after its last edit: two
# thirds, "most of the work moved on". A cut-off that defines the feature, hand-set like those above.
PLAN_MOVED_ON = 2 / 3


def _stamped(doc: Document) -> list[str]:
    return sorted(
        {
            f.label
            for f in doc.dates.facts
            if f.source in ("text", "front_matter") and not _MAINTAINED_LABEL.search(f.label)
        }
    )


_CREATED = rx(r"\bcreat")


def table_for(path: str, ctx: Context) -> Weights:
    """The weights a document at `path` is weighed with: the fitted table at the root, the prior inside a
    folder."""
    return ctx.weights if "/" not in path else ctx.tree_weights


def signal_dated(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """ "Date:", "Generated:", "Report Date:" stamp a document as of one day. A plan's "Created:" says
    when the planning began, not the day it reports on (its dates are weighed as milestones instead)."""
    stamped = [label for label in _stamped(doc) if not (ev.is_plan and _CREATED.search(label))]
    if stamped:
        return Reason(f"stamped with a date like a report ({', '.join(stamped[:2])})", "dated", 1.0)
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
        return Reason(f"carries a '{labels[0]}' line, as maintained pages do", "maintained-label", 1.0)
    return None


def signal_age(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A report that has sat for months is history (guides do not age by date alone)."""
    best = doc.dates.best
    age = _days(best, ctx.now)
    if base > 0 and age is not None and age > 60:
        bonus = 1.0 if age > 180 else 0.5
        return Reason(f"dated {best}, {age} days before the newest change in the repository", "age", bonus)
    return None


def signal_maintained(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Edited over weeks and recently: someone keeps it up to date."""
    span = _days(doc.dates.first_commit, doc.dates.last_commit)
    recent = _days(doc.dates.last_commit, ctx.now)
    if span is not None and span >= 14 and recent is not None and recent <= 30:
        return Reason(
            f"maintained: edited over {span} days, last on {doc.dates.last_commit}", "maintained", 1.0
        )
    return None


def signal_series(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """WEEK_1_STATUS with a WEEK_2_STATUS after it: the earlier members are records of their week."""
    if doc.path in ctx.newer_in_series:
        return Reason(f"a later member of series '{ctx.series.get(doc.path, '')}' follows it", "series", 1.0)
    return None


# Parts of a numbered set share a fate once this share of the other parts was judged one way. A cut-off
# that defines the feature (like PLAN_MOVED_ON), hand-set: two thirds, "most of the set".
PARTS_AGREE = 2 / 3


def signal_parts(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """AUDIT_06-executor.md beside AUDIT_01 to AUDIT_10 that read as live documentation: chapters of one
    whole, each on its own subject, none replacing another. A part is read as its set is: one archived
    out of a set of live pages leaves a hole in it (and one left live among archived parts an orphan).
    What the other parts were judged is the previous pass's verdict."""
    found = ctx.parts.get(doc.path)
    if found is None:
        return None
    label, others = found
    live = sum(1 for p in others if p in ctx.live_paths)
    history = sum(1 for p in others if p in ctx.history_paths)
    if live >= PARTS_AGREE * len(others):
        why = f"one of {len(others) + 1} numbered parts of {label}, and {live} of the others read as live"
        return Reason(why, "parts-live", 1.0)
    if history >= PARTS_AGREE * len(others):
        why = f"one of {len(others) + 1} numbered parts of {label}, and {history} of the others are history"
        return Reason(why, "parts-history", 1.0)
    return None


# Words that name a period of a project's work: a document named for one (`PHASE_4_SETUP.md`,
# `TEST_SPRINT_3.md`) was written for that stretch of the work. Not the words of a book's or a course's
# structure (part, chapter, lesson, module, week of a course): those name sections of a whole that stays.
# A convention of reading names, not a weight.
PHASE_WORDS = frozenset({"phase", "milestone", "sprint", "stage", "iteration", "increment", "wave"})
_NAMED_DONE = next(rule.pattern for rule in RULES if rule.name == "name-done")


Phase = tuple[tuple[str, str], ...]


def phase_of(name: str) -> Phase:
    """The phases a file name is named for, outermost first (`PHASE9_QUICKSTART.md`: phase 9;
    `PHASE_2_MILESTONE_2.1_SETUP.md`: phase 2, milestone 2.1), or () when it names none."""
    tokens = parse_name(name).tokens
    found = []
    for i, word in enumerate(tokens[:-1]):
        if word in PHASE_WORDS and tokens[i + 1][:1].isdigit():
            number = list(takewhile(lambda t: t[:1].isdigit(), tokens[i + 1 :]))
            found.append((word, ".".join(number)))
    return tuple(found)


def phases_done(docs: Sequence[Document]) -> dict[str, tuple[str, ...]]:
    """Each root document named for a phase that does not itself say it is done -> the root documents
    that say that phase, or one it is part of, is done (`PHASE_4_COMPLETE.md` for `PHASE_4_SETUP.md`
    and `PHASE_4_MILESTONE_2_SETUP.md`; `PHASE_4_MILESTONE_1_COMPLETE.md` for neither)."""
    phased = [(doc, phase) for doc in docs if doc.at_root and (phase := phase_of(doc.name))]
    done = {doc.path: phase for doc, phase in phased if _NAMED_DONE.search(_name_text(doc))}
    found: dict[str, tuple[str, ...]] = {}
    for doc, phase in phased:
        if doc.path in done:
            continue
        ended = sorted(path for path, end in done.items() if phase[: len(end)] == end)
        if ended:
            found[doc.path] = tuple(ended)
    return dict(sorted(found.items()))


def signal_phase_over(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """PHASE_4_IMPLEMENTATION_GUIDE.md beside PHASE_4_COMPLETE.md: a page written for one phase of the
    work, whose end another root document records (and the previous pass judged history), belongs to
    that phase's records; what of it still holds is what the documentation of the whole project says.
    A phase with no completion note may be under way: no evidence either way."""
    recorded = [p for p in ctx.phase_done.get(doc.path, ()) if p in ctx.history_paths]
    if not recorded:
        return None
    phase = ", ".join(" ".join(part) for part in phase_of(doc.name))
    why = f"written for {phase}, whose end {recorded[0]} records: a page of a finished phase"
    return Reason(why, "phase-over", 1.0)


def front_links(doc: Document, ctx: Context, tools: bool = False) -> list[str]:
    """The pages readers start from (README, the docs index: `entry_points`) that link to `doc`, and with
    `tools` the agents' instruction files at the root (`CLAUDE.md`, written to direct the work)."""
    return sorted(
        p
        for p in ctx.inbound.get(doc.path, ())
        if p in ctx.entry_points or (tools and "/" not in p and read_by_tools(p))
    )


def signal_linked(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """What the README or live documentation links to is documentation readers use."""
    linkers = ctx.inbound.get(doc.path, ())
    from_entry = front_links(doc, ctx)
    if from_entry:
        return Reason(f"linked from {', '.join(from_entry[:3])}", "entry-point", 1.0)
    # Named without a link by the agents' instructions ("follow PLAN.md", a list of the living docs): they
    # are written to direct the work, so what they name is in use. Not a README's or an index's prose:
    # those name records as often ("files consolidated: X_COMPLETE.md").
    named_by = ctx.named_by_front.get(doc.path, ())
    if named_by:
        return Reason(f"named by {', '.join(named_by[:3])}", "entry-point", 1.0)
    from_live = from_live_docs(linkers, ctx, doc.path)
    if len(from_live) >= 2 and base < 4:
        return Reason(f"linked from {len(from_live)} documents", "linked", 1.0)
    judged = [p for p in linkers if p in ctx.history_paths]
    if not from_live and len(judged) >= 2:
        return Reason(f"only history links to it ({', '.join(judged[:2])})", "cited-by-history", 1.0)
    return None


def signal_unlisted(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Where the README lists the root's documents, one it leaves out is less likely to be in use: the
    more of them it lists, the more its silence says (the strength is the share it lists, so a README
    that names one file of forty says next to nothing)."""
    if not doc.at_root or not ctx.front_listed or doc.path in ctx.entry_points:
        return None
    if front_links(doc, ctx, tools=True) or ctx.named_by_front.get(doc.path):
        return None
    if from_live_docs(ctx.inbound.get(doc.path, ()), ctx, doc.path):
        return None
    share = ctx.front_listed / max(ctx.root_documents, 1)
    return Reason(
        f"{' and '.join(ctx.front_listers) or 'the README'} links {ctx.front_listed} of the "
        f"{ctx.root_documents} root documents, not this one",
        "unlisted",
        share,
    )


def signal_gone_tooling(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Instructions for scripts and workflows that exist nowhere in the repository any more."""
    if not ctx.file_names or not ev.tooling:
        return None
    gone = [(name, n) for name, n in ev.tooling if name not in ctx.file_names]
    if len(gone) >= 2 or any(n >= 3 for _, n in gone):
        names = ", ".join(name for name, _ in gone[:3])
        return Reason(f"refers to files that are no longer in the repository ({names})", "gone-tooling", 1.0)
    return None


def signal_plan(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A plan is current while its milestones lie ahead; one whose dates have all passed is a record.

    Milestones are the dates its text writes, bar its own stamps ("Created:", "Last updated:"): a stamp
    says when the plan was written, not when its steps fall. A plan with no dated milestone is no record
    of past work by itself (plans of upcoming work rarely date their steps); it is past only once the
    work has moved on from it: most of the root changed after its last edit."""
    if not ev.is_plan or not ctx.now:
        return None
    stamps = {f.date for f in doc.dates.facts if f.source in ("text", "front_matter")}
    milestones = [d for d in ev.plan_ahead_dates if d not in stamps]
    if not milestones:
        share = _left_behind(doc, ctx)
        if share is not None and share >= PLAN_MOVED_ON:
            why = f"an undated plan that {share:.0%} of the root documents changed after"
            return Reason(why, "plan-past", 1.0)
        return None
    ahead = [d for d in milestones if d > ctx.now]
    if ahead:
        return Reason(f"a plan with milestones ahead ({ahead[0]})", "plan-ahead", 1.0)
    return Reason("a plan with no milestone after the repository's newest change", "plan-past", 1.0)


def signal_plan_done(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A plan grouped with a record of the same work written since (its implementation summary, its
    completion note): the plan was carried out."""
    if not ev.is_plan or not ctx.history_paths:
        return None
    canonical = ctx.duplicate_of.get(doc.path, doc.path)
    mates = {canonical, *(m for m, c in ctx.duplicate_of.items() if c == canonical)} - {doc.path}
    last = doc.dates.last_commit or ""
    done = sorted(
        m for m in mates if m in ctx.history_paths and m in ctx.record_dates and ctx.record_dates[m] >= last
    )
    if done:
        return Reason(f"a record of the work it plans was written since ({done[0]})", "plan-done", 1.0)
    return None


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
    # (Whether it maps the whole is asked last: the sections of every link cost more than the rest.)
    if (
        doc.at_root
        and named_index
        and len(linked) >= 5
        and (_DOCS_WORDS.search(ev.name_text) or _DOCS_WORDS.search(doc.title) or _spread(linked) >= 3)
    ):
        return Reason(
            f"a root index of the documentation ({len(linked)} documents): the docs index and site "
            "navigation replace it",
            "docs-index",
            1.0,
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
        # An index of records is part of the history it lists; other documents only lean that way.
        tag = "cites-history-index" if index_like else "cites-history"
        return Reason(f"links mostly to history ({len(old)} of {len(old) + len(new)} it cites)", tag, 1.0)
    if share <= 0.4 and index_like:
        return Reason(f"indexes live documentation ({len(new)} of {len(old) + len(new)})", "cites-live", 1.0)
    return None


def signal_copy(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """One of a group of near-copies and not the member the group keeps."""
    canonical = ctx.duplicate_of.get(doc.path)
    if canonical is not None:
        return Reason(f"a near-copy of {canonical}", "copy", 1.0)
    return None


def signal_length(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """How long it is, in orders of magnitude around a thousand words (reports and guides differ)."""
    if doc.words <= 0:
        return None
    size = round(math.log10(doc.words) - 3.0, 2)
    return Reason(f"{doc.words} words", "length", size) if size else None


def signal_edits(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Months between its first and last change: a record is written once, a guide is kept up."""
    span = _days(doc.dates.first_commit, doc.dates.last_commit)
    if not span or span <= 0:
        return None
    months = round(min(span / 30.0, 12.0), 2)
    return Reason(f"edited over {span} days", "edit-span", months)


def signal_staleness(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Months since its last change, against the repository's newest change."""
    idle = _days(doc.dates.last_commit, ctx.now)
    if not idle or idle <= 0:
        return None
    months = round(min(idle / 30.0, 12.0), 2)
    return Reason(f"unchanged for {idle} days", "idle", months)


def signal_idle_share(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """Idle for how much of the repository's life: a month is long in a repository six weeks old and
    short in one five years old (the same idle time means different things in different repositories)."""
    idle = _days(doc.dates.last_commit, ctx.now)
    life = _days(ctx.born, ctx.now)
    if not idle or idle <= 0 or not life or life <= 0:
        return None
    share = round(min(idle / life, 1.0), 2)
    if not share:
        return None
    return Reason(f"unchanged for {share:.0%} of the repository's life", "idle-share", share)


def _left_behind(doc: Document, ctx: Context) -> float | None:
    """The share of the root documents changed after this root document (None where not measured)."""
    last = doc.dates.last_commit
    if not doc.at_root or not last or len(ctx.root_changes) < 5:
        return None
    later = len(ctx.root_changes) - bisect.bisect_right(ctx.root_changes, last)
    return round(later / len(ctx.root_changes), 2)


def signal_left_behind(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """The share of the other root documents changed after this one: what the work moved on from."""
    share = _left_behind(doc, ctx)
    if not share:
        return None
    return Reason(f"{share:.0%} of the root documents changed after it", "left-behind", share)


def signal_shouting(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """A name in capitals (STATUS_REPORT.md) is how generated sprawl is named; pages of a tree rarely are."""
    stem = doc.name.rsplit(".", 1)[0]
    letters = [c for c in stem if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return Reason("named in capitals", "capitals", 1.0)
    return None


def signal_root_prior(doc: Document, ev: Evidence, ctx: Context, config: Config, base: float) -> Found:
    """In a root of two hundred reports, a document with mixed signals is most likely one more."""
    if doc.at_root and ctx.root_prior > 0:
        return Reason(
            "most documents at this root lean toward records of past work", "root-prior", ctx.root_prior
        )
    return None


SIGNALS = (
    signal_dated,
    signal_maintained_label,
    signal_age,
    signal_maintained,
    signal_series,
    signal_parts,
    signal_phase_over,
    signal_linked,
    signal_unlisted,
    signal_gone_tooling,
    signal_plan,
    signal_plan_done,
    signal_cites,
    signal_copy,
    signal_length,
    signal_edits,
    signal_staleness,
    signal_idle_share,
    signal_left_behind,
    signal_shouting,
    signal_root_prior,
)


def one_per_group(hits: Sequence[tuple[Rule, float]]) -> list[tuple[Rule, float]]:
    """Rules of one group restate one fact: only the heaviest of them counts (hits carry weights)."""
    best: dict[str, float] = {}
    for rule, weight in hits:
        if rule.group and abs(weight) > abs(best.get(rule.group, 0.0)):
            best[rule.group] = weight
    kept, seen = [], set()
    for rule, weight in hits:
        if rule.group:
            if rule.group in seen or weight != best.get(rule.group, 0.0):
                continue
            seen.add(rule.group)
        kept.append((rule, weight))
    return kept


def from_live_docs(linkers: tuple[str, ...], context: Context, own: str) -> list[str]:
    """Linking documents a previous pass judged live (none before the first pass has run)."""
    return sorted(p for p in linkers if p in context.live_paths and p != own)


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


# Entry points readers start from: what they link to is documentation in use.
ENTRY_NAMES = ("readme.md", "index.md", "readme.markdown", "index.markdown", "home.md", "summary.md")


def entry_points(docs: Iterable[Document], config: Config) -> frozenset[str]:
    docs_dir = config.docs_dir.strip("/")
    found = set()
    for doc in docs:
        lower = doc.path.lower()
        if (doc.at_root and lower in ENTRY_NAMES[:2]) or (
            doc.folder == docs_dir and doc.name.lower() in ENTRY_NAMES
        ):
            found.add(doc.path)
    return frozenset(found)


def build_context(
    inventory: Inventory, groups: Groups, config: Config, weights: Weights | None = None
) -> Context:
    from ..analysis.graph import build_graph, inbound_links

    docs = inventory.documents
    # "Now" is the newest change the history records; without history, the newest date a document states.
    commits = [d.dates.last_commit for d in docs if d.dates.last_commit]
    newest = max(commits) if commits else max((d.dates.content or "" for d in docs), default="")
    firsts = [d.dates.first_commit for d in docs if d.dates.first_commit]
    root_changes = tuple(sorted(d.dates.last_commit for d in docs if d.at_root and d.dates.last_commit))
    duplicate_of: dict[str, str] = {}
    duplicate_score: dict[str, float] = {}
    canonicals: set[str] = set()
    versions: set[str] = set()
    by_path = inventory.by_path()
    for cluster in sorted(groups.duplicates, key=lambda c: c.id):
        if not cluster.canonical:
            continue
        # A file a tool reads (an issue form, an agent's skill) is written for the tool: never the version
        # a person is sent to read, so nothing is folded into it.
        if read_by_tools(cluster.canonical):
            continue
        canonicals.add(cluster.canonical)
        for member in cluster.members:
            if member == cluster.canonical or member in duplicate_of:
                continue
            if not bodies_agree(by_path.get(member), by_path.get(cluster.canonical)):
                continue
            duplicate_of[member] = cluster.canonical
            duplicate_score[member] = cluster.score
            if _versions(member, cluster.canonical, config.docs_dir.strip("/")):
                versions.add(member)
    grouped = {*duplicate_of, *duplicate_of.values()}
    record_dates = {
        p: by_path[p].dates.last_commit or ""
        for p in sorted(grouped)
        if p in by_path and by_path[p].dates.last_commit and not is_plan(by_path[p])
    }
    series: dict[str, str] = {}
    newer: set[str] = set()
    for cluster in groups.series:
        members = [m for m in cluster.members if m in by_path]
        for m in members:
            series[m] = cluster.label
        newer.update(_in_order(members, by_path)[:-1])
    # Whether mentioned scripts still exist can only be judged where the inventory lists more than docs.
    others = [f for f in inventory.files if not is_markdown(f)]
    file_names = frozenset(f.rsplit("/", 1)[-1].lower() for f in others) if len(others) >= 20 else frozenset()
    # The analysis found the structured folders (and the named reference pages below) while scoring
    # pairs: read from the groups, found here only for groups made without it.
    found = groups.units if groups.units is not None else structured_folders(d.path for d in docs)
    units = {d.path: (u, found.siblings(u)) for d in docs if (u := found.unit_of(d.path)) is not None}
    subjects = groups.named_subjects
    if subjects is None:
        from ..analysis.similarity import named_reference_pages

        subjects = frozenset(
            d.path for d, is_named in zip(docs, named_reference_pages(docs), strict=True) if is_named
        )
    parts = {
        member: (label, tuple(m for m in members if m != member))
        for label, _, members in numbered_parts(d.path for d in docs)
        for member in members
    }
    entries = entry_points(docs, config)
    named_by_front: dict[str, list[str]] = defaultdict(list)
    every = frozenset(d.path for d in docs)
    for doc in docs:
        if doc.at_root and read_by_tools(doc.path):
            names = signals_of(doc.text, ()).doc_names
            for named in mentioned_docs(names, doc.folder, every):
                if named != doc.path:
                    named_by_front[named].append(doc.path)
    inbound = inbound_links(build_graph(docs))
    listable = [d.path for d in docs if d.at_root and d.path not in entries and not is_conventional(d.name)]
    # each root document the entry points link to -> those entry points
    listed = {p: by for p in listable if (by := {q for q in inbound.get(p, ()) if q in entries})}
    return Context(
        now=newest or None,
        born=min(firsts) if firsts else None,
        root_changes=root_changes,
        file_names=file_names,
        inbound=inbound,
        root_documents=len(listable),
        front_listed=len(listed),
        front_listers=tuple(sorted(set().union(*listed.values()))),
        entry_points=entries,
        duplicate_of=dict(sorted(duplicate_of.items())),
        duplicate_score=dict(sorted(duplicate_score.items())),
        versions=frozenset(versions),
        documents=frozenset(d.path for d in docs),
        canonicals=frozenset(canonicals),
        series=dict(sorted(series.items())),
        newer_in_series=frozenset(newer),
        record_dates=record_dates,
        weights=weights or default_weights(),
        units=dict(sorted(units.items())),
        named_by_front={p: tuple(sorted(by)) for p, by in sorted(named_by_front.items())},
        named_subjects=subjects,
        parts=dict(sorted(parts.items())),
        phase_done=phases_done(docs),
    )


def _in_order(members: Sequence[str], by_path: Mapping[str, Document]) -> list[str]:
    """Members of one series, first to last: by date, then by their place in the series by name
    (numbers compared as numbers: NOTES_10 after NOTES_9), for files written on one day or in one commit."""
    return sorted(
        members,
        key=lambda m: (by_path[m].dates.best or "", parse_name(by_path[m].name).position, m),
    )


# Two documents are versions of one only if their bodies share at least this much vocabulary (cosine
# of word counts): X_SETUP and Y_SETUP named alike over unrelated bodies are two documents. A safety
# floor under the analysis' grouping, set low on purpose (rewrites share little wording), not fitted.
BODY_AGREEMENT = 0.15
_WORD = re.compile(r"[a-z][a-z0-9]{2,}")


def bodies_agree(a: Document | None, b: Document | None) -> bool:
    """Whether two documents' texts are about the same thing at all (empty texts always agree)."""
    if a is None or b is None:
        return True
    ca, cb = _word_counts(a.text), _word_counts(b.text)
    if not ca or not cb:
        return True
    dot = sum(n * cb.get(w, 0) for w, n in ca.items())
    norm = math.sqrt(sum(n * n for n in ca.values()) * sum(n * n for n in cb.values()))
    return dot / norm >= BODY_AGREEMENT


@lru_cache(maxsize=2048)
def _word_counts(text: str) -> dict[str, int]:
    """Counts of the words that carry a subject (English function words left out). Remembered: one
    document is compared with each member of its group in turn (the result is only read)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    counts: dict[str, int] = defaultdict(int)
    for word in _WORD.findall(text.lower()):
        if word not in ENGLISH_STOP_WORDS:
            counts[word] += 1
    return counts


def _versions(a: str, b: str, docs_dir: str) -> bool:
    """Two files of one name: versions of one document. Beside each other, or a stray copy at the root of
    a page in the docs tree (RELEASE_CHECKLIST.md and docs/go-live/release-checklist.md)."""
    folder_a, _, name_a = a.rpartition("/")
    folder_b, _, name_b = b.rpartition("/")
    # a stray copy: one of the two at the root, the other in the docs tree
    other = folder_a or folder_b
    stray = bool(docs_dir) and not (folder_a and folder_b) and (other + "/").startswith(docs_dir + "/")
    from ..analysis.similarity import same_name

    return same_name(parse_name(name_a), parse_name(name_b), folder_a == folder_b or stray)
