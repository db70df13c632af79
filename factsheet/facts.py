"""Facts and sources: the model, and how each value is written for readers.

A fact is one number, date or statement with its sources; a group gathers facts that form a table
(every lunar landing, say). The model is frozen: what the loader validated is what every page,
chart and download shows. Reading the YAML into this model is fact_records.py (one record) and
fact_loading.py (the data folder, with the checks across records).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VALUE_TYPES = ("quantity", "date", "datetime", "coordinates", "range", "text")
QUALIFIERS = ("about", "more than", "less than", "at least", "up to")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def text(self) -> str:
        if self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"  # type: ignore[index]
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


@dataclass(frozen=True)
class Coordinates:
    """A point on the Moon in degrees: latitude north positive, longitude east positive."""

    lat: Decimal
    lon: Decimal


@dataclass(frozen=True)
class Range:
    """A span between two numbers, e.g. the depth estimates of a basin."""

    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class DateTime:
    """An instant, as the source gave it: with its UTC offset and the precision written."""

    moment: datetime  # aware, in the source's own offset
    has_seconds: bool

    @property
    def utc(self) -> datetime:
        return self.moment.astimezone(UTC)

    def iso_utc(self) -> str:
        return self.utc.strftime("%Y-%m-%dT%H:%M:%SZ" if self.has_seconds else "%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    accessed: PartialDate
    url: str | None = None
    published: PartialDate | None = None
    archive_url: str | None = None
    note: str | None = None
    doi: str | None = None  # bare DOI of a paper, "10.1038/...", shown as https://doi.org/<doi>
    # fact id -> the passage of this source supporting that fact (not hashed: a mapping)
    passages: Mapping[str, str] = field(default_factory=dict, hash=False)
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    label_header: str = "Fact"
    value_header: str = "Value"
    columns: tuple[Column, ...] = ()
    note: str | None = None
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Alternative:
    """A value another source gives for a fact, shown beside the one the site uses."""

    value: Any  # of the fact's own type
    sources: tuple[str, ...]
    uncertainty: Decimal | None = None
    note: str | None = None
    qualifier: str | None = None  # its own: "about 2,240 km" may stand beside "2,500 km"
    line: int = 0


@dataclass(frozen=True)
class Fact:
    id: str
    label: str
    type: str
    value: Any  # Decimal | PartialDate | DateTime | Coordinates | Range | str, by type
    as_of: PartialDate
    sources: tuple[str, ...]
    unit: str | None = None
    qualifier: str | None = None
    local: str | None = None
    note: str | None = None
    group: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    value_from: str | None = None  # the fact whose value this one restates
    verified: PartialDate | None = None  # when the value was last checked against its sources
    uncertainty: Decimal | None = None  # a quantity's ± (the same unit and precision rules)
    alternatives: tuple[Alternative, ...] = ()  # where sources disagree: the other values
    choice: str | None = None  # which value the site uses, and why (required with alternatives)
    path: str = ""
    line: int = 0

    def text(self) -> str:
        """The value as a reader sees it, in plain text."""
        return format_value(self)

    def machine_value(self) -> str:
        """The value in a machine-readable form (ISO dates, plain decimals) for downloads."""
        return machine_value(self)

    def as_alternative(self, alternative: Alternative) -> Fact:
        """This fact with another source's value, to write it the same way as the site's."""
        return replace(self, value=alternative.value, uncertainty=alternative.uncertainty,
                       qualifier=alternative.qualifier, sources=alternative.sources,
                       alternatives=())

    @property
    def all_sources(self) -> tuple[str, ...]:
        """The sources of the value and of every alternative, each once."""
        ids = list(self.sources) + [s for alt in self.alternatives for s in alt.sources]
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class SiteMeta:
    title: str
    url: str
    language: str
    tagline: str = ""
    author: str = ""
    description: str = ""


@dataclass(frozen=True)
class FactBook:
    """Everything in content/data: the site's own settings, sources, facts and groups."""

    site: SiteMeta
    sources: Mapping[str, Source]
    facts: Mapping[str, Fact]
    groups: Mapping[str, Group]
    # Only in a book made from data with errors, so that pages are checked in the same run: ids
    # of records the data defines but that were refused, and whether a file could not be read
    # at all (then any id may be one of its). A page naming one is not told it is unknown.
    refused_ids: frozenset[str] = frozenset()
    unread_files: bool = False

    def is_refused(self, ident: str) -> bool:
        return self.unread_files or ident in self.refused_ids

    def group_facts(self, group_id: str) -> list[Fact]:
        """The facts of a group, in the order they appear in the data files."""
        return [fact for fact in self.facts.values() if fact.group == group_id]


# ---------------------------------------------------------------------------------------------
# Writing values for readers


def format_number(number: Decimal) -> str:
    """Thousands separators, the decimals as written, and a true minus sign."""
    text = format(abs(number), ",f")
    return ("\u2212" + text) if number < 0 else text


def _with_unit(number_text: str, unit: str | None) -> str:
    if not unit:
        return number_text
    if unit in ("%", "°", "′", "″"):
        return number_text + unit
    return f"{number_text}\u00a0{unit}"  # no-break space keeps the unit with its number


def _hemisphere(value: Decimal, positive: str, negative: str) -> str:
    return f"{format(abs(value), 'f')}°\u00a0{positive if value >= 0 else negative}"


def format_datetime(value: DateTime, local: str | None) -> str:
    """`3 May 2024, 09:27 UTC (17:27 Beijing time)`; the local date is named when it differs."""
    clock = "%H:%M:%S" if value.has_seconds else "%H:%M"
    utc = value.utc
    text = f"{_day_month_year(utc.date())}, {utc.strftime(clock)}\u00a0UTC"
    if local:
        moment = value.moment
        local_text = f"{moment.strftime(clock)} {local}"
        if moment.date() != utc.date():
            day = f"{moment.day} {MONTHS[moment.month - 1]}"
            if moment.year != utc.year:
                day += f" {moment.year}"
            local_text += f" on {day}"
        text += f" ({local_text})"
    return text


def _day_month_year(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_value(fact: Fact) -> str:
    """The fact's value as text, formatted the one way the whole site uses."""
    value = fact.value
    prefix = f"{fact.qualifier} " if fact.qualifier else ""
    if fact.type == "quantity":
        number = format_number(value)
        if fact.uncertainty is not None:  # thin no-break spaces keep "2,807 ± 3" on one line
            number = f"{number}\u202f±\u202f{format_number(fact.uncertainty)}"
        return prefix + _with_unit(number, fact.unit)
    if fact.type == "range":
        span = f"{format_number(value.min)}\u2013{format_number(value.max)}"
        return prefix + _with_unit(span, fact.unit)
    if fact.type == "date":
        return value.text()
    if fact.type == "datetime":
        return format_datetime(value, fact.local)
    if fact.type == "coordinates":
        return f"{_hemisphere(value.lat, 'N', 'S')}, {_hemisphere(value.lon, 'E', 'W')}"
    return str(value)


def machine_value(fact: Fact) -> str:
    value = fact.value
    if fact.type in ("quantity",):
        return format(value, "f")
    if fact.type == "range":
        return f"{format(value.min, 'f')}/{format(value.max, 'f')}"
    if fact.type == "date":
        return value.iso()
    if fact.type == "datetime":
        return value.iso_utc()
    if fact.type == "coordinates":
        return f"{format(value.lat, 'f')},{format(value.lon, 'f')}"
    return str(value)


def parse_partial_date(text: str) -> PartialDate | None:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        return None
    return PartialDate(year, month, day)  # type: ignore[arg-type]


def parse_datetime(text: str) -> DateTime | str:
    """An aware DateTime, or the reason the text is not one."""
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?", text)
    if not match:
        return f"must be an ISO 8601 date-time such as 2024-05-03T17:27+08:00, got {text!r}"
    if not match.group(2):
        return (f"date-time {text!r} has no time zone: add its UTC offset, "
                "e.g. +08:00 for Beijing time or Z for UTC")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        return f"is not a valid date-time ({exc}): {text!r}"
    return DateTime(moment, has_seconds=bool(match.group(1)))
