"""mission-timeline: group `ce6-timeline` (date or datetime facts), time running down the page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from ..facts import MONTHS, Fact, FactBook
from .layout import spread, wrap_words
from .model import Chart, chart_group, check_type, group_table, short_date, utc_moment
from .svg import group_of, num, svg_root, svg_text

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
        lines = wrap_words(fact.label, TIMELINE_LABEL_CHARS)
        blocks.append((lines, 17.0 * len(lines) + 17))
    return blocks


def _timeline_axis(
    start: datetime, end: datetime, length: float, y_at: Callable[[datetime], float]
) -> list[str]:
    """The vertical time axis with its round-date ticks, all labelled in UTC."""
    ticks, daily = _time_ticks(start, end)
    axis = [f"M{TIMELINE_AXIS_X} {TIMELINE_TOP}V{num(TIMELINE_TOP + length)}"]
    tick_text = []
    previous = None
    for tick in ticks:
        y = y_at(tick)
        axis.append(f"M{TIMELINE_AXIS_X - 6} {num(y)}H{TIMELINE_AXIS_X}")
        tick_text.append(
            svg_text(TIMELINE_AXIS_X - 10, y + 4.5, _tick_label(tick, previous, daily), "end")
        )
        previous = tick
    return [
        svg_text(
            TIMELINE_AXIS_X - 10,
            20,
            "Date (UTC)",
            "end",
            'class="axis-label" font-size="12" font-weight="bold"',
        ),
        f'<path class="axis" fill="none" stroke="currentColor" d="{"".join(axis)}"/>',
        group_of('class="axis-label" font-size="12"', tick_text),
    ]


# The axis grows until each label can sit beside its own dot, up to this many units (a picture
# about 2.3 times as tall as wide); beyond it, crowded labels are spread around their dots.
TIMELINE_MAX_LENGTH = 740.0


def _axis_length(
    events: Sequence[Fact], blocks: list[tuple[list[str], float]], span: float
) -> float:
    """The shortest axis on which consecutive labels need not be pushed away from their dots."""
    length = max(320.0, 46.0 * len(events))
    if not span:
        return length
    moments = [utc_moment(fact) for fact in events]
    for (before, after), (_, height) in zip(
        zip(moments, moments[1:], strict=False), blocks, strict=False
    ):
        share = (after - before).total_seconds() / span
        if share > 0:
            length = max(length, (height + 10) / share)
    return min(length, TIMELINE_MAX_LENGTH)


def mission_timeline(book: FactBook) -> Chart:
    name = "mission-timeline"
    group, facts = chart_group(book, name, "ce6-timeline")
    for fact in facts:
        check_type(name, fact, ("datetime", "date"))
    events = sorted(facts, key=utc_moment)  # stable: events at the same moment keep data order
    start, end = utc_moment(events[0]), utc_moment(events[-1])
    span = (end - start).total_seconds()
    blocks = _timeline_blocks(events)
    length = _axis_length(events, blocks, span)

    def y_at(moment: datetime) -> float:
        share = (moment - start).total_seconds() / span if span else 0.0
        return TIMELINE_TOP + length * share

    marks = [y_at(utc_moment(fact)) for fact in events]
    # A label block's first line is centred on its marker when there is room.
    tops = spread(
        [mark - 9 for mark in marks], [height for _, height in blocks], 10, TIMELINE_TOP - 20
    )
    leaders, dots, labels, dates = [], [], [], []
    for fact, mark, top, (lines, height) in zip(events, marks, tops, blocks, strict=True):
        dots.append(f'<circle cx="{TIMELINE_AXIS_X}" cy="{num(mark)}" r="5"/>')
        leaders.append(f"M{TIMELINE_AXIS_X + 7} {num(mark)}L{TIMELINE_LABEL_X - 4} {num(top + 9)}")
        for index, line in enumerate(lines):
            labels.append(svg_text(TIMELINE_LABEL_X, top + 13 + 17 * index, line))
        dates.append(svg_text(TIMELINE_LABEL_X, top + height - 4, short_date(fact)))
    bottom = max(TIMELINE_TOP + length, tops[-1] + blocks[-1][1]) + 14

    caption = (
        f"{group.title}, {short_date(events[0])} to {short_date(events[-1])}. Events are spaced "
        "by the time between them."
    )
    body = [
        *_timeline_axis(start, end, length, y_at),
        group_of(
            'class="leader" fill="none" stroke="currentColor" stroke-width=".75"',
            [f'<path d="{d}"/>' for d in leaders],
        ),
        group_of('class="marker event"', dots),
        group_of('class="label" font-size="14" font-weight="bold"', labels),
        group_of('class="value" font-size="13"', dates),
    ]
    head, rows = group_table(group, events)
    svg = svg_root(name, TIMELINE_WIDTH, bottom, group.title, caption, body)
    return Chart(name, svg, caption, head, rows, tuple(fact.id for fact in events))
