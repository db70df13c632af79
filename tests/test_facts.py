"""Facts and sources: how each value type is written, and every validation message with its line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from factsheet.fact_loading import load_factbook

HEADER = """\
site: {title: T, url: "https://example.org/t", language: en}
sources:
  - id: src
    title: A source
    publisher: P
    accessed: "2026-11-24"
"""


def load(tmp_path: Path, files: dict[str, str]):
    """Write data files under tmp_path/data and load them; paths show relative to tmp_path."""
    data = tmp_path / "data"
    for name, text in files.items():
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_factbook(data, tmp_path)


def errors_of(tmp_path: Path, text: str) -> list[str]:
    """Messages for one data file `data/x.yaml` holding HEADER followed by `text`."""
    book, errors = load(tmp_path, {"x.yaml": HEADER + textwrap.dedent(text).lstrip("\n")})
    assert book is None
    return [str(e) for e in errors]


def line(text: str, needle: str) -> int:
    """Line of `needle` in data/x.yaml when `text` follows HEADER."""
    whole = HEADER + textwrap.dedent(text).lstrip("\n")
    return next(n for n, row in enumerate(whole.splitlines(), 1) if needle in row)


def one_fact(tmp_path: Path, body: str):
    """Load a single fact 'f' with the given type/value lines; return it."""
    text = "facts:\n  - id: f\n    label: F\n" + textwrap.indent(textwrap.dedent(body), "    ")
    text += '    as_of: "2024"\n    sources: [src]\n'
    book, errors = load(tmp_path, {"x.yaml": HEADER + text})
    assert errors == [], [str(e) for e in errors]
    return book.facts["f"]


# ---------------------------------------------------------------------------------------------
# Rendering values


@pytest.mark.parametrize(("body", "text", "machine"), [
    ("type: quantity\nvalue: 1935.3\nunit: g\n", "1,935.3\u00a0g", "1935.3"),
    ("type: quantity\nvalue: 8.20\nunit: km\n", "8.20\u00a0km", "8.20"),
    ("type: quantity\nvalue: 2500\nunit: km\nqualifier: about\n", "about 2,500\u00a0km", "2500"),
    ("type: quantity\nvalue: 1234567.25\n", "1,234,567.25", "1234567.25"),
    ("type: quantity\nvalue: 45\nunit: \"%\"\n", "45%", "45"),
    ("type: quantity\nvalue: -173\nunit: °C\n", "\u2212173\u00a0°C", "-173"),
    ("type: quantity\nvalue: -0.5\n", "\u22120.5", "-0.5"),
    ("type: quantity\nvalue: 4\nqualifier: more than\n", "more than 4", "4"),
    ("type: range\nvalue: {min: 6.2, max: 8.2}\nunit: km\n", "6.2\u20138.2\u00a0km", "6.2/8.2"),
    ("type: range\nvalue: {min: -1500, max: 2000}\nqualifier: about\n",
     "about \u22121,500\u20132,000", "-1500/2000"),
    ("type: date\nvalue: \"2024-05-03\"\n", "3 May 2024", "2024-05-03"),
    ("type: date\nvalue: \"2024-06\"\n", "June 2024", "2024-06"),
    ("type: date\nvalue: \"2024\"\n", "2024", "2024"),
    ("type: coordinates\nvalue: {lat: -41.6385, lon: -153.9852}\n",
     "41.6385°\u00a0S, 153.9852°\u00a0W", "-41.6385,-153.9852"),
    ("type: coordinates\nvalue: {lat: 12.5, lon: 40}\n",
     "12.5°\u00a0N, 40°\u00a0E", "12.5,40"),
    ("type: text\nvalue: \"NO\"\n", "NO", "NO"),
])
def test_value_types_are_written_one_way(tmp_path, body, text, machine):
    fact = one_fact(tmp_path, body)
    assert fact.text() == text
    assert fact.machine_value() == machine


@pytest.mark.parametrize(("value", "local", "text", "machine"), [
    # Same calendar day in UTC and Beijing time: no local date.
    ("2024-05-03T17:27+08:00", "Beijing time",
     "3 May 2024, 09:27\u00a0UTC (17:27 Beijing time)", "2024-05-03T09:27Z"),
    # The local date differs from the UTC date: it is named.
    ("2024-06-02T06:23+08:00", "Beijing time",
     "1 June 2024, 22:23\u00a0UTC (06:23 Beijing time on 2 June)", "2024-06-01T22:23Z"),
    # ... with the year when that differs too.
    ("2025-01-01T02:00+08:00", "Beijing time",
     "31 December 2024, 18:00\u00a0UTC (02:00 Beijing time on 1 January 2025)",
     "2024-12-31T18:00Z"),
    # Seconds are kept when the source gave them.
    ("2024-06-04T07:38:10+08:00", "Beijing time",
     "3 June 2024, 23:38:10\u00a0UTC (07:38:10 Beijing time on 4 June)", "2024-06-03T23:38:10Z"),
    # Already UTC, no local zone named.
    ("2024-06-25T06:07Z", None, "25 June 2024, 06:07\u00a0UTC", "2024-06-25T06:07Z"),
])
def test_datetime_in_utc_with_local_time(tmp_path, value, local, text, machine):
    body = f'type: datetime\nvalue: "{value}"\n' + (f"local: {local}\n" if local else "")
    fact = one_fact(tmp_path, body)
    assert fact.text() == text
    assert fact.machine_value() == machine


# ---------------------------------------------------------------------------------------------
# Validation: every message with its path and line


FACT = """\
facts:
  - id: f
    label: F
    type: quantity
    value: 3
    as_of: "2024"
    sources: [src]
"""


def test_valid_data_loads(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": HEADER + FACT})
    assert errors == []
    assert list(book.facts) == ["f"] and list(book.sources) == ["src"]
    assert book.site.title == "T"


def test_unknown_key(tmp_path):
    text = FACT + "    colour: red\n"
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'colour')}: unknown key 'colour' in fact 'f' (allowed: "
        "alternatives, as_of, attributes, choice, group, id, label, local, note, qualifier, "
        "sources, type, uncertainty, unit, value, verified)"
    ]


def test_missing_key_is_reported_at_the_record(tmp_path):
    text = FACT.replace('    as_of: "2024"\n', "")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: f')}: fact 'f' is missing required key 'as_of'"
    ]


def test_number_where_text_is_expected(tmp_path):
    text = FACT.replace("label: F", "label: 1.10")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'label: 1.10')}: 'label' of fact 'f' must be text, "
        'not a number (1.10) (quote it: "1.10")'
    ]


def test_text_where_a_number_is_expected(tmp_path):
    text = FACT.replace("value: 3", 'value: "3"')
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'value:')}: 'value' of fact 'f' must be a number, not str"
    ]


def test_malformed_date(tmp_path):
    text = FACT.replace('as_of: "2024"', 'as_of: "2024-02-30"')
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'as_of')}: 'as_of' of fact 'f' must be a date YYYY-MM-DD, "
        "YYYY-MM or YYYY, got '2024-02-30'"
    ]


def test_unquoted_date_is_read_as_text_and_accepted(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": HEADER + FACT.replace('"2024"', "2024-05-03")})
    assert errors == []
    assert book.facts["f"].as_of.text() == "3 May 2024"


def test_datetime_without_zone(tmp_path):
    text = FACT.replace("type: quantity", "type: datetime").replace(
        "value: 3", 'value: "2024-05-03T17:27"')
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'value:')}: fact 'f': date-time '2024-05-03T17:27' has no time "
        "zone: add its UTC offset, e.g. +08:00 for Beijing time or Z for UTC"
    ]


def test_datetime_malformed(tmp_path):
    text = FACT.replace("type: quantity", "type: datetime").replace(
        "value: 3", 'value: "3 May 2024"')
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'value:')}: fact 'f': must be an ISO 8601 date-time such as "
        "2024-05-03T17:27+08:00, got '3 May 2024'"
    ]


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("coordinates", "{lat: 95, lon: 10}",
     "coordinates of fact 'f' out of range (latitude -90..90, longitude -180..180)"),
    ("coordinates", "{lat: 5}", "'value' of fact 'f' must be a mapping with exactly lat and lon"),
    ("coordinates", "{lat: 5, lon: east}", "'value' of fact 'f' must be a number, not str"),
    ("range", "{min: 8, max: 6}", "range of fact 'f' has min greater than max"),
    ("range", "[6, 8]", "'value' of fact 'f' must be a mapping with exactly min and max"),
])
def test_bad_coordinates_and_ranges(tmp_path, kind, value, message):
    text = FACT.replace("type: quantity", f"type: {kind}").replace("value: 3", f"value: {value}")
    assert errors_of(tmp_path, text) == [f"data/x.yaml:{line(text, 'value:')}: {message}"]


def test_unit_on_a_date_is_an_error(tmp_path):
    text = FACT.replace("type: quantity", "type: date").replace(
        "value: 3", 'value: "2024"\n    unit: km')
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'unit:')}: 'unit' does not apply to a date fact (fact 'f')"
    ]


def test_unknown_type_and_qualifier(tmp_path):
    text = FACT.replace("type: quantity", "type: number")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'type:')}: unknown type 'number' of fact 'f' (one of: "
        "quantity, date, datetime, coordinates, range, text)"
    ]


def test_duplicate_id_names_the_first_definition(tmp_path):
    book, errors = load(tmp_path, {
        "a.yaml": HEADER + FACT,
        "b.yaml": "facts:\n  - id: other\n    label: O\n    type: text\n    value: x\n"
                  '    as_of: "2024"\n    sources: [src]\n'
                  "  - id: f\n    label: F again\n    type: text\n    value: y\n"
                  '    as_of: "2024"\n    sources: [src]\n',
    })
    assert book is None
    assert [str(e) for e in errors] == [
        f"data/b.yaml:8: duplicate fact id 'f' (first defined at data/a.yaml:{line(FACT, 'id: f')})"
    ]


def test_fact_citing_an_unknown_source(tmp_path):
    text = FACT.replace("sources: [src]", "sources: [src, nasa-2024]")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: f')}: fact 'f' cites unknown source 'nasa-2024'"
    ]


@pytest.mark.parametrize("sources", ["[]", "null"])
def test_fact_with_no_source(tmp_path, sources):
    text = FACT.replace("sources: [src]", f"sources: {sources}")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, f'sources: {sources}')}: fact 'f' has no source: list at "
        "least one source id"
    ]


def test_fact_naming_an_unknown_group(tmp_path):
    text = FACT + "    group: landings\n"
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: f')}: fact 'f' names unknown group 'landings'"
    ]


GROUP = """\
groups:
  - id: landings
    title: Landings
    columns:
      - {key: operator, label: Operator}
"""


def test_undeclared_attribute(tmp_path):
    text = GROUP + FACT + "    group: landings\n    attributes: {operator: CNSA, crew: none}\n"
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: f')}: fact 'f' has attribute 'crew', which group "
        "'landings' does not declare"
    ]


def test_attributes_without_group(tmp_path):
    text = FACT + "    attributes: {operator: CNSA}\n"
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: f')}: fact 'f' has attributes but no group to show them"
    ]


def test_group_with_columns_and_facts_in_order(tmp_path):
    rows = "".join(
        f"  - id: r{n}\n    label: R{n}\n    type: text\n    value: v\n    as_of: \"2024\"\n"
        f"    sources: [src]\n    group: landings\n    attributes: {{operator: O{n}}}\n"
        for n in (2, 1, 3)
    )
    book, errors = load(tmp_path, {"x.yaml": HEADER + GROUP + "facts:\n" + rows})
    assert errors == []
    group = book.groups["landings"]
    assert (group.label_header, group.value_header) == ("Fact", "Value")
    assert [(c.key, c.label) for c in group.columns] == [("operator", "Operator")]
    assert [f.id for f in book.group_facts("landings")] == ["r2", "r1", "r3"]


def test_source_validation(tmp_path):
    text = """\
    sources:
      - id: Bad_Id
        title: T
        publisher: P
        accessed: "2026-11-24"
      - id: no-date
        title: T
        publisher: P
        url: ftp://example.org/x
    """
    book, errors = load(tmp_path, {"x.yaml": HEADER.split("sources:")[0] + textwrap.dedent(text)})
    assert book is None
    assert [str(e) for e in errors] == [
        "data/x.yaml:3: 'id' 'Bad_Id' must be lowercase letters, digits and hyphens",
        "data/x.yaml:7: source 'no-date' is missing required key 'accessed'",
        "data/x.yaml:10: 'url' of source 'no-date' is not an http(s) URL: 'ftp://example.org/x'",
    ]


def test_site_missing(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": FACT.replace("[src]", "[s]")
                                   + 'sources:\n  - {id: s, title: T, publisher: P, '
                                     'accessed: "2024"}\n'})
    assert book is None
    assert [str(e) for e in errors] == [
        "data: no data file defines 'site' (title, url, language)"
    ]


def test_site_defined_twice(tmp_path):
    book, errors = load(tmp_path, {
        "a.yaml": HEADER + FACT,
        "b.yaml": "# more settings\nsite:\n  title: Again\n  url: https://x.org\n  language: en\n",
    })
    assert book is None
    assert [str(e) for e in errors] == [
        "data/b.yaml:2: 'site' is defined again (first in data/a.yaml)"
    ]


def test_unknown_top_level_key(tmp_path):
    text = FACT + "notes:\n  - hi\n"
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'notes:')}: unknown top-level key 'notes' (allowed: site, "
        "sources, facts, groups, names)"
    ]


def test_every_error_of_every_file_is_collected(tmp_path):
    book, errors = load(tmp_path, {
        "a.yaml": HEADER + FACT.replace("label: F", "label: 1.10"),
        "b.yaml": "facts:\n  - id: g\n    label: G\n    type: date\n    value: \"May 2024\"\n"
                  '    as_of: "2024"\n    sources: [src]\n',
        "c.yaml": "facts: [\n",
    })
    assert book is None
    messages = [str(e) for e in errors]
    assert messages[:2] == [
        "data/a.yaml:9: 'label' of fact 'f' must be text, not a number (1.10) "
        '(quote it: "1.10")',
        "data/b.yaml:5: 'value' of fact 'g' must be a date YYYY-MM-DD, YYYY-MM or YYYY, "
        "got 'May 2024'",
    ]
    assert len(messages) == 3 and messages[2].startswith("data/c.yaml:2: invalid YAML: ")


# ---------------------------------------------------------------------------------------------
# A fact restated in a second table takes its value from the first: stated once

# Appended to HEADER, whose sources list it continues.
BORROWING = """
  - id: extra
    title: Another source
    publisher: Q
    accessed: "2026-11-24"
facts:
  - id: landing
    label: Touchdown
    type: datetime
    value: "2024-06-02T06:23+08:00"
    local: Beijing time
    as_of: "2024-06-02"
    sources: [src]
  - id: race-row
    label: Chang'e-6
    value_from: landing
    sources: [extra]
"""


def test_value_from_restates_the_value_date_and_sources(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": HEADER + BORROWING.lstrip("\n")})
    assert errors == [], [str(e) for e in errors]
    row, landing = book.facts["race-row"], book.facts["landing"]
    shown = "1 June 2024, 22:23\u00a0UTC (06:23 Beijing time on 2 June)"
    assert row.text() == landing.text() == shown
    assert row.as_of == landing.as_of and row.type == "datetime"
    assert row.sources == ("src", "extra")  # the origin's sources, then its own


def test_value_from_refuses_a_value_of_its_own(tmp_path):
    text = BORROWING.replace("value_from: landing\n", "value_from: landing\n    value: 3\n")
    messages = errors_of(tmp_path, text)
    assert messages[0].startswith(f"data/x.yaml:{line(text, 'value: 3')}: unknown key 'value' "
                                  "in fact 'race-row'")


def test_value_from_an_unknown_fact_is_an_error(tmp_path):
    text = BORROWING.replace("value_from: landing", "value_from: landed")
    assert errors_of(tmp_path, text) == [
        f"data/x.yaml:{line(text, 'id: race-row')}: fact 'race-row' takes its value from "
        "unknown fact 'landed'"
    ]


# ---------------------------------------------------------------------------------------------
# Papers and the passages that support a fact

PAPER = """\
site: {title: T, url: "https://example.org/t", language: en}
sources:
  - id: paper
    title: A paper
    publisher: Nature
    accessed: "2026-12-02"
    doi: "10.1038/s41586-024-08382-0"
    passages:
      age: "dated at 2,807 ± 3 million years"
  - id: other
    title: Another
    publisher: P
    accessed: "2026-12-02"
facts:
  - id: age
    label: Age
    type: text
    value: "2,807 ± 3 million years"
    as_of: "2024-11-15"
    verified: "2026-12-02"
    sources: [paper]
  - id: row
    label: Row
    value_from: age
    verified: "2026-12"
"""


def test_doi_passages_and_verified_are_read(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": PAPER})
    assert errors == [], [str(e) for e in errors]
    paper = book.sources["paper"]
    assert paper.doi == "10.1038/s41586-024-08382-0"
    assert paper.passages == {"age": "dated at 2,807 ± 3 million years"}
    assert book.sources["other"].doi is None and book.sources["other"].passages == {}
    assert book.facts["age"].verified.iso() == "2026-12-02"
    assert book.facts["row"].verified.iso() == "2026-12"  # a restating fact has its own


@pytest.mark.parametrize("doi", ["https://doi.org/10.1038/x", "doi:10.1038/x", "11.1038/x",
                                 "10.1038/"])
def test_doi_must_be_bare(tmp_path, doi):
    text = PAPER.replace("10.1038/s41586-024-08382-0", doi)
    book, errors = load(tmp_path, {"x.yaml": text})
    assert book is None
    doi_line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("    doi:"))
    assert [str(e) for e in errors] == [
        f"data/x.yaml:{doi_line}: 'doi' of source 'paper' must be a bare DOI starting with "
        f'"10." (no https://doi.org/ or doi: prefix), got {doi!r}'
    ]


def test_passage_for_an_unknown_fact(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": PAPER.replace("      age:", "      ages:")})
    assert book is None
    assert [str(e) for e in errors] == [
        "data/x.yaml:3: source 'paper' has a passage for unknown fact 'ages'"]


def test_passage_for_a_fact_that_does_not_cite_the_source(tmp_path):
    text = PAPER.replace("      age:", "      row:").replace("    sources: [paper]",
                                                            "    sources: [other]")
    book, errors = load(tmp_path, {"x.yaml": text})
    assert book is None
    assert [str(e) for e in errors] == [
        "data/x.yaml:3: source 'paper' has a passage for fact 'row', which does not cite it"]


def test_passage_for_a_restating_fact_counts_the_origin_sources(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": PAPER.replace("      age:", "      row:")})
    assert errors == [], [str(e) for e in errors]


@pytest.mark.parametrize(("passages", "message"), [
    ("    passages: [a]\n", "'passages' of source 'paper' must be a mapping from fact id to the "
                          "quoted passage"),
    ("    passages:\n      age: \"\"\n", "passage for 'age' of source 'paper' must be non-empty "
                                        "text"),
])
def test_malformed_passages(tmp_path, passages, message):
    text = PAPER.replace('    passages:\n      age: "dated at 2,807 ± 3 million years"\n',
                         passages)
    book, errors = load(tmp_path, {"x.yaml": text})
    assert book is None
    assert [str(e).split(": ", 1)[1] for e in errors] == [message]


def test_malformed_verified_date(tmp_path):
    book, errors = load(tmp_path, {"x.yaml": PAPER.replace('verified: "2026-12-02"',
                                                           'verified: "2 Dec 2026"')})
    assert book is None
    assert [str(e).split(": ", 1)[1] for e in errors] == [
        "'verified' of fact 'age' must be a date YYYY-MM-DD, YYYY-MM or YYYY, got '2 Dec 2026'"]


def test_doi_passages_and_verified_reach_the_downloads_and_the_references(scratch_site):
    scratch_site.edit("content/data/facts.yaml", '    url: https://a.example.org/ce6\n',
                      '    url: https://a.example.org/ce6\n    doi: "10.1000/ce6.sample"\n'
                      '    passages: {mass: "1,935.3 grams of samples"}\n')
    scratch_site.edit("content/data/facts.yaml", "    sources: [src-a]\n",
                      '    verified: "2026-12-02"\n    sources: [src-a]\n')
    scratch_site.build()
    data = json.loads(scratch_site.html("facts.json"))
    source = next(s for s in data["sources"] if s["id"] == "src-a")
    assert source["doi"] == "10.1000/ce6.sample"
    assert source["passages"] == {"mass": "1,935.3 grams of samples"}
    assert next(s for s in data["sources"] if s["id"] == "src-b")["doi"] is None
    assert next(f for f in data["facts"] if f["id"] == "mass")["verified"] == "2026-12-02"
    link = ('<a href="https://doi.org/10.1000/ce6.sample" class="source-doi">'
            "doi:10.1000/ce6.sample</a>")
    assert link in scratch_site.html("index.html")
