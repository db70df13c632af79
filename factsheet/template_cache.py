"""Jinja's compiled templates kept across builds, through Jinja's own BytecodeCache (each entry
is checked against its template's source before use). Jinja is imported only when a build
renders: a build with nothing changed never loads it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def memory_bytecode_cache():
    """For the dev server, whose process restarts on any change to the generator's code."""
    from jinja2 import BytecodeCache

    class MemoryBytecodeCache(BytecodeCache):
        def __init__(self):
            self.entries: dict[str, bytes] = {}

        def load_bytecode(self, bucket) -> None:
            code = self.entries.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket) -> None:
            self.entries[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()


def folder_bytecode_cache(parent: Path, version: str):
    """For the command line: `parent/<version>/`, one folder per version of the generator's
    code, since Jinja's key does not cover the environment's options. Folders of other
    versions (named like ours) are removed. Raises OSError where the folder cannot be made."""
    from jinja2 import FileSystemBytecodeCache

    folder = parent / version
    folder.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(parent):
        if entry.name != version and len(entry.name) == len(version):
            shutil.rmtree(entry.path, ignore_errors=True)
    return FileSystemBytecodeCache(str(folder))
