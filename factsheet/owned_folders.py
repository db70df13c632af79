"""Folders a build may replace or delete from: only the ones a build made.

`--out docs` once erased docs/authoring.md, and `--cache notes` a diary under notes/. So the
output folder carries a marker file that every build writes into it; an existing folder that is
neither empty nor marked is refused with an error naming it, never deleted. The cache folder
carries a CACHEDIR.TAG (the cache-directory convention that backup tools honour too), and the
store writes and deletes only in a folder that has one.

Builds of one output folder also take turns: each holds an exclusive lock on a file beside the
output while it stages and swaps, so two builds at once never mix their files.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .errors import BuildError, SiteError

# A dotfile: actions/upload-pages-artifact (v4 and later) and Jekyll both leave dotfiles out of
# a published site, and where one is served anyway it is a line of plain text. The link checker
# reads only *.html, so it never sees it.
OUTPUT_MARKER = ".far-side-output"
OUTPUT_MARKER_TEXT = b"Made by Far Side's build.py, which replaces this folder on every build.\n"

CACHE_TAG = "CACHEDIR.TAG"
CACHE_TAG_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"  # https://bford.info/cachedir/
CACHE_TAG_TEXT = CACHE_TAG_SIGNATURE + (  # the same signature as incremental.MARKER_TEXT
    b"\n# Far Side's rendered-Markdown cache: build.py deletes only its own entries here.\n"
    b"# For information about cache directory tags see https://bford.info/cachedir/\n"
)

# What a cache made before CACHEDIR.TAG existed holds, and nothing else (see incremental.py;
# last-build-*.json is from the version before that).
_CACHE_TOP_LEVEL = re.compile(
    r"pages|(?:stats|pages|summaries|builds|warnings)\.pickle|last-build-[0-9a-f]+\.json"
    r"|\.?[\w.-]+\.\d+\.tmp"
)
_STAGING_SUFFIX = re.compile(r"[0-9a-f]{12}")
_CACHE_SHARD = re.compile(r"[0-9a-f]{2}")
_CACHE_ENTRY = re.compile(r"\.?[0-9a-f]{32}\.pickle(?:\.\d+\.tmp)?")


def is_output_folder(folder: Path) -> bool:
    return (folder / OUTPUT_MARKER).is_file()


def mark_output(folder: Path) -> None:
    (folder / OUTPUT_MARKER).write_bytes(OUTPUT_MARKER_TEXT)


def output_problem(out_dir: Path) -> SiteError | None:
    """Why the build must not replace `out_dir`, or None when it may."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        return SiteError(
            "--out",
            None,
            f"{out_dir} exists and is not a folder; the build will not "
            "replace it: choose a folder for --out",
        )
    if out_dir.is_dir() and not is_output_folder(out_dir) and not _empty(out_dir):
        return SiteError(
            "--out",
            None,
            f"{out_dir} is not empty and was not made by build.py "
            f"(it has no {OUTPUT_MARKER} file); the build will not "
            "replace it: choose a new or empty folder for --out",
        )
    return None


def adopt_old_cache(cache_dir: Path) -> None:
    """Tag a cache made before the tag existed, so that the store keeps using it.

    The store (incremental.py) writes and deletes only in a folder with our CACHEDIR.TAG; any
    other non-empty folder is a cache miss, nothing worse. An untagged folder holding nothing
    but the cache's own file names is such an old cache: without this, it would silently never
    be used again.
    """
    tag = cache_dir / CACHE_TAG
    try:
        if tag.is_file() or not cache_dir.is_dir() or _empty(cache_dir):
            return
        if _looks_like_our_cache(cache_dir):
            tag.write_bytes(CACHE_TAG_TEXT)
    except OSError:
        pass  # a read-only cache costs speed only


def _empty(folder: Path) -> bool:
    try:
        return not any(folder.iterdir())
    except OSError:  # unreadable: not known to be empty, so not ours to replace
        return False


def _looks_like_our_cache(cache_dir: Path) -> bool:
    """An untagged cache from before the tag: nothing in it but the cache's own file names."""
    try:
        return _only_cache_entries(cache_dir)
    except OSError:
        return False


def _only_cache_entries(cache_dir: Path) -> bool:
    for entry in os.scandir(cache_dir):
        if not _CACHE_TOP_LEVEL.fullmatch(entry.name):
            return False
        if entry.name == "pages":
            if not entry.is_dir(follow_symlinks=False):
                return False
            for shard in os.scandir(entry.path):
                if not (
                    _CACHE_SHARD.fullmatch(shard.name)
                    and shard.is_dir(follow_symlinks=False)
                    and all(
                        _CACHE_ENTRY.fullmatch(e.name) and e.is_file(follow_symlinks=False)
                        for e in os.scandir(shard.path)
                    )
                ):
                    return False
        elif not entry.is_file(follow_symlinks=False):
            return False
    return True


def staging_folder(out_dir: Path) -> Path:
    """A new name for one build's staging folder: 12 random hex digits, which is also how
    recover_leftovers knows a leftover one (no person names a folder like that)."""
    return out_dir.parent / f".{out_dir.name}.staging-{os.urandom(6).hex()}"


def spare_path(cache_dir: Path, out_dir: Path) -> Path:
    """Where the cache folder keeps the last site replaced in `out_dir` (see swap_in)."""
    name = hashlib.blake2b(str(out_dir).encode(), digest_size=6).hexdigest()
    return cache_dir / "spare" / f"{out_dir.name}-{name}"


def recover_leftovers(out_dir: Path) -> None:
    """Undo what a killed build left beside the output folder (call with the lock held)."""
    old = old_site(out_dir)
    if old.is_dir() and not old.is_symlink():
        if not out_dir.exists():
            os.rename(old, out_dir)  # killed between the renames: the old site comes back
        else:
            shutil.rmtree(old)
    prefix = f".{out_dir.name}.staging-"
    for entry in os.scandir(out_dir.parent):
        if (
            entry.name.startswith(prefix)
            and _STAGING_SUFFIX.fullmatch(entry.name[len(prefix) :])
            and entry.is_dir(follow_symlinks=False)
        ):
            shutil.rmtree(entry.path)  # a killed build's staging folder, or its old site


def old_site(out_dir: Path) -> Path:
    """Where the rename dance (see output.swap_in) parks the old site for a moment."""
    return out_dir.parent / f".{out_dir.name}.old"


# -- swapping a new site in --------------------------------------------------------------------


def swap_in(staging: Path, out_dir: Path, spare: Path | None = None) -> bool:
    """Make `staging` the output folder. The old site, if any, is parked as the `spare` folder
    (the next build's staging folder: see output.OutputTree), else removed. True unless the old
    site was removed: its hard links to the new site's files went with it, and that changed
    their change times."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return True
    if _exchange(staging, out_dir):
        old = staging  # now the old site
    else:
        old = old_site(out_dir)
        os.rename(out_dir, old)
        os.rename(staging, out_dir)  # a kill just before this: the next build renames old back
    return keep_or_remove(old, spare)


def keep_or_remove(old: Path, spare: Path | None) -> bool:
    """Park a site as the spare; remove it where it cannot be parked (no cache folder, or one
    on another file system). True if it was parked."""
    if spare is not None:
        try:
            if spare.is_dir() and not spare.is_symlink() and is_output_folder(spare):
                shutil.rmtree(spare)
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, spare)
            return True
        except OSError:
            pass
    shutil.rmtree(old)
    return False


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


# -- taking turns ------------------------------------------------------------------------------

# (lock file, thread) -> [descriptor, depth]: re-entrant within a thread. Another thread opens
# the file again, and flock makes it wait like another process would.
_held: dict[tuple[Path, int], list] = {}
_held_guard = threading.Lock()


def lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build waits (and says so) until the first is done.

    Waiting, rather than stopping, lets the build started last publish the newest inputs: it
    reads them after the first build has swapped its site in (and often finds nothing to do).
    The lock file is removed on release; a build that opened it just before checks, once it holds
    the lock, that it is still the file at that path (else it would lock a removed file).
    """
    path = lock_path(out_dir)
    slot = (path, threading.get_ident())
    with _held_guard:
        held = _held.get(slot)
        if held is not None:
            held[1] += 1
    if held is None:
        descriptor = _acquire(path, out_dir)
        with _held_guard:
            held = _held[slot] = [descriptor, 1]
        try:
            recover_leftovers(out_dir)
        except OSError as exc:
            _release(slot, path)
            raise BuildError([write_error(out_dir.parent, exc, folder=True)]) from None
    try:
        yield
    finally:
        _release(slot, path)


def _release(slot: tuple[Path, int], path: Path) -> None:
    with _held_guard:
        held = _held[slot]
        held[1] -= 1
        if held[1]:
            return
        del _held[slot]
    try:
        path.unlink(missing_ok=True)  # while still locked: see output_lock
    finally:
        os.close(held[0])


def _acquire(path: Path, out_dir: Path) -> int:
    said = False
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise BuildError([write_error(path.parent, exc, folder=True)]) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not said:
                print(
                    f"Another build is writing {out_dir}; waiting for it to finish.",
                    file=sys.stderr,
                    flush=True,
                )
                said = True
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            if os.fstat(descriptor).st_ino == os.stat(path).st_ino:
                return descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)  # the holder removed this file as it finished: lock the new one


def write_error(path: Path, exc: OSError, folder: bool = False) -> SiteError:
    """A file system failure while writing the site, as one line naming the place: the file
    that failed, or with `folder` the folder `path` (a staging or lock file's random name
    would mean nothing to the user)."""
    place = f"in {path}" if folder else str(exc.filename or path)
    reason = exc.strerror or str(exc)
    if folder and exc.errno in (errno.EEXIST, errno.ENOTDIR):  # mkdir met a file on the way
        reason = "a file is in the way of that folder"
    return SiteError("--out", None, f"cannot write {place}: {reason}")
