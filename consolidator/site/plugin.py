"""The `consolidate` MkDocs plugin: the site of a consolidated repository, built without copying files.

At build time it

* adds the root files (README as home, CONTRIBUTING, ...) and the generated pages (folder indexes,
  archive views, consolidation report) as virtual files, so nothing is copied into the repository;
* rewrites every relative link as the repository wrote it (from the document's real location) to
  the page's place in the site; links to files outside the docs go to the repository's web view,
  or become plain text when no repository URL is known;
* gives headings the ids GitHub gives them, so fragments written for GitHub keep working;
* turns links that were already broken before consolidation (the plan's `broken_links`) into plain
  text and logs them at info level, while any new broken link still fails a strict build;
* redacts detected secrets, and fails the build when one would reach the output unredacted.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import posixpath
import re
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markdown import Extension, Markdown
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url, is_markdown_file

from ..analysis.scan import anchor_key, scan_repo, secret_values
from ..core.config import Config, load_config
from ..core.errors import ConsolidatorError
from ..core.models import Document, Plan
from ..markdown.links import is_external, resolve, split_target
from ..markdown.parse import github_slug
from ..security.secrets import SecretFinding, combine, find_known, find_secrets, redact, without_allowed
from . import build as site
from . import gfm
from . import layout as sitelayout
from . import nav as sitenav

log = logging.getLogger("mkdocs.plugins.consolidate")

# Pages and images outside the docs folder are served from here (virtual files, nothing copied).
REPO_FILES = "_repository"
REDACTED = "[REDACTED]"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_RAW_TAG = re.compile(r"<(a|img)\b[^>]*>", re.IGNORECASE)
_RAW_ATTR = re.compile(r"""\b(href|src)\s*=\s*("([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*("([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+).*?\1")
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class ConsolidatePluginConfig(base.Config):  # type: ignore[no-untyped-call]
    plan = c.Type(str, default="")  # the applied plan, relative to the repository ("" = none)
    repo_url = c.Type(str, default="")  # web view for links to files outside the docs
    offline = c.Type(bool, default=True)  # external images become their alt text (no remote assets)


@dataclasses.dataclass
class _Context:
    repo_path: str | None  # where the page's document lives in the repository (None: generated)
    page: Page
    files: Files
    config: MkDocsConfig


@dataclasses.dataclass(frozen=True)
class _Target:
    """What a link becomes: a new href (`.md` paths for MkDocs to resolve), or plain text."""

    href: str | None
    text_path: str | None = None  # shown as the path when the link cannot lead anywhere
    final: bool = False  # href is already a final URL (raw HTML is not seen by MkDocs)


class ConsolidatePlugin(BasePlugin[ConsolidatePluginConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.repo = Path()
        self.settings = Config()
        self.plan: Plan | None = None
        self.known_secrets: dict[str, str] = {}
        self.lay: sitelayout.Layout | None = None
        self.current: _Context | None = None
        self.known_missing: set[tuple[str, str]] = set()
        self.known_anchor: set[tuple[str, str, str]] = set()
        self.sources: sitenav.PageSources | None = None
        self.site_ids: dict[str, _SiteIds] = {}

    # ------------------------------------------------------------ events

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.repo = Path(config.config_file_path or ".").resolve().parent
        try:
            settings = load_config(self.repo)
            docs = Path(config.docs_dir).resolve()
            if docs.is_relative_to(self.repo):
                settings = dataclasses.replace(settings, docs_dir=docs.relative_to(self.repo).as_posix())
            self.settings = settings
            self.plan = site.load_applied_plan(self.repo, self.config.plan) if self.config.plan else None
        except ConsolidatorError as exc:
            raise PluginError(str(exc)) from exc
        if self.config.plan and self.plan is None:
            raise PluginError(
                f"the plan {self.config.plan} named in mkdocs.yml does not exist; "
                "run `consolidate site` again"
            )
        self._index_broken_links()
        try:
            # A secret found in one document is redacted wherever it appears in the site.
            inventory = scan_repo(self.repo, config=self.settings)
            self.known_secrets = secret_values(inventory)
        except ConsolidatorError as exc:
            raise PluginError(str(exc)) from exc
        self.site_ids = {d.path: _SiteIds.of(d) for d in inventory.documents}
        config.markdown_extensions.append(_Extension(self))  # type: ignore[arg-type]
        gfm.configure(config.markdown_extensions, config.mdx_configs)  # GitHub's syntax, see gfm.py
        _exclude_readme_twins(config)
        _exclude_html_twins(config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        lay = sitelayout.layout(self.repo, self.settings, report=self.plan is not None)
        self.lay = lay
        self.sources = sitenav.PageSources(self.repo, lay, self.plan)
        prefix = lay.docs_dir + "/"
        # root files, and a docs landing page that gave "/" to the README, become virtual files
        moved = [
            (repo_path, site_path)
            for repo_path, site_path in lay.pages
            if not (repo_path.startswith(prefix) and repo_path[len(prefix) :] == site_path)
        ]
        for repo_path, site_path in moved:
            for uri in (repo_path[len(prefix) :] if repo_path.startswith(prefix) else None, site_path):
                old = files.get_file_from_path(uri) if uri else None
                if old is not None:
                    files.remove(old)
        for repo_path, site_path in moved:
            files.append(File.generated(config, site_path, abs_src_path=str(self.repo / repo_path)))
        for generated in lay.generated:
            if files.get_file_from_path(generated) is None:
                content = sitenav.generated_page(self.sources, generated)
                files.append(File.generated(config, generated, content=content))
        self._add_scripts(files, config)
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        # root files live outside the docs folder, which is all `mkdocs serve` watches by itself
        if self.lay is not None:
            for root in self.lay.root_files:
                server.watch(str(self.repo / root))
        return server

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.lay is not None
        repo_path = self.lay.repo_of.get(page.file.src_uri)
        if repo_path is None and not page.file.generated_by:
            # a docs file the layout did not list (e.g. excluded by the owner): it keeps its place
            candidate = f"{self.lay.docs_dir}/{page.file.src_uri}"
            repo_path = candidate if (self.repo / candidate).is_file() else None
        self.current = _Context(repo_path, page, files, config)
        title = page.meta.get("title")
        if isinstance(title, str):
            # Themes print page titles unescaped (nav, <title>, tabs): a front matter title is text.
            page.meta["title"] = html.escape(title, quote=False)
        _drop_unknown_icon(page, config)
        markdown = self._redact(markdown, repo_path or page.file.src_uri)
        if repo_path is not None:
            markdown = self._raw_html(markdown)
            markdown = self._superseded(markdown, repo_path, page)
        return markdown

    def on_page_content(self, html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.current = None
        html_text = self._diagrams(html_text, page)
        # Rendering can reveal what the Markdown hid from the scanner (`**Password:** x` reads
        # "Password: x"), so the text a reader sees is scanned again and redacted in place.
        where = page.file.src_uri
        leaked = self._visible_secrets(html_text, where)
        if leaked and self.settings.secrets.redact:
            for value in sorted(leaked, key=len, reverse=True):
                html_text = html_text.replace(html.escape(value, quote=False), REDACTED)
                html_text = html_text.replace(value, REDACTED)
            log.info("%s: %d secret(s) redacted in the site", where, len(leaked))
            leaked = self._visible_secrets(html_text, where)
        if leaked:
            raise PluginError(f"{where}: {len(leaked)} secret(s) would be published unredacted")
        return html_text

    def _visible_secrets(self, html_text: str, where: str) -> set[str]:
        visible = html.unescape(re.sub(r"<[^>]+>", " ", html_text))
        return {visible[f.start : f.end] for f in self._secrets_in(where, visible)}

    # ------------------------------------------------------------ diagrams

    def _add_scripts(self, files: Files, config: MkDocsConfig) -> None:
        """Mermaid's script is served by the site itself (no CDN), from the installed package."""
        source = gfm.mermaid_source()
        assert self.lay is not None
        # 3 MB: only in a site that has a diagram
        wanted = any(
            gfm.MERMAID_FENCE.search(sitelayout.read_text(self.repo / repo_path))
            for repo_path, _ in self.lay.pages
        )
        if wanted and source is not None and files.get_file_from_path(gfm.MERMAID_SCRIPT) is None:
            files.append(File.generated(config, gfm.MERMAID_SCRIPT, abs_src_path=source))
            files.append(File.generated(config, gfm.MERMAID_INIT_SCRIPT, content=gfm.MERMAID_INIT))

    def _diagrams(self, html_text: str, page: Page) -> str:
        # only pages with a diagram load the script (it is large)
        if not gfm.has_mermaid(html_text):
            return html_text
        if gfm.mermaid_source() is None:
            log.warning(
                "%s: mermaid diagrams are shown as code: the mermaidx package (mermaid's script) "
                "is not installed",
                page.file.src_uri,
            )
            return html_text
        tags = "".join(
            f'<script src="{html.escape(get_relative_url(uri, page.file.url))}"></script>'
            for uri in (gfm.MERMAID_SCRIPT, gfm.MERMAID_INIT_SCRIPT)
        )
        return html_text + tags

    # ------------------------------------------------------------ secrets

    def _secrets_in(self, where: str, text: str) -> tuple[SecretFinding, ...]:
        allow = self.settings.secrets.allow
        return combine(
            find_secrets(where, text, allow),
            without_allowed(find_known(where, text, self.known_secrets), allow),
        )

    def _redact(self, markdown: str, where: str) -> str:
        found = self._secrets_in(where, markdown)
        if not found:
            return markdown
        if not self.settings.secrets.redact:
            raise PluginError(
                f"{where}: {len(found)} secret(s) would be published "
                f"(lines {', '.join(str(f.line) for f in found)}); redaction is off in the settings"
            )
        log.info("%s: %d secret(s) redacted in the site", where, len(found))
        return redact(markdown, found, REDACTED)

    # ------------------------------------------------------------ broken links

    def _index_broken_links(self) -> None:
        self.known_missing.clear()
        self.known_anchor.clear()
        if self.plan is None:
            return
        moves = self.plan.moves()
        for b in self.plan.broken_links:
            source = moves.get(b.source, b.source)
            if b.reason == "missing anchor" and b.resolved is not None:
                _, _, fragment = split_target(b.target)
                for path in {b.resolved, moves.get(b.resolved, b.resolved)}:
                    self.known_anchor.add((source, path, unquote(fragment or "")))
            else:
                self.known_missing.add((source, b.target.strip()))
                if b.resolved is not None:
                    self.known_missing.add((source, "path:" + b.resolved))
                    self.known_missing.add((source, "path:" + moves.get(b.resolved, b.resolved)))

    # ------------------------------------------------------------ link mapping

    def map_link(self, href: str, *, image: bool, final: bool) -> _Target | None:
        """What a link written in the current document becomes; None keeps it as written."""
        ctx, lay = self.current, self.lay
        if ctx is None or ctx.repo_path is None or lay is None:
            return None
        href = href.strip()
        if not href or (href.startswith("#") and not final):
            return self._self_anchor(href, ctx)
        if "{{" in href or "{%" in href:
            # a template expression of another site generator (Jekyll's `{{ site.baseurl }}`)
            log.info("%s: a template link (%s) is shown as text", ctx.repo_path, href)
            return _Target(None, text_path=href)
        if not _splits(href):
            # a placeholder written as an address (`https://app-[your-name].example.com`): MkDocs'
            # own link handling cannot split it and would stop the build on this page
            log.info("%s: a link that is not a valid address (%s) is shown as text", ctx.repo_path, href)
            return _Target(None, text_path=href)
        if _SCRIPT_URL.match(href) and not (image and href.lower().startswith("data:image/")):
            log.info("%s: a script link (%s...) is shown as text", ctx.repo_path, href[:12])
            return _Target(None, text_path="")
        if is_external(href):
            if image and self.config.offline and re.match(r"^(https?:)?//", href, re.I):
                return _Target(None, text_path=None)
            return None
        target = resolve(ctx.repo_path, href)
        _, query, raw_fragment = split_target(href)
        suffix = (f"?{query}" if query else "") + (f"#{raw_fragment}" if raw_fragment is not None else "")
        if target.outside_repo or target.path is None:
            if (ctx.repo_path, href) in self.known_missing:
                log.info("%s: link %r was already broken before consolidation", ctx.repo_path, href)
                return _Target(None, text_path=href)
            log.warning(
                "Doc file '%s' contains a link '%s' that leads outside the repository", ctx.repo_path, href
            )
            return _Target(None, text_path=href)
        path = target.path
        page_site = ctx.page.file.src_uri
        site_path = lay.site_path(path)
        if site_path is None and path.startswith(lay.docs_dir + "/") and (self.repo / path).is_file():
            site_path = path[len(lay.docs_dir) + 1 :]  # an image or download in the docs folder
        if site_path is not None and ctx.files.get_file_from_path(site_path) is not None:
            fragment = target.fragment or ""
            if raw_fragment is not None and (ctx.repo_path, path, fragment) in self.known_anchor:
                log.info("%s: anchor in %r was already broken before consolidation", ctx.repo_path, href)
                suffix = f"?{query}" if query else ""
            elif raw_fragment is not None and (site_id := self._site_id(path, fragment)) is not None:
                suffix = (f"?{query}" if query else "") + "#" + site_id
            if final:
                file = ctx.files.get_file_from_path(site_path)
                assert file is not None
                return _Target(get_relative_url(file.url, ctx.page.file.url) + suffix, final=True)
            rel = posixpath.relpath(site_path, posixpath.dirname(page_site) or ".")
            return _Target(quote(rel, safe="/") + suffix)
        disk = self.repo / path
        if disk.exists():
            if image and disk.is_file():
                uri = f"{REPO_FILES}/{path}"
                if ctx.files.get_file_from_path(uri) is None:
                    ctx.files.append(File.generated(ctx.config, uri, abs_src_path=str(disk)))
                if final:
                    return _Target(get_relative_url(uri, ctx.page.file.url), final=True)
                return _Target(quote(posixpath.relpath(uri, posixpath.dirname(page_site) or "."), safe="/"))
            return self._outside_docs(path, disk.is_dir(), suffix)
        if (ctx.repo_path, href) in self.known_missing or (
            ctx.repo_path,
            "path:" + path,
        ) in self.known_missing:
            log.info("%s: link %r was already broken before consolidation", ctx.repo_path, href)
            return _Target(None, text_path=href)
        log.warning(
            "Doc file '%s' contains a link '%s', but '%s' does not exist in the repository",
            ctx.repo_path,
            href,
            path,
        )
        return _Target(None, text_path=href)

    def _self_anchor(self, href: str, ctx: _Context) -> _Target | None:
        fragment = unquote(href[1:])
        if ctx.repo_path and (ctx.repo_path, ctx.repo_path, fragment) in self.known_anchor:
            log.info("%s: anchor %r was already broken before consolidation", ctx.repo_path, href)
            return _Target(None, text_path=href)
        if ctx.repo_path and href.startswith("#") and (site_id := self._site_id(ctx.repo_path, fragment)):
            return _Target("#" + site_id)
        return None

    def _site_id(self, path: str, fragment: str) -> str | None:
        """The id a fragment that check accepts leniently has on the page of `path`, when the
        fragment is not written as that id (None: keep the fragment as written)."""
        ids = self.site_ids.get(path)
        if ids is None or not fragment or fragment in ids.exact:
            return None
        return ids.by_key.get(anchor_key(fragment))

    def _outside_docs(self, path: str, is_dir: bool, suffix: str) -> _Target:
        base_url = self.config.repo_url.rstrip("/")
        if not base_url:
            return _Target(None, text_path=path)
        kind = "tree" if is_dir else "blob"
        return _Target(f"{base_url}/{kind}/HEAD/{quote(path, safe='/')}{suffix}", final=True)

    # ------------------------------------------------------------ Markdown passes

    def _raw_html(self, markdown: str) -> str:
        """Links and images in raw HTML: MkDocs does not see them, so they get final URLs here."""
        out = []
        fence: str | None = None
        for line in markdown.splitlines(keepends=True):
            m = _FENCE.match(line)
            if fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    fence = None
                out.append(line)
                continue
            if m:
                fence = m.group(1)
                out.append(line)
                continue
            if "<" not in line:
                out.append(line)
                continue
            out.append(self._raw_line(line))
        return "".join(out)

    def _raw_line(self, line: str) -> str:
        pieces = []
        pos = 0
        for span in _CODE_SPAN.finditer(line):
            pieces.append(_RAW_TAG.sub(self._raw_tag, line[pos : span.start()]))
            pieces.append(span.group(0))
            pos = span.end()
        pieces.append(_RAW_TAG.sub(self._raw_tag, line[pos:]))
        return "".join(pieces)

    def _raw_tag(self, m: re.Match[str]) -> str:
        tag = m.group(0)
        attr = _RAW_ATTR.search(tag)
        if attr is None:
            return tag
        image = m.group(1).lower() == "img"
        value = html.unescape(attr.group(3) if attr.group(3) is not None else attr.group(4) or "")
        target = self.map_link(value, image=image, final=True)
        if target is None:
            return tag
        if target.href is None:
            if image:
                alt = _ALT.search(tag)
                text = html.unescape(
                    (alt.group(2) if alt and alt.group(2) is not None else alt.group(3) if alt else "") or ""
                )
                return f'<span class="consolidate-external-image">{html.escape(text)}</span>'
            title = html.escape(target.text_path if target.text_path is not None else value)
            return f'<a class="consolidate-path" title="{title}">'
        new = html.escape(target.href, quote=True)
        return tag[: attr.start(2)] + f'"{new}"' + tag[attr.end(2) :]

    def _superseded(self, markdown: str, repo_path: str, page: Page) -> str:
        assert self.lay is not None and self.sources is not None
        canonical = self.sources.canonical().get(repo_path)
        if canonical is None:
            return markdown
        target = self.lay.site_of.get(canonical)
        if target is None or posixpath.basename(canonical) in markdown:
            return markdown  # apply's own notice already names it
        title = self.sources.info(target)[0]
        link = posixpath.relpath(target, posixpath.dirname(page.file.src_uri) or ".")
        notice = sitenav.superseded_notice(title, link)
        lines = markdown.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            if line.startswith("# "):
                return "".join(lines[: i + 1]) + "\n" + notice + "".join(lines[i + 1 :])
            break
        return notice + markdown


def _exclude_readme_twins(config: MkDocsConfig) -> None:
    """A README.md beside an index.md: MkDocs would drop it with a warning (failing a strict build)
    before any plugin runs. It is kept out of MkDocs' own file list; the layout gives it a page of
    its own (`readme.md`), added in `on_files` like the root files."""
    docs = Path(config.docs_dir)
    _exclude(
        config,
        sorted(
            p.relative_to(docs).as_posix()
            for p in docs.rglob("README.md")
            if (p.parent / "index.md").is_file()
        ),
    )


def _exclude_html_twins(config: MkDocsConfig) -> None:
    """An HTML file at the address of a page (an earlier build committed in the docs folder: its
    `index.html` beside the folder's `index.md` or `README.md`) makes MkDocs drop one of the two
    with a warning, which fails the strict build, and may drop the page. The Markdown page is the
    source: the HTML file is left out of the site."""
    docs = Path(config.docs_dir)

    def address(path: Path) -> str:
        rel = path.relative_to(docs).as_posix()
        return File(rel, str(docs), config.site_dir, config.use_directory_urls).dest_uri

    twins = []
    for folder in sorted({p.parent for p in docs.rglob("*.html")}):
        pages = {address(p) for p in folder.iterdir() if p.is_file() and is_markdown_file(p.name)}
        for p in sorted(folder.glob("*.html")):
            if p.is_file() and address(p) in pages:
                rel = p.relative_to(docs).as_posix()
                log.info("%s: a page of the site has its address; it is left out of the site", rel)
                twins.append(rel)
    _exclude(config, twins)


def _exclude(config: MkDocsConfig, paths: list[str]) -> None:
    """Keep the files at `paths` (relative to the docs folder) out of MkDocs' file list, by adding them
    to its `exclude_docs` patterns, each written to match that one path (glob characters escaped)."""
    if not paths:
        return
    from pathspec.gitignore import GitIgnoreSpec

    extra = GitIgnoreSpec.from_lines("/" + re.sub(r"([\\*?\[\]!#])", r"\\\1", rel) for rel in paths)
    config.exclude_docs = extra if config.exclude_docs is None else config.exclude_docs + extra


def _drop_unknown_icon(page: Page, config: MkDocsConfig) -> None:
    """A front matter `icon` the theme does not have (`fas fa-dna`, written for another site
    generator) would stop the whole build: the page is shown without it."""
    icon = page.meta.get("icon")
    if not isinstance(icon, str):
        return
    dirs = getattr(config.theme, "dirs", [])
    if not any((Path(d) / ".icons" / f"{icon}.svg").is_file() for d in dirs):
        log.info("%s: the theme has no icon %r; the page is shown without it", page.file.src_uri, icon)
        del page.meta["icon"]


# ---------------------------------------------------------------- Markdown extension


def _splits(href: str) -> bool:
    """Whether `urlsplit` (which MkDocs runs on every link) accepts `href`: it refuses a host in
    brackets that is not an IP address, and an unclosed bracket."""
    try:
        urlsplit(href)
    except ValueError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class _SiteIds:
    """The ids a document's page has: its explicit ids, and its headings' GitHub ids (which
    `_HeadingIds` gives them). Check resolves a fragment leniently (`anchor_key`: another case, an
    emoji's invisible variation selector left out) and also by the Python-Markdown slug of a
    heading; a browser and MkDocs' validation compare ids exactly, so a link check accepts is
    written with the id it matches."""

    exact: frozenset[str]
    by_key: dict[str, str]

    @staticmethod
    def of(doc: Document) -> _SiteIds:
        by_key: dict[str, str] = {}
        for html_id in doc.html_ids:
            by_key.setdefault(anchor_key(html_id), html_id)
        for h in doc.headings:
            by_key.setdefault(anchor_key(h.github_id), h.github_id)
        for h in doc.headings:
            by_key.setdefault(anchor_key(h.mkdocs_id), h.github_id)
        return _SiteIds(frozenset(doc.html_ids) | {h.github_id for h in doc.headings}, by_key)


class _Extension(Extension):
    def __init__(self, plugin: ConsolidatePlugin) -> None:
        super().__init__()
        self.plugin = plugin

    def extendMarkdown(self, md: Markdown) -> None:
        # after attr_list (8) so explicit {#ids} win, before toc (5) which keeps ids it finds set
        md.treeprocessors.register(_HeadingIds(md), "consolidate_heading_ids", 6)
        # after inline patterns (20), before MkDocs resolves and validates links (relpath, 0)
        md.treeprocessors.register(_Links(md, self.plugin), "consolidate_links", 3)


class _HeadingIds(Treeprocessor):
    """Heading ids as GitHub renders them: what links written in a repository point to."""

    def run(self, root: etree.Element) -> None:
        used: dict[str, int] = {}
        taken: set[str] = set()
        for el in root.iter():
            if el.tag not in _HEADINGS:
                continue
            text = html.unescape(strip_tags(render_inner_html(remove_fnrefs(el), self.md)))
            slug = github_slug(text.strip())
            candidate = slug
            # github-slugger: a repeated slug gets -1, -2, ... counted per original slug
            while candidate in taken:
                used[slug] = used.get(slug, 0) + 1
                candidate = f"{slug}-{used[slug]}"
            taken.add(candidate)
            if "id" not in el.attrib and candidate:
                el.set("id", candidate)


class _Links(Treeprocessor):
    def __init__(self, md: Markdown, plugin: ConsolidatePlugin) -> None:
        super().__init__(md)
        self.plugin = plugin

    def run(self, root: etree.Element) -> None:
        for el in list(root.iter()):
            if el.tag == "a" and "href" in el.attrib:
                key, image = "href", False
            elif el.tag == "img" and "src" in el.attrib:
                key, image = "src", True
            else:
                continue
            value = el.get(key, "")
            if value.startswith(AMP_SUBSTITUTE):
                continue  # an e-mail address written as entities (autolinks do this): a mailto link
            target = self.plugin.map_link(value, image=image, final=False)
            if target is None:
                continue
            if target.href is not None:
                el.set(key, target.href)
                continue
            if image:
                _as_text(el, el.get("alt", ""), "consolidate-external-image", value)
            else:
                _as_path(el, target.text_path or value)


def _as_text(el: etree.Element, text: str, css: str, title: str) -> None:
    el.attrib.clear()
    el.tag = "span"
    el.text = text
    el.set("class", css)
    el.set("title", title)


def _as_path(el: etree.Element, path: str) -> None:
    """A link that cannot lead anywhere in the site: its text, and the path when the text hides it."""
    shown = "".join(el.itertext()).strip()
    el.attrib.clear()
    el.tag = "span"
    el.set("class", "consolidate-path")
    if not path:
        return
    el.set("title", path)
    if shown in (path, posixpath.basename(path.rstrip("/")), path.rstrip("/")):
        return
    code = etree.SubElement(el, "code")
    code.text = path
    code.tail = ")"
    if len(el) > 1:
        prev = el[-2]
        prev.tail = (prev.tail or "") + " ("
    else:
        el.text = (el.text or "") + " ("
