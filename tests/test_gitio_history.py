"""History dates on clones that lack some old objects: the log reads only the files the plan dates."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.analysis.scan import scan_repo
from consolidator.cli import main
from consolidator.core import gitio
from tests.conftest import write_files

STABLE = "# Guide\n\n" + "".join(f"a stable line of the guide, number {i}\n" for i in range(40))


def noise(seed: int, size: int = 6000) -> bytes:
    """Made-up binary content (an image, say), different for every seed."""
    return random.Random(seed).randbytes(size)


def commit(repo: Path, day: str, message: str) -> str:
    """Commit everything in the work tree, dated `day` (author and committer)."""
    gitio.run_git(repo, "add", "-A")
    gitio.run_git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message, env=dated(day))
    return gitio.head(repo) or ""


def dated(day: str) -> dict[str, str]:
    when = f"{day}T12:00:00"
    return {**gitio.FIXED_IDENTITY, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}


def new_repo(tmp_path: Path, name: str = "repo") -> Path:
    repo = tmp_path / name
    repo.mkdir(parents=True)
    gitio.run_git(repo, "init", "-q", "-b", "main")
    gitio.run_git(repo, "config", "gc.auto", "0")  # keep every object loose, so one can be removed
    gitio.ensure_identity(repo)
    return repo


def drop_object(repo: Path, blob: str) -> None:
    """Remove a loose object from the object store, as a damaged mirror or a partial clone lacks it."""
    path = repo / ".git" / "objects" / blob[:2] / blob[2:]
    assert path.is_file(), "the object should be loose"
    path.chmod(0o644)
    path.unlink()


def blob_at(repo: Path, rev: str, path: str) -> str:
    return gitio.run_git(repo, "rev-parse", f"{rev}:{path}").decode().strip()


def repo_missing_an_image(tmp_path: Path) -> tuple[Path, str]:
    """Guides and an image; later the image is renamed and touched up (rename detection compares the
    two versions) while the guides change, then its first version is lost."""
    repo = new_repo(tmp_path)
    image = noise(1)
    write_files(repo, {"docs/Old Guide.md": STABLE, "notes.txt": "to do\n", "img/logo.png": image})
    first = commit(repo, "2024-01-10", "start")
    lost = blob_at(repo, first, "img/logo.png")
    (repo / "img/logo.png").unlink()
    write_files(repo, {"img/logo-2.png": image[:-40] + noise(2, 40)})
    (repo / "guide").mkdir()
    gitio.run_git(repo, "mv", "docs/Old Guide.md", "guide/GUIDE.MD")
    write_files(repo, {"guide/GUIDE.MD": STABLE + "one more line\n", "notes.txt": "to do\ndone\n"})
    commit(repo, "2024-05-20", "rename the guide, touch up the logo")
    write_files(repo, {"README.md": "# Read me\n"})
    commit(repo, "2024-07-01", "read me")
    drop_object(repo, lost)
    return repo, lost


def test_a_missing_image_blob_does_not_stop_the_history(tmp_path: Path) -> None:
    repo, _ = repo_missing_an_image(tmp_path)
    # Without rename detection limited to the dated files, git reads the image's lost version.
    read = gitio.read_history(repo, ["guide/GUIDE.MD", "README.md", "notes.txt"])
    assert read.warning is None
    # The Markdown rename (other folder, other case of the ending) is still followed.
    assert read.files["guide/GUIDE.MD"] == gitio.FileHistory("2024-01-10", "2024-05-20", 2)
    assert read.files["README.md"] == gitio.FileHistory("2024-07-01", "2024-07-01", 1)
    assert read.files["notes.txt"] == gitio.FileHistory("2024-01-10", "2024-05-20", 2)
    assert set(read.files) == {"guide/GUIDE.MD", "README.md", "notes.txt"}


def test_plan_succeeds_with_a_missing_image_blob(tmp_path: Path) -> None:
    repo, _ = repo_missing_an_image(tmp_path)
    inventory = scan_repo(repo, use_cache=False)
    dates = inventory.by_path()["guide/GUIDE.MD"].dates
    assert (dates.first_commit, dates.last_commit) == ("2024-01-10", "2024-05-20")
    assert inventory.file_dates == {"notes.txt": "2024-05-20"}
    assert not any("rename" in w for w in inventory.warnings)
    result = CliRunner().invoke(main, ["plan", str(repo), "-o", str(tmp_path / "plan.yaml"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan.yaml").is_file()


def test_a_missing_markdown_blob_reads_the_history_without_renames(tmp_path: Path) -> None:
    repo, _ = repo_missing_an_image(tmp_path)
    drop_object(repo, blob_at(repo, "HEAD~2", "docs/Old Guide.md"))
    read = gitio.read_history(repo, ["guide/GUIDE.MD", "README.md", "notes.txt"])
    assert read.warning is not None and "without following renames" in read.warning
    assert "unable to read" in read.warning  # git's own reason, for whoever repairs the clone
    # Every file is still dated; the renamed guide from its rename, since it cannot be followed.
    assert read.files["guide/GUIDE.MD"] == gitio.FileHistory("2024-05-20", "2024-05-20", 1)
    assert read.files["README.md"] == gitio.FileHistory("2024-07-01", "2024-07-01", 1)
    assert read.files["notes.txt"] == gitio.FileHistory("2024-01-10", "2024-05-20", 2)
    # The scan passes the warning on, and the plan is made (exit 0) with it on stderr.
    inventory = scan_repo(repo, use_cache=False)
    assert any("without following renames" in w for w in inventory.warnings)
    result = CliRunner().invoke(main, ["plan", str(repo), "-o", str(tmp_path / "plan.yaml")])
    assert result.exit_code == 0, result.output
    assert "without following renames" in result.output


def test_a_merge_that_changes_nothing_still_lists_both_sides(tmp_path: Path) -> None:
    """Both sides of a merge are read, as the whole log reads them (a log limited by a pathspec would
    follow only the parent the merge agrees with, and skip the side branch's commit)."""
    repo = new_repo(tmp_path)
    write_files(repo, {"a.md": STABLE})
    commit(repo, "2024-01-01", "start")
    gitio.run_git(repo, "checkout", "-q", "-b", "side")
    write_files(repo, {"a.md": STABLE + "same fix\n"})
    commit(repo, "2024-03-01", "fix on a side branch")
    gitio.run_git(repo, "checkout", "-q", "main")
    write_files(repo, {"a.md": STABLE + "same fix\n", "b.png": noise(3)})
    commit(repo, "2024-02-01", "the same fix on main")
    merge = ("-c", "commit.gpgsign=false", "merge", "-q", "--no-ff", "-m", "merge", "side")
    gitio.run_git(repo, *merge, env=dated("2024-04-01"))
    limited = gitio.history(repo, ["a.md"])
    assert limited == {"a.md": gitio.history(repo)["a.md"]}
    assert limited["a.md"] == gitio.FileHistory("2024-01-01", "2024-03-01", 3)


def test_pathspecs_cover_each_ending_in_any_case_and_depth() -> None:
    paths = ["docs/A.MD", "b.md", "NOTES.txt", "x/y.mdx", "notes~", "odd[1].md", "f.b*k"]
    specs = gitio.history_pathspecs(paths)
    assert specs == [
        ":(top,icase)*.md",
        ":(top,icase)*.mdx",
        ":(top,icase)*.txt",
        ":(top,literal)f.b*k",
        ":(top,literal)notes~",
    ]


def test_nothing_is_fetched_from_the_promisor_remote(tmp_path: Path) -> None:
    """A partial clone lacks old blobs; git would fetch them for rename detection. It must not."""
    source, _ = repo_missing_an_image(tmp_path / "src")
    gitio.run_git(source, "config", "uploadpack.allowFilter", "true")
    # The source lacks a blob too: put it back, so that a fetch from it would succeed.
    write_files(source, {"lost.png": noise(1)})
    gitio.run_git(source, "hash-object", "-w", "lost.png")
    (source / "lost.png").unlink()
    clone = tmp_path / "partial"
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", f"file://{source}", str(clone)], check=True, env=env
    )

    def objects() -> str:
        return gitio.run_git(clone, "count-objects", "-v").decode()

    before = objects()
    read = gitio.read_history(clone, ["guide/GUIDE.MD", "README.md", "notes.txt"])
    assert objects() == before, "git fetched objects from the remote"
    # The old guide's blob is not in the clone, so its rename cannot be followed: said, not fetched.
    assert read.warning is not None
    assert read.files["README.md"] == gitio.FileHistory("2024-07-01", "2024-07-01", 1)
    assert read.files["guide/GUIDE.MD"].first == "2024-05-20"


@pytest.mark.parametrize("paths", [[], ["missing.md"]])
def test_nothing_to_date(tmp_path: Path, paths: list[str]) -> None:
    repo = new_repo(tmp_path)
    write_files(repo, {"a.md": STABLE})
    commit(repo, "2024-01-01", "start")
    assert gitio.read_history(repo, paths) == gitio.History({})


def test_renames_from_other_endings_are_followed(tmp_path: Path) -> None:
    """A page first named without an ending (or another one) and renamed to `.md` keeps its first date:
    exactly (the same bytes, found from blob ids) from any name, and with edits from a name without an
    ending, as the whole log followed them."""
    repo = new_repo(tmp_path)
    page = STABLE.replace("Guide", "Tool")
    write_files(repo, {"pages/tool": page, "pages/other.cmd": STABLE, "pages/edited": page + "x\n"})
    commit(repo, "2023-03-03", "pages without an ending")
    for old, new in (("pages/tool", "pages/tool.md"), ("pages/other.cmd", "pages/other.md")):
        gitio.run_git(repo, "mv", old, new)
    (repo / "pages/edited").unlink()
    write_files(repo, {"pages/edited.md": page + "x\nand an edit\n", "logo.png": noise(4)})
    commit(repo, "2023-08-08", "pages are Markdown")
    paths = ["pages/tool.md", "pages/other.md", "pages/edited.md"]
    read = gitio.read_history(repo, paths)
    assert read.warning is None
    for path in paths:
        assert read.files[path] == gitio.FileHistory("2023-03-03", "2023-08-08", 2), path
    assert read.files == {p: h for p, h in gitio.history(repo).items() if p in paths}


def test_a_folder_inside_the_work_tree_gets_its_files_dates(tmp_path: Path) -> None:
    # `consolidate plan docs`: git names files from the top of the work tree ("docs/guide.md"), the
    # scan from the folder planned ("guide.md"); without naming them back, no page had a date.
    repo = new_repo(tmp_path)
    write_files(repo, {"README.md": "# Read me\n", "docs/guide.md": STABLE, "docs/old/notes.md": "# Notes\n"})
    commit(repo, "2024-02-03", "start")
    write_files(repo, {"docs/guide.md": STABLE + "one more line\n"})
    commit(repo, "2024-03-04", "guide")
    found = gitio.read_history(repo / "docs", ["guide.md", "old/notes.md"])
    assert {p: (h.first, h.last) for p, h in found.files.items()} == {
        "guide.md": ("2024-02-03", "2024-03-04"),
        "old/notes.md": ("2024-02-03", "2024-02-03"),
    }
    dates = {d.path: d.dates.first_commit for d in scan_repo(repo / "docs").documents}
    assert dates == {"guide.md": "2024-02-03", "old/notes.md": "2024-02-03"}
