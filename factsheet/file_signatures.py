"""What identifies one version of a file (inode, size, modification and change times), and
whether the files a build recorded are still the very files it wrote: a hand edit changes
the change time, which no tool can set back."""

from __future__ import annotations

import os
import stat
from itertools import chain
from pathlib import Path


def files_intact(out_dir: Path, keys: dict[str, str], signatures: dict[str, str]) -> bool:
    """Whether every file a build recorded is still the very file it wrote: a file with a key
    has its signature after the key's "@" (see OutputTree.commit), the others in `signatures`."""
    keyed = ((rel, value.partition("@")[2]) for rel, value in keys.items())
    return all(
        file_signature(out_dir / rel) == sig for rel, sig in chain(keyed, signatures.items())
    )


def file_signature(path: Path | str) -> str:
    """What identifies one version of a file: inode, size, modification and change times."""
    try:
        info = os.lstat(path)
    except OSError:
        return "missing"
    return signature(info)


def signature(info: os.stat_result) -> str:
    if not stat.S_ISREG(info.st_mode):
        return "not a file"
    return f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
