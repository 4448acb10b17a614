"""The plan file: the contract between deciding (`plan`) and doing (`apply`).

YAML, written with a fixed key order and sorted entries so the same repository always gives the
same bytes, and read back strictly: every problem a hand edit can introduce is reported at once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.emitter import ScalarAnalysis

from ..core.errors import PlanError
from ..core.models import BrokenLink, Cluster, Decision, Plan, PlanHeader, Reason

FORMAT_VERSION = 1
ACTIONS = ("keep", "move", "archive", "merge")
DEFAULT_PLAN = Path(".consolidate") / "plan.yaml"

_HEADER_COMMENT = """\
# Consolidation plan. Review it, edit it, then run `consolidate apply`.
#   action: keep | move | archive | merge   (merge = archive a duplicate, pointing to `canonical`)
#   Change a destination or an action freely; delete an entry to leave its file untouched.
#   `blob` is the file's content id when planned: apply refuses entries whose file changed since.
"""

_ENTRY_KEYS = (
    "source",
    "action",
    "destination",
    "section",
    "canonical",
    "kind",
    "confidence",
    "blob",
    "reasons",
)


class _Dumper(yaml.SafeDumper):
    """Block style lists indented under their key, long lines kept whole.

    libyaml's emitter (yaml.CSafeDumper) would be faster, but it always writes a list flush with its
    key, so the plan stays with PyYAML's own emitter, made cheaper below without changing a byte.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._analysed: dict[str, ScalarAnalysis] = {}

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def analyze_scalar(self, scalar: str) -> ScalarAnalysis:
        # The same actions, paths and reasons recur thousands of times in a plan, and PyYAML
        # inspects every character of each one again; the analysis depends on the text alone.
        found = self._analysed.get(scalar)
        if found is None:
            found = self._analysed[scalar] = super().analyze_scalar(scalar)
        return found


def _entry(e: Decision) -> dict[str, Any]:
    return {
        "source": e.source,
        "action": e.action,
        "destination": e.destination,
        "section": e.section,
        "canonical": e.canonical,
        "kind": e.kind or None,
        "confidence": round(float(e.confidence), 2),
        "blob": e.blob,
        "reasons": [str(r) for r in e.reasons],
    }


def _cluster(c: Cluster) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": c.id,
        "kind": c.kind,
        "label": c.label,
        "canonical": c.canonical,
        "score": round(float(c.score), 3),
        "members": list(c.members),
        "evidence": list(c.evidence),
    }
    if c.unique_content:
        data["unique_content"] = {member: list(parts) for member, parts in c.unique_content}
    return data


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    h = plan.header
    return {
        "version": FORMAT_VERSION,
        "generated_by": h.tool,
        "repository": h.repo,
        "commit": h.commit,
        "settings": dict(h.config),
        "summary": dict(h.summary),
        "entries": [_entry(e) for e in sorted(plan.entries, key=lambda e: e.source)],
        "clusters": [_cluster(c) for c in sorted(plan.clusters, key=lambda c: (c.kind, c.id))],
        "broken_links": [
            {
                "source": b.source,
                "line": b.line,
                "target": b.target,
                "resolved": b.resolved,
                "reason": b.reason,
                "suggestion": b.suggestion,
            }
            for b in sorted(plan.broken_links, key=lambda b: (b.source, b.line, b.target))
        ],
    }


_DUMP_OPTIONS: dict[str, Any] = {
    "sort_keys": False,
    "allow_unicode": True,
    "width": 4096,
    "default_flow_style": False,
}


def _pyyaml(data: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, **_DUMP_OPTIONS)
    return text


def dump_plan(plan: Plan) -> str:
    """The plan file's text: the bytes PyYAML's emitter (with `_Dumper`) writes for `plan_to_dict`.

    A plan holds thousands of entries, and PyYAML builds, walks and emits a node for every key and
    value, which took seconds on large repositories. The head of the file (a few keys) is still
    PyYAML's; each entry, group and broken link is written by `_BlockWriter`, which reproduces the
    emitter's layout for the plan's fixed shapes and asks the emitter's own scalar analysis and tag
    resolution how to write each string. Whatever it is not sure of (long or multi-line strings,
    long keys, strings PyYAML would double-quote, unexpected shapes) makes it hand that one item to
    PyYAML, dumped under its own key, which writes it exactly as it would inside the whole plan:
    block items do not depend on their neighbours.
    """
    data = plan_to_dict(plan)
    lists = ("entries", "clusters", "broken_links")
    head = {k: v for k, v in data.items() if k not in lists}
    if list(data)[-len(lists) :] != list(lists):  # a shape this writer does not know: all PyYAML
        return _HEADER_COMMENT + _pyyaml(data)
    parts = [_HEADER_COMMENT, _pyyaml(head)]
    writer = _BlockWriter()
    for key in lists:
        items = data[key]
        if not items:
            parts.append(f"{key}: []\n")
            continue
        parts.append(f"{key}:\n")
        for item in items:
            fast = writer.item(item)
            if fast is None:
                # PyYAML writes `key:` then the item: keep the item's lines.
                fast = _pyyaml({key: [item]}).split("\n", 1)[1]
            parts.append(fast)
    return "".join(parts)


_STR_TAG = "tag:yaml.org,2002:str"
_LONGEST = 1000  # longer strings could reach the 4096-column width, where PyYAML folds lines
_BREAKS = frozenset("\n\r\x85\u2028\u2029")


class _BlockWriter:
    """Block-style YAML for one list item of the plan (a mapping of scalars, lists of scalars and
    mappings of lists of scalars), as `_Dumper` writes it; None for anything else (see dump_plan)."""

    def __init__(self) -> None:
        import io

        # An emitter that writes nothing: its scalar analysis and resolver decide each string's style.
        self._yaml = _Dumper(io.StringIO(), **{k: v for k, v in _DUMP_OPTIONS.items() if k != "sort_keys"})
        self._values: dict[str, str | None] = {}
        self._keys: dict[str, str | None] = {}

    def _string(self, value: str, key: bool) -> str | None:
        """`value` as the emitter writes it in block context (plain or single-quoted), or None."""
        if len(value) > _LONGEST or not _BREAKS.isdisjoint(value):
            return None
        analysis = self._yaml.analyze_scalar(value)
        if key and (analysis.empty or analysis.multiline or len("!!str") + len(analysis.scalar) >= 128):
            return None  # not a simple key: PyYAML writes `? key`
        # Plain only when reading it back gives a string (not a number, a date, null or a boolean).
        tag = self._yaml.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        implicit = tag == _STR_TAG
        if implicit and analysis.allow_block_plain and not (key and analysis.empty):
            return value
        if analysis.allow_single_quoted:
            return "'" + value.replace("'", "''") + "'"
        return None  # double-quoted, with escapes: left to PyYAML

    def scalar(self, value: object, key: bool = False) -> str | None:
        if isinstance(value, str):
            cache = self._keys if key else self._values
            if value not in cache:
                cache[value] = self._string(value, key)
            return cache[value]
        if key:
            return None
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            text = repr(value).lower()
            # PyYAML's own spelling of infinities, NaN and exponents is left to PyYAML.
            return text if value == value and "e" not in text and "inf" not in text else None
        return None

    def item(self, item: object) -> str | None:
        """`item` as a member of a top-level block list (`  - key: value` ...), or None."""
        if not isinstance(item, dict) or not item:
            return None
        lines: list[str] = []
        for i, (key, value) in enumerate(item.items()):
            written = self._pair(key, value, 4)
            if written is None:
                return None
            lines.append(("  - " if i == 0 else "    ") + written)
        return "".join(lines)

    def _pair(self, key: object, value: object, indent: int) -> str | None:
        """`key: value` and its nested lines (at `indent`, the column of `key`), ending in a newline."""
        k = self.scalar(key, key=True)
        if k is None:
            return None
        if isinstance(value, list):
            if not value:
                return f"{k}: []\n"
            items = [self.scalar(v) for v in value]
            if any(v is None for v in items):
                return None
            pad = " " * (indent + 2)
            return f"{k}:\n" + "".join(f"{pad}- {v}\n" for v in items)
        if isinstance(value, dict):
            if not value:
                return f"{k}: {{}}\n"
            pad = " " * (indent + 2)
            out = [f"{k}:\n"]
            for sub_key, sub_value in value.items():
                if isinstance(sub_value, dict):
                    return None
                written = self._pair(sub_key, sub_value, indent + 2)
                if written is None:
                    return None
                out.append(pad + written)
            return "".join(out)
        v = self.scalar(value)
        return None if v is None else f"{k}: {v}\n"


def write_plan(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dump_plan(plan), encoding="utf-8", newline="\n")
    tmp.replace(path)


# ---------------------------------------------------------------- reading


def load_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"no plan at {path}; run `consolidate plan` first") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read the plan {path}: {exc}") from exc
    return parse_plan(text, str(path))


def parse_plan(text: str, where: str = "plan") -> Plan:
    try:
        # The C loader reads a plan of thousands of entries several times faster when it is there.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise PlanError(f"{where} is not valid YAML: {exc}") from exc
    return plan_from_data(data, where)


def plan_from_data(data: Any, where: str = "plan") -> Plan:
    """The plan `data` holds: what `plan_to_dict` makes, or a plan file's YAML loaded (`parse_plan`)."""
    if not isinstance(data, dict):
        raise PlanError(f"{where} is not a plan: expected a mapping with `entries`")
    problems: list[str] = []
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        problems.append(f"unsupported plan version {version!r} (this tool reads version {FORMAT_VERSION})")
    raw_entries = data.get("entries") or []
    if not isinstance(raw_entries, list):
        raise PlanError(f"{where}: `entries` must be a list")
    entries = []
    for i, raw in enumerate(raw_entries, 1):
        entry = _read_entry(raw, i, problems)
        if entry is not None:
            entries.append(entry)
    clusters = [c for c in (_read_cluster(raw, problems) for raw in data.get("clusters") or []) if c]
    broken = [b for b in (_read_broken(raw) for raw in data.get("broken_links") or []) if b]
    if problems:
        raise PlanError(f"{where} has {len(problems)} problem(s):", problems)
    settings = data.get("settings") or {}
    summary = data.get("summary") or {}
    header = PlanHeader(
        tool=str(data.get("generated_by", "")),
        repo=str(data.get("repository", "")),
        commit=data.get("commit"),
        config=tuple((str(k), str(v)) for k, v in settings.items()) if isinstance(settings, dict) else (),
        summary=tuple((str(k), int(v)) for k, v in summary.items() if isinstance(v, int))
        if isinstance(summary, dict)
        else (),
    )
    return Plan(header, tuple(entries), tuple(clusters), tuple(broken))


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _read_entry(raw: Any, index: int, problems: list[str]) -> Decision | None:
    if not isinstance(raw, dict):
        problems.append(f"entry {index}: expected a mapping, got {raw!r}")
        return None
    name = raw.get("source")
    label = f"entry {index} ({name})" if name else f"entry {index}"
    unknown = sorted(set(raw) - set(_ENTRY_KEYS))
    if unknown:
        problems.append(f"{label}: unknown field(s) {', '.join(map(str, unknown))}")
    if not isinstance(name, str) or not name:
        problems.append(f"{label}: `source` is missing")
        return None
    action = raw.get("action")
    if action not in ACTIONS:
        problems.append(f"{label}: action {action!r} is not one of {', '.join(ACTIONS)}")
        return None
    reasons = raw.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    confidence = raw.get("confidence", 1.0)
    if not isinstance(confidence, int | float) or isinstance(confidence, bool):
        problems.append(f"{label}: confidence {confidence!r} is not a number")
        confidence = 0.0
    return Decision(
        source=name,
        action=action,
        destination=_text(raw.get("destination")),
        section=_text(raw.get("section")),
        canonical=_text(raw.get("canonical")),
        reasons=tuple(Reason(str(r)) for r in reasons),
        confidence=float(confidence),
        blob=str(raw.get("blob") or ""),
        kind=str(raw.get("kind") or ""),
    )


def _read_cluster(raw: Any, problems: list[str]) -> Cluster | None:
    if not isinstance(raw, dict) or "id" not in raw:
        problems.append(f"cluster {raw!r}: expected a mapping with an id")
        return None
    members = raw.get("members") or []
    unique = raw.get("unique_content") or {}
    return Cluster(
        id=str(raw["id"]),
        kind=str(raw.get("kind", "topic")),
        members=tuple(str(m) for m in members),
        canonical=_text(raw.get("canonical")),
        label=str(raw.get("label") or ""),
        evidence=tuple(str(e) for e in raw.get("evidence") or []),
        unique_content=tuple((str(k), tuple(str(x) for x in v)) for k, v in unique.items())
        if isinstance(unique, dict)
        else (),
        score=float(raw.get("score") or 0.0),
    )


def _read_broken(raw: Any) -> BrokenLink | None:
    if not isinstance(raw, dict) or "source" not in raw:
        return None
    return BrokenLink(
        source=str(raw["source"]),
        line=int(raw.get("line") or 0),
        target=str(raw.get("target") or ""),
        resolved=_text(raw.get("resolved")),
        reason=str(raw.get("reason") or ""),
        suggestion=_text(raw.get("suggestion")),
    )


# ---------------------------------------------------------------- validation


def _destination_problem(dest: str, root: Path) -> str | None:
    if (
        dest.startswith(("/", "\\"))
        or PurePosixPath(dest).is_absolute()
        or (len(dest) > 1 and dest[1] == ":")
    ):
        return "is an absolute path"
    if "\\" in dest:
        return "uses backslashes; write paths with /"
    normal = posixpath.normpath(dest)
    if normal == ".." or normal.startswith("../"):
        return "is outside the repository"
    if normal != dest.rstrip("/") and normal != dest:
        return f"is not a normalised path (did you mean {normal}?)"
    parts = normal.split("/")
    if any(p.lower() == ".git" for p in parts):
        return "is inside .git"
    if any(p in ("", ".") for p in parts) or dest.endswith("/"):
        return "is not a file path"
    here = root
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink():
            return f"crosses the symbolic link {here.relative_to(root).as_posix()}"
    if (root / normal).is_symlink():
        return "is a symbolic link"
    return None


def validate_plan(plan: Plan, root: Path, files: Iterable[str]) -> list[str]:
    """Every problem of `plan` against the repository at `root` holding `files`."""
    known = set(files)
    problems: list[str] = []
    seen: dict[str, Decision] = {}
    for e in plan.entries:
        if e.source in seen:
            other = seen[e.source]
            if other.action != e.action or other.destination != e.destination:
                problems.append(
                    f"{e.source}: listed twice with different decisions ({other.action} and {e.action})"
                )
            else:
                problems.append(f"{e.source}: listed twice")
            continue
        seen[e.source] = e
        if e.source not in known:
            problems.append(f"{e.source}: unknown source (no such file in the repository)")
    moving_away = {
        e.source for e in plan.entries if e.action != "keep" and e.destination not in (None, e.source)
    }
    staying = known - moving_away
    staying_folded = {p.casefold(): p for p in staying}
    targets: dict[str, str] = {}
    for e in seen.values():
        if e.action == "keep":
            if e.destination not in (None, e.source):
                problems.append(f"{e.source}: action keep with a destination ({e.destination}); use move")
            continue
        if not e.destination:
            problems.append(f"{e.source}: action {e.action} needs a destination")
            continue
        dest = e.destination
        issue = _destination_problem(dest, root)
        if issue:
            problems.append(f"{e.source}: destination {dest} {issue}")
            continue
        if dest == e.source:
            continue
        folded = dest.casefold()
        if folded in targets:
            first = targets[folded]
            same = "the same destination" if first == dest else "destinations that differ only in case"
            problems.append(f"{e.source}: {same} as another entry ({dest})")
        else:
            targets[folded] = dest
        if dest in staying or ((root / dest).exists() and dest not in moving_away):
            problems.append(f"{e.source}: destination {dest} already exists")
        elif folded in staying_folded and staying_folded[folded] != e.source:
            clash = staying_folded[folded]
            problems.append(f"{e.source}: destination {dest} collides with {clash} when case is ignored")
        if e.canonical and e.canonical not in known and e.canonical not in seen:
            problems.append(f"{e.source}: canonical {e.canonical} is not a document of the repository")
        if e.action == "merge" and not e.canonical:
            problems.append(f"{e.source}: action merge needs `canonical`, the document to read instead")
    # A folder in one destination must not be a file in another (docs/a.md/ vs docs/a.md).
    dest_set = set(targets.values())
    for dest in dest_set:
        parent = posixpath.dirname(dest)
        while parent:
            if parent in dest_set or parent in staying:
                problems.append(f"destination {dest} needs {parent} to be a folder, but it is a file")
                break
            parent = posixpath.dirname(parent)
    return problems + _folder_case_problems(dest_set, staying)


def _folder_case_problems(destinations: set[str], staying: set[str]) -> list[str]:
    """A destination folder that differs only in case from a folder of the repository or of another
    destination: on macOS and Windows they are one folder, and the site would show two sections."""
    spelled: dict[str, str] = {}
    for path in sorted(staying):
        for folder in _folders(path):
            spelled.setdefault(folder.casefold(), folder)
    problems = []
    for dest in sorted(destinations):
        for folder in _folders(dest):
            first = spelled.setdefault(folder.casefold(), folder)
            if first != folder:
                problems.append(f"destination {dest}: folder {folder} differs only in case from {first}")
                break
    return problems


def _folders(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# ---------------------------------------------------------------- what was applied

RECORD = Path(".consolidate") / "applied-plan.yaml"


def load_record(root: Path) -> Plan | None:
    """The plan `apply` committed, None when the repository was never consolidated."""
    path = root / RECORD
    return load_plan(path) if path.is_file() else None


def settled_paths(root: Path, record: Plan | None) -> frozenset[str]:
    """Where the applied plan put documents, for those unchanged since it was applied.

    A reviewed and applied decision stands until its file changes: planning a consolidated
    repository again must not second-guess it, or every run would move a few more files.
    """
    if record is None:
        return frozenset()
    placed = {e.destination if e.action != "keep" and e.destination else e.source for e in record.entries}
    from ..core import gitio

    commit = gitio.last_commit_touching(root, RECORD.as_posix()) if gitio.is_work_tree(root) else None
    if commit is None:
        # Outside git (or not yet committed) there is no telling what changed: trust nothing.
        return frozenset()
    return frozenset(placed - gitio.changed_since(root, commit))
