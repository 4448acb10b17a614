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

Where each document appears, the nav and the generated pages are decided in `layout.py` and `nav.py`; this
module writes mkdocs.yml from them and runs MkDocs.
"""

from __future__ import annotations

import dataclasses
import logging
import posixpath
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core import gitio
from ..core.config import Config
from ..core.conventions import is_site_page
from ..core.errors import BuildFailed, GitError, PlanError, SiteError
from ..core.mkdocs_yaml import load_tagged, yaml_block
from ..core.models import Plan
from ..decide.planfile import RECORD, load_plan
from .layout import Layout, describe, folder_placement, layout, read_text
from .nav import navigation
from .render import render

CONFIG_FILE = "mkdocs.yml"
PLAN_FILE = RECORD.as_posix()  # the plan `apply` committed
PLUGIN = "consolidate"


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
        if new is None or old in current or not is_site_page(old):
            continue
        out[old] = new
    return out


# ---------------------------------------------------------------- mkdocs.yml


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
    pages: int  # pages in the site: repository documents and generated pages (what the build writes)
    root_files: tuple[str, ...]  # root files shown in the site (never moved)
    generated: tuple[str, ...]  # pages the plugin generates at build time
    redirects: int  # redirects the tool maintains

    @property
    def changed(self) -> bool:
        return bool(self.changes)


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
        data = load_tagged(text) or {}
    except yaml.YAMLError as exc:
        raise SiteError(f"mkdocs.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteError("mkdocs.yml must be a mapping of settings")
    changes: list[str] = []
    replaced: dict[str, Any] = {}

    if data.get("nav") != nav:
        replaced["nav"] = nav
        changes.append("nav: " + ("replaced" if "nav" in data else "added"))

    new_plugins = _updated_plugins(data, options, redirects, changes)
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
    return _splice(text, replaced), changes


def _updated_plugins(
    data: dict[str, Any], options: dict[str, Any], redirects: dict[str, str], changes: list[str]
) -> list[Any]:
    """The owner's plugins with ours added or updated (consolidate before redirects); notes each change."""
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
    return _plugin_list(items)


def _splice(text: str, replaced: dict[str, Any]) -> str:
    """`text` with the top-level blocks of `replaced` rewritten in place (new ones appended)."""
    out: list[str] = []
    seen: set[str] = set()
    for block_key, chunk in _blocks(text):
        if block_key is not None and block_key in replaced:
            seen.add(block_key)
            trailing = chunk[len(chunk.rstrip("\n")) :]
            block = yaml_block({block_key: replaced[block_key]})
            out.append(block if trailing.count("\n") <= 1 else block + "\n" * (trailing.count("\n") - 1))
        else:
            out.append(chunk)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for key, value in replaced.items():
        if key not in seen:
            out.append(yaml_block({key: value}))
    return "".join(out)


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
    placement = folder_placement(
        lay,
        config.sections,
        kinds=_kinds(plan),
        title_of=lambda path: describe(read_text(repo / path), posixpath.basename(path))[0],
    )
    nav = navigation(lay, config.sections, placement)
    redirects = redirect_map(plan, lay)
    remote = config.repo_url or repo_url or _remote(repo)
    url = web_url(remote) if remote else ""
    options = _plugin_options(plan, url)
    created = not path.exists()
    # One count of pages everywhere: the documents and the generated pages, as the nav lists
    # them and the build writes them (redirect stubs are counted apart).
    pages = len(set(lay.site_of.values()) | set(lay.generated))
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
        changes = ["mkdocs.yml: created"]
    else:
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SiteError(f"cannot read {path}: {exc}") from exc
        text, changes = _update_existing(old, nav, options, redirects)
        if text == old:
            changes = []
    docs = repo / lay.docs_dir
    if not docs.exists() and docs.resolve().is_relative_to(repo.resolve()):
        # MkDocs refuses a docs folder that does not exist, and a repository may have none (never
        # consolidated, or back as it was after `undo`): the site is then its root files alone.
        try:
            docs.mkdir(parents=True)
        except OSError as exc:
            raise SiteError(f"cannot create the docs folder {docs}: {exc}") from exc
    if created or changes:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SiteError(f"cannot write {path}: {exc}") from exc
    return SiteResult(
        config_file=path,
        created=created,
        changes=tuple(changes),
        pages=pages,
        root_files=lay.root_files,
        generated=lay.generated,
        redirects=len(redirects),
    )


def _kinds(plan: Plan | None) -> dict[str, str]:
    """Current repository path -> the kind of document the plan judged it (history or live)."""
    if plan is None:
        return {}
    moves = plan.moves()
    return {moves.get(e.source, e.source): e.kind for e in plan.entries if e.kind}


def _with_owner_docs_dir(path: Path, config: Config) -> Config:
    """An existing mkdocs.yml may name another docs folder: the site follows what MkDocs will read."""
    if not path.is_file():
        return config
    try:
        data = load_tagged(path.read_text(encoding="utf-8"))
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
        title, _ = describe(read_text(repo / lay.home), repo.name)
        if title and len(title) <= 60:
            return title
    return repo.resolve().name


# ---------------------------------------------------------------- build and serve


@dataclass(frozen=True)
class BuildResult:
    site_dir: Path
    pages: int  # HTML pages written, redirect stubs and 404.html aside
    warnings: tuple[str, ...]  # warnings MkDocs and its plugins logged
    infos: tuple[str, ...]  # notes from the consolidate plugin (e.g. links broken before consolidation)
    seconds: float
    redirects: int = 0  # redirect stubs written for pages that moved


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
    from mkdocs.exceptions import Abort, ConfigurationError

    path = repo / CONFIG_FILE
    if not path.is_file():
        raise SiteError(f"{path} does not exist: run `consolidate site` first")
    with _Capture() as seen:
        try:
            return mkdocs_config.load_config(config_file=str(path), **overrides)
        except (ConfigurationError, Abort) as exc:
            # MkDocs logs each problem and raises a summary ("Aborted with 1 configuration error!")
            details = "".join(f"\n  {w}" for w in seen.warnings) or f" {exc}"
            raise SiteError(f"mkdocs.yml is not valid:{details}") from exc


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
            raise BuildFailed(f"the site build failed: {exc}{lines}") from exc
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise SiteError(f"the site build failed: {exc}") from exc
        except Exception as exc:
            # Anything else comes from rendering a document (Python-Markdown recurses once per
            # nesting level, so a list nested thousands deep raises RecursionError): name the page.
            raise _page_failure(cfg, seen.warnings, exc) from exc
    out = Path(cfg["site_dir"])
    stubs = _redirect_stubs(cfg, out)
    copies = _static_copies(Path(cfg["docs_dir"]), out)
    pages = sum(1 for p in _html_files(out) if p not in stubs and p not in copies)
    return BuildResult(
        site_dir=out,
        pages=pages,
        redirects=len(stubs),
        warnings=tuple(seen.warnings),
        infos=tuple(seen.infos),
        seconds=time.monotonic() - start,
    )


_PAGE_ERROR = re.compile(r"^Error reading page '(.+?)':")


def _page_failure(cfg: Any, logged: list[str], exc: BaseException) -> BuildFailed:
    """A build stopped by an unexpected error, as a message naming the page MkDocs was rendering."""
    what = f"{type(exc).__name__}: {exc}"
    page = next((m.group(1) for m in map(_PAGE_ERROR.match, logged) if m), None)
    if page is None:
        return BuildFailed(f"the site build failed: {what}")
    plugin = cfg["plugins"].get(PLUGIN)
    lay = getattr(plugin, "lay", None)
    source = lay.repo_of.get(page) if isinstance(lay, Layout) else None
    where = f"{source} (page {page})" if source and source != page else page
    hint = "; it nests too deeply to render: flatten it" if isinstance(exc, RecursionError) else "; fix it"
    return BuildFailed(
        f"the site build stopped at {where}: {what}{hint}, or leave it out of the site "
        "(`exclude_docs` in mkdocs.yml)"
    )


def _redirect_stubs(cfg: Any, out: Path) -> set[Path]:
    """The HTML files the redirects plugin wrote (one per old page address that is not a page)."""
    plugin = cfg["plugins"].get("redirects")
    maps = plugin.config.get("redirect_maps") if plugin is not None else None
    if not maps:
        return set()
    from mkdocs.structure.files import File

    stubs = set()
    for old in maps:
        dest = out / File(str(old), "", "", cfg["use_directory_urls"]).dest_path
        if dest.is_file():
            stubs.add(dest)
    return stubs


def _html_files(site: Path) -> Iterator[Path]:
    yield from (p for p in site.rglob("*.html") if p.name != "404.html")


def _static_copies(docs: Path, site: Path) -> set[Path]:
    """HTML files of the docs folder that MkDocs copied as they are (an old build committed there, a
    hand-written page): files of the site, not pages it rendered. One that a page's address took over
    holds the page, and counts."""
    found = set()
    for source in docs.rglob("*.html") if docs.is_dir() else ():
        copy = site / source.relative_to(docs)
        if copy.is_file() and copy.read_bytes() == source.read_bytes():
            found.add(copy)
    return found


def serve_url(repo: Path, dev_addr: str = "127.0.0.1:8000") -> str:
    """The address `serve_site` serves on: `dev_addr` and the path of the owner's `site_url`."""
    host, _, port = dev_addr.rpartition(":")
    mount = "/"
    try:
        data = load_tagged((Path(repo) / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    site_url = data.get("site_url") if isinstance(data, dict) else None
    if isinstance(site_url, str) and site_url.strip():
        from urllib.parse import urlsplit

        mount = urlsplit(site_url.strip()).path or "/"
    if not mount.endswith("/"):
        mount += "/"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host or '127.0.0.1'}:{port}{mount}"


class _Forward(logging.Handler):
    """Hands what MkDocs logs while serving (building, built, reloading) to a callback."""

    def __init__(self, progress: Callable[[int, str], None]) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.progress(record.levelno, record.getMessage())
        except Exception:  # progress display must never stop the server
            self.handleError(record)


def serve_site(
    repo: Path, *, dev_addr: str = "127.0.0.1:8000", progress: Callable[[int, str], None] | None = None
) -> None:
    """Serve the site with live reload until interrupted; `progress` receives what MkDocs logs
    (level, message): the first build, each rebuild, warnings."""
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    repo = Path(repo).resolve()
    path = repo / CONFIG_FILE
    if not path.is_file():
        raise SiteError(f"{path} does not exist: run `consolidate site` first")
    logger = logging.getLogger("mkdocs")
    level = logger.level
    handler = _Forward(progress) if progress is not None else None
    if handler is not None:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    capture = _Capture()
    try:
        with capture:
            mkdocs_serve.serve(config_file=str(path), dev_addr=dev_addr)
    except MkDocsException as exc:
        raise SiteError(f"cannot serve the site: {exc}") from exc
    except OSError as exc:
        raise SiteError(f"cannot serve the site on {dev_addr}: {exc}") from exc
    except Exception as exc:  # the first build stopped on a page (rebuilds report and go on)
        raise _page_failure({"plugins": {}}, capture.handler.warnings, exc) from exc
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(level)
