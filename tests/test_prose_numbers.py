"""Facts are sacred: every number in the prose of a topic page comes from the data, unchanged.

Builds the real content once, then reads each topic page's prose the way a reader does. A value
shown for a fact must be exactly the fact's formatted value from the data; a digit anywhere else
in the prose must belong to a name (Chang'e-6, Apollo 11, Long March 5...) or be a bare year
("as of November 2026", "since 2019"), never a measurement, a day or a time. Tables and charts
generated from data are checked through their facts, not their text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from factsheet.config import make_config
from factsheet.facts import load_factbook
from factsheet.site import build

ROOT = Path(__file__).resolve().parent.parent
TOPIC_PAGES = ["mission", "far-side", "south-pole-aitken-basin", "lunar-race"]

# A digit in prose is fine only inside a name: spacecraft, rockets, missions, points in space.
NAME_WITH_NUMBER = re.compile(
    r"(?:Chang[’']e|Luna|Apollo|Queqiao|Long\s+March|Chandrayaan|Surveyor|Artemis|Yutu|IM|"
    r"Blue Ghost Mission|Hakuto-R Mission|Mission|Ranger|Lunokhod|Zond|Kosmos|Beresheet|"
    r"Earth-Moon L|L|CZ|Y|Phase|Falcon|Starship HLS|SLS Block|Vulcan Centaur|Sputnik|Bridge|"
    r"Rabbit|UTC[+\u2212-])"
    r"[\s\u2011-]?\d+[A-Z]?"
    r"|\b(?:19|20)\d{2}s?\b"  # a bare year or decade
)
SKIPPED_CLASSES = {"cite", "headerlink", "chart-figure", "facts-table", "footnote-backref",
                   "footnote-ref", "visually-hidden", "references"}
SKIPPED_TAGS = {"code", "svg", "script", "style", "sup"}


class ProseReader(HTMLParser):
    """Collects the prose text of <div class="prose"> and the text of each fact value in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str | None]] = []  # (tag, skipped, fact id)
        self.prose_depth: int | None = None  # stack depth of the open <div class="prose">
        self.prose: list[str] = []
        self.facts: list[tuple[str, str]] = []  # (fact id, text shown)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"):
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if "prose" in classes and tag == "div" and self.prose_depth is None:
            self.prose_depth = len(self.stack)
        parent_skipped = bool(self.stack) and self.stack[-1][1]
        skipped = parent_skipped or bool(classes & SKIPPED_CLASSES) or tag in SKIPPED_TAGS
        in_prose = self.prose_depth is not None
        fact = attributes.get("data-fact") if "fact" in classes and in_prose else None
        if fact and not skipped:
            self.facts.append((fact, ""))
        self.stack.append((tag, skipped, fact))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _skipped, _fact = self.stack.pop()
            if len(self.stack) == self.prose_depth:
                self.prose_depth = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.prose_depth is None or (self.stack and self.stack[-1][1]):
            return
        inside_fact = next((fact for _tag, _s, fact in reversed(self.stack) if fact), None)
        if inside_fact:
            fact_id, text = self.facts[-1]
            self.facts[-1] = (fact_id, text + data)
        else:
            self.prose.append(data)


@pytest.fixture(scope="module")
def built_topic_pages(tmp_path_factory):
    if not all((ROOT / "content" / f"{name}.md").exists() for name in TOPIC_PAGES):
        pytest.skip("the topic pages are not written yet")
    scratch = tmp_path_factory.mktemp("prose")
    config, errors = make_config(ROOT, out=scratch / "site", cache=scratch / "cache",
                                 base_path="/moon/")
    assert not errors
    build(config)
    book, problems = load_factbook(ROOT / "content" / "data", ROOT)
    assert not problems
    pages = {}
    for name in TOPIC_PAGES:
        reader = ProseReader()
        reader.feed((scratch / "site" / name / "index.html").read_text(encoding="utf-8"))
        pages[name] = reader
    return book, pages


@pytest.mark.parametrize("name", TOPIC_PAGES)
def test_every_fact_shown_is_the_data_value(built_topic_pages, name):
    book, pages = built_topic_pages
    shown = pages[name].facts
    assert shown, f"/{name}/ shows no facts from the data"
    for fact_id, text in shown:
        assert text == book.facts[fact_id].text(), f"/{name}/ shows {fact_id} as {text!r}"


@pytest.mark.parametrize("name", TOPIC_PAGES)
def test_no_number_in_prose_outside_the_data(built_topic_pages, name):
    _book, pages = built_topic_pages
    prose = " ".join(pages[name].prose)
    without_names = NAME_WITH_NUMBER.sub("", prose)
    strays = [m.group(0) for m in re.finditer(r"\S*\d\S*", without_names)]
    assert not strays, f"/{name}/ has numbers typed into the prose, not taken from data: {strays}"


@pytest.mark.parametrize("name", TOPIC_PAGES)
def test_topic_page_cites_sources(built_topic_pages, name):
    _book, pages = built_topic_pages
    assert len(pages[name].facts) >= 5, f"/{name}/ cites fewer than five facts"


def test_reader_sees_prose_and_facts_separately():
    """The reader itself: a fact's text is checked, prose digits outside facts are caught."""
    reader = ProseReader()
    reader.feed('<div class="prose"><p>Mass <span class="fact" data-fact="m">1,935.3\u00a0g'
                '</span><sup class="cite"><a href="#ref-1">[1]</a></sup> in 53 days on '
                'Chang\u2019e-6, as of 2026, landing on 2 June.</p></div>')
    assert reader.facts == [("m", "1,935.3\u00a0g")]
    prose = NAME_WITH_NUMBER.sub("", " ".join(reader.prose))
    assert re.findall(r"\S*\d\S*", prose) == ["53", "2"]
