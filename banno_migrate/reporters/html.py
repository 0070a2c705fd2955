"""The HTML audit report: one self-contained page for people, not pipelines.

Everything the page needs is inline (CSS, SVG, a little JavaScript) and a
Content-Security-Policy pins it to exactly that: the report is opened from
mail and ticket attachments, so it must fetch nothing and run nothing else.
The scanned code is hostile input: it reaches the page only through Jinja2's
autoescaping, and only after banno_migrate.redaction has masked its secrets.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from functools import cache
from itertools import count, groupby
from pathlib import Path
from typing import Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from banno_migrate import __version__
from banno_migrate.catalog import Catalog, RuleSpec
from banno_migrate.findings import Applicability, Finding
from banno_migrate.fixer import apply_edits
from banno_migrate.redaction import redact, redact_marked
from banno_migrate.reporters import Summary, is_applicable
from banno_migrate.resources import data_dir
from banno_migrate.source import LINE_BREAK, SourceError, SourceText

CONTEXT_LINES = 2  # lines shown above and below a finding
SEVERITIES = ("error", "warning", "info")
# Bidirectional overrides can make code read differently from how it runs
# ("Trojan Source"); control, zero-width and separator characters render as
# nothing or break lines. Show them as their code points.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_CHART_WIDTH, _CHART_LABEL, _CHART_ROW, _CHART_COUNT = 460, 210, 26, 64


@dataclass(frozen=True)
class Piece:
    """Part of a line of code, already redacted; `marked` is the finding's span or a changed part."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class CodeLine:
    number: int
    pieces: tuple[Piece, ...]
    sign: str = " "  # in a diff: '-', '+', or ' ' for an unchanged line


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    anchor: str
    message: str
    baselined: bool
    fixable: bool  # `fix` applies it with the options of this run
    needs_review: bool  # its fix is unsafe: only `fix --unsafe-fixes` applies it
    excerpt: tuple[CodeLine, ...]  # empty when the source could not be read again
    diff: tuple[CodeLine, ...]  # empty without a fix


@dataclass(frozen=True)
class FileView:
    path: str
    anchor: str
    findings: tuple[FindingView, ...]
    readable: bool

    @property
    def counts(self) -> Counter[str]:
        return Counter(view.finding.severity for view in self.findings)


@dataclass(frozen=True)
class Headline:
    files: int
    findings: int  # new ones: not suppressed, not in the baseline
    affected: int  # files with new findings
    fixable: int
    clean: int  # files without findings (new or baselined) and without errors
    baselined: int
    baseline_fixed: int
    suppressed: int
    errors: int

    @property
    def fixable_percent(self) -> int | None:
        return round(100 * self.fixable / self.findings) if self.findings else None


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    css_class: str
    new: int
    baselined: int
    y: int
    new_width: float
    baselined_width: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    width: int = _CHART_WIDTH
    label_width: int = _CHART_LABEL
    track_width: int = _CHART_WIDTH - _CHART_LABEL - _CHART_COUNT  # the longest bar; its count goes after it

    @property
    def height(self) -> int:
        return len(self.bars) * _CHART_ROW + 8


def _visible(text: str) -> str:
    return _INVISIBLE.sub(lambda match: f"⟨U+{ord(match.group()):04X}⟩", text)


def _pieces(*parts: tuple[str, bool]) -> tuple[Piece, ...]:
    return tuple(Piece(_visible(text), marked) for text, marked in parts if text)


def _read(path: str) -> SourceText | None:
    try:
        return SourceText.decode(Path(path).read_bytes())
    except (OSError, SourceError):
        return None


def _line_count(source: SourceText) -> int:
    # A final newline ends the last line; it does not start an empty one.
    return len(source.line_starts) - (1 if source.text.endswith(("\n", "\r")) else 0)


def _span_on(line: int, text: str, finding: Finding) -> tuple[int, int]:
    """The columns [start, end) of the finding's span on one line of the file (0-based)."""
    if not finding.line <= line <= finding.end_line:
        return 0, 0
    start = finding.column - 1 if line == finding.line else 0
    end = finding.end_column - 1 if line == finding.end_line else len(text)
    return start, end


def _marked_line(source: SourceText, number: int, finding: Finding) -> CodeLine:
    text = source.line_text(number)
    shown, start, end = redact_marked(text, *_span_on(number, text, finding))
    return CodeLine(number, _pieces((shown[:start], False), (shown[start:end], True), (shown[end:], False)))


def _excerpt(source: SourceText, finding: Finding) -> tuple[CodeLine, ...]:
    first = max(1, finding.line - CONTEXT_LINES)
    last = min(_line_count(source), finding.end_line + CONTEXT_LINES)
    return tuple(_marked_line(source, number, finding) for number in range(first, last + 1))


def _changed(line: str, other: str) -> tuple[Piece, ...]:
    """The line with the part that differs from its counterpart marked."""
    prefix = 0
    while prefix < min(len(line), len(other)) and line[prefix] == other[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(line), len(other)) - prefix and line[-1 - suffix] == other[-1 - suffix]:
        suffix += 1
    end = len(line) - suffix
    return _pieces((line[:prefix], False), (line[prefix:end], True), (line[end:], False))


def _diff_rows(old: list[str], new: list[str], first: int) -> list[CodeLine]:
    """Unified-diff rows of two redacted blocks that start at line `first`."""
    rows: list[CodeLine] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [CodeLine(first + i, _pieces((old[i], False))) for i in range(i1, i2)]
            continue
        paired = i2 - i1 == j2 - j1  # line for line: worth marking what changed inside each
        rows += [
            CodeLine(first + i, _changed(old[i], new[j1 + i - i1]) if paired else _pieces((old[i], False)), "-")
            for i in range(i1, i2)
        ]
        rows += [
            CodeLine(first + j, _changed(new[j], old[i1 + j - j1]) if paired else _pieces((new[j], False)), "+")
            for j in range(j1, j2)
        ]
    return rows


def _diff(source: SourceText, finding: Finding) -> tuple[CodeLine, ...]:
    """The lines the finding's own fix changes, before and after."""
    if finding.fix is None or not finding.fix.edits:
        return ()
    edits = sorted(finding.fix.edits)
    first = source.position(edits[0].start)[0]
    last = source.position(edits[-1].end)[0]
    start = source.line_starts[first - 1]
    end = source.line_starts[last - 1] + len(source.line_text(last))
    growth = sum(len(edit.replacement) - (edit.end - edit.start) for edit in edits)
    fixed = apply_edits(source.text, edits)
    old = [redact(line) for line in LINE_BREAK.split(source.text[start:end])]
    new = [redact(line) for line in LINE_BREAK.split(fixed[start : end + growth])]
    return tuple(_diff_rows(old, new, first))


def _finding_view(finding: Finding, index: int, source: SourceText | None, summary: Summary, baselined: bool) -> FindingView:
    # A file that changed or vanished since the scan shows the finding without code.
    shown = source if source is not None and finding.end_line <= _line_count(source) else None
    return FindingView(
        finding=finding,
        anchor=f"finding-{index}",
        message=_visible(redact(finding.message)),
        baselined=baselined,
        fixable=is_applicable(finding, summary.unsafe_fixes),
        needs_review=finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE,
        excerpt=() if shown is None else _excerpt(shown, finding),
        diff=() if shown is None else _diff(shown, finding),
    )


def _files(summary: Summary) -> list[FileView]:
    """New and baselined findings together, per file, each file read once."""
    baselined = {id(finding) for finding in summary.baselined}
    everything = sorted([*summary.findings, *summary.baselined], key=Finding.sort_key)
    indexes = count()
    files = []
    for number, (path, group) in enumerate(groupby(everything, key=lambda finding: finding.path)):
        source = _read(path)
        views = tuple(
            _finding_view(finding, next(indexes), source, summary, id(finding) in baselined) for finding in group
        )
        files.append(FileView(path, f"file-{number}", views, source is not None))
    return files


def _severities(findings: Iterable[Finding]) -> list[str]:
    """The severities present, most severe first (a severity the catalog adds later goes last)."""
    rank = {severity: position for position, severity in enumerate(SEVERITIES)}
    return sorted({finding.severity for finding in findings}, key=lambda severity: (rank.get(severity, len(rank)), severity))


def _bars(rows: list[tuple[str, str, str, int, int]]) -> tuple[Bar, ...]:
    """Horizontal bars scaled to the largest total; rows are label, detail, class, new, baselined."""
    scale = Chart.track_width / max([new + old for *_, new, old in rows] or [1])
    return tuple(
        Bar(label, detail, css_class, new, old, position * _CHART_ROW + 4, new * scale, old * scale)
        for position, (label, detail, css_class, new, old) in enumerate(rows)
    )


def _charts(summary: Summary, catalog: Catalog) -> tuple[Chart, ...]:
    if not (summary.findings or summary.baselined):
        return ()
    new, old = Counter(f.rule for f in summary.findings), Counter(f.rule for f in summary.baselined)
    rules = [(code, catalog.rules[code].name, "bar-rule", new[code], old[code]) for code in sorted(new | old)]
    new_severity = Counter(f.severity for f in summary.findings)
    old_severity = Counter(f.severity for f in summary.baselined)
    severities = [
        (severity, "", f"bar-{severity}", new_severity[severity], old_severity[severity])
        for severity in _severities([*summary.findings, *summary.baselined])
    ]
    return Chart("Findings by rule", _bars(rules)), Chart("Findings by severity", _bars(severities))


def _headline(summary: Summary, files: list[FileView]) -> Headline:
    unclean = {view.path for view in files} | {error.path for error in summary.errors}
    return Headline(
        files=summary.files,
        findings=len(summary.findings),
        affected=len({finding.path for finding in summary.findings}),
        fixable=summary.fixable,
        # Files that failed discovery are not among the scanned ones: never below zero.
        clean=max(0, summary.files - len(unclean)),
        baselined=len(summary.baselined),
        baseline_fixed=summary.baseline_fixed,
        suppressed=len(summary.suppressed),
        errors=len(summary.errors),
    )


def _inline_code(text: str) -> Markup:
    """Escape, then turn the catalog's `backticks` into <code>."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def _environment(directory: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=True,  # every value is text unless a template says otherwise
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline_code"] = _inline_code
    return env


def _rules(files: list[FileView], catalog: Catalog) -> list[RuleSpec]:
    codes = {view.finding.rule for file in files for view in file.findings}
    return [spec for code, spec in catalog.rules.items() if code in codes]


def render(summary: Summary, catalog: Catalog) -> str:
    directory = data_dir("reports_templates")
    # The stylesheet and script are shipped files, not input: they go in verbatim,
    # and the policy allows exactly these two by hash.
    css = (directory / "report.css").read_text(encoding="utf-8")
    script = (directory / "report.js").read_text(encoding="utf-8")
    files = _files(summary)
    return _environment(directory).get_template("report.html").render(
        version=__version__,
        project=Path.cwd().name,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        headline=_headline(summary, files),
        baseline_used=bool(summary.baselined or summary.baseline_fixed),
        charts=_charts(summary, catalog),
        files=files,
        rules=_rules(files, catalog),
        severities=_severities([*summary.findings, *summary.baselined]),
        errors=[(error.path, _visible(redact(error.message))) for error in summary.errors],
        css=Markup(css),
        script=Markup(script),
        csp=f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; base-uri 'none'; form-action 'none'",
    )
