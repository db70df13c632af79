"""Stale facts: unverified for over a year (by the build's date), never verified, or without a
supporting passage in a source they cite. Warnings, printed once each; errors under --strict."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import verify_every_fact

from factsheet.facts import PartialDate
from factsheet.stale import last_day

EPOCH = 1764806400  # SOURCE_DATE_EPOCH for 4 December 2025, 00:00 UTC
BUILD_DAY = datetime.fromtimestamp(EPOCH, UTC).date()


def fact_line(site, fact_id: str) -> str:
    """`path:line` of a fact's `- id:` line (an exact match: `landing` is not `landings`)."""
    path = site.data / "facts.yaml"
    lines = path.read_text().splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.endswith(f"- id: {fact_id}"))
    return f"{path}:{number}"


def set_verified(site, fact_id: str, value: str) -> None:
    text = (site.data / "facts.yaml").read_text()
    start = text.index(f"- id: {fact_id}\n")
    at = text.index("verified: ", start)
    end = text.index("\n", at)
    (site.data / "facts.yaml").write_text(text[:at] + f"verified: '{value}'" + text[end:])


def stale_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if " fact '" in line]


def test_a_verified_and_quoted_site_has_no_findings(scratch_site):
    verify_every_fact(scratch_site, BUILD_DAY)
    result = scratch_site.run("check", "--strict", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_fact_verified_over_a_year_before_the_build_warns_once(scratch_site):
    verify_every_fact(scratch_site, BUILD_DAY)
    set_verified(scratch_site, "mass", "2024-12-03")  # one year and one day before the build
    set_verified(scratch_site, "diameter", "2024-12-04")  # exactly a year: still fresh
    result = scratch_site.run("build", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 0, result.stderr
    assert stale_lines(result) == [
        f"{fact_line(scratch_site, 'mass')}: warning: fact 'mass' was last verified "
        "3 December 2024, more than a year ago: compare it with its sources again and update "
        "verified"
    ]
    strict = scratch_site.run("build", "--strict", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert strict.returncode == 1
    assert f"{fact_line(scratch_site, 'mass')}: fact 'mass' was last verified" in strict.stderr
    assert "Build failed: 1 error" in strict.stderr and "Traceback" not in strict.stderr


def test_staleness_is_measured_from_source_date_epoch(scratch_site):
    verify_every_fact(scratch_site, date(2020, 1, 1))
    fresh = scratch_site.run("check", "--strict", env={"SOURCE_DATE_EPOCH": "1577880000"})
    assert fresh.returncode == 0, fresh.stderr  # 1 January 2020: verified that very day
    late = scratch_site.run("check", "--strict", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert late.returncode == 1 and len(stale_lines(late)) == 9


def test_a_fact_without_verified_or_passage_gets_one_finding(scratch_site):
    result = scratch_site.run("check", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 0, result.stderr  # warnings do not fail a plain build
    lines = stale_lines(result)
    assert len(lines) == 9  # one per fact of the scratch data, however many problems it has
    landing = next(line for line in lines if "fact 'landing'" in line)
    assert landing == (
        f"{fact_line(scratch_site, 'landing')}: warning: fact 'landing' has no verified date: "
        'compare it with its sources, then add verified: "2025-12-04"; has no supporting '
        "passage in sources 'src-a', 'src-c': quote it under the source's passages, keyed "
        "'landing'"
    )


def test_a_missing_passage_names_the_source(scratch_site):
    verify_every_fact(scratch_site, BUILD_DAY)
    path = scratch_site.data / "facts.yaml"
    text = path.read_text()
    assert "    landing: the words behind landing\n" in text
    path.write_text(text.replace("    landing: the words behind landing\n", "", 1))
    result = scratch_site.run("check", "--strict", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 1
    # Removed from the first source that quoted it (src-a); src-c still does.
    assert stale_lines(result) == [
        f"{fact_line(scratch_site, 'landing')}: fact 'landing' has no supporting passage in "
        "source 'src-a': quote it under the source's passages, keyed 'landing'"
    ]


def test_a_restated_fact_counts_its_originals_checks(scratch_site):
    verify_every_fact(scratch_site, BUILD_DAY)
    path = scratch_site.data / "facts.yaml"
    path.write_text(
        path.read_text() + "- id: mass-again\n  label: Mass again\n  value_from: mass\n"
    )
    scratch_site.edit("content/far-side.md", "Back [home]", "{fact mass-again}. Back [home]")
    result = scratch_site.run("check", "--strict", env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.returncode == 0, result.stderr


def test_a_partial_verified_date_counts_to_its_last_day():
    assert last_day(PartialDate(2025)) == date(2025, 12, 31)
    assert last_day(PartialDate(2024, 2)) == date(2024, 2, 29)
    assert last_day(PartialDate(2024, 6, 3)) == date(2024, 6, 3)
