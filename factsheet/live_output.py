"""The dev server's output folder: updated in place, file by file, only where bytes changed,
once a whole build has succeeded."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from .output import OutputPaths
from .owned_folders import OUTPUT_MARKER, OUTPUT_MARKER_TEXT


class LiveOutput:
    """The folder `serve` serves: updated in place, file by file, only where bytes changed.

    It lives across builds. A page whose inputs have the same key as last time is not even
    rendered (`reuse`); everything else is rendered into memory first, and nothing is written
    until the whole build has succeeded, so a failed build never changes what is served.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.digests: dict[str, str] = {}  # every file served -> hash of its bytes
        self.copied: dict[str, tuple] = {}  # copied files served -> their source's signature
        # The search index is made after each write, off the reload's path (search.py): what
        # it was made from, and the indexing under way.
        self.search_key: str | None = None
        self.search_thread: threading.Thread | None = None
        self.search_wanted = False  # a save since the indexing under way began
        self.search_lock = threading.Lock()
        out_dir.mkdir(parents=True, exist_ok=True)

    def begin(self, previous: dict[str, str], spare: Path | None = None) -> LiveTree:
        """A view for one build; a spare folder has no use here: files change in place."""
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
        self.copied: dict[str, tuple] = {}  # copies held, by what their source was
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
        """A static file or a picture: read only when its source changed since it was served
        (the pictures are megabytes, read and hashed on every save otherwise)."""
        if self.claim(rel, origin) is None:
            return
        info = source.stat()
        signature = (str(source), info.st_size, info.st_mtime_ns, info.st_ino)
        if self.live.copied.get(rel) == signature and (self.out_dir / rel).is_file():
            return
        self.held[rel] = source.read_bytes()
        self.copied[rel] = signature

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
        self.live.copied.update(self.copied)
        for rel in sorted(set(self.live.digests) - set(self.claimed)):
            (self.out_dir / rel).unlink(missing_ok=True)
            del self.live.digests[rel]
            self.live.copied.pop(rel, None)
            self.changed.append(rel)

    def discard(self) -> None:
        self.held.clear()
