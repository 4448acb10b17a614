"""Where every document appears in the site: the layout (each document's site path, the folder
index pages, the text files of the archive), page titles and descriptions, and where each docs folder
is placed in the nav. `nav.py` builds the nav and the generated pages from this one mapping.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.config import Config
from ..core.conventions import conventional_rank, is_site_page
from ..decide.sprawl import is_text_sprawl
from ..markdown.links import folders_of
from ..markdown.parse import split_front_matter

REPORT_PAGE = "consolidation-report.md"
# The section shown inside the Home tab rather than as a tab of its own (tabs must fit one line).
HOME_SECTION = "getting-started"


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Where each repository document appears in the site (paths are docs-dir relative "src" uris)."""

    docs_dir: str  # repository-relative, e.g. "docs"
    archive: str  # site folder of the archive, e.g. "archive" ("" when outside the docs folder)
    pages: tuple[tuple[str, str], ...]  # repository path -> site path, for every document in the site
    root_files: tuple[str, ...]  # repository root documents shown in the site, home first
    home: str | None  # repository path of the home page
    generated: tuple[str, ...]  # site paths of the pages the plugin creates from templates
    folder_index: tuple[tuple[str, str], ...]  # site folder -> its index page
    report: bool  # the consolidation report page is part of the site
    # site paths of archived text sprawl (.txt reports, *.md.old copies): MkDocs copies them as files,
    # never renders them; the archive's folder indexes list them so they can still be found
    text_files: tuple[str, ...] = ()

    # cached: the plugin asks for every link of every page (treat the returned dicts as read-only)
    @functools.cached_property
    def site_of(self) -> dict[str, str]:
        return dict(self.pages)

    @functools.cached_property
    def repo_of(self) -> dict[str, str]:
        return {site: repo for repo, site in self.pages}

    @functools.cached_property
    def index_of(self) -> dict[str, str]:
        return dict(self.folder_index)

    def site_path(self, repo_path: str) -> str | None:
        """The site page of a repository document or folder, None when it is not in the site."""
        found = self.site_of.get(repo_path)
        if found is not None:
            return found
        if repo_path == "" and self.home is not None:
            return self.site_of[self.home]
        if repo_path == self.docs_dir:
            return self.index_of.get("") or (self.site_of[self.home] if self.home else None)
        prefix = self.docs_dir + "/"
        if repo_path.startswith(prefix):
            return self.index_of.get(repo_path[len(prefix) :].strip("/"))
        return None


def root_documents(repo: Path) -> list[str]:
    """The Markdown files at the repository root, conventional ones first (README leads)."""
    names = [p.name for p in repo.iterdir() if p.is_file() and is_site_page(p.name)]
    return sorted(names, key=lambda name: (conventional_rank(name), name.lower()))


def docs_documents(repo: Path, docs_dir: str) -> list[str]:
    """Repository paths of the Markdown files below the docs folder (hidden ones skipped, as MkDocs does)."""
    base = repo / docs_dir
    if not base.is_dir():
        return []
    found = []
    for path in base.rglob("*"):
        rel = path.relative_to(base).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if path.is_file() and is_site_page(path.name):
            found.append(f"{docs_dir}/{rel}")
    return sorted(found)


def archived_text_files(repo: Path, docs_dir: str, archive: str) -> list[str]:
    """Site paths of the text sprawl filed in the archive (`.txt` reports, `*.md.old` copies)."""
    base = repo / docs_dir / archive if archive else None
    if base is None or not base.is_dir():
        return []
    found = []
    for path in base.rglob("*"):
        rel = path.relative_to(repo / docs_dir).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if path.is_file() and not is_site_page(path.name) and is_text_sprawl(path.name):
            found.append(rel)
    return sorted(found)


def _free(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate


def _folder_indexes(
    site_pages: Iterable[str], archive: str, home_names: set[str]
) -> tuple[dict[str, str], list[str]]:
    """Every folder holding pages gets an index: the owner's index.md / README.md, else a generated one.
    Returns folder -> index page, and the generated ones."""
    pages = list(site_pages)
    folders = set(folders_of(pages)) - {""}
    if archive:
        folders.add(archive)
    preferred: dict[str, str] = {}
    for folder in sorted(folders, key=_case_rank):
        preferred.setdefault(folder.lower(), folder)
    index: dict[str, str] = {}
    generated: list[str] = []
    for folder in sorted(folders):
        own = [
            s for s in pages if posixpath.dirname(s) == folder and posixpath.basename(s).lower() in home_names
        ]
        if own:
            index[folder] = sorted(own, key=lambda s: posixpath.basename(s).lower() != "index.md")[0]
        elif folder == "project" or folder != preferred[folder.lower()]:
            continue  # folders differing only in case share one index (see `folder_page`)
        else:
            index[folder] = f"{folder}/index.md"
            generated.append(index[folder])
    for folder in folders:
        if folder not in index and preferred[folder.lower()] in index:
            index[folder] = index[preferred[folder.lower()]]
    return index, generated


def _page_beside_its_folder(
    pages: dict[str, str],
    taken: set[str],
    roots: Iterable[str],
    site_files: list[str],
    archive: str,
    home_names: set[str],
) -> None:
    """A page beside a folder of its name (`recipes.md` and `recipes/`) has the folder's address
    (`recipes/`, with MkDocs' directory URLs), where the folder's index is written too: one of the
    two pages silently overwrote the other. Names that differ only in case (`SECURITY.md` beside a
    `security/` section) are one address on macOS and Windows. The page becomes the folder's index
    (same address, shown once in the nav, as the folder's page); a root file, when the folder has
    an index of its own, or is the archive (whose index lists the records), gets a free name."""
    folders: dict[str, list[str]] = {}
    for folder in folders_of(site_files):
        folders.setdefault(folder.lower(), []).append(folder)
    root_set = set(roots)
    for repo_path, site in sorted(pages.items()):
        stem, dot, _ = site.rpartition(".")
        variants = folders.get(stem.lower()) if dot else None
        if not variants:
            continue
        folder = stem if stem in variants else sorted(variants)[0]
        own = any(
            posixpath.dirname(s).lower() == stem.lower() and posixpath.basename(s).lower() in home_names
            for s in pages.values()
        )
        taken.discard(site.lower())
        if repo_path in root_set:  # shown in Home beside the other root files, under project/
            pages[repo_path] = _free(f"project/{site}", taken)
        elif own or folder.lower() in (archive.lower(), "project"):
            pages[repo_path] = _free(site, taken | {site.lower()})
        else:
            pages[repo_path] = f"{folder}/index.md"
        taken.add(pages[repo_path].lower())


def layout(repo: Path, config: Config, *, report: bool) -> Layout:
    """Decide the site path of every document, from the files on disk."""
    docs_dir = config.docs_dir.strip("/")
    archive_rel = posixpath.relpath(config.archive_dir.strip("/"), docs_dir)
    archive = "" if archive_rel.startswith("..") else archive_rel
    roots = root_documents(repo)
    docs = docs_documents(repo, docs_dir)
    readme = next((r for r in roots if r.lower().rsplit(".", 1)[0] == "readme"), None)

    pages: dict[str, str] = {d: d[len(docs_dir) + 1 :] for d in docs}
    taken = {p.lower() for p in pages.values()}
    home_names = {"index.md", "readme.md"}
    overview: str | None = None
    if readme is not None:
        # The README is the home page; a docs landing page that would also claim "/" becomes the
        # docs overview instead (links to it are rewritten to follow it).
        for repo_path, site in sorted(pages.items(), key=lambda kv: kv[1].lower() != "index.md"):
            if site.lower() in home_names:
                taken.discard(site.lower())
                if overview is None:
                    overview = pages[repo_path] = _free("overview.md", taken)
                else:  # docs/README.md beside docs/index.md: MkDocs would drop it; keep it reachable
                    pages[repo_path] = _free("readme.md", taken)
                taken.add(pages[repo_path].lower())
        pages[readme] = "index.md"
        taken.add("index.md")
    # A folder's README.md beside its index.md: MkDocs would leave the README out (and warn, which
    # fails a strict build); it gets a page of its own instead, as the docs root's does above.
    sites = set(pages.values())
    for repo_path, site in sorted(pages.items()):
        folder, name = posixpath.split(site)
        if name == "README.md" and posixpath.join(folder, "index.md") in sites:
            taken.discard(site.lower())
            pages[repo_path] = _free(posixpath.join(folder, "readme.md"), taken)
            taken.add(pages[repo_path].lower())
    for root in roots:
        if root == readme:
            continue
        site = _free(root if root.lower() not in taken else f"project/{root}", taken)
        pages[root] = site
        taken.add(site.lower())
    text_files = archived_text_files(repo, docs_dir, archive)
    _page_beside_its_folder(pages, taken, roots, [*pages.values(), *text_files], archive, home_names)
    home = readme
    if home is None:  # the docs landing page (index.md, else README.md) is the home page
        landing = sorted((s.lower() != "index.md", r) for r, s in pages.items() if s.lower() in home_names)
        home = landing[0][1] if landing else None
    if archive and not any(s.startswith(archive + "/") for s in [*pages.values(), *text_files]):
        archive = ""  # nothing archived: no archive tab

    # a folder holding only text files still gets an index, or nothing would list them
    index, generated = _folder_indexes([*pages.values(), *text_files], archive, home_names)
    if archive:
        topics = _free(f"{archive}/topics.md", taken)
        generated.append(topics)
    if report:
        generated.append(_free(REPORT_PAGE, taken))
    if home is None:
        index[""] = "index.md"
        generated.append("index.md")
    elif overview is not None:
        index[""] = overview
    return Layout(
        docs_dir=docs_dir,
        archive=archive,
        pages=tuple(sorted(pages.items())),
        root_files=tuple(r for r in roots),
        home=home,
        generated=tuple(sorted(generated)),
        folder_index=tuple(sorted(index.items())),
        report=report,
        text_files=tuple(text_files),
    )


# ---------------------------------------------------------------- titles and descriptions

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^=+\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SKIP_LINE = re.compile(r"^\s*(#|<|\||!\[|\[!\[|>|[-*_]{3,}\s*$|\[[^\]]+\]:|:::|!!!|\?\?\?)")
_DEST = r"\((?:[^()]|\([^)]*\))*\)"  # a link destination, which may hold one level of parentheses
_MD_INLINE = re.compile(rf"!\[[^\]]*\]{_DEST}|\[([^\]]*)\]{_DEST}|\[([^\]]*)\]\[[^\]]*\]|[*_`]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _humanize(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if is_site_page(name) else name
    if not re.search(r"[^\W\d_]", stem):
        return stem  # periods such as 2025-01 read best as they are
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words.islower() else words


def describe(text: str, fallback_name: str) -> tuple[str, str]:
    """A document's title and a one-line description (front matter first, else its text)."""
    meta, body, _ = split_front_matter(text)
    title = str(meta.get("title") or "").strip()
    description = str(meta.get("description") or meta.get("summary") or "").strip()
    lines = body.splitlines()
    in_code = False
    paragraph: list[str] = []
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_code = not in_code
            if paragraph:
                break
            continue
        if in_code:
            continue
        if not title:
            h1 = _H1.match(line)
            if h1:
                title = h1.group(1)
                continue
            if line.strip() and i + 1 < len(lines) and _SETEXT.match(lines[i + 1]):
                title = line.strip()
                continue
        if description:
            if title:
                break
            continue
        if not line.strip():
            if paragraph:
                description = " ".join(paragraph)
                paragraph = []
            continue
        if _SETEXT.match(line) or _SKIP_LINE.match(line) or (_LIST_ITEM.match(line) and not paragraph):
            if paragraph:
                description = " ".join(paragraph)
                paragraph = []
            continue
        paragraph.append(line.strip())
    if paragraph and not description:
        description = " ".join(paragraph)
    description = _MD_INLINE.sub(lambda m: m.group(1) or m.group(2) or "", description)
    description = re.sub(r"\s+", " ", description).strip()
    sentence = re.match(r"(.+?[.!?])(\s|$)", description)
    if sentence and len(sentence.group(1)) >= 20:
        description = sentence.group(1)
    if len(description) > 160:
        description = description[:157].rsplit(" ", 1)[0] + "…"
    title = _MD_INLINE.sub(lambda m: m.group(1) or m.group(2) or "", title).strip()
    return title or _humanize(fallback_name), description


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- placement in the nav


def _case_rank(path: str) -> tuple[bool, bool, str]:
    """Which of several folders differing only in case names the entry: lower case first."""
    name = path.rsplit("/", 1)[-1]
    return name != name.lower(), name == name.upper(), path


# Kinds of documents the plan files as records of past work (see decide.classify).
_HISTORY_KINDS = frozenset(
    {
        "report",
        "status-report",
        "audit-report",
        "completion-note",
        "prompt",
        "archived",
        "session-summary",
        "fix-note",
        "filed-record",
        "superseded",
        "superseded-copy",
        "duplicate",
    }
)
_HISTORY_NAME = re.compile(
    r"(?:^|[\W_])(?:archives?|archived|attic|history|historical|old|legacy|deprecated|phase|phases|"
    r"sprint|sprints|week|weeks|milestones?|sessions?|status|reports?|logs?|uat|retro\w*|"
    r"post-?mortems?|incidents|(?:19|20)\d\d)(?:$|[\W_\d])",
    re.IGNORECASE,
)


def _section_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def folder_placement(
    lay: Layout,
    sections: Iterable[str],
    *,
    kinds: dict[str, str] | None = None,
    title_of: Callable[[str], str] | None = None,
) -> dict[str, str]:
    """Where each top-level docs folder appears in the nav: a section, "archive", or itself ("").

    The files stay where they are; only the nav groups them. A folder named after a section (in any
    case) is that section. A folder of records (its name says so, or most of its documents are
    history in the plan's judgement, `kinds`: repository path -> kind) goes under the archive. Any
    other folder goes under the section its name, else most of its documents' titles
    (`title_of`: repository path -> title), point to, by the words that file moved documents into
    sections.
    """
    from ..decide.rules import SECTION_WORDS

    order = list(sections)
    by_key = {_section_key(s): s for s in order}
    site_pages = set(lay.site_of.values()) | set(lay.generated)
    folders = sorted({p.split("/")[0] for p in site_pages if "/" in p} - {"project", lay.archive})
    out: dict[str, str] = {}
    for folder in folders:
        if _section_key(folder) in by_key:
            out[folder] = by_key[_section_key(folder)]
            continue
        docs = [r for r, s in lay.pages if s.startswith(folder + "/")]
        history = [r for r in docs if kinds and kinds.get(r) in _HISTORY_KINDS]
        if _HISTORY_NAME.search(folder) or (docs and kinds and len(history) * 5 >= len(docs) * 3):
            out[folder] = "archive"
            continue
        words = _humanize(folder)

        def vote(text: str) -> str | None:
            for section, pattern in SECTION_WORDS:
                if section in by_key.values() and pattern.search(text):
                    return section
            return None

        found = vote(words)
        if found is None and title_of is not None:
            votes: dict[str, int] = {}
            for r in docs:
                v = vote(title_of(r))
                if v:
                    votes[v] = votes.get(v, 0) + 1
            if votes:
                found = max(votes, key=lambda k: (votes[k], -order.index(k)))
        if found is None:
            found = "guides" if "guides" in order else (order[0] if order else "")
        out[folder] = found
    return out
