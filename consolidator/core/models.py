"""Passive, frozen data shared by every stage. No behaviour beyond small derived properties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based line in the source file
    github_id: str  # the anchor GitHub renders (what links in repositories are written for)
    mkdocs_id: str  # the anchor the generated MkDocs site uses


@dataclass(frozen=True)
class Link:
    """One link or image as written in a document, and where it leads."""

    target: str  # the destination as written (without <> brackets), e.g. "../guide.md#setup"
    kind: str  # "inline" | "reference" | "autolink" | "html"
    line: int  # 1-based line where the link text appears (0 when it could not be located)
    is_image: bool = False
    label: str | None = None  # reference label for reference-style links
    definition_line: int | None = None  # line of the [label]: definition
    external: bool = False  # has a URL scheme (http:, mailto:, ...) or starts with //
    path: str | None = None  # repository-relative POSIX path the link resolves to
    fragment: str | None = None  # the #fragment, decoded, without '#'
    exists: bool | None = None  # does `path` exist (None: not a relative link)
    anchor_ok: bool | None = None  # does `fragment` name a heading of `path` (None: not checked)
    outside_repo: bool = False  # the relative path climbs above the repository root

    @property
    def relative(self) -> bool:
        return not self.external and self.path is not None

    @property
    def broken(self) -> bool:
        return self.relative and (self.exists is False or self.anchor_ok is False)


@dataclass(frozen=True)
class DateFact:
    source: str  # "front_matter" | "text" | "file_name" | "first_commit" | "last_commit"
    label: str  # e.g. "Last Updated", "date", the file-name fragment
    date: str  # ISO 8601 date, YYYY-MM-DD
    line: int | None = None


@dataclass(frozen=True)
class Dates:
    facts: tuple[DateFact, ...] = ()

    # The earliest and latest of the dates from `sources` (min and max, not a sort: a changelog states
    # hundreds of dates, and these are asked for again and again while planning).
    def _first(self, *sources: str) -> str | None:
        return min((f.date for f in self.facts if f.source in sources), default=None)

    def _last(self, *sources: str) -> str | None:
        return max((f.date for f in self.facts if f.source in sources), default=None)

    @property
    def first_commit(self) -> str | None:
        return self._first("first_commit")

    @property
    def last_commit(self) -> str | None:
        return self._last("last_commit")

    @property
    def content(self) -> str | None:
        """Newest date the document states about itself (front matter, text or file name)."""
        return self._last("front_matter", "text", "file_name")

    @property
    def newest(self) -> str | None:
        return self._last("front_matter", "text", "file_name", "first_commit", "last_commit")

    @property
    def oldest(self) -> str | None:
        return self._first("front_matter", "text", "file_name", "first_commit", "last_commit")

    @property
    def best(self) -> str | None:
        """The date that best places the document in time: what it says, else when it was written."""
        return self.content or self.first_commit or self.last_commit


@dataclass(frozen=True)
class Section:
    """A heading and the prose under it (code blocks removed), for comparing documents."""

    heading: str  # "" for text before the first heading
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Secret:
    """A credential found in a document; never the secret itself, only a masked fragment."""

    line: int
    end_line: int
    kind: str
    masked: str
    fingerprint: str  # names the secret for allow lists without holding it


@dataclass(frozen=True)
class Document:
    path: str  # repository-relative POSIX path
    title: str
    title_source: str  # "front_matter" | "h1" | "file_name"
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    dates: Dates
    words: int
    size: int  # bytes on disk
    lines: int
    blob: str  # git blob id of the content (computed the way git does, also outside git)
    text: str = ""  # prose without code, front matter or HTML: the input to similarity
    sections: tuple[Section, ...] = ()
    front_matter: tuple[tuple[str, str], ...] = ()
    code_blocks: int = 0
    html_ids: tuple[str, ...] = ()  # explicit anchors: <a name>, id="...", {#id}
    secrets: tuple[Secret, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def at_root(self) -> bool:
        return "/" not in self.path

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def anchors(self) -> frozenset[str]:
        ids = {h.github_id for h in self.headings} | {h.mkdocs_id for h in self.headings}
        return frozenset(ids | set(self.html_ids))


@dataclass(frozen=True)
class Inventory:
    """Everything `scan` learned about a repository."""

    root: str  # absolute path of the repository
    documents: tuple[Document, ...]
    git: bool  # whether git was used to list files and read history
    head: str | None = None  # commit id of HEAD, when in git
    # a shallow clone: its oldest commit is a cut, not when the repository began
    shallow: bool = False
    files: frozenset[str] = field(default_factory=frozenset)  # every file path in the repo (for links)
    warnings: tuple[str, ...] = ()
    # root text files and backup copies (FINAL_SUMMARY.txt, PLAN.md.old) -> date of their last commit:
    # the period the plan files them under when it archives them as text sprawl
    file_dates: Mapping[str, str] = field(default_factory=dict)
    # blob id -> what the scan's caller asked its workers to compute from each fresh parse (see
    # analysis.scan.scan_repo's `per_document`); a cache of derived facts, not part of what was found.
    derived: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)

    def by_path(self) -> dict[str, Document]:
        return {d.path: d for d in self.documents}


# Id prefix of the duplicate clusters that record several guides to one procedure reduced to one
# (see overlap.py): listed with the duplicates, told apart by their id.
OVERLAP_PREFIX = "overlap-"


@dataclass(frozen=True)
class Cluster:
    """A duplicate group (versions of one document) or a topic cluster."""

    id: str
    kind: str  # "duplicate" | "topic" | "series"
    members: tuple[str, ...]  # paths, sorted
    canonical: str | None = None
    label: str = ""  # a short human name for the group (base name or topic words)
    evidence: tuple[str, ...] = ()  # human-readable reasons: scores, shared sections, links
    unique_content: tuple[tuple[str, tuple[str, ...]], ...] = ()  # member -> sections the canonical lacks
    score: float = 0.0


@dataclass(frozen=True)
class Reason:
    """One reason behind a decision: a weighed piece of evidence (`tag` names the rule or signal that
    found it, `weight` > 0 leans history, < 0 documentation) or a plain statement (no weight).

    The plan file, the report and the summary render it with `str`; nothing parses the text back.
    """

    text: str
    tag: str = ""
    weight: float | None = None

    def __str__(self) -> str:
        if self.weight is None:
            return self.text
        return f"{self.text} [{self.tag} {self.weight:+.1f}]"


@dataclass(frozen=True)
class Decision:
    """What the plan proposes for one document."""

    source: str
    action: str  # "keep" | "move" | "archive" | "merge"
    destination: str | None
    section: str | None
    canonical: str | None
    reasons: tuple[Reason, ...]  # a plan read back from its file holds each as a plain statement
    confidence: float
    blob: str
    kind: str = ""  # the document's classified kind, e.g. "status-report", "guide"


@dataclass(frozen=True)
class PlanHeader:
    tool: str  # "consolidator 0.1.0"
    repo: str  # repository folder name (never an absolute path: the plan must be portable)
    commit: str | None  # HEAD when planned
    config: tuple[tuple[str, str], ...] = ()  # settings that shaped the plan, for the record
    summary: tuple[tuple[str, int], ...] = ()  # e.g. ("root_before", 226), ("root_after", 9)


@dataclass(frozen=True)
class BrokenLink:
    """A relative link that was already broken when the plan was made: history, not new damage."""

    source: str  # document holding the link (path at planning time)
    line: int
    target: str  # as written
    resolved: str | None  # repository path it points to, None when it climbs out of the repository
    reason: str  # "missing file" | "missing anchor" | "outside repository"
    suggestion: str | None = None  # an existing file of the same name, when there is one


@dataclass(frozen=True)
class Plan:
    header: PlanHeader
    entries: tuple[Decision, ...]  # one per Markdown file, sorted by source
    clusters: tuple[Cluster, ...] = ()
    broken_links: tuple[BrokenLink, ...] = ()

    def moves(self) -> dict[str, str]:
        """source -> destination for every entry that relocates a file."""
        return {
            e.source: e.destination
            for e in self.entries
            if e.action != "keep" and e.destination and e.destination != e.source
        }
