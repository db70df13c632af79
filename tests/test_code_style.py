"""The code reads as one codebase: ruff's lint rules and its formatter (settings in
pyproject.toml) pass on every Python file, and no module of the generator outgrows one job."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

MODULE_LINES = 450  # "about 400": a module past this is doing more than one job


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_lint_passes():
    result = ruff("check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_of_the_generator_is_over_its_size():
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "factsheet").rglob("*.py")
    }
    assert {path: n for path, n in sizes.items() if n > MODULE_LINES} == {}
