"""The built samples site in a real browser: archive through the nav, search, a rewritten link.

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
from consolidator.core.config import load_config
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
    handler = functools.partial(_Quiet, directory=str(site.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
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
