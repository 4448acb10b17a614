"""`apply` and `undo` on real git repositories: moves with history, link rewriting, refusals, undo."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from consolidator.apply.apply import apply_plan
from consolidator.apply.journal import Journal, journal_dir
from consolidator.apply.undo import undo
from consolidator.apply.work import PLAN_REL, RECORD_REL
from consolidator.core import gitio
from consolidator.core.errors import ApplyError, ConsolidatorError, PlanError
from consolidator.core.models import Decision, Plan, PlanHeader
from consolidator.decide.planfile import dump_plan
from tests.conftest import IDENTITY

pytestmark = pytest.mark.usefixtures("git_identity")

TRUTH = Path(__file__).parent / "data" / "samples_truth.yaml"
# ---------------------------------------------------------------- helpers shared with the other apply tests


def _kebab(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.rsplit(".", 1)[0].lower()).strip("-") + ".md"


def sample_plan(repo: Path) -> Plan:
    """A reviewed plan for the samples, from their ground truth: live docs into sections, history
    into the archive, duplicates merged into their canonical."""
    truth = yaml.safe_load(TRUTH.read_text(encoding="utf-8"))
    canonical = {
        m: g["canonical"] for g in truth["duplicate_groups"] for m in g["members"] if m != g["canonical"]
    }
    canonical.update({m: g["kept"] for g in truth["overlapping_guides"] for m in g["superseded"]})
    entries = []
    for path in sorted(p.name for p in repo.glob("*.md")):
        blob = gitio.blob_id((repo / path).read_bytes())
        if path in truth["conventional_root"]:
            entries.append(Decision(path, "keep", None, None, None, ("conventional",), 1.0, blob))
        elif path in canonical:
            dest = f"docs/archive/duplicates/{path}"
            entries.append(Decision(path, "merge", dest, "archive", canonical[path], ("dup",), 0.9, blob))
        elif path in truth["historical"]:
            dest = f"docs/archive/2025/{path}"
            entries.append(Decision(path, "archive", dest, "archive", None, ("history",), 0.9, blob))
        else:
            section = truth["live"][path]
            dest = f"docs/{section}/{_kebab(path)}"
            entries.append(Decision(path, "move", dest, section, None, ("live",), 0.9, blob))
    return Plan(PlanHeader("consolidator 0.1.0", repo.name, gitio.head(repo)), tuple(entries))


def write_plan(repo: Path, plan: Plan, where: str = PLAN_REL) -> Path:
    path = repo / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_plan(plan), encoding="utf-8")
    return path


def git(repo: Path, *args: str) -> str:
    return gitio.run_git(repo, *args).decode("utf-8", "surrogateescape")


def snapshot(repo: Path) -> dict[str, object]:
    """Everything apply may change: HEAD, index entries, status, every file's bytes and mode, folders."""
    files: dict[str, str] = {}
    folders: list[str] = []
    for dirpath, dirnames, filenames in os.walk(repo):
        rel_dir = Path(dirpath).relative_to(repo)
        if rel_dir.parts[:1] == (".git",):
            continue
        dirnames[:] = [d for d in dirnames if not (rel_dir == Path(".") and d == ".git")]
        folders.append(rel_dir.as_posix())
        for name in filenames:
            full = Path(dirpath) / name
            data = os.readlink(full).encode() if full.is_symlink() else full.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            files[(rel_dir / name).as_posix()] = f"{digest} {full.lstat().st_mode:o}"
    return {
        "head": gitio.head(repo),
        "branch": gitio.current_branch(repo),
        "ls-files": git(repo, "ls-files", "-s"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "files": files,
        "folders": sorted(folders),
    }


Prepared = tuple[Path, Plan, dict[str, object]]


@pytest.fixture
def applied_samples(samples_repo: Path) -> Prepared:
    plan = sample_plan(samples_repo)
    write_plan(samples_repo, plan)
    return samples_repo, plan, snapshot(samples_repo)


# ---------------------------------------------------------------- the whole job on the samples


def test_apply_moves_rewrites_and_commits_twice(applied_samples: Prepared) -> None:
    repo, plan, before = applied_samples
    pre_head = before["head"]
    originals = {e.source: (repo / e.source).read_bytes() for e in plan.entries}
    plan_bytes = (repo / PLAN_REL).read_bytes()

    result = apply_plan(repo)

    moves = plan.moves()
    assert dict(result.moves) == moves and len(moves) == 50
    assert len(result.commits) == 2
    renames, content = result.commits
    assert gitio.head(repo) == content
    assert git(repo, "rev-parse", f"{content}^").strip() == renames
    assert git(repo, "rev-parse", f"{renames}^").strip() == pre_head
    # The first commit is nothing but exact renames, one per move.
    status = git(repo, "diff-tree", "-r", "-M", "--name-status", pre_head, renames).splitlines()
    assert sorted(status) == sorted(f"R100\t{src}\t{dst}" for src, dst in moves.items())
    # The content commit records the applied plan, byte for byte.
    assert gitio.read_blob(repo, "HEAD", RECORD_REL) == plan_bytes
    # ... and the check baseline (this hand-made plan records no broken links, so it is empty).
    assert json.loads(gitio.read_blob(repo, "HEAD", ".consolidate/baseline.json") or b"")["findings"] == []
    assert "plan" in git(repo, "log", "-1", "--format=%B").lower()
    assert git(repo, "status", "--porcelain") == ""
    for src, dst in moves.items():
        assert not (repo / src).exists() and (repo / dst).is_file()
    # History follows every moved file back to the initial commit (one pass over the log).
    history = gitio.history(repo)
    for dst in moves.values():
        assert history[dst].commits >= 2, dst
        assert history[dst].first == "2025-06-01"
    # Unmoved files whose links change are rewritten in place; files without change keep their bytes.
    rewritten = {f.path for f in result.rewritten}
    assert "README.md" in rewritten
    assert (repo / "CODE_OF_CONDUCT.md").read_bytes() == originals["CODE_OF_CONDUCT.md"]
    for e in plan.entries:
        final = moves.get(e.source, e.source)
        if final not in rewritten:
            assert (repo / final).read_bytes() == originals[e.source], final


def test_archive_notice_points_to_canonical(applied_samples: Prepared) -> None:
    repo, plan, _ = applied_samples
    result = apply_plan(repo)
    moves = plan.moves()
    merged = [e for e in plan.entries if e.action == "merge"]
    assert merged
    noticed = {f.path: f.notice for f in result.rewritten if f.notice}
    for e in merged:
        final = moves[e.source]
        canonical_final = moves.get(e.canonical or "", e.canonical)
        assert noticed[final] == canonical_final
        text = (repo / final).read_text(encoding="utf-8")
        first = text.splitlines()[0]
        match = re.fullmatch(r"> \*\*Archived\.\*\* Superseded by \[(.+)\]\(([^)]+)\)\.", first)
        assert match, first
        target = (repo / final).parent / match.group(2)
        assert target.resolve() == (repo / str(canonical_final)).resolve()
    # Documents that are merely archived (no canonical) get no notice.
    for e in plan.entries:
        if e.action == "archive" and not e.canonical:
            assert "Archived." not in (repo / moves[e.source]).read_text(encoding="utf-8")


def test_mentions_in_other_files_are_listed_with_lines(
    applied_samples: Prepared,
) -> None:
    repo, plan, _ = applied_samples
    moves = plan.moves()
    expected = set()
    for path in git(repo, "ls-files").splitlines():
        if path.endswith(".md") or path.startswith(".consolidate/") or not (repo / path).is_file():
            continue
        data = (repo / path).read_bytes()
        if b"\0" in data:
            continue
        for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
            for src in moves:
                if re.search(rf"(?<![\w./-]){re.escape(src)}(?![\w-])", line):
                    expected.add((path, number, src))
    assert expected, "the samples mention moved documents in scripts and code"
    before = {p: (repo / p).read_bytes() for p, _, _ in expected}

    result = apply_plan(repo)

    assert {(m.file, m.line, m.old) for m in result.mentions} == expected
    assert not result.mentions_rewritten
    for path, data in before.items():
        assert (repo / path).read_bytes() == data


def test_rewrite_mentions_opt_in(samples_repo: Path) -> None:
    write_plan(samples_repo, sample_plan(samples_repo))
    script = samples_repo / "scripts" / "deploy.sh"
    assert "see DEPLOYMENT_GUIDE.md" in script.read_text(encoding="utf-8")
    result = apply_plan(samples_repo, rewrite_mentions=True)
    assert result.mentions_rewritten
    text = script.read_text(encoding="utf-8")
    assert "see docs/operations/deployment-guide.md" in text
    assert "scripts/deploy.sh" in {f.path for f in result.rewritten}
    assert os.access(script, os.X_OK) == os.access(samples_repo / "scripts" / "deploy.sh", os.X_OK)
    assert git(samples_repo, "status", "--porcelain") == ""


def test_dry_run_changes_nothing(applied_samples: Prepared) -> None:
    repo, plan, before = applied_samples
    index_bytes = (repo / ".git" / "index").read_bytes()
    result = apply_plan(repo, dry_run=True)
    assert snapshot(repo) == before
    assert (repo / ".git" / "index").read_bytes() == index_bytes
    assert not (repo / ".git" / "consolidate" / "apply").exists()
    assert result.dry_run and not result.commits
    assert dict(result.moves) == plan.moves()
    assert len(result.diffs) == len(result.rewritten) > 0
    by_path = {f.path: f for f in result.rewritten}
    for diff in result.diffs:
        header = diff.splitlines()[:2]
        assert header[0].startswith("--- a/") and header[1].startswith("+++ b/")
        change = by_path[header[1][len("+++ b/") :]]
        for c in change.changes:
            assert any(line.startswith("+") and c.new in line for line in diff.splitlines()[2:])


def test_already_applied_changes_nothing(applied_samples: Prepared) -> None:
    repo, _, _ = applied_samples
    apply_plan(repo)
    after = snapshot(repo)
    again = apply_plan(repo)
    assert again.already_applied and not again.commits and not again.moves
    assert snapshot(repo) == after


def test_no_commit_leaves_changes_staged_and_undo_restores(
    applied_samples: Prepared,
) -> None:
    repo, plan, before = applied_samples
    result = apply_plan(repo, commit=False)
    assert result.staged and not result.commits
    assert gitio.head(repo) == before["head"]
    staged = git(repo, "diff", "--cached", "-M", "--name-status").splitlines()
    renamed = {line.split("\t")[1]: line.split("\t")[2] for line in staged if line.startswith("R")}
    deleted = {line.split("\t")[1] for line in staged if line.startswith("D")}
    added = {line.split("\t")[1] for line in staged if line.startswith("A")}
    # One staged change cannot keep heavily rewritten indexes paired with their old names; the rest
    # show as renames.
    assert len(renamed) >= len(plan.moves()) - 5
    for src, dst in plan.moves().items():
        assert renamed.get(src) == dst or (src in deleted and dst in added)
    assert git(repo, "diff", "--name-only") == ""  # nothing left unstaged
    undone = undo(repo)
    assert undone.head == before["head"] and undone.completed
    assert snapshot(repo) == before


def test_undo_completed_apply_restores_exact_state(
    applied_samples: Prepared,
) -> None:
    repo, _, before = applied_samples
    result = apply_plan(repo)
    undone = undo(repo)
    assert undone.removed_commits == result.commits
    assert snapshot(repo) == before
    assert (repo / PLAN_REL).is_file()  # the untracked plan is still there
    with pytest.raises(ApplyError, match="no apply to undo"):
        undo(repo)


def test_undo_refuses_after_later_commits(applied_samples: Prepared) -> None:
    repo, _, _ = applied_samples
    apply_plan(repo)
    (repo / "NEW.md").write_text("# New\n", encoding="utf-8")
    git(repo, "add", "NEW.md")
    git(repo, "commit", "-q", "-m", "later work")
    after = snapshot(repo)
    with pytest.raises(ApplyError, match="refuses"):
        undo(repo)
    assert snapshot(repo) == after


def test_undo_refuses_when_applied_files_changed(applied_samples: Prepared) -> None:
    repo, plan, _ = applied_samples
    apply_plan(repo)
    edited = repo / plan.moves()["GLOSSARY.md"]
    edited.write_text("edited after the apply\n", encoding="utf-8")
    with pytest.raises(ApplyError, match="changed since"):
        undo(repo)
    assert edited.read_text(encoding="utf-8") == "edited after the apply\n"


# ---------------------------------------------------------------- refusals leave the repository alone


def _refused(repo: Path, error: type[ConsolidatorError], match: str, **kwargs: object) -> None:
    before = snapshot(repo)
    with pytest.raises(error, match=match) as caught:
        apply_plan(repo, **kwargs)  # type: ignore[arg-type]
    assert caught.value.exit_code != 0
    assert snapshot(repo) == before
    assert not (repo / ".git" / "consolidate" / "apply").exists()


def test_refuses_outside_git(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("# A\n", encoding="utf-8")
    with pytest.raises(ApplyError, match="not inside a git work tree"):
        apply_plan(tmp_path)


def test_refuses_without_plan(samples_repo: Path) -> None:
    _refused(samples_repo, ApplyError, "cannot read the plan")


def test_refuses_during_merge(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"A.md": "# A\n\none\n", "B.md": "# B\n\nSee [A](A.md).\n"})
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "B.md").write_text("# B\n\nother side\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "B.md").write_text("# B\n\nthis side\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main")
    gitio.run_git(repo, "merge", "other", check=False)
    assert (repo / ".git" / "MERGE_HEAD").exists()
    blob = gitio.blob_id((repo / "A.md").read_bytes())
    plan = Plan(PlanHeader("t", "r", None), (Decision("A.md", "move", "docs/a.md", None, None, (), 1, blob),))
    write_plan(repo, plan)
    _refused(repo, ApplyError, "merge is in progress")


def test_refuses_dirty_touched_files_and_lists_them(samples_repo: Path) -> None:
    write_plan(samples_repo, sample_plan(samples_repo))
    # docs/index.md is not in the plan, but its links would be rewritten: it is touched too.
    with open(samples_repo / "docs" / "index.md", "a", encoding="utf-8") as fh:
        fh.write("\nwork in progress\n")
    # A dirty file the plan does not touch is no obstacle to listing the others.
    (samples_repo / "LICENSE").write_text("changed\n", encoding="utf-8")
    before = snapshot(samples_repo)
    with pytest.raises(ApplyError, match="uncommitted changes") as caught:
        apply_plan(samples_repo)
    assert "docs/index.md" in str(caught.value) and "LICENSE" not in str(caught.value)
    assert snapshot(samples_repo) == before


def test_refuses_stale_entries_and_lists_them(samples_repo: Path) -> None:
    write_plan(samples_repo, sample_plan(samples_repo))
    for name in ("GLOSSARY.md", "WEEK_1_STATUS.md"):
        with open(samples_repo / name, "a", encoding="utf-8") as fh:
            fh.write("\nlater edit\n")
        git(samples_repo, "commit", "-q", "-am", f"edit {name}")
    before = snapshot(samples_repo)
    with pytest.raises(ApplyError, match="out of date") as caught:
        apply_plan(samples_repo)
    message = str(caught.value)
    assert "GLOSSARY.md" in message and "WEEK_1_STATUS.md" in message and "ROADMAP.md" not in message
    assert snapshot(samples_repo) == before


@pytest.mark.parametrize(
    ("destination", "why"),
    [
        ("/tmp/escaped.md", "absolute"),
        ("../escaped.md", "outside"),
        ("docs/../../escaped.md", "outside"),
        (".git/hooks/a.md", ".git"),
        ("docs/index.md", "already exists"),
        ("linked/a.md", "symbolic link"),
        ("README.MD", "case"),
    ],
)
def test_refuses_unsafe_destinations(make_repo, destination: str, why: str) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"A.md": "# A\n", "README.md": "# R\n\n[A](A.md)\n", "docs/index.md": "# I\n"})
    (repo / "linked").symlink_to(repo / "docs")
    git(repo, "add", "linked")
    git(repo, "commit", "-q", "-m", "link")
    blob = gitio.blob_id((repo / "A.md").read_bytes())
    plan = Plan(PlanHeader("t", "r", None), (Decision("A.md", "move", destination, None, None, (), 1, blob),))
    write_plan(repo, plan)
    before = snapshot(repo)
    with pytest.raises(PlanError) as caught:
        apply_plan(repo)
    assert why.lower() in str(caught.value).lower()
    assert snapshot(repo) == before


def test_refuses_when_an_untracked_document_links_to_a_moved_one(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"A.md": "# A\n", "README.md": "# R\n\n[A](A.md)\n"})
    (repo / "NOTES.md").write_text("# Notes\n\nSee [A](A.md) and [R](README.md).\n", encoding="utf-8")
    (repo / "SCRATCH.md").write_text("# Scratch\n\nNothing that moves: [R](README.md).\n", encoding="utf-8")
    blob = gitio.blob_id(b"# A\n")
    plan = Plan(PlanHeader("t", "r", None), (Decision("A.md", "move", "docs/A.md", None, None, (), 1, blob),))
    write_plan(repo, plan)
    before = snapshot(repo)
    with pytest.raises(PlanError) as caught:
        apply_plan(repo)
    problems = "\n".join(caught.value.problems)
    assert "NOTES.md: not tracked by git, yet it links to 1 document(s) the plan moves" in problems
    assert "SCRATCH.md" not in problems
    assert snapshot(repo) == before
    # once committed, its link is rewritten with the others
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-q", "-m", "notes")
    apply_plan(repo)
    assert (repo / "NOTES.md").read_text(
        encoding="utf-8"
    ) == "# Notes\n\nSee [A](docs/A.md) and [R](README.md).\n"


def test_refuses_two_files_to_one_destination_ignoring_case(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"A.md": "# A\n", "B.md": "# B\n"})
    entries = (
        Decision("A.md", "move", "docs/Guide.md", None, None, (), 1, gitio.blob_id(b"# A\n")),
        Decision("B.md", "move", "docs/guide.md", None, None, (), 1, gitio.blob_id(b"# B\n")),
    )
    write_plan(repo, Plan(PlanHeader("t", "r", None), entries))
    _refused(repo, PlanError, "case")


def test_refuses_without_identity(
    samples_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(samples_repo, sample_plan(samples_repo))
    for key in IDENTITY:
        monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("EMAIL", raising=False)
    _refused(samples_repo, ApplyError, "user.email")
    # --no-commit needs no identity.
    assert apply_plan(samples_repo, commit=False).staged


def test_refuses_new_apply_while_one_is_interrupted(samples_repo: Path) -> None:
    write_plan(samples_repo, sample_plan(samples_repo))
    folder = journal_dir(samples_repo / ".git")
    Journal.prepare(folder, {"version": 1}, {}, samples_repo / ".git" / "index")
    _refused_keep_journal = snapshot(samples_repo)
    with pytest.raises(ApplyError, match="interrupted"):
        apply_plan(samples_repo)
    assert snapshot(samples_repo) == _refused_keep_journal
    # A journal this version cannot read is refused by resume and undo alike, changing nothing.
    for attempt in (lambda: apply_plan(samples_repo, resume=True), lambda: undo(samples_repo)):
        with pytest.raises(ApplyError, match="damaged"):
            attempt()
        assert snapshot(samples_repo) == _refused_keep_journal


def test_resume_without_interrupted_apply(samples_repo: Path) -> None:
    with pytest.raises(ApplyError, match="no interrupted apply"):
        apply_plan(samples_repo, resume=True)


# ---------------------------------------------------------------- byte exactness


def test_crlf_bom_and_front_matter_survive(make_repo) -> None:  # type: ignore[no-untyped-def]
    crlf = "\ufeff# Guide\r\n\r\nSee [old](OLD.md) and [setup](SETUP.md#install).\r\n".encode()
    front = b"---\ntitle: Old setup\n---\n# Old setup\n\nSee [guide](GUIDE.md).\n"
    repo = make_repo({"GUIDE.md": crlf, "OLD.md": b"# Old\n", "SETUP.md": front})
    blobs = {p: gitio.blob_id((repo / p).read_bytes()) for p in ("GUIDE.md", "OLD.md", "SETUP.md")}
    entries = (
        Decision("GUIDE.md", "keep", None, None, None, (), 1, blobs["GUIDE.md"]),
        Decision("OLD.md", "archive", "docs/archive/OLD.md", None, None, (), 1, blobs["OLD.md"]),
        Decision("SETUP.md", "merge", "docs/archive/SETUP.md", None, "GUIDE.md", (), 1, blobs["SETUP.md"]),
    )
    write_plan(repo, Plan(PlanHeader("t", "r", None), entries))
    apply_plan(repo)
    assert (repo / "GUIDE.md").read_bytes() == (
        "\ufeff# Guide\r\n\r\nSee [old](docs/archive/OLD.md) and [setup](docs/archive/SETUP.md#install).\r\n"
    ).encode()
    assert (repo / "docs/archive/SETUP.md").read_bytes() == (
        b"---\ntitle: Old setup\n---\n> **Archived.** Superseded by [Guide](../../GUIDE.md).\n\n"
        b"# Old setup\n\nSee [guide](../../GUIDE.md).\n"
    )


def test_file_that_cannot_round_trip_is_moved_untouched_and_reported(make_repo) -> None:  # type: ignore[no-untyped-def]
    broken = b"\xff\xfe" + "# Notes\n\n[a](A.md)\n".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    repo = make_repo({"A.md": "# A\n", "NOTES.md": broken})
    entries = (
        Decision("A.md", "move", "docs/a.md", None, None, (), 1, gitio.blob_id(b"# A\n")),
        Decision("NOTES.md", "move", "docs/notes.md", None, None, (), 1, gitio.blob_id(broken)),
    )
    write_plan(repo, Plan(PlanHeader("t", "r", None), entries))
    result = apply_plan(repo)
    assert (repo / "docs/notes.md").read_bytes() == broken
    assert any(s.startswith("NOTES.md") for s in result.skipped)


def test_refuses_to_move_a_symbolic_link(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"A.md": "# A\n"})
    (repo / "LINK.md").symlink_to("A.md")
    git(repo, "add", "LINK.md")
    git(repo, "commit", "-q", "-m", "link")
    blob = gitio.blob_id(b"A.md")
    entry = Decision("LINK.md", "move", "docs/l.md", None, None, (), 1, blob)
    plan = Plan(PlanHeader("t", "r", None), (entry,))
    write_plan(repo, plan)
    _refused(repo, PlanError, "symbolic link")


def test_plan_from_elsewhere_is_recorded_and_undo_removes_the_record(
    samples_repo: Path, tmp_path: Path
) -> None:
    plan_file = tmp_path / "reviewed-plan.yaml"
    plan_file.write_text(dump_plan(sample_plan(samples_repo)), encoding="utf-8")
    before = snapshot(samples_repo)
    assert not (samples_repo / ".consolidate").exists()
    apply_plan(samples_repo, plan_file)
    assert gitio.read_blob(samples_repo, "HEAD", RECORD_REL) == plan_file.read_bytes()
    assert (samples_repo / RECORD_REL).read_bytes() == plan_file.read_bytes()
    undo(samples_repo)
    assert snapshot(samples_repo) == before
    assert not (samples_repo / ".consolidate").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# T\n\nbody\n", "NOTE\n\n# T\n\nbody\n"),
        ("\n# T\n", "NOTE\n\n# T\n"),
        ("# T\r\nbody\r\n", "NOTE\r\n\r\n# T\r\nbody\r\n"),
        ("---\ntitle: x\n---\n# T\n", "---\ntitle: x\n---\nNOTE\n\n# T\n"),
        ("---\ntitle: x\n---\n", "---\ntitle: x\n---\nNOTE\n"),
        ("", "NOTE\n"),
        ("no newline at end", "NOTE\n\nno newline at end"),
    ],
)
def test_add_notice_after_front_matter(text: str, expected: str) -> None:
    from consolidator.apply.work import NOTICE_MARK, add_notice

    notice = f"{NOTICE_MARK} Superseded by [T](t.md)."
    assert add_notice(text, notice) == expected.replace("NOTE", notice)
    assert add_notice(add_notice(text, notice), notice) == add_notice(text, notice)


def test_notice_line_escapes_title_and_brackets_odd_paths() -> None:
    from consolidator.apply.work import notice_line

    line = notice_line("Guide [v2]", "../Meeting Notes (old).md")
    assert line == "> **Archived.** Superseded by [Guide \\[v2\\]](<../Meeting Notes (old).md>)."


# ---------------------------------------------------------------- the baseline's secrets, scanned aside


def _secret_repo(make_repo) -> Path:  # type: ignore[no-untyped-def]
    key = "AKIA" + "Q4V8N2XK7ZPL3RTM"  # made up
    repo = make_repo(
        {
            "GUIDE.md": f"# Guide\n\nSee [old](OLD.md).\n\nexport AWS_ACCESS_KEY_ID={key}\n",
            "OLD.md": f"# Old\n\nThe key was {key} once.\n",
        }
    )
    entries = (
        Decision(
            "GUIDE.md", "keep", None, None, None, (), 1, gitio.blob_id((repo / "GUIDE.md").read_bytes())
        ),
        Decision(
            "OLD.md", "move", "docs/old.md", None, None, (), 1, gitio.blob_id((repo / "OLD.md").read_bytes())
        ),
    )
    write_plan(repo, Plan(PlanHeader("t", "r", None), entries))
    return repo


@pytest.mark.parametrize("worker", ["used", "fails"])
def test_baseline_secrets_from_a_worker_process_are_the_scan_here(
    make_repo, monkeypatch: pytest.MonkeyPatch, worker: str
) -> None:  # type: ignore[no-untyped-def]
    from consolidator.apply import work

    here = _secret_repo(make_repo)
    apply_plan(here)  # a few bytes of Markdown: scanned in this process
    expected = gitio.read_blob(here, "HEAD", ".consolidate/baseline.json")
    assert expected is not None and [len(v) for v in json.loads(expected)["results"].values()] == [1, 1]

    started = []
    real_submit = work.ProcessPoolExecutor.submit

    def submit(pool, fn, *args):  # type: ignore[no-untyped-def]
        started.append(fn)
        if worker == "fails" and fn is work.repository_secrets:  # the worker fails: scanned here
            args = (Path("/nonexistent-consolidator-repo"), *args[1:])
        return real_submit(pool, fn, *args)

    monkeypatch.setattr(work, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(work.ProcessPoolExecutor, "submit", submit)
    aside = _secret_repo(make_repo)
    apply_plan(aside)
    assert started == [work.repository_secrets]
    assert gitio.read_blob(aside, "HEAD", ".consolidate/baseline.json") == expected


def test_journal_blobs_in_one_pack_and_in_the_older_one_file_each(tmp_path: Path) -> None:
    blobs = {gitio.blob_id(d): d for d in (b"# A\n", b"", b"line\r\nend\n" * 100)}
    index = tmp_path / "index"
    index.write_bytes(b"x")
    journal = Journal.prepare(tmp_path / "git" / "apply", {"version": 1}, blobs, index)
    assert sorted(p.name for p in journal.folder.iterdir()) == [
        "actions.json",
        "blobs.pack",
        "index.orig",
        "journal.jsonl",
    ]
    assert {b: journal.blob(b) for b in blobs} == blobs
    files = journal.blob_files(list(blobs))
    assert [f.read_bytes() for f in files] == list(blobs.values())
    journal.drop_blob_files()
    assert not any(f.exists() for f in files)
    with pytest.raises(ApplyError, match="lacks the saved copy"):
        journal.blob("0" * 40)
    # A journal written before the pack keeps one file per blob.
    (journal.folder / "blobs.pack").unlink()
    (journal.folder / "blobs").mkdir()
    for b, d in blobs.items():
        (journal.folder / "blobs" / b).write_bytes(d)
    older = Journal(journal.folder)
    assert {b: older.blob(b) for b in blobs} == blobs
    assert older.blob_files(list(blobs)) == [journal.folder / "blobs" / b for b in blobs]


def test_journal_records_at_most_sixteen_batches_of_each_kind() -> None:
    from consolidator.apply.steps import batch_size

    assert batch_size(0, 0) == batch_size(10, 64) == 4  # small applies: a record every 4 files
    assert batch_size(200, 203) == 13 and -(-203 // 13) == 16
