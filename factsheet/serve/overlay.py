"""What the dev server adds to an HTML page as it sends it (never to a built file): the
live-reload script, and while the last build failed, a panel listing its errors."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

OVERLAY_ID = "farside-dev-overlay"

LIVE_SCRIPT = (  # livereload's own snippet (server.py), loading livereload.js from this server
    '<script>(function(){var s=document.createElement("script");'
    'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
    's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    "document.head.appendChild(s);})();</script>"
)

FALLBACK_404 = (
    b'<!doctype html><html><head><meta charset="utf-8"><title>Not found</title>'
    b"</head><body><h1>Not found</h1><p>No site has been built yet, or it has no "
    b"404.html.</p></body></html>"
)

HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# The built pages forbid every script and inline style element; the dev server's own reload
# script and overlay need both, so the policy is left out of what it serves (never of _site/).
CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)


def overlay_html(errors: Iterable[str]) -> str:
    """The error panel shown on every page while the last build failed."""
    items = "".join(
        f'<li style="margin:.25rem 0;white-space:pre-wrap">{html.escape(e)}</li>' for e in errors
    )
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;top:0;left:0;right:0;'
        "z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
        "background:#3b0d0d;color:#fff;border-bottom:4px solid #e5484d;"
        "box-shadow:0 4px 24px rgba(0,0,0,.45);font:14px/1.5 ui-monospace,SFMono-Regular,"
        'Menlo,Consolas,monospace;text-align:left">'
        '<button type="button" onclick="this.parentNode.remove()" aria-label="Hide" '
        'style="float:right;font:inherit;color:inherit;background:none;border:1px solid '
        '#fff;border-radius:4px;padding:0 .5rem;cursor:pointer">Hide</button>'
        "<strong>Build failed.</strong> You are seeing the last good build. Fix the problem "
        "and save: this page reloads by itself."
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


def inject(page: bytes, script: str, overlay: str = "") -> bytes:
    """The page as served: the live-reload script before </head>, the overlay before </body>."""
    page = CSP_META.sub(b"", page, count=1)
    match = HEAD_END.search(page)
    at = match.start() if match else 0
    page = page[:at] + script.encode() + page[at:]
    if overlay:
        matches = list(BODY_END.finditer(page))
        at = matches[-1].start() if matches else len(page)
        page = page[:at] + overlay.encode() + page[at:]
    return page
