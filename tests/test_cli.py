"""The command line: help, the default command, folders, exit statuses."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, folder_options, run_build_process, tree_digest

from factsheet.config import make_config

OPTIONS = [
    "--content",
    "--data",
    "--templates",
    "--static",
    "--out",
    "--cache",
    "--base-path",
    "--site-url",
    "--strict",
    "--jobs",
]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_names_the_commands():
    result = cli("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: build.py")
    for command in ("build", "check", "serve"):
        assert f"    {command} " in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_each_command_help_mentions_every_option(command):
    result = cli(command, "--help")
    assert result.returncode == 0
    missing = [option for option in OPTIONS if option not in result.stdout]
    assert missing == []
    if command == "serve":
        assert "--port" in result.stdout and "--host" in result.stdout


def test_top_level_help_mentions_every_option():
    result = cli("--help")
    assert [option for option in OPTIONS if option not in result.stdout] == []


def test_no_command_means_build(scratch_site):
    result = cli(*folder_options(scratch_site))
    assert result.returncode == 0, result.stderr
    files = sum(1 for path in scratch_site.out.rglob("*") if path.is_file())
    assert result.stdout.startswith(
        f"Built 3 pages ({files} files, 3 converted) into {scratch_site.out} in "
    )
    assert (scratch_site.out / "index.html").is_file()
    assert (scratch_site.out / "far-side/index.html").is_file()


def test_folders_named_by_the_user_are_relative_to_the_working_directory(scratch_site):
    result = cli(
        "build",
        "--content",
        "site/content",
        "--templates",
        "site/templates",
        "--static",
        "site/static",
        "--out",
        "public",
        cwd=scratch_site.root.parent,
    )
    assert result.returncode == 0, result.stderr
    assert (scratch_site.root.parent / "public/guide/index.html").is_file()
    assert (scratch_site.root.parent / ".cache").is_dir()  # the cache sits beside --out


def test_in_a_process_of_its_own_bad_input_exits_1_and_leaves_the_site(scratch_site):
    """The top rung of the ladder: build.py as a user runs it, in a Python of its own. The
    other tests run its main() in-process (run_build); this one checks that the real process
    agrees: exit status 1, the file and line, no traceback, the previous site untouched."""
    assert run_build_process(scratch_site).returncode == 0
    before = tree_digest(scratch_site.out)
    scratch_site.edit("content/data/facts.yaml", "label: Launch\n", "label: [Launch\n")
    result = run_build_process(scratch_site)
    assert result.returncode == 1
    line = scratch_site.line_of("content/data/facts.yaml", "label: [Launch") + 1
    assert result.stderr.startswith(f"{scratch_site.root / 'content/data/facts.yaml'}:{line}: ")
    assert "Traceback" not in result.stderr
    assert tree_digest(scratch_site.out) == before


def test_separate_data_folder(scratch_site):
    moved = scratch_site.root.parent / "data"
    scratch_site.data.rename(moved)
    result = scratch_site.run("--data", str(moved))
    assert result.returncode == 0, result.stderr
    assert "1,935.3\u00a0g" in scratch_site.html()


def test_missing_content_folder_is_reported(scratch_site):
    missing = scratch_site.root / "nowhere"
    result = scratch_site.run("--content", str(missing))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{missing}: --content folder does not exist",
        "Build failed: 1 error.",
    ]


def test_output_folder_overlapping_content_is_refused(scratch_site):
    result = scratch_site.run("--out", str(scratch_site.content / "out"))
    assert result.returncode == 1
    assert (
        f"--out: the output folder {scratch_site.content / 'out'} overlaps the --content "
        "folder; the build would erase it"
    ) in result.stderr.splitlines()
    assert list(scratch_site.content.iterdir()) != []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/moon page/", "--base-path: '/moon page/' is not a URL path like /REPO/"),
    ],
)
def test_bad_base_path(scratch_site, value, message):
    result = scratch_site.run("--base-path", value)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message


@pytest.mark.parametrize("value", ["moon", "/moon", "moon/", "/moon/"])
def test_base_path_is_normalised(scratch_site, value):
    result = scratch_site.run("--base-path", value)
    assert result.returncode == 0, result.stderr
    assert '<a class="site-title" href="/moon/">' in scratch_site.html()


def test_bad_site_url(scratch_site):
    result = scratch_site.run("--site-url", "owner.github.io")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "--site-url: 'owner.github.io' is not an http(s) URL"


def test_unknown_option_is_a_usage_error(scratch_site):
    result = scratch_site.run("--bogus")
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr
    assert "Traceback" not in result.stderr


def test_jobs_option_builds_the_same_site(scratch_site):
    assert (
        scratch_site.run(
            "--jobs",
            "2",
            "--out",
            str(scratch_site.root.parent / "a"),
            "--cache",
            str(scratch_site.root.parent / "c1"),
        ).returncode
        == 0
    )
    assert scratch_site.run("--jobs", "1").returncode == 0
    first = (scratch_site.root.parent / "a/index.html").read_bytes()
    assert first == (scratch_site.out / "index.html").read_bytes()


def test_output_folder_may_be_inside_the_project_but_not_contain_it(scratch_site):
    _, errors = make_config(ROOT)
    assert [str(e) for e in errors] == []
    _, errors = make_config(scratch_site.root, out=scratch_site.root.parent)
    assert "--out: the output folder must not contain the project" in [str(e) for e in errors]


def test_version():
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout == "build.py (Far Side) 0.1.0\n"


@pytest.mark.parametrize(
    ("word", "message"),
    [
        (
            "serv",
            "build.py: error: unknown command 'serv' (did you mean 'serve'?); the commands are "
            "build, check, serve, new",
        ),
        (
            "chekc",
            "build.py: error: unknown command 'chekc' (did you mean 'check'?); the commands "
            "are build, check, serve, new",
        ),
        (
            "deploy",
            "build.py: error: unknown command 'deploy'; the commands are build, check, serve, new",
        ),
    ],
)
def test_a_mistyped_command_is_named_with_a_suggestion(word, message):
    result = cli(word)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message
    assert "unrecognized arguments" not in result.stderr


def test_without_the_dependencies_it_says_to_use_the_virtual_environment(tmp_path):
    # -S: no site-packages, so no jinja2, markdown or yaml: a system Python without the venv.
    result = subprocess.run(
        [sys.executable, "-S", str(ROOT / "build.py"), "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "lacks the generator's packages: jinja2, markdown, pyyaml" in result.stderr
    assert "Run it with the project's virtual environment: " in result.stderr
    assert "build.py ..." in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_out_instead_of_ignoring_it(tmp_path):
    result = cli("serve", "--out", str(tmp_path / "public"))
    assert result.returncode == 2
    assert result.stderr.startswith("serve: --out is not used by serve")
    assert f"build.py build --out {tmp_path / 'public'}" in result.stderr
    assert not (tmp_path / "public").exists()


def test_serve_on_a_taken_port_uses_the_next_free_one(scratch_site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                str(ROOT / "build.py"),
                "serve",
                "--port",
                str(port),
                *folder_options(scratch_site, skip={"--out"}),  # serve takes none
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            lines = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                lines.append(line)
                if not line or line.startswith("Serving"):
                    break
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    assert f"Port {port} is taken; using " in lines[0], lines
    used = int(lines[0].split("using ")[1].rstrip(".\n"))
    assert used != port
    assert lines[-1].startswith(f"Serving http://127.0.0.1:{used}/"), lines
