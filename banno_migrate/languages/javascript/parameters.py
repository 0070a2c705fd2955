"""Where the value of one OAuth request parameter is written in a file's strings.

The JavaScript counterpart of analysis.oauth_libraries.OAuthParameter: a
property or `.set(...)` under the parameter's own name or a library's name for
it (passport's `pkce`, openid-client's `usePKCE`), a constant or function whose
name ends with it (`OAUTH_RESPONSE_TYPE`), the value of a
`["response_type", "token"]` pair, or `response_type=...` in a URL or query.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from banno_migrate.domain_patterns import ParameterNames
from banno_migrate.languages.javascript.edits import items_of
from banno_migrate.languages.javascript.values import JsValue, RoleKind, Values

_EXACT_ROLES = (RoleKind.PROPERTY,)
_PREFIXED_ROLES = (RoleKind.ASSIGNMENT, RoleKind.RETURN)


class OAuthParameter:
    def __init__(self, wire_name: str, *holder_names: str) -> None:
        self.names = ParameterNames(wire_name, *holder_names)

    def written(self, values: Values) -> Iterator[tuple[Node, str]]:
        """(literal, value) of each value of this parameter the file's strings set (a message only mentions it)."""
        for value in values.all:
            if value.role.prose:
                continue
            for start, end in self.spans(value, values):
                literal = value.literal_at(start)
                if literal is not None:  # a value from a hole is nowhere to report
                    yield literal, value.text[start:end]

    def spans(self, value: JsValue, values: Values) -> Iterator[tuple[int, int]]:
        """(start, end) in `value.text` of each value of this parameter written there."""
        if value.container is not None:
            if self._is_pair_value(value, values):
                yield 0, len(value.text)
        elif self._holds(value):
            yield 0, len(value.text)
        else:
            for query in self.names.in_query.finditer(value.text):
                yield query.span(1)

    def _holds(self, value: JsValue) -> bool:
        names = value.role.names
        kind = value.role.kind
        if kind not in _EXACT_ROLES and kind not in _PREFIXED_ROLES:
            return False
        return self.names.held_by(names, exactly=kind in _EXACT_ROLES)

    def _is_pair_value(self, value: JsValue, values: Values) -> bool:
        """`["response_type", "token"]`, as given to `new URLSearchParams([...])`."""
        container = value.container
        if container.named_child_count != 2:  # checked first: a long array has many elements to ask
            return False
        items = items_of(container)
        return len(items) == 2 and items[1] == value.element and values.text(items[0]) == self.names.wire_name


