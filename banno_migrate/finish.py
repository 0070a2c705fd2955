"""The last step of every front end: suppressions, unused suppressions (BM100), order, fingerprints.

Shared by the Python, JavaScript and configuration front ends, and free of
LibCST, so that a run over configuration files never imports it.
"""

from __future__ import annotations

import hashlib

from banno_migrate.catalog import Catalog
from banno_migrate.findings import Finding, Suppression
from banno_migrate.languages import BY_NAME, LintRequest
from banno_migrate.source import SourceText
from banno_migrate.suppressions import UNUSED_SUPPRESSION, apply_suppressions, removal_edit, unused_codes


def finish(
    findings: list[Finding],
    suppressions: list[Suppression],
    source: SourceText,
    path: str,
    catalog: Catalog,
    request: LintRequest,
) -> list[Finding]:
    """Mark suppressed findings, add unused suppressions when asked, sort, and locate."""
    used = apply_suppressions(findings, suppressions)
    if request.report_unused_suppressions and UNUSED_SUPPRESSION in request.enabled:
        # A blanket comment is judged against the rules that exist for this kind of file.
        applicable = BY_NAME[request.language].applicable(frozenset(catalog.codes))
        findings.extend(_unused_suppressions(source, path, catalog, request.enabled, used, applicable))
    findings.sort(key=Finding.sort_key)
    locate(findings, source)
    return findings


def locate(findings: list[Finding], source: SourceText) -> None:
    """Give sorted findings their fingerprints and the line/column ranges of their edits.

    The fingerprint hashes the rule, the finding's line with white space
    collapsed, and how many identical (rule, line) pairs come before it in the
    file: inserting lines above keeps it, and a second identical finding gets
    its own (bandit's baseline hides it; ours does not).
    """
    seen: dict[tuple[str, str], int] = {}
    for finding in findings:
        normalized = " ".join(source.line_text(finding.line).split())
        occurrence = seen.get((finding.rule, normalized), 0)
        seen[(finding.rule, normalized)] = occurrence + 1
        digest = hashlib.sha256(f"{finding.rule}\0{normalized}\0{occurrence}".encode()).hexdigest()
        finding.fingerprint = digest[:32]
        if finding.fix is not None:
            finding.edit_ranges = tuple(
                (*_one_based(source.position(edit.start)), *_one_based(source.position(edit.end)))
                for edit in finding.fix.edits
            )


def _one_based(position: tuple[int, int]) -> tuple[int, int]:
    line, column = position
    return line, column + 1


def _unused_suppressions(
    source: SourceText,
    path: str,
    catalog: Catalog,
    enabled: frozenset[str],
    used: dict[Suppression, set[str]],
    applicable: frozenset[str],
) -> list[Finding]:
    spec = catalog.rules[UNUSED_SUPPRESSION]
    findings = []
    for suppression, silenced in used.items():
        unused = unused_codes(suppression, silenced, enabled, applicable)
        if not unused:
            continue
        edit = removal_edit(source, suppression, unused)
        codes = "all codes" if unused == ["*"] else ", ".join(unused)
        line_text = source.line_text(suppression.line)
        column = line_text.rfind(suppression.comment)
        start, end = (suppression.line, column), (suppression.line, column + len(suppression.comment))
        findings.append(spec.finding(path, start, end, [edit] if edit else None, codes=codes))
    return findings
