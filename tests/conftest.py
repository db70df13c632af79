"""Fixtures: a tiny complete site per test in tmp_path, and one session-wide build of content/.

The ladder (after Lektor): `scratch_site` is a small site that builds cleanly with the project's
real templates and static files; a test breaks exactly one thing in it (`site.write(...)`) and
asserts what a user would see. `site.build()` calls `factsheet.site.build(config)` in-process;
`run_build` runs the command line's main() in-process too (its exit status and output);
`run_build_process` runs build.py in a Python of its own, for what only a process shows.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from factsheet.config import make_config
from factsheet.errors import BuildError
from factsheet.pages import find_sources
from factsheet.site import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("build", "check", "serve")

SITE_YAML = """\
site:
  title: Scratch Side
  tagline: "Chang'e-6 and the Moon's hidden hemisphere"
  url: https://example.org/scratch
  language: en
  author: Scratch editors
"""

FACTS_YAML = """\
sources:
  - id: src-a
    title: "Chang'e-6 returns 1,935.3 grams"
    publisher: Agency A
    url: https://a.example.org/ce6
    published: "2024-06-28"
    accessed: "2026-11-24"
  - id: src-b
    title: Basin survey
    publisher: Observatory B
    accessed: "2026-11"
  - id: src-c
    title: Landing list
    publisher: Archive C
    url: https://c.example.org/list
    accessed: "2026"

groups:
  - id: landings
    title: Lunar landings
    label_header: Mission
    value_header: Landed (UTC)
    columns:
      - {key: operator, label: Operator}
      - {key: outcome, label: Outcome}

facts:
  - id: mass
    label: Sample mass returned
    type: quantity
    value: 1935.3
    unit: g
    as_of: "2024-06-28"
    sources: [src-a]
  - id: diameter
    label: Basin diameter
    type: quantity
    value: 2500
    unit: km
    qualifier: about
    as_of: "2017"
    sources: [src-b]
  - id: launch-day
    label: Launch
    type: date
    value: "2024-05-03"
    as_of: "2024-05-03"
    sources: [src-a]
  - id: landing
    label: Landing
    type: datetime
    value: "2024-06-02T06:23+08:00"
    local: Beijing time
    as_of: "2024-06-02"
    sources: [src-a, src-c]
  - id: site-coords
    label: Landing site
    type: coordinates
    value: {lat: -41.6385, lon: -153.9852}
    as_of: "2024-06-02"
    sources: [src-b]
  - id: depth
    label: Basin depth
    type: range
    value: {min: 6.2, max: 8.2}
    unit: km
    as_of: "2017"
    sources: [src-b]
  - id: motto
    label: Motto
    type: text
    value: "Chang'e goes -- far"
    as_of: "2024"
    sources: [src-a]
  - id: ce6-row
    label: "Chang'e-6"
    type: date
    value: "2024-06-01"
    as_of: "2024-06-01"
    sources: [src-c]
    group: landings
    attributes: {operator: CNSA, outcome: Success}
  - id: slim-row
    label: SLIM
    type: date
    value: "2024-01-19"
    as_of: "2024-01-19"
    sources: [src-c]
    group: landings
    attributes: {operator: JAXA, outcome: Landed upside down}
"""

INDEX_MD = """\
---
title: "Chang'e-6 at home"
description: "A scratch page about Chang'e-6 and the far side of the Moon, for the tests."
order: 1
infobox: [mass, landing]
---
## Chang'e-6 at a glance

The capsule brought back {fact mass} on {fact landing}. It launched on {fact launch-day}.

A note[^1] and a statement{cite src-b}. See [the depths](far-side.md#depths), the
[far side](/far-side/) and the [guide](guide/index.md). Code stays: `Chang'e "x" -- y`.

{facts-table landings}

[^1]: A hand-written footnote.
"""

FAR_SIDE_MD = """\
---
title: The far side
description: "The hemisphere of the Moon that never faces Earth, and its largest basin."
order: 2
---
## Depths

The basin is {fact diameter} across and {fact depth} deep. The lander sat at {fact site-coords}.
The motto: {fact motto}. Back [home](index.md).
"""

GUIDE_MD = """\
---
title: Guide
description: "A page in a folder, to test folder URLs and relative links between pages."
---
## Reading

Start with [the depths](../far-side.md#depths).
"""


# Scratch sites go to /dev/shm (memory) where it has room: a test run makes and deletes about
# 60,000 small files, and on this machine's disk that costs from 7 to 21 s of system time
# depending on the disk's writeback, against 5 s in memory. Docker's default /dev/shm (64 MB)
# is too small and falls back to the usual temporary folder; so does an explicit --basetemp or
# PYTEST_DEBUG_TEMPROOT (pytest's own setting for the root of its numbered run folders).
MEMORY_TEMPROOT = Path("/dev/shm")
MEMORY_TEMPROOT_ROOM = 1 << 30  # bytes free: the suites' scratch folders peak at about 60 MB


def memory_temproot() -> Path | None:
    try:
        stat = os.statvfs(MEMORY_TEMPROOT)
    except OSError:
        return None
    roomy = stat.f_bavail * stat.f_frsize >= MEMORY_TEMPROOT_ROOM
    return MEMORY_TEMPROOT if roomy and os.access(MEMORY_TEMPROOT, os.W_OK | os.X_OK) else None


def pytest_configure(config: pytest.Config) -> None:
    # Builds date their citations by SOURCE_DATE_EPOCH when it is set: one exported in the
    # shell that runs the tests would reach the in-process builds but not the processes that
    # run_build_process and spawn start without it. A test that wants it sets it.
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    # Only the controlling process decides: pytest-xdist hands each worker a folder inside the
    # controller's run folder (popen-gwN) as its --basetemp.
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    if (root := memory_temproot()) is not None:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(root)


def verify_every_fact(site: ScratchSite, day: date | None = None) -> None:
    """Make the scratch data pass the stale-fact checks: every fact, in every data file,
    verified on `day` (today by default) and quoted by a passage in each source it cites."""
    files = {
        path: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for path in sorted(site.data.glob("*.yaml"))
    }
    sources = {
        source["id"]: source for data in files.values() for source in data.get("sources", [])
    }
    for data in files.values():
        for fact in data.get("facts", []):
            fact["verified"] = (day or date.today()).isoformat()
            for source_id in fact.get("sources", []):
                if source_id in sources:
                    passages = sources[source_id].setdefault("passages", {})
                    passages[fact["id"]] = f"the words behind {fact['id']}"
    for path, data in files.items():
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path, with a hash of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class ScratchSite:
    """A site in a temporary folder: ROOT/content/, content/data/, templates/, static/, with the
    output (_site/) and the cache (.cache/) beside ROOT."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def data(self) -> Path:
        return self.content / "data"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def out(self) -> Path:
        return self.root.parent / "_site"

    @property
    def cache(self) -> Path:
        return self.root.parent / ".cache"

    def write(self, rel: str, text: str) -> Path:
        """Write a file relative to the site's root (dedented), creating folders."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> Path:
        """Replace one exact piece of an existing file (fails loudly if it is not there)."""
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    def line_of(self, rel: str, needle: str) -> int:
        """The first line of a site file containing `needle`, so tests name lines robustly."""
        for number, line in enumerate((self.root / rel).read_text().splitlines(), 1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {rel}")

    def html(self, rel: str = "index.html", out: Path | None = None) -> str:
        return ((out or self.out) / rel).read_text(encoding="utf-8")

    def config(self, **overrides):
        settings = dict(
            content="content",
            templates="templates",
            static="static",
            out=self.out,
            cache=self.cache,
            jobs=1,
        )
        settings.update(overrides)
        config, errors = make_config(self.root, **settings)
        assert not errors, [str(e) for e in errors]
        return config

    def build(self, **overrides) -> BuildResult:
        """Build in-process (paths in messages are relative to the site's root)."""
        return build_site(self, **overrides)

    def errors(self, **overrides) -> list[str]:
        """Build in-process expecting failure; every reported problem as `path:line: message`."""
        with pytest.raises(BuildError) as failure:
            build(self.config(**overrides))
        return [str(error) for error in failure.value.errors]

    def run(self, *args: str, env: dict[str, str] | None = None):
        return run_build(self, *args, env=env)


def build_site(site: ScratchSite, **overrides) -> BuildResult:
    """`factsheet.site.build(config)` for a scratch site, in this process."""
    return build(site.config(**overrides))


def folder_options(site: ScratchSite, skip: Iterable[str] = ()) -> list[str]:
    """The site's folders as build.py's options (`--content C --templates T ...`), but for the
    options in `skip` (already given, or one a command does not take: serve's --out)."""
    folders = {
        "--content": site.content,
        "--templates": site.templates,
        "--static": site.static,
        "--out": site.out,
        "--cache": site.cache,
    }
    return [
        part
        for option, folder in folders.items()
        if option not in skip
        for part in (option, str(folder))
    ]


def run_build(site: ScratchSite, *args: str, env: dict[str, str] | None = None):
    """`build.py [COMMAND] ARGS` with the site's folders, run by build.py's own main() in this
    process: its exit status and what it printed, as a finished subprocess would give them.

    This skips only interpreter start-up and imports (about 0.2 s a call); tests of the process
    itself (signals, locks between processes, --debug's traceback) use run_build_process."""
    argv = command_line(site, args)
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        # the environment and folder run_build_process gives its child
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.chdir(ROOT)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = build_command().main(argv)
            except SystemExit as leaving:  # argparse's errors and --help
                code = leaving.code  # as Python exits with it: None is 0, a message is 1
                status = 0 if code is None else code if isinstance(code, int) else 1
    return subprocess.CompletedProcess(argv, status, stdout.getvalue(), stderr.getvalue())


def run_build_process(site: ScratchSite, *args: str, env: dict[str, str] | None = None):
    """`python build.py [COMMAND] ARGS` from the project root, with the site's folders, in a
    process of its own."""
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "build.py", *command_line(site, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def command_line(site: ScratchSite, args: Iterable[str]) -> list[str]:
    """build.py's arguments: the command first, then ARGS and the site's folders not given."""
    args_list = list(args)
    command = [args_list.pop(0)] if args_list and args_list[0] in COMMANDS else []
    return [*command, *args_list, *folder_options(site, skip=set(args_list))]


@functools.cache
def build_command():
    """build.py, imported as a module (it is a script beside the package, not part of it)."""
    spec = importlib.util.spec_from_file_location("far_side_build_command", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_scratch_site(root: Path) -> ScratchSite:
    site = ScratchSite(root.resolve())
    shutil.copytree(ROOT / "templates", site.templates)
    shutil.copytree(ROOT / "static", site.static)
    site.write("content/data/site.yaml", SITE_YAML)
    site.write("content/data/facts.yaml", FACTS_YAML)
    site.write("content/data/names.yaml", 'names: ["Chang\'e-#"]\n')  # numbers in names
    site.write("content/index.md", INDEX_MD)
    site.write("content/far-side.md", FAR_SIDE_MD)
    site.write("content/guide/index.md", GUIDE_MD)
    return site


@pytest.fixture
def scratch_site(tmp_path: Path) -> ScratchSite:
    """A tiny, complete site that builds cleanly; break one thing per test."""
    return make_scratch_site(tmp_path / "site")


@pytest.fixture
def built_site(scratch_site: ScratchSite) -> ScratchSite:
    """The scratch site, built once under the base path /moon/."""
    scratch_site.build(base_path="/moon/")
    return scratch_site


@pytest.fixture(name="run_build")
def run_build_fixture():
    return run_build


@pytest.fixture(name="run_build_process")
def run_build_process_fixture():
    return run_build_process


@pytest.fixture(name="build_site")
def build_site_fixture():
    return build_site


@dataclass(frozen=True)
class RealSite:
    out: Path
    base_path: str
    result: BuildResult


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> RealSite:
    """The project's own content/, built once per test run under the base path /moon/: the
    first of pytest-xdist's workers to ask builds it, the others wait and share it."""
    content = ROOT / "content"
    if not find_sources(content, content / "data"):
        pytest.skip("content/ has no pages yet")
    shared = run_folder(tmp_path_factory, worker_id)
    folder, record = shared / "real-site", shared / "real-site.pickle"
    with open(shared / "real-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            config, errors = make_config(
                ROOT, out=folder / "_site", cache=folder / "cache", base_path="/moon/"
            )
            assert not errors, [str(e) for e in errors]
            try:
                outcome: BuildResult | str = build(config)
            except BuildError as failure:
                outcome = str(failure)
            record.write_bytes(pickle.dumps(outcome))
        outcome = pickle.loads(record.read_bytes())
    if isinstance(outcome, str):
        pytest.fail("the real content/ does not build:\n" + outcome, pytrace=False)
    return RealSite(folder / "_site", "/moon/", outcome)


def run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder shared by every pytest-xdist worker of this test run (the parent of each
    worker's own temporary folder), or this process's when there are no workers."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def prose(html: str) -> str:
    """The Markdown part of a built page: the inside of <div class="prose"> up to the list of
    references, whatever else the template puts around it."""
    start = html.index('<div class="prose">') + len('<div class="prose">')
    depth = 1
    for tag in re.finditer(r"<(/?)div\b[^>]*>", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            inner = html[start : start + tag.start()]
            return inner.split('<section class="references"')[0].strip()
    raise AssertionError('<div class="prose"> is not closed')


class HtmlDoc(HTMLParser):
    """Every id, and every link (href/src) with its line, of one HTML file."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[tuple[str, str, int]] = []  # (attribute, value, line)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append((name, attributes[name], self.getpos()[0]))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        """Attributes of every `tag` whose attributes include `wanted` (class_ for class)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in wanted.items()}
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())
        ]


# ---------------------------------------------------------------------------------------------
# The real site in a real browser, shared by every browser test in the run (defined here, once:
# Playwright's sync API cannot run two sessions in one thread, which a fixture imported into a
# second test module would start)


@pytest.fixture(scope="session")
def browser_site(request, tmp_path_factory) -> Path:
    """The site the browser tests load under their base path: the real site's build (the
    same base path), or FACTSHEET_TEST_CONTENT's content built once in its own folder."""
    from test_browser import BASE

    content = os.environ.get("FACTSHEET_TEST_CONTENT")
    if content is None:
        real: RealSite = request.getfixturevalue("real_site")
        assert real.base_path == BASE
        return real.out
    out = tmp_path_factory.mktemp("site") / "out"
    cache = tmp_path_factory.mktemp("cache")
    config, errors = make_config(ROOT, content=content, out=out, cache=cache, base_path=BASE)
    assert not errors, errors
    build(config)
    return out


@contextmanager
def serving(folder: Path, pages: bool = True) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1, in a thread, the way GitHub Pages serves a project page
    (test_browser.PagesHandler, under its base path), or plainly with `pages=False`; yields
    the origin."""
    import functools
    import http.server

    from test_browser import PagesHandler

    handler_class = PagesHandler if pages else http.server.SimpleHTTPRequestHandler
    handler = functools.partial(handler_class, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def server(browser_site):
    """The built site served on 127.0.0.1 the way GitHub Pages serves a project page."""
    with serving(browser_site) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from test_browser import CHROMIUM_ARGS, require_chromium

    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def in_own_thread(function, *args):
    """`function(*args)` in a thread of its own, its result returned and its exception raised
    here: the browser tests' Playwright session (sync API) keeps an event loop running in the
    main thread, beside which neither asyncio.run nor a second Playwright session can start."""
    outcome: dict[str, object] = {}

    def body() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed to the caller's thread, below
            outcome["error"] = exc

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]
