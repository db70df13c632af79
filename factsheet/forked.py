"""Work spread over worker processes forked from the build's own: they inherit what the build
holds (the fact book, the templates, the store) instead of receiving it pickled, and each task
travels as a small argument."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# Below this many tasks, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48
WINDOW = 256  # tasks handed to the workers at once: the most results ever held here

_shared: Any = None


def shared() -> Any:
    """What `forked_map`'s caller handed its tasks: call it inside a task."""
    return _shared


def forked_map(
    function: Callable[[Any], Any], tasks: Sequence[Any], state: Any, jobs: int = 0
) -> Iterator:
    """`function(task)` for every task, in order, as each is done: in `jobs` worker processes
    (0: one a CPU) forked at the first `next()`, or in this process when there are few tasks,
    one CPU or no fork. The tasks read `state` with `shared()`. Results come one at a time
    (a thousand rendered pages are not held at once); consume them all."""
    global _shared
    jobs = jobs or os.cpu_count() or 1
    _shared = state
    try:
        if (
            jobs < 2
            or len(tasks) < PARALLEL_THRESHOLD
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            yield from map(function, tasks)
            return
        chunk = max(1, min(WINDOW // (jobs * 4), len(tasks) // (jobs * 8)))
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            # A window at a time: Pool.imap reads ahead without limit, and workers that
            # render faster than this process writes would pile every page up here.
            for start in range(0, len(tasks), WINDOW):
                yield from pool.imap(function, tasks[start : start + WINDOW], chunksize=chunk)
    finally:
        _shared = None
