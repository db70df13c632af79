"""Numbers typed into prose: the site's promise is that every number a reader sees comes from
the data, so a quantity, a count, a day or a time written by hand is flagged with its line.

A Python-Markdown extension looks at the tree each page becomes, after inline patterns have put
facts in place and before typography, so the text is what the author typed. Allowed in prose:
- a fact's value (`{fact ID}`), citation markers, footnote numbers, code;
- a bare year (`in 2019`, `the 1960s`);
- a number that is part of a name listed under `names:` in a data file (`Apollo #` stands for
  Apollo 11, Apollo 17...), so the list of names is content, not code;
- a quoted passage: `"..."`, `“...”`, `<q>` and block quotes;
- a literal the author vouches for: `{literal 9,000}`, or `{: .literal}` on an element.

A finding is a warning in `build`, an error in `check` and under `--strict`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 - Python-Markdown's own name
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .errors import SiteError, display_path
from .fact_loading import data_files
from .yamlfile import read_yaml

MESSAGE = "number typed into prose"  # every finding starts so: `check` treats them as errors
NAME_NUMBER = "#"  # in a name, stands for any number: "Apollo #"
MAX_LISTED = 10  # findings listed a page; the rest are counted in one more line

SKIPPED_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "svg", "math", "blockquote", "q"}
SKIPPED_CLASSES = {
    "fact",
    "literal",
    "cite",
    "footnote-ref",
    "footnote-backref",
    "build-problem",
    "facts-table",
    "chart-block",
    "table-wrap",
}
# Elements whose text is read as one passage; their inline children are part of it.
BLOCK_TAGS = {
    "div",
    "p",
    "li",
    "ol",
    "ul",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "section",
    "details",
    "summary",
    "figure",
    "figcaption",
    "header",
    "footer",
    "aside",
    "nav",
}

# Placeholders Python-Markdown leaves in text for stashed raw HTML (they hold digits).
PLACEHOLDER = re.compile("\x02[a-z]+:\\d+\x03")
QUOTED = re.compile(r'"[^"\n]*"|“[^”]*”|«[^»]*»')
DIGIT = re.compile(r"\d")
NUMBER = re.compile(r"\d(?:[\d,.:]*\d)?(?:st|nd|rd|th|s)?")
YEAR = re.compile(r"(?:1[5-9]|20)\d\d s?".replace(" ", ""))
SPELLING = str.maketrans(
    {"’": "'", "‘": "'", "\u2011": "-", "\u2010": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "}
)


def is_prose_number(error: SiteError) -> bool:
    """True for a finding of this module (so `check` can refuse it even without --strict)."""
    return error.message.startswith(MESSAGE)


# ---------------------------------------------------------------------------------------------
# Names: read from the data


def load_names(data_dir: Path, root: Path | None = None) -> tuple[tuple[str, ...], list[SiteError]]:
    """Every entry of every `names:` list in the data files, in file order."""
    names: list[str] = []
    errors: list[SiteError] = []
    for path in data_files(data_dir):
        shown = display_path(path, root)
        document, problems = read_yaml(path, shown)
        if problems or not isinstance(document, dict) or "names" not in document:
            continue  # an unreadable file is reported by the fact loader
        entries = document["names"]
        if not isinstance(entries, list) or not all(
            isinstance(e, str) and e.strip() for e in entries
        ):
            errors.append(
                SiteError(
                    shown,
                    document.line_of("names"),
                    "'names' must be a list of names (text), e.g. - Apollo #",
                )
            )
            continue
        for index, entry in enumerate(entries):
            if not re.search(r"[\d#]", entry):  # unquoted `- Apollo #` reads as "Apollo"
                line = entries.item_lines[index] if hasattr(entries, "item_lines") else None
                errors.append(
                    SiteError(
                        shown,
                        line,
                        f"name {entry!r} holds no number and no "
                        '#: quote a name with # ("Apollo #"), since YAML '
                        "reads an unquoted ' #' as a comment",
                    )
                )
            names.append(entry.strip())
    return tuple(names), errors


def names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One regular expression matching any listed name; `#` matches any number."""
    if not names:
        return None
    alternatives = []
    for name in sorted(set(names), key=len, reverse=True):
        parts = [re.escape(part) for part in name.translate(SPELLING).split(NAME_NUMBER)]
        body = r"\d+[A-Za-z]?".join(parts)
        alternatives.append(re.sub(r"\\ ", r"\\s+", body))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# ---------------------------------------------------------------------------------------------
# Finding numbers in text


def stray_numbers(text: str, names: re.Pattern | None = None) -> list[str]:
    """The numbers in a passage of prose that no rule allows, each with the word after it
    (so the author can find it: '2 June', '9,000 kg')."""
    if DIGIT.search(text) is None:  # most passages: nothing to look for
        return []
    text = PLACEHOLDER.sub(" ", text.translate(SPELLING))
    text = QUOTED.sub(" ", text)
    if names is not None:
        text = names.sub(" ", text)
    found = []
    for match in NUMBER.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if before.isalpha() or before == "_":  # part of a word or code name: "L2", "CZ5"
            continue
        if YEAR.fullmatch(match.group(0)):
            continue
        following = re.match(r"[ \t]*([^\W\d_]+|%|°)", text[match.end() :])
        found.append(match.group(0) + (f" {following.group(1)}" if following else ""))
    return found


def locate_all(lines: list[str], first_line: int, findings: list[str]) -> list[int]:
    """The line of each finding (findings come in reading order). Each is looked for from the
    line of the one before it, then from the top of the body (a footnote is read last but may be
    written anywhere), skipping occurrences already given to an earlier finding, so a repeated
    phrase gets its own line. The number and its word are tried first, then the number alone."""
    body = [line.translate(SPELLING) for line in lines[first_line - 1 :]]
    taken: Counter[tuple[int, str, str]] = Counter()
    located, start = [], 0
    for finding in findings:
        number, _, word = finding.partition(" ")
        order = [*range(start, len(body)), *range(start)]
        found = None
        for wanted in (word, ""):
            found = next(
                (i for i in order if _count(body[i], number, wanted) > taken[(i, number, wanted)]),
                None,
            )
            if found is not None:
                taken[(found, number, wanted)] += 1
                break
        start = start if found is None else found
        located.append(first_line + start)
    return located


def _count(line: str, number: str, word: str) -> int:
    """How often `line` has `number` standing alone (not inside 53 or L2), then `word`."""
    count, at = 0, line.find(number)
    while at != -1:
        end = at + len(number)
        before = line[at - 1] if at else " "
        after = line[end] if end < len(line) else " "
        if (
            not (before.isalnum() or before in "_.,-")
            and not after.isdigit()
            and (not word or line[end:].lstrip().startswith(word))
        ):
            count += 1
        at = line.find(number, at + 1)
    return count


# ---------------------------------------------------------------------------------------------
# The Markdown extension


@dataclass
class Findings:
    """What one conversion found: the strays, in reading order. Reset for every page."""

    strays: list[str] = field(default_factory=list)


def _skipped(element: etree.Element) -> bool:
    if element.tag in SKIPPED_TAGS:
        return True
    classes = element.get("class")
    if classes and not SKIPPED_CLASSES.isdisjoint(classes.split()):
        return True
    return (element.get("id") or "").startswith("fnref")


class ProseNumbersTreeprocessor(Treeprocessor):
    """Reads each block of prose as one passage (so a quotation may span emphasis) and records
    every number no rule allows."""

    def __init__(self, md: Markdown, extension: ProseNumbersExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        self._block(root)

    def _block(self, element: etree.Element) -> None:
        if _skipped(element):
            return
        pieces: list[str] = []
        self._collect(element, pieces)
        self.extension.findings.strays += stray_numbers("".join(pieces), self.extension.names)

    def _collect(self, element: etree.Element, pieces: list[str]) -> None:
        pieces.append(element.text or "")
        for child in element:
            if _skipped(child):
                pieces.append(" ")
            elif child.tag in BLOCK_TAGS:
                self._block(child)
                pieces.append("\n")
            else:
                self._collect(child, pieces)
            pieces.append(child.tail or "")


class ProseNumbersExtension(Extension):
    """The check; read `findings` after each conversion. (`{literal ...}` is read by the
    fact pattern of markdown_ext.py, into an element of class `literal`.)"""

    def __init__(self, names: tuple[str, ...] = ()):
        super().__init__()
        self.names = names_pattern(names)
        self.findings = Findings()

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.registerExtension(self)
        # After attr_list (8) so `{: .literal}` is a class; before typography (6) changes text.
        md.treeprocessors.register(ProseNumbersTreeprocessor(md, self), "prose-numbers", 7.5)

    def reset(self) -> None:
        self.findings = Findings()


def prose_number_errors(
    shown: str, lines: list[str], body_line: int, strays: list[str]
) -> list[SiteError]:
    """The findings of one page as warnings with their lines: the first MAX_LISTED, then one
    line for the rest, as a compiler stops listing errors (the synthetic benchmark corpus types
    about 46 numbers a page: listing 46,000 findings for 1,000 pages doubled the build's memory)."""
    listed = strays[:MAX_LISTED]
    errors = [
        SiteError(
            shown,
            line,
            f"{MESSAGE}: '{stray}': take it from the data with {{fact ID}}, or write "
            f"{{literal {stray.partition(' ')[0]}}} if it is not data",
            warning=True,
        )
        for stray, line in zip(listed, locate_all(lines, body_line, listed), strict=True)
    ]
    if len(strays) > MAX_LISTED:
        errors.append(
            SiteError(
                shown,
                errors[-1].line,
                f"{MESSAGE}: {len(strays) - MAX_LISTED} more on "
                "this page after these; fix these and check again",
                warning=True,
            )
        )
    return errors
