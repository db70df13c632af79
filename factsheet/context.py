"""What templates see: the site-wide globals and each page's own variables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .config import Config
from .facts import FactBook, Source
from .pages import Page
from .render import PageSummary, RenderedPage
from .templates import url_helpers


@dataclass(frozen=True)
class NavItem:
    title: str
    url_path: str


@dataclass(frozen=True)
class SourceEntry:
    source: Source
    pages: tuple[Page, ...]  # the pages that cite it, in navigation order


def citing_pages(pages: list[Page], rendered: dict[str, PageSummary]) -> dict[str, list[Page]]:
    """For each source id, the pages whose reference lists include it."""
    result: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        for source_id in rendered[page.rel].source_ids:
            result[source_id].append(page)
    return result


def navigation(pages: list[Page]) -> tuple[NavItem, ...]:
    ordered = sorted((p for p in pages if p.order is not None), key=lambda p: (p.order, p.rel))
    return tuple(NavItem(p.nav_title or p.title, p.url_path) for p in ordered)


def sources_by_publisher(
    book: FactBook, citing: dict[str, list[Page]], nav: tuple[NavItem, ...]
) -> list[tuple[str, list[SourceEntry]]]:
    """Every source, grouped by publisher (alphabetical), each with the pages citing it."""
    rank = {item.url_path: index for index, item in enumerate(nav)}
    groups: dict[str, list[SourceEntry]] = defaultdict(list)
    for source in book.sources.values():
        pages = sorted(citing.get(source.id, []), key=lambda p: (rank.get(p.url_path, 99), p.rel))
        groups[source.publisher].append(SourceEntry(source, tuple(pages)))
    return [
        (publisher, sorted(entries, key=lambda e: (e.source.title.lower(), e.source.id)))
        for publisher, entries in sorted(groups.items(), key=lambda g: g[0].lower())
    ]


@dataclass(frozen=True)
class SiteContext:
    config: Config
    book: FactBook
    pages: list[Page]
    rendered: dict[str, PageSummary]
    globals: dict[str, Any]

    @classmethod
    def create(
        cls,
        config: Config,
        book: FactBook,
        pages: list[Page],
        rendered: dict[str, PageSummary],
        assets: dict[str, str],
    ) -> SiteContext:
        site_url = config.site_url or book.site.url.rstrip("/")
        helpers = url_helpers(config.base_path, site_url)
        nav = navigation(pages)

        def asset(name: str, absolute: bool = False) -> str:
            """The URL of a file from static/ (content-hashed for CSS and JS); `absolute=True`
            gives the full URL that Open Graph and JSON-LD need."""
            if name not in assets:
                raise LookupError(f"asset({name!r}): no such file in static/")
            return helpers["absolute_url" if absolute else "url"](assets[name])

        citing = citing_pages(pages, rendered)
        globals_ = {
            **helpers,
            "asset": asset,
            "assets": assets,
            "site": book.site,
            "nav": nav,
            "base_path": config.base_path,
            "facts": book.facts,
            "sources": book.sources,
            "sources_by_publisher": sources_by_publisher(book, citing, nav),
            "has_page": {page.url_path for page in pages}.__contains__,
        }
        return cls(config, book, pages, rendered, globals_)

    def page_variables(self, page: Page, rendered: RenderedPage) -> dict[str, Any]:
        html = rendered.html
        absolute_url = self.globals["absolute_url"]
        references = [
            (ref.number, self.book.sources[ref.source_id], ref.backrefs)
            for ref in rendered.references
        ]
        return {
            "page": page,
            "content": Markup(html),  # noqa: S704 - HTML the Markdown renderer produced
            "headings": [h for h in rendered.headings if h.level == 2],
            "infobox": [(row, Markup(row.value_html)) for row in rendered.infobox],  # noqa: S704
            "references": references,
            "canonical_url": absolute_url(page.url_path),
            "json_ld": self.article_json_ld(page),
        }

    def article_json_ld(self, page: Page) -> dict[str, Any]:
        site = self.book.site
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": page.title,
            "description": page.description,
            "url": self.globals["absolute_url"](page.url_path),
            "inLanguage": site.language,
            "isPartOf": {
                "@type": "WebSite",
                "name": site.title,
                "url": self.globals["absolute_url"](""),
            },
        }
        if site.author:
            data["author"] = {"@type": "Organization", "name": site.author}
        if "og-image.png" in self.globals["assets"]:
            data["image"] = self.globals["asset"]("og-image.png", absolute=True)
        if page.updated:
            data["dateModified"] = page.updated.iso()
        return data
