"""What every rule is: a LibCST visitor that reports findings into a shared context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

import libcst as cst
from libcst.metadata import CodeRange

from banno_migrate.analysis.metadata import PositionProvider
from banno_migrate.analysis.strings import StringValue, StringValueProvider
from banno_migrate.catalog import Catalog, Domain, RuleSpec
from banno_migrate.findings import Applicability, Edit, Finding, FindingSet
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceText


@dataclass
class RuleContext:
    """One file's run: its source, the catalog, and the findings reported so far."""

    source: SourceText
    path: str
    catalog: Catalog
    options: RuleOptions = field(default_factory=RuleOptions)
    reported: FindingSet = field(default_factory=FindingSet)

    @property
    def findings(self) -> list[Finding]:
        return self.reported.findings


class Rule(cst.BatchableCSTVisitor):
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
        """Report a finding at `node` (see `RuleSpec.finding` for `edits`)."""
        where = self.range_of(node)
        source = self.context.source
        start = source.position(source.offset(where.start.line, where.start.column))
        end = source.position(source.offset(where.end.line, where.end.column))
        self.context.reported.add(self.spec.finding(self.context.path, start, end, edits, applicability, **values))


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
