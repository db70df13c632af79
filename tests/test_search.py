"""Search: a Pagefind index built with the site, served at /search/ under the base path, the
only page that runs JavaScript. The browser tests type a query in a real Chromium."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, HtmlDoc, in_own_thread, serving, tree_digest

from factsheet.errors import BuildError
from factsheet.search import BUNDLE, run_pagefind

BASE = "/moon/"
SEARCH_PAGE_CSP = "script-src 'self';"


@pytest.fixture
def search_site(scratch_site):
    """The scratch site with the project's own search page."""
    shutil.copy(ROOT / "content" / "search.md", scratch_site.content / "search.md")
    return scratch_site


def scripts(html: str) -> list[str]:
    """The src of every script that runs (JSON-LD data blocks are not scripts)."""
    doc = HtmlDoc(html)
    return [
        tag.get("src") or "(inline)"
        for tag in doc.find("script")
        if tag.get("type") != "application/ld+json"
    ]


def csp(html: str) -> str:
    [policy] = [
        tag["content"]
        for tag in HtmlDoc(html).find("meta")
        if tag.get("http-equiv") == "Content-Security-Policy"
    ]
    return policy


def test_the_build_writes_a_search_index_under_the_base_path(search_site):
    search_site.build(base_path=BASE)
    out = search_site.out
    assert (out / BUNDLE / "pagefind.js").is_file()
    assert (out / BUNDLE / "pagefind-ui.js").is_file()
    assert list((out / BUNDLE / "fragment").iterdir())  # one fragment per indexed page
    html = search_site.html("search/index.html")
    assert scripts(html)[0] == f"{BASE}pagefind/pagefind-ui.js"
    assert re.fullmatch(rf"{BASE}static/search\.[0-9a-f]+\.js", scripts(html)[1])
    doc = HtmlDoc(html)
    [box] = doc.find("div", id="search")
    assert box["data-bundle"] == f"{BASE}pagefind/" and box["data-base"] == BASE


def test_only_the_search_page_runs_scripts(search_site):
    search_site.build(base_path=BASE)
    for page in ("index.html", "far-side/index.html", "guide/index.html", "404.html"):
        html = search_site.html(page)
        assert scripts(html) == [], page
        assert "script-src 'none'" in csp(html), page
        assert f'href="{BASE}search/"' in html, page  # the header's search link
    assert SEARCH_PAGE_CSP in csp(search_site.html("search/index.html"))


def test_what_is_indexed_is_the_pages_main_content(search_site):
    search_site.build(base_path=BASE)
    assert '<main id="main" class="wrap" tabindex="-1" data-pagefind-body>' in search_site.html(
        "far-side/index.html"
    )
    # Neither the search page itself nor the 404 page is a search result.
    assert "data-pagefind-body" not in search_site.html("search/index.html")
    assert "data-pagefind-body" not in search_site.html("404.html")
    assert 'class="cite-this" data-pagefind-ignore' in search_site.html("far-side/index.html")


def test_without_javascript_the_search_page_points_elsewhere(search_site):
    search_site.build(base_path=BASE)
    doc = HtmlDoc(search_site.html("search/index.html"))
    [fallback] = doc.find("p", id="search-fallback")
    assert "hidden" not in fallback  # shown until the script replaces it
    # the index of facts: every number on the site, reachable without JavaScript
    paragraph = re.search(
        r'<p id="search-fallback".*?</p>', search_site.html("search/index.html"), re.S
    ).group(0)
    assert re.search(r'href="([^"]+)"', paragraph).group(1) == f"{BASE}facts/"


def test_the_index_is_reproducible(search_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764806400")
    search_site.build(base_path=BASE)
    first = tree_digest(search_site.out / BUNDLE)
    assert {(search_site.out / BUNDLE / rel).stat().st_mtime for rel in first} == {1764806400}
    shutil.rmtree(search_site.out)
    shutil.rmtree(search_site.cache)
    search_site.build(base_path=BASE)
    assert tree_digest(search_site.out / BUNDLE) == first


def test_a_build_with_no_change_does_not_index_again(search_site):
    search_site.build(base_path=BASE)
    index = search_site.out / BUNDLE / "pagefind-entry.json"
    before = index.stat().st_mtime_ns, index.stat().st_ino
    assert search_site.build(base_path=BASE).skipped
    assert (index.stat().st_mtime_ns, index.stat().st_ino) == before


def test_a_template_change_keeps_the_index_and_a_text_change_makes_a_new_one(search_site):
    search_site.build(base_path=BASE)
    index = search_site.out / BUNDLE / "pagefind-entry.json"
    first = index.stat().st_ino
    search_site.edit("templates/base.html", "every figure on this site", "every number here")
    search_site.build(base_path=BASE)
    assert "every number here" in search_site.html("far-side/index.html")
    assert index.stat().st_ino == first  # the same file, linked into the new site
    search_site.edit("content/far-side.md", "The basin is", "The great basin is")
    search_site.build(base_path=BASE)
    assert index.stat().st_ino != first
    fresh = tree_digest(search_site.out / BUNDLE)
    shutil.rmtree(search_site.out)
    shutil.rmtree(search_site.cache)
    search_site.build(base_path=BASE)
    assert tree_digest(search_site.out / BUNDLE) == fresh  # the same index a clean build makes


def test_a_site_without_a_search_page_has_no_index(scratch_site):
    scratch_site.build(base_path=BASE)
    assert not (scratch_site.out / BUNDLE).exists()
    assert f'href="{BASE}search/"' not in scratch_site.html()


def test_the_dev_servers_index_follows_edits(search_site):
    from factsheet.incremental import MemoryStore
    from factsheet.live_output import LiveOutput
    from factsheet.site import build

    config = search_site.config(base_path=BASE)
    store, live = MemoryStore(), LiveOutput(config.out_dir)
    build(config, store, live)
    live.search_thread.join()  # indexed in the background, after the reload
    first = tree_digest(config.out_dir / BUNDLE)
    search_site.edit("content/far-side.md", "The basin is", "The great basin is")
    build(config, store, live)
    live.search_thread.join()
    edited = tree_digest(config.out_dir / BUNDLE)
    assert edited != first
    shutil.rmtree(config.out_dir)
    search_site.build(base_path=BASE)
    assert tree_digest(search_site.out / BUNDLE) == edited


def test_a_page_cannot_take_the_index_folder(search_site):
    search_site.write("content/pf.md", "---\ntitle: P\ndescription: D\nslug: pagefind\n---\n")
    with pytest.raises(BuildError) as failure:
        search_site.build(base_path=BASE)
    assert [str(error) for error in failure.value.errors] == [
        "content/pf.md: writes into /pagefind/, the search index's folder: give it another slug"
    ]


# -- in a real browser --------------------------------------------------------------------------


@pytest.fixture
def served(search_site):
    """The scratch site built under /moon/ and served the way GitHub Pages serves it."""
    search_site.build(base_path=BASE)
    with serving(search_site.out) as origin:
        yield origin


LAYOUT_SHIFT_JS = """
new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 300);
})
"""


@pytest.fixture
def in_chromium():
    """Run `scenario(browser)` with its own Chromium, in a thread of its own: Playwright's sync
    API refuses to start beside another session's (test_browser.py's, in the same run)."""
    from test_browser import CHROMIUM_ARGS, require_chromium

    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    def scenario_in_chromium(scenario) -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                scenario(browser)
            finally:
                browser.close()

    def run(scenario) -> None:
        in_own_thread(scenario_in_chromium, scenario)

    return run


@pytest.mark.browser
def test_typing_a_query_finds_a_page_under_the_base_path(in_chromium, served):
    from test_browser import Watch, axe_violations

    def scenario(browser) -> None:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        watch = Watch(page, served)
        try:
            # As Lighthouse loads it (a slow phone on a slow network): the script then runs
            # after the first paint, where a swap that moves the page counts as layout shift.
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 150,
                    "downloadThroughput": 200_000,
                    "uploadThroughput": 100_000,
                },
            )
            page.goto(f"{served}{BASE}search/", wait_until="load")
            page.locator(".pagefind-ui__search-input").wait_for(timeout=15000)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            # Lighthouse counts the swap of the no-script note for the search box as layout
            # shift (CLS) unless the box takes the note's place without moving the page.
            shift = page.evaluate(LAYOUT_SHIFT_JS)
            assert shift < 0.01, f"the page shifts as search loads (CLS {shift:.3f})"
            # Named by a visible label (the page's heading), not only by a tooltip
            assert axe_violations(page, ["label", "label-title-only"]) == []
            page.locator(".pagefind-ui__search-input").fill("basin")
            # The page and the fact pages of the numbers it shows (the basin's diameter) match.
            results = page.locator(".pagefind-ui__result-link")
            results.first.wait_for(timeout=15000)
            hrefs = [link.get_attribute("href") for link in results.all()]
            assert all(href.startswith(BASE) for href in hrefs), hrefs
            assert f"{BASE}facts/diameter/" in hrefs, hrefs
            far_side = page.locator(f'.pagefind-ui__result-link[href^="{BASE}far-side/"]')
            # A section found in the page is named by its heading, without the "#" permalink
            sections = [link.inner_text() for link in far_side.all()[1:]]
            assert "Depths" in sections and not any("#" in name for name in sections), sections
            assert not page.locator("#search-fallback").is_visible()
            far_side.first.click()
            page.wait_for_url(f"{served}{BASE}far-side/**")
            assert page.locator("h1").inner_text() == "The far side"
            assert not watch.problems, watch.problems  # no CSP violation, no failed request
        finally:
            context.close()

    in_chromium(scenario)


@pytest.mark.browser
def test_without_javascript_the_search_page_shows_the_way_to_the_facts(in_chromium, served):
    def scenario(browser) -> None:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(f"{served}{BASE}search/", wait_until="load")
            fallback = page.locator("#search-fallback")
            assert fallback.is_visible() and "needs JavaScript" in fallback.inner_text()
            assert fallback.locator("a").first.get_attribute("href").startswith(BASE)
        finally:
            context.close()

    in_chromium(scenario)


PAGE = (
    "<!doctype html><html lang=en><head><title>Page {n}</title></head><body>"
    "<main data-pagefind-body><h1>Page {n}</h1><p>Crater {n} lies in basin {word}.</p>"
    "</main></body></html>"
)


def test_the_index_does_not_depend_on_the_order_pages_were_written(tmp_path):
    """Pagefind numbers pages in the order it walks them, and tmpfs (like btrfs) lists a
    folder's files in the order they were made, which differs between an incremental build
    and a clean one: the same pages, made in two orders, must give the same index."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        pytest.skip("no writable /dev/shm: ext4 lists in hash order, where order cannot show")
    words = ["Apollo", "Poincare", "Chebyshev", "Leibnitz", "Zeeman", "Bose"]
    pages = {"index.html": PAGE.format(n=0, word="Home")}
    pages |= {f"p{n}/index.html": PAGE.format(n=n, word=word) for n, word in enumerate(words)}
    bundles = []
    with tempfile.TemporaryDirectory(dir=shm) as root:
        for name, order in (("forward", sorted(pages)), ("backward", sorted(pages)[::-1])):
            site = Path(root) / name
            for rel in order:
                (site / rel).parent.mkdir(parents=True, exist_ok=True)
                (site / rel).write_text(pages[rel], encoding="utf-8")
            assert run_pagefind(site, site / BUNDLE) is None
            bundles.append(tree_digest(site / BUNDLE))
    assert bundles[0] == bundles[1]
