"""The one source of naming conventions, and the one loader of mkdocs.yml YAML."""

from __future__ import annotations

import pytest

from consolidator.core.conventions import (
    conventional_rank,
    heads_folder,
    in_history_folder,
    is_conventional,
    is_markdown,
    is_site_page,
    slug,
)
from consolidator.core.mkdocs_yaml import Tagged, load_tagged, untagged, yaml_block


def test_mdx_is_read_but_not_a_site_page() -> None:
    assert is_markdown("docs/Guide.MDX") and not is_site_page("docs/Guide.MDX")
    assert is_markdown("a.markdown") and is_site_page("a.markdown")
    assert not is_markdown("notes.txt")


@pytest.mark.parametrize(
    "path", ["archive/x.md", "docs/old/x.md", "attic/a/b.md", "history/x.md", ".archive/x.md"]
)
def test_history_folders_are_one_list(path: str) -> None:
    assert in_history_folder(path)


def test_a_history_file_name_is_not_a_history_folder() -> None:
    assert not in_history_folder("HISTORY.md")
    assert not in_history_folder("docs/olden/x.md")


def test_folder_fixtures_and_site_order() -> None:
    assert heads_folder("index.md") and heads_folder("CLAUDE.md") and not heads_folder("GUIDE.md")
    assert is_conventional("copilot-instructions.md") and is_conventional("Code Of Conduct.md")
    names = ["ZEBRA.md", "LICENSE.md", "CONTRIBUTING.md", "README.md"]
    assert sorted(names, key=conventional_rank) == ["README.md", "CONTRIBUTING.md", "LICENSE.md", "ZEBRA.md"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E2E testing guide", "e2e-testing-guide"),  # acronyms and timestamps stay whole
        ("run 20260329T115947Z", "run-20260329t115947z"),
        ("  Déploiement / v2 ", "d-ploiement-v2"),
        ("---", ""),
        ("x" * 70, "x" * 60),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_mkdocs_tags_survive_a_load_and_a_dump_and_read_as_plain_values() -> None:
    text = (
        "docs_dir: !ENV [DOCS_DIR, handbook]\n"
        "emoji: !!python/name:material.extensions.emoji.twemoji\n"
        "custom: !relative $config_dir\n"
    )
    data = load_tagged(text)
    assert isinstance(data["docs_dir"], Tagged)
    assert untagged(data) == {
        "docs_dir": ["DOCS_DIR", "handbook"],
        "emoji": "",  # the name is in the tag; the value is empty
        "custom": "$config_dir",
    }
    dumped = yaml_block(data)
    assert "!ENV" in dumped and "!!python/name:material.extensions.emoji.twemoji" in dumped
    assert "!relative" in dumped
