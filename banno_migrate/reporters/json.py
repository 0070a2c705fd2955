"""The JSON report: a stable contract (keys are only ever added)."""

from __future__ import annotations

import json
from typing import Any

from banno_migrate import __version__
from banno_migrate.findings import Finding
from banno_migrate.reporters import Summary, is_applicable


def _finding(finding: Finding, unsafe_fixes: bool) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "fixable": is_applicable(finding, unsafe_fixes),
        "fix": None
        if finding.fix is None
        else {
            "applicability": finding.fix.applicability.value,
            # Offsets are code points into the decoded file.
            "edits": [
                {"start": edit.start, "end": edit.end, "content": edit.replacement} for edit in finding.fix.edits
            ],
        },
    }


def document(summary: Summary, *, fix_mode: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "tool": {"name": "banno-migrate", "version": __version__},
        "findings": [_finding(finding, summary.unsafe_fixes) for finding in summary.findings],
        "errors": [{"path": error.path, "message": error.message} for error in summary.errors],
        "summary": {
            "files": summary.files,
            "findings": len(summary.findings),
            "fixable": summary.fixable,
            "by_rule": summary.by_rule,
            "suppressed": len(summary.suppressed),
            "baselined": len(summary.baselined),
            "baseline_fixed": summary.baseline_fixed,
            "errors": len(summary.errors),
        },
    }
    if fix_mode:
        result["fixed"] = {
            "findings": sum(summary.fixed.values()),
            "files": summary.files_fixed,
            "by_rule": dict(sorted(summary.fixed.items())),
        }
    return result


def render(summary: Summary, *, fix_mode: bool = False) -> str:
    return json.dumps(document(summary, fix_mode=fix_mode), indent=2) + "\n"
