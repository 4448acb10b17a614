"""Where a link written in one document leads: a repository path and a fragment, or outside."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import unquote

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Target:
    external: bool
    path: str | None  # repository-relative POSIX path ("" for the repository root folder)
    fragment: str | None  # decoded, without '#'
    query: str | None
    outside_repo: bool = False


def split_target(target: str) -> tuple[str, str | None, str | None]:
    """`path?query#fragment` into its raw parts (nothing decoded)."""
    fragment = None
    if "#" in target:
        target, fragment = target.split("#", 1)
    query = None
    if "?" in target:
        target, query = target.split("?", 1)
    return target, query, fragment


def is_external(target: str) -> bool:
    return bool(_SCHEME.match(target)) or target.startswith("//")


def resolve(source: str, target: str) -> Target:
    """Resolve `target` as written in the document at repository path `source`.

    A leading `/` means the repository root, as code hosts render it. A path that climbs above the
    root is reported with `outside_repo` and no path.
    """
    target = target.strip()
    if is_external(target):
        return Target(True, None, None, None)
    raw_path, query, raw_fragment = split_target(target)
    fragment = unquote(raw_fragment) if raw_fragment is not None else None
    if not raw_path:
        return Target(False, source, fragment, query)
    path = unquote(raw_path)
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source), path)
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".":
        return Target(False, "", fragment, query)
    if normal == ".." or normal.startswith("../"):
        return Target(False, None, fragment, query, outside_repo=True)
    return Target(False, normal, fragment, query)


def folders_of(files: Collection[str]) -> frozenset[str]:
    """Every folder that holds at least one of `files` ("" is the root)."""
    found = {""}
    for f in files:
        parts = f.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            found.add("/".join(parts[:i]))
    return frozenset(found)


def relative_path(from_file: str, to_path: str) -> str:
    """The relative link from the document `from_file` to the repository path `to_path`."""
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(to_path or ".", start)
