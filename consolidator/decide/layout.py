"""Layout: where each decision puts its document. Living documentation goes to `docs/<section>/<name>`
(the name is kept, so links and history stay readable), a large topic gets a sub-folder, history goes
to the archive grouped by period and by series, duplicate group or topic
(`docs/archive/2025-11/deployment-status/...`), never one flat folder, and root keepers above the
budget move into the docs tree. Runs on the classification and group decisions; the plan runs on it.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..analysis.folders import numbered_parts
from ..analysis.names import parse_name
from ..core.config import Config
from ..core.conventions import is_conventional, slug
from ..core.models import Cluster, Document, Inventory, Reason
from .classify import Classification, section_for

if TYPE_CHECKING:  # the similarity stage brings SciPy and scikit-learn, which the site never needs
    from ..analysis.similarity import Groups

# A topic gets its own sub-folder of a section when at least this many moved documents share it.
TOPIC_FOLDER_MIN = 8
# An archive folder holding fewer records than this is not worth opening: its records join a broader
# subject of the same period, or lie loose in the period's folder.
ARCHIVE_FOLDER_MIN = 3
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Draft:
    doc: Document
    cls: Classification
    action: str
    folder: str | None  # where it goes (None: stays)
    canonical: str | None
    extra: tuple[Reason, ...]
    period: str = ""  # history only: the archive period and group it is filed under
    group: str = ""


# Work on a project often starts before its first commit: a date a record states is believed up to this many
# days before the oldest commit of the repository's documents.
BEFORE_FIRST_COMMIT_DAYS = 31


def repository_start(inventory: Inventory) -> str | None:
    """The day of the oldest commit of the repository's documents (None without history, or in a
    shallow clone, whose oldest commit is only where the clone stops)."""
    if inventory.shallow:
        return None
    return min((d.dates.first_commit for d in inventory.documents if d.dates.first_commit), default=None)


def filing_date(doc: Document, start: str | None = None) -> str | None:
    """When a record was written, for filing it: the newest date it states, else when it was committed.

    A date typed in the text of a document added after the repository's first day, more than a month
    before that day, is not when it was written (assistants often stamp reports with a wrong year):
    filed by it, this month's record would land in a period the project never had. Documents of the
    first commit may have been brought in from elsewhere, and front matter and dated file names are
    deliberate, so their dates stand."""
    first = doc.dates.first_commit
    if start is None or first is None or first <= start:
        return doc.dates.best
    floor = (date.fromisoformat(start) - timedelta(days=BEFORE_FIRST_COMMIT_DAYS)).isoformat()
    stated = [
        f.date
        for f in doc.dates.facts
        if f.source in ("front_matter", "file_name") or (f.source == "text" and f.date >= floor)
    ]
    return max(stated, default=None) or first


def period_of(doc: Document, config: Config, start: str | None = None) -> str:
    """The archive period of a record; `start` is the repository's first day (`repository_start`)."""
    return period_of_date(filing_date(doc, start), config)


def period_of_date(best: str | None, config: Config) -> str:
    """The archive period of an ISO date (month, or quarter when the layout asks for it)."""
    if not best:
        return "undated"
    if "{quarter}" in config.archive_layout:
        return f"{best[:4]}-Q{(int(best[5:7]) - 1) // 3 + 1}"
    return best[:7]


def archive_folder(config: Config, period: str, group: str) -> str:
    """The archive folder for `period` and `group`; without a group, the layout's group level is left out."""
    layout = config.archive_layout.replace("{quarter}", "{period}")
    parts = [part.format(period=period, group=group) for part in layout.split("/")]
    return posixpath.join(config.archive_dir.strip("/"), *[p.strip("/") for p in parts if p.strip("/")])


def _group_labels(groups: Groups) -> tuple[dict[str, Cluster], dict[str, str], dict[str, str]]:
    dup: dict[str, Cluster] = {}
    for cluster in sorted(groups.duplicates, key=lambda c: c.id):
        for m in cluster.members:
            dup.setdefault(m, cluster)
    series: dict[str, str] = {}
    for cluster in sorted(groups.series, key=lambda c: c.id):
        for m in cluster.members:
            series.setdefault(m, cluster.label)
    topic: dict[str, str] = {}
    for cluster in sorted(groups.topics, key=lambda c: (-len(c.members), c.id)):
        for m in cluster.members:
            topic.setdefault(m, cluster.label)
    return dup, series, topic


# Words that say what sort of record a file is rather than what it is about.
_RECORD_WORDS = frozenset(
    {
        "status",
        "complete",
        "completed",
        "completion",
        "summary",
        "report",
        "final",
        "done",
        "success",
        "successful",
        "ready",
        "fixed",
        "fix",
        "fixes",
        "session",
        "notes",
        "note",
        "meeting",
        "results",
        "result",
        "review",
        "audit",
        "analysis",
        "update",
        "updates",
        "progress",
        "tracker",
        "plan",
        "old",
        "new",
        "v2",
        "v3",
        "draft",
        "copy",
        "backup",
        "readme",
        "md",
        "the",
        "and",
        "of",
        "for",
        "to",
        "a",
        "implementation",
        "implemented",
        "accomplished",
        "executive",
        "full",
        "comprehensive",
        "quick",
        "checklist",
        "index",
        "certificate",
        "handoff",
        "sprint",
        "week",
        "day",
        "phase",
        "n",
        "doc",
        "docs",
        "documentation",
    }
)


def subject_of(name: str) -> str:
    """What a record is about, from its name: DEPLOYMENT_STATUS.md -> "deployment" ("" if nothing is left)."""
    words = [w for w in parse_name(name).base if w not in _RECORD_WORDS and not w.isdigit()]
    months = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
    words = [w for w in words if w not in months]
    return "-".join(words[:2])


def _drafts(
    inventory: Inventory, classes: Mapping[str, Classification], groups: Groups, config: Config
) -> list[Draft]:
    by_path = inventory.by_path()
    dup, series, _ = _group_labels(groups)
    docs_dir = config.docs_dir.strip("/")
    start = repository_start(inventory)
    drafts: list[Draft] = []
    for doc in inventory.documents:
        c = classes[doc.path]
        cluster = dup.get(doc.path)
        canonical = c.canonical
        if c.disposition == "keep-root" or (c.disposition == "archive" and c.kind == "archived"):
            drafts.append(Draft(doc, c, "keep", None, None, ()))
            continue
        if c.kind == "pinned" and c.disposition == "live":
            folder = posixpath.join(docs_dir, c.section) if c.section else None
            if folder is None or doc.folder == folder:
                drafts.append(Draft(doc, c, "keep", None, None, ()))
            else:
                drafts.append(Draft(doc, c, "move", folder, None, (Reason(f"pinned: moves to {folder}/"),)))
            continue
        if c.disposition == "live":
            if doc.at_root:
                section = c.section or "guides"
                drafts.append(
                    Draft(
                        doc,
                        c,
                        "move",
                        posixpath.join(docs_dir, section),
                        None,
                        (Reason(f"living documentation: moves to {docs_dir}/{section}/"),),
                    )
                )
            else:
                drafts.append(
                    Draft(doc, c, "keep", None, None, (Reason("already in the documentation tree"),))
                )
            continue
        # History: grouped by period and by the group it belongs to, not one flat folder.
        if cluster is not None:
            label = subject_of(cluster.label) or cluster.label
            newest = max(
                (by_path[m] for m in cluster.members if m in by_path),
                key=lambda d: (filing_date(d, start) or "", d.path),
            )
            period = period_of(newest, config, start)
        else:
            label = series.get(doc.path) or subject_of(doc.name) or c.kind
            period = period_of(doc, config, start)
        group = slug(label) or slug(c.kind)
        folder = archive_folder(config, period, group)
        if canonical is not None:
            why = f"merge: {canonical} is the version to read; this copy is archived with a notice"
            drafts.append(Draft(doc, c, "merge", folder, canonical, (Reason(why),), period, group))
        else:
            # its reason names the folder, which _archive_groups settles
            drafts.append(Draft(doc, c, "archive", folder, None, (), period, group))
    return drafts


def _archive_groups(drafts: list[Draft], config: Config) -> list[Draft]:
    """Archive folders a reader can browse: no folder of one or two records.

    Within a period, groups that share a first word (tapmomo, tapmomo-production) gather under that
    word when it names a group of its own or when the small ones are large enough together; a group
    still too small lies loose in the period's folder.
    """

    # Only drafts still bound for the archive: a settled decision may have turned one into a keep.
    def filed(d: Draft) -> bool:
        return bool(d.group) and d.action in ("archive", "merge")

    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for d in filter(filed, drafts):
        sizes[(d.period, d.group)] += 1
    joining: dict[tuple[str, str], list[str]] = defaultdict(list)
    for period, group in sizes:
        word = group.split("-")[0]
        if group == word or (period, word) in sizes or sizes[(period, group)] < ARCHIVE_FOLDER_MIN:
            joining[(period, word)].append(group)
    formed = {
        key
        for key, members in joining.items()
        if sum(sizes[(key[0], g)] for g in members) >= ARCHIVE_FOLDER_MIN
    }
    final: dict[tuple[str, str], str] = {}
    for (period, group), n in sizes.items():
        word = group.split("-")[0]
        # once the broader folder exists, the larger groups of that word belong in it too
        final[(period, group)] = (
            word if (period, word) in formed else (group if n >= ARCHIVE_FOLDER_MIN else "")
        )

    out = []
    for d in drafts:
        if filed(d):
            group = final[(d.period, d.group)]
            folder = archive_folder(config, d.period, group)
            extra = (Reason(f"history: archived under {folder}/"),) if d.action == "archive" else d.extra
            d = replace(d, folder=folder, group=group, extra=extra)
        out.append(d)
    return out


def _apply_root_budget(drafts: list[Draft], config: Config) -> list[Draft]:
    """Above the budget, the weakest root keepers that are not conventional files move into docs/."""
    keepers = [d for d in drafts if d.doc.at_root and d.action == "keep"]
    if len(keepers) <= config.root_budget:
        return drafts
    movable = sorted(
        (d for d in keepers if not is_conventional(d.doc.name)), key=lambda d: (d.cls.confidence, d.doc.path)
    )
    excess = len(keepers) - config.root_budget
    chosen = {d.doc.path for d in movable[:excess]}
    out = []
    for d in drafts:
        if d.doc.path in chosen:
            section = d.cls.section or section_for(d.doc, config)[0]
            folder = posixpath.join(config.docs_dir.strip("/"), section)
            d = replace(
                d,
                action="move",
                folder=folder,
                extra=(Reason(f"root budget of {config.root_budget} files exceeded: moves to {folder}/"),),
            )
        out.append(d)
    return out


def _part_folders(drafts: list[Draft], config: Config) -> tuple[list[Draft], frozenset[str]]:
    """The numbered parts of one set that move into the docs tree (`BRIEF_01-storage.md` ...
    `BRIEF_10-exporter.md`: chapters of one whole, see `analysis.folders.numbered_parts`) move
    together: into the section most of them would go to (the first in the configured order on a tie),
    in a folder named by the set (`docs/guides/brief/`; a set named by its numbers alone stays in the
    section's folder). Scattered over four sections by the words of each subject, the set would no longer
    read as one. Returns the drafts and the parts placed."""
    docs_dir = config.docs_dir.strip("/")
    moving = {d.doc.path: d for d in drafts if d.action == "move" and d.folder and d.doc.at_root}
    order = {s: i for i, s in enumerate(config.sections)}
    placed: dict[str, tuple[str, str]] = {}
    for part_set in numbered_parts(moving):
        members = [moving[p] for p in part_set.members]
        sections = Counter(posixpath.relpath(d.folder or "", docs_dir).split("/")[0] for d in members)
        section = min(sections, key=lambda s: (-sections[s], order.get(s, len(order)), s))
        together = posixpath.join(docs_dir, section, slug("-".join(part_set.words))).rstrip("/")
        for d in members:
            placed[d.doc.path] = (section, together)
    out = []
    for d in drafts:
        section, folder = placed.get(d.doc.path, ("", ""))
        if folder and folder != d.folder:
            why = f"living documentation, one of the numbered parts of a set: moves with them to {folder}/"
            # the set's section, not the one the words of this part's own subject chose
            kept = tuple(r for r in d.cls.reasons if r.tag != "section")
            cls = replace(d.cls, section=section, reasons=kept)
            d = replace(d, cls=cls, folder=folder, extra=(Reason(why),))
        out.append(d)
    return out, frozenset(placed)


def _topic_folders(
    drafts: list[Draft], groups: Groups, config: Config, placed: frozenset[str] = frozenset()
) -> list[Draft]:
    """A large topic moving into one section gets a sub-folder of its own, named by the first word of the
    topic's label that names its members (see `_folder_word`); a topic no such word names gets none.
    `placed` documents already have their folder (the parts of a set: `_part_folders`)."""
    _, _, topic = _group_labels(groups)
    members: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for d in drafts:
        if d.doc.path in placed:
            continue
        if d.action == "move" and d.folder and d.doc.path in topic:
            members[(d.folder, topic[d.doc.path])].append(d.doc)
    words = {
        key: _folder_word(key[1], docs) for key, docs in members.items() if len(docs) >= TOPIC_FOLDER_MIN
    }
    out = []
    for d in drafts:
        label = topic.get(d.doc.path) if d.doc.path not in placed else None
        word = words.get((d.folder, label)) if d.action == "move" and d.folder and label else None
        if d.folder and word:
            d = replace(d, folder=posixpath.join(d.folder, slug(word)))
        out.append(d)
    return out


def _folder_word(label: str, docs: list[Document]) -> str | None:
    """The first word of a topic's label found in the names or titles of at least half its members.

    The label holds the words the topic's texts use most, not what its pages are: "security" can lead
    the label of eight guides of which two are about security. A folder named by a word most of its
    pages do not name misleads the reader (and sits beside the section of that name), so the word must
    name the pages themselves. Half is a majority rule, not fitted."""
    for word in label.split():
        named = sum(1 for doc in docs if any(_same_word(word, w) for w in _name_words(doc)))
        if 2 * named >= len(docs):
            return word
    return None


def _name_words(doc: Document) -> set[str]:
    return {*parse_name(doc.path).tokens, *(w for w in _WORDS.findall(doc.title.lower()))}


def _same_word(a: str, b: str) -> bool:
    """One word, allowing a plural or other ending (guide, guides; deploy, deployment)."""
    short, long = sorted((a.lower(), b.lower()), key=len)
    return len(short) >= 3 and long.startswith(short)


SETTLED_REASON = "placed by the applied consolidation and unchanged since: the reviewed decision stands"


def lay_out(
    inventory: Inventory,
    classes: Mapping[str, Classification],
    groups: Groups,
    config: Config,
    settled: frozenset[str] = frozenset(),
) -> list[Draft]:
    """Every document's action and folder, from its classification and the group decisions.

    `settled` documents were placed by an earlier, applied plan and have not changed since: that
    reviewed decision stands (unless a `pin` setting says otherwise)."""
    drafts = _drafts(inventory, classes, groups, config)
    drafts = [
        replace(d, action="keep", folder=None, canonical=None, extra=(Reason(SETTLED_REASON),))
        if d.doc.path in settled and d.action != "keep" and d.cls.kind != "pinned"
        else d
        for d in drafts
    ]
    drafts = _apply_root_budget(drafts, config)
    drafts, placed = _part_folders(drafts, config)
    drafts = _topic_folders(drafts, groups, config, placed)
    drafts = _archive_groups(drafts, config)
    return _existing_case(drafts, inventory)


def _existing_case(drafts: list[Draft], inventory: Inventory) -> list[Draft]:
    """A folder the repository already has, spelled as it is there: a new `docs/operations/` beside an
    existing `docs/OPERATIONS/` would be one folder on macOS and Windows and two sections on the site."""
    spelled: dict[str, str] = {}
    for path in sorted(inventory.files):
        parts = path.split("/")[:-1]
        for i in range(len(parts)):
            folder = "/".join(parts[: i + 1])
            spelled.setdefault(folder.casefold(), folder)
    out = []
    for d in drafts:
        if d.folder:
            parts = d.folder.split("/")
            fixed = [
                spelled.get("/".join(parts[: i + 1]).casefold(), "/".join(parts[: i + 1])).rsplit("/", 1)[-1]
                for i in range(len(parts))
            ]
            if fixed != parts:
                d = replace(d, folder="/".join(fixed))
        out.append(d)
    return out
