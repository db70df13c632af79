"""Cite this page / cite this fact: the plain text, the three downloads read back by real parsers
(bibtexparser, citeproc-py, a RIS reader), and what a built page offers a reader and Zotero."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
from citeproc import (
    Citation as CslCitation,
)
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from conftest import HtmlDoc

from factsheet.citations import LICENSE_URL, Citation, bibtex, csl_json, plain_text, ris_record
from factsheet.facts import PartialDate

NASTY = r"Braces {x}, 100% & #1_a ~ b^2 \ $5"  # every character BibTeX treats specially


def make_citation(**changes) -> Citation:
    values = dict(
        key="farside:far-side",
        title="The far side of the Moon",
        author="Far Side editors",
        container="Far Side",
        url="https://example.org/moon/far-side/",
        path="far-side/",
        accessed=date(2026, 12, 3),
        issued=PartialDate(2026, 11, 24),
    )
    values.update(changes)
    return Citation(**values)


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    assert len(library.entries) == 1
    entry = library.entries[0]
    return entry, {field.key: field.value for field in entry.fields}


def unescape_latex(text: str) -> str:
    """What LaTeX typesets for the escapes a BibTeX field may hold."""
    for escaped, char in [
        (r"\textbackslash{}", "\\"),
        (r"\textasciitilde{}", "~"),
        (r"\textasciicircum{}", "^"),
    ]:
        text = text.replace(escaped, char)
    return re.sub(r"\\([{}%&#_$])", r"\1", text)


def strip_escapes(text: str) -> str:
    text = re.sub(r"\\text(backslash|asciitilde|asciicircum)\{\}", "", text)
    return re.sub(r"\\[{}%&#_$]", "", text)


def parse_ris(text: str) -> list[tuple[str, str]]:
    """A small RIS reader: every line `TAG  - value`, CRLF-terminated; TY first, ER last."""
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    pairs = []
    for line in lines:
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        pairs.append((match.group(1), match.group(2)))
    assert pairs[0][0] == "TY" and pairs[-1] == ("ER", "")
    return pairs


def render_csl(text: str) -> str:
    """The CSL-JSON file rendered as a bibliography entry by citeproc-py."""
    items = json.loads(text)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(CslCitation([CitationItem(items[0]["id"])]))
    return str(bibliography.bibliography()[0])


def test_plain_text_names_author_title_date_url_and_access():
    text = plain_text(make_citation())
    assert text == (
        "Far Side editors. \u201cThe far side of the Moon.\u201d Far Side, "
        "24 November 2026. https://example.org/moon/far-side/. "
        "Accessed 3 December 2026."
    )
    assert plain_text(make_citation(issued=None)).startswith(
        "Far Side editors. \u201cThe far side of the Moon.\u201d Far Side. https://"
    )


def test_bibtex_round_trips_through_bibtexparser():
    entry, fields = parse_bibtex(bibtex(make_citation()))
    assert entry.entry_type == "misc" and entry.key == "farside:far-side"
    assert fields["title"] == "The far side of the Moon"
    assert fields["author"] == "{Far Side editors}"  # one organisation, never "Editors, Far Side"
    assert fields["url"] == "https://example.org/moon/far-side/"
    assert fields["urldate"] == "2026-12-03"
    assert fields["year"] == "2026" and fields["date"] == "2026-11-24"


@pytest.mark.parametrize("char", list("{}%&#_~^\\$"))
def test_bibtex_escapes_each_special_character(char):
    title = f"a {char} b"
    entry, fields = parse_bibtex(bibtex(make_citation(title=title, author=f"X{char}Y")))
    assert unescape_latex(fields["title"]) == title
    assert unescape_latex(fields["author"][1:-1]) == f"X{char}Y"
    # LaTeX would read a bare one as markup (`%` starts a comment): none is left unescaped.
    assert not set(strip_escapes(fields["title"])) & set("{}%&#_~^\\$")
    assert fields["url"] == "https://example.org/moon/far-side/"  # later fields not swallowed


def test_bibtex_keeps_every_field_with_all_special_characters_at_once():
    entry, fields = parse_bibtex(bibtex(make_citation(title=NASTY)))
    assert unescape_latex(fields["title"]) == NASTY
    assert set(fields) >= {"author", "title", "howpublished", "url", "urldate", "note"}


def test_csl_json_renders_through_citeproc():
    rendered = render_csl(csl_json(make_citation(title=NASTY)))
    assert rendered.startswith("Far Side editors (2026) " + NASTY)
    assert "Available at: https://example.org/moon/far-side/" in rendered
    assert "Accessed: December 3, 2026" in rendered


def test_csl_json_of_a_fact_is_a_dataset_without_a_date_when_never_verified():
    [item] = json.loads(csl_json(make_citation(kind="dataset", issued=None)))
    assert item["type"] == "dataset" and "issued" not in item
    assert "(no date)" in render_csl(csl_json(make_citation(kind="dataset", issued=None)))


def test_ris_has_the_tags_reference_managers_read():
    tags = dict(parse_ris(ris_record(make_citation(title="Two\nlines"))))
    assert tags["TY"] == "ELEC"
    assert tags["TI"] == "Two lines"  # a value never spills onto a line of its own
    assert tags["AU"] == "Far Side editors" and tags["T2"] == "Far Side"
    assert tags["UR"] == "https://example.org/moon/far-side/"
    assert tags["Y2"] == "2026/12/03" and tags["DA"] == "2026/11/24/" and tags["PY"] == "2026"
    month_only = dict(parse_ris(ris_record(make_citation(issued=PartialDate(2024, 6)))))
    assert month_only["DA"] == "2024/06//"
    assert dict(parse_ris(ris_record(make_citation(kind="dataset"))))["TY"] == "DATA"


# -- in a built site ----------------------------------------------------------------------------

EPOCH = 1764806400  # 2025-12-04T00:00:00Z


def test_every_page_offers_its_citation_and_downloads(scratch_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    scratch_site.edit("content/far-side.md", "order: 2\n", "order: 2\nupdated: 2026-11-24\n")
    scratch_site.build(base_path="/moon/")
    out = scratch_site.out
    html = scratch_site.html("far-side/index.html")
    assert "<summary>Cite this page</summary>" in html
    assert (
        "Scratch editors. \u201cThe far side.\u201d Scratch Side, 24 November 2026. "
        "https://example.org/scratch/far-side/. Accessed 4 December 2025."
    ) in html
    links = {href for _, href, _ in HtmlDoc(html).links}
    for name in ("cite.bib", "cite.ris", "cite.json"):
        assert f"/moon/far-side/{name}" in links
        assert (out / "far-side" / name).is_file()
        assert (out / "guide" / name).is_file() and (out / name).is_file()  # every page
    _, fields = parse_bibtex((out / "far-side/cite.bib").read_text())
    assert fields["urldate"] == "2025-12-04" and fields["title"] == "The far side"
    assert "Scratch editors (2026) The far side" in render_csl(
        (out / "far-side/cite.json").read_text()
    )
    assert (
        dict(parse_ris((out / "far-side/cite.ris").read_bytes().decode()))["TI"] == "The far side"
    )


def test_pages_carry_the_meta_tags_zotero_reads(built_site):
    doc = HtmlDoc(built_site.html("far-side/index.html"))
    meta = {tag["name"]: tag["content"] for tag in doc.find("meta") if tag.get("name")}
    assert meta["citation_title"] == "The far side"
    assert meta["citation_author"] == "Scratch editors"
    assert meta["citation_public_url"] == "https://example.org/scratch/far-side/"
    assert meta["DC.title"] == "The far side" and meta["DC.creator"] == "Scratch editors"
    assert meta["DC.identifier"] == "https://example.org/scratch/far-side/"
    assert "citation_date" not in meta  # the page has no `updated` date: none is invented
    assert 'name="citation_title"' not in built_site.html("404.html")


def test_every_fact_has_citation_downloads(built_site):
    out: Path = built_site.out
    for fact_id in ("mass", "landing", "slim-row"):
        for name in ("cite.bib", "cite.ris", "cite.json"):
            assert (out / "facts" / fact_id / name).is_file()
    _, fields = parse_bibtex((out / "facts/mass/cite.bib").read_text())
    assert fields["title"] == "Sample mass returned"
    assert fields["url"] == "https://example.org/scratch/facts/mass/"
    assert render_csl((out / "facts/mass/cite.json").read_text()).startswith(
        "Scratch editors (no date) \u201cSample mass returned\u201d"
    )


def test_a_verified_fact_is_dated_by_its_verification(scratch_site):
    scratch_site.edit(
        "content/data/facts.yaml",
        "    sources: [src-a]\n  - id: diameter",
        '    sources: [src-a]\n    verified: "2026-11-30"\n  - id: diameter',
    )
    scratch_site.build()
    [item] = json.loads((scratch_site.out / "facts/mass/cite.json").read_text())
    assert item["issued"] == {"date-parts": [[2026, 11, 30]]}


def test_citations_are_reproducible_under_source_date_epoch(scratch_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    scratch_site.build()
    first = (scratch_site.out / "cite.bib").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    scratch_site.build()
    assert b"urldate = {2025-12-05}" in (scratch_site.out / "cite.bib").read_bytes()
    assert b"Accessed 5 December 2025" in (scratch_site.out / "index.html").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    scratch_site.build()
    assert (scratch_site.out / "cite.bib").read_bytes() == first


# -- licence ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_states_the_content_licence(built_site):
    for page in ("index.html", "far-side/index.html", "guide/index.html", "404.html"):
        doc = HtmlDoc(built_site.html(page))
        footer_links = [a for a in doc.find("a", rel="license")]
        assert [a["href"] for a in footer_links] == [LICENSE_URL], page
        assert "Text and data: " in built_site.html(page)


def test_facts_json_carries_the_licence(built_site):
    data = json.loads(built_site.html("facts.json"))
    assert data["license"] == {"id": "CC-BY-4.0", "name": "CC BY 4.0", "url": LICENSE_URL}


def test_sources_dataset_names_its_licence(scratch_site):
    scratch_site.write(
        "content/sources.md",
        """\
        ---
        title: Sources
        description: "Every source of the site, grouped by publisher, and the data downloads."
        template: sources.html
        ---
        All of them.
        """,
    )
    scratch_site.build()
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>',
        scratch_site.html("sources/index.html"),
        re.S,
    )
    datasets = [json.loads(block) for block in blocks if '"Dataset"' in block]
    assert datasets and datasets[0]["license"] == LICENSE_URL


def test_repository_ships_both_licences():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    legal_code = (ROOT / "LICENSES/CC-BY-4.0.txt").read_text()
    assert legal_code.startswith("Creative Commons Attribution 4.0 International")
    assert "Section 3 – License Conditions." in legal_code
    assert 'license = "MIT AND CC-BY-4.0"' in (ROOT / "pyproject.toml").read_text()
