"""moon-map: group `landing-sites` (coordinates), facts `spa-centre` (coordinates), `spa-diameter`
and `moon-radius` (quantities in km), on orthographic discs of the near and far side."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..facts import Fact, FactBook, format_value
from .geo import LIMB_EPSILON, angular_distance, cos_c, destination, limb_point, orthographic
from .layout import place_label
from .model import (
    Chart,
    ChartError,
    Panel,
    chart_fact,
    chart_group,
    check_type,
    check_unit,
    positive_value,
)
from .pictures import (
    ALBEDO_CREDIT,
    DISC_CX,
    DISC_CY,
    DISC_HEIGHT,
    DISC_RADIUS,
    DISC_WIDTH,
    DISCS,
    MOON_FAR,
)
from .svg import group_of, num, polyline, svg_root, svg_text

# One panel per disc, side by side on a wide screen and one above the other on a phone; each
# disc's labels stay inside its own panel. A panel's box is also its picture's (pictures.py).
MAP_VIEWS = (
    ("Near side", "centred on 0°, 0°", 0.0),
    ("Far side", "centred on 0°, 180°", 180.0),
)  # heading, note, lon0
SIDE_NAMES = ("near", "far")
LEGEND_WIDTH, LEGEND_HEIGHT = 300, 52


def _graticule(lon0: float, cx: float, cy: float, radius: float) -> str:
    """Path data for a 30° graticule on a disc centred on the equator at longitude lon0.

    Seen from above the equator, a meridian projects to half an ellipse from pole to pole and a
    parallel to a straight chord, so SVG arcs and lines draw them exactly, in a fraction of the
    bytes of sampled polylines. Meridians on the limb are left to the disc's own edge.
    """
    parts = []
    for lon in range(-180, 180, 30):
        x, _, visible = orthographic(0, lon, 0, lon0, radius)
        if not visible:
            continue
        top, bottom = f"M{num(cx)} {num(cy - radius)}", f"{num(cx)} {num(cy + radius)}"
        if abs(x) < 0.05:
            parts.append(f"{top}V{num(cy + radius)}")
        else:  # sweep 1 bulges east (right) on screen
            parts.append(f"{top}A{num(abs(x))} {num(radius)} 0 0 {1 if x > 0 else 0} {bottom}")
    for lat in (-60, -30, 0, 30, 60):
        x, y, _ = orthographic(lat, lon0 + 90, 0, lon0, radius)
        parts.append(f"M{num(cx - x)} {num(cy - y)}H{num(cx + x)}")
    return "".join(parts)


def _limb_crossing(
    centre: tuple[float, float],
    radius: float,
    inside: float,
    outside: float,
    view: tuple[float, float],
) -> float:
    """The bearing between `inside` (visible) and `outside` (hidden) where the circle meets the
    limb, by bisection: precise enough that the outline meets the disc edge cleanly."""
    for _ in range(40):
        middle = (inside + outside) / 2
        if cos_c(*destination(*centre, radius, middle), *view) > LIMB_EPSILON:
            inside = middle
        else:
            outside = middle
    return inside


def _visible_runs(visible: Sequence[bool]) -> list[list[int]]:
    """Indices of consecutive visible points around a closed ring, starting after a hidden one."""
    start = visible.index(False)
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(len(visible)):
        index = (start + step) % len(visible)
        if visible[index]:
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _basin_paths(
    centre: tuple[float, float],
    radius: float,
    view: tuple[float, float],
    cx: float,
    cy: float,
    disc_radius: float,
    n: int = 90,
) -> tuple[str, str]:
    """Path data (area, outline) for the part of a small circle visible on one disc.

    The outline is clipped where the circle passes behind the limb; the area is closed along the
    limb, on the side that lies inside the basin.
    """

    def screen(bearing: float) -> tuple[float, float]:
        x, y, _ = orthographic(*destination(*centre, radius, bearing), *view, disc_radius)
        return cx + x, cy - y  # SVG y grows downward: north up

    bearings = [2 * math.pi * k / n for k in range(n)]
    visible = [cos_c(*destination(*centre, radius, b), *view) > LIMB_EPSILON for b in bearings]
    if all(visible):
        ring = polyline([screen(b) for b in bearings], closed=True)
        return ring, ring
    if not any(visible):
        return "", ""
    areas, outlines = [], []
    step = 2 * math.pi / n
    for run in _visible_runs(visible):
        first, last = bearings[run[0]], bearings[run[-1]]
        entry = _limb_crossing(centre, radius, first, first - step, view)
        leave = _limb_crossing(centre, radius, last, last + step, view)
        points = [screen(entry), *(screen(bearings[i]) for i in run), screen(leave)]
        outlines.append(polyline(points))
        areas.append(
            polyline(points)
            + _limb_arc(points[-1], points[0], centre, radius, view, cx, cy, disc_radius)
            + "Z"
        )
    return "".join(areas), "".join(outlines)


def _limb_arc(
    start: tuple[float, float],
    end: tuple[float, float],
    centre: tuple[float, float],
    radius: float,
    view: tuple[float, float],
    cx: float,
    cy: float,
    disc_radius: float,
) -> str:
    """An SVG arc along the limb from start to end, going the way that stays inside the basin."""
    a_start = math.atan2(start[1] - cy, start[0] - cx)  # screen angles: clockwise positive
    a_end = math.atan2(end[1] - cy, end[0] - cx)
    clockwise = (a_end - a_start) % (2 * math.pi)
    middle = a_start + clockwise / 2
    # Screen y points down, so the map angle of the same limb point is the negative one.
    inside = angular_distance(*limb_point(-middle, *view), *centre) < radius
    extent = clockwise if inside else 2 * math.pi - clockwise
    large, sweep = int(extent > math.pi), int(inside)
    r = num(disc_radius)
    return f"A{r} {r} 0 {large} {sweep} {num(end[0])} {num(end[1])}"


def _site_side(fact: Fact) -> int:
    """0 for the near disc, 1 for the far: whichever the site faces more (limb ties go near)."""
    lat, lon = float(fact.value.lat), float(fact.value.lon)
    return 0 if cos_c(lat, lon, 0, 0) >= cos_c(lat, lon, 0, 180) else 1


def _disc_body(side: int, centre: tuple[float, float], angular: float) -> tuple[list[str], bool]:
    """Heading, disc, graticule and the basin of one side; and whether the basin shows on it."""
    heading, note, lon0 = MAP_VIEWS[side]
    cx = DISC_CX
    area, outline = _basin_paths(centre, angular, (0.0, lon0), cx, DISC_CY, DISC_RADIUS)
    body = [
        svg_text(cx, 22, heading, "middle", 'class="heading" font-size="15" font-weight="bold"'),
        svg_text(cx, 40, note, "middle", 'class="axis-label" font-size="12"'),
        f'<circle class="disc" fill="none" stroke="currentColor" stroke-width="1.5" '
        f'cx="{num(cx)}" cy="{num(DISC_CY)}" r="{num(DISC_RADIUS)}"/>',
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'stroke-opacity=".5" d="{_graticule(lon0, cx, DISC_CY, DISC_RADIUS)}"/>',
        f'<path class="basin" fill-opacity=".2" d="{area}"/>' if area else "",
        f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
        f'd="{outline}"/>'
        if outline
        else "",
    ]
    return body, bool(area)


def _map_sites(sites: Sequence[Fact], side: int) -> list[str]:
    """A marker per landing site facing this side, then labels that avoid each other."""
    markers, labels, taken = [], [], []
    placed: list[tuple[float, float, str]] = []
    lon0 = MAP_VIEWS[side][2]
    for fact in sites:
        if _site_side(fact) != side:
            continue
        x, y, _ = orthographic(float(fact.value.lat), float(fact.value.lon), 0, lon0, DISC_RADIUS)
        sx, sy = DISC_CX + x, DISC_CY - y
        markers.append(f'<circle cx="{num(sx)}" cy="{num(sy)}" r="4"/>')
        taken.append((sx - 5, sy - 5, sx + 5, sy + 5))  # labels must not hide other markers
        placed.append((sx, sy, fact.label))
    bounds = (4.0, 46.0, DISC_WIDTH - 4.0, DISC_HEIGHT - 4.0)
    for sx, sy, label in placed:
        labels.append(place_label(sx, sy, label, 13, taken, bounds))
    return [
        group_of('class="site" stroke="currentColor" stroke-width="1.5"', markers),
        group_of('class="label" font-size="13" font-weight="bold"', labels),
    ]


def moon_map(book: FactBook) -> Chart:
    name = "moon-map"
    group, sites = chart_group(book, name, "landing-sites")
    for fact in sites:
        check_type(name, fact, ("coordinates",))
    centre_fact = chart_fact(book, name, "spa-centre", ("coordinates",))
    diameter_fact = chart_fact(book, name, "spa-diameter", ("quantity",))
    moon_fact = chart_fact(book, name, "moon-radius", ("quantity",))
    for fact in (diameter_fact, moon_fact):
        check_unit(name, fact, ("km",))
    centre = (float(centre_fact.value.lat), float(centre_fact.value.lon))
    angular = positive_value(name, diameter_fact) / 2 / positive_value(name, moon_fact)
    if angular >= math.pi / 2:
        raise ChartError(
            f"chart {name!r} needs fact {diameter_fact.id!r} to be less than half "
            f"the Moon's circumference (fact {moon_fact.id!r})"
        )

    pictures = all(source in book.sources for source in ("usgs-lroc-wac", "usgs-lola-dem"))
    panels, shown_on = [], []
    for side, (heading, _, lon0) in enumerate(MAP_VIEWS):
        body, shows_basin = _disc_body(side, centre, angular)
        if shows_basin:
            shown_on.append(heading.lower())
        count = sum(1 for fact in sites if _site_side(fact) == side)
        title = f"{heading} of the Moon"
        desc = (
            f"The {heading.lower()} seen from above the equator at {num(lon0)}° longitude, north "
            f"up, with a 30° grid and {count} landing {'site' if count == 1 else 'sites'}"
            + (
                ", and the part of the South Pole-Aitken basin on this side."
                if shows_basin
                else "."
            )
        )
        svg = svg_root(
            f"{name}-{SIDE_NAMES[side]}",
            DISC_WIDTH,
            DISC_HEIGHT,
            title,
            desc,
            [*body, *_map_sites(sites, side)],
        )
        panels.append(Panel(svg, DISCS[lon0] if pictures else None))
    legend = svg_root(
        f"{name}-key",
        LEGEND_WIDTH,
        LEGEND_HEIGHT,
        "Key to the maps",
        "The shaded outline is the South Pole-Aitken basin; a dot is a landing site.",
        [_map_legend()],
    )
    panels.append(Panel(legend))
    near = sum(1 for fact in sites if _site_side(fact) == 0)
    far = len(sites) - near
    caption = (
        f"The Moon's near and far sides, north up, with the South Pole-Aitken basin "
        f"({format_value(diameter_fact)} across) outlined and {len(sites)} landing "
        f"{'site' if len(sites) == 1 else 'sites'} marked: {near} on the near side and {far} "
        f"on the far side."
    )
    where = " and ".join(shown_on)
    rows = (
        (centre_fact.label, format_value(centre_fact), f"centre of the shaded basin ({where})"),
        (diameter_fact.label, format_value(diameter_fact), "size of the shaded basin"),
        (moon_fact.label, format_value(moon_fact), "radius of the drawn disc (the map's scale)"),
        *(
            (fact.label, format_value(fact), ("near side", "far side")[_site_side(fact)])
            for fact in sites
        ),
    )
    ids = (centre_fact.id, diameter_fact.id, moon_fact.id, *(fact.id for fact in sites))
    credits = ((ALBEDO_CREDIT, MOON_FAR.sources),) if pictures else ()
    return Chart(
        name, "", caption, ("Feature", "Value", "On the map"), rows, ids, tuple(panels), credits
    )


def _map_legend() -> str:
    """Two lines, so the key fits the narrowest panel."""
    return (
        '<g class="legend" font-size="12">'
        '<rect class="basin" x="8" y="8" width="18" height="12" fill-opacity=".2"/>'
        '<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
        'd="M8 8h18v12h-18z"/>'
        '<text class="axis-label" x="34" y="18">South Pole-Aitken basin (shaded)</text>'
        '<circle class="site" cx="17" cy="38" r="4" stroke="currentColor" stroke-width="1.5"/>'
        '<text class="axis-label" x="34" y="42">Landing site</text></g>'
    )
