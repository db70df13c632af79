"""The build's raster pictures: drawn from content/data/moon/ once, then taken from the cache.

`picture_files(config, book)` returns {output path: cached file} for every picture file (WebP at
each density, a PNG fallback). The cache key is a hash of everything that decides the pixels:
the raster files, the facts a picture is centred on, the drawing code and the numpy and Pillow
versions; so a rebuild with nothing changed draws nothing, and a changed input redraws. Files are
written into the cache atomically (a temporary folder renamed into place), so an interrupted
build never leaves half a picture to be reused.

Numpy and Pillow are imported only when something must be drawn.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from .charts import pictures as specs
from .config import Config
from .facts import FactBook
from .incremental import MARKER, MARKER_TEXT

RASTER_FOLDER = "moon"
RASTER_FILES = ("provenance.json", "dem.png", "albedo.png")
# Lossy WebP quality by density: a 2x picture is seen at half the size, so its artefacts are
# half as large; a lower quality keeps the far side's crater field near 30 KB.
WEBP_QUALITY = {1: 75, 2: 55}
CODE = ("charts/pictures.py", "charts/raster.py", "picture_files.py")


def raster_folder(config: Config) -> Path:
    return config.data_dir / RASTER_FOLDER


def has_rasters(config: Config) -> bool:
    return all((raster_folder(config) / name).is_file() for name in RASTER_FILES)


def spa_centre(book: FactBook) -> tuple[float, float]:
    """Where the topographic map is centred: the basin's centre from the data."""
    fact = book.facts.get("spa-centre")
    if fact is None or fact.type != "coordinates":
        return (-53.0, -169.0)
    return (float(fact.value.lat), float(fact.value.lon))


def picture_files(config: Config, book: FactBook) -> dict[str, Path]:
    """Every picture file the pages may use, drawn now or taken from the cache."""
    if not has_rasters(config):
        return {}
    centre = spa_centre(book)
    key = _inputs_key(config, centre)
    folder = cache_folder(config) / key
    wanted = [rel for spec in specs.ALL for rel in spec.files()]
    if not all((folder / rel).is_file() for rel in wanted):
        _draw_into(folder, config, centre)
    return {rel: folder / rel for rel in wanted}


def cache_folder(config: Config) -> Path:
    """Where drawn pictures are kept: `pictures/` in the build's cache folder.

    The store (incremental.py) uses the cache folder only if it is empty or carries its
    CACHEDIR.TAG marker, so the folder is claimed here the same way before anything is written
    into it. A folder that is someone else's is left alone: the pictures are then drawn into a
    temporary folder, every build, as the store then renders every page.
    """
    root = config.cache_dir
    marker = root / MARKER
    if not marker.is_file():
        if root.exists() and any(root.iterdir()):
            return Path(tempfile.mkdtemp(prefix="far-side-pictures-"))
        root.mkdir(parents=True, exist_ok=True)
        temporary = root / f".{MARKER}.{os.getpid()}.tmp"
        temporary.write_bytes(MARKER_TEXT)
        temporary.replace(marker)
    return root / "pictures"


def _inputs_key(config: Config, centre: tuple[float, float]) -> str:
    hasher = hashlib.blake2b(digest_size=12)
    for name in RASTER_FILES:
        hasher.update(name.encode() + b"\0" + file_digest(raster_folder(config) / name))
    package = Path(__file__).parent
    for name in CODE:
        hasher.update(name.encode() + b"\0" + file_digest(package / name))
    versions = (library_version("numpy"), library_version("PIL"), repr(centre))
    hasher.update(repr(versions).encode())
    return hasher.hexdigest()


def file_digest(path: Path) -> bytes:
    """A hash of the file's bytes, read again only when its size or time changes: a rebuild in
    the dev server then costs a stat, not reading a megabyte of rasters."""
    stat = path.stat()
    return _digest_of(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _digest_of(path: Path, size: int, mtime_ns: int) -> bytes:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()


def _draw_into(folder: Path, config: Config, centre: tuple[float, float]) -> None:
    from .charts import raster  # numpy and Pillow: only when something must be drawn

    grids = raster.load_grids(raster_folder(config))
    shade = raster.relief(grids)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".drawing-", dir=folder.parent))
    try:
        top = max(specs.DENSITIES)
        for spec in specs.ALL:
            if spec is specs.SPA_TOPOGRAPHY:
                drawn = raster.topo_view(grids, shade, *centre, spec, top)
            else:
                lon0 = next(lon for lon, disc in specs.DISCS.items() if disc is spec)
                drawn = raster.disc_view(grids, shade, lon0, spec, top)
            for density in specs.DENSITIES:
                image = raster.reduce(drawn, spec, density)
                _save(staging / spec.webp(density), encode_webp(image, WEBP_QUALITY[density]))
            fallback = raster.reduce(drawn, spec, 1)
            _save(staging / spec.fallback, encode_fallback(fallback, spec.fallback_format))
        if folder.exists():  # left by an interrupted build: replace it whole
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def encode_webp(image, quality: int) -> bytes:
    """Lossy WebP; method 4 is within a tenth of method 6's size at a hundredth of its time."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


def encode_fallback(image, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "png":  # the discs: grey with transparency around them
        image.convert("LA").save(buffer, format="PNG", optimize=True)
    else:
        image.save(buffer, format="JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# The module that holds each drawing library's version string.
VERSION_MODULES = {"numpy": "version.py", "PIL": "_version.py"}


def library_version(package: str) -> str:
    """What identifies the installed version of a drawing library (its pixels may change with
    it): the digest of its version module, found without importing the library or
    importlib.metadata (15 ms of every build's start-up); the version itself as a fallback."""
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin:
        path = Path(spec.origin).with_name(VERSION_MODULES[package])
        if path.is_file():
            return file_digest(path).hex()
    from importlib import metadata

    return metadata.version("pillow" if package == "PIL" else package)
