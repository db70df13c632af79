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
MANIFEST = "last-build-{}.json"  # one record per output folder: `check` builds elsewhere
PAGE_INDEX = "pages.pickle"
SUMMARY_INDEX = "summaries.pickle"


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
    settings = (code_version(), config.base_path, config.site_url, config.strict, config.drafts,
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


def folder_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under a folder."""
    hasher = hashlib.blake2b(digest_size=16)
    _hash_tree(hasher, folder)
    return hasher.hexdigest()


def _page_index_version(config: Config) -> tuple[str, ...]:
    return (code_version(), str(config.content_dir), str(config.root), os.getcwd())


class RenderCache:
    """Rendered pages on disk, one file per cache key, plus an index of their summaries.

    A build holds only the small summary of every page in memory (read from one index file) and
    reads each page's full rendering back when it writes that page.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def key(self, page: Page, context: str) -> str:
        text = "\0".join((page.digest, page.rel, page.shown, context))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / "pages" / key[:2] / f"{key}.pickle"

    def load(self, key: str) -> RenderedPage | None:
        try:
            with self._path(key).open("rb") as handle:
                rendered = pickle.load(handle)  # noqa: S301 - our own cache, written by this code
        except Exception:  # a missing or unreadable entry is a cache miss, nothing worse
            return None
        return rendered if isinstance(rendered, RenderedPage) else None

    def store(self, key: str, rendered: RenderedPage) -> PageSummary:
        """Save a rendered page and return its summary."""
        rendered = replace(rendered, key=key)
        try:
            self._path(key).parent.mkdir(parents=True, exist_ok=True)
            self._write(self._path(key), pickle.dumps(rendered, pickle.HIGHEST_PROTOCOL))
        except OSError:
            return rendered.summary(keep=True)  # a read-only cache costs speed and memory only
        return rendered.summary()

    def rendered(self, summary: PageSummary) -> RenderedPage:
        """Everything rendered for a page, HTML included."""
        if summary.page is not None:
            return summary.page
        rendered = self.load(summary.key)
        if rendered is None:
            raise OSError(f"the render cache lost entry {summary.key} during the build")
        return rendered

    def load_summaries(self) -> dict[str, PageSummary]:
        """The summaries of the last build's pages by cache key (one file, not one per page)."""
        return self._load(SUMMARY_INDEX, code_version())

    def save_summaries(self, summaries: dict[str, PageSummary]) -> None:
        self._dump(SUMMARY_INDEX, (code_version(), summaries))

    def _load(self, name: str, version: object) -> dict:
        """An index saved by `_dump` with this version; empty if missing, unreadable or stale."""
        try:
            with (self.folder / name).open("rb") as handle:
                saved, index = pickle.load(handle)  # noqa: S301 - our own cache
        except Exception:  # missing or unreadable: the build reads and renders what it needs
            return {}
        return index if saved == version else {}

    def _dump(self, name: str, value: object) -> None:
        """Pickle straight to a temporary file (no copy of 10,000 pages' worth of bytes in
        memory), then rename it into place."""
        target = self.folder / name
        temporary = target.with_name(f"{name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                pickle.dump(value, handle, pickle.HIGHEST_PROTOCOL)
            temporary.replace(target)
        except OSError:
            temporary.unlink(missing_ok=True)

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

    # -- pages already read ---------------------------------------------------------------------

    def load_page_index(self, config: Config) -> dict:
        """The pages the last build read, by path with their file signature (see load_pages).

        Valid only for the same code, content folder and places paths are shown relative to.
        """
        return self._load(PAGE_INDEX, _page_index_version(config))

    def save_page_index(self, config: Config, memo: dict) -> None:
        self._dump(PAGE_INDEX, (_page_index_version(config), memo))

    # -- the last build -------------------------------------------------------------------------

    def _manifest(self, out_dir: Path) -> Path:
        name = hashlib.blake2b(str(out_dir).encode(), digest_size=6).hexdigest()
        return self.folder / MANIFEST.format(name)

    def up_to_date(self, inputs: str, out_dir: Path) -> bool:
        """True when the last build of out_dir read exactly these inputs and its files remain."""
        try:
            record = json.loads(self._manifest(out_dir).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if record.get("inputs") != inputs or record.get("out_dir") != str(out_dir):
            return False
        return all((out_dir / rel).is_file() for rel in record.get("files", []))

    def last_warnings(self, out_dir: Path) -> tuple[SiteError, ...]:
        record = json.loads(self._manifest(out_dir).read_text(encoding="utf-8"))
        return tuple(SiteError(w[0], w[1], w[2], warning=True) for w in record["warnings"])

    def page_keys(self, out_dir: Path) -> dict[str, str]:
        """The input keys of the page files the last build wrote to out_dir."""
        try:
            return json.loads(self._manifest(out_dir).read_text(encoding="utf-8"))["keys"]
        except (OSError, ValueError, KeyError):
            return {}

    def record_build(self, inputs: str, out_dir: Path, files: list[str],
                     warnings: list[SiteError], keys: dict[str, str]) -> None:
        record = {"inputs": inputs, "out_dir": str(out_dir), "files": sorted(files),
                  "warnings": [[w.path, w.line, w.message] for w in warnings],
                  "keys": dict(sorted(keys.items()))}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(self._manifest(out_dir), json.dumps(record).encode())
            for other in self.folder.glob(MANIFEST.format("*")):  # folders since removed
                if not Path(json.loads(other.read_text(encoding="utf-8"))["out_dir"]).exists():
                    other.unlink()
        except (OSError, ValueError, KeyError):
            pass
