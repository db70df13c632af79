"""build(config): the pipeline, readable top to bottom — load, validate, render, write.

Every stage returns its problems instead of stopping at the first; the build raises BuildError
with all of them before anything is swapped into the output folder.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

from .cache import RenderCache, fingerprint_inputs
from .charts import render_chart
from .config import Config
from .context import SiteContext, citing_pages
from .errors import BuildError, SiteError, display_path
from .fact_usage import unused_facts
from .facts import FactBook, load_factbook
from .markdown_ext import LinkResolver
from .output import LiveOutput, OutputPaths, OutputTree, asset_names, static_files
from .pages import Page, load_pages
from .render import PageSummary
from .render_all import render_pages
from .writer import write_site

DOWNLOADS = ("facts.json", "facts.csv")
HOSTING = ("sitemap.xml", "robots.txt", "404.html")


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    rendered: int  # pages whose Markdown was converted (not taken from the cache)
    skipped: bool  # nothing changed since the last build of this output folder
    warnings: tuple[SiteError, ...]
    seconds: float
    changed: tuple[str, ...] = ()  # with a LiveOutput: the files written or removed


def build(config: Config, live: LiveOutput | None = None) -> BuildResult:
    """Build the site; raise BuildError, with the output untouched, on any problem.

    Without `live`, the site goes to a staging folder swapped in for config.out_dir. With a
    LiveOutput (the dev server's folder), only files whose inputs changed are rendered and only
    files whose bytes changed are rewritten.
    """
    started = time.perf_counter()
    cache = RenderCache(config.cache_dir)
    inputs = fingerprint_inputs(config) if live is None else ""
    if live is None and cache.up_to_date(inputs, config.out_dir):
        warnings = cache.last_warnings(config.out_dir)
        return BuildResult(0, 0, 0, True, warnings, time.perf_counter() - started)

    page_memo = live.pages if live else cache.load_page_index(config)
    book, pages = load_inputs(config, page_memo)
    if live is None:
        cache.save_page_index(config, page_memo)
    assets = asset_names(static_files(config.static_dir))
    resolver = LinkResolver(config.base_path, {p.rel: p.url_path for p in pages},
                            set(assets.values()) | set(DOWNLOADS) | set(HOSTING))
    summaries = live.summaries if live else cache.load_summaries()
    known = set(summaries)
    rendered, converted = render_pages(pages, book, resolver, cache, config, render_chart,
                                       summaries)
    if live is None and set(summaries) != known:
        cache.save_summaries(summaries)
    warnings = validate_rendered(pages, rendered, book, config)

    tree = live.begin() if live else OutputTree(config.out_dir, source_date_epoch(),
                                                 cache.page_keys(config.out_dir))
    files = write_output(tree, config, book, pages, rendered, assets, cache)
    if live is None:
        cache.record_build(inputs, config.out_dir, files, warnings, tree.keys)
    return BuildResult(len(pages), len(files), converted, False, tuple(warnings),
                       time.perf_counter() - started, tuple(tree.changed))


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, for reproducible file times in the Pages artifact."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else None


def load_inputs(config: Config, page_memo: dict | None = None) -> tuple[FactBook, list[Page]]:
    """Read and validate the data and every page; raise with every problem found."""
    book, errors = load_factbook(config.data_dir, config.root)
    pages, page_errors = load_pages(config.content_dir, config.data_dir, config.root, page_memo)
    pages = [page for page in pages if config.drafts or not page.draft]
    errors += page_errors
    if not pages and not page_errors:
        errors.append(SiteError(display_path(config.content_dir, config.root), None,
                                "no pages: add Markdown files (*.md) to the content folder"))
    if errors or book is None:
        raise BuildError(errors)
    return book, pages


def validate_rendered(pages: list[Page], rendered: dict[str, PageSummary], book: FactBook,
                      config: Config) -> list[SiteError]:
    """Problems found while rendering, broken anchors, and sources no page cites."""
    found = [error for page in pages for error in rendered[page.rel].errors]
    errors = [error for error in found if not error.warning]
    errors += check_anchors(pages, rendered)
    citing = citing_pages(pages, rendered)
    warnings = [
        SiteError(source.path, source.line, f"source {source.id!r} is not cited by any page",
                  warning=not config.strict)
        for source in book.sources.values()
        if source.id not in citing
    ]
    warnings += [replace(error, warning=False) if config.strict else error
                 for error in found if error.warning]
    warnings += unused_facts(book, [rendered[page.rel] for page in pages], config.strict)
    errors += [w for w in warnings if not w.warning]
    if errors:
        raise BuildError(errors)
    return [w for w in warnings if w.warning]


def check_anchors(pages: list[Page], rendered: dict[str, PageSummary]) -> list[SiteError]:
    """Every #fragment of an internal link must name an id on the page it points to."""
    by_url = {page.url_path: rendered[page.rel] for page in pages}
    errors = []
    for page in pages:
        for link in rendered[page.rel].fragment_links:
            target = by_url.get(link.target)
            if target is None or not target.has_id(link.fragment):
                errors.append(SiteError(page.shown, page.line_of(link.href),
                                        f"link {link.href!r}: no heading or anchor "
                                        f"#{link.fragment} on /{link.target}"))
    return errors


def write_output(tree: OutputPaths, config: Config, book: FactBook, pages: list[Page],
                 rendered: dict[str, PageSummary], assets: dict[str, str],
                 cache: RenderCache) -> list[str]:
    """Render every file into the tree; commit it only if every file was made."""
    try:
        context = SiteContext.create(config, book, pages, rendered, assets)
        errors = write_site(tree, context, cache, config, assets)
        if errors or tree.errors:
            raise BuildError(errors + tree.errors)
        tree.commit()
        return list(tree.claimed)
    except BaseException:
        tree.discard()
        raise

