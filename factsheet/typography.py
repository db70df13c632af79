"""Typography for text a reader sees: curly quotes, dashes and an ellipsis.

Shared by the Markdown extension (text nodes), templates (titles, sources) and charts (labels),
so "Chang'e" is written Chang’e everywhere on the page.
"""

from __future__ import annotations

import re

QUOTE_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # Chang'e, don't
    (re.compile(r"'(?=\d0s\b)"), "\u2019"),  # the '90s
    (re.compile(r"""(^|(?<=[\s(\[{\u2014\u2013/-]))'"""), "\u2018"),
    (re.compile(r"'"), "\u2019"),
    (re.compile(r"""(^|(?<=[\s(\[{\u2014\u2013/-]))\""""), "\u201c"),
    (re.compile(r'"'), "\u201d"),
]
NO_TYPOGRAPHY = {"code", "pre", "kbd", "samp", "script", "style", "math"}
# What any rule needs: most text has a full stop or a hyphen, but no quote, -- or ...
ANY_RULE = re.compile(r"['\"]|--|\.\.\.")


def typographic(text: str) -> str:
    """Straight quotes to curly ones, -- and --- to dashes, ... to an ellipsis."""
    if ANY_RULE.search(text) is None:
        return text
    for pattern, replacement in QUOTE_RULES:
        text = pattern.sub(replacement, text)
    return text
