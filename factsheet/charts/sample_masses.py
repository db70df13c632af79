"""sample-masses: group `sample-returns` (quantities in g or kg)."""

from __future__ import annotations

import math
from decimal import Decimal

from ..facts import Fact, FactBook, format_number, format_value
from .layout import wrap_words
from .model import Chart, chart_group, check_type, check_unit, group_table, positive_value
from .svg import group_of, num, svg_root, svg_text, text_width

# sample-masses: the masses span four orders of magnitude, hence a logarithmic scale

GRAMS_PER_UNIT = {"g": 1.0, "kg": 1000.0}
# Narrow enough to keep its text legible on a 320 px phone without scrolling.
MASS_WIDTH = 360
MASS_LEFT = 20
MASS_TOP = 66
MASS_LABEL_CHARS = 36  # bold 14-unit text across the chart


def _grams(chart: str, fact: Fact) -> float:
    check_type(chart, fact, ("quantity",))
    check_unit(chart, fact, tuple(GRAMS_PER_UNIT))
    return positive_value(chart, fact) * GRAMS_PER_UNIT[fact.unit]  # type: ignore[index]


def _mass_label(power: int) -> str:
    """A power of ten grams as a reader says it: 10 g, 100 g, 1 kg ... 1 t, 10 t."""
    if power < 0:
        return f"{10.0**power:g} g"
    if power < 3:
        return f"{10**power} g"
    if power < 6:
        return f"{10 ** (power - 3)} kg"
    return f"{format_number(Decimal(10 ** (power - 6)))} t"


def _decades(low: float, high: float) -> tuple[int, int]:
    """Whole powers of ten around the data; the lowest lies below the smallest value so that
    every bar has some length."""
    first = math.floor(math.log10(low))
    if 10.0**first >= low:
        first -= 1
    last = max(math.ceil(math.log10(high)), first + 1)
    return first, last


def sample_masses(book: FactBook) -> Chart:
    name = "sample-masses"
    group, facts = chart_group(book, name, "sample-returns")
    grams = [_grams(name, fact) for fact in facts]
    first, last = _decades(min(grams), max(grams))
    values = [format_value(fact) for fact in facts]
    reserve = max(text_width(value, 13) for value in values) + 14
    right = MASS_WIDTH - max(reserve, text_width(_mass_label(last), 12) / 2 + 6)

    def x_at(mass: float) -> float:
        share = (math.log10(mass) - first) / (last - first)
        return MASS_LEFT + share * (right - MASS_LEFT)

    # Each row: the name (wrapped), the bar with its value, and its share of the largest in
    # words, since on a log scale a bar 1/197 as heavy can look half as long.
    heaviest = max(grams)
    rows, top = [], float(MASS_TOP)
    for fact, mass in zip(facts, grams, strict=True):
        lines = wrap_words(fact.label, MASS_LABEL_CHARS)
        rows.append((top, lines))
        top += 17 * len(lines) + 16 + (17 if mass < heaviest else 0) + 14
    bottom = top - 6
    grid, grid_labels = [], []
    for power in range(first, last + 1):
        x = x_at(10.0**power)
        grid.append(f"M{num(x)} {MASS_TOP - 6}V{num(bottom)}")
        grid_labels.append(svg_text(x, MASS_TOP - 12, _mass_label(power), "middle"))
    labels, bars, numbers = [], [], []
    for (top, lines), mass, value in zip(rows, grams, values, strict=True):
        for index, line in enumerate(lines):
            labels.append(svg_text(MASS_LEFT, top + 14 + 17 * index, line))
        bar_top = top + 17 * len(lines) + 2
        end = x_at(mass)
        bars.append(
            f'<rect x="{MASS_LEFT}" y="{num(bar_top)}" width="{num(end - MASS_LEFT)}" height="14"/>'
        )
        numbers.append(svg_text(end + 6, bar_top + 12, value))
        if mass < heaviest:
            ratio = format_number(Decimal(round(heaviest / mass)))
            numbers.append(svg_text(MASS_LEFT, bar_top + 30, f"1/{ratio} of the largest"))

    smallest, largest = grams.index(min(grams)), grams.index(max(grams))
    caption = (
        f"{group.title}, from {facts[smallest].label} ({values[smallest]}) to "
        f"{facts[largest].label} ({values[largest]}); the bars use a logarithmic scale, so each "
        "is labelled with its share of the largest."
    )
    gridlines = ", ".join(_mass_label(power) for power in range(first, last + 1))
    desc = (
        f"{caption} Gridlines at {gridlines}: each is ten times the one before, "
        "so equal steps along the logarithmic scale are equal ratios of mass."
    )
    title = 'class="axis-label" font-size="12" font-weight="bold"'
    body = [
        svg_text(MASS_LEFT, 16, "Logarithmic scale: each gridline", "start", title),
        svg_text(MASS_LEFT, 31, "is ten times the one before", "start", title),
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'stroke-opacity=".6" d="{"".join(grid)}"/>',
        group_of('class="axis-label" font-size="12"', grid_labels),
        group_of('class="bar" fill-opacity=".7"', bars),
        group_of('class="label" font-size="14" font-weight="bold"', labels),
        group_of('class="value" font-size="13"', numbers),
    ]
    head, rows = group_table(group, facts)
    svg = svg_root(name, MASS_WIDTH, bottom + 8, group.title, desc, body)
    return Chart(name, svg, caption, head, rows, tuple(fact.id for fact in facts))
