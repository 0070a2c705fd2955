"""The Python front end: one file, one parse, one LibCST pass, every selected rule at once.

Only files that passed the prefilter get here; this is the only module of the
check path that imports LibCST.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper

from banno_migrate.analysis.claims import ClaimSourceProvider
from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.metadata import PositionProvider
from banno_migrate.analysis.parsing import parse_module
from banno_migrate.analysis.positions import ModuleCode
from banno_migrate.analysis.strings import StringValueProvider
from banno_migrate.analysis.traversal import read_only_walks
from banno_migrate.catalog import Catalog
from banno_migrate.collector import collector_paused
from banno_migrate.cpython_ast import parse as parse_with_cpython
from banno_migrate.findings import Finding, Suppression
from banno_migrate.finish import finish
from banno_migrate.languages import LintRequest
from banno_migrate.rules import RULES_BY_CODE
from banno_migrate.rules.base import RuleContext
from banno_migrate.slicing import relevant_code, slice_needles
from banno_migrate.source import SourceError, SourceText
from banno_migrate.suppressions import may_hold_suppressions, parse_comment


# What LibCST may leave out of its tree, so that its positions count other code than the text: a form
# feed, a line that starts with a backslash continuation (after any line break: `\r` alone is one),
# and blank lines before an indented comment among the lines that end the file (see
# `_may_be_left_out`). Not the backslash of an escape in a string, which is in most files: generating
# a module's code costs a tenth of its parse. (LibCST also drops the line break that ends a file
# written with `\r` alone; nothing follows it, so no position moves.)
_BACKSLASH_STARTS_A_LINE = re.compile(r"[\r\n][ \t]*\\")  # (one alternative `\f|(?:^|...)` scanned 5 times slower)


def _may_be_left_out(text: str) -> bool:
    """Whether LibCST's code for `text` may leave characters out before the end."""
    if "\f" in text or text.lstrip(" \t").startswith("\\") or _BACKSLASH_STARTS_A_LINE.search(text):
        return True
    # The blank and comment lines that end the file, last first: LibCST drops blank lines among them
    # when a later one is indented.
    ending: list[str] = []
    for line in _lines_last_first(text):
        content = line.lstrip(" \t")
        if content and not content.startswith("#"):
            break
        ending.append(line)
    return any(line[:1] in (" ", "\t") for line in ending[:-1])


def _lines_last_first(text: str) -> Iterator[str]:
    """The lines of `text` from the last, read back from its end (the whole text is not split)."""
    end = len(text)
    while True:
        start = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
        yield text[start:end]
        if start == 0:
            return
        end = start - 2 if text.startswith("\r\n", start - 2) else start - 1


def parse(text: str) -> cst.Module:
    try:
        return parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"cannot parse: {exc.message} (line {exc.raw_line}, column {exc.raw_column + 1})") from None
    except (cst.CSTLogicError, RecursionError, MemoryError) as exc:
        # LibCST raises CSTLogicError for some syntax it does not know (t-strings).
        raise SourceError(f"cannot parse: {type(exc).__name__}: {_first_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is a file we cannot read
        raise SourceError(f"cannot parse: {type(exc).__name__}: {_first_line(exc)}") from None


def decode(data: bytes) -> SourceText:
    return SourceText.decode(data)


def verify(text: str) -> None:
    """The last check before a fix is written: CPython accepts the text too."""
    if not compiles(text):
        raise SourceError("the fixed code does not compile")


def compiles(text: str) -> bool:
    """Whether CPython accepts the text (the last check before a fix is written)."""
    return parse_with_cpython(text) is not None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"


class _CommentCollector(cst.BatchableCSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, source: SourceText) -> None:
        super().__init__()
        self.source = source
        self._found: list[tuple[cst.Comment, Suppression]] = []
        self._positions: Mapping[cst.CSTNode, CodeRange] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._positions = self.metadata[PositionProvider]  # kept for after the walk, when metadata is gone

    def visit_Comment(self, node: cst.Comment) -> None:
        if suppression := parse_comment(node.value, 0):
            self._found.append((node, suppression))

    def suppressions(self) -> list[Suppression]:
        """The suppression comments, each on its line: positions (a whole-module pass) only when there is one."""
        return [
            replace(suppression, line=self.source.libcst_line(self._positions[node].start.line))
            for node, suppression in self._found
        ]


def _sliced(source: SourceText, catalog: Catalog, request: LintRequest) -> tuple[SourceText, ast.Module | None]:
    """The source without the function bodies no selected rule needs (same offsets), or the source itself;
    and CPython's tree of the source when slicing made one (positions use it too: the lines are the same)."""
    needles = slice_needles(catalog, request) if request.slicing else None
    if needles is None:
        return source, None
    tree = parse_with_cpython(source.text)
    sliced = relevant_code(source.text, needles, tree) if tree is not None else None
    return (replace(source, text=sliced) if sliced is not None else source), tree


def lint_source(
    source: SourceText, path: str, catalog: Catalog, request: LintRequest, file: Path | None = None
) -> list[Finding]:
    """All findings of one file, suppressed ones marked (not dropped). Raises SourceError.

    `file`, when given, is where the source lives: constants imported from the
    project's other modules are then known.
    """
    # A LibCST tree and its metadata are a few hundred thousand objects made at once and kept to
    # the end of the file, without cycles: the collector would scan them again and again as they
    # grow (6 to 7 % of a lint) and free nothing. It resumes once `_lint` has returned and its
    # trees are freed, so that the collection the next allocations start finds the few cycles a
    # lint leaves (scopes and their assignments) as garbage, instead of scanning the live tree and
    # keeping it for later collections to scan again (another 6 to 11 %).
    with collector_paused():
        return _lint(source, path, catalog, request, file)


def _lint(source: SourceText, path: str, catalog: Catalog, request: LintRequest, file: Path | None) -> list[Finding]:
    analysed, cpython_tree = _sliced(source, catalog, request)
    try:
        module = parse(analysed.text)
    except SourceError:
        if analysed is source:
            raise
        analysed, module = source, parse(source.text)  # a slice LibCST cannot read: the whole text, as ever
    if _may_be_left_out(analysed.text):
        analysed = analysed.with_libcst_code(module.code)
    if analysed.libcst_code is None:  # the code LibCST's positions count is the text CPython parsed
        code = ModuleCode(analysed.text, cpython_tree)
    else:
        code = ModuleCode(analysed.libcst_code)
    context = RuleContext(source=analysed, path=path, catalog=catalog, options=request.rule_options)
    rules = [RULES_BY_CODE[code](context) for code in sorted(request.codes) if code in RULES_BY_CODE]
    # Comments are read only where a suppression may be: otherwise the batch, in which no rule has a
    # method for formatting, skips comments and whitespace altogether (six nodes in ten).
    comments = _CommentCollector(analysed) if may_hold_suppressions(analysed.text) else None
    modules = ProjectModules(file, request.consulted)
    cache = {StringValueProvider: modules, ClaimSourceProvider: modules, PositionProvider: code}
    with read_only_walks():
        MetadataWrapper(module, unsafe_skip_copy=True, cache=cache).visit_batched(
            [*rules, comments] if comments is not None else rules
        )
    suppressions = comments.suppressions() if comments is not None else []
    return finish(context.findings, suppressions, source, path, catalog, request)
