"""The one URL model of the built site: which file GitHub Pages sends for a request, with what
status. The dev server answers with it, `check` resolves links with it and the tests ask it
where a URL lands, so all three agree with the host by construction.

GitHub Pages, for a project site mounted at a base path such as /REPO/:
- `/REPO/dir/` sends `dir/index.html`; `/REPO/dir` (a folder) is a 301 to `/REPO/dir/`;
- `/REPO/about` sends `about.html` when there is no `about` (pretty URLs);
- anything else is a 404 that sends the site's own `404.html` when there is one;
- no folder listings, nothing outside the site (no `..`, no symlink that leads out), no hidden
  files (the Pages artifact leaves them out; `.well-known` is the exception);
- a request line too long for its front end is a 414.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

MAX_URL_BYTES = 8192  # GitHub's front end refuses longer request paths with a 414, as nginx does


class Resolved(NamedTuple):
    status: int  # 200, 301/302 (see location), 404 or 414
    file: Path | None = None  # the file to send: the page, or 404.html for a 404 (if built)
    location: str | None = None


def resolve(out_dir: Path, base_path: str, raw_path: str) -> Resolved:
    """Map a request path (as sent, percent-encoded, without the query) to a file of the site in
    out_dir mounted at base_path (which starts and ends with '/')."""
    if len(raw_path) > MAX_URL_BYTES:
        return Resolved(414)
    try:
        return _resolve(out_dir, base_path, raw_path)
    except (OSError, ValueError):  # a name too long for the file system, a bad encoding ...
        return _not_found(out_dir)


def _not_found(out_dir: Path) -> Resolved:
    page = out_dir / "404.html"
    try:
        return Resolved(404, page if page.is_file() else None)
    except OSError:
        return Resolved(404)


def _resolve(out_dir: Path, base_path: str, raw_path: str) -> Resolved:
    path = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    segments = path.split("/")
    if (
        not path.startswith("/")
        or "\0" in path
        or "\\" in path
        or any(s.startswith(".") and s != ".well-known" for s in segments)
    ):
        return _not_found(out_dir)
    if not path.startswith(base_path):
        if path + "/" == base_path:
            return Resolved(301, location=raw_path + "/")
        if path == "/":  # the host's root, outside a project site: the dev server's way in
            return Resolved(302, location=base_path)
        return _not_found(out_dir)
    rel = path[len(base_path) :]
    target = out_dir.joinpath(*[s for s in rel.split("/") if s])
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        if (target / "index.html").is_file():
            return Resolved(301, location=raw_path + "/")
        return _not_found(out_dir)
    elif not target.is_file() and target.with_name(target.name + ".html").is_file():
        target = target.with_name(target.name + ".html")
    if not target.is_file() or not _inside(out_dir, target):
        return _not_found(out_dir)
    return Resolved(200, target)


def built_file(out_dir: Path, base_path: str, raw_path: str) -> Path | None:
    """The file a link to raw_path shows a reader without a redirect, or None."""
    found = resolve(out_dir, base_path, raw_path)
    return found.file if found.status == 200 else None


def _inside(folder: Path, path: Path) -> bool:
    folder_real, real = os.path.realpath(folder), os.path.realpath(path)
    return real.startswith(folder_real.rstrip(os.sep) + os.sep)
