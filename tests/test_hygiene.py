"""The test suite's own rules: corpus tests are slow tests, and every expected failure says why."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS_FIXTURES

TESTS = Path(__file__).resolve().parent


def test_not_slow_never_reaches_the_corpus() -> None:
    # `--fixtures-per-test` lists, without running anything, the fixtures each selected test uses
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--fixtures-per-test",
            "-q",
            "-m",
            "not slow",
        ],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "error" not in listed.stdout.lower().splitlines()[-1], listed.stdout[-2000:]
    used = [line for line in listed.stdout.splitlines() if line.split(" ", 1)[0] in CORPUS_FIXTURES]
    assert used == [], "tests selected by -m 'not slow' use the corpus"


def test_every_xfail_gives_a_reason() -> None:
    missing = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name == "xfail" and not any(k.arg == "reason" for k in node.keywords) and len(node.args) < 2:
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []
