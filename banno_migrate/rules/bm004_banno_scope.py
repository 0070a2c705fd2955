"""BM004 banno-scope: the removed `banno` scope in a scope value."""

from __future__ import annotations

import libcst as cst

from banno_migrate.analysis.strings import RoleKind, StringValue
from banno_migrate.findings import Edit
from banno_migrate.rules.base import StringRule
from banno_migrate.rules.edits import remove_item

_NAMED_ROLES = (RoleKind.KEYWORD, RoleKind.DICT_VALUE, RoleKind.ASSIGNMENT, RoleKind.RETURN)


class BannoScope(StringRule):
    CODE = "BM004"

    def check_string(self, value: StringValue) -> None:
        named_scope = value.role.kind in _NAMED_ROLES and value.role.names_contain("scope")
        if value.element is not None:
            if value.text == self.domain.removed_scope and (named_scope or self._has_scope_siblings(value)):
                self._report(value.literal_at(0), self._element_removal(value))
            return
        for token in self.domain.text.banno_scope_tokens(value.text, named_scope):
            edit = value.edit(self.context.source, *token.removal, "") if token.removal else None
            self._report(value.literal_at(token.start), edit)

    def _has_scope_siblings(self, value: StringValue) -> bool:
        container = value.container
        assert isinstance(container, (cst.List, cst.Tuple, cst.Set))
        return any(
            isinstance(element.value, cst.SimpleString)
            and element.value.evaluated_value in self.domain.standard_scopes
            for element in container.elements
        )

    def _report(self, literal: cst.CSTNode | None, edit: Edit | None) -> None:
        if literal is not None:
            self.report(literal, edits=None if edit is None else [edit])

    def _element_removal(self, value: StringValue) -> Edit | None:
        container = value.container
        assert isinstance(container, (cst.List, cst.Tuple, cst.Set))
        elements = list(container.elements)
        index = next(i for i, element in enumerate(elements) if element is value.element)
        return remove_item(
            self.context.source,
            self.range_of,
            elements,
            index,
            keep_comma_when_one_left=isinstance(container, cst.Tuple),
        )


