"""`build.py new page` and `build.py new fact`: starting points that pass validation once the
author fills in what only they can know. Nothing existing is ever overwritten."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from .fact_loading import data_files
from .facts import ID_PATTERN
from .pages import find_sources, split_front_matter
from .yamlfile import YamlMap, parse_yaml, read_yaml

DESCRIPTION_PLACEHOLDER = "TODO: say in one sentence what this page tells the reader."


class ScaffoldError(Exception):
    """Why nothing was written, in a sentence for the author."""


def slugify(title: str) -> str:
    """'Chang'e-7: the next step' -> 'change-7-the-next-step' (ASCII, lowercase, hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def next_order(content_dir: Path, data_dir: Path) -> int:
    """One more than the highest `order` of any page, so a new page comes last in the menu."""
    highest = 0
    for path in find_sources(content_dir, data_dir):
        front, _body, _line, _errors = split_front_matter(
            path.read_text(encoding="utf-8", errors="replace"), str(path)
        )
        order = front.get("order") if front is not None else None
        if isinstance(order, int) and not isinstance(order, bool):
            highest = max(highest, order)
    return highest + 1


def page_text(title: str, order: int) -> str:
    quoted_title = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        "---\n"
        f"title: {quoted_title}\n"
        f'description: "{DESCRIPTION_PLACEHOLDER}"\n'
        f"order: {order}\n"
        "draft: true\n"
        "---\n"
        "## First section\n"
        "\n"
        "Write the page here. Every number comes from the data: add a fact with\n"
        "`build.py new fact ID --file content/data/FILE.yaml`, then show it with `{fact ID}`.\n"
        "Remove `draft: true` above to publish the page.\n"
    )


def new_page(title: str, content_dir: Path, data_dir: Path) -> Path:
    """Write content/<slug>.md for `title` and return its path; refuse to replace a file."""
    title = title.strip()
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"title {title!r} has no letters or digits to name the file after")
    if not content_dir.is_dir():
        raise ScaffoldError(f"{content_dir}: --content folder does not exist")
    path = content_dir / f"{slug}.md"
    write_new_file(path, page_text(title, next_order(content_dir, data_dir)))
    return path


def fact_text(fact_id: str, indent: str = "  ") -> str:
    """A fact with every required key; the value and source are left for the author, so
    `check` names the lines to fill in until they are."""
    lines = [
        f"- id: {fact_id}",
        "  label: TODO what this number is",
        "  type: quantity  # quantity | date | datetime | coordinates | range | text",
        "  value:  # TODO the value, exactly as the source gives it",
        "  # unit: km  (optional; none for a count)",
        '  as_of: "YYYY-MM-DD"  # TODO when the value was true or announced',
        "  sources: []  # TODO one or more source ids",
    ]
    return "".join(f"{indent}{line}\n" for line in lines)


def existing_fact_ids(data_dir: Path) -> set[str]:
    ids = set()
    for path in data_files(data_dir):
        document, _problems = read_yaml(path, str(path))
        if isinstance(document, dict) and isinstance(document.get("facts"), list):
            ids |= {item.get("id") for item in document["facts"] if isinstance(item, dict)}
    return ids


def new_fact(fact_id: str, data_dir: Path, file: Path | None) -> str:
    """The skeleton of a fact; appended to `file` (created if missing) when one is named."""
    if not ID_PATTERN.match(fact_id):
        raise ScaffoldError(f"fact id {fact_id!r} must be lowercase letters, digits and hyphens")
    if fact_id in existing_fact_ids(data_dir):
        raise ScaffoldError(f"a fact {fact_id!r} already exists in {data_dir}")
    if file is None:
        return "facts:\n" + fact_text(fact_id)
    if file.suffix not in (".yaml", ".yml"):
        raise ScaffoldError(f"{file}: a data file must end in .yaml")
    if not file.exists():
        write_new_file(file, "facts:\n" + fact_text(fact_id))
        return fact_text(fact_id)
    text = file.read_text(encoding="utf-8")
    document, problems = parse_yaml(text, str(file))
    if problems:
        raise ScaffoldError(f"{problems[0]} (fix it first; nothing was written)")
    added = _appended(text, document, fact_id, file)
    combined = text + ("" if text.endswith("\n") or not text else "\n") + added
    _replace_atomically(file, combined)
    return added


def _appended(text: str, document: object, fact_id: str, file: Path) -> str:
    """What to add at the end of a data file so the new fact joins its `facts:` list."""
    if not isinstance(document, YamlMap):
        if document is None:
            return "facts:\n" + fact_text(fact_id)
        raise ScaffoldError(f"{file}: a data file must be a mapping with keys such as facts")
    if "facts" not in document:
        return "\nfacts:\n" + fact_text(fact_id)
    if list(document)[-1] != "facts":
        raise ScaffoldError(
            f"{file}: 'facts' is not the last key of the file, so a fact "
            "appended at the end would not join it; move 'facts:' to the end "
            "or run without --file and paste the skeleton"
        )
    items = re.findall(r"^([ \t]*)- id:", text.split("\nfacts:", 1)[-1], flags=re.MULTILINE)
    return "\n" + fact_text(fact_id, indent=items[0] if items else "  ")


def write_new_file(path: Path, text: str) -> None:
    """Create `path` with `text`; never replace a file that exists (checked atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; nothing was written") from None


def _replace_atomically(path: Path, text: str) -> None:
    """Write a new version of `path` beside it and swap it in: never half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
