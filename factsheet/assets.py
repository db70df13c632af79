"""The static files (static/): which there are, and the name each is published under."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from .errors import BuildError, SiteError, display_path
from .safe_files import UnsafeFileError, check_input, leads_outside

HASHED_SUFFIXES = (".css", ".js")  # cache-busting names for what browsers cache hardest


def static_files(static_dir: Path, project: Path | None = None) -> dict[str, Path]:
    """Every file under static/ by its path relative to it, in a stable order.

    Raise BuildError naming every entry that is not a regular file inside static/ or the
    project: a link to a file outside, a FIFO, a device or a socket (see safe_files).
    """
    if not static_dir.is_dir():
        return {}
    within = (static_dir, project) if project else (static_dir,)
    files, errors = {}, []
    for path in sorted(static_dir.rglob("*")):
        if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        if path.is_symlink() and path.is_dir():  # a linked folder is not followed
            outside = leads_outside(path, within)
            if outside is not None:
                errors.append(
                    SiteError(
                        display_path(path, project),
                        None,
                        f"is a symbolic link to {outside}, outside the project: remove it",
                    )
                )
            continue
        try:
            check_input(path, within)
        except UnsafeFileError as problem:
            errors.append(SiteError(display_path(path, project), None, str(problem)))
            continue
        files[path.relative_to(static_dir).as_posix()] = path
    if errors:
        raise BuildError(errors)
    return files


def asset_names(files: dict[str, Path]) -> dict[str, str]:
    """Map each static file to its output path; CSS and JS get a content hash in the name."""
    names = {}
    for rel, path in files.items():
        pure = PurePosixPath(rel)
        if pure.suffix in HASHED_SUFFIXES:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=5).hexdigest()
            pure = pure.with_name(f"{pure.stem}.{digest}{pure.suffix}")
        names[rel] = f"static/{pure.as_posix()}"
    return names
