"""The Moon rasters and the pictures drawn from them: the committed data against published
elevations, the projection, what the pictures show, and byte-identical, cached output."""

from __future__ import annotations

import io
import json
import math
import random
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from factsheet import picture_files as pf
from factsheet.charts import pictures as specs
from factsheet.charts import raster
from factsheet.charts.geo import orthographic
from factsheet.fact_loading import load_factbook

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "content" / "data"


@pytest.fixture(scope="module")
def grids() -> raster.MoonGrids:
    return raster.load_grids(DATA / "moon")


@pytest.fixture(scope="module")
def book():
    loaded, errors = load_factbook(DATA, ROOT)
    assert not errors
    return loaded


# ---------------------------------------------------------------------------------------------
# The committed data


def test_grids_are_the_global_rasters_described_in_provenance(grids):
    assert grids.dem.shape == grids.albedo.shape == (512, 1024)
    assert grids.degrees_per_pixel == 0.3516 or math.isclose(grids.degrees_per_pixel, 360 / 1024)
    assert grids.dem.min() == pytest.approx(-8634.5) and grids.dem.max() == pytest.approx(10627.5)


@pytest.mark.parametrize("site", ["ce6", "ce4"])
def test_elevation_model_agrees_with_the_published_site_elevation(grids, book, site):
    """LROC gives -5,256 m for Chang'e-6; Liu et al. (2019) give -5,935 m for Chang'e-4."""
    where = book.facts[f"{site}-landing-coordinates"].value
    published = float(book.facts[f"{site}-landing-elevation"].value)
    modelled = raster.elevation_at(grids, float(where.lat), float(where.lon))
    assert abs(modelled - published) <= 100, (site, modelled, published)


def test_elevation_is_read_where_asked_not_nearby(grids):
    # The SPA floor near Chang'e-4 lies kilometres below the far-side highlands at 0 N, 180 E.
    assert raster.elevation_at(grids, -45.4446, 177.5991) < -5000
    assert raster.elevation_at(grids, 0.0, 180.0) > 2000


def test_longitude_wraps_around_the_date_line(grids):
    assert raster.elevation_at(grids, -30.0, 179.99) == pytest.approx(
        raster.elevation_at(grids, -30.0, -180.01), abs=1.0
    )


# ---------------------------------------------------------------------------------------------
# The projection


def test_centre_of_the_disc_is_the_point_of_view():
    lat, lon, inside = raster.inverse_orthographic(np.array([0.0]), np.array([0.0]), -53, -169)
    assert (lat[0], lon[0], inside[0]) == (pytest.approx(-53), pytest.approx(-169), True)


def test_limb_and_poles_seen_from_the_equator():
    x = np.array([1.0, -1.0, 0.0, 0.0])
    y = np.array([0.0, 0.0, 1.0, -1.0])
    lat, lon, inside = raster.inverse_orthographic(x, y, 0.0, 180.0)
    assert lat[:2] == pytest.approx([0, 0], abs=1e-9)
    assert lon[:2] == pytest.approx([270, 90])  # east limb is 90 degrees east of the centre
    assert lat[2:] == pytest.approx([90, -90])  # top and bottom of the disc are the poles
    assert inside.all()
    _, _, outside = raster.inverse_orthographic(np.array([0.8]), np.array([0.8]), 0, 0)
    assert not outside[0]


def test_pixels_and_the_svg_overlay_share_one_projection():
    rng = random.Random(7)
    for _ in range(50):
        lat, lon = rng.uniform(-85, 85), rng.uniform(-180, 180)
        lat0, lon0 = rng.uniform(-60, 60), rng.uniform(-180, 180)
        x, y, visible = orthographic(lat, lon, lat0, lon0)
        if not visible:
            continue
        back_lat, back_lon, _ = raster.inverse_orthographic(
            np.array([x]), np.array([y]), lat0, lon0
        )
        assert back_lat[0] == pytest.approx(lat, abs=1e-7)
        assert (back_lon[0] - lon + 180) % 360 - 180 == pytest.approx(0, abs=1e-7)


# ---------------------------------------------------------------------------------------------
# What the pictures show


def test_disc_is_opaque_inside_and_transparent_outside(grids):
    image = raster.disc_view(grids, raster.relief(grids), 180.0, specs.MOON_FAR, 1)
    assert image.size == (specs.MOON_FAR.width, specs.MOON_FAR.height) and image.mode == "RGBA"
    pixels = np.asarray(image)
    cx, cy, r = specs.DISC_CX, specs.DISC_CY, specs.DISC_RADIUS
    assert pixels[int(cy), int(cx), 3] == 255
    assert pixels[int(cy), int(cx + r - 3), 3] == 255
    assert pixels[2, 2, 3] == 0 and pixels[int(cy), int(cx + r + 3), 3] == 0


def test_near_side_is_darker_than_the_far_side(grids):
    """The maria: the near side's mean brightness is well below the far side's."""
    shade = raster.relief(grids)
    near = np.asarray(raster.disc_view(grids, shade, 0.0, specs.MOON_NEAR, 1))
    far = np.asarray(raster.disc_view(grids, shade, 180.0, specs.MOON_FAR, 1))
    on_disc = near[..., 3] == 255
    assert near[..., 0][on_disc].mean() < 0.85 * far[..., 0][on_disc].mean()


def test_topographic_map_shows_the_basin_low_and_its_rim_high(grids):
    spec = specs.SPA_TOPOGRAPHY
    image = np.asarray(raster.topo_view(grids, raster.relief(grids), -53, -169, spec, 1))
    centre = image[spec.height // 2, spec.width // 2].astype(int)
    # Viridis: low ground is purple-blue (blue channel above green), high ground yellow-green.
    assert centre[2] > centre[1]
    top_band = image[:20].reshape(-1, 3).astype(int)  # the highlands north of the rim
    assert top_band[:, 1].mean() > centre[1] + 40


# ---------------------------------------------------------------------------------------------
# Files: every density, deterministic bytes, cached by input


def fake_config(tmp_path: Path, data_dir: Path = DATA) -> SimpleNamespace:
    return SimpleNamespace(data_dir=data_dir, cache_dir=tmp_path / "cache", jobs=0)


@pytest.fixture(scope="module")
def drawn_config(tmp_path_factory) -> SimpleNamespace:
    """The configuration the pictures of `drawn` were drawn with (and are cached under)."""
    return fake_config(tmp_path_factory.mktemp("a"))


@pytest.fixture(scope="module")
def drawn(drawn_config, book) -> dict[str, Path]:
    return pf.picture_files(drawn_config, book)


def test_every_picture_is_written_at_each_density_with_a_fallback(drawn):
    assert set(drawn) == {rel for spec in specs.ALL for rel in spec.files()}
    for spec in specs.ALL:
        for density in specs.DENSITIES:
            with Image.open(drawn[spec.webp(density)]) as image:
                assert image.format == "WEBP"
                assert image.size == (spec.width * density, spec.height * density)
        with Image.open(drawn[spec.fallback]) as image:
            assert image.format == {"png": "PNG", "jpg": "JPEG"}[spec.fallback_format]
            assert image.size == (spec.width, spec.height)


def test_pictures_are_small_enough_for_the_page_budget(drawn):
    for spec in specs.ALL:
        assert drawn[spec.webp(1)].stat().st_size < 25_000, spec.name
        assert drawn[spec.webp(2)].stat().st_size < 45_000, spec.name


def test_encoded_bytes_are_identical_when_drawn_again(drawn, tmp_path, book):
    again = pf.picture_files(fake_config(tmp_path), book)
    assert again != drawn  # a separate cache, so everything was drawn a second time
    for rel, path in drawn.items():
        assert again[rel].read_bytes() == path.read_bytes(), rel


def test_a_second_build_takes_the_pictures_from_the_cache(drawn, drawn_config, book, monkeypatch):
    def no_drawing(*args):
        raise AssertionError("drew again although nothing changed")

    monkeypatch.setattr(pf, "_draw_into", no_drawing)
    assert pf.picture_files(drawn_config, book) == drawn


def test_a_changed_raster_is_drawn_again(drawn, drawn_config, tmp_path, book, monkeypatch):
    data = tmp_path / "data"
    (data / "moon").mkdir(parents=True)
    for name in pf.RASTER_FILES:
        (data / "moon" / name).write_bytes((DATA / "moon" / name).read_bytes())
    config = fake_config(tmp_path, data)
    # The cache holds what `drawn` drew from the same rasters (kept by content, not by path).
    shutil.copytree(drawn_config.cache_dir, config.cache_dir)
    with monkeypatch.context() as patched:
        patched.setattr(pf, "_draw_into", None)  # nothing changed yet: nothing to draw
        before = pf.picture_files(config, book)[specs.MOON_FAR.webp(1)].read_bytes()
    with Image.open(data / "moon" / "albedo.png") as image:
        darker = Image.eval(image, lambda value: value // 2)
    darker.save(data / "moon" / "albedo.png")
    after = pf.picture_files(config, book)[specs.MOON_FAR.webp(1)].read_bytes()
    assert after != before


def test_no_rasters_no_pictures(tmp_path, book):
    assert pf.picture_files(fake_config(tmp_path, tmp_path / "empty"), book) == {}


# ---------------------------------------------------------------------------------------------
# A social picture per page


def social(tmp_path: Path, book, drawn, *pages) -> dict[str, Path]:
    """The pictures of these pages only (not of every fact's page too: that is many cards)."""
    from factsheet.og_image import page_cards, page_images

    wanted = {page.url_path for page in pages}
    cards = [card for card in page_cards(book, list(pages)) if card.url_path in wanted]
    return page_images(fake_config(tmp_path), book, cards, drawn)


def some_pages():
    from factsheet.pages import load_pages

    pages, errors = load_pages(ROOT / "content", DATA, ROOT)
    assert not errors
    return {page.url_path: page for page in pages}


def test_every_page_gets_its_own_card_with_its_title_and_key_fact(tmp_path, book, drawn):
    from factsheet.og_image import key_fact

    pages = some_pages()
    far, basin = pages["far-side/"], pages["south-pole-aitken-basin/"]
    files = social(tmp_path, book, drawn, far, basin)
    assert set(files) == {"images/og/far-side.png", "images/og/south-pole-aitken-basin.png"}
    cards = [files[name].read_bytes() for name in sorted(files)]
    assert cards[0] != cards[1]
    for card in cards:
        with Image.open(io.BytesIO(card)) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
    assert key_fact(book, far).startswith("Moon\u2019s volumetric mean radius: 1,737.4")


def test_cards_are_byte_identical_when_drawn_again_and_cached(tmp_path, book, drawn, monkeypatch):
    import factsheet.og_image as og

    page = some_pages()[""]
    first = social(tmp_path / "a", book, drawn, page)
    second = social(tmp_path / "b", book, drawn, page)
    assert first["images/og/index.png"].read_bytes() == second["images/og/index.png"].read_bytes()

    def no_drawing(*args):
        raise AssertionError("drew again although nothing changed")

    monkeypatch.setattr(og, "draw", no_drawing)
    assert social(tmp_path / "a", book, drawn, page) == first


def test_a_facts_own_page_gets_a_card_with_its_label_and_value(book):
    from factsheet.og_image import page_cards

    cards = {card.url_path: card for card in page_cards(book, [])}
    card = cards["facts/moon-radius/"]
    assert card.title == "Moon\u2019s volumetric mean radius"
    assert card.line.startswith("1,737.4")
    assert {"facts/", "changes/"} <= set(cards)


def test_no_moon_pictures_no_cards(tmp_path, book):
    assert social(tmp_path, book, {}, some_pages()[""]) == {}


# ---------------------------------------------------------------------------------------------
# In the built site (the real content, under /moon/)


def test_far_side_page_shows_the_real_discs_with_srcset_size_and_alt(real_site):
    html = (real_site.out / "far-side" / "index.html").read_text(encoding="utf-8")
    for name in ("moon-near", "moon-far"):
        srcset = f'srcset="/moon/images/{name}-300.webp 300w, /moon/images/{name}-600.webp 600w"'
        assert srcset in html
        img = re.search(rf'<img [^>]*src="/moon/images/{name}-300.png"[^>]*>', html).group(0)
        assert 'width="300"' in img and 'height="320"' in img and 'loading="lazy"' in img
        assert re.search(r'alt="The Moon\u2019s (near|far) side seen from above', img)
    assert "Picture: LRO LROC WAC mosaic and LOLA relief via USGS Astropedia" in html
    for rel in ("images/moon-near-300.webp", "images/moon-far-600.webp", "images/moon-far-300.png"):
        assert (real_site.out / rel).is_file()


def test_every_page_names_its_own_social_picture(real_site):
    seen = set()
    for page in real_site.out.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert re.search(r'<meta name="twitter:image" content="' + re.escape(image), html)
        ld = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
        )
        assert ld["image"] == image  # search engines read the same picture as social sites
        rel = image.split("/images/og/", 1)[1]
        assert (real_site.out / "images" / "og" / rel).is_file()
        seen.add(rel)
    assert len(seen) == len(list(real_site.out.rglob("index.html")))


def test_the_pictures_leave_the_build_cache_to_the_store(real_site):
    """Drawn first into a fresh cache folder, the pictures must not make the store take the
    folder for someone else's: the next build of the same site has nothing to do."""
    from factsheet.config import make_config
    from factsheet.site import build

    folder = real_site.out.parent
    assert (folder / "cache" / "CACHEDIR.TAG").is_file()
    config, errors = make_config(
        ROOT, out=folder / "_site", cache=folder / "cache", base_path="/moon/"
    )
    assert not errors
    assert build(config).skipped
