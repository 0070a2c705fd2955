"""BM004 banno-scope: the removed `banno` scope in a scope value."""

from __future__ import annotations

import re
from functools import cached_property

import libcst as cst

from banno_migrate.analysis.strings import HOLE, RoleKind, StringValue
from banno_migrate.findings import Edit
from banno_migrate.rules.base import StringRule

_SEPARATOR = re.compile(r"%20| |\+")
_QUERY_SCOPE = re.compile(rf"[?&]scope=([^&#\s'\"{HOLE}]*)")
# Scope tokens of other kinds: URLs (https://api.banno.com/consumer/auth/...) and dotted names.
_URL_OR_DOTTED_SCOPE = re.compile(r"[\w\-]+(?:[.:/][\w\-.:/]*)+")
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
        elif named_scope or self._looks_like_scope_string(value.text):
            self._report_tokens(value, 0, len(value.text))

    def _looks_like_scope_string(self, text: str) -> bool:
        """Space-separated scope names with at least one standard OIDC scope, and nothing else."""
        tokens = [token for token in _SEPARATOR.split(text) if token]
        known = self.domain.standard_scopes
        return (
            len(tokens) > 1
            and any(token in known for token in tokens)
            and all(
                token in known or token == self.domain.removed_scope or _URL_OR_DOTTED_SCOPE.fullmatch(token)
                for token in tokens
            )
        )

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
            before = _separator_before(text, start, token.start())
            after = _separator_after(text, token.end(), end)
            if before:
                edit = value.edit(self.context.source, token.start() - len(before), token.end(), "")
            elif after:
                edit = value.edit(self.context.source, token.start(), token.end() + len(after), "")
            else:
                edit = None  # `banno` alone: removing it would leave no scope at all
            self._report(value.literal_at(token.start()), edit)

    # Removing an element from a list, tuple or set display, commas and lines included.
    def _element_removal(self, value: StringValue) -> Edit | None:
        container = value.container
        assert isinstance(container, (cst.List, cst.Tuple, cst.Set))
        elements = list(container.elements)
        index = next(i for i, element in enumerate(elements) if element is value.element)
        if len(elements) < 2:
            return None
        source = self.context.source
        element = elements[index]
        start = self._offset(element.value, end=False)
        end = self._offset(element.comma, end=True) if isinstance(element.comma, cst.Comma) else self._offset(element.value, end=True)

        line, _ = source.position(start)
        line_start = source.line_starts[line - 1]
        line_text = source.line_text(line)
        line_end = line_start + len(line_text)
        after = source.text[end:line_end]
        if not source.text[line_start:start].strip():
            if not after.strip():  # alone on its line: the line goes
                newline = 2 if source.text.startswith("\r\n", line_end) else 1
                return Edit(line_start, min(line_end + newline, len(source.text)), "")
            if after.lstrip().startswith("#"):  # keep the comment where it was
                return Edit(start, end + len(after) - len(after.lstrip()), "")

        previous = elements[index - 1] if index > 0 else None
        if previous is None:
            return Edit(start, self._offset(elements[1].value, end=False), "")
        if index < len(elements) - 1 or (isinstance(container, cst.Tuple) and len(elements) == 2):
            # Keep the previous comma: it separates from the next element, or keeps a tuple a tuple.
            return Edit(self._offset(previous.comma, end=True), end, "")
        return Edit(self._offset(previous.value, end=True), end, "")

    def _offset(self, node: cst.CSTNode, *, end: bool) -> int:
        where = self.range_of(node)
        position = where.end if end else where.start
        return self.context.source.offset(position.line, position.column)


def _separator_before(text: str, lower: int, index: int) -> str:
    match = _SEPARATOR.search(text, max(lower, index - 3), index)
    return match.group() if match and match.end() == index else ""


def _separator_after(text: str, index: int, upper: int) -> str:
    match = _SEPARATOR.match(text, index, upper)
    return match.group() if match else ""
