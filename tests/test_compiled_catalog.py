"""The catalog compiled to JSON for the wheel is the YAML catalog, and is only used while it is."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from banno_migrate.catalog import COMPILED_FILE, CatalogError, compile_catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    shutil.copytree(REPO / "rules", directory)
    return directory


def _load_fresh(directory: Path):
    load_catalog.cache_clear()
    try:
        return load_catalog(directory)
    finally:
        load_catalog.cache_clear()


def test_the_compiled_catalog_is_the_yaml_catalog(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from banno_migrate import catalog as catalog_module

    from_yaml = _load_fresh(rules)
    (rules / COMPILED_FILE).write_text(compile_catalog(rules), encoding="utf-8")
    yaml_load = catalog_module._yaml_load

    def heads_from_json_only(head: str, path: Path):  # noqa: ANN202 - the examples are still YAML
        assert "examples:" in head or not head.strip(), f"{path.name}: read from YAML, not from {COMPILED_FILE}"
        return yaml_load(head, path)

    monkeypatch.setattr(catalog_module, "_yaml_load", heads_from_json_only)
    from_json = _load_fresh(rules)
    assert from_json == from_yaml
    # Examples stay YAML (and compare=False): both ways must still give them all.
    def examples(catalog):
        return [(spec.found, spec.not_found) for spec in catalog.rules.values()]

    assert examples(from_json) == examples(from_yaml)


def test_a_compiled_catalog_of_other_yaml_is_ignored(rules: Path) -> None:
    (rules / COMPILED_FILE).write_text(compile_catalog(rules), encoding="utf-8")
    edited = rules / "bm002_legacy_issuer.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("severity: error", "severity: warning", 1), encoding="utf-8")
    assert _load_fresh(rules).rules["BM002"].severity == "warning"


@pytest.mark.parametrize("change", ["rename", "add"])
def test_a_renamed_or_added_file_makes_another_catalog(rules: Path, change: str) -> None:
    """The same texts under other names: the compiled heads (marked here) must not be used."""
    compiled = json.loads(compile_catalog(rules))
    compiled["heads"]["bm002_legacy_issuer.yaml"]["severity"] = "marked"  # what a stale compiled head would say
    (rules / COMPILED_FILE).write_text(json.dumps(compiled), encoding="utf-8")
    assert _load_fresh(rules).rules["BM002"].severity == "marked"  # the compiled heads are used as they are
    if change == "rename":
        (rules / "bm002_legacy_issuer.yaml").rename(rules / "bm002_renamed.yaml")
    else:
        (rules / "zz_copy.yaml").write_text((rules / "bm002_legacy_issuer.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _load_fresh(rules).rules["BM002"].severity == load_catalog().rules["BM002"].severity


def test_an_empty_rule_file_is_a_catalog_error(rules: Path) -> None:
    (rules / "bm099_empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(CatalogError, match="bm099_empty.yaml: a rule file must be a mapping"):
        _load_fresh(rules)


def test_the_compiled_catalog_spares_the_yaml_import(rules: Path) -> None:
    (rules / COMPILED_FILE).write_text(compile_catalog(rules), encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from banno_migrate.catalog import load_catalog; "
        f"catalog = load_catalog(Path({str(rules)!r})); print(len(catalog.rules), 'yaml' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split() == [str(len(load_catalog().rules)), "False"]
