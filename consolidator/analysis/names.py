"""File-name normalisation: the base name a file is a variant of, its version markers, its series template.

Sprawling repositories name one document many ways: `DEPLOYMENT_GUIDE.md`, `DEPLOYMENT_GUIDE_OLD.md`,
`deployment-guide-v2.md`, `DeploymentGuide2025.md`. Splitting on separators and camel case, lower-casing,
and taking version markers (`_V2`, `_OLD`, `_FINAL`, `_NEW`, years, dates) out of the base name lets those
compare equal, while the markers are kept: they decide which variant is canonical and how old it is.

Numbers after a sequence word (`WEEK_1`, `PHASE_3`, `DAY_1_2`, `sprint-4`) are not markers: they make a
series (`WEEK_n_STATUS`), a family of documents that share a template but are different documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Markers that say "this is one version of a document". Staleness markers push a file away from canonical.
# Words that are also subjects (BACKUP_GUIDE, ARCHIVE_POLICY) are markers only after the first word.
AMBIGUOUS_MARKERS = frozenset(
    {
        "backup",
        "archive",
        "archived",
        "copy",
        "draft",
        "legacy",
        "original",
        "orig",
        "temp",
        "tmp",
        "wip",
        "current",
        "fixed",
        "unused",
        "new",
        "previous",
        "prev",
    }
)
STALE_MARKERS = frozenset(
    {
        "old",
        "bak",
        "backup",
        "deprecated",
        "obsolete",
        "legacy",
        "orig",
        "original",
        "copy",
        "archive",
        "archived",
        "draft",
        "previous",
        "prev",
        "superseded",
        "outdated",
        "wip",
        "tmp",
        "temp",
        "unused",
    }
)
FRESH_MARKERS = frozenset({"new", "final", "latest", "updated", "revised", "current", "fixed", "v2", "v3"})
MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "sept",
)
# Words after which a number is a position in a sequence rather than a version.
# A run of files of one folder named alike but for a closing number (NOTES_7, NOTES_8, NOTES_9) is a
# series once it has this many numbers: two could be a document and its second version (GUIDE, GUIDE_2).
# Hand-set, a convention of naming, not fitted.
NUMBERED_RUN = 3

SEQUENCE_WORDS = frozenset(
    {
        "week",
        "wk",
        "phase",
        "day",
        "sprint",
        "part",
        "step",
        "stage",
        "milestone",
        "iteration",
        "iter",
        "session",
        "round",
        "wave",
        "month",
        "quarter",
        "q",
        "chapter",
        "ch",
        "lesson",
        "module",
        "unit",
        "level",
        "batch",
        "cycle",
        "epic",
        "task",
        "track",
        "pass",
        "run",
        "release",
        "increment",
        "tier",
    }
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_LETTERS_DIGITS = re.compile(r"^([a-z]+?)(\d+)$")
_VERSION = re.compile(r"^v\d+(?:\d+)*$|^r\d+$|^rev\d+$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DATE8 = re.compile(r"^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])$")
_DAY = re.compile(r"^(?:19|20)\d\d-?\d\d-?\d\d$")
_TRAILING_YEAR = re.compile(r"^([a-z]{2,})((?:19|20)\d\d(?:[01]\d[0-3]\d)?)$")
_EXTENSION = re.compile(r"\.(?:md|markdown|mdown|mkd|txt|rst)$", re.IGNORECASE)


@dataclass(frozen=True)
class NameParts:
    """What a file name says about the document."""

    tokens: tuple[str, ...]  # every lower-cased word of the name, markers included
    base: tuple[str, ...]  # the words left once version markers are taken out (series numbers kept)
    markers: tuple[str, ...]  # version markers: "old", "v2", "final", "2025", "2025-11-04" ...
    template: str  # the name with sequence numbers replaced by n, e.g. "WEEK_n_STATUS" ("" if none)
    numbers: tuple[int, ...]  # the sequence numbers the template takes out, e.g. (1, 2) for DAY_1_2

    @property
    def stale(self) -> bool:
        return any(m in STALE_MARKERS for m in self.markers)

    @property
    def day_markers(self) -> tuple[str, ...]:
        """Markers that name a day (2025-11-04, 20251104): what a dated log is told apart by."""
        return tuple(m for m in self.markers if _DAY.match(m))

    @property
    def compact(self) -> str:
        """The base name without separators: QUICKSTART and QUICK_START compare equal."""
        return "".join(self.base)

    @property
    def in_series(self) -> bool:
        return bool(self.template)

    @property
    def closing_number(self) -> int | None:
        """The number a name ends on after a word (NOTES_7: 7), or None: the place of a file in a run of
        files named alike but for it. Not a marker nor a sequence number: alone it may be a second
        version (GUIDE_2), so a run needs several of them to be a series (see `series_clusters`)."""
        if len(self.base) >= 2 and self.base[-1].isdigit() and not self.base[-2].isdigit():
            return int(self.base[-1])
        return None

    @property
    def position(self) -> tuple[int, ...]:
        """Where the file stands in its series by its name: its sequence numbers, else its closing
        number; () when the name holds neither."""
        if self.numbers:
            return self.numbers
        closing = self.closing_number
        return () if closing is None else (closing,)

    @property
    def series_key(self) -> str:
        """The template up to its first number: WEEK_n_STATUS and WEEK_n_SUMMARY share WEEK_n."""
        if not self.template:
            return ""
        head, _, _ = self.template.partition("_n")
        return "n" if self.template.startswith("n") else head + "_n"


def stem(name: str) -> str:
    """The file name without folder and Markdown extension."""
    return _EXTENSION.sub("", name.rsplit("/", 1)[-1])


def split_words(name: str) -> list[str]:
    """`WEEK_1_QuickStart-v2` -> ["week", "1", "quick", "start", "v2"]."""
    words: list[str] = []
    for chunk in _SPLIT.split(stem(name)):
        if not chunk:
            continue
        for part in _CAMEL.split(chunk):
            if part:
                # "Guide2025" is a word and a year; "v2" and "pr589" stay whole
                words.extend(_TRAILING_YEAR.sub(r"\1 \2", part.lower()).split())
    return words


def _expand(words: list[str]) -> list[str]:
    # "week1" / "phase3" / "pr589" are a word and a number written together; sequence words are split
    # so that WEEK1 and WEEK_1 give the same template. Other letter+digit tokens (v2, p0, pr589) stay whole.
    out: list[str] = []
    for w in words:
        m = _LETTERS_DIGITS.match(w)
        if m and m.group(1) in SEQUENCE_WORDS:
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(w)
    return out


# Cached: the planner asks again for the same names at every stage; the result is immutable.
@lru_cache(maxsize=1 << 16)
def parse_name(name: str) -> NameParts:
    words = _expand(split_words(name))
    base: list[str] = []
    markers: list[str] = []
    template_parts: list[str] = []
    numbers: list[int] = []
    i = 0
    after_sequence = False
    while i < len(words):
        w = words[i]
        # an ISO date written with separators arrives as three tokens: 2025 11 04
        if (
            _YEAR.match(w)
            and i + 2 < len(words)
            and words[i + 1].isdigit()
            and words[i + 2].isdigit()
            and 1 <= int(words[i + 1]) <= 12
            and 1 <= int(words[i + 2]) <= 31
            and not after_sequence
        ):
            markers.append(f"{w}-{int(words[i + 1]):02d}-{int(words[i + 2]):02d}")
            i += 3
            continue
        if w.isdigit() and after_sequence:
            numbers.append(int(w))
            base.append(w)
            template_parts.append("n")
            i += 1
            continue
        after_sequence = w in SEQUENCE_WORDS
        is_marker = bool(w in STALE_MARKERS or w in FRESH_MARKERS or _VERSION.match(w) or _YEAR.match(w))
        if is_marker and w in AMBIGUOUS_MARKERS and i == 0:
            is_marker = False
        if is_marker or _DATE8.match(w):
            markers.append(w)
        elif w in MONTHS and i + 1 < len(words) and words[i + 1].isdigit() and len(words[i + 1]) <= 2:
            markers.append(f"{w}-{words[i + 1]}")
            i += 2
            continue
        else:
            base.append(w)
            template_parts.append(w)
        i += 1
    if not base and markers:
        # FINAL.md, OLD.md: a name made only of markers is its own base
        base = [m for m in markers if not m[0].isdigit()] or list(markers)
        template_parts = list(base)
        markers = []
    template = "_".join(p if p == "n" else p.upper() for p in template_parts) if numbers else ""
    return NameParts(tuple(words), tuple(base), tuple(markers), template, tuple(numbers))


def version_rank(parts: NameParts) -> int:
    """-1 for stale variants (_OLD, _BACKUP), +1 for ones that claim to be newest (_FINAL, _V3), else 0."""
    if parts.stale:
        return -1
    if any(m in FRESH_MARKERS or _VERSION.match(m) for m in parts.markers):
        return 1
    return 0
