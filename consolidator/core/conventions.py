"""Names repositories use by convention: Markdown suffixes, root files, index pages, history folders.

Every stage asks the same questions of a path (is it Markdown? a file tools look for at the root? filed
in an archive?). The answers live here once, so the scan, the decisions, the site and the guard cannot
drift apart.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Suffixes of the documents the tool reads. `.mdx` (Markdown with JSX) is read, analysed, moved and
# has its links rewritten like any other document.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
# The subset MkDocs renders as pages. MkDocs copies an `.mdx` file as a static file, so the site never
# lists one as a page.
SITE_PAGE_SUFFIXES = tuple(s for s in MARKDOWN_SUFFIXES if s != ".mdx")

# GitHub community health files and other names tools and people look for at the root, as keys (see
# `conventional_key`). The order is the order the site lists them in, README first.
CONVENTIONAL_ROOT = (
    "readme",
    "contributing",
    "changelog",
    "changes",
    "history",
    "security",
    "code_of_conduct",
    "support",
    "governance",
    "authors",
    "maintainers",
    "license",
    "licence",
    "copying",
    "news",
    "agents",
    "codeowners",
    "funding",
    "citation",
    "contributors",
    "notice",
    "patents",
    "claude",
    "gemini",
    "copilot_instructions",
    "replit",
)
_CONVENTIONAL = frozenset(CONVENTIONAL_ROOT)
# Names of index pages that head a folder; they belong to the folder they sit in.
FOLDER_INDEX = frozenset({"readme", "index", "_index"})
# Folders that already hold history: what sits there is never re-archived, never proposed for a move,
# and never the copy to keep among duplicates.
HISTORY_FOLDERS = frozenset(
    {
        "archive",
        "archives",
        "archived",
        "_archive",
        ".archive",
        "attic",
        "history",
        "deprecated",
        "obsolete",
        "old",
    }
)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 60


def is_markdown(path: str) -> bool:
    """A document the tool reads."""
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def is_site_page(path: str) -> bool:
    """A document MkDocs renders as a page."""
    return path.lower().endswith(SITE_PAGE_SUFFIXES)


def markdown_stem(name: str) -> str:
    """The name without its Markdown suffix (other names unchanged)."""
    return name.rsplit(".", 1)[0] if is_markdown(name) else name


def conventional_key(name: str) -> str:
    """`Code-Of-Conduct.md` -> `code_of_conduct`: the form conventional names are compared in."""
    return markdown_stem(name).lower().replace("-", "_").replace(" ", "_")


def is_conventional(name: str) -> bool:
    return conventional_key(name) in _CONVENTIONAL


def heads_folder(name: str) -> bool:
    """A conventional file or an index page: a fixture of its folder, never a version of another document."""
    return is_conventional(name) or conventional_key(name) in FOLDER_INDEX


def conventional_rank(name: str) -> int:
    """Position of a conventional file in the site's order; other names after every one of them."""
    key = conventional_key(name)
    return CONVENTIONAL_ROOT.index(key) if key in _CONVENTIONAL else len(CONVENTIONAL_ROOT)


# Files that tools read by path: moving them changes what the tool does (GitHub's templates and issue
# forms, agents' instructions, changeset notes). Conventions of those tools, not fitted.
TOOL_FOLDERS = frozenset({".github", ".gitlab", ".changeset", ".cursor", ".claude", ".gemini", ".vscode"})
TOOL_NAMES = frozenset({"agents", "claude", "gemini", "copilot-instructions", "codeowners"})


def read_by_tools(path: str) -> bool:
    """Read by a tool at this path (`.github/` templates, agent instructions, changesets)."""
    folders = [f.lower() for f in path.split("/")[:-1]]
    return any(f in TOOL_FOLDERS for f in folders) or conventional_key(path.rsplit("/", 1)[-1]) in TOOL_NAMES


def in_history_folder(path: str) -> bool:
    """Filed below a folder that holds history (`archive/`, `attic/`, `old/` ...)."""
    return any(part.lower() in HISTORY_FOLDERS for part in path.split("/")[:-1])


def slug(text: str) -> str:
    """An id or folder name: `Deployment Guide (v2)` -> `deployment-guide-v2` ("" when nothing is left)."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:SLUG_MAX].strip("-")


# ISO 639-1 language codes: a folder named by one (`fr`, `pt_BR`, `zh-TW`), or a folder with one as a
# suffix (`pages.fr`, `docs-ja`), holds a translation of a tree. A convention of naming, not a weight.
_ISO_639_1 = """
aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg
li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or
os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta
te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
LANGUAGE_CODES = frozenset(_ISO_639_1.split())
_LANGUAGE_TAG = re.compile(r"[a-z]{2}(?:[-_][A-Za-z]{2,4})?")


# Kept per folder name: comparing the folders of every candidate pair asks about the same few names
# tens of thousands of times.
@lru_cache(maxsize=1 << 14)
def language_folder(name: str) -> tuple[str, str] | None:
    """(tree, tag) when the folder name is a language tag or ends with one: `fr` -> ("", "fr"),
    `pages.pt_BR` -> ("pages", "pt_BR"), `docs-en-us` -> ("docs", "en-us"); None otherwise."""
    cuts = [0] + [i + 1 for i, c in enumerate(name) if c in "._-"]
    for cut in cuts:
        tag = name[cut:]
        if _LANGUAGE_TAG.fullmatch(tag) and tag[:2] in LANGUAGE_CODES:
            return name[: max(cut - 1, 0)], tag
    return None
