"""The rules table of classification: each rule is one piece of evidence, where to look for it (file
name, title, headings, the first sections or lines, the prose), which way it leans and which kind of
document it points to. Positive weights say "a record of work that happened", negative ones
"documentation someone will need again". The `weight` written here is the prior, the hand-set
starting point (decide/prior_weights.json) that scripts/fit_weights.py refines; planning uses the
weights of decide/weights.json, by rule name. See docs/classification.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One piece of evidence: where to look, what to match, how much it weighs and what it suggests."""

    name: str
    where: str  # "name" | "title" | "headings" | "lead" (first sections) | "top" (first lines) | "text"
    pattern: re.Pattern[str]
    weight: float  # the prior: > 0 a record of past work, < 0 documentation (planning reads weights.json)
    kind: str  # the kind this evidence points to
    why: str
    min_count: int = 1  # for "text" and "headings": how many matches before the rule fires
    group: str = ""  # rules of one group restate one fact: only the heaviest of them counts


def _w(*words: str) -> str:
    return r"(?:" + "|".join(words) + r")"


def rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


# Name tokens (file name split on separators and camel case; see names.split_words).
# "Complete" before a noun is an adjective ("Complete Setup Guide"); after one it reports ("Setup Complete").
_DONE = _w(
    r"complete(?!\s+[a-z])",
    "completed",
    "completion",
    "done",
    "finished",
    "success",
    "successful",
    "succeeded",
    "accomplished",
    "fixed",
    "resolved",
    "delivered",
    "deployed",
    "verified",
    "applied",
    "executed",
)
_STATUS = _w("status", "progress", "tracker", "board", "ready", "readiness", "truth")
_RECORD = _w(
    "summary",
    "summaries",
    "report",
    "results",
    "findings",
    "recap",
    "retrospective",
    "retro",
    "postmortem",
    "debrief",
    "handoff",
    "handover",
    "delivery",
    "certificate",
    "scorecard",
    "crosscheck",
    "inventory",
    "log",
    "minutes",
    "announcement",
    "verification",
)
_REVIEW = _w("audit", "review", "analysis", "assessment", "evaluation", "investigation", "diagnosis")
_SESSION = _w("session", "meeting", "standup", "sprint", "week", "wk", "day", "daily", "weekly", "iteration")
_PLANNING = _w(
    "plan", "plans", "planning", "roadmap", "todo", "next", "steps", "action", "proposal", "tasks", "backlog"
)
_GUIDE = _w(
    "guide",
    "guides",
    "howto",
    "how",
    "tutorial",
    "walkthrough",
    "manual",
    "instructions",
    "setup",
    "install",
    "installation",
    "quickstart",
    "started",
    "onboarding",
    "usage",
    "commands",
    "cheatsheet",
    "testing",
    "development",
    "developing",
    "tooling",
    "workflow",
    "workflows",
    "faq",
    "troubleshooting",
    "debugging",
    "known",
)
_REFERENCE = _w(
    "reference",
    "ref",
    "api",
    "glossary",
    "configuration",
    "config",
    "spec",
    "specification",
    "schema",
    "conventions",
    "standards",
    "style",
    "styleguide",
    "cli",
    "options",
    "env",
    "environment",
    "errors",
    "codes",
    "visual",
    # what a system must do, and the table that traces it to tests: standing references, revised, not
    # written once
    "requirements",
    "matrix",
)
_OPERATIONS = _w(
    "runbook",
    "runbooks",
    "playbook",
    "checklist",
    "operations",
    "ops",
    "monitoring",
    "rollback",
    "backup",
    "backups",
    "incident",
    "oncall",
    "deployment",
    "deploy",
    "release",
)
_ARCH = _w(
    "architecture",
    "design",
    "overview",
    "interlinking",
    "diagram",
    "diagrams",
    "adr",
    "decisions",
    "model",
    "flows",
    "structure",
    "vision",  # what the product is and is for: the page decisions are checked against
)

_NAME_RULES: tuple[Rule, ...] = (
    Rule("name-done", "name", rx(rf"\b{_DONE}\b"), 2.0, "completion-note", "file name says the work is done"),
    Rule("name-status", "name", rx(rf"\b{_STATUS}\b"), 1.5, "status-report", "file name says it is a status"),
    Rule("name-record", "name", rx(rf"\b{_RECORD}\b"), 1.5, "status-report", "file name says it is a report"),
    Rule("name-review", "name", rx(rf"\b{_REVIEW}\b"), 1.5, "audit-report", "file name says it is an audit"),
    Rule(
        "name-session",
        "name",
        rx(rf"\b{_SESSION}\b"),
        1.5,
        "session-summary",
        "file name says it records a session",
    ),
    Rule(
        "name-stale",
        "name",
        rx(r"\b(?:old|bak|backup|deprecated|obsolete|outdated|superseded|previous)\b"),
        2.5,
        "superseded-copy",
        "file name marks a stale copy",
    ),
    Rule(
        "name-final", "name", rx(r"\bfinal\b"), 1.0, "status-report", "file name says FINAL (a deliverable)"
    ),
    Rule(
        "name-fix",
        "name",
        rx(r"\b(?:fix|fixes|hotfix|workaround)\b"),
        1.0,
        "fix-note",
        "file name records a fix",
    ),
    Rule(
        "name-phase",
        "name",
        rx(r"\b(?:phase|milestone|p[0-9])\b"),
        0.75,
        "status-report",
        "file name names a phase of a project",
    ),
    Rule(
        "name-pr",
        "name",
        rx(r"\b(?:pr\d*|merge|conflict|conflicts|branch)\b"),
        1.0,
        "fix-note",
        "file name is about one pull request or merge",
    ),
    Rule(
        "name-dated",
        "name",
        rx(r"\b(?:19|20)\d\d\b|\b(?:19|20)\d{6}\b"),
        1.0,
        "status-report",
        "file name carries a date",
    ),
    Rule("name-plan", "name", rx(rf"\b{_PLANNING}\b"), 0.5, "plan", "file name says it is a plan"),
    Rule("name-guide", "name", rx(rf"\b{_GUIDE}\b"), -1.5, "guide", "file name says it is a guide"),
    Rule(
        "name-reference",
        "name",
        rx(rf"\b{_REFERENCE}\b"),
        -1.5,
        "reference",
        "file name says it is a reference",
    ),
    Rule(
        "name-operations",
        "name",
        rx(rf"\b{_OPERATIONS}\b"),
        -1.0,
        "runbook",
        "file name names an operational procedure",
    ),
    Rule(
        "name-architecture",
        "name",
        rx(rf"\b{_ARCH}\b"),
        -1.0,
        "architecture",
        "file name says it describes the design",
    ),
)

_TITLE_RULES: tuple[Rule, ...] = (
    Rule(
        "title-done",
        "title",
        rx(rf"\b{_DONE}\b|✅|🎉|\bmission accomplished\b"),
        1.5,
        "completion-note",
        "title announces finished work",
    ),
    Rule(
        "title-record",
        "title",
        rx(rf"\b(?:{_RECORD}|{_REVIEW}|status|progress)\b"),
        1.0,
        "status-report",
        "title names a report or status",
    ),
    Rule(
        "title-session",
        "title",
        rx(r"\b(?:session|meeting|sprint|standup|week \d+|day \d+)\b"),
        1.0,
        "session-summary",
        "title names a session",
    ),
    Rule(
        "title-guide",
        "title",
        rx(
            r"\b(?:guide|how to|how-to|tutorial|quick ?start|getting started|setup|"
            r"reference|handbook|manual|checklist|runbook|playbook|faq|overview|"
            r"troubleshooting|instructions|commands)\b"
        ),
        -1.0,
        "guide",
        "title says it is a guide or reference",
    ),
)

_HEADING_RULES: tuple[Rule, ...] = (
    Rule(
        "headings-record",
        "headings",
        rx(
            # "What we did" reports; "What we're building", "What I will change" plan (a plan's headings).
            r"^\W*(?:what (?:was|we(?!['’](?:re|ll)\b| (?:are|will|plan|want|need)\b)|"
            r"i(?!['’](?:m|ll)\b| (?:am|will|plan|want|need)\b)|has been|have been|got)|"
            r"what'?s (?:been )?(?:done|new|changed|fixed)|"
            r"changes made|files? (?:changed|modified|created|added|updated|"
            r"touched)|summary of (?:changes|work)|"
            r"work completed|completed (?:work|tasks|items|features)?|accomplishments?|achievements?|"
            r"deliverables?|results?|key findings|findings|outcomes?|impact|issues? (?:fixed|resolved)|"
            r"fixes applied|problems? (?:fixed|solved)|root cause|resolution|verification|test results|"
            r"git status|commit message|commits?|metrics|statistics|final status|current status|status|"
            r"progress|conclusion|executive summary|recommendations?|lessons learned|sign[- ]?off|"
            r"success criteria|before (?:and|&|vs\.?) after|timeline|blockers?|"
            r"remaining (?:work|tasks|issues)|"
            r"time ?(?:spent|taken)|session \w+|overall (?:status|progress|score))\b"
        ),
        1.0,
        "status-report",
        "headings of a report (what was done, results, next steps)",
        min_count=2,
    ),
    Rule(
        "headings-next",
        "headings",
        rx(
            r"^\W*(?:next steps?|immediate (?:next )?(?:steps|actions)|"
            r"action items|todo|to do|follow[- ]ups?|pending)\b"
        ),
        0.5,
        "status-report",
        "has a next-steps section",
    ),
    Rule(
        "headings-guide",
        "headings",
        rx(
            r"^\W*(?:prerequisites?|requirements|installation|install(?:ing)?|set ?up|setup|usage|how to|"
            r"getting started|quick ?start|configuration|configuring|troubleshooting|faq|"
            r"common (?:issues|problems|tasks)|step \d+|options|environment variables|commands|examples?|"
            r"best practices|conventions|reference|api|endpoints|table of contents|contents|"
            r"running|building|deploy(?:ing)?|rollback|monitoring|maintenance|support|"
            r"see also|further reading|related (?:docs|documentation))\b"
        ),
        -1.0,
        "guide",
        "headings of a guide (prerequisites, setup, usage, troubleshooting)",
        min_count=2,
    ),
)

_LEAD_RULES: tuple[Rule, ...] = (
    Rule(
        "lead-record",
        "lead",
        rx(
            r"^\W*(?:what(?:'s| has| have)? (?:been )?(?:was )?(?:done|completed|accomplished|fixed|changed|"
            r"delivered|implemented)|summary of (?:changes|work)|executive summary|accomplishments?|"
            r"(?:issues?|problems?) (?:fixed|resolved)|changes made|completed (?:work|tasks)|status|"
            r"current status|final status|overall status|results?)\b"
        ),
        1.0,
        "status-report",
        "opens with a section on what was done or its status",
    ),
)

_TOP_RULES: tuple[Rule, ...] = (
    Rule(
        "top-status-done",
        "top",
        rx(
            r"\b(?:status|state|result|outcome)\s*:\s*[^\n]{0,40}?(?:complete|completed|done|success|"
            r"successful|resolved|fixed|finished|delivered|implemented|ready|approved|passed|merged|✅)"
        ),
        2.0,
        "completion-note",
        "states its status as done",
        group="top-done",
    ),
    Rule(
        "top-report-field",
        "top",
        rx(
            r"\b(?:prepared (?:by|for|on)|author|reviewer|auditor|time|duration|branch|pr|pull request|"
            r"commit|sprint|attendees?|participants|agent|session)\s*:"
        ),
        1.0,
        "status-report",
        "opens with report fields (date, author, branch)",
    ),
    Rule(
        "top-completion",
        "top",
        rx(
            r"(?:implementation|work|task|migration|deployment|setup|phase|refactor\w*|integration|fix|"
            r"review|audit|analysis|build|session|configuration) (?:is |has been |was )?"
            r"(?:complete|completed|done|finished|successful)(?=\s*(?:$|[!.,:;)✅🎉-]))|"
            r"all (?:\w+ ){0,3}(?:complete|done|implemented|"
            r"fixed|resolved)\b|successfully (?:implemented|completed|deployed|"
            r"fixed|resolved|merged|created)|"
            r"mission accomplished|\d{1,3}\s?% (?:complete|done|ready)|\bready for (?:production|deployment|"
            r"testing|review)\b|"
            # "Production-ready" announces finished work when it is said of the work (the service is now
            # production-ready; Status: production ready; a line of its own), not when it describes what
            # a page offers (production-ready templates) or sets a goal (to be considered production-ready).
            r"\b(?:is|are|now|been)\s+(?:\w+\s+)?production[- ]ready\b(?!\s+(?!and\b)[a-z])|"
            r"\bstatus\W{0,8}production[- ]ready\b(?!\s+(?!and\b)[a-z])|production[- ]ready\s*[!✅🎉]|"
            r"(?:^|\n)[^\w\n]*production[- ]ready\b[^\w\n]*(?:\n|$)"
        ),
        1.5,
        "completion-note",
        "opens by announcing finished work",
        group="top-done",
    ),
    Rule(
        "top-this-doc-summarises",
        "top",
        rx(
            r"\bthis (?:document|report|file|summary) (?:summari[sz]es|"
            r"documents the (?:changes|work)|records|"
            r"provides a (?:summary|status|report)|captures)|\bthis (?:report|summary|session)\b"
        ),
        1.0,
        "status-report",
        "says it summarises work",
    ),
    Rule(
        "top-guide-intro",
        "top",
        rx(
            r"\bthis (?:guide|document|page|reference|runbook|checklist) (?:explains|describes|defines|"
            r"specifies|covers|shows|"
            r"provides (?:step|instructions|a (?:guide|reference|overview|quick))|helps|walks)|"
            r"\b(?:use|follow) this (?:guide|checklist|runbook)|\bhow to\b|\bstep[- ]by[- ]step\b|"
            r"\byou (?:can|will|should|need)\b"
        ),
        -1.0,
        "guide",
        "opens by explaining how to do something, or what it covers or defines",
    ),
)

_TEXT_RULES: tuple[Rule, ...] = (
    Rule(
        "text-past-work",
        "text",
        rx(
            r"(?:✅|\[x\]|✔)\s*\**\s*(?:implemented|created|added|fixed|updated|completed|resolved|removed|"
            r"migrated|configured|deployed|built|tested|verified|refactored|integrated|installed|enabled|"
            r"wrote|merged|done)\b|\b(?:was|were|has been|"
            r"have been) (?:successfully )?(?:implemented|created|"
            r"added|fixed|updated|completed|resolved|removed|migrated|refactored|deployed)\b"
        ),
        1.0,
        "completion-note",
        "lists work that was done",
        min_count=4,
    ),
    Rule(
        "text-ticks", "text", rx(r"✅|\[x\]"), 1.0, "status-report", "is full of ticked items", min_count=15
    ),
    Rule(
        "text-percent",
        "text",
        rx(
            r"\b\d{1,3}(?:\.\d)?\s?%\s*(?:complete|completed|done|ready|progress)|"
            r"\b\d+\s*/\s*\d+\s+(?:tasks|items|complete|done|fixed|resolved)"
        ),
        1.0,
        "status-report",
        "reports progress figures",
    ),
    Rule(
        "text-commits",
        "text",
        rx(
            r"\bcommit\s+[0-9a-f]{7,40}\b|\b(?:pr|pull request)\s*#\d+|"
            r"\bmodified:\s+\S|\bchanges to be committed\b|\bgit status\b"
        ),
        1.0,
        "status-report",
        "quotes commits, pull requests or git output",
        min_count=2,
    ),
    Rule(
        "text-pull-requests",
        "text",
        rx(r"\b(?:pr|pull request|pull)\s*#\d+|\bprs?\s+#?\d+(?:\s*[,/&]\s*#?\d+)+"),
        1.5,
        "fix-note",
        "is about particular pull requests",
        min_count=3,
    ),
    Rule(
        "text-timestamp",
        "text",
        rx(r"\b(?:20\d\d-\d\d-\d\d|\w+ \d{1,2}, 20\d\d)[ T,]+(?:at )?\d{1,2}:\d\d\b"),
        0.5,
        "status-report",
        "carries time stamps",
    ),
    Rule(
        "text-instructions",
        "text",
        rx(
            r"\b(?:run|install|open|navigate to|copy|set|add|create|configure|"
            r"make sure|ensure|use|click|replace|edit)\b[^.\n]{0,60}"
            r"(?:command|file|following|\.env|variable|script|settings|pnpm|npm|"
            r"docker|git|make)\b"
        ),
        -1.0,
        "guide",
        "gives instructions",
        min_count=5,
    ),
)

RULES: tuple[Rule, ...] = _NAME_RULES + _TITLE_RULES + _HEADING_RULES + _LEAD_RULES + _TOP_RULES + _TEXT_RULES

# Sections of the docs tree, with the words that place a document in each (name x3, title x2, headings x1).
SECTION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "getting-started",
        rx(
            r"\b(?:getting started|get started|quick ?start|quickstart|setup|set up|install|"
            r"installation|onboarding|first steps|introduction|env(?:ironment)? setup)\b"
        ),
    ),
    (
        "guides",
        rx(
            r"\b(?:guide|how ?to|tutorial|walkthrough|troubleshooting|faq|webhooks?|integration|"
            r"features?|usage|mobile|android|ios)\b"
        ),
    ),
    (
        "reference",
        rx(
            r"\b(?:reference|api|glossary|configuration|config|options|cli|spec|schema|error codes?|"
            r"endpoints?|cheat ?sheet|variables|visual)\b"
        ),
    ),
    (
        "architecture",
        rx(
            r"\b(?:architecture|design|adr|decisions?|diagrams?|components|data flow|"
            r"interlinking|system overview|internals)\b"
        ),
    ),
    (
        "operations",
        rx(
            r"\b(?:deploy|deployment|deploying|runbook|playbook|operations|monitoring|rollback|"
            r"backups?|incident|on-?call|release|infrastructure|hosting|checklist|observability)\b"
        ),
    ),
    (
        "security",
        rx(
            r"\b(?:security|auth|authentication|authori[sz]ation|permissions|secrets|compliance|"
            r"privacy|mfa|encryption)\b"
        ),
    ),
    (
        "development",
        rx(
            r"\b(?:development|developing|developer|contributing|testing|tests?|tooling|lint|"
            r"debugging|local|known issues|conventions|code style|build(?:ing)?)\b"
        ),
    ),
    ("plans", rx(r"\b(?:roadmap|plan|plans|planning|proposal|rfc|migration plan|vision|strategy)\b")),
)
