"""The search index: Pagefind, run over the built HTML, its bundle served at `/pagefind/`.

Pagefind's own binary comes with the `pagefind[bin]` package: nothing is downloaded. It reads
the `data-pagefind-body` element of each page (base.html marks <main>; the search page and the
404 page are left out) and writes a static bundle that the search page loads. The bundle finds
its base path itself from where it is served (`/REPO/pagefind/` -> results under `/REPO/`).

A site without a search page (`search/`) gets no index: nothing could use it. Pagefind reads
every page again on each run (seconds for a thousand pages), so a build whose pages say what the
current index was made from (a template or style change) keeps that index. The command line's
build indexes the staging folder before the swap; the dev server's folder is updated in place,
so it is indexed after the pages are written, in the background, into a new folder swapped in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import SiteError
from .incremental import output_key
from .live_output import LiveOutput, LiveTree
from .output import OutputPaths, OutputTree

BUNDLE = "pagefind"  # the bundle's folder in the site
SEARCH_PAGE = "search/index.html"
ORIGIN = "search index (Pagefind)"


def index_before_swap(tree: OutputPaths) -> list[SiteError]:
    """The command line: index the staging folder once every page is on disk, or keep the
    current index; the bundle's files are claimed (no page may write over them)."""
    if SEARCH_PAGE not in tree.claimed:
        return []
    intruders = sorted(
        {origin for rel, origin in tree.claimed.items() if rel.startswith(f"{BUNDLE}/")}
    )
    if intruders:
        return [
            SiteError(
                origin,
                None,
                f"writes into /{BUNDLE}/, the search index's folder: give it another slug",
            )
            for origin in intruders
        ]
    if not isinstance(tree, OutputTree):
        return []  # the dev server holds its pages in memory until written: index_after_write
    tree.flush(keep=BUNDLE)  # the spare's bundle may be the one to keep
    key = indexed_text_key(tree.staging)
    current = bundle_files(tree.out_dir)
    if current and all(tree.unchanged(rel, key) for rel in current):
        for rel in current:
            tree.reuse(rel, key, ORIGIN)  # kept, like an unchanged page
        return []
    tree.remove_leftovers()  # Pagefind adds to a bundle folder: the spare's must go first
    failure = run_pagefind(tree.staging, tree.staging / BUNDLE)
    if failure:
        return [SiteError(ORIGIN, None, failure)]
    for rel in bundle_files(tree.staging):
        path = tree.claim(rel, ORIGIN)
        if path is not None:
            tree.remember(rel, key)
            if tree.mtime is not None:
                os.utime(path, (tree.mtime, tree.mtime))
    return []


def index_after_write(tree: OutputPaths) -> None:
    """The dev server: after the pages are written, index its folder in the background when
    what Pagefind reads changed, so that the reload never waits for it (on a thousand pages it
    takes seconds); the search catches up a moment later. One indexing at a time."""
    if not isinstance(tree, LiveTree) or SEARCH_PAGE not in tree.claimed:
        return
    live = tree.live
    # Saves come faster than Pagefind indexes: the reload never waits for an indexing under
    # way; one more runs after it, for all the saves made meanwhile.
    with live.search_lock:
        live.search_wanted = True
        if live.search_thread is None or not live.search_thread.is_alive():
            live.search_thread = threading.Thread(
                target=_index_while_wanted, args=(live,), daemon=True, name="search-index"
            )
            live.search_thread.start()


def _index_while_wanted(live: LiveOutput) -> None:
    while True:
        with live.search_lock:
            if not live.search_wanted:
                return  # a later save starts a new thread (checked under the same lock)
            live.search_wanted = False
        _index_live(live)


def _index_live(live: LiveOutput) -> None:
    key = indexed_text_key(live.out_dir)
    if key == live.search_key and (live.out_dir / BUNDLE).is_dir():
        return
    # Pagefind adds to a bundle folder and never removes from it: index into a new folder
    # and swap it in, so that no result points to a page that is gone.
    fresh, old = live.out_dir / f".{BUNDLE}.new", live.out_dir / f".{BUNDLE}.old"
    for folder in (fresh, old):
        shutil.rmtree(folder, ignore_errors=True)
    failure = run_pagefind(live.out_dir, fresh)
    if failure:
        print(f"search index: {failure}", file=sys.stderr)  # the last index stays
        return
    if (live.out_dir / BUNDLE).exists():
        (live.out_dir / BUNDLE).rename(old)
    fresh.rename(live.out_dir / BUNDLE)
    shutil.rmtree(old, ignore_errors=True)
    live.search_key = key


def run_pagefind(site: Path, bundle: Path) -> str | None:
    """Index every HTML file under `site` into the folder `bundle`; a message if it failed."""
    try:
        import pagefind_bin  # imported here: only a site with a search page needs it

        executable = pagefind_bin.get_executable()
    except (ImportError, FileNotFoundError) as exc:
        return f"Pagefind is not installed ({exc}): pip install 'pagefind[bin]'"
    with tempfile.TemporaryDirectory(prefix=".pagefind-input-", dir=site) as pages:
        in_order(site, Path(pages))
        command = [
            str(executable),
            "--site",
            pages,
            "--output-path",
            str(bundle.resolve()),
            "--silent",
        ]
        # input="" rather than no stdin: Pagefind never reads it, and this needs no /dev/null.
        result = subprocess.run(command, input="", capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"Pagefind failed: {(result.stderr or result.stdout).strip()}"
    return None


def in_order(site: Path, pages: Path) -> None:
    """Every HTML file Pagefind reads (html_files) linked into `pages`, one after the other.
    Pagefind numbers pages in the order it walks them, and a folder lists its files in the
    order they were made on tmpfs and btrfs (an incremental build makes them in another order
    than a clean one): so that the same pages give the same index, they are made again here
    in one order. (ext4 lists in hash order, the same either way.) Symbolic links, which
    Pagefind follows: a hard link would change each page's change time, by which the next
    build knows the file is still the one it wrote."""
    for path in html_files(site):
        target = pages / path.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path)


def html_files(site: Path) -> Iterator[Path]:
    """Every HTML file under `site` that Pagefind reads, in a stable order: not the bundle's,
    nor any in a hidden folder (where indexing keeps its temporary files)."""
    for folder, subfolders, names in os.walk(site):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".") and not (name == BUNDLE and Path(folder) == site)
        )
        for name in sorted(names):
            if name.endswith(".html"):
                yield Path(folder, name)


def bundle_files(site: Path) -> list[str]:
    """The bundle's files, relative to the site, in a stable order."""
    folder = site / BUNDLE
    if not folder.is_dir():
        return []
    return sorted(path.relative_to(site).as_posix() for path in folder.rglob("*") if path.is_file())


def indexed_text_key(site: Path) -> str:
    """A hash of what Pagefind reads: each indexed page's <html> tag (its language) and its
    `data-pagefind-body` element, and Pagefind's version. Once any page has that element,
    pages without it (404, the search page) are not indexed; if none has, every page is."""
    pages: list[tuple[str, str | None, str]] = []  # (path, hash of its marked element or
    # None, hash of the whole file): hashes, so that a thousand pages are not held in memory
    for path in html_files(site):
        text = path.read_text(encoding="utf-8", errors="replace")
        marked = _marked_part(text)
        pages.append(
            (
                path.relative_to(site).as_posix(),
                None if marked is None else output_key(marked),
                output_key(text),
            )
        )
    any_marked = any(marked is not None for _, marked, _ in pages)
    return output_key(
        _pagefind_version(),
        *(f"{rel}\0{(marked or '') if any_marked else text}" for rel, marked, text in pages),
    )


def _marked_part(html: str) -> str | None:
    marker = html.find("data-pagefind-body")
    if marker < 0:
        return None
    html_tag = html[html.find("<html") : html.find(">", html.find("<html")) + 1]
    end = html.find("</main>", marker)
    return html_tag + html[html.rfind("<", 0, marker) : end if end >= 0 else len(html)]


def _pagefind_version() -> str:
    from importlib import metadata  # 20 ms of imports: only when a search page is indexed

    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"
