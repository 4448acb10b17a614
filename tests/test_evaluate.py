"""The evaluation harness (scripts/evaluate.py) reads several folders of corpora and of clones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_tool


@pytest.fixture(scope="module")
def evaluating() -> Any:
    return load_tool("scripts", "evaluate")


def _cleanup(root: Path, name: str, rows: list[tuple[str, str]]) -> None:
    (root / "cleanups").mkdir(parents=True)
    lines = ["path\tfate\tnew_path", *(f"{path}\t{fate}\t" for path, fate in rows)]
    (root / "cleanups" / f"{name}.fates.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_corpora_and_clones_come_from_every_folder_given(evaluating: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "shared", tmp_path / "heldout"
    _cleanup(first, "alpha", [("WEEK_1_STATUS.md", "archived"), ("GUIDE.md", "kept-root")])
    _cleanup(second, "beta", [("PHASE_2_DONE.md", "deleted"), ("docs/x.md", "archived")])
    corpora = [c for root in (first, second) for c in evaluating.load_corpora(root)]
    assert [c.name for c in corpora] == ["alpha", "beta"]
    # Root files only; a deleted file is history, a file kept at the root live.
    assert corpora[0].truth == {"WEEK_1_STATUS.md": "history", "GUIDE.md": "live"}
    assert corpora[1].truth == {"PHASE_2_DONE.md": "history"}
    # A clone named after the corpus is found in whichever clones folder holds it.
    clones_a, clones_b = tmp_path / "clones-a", tmp_path / "clones-b"
    (clones_b / "beta" / ".git").mkdir(parents=True)
    clones_a.mkdir()
    found = evaluating.checkout(corpora[1], [clones_a, clones_b], tmp_path / "scratch")
    assert found == clones_b / "beta"


def test_a_missing_corpora_folder_is_a_clear_error(evaluating: Any, tmp_path: Path, capsys: Any) -> None:
    assert evaluating.main(["--corpora", str(tmp_path / "nowhere")]) == 2
    assert "no corpora at" in capsys.readouterr().err
