"""Python-Markdown extensions for a cited fact sheet.

- `{fact ID}` places a fact's value, formatted from data, with its citation markers.
- `{cite SOURCE}` places a citation marker for a statement that is not a number.
- `{facts-table GROUP}` and `{chart NAME}`, alone in a paragraph, render a group of facts as a
  table or a picture, each row with its citations.
- Citations are numbered per page in order of first use by one pass over the finished tree, so
  numbers follow reading order whatever produced the marker (prose, table, chart, infobox).
- Links written as paths to source files (`spa.md#age`) become URLs under the base path.
- Typography: curly quotes, dashes and ellipses, applied to text nodes only (never to code or
  attributes), after attribute lists are parsed and before heading ids are made.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree  # noqa: N813 - Python-Markdown's own name
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    BACKTICK_RE,
    LINK_RE,
    BacktickInlineProcessor,
    InlineProcessor,
)
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .data_blocks import DataBlockProcessor
from .elements import (
    CITE_ATTRIBUTE,
    cite_marker,
    fact_with_citation,
    literal_element,
    problem_element,
)
from .facts import FactBook
from .links import LinkRef, LinkResolver
from .suggest import did_you_mean
from .typography import NO_TYPOGRAPHY, typographic

# ---------------------------------------------------------------------------------------------
# Per-page state


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a page's reference list: a source, its number, and the markers citing it."""

    number: int
    source_id: str
    backrefs: tuple[str, ...]


@dataclass
class PageState:
    """What one conversion collects: citations, links, ids and problems. Reset for every page."""

    numbers: dict[str, int] = field(default_factory=dict)
    backrefs: dict[str, list[str]] = field(default_factory=dict)
    links: list[LinkRef] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (message, text to locate)
    facts_used: list[str] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (fact id, heading id above it)

    def cite(self, source_id: str) -> tuple[int, str]:
        """The source's number on this page (given on first use) and a fresh backref id."""
        number = self.numbers.setdefault(source_id, len(self.numbers) + 1)
        anchors = self.backrefs.setdefault(source_id, [])
        anchor = f"cite-{number}-{len(anchors) + 1}"
        anchors.append(anchor)
        return number, anchor

    def references(self) -> tuple[Reference, ...]:
        return tuple(
            Reference(number, source_id, tuple(self.backrefs[source_id]))
            for source_id, number in sorted(self.numbers.items(), key=lambda item: item[1])
        )


class FactInlineProcessor(InlineProcessor):
    """`{fact ID}`, `{cite SOURCE}` and `{literal TEXT}` in running text: one pattern, since
    Python-Markdown tries every inline pattern on every piece of text (a pattern more costs
    3 % of a conversion). A literal is text the prose-number check (prose_numbers.py) lets
    through."""

    PATTERN = r"\{(?:(fact|cite) ([^}\s]+)|literal ([^}]+))\}"

    def __init__(self, extension: FactSheetExtension):
        super().__init__(self.PATTERN)
        self.extension = extension

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's API
        kind, ident, literal = m.group(1, 2, 3)
        if literal is not None:
            return literal_element(literal), m.start(0), m.end(0)
        book, state = self.extension.book, self.extension.state
        wrapper = etree.Element("span", {"class": "fact-ref"})
        if kind == "fact":
            fact = book.facts.get(ident)
            if fact is None:
                if not book.is_refused(ident):  # else its data error says what to fix
                    state.problems.append(
                        (f"unknown fact {ident!r}" + did_you_mean(ident, book.facts), m.group(0))
                    )
                return problem_element(m.group(0)), m.start(0), m.end(0)
            state.facts_used.append(ident)
            wrapper.extend(fact_with_citation(fact, linked=True))
            return wrapper, m.start(0), m.end(0)
        if ident not in book.sources:
            if not book.is_refused(ident):
                state.problems.append(
                    (f"unknown source {ident!r}" + did_you_mean(ident, book.sources), m.group(0))
                )
            return problem_element(m.group(0)), m.start(0), m.end(0)
        return cite_marker([ident]), m.start(0), m.end(0)


class CodeSpanProcessor(BacktickInlineProcessor):
    """Python-Markdown's code spans, with its pattern tried only on text that has a backtick
    (every match needs one). The pattern starts with a look-behind, so the regular expression
    engine tries it at every position of every piece of text: the slowest inline pattern,
    5-9 % of converting the benchmark corpus, for pages that mostly have no code at all."""

    def __init__(self) -> None:
        super().__init__(BACKTICK_RE)
        self.gated = _OnlyWith("`", self.compiled_re)

    def getCompiledRegExp(self):  # noqa: N802 - Python-Markdown's API
        return self.gated


# Python-Markdown's links and references start where a "[" has no "!" before it: written
# `(?<!\!)\[`, a look-behind first, so that every position of every text is tried. The same
# matches, found from the "[" and checked backwards, cost a fifth as much.
LINK_START = r"\[(?<!!\[)"


LINK_PATTERNS = {"reference": 170, "link": 160, "short_reference": 130}  # their priorities


def faster_link_patterns(md: Markdown) -> None:
    """The link and reference patterns again, each of its own class, with LINK_START for the
    regular expression they share (where they still have Python-Markdown's)."""
    for name, priority in LINK_PATTERNS.items():
        if name not in md.inlinePatterns:
            continue
        pattern = md.inlinePatterns[name]
        if isinstance(pattern, InlineProcessor) and pattern.pattern == LINK_RE:
            md.inlinePatterns.register(type(pattern)(LINK_START, md), name, priority)


@dataclass(frozen=True)
class _OnlyWith:
    """A compiled pattern whose every match contains `needle`: no search where it is absent."""

    needle: str
    pattern: re.Pattern

    def finditer(self, text: str, start: int = 0):
        return self.pattern.finditer(text, start) if self.needle in text else iter(())


# ---------------------------------------------------------------------------------------------
# Tree passes


class LinkTreeprocessor(Treeprocessor):
    """Rewrite links to source files and site paths into URLs under the base path."""

    def __init__(self, md: Markdown, extension: FactSheetExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self.extension.resolve_link(value))


class TypographyTreeprocessor(Treeprocessor):
    """Typography on text nodes only.

    On the shared 8 KB-a-page benchmark corpus it adds 0.9 ms a page to Python-Markdown (4.5 ms
    with tables, footnotes, toc and attr_list), where the `smarty` extension adds
    about 7 ms (11.9 ms a page in all), measured 2026-11-24.
    """

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in NO_TYPOGRAPHY:
            return
        if element.text and not isinstance(element.text, AtomicString):
            element.text = typographic(element.text)
        for child in element:
            self._walk(child)
            if child.tail:
                child.tail = typographic(child.tail)


PERMALINK_CLASS = "headerlink"  # the toc extension's class for a heading's "#" link


class FinishTreeprocessor(Treeprocessor):
    """Number citations in reading order, collect every id on the page, and keep headings'
    permalinks out of the search index."""

    def __init__(self, md: Markdown, extension: FactSheetExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        state = self.extension.state
        heading = ""  # the id of the last h2/h3 read: where each fact is placed, for its page
        for element in root.iter():
            ident = element.get("id")
            if ident:
                state.ids.add(ident)
                if element.tag in ("h2", "h3"):
                    heading = ident
            elif element.tag == "a" and element.get("class") == PERMALINK_CLASS:
                # Search results name a section by its heading's text: "Depths", not "Depths#"
                element.set("data-pagefind-ignore", "")
            fact_id = element.get("data-fact")
            if fact_id:
                state.places.append((fact_id, heading))
            sources = element.attrib.pop(CITE_ATTRIBUTE, None)
            if sources is not None:
                fill_marker(element, sources.split(), state)
        wrap_tables(root)
        plain_toc_names(getattr(self.md, "toc_tokens", []))


def plain_toc_names(tokens: list[dict]) -> None:
    """The toc extension (run just before) gives each heading's name as HTML, entities and all;
    templates escape what they print, so names become plain text and are escaped exactly once
    (`Fish & chips`, not `Fish &amp;amp; chips`, in the list of contents)."""
    for token in tokens:
        token["name"] = html.unescape(token["name"])
        plain_toc_names(token["children"])


def wrap_tables(root: etree.Element) -> None:
    """Put every Markdown table in a scrollable region, as `data_table` does for data tables."""
    count = 0
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag != "table" or parent.get("class") == "table-wrap":
                continue
            count += 1
            region = etree.Element(
                "div",
                {
                    "class": "table-wrap",
                    "role": "region",
                    "tabindex": "0",
                    "aria-label": f"Table {count}",
                },
            )
            region.tail, child.tail = child.tail, None
            parent.remove(child)
            region.append(child)
            parent.insert(index, region)


def fill_marker(marker: etree.Element, source_ids: list[str], state: PageState) -> None:
    """Give a marker one link per source: `[2]` to the reference, with an id to come back to."""
    for source_id in source_ids:
        number, anchor = state.cite(source_id)
        link = etree.SubElement(
            marker,
            "a",
            {
                "href": f"#ref-{number}",
                "id": anchor,
                "class": "cite-link",
                "aria-label": f"Source {number}",
            },
        )
        link.text = AtomicString(f"[{number}]")
        state.ids.add(anchor)


# ---------------------------------------------------------------------------------------------
# The extension


ChartRenderer = Callable[[str, FactBook], object]


class FactSheetExtension(Extension):
    """Facts, citations, data tables, charts, links and typography for one Markdown instance.

    The Markdown instance is reused for every page (`reset()` between pages), so the page being
    converted is set with `begin()`; everything the page collected is read from `state`.
    """

    def __init__(
        self,
        book: FactBook,
        link_resolver: LinkResolver,
        chart_renderer: ChartRenderer | None = None,
    ):
        super().__init__()
        self.book = book
        self.links = link_resolver
        self.chart_renderer = chart_renderer
        self.state = PageState()
        self.page_rel = ""
        self.md: Markdown | None = None

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        self.md = md
        md.registerExtension(self)
        # 176: before footnotes (175), as `{literal ...}` was: its text is taken as written
        md.inlinePatterns.register(FactInlineProcessor(self), "fact", 176)
        md.inlinePatterns.register(CodeSpanProcessor(), "backtick", 190)  # replaces the default
        faster_link_patterns(md)
        md.parser.blockprocessors.register(DataBlockProcessor(md.parser, self), "data-block", 75)
        # After inline patterns (20); typography after attr_list (8) and abbr (7) have read
        # their syntax, and before toc (5) makes heading ids and names.
        md.treeprocessors.register(LinkTreeprocessor(md, self), "internal-links", 19)
        md.treeprocessors.register(TypographyTreeprocessor(md), "typography", 6)
        md.treeprocessors.register(FinishTreeprocessor(md, self), "finish", 4)

    def reset(self) -> None:
        self.state = PageState()

    def begin(self, page_rel: str, page_url: str) -> None:
        self.md.reset()  # type: ignore[union-attr]
        self.page_rel = page_rel
        self.page_url = page_url

    def resolve_link(self, href: str) -> str:
        resolved = self.links.resolve(href, self.page_rel, self.page_url)
        if isinstance(resolved, str):
            return resolved
        problem, url, link = resolved.problem, resolved.url, resolved.link
        if problem:
            self.state.problems.append((problem, href))
        if link:
            self.state.links.append(link)
        return url
