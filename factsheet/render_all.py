"""Converting the Markdown of every page: from the cache when possible, else on every core."""

from __future__ import annotations

import hashlib
import multiprocessing
import os

from .cache import RenderCache, code_version, folder_digest
from .config import Config
from .errors import BuildError
from .facts import FactBook
from .markdown_ext import LinkResolver
from .pages import Page
from .prose_numbers import load_names
from .render import MarkdownRenderer, PageSummary

# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48

# A worker process's renderer. Set in the parent just before the pool forks, so workers inherit
# it without pickling the fact book; each worker builds its own Markdown instance from it.
_worker_setup: tuple | None = None
_worker_renderer: MarkdownRenderer | None = None


def render_pages(pages: list[Page], book: FactBook, resolver: LinkResolver, cache: RenderCache,
                 config: Config, chart_renderer,
                 memo: dict[str, PageSummary] | None = None,
                 ) -> tuple[dict[str, PageSummary], int]:
    """A summary of every rendered page by source path (the rest stays in the cache), and how
    many pages had to be converted. `memo` (kept by the dev server) holds the summaries of the
    last build by cache key, sparing a cache read per unchanged page."""
    context = _context_digest(resolver, config)
    keys = {page.rel: cache.key(page, context) for page in pages}
    rendered: dict[str, PageSummary] = {}
    todo = []
    for page in pages:
        key = keys[page.rel]
        summary = memo.get(key) if memo is not None else None
        if summary is None:
            meta = cache.load(key)
            summary = meta.summary() if meta is not None else None
        if summary is None:
            todo.append(page)
        else:
            rendered[page.rel] = summary
    if todo:
        names, errors = load_names(config.data_dir, config.root)  # names may hold a number
        if errors:
            raise BuildError(errors)
        setup = (book, resolver, chart_renderer, cache, names)
        for page, meta in zip(todo, _convert_all(todo, keys, setup, config.jobs), strict=True):
            rendered[page.rel] = meta
        cache.prune(set(keys.values()))
    if memo is not None:
        memo.clear()
        memo.update((summary.key, summary) for summary in rendered.values())
    return rendered, len(todo)


def _context_digest(resolver: LinkResolver, config: Config) -> str:
    """What every page's Markdown output depends on besides its own text."""
    parts = (code_version(), folder_digest(config.data_dir), config.base_path,
             repr(sorted(resolver.pages_by_rel.items())), repr(sorted(resolver.site_paths)))
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _convert_all(todo: list[Page], keys: dict[str, str], setup: tuple, jobs: int):
    global _worker_setup, _worker_renderer
    jobs = jobs or os.cpu_count() or 1
    tasks = [(page, keys[page.rel]) for page in todo]
    _worker_setup, _worker_renderer = setup, None
    try:
        if jobs < 2 or len(todo) < PARALLEL_THRESHOLD or "fork" not in \
                multiprocessing.get_all_start_methods():
            return [_convert(task) for task in tasks]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_convert, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))
    finally:
        _worker_setup, _worker_renderer = None, None


def _convert(task: tuple[Page, str]) -> PageSummary:
    global _worker_renderer
    page, key = task
    book, resolver, chart_renderer, cache, names = _worker_setup  # type: ignore[misc]
    if _worker_renderer is None:
        _worker_renderer = MarkdownRenderer(book, resolver, chart_renderer, names)
    return cache.store(key, _worker_renderer.render(page))
