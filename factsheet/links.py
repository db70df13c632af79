"""Links written in Markdown: a page's source path (`spa.md#age`) or a site path (`/facts/`)
becomes a URL under the base path; every internal link is recorded for the anchor check that
runs once all pages are known."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from .dependencies import Recorded, RecordedSet, Recorder
from .suggest import did_you_mean


@dataclass(frozen=True, slots=True)
class LinkRef:
    """An internal link found in a page, to be checked once every page is known."""

    href: str  # as written in the Markdown
    target: str  # url_path of the page linked to
    fragment: str


@dataclass(frozen=True)
class ResolvedLink:
    url: str
    link: LinkRef | None = None
    problem: str | None = None


class LinkResolver:
    """Turns link targets written in Markdown into base-path URLs, and records them for checks.

    Knows every page (by source path and by URL) and every other file the build writes.
    """

    def __init__(self, base_path: str, pages_by_rel: dict[str, str], site_paths: set[str]):
        self.base_path = base_path
        self.pages_by_rel = pages_by_rel  # "far-side.md" -> "far-side/"
        self.page_urls = set(pages_by_rel.values())
        self.site_paths = site_paths  # other outputs: "facts.json", "static/x.png", ...

    def tracked(self, recorder: Recorder) -> LinkResolver:
        """This resolver, recording every page and site path that a page's links look up."""
        tracked = copy.copy(self)
        tracked.pages_by_rel = Recorded(self.pages_by_rel, "page", recorder)
        tracked.page_urls = RecordedSet(self.page_urls, "url", recorder)
        tracked.site_paths = RecordedSet(self.site_paths, "url", recorder)
        return tracked

    def resolve(self, href: str, page_rel: str, page_url: str) -> ResolvedLink | str:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:", "data:")):
            return href
        if not parts.path:  # "#fragment" on this page
            return ResolvedLink(href, LinkRef(href, page_url, parts.fragment))
        if parts.path.startswith("/"):
            return self._site_path(href, parts.path.lstrip("/"), parts.fragment)
        if parts.path.endswith(".md"):
            return self._source_path(href, page_rel, parts.path, parts.fragment)
        return ResolvedLink(
            href,
            problem=f"relative link {href!r}: link to a page by its "
            "source file (page.md) or use a site path (/page/)",
        )

    def _source_path(self, href: str, page_rel: str, path: str, fragment: str) -> ResolvedLink:
        rel = _join(page_rel, unquote(path))  # `Über Uns.md` or `%C3%9Cber%20Uns.md`
        target = self.pages_by_rel.get(rel) if rel is not None else None
        if target is None:
            known = {}
            for written in (_relative(rel, page_rel) for rel in self.pages_by_rel):
                known[written] = written  # and "guide.md" for "guide/index.md":
                known.setdefault(written.removesuffix("/index.md") + ".md", written)
            return ResolvedLink(
                href,
                problem=f"link to a page that does not exist: {path!r}"
                + did_you_mean(path, known, known),
            )
        url = self.base_path + quote(target) + (f"#{fragment}" if fragment else "")
        return ResolvedLink(url, LinkRef(href, target, fragment))

    def _site_path(self, href: str, path: str, fragment: str) -> ResolvedLink:
        path = unquote(path)
        url = self.base_path + quote(path) + (f"#{fragment}" if fragment else "")
        if path in self.page_urls or path in self.site_paths:
            return ResolvedLink(
                url, LinkRef(href, path, fragment) if path in self.page_urls else None
            )
        if f"{path}/" in self.page_urls:
            return ResolvedLink(
                href,
                problem=f"link {href!r} needs a trailing slash "
                f"(/{path}/): GitHub Pages would redirect it",
            )
        return ResolvedLink(href, problem=f"link to a path the site does not have: {href!r}")


def _relative(rel: str, page_rel: str) -> str:
    """A page's source path as a link from `page_rel` would write it ('../far-side.md')."""
    up = page_rel.count("/")
    return "../" * up + rel


def _join(page_rel: str, path: str) -> str | None:
    """Resolve `path` relative to the folder of `page_rel`; None if it leaves content/."""
    parts = page_rel.split("/")[:-1]
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
