"""Shared fixtures: real git repositories in tmp_path, the bundled samples, the shared corpus."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from consolidator.analysis import scan
from consolidator.core import gitio
from consolidator.demo import make_sample_repo

SHARED = Path(__file__).resolve().parents[2] / "shared"
PROJECT = Path(__file__).resolve().parents[1]
CORPUS_BUNDLE = SHARED / "corpora" / "ibimina-2025-11-14.bundle"

RepoMaker = Callable[[dict[str, str | bytes]], Path]


def load_tool(folder: str, name: str) -> ModuleType:
    """The module `name` of the project's `scripts/` or `benchmarks/` folder (they are not packages),
    imported with that folder first on the path, so that what it imports from beside it is found too."""
    sys.path.insert(0, str(PROJECT / folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


# A committer identity for tests that commit, whatever the machine's git configuration says.
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use with `pytestmark = pytest.mark.usefixtures("git_identity")`."""
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the size of every blob the scan parses (cache misses), in order."""
    parsed: list[int] = []
    real = scan.parse_blob

    def counting(data: bytes) -> object:
        parsed.append(len(data))
        return real(data)

    monkeypatch.setattr(scan, "parse_blob", counting)
    return parsed


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoMaker:
    """A git repository holding `files`, committed once."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        write_files(root, files)
        gitio.init_with_commit(root, "initial")
        return root

    return make


@pytest.fixture
def samples_repo(tmp_path: Path) -> Path:
    return make_sample_repo(tmp_path / "samples-repo")


@pytest.fixture(scope="session")
def samples_truth() -> dict:
    import yaml

    return yaml.safe_load((Path(__file__).parent / "data" / "samples_truth.yaml").read_text(encoding="utf-8"))


# Fixtures that read the shared corpus; a test using any of them (directly or through another fixture)
# is a corpus test whether or not it says so.
CORPUS_FIXTURES = frozenset({"corpus_clone", "corpus_repo"})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: "not slow" must never reach the corpus
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("corpus") is None and not fixtures & CORPUS_FIXTURES:
            continue
        if item.get_closest_marker("corpus") is None:
            item.add_marker(pytest.mark.corpus)
        if item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def corpus_available() -> bool:
    return CORPUS_BUNDLE.is_file()


needs_corpus = pytest.mark.skipif(
    not CORPUS_BUNDLE.is_file(), reason=f"shared corpus not found at {CORPUS_BUNDLE} (../shared is absent)"
)


@pytest.fixture(scope="session")
def corpus_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine clone of the shared corpus; copy it before changing anything."""
    if not CORPUS_BUNDLE.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS_BUNDLE} (../shared is absent)")
    dest = tmp_path_factory.mktemp("corpus") / "ibimina"
    gitio.clone(CORPUS_BUNDLE, dest)
    return dest


@pytest.fixture
def corpus_repo(corpus_clone: Path, tmp_path: Path) -> Path:
    """A clone of the shared corpus this test may change."""
    dest = tmp_path / "ibimina"
    shutil.copytree(corpus_clone, dest, symlinks=True)
    return dest
