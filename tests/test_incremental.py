"""Incremental builds are exactly clean builds, only faster.

After every kind of edit an author makes, a build that reuses the last one (from the disk store
of the command line, and from the memory store of the dev server) must give byte for byte the
site a build from scratch gives; and every input that can change the output must be part of
what decides reuse.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from conftest import ScratchSite, make_scratch_site, tree_digest

from factsheet import incremental
from factsheet.config import Config
from factsheet.incremental import NOT_OUTPUT_SETTINGS, DiskStore, MemoryStore
from factsheet.live_output import LiveOutput
from factsheet.site import build

NEW_PAGE = """\
---
title: A page added later
description: "A page that appears after the first build, citing a source and a fact."
order: 3
---
## Added

It cites {fact diameter} and links to [the depths](far-side.md#depths).
"""


def _rename_guide(site: ScratchSite) -> None:
    (site.content / "guide" / "index.md").rename(site.content / "guide" / "reading.md")
    site.edit("content/index.md", "(guide/index.md)", "(guide/reading.md)")


def _remove_guide(site: ScratchSite) -> None:
    """Remove the guide (wherever a rename in an earlier edit put it) and the link to it."""
    (guide,) = (site.content / "guide").glob("*.md")
    guide.unlink()
    site.edit("content/index.md", f" and the [guide](guide/{guide.name})", "")


SOURCES_PAGE = """\
---
title: Sources
description: "Every source of the scratch site, by publisher, with the pages that cite it."
template: sources.html
---
All the sources.
"""


@pytest.fixture
def scratch_site(scratch_site: ScratchSite) -> ScratchSite:
    """The scratch site with a sources page, which shows which page cites which source."""
    scratch_site.write("content/sources.md", SOURCES_PAGE)
    return scratch_site


EDITS = {
    # one page's words
    "page": lambda s: s.edit("content/far-side.md", "Back [home]", "Now back [home]"),
    # a page's title: the navigation of every page shows it
    "title": lambda s: s.edit("content/far-side.md", "title: The far side", "title: Far away"),
    # one fact's value: shown by one page
    "fact": lambda s: s.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.31"),
    # a fact used by a table (group member)
    "table fact": lambda s: s.edit(
        "content/data/facts.yaml", "Landed upside down", "Landed on its nose"
    ),
    # a page cites one more source: the sources page lists which pages cite what
    "citation": lambda s: s.edit("content/far-side.md", "The motto:", "The motto{cite src-c}:"),
    # a source's title: the reference lists and the sources page show it
    "source": lambda s: s.edit(
        "content/data/facts.yaml", "title: Basin survey", "title: Basin survey, revised"
    ),
    # the site's author: its credit is in every page's footer, citations and the downloads
    "site": lambda s: s.edit("content/data/site.yaml", "Scratch editors", "Scratch authors"),
    "template": lambda s: s.edit("templates/base.html", "</footer>", "<!-- x --></footer>"),
    "static": lambda s: (s.static / "extra.txt").write_text("an extra static file\n"),
    "css": lambda s: (s.static / "style.css").write_text(
        (s.static / "style.css").read_text() + "\n/* edited */\n"
    ),
    "page added": lambda s: s.write("content/added.md", NEW_PAGE),
    "page renamed": _rename_guide,
    "page removed": _remove_guide,
    # fact pages: a source's supporting passage (shown only on the fact page), a page that
    # starts showing a fact (its page lists where it is shown), another source's value
    "passage": lambda s: s.edit(
        "content/data/facts.yaml",
        '    accessed: "2026-11-24"\n',
        '    accessed: "2026-11-24"\n    passages: {mass: "1,935.3 grams"}\n',
    ),
    "fact placed": lambda s: s.edit(
        "content/far-side.md", "The lander sat", "It brought {fact mass}. The lander sat"
    ),
    "alternative": lambda s: s.edit(
        "content/data/facts.yaml",
        "    qualifier: about\n",
        "    qualifier: about\n    alternatives: [{value: 2240, "
        "sources: [src-c]}]\n    choice: The newer survey.\n",
    ),
    "data file added": lambda s: s.write(
        "content/data/more.yaml",
        """\
        facts:
          - id: extra
            label: An extra fact nobody shows
            type: quantity
            value: 3
            as_of: "2026"
            sources: [src-a]
        """,
    ),
}


def _fresh(site: ScratchSite, name: str) -> dict[str, str]:
    out = site.root.parent / f"fresh-{name}"
    build(
        dataclasses.replace(
            site.config(), out_dir=out, cache_dir=site.root.parent / f"fresh-cache-{name}"
        )
    )
    return tree_digest(out)


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_disk_store_rebuild_equals_a_clean_build(
    scratch_site: ScratchSite, edit: str, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    scratch_site.build()
    EDITS[edit](scratch_site)
    result = scratch_site.build()
    assert not result.skipped
    assert tree_digest(scratch_site.out) == _fresh(scratch_site, "disk")


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_memory_store_rebuild_equals_a_clean_build(scratch_site: ScratchSite, edit: str):
    """The dev server's path: one MemoryStore and one LiveOutput across builds."""
    config = dataclasses.replace(scratch_site.config(), out_dir=scratch_site.root.parent / "live")
    store, live = MemoryStore(), LiveOutput(config.out_dir)
    build(config, store, live)
    EDITS[edit](scratch_site)
    build(config, store, live)
    assert tree_digest(config.out_dir) == _fresh(scratch_site, "memory")


def test_edits_in_a_row_stay_equal_to_clean_builds(scratch_site: ScratchSite, monkeypatch):
    """One store through every edit, as an editing session goes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    scratch_site.build()
    for index, edit in enumerate(EDITS.values()):
        edit(scratch_site)
        scratch_site.build()
        assert tree_digest(scratch_site.out) == _fresh(scratch_site, str(index)), index


def test_a_fact_edit_renders_only_the_pages_that_show_it(scratch_site: ScratchSite):
    scratch_site.build()
    scratch_site.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.31")
    result = scratch_site.build()
    assert result.rendered == 1  # index.md shows `mass`; far-side.md and the guide do not


def test_a_page_edit_renders_only_that_page(scratch_site: ScratchSite):
    scratch_site.build()
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    assert scratch_site.build().rendered == 1


def test_adding_a_missing_fact_renders_the_page_that_asked_for_it(scratch_site: ScratchSite):
    """An unknown fact is a dependency too: defining it must re-render the page (here the
    page fails first, then builds once the fact exists)."""
    scratch_site.edit("content/far-side.md", "{fact motto}", "{fact motto} {fact extra}")
    assert any("unknown fact 'extra'" in e for e in scratch_site.errors())
    EDITS["data file added"](scratch_site)
    scratch_site.build()
    assert 'data-fact="extra"' in scratch_site.html("far-side/index.html")


def test_a_link_to_a_page_that_appears_later_is_resolved(scratch_site: ScratchSite):
    scratch_site.edit("content/guide/index.md", "## Reading", "## Reading\n\n[New](../added.md)")
    assert any("does not exist" in e for e in scratch_site.errors())
    EDITS["page added"](scratch_site)
    scratch_site.build()
    assert 'href="/added/"' in scratch_site.html("guide/index.html")


# -- what decides reuse ---------------------------------------------------------------------------


def _fingerprint(config: Config) -> str:
    return MemoryStore().scan(config).fingerprint


def test_every_config_field_that_can_change_the_output_changes_the_fingerprint(
    scratch_site: ScratchSite, tmp_path: Path
):
    config = scratch_site.config()
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(scratch_site.root, elsewhere)
    changed = {
        "root": elsewhere,
        "content_dir": elsewhere / "content",
        "data_dir": elsewhere / "content" / "data",
        "templates_dir": elsewhere / "templates",
        "static_dir": elsewhere / "static",
        "base_path": "/other/",
        "site_url": "https://other.example.org",
        "strict": True,
        "drafts": True,
    }
    fields = {field.name for field in dataclasses.fields(Config)}
    # every field is either tried here or named as one that cannot change the output
    assert fields == set(changed) | NOT_OUTPUT_SETTINGS
    before = _fingerprint(config)
    for name, value in changed.items():
        assert _fingerprint(dataclasses.replace(config, **{name: value})) != before, name


def test_fields_that_do_not_decide_reuse_really_do_not_change_the_output(
    scratch_site: ScratchSite, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    scratch_site.build(jobs=1)
    first = tree_digest(scratch_site.out)
    other = scratch_site.root.parent / "other"
    scratch_site.build(jobs=2, out=other, cache=scratch_site.root.parent / "other-cache")
    assert tree_digest(other) == first


@pytest.mark.parametrize(
    "rel",
    [
        "content/index.md",
        "content/data/facts.yaml",
        "content/data/site.yaml",
        "templates/base.html",
        "static/style.css",
        "static/favicon.svg",
    ],
)
def test_every_input_file_changes_the_fingerprint(scratch_site: ScratchSite, rel: str):
    config = scratch_site.config()
    before = _fingerprint(config)
    path = scratch_site.root / rel
    path.write_bytes(path.read_bytes() + b"\n")
    assert _fingerprint(config) != before


def test_the_generators_code_changes_the_fingerprint(scratch_site: ScratchSite, monkeypatch):
    config = scratch_site.config()
    before = _fingerprint(config)
    monkeypatch.setattr(incremental, "code_version", lambda: "another version of the code")
    assert _fingerprint(config) != before


def test_source_date_epoch_changes_the_fingerprint(scratch_site: ScratchSite, monkeypatch):
    config = scratch_site.config()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    before = _fingerprint(config)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2")
    assert _fingerprint(config) != before


def test_a_same_size_edit_with_the_old_times_restored_is_seen(scratch_site: ScratchSite):
    """`cp -p`, tar and rsync -a restore modification times: the store decides by content."""
    scratch_site.build()
    path = scratch_site.content / "far-side.md"
    stat = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Back [home]", "Bock [home]"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    scratch_site.build()
    assert "Bock" in scratch_site.html("far-side/index.html")


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_corrupt_cache_is_a_cache_miss(scratch_site: ScratchSite, garbage: bytes):
    scratch_site.build()
    for index in scratch_site.cache.glob("*.pickle"):
        index.write_bytes(garbage)
    for entry in (scratch_site.cache / "pages").rglob("*.pickle"):
        entry.write_bytes(garbage)
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    assert "Now back" in scratch_site.html("far-side/index.html")
    assert "<h1" in scratch_site.html("guide/index.html")


def test_the_cache_never_deletes_what_it_did_not_write(scratch_site: ScratchSite, tmp_path: Path):
    notes = tmp_path / "notes"
    (notes / "pages" / "20").mkdir(parents=True)
    diary = notes / "pages" / "20" / "diary.txt"
    diary.write_text("dear diary\n")
    scratch_site.build(cache=notes)
    assert diary.read_text() == "dear diary\n"
    assert not (notes / incremental.MARKER).exists()  # not ours: nothing written there either


def test_a_disk_store_starts_warm_in_a_new_process(scratch_site: ScratchSite):
    """What one build kept (pages read, renderings) serves the next build's fresh store."""
    config = scratch_site.config()
    build(config, DiskStore(config.cache_dir, config))
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    result = build(config, DiskStore(config.cache_dir, config))
    assert result.rendered == 1


def test_the_same_input_gives_the_same_bytes_from_either_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = make_scratch_site(tmp_path / "site")
    config = site.config()
    build(config)
    live = LiveOutput(tmp_path / "live")
    build(dataclasses.replace(config, out_dir=live.out_dir), MemoryStore(), live)
    assert tree_digest(live.out_dir) == tree_digest(config.out_dir)


def test_a_build_with_nothing_changed_keeps_the_cached_renderings(scratch_site: ScratchSite):
    """A skipped build must not prune the renderings the next build will reuse."""
    scratch_site.build()
    assert scratch_site.build().skipped
    scratch_site.edit("templates/base.html", "</footer>", "<!-- x --></footer>")
    assert scratch_site.build().rendered == 0


def test_renderings_lost_from_the_cache_are_converted_again(scratch_site: ScratchSite):
    """The index still names them, but the entries are gone or damaged: no internal error."""
    scratch_site.build()
    entries = sorted((scratch_site.cache / "pages").rglob("*.pickle"))
    entries[0].unlink()
    for entry in entries[1:]:
        entry.write_bytes(b"\x80\x05N.")
    scratch_site.edit("templates/base.html", "</footer>", "<!-- x --></footer>")
    scratch_site.build()
    assert "<h1" in scratch_site.html("guide/index.html")
    assert "<!-- x -->" in scratch_site.html("guide/index.html")
