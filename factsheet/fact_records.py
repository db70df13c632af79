"""One YAML record (a source, group or fact) read into the model, with every problem found
reported at its line: missing and unknown keys, wrong types, values out of range."""

from __future__ import annotations

import re

from .fact_values import (
    Record,
    describe,
    read_alternatives,
    read_qualifier,
    read_source_ids,
    read_uncertainty,
    read_value,
)
from .facts import (
    ID_PATTERN,
    VALUE_TYPES,
    Column,
    Fact,
    Group,
    PartialDate,
    Source,
)
from .yamlfile import YamlMap

SITE_KEYS = ({"title", "url", "language"}, {"tagline", "author", "description"})
SOURCE_KEYS = (
    {"id", "title", "publisher", "accessed"},
    {"url", "published", "archive_url", "note", "doi", "passages"},
)
GROUP_KEYS = ({"id", "title"}, {"label_header", "value_header", "columns", "note"})
FACT_KEYS = (
    {"id", "label", "type", "value", "as_of", "sources"},
    {
        "unit",
        "qualifier",
        "local",
        "note",
        "group",
        "attributes",
        "verified",
        "uncertainty",
        "alternatives",
        "choice",
    },
)
# A fact that restates another (the same landing as a timeline row and as a race-table row)
# names it with `value_from` and gives none of the keys it takes from it: stated once. It may
# add sources for what it adds itself (a row's attributes).
BORROWED_KEYS = (
    "type",
    "value",
    "as_of",
    "unit",
    "qualifier",
    "local",
    "uncertainty",
    "alternatives",
    "choice",
)
TOP_LEVEL_KEYS = ("site", "sources", "facts", "groups", "names")  # names: prose_numbers.py


def read_source(record: Record) -> Source | None:
    record.check_keys(*SOURCE_KEYS)
    fields = dict(
        id=record.ident(),
        title=record.text("title"),
        publisher=record.text("publisher"),
        accessed=record.date("accessed"),
        url=record.url("url"),
        published=record.date("published", required=False),
        archive_url=record.url("archive_url"),
        note=record.text("note", required=False),
        doi=_read_doi(record),
        passages=_read_passages(record),
    )
    if None in (fields["id"], fields["title"], fields["publisher"], fields["accessed"]):
        return None
    return Source(**fields, path=record.path, line=record.data.line)  # type: ignore[arg-type]


def _read_doi(record: Record) -> str | None:
    value = record.text("doi", required=False)
    if value is not None and not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        record.error(
            "doi",
            f"'doi' of {record.name} must be a bare DOI starting with \"10.\" "
            f"(no https://doi.org/ or doi: prefix), got {value!r}",
        )
        return None
    return value


def _read_passages(record: Record) -> dict[str, str]:
    """Fact id -> the short passage of this source that supports the fact's value."""
    value = record.data.get("passages")
    if value is None:
        return {}
    if not isinstance(value, dict):
        record.error(
            "passages",
            f"'passages' of {record.name} must be a mapping from fact id to the quoted passage",
        )
        return {}
    result = {}
    for key, item in value.items():
        if not isinstance(key, str) or not ID_PATTERN.match(key):
            record.error("passages", f"passage key {key!r} of {record.name} is not a fact id")
            continue
        if not isinstance(item, str) or not item.strip():
            record.error("passages", f"passage for {key!r} of {record.name} must be non-empty text")
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
        id=ident,
        title=title,
        label_header=record.text("label_header", required=False) or "Fact",
        value_header=record.text("value_header", required=False) or "Value",
        columns=tuple(columns),
        note=record.text("note", required=False),
        path=record.path,
        line=record.data.line,
    )


def _read_borrowing_fact(record: Record) -> Fact | None:
    """A fact whose value, type, date and sources are those of the fact it names."""
    required, optional = FACT_KEYS
    record.check_keys(
        {"id", "label", "value_from"}, (required | optional | {"value_from"}) - set(BORROWED_KEYS)
    )
    ident, label, origin = record.ident(), record.text("label"), record.ident("value_from")
    extra_sources = read_source_ids(record) if "sources" in record.data else ()
    attributes = _read_attributes(record)
    group = record.ident("group") if "group" in record.data else None
    verified = record.date("verified", required=False)
    if None in (ident, label, origin, extra_sources):
        return None
    return Fact(
        id=ident,
        label=label,
        type="",
        value=None,
        as_of=PartialDate(1),  # type: ignore[arg-type]
        sources=extra_sources,
        note=record.text("note", required=False),
        group=group,
        attributes=attributes,
        value_from=origin,
        verified=verified,
        path=record.path,
        line=record.data.line,
    )


def read_fact(record: Record) -> Fact | None:
    if "value_from" in record.data:
        return _read_borrowing_fact(record)
    record.check_keys(*FACT_KEYS)
    ident, label = record.ident(), record.text("label")
    kind = record.text("type")
    if kind is not None and kind not in VALUE_TYPES:
        record.error(
            "type", f"unknown type {kind!r} of {record.name} (one of: {', '.join(VALUE_TYPES)})"
        )
        kind = None
    value = read_value(record, kind) if kind else None
    as_of = record.date("as_of")
    sources = read_source_ids(record)
    unit = record.text("unit", required=False)
    qualifier = read_qualifier(record, None)
    if kind and kind not in ("quantity", "range"):
        for key in ("unit", "qualifier"):
            if key in record.data:
                record.error(key, f"{key!r} does not apply to a {kind} fact ({record.name})")
    local = record.text("local", required=False)
    if local is not None and kind != "datetime":
        record.error("local", f"'local' applies only to a datetime fact ({record.name})")
    attributes = _read_attributes(record)
    group = record.ident("group") if "group" in record.data else None
    uncertainty = read_uncertainty(record, kind)
    alternatives, choice = read_alternatives(record, kind, value)
    if None in (ident, label, kind, value, as_of, sources):
        return None
    return Fact(
        id=ident,
        label=label,
        type=kind,
        value=value,
        as_of=as_of,  # type: ignore[arg-type]
        sources=sources,
        unit=unit,
        qualifier=qualifier,
        local=local,  # type: ignore[arg-type]
        note=record.text("note", required=False),
        group=group,
        attributes=attributes,
        verified=record.date("verified", required=False),
        uncertainty=uncertainty,
        alternatives=alternatives,
        choice=choice,
        path=record.path,
        line=record.data.line,
    )


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
            record.error(
                "attributes",
                f"attribute {key!r} of {record.name} must be text, not {describe(item)}",
            )
            continue
        result[key] = item
    return result
