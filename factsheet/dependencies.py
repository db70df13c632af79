"""What a rendered page used, recorded while it renders, and what each of those things is now.

A page's Markdown is converted with a *tracked* fact book and link resolver: every fact, source,
group and page it looks up is written down by name (`fact:ce6-sample-mass`, `page:far-side.md`),
lookups that found nothing included, since adding the missing thing must change the page. After
the build, `Digests` gives each name a hash of what it stands for now; a page can be reused when
every name it recorded still has the digest it had. This is how editing one fact re-renders only
the pages that show it, where most generators re-render everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from .facts import Fact, FactBook

ABSENT = "-"  # the digest of a name that stands for nothing (an unknown fact, a missing page)

# Fields that say where a record was written, not what it says: moving a fact down a file must
# not re-render the pages that show it.
PLACE_FIELDS = frozenset({"path", "line"})


class Recorder:
    """The names one page looked up, in a set that is cleared for every page."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def add(self, name: str) -> None:
        self.names.add(name)

    def take(self) -> frozenset[str]:
        names, self.names = frozenset(self.names), set()
        return names


class Recorded(Mapping):
    """A read-only mapping that records every key looked up (`kind:key`), and `kind:*` when it
    is iterated as a whole."""

    def __init__(self, data: Mapping[str, Any], kind: str, recorder: Recorder):
        self.data, self.kind, self.recorder = data, kind, recorder

    def __getitem__(self, key: str) -> Any:
        self.recorder.add(f"{self.kind}:{key}")
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        self.recorder.add(f"{self.kind}:{key}")
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        self.recorder.add(f"{self.kind}:*")
        return iter(self.data)

    def __len__(self) -> int:
        self.recorder.add(f"{self.kind}:*")
        return len(self.data)


class RecordedSet:
    """Membership tests on a set of names, recorded like a Recorded mapping's lookups."""

    def __init__(self, data: set[str] | frozenset[str], kind: str, recorder: Recorder):
        self.data, self.kind, self.recorder = data, kind, recorder

    def __contains__(self, key: object) -> bool:
        self.recorder.add(f"{self.kind}:{key}")
        return key in self.data


class TrackedBook(FactBook):
    """The fact book as one page sees it: every fact, source and group it uses is recorded."""

    def group_facts(self, group_id: str) -> list[Fact]:
        # A facts table depends on which facts are in the group and on each of them, not on
        # every fact in the book.
        facts: Recorded = self.facts  # type: ignore[assignment]
        facts.recorder.add(f"members:{group_id}")
        members = [fact for fact in facts.data.values() if fact.group == group_id]
        for fact in members:
            facts.recorder.add(f"fact:{fact.id}")
        return members


def tracked_book(book: FactBook, recorder: Recorder) -> TrackedBook:
    return TrackedBook(
        book.site,
        Recorded(book.sources, "source", recorder),
        Recorded(book.facts, "fact", recorder),
        Recorded(book.groups, "group", recorder),
        refused_ids=book.refused_ids,
        unread_files=book.unread_files,
    )


def record_digest(record: object) -> str:
    """A hash of what a record says (not where it was written)."""
    if is_dataclass(record):
        parts = [
            (f.name, getattr(record, f.name)) for f in fields(record) if f.name not in PLACE_FIELDS
        ]
        text = repr(parts)
    else:
        text = repr(record)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class Digests:
    """The current digest of every name a page can record, computed on first request."""

    def __init__(
        self, book: FactBook, pages_by_rel: Mapping[str, str], site_paths: set[str] | frozenset[str]
    ):
        self.book = book
        self.pages_by_rel = pages_by_rel
        self.urls = frozenset(pages_by_rel.values())
        self.site_paths = site_paths
        self.known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        digest = self.known.get(name)
        if digest is None:
            digest = self.known[name] = self._compute(name)
        return digest

    def combined(self, names: Iterable[str]) -> str:
        """One digest of what the names (sorted) stand for now: a page whose recorded names
        give the digest they gave when it was rendered can be reused."""
        known = self.known  # looked up directly: this runs for every name of every page
        return _hash("".join(f"{name}={known.get(name) or self(name)}\0" for name in names))

    def _compute(self, name: str) -> str:
        kind, _, key = name.partition(":")
        table = {
            "fact": self.book.facts,
            "source": self.book.sources,
            "group": self.book.groups,
        }.get(kind)
        if table is not None:
            if key == "*":
                return _combine(f"{k}={self(f'{kind}:{k}')}" for k in table)
            return record_digest(table[key]) if key in table else ABSENT
        if kind == "members":
            return _combine(f.id for f in self.book.facts.values() if f.group == key)
        if kind == "page":  # a page looked up by its source path: where it is now
            return self.pages_by_rel.get(key, ABSENT)
        if kind == "url":  # a site path: is it a page, another file, or nothing?
            return "page" if key in self.urls else "file" if key in self.site_paths else ABSENT
        raise ValueError(f"unknown dependency name {name!r}")


def _combine(parts) -> str:
    return _hash("".join(f"{part}\0" for part in parts))


def _hash(text: str) -> str:
    """The digest of parts each followed by a NUL, hashed at once: one call, not one a part."""
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
