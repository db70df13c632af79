"""The HTTP side: every request answered as GitHub Pages would (`factsheet.github_pages`), with
the live-reload script and, while the last build failed, the error overlay added to HTML."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib

from livereload.handlers import StaticFileHandler
from tornado import web

from ..github_pages import Resolved, resolve
from .overlay import FALLBACK_404, LIVE_SCRIPT, inject, overlay_html
from .state import ServeState, host_allowed

FIRST_BUILD_WAIT = 30.0  # seconds a request made during start-up waits for the first build


class SiteHandler(StaticFileHandler):
    """livereload's static file handler (ranges, ETags, content types) behind the one URL model."""

    def initialize(self, state: ServeState) -> None:
        super().initialize(path=str(state.serve_root), default_filename=None)
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def get(self, path: str, include_body: bool = True) -> None:
        if not host_allowed(self.request.host, self.state.allowed_hosts):
            raise web.HTTPError(403)
        if self.state.first_build is not None:  # a request during start-up waits for the site
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.state.first_build.wait(), FIRST_BUILD_WAIT)
        found = resolve(self.state.out_dir, self.state.base_path, self.request.path)
        if found.location:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(found.location + query, permanent=found.status == 301)
            return
        if found.status == 414:
            raise web.HTTPError(414)
        if found.status == 404 or found.file.suffix in (".html", ".htm"):
            self.send_page(found, include_body)
            return
        rel = found.file.relative_to(self.state.serve_root).as_posix()
        await super().get(rel, include_body)

    def send_page(self, found: Resolved, include_body: bool) -> None:
        try:
            page = found.file.read_bytes() if found.file else FALLBACK_404
        except OSError:  # replaced by a build between resolving and reading
            page = FALLBACK_404
        overlay = overlay_html(self.state.errors) if self.state.errors else ""
        body = inject(page, LIVE_SCRIPT, overlay)
        self.page_etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        self.set_status(found.status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        if include_body:
            self.write(body)
        else:
            self.set_header("Content-Length", len(body))

    def compute_etag(self) -> str | None:
        page_etag = getattr(self, "page_etag", None)
        if page_etag is not None:
            return page_etag
        return super().compute_etag() if getattr(self, "absolute_path", None) else None

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{status_code} {self._reason}\n")
