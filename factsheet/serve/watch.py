"""What to watch, what to ignore, and the watcher itself: `watchfiles` (Rust `notify`, inotify on
Linux) in a thread of its own, handing every batch of changed paths to a callback.

As in Lektor's watcher, the whole watch is `watchfiles.watch(*paths, watch_filter=...)`; the
filter refuses the output, the cache and the serve folder by absolute path, tool folders and
editor junk by name, and anything in the generator's package that is not Python source.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from .schedule import Signature, signature

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # factsheet/
STEP_MS = 10  # watchfiles hands a batch over once no new path arrived for one step
POLL_MS = 100  # only where inotify cannot be used
MAX_BATCH_MS = 1000  # ... or after this long, during a stream of changes that never pauses

IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".idea",
        ".vscode",
    }
)
IGNORED_SUFFIXES = (
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".tmp",
    ".temp",
    ".bak",
    ".orig",
    ".kate-swp",
    ".pyc",
    ".pyo",
    "~",
    "___jb_tmp___",
    "___jb_old___",
)


def editor_junk(name: str) -> bool:
    """Files editors and tools write next to the real ones: swap, backup, lock, probe files."""
    return (
        name.endswith(IGNORED_SUFFIXES)
        or name.startswith((".#", ".goutputstream-"))
        or (name.startswith("#") and name.endswith("#"))
        or name in ("4913", ".DS_Store", "Thumbs.db")
    )


def make_ignore(excluded: Iterable[Path]) -> Callable[[str], bool]:
    """An ignore predicate on ABSOLUTE paths: anything inside an excluded folder (the output,
    the cache, the serve folder), in a VCS or tool folder, or an editor's temporary file."""
    folders = {os.path.abspath(p) for p in excluded} | {os.path.realpath(p) for p in excluded}
    prefixes = tuple(sorted(f.rstrip(os.sep) + os.sep for f in folders))

    def ignored(path: str) -> bool:
        path = os.path.abspath(path)
        if (path + os.sep).startswith(prefixes):
            return True
        parts = path.split(os.sep)
        return editor_junk(parts[-1]) or not IGNORED_DIRS.isdisjoint(parts[:-1])

    return ignored


def watch_paths(config, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Every input of a build that exists, without folders nested in one already watched: the
    content, data, templates and static trees, the generator's package and build.py."""
    candidates = [
        config.content_dir,
        config.data_dir,
        config.templates_dir,
        config.static_dir,
        package_dir,
        config.root / "build.py",
    ]
    paths: list[Path] = []
    for path in candidates:
        if not path.exists() or any(path == p or p in path.parents for p in paths):
            continue
        paths = [p for p in paths if path not in p.parents]
        paths.append(path)
    return paths


def input_filter(
    excluded: Iterable[Path], package_dir: Path = PACKAGE_DIR
) -> Callable[[watchfiles.Change, str], bool]:
    """watchfiles' `watch_filter`: True for a path whose change can change the site."""
    ignored = make_ignore(excluded)
    package = str(package_dir) + os.sep

    def wanted(_change: watchfiles.Change, path: str) -> bool:
        if ignored(path):
            return False
        return path.endswith(".py") or not path.startswith(package)

    return wanted


def snapshot(paths: Iterable[str], wanted) -> dict[str, Signature]:
    """The signature of every wanted file under these paths: what a build is about to read."""
    found: dict[str, Signature] = {}
    for top in paths:
        if not os.path.isdir(top):
            found[top] = signature(top)
            continue
        for folder, folders, files in os.walk(top):
            folders[:] = [f for f in folders if f not in IGNORED_DIRS]
            for name in files:
                path = os.path.join(folder, name)
                if wanted(None, path):
                    found[path] = signature(path)
    return found


def changed_since(before: dict[str, Signature], paths: Iterable[str], wanted) -> set[str]:
    """Files added, removed or modified since `before` was taken."""
    after = snapshot(paths, wanted)
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


class _StopOrReady:
    """The watcher's stop event. watchfiles asks it `is_set()` from inside its loop, so the
    first question also tells us the watches are in place (an edit made from then on is seen)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.ready = threading.Event()

    def is_set(self) -> bool:
        self.ready.set()
        return self.stop.is_set()


class Watcher:
    """Watches `paths` in a daemon thread; calls `on_change(paths)` from that thread for every
    batch of wanted changes (the caller hands them to its own loop)."""

    def __init__(
        self,
        paths: Iterable[Path],
        wanted: Callable[[watchfiles.Change, str], bool],
        on_change: Callable[[set[str]], None],
    ):
        self.paths = [str(p) for p in paths]
        self.wanted = wanted
        self.on_change = on_change
        self._events = _StopOrReady()
        self._thread = threading.Thread(target=self._run, name="watcher", daemon=True)
        self.failure: BaseException | None = None
        self.polling: str | None = None  # why the watcher polls, when inotify failed

    def start(self, timeout: float = 10.0) -> None:
        """Start watching; return once the watches are in place."""
        self._thread.start()
        self._events.ready.wait(timeout)
        if self.failure is not None:
            raise self.failure

    def _run(self) -> None:
        try:
            try:
                self._watch(polling=False)
            except (OSError, RuntimeError) as exc:
                if self._events.ready.is_set():
                    raise
                # No inotify here (or no watches left: fs.inotify.max_user_watches): poll.
                self.polling = f"{exc}"
                self._watch(polling=True)
        except BaseException as exc:  # noqa: BLE001 - reported by start(), not lost in a thread
            self.failure = exc
            self._events.ready.set()

    def _watch(self, polling: bool) -> None:
        for changes in watchfiles.watch(
            *self.paths,
            watch_filter=self.wanted,
            debounce=MAX_BATCH_MS,
            step=STEP_MS,
            stop_event=self._events,
            rust_timeout=0,
            raise_interrupt=False,
            force_polling=polling,
            poll_delay_ms=POLL_MS,
        ):
            # Polling also reports a folder whose listing changed: its files are reported too.
            paths = {
                path
                for change, path in changes
                if change != watchfiles.Change.modified or not os.path.isdir(path)
            }
            if paths:
                self.on_change(paths)

    def stop(self, timeout: float = 2.0) -> None:
        self._events.stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
