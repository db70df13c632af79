"""Honest blame: a problem in the content is reported as `path:line` of the content; a bug in
the generator is an internal error (exit 2), never blamed on a line of someone's Markdown."""

from __future__ import annotations

import pytest
from conftest import ScratchSite, make_scratch_site

from factsheet import pipeline as pipeline_module
from factsheet.charts import ChartError
from factsheet.errors import BuildError, ContentError


def test_a_content_problem_in_a_chart_names_the_page_and_line(scratch_site: ScratchSite):
    scratch_site.edit("content/far-side.md", "## Depths", "## Depths\n\n{chart no-such-chart}")
    errors = scratch_site.errors()
    line = scratch_site.line_of("content/far-side.md", "{chart no-such-chart}")
    assert any(
        e.startswith(f"content/far-side.md:{line}: ") and "no-such-chart" in e for e in errors
    ), errors


def test_a_chart_error_is_a_content_error():
    assert issubclass(ChartError, ContentError)


def test_a_bug_inside_a_chart_is_not_blamed_on_the_page(scratch_site: ScratchSite, monkeypatch):
    def broken_chart(name, book):
        return 1 / 0

    monkeypatch.setattr(pipeline_module, "render_chart", broken_chart)
    scratch_site.edit("content/far-side.md", "## Depths", "## Depths\n\n{chart timeline}")
    with pytest.raises(ZeroDivisionError):
        scratch_site.build()


def test_a_content_error_raised_by_a_chart_is_placed_on_the_page(
    scratch_site: ScratchSite, monkeypatch
):
    def picky_chart(name, book):
        raise ContentError("the timeline needs at least two dated facts")

    monkeypatch.setattr(pipeline_module, "render_chart", picky_chart)
    scratch_site.edit("content/far-side.md", "## Depths", "## Depths\n\n{chart timeline}")
    line = scratch_site.line_of("content/far-side.md", "{chart timeline}")
    with pytest.raises(BuildError) as failure:
        scratch_site.build()
    assert [str(e) for e in failure.value.errors] == [
        f"content/far-side.md:{line}: the timeline needs at least two dated facts"
    ]


def test_the_cli_reports_a_generator_bug_as_an_internal_error(scratch_site: ScratchSite, tmp_path):
    """In a subprocess, with a chart module whose drawing code divides by zero."""
    scratch_site.edit("content/far-side.md", "## Depths", "## Depths\n\n{chart timeline}")
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, runpy\n"
        "import factsheet.pipeline as pipeline\n"
        "pipeline.render_chart = lambda name, book: 1 / 0\n"
        "sys.argv = ['build.py'] + sys.argv[1:]\n"
        "runpy.run_path('build.py', run_name='__main__')\n"
    )
    import subprocess
    import sys

    from conftest import ROOT, folder_options

    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "build",
            *folder_options(scratch_site),
            "--jobs",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2, result.stderr
    assert "internal error: ZeroDivisionError" in result.stderr
    assert "far-side.md" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_compiled_for_another_site_is_blamed_on_this_sites_file(tmp_path):
    """Templates compiled once in a process serve every copy of them (template_cache.py): an
    error must still name the copy of the site being built, with its line."""
    make_scratch_site(tmp_path / "first" / "site").build()  # compiles every template
    second = make_scratch_site(tmp_path / "second" / "site")
    second.edit("content/far-side.md", "title:", "template: fact.html\ntitle:")
    line = second.line_of("templates/fact.html", "{% if group %}")  # the first one it lacks
    assert any(
        error.startswith(f"templates/fact.html:{line}: template error:")
        for error in second.errors()
    ), second.errors()
