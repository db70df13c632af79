"""Every fact has a home: a page per fact (`/facts/<id>/`) with its value, the passage of each
source that supports it, where sources disagree, where the site shows it and the values it has
had; and the index of every fact (`/facts/`), A–Z and by group, for finding a number without
JavaScript. Both are generated from the data, not written in Markdown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from .citations import Citation
from .dependencies import Digests
from .facts import Fact, FactBook, Source
from .history import FactHistory
from .incremental import output_key
from .output import OutputPaths
from .pages import Page
from .render import PageSummary

INDEX_PATH = "facts/"
INDEX_TITLE = "Every fact"
TEMPLATE = "fact.html"
INDEX_TEMPLATE = "facts-index.html"
# A passage longer than this many words is matched by its first and last words
# (`text=start,end`): a link stays short, and a line break or a footnote mark in the middle of
# the source's sentence does not stop the match.
FRAGMENT_WORDS = 12
FRAGMENT_EDGE_WORDS = 5
ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*")

Render = Callable[[str, dict, str], "str | None"]  # template, variables, origin -> HTML
# how many, the i-th's (template, variables, origin) -> each one's HTML, in order
RenderEach = Callable[[int, Callable[[int], tuple[str, dict, str]]], Iterable["str | None"]]


@dataclass(frozen=True)
class GeneratedPage:
    """What base.html reads of a page, for a page made from data rather than Markdown."""

    title: str
    description: str
    url_path: str
    draft: bool = False  # base.html asks every page; one made from data never is

    @property
    def output(self) -> str:
        return f"{self.url_path}index.html"


class FactUse(NamedTuple):
    """One place a page shows a fact: the page, and the heading it appears under. (A named
    tuple: a build collects thousands, and hashes and compares them all.)"""

    url_path: str
    page_title: str
    heading_id: str  # "" for the page's key-facts box or text above the first heading
    heading: str


@dataclass(frozen=True)
class Evidence:
    """A source of a fact, with the passage that supports it and where to check it."""

    source: Source
    passage: str | None
    highlight_url: str | None  # the source's URL with a text fragment for the passage
    archive_url: str | None
    archive_is_wayback_guess: bool  # the Wayback Machine's nearest capture, not a known copy
    for_value: bool  # a source of the value the site uses (else only of an alternative)


def fact_path(fact_id: str) -> str:
    return f"{INDEX_PATH}{fact_id}/"


# ---------------------------------------------------------------------------------------------
# Links to the evidence


def fragment_encode(text: str) -> str:
    """Percent-encode one term of a text directive (WICG Text Fragments): everything outside
    the URL's unreserved characters, and `-`, `,` and `&`, which the directive's syntax uses."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment_url(url: str, passage: str) -> str:
    """The URL with `#:~:text=…`, which browsers that support it scroll to and highlight.

    A passage quoted with an ellipsis is matched from its first part to its last; a long one by
    its first and last few words."""
    words = passage.strip().strip("\"“”'‘’").split()
    parts = [part for part in ELLIPSIS.split(" ".join(words)) if part]
    if len(parts) > 1:
        start, end = parts[0], parts[-1]
    elif len(words) > FRAGMENT_WORDS:
        start = " ".join(words[:FRAGMENT_EDGE_WORDS])
        end = " ".join(words[-FRAGMENT_EDGE_WORDS:])
    else:
        start, end = " ".join(words), ""
    directive = "text=" + fragment_encode(start) + ("," + fragment_encode(end) if end else "")
    return url + (":~:" if "#" in url else "#:~:") + directive


def wayback_url(source: Source) -> str | None:
    """The Wayback Machine's address for the capture nearest the day the source was read
    (a partial date, 2026-11 or 2026, is a valid prefix of its timestamps)."""
    if not source.url:
        return None
    return f"https://web.archive.org/web/{source.accessed.iso().replace('-', '')}/{source.url}"


def evidence(fact: Fact, book: FactBook) -> tuple[Evidence, ...]:
    result = []
    for source_id in fact.all_sources:
        source = book.sources[source_id]
        # a fact that restates another (value_from) is supported by the same passage
        passage = source.passages.get(fact.id) or source.passages.get(fact.value_from or "")
        highlight = text_fragment_url(source.url, passage) if passage and source.url else None
        archive = source.archive_url or wayback_url(source)
        result.append(
            Evidence(
                source,
                passage,
                highlight,
                archive,
                source.archive_url is None and archive is not None,
                source_id in fact.sources,
            )
        )
    return tuple(result)


# ---------------------------------------------------------------------------------------------
# Where each fact is shown


def fact_uses(pages: Iterable[Page], rendered: dict[str, PageSummary]) -> dict[str, list]:
    """For each fact id, the pages and places that show it, in page order, as a flat list
    (page, place, page, place, ...): two pointers a use. The benchmark's 10,000 pages have
    141,000 uses; a FactUse each, held through the writing of every fact page, comes to about
    10 MB by count. `places_shown` makes the FactUses of one fact when its page is written."""
    uses: dict[str, list] = defaultdict(list)
    for page in sorted(pages, key=lambda p: p.url_path):
        for place in rendered[page.rel].fact_places:
            uses[place[0]] += (page, place)
    return uses


def places_shown(flat: list) -> tuple[FactUse, ...]:
    """The places one fact is shown (see fact_uses), each once."""
    pairs = zip(flat[::2], flat[1::2], strict=True)
    return tuple(
        dict.fromkeys(
            FactUse(page.url_path, page.nav_title or page.title, heading_id, heading)
            for page, (_, heading_id, heading) in pairs
        )
    )


# ---------------------------------------------------------------------------------------------
# The index


def first_letter(label: str) -> str:
    letter = label.lstrip("\"“‘'(").upper()[:1]
    return letter if letter.isalpha() else "#"


def facts_a_to_z(book: FactBook) -> list[tuple[str, list[Fact]]]:
    by_letter: dict[str, list[Fact]] = defaultdict(list)
    for fact in sorted(book.facts.values(), key=lambda f: (f.label.casefold(), f.id)):
        by_letter[first_letter(fact.label)].append(fact)
    return sorted(by_letter.items())


def facts_by_group(book: FactBook) -> list[tuple[str, str, list[Fact]]]:
    """(group id, title, facts) for every group in data order, then the facts in none."""
    result = [(group.id, group.title, book.group_facts(group.id)) for group in book.groups.values()]
    loose = [fact for fact in book.facts.values() if fact.group is None]
    if loose:
        result.append(("other", "Facts in no table", loose))
    return [entry for entry in result if entry[2]]


# ---------------------------------------------------------------------------------------------
# Writing


class FactPageJob(NamedTuple):
    """A fact page to render: what its variables are made from, and where it goes."""

    page: GeneratedPage
    fact: Fact
    places: tuple[FactUse, ...]
    changes: tuple
    cite_this: Citation
    key: str
    origin: str


def write_fact_pages(
    tree: OutputPaths,
    render: Render,
    render_each: RenderEach,
    book: FactBook,
    pages: list[Page],
    rendered: dict[str, PageSummary],
    digests: Digests,
    history: FactHistory,
    shared: str,
    absolute_url,
    cite: Callable[[Fact], Citation],
) -> None:
    """Every fact page and the index. A fact page is made again only when its fact, its
    sources, the places that show it or its history changed (its key). `cite` writes a fact's
    citation downloads and returns the citation its page shows. The pages to make are rendered
    by `render_each`, over the cores as the Markdown pages are: Jinja is most of their cost,
    and a site can have more of them than Markdown pages (165 fact pages to 9 pages here)."""
    uses = fact_uses(pages, rendered)
    changes_of: dict[str, list] = defaultdict(list)
    for change in history.changes:
        changes_of[change.fact_id].append(change)
    todo: list[FactPageJob] = []
    for fact in book.facts.values():
        page = GeneratedPage(f"{fact.label}: {fact.text()}", _description(fact), fact_path(fact.id))
        changes = tuple(changes_of.get(fact.id, ()))
        places = places_shown(uses.get(fact.id, []))
        key = output_key(
            shared,
            digests(f"fact:{fact.id}"),
            *(digests(f"source:{s}") for s in fact.all_sources),
            digests(f"group:{fact.group}") if fact.group else "",
            "\n".join("\t".join(place) for place in places),
            repr(changes),
            str(history.available),
            history.reason,
        )
        origin = f"fact {fact.id!r}"
        cite_this = cite(fact)  # its downloads are kept or written even when the page is reused
        if not tree.reuse(page.output, key, origin):
            todo.append(FactPageJob(page, fact, places, changes, cite_this, key, origin))

    def fact_page_job(index: int) -> tuple[str, dict, str]:
        job = todo[index]
        fact = job.fact
        variables = {
            "page": job.page,
            "fact": fact,
            "group": book.groups.get(fact.group) if fact.group else None,
            "evidence": evidence(fact, book),
            "alternatives": [(alt, fact.as_alternative(alt)) for alt in fact.alternatives],
            "uses": job.places,
            "history": history,
            "changes": tuple(reversed(job.changes)),
            "canonical_url": absolute_url(job.page.url_path),
            "json_ld": _json_ld(job.page, fact, absolute_url),
            "cite_this": job.cite_this,
        }
        return TEMPLATE, variables, job.origin

    made = render_each(len(todo), fact_page_job)
    for job, html in zip(todo, made, strict=True):
        if html is not None:
            tree.write(job.page.output, html, job.origin)
            tree.remember(job.page.output, job.key)
    index = GeneratedPage(
        INDEX_TITLE,
        "Every number and date on the site, A to Z and by "
        "table, each linked to its sources and the passages behind it.",
        INDEX_PATH,
    )
    key = output_key(shared, "index", digests("fact:*"), digests("group:*"))
    if not tree.reuse(index.output, key, "facts index"):
        html = render(
            INDEX_TEMPLATE,
            {
                "page": index,
                "a_to_z": facts_a_to_z(book),
                "by_group": facts_by_group(book),
                "canonical_url": absolute_url(index.url_path),
                "json_ld": _json_ld(index, None, absolute_url),
            },
            "facts index",
        )
        if html is not None:
            tree.write(index.output, html, "facts index")
            tree.remember(index.output, key)


def _description(fact: Fact) -> str:
    text = (
        f"{fact.label}: {fact.text()}, as of {fact.as_of.text()}. Its sources, the "
        "passages that support it, where the site shows it and how it has changed."
    )
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _json_ld(page: GeneratedPage, fact: Fact | None, absolute_url) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": page.title,
        "description": page.description,
        "url": absolute_url(page.url_path),
    }
    if fact is not None and fact.verified:
        data["lastReviewed"] = fact.verified.iso()
    return data
