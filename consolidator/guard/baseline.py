"""The check baseline: which findings were already known, as a small reviewable file.

Shared by `check` (which reads and writes it) and `apply` (which records, in its content commit,
the findings a consolidation leaves behind on purpose: links that were already broken). Keys name a
finding without its line number, so edits above it do not make it new.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..core.models import Plan
from ..core.version import __version__
from ..markdown.links import resolve

BASELINE_REL = ".consolidate/baseline.json"


def link_key(code: str, source: str, path: str | None, fragment: str | None, target: str) -> str:
    """Key of a broken link or anchor: by the repository path it means, not by how it is written,
    because apply rewrites the text of a link but keeps what it points at."""
    if path is None:
        detail = target
    elif code == "broken-anchor":
        detail = f"{path}#{fragment or ''}"
    else:
        detail = path
    return f"{code}:{source}:{detail}"


def parse_keys(data: bytes | str | None) -> list[str] | None:
    """The keys of a baseline file's content; None when it is not a baseline."""
    if data is None:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return None
    keys = body.get("findings") if isinstance(body, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return None
    return keys


def dump_keys(keys: Iterable[str]) -> str:
    body = {"tool": f"consolidator {__version__}", "findings": sorted(set(keys))}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _move_key(key: str, moves: dict[str, str]) -> str:
    code, sep, rest = key.partition(":")
    if not sep:
        return key
    path, sep, detail = rest.partition(":")
    if path not in moves:
        return key
    return f"{code}:{moves[path]}{sep}{detail}"


def keys_after_apply(existing: Iterable[str], plan: Plan) -> list[str]:
    """The baseline once `plan` is applied: known findings follow their files, and every link the
    plan found already broken is known (it is history, not damage done by the consolidation)."""
    moves = plan.moves()
    keys = {_move_key(k, moves) for k in existing}
    for broken in plan.broken_links:
        source = moves.get(broken.source, broken.source)
        code = "broken-anchor" if broken.reason == "missing anchor" else "broken-link"
        if broken.resolved is not None:
            fragment = resolve(broken.source, broken.target).fragment
            # The rewriter keeps the link pointing at the same document, wherever that went.
            target = moves.get(broken.resolved, broken.resolved)
            keys.add(link_key(code, source, target, fragment, broken.target))
            continue
        # A link that climbs out of the repository is left as written; from its new place it may
        # now name a (missing) path inside the repository.
        where = resolve(source, broken.target)
        path = None if where.outside_repo else where.path
        keys.add(link_key("broken-link", source, path, None, broken.target))
    return sorted(keys)
