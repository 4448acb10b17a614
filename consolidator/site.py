"""The MkDocs Material site of a consolidated repository: `mkdocs.yml`, generated pages, build, serve.

Where things live, and why:

* `mkdocs.yml` at the repository root is the only file written. When it already exists, only what
  the tool owns is touched: `nav`, the `consolidate` and `redirects` plugin entries (the owner's
  redirects are kept), and the settings without which the site would break (a missing `theme`,
  `validation` or material's `font: false`). Every other block stays byte for byte.
* Generated pages (folder indexes, the archive views, the consolidation report) and the root
  files (README as home, CONTRIBUTING, ...) are virtual: the `consolidate` MkDocs plugin creates
  them at build time from the repository and the applied plan. The repository stays clean, there is
  nothing to ignore or to keep in sync, and a rebuild always reflects the current files.

`layout()` decides where every document appears in the site; the plugin and `generate_site` both
use it, so the nav written here names exactly the pages the plugin produces.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import logging
import posixpath
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import yaml

from . import gitio
from .bundled import bundled
from .config import Config
from .errors import GitError, PlanError, SiteError
from .models import Plan
from .parse import split_front_matter
from .planfile import RECORD, load_plan
from .sanitize import escape_html, escape_markdown_inline

CONFIG_FILE = "mkdocs.yml"
PLAN_FILE = RECORD.as_posix()  # the plan `apply` committed
REPORT_PAGE = "consolidation-report.md"
PLUGIN = "consolidate"

# Root files that conventionally stay at the root, in the order the site lists them.
_ROOT_ORDER = (
    "readme",
    "contributing",
    "changelog",
    "changes",
    "history",
    "security",
    "code_of_conduct",
    "support",
    "governance",
    "authors",
    "maintainers",
)
_MD_SUFFIXES = (".md", ".markdown")


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


def is_markdown(name: str) -> bool:
    return name.lower().endswith(_MD_SUFFIXES)


def root_documents(repo: Path) -> list[str]:
    """The Markdown files at the repository root, conventional ones first (README leads)."""
    names = [p.name for p in repo.iterdir() if p.is_file() and is_markdown(p.name)]

    def order(name: str) -> tuple[int, str]:
        stem = name.rsplit(".", 1)[0].lower().replace("-", "_")
        rank = _ROOT_ORDER.index(stem) if stem in _ROOT_ORDER else len(_ROOT_ORDER)
        return rank, name.lower()

    return sorted(names, key=order)


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
        if path.is_file() and is_markdown(path.name):
            found.append(f"{docs_dir}/{rel}")
    return sorted(found)


def _free(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate


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
    for root in roots:
        if root == readme:
            continue
        site = _free(root if root.lower() not in taken else f"project/{root}", taken)
        pages[root] = site
        taken.add(site.lower())
    home = readme
    if home is None:  # the docs landing page (index.md, else README.md) is the home page
        landing = sorted((s.lower() != "index.md", r) for r, s in pages.items() if s.lower() in home_names)
        home = landing[0][1] if landing else None
    if archive and not any(s.startswith(archive + "/") for s in pages.values()):
        archive = ""  # nothing archived: no archive tab

    # Every folder holding pages gets an index: the owner's index.md / README.md, else a generated one.
    folders: set[str] = set()
    for site in pages.values():
        parts = site.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folders.add("/".join(parts[:i]))
    if archive:
        folders.add(archive)
    index: dict[str, str] = {}
    generated: list[str] = []
    for folder in sorted(folders):
        own = [
            s
            for s in pages.values()
            if posixpath.dirname(s) == folder and posixpath.basename(s).lower() in home_names
        ]
        if own:
            index[folder] = sorted(own, key=lambda s: posixpath.basename(s).lower() != "index.md")[0]
        elif folder == "project":
            continue
        else:
            index[folder] = f"{folder}/index.md"
            generated.append(index[folder])
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
    stem = name.rsplit(".", 1)[0] if is_markdown(name) else name
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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- plan


def load_applied_plan(repo: Path, plan_file: str = PLAN_FILE) -> Plan | None:
    """The applied plan recorded in the repository, None when there is none."""
    path = repo / plan_file
    if not path.is_file():
        return None
    try:
        return load_plan(path)
    except PlanError as exc:
        raise SiteError(f"cannot read the applied plan {plan_file}: {exc}") from exc


def redirect_map(plan: Plan | None, lay: Layout) -> dict[str, str]:
    """Old site path -> new site path for every page that moved within the docs folder."""
    if plan is None:
        return {}
    prefix = lay.docs_dir + "/"
    site_of = lay.site_of
    current = set(site_of.values()) | set(lay.generated)
    out = {}
    for source, destination in sorted(plan.moves().items()):
        if not (source.startswith(prefix) and destination.startswith(prefix)):
            continue
        old = source[len(prefix) :]
        new = site_of.get(destination)
        if new is None or old in current or not is_markdown(old):
            continue
        out[old] = new
    return out


# ---------------------------------------------------------------- templates


@functools.cache
def _templates() -> jinja2.Environment:
    root: Any
    try:
        root = importlib.resources.files("consolidator.templates")
    except ModuleNotFoundError:
        # running from a source tree whose `consolidator` shadows the installed package
        root = bundled("templates")

    def load(name: str) -> str:
        try:
            text: str = root.joinpath(*name.split("/")).read_text(encoding="utf-8")
        except OSError as exc:
            raise SiteError(f"the site template {name} is missing from the installation: {exc}") from exc
        return text

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown output: every value is escaped explicitly with `md` or `html`
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda v: escape_markdown_inline(str(v))
    env.filters["html"] = lambda v: escape_html(str(v))
    env.filters["url"] = lambda v: quote(str(v), safe="/#.-_~")
    env.filters["yaml"] = _yaml_block
    return env


def render(template: str, **values: Any) -> str:
    try:
        return _templates().get_template(template).render(**values)
    except jinja2.TemplateError as exc:
        raise SiteError(f"template {template}: {exc}") from exc


# ---------------------------------------------------------------- mkdocs.yml


class _Tagged:
    """A YAML value with a tag MkDocs understands but safe YAML does not (`!!python/name:`, `!ENV`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return _Tagged(node.tag, value)


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_Dumper.add_representer(_Tagged, _represent_tagged)


def _yaml_block(value: Any) -> str:
    text: str = yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return text


def _blocks(text: str) -> list[tuple[str | None, str]]:
    """Split a YAML file into top-level blocks: (key, text). Text before the first key has no key."""
    out: list[tuple[str | None, str]] = []
    key: str | None = None
    chunk: list[str] = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m:
            if chunk or key is not None:
                out.append((key, "".join(chunk)))
            key, chunk = m.group(1), [line]
        else:
            chunk.append(line)
    if chunk or key is not None:
        out.append((key, "".join(chunk)))
    return out


def _plugin_items(plugins: Any) -> list[tuple[str, Any]]:
    """A `plugins` value (list of names / one-key mappings, or a mapping) as (name, options) pairs."""
    items: list[tuple[str, Any]] = []
    if isinstance(plugins, dict):
        return list(plugins.items())
    for item in plugins or []:
        if isinstance(item, str):
            items.append((item, None))
        elif isinstance(item, dict) and len(item) == 1:
            ((name, options),) = item.items()
            items.append((str(name), options))
        else:
            raise SiteError(f"mkdocs.yml: cannot read the plugins entry {item!r}")
    return items


def _plugin_list(items: list[tuple[str, Any]]) -> list[Any]:
    return [name if options is None else {name: options} for name, options in items]


@dataclass(frozen=True)
class SiteResult:
    """What `generate_site` did."""

    config_file: Path
    created: bool  # mkdocs.yml did not exist before
    changes: tuple[str, ...]  # what changed in mkdocs.yml, one line each; empty when nothing did
    pages: int  # repository documents in the site
    root_files: tuple[str, ...]  # root files shown in the site (never moved)
    generated: tuple[str, ...]  # pages the plugin generates at build time
    redirects: int  # redirects the tool maintains

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _nav_title(folder: str) -> str:
    return escape_html(_humanize(folder.rsplit("/", 1)[-1]))


def _folder_nav(folder: str, lay: Layout, pages: list[str], skip: set[str]) -> list[Any]:
    """Nav items of one site folder: its index, its pages, then its sub-folders (nested, collapsed)."""
    items: list[Any] = []
    index = lay.index_of.get(folder)
    if index:
        items.append(index)
    direct = sorted(p for p in pages if posixpath.dirname(p) == folder and p != index and p not in skip)
    items.extend(direct)
    for sub in _subfolders(folder, pages):
        path = f"{folder}/{sub}"
        if path in skip:
            continue
        items.append({_nav_title(path): _folder_nav(path, lay, pages, skip)})
    return items


def navigation(lay: Layout, sections: Iterable[str]) -> list[Any]:
    """The nav: home and root files, sections in configured order, other folders, archive, report."""
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
    ordered = [s for s in sections if s in folders] + [f for f in folders if f not in sections]
    for folder in ordered:
        nav.append({_nav_title(folder): _folder_nav(folder, lay, site_pages, set())})
    if lay.archive:
        items: list[Any] = [lay.index_of[lay.archive]]
        if topics:
            items.append(topics)
        inner = _folder_nav(lay.archive, lay, site_pages, {topics} if topics else set())
        loose = [i for i in inner[1:] if isinstance(i, str)]
        nested = [i for i in inner[1:] if not isinstance(i, str)]
        items += loose
        if nested:
            items.append({"By time": nested})
        nav.append({"Archive": items})
    if report:
        nav.append({"Consolidation report": report})
    return nav


def web_url(remote: str) -> str:
    """A browsable https URL for a git remote (`git@host:o/r.git`, `ssh://`, `https://...git`)."""
    url = remote.strip()
    m = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+)$", url)
    if m:
        url = f"https://{m.group(1)}/{m.group(2)}"
    url = re.sub(r"^http://", "https://", url) if url.startswith("http://") else url
    url = re.sub(r"//[^/@]+@", "//", url)  # never publish credentials embedded in a remote URL
    return url.removesuffix("/").removesuffix(".git")


_THEME: dict[str, Any] = {
    "name": "material",
    "font": False,
    "features": [
        "navigation.tabs",
        "navigation.sections",
        "navigation.indexes",
        "navigation.prune",  # each page carries only the nav it shows: big navs stay fast to build
        "navigation.top",
        "search.suggest",
        "search.highlight",
        "content.code.copy",
    ],
    "palette": [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "toggle": {"icon": "material/brightness-7", "name": "Switch to dark mode"},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            "toggle": {"icon": "material/brightness-4", "name": "Switch to light mode"},
        },
    ],
}
_VALIDATION: dict[str, Any] = {
    "nav": {"omitted_files": "warn", "not_found": "warn", "absolute_links": "warn"},
    "links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn", "absolute_links": "warn"},
}


def _plugin_options(plan: Plan | None, repo_url: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if plan is not None:
        options["plan"] = PLAN_FILE
    if repo_url:
        options["repo_url"] = repo_url
    return options


def _update_existing(
    text: str, nav: list[Any], options: dict[str, Any], redirects: dict[str, str]
) -> tuple[str, list[str]]:
    try:
        data = yaml.load(text, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        raise SiteError(f"mkdocs.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteError("mkdocs.yml must be a mapping of settings")
    changes: list[str] = []
    replaced: dict[str, Any] = {}

    if data.get("nav") != nav:
        replaced["nav"] = nav
        changes.append("nav: " + ("replaced" if "nav" in data else "added") + f" ({_count(nav)} pages)")

    had_plugins = "plugins" in data
    items: list[tuple[str, Any]] = _plugin_items(data.get("plugins")) if had_plugins else [("search", None)]
    names = [n for n, _ in items]
    if PLUGIN in names:
        i = names.index(PLUGIN)
        old = items[i][1] or {}
        new = {**old, **options} if isinstance(old, dict) else dict(options)
        for key in ("plan", "repo_url"):
            if key not in options:
                new.pop(key, None)
        if new != old:
            changes.append("plugins: consolidate options updated")
        items[i] = (PLUGIN, new or None)
    else:
        at = 1 if names[:1] == ["search"] else 0
        items.insert(at, (PLUGIN, options or None))
        changes.append("plugins: added consolidate")
    names = [n for n, _ in items]
    if "redirects" in names:
        i = names.index("redirects")
        old = items[i][1] or {}
        maps = dict((old.get("redirect_maps") or {}) if isinstance(old, dict) else {})
        added = {k: v for k, v in redirects.items() if k not in maps}
        if added:
            maps.update(added)
            items[i] = ("redirects", {**(old if isinstance(old, dict) else {}), "redirect_maps": maps})
            changes.append(f"plugins: {len(added)} redirects added (owner's redirects kept)")
        if i < names.index(PLUGIN):
            # the redirects plugin lists the pages in on_files: the root pages must exist by then
            entry = items.pop(names.index(PLUGIN))
            items.insert(i, entry)
            changes.append("plugins: consolidate moved before redirects")
    elif redirects:
        items.insert(names.index(PLUGIN) + 1, ("redirects", {"redirect_maps": redirects}))
        changes.append(f"plugins: added redirects ({len(redirects)} redirects)")
    new_plugins = _plugin_list(items)
    if new_plugins != data.get("plugins"):
        replaced["plugins"] = new_plugins

    theme = data.get("theme")
    if theme is None:
        replaced["theme"] = _THEME
        changes.append("theme: added material (the owner had none)")
    elif (theme == "material" or (isinstance(theme, dict) and theme.get("name") == "material")) and (
        not isinstance(theme, dict) or "font" not in theme
    ):
        new_theme = {"name": "material"} if not isinstance(theme, dict) else dict(theme)
        new_theme["font"] = False
        replaced["theme"] = new_theme
        changes.append("theme: font: false added (fonts are bundled, the site works offline)")
    if "validation" not in data:
        replaced["validation"] = _VALIDATION
        changes.append("validation: added (broken links, anchors and pages left out of the nav warn)")

    if not replaced:
        return text, changes
    out: list[str] = []
    seen: set[str] = set()
    for block_key, chunk in _blocks(text):
        if block_key is not None and block_key in replaced:
            seen.add(block_key)
            trailing = chunk[len(chunk.rstrip("\n")) :]
            block = _yaml_block({block_key: replaced[block_key]})
            out.append(block if trailing.count("\n") <= 1 else block + "\n" * (trailing.count("\n") - 1))
        else:
            out.append(chunk)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for key, value in replaced.items():
        if key not in seen:
            out.append(_yaml_block({key: value}))
    return "".join(out), changes


def _count(nav: Any) -> int:
    if isinstance(nav, str):
        return 1
    if isinstance(nav, list):
        return sum(_count(i) for i in nav)
    if isinstance(nav, dict):
        return sum(_count(v) for v in nav.values())
    return 0


def generate_site(
    repo: Path, *, config: Config, plan: Plan | None, repo_url: str | None = None
) -> SiteResult:
    """Write or update `mkdocs.yml` so the site follows the consolidated tree.

    Links to files outside the docs lead to the repository's web view: `config.repo_url`, else
    `repo_url`, else the git remote `origin`.
    """
    repo = Path(repo)
    if not repo.is_dir():
        raise SiteError(f"{repo} is not a directory")
    path = repo / CONFIG_FILE
    config = _with_owner_docs_dir(path, config)
    lay = layout(repo, config, report=plan is not None)
    nav = navigation(lay, config.sections)
    redirects = redirect_map(plan, lay)
    remote = config.repo_url or repo_url or _remote(repo)
    url = web_url(remote) if remote else ""
    options = _plugin_options(plan, url)
    created = not path.exists()
    if created:
        text = render(
            "mkdocs/mkdocs.yml.j2",
            site_name=_site_name(repo, lay),
            docs_dir=lay.docs_dir,
            nav=nav,
            plugins=_plugin_list(
                [("search", None), (PLUGIN, options or None)]
                + ([("redirects", {"redirect_maps": redirects})] if redirects else [])
            ),
            theme=_THEME,
            validation=_VALIDATION,
        )
        changes = [f"mkdocs.yml: created ({_count(nav)} pages, {len(redirects)} redirects)"]
    else:
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SiteError(f"cannot read {path}: {exc}") from exc
        text, changes = _update_existing(old, nav, options, redirects)
        if text == old:
            changes = []
    if created or changes:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SiteError(f"cannot write {path}: {exc}") from exc
    return SiteResult(
        config_file=path,
        created=created,
        changes=tuple(changes),
        pages=len(lay.pages),
        root_files=lay.root_files,
        generated=lay.generated,
        redirects=len(redirects),
    )


def _with_owner_docs_dir(path: Path, config: Config) -> Config:
    """An existing mkdocs.yml may name another docs folder: the site follows what MkDocs will read."""
    if not path.is_file():
        return config
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return config  # reported with a clear message when the file is updated
    docs_dir = data.get("docs_dir") if isinstance(data, dict) else None
    wanted = docs_dir.strip("/") if isinstance(docs_dir, str) else ""
    if wanted and wanted != config.docs_dir.strip("/"):
        return dataclasses.replace(config, docs_dir=wanted)
    return config


def _remote(repo: Path) -> str | None:
    try:
        return gitio.remote_url(repo) if gitio.git_available() and gitio.is_work_tree(repo) else None
    except GitError:
        return None


def _site_name(repo: Path, lay: Layout) -> str:
    if lay.home:
        title, _ = describe(_read(repo / lay.home), repo.name)
        if title and len(title) <= 60:
            return title
    return repo.resolve().name


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
                self.titles[site] = describe(_read(self.repo / repo_path), posixpath.basename(repo_path))
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


def folder_page(src: PageSources, index: str) -> str:
    """The generated index of a site folder: its pages with descriptions, then its sub-folders."""
    folder = posixpath.dirname(index)
    lay = src.lay
    all_pages = sorted(set(lay.site_of.values()) | set(lay.generated))
    pages = [
        p
        for p in all_pages
        if posixpath.dirname(p) == folder and p != index and not p.startswith(f"{lay.archive}/topics")
    ]
    sub_entries = []
    for sub in _subfolders(folder, all_pages):
        path = f"{folder}/{sub}" if folder else sub
        sub_index = lay.index_of.get(path)
        if sub_index:
            count = sum(1 for p in lay.site_of.values() if p.startswith(path + "/"))
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
        entries=_entries(src, index, pages),
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
            "reasons": "; ".join(e.reasons),
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


# ---------------------------------------------------------------- build and serve


@dataclass(frozen=True)
class BuildResult:
    site_dir: Path
    pages: int  # HTML pages written
    warnings: tuple[str, ...]  # warnings MkDocs and its plugins logged
    infos: tuple[str, ...]  # notes from the consolidate plugin (e.g. links broken before consolidation)
    seconds: float


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            self.warnings.append(message)
        elif record.name.startswith("mkdocs.plugins.consolidate"):
            self.infos.append(message)


def _load_mkdocs_config(repo: Path, **overrides: Any) -> Any:
    from mkdocs import config as mkdocs_config
    from mkdocs.exceptions import ConfigurationError

    path = repo / CONFIG_FILE
    if not path.is_file():
        raise SiteError(f"{path} does not exist: run `consolidate site` first")
    try:
        return mkdocs_config.load_config(config_file=str(path), **overrides)
    except ConfigurationError as exc:
        raise SiteError(f"mkdocs.yml is not valid: {exc}") from exc


@dataclass
class _Capture:
    handler: _Collect = field(default_factory=_Collect)
    level: int = logging.NOTSET

    def __enter__(self) -> _Collect:
        logger = logging.getLogger("mkdocs")
        self.level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self.handler)
        return self.handler

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("mkdocs")
        logger.removeHandler(self.handler)
        logger.setLevel(self.level)


def build_site(repo: Path, *, strict: bool = True, site_dir: Path | None = None) -> BuildResult:
    """Build the site with MkDocs in-process; in strict mode any warning fails the build."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    repo = Path(repo).resolve()
    overrides: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(Path(site_dir).resolve())
    start = time.monotonic()
    with _Capture() as seen:
        cfg = _load_mkdocs_config(repo, **overrides)
        try:
            mkdocs_build.build(cfg)
        except MkDocsException as exc:
            lines = "".join(f"\n  {w}" for w in seen.warnings)
            raise SiteError(f"the site build failed: {exc}{lines}") from exc
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise SiteError(f"the site build failed: {exc}") from exc
    out = Path(cfg["site_dir"])
    pages = sum(1 for _ in _html_files(out))
    return BuildResult(
        site_dir=out,
        pages=pages,
        warnings=tuple(seen.warnings),
        infos=tuple(seen.infos),
        seconds=time.monotonic() - start,
    )


def _html_files(site: Path) -> Iterator[Path]:
    yield from (p for p in site.rglob("*.html") if p.name != "404.html")


def serve_site(repo: Path, *, dev_addr: str = "127.0.0.1:8000") -> None:
    """Serve the site with live reload until interrupted."""
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    repo = Path(repo).resolve()
    path = repo / CONFIG_FILE
    if not path.is_file():
        raise SiteError(f"{path} does not exist: run `consolidate site` first")
    try:
        mkdocs_serve.serve(config_file=str(path), dev_addr=dev_addr)
    except MkDocsException as exc:
        raise SiteError(f"cannot serve the site: {exc}") from exc
    except OSError as exc:
        raise SiteError(f"cannot serve the site on {dev_addr}: {exc}") from exc
