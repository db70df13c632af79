"""Pixels from the Moon rasters: sampling, relief shading, the orthographic discs and the basin's
topographic map. Pure numpy and Pillow; called once per build by `factsheet.picture_files`.

The grids (`content/data/moon/`, written by scripts/moon_data.py) are simple cylindrical,
-180..180° E and 90..-90° N, pixel centres half a pixel in from the edges. A picture is drawn
once, at its highest density; smaller sizes are reduced from it with Pillow's Lanczos filter,
which also smooths the limb without hand-written antialiasing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .pictures import DISC_CX, DISC_CY, DISC_RADIUS, TOPO_RANGE_M, TOPO_SCALE, PictureSpec

MOON_RADIUS_M = 1_737_400.0
# Light from the north-west, 35° above the horizon: the usual direction for shaded relief, so
# craters read as hollows. Relief is exaggerated because a pixel is about 10 km across.
SUN_AZIMUTH, SUN_ALTITUDE, EXAGGERATION = 315.0, 35.0, 4.0

# Viridis (matplotlib's default, by van der Walt and Smith, CC0): perceptually even, readable in
# greyscale and by the common colour-vision deficiencies. Nine stops, interpolated linearly.
VIRIDIS = (
    "#440154",
    "#472c7a",
    "#3b518b",
    "#2c718e",
    "#21908d",
    "#27ad81",
    "#5cc863",
    "#aadc32",
    "#fde725",
)


@dataclass(frozen=True)
class MoonGrids:
    albedo: np.ndarray  # float32, 0..1
    dem: np.ndarray  # float32, metres relative to a sphere of 1,737.4 km
    degrees_per_pixel: float


def load_grids(folder: Path) -> MoonGrids:
    """The two rasters, decoded as provenance.json says they were encoded."""
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    encoding = provenance["files"]["dem.png"]["encoding"]
    with Image.open(folder / "dem.png") as image:
        stored = np.asarray(image).astype(np.float32)
    dem = (stored + encoding["offset_units"]) * encoding["metres_per_unit"]
    with Image.open(folder / "albedo.png") as image:
        albedo = np.asarray(image.convert("L")).astype(np.float32) / 255.0
    return MoonGrids(_mend_seam(albedo), dem, float(provenance["grid"]["degrees_per_pixel"]))


def _mend_seam(albedo: np.ndarray) -> np.ndarray:
    """The mosaic's two outermost columns on each side (at 180° E/W, the middle of the far-side
    view) carry bright and dark stripes left by its JPEG source; blend across them from the
    last good columns on either side."""
    mended = albedo.copy()
    west, east = albedo[:, 2], albedo[:, -3]
    for k, column in enumerate((-2, -1, 0, 1), start=1):
        share = k / 5
        mended[:, column] = east * (1 - share) + west * share
    return mended


def sample(grid: np.ndarray, lat: np.ndarray, lon: np.ndarray, step: float) -> np.ndarray:
    """Bilinear values at (lat, lon) in degrees; longitude wraps around, latitude is clamped."""
    rows, cols = grid.shape
    fi = np.clip((90.0 - lat) / step - 0.5, 0.0, rows - 1.000001)
    fj = np.mod((lon + 180.0) / step - 0.5, cols)
    i0, j0 = np.floor(fi).astype(np.intp), np.floor(fj).astype(np.intp)
    di, dj = fi - i0, fj - j0
    i1, j1 = np.minimum(i0 + 1, rows - 1), (j0 + 1) % cols
    top = grid[i0, j0] * (1 - dj) + grid[i0, j1] * dj
    bottom = grid[i1, j0] * (1 - dj) + grid[i1, j1] * dj
    return top * (1 - di) + bottom * di


def elevation_at(grids: MoonGrids, lat: float, lon: float) -> float:
    """The elevation model's value at one point, in metres."""
    value = sample(grids.dem, np.array([lat]), np.array([lon]), grids.degrees_per_pixel)
    return float(value[0])


def relief(grids: MoonGrids) -> np.ndarray:
    """Shaded relief on the global grid: 1 on level ground, brighter facing the sun, darker away."""
    step_m = np.radians(grids.degrees_per_pixel) * MOON_RADIUS_M
    rows = grids.dem.shape[0]
    lat = 90.0 - (np.arange(rows) + 0.5) * grids.degrees_per_pixel
    # Metres east per pixel shrink towards the poles; a floor keeps the last rows finite.
    east_m = step_m * np.maximum(np.cos(np.radians(lat)), 0.05)[:, None]
    dem = grids.dem * EXAGGERATION
    d_east = (np.roll(dem, -1, axis=1) - np.roll(dem, 1, axis=1)) / (2 * east_m)
    padded = np.pad(dem, ((1, 1), (0, 0)), mode="edge")
    d_north = (padded[:-2] - padded[2:]) / (2 * step_m)
    azimuth, altitude = np.radians(SUN_AZIMUTH), np.radians(SUN_ALTITUDE)
    sun = (np.sin(azimuth) * np.cos(altitude), np.cos(azimuth) * np.cos(altitude), np.sin(altitude))
    lit = (-d_east * sun[0] - d_north * sun[1] + sun[2]) / np.sqrt(d_east**2 + d_north**2 + 1)
    return np.clip(lit, 0.0, None) / np.sin(altitude)


def inverse_orthographic(
    x: np.ndarray, y: np.ndarray, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, on_disc) of points x east, y north on a unit disc seen above (lat0, lon0)."""
    rho = np.hypot(x, y)
    on_disc = rho <= 1.0
    c = np.arcsin(np.clip(rho, 0.0, 1.0))
    sin_c, cos_c = np.sin(c), np.cos(c)
    phi0 = np.radians(lat0)
    safe = np.where(rho == 0, 1.0, rho)
    lat = np.arcsin(np.clip(cos_c * np.sin(phi0) + y * sin_c * np.cos(phi0) / safe, -1.0, 1.0))
    lon = lon0 + np.degrees(
        np.arctan2(x * sin_c, rho * cos_c * np.cos(phi0) - y * sin_c * np.sin(phi0))
    )
    return np.degrees(lat), lon, on_disc


def _plane(spec: PictureSpec, density: int, cx: float, cy: float, scale: float):
    """x east and y north, in units of the Moon's radius, at every pixel of the picture drawn
    at `density`, for a view centred at (cx, cy) in the panel's units."""
    size = density
    columns = (np.arange(spec.width * size) + 0.5) / size
    rows = (np.arange(spec.height * size) + 0.5) / size
    return np.meshgrid((columns - cx) / scale, (cy - rows) / scale)


def reduce(image: Image.Image, spec: PictureSpec, density: int) -> Image.Image:
    """The picture at a lower density, resampled by Pillow."""
    size = (spec.width * density, spec.height * density)
    return image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)


def disc_view(
    grids: MoonGrids, shade: np.ndarray, lon0: float, spec: PictureSpec, density: int
) -> Image.Image:
    """The Moon seen from far above the equator at lon0: albedo times relief, transparent around
    the disc (RGBA, grey)."""
    x, y = _plane(spec, density, DISC_CX, DISC_CY, DISC_RADIUS)
    lat, lon, on_disc = inverse_orthographic(x, y, 0.0, lon0)
    step = grids.degrees_per_pixel
    value = sample(grids.albedo, lat, lon, step) * (0.55 + 0.45 * sample(shade, lat, lon, step))
    grey = np.clip(value * 255.0 * 1.1, 0, 255).astype(np.uint8)
    alpha = np.where(on_disc, 255, 0).astype(np.uint8)
    rgba = np.stack([grey, grey, grey, alpha], axis=-1)
    return Image.fromarray(rgba)


def colour_ramp(share: np.ndarray) -> np.ndarray:
    """RGB (0..255 floats) along VIRIDIS for shares 0..1."""
    stops = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in VIRIDIS], np.float32)
    position = np.clip(share, 0.0, 1.0) * (len(VIRIDIS) - 1)
    low = np.minimum(np.floor(position).astype(np.intp), len(VIRIDIS) - 2)
    t = (position - low)[..., None]
    return stops[low] * (1 - t) + stops[low + 1] * t


def topo_view(
    grids: MoonGrids, shade: np.ndarray, lat0: float, lon0: float, spec: PictureSpec, density: int
) -> Image.Image:
    """Elevation in colour with gentle relief shading, orthographic, centred on (lat0, lon0)."""
    x, y = _plane(spec, density, spec.width / 2, spec.height / 2, TOPO_SCALE)
    lat, lon, _ = inverse_orthographic(x, y, lat0, lon0)  # the map never reaches the limb
    step = grids.degrees_per_pixel
    low, high = TOPO_RANGE_M
    colour = colour_ramp((sample(grids.dem, lat, lon, step) - low) / (high - low))
    # Relief changes brightness by at most about a fifth, so colours still match the legend.
    light = 0.85 + 0.15 * np.clip(sample(shade, lat, lon, step), 0.0, 2.0)
    rgb = np.clip(colour * light[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(rgb)
