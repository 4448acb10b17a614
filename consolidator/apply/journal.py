"""The on-disk record of an apply in progress, so a killed apply can be finished or rolled back.

Layout, inside the repository's git directory (never tracked, never seen by `git status`):

    consolidate/apply/actions.json   what the apply will do, fixed before anything is touched
    consolidate/apply/journal.jsonl  one JSON line per finished step, flushed to disk before the next
    consolidate/apply/index.orig     the index file as it was before the apply
    consolidate/apply/blobs.pack     original bytes of every file the apply changes or removes,
                                     and the new bytes of every file it writes: a first line
                                     mapping each blob id to (offset, length), then the bytes
                                     (one file, so one flush to disk rather than one per blob:
                                     hundreds of flushes took seconds)

(Journals written before blobs.pack kept one file per blob, `blobs/<id>`; they are still read.)

The folder is prepared under a temporary name and renamed into place in one step, so it either
exists complete or not at all. Every step after that is idempotent: repeating a step that already
ran (because the process died before recording it) does no harm.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
from pathlib import Path
from typing import Any

from ..core.errors import ApplyError

JOURNAL_FOLDER = "consolidate/apply"
ACTIONS = "actions.json"
STEPS = "journal.jsonl"
INDEX_COPY = "index.orig"
PACK = "blobs.pack"
BLOBS = "blobs"  # the layout before PACK: one file per blob
SCRATCH = "unpacked"  # blobs unpacked for git to read (not flushed: unpacked again if need be)

# Tests set this to make the process kill itself at a chosen point, the closest a test can get to
# pulling the plug: "N" right after writing the N-th journal record of this run, "~N" just before
# writing it (the step's work done but not recorded, so it must be safe to repeat).
KILL_AT_VARIABLE = "CONSOLIDATE_TEST_KILL_AT"

_records_this_process = 0


def _maybe_kill(point: str) -> None:
    if os.environ.get(KILL_AT_VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def journal_dir(git_dir: Path) -> Path:
    return git_dir / JOURNAL_FOLDER


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: a reader sees the old bytes or the new, never a mix."""
    tmp = temp_name(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    with contextlib.suppress(FileNotFoundError):
        os.chmod(tmp, stat.S_IMODE(os.lstat(path).st_mode))
    os.replace(tmp, path)


def _write_pack(path: Path, blobs: dict[str, bytes]) -> None:
    index, at = {}, 0
    for blob, data in blobs.items():
        index[blob] = [at, len(data)]
        at += len(data)
    with open(path, "wb") as fh:
        fh.write(json.dumps(index).encode("ascii") + b"\n")  # json escapes any line ending
        for data in blobs.values():
            fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def temp_name(path: Path) -> Path:
    """The scratch file `write_durably` uses beside `path` (left behind only by a killed process)."""
    return path.with_name(f".{path.name}.consolidate-tmp")


class Journal:
    """A journal folder: its fixed actions and the steps recorded so far."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: tuple[dict[str, list[int]], int] | None = None  # of the pack, once read

    # ---------------------------------------------------------------- creating

    @classmethod
    def prepare(
        cls,
        folder: Path,
        actions: dict[str, Any],
        blobs: dict[str, bytes],
        index_file: Path,
    ) -> Journal:
        """Write everything the apply needs to finish or roll back, then make it visible at once."""
        staging = folder.with_name(folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _write_pack(staging / PACK, blobs)
        if index_file.exists():
            shutil.copyfile(index_file, staging / INDEX_COPY)
        with open(staging / ACTIONS, "w", encoding="utf-8") as fh:
            # One string, written at once, by json's C encoder (indenting would need its Python one):
            # the actions list every rewritten link, 140,000 of them for a 20 MB file, and written
            # piece by piece they took seconds.
            fh.write(json.dumps(actions, ensure_ascii=False))
            fh.flush()
            os.fsync(fh.fileno())
        (staging / STEPS).touch()
        _fsync_dir(staging)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
        _fsync_dir(folder.parent)
        return cls(folder)

    # ---------------------------------------------------------------- reading

    def exists(self) -> bool:
        return (self.folder / ACTIONS).is_file()

    def actions(self) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / ACTIONS).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ApplyError(f"the apply journal in {self.folder} cannot be read ({exc})") from exc
        if not isinstance(data, dict):
            raise ApplyError(f"the apply journal in {self.folder} is damaged")
        return data

    def steps(self) -> list[dict[str, Any]]:
        """Recorded steps, oldest first; a last line cut short by a kill is ignored."""
        try:
            raw = (self.folder / STEPS).read_text(encoding="utf-8")
        except OSError:
            return []
        found = []
        for line in raw.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                found.append(item)
        return found

    def done_steps(self) -> set[str]:
        return {str(s.get("step")) for s in self.steps()}

    def finished(self) -> bool:
        return "done" in self.done_steps()

    def blob(self, blob: str) -> bytes:
        pack = self.folder / PACK
        try:
            if not pack.is_file():
                return (self.folder / BLOBS / blob).read_bytes()
            index, base = self._pack_index()
            where = index.get(blob)
            if where is None:
                raise ApplyError(f"the apply journal lacks the saved copy {blob}")
            with open(pack, "rb") as fh:
                fh.seek(base + where[0])
                data = fh.read(where[1])
        except (OSError, ValueError) as exc:
            raise ApplyError(f"the apply journal lacks the saved copy {blob} ({exc})") from exc
        if len(data) != where[1]:
            raise ApplyError(f"the apply journal's saved copy {blob} is cut short")
        return data

    def _pack_index(self) -> tuple[dict[str, list[int]], int]:
        if self._index is None:
            with open(self.folder / PACK, "rb") as fh:
                head = fh.readline()
            index = json.loads(head)
            if not isinstance(index, dict):
                raise ValueError("damaged blobs.pack")
            self._index = (index, len(head))
        return self._index

    def blob_files(self, blobs: list[str]) -> list[Path]:
        """Files holding the saved `blobs`, for git to read. From a pack they are unpacked into a
        scratch folder, not flushed to disk: git stores what it reads, and a step killed before it is
        recorded unpacks them again. `drop_blob_files` removes them."""
        if not (self.folder / PACK).is_file():
            return [self.folder / BLOBS / b for b in blobs]
        scratch = self.folder / SCRATCH
        scratch.mkdir(exist_ok=True)
        files = []
        for b in blobs:
            (scratch / b).write_bytes(self.blob(b))
            files.append(scratch / b)
        return files

    def drop_blob_files(self) -> None:
        shutil.rmtree(self.folder / SCRATCH, ignore_errors=True)

    def index_copy(self) -> Path | None:
        path = self.folder / INDEX_COPY
        return path if path.is_file() else None

    # ---------------------------------------------------------------- writing

    def record(self, step: str, **details: Any) -> None:
        """Append one finished step, on disk before returning."""
        global _records_this_process
        _records_this_process += 1
        _maybe_kill(f"~{_records_this_process}")
        line = json.dumps({"step": step, **details}, ensure_ascii=False) + "\n"
        with open(self.folder / STEPS, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        _maybe_kill(str(_records_this_process))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
