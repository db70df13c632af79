"""Every fact has a home: its page, the index of every fact, disagreements as data, and links
from the text to the fact pages and back."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from html import unescape
from urllib.parse import unquote

import pytest
from conftest import ROOT, HtmlDoc, ScratchSite, prose
from test_browser import axe_violations, open_page

from factsheet import fact_pages
from factsheet.fact_pages import fragment_encode, text_fragment_url
from factsheet.incremental import MemoryStore
from factsheet.live_output import LiveOutput
from factsheet.site import build

NBSP = "\u00a0"
PASSAGE = '    accessed: "2026-11-24"\n'  # the first source's last line (src-a)


def text_of(html: str) -> str:
    """The visible text of some HTML, whitespace collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# ---------------------------------------------------------------------------------------------
# Text fragments


def test_fragment_terms_encode_the_directives_own_syntax():
    assert fragment_encode("Chang'e-6, 1,935.3 g & more") == (
        "Chang%27e%2D6%2C%201%2C935.3%20g%20%26%20more"
    )
    assert fragment_encode("月球 ± 3") == "%E6%9C%88%E7%90%83%20%C2%B1%203"


def test_a_short_passage_is_matched_whole():
    url = text_fragment_url("https://a.example.org/ce6", "collected  1,935.3 grams")
    assert url == "https://a.example.org/ce6#:~:text=collected%201%2C935.3%20grams"


def test_a_passage_with_an_ellipsis_is_matched_from_its_start_to_its_end():
    url = text_fragment_url("https://a.example.org/x", "The lander … touched down")
    assert url.endswith("#:~:text=The%20lander,touched%20down")


def test_a_long_passage_is_matched_by_its_first_and_last_words():
    words = " ".join(f"w{n}" for n in range(20))
    url = text_fragment_url("https://a.example.org/x", words)
    start, end = url.split("#:~:text=")[1].split(",")
    assert unquote(start) == "w0 w1 w2 w3 w4" and unquote(end) == "w15 w16 w17 w18 w19"


def test_a_url_with_a_fragment_keeps_it():
    assert text_fragment_url("https://a.example.org/x#part", "word") == (
        "https://a.example.org/x#part:~:text=word"
    )


# ---------------------------------------------------------------------------------------------
# The fact page


@pytest.fixture
def evidence_site(scratch_site: ScratchSite) -> ScratchSite:
    """The scratch site with a supporting passage for the sample mass, and an archived copy
    for one source."""
    scratch_site.edit(
        "content/data/facts.yaml",
        PASSAGE,
        PASSAGE + '    passages: {mass: "collected 1,935.3 grams, a record"}\n',
    )
    scratch_site.edit(
        "content/data/facts.yaml",
        "    url: https://c.example.org/list\n",
        "    url: https://c.example.org/list\n"
        "    archive_url: https://archive.example.org/c-list\n",
    )
    scratch_site.build(base_path="/moon/")
    return scratch_site


def test_a_fact_page_shows_the_value_and_what_it_is(evidence_site: ScratchSite):
    text = text_of(main(evidence_site.html("facts/mass/index.html")))
    assert "Sample mass returned" in text
    assert f"1,935.3{NBSP}g" in text
    assert "Unit g" in text
    assert "As of 28 June 2024" in text
    assert "Last verified not recorded" in text
    assert "Machine value 1935.3" in text


def test_a_fact_page_quotes_the_passage_and_links_it_highlighted(evidence_site: ScratchSite):
    html = main(evidence_site.html("facts/mass/index.html"))
    assert "“collected 1,935.3 grams, a record”" in text_of(html)
    links = dict(
        (unescape(a.get("href")), text_of(str(a.get("_text", "")))) for a in HtmlDoc(html).find("a")
    )
    assert (
        "https://a.example.org/ce6#:~:text=collected%201%2C935.3%20grams%2C%20a%20record" in links
    )
    assert "Agency A" in text_of(html)
    assert "See this passage highlighted on the source page" in text_of(html)


def test_without_an_archived_copy_the_wayback_machine_is_linked_and_labelled(
    evidence_site: ScratchSite,
):
    html = main(evidence_site.html("facts/mass/index.html"))
    assert (
        '<a href="https://web.archive.org/web/20261124/https://a.example.org/ce6">'
        "Wayback Machine copy nearest the access date</a>"
    ) in html


def test_a_known_archived_copy_is_used_instead(evidence_site: ScratchSite):
    html = main(evidence_site.html("facts/landing/index.html"))
    assert '<a href="https://archive.example.org/c-list">Archived copy</a>' in html
    assert "web.archive.org/web/2026/https://c.example.org/list" not in html
    # the other source of the same fact has no archived copy: the Wayback Machine's
    assert "https://web.archive.org/web/20261124/https://a.example.org/ce6" in html


def test_a_source_without_a_passage_gets_no_highlight_link(evidence_site: ScratchSite):
    html = main(evidence_site.html("facts/launch-day/index.html"))
    assert "#:~:text=" not in html and "passage" not in text_of(html)


def test_a_fact_page_lists_where_the_fact_is_shown(evidence_site: ScratchSite):
    html = main(evidence_site.html("facts/mass/index.html"))
    used = html[html.index('id="used-on"') : html.index('id="history"')]
    hrefs = [a["href"] for a in HtmlDoc(used).find("a")]
    # the home page's key-facts box, then the heading the sentence is under
    assert hrefs == ["/moon/", "/moon/#change-6-at-a-glance"]
    assert "Chang’e-6 at home: Chang’e-6 at a glance" in text_of(used)
    heading_ids = HtmlDoc(evidence_site.html()).ids
    assert "change-6-at-a-glance" in heading_ids


def test_a_fact_in_a_table_is_shown_under_the_tables_heading(evidence_site: ScratchSite):
    used = main(evidence_site.html("facts/slim-row/index.html"))
    assert [a["href"] for a in HtmlDoc(used[used.index('id="used-on"') :]).find("a")][
        0
    ] == "/moon/#change-6-at-a-glance"


def test_a_fact_no_page_shows_says_so(scratch_site: ScratchSite):
    scratch_site.edit("content/far-side.md", "The motto: {fact motto}. ", "")
    scratch_site.build()
    assert "No page shows this fact" in scratch_site.html("facts/motto/index.html")


def test_a_fact_in_prose_links_to_its_page_and_its_marker_to_the_references(
    evidence_site: ScratchSite,
):
    body = prose(evidence_site.html("far-side/index.html"))
    link = HtmlDoc(body).find("a", class_="fact-link")[0]
    assert link["href"] == "/moon/facts/diameter/"
    assert re.search(
        r'</a><sup class="cite"><a aria-label="Source 1" class="cite-link" '
        r'href="#ref-1"',
        body,
    )


def test_every_fact_page_link_on_the_site_works_at_the_root(scratch_site: ScratchSite):
    scratch_site.build()  # base path /
    body = prose(scratch_site.html("far-side/index.html"))
    assert 'href="/facts/diameter/"' in body
    assert (scratch_site.out / "facts/diameter/index.html").is_file()


# ---------------------------------------------------------------------------------------------
# The index, the navigation and the feed link


def test_the_index_links_every_fact_a_to_z_and_by_table(built_site: ScratchSite):
    html = main(built_site.html("facts/index.html"))
    doc = HtmlDoc(html)
    a_to_z = html[: html.index('id="by-table"')]
    linked = [a["href"] for a in HtmlDoc(a_to_z).find("a") if "/facts/" in a["href"]]
    labels = re.findall(r'<a href="/moon/facts/[^"]+/">([^<]+)</a>', a_to_z)
    assert len(linked) == 9 and labels == sorted(labels, key=str.casefold)
    assert {"letter-b", "letter-s", "by-table", "group-landings", "group-other"} <= set(doc.ids)
    table = html[html.index('id="group-landings"') : html.index('id="group-other"')]
    assert re.findall(r"facts/([a-z0-9-]+)/", table) == ["ce6-row", "slim-row"]


def test_every_page_links_the_fact_index_the_changes_and_the_feed(built_site: ScratchSite):
    for rel in ("index.html", "far-side/index.html", "facts/mass/index.html", "404.html"):
        doc = HtmlDoc(built_site.html(rel))
        hrefs = [a["href"] for a in doc.find("a")]
        assert "/moon/facts/" in hrefs and "/moon/changes/" in hrefs, rel
        assert doc.find(
            "link", rel="alternate", type="application/atom+xml", href="/moon/changes/feed.xml"
        ), rel


def test_fact_pages_are_small(built_site: ScratchSite):
    for path in (built_site.out / "facts").rglob("index.html"):
        assert path.stat().st_size <= 50_000, path


# ---------------------------------------------------------------------------------------------
# Disagreements and uncertainty as data

ALTERNATIVES = """\
    alternatives:
      - value: 2240
        sources: [src-c]
        note: An older estimate.
    choice: The newer survey measured the rim from orbit.
"""


def test_alternatives_are_a_table_on_the_fact_page(scratch_site: ScratchSite):
    scratch_site.edit(
        "content/data/facts.yaml", "    qualifier: about\n", "    qualifier: about\n" + ALTERNATIVES
    )
    result = scratch_site.build(base_path="/moon/")
    html = main(scratch_site.html("facts/diameter/index.html"))
    table = text_of(html[html.index("<table") : html.index("</table>")])
    assert f"about 2,500{NBSP}km (used here) Observatory B" in table
    assert f"2,240{NBSP}km Archive C An older estimate." in table
    assert "Which value the site uses, and why: The newer survey measured the rim" in text_of(html)
    assert 'href="#source-src-c"' in html and 'id="source-src-c"' in html
    assert "Source of another value" in text_of(html)
    # a source of an alternative only is cited (on the fact page): no "not cited" warning
    assert not [w for w in result.warnings if "'src-c' is not cited" in w.message]


def test_alternatives_and_uncertainty_are_exported(scratch_site: ScratchSite):
    scratch_site.edit(
        "content/data/facts.yaml", "    qualifier: about\n", "    qualifier: about\n" + ALTERNATIVES
    )
    scratch_site.edit(
        "content/data/facts.yaml",
        "    value: 1935.3\n",
        "    value: 1935.3\n    uncertainty: 0.2\n",
    )
    scratch_site.build()
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(scratch_site.html("facts.csv")))}
    header = scratch_site.html("facts.csv").splitlines()[0].split(",")
    assert header[:11] == [
        "id",
        "label",
        "type",
        "value",
        "unit",
        "qualifier",
        "display",
        "as_of",
        "sources",
        "group",
        "note",
    ]
    assert rows["diameter"]["alternatives"] == "2240 [src-c]"
    assert rows["diameter"]["choice"].startswith("The newer survey")
    assert rows["mass"]["value"] == "1935.3" and rows["mass"]["uncertainty"] == "0.2"
    assert rows["mass"]["display"] == f"1,935.3\u202f±\u202f0.2{NBSP}g"
    facts = {f["id"]: f for f in json.loads(scratch_site.html("facts.json"))["facts"]}
    assert facts["diameter"]["alternatives"] == [
        {
            "value": "2240",
            "display": f"2,240{NBSP}km",
            "uncertainty": None,
            "sources": ["src-c"],
            "note": "An older estimate.",
        }
    ]
    assert facts["mass"]["uncertainty"] == "0.2"


def test_an_uncertainty_is_written_with_the_value(scratch_site: ScratchSite):
    scratch_site.edit(
        "content/data/facts.yaml",
        "    value: 1935.3\n",
        "    value: 1935.3\n    uncertainty: 0.2\n",
    )
    scratch_site.build()
    assert f"1,935.3\u202f±\u202f0.2{NBSP}g" in prose(scratch_site.html())
    assert "Uncertainty ± 0.2 g" in text_of(scratch_site.html("facts/mass/index.html"))


@pytest.mark.parametrize(
    ("insert", "needle", "message"),
    [
        (
            "    alternatives:\n      - value: 2240\n        sources: [src-c]\n",
            "alternatives:",
            "fact 'diameter' lists alternatives: add 'choice', saying which value the site uses "
            "and why",
        ),
        (
            "    choice: Because.\n",
            "choice:",
            "'choice' of fact 'diameter' explains a choice between alternatives, but it lists none",
        ),
        (
            ALTERNATIVES.replace("2240", '"2240"'),
            "- value:",
            "'value' of alternative 1 of fact 'diameter' must be a number, not str",
        ),
        (
            ALTERNATIVES.replace("[src-c]", "[src-x]"),
            "- value:",
            "an alternative of fact 'diameter' cites unknown source 'src-x' (did you mean "
            "'src-a', 'src-b' or 'src-c'?)",
        ),
        (
            ALTERNATIVES.replace("2240", "2500"),
            "- value:",
            "alternative 1 of fact 'diameter' repeats the site's own value",
        ),
        (
            ALTERNATIVES.replace("        note:", "        colour: red\n        note:"),
            "colour:",
            "unknown key 'colour' in alternative 1 of fact 'diameter' (allowed: note, qualifier, "
            "sources, uncertainty, value)",
        ),
        (
            "    alternatives: 2240\n    choice: Because.\n",
            "alternatives:",
            "'alternatives' of fact 'diameter' must be a list of mappings with value and sources",
        ),
        (
            "    uncertainty: -1\n",
            "uncertainty:",
            "'uncertainty' of fact 'diameter' must be greater than 0",
        ),
    ],
)
def test_bad_alternatives_are_errors_on_their_line(
    scratch_site: ScratchSite, insert, needle, message
):
    scratch_site.edit(
        "content/data/facts.yaml", "    qualifier: about\n", "    qualifier: about\n" + insert
    )
    line = scratch_site.line_of("content/data/facts.yaml", needle)
    if "unknown source" in message:  # cross-references are checked once all data is read
        line = scratch_site.line_of("content/data/facts.yaml", "- value:")
    assert scratch_site.errors() == [f"content/data/facts.yaml:{line}: {message}"]


def test_an_uncertainty_on_a_date_is_an_error(scratch_site: ScratchSite):
    scratch_site.edit(
        "content/data/facts.yaml",
        '    value: "2024-05-03"\n',
        '    value: "2024-05-03"\n    uncertainty: 1\n',
    )
    line = scratch_site.line_of("content/data/facts.yaml", "uncertainty:")
    assert scratch_site.errors() == [
        f"content/data/facts.yaml:{line}: 'uncertainty' (±) applies only to a quantity (fact "
        "'launch-day'); a span of values is a range"
    ]


def test_bad_data_on_the_command_line_leaves_the_site_untouched(built_site: ScratchSite):
    before = built_site.html("facts/diameter/index.html")
    built_site.edit(
        "content/data/facts.yaml",
        "    qualifier: about\n",
        "    qualifier: about\n    choice: Because.\n",
    )
    result = built_site.run("--base-path", "/moon/")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = built_site.line_of("content/data/facts.yaml", "choice:")
    assert f"content/data/facts.yaml:{line}: 'choice' of fact 'diameter'" in result.stderr
    assert built_site.html("facts/diameter/index.html") == before


# ---------------------------------------------------------------------------------------------
# Incremental


def test_a_fact_edit_renders_only_its_own_fact_page(scratch_site: ScratchSite, monkeypatch):
    rendered: list[str] = []
    original = fact_pages.evidence

    def counting(fact, book):
        rendered.append(fact.id)
        return original(fact, book)

    monkeypatch.setattr(fact_pages, "evidence", counting)
    config = dataclasses.replace(scratch_site.config(), out_dir=scratch_site.root.parent / "l")
    store, live = MemoryStore(), LiveOutput(config.out_dir)
    build(config, store, live)
    assert len(rendered) == 9
    rendered.clear()
    scratch_site.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.4")
    result = build(config, store, live)
    assert rendered == ["mass"]
    assert "facts/mass/index.html" in result.changed and "facts/index.html" in result.changed
    assert "facts/diameter/index.html" not in result.changed


# ---------------------------------------------------------------------------------------------
# Every fact page of the real site in a real browser. They share one template, so each is loaded
# once, on a phone, in both colour schemes, for what varies with its data (size, sideways
# scrolling, requests); axe-core checks the index, the change log and the fact pages that use
# the most of the template (alternatives, history, the most sources, the longest value), since a
# full axe run costs about half a second a page. test_browser.py checks one fact page at every
# width.


def axe_sample() -> list[str]:
    """The fact pages whose data exercises most of the template, chosen from the data."""
    from factsheet.fact_loading import load_factbook

    book, errors = load_factbook(ROOT / "content" / "data", ROOT)
    assert book is not None, errors
    facts = list(book.facts.values())
    chosen = {fact.id for fact in facts if fact.alternatives}
    chosen.add(max(facts, key=lambda fact: len(fact.all_sources)).id)
    chosen.add(max(facts, key=lambda fact: len(fact.text())).id)
    chosen |= {next(f.id for f in facts if f.type == kind) for kind in {f.type for f in facts}}
    return [f"facts/{fact_id}/" for fact_id in sorted(chosen)]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_real_fact_page_is_accessible_and_small(browser, server, browser_site, scheme):
    out = browser_site
    paths = sorted(
        p.parent.relative_to(out).as_posix() + "/" for p in (out / "facts").glob("*/index.html")
    )
    assert paths, "the real site has no fact pages"
    audited = {"facts/", "changes/", *axe_sample()}
    failures = []
    context, page, watch, _ = open_page(
        browser, server, "facts/", width=320, height=640, scheme=scheme, javascript=True
    )
    try:
        for path in ["facts/", "changes/", *paths]:
            size = (out / path / "index.html").stat().st_size
            if size > 50_000:
                failures.append(f"{path}: {size:,} bytes")
            page.goto(f"{server}/moon/{path}", wait_until="load")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                failures.append(f"{path}: scrolls sideways by {overflow} px at 320 px")
            if path in audited:
                failures += [f"{path}: {v}" for v in axe_violations(page)]
        # Leaving a page aborts its favicon's load (ERR_ABORTED): that is the navigation, not
        # a broken link; every other failed request counts.
        failures += [p for p in watch.problems if "net::ERR_ABORTED" not in p]
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_values_in_tables_and_the_key_facts_box_are_not_links(built_site: ScratchSite):
    """There a value and its citation marker would be two links alone side by side, and the
    small marker would fail WCAG 2.5.8's target spacing; the fact index links them instead."""
    html = built_site.html()
    infobox = html[html.index('<aside class="infobox"') : html.index("</aside>")]
    table = html[html.index("<table") : html.index("</table>")]
    assert 'data-fact="mass"' in infobox and 'data-fact="ce6-row"' in table
    assert "fact-link" not in infobox and "fact-link" not in table


def test_a_fact_restating_another_shows_the_same_passage(scratch_site: ScratchSite):
    scratch_site.edit(
        "content/data/facts.yaml",
        PASSAGE,
        PASSAGE + '    passages: {launch-day: "launched on 3 May"}\n',
    )
    scratch_site.write(
        "content/data/more.yaml",
        """\
        facts:
          - id: launch-again
            label: Launch, as a second row
            value_from: launch-day
        """,
    )
    scratch_site.build()
    assert "“launched on 3 May”" in scratch_site.html("facts/launch-again/index.html")
