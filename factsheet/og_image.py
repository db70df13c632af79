"""A social-media picture for every page (Open Graph, 1200 x 630 PNG): the site's name, the
page's title, one key fact and a crop of one of the Moon pictures.

The text is set in DejaVu Sans (factsheet/fonts/, with its licence), shipped with the project so
the bytes are the same on every machine with the same Pillow. The key fact is the first of the
page's fact box (`infobox`), else the site's tagline; a fact's own page shows its value. Each
picture is cached under a hash of everything it shows, so a rebuild draws only the pages whose
title or key fact changed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from .cache_files import write_atomically
from .charts import pictures as specs
from .config import Config
from .fact_pages import INDEX_PATH, INDEX_TITLE, fact_path
from .facts import FactBook, format_value
from .feeds import PAGE_PATH as CHANGES_PATH
from .feeds import PAGE_TITLE as CHANGES_TITLE
from .forked import forked_map, shared
from .pages import Page
from .picture_files import cache_folder, file_digest, library_version
from .typography import typographic

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"
BACKGROUND, TEXT, MUTED, ACCENT = "#111318", "#e6e4df", "#a9a8a2", "#8db8ee"
TEXT_LEFT, TEXT_WIDTH = 64, 560
FOLDER = "images/og"


@dataclass(frozen=True)
class Card:
    """What one page's picture shows, and for which page."""

    url_path: str
    title: str
    line: str  # the key fact, or the site's tagline
    basin_map: bool  # a crop of the basin's map instead of the far-side disc


def image_path(page: Page | Card) -> str:
    """Where the page's picture is written: images/og/far-side.png, images/og/index.png."""
    slug = page.url_path.strip("/").replace("/", "-") or "index"
    return f"{FOLDER}/{slug}.png"


def page_cards(book: FactBook, pages: list[Page]) -> list[Card]:
    """A card for every Markdown page, and for every page made from the data: a fact's page
    shows its label and value, as a reader sharing one number would want."""
    cards = [
        Card(
            page.url_path, typographic(page.title), key_fact(book, page), "aitken" in page.url_path
        )
        for page in pages
    ]
    cards += [
        Card(
            fact_path(fact.id),
            typographic(fact.label),
            f"{fact.text()}, as of {fact.as_of.text()}",
            False,
        )
        for fact in book.facts.values()
    ]
    tagline = typographic(book.site.tagline or "")
    cards += [
        Card(INDEX_PATH, INDEX_TITLE, tagline, False),
        Card(CHANGES_PATH, CHANGES_TITLE, tagline, False),
    ]
    return cards


def page_images(
    config: Config, book: FactBook, cards: list[Card], pictures: dict[str, Path]
) -> dict[str, Path]:
    """{output path: cached PNG} for every card; none without the Moon pictures."""
    if not pictures:
        return {}
    common = hashlib.blake2b(digest_size=12)  # what every card's picture depends on
    for part in (REGULAR, BOLD, Path(__file__)):
        common.update(file_digest(part))
    common.update(library_version("PIL").encode())
    folder = cache_folder(config) / "og"
    backdrops: dict[bool, Backdrop] = {}  # composed once a build, and only if a card is drawn
    files, todo = {}, []
    for card in cards:
        spec = specs.SPA_TOPOGRAPHY if card.basin_map else specs.MOON_FAR
        source = pictures[spec.webp(max(specs.DENSITIES))]
        lines = (book.site.title, card.title, card.line)
        key = common.copy()
        key.update(repr(lines).encode() + file_digest(source))
        target = folder / f"{key.hexdigest()}.png"
        if not target.is_file():
            if card.basin_map not in backdrops:
                backdrops[card.basin_map] = Backdrop(source, disc=not card.basin_map)
            todo.append((target, lines, card.basin_map))
        files[image_path(card)] = target
    # A clean build draws a card a page and a fact, some hundreds: on every core.
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
    list(forked_map(_draw_card, todo, backdrops, config.jobs))
    return files


def _draw_card(task: tuple[Path, tuple[str, str, str], bool]) -> None:
    target, lines, basin_map = task
    write_atomically(target, draw(lines, shared()[basin_map]))


def key_fact(book: FactBook, page: Page) -> str:
    for fact_id in page.infobox:
        fact = book.facts.get(fact_id)
        if fact is not None:
            return f"{typographic(fact.label)}: {format_value(fact)}"
    return typographic(book.site.tagline or "")


class Backdrop:
    """The card's background and picture, composed once for all the cards that share it."""

    def __init__(self, source: Path, disc: bool):
        from PIL import Image  # Pillow only when a picture must be drawn

        canvas = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        with Image.open(source) as picture:
            picture = picture.convert("RGBA")
            if disc:  # the whole disc, as tall as the card
                size = (round(picture.width * HEIGHT / picture.height), HEIGHT)
                picture = picture.resize(size, Image.Resampling.LANCZOS)
                canvas.paste(picture, (WIDTH - size[0] + 40, 0), picture)
            else:  # the middle of the map
                left, top = (picture.width - 520) // 2, (picture.height - HEIGHT) // 2
                canvas.paste(picture.crop((left, top, left + 520, top + HEIGHT)), (WIDTH - 520, 0))
        self.canvas = canvas


def draw(lines: tuple[str, str, str], backdrop: Backdrop) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    site, title, fact = lines
    canvas = backdrop.canvas.copy()
    pen = ImageDraw.Draw(canvas)
    pen.text((TEXT_LEFT, 64), site.upper(), font=ImageFont.truetype(BOLD, 28), fill=ACCENT)
    size, wrapped = _fit(title, BOLD, 60, 4)
    y = 120
    for line in wrapped:
        pen.text((TEXT_LEFT, y), line, font=ImageFont.truetype(BOLD, size), fill=TEXT)
        y += round(size * 1.18)
    fact_size, fact_lines = _fit(fact, REGULAR, 30, 3)
    y = max(y + 28, HEIGHT - 64 - len(fact_lines) * round(fact_size * 1.3))
    for line in fact_lines:
        pen.text((TEXT_LEFT, y), line, font=ImageFont.truetype(REGULAR, fact_size), fill=MUTED)
        y += round(fact_size * 1.3)
    buffer = io.BytesIO()
    # 256 colours hold grey Moon, text and map alike, at a third of a full-colour PNG's size.
    # The fast octree quantizer and a light deflate (level 3: a third of the default's time,
    # a tenth more bytes) keep a card near 12 ms, so a page per fact (hundreds of cards) stays
    # cheap on a clean build; the file is about 90 KB, fetched by link previews only.
    palette = canvas.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    palette.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _fit(text: str, font_path: Path, size: int, max_lines: int) -> tuple[int, list[str]]:
    """The largest size (down to 60 % of `size`) at which the text wraps into max_lines."""
    from PIL import ImageFont

    for step in range(size, round(size * 0.6) - 1, -2):
        font = ImageFont.truetype(font_path, step)
        lines: list[str] = []
        for word in text.split(" "):  # a no-break space keeps a value with its unit
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and font.getlength(candidate) <= TEXT_WIDTH:
                lines[-1] = candidate
            else:
                lines.append(word)
        if len(lines) <= max_lines:
            return step, lines
    return step, lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]


class SocialImages:
    """For templates, as `social_image(page)`: the page's picture path, or "" when it has none
    (the site-wide one is used). Its `signature` goes into every page's output key, since
    every page names its picture."""

    def __init__(self, files: dict[str, Path]):
        self.paths = frozenset(path for path in files if path.startswith(FOLDER + "/"))
        self.signature = "\n".join(sorted(self.paths))

    def __call__(self, page: Page | Card) -> str:
        path = image_path(page)
        return path if path in self.paths else ""
