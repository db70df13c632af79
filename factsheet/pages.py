"""Pages: Markdown files with YAML front matter, read from content/ and given their URLs."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import SiteError, display_path
from .facts import ID_PATTERN, PartialDate, parse_partial_date
from .safe_files import UnsafeFileError, read_input
from .yamlfile import YamlMap, decode_utf8, parse_yaml

REQUIRED_KEYS = {"title", "description"}
OPTIONAL_KEYS = {"template", "order", "updated", "slug", "nav_title", "infobox", "draft"}
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:/[a-z0-9]+(?:[-_][a-z0-9]+)*)*$")


@dataclass(frozen=True)
class Page:
    """One Markdown page: where it came from, where it goes, and what it says."""

    rel: str  # source path relative to content/, e.g. "far-side.md"
    shown: str  # source path as error messages show it
    url_path: str  # site path without the base: "" for home, "far-side/" otherwise
    title: str
    description: str
    path: Path  # the source file; its text is read again when needed, not kept in memory
    body_line: int  # line of the file where the body starts
    digest: str  # hash of the file's bytes
    template: str = "page.html"
    order: int | None = None
    updated: PartialDate | None = None
    nav_title: str | None = None
    infobox: tuple[str, ...] = ()
    draft: bool = False  # left out of a build unless drafts are asked for (serve, --drafts)

    @property
    def output(self) -> str:
        """The file written for this page, relative to the output folder."""
        return f"{self.url_path}index.html"

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")

    @property
    def body(self) -> str:
        """The Markdown after the front matter (read from disk: 10,000 pages stay small)."""
        return "\n".join(self.text().split("\n")[self.body_line - 1 :])

    def line_of(self, needle: str, occurrence: int = 1) -> int:
        """The line of the body holding the `occurrence`-th mention of `needle` outside code
        spans, where Markdown never looks (the body's start if there is no such mention).

        The Markdown converter keeps no line numbers, so a problem found while converting is
        placed by the text that caused it; counting mentions gives the same mistake on two
        lines two different lines.
        """
        lines = self.text().split("\n")
        body = "\n".join(lines[self.body_line - 1 :])
        # Blank out code spans, keeping every other character in place.
        body = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
        found = -1
        start = -1
        for _ in range(max(occurrence, 1)):
            start = body.find(needle, start + 1)
            if start < 0:
                break
            found = start
        if found >= 0:  # past the last mention: the last one
            return self.body_line + body.count("\n", 0, found)
        for number, line in enumerate(lines[: self.body_line - 1], 1):  # e.g. an infobox id
            if needle in line:
                return number
        return self.body_line


def find_sources(content_dir: Path, data_dir: Path) -> list[Path]:
    """Every Markdown file under content/, outside the data folder and hidden (`.x`, `_x`)
    folders, in a stable order (Path's: by their parts)."""
    found: list[str] = []  # strings until sorted: a thousand Paths compare slowly
    data = str(data_dir)
    for folder, subfolders, files in os.walk(content_dir):
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith((".", "_")) and os.path.join(folder, name) != data
        ]
        found += [
            os.path.join(folder, name)
            for name in files
            if name.endswith(".md") and not name.startswith((".", "_"))
        ]
    found.sort(key=lambda path: path.split(os.sep))
    return [Path(path) for path in found]


def read_page(path: Path, content_dir: Path, root: Path) -> tuple[Page | None, list[SiteError]]:
    """Read one page; every problem with its front matter is returned with its line."""
    shown = display_path(path, root)
    try:
        data = read_input(path, (content_dir, root))
    except UnsafeFileError as problem:
        return None, [SiteError(shown, None, str(problem))]
    raw, errors = decode_utf8(data, shown)  # a byte-order mark before front matter is fine
    if raw is None:
        return None, errors
    raw = raw.replace("\r\n", "\n")
    front, _body, body_line, errors = split_front_matter(raw, shown)
    if front is None:
        return None, errors
    rel = path.relative_to(content_dir).as_posix()
    meta, meta_errors = _read_front_matter(front, shown)
    errors += meta_errors
    if errors:
        return None, errors
    slug = meta.pop("slug", None)
    url_path = f"{slug}/" if slug else default_url_path(rel)
    return Page(
        rel=rel,
        shown=shown,
        url_path=url_path,
        path=path,
        body_line=body_line,
        digest=hashlib.blake2b(data, digest_size=16).hexdigest(),
        **meta,
    ), []


def default_url_path(rel: str) -> str:
    """far-side.md -> 'far-side/', index.md -> '', guide/index.md -> 'guide/'."""
    path = PurePosixPath(rel).with_suffix("")
    if path.name == "index":
        path = path.parent
    text = path.as_posix()
    return "" if text == "." else f"{text}/"


def split_front_matter(raw: str, shown: str) -> tuple[YamlMap | None, str, int, list[SiteError]]:
    """Separate the YAML between the opening and closing `---` from the Markdown body."""
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        return (
            None,
            "",
            1,
            [
                SiteError(
                    shown,
                    1,
                    "a page must start with front matter: a line "
                    "'---', YAML with title and description, '---'",
                )
            ],
        )
    for index, line in enumerate(lines[1:], 1):
        if line.strip() == "---":
            front, problems = parse_yaml("\n".join(lines[1:index]), shown, first_line=2)
            if problems:
                return None, "", 1, problems
            if not isinstance(front, YamlMap):
                return (
                    None,
                    "",
                    1,
                    [SiteError(shown, 2, "front matter must be a YAML mapping (key: value lines)")],
                )
            front.line = 1
            front.key_lines = {key: line + 1 for key, line in front.key_lines.items()}
            return front, "\n".join(lines[index + 1 :]), index + 2, []
    return (
        None,
        "",
        1,
        [SiteError(shown, 1, "front matter is not closed: add a line '---' after it")],
    )


def _read_front_matter(front: YamlMap, shown: str) -> tuple[dict, list[SiteError]]:
    errors: list[SiteError] = []

    def error(key: str | None, message: str) -> None:
        errors.append(SiteError(shown, front.line_of(key) if key else 1, message))

    for key in front:
        if key not in REQUIRED_KEYS | OPTIONAL_KEYS:
            allowed = ", ".join(sorted(REQUIRED_KEYS | OPTIONAL_KEYS))
            error(key, f"unknown front matter key {key!r} (allowed: {allowed})")
    for key in sorted(REQUIRED_KEYS - set(front)):
        error(None, f"front matter is missing required key {key!r}")
    meta: dict = {}
    for key in ("title", "description", "template", "nav_title", "slug"):
        if key in front:
            value = front[key]
            if not isinstance(value, str) or not value.strip():
                error(key, f"{key!r} must be non-empty text (quote it if it looks like a number)")
            else:
                meta[key] = value.strip()
    if meta.get("description", "").startswith("TODO"):  # left by `build.py new page`
        error(
            "description",
            "'description' is still a placeholder: say in one sentence what "
            "the page tells the reader",
        )
    if "slug" in meta and (".." in meta["slug"] or not SLUG_PATTERN.match(meta["slug"])):
        error(
            "slug",
            f"slug {meta.pop('slug')!r} must be lowercase words separated by hyphens "
            "or slashes, and cannot leave the site",
        )
    if "template" in meta and not re.fullmatch(r"[A-Za-z0-9_-]+\.html", meta["template"]):
        error("template", f"template {meta.pop('template')!r} must be a file name like page.html")
    if "order" in front:
        if isinstance(front["order"], bool) or not isinstance(front["order"], int):
            error("order", "'order' must be a whole number")
        else:
            meta["order"] = front["order"]
    if "updated" in front:
        updated = parse_partial_date(str(front["updated"])) if front["updated"] else None
        if updated is None or updated.day is None:
            error("updated", f"'updated' must be a date YYYY-MM-DD, got {front['updated']!r}")
        else:
            meta["updated"] = updated
    if "draft" in front:
        if not isinstance(front["draft"], bool):
            error("draft", "'draft' must be true or false")
        else:
            meta["draft"] = front["draft"]
    if "infobox" in front:
        ids = front["infobox"]
        if not isinstance(ids, list) or not all(
            isinstance(i, str) and ID_PATTERN.match(i) for i in ids
        ):
            error("infobox", "'infobox' must be a list of fact ids")
        else:
            meta["infobox"] = tuple(ids)
    return meta, errors


def load_pages(
    content_dir: Path,
    data_dir: Path,
    root: Path,
    known: Callable[[Path], Page | None] | None = None,
) -> tuple[list[Page], list[SiteError]]:
    """Read every page, then refuse two pages that would be written to one URL.

    `known(path)` gives the page read from a file last time if its bytes are unchanged (the
    store decides that by content): only files that changed are read again.
    """
    pages, errors = [], []
    for path in find_sources(content_dir, data_dir):
        page = known(path) if known is not None else None
        if page is None:
            page, problems = read_page(path, content_dir, root)
            errors += problems
        if page:
            pages.append(page)
    seen: dict[str, Page] = {}
    for page in pages:
        other = seen.setdefault(page.url_path, page)
        if other is not page:
            errors.append(
                SiteError(page.shown, 1, f"writes the same URL /{page.url_path} as {other.shown}")
            )
    return pages, errors
