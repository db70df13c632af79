"""The Markdown extension, seen through built pages: facts, citations, tables, links, typography.

Each test writes one page, content/test.md, into the scratch site and builds it in-process under
the base path /moon/.
"""

from __future__ import annotations

import re

import pytest
from conftest import HtmlDoc, prose
from markdown import Markdown
from markdown.inlinepatterns import BacktickInlineProcessor

from factsheet.markdown_ext import (
    LINK_PATTERNS,
    LINK_START,
    CodeSpanProcessor,
    FactInlineProcessor,
    FactSheetExtension,
)
from factsheet.render import MARKDOWN_EXTENSIONS
from factsheet.typography import typographic

FRONT = '---\ntitle: Test page\ndescription: "A page written by a test."\n---\n'
NBSP = "\u00a0"


def page(site, body: str, base_path: str = "/moon/") -> str:
    """Build the site with content/test.md holding `body`; return that page's whole HTML."""
    site.write("content/test.md", FRONT + body)
    site.build(base_path=base_path)
    return site.html("test/index.html")


def errors(site, body: str) -> list[str]:
    site.write("content/test.md", FRONT + body)
    return site.errors(base_path="/moon/")


def marker(number: int, use: int) -> str:
    return (
        f'<a aria-label="Source {number}" class="cite-link" href="#ref-{number}" '
        f'id="cite-{number}-{use}">[{number}]</a>'
    )


# ---------------------------------------------------------------------------------------------
# Facts and citations


def test_fact_renders_its_value_and_citation(scratch_site):
    html = prose(page(scratch_site, "Mass: {fact mass}.\n"))
    assert html == (
        '<p>Mass: <span class="fact-ref"><a class="fact-link" href="/moon/facts/mass/">'
        f'<span class="fact" data-fact="mass">1,935.3{NBSP}g</span></a>'
        f'<sup class="cite">{marker(1, 1)}</sup></span>.</p>'
    )


def test_date_facts_carry_a_machine_readable_time(scratch_site):
    html = prose(page(scratch_site, "{fact landing} and {fact launch-day}\n"))
    assert (
        f'<time datetime="2024-06-01T22:23Z">1 June 2024, 22:23{NBSP}UTC '
        "(06:23 Beijing time on 2 June)</time>"
    ) in html
    assert '<time datetime="2024-05-03">3 May 2024</time>' in html


def test_a_fact_with_two_sources_gets_two_markers(scratch_site):
    html = prose(page(scratch_site, "{fact landing}\n"))
    assert f'<sup class="cite">{marker(1, 1)}{marker(2, 1)}</sup>' in html


def test_citations_are_numbered_in_order_of_first_use(scratch_site):
    html = page(scratch_site, "A{cite src-b} B{fact mass} C{cite src-b} D{fact landing}.\n")
    body = prose(html)
    # src-b is 1, src-a is 2 (mass), src-c is 3 (landing's second source); numbers are kept.
    found = re.findall(r'href="#ref-(\d)" id="(cite-\d-\d)"', body)
    assert found == [
        ("1", "cite-1-1"),
        ("2", "cite-2-1"),
        ("1", "cite-1-2"),
        ("2", "cite-2-2"),
        ("3", "cite-3-1"),
    ]
    references = html[html.index('<section class="references"') :]
    assert re.findall(r'<li id="(ref-\d)" value="\d">', references) == ["ref-1", "ref-2", "ref-3"]
    publishers = re.findall(r"^(Observatory B|Agency A|Archive C),$", references, re.M)
    assert publishers == ["Observatory B", "Agency A", "Archive C"]


def test_every_marker_and_backref_points_at_an_id_on_the_page(scratch_site):
    doc = HtmlDoc(page(scratch_site, "A{cite src-b} {fact mass} {cite src-b} {fact landing}\n"))
    ids = set(doc.ids)
    fragments = [value[1:] for _, value, _ in doc.links if value.startswith("#")]
    cite_links = [f for f in fragments if f.startswith("ref-")]
    backrefs = [f for f in fragments if f.startswith("cite-")]
    assert len(cite_links) == 5 and len(backrefs) == 5
    assert set(backrefs) == {a["id"] for a in doc.find("a", class_="cite-link")}
    assert not [f for f in fragments if f not in ids]


def test_numbering_starts_again_on_every_page(built_site):
    home = HtmlDoc(built_site.html())
    far_side = HtmlDoc(built_site.html("far-side/index.html"))
    assert [a["href"] for a in home.find("a", class_="cite-link")][:3] == [
        "#ref-1",
        "#ref-1",
        "#ref-2",
    ]
    assert "#ref-3" in [a["href"] for a in home.find("a", class_="cite-link")]
    # far-side.md cites src-b first: on its own page that source is [1].
    assert [a["href"] for a in far_side.find("a", class_="cite-link")] == [
        "#ref-1",
        "#ref-1",
        "#ref-1",
        "#ref-2",
    ]
    assert [i for i in far_side.ids if i.startswith("ref-")] == ["ref-1", "ref-2"]


def test_infobox_comes_first_in_the_numbering(scratch_site):
    body = "---\ntitle: T\ndescription: D\ninfobox: [depth]\n---\n{fact mass} {fact depth}\n"
    scratch_site.write("content/test.md", body)
    scratch_site.build(base_path="/moon/")
    html = scratch_site.html("test/index.html")
    infobox = html[html.index('<aside class="infobox"') : html.index("</aside>")]
    assert "<dt>Basin depth</dt>" in infobox
    assert f'6.2\u20138.2{NBSP}km</span><sup class="cite">{marker(1, 1)}</sup>' in infobox
    text = prose(html)
    assert f'data-fact="mass">1,935.3{NBSP}g</span></a><sup class="cite">{marker(2, 1)}' in text
    assert (
        f'data-fact="depth">6.2\u20138.2{NBSP}km</span></a><sup class="cite">{marker(1, 2)}' in text
    )


def test_cite_places_a_marker_for_a_source(scratch_site):
    html = prose(page(scratch_site, "A claim.{cite src-c}\n"))
    assert html == f'<p>A claim.<sup class="cite">{marker(1, 1)}</sup></p>'


def test_unknown_fact_is_an_error_on_its_line(scratch_site):
    assert errors(scratch_site, "Intro.\n\nThe mass is {fact mas}.\n") == [
        "content/test.md:7: unknown fact 'mas' (did you mean 'mass'?)"
    ]


def test_unknown_source_is_an_error_on_its_line(scratch_site):
    assert errors(scratch_site, "Claim.{cite nasa}\n") == [
        "content/test.md:5: unknown source 'nasa'"
    ]


def test_unknown_infobox_fact_is_an_error(scratch_site):
    scratch_site.write(
        "content/test.md", "---\ntitle: T\ndescription: D\ninfobox: [mass, nope]\n---\nBody.\n"
    )
    assert scratch_site.errors() == ["content/test.md:4: infobox names unknown fact 'nope'"]


def test_all_problems_of_a_page_are_reported(scratch_site):
    assert errors(scratch_site, "{fact a1}\n\n{cite b2}\n\n{facts-table c3}\n") == [
        "content/test.md:5: unknown fact 'a1'",
        "content/test.md:7: unknown source 'b2'",
        "content/test.md:9: unknown group 'c3'",
    ]


def test_text_fact_gets_typography(scratch_site):
    html = prose(page(scratch_site, "{fact motto}\n"))
    assert 'data-fact="motto">Chang\u2019e goes \u2013 far</span>' in html


# ---------------------------------------------------------------------------------------------
# Tables of facts


def test_facts_table_renders_every_fact_of_the_group(scratch_site):
    html = prose(page(scratch_site, "Before.\n\n{facts-table landings}\n\nAfter.\n"))
    table = html[html.index("<table") : html.index("</table>")]
    assert '<caption id="table-landings-caption">Lunar landings</caption>' in table
    assert re.findall(r'<th scope="col">([^<]*)</th>', table) == [
        "Mission",
        "Landed (UTC)",
        "Operator",
        "Outcome",
    ]
    rows = re.findall(r"<tr>\n(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 2
    assert rows[0] == (
        '<th scope="row">Chang\u2019e-6</th>\n'
        '<td data-label="Landed (UTC)"><span class="fact" data-fact="ce6-row">'
        '<time datetime="2024-06-01">1 June 2024'
        f'</time></span><sup class="cite">{marker(1, 1)}</sup></td>\n'
        '<td data-label="Operator">CNSA</td>\n'
        '<td data-label="Outcome">Success</td>\n'
    )
    assert rows[1] == (
        '<th scope="row">SLIM</th>\n'
        '<td data-label="Landed (UTC)"><span class="fact" data-fact="slim-row">'
        '<time datetime="2024-01-19">19 January 2024'
        f'</time></span><sup class="cite">{marker(1, 2)}</sup></td>\n'
        '<td data-label="Operator">JAXA</td>\n'
        '<td data-label="Outcome">Landed upside down</td>\n'
    )
    assert html.startswith("<p>Before.</p>") and html.endswith("<p>After.</p>")


def test_facts_table_in_running_text_is_not_expanded(scratch_site):
    html = prose(page(scratch_site, "See {facts-table landings} here.\n"))
    assert "<table" not in html


def test_unknown_group_is_an_error(scratch_site):
    assert errors(scratch_site, "Intro.\n\n{facts-table landing}\n") == [
        "content/test.md:7: unknown group 'landing' (did you mean 'landings'?)"
    ]


# ---------------------------------------------------------------------------------------------
# Footnotes beside citations


def test_hand_written_footnotes_keep_working_beside_citations(scratch_site):
    html = page(scratch_site, "Claim[^n] and{cite src-b}.\n\n[^n]: A note citing{cite src-c}.\n")
    body = prose(html)
    assert '<sup id="fnref:n"><a class="footnote-ref" href="#fn:n">1</a></sup>' in body
    assert '<li id="fn:n">' in body
    # Reading order: the body's citation first, then the one in the footnote.
    assert f'and<sup class="cite">{marker(1, 1)}</sup>' in body
    assert f'citing<sup class="cite">{marker(2, 1)}</sup>' in body
    doc = HtmlDoc(html)
    fragments = {v[1:] for _, v, _ in doc.links if v.startswith("#")}
    assert fragments <= set(doc.ids)


# ---------------------------------------------------------------------------------------------
# Typography


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chang'e-6", "Chang\u2019e-6"),
        ("don't", "don\u2019t"),
        ('"quoted"', "\u201cquoted\u201d"),
        ("'single'", "\u2018single\u2019"),
        ('("x")', "(\u201cx\u201d)"),
        ("the '90s", "the \u201990s"),
        ("1969--1972", "1969\u20131972"),
        ("wait---what", "wait\u2014what"),
        ("and so...", "and so\u2026"),
        ("plain", "plain"),
    ],
)
def test_typographic(text, expected):
    assert typographic(text) == expected


def test_typography_in_text_title_and_heading(scratch_site):
    body = (
        "---\ntitle: \"Chang'e-6 -- the 'far' side\"\ndescription: D\n---\n"
        '## Chang\'e-6 at a glance\n\nChang\'e said "hello"... and `Chang\'e "x" -- y`.\n'
    )
    scratch_site.write("content/test.md", body)
    scratch_site.build(base_path="/moon/")
    html = scratch_site.html("test/index.html")
    assert (
        "<title>Chang\u2019e-6 \u2013 the \u2018far\u2019 side \u00b7 Scratch Side</title>" in html
    )
    assert "<h1>Chang\u2019e-6 \u2013 the \u2018far\u2019 side</h1>" in html
    assert '<h2 id="change-6-at-a-glance">Chang\u2019e-6 at a glance<a' in html
    assert (
        '<p>Chang\u2019e said \u201chello\u201d\u2026 and <code>Chang\'e "x" -- y</code>.</p>'
    ) in html


def test_code_spans_and_escaped_backticks(scratch_site):
    """Code spans keep Python-Markdown's rules (markdown_ext.CodeSpanProcessor only skips
    text without a backtick): double backticks around a single one, an escaped backtick
    that is text, an escaped backslash before a code span."""
    body = r"Run ``a `tick` b`` and `x = y`, not \`this\`, nor \\`that`." + "\n"
    assert (
        "<p>Run <code>a `tick` b</code> and <code>x = y</code>, not `this`, nor "
        "\\<code>that</code>.</p>"
    ) in prose(page(scratch_site, body))


def test_the_faster_inline_patterns_take_python_markdowns_places():
    """markdown_ext re-registers Python-Markdown's code-span, link and reference patterns with
    a faster start, at priorities copied from Python-Markdown (its Registry has no public way
    to read one). A release that moves them must fail here, not change which pattern wins."""
    plain = Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    ours = Markdown(extensions=[*MARKDOWN_EXTENSIONS, FactSheetExtension(None, None)])
    for name in LINK_PATTERNS:
        assert ours.inlinePatterns[name].pattern == LINK_START  # replaced, not left as it was
    assert isinstance(ours.inlinePatterns["backtick"], CodeSpanProcessor)

    def kinds(registry) -> list[type]:
        replaced = {CodeSpanProcessor: BacktickInlineProcessor}
        return [
            replaced.get(type(p), type(p)) for p in registry if type(p) is not FactInlineProcessor
        ]

    assert kinds(ours.inlinePatterns) == kinds(plain.inlinePatterns)


def test_fenced_and_indented_code_is_untouched(scratch_site):
    html = prose(page(scratch_site, 'Text:\n\n    Chang\'e -- "code"...\n'))
    assert '<pre><code>Chang\'e -- "code"...\n</code></pre>' in html.replace("&quot;", '"')


def test_attribute_lists_are_not_curled(scratch_site):
    html = prose(page(scratch_site, "## Basin's age {: #basin-age }\n\nSee [it](#basin-age).\n"))
    assert '<h2 id="basin-age">Basin\u2019s age' in html
    assert '<a href="#basin-age">it</a>' in html


# ---------------------------------------------------------------------------------------------
# Links


def test_source_links_become_urls_under_the_base_path(scratch_site):
    html = prose(
        page(
            scratch_site,
            "[a](far-side.md#depths) [b](index.md) "
            "[c](guide/index.md) [d](index.md#change-6-at-a-glance)\n",
        )
    )
    assert (
        '<a href="/moon/far-side/#depths">a</a> <a href="/moon/">b</a> '
        '<a href="/moon/guide/">c</a> <a href="/moon/#change-6-at-a-glance">d</a>'
    ) in html


def test_relative_source_links_from_a_folder(scratch_site):
    scratch_site.build(base_path="/moon/")
    assert '<a href="/moon/far-side/#depths">the depths</a>' in prose(
        scratch_site.html("guide/index.html")
    )


def test_site_paths_get_the_base_path(scratch_site):
    html = prose(
        page(
            scratch_site,
            "[a](/far-side/) [b](/) [c](/facts.json) "
            "![icon](/static/favicon.svg) [d](https://nasa.gov/x) "
            "[e](mailto:a@b.org)\n",
        )
    )
    assert (
        '<a href="/moon/far-side/">a</a> <a href="/moon/">b</a> '
        '<a href="/moon/facts.json">c</a> <img alt="icon" src="/moon/static/favicon.svg" /> '
        '<a href="https://nasa.gov/x">d</a> <a href="mailto:a@b.org">e</a>'
    ) in html.replace('src="/moon/static/favicon.svg">', 'src="/moon/static/favicon.svg" />')


def test_links_at_the_root_base_path(scratch_site):
    html = prose(page(scratch_site, "[a](far-side.md#depths) [b](/far-side/)\n", base_path="/"))
    assert '<a href="/far-side/#depths">a</a> <a href="/far-side/">b</a>' in html


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "[x](farside.md)",
            "link to a page that does not exist: 'farside.md' (did you mean 'far-side.md'?)",
        ),
        ("[x](../outside.md)", "link to a page that does not exist: '../outside.md'"),
        (
            "[x](far-side.md#depth)",
            "link 'far-side.md#depth': no heading or anchor #depth on /far-side/",
        ),
        ("[x](#nowhere)", "link '#nowhere': no heading or anchor #nowhere on /test/"),
        ("[x](/nope/)", "link to a path the site does not have: '/nope/'"),
        (
            "[x](/far-side)",
            "link '/far-side' needs a trailing slash (/far-side/): GitHub Pages would redirect it",
        ),
        (
            "[x](picture.png)",
            "relative link 'picture.png': link to a page by its source file "
            "(page.md) or use a site path (/page/)",
        ),
        (
            "![x](far-side/)",
            "relative link 'far-side/': link to a page by its source file "
            "(page.md) or use a site path (/page/)",
        ),
    ],
)
def test_broken_links_fail_with_their_line(scratch_site, link, message):
    assert errors(scratch_site, f"Intro.\n\nText {link} here.\n") == [
        f"content/test.md:7: {message}"
    ]
