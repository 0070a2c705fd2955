"""What a run imports: the pre-commit path pays only for what the file in hand needs.

Start-up is most of the cost of checking one file (issue #6): LibCST alone
takes a quarter of a second to import, `libcst.matchers` most of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("libcst", "libcst.matchers", "jinja2", "tree_sitter", "pathspec", "concurrent.futures", "tempfile", "shutil")


def _imported_by_check(path: Path, *options: str, exit_code: int) -> set[str]:
    code = (
        "import json, sys\n"
        "from banno_migrate.cli import main\n"
        "try:\n"
        f"    main(['check', *{list(options)!r}, {str(path)!r}])\n"
        "except SystemExit as exit:\n"
        f"    assert exit.code == {exit_code}, exit.code  # a usage error would import nothing and prove nothing\n"
        f"print(json.dumps(sorted(set(sys.modules) & set({list(HEAVY)!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=path.parent, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_a_file_without_trigger_strings_imports_nothing_heavy(tmp_path: Path) -> None:
    clean = tmp_path / "forms.py"
    clean.write_text("from django import forms\n\n\nclass SearchForm(forms.Form):\n    q = forms.CharField()\n")
    assert _imported_by_check(clean, "--no-cache", exit_code=0) == set()
    # With the cache on, the run records the file as clean: still nothing heavy.
    assert _imported_by_check(clean, exit_code=0) == set()
    assert list((tmp_path / ".banno-migrate-cache").rglob("*.json"))


def test_a_legacy_python_file_imports_libcst_but_not_its_matchers(tmp_path: Path) -> None:
    legacy = tmp_path / "auth.py"
    legacy.write_text((ROOT / "examples" / "legacy-app" / "legacy_app" / "auth.py").read_text(encoding="utf-8"))
    assert _imported_by_check(legacy, "--no-cache", exit_code=1) == {"libcst"}
