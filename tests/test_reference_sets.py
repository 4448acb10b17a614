"""Well-kept references are not sprawl: pages named by subject, sections by platform, translations.

Every repository here is made up and committed once in `tmp_path`; the groups are the similarity
stage's, over what the scan reads (front matter and titles included).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RepoMaker

from consolidator.analysis.scan import scan_repo
from consolidator.analysis.similarity import find_groups
from consolidator.core import gitio

pytestmark = pytest.mark.usefixtures("git_identity")

# Made-up command names and what each does: one page per command, all on one template.
_VERBS = [
    ("pack", "Bundle loose quill files into one crate"),
    ("unpack", "Spread the quill files of a crate into a folder"),
    ("list", "Show the quill files a crate holds"),
    ("verify", "Check every quill file of a crate against its seal"),
    ("seal", "Stamp a crate so later changes can be noticed"),
    ("merge", "Join the quill files of two crates into one"),
    ("split", "Cut a large crate into several smaller ones"),
    ("rename", "Give a crate a new label without opening it"),
    ("shrink", "Squeeze a crate with the slow dense method"),
    ("grow", "Undo a squeeze so the crate opens faster"),
    ("watch", "Follow a folder and repack it on every change"),
    ("prune", "Drop quill files nobody opened for a season"),
    ("tag", "Attach a short note to a crate"),
    ("untag", "Remove the notes attached to a crate"),
    ("diff", "Compare the quill files of two crates"),
    ("patch", "Apply the changes one crate lists to another"),
    ("mirror", "Copy a crate to a second shelf and keep both alike"),
    ("restore", "Bring back a crate from its last mirror"),
    ("stats", "Count quill files and their sizes in a crate"),
    ("lint", "Warn about quill files a crate should not hold"),
    ("serve", "Offer the crates of a shelf to other machines"),
    ("fetch", "Take a crate from a shelf another machine offers"),
]


def _command_page(command: str, does: str, extra: str = "") -> str:
    flag = command.split()[-1]
    return f"""# {command}

> {does}.
> More information: <https://frob.invalid/{command.replace(" ", "/")}>.

- {does} in the current folder:

`{command} {{{{path/to/crate}}}}`

- {does}, telling what happens on the way:

`{command} --loud {{{{path/to/crate}}}}`

- {does}, then {flag} the result again to be sure:

`{command} --twice --{flag}-again {{{{path/to/crate}}}}`
{extra}"""


def _reference(folder: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A folder of command pages, each titled by its own file name."""
    return {
        f"{folder}/frob-{verb}.md": _command_page(f"frob {verb}", does)
        for verb, does in _VERBS
        if verb not in skip
    }


def _groups(root: Path) -> list[list[str]]:
    return [list(c.members) for c in find_groups(scan_repo(root).documents, topics=False).duplicates]


def test_pages_named_by_subject_are_not_versions_of_each_other(make_repo: RepoMaker) -> None:
    # In a reference where every page is titled by its own file name, related commands share their
    # options and wording, and names differ by a separator or a word that elsewhere marks a copy:
    # each is a command of its own.
    extra = {
        # `backup` names a copy elsewhere (`SETUP_BACKUP.md`); here it is a command
        "ref/frob.md": _command_page("frob", "Work with quill crates"),
        "ref/frob-backup.md": _command_page("frob backup", "Work with quill crates, keeping a backup"),
        # one word or two: two commands
        "ref/frob-logs.md": _command_page("frob logs", "Read the log of a quill crate"),
        "ref/froblogs.md": _command_page("froblogs", "Read the log of a quill crate"),
        # a qualified name: one of two commands called `quill`, told apart by the qualifier
        "ref/quill.md": _command_page("quill", "Write quill files by hand"),
        "ref/quill.fish.md": _command_page("quill", "Write quill files by hand from the fish shell"),
    }
    root = make_repo({**_reference("ref"), **extra})
    assert _groups(root) == []
    # the same pages among notes titled otherwise are what they look like: versions of one page
    notes = {f"notes/{k.split('/')[-1]}": v for k, v in extra.items()}
    notes.update({f"notes/note-{n}.md": f"# Meeting {n}\n\nWe talked about crates {n}.\n" for n in range(30)})
    grouped = _groups(make_repo(notes))
    assert ["notes/frob-backup.md", "notes/frob.md"] in grouped
    assert ["notes/frob-logs.md", "notes/froblogs.md"] in grouped


def test_one_name_in_two_sections_of_a_reference_is_two_pages(make_repo: RepoMaker) -> None:
    # `frob-pack` documented for two platforms: the second page adds what that platform has
    addition = "\n- Pack the crate for the platform's own shelf:\n\n`frob pack --native {{path/to/crate}}`\n"
    # a small section for one platform: its pages each add what the platform has
    platform = {
        f"pages/dosbox/frob-{verb}.md": _command_page(f"frob {verb}", does, addition.replace("pack", verb))
        for verb, does in _VERBS[:3]
    }
    files = {**_reference("pages/common"), **platform}
    assert _groups(make_repo(files)) == []
    # the same two pages in two folders of notes are one page and its copy
    notes = {
        "team/one/frob-pack.md": files["pages/common/frob-pack.md"],
        "team/two/frob-pack.md": files["pages/dosbox/frob-pack.md"],
    }
    assert _groups(make_repo(notes)) == [["team/one/frob-pack.md", "team/two/frob-pack.md"]]


def test_a_page_is_never_a_version_of_another_page_in_another_language(make_repo: RepoMaker) -> None:
    # `frob-backup` in German and `frob` in French: names equal apart from a marker, two languages
    body = "# frob {}\n\n> Kisten bearbeiten.\n\n- Eine Kiste packen:\n\n`frob pack {{{{kiste}}}}`\n"
    files = {
        "site.de/tools/frob-backup.md": body.format("backup"),
        "site.fr/tools/frob.md": body.format("").replace("Kisten", "Caisses"),
    }
    assert _groups(make_repo(files)) == []
    # in one language the marker makes them versions of one page
    files = {
        "site.de/tools/frob-backup.md": body.format("backup"),
        "site.de/tools/frob.md": body.format(""),
    }
    assert _groups(make_repo(files)) == [["site.de/tools/frob-backup.md", "site.de/tools/frob.md"]]
    from consolidator.analysis.pairs import in_two_languages

    assert in_two_languages(("pages.fr", "common"), ("pages.id", "linux"))
    assert in_two_languages(("pages", "common"), ("pages.fr", "common"))
    assert in_two_languages(("docs", "de"), ("docs", "ja", "api"))
    assert not in_two_languages(("docs", "de"), ("docs", "de", "api"))
    assert not in_two_languages(("docs", "guide"), ("docs", "ja"))
    assert not in_two_languages(("pages.fr",), ("other.de",))


def test_declared_titles_outweigh_a_version_marker_in_the_name(make_repo: RepoMaker) -> None:
    # two API families: a page of constants, and one of obsolete constants of another family, filed in
    # one folder (in two folders, texts this unlike are not versions whatever the names say)
    table = "| Name | Value |\n| --- | --- |\n" + "".join(f"| FROB_{n} | {n} |\n" for n in range(8))
    files = {
        "api/constants.md": f"---\ntitle: Crate Constants\n---\n\n# Crate constants\n\n{table}",
        "api/obsolete-constants.md": "---\ntitle: Obsolete Constants\n---\n\n# Obsolete constants\n\n"
        + table.replace("FROB", "QUILL"),
    }
    assert _groups(make_repo(files)) == []
    # without declared titles, the marker still makes an old copy of a page
    files = {k: v.split("---\n", 2)[2] for k, v in files.items()}
    assert _groups(make_repo(files)) != []


def _api_section(folder: str, api: str) -> dict[str, str]:
    """A folder of 50 reference pages about one made-up API, titled as API references are."""
    return {
        f"{folder}/{api}-call-{n}.md": f"# {api.title()}Call{n} function ({api}.h)\n\n"
        f"Starts step {n} of a {api} exchange and reports whether the crate answered within {n} ticks.\n"
        for n in range(50)
    }


def _in_one_group(groups: list[list[str]], a: str, b: str) -> bool:
    return any(a in g and b in g for g in groups)


def test_one_name_in_two_large_sibling_sections_is_two_pages(make_repo: RepoMaker) -> None:
    # two API families each with a `Session methods` page listing its own session's methods
    methods = "# Session methods\n\nThe Session object exposes the following methods.\n\n" + "".join(
        f"- {name}: {what} the session.\n"
        for name, what in [("Open", "Opens"), ("Close", "Closes"), ("Flush", "Flushes"), ("Reset", "Resets")]
    )
    files = {
        **_api_section("reference/quill", "quill"),
        **_api_section("reference/crate", "crate"),
        "reference/quill/session-methods.md": methods,
        "reference/crate/session-methods.md": methods.replace("Flush", "Drain").replace("Reset", "Seal"),
    }
    pair = ("reference/crate/session-methods.md", "reference/quill/session-methods.md")
    assert not _in_one_group(_groups(make_repo(files)), *pair)
    # beside a folder that holds history, the page there is an old copy
    files = {k.replace("reference/crate", "reference/archive"): v for k, v in files.items()}
    pair = ("reference/archive/session-methods.md", "reference/quill/session-methods.md")
    assert _in_one_group(_groups(make_repo(files)), *pair)


def test_a_page_named_by_its_subject_is_not_judged_by_its_name(make_repo: RepoMaker) -> None:
    # `frob status` and `frob completion` are commands: their pages are not a status report and a
    # completion note, whatever those words say in the name of a note. The status page quotes commits
    # and opens with a field, as reports do, and was left behind two years: its name and title tipped
    # it into the archive.
    from consolidator.core.config import Config
    from consolidator.decide.plan import build_plan

    extra = {
        "ref/frob-status.md": _command_page(
            "frob status", "Show which crates changed since they were sealed"
        ).replace("> More", "> Branch: the shelf whose crates are shown.\n> More")
        + "".join(
            f"\n- Show what changed since commit {c} of the shelf:\n\n`frob status --since {c}`\n"
            for c in ("1a2b3c4", "5d6e7f8", "9a8b7c6", "d5e4f3a", "b2c1d0e", "f9e8d7c")
        ),
        "ref/frob-completion.md": _command_page("frob completion", "Print the shell completion script"),
        "ref/frob-final-report.md": _command_page("frob final report", "Summarise a crate's history"),
        # what a name says of living documentation still holds
        "ref/frob-reference.md": _command_page("frob reference", "Look up the rules a crate must follow"),
    }
    root = make_repo({**_reference("ref"), **extra})
    # two years on, every other page of the reference was edited: these three were left as they were
    for path in _reference("ref"):
        with (root / path).open("a", encoding="utf-8") as page:
            page.write("\n- Show the help:\n\n`frob --help`\n")
    when = {
        **gitio.FIXED_IDENTITY,
        "GIT_AUTHOR_DATE": "2027-06-01T00:00:00",
        "GIT_COMMITTER_DATE": "2027-06-01T00:00:00",
    }
    gitio.run_git(root, "commit", "-q", "-a", "-m", "help lines", env=when)
    plan = build_plan(scan_repo(root), Config())
    actions = {e.source: e.action for e in plan.entries}
    assert [actions[p] for p in extra] == ["keep", "keep", "keep", "keep"]
    assert next(e.kind for e in plan.entries if e.source == "ref/frob-reference.md") == "reference"
