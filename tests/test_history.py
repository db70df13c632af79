"""Fact history from git: the values each fact has had, the change log and its Atom feed, from a
throwaway repository with fixed commit dates."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ScratchSite, tree_digest

from factsheet import pipeline as pipeline_module
from factsheet.git_head import NO_GIT, git_head
from factsheet.history import read_history
from factsheet.incremental import MemoryStore
from factsheet.live_output import LiveOutput
from factsheet.site import build

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(site: ScratchSite, *args: str, date: str = "2026-01-01T12:00:00+00:00") -> str:
    environment = dict(
        os.environ,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_AUTHOR_NAME="Editor",
        GIT_AUTHOR_EMAIL="editor@example.org",
        GIT_COMMITTER_NAME="Editor",
        GIT_COMMITTER_EMAIL="editor@example.org",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return subprocess.run(
        ["git", *args], cwd=site.root, env=environment, check=True, capture_output=True, text=True
    ).stdout


def commit(site: ScratchSite, message: str, date: str) -> None:
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message, date=date)


@pytest.fixture
def repo(scratch_site: ScratchSite) -> ScratchSite:
    """The scratch site in a git repository with three commits: the first version, a
    corrected sample mass, and a second source for the basin diameter."""
    git(scratch_site, "init", "-q", "-b", "main")
    commit(scratch_site, "First version", "2026-01-01T12:00:00+00:00")
    scratch_site.edit("content/data/facts.yaml", "value: 1935.3", "value: 1935.4")
    commit(scratch_site, "Sample mass: CNSA's corrected figure", "2026-02-01T09:30:00+08:00")
    scratch_site.edit(
        "content/data/facts.yaml",
        "    sources: [src-b]\n  - id: launch-day",
        "    sources: [src-b, src-c]\n  - id: launch-day",
    )
    commit(scratch_site, "Basin diameter: a second source", "2026-03-01T00:00:00+00:00")
    return scratch_site


def test_history_lists_each_change_with_its_commit(repo: ScratchSite):
    history = read_history(repo.data)
    assert history.available
    mass = history.of("mass")
    assert [(c.kind, c.previous, c.value, c.subject, c.date) for c in mass] == [
        ("added", "", "1,935.3\u00a0g", "First version", "2026-01-01T12:00:00+00:00"),
        (
            "changed",
            "1,935.3\u00a0g",
            "1,935.4\u00a0g",
            "Sample mass: CNSA's corrected figure",
            "2026-02-01T09:30:00+08:00",
        ),
    ]
    (added, sources) = history.of("diameter")
    assert sources.value == sources.previous and sources.sources == ("src-b", "src-c")
    assert sources.previous_sources == ("src-b",)


def test_a_change_on_a_merged_branch_keeps_its_own_commit(repo: ScratchSite):
    git(repo, "checkout", "-q", "-b", "fix")
    repo.edit("content/data/facts.yaml", "value: 2500", "value: 2510")
    commit(repo, "Diameter from the new survey", "2026-04-01T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    repo.edit("content/index.md", "A note", "A remark")
    commit(repo, "Wording", "2026-04-02T00:00:00+00:00")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'fix'",
        "fix",
        date="2026-04-03T00:00:00+00:00",
    )
    changes = read_history(repo.data).of("diameter")
    assert [c.subject for c in changes if c.kind == "changed"] == [
        "Basin diameter: a second source",
        "Diameter from the new survey",
    ]


def test_a_fact_page_shows_its_history_newest_first(repo: ScratchSite):
    repo.build(base_path="/moon/")
    html = repo.html("facts/mass/index.html")
    history = html[html.index('id="history"') :]
    assert history.index("2026-02-01") < history.index("2026-01-01")
    assert "1,935.3\u00a0g → 1,935.4\u00a0g" in history
    assert "Sample mass: CNSA&#39;s corrected figure" in history
    assert "first recorded as 1,935.3\u00a0g" in history


def test_the_change_log_is_newest_first_and_names_every_changed_fact(repo: ScratchSite):
    repo.build(base_path="/moon/")
    html = repo.html("changes/index.html")
    main = html[html.index("<main") :]
    subjects = [
        "Basin diameter: a second source",
        "Sample mass: CNSA&#39;s corrected figure",
        "First version",
    ]
    assert [main.index(subject) for subject in subjects] == sorted(
        main.index(subject) for subject in subjects
    )
    assert 'href="/moon/facts/mass/">Sample mass returned</a>: 1,935.3\u00a0g → 1,935.4' in main
    assert "sources: src-b → src-b, src-c" in main
    assert "9 facts added" in main


def test_the_feed_is_valid_atom_and_deterministic(repo: ScratchSite):
    repo.build(base_path="/moon/")
    feed_bytes = (repo.out / "changes/feed.xml").read_bytes()
    feed = ET.fromstring(feed_bytes)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}updated").text == "2026-03-01T00:00:00+00:00"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://example.org/scratch/changes/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Basin diameter: a second source",
        "Sample mass: CNSA's corrected figure",
        "First version",
    ]
    for entry in entries:
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 3
    # the same commits give the same bytes, whenever and wherever the site is built
    other = dataclasses.replace(
        repo.config(base_path="/moon/"),
        out_dir=repo.root.parent / "again",
        cache_dir=repo.root.parent / "again-cache",
    )
    build(other)
    assert tree_digest(other.out_dir) == tree_digest(repo.out)


def test_history_is_read_once_per_commit(repo: ScratchSite, monkeypatch):
    reads = []

    def counting(folder: Path):
        reads.append(folder)
        return read_history(folder)

    monkeypatch.setattr(pipeline_module, "read_history", counting)
    config = dataclasses.replace(repo.config(), out_dir=repo.root.parent / "live")
    store, live = MemoryStore(), LiveOutput(config.out_dir)
    build(config, store, live)
    repo.edit("content/far-side.md", "Back [home]", "Now back [home]")
    build(config, store, live)
    assert len(reads) == 1
    # a commit of what was already built changes no file, but it changes the history
    commit(repo, "Far side: wording", "2026-05-01T00:00:00+00:00")
    result = build(config, store, live)
    assert not result.skipped and len(reads) == 2
    assert "Far side: wording" not in (config.out_dir / "changes/index.html").read_text()
    repo.edit("content/data/facts.yaml", "value: 1935.4", "value: 1935.5")
    commit(repo, "Sample mass again", "2026-05-02T00:00:00+00:00")
    build(config, store, live)
    assert "Sample mass again" in (config.out_dir / "facts/mass/index.html").read_text()


def test_head_is_read_from_the_repository_files(repo: ScratchSite):
    assert git_head(repo.data) == git(repo, "rev-parse", "HEAD").strip()
    git(repo, "pack-refs", "--all")
    assert git_head(repo.data) == git(repo, "rev-parse", "HEAD").strip()


def test_without_git_the_build_succeeds_and_says_history_is_unavailable(scratch_site: ScratchSite):
    assert git_head(scratch_site.data) == NO_GIT
    result = scratch_site.run("--base-path", "/moon/")
    assert result.returncode == 0, result.stderr
    assert (
        "History is unavailable for this build: the data folder is not in a git "
        "repository." in scratch_site.html("facts/mass/index.html")
    )
    assert "history is unavailable" in scratch_site.html("changes/index.html")
    feed = ET.fromstring((scratch_site.out / "changes/feed.xml").read_bytes())
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.find(f"{ATOM}updated").text == "2024-06-28T00:00:00Z"  # the newest data date


def test_a_new_type_that_reads_the_same_is_not_a_change(repo: ScratchSite):
    repo.edit(
        "content/data/facts.yaml",
        "    type: quantity\n    value: 1935.4\n    unit: g\n",
        '    type: text\n    value: "1,935.4 g"\n',
    )
    commit(repo, "Sample mass as text", "2026-06-01T00:00:00+00:00")
    assert [c.subject for c in read_history(repo.data).of("mass")][
        -1
    ] == "Sample mass: CNSA's corrected figure"
