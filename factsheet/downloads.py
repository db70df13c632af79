"""The facts as data for reuse: facts.json and facts.csv at stable URLs."""

from __future__ import annotations

import csv
import io
import json
import re

from .citations import LICENSE_NAME, LICENSE_SPDX, LICENSE_URL
from .facts import Alternative, Fact, FactBook

# The first eleven columns are the published layout; later ones are only ever appended.
CSV_COLUMNS = [
    "id",
    "label",
    "type",
    "value",
    "unit",
    "qualifier",
    "display",
    "as_of",
    "sources",
    "group",
    "note",
    "uncertainty",
    "verified",
    "alternatives",
    "choice",
]


def _row(fact: Fact) -> dict[str, str]:
    return {
        "id": fact.id,
        "label": fact.label,
        "type": fact.type,
        "value": fact.machine_value(),
        "unit": fact.unit or "",
        "qualifier": fact.qualifier or "",
        "display": fact.text(),
        "as_of": fact.as_of.iso(),
        "sources": " ".join(fact.sources),
        "group": fact.group or "",
        "note": fact.note or "",
        "uncertainty": _plain(fact.uncertainty),
        "verified": fact.verified.iso() if fact.verified else "",
        # one cell: "value±uncertainty [source ids]" per alternative, separated by " | "
        "alternatives": " | ".join(
            f"{_machine(fact, alt)} [{' '.join(alt.sources)}]" for alt in fact.alternatives
        ),
        "choice": fact.choice or "",
    }


def _plain(number) -> str:
    return format(number, "f") if number is not None else ""


def _machine(fact: Fact, alternative: Alternative) -> str:
    value = fact.as_alternative(alternative).machine_value()
    return value + (f"±{_plain(alternative.uncertainty)}" if alternative.uncertainty else "")


def _alternatives(fact: Fact) -> list[dict]:
    return [
        {
            "value": fact.as_alternative(alt).machine_value(),
            "display": fact.as_alternative(alt).text(),
            "uncertainty": _plain(alt.uncertainty) or None,
            "sources": list(alt.sources),
            "note": alt.note,
        }
        for alt in fact.alternatives
    ]


def facts_json(book: FactBook) -> str:
    """Every fact with its value, unit, as-of date and sources; every source in full."""
    document = {
        "title": f"{book.site.title}: facts and sources",
        # The data's licence, as an SPDX id and its canonical URL (schema.org's `license`).
        "license": {"id": LICENSE_SPDX, "name": LICENSE_NAME, "url": LICENSE_URL},
        "credit": f"{book.site.author or book.site.title}; each fact's values are credited to "
        "the sources it lists",
        "facts": [
            dict(
                _row(fact),
                sources=list(fact.sources),
                attributes=dict(sorted(fact.attributes.items())),
                verified=fact.verified.iso() if fact.verified else None,
                uncertainty=_plain(fact.uncertainty) or None,
                alternatives=_alternatives(fact),
                choice=fact.choice,
            )
            for fact in book.facts.values()
        ],
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "published": s.published.iso() if s.published else None,
                "accessed": s.accessed.iso(),
                "archive_url": s.archive_url,
                "note": s.note,
                "doi": s.doi,
                "passages": dict(s.passages),
            }
            for s in book.sources.values()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers the generator itself wrote (a quantity, a range "min/max", coordinates "lat,lon"):
# a spreadsheet reads them as numbers, never as a formula, so a negative one stays as it is.
PLAIN_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?(?:[/,]-?\d+(?:\.\d+)?)?")


def spreadsheet_safe(cell: str) -> str:
    """The cell as a spreadsheet should show it: text that would start a formula gets a single
    quote in front (which spreadsheets hide), as OWASP advises; plain numbers stay numbers."""
    if cell.startswith(FORMULA_START) and not PLAIN_NUMBERS.fullmatch(cell):
        return "'" + cell
    return cell


def facts_csv(book: FactBook) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for fact in book.facts.values():
        writer.writerow({key: spreadsheet_safe(cell) for key, cell in _row(fact).items()})
    return buffer.getvalue()
