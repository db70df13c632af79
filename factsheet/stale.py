"""Stale facts: a value nobody has checked against its sources for over a year, or whose
sources quote no passage for it.

One finding per fact, at the fact's line, naming everything missing, so a writer can work
through the data fact by fact. They are warnings; under --strict, errors.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from .errors import SiteError
from .facts import Fact, FactBook, PartialDate

STALE_AFTER = timedelta(days=365)


def stale_facts(book: FactBook, today: date, strict: bool = False) -> list[SiteError]:
    """A finding for every fact not verified within a year of `today` (the build's date) or
    citing a source with no supporting passage for it."""
    findings = []
    for fact in book.facts.values():
        problems = _problems(fact, book, today)
        if problems:
            findings.append(
                SiteError(
                    fact.path,
                    fact.line,
                    f"fact {fact.id!r} {'; '.join(problems)}",
                    warning=not strict,
                )
            )
    return findings


def _problems(fact: Fact, book: FactBook, today: date) -> list[str]:
    # A fact that restates another (`value_from`) is checked with it: the original's
    # verification and passages count for it too.
    origin = book.facts.get(fact.value_from) if fact.value_from else None
    verified = fact.verified or (origin.verified if origin else None)
    problems = []
    if verified is None:
        problems.append(
            "has no verified date: compare it with its sources, then add "
            f'verified: "{today.isoformat()}"'
        )
    elif today - last_day(verified) > STALE_AFTER:
        problems.append(
            f"was last verified {verified.text()}, more than a year ago: compare "
            "it with its sources again and update verified"
        )
    ids = {fact.id} | ({origin.id} if origin else set())
    unsupported = [
        source_id
        for source_id in fact.sources
        if source_id in book.sources and not ids & set(book.sources[source_id].passages)
    ]
    if unsupported:
        names = ", ".join(repr(source_id) for source_id in unsupported)
        problems.append(
            f"has no supporting passage in source{'s' if len(unsupported) > 1 else ''}"
            f" {names}: quote it under the source's passages, keyed {fact.id!r}"
        )
    return problems


def last_day(day: PartialDate) -> date:
    """The last day a partial date can mean: `verified: "2025"` counts as 31 December 2025."""
    month = day.month or 12
    return date(day.year, month, day.day or calendar.monthrange(day.year, month)[1])
