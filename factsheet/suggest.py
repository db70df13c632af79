"""'Did you mean': the closest known names to one that is not known, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` known names that look like `name`, the closest first (ties: A to Z)."""
    # A ratio of 0.8 needs 2 * min(lengths) >= 0.8 * (sum of lengths): names too long or too
    # short for that are dropped before difflib indexes them (a 100 KB typo took 0.6 s).
    possible = {k for k in known if 5 * min(len(k), len(name)) >= 2 * (len(k) + len(name))}
    if not possible:
        return []
    matches = difflib.get_close_matches(name, sorted(possible), n=limit, cutoff=0.8)
    score = {m: difflib.SequenceMatcher(None, name, m).ratio() for m in matches}
    return sorted(matches, key=lambda m: (-score[m], m))


def did_you_mean(name: str, known: Iterable[str], shown_as: Mapping[str, str] | None = None) -> str:
    """' (did you mean 'a' or 'b'?)' to append to a message, or '' when nothing is close.

    `shown_as` maps a known spelling to the name to suggest (a page linked as 'guide.md' is
    matched by that spelling and suggested as 'guide/index.md')."""
    shown = shown_as or {}
    matches = list(dict.fromkeys(shown.get(m, m) for m in closest(name, known)))
    if not matches:
        return ""
    quoted = [repr(match) for match in matches]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {listed}?)"


# PyYAML's words for a line indented more or less than its neighbours allow.
INDENTATION_PROBLEMS = (
    "mapping values are not allowed",
    "expected <block end>",
    "did not find expected key",
    "did not find expected '-'",
    "could not find expected ':'",
    "found character '\\t'",
)


def yaml_hint(problem: str | None) -> str:
    """Plain advice to append to a YAML parser's message when the cause is indentation."""
    if not problem or not any(words in problem for words in INDENTATION_PROBLEMS):
        return ""
    hint = ": check the indentation of this line and the lines above it (spaces, not tabs)"
    if "mapping values" in problem:  # also what an unquoted "title: a: b" gives
        hint += ", or quote a value that contains ': '"
    return hint
