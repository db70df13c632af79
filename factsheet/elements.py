"""The elements the extension puts into a page's tree for data: a fact's value, a citation
marker (numbered later, in reading order), a problem left visible where the author wrote it."""

from __future__ import annotations

import xml.etree.ElementTree as etree  # noqa: N813 - Python-Markdown's own name

from markdown.util import AtomicString

from .facts import Fact
from .typography import typographic

CITE_ATTRIBUTE = "data-cite"  # carried by a marker from the processor that made it to numbering


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


def literal_element(text: str) -> etree.Element:
    """`{literal 9,000}`: text the author vouches for (not data), shown as written."""
    element = etree.Element("span", {"class": "literal"})
    element.text = AtomicString(text)
    return element


def problem_element(text: str) -> etree.Element:
    element = etree.Element("mark", {"class": "build-problem"})
    element.text = AtomicString(text)
    return element
