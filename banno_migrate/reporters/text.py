"""One line per finding, ruff style: `path:line:col: CODE [*] message`."""

from __future__ import annotations

from banno_migrate.catalog import Catalog
from banno_migrate.reporters import Summary, is_applicable


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def finding_lines(summary: Summary) -> list[str]:
    lines = []
    for finding in summary.findings:
        marker = "[*] " if is_applicable(finding, summary.unsafe_fixes) else ""
        lines.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} {marker}{finding.message}")
    return lines


def totals_lines(summary: Summary) -> list[str]:
    if not summary.findings and summary.errors:
        lines = [f"No findings, but {_plural(len(summary.errors), 'file')} could not be checked (see above)."]
    elif not summary.findings:
        lines = [f"All checks passed: no findings in {_plural(summary.files, 'file')}."]
    else:
        lines = [f"Found {_plural(len(summary.findings), 'finding')} ({summary.fixable} fixable with '{summary.fix_command}')."]
    if summary.hidden_unsafe:
        lines.append(f"{summary.hidden_unsafe} more fixable with '{summary.fix_command} --unsafe-fixes'.")
    if summary.baselined or summary.baseline_fixed:
        lines.append(
            f"{_plural(len(summary.baselined), 'finding')} hidden by the baseline; "
            f"{_plural(summary.baseline_fixed, 'baseline entry', 'baseline entries')} fixed since (write the baseline again to drop them)."
        )
    return lines


def statistics_lines(summary: Summary, catalog: Catalog) -> list[str]:
    lines = []
    for code, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])):
        fixable = any(f.rule == code and is_applicable(f, summary.unsafe_fixes) for f in summary.findings)
        lines.append(f"{count:>5}  {code}  {'[*]' if fixable else '   '} {catalog.rules[code].name}")
    return lines


def render(summary: Summary, catalog: Catalog, *, statistics: bool = False) -> str:
    lines = statistics_lines(summary, catalog) if statistics else finding_lines(summary)
    return "\n".join([*lines, *totals_lines(summary)]) + "\n"


def fix_table_lines(summary: Summary, catalog: Catalog) -> list[str]:
    """After a fix run: per rule, what was fixed and what is left, with what to do about the rest."""
    left = summary.by_rule
    codes = sorted(set(summary.fixed) | set(left))
    if not codes:
        return []
    width = max(len(catalog.rules[code].name) for code in codes)
    lines = ["", f"  {'Rule':<6} {'Name':<{width}} {'Fixed':>5} {'Left':>5}"]
    for code in codes:
        lines.append(f"  {code:<6} {catalog.rules[code].name:<{width}} {summary.fixed.get(code, 0):>5} {left.get(code, 0):>5}")
    guidance = [f"  {code}: {catalog.rules[code].guidance[0]}" for code in codes if left.get(code)]
    if guidance:
        lines += ["", "What to do about what is left (details: banno-migrate rule CODE):", *guidance]
    return [*lines, ""]


def fixed_line(summary: Summary, *, dry_run: bool) -> str:
    count = sum(summary.fixed.values())
    verb = "Would fix" if dry_run else "Fixed"
    return f"{verb} {_plural(count, 'finding')} in {_plural(summary.files_fixed, 'file')}."
