"""The nav and the pages generated from the layout (`layout.py`: where every document appears).

`layout()` maps the repository onto the site; the nav (sections, archive by time and topic) and the
generated index, topics and report pages are all derived from that one mapping. It lives apart from
`build.py` because the MkDocs plugin (`plugin.py`) needs it at build time, while `build.py` writes
mkdocs.yml and drives MkDocs: both read the same layout, so the nav written to mkdocs.yml names
exactly the pages the plugin produces.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.models import Plan
from ..security.sanitize import escape_html
from .layout import (
    HOME_SECTION,
    Layout,
    _case_rank,
    _humanize,
    _section_key,
    describe,
    read_text,
)
from .render import render

# ---------------------------------------------------------------- navigation


def _nav_title(folder: str) -> str:
    return escape_html(_humanize(folder.rsplit("/", 1)[-1]))


def _folder_nav(
    folder: str, lay: Layout, pages: list[str], skip: set[str], also: Iterable[str] = ()
) -> list[Any]:
    """Nav items of one site folder: its index, its pages, then its sub-folders (nested, collapsed).

    `also` are folders whose names differ from this one only in case: their pages are shown here,
    once, rather than as a second entry with the same name.
    """
    items: list[Any] = []
    index = lay.index_of.get(folder)
    if index:
        items.append(index)
    for variant in (folder, *also):
        direct = sorted(p for p in pages if posixpath.dirname(p) == variant and p != index and p not in skip)
        items.extend(direct)
    subs: dict[str, list[str]] = {}
    for variant in (folder, *also):
        for sub in _subfolders(variant, pages):
            path = f"{variant}/{sub}"
            if path not in skip:
                subs.setdefault(sub.lower(), []).append(path)
    for _, paths in sorted(subs.items()):
        first, *rest = sorted(paths, key=_case_rank)
        items.append({_nav_title(first): _folder_nav(first, lay, pages, skip, rest)})
    return items


def navigation(lay: Layout, sections: Iterable[str], placement: dict[str, str] | None = None) -> list[Any]:
    """The nav: Home (root files, getting started, the report), sections in order, the archive.

    `placement` (see `folder_placement`) puts docs folders under the section they belong to; without
    it every folder is a section of its own, as before.
    """
    sections = list(sections)
    site_pages = sorted(set(lay.site_of.values()) | set(lay.generated))
    home_site = lay.site_of.get(lay.home, "index.md") if lay.home else "index.md"
    report = next(
        (g for g in lay.generated if posixpath.basename(g).startswith("consolidation-report")), None
    )
    topics = next((g for g in lay.generated if lay.archive and g.startswith(lay.archive + "/topics")), None)
    home_items: list[Any] = [home_site]
    home_items += [lay.site_of[r] for r in lay.root_files if r != lay.home]
    top_level = [p for p in site_pages if "/" not in p and p not in home_items and p != report]
    home_items += top_level
    project = [p for p in site_pages if p.startswith("project/") and p not in home_items]
    home_items += project
    nav: list[Any] = [{"Home": home_items}]
    folders = sorted({p.split("/")[0] for p in site_pages if "/" in p} - {"project", lay.archive})
    place = placement if placement is not None else {f: "" for f in folders}
    # a section: the folder of that name (any case variant), then the folders placed into it
    own: dict[str, list[str]] = {}
    guests: dict[str, list[str]] = {}
    to_archive: list[str] = []
    for folder in folders:
        target = place.get(folder, "")
        if target == "archive":
            to_archive.append(folder)
        elif target and _section_key(folder) == _section_key(target):
            own.setdefault(target, []).append(folder)
        elif target:
            guests.setdefault(target, []).append(folder)
        else:
            own.setdefault(folder, []).append(folder)
    names = [s for s in sections if s in own or s in guests]
    names += sorted(n for n in own if n not in sections)
    for name in names:
        variants = sorted(own.get(name, []), key=_case_rank)
        items: list[Any] = []
        if variants:
            items = _folder_nav(variants[0], lay, site_pages, set(), variants[1:])
        merged: dict[str, list[str]] = {}
        for folder in guests.get(name, []):
            merged.setdefault(folder.lower(), []).append(folder)
        for _, group in sorted(merged.items()):
            first, *rest = sorted(group, key=_case_rank)
            items.append({_nav_title(first): _folder_nav(first, lay, site_pages, set(), rest)})
        title = _nav_title(variants[0]) if variants else _nav_title(name)
        if name == HOME_SECTION:
            home_items.append({title: items})  # where a reader starts: one tab fewer to scan
        else:
            nav.append({title: items})
    archive_items: list[Any] = []
    if lay.archive:
        archive_items.append(lay.index_of[lay.archive])
        if topics:
            archive_items.append(topics)
        inner = _folder_nav(lay.archive, lay, site_pages, {topics} if topics else set())
        loose = [i for i in inner[1:] if isinstance(i, str)]
        nested = [i for i in inner[1:] if not isinstance(i, str)]
        archive_items += loose
        if nested:
            archive_items.append({"By time": nested})
    if to_archive:
        merged = {}
        for folder in to_archive:
            merged.setdefault(folder.lower(), []).append(folder)
        older = []
        for _, group in sorted(merged.items()):
            first, *rest = sorted(group, key=_case_rank)
            older.append({_nav_title(first): _folder_nav(first, lay, site_pages, set(), rest)})
        archive_items.append({"Other records": older})
    if archive_items:
        nav.append({"Archive": archive_items})
    if report:
        home_items.append({"Consolidation report": report})
    return nav


# ---------------------------------------------------------------- generated pages


@dataclass(frozen=True)
class Entry:
    """One line of an index page."""

    link: str  # relative site path from the index page
    title: str
    description: str = ""
    note: str = ""  # e.g. "superseded by ..."
    note_link: str = ""


@dataclass(frozen=True)
class PageSources:
    """What the generated pages are made of (read once per build)."""

    repo: Path
    lay: Layout
    plan: Plan | None
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # site path -> (title, description)

    canon: dict[str, str] = field(default_factory=dict)  # filled on first use, see canonical()

    def canonical(self) -> dict[str, str]:
        if not self.canon and self.plan is not None:
            self.canon.update(canonical_of(self.plan))
        return self.canon

    def info(self, site: str) -> tuple[str, str]:
        if site not in self.titles:
            repo_path = self.lay.repo_of.get(site)
            if repo_path is None:
                self.titles[site] = (_humanize(posixpath.basename(posixpath.dirname(site)) or site), "")
            else:
                self.titles[site] = describe(read_text(self.repo / repo_path), posixpath.basename(repo_path))
        return self.titles[site]


def canonical_of(plan: Plan | None) -> dict[str, str]:
    """Current path of an archived duplicate -> current path of the document that supersedes it."""
    if plan is None:
        return {}
    moves = plan.moves()
    out = {}
    for e in plan.entries:
        if e.canonical and e.action in ("archive", "merge"):
            here = moves.get(e.source, e.source)
            out[here] = moves.get(e.canonical, e.canonical)
    return out


def _rel(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def _entries(src: PageSources, page: str, sites: Iterable[str]) -> list[Entry]:
    canon = src.canonical()
    site_of = src.lay.site_of
    repo_of = src.lay.repo_of
    out = []
    for site in sites:
        title, description = src.info(site)
        note = note_link = ""
        target = canon.get(repo_of.get(site, ""))
        if target and target in site_of:
            note = src.info(site_of[target])[0]
            note_link = _rel(page, site_of[target])
        out.append(Entry(_rel(page, site), title, description, note, note_link))
    return out


def _subfolders(folder: str, pages: Iterable[str]) -> list[str]:
    """Names of the folders directly below `folder` ("" is the docs root) that hold pages."""
    prefix = folder + "/" if folder else ""
    return sorted(
        {p[len(prefix) :].split("/")[0] for p in pages if p.startswith(prefix) and "/" in p[len(prefix) :]}
    )


def _text_entries(index: str, text_files: Iterable[str]) -> list[Entry]:
    """Lines for the text files of the index's folder: linked as files (MkDocs copies them unrendered)."""
    folder = posixpath.dirname(index)
    return [
        Entry(_rel(index, f), posixpath.basename(f), "text file, kept as it was (not rendered)")
        for f in text_files
        if posixpath.dirname(f) == folder
    ]


def folder_page(src: PageSources, index: str) -> str:
    """The generated index of a site folder: its pages with descriptions, then its sub-folders."""
    folder = posixpath.dirname(index)
    lay = src.lay
    all_pages = sorted(set(lay.site_of.values()) | set(lay.generated))
    # folders whose names differ only in case are one folder in the site
    same = {posixpath.dirname(p) for p in all_pages if posixpath.dirname(p).lower() == folder.lower()}
    same.add(folder)
    pages = [
        p
        for p in all_pages
        if posixpath.dirname(p) in same and p != index and not p.startswith(f"{lay.archive}/topics")
    ]
    sub_entries = []
    listed: set[str] = set()
    for variant in sorted(same, key=_case_rank):
        for sub in _subfolders(variant, all_pages):
            path = f"{variant}/{sub}" if variant else sub
            sub_index = lay.index_of.get(path)
            if sub_index and sub_index not in listed:
                listed.add(sub_index)
                count = sum(1 for p in lay.site_of.values() if p.lower().startswith(path.lower() + "/"))
                sub_entries.append(Entry(_rel(index, sub_index), _humanize(sub), f"{count} pages"))
    in_archive = bool(lay.archive) and (folder == lay.archive or folder.startswith(lay.archive + "/"))
    topics = next((g for g in lay.generated if lay.archive and g.startswith(lay.archive + "/topics")), None)
    return render(
        "mkdocs/folder.md.j2",
        title=(
            "Archive" if folder == lay.archive else _humanize(posixpath.basename(folder)) or "Documentation"
        ),
        archive=in_archive,
        is_archive_root=folder == lay.archive,
        topics=_rel(index, topics) if topics and folder == lay.archive else "",
        entries=_entries(src, index, pages) + _text_entries(index, lay.text_files),
        folders=sub_entries,
    )


def topics_page(src: PageSources, page: str) -> str:
    """The archive by series or topic: archived documents grouped by their group folder and cluster."""
    lay = src.lay
    prefix = lay.archive + "/"
    archived = sorted(
        s for s in lay.site_of.values() if s.startswith(prefix) and s not in lay.index_of.values()
    )
    groups: dict[str, list[str]] = {}
    for site in archived:
        parts = site[len(prefix) :].split("/")
        # the group is the folder that is not a period (periods look like 2025, 2025-01, 2025-Q1)
        folders = [p for p in parts[:-1] if not re.match(r"^\d{4}([-_](\d{2}|q[1-4]|h[12]))?$", p, re.I)]
        groups.setdefault(_humanize(folders[-1]) if folders else "Other", []).append(site)
    clusters = []
    if src.plan is not None:
        site_of = lay.site_of
        moves = src.plan.moves()
        for cluster in src.plan.clusters:
            if cluster.kind not in ("series", "topic"):
                continue
            members = [site_of[m] for m in (moves.get(x, x) for x in cluster.members) if m in site_of]
            if members:
                clusters.append((cluster.label or cluster.id, _entries(src, page, members)))
    return render(
        "mkdocs/topics.md.j2",
        groups=[(name, _entries(src, page, sites)) for name, sites in sorted(groups.items())],
        clusters=clusters,
    )


def report_page(src: PageSources, page: str) -> str:
    """What moved where and why, duplicate groups with their canonical documents, old broken links."""
    plan = src.plan
    if plan is None:
        return render("mkdocs/report.md.j2", plan=None)
    site_of = src.lay.site_of
    moves = plan.moves()

    def link(repo_path: str) -> str:
        site = site_of.get(moves.get(repo_path, repo_path))
        return _rel(page, site) if site else ""

    summary = dict(plan.header.summary)
    actions: dict[str, int] = {}
    for e in plan.entries:
        actions[e.action] = actions.get(e.action, 0) + 1
    rows = [
        {
            "source": e.source,
            "action": e.action,
            "destination": e.destination or "",
            "link": link(e.source),
            "reasons": "; ".join(str(r) for r in e.reasons),
        }
        for e in plan.entries
        if e.action != "keep" or (e.destination and e.destination != e.source)
    ]
    duplicates = []
    for c in plan.clusters:
        if c.kind != "duplicate":
            continue
        duplicates.append(
            {
                "label": c.label or c.id,
                "canonical": c.canonical or "",
                "canonical_link": link(c.canonical) if c.canonical else "",
                "members": [(m, moves.get(m, m), link(m)) for m in c.members if m != c.canonical],
                "evidence": list(c.evidence),
            }
        )
    broken = [
        {
            "source": moves.get(b.source, b.source),
            "line": b.line,
            "target": b.target,
            "reason": b.reason,
            "suggestion": b.suggestion or "",
        }
        for b in plan.broken_links
    ]
    return render(
        "mkdocs/report.md.j2",
        plan=plan,
        root_before=summary.get("root_before"),
        root_after=summary.get("root_after", sum(1 for r in src.lay.root_files)),
        actions=sorted(actions.items()),
        rows=rows,
        duplicates=duplicates,
        broken=broken,
    )


def generated_page(src: PageSources, site: str) -> str:
    """The Markdown of one generated page."""
    lay = src.lay
    if posixpath.basename(site).startswith("consolidation-report"):
        return report_page(src, site)
    if lay.archive and site.startswith(lay.archive + "/topics"):
        return topics_page(src, site)
    return folder_page(src, site)


def superseded_notice(title: str, link: str) -> str:
    return render("mkdocs/superseded.md.j2", title=title, link=link)
