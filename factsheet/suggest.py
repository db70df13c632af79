"""'Did you mean': the closest known names to one that is not known, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` known names that look like `name`, the closest first (ties: A to Z)."""
    matches = difflib.get_close_matches(name, sorted(set(known)), n=limit, cutoff=0.8)
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
