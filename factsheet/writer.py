"""Every output file of a build: static assets, pages through their templates, hosting files
and downloads. Template errors are collected per file with their template line."""

from __future__ import annotations

from jinja2 import Environment

from .cache import RenderCache
from .config import Config
from .context import SiteContext
from .downloads import facts_csv, facts_json
from .errors import SiteError
from .hosting import robots_txt, sitemap_xml
from .output import OutputTree, static_files
from .templates import make_environment, template_error

NOT_FOUND_TEMPLATE = "404.html"


def write_site(tree: OutputTree, context: SiteContext, cache: RenderCache, config: Config,
               assets: dict[str, str]) -> list[SiteError]:
    errors: list[SiteError] = []
    env = make_environment(config.templates_dir, context.globals)
    for rel, path in static_files(config.static_dir).items():
        tree.copy(path, assets[rel], f"static/{rel}")
    for page in context.pages:
        html = cache.html(context.rendered[page.rel])
        variables = context.page_variables(page, html)
        output = _render(env, page.template, variables, config, errors)
        if output is not None:
            tree.write(page.output, output, page.shown)
    not_found = _render(env, NOT_FOUND_TEMPLATE, {}, config, errors)
    if not_found is not None:
        tree.write("404.html", not_found, f"templates/{NOT_FOUND_TEMPLATE}")
    absolute_url = context.globals["absolute_url"]
    tree.write("sitemap.xml", sitemap_xml(context.pages, absolute_url), "sitemap")
    tree.write("robots.txt", robots_txt(absolute_url), "robots.txt")
    tree.write("facts.json", facts_json(context.book), "facts.json")
    tree.write("facts.csv", facts_csv(context.book), "facts.csv")
    return errors


def _render(env: Environment, template: str, variables: dict, config: Config,
            errors: list[SiteError]) -> str | None:
    try:
        return env.get_template(template).render(variables)
    except Exception as exc:  # any template failure becomes one reported error, never a crash
        error = template_error(exc, config.templates_dir, config.root)
        if error not in errors:
            errors.append(error)
        return None
