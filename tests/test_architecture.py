"""The import rule between the stage subpackages, read from the source with `ast`.

Each stage may import only the stages below it (docs/architecture.md). Only `cli.py` imports click;
only `core/gitio.py` runs git. Every subpackage says in its docstring what it owns and what it may
import, and what it says is the rule enforced here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "consolidator"

# subpackage -> the subpackages it may import (besides itself), lowest first
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": (),
    "markdown": ("core",),
    "security": ("core",),
    "analysis": ("core", "markdown", "security"),
    "decide": ("core", "markdown", "security", "analysis"),
    "site": ("core", "markdown", "security", "analysis", "decide"),
    "guard": ("core", "markdown", "security", "analysis", "decide", "site"),
    "apply": ("core", "markdown", "security", "analysis", "decide", "site", "guard"),
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted ("consolidator.decide.plan")
    target: str  # what it imports, dotted and absolute ("consolidator.core.config", "subprocess")
    line: int


def module_name(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, package: Path = PACKAGE) -> list[Import]:
    """Every import in the module, anywhere in it (functions included), relative ones made absolute."""
    name = module_name(path, package)
    # the package a relative import counts from: the module's own package (itself for an __init__)
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            if node.module is None:
                # `from .. import x`: x may be a module of that package
                found += [Import(name, f"{stem}.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append(Import(name, stem, node.lineno))
    return found


def modules(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def stage_of(dotted: str) -> str | None:
    """The subpackage a dotted module belongs to, None for top-level modules and outside names."""
    parts = dotted.split(".")
    if parts[0] != "consolidator" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ALLOWED else None


def layering_violations(package: Path = PACKAGE) -> list[str]:
    problems = []
    for path in modules(package):
        for imp in imports_of(path, package):
            source = stage_of(imp.module)
            if source is None:
                continue  # cli.py, report.py, demo.py and the package's __init__ may import anything
            if imp.target.split(".")[0] != "consolidator":
                continue
            target = stage_of(imp.target)
            if target is None:
                problems.append(f"{imp.module}:{imp.line} imports the top-level {imp.target}")
            elif target != source and target not in ALLOWED[source]:
                problems.append(
                    f"{imp.module}:{imp.line} imports {imp.target} ({source} may not import {target})"
                )
    return problems


def test_relative_imports_resolve(tmp_path: Path) -> None:
    pkg = tmp_path / "consolidator"
    (pkg / "decide").mkdir(parents=True)
    (pkg / "decide" / "__init__.py").write_text("from . import plan\n")
    (pkg / "decide" / "plan.py").write_text(
        "from ..core.config import Config\nfrom .rules import RULES\nfrom .. import core\n"
        "def f():\n    from ..site import build\n"
    )
    got = {i.target for i in imports_of(pkg / "decide" / "plan.py", pkg)}
    assert got == {
        "consolidator.core.config",
        "consolidator.decide.rules",
        "consolidator.core",
        "consolidator.site",
    }
    assert {i.target for i in imports_of(pkg / "decide" / "__init__.py", pkg)} == {"consolidator.decide.plan"}


def test_a_planted_violation_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "consolidator"
    for sub in ("core", "decide", "site"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text('"""x"""\n')
    (pkg / "core" / "models.py").write_text("def f():\n    from ..decide import plan\n")
    (pkg / "decide" / "plan.py").write_text("from ..site.nav import Layout\nfrom ..core.models import f\n")
    (pkg / "site" / "nav.py").write_text("from ..decide.plan import x\n")
    found = layering_violations(pkg)
    assert len(found) == 2, found
    assert any("consolidator.core.models" in p and "core may not import decide" in p for p in found)
    assert any("consolidator.decide.plan" in p and "decide may not import site" in p for p in found)


def test_each_stage_imports_only_the_stages_below_it() -> None:
    assert layering_violations() == []


def test_only_the_cli_imports_click() -> None:
    users = sorted(
        {imp.module for p in modules() for imp in imports_of(p) if imp.target.split(".")[0] == "click"}
    )
    assert users == ["consolidator.cli"]


_PROCESS_CALLS = {"system", "popen", "spawnl", "spawnlp", "spawnv", "spawnvp", "execv", "execvp", "execl"}


def _runs_processes(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _PROCESS_CALLS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"os.{node.attr} at line {node.lineno}")
        # an argument list that starts with "git": a git command about to be run
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                found.append(f'["git", ...] at line {node.lineno}')
    found += [
        f"imports {imp.target} at line {imp.line}"
        for imp in imports_of(path)
        if imp.target.split(".")[0] in ("subprocess", "pty", "pygit2", "dulwich", "git")
    ]
    return found


def test_only_gitio_runs_git_or_any_process() -> None:
    found = {module_name(p): _runs_processes(p) for p in modules() if p.name != "gitio.py"}
    assert {m: f for m, f in found.items() if f} == {}
    assert _runs_processes(PACKAGE / "core" / "gitio.py")  # the check does see gitio's own calls


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_every_stage_says_what_it_owns_and_may_import(stage: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc, f"consolidator/{stage}/__init__.py has no docstring"
    owns, _, rule = doc.partition("May import:")
    assert len(owns.split()) >= 8, f"{stage}: the docstring should say what the stage owns"
    assert rule, f"{stage}: the docstring should end with 'May import: ...'"
    named = tuple(re.findall(r"`(\w+)`", rule))
    assert named == ALLOWED[stage], f"{stage} says it may import {named}; the rule is {ALLOWED[stage]}"


def test_every_subpackage_is_a_stage() -> None:
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(ALLOWED)


def private_reaches(package: Path = PACKAGE) -> list[str]:
    """Private (underscore) names a module takes from a module of another stage: imported by name, or
    read as an attribute of a module it imported (`from ..analysis import scan` then `scan._x`). A stage
    offers other stages its public names only; a top-level module counts as a stage of its own."""
    found = []
    for path in modules(package):
        name = module_name(path, package)
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        aliases: dict[str, str] = {}  # local name -> the module of another stage it is bound to
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            stem = ".".join(here[: len(here) - (node.level - 1)] + ([node.module] if node.module else []))
            for alias in node.names:
                dotted = f"{stem}.{alias.name}"
                is_module = (package.parent / Path(*dotted.split("."))).with_suffix(".py").is_file()
                owner = dotted if is_module else stem
                if stage_of(owner) == stage_of(name) and stage_of(name) is not None:
                    continue
                if is_module:
                    aliases[alias.asname or alias.name] = dotted
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{name}:{node.lineno} imports {stem}.{alias.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{name}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    return found


def test_a_planted_private_reach_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "consolidator"
    for sub in ("analysis", "guard"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text('"""x"""\n')
    (pkg / "analysis" / "scan.py").write_text("def _parse(): ...\ndef parse(): ...\n")
    (pkg / "analysis" / "cache.py").write_text("from .scan import _parse\n")  # within its stage: fine
    (pkg / "guard" / "check.py").write_text(
        "from ..analysis import scan as _s\nfrom ..analysis.scan import _parse, parse\n"
        "_s._parse()\n_s.parse()\n"
    )
    assert sorted(private_reaches(pkg)) == [
        "consolidator.guard.check:2 imports consolidator.analysis.scan._parse",
        "consolidator.guard.check:3 reads consolidator.analysis.scan._parse",
    ]


def test_no_stage_reaches_into_another_stages_private_names() -> None:
    assert private_reaches() == []
