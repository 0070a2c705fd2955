"""Applying fixes: a loop to a fixed point, verified, written atomically.

Each round lints the text, applies every non-overlapping fix, and checks that
the result still parses with the file's own parser (for Python, LibCST) and
passes the front end's last check (for Python, CPython compiles it). A round that breaks
the code is thrown away and the file keeps its last good text; nothing is
written unless the final text is good. Like ruff's fix loop, the rounds stop
when nothing is left to fix, or after MAX_ROUNDS.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from banno_migrate.catalog import Catalog
from banno_migrate.findings import Applicability, Edit, Finding
from banno_migrate.languages import PYTHON, LintRequest, lint_file
from banno_migrate.source import SourceError, SourceText
from banno_migrate.temporary_files import write_through_temporary

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    text: str  # the fixed text (the original when nothing could be fixed)
    remaining: list[Finding]  # findings left in `text`
    initial: list[Finding]  # findings of the original text
    fixed: dict[str, int] = field(default_factory=dict)  # per rule code, how many were fixed
    problem: str | None = None  # why fixing stopped early, if it did

    @property
    def fixed_count(self) -> int:
        return sum(self.fixed.values())


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (sorted by start) in one pass."""
    parts, last = [], 0
    for edit in edits:
        if edit.start < last:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        parts.append(text[last : edit.start])
        parts.append(edit.replacement)
        last = edit.end
    parts.append(text[last:])
    return "".join(parts)


def _applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    return (
        finding.fix is not None
        and finding.suppressed_by is None
        and (unsafe_fixes or finding.fix.applicability is Applicability.SAFE)
    )


def _non_overlapping(findings: list[Finding]) -> tuple[list[Finding], list[Edit]]:
    """Pick the fixes of one round: first come first served; the rest wait for the next round."""
    chosen: list[Finding] = []
    edits: list[Edit] = []
    for finding in sorted(findings, key=lambda f: f.fix.edits[0].start):  # type: ignore[union-attr]
        candidate = finding.fix.edits  # type: ignore[union-attr]
        if any(new.overlaps(old) for new in candidate for old in edits):
            continue
        if any(a.overlaps(b) for i, a in enumerate(candidate) for b in candidate[i + 1 :]):
            continue  # a fix that contradicts itself is never applied
        chosen.append(finding)
        edits.extend(candidate)
    return chosen, sorted(edits)


def fix_source(
    source: SourceText,
    path: str,
    catalog: Catalog,
    request: LintRequest,
    *,
    unsafe_fixes: bool = False,
    file: Path | None = None,
    frontend: ModuleType | None = None,
) -> FixOutcome:
    """Fix one file's text with its language's front end (default: Python).

    Raises SourceError when the original does not parse.
    """
    frontend = frontend or PYTHON.load()
    text = source.text
    findings = lint_file(frontend, source, path, catalog, request, file)
    outcome = FixOutcome(text=text, remaining=findings, initial=findings)
    for _ in range(MAX_ROUNDS):
        applicable = [finding for finding in findings if _applicable(finding, unsafe_fixes)]
        if not applicable:
            return outcome
        chosen, edits = _non_overlapping(applicable)
        new_text = apply_edits(text, edits)
        try:
            # Linting parses the new text with the file's parser: that parse is half of the check.
            findings = lint_file(frontend, SourceText(new_text, source.encoding), path, catalog, request, file)
            frontend.verify(new_text)
        except SourceError as exc:
            codes = ", ".join(sorted({finding.rule for finding in chosen}))
            outcome.problem = f"a fix for {codes} produced invalid code ({exc}); those fixes were not applied"
            return outcome
        text = new_text
        for finding in chosen:
            outcome.fixed[finding.rule] = outcome.fixed.get(finding.rule, 0) + 1
        outcome.text, outcome.remaining = text, findings
    outcome.problem = f"fixes did not settle after {MAX_ROUNDS} rounds; the last good result was kept"
    return outcome


class WriteError(Exception):
    """The fixed file could not be written (the message is one line)."""


def write_atomically(path: Path, data: bytes, original: bytes, target: Path | None = None) -> None:
    """Replace `path` by `data` in one rename, keeping its mode.

    Refuses when the file changed since it was read, and writes through a
    symlink to its target rather than replacing the link.
    """
    resolved = path.resolve()
    if target is not None and resolved != target:  # `target`: where the path led when the file was read
        raise WriteError("changed on disk while being fixed; not overwritten")
    target = resolved
    try:
        if target.read_bytes() != original:
            raise WriteError("changed on disk while being fixed; not overwritten")
        info = target.stat()
        mode = info.st_mode
        # Root may write anything, and a rename ignores the file's own mode: ask the mode too.
        if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise WriteError("cannot write: the file is read-only")
        # (POSIX only: Windows has neither owners of this kind nor os.geteuid.)
        owner = (info.st_uid, info.st_gid)
        foreign = hasattr(os, "geteuid") and owner != (os.geteuid(), os.getegid())
        write_through_temporary(target, data, mode & 0o7777, durable=True, owner=owner if foreign else None)
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}") from None
