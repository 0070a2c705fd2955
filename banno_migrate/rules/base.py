"""What every rule is: a LibCST visitor that reports findings into a shared context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from banno_migrate.analysis.metadata import CachedVisitorMethods
from banno_migrate.analysis.strings import StringValue, StringValueProvider
from banno_migrate.catalog import Catalog, Domain, RuleSpec
from banno_migrate.findings import Applicability, Edit, Finding, Fix
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceText


@dataclass
class RuleContext:
    """One file's run: its source, the catalog, and the findings reported so far."""

    source: SourceText
    path: str
    catalog: Catalog
    options: RuleOptions = field(default_factory=RuleOptions)
    _findings: dict[tuple[str, int, int, int, int], Finding] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return list(self._findings.values())

    def add(self, finding: Finding) -> None:
        """Add a finding; one already reported at the same place gains the new edits.

        A value used in several expressions (a base constant) is seen once per
        use, but it is one finding, at the literal where the fix goes.
        """
        key = (finding.rule, finding.line, finding.column, finding.end_line, finding.end_column)
        existing = self._findings.get(key)
        if existing is None:
            self._findings[key] = finding
        elif existing.fix and finding.fix:
            existing.fix = existing.fix.merged_with(finding.fix)


class Rule(CachedVisitorMethods, cst.BatchableCSTVisitor):
    """A rule: its code names its entry in the catalog (rules/*.yaml)."""

    CODE: ClassVar[str]
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.spec: RuleSpec = context.catalog.rules[self.CODE]

    @property
    def domain(self) -> Domain:
        return self.context.catalog.domain

    def range_of(self, node: cst.CSTNode) -> CodeRange:
        return self.get_metadata(PositionProvider, node)

    def report(
        self,
        node: cst.CSTNode,
        *,
        edits: Iterable[Edit | None] | None = None,
        applicability: Applicability = Applicability.SAFE,
        **values: Any,
    ) -> None:
        """Report a finding at `node`.

        `edits` None means the rule has no fix here; an edit that could not be
        computed (None in the list) makes the whole fix unavailable, so that a
        fix is never applied half-way.
        """
        edit_list = None if edits is None else list(edits)
        fix = None
        if edit_list and all(edit is not None for edit in edit_list):
            fix = Fix(tuple(sorted(edit_list)), applicability)  # type: ignore[arg-type]
        template = self.spec.message if fix else self.spec.message_without_fix
        where = self.range_of(node)
        source = self.context.source
        line, column = source.position(source.offset(where.start.line, where.start.column))
        end_line, end_column = source.position(source.offset(where.end.line, where.end.column))
        self.context.add(
            Finding(
                rule=self.CODE,
                name=self.spec.name,
                severity=self.spec.severity,
                path=self.context.path,
                line=line,
                column=column + 1,
                end_line=end_line,
                end_column=end_column + 1,
                message=template.format(**values),
                fix=fix,
            )
        )


class StringRule(Rule):
    """A rule about string values, whatever expression builds them."""

    METADATA_DEPENDENCIES = (PositionProvider, StringValueProvider)

    def leave_Module(self, original_node: cst.Module) -> None:
        values = [value for value in self.metadata[StringValueProvider].values() if not value.role.prose]
        self.check_module(values)

    def check_module(self, values: list[StringValue]) -> None:
        for value in values:
            self.check_string(value)

    def check_string(self, value: StringValue) -> None:
        raise NotImplementedError
