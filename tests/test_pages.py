"""Pages: front matter read strictly, with lines, and each page given its URL."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from factsheet.facts import PartialDate
from factsheet.pages import default_url_path, load_pages, read_page

GOOD = """\
---
title: "Chang'e-6"
description: A page.
---
Body.
"""


def write(content: Path, rel: str, text: str) -> Path:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def page_errors(tmp_path: Path, text: str, rel: str = "page.md") -> list[str]:
    content = tmp_path / "content"
    path = write(content, rel, text)
    page, errors = read_page(path, content, tmp_path)
    assert page is None
    return [str(e) for e in errors]


def read(tmp_path: Path, text: str, rel: str = "page.md"):
    content = tmp_path / "content"
    path = write(content, rel, text)
    page, errors = read_page(path, content, tmp_path)
    assert errors == [], [str(e) for e in errors]
    return page


@pytest.mark.parametrize(
    ("rel", "url"),
    [
        ("index.md", ""),
        ("far-side.md", "far-side/"),
        ("a/index.md", "a/"),
        ("a/b.md", "a/b/"),
    ],
)
def test_url_of_a_source_file(rel, url):
    assert default_url_path(rel) == url


def test_page_is_written_to_its_pretty_url(tmp_path):
    page = read(tmp_path, GOOD, "missions/far-side.md")
    assert (page.rel, page.shown) == ("missions/far-side.md", "content/missions/far-side.md")
    assert (page.url_path, page.output) == ("missions/far-side/", "missions/far-side/index.html")
    assert page.title == "Chang'e-6"
    assert page.body == "Body.\n"
    assert page.body_line == 5


def test_slug_overrides_the_url(tmp_path):
    page = read(tmp_path, GOOD.replace("description", "slug: lunar/race\ndescription"), "x.md")
    assert (page.url_path, page.output) == ("lunar/race/", "lunar/race/index.html")


def test_all_optional_keys(tmp_path):
    page = read(
        tmp_path,
        """\
        ---
        title: T
        description: D
        nav_title: Short
        order: 2
        updated: 2026-11-24
        template: sources.html
        infobox: [ce6-launch, ce6-sample-mass]
        ---
        """,
    )
    assert (page.nav_title, page.order, page.template) == ("Short", 2, "sources.html")
    assert page.updated == PartialDate(2026, 11, 24)
    assert page.infobox == ("ce6-launch", "ce6-sample-mass")


def test_unknown_front_matter_key_with_its_line(tmp_path):
    assert page_errors(tmp_path, GOOD.replace("description", "tilte: Oops\ndescription")) == [
        "content/page.md:3: unknown front matter key 'tilte' (allowed: description, draft,"
        " infobox, nav_title, order, slug, template, title, updated)"
    ]


def test_missing_title(tmp_path):
    assert page_errors(tmp_path, GOOD.replace('title: "Chang\'e-6"\n', "")) == [
        "content/page.md:1: front matter is missing required key 'title'"
    ]


def test_number_as_title(tmp_path):
    assert page_errors(tmp_path, GOOD.replace('title: "Chang\'e-6"', "title: 1.10")) == [
        "content/page.md:2: 'title' must be non-empty text (quote it if it looks like a number)"
    ]


def test_unclosed_front_matter(tmp_path):
    assert page_errors(tmp_path, "---\ntitle: T\ndescription: D\n\nBody.\n") == [
        "content/page.md:1: front matter is not closed: add a line '---' after it"
    ]


def test_no_front_matter(tmp_path):
    assert page_errors(tmp_path, "# Just Markdown\n") == [
        "content/page.md:1: a page must start with front matter: a line '---', YAML with "
        "title and description, '---'"
    ]


def test_front_matter_yaml_error_has_the_file_line(tmp_path):
    assert page_errors(tmp_path, "---\ntitle: T\ntitle: U\ndescription: D\n---\n") == [
        "content/page.md:3: invalid YAML: duplicate key 'title'"
    ]


@pytest.mark.parametrize("slug", ["../../x", "/etc", "a/../../b", "Far Side", "x.html"])
def test_slug_cannot_leave_the_site(tmp_path, slug):
    assert page_errors(tmp_path, GOOD.replace("description", f'slug: "{slug}"\ndescription')) == [
        f"content/page.md:3: slug {slug!r} must be lowercase words separated by hyphens or "
        "slashes, and cannot leave the site"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("order: first", "'order' must be a whole number"),
        ("order: 1.5", "'order' must be a whole number"),
        ("order: true", "'order' must be a whole number"),
        ("updated: 2026-11", "'updated' must be a date YYYY-MM-DD, got '2026-11'"),
        (
            "updated: 24 November 2026",
            "'updated' must be a date YYYY-MM-DD, got '24 November 2026'",
        ),
        ("infobox: ce6-launch", "'infobox' must be a list of fact ids"),
        ("infobox: [ce6 launch]", "'infobox' must be a list of fact ids"),
        ("template: ../base.html", "template '../base.html' must be a file name like page.html"),
    ],
)
def test_optional_keys_are_validated(tmp_path, line, message):
    text = GOOD.replace("description: A page.", f"description: A page.\n{line}")
    assert page_errors(tmp_path, text) == [f"content/page.md:4: {message}"]


def test_all_front_matter_errors_are_reported_together(tmp_path):
    text = "---\ntitle: T\ncolour: red\norder: x\n---\n"
    assert page_errors(tmp_path, text) == [
        "content/page.md:3: unknown front matter key 'colour' (allowed: description, draft,"
        " infobox, nav_title, order, slug, template, title, updated)",
        "content/page.md:1: front matter is missing required key 'description'",
        "content/page.md:4: 'order' must be a whole number",
    ]


def test_two_pages_writing_one_url_are_rejected(tmp_path):
    content = tmp_path / "content"
    write(content, "far-side.md", GOOD)
    write(content, "notes.md", GOOD.replace("description", "slug: far-side\ndescription"))
    pages, errors = load_pages(content, content / "data", tmp_path)
    assert [str(e) for e in errors] == [
        "content/notes.md:1: writes the same URL /far-side/ as content/far-side.md"
    ]


def test_folder_index_and_file_of_the_same_name_collide(tmp_path):
    content = tmp_path / "content"
    write(content, "guide.md", GOOD)
    write(content, "guide/index.md", GOOD)
    _, errors = load_pages(content, content / "data", tmp_path)
    assert [str(e) for e in errors] == [
        "content/guide.md:1: writes the same URL /guide/ as content/guide/index.md"
    ]


def test_pages_are_found_outside_data_and_hidden_folders(tmp_path):
    content = tmp_path / "content"
    for rel in ("index.md", "b.md", "a/index.md", "data/readme.md", "_drafts/x.md", ".git/y.md"):
        write(content, rel, GOOD)
    pages, errors = load_pages(content, content / "data", tmp_path)
    assert errors == []
    assert [p.rel for p in pages] == ["a/index.md", "b.md", "index.md"]


def test_line_of_finds_the_line_in_the_file(tmp_path):
    page = read(tmp_path, GOOD + "\nSee {fact nope} here.\n")
    assert page.line_of("{fact nope}") == 7
