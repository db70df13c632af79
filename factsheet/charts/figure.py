"""HTML for a chart drawn in panels: each panel's SVG over its picture, as Python-Markdown
elements. The picture is a <picture> with WebP at every density in `srcset`, a PNG (or JPEG)
fallback with explicit width and height (so nothing shifts while it loads) and alt text,
lazy-loaded, since charts stand below a page's opening. URLs are site paths resolved by the
caller, so they work under any base path."""

from __future__ import annotations

import xml.etree.ElementTree as etree  # noqa: N813 - Python-Markdown's own name
from collections.abc import Callable

from ..typography import typographic
from .model import Chart
from .pictures import DENSITIES, PictureSpec


def panel_elements(
    chart: Chart, stash: Callable[[str], str], resolve: Callable[[str], str]
) -> list[etree.Element]:
    """One `div.chart-panel` per panel; `stash` keeps raw SVG markup, `resolve` makes URLs."""
    elements = []
    for panel in chart.panels:
        classes = "chart-panel" + (" has-picture" if panel.picture else "")
        element = etree.Element("div", {"class": classes})
        if panel.picture is not None:
            element.append(picture_element(panel.picture, resolve, lazy=True))
        overlay = etree.SubElement(element, "div", {"class": "chart-overlay"})
        overlay.text = stash(panel.svg)
        elements.append(element)
    return elements


def picture_element(spec: PictureSpec, resolve: Callable[[str], str], lazy: bool) -> etree.Element:
    picture = etree.Element("picture")
    srcset = ", ".join(f"{resolve('/' + spec.webp(d))} {spec.width * d}w" for d in DENSITIES)
    etree.SubElement(
        picture,
        "source",
        {
            "type": "image/webp",
            "srcset": srcset,
            # The panel is never wider than the picture's own width, nor than the screen.
            "sizes": f"(max-width: {spec.width + 40}px) calc(100vw - 2rem), {spec.width}px",
        },
    )
    attributes = {
        "src": "/" + spec.fallback,
        "width": str(spec.width),
        "height": str(spec.height),
        "alt": typographic(spec.alt),
        "decoding": "async",
    }
    if lazy:
        attributes["loading"] = "lazy"
    etree.SubElement(picture, "img", attributes)  # src: resolved with the page's other links
    return picture
