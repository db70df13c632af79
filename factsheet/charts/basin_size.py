"""basin-size: group `basin-size-comparison` (quantities in km; the first is highlighted)."""

from __future__ import annotations

import math
from decimal import Decimal

from ..facts import FactBook, format_number, format_value
from .layout import spread, wrap_words
from .model import (
    Chart,
    chart_group,
    check_type,
    check_unit,
    group_table,
    join_words,
    positive_value,
)
from .svg import group_of, num, svg_root, svg_text

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


def basin_size(book: FactBook) -> Chart:
    name = "basin-size"
    group, facts = chart_group(book, name, "basin-size-comparison")
    for fact in facts:
        check_type(name, fact, ("quantity",))
        check_unit(name, fact, ("km",))
    diameters = [positive_value(name, fact) for fact in facts]
    scale = BASIN_MAX_DIAMETER / max(diameters)
    baseline = BASIN_TOP + BASIN_MAX_DIAMETER

    # Largest first, so every smaller circle is drawn on top of the ones it stands inside.
    order = sorted(range(len(facts)), key=lambda i: -diameters[i])
    circles = []
    for index in order:
        radius = diameters[index] * scale / 2
        extra = " spa" if index == 0 else ""
        circles.append(
            f'<circle class="basin{extra}" cx="{num(BASIN_CX)}" '
            f'cy="{num(baseline - radius)}" r="{num(radius)}"/>'
        )
    tops = {index: baseline - diameters[index] * scale for index in order}
    blocks = [(wrap_words(facts[i].label, BASIN_LABEL_CHARS), i) for i in order]
    heights = [17.0 * len(lines) + 17 for lines, _ in blocks]
    label_tops = spread([tops[i] - 9 for _, i in blocks], heights, 8, 8)

    labels, values, leaders, dots = [], [], [], []
    for (lines, index), top, height in zip(blocks, label_tops, heights, strict=True):
        dots.append(f'<circle cx="{num(BASIN_CX)}" cy="{num(tops[index])}" r="2.5"/>')
        leaders.append(f"M{num(BASIN_CX)} {num(tops[index])}L{BASIN_LABEL_X - 6} {num(top + 9)}")
        for number, line in enumerate(lines):
            labels.append(svg_text(BASIN_LABEL_X, top + 13 + 17 * number, line))
        values.append(svg_text(BASIN_LABEL_X, top + height - 4, format_value(facts[index])))

    bar_km = _nice_length(max(diameters) / 2)
    bar = bar_km * scale
    bar_y = baseline + 22
    scale_path = f"M{num(BASIN_CX - bar / 2)} {num(bar_y - 5)}v5H{num(BASIN_CX + bar / 2)}v-5"
    scale_text = f"{format_number(Decimal(str(int(bar_km))))}\u00a0km"
    bottom = max(bar_y + 26, label_tops[-1] + heights[-1] + 10)

    first = facts[0]
    others = [f"{fact.label} ({format_value(fact)})" for fact in facts[1:]]
    caption = (
        f"The {first.label} ({format_value(first)}) drawn to the same scale as "
        f"{join_words(others) if others else 'nothing else'}."
    )
    body = [
        group_of(
            'class="basin" fill-opacity=".12" stroke="currentColor" stroke-width="1.5"', circles
        ),
        group_of(
            'class="leader" fill="none" stroke="currentColor" stroke-width=".75"',
            [f'<path d="{d}"/>' for d in leaders],
        ),
        group_of('class="leader"', dots),
        group_of('class="label" font-size="14" font-weight="bold"', labels),
        group_of('class="value" font-size="13"', values),
        f'<path class="axis" fill="none" stroke="currentColor" stroke-width="1.5" '
        f'd="{scale_path}"/>',
        svg_text(BASIN_CX, bar_y + 16, scale_text, "middle", 'class="axis-label" font-size="12"'),
    ]
    head, rows = group_table(group, facts)
    svg = svg_root(name, BASIN_WIDTH, bottom, group.title, caption, body)
    narrow = _numbered(group.title, caption, facts, diameters, circles, scale_text, bar)
    return Chart(
        name, svg, caption, head, rows, tuple(fact.id for fact in facts), narrow_svg=narrow
    )


NARROW_WIDTH = 340
NARROW_CX = 170.0  # the circles keep their size and move to the middle


def _numbered(
    title: str,
    caption: str,
    facts,
    diameters: list[float],
    circles: list[str],
    scale_text: str,
    bar: float,
) -> str:
    """The phone layout: the same circles, each numbered at its top, and the names listed below
    them by number, since beside the circles there is no room for them."""
    moved = [c.replace(f'cx="{num(BASIN_CX)}"', f'cx="{num(NARROW_CX)}"') for c in circles]
    baseline = BASIN_TOP + BASIN_MAX_DIAMETER
    scale = BASIN_MAX_DIAMETER / max(diameters)
    order = sorted(range(len(facts)), key=lambda i: -diameters[i])
    tops = [baseline - diameters[i] * scale for i in order]
    # Numbers beside the top of each circle, pushed apart where small circles crowd together.
    number_tops = spread([top - 7 for top in tops], [14.0] * len(order), 2, 4)
    numbers, dots, names, values = [], [], [], []
    for rank, (top, label_top) in enumerate(zip(tops, number_tops, strict=True), start=1):
        dots.append(f'<circle cx="{num(NARROW_CX)}" cy="{num(top)}" r="2.5"/>')
        numbers.append(svg_text(NARROW_CX + 8, label_top + 11, str(rank)))
    y = baseline + 58
    for rank, index in enumerate(order, start=1):
        lines = wrap_words(facts[index].label, 30)
        names.append(svg_text(16, y, f"{rank}"))
        for line in lines:
            names.append(svg_text(36, y, line))
            y += 17
        values.append(svg_text(36, y, format_value(facts[index])))
        y += 24
    bar_y = baseline + 22
    return svg_root(
        "basin-size-narrow", NARROW_WIDTH, y - 8, title, caption,
        [
            group_of(
                'class="basin" fill-opacity=".12" stroke="currentColor" stroke-width="1.5"', moved
            ),
            group_of('class="leader"', dots),
            group_of('class="label" font-size="14" font-weight="bold"', [*numbers, *names]),
            group_of('class="value" font-size="13"', values),
            f'<path class="axis" fill="none" stroke="currentColor" stroke-width="1.5" '
            f'd="M{num(NARROW_CX - bar / 2)} {num(bar_y - 5)}v5H{num(NARROW_CX + bar / 2)}v-5"/>',
            svg_text(NARROW_CX, bar_y + 16, scale_text, "middle",
                     'class="axis-label" font-size="12"'),
        ],
    )  # fmt: skip
