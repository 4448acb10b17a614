"""Apply on whole repositories, checked by an independent reading of the result.

The check parses every Markdown file with markdown-it-py (not mistune, which the tool itself uses),
resolves each relative link and anchor on its own, and requires every link that resolved before the
apply to resolve after it. It also requires every original document to be present at its destination
with the same text except for link targets and an archive notice, and history to follow each move.
Runs on the bundled samples always, and on the shared corpus when ../shared is present.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import IDENTITY, needs_corpus
from markdown_it import MarkdownIt
from test_apply import sample_plan, write_plan

from consolidator.analysis.scan import scan_repo
from consolidator.apply.apply import apply_plan
from consolidator.apply.work import NOTICE_MARK, PLAN_REL, RECORD_REL, ApplyResult
from consolidator.core import gitio
from consolidator.core.config import Config
from consolidator.core.models import Decision, Plan, PlanHeader

pytestmark = pytest.mark.usefixtures("git_identity")


# ---------------------------------------------------------------- an independent link checker

_MD = MarkdownIt("commonmark")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_HTML_ID = re.compile(r"""<[A-Za-z][^>]*\s(?:id|name)\s*=\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Checked:
    href: str
    ok: bool


def _slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _plain(token: object) -> str:
    children = getattr(token, "children", None) or []
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _read(repo: Path, path: str) -> str:
    return (repo / path).read_bytes().decode("utf-8", "replace").lstrip("\ufeff")


def _anchors(text: str) -> set[str]:
    tokens = _MD.parse(text)
    found: set[str] = set()
    counts: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            base = _slug(_plain(tokens[i + 1]))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    found |= {m.lower() for m in _HTML_ID.findall(text)}
    return found


def _hrefs(text: str) -> list[str]:
    hrefs = []
    for tok in _MD.parse(text):
        for child in tok.children or []:
            if child.type == "link_open":
                hrefs.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                hrefs.append(str(child.attrs.get("src", "")))
    return hrefs


def check_links(repo: Path) -> dict[str, list[Checked]]:
    """For every tracked Markdown file, each relative link in order and whether it resolves."""
    files = set(gitio.run_git(repo, "ls-files", "-z").decode().split("\0")) - {""}
    folders = {posixpath.dirname(f) for f in files}
    folders |= {posixpath.dirname(d) for d in list(folders)}
    markdown = sorted(f for f in files if f.lower().endswith(".md"))
    texts = {f: _read(repo, f) for f in markdown}
    anchor_cache: dict[str, set[str]] = {}
    report: dict[str, list[Checked]] = {}
    for source in markdown:
        checked = []
        for href in _hrefs(texts[source]):
            if not href or _SCHEME.match(href):
                continue
            path, _, fragment = href.partition("#")
            path = unquote(path.split("?", 1)[0])
            if not path:
                target = source
            elif path.startswith("/"):
                target = posixpath.normpath(path.lstrip("/"))
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
            if target.startswith("../") or target == "..":
                checked.append(Checked(href, False))
                continue
            exists = target in files or target in folders or target == "."
            ok = exists
            if exists and fragment and target in texts:
                if target not in anchor_cache:
                    anchor_cache[target] = _anchors(texts[target])
                ok = unquote(fragment).lower() in anchor_cache[target]
            checked.append(Checked(href, ok))
        report[source] = checked
    return report


def _mask_targets(line: str) -> str:
    line = re.sub(r"\]\((<[^>]*>|[^)\s]*)", "](", line)
    line = re.sub(r"^(\s*\[[^\]]+\]:\s*)(<[^>]*>|\S+)", r"\1", line)
    return re.sub(r"""\b(href|src)=(["'])[^"']*\2""", r"\1=", line)


@dataclass(frozen=True)
class Before:
    """What the checks compare against, taken just before the apply."""

    links: dict[str, list[Checked]]
    originals: dict[str, bytes]
    history: dict[str, gitio.FileHistory]
    head: str


def take_before(repo: Path, plan: Plan) -> Before:
    return Before(
        check_links(repo),
        {e.source: (repo / e.source).read_bytes() for e in plan.entries},
        gitio.history(repo),
        gitio.head(repo) or "",
    )


def verify_apply(before: Before, repo: Path, plan: Plan, result: ApplyResult) -> tuple[int, int]:
    """Every check of the definition of done; returns (links resolved before, after)."""
    moves = plan.moves()
    after_links = check_links(repo)
    noticed = {f.path for f in result.rewritten if f.notice}
    resolved_before = resolved_after = 0
    lost = []
    for source, links in before.links.items():
        final = moves.get(source, source)
        after = list(after_links[final])
        if final in noticed:
            assert after and after[0].ok, f"{final}: the archive notice link does not resolve"
            after = after[1:]
        assert len(after) == len(links), f"{final}: {len(links)} links before, {len(after)} after"
        for old, new in zip(links, after, strict=True):
            resolved_before += old.ok
            resolved_after += new.ok
            if old.ok and not new.ok:
                lost.append(f"{source} -> {final}: {old.href} became {new.href}")
    total = sum(len(v) for v in before.links.values())
    print(
        f"relative links: {total}; resolved before: {resolved_before}, after: {resolved_after} "
        f"(plus {len(noticed)} archive notice links)"
    )
    assert not lost, "links that resolved before no longer do:\n" + "\n".join(lost[:20])

    # Every original document is at its destination, identical but for link targets and a notice.
    for source, data in before.originals.items():
        final = moves.get(source, source)
        new = (repo / final).read_bytes()
        if new == data:
            continue
        old_lines = data.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        new_lines = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        if final in noticed:
            at = next(i for i, line in enumerate(new_lines) if line.startswith(NOTICE_MARK))
            del new_lines[at]
            added_gap = at >= len(old_lines) or old_lines[at].strip()
            if at < len(new_lines) and not new_lines[at].strip() and added_gap:
                del new_lines[at]
        assert len(new_lines) == len(old_lines), final
        for a, b in zip(old_lines, new_lines, strict=True):
            if a != b:
                assert _mask_targets(a) == _mask_targets(b), f"{final}: {a!r} became {b!r}"

    # History follows every move back to the commits before it (one pass over the log).
    history_after = gitio.history(repo)
    for source, dest in moves.items():
        old, new = before.history[source], history_after[dest]
        assert new.first == old.first, f"{dest}: history starts {new.first}, before the move {old.first}"
        assert new.commits > old.commits, dest
    # And `git log --follow` itself, on a sample, reaches each file's first commit under its old name.
    for source, dest in sorted(moves.items())[:: max(1, len(moves) // 5)]:
        followed = gitio.run_git(repo, "log", "--follow", "--format=%H", "--", dest).split()
        original = gitio.run_git(repo, "log", "--format=%H", before.head, "--", source).split()
        # --follow may reach further back still, past renames the file went through before
        assert original[-1] in followed, dest
    print(f"history followed for all {len(moves)} moved files")
    return resolved_before, resolved_after


def _run_and_verify(repo: Path, plan: Plan) -> ApplyResult:
    write_plan(repo, plan)
    before = take_before(repo, plan)
    result = apply_plan(repo)
    assert len(result.commits) == (2 if plan.moves() else 1)
    assert gitio.run_git(repo, "status", "--porcelain") == b""
    verify_apply(before, repo, plan, result)
    return result


def _planner_or_skip() -> object:
    try:
        from consolidator.decide.plan import build_plan
    except ImportError as exc:  # pragma: no cover - the planner lands separately
        pytest.skip(f"consolidator.decide.plan.build_plan is not available ({exc})")
    return build_plan


def _replan_moves(repo: Path) -> dict[str, str]:
    from consolidator.decide.plan import plan_repository

    config = Config()
    return plan_repository(scan_repo(repo, config=config), config).moves()


# ---------------------------------------------------------------- samples (always)


def test_samples_reviewed_plan_keeps_every_link(samples_repo: Path) -> None:
    result = _run_and_verify(samples_repo, sample_plan(samples_repo))
    assert sum(1 for f in result.rewritten if f.notice) == 10


def test_samples_planner_plan_keeps_every_link(samples_repo: Path) -> None:
    build_plan = _planner_or_skip()
    config = Config()
    plan = build_plan(scan_repo(samples_repo, config=config), config)  # type: ignore[operator]
    _run_and_verify(samples_repo, plan)
    assert _replan_moves(samples_repo) == {}


# ---------------------------------------------------------------- the shared corpus


def _synthetic_plan(repo: Path) -> Plan:
    """Every root Markdown file but the README into docs/moved/, and each *_OLD-free pair left alone:
    a plan that depends on nothing but the file list, so apply is exercised without the planner."""
    entries = []
    for path in sorted(p.name for p in repo.glob("*.md")):
        blob = gitio.blob_id((repo / path).read_bytes())
        if path.lower() == "readme.md":
            entries.append(Decision(path, "keep", None, None, None, (), 1.0, blob))
        else:
            entries.append(Decision(path, "move", f"docs/moved/{path}", None, None, (), 1.0, blob))
    return Plan(PlanHeader("test", repo.name, gitio.head(repo)), tuple(entries))


@needs_corpus
@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_synthetic_plan_keeps_every_link(corpus_repo: Path) -> None:
    result = _run_and_verify(corpus_repo, _synthetic_plan(corpus_repo))
    assert len(result.moves) > 200
    assert gitio.read_blob(corpus_repo, "HEAD", RECORD_REL) == (corpus_repo / PLAN_REL).read_bytes()


@dataclass(frozen=True)
class Applied:
    repo: Path
    plan: Plan
    before: Before
    result: ApplyResult


@pytest.fixture(scope="module")
def corpus_planned_and_applied(corpus_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    """The corpus, planned by the planner and applied once for the tests below."""
    build_plan = _planner_or_skip()
    repo = tmp_path_factory.mktemp("applied") / "ibimina"
    shutil.copytree(corpus_clone, repo, symlinks=True)
    config = Config()
    plan = build_plan(scan_repo(repo, config=config), config)  # type: ignore[operator]
    write_plan(repo, plan)
    before = take_before(repo, plan)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in IDENTITY.items():
            mp.setenv(key, value)
        result = apply_plan(repo)
    return Applied(repo, plan, before, result)


@needs_corpus
@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_planner_plan_then_apply(corpus_planned_and_applied: Applied) -> None:
    done = corpus_planned_and_applied
    assert len(done.result.commits) == 2
    assert gitio.run_git(done.repo, "status", "--porcelain") == b""
    verify_apply(done.before, done.repo, done.plan, done.result)
    print(
        f"{len(done.result.moves)} moves, {len(done.result.rewritten)} files rewritten, "
        f"{sum(1 for f in done.result.rewritten if f.notice)} archive notices"
    )


@needs_corpus
@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_replan_after_apply_proposes_no_moves(corpus_planned_and_applied: Applied) -> None:
    moves = _replan_moves(corpus_planned_and_applied.repo)
    print("moves proposed again:", *sorted(moves.items()), sep="\n  ")
    assert moves == {}
