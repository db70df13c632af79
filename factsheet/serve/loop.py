"""The dev server's loop: watch -> wait for a quiet moment -> build -> reload.

Like MkDocs' server it knows the build as one call; unlike livereload 2.7 it never swallows a
failure, never builds once per watched folder, and never reloads before the build finished.
Builds run in a thread of their own, one at a time, so the IOLoop answers every request (and
Ctrl-C or SIGTERM) while a build runs, even one stuck on a file that never ends. The site is
built into a scratch folder outside every watched tree, through a LiveOutput that replaces
only changed files, each atomically; a failed build never touches it. Errors are printed once,
through the command line's own report, and shown on every page.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

from livereload.handlers import LiveReloadHandler
from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop

from .. import errors as error_report
from ..incremental import MemoryStore
from ..live_output import LiveOutput
from ..site import build as build_site
from . import restart
from .failures import describe_failure, display, text_inputs
from .pages import SiteHandler
from .reload import ReloadScript, ReloadSocket, close_tabs, reload_tabs
from .schedule import Schedule
from .state import LOOPBACK, ServeState, allowed_hosts_for
from .watch import Watcher, changed_since, input_filter, snapshot, watch_paths

STILL_SERVING = "; still serving the last good build, with the errors shown on every page"
RESTART_DRAIN = 0.2  # seconds in which requests accepted before a restart are answered


class DevServer:
    """The build loop. The watcher's thread hands paths over and the build thread hands results
    back, both through `add_callback`; every decision and all shared state stay on the IOLoop."""

    def __init__(self, config, host: str, scratch: Path, sockets, url: str):
        base_path = config.base_path
        serve_root = scratch / "www"
        out_dir = serve_root.joinpath(*[s for s in base_path.split("/") if s])
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = ServeState(
            serve_root, out_dir, base_path, allowed_hosts=allowed_hosts_for(host)
        )
        self.root = config.root
        self.build_script = config.root / "build.py"
        self.config = dataclasses.replace(config, out_dir=out_dir)
        # Rebuilds run in a thread, beside the IOLoop and the watcher: no forked workers there.
        self.rebuild_config = dataclasses.replace(self.config, jobs=1)
        self.before_first_build: dict = {}
        self.first_outcome: tuple[object, float] = ((), 0.0)
        self.live = LiveOutput(out_dir)
        self.store = MemoryStore()  # what each output was made from, across builds
        self.sockets = sockets
        self.scratch = scratch
        self.url = url
        self.schedule = Schedule()
        self.watcher = Watcher(
            watch_paths(config),
            input_filter([scratch, config.out_dir, config.cache_dir]),
            self.changed,
        )
        self.loop: IOLoop | None = None
        self.http: httpserver.HTTPServer | None = None
        self.timer = None
        self.building = False
        self.stopping = False
        self.broken_code: frozenset[str] = frozenset()
        self.announced = False
        self.open_browser = False
        self.shown_errors: tuple[str, ...] = ()
        self.shown_warnings: tuple[str, ...] = ()

    def first_build(self) -> None:
        """The first build, on the main thread before any other thread exists: a cold build
        converts Markdown in forked worker processes, and forking a process with threads can
        leave a worker waiting forever on a lock another thread held. What the build read is
        noted first, so an edit made during it is still seen."""
        self.before_first_build = snapshot(self.watcher.paths, self.watcher.wanted)
        self.first_outcome = self._outcome([])

    def start(self, open_browser: bool = False) -> None:
        """On the IOLoop: watch, then report the first build and catch up with what changed
        while it ran."""
        self.loop = IOLoop.current()
        self.open_browser = open_browser
        self.watcher.start()
        if self.watcher.polling:
            print(f"Note: watching by polling ({self.watcher.polling}).", flush=True)
        edited = changed_since(self.before_first_build, self.watcher.paths, self.watcher.wanted)
        self.schedule.built.update(self.before_first_build)
        self.building = True
        self.finish(frozenset(), [], *self.first_outcome)
        self.queue(edited)

    # watching: the watcher's thread hands over, the IOLoop decides

    def changed(self, paths: set[str]) -> None:
        self.loop.add_callback(self.queue, paths)

    def queue(self, paths) -> None:
        if self.schedule.add(paths) and self.timer is None:
            self.settle()

    def settle(self) -> None:
        """Build everything pending once its newest file has been left alone long enough, and
        no build is running (what arrives during a build is built right after it)."""
        self.timer = None
        if self.building or self.stopping:
            return
        wait = self.schedule.wait()
        if wait is None:
            return
        if wait > 0:
            self.timer = self.loop.call_later(wait, self.settle)
            return
        # while new generator code does not import, every build checks it again first
        self.begin_build(self.schedule.take() | self.broken_code)

    # building: in a thread, one at a time

    def begin_build(self, changed: frozenset[str]) -> None:
        self.building = True
        code = sorted(p for p in changed if restart.is_code(p, self.build_script))
        worker = threading.Thread(
            target=self._work, args=(changed, code), name="build", daemon=True
        )
        worker.start()

    def _work(self, changed: frozenset[str], code: list[str]) -> None:
        """The build thread: it touches nothing requests read but the LiveOutput's files."""
        outcome, seconds = self._outcome(code, self.rebuild_config)
        with contextlib.suppress(RuntimeError):  # the loop closed while this build ran
            self.loop.add_callback(self.finish, changed, code, outcome, seconds)

    def _outcome(self, code: list[str], config=None) -> tuple[object, float]:
        """A build's result, its errors as lines, or for new generator code None if it
        imports (the restart happens on the loop); and the seconds it took."""
        started = time.perf_counter()
        outcome: object
        if code:
            problem = restart.import_problem(self.build_script)
            outcome = (problem,) if problem else None
        else:
            try:
                outcome = build_site(config or self.config, self.store, self.live)
            except Exception as exc:  # reported on the loop, once; never a traceback
                suspects = text_inputs(self.config) if isinstance(exc, UnicodeDecodeError) else ()
                outcome = tuple(describe_failure(exc, self.root, suspects))
        return outcome, time.perf_counter() - started

    def finish(self, changed, code, outcome, seconds: float) -> None:
        self.building = False
        if self.stopping:
            return
        if code and outcome is None:
            self.restart(code)
            return
        self.broken_code = frozenset(code)
        errors_before = self.state.errors
        if isinstance(outcome, tuple):
            self.fail(outcome)
            result = None
        else:
            result = outcome
            self.succeed(result)
        files = tuple(result.changed) if result is not None and not code else ()
        tabs = reload_tabs(files, self.state, everything=self.state.errors != errors_before)
        if not self.announced:
            self.announce(result, seconds)
        elif result is not None:
            self.report_rebuild(changed, files, tabs, seconds)
        self.settle()

    def succeed(self, result) -> None:
        warnings = tuple(str(w) for w in result.warnings)
        if warnings != self.shown_warnings:
            for warning in warnings:
                print(warning, file=sys.stderr, flush=True)
            self.shown_warnings = warnings
        if self.shown_errors:
            print("Build fixed: the error overlay is gone.", flush=True)
        self.shown_errors = ()
        self.state.errors = ()

    def fail(self, errors: tuple[str, ...]) -> None:
        if errors != self.shown_errors:
            error_report.report(errors, STILL_SERVING, stream=sys.stderr)
        else:
            print("Build still fails with the same errors.", file=sys.stderr, flush=True)
        self.shown_errors = errors
        self.state.errors = errors

    def announce(self, result, seconds: float) -> None:
        """After the first build: the site exists, requests held until now are answered."""
        self.announced = True
        self.state.first_build.set()
        if result is not None:
            print(
                f"Built {result.pages} pages ({result.files} files) in {seconds * 1000:.0f} ms.",
                flush=True,
            )
        print(f"Serving {self.url} (Ctrl-C to stop)", flush=True)
        if not self.url.split("//", 1)[1].startswith(LOOPBACK + ("[::1]",)):
            print(
                "Note: this server is reachable from other machines; it is meant for "
                "previewing, not for publishing.",
                flush=True,
            )
        if self.open_browser:
            threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()

    def report_rebuild(self, changed, files: tuple[str, ...], tabs: int, seconds: float) -> None:
        sources = sorted(display(p, self.root) for p in changed)
        more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
        shown = f" ({', '.join(files[:3])}{', ...' if len(files) > 3 else ''})" if files else ""
        print(
            f"Rebuilt in {seconds * 1000:.0f} ms after {', '.join(sources[:3])}{more}: "
            f"{len(files)} file{'s' if len(files) != 1 else ''} changed{shown}; "
            f"reloaded {tabs} tab{'s' if tabs != 1 else ''}.",
            flush=True,
        )

    def restart(self, code: list[str]) -> None:
        """The new generator code imports: replace this process with one running it. First
        stop accepting (new connections wait in the listening socket's backlog, which a copy
        of its descriptor keeps open for the new process) and let the requests already
        accepted be answered."""
        shown = ", ".join(display(p, self.root) for p in code)
        print(f"{shown} changed: restarting the server on the new code.", flush=True)
        self.stopping = True
        self.watcher.stop()
        listening = [sock.dup() for sock in self.sockets]
        if self.http is not None:
            self.http.stop()
        close_tabs()
        self.loop.call_later(RESTART_DRAIN, self._exec, listening)

    def _exec(self, listening) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        restart.reexec(listening)


class StopServing(BaseException):
    """Ctrl-C or SIGTERM before the IOLoop runs (a BaseException: no build swallows it)."""


@contextlib.contextmanager
def stop_on_signals():
    """Turn Ctrl-C and SIGTERM into StopServing in this process, even while it waits on a file
    that never ends; a forked worker of the build just dies as it would have."""
    main = os.getpid()

    def stop(signum, _frame):
        if os.getpid() != main:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise StopServing

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def make_app(state: ServeState) -> web.Application:
    return web.Application(
        [
            (r"/livereload", ReloadSocket, {"state": state}),
            (r"/livereload\.js", ReloadScript, {"state": state}),
            (r"/(.*)", SiteHandler, {"state": state}),
        ],
        compress_response=False,
    )


def site_url(host: str, port: int, base_path: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path}"


def serve(config, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    """Build, serve and live-reload until Ctrl-C or SIGTERM; 0 on a clean stop, 1 if it cannot
    listen."""
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload's 3 s gate must never drop a reload
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # no line per 404 (favicon.ico)
    restarted = restart.restarted()
    sockets = restart.inherited_sockets()
    if sockets is None:
        try:
            sockets = netutil.bind_sockets(port, address=host)
        except OSError as exc:
            print(f"cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    port = sockets[0].getsockname()[1]  # the real port when asked for 0 (any free one)
    scratch = Path(tempfile.mkdtemp(prefix="factsheet-serve-"))
    server = DevServer(config, host, scratch, sockets, site_url(host, port, config.base_path))
    if restarted:
        server.state.reload_on_connect_until = time.monotonic() + restart.RELOAD_GRACE
    try:
        with stop_on_signals():
            server.first_build()
        return asyncio.run(_run(server, open_browser))
    except StopServing:  # Ctrl-C or SIGTERM during the first build
        print("Stopping.", flush=True)
        return 0
    finally:
        server.stopping = True
        server.watcher.stop()
        for sock in sockets:
            sock.close()
        shutil.rmtree(scratch, ignore_errors=True)


async def _run(server: DevServer, open_browser: bool) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
    server.state.first_build = asyncio.Event()
    http = httpserver.HTTPServer(make_app(server.state), max_buffer_size=1 << 20)
    http.add_sockets(server.sockets)
    server.http = http
    server.start(open_browser)
    await stop.wait()
    print("Stopping.", flush=True)
    server.stopping = True
    server.watcher.stop()
    http.stop()
    close_tabs()
    await http.close_all_connections()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.remove_signal_handler(signum)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, signal.SIG_DFL)
    return 0
