"""How to cite a page or a fact: one Citation, written as plain text, BibTeX, RIS and CSL-JSON.

Pure functions of a frozen Citation; the writer turns each into `<page>/cite.bib`, `cite.ris`
and `cite.json`, and the template partial `partials/cite-this.html` shows the plain text and
links to the three downloads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from .facts import Fact, PartialDate, SiteMeta
from .pages import Page

LICENSE_NAME = "CC BY 4.0"
LICENSE_SPDX = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
DOWNLOADS = ("cite.bib", "cite.ris", "cite.json")

# Characters that mean something to BibTeX or LaTeX in a field's text, and how to write them
# literally. One pass over the text, so a backslash written for one is never escaped again.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in BIBTEX_ESCAPES))


@dataclass(frozen=True)
class Citation:
    """What a reference manager needs to cite one page or one fact of the site."""

    key: str  # the BibTeX key and CSL-JSON id: letters, digits, "-" and ":"
    title: str
    author: str  # an organisation, cited as one name ("Far Side editors")
    container: str  # the site's title
    url: str  # the canonical, absolute URL
    path: str  # the site path without the base ("far-side/"): the downloads live under it
    accessed: date  # the build's date: when the text was last published
    issued: PartialDate | None = None  # the page's `updated` or the fact's `verified` date
    kind: str = "webpage"  # the CSL type: "webpage" for a page, "dataset" for a fact
    language: str = "en"

    def text(self) -> str:
        """The plain-text citation, for templates."""
        return plain_text(self)

    @property
    def downloads(self) -> tuple[str, ...]:
        """The site paths of the three download files."""
        return tuple(self.path + name for name in DOWNLOADS)


def page_citation(page: Page, site: SiteMeta, absolute_url, accessed: date) -> Citation:
    """The citation of a page: its title, the site's author, its `updated` date."""
    slug = page.url_path.strip("/").replace("/", ":") or "home"
    return Citation(
        key=f"{_site_key(site)}:{slug}",
        title=page.title,
        author=site.author or site.title,
        container=site.title,
        url=absolute_url(page.url_path),
        path=page.url_path,
        accessed=accessed,
        issued=page.updated,
        kind="webpage",
        language=site.language,
    )


def fact_citation(fact: Fact, site: SiteMeta, absolute_url, accessed: date) -> Citation:
    """The citation of one fact, at `facts/<id>/`: its label, dated when it was verified."""
    path = f"facts/{fact.id}/"
    return Citation(
        key=f"{_site_key(site)}:fact:{fact.id}",
        title=fact.label,
        author=site.author or site.title,
        container=site.title,
        url=absolute_url(path),
        path=path,
        accessed=accessed,
        issued=fact.verified,
        kind="dataset",
        language=site.language,
    )


def download_files(citation: Citation) -> dict[str, str]:
    """The three download files of a citation, by site path."""
    bib, ris, csl = citation.downloads
    return {bib: bibtex(citation), ris: ris_record(citation), csl: csl_json(citation)}


def _site_key(site: SiteMeta) -> str:
    return re.sub(r"[^a-z0-9]+", "", site.title.lower()) or "site"


def _long_date(day: date) -> str:
    return PartialDate(day.year, day.month, day.day).text()


# -- plain text ---------------------------------------------------------------------------------


def plain_text(citation: Citation) -> str:
    """Author. "Title." Container, date. URL. Accessed date. (A common web-page form.)"""
    dated = f", {citation.issued.text()}" if citation.issued else ""
    return (
        f"{citation.author}. \u201c{citation.title}.\u201d {citation.container}{dated}. "
        f"{citation.url}. Accessed {_long_date(citation.accessed)}."
    )


# -- BibTeX -------------------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX field writes it: every special character literal."""
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], text)


def bibtex(citation: Citation) -> str:
    """A @misc entry (BibTeX and biblatex alike read it); the author in double braces, so an
    organisation is never split into first and last names."""
    fields = [
        ("author", "{" + bibtex_escape(citation.author) + "}"),
        ("title", bibtex_escape(citation.title)),
        ("howpublished", bibtex_escape(citation.container)),
    ]
    if citation.issued:
        fields.append(("year", str(citation.issued.year)))
        fields.append(("date", citation.issued.iso()))
    fields += [
        ("url", _bibtex_url(citation.url)),
        ("urldate", citation.accessed.isoformat()),
        ("note", f"Accessed {_long_date(citation.accessed)}"),
        ("language", bibtex_escape(citation.language)),
    ]
    if citation.kind == "dataset":
        fields.append(("type", "Dataset"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def _bibtex_url(url: str) -> str:
    """A URL is read verbatim by the url package: percent-encode what BibTeX itself would
    misread (braces, backslash) instead of escaping it."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


# -- RIS ----------------------------------------------------------------------------------------


def ris_record(citation: Citation) -> str:
    """One RIS record: `TAG  - value` lines (CRLF, as the format's specification has them)."""
    lines = [
        ("TY", "DATA" if citation.kind == "dataset" else "ELEC"),
        ("AU", citation.author),
        ("TI", citation.title),
        ("T2", citation.container),
    ]
    if citation.issued:
        lines.append(("PY", str(citation.issued.year)))
        lines.append(("DA", _ris_date(citation.issued)))
    accessed = citation.accessed
    lines += [
        ("UR", citation.url),
        ("Y2", f"{accessed.year:04d}/{accessed.month:02d}/{accessed.day:02d}"),
        ("LA", citation.language),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _ris_date(day: PartialDate) -> str:
    """RIS dates are YYYY/MM/DD with empty parts left blank: `2024/06//`."""
    return (
        f"{day.year:04d}/{f'{day.month:02d}' if day.month else ''}/"
        f"{f'{day.day:02d}' if day.day else ''}/"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- CSL-JSON -----------------------------------------------------------------------------------


def csl_item(citation: Citation) -> dict:
    """The citation as a CSL-JSON item (the format of Zotero, Pandoc and citeproc)."""
    item: dict = {
        "id": citation.key,
        "type": citation.kind,
        "title": citation.title,
        "author": [{"literal": citation.author}],
        "container-title": citation.container,
        "URL": citation.url,
        "accessed": {
            "date-parts": [[citation.accessed.year, citation.accessed.month, citation.accessed.day]]
        },
        "language": citation.language,
    }
    if citation.issued:
        parts = [citation.issued.year, citation.issued.month, citation.issued.day]
        item["issued"] = {"date-parts": [[part for part in parts if part]]}
    return item


def csl_json(citation: Citation) -> str:
    """A CSL-JSON file: an array of one item."""
    return json.dumps([csl_item(citation)], ensure_ascii=False, indent=1) + "\n"
