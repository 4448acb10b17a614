"""Parse results remembered between runs, keyed by git blob id, inside `.git/consolidate/`.

Git never tracks what is inside its own directory, so the cache cannot leak into commits. A cache
file is never trusted blindly: it carries a format version, is read with an unpickler that only
admits the parse result types, and anything unexpected (truncated, corrupt, foreign) makes an empty
cache that is rebuilt on the next save.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import gitio
from ..core.models import Heading, Section
from ..core.version import __version__
from ..markdown.parse import DateMention, Parsed, RawLink
from ..security.secrets import SecretFinding

if TYPE_CHECKING:
    from .scan import Listing


def _code_version() -> str:
    """A digest of the code whose output is cached: an upgraded parser or detector starts afresh."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    modules = (
        "markdown/parse.py",
        "security/secrets.py",
        "security/detectors.py",
        "security/filters.py",
        "core/textio.py",
        "core/literals.py",
    )
    for module in modules:
        digest.update((package / module).read_bytes())
    return digest.hexdigest()[:16]


_FORMAT = f"consolidator-parse-cache/6/{_code_version()}"
# Keyed by where each class is defined now: the pickle records its module, so a class that moves
# (as they did into stage subpackages) must move here too, or every cache is refused as foreign.
_ALLOWED = {
    (t.__module__, t.__qualname__): t for t in (Parsed, RawLink, DateMention, Heading, Section, SecretFinding)
}

# What a document's bytes say, independent of its path: parse result, undecodable byte count, secrets.
Entry = tuple[Parsed, int, tuple[SecretFinding, ...]]


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO | io.BufferedReader, also: Iterable[type] = ()) -> None:
        super().__init__(file)
        self._allowed = {**_ALLOWED, **{(t.__module__, t.__qualname__): t for t in also}}

    def find_class(self, module: str, name: str) -> Any:
        found = self._allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"unexpected type {module}.{name} in cache")
        return found


@dataclass(frozen=True)
class Kept:
    """How what a caller derives from each parse (`scan.PerDocument`) is kept beside it in the cache:
    `version`, a digest of the code that derives it (a result of other code is derived again), and the
    only types its pickle may hold (besides the parse's own and builtins)."""

    version: str
    types: tuple[type, ...]


def code_digest(*modules: str) -> str:
    """A digest of the version and of the package's `modules` (paths below the package)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for module in modules:
        digest.update(module.encode() + b"\0" + (package / module).read_bytes())
    return digest.hexdigest()[:16]


def dump_entry(entry: Entry) -> bytes:
    """An entry as the cache file keeps it: pickled on its own, where it was made (a worker), so
    that saving the cache writes these bytes instead of pickling every parse again."""
    return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


def _entry(data: bytes) -> Entry | None:
    """The entry `data` holds, or None if it holds anything else."""
    try:
        entry = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # any damage at all: parse again rather than trust it
        return None
    if (
        isinstance(entry, tuple)
        and len(entry) == 3
        and isinstance(entry[0], Parsed)
        and isinstance(entry[1], int)
        and isinstance(entry[2], tuple)
        and all(isinstance(s, SecretFinding) for s in entry[2])
    ):
        return entry
    return None


class ParseCache:
    """Entries by blob id. The file keeps each entry pickled on its own; an entry is unpickled
    (and checked) when first asked for."""

    def __init__(
        self, path: Path | None, stored: dict[str, bytes], derived: dict[str, tuple[str, bytes]] | None = None
    ) -> None:
        self.path = path
        self._stored = stored  # blob -> pickled entry
        self._derived = derived or {}  # blob -> (Kept.version, pickled result of the caller's derivation)
        self._entries: dict[str, Entry] = {}  # blob -> entry, as unpickled or put
        self._used: set[str] = set()
        self._dirty = False

    @classmethod
    def memory(cls) -> ParseCache:
        return cls(None, {})

    @classmethod
    def for_repo(cls, root: Path) -> ParseCache:
        git_dir = gitio.git_dir(root)
        if git_dir is None:
            return cls.memory()
        path = git_dir / "consolidate" / "parse-cache.pickle"
        return cls(path, *_load(path))

    def __contains__(self, blob: str) -> bool:
        if blob in self._entries:
            return True
        data = self._stored.get(blob)
        if data is None:
            return False
        entry = _entry(data)
        if entry is None:
            del self._stored[blob]  # damaged: parsed again and replaced
            return False
        self._entries[blob] = entry
        return True

    def get(self, blob: str) -> Entry:
        if blob not in self:
            raise KeyError(blob)
        self._used.add(blob)
        return self._entries[blob]

    def use(self, blobs: Iterable[str]) -> None:
        """Mark `blobs` as needed by this run, so `save` keeps them."""
        self._used.update(blobs)

    def put(self, blob: str, entry: Entry, data: bytes | None = None) -> None:
        """Remember `entry`; `data`, if given, is `dump_entry(entry)` already made."""
        self._entries[blob] = entry
        if self.path is not None:  # bytes only for a cache that is written
            self._stored[blob] = data if data is not None else dump_entry(entry)
        self._used.add(blob)
        self._dirty = True

    def derived(self, blob: str, kept: Kept) -> object | None:
        """What `put_derived` kept for `blob` under `kept.version`, or None (none, other code, damaged)."""
        found = self._derived.get(blob)
        if found is None or found[0] != kept.version:
            return None
        try:
            value: object = _Unpickler(io.BytesIO(found[1]), kept.types).load()
        except Exception:  # any damage at all: derived again rather than trusted
            del self._derived[blob]
            return None
        return value

    def put_derived(self, blob: str, kept: Kept, data: bytes) -> None:
        """Keep `data` (a pickled result of the caller's derivation) for `blob` under `kept.version`."""
        if self.path is not None:
            self._derived[blob] = (kept.version, data)
            self._dirty = True

    def save(self) -> None:
        """Write what this run used (so the file does not grow without bound) atomically."""
        if self.path is None:
            return
        if not self._dirty and set(self._stored) <= self._used:
            return
        keep = {b: e for b, e in self._stored.items() if b in self._used or not self._used}
        derived = {b: d for b, d in self._derived.items() if b in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".parse-cache.")
            with os.fdopen(fd, "wb") as out:
                pickle.dump((_FORMAT, keep, derived), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            # A cache that cannot be written only costs time on the next run.
            return


def _load(path: Path) -> tuple[dict[str, bytes], dict[str, tuple[str, bytes]]]:
    """(blob -> pickled entry, blob -> (version, pickled derived result)) as the file holds them."""
    try:
        with path.open("rb") as src:
            data = _Unpickler(src).load()
    except FileNotFoundError:
        return {}, {}
    except Exception:  # any damage at all: start again rather than trust it
        return {}, {}
    if not (
        isinstance(data, tuple)
        and len(data) == 3
        and data[0] == _FORMAT
        and isinstance(data[1], dict)
        and isinstance(data[2], dict)
    ):
        return {}, {}
    stored = {b: e for b, e in data[1].items() if isinstance(b, str) and isinstance(e, bytes)}
    derived = {
        b: (d[0], d[1])
        for b, d in data[2].items()
        if isinstance(b, str)
        and isinstance(d, tuple)
        and len(d) == 2
        and isinstance(d[0], str)
        and isinstance(d[1], bytes)
    }
    return stored, derived


# ---------------------------------------------------------------- whole results


def _package_digest() -> str:
    """A digest of every module of the package: a result computed by other code is not reused."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    # the shipped data (the decision weights) counts as code: an edited weight plans afresh
    for module in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def inputs_key(
    root: Path, config: object, also: Iterable[str] = (), listing: Listing | None = None
) -> str | None:
    """What a whole-repository result depends on, found without parsing anything: the code, the
    settings, the repository's folder name and HEAD (history and the plan's header come from them),
    every file's path, every document's path and blob (read and hashed as the scan reads them), and
    the bytes of the files named in `also`. None outside git, where no history pins the result.

    `listing` is `scan.list_documents(root, config.exclude)`, when the caller has it (to scan with it
    next)."""
    from .scan import list_documents

    if listing is None:
        listing = list_documents(root, getattr(config, "exclude", ()))
    if not listing.in_git:
        return None
    digest = hashlib.sha256(f"{_package_digest()}|{config!r}|{root.name}|{gitio.head(root)}\n".encode())
    for path in listing.files:
        digest.update(path.encode("utf-8", "surrogateescape") + b"\n")
    for read in listing.reads:
        assert read.data is not None
        digest.update(f"{read.path}\0{gitio.blob_id(read.data)}\n".encode("utf-8", "surrogateescape"))
    for name in also:
        if (root / name).is_file():
            digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    return digest.hexdigest()


def load_result(root: Path, name: str, key: str) -> dict[str, Any] | None:
    """The result stored as `name` under `key`, if that is what the cache holds."""
    git_dir = gitio.git_dir(root)
    if git_dir is None:
        return None
    try:
        data = json.loads((git_dir / "consolidate" / f"{name}-result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("result"), dict):
        return None
    result: dict[str, Any] = data["result"]
    return result


def store_result(root: Path, name: str, key: str, result: dict[str, Any]) -> None:
    git_dir = gitio.git_dir(root)
    if git_dir is None:
        return
    folder = git_dir / "consolidate"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-result.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"key": key, "result": result}, out)
        os.replace(tmp, folder / f"{name}-result.json")
    except OSError:
        # A result that cannot be stored only costs time on the next run.
        return
