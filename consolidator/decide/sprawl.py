"""Text-format sprawl: root `.txt` reports and backup copies of Markdown files (`X.md.old`, `X.md.bak`).

They are not Markdown, so nothing parses them, but they are the same records as the Markdown ones
beside them: the plan lists them and archives them byte for byte (apply moves them with git, adds no
notice and rewrites nothing in them). A `.txt` file is judged by what it says as well as by its name:
the rules table's name, title, headings and text rules (its first line with words as the title, its
underlined lines as headings, its lines as the text), with the shipped weights and threshold, as a
Markdown document's own text is. A backup copy is a stale copy by definition. Every other file that is
not Markdown is never touched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import is_conventional, slug
from ..core.models import Decision, Heading, Reason
from ..core.textio import decode, looks_binary
from .evidence import one_per_group, rule_hits
from .layout import archive_folder, period_of_date, subject_of
from .textsignals import signals_of
from .weights import Weights

# Backup copies editors and people leave beside a Markdown file (`X.md.bak`, numbered `X.md.bk2`). A
# convention, not fitted.
BACKUP = re.compile(
    r"\.(?:md|markdown)\.(?:old|bak|bk|backup|orig|prev)\d*$|\.(?:md|markdown)~$", re.IGNORECASE
)
# What a build or test run printed, saved to a text file at the root (`lint-errors.txt`,
# `e2e-test-results.txt`, `build-output-2.txt`): the record of one run. Both words are asked for: a run's
# name alone (`test-data.txt`) may be a file a test reads. Conventions of naming, not fitted.
_RUN = re.compile(
    r"builds?|tests?|tsc|lint|eslint|typescript|typecheck|validation|compile|integration|e2e|unit|ci|"
    r"deploy(?:ment)?|nightly|jest|pytest|vitest|coverage"
)
_CAPTURE = re.compile(r"outputs?|errors?|results?|logs?")
# A commit or pull-request message drafted beside a change (`COMMIT_MSG.txt`, `PR_BODY.txt`): sent with
# the change it describes.
_SENT = re.compile(r"commit|pr")
_MESSAGE = re.compile(r"message|msg|description|body")
# Text files tools read at the root (requirements.txt, robots.txt, CMakeLists.txt ...): never sprawl.
TOOL_TEXT = re.compile(
    r"^(?:requirements.*|constraints.*|robots|cmakelists|runtime|version|llms.*)\.txt$", re.IGNORECASE
)

# How much of a text file is read to judge it: its opening says what it is, and a huge log must not slow
# the plan. A bound on work, not a weight.
TEXT_HEAD_BYTES = 64 * 1024
# A title is the first line with a word in it, without the rules or banners drawn around it.
_DECORATION = " \t=#*-_~+|:.>"
_WORD = re.compile(r"\w")
# A trailing number is a copy's or a run's count (`output2`, `PR1`), not part of the word.
_COUNT = re.compile(r"(?<=[a-z])\d+$")
# Plain text's own way of marking a section: a line underlined with a rule of = or - (which Markdown
# took from it). Such a line, other than the title, is read as a section heading.
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,})\s*$")


def is_text_sprawl(name: str) -> bool:
    """A text report or backup copy by its name alone (the kinds of file `sprawl_entries` may archive)."""
    if BACKUP.search(name):
        return True
    return name.lower().endswith(".txt") and not TOOL_TEXT.match(name)


def text_heads(root: Path, files: Iterable[str]) -> dict[str, str]:
    """The opening (TEXT_HEAD_BYTES) of each root `.txt` file `sprawl_entries` may judge, read as text;
    a file that cannot be read or looks binary reads as empty (judged by its name alone)."""
    out = {}
    for path in sorted(files):
        if "/" in path or not is_text_sprawl(path) or BACKUP.search(path):
            continue
        try:
            with open(root / path, "rb") as handle:
                data = handle.read(TEXT_HEAD_BYTES)
        except OSError:
            data = b""
        out[path] = "" if looks_binary(data) else decode(data).text
    return out


def text_title(text: str) -> str:
    """A plain text's title: its first line with a word in it, without the decoration around it."""
    for line in text.splitlines():
        if _WORD.search(line):
            return line.strip(_DECORATION)
    return ""


def text_headings(text: str) -> tuple[Heading, ...]:
    """The sections of a plain text: each line with a word in it underlined by a rule, but the title."""
    lines = text.splitlines()
    title = next((i for i, line in enumerate(lines) if _WORD.search(line)), None)
    found = []
    for i in range(1, len(lines)):
        if i - 1 != title and _UNDERLINE.match(lines[i]) and _WORD.search(lines[i - 1]):
            found.append(Heading(2, lines[i - 1].strip(_DECORATION), i, "", ""))
    return tuple(found)


def _stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".txt") else BACKUP.sub("", name)


def sprawl_entries(
    files: Iterable[str],
    archived: dict[str, str],
    config: Config,
    weights: Weights,
    dates: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> list[Decision]:
    """Archive entries for the root's text reports and backup copies.

    `archived` maps each Markdown file the plan archives to its destination: a text twin of an archived
    record (FINAL_SUMMARY.txt beside FINAL_SUMMARY.md, PLAN.md.old beside PLAN.md) goes beside it.
    `texts` holds what each `.txt` file says (`text_heads`); one missing is judged by its name alone.
    """
    by_stem = {posixpath.basename(src).rsplit(".", 1)[0].casefold(): dest for src, dest in archived.items()}
    out = []
    for path in sorted(files):
        if "/" in path:
            continue
        if not is_text_sprawl(path):
            continue
        backup = bool(BACKUP.search(path))
        if not backup and is_conventional(path.rsplit(".", 1)[0] + ".md"):
            continue  # LICENSE.txt, AUTHORS.txt: conventional files in another format
        reasons = _reasons(path, backup, weights, (texts or {}).get(path, ""))
        if reasons is None:
            continue
        stem = _stem(path)
        beside = by_stem.get(stem.rsplit(".", 1)[0].casefold())
        if beside is not None:
            folder = posixpath.dirname(beside)
        else:
            # filed under the period of its last commit, like the Markdown records (undated without one)
            period = period_of_date((dates or {}).get(path), config)
            folder = archive_folder(config, period, slug(subject_of(stem + ".md")) or "")
        why = Reason(f"text sprawl: archived byte for byte under {folder}/ (moved, never edited)")
        dest = posixpath.join(folder, path)
        out.append(Decision(path, "archive", dest, None, None, (why, *reasons), 0.8, "", "text"))
    return out


def _says(words: set[str], pattern: re.Pattern[str]) -> bool:
    return any(pattern.fullmatch(w) for w in words)


def _reasons(path: str, backup: bool, weights: Weights, text: str) -> tuple[Reason, ...] | None:
    if backup:
        return (Reason("a backup copy of a Markdown file", "backup-copy"),)
    tokens = parse_name(path[:-4] + ".md").tokens
    words = {_COUNT.sub("", t) for t in tokens}
    if _says(words, _RUN) and _says(words, _CAPTURE):
        return (Reason("the saved output of a build or test run", "run-output"),)
    if _says(words, _SENT) and _says(words, _MESSAGE):
        return (Reason("a commit or pull-request message drafted for a change", "message-draft"),)
    # The rules a Markdown document's own text is judged by (evidence.rule_hits, classify.weigh), on
    # the name, the first line, the underlined lines and the lines; the signals that need the rest of
    # the repository (links, dates) do not apply to a file nothing links to or parses.
    found = rule_hits(" ".join(tokens), text_title(text), signals_of(text, text_headings(text)))
    hits = one_per_group([(r, weights.of(r.name) * strength) for r, strength in found])
    margin = weights.intercept + sum(w for _, w in hits)
    if margin < weights.threshold:
        return None
    return tuple(shown for r, w in hits if (shown := weights.reason(r.why, r.name, w)) is not None)
