"""Where the data files are: inside the installed wheel, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`rules` or `reports_templates`.

    The wheel carries them under banno_migrate/_data/ (see pyproject.toml); a
    source checkout or an editable install has them at the repository's top.
    """
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"banno-migrate data directory '{name}' is missing from the installation")
