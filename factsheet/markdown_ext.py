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
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .charts.figure import panel_elements
from .errors import ContentError
from .facts import Fact, FactBook
from .links import LinkRef, LinkResolver
from .suggest import did_you_mean
from .typography import NO_TYPOGRAPHY, typographic

CITE_ATTRIBUTE = "data-cite"  # carried by a marker from the processor that made it to numbering


# ---------------------------------------------------------------------------------------------
# Per-page state


@dataclass(frozen=True)
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


# ---------------------------------------------------------------------------------------------
# Building elements


def cite_marker(source_ids: tuple[str, ...] | list[str]) -> etree.Element:
    """A placeholder marker; the numbering pass fills in its links in reading order."""
    marker = etree.Element("sup", {"class": "cite", CITE_ATTRIBUTE: " ".join(source_ids)})
    return marker


def data_text(text: object, typography: bool = True) -> AtomicString:
    """Text from YAML data, ready for the tree: typography applied, and atomic, so no inline
    pattern reads it as Markdown or raw HTML; data is text in values, tables and captions
    exactly as it is in titles, SVG and JSON-LD.

    The serializer escapes `<` and `>` but leaves an `&` that starts an entity alone (so authors
    can write `&mdash;` in prose); escaping `&` here makes `&amp;` in data read as typed.
    """
    text = typographic(str(text)) if typography else str(text)
    return AtomicString(text.replace("&", "&amp;"))


def fact_page_path(fact_id: str) -> str:
    """The site path of a fact's own page (its value, sources, disagreements and history)."""
    return f"/facts/{fact_id}/"


def fact_element(fact: Fact, href: str | None = None) -> etree.Element:
    """The fact's formatted value; dates carry a machine-readable <time>. With `href`, the
    value links to the fact's page: one click from a number to its evidence."""
    span = etree.Element("span", {"class": "fact", "data-fact": fact.id})
    if fact.type in ("date", "datetime"):
        time = etree.SubElement(span, "time", {"datetime": fact.machine_value()})
        time.text = data_text(fact.text(), typography=False)
    else:  # a text fact gets the typography of the prose around it
        span.text = data_text(fact.text(), typography=fact.type == "text")
    if href is None:
        return span
    link = etree.Element("a", {"class": "fact-link", "href": href})
    link.append(span)
    return link


def fact_with_citation(fact: Fact, linked: bool = False) -> list[etree.Element]:
    """The value and its citation marker, which links to the page's own references. In running
    text (`linked`) the value also links to its fact page, a site path the link pass puts under
    the base path. Not in table cells: there the two links would stand alone side by side, and
    the small marker would lack the space around it that WCAG 2.5.8 asks of a target outside a
    sentence (the fact index and each fact page's "where the site shows it" link them instead)."""
    value = fact_element(fact, fact_page_path(fact.id) if linked else None)
    return [value, cite_marker(fact.sources)]


def problem_element(text: str) -> etree.Element:
    element = etree.Element("mark", {"class": "build-problem"})
    element.text = AtomicString(text)
    return element


class FactInlineProcessor(InlineProcessor):
    """`{fact ID}` and `{cite SOURCE}` in running text."""

    PATTERN = r"\{(fact|cite) ([^}\s]+)\}"

    def __init__(self, extension: FactSheetExtension):
        super().__init__(self.PATTERN)
        self.extension = extension

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's API
        kind, ident = m.group(1), m.group(2)
        book, state = self.extension.book, self.extension.state
        wrapper = etree.Element("span", {"class": "fact-ref"})
        if kind == "fact":
            fact = book.facts.get(ident)
            if fact is None:
                if not book.is_refused(ident):  # else its data error says what to fix
                    state.problems.append((f"unknown fact {ident!r}"
                                           + did_you_mean(ident, book.facts), m.group(0)))
                return problem_element(m.group(0)), m.start(0), m.end(0)
            state.facts_used.append(ident)
            wrapper.extend(fact_with_citation(fact, linked=True))
            return wrapper, m.start(0), m.end(0)
        if ident not in book.sources:
            if not book.is_refused(ident):
                state.problems.append((f"unknown source {ident!r}"
                                       + did_you_mean(ident, book.sources), m.group(0)))
            return problem_element(m.group(0)), m.start(0), m.end(0)
        return cite_marker([ident]), m.start(0), m.end(0)


class DataBlockProcessor(BlockProcessor):
    """`{facts-table GROUP}` and `{chart NAME}` standing alone in a paragraph."""

    PATTERN = re.compile(r"^\{(facts-table|chart) ([^}\s]+)\}$")

    def __init__(self, parser, extension: FactSheetExtension):
        super().__init__(parser)
        self.extension = extension

    def test(self, parent, block: str) -> bool:
        return bool(self.PATTERN.match(block.strip()))

    def run(self, parent, blocks: list[str]) -> None:
        block = blocks.pop(0).strip()
        kind, ident = self.PATTERN.match(block).groups()  # type: ignore[union-attr]
        if kind == "facts-table":
            element = self.extension.facts_table(ident, block)
        else:
            element = self.extension.chart(ident, block)
        parent.append(element)


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


class FinishTreeprocessor(Treeprocessor):
    """Number citations in reading order and collect every id on the page."""

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
            region = etree.Element("div", {"class": "table-wrap", "role": "region",
                                           "tabindex": "0", "aria-label": f"Table {count}"})
            region.tail, child.tail = child.tail, None
            parent.remove(child)
            region.append(child)
            parent.insert(index, region)


def fill_marker(marker: etree.Element, source_ids: list[str], state: PageState) -> None:
    """Give a marker one link per source: `[2]` to the reference, with an id to come back to."""
    for source_id in source_ids:
        number, anchor = state.cite(source_id)
        link = etree.SubElement(marker, "a", {"href": f"#ref-{number}", "id": anchor,
                                              "class": "cite-link",
                                              "aria-label": f"Source {number}"})
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

    def __init__(self, book: FactBook, link_resolver: LinkResolver,
                 chart_renderer: ChartRenderer | None = None):
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
        md.inlinePatterns.register(FactInlineProcessor(self), "fact", 175)
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

    # -- blocks ---------------------------------------------------------------------------------

    def facts_table(self, group_id: str, block: str) -> etree.Element:
        group = self.book.groups.get(group_id)
        if group is None:
            if not self.book.is_refused(group_id):
                self.state.problems.append((f"unknown group {group_id!r}"
                                            + did_you_mean(group_id, self.book.groups), block))
            return problem_element(block)
        facts = self.book.group_facts(group_id)
        head = [group.label_header, group.value_header] + [c.label for c in group.columns]
        rows = []
        for fact in facts:
            self.state.facts_used.append(fact.id)
            cells: list[object] = [fact.label, fact_with_citation(fact)]
            cells += [fact.attributes.get(column.key, "") for column in group.columns]
            rows.append(cells)
        return data_table(group.title, head, rows, f"table-{group_id}")

    def chart(self, name: str, block: str) -> etree.Element:
        if self.chart_renderer is None:
            self.state.problems.append(("charts are not available", block))
            return problem_element(block)
        try:
            chart = self.chart_renderer(name, self.book)
        except ContentError as exc:  # a message for the author, with the page's line; any
            # other exception is a bug in the chart's code and is reported as one (exit 2)
            if not (self.book.refused_ids or self.book.unread_files):  # else: data errors first
                self.state.problems.append((str(exc), block))
            return problem_element(block)
        # The figure holds the picture and its caption; the data table follows it, since a
        # figcaption must be the figure's first or last child.
        block_element = etree.Element("div", {"class": f"chart-block chart-{name}",
                                              "id": f"chart-{name}"})
        figure = etree.SubElement(block_element, "figure", {"class": "chart-figure"})
        # A region of its own, reachable by keyboard: on a phone a wide chart (the race, one
        # column a year) scrolls inside it rather than widening the page.
        picture = etree.SubElement(figure, "div", {"class": "chart-picture", "role": "region",
                                                   "tabindex": "0",
                                                   "aria-labelledby": f"chart-{name}-caption"})
        stash = self.md.htmlStash.store  # type: ignore[union-attr]
        if chart.panels:  # several drawings, some over raster pictures
            picture.set("class", "chart-picture chart-panels")
            del picture.attrib["tabindex"]  # panels wrap instead of scrolling: no extra tab stop
            picture.extend(panel_elements(chart, stash, self.resolve_link))
        elif chart.narrow_svg:  # one layout for wide screens, one for phones (CSS picks)
            del picture.attrib["tabindex"]
            picture.text = stash(f'<div class="chart-wide">{chart.svg}</div>'
                                 f'<div class="chart-narrow">{chart.narrow_svg}</div>')
        else:
            picture.text = stash(chart.svg)
        caption = etree.SubElement(figure, "figcaption", {"id": f"chart-{name}-caption"})
        caption.text = data_text(chart.caption)
        facts = self.book.facts
        sources = dict.fromkeys(s for fid in chart.fact_ids for s in facts[fid].sources)
        caption.append(cite_marker(list(sources)))
        for credit, source_ids in chart.credits:  # the data behind a picture, named under it
            line = etree.SubElement(caption, "span", {"class": "chart-credit"})
            line.text = f"Picture: {credit}"
            line.append(cite_marker(list(source_ids)))
        details = etree.SubElement(block_element, "details", {"class": "chart-data"})
        summary = etree.SubElement(details, "summary")
        summary.text = "The data in this picture"
        rows = []
        for fact_id, row in zip(chart.fact_ids, chart.table_rows, strict=True):
            self.state.facts_used.append(fact_id)
            cells: list[object] = list(row)
            value = text_span(str(row[-1]))
            value.set("data-fact", fact_id)  # where the fact is placed, for its page
            cells[-1] = [value, cite_marker(self.book.facts[fact_id].sources)]
            rows.append(cells)
        details.append(data_table(chart.caption, list(chart.table_head), rows,
                                  f"chart-{name}-data", caption_hidden=True))
        return block_element


def text_span(text: str) -> etree.Element:
    span = etree.Element("span")
    span.text = data_text(text)
    return span


def data_table(caption: str, head: list[str], rows: list[list[object]], ident: str,
               caption_hidden: bool = False) -> etree.Element:
    """A table in a scrollable, keyboard-reachable region, so wide tables never widen the page."""
    region = etree.Element("div", {"class": "table-wrap", "role": "region", "tabindex": "0",
                                   "aria-labelledby": f"{ident}-caption"})
    table = etree.SubElement(region, "table", {"id": ident, "class": "facts-table"})
    caption_element = etree.SubElement(table, "caption", {"id": f"{ident}-caption"})
    if caption_hidden:
        caption_element.set("class", "visually-hidden")
    caption_element.text = data_text(caption)
    header = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    for label in head:
        etree.SubElement(header, "th", {"scope": "col"}).text = data_text(label)
    body = etree.SubElement(table, "tbody")
    for cells in rows:
        row = etree.SubElement(body, "tr")
        for index, cell in enumerate(cells):
            element = etree.SubElement(row, "th" if index == 0 else "td")
            if index == 0:
                element.set("scope", "row")
            else:  # on a phone each row becomes a card, its cells labelled from this (CSS)
                element.set("data-label", head[index])
            if isinstance(cell, list):
                element.extend(cell)  # type: ignore[arg-type]
            else:
                element.text = data_text(cell)
    return region
