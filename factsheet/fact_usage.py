"""Facts no page shows: stated, sourced and published in facts.json, yet never put before a
reader. Like a source no page cites, a warning, and an error under --strict."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import SiteError
from .facts import FactBook
from .render import PageSummary


def unused_facts(book: FactBook, rendered: Iterable[PageSummary], strict: bool) -> list[SiteError]:
    """One problem for each fact that no page shows in prose, an infobox, a table or a chart."""
    shown = {fact_id for summary in rendered for fact_id in summary.facts_used}
    return [
        SiteError(
            fact.path,
            fact.line,
            f"fact {fact.id!r} is not shown on any page (use it "
            f"with {{fact {fact.id}}}, in a group's table or a "
            "chart, or remove it)",
            warning=not strict,
        )
        for fact in book.facts.values()
        if fact.id not in shown
    ]
