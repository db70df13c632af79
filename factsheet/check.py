"""Checks over a built site, as a reader's browser would meet it: every internal link, asset
and #fragment must resolve under the base path."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SiteError
from .github_pages import built_file

LINK_ATTRIBUTES = {"href", "src", "srcset", "poster"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                urls = (
                    [part.split()[0] for part in value.split(",") if part.strip()]
                    if name == "srcset"
                    else [value]
                )
                self.links.extend((url, self.getpos()[0]) for url in urls if url)


def check_built_site(site: Path, base_path: str, shown: str) -> list[SiteError]:
    """Broken internal links, missing assets and unknown fragments in every built HTML file."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8"))
        pages[path] = collector
    errors = []
    for path, collector in pages.items():
        where = f"{shown}/{path.relative_to(site).as_posix()}"
        for url, line in collector.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "data:", "tel:")):
                continue
            if not parts.path:
                target: Path | None = path
            elif not parts.path.startswith(base_path):
                errors.append(
                    SiteError(
                        where,
                        line,
                        f"link {url!r} is outside the base path {base_path} (or relative)",
                    )
                )
                continue
            else:
                target = built_file(site, base_path, parts.path)  # as GitHub Pages answers
            if target is None:
                errors.append(SiteError(where, line, f"broken link {url!r}"))
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                errors.append(
                    SiteError(where, line, f"link {url!r}: no id {parts.fragment!r} on that page")
                )
    return errors
