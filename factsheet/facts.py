"""Facts and sources: loaded from content/data/*.yaml, validated, and written out for readers.

A fact is one number, date or statement with its sources; a group gathers facts that form a table
(every lunar landing, say). The model is frozen: what the loader validated is what every page,
chart and download shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import SiteError, display_path
from .suggest import did_you_mean
from .yamlfile import RefusedValue, YamlList, YamlMap, read_yaml

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


# ---------------------------------------------------------------------------------------------
# Loading and validation


SITE_KEYS = ({"title", "url", "language"}, {"tagline", "author", "description"})
SOURCE_KEYS = (
    {"id", "title", "publisher", "accessed"},
    {"url", "published", "archive_url", "note", "doi", "passages"},
)
GROUP_KEYS = ({"id", "title"}, {"label_header", "value_header", "columns", "note"})
FACT_KEYS = (
    {"id", "label", "type", "value", "as_of", "sources"},
    {"unit", "qualifier", "local", "note", "group", "attributes", "verified", "uncertainty",
     "alternatives", "choice"},
)
ALTERNATIVE_KEYS = ({"value", "sources"}, {"uncertainty", "note", "qualifier"})
# A fact that restates another (the same landing as a timeline row and as a race-table row)
# names it with `value_from` and gives none of the keys it takes from it: stated once. It may
# add sources for what it adds itself (a row's attributes).
BORROWED_KEYS = ("type", "value", "as_of", "unit", "qualifier", "local", "uncertainty",
                 "alternatives", "choice")
TOP_LEVEL_KEYS = ("site", "sources", "facts", "groups", "names")  # names: prose_numbers.py


class _Record:
    """One YAML mapping being read into a model object; records errors with their lines."""

    def __init__(self, data: YamlMap, kind: str, path: str, errors: list[SiteError]):
        self.data, self.kind, self.path, self.errors = data, kind, path, errors
        self.name = f"{kind} {data.get('id')!r}" if isinstance(data.get("id"), str) else kind

    def error(self, key: str | None, message: str) -> None:
        if key is not None and isinstance(self.data.get(key), RefusedValue):
            return  # the loader has reported it, with its line
        line = self.data.line_of(key) if key else self.data.line
        self.errors.append(SiteError(self.path, line, message))

    def check_keys(self, required: set[str], optional: set[str]) -> None:
        for key in self.data:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.error(key, f"unknown key {key!r} in {self.name} (allowed: {allowed})")
        for key in sorted(required - set(self.data)):
            self.error(None, f"{self.name} is missing required key {key!r}")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required and key in self.data:
                self.error(key, f"{key!r} of {self.name} must not be empty")
            return None
        if not isinstance(value, str):
            self.error(key, f"{key!r} of {self.name} must be text, not {_describe(value)} "
                            f"(quote it: \"{value}\")")
            return None
        if not value.strip():
            self.error(key, f"{key!r} of {self.name} must not be empty")
            return None
        return value.strip()

    def ident(self, key: str = "id") -> str | None:
        value = self.text(key)
        if value is not None and not ID_PATTERN.match(value):
            self.error(key, f"{key!r} {value!r} must be lowercase letters, digits and hyphens")
            return None
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key, required=False)
        if value is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            self.error(key, f"{key!r} of {self.name} is not an http(s) URL: {value!r}")
            return None
        return value

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        if key not in self.data and not required:
            return None
        value = self.text(key)
        if value is None:
            return None
        parsed = parse_partial_date(value)
        if parsed is None:
            self.error(key, f"{key!r} of {self.name} must be a date YYYY-MM-DD, YYYY-MM or YYYY, "
                            f"got {value!r}")
        return parsed


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, Decimal)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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


def _number(record: _Record, key: str, value: Any) -> Decimal | None:
    if isinstance(value, RefusedValue):  # not finite or not sane: reported by the loader
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        record.error(key, f"{key!r} of {record.name} must be a number, not {_describe(value)}")
        return None
    return Decimal(value)


def _read_value(record: _Record, kind: str) -> Any:
    if "value" not in record.data:
        return None  # reported once, as a missing required key
    value = record.data["value"]
    if kind == "quantity":
        return _number(record, "value", value)
    if kind == "text":
        return record.text("value")
    if kind == "date":
        return record.date("value")
    if kind == "datetime":
        text = record.text("value")
        if text is None:
            return None
        parsed = parse_datetime(text)
        if isinstance(parsed, str):
            record.error("value", f"{record.name}: {parsed}")
            return None
        return parsed
    wanted = ("lat", "lon") if kind == "coordinates" else ("min", "max")
    if not isinstance(value, dict) or set(value) != set(wanted):
        record.error("value", f"'value' of {record.name} must be a mapping with exactly "
                              f"{' and '.join(wanted)}")
        return None
    numbers = [_number(record, "value", value[key]) for key in wanted]
    if any(number is None for number in numbers):
        return None
    if kind == "coordinates":
        lat, lon = numbers
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
            record.error("value", f"coordinates of {record.name} out of range "
                                  "(latitude -90..90, longitude -180..180)")
            return None
        return Coordinates(lat, lon)  # type: ignore[arg-type]
    low, high = numbers
    if low > high:  # type: ignore[operator]
        record.error("value", f"range of {record.name} has min greater than max")
        return None
    return Range(low, high)  # type: ignore[arg-type]


def _read_source(record: _Record) -> Source | None:
    record.check_keys(*SOURCE_KEYS)
    fields = dict(
        id=record.ident(), title=record.text("title"), publisher=record.text("publisher"),
        accessed=record.date("accessed"), url=record.url("url"),
        published=record.date("published", required=False),
        archive_url=record.url("archive_url"), note=record.text("note", required=False),
        doi=_read_doi(record), passages=_read_passages(record),
    )
    if None in (fields["id"], fields["title"], fields["publisher"], fields["accessed"]):
        return None
    return Source(**fields, path=record.path, line=record.data.line)  # type: ignore[arg-type]


def _read_doi(record: _Record) -> str | None:
    value = record.text("doi", required=False)
    if value is not None and not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        record.error("doi", f"'doi' of {record.name} must be a bare DOI starting with \"10.\" "
                            f"(no https://doi.org/ or doi: prefix), got {value!r}")
        return None
    return value


def _read_passages(record: _Record) -> dict[str, str]:
    """Fact id -> the short passage of this source that supports the fact's value."""
    value = record.data.get("passages")
    if value is None:
        return {}
    if not isinstance(value, dict):
        record.error("passages", f"'passages' of {record.name} must be a mapping from fact id "
                                 "to the quoted passage")
        return {}
    result = {}
    for key, item in value.items():
        if not isinstance(key, str) or not ID_PATTERN.match(key):
            record.error("passages", f"passage key {key!r} of {record.name} is not a fact id")
            continue
        if not isinstance(item, str) or not item.strip():
            record.error("passages", f"passage for {key!r} of {record.name} must be "
                                     "non-empty text")
            continue
        result[key] = item.strip()
    return result


def _read_group(record: _Record) -> Group | None:
    record.check_keys(*GROUP_KEYS)
    columns: list[Column] = []
    raw_columns = record.data.get("columns") or []
    if not isinstance(raw_columns, list):
        record.error("columns", f"'columns' of {record.name} must be a list")
        raw_columns = []
    for item in raw_columns:
        if not isinstance(item, YamlMap):
            record.error("columns", f"each column of {record.name} needs 'key' and 'label'")
            continue
        column = _Record(item, "column", record.path, record.errors)
        column.check_keys({"key", "label"}, set())
        key, label = column.ident("key"), column.text("label")
        if key and label:
            columns.append(Column(key, label))
    ident, title = record.ident(), record.text("title")
    if ident is None or title is None:
        return None
    return Group(
        id=ident, title=title,
        label_header=record.text("label_header", required=False) or "Fact",
        value_header=record.text("value_header", required=False) or "Value",
        columns=tuple(columns), note=record.text("note", required=False),
        path=record.path, line=record.data.line,
    )


def _read_borrowing_fact(record: _Record) -> Fact | None:
    """A fact whose value, type, date and sources are those of the fact it names."""
    required, optional = FACT_KEYS
    record.check_keys({"id", "label", "value_from"},
                      (required | optional | {"value_from"}) - set(BORROWED_KEYS))
    ident, label, origin = record.ident(), record.text("label"), record.ident("value_from")
    extra_sources = _read_source_ids(record) if "sources" in record.data else ()
    attributes = _read_attributes(record)
    group = record.ident("group") if "group" in record.data else None
    verified = record.date("verified", required=False)
    if None in (ident, label, origin, extra_sources):
        return None
    return Fact(id=ident, label=label, type="", value=None, as_of=PartialDate(1),  # type: ignore[arg-type]
                sources=extra_sources, note=record.text("note", required=False), group=group,
                attributes=attributes, value_from=origin, verified=verified, path=record.path,
                line=record.data.line)


def _read_fact(record: _Record) -> Fact | None:
    if "value_from" in record.data:
        return _read_borrowing_fact(record)
    record.check_keys(*FACT_KEYS)
    ident, label = record.ident(), record.text("label")
    kind = record.text("type")
    if kind is not None and kind not in VALUE_TYPES:
        record.error("type", f"unknown type {kind!r} of {record.name} "
                             f"(one of: {', '.join(VALUE_TYPES)})")
        kind = None
    value = _read_value(record, kind) if kind else None
    as_of = record.date("as_of")
    sources = _read_source_ids(record)
    unit = record.text("unit", required=False)
    qualifier = _read_qualifier(record, None)
    if kind and kind not in ("quantity", "range"):
        for key in ("unit", "qualifier"):
            if key in record.data:
                record.error(key, f"{key!r} does not apply to a {kind} fact ({record.name})")
    local = record.text("local", required=False)
    if local is not None and kind != "datetime":
        record.error("local", f"'local' applies only to a datetime fact ({record.name})")
    attributes = _read_attributes(record)
    group = record.ident("group") if "group" in record.data else None
    uncertainty = _read_uncertainty(record, kind)
    alternatives, choice = _read_alternatives(record, kind, value)
    if None in (ident, label, kind, value, as_of, sources):
        return None
    return Fact(
        id=ident, label=label, type=kind, value=value, as_of=as_of,  # type: ignore[arg-type]
        sources=sources, unit=unit, qualifier=qualifier, local=local,  # type: ignore[arg-type]
        note=record.text("note", required=False), group=group, attributes=attributes,
        verified=record.date("verified", required=False), uncertainty=uncertainty,
        alternatives=alternatives, choice=choice, path=record.path, line=record.data.line,
    )


def _read_qualifier(record: _Record, kind: str | None) -> str | None:
    """`about`, `more than`...; with `kind` given, only where it applies (a number)."""
    qualifier = record.text("qualifier", required=False)
    if qualifier is not None and qualifier not in QUALIFIERS:
        record.error("qualifier", f"unknown qualifier {qualifier!r} of {record.name} "
                                  f"(one of: {', '.join(QUALIFIERS)})")
        return None
    if qualifier is not None and kind is not None and kind not in ("quantity", "range"):
        record.error("qualifier", f"'qualifier' does not apply to a {kind} value "
                                  f"({record.name})")
        return None
    return qualifier


def _read_uncertainty(record: _Record, kind: str | None) -> Decimal | None:
    """A quantity's ± as a positive number, in the value's unit."""
    if "uncertainty" not in record.data:
        return None
    if kind != "quantity":
        record.error("uncertainty", f"'uncertainty' (±) applies only to a quantity "
                                    f"({record.name}); a span of values is a range")
        return None
    number = _number(record, "uncertainty", record.data["uncertainty"])
    if number is not None and number <= 0:
        record.error("uncertainty", f"'uncertainty' of {record.name} must be greater than 0")
        return None
    return number


def _read_alternatives(record: _Record, kind: str | None,
                       value: Any) -> tuple[tuple[Alternative, ...], str | None]:
    """Other sources' values, each of the fact's own type, and the note saying which value the
    site uses and why: a disagreement as data, not prose."""
    choice = record.text("choice", required=False)
    raw = record.data.get("alternatives")
    if raw is None:
        if choice is not None:
            record.error("choice", f"'choice' of {record.name} explains a choice between "
                                   "alternatives, but it lists none")
        return (), choice
    if not isinstance(raw, YamlList) or not raw or \
            not all(isinstance(item, YamlMap) for item in raw):
        record.error("alternatives", f"'alternatives' of {record.name} must be a list of "
                                     "mappings with value and sources")
        return (), choice
    if choice is None and "choice" not in record.data:
        record.error("alternatives", f"{record.name} lists alternatives: add 'choice', saying "
                                     "which value the site uses and why")
    alternatives = []
    for number, item in enumerate(raw, 1):
        entry = _Record(item, f"alternative {number} of {record.name}", record.path,
                        record.errors)
        entry.check_keys(*ALTERNATIVE_KEYS)
        alt_value = _read_value(entry, kind) if kind else None
        sources = _read_source_ids(entry)
        uncertainty = _read_uncertainty(entry, kind)
        qualifier = _read_qualifier(entry, kind)
        if alt_value is not None and alt_value == value and "uncertainty" not in item:
            entry.error("value", f"{entry.name} repeats the site's own value")
            continue
        if alt_value is not None and sources is not None:
            alternatives.append(Alternative(alt_value, sources, uncertainty,
                                            entry.text("note", required=False), qualifier,
                                            item.line))
    return tuple(alternatives), choice


def _read_source_ids(record: _Record) -> tuple[str, ...] | None:
    if "sources" not in record.data:
        return None  # reported once, as a missing required key
    value = record.data["sources"]
    if not isinstance(value, list) or not value:
        record.error("sources", f"{record.name} has no source: list at least one source id")
        return None
    ids = []
    for item in value:
        if not isinstance(item, str) or not ID_PATTERN.match(item):
            record.error("sources", f"{record.name} lists {item!r}, which is not a source id")
            return None
        ids.append(item)
    return tuple(ids)


def _read_attributes(record: _Record) -> dict[str, str]:
    value = record.data.get("attributes")
    if value is None:
        return {}
    if not isinstance(value, dict):
        record.error("attributes", f"'attributes' of {record.name} must be a mapping")
        return {}
    result = {}
    for key, item in value.items():
        if not isinstance(item, str):
            record.error("attributes", f"attribute {key!r} of {record.name} must be text, "
                                       f"not {_describe(item)}")
            continue
        result[key] = item
    return result


def _records(document: YamlMap, key: str, path: str, errors: list[SiteError]) -> list[YamlMap]:
    items = document.get(key)
    if items is None:
        return []
    if not isinstance(items, YamlList) or not all(isinstance(item, YamlMap) for item in items):
        errors.append(SiteError(path, document.line_of(key), f"{key!r} must be a list of mappings"))
        return []
    return list(items)


def data_files(data_dir: Path) -> list[Path]:
    """Every YAML file under the data folder, in a stable order."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.rglob("*") if p.suffix in (".yaml", ".yml")
                  and not p.is_dir())  # a FIFO is read_yaml's to refuse, not to skip


def load_factbook(
    data_dir: Path, root: Path | None = None
) -> tuple[FactBook | None, list[SiteError]]:
    """Read and validate every data file; all problems are returned, not just the first."""
    book, errors = load_data(data_dir, root)
    return (None if errors else book), errors


def load_data(
    data_dir: Path, root: Path | None = None
) -> tuple[FactBook | None, list[SiteError]]:
    """Like load_factbook, but with errors the book holds what is usable (None without 'site'),
    so that the pages can be checked in the same run."""
    errors: list[SiteError] = []
    defined: set[str] = set()  # every id a record names, valid or not
    site: list[tuple[SiteMeta, str, int]] = []
    collected: dict[str, dict[str, Any]] = {"sources": {}, "facts": {}, "groups": {}}
    readers = {"sources": _read_source, "facts": _read_fact, "groups": _read_group}
    unreadable = False  # a file that did not parse may well be the one with 'site'
    for path in data_files(data_dir):
        shown = display_path(path, root)
        document, problems = read_yaml(path, shown, (data_dir, root or data_dir))
        errors += problems
        if document is None:
            unreadable = unreadable or bool(problems)
            continue
        if not isinstance(document, YamlMap):
            errors.append(SiteError(shown, 1, "a data file must be a mapping with keys "
                                              + ", ".join(TOP_LEVEL_KEYS)))
            continue
        for key in document:
            if key not in TOP_LEVEL_KEYS:
                errors.append(SiteError(shown, document.line_of(key), f"unknown top-level key "
                                        f"{key!r} (allowed: {', '.join(TOP_LEVEL_KEYS)})"))
        if "site" in document:
            meta = _read_site(document, shown, errors)
            if meta:
                site.append((meta, shown, document.line_of("site")))
        for kind, reader in readers.items():
            singular = kind.rstrip("s")
            for raw in _records(document, kind, shown, errors):
                if isinstance(raw.get("id"), str):
                    defined.add(raw["id"])
                item = reader(_Record(raw, singular, shown, errors))
                if item is None:
                    continue
                first = collected[kind].get(item.id)
                if first is not None:
                    errors.append(SiteError(shown, raw.line, f"duplicate {singular} id {item.id!r} "
                                            f"(first defined at {first.path}:{first.line})"))
                    continue
                collected[kind][item.id] = item
    # A record refused above is reported once: the facts that name it are not told again.
    refused = defined - {item_id for items in collected.values() for item_id in items}
    errors += _resolve_borrowed_values(collected["facts"], refused)
    refused = defined - {item_id for items in collected.values() for item_id in items}
    errors += _cross_check(collected, refused)
    if not site and not unreadable:
        errors.append(SiteError(display_path(data_dir, root), None,
                                "no data file defines 'site' (title, url, language)"))
    for _meta, shown, line in site[1:]:
        errors.append(SiteError(shown, line, f"'site' is defined again (first in {site[0][1]})"))
    if not site:
        return None, errors
    book = FactBook(site[0][0], collected["sources"], collected["facts"], collected["groups"],
                    refused_ids=frozenset(refused), unread_files=unreadable)
    return book, errors


def _read_site(document: YamlMap, path: str, errors: list[SiteError]) -> SiteMeta | None:
    raw = document["site"]
    if not isinstance(raw, YamlMap):
        errors.append(SiteError(path, document.line_of("site"), "'site' must be a mapping"))
        return None
    record = _Record(raw, "site", path, errors)
    record.check_keys(*SITE_KEYS)
    fields = {key: record.text(key, required=False) or "" for key in ("tagline", "author",
                                                                     "description")}
    title, url, language = record.text("title"), record.url("url"), record.text("language")
    if None in (title, url, language):
        return None
    return SiteMeta(title=title, url=url, language=language, **fields)  # type: ignore[arg-type]


def _resolve_borrowed_values(facts: dict[str, Fact], refused: set[str]) -> list[SiteError]:
    errors = []
    for fact in list(facts.values()):
        if fact.value_from is None:
            continue
        origin = facts.get(fact.value_from)
        if origin is None and fact.value_from in refused:
            del facts[fact.id]
            continue
        if origin is None or origin.value_from is not None:
            problem = "unknown fact" if origin is None else "a fact that itself borrows"
            errors.append(SiteError(fact.path, fact.line, f"fact {fact.id!r} takes its value "
                                    f"from {problem} {fact.value_from!r}"))
            del facts[fact.id]
            continue
        sources = tuple(dict.fromkeys(origin.sources + fact.sources))
        facts[fact.id] = replace(fact, sources=sources,
                                 **{key: getattr(origin, key) for key in BORROWED_KEYS})
    return errors


def _cross_check(collected: dict[str, dict[str, Any]], refused: set[str]
                 ) -> Iterable[SiteError]:
    sources, groups, facts = collected["sources"], collected["groups"], collected["facts"]
    for source in sources.values():
        for fact_id in source.passages:
            fact = facts.get(fact_id)
            if fact is None:
                if fact_id in refused:
                    continue
                yield SiteError(source.path, source.line, f"source {source.id!r} has a passage "
                                                          f"for unknown fact {fact_id!r}")
            elif source.id not in fact.all_sources:
                yield SiteError(source.path, source.line, f"source {source.id!r} has a passage "
                                f"for fact {fact_id!r}, which does not cite it")
    for fact in collected["facts"].values():
        for source_id in fact.sources:
            if source_id not in sources and source_id not in refused:
                yield SiteError(fact.path, fact.line,
                                f"fact {fact.id!r} cites unknown source {source_id!r}"
                                + did_you_mean(source_id, sources))
        for alternative in fact.alternatives:
            for source_id in alternative.sources:
                if source_id not in sources:
                    yield SiteError(fact.path, alternative.line, f"an alternative of fact "
                                    f"{fact.id!r} cites unknown source {source_id!r}"
                                    + did_you_mean(source_id, sources))
        if fact.group is None:
            if fact.attributes:
                yield SiteError(fact.path, fact.line,
                                f"fact {fact.id!r} has attributes but no group to show them")
            continue
        group = groups.get(fact.group)
        if group is None and fact.group in refused:
            continue
        if group is None:
            yield SiteError(fact.path, fact.line, f"fact {fact.id!r} names unknown group "
                            f"{fact.group!r}" + did_you_mean(fact.group, groups))
            continue
        declared = {column.key for column in group.columns}
        for key in fact.attributes:
            if key not in declared:
                yield SiteError(fact.path, fact.line, f"fact {fact.id!r} has attribute {key!r}, "
                                                      f"which group {group.id!r} does not declare")
