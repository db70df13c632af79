"""The cache folder's files: each written to a temporary name and renamed into place, so a
killed build leaves the old file or the new one; an index pickled a chunk at a time."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

# Entries of an index pickled at once. A pickler remembers every object it has written (to
# write a repeat as a reference): for ten thousand pages' summaries in one dump, that memo
# was the build's largest allocation.
CHUNK = 500


def write_index(path: Path, version: object, index: dict, shared: bool = True) -> None:
    """`version`, then the index in chunks, pickled straight to a temporary file (no copy of
    ten thousand pages' worth of bytes in memory), then renamed into place. A cache that
    cannot be written costs speed only.

    `shared=False` is for an index of few, large values whose parts are seldom the same
    object twice (a build's hundred thousand warnings): written without the memo that would
    write a repeat as a reference, and that memo's tens of megabytes."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            pickle.dump(version, handle, pickle.HIGHEST_PROTOCOL)
            items = list(index.items())
            for start in range(0, len(items), CHUNK):
                pickler = pickle.Pickler(handle, pickle.HIGHEST_PROTOCOL)
                pickler.fast = not shared  # no memo: safe, since nothing in it refers to itself
                pickler.dump(dict(items[start : start + CHUNK]))
        temporary.replace(path)
    except OSError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def read_index(path: Path, version: object) -> dict:
    """What write_index wrote with this version; empty for anything else (missing, damaged,
    another version or format): a cache miss, nothing worse."""
    index: dict = {}
    try:
        with path.open("rb") as handle:
            if pickle.load(handle) != version:  # noqa: S301 - our own cache
                return {}
            while True:
                try:
                    chunk = pickle.load(handle)  # noqa: S301
                except EOFError:
                    return index
                if not isinstance(chunk, dict):
                    return {}
                index.update(chunk)
    except Exception:  # noqa: BLE001 - unreadable or foreign
        return {}


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
