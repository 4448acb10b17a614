"""The plan is a reviewed artefact: the same repository must give the same bytes, release after release,
unless a change means to plan differently. Speed work (caches, parallel parsing, blocking, splitting
modules) must not move a single byte.

`golden/plan-digests.json` holds the SHA-256 of `consolidate plan -o FILE` on the bundled samples and on
every shared corpus, as the last change meant to plan them. A test fails with the name of every plan
that differs. When a change is meant to plan differently, regenerate the digests with
`CONSOLIDATE_UPDATE_DIGESTS=1 pytest tests/test_plan_bytes.py` and say why in the commit.

Each corpus is cloned from its bundle into a folder named like the bundle, since the plan records the
repository's folder name and commit; the samples are copied the way `consolidate demo` copies them.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from consolidator.cli import main
from consolidator.core import gitio
from consolidator.demo import make_sample_repo
from tests.conftest import SHARED

GOLDEN = Path(__file__).parent / "golden" / "plan-digests.json"
DIGESTS: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
UPDATE = os.environ.get("CONSOLIDATE_UPDATE_DIGESTS") == "1"


def _bundle(name: str) -> Path:
    top = SHARED / "corpora" / f"{name}.bundle"
    return top if top.is_file() else SHARED / "corpora" / "cleanups" / f"{name}.bundle"


def _plan_digest(repo: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["plan", str(repo), "--output", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return hashlib.sha256(out.read_bytes()).hexdigest()


def _compare(name: str, digest: str) -> None:
    if UPDATE:
        DIGESTS[name] = digest
        GOLDEN.write_text(json.dumps(DIGESTS, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert digest == DIGESTS[name], f"the plan of {name} changed (see this module's docstring)"


def test_samples_plan_bytes_are_unchanged(tmp_path: Path) -> None:
    repo = make_sample_repo(tmp_path / "samples")
    _compare("samples", _plan_digest(repo, tmp_path / "plan.yaml"))


def test_a_warm_plan_writes_the_same_bytes_as_a_cold_one(tmp_path: Path) -> None:
    # The second run reads every parse result from the blob-keyed cache.
    repo = make_sample_repo(tmp_path / "samples")
    cold = _plan_digest(repo, tmp_path / "cold.yaml")
    assert (repo / ".git" / "consolidate" / "parse-cache.pickle").is_file()
    assert _plan_digest(repo, tmp_path / "warm.yaml") == cold


def test_a_plan_from_cached_parses_and_text_facts_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consolidator.decide.evidence as evidence
    import consolidator.decide.textsignals as textsignals

    repo = make_sample_repo(tmp_path / "samples")
    cold = _plan_digest(repo, tmp_path / "cold.yaml")
    # No whole result to reuse: every parse and its text facts come from the parse cache, so neither
    # the workers' `plan_facts` nor the evidence's own reading of a text (its fallback) runs.
    (repo / ".git" / "consolidate" / "plan-result.json").unlink()
    calls: list[str] = []
    for module, name in ((textsignals, "plan_facts"), (evidence, "signals_of")):
        real = getattr(module, name)

        def counting(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(module, name, counting)
    assert _plan_digest(repo, tmp_path / "warm.yaml") == cold
    assert calls == []


def test_an_unchanged_repository_is_planned_from_the_result_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import consolidator.analysis.cache as cache_module
    import consolidator.cli as cli

    repo = make_sample_repo(tmp_path / "samples")
    # a made-up token, so the summary has credentials to list
    token = "ghp_" + "Zq8vR2mLx7TnY4kPw9sDf3HjB6cGu1EoQa5N"
    notes = f"# Deploy notes\n\nexport GITHUB_TOKEN={token}\n"
    (repo / "DEPLOY_NOTES.md").write_text(notes, encoding="utf-8")
    args = ["plan", str(repo), "--output", str(tmp_path / "plan.yaml")]
    cold = CliRunner().invoke(main, args)
    cold_bytes = (tmp_path / "plan.yaml").read_bytes()
    real = cli._scan
    scans: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        scans.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "_scan", counting)
    warm = CliRunner().invoke(main, args)
    assert scans == []
    assert (tmp_path / "plan.yaml").read_bytes() == cold_bytes
    # and it says the same, the credentials the samples hold included (masked)
    assert "hold credentials" in cold.output
    assert warm.output == cold.output
    # Any change to what the plan depends on plans again: here a new document.
    (repo / "NOTES_EXTRA.md").write_text("# Extra notes\n\nA new page.\n", encoding="utf-8")
    assert _plan_digest(repo, tmp_path / "new.yaml") != hashlib.sha256(cold_bytes).hexdigest()
    assert scans == [1]
    # The cache only ever answers with what a full run writes.
    monkeypatch.setattr(cache_module, "load_result", lambda *a, **k: None)
    assert _plan_digest(repo, tmp_path / "full.yaml") == _plan_digest(repo, tmp_path / "new.yaml")


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(n for n in DIGESTS if n != "samples"))
def test_corpus_plan_bytes_are_unchanged(name: str, tmp_path: Path) -> None:
    bundle = _bundle(name)
    if not bundle.is_file():
        pytest.skip(f"shared corpus not found at {bundle} (../shared is absent)")
    repo = tmp_path / name
    gitio.clone(bundle, repo)
    _compare(name, _plan_digest(repo, tmp_path / "plan.yaml"))
