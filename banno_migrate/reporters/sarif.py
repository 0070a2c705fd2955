"""SARIF 2.1.0, shaped for GitHub code scanning.

Relative URIs against %SRCROOT%, partialFingerprints that survive inserted
lines, fixes as artifact changes, in-source suppressions kept (with their
reason), and a notification per file that could not be read or parsed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from banno_migrate import __version__
from banno_migrate.catalog import Catalog, RuleSpec
from banno_migrate.findings import Finding
from banno_migrate.reporters import Summary

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/banno-migrate/"
FINGERPRINT_KEY = "bannoMigrate/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _help_markdown(spec: RuleSpec) -> str:
    steps = "\n".join(f"- {step}" for step in spec.guidance)
    fix = spec.fix_description or "No automatic fix: the change needs a decision only a person can make."
    return f"{spec.summary}\n\n**Why**\n\n{spec.rationale}\n\n**What to do**\n\n{steps}\n\n**Fix ({spec.fix_safety.value if spec.fix_safety else 'none'})**\n\n{fix}\n"


def _rule(spec: RuleSpec) -> dict[str, Any]:
    return {
        "id": spec.code,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": spec.rationale},
        "help": {"text": "\n".join([spec.summary, *(f"- {step}" for step in spec.guidance)]), "markdown": _help_markdown(spec)},
        "defaultConfiguration": {"level": _LEVELS.get(spec.severity, "warning")},
        "properties": {
            "tags": ["banno", "oauth", "oidc", "migration", spec.name],
            "precision": "high",
            "fix": spec.fix_safety.value if spec.fix_safety else "none",
        },
    }


def _result(finding: Finding, index: dict[str, int], catalog: Catalog) -> dict[str, Any]:
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
    }
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.fix is not None and finding.edit_ranges:
        replacements = [
            {
                "deletedRegion": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
                "insertedContent": {"text": edit.replacement},
            }
            for edit, (line, column, end_line, end_column) in zip(finding.fix.edits, finding.edit_ranges)
        ]
        result["fixes"] = [
            {
                "description": {"text": catalog.rules[finding.rule].fix_description or "Apply the fix."},
                "artifactChanges": [{"artifactLocation": _artifact(finding.path), "replacements": replacements}],
                "properties": {"applicability": finding.fix.applicability.value},
            }
        ]
    if finding.suppressed_by is not None:
        suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
        if finding.suppressed_by.reason:
            suppression["justification"] = finding.suppressed_by.reason
        result["suppressions"] = [suppression]
    return result


def document(summary: Summary, catalog: Catalog, *, root: Path | None = None) -> dict[str, Any]:
    index = {code: position for position, code in enumerate(catalog.rules)}
    findings = sorted([*summary.findings, *summary.suppressed], key=Finding.sort_key)
    root_uri = (root or Path.cwd()).resolve().as_uri().rstrip("/") + "/"
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path)}}],
        }
        for error in summary.errors
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "banno-migrate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(spec) for spec in catalog.rules.values()],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                # Columns count code points, as Python strings do.
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": [_result(finding, index, catalog) for finding in findings],
            }
        ],
    }


def render(summary: Summary, catalog: Catalog) -> str:
    return json.dumps(document(summary, catalog), indent=2) + "\n"
