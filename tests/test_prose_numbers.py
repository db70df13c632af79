"""Facts are sacred: a number typed into the prose of any page is caught by the generator.

`check` and `build --strict` refuse it with `path:line`; a plain `build` warns. A bare year, a
number inside a name listed in the data, a quoted passage and a `{literal ...}` are allowed.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from factsheet.prose_numbers import locate_all, names_pattern, stray_numbers

NAMES = names_pattern(("Chang'e-#", "Apollo #", "Long March #", "UTC+#"))


@pytest.mark.parametrize(
    ("text", "strays"),
    [
        ("It weighed 9,000 kg.", ["9,000 kg"]),
        ("The trip took 53 days.", ["53 days"]),
        ("It landed on 2 June 2024.", ["2 June"]),
        ("Touchdown came at 06:23 local time.", ["06:23 local"]),
        ("About 1.5 per cent, or 40%.", ["1.5 per", "40 %"]),
        ("In 2019 and through the 1960s, as of November 2026.", []),
        ("Chang'e-6 rode a Long March 5 like Apollo 11 never did.", []),
        ("Chang\u2019e\u20114 and Chang\u2019e-6 (typeset) are names.", []),
        ("Beijing time (UTC+8) is a zone.", []),
        ("Chang'e-6 weighed 8,350 kg.", ["8,350 kg"]),
        ('The press release said "about 2 kilograms" at the time.', []),
        ("Their words: \u201cwe brought back 2 kg\u201d.", []),
        ("The Earth-Moon L2 point is named with a letter.", []),
    ],
)
def test_numbers_in_a_passage(text, strays):
    assert stray_numbers(text, NAMES) == strays


def test_a_name_not_in_the_list_is_not_a_name():
    assert stray_numbers("Apollo 11 and Soyuz 11.", NAMES) == ["11"]


PAGE = """\
---
title: Numbers
description: "A page that types numbers into its prose, to test that they are caught."
---
## Weighing

The capsule weighed {fact mass}.

It weighed 9,000 kg.

A quote: "it weighed 9,000 kg" is fine, and so is {literal 4,000 tonnes} and a year, 2019.

> A quoted passage may say 53 days.

Code `x = 42` and a name, Apollo 11, are fine.[^n]

| Mission | Crew |
| --- | --- |
| Apollo 11 | 3 |

[^n]: A footnote that says 12 hours.
"""


def test_check_refuses_a_number_in_any_page_with_its_line(scratch_site):
    scratch_site.write("content/data/names.yaml", "names: ['Apollo #', \"Chang'e-#\"]\n")
    scratch_site.write("content/numbers.md", PAGE)
    result = scratch_site.run("check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    shown = str(scratch_site.content / "numbers.md")
    assert lines[:-1] == [
        f"{shown}:{scratch_site.line_of('content/numbers.md', 'It weighed 9,000')}: number "
        "typed into prose: '9,000 kg': take it from the data with {fact ID}, or write "
        "{literal 9,000} if it is not data",
        f"{shown}:{scratch_site.line_of('content/numbers.md', '| 3 |')}: number typed into "
        "prose: '3': take it from the data with {fact ID}, or write {literal 3} if it is "
        "not data",
        f"{shown}:{scratch_site.line_of('content/numbers.md', '12 hours')}: number typed into "
        "prose: '12 hours': take it from the data with {fact ID}, or write {literal 12} "
        "if it is not data",
    ]
    assert lines[-1] == "Build failed: 3 errors."
    assert "Traceback" not in result.stderr


def test_build_warns_and_strict_build_refuses(scratch_site):
    scratch_site.write(
        "content/numbers.md",
        "---\ntitle: N\ndescription: A page that types "
        "a number into its prose here.\n---\nIt took 53 "
        "days.\n",
    )
    result = scratch_site.run("build")
    assert result.returncode == 0, result.stderr
    warning = "numbers.md:5: warning: number typed into prose: '53 days'"
    assert f"{scratch_site.content}/{warning}" in result.stderr
    before = (scratch_site.out / "index.html").read_bytes()
    strict = scratch_site.run("build", "--strict")
    assert strict.returncode == 1
    found = "numbers.md:5: number typed into prose: '53 days'"
    assert f"{scratch_site.content}/{found}" in strict.stderr
    assert (scratch_site.out / "index.html").read_bytes() == before


def test_literal_is_shown_as_written(built_site):
    built_site.write(
        "content/numbers.md",
        PAGE.replace("It weighed 9,000 kg.", "")
        .replace("| Apollo 11 | 3 |", "| Apollo 11 | {literal 3} |")
        .replace("12 hours", "{literal 12} hours"),
    )
    built_site.write("content/data/names.yaml", "names: ['Apollo #', \"Chang'e-#\"]\n")
    result = built_site.build()
    assert not [str(w) for w in result.warnings if "prose" in w.message]
    html = built_site.html("numbers/index.html")
    assert '<span class="literal">4,000 tonnes</span>' in html
    assert "{literal" not in html


def test_names_come_from_the_data(scratch_site):
    scratch_site.write(
        "content/numbers.md",
        "---\ntitle: N\ndescription: A page that names "
        "a mission with a number in it.\n---\nLike "
        "Artemis 3 before it.\n",
    )
    scratch_site.write("content/data/names.yaml", "names:\n  - Chang'e-#\n")
    assert "number typed into prose: '3 before'" in scratch_site.run("check").stderr
    scratch_site.write("content/data/names.yaml", "names:\n  - 'Artemis #'\n  - Chang'e-#\n")
    result = scratch_site.run("check")
    assert result.returncode == 0, result.stderr


def test_a_names_list_that_is_not_a_list_is_an_error(scratch_site):
    scratch_site.write("content/data/names.yaml", "names: Apollo\n")
    assert scratch_site.errors() == [
        "content/data/names.yaml:1: 'names' must be a list of names (text), e.g. - Apollo #"
    ]


def test_an_unquoted_name_with_a_hash_is_explained(scratch_site):
    scratch_site.write("content/data/names.yaml", "names:\n  - Chang'e-#\n  - Artemis #\n")
    assert scratch_site.errors() == [
        "content/data/names.yaml:3: name 'Artemis' holds no number and no #: quote a name "
        "with # (\"Apollo #\"), since YAML reads an unquoted ' #' as a comment"
    ]


def test_the_real_content_keeps_the_promise(real_site):
    strays = [str(w) for w in real_site.result.warnings if "typed into prose" in w.message]
    assert strays == []


def test_the_real_names_list_exists():
    assert (ROOT / "content" / "data" / "names.yaml").is_file()


def test_an_attribute_list_can_mark_a_whole_paragraph_literal(scratch_site):
    scratch_site.write(
        "content/numbers.md",
        "---\ntitle: N\ndescription: A page with a paragraph its author vouches for here.\n---\n"
        "A table of 12 rows and *9,000 kg*{: .literal} on one line.\n{: .literal}\n\n"
        "Only *9,000 kg*{: .literal} is vouched for in 12 pages.\n",
    )
    result = scratch_site.run("check")
    assert result.returncode == 1
    assert [line.split(": ", 1)[1][:40] for line in result.stderr.splitlines()[:-1]] == [
        "number typed into prose: '12 pages': tak"
    ]
    assert ":8: " in result.stderr.splitlines()[0]


def test_each_repeated_finding_gets_its_own_line():
    lines = ["---", "title: 53 days", "---", "It took 53 days.", "", "Then 53 days, and 53 days."]
    findings = ["53 days", "53 days", "53 days", "9 June"]
    assert locate_all(lines, 4, findings) == [4, 6, 6, 6]


def test_a_page_full_of_numbers_lists_ten_then_counts_the_rest(scratch_site):
    body = "\n\n".join(f"Item {n} weighs {n * 3} kg." for n in range(1, 8))
    scratch_site.write(
        "content/numbers.md",
        "---\ntitle: N\ndescription: A page that types far too many numbers into prose.\n---\n"
        + body
        + "\n",
    )
    result = scratch_site.run("check")
    lines = result.stderr.splitlines()
    assert len(lines) == 12  # 10 listed, 1 for the rest, the summary
    assert lines[-2].endswith(
        ":13: number typed into prose: 4 more on this page after these; fix these and check again"
    )
    assert lines[-1] == "Build failed: 11 errors."


def test_check_lists_numbers_beside_other_errors_in_one_run(scratch_site):
    scratch_site.edit(
        "content/far-side.md",
        "The motto: {fact motto}.",
        "The motto: {fact mottos}, said 40 times.",
    )
    result = scratch_site.run("check")
    lines = result.stderr.splitlines()
    page = f"{scratch_site.content}/far-side.md"
    line = scratch_site.line_of("content/far-side.md", "40 times")
    assert lines == [
        f"{page}:{line}: number typed into prose: '40 times': take it from the data with "
        "{fact ID}, or write {literal 40} if it is not data",
        f"{page}:{line}: unknown fact 'mottos' (did you mean 'motto'?)",
        "Build failed: 2 errors.",
    ]
