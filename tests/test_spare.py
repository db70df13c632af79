"""The spare: the site a build replaced, parked in the cache folder, becomes the next build's
staging folder, so that a file unchanged in both builds costs nothing.

Whatever the spare holds, the published site must be exactly a clean build's: no file or
folder left over from two builds ago, no hand edit carried over through a shared file.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from conftest import ScratchSite, tree_digest

from factsheet.site import build


def _folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def _clean_build(site: ScratchSite, name: str) -> Path:
    out = site.root.parent / f"clean-{name}"
    build(dataclasses.replace(site.config(), out_dir=out, cache_dir=site.root.parent / name))
    return out


def _assert_like_a_clean_build(site: ScratchSite, name: str) -> None:
    clean = _clean_build(site, name)
    assert tree_digest(site.out) == tree_digest(clean)
    assert _folders(site.out) == _folders(clean)


def _spares(site: ScratchSite) -> list[Path]:
    return list((site.cache / "spare").glob("*"))


def test_the_replaced_site_is_parked_in_the_cache_not_beside_the_output(
    scratch_site: ScratchSite,
):
    scratch_site.build()
    assert _spares(scratch_site) == []  # nothing was replaced
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    (spare,) = _spares(scratch_site)
    assert "Now back" not in (spare / "far-side/index.html").read_text()  # the old site
    assert sorted(p.name for p in scratch_site.out.parent.iterdir()) == sorted(
        [scratch_site.root.name, "_site", ".cache"]
    )


def test_files_and_folders_that_change_shape_leave_nothing_behind(scratch_site: ScratchSite):
    """A static file becomes a folder and back, and a page goes away, across builds whose
    spare has the other shape: each site is exactly a clean build's."""
    shapes = {
        "file": {"static/notes": "a file\n"},
        "folder": {"static/notes/one.txt": "in a folder\n", "static/notes/deep/two.txt": "2\n"},
    }
    for step, shape in enumerate(["file", "file", "folder", "file", "folder", "folder"]):
        notes = scratch_site.static / "notes"
        if notes.is_dir():
            shutil.rmtree(notes)
        notes.unlink(missing_ok=True)
        for rel, text in shapes[shape].items():
            scratch_site.write(rel, text)
        if step == 4:  # and a page goes, with the link to it
            (scratch_site.content / "guide/index.md").unlink()
            scratch_site.edit("content/index.md", " and the [guide](guide/index.md)", "")
        scratch_site.build()
        _assert_like_a_clean_build(scratch_site, f"clean-cache-{step}")
    assert not (scratch_site.out / "guide").exists()


def test_a_hand_edit_of_the_published_site_does_not_survive_through_the_spare(
    scratch_site: ScratchSite,
):
    """Unchanged files of the site and its spare are one file under two names: an edit in
    place changes both, and the next build must still publish what the sources say."""
    for word in ("One", "Two", "Three"):  # by the third build a spare is in use
        scratch_site.edit("content/far-side.md", "Back [home]", f"{word} back [home]")
        scratch_site.build()
        scratch_site.edit("content/far-side.md", f"{word} back [home]", "Back [home]")
    page = scratch_site.out / "index.html"
    with page.open("a", encoding="utf-8") as handle:
        handle.write("<p>edited by hand</p>\n")
    scratch_site.build()
    assert "edited by hand" not in page.read_text(encoding="utf-8")
    _assert_like_a_clean_build(scratch_site, "clean-cache")


def test_a_failed_build_leaves_a_spare_the_next_build_can_trust(scratch_site: ScratchSite):
    scratch_site.build()
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    # A template error stops the build while it writes, with the spare half made over.
    scratch_site.edit("templates/page.html", "{{ content }}", "{{ content }}{{ no_such }}")
    assert any("no_such" in error for error in scratch_site.errors())
    scratch_site.edit("templates/page.html", "{{ no_such }}", "<!-- v2 -->")
    scratch_site.build()
    assert "<!-- v2 -->" in scratch_site.html("far-side/index.html")
    _assert_like_a_clean_build(scratch_site, "clean-cache")


def test_without_a_cache_folder_of_its_own_the_old_site_is_removed(
    scratch_site: ScratchSite, tmp_path: Path
):
    """A cache folder that is not ours (no CACHEDIR.TAG, not empty) gets no spare in it."""
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "diary.txt").write_text("mine\n")
    for word in ("One", "Two", "Three"):
        scratch_site.edit("content/far-side.md", "Back [home]", f"{word} back [home]")
        scratch_site.build(cache=foreign)
        scratch_site.edit("content/far-side.md", f"{word} back [home]", "Back [home]")
    assert sorted(p.name for p in foreign.iterdir()) == ["diary.txt"]
    assert "Three back" in scratch_site.html("far-side/index.html")


def test_a_failed_build_never_writes_through_to_the_published_site(scratch_site: ScratchSite):
    """A page rendered again is written under a new inode, never into the spare's file, which
    may be the published site's file too: until the swap, the site stays exactly as it was."""
    for word in ("One", "Two", "Three"):
        scratch_site.edit("content/far-side.md", "Back [home]", f"{word} back [home]")
        scratch_site.build()
        scratch_site.edit("content/far-side.md", f"{word} back [home]", "Back [home]")
    with (scratch_site.out / "index.html").open("a", encoding="utf-8") as handle:
        handle.write("<p>edited by hand</p>\n")  # so the next build renders the home page
    before = tree_digest(scratch_site.out)
    scratch_site.edit("content/far-side.md", "title:", "template: nowhere.html\ntitle:")
    assert any("nowhere.html" in error for error in scratch_site.errors())
    assert tree_digest(scratch_site.out) == before
