"""The CI examples in docs/ci/ parse, and their banno-migrate commands work."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _github_commands() -> list[str]:
    workflow = yaml.safe_load((REPO / "docs" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["banno-migrate"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    return [step["run"] for step in steps if "run" in step]


def _gitlab_commands() -> list[str]:
    job = yaml.safe_load((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["banno-migrate"]
    assert job["artifacts"]["paths"] == ["banno-migrate.json"]
    return job["script"]


@pytest.mark.parametrize("commands", [_github_commands(), _gitlab_commands()], ids=["github", "gitlab"])
def test_ci_commands_run_against_the_example(commands: list[str], tmp_path: Path) -> None:
    assert commands[0] == "pip install banno-migrate"  # the package under test is installed already
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "legacy-app", project)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    results = [
        subprocess.run(shlex.split(command), cwd=project, env=env, capture_output=True, text=True)
        for command in commands[1:]
    ]
    *reporting, failing = results
    assert all(result.returncode == 0 for result in reporting), [r.stderr for r in reporting]
    assert failing.returncode == 1, "the last step fails the job on the example's findings"
    assert "BM001" in failing.stdout
    for output in ("banno-migrate.sarif", "banno-migrate.json"):
        if output in " ".join(commands):
            assert (project / output).stat().st_size > 0
    if "--format github" in " ".join(commands):
        assert reporting[0].stdout.startswith(("::error file=legacy_app/", "::warning file=legacy_app/"))
