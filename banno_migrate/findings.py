"""What the rules produce: findings, and the text edits that fix them.

Edits are character offsets into the decoded source, not CST nodes, so that one
fix model serves the fixer, the diff, JSON and SARIF alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Applicability(str, Enum):
    SAFE = "safe"  # applied by `fix`
    UNSAFE = "unsafe"  # applied only with `--unsafe-fixes`: needs a human look


@dataclass(frozen=True, order=True)
class Edit:
    start: int
    end: int
    replacement: str

    def overlaps(self, other: Edit) -> bool:
        # Two insertions at one offset also conflict: their order would be a guess.
        if self.start == self.end == other.start == other.end:
            return True
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def merged_with(self, other: Fix) -> Fix:
        """This fix plus the other's edits, when one finding is reported twice (a base constant used twice).

        An edit that overlaps one already there waits for the next round of the fix loop.
        """
        extra = [
            edit
            for edit in other.edits
            if edit not in self.edits and not any(edit.overlaps(old) for old in self.edits)
        ]
        return Fix(tuple(sorted((*self.edits, *extra))), self.applicability)


@dataclass(frozen=True)
class Suppression:
    line: int
    codes: frozenset[str]  # empty: every code
    reason: str | None = None
    comment: str = ""


@dataclass
class Finding:
    rule: str
    name: str
    severity: str
    path: str  # relative to the working directory, with '/' separators
    line: int  # 1-based
    column: int  # 1-based, in code points
    end_line: int
    end_column: int  # 1-based, exclusive
    message: str
    fix: Fix | None = None
    suppressed_by: Suppression | None = field(default=None, compare=False)
    # Set once the whole file is linted (see lint.locate):
    fingerprint: str = ""  # stable when lines move: rule, normalized line, occurrence
    edit_ranges: tuple[tuple[int, int, int, int], ...] = ()  # per fix edit: line, column, end_line, end_column (1-based)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True)
class FileError:
    path: str
    message: str  # one line: what went wrong and why


class FindingSet:
    """One file's findings as they are reported: one reported again at the same place gains the new edits.

    A value used in several expressions (a base constant) is seen once per
    use, but it is one finding, at the literal where the fix goes.
    """

    def __init__(self) -> None:
        self._by_place: dict[tuple[str, int, int, int, int], Finding] = {}

    def add(self, finding: Finding) -> None:
        key = (finding.rule, finding.line, finding.column, finding.end_line, finding.end_column)
        existing = self._by_place.get(key)
        if existing is None:
            self._by_place[key] = finding
        elif existing.fix and finding.fix:
            existing.fix = existing.fix.merged_with(finding.fix)

    @property
    def findings(self) -> list[Finding]:
        return list(self._by_place.values())
