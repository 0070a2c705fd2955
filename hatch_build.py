"""Wheel build step: ship the rule catalog compiled to JSON (banno_migrate/catalog.py says why)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root))  # the catalog code of this very checkout
        try:
            from banno_migrate.catalog import COMPILED_FILE, compile_catalog
        finally:
            sys.path.remove(str(root))
        self._scratch = Path(tempfile.mkdtemp(prefix="banno-migrate-build-"))
        out = self._scratch / COMPILED_FILE
        out.write_text(compile_catalog(root / "rules"), encoding="utf-8")
        build_data["force_include"][str(out)] = f"banno_migrate/_data/rules/{COMPILED_FILE}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:  # the wheel holds its copy now
            shutil.rmtree(scratch, ignore_errors=True)
