"""spa-topography: the South Pole-Aitken basin in colour by elevation, from the LOLA model.

Reads facts `spa-centre` (coordinates; the map is centred on it), `spa-diameter` and
`moon-radius` (km; the outline), `ce4-landing-coordinates`, `ce6-landing-coordinates`
(coordinates) and `ce4-landing-elevation`, `ce6-landing-elevation` (m), and needs source
`usgs-lola-dem` (the picture's data). Two panels: the map (an SVG of outline, pole and sites
over the picture `spa-topography`), then its colour key, whose text follows the page's theme.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ..facts import FactBook, format_number, format_value
from .geo import orthographic, small_circle
from .layout import place_label
from .model import Chart, ChartError, Panel, chart_fact, check_unit, positive_value
from .pictures import DEM_CREDIT, SPA_TOPOGRAPHY, TOPO_RANGE_M, TOPO_SCALE
from .svg import group_of, num, polyline, svg_root, svg_text

NAME = "spa-topography"
SITES = (  # coordinates fact, elevation fact
    ("ce6-landing-coordinates", "ce6-landing-elevation"),
    ("ce4-landing-coordinates", "ce4-landing-elevation"),
)
KEY_WIDTH, KEY_HEIGHT = 480, 64
KEY_LEFT, KEY_RIGHT, KEY_TOP = 16.0, 464.0, 26.0
RAMP_STEPS = 32
# The ramp's colours, the same as the picture's (raster.VIRIDIS), sampled here without numpy.
VIRIDIS = (
    "#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863", "#aadc32",
    "#fde725",
)  # fmt: skip


def _ramp_colour(share: float) -> str:
    position = min(max(share, 0.0), 1.0) * (len(VIRIDIS) - 1)
    low = min(int(position), len(VIRIDIS) - 2)
    t = position - low
    a, b = VIRIDIS[low], VIRIDIS[low + 1]
    channels = (
        round(int(a[i : i + 2], 16) * (1 - t) + int(b[i : i + 2], 16) * t) for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def spa_topography(book: FactBook) -> Chart:
    if "usgs-lola-dem" not in book.sources:
        raise ChartError(f"chart {NAME!r} needs source 'usgs-lola-dem' (the elevation model)")
    centre_fact = chart_fact(book, NAME, "spa-centre", ("coordinates",))
    diameter_fact = chart_fact(book, NAME, "spa-diameter", ("quantity",))
    moon_fact = chart_fact(book, NAME, "moon-radius", ("quantity",))
    for fact in (diameter_fact, moon_fact):
        check_unit(NAME, fact, ("km",))
    sites = []
    for where_id, height_id in SITES:
        where = chart_fact(book, NAME, where_id, ("coordinates",))
        height = chart_fact(book, NAME, height_id, ("quantity",))
        check_unit(NAME, height, ("m",))
        sites.append((where, height))
    lat0, lon0 = float(centre_fact.value.lat), float(centre_fact.value.lon)
    angular = positive_value(NAME, diameter_fact) / 2 / positive_value(NAME, moon_fact)
    if angular >= math.pi / 2:
        raise ChartError(f"chart {NAME!r} needs fact {diameter_fact.id!r} below a hemisphere")

    spec = SPA_TOPOGRAPHY
    cx, cy = spec.width / 2, spec.height / 2

    def screen(lat: float, lon: float) -> tuple[float, float]:
        x, y, _ = orthographic(lat, lon, lat0, lon0, TOPO_SCALE)
        return cx + x, cy - y

    ring = [screen(lat, lon) for lat, lon in small_circle(lat0, lon0, angular, 120)]
    pole = screen(-90.0, 0.0)
    points = [screen(float(where.value.lat), float(where.value.lon)) for where, _ in sites]
    markers = [f'<circle cx="{num(x)}" cy="{num(y)}" r="5"/>' for x, y in points]
    taken = [(x - 6, y - 6, x + 6, y + 6) for x, y in [*points, pole]]  # labels hide no mark
    bounds = (4.0, 4.0, spec.width - 4.0, spec.height - 4.0)
    labels = []
    for (where, height), (x, y) in zip(sites, points, strict=True):
        text = f"{where.label.removesuffix(' landing site')}, {format_value(height)}"
        labels.append(place_label(x, y, text, 14, taken, bounds))
    labels.append(place_label(*pole, "South pole", 14, taken, bounds))
    body = [
        f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2.5" '
        f'stroke-dasharray="8 5" d="{polyline(ring, closed=True)}"/>',
        f'<path class="pole" fill="none" stroke="currentColor" stroke-width="2" '
        f'd="M{num(pole[0] - 6)} {num(pole[1])}h12M{num(pole[0])} {num(pole[1] - 6)}v12"/>',
        group_of('class="site" stroke="currentColor" stroke-width="2"', markers),
        group_of('class="label" font-size="14" font-weight="bold"', labels),
    ]
    names = " and ".join(
        f"{where.label.removesuffix(' landing site')} ({format_value(height)})"
        for where, height in sites
    )
    caption = (
        f"Elevation around the South Pole-Aitken basin, whose rim (dashed, "
        f"{format_value(diameter_fact)} across) encloses the lowest ground on the Moon; "
        f"the landing sites of {names} lie on its floor."
    )
    desc = (
        "Map centred on the basin, south pole towards the bottom, coloured from dark purple "
        "(lowest) through blue and green to yellow (highest), with the basin's rim dashed and "
        "the two Chinese landing sites marked."
    )
    overlay = svg_root(
        NAME, spec.width, spec.height, "Elevation of the South Pole-Aitken basin", desc, body
    )
    rows = (
        (centre_fact.label, format_value(centre_fact), "centre of the map and of the rim"),
        (diameter_fact.label, format_value(diameter_fact), "size of the dashed rim"),
        (moon_fact.label, format_value(moon_fact), "size of the dashed rim"),
        *((fact.label, format_value(fact), "marked") for pair in sites for fact in pair),
    )
    ids = (
        centre_fact.id, diameter_fact.id, moon_fact.id, *(f.id for pair in sites for f in pair)
    )  # fmt: skip
    panels = (Panel(overlay, spec), Panel(_key()))
    return Chart(
        NAME,
        "",
        caption,
        ("Feature", "Value", "On the map"),
        rows,
        ids,
        panels,
        ((DEM_CREDIT, spec.sources),),
    )


def _key() -> str:
    """The colour scale: the ramp in RAMP_STEPS blocks, ticks every 4 km, and its title."""
    low, high = TOPO_RANGE_M
    width = (KEY_RIGHT - KEY_LEFT) / RAMP_STEPS
    blocks = [
        f'<rect x="{num(KEY_LEFT + i * width)}" y="{num(KEY_TOP)}" width="{num(width + 0.5)}" '
        f'height="12" fill="{_ramp_colour((i + 0.5) / RAMP_STEPS)}"/>'
        for i in range(RAMP_STEPS)
    ]
    ticks, tick_text = [], []
    for metres in range(low, high + 1, 4000):
        x = KEY_LEFT + (metres - low) / (high - low) * (KEY_RIGHT - KEY_LEFT)
        ticks.append(f"M{num(x)} {num(KEY_TOP + 12)}v5")
        sign = "−" if metres < 0 else ("+" if metres > 0 else "")
        label = f"{sign}{format_number(Decimal(abs(metres) // 1000))}\u00a0km"
        # The ends hold everything beyond them: "≤ −8 km", "≥ +8 km".
        label = ("≤ " if metres == low else "≥ " if metres == high else "") + label
        anchor = "start" if metres == low else ("end" if metres == high else "middle")
        tick_text.append(svg_text(x, KEY_TOP + 32, label, anchor))
    title = "Elevation, relative to a sphere of the Moon's mean radius"
    desc = f"{title}: from dark purple at −8 km or lower to yellow at +8 km or higher."
    return svg_root(
        f"{NAME}-key",
        KEY_WIDTH,
        KEY_HEIGHT,
        "Colour key",
        desc,
        [
            svg_text(KEY_LEFT, 16, title, "start", 'class="axis-label" font-size="13"'),
            "".join(blocks),
            f'<path class="axis" fill="none" stroke="currentColor" d="{"".join(ticks)}"/>',
            group_of('class="axis-label" font-size="12"', tick_text),
        ],
    )
