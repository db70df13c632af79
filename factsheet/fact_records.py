"""One YAML record (a source, group or fact) read into the model, with every problem found
reported at its line: missing and unknown keys, wrong types, values out of range."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import SiteError
from .facts import (
    ID_PATTERN,
    QUALIFIERS,
    VALUE_TYPES,
    Alternative,
    Column,
    Coordinates,
    Fact,
    Group,
    PartialDate,
    Range,
    Source,
    parse_datetime,
    parse_partial_date,
)
from .yamlfile import RefusedValue, YamlList, YamlMap

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


class Record:
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


def _number(record: Record, key: str, value: Any) -> Decimal | None:
    if isinstance(value, RefusedValue):  # not finite or not sane: reported by the loader
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        record.error(key, f"{key!r} of {record.name} must be a number, not {_describe(value)}")
        return None
    return Decimal(value)


def _read_value(record: Record, kind: str) -> Any:
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


def read_source(record: Record) -> Source | None:
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


def _read_doi(record: Record) -> str | None:
    value = record.text("doi", required=False)
    if value is not None and not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        record.error("doi", f"'doi' of {record.name} must be a bare DOI starting with \"10.\" "
                            f"(no https://doi.org/ or doi: prefix), got {value!r}")
        return None
    return value


def _read_passages(record: Record) -> dict[str, str]:
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


def read_group(record: Record) -> Group | None:
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
        column = Record(item, "column", record.path, record.errors)
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


def _read_borrowing_fact(record: Record) -> Fact | None:
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


def read_fact(record: Record) -> Fact | None:
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


def _read_qualifier(record: Record, kind: str | None) -> str | None:
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


def _read_uncertainty(record: Record, kind: str | None) -> Decimal | None:
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


def _read_alternatives(record: Record, kind: str | None,
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
        entry = Record(item, f"alternative {number} of {record.name}", record.path,
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


def _read_source_ids(record: Record) -> tuple[str, ...] | None:
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


def _read_attributes(record: Record) -> dict[str, str]:
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
