"""BM003 implicit-flow in JavaScript: a response_type that asks for tokens, and tokens read from a URL fragment.

The browser side of the implicit flow reads `access_token` out of
`window.location.hash`: `new URLSearchParams(location.hash.slice(1)).get("access_token")`,
`location.hash.match(/access_token=([^&]+)/)`, `hash.split("#access_token=")[1]`.
A `.hash` is followed through method calls, constructors it is given to and
`const` names, to a read of `access_token` or `id_token`. No automatic fix:
the flow itself must change (as in banno_migrate/rules/bm003_implicit_flow.py).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from banno_migrate.languages.javascript.bindings import WRAPPERS
from banno_migrate.languages.javascript.context import Context
from banno_migrate.domain_patterns import asks_for_tokens
from banno_migrate.languages.javascript.parameters import OAuthParameter
from banno_migrate.languages.javascript.values import first_argument, method_name, receiver_of

CODE = "BM003"
RESPONSE_TYPE = OAuthParameter("response_type")
_TOKEN_KEYS = frozenset({"access_token", "id_token"})
_TOKEN_PATTERN = re.compile("|".join(f"{re.escape(key)}=" for key in sorted(_TOKEN_KEYS)))  # `#access_token=...`
_READ_METHODS = frozenset({"get", "getAll", "has"})
_PATTERN_METHODS = frozenset({"match", "exec", "test", "replace", "matchAll", "split", "indexOf", "includes", "search"})
_MAX_FLOW = 6  # how many names and calls a fragment is followed through


def check(context: Context) -> None:
    for literal, response_type in RESPONSE_TYPE.written(context.values):
        if asks_for_tokens(response_type):
            context.report_node(CODE, literal, found=f"response_type '{response_type}'")
    for member in context.tree.nodes("member_expression"):
        if _is_hash(context, member) and _FragmentFlow(context).reads_token(member, 0):
            context.report_node(CODE, member, found="tokens read from the redirect URL's fragment")
    for call in context.tree.nodes("call_expression"):
        if method_name(context.tree, call) == "split" and _splits_at_token(context, call):
            context.report_node(CODE, call, found="tokens read from the redirect URL's fragment")


def _is_hash(context: Context, member: Node) -> bool:
    """`location.hash`, `window.location.hash`, `new URL(redirect).hash`: any URL's fragment."""
    return context.tree.source(member.child_by_field_name("property")) == "hash"


def _splits_at_token(context: Context, call: Node) -> bool:
    """`url.split("#access_token=")[1]`: the token cut straight out of a fragment."""
    receiver = context.tree.source(receiver_of(call))
    if receiver.endswith(".hash"):
        return False  # the fragment flow reports it, at the `.hash`
    separator = context.values.text(first_argument(call))
    return separator is not None and separator.startswith("#") and bool(_TOKEN_PATTERN.match(separator[1:]))


class _FragmentFlow:
    """Whether a fragment's value ends up read for a token."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.tree = context.tree
        self._seen: set[Node] = set()

    def reads_token(self, node: Node, depth: int) -> bool:
        if depth > _MAX_FLOW or node in self._seen:
            return False
        self._seen.add(node)
        current = node
        while (parent := self.tree.parent(current)) is not None:
            if self._reads(parent, current):
                return True
            if parent.type == "variable_declarator" and parent.child_by_field_name("value") == current:
                name = parent.child_by_field_name("name")
                if name is None or name.type != "identifier":
                    return self._destructures_token(name)
                return any(self.reads_token(use, depth + 1) for use in self.context.bindings.reads(name))
            carrier = self._carrier(parent, current)
            if carrier is None:
                return False
            current = carrier
        return False

    def _reads(self, parent: Node, current: Node) -> bool:
        """`x.get("access_token")`, `x["access_token"]`, `x.access_token`, `x.match(/access_token=.../)`."""
        tree = self.tree
        if parent.type == "subscript_expression" and parent.child_by_field_name("object") == current:
            return self.context.values.text(parent.child_by_field_name("index")) in _TOKEN_KEYS
        if parent.type != "member_expression" or parent.child_by_field_name("object") != current:
            return False
        name = tree.source(parent.child_by_field_name("property"))
        if name in _TOKEN_KEYS:
            return True
        call = tree.parent(parent)
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != parent:
            return False
        first = first_argument(call)
        if name in _READ_METHODS and first is not None:
            return self.context.values.text(first) in _TOKEN_KEYS
        if name in _PATTERN_METHODS and first is not None:
            pattern = self.context.values.text(first) if first.type != "regex" else tree.source(first)
            return pattern is not None and bool(_TOKEN_PATTERN.search(pattern))
        return False

    def _destructures_token(self, pattern: Node | None) -> bool:
        """`const { access_token } = Object.fromEntries(new URLSearchParams(hash))`."""
        if pattern is None or pattern.type != "object_pattern":
            return False
        keys = set()
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                keys.add(self.tree.source(child))
            elif child.type == "pair_pattern":
                keys.add(self.context.values.key_text(child.child_by_field_name("key")))
        return bool(keys & _TOKEN_KEYS)

    def _carrier(self, parent: Node, current: Node) -> Node | None:
        """The expression whose value is made from `current`'s: a method result, a call or constructor given it."""
        tree = self.tree
        if parent.type in WRAPPERS or parent.type == "await_expression":
            return parent
        if parent.type == "member_expression" and parent.child_by_field_name("object") == current:
            call = tree.parent(parent)
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent:
                return call  # hash.substring(1), hash.slice(1), hash.replace("#", "")
            return None
        if parent.type == "arguments":
            call = tree.parent(parent)
            return call if call is not None and call.type in ("call_expression", "new_expression") else None
        if parent.type == "subscript_expression" and parent.child_by_field_name("object") == current:
            return parent
        return None
