"""The findings cache: what it replays, and what makes it lint a file again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from inprocess_cli import banno_migrate

LEGACY = 'TOKEN_URL = "https://bank.example.com/a/consumer/api/oidc/token"\n'
CLEAN = 'TOKEN_URL = "https://bank.example.com/a/consumer/api/v0/oidc/token"\n'


def _age(path: Path, seconds: int = 60) -> None:
    """Make a file older than the racy window, as files are between two commits."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 1_000_000_000))


def _findings(*args: str) -> list[tuple[str, int, str]]:
    run = banno_migrate("check", "--format", "json", *args)
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(run.out)["findings"]]


def test_the_cache_directory_is_tagged_and_ignored(project: Path) -> None:
    (project / "app.py").write_text(LEGACY)
    banno_migrate("check")
    cache = project / ".banno-migrate-cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_no_cache_reads_and_writes_nothing(project: Path) -> None:
    (project / "app.py").write_text(LEGACY)
    assert banno_migrate("check", "--no-cache").code == 1
    assert not (project / ".banno-migrate-cache").exists()


def test_replayed_findings_equal_linted_ones_and_changes_are_seen(project: Path) -> None:
    app = project / "app.py"
    app.write_text(LEGACY)
    _age(app)
    cold = _findings()
    assert cold == [("app.py", 1, "BM001")]
    # A replayed result: the cache entry is the only source of the finding now.
    shard = next((project / ".banno-migrate-cache").rglob("*.json"))
    entries = json.loads(shard.read_text())["files"]
    entry = entries[str(app.resolve())]
    entry["findings"][0]["message"] = "from the cache"
    shard.write_text(json.dumps({"files": entries}))
    run = banno_migrate("check", "--format", "json")
    assert [f["message"] for f in json.loads(run.out)["findings"]] == ["from the cache"]
    assert run.code == 1
    # Changed content of the same size and time is still seen: the entry is racy or the hash differs.
    info = app.stat()
    app.write_text(CLEAN)
    os.utime(app, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert _findings() == []


def test_a_change_in_an_imported_constant_invalidates_the_importer(project: Path) -> None:
    (project / "settings.py").write_text('BANNO_API = "https://bank.example.com/a/consumer/api"\n')
    (project / "auth.py").write_text('from settings import BANNO_API\nTOKEN_URL = BANNO_API + "/oidc/token"\n')
    for name in ("settings.py", "auth.py"):
        _age(project / name)
    assert _findings() == [("auth.py", 2, "BM001")]
    (project / "settings.py").write_text('BANNO_API = "https://other.example.com/a/consumer/api/v0"\n')
    _age(project / "settings.py", 30)
    assert _findings() == []


def test_the_configuration_is_part_of_the_key(project: Path) -> None:
    app = project / "app.py"
    app.write_text(LEGACY + 'SCOPE = "openid banno"\n')
    _age(app)
    assert [rule for _, _, rule in _findings()] == ["BM001", "BM004"]
    (project / ".banno-migrate.yaml").write_text("ignore: [BM004]\n")
    assert [rule for _, _, rule in _findings()] == ["BM001"]
    assert [rule for _, _, rule in _findings("--select", "BM004")] == []


def _configuration_folders(cache: Path) -> dict[str, set[str]]:
    return {
        version.name: {folder.name for folder in version.iterdir() if folder.is_dir()}
        for version in cache.iterdir()
        if version.is_dir()
    }


def _backdate(path: Path, minutes: int) -> None:
    stamp = path.stat().st_mtime_ns - minutes * 60_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_only_the_configurations_used_last_are_kept(project: Path, tmp_path: Path) -> None:
    from banno_migrate import __version__
    from banno_migrate.cache import KEPT_CONFIGURATIONS

    (project / "app.py").write_text(LEGACY)
    cache = project / ".banno-migrate-cache"
    old_key, recent_key = "0" * 24, "1" * 24
    # Another version's cache, used before: its configuration goes, with its parsed files.
    for name in (f"0.0.1/{old_key}", "0.0.1/config"):
        (cache / name).mkdir(parents=True)
        _backdate(cache / name, 600)
    # Another version's cache used a moment ago (pre-commit's pinned copy beside a venv's): it stays.
    (cache / "0.0.2" / recent_key).mkdir(parents=True)
    # What the tool did not make stays whatever its age: a folder of the user's, one in a version
    # folder, and a link to a folder elsewhere that looks like a version's.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / old_key).mkdir(parents=True)
    (cache / "9.9.9").symlink_to(elsewhere, target_is_directory=True)
    for name in ("notes", "0.0.3/mine", f"notes/{old_key}", f"0.0.4/{old_key}"):
        (cache / name).mkdir(parents=True, exist_ok=True)
        _backdate(cache / name, 900)
    (cache / "0.0.4" / "README").write_text("a file of the user's\n")
    _backdate(elsewhere / old_key, 900)
    selections = ["BM001", "BM002", "BM003", "BM004", "BM005", "BM006", "BM007", "BM008", "BM009"]
    first: set[Path] = set()
    for minutes, selection in enumerate(selections):
        banno_migrate("check", "--select", selection)
        first = first or {folder for folder in (cache / __version__).iterdir() if folder.name != "config"}
        for folder in (cache / __version__).iterdir():
            if folder.name != "config":
                _backdate(folder, minutes + 1)  # each older than the next run's
    folders = _configuration_folders(cache)
    assert not (cache / "0.0.1").exists()  # its configuration went, then its parsed files
    assert (cache / "0.0.3" / "mine").is_dir() and (cache / "notes" / old_key).is_dir()
    assert (elsewhere / old_key).is_dir() and (cache / "9.9.9").is_symlink()
    assert not (cache / "0.0.4" / old_key).exists() and (cache / "0.0.4" / "README").is_file()
    assert folders["0.0.2"] == {recent_key}
    assert len(folders[__version__] - {"config"}) == KEPT_CONFIGURATIONS - 1  # and the other version's
    assert len(first) == 1 and not first.pop().exists()  # the first of this version's, the oldest, went


def test_a_run_that_only_replays_keeps_its_configuration(project: Path) -> None:
    from banno_migrate import __version__
    from banno_migrate.cache import KEPT_CONFIGURATIONS

    app = project / "app.py"
    app.write_text(LEGACY)
    _age(app)
    cache = project / ".banno-migrate-cache"
    banno_migrate("check", "--select", "BM001")
    (used,) = [folder for folder in (cache / __version__).iterdir() if folder.name != "config"]
    for minutes, selection in enumerate(["BM002", "BM003", "BM004", "BM005", "BM006", "BM007", "BM008", "BM009"]):
        for folder in (cache / __version__).iterdir():
            _backdate(folder, 10)
        assert banno_migrate("check", "--select", "BM001").code == 1  # replayed: nothing written
        banno_migrate("check", "--select", selection)
    assert used.is_dir()
    assert len({folder.name for folder in (cache / __version__).iterdir()} - {"config"}) == KEPT_CONFIGURATIONS


def test_only_the_configuration_files_parsed_last_are_kept(project: Path) -> None:
    from banno_migrate import __version__
    from banno_migrate.cache import KEPT_CONFIGURATIONS

    (project / "app.py").write_text(LEGACY)
    config = project / ".banno-migrate.yaml"
    parsed = project / ".banno-migrate-cache" / __version__ / "config"
    for run in range(KEPT_CONFIGURATIONS + 3):
        config.write_text(f"ignore: [BM004]\n# edit {run}\n")
        banno_migrate("check")  # parses the YAML, and makes the cache the next run keeps the parse in
        banno_migrate("check")
        for entry in parsed.glob("*.json"):
            _backdate(entry, 1)
    assert len(list(parsed.glob("*.json"))) == KEPT_CONFIGURATIONS


def test_files_are_keyed_by_the_resolved_paths_discovery_found_not_resolved_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from banno_migrate import engine
    from banno_migrate.selection import RuleSelection

    (project / "app.py").write_text(LEGACY)
    _age(project / "app.py")
    (project / "alias.py").symlink_to(project / "app.py")

    def resolved_again(path: Path) -> str:
        raise AssertionError(f"{path}: resolved again")

    monkeypatch.setattr(engine, "real_path", resolved_again)
    assert _findings() == [("app.py", 1, "BM001")]
    linted: list[str] = []
    check_job = engine._check_job
    monkeypatch.setattr(engine, "_check_job", lambda job, *rest: linted.append(job.target) or check_job(job, *rest))
    assert _findings("alias.py") == [("alias.py", 1, "BM001")]  # the link leads to the cached file
    assert linted == []
    options = engine.RunOptions(selection=RuleSelection(frozenset({"BM001"}), project))
    with pytest.raises(ValueError, match="one path for each"):
        engine.check_files([project / "app.py"], options, real_paths=[])


def test_a_tree_s_entries_go_to_sixteen_shards(project: Path) -> None:
    """A cold run over a large tree writes 16 files, not one per 1/256th of it (each write costs a rename)."""
    for index in range(64):
        (project / f"module_{index}.py").write_text(LEGACY if index % 2 else CLEAN)
    banno_migrate("check")
    (configuration,) = [folder for folder in (project / ".banno-migrate-cache").glob("*/*") if folder.name != "config"]
    shards = {path.name for path in configuration.glob("*.json")}
    assert 1 < len(shards) and shards <= {f"{digit:x}.json" for digit in range(16)}
    entries = {name for path in configuration.glob("*.json") for name in json.loads(path.read_bytes())["files"]}
    assert entries == {str((project / f"module_{index}.py").resolve()) for index in range(64)}


def test_another_layout_of_a_configurations_folder_is_another_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of a new layout (shards, hash) never reads or merges into a folder of the old one."""
    from banno_migrate import cache

    key = cache.FindingsCache.key_for("catalog", "settings", False)
    assert cache.FindingsCache.key_for("catalog", "settings", False) == key
    monkeypatch.setattr(cache, "_LAYOUT", cache._LAYOUT + 1)
    assert cache.FindingsCache.key_for("catalog", "settings", False) != key
