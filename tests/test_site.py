"""The docs site: mkdocs.yml generation, the plugin's virtual pages and link rewriting, the build."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from consolidator.core import gitio
from consolidator.core.config import Config, SecretsConfig
from consolidator.core.errors import SiteError
from consolidator.core.models import BrokenLink, Cluster, Decision, Plan, PlanHeader
from consolidator.decide.planfile import write_plan
from consolidator.site.build import build_site, generate_site, web_url
from consolidator.site.layout import describe, layout

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

# A repository as `consolidate apply` leaves it: root files, docs/<section>/, an archive, a plan.
FILES: dict[str, str | bytes] = {
    "README.md": (
        "# Harbour Tools\n\n"
        "![build](https://img.shields.io/badge/build-passing-green)\n\n"
        '<img src="assets/logo.png" alt="logo" width="32">\n\n'
        '<p><a href="docs/guides/setup.md#2-install-the-cli">Raw setup</a></p>\n\n'
        'Written as code, `<a href="x.md">` is not a link.\n\n'
        "Harbour Tools plans berths for small ports. It has an API and a worker.\n\n"
        "## 1. ✅ Start here\n\n"
        "- [Setup](docs/guides/setup.md#2-install-the-cli)\n"
        "- [How to help](CONTRIBUTING.md#how-to-help)\n"
        "- [The app](src/app.py) and [its folder](src/)\n"
        "- [All the docs](docs/)\n"
        "- ![diagram](docs/img/diagram.png)\n"
    ),
    "CONTRIBUTING.md": (
        "# Contributing\n\nThanks for helping out with this project.\n\n## How to help\n\n"
        "Read the [testing guide](docs/development/testing.md) and the [home page](README.md).\n"
    ),
    "SECURITY.md": "# Security policy\n\nReport vulnerabilities to the maintainers privately.\n",
    "CHANGELOG.md": "# Changelog\n\nAll notable changes.\n\n## 1.0.0\n\nFirst release.\n",
    "docs/index.md": (
        "# Documentation\n\nThe organised documentation.\n\n"
        "- [Setup](guides/setup.md)\n- [Project readme](../README.md)\n"
    ),
    "docs/guides/setup.md": (
        "# Setting up\n\nHow to install Harbour Tools on a laptop in ten minutes.\n\n"
        "## 1. ✅ Prerequisites\n\nPython.\n\n"
        "## 2. Install the CLI\n\nRun it.\n\n"
        "## Notes\n\nFirst.\n\n## Notes\n\nSecond, see [the first notes](#notes) and [these](#notes-1).\n\n"
        "See [contributing](../../CONTRIBUTING.md#how-to-help), [the code](../../src/app.py),\n"
        "[the config](../../config/app.toml) and [the API](../reference/api.md#endpoints).\n\n"
        "```markdown\n[not a link](../../nowhere.md)\n```\n"
    ),
    "docs/reference/api.md": (
        "# API reference\n\nEvery endpoint of the API, with examples.\n\n## Endpoints\n\n"
        "The [old notes](../../OLD_NOTES.md) are gone; the [setup](../guides/setup.md#gone) too.\n"
    ),
    "docs/development/testing.md": "# Testing\n\nRun the tests with pytest before sending a change.\n",
    "docs/archive/2025-01/status-reports/WEEK_1_STATUS.md": (
        "# Week 1 status\n\nWhat happened in the first week of January.\n"
    ),
    "docs/archive/2025-02/status-reports/WEEK_6_STATUS.md": "# Week 6 status\n\nFebruary progress.\n",
    "docs/img/diagram.png": PNG,
    "assets/logo.png": PNG,
    "src/app.py": "print('hello')\n",
    "config/app.toml": "[app]\n",
}


def _entry(
    source: str,
    action: str,
    destination: str | None,
    section: str | None = None,
    canonical: str | None = None,
) -> Decision:
    return Decision(
        source=source,
        action=action,
        destination=destination,
        section=section,
        canonical=canonical,
        reasons=(f"{action} because the document is a {section or 'status report'}",),
        confidence=0.9,
        blob="0" * 40,
    )


PLAN = Plan(
    header=PlanHeader(
        tool="consolidator 0.1.0",
        repo="harbour",
        commit="a" * 40,
        summary=(("root_before", 9), ("root_after", 4)),
    ),
    entries=(
        _entry("CHANGELOG.md", "keep", None),
        _entry("CONTRIBUTING.md", "keep", None),
        _entry("README.md", "keep", None),
        _entry("SECURITY.md", "keep", None),
        _entry("SETUP.md", "move", "docs/guides/setup.md", "guides"),
        _entry("TESTING.md", "move", "docs/development/testing.md", "development"),
        _entry(
            "WEEK_1_STATUS.md",
            "archive",
            "docs/archive/2025-01/status-reports/WEEK_1_STATUS.md",
            canonical="SETUP.md",
        ),
        _entry("WEEK_6_STATUS.md", "archive", "docs/archive/2025-02/status-reports/WEEK_6_STATUS.md"),
        _entry("docs/api.md", "move", "docs/reference/api.md", "reference"),
        _entry("docs/index.md", "keep", None),
    ),
    clusters=(
        Cluster(
            id="dup-1",
            kind="duplicate",
            members=("SETUP.md", "WEEK_1_STATUS.md"),
            canonical="SETUP.md",
            label="setup",
            evidence=("content similarity 0.81",),
        ),
    ),
    broken_links=(
        BrokenLink(
            source="docs/api.md",
            line=7,
            target="../OLD_NOTES.md",
            resolved="OLD_NOTES.md",
            reason="missing file",
            suggestion="docs/archive/OLD_NOTES.md",
        ),
        BrokenLink(
            source="docs/api.md",
            line=7,
            target="guides/setup.md#gone",
            resolved="docs/guides/setup.md",
            reason="missing anchor",
        ),
    ),
)


def make_site_repo(root: Path, files: dict[str, str | bytes] | None = None, plan: Plan | None = PLAN) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in (files or FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if plan is not None:
        write_plan(plan, root / ".consolidate" / "applied-plan.yaml")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_site_repo(tmp_path / "harbour")


def _html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def _article(text: str) -> str:
    """The page content, without the theme's navigation and scripts."""
    return text.split("<article", 1)[1].split("</article>", 1)[0]


def _hrefs(text: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', text)


# ---------------------------------------------------------------- layout and mkdocs.yml


def test_layout_puts_readme_home_and_keeps_root_files_at_the_root(repo: Path) -> None:
    lay = layout(repo, Config(), report=True)
    site_of = lay.site_of
    assert site_of["README.md"] == "index.md"
    assert site_of["CONTRIBUTING.md"] == "CONTRIBUTING.md"
    assert site_of["docs/index.md"] == "overview.md"  # the docs landing page gave "/" to the README
    assert site_of["docs/guides/setup.md"] == "guides/setup.md"
    assert lay.root_files[0] == "README.md"
    assert "guides/index.md" in lay.generated and "archive/2025-01/index.md" in lay.generated
    assert "consolidation-report.md" in lay.generated
    # nothing was written into the repository
    assert not (repo / "docs" / "guides" / "index.md").exists()


def test_generate_writes_mkdocs_yml_with_material_search_tabs_palettes_and_nav(repo: Path) -> None:
    result = generate_site(repo, config=Config(), plan=PLAN)
    assert result.created and result.changed
    cfg = yaml.load((repo / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    theme = cfg["theme"]
    assert theme["name"] == "material" and theme["font"] is False
    assert {"navigation.tabs", "navigation.sections", "navigation.indexes", "content.code.copy"} <= set(
        theme["features"]
    )
    assert {p["scheme"] for p in theme["palette"]} == {"default", "slate"}
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in cfg["plugins"]]
    assert plugins == ["search", "consolidate", "redirects"]
    redirects = cfg["plugins"][2]["redirects"]["redirect_maps"]
    # only the move inside the docs folder gets a redirect: root files had no page before
    assert redirects == {"api.md": "reference/api.md"}
    titles = [next(iter(item)) for item in cfg["nav"]]
    assert titles == ["Home", "Guides", "Reference", "Development", "Archive"]
    assert {"Consolidation report": "consolidation-report.md"} in cfg["nav"][0]["Home"]
    assert cfg["nav"][0]["Home"][:4] == ["index.md", "CONTRIBUTING.md", "CHANGELOG.md", "SECURITY.md"]
    archive = cfg["nav"][4]["Archive"]
    assert archive[:2] == ["archive/index.md", "archive/topics.md"]
    assert archive[2]["By time"][0] == {
        "2025-01": [
            "archive/2025-01/index.md",
            {
                "Status reports": [
                    "archive/2025-01/status-reports/index.md",
                    "archive/2025-01/status-reports/WEEK_1_STATUS.md",
                ]
            },
        ]
    }
    # a second run changes nothing
    again = generate_site(repo, config=Config(), plan=PLAN)
    assert not again.changed and not again.created


def test_existing_mkdocs_yml_keeps_the_owners_settings(repo: Path) -> None:
    owner = (
        "# the owner's comment stays\n"
        "site_name: Harbour\n"
        "theme:\n  name: material\n  font: false\n  custom_dir: overrides\n  features: [navigation.footer]\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
        "extra:\n  analytics_off: true  # keep me\n"
        "plugins:\n  - search:\n      lang: en\n"
        "  - redirects:\n      redirect_maps:\n        old.md: guides/setup.md\n"
        "nav:\n  - Home: index.md\n"
    )
    (repo / "mkdocs.yml").write_text(owner, encoding="utf-8")
    result = generate_site(repo, config=Config(), plan=PLAN)
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    assert not result.created
    assert any(c.startswith("nav: replaced") for c in result.changes)
    assert "plugins: added consolidate" in result.changes
    # untouched blocks stay byte for byte, tags and comments included
    for block in (
        "# the owner's comment stays\nsite_name: Harbour\n",
        "theme:\n  name: material\n  font: false\n  custom_dir: overrides\n  features: [navigation.footer]\n",
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "extra:\n  analytics_off: true  # keep me\n",
    ):
        assert block in text
    data = yaml.load(text.replace("!!python/name:", "tag-"), Loader=yaml.SafeLoader)
    assert data["plugins"][0] == {"search": {"lang": "en"}}
    assert list(data["plugins"][1]) == ["consolidate"]
    assert data["plugins"][2]["redirects"]["redirect_maps"] == {
        "old.md": "guides/setup.md",
        "api.md": "reference/api.md",
    }
    assert "validation" in data  # it had none: the tool's checks need it
    assert generate_site(repo, config=Config(), plan=PLAN).changes == ()


def test_describe_takes_title_and_first_sentence() -> None:
    text = (
        "---\ntitle: From front matter\n---\n# Heading\n\n![badge](x.svg)\n\n"
        "First sentence here, long enough. Second.\n"
    )
    assert describe(text, "x.md") == ("From front matter", "First sentence here, long enough.")
    assert describe("Just text\n", "my-notes.md") == ("My notes", "Just text")


def test_web_url_normalises_remotes() -> None:
    assert web_url("git@github.com:org/repo.git") == "https://github.com/org/repo"
    assert web_url("https://user:token@example.com/org/repo.git") == "https://example.com/org/repo"


# ---------------------------------------------------------------- build


@pytest.fixture
def built(repo: Path, tmp_path: Path) -> Path:
    generate_site(repo, config=Config(), plan=PLAN, repo_url="git@github.com:harbour/tools.git")
    result = build_site(repo, site_dir=tmp_path / "site")
    assert result.warnings == ()
    return result.site_dir


def test_build_is_clean_and_the_repository_stays_clean(repo: Path, tmp_path: Path) -> None:
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*"))
    generate_site(repo, config=Config(), plan=PLAN)
    result = build_site(repo, site_dir=tmp_path / "out")
    after = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*"))
    assert after == sorted([*before, "mkdocs.yml"])
    assert result.warnings == ()
    assert result.pages >= 15
    # the links broken before consolidation are notes, not failures
    assert any("OLD_NOTES.md" in i for i in result.infos)
    assert any("#gone" in i for i in result.infos)


def test_root_files_render_and_cross_links_work_both_ways(built: Path) -> None:
    home = _html(built, "index.html")
    assert "Harbour Tools" in home
    assert 'href="guides/setup/#2-install-the-cli"' in home
    assert 'href="CONTRIBUTING/#how-to-help"' in home
    assert 'href="overview/"' in home  # docs/ leads to the docs landing page
    # raw HTML is not seen by MkDocs: its links get final URLs from the plugin
    assert '<a href="guides/setup/#2-install-the-cli">Raw setup</a>' in home
    contributing = _html(built, "CONTRIBUTING/index.html")
    assert 'href="../development/testing/"' in contributing
    assert 'href="../"' in contributing  # README.md is the home page
    setup = _html(built, "guides/setup/index.html")
    assert 'href="../../CONTRIBUTING/#how-to-help"' in setup
    overview = _html(built, "overview/index.html")
    assert 'href="../guides/setup/"' in overview and 'href="../"' in overview


def test_headings_get_github_ids(built: Path) -> None:
    setup = _html(built, "guides/setup/index.html")
    assert 'id="1--prerequisites"' in setup
    assert 'id="2-install-the-cli"' in setup
    assert 'id="notes"' in setup and 'id="notes-1"' in setup
    assert 'href="#notes-1"' in setup


def test_links_outside_the_docs_go_to_the_web_view(built: Path) -> None:
    setup = _html(built, "guides/setup/index.html")
    assert 'href="https://github.com/harbour/tools/blob/HEAD/src/app.py"' in setup
    home = _html(built, "index.html")
    assert 'href="https://github.com/harbour/tools/tree/HEAD/src"' in home
    # a fenced example is text, not a link
    assert "nowhere.md" in setup and not any("nowhere" in h for h in _hrefs(setup))


def test_without_repository_url_outside_links_become_paths(repo: Path, tmp_path: Path) -> None:
    generate_site(repo, config=Config(), plan=PLAN)
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    setup = _html(site, "guides/setup/index.html")
    assert 'title="src/app.py"' in setup
    assert "blob/HEAD" not in setup
    assert not any(h.endswith("app.py") for h in _hrefs(setup))


def test_images_are_served_from_the_site(built: Path) -> None:
    home = _html(built, "index.html")
    assert 'src="img/diagram.png"' in home
    assert 'src="_repository/assets/logo.png"' in home
    assert (built / "_repository" / "assets" / "logo.png").read_bytes() == PNG
    # a remote badge is shown as its alt text: the site loads nothing from the internet
    assert 'src="https://img.shields.io' not in home
    assert 'title="https://img.shields.io/badge/build-passing-green">build</span>' in home


def test_redirects_exist_for_pages_moved_within_docs(built: Path) -> None:
    redirect = _html(built, "api/index.html")
    assert "../reference/api/" in redirect


def test_archive_is_browsable_and_shows_what_supersedes(built: Path) -> None:
    week1 = _html(built, "archive/2025-01/status-reports/WEEK_1_STATUS/index.html")
    assert "Superseded" in week1 and 'href="../../../../guides/setup/"' in week1
    period = _html(built, "archive/2025-01/index.html")
    assert 'href="status-reports/"' in period
    group = _html(built, "archive/2025-01/status-reports/index.html")
    assert "What happened in the first week of January." in group
    assert "superseded by" in group
    topics = _html(built, "archive/topics/index.html")
    assert "Status reports" in topics and "WEEK_6_STATUS/" in topics
    # the archive sits collapsed below "By time" (navigation.expand is not on)
    assert "navigation.expand" not in _html(built, "index.html")


def test_section_index_lists_pages_with_descriptions(built: Path) -> None:
    guides = _html(built, "guides/index.html")
    assert 'href="setup/"' in guides
    assert "How to install Harbour Tools on a laptop in ten minutes." in guides


def test_report_page_lists_moves_duplicates_and_old_broken_links(built: Path) -> None:
    report = _html(built, "consolidation-report/index.html")
    assert "9 before, 4 after" in report
    assert "SETUP.md" in report and 'href="../guides/setup/"' in report
    assert "content similarity 0.81" in report
    assert "OLD_NOTES.md" in report and "docs/archive/OLD_NOTES.md" in report
    api = _html(built, "reference/api/index.html")
    assert 'title="../../OLD_NOTES.md"' in api  # shown as text, not a dead link
    assert 'href="../../guides/setup/"' in api  # the dead anchor was dropped, the page kept


def test_new_broken_link_fails_the_build(repo: Path, tmp_path: Path) -> None:
    page = repo / "docs" / "guides" / "setup.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\n[new](missing.md) [anchor](../reference/api.md#nope)\n"
    )
    generate_site(repo, config=Config(), plan=PLAN)
    with pytest.raises(SiteError) as err:
        build_site(repo, site_dir=tmp_path / "s")
    assert "missing.md" in str(err.value)
    assert "#nope" in str(err.value)
    lenient = build_site(repo, strict=False, site_dir=tmp_path / "s2")
    assert len(lenient.warnings) == 2


def test_page_left_out_of_the_nav_fails_the_build(repo: Path, tmp_path: Path) -> None:
    generate_site(repo, config=Config(), plan=PLAN)
    (repo / "docs" / "guides" / "later.md").write_text("# Later\n\nAdded after the site was generated.\n")
    with pytest.raises(SiteError, match=r"later\.md"):
        build_site(repo, site_dir=tmp_path / "s")


ASSET = re.compile(
    r"""(?:<(?:script|img|source|iframe|audio|video)\b[^>]*\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|"""
    r"""@import\s+(?:url\()?\s*["']?|url\(\s*["']?)(?:https?:)?//""",
    re.IGNORECASE,
)


def test_built_site_needs_nothing_from_the_internet(built: Path) -> None:
    offenders = []
    for path in built.rglob("*"):
        if path.suffix in (".html", ".css") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(built)}: {m.group(0)}" for m in ASSET.finditer(text)]
    assert offenders == []
    # the check itself catches a remote asset
    assert ASSET.search('<link rel="stylesheet" href="https://fonts.googleapis.com/css">')
    assert ASSET.search("@import url('https://x.example/a.css')")


def test_generated_pages_escape_hostile_titles(tmp_path: Path) -> None:
    files = dict(FILES)
    files["docs/guides/evil.md"] = (
        "# <script>alert(1)</script> [click](javascript:alert(2))\n\n"
        "Description with <img src=x onerror=alert(3)> and **bold** ](http://evil).\n"
    )
    repo = make_site_repo(tmp_path / "evil", files)
    generate_site(repo, config=Config(), plan=PLAN)
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    index = _article(_html(site, "guides/index.html"))
    listing = index.split('href="evil/"', 1)[1].split("</li>", 1)[0]
    assert "<script>" not in listing and "<img" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "javascript:" not in " ".join(_hrefs(index))
    assert "click)" not in listing  # the link syntax is gone from the title, not half of it
    # the document's own script link does not survive into the site either
    assert "javascript:" not in " ".join(_hrefs(_html(site, "guides/evil/index.html")))


def test_hostile_folder_names_are_escaped_in_the_nav(tmp_path: Path) -> None:
    files = dict(FILES)
    files["docs/<b>x<b>/page.md"] = "# Page\n\nText.\n"
    repo = make_site_repo(tmp_path / "evil2", files)
    generate_site(repo, config=Config(), plan=PLAN)
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    assert "<b>x<b>" not in _html(site, "index.html")


SECRET = "AKIA" + "Q3EGJ7N2XK5VTRZP"


def test_secrets_are_redacted_in_the_site(tmp_path: Path) -> None:
    files = dict(FILES)
    files["docs/development/testing.md"] = f"# Testing\n\nUse aws_access_key_id = {SECRET} for the bucket.\n"
    repo = make_site_repo(tmp_path / "leaky", files)
    generate_site(repo, config=Config(), plan=PLAN)
    result = build_site(repo, site_dir=tmp_path / "s")
    text = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in result.site_dir.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json")
    )
    assert SECRET not in text
    assert "[REDACTED]" in _html(result.site_dir, "development/testing/index.html")
    assert (repo / "docs/development/testing.md").read_text(encoding="utf-8").count(SECRET) == 1


def test_secret_revealed_by_rendering_is_redacted(tmp_path: Path) -> None:
    # the bold markers hide the keyword from a scan of the Markdown; the rendered text shows it
    password = "Quill!Marsh" + "-4417Reed"
    files = dict(FILES)
    files["docs/development/testing.md"] = f"# Testing\n\n**Password:** {password}\n"
    repo = make_site_repo(tmp_path / "leaky3", files)
    generate_site(repo, config=Config(), plan=PLAN)
    result = build_site(repo, site_dir=tmp_path / "s")
    page = _html(result.site_dir, "development/testing/index.html")
    assert password not in page and "[REDACTED]" in page
    assert password not in (result.site_dir / "search" / "search_index.json").read_text(encoding="utf-8")


def test_secret_fails_the_build_when_redaction_is_off(tmp_path: Path) -> None:
    files = dict(FILES)
    files["docs/development/testing.md"] = f"# Testing\n\nUse aws_access_key_id = {SECRET} for the bucket.\n"
    files["consolidate.toml"] = "[secrets]\nredact = false\n"
    repo = make_site_repo(tmp_path / "leaky2", files)
    generate_site(repo, config=Config(secrets=SecretsConfig(redact=False)), plan=PLAN)
    with pytest.raises(SiteError, match="secret"):
        build_site(repo, site_dir=tmp_path / "s")


def test_build_without_mkdocs_yml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="consolidate site"):
        build_site(tmp_path)


def test_site_without_plan_has_no_report_and_no_redirects(tmp_path: Path) -> None:
    files = {k: v for k, v in FILES.items() if k != "docs/reference/api.md"}
    setup = str(files["docs/guides/setup.md"])
    files["docs/guides/setup.md"] = setup.replace(" and [the API](../reference/api.md#endpoints)", "")
    repo = make_site_repo(tmp_path / "noplan2", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    assert result.redirects == 0
    assert "consolidation-report.md" not in result.generated
    assert build_site(repo, site_dir=tmp_path / "s").warnings == ()


def test_repository_without_readme_gets_a_generated_home(tmp_path: Path) -> None:
    files = {
        "docs/guides/one.md": "# One\n\nThe first guide.\n",
        "NOTES.md": "# Notes\n\nSee [one](docs/guides/one.md).\n",
    }
    repo = make_site_repo(tmp_path / "bare", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    assert "index.md" in result.generated
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    home = _article(_html(site, "index.html"))
    assert "<h1" in home and 'href="NOTES/"' in home and 'href="guides/"' in home
    assert 'href="../guides/one/"' in _html(site, "NOTES/index.html")


def test_docs_readme_is_the_home_page_when_the_root_has_none(tmp_path: Path) -> None:
    files = {
        "docs/README.md": "# Docs home\n\nStart with [one](guides/one.md).\n",
        "docs/guides/one.md": "# One\n\nThe first guide, see [home](../README.md).\n",
    }
    repo = make_site_repo(tmp_path / "docsreadme", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    assert "index.md" not in result.generated
    assert not any(g.startswith("archive/") for g in result.generated)  # nothing archived, no tab
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    assert "Docs home" in _article(_html(site, "index.html"))
    assert 'href="../../"' in _html(site, "guides/one/index.html")


def test_site_for_the_file_system_without_directory_urls(repo: Path, tmp_path: Path) -> None:
    # an owner who opens the site from disk sets use_directory_urls: false; links follow it
    generate_site(repo, config=Config(), plan=PLAN)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "use_directory_urls: false\n", encoding="utf-8")
    site = build_site(repo, site_dir=tmp_path / "s").site_dir
    home = _html(site, "index.html")
    assert 'href="guides/setup.html#2-install-the-cli"' in home
    assert '<a href="guides/setup.html#2-install-the-cli">Raw setup</a>' in home
    assert 'href="reference/api.html"' in _html(site, "api.html")  # the redirect


def test_repository_url_comes_from_the_git_remote(
    make_repo: Callable[[dict[str, str | bytes]], Path],
) -> None:
    repo = make_repo({k: v for k, v in FILES.items()})
    gitio.run_git(repo, "remote", "add", "origin", "git@github.com:harbour/tools.git")
    generate_site(repo, config=Config(), plan=None)
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    assert "repo_url: https://github.com/harbour/tools" in text


# ---------------------------------------------------------------- GitHub-flavoured Markdown

# One page per construct GitHub renders and plain Python-Markdown does not (made-up content).
GFM_PAGES: dict[str, str] = {
    "docs/guides/list-after-paragraph.md": (
        "# Checks\n\nBefore a release\n- the build is green\n- the notes are written\n\nDone.\n"
    ),
    "docs/guides/nested-lists.md": (
        "# Nested\n\nCoverage:\n- Runtime\n  - workers\n  - queues\n    - retries\n- Storage\n"
        "1) first\n2) second\n   - a detail\n"
    ),
    "docs/guides/task-list.md": "# Tasks\n\n- [ ] write the guide\n- [x] draw the map\n",
    "docs/guides/tables.md": (
        "# Tables\n\nPorts and their berths\n| Port | Berths |\n|---|---:|\n| North | 4 |\n| South | 7 |\n"
    ),
    "docs/guides/autolinks.md": "# Links\n\nSee https://example.com/docs and www.example.org for more.\n",
    "docs/guides/strikethrough.md": "# Changes\n\nThe ~~old~~ new berth plan.\n",
    "docs/guides/footnotes.md": "# Notes\n\nTides matter[^1].\n\n[^1]: Twice a day.\n",
    "docs/guides/alerts.md": "# Alerts\n\n"
    + "\n".join(
        f"> [!{kind}]\n> A {kind.lower()} about berths.\n"
        for kind in ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
    ),
    "docs/guides/emoji.md": "# Emoji\n\nShipped :rocket: and approved :+1:.\n",
    "docs/guides/diagram.md": "# Diagram\n\n```mermaid\ngraph TD\n  Dock --> Berth\n```\n",
}


@pytest.fixture(scope="module")
def gfm_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("gfm")
    files: dict[str, str | bytes] = {"README.md": "# Harbour\n\nBerth planning.\n", **GFM_PAGES}
    repo = make_site_repo(root / "repo", files, plan=None)
    generate_site(repo, config=Config(), plan=None)
    result = build_site(repo, site_dir=root / "site")
    assert result.warnings == ()
    return repo, result.site_dir


def test_every_github_construct_has_githubs_structure(gfm_site: tuple[Path, Path]) -> None:
    from consolidator.site.fidelity import check_site

    repo, site = gfm_site
    pages = [(p, p.removeprefix("docs/")) for p in GFM_PAGES]
    results = check_site(repo, site, pages)
    assert [(r.repo_path, str(r.difference)) for r in results if r.difference or r.missing] == []
    assert len(results) == len(GFM_PAGES)


def test_github_constructs_render_as_github_does(gfm_site: tuple[Path, Path]) -> None:
    _, site = gfm_site

    def page(name: str) -> str:
        return _article(_html(site, f"guides/{name}/index.html"))

    assert page("list-after-paragraph").count("<li>") == 2
    nested = page("nested-lists")
    assert re.search(r"<li>Runtime\s*<ul>\s*<li>workers</li>", nested)
    assert "<ol>" in nested and nested.count("<li") == 8
    assert page("task-list").count('type="checkbox"') == 2
    assert "<table>" in page("tables") and "<p>Ports and their berths</p>" in page("tables")
    assert 'href="https://example.com/docs"' in page("autolinks")
    assert 'href="http://www.example.org"' in page("autolinks")
    assert "<del>old</del>" in page("strikethrough")
    assert 'class="footnote"' in page("footnotes")
    alerts = page("alerts")
    assert alerts.count('class="admonition ') == 5 and "[!" not in alerts
    assert "🚀" in page("emoji") and "👍" in page("emoji") and ":rocket:" not in page("emoji")
    diagram = page("diagram")
    assert '<pre class="consolidate-mermaid">' in diagram and "Dock --&gt; Berth" in diagram
    # the site serves mermaid itself: a local script, present in the built site
    scripts = re.findall(r'<script src="([^"]+)"', diagram)
    assert any(s.endswith("assets/consolidate/mermaid.min.js") for s in scripts)
    assert all(not s.startswith(("http:", "https:", "//")) for s in scripts)
    assert (site / "assets/consolidate/mermaid.min.js").stat().st_size > 100_000
    # pages without a diagram do not load it, nor a site without one
    assert "mermaid.min.js" not in page("emoji")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Checks\n- item\n  - sub\n", "Checks\n\n- item\n    - sub\n"),
        ("1) one\n2) two\n", "1. one\n2. two\n"),
        ("#tag line\n", "\\#tag line\n"),
        ("# Report {filename}\n", "# Report \\{filename}\n"),
        ("# Setup {#setup}\n", "# Setup {#setup}\n"),
        ("text\n| a |\n|---|\n| 1 |\n## H\n", "text\n\n| a |\n|---|\n| 1 |\n\n## H\n"),
        ("```\nopen fence\n", "```\nopen fence\n```\n"),
        ("> - a\n>   - b\n", "> - a\n>     - b\n"),
        ("- a\n\n* b\n", "- a\n\n<!-- -->\n\n* b\n"),
        ("```\n- x\n  - y\n```\n", "```\n- x\n  - y\n```\n"),
    ],
)
def test_normalize_writes_githubs_blocks_for_python_markdown(source: str, expected: str) -> None:
    from consolidator.site.gfm import normalize

    assert re.sub(r"\n{3,}", "\n\n", normalize(source)) == expected  # extra blank lines change nothing


def test_fidelity_reports_the_first_difference() -> None:
    import markdown

    from consolidator.site.fidelity import compare, structure

    text = "# Title\n\nCoverage:\n- Core\n  - Database\n"
    plain = markdown.markdown(text, extensions=["toc"])  # Python-Markdown alone: one paragraph
    difference = compare(text, f'<article class="md-content__inner md-typeset">{plain}</article>')
    assert difference is not None and difference.github == "li ul" and difference.context == "h1 title"
    assert structure("<ul><li>a<ul><li>b</li></ul></li></ul>") == ["li ul", "li ul/ul"]


# ---------------------------------------------------------------- navigation


def test_nav_groups_docs_folders_under_sections_and_records_under_the_archive(tmp_path: Path) -> None:
    from consolidator.site.layout import folder_placement
    from consolidator.site.nav import navigation

    files: dict[str, str | bytes] = {
        "README.md": "# Harbour\n\nBerth planning.\n",
        "docs/operations/deploy.md": "# Deploy\n\nHow to deploy.\n",
        "docs/OPERATIONS/backup.md": "# Backup\n\nHow to back up.\n",
        "docs/PHASE4/done.md": "# Phase 4 complete\n\nWhat was done.\n",
        "docs/UAT/round-1.md": "# UAT round 1\n\nResults.\n",
        "docs/berth-kb/setup-guide.md": "# Installation guide\n\nInstall it.\n",
        "docs/berth-kb/install-notes.md": "# Install on a laptop\n\nSteps.\n",
        "docs/guides/tides.md": "# Tides\n\nReading the tide table.\n",
    }
    repo = make_site_repo(tmp_path / "nav", files, plan=None)
    lay = layout(repo, Config(), report=False)
    titles = {r: describe((repo / r).read_text(), r)[0] for r, _ in lay.pages}
    placement = folder_placement(lay, Config().sections, title_of=titles.__getitem__)
    assert placement["OPERATIONS"] == placement["operations"] == "operations"
    assert placement["PHASE4"] == placement["UAT"] == "archive"
    assert placement["berth-kb"] == "getting-started"  # by its documents' titles
    nav = navigation(lay, Config().sections, placement)
    tops = [next(iter(item)) for item in nav]
    assert tops == ["Home", "Guides", "Operations", "Archive"]
    assert "Getting started" in yaml.safe_dump(nav[0])  # where a reader starts
    operations = nav[tops.index("Operations")]["Operations"]
    assert "operations/deploy.md" in operations and "OPERATIONS/backup.md" in operations
    archive = yaml.safe_dump(nav[tops.index("Archive")])
    assert "PHASE4/done.md" in archive and "UAT/round-1.md" in archive
    generate_site(repo, config=Config(), plan=None)
    build = build_site(repo, site_dir=tmp_path / "site")
    assert build.warnings == ()
    text = yaml.safe_dump(nav)
    titles_in_nav = re.findall(r"^\s*-?\s*([^:\n]+):\s*$", text, re.M)
    assert len({t.lower() for t in titles_in_nav}) == len(titles_in_nav)


def test_site_without_a_diagram_does_not_ship_mermaid(built: Path) -> None:
    assert not (built / "assets/consolidate/mermaid.min.js").exists()


def test_report_paths_wrap_inside_the_table(built: Path) -> None:
    report = _article(_html(built, "consolidation-report/index.html"))
    assert re.search(r"<td>[^<]*/<wbr>", report)


# A folder whose name holds a glob character is excluded by its own path, not read as a pattern.
@pytest.mark.parametrize("folder", ["guides", "guides[v2]"])
def test_folder_readme_beside_its_index_keeps_a_page(tmp_path: Path, folder: str) -> None:
    files: dict[str, str | bytes] = {
        "README.md": "# Harbour\n\nBerth planning.\n",
        f"docs/{folder}/index.md": "# Guides\n\nAll the guides, see [the readme](README.md).\n",
        f"docs/{folder}/README.md": "# About the guides\n\nWho writes them.\n",
    }
    repo = make_site_repo(tmp_path / "twin", files, plan=None)
    generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "site")
    assert site.warnings == ()
    assert "About the guides" in _html(site.site_dir, f"{folder}/readme/index.html")
    assert 'href="readme/"' in _article(_html(site.site_dir, f"{folder}/index.html"))


def test_archived_text_sprawl_is_listed_in_the_archive_index_but_not_rendered(tmp_path: Path) -> None:
    files = dict(FILES)
    report = "WEEK 1 SUMMARY\n\n* shipped the berth planner\n* <b>not html</b>\n"
    backup = "# Berth plan (old copy)\n\nThe first draft.\n"
    files["docs/archive/2025-01/status-reports/WEEK_1_SUMMARY.txt"] = report
    files["docs/archive/2025-01/status-reports/BERTH_PLAN.md.old"] = backup
    files["docs/archive/undated/notes/NOTES.txt"] = "loose notes\n"  # a folder of text files only
    files["docs/archive/2025-01/status-reports/requirements.txt"] = "mkdocs\n"  # not sprawl: not listed
    repo = make_site_repo(tmp_path / "txt", files)
    generate_site(repo, config=Config(), plan=PLAN)
    result = build_site(repo, site_dir=tmp_path / "s")
    assert result.warnings == ()
    site = result.site_dir
    group = _article(_html(site, "archive/2025-01/status-reports/index.html"))
    assert 'href="WEEK_1_SUMMARY.txt"' in group and 'href="BERTH_PLAN.md.old"' in group
    assert "not rendered" in group and "requirements.txt" not in group
    # copied byte for byte, and no page made of them
    assert (site / "archive/2025-01/status-reports/WEEK_1_SUMMARY.txt").read_text() == report
    assert (site / "archive/2025-01/status-reports/BERTH_PLAN.md.old").read_text() == backup
    assert not (site / "archive/2025-01/status-reports/WEEK_1_SUMMARY").exists()
    assert not (site / "archive/2025-01/status-reports/BERTH_PLAN.md").exists()
    loose = _article(_html(site, "archive/undated/notes/index.html"))
    assert 'href="NOTES.txt"' in loose


def test_folders_that_differ_only_in_case_are_one_section(tmp_path: Path) -> None:
    from consolidator.site.layout import folder_placement
    from consolidator.site.nav import navigation

    files = dict(FILES)
    files["docs/OPERATIONS/oncall.md"] = (
        "# On-call\n\nWho answers at night. See [the runbook](../operations/runbook.md).\n"
    )
    files["docs/OPERATIONS/backups.md"] = "# Backups\n\nHow backups run.\n"
    files["docs/operations/runbook.md"] = "# Runbook\n\nWhat to do when the berth planner stops.\n"
    repo = make_site_repo(tmp_path / "case", files)
    lay = layout(repo, Config(), report=True)
    # the nav is virtual: each page keeps its own folder, the nav shows the two folders once
    assert lay.site_of["docs/operations/runbook.md"] == "operations/runbook.md"
    sections = Config().sections
    tabs = [next(iter(item)) for item in navigation(lay, sections, folder_placement(lay, sections))]
    assert len([t for t in tabs if t.casefold() == "operations"]) == 1, tabs
    # the section keeps its configured place (operations comes before development)
    operations = next(t for t in tabs if t.casefold() == "operations")
    assert tabs.index(operations) < tabs.index("Development")
    generate_site(repo, config=Config(), plan=PLAN)
    result = build_site(repo, site_dir=tmp_path / "s")
    assert result.warnings == ()
    oncall = _article(_html(result.site_dir, "OPERATIONS/oncall/index.html"))
    assert 'href="../../operations/runbook/"' in oncall


_SITE_RUN = """
import sys
from consolidator.cli import main
sys.argv = ["consolidate", "site", sys.argv[1]]
try:
    main()
except SystemExit as done:
    code = done.code
print(*(name in sys.modules for name in ("sklearn", "scipy", "networkx")), code, file=sys.stderr)
"""


def test_the_site_command_imports_no_similarity_machinery(repo: Path) -> None:
    # Writing the site reads the rules (text sprawl) but never compares documents: scikit-learn, SciPy
    # and networkx, most of a second to import, stay out of it.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SITE_RUN, str(repo)], capture_output=True, text=True)
    assert done.stderr.split()[-4:] == ["False", "False", "False", "0"], done.stderr
    assert (repo / "mkdocs.yml").is_file()


def test_anchors_check_accepts_lead_to_the_heading_in_the_site(tmp_path: Path) -> None:
    # check accepts a fragment that matches a heading leniently (an emoji's invisible variation
    # selector left out, another case): the site must lead to that heading too
    files = {
        "README.md": (
            "# Kettle\n\n- [Stack](#-tools-used)\n- [Again](#-Tools-Used)\n"
            "- [Install](docs/guide.md#Fetch--Install)\n\n## \U0001f3d7\ufe0f Tools used\n\nText.\n"
        ),
        "docs/guide.md": "# Guide\n\n## Fetch & install\n\nText.\n",
    }
    repo = make_site_repo(tmp_path / "kettle", files, plan=None)
    gitio.init_with_commit(repo, "initial")
    from consolidator.analysis.scan import scan_repo

    inventory = scan_repo(repo, config=Config())
    assert not [link for d in inventory.documents for link in d.links if link.anchor_ok is False]
    generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "s")
    assert site.warnings == ()
    home = _article(_html(site.site_dir, "index.html"))
    assert 'id="\ufe0f-tools-used"' in home
    assert '<a href="#\ufe0f-tools-used">Stack</a>' in home
    assert '<a href="#\ufe0f-tools-used">Again</a>' in home
    assert 'href="guide/#fetch--install"' in home


def test_a_built_site_committed_in_the_docs_folder_gives_way_to_the_pages(tmp_path: Path) -> None:
    # an earlier build's index.html beside the folder's index.md or README.md has the page's address
    files: dict[str, str | bytes] = {
        "README.md": "# Lantern\n\nSee [the records](docs/records/README.md).\n",
        "docs/index.md": "# Lantern docs\n\nStart here.\n",
        "docs/index.html": "<html><body>old build</body></html>\n",
        "docs/records/README.md": "# Records\n\nEvery decision.\n",
        "docs/records/index.html": "<html><body>old build</body></html>\n",
        "docs/records/first/index.html": "<html><body>old build</body></html>\n",
    }
    repo = make_site_repo(tmp_path / "lantern", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "site")
    assert site.warnings == ()
    assert site.pages == result.pages  # the old build's file copied as it is is no page of the site
    assert "Every decision." in _html(site.site_dir, "records/index.html")
    assert "old build" not in _html(site.site_dir, "records/index.html")
    assert (site.site_dir / "records/first/index.html").is_file()  # no page there: it stays


def test_a_placeholder_written_as_an_address_is_text_not_a_stopped_build(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "README.md": (
            "# Lantern\n\nOpen https://lantern-[your-team].example.org after deploying,\n"
            "or [the preview](https://preview-[branch].example.org/start).\n"
        ),
        "docs/guide.md": "# Guide\n\nText.\n",
    }
    repo = make_site_repo(tmp_path / "lantern", files, plan=None)
    generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "site")
    assert site.warnings == ()
    home = _article(_html(site.site_dir, "index.html"))
    assert "https://preview-[branch].example.org/start" in home and "the preview" in home


def test_a_page_beside_a_folder_of_its_name_is_not_overwritten_by_the_folder_index(tmp_path: Path) -> None:
    # `docs/recipes.md` and `docs/recipes/` share the address recipes/: one page overwrote the other
    files: dict[str, str | bytes] = {
        "README.md": "# Pantry\n\nSee [the recipes](docs/recipes.md) and [the tools](docs/tools.md).\n",
        "docs/recipes.md": "# Recipes\n\nHow the recipes are organised.\n",
        "docs/recipes/bread.md": "# Bread\n\nBack to [the recipes](../recipes.md).\n",
        "docs/recipes/soup.md": "# Soup\n\nA soup.\n",
        "docs/tools.md": "# Tools\n\nThe tools page.\n",
        "docs/tools/index.md": "# Tool index\n\nEvery tool.\n",
        "docs/tools/knife.md": "# Knife\n\nA knife.\n",
    }
    repo = make_site_repo(tmp_path / "pantry", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "site")
    assert site.warnings == ()
    assert site.pages == result.pages  # every page of the nav has an address of its own
    recipes = _article(_html(site.site_dir, "recipes/index.html"))
    assert "How the recipes are organised." in recipes
    assert "Every tool." in _html(site.site_dir, "tools/index.html")
    tools = [
        p for p in site.site_dir.rglob("index.html") if "The tools page." in p.read_text(encoding="utf-8")
    ]
    assert len(tools) == 1
    assert 'href="../"' in _article(_html(site.site_dir, "recipes/bread/index.html"))
    nav = yaml.safe_dump(
        yaml.load((repo / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)["nav"]
    )
    assert nav.count("recipes/index.md") == 1 and "recipes.md" not in nav


def test_a_root_file_and_a_section_whose_names_differ_in_case_get_two_addresses(tmp_path: Path) -> None:
    # SECURITY/ and security/ are one folder on macOS and Windows: one page would overwrite the other
    files: dict[str, str | bytes] = {
        "README.md": "# Pantry\n\nRead [the policy](SECURITY.md).\n",
        "SECURITY.md": "# Security policy\n\nReport issues privately.\n",
        "docs/security/keys.md": "# Keys\n\nRotate them. See [the policy](../../SECURITY.md).\n",
        "docs/security/audit.md": "# Audit\n\nYearly.\n",
        "docs/Recipes.md": "# Recipes\n\nHow the recipes are organised.\n",
        "docs/recipes/bread.md": "# Bread\n\nFlour.\n",
    }
    repo = make_site_repo(tmp_path / "pantry", files, plan=None)
    result = generate_site(repo, config=Config(), plan=None)
    site = build_site(repo, site_dir=tmp_path / "site")
    assert site.warnings == ()
    assert site.pages == result.pages
    paths = [p.relative_to(site.site_dir).as_posix() for p in site.site_dir.rglob("*")]
    assert len({p.lower() for p in paths}) == len(paths)
    policy = [
        p for p in site.site_dir.rglob("index.html") if "Report issues privately." in p.read_text("utf-8")
    ]
    assert len(policy) == 1
    assert policy[0].parent.relative_to(site.site_dir).as_posix() == "project/SECURITY"
    assert 'href="../../project/SECURITY/"' in _article(_html(site.site_dir, "security/keys/index.html"))
    assert "How the recipes are organised." in _html(site.site_dir, "recipes/index.html")
