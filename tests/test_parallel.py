"""Builds spread over worker processes (Markdown conversion and Jinja rendering) make the same
site, byte for byte, as one process, and report the same errors."""

from __future__ import annotations

import pytest
from conftest import ScratchSite, tree_digest

from factsheet import forked


@pytest.fixture
def few_pages_go_parallel(monkeypatch):
    """The scratch site has a handful of pages: let even those go to worker processes."""
    monkeypatch.setattr(forked, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _build_both_ways(site: ScratchSite) -> tuple[dict[str, str], dict[str, str]]:
    parallel = site.root.parent / "parallel"
    site.build(jobs=1)
    site.build(jobs=2, out=parallel, cache=site.root.parent / "parallel-cache")
    return tree_digest(site.out), tree_digest(parallel)


def test_worker_processes_build_the_same_bytes(scratch_site: ScratchSite, few_pages_go_parallel):
    serial, parallel = _build_both_ways(scratch_site)
    assert parallel == serial
    # every page rendered again through Jinja, from the cached Markdown
    scratch_site.edit("templates/base.html", "</footer>", "<!-- v2 --></footer>")
    serial, parallel = _build_both_ways(scratch_site)
    assert parallel == serial
    assert "<!-- v2 -->" in parallel_page(scratch_site)


def parallel_page(site: ScratchSite) -> str:
    return (site.root.parent / "parallel" / "far-side/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("template", ["page.html", "fact.html"])  # Markdown pages, fact pages
def test_a_template_error_in_a_worker_is_reported_like_one_in_process(
    scratch_site: ScratchSite, few_pages_go_parallel, template: str
):
    broken = "{% block main %}{{ page.nope.deeper }}"
    scratch_site.edit(f"templates/{template}", "{% block main %}", broken)
    serial = scratch_site.errors(jobs=1)
    parallel = scratch_site.errors(jobs=2, cache=scratch_site.root.parent / "parallel-cache")
    assert parallel == serial
    assert [error for error in serial if error.startswith(f"templates/{template}:2:")], serial
