"""A YAML mapping being read into the model (`Record`, which reports each problem at its key's
line), and the typed values a fact is made of: its value by type, qualifier, uncertainty,
alternatives and the ids of its sources."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import SiteError
from .facts import (
    ID_PATTERN,
    QUALIFIERS,
    Alternative,
    Coordinates,
    PartialDate,
    Range,
    parse_datetime,
    parse_partial_date,
)
from .yamlfile import RefusedValue, YamlList, YamlMap

ALTERNATIVE_KEYS = ({"value", "sources"}, {"uncertainty", "note", "qualifier"})


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
            self.error(
                key,
                f'{key!r} of {self.name} must be text, not {describe(value)} (quote it: "{value}")',
            )
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
            self.error(
                key,
                f"{key!r} of {self.name} must be a date YYYY-MM-DD, YYYY-MM or YYYY, got {value!r}",
            )
        return parsed


def describe(value: Any) -> str:
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
        record.error(key, f"{key!r} of {record.name} must be a number, not {describe(value)}")
        return None
    return Decimal(value)


def read_value(record: Record, kind: str) -> Any:
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
        record.error(
            "value",
            f"'value' of {record.name} must be a mapping with exactly {' and '.join(wanted)}",
        )
        return None
    numbers = [_number(record, "value", value[key]) for key in wanted]
    if any(number is None for number in numbers):
        return None
    if kind == "coordinates":
        lat, lon = numbers
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
            record.error(
                "value",
                f"coordinates of {record.name} out of range "
                "(latitude -90..90, longitude -180..180)",
            )
            return None
        return Coordinates(lat, lon)  # type: ignore[arg-type]
    low, high = numbers
    if low > high:  # type: ignore[operator]
        record.error("value", f"range of {record.name} has min greater than max")
        return None
    return Range(low, high)  # type: ignore[arg-type]


def read_qualifier(record: Record, kind: str | None) -> str | None:
    """`about`, `more than`...; with `kind` given, only where it applies (a number)."""
    qualifier = record.text("qualifier", required=False)
    if qualifier is not None and qualifier not in QUALIFIERS:
        record.error(
            "qualifier",
            f"unknown qualifier {qualifier!r} of {record.name} (one of: {', '.join(QUALIFIERS)})",
        )
        return None
    if qualifier is not None and kind is not None and kind not in ("quantity", "range"):
        record.error("qualifier", f"'qualifier' does not apply to a {kind} value ({record.name})")
        return None
    return qualifier


def read_uncertainty(record: Record, kind: str | None) -> Decimal | None:
    """A quantity's ± as a positive number, in the value's unit."""
    if "uncertainty" not in record.data:
        return None
    if kind != "quantity":
        record.error(
            "uncertainty",
            f"'uncertainty' (±) applies only to a quantity "
            f"({record.name}); a span of values is a range",
        )
        return None
    number = _number(record, "uncertainty", record.data["uncertainty"])
    if number is not None and number <= 0:
        record.error("uncertainty", f"'uncertainty' of {record.name} must be greater than 0")
        return None
    return number


def read_alternatives(
    record: Record, kind: str | None, value: Any
) -> tuple[tuple[Alternative, ...], str | None]:
    """Other sources' values, each of the fact's own type, and the note saying which value the
    site uses and why: a disagreement as data, not prose."""
    choice = record.text("choice", required=False)
    raw = record.data.get("alternatives")
    if raw is None:
        if choice is not None:
            record.error(
                "choice",
                f"'choice' of {record.name} explains a choice between "
                "alternatives, but it lists none",
            )
        return (), choice
    if (
        not isinstance(raw, YamlList)
        or not raw
        or not all(isinstance(item, YamlMap) for item in raw)
    ):
        record.error(
            "alternatives",
            f"'alternatives' of {record.name} must be a list of mappings with value and sources",
        )
        return (), choice
    if choice is None and "choice" not in record.data:
        record.error(
            "alternatives",
            f"{record.name} lists alternatives: add 'choice', saying "
            "which value the site uses and why",
        )
    alternatives = []
    for number, item in enumerate(raw, 1):
        entry = Record(item, f"alternative {number} of {record.name}", record.path, record.errors)
        entry.check_keys(*ALTERNATIVE_KEYS)
        alt_value = read_value(entry, kind) if kind else None
        sources = read_source_ids(entry)
        uncertainty = read_uncertainty(entry, kind)
        qualifier = read_qualifier(entry, kind)
        if alt_value is not None and alt_value == value and "uncertainty" not in item:
            entry.error("value", f"{entry.name} repeats the site's own value")
            continue
        if alt_value is not None and sources is not None:
            alternatives.append(
                Alternative(
                    alt_value,
                    sources,
                    uncertainty,
                    entry.text("note", required=False),
                    qualifier,
                    item.line,
                )
            )
    return tuple(alternatives), choice


def read_source_ids(record: Record) -> tuple[str, ...] | None:
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
