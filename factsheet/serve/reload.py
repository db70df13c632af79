"""The browser side of live reload: livereload's WebSocket and livereload.js, behind the same
Host guard as the pages (and an Origin check), and the choice of which tabs to reload."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web

from ..github_pages import resolve
from .state import ServeState, host_allowed, origin_allowed

PASSIVE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".json", ".csv")  # embedded by no page


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, remembering each tab's page (from the `info` message) so that a
    build reloads only the tabs whose page changed. livereload's own handler accepts any Origin
    and any Host, which would let a DNS-rebinding page watch which pages you edit."""

    page_url: str | None = None

    def initialize(self, state: ServeState) -> None:
        self.state = state

    async def get(self, *args, **kwargs) -> None:
        if not host_allowed(self.request.host, self.state.allowed_hosts):
            self.set_status(403)
            self.finish("403 Forbidden\n")
            return
        await super().get(*args, **kwargs)

    def check_origin(self, origin: str) -> bool:
        return origin_allowed(origin, self.request.host, self.state.allowed_hosts)

    def on_message(self, message) -> None:
        super().on_message(message)
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "info":
            self.page_url = str(data.get("url") or "") or None
            if time.monotonic() < self.state.reload_on_connect_until:
                # A tab that reconnects after the server restarted for new generator code.
                send_reload(self, self.page_url)


class ReloadScript(LiveReloadJSHandler):
    """livereload.js, only to pages that name this machine."""

    def prepare(self) -> None:
        if not host_allowed(self.request.host, self.state.allowed_hosts):
            raise web.HTTPError(403)

    def initialize(self, state: ServeState) -> None:
        self.state = state


def tabs_to_reload(
    tab_urls: dict[object, str | None], changed: Iterable[str], state: ServeState, everything: bool
) -> list[object]:
    """The tabs to reload after a build that changed these files (relative to out_dir)."""
    changed = set(changed)
    if everything or any(not rel.endswith(PASSIVE_SUFFIXES) for rel in changed):
        return list(tab_urls)
    chosen = []
    for tab, url in tab_urls.items():
        if not url:
            chosen.append(tab)
            continue
        found = resolve(state.out_dir, state.base_path, urlsplit(url).path or "/")
        rel = found.file.relative_to(state.out_dir).as_posix() if found.file else "404.html"
        if found.status == 404 and found.file is None or rel in changed:
            chosen.append(tab)
    return chosen


def send_reload(tab, page_url: str | None) -> bool:
    path = urlsplit(page_url or "").path or "*"
    message = {"command": "reload", "path": path, "liveCSS": False, "liveImg": False}
    try:
        tab.write_message(json.dumps(message))
    except Exception:  # a tab that went away: forget it
        LiveReloadHandler.waiters.discard(tab)
        return False
    return True


def reload_tabs(files: tuple[str, ...], state: ServeState, everything: bool) -> int:
    """Send a reload to every connected tab that shows one of these files; how many."""
    if not files and not everything:
        return 0
    tabs = {tab: getattr(tab, "page_url", None) for tab in list(LiveReloadHandler.waiters)}
    return sum(
        send_reload(tab, tabs[tab]) for tab in tabs_to_reload(tabs, files, state, everything)
    )


def close_tabs() -> None:
    for tab in list(LiveReloadHandler.waiters):
        tab.close()
