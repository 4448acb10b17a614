"""Cheap necessary conditions for regular expressions: literals one of which every match holds.

Scanning a long text with a pattern that has no fixed start (`\\b(?:run|install|...)\\b...`, and any
pattern that ignores case) tries the pattern at every character; `str.find` of a literal skips
through the same text many times faster. So a pattern is first asked for its *needles*: literals
of which every match must contain one, read off the pattern's own syntax tree (nothing to keep in
step by hand when a pattern changes). When none is in the text the pattern cannot match there, and
the scan is skipped; otherwise the pattern runs as before, so results never change.

A pattern that ignores case has its needles lower-cased, to be looked for in `folded(text)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# The standard library's own parser of pattern syntax (what `re.compile` runs): private, so every
# use is guarded, and a pattern it cannot read simply gets no needles (is always scanned).
try:
    from re import _constants as _C  # type: ignore[attr-defined]
    from re import _parser as _P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python's layout: no prefilter, same results
    _C = _P = None

Needles = frozenset[str]

# re.IGNORECASE equates three non-ASCII characters with ASCII letters that str.lower() leaves apart:
# İ and ı with i, ſ with s. İ must go first anyway: its lower case is two characters.
_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s"}


def folded(text: str) -> str:
    """`text` lower-cased, offset for offset, so that a literal found in it is where a pattern with
    re.IGNORECASE finds it in `text` (for the ASCII and caseless characters `needles` reads)."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD)
    return text.lower()


def needles(pattern: re.Pattern[str]) -> Needles | None:
    """Literals of which every match of `pattern` contains one, lower-cased when the pattern ignores
    case (look for them in `folded(text)` then), or None when the pattern shows no such set."""
    if _P is None or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = _P.parse(pattern.pattern, pattern.flags)
        return _of_sequence(parsed.data, bool(pattern.flags & re.IGNORECASE))
    except Exception:  # an unforeseen node: no prefilter rather than a wrong one
        return None


# Any alternative of a pattern may match, and only where each of its needle sets has a member:
# needles for each part of each top-level alternative, not only the best of the whole pattern's.
Condition = tuple[tuple[Needles, ...], ...]


def condition(pattern: re.Pattern[str]) -> Condition | None:
    """For each top-level alternative of `pattern`, the needle sets of its parts (a match of that
    alternative holds a member of every one), rarest first; None when an alternative has none."""
    if _P is None or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = _P.parse(pattern.pattern, pattern.flags)
        ignorecase = bool(pattern.flags & re.IGNORECASE)
        items = list(parsed.data)
        if items and items[-1][0] is _C.BRANCH:
            # `a|b`, or a shared prefix the parser factored out of them (`\b` of `\ba|\bb`)
            alternatives = [items[:-1] + list(alt.data) for alt in items[-1][1][1]]
        else:
            alternatives = [items]
        out = []
        for alternative in alternatives:
            sets = _required(alternative, ignorecase)
            if not sets:
                return None
            out.append(tuple(sorted(sets, key=lambda s: (-min(map(len, s)), len(s)))))
        return tuple(out)
    except Exception:  # an unforeseen node: no prefilter rather than a wrong one
        return None


def _required(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> list[Needles]:
    """Needle sets every match of the sequence has a member of: one per part that has any."""
    return [found for found in _parts(items, ignorecase) if found and "" not in found]


def _parts(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> Iterator[Needles | None]:
    """The needle sets of a sequence's parts, in order: every match of the sequence holds a member of
    each set that is not None, empty or holding ""."""
    run: list[str] = []
    for op, av in items:
        if op is _C.LITERAL:
            char = _literal(av, ignorecase)
            if char is not None:
                run.append(char)
                continue
        if run:
            text = "".join(run)
            yield frozenset([text])
            # A run right before a group or alternation continues into what each alternative starts
            # with (`p(?:r|ull request)`, as the parser factors `pr|pull request`).
            heads = _heads(op, av, ignorecase)
            if heads and "" not in heads:
                yield frozenset(text + h for h in heads)
            run = []
        yield _of_node(op, av, ignorecase)
    if run:
        yield frozenset(["".join(run)])


def meets(found: Condition | None, haystack: str) -> bool:
    """False only when a pattern whose `condition` is `found` cannot match `haystack`."""
    if found is None:
        return True
    return any(all(any(n in haystack for n in needles) for needles in parts) for parts in found)


def may_match(found: Needles | None, haystack: str) -> bool:
    """False only when `pattern` (whose `needles` are `found`) cannot match `haystack`."""
    return found is None or any(n in haystack for n in found)


def _literal(code: int, ignorecase: bool) -> str | None:
    char = chr(code)
    if not ignorecase or char.isascii() or char.lower() == char.upper():
        return char.lower() if ignorecase else char
    # A cased non-ASCII letter may have case partners str.lower() does not join (σ, ς, Σ).
    return None


def _better(a: Needles | None, b: Needles | None) -> Needles | None:
    """The more selective of two alternatives: longer shortest needle, then fewer needles."""
    if not a:
        return b or None
    if not b:
        return a

    def score(s: Needles) -> tuple[int, int]:
        return min(len(n) for n in s), -len(s)

    return a if score(a) >= score(b) else b


def _of_sequence(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> Needles | None:
    """Needles of a sequence of nodes: every part of it must match, so the best of its parts'."""
    best: Needles | None = None
    for found in _parts(items, ignorecase):
        best = _better(best, found)
    return best


def _of_node(op: Any, av: Any, ignorecase: bool) -> Needles | None:
    if op is _C.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if (add_flags or del_flags) else _of_sequence(sub.data, ignorecase)
    if op is _C.ATOMIC_GROUP:
        return _of_sequence(av.data, ignorecase)
    if op is _C.BRANCH:
        # Any alternative may be the one that matches: each must bring needles, and all of them count.
        alternatives = [_of_sequence(alt.data, ignorecase) for alt in av[1]]
        return _union(alternatives)
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
        low, _, sub = av
        return _of_sequence(sub.data, ignorecase) if low >= 1 else None
    if op is _C.IN and 0 < len(av) <= 8 and all(kind is _C.LITERAL for kind, _ in av):
        chars = [_literal(code, ignorecase) for _, code in av]  # a small set of characters: [,/&]
        return None if None in chars else frozenset(c for c in chars if c is not None)
    return None  # other classes, anchors, look-arounds, back-references: no literal known to be there


def _heads(op: Any, av: Any, ignorecase: bool) -> set[str] | None:
    """The literals the node's matches start with, one per alternative ("" for one that starts
    with something else), or None when the node is not a group or alternation."""
    if op is _C.SUBPATTERN and not (av[1] or av[2]):
        return _starts(av[3].data, ignorecase)
    if op is _C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _starts(alt.data, ignorecase)
        return out
    return None


def _starts(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> set[str]:
    run: list[str] = []
    for index, (op, av) in enumerate(items):
        char = _literal(av, ignorecase) if op is _C.LITERAL else None
        if char is not None:
            run.append(char)
            continue
        heads = _heads(op, av, ignorecase) if index == len(run) else None
        if heads is not None and not run:
            # a group first: what it starts with (one level, which is what patterns here need)
            return heads
        break
    return {"".join(run)}


def _union(parts: Iterable[Needles | None]) -> Needles | None:
    out: set[str] = set()
    for part in parts:
        if not part:
            return None
        out |= part
    return frozenset(out) if "" not in out else None


# ---------------------------------------------------------------- anchored scans

# Heads shorter than this occur too often (`pr`) for jumping between them to beat the plain scan.
MIN_HEAD = 3


def heads(pattern: re.Pattern[str]) -> Needles | None:
    """Literals every match of `pattern` starts with (after any `\\b` or `\\B`), lower-cased when it
    ignores case, or None when its start is not such a literal."""
    if _P is None or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = _P.parse(pattern.pattern, pattern.flags)
        found = _heads_of(parsed.data, bool(pattern.flags & re.IGNORECASE))
    except Exception:  # an unforeseen node: no anchoring rather than a wrong one
        return None
    return frozenset(found) if found and "" not in found else None


def _heads_of(items: Sequence[tuple[Any, Any]], ignorecase: bool) -> set[str] | None:
    index = 0
    while (
        index < len(items)
        and items[index][0] is _C.AT
        and items[index][1]
        in (
            _C.AT_BOUNDARY,
            _C.AT_NON_BOUNDARY,
        )
    ):
        index += 1  # zero-width: the match still starts with what follows
    run: list[str] = []
    for op, av in items[index:]:
        char = _literal(av, ignorecase) if op is _C.LITERAL else None
        if char is None:
            break
        run.append(char)
    rest = items[index + len(run) :]
    follow: set[str] | None = None
    if rest:
        op, av = rest[0]
        if op is _C.SUBPATTERN and not (av[1] or av[2]):
            follow = _heads_of(av[3].data, ignorecase)
        elif op is _C.BRANCH:
            follow = set()
            for alt in av[1]:
                part = _heads_of(alt.data, ignorecase)
                if part is None:
                    follow = None
                    break
                follow |= part
    text = "".join(run)
    if follow is not None and "" not in follow:
        return {text + h for h in follow}
    return {text} if text else None


def anchored_matches(
    pattern: re.Pattern[str], text: str, haystack: str, starts: Iterable[str]
) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` yields, found by trying the pattern only where one of `starts`
    (its `heads`) occurs in `haystack` (`text`, or `folded(text)` when it ignores case): every match
    starts there, so the leftmost match from any point is at the first of those where it matches."""
    found: set[int] = set()
    for head in starts:
        at = haystack.find(head)
        while at != -1:
            found.add(at)
            at = haystack.find(head, at + 1)
    end = 0
    for at in sorted(found):
        if at < end:
            continue
        match = pattern.match(text, at)
        if match is not None:
            yield match
            # a match holds its head, so it is never empty: the next one starts where it ends
            end = match.end()


def alternatives(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], ...] | None:
    """The top-level alternatives of `pattern` (`a|b|c`) as patterns of their own, with its flags,
    or None when it has fewer than two or cannot be split safely. `pattern` matches somewhere in a
    text exactly when one of them does, and each has needles and heads of its own, where the whole
    pattern's are only the weakest of theirs. (For a search only: counts of matches can differ.)"""
    source = pattern.pattern
    if not isinstance(source, str) or re.match(r"\(\?[aiLmsux]", source):
        return None  # global inline flags would stay with the first alternative only
    if re.search(r"\\[1-9]|\(\?P=", source):
        return None  # back-references: group numbers change when split
    parts, depth, start, index, in_class = [], 0, 0, 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[index + 1 : index + 2] == "^":
                index += 1
            if source[index + 1 : index + 2] == "]":
                index += 1  # a leading ] is a member, not the end
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
        index += 1
    parts.append(source[start:])
    if len(parts) < 2:
        return None
    try:
        return tuple(re.compile(part, pattern.flags) for part in parts)
    except re.error:
        return None
