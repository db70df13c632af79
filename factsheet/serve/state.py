"""What the request handlers and the build loop share, and the guard every handler applies."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclasses.dataclass
class ServeState:
    """Shared by requests and the build loop (both run on the IOLoop thread)."""

    serve_root: Path
    out_dir: Path
    base_path: str
    errors: tuple[str, ...] = ()
    allowed_hosts: frozenset[str] | None = None  # Host header names accepted (None: any)
    reload_on_connect_until: float = 0.0  # after a restart: tabs connecting before this reload
    first_build: asyncio.Event | None = None  # set once there is a site to answer from


def allowed_hosts_for(bind_host: str) -> frozenset[str] | None:
    """A server bound to this machine only answers requests that name this machine."""
    return frozenset(LOOPBACK) if bind_host in LOOPBACK else None


def _name(host: str) -> str:
    """The host name of a Host header or URL netloc, without port or IPv6 brackets."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def host_allowed(host_header: str, allowed: frozenset[str] | None) -> bool:
    """Guards a loopback server against DNS rebinding: the Host must name this machine."""
    return allowed is None or _name(host_header) in allowed


def origin_allowed(origin: str, host_header: str, allowed: frozenset[str] | None) -> bool:
    """A WebSocket may only be opened by this server's own pages: the Origin names this host
    (and port), and, on a loopback server, this machine."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host_header.lower():
        return False
    return host_allowed(parts.netloc, allowed)
