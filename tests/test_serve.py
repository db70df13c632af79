"""The dev server: coalescing, ignoring, GitHub-Pages-like answers, overlay, incremental builds.

Unit tests first (pure functions and classes, no sockets), then the incremental build through a
LiveOutput in-process, then integration tests that run `python build.py serve` as a subprocess
on a scratch site in tmp_path (the project's templates/ and static/ are copied, never edited).
Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from factsheet.config import make_config
from factsheet.incremental import MemoryStore
from factsheet.output import LiveOutput
from factsheet.serve import (
    OVERLAY_ID,
    Debouncer,
    ServeState,
    WatchRoot,
    changed_paths,
    describe_failure,
    inject,
    make_ignore,
    overlay_html,
    resolve,
    scan,
    tabs_to_reload,
)
from factsheet.site import build

ROOT = Path(__file__).resolve().parents[1]
WAIT = 10.0  # seconds: the bound on every wait for the server

SITE_YAML = """\
site:
  title: Serve Test Site
  url: https://example.org/serve-test
  language: en
sources:
  - id: src-one
    title: The first source
    publisher: Agency One
    accessed: "2026-11-24"
  - id: src-two
    title: The second source
    publisher: Press Two
    accessed: "2026-11-24"
facts:
  - id: fact-one
    label: A measured mass
    type: quantity
    value: 1935.3
    unit: g
    as_of: "2024-06-28"
    sources: [src-one]
"""

PAGES = {
    "index.md": """\
---
title: Home of the test site
description: The home page of the scratch site that the dev-server tests serve and edit.
order: 1
---

Hello from the home page. The mass was {fact fact-one}. See [the other page](other.md).
""",
    "other.md": """\
---
title: The other page
description: A second page of the scratch site that the dev-server tests serve and edit.
order: 2
---

Original words on the other page{cite src-two}.
""",
    "sources.md": """\
---
title: Sources
description: Every source the scratch site cites, listed by publisher, for the serve tests.
template: sources.html
---

All the sources.
""",
}


@pytest.fixture
def serve_site(tmp_path: Path) -> Path:
    """A small complete site: content (data with `site:`, two sources, one fact, three pages)
    and copies of the project's templates and static files."""
    content = tmp_path / "content"
    (content / "data").mkdir(parents=True)
    (content / "data" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for name, text in PAGES.items():
        (content / name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "static", tmp_path / "static")
    return tmp_path


# -- coalescing and ignoring --------------------------------------------------------------------

def test_debouncer_turns_a_burst_into_one_batch():
    debouncer = Debouncer(quiet=0.05)
    assert debouncer.wait(0.0) is None and not debouncer.due(0.0)
    for i in range(10):  # ten saves, 10 ms apart
        debouncer.add({f"/site/content/page-{i}.md"}, now=i * 0.01)
        assert not debouncer.due(i * 0.01)
    assert not debouncer.due(0.09 + 0.049)
    assert debouncer.wait(0.09) == pytest.approx(0.05)
    assert debouncer.due(0.09 + 0.05)
    batch = debouncer.take()
    assert len(batch) == 10
    assert debouncer.wait(1.0) is None and debouncer.take() == frozenset()


def test_debouncer_ignores_empty_changes_and_restarts_the_quiet_period():
    debouncer = Debouncer(quiet=0.1)
    debouncer.add([], now=0.0)
    assert debouncer.wait(0.0) is None
    debouncer.add(["/a"], now=0.0)
    debouncer.add([], now=0.08)  # a poll that saw nothing does not extend the wait
    assert debouncer.due(0.1)
    debouncer.add(["/a"], now=0.1)  # the same file again: still one path, later deadline
    assert not debouncer.due(0.15) and debouncer.due(0.2)
    assert debouncer.take() == frozenset({"/a"})


def test_ignore_predicate_uses_absolute_paths(tmp_path: Path, monkeypatch):
    out, cache = tmp_path / "serve" / "www", tmp_path / ".cache" / "factsheet"
    ignored = make_ignore([out, cache])
    content = tmp_path / "content"
    assert not ignored(str(content / "far-side.md"))
    assert not ignored(str(content / "data" / "site.yaml"))
    assert ignored(str(out / "index.html")) and ignored(str(out))
    assert ignored(str(cache / "pages" / "ab" / "x.meta"))
    assert not ignored(str(tmp_path / "serve-notes.md"))  # a prefix of the name is not inside
    monkeypatch.chdir(tmp_path)  # a relative path is made absolute before it is compared
    assert ignored("serve/www/far-side/index.html")
    assert not ignored("content/index.md")
    for junk in (".far-side.md.swp", ".far-side.md.swx", "far-side.md~", ".#far-side.md",
                 "#far-side.md#", "4913", "site.yaml.tmp", ".DS_Store"):
        assert ignored(str(content / junk)), junk
    for folder in (".git", "__pycache__", "node_modules"):
        assert ignored(str(tmp_path / folder / "x.py")), folder


def test_scan_sees_edits_additions_and_removals_but_not_junk(tmp_path: Path):
    content = tmp_path / "content"
    (content / "data").mkdir(parents=True)
    (content / "a.md").write_text("a")
    (content / "data" / "d.yaml").write_text("d")
    code = tmp_path / "pkg"
    code.mkdir()
    (code / "m.py").write_text("x = 1")
    (code / "notes.txt").write_text("not code")
    out = content / "_out"  # an excluded folder, even inside a watched one
    out.mkdir()
    (out / "index.html").write_text("x")
    roots = [WatchRoot(content), WatchRoot(code, recursive=False, suffixes=(".py",))]
    ignored = make_ignore([out])
    before = scan(roots, ignored)
    assert set(before) == {str(content / "a.md"), str(content / "data" / "d.yaml"),
                           str(code / "m.py")}
    (content / "a.md").write_text("ab")
    (content / "b.md").write_text("b")
    (content / "data" / "d.yaml").unlink()
    (content / ".a.md.swp").write_text("swap")
    (out / "index.html").write_text("rebuilt")
    (code / "notes.txt").write_text("still not code")
    after = scan(roots, ignored)
    assert changed_paths(before, after) == {str(content / "a.md"), str(content / "b.md"),
                                            str(content / "data" / "d.yaml")}
    assert changed_paths(after, scan(roots, ignored)) == set()


# -- answering like GitHub Pages -----------------------------------------------------------------

@pytest.fixture
def served(tmp_path: Path) -> Path:
    out = tmp_path / "www" / "repo"
    for rel in ("index.html", "far-side/index.html", "about.html", "404.html",
                "static/style.css", "empty/.keep"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel)
    (tmp_path / "www" / "secret.txt").write_text("outside the site")
    return out


def test_resolve_serves_pretty_urls_under_the_base_path(served: Path):
    assert resolve(served, "/repo/", "/repo/") == (200, served / "index.html", None)
    assert resolve(served, "/repo/", "/repo/far-side/").file == served / "far-side/index.html"
    assert resolve(served, "/repo/", "/repo/far-side") == (301, None, "/repo/far-side/")
    assert resolve(served, "/repo/", "/repo") == (301, None, "/repo/")
    assert resolve(served, "/repo/", "/") == (302, None, "/repo/")
    assert resolve(served, "/repo/", "/repo/about").file == served / "about.html"
    assert resolve(served, "/repo/", "/repo/static/style.css").status == 200
    assert resolve(served, "/repo/", "/repo/far-side/index.html").status == 200


def test_resolve_answers_404_with_the_custom_page(served: Path):
    for path in ("/repo/nope/", "/repo/nope", "/far-side/", "/repo/empty", "/repo/empty/",
                 "/repo/static/"):
        assert resolve(served, "/repo/", path) == (404, served / "404.html", None), path
    (served / "404.html").unlink()
    assert resolve(served, "/repo/", "/repo/nope/") == (404, None, None)


def test_resolve_refuses_traversal_and_hidden_files(served: Path):
    for path in ("/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E/secret.txt",
                 "/repo/far-side/../../secret.txt", "/repo/..%2fsecret.txt",
                 "/repo/..%5csecret.txt", "/repo/empty/.keep", "/repo/%00", "/../../etc/passwd"):
        found = resolve(served, "/repo/", path)
        assert found.status == 404 and found.file in (None, served / "404.html"), path
    (served / "link.txt").symlink_to(served.parent / "secret.txt")
    assert resolve(served, "/repo/", "/repo/link.txt").status == 404


def test_inject_places_script_and_overlay_without_touching_the_rest():
    page = b"<!doctype html><html><HEAD><title>t</title></HEAD><body><p>x</p></BODY></html>"
    served = inject(page, "<script>live()</script>", overlay_html(["content/a.md:3: bad <b>"]))
    assert served.startswith(b"<!doctype html><html><HEAD><title>t</title><script>live()")
    assert served.index(OVERLAY_ID.encode()) < served.index(b"</BODY>")
    assert b"content/a.md:3: bad &lt;b&gt;" in served
    assert inject(page, "") == page
    assert inject(b"no markup", "<s>") == b"<s>no markup"


def test_only_tabs_showing_a_changed_page_reload(served: Path):
    state = ServeState(served.parent, served, "/repo/")
    tabs = {"home": "http://127.0.0.1:1/repo/", "far": "http://127.0.0.1:1/repo/far-side/",
            "lost": "http://127.0.0.1:1/repo/nope/", "unknown": None}
    assert set(tabs_to_reload(tabs, ["far-side/index.html"], state, False)) == {"far", "unknown"}
    assert set(tabs_to_reload(tabs, ["404.html"], state, False)) == {"lost", "unknown"}
    assert set(tabs_to_reload(tabs, ["sitemap.xml"], state, False)) == {"unknown"}
    assert set(tabs_to_reload(tabs, ["static/style.css"], state, False)) == set(tabs)
    assert set(tabs_to_reload(tabs, [], state, True)) == set(tabs)


# -- incremental rebuilds (LiveOutput) -------------------------------------------------------------

def live_build(site: Path):
    config, errors = make_config(ROOT, content=site / "content", templates=site / "templates",
                                 static=site / "static", out=site / "_site",
                                 cache=site / "cache")
    assert not errors
    config = dataclasses.replace(config, out_dir=site / "live")
    live, store = LiveOutput(config.out_dir), MemoryStore()
    first = build(config, store, live)
    assert "other/index.html" in first.changed and "sources/index.html" in first.changed
    return lambda: set(build(config, store, live).changed)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_editing_one_page_rewrites_only_that_page(serve_site: Path):
    rebuild = live_build(serve_site)
    assert rebuild() == set()
    edit(serve_site / "content" / "other.md", "Original words", "Edited words")
    assert rebuild() == {"other/index.html"}
    assert "Edited words" in (serve_site / "live" / "other" / "index.html").read_text()


def test_a_template_edit_rewrites_every_page(serve_site: Path):
    rebuild = live_build(serve_site)
    edit(serve_site / "templates" / "base.html", "</body>", "<!-- edited --></body>")
    assert {"index.html", "other/index.html", "sources/index.html"} <= rebuild()


def test_a_title_change_rewrites_every_page_through_the_navigation(serve_site: Path):
    rebuild = live_build(serve_site)
    edit(serve_site / "content" / "other.md", "title: The other page", "title: A renamed page")
    assert {"index.html", "other/index.html", "sources/index.html"} <= rebuild()
    assert "A renamed page" in (serve_site / "live" / "index.html").read_text()


def test_citing_another_source_rerenders_the_sources_page(serve_site: Path):
    rebuild = live_build(serve_site)
    edit(serve_site / "content" / "other.md", "{cite src-two}", "{cite src-two}{cite src-one}")
    changed = rebuild()
    assert {"other/index.html", "sources/index.html"} <= changed
    assert "index.html" not in changed


def test_reloaded_generator_code_keeps_the_served_state(serve_site: Path):
    """A code change re-imports factsheet.* afresh; the LiveOutput's record carries over, so the
    next edit still rewrites one file. In a subprocess: the purge must not touch pytest's own
    imports of factsheet."""
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from factsheet.config import make_config
from factsheet.serve import Builder
site = Path({str(serve_site)!r})
config, _ = make_config(Path({str(ROOT)!r}), content=site / "content",
                        templates=site / "templates", static=site / "static",
                        out=site / "_site", cache=site / "cache")
builder = Builder(config, site / "live")
builder.build()
old = builder.site
builder.reload_code([])
assert builder.site is not old and sys.modules["factsheet.site"] is builder.site
page = site / "content" / "other.md"
page.write_text(page.read_text().replace("Original words", "Reloaded words"))
print(sorted(builder.build().changed))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['other/index.html']"


def test_failures_are_reported_as_path_line_message(tmp_path: Path):
    error = SyntaxError("invalid syntax", (str(ROOT / "factsheet" / "x.py"), 7, 1, "def (", 7, 2))
    assert describe_failure(error, ROOT) == ["factsheet/x.py:7: SyntaxError: invalid syntax"]
    try:
        {}["missing"]
    except KeyError as exc:
        (line,) = describe_failure(exc, ROOT)
    assert re.fullmatch(r"tests/test_serve\.py:\d+: internal error: KeyError: 'missing'", line)


# -- the server, end to end ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python build.py serve` on the scratch site, its output read line by line."""

    def __init__(self, site: Path, *extra: str):
        self.port = free_port()
        self.site = site
        self.tmp = site / "tmp"  # the server's scratch folder goes here (TMPDIR)
        self.tmp.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "build.py"), "serve", "--port", str(self.port),
             "--content", str(site / "content"), "--templates", str(site / "templates"),
             "--static", str(site / "static"), "--out", str(site / "_site"),
             "--cache", str(site / "cache"), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env={**os.environ, "TMPDIR": str(self.tmp)})
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for(r"^Serving (http://\S+)").split()[1]

    def _read(self) -> None:
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r} in {timeout} s; "
                                     f"output so far: {self.lines}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.lines.append(line)
            if re.search(pattern, line):
                return line

    def settle(self, seconds: float = 0.6) -> None:
        """Read output for a while (to count builds after the last expected one)."""
        with contextlib.suppress(AssertionError):
            self.wait_for(r"(?!)", timeout=seconds)

    def get(self, path: str, host: str | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.putrequest("GET", path, skip_host=host is not None)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def wait_page(self, path: str, predicate, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.get(path)[2]
            if predicate(body):
                return body
            time.sleep(0.05)
        raise AssertionError(f"{path} never matched; last body: {body[-500:]}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def server(serve_site: Path):
    running = Server(serve_site)
    yield running
    running.stop()


def test_serve_rebuilds_shows_the_overlay_and_recovers(server: Server, serve_site: Path):
    status, headers, body = server.get("/other/")
    assert status == 200 and "Original words" in body and "/livereload.js" in body
    assert OVERLAY_ID not in body

    page = serve_site / "content" / "other.md"
    edit(page, "Original words", "Edited words")
    server.wait_page("/other/", lambda b: "Edited words" in b)
    server.wait_for(r"^Rebuilt in \d+ ms")

    data = serve_site / "content" / "data" / "site.yaml"
    good = data.read_text(encoding="utf-8")
    data.write_text(good.replace("  title: Serve Test Site", "  title: [Serve Test", 1))
    body = server.wait_page("/other/", lambda b: OVERLAY_ID in b)
    assert "Edited words" in body  # the last good build is still what is served
    assert re.search(r"content/data/site\.yaml:\d+: ", body), body
    assert OVERLAY_ID in server.get("/")[2] and OVERLAY_ID in server.get("/missing/")[2]
    server.wait_for(r"^Build failed")
    failure_lines = [line for line in server.lines
                     if "site.yaml:" in line and ": warning: " not in line]
    assert len(failure_lines) == 1 and "Traceback" not in "\n".join(server.lines)

    data.write_text(good)
    body = server.wait_page("/other/", lambda b: OVERLAY_ID not in b)
    assert "Edited words" in body


def test_a_burst_of_writes_gives_one_build(server: Server, serve_site: Path):
    page = serve_site / "content" / "other.md"
    text = page.read_text(encoding="utf-8")
    builds_before = sum(line.startswith("Rebuilt") for line in server.lines)
    for i in range(10):  # an editor or a checkout writing again and again, a few ms apart
        page.write_text(text.replace("Original words", f"Burst {i} words"), encoding="utf-8")
        time.sleep(0.003)
    server.wait_page("/other/", lambda b: "Burst 9 words" in b)
    server.wait_for(r"^Rebuilt")
    server.settle(0.8)
    assert sum(line.startswith("Rebuilt") for line in server.lines) - builds_before == 1


def test_http_answers_like_github_pages(server: Server):
    status, headers, body = server.get("/missing/page/")
    assert status == 404 and "Page not found" in body
    status, headers, _ = server.get("/other")
    assert status == 301 and headers["Location"] == "/other/"
    for path in ("/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/../../x",
                 "/..%2f..%2fetc%2fpasswd"):
        status, _, body = server.get(path)
        assert status in (400, 403, 404) and "root:" not in body, path
    assert server.get("/static/")[0] == 404  # no directory listing
    assert server.get("/", host="attacker.example")[0] == 403  # DNS rebinding


def test_serve_mounts_the_site_at_the_base_path(serve_site: Path):
    running = Server(serve_site, "--base-path", "/repo/")
    try:
        assert running.url.endswith(f":{running.port}/repo/")
        status, _, body = running.get("/repo/other/")
        assert status == 200 and 'href="/repo/' in body
        assert running.get("/repo")[1]["Location"] == "/repo/"
        assert running.get("/other/")[0] == 404
    finally:
        running.stop()


def test_serve_binds_loopback_and_stops_cleanly_on_ctrl_c(server: Server):
    assert server.url.startswith("http://127.0.0.1:")
    listening = Path("/proc/net/tcp")
    if listening.exists():  # the socket is bound to 127.0.0.1 (0100007F), not 0.0.0.0
        port = f":{server.port:04X} "
        rows = [row.split() for row in listening.read_text().splitlines()[1:]]
        local = [row[1] for row in rows if row[1].endswith(port.strip()) and row[3] == "0A"]
        assert local == [f"0100007F:{server.port:04X}"]
    assert list(server.tmp.glob("factsheet-serve-*"))  # the scratch folder it serves
    assert server.stop() in (0, 130)
    assert "Traceback" not in "\n".join(server.lines)
    assert list(server.tmp.iterdir()) == []  # removed on the way out


def test_nothing_the_server_adds_lands_in_a_build(server: Server, serve_site: Path):
    assert "livereload" in server.get("/")[2]
    out = serve_site / "built"
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--content",
         str(serve_site / "content"), "--templates", str(serve_site / "templates"),
         "--static", str(serve_site / "static"), "--out", str(out),
         "--cache", str(serve_site / "cache")],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert b"livereload" not in text and OVERLAY_ID.encode() not in text, path
    assert not (serve_site / "_site").exists()  # serve never writes the --out folder
