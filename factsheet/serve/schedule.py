"""When to build: a burst of saves becomes ONE build, and a write already built is not built
again.

watchfiles hands over a batch once its set of changed paths stopped growing for one short step,
but ten writes to the same file are one path, so a batch can arrive while an editor (or a
checkout) is still writing. Two cheap checks on the files themselves close that gap: a batch
waits until its newest file is QUIET old, and a path whose (mtime, size, inode) is what the last
build read is dropped (the tail of a burst the build already saw). So a single save is built
QUIET after it was written, whatever the watcher's step, and writes less than QUIET apart are
one build.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

QUIET = 0.02  # seconds a changed file must have been left alone before it is built

Signature = tuple[int, int, int] | None  # (mtime_ns, size, inode), None for a missing file


def signature(path: str) -> Signature:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def quiet_wait(mtimes_ns: Iterable[int], now_ns: int, quiet: float = QUIET) -> float:
    """Seconds until the newest of these writes is `quiet` old (0 when it is). A time in the
    future (a clock set back, `touch -d`) waits at most one quiet period, never forever."""
    newest = max(mtimes_ns, default=None)
    if newest is None:
        return 0.0
    age = (now_ns - newest) / 1e9
    return min(quiet, max(0.0, quiet - age)) if age >= 0 else quiet


class Schedule:
    """Changed paths waiting for a build. `add` them as the watcher reports them; `wait()` says
    how long until they are due; `take()` hands them over and records what the build reads."""

    def __init__(self, quiet: float = QUIET):
        self.quiet = quiet
        self.pending: set[str] = set()
        self.built: dict[str, Signature] = {}  # path -> its signature when last taken

    def add(self, paths: Iterable[str]) -> bool:
        """Queue the paths that differ from what the last build read; True if any did."""
        fresh = {p for p in paths if p not in self.built or signature(p) != self.built[p]}
        self.pending |= fresh
        return bool(fresh)

    def wait(self) -> float | None:
        """Seconds until the pending changes are due (0 if they are); None if nothing pends."""
        if not self.pending:
            return None
        mtimes = [s[0] for s in map(signature, self.pending) if s is not None]
        return quiet_wait(mtimes, time.time_ns(), self.quiet)

    def take(self) -> frozenset[str]:
        taken, self.pending = frozenset(self.pending), set()
        self.built.update((path, signature(path)) for path in taken)
        return taken
