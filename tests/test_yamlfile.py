"""The strict YAML loader: values stay what the author wrote, and every problem has its line."""

from __future__ import annotations

from decimal import Decimal

from factsheet.errors import SiteError
from factsheet.yamlfile import YamlList, YamlMap, parse_yaml, read_yaml


def load(text: str):
    value, errors = parse_yaml(text, "data.yaml")
    assert errors == []
    return value


def test_values_yaml_would_convert_stay_as_written():
    data = load(
        "country: NO\n"
        "answer: yes\n"
        "off: off\n"
        "version: 1.10\n"
        "day: 2024-05-03\n"
        "stamp: 2024-05-03T17:27:00+08:00\n"
        "ratio: 1:20\n"
        "octal: 0o17\n"
        "hex: 0x1F\n"
        "inf: .inf\n"
    )
    assert data == {
        "country": "NO",
        "answer": "yes",
        "off": "off",
        "version": Decimal("1.10"),
        "day": "2024-05-03",
        "stamp": "2024-05-03T17:27:00+08:00",
        "ratio": "1:20",
        "octal": "0o17",
        "hex": "0x1F",
        "inf": ".inf",
    }
    assert str(data["version"]) == "1.10"  # the trailing zero the author wrote survives


def test_numbers_booleans_and_null_are_still_recognised():
    data = load("a: 2500\nb: -41.6385\nc: 8.20\nd: true\ne: false\nf: null\ng: ~\nh: 1_000\n")
    assert data == {
        "a": 2500,
        "b": Decimal("-41.6385"),
        "c": Decimal("8.20"),
        "d": True,
        "e": False,
        "f": None,
        "g": None,
        "h": 1000,
    }
    assert isinstance(data["a"], int) and not isinstance(data["a"], bool)
    assert str(data["c"]) == "8.20"


def test_quoted_values_are_strings():
    assert load('a: "1.10"\nb: "2500"\nc: "true"\n') == {"a": "1.10", "b": "2500", "c": "true"}


def test_duplicate_key_is_an_error_at_the_second_key():
    value, errors = parse_yaml("facts:\n  - id: a\n    label: A\n    label: B\n", "data.yaml")
    assert value is None
    assert [str(e) for e in errors] == ["data.yaml:4: invalid YAML: duplicate key 'label'"]


def test_syntax_error_names_its_line():
    value, errors = parse_yaml(
        "site:\n  title: Far Side\n  url: [unclosed\nfacts: []\n", "content/data/site.yaml"
    )
    assert value is None
    assert len(errors) == 1
    assert errors[0].path == "content/data/site.yaml"
    assert errors[0].line == 4
    assert str(errors[0]).startswith("content/data/site.yaml:4: invalid YAML: ")


def test_bad_indentation_names_its_line():
    _, errors = parse_yaml("a: 1\nb:\n  c: 2\n d: 3\n", "x.yaml")
    assert [(e.path, e.line) for e in errors] == [("x.yaml", 4)]


def test_first_line_offsets_lines_for_front_matter():
    _, errors = parse_yaml("title: A\ntitle: B\n", "page.md", first_line=2)
    assert errors == [SiteError("page.md", 3, "invalid YAML: duplicate key 'title'")]


def test_mappings_and_lists_know_their_lines():
    data = load("# a comment\nfacts:\n  - id: a\n    label: A\n\n  - id: b\n    sources: [x, y]\n")
    assert isinstance(data, YamlMap)
    assert data.line_of("facts") == 2
    facts = data["facts"]
    assert isinstance(facts, YamlList)
    assert facts.item_lines == [3, 6]
    first, second = facts
    assert (first.line, first.line_of("id"), first.line_of("label")) == (3, 3, 4)
    assert second.line_of("sources") == 7
    assert second.line_of("missing") == 6  # an absent key falls back to its mapping's line
    assert second["sources"].line == 7


def test_read_yaml_reads_a_file(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("label: Chang'e-6\n", encoding="utf-8")
    assert read_yaml(path, "x.yaml") == ({"label": "Chang'e-6"}, [])
