"""The real content: every moment is stated once, every fact is used somewhere, every source is an
original publisher that a reader can find, and citation markers never repeat a source."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from factsheet.fact_loading import load_factbook

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def book():
    book, errors = load_factbook(ROOT / "content" / "data", ROOT)
    assert not errors, [str(e) for e in errors]
    return book


def test_no_instant_is_typed_twice(book):
    """Two facts with the same date-time are one event: the second must use value_from."""
    typed = defaultdict(list)
    for fact in book.facts.values():
        if fact.type == "datetime" and fact.value_from is None:
            typed[fact.value.iso_utc()].append(fact.id)
    assert not {moment: ids for moment, ids in typed.items() if len(ids) > 1}


def test_every_fact_appears_on_a_page_or_in_a_group(book):
    """A fact no page shows is dead data that nobody checks."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").glob("*.md"))
    charted = {"spa-centre", "spa-diameter", "moon-radius",  # drawn on the Moon map
               "ce4-landing-elevation"}  # and on the basin's topographic map
    unused = [fact.id for fact in book.facts.values()
              if fact.group is None and fact.id not in charted and fact.id not in pages]
    assert not unused, f"facts shown nowhere: {unused}"


# ---------------------------------------------------------------------------------------------
# Sources: original publishers only, and enough to find a source that has no link

# Hosts of wikis, question-and-answer sites, forums, blogs and aggregators: never a publisher.
NOT_A_PUBLISHER = re.compile(
    r"(^|\.)(wikipedia|wikimedia|wiktionary|wikiwand|wikisum|wikimili|grokipedia|fandom|wikia|"
    r"stackexchange|stackoverflow|reddit|quora|blogspot|wordpress|medium|substack|tumblr|"
    r"livejournal|pastebin|ground\.news|particle\.news|reportify)\.",
    re.IGNORECASE,
)
FORUM_HOST = re.compile(r"(^|\.)(forum|forums|bbs)\.", re.IGNORECASE)
TAG_PATH = re.compile(r"/(tag|tags|topic|topics|category|search)(/|$|\?)", re.IGNORECASE)
PUBLISHER_NAMES = re.compile(r"wikipedia|stack exchange|reddit|fandom|\bforum\b|\bblog\b",
                             re.IGNORECASE)
PLACEHOLDER = re.compile(r"^\s*\[|not in stored sources|title truncated|title shortened|\.\.\.",
                         re.IGNORECASE)


def _links(source):
    return [url for url in (source.url, source.archive_url) if url]


def test_no_source_is_a_wiki_forum_blog_or_tag_page(book):
    bad = []
    for source in book.sources.values():
        for url in _links(source):
            parts = urlsplit(url)
            host = parts.hostname or ""
            if NOT_A_PUBLISHER.search(host + ".") or FORUM_HOST.search(host) or TAG_PATH.search(
                    parts.path):
                bad.append((source.id, url))
        if PUBLISHER_NAMES.search(source.publisher):
            bad.append((source.id, source.publisher))
    assert not bad, f"cite the original publisher, not a wiki, forum, blog or tag page: {bad}"


def test_a_source_without_a_link_has_title_publisher_and_date(book):
    incomplete = [source.id for source in book.sources.values()
                  if not source.url and not (source.title and source.publisher
                                             and source.published)]
    assert not incomplete, f"sources with no URL need title, publisher and published: {incomplete}"


def test_no_placeholder_titles(book):
    placeholders = [(s.id, s.title) for s in book.sources.values() if PLACEHOLDER.search(s.title)]
    assert not placeholders, f"give each source its exact title: {placeholders}"


def test_a_paper_with_a_doi_links_to_it(book):
    """A DOI is shown as a link of its own; a source's url, if it is a DOI link, must agree."""
    for source in book.sources.values():
        if source.doi and source.url and "doi.org/" in source.url:
            assert source.url.endswith(source.doi), source.id


# ---------------------------------------------------------------------------------------------
# Citations that read well: a cluster of markers names each source once


class CitationClusters(HTMLParser):
    """Runs of citation markers with no reader-visible text between them, in reading order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.clusters: list[list[str]] = []
        self.open = False  # the last thing read was a marker (whitespace aside)
        self.depth = 0  # inside a <sup class="cite">

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "sup" and "cite" in (attributes.get("class") or "").split():
            if not self.open:
                self.clusters.append([])
            self.depth += 1
        elif self.depth and tag == "a":
            self.clusters[-1].append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "sup" and self.depth:
            self.depth -= 1
            self.open = True
        elif tag in ("p", "li", "td", "th", "dd", "dt", "div", "figure", "section"):
            self.open = False

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.open = False


def test_no_citation_cluster_repeats_a_source(real_site):
    repeated = []
    for page in sorted(real_site.out.rglob("index.html")):
        reader = CitationClusters()
        reader.feed(page.read_text(encoding="utf-8"))
        for cluster in reader.clusters:
            if len(cluster) != len(set(cluster)):
                repeated.append((str(page.relative_to(real_site.out)), cluster))
    assert not repeated, f"cite each source once per cluster: {repeated}"


def test_the_cluster_reader_sees_a_fact_marker_and_a_cite_marker_as_one_cluster():
    reader = CitationClusters()
    reader.feed('<p>Mass <span class="fact-ref"><span class="fact">1 g</span><sup class="cite">'
                '<a href="#ref-1">[1]</a></sup></span><sup class="cite"><a href="#ref-1">[1]</a>'
                '</sup> and <sup class="cite"><a href="#ref-1">[1]</a></sup>.</p>')
    assert reader.clusters == [["#ref-1", "#ref-1"], ["#ref-1"]]
