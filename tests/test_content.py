"""The real content's data: every moment is stated once, and every fact is used somewhere."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from factsheet.facts import load_factbook

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def book():
    book, errors = load_factbook(ROOT / "content" / "data", ROOT)
    assert not errors, [str(e) for e in errors]
    return book


def test_no_instant_is_typed_twice(book):
    """Two facts with the same date-time are one event: the second must use value_from."""
    typed = defaultdict(list)
    for fact in book.facts.values():
        if fact.type == "datetime" and fact.value_from is None:
            typed[fact.value.iso_utc()].append(fact.id)
    assert not {moment: ids for moment, ids in typed.items() if len(ids) > 1}


def test_every_fact_appears_on_a_page_or_in_a_group(book):
    """A fact no page shows is dead data that nobody checks."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").glob("*.md"))
    charted = {"spa-centre", "spa-diameter", "moon-radius",  # drawn on the Moon map
               "ce4-landing-elevation"}  # and on the basin's topographic map
    unused = [fact.id for fact in book.facts.values()
              if fact.group is None and fact.id not in charted and fact.id not in pages]
    assert not unused, f"facts shown nowhere: {unused}"
