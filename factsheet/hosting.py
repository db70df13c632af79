"""Files a host and a crawler expect: sitemap.xml and robots.txt."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape as _escape
from typing import NamedTuple

from .facts import PartialDate
from .pages import Page


# XML text and attributes, as xml.sax.saxutils writes them (whose import pulls in urllib and
# http.client, ten milliseconds of every build's start-up).
def escape(text: str) -> str:
    return _escape(text, quote=False)


def quoteattr(text: str) -> str:
    return '"' + _escape(text, quote=False).replace('"', "&quot;") + '"'


class SitemapEntry(NamedTuple):
    """A page made from the data (a fact's page, the index, the change log), as the sitemap
    reads a page: where it is, and when its content was last checked."""

    url_path: str
    updated: PartialDate | None = None


def sitemap_xml(pages: Iterable[Page | SitemapEntry], absolute_url: Callable[[str], str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for page in sorted(pages, key=lambda p: p.url_path):
        lines.append(
            f"  <url><loc>{escape(absolute_url(page.url_path))}</loc>"
            + (f"<lastmod>{page.updated.iso()}</lastmod>" if page.updated else "")
            + "</url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(absolute_url: Callable[[str], str]) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url('sitemap.xml')}\n"
