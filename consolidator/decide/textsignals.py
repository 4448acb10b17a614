"""What the rules table finds in a document's own text and headings: a function of its content alone.

These are the costly part of the evidence (dozens of regular expressions over every document's whole
text), so the plan has them computed in the scan's worker processes, right after each parse, with
the similarity stage's reading of the prose (`plan_facts`), and hands the compact results to
`evidence.gather_evidence` and `similarity.find_groups`. This module is therefore kept light (the
rules table, `analysis.prose` and `re`): each worker imports it when it unpickles `plan_facts`, and
needs none of what `evidence` adds (the signals that read the rest of the repository).

The rules that read the file name or the title are not here: a title may come from the file name,
and the same content can sit under several names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis.cache import Kept, code_digest
from ..analysis.prose import Prepared, prepare
from ..core.literals import MIN_HEAD, alternatives, anchored_matches, condition, folded, heads, meets
from ..core.models import Heading
from ..markdown.parse import Parsed
from .rules import RULES, Rule

# Where the rules look: these define the features, whose weights are fitted (weights.json); they are
# conventions of reading, not weights.
TOP_LINES = 12
LEAD_HEADINGS = 2  # the first sections say what a document is for

# The rules read here, in the order of RULES.
CONTENT_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.where in ("headings", "lead", "top", "text"))

# Script and configuration files a guide tells readers to run or edit (not source files, whose names
# drift with every refactor, nor product names like Node.js).
TOOLING_FILE = re.compile(
    r"(?<![\w@/.-])(?:[\w.-]+/)*(\w[\w.-]*\.(?:ya?ml|sh|bash|ps1|toml|gradle|"
    r"sql|properties|plist|conf|cfg|ini))\b"
)
# A Markdown file named in prose: STATUS.md, docs/guide.md (not inside a URL: no scheme or domain before).
DOC_NAME = re.compile(r"(?<![\w/.:-])((?:[\w-]+/)*[\w][\w.-]*\.md)\b")
ISO_DATE = re.compile(r"\b(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")

# How a one-shot prompt briefs an AI assistant on a task, in its prose (sentences that address "you" read
# from where a sentence starts) (code blocks left out: a prompt
# quoted as an example is not the document's own voice) and headings: each marker by what it shows.
# They define the `task-prompt` finding (evidence.task_prompt), whose weight is fitted; they are a
# convention of reading, not weights. Standing instructions ("always run the tests") and a role alone
# ("You are an expert editor", what a library's reusable prompts open with) are not among them: a brief
# sets one piece of work.
_M = re.IGNORECASE | re.MULTILINE
BRIEF_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("calls itself 'this prompt'", re.compile(r"\bthis prompt\b", _M)),
    ("sets 'your task'", re.compile(r"\byour (?:task|job|mission|assignment) (?:is|will be)\b", _M)),
    (
        "addresses the assistant at work ('you are implementing')",
        re.compile(
            r"(?:^|[.!?:]\s)\W*you(?:'re| are| will be) (?:now )?(?:creating|writing|implementing|building|"
            r"reviewing|auditing|analy[sz]ing|working on|tasked with|continuing|resuming|picking up|"
            r"taking over)\b",
            _M,
        ),
    ),
    (
        "tells the assistant what it has been given",
        re.compile(
            r"(?:^|[.!?:]\s)\W*you(?:'ve| have) (?:been (?:asked|tasked|given)|access to|just (?:generated|"
            r"created|completed|finished|written))\b",
            _M,
        ),
    ),
    (
        "is pasted into an assistant's session",
        re.compile(
            r"\b(?:copy|paste)\b[^\n]{0,40}?\binto (?:a |the |your )?(?:new |fresh )?(?:claude|chatgpt|"
            r"copilot|cursor|codex|gemini|ai|agent|assistant|llm|chat|session)\b",
            _M,
        ),
    ),
)
# The sections a brief is written in: what to achieve and what to hand back.
BRIEF_HEADING = re.compile(
    r"^\W*(?:objectives?|your (?:task|mission|goal)|the task|deliverables?|expected (?:output|deliverables?)|"
    r"output format|constraints)\W*$",
    re.IGNORECASE,
)
BRIEF_SECTIONS = "has a brief's sections (objective, deliverables)"
# Blanks to fill in ({{topic}}, {audience}, [INSERT CONTEXT], <your goal>): a prompt with blanks is a
# reusable template, what a prompt library holds, not one brief for work already asked for. A brace after
# a slash or a dollar is a route's parameter or a shell variable (`/users/{id}`, `${HOME}`), not a blank.
BLANK = re.compile(
    r"\{\{\s*\w[^{}\n]{0,40}\}\}|(?<![/$\w{])\{[a-z_][\w -]{0,30}\}|"
    r"\[(?:insert|your|enter|add) [^\]\n]{1,40}\]|<(?:your|insert) [^>\n]{1,30}>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TextSignals:
    """The content rules' match counts (in the order of CONTENT_RULES), and what the prose names."""

    counts: tuple[int, ...]
    tooling: tuple[tuple[str, int], ...]  # script and config file names the text mentions, with counts
    doc_names: tuple[str, ...]  # Markdown file names written in the text, sorted
    iso_dates: tuple[str, ...]  # ISO dates written in the text, sorted
    # how the text briefs an assistant on a task (labels of BRIEF_MARKERS, BRIEF_SECTIONS), in that order
    brief: tuple[str, ...] = ()
    blanks: int = 0  # blanks to fill in, as a reusable prompt template has them


def top_lines(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[:TOP_LINES])


# Literals one of which every match of a pattern holds (see core.literals): a text without any of
# them is not scanned with the pattern at all, which is most of the cost of these signals.
# A "top" rule only asks whether its pattern matches: that is whether one of its top-level
# alternatives does, and each of them, looked for on its own, has stronger needles and heads.
_ALTERNATIVES = {
    r.pattern: parts for r in CONTENT_RULES if r.where == "top" and (parts := alternatives(r.pattern))
}
_SCANNED = (
    *(r.pattern for r in CONTENT_RULES if r.where in ("top", "text")),
    *(part for parts in _ALTERNATIVES.values() for part in parts),
    TOOLING_FILE,
    DOC_NAME,
    ISO_DATE,
    *(pattern for _, pattern in BRIEF_MARKERS),
    BLANK,
)
_NEEDLES = {p: condition(p) for p in _SCANNED}
# And literals every match starts with, when all are rare enough (long, or not ASCII: ✅) for jumping
# between them to beat a scan: a text is then matched only where they are (the same matches as a
# scan; see core.literals).
_HEADS = {p: h for p in _SCANNED if (h := heads(p)) and all(len(x) >= MIN_HEAD or not x.isascii() for x in h)}


class _Text:
    """A text with its case-folded form, made once and only if some pattern needs it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: str | None = None

    def haystack(self, pattern: re.Pattern[str]) -> str:
        """Where to look for the pattern's literals: the text, or the text folded if it ignores case."""
        if not pattern.flags & re.IGNORECASE:
            return self.text
        if self._folded is None:
            self._folded = folded(self.text)
        return self._folded

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        found = _NEEDLES.get(pattern)
        return found is None or meets(found, self.haystack(pattern))

    def _matches(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        starts = _HEADS.get(pattern)
        if starts is None:
            return pattern.finditer(self.text)
        # Every match starts with one of `starts`: try the pattern only there (see core.literals).
        return anchored_matches(pattern, self.text, self.haystack(pattern), starts)

    def findall(self, pattern: re.Pattern[str]) -> list[Any]:
        """`pattern.findall(self.text)`."""
        if not self.may_match(pattern):
            return []
        if _HEADS.get(pattern) is None:
            return pattern.findall(self.text)
        if pattern.groups == 0:
            return [m.group() for m in self._matches(pattern)]
        if pattern.groups == 1:
            return [m.group(1) or "" for m in self._matches(pattern)]
        return [m.groups("") for m in self._matches(pattern)]

    def search(self, pattern: re.Pattern[str]) -> bool:
        """Whether `pattern` matches the text."""
        parts = _ALTERNATIVES.get(pattern)
        if parts is not None:
            return any(self.search(part) for part in parts)
        return self.may_match(pattern) and next(iter(self._matches(pattern)), None) is not None


def _count(rule: Rule, text: _Text, headings: Sequence[Heading], top: _Text) -> int:
    if rule.where == "headings":
        return sum(1 for h in headings if h.level >= 2 and rule.pattern.search(h.text))
    if rule.where == "top":
        return 1 if top.search(rule.pattern) else 0
    if rule.where == "lead":
        lead = [h.text for h in headings if h.level == 2][:LEAD_HEADINGS]
        return sum(1 for t in lead if rule.pattern.search(t))
    return len(text.findall(rule.pattern))


def signals_of(text: str, headings: Sequence[Heading]) -> TextSignals:
    body, top = _Text(text), _Text(top_lines(text))
    mentioned: dict[str, int] = {}
    for found in body.findall(TOOLING_FILE):
        mentioned[found.lower()] = mentioned.get(found.lower(), 0) + 1
    return TextSignals(
        counts=tuple(_count(rule, body, headings, top) for rule in CONTENT_RULES),
        tooling=tuple(sorted(mentioned.items())),
        doc_names=tuple(sorted(set(body.findall(DOC_NAME)))),
        iso_dates=tuple(sorted({"-".join(m) for m in body.findall(ISO_DATE)})),
        brief=_brief(body, headings),
        blanks=len(body.findall(BLANK)),
    )


def _brief(body: _Text, headings: Sequence[Heading]) -> tuple[str, ...]:
    found = [label for label, pattern in BRIEF_MARKERS if body.search(pattern)]
    if any(h.level >= 2 and BRIEF_HEADING.search(h.text) for h in headings):
        found.append(BRIEF_SECTIONS)
    return tuple(found)


def text_signals(parsed: Parsed) -> TextSignals:
    """`signals_of` a parse."""
    return signals_of(parsed.text, parsed.headings)


@dataclass(frozen=True)
class PlanFacts:
    """What planning reads of one document's content, computed beside its parse."""

    signals: TextSignals  # for evidence.gather_evidence
    prepared: Prepared  # for analysis.similarity.find_groups


def plan_facts(parsed: Parsed) -> PlanFacts:
    """What the scan's workers run on each parse for `plan` (see analysis.scan.scan_repo)."""
    return PlanFacts(text_signals(parsed), prepare(parsed))


def plan_facts_kept() -> Kept:
    """How the parse cache keeps `plan_facts` beside each parse (see `analysis.scan.scan_repo`): under
    a digest of the code that computes them (the parse itself is versioned by the cache), so that a
    document unchanged since an earlier run costs planning nothing to read again."""
    modules = (
        "decide/textsignals.py",
        "decide/rules.py",
        "analysis/prose.py",
        "core/literals.py",
        "core/models.py",
    )
    return Kept(code_digest(*modules), (PlanFacts, TextSignals, Prepared))
