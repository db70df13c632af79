"""`python build.py serve`: build, serve the site as GitHub Pages would, rebuild and reload.

How it avoids livereload 2.7's known traps (rebuild loops, dropped reloads, one build per
watched folder, swallowed exceptions, slow polling):

- One watcher over every input (content, data, templates, static, the generator's own code and
  build.py), polled with a short `PeriodicCallback` instead of livereload's 0.8 s `os.walk` of
  one tree per task. A poll only records what changed; a debouncer builds once no change has
  arrived for QUIET seconds, so a burst of saves (an editor, a git checkout) gives ONE build.
- The site is built into a scratch folder outside every watched tree (and the ignore predicate
  also refuses it by absolute path), with a LiveOutput that rewrites only changed files.
- Reloads are sent by this module after a build, straight to livereload's WebSocket clients:
  never before the build has finished, never dropped by the 3 s gate, and only to the tabs whose
  page changed (every tab when an asset or the error state changed).
- A failed build never touches the served folder. The errors are printed once and shown in an
  overlay injected into every HTML response at serve time, never into a built file.
- Requests are answered like GitHub Pages: the site mounted at the base path, pretty URLs,
  /dir -> 301 /dir/, 404.html with status 404, nothing outside the site, no listings.

livereload supplies the browser side: its WebSocket handler (protocol handshake and the set of
connected tabs), livereload.js and its static file handler, which this module subclasses.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import html
import importlib
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.websocket import WebSocketHandler

PACKAGE = "factsheet"
PACKAGE_DIR = Path(__file__).resolve().parent
QUIET = 0.05  # seconds without a new change before a burst of changes is built
MIN_POLL_MS = 25  # the watcher's poll interval, never shorter ...
MAX_POLL_MS = 250  # ... nor longer than this; in between, 4 % of the time is spent scanning
SCAN_SHARE = 25  # poll interval = SCAN_SHARE x the measured time of one scan
OVERLAY_ID = "farside-dev-overlay"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PASSIVE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".json", ".csv")  # embedded by no page

# -- what to watch, and what to ignore --------------------------------------------------------

IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv",
                          ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode"})
IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", ".tmp", ".temp", ".bak", ".orig",
                    ".kate-swp", ".pyc", ".pyo", "~", "___jb_tmp___", "___jb_old___")


def editor_junk(name: str) -> bool:
    """Files editors and tools write next to the real ones: swap, backup, lock, probe files."""
    return (name.endswith(IGNORED_SUFFIXES) or name.startswith((".#", ".goutputstream-"))
            or (name.startswith("#") and name.endswith("#"))
            or name in ("4913", ".DS_Store", "Thumbs.db"))


def make_ignore(excluded: Iterable[Path]) -> Callable[[str], bool]:
    """An ignore predicate on ABSOLUTE paths: anything inside an excluded folder (the output,
    the cache, the serve folder), in a VCS or tool folder, or an editor's temporary file."""
    folders = {os.path.abspath(p) for p in excluded} | {os.path.realpath(p) for p in excluded}
    prefixes = tuple(sorted(f.rstrip(os.sep) + os.sep for f in folders))

    def ignored(path: str) -> bool:
        path = os.path.abspath(path)
        if (path + os.sep).startswith(prefixes):
            return True
        parts = path.split(os.sep)
        return editor_junk(parts[-1]) or not IGNORED_DIRS.isdisjoint(parts[:-1])

    return ignored


class WatchRoot(NamedTuple):
    path: Path
    recursive: bool = True
    suffixes: tuple[str, ...] = ()  # only files with these endings (all files when empty)


def watch_roots(config, package_dir: Path = PACKAGE_DIR) -> list[WatchRoot]:
    """Every input of a build, without folders nested in one already watched."""
    trees = [config.content_dir, config.data_dir, config.templates_dir, config.static_dir]
    roots: list[WatchRoot] = []
    for tree in trees:
        if not any(tree == r.path or r.path in tree.parents for r in roots):
            roots = [r for r in roots if tree not in r.path.parents]
            roots.append(WatchRoot(tree))
    if not any(package_dir == r.path or r.path in package_dir.parents for r in roots):
        roots.append(WatchRoot(package_dir, recursive=False, suffixes=(".py",)))
    build_script = config.root / "build.py"
    if build_script.is_file():
        roots.append(WatchRoot(build_script, recursive=False))
    return roots


Snapshot = dict[str, tuple[int, int, int]]


def scan(roots: Iterable[WatchRoot], ignored: Callable[[str], bool]) -> Snapshot:
    """Every watched file with (mtime_ns, size, inode): an atomic save (new inode), an edit
    within the same clock tick (new size) and a deletion all show up as a difference.

    `ignored` is asked about roots and folders; files are only checked for editor junk by name
    (a file in an ignored folder is never reached), which keeps a poll of 1,000 files cheap.
    """
    found: Snapshot = {}
    for root in roots:
        top = str(root.path)
        if ignored(top):
            continue
        if not root.path.is_dir():
            with contextlib.suppress(OSError):
                stat = os.stat(top)
                found[top] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            continue
        suffixes = root.suffixes or ("",)
        folders = [top]
        while folders:
            try:
                entries = os.scandir(folders.pop())
            except OSError:  # vanished while we looked: the next scan sees the new state
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    try:
                        if entry.is_dir():
                            if root.recursive and name not in IGNORED_DIRS \
                                    and not ignored(entry.path):
                                folders.append(entry.path)
                        elif name.endswith(suffixes) and not editor_junk(name):
                            stat = entry.stat()
                            found[entry.path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
                    except OSError:
                        continue
    return found


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    """Files added, removed or modified between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Debouncer:
    """Coalesces changes: `add` them as they are seen; `due` once none arrived for `quiet`
    seconds; `take` them all for one build. Time is passed in, so it is testable without clocks."""

    def __init__(self, quiet: float = QUIET):
        self.quiet = quiet
        self.pending: set[str] = set()
        self.last_change: float | None = None

    def add(self, paths: Iterable[str], now: float) -> None:
        paths = set(paths)
        if paths:
            self.pending |= paths
            self.last_change = now if self.last_change is None else max(self.last_change, now)

    def wait(self, now: float) -> float | None:
        """Seconds until the pending changes are due (0 if they are); None if nothing pends."""
        if not self.pending or self.last_change is None:
            return None
        return max(0.0, self.last_change + self.quiet - now)

    def due(self, now: float) -> bool:
        return self.wait(now) == 0.0

    def take(self) -> frozenset[str]:
        pending, self.pending, self.last_change = frozenset(self.pending), set(), None
        return pending


# -- answering requests as GitHub Pages would -------------------------------------------------

class Resolved(NamedTuple):
    status: int  # 200, 301/302 (see location) or 404
    file: Path | None = None  # the file to send: the page, or 404.html for a 404 (if built)
    location: str | None = None


def resolve(out_dir: Path, base_path: str, raw_path: str) -> Resolved:
    """Map a request path (as sent, percent-encoded) to a file of the site mounted at base_path.

    Refuses, with a 404, any dot segment (`..`, `%2e%2e`), hidden names, backslashes and NULs,
    and anything that would resolve outside out_dir (a symlink included).
    """
    not_found = out_dir / "404.html"
    missing = Resolved(404, not_found if not_found.is_file() else None)
    path = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    segments = path.split("/")
    if (not path.startswith("/") or "\0" in path or "\\" in path
            or any(s.startswith(".") and s != ".well-known" for s in segments)):
        return missing
    if not path.startswith(base_path):
        if path + "/" == base_path:
            return Resolved(301, location=raw_path + "/")
        if path == "/":  # the server's root, outside a project site: go to the site
            return Resolved(302, location=base_path)
        return missing
    rel = path[len(base_path):]
    target = out_dir.joinpath(*[s for s in rel.split("/") if s])
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        return Resolved(301, location=raw_path + "/") if (target / "index.html").is_file() \
            else missing
    elif not target.is_file() and target.with_name(target.name + ".html").is_file():
        target = target.with_name(target.name + ".html")  # GitHub Pages serves /about as about.html
    if not target.is_file() or not _inside(out_dir, target):
        return missing
    return Resolved(200, target)


def _inside(folder: Path, path: Path) -> bool:
    folder_real, real = os.path.realpath(folder), os.path.realpath(path)
    return real.startswith(folder_real.rstrip(os.sep) + os.sep)


LIVE_SCRIPT = (  # livereload's own snippet (server.py), loading livereload.js from this server
    '<script>(function(){var s=document.createElement("script");'
    'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
    's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    'document.head.appendChild(s);})();</script>'
)


def overlay_html(errors: Iterable[str]) -> str:
    """The error panel shown on every page while the last build failed."""
    items = "".join(f'<li style="margin:.25rem 0;white-space:pre-wrap">{html.escape(e)}</li>'
                    for e in errors)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;top:0;left:0;right:0;'
        "z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
        "background:#3b0d0d;color:#fff;border-bottom:4px solid #e5484d;"
        "box-shadow:0 4px 24px rgba(0,0,0,.45);font:14px/1.5 ui-monospace,SFMono-Regular,"
        'Menlo,Consolas,monospace;text-align:left">'
        '<button type="button" onclick="this.parentNode.remove()" aria-label="Hide" '
        'style="float:right;font:inherit;color:inherit;background:none;border:1px solid '
        '#fff;border-radius:4px;padding:0 .5rem;cursor:pointer">Hide</button>'
        "<strong>Build failed.</strong> You are seeing the last good build. Fix the problem "
        "and save: this page reloads by itself."
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


# The built pages forbid every script and inline style element; the dev server's own reload
# script and overlay need both, so the policy is left out of what it serves (never of _site/).
CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)


def inject(page: bytes, script: str, overlay: str = "") -> bytes:
    """The page as served: the live-reload script before </head>, the overlay before </body>."""
    page = CSP_META.sub(b"", page, count=1)
    match = HEAD_END.search(page)
    at = match.start() if match else 0
    page = page[:at] + script.encode() + page[at:]
    if overlay:
        matches = list(BODY_END.finditer(page))
        at = matches[-1].start() if matches else len(page)
        page = page[:at] + overlay.encode() + page[at:]
    return page


FALLBACK_404 = (b"<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title>"
                b"</head><body><h1>Not found</h1><p>No site has been built yet, or it has no "
                b"404.html.</p></body></html>")


# -- the build loop ---------------------------------------------------------------------------

def display(path: str | Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def describe_failure(exc: BaseException, root: Path) -> list[str]:
    """`path:line: message` lines for a failed build: the build's own errors, or for a bug in
    the generator the innermost line of project code that raised (never a traceback)."""
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ == "BuildError" and isinstance(errors, (list, tuple)):
        return [str(e) for e in errors if not getattr(e, "warning", False)] or \
            [str(e) for e in errors]
    if isinstance(exc, SyntaxError) and exc.filename:
        return [f"{display(exc.filename, root)}:{exc.lineno}: SyntaxError: {exc.msg}"]
    place = "build"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if (root in path.parents or PACKAGE_DIR in path.parents) and ".venv" not in path.parts:
            place = f"{display(path, root)}:{frame.lineno}"
    return [f"{place}: internal error: {type(exc).__name__}: {exc}"]


class Builder:
    """Builds into the serve folder; swaps in freshly imported generator code when it changed.

    Code changes are handled in-process by dropping every `factsheet.*` module (but this one)
    from sys.modules and importing `factsheet.site` again: the import system re-imports the
    package in dependency order by itself, no module keeps a reference to a stale sibling (the
    risk of `importlib.reload` one module at a time), the LiveOutput's record of what is served
    carries over (so only changed bytes are rewritten and deleted pages are removed), and it
    costs milliseconds where a fresh interpreter costs hundreds.
    """

    def __init__(self, config, out_dir: Path):
        self.root = config.root
        self._fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
        self._fields["out_dir"] = out_dir
        self.out_dir = out_dir
        self.site = importlib.import_module(f"{PACKAGE}.site")
        self.config = dataclasses.replace(config, out_dir=out_dir)
        self.live = self._module("output").LiveOutput(out_dir)
        self.store = self._module("incremental").MemoryStore()

    def _module(self, name: str):
        return importlib.import_module(f"{PACKAGE}.{name}")

    def reload_code(self, changed: Iterable[str]) -> None:
        """Import the generator afresh (raises SyntaxError etc. for broken code)."""
        for path in changed:  # a .pyc from the same second and size would be taken as current
            if path.endswith(".py"):
                with contextlib.suppress(OSError, ValueError, NotImplementedError):
                    os.unlink(importlib.util.cache_from_source(path))
        script = self.root / "build.py"
        if script.is_file():
            compile(script.read_bytes(), str(script), "exec")
        this = __name__
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            if name != this:
                del sys.modules[name]
        importlib.invalidate_caches()
        self.site = importlib.import_module(f"{PACKAGE}.site")
        config_class = self._module("config").Config
        names = {f.name for f in dataclasses.fields(config_class)}
        self.config = config_class(**{k: v for k, v in self._fields.items() if k in names})
        live = self._module("output").LiveOutput(self.out_dir)
        live.digests = self.live.digests  # what is served now: only changed bytes are rewritten
        self.live = live
        # New code may render differently: start from an empty store, except for what is
        # served (its input keys, so unchanged files are compared rather than rewritten).
        store = self._module("incremental").MemoryStore()
        store.builds = self.store.builds
        self.store = store

    def build(self):
        return self.site.build(self.config, store=self.store, output=self.live)


def is_code(path: str, root: Path) -> bool:
    return (path.endswith(".py") and Path(path).parent == PACKAGE_DIR) \
        or Path(path) == root / "build.py"


@dataclasses.dataclass
class ServeState:
    """What requests and the build loop share (both run on the IOLoop thread)."""

    serve_root: Path
    out_dir: Path
    base_path: str
    errors: tuple[str, ...] = ()
    allowed_hosts: frozenset[str] | None = None  # Host header names accepted (None: any)


class SiteHandler(StaticFileHandler):
    """livereload's static file handler, answering like GitHub Pages and adding the live script
    and, while the last build failed, the error overlay to every HTML response."""

    def initialize(self, state: ServeState) -> None:  # noqa: D102
        super().initialize(path=str(state.serve_root), default_filename=None)
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def get(self, path: str, include_body: bool = True) -> None:
        if not host_allowed(self.request.host, self.state.allowed_hosts):
            raise web.HTTPError(403)
        try:
            found = resolve(self.state.out_dir, self.state.base_path, self.request.path)
        except UnicodeDecodeError:
            found = resolve(self.state.out_dir, self.state.base_path, "/.invalid")
        if found.location:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(found.location + query, permanent=found.status == 301)
            return
        if found.status == 404 or found.file.suffix in (".html", ".htm"):
            self.send_page(found, include_body)
            return
        rel = found.file.relative_to(self.state.serve_root).as_posix()
        await super().get(rel, include_body)

    def send_page(self, found: Resolved, include_body: bool) -> None:
        try:
            page = found.file.read_bytes() if found.file else FALLBACK_404
        except OSError:
            page = FALLBACK_404
        overlay = overlay_html(self.state.errors) if self.state.errors else ""
        body = inject(page, LIVE_SCRIPT, overlay)
        self.page_etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        self.set_status(found.status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        if include_body:
            self.write(body)
        else:
            self.set_header("Content-Length", len(body))

    def compute_etag(self) -> str | None:
        page_etag = getattr(self, "page_etag", None)
        if page_etag is not None:
            return page_etag
        return super().compute_etag() if getattr(self, "absolute_path", None) else None

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{status_code} {self._reason}\n")


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, remembering each tab's page (from the `info` message) so that a
    build reloads only the tabs whose page changed, and refusing other sites' pages (livereload's
    own handler accepts any Origin)."""

    page_url: str | None = None

    def check_origin(self, origin: str) -> bool:
        return WebSocketHandler.check_origin(self, origin)

    def on_message(self, message) -> None:
        super().on_message(message)
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "info":
            self.page_url = str(data.get("url") or "") or None


def host_allowed(host_header: str, allowed: frozenset[str] | None) -> bool:
    """Guards a loopback server against DNS rebinding: the Host must name this machine."""
    if allowed is None:
        return True
    name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    return name.strip("[]").lower() in allowed


def tabs_to_reload(tab_urls: dict[object, str | None], changed: Iterable[str], state: ServeState,
                   everything: bool) -> list[object]:
    """The tabs to reload after a build that changed these files (relative to out_dir)."""
    changed = set(changed)
    if everything or any(not rel.endswith(PASSIVE_SUFFIXES) for rel in changed):
        return list(tab_urls)
    chosen = []
    for tab, url in tab_urls.items():
        if not url:
            chosen.append(tab)
            continue
        found = resolve(state.out_dir, state.base_path, urlsplit(url).path or "/")
        rel = found.file.relative_to(state.out_dir).as_posix() if found.file else "404.html"
        if found.status == 404 and found.file is None or rel in changed:
            chosen.append(tab)
    return chosen


class DevServer:
    """The watch -> debounce -> build -> reload loop, on one IOLoop thread."""

    def __init__(self, config, host: str, port: int, scratch: Path):
        base_path = config.base_path
        serve_root = scratch / "www"
        out_dir = serve_root.joinpath(*[s for s in base_path.split("/") if s])
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = ServeState(serve_root, out_dir, base_path,
                                allowed_hosts=frozenset(LOOPBACK) if host in LOOPBACK else None)
        self.root = config.root
        self.builder = Builder(config, out_dir)
        self.roots = watch_roots(config)
        self.ignored = make_ignore([scratch, config.out_dir, config.cache_dir])
        self.debouncer = Debouncer()
        self.snapshot: Snapshot = {}
        self.timer = None
        self.poller: PeriodicCallback | None = None
        self.shown_errors: tuple[str, ...] = ()
        self.shown_warnings: tuple[str, ...] = ()
        self.builds = 0
        self.poll_ms = MIN_POLL_MS

    # watching

    def start_watching(self) -> None:
        seconds = float("inf")
        for _ in range(3):  # the first scan of a cold cache is slower than every later one
            started = time.perf_counter()
            self.snapshot = scan(self.roots, self.ignored)
            seconds = min(seconds, time.perf_counter() - started)
        self.poll_ms = int(min(MAX_POLL_MS, max(MIN_POLL_MS, seconds * 1000 * SCAN_SHARE)))

    def poll(self) -> None:
        after = scan(self.roots, self.ignored)
        changes = changed_paths(self.snapshot, after)
        self.snapshot = after
        now = time.monotonic()
        if changes:
            # The quiet period runs from the last write, not from when the poll noticed it: the
            # newest file's age counts, up to one poll interval (the most a poll can be late;
            # an old mtime from `tar x` or `cp -p` must not make a burst look finished).
            newest = max((after[p][0] for p in changes if p in after), default=None)
            age = time.time() - newest / 1e9 if newest is not None else 0.0
            now -= min(max(age, 0.0), self.poll_ms / 1000)
        self.debouncer.add(changes, now)
        now = time.monotonic()
        wait = self.debouncer.wait(now)
        if changes and wait is not None:
            loop = IOLoop.current()
            if self.timer is not None:
                loop.remove_timeout(self.timer)
            self.timer = loop.call_later(wait, self.settle)

    def settle(self) -> None:
        """The quiet period is over: look once more, then build everything pending, once."""
        self.timer = None
        self.poll()
        if self.timer is None and self.debouncer.due(time.monotonic()):
            self.rebuild(self.debouncer.take())

    # building

    def build(self, changed: Iterable[str] = ()) -> tuple[object | None, float]:
        started = time.perf_counter()
        code = sorted(p for p in changed if is_code(p, self.root))
        try:
            if code:
                if str(Path(__file__).resolve()) in code:
                    print("factsheet/serve.py changed: restart `build.py serve` to use it.",
                          flush=True)
                self.builder.reload_code(code)
            result = self.builder.build()
        except Exception as exc:  # reported here, once; never left to tornado to swallow
            self.fail(tuple(describe_failure(exc, self.root)))
            return None, time.perf_counter() - started
        self.builds += 1
        warnings = tuple(str(w) for w in result.warnings)
        if warnings != self.shown_warnings:
            for warning in warnings:
                print(warning, file=sys.stderr, flush=True)
            self.shown_warnings = warnings
        if self.shown_errors:
            print("Build fixed: the error overlay is gone.", flush=True)
        self.shown_errors = ()
        self.state.errors = ()
        return result, time.perf_counter() - started

    def fail(self, errors: tuple[str, ...]) -> None:
        if errors != self.shown_errors:
            for error in errors:
                print(error, file=sys.stderr, flush=True)
            count = len(errors)
            print(f"Build failed: {count} error{'s' if count != 1 else ''}; still serving the "
                  "last good build, with the errors shown on every page.", file=sys.stderr,
                  flush=True)
        else:
            print("Build still fails with the same errors.", file=sys.stderr, flush=True)
        self.shown_errors = errors
        self.state.errors = errors

    def rebuild(self, changed: frozenset[str]) -> None:
        errors_before = self.state.errors
        result, seconds = self.build(changed)
        sources = sorted(display(p, self.root) for p in changed)
        cause = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3
                                          else "")
        files = tuple(getattr(result, "changed", ())) if result else ()
        tabs = self.reload(files, everything=self.state.errors != errors_before)
        if result is None:
            return
        wrote = (f"{len(files)} file{'s' if len(files) != 1 else ''} changed"
                 + (f" ({', '.join(files[:3])}{', ...' if len(files) > 3 else ''})"
                    if files else ""))
        print(f"Rebuilt in {seconds * 1000:.0f} ms after {cause}: {wrote}; reloaded {tabs} "
              f"tab{'s' if tabs != 1 else ''}.", flush=True)

    def reload(self, files: tuple[str, ...], everything: bool) -> int:
        if not files and not everything:
            return 0
        waiters = {w: getattr(w, "page_url", None) for w in list(LiveReloadHandler.waiters)}
        chosen = tabs_to_reload(waiters, files, self.state, everything)
        for waiter in chosen:
            path = urlsplit(waiters[waiter] or "").path or "*"
            message = {"command": "reload", "path": path, "liveCSS": False, "liveImg": False}
            try:
                waiter.write_message(json.dumps(message))
            except Exception:  # a tab that went away: forget it
                LiveReloadHandler.waiters.discard(waiter)
        return len(chosen)


def make_app(state: ServeState) -> web.Application:
    return web.Application([
        (r"/livereload", ReloadSocket),
        (r"/livereload\.js", LiveReloadJSHandler),
        (r"/(.*)", SiteHandler, {"state": state}),
    ], compress_response=False)


def site_url(host: str, port: int, base_path: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path}"


def serve(config, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    """Build, serve and live-reload until Ctrl-C; 0 on a clean stop, 1 if it cannot listen."""
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload's 3 s gate must never drop a reload
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # no line per 404 (favicon.ico)
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except OSError as exc:
        print(f"cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = sockets[0].getsockname()[1]  # the real port when asked for 0 (any free one)
    scratch = Path(tempfile.mkdtemp(prefix="factsheet-serve-"))
    try:
        server = DevServer(config, host, port, scratch)
        server.start_watching()  # before building: an edit made during the build is seen
        result, seconds = server.build()
        if result is not None:
            print(f"Built {result.pages} pages ({result.files} files) in "
                  f"{seconds * 1000:.0f} ms.", flush=True)
        return asyncio.run(_run(server, sockets, site_url(host, port, config.base_path),
                                open_browser))
    finally:
        for sock in sockets:
            sock.close()
        shutil.rmtree(scratch, ignore_errors=True)


async def _run(server: DevServer, sockets, url: str, open_browser: bool) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
    http = httpserver.HTTPServer(make_app(server.state))
    http.add_sockets(sockets)
    server.poller = PeriodicCallback(server.poll, server.poll_ms)
    server.poller.start()
    watched = len(server.snapshot)
    print(f"Serving {url} (watching {watched} files every {server.poll_ms} ms; "
          "Ctrl-C to stop)", flush=True)
    if not url.split("//", 1)[1].startswith(LOOPBACK + ("[::1]",)):
        print("Note: this server is reachable from other machines; it is meant for "
              "previewing, not for publishing.", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    await stop.wait()
    print("Stopping.", flush=True)
    server.poller.stop()
    http.stop()
    for waiter in list(LiveReloadHandler.waiters):
        waiter.close()
    await http.close_all_connections()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.remove_signal_handler(signum)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, signal.SIG_DFL)
    return 0
