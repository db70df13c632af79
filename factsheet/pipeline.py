"""The pipeline, readable top to bottom: load, validate, render, write. site.build() runs it
when something changed since the last build."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from .assets import asset_names, static_files
from .charts import render_chart
from .config import Config
from .context import SiteContext, citing_pages
from .dependencies import Digests
from .errors import BuildError, SiteError, display_path
from .fact_loading import load_data
from .fact_pages import INDEX_PATH, fact_path
from .fact_usage import unused_facts
from .facts import FactBook
from .feeds import FEED_PATH
from .feeds import PAGE_PATH as CHANGES_PATH
from .history import FactHistory, read_history
from .incremental import Inputs, Store, digest, render_base
from .links import LinkResolver
from .live_output import LiveOutput
from .og_image import SocialImages, page_cards, page_images
from .output import OutputPaths, StagedOutput
from .pages import Page, default_url_path, find_sources, load_pages
from .picture_files import picture_files
from .prose_numbers import is_prose_number, load_names
from .render import PageSummary
from .render_all import Renderings, render_pages
from .search import index_after_write, index_before_swap
from .site import BuildResult
from .stale import stale_facts
from .templates import template_syntax_errors
from .writer import write_site

DOWNLOADS = ("facts.json", "facts.csv")
HOSTING = ("sitemap.xml", "robots.txt", "404.html")


def make_site(
    config: Config,
    store: Store,
    output: LiveOutput | StagedOutput,
    inputs: Inputs,
    today: date,
    started: float,
) -> BuildResult:
    """Everything after the decision to build: load, validate, render, write."""
    book, pages, load_errors = load_inputs(config, inputs, store)
    names, name_errors = load_names(config.data_dir, config.root)  # numbers inside names
    load_errors += name_errors
    assets = asset_names(static_files(config.static_dir, config.root))
    pictures = picture_files(config, book)  # drawn once, then from the cache
    pictures |= page_images(config, book, page_cards(book, pages), pictures)  # one a page
    pages_by_rel = {page.rel: page.url_path for page in pages}
    if load_errors:  # a page refused for its front matter still exists for links to it
        pages_by_rel = unreadable_pages(config, pages_by_rel) | pages_by_rel
    site_paths = (
        set(assets.values()) | set(DOWNLOADS) | set(HOSTING) | set(pictures) | generated_paths(book)
    )
    resolver = LinkResolver(config.base_path, pages_by_rel, site_paths)
    digests = Digests(book, pages_by_rel, site_paths)
    base = digest(render_base(config), *names)  # a listed name changes every page's check
    rendered, converted = render_pages(
        pages, book, resolver, store, base, digests, render_chart, config.jobs, names
    )
    warnings = validate_rendered(pages, rendered, book, config, load_errors, today)
    # Kept in the store now: writing needs only part of each summary.
    store.save_summaries()
    rendered = {rel: summary.for_writing() for rel, summary in rendered.items()}

    history = store.history(config.data_dir, inputs.head, read_history)

    out = output.out_dir
    tree = output.begin(store.output_keys(out), store.spare_folder(out))
    renderings = Renderings(store, book, resolver, base, digests, render_chart, names)
    files = write_output(
        tree,
        config,
        book,
        pages,
        rendered,
        assets,
        renderings,
        inputs,
        digests,
        pictures,
        today,
        history,
    )
    store.record_build(inputs, output.out_dir, files, warnings, tree.keys, tree.signatures)
    return BuildResult(
        len(pages),
        len(files),
        converted,
        False,
        tuple(warnings),
        time.perf_counter() - started,
        tuple(tree.changed),
    )


def generated_paths(book: FactBook) -> set[str]:
    """The site paths of the pages made from data: a page may link to any of them."""
    return {INDEX_PATH, CHANGES_PATH, FEED_PATH} | {fact_path(fact_id) for fact_id in book.facts}


def load_inputs(
    config: Config,
    inputs: Inputs,
    store: Store,
) -> tuple[FactBook, list[Page], list[SiteError]]:
    """Read and validate the data and every page. With errors, the usable part of the data and
    the pages that were read come back too, so that rendering finds its problems in the same
    run; only when there is nothing to render against does this raise."""
    book, errors = load_data(config.data_dir, config.root)
    pages, page_errors = load_pages(
        config.content_dir,
        config.data_dir,
        config.root,
        lambda path: store.page(path, inputs.digest_of(path)),
    )
    store.keep_pages(pages)
    read = len(pages)
    pages = [page for page in pages if config.drafts or not page.draft]
    errors += page_errors
    if not pages and not page_errors:
        hint = "every page is a draft: build --drafts" if read else "add Markdown files (*.md)"
        errors.append(
            SiteError(
                display_path(config.content_dir, config.root),
                None,
                f"no pages: {hint} to the content folder",
            )
        )
    if book is None or not pages:
        raise BuildError(errors + template_syntax_errors(config.templates_dir, config.root))
    return book, pages, errors


def unreadable_pages(config: Config, read: dict[str, str]) -> dict[str, str]:
    """The default URL of every page that could not be read (a link to it is not broken)."""
    rels = (
        p.relative_to(config.content_dir).as_posix()
        for p in find_sources(config.content_dir, config.data_dir)
    )
    return {rel: default_url_path(rel) for rel in rels if rel not in read}


def validate_rendered(
    pages: list[Page],
    rendered: dict[str, PageSummary],
    book: FactBook,
    config: Config,
    load_errors: list[SiteError],
    today: date,
) -> list[SiteError]:
    """Problems found while rendering, broken anchors, sources no page cites, facts no page
    uses and stale facts (warnings, errors under --strict); with the problems of loading, and
    of templates that do not compile, all in one report."""
    found = [error for page in pages for error in rendered[page.rel].errors]
    errors = [error for error in found if not error.warning]
    errors += check_anchors(pages, rendered)
    if load_errors:  # a page left out cites sources too: no warnings from a partial site
        raise BuildError(
            load_errors + errors + template_syntax_errors(config.templates_dir, config.root)
        )
    # Numbers typed into prose: warnings (errors under --strict; check refuses them too), and
    # listed with any failure below, since no other error can explain them.
    strays = [
        replace(error, warning=False) if config.strict else error
        for error in found
        if error.warning
    ]
    citing = citing_pages(pages, rendered)
    # a source of another value only (an alternative) is cited on its fact's page
    citing.update(
        (source_id, [])
        for fact in book.facts.values()
        for alternative in fact.alternatives
        for source_id in alternative.sources
    )
    warnings = [
        SiteError(
            source.path,
            source.line,
            f"source {source.id!r} is not cited by any page",
            warning=not config.strict,
        )
        for source in book.sources.values()
        if source.id not in citing
    ]
    warnings += strays
    warnings += unused_facts(book, [rendered[page.rel] for page in pages], config.strict)
    warnings += stale_facts(book, today, config.strict)
    errors += [w for w in warnings if not w.warning]
    if errors:  # with the numbers typed into prose, which no other error can explain
        raise BuildError(errors + [w for w in warnings if w.warning and is_prose_number(w)])
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
                errors.append(
                    SiteError(
                        page.shown,
                        page.line_of(link.href),
                        f"link {link.href!r}: no heading or anchor "
                        f"#{link.fragment} on /{link.target}",
                    )
                )
    return errors


def write_output(
    tree: OutputPaths,
    config: Config,
    book: FactBook,
    pages: list[Page],
    rendered: dict[str, PageSummary],
    assets: dict[str, str],
    renderings: Renderings,
    inputs: Inputs,
    digests: Digests,
    pictures: dict[str, Path],
    today: date,
    history: FactHistory,
) -> list[str]:
    """Render every file into the tree; commit it only if every file was made."""
    try:
        for rel, drawn in pictures.items():
            tree.copy(drawn, rel, "pictures")
        context = SiteContext.create(config, book, pages, rendered, assets)
        context.globals["social_image"] = SocialImages(pictures)
        errors = write_site(
            tree, context, renderings, config, assets, inputs, digests, today, history
        )
        if errors or tree.errors:
            raise BuildError(errors + tree.errors)
        errors = index_before_swap(tree)
        if errors or tree.errors:
            raise BuildError(errors + tree.errors)
        tree.commit()
        index_after_write(tree)
        return list(tree.claimed)
    except BaseException:
        tree.discard()
        raise
