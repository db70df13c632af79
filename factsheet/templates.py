"""The one strict Jinja environment: autoescaping on, undefined variables are errors.

Templates never write a URL by hand: `url('far-side/')` and `asset('style.css')` return
base-path-absolute URLs, which work at any depth and in 404.html, and `absolute_url()` the
canonical form for Open Graph, JSON-LD and the sitemap.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
    select_autoescape,
)
from markupsafe import Markup

from .errors import SiteError, display_path
from .typography import typographic


def make_environment(
    templates_dir: Path, globals_: Mapping[str, object], bytecode_cache=None
) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # one environment per build: no need to stat templates per include
        bytecode_cache=bytecode_cache,  # compiled templates from the last build (the store's)
    )
    env.globals.update(globals_)
    env.filters["typographic"] = lambda text: _typographic(str(text))
    env.filters["safe_html"] = Markup  # for HTML the generator itself made (Markdown, SVG)
    return env


@lru_cache(maxsize=8192)
def _typographic(text: str) -> str:
    """Typography for template strings; the same titles and sources recur on every page."""
    return typographic(text)


def cached_partial(env: Environment, name: str) -> Callable[..., Markup]:
    """A partial template as a function, rendered once per distinct argument list.

    The reference list of every page renders the same few dozen sources; rendering each once
    per build instead of once per citation halves the template time of a full build.
    """

    @cache
    def render(**variables: object) -> Markup:
        return Markup(env.get_template(name).render(**variables))  # noqa: S704 - autoescaped

    def partial(**variables: object) -> Markup:
        return render(**variables)

    partial.template_name = name  # type: ignore[attr-defined] # read by template_globals
    return partial


@lru_cache(maxsize=512)
def _analysis(
    source: str, filters: tuple[str, ...], tests: tuple[str, ...]
) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """One template's undeclared names and the templates it references, by its source: the
    dev server asks again on every build, and templates rarely change between two saves.
    Analysed in a bare environment: jinja2.meta leaves out the names an environment already
    has as globals, which are exactly the ones asked about here. Only the filters' and tests'
    names matter to the analysis, not what they do."""
    bare = Environment(autoescape=True)
    bare.filters.update(dict.fromkeys(filters, str))
    bare.tests.update(dict.fromkeys(tests, bool))
    ast = bare.parse(source)
    return (
        frozenset(meta.find_undeclared_variables(ast)),
        tuple(meta.find_referenced_templates(ast)),
    )


def template_globals(env: Environment, name: str) -> frozenset[str]:
    """Every global variable a template can read: its own undeclared names and those of the
    templates it extends, includes or imports, and of partials called as globals, found by
    Jinja's own static analysis (jinja2.meta). A name chosen at run time cannot be followed,
    so then every template's names count: a dependency may be overstated, never missed."""
    filters, tests = tuple(sorted(env.filters)), tuple(sorted(env.tests))
    seen: set[str] = set()
    names: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source, _filename, _uptodate = env.loader.get_source(env, current)  # type: ignore[union-attr]
        found, references = _analysis(source, filters, tests)
        names |= found
        for referenced in references:
            if referenced is None:  # a name computed at run time: assume any template
                todo += env.loader.list_templates()  # type: ignore[union-attr]
            else:
                todo.append(referenced)
        for variable in found:
            partial = getattr(env.globals.get(variable), "template_name", None)
            if partial:
                todo.append(partial)
    return frozenset(names)


def url_helpers(base_path: str, site_url: str) -> dict[str, Callable[[str], str]]:
    def url(path: str = "") -> str:
        """A site path under the base path: url('far-side/') -> '/REPO/far-side/'; a page
        `Über Uns.md` is '/REPO/%C3%9Cber%20Uns/' in links, canonical URLs and the sitemap."""
        return base_path + quote(path.lstrip("/"))

    def absolute_url(path: str = "") -> str:
        """The canonical, absolute URL of a site path."""
        return f"{site_url}/{quote(path.lstrip('/'))}"

    return {"url": url, "absolute_url": absolute_url}


def template_error(exc: Exception, templates_dir: Path, root: Path) -> SiteError:
    """Turn a Jinja error into `templates/x.html:LINE: message`, from the template's own frame."""
    if isinstance(exc, TemplateNotFound):
        return SiteError(display_path(templates_dir, root), None, f"template not found: {exc.name}")
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return SiteError(
            display_path(Path(exc.filename), root),
            exc.lineno,
            f"template syntax error: {exc.message}",
        )
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        path = Path(frame.filename)
        if path.suffix in (".html", ".xml", ".txt") and templates_dir in path.resolve().parents:
            return SiteError(display_path(path, root), frame.lineno, f"template error: {exc}")
    kind = "template error" if isinstance(exc, TemplateError) else type(exc).__name__
    return SiteError(display_path(templates_dir, root), None, f"{kind}: {exc}")


def template_syntax_errors(templates_dir: Path, root: Path) -> list[SiteError]:
    """Every template that does not compile, found without rendering anything: a build that
    fails before it writes pages still reports these in the same run. Compiled templates are
    kept for the rest of the process (template_cache): a dev server whose content is broken
    runs this after every save."""
    from .template_cache import memory_bytecode_cache

    env = make_environment(templates_dir, {}, memory_bytecode_cache())
    errors = []
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            errors.append(template_error(exc, templates_dir, root))
    return errors
