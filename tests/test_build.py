"""Whole builds of the scratch site (and of the real content/): what a user of build.py sees."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from conftest import HtmlDoc, tree_digest, verify_every_fact

from factsheet.check import check_built_site
from factsheet.citations import LICENSE_URL
from factsheet.github_pages import built_file
from factsheet.output import OutputTree

BASE = "/moon/"


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def root_relative_links(out: Path) -> list[tuple[str, str]]:
    """(file, url) for every href/src starting with '/' in every built HTML file."""
    found = []
    for path in html_files(out):
        for _, value, _ in HtmlDoc(path.read_text(encoding="utf-8")).links:
            if value.startswith("/"):
                found.append((path.relative_to(out).as_posix(), value))
    return found


# ---------------------------------------------------------------------------------------------
# Bad input: exit status 1, one line per problem, no traceback


def shown(site, rel: str) -> str:
    """How the CLI (run from the project root) names a file of the scratch site."""
    return str(site.root / rel)


BAD_INPUTS = {
    "malformed yaml": (
        lambda s: s.edit("content/data/facts.yaml", "label: Launch\n", "label: [Launch\n"),
        lambda s: (
            f"{shown(s, 'content/data/facts.yaml')}:"
            f"{s.line_of('content/data/facts.yaml', 'label: [Launch') + 1}: "
            "invalid YAML: "
        ),
    ),
    "missing field": (
        lambda s: s.edit(
            "content/data/facts.yaml", '    unit: g\n    as_of: "2024-06-28"\n', "    unit: g\n"
        ),
        lambda s: (
            f"{shown(s, 'content/data/facts.yaml')}:"
            f"{s.line_of('content/data/facts.yaml', 'id: mass')}: "
            "fact 'mass' is missing required key 'as_of'"
        ),
    ),
    "unknown fact": (
        lambda s: s.edit("content/far-side.md", "{fact depth}", "{fact depths}"),
        lambda s: (
            f"{shown(s, 'content/far-side.md')}:"
            f"{s.line_of('content/far-side.md', '{fact depths}')}: "
            "unknown fact 'depths'"
        ),
    ),
    "broken link": (
        lambda s: s.edit("content/far-side.md", "(index.md)", "(home.md)"),
        lambda s: (
            f"{shown(s, 'content/far-side.md')}:"
            f"{s.line_of('content/far-side.md', '(home.md)')}: "
            "link to a page that does not exist: 'home.md'"
        ),
    ),
    "template syntax error": (
        lambda s: s.edit("templates/page.html", "{% if infobox %}", "{% if infobox %"),
        lambda s: (
            f"{shown(s, 'templates/page.html')}:"
            f"{s.line_of('templates/page.html', '{% if infobox %')}: "
            "template syntax error: "
        ),
    ),
    "undefined variable": (
        lambda s: s.edit("templates/page.html", "{{ content }}", "{{ contents }}"),
        lambda s: (
            f"{shown(s, 'templates/page.html')}:"
            f"{s.line_of('templates/page.html', '{{ contents }}')}: "
            "template error: 'contents' is undefined"
        ),
    ),
    "undefined attribute in a base template": (
        lambda s: s.edit("templates/base.html", "{{ site.title }}</a>", "{{ site.name }}</a>"),
        lambda s: (
            f"{shown(s, 'templates/base.html')}:"
            f"{s.line_of('templates/base.html', '{{ site.name }}')}: "
            "template error: "
        ),
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_1_with_path_and_line(scratch_site, case):
    breaking, expected = BAD_INPUTS[case]
    breaking(scratch_site)
    result = scratch_site.run("--base-path", BASE)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(expected(scratch_site)), result.stderr
    assert lines[-1] == (
        f"Build failed: 1 error; the previous site in {scratch_site.out} was left untouched."
    )
    assert not scratch_site.out.exists()


def test_all_errors_of_a_run_are_reported_together(scratch_site):
    scratch_site.edit("content/data/facts.yaml", "label: Basin depth", "label: 1.10")
    scratch_site.edit("content/far-side.md", "{fact motto}", "{fact mottos}")
    scratch_site.edit("content/index.md", "(guide/index.md)", "(guide.md)")
    result = scratch_site.run()
    assert result.returncode == 1
    facts_line = scratch_site.line_of("content/data/facts.yaml", "label: 1.10")
    # A data error does not stop the pages from being checked: one run, every problem.
    assert result.stderr.splitlines() == [
        f"{shown(scratch_site, 'content/data/facts.yaml')}:{facts_line}: 'label' of fact "
        "'depth' must be text, not a number (1.10) (quote it: \"1.10\")",
        f"{shown(scratch_site, 'content/far-side.md')}:"
        f"{scratch_site.line_of('content/far-side.md', 'mottos')}: unknown fact 'mottos' "
        "(did you mean 'motto'?)",
        f"{shown(scratch_site, 'content/index.md')}:"
        f"{scratch_site.line_of('content/index.md', 'guide.md')}: link to a page that does not "
        "exist: 'guide.md' (did you mean 'guide/index.md'?)",
        f"Build failed: 3 errors; the previous site in {scratch_site.out} was left untouched.",
    ]


def test_data_and_page_errors_are_reported_in_one_run(scratch_site):
    scratch_site.edit("content/data/facts.yaml", "label: Basin depth", "label: 1.10")
    scratch_site.write("content/broken.md", "---\ntitle: B\n---\nText.\n")
    assert scratch_site.errors() == [
        "content/broken.md:1: front matter is missing required key 'description'",
        f"content/data/facts.yaml:{scratch_site.line_of('content/data/facts.yaml', '1.10')}: "
        "'label' of fact 'depth' must be text, not a number (1.10) (quote it: \"1.10\")",
    ]


def test_a_failed_build_leaves_the_previous_site_untouched(scratch_site):
    scratch_site.build(base_path=BASE)
    before = tree_digest(scratch_site.out)
    scratch_site.edit("content/index.md", "A note", "A changed note")  # would change the page
    scratch_site.edit("templates/page.html", "{{ content }}", "{{ contents }}")
    result = scratch_site.run("--base-path", BASE)
    assert result.returncode == 1
    assert tree_digest(scratch_site.out) == before
    assert sorted(p.name for p in scratch_site.out.parent.iterdir()) == [
        ".cache",
        "_site",
        "site",
    ]  # no staging folder left behind


def test_a_failed_data_check_leaves_the_previous_site_untouched(scratch_site):
    scratch_site.build(base_path=BASE)
    before = tree_digest(scratch_site.out)
    scratch_site.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.4")
    scratch_site.edit("content/far-side.md", "(index.md)", "(home.md)")
    assert scratch_site.run("--base-path", BASE).returncode == 1
    assert tree_digest(scratch_site.out) == before


# ---------------------------------------------------------------------------------------------
# Base path


def test_every_root_relative_url_is_under_the_base_path(built_site):
    links = root_relative_links(built_site.out)
    assert len(links) > 20
    assert [link for link in links if not link[1].startswith(BASE)] == []
    assert check_built_site(built_site.out, BASE, "(built)") == []


def test_every_internal_url_resolves_to_a_built_file(built_site):
    for rel, url in root_relative_links(built_site.out):
        assert built_file(built_site.out, BASE, urlsplit(url).path), f"{rel}: {url}"


def test_the_site_builds_at_the_root_base_path(scratch_site):
    scratch_site.build(base_path="/")
    links = root_relative_links(scratch_site.out)
    assert links and not [link for link in links if link[1].startswith("//")]
    assert not [link for link in links if link[1].startswith(BASE)]
    assert check_built_site(scratch_site.out, "/", "(built)") == []
    assert '<a class="site-title" href="/">' in scratch_site.html()


def test_404_page_works_at_any_depth(built_site):
    page = built_site.html("404.html")
    doc = HtmlDoc(page)
    deep = "https://x/moon/no/such/deep/page/"
    # Every link but the licence's canonical address (a plain link: nothing is requested).
    urls = [
        value for _, value, _ in doc.links if not value.startswith("#") and value != LICENSE_URL
    ]
    assert any(a.get("rel") == "stylesheet" for a in doc.find("link"))
    assert len(urls) >= 5
    for url in urls:
        resolved = urlsplit(urljoin(deep, url))
        assert resolved.netloc == "x", url
        assert built_file(built_site.out, BASE, resolved.path), f"{url} -> {resolved.path}"


def test_real_site_urls_are_under_the_base_path(real_site):
    links = root_relative_links(real_site.out)
    assert [link for link in links if not link[1].startswith(real_site.base_path)] == []
    assert check_built_site(real_site.out, real_site.base_path, "(real site)") == []


# ---------------------------------------------------------------------------------------------
# Output: deterministic, contained, hashed, and the files a host expects


def test_two_builds_are_byte_identical(scratch_site):
    first = scratch_site.root.parent / "first"
    second = scratch_site.root.parent / "second"
    scratch_site.build(base_path=BASE, out=first)
    shutil.rmtree(scratch_site.cache)
    scratch_site.build(base_path=BASE, out=second)
    digest = tree_digest(first)
    assert len(digest) >= 10
    assert digest == tree_digest(second)


def test_source_date_epoch_sets_file_times(scratch_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717286400")
    scratch_site.build(base_path=BASE)
    times = {
        p.relative_to(scratch_site.out).as_posix(): int(p.stat().st_mtime)
        for p in scratch_site.out.rglob("*")
        if p.is_file()
    }
    assert len(times) >= 10
    assert set(times.values()) == {1717286400}


def test_slug_cannot_write_outside_the_output_folder(scratch_site):
    scratch_site.write("content/evil.md", "---\ntitle: E\ndescription: D\nslug: ../../x\n---\n")
    assert scratch_site.errors() == [
        "content/evil.md:4: slug '../../x' must be lowercase words separated by hyphens or "
        "slashes, and cannot leave the site"
    ]
    assert not list(scratch_site.root.parent.parent.glob("x"))


def test_output_tree_refuses_escaping_and_doubly_claimed_paths(tmp_path):
    tree = OutputTree(tmp_path / "_site")
    tree.write("../evil.html", "x", "content/evil.md")
    tree.write("/etc/evil.html", "x", "content/evil.md")
    tree.write("a/index.html", "one", "content/a.md")
    tree.write("a/index.html", "two", "content/b.md")
    tree.commit()
    assert [str(e) for e in tree.errors] == [
        "content/evil.md: output path '../evil.html' would leave the output folder",
        "content/evil.md: output path '/etc/evil.html' would leave the output folder",
        "content/b.md: writes a/index.html, which content/a.md already writes",
    ]
    assert (tmp_path / "_site/a/index.html").read_text() == "one"
    assert not (tmp_path / "evil.html").exists()


def test_two_pages_writing_one_url_fail_the_build(scratch_site):
    scratch_site.write("content/copy.md", "---\ntitle: C\ndescription: D\nslug: far-side\n---\n")
    assert scratch_site.errors() == [
        "content/far-side.md:1: writes the same URL /far-side/ as content/copy.md"
    ]


def test_page_cannot_shadow_a_generated_file(scratch_site):
    scratch_site.write("content/facts.json.md", "---\ntitle: F\ndescription: D\n---\nText.\n")
    result = scratch_site.run()
    assert result.returncode == 1, result.stderr
    assert str(scratch_site.root / "content/facts.json.md") in result.stderr


def test_css_gets_a_content_hashed_name(built_site):
    css = sorted((built_site.out / "static").glob("*.css"))
    assert len(css) == 1 and re.fullmatch(r"style\.[0-9a-f]{10}\.css", css[0].name)
    assert css[0].read_bytes() == (built_site.static / "style.css").read_bytes()
    for path in html_files(built_site.out):
        doc = HtmlDoc(path.read_text(encoding="utf-8"))
        assert [a["href"] for a in doc.find("link", rel="stylesheet")] == [
            f"{BASE}static/{css[0].name}"
        ], path
    built_site.edit("static/style.css", "", "/* changed */\n")
    built_site.build(base_path=BASE)
    changed = sorted((built_site.out / "static").glob("*.css"))
    assert len(changed) == 1 and changed[0].name != css[0].name
    assert f'href="{BASE}static/{changed[0].name}"' in built_site.html()


def test_sitemap_lists_every_page_with_absolute_urls(scratch_site):
    scratch_site.edit("content/far-side.md", "order: 2", "order: 2\nupdated: 2026-11-24")
    result = scratch_site.run("--base-path", BASE, "--site-url", "https://owner.github.io/moon/")
    assert result.returncode == 0, result.stderr
    root = ET.fromstring((scratch_site.out / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [
        (u.findtext("s:loc", namespaces=ns), u.findtext("s:lastmod", namespaces=ns))
        for u in root.findall("s:url", ns)
    ]
    made_from_data = [u for u in urls if "/facts/" in u[0] or u[0].endswith("/changes/")]
    assert [u for u in urls if u not in made_from_data] == [
        ("https://owner.github.io/moon/", None),
        ("https://owner.github.io/moon/far-side/", "2026-11-24"),
        ("https://owner.github.io/moon/guide/", None),
    ]
    # every fact's own page, the index of facts and the change log are pages too
    fact_ids = {
        fact["id"]
        for fact in yaml.safe_load((scratch_site.data / "facts.yaml").read_text())["facts"]
    }
    assert {loc for loc, _ in made_from_data} == {
        "https://owner.github.io/moon/changes/",
        "https://owner.github.io/moon/facts/",
        *(f"https://owner.github.io/moon/facts/{fact_id}/" for fact_id in fact_ids),
    }
    assert (scratch_site.out / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://owner.github.io/moon/sitemap.xml\n"
    )
    assert (
        '<link rel="canonical" href="https://owner.github.io/moon/far-side/">'
        in scratch_site.html("far-side/index.html")
    )


def test_site_url_defaults_to_the_data(built_site):
    assert "Sitemap: https://example.org/scratch/sitemap.xml" in built_site.html("robots.txt")


def test_downloads_hold_every_fact(built_site):
    data = json.loads(built_site.html("facts.json"))
    facts = {fact["id"]: fact for fact in data["facts"]}
    assert list(facts) == [
        "mass",
        "diameter",
        "launch-day",
        "landing",
        "site-coords",
        "depth",
        "motto",
        "ce6-row",
        "slim-row",
    ]
    assert facts["mass"]["value"] == "1935.3" and facts["mass"]["unit"] == "g"
    assert facts["mass"]["as_of"] == "2024-06-28" and facts["mass"]["sources"] == ["src-a"]
    assert facts["landing"]["value"] == "2024-06-01T22:23Z"
    assert facts["landing"]["sources"] == ["src-a", "src-c"]
    assert facts["ce6-row"]["attributes"] == {"operator": "CNSA", "outcome": "Success"}
    assert {s["id"] for s in data["sources"]} == {"src-a", "src-b", "src-c"}
    rows = list(csv.DictReader(io.StringIO(built_site.html("facts.csv"))))
    assert [row["id"] for row in rows] == list(facts)
    depth = next(row for row in rows if row["id"] == "depth")
    assert (depth["value"], depth["unit"], depth["as_of"], depth["sources"]) == (
        "6.2/8.2",
        "km",
        "2017",
        "src-b",
    )
    assert next(r for r in rows if r["id"] == "landing")["sources"] == "src-a src-c"


# ---------------------------------------------------------------------------------------------
# Rebuilds


def test_a_second_build_with_nothing_changed_does_nothing(scratch_site):
    first = scratch_site.run()
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Built 3 pages")
    second = scratch_site.run()
    assert second.returncode == 0
    assert second.stdout.startswith(f"Nothing changed: {scratch_site.out} is up to date")


def test_template_change_renders_without_converting_markdown(scratch_site):
    assert scratch_site.build().rendered == 3
    scratch_site.edit(
        "templates/page.html", '<article class="page">', '<article class="page changed">'
    )
    result = scratch_site.build()
    assert (result.skipped, result.rendered) == (False, 0)
    assert '<article class="page changed">' in scratch_site.html("far-side/index.html")


def test_page_change_converts_only_that_page(scratch_site):
    scratch_site.build()
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    assert scratch_site.build().rendered == 1
    assert "Now back" in scratch_site.html("far-side/index.html")


def test_unchanged_pages_are_linked_from_the_current_site_not_rendered_again(scratch_site):
    scratch_site.build()
    inode = {
        rel: (scratch_site.out / rel).stat().st_ino
        for rel in ("index.html", "far-side/index.html", "guide/index.html")
    }
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    # the guide's file is the very same file (a hard link); the edited page is new
    assert (scratch_site.out / "guide/index.html").stat().st_ino == inode["guide/index.html"]
    assert (scratch_site.out / "far-side/index.html").stat().st_ino != inode["far-side/index.html"]
    assert "Now back" in scratch_site.html("far-side/index.html")
    # and the site is byte for byte what a build from scratch makes
    fresh = scratch_site.root.parent / "fresh"
    scratch_site.build(out=fresh, cache=scratch_site.root.parent / "fresh-cache")
    assert tree_digest(fresh) == tree_digest(scratch_site.out)


def test_a_page_file_deleted_from_the_site_is_rendered_again(scratch_site):
    scratch_site.build()
    (scratch_site.out / "guide/index.html").unlink()
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    assert "<h1" in scratch_site.html("guide/index.html")


def test_a_fact_edit_converts_only_the_pages_that_use_it(scratch_site):
    scratch_site.build()
    users = [
        rel
        for rel in ("index.html", "far-side/index.html", "guide/index.html")
        if 'data-fact="mass"' in scratch_site.html(rel)
    ]
    assert users  # the scratch site shows the fact somewhere
    scratch_site.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.31")
    assert scratch_site.build().rendered == len(users) < 3
    assert "1,935.31\u00a0g" in scratch_site.html(users[0])


def test_rebuild_after_output_was_deleted(scratch_site):
    scratch_site.build()
    shutil.rmtree(scratch_site.out)
    result = scratch_site.build()
    assert not result.skipped
    assert (scratch_site.out / "index.html").is_file()


# ---------------------------------------------------------------------------------------------
# check


UNCITED = """\
  - id: src-uncited
    title: Nobody cites me
    publisher: Nobody
    accessed: "2026-11-24"
"""


def test_check_warns_about_an_uncited_source_and_strict_fails(scratch_site):
    scratch_site.edit("content/data/facts.yaml", "\ngroups:", UNCITED + "\ngroups:")
    verify_every_fact(scratch_site)  # the uncited source is then the only finding
    where = (
        f"{shown(scratch_site, 'content/data/facts.yaml')}:"
        f"{scratch_site.line_of('content/data/facts.yaml', 'id: src-uncited')}"
    )
    plain = scratch_site.run("check")
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.splitlines() == [
        f"{where}: warning: source 'src-uncited' is not cited by any page"
    ]
    assert plain.stdout.startswith("OK: 3 pages")
    strict = scratch_site.run("check", "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == [
        f"{where}: source 'src-uncited' is not cited by any page",
        "Build failed: 1 error.",
    ]
    build = scratch_site.run("build")
    assert build.returncode == 0
    assert f"{where}: warning: source 'src-uncited' is not cited by any page" in build.stderr


def test_check_never_touches_the_output_folder(scratch_site):
    result = scratch_site.run("check")
    assert result.returncode == 0, result.stderr
    assert not scratch_site.out.exists()
    scratch_site.run("build")
    before = {
        p: (p.stat().st_mtime_ns, p.read_bytes())
        for p in scratch_site.out.rglob("*")
        if p.is_file()
    }
    scratch_site.edit("content/index.md", "A note", "Another note")
    assert scratch_site.run("check").returncode == 0
    scratch_site.edit("content/index.md", "(guide/index.md)", "(guide.md)")
    assert scratch_site.run("check").returncode == 1
    after = {
        p: (p.stat().st_mtime_ns, p.read_bytes())
        for p in scratch_site.out.rglob("*")
        if p.is_file()
    }
    assert after == before


def test_check_finds_links_the_templates_break(scratch_site):
    scratch_site.edit(
        "templates/base.html", '<main id="main"', '<a href="/about/">About</a>\n<main id="main"'
    )
    result = scratch_site.run("check", "--base-path", BASE)
    assert result.returncode == 1
    scratch_site.build(base_path=BASE)  # the same HTML, to find the line `check` must name
    html = scratch_site.html().splitlines()
    line = next(n for n, text in enumerate(html, 1) if 'href="/about/"' in text)
    assert (
        f"(built site)/index.html:{line}: link '/about/' is outside the base path /moon/ "
        "(or relative)" in result.stderr.splitlines()
    )
    # 3 pages, 9 fact pages, the fact index, the change log and 404.html
    assert result.stderr.splitlines()[-1] == "Build failed: 15 errors."


def test_check_built_site_reports_broken_links_and_fragments(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<p id="top"><a href="/moon/a/">ok</a>\n<a href="/moon/a/#nope">x</a>\n'
        '<a href="/moon/b/">y</a> <a href="#top">t</a> <a href="#bottom">b</a>\n'
        '<img srcset="/moon/a/p.png 1x, /moon/a/q.png 2x, "></p>\n'
    )
    (tmp_path / "a/index.html").write_text('<h1 id="here">A</h1>\n')
    (tmp_path / "a/p.png").write_bytes(b"")
    assert [str(e) for e in check_built_site(tmp_path, "/moon/", "site")] == [
        "site/index.html:2: link '/moon/a/#nope': no id 'nope' on that page",
        "site/index.html:3: broken link '/moon/b/'",
        "site/index.html:3: link '#bottom': no id 'bottom' on that page",
        "site/index.html:4: broken link '/moon/a/q.png'",
    ]


# ---------------------------------------------------------------------------------------------
# The real content/


def real_pages(real_site) -> list[Path]:
    """The pages written in Markdown (not the fact pages and change log made from data)."""
    generated = ("facts", "changes")
    return [
        p
        for p in html_files(real_site.out)
        if p.name == "index.html" and p.relative_to(real_site.out).parts[0] not in generated
    ]


def test_real_site_markers_link_to_references_on_the_same_page(real_site):
    for path in real_pages(real_site):
        doc = HtmlDoc(path.read_text(encoding="utf-8"))
        ids = set(doc.ids)
        markers = doc.find("a", class_="cite-link")
        for marker in markers:
            assert marker["href"][1:] in ids, f"{path}: {marker['href']}"
            assert re.fullmatch(r"#ref-\d+", marker["href"])
        references = [i for i in ids if re.fullmatch(r"ref-\d+", i)]
        assert len(references) == len({m["href"] for m in markers}), path
        for _, value, _ in doc.links:
            if value.startswith("#"):
                assert value[1:] in ids, f"{path}: {value}"


def test_real_site_every_internal_link_resolves(real_site):
    for rel, url in root_relative_links(real_site.out):
        assert built_file(real_site.out, real_site.base_path, urlsplit(url).path), f"{rel}: {url}"


def test_real_site_topic_pages_cite_their_sources(real_site):
    pages = real_pages(real_site)
    if len(pages) < 2:
        pytest.skip("content/ has no topic pages yet")
    uncited = [
        p.relative_to(real_site.out).as_posix()
        for p in pages
        if p.parent.name not in ("sources", "search")  # search: a tool, not a topic
        and not HtmlDoc(p.read_text(encoding="utf-8")).find("a", class_="cite-link")
    ]
    assert uncited == []


def test_a_build_with_many_warnings_names_fifty_and_counts_the_rest(scratch_site):
    # Ten pages with many typed numbers: ten warnings each at most, plus the stale facts.
    for number in range(10):
        prose = " ".join(f"It is {n} kg." for n in range(1, 13))
        scratch_site.write(
            f"content/n-{number}.md",
            f"---\ntitle: N {number}\ndescription: Numbers.\n---\n{prose}\n",
        )
    result = scratch_site.run()
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 51
    assert all(": warning: " in line for line in lines[:50])
    more = int(re.search(r"and ([\d,]+) more warnings", lines[50]).group(1).replace(",", ""))
    assert more >= 50
    assert "`build.py check` lists them all" in lines[50]
    assert "Built " in result.stdout  # the line that matters is not buried
    listed = scratch_site.run("check", "--strict").stderr.splitlines()  # every one, as errors
    assert len(listed) == 50 + more + 1  # and its summary line
