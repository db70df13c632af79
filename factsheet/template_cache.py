"""Jinja's compiled templates kept across builds, through Jinja's own BytecodeCache (each entry
is checked against its template's source before use). Jinja is imported only when a build
renders: a build with nothing changed never loads it.

Within one process, a template compiled for one folder serves another folder's copy of it too
(same name and source: `check` builds a scratch site beside the real one, the tests build
hundreds of small sites from the same templates). Compiling is most of a small site's build;
only the file name the code reports in tracebacks differs, and it is set to the copy's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import CodeType

# (template name, checksum of its source) -> its compiled code, for any folder. Every
# environment that uses these caches is made by templates.make_environment, with one set of
# options, which is what the code depends on besides the source.
_compiled: dict[tuple[str, str], CodeType] = {}


def _sharing(base: type) -> type:
    """A BytecodeCache class that also looks up and fills this process's `_compiled`."""

    class Sharing(base):  # type: ignore[misc, valid-type]
        def get_bucket(self, environment, name, filename, source):
            bucket = super().get_bucket(environment, name, filename, source)
            bucket.template_name = name  # for set_bucket, which is told only the bucket
            if bucket.code is None:
                known = _compiled.get((name, bucket.checksum))
                if known is not None:
                    bucket.code = _refiled(known, filename or "<template>")
                    self.set_bucket(bucket)
            else:
                _compiled.setdefault((name, bucket.checksum), bucket.code)
            return bucket

        def set_bucket(self, bucket) -> None:
            super().set_bucket(bucket)
            _compiled.setdefault((bucket.template_name, bucket.checksum), bucket.code)

    return Sharing


def _refiled(code: CodeType, filename: str) -> CodeType:
    """The same code, reporting `filename` (the functions inside it too)."""
    consts = tuple(
        _refiled(const, filename) if isinstance(const, CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def memory_bytecode_cache():
    """For the dev server, whose process restarts on any change to the generator's code."""
    from jinja2 import BytecodeCache

    class MemoryBytecodeCache(_sharing(BytecodeCache)):
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
    return _sharing(FileSystemBytecodeCache)(str(folder))
