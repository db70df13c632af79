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

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .errors import ContentError
from .facts import MONTHS, Fact, FactBook, Group, format_datetime, format_number, format_value
from .typography import typographic


@dataclass(frozen=True)
class Chart:
    name: str
    svg: str  # complete <svg>...</svg> markup; the caller marks it safe
    caption: str  # one plain-text sentence describing what the picture shows
    table_head: tuple[str, ...]  # the same data as a table, for screen readers and text browsers
    table_rows: tuple[tuple[str, ...], ...]  # plain-text cells, values from facts.format_value
    fact_ids: tuple[str, ...]  # the fact behind each row, in the order of table_rows


class ChartError(ContentError):
    """A chart cannot be drawn: unknown name, or data missing or of the wrong type."""


# ---------------------------------------------------------------------------------------------
# SVG writing

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in user units

# Average glyph width as a share of the font size: text cannot be measured here, so layouts
# reserve room with a slightly generous estimate.
REGULAR_WIDTH, BOLD_WIDTH = 0.56, 0.62


def _n(value: float) -> str:
    """A coordinate rounded to 0.1 unit, always written the same way (no '-0', no '.0')."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _esc(text: str) -> str:
    """Text for the SVG: typographic like the page around it, then escaped."""
    return html.escape(typographic(text), quote=True)


def _text(x: float, y: float, content: str, anchor: str = "start", attrs: str = "") -> str:
    """One line of text; font, size and class come from `attrs` or the enclosing group."""
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    extra = f" {attrs}" if attrs else ""
    return f'<text{extra} x="{_n(x)}" y="{_n(y)}"{anchor_attr}>{_esc(content)}</text>'


def _group_of(attrs: str, children: Sequence[str]) -> str:
    """A <g> with shared attributes, or nothing when it would be empty."""
    return f"<g {attrs}>{''.join(children)}</g>" if children else ""


def _path(points: Sequence[tuple[float, float]], closed: bool = False) -> str:
    """Path data for a polyline through the points (implicit L after the first pair)."""
    data = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points)
    return data + ("Z" if closed else "")


def _svg(name: str, width: float, height: float, title: str, desc: str,
         body: Sequence[str]) -> str:
    ident = f"chart-{name}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart {ident}" '
            'fill="currentColor">')
    parts = [head, f'<title id="{ident}-title">{_esc(title)}</title>',
             f'<desc id="{ident}-desc">{_esc(desc)}</desc>', *(part for part in body if part)]
    return "\n".join(parts) + "\n</svg>"


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (BOLD_WIDTH if bold else REGULAR_WIDTH)


def _wrap(text: str, limit: int) -> list[str]:
    """Greedy word wrap at ordinary spaces only (a no-break space keeps a value with its unit)."""
    lines: list[str] = []
    for word in (part for part in text.split(" ") if part):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _spread(desired: Sequence[float], heights: Sequence[float], gap: float,
            min_top: float) -> list[float]:
    """Tops for stacked label blocks, as close to the desired tops as they can be without overlap.

    Blocks must be given in top-to-bottom order. Overlapping blocks merge into a cluster placed
    where its members' desired positions average out, so a crowd of labels spreads both up and
    down around its marks instead of all being pushed below them.
    """
    clusters: list[tuple[int, int, float, float]] = []  # first, last, top, height
    for index, (want, height) in enumerate(zip(desired, heights, strict=True)):
        clusters.append((index, index, max(want, min_top), height))
        while len(clusters) > 1:
            (a_first, _, a_top, a_height), (_, b_last, b_top, _) = clusters[-2], clusters[-1]
            if a_top + a_height + gap <= b_top:
                break
            members = range(a_first, b_last + 1)
            offsets, total = [], 0.0
            for member in members:
                offsets.append(total)
                total += heights[member] + gap
            pairs = zip(members, offsets, strict=True)
            top = sum(desired[m] - off for m, off in pairs) / len(offsets)
            clusters[-2:] = [(a_first, b_last, max(top, min_top), total - gap)]
    tops: list[float] = []
    for first, last, top, _ in clusters:
        for member in range(first, last + 1):
            tops.append(top)
            top += heights[member] + gap
    return tops


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Box, bounds: Box) -> float:
    """How much of the box lies outside the bounds (as an area)."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, bounds)


def _place_label(x: float, y: float, text: str, size: float, taken: list[Box],
                 bounds: Box) -> str:
    """Text beside a point at the first free spot of twelve, else the least crowded one.

    The chosen box is added to `taken`, so later labels avoid it.
    """
    width = _text_width(text, size, bold=True)
    rise, drop = 0.8 * size, 0.25 * size  # ascent above and descent below the baseline
    mid = y + 0.35 * size  # baseline that centres the text on the point
    candidates = [
        (x + 8, mid, "start"), (x - 8, mid, "end"),
        (x, y - 9, "middle"), (x, y + 9 + rise, "middle"),
        (x + 6, y - 6, "start"), (x + 6, y + 6 + rise, "start"),
        (x - 6, y - 6, "end"), (x - 6, y + 6 + rise, "end"),
        # One line higher or lower, beside the point: room for labels of clustered sites.
        (x + 8, mid - size - 2, "start"), (x + 8, mid + size + 2, "start"),
        (x - 8, mid - size - 2, "end"), (x - 8, mid + size + 2, "end"),
    ]
    best: tuple[float, float, float, str, Box] | None = None
    for tx, ty, anchor in candidates:
        left = {"start": tx, "middle": tx - width / 2, "end": tx - width}[anchor]
        box = (left, ty - rise, left + width, ty + drop)
        score = sum(_overlap(box, other) for other in taken) + 4 * _outside(box, bounds)
        if best is None or score < best[0]:
            best = (score, tx, ty, anchor, box)
        if score == 0:
            break
    assert best is not None
    _, tx, ty, anchor, box = best
    taken.append(box)
    return _text(tx, ty, text, anchor)


# ---------------------------------------------------------------------------------------------
# Reading the fact book


def _group(book: FactBook, chart: str, group_id: str) -> tuple[Group, list[Fact]]:
    group = book.groups.get(group_id)
    if group is None:
        raise ChartError(f"chart {chart!r} needs group {group_id!r}")
    facts = book.group_facts(group_id)
    if not facts:
        raise ChartError(f"chart {chart!r} needs at least one fact in group {group_id!r}")
    return group, facts


def _check_type(chart: str, fact: Fact, kinds: Sequence[str]) -> None:
    if fact.type not in kinds:
        raise ChartError(f"chart {chart!r} needs fact {fact.id!r} to be {' or '.join(kinds)}, "
                         f"not {fact.type}")


def _fact(book: FactBook, chart: str, fact_id: str, kinds: Sequence[str]) -> Fact:
    fact = book.facts.get(fact_id)
    if fact is None:
        raise ChartError(f"chart {chart!r} needs fact {fact_id!r}")
    _check_type(chart, fact, kinds)
    return fact


def _check_unit(chart: str, fact: Fact, units: Sequence[str]) -> None:
    if fact.unit not in units:
        raise ChartError(f"chart {chart!r} needs fact {fact.id!r} in {' or '.join(units)}, "
                         f"not {fact.unit or 'no unit'!r}")


def _positive(chart: str, fact: Fact) -> float:
    value = float(fact.value)
    if value <= 0:
        raise ChartError(f"chart {chart!r} needs fact {fact.id!r} to be greater than zero")
    return value


def _group_table(group: Group, facts: Sequence[Fact]
                 ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The group's own table layout: label, value, then its declared attribute columns."""
    head = (group.label_header, group.value_header, *(column.label for column in group.columns))
    rows = tuple((fact.label, format_value(fact),
                  *(fact.attributes.get(column.key, "") for column in group.columns))
                 for fact in facts)
    return head, rows


def _moment(fact: Fact) -> datetime:
    """When a date or datetime fact happened, in UTC; a partial date counts from its first day."""
    if fact.type == "datetime":
        return fact.value.utc
    day = fact.value
    return datetime(day.year, day.month or 1, day.day or 1, tzinfo=UTC)


def _when(fact: Fact) -> str:
    """A short date for a chart label: UTC only (the table gives the local time as well)."""
    return format_datetime(fact.value, None) if fact.type == "datetime" else fact.value.text()


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------
# mission-timeline: time runs down the page, so it fits a 320 px phone without sideways scrolling

# A narrow viewBox keeps 14-unit text about 12 px tall on a 320 px phone; on wide screens the
# CSS should cap the chart's width (about 30rem) rather than let it grow.
TIMELINE_WIDTH = 360
TIMELINE_TOP = 46
TIMELINE_AXIS_X = 90
TIMELINE_LABEL_X = 106
TIMELINE_LABEL_CHARS = 28  # about 250 units of bold 14-unit text


def _day_ticks(start: datetime, end: datetime, step: int) -> list[datetime]:
    """Midnights (UTC) on days 1, 1 + step, ... of each month, within [start, end]."""
    days = set(range(1, 32)) if step == 1 else set(range(1, 29, step))
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    ticks = []
    while day <= end:
        if day >= start and day.day in days:
            ticks.append(day)
        day += timedelta(days=1)
    return ticks


def _month_ticks(start: datetime, end: datetime, step: int) -> list[datetime]:
    """First days of every step-th month (counted from January of year 0), within [start, end]."""
    ticks = []
    year, month = start.year, start.month
    while True:
        tick = datetime(year, month, 1, tzinfo=UTC)
        if tick > end:
            return ticks
        if tick >= start and (year * 12 + month - 1) % step == 0:
            ticks.append(tick)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _time_ticks(start: datetime, end: datetime) -> tuple[list[datetime], bool]:
    """At most about eight round dates for the axis, and whether they are days (else months)."""
    span_days = (end - start).total_seconds() / 86400
    for step in (1, 2, 5, 10):
        if span_days / step <= 8:
            return _day_ticks(start, end, step), True
    for months in (1, 2, 3, 6, 12, 24, 60, 120, 240):
        if span_days / (30.44 * months) <= 8:
            return _month_ticks(start, end, months), False
    return [], False


def _tick_label(tick: datetime, previous: datetime | None, daily: bool) -> str:
    """'11 May', 'Jun' or '2025'; the year is added at the first tick and when it changes."""
    new_year = previous is None or previous.year != tick.year
    month = MONTHS[tick.month - 1][:3]
    if daily:
        text = f"{tick.day} {month}"
    elif tick.month == 1:
        return str(tick.year)
    else:
        text = month
    return f"{text} {tick.year}" if new_year else text


def _timeline_blocks(events: Sequence[Fact]) -> list[tuple[list[str], float]]:
    """Each event's label lines and the height of its text block (label lines + date line)."""
    blocks = []
    for fact in events:
        lines = _wrap(fact.label, TIMELINE_LABEL_CHARS)
        blocks.append((lines, 17.0 * len(lines) + 17))
    return blocks


def _timeline_axis(start: datetime, end: datetime, length: float,
                   y_at: Callable[[datetime], float]) -> list[str]:
    """The vertical time axis with its round-date ticks, all labelled in UTC."""
    ticks, daily = _time_ticks(start, end)
    axis = [f"M{TIMELINE_AXIS_X} {TIMELINE_TOP}V{_n(TIMELINE_TOP + length)}"]
    tick_text = []
    previous = None
    for tick in ticks:
        y = y_at(tick)
        axis.append(f"M{TIMELINE_AXIS_X - 6} {_n(y)}H{TIMELINE_AXIS_X}")
        tick_text.append(_text(TIMELINE_AXIS_X - 10, y + 4.5, _tick_label(tick, previous, daily),
                               "end"))
        previous = tick
    return [
        _text(TIMELINE_AXIS_X - 10, 20, "Date (UTC)", "end",
              'class="axis-label" font-size="12" font-weight="bold"'),
        f'<path class="axis" fill="none" stroke="currentColor" d="{"".join(axis)}"/>',
        _group_of('class="axis-label" font-size="12"', tick_text),
    ]


def _mission_timeline(book: FactBook) -> Chart:
    name = "mission-timeline"
    group, facts = _group(book, name, "ce6-timeline")
    for fact in facts:
        _check_type(name, fact, ("datetime", "date"))
    events = sorted(facts, key=_moment)  # stable: events at the same moment keep data order
    start, end = _moment(events[0]), _moment(events[-1])
    span = (end - start).total_seconds()
    length = max(320.0, 46.0 * len(events))

    def y_at(moment: datetime) -> float:
        share = (moment - start).total_seconds() / span if span else 0.0
        return TIMELINE_TOP + length * share

    marks = [y_at(_moment(fact)) for fact in events]
    blocks = _timeline_blocks(events)
    # A label block's first line is centred on its marker when there is room.
    tops = _spread([mark - 9 for mark in marks], [height for _, height in blocks], 10,
                   TIMELINE_TOP - 20)
    leaders, dots, labels, dates = [], [], [], []
    for fact, mark, top, (lines, height) in zip(events, marks, tops, blocks, strict=True):
        dots.append(f'<circle cx="{TIMELINE_AXIS_X}" cy="{_n(mark)}" r="5"/>')
        leaders.append(f"M{TIMELINE_AXIS_X + 7} {_n(mark)}L{TIMELINE_LABEL_X - 4} {_n(top + 9)}")
        for index, line in enumerate(lines):
            labels.append(_text(TIMELINE_LABEL_X, top + 13 + 17 * index, line))
        dates.append(_text(TIMELINE_LABEL_X, top + height - 4, _when(fact)))
    bottom = max(TIMELINE_TOP + length, tops[-1] + blocks[-1][1]) + 14

    count = f"{len(events)} {'event' if len(events) == 1 else 'events'}"
    caption = (f"{group.title}: {count}, from {events[0].label} ({_when(events[0])}) to "
               f"{events[-1].label} ({_when(events[-1])}), placed down a time axis in proportion "
               "to the time between them, in UTC.")
    body = [
        *_timeline_axis(start, end, length, y_at),
        _group_of('class="leader" fill="none" stroke="currentColor" stroke-width=".75"',
                  [f'<path d="{d}"/>' for d in leaders]),
        _group_of('class="marker event"', dots),
        _group_of('class="label" font-size="14" font-weight="bold"', labels),
        _group_of('class="value" font-size="13"', dates),
    ]
    head, rows = _group_table(group, events)
    svg = _svg(name, TIMELINE_WIDTH, bottom, group.title, caption, body)
    return Chart(name, svg, caption, head, rows, tuple(fact.id for fact in events))


# ---------------------------------------------------------------------------------------------
# moon-map: orthographic projection (angles in degrees, x east and y north, unit radius default)


# cos c of a point exactly on the limb comes out as about 1e-17 rather than 0; below this it
# counts as on the limb, hence hidden, as it would be with exact arithmetic.
LIMB_EPSILON = 1e-12


def _cos_c(lat: float, lon: float, lat0: float, lon0: float) -> float:
    """Cosine of the angular distance from the view centre; the point is visible when > 0."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    return (math.sin(phi0) * math.sin(phi)
            + math.cos(phi0) * math.cos(phi) * math.cos(math.radians(lon - lon0)))


def orthographic(lat: float, lon: float, lat0: float, lon0: float,
                 radius: float = 1.0) -> tuple[float, float, bool]:
    """(x, y, visible) of a point seen from far above (lat0, lon0); y grows northward."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    dlon = math.radians(lon - lon0)
    x = radius * math.cos(phi) * math.sin(dlon)
    y = radius * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(dlon))
    return x, y, _cos_c(lat, lon, lat0, lon0) > LIMB_EPSILON


def angular_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in radians between two points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * math.asin(min(1.0, math.sqrt(a)))


def _wrap_lon(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def destination(lat: float, lon: float, distance: float, bearing: float) -> tuple[float, float]:
    """The point `distance` radians from (lat, lon) along the initial `bearing` (radians)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    sin_phi2 = (math.sin(phi1) * math.cos(distance)
                + math.cos(phi1) * math.sin(distance) * math.cos(bearing))
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(math.sin(bearing) * math.sin(distance) * math.cos(phi1),
                             math.cos(distance) - math.sin(phi1) * sin_phi2)
    return math.degrees(phi2), _wrap_lon(math.degrees(lam2))


def small_circle(lat: float, lon: float, angular_radius: float,
                 n: int = 90) -> list[tuple[float, float]]:
    """n points (lat, lon) evenly spaced on the circle `angular_radius` radians around a centre."""
    return [destination(lat, lon, angular_radius, 2 * math.pi * k / n) for k in range(n)]


def limb_point(angle: float, lat0: float, lon0: float) -> tuple[float, float]:
    """(lat, lon) of the point on the limb at `angle` radians (counter-clockwise from east).

    The inverse orthographic projection at c = 90°, where cos c = 0 and sin c = 1.
    """
    x, y = math.cos(angle), math.sin(angle)
    lat = math.degrees(math.asin(max(-1.0, min(1.0, y * math.cos(math.radians(lat0))))))
    lon = lon0 + math.degrees(math.atan2(x, -y * math.sin(math.radians(lat0))))
    return lat, _wrap_lon(lon)


# The discs stand well apart so that labels of sites near the limb (the Luna sites on the near
# side's eastern edge) have room in the gap between them.
MAP_WIDTH, MAP_HEIGHT = 640, 340
MAP_RADIUS = 120
MAP_CY = 174
MAP_VIEWS = (("Near side", "centred on 0°, 0°", 0.0, 150.0),
             ("Far side", "centred on 0°, 180°", 180.0, 490.0))  # heading, note, lon0, cx


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
        top, bottom = f"M{_n(cx)} {_n(cy - radius)}", f"{_n(cx)} {_n(cy + radius)}"
        if abs(x) < 0.05:
            parts.append(f"{top}V{_n(cy + radius)}")
        else:  # sweep 1 bulges east (right) on screen
            parts.append(f"{top}A{_n(abs(x))} {_n(radius)} 0 0 {1 if x > 0 else 0} {bottom}")
    for lat in (-60, -30, 0, 30, 60):
        x, y, _ = orthographic(lat, lon0 + 90, 0, lon0, radius)
        parts.append(f"M{_n(cx - x)} {_n(cy - y)}H{_n(cx + x)}")
    return "".join(parts)


def _limb_crossing(centre: tuple[float, float], radius: float, inside: float, outside: float,
                   view: tuple[float, float]) -> float:
    """The bearing between `inside` (visible) and `outside` (hidden) where the circle meets the
    limb, by bisection: precise enough that the outline meets the disc edge cleanly."""
    for _ in range(40):
        middle = (inside + outside) / 2
        if _cos_c(*destination(*centre, radius, middle), *view) > LIMB_EPSILON:
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


def _basin_paths(centre: tuple[float, float], radius: float, view: tuple[float, float],
                 cx: float, cy: float, disc_radius: float, n: int = 90) -> tuple[str, str]:
    """Path data (area, outline) for the part of a small circle visible on one disc.

    The outline is clipped where the circle passes behind the limb; the area is closed along the
    limb, on the side that lies inside the basin.
    """
    def screen(bearing: float) -> tuple[float, float]:
        x, y, _ = orthographic(*destination(*centre, radius, bearing), *view, disc_radius)
        return cx + x, cy - y  # SVG y grows downward: north up

    bearings = [2 * math.pi * k / n for k in range(n)]
    visible = [_cos_c(*destination(*centre, radius, b), *view) > LIMB_EPSILON for b in bearings]
    if all(visible):
        ring = _path([screen(b) for b in bearings], closed=True)
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
        outlines.append(_path(points))
        areas.append(_path(points) + _limb_arc(points[-1], points[0], centre, radius, view,
                                               cx, cy, disc_radius) + "Z")
    return "".join(areas), "".join(outlines)


def _limb_arc(start: tuple[float, float], end: tuple[float, float], centre: tuple[float, float],
              radius: float, view: tuple[float, float], cx: float, cy: float,
              disc_radius: float) -> str:
    """An SVG arc along the limb from start to end, going the way that stays inside the basin."""
    a_start = math.atan2(start[1] - cy, start[0] - cx)  # screen angles: clockwise positive
    a_end = math.atan2(end[1] - cy, end[0] - cx)
    clockwise = (a_end - a_start) % (2 * math.pi)
    middle = a_start + clockwise / 2
    # Screen y points down, so the map angle of the same limb point is the negative one.
    inside = angular_distance(*limb_point(-middle, *view), *centre) < radius
    extent = clockwise if inside else 2 * math.pi - clockwise
    large, sweep = int(extent > math.pi), int(inside)
    r = _n(disc_radius)
    return f"A{r} {r} 0 {large} {sweep} {_n(end[0])} {_n(end[1])}"


def _site_side(fact: Fact) -> int:
    """0 for the near disc, 1 for the far: whichever the site faces more (limb ties go near)."""
    lat, lon = float(fact.value.lat), float(fact.value.lon)
    return 0 if _cos_c(lat, lon, 0, 0) >= _cos_c(lat, lon, 0, 180) else 1


def _map_discs(centre: tuple[float, float], angular: float) -> tuple[list[str], list[str]]:
    """Headings, discs, graticules and the basin; and the names of the sides showing the basin."""
    headings, notes, grids, discs, areas, outlines, shown_on = [], [], [], [], [], [], []
    for heading, note, lon0, cx in MAP_VIEWS:
        headings.append(_text(cx, 22, heading, "middle"))
        notes.append(_text(cx, 40, note, "middle"))
        discs.append(f'<circle cx="{_n(cx)}" cy="{MAP_CY}" r="{MAP_RADIUS}"/>')
        grids.append(_graticule(lon0, cx, MAP_CY, MAP_RADIUS))
        area, outline = _basin_paths(centre, angular, (0.0, lon0), cx, MAP_CY, MAP_RADIUS)
        if area:
            areas.append(area)
            outlines.append(outline)
            shown_on.append(heading.lower())
    body = [
        _group_of('class="heading" font-size="15" font-weight="bold"', headings),
        _group_of('class="axis-label" font-size="12"', notes),
        _group_of('class="disc" fill="none" stroke="currentColor" stroke-width="1.5"', discs),
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'stroke-opacity=".5" d="{"".join(grids)}"/>',
        f'<path class="basin" fill-opacity=".2" d="{"".join(areas)}"/>' if areas else "",
        f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
        f'd="{"".join(outlines)}"/>' if outlines else "",
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
        markers.append(f'<circle cx="{_n(sx)}" cy="{_n(sy)}" r="4"/>')
        taken.append((sx - 5, sy - 5, sx + 5, sy + 5))  # labels must not hide other markers
        placed.append((sx, sy, fact.label, side))
    for sx, sy, label, side in placed:
        labels.append(_place_label(sx, sy, label, 13, taken, _label_bounds(side)))
    return [
        _group_of('class="site" stroke="currentColor" stroke-width="1.5"', markers),
        _group_of('class="label" font-size="13" font-weight="bold"', labels),
    ]


def _moon_map(book: FactBook) -> Chart:
    name = "moon-map"
    group, sites = _group(book, name, "landing-sites")
    for fact in sites:
        _check_type(name, fact, ("coordinates",))
    centre_fact = _fact(book, name, "spa-centre", ("coordinates",))
    diameter_fact = _fact(book, name, "spa-diameter", ("quantity",))
    moon_fact = _fact(book, name, "moon-radius", ("quantity",))
    for fact in (diameter_fact, moon_fact):
        _check_unit(name, fact, ("km",))
    centre = (float(centre_fact.value.lat), float(centre_fact.value.lon))
    angular = _positive(name, diameter_fact) / 2 / _positive(name, moon_fact)
    if angular >= math.pi / 2:
        raise ChartError(f"chart {name!r} needs fact {diameter_fact.id!r} to be less than half "
                         f"the Moon's circumference (fact {moon_fact.id!r})")

    discs, shown_on = _map_discs(centre, angular)
    body = [*discs, *_map_sites(sites), _map_legend()]
    near = sum(1 for fact in sites if _site_side(fact) == 0)
    caption = (f"Orthographic maps of the Moon, north up with a 30° grid, of the near side centred "
               f"on 0°, 0° and the far side centred on 0°, 180°, showing the South Pole-Aitken "
               f"basin ({format_value(diameter_fact)} across, centred on "
               f"{format_value(centre_fact)}) and {len(sites)} landing "
               f"{'site' if len(sites) == 1 else 'sites'}, {near} on the near side and "
               f"{len(sites) - near} on the far side.")
    where = " and ".join(shown_on)
    rows = (
        (centre_fact.label, format_value(centre_fact), f"centre of the shaded basin ({where})"),
        (diameter_fact.label, format_value(diameter_fact), "size of the shaded basin"),
        (moon_fact.label, format_value(moon_fact), "size of the shaded basin"),
        *((fact.label, format_value(fact), ("near side", "far side")[_site_side(fact)])
          for fact in sites),
    )
    title = f"{group.title} and the South Pole-Aitken basin on the Moon's near and far sides"
    svg = _svg(name, MAP_WIDTH, MAP_HEIGHT, title, caption, body)
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
    return (f'<g class="legend" font-size="12">'
            f'<rect class="basin" x="20" y="{y - 10}" width="18" height="12" fill-opacity=".2"/>'
            f'<path class="basin-outline" fill="none" stroke="currentColor" stroke-width="2" '
            f'd="M20 {y - 10}h18v12h-18z"/>'
            f'<text class="axis-label" x="46" y="{y}">South Pole-Aitken basin (shaded)</text>'
            f'<circle class="site" cx="364" cy="{y - 4}" r="4" stroke="currentColor" '
            f'stroke-width="1.5"/>'
            f'<text class="axis-label" x="376" y="{y}">Landing site</text></g>')


# ---------------------------------------------------------------------------------------------
# lunar-race: one column per year, one mark per landing attempt, stacked earliest at the bottom

OUTCOMES = ("success", "partial", "failure")
OUTCOME_NAMES = {"success": "Success", "partial": "Partial success", "failure": "Failure"}
RACE_LABEL_CHARS = 14
RACE_SIZE = 12
RACE_LINE = 14
RACE_TOP = 44
RACE_MIN_COLUMN = 58


def _cross_points(x: float, y: float, arm: float = 7.0, half: float = 2.2
                  ) -> list[tuple[float, float]]:
    """A filled X: a plus sign turned 45°, so `fill` styles it like the other marks."""
    plus = [(half, arm), (half, half), (arm, half), (arm, -half), (half, -half), (half, -arm),
            (-half, -arm), (-half, -half), (-arm, -half), (-arm, half), (-half, half),
            (-half, arm)]
    c = math.cos(math.pi / 4)
    return [(x + (px - py) * c, y + (px + py) * c) for px, py in plus]


def _outcome_mark(outcome: str, x: float, y: float) -> str:
    """Circle for success, triangle for partial success, cross for failure."""
    if outcome == "success":
        return f'<circle class="marker success" cx="{_n(x)}" cy="{_n(y)}" r="6"/>'
    if outcome == "partial":
        points = [(x, y - 7), (x + 7, y + 5.5), (x - 7, y + 5.5)]
        return f'<path class="marker partial" d="{_path(points, closed=True)}"/>'
    return f'<path class="marker failure" d="{_path(_cross_points(x, y), closed=True)}"/>'


def _race_attempts(chart: str, facts: Sequence[Fact]) -> list[Fact]:
    for fact in facts:
        _check_type(chart, fact, ("datetime", "date"))
        for key in ("operator", "outcome"):
            if not fact.attributes.get(key):
                raise ChartError(f"chart {chart!r} needs attribute {key!r} of fact {fact.id!r}")
        if fact.attributes["outcome"] not in OUTCOMES:
            raise ChartError(f"chart {chart!r} needs attribute 'outcome' of fact {fact.id!r} to be "
                             f"one of {', '.join(OUTCOMES)}, not {fact.attributes['outcome']!r}")
    return sorted(facts, key=_moment)


def _race_slot(fact: Fact) -> tuple[list[str], list[str], float]:
    """Mission lines, operator lines and the slot height of one attempt."""
    mission = _wrap(fact.label, RACE_LABEL_CHARS)
    operator = _wrap(fact.attributes["operator"], RACE_LABEL_CHARS)
    return mission, operator, RACE_LINE * (len(mission) + len(operator)) + 10


def _race_entry(fact: Fact, slot: tuple[list[str], list[str], float], x: float, bottom: float
                ) -> tuple[str, list[str], list[str], float]:
    """One attempt standing on `bottom` in the column at x: its mark, mission and operator text."""
    mission, operator, height = slot
    top = bottom - height + 6
    mark = _outcome_mark(fact.attributes["outcome"], x + 10, top + 6)
    lines = [_text(x + 22, top + 10 + RACE_LINE * index, line)
             for index, line in enumerate(mission + operator)]
    return mark, lines[:len(mission)], lines[len(mission):], height


def _race_legend() -> tuple[str, float]:
    parts, x = [], 10.0
    for outcome in OUTCOMES:
        parts.append(_outcome_mark(outcome, x + 7, 20))
        parts.append(_text(x + 19, 24, OUTCOME_NAMES[outcome]))
        x += 19 + _text_width(OUTCOME_NAMES[outcome], RACE_SIZE) + 22
    return _group_of(f'class="legend" font-size="{RACE_SIZE}"', parts), x


def _lunar_race(book: FactBook) -> Chart:
    name = "lunar-race"
    group, facts = _group(book, name, "lunar-landings")
    attempts = _race_attempts(name, facts)
    first_year, last_year = _moment(attempts[0]).year, _moment(attempts[-1]).year
    years = list(range(first_year, last_year + 1))  # empty years stay: the gaps are the story
    by_year = {year: [f for f in attempts if _moment(f).year == year] for year in years}
    slots = {fact.id: _race_slot(fact) for fact in attempts}
    stack = max(sum(slots[f.id][2] for f in by_year[year]) for year in years)
    baseline = RACE_TOP + stack

    widths = []
    for year in years:
        lines = [line for f in by_year[year] for line in slots[f.id][0] + slots[f.id][1]]
        text = max((_text_width(line, RACE_SIZE, bold=True) for line in lines), default=0.0)
        widths.append(max(RACE_MIN_COLUMN, 22 + text + 10))
    legend, legend_width = _race_legend()
    width = max(legend_width, 10 + sum(widths) + 10)

    marks, missions, operators, year_labels, axis = [], [], [], [], []
    x = 10.0
    for year, column in zip(years, widths, strict=True):
        y = baseline
        for fact in by_year[year]:
            mark, mission, operator, height = _race_entry(fact, slots[fact.id], x, y)
            marks.append(mark)
            missions += mission
            operators += operator
            y -= height
        year_labels.append(_text(x + column / 2, baseline + 20, str(year), "middle"))
        axis.append(f"M{_n(x + column)} {_n(baseline)}v5")
        x += column
    axis.insert(0, f"M10 {_n(baseline)}H{_n(x)}M10 {_n(baseline)}v5")

    counts = {outcome: sum(1 for f in attempts if f.attributes["outcome"] == outcome)
              for outcome in OUTCOMES}
    caption = (f"{group.title}: {len(attempts)} landing "
               f"{'attempt' if len(attempts) == 1 else 'attempts'} from {first_year} to "
               f"{last_year}, one column per year, of which {counts['success']} succeeded, "
               f"{counts['partial']} partly succeeded and {counts['failure']} failed; each "
               "mark's shape and colour show the outcome (circle success, triangle partial, "
               "cross failure).")
    body = [
        legend,
        f'<path class="axis" fill="none" stroke="currentColor" d="{"".join(axis)}"/>',
        "".join(marks),
        _group_of(f'class="label" font-size="{RACE_SIZE}" font-weight="bold"', missions),
        _group_of(f'class="value" font-size="{RACE_SIZE}"', operators),
        _group_of('class="axis-label" font-size="13" font-weight="bold"', year_labels),
    ]
    head, rows = _group_table(group, attempts)
    svg = _svg(name, width, baseline + 32, group.title, caption, body)
    return Chart(name, svg, caption, head, rows, tuple(f.id for f in attempts))


# ---------------------------------------------------------------------------------------------
# sample-masses: the masses span four orders of magnitude, hence a logarithmic scale

GRAMS_PER_UNIT = {"g": 1.0, "kg": 1000.0}
MASS_WIDTH = 600
MASS_LEFT = 26
MASS_TOP = 52
MASS_ROW = 52


def _grams(chart: str, fact: Fact) -> float:
    _check_type(chart, fact, ("quantity",))
    _check_unit(chart, fact, tuple(GRAMS_PER_UNIT))
    return _positive(chart, fact) * GRAMS_PER_UNIT[fact.unit]  # type: ignore[index]


def _mass_label(power: int) -> str:
    """A power of ten grams as a reader says it: 10 g, 100 g, 1 kg ... 1 t, 10 t."""
    if power < 0:
        return f"{10.0 ** power:g} g"
    if power < 3:
        return f"{10 ** power} g"
    if power < 6:
        return f"{10 ** (power - 3)} kg"
    return f"{format_number(Decimal(10 ** (power - 6)))} t"


def _decades(low: float, high: float) -> tuple[int, int]:
    """Whole powers of ten around the data; the lowest lies below the smallest value so that
    every bar has some length."""
    first = math.floor(math.log10(low))
    if 10.0 ** first >= low:
        first -= 1
    last = max(math.ceil(math.log10(high)), first + 1)
    return first, last


def _sample_masses(book: FactBook) -> Chart:
    name = "sample-masses"
    group, facts = _group(book, name, "sample-returns")
    grams = [_grams(name, fact) for fact in facts]
    first, last = _decades(min(grams), max(grams))
    values = [format_value(fact) for fact in facts]
    reserve = max(_text_width(value, 13) for value in values) + 14
    right = MASS_WIDTH - max(reserve, _text_width(_mass_label(last), 12) / 2 + 6)

    def x_at(mass: float) -> float:
        share = (math.log10(mass) - first) / (last - first)
        return MASS_LEFT + share * (right - MASS_LEFT)

    bottom = MASS_TOP + MASS_ROW * len(facts)
    grid, grid_labels = [], []
    for power in range(first, last + 1):
        x = x_at(10.0 ** power)
        grid.append(f"M{_n(x)} {MASS_TOP - 6}V{_n(bottom)}")
        grid_labels.append(_text(x, MASS_TOP - 12, _mass_label(power), "middle"))
    labels, bars, numbers = [], [], []
    for index, (fact, mass, value) in enumerate(zip(facts, grams, values, strict=True)):
        top = MASS_TOP + MASS_ROW * index
        end = x_at(mass)
        labels.append(_text(MASS_LEFT, top + 18, fact.label))
        bars.append(f'<rect x="{MASS_LEFT}" y="{_n(top + 25)}" width="{_n(end - MASS_LEFT)}" '
                    'height="16"/>')
        numbers.append(_text(end + 6, top + 38, value))

    smallest, largest = grams.index(min(grams)), grams.index(max(grams))
    caption = (f"{group.title}: one bar per mission on a logarithmic scale, from "
               f"{facts[smallest].label} ({values[smallest]}) to {facts[largest].label} "
               f"({values[largest]}).")
    gridlines = ", ".join(_mass_label(power) for power in range(first, last + 1))
    desc = (f"{caption} Gridlines at {gridlines}: each is ten times the one before, "
            "so equal steps along the logarithmic scale are equal ratios of mass.")
    body = [
        _text(MASS_LEFT, 18, "Mass (logarithmic scale)", "start",
              'class="axis-label" font-size="12" font-weight="bold"'),
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'stroke-opacity=".6" d="{"".join(grid)}"/>',
        _group_of('class="axis-label" font-size="12"', grid_labels),
        _group_of('class="bar" fill-opacity=".7"', bars),
        _group_of('class="label" font-size="14" font-weight="bold"', labels),
        _group_of('class="value" font-size="13"', numbers),
    ]
    head, rows = _group_table(group, facts)
    svg = _svg(name, MASS_WIDTH, bottom + 8, group.title, desc, body)
    return Chart(name, svg, caption, head, rows, tuple(fact.id for fact in facts))


# ---------------------------------------------------------------------------------------------
# basin-size: nested circles standing on one baseline, all to one scale

BASIN_WIDTH = 600
BASIN_TOP = 24
BASIN_MAX_DIAMETER = 300.0
BASIN_CX = 24 + BASIN_MAX_DIAMETER / 2
BASIN_LABEL_X = 352
BASIN_LABEL_CHARS = 28


def _nice_length(limit: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `limit` (for the scale bar)."""
    power = 10.0 ** math.floor(math.log10(limit))
    return max(step * power for step in (1, 2, 5) if step * power <= limit)


def _basin_size(book: FactBook) -> Chart:
    name = "basin-size"
    group, facts = _group(book, name, "basin-size-comparison")
    for fact in facts:
        _check_type(name, fact, ("quantity",))
        _check_unit(name, fact, ("km",))
    diameters = [_positive(name, fact) for fact in facts]
    scale = BASIN_MAX_DIAMETER / max(diameters)
    baseline = BASIN_TOP + BASIN_MAX_DIAMETER

    # Largest first, so every smaller circle is drawn on top of the ones it stands inside.
    order = sorted(range(len(facts)), key=lambda i: -diameters[i])
    circles = []
    for index in order:
        radius = diameters[index] * scale / 2
        extra = " spa" if index == 0 else ""
        circles.append(f'<circle class="basin{extra}" cx="{_n(BASIN_CX)}" '
                       f'cy="{_n(baseline - radius)}" r="{_n(radius)}"/>')
    tops = {index: baseline - diameters[index] * scale for index in order}
    blocks = [(_wrap(facts[i].label, BASIN_LABEL_CHARS), i) for i in order]
    heights = [17.0 * len(lines) + 17 for lines, _ in blocks]
    label_tops = _spread([tops[i] - 9 for _, i in blocks], heights, 8, 8)

    labels, values, leaders, dots = [], [], [], []
    for (lines, index), top, height in zip(blocks, label_tops, heights, strict=True):
        dots.append(f'<circle cx="{_n(BASIN_CX)}" cy="{_n(tops[index])}" r="2.5"/>')
        leaders.append(f"M{_n(BASIN_CX)} {_n(tops[index])}L{BASIN_LABEL_X - 6} {_n(top + 9)}")
        for number, line in enumerate(lines):
            labels.append(_text(BASIN_LABEL_X, top + 13 + 17 * number, line))
        values.append(_text(BASIN_LABEL_X, top + height - 4, format_value(facts[index])))

    bar_km = _nice_length(max(diameters) / 2)
    bar = bar_km * scale
    bar_y = baseline + 22
    scale_path = (f"M{_n(BASIN_CX - bar / 2)} {_n(bar_y - 5)}v5H{_n(BASIN_CX + bar / 2)}v-5")
    scale_text = f"{format_number(Decimal(str(int(bar_km))))}\u00a0km"
    bottom = max(bar_y + 26, label_tops[-1] + heights[-1] + 10)

    first = facts[0]
    others = [f"{fact.label} ({format_value(fact)})" for fact in facts[1:]]
    compared = f" with {_join(others)}" if others else ""
    caption = (f"{group.title}: circles drawn to one true scale, standing on a common baseline, "
               f"comparing the {first.label} ({format_value(first)}){compared}.")
    body = [
        _group_of('class="basin" fill-opacity=".12" stroke="currentColor" stroke-width="1.5"',
                  circles),
        _group_of('class="leader" fill="none" stroke="currentColor" stroke-width=".75"',
                  [f'<path d="{d}"/>' for d in leaders]),
        _group_of('class="leader"', dots),
        _group_of('class="label" font-size="14" font-weight="bold"', labels),
        _group_of('class="value" font-size="13"', values),
        f'<path class="axis" fill="none" stroke="currentColor" stroke-width="1.5" '
        f'd="{scale_path}"/>',
        _text(BASIN_CX, bar_y + 16, scale_text, "middle", 'class="axis-label" font-size="12"'),
    ]
    head, rows = _group_table(group, facts)
    svg = _svg(name, BASIN_WIDTH, bottom, group.title, caption, body)
    return Chart(name, svg, caption, head, rows, tuple(fact.id for fact in facts))


# ---------------------------------------------------------------------------------------------
# The registry

RENDERERS: dict[str, Callable[[FactBook], Chart]] = {
    "mission-timeline": _mission_timeline,
    "moon-map": _moon_map,
    "lunar-race": _lunar_race,
    "sample-masses": _sample_masses,
    "basin-size": _basin_size,
}
CHART_NAMES: tuple[str, ...] = tuple(RENDERERS)


def render_chart(name: str, book: FactBook) -> Chart:
    """Draw the named chart from the fact book; ChartError says what is unknown or missing."""
    renderer = RENDERERS.get(name)
    if renderer is None:
        raise ChartError(f"unknown chart {name!r} (known charts: {', '.join(CHART_NAMES)})")
    return renderer(book)
