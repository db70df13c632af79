"""Every output file of a build: static assets, pages through their templates, hosting files
and downloads. Template errors are collected per file with their template line."""

from __future__ import annotations

import hashlib

from jinja2 import Environment, TemplateNotFound

from .cache import RenderCache, code_version, folder_digest
from .config import Config
from .context import SiteContext
from .downloads import facts_csv, facts_json
from .errors import SiteError
from .hosting import robots_txt, sitemap_xml
from .output import OutputPaths, static_files
from .templates import cached_partial, make_environment, template_error

NOT_FOUND_TEMPLATE = "404.html"
DEFAULT_TEMPLATE = "page.html"


def write_site(tree: OutputPaths, context: SiteContext, cache: RenderCache, config: Config,
               assets: dict[str, str]) -> list[SiteError]:
    errors: list[SiteError] = []
    env = make_environment(config.templates_dir, context.globals)
    env.globals["citation"] = cached_partial(env, "partials/citation.html")
    for rel, path in static_files(config.static_dir).items():
        tree.copy(path, assets[rel], f"static/{rel}")
    shared = site_signature(context, config, assets)
    citations = citation_signature(context)
    for page in context.pages:
        summary = context.rendered[page.rel]
        # What this page's file is made of: its Markdown (whose cache key covers the data and
        # links), everything every page shows, and for special templates the citation index.
        key = _digest(shared, summary.key, citations if page.template != DEFAULT_TEMPLATE else "")
        if tree.reuse(page.output, key, page.shown):
            continue
        variables = context.page_variables(page, cache.rendered(summary))
        output = _render(env, page.template, variables, config, errors, page.shown)
        if output is not None:
            tree.write(page.output, output, page.shown)
            tree.remember(page.output, key)
    not_found = _render(env, NOT_FOUND_TEMPLATE, {}, config, errors)
    if not_found is not None:
        tree.write("404.html", not_found, f"templates/{NOT_FOUND_TEMPLATE}")
    absolute_url = context.globals["absolute_url"]
    published = [page for page in context.pages if not page.draft]  # a draft is noindex
    tree.write("sitemap.xml", sitemap_xml(published, absolute_url), "sitemap")
    tree.write("robots.txt", robots_txt(absolute_url), "robots.txt")
    tree.write("facts.json", facts_json(context.book), "facts.json")
    tree.write("facts.csv", facts_csv(context.book), "facts.csv")
    return errors


def site_signature(context: SiteContext, config: Config, assets: dict[str, str]) -> str:
    """A hash of what every page's file depends on beyond its own Markdown: the templates,
    asset names, navigation and the site's settings."""
    parts = [code_version(), config.base_path, str(config.site_url), repr(context.book.site),
             repr(sorted(assets.items()))]
    parts += [repr((p.rel, p.url_path, p.title, p.nav_title, p.order)) for p in context.pages]
    parts.append(folder_digest(config.templates_dir))
    return _digest(*parts)


def citation_signature(context: SiteContext) -> str:
    """A hash of which page cites which source: the sources page lists them."""
    return _digest(*(f"{rel}:{','.join(summary.source_ids)}"
                     for rel, summary in sorted(context.rendered.items())))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _render(env: Environment, template: str, variables: dict, config: Config,
            errors: list[SiteError], origin: str | None = None) -> str | None:
    try:
        return env.get_template(template).render(variables)
    except Exception as exc:  # any template failure becomes one reported error, never a crash
        if isinstance(exc, TemplateNotFound) and exc.name == template and origin:
            error = SiteError(origin, None, f"template {template!r} not found in "
                                            f"{config.templates_dir.name}/")
        else:
            error = template_error(exc, config.templates_dir, config.root)
        if error not in errors:
            errors.append(error)
        return None
