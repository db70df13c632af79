"""The one seam for incremental work: every key that decides reuse, and everything a build
remembers for the next one.

The pipeline asks a `Store` the same questions, whatever runs it:
- `scan(config)`: what does the build read, by content? (A file is hashed again only when its
  stat changed, or changed so recently that a same-size edit within the clock's tick could
  hide.) One fingerprint of it all, with the settings and the generator's own code.
- `unchanged(...)`: did the last build of this output read exactly that? Then nothing to do.
- `page(...)`/`summary(...)`: is a page's source, or its rendered Markdown, reusable? A render
  is reusable when its own key matches and every fact, source, group and page it used (see
  dependencies.py) still has the digest it had.
- `output_keys(...)`, `spare_folder(...)`: the inputs of each output file, the parked old site.

`DiskStore` (the command line) keeps all of it in the cache folder, so the next process starts
warm; `MemoryStore` (the dev server) keeps the same records in memory across builds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from .cache_files import read_index, write_atomically, write_index
from .config import Config
from .errors import SiteError
from .file_signatures import files_intact
from .git_head import NO_GIT, git_head
from .owned_folders import spare_path
from .template_cache import folder_bytecode_cache, memory_bytecode_cache

if TYPE_CHECKING:  # the render and history modules load Markdown, charts and the data model:
    # a build with nothing changed must not pay for them (see `rendered` and `history`)
    from .history import FactHistory
    from .pages import Page
    from .render import PageSummary, RenderedPage

PACKAGE_DIR = Path(__file__).resolve().parent
# A file whose status changed this recently is hashed even when its stat looks the same: the
# file system's clock ticks in milliseconds, and a second same-size save within one tick would
# leave the stat unchanged (git calls this "racily clean").
RACY_SECONDS = 2.0
# Config fields that cannot change a byte of the output: where the cache is, how many worker
# processes convert Markdown. The output folder names the build record instead.
NOT_OUTPUT_SETTINGS = frozenset({"cache_dir", "jobs", "out_dir"})
MARKER = "CACHEDIR.TAG"  # marks the folder as this build's cache (the Cache Directory Tagging
MARKER_TEXT = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"  # specification's signature)
    b"# The Far Side build cache: safe to delete; rebuilt on the next build.\n"
)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the generator's own source: a code change invalidates everything cached."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        hasher.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def output_settings(config: Config) -> str:
    """Every Config field that can change the output, and SOURCE_DATE_EPOCH (file times)."""
    settings = [
        (f.name, str(getattr(config, f.name)))
        for f in dataclasses.fields(config)
        if f.name not in NOT_OUTPUT_SETTINGS
    ]
    settings.append(("SOURCE_DATE_EPOCH", os.environ.get("SOURCE_DATE_EPOCH", "")))
    return repr(settings)


def input_folders(config: Config) -> list[Path]:
    folders = [config.content_dir, config.templates_dir, config.static_dir]
    if config.content_dir not in config.data_dir.parents and config.data_dir != config.content_dir:
        folders.append(config.data_dir)
    return folders


@dataclass(frozen=True)
class Inputs:
    """Every file a build reads, by content, and one fingerprint of them and the settings."""

    files: dict[Path, str]  # path -> hash of its bytes
    fingerprint: str
    head: str = NO_GIT  # the data folder's git commit: fact history is read from it

    def digest_of(self, path: Path) -> str | None:
        return self.files.get(path)

    def folder_digest(self, folder: Path) -> str:
        """A hash of the paths and contents of the files under one input folder."""
        inside = os.path.join(folder, "")  # a string prefix: Path.parents is slow per file
        return digest(
            *(
                f"{path.relative_to(folder).as_posix()}={value}"
                for path, value in self.files.items()
                if str(path).startswith(inside)
            )
        )


class Store:
    """The records a build keeps for the next one. This class keeps them in memory (the dev
    server); DiskStore loads them from and saves them to the cache folder."""

    def __init__(self) -> None:
        self.stats: dict[Path, tuple[tuple[int, ...], str]] = {}  # path -> (stat, digest)
        self.pages: dict[Path, tuple[str, Page]] = {}  # path -> (digest of its bytes, page)
        self.summaries: dict[str, PageSummary] = {}  # page rel -> its last rendering
        self.builds: dict[str, dict] = {}  # output folder -> record of its last build
        self.histories: dict[str, tuple[str, FactHistory]] = {}  # data folder -> (head, history)
        self.bytecode = None  # Jinja's compiled templates (template_cache)
        self.warnings: dict[str, tuple[SiteError, ...]] = {}  # output folder -> its warnings
        self.recorded = False  # whether this build recorded one (else `builds` is as loaded)

    # -- inputs ---------------------------------------------------------------------------------

    def scan(self, config: Config) -> Inputs:
        files: dict[Path, str] = {}
        racy = time.time_ns() - int(RACY_SECONDS * 1e9)
        stats = self._index("stats")
        for folder in input_folders(config):
            for path in _files_under(folder):
                try:
                    stat = path.stat()
                except OSError:  # a broken link: reading the inputs reports it
                    files[path] = "unreadable"
                    continue
                if not S_ISREG(stat.st_mode):  # a FIFO, say: never opened (see safe_files)
                    files[path] = f"not a regular file {stat.st_mode:o}"
                    continue
                signature = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
                known = stats.get(path)
                if known is not None and known[0] == signature and stat.st_ctime_ns < racy:
                    files[path] = known[1]
                else:
                    files[path] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
                    stats[path] = (signature, files[path])
        for gone in set(stats) - set(files):
            del stats[gone]
        # A commit changes the fact history (and so the output) even when no file changed.
        head = git_head(config.data_dir)
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(f"{code_version()}\0{output_settings(config)}\0{head}\0".encode())
        for path, value in files.items():
            hasher.update(f"{path}\0{value}\0".encode())
        return Inputs(files, hasher.hexdigest(), head)

    # -- fact history --------------------------------------------------------------------------

    def history(self, data_dir: Path, head: str, read) -> FactHistory:
        """The data folder's fact history at this commit: read once per commit (`read(folder)`
        runs git), kept across builds."""
        from .history import FactHistory

        if head == NO_GIT:  # not in a repository (a tarball): nothing to run or keep
            return FactHistory(False, reason="the data folder is not in a git repository")
        histories = self._index("histories")
        known = histories.get(str(data_dir))
        if known is None or known[0] != head:
            known = histories[str(data_dir)] = (head, read(data_dir))
        return known[1]

    # -- pages read ----------------------------------------------------------------------------

    def page(self, path: Path, file_digest: str | None) -> Page | None:
        """The page read from this file last time, if its bytes are the same."""
        known = self._index("pages").get(path)
        return known[1] if known is not None and known[0] == file_digest else None

    def keep_pages(self, pages: Iterable[Page]) -> None:
        index = self._index("pages")
        index.clear()
        index.update((page.path, (page.digest, page)) for page in pages)

    # -- rendered Markdown ---------------------------------------------------------------------

    def summary(self, rel: str, key: str, uses_digest) -> PageSummary | None:
        """The last rendering of a page, if made from the same key and everything it used
        (`uses_digest(names)` gives their digest now) is unchanged."""
        summary = self._index("summaries").get(rel)
        if summary is None or summary.render_key != key:
            return None
        return summary if uses_digest(summary.uses) == summary.uses_digest else None

    def keep_rendered(self, rendered: RenderedPage) -> PageSummary:
        """Keep a page's rendering (called where it was rendered, perhaps in a worker process);
        the returned summary goes back to the build."""
        return rendered.summary(keep=True)

    def keep_summaries(self, summaries: dict[str, PageSummary]) -> None:
        index = self._index("summaries")
        index.clear()
        index.update(summaries)

    def rendered(self, summary: PageSummary) -> RenderedPage:
        """Everything rendered for a page, HTML included; LookupError if the store lost it."""
        if summary.page is None:
            raise LookupError(summary.key)
        return summary.page

    # -- builds --------------------------------------------------------------------------------

    def unchanged(self, inputs: Inputs, out_dir: Path) -> tuple[SiteError, ...] | None:
        """The last build's warnings if it read exactly these inputs and its files remain."""
        record = self._index("builds").get(str(out_dir))
        if record is None or record["inputs"] != inputs.fingerprint:
            return None
        signatures = record.get("signatures")  # a hand-edited output file is not up to date
        if signatures is not None:
            if not files_intact(out_dir, record["keys"], signatures):
                return None
        elif not all((out_dir / rel).is_file() for rel in record["files"]):
            return None
        return self._index("warnings").get(str(out_dir))  # None if the cache lost them

    def output_keys(self, out_dir: Path) -> dict[str, str]:
        """The input keys of the files the last build wrote to out_dir."""
        record = self._index("builds").get(str(out_dir))
        return dict(record["keys"]) if record else {}

    def spare_folder(self, out_dir: Path) -> Path | None:
        """Where a build parks the site it replaced (output.OutputTree): none for `serve`."""
        return None

    def record_build(
        self,
        inputs: Inputs,
        out_dir: Path,
        files: Iterable[str],
        warnings: Iterable[SiteError],
        keys: dict[str, str],
        signatures: dict[str, str] | None = None,
    ) -> None:
        builds, kept_warnings = self._index("builds"), self._index("warnings")
        self.recorded = True
        # The tree's own keys, not a copy: it is done with them. Signatures of the files with
        # no key only (a key holds its file's): a third of the record.
        unkeyed = {rel: sig for rel, sig in (signatures or {}).items() if rel not in keys}
        builds[str(out_dir)] = {
            "inputs": inputs.fingerprint,
            "files": [] if signatures else sorted(files),  # the signatures name them too
            "keys": keys,
            "signatures": unkeyed if signatures else None,
        }
        # Apart: only a build with nothing to do reads them, every other build the keys.
        kept_warnings[str(out_dir)] = tuple(warnings)
        for other in [name for name in builds if not Path(name).exists()]:
            del builds[other]  # folders since removed (check's scratch folders)
            kept_warnings.pop(other, None)
            spare = self.spare_folder(Path(other))
            if spare is not None:
                shutil.rmtree(spare, ignore_errors=True)

    def save(self) -> None:
        """Make what was kept last beyond this process (nothing to do in memory)."""

    def save_summaries(self) -> None:
        """Save the pages' summaries now and let go of them (nothing to do in memory): the
        rest of the build needs only part of each (PageSummary.for_writing)."""

    # -- compiled templates --------------------------------------------------------------------

    def template_cache(self):
        """Jinja's compiled templates, kept across builds (Jinja's own BytecodeCache mechanism:
        each entry is checked against its template's source). In memory for `serve`, whose
        process restarts on any code change."""
        if self.bytecode is None:
            self.bytecode = memory_bytecode_cache()
        return self.bytecode

    def _index(self, name: str) -> dict:
        return getattr(self, name)


MemoryStore = Store


class DiskStore(Store):
    """The same records in the cache folder: one pickled index each, loaded when first needed
    and saved at the end of a build, and one file per rendered page, written by the process
    that rendered it, so a build holds only small summaries in memory (10,000 pages fit in
    150 MB)."""

    INDEXES = ("stats", "pages", "summaries", "builds", "warnings", "histories")
    UNSHARED_INDEXES = ("builds", "warnings")  # few values of 10,000s of parts: write_index

    def __init__(self, folder: Path, config: Config):
        super().__init__()
        self.folder = folder
        # Pages and stats are only valid for the same code and the same places paths are shown
        # relative to (error messages name them).
        self.version = (code_version(), str(config.root), os.getcwd())
        self.loaded: set[str] = set()

    def _index(self, name: str) -> dict:
        if name not in self.loaded:
            self.loaded.add(name)
            setattr(self, name, self._load(name))
        return getattr(self, name)

    def _load(self, name: str) -> dict:
        return read_index(self.folder / f"{name}.pickle", self.version)

    def save(self, names: Iterable[str] | None = None) -> None:  # the loaded ones, or these
        if names is None:
            names = self.loaded - (set() if self.recorded else {"builds", "warnings"})
        if not names:
            return
        try:
            self._claim_folder()
        except OSError:
            return  # a read-only cache costs speed only
        for name in sorted(names):
            shared = name not in self.UNSHARED_INDEXES
            write_index(self.folder / f"{name}.pickle", self.version, getattr(self, name), shared)
        if "summaries" in names:  # else this build knows nothing of what is still used
            self._prune()

    def save_summaries(self) -> None:
        if "summaries" in self.loaded:
            self.save(["summaries"])
            self.loaded.discard("summaries")
            self.summaries = {}

    def spare_folder(self, out_dir: Path) -> Path | None:
        try:
            self._claim_folder()
        except OSError:
            return None  # a read-only cache: the old site is removed, as without a spare
        return spare_path(self.folder, out_dir)

    def template_cache(self):
        """Compiled templates in `templates/<code version>/` of the cache folder, where the
        folder is ours; else in memory, for this build."""
        if self.bytecode is None:
            try:
                self._claim_folder()
                self.bytecode = folder_bytecode_cache(self.folder / "templates", self.version[0])
            except OSError:
                return super().template_cache()
        return self.bytecode

    def keep_rendered(self, rendered: RenderedPage) -> PageSummary:
        try:
            self._claim_folder()
            path = self._entry(rendered.key)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, pickle.dumps(rendered, pickle.HIGHEST_PROTOCOL))
        except OSError:
            return rendered.summary(keep=True)  # unwritable: kept in memory instead
        return rendered.summary()

    def rendered(self, summary: PageSummary) -> RenderedPage:
        if summary.page is not None:
            return summary.page
        try:
            with self._entry(summary.key).open("rb") as handle:
                rendered = pickle.load(handle)  # noqa: S301 - our own cache
        except Exception as exc:  # deleted or damaged since: the caller renders it again
            raise LookupError(summary.key) from exc
        from .render import RenderedPage

        if not isinstance(rendered, RenderedPage) or rendered.key != summary.key:
            raise LookupError(summary.key)
        return rendered

    def _entry(self, key: str) -> Path:
        return self.folder / "pages" / key[:2] / f"{key}.pickle"

    def _claim_folder(self) -> None:
        """Create the cache folder, or make sure an existing one is ours (see _prune)."""
        marker = self.folder / MARKER
        if marker.is_file():
            return
        if self.folder.exists() and any(self.folder.iterdir()):
            raise OSError(f"{self.folder} is not a Far Side cache")
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(marker, MARKER_TEXT)

    def _prune(self) -> None:
        """Delete rendered pages no page uses any more, so the cache does not grow without
        bound. Only in a folder that carries our marker, and only files named like our
        entries: the cache never deletes anything it did not write."""
        pages = self.folder / "pages"
        if not (self.folder / MARKER).is_file() or not pages.is_dir():
            return
        keep = {summary.key for summary in self.summaries.values()}
        for shard in os.scandir(pages):
            if not shard.is_dir(follow_symlinks=False) or len(shard.name) != 2:
                continue
            for entry in os.scandir(shard.path):
                stem, _, suffix = entry.name.partition(".")
                if (
                    suffix == "pickle"
                    and len(stem) == 32
                    and stem not in keep
                    and entry.is_file(follow_symlinks=False)
                ):
                    os.unlink(entry.path)


def _files_under(folder: Path) -> list[Path]:
    """Every file under a folder in a stable order (hidden files included: they are copied)."""
    found = []
    for parent, subfolders, names in os.walk(folder):  # nothing if it is not a folder
        subfolders.sort()
        found += [Path(parent, name) for name in sorted(names)]
    return [path for path in found if not path.is_dir()]  # FIFOs too: their arrival counts


def page_key(page: Page, base: str) -> str:
    """What a page's Markdown output depends on besides the facts and pages it uses: its own
    bytes, where it is, and the build-wide part (`render_base`)."""
    return digest(page.digest, page.rel, page.shown, page.url_path, base)


def render_base(config: Config) -> str:
    """What every page's Markdown output depends on besides its own text and what it looks up:
    the generator's code and the base path of every URL."""
    return digest(code_version(), config.base_path)


def entry_key(render_key: str, uses_digest: str) -> str:
    """The identity of one rendering: its key and what everything it used was."""
    return digest(render_key, uses_digest)


def output_key(*parts: str) -> str:
    return digest(*parts)
