"""The built samples site in a real browser: archive through the nav, search, a rewritten link, a
mermaid diagram drawn with no network, top-level tabs that fit at 1280 px, one nav entry per name.

Needs the Debian `chromium` package and the `playwright` Python package (never `playwright install`:
the system chromium is used). Skipped with the reason when either is missing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.core.config import Config, load_config
from consolidator.decide.plan import build_plan
from consolidator.decide.planfile import write_plan
from consolidator.demo import make_sample_repo
from consolidator.site.build import build_site, generate_site, load_applied_plan

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if not found:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    _chromium()
    base = tmp_path_factory.mktemp("browser")
    repo = make_sample_repo(base / "repo")
    config = load_config(repo)
    write_plan(build_plan(scan_repo(repo, config=config), config), repo / ".consolidate" / "plan.yaml")
    apply_plan(repo)
    generate_site(repo, config=config, plan=load_applied_plan(repo))
    site = build_site(repo, site_dir=base / "site")
    assert site.warnings == ()
    server, thread = _serve(site.site_dir)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# Chromium puts its SingletonSocket in $TMPDIR/org.chromium.Chromium.XXXXXX/ (46 more characters)
# and aborts when the path passes the 108 bytes a Unix socket address holds. A long TMPDIR (macOS
# gives about 50 characters, a CI runner may give more) is swapped for a short folder under /tmp.
_SOCKET_ROOM = 107 - len("/org.chromium.Chromium.XXXXXX/SingletonSocket")


@contextlib.contextmanager
def _socket_dir() -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    if len(tempfile.gettempdir()) <= _SOCKET_ROOM:
        yield env
        return
    short = tempfile.mkdtemp(prefix="chromium-", dir="/tmp")
    try:
        yield {**env, "TMPDIR": short}
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def page(site_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with _socket_dir() as env, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=ARGS, env=env)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            tab.on("request", lambda r: requests.append(r.url))
            tab.requests = requests
            yield tab
        finally:
            browser.close()


def _sidebar_children(page: Any) -> Any:
    """Links of the sidebar's "By time" section to pages below the current one (not ./ or ../)."""
    by_time = page.locator("nav.md-nav--primary li.md-nav__item--nested").filter(
        has=page.locator(":scope > label.md-nav__link", has_text="By time")
    )
    return by_time.locator(
        "a.md-nav__link[href$='/']:not([href^='.']):not([href^='/']):not([href^='#']):not([href^='http'])"
    )


def test_archived_page_through_the_navigation(page: Any, site_url: str, tmp_path: Path) -> None:
    page.goto(site_url)
    page.locator(".md-tabs a.md-tabs__link", has_text="Archive").click()
    page.wait_for_url("**/archive/")
    # collapsed by default: the archive tab lists periods (and the topic view), not archived pages
    hrefs = _sidebar_children(page).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.rstrip("/").count("/") == 0 for h in hrefs), hrefs
    # period -> (subject group ->) archived page, each by the sidebar: a period's folder holds its
    # loose records and its subject folders, so the first child may be either
    _sidebar_children(page).first.click()
    page.wait_for_load_state()
    period_url = page.url
    for _ in range(2):
        link = _sidebar_children(page).first
        title = link.inner_text().strip()
        link.click()
        page.wait_for_load_state()
        if _sidebar_children(page).count() == 0:
            break
    assert page.url.startswith(period_url) and page.url != period_url
    assert page.url.startswith(site_url + "archive/") and page.url.count("/") >= 6
    assert page.locator("article h1").first.inner_text().strip().startswith(title.rstrip("…"))
    page.screenshot(path=str(tmp_path / "archived.png"))
    assert (tmp_path / "archived.png").stat().st_size > 0


def test_search_finds_a_guide(page: Any, site_url: str) -> None:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.type("webhooks")
    results = page.locator(".md-search-result__item a[href*='guides/']")
    results.first.wait_for(timeout=15000)
    results.first.click()
    page.wait_for_load_state()
    assert "/guides/" in page.url
    assert "webhook" in page.locator("article").inner_text().lower()


def test_rewritten_link_lands_on_its_heading(page: Any, site_url: str, tmp_path: Path) -> None:
    page.goto(site_url)
    # README.md links into docs/ with a GitHub fragment; in the site that link was rewritten
    links = page.locator("article a[href*='/#']:not([href^='http']):not(.headerlink)")
    assert links.count() > 0
    link = links.first
    href = link.get_attribute("href")
    fragment = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(f"**#{fragment}")
    heading = page.locator(f"[id='{fragment}']")
    assert heading.count() == 1
    assert heading.evaluate("e => /^H[1-6]$/.test(e.tagName)")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    page.screenshot(path=str(tmp_path / "heading.png"))
    assert (tmp_path / "heading.png").stat().st_size > 0
    # nothing was fetched from outside the local server
    assert [u for u in page.requests if not u.startswith(site_url) and not u.startswith("data:")] == []


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


# Folders as they are found in real repositories: two differing only in case, records of past phases,
# a knowledge base of guides; and a page with a diagram.
NAV_FILES = {
    "README.md": "# Harbour\n\nBerth planning for small ports.\n",
    "docs/guides/diagram.md": "# Diagram\n\n```mermaid\ngraph TD\n  Dock --> Berth\n  Berth --> Crane\n```\n",
    "docs/guides/tides.md": "# Tides\n\nReading the tide table.\n",
    "docs/operations/deploy.md": "# Deploy\n\nHow to deploy.\n",
    "docs/OPERATIONS/backup.md": "# Backup\n\nHow to back up.\n",
    "docs/security/keys.md": "# Keys\n\nRotating keys.\n",
    "docs/SECURITY/audit.md": "# Audit\n\nThe yearly audit.\n",
    "docs/reference/api.md": "# API\n\nEndpoints.\n",
    "docs/architecture/overview.md": "# Overview of the system\n\nParts.\n",
    "docs/development/testing.md": "# Testing\n\nRun the tests.\n",
    "docs/getting-started/install.md": "# Install\n\nSteps.\n",
    "docs/plans/roadmap.md": "# Roadmap\n\nNext.\n",
    "docs/PHASE4/done.md": "# Phase 4 complete\n\nWhat was done.\n",
    "docs/PHASE5/done.md": "# Phase 5 complete\n\nWhat was done.\n",
    "docs/UAT/round-1.md": "# UAT round 1\n\nResults.\n",
    "docs/accounting-kb/ledgers.md": "# Ledger reference\n\nFields of a ledger.\n",
}


@pytest.fixture(scope="module")
def nav_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    _chromium()
    base = tmp_path_factory.mktemp("navsite")
    repo = base / "repo"
    for rel, text in NAV_FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=base / "site")
    assert site.warnings == ()
    server, thread = _serve(site.site_dir)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def offline_page(nav_site_url: str) -> Iterator[Any]:
    """A browser tab that can reach the local site and nothing else (every other request fails)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            blocked: list[str] = []

            def route(r: Any) -> None:
                if r.request.url.startswith(nav_site_url) or r.request.url.startswith("data:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            tab.route("**/*", route)
            tab.blocked = blocked
            yield tab
        finally:
            browser.close()


def test_mermaid_diagram_is_drawn_without_network(offline_page: Any, nav_site_url: str) -> None:
    offline_page.goto(nav_site_url + "guides/diagram/")
    svg = offline_page.locator("pre.consolidate-mermaid svg")
    svg.first.wait_for(timeout=30000)
    assert svg.count() == 1
    labels = svg.first.text_content() or ""
    assert "Dock" in labels and "Crane" in labels
    box = svg.first.bounding_box()
    assert box is not None and box["height"] > 50
    assert offline_page.blocked == []


def _tabs_fit(page: Any) -> list[str]:
    """Top-level tabs that do not fit in the window, as 'title (right edge px)'."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    out: list[str] = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('.md-tabs__item')).filter(
            li => li.getBoundingClientRect().right > width).map(
            li => li.innerText.trim() + ' (' + Math.round(li.getBoundingClientRect().right) + ')')""",
        width,
    )
    return out


def _case_twins(page: Any) -> list[tuple[str, str]]:
    names = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            'nav.md-nav--primary .md-nav__link, .md-tabs__link')).map(e => e.innerText.trim())"""
    )
    seen: dict[str, str] = {}
    twins = []
    for name in names:
        if name and name.lower() in seen and seen[name.lower()] != name:
            twins.append((seen[name.lower()], name))
        seen.setdefault(name.lower(), name)
    return twins


def test_top_level_tabs_fit_at_1280_px(offline_page: Any, nav_site_url: str) -> None:
    offline_page.goto(nav_site_url)
    tabs = offline_page.locator(".md-tabs__item")
    assert 0 < tabs.count() <= 9
    assert _tabs_fit(offline_page) == []


def test_samples_tabs_fit_at_1280_px(page: Any, site_url: str) -> None:
    page.goto(site_url)  # the samples after consolidation
    assert page.locator(".md-tabs__item").count() > 0
    assert _tabs_fit(page) == []
    assert _case_twins(page) == []


def test_no_two_nav_entries_differ_only_in_case(offline_page: Any, nav_site_url: str) -> None:
    offline_page.goto(nav_site_url + "operations/")
    text = offline_page.locator("nav.md-nav--primary").inner_text()
    assert "Backup" in text and "Deploy" in text  # both folders' pages, under one Operations
    for url in ("", "operations/", "security/", "archive/"):
        offline_page.goto(nav_site_url + url)
        assert _case_twins(offline_page) == [], url
    # records of past phases are in the archive, not beside the guides
    tabs = offline_page.locator(".md-tabs__link").all_inner_texts()
    assert not any(t.strip().upper().startswith(("PHASE", "UAT")) for t in tabs), tabs
