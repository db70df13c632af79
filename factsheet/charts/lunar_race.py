"""lunar-race: group `lunar-landings` (date or datetime facts; attributes `operator` and `outcome`,
one of success, partial, failure)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..facts import Fact, FactBook
from .layout import wrap_words
from .model import Chart, ChartError, chart_group, check_type, group_table, utc_moment
from .svg import group_of, num, polyline, svg_root, svg_text, text_width

# lunar-race: one column per year, one mark per landing attempt, stacked earliest at the bottom

OUTCOMES = ("success", "partial", "failure")
OUTCOME_NAMES = {"success": "Success", "partial": "Partial success", "failure": "Failure"}
RACE_LABEL_CHARS = 14
RACE_SIZE = 12
RACE_LINE = 14
RACE_TOP = 44
RACE_MIN_COLUMN = 58


def _cross_points(
    x: float, y: float, arm: float = 7.0, half: float = 2.2
) -> list[tuple[float, float]]:
    """A filled X: a plus sign turned 45°, so `fill` styles it like the other marks."""
    plus = [
        (half, arm),
        (half, half),
        (arm, half),
        (arm, -half),
        (half, -half),
        (half, -arm),
        (-half, -arm),
        (-half, -half),
        (-arm, -half),
        (-arm, half),
        (-half, half),
        (-half, arm),
    ]
    c = math.cos(math.pi / 4)
    return [(x + (px - py) * c, y + (px + py) * c) for px, py in plus]


def _outcome_mark(outcome: str, x: float, y: float) -> str:
    """Circle for success, triangle for partial success, cross for failure."""
    if outcome == "success":
        return f'<circle class="marker success" cx="{num(x)}" cy="{num(y)}" r="6"/>'
    if outcome == "partial":
        points = [(x, y - 7), (x + 7, y + 5.5), (x - 7, y + 5.5)]
        return f'<path class="marker partial" d="{polyline(points, closed=True)}"/>'
    return f'<path class="marker failure" d="{polyline(_cross_points(x, y), closed=True)}"/>'


def _race_attempts(chart: str, facts: Sequence[Fact]) -> list[Fact]:
    for fact in facts:
        check_type(chart, fact, ("datetime", "date"))
        for key in ("operator", "outcome"):
            if not fact.attributes.get(key):
                raise ChartError(f"chart {chart!r} needs attribute {key!r} of fact {fact.id!r}")
        if fact.attributes["outcome"] not in OUTCOMES:
            raise ChartError(
                f"chart {chart!r} needs attribute 'outcome' of fact {fact.id!r} to be "
                f"one of {', '.join(OUTCOMES)}, not {fact.attributes['outcome']!r}"
            )
    return sorted(facts, key=utc_moment)


def _race_slot(fact: Fact) -> tuple[list[str], list[str], float]:
    """Mission lines, operator lines and the slot height of one attempt."""
    mission = wrap_words(fact.label, RACE_LABEL_CHARS)
    operator = wrap_words(fact.attributes["operator"], RACE_LABEL_CHARS)
    return mission, operator, RACE_LINE * (len(mission) + len(operator)) + 10


def _race_entry(
    fact: Fact, slot: tuple[list[str], list[str], float], x: float, bottom: float
) -> tuple[str, list[str], list[str], float]:
    """One attempt standing on `bottom` in the column at x: its mark, mission and operator text."""
    mission, operator, height = slot
    top = bottom - height + 6
    mark = _outcome_mark(fact.attributes["outcome"], x + 10, top + 6)
    lines = [
        svg_text(x + 22, top + 10 + RACE_LINE * index, line)
        for index, line in enumerate(mission + operator)
    ]
    return mark, lines[: len(mission)], lines[len(mission) :], height


def _race_legend() -> tuple[str, float]:
    parts, x = [], 10.0
    for outcome in OUTCOMES:
        parts.append(_outcome_mark(outcome, x + 7, 20))
        parts.append(svg_text(x + 19, 24, OUTCOME_NAMES[outcome]))
        x += 19 + text_width(OUTCOME_NAMES[outcome], RACE_SIZE) + 22
    return group_of(f'class="legend" font-size="{RACE_SIZE}"', parts), x


def lunar_race(book: FactBook) -> Chart:
    name = "lunar-race"
    group, facts = chart_group(book, name, "lunar-landings")
    attempts = _race_attempts(name, facts)
    first_year, last_year = utc_moment(attempts[0]).year, utc_moment(attempts[-1]).year
    years = list(range(first_year, last_year + 1))  # empty years stay: the gaps are the story
    by_year = {year: [f for f in attempts if utc_moment(f).year == year] for year in years}
    slots = {fact.id: _race_slot(fact) for fact in attempts}
    stack = max(sum(slots[f.id][2] for f in by_year[year]) for year in years)
    baseline = RACE_TOP + stack

    widths = []
    for year in years:
        lines = [line for f in by_year[year] for line in slots[f.id][0] + slots[f.id][1]]
        text = max((text_width(line, RACE_SIZE, bold=True) for line in lines), default=0.0)
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
        year_labels.append(svg_text(x + column / 2, baseline + 20, str(year), "middle"))
        axis.append(f"M{num(x + column)} {num(baseline)}v5")
        x += column
    axis.insert(0, f"M10 {num(baseline)}H{num(x)}M10 {num(baseline)}v5")

    counts = {
        outcome: sum(1 for f in attempts if f.attributes["outcome"] == outcome)
        for outcome in OUTCOMES
    }
    attempt_word = "attempt" if len(attempts) == 1 else "attempts"
    caption = (
        f"{len(attempts)} landing {attempt_word} from {first_year} to {last_year}: "
        f"{counts['success']} succeeded, {counts['partial']} partly succeeded and "
        f"{counts['failure']} failed. A circle marks a success, a triangle a partial success "
        "and a cross a failure."
    )
    body = [
        legend,
        f'<path class="axis" fill="none" stroke="currentColor" d="{"".join(axis)}"/>',
        "".join(marks),
        group_of(f'class="label" font-size="{RACE_SIZE}" font-weight="bold"', missions),
        group_of(f'class="value" font-size="{RACE_SIZE}"', operators),
        group_of('class="axis-label" font-size="13" font-weight="bold"', year_labels),
    ]
    head, rows = group_table(group, attempts)
    svg = svg_root(name, width, baseline + 32, group.title, caption, body)
    narrow = _race_by_rows(group.title, caption, years, by_year)
    return Chart(name, svg, caption, head, rows, tuple(f.id for f in attempts), narrow_svg=narrow)


NARROW_WIDTH = 340
NARROW_TEXT_X = 88
NARROW_CHARS = 27  # bold 13-unit text between NARROW_TEXT_X and the right edge


def _race_by_rows(
    title: str, caption: str, years: list[int], by_year: dict[int, list[Fact]]
) -> str:
    """The phone layout: one row per year down the page, each attempt a line with its mark."""
    legend, _ = _race_legend()
    marks, missions, operators, year_labels, rules, empty = [], [], [], [], [], []
    y = 44.0
    for year in years:
        rules.append(f"M10 {num(y)}H{NARROW_WIDTH - 10}")
        year_labels.append(svg_text(10, y + 18, str(year)))
        top = y + 6
        if not by_year[year]:
            empty.append(svg_text(NARROW_TEXT_X, top + 12, "no attempt"))
            top += 20
        for fact in by_year[year]:
            mission = wrap_words(fact.label, NARROW_CHARS)
            operator = wrap_words(fact.attributes["operator"], NARROW_CHARS + 4)
            marks.append(_outcome_mark(fact.attributes["outcome"], NARROW_TEXT_X - 14, top + 8))
            for index, line in enumerate(mission):
                missions.append(svg_text(NARROW_TEXT_X, top + 12 + 16 * index, line))
            for index, line in enumerate(operator, start=len(mission)):
                operators.append(svg_text(NARROW_TEXT_X, top + 12 + 16 * index, line))
            top += 16 * (len(mission) + len(operator)) + 8
        y = top + 4
    body = [
        legend,
        f'<path class="grid" fill="none" stroke="currentColor" stroke-width=".5" '
        f'd="{"".join(rules)}"/>',
        "".join(marks),
        group_of('class="label" font-size="13" font-weight="bold"', missions),
        group_of('class="value" font-size="12"', [*operators, *empty]),
        group_of('class="axis-label" font-size="14" font-weight="bold"', year_labels),
    ]
    return svg_root("lunar-race-narrow", NARROW_WIDTH, y + 4, title, caption, body)
