"""The author's day: facts nobody shows, new pages and facts, drafts, suggestions."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from conftest import ROOT, serving, verify_every_fact

from factsheet.errors import BuildError
from factsheet.site import build

UNUSED_FACT = """\
  - id: orphan
    label: A fact no page shows
    type: quantity
    value: 12
    unit: kg
    as_of: "2024"
    sources: [src-a]
"""


def test_a_fact_no_page_shows_is_a_warning_and_strict_fails(scratch_site):
    path = scratch_site.root / "content/data/facts.yaml"
    path.write_text(path.read_text() + UNUSED_FACT)
    verify_every_fact(scratch_site)  # no stale-fact warnings: this one is the only one
    line = scratch_site.line_of("content/data/facts.yaml", "id: orphan")
    result = scratch_site.build()
    assert [str(w) for w in result.warnings] == [
        f"content/data/facts.yaml:{line}: warning: fact 'orphan' is not shown on any page (use "
        "it with {fact orphan}, in a group's table or a chart, or remove it)"
    ]
    with pytest.raises(BuildError) as failure:
        scratch_site.build(strict=True)
    assert [str(e) for e in failure.value.errors] == [
        f"content/data/facts.yaml:{line}: fact 'orphan' is not shown on any page (use it with "
        "{fact orphan}, in a group's table or a chart, or remove it)"
    ]


def test_a_fact_shown_only_in_an_infobox_or_table_counts_as_used(scratch_site):
    verify_every_fact(scratch_site)  # no stale-fact warnings
    # `mass` is in the home page's infobox and prose; take it out of the prose only.
    scratch_site.edit("content/index.md", "brought back {fact mass} on", "came back on")
    assert [str(w) for w in scratch_site.build().warnings] == []
    # `slim-row` is shown only by the facts table.
    scratch_site.edit("content/index.md", "{facts-table landings}", "")
    warnings = [str(w) for w in scratch_site.build().warnings]
    assert any("fact 'slim-row' is not shown on any page" in w for w in warnings), warnings


# ---------------------------------------------------------------------------------------------
# Did you mean


def test_unknown_ids_suggest_the_closest_known_ones(scratch_site):
    scratch_site.edit("content/far-side.md", "{fact diameter}", "{fact diametre}")
    scratch_site.edit(
        "content/far-side.md", "Back [home](index.md)", "Back [home](indx.md){cite src-d}"
    )
    scratch_site.edit("content/index.md", "infobox: [mass, landing]", "infobox: [mass, landng]")
    line = scratch_site.line_of("content/far-side.md", "diametre")
    back = scratch_site.line_of("content/far-side.md", "indx.md")
    assert scratch_site.errors() == [
        f"content/far-side.md:{line}: unknown fact 'diametre' (did you mean 'diameter'?)",
        f"content/far-side.md:{back}: link to a page that does not exist: 'indx.md' (did you "
        "mean 'index.md'?)",
        f"content/far-side.md:{back}: unknown source 'src-d' (did you mean 'src-a', 'src-b' or "
        "'src-c'?)",
        "content/index.md:5: infobox names unknown fact 'landng' (did you mean 'landing'?)",
    ]


def test_nothing_close_means_no_suggestion(scratch_site):
    scratch_site.edit("content/far-side.md", "{fact diameter}", "{fact zebra}")
    assert scratch_site.errors()[0].endswith("unknown fact 'zebra'")


def test_a_data_file_naming_an_unknown_source_suggests_one(scratch_site):
    scratch_site.edit(
        "content/data/facts.yaml",
        "sources: [src-b]\n  - id: launch-day",
        "sources: [src-bb]\n  - id: launch-day",
    )
    errors = scratch_site.errors()
    assert errors[0].endswith(
        "fact 'diameter' cites unknown source 'src-bb' (did you mean 'src-b'?)"
    ), errors


# ---------------------------------------------------------------------------------------------
# Drafts

DRAFT = """\
---
title: Work in progress
description: "A page being written: it must not appear on the published site yet."
order: 9
draft: true
---
## Notes

Not ready.
"""


def test_a_draft_is_left_out_of_the_build_the_navigation_and_the_sitemap(scratch_site):
    scratch_site.write("content/wip.md", DRAFT)
    result = scratch_site.run("build")
    assert result.returncode == 0, result.stderr
    assert not (scratch_site.out / "wip").exists()
    assert "wip/" not in scratch_site.html()
    assert "wip" not in scratch_site.html("sitemap.xml")
    assert "Built 3 pages" in result.stdout


def test_drafts_option_builds_it_with_a_banner_and_noindex(scratch_site):
    scratch_site.write("content/wip.md", DRAFT)
    assert scratch_site.run("build").returncode == 0
    result = scratch_site.run("build", "--drafts")  # the no-change record knows about drafts
    assert result.returncode == 0, result.stderr
    html = scratch_site.html("wip/index.html")
    assert '<meta name="robots" content="noindex">' in html
    assert '<p class="draft-banner" role="note"><strong>Draft.</strong>' in html
    assert "wip/" in scratch_site.html()  # in the navigation while previewing
    assert "wip" not in scratch_site.html("sitemap.xml")  # but never offered to crawlers
    published = scratch_site.html()
    assert "noindex" not in published and "draft-banner" not in published


def test_draft_must_be_true_or_false(scratch_site):
    scratch_site.write("content/wip.md", DRAFT.replace("draft: true", "draft: maybe"))
    assert scratch_site.errors() == ["content/wip.md:5: 'draft' must be true or false"]


def test_serve_builds_drafts(scratch_site):
    """`build.py serve` asks for drafts; the dev server keeps every Config field it is given."""
    import build as cli

    arguments = cli.parse_arguments(["serve", "--content", str(scratch_site.content)])
    config, errors = cli.make_config(arguments)
    assert errors == [] and config.drafts is True
    arguments = cli.parse_arguments(["build", "--content", str(scratch_site.content)])
    assert cli.make_config(arguments)[0].drafts is False


# ---------------------------------------------------------------------------------------------
# new page, new fact


def new(site, *args: str) -> subprocess.CompletedProcess:
    """`python build.py new ARGS --content SITE/content`, from the project root."""
    return subprocess.run(
        [sys.executable, "build.py", "new", *args, "--content", str(site.content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_new_page_writes_a_draft_last_in_the_menu_and_never_overwrites(scratch_site):
    result = new(scratch_site, "page", "Chang\u2019e-7: the next step")
    assert result.returncode == 0, result.stderr
    path = scratch_site.content / "change-7-the-next-step.md"
    assert f"Wrote {path}" in result.stdout
    text = path.read_text()
    assert text.startswith('---\ntitle: "Chang\u2019e-7: the next step"\n')
    assert "order: 3\ndraft: true\n" in text  # the scratch pages have orders 1 and 2
    before = path.read_bytes()
    again = new(scratch_site, "page", "Chang\u2019e-7: the next step")
    assert again.returncode == 1
    assert again.stderr == f"new page: {path} already exists; nothing was written\n"
    assert path.read_bytes() == before


def test_check_flags_the_new_page_until_its_description_is_written(scratch_site):
    new(scratch_site, "page", "Next steps")
    result = scratch_site.run("check")
    assert result.returncode == 1
    assert (
        f"{scratch_site.content}/next-steps.md:3: 'description' is still a placeholder: "
        "say in one sentence what the page tells the reader"
    ) in result.stderr
    scratch_site.edit(
        "content/next-steps.md",
        "TODO: say in one sentence what this page tells the reader.",
        "What comes after the far side, mission by mission.",
    )
    assert scratch_site.run("check").returncode == 0
    assert scratch_site.run("check", "--drafts").returncode == 0


def test_new_fact_prints_a_skeleton_without_a_file(scratch_site):
    result = new(scratch_site, "fact", "ce7-launch")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("facts:\n  - id: ce7-launch\n    label: ")
    assert "as_of:" in result.stdout and "sources:" in result.stdout


def test_new_fact_appends_to_a_data_file_and_check_names_what_to_fill(scratch_site):
    data = scratch_site.data / "facts.yaml"
    before = data.read_text()
    result = new(scratch_site, "fact", "ce7-launch", "--file", str(data))
    assert result.returncode == 0, result.stderr
    after = data.read_text()
    assert after.startswith(before)  # appended, nothing rewritten
    check = scratch_site.run("check")
    assert check.returncode == 1
    value = scratch_site.line_of("content/data/facts.yaml", "  value:  # TODO")
    assert (
        f"{data}:{value}: 'value' of fact 'ce7-launch' must be a number, not empty" in check.stderr
    )
    again = new(scratch_site, "fact", "ce7-launch", "--file", str(data))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert data.read_text() == after


def test_new_fact_once_filled_in_builds(scratch_site):
    data = scratch_site.data / "more.yaml"
    assert new(scratch_site, "fact", "ce7-mass", "--file", str(data)).returncode == 0
    text = data.read_text()
    text = (
        text.replace("label: TODO what this number is", "label: Lander mass")
        .replace("value:  # TODO", "value: 3200  # ")
        .replace('"YYYY-MM-DD"', '"2026-08"')
        .replace("sources: []", "sources: [src-a]")
    )
    data.write_text(text)
    verify_every_fact(scratch_site)  # as its author would, once compared with its source
    scratch_site.edit(
        "content/far-side.md", "Back [home]", "It weighs {fact ce7-mass}. Back [home]"
    )
    result = scratch_site.run("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert scratch_site.run("build").returncode == 0
    assert "3,200\u00a0kg" not in scratch_site.html("far-side/index.html")  # no unit given
    assert ">3,200</span>" in scratch_site.html("far-side/index.html")


def test_new_fact_refuses_a_bad_id(scratch_site):
    result = new(scratch_site, "fact", "CE7 Launch")
    assert result.returncode == 1
    assert result.stderr == (
        "new fact: fact id 'CE7 Launch' must be lowercase letters, digits and hyphens\n"
    )


def test_a_yaml_indentation_error_says_to_check_the_indentation(scratch_site):
    scratch_site.edit(
        "content/data/facts.yaml",
        "    label: Basin diameter\n",
        "    label: Basin diameter\n   oops: here\n",
    )
    line = scratch_site.line_of("content/data/facts.yaml", "oops: here")
    errors = scratch_site.errors()
    assert len(errors) == 1
    assert errors[0].startswith(f"content/data/facts.yaml:{line}: invalid YAML: ")
    assert errors[0].endswith(
        ": check the indentation of this line and the lines above it (spaces, not tabs)"
    )


# ---------------------------------------------------------------------------------------------
# The draft banner in a real browser


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_draft_banner_is_accessible_on_a_phone(scratch_site, scheme, browser):
    from test_browser import axe_violations

    scratch_site.write("content/wip.md", DRAFT)
    build(dataclasses.replace(scratch_site.config(), drafts=True))
    with serving(scratch_site.out, pages=False) as origin:
        context = browser.new_context(
            viewport={"width": 320, "height": 640}, color_scheme=scheme, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(f"{origin}/wip/")
        banner = page.locator(".draft-banner")
        assert banner.is_visible()
        assert "Draft." in banner.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        context.close()
        context = browser.new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{origin}/wip/")
        assert axe_violations(page) == []
        page.emulate_media(media="print")
        assert page.locator(".draft-banner").is_visible()  # a printed draft says so too
        context.close()
