"""The one URL model: a request path -> (status, file) exactly as GitHub Pages answers, used by
the dev server, `check` and the tests. Pure functions over a folder in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from factsheet.check import check_built_site
from factsheet.github_pages import MAX_URL_BYTES, built_file, resolve


@pytest.fixture
def served(tmp_path: Path) -> Path:
    out = tmp_path / "www" / "repo"
    for rel in (
        "index.html",
        "far-side/index.html",
        "about.html",
        "404.html",
        "static/style.css",
        "empty/.keep",
        "über uns/index.html",
        ".well-known/security.txt",
    ):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel)
    (tmp_path / "www" / "secret.txt").write_text("outside the site")
    return out


def test_pretty_urls_under_the_base_path(served: Path):
    assert resolve(served, "/repo/", "/repo/") == (200, served / "index.html", None)
    assert resolve(served, "/repo/", "/repo/far-side/").file == served / "far-side/index.html"
    assert resolve(served, "/repo/", "/repo/far-side") == (301, None, "/repo/far-side/")
    assert resolve(served, "/repo/", "/repo") == (301, None, "/repo/")
    assert resolve(served, "/repo/", "/") == (302, None, "/repo/")
    assert resolve(served, "/repo/", "/repo/about").file == served / "about.html"
    assert resolve(served, "/repo/", "/repo/about.html").file == served / "about.html"
    assert resolve(served, "/repo/", "/repo/static/style.css").status == 200
    assert resolve(served, "/repo/", "/repo/far-side/index.html").status == 200
    encoded = resolve(served, "/repo/", "/repo/%C3%BCber%20uns/")
    assert encoded.file == served / "über uns/index.html"
    assert resolve(served, "/repo/", "/repo/.well-known/security.txt").status == 200


def test_the_site_at_the_root(served: Path):
    assert resolve(served, "/", "/").file == served / "index.html"
    assert resolve(served, "/", "/far-side") == (301, None, "/far-side/")
    assert resolve(served, "/", "/repo/").status == 404


def test_missing_paths_get_the_custom_404_page(served: Path):
    for path in (
        "/repo/nope/",
        "/repo/nope",
        "/far-side/",
        "/repo/empty",
        "/repo/empty/",
        "/repo/static/",
        "/repo/%ff/",
        "/repo/" + "x" * 300,
    ):
        assert resolve(served, "/repo/", path) == (404, served / "404.html", None), path
    (served / "404.html").unlink()
    assert resolve(served, "/repo/", "/repo/nope/") == (404, None, None)


def test_an_overlong_url_is_a_414_not_an_error(served: Path):
    assert resolve(served, "/repo/", "/repo/" + "a" * 60_000) == (414, None, None)
    assert resolve(served, "/repo/", "/repo/" + "a/" * (MAX_URL_BYTES // 2 - 4)).status == 404


def test_no_traversal_no_hidden_files_no_symlinks_out(served: Path):
    for path in (
        "/repo/../secret.txt",
        "/repo/%2e%2e/secret.txt",
        "/repo/%2E%2E/secret.txt",
        "/repo/far-side/../../secret.txt",
        "/repo/..%2fsecret.txt",
        "/repo/..%5csecret.txt",
        "/repo/empty/.keep",
        "/repo/%00",
        "/../../etc/passwd",
        "repo/index.html",
    ):
        found = resolve(served, "/repo/", path)
        assert found.status == 404 and found.file in (None, served / "404.html"), path
    (served / "link.txt").symlink_to(served.parent / "secret.txt")
    assert resolve(served, "/repo/", "/repo/link.txt").status == 404


def test_built_file_is_what_a_link_shows_without_a_redirect(served: Path):
    assert built_file(served, "/repo/", "/repo/far-side/") == served / "far-side/index.html"
    assert built_file(served, "/repo/", "/repo/far-side") is None  # a redirect, not a page
    assert built_file(served, "/repo/", "/repo/nope/") is None  # the 404 page is no target


def test_check_resolves_links_as_github_pages_does(served: Path):
    (served / "index.html").write_text(
        '<a href="/repo/about">pretty</a> <a href="/repo/%C3%BCber%20uns/">encoded</a>\n'
        '<a href="/repo/far-side">redirect</a>\n<a href="/repo/nope/">missing</a>\n'
    )
    problems = [(e.line, e.message) for e in check_built_site(served, "/repo/", "site")]
    assert problems == [(2, "broken link '/repo/far-side'"), (3, "broken link '/repo/nope/'")]
