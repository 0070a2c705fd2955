"""GitHub Actions workflow commands: one annotation per finding on the pull request."""

from __future__ import annotations

from banno_migrate.reporters import Summary

_LEVELS = {"error": "error", "warning": "warning"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(summary: Summary) -> str:
    lines = []
    for finding in summary.findings:
        properties = ",".join(
            [
                f"file={_escape_property(finding.path)}",
                f"line={finding.line}",
                f"col={finding.column}",
                f"endLine={finding.end_line}",
                f"endColumn={finding.end_column}",
                f"title={_escape_property(f'{finding.rule} {finding.name}')}",
            ]
        )
        level = _LEVELS.get(finding.severity, "notice")
        lines.append(f"::{level} {properties}::{_escape_data(finding.message)}")
    for error in summary.errors:
        lines.append(f"::error file={_escape_property(error.path)},title=banno-migrate::{_escape_data(error.message)}")
    return "".join(f"{line}\n" for line in lines)
