"""What a chart is (`Chart`), the error for content it cannot draw, and the readers of the fact
book that every drawing shares: they raise `ChartError` naming the group or fact at fault."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import ContentError
from ..facts import Fact, FactBook, Group, format_datetime, format_value
from .pictures import PictureSpec


@dataclass(frozen=True)
class Panel:
    """One drawing of a chart drawn in several: an SVG, over a raster picture that fills its box
    exactly when `picture` is set. Panels sit side by side and wrap onto new lines when narrow."""

    svg: str
    picture: PictureSpec | None = None


@dataclass(frozen=True)
class Chart:
    name: str
    svg: str  # complete <svg>...</svg> markup; the caller marks it safe
    caption: str  # one plain-text sentence describing what the picture shows
    table_head: tuple[str, ...]  # the same data as a table, for screen readers and text browsers
    table_rows: tuple[tuple[str, ...], ...]  # plain-text cells, values from facts.format_value
    fact_ids: tuple[str, ...]  # the fact behind each row, in the order of table_rows
    # Drawn as panels instead of the one `svg` when given; `credits` names the data of pictures
    # under the figure, each with the source ids it cites.
    panels: tuple[Panel, ...] = ()
    credits: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The same picture laid out for a phone (shown instead of `svg` on a narrow screen).
    narrow_svg: str = ""


class ChartError(ContentError):
    """A chart cannot be drawn: unknown name, or data missing or of the wrong type."""


def chart_group(book: FactBook, chart: str, group_id: str) -> tuple[Group, list[Fact]]:
    group = book.groups.get(group_id)
    if group is None:
        raise ChartError(f"chart {chart!r} needs group {group_id!r}")
    facts = book.group_facts(group_id)
    if not facts:
        raise ChartError(f"chart {chart!r} needs at least one fact in group {group_id!r}")
    return group, facts


def check_type(chart: str, fact: Fact, kinds: Sequence[str]) -> None:
    if fact.type not in kinds:
        raise ChartError(
            f"chart {chart!r} needs fact {fact.id!r} to be {' or '.join(kinds)}, not {fact.type}"
        )


def chart_fact(book: FactBook, chart: str, fact_id: str, kinds: Sequence[str]) -> Fact:
    fact = book.facts.get(fact_id)
    if fact is None:
        raise ChartError(f"chart {chart!r} needs fact {fact_id!r}")
    check_type(chart, fact, kinds)
    return fact


def check_unit(chart: str, fact: Fact, units: Sequence[str]) -> None:
    if fact.unit not in units:
        raise ChartError(
            f"chart {chart!r} needs fact {fact.id!r} in {' or '.join(units)}, "
            f"not {fact.unit or 'no unit'!r}"
        )


def positive_value(chart: str, fact: Fact) -> float:
    value = float(fact.value)
    if value <= 0:
        raise ChartError(f"chart {chart!r} needs fact {fact.id!r} to be greater than zero")
    return value


def group_table(
    group: Group, facts: Sequence[Fact]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The group's own table layout: label, value, then its declared attribute columns."""
    head = (group.label_header, group.value_header, *(column.label for column in group.columns))
    rows = tuple(
        (
            fact.label,
            format_value(fact),
            *(fact.attributes.get(column.key, "") for column in group.columns),
        )
        for fact in facts
    )
    return head, rows


def utc_moment(fact: Fact) -> datetime:
    """When a date or datetime fact happened, in UTC; a partial date counts from its first day."""
    if fact.type == "datetime":
        return fact.value.utc
    day = fact.value
    return datetime(day.year, day.month or 1, day.day or 1, tzinfo=UTC)


def short_date(fact: Fact) -> str:
    """A short date for a chart label: UTC only (the table gives the local time as well)."""
    return format_datetime(fact.value, None) if fact.type == "datetime" else fact.value.text()


def join_words(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
