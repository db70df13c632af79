"""Every output file of a build: static assets, pages through their templates, hosting files
and downloads. Template errors are collected per file with their template line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from jinja2 import Environment, TemplateError, TemplateNotFound

from .assets import static_files
from .citations import (
    LICENSE_NAME,
    LICENSE_URL,
    Citation,
    download_files,
    fact_citation,
    page_citation,
)
from .config import Config
from .context import SiteContext
from .dependencies import Digests
from .downloads import facts_csv, facts_json
from .errors import SiteError
from .fact_pages import INDEX_PATH, fact_path, write_fact_pages
from .facts import Fact
from .feeds import PAGE_PATH as CHANGES_PATH
from .feeds import write_changes
from .forked import forked_map, shared
from .history import FactHistory
from .hosting import SitemapEntry, robots_txt, sitemap_xml
from .incremental import Inputs, code_version, output_key
from .output import OutputPaths
from .pages import Page
from .render import PageSummary
from .render_all import Renderings
from .templates import cached_partial, make_environment, template_error, template_globals

Job = tuple[str, dict, str]  # a file to render: template, variables, origin (for its errors)
NOT_FOUND_TEMPLATE = "404.html"
DEFAULT_TEMPLATE = "page.html"


def write_site(
    tree: OutputPaths,
    context: SiteContext,
    renderings: Renderings,
    config: Config,
    assets: dict[str, str],
    inputs: Inputs,
    digests: Digests,
    today: date,
    history: FactHistory,
) -> list[SiteError]:
    """Write every file; `today` is the build's date, the "accessed" date of citations."""
    errors: list[SiteError] = []
    env = make_environment(config.templates_dir, context.globals, renderings.store.template_cache())
    env.globals["citation"] = cached_partial(env, "partials/citation.html")
    env.globals["license"] = {"name": LICENSE_NAME, "url": LICENSE_URL}
    absolute_url = context.globals["absolute_url"]
    for rel, path in static_files(config.static_dir, config.root).items():
        tree.copy(path, assets[rel], f"static/{rel}")
    # Every page shows its citation, dated with the build's date.
    site_key = output_key(site_signature(context, config, assets, inputs), today.isoformat())
    data_globals = DataGlobals(context, digests)
    todo: list[tuple[Page, PageSummary, str]] = []
    for page in context.pages:
        summary = context.rendered[page.rel]
        cite_this = page_citation(page, context.book.site, absolute_url, today)
        write_citation(tree, cite_this, page.shown)
        # What this page's file is made of: its Markdown (whose key covers the facts and pages
        # it used), what every page shows, the sources in its reference list, and the data
        # its template can read.
        key = output_key(
            site_key,
            summary.key,
            data_globals.digest(env, page.template),
            *(digests(f"source:{source_id}") for source_id in summary.source_ids),
        )
        if not tree.reuse(page.output, key, page.shown):
            todo.append((page, summary, key))  # its citation is made again: 1 KB a page

    def render_each(count: int, job_of: Callable[[int], Job]) -> Iterator[str | None]:
        """The HTML of jobs 0 to count - 1, in order. Jinja is most of a build that renders
        every page (a template changed): spread over the cores, in processes that inherit the
        templates and the context, where each job is made from its index."""
        state = (env, config, job_of)
        for output, error in forked_map(_render_job, range(count), state, config.jobs):
            _keep(errors, error)
            yield output

    def page_job(index: int) -> Job:
        page, summary, _key = todo[index]
        variables = context.page_variables(page, renderings(page, summary))
        variables["cite_this"] = page_citation(page, context.book.site, absolute_url, today)
        return page.template, variables, page.shown

    made = render_each(len(todo), page_job)
    for (page, _summary, key), output in zip(todo, made, strict=True):
        if output is not None:
            tree.write(page.output, output, page.shown)
            tree.remember(page.output, key)

    # Pages made from the data, not from Markdown: a page per fact, the index, the change log.
    def render(template: str, variables: dict, origin: str) -> str | None:
        return _render(env, template, variables, config, errors, origin)

    def cite(fact: Fact) -> Citation:
        return write_fact_citation(tree, fact, context, today)

    write_fact_pages(
        tree,
        render,
        render_each,
        context.book,
        context.pages,
        context.rendered,
        digests,
        history,
        site_key,
        absolute_url,
        cite,
    )
    write_changes(tree, render, context.book, history, absolute_url)
    not_found = _render(env, NOT_FOUND_TEMPLATE, {}, config, errors)
    if not_found is not None:
        tree.write("404.html", not_found, f"templates/{NOT_FOUND_TEMPLATE}")
    published = [page for page in context.pages if not page.draft]  # a draft is noindex
    made_from_data = [SitemapEntry(INDEX_PATH), SitemapEntry(CHANGES_PATH)]
    made_from_data += [
        SitemapEntry(fact_path(fact.id), fact.verified) for fact in context.book.facts.values()
    ]
    tree.write("sitemap.xml", sitemap_xml(published + made_from_data, absolute_url), "sitemap")
    tree.write("robots.txt", robots_txt(absolute_url), "robots.txt")
    # The downloads show the site's name and every fact and source: kept while those are the
    # same (the dev server's save of a page need not write them again).
    data_key = output_key(
        code_version(), repr(context.book.site), digests("fact:*"), digests("source:*")
    )
    for rel, make in (("facts.json", facts_json), ("facts.csv", facts_csv)):
        if not tree.reuse(rel, data_key, rel):
            tree.write(rel, make(context.book), rel)
            tree.remember(rel, data_key)
    return errors


def write_citation(tree: OutputPaths, citation: Citation, origin: str) -> None:
    """A citation's downloads: `<path>cite.bib`, `cite.ris` and `cite.json`; kept from the
    last build when the citation is the same (a page and its facts make hundreds of them)."""
    key = output_key(code_version(), repr(citation))
    if all(tree.reuse(rel, key, origin) for rel in citation.downloads):
        return
    for rel, text in download_files(citation).items():
        if rel not in tree.claimed:
            tree.write(rel, text, origin)
            tree.remember(rel, key)


def write_fact_citation(
    tree: OutputPaths, fact: Fact, context: SiteContext, today: date
) -> Citation:
    """One fact's downloads at `facts/<id>/cite.*`; the citation is returned for its page's
    `cite_this` variable."""
    citation = fact_citation(fact, context.book.site, context.globals["absolute_url"], today)
    write_citation(tree, citation, fact.path or "facts")
    return citation


def site_signature(
    context: SiteContext, config: Config, assets: dict[str, str], inputs: Inputs
) -> str:
    """A hash of what every page's file depends on beyond its own Markdown: the templates,
    asset names, navigation and the site's settings."""
    parts = [
        code_version(),
        config.base_path,
        str(config.site_url),
        repr(context.book.site),
        repr(sorted(assets.items())),
        inputs.folder_digest(config.templates_dir),
        context.globals["social_image"].signature,
    ]
    parts += [repr((p.rel, p.url_path, p.title, p.nav_title, p.order)) for p in context.pages]
    return output_key(*parts)


class DataGlobals:
    """The digest of the site-wide data a template can read (`facts`, `sources`, the sources
    page's index, the set of pages), so that a page is rendered again when, and only when, the
    data its template shows has changed."""

    def __init__(self, context: SiteContext, digests: Digests):
        self.by_template: dict[str, str] = {}
        rendered = context.rendered
        self.digest_of = {
            "facts": lambda: digests("fact:*"),
            "sources": lambda: digests("source:*"),
            "sources_by_publisher": lambda: output_key(
                digests("source:*"),
                *(
                    f"{rel}:{','.join(summary.source_ids)}"
                    for rel, summary in sorted(rendered.items())
                ),
            ),
            "has_page": lambda: output_key(*sorted(page.url_path for page in context.pages)),
        }

    def digest(self, env: Environment, template: str) -> str:
        known = self.by_template.get(template)
        if known is None:
            try:
                names = template_globals(env, template)
            except TemplateError:  # a missing or broken template: the render reports it
                names = frozenset()
            known = self.by_template[template] = output_key(
                *(
                    f"{name}={compute()}"
                    for name, compute in sorted(self.digest_of.items())
                    if name in names
                )
            )
        return known


def _render_job(index: int) -> tuple[str | None, SiteError | None]:
    """Job `index` of `render_each` in `write_site`, in a worker process or in this one."""
    env, config, job_of = shared()
    template, variables, origin = job_of(index)
    return _render_one(env, template, variables, config, origin)


def _render(
    env: Environment,
    template: str,
    variables: dict,
    config: Config,
    errors: list[SiteError],
    origin: str | None = None,
) -> str | None:
    output, error = _render_one(env, template, variables, config, origin)
    _keep(errors, error)
    return output


def _keep(errors: list[SiteError], error: SiteError | None) -> None:
    """An error once, however many files it stopped (a broken base template stops them all)."""
    if error is not None and error not in errors:
        errors.append(error)


def _render_one(
    env: Environment, template: str, variables: dict, config: Config, origin: str | None = None
) -> tuple[str | None, SiteError | None]:
    """A template's output, or the error that stopped it: any template failure becomes one
    reported error, never a crash."""
    try:
        return env.get_template(template).render(variables), None
    except Exception as exc:
        if isinstance(exc, TemplateNotFound) and exc.name == template and origin:
            error = SiteError(
                origin, None, f"template {template!r} not found in {config.templates_dir.name}/"
            )
        else:
            error = template_error(exc, config.templates_dir, config.root)
        return None, error
