"""Writing the site: a staging folder swapped in only when the whole build succeeded.

Every output path is checked before it is written: it must stay inside the output folder and
only one source may claim it. Until `commit()`, the previous site is untouched.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .errors import BuildError, SiteError, display_path
from .owned_folders import (
    OUTPUT_MARKER,
    OUTPUT_MARKER_TEXT,
    mark_output,
    old_site,
    output_lock,
    output_problem,
    staging_folder,
    write_error,
)
from .safe_files import UnsafeFileError, check_input, leads_outside

HASHED_SUFFIXES = (".css", ".js")  # cache-busting names for what browsers cache hardest
WRITER_THREADS = 4
LINK_BATCH = 256  # unchanged files hard-linked per task


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

    def claim(self, rel: str, origin: str) -> Path | None:
        """Reserve an output path for `origin`; None (and an error) if it is unsafe or taken."""
        # Plain string work, not PurePosixPath: a build claims every file of the site (five
        # thousand at a thousand pages), and this runs for each.
        parts = rel.split("/")
        if not rel or rel.startswith("/") or rel.endswith("/") or ".." in parts:
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
        parents = ["/".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)] + ["."]
        for parent in parents:
            if parent in self.claimed:
                self._collision(parent, file_origin=self.claimed[parent], folder_origin=origin)
                return None
        self.claimed[rel] = origin
        for parent in parents:
            self.folders.setdefault(parent, origin)
        return self.root / rel

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

    From creation to commit or discard the tree holds the output folder's lock, so two builds
    never interleave. The swap cannot leave the output missing: where the system can exchange
    two folders atomically (Linux renameat2), the new site and the old one trade places in one
    step; elsewhere a rename dance leaves `.NAME.old`, which the next build puts back if a kill
    came between the two renames. Leftover staging folders of killed builds are removed.
    """

    def __init__(
        self, out_dir: Path, mtime: int | None = None, previous: dict[str, str] | None = None
    ):
        self.out_dir = out_dir
        self.previous = previous or {}  # page file -> inputs key @ file signature, in out_dir
        self.mtime = mtime  # SOURCE_DATE_EPOCH: reproducible file times in the Pages artifact
        self._lock = output_lock(out_dir)
        self._lock.__enter__()
        try:
            # Not mkdtemp: its mode 0700 would stay on the published folder.
            self.staging = staging_folder(out_dir)
            self.staging.mkdir()
            mark_output(self.staging)
            if mtime is not None:
                os.utime(self.staging / OUTPUT_MARKER, (mtime, mtime))
        except OSError as exc:
            self._lock.__exit__(None, None, None)
            raise BuildError([write_error(out_dir.parent, exc, folder=True)]) from None
        super().__init__(self.staging)
        self.claimed[OUTPUT_MARKER] = "build.py"
        # Writing is bound by the disk, not the CPU: a few threads keep several file system
        # calls in flight while the main thread renders the next page.
        self.io = ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="write")
        self.pending: list[Future] = []
        self.links: list[tuple[str, str]] = []  # (current file, staging path), not yet made
        self.out_dir_str = str(out_dir)

    def reuse(self, rel: str, key: str, origin: str) -> bool:
        """An unchanged page is hard-linked from the current site instead of being rendered,
        but only if its file is still exactly the one the last build wrote (same inode, size,
        modification and change time): a hand edit changes the change time, which no tool can
        set back, so a hand-edited page is rendered again rather than carried over."""
        if not self.unchanged(rel, key):
            return False
        target = self.claim(rel, origin)
        if target is not None:
            # Links go in batches: one task per file cost more than the link itself.
            self.links.append((os.path.join(self.out_dir_str, rel), str(target)))
            if len(self.links) >= LINK_BATCH:
                self._submit_links()
            self.remember(rel, key)
        return True

    def _submit_links(self) -> None:
        if self.links:
            self.pending.append(self.io.submit(self._link_all, self.links))
            self.links = []

    def _link_all(self, links: list[tuple[str, str]]) -> None:
        for source, target in links:
            try:
                _link_or_copy(source, target)
            except FileNotFoundError:  # its folder is not made yet (links skip the mkdir)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _link_or_copy(source, target)
            if self.mtime is not None:
                os.utime(target, (self.mtime, self.mtime))

    def unchanged(self, rel: str, key: str) -> bool:
        """Whether the current site's file was made from inputs with this key, and is still
        exactly the file the last build wrote."""
        recorded_key, _, recorded_file = self.previous.get(rel, "").partition("@")
        return recorded_key == key and (
            file_signature(os.path.join(self.out_dir_str, rel)) == recorded_file
        )

    def write(self, rel: str, data: bytes | str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            data = data.encode("utf-8") if isinstance(data, str) else data
            self.pending.append(self.io.submit(self._store, target, data))

    def copy(self, source: Path, rel: str, origin: str) -> None:
        target = self.claim(rel, origin)
        if target is not None:
            self.pending.append(self.io.submit(self._store, target, source))

    def _store(self, target: Path, content: bytes | Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):  # a static file or a picture: a copy, never a link
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
        if self.mtime is not None:
            os.utime(target, (self.mtime, self.mtime))

    def flush(self) -> None:
        """Wait until every file is on disk, for a step that reads the staging folder before
        the swap (the search index). Files can still be added afterwards."""
        self._submit_links()
        for future in self.pending:
            future.result()

    def _finish_writes(self) -> None:
        """Wait for every write; the first failure (a full disk, say) is raised here."""
        self._submit_links()
        self.io.shutdown(wait=True)
        for future in self.pending:
            future.result()

    def commit(self) -> None:
        """Swap the staging folder in for the output folder, once every file is written."""
        try:
            self._finish_writes()
            problem = output_problem(self.out_dir)  # a folder made there during the build
            if problem is not None:
                raise BuildError([problem])
            swap_in(self.staging, self.out_dir)
            # Signatures are taken last: removing the old site changes the change time of
            # every file it shared with the new one through a hard link.
            out = self.out_dir_str
            self.signatures = {rel: file_signature(os.path.join(out, rel)) for rel in self.claimed}
            for rel, key in self.keys.items():
                self.keys[rel] = f"{key}@{self.signatures.get(rel, 'missing')}"
        except OSError as exc:
            raise BuildError([write_error(self.out_dir, exc)]) from None
        finally:
            self._release()

    def discard(self) -> None:
        self.io.shutdown(wait=True, cancel_futures=True)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise  # a folder missing: the caller makes it
    except OSError:  # a file system without hard links: copy instead
        shutil.copyfile(source, target)


def file_signature(path: Path | str) -> str:
    """What identifies one version of a file: inode, size, modification and change times."""
    try:
        info = os.lstat(path)
    except OSError:
        return "missing"
    if not stat.S_ISREG(info.st_mode):
        return "not a file"
    return f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the output folder; the old site, if any, is removed afterwards."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
    elif _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now the old site
    else:
        old = old_site(out_dir)
        os.rename(out_dir, old)
        os.rename(staging, out_dir)  # a kill just before this: the next build renames old back
        shutil.rmtree(old)


_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where that is unavailable."""
    renameat2 = getattr(_libc(), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    import ctypes

    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system or kernel without the exchange: rename instead
    raise OSError(error, os.strerror(error), str(second))


@lru_cache(maxsize=1)
def _libc():
    import ctypes  # only when a site is swapped in: not on the start-up path of every build

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def static_files(static_dir: Path, project: Path | None = None) -> dict[str, Path]:
    """Every file under static/ by its path relative to it, in a stable order.

    Raise BuildError naming every entry that is not a regular file inside static/ or the
    project: a link to a file outside, a FIFO, a device or a socket (see safe_files).
    """
    if not static_dir.is_dir():
        return {}
    within = (static_dir, project) if project else (static_dir,)
    files, errors = {}, []
    for path in sorted(static_dir.rglob("*")):
        if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        if path.is_symlink() and path.is_dir():  # a linked folder is not followed
            outside = leads_outside(path, within)
            if outside is not None:
                errors.append(
                    SiteError(
                        display_path(path, project),
                        None,
                        f"is a symbolic link to {outside}, outside the project: remove it",
                    )
                )
            continue
        try:
            check_input(path, within)
        except UnsafeFileError as problem:
            errors.append(SiteError(display_path(path, project), None, str(problem)))
            continue
        files[path.relative_to(static_dir).as_posix()] = path
    if errors:
        raise BuildError(errors)
    return files


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
        self.search_wanted = False  # a save since the indexing under way began
        self.search_lock = threading.Lock()
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
        self.write(OUTPUT_MARKER, OUTPUT_MARKER_TEXT, "build.py")  # the same files as a build

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
