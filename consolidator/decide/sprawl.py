"""Text-format sprawl: root `.txt` reports and backup copies of Markdown files (`X.md.old`, `X.md.bak`).

They are not Markdown, so nothing parses them, but they are the same records as the Markdown ones
beside them: the plan lists them and archives them byte for byte (apply moves them with git, adds no
notice and rewrites nothing in them). A `.txt` file is judged by its name with the rules table's name
rules and the shipped weights; a backup copy is a stale copy by definition. Every other file that is
not Markdown is never touched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import is_conventional, slug
from ..core.models import Decision, Reason
from .layout import archive_folder, period_of_date, subject_of
from .rules import RULES
from .weights import Weights

# Backup copies editors and people leave beside a Markdown file. A convention, not fitted.
BACKUP = re.compile(r"\.(?:md|markdown)\.(?:old|bak|backup|orig|prev)$|\.(?:md|markdown)~$", re.IGNORECASE)
# Text files tools read at the root (requirements.txt, robots.txt, CMakeLists.txt ...): never sprawl.
TOOL_TEXT = re.compile(
    r"^(?:requirements.*|constraints.*|robots|cmakelists|runtime|version|llms.*)\.txt$", re.IGNORECASE
)


def is_text_sprawl(name: str) -> bool:
    """A text report or backup copy by its name alone (the kinds of file `sprawl_entries` may archive)."""
    if BACKUP.search(name):
        return True
    return name.lower().endswith(".txt") and not TOOL_TEXT.match(name)


def _stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".txt") else BACKUP.sub("", name)


def sprawl_entries(
    files: Iterable[str],
    archived: dict[str, str],
    config: Config,
    weights: Weights,
    dates: Mapping[str, str] | None = None,
) -> list[Decision]:
    """Archive entries for the root's text reports and backup copies.

    `archived` maps each Markdown file the plan archives to its destination: a text twin of an archived
    record (FINAL_SUMMARY.txt beside FINAL_SUMMARY.md, PLAN.md.old beside PLAN.md) goes beside it.
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
        reasons = _reasons(path, backup, weights)
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


def _reasons(path: str, backup: bool, weights: Weights) -> tuple[Reason, ...] | None:
    if backup:
        return (Reason("a backup copy of a Markdown file", "backup-copy"),)
    name_text = " ".join(parse_name(path[:-4] + ".md").tokens)
    found = [(r, weights.of(r.name)) for r in RULES if r.where == "name" and r.pattern.search(name_text)]
    margin = weights.intercept + sum(w for _, w in found)
    if margin < weights.threshold:
        return None
    return tuple(Reason(r.why, r.name, w) for r, w in found if w)
