"""An adversarial corpus of bad input (issue 10): markup and formulas smuggled in through data,
alias bombs, bytes that are not UTF-8, numbers that are not numbers, the lines of repeated
mistakes, URLs with spaces, and the Content-Security-Policy of the built site.

Every case is something a user would notice: live markup on a page, a formula in a spreadsheet,
a build that stalls or ends in a traceback, an error that names the wrong line. Each builds the
scratch site (conftest.py) with one thing broken, in-process unless the exit status matters.
"""

from __future__ import annotations

import csv
import io
import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

import pytest
from conftest import HtmlDoc, prose

from factsheet.errors import BuildError

FACTS = "content/data/facts.yaml"
FRONT = '---\ntitle: Test page\ndescription: "A page written by a test."\n---\n'
LIVE_MARKUP = re.compile(r"<(script|img|u|b|i|svg|iframe)\b", re.IGNORECASE)


def build_page(site, body: str) -> str:
    """Build the site with content/test.md holding `body`; return that page's prose HTML."""
    site.write("content/test.md", FRONT + body)
    site.build(base_path="/moon/")
    return prose(site.html("test/index.html"))


# ---------------------------------------------------------------------------------------------
# Data is text: markup in YAML never becomes markup on a page

TABLE_INJECTIONS = {
    "script in a fact label (row header)": (
        'label: "Chang\'e-6"',
        'label: "Luna 16 <script>alert(1)</script>"',
        "Luna 16 &lt;script&gt;alert(1)&lt;/script&gt;",
    ),
    "img onerror in an attribute cell": (
        "operator: CNSA",
        'operator: "<img src=x onerror=alert(1)>"',
        "&lt;img src=x onerror=alert(1)&gt;",
    ),
    "markup in the group title (caption)": (
        "title: Lunar landings",
        'title: "Lunar <u>landings</u>"',
        "Lunar &lt;u&gt;landings&lt;/u&gt;",
    ),
    "markup in the label column header": (
        "label_header: Mission",
        'label_header: "<b>Mission</b>"',
        "&lt;b&gt;Mission&lt;/b&gt;",
    ),
    "markup in the value column header": (
        "value_header: Landed (UTC)",
        'value_header: "<i>Landed</i>"',
        "&lt;i&gt;Landed&lt;/i&gt;",
    ),
    "markup in an extra column's header": (
        "label: Operator}",
        'label: "<svg onload=alert(1)>"}',
        "&lt;svg onload=alert(1)&gt;",
    ),
    "an ampersand is written once-escaped, an entity stays as typed": (
        "operator: CNSA",
        'operator: "AT&T &amp; co"',
        "AT&amp;T &amp;amp; co",
    ),
    "Markdown in data stays literal text": (
        "operator: CNSA",
        'operator: "*not emphasis* and `no code`"',
        "*not emphasis* and `no code`",
    ),
    "a fact reference in data is not expanded": (
        "operator: CNSA",
        'operator: "{fact mass}"',
        "{fact mass}",
    ),
    "a Markdown link in data is not a link": (
        "outcome: Success",
        'outcome: "[click](https://evil.example/)"',
        "[click](https://evil.example/)",
    ),
}


@pytest.mark.parametrize("case", TABLE_INJECTIONS)
def test_data_in_a_facts_table_is_text(scratch_site, case):
    old, new, expected = TABLE_INJECTIONS[case]
    scratch_site.edit(FACTS, old, new)
    html = build_page(scratch_site, "{facts-table landings}\n")
    table = html[html.index("<table") : html.index("</table>")]
    assert expected in table
    assert not LIVE_MARKUP.search(table), table
    assert "<em>" not in table and "<code>" not in table and 'evil.example/"' not in table
    assert 'data-fact="mass"' not in table


def test_data_keeps_its_typography_in_a_table(scratch_site):
    html = build_page(scratch_site, "{facts-table landings}\n")
    assert '<th scope="row">Chang\u2019e-6</th>' in html


TIMELINE_YAML = """\
groups:
  - id: ce6-timeline
    title: "Timeline <img src=x onerror=alert(1)>"
facts:
  - id: t-launch
    label: "Launch <script>alert(2)</script>"
    type: date
    value: "2024-05-03"
    as_of: "2024-05-03"
    sources: [src-a]
    group: ce6-timeline
  - id: t-land
    label: Landing
    type: date
    value: "2024-06-01"
    as_of: "2024-06-01"
    sources: [src-a]
    group: ce6-timeline
"""


def test_data_in_a_chart_caption_and_its_table_is_text(scratch_site):
    scratch_site.write("content/data/timeline.yaml", TIMELINE_YAML)
    html = build_page(scratch_site, "{chart mission-timeline}\n")
    outside_svg = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)
    assert "Timeline &lt;img src=x onerror=alert(1)&gt;" in outside_svg
    assert "Launch &lt;script&gt;alert(2)&lt;/script&gt;" in outside_svg
    assert not LIVE_MARKUP.search(outside_svg)


def test_markup_in_a_text_fact_and_an_infobox_label_is_text(scratch_site):
    scratch_site.edit(FACTS, "label: Sample mass returned", 'label: "Mass <b>bold</b>"')
    scratch_site.edit(FACTS, 'value: "Chang\'e goes -- far"', 'value: "<script>x()</script>"')
    scratch_site.build(base_path="/moon/")
    assert "Mass &lt;b&gt;bold&lt;/b&gt;" in scratch_site.html()
    far_side = scratch_site.html("far-side/index.html")
    assert "&lt;script&gt;x()&lt;/script&gt;" in far_side
    assert "<script>x()" not in far_side and "<b>bold" not in scratch_site.html()


HEADINGS = {
    "ampersand": ("## Fish & chips", "Fish &amp; chips"),
    "less-than written as an entity": ("## 1 &lt; 2", "1 &lt; 2"),
    "a bare less-than": ("## 3 < 4", "3 &lt; 4"),
    "quotes": ('## "Quoted" & done', "\u201cQuoted\u201d &amp; done"),
}


@pytest.mark.parametrize("case", HEADINGS)
def test_on_this_page_escapes_a_heading_once(scratch_site, case):
    heading, expected = HEADINGS[case]
    scratch_site.write(
        "content/test.md", FRONT + f"{heading}\n\nA.\n\n## Two\n\nB.\n\n## Three\n\nC.\n"
    )
    scratch_site.build(base_path="/moon/")
    html = scratch_site.html("test/index.html")
    toc = html[html.index('<nav class="toc"') :]
    toc = toc[: toc.index("</nav>")]
    first = re.search(r'<li><a href="#[^"]+">(.*?)</a></li>', toc).group(1)
    assert first == expected
    assert "&amp;amp;" not in toc and "&amp;lt;" not in toc


# ---------------------------------------------------------------------------------------------
# facts.csv: no cell a spreadsheet would run as a formula

FORMULA_CELLS = {
    "equals in a label": (
        "label: Basin diameter",
        'label: "=HYPERLINK(\\"http://x\\")"',
        "diameter",
        "label",
    ),
    "plus in a label": ("label: Basin diameter", 'label: "+1+cmd|/C calc!A0"', "diameter", "label"),
    "minus in a label": (
        "label: Basin diameter",
        'label: "-2+3+cmd|/C calc!A0"',
        "diameter",
        "label",
    ),
    "at sign in a label": (
        "label: Basin diameter",
        'label: "@SUM(1+1)*cmd|/C calc!A0"',
        "diameter",
        "label",
    ),
    "tab in a label": ("label: Basin diameter", 'label: "\\t=1+1"', "diameter", "label"),
    "carriage return in a label": (
        "label: Basin diameter",
        'label: "\\r=1+1"',
        "diameter",
        "label",
    ),
    "formula in a unit": (
        "unit: km\n    qualifier",
        'unit: "=1+1"\n    qualifier',
        "diameter",
        "unit",
    ),
    "formula as a text fact's value": (
        'value: "Chang\'e goes -- far"',
        'value: "=1+2"',
        "motto",
        "value",
    ),
    "formula shown in the display column": (
        'value: "Chang\'e goes -- far"',
        'value: "@cmd"',
        "motto",
        "display",
    ),
    "formula in a note": ("unit: g\n", 'unit: g\n    note: "=IMPORTXML(1)"\n', "mass", "note"),
}


def csv_rows(site) -> dict[str, dict[str, str]]:
    site.build()
    return {row["id"]: row for row in csv.DictReader(io.StringIO(site.html("facts.csv")))}


@pytest.mark.parametrize("case", FORMULA_CELLS)
def test_no_csv_cell_starts_a_formula(scratch_site, case):
    old, new, fact_id, column = FORMULA_CELLS[case]
    scratch_site.edit(FACTS, old, new)
    rows = csv_rows(scratch_site)
    cell = rows[fact_id][column]
    assert cell.startswith("'"), cell
    assert cell[1:].strip() != "" and cell[1] in "=+-@\t\r", cell
    for row in rows.values():  # and no other cell anywhere does
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_negative_numbers_stay_numbers_in_the_csv(scratch_site):
    scratch_site.edit(FACTS, "value: 2500\n", "value: -2500.5\n")
    scratch_site.edit(FACTS, "value: {min: 6.2, max: 8.2}", "value: {min: -8.2, max: -6.2}")
    rows = csv_rows(scratch_site)
    assert rows["diameter"]["value"] == "-2500.5"
    assert rows["depth"]["value"] == "-8.2/-6.2"
    assert rows["site-coords"]["value"].startswith("-41.6385")


# ---------------------------------------------------------------------------------------------
# YAML aliases: refused, quickly, with the line

ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_an_alias_bomb_in_data_fails_fast_with_its_line(scratch_site):
    scratch_site.write(
        "content/data/bomb.yaml",
        "sources:\n  - " + ALIAS_BOMB.replace("\n", "\n    ").rstrip() + "\n",
    )
    started = time.perf_counter()
    errors = scratch_site.errors()
    assert time.perf_counter() - started < 10
    assert errors[0].startswith("content/data/bomb.yaml:3: "), errors
    assert "alias" in errors[0]
    assert all(len(error) < 400 for error in errors)


def test_an_alias_bomb_in_front_matter_fails_fast_with_its_line(scratch_site):
    scratch_site.write(
        "content/bomb.md", f"---\ntitle: Bomb\ndescription: A bomb page.\n{ALIAS_BOMB}---\nBody.\n"
    )
    started = time.perf_counter()
    errors = scratch_site.errors()
    assert time.perf_counter() - started < 10
    assert errors == [
        "content/bomb.md:5: YAML aliases (*a) are not allowed: write the value out in full"
    ]


def test_a_single_alias_in_data_is_refused_on_its_line(scratch_site):
    scratch_site.edit(
        FACTS, "sources: [src-b]\n  - id: launch-day", "sources: &b [src-b]\n  - id: launch-day"
    )
    scratch_site.edit(
        FACTS,
        'value: {min: 6.2, max: 8.2}\n    unit: km\n    as_of: "2017"\n    sources: [src-b]',
        'value: {min: 6.2, max: 8.2}\n    unit: km\n    as_of: "2017"\n    sources: *b',
    )
    line = scratch_site.line_of(FACTS, "sources: *b")
    assert scratch_site.errors() == [
        f"{FACTS}:{line}: YAML aliases (*b) are not allowed: write the value out in full"
    ]


def test_a_merge_key_is_refused_on_its_line(scratch_site):
    scratch_site.write(
        "content/data/merge.yaml",
        """\
        sources:
          - &base {id: src-m, title: M, publisher: P, accessed: "2026"}
          - <<: *base
            id: src-n
        """,
    )
    assert scratch_site.errors() == [
        "content/data/merge.yaml:3: YAML aliases (*base) are not allowed: write the value out "
        "in full"
    ]


def test_an_error_quotes_at_most_a_short_excerpt_of_a_huge_value(scratch_site):
    scratch_site.edit(FACTS, 'as_of: "2017"', f'as_of: "{"9" * 2_000_000}"')
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith(f"{FACTS}:")
    assert len(errors[0]) < 400 and "\u2026" in errors[0], errors[0][:500]


# ---------------------------------------------------------------------------------------------
# Encoding: bytes that are not UTF-8 get the line; a byte-order mark is fine


def write_bytes(site, rel: str, data: bytes) -> None:
    path = site.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_a_latin1_byte_in_a_data_file_names_its_line(scratch_site):
    line = scratch_site.line_of(FACTS, "label: Basin depth")
    text = (scratch_site.root / FACTS).read_bytes()
    write_bytes(scratch_site, FACTS, text.replace(b"label: Basin depth", b"label: Basin d\xe9pth"))
    assert scratch_site.errors() == [
        f"{FACTS}:{line}: not UTF-8 text (byte 0xe9 in column 19): save the file as UTF-8"
    ]


def test_a_latin1_byte_in_a_page_body_names_its_line(scratch_site):
    write_bytes(scratch_site, "content/test.md", FRONT.encode() + b"One.\n\nCaf\xe9.\n")
    assert scratch_site.errors() == [
        "content/test.md:7: not UTF-8 text (byte 0xe9 in column 4): save the file as UTF-8"
    ]


def test_a_latin1_byte_in_front_matter_names_its_line(scratch_site):
    write_bytes(
        scratch_site, "content/test.md", b"---\ntitle: Caf\xe9\ndescription: A page.\n---\nBody.\n"
    )
    assert scratch_site.errors() == [
        "content/test.md:2: not UTF-8 text (byte 0xe9 in column 11): save the file as UTF-8"
    ]


def test_a_binary_data_file_exits_1_without_a_traceback(scratch_site):
    write_bytes(scratch_site, "content/data/blob.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    result = scratch_site.run()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert re.match(r".*content/data/blob\.yaml:1: not UTF-8 text", result.stderr)


def test_a_control_character_in_a_data_file_names_its_line(scratch_site):
    scratch_site.edit(FACTS, "label: Basin depth", "label: Basin\x07depth")
    line = scratch_site.line_of(FACTS, "label: Basin\x07")
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith(f"{FACTS}:{line}: invalid YAML: "), errors


def test_a_byte_order_mark_before_front_matter_is_accepted(scratch_site):
    write_bytes(scratch_site, "content/test.md", b"\xef\xbb\xbf" + FRONT.encode() + b"Hi.\n")
    scratch_site.build()
    html = scratch_site.html("test/index.html")
    assert "<h1>Test page</h1>" in html and "<p>Hi.</p>" in html and "\ufeff" not in html


def test_a_byte_order_mark_with_windows_line_ends_is_accepted(scratch_site):
    page = (FRONT + "One {fact mass}.\n").replace("\n", "\r\n").encode()
    write_bytes(scratch_site, "content/test.md", b"\xef\xbb\xbf" + page)
    scratch_site.build()
    assert 'data-fact="mass"' in scratch_site.html("test/index.html")


def test_a_byte_order_mark_page_reports_the_right_line(scratch_site):
    write_bytes(
        scratch_site, "content/test.md", b"\xef\xbb\xbf" + FRONT.encode() + b"One.\n\n{fact nope}\n"
    )
    assert scratch_site.errors() == ["content/test.md:7: unknown fact 'nope'"]


def test_a_byte_order_mark_in_a_data_file_is_accepted(scratch_site):
    data = (scratch_site.root / FACTS).read_bytes()
    write_bytes(scratch_site, FACTS, b"\xef\xbb\xbf" + data)
    scratch_site.build()
    assert "1,935.3" in scratch_site.html()


# ---------------------------------------------------------------------------------------------
# Numbers: finite and sane, or an error on the data line

BAD_NUMBERS = {
    "nan": ("value: 1935.3", "value: !!float .nan"),
    "NaN spelled out": ("value: 1935.3", "value: !!float NaN"),
    "infinity": ("value: 1935.3", "value: !!float .inf"),
    "negative infinity": ("value: 1935.3", "value: !!float -.inf"),
    "Infinity spelled out": ("value: 1935.3", "value: !!float Infinity"),
    "hexadecimal int": ("value: 1935.3", "value: !!int 0x65"),
    "int with an exponent": ("value: 1935.3", "value: !!int 1e3"),
    "hexadecimal float": ("value: 1935.3", "value: !!float 0x1p3"),
    "5,000-digit integer": ("value: 1935.3", "value: " + "9" * 5000),
    "huge exponent": ("value: 1935.3", "value: 1.0e999999"),
    "tiny exponent": ("value: 1935.3", "value: 1.0e-999999"),
    "60 significant digits": ("value: 1935.3", "value: 1." + "3" * 60),
    "nan latitude": ("lat: -41.6385", "lat: !!float .nan"),
    "infinite range end": ("max: 8.2}", "max: !!float .inf}"),
}


@pytest.mark.parametrize("case", BAD_NUMBERS)
def test_a_number_that_is_not_finite_or_sane_is_an_error_on_its_data_line(scratch_site, case):
    old, new = BAD_NUMBERS[case]
    scratch_site.edit(FACTS, old, new)
    line = scratch_site.line_of(FACTS, new[:12])
    started = time.perf_counter()
    errors = scratch_site.errors()
    assert time.perf_counter() - started < 10
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{FACTS}:{line}: "), errors
    assert len(errors[0]) < 300
    assert not scratch_site.out.exists()


def test_a_bad_number_exits_1_without_a_traceback(scratch_site):
    scratch_site.edit(FACTS, "value: 1935.3", "value: !!int 0x65")
    result = scratch_site.run()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("value", ["!!int 0x10", "9" * 5000])
def test_a_bad_number_in_front_matter_is_an_error_on_its_line(scratch_site, value):
    scratch_site.write(
        "content/test.md", f"---\ntitle: T\ndescription: D.\norder: {value}\n---\nBody.\n"
    )
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith("content/test.md:4: "), errors


def test_large_but_sane_numbers_still_build(scratch_site):
    scratch_site.edit(FACTS, "value: 1935.3", "value: 7.342e22")
    scratch_site.build()
    assert "73,420,000,000,000,000,000,000" in scratch_site.html()


# ---------------------------------------------------------------------------------------------
# Every mistake on its own line


def test_the_same_unknown_fact_on_two_lines_gives_two_errors(scratch_site):
    scratch_site.write("content/test.md", FRONT + "One {fact nope}.\n\nTwo {fact nope}.\n")
    assert scratch_site.errors() == [
        "content/test.md:5: unknown fact 'nope'",
        "content/test.md:7: unknown fact 'nope'",
    ]


def test_a_mention_in_a_code_span_does_not_take_the_error(scratch_site):
    scratch_site.write(
        "content/test.md", FRONT + "Write `{fact nope}` like this.\n\nThen {fact nope}.\n"
    )
    assert scratch_site.errors() == ["content/test.md:7: unknown fact 'nope'"]


def test_the_same_unknown_source_twice_on_one_line_and_once_more(scratch_site):
    scratch_site.write("content/test.md", FRONT + "A{cite x} B{cite x}.\n\nC{cite x}.\n")
    assert scratch_site.errors() == [
        "content/test.md:5: unknown source 'x'",
        "content/test.md:7: unknown source 'x'",
    ]


def test_the_same_broken_link_on_two_lines_gives_two_errors(scratch_site):
    scratch_site.write("content/test.md", FRONT + "[a](gone.md)\n\n[b](gone.md)\n")
    assert scratch_site.errors() == [
        "content/test.md:5: link to a page that does not exist: 'gone.md'",
        "content/test.md:7: link to a page that does not exist: 'gone.md'",
    ]


def test_a_front_matter_mention_does_not_take_a_body_error(scratch_site):
    scratch_site.write(
        "content/test.md",
        "---\ntitle: About {fact nope}\ndescription: A page.\n---\nSee {fact nope}.\n",
    )
    assert scratch_site.errors() == ["content/test.md:5: unknown fact 'nope'"]


# ---------------------------------------------------------------------------------------------
# URLs with spaces and non-ASCII letters are percent-encoded everywhere


def test_page_urls_are_percent_encoded_in_sitemap_canonical_and_links(scratch_site):
    scratch_site.write(
        "content/Über Uns.md", "---\ntitle: Über uns\ndescription: Wir.\norder: 3\n---\nHallo.\n"
    )
    scratch_site.edit(
        "content/far-side.md",
        "Back [home](index.md).",
        "Back [home](index.md). [Uns](<Über Uns.md>)",
    )
    scratch_site.build(base_path="/moon/")
    encoded = "%C3%9Cber%20Uns/"
    sitemap = scratch_site.html("sitemap.xml")
    locs = [
        loc.text
        for loc in ET.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert f"https://example.org/scratch/{encoded}" in locs
    assert not any(" " in loc or "Ü" in loc for loc in locs)
    page = scratch_site.html("Über Uns/index.html")
    assert f'<link rel="canonical" href="https://example.org/scratch/{encoded}">' in page
    hrefs = [value for _, value, _ in HtmlDoc(scratch_site.html("far-side/index.html")).links]
    assert f"/moon/{encoded}" in hrefs  # the navigation and the Markdown link alike
    assert hrefs.count(f"/moon/{encoded}") == 2
    assert not any(" " in href for href in hrefs)
    assert unquote(urlsplit(f"/moon/{encoded}").path) == "/moon/Über Uns/"


# ---------------------------------------------------------------------------------------------
# The built site's Content-Security-Policy and referrer policy

CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def policy(html: str) -> dict[str, str]:
    match = CSP.search(html)
    assert match, "no Content-Security-Policy meta"
    return {d.split()[0]: " ".join(d.split()[1:]) for d in match.group(1).split(";") if d.strip()}


def test_every_page_has_a_strict_content_security_policy(built_site):
    pages = sorted(built_site.out.rglob("*.html"))
    assert len(pages) >= 4
    for path in pages:
        html = path.read_text(encoding="utf-8")
        rules = policy(html)
        assert rules["default-src"] == "'none'" or rules["default-src"] == "'self'"
        assert rules["script-src"] == "'none'"
        assert rules["object-src"] == "'none'"
        assert rules["base-uri"] == "'none'"
        assert rules["style-src"] == "'self'"  # no <style> element, no inline script
        assert {name for name, value in rules.items() if "unsafe" in value} == {"style-src-attr"}
        # It must come before anything it governs: the first thing after the charset.
        head = html[: html.index("</head>")]
        assert head.index("Content-Security-Policy") < head.index("<link")
        assert '<meta name="referrer" content="strict-origin-when-cross-origin">' in head


def test_raw_html_stays_allowed_for_authors(scratch_site):
    html = build_page(scratch_site, '<div class="note" markdown="1">A *raw* block.</div>\n')
    assert '<div class="note">' in html and "<em>raw</em>" in html


def test_the_policy_allows_what_markdown_itself_writes(scratch_site):
    """Table alignment is a style attribute: the policy lets attributes style, nothing else."""
    html = build_page(scratch_site, "| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<td style="text-align: right;">2</td>' in html
    rules = policy(scratch_site.html("test/index.html"))
    assert rules["style-src-attr"] == "'unsafe-inline'"


def test_the_dev_server_leaves_the_policy_out_so_its_reload_script_runs(built_site):
    from factsheet.serve import LIVE_SCRIPT, inject

    built = (built_site.out / "index.html").read_bytes()
    served = inject(built, LIVE_SCRIPT).decode()
    assert "Content-Security-Policy" not in served and LIVE_SCRIPT in served
    assert "Content-Security-Policy" in built_site.html()  # the built site keeps it


# ---------------------------------------------------------------------------------------------
# All problems in one run, and none that only follow from another


def test_data_front_matter_reference_and_template_errors_come_in_one_run(scratch_site):
    scratch_site.edit(FACTS, "label: Basin depth", "label: 1.10")
    scratch_site.write("content/broken.md", "---\ntitle: B\n---\nText.\n")
    scratch_site.edit("content/far-side.md", "{fact motto}", "{fact mottos}")
    scratch_site.edit("templates/page.html", "{% if infobox %}", "{% if infobox %")
    result = scratch_site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = [
        f"{scratch_site.root}/content/broken.md:1: front matter is missing required key "
        "'description'",
        f"{scratch_site.root}/{FACTS}:{scratch_site.line_of(FACTS, 'label: 1.10')}: 'label' of "
        "fact 'depth' must be text, not a number (1.10) (quote it: \"1.10\")",
        f"{scratch_site.root}/content/far-side.md:"
        f"{scratch_site.line_of('content/far-side.md', 'mottos')}: unknown fact 'mottos'",
        f"{scratch_site.root}/templates/page.html:"
        f"{scratch_site.line_of('templates/page.html', '{% if infobox %')}: template syntax "
        "error: ",
    ]
    assert len(lines) == len(expected) + 1, result.stderr
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith(start), result.stderr
    assert lines[-1].startswith("Build failed: 4 errors")
    assert not scratch_site.out.exists()


def test_a_fact_refused_by_its_data_is_not_also_unknown_to_its_pages(scratch_site):
    scratch_site.edit(FACTS, "value: 1935.3", "value: !!float .nan")  # `mass`, used on index.md
    scratch_site.edit(FACTS, "title: Basin survey", "title: [Basin survey]")  # source src-b
    scratch_site.edit(FACTS, "title: Lunar landings", "title: 12")  # group landings
    errors = scratch_site.errors()
    assert all(error.startswith(f"{FACTS}:") for error in errors), errors
    assert len(errors) == 3, errors


def test_a_data_file_that_does_not_parse_hides_no_page_error_and_adds_none(scratch_site):
    scratch_site.edit(FACTS, "label: Launch\n", "label: [Launch\n")
    scratch_site.edit("content/index.md", "(guide/index.md)", "(guide.md)")
    errors = scratch_site.errors()
    assert [e.split(":")[0] for e in errors] == [FACTS, "content/index.md"], errors
    assert "link to a page that does not exist: 'guide.md'" in errors[1]


def test_a_link_to_a_page_with_broken_front_matter_is_not_also_broken(scratch_site):
    scratch_site.edit("content/far-side.md", "order: 2\n", "order: two\n")
    assert scratch_site.errors() == [
        f"content/far-side.md:{scratch_site.line_of('content/far-side.md', 'order: two')}: "
        "'order' must be a whole number"
    ]


def test_an_error_about_a_huge_reference_is_short(scratch_site):
    scratch_site.write("content/big.md", FRONT + "{fact " + "x" * 2_000_000 + "}\n")
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith("content/big.md:5: unknown fact 'xxx")
    assert len(errors[0]) <= 320


@pytest.mark.parametrize(
    ("name", "encoded"), [("R&D.md", "R%26D/"), ("50% off.md", "50%25%20off/")]
)
def test_reserved_characters_in_a_page_name_are_encoded_in_the_sitemap(scratch_site, name, encoded):
    scratch_site.write(f"content/{name}", "---\ntitle: T\ndescription: D.\n---\nHi.\n")
    scratch_site.build()
    locs = [
        loc.text
        for loc in ET.fromstring(scratch_site.html("sitemap.xml")).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert f"https://example.org/scratch/{encoded}" in locs


# Regression guards: inputs the generator already handled, kept so they stay handled.

GUARDS = {
    "a Python object tag": (
        FACTS,
        "label: Launch\n",
        "label: !!python/object/apply:os.system [echo hi]\n",
        "could not determine a constructor",
    ),
    "5,000 nested lists": (
        FACTS,
        "label: Launch\n",
        "label: " + "[" * 5000 + "]" * 5000 + "\n",
        "exceeded maximum nesting depth",
    ),
    "a lone surrogate escape": (
        FACTS,
        "label: Launch\n",
        'label: "La\\ud800unch"\n',
        "invalid Unicode character escape",
    ),
}


@pytest.mark.parametrize("case", GUARDS)
def test_hostile_yaml_is_an_error_on_its_line(scratch_site, case):
    rel, old, new, message = GUARDS[case]
    line = scratch_site.line_of(rel, old.strip())
    scratch_site.edit(rel, old, new)
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith(f"{rel}:{line}: "), errors
    assert message in errors[0]


def test_a_title_cannot_close_the_json_ld_script(scratch_site):
    scratch_site.edit(
        "content/index.md",
        'title: "Chang\'e-6 at home"',
        'title: "</script><script>alert(1)</script>"',
    )
    scratch_site.build()
    html = scratch_site.html()
    assert html.count("<script") == 1  # the JSON-LD block, and nothing the title opened
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # <title>, <h1>, meta tags


def test_an_entity_in_a_text_fact_reads_as_typed_in_prose_and_infobox(scratch_site):
    scratch_site.edit(FACTS, 'value: "Chang\'e goes -- far"', 'value: "AT&amp;T & co"')
    scratch_site.edit("content/index.md", "infobox: [mass, landing]", "infobox: [motto]")
    scratch_site.build()
    for page in ("far-side/index.html", "index.html"):
        assert '<span class="fact" data-fact="motto">AT&amp;amp;T &amp; co</span>' in (
            scratch_site.html(page)
        )


@pytest.mark.parametrize("store", ["disk", "memory"])
def test_pages_checked_against_broken_data_are_right_once_it_is_fixed(scratch_site, store):
    """Pages rendered against the usable part of broken data must not be reused as they were."""
    from factsheet.incremental import MemoryStore
    from factsheet.site import build

    config = scratch_site.config()
    memory = MemoryStore() if store == "memory" else None
    build(config, store=memory)
    scratch_site.edit(FACTS, "value: 1935.3", "value: !!float .nan")
    scratch_site.edit("content/far-side.md", "{fact motto}", "{fact mottos}")
    with pytest.raises(BuildError):
        build(config, store=memory)
    scratch_site.edit(FACTS, "value: !!float .nan", "value: 1935.3")
    scratch_site.edit("content/far-side.md", "{fact mottos}", "{fact motto}")
    build(config, store=memory)
    assert 'data-fact="mass">1,935.3\u00a0g</span>' in scratch_site.html()
    assert "build-problem" not in scratch_site.html() + scratch_site.html("far-side/index.html")
