"""Input files that are what they seem: regular files, inside the project.

Every reader of content/, data/ and static/ goes through here. A symbolic link may point
elsewhere in the project, but one that leads outside it is refused (a link to /etc/passwd in
static/ must not be published). A FIFO, device or socket is refused before it is opened:
opening a FIFO blocks until something writes to it, which can be never.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class UnsafeFileError(Exception):
    """A file the build refuses to read; the message says why, for `path: message`."""


def check_input(path: Path, within: Iterable[Path]) -> os.stat_result:
    """The file's status if it may be read: a regular file, or a link to one inside `within`
    (resolved folders). Raise UnsafeFileError otherwise, without opening anything."""
    try:
        info = os.lstat(path)
        outside = leads_outside(path, within)
        if outside is not None:
            raise UnsafeFileError(
                f"leads through a symbolic link to {outside}, outside the "
                "project; copy the file into the project instead"
            )
        if stat.S_ISLNK(info.st_mode):
            info = os.stat(path)
    except FileNotFoundError:
        raise UnsafeFileError("is a symbolic link to a file that does not exist") from None
    except OSError as exc:
        raise UnsafeFileError(f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise UnsafeFileError(f"is {kind}, not a regular file; the build does not read it")
    return info


def leads_outside(path: Path, within: Iterable[Path]) -> Path | None:
    """Where `path` really is, if symbolic links (the file, or a folder on the way) take it
    outside every folder in `within`; None when it stays inside."""
    target = Path(os.path.realpath(path))
    if target == path or any(target == folder or folder in target.parents for folder in within):
        return None
    return target


def read_input(path: Path, within: Iterable[Path]) -> bytes:
    """The bytes of an input file that passes `check_input`.

    It is opened without blocking and checked again once open, so a file swapped for a FIFO
    between the check and the open cannot hang the build either.
    """
    check_input(path, within)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise UnsafeFileError(f"cannot be read: {exc.strerror}") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnsafeFileError("is no longer a regular file; the build does not read it")
        return handle.read()
