"""Errors as values with a place: collected during a build, reported as `path:line: message`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# No message repeats megabytes of input: a value quoted in one is cut to a short excerpt, and a
# message as a whole to a few lines (the dev server's overlay shows it on every page).
EXCERPT_LENGTH = 60
MESSAGE_LENGTH = 300


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """`repr(value)`, cut in the middle when longer than `limit`: '9999…9999'."""
    text = str(value)
    if len(text) > limit:
        half = limit // 2
        text = f"{text[:half]}\u2026{text[-half:]}"
    return repr(text)


def shorten(message: str, limit: int = MESSAGE_LENGTH) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "\u2026"


@dataclass(frozen=True, order=True, slots=True)  # slots: a build can hold 100,000 warnings
class SiteError:
    """One problem in the input, tied to the file (and line, when known) a user must edit."""

    path: str
    line: int | None
    message: str
    warning: bool = False

    def __post_init__(self) -> None:
        if len(self.message) > MESSAGE_LENGTH:  # however the message was made
            object.__setattr__(self, "message", shorten(self.message))

    # Pickled as a plain tuple: the cache holds every warning of the last build (a hundred
    # thousand on a large site), and dataclasses' own slots pickling is twice as slow.
    def __getstate__(self) -> tuple:
        return (self.path, self.line, self.message, self.warning)

    def __setstate__(self, state: tuple) -> None:
        path, line, message, warning = state
        # Interned as unpickled (from a worker process or the cache): ten thousand pages repeat
        # their path in every warning, and the same message on many pages.
        object.__setattr__(self, "path", sys.intern(path))
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "message", sys.intern(message))
        object.__setattr__(self, "warning", warning)

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else ""
        return f"{place}: {kind}{self.message}"


class ContentError(Exception):
    """A problem in the content that the code finding it can describe but not place: the caller
    that knows the page and line turns it into a SiteError. Any other exception raised while
    building is a bug in the generator, reported as an internal error (exit 2), never blamed
    on a line of someone's Markdown."""


class BuildError(Exception):
    """Raised when a build stage found errors; carries all of them, sorted for a stable report."""

    def __init__(self, errors: list[SiteError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(str(e) for e in self.errors))


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as a user would type it: relative to the project root (or cwd) when possible."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        for candidate in (path, None):  # resolve() only when the plain path won't do
            try:
                return (candidate or path.resolve()).relative_to(_resolved(base)).as_posix()
            except (ValueError, RuntimeError):  # RuntimeError: a symbolic link loop
                continue
    return path.as_posix()


@lru_cache(maxsize=16)
def _resolved(base: Path) -> Path:
    return base.resolve()


WARNINGS_SHOWN = 50  # a build names this many; `check` lists every one


def print_warnings(warnings, stream, limit: int | None = WARNINGS_SHOWN) -> None:
    """The warnings of a successful build. A large site with many (a corpus without `verified`
    dates warns once a fact) would bury the one line that says what was built, and printing
    thousands of lines costs real time on every rebuild: past `limit`, one line says how many
    more there are and where to see them."""
    shown = warnings if limit is None else warnings[:limit]
    if shown:
        print("\n".join(map(str, shown)), file=stream)
    if len(warnings) > len(shown):
        print(
            f"... and {len(warnings) - len(shown):,} more warnings: `build.py check` lists "
            "them all",
            file=stream,
        )


def report(errors, consequence: str = "", stream=None) -> int:
    """Every problem as `path:line: message`, then one summary line ("Build failed: N errors"
    and what that means for the site): the command line and the dev server report alike.
    Returns 1, the exit status of a failed build."""
    for error in errors:
        print(error, file=stream, flush=True)
    count = sum(1 for e in errors if not getattr(e, "warning", False))
    print(
        f"Build failed: {count} error{'s' if count != 1 else ''}{consequence}.",
        file=stream,
        flush=True,
    )
    return 1
