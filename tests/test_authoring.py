"""The author's day: facts nobody shows, new pages and facts, drafts, suggestions."""

from __future__ import annotations

import pytest

from factsheet.errors import BuildError

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
    scratch_site.edit("content/index.md", "infobox: [mass, landing]", "infobox: [mass, landin]")
    line = scratch_site.line_of("content/far-side.md", "diametre")
    back = scratch_site.line_of("content/far-side.md", "indx.md")
    assert scratch_site.errors() == [
        f"content/far-side.md:{line}: unknown fact 'diametre' (did you mean 'diameter'?)",
        f"content/far-side.md:{back}: link to a page that does not exist: 'indx.md' (did you "
        "mean 'index.md'?)",
        f"content/far-side.md:{back}: unknown source 'src-d' (did you mean 'src-a', 'src-b' or "
        "'src-c'?)",
        "content/index.md:5: infobox names unknown fact 'landin' (did you mean 'landing'?)",
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
