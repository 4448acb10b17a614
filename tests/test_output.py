"""What a person or a pipe sees: errors on stderr, piped output, dry-run output, wording.

Each behaviour is checked through click's CliRunner (stdout and stderr are not terminals) and, for
the terminal cases, in a real pseudo-terminal 60 columns wide.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.cli import main, wrap_words
from consolidator.core import gitio
from tests.conftest import RepoMaker

pytestmark = pytest.mark.usefixtures("git_identity")


def _long_missing_path(tmp_path: Path) -> Path:
    # long enough to cross column 60 and column 80 wherever the temporary folder is
    return tmp_path / ("a-folder-with-a-rather-long-name-" * 3) / "nowhere"


def run_in_terminal(args: list[str], columns: int = 60, cwd: Path | None = None) -> tuple[int, str]:
    """Run `consolidate ARGS` with stdout and stderr on a pseudo-terminal `columns` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    code = "import sys; from consolidator.cli import main; sys.argv[0] = 'consolidate'; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("the command printed nothing for 120 s")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    rc = proc.wait(timeout=60)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return rc, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # colours off, text as a person reads it


def write_plan(root: Path, decisions: dict[str, str | None]) -> Path:
    """A plan file: source -> destination (None keeps the file where it is)."""
    text = "version: 1\nentries:\n"
    for source, dest in decisions.items():
        blob = gitio.blob_id((root / source).read_bytes())
        text += f"  - source: {source}\n    blob: {blob}\n"
        text += "    action: keep\n" if dest is None else f"    action: move\n    destination: {dest}\n"
    plan = root / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan


# ---------------------------------------------------------------- errors


def test_error_keeps_a_long_path_whole_when_not_a_terminal(tmp_path: Path) -> None:
    missing = _long_missing_path(tmp_path)
    result = CliRunner().invoke(main, ["scan", str(missing)])
    assert result.exit_code == 2
    assert f"error: {missing} does not exist" in result.stderr
    assert result.stderr.count("\n") == 1  # one message, one line: plain text is never wrapped


def test_error_keeps_a_long_path_whole_in_a_60_column_terminal(tmp_path: Path) -> None:
    missing = _long_missing_path(tmp_path)
    rc, shown = run_in_terminal(["scan", str(missing)])
    assert rc == 2, shown
    assert str(missing) in shown  # never cut inside the path
    assert "does not exist" in shown
    for line in shown.splitlines():
        # wrapped at the terminal's width, except the path that is longer than it
        assert len(line) <= 60 or str(missing) in line, line


def test_wrap_words_never_cuts_a_word() -> None:
    long_word = "docs/" + "x" * 70 + ".md"
    lines = wrap_words(f"  - {long_word}: destination already exists and more words here", 40)
    assert long_word in lines[0] or long_word in lines[1]
    assert all(len(line) <= 40 for line in lines if long_word not in line)
    assert lines[-1].startswith("    ")  # continuation lines hang under the list item
    assert wrap_words("", 40) == [""]


def test_invalid_plan_lists_each_problem_once_on_its_own_line(make_repo: RepoMaker) -> None:
    root = make_repo({"A.md": "# A\n", "B.md": "# B\n", "README.md": "# R\n"})
    plan = write_plan(root, {"A.md": "README.md", "B.md": "../out.md"})
    result = CliRunner().invoke(main, ["apply", str(root), "--plan", str(plan), "--dry-run", "-q"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: the plan") and lines[0].endswith("nothing was changed")
    problems = lines[1:]
    assert len(problems) == 2, result.stderr
    assert sum("A.md" in p for p in problems) == 1 and sum("B.md" in p for p in problems) == 1
    assert all(p.startswith("  - ") for p in problems)


def test_internal_error_message_keeps_its_two_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import consolidator.cli as cli

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("\x1b[31mred\x1b[0m trouble")

    monkeypatch.setattr(cli, "check_repo", boom)
    monkeypatch.delenv("CONSOLIDATE_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 70
    assert result.stderr.splitlines() == [
        "internal error: RuntimeError: red trouble",
        "Set CONSOLIDATE_DEBUG=1 to see the traceback, and please report it.",
    ]


# ---------------------------------------------------------------- piped output


LONG = "a-really-long-document-name-that-keeps-going-well-past-eighty-columns-of-any-terminal"


def _duplicates_repo(make_repo: RepoMaker) -> Path:
    line = "about deploying the service with care and rollback steps."
    body = "".join(f"Paragraph {i} {line}\n\n" for i in range(40))
    return make_repo(
        {
            "README.md": "# Project\n",
            f"{LONG}_V1.md": "# Deployment guide\n\n" + body,
            f"{LONG}_V2.md": "# Deployment guide\n\n" + body + "One more line.\n",
        }
    )


def test_clusters_piped_to_a_file_has_whole_lines(make_repo: RepoMaker, tmp_path: Path) -> None:
    root = _duplicates_repo(make_repo)
    out = tmp_path / "clusters.txt"
    with out.open("w", encoding="utf-8") as handle:
        subprocess.run(
            [sys.executable, "-c", "from consolidator.cli import main; main()", "clusters", str(root), "-q"],
            stdout=handle,
            check=True,
            env={**os.environ, "COLUMNS": "80"},
        )
    text = out.read_text(encoding="utf-8")
    assert f"{LONG}_V1.md" in text and f"{LONG}_V2.md" in text, text
    assert any(len(line) > 80 for line in text.splitlines())
    # the same through CliRunner
    result = CliRunner().invoke(main, ["clusters", str(root), "-q"])
    assert result.exit_code == 0, result.output
    assert f"{LONG}_V1.md" in result.stdout and f"{LONG}_V2.md" in result.stdout


def test_dry_run_prints_one_line_per_move_and_a_multi_line_diff(make_repo: RepoMaker) -> None:
    root = make_repo(
        {
            "README.md": "# Project\n\nSee [the guide](GUIDE.md) and [notes](NOTES.md).\n\nMore text.\n",
            "GUIDE.md": "# Guide\n\nBack to [the readme](README.md).\n",
            "NOTES.md": "# Notes\n\nSee [the guide](GUIDE.md).\n",
        }
    )
    moves: dict[str, str | None] = {"GUIDE.md": "docs/guides/GUIDE.md", "NOTES.md": "docs/NOTES.md"}
    plan = write_plan(root, {"README.md": None, **moves})
    result = CliRunner().invoke(main, ["apply", str(root), "--plan", str(plan), "--dry-run", "-q"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Would move 2 files, would rewrite 4 links in 3 files."
    assert "  GUIDE.md → docs/guides/GUIDE.md" in lines and "  NOTES.md → docs/NOTES.md" in lines
    assert "--- a/README.md" in lines and "+++ b/README.md" in lines
    assert "-See [the guide](GUIDE.md) and [notes](NOTES.md)." in lines
    assert "+See [the guide](docs/guides/GUIDE.md) and [notes](docs/NOTES.md)." in lines
    assert "+++ b/docs/guides/GUIDE.md" in lines
    assert not any("--- a/" in line and "+++ b/" in line for line in lines)


def test_dry_run_in_a_60_column_terminal_keeps_moves_and_diff_lines(make_repo: RepoMaker) -> None:
    long_name = "A_GUIDE_WITH_A_NAME_LONG_ENOUGH_TO_PASS_THE_WIDTH_OF_A_SMALL_TERMINAL.md"
    root = make_repo({"README.md": f"# P\n\nSee [the guide]({long_name}).\n", long_name: "# Guide\n"})
    write_plan(root, {"README.md": None, long_name: f"docs/{long_name}"})
    rc, shown = run_in_terminal(["apply", str(root), "--plan", str(root / "plan.yaml"), "--dry-run", "-q"])
    assert rc == 0, shown
    lines = shown.splitlines()
    assert "Would move 1 file, would rewrite 1 link in 1 file." in lines
    assert f"  {long_name} → docs/{long_name}" in lines
    assert f"+See [the guide](docs/{long_name})." in lines


# ---------------------------------------------------------------- serve


def test_serve_prints_its_address_before_the_first_build(make_repo: RepoMaker) -> None:
    import socket

    from consolidator.core.config import Config
    from consolidator.site.build import generate_site

    root = make_repo(
        {"README.md": "# Home\n\nSee [the guide](docs/guide.md).\n", "docs/guide.md": "# Guide\n"}
    )
    generate_site(root, config=Config(), plan=None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = "import sys; from consolidator.cli import main; sys.argv[0] = 'consolidate'; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    seen = b""
    try:
        assert proc.stdout is not None
        # select on the raw pipe, not a blocking read: a silent server fails the test, not hangs it
        while b"Serving on" not in seen:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                break
            seen += chunk
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = seen.decode("utf-8", "replace").splitlines()
    assert lines, "serve printed nothing in 60 s"
    url = f"http://127.0.0.1:{port}/"
    assert url in lines[0], lines  # the address first, before anything else happens
    building = next(i for i, line in enumerate(lines) if "Building documentation" in line)
    built = next(i for i, line in enumerate(lines) if "Documentation built" in line)
    assert 0 < building < built, lines  # then the build's progress, in order


# ---------------------------------------------------------------- undo after site and build


@pytest.mark.parametrize("follow", ["remove", "site"])
def test_undo_says_what_the_site_left_and_site_and_build_then_work(make_repo: RepoMaker, follow: str) -> None:
    import shutil

    root = make_repo(
        {
            "README.md": "# Project\n\nSee [the guide](GUIDE.md) and [notes](NOTES.md).\n",
            "GUIDE.md": "# Guide\n\nBack to [the readme](README.md).\n",
            "NOTES.md": "# Notes\n\nSee [the guide](GUIDE.md).\n",
        }
    )
    plan = write_plan(
        root, {"README.md": None, "GUIDE.md": "docs/guides/GUIDE.md", "NOTES.md": "docs/NOTES.md"}
    )
    runner = CliRunner()
    for args in (["apply", str(root), "--plan", str(plan), "-q"], ["site", str(root)], ["build", str(root)]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, (args, done.output)
    undone = runner.invoke(main, ["undo", str(root)])
    assert undone.exit_code == 0, undone.output
    assert "(rm -r -- mkdocs.yml site/)" in undone.stdout, undone.stdout
    if follow == "remove":
        (root / "mkdocs.yml").unlink()
        shutil.rmtree(root / "site")
    for args in (["site", str(root)], ["build", str(root)]):
        done = runner.invoke(main, args)
        assert done.exit_code == 0, (args, done.output)
