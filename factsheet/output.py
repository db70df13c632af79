"""Writing the site: a staging folder swapped in only when the whole build succeeded.

Every output path is checked before it is written: it must stay inside the output folder and
only one source may claim it. Until `commit()`, the previous site is untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from .errors import SiteError

HASHED_SUFFIXES = (".css", ".js")  # cache-busting names for what browsers cache hardest
WRITER_THREADS = 4


class OutputPaths:
    """The output paths of one build: none may leave the output folder, and each has one
    source. Subclasses decide where the files go."""

    changed: tuple[str, ...] | list[str] = ()  # only a LiveTree reports single files

    def __init__(self, root: Path):
        self.root = root  # where claimed paths are written
        self.claimed: dict[str, str] = {}
        self.folders: dict[str, str] = {}  # folder of a claimed file -> who first wrote in it
        self.errors: list[SiteError] = []
        self.keys: dict[str, str] = {}  # page file -> the key of the inputs it was made from

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        """Keep the last build's file if it was made from inputs with the same key."""
        return False

    def remember(self, rel: str, key: str) -> None:
        """Note the inputs key of a page file just written, for the next build's `reuse`."""
        self.keys[rel] = key

    def claim(self, rel: str, origin: str) -> Path | None:
        """Reserve an output path for `origin`; None (and an error) if it is unsafe or taken."""
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or not rel or rel.endswith("/"):
            self.errors.append(SiteError(origin, None, f"output path {rel!r} would leave the "
                                                       "output folder"))
            return None
        previous = self.claimed.get(rel)
        if previous is not None:
            self.errors.append(SiteError(origin, None, f"writes {rel}, which {previous} "
                                                       "already writes"))
            return None
        # A file and a folder cannot share a name: `facts.json` (a file) and
        # `facts.json/index.html` (a page) would collide on disk.
        if rel in self.folders:
            self._collision(rel, file_origin=origin, folder_origin=self.folders[rel])
            return None
        for parent in map(str, path.parents):
            if parent in self.claimed:
                self._collision(parent, file_origin=self.claimed[parent], folder_origin=origin)
                return None
        self.claimed[rel] = origin
        for parent in map(str, path.parents):
            self.folders.setdefault(parent, origin)
        return self.root / rel

    def _collision(self, name: str, file_origin: str, folder_origin: str) -> None:
        self.errors.append(SiteError(folder_origin, None, f"writes into a folder {name}/, but "
                                     f"{file_origin} writes a file {name}: rename one of them"))


class OutputTree(OutputPaths):
    """The files of one build, written into a staging folder beside the output folder."""

    def __init__(self, out_dir: Path, mtime: int | None = None,
                 previous: dict[str, str] | None = None):
        self.out_dir = out_dir
        self.staging = out_dir.parent / f".{out_dir.name}.staging"
        super().__init__(self.staging)
        self.previous = previous or {}  # the keys of the page files now in out_dir
        self.mtime = mtime  # SOURCE_DATE_EPOCH: reproducible file times in the Pages artifact
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        # Writing is bound by the disk, not the CPU: a few threads keep several file system
        # calls in flight while the main thread renders the next page.
        self.io = ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="write")
        self.pending: list[Future] = []

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        """An unchanged page is hard-linked from the current site instead of being rendered:
        the staging folder still gets a complete site, at the cost of a link."""
        if self.previous.get(rel) != key or not (self.out_dir / rel).is_file():
            return False
        target = self.claim(rel, origin)
        if target is not None:
            self.pending.append(self.io.submit(self._store, target, self.out_dir / rel, True))
            self.remember(rel, key)
        return True

    def write(self, rel: str, data: bytes | str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            data = data.encode("utf-8") if isinstance(data, str) else data
            self.pending.append(self.io.submit(self._store, target, data))

    def copy(self, source: Path, rel: str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            self.pending.append(self.io.submit(self._store, target, source))

    def _store(self, target: Path, content: bytes | Path, link: bool = False) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            try:
                if not link:
                    raise OSError("copy requested")
                os.link(content, target)
            except OSError:  # a file system without hard links: copy instead
                shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
        if self.mtime is not None:
            os.utime(target, (self.mtime, self.mtime))

    def flush(self) -> None:
        """Wait until every file is on disk, for a step that reads the staging folder before
        the swap (the search index). Files can still be added afterwards."""
        for future in self.pending:
            future.result()

    def _finish_writes(self) -> None:
        """Wait for every write; the first failure (a full disk, say) is raised here."""
        self.io.shutdown(wait=True)
        for future in self.pending:
            future.result()

    def commit(self) -> None:
        """Swap the staging folder in for the output folder, once every file is written."""
        self._finish_writes()
        old = self.out_dir.parent / f".{self.out_dir.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if self.out_dir.exists():
            self.out_dir.rename(old)
        self.staging.rename(self.out_dir)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        self.io.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)


def static_files(static_dir: Path) -> dict[str, Path]:
    """Every file under static/ by its path relative to it, in a stable order."""
    if not static_dir.is_dir():
        return {}
    return {
        path.relative_to(static_dir).as_posix(): path
        for path in sorted(static_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def asset_names(files: dict[str, Path]) -> dict[str, str]:
    """Map each static file to its output path; CSS and JS get a content hash in the name."""
    names = {}
    for rel, path in files.items():
        pure = PurePosixPath(rel)
        if pure.suffix in HASHED_SUFFIXES:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=5).hexdigest()
            pure = pure.with_name(f"{pure.stem}.{digest}{pure.suffix}")
        names[rel] = f"static/{pure.as_posix()}"
    return names


class StagedOutput:
    """The command line's output folder: each build is written to a staging folder and swapped
    in whole (OutputTree)."""

    def __init__(self, out_dir: Path, mtime: int | None = None):
        self.out_dir = out_dir
        self.mtime = mtime  # SOURCE_DATE_EPOCH: reproducible file times in the Pages artifact

    def begin(self, previous: dict[str, str]) -> OutputTree:
        """A tree for one build; `previous` holds the input keys of the files now in out_dir."""
        return OutputTree(self.out_dir, self.mtime, previous)


class LiveOutput:
    """The folder `serve` serves: updated in place, file by file, only where bytes changed.

    It lives across builds. A page whose inputs have the same key as last time is not even
    rendered (`reuse`); everything else is rendered into memory first, and nothing is written
    until the whole build has succeeded, so a failed build never changes what is served.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.digests: dict[str, str] = {}  # every file served -> hash of its bytes
        # The search index is made after each write, off the reload's path (search.py): what
        # it was made from, and the indexing under way.
        self.search_key: str | None = None
        self.search_thread: threading.Thread | None = None
        out_dir.mkdir(parents=True, exist_ok=True)

    def begin(self, previous: dict[str, str]) -> LiveTree:
        return LiveTree(self, previous)


class LiveTree(OutputPaths):
    """One build's view of a LiveOutput: files are held in memory until the build succeeded,
    then written in place, each atomically, and only where the bytes changed."""

    def __init__(self, live: LiveOutput, previous: dict[str, str]):
        super().__init__(live.out_dir)
        self.live = live
        self.previous = previous  # the input keys of the files now served
        self.out_dir = live.out_dir
        self.held: dict[str, bytes] = {}
        self.changed: list[str] = []

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        if self.previous.get(rel) != key or rel not in self.live.digests:
            return False
        self.claim(rel, origin)
        self.remember(rel, key)
        return True

    def write(self, rel: str, data: bytes | str, origin: str) -> None:
        if self.claim(rel, origin) is not None:
            self.held[rel] = data.encode("utf-8") if isinstance(data, str) else data

    def copy(self, source: Path, rel: str, origin: str) -> None:
        self.write(rel, source.read_bytes(), origin)

    def commit(self) -> None:
        for rel, data in self.held.items():
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            if self.live.digests.get(rel) == digest and (self.out_dir / rel).is_file():
                continue
            target = self.out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_bytes(data)
            temporary.replace(target)  # readers see the old file or the new one, never half
            self.live.digests[rel] = digest
            self.changed.append(rel)
        for rel in sorted(set(self.live.digests) - set(self.claimed)):
            (self.out_dir / rel).unlink(missing_ok=True)
            del self.live.digests[rel]
            self.changed.append(rel)

    def discard(self) -> None:
        self.held.clear()
