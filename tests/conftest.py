"""Fixtures shared by the test modules (a module's own fixture of the same name wins)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project with an empty configuration (defaults; no stray configuration from above)."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".banno-migrate.yaml").write_text("")
    monkeypatch.chdir(root)
    return root
