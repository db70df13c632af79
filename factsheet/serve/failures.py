"""A failed build as `path:line: message` lines for the console and the overlay: the build's own
errors as they are, a file that is not UTF-8 named as such, and a bug in the generator at the
innermost line of project code that raised (never a traceback)."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from pathlib import Path

from .watch import PACKAGE_DIR

TEXT_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")


def display(path: str | Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def describe_failure(exc: BaseException, root: Path, suspects: Iterable[str] = ()) -> list[str]:
    """The lines to show for an exception out of a build; `suspects` are the files that may
    hold bytes that are not UTF-8 (a decoding error names no file)."""
    if isinstance(exc, UnicodeDecodeError):
        undecodable = not_utf8(suspects, root)
        if undecodable:
            return undecodable
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ == "BuildError" and isinstance(errors, (list, tuple)):
        problems = [str(e) for e in errors if not getattr(e, "warning", False)]
        return problems or [str(e) for e in errors]
    if isinstance(exc, SyntaxError) and exc.filename:
        return [f"{display(exc.filename, root)}:{exc.lineno}: SyntaxError: {exc.msg}"]
    place = "build"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if (root in path.parents or PACKAGE_DIR in path.parents) and ".venv" not in path.parts:
            place = f"{display(path, root)}:{frame.lineno}"
    return [f"{place}: internal error: {type(exc).__name__}: {exc}"]


def not_utf8(paths: Iterable[str], root: Path) -> list[str]:
    """`path:line: ...` for each of these files whose bytes do not decode as UTF-8."""
    found = []
    for path in sorted(paths):
        try:
            data = Path(path).read_bytes()
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            found.append(
                f"{display(path, root)}:{line}: not UTF-8 text (byte 0x{data[bad.start]:02x} "
                "cannot be read); save the file as UTF-8"
            )
        except OSError:
            continue
    return found


def text_inputs(config) -> list[str]:
    """Every Markdown and YAML file of the site (read only after a decoding error)."""
    folders = {config.content_dir, config.data_dir}
    return sorted(
        {str(p) for f in folders for p in f.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file()}
    )
