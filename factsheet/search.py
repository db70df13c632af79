"""The search index: Pagefind, run over the built HTML, its bundle served at `/pagefind/`.

Pagefind's own binary comes with the `pagefind[bin]` package: nothing is downloaded. It reads
the `data-pagefind-body` element of each page (base.html marks <main>; the search page and the
404 page are left out) and writes a static bundle that the search page loads. The bundle finds
its base path itself from where it is served (`/REPO/pagefind/` -> results under `/REPO/`).

The command line's build indexes the staging folder before the swap, so the index always
matches the pages beside it; the dev server's folder is updated in place, so it is indexed
after the files are written, and only when a page changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import SiteError
from .output import LiveTree, OutputPaths, OutputTree

BUNDLE = "pagefind"  # the bundle's folder in the site, and the search page's asset paths
ORIGIN = "search index (Pagefind)"


def pagefind_executable() -> Path:
    """The binary shipped in the `pagefind_bin` wheel."""
    import pagefind_bin  # imported here: only a build that indexes needs it

    return pagefind_bin.get_executable()


def run_pagefind(site: Path, bundle: Path) -> str | None:
    """Index every HTML file under `site` into the folder `bundle`; a message if it failed."""
    try:
        executable = pagefind_executable()
    except (ImportError, FileNotFoundError) as exc:
        return f"Pagefind is not installed ({exc}): pip install 'pagefind[bin]'"
    command = [
        str(executable),
        "--site",
        str(site),
        "--output-path",
        str(bundle.resolve()),
        "--silent",
    ]
    # input="" rather than no stdin: Pagefind never reads it, and this needs no /dev/null.
    result = subprocess.run(command, input="", capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"Pagefind failed: {(result.stderr or result.stdout).strip()}"
    return None


def bundle_files(site: Path) -> list[str]:
    """The bundle's files, relative to the site, in a stable order."""
    folder = site / BUNDLE
    return sorted(path.relative_to(site).as_posix() for path in folder.rglob("*") if path.is_file())


def index_before_swap(tree: OutputPaths) -> list[SiteError]:
    """Index the staging folder once every page is on disk; claim the bundle's files (a page
    cannot be written over them) with the build's file times."""
    if not isinstance(tree, OutputTree):
        return []  # the dev server's LiveTree holds pages in memory: see index_after_write
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
    tree.flush()
    failure = run_pagefind(tree.staging, tree.staging / BUNDLE)
    if failure:
        return [SiteError(ORIGIN, None, failure)]
    for rel in bundle_files(tree.staging):
        path = tree.claim(rel, ORIGIN)
        if path is not None and tree.mtime is not None:
            os.utime(path, (tree.mtime, tree.mtime))
    return []


def index_after_write(tree: OutputPaths) -> str | None:
    """The dev server: index its folder again after a build that changed a page; a failure is
    reported but keeps the pages (the last index stays)."""
    if not isinstance(tree, LiveTree):
        return None
    if (
        not any(rel.endswith(".html") for rel in tree.changed)
        and (tree.out_dir / BUNDLE / "pagefind.js").is_file()
    ):
        return None
    # Pagefind adds to a bundle folder and never removes from it: index into a new folder
    # and swap it in, so that no result points to a page that is gone.
    fresh, old = tree.out_dir / f".{BUNDLE}.new", tree.out_dir / f".{BUNDLE}.old"
    for folder in (fresh, old):
        shutil.rmtree(folder, ignore_errors=True)
    failure = run_pagefind(tree.out_dir, fresh)
    if failure:
        return failure
    current = tree.out_dir / BUNDLE
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return None
