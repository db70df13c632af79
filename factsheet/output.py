"""Writing the site: a staging folder swapped in only when the whole build succeeded.

Every output path is checked before it is written: it must stay inside the output folder and
only one source may claim it. Until `commit()`, the previous site is untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .errors import BuildError, SiteError
from .file_signatures import file_signature, signature
from .owned_folders import (
    OUTPUT_MARKER,
    is_output_folder,
    keep_or_remove,
    mark_output,
    output_lock,
    output_problem,
    staging_folder,
    swap_in,
    write_error,
)

WRITER_THREADS = 4
LINK_BATCH = 256  # unchanged files hard-linked per task
STORE_BATCH = 16  # files written per task
QUEUED_BYTES = 4 << 20  # bytes of files waiting for a writer


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
        self.signatures: dict[str, str] = {}  # file -> file_signature, once committed on disk

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        """Keep the last build's file if it was made from inputs with the same key."""
        return False

    def remember(self, rel: str, key: str) -> None:
        """Note the inputs key of a page file just written, for the next build's `reuse`."""
        self.keys[rel] = key

    def claim(self, rel: str, origin: str) -> str | None:
        """Reserve an output path for `origin`: where to write it, or None (and an error) if it
        is unsafe or taken."""
        # Plain string work, not PurePosixPath: a build claims every file of the site (five
        # thousand at a thousand pages), and this runs for each.
        if not rel or rel.startswith("/") or rel.endswith("/") or ".." in rel.split("/"):
            self.errors.append(
                SiteError(origin, None, f"output path {rel!r} would leave the output folder")
            )
            return None
        previous = self.claimed.get(rel)
        if previous is not None:
            self.errors.append(
                SiteError(origin, None, f"writes {rel}, which {previous} already writes")
            )
            return None
        # A file and a folder cannot share a name: `facts.json` (a file) and
        # `facts.json/index.html` (a page) would collide on disk.
        if rel in self.folders:
            self._collision(rel, file_origin=origin, folder_origin=self.folders[rel])
            return None
        # The folders it goes in, nearest first, up to the first one known already (whose own
        # folders are known too, and none of them is a file).
        parents = []
        parent = rel.rpartition("/")[0]
        while (parent or ".") not in self.folders:
            if parent in self.claimed:
                self._collision(parent, file_origin=self.claimed[parent], folder_origin=origin)
                return None
            parents.append(parent or ".")
            if not parent:
                break
            parent = parent.rpartition("/")[0]
        self.claimed[rel] = origin
        for parent in parents:
            self.folders[parent] = origin
        return os.path.join(self.root, rel)

    def _collision(self, name: str, file_origin: str, folder_origin: str) -> None:
        self.errors.append(
            SiteError(
                folder_origin,
                None,
                f"writes into a folder {name}/, but "
                f"{file_origin} writes a file {name}: rename one of them",
            )
        )


class OutputTree(OutputPaths):
    """The files of one build, written into its own staging folder beside the output folder.

    The staging folder starts as the spare: the site before the current one, parked by the last
    build's swap (StagedOutput). A file that has not changed in either build is already the
    current site's file there (both names are hard links to one inode) and costs nothing; an
    unchanged page that only the current site has is linked in; everything else is written.
    A spare's name is unlinked before a file is written under it, never written through: its
    inode may be the current site's file. What the spare has and this build does not make is
    removed before the swap. Without a spare the staging folder starts empty.

    From creation to commit or discard the tree holds the output folder's lock, so two builds
    never interleave. The swap cannot leave the output missing: where the system can exchange
    two folders atomically (Linux renameat2), the new site and the old one trade places in one
    step; elsewhere a rename dance leaves `.NAME.old`, which the next build puts back if a kill
    came between the two renames. Leftover staging folders of killed builds are removed.
    """

    def __init__(
        self,
        out_dir: Path,
        mtime: int | None = None,
        previous: dict[str, str] | None = None,
        spare: Path | None = None,
    ):
        self.out_dir = out_dir
        self.previous = previous or {}  # page file -> inputs key @ file signature, in out_dir
        self.mtime = mtime  # SOURCE_DATE_EPOCH: reproducible file times in the Pages artifact
        self.spare = spare  # where the site being replaced is parked for the next build
        self.old_files: dict[str, int] = {}  # the spare's files not claimed yet -> inode
        self.old_folders: set[str] = set()
        self._lock = output_lock(out_dir)
        self._lock.__enter__()
        try:
            # Not mkdtemp: its mode 0700 would stay on the published folder.
            self.staging = staging_folder(out_dir)
            if not self._adopt_spare():
                self.staging.mkdir()
                mark_output(self.staging)
            if mtime is not None:
                os.utime(self.staging / OUTPUT_MARKER, (mtime, mtime))
        except OSError as exc:
            self._lock.__exit__(None, None, None)
            raise BuildError([write_error(out_dir.parent, exc, folder=True)]) from None
        super().__init__(self.staging)
        self.claimed[OUTPUT_MARKER] = "build.py"
        self.old_files.pop(OUTPUT_MARKER, None)
        # Writing is bound by the disk, not the CPU: a few threads keep several file system
        # calls in flight while the main thread renders the next page.
        self.io = ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="write")
        self.pending: list[Future] = []  # batches of links
        self.links: list[tuple[str, str, str, bool]] = []  # not yet made: see _link_all
        self.stores: list[tuple[str, str, bytes | Path, bool]] = []  # not yet written
        self.queued: deque[tuple[Future, int]] = deque()  # batches of stores, and their bytes
        self.queued_bytes = 0
        self.out_dir_str = str(out_dir)

    def _adopt_spare(self) -> bool:
        """Make the spare this build's staging folder; False if there is none to use."""
        spare = self.spare
        if spare is None or spare.is_symlink() or not is_output_folder(spare):
            return False
        try:
            os.rename(spare, self.staging)  # a kill from here on leaves a staging folder
        except OSError:
            return False  # another file system than the output's, say: start empty
        self.old_files, self.old_folders = _inventory(str(self.staging))
        return True

    def claim(self, rel: str, origin: str) -> str | None:
        target = super().claim(rel, origin)
        if target is not None and (self.old_files or self.old_folders):
            self._make_room(rel)
        return target

    def _make_room(self, rel: str) -> None:
        """Where the spare has a folder by a claimed file's name, or a file by the name of one
        of its folders, remove it: the site's shape changed there."""
        if rel in self.old_folders:
            shutil.rmtree(self.staging / rel)
            inside = f"{rel}/"
            self.old_folders = {
                f for f in self.old_folders if f != rel and not f.startswith(inside)
            }
            for name in [name for name in self.old_files if name.startswith(inside)]:
                del self.old_files[name]
        parent = rel.rpartition("/")[0]
        while parent:
            if self.old_files.pop(parent, None) is not None:
                os.unlink(self.staging / parent)
            parent = parent.rpartition("/")[0]

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        """An unchanged page is kept from the spare or hard-linked from the current site
        instead of being rendered, but only if the current site's file is still exactly the
        one the last build wrote (same inode, size, modification and change time): a hand edit
        changes the change time, which no tool can set back, so a hand-edited page is rendered
        again rather than carried over."""
        info = self._current_file(rel, key)
        if info is None:
            return False
        current = os.path.join(self.out_dir_str, rel)
        target = self.claim(rel, origin)
        if target is not None:
            self.remember(rel, key)
            old_inode = self.old_files.pop(rel, None)
            if old_inode == info.st_ino and (
                self.mtime is None or info.st_mtime_ns == self.mtime * 1_000_000_000
            ):
                self.signatures[rel] = signature(info)  # the spare's file is this very file
            else:
                # Links go in batches: one task per file cost more than the link itself.
                self.links.append((current, target, rel, old_inode is not None))
                if len(self.links) >= LINK_BATCH:
                    self._submit_links()
        return True

    def _submit_links(self) -> None:
        if self.links:
            self.pending.append(self.io.submit(self._link_all, self.links))
            self.links = []

    def _queue_store(self, store: tuple[str, str, bytes | Path, bool]) -> None:
        """Files are written in small batches too: a task (and its Future) per file, kept
        until the end, came to 9 KB a page of small objects scattered through the heap."""
        self.stores.append(store)
        if len(self.stores) >= STORE_BATCH:
            self._submit_stores()

    def _submit_stores(self) -> None:
        """Hand a batch to the writers; wait while too many bytes are queued. Rendering holds
        the GIL most of the time, so without this the writers fall behind and every page's
        bytes sit in the queue until the end (66 MB at two thousand pages). Counted in bytes:
        a thousand small citation files need not wait for the disk one batch at a time."""
        if self.stores:
            size = sum(len(c) for _, _, c, _ in self.stores if not isinstance(c, Path))
            self.queued.append((self.io.submit(self._store_all, self.stores), size))
            self.queued_bytes += size
            self.stores = []
            queued = self.queued
            while queued and (self.queued_bytes > QUEUED_BYTES or queued[0][0].done()):
                self._wait_for_oldest()

    def _wait_for_oldest(self) -> None:
        future, size = self.queued.popleft()
        future.result()  # its failure (a full disk, say) is raised here
        self.queued_bytes -= size

    def _store_all(self, stores: list[tuple[str, str, bytes | Path, bool]]) -> None:
        for rel, target, content, replaces in stores:
            self._store(rel, target, content, replaces)

    def _link_all(self, links: list[tuple[str, str, str, bool]]) -> None:
        for source, target, rel, replaces in links:
            if replaces:
                os.unlink(target)
            _in_its_folder(_link_or_copy, source, target)
            if self.mtime is not None:
                os.utime(target, (self.mtime, self.mtime))
            self.signatures[rel] = file_signature(target)

    def unchanged(self, rel: str, key: str) -> bool:
        """Whether the current site's file was made from inputs with this key, and is still
        exactly the file the last build wrote."""
        return self._current_file(rel, key) is not None

    def _current_file(self, rel: str, key: str) -> os.stat_result | None:
        """The current site's file, if `unchanged`: its lstat (reuse wants its inode)."""
        recorded_key, _, recorded_file = self.previous.get(rel, "").partition("@")
        if recorded_key != key:
            return None
        try:
            info = os.lstat(os.path.join(self.out_dir_str, rel))
        except OSError:
            return None
        return info if signature(info) == recorded_file else None

    def write(self, rel: str, data: bytes | str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            data = data.encode("utf-8") if isinstance(data, str) else data
            replaces = self.old_files.pop(rel, None) is not None
            self._queue_store((rel, target, data, replaces))

    def copy(self, source: Path, rel: str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            replaces = self.old_files.pop(rel, None) is not None
            self._queue_store((rel, target, source, replaces))

    def _store(self, rel: str, target: str, content: bytes | Path, replaces: bool) -> None:
        if replaces:
            os.unlink(target)  # perhaps a hard link to the current site's file: not through it
        # A static file or a picture is copied, never linked
        _in_its_folder(shutil.copyfile if isinstance(content, Path) else _write, content, target)
        if self.mtime is not None:
            os.utime(target, (self.mtime, self.mtime))
        self.signatures[rel] = file_signature(target)

    def flush(self, keep: str | None = None) -> None:
        """Wait until every file is on disk and remove what is left of the spare (but for the
        folder `keep`), for a step that reads the staging folder before the swap (the search
        index). Files can still be added afterwards."""
        self._submit_links()
        self._submit_stores()
        for future in self.pending:
            future.result()
        while self.queued:
            self._wait_for_oldest()
        self.remove_leftovers(keep)

    def remove_leftovers(self, keep: str | None = None) -> None:
        """Remove the spare's files and folders that this build has not claimed (yet)."""
        inside = f"{keep}/" if keep else None
        for rel in [rel for rel in self.old_files if not inside or not rel.startswith(inside)]:
            del self.old_files[rel]
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.staging, rel))
        unused = [
            folder
            for folder in self.old_folders
            if folder not in self.folders
            and folder != keep
            and not (inside and folder.startswith(inside))
        ]
        for folder in sorted(unused, key=lambda name: name.count("/"), reverse=True):
            self.old_folders.discard(folder)
            shutil.rmtree(self.staging / folder, ignore_errors=True)

    def _finish_writes(self) -> None:
        """Wait for every write; the first failure (a full disk, say) is raised here."""
        self.flush()
        self.io.shutdown(wait=True)

    def commit(self) -> None:
        """Swap the staging folder in for the output folder, once every file is written."""
        try:
            self._finish_writes()
            problem = output_problem(self.out_dir)  # a folder made there during the build
            if problem is not None:
                raise BuildError([problem])
            staging = str(self.staging)
            for rel in self.claimed.keys() - self.signatures.keys():  # files others wrote
                self.signatures[rel] = file_signature(os.path.join(staging, rel))
            if not swap_in(self.staging, self.out_dir, self.spare):
                # The old site was removed, not parked: that changed the change time of every
                # file it shared with the new one through a hard link.
                out = self.out_dir_str
                self.signatures = {
                    rel: file_signature(os.path.join(out, rel)) for rel in self.claimed
                }
            for rel, key in self.keys.items():
                self.keys[rel] = f"{key}@{self.signatures.get(rel, 'missing')}"
        except OSError as exc:
            raise BuildError([write_error(self.out_dir, exc)]) from None
        finally:
            self._release()

    def discard(self) -> None:
        """Give up this build. What it wrote becomes the spare: whatever is in there, the next
        build checks each file against the current site's."""
        self.io.shutdown(wait=True, cancel_futures=True)
        if self.staging.exists():
            keep_or_remove(self.staging, self.spare)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None


def _inventory(root: str) -> tuple[dict[str, int], set[str]]:
    """Every file under `root` (relative path -> inode) and every folder, in one walk: the
    inode comes with the folder listing, so no file is looked at on its own."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    stack = [""]
    while stack:
        folder = stack.pop()
        with os.scandir(os.path.join(root, folder) if folder else root) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    stack.append(rel)
                else:
                    files[rel] = entry.inode()
    return files, folders


def _in_its_folder(make: Callable[[Any, str], object], source: Any, target: str) -> None:
    """`make(source, target)`, making target's folder first if it is missing. Asking
    forgiveness, not permission: most files go into a folder that exists already (the spare's,
    or one made for an earlier file), where a makedirs first would cost a stat each."""
    try:
        make(source, target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        make(source, target)  # a missing source raises again: a real error


def _write(content: bytes, target: str) -> None:
    with open(target, "wb") as handle:
        handle.write(content)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise  # a folder missing: _in_its_folder makes it
    except OSError:  # a file system without hard links: copy instead
        shutil.copyfile(source, target)


class StagedOutput:
    """The command line's output folder: each build is written to a staging folder and swapped
    in whole (OutputTree). `spare` is where the site it replaces is parked for the next build
    (in the cache folder: see Store.spare_folder), or None to remove it."""

    def __init__(self, out_dir: Path, mtime: int | None = None):
        self.out_dir = out_dir
        self.mtime = mtime  # SOURCE_DATE_EPOCH: reproducible file times in the Pages artifact

    def begin(self, previous: dict[str, str], spare: Path | None = None) -> OutputTree:
        """A tree for one build; `previous` holds the input keys of the files now in out_dir."""
        return OutputTree(self.out_dir, self.mtime, previous, spare)
