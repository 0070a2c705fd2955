"""The pre-commit hooks, run by the real pre-commit against this repository.

`pre-commit try-repo` installs this checkout (uncommitted changes included)
into a hook environment, as a user's `repo:` entry would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
LEGACY = 'TOKEN_URL = "https://bank.example.com/a/consumer/api/oidc/token"\nSCOPE = "openid banno"\n'
FIXED = 'TOKEN_URL = "https://bank.example.com/a/consumer/api/v0/oidc/token"\nSCOPE = "openid"\n'

pytestmark = pytest.mark.skipif(
    not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs pre-commit (test extra) and git"
)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One hook environment for the whole module: building it is the slow part.
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "dev@example.com")
    git("config", "user.name", "Dev")
    return tmp_path


def try_repo(repo: Path, home: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(REPO), hook, "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )


def add(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", name], cwd=repo, check=True)


def test_check_hook_fails_on_legacy_code_and_passes_clean_code(repo: Path, pre_commit_home: Path) -> None:
    add(repo, "auth.py", LEGACY)
    add(repo, "clean.py", "x = 1\n")
    failing = try_repo(repo, pre_commit_home, "banno-migrate", "auth.py", "clean.py")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "auth.py:1:13: BM001 [*]" in failing.stdout and "auth.py:2:9: BM004 [*]" in failing.stdout

    passing = try_repo(repo, pre_commit_home, "banno-migrate", "clean.py")
    assert passing.returncode == 0, passing.stdout
    assert "Passed" in passing.stdout


def test_fix_hook_rewrites_then_passes(repo: Path, pre_commit_home: Path) -> None:
    add(repo, "auth.py", LEGACY)
    first = try_repo(repo, pre_commit_home, "banno-migrate-fix", "auth.py")
    assert first.returncode == 1, first.stdout
    assert "files were modified by this hook" in first.stdout
    assert (repo / "auth.py").read_text(encoding="utf-8") == FIXED

    subprocess.run(["git", "add", "auth.py"], cwd=repo, check=True)
    second = try_repo(repo, pre_commit_home, "banno-migrate-fix", "auth.py")
    assert second.returncode == 0, second.stdout


def test_files_outside_the_hook_types_are_not_touched(repo: Path, pre_commit_home: Path) -> None:
    add(repo, "notes.txt", LEGACY)
    result = try_repo(repo, pre_commit_home, "banno-migrate-fix", "notes.txt")
    assert result.returncode == 0, result.stdout
    assert "(no files to check)" in result.stdout
    assert (repo / "notes.txt").read_text(encoding="utf-8") == LEGACY


def test_configured_excludes_apply_to_the_names_pre_commit_passes(repo: Path, pre_commit_home: Path) -> None:
    (repo / "vendor").mkdir()
    add(repo, "vendor/old.py", LEGACY)
    add(repo, ".banno-migrate.yaml", "exclude: ['vendor/']\n")
    result = try_repo(repo, pre_commit_home, "banno-migrate", "vendor/old.py")
    assert result.returncode == 0, result.stdout


def test_the_hooks_take_every_file_type_banno_migrate_reads() -> None:
    import re

    import yaml

    from banno_migrate.languages import LANGUAGES, FileTypes

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    samples = [pattern.replace("*", "name") for language in LANGUAGES for pattern in language.patterns]
    samples += ["app/.env", "app/.env.production", "deploy/prod.env"]
    others = ["notes.txt", "README.md", "style.css", "environment", "app.json5", "Makefile"]
    for hook in hooks:
        assert "types_or" not in hook and hook["types"] == ["text"]
        files = re.compile(hook["files"])
        assert [name for name in samples if not files.search(name)] == [], hook["id"]
        assert [name for name in others if files.search(name)] == [], hook["id"]
    # ...and the same names are what discovery walks.
    assert all(FileTypes().language_for(name.rsplit("/", 1)[-1]) for name in samples)
    assert not any(FileTypes().language_for(name) for name in others)


def test_check_hook_reads_javascript_and_configuration_files(repo: Path, pre_commit_home: Path) -> None:
    add(repo, "config.js", "module.exports = { scope: 'openid profile banno' };\n")
    add(repo, ".env", "BANNO_ISSUER=https://www.banno.com/a/consumer/api/oidc\n")
    add(repo, "notes.txt", LEGACY)
    result = try_repo(repo, pre_commit_home, "banno-migrate", "config.js", ".env", "notes.txt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "config.js:1:27: BM004 [*]" in result.stdout, result.stdout
    assert ".env:1:14: BM002" in result.stdout, result.stdout
    assert "notes.txt" not in result.stdout
