"""The data folder read into one FactBook: every YAML file, then the checks that need all of
them (unknown sources, borrowed values, duplicate ids), every problem reported in one run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import SiteError, display_path
from .fact_records import (
    BORROWED_KEYS,
    SITE_KEYS,
    TOP_LEVEL_KEYS,
    Record,
    read_fact,
    read_group,
    read_source,
)
from .facts import Fact, FactBook, SiteMeta
from .suggest import did_you_mean
from .yamlfile import YamlList, YamlMap, read_yaml


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
    readers = {"sources": read_source, "facts": read_fact, "groups": read_group}
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
                item = reader(Record(raw, singular, shown, errors))
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
    record = Record(raw, "site", path, errors)
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
