"""The one-off migration run: init, progress on a terminal, the summary at the end."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMMAND = str(Path(sys.executable).parent / "banno-migrate")


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    project = tmp_path / "legacy-app"
    shutil.copytree(REPO / "examples" / "legacy-app", project)
    return project


def run_in_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal, as a person would; return (exit code, screen)."""
    controller, terminal = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    process = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    chunks = []
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError("no output for 60 s")
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_fix_shows_progress_on_a_terminal_and_ends_with_a_summary(example: Path) -> None:
    code, screen = run_in_terminal([COMMAND, "fix", "."], example)
    assert code == 1  # files changed, and findings without a fix are left
    assert "Fixing" in screen and "4/4" in screen  # the progress bar, on stderr
    assert "Fixed 17 findings in 3 files." in screen
    table = screen[screen.index("Rule   Name"):]
    assert "BM001  unversioned-endpoint      6     0" in table
    assert "BM009  callback-assumes-code     0     1" in table
    assert "What to do about what is left" in table


def test_no_progress_bar_when_output_is_not_a_terminal(example: Path) -> None:
    result = subprocess.run([COMMAND, "fix", "."], cwd=example, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "Fixing" not in result.stderr
    assert result.stdout.startswith("Fixed 17 findings in 3 files.")
    assert result.stderr == ""  # the summary table is for a terminal too


def test_fix_diff_writes_nothing(example: Path) -> None:
    before = {path: path.read_bytes() for path in example.rglob("*.py")}
    result = subprocess.run([COMMAND, "fix", "--diff", "."], cwd=example, capture_output=True, text=True)
    assert result.returncode == 1
    assert "+AUTHORIZATION_URL = \"https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth\"" in result.stdout
    assert {path: path.read_bytes() for path in example.rglob("*.py")} == before


def test_init_writes_a_commented_config_with_the_detected_host(example: Path) -> None:
    result = subprocess.run([COMMAND, "init"], cwd=example, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    config = (example / ".banno-migrate.yaml").read_text(encoding="utf-8")
    assert config.count("\n# ") >= 5  # commented, for a person to read
    assert yaml.safe_load(config) == {"exclude": [], "issuer-host": "digital.garden-fi.com"}

    again = subprocess.run([COMMAND, "init"], cwd=example, capture_output=True, text=True)
    assert again.returncode == 2 and "exists already" in again.stderr

    checked = subprocess.run([COMMAND, "check", "--format", "json"], cwd=example, capture_output=True, text=True)
    assert checked.returncode == 1  # the written file is a valid configuration


def test_init_without_endpoint_urls_leaves_the_host_commented(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    subprocess.run([COMMAND, "init"], cwd=tmp_path, check=True, capture_output=True)
    assert yaml.safe_load((tmp_path / ".banno-migrate.yaml").read_text()) == {"exclude": []}
