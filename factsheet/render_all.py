"""Converting the Markdown of every page: reused from the store where nothing it used changed,
else converted, on every core when there are many."""

from __future__ import annotations

from dataclasses import replace

from .dependencies import Digests
from .facts import FactBook
from .forked import forked_map, shared
from .incremental import Store, entry_key, page_key
from .links import LinkResolver
from .pages import Page
from .render import MarkdownRenderer, PageSummary, RenderedPage, Sharing

# Each worker process builds its own Markdown instance, once, from what it inherited.
_worker_renderer: MarkdownRenderer | None = None


def render_pages(
    pages: list[Page],
    book: FactBook,
    resolver: LinkResolver,
    store: Store,
    base: str,
    digests: Digests,
    chart_renderer,
    jobs: int = 0,
    names: tuple[str, ...] = (),
) -> tuple[dict[str, PageSummary], int]:
    """A summary of every rendered page by source path (the rest stays in the store), and how
    many pages had to be converted."""
    keys = {page.rel: page_key(page, base) for page in pages}
    rendered: dict[str, PageSummary] = {}
    todo = []
    for page in pages:
        summary = store.summary(page.rel, keys[page.rel], digests.combined)
        if summary is None:
            todo.append(page)
        else:
            rendered[page.rel] = summary
    if todo:
        setup = (book, resolver, chart_renderer, store, digests, names)
        share = Sharing()
        for page, summary in zip(todo, _convert_all(todo, keys, setup, jobs), strict=True):
            rendered[page.rel] = summary.shared(share)
    store.keep_summaries(rendered)
    return rendered, len(todo)


class Renderings:
    """The full rendering of each page for the writer: from the store, or converted again in
    this process if the store has lost it since (a cache folder cleaned or damaged by hand)."""

    def __init__(
        self,
        store: Store,
        book: FactBook,
        resolver: LinkResolver,
        base: str,
        digests: Digests,
        chart_renderer,
        names: tuple[str, ...] = (),
    ):
        self.store, self.base, self.digests = store, base, digests
        self.make_renderer = lambda: MarkdownRenderer(book, resolver, chart_renderer, names)
        self.renderer: MarkdownRenderer | None = None

    def __call__(self, page: Page, summary: PageSummary) -> RenderedPage:
        try:
            return self.store.rendered(summary)
        except LookupError:
            self.renderer = self.renderer or self.make_renderer()
            summary = convert(
                self.renderer, page, page_key(page, self.base), self.store, self.digests
            )
            return summary.page or self.store.rendered(summary)


def convert(
    renderer: MarkdownRenderer, page: Page, key: str, store: Store, digests: Digests
) -> PageSummary:
    """Convert one page and keep the result in the store, under the key of its inputs and
    of everything it used."""
    rendered = renderer.render(page)
    uses_digest = digests.combined(sorted(rendered.uses))
    rendered = replace(
        rendered, render_key=key, uses_digest=uses_digest, key=entry_key(key, uses_digest)
    )
    return store.keep_rendered(rendered)


def _convert_all(todo: list[Page], keys: dict[str, str], setup: tuple, jobs: int):
    global _worker_renderer
    _worker_renderer = None
    try:
        yield from forked_map(_convert, [(page, keys[page.rel]) for page in todo], setup, jobs)
    finally:
        _worker_renderer = None


def _convert(task: tuple[Page, str]) -> PageSummary:
    """One page, in a worker process (or in this one, for a few pages)."""
    global _worker_renderer
    page, key = task
    book, resolver, chart_renderer, store, digests, names = shared()
    if _worker_renderer is None:
        _worker_renderer = MarkdownRenderer(book, resolver, chart_renderer, names)
    return convert(_worker_renderer, page, key, store, digests)
