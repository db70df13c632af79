"""build(config): the pipeline, readable top to bottom — load, validate, render, write.

Every stage returns its problems instead of stopping at the first; the build raises BuildError
with all of them before anything is swapped into the output folder.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from .charts import render_chart
from .config import Config
from .context import SiteContext, citing_pages
from .dependencies import Digests
from .errors import BuildError, SiteError, display_path
from .fact_pages import INDEX_PATH, fact_path
from .facts import FactBook, load_data
from .feeds import FEED_PATH
from .feeds import PAGE_PATH as CHANGES_PATH
from .history import FactHistory, read_history
from .incremental import DiskStore, Inputs, Store, render_base
from .markdown_ext import LinkResolver
from .output import LiveOutput, OutputPaths, StagedOutput, asset_names, static_files
from .pages import Page, default_url_path, find_sources, load_pages
from .render import PageSummary
from .render_all import Renderings, render_pages
from .templates import template_syntax_errors
from .writer import write_site

DOWNLOADS = ("facts.json", "facts.csv")
HOSTING = ("sitemap.xml", "robots.txt", "404.html")


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    rendered: int  # pages whose Markdown was converted (not taken from the store)
    skipped: bool  # nothing changed since the last build of this output folder
    warnings: tuple[SiteError, ...]
    seconds: float
    changed: tuple[str, ...] = ()  # with a LiveOutput: the files written or removed


def build(config: Config, store: Store | None = None,
          output: LiveOutput | StagedOutput | None = None) -> BuildResult:
    """Build the site; raise BuildError, with the output untouched, on any problem.

    The store remembers what the last build read and made (by default in the cache folder);
    the output is a staging folder swapped in for config.out_dir, or the dev server's
    LiveOutput, which rewrites only files whose bytes changed.
    """
    started = time.perf_counter()
    store = store if store is not None else DiskStore(config.cache_dir, config)
    output = output or StagedOutput(config.out_dir, source_date_epoch())
    try:
        inputs = store.scan(config)
        warnings = store.unchanged(inputs, output.out_dir)
        if warnings is not None:
            return BuildResult(0, 0, 0, True, warnings, time.perf_counter() - started)

        book, pages, load_errors = load_inputs(config, inputs, store)
        assets = asset_names(static_files(config.static_dir))
        pages_by_rel = {page.rel: page.url_path for page in pages}
        if load_errors:  # a page refused for its front matter still exists for links to it
            pages_by_rel = unreadable_pages(config, pages_by_rel) | pages_by_rel
        site_paths = set(assets.values()) | set(DOWNLOADS) | set(HOSTING) | generated_paths(book)
        resolver = LinkResolver(config.base_path, pages_by_rel, site_paths)
        digests = Digests(book, pages_by_rel, site_paths)
        base = render_base(config)
        rendered, converted = render_pages(pages, book, resolver, store, base, digests,
                                           render_chart, config.jobs)
        warnings = validate_rendered(pages, rendered, book, config, load_errors)

        history = store.history(config.data_dir, inputs.head, read_history)

        tree = output.begin(store.output_keys(output.out_dir))
        renderings = Renderings(store, book, resolver, base, digests, render_chart)
        files = write_output(tree, config, book, pages, rendered, assets, renderings, inputs,
                             digests, history)
        store.record_build(inputs, output.out_dir, files, warnings, tree.keys)
    finally:
        store.save()
    return BuildResult(len(pages), len(files), converted, False, tuple(warnings),
                       time.perf_counter() - started, tuple(tree.changed))


def generated_paths(book: FactBook) -> set[str]:
    """The site paths of the pages made from data: a page may link to any of them."""
    return {INDEX_PATH, CHANGES_PATH, FEED_PATH} | {fact_path(fact_id) for fact_id in book.facts}


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH, for reproducible file times in the Pages artifact."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else None


def load_inputs(config: Config, inputs: Inputs, store: Store,
                ) -> tuple[FactBook, list[Page], list[SiteError]]:
    """Read and validate the data and every page. With errors, the usable part of the data and
    the pages that were read come back too, so that rendering finds its problems in the same
    run; only when there is nothing to render against does this raise."""
    book, errors = load_data(config.data_dir, config.root)
    pages, page_errors = load_pages(config.content_dir, config.data_dir, config.root,
                                    lambda path: store.page(path, inputs.digest_of(path)))
    store.keep_pages(pages)
    errors += page_errors
    if not pages and not page_errors:
        errors.append(SiteError(display_path(config.content_dir, config.root), None,
                                "no pages: add Markdown files (*.md) to the content folder"))
    if book is None or not pages:
        raise BuildError(errors + template_syntax_errors(config.templates_dir, config.root))
    return book, pages, errors


def unreadable_pages(config: Config, read: dict[str, str]) -> dict[str, str]:
    """The default URL of every page that could not be read (a link to it is not broken)."""
    rels = (p.relative_to(config.content_dir).as_posix()
            for p in find_sources(config.content_dir, config.data_dir))
    return {rel: default_url_path(rel) for rel in rels if rel not in read}


def validate_rendered(pages: list[Page], rendered: dict[str, PageSummary], book: FactBook,
                      config: Config, load_errors: list[SiteError]) -> list[SiteError]:
    """Problems found while rendering, broken anchors, and sources no page cites; with the
    problems of loading, and of templates that do not compile, all in one report."""
    errors = [error for page in pages for error in rendered[page.rel].errors]
    errors += check_anchors(pages, rendered)
    if load_errors:  # a page left out cites sources too: no warnings from a partial site
        raise BuildError(load_errors + errors
                         + template_syntax_errors(config.templates_dir, config.root))
    citing = citing_pages(pages, rendered)
    # a source of another value only (an alternative) is cited on its fact's page
    citing.update((source_id, []) for fact in book.facts.values()
                  for alternative in fact.alternatives for source_id in alternative.sources)
    warnings = [
        SiteError(source.path, source.line, f"source {source.id!r} is not cited by any page",
                  warning=not config.strict)
        for source in book.sources.values()
        if source.id not in citing
    ]
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
            if target is None:  # a page left out for its own errors: reported there
                continue
            if not target.has_id(link.fragment):
                errors.append(SiteError(page.shown, page.line_of(link.href),
                                        f"link {link.href!r}: no heading or anchor "
                                        f"#{link.fragment} on /{link.target}"))
    return errors


def write_output(tree: OutputPaths, config: Config, book: FactBook, pages: list[Page],
                 rendered: dict[str, PageSummary], assets: dict[str, str],
                 renderings: Renderings, inputs: Inputs, digests: Digests,
                 history: FactHistory) -> list[str]:
    """Render every file into the tree; commit it only if every file was made."""
    try:
        context = SiteContext.create(config, book, pages, rendered, assets)
        errors = write_site(tree, context, renderings, config, assets, inputs, digests, history)
        if errors or tree.errors:
            raise BuildError(errors + tree.errors)
        tree.commit()
        return list(tree.claimed)
    except BaseException:
        tree.discard()
        raise

