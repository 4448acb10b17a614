"""The site with hostile but legal input: odd file names, a page nested too deeply to render."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from consolidator.cli import main
from tests.conftest import RepoMaker

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}

# Each name holds a character a URL gives a meaning to, or one that must be encoded.
SPECIAL = {
    "PHASE#4_COMPLETE.md": "# Phase 4 complete\n\nStatus: COMPLETE. Completed 2025-03-01.\n\nAll done.\n",
    "WEEK 2 STATUS — ÉTÉ.md": "# Week 2 status — été\n\nDate: 2025-02-10\n\nDone this week.\n",
    "docs/guides/what?.md": "# What? <script>alert(1)</script>\n\nA guide with a question mark.\n",
    "docs/guides/100%.md": "# 100% [done] & more\n\nA guide with a percent sign.\n",
    "docs/guides/my guide.md": "# My guide\n\nA guide with spaces in its name.\n",
    "docs/guides/résumé.md": "# Résumé\n\nAccents. See [what](what%3F.md).\n",
}
README = """# Special names

- [Phase 4](PHASE%234_COMPLETE.md)
- [What](docs/guides/what%3F.md)
- [Percent](docs/guides/100%25.md)
- [Spaced](<docs/guides/my guide.md>)
- [Résumé](docs/guides/résumé.md)
- [Week](<WEEK 2 STATUS — ÉTÉ.md>)
"""


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def _run(*args: str) -> str:
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code == 0, (args, done.output)
    return done.stdout


def test_site_and_build_succeed_with_special_characters_in_file_names(make_repo: RepoMaker) -> None:
    root = make_repo({"README.md": README, **SPECIAL})
    _run("plan", str(root), "-q")
    _run("apply", str(root), "-q")
    assert not (root / "PHASE#4_COMPLETE.md").exists()  # archived: the generated pages link it
    site = _run("site", str(root))
    built = _run("build", str(root))  # strict: an unencoded `#` link is an unrecognised link
    pages = int(site.split(": ", 1)[1].split(" page", 1)[0])
    assert f"Built {pages} pages" in built  # one count: what site announces, build makes
    html = "".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("index.html"))
    assert "PHASE%234_COMPLETE/" in html and not re.search(r'href="[^"]*PHASE#', html)
    assert "what%3F/" in html and "100%25/" in html and "my%20guide/" in html
    index = (root / "site" / "guides" / "index.html").read_text(encoding="utf-8")  # a generated page
    assert "What? &lt;script&gt;alert(1)&lt;/script&gt;" in index and "<script>alert" not in index


def test_a_page_too_deeply_nested_to_render_is_named_and_the_build_exits_1(make_repo: RepoMaker) -> None:
    deep = "# Deep\n\n" + "- " * 10_000 + "bottom\n"
    root = make_repo(
        {"README.md": "# Home\n\nSee [deep](docs/deep.md).\n", "docs/deep.md": deep, "docs/a.md": "# A\n"}
    )
    _run("site", str(root))
    done = CliRunner().invoke(main, ["build", str(root)])
    assert done.exit_code == 1, done.output
    assert "docs/deep.md" in done.stderr and "RecursionError" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.output


def test_site_and_build_agree_on_pages_and_count_redirects_apart(make_repo: RepoMaker) -> None:
    from consolidator.core import gitio

    root = make_repo(
        {
            "README.md": "# Home\n\nSee [the API](docs/api.md).\n",
            "docs/api.md": "# API\n\nEndpoints.\n",
            "docs/guide.md": "# Guide\n\nSee [the API](api.md).\n",
        }
    )
    entries = ""
    for source, dest in (
        ("README.md", None),
        ("docs/api.md", "docs/reference/api.md"),
        ("docs/guide.md", None),
    ):
        entries += f"  - source: {source}\n    blob: {gitio.blob_id((root / source).read_bytes())}\n"
        entries += "    action: keep\n" if dest is None else f"    action: move\n    destination: {dest}\n"
    (root / "plan.yaml").write_text("version: 1\nentries:\n" + entries, encoding="utf-8")
    _run("apply", str(root), "--plan", str(root / "plan.yaml"), "-q")
    site = _run("site", str(root))
    built = _run("build", str(root))
    pages = int(site.split(": ", 1)[1].split(" page", 1)[0])
    assert "1 redirect." in site
    assert f"Built {pages} pages and 1 redirect into" in built, (site, built)
