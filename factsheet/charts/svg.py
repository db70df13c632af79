"""Writing SVG: numbers rounded the same way every time, escaped typographic text, groups, paths
and the root element with its title and description."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..typography import typographic

# Average glyph width as a share of the font size: text cannot be measured here, so layouts
# reserve room with a slightly generous estimate.
REGULAR_WIDTH, BOLD_WIDTH = 0.56, 0.62


def num(value: float) -> str:
    """A coordinate rounded to 0.1 unit, always written the same way (no '-0', no '.0')."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def esc(text: str) -> str:
    """Text for the SVG: typographic like the page around it, then escaped."""
    return html.escape(typographic(text), quote=True)


def svg_text(x: float, y: float, content: str, anchor: str = "start", attrs: str = "") -> str:
    """One line of text; font, size and class come from `attrs` or the enclosing group."""
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    extra = f" {attrs}" if attrs else ""
    return f'<text{extra} x="{num(x)}" y="{num(y)}"{anchor_attr}>{esc(content)}</text>'


def group_of(attrs: str, children: Sequence[str]) -> str:
    """A <g> with shared attributes, or nothing when it would be empty."""
    return f"<g {attrs}>{''.join(children)}</g>" if children else ""


def polyline(points: Sequence[tuple[float, float]], closed: bool = False) -> str:
    """Path data for a polyline through the points (implicit L after the first pair)."""
    data = "M" + "L".join(f"{num(x)} {num(y)}" for x, y in points)
    return data + ("Z" if closed else "")


def svg_root(
    name: str, width: float, height: float, title: str, desc: str, body: Sequence[str]
) -> str:
    ident = f"chart-{name}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart {ident}" '
        'fill="currentColor">'
    )
    parts = [
        head,
        f'<title id="{ident}-title">{esc(title)}</title>',
        f'<desc id="{ident}-desc">{esc(desc)}</desc>',
        *(part for part in body if part),
    ]
    return "\n".join(parts) + "\n</svg>"


def text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (BOLD_WIDTH if bold else REGULAR_WIDTH)
