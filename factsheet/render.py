"""Markdown to HTML for one page at a time, with one reused Python-Markdown instance."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, replace

from markdown import Markdown
from markdown.serializers import to_html_string

from .dependencies import Recorder, tracked_book
from .elements import cite_marker, fact_element
from .errors import SiteError
from .facts import FactBook
from .links import LinkRef, LinkResolver
from .markdown_ext import PERMALINK_CLASS, FactSheetExtension, Reference, fill_marker
from .pages import Page
from .prose_numbers import ProseNumbersExtension, prose_number_errors
from .suggest import did_you_mean

MARKDOWN_EXTENSIONS = ["tables", "footnotes", "attr_list", "abbr", "def_list", "md_in_html"]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    name: str


@dataclass(frozen=True)
class InfoboxRow:
    fact_id: str
    label: str
    value_html: str  # the value and its citation markers
    as_of: str


@dataclass(frozen=True)
class RenderedPage:
    """What the Markdown of a page became; picklable so it can be cached and sent between
    processes."""

    html: str
    headings: tuple[Heading, ...]
    ids: frozenset[str]
    links: tuple[LinkRef, ...]
    references: tuple[Reference, ...]
    infobox: tuple[InfoboxRow, ...]
    facts_used: tuple[str, ...]
    errors: tuple[SiteError, ...]
    # (fact id, heading id, heading text) of each place a fact is shown ("" above any heading)
    fact_places: tuple[tuple[str, str, str], ...] = ()
    uses: frozenset[str] = frozenset()  # the facts, sources, groups and pages it looked up
    render_key: str = ""  # see incremental.page_key
    uses_digest: str = ""  # the digest of everything in `uses` when it was rendered
    key: str = ""  # this rendering's identity (render_key and uses_digest), its cache entry

    def summary(self, keep: bool = False) -> PageSummary:
        return PageSummary(
            key=self.key,
            render_key=self.render_key,
            uses=tuple(sorted(self.uses)),
            uses_digest=self.uses_digest,
            source_ids=tuple(ref.source_id for ref in self.references),
            fragment_links=tuple(link for link in self.links if link.fragment),
            ids="\n" + "\n".join(sorted(self.ids)) + "\n",
            errors=self.errors,
            facts_used=self.facts_used,
            page=self if keep else None,
            fact_places=self.fact_places,
        )


@dataclass(frozen=True, slots=True)
class PageSummary:
    """What a build holds of every page between rendering and writing: small, so that 10,000
    pages fit in little memory. The rest is read back from the cache when the page is written."""

    key: str
    render_key: str
    uses: tuple[str, ...]  # the names it looked up, sorted (see dependencies.py)
    uses_digest: str
    source_ids: tuple[str, ...]  # the sources it cites, in reference-list order
    fragment_links: tuple[LinkRef, ...]  # links whose #fragment is checked once all pages exist
    ids: str  # every id on the page, one per line: one string is far smaller than a set
    errors: tuple[SiteError, ...]  # warnings too (numbers typed into prose), flagged as such
    facts_used: tuple[str, ...] = ()  # every fact shown (prose, infobox, tables, charts)
    page: RenderedPage | None = None  # kept only where the cache could not be written
    fact_places: tuple[tuple[str, str, str], ...] = ()  # see RenderedPage: for fact pages

    def has_id(self, ident: str) -> bool:
        return f"\n{ident}\n" in self.ids

    def for_writing(self) -> PageSummary:
        """The part of the summary that writing the site reads: not the names, links and ids
        that decide reuse and check anchors (15 MB for 10,000 pages)."""
        return replace(self, uses=(), fragment_links=(), ids="", errors=())

    def shared(self, share: Sharing) -> PageSummary:
        """The same summary, with every part another page has too held once (each summary
        arrives from a worker process with copies of its own). Ten thousand pages repeat a
        few thousand fact places and links, and the same few hundred names: shared, the
        summaries take a third less memory. (Summaries read from the cache are left as they
        are: pickled 500 to a chunk, they share within it, and sharing them again cost a
        one-fact edit 9 % of its time.)"""
        intern = sys.intern
        return replace(
            self,
            uses=tuple(map(intern, self.uses)),  # a tuple a page: its names are shared
            source_ids=share(tuple(map(intern, self.source_ids))),
            facts_used=share(tuple(map(intern, self.facts_used))),
            # Equal places and links are one object, its strings interned when first seen
            # (rebuilding every link, to intern its strings, cost more than all the rest).
            fact_places=tuple(share(place, _interned_tuple) for place in self.fact_places),
            fragment_links=tuple(share(link, _interned_link) for link in self.fragment_links),
            # errors: their strings are interned as unpickled (SiteError.__setstate__)
        )


def _interned_tuple(strings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, strings))


def _interned_link(link: LinkRef) -> LinkRef:
    return LinkRef(sys.intern(link.href), sys.intern(link.target), sys.intern(link.fragment))


class Sharing:
    """One object for all equal values handed to it (sys.intern for tuples and links): for
    one build, so that a long-running dev server does not keep every value it ever saw."""

    def __init__(self) -> None:
        self.known: dict = {}

    def __call__(self, value, first_seen=None):
        """The one object equal to `value`; the first time, `value` (or `first_seen(value)`)."""
        known = self.known.get(value)
        if known is None:
            known = first_seen(value) if first_seen else value
            self.known[known] = known  # keyed by itself: `value` (and its strings) may go
        return known


class MarkdownRenderer:
    """Converts pages; the Markdown instance and its extensions are built once and reset."""

    def __init__(
        self,
        book: FactBook,
        resolver: LinkResolver,
        chart_renderer=None,
        names: tuple[str, ...] = (),
    ):
        # Everything a page looks up in the data and the page map is recorded (dependencies.py)
        self.recorder = Recorder()
        self.book = tracked_book(book, self.recorder)
        self.extension = FactSheetExtension(
            self.book, resolver.tracked(self.recorder), chart_renderer
        )
        self.prose_numbers = ProseNumbersExtension(names)
        self.md = Markdown(
            extensions=[
                *MARKDOWN_EXTENSIONS,
                # toc: ids for every heading, permalinks, and no [TOC] marker scan
                "toc",
                self.extension,
                self.prose_numbers,
            ],
            extension_configs={
                "toc": {
                    "permalink": "#",
                    "permalink_class": PERMALINK_CLASS,
                    "permalink_title": "Link to this section",
                    "marker": "",
                    "toc_depth": "2-3",
                },
                "footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"},
            },
            output_format="html",
        )
        # The inline pass looks its patterns up by position, in a Registry that checks its
        # order on every lookup: 1.5 million lookups for 1,000 pages. Every extension has
        # registered its patterns by now, so a list of them, in the same order, serves it.
        inline = self.md.treeprocessors["inline"]
        inline.inlinePatterns = list(self.md.inlinePatterns)  # type: ignore[attr-defined]

    def render(self, page: Page) -> RenderedPage:
        self.recorder.take()
        self.extension.begin(page.rel, page.url_path)
        state = self.extension.state
        infobox = self._infobox(page)  # first, so the box at the top gets the first numbers
        html = self.md.convert(page.body)
        headings = tuple(_flatten(self.md.toc_tokens))  # type: ignore[attr-defined]
        state.ids.update(heading.id for heading in headings)
        mentions: Counter[str] = Counter()
        problems = []
        for message, needle in state.problems:
            mentions[needle] += 1  # the second problem with one text is at its second mention
            problems.append(SiteError(page.shown, page.line_of(needle, mentions[needle]), message))
        errors = tuple(problems)
        if self.prose_numbers.findings.strays:
            errors += tuple(
                prose_number_errors(
                    page.shown,
                    page.text().split("\n"),
                    page.body_line,
                    self.prose_numbers.findings.strays,
                )
            )
        names = {heading.id: heading.name for heading in headings}
        places = [(fact_id, "", "") for fact_id in page.infobox]  # the box above the text
        places += [(fact_id, heading, names.get(heading, "")) for fact_id, heading in state.places]
        return RenderedPage(
            html=html,
            headings=headings,
            ids=frozenset(state.ids),
            links=tuple(state.links),
            references=state.references(),
            infobox=infobox,
            facts_used=tuple(dict.fromkeys(state.facts_used)),
            errors=errors,
            fact_places=tuple(dict.fromkeys(places)),
            uses=self.recorder.take(),
        )

    def _infobox(self, page: Page) -> tuple[InfoboxRow, ...]:
        rows = []
        state = self.extension.state
        for fact_id in page.infobox:
            fact = self.book.facts.get(fact_id)
            if fact is None:
                if not self.book.is_refused(fact_id):  # else its data error says what to fix
                    state.problems.append(
                        (
                            f"infobox names unknown fact {fact_id!r}"
                            + did_you_mean(fact_id, self.book.facts),
                            fact_id,
                        )
                    )
                continue
            state.facts_used.append(fact_id)
            marker = cite_marker(fact.sources)
            fill_marker(marker, list(fact.sources), state)
            del marker.attrib["data-cite"]
            # not linked to its fact page: see markdown_ext.fact_with_citation
            value = to_html_string(fact_element(fact)) + to_html_string(marker)
            rows.append(InfoboxRow(fact.id, fact.label, value, fact.as_of.text()))
        return tuple(rows)


def _flatten(tokens: list[dict]) -> list[Heading]:
    result = []
    for token in tokens:
        result.append(Heading(token["level"], token["id"], token["name"]))
        result.extend(_flatten(token["children"]))
    return result
