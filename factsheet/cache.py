"""What makes rebuilds cheap: rendered Markdown cached by content hash, and a record of the
last build so that a build with nothing changed does nothing.

A page's cache key covers everything its Markdown output depends on: its own bytes, the data
(facts can appear in any page), the map of page URLs (links), the base path and the generator's
code. Templates are not in the key, so a template change re-renders templates only.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .config import Config
from .errors import SiteError
from .pages import Page
from .render import PageSummary, RenderedPage

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = "last-build.json"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the generator's own source: a code change invalidates every cached page."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def _hash_tree(hasher, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hasher.update(path.relative_to(folder).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())


def fingerprint_inputs(config: Config) -> str:
    """One hash of everything a build reads, and of the settings it was built with."""
    hasher = hashlib.blake2b(digest_size=16)
    settings = (code_version(), config.base_path, config.site_url, config.strict,
                str(config.content_dir), str(config.data_dir),
                os.environ.get("SOURCE_DATE_EPOCH", ""))
    hasher.update(repr(settings).encode())
    folders = [config.content_dir, config.templates_dir, config.static_dir]
    if config.content_dir not in config.data_dir.parents:
        folders.append(config.data_dir)
    for folder in folders:
        hasher.update(b"\x01" + str(folder).encode())
        _hash_tree(hasher, folder)
    return hasher.hexdigest()


def data_digest(config: Config) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    _hash_tree(hasher, config.data_dir)
    return hasher.hexdigest()


class RenderCache:
    """Rendered pages on disk: `<key>.meta` (everything but the HTML) and `<key>.html`.

    The HTML is kept apart so that a build holds only the small metadata of every page in
    memory and reads each page's HTML back when it writes that page.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def key(self, page: Page, context: str) -> str:
        text = "\0".join((page.digest, page.rel, page.shown, context))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def _path(self, key: str, suffix: str) -> Path:
        return self.folder / "pages" / key[:2] / f"{key}{suffix}"

    def load(self, key: str) -> RenderedPage | None:
        try:
            with self._path(key, ".meta").open("rb") as handle:
                meta = pickle.load(handle)  # noqa: S301 - our own cache, written by this code
        except Exception:  # a missing or unreadable entry is a cache miss, nothing worse
            return None
        return meta if isinstance(meta, RenderedPage) else None

    def store(self, key: str, rendered: RenderedPage) -> PageSummary:
        """Save a rendered page and return its summary."""
        rendered = replace(rendered, key=key)
        meta = replace(rendered, html="")
        try:
            self._path(key, "").parent.mkdir(parents=True, exist_ok=True)
            self._write(self._path(key, ".html"), rendered.html.encode("utf-8"))
            self._write(self._path(key, ".meta"), pickle.dumps(meta, pickle.HIGHEST_PROTOCOL))
        except OSError:
            return rendered.summary(keep=True)  # a read-only cache costs speed and memory only
        return meta.summary()

    def rendered(self, summary: PageSummary) -> RenderedPage:
        """Everything rendered for a page, HTML included."""
        if summary.page is not None:
            return summary.page
        meta = self.load(summary.key)
        if meta is None:
            raise OSError(f"the render cache lost entry {summary.key} during the build")
        return replace(meta, html=self._path(summary.key, ".html").read_text(encoding="utf-8"))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)

    def prune(self, keep: set[str]) -> None:
        """Delete entries no page uses any more, so the cache does not grow without bound."""
        pages = self.folder / "pages"
        if not pages.is_dir():
            return
        for shard in os.scandir(pages):
            for entry in os.scandir(shard.path):
                if entry.name.split(".", 1)[0] not in keep:
                    os.unlink(entry.path)

    # -- the last build -------------------------------------------------------------------------

    def up_to_date(self, inputs: str, out_dir: Path) -> bool:
        """True when the last build of out_dir read exactly these inputs and its files remain."""
        try:
            record = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if record.get("inputs") != inputs or record.get("out_dir") != str(out_dir):
            return False
        return all((out_dir / rel).is_file() for rel in record.get("files", []))

    def last_warnings(self) -> tuple[SiteError, ...]:
        record = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        return tuple(SiteError(w[0], w[1], w[2], warning=True) for w in record["warnings"])

    def record_build(self, inputs: str, out_dir: Path, files: list[str],
                     warnings: list[SiteError]) -> None:
        record = {"inputs": inputs, "out_dir": str(out_dir), "files": sorted(files),
                  "warnings": [[w.path, w.line, w.message] for w in warnings]}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(self.folder / MANIFEST, json.dumps(record).encode())
        except OSError:
            pass
