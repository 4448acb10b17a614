from __future__ import annotations

import codecs
import os
import time
from pathlib import Path

import pytest

from consolidator.analysis import scan
from consolidator.analysis.scan import scan_repo
from consolidator.core import gitio
from consolidator.core.config import Config
from consolidator.core.errors import RepoError
from tests.conftest import RepoMaker, count_parses, needs_corpus, write_files


def test_tracked_and_untracked_not_ignored(make_repo: RepoMaker) -> None:
    root = make_repo(
        {"README.md": "# Hi\n", ".gitignore": "ignored.md\nbuild/\n", "docs/a.markdown": "# A\n"}
    )
    write_files(root, {"new.mdx": "# New\n", "ignored.md": "# no\n", "build/out.md": "# no\n"})
    inv = scan_repo(root)
    assert [d.path for d in inv.documents] == ["README.md", "docs/a.markdown", "new.mdx"]
    assert inv.git and inv.head


def test_walk_outside_git_skips_tool_folders(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "a.md": "# A\n",
            "node_modules/pkg/README.md": "x",
            ".venv/lib/x.md": "x",
            "env/pyvenv.cfg": "",
            "env/notes.md": "x",
            "site/index.md": "x",
            "docs/b.md": "# B\n",
        },
    )
    inv = scan_repo(tmp_path)
    assert [d.path for d in inv.documents] == ["a.md", "docs/b.md"]
    assert not inv.git


def test_document_facts(make_repo: RepoMaker) -> None:
    root = make_repo(
        {
            "WEEK_2_STATUS_2025_03_14.md": (
                "Some text\n\n## Done\n\nDate: 2025-03-15\n\nSee [guide](docs/guide.md#install-it).\n"
            ),
            "docs/guide.md": (
                "---\ntitle: The Guide\n---\n# Ignored for title\n\n## Install it\n\n"
                "[missing](nope.md) [bad anchor](#nowhere)\n"
            ),
        }
    )
    inv = scan_repo(root)
    week, guide = inv.by_path()["WEEK_2_STATUS_2025_03_14.md"], inv.by_path()["docs/guide.md"]
    assert week.title == "Week 2 Status 2025 03 14" and week.title_source == "file_name"
    assert guide.title == "The Guide" and guide.title_source == "front_matter"
    assert week.at_root and not guide.at_root
    assert {(f.source, f.date) for f in week.dates.facts} >= {
        ("text", "2025-03-15"),
        ("file_name", "2025-03-14"),
    }
    assert week.dates.first_commit == "2025-06-01"
    link = week.links[0]
    assert (link.path, link.fragment, link.exists, link.anchor_ok) == (
        "docs/guide.md",
        "install-it",
        True,
        True,
    )
    broken = {link.target: link for link in guide.links}
    assert broken["nope.md"].exists is False and broken["nope.md"].broken
    assert broken["#nowhere"].anchor_ok is False
    assert week.blob == gitio.run_git(root, "rev-parse", "HEAD:WEEK_2_STATUS_2025_03_14.md").decode().strip()
    assert (
        week.words > 0
        and week.lines == 7
        and week.size == len((root / "WEEK_2_STATUS_2025_03_14.md").read_bytes())
    )


def test_history_follows_renames(make_repo: RepoMaker) -> None:
    root = make_repo({"OLD.md": "# Title\n\n" + "stable content line\n" * 20})
    env = {
        **gitio.FIXED_IDENTITY,
        "GIT_AUTHOR_DATE": "2025-09-09T00:00:00",
        "GIT_COMMITTER_DATE": "2025-09-09T00:00:00",
    }
    gitio.run_git(root, "mv", "OLD.md", "NEW.md")
    gitio.run_git(root, "commit", "-q", "-m", "rename", env=env)
    doc = scan_repo(root).by_path()["NEW.md"]
    assert doc.dates.first_commit == "2025-06-01"
    assert doc.dates.last_commit == "2025-09-09"


# ---------------------------------------------------------------- bad input


def test_invalid_utf8_decodes_what_it_can_and_warns(make_repo: RepoMaker) -> None:
    root = make_repo({"bad.md": b"# Caf\xe9 menu\n\nok [x](y.md)\n"})
    inv = scan_repo(root)
    doc = inv.documents[0]
    assert doc.title == "Caf\ufffd menu"
    assert doc.links[0].target == "y.md"
    assert any("not valid UTF-8" in w for w in inv.warnings)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_byte_order_marks(make_repo: RepoMaker, bom: bytes) -> None:
    encoding = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}[
        bom
    ]
    root = make_repo({"bom.md": bom + "# Título\n\n[a](b.md)\n".encode(encoding)})
    doc = scan_repo(root).documents[0]
    assert doc.title == "Título"
    assert doc.headings[0].line == 1
    assert doc.links[0].target == "b.md"


def test_crlf_line_ends(make_repo: RepoMaker) -> None:
    root = make_repo({"crlf.md": b"# One\r\n\r\n## Two\r\n\r\n[x](y.md)\r\n"})
    doc = scan_repo(root).documents[0]
    assert [(h.text, h.line) for h in doc.headings] == [("One", 1), ("Two", 3)]
    assert doc.lines == 5 and doc.links[0].line == 5


def test_binary_file_named_md_is_skipped(make_repo: RepoMaker) -> None:
    root = make_repo({"image.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ok.md": "# ok\n"})
    inv = scan_repo(root)
    assert [d.path for d in inv.documents] == ["ok.md"]
    assert any("image.md" in w and "binary" in w for w in inv.warnings)


def test_empty_file(make_repo: RepoMaker) -> None:
    doc = scan_repo(make_repo({"EMPTY_NOTES.md": ""})).documents[0]
    assert (doc.title, doc.words, doc.lines, doc.size, doc.headings) == ("Empty Notes", 0, 0, 0, ())


def test_huge_file_is_inventoried_without_full_parse(make_repo: RepoMaker) -> None:
    body = ("# Log dump\n\n" + "line of generated output with a [link](x.md)\n" * 460_000).encode()
    assert len(body) > 20_000_000
    inv = scan_repo(make_repo({"DUMP.md": body}))
    doc = inv.documents[0]
    assert doc.size == len(body) and doc.title == "Log dump"
    assert any("DUMP.md" in w and "only headings" in w for w in inv.warnings)


def test_symlinks_inside_followed_outside_and_loops_not(make_repo: RepoMaker, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# outside\n")
    root = make_repo({"real.md": "# Real\n"})
    os.symlink("real.md", root / "alias.md")
    os.symlink(outside, root / "escape.md")
    os.symlink("loop2.md", root / "loop1.md")
    os.symlink("loop1.md", root / "loop2.md")
    inv = scan_repo(root)
    assert [d.path for d in inv.documents] == ["alias.md", "real.md"]
    assert any("escape.md" in w and "out of the repository" in w for w in inv.warnings)
    assert any("loop1.md" in w for w in inv.warnings)


def test_unreadable_file_is_skipped_with_warning(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"locked.md": "# L\n", "ok.md": "# ok\n"})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    inv = scan_repo(root)
    assert [d.path for d in inv.documents] == ["ok.md"]
    assert any("locked.md" in w and "Permission denied" in w for w in inv.warnings)


def test_awkward_names(make_repo: RepoMaker) -> None:
    names = ["Meeting Notes 2025-02.md", "Résumé équipe.md", 'it\'s "quoted".md', "日本語.md"]
    root = make_repo({n: f"# {n}\n\n[next](<{names[0]}>)\n" for n in names})
    inv = scan_repo(root)
    assert sorted(d.path for d in inv.documents) == sorted(names)
    assert all(d.links[0].exists for d in inv.documents)


def test_repo_that_does_not_exist_or_is_a_file(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="does not exist"):
        scan_repo(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(RepoError, match="not a directory"):
        scan_repo(tmp_path / "file.txt")


def test_git_missing_falls_back_to_walk(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_repo({"a.md": "# A\n"})
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    inv = scan_repo(root)
    assert [d.path for d in inv.documents] == ["a.md"]
    assert not inv.git
    assert any("git is not on PATH" in w for w in inv.warnings)


def test_parse_cache_is_reused_and_survives_corruption(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"a.md": "# A\n", "b.md": "# B\n"})
    first = scan_repo(root)
    cache_file = root / ".git" / "consolidate" / "parse-cache.pickle"
    assert cache_file.is_file()
    calls = count_parses(monkeypatch)
    assert scan_repo(root) == first
    assert calls == []
    (root / "b.md").write_text("# B changed\n")
    assert scan_repo(root).by_path()["b.md"].title == "B changed"
    assert len(calls) == 1
    cache_file.write_bytes(cache_file.read_bytes()[:20])
    calls.clear()
    assert scan_repo(root).by_path()["a.md"].title == "A"
    assert len(calls) == 2


def test_parse_cache_keeps_unchanged_documents_when_one_changes(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"a.md": "# A\n", "b.md": "# B\n", "c.md": "# C\n"})
    scan_repo(root)
    calls = count_parses(monkeypatch)
    (root / "b.md").write_text("# B changed\n")
    scan_repo(root)
    assert len(calls) == 1
    # the run that parsed b.md again must not have forgotten a.md and c.md
    assert scan_repo(root).by_path()["a.md"].title == "A"
    assert len(calls) == 1


def test_a_damaged_entry_in_the_parse_cache_is_parsed_again(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    root = make_repo({"a.md": "# A\n", "b.md": "# B\n"})
    first = scan_repo(root)
    cache_file = root / ".git" / "consolidate" / "parse-cache.pickle"
    version, entries, derived = pickle.loads(cache_file.read_bytes())
    # The file keeps each entry pickled on its own: damage one, and only that one is parsed again.
    blob = first.by_path()["b.md"].blob
    entries[blob] = entries[blob][:10]
    cache_file.write_bytes(pickle.dumps((version, entries, derived)))
    calls = count_parses(monkeypatch)
    assert scan_repo(root) == first
    assert len(calls) == 1
    assert scan_repo(root) == first  # and the cache file was mended
    assert len(calls) == 1


# ---------------------------------------------------------------- the shared corpus


@needs_corpus
def test_corpus_inventory_facts(corpus_clone: Path) -> None:
    inv = scan_repo(corpus_clone, use_cache=False)
    assert len(inv.documents) == 528
    assert sum(d.at_root for d in inv.documents) == 226
    docs = inv.by_path()
    readme = docs["README.md"]
    assert readme.title.startswith("Ibimina Staff Console")
    assert any(link.path == "CONTRIBUTING.md" and link.exists for link in readme.links)
    assert readme.dates.first_commit is not None and readme.dates.first_commit <= readme.dates.last_commit
    assert all(d.headings for d in docs.values() if d.words > 200)
    relative = [link for d in inv.documents for link in d.links if link.relative]
    assert len(relative) > 700
    # Links into code resolve against the placeholder files of the tree.
    assert sum(1 for link in relative if link.exists and not link.path.endswith(".md")) > 50


def test_a_secret_found_once_is_found_wherever_it_is_pasted(make_repo: RepoMaker) -> None:
    token = "Vk3" + "pQ8rZ2mWx7LbT4nHc9JdY6sFa1GeU5oKi0Rq"
    root = make_repo(
        {
            "SETUP.md": f"# Setup\n\n1. **DEPLOY_TOKEN** = `{token}`\n",
            "BOARD.md": f"# Board\n\n| name | value |\n| --- | --- |\n| deploy | {token} |\n",
            "OTHER.md": "# Other\n\nNothing to see.\n",
        }
    )
    docs = scan_repo(root).by_path()
    assert [(s.line, s.kind) for s in docs["SETUP.md"].secrets] == [(3, "Secret keyword")]
    assert [(s.line, s.fingerprint) for s in docs["BOARD.md"].secrets] == [
        (5, docs["SETUP.md"].secrets[0].fingerprint)
    ]
    assert docs["OTHER.md"].secrets == ()


@pytest.mark.parametrize("parallel", [True, False])
def test_while_parsing_runs_once_and_has_finished_when_the_scan_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    write_files(tmp_path, {f"doc_{i}.md": f"# Doc {i}\n\nText {i}.\n" for i in range(6)})
    monkeypatch.setattr(scan, "PARALLEL_THRESHOLD", 4 if parallel else 100)
    calls: list[str] = []

    def prepare() -> None:
        time.sleep(0.2)  # still running while the results come in, unless the scan waits for it
        calls.append("done")

    inventory = scan_repo(tmp_path, use_cache=False, workers=2, while_parsing=prepare)
    assert calls == ["done"]
    assert len(inventory.documents) == 6


def test_a_failure_while_parsing_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {f"doc_{i}.md": f"# Doc {i}\n" for i in range(6)})
    monkeypatch.setattr(scan, "PARALLEL_THRESHOLD", 4)

    def prepare() -> None:
        raise ImportError("no module named 'sklearn'")

    with pytest.raises(ImportError, match="sklearn"):
        scan_repo(tmp_path, use_cache=False, workers=2, while_parsing=prepare)


def test_a_listing_made_before_the_scan_gives_the_same_inventory_and_key(make_repo: RepoMaker) -> None:
    from consolidator.analysis.cache import inputs_key
    from consolidator.analysis.scan import list_documents

    repo = make_repo(
        {"README.md": "# Project\n\nSee [notes](docs/notes.md).\n", "docs/notes.md": "# Notes\n"}
    )
    config = Config()
    listing = list_documents(repo.resolve(), config.exclude)
    assert [r.path for r in listing.reads] == ["README.md", "docs/notes.md"]
    assert inputs_key(repo.resolve(), config, (), listing) == inputs_key(repo.resolve(), config)
    assert scan_repo(repo, config=config, listing=listing) == scan_repo(repo, config=config)
    # The listing is what the scan reads: bytes changed since are not read again.
    (repo / "docs" / "notes.md").write_text("# Other notes\n", encoding="utf-8")
    assert scan_repo(repo, config=config, listing=listing).by_path()["docs/notes.md"].title == "Notes"


# ---------------------------------------------------------------- what a caller derives, kept


def _words(parsed: object) -> int:  # module-level: sent to worker processes by name
    return int(getattr(parsed, "words", 0))


def test_what_a_caller_derives_is_kept_beside_the_parse(
    make_repo: RepoMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from consolidator.analysis.cache import Kept

    root = make_repo({"a.md": "# A\n\none two three\n", "b.md": "# B\n\nfour five\n"})
    kept = Kept("v1", ())
    first = scan_repo(root, per_document=_words, kept=kept)
    assert first.derived == {d.blob: d.words for d in first.documents}
    derives: list[int] = []

    def counting(parsed: object) -> int:
        derives.append(1)
        return _words(parsed)

    # Unchanged documents: parses and derived results come from the cache, nothing is computed.
    calls = count_parses(monkeypatch)
    assert scan_repo(root, per_document=counting, kept=kept).derived == first.derived
    assert calls == [] and derives == []
    # Other code (another version): derived again, once, then kept under the new version.
    assert scan_repo(root, per_document=counting, kept=Kept("v2", ())).derived == first.derived
    assert len(derives) == 2
    assert scan_repo(root, per_document=counting, kept=Kept("v2", ())).derived == first.derived
    assert len(derives) == 2 and calls == []
    # A damaged or foreign derived entry is derived again, never trusted.
    cache_file = root / ".git" / "consolidate" / "parse-cache.pickle"
    version, entries, derived = pickle.loads(cache_file.read_bytes())
    blob_a, blob_b = (first.by_path()[p].blob for p in ("a.md", "b.md"))
    derived[blob_a] = ("v2", derived[blob_a][1][:3])
    derived[blob_b] = ("v2", pickle.dumps(Kept("v2", ())))  # a type the caller did not allow
    cache_file.write_bytes(pickle.dumps((version, entries, derived)))
    assert scan_repo(root, per_document=counting, kept=Kept("v2", ())).derived == first.derived
    assert len(derives) == 4 and calls == []
    # Without `kept`, nothing is read from or written to the cache for the caller.
    assert scan_repo(root, per_document=counting).derived == {}


def test_exact_key_breaks_text_where_the_regex_did() -> None:
    """`prose.exact_key` splits with `str.split` instead of `re.sub(r"\\s+", ...)`: the same key only as
    long as both take exactly the same characters for spacing, which every code point is checked for."""
    import hashlib
    import re
    import sys
    from types import SimpleNamespace

    from consolidator.analysis.prose import exact_key

    spacing = re.compile(r"\s")
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    assert [c for c in chars if bool(spacing.fullmatch(c)) != (c.split() == [])] == []
    every_space = "".join(c for c in chars if c.isspace())
    text = f"{every_space}Alpha\u00a0beta\x1cGamma  \t delta{every_space}ÉPSILON\u2028"
    expected = hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()
    assert exact_key(SimpleNamespace(text=text)) == expected  # type: ignore[arg-type]
