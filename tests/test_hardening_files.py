"""Adversarial corpus, issue 10: data loss and files that are not what they seem.

Each case is something a user (or a mistake, or a second terminal) really does: point --out at
docs/ or .git, point --cache at a notes folder, run two builds at once, kill a build, link
/etc/passwd into static/, leave a FIFO in content/, hand-edit the built site. What a user must
see: nothing of theirs deleted, `path: message` with exit 1 and no traceback, and the old site
or the new one in the output folder, never a mix and never neither.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, folder_options, tree_digest
from test_serve import OVERLAY_ID, Server, serve_site  # noqa: F401 - serve_site: a fixture

from factsheet import owned_folders
from factsheet.errors import BuildError
from factsheet.owned_folders import CACHE_TAG, OUTPUT_MARKER, old_site, output_lock

BASE = "/moon/"


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(site) -> list[str]:
    """Whatever a build left beside its output folder besides the output and the cache."""
    return sorted(
        p.name for p in site.out.parent.iterdir() if p.name not in {"_site", ".cache", "site"}
    )


# -- 1. --out replaces only a folder a build made -------------------------------------------

USER_FOLDERS = {
    "docs": {"authoring.md": "# Writing pages\n", "images/plan.png": "not really a PNG"},
    "generator": {"factsheet/__init__.py": "", "factsheet/site.py": "def build(): ...\n"},
    "git": {"HEAD": "ref: refs/heads/main\n", "objects/ab/cdef": "blob"},
    "hidden-only": {".keep": ""},  # one hidden file is still somebody's folder
    "old-site-without-marker": {"index.html": "<h1>an old build, or someone's page</h1>"},
}


@pytest.mark.parametrize("name", sorted(USER_FOLDERS))
def test_out_refuses_a_folder_the_build_did_not_make(scratch_site, name):
    folder = scratch_site.root.parent / name
    for rel, text in USER_FOLDERS[name].items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    before = files_under(folder)
    result = scratch_site.run("--out", str(folder))
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.splitlines()[0] == (
        f"--out: {folder} is not empty and was not made by build.py (it has no "
        f"{OUTPUT_MARKER} file); the build will not replace it: choose a new or empty folder "
        "for --out"
    )
    assert files_under(folder) == before


@pytest.mark.parametrize("kind", ["file", "fifo", "link to a file"])
def test_out_that_is_not_a_folder_is_refused(scratch_site, kind):
    target = scratch_site.root.parent / "notes.txt"
    target.write_text("my notes\n")
    # Only paths in the test's own folder: a regression must not replace a real /dev/null.
    out = (
        scratch_site.root.parent
        / {"file": "notes.txt", "fifo": "pipe", "link to a file": "link"}[kind]
    )
    if kind == "fifo":
        os.mkfifo(out)
    if kind == "link to a file":
        out.symlink_to(target)
    result = scratch_site.run("--out", str(out))
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.splitlines()[0] == (
        f"--out: {out.resolve()} exists and is not a folder; the build will not replace it: "
        "choose a folder for --out"
    )
    assert target.read_text() == "my notes\n"
    assert out.is_fifo() if kind == "fifo" else out.is_file()


def test_out_may_be_an_empty_folder_and_is_then_marked_as_the_builds(scratch_site):
    scratch_site.out.mkdir()
    result = scratch_site.run()
    assert result.returncode == 0, result.stderr
    assert (scratch_site.out / OUTPUT_MARKER).is_file()
    # and the marked folder is replaced by the next build without complaint
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    assert scratch_site.run().returncode == 0
    assert "Now back" in scratch_site.html("far-side/index.html")


def test_marker_is_harmless_to_the_site_and_its_checks(scratch_site):
    result = scratch_site.run("--base-path", BASE)
    assert result.returncode == 0, result.stderr
    marker = (scratch_site.out / OUTPUT_MARKER).read_text()
    assert marker.count("\n") == 1 and marker.endswith("\n") and "<" not in marker
    assert OUTPUT_MARKER not in (scratch_site.out / "sitemap.xml").read_text()
    check = scratch_site.run("check", "--base-path", BASE)
    assert check.returncode == 0, check.stderr


def test_a_folder_made_at_the_output_path_during_the_build_is_not_replaced(scratch_site):
    config = scratch_site.config()  # validated while nothing is there yet
    scratch_site.out.mkdir()
    (scratch_site.out / "thesis.tex").write_text("\\chapter{Far side}\n")
    with pytest.raises(BuildError) as failure:
        output_build(config)
    assert [str(e) for e in failure.value.errors] == [
        f"--out: {scratch_site.out} is not empty and was not made by build.py (it has no "
        f"{OUTPUT_MARKER} file); the build will not replace it: choose a new or empty folder "
        "for --out"
    ]
    assert (scratch_site.out / "thesis.tex").read_text() == "\\chapter{Far side}\n"
    assert leftovers(scratch_site) == []


def output_build(config):
    from factsheet.site import build

    return build(config)


# -- 1b. --cache deletes only its own entries ---------------------------------------------------


# A folder that is not the cache's own is a cache miss (the rule for a foreign cache):
# the build works, slower, and writes and deletes nothing there.


def test_a_notes_folder_given_as_cache_is_left_exactly_as_it_was(scratch_site):
    notes = scratch_site.root.parent / "notes"
    (notes / "pages/2024").mkdir(parents=True)
    (notes / "pages/2024/diary.txt").write_text("Dear diary\n")
    before = files_under(notes)
    for word in ("Now", "Then"):  # a second build would prune what the first "cached"
        scratch_site.edit("content/far-side.md", "[home]", f"{word} [home]")
        result = scratch_site.run("--cache", str(notes))
        assert result.returncode == 0, result.stderr
        no_traceback(result)
    assert files_under(notes) == before
    assert sorted(p.relative_to(notes).as_posix() for p in notes.rglob("*")) == [
        "pages",
        "pages/2024",
        "pages/2024/diary.txt",
    ]


def test_file_names_that_merely_look_like_the_caches_do_not_make_it_ours(scratch_site):
    notes = scratch_site.root.parent / "notes"
    (notes / "pages/ab").mkdir(parents=True)
    (notes / "pages/ab/shopping-list.pickle").write_bytes(b"eggs")
    assert scratch_site.run("--cache", str(notes)).returncode == 0
    assert files_under(notes) == {"pages/ab/shopping-list.pickle": b"eggs"}


def test_a_cache_that_is_a_file_is_a_cache_miss_and_left_alone(scratch_site):
    target = scratch_site.root.parent / "cache.txt"
    target.write_text("keep me\n")
    result = scratch_site.run("--cache", str(target))
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    assert target.read_text() == "keep me\n"


def test_cache_inside_the_output_folder_is_refused(scratch_site):
    result = scratch_site.run("--cache", str(scratch_site.out / "cache"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"--cache: the cache folder {scratch_site.out / 'cache'} overlaps the output folder, "
        "which every build replaces"
    )


def test_new_cache_is_tagged_with_cachedir_tag(scratch_site):
    assert scratch_site.run().returncode == 0
    tag = (scratch_site.cache / CACHE_TAG).read_bytes()
    assert tag.startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    assert scratch_site.run().returncode == 0  # its own tagged folder: accepted again


def test_untagged_cache_from_an_earlier_version_is_adopted(scratch_site):
    assert scratch_site.run().returncode == 0
    (scratch_site.cache / CACHE_TAG).unlink()  # as every cache made before the tag,
    shutil.rmtree(scratch_site.cache / "templates")  # which kept no compiled templates either
    result = scratch_site.run()
    assert result.returncode == 0, result.stderr
    assert (scratch_site.cache / CACHE_TAG).is_file()  # else never written to again


def test_cache_pruning_leaves_files_it_did_not_write(scratch_site):
    scratch_site.build()
    shard = next((scratch_site.cache / "pages").iterdir())
    stranger = shard / "README.txt"
    stranger.write_text("put here by hand\n")
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()  # converts a page, then prunes entries no page uses
    assert stranger.read_text() == "put here by hand\n"


# -- 2. two builds at once, and kills --------------------------------------------------------


def spawn(site, *args: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "build.py",
        *folder_options(site),
        "--jobs",
        "1",
        *args,
    ]
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_builds_at_once_publish_one_complete_site(scratch_site):
    reference = scratch_site.root.parent / "reference"
    scratch_site.build(out=reference, cache=scratch_site.root.parent / "reference-cache")
    builds = [spawn(scratch_site) for _ in range(3)]
    results = [(b.wait(timeout=120), *b.communicate()) for b in builds]
    assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
    assert tree_digest(scratch_site.out) == tree_digest(reference)
    assert leftovers(scratch_site) == ["reference", "reference-cache"]


def test_a_second_build_waits_for_the_first_and_says_so(scratch_site):
    assert scratch_site.run().returncode == 0
    before = tree_digest(scratch_site.out)
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    with output_lock(scratch_site.out):  # a build in progress, as another process sees it
        second = spawn(scratch_site)
        first_line = []
        reader = threading.Thread(target=lambda: first_line.append(second.stderr.readline()))
        reader.start()
        reader.join(timeout=60)
        assert first_line == [
            f"Another build is writing {scratch_site.out}; waiting for it to finish.\n"
        ]
        time.sleep(0.5)
        assert second.poll() is None
        assert tree_digest(scratch_site.out) == before  # nothing touched while it waits
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "Now back" in scratch_site.html("far-side/index.html")


def _big_site(site, pages: int = 150) -> None:
    # No typed numbers: a warning per paragraph would fill the pipe that `spawn` reads at the end.
    body = "\n\n".join("A paragraph about the far side, with {fact mass}." for _ in range(40))
    for number in range(pages):
        site.write(
            f"content/extra/page-{number:03}.md",
            f"---\ntitle: Extra {number}\ndescription: Extra page {number} for the kill "
            f"test.\n---\n## Extra\n\n{body}\n",
        )


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(scratch_site):
    _big_site(scratch_site)
    first = spawn(scratch_site)
    assert first.wait(timeout=300) == 0, first.communicate()[1]
    old = tree_digest(scratch_site.out)
    scratch_site.edit("templates/page.html", "{{ content }}", "{{ content }}<!-- v2 -->")
    started = time.monotonic()
    timing = spawn(scratch_site)
    assert timing.wait(timeout=300) == 0, timing.communicate()[1]
    duration = time.monotonic() - started
    new = tree_digest(scratch_site.out)
    assert new != old
    # back to the old site, then kill rebuilds of the new one at moments across a build
    scratch_site.edit("templates/page.html", "{{ content }}<!-- v2 -->", "{{ content }}")
    assert spawn(scratch_site).wait(timeout=300) == 0
    assert tree_digest(scratch_site.out) == old
    scratch_site.edit("templates/page.html", "{{ content }}", "{{ content }}<!-- v2 -->")
    seen = set()
    for fraction in (0.3, 0.5, 0.65, 0.75, 0.85, 0.92, 0.97, 1.0):
        victim = spawn(scratch_site)
        time.sleep(duration * fraction)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        now = tree_digest(scratch_site.out)
        assert now in (old, new), f"a mix of sites after a kill at {fraction:.0%}"
        seen.add("new" if now == new else "old")
        if now == new:  # the kill came after the swap: start again from the old site
            scratch_site.edit("templates/page.html", "{{ content }}<!-- v2 -->", "{{ content }}")
            assert spawn(scratch_site).wait(timeout=300) == 0
            scratch_site.edit("templates/page.html", "{{ content }}", "{{ content }}<!-- v2 -->")
    assert "old" in seen  # at least the early kills came before the swap
    # whatever the kills left beside the output, the next build cleans up and publishes
    final = spawn(scratch_site)
    assert final.wait(timeout=300) == 0, final.communicate()[1]
    assert tree_digest(scratch_site.out) == new
    assert leftovers(scratch_site) == []


def test_leftover_staging_folders_of_killed_builds_are_removed(scratch_site):
    assert scratch_site.run().returncode == 0
    dead = scratch_site.out.parent / "._site.staging-0123456789ab"
    shutil.copytree(scratch_site.out, dead)  # a killed build's half-written site, marked
    stranger = scratch_site.out.parent / "._site.staging-mine"
    stranger.mkdir()
    (stranger / "keep.txt").write_text("not the build's\n")
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    assert scratch_site.run().returncode == 0
    assert not dead.exists()
    assert (stranger / "keep.txt").read_text() == "not the build's\n"


def test_a_kill_between_the_two_renames_is_undone_by_the_next_build(scratch_site):
    scratch_site.build()
    before = tree_digest(scratch_site.out)
    scratch_site.out.rename(old_site(scratch_site.out))  # the state such a kill leaves
    scratch_site.edit("templates/page.html", "{{ content }}", "{{ contents }}")
    result = scratch_site.run()  # even a failed build puts the old site back
    assert result.returncode == 1
    assert tree_digest(scratch_site.out) == before
    assert not old_site(scratch_site.out).exists()


def test_without_an_atomic_exchange_the_rename_dance_still_swaps(scratch_site, monkeypatch):
    monkeypatch.setattr(owned_folders, "_exchange", lambda first, second: False)
    scratch_site.build()
    scratch_site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    scratch_site.build()
    assert "Now back" in scratch_site.html("far-side/index.html")
    assert leftovers(scratch_site) == []


# -- 3. files that are not what they seem -----------------------------------------------------


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the project, standing in for /etc/passwd."""
    path = tmp_path / "elsewhere" / "passwd"
    path.parent.mkdir()
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


@pytest.mark.parametrize(
    "rel", ["static/passwd.txt", "content/secret.md", "content/data/secret.yaml"]
)
def test_a_link_that_leads_outside_the_project_is_refused(scratch_site, secret, rel):
    (scratch_site.root / rel).symlink_to(secret)
    result = scratch_site.run()
    assert result.returncode == 1
    no_traceback(result)
    assert (
        f"{scratch_site.root / rel}: leads through a symbolic link to {secret}, outside "
        "the project; copy the file into the project instead"
    ) in result.stderr.splitlines()
    assert not scratch_site.out.exists()


def test_etc_passwd_linked_into_static_is_not_published(scratch_site):
    (scratch_site.static / "passwd").symlink_to("/etc/passwd")
    result = scratch_site.run()
    assert result.returncode == 1
    assert "static/passwd: leads through a symbolic link to /etc/passwd" in result.stderr
    assert not scratch_site.out.exists()


def test_a_linked_folder_that_leads_outside_the_project_is_refused(scratch_site, secret):
    (scratch_site.static / "etc").symlink_to(secret.parent)
    result = scratch_site.run()
    assert result.returncode == 1
    assert (
        f"{scratch_site.static / 'etc'}: is a symbolic link to {secret.parent}, outside "
        "the project: remove it"
    ) in result.stderr.splitlines()


def test_a_data_folder_linked_from_outside_is_refused(scratch_site, tmp_path):
    elsewhere = tmp_path / "elsewhere-data"
    scratch_site.data.rename(elsewhere)
    scratch_site.data.symlink_to(elsewhere)
    errors = scratch_site.errors()
    assert (
        "content/data/facts.yaml: leads through a symbolic link to "
        f"{elsewhere / 'facts.yaml'}, outside the project; copy the file into the project "
        "instead" in errors
    )


def test_a_link_that_stays_inside_the_project_is_followed(scratch_site):
    (scratch_site.static / "far-side.txt").symlink_to(scratch_site.content / "far-side.md")
    draft = scratch_site.write(
        "drafts/copy.md",
        """\
        ---
        title: A draft
        description: "A page kept outside content/ but inside the project, linked in."
        ---
        A draft about {fact mass}.
        """,
    )
    (scratch_site.content / "copy.md").symlink_to(draft)
    scratch_site.build()
    assert (scratch_site.out / "static/far-side.txt").read_bytes() == (
        scratch_site.content / "far-side.md"
    ).read_bytes()
    assert "A draft about" in scratch_site.html("copy/index.html")


def test_a_broken_link_in_static_is_reported(scratch_site):
    (scratch_site.static / "gone.css").symlink_to(scratch_site.static / "never-there.css")
    errors = scratch_site.errors()
    assert errors == ["static/gone.css: is a symbolic link to a file that does not exist"]


def test_a_link_loop_in_content_is_reported(scratch_site):
    (scratch_site.content / "loop.md").symlink_to(scratch_site.content / "loop.md")
    errors = scratch_site.errors()
    assert len(errors) == 1 and errors[0].startswith("content/loop.md: ")


SPECIAL_FILES = ["content/pipe.md", "content/data/pipe.yaml", "static/pipe.css"]


@pytest.mark.parametrize("rel", SPECIAL_FILES)
def test_a_fifo_is_refused_and_never_opened(scratch_site, rel):
    os.mkfifo(scratch_site.root / rel)
    result = scratch_site.run()  # before the fix: blocked forever (subprocess timeout)
    assert result.returncode == 1
    no_traceback(result)
    assert (
        f"{scratch_site.root / rel}: is a FIFO (named pipe), not a regular file; the build "
        "does not read it"
    ) in result.stderr.splitlines()


def test_a_fifo_added_after_a_good_build_is_not_taken_for_no_change(scratch_site):
    assert scratch_site.run().returncode == 0
    os.mkfifo(scratch_site.content / "pipe.md")
    result = scratch_site.run()
    assert result.returncode == 1
    assert f"{scratch_site.content / 'pipe.md'}: is a FIFO (named pipe)" in result.stderr


def test_a_socket_in_static_is_refused(scratch_site):
    path = scratch_site.static / "daemon.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        errors = scratch_site.errors()
    finally:
        server.close()
    assert errors == [
        "static/daemon.sock: is a socket, not a regular file; the build does not read it"
    ]


def test_a_device_in_content_is_refused(scratch_site):
    path = scratch_site.content / "zero.md"
    try:
        # /dev/null's numbers: harmless even to a build that wrongly opens it (a node with
        # /dev/zero's numbers would be read until memory runs out)
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    errors = scratch_site.errors()
    assert errors == [
        "content/zero.md: is a character device, not a regular file; the build does not read it"
    ]


def test_all_unsafe_files_in_static_are_reported_in_one_run(scratch_site, secret):
    os.mkfifo(scratch_site.static / "a-pipe")
    (scratch_site.static / "b-link").symlink_to(secret)
    errors = scratch_site.errors()
    assert [e.split(":")[0] for e in errors] == ["static/a-pipe", "static/b-link"]


# -- 4. options and the output folder ---------------------------------------------------------


@pytest.mark.parametrize("value", ["/../", "/./x/", "/a/../b/", "/moon/./", "..", "/moon/.."])
def test_base_path_with_dot_segments_is_refused(scratch_site, value):
    result = scratch_site.run("--base-path", value)
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.splitlines()[0].startswith("--base-path: ")
    assert "is not a clean URL path like /REPO/ (no '.' or '..' parts)" in result.stderr
    assert not scratch_site.out.exists()


@pytest.mark.parametrize("out", ["/sys/far-side-site", "/proc/far-side/site"])
def test_an_output_path_that_cannot_be_written_is_one_line(scratch_site, out):
    result = scratch_site.run("--out", out, "--cache", str(scratch_site.cache))
    assert result.returncode == 1
    no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"--out: cannot write in {Path(out).parent}: ")
    assert lines[1] == "Build failed: 1 error; the previous site in " + out + " was left untouched."


def test_an_output_path_under_a_file_is_one_line(scratch_site):
    blocker = scratch_site.root.parent / "a-file"
    blocker.write_text("x")
    result = scratch_site.run("--out", str(blocker / "site"))
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.splitlines()[0] == (
        f"--out: cannot write in {blocker}: a file is in the way of that folder"
    )
    assert blocker.read_text() == "x"


def _linked_rebuild(site) -> None:
    """A rebuild in which guide/index.html is unchanged (and so a candidate for reuse)."""
    site.edit("content/far-side.md", "Back [home]", "Now back [home]")
    site.build()


def test_a_hand_edit_in_the_site_does_not_survive_a_rebuild(scratch_site):
    scratch_site.build()
    page = scratch_site.out / "guide/index.html"
    original = page.read_bytes()
    with page.open("r+b") as handle:  # edited in place: same file, same inode
        handle.write(b"<!-- hacked -->")
    _linked_rebuild(scratch_site)
    assert page.read_bytes() == original


def test_a_hand_edit_with_its_old_time_restored_does_not_survive(scratch_site):
    scratch_site.build()
    page = scratch_site.out / "guide/index.html"
    original = page.read_bytes()
    info = page.stat()
    tampered = original.replace(b"<h1", b"<h2", 1)  # the same size
    with page.open("r+b") as handle:
        handle.write(tampered)
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))  # as cp -p or rsync -a do
    assert page.stat().st_size == info.st_size and page.stat().st_mtime_ns == info.st_mtime_ns
    _linked_rebuild(scratch_site)
    assert page.read_bytes() == original


def test_a_page_replaced_by_hand_does_not_survive(scratch_site):
    scratch_site.build()
    page = scratch_site.out / "guide/index.html"
    original = page.read_bytes()
    replacement = page.with_name("new.html")
    replacement.write_bytes(b"<p>replaced</p>")
    replacement.replace(page)  # as an editor saves: a new file under the old name
    _linked_rebuild(scratch_site)
    assert page.read_bytes() == original


def test_unchanged_pages_are_still_reused_when_nobody_touched_them(scratch_site):
    scratch_site.build()
    inode = (scratch_site.out / "guide/index.html").stat().st_ino
    _linked_rebuild(scratch_site)
    assert (scratch_site.out / "guide/index.html").stat().st_ino == inode
    scratch_site.edit("content/far-side.md", "Now back [home]", "Back again [home]")
    scratch_site.build()  # and again: the record of the reused file is up to date
    assert (scratch_site.out / "guide/index.html").stat().st_ino == inode


def test_the_published_folder_has_the_usual_permissions(scratch_site):
    scratch_site.build()
    mask = os.umask(0)
    os.umask(mask)
    assert scratch_site.out.stat().st_mode & 0o777 == 0o777 & ~mask


@pytest.mark.parametrize("rel", ["guide/index.html", "facts.json", "robots.txt"])
def test_a_hand_edit_does_not_survive_a_build_with_nothing_changed(scratch_site, rel):
    assert scratch_site.run().returncode == 0
    target = scratch_site.out / rel
    original = target.read_bytes()
    with target.open("ab") as handle:
        handle.write(b"\n<!-- edited by hand -->")
    result = scratch_site.run()
    assert result.returncode == 0, result.stderr
    assert not result.stdout.startswith("Nothing changed")
    assert target.read_bytes() == original
    assert scratch_site.run().stdout.startswith("Nothing changed")  # and then it is free again


def test_the_dev_server_reports_a_fifo_and_keeps_serving(serve_site):  # noqa: F811
    """Before: the build opened the FIFO and blocked, and so did the server."""
    server = Server(serve_site)
    try:
        os.mkfifo(serve_site / "content" / "pipe.md")
        body = server.wait_page("/other/", lambda b: OVERLAY_ID in b)
        assert "content/pipe.md: is a FIFO (named pipe), not a regular file" in body
        assert "Original words" in body  # the last good build is still served
        (serve_site / "content" / "pipe.md").unlink()
        server.wait_page("/other/", lambda b: OVERLAY_ID not in b)
    finally:
        assert server.stop() == 0
