"""`{facts-table GROUP}` and `{chart NAME}` standing alone in a paragraph: a group of facts as a
table, or a picture with its caption, credits and the table of the data it shows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 - Python-Markdown's own name
from typing import TYPE_CHECKING

from markdown.blockprocessors import BlockProcessor

from .charts.figure import panel_elements
from .elements import cite_marker, data_text, fact_with_citation, problem_element
from .errors import ContentError
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .markdown_ext import FactSheetExtension


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
            element = facts_table(self.extension, ident, block)
        else:
            element = chart_block(self.extension, ident, block)
        parent.append(element)


def facts_table(ext: FactSheetExtension, group_id: str, block: str) -> etree.Element:
    group = ext.book.groups.get(group_id)
    if group is None:
        if not ext.book.is_refused(group_id):
            ext.state.problems.append(
                (
                    f"unknown group {group_id!r}" + did_you_mean(group_id, ext.book.groups),
                    block,
                )
            )
        return problem_element(block)
    facts = ext.book.group_facts(group_id)
    head = [group.label_header, group.value_header] + [c.label for c in group.columns]
    rows = []
    for fact in facts:
        ext.state.facts_used.append(fact.id)
        cells: list[object] = [fact.label, fact_with_citation(fact)]
        cells += [fact.attributes.get(column.key, "") for column in group.columns]
        rows.append(cells)
    return data_table(group.title, head, rows, f"table-{group_id}")


def chart_block(ext: FactSheetExtension, name: str, block: str) -> etree.Element:
    if ext.chart_renderer is None:
        ext.state.problems.append(("charts are not available", block))
        return problem_element(block)
    try:
        chart = ext.chart_renderer(name, ext.book)
    except ContentError as exc:  # a message for the author, with the page's line; any
        # other exception is a bug in the chart's code and is reported as one (exit 2)
        if not (ext.book.refused_ids or ext.book.unread_files):  # else: data errors first
            ext.state.problems.append((str(exc), block))
        return problem_element(block)
    # The figure holds the picture and its caption; the data table follows it, since a
    # figcaption must be the figure's first or last child.
    block_element = etree.Element(
        "div", {"class": f"chart-block chart-{name}", "id": f"chart-{name}"}
    )
    figure = etree.SubElement(block_element, "figure", {"class": "chart-figure"})
    # A region of its own, reachable by keyboard: on a phone a wide chart (the race, one
    # column a year) scrolls inside it rather than widening the page.
    picture = etree.SubElement(
        figure,
        "div",
        {
            "class": "chart-picture",
            "role": "region",
            "tabindex": "0",
            "aria-labelledby": f"chart-{name}-caption",
        },
    )
    stash = ext.md.htmlStash.store  # type: ignore[union-attr]
    if chart.panels:  # several drawings, some over raster pictures
        picture.set("class", "chart-picture chart-panels")
        del picture.attrib["tabindex"]  # panels wrap instead of scrolling: no extra tab stop
        picture.extend(panel_elements(chart, stash, ext.resolve_link))
    elif chart.narrow_svg:  # one layout for wide screens, one for phones (CSS picks)
        del picture.attrib["tabindex"]
        picture.text = stash(
            f'<div class="chart-wide">{chart.svg}</div>'
            f'<div class="chart-narrow">{chart.narrow_svg}</div>'
        )
    else:
        picture.text = stash(chart.svg)
    caption = etree.SubElement(figure, "figcaption", {"id": f"chart-{name}-caption"})
    caption.text = data_text(chart.caption)
    facts = ext.book.facts
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
        ext.state.facts_used.append(fact_id)
        cells: list[object] = list(row)
        value = text_span(str(row[-1]))
        value.set("data-fact", fact_id)  # where the fact is placed, for its page
        cells[-1] = [value, cite_marker(ext.book.facts[fact_id].sources)]
        rows.append(cells)
    details.append(
        data_table(
            chart.caption,
            list(chart.table_head),
            rows,
            f"chart-{name}-data",
            caption_hidden=True,
        )
    )
    return block_element


def text_span(text: str) -> etree.Element:
    span = etree.Element("span")
    span.text = data_text(text)
    return span


def data_table(
    caption: str,
    head: list[str],
    rows: list[list[object]],
    ident: str,
    caption_hidden: bool = False,
) -> etree.Element:
    """A table in a scrollable, keyboard-reachable region, so wide tables never widen the page."""
    region = etree.Element(
        "div",
        {
            "class": "table-wrap",
            "role": "region",
            "tabindex": "0",
            "aria-labelledby": f"{ident}-caption",
        },
    )
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
