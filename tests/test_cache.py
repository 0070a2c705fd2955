"""The findings cache: what it replays, and what makes it lint a file again."""

from __future__ import annotations

import json
import os
from pathlib import Path

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


def test_only_the_configurations_used_last_are_kept(project: Path) -> None:
    from banno_migrate import __version__
    from banno_migrate.cache import KEPT_CONFIGURATIONS

    (project / "app.py").write_text(LEGACY)
    cache = project / ".banno-migrate-cache"
    # Another version's cache, and configurations used before: the oldest go first.
    stale = cache / "0.0.1"
    for name in ("0.0.1/old", "0.0.1/config"):
        (cache / name).mkdir(parents=True)
        _backdate(cache / name, 600)
    selections = ["BM001", "BM002", "BM003", "BM004", "BM005", "BM006", "BM007", "BM008", "BM009", "BM001,BM002"]
    for minutes, selection in enumerate(selections):
        banno_migrate("check", "--select", selection)
        for folder in (cache / __version__).iterdir():
            if folder.name != "config":
                _backdate(folder, minutes + 1)  # each older than the next run's
    folders = _configuration_folders(cache)
    assert set(folders) == {__version__}  # the other version's last configuration went, its parsed files too
    assert len(folders[__version__] - {"config"}) == KEPT_CONFIGURATIONS
    banno_migrate("check", "--select", selections[-1])  # one of those kept: its entries are replayed, nothing goes
    assert _configuration_folders(cache) == folders
    assert not stale.exists()


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
