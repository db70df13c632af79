"""Charts: small SVG pictures drawn from the fact book, each with a caption and a data table.

`render_chart(name, book)` returns a `Chart`: the SVG markup, a one-sentence caption, and the same
data as a table (with the id of the fact behind each row, so the caller can cite every row). A
chart reads only the fact book; the layout is the only thing written here, so a change in the data
changes the picture. Missing or ill-typed data raises `ChartError`, naming the group or fact.

Charts and the data they read:

- `mission-timeline`: group `ce6-timeline` (date or datetime facts), time running down the page.
- `moon-map`: group `landing-sites` (coordinates), facts `spa-centre` (coordinates),
  `spa-diameter` and `moon-radius` (quantities in km).
- `lunar-race`: group `lunar-landings` (date or datetime facts; attributes `operator` and
  `outcome`, one of success, partial, failure).
- `sample-masses`: group `sample-returns` (quantities in g or kg), on a logarithmic scale.
- `basin-size`: group `basin-size-comparison` (quantities in km; the first is highlighted).
- `spa-topography`: the basin in colour by elevation over a raster picture (see its module).

A chart may instead be drawn as `panels` (`model.Panel`): several SVGs, each over a raster
picture (`pictures.py`) when it has one; the moon-map puts its discs over the real Moon when the
data has the rasters' sources (`usgs-lroc-wac`, `usgs-lola-dem`).

Every SVG has a viewBox and no width or height, `role="img"`, and a `<title>` and `<desc>` with
ids `chart-NAME-title` and `chart-NAME-desc`. It carries no colours: the root sets
`fill="currentColor"` and lines use `stroke="currentColor"`, so an unstyled chart is legible in
either theme, and the site CSS styles these classes (CSS rules override those attributes):

- root `<svg>`: `chart` and `chart-NAME`
- `axis`: axis lines, tick marks and scale bars (stroked paths)
- `grid`: gridlines and the map graticule (stroked paths)
- `axis-label`: tick and gridline labels, axis titles (text)
- `label`: names of things: events, missions, sites, bars, basins (bold text)
- `value`: dates and values beside a label (text)
- `heading`: the "Near side" / "Far side" headings of the map (text)
- `leader`: thin lines (and dots) joining a mark to its label
- `marker event`: timeline event dots
- `marker success`, `marker partial`, `marker failure`: lunar-race marks; the shape differs too
  (circle, triangle, cross), so the outcome is never told by colour alone
- `legend`: the legend group of the lunar-race and moon-map charts
- `disc`: the Moon's disc (outline; give it a fill for the surface)
- `basin`: the SPA basin area on the map, and the circles of the basin-size chart
  (the first circle also has `spa`)
- `basin-outline`: the SPA basin's edge on the map (stroked path)
- `site`: landing-site markers on the map
- `bar`: the bars of the sample-masses chart

Output is deterministic: data order, fixed rounding (0.1 unit) and no dict or set iteration that
could vary, so the same fact book gives byte-identical SVG.
"""

from __future__ import annotations

from importlib import import_module

from ..facts import FactBook
from .geo import angular_distance, destination, limb_point, orthographic, small_circle
from .model import Chart, ChartError

__all__ = [
    "CHART_NAMES",
    "Chart",
    "ChartError",
    "angular_distance",
    "destination",
    "limb_point",
    "orthographic",
    "render_chart",
    "small_circle",
]


# chart name -> (module, function). A module is imported when its chart is first drawn: most
# builds draw none (pages come from the cache), and the drawings are most of this package.
RENDERERS: dict[str, tuple[str, str]] = {
    "mission-timeline": ("timeline", "mission_timeline"),
    "moon-map": ("moon_map", "moon_map"),
    "lunar-race": ("lunar_race", "lunar_race"),
    "sample-masses": ("sample_masses", "sample_masses"),
    "basin-size": ("basin_size", "basin_size"),
    "spa-topography": ("spa_topography", "spa_topography"),
}
CHART_NAMES: tuple[str, ...] = tuple(RENDERERS)


def render_chart(name: str, book: FactBook) -> Chart:
    """Draw the named chart from the fact book; ChartError says what is unknown or missing."""
    if name not in RENDERERS:
        raise ChartError(f"unknown chart {name!r} (known charts: {', '.join(CHART_NAMES)})")
    module, function = RENDERERS[name]
    return getattr(import_module(f".{module}", __name__), function)(book)
