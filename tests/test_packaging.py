"""The wheel carries everything a user needs at run time.

Builds a wheel of this checkout, installs it (non-editable) into a fresh
virtualenv, and runs it from a directory where no source checkout is in
reach: the rule catalog must come from inside the installed package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("banno_migrate-*.whl")
    return built


def test_wheel_contains_catalog_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for yaml_file in (REPO / "rules").glob("*.yaml"):
        assert f"banno_migrate/_data/rules/{yaml_file.name}" in names
    assert "banno_migrate/_data/rules/compiled.json" in names  # hatch_build.py
    for template in (REPO / "reports_templates").iterdir():
        assert f"banno_migrate/_data/reports_templates/{template.name}" in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_installed_wheel_runs_from_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)

    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "legacy-app", project)
    clean_env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    where = subprocess.run(
        [str(python), "-c", "import banno_migrate.resources as r; print(r.data_dir('rules'))"],
        cwd=project, env=clean_env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where
    # The catalog comes compiled: loading it does not import PyYAML.
    yaml_imported = subprocess.run(
        [str(python), "-c", "import sys, banno_migrate.catalog as c; c.load_catalog(); print('yaml' in sys.modules)"],
        cwd=project, env=clean_env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert yaml_imported == "False"

    result = subprocess.run(
        [str(env_dir / "bin" / "banno-migrate"), "check", ".", "--format", "json"],
        cwd=project, env=clean_env, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    assert '"rule": "BM001"' in result.stdout and '"rule": "BM004"' in result.stdout

    rule = subprocess.run([str(python), "-m", "banno_migrate", "rule", "BM001"], cwd=project, env=clean_env, capture_output=True, text=True)
    assert rule.returncode == 0 and "unversioned-endpoint" in rule.stdout
