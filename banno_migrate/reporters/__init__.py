"""Turning per-file reports into what people and machines read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from banno_migrate.engine import FileReport
from banno_migrate.findings import Applicability, FileError, Finding


def is_applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    """Whether `fix` would apply this finding's fix with these options."""
    return finding.fix is not None and (unsafe_fixes or finding.fix.applicability is Applicability.SAFE)


@dataclass
class Summary:
    files: int
    findings: list[Finding]  # not suppressed, sorted
    errors: list[FileError]
    suppressed: list[Finding]  # silenced by a comment: kept for SARIF
    unsafe_fixes: bool = False
    baselined: list[Finding] = field(default_factory=list)  # hidden because the baseline has them
    baseline_fixed: int = 0  # baseline entries no longer found
    fix_command: str = "banno-migrate fix"  # what the user runs to apply the fixable findings
    fixed: Counter[str] = field(default_factory=Counter)  # fix: per rule
    files_fixed: int = 0

    @classmethod
    def of(cls, reports: Sequence[FileReport], *, unsafe_fixes: bool = False) -> Summary:
        everything = [finding for report in reports for finding in report.findings]
        fixed: Counter[str] = Counter()
        for report in reports:
            fixed.update(report.fixed)
        return cls(
            files=len(reports),
            findings=sorted((f for f in everything if f.suppressed_by is None), key=Finding.sort_key),
            errors=[report.error for report in reports if report.error is not None],
            suppressed=sorted((f for f in everything if f.suppressed_by is not None), key=Finding.sort_key),
            unsafe_fixes=unsafe_fixes,
            fixed=fixed,
            files_fixed=sum(1 for report in reports if report.changed),
        )

    @property
    def fixable(self) -> int:
        return sum(1 for finding in self.findings if is_applicable(finding, self.unsafe_fixes))

    @property
    def hidden_unsafe(self) -> int:
        return sum(1 for finding in self.findings if finding.fix is not None) - self.fixable

    @property
    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(finding.rule for finding in self.findings).items()))
