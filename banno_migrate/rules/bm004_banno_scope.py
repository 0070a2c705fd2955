"""BM004 banno-scope: the removed `banno` scope in a scope value."""

from __future__ import annotations

import re
from functools import cached_property

import libcst as cst

from banno_migrate.analysis.strings import HOLE, RoleKind, StringValue
from banno_migrate.domain_patterns import looks_like_scope_string, separator_after, separator_before
from banno_migrate.findings import Edit
from banno_migrate.rules.base import StringRule
from banno_migrate.rules.edits import remove_item

_QUERY_SCOPE = re.compile(rf"[?&]scope=([^&#\s'\"{HOLE}]*)")
_NAMED_ROLES = (RoleKind.KEYWORD, RoleKind.DICT_VALUE, RoleKind.ASSIGNMENT, RoleKind.RETURN)


class BannoScope(StringRule):
    CODE = "BM004"

    @cached_property
    def _token(self) -> re.Pattern[str]:
        return re.compile(rf"(?:(?<=^)|(?<=[ +{HOLE}=])|(?<=%20)){re.escape(self.domain.removed_scope)}(?=$|[ +{HOLE}&]|%20)")

    def check_string(self, value: StringValue) -> None:
        named_scope = value.role.kind in _NAMED_ROLES and value.role.names_contain("scope")
        if value.element is not None:
            if value.text == self.domain.removed_scope and (named_scope or self._has_scope_siblings(value)):
                self._report(value.literal_at(0), self._element_removal(value))
            return
        if "=" in value.text:  # a URL or query string: only its scope parameter is a scope value
            for query in _QUERY_SCOPE.finditer(value.text):
                self._report_tokens(value, *query.span(1))
        elif named_scope or looks_like_scope_string(value.text, self.domain):
            self._report_tokens(value, 0, len(value.text))

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

    # Removing a token from a scope string, with one separator next to it.
    def _report_tokens(self, value: StringValue, start: int, end: int) -> None:
        text = value.text
        for token in self._token.finditer(text, start, end):
            before = separator_before(text, start, token.start())
            after = separator_after(text, token.end(), end)
            if before:
                edit = value.edit(self.context.source, token.start() - len(before), token.end(), "")
            elif after:
                edit = value.edit(self.context.source, token.start(), token.end() + len(after), "")
            else:
                edit = None  # `banno` alone: removing it would leave no scope at all
            self._report(value.literal_at(token.start()), edit)

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


