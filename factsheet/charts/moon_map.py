"""moon-map: group `landing-sites` (coordinates), facts `spa-centre` (coordinates), `spa-diameter`
and `moon-radius` (quantities in km), on orthographic discs of the near and far side."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..facts import Fact, FactBook, format_value
from .geo import LIMB_EPSILON, angular_distance, cos_c, destination, limb_point, orthographic
from .layout import Box, place_label
from .model import (
    Chart,
    ChartError,
    chart_fact,
    chart_group,
    check_type,
    check_unit,
    positive_value,
)
from .svg import group_of, num, polyline, svg_root, svg_text

# The discs stand well apart so that labels of sites near the limb (the Luna sites on the near
# side's eastern edge) have room in the gap between them.
MAP_WIDTH, MAP_HEIGHT = 640, 340
MAP_RADIUS = 120
MAP_CY = 174
MAP_VIEWS = (
    ("Near side", "centred on 0°, 0°", 0.0, 150.0),
    ("Far side", "centred on 0°, 180°", 180.0, 490.0),
)  # heading, note, lon0, cx


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


def _map_discs(centre: tuple[float, float], angular: float) -> tuple[list[str], list[str]]:
    """Headings, discs, graticules and the basin; and the names of the sides showing the basin."""
    headings, notes, grids, discs, areas, outlines, shown_on = [], [], [], [], [], [], []
    for heading, note, lon0, cx in MAP_VIEWS:
        headings.append(svg_text(cx, 22, heading, "middle"))
        notes.append(svg_text(cx, 40, note, "middle"))
        discs.append(f'<circle cx="{num(cx)}" cy="{MAP_CY}" r="{MAP_RADIUS}"/>')
        grids.append(_graticule(lon0, cx, MAP_CY, MAP_RADIUS))
        area, outline = _basin_paths(centre, angular, (0.0, lon0), cx, MAP_CY, MAP_RADIUS)
        if area:
            areas.append(area)
            outlines.append(outline)
            shown_on.append(heading.lower())
    body = [
        group_of('class="heading" font-size="15" font-weight="bold"', headings),
        group_of('class="axis-label" font-size="12"', notes),
        group_of('class="disc" fill="none" stroke="currentColor" stroke-width="1.5"', discs),
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'stroke-opacity=".5" d="{"".join(grids)}"/>',
        f'<path class="basin" fill-opacity=".2" d="{"".join(areas)}"/>' if areas else "",
        f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
        f'd="{"".join(outlines)}"/>'
        if outlines
        else "",
    ]
    return body, shown_on


def _map_sites(sites: Sequence[Fact]) -> list[str]:
    """A marker per landing site on the disc that faces it, then labels that avoid each other."""
    markers, labels, taken = [], [], []
    placed: list[tuple[float, float, str, int]] = []
    for fact in sites:
        side = _site_side(fact)
        lon0, cx = MAP_VIEWS[side][2:]
        x, y, _ = orthographic(float(fact.value.lat), float(fact.value.lon), 0, lon0, MAP_RADIUS)
        sx, sy = cx + x, MAP_CY - y
        markers.append(f'<circle cx="{num(sx)}" cy="{num(sy)}" r="4"/>')
        taken.append((sx - 5, sy - 5, sx + 5, sy + 5))  # labels must not hide other markers
        placed.append((sx, sy, fact.label, side))
    for sx, sy, label, side in placed:
        labels.append(place_label(sx, sy, label, 13, taken, _label_bounds(side)))
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

    discs, shown_on = _map_discs(centre, angular)
    body = [*discs, *_map_sites(sites), _map_legend()]
    near = sum(1 for fact in sites if _site_side(fact) == 0)
    caption = (
        f"Orthographic maps of the Moon, north up with a 30° grid, of the near side centred "
        f"on 0°, 0° and the far side centred on 0°, 180°, showing the South Pole-Aitken "
        f"basin ({format_value(diameter_fact)} across, centred on "
        f"{format_value(centre_fact)}) and {len(sites)} landing "
        f"{'site' if len(sites) == 1 else 'sites'}, {near} on the near side and "
        f"{len(sites) - near} on the far side."
    )
    where = " and ".join(shown_on)
    rows = (
        (centre_fact.label, format_value(centre_fact), f"centre of the shaded basin ({where})"),
        (diameter_fact.label, format_value(diameter_fact), "size of the shaded basin"),
        (moon_fact.label, format_value(moon_fact), "size of the shaded basin"),
        *(
            (fact.label, format_value(fact), ("near side", "far side")[_site_side(fact)])
            for fact in sites
        ),
    )
    title = f"{group.title} and the South Pole-Aitken basin on the Moon's near and far sides"
    svg = svg_root(name, MAP_WIDTH, MAP_HEIGHT, title, caption, body)
    ids = (centre_fact.id, diameter_fact.id, moon_fact.id, *(fact.id for fact in sites))
    return Chart(name, svg, caption, ("Feature", "Value", "On the map"), rows, ids)


def _label_bounds(side: int) -> Box:
    """Where a disc's labels may go: its own disc and the gap, up to the other disc's edge."""
    (_, _, _, near_cx), (_, _, _, far_cx) = MAP_VIEWS
    if side == 0:
        return (4.0, 46.0, far_cx - MAP_RADIUS - 4, MAP_HEIGHT - 28)
    return (near_cx + MAP_RADIUS + 4, 46.0, MAP_WIDTH - 4.0, MAP_HEIGHT - 28)


def _map_legend() -> str:
    y = MAP_HEIGHT - 10
    return (
        f'<g class="legend" font-size="12">'
        f'<rect class="basin" x="20" y="{y - 10}" width="18" height="12" fill-opacity=".2"/>'
        f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
        f'd="M20 {y - 10}h18v12h-18z"/>'
        f'<text class="axis-label" x="46" y="{y}">South Pole-Aitken basin (shaded)</text>'
        f'<circle class="site" cx="364" cy="{y - 4}" r="4" stroke="currentColor" '
        f'stroke-width="1.5"/>'
        f'<text class="axis-label" x="376" y="{y}">Landing site</text></g>'
    )
