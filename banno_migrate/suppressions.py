"""Inline suppression comments.

    x = "..."  # banno-migrate: ignore
    x = "..."  # banno-migrate: ignore[BM001, BM004] reason: the mock server keeps the old path
    x = "..."  # noqa: BM001

A comment silences findings that start on its line. Bare `# noqa` is left to
the other linters that share that spelling: it does not silence banno-migrate.
"""

from __future__ import annotations

import re

from banno_migrate.findings import Edit, Finding, Suppression
from banno_migrate.source import SourceText

UNUSED_SUPPRESSION = "BM100"  # the code reporting suppressions that silence nothing

# A comment starts with `#` (Python, YAML, TOML, .env), `//` or `/*` (JavaScript) or `;` (INI).
_LEADER = r"(?:#|//|/\*|;)"
_OWN = re.compile(_LEADER + r"\s*banno-migrate:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$", re.IGNORECASE)
_NOQA = re.compile(_LEADER + r"\s*noqa:\s*(?P<codes>[A-Za-z]+\d+(?:[,\s]+[A-Za-z]+\d+)*)(?P<reason>.*)$", re.IGNORECASE)
_CODE = re.compile(r"BM\d{3}", re.IGNORECASE)
_EITHER_WORD = re.compile(r"banno-migrate|noqa", re.IGNORECASE)  # what each kind of comment above must hold
_QUOTED_REASON = re.compile(r"""reason\s*[=:]\s*(["'])(?P<text>.*?)\1""")


def may_hold_suppressions(text: str) -> bool:
    """Whether a text could hold a suppression comment at all (a file without one need not look at comments)."""
    return _EITHER_WORD.search(text) is not None


def parse_comment(comment: str, line: int) -> Suppression | None:
    """The suppression a comment (as written, in any of the scanned languages) carries, if any."""
    if match := _OWN.search(comment.removesuffix("*/")):
        codes = match.group("codes")
        code_set = frozenset(code.upper() for code in _CODE.findall(codes)) if codes is not None else frozenset()
        return Suppression(line, code_set, _reason(match.group("reason")), comment)
    if match := _NOQA.search(comment.removesuffix("*/")):
        ours = frozenset(code.upper() for code in _CODE.findall(match.group("codes")))
        if ours:
            return Suppression(line, ours, _reason(match.group("reason")), comment)
    return None


def _reason(tail: str) -> str | None:
    if quoted := _QUOTED_REASON.search(tail):
        return quoted.group("text")
    reason = re.sub(r"^reason\s*[:=]\s*", "", tail.strip().lstrip("-:—").strip(), flags=re.IGNORECASE)
    return reason or None


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> dict[Suppression, set[str]]:
    """Mark suppressed findings; return, per suppression, the codes it silenced."""
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.line, []).append(suppression)
    used: dict[Suppression, set[str]] = {suppression: set() for suppression in suppressions}
    for finding in findings:
        for suppression in by_line.get(finding.line, ()):
            if not suppression.codes or finding.rule in suppression.codes:
                finding.suppressed_by = suppression
                used[suppression].add(finding.rule)
                break
    return used


def unused_codes(
    suppression: Suppression, used: set[str], enabled: frozenset[str], all_codes: frozenset[str]
) -> list[str]:
    """Codes of a suppression that silenced nothing; ['*'] for an unused blanket one.

    A code whose rule was not selected cannot be judged unused, and neither can
    a blanket comment unless every rule was selected.
    """
    if not suppression.codes:
        everything_ran = all_codes - {UNUSED_SUPPRESSION} <= enabled
        return ["*"] if everything_ran and not used else []
    return sorted(code for code in suppression.codes if code in enabled and code not in used)


def removal_edit(source: SourceText, suppression: Suppression, unused: list[str]) -> Edit | None:
    """Drop a comment that is entirely unused, with the spaces before it."""
    if unused != ["*"] and set(unused) != set(suppression.codes):
        return None
    line_start = source.line_starts[suppression.line - 1]
    line = source.line_text(suppression.line)
    column = line.rfind(suppression.comment)
    if column < 0:
        return None
    start = line_start + len(line[:column].rstrip())
    if start == line_start:  # a comment on a line of its own: keep the line, just empty
        start = line_start + column
    return Edit(start, line_start + column + len(suppression.comment), "")
