"""Baselines: adopt the tool on a large code base without fixing everything first.

`check --write-baseline FILE` records today's findings; `check --baseline FILE`
reports only findings that are not in it. Entries match by rule, path and the
finding's fingerprint (its line's code, normalized, and its occurrence among
identical ones), never by line number: moving code does not bring a finding
back, and a second identical finding in a file is new, not hidden.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from banno_migrate import __version__
from banno_migrate.config import ConfigError
from banno_migrate.findings import Finding
from banno_migrate.temporary_files import replace_atomically

FORMAT_VERSION = 1

_Key = tuple[str, str, str]  # path relative to the baseline's directory, rule, fingerprint


def _relative(finding_path: str, base: Path) -> str:
    return Path(os.path.relpath(Path(finding_path).resolve(), base)).as_posix()


@dataclass
class Comparison:
    new: list[Finding]
    baselined: list[Finding]
    fixed: int  # baseline entries whose finding is gone


class Baseline:
    def __init__(self, path: Path, entries: Counter[_Key]) -> None:
        self.path = path
        self.entries = entries

    @property
    def _base(self) -> Path:
        return self.path.resolve().parent

    def _key(self, finding: Finding) -> _Key:
        return (_relative(finding.path, self._base), finding.rule, finding.fingerprint)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = Counter(
                (entry["path"], entry["rule"], entry["fingerprint"]) for entry in data["findings"]
            )
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such baseline file (create it with --write-baseline)") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a banno-migrate baseline ({type(exc).__name__}: {exc})") from None
        return cls(path, entries)

    @classmethod
    def write(cls, path: Path, findings: Iterable[Finding]) -> int:
        baseline = cls(path, Counter())
        records = sorted(
            (
                {"path": key[0], "rule": key[1], "fingerprint": key[2], "message": finding.message}
                for finding in findings
                for key in [baseline._key(finding)]
            ),
            key=lambda record: (record["path"], record["rule"], record["fingerprint"]),
        )
        document = {"tool": "banno-migrate", "version": __version__, "format": FORMAT_VERSION, "findings": records}
        try:
            replace_atomically(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
        return len(records)

    def compare(self, findings: Iterable[Finding], scanned_paths: Iterable[str]) -> Comparison:
        """Split findings into new ones and baselined ones; count entries now fixed.

        Only entries of files scanned in this run can be judged fixed.
        """
        remaining = Counter(self.entries)
        new: list[Finding] = []
        baselined: list[Finding] = []
        for finding in findings:
            key = self._key(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                baselined.append(finding)
            else:
                new.append(finding)
        scanned = {_relative(path, self._base) for path in scanned_paths}
        fixed = sum(count for (path, _, _), count in remaining.items() if count > 0 and path in scanned)
        return Comparison(new, baselined, fixed)
