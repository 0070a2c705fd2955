"""The findings cache: a re-scan of an unchanged tree reads nothing but file metadata.

`.banno-migrate-cache/` (tagged with CACHEDIR.TAG and ignored by git through
its own .gitignore) holds one folder per tool version and effective
configuration, with the entries spread over 16 JSON shards by a hash of the
file's path: a pre-commit run on one file reads a sixteenth of the tree's cache,
and a cold run over a large tree writes 16 files (each write is a temporary file
renamed: 256 shards cost a cold run over the benchmark corpus 0.3 s). Each entry is one file's result, findings included, so a warm
run replays them: reports, baselines and exit codes come out as from a cold run.

An entry is used when the file's size and modification time are those
recorded and the modification time is older than the moment the entry was
made (git's "racily clean" rule: a file written in the same instant as its
entry could have changed unseen); otherwise the file is read and its content
hash decides. Constants read from other modules of the project are recorded
with the result, and a change to any of those modules invalidates it.

The cache does not grow without end: when a run saves into a folder it has just
made (a new configuration or tool version), only the folders of the
`KEPT_CONFIGURATIONS` configurations used most recently are kept, whatever their
version; the same holds for the parsed configuration files. Only folders named
as the tool names them are ever removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

from banno_migrate import __version__
from banno_migrate.findings import Applicability, Edit, Finding, Fix, Suppression
from banno_migrate.temporary_files import replace_atomically

CACHE_DIR_NAME = ".banno-migrate-cache"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by banno-migrate.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_RACY_NS = 2_000_000_000  # file systems with coarse timestamps (FAT: 2 s)
KEPT_CONFIGURATIONS = 8  # a project switches between a few (pre-commit, CI, `--select` runs); older ones go
_CONFIG_FOLDER_NAME = "config"  # beside the configurations' folders (named by a hash) of each version
_KEY_BYTES = 12
_LAYOUT = 2  # how a configuration's folder is laid out (shards, hash): another layout, another folder
_CONFIGURATION_FOLDER = re.compile(rf"[0-9a-f]{{{2 * _KEY_BYTES}}}")  # what key_for names a folder
_VERSION_FOLDER = re.compile(r"[0-9][0-9A-Za-z.+!_-]*")  # a version number, as the package has one


def _signature(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _content_hash(data: bytes) -> str:
    # SHA-256 runs on the processor's SHA instructions: twice BLAKE2's speed over a cold run's 46 MB.
    return hashlib.sha256(data).hexdigest()[:32]


def _shard_of(real: str) -> str:
    return hashlib.blake2b(real.encode(), digest_size=1).hexdigest()[:1]


class FindingsCache:
    def __init__(self, root: Path, key: str) -> None:
        self.directory = root / CACHE_DIR_NAME
        self.folder = self.directory / __version__ / key
        self._shards: dict[str, dict[str, dict[str, Any]]] = {}  # shard name -> entries, loaded on first use
        self._changed: dict[str, dict[str, dict[str, Any]]] = {}  # shard name -> new entries

    @staticmethod
    def key_for(*parts: object) -> str:
        """A key for the effective configuration (everything that changes what is found)."""
        return hashlib.blake2b(repr((_LAYOUT, *parts)).encode(), digest_size=_KEY_BYTES).hexdigest()

    def _load(self, shard: str) -> dict[str, dict[str, Any]]:
        try:
            return json.loads((self.folder / f"{shard}.json").read_bytes())["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # no cache yet, or a damaged one: start over

    def _entries(self, shard: str) -> dict[str, dict[str, Any]]:
        if shard not in self._shards:
            self._shards[shard] = self._load(shard)
        return self._shards[shard]

    @property
    def changed(self) -> int:
        """How many entries this run made (a warm run over unchanged files makes none)."""
        return sum(map(len, self._changed.values()))

    def lookup(self, real: str, data: bytes | None = None) -> tuple[list[Finding], str | None] | None:
        """The cached findings and error message of the file at `real` (a resolved path), or None: lint it.

        Without `data`, only the file's metadata is compared; with it, a racily
        clean or touched file is judged by its content.
        """
        entry = self._entries(_shard_of(real)).get(real)
        if entry is None:
            return None
        signature = _signature(real)
        if signature is None:
            return None
        fresh = signature == entry["signature"] and signature[1] < entry["checked_ns"] - _RACY_NS
        if not fresh and (data is None or _content_hash(data) != entry["hash"]):
            return None
        if any(_signature(dependency) != recorded for dependency, recorded in entry["dependencies"].items()):
            return None
        return [_finding(item) for item in entry["findings"]], entry["error"]

    def store(self, real: str, data: bytes, findings: list[Finding], error: str | None, dependencies: Iterable[str]) -> None:
        signature = _signature(real)
        if signature is None:
            return
        self._changed.setdefault(_shard_of(real), {})[real] = {
            "signature": signature,
            "checked_ns": time.time_ns(),
            "hash": _content_hash(data),
            "findings": [_finding_dict(finding) for finding in findings],
            "error": error,
            "dependencies": {dependency: _signature(dependency) for dependency in sorted(dependencies)},
        }

    def save(self) -> None:
        """Write what changed, merged into what another process may have written meanwhile (pre-commit runs several)."""
        if not self._changed:
            self._mark_used()
            return
        try:
            new_folder = not self.folder.is_dir()
            self._prepare_directory()
            for shard, changed in self._changed.items():
                entries = self._load(shard)
                entries.update(changed)
                _write_json(self.folder / f"{shard}.json", {"version": __version__, "files": entries})
            if new_folder:
                self._forget_old_configurations()
        except OSError:
            pass  # a cache that cannot be written only costs speed (read-only checkout, full disk)
        self._changed.clear()

    def _mark_used(self) -> None:
        """A run that only replays entries writes nothing: its configuration's folder is still the one used last."""
        try:
            os.utime(self.folder)
        except OSError:
            pass  # no cache here (yet)

    def _forget_old_configurations(self) -> None:
        """Remove the folders of all but the configurations used most recently (any tool version)."""
        versions = [folder for folder in _subfolders(self.directory) if _VERSION_FOLDER.fullmatch(folder.name)]
        folders = [
            folder for version in versions for folder in _subfolders(version) if _CONFIGURATION_FOLDER.fullmatch(folder.name)
        ]
        for folder in _all_but_newest(folders, KEPT_CONFIGURATIONS, keep=self.folder):
            _remove_folder(folder)
        for version in versions:
            if version.name != __version__ and _holds_only_parsed_configurations(version):
                _remove_folder(version)  # another version's last configuration went

    def _prepare_directory(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, content in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# Created by banno-migrate.\n*\n")):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(content, encoding="utf-8")


def parsed_config(root: Path, data: bytes) -> tuple[Any] | None:
    """The document of a YAML configuration file with this content as parsed by an earlier run, or None.

    A pre-commit run on one clean file costs about 0.1 s, and importing PyYAML a
    fifth of that: the parse is kept in the cache, by content, and read back as JSON.
    """
    try:
        return (json.loads((_config_folder(root) / f"{_content_hash(data)}.json").read_bytes())["document"],)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_parsed_config(root: Path, data: bytes, document: Any) -> None:
    """Keep a parsed document for the next run: in a cache a run has made, when JSON keeps it exactly."""
    try:
        if not (root / CACHE_DIR_NAME / "CACHEDIR.TAG").is_file() or json.loads(json.dumps(document)) != document:
            return  # no cache here (yet), or a value JSON would change (a date, a number key, NaN)
        folder = _config_folder(root)
        folder.mkdir(parents=True, exist_ok=True)
        entry = folder / f"{_content_hash(data)}.json"
        _write_json(entry, {"document": document})
        for old in _all_but_newest(list(folder.glob("*.json")), KEPT_CONFIGURATIONS, keep=entry):
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # only costs speed


def _config_folder(root: Path) -> Path:
    return root / CACHE_DIR_NAME / __version__ / _CONFIG_FOLDER_NAME


def _subfolders(directory: Path) -> list[Path]:
    """The folders in `directory`, not links to folders (removing a link's target would reach outside the cache)."""
    try:
        return [Path(entry.path) for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _remove_folder(folder: Path) -> None:
    import shutil  # only when there is something to remove: it costs a run's start-up 2 to 3 ms (bz2, lzma)

    shutil.rmtree(folder, ignore_errors=True)


def _holds_only_parsed_configurations(version: Path) -> bool:
    """Whether a version's folder holds nothing but its parsed configuration files (a file, a link
    or another folder is not ours to remove)."""
    try:
        return all(entry.name == _CONFIG_FOLDER_NAME and entry.is_dir(follow_symlinks=False) for entry in os.scandir(version))
    except OSError:
        return False


def _all_but_newest(paths: list[Path], count: int, keep: Path) -> list[Path]:
    """The paths beyond the `count` last modified (`keep`, the one just written, counts among those)."""

    def modified(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    others = sorted((path for path in paths if path != keep), key=modified, reverse=True)
    return others[count - 1 :]


def _write_json(path: Path, payload: Any) -> None:
    """Replace `path` by `payload` as JSON in one rename: a reader sees the old file or the new one."""
    replace_atomically(path, json.dumps(payload, separators=(",", ":")).encode("utf-8"))


def _finding_dict(finding: Finding) -> dict[str, Any]:
    item = asdict(finding)
    item.pop("path")  # shown relative to the working directory of the run that replays it
    if finding.suppressed_by is not None:
        item["suppressed_by"]["codes"] = sorted(finding.suppressed_by.codes)
    return item


def _finding(item: dict[str, Any]) -> Finding:
    fix = item.pop("fix")
    suppression = item.pop("suppressed_by")
    return Finding(
        path="",
        fix=Fix(tuple(Edit(**edit) for edit in fix["edits"]), Applicability(fix["applicability"])) if fix else None,
        suppressed_by=(
            Suppression(
                suppression["line"], frozenset(suppression["codes"]), suppression["reason"], suppression["comment"]
            )
            if suppression
            else None
        ),
        edit_ranges=tuple(tuple(edit_range) for edit_range in item.pop("edit_ranges")),
        **item,
    )

