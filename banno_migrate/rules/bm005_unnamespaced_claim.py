"""BM005 unnamespaced-claim: a custom claim read or requested by its bare name."""

from __future__ import annotations

import re
from functools import cached_property

import libcst as cst
from libcst.metadata import Assignment

from banno_migrate.analysis.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider
from banno_migrate.analysis.claims import (
    USERINFO_KEY,
    ClaimSourceProvider,
    Evidence,
    assigned_values,
    qualified_names,
    string_text,
)
from banno_migrate.analysis.strings import StringValue, StringValueProvider
from banno_migrate.findings import Applicability
from banno_migrate.rules.base import Rule

_READ_METHODS = frozenset({"get", "pop", "setdefault"})
_REQUEST_MEMBERS = frozenset({"id_token", USERINFO_KEY})  # the members of an OIDC claims request
_CLAIMS_PARAMETER = "claims"
# What encodes a claims request on its way into the `claims` parameter.
_ENCODERS = frozenset({"json.dumps", "simplejson.dumps", "urllib.parse.quote", "urllib.parse.quote_plus"})
_MAX_DEPTH = 4


class UnnamespacedClaim(Rule):
    CODE = "BM005"
    METADATA_DEPENDENCIES = (
        PositionProvider,
        ParentNodeProvider,
        QualifiedNameProvider,
        ScopeProvider,
        StringValueProvider,
        ClaimSourceProvider,
    )

    @cached_property
    def _claims(self) -> frozenset[str]:
        names = (*self.domain.custom_claims, *self.context.options.extra_claims)
        return frozenset(names) - self.domain.standard_claims

    @cached_property
    def _json_member(self) -> re.Pattern[str]:
        """A bare claim as a member name of JSON text: `"institution_id": null`."""
        names = "|".join(re.escape(name) for name in sorted(self._claims, key=len, reverse=True))
        return re.compile(rf'"({names})"\s*:')

    # Reads: x["claim"], x.get("claim"), x.pop("claim"), x.setdefault("claim"), "claim" in x.
    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and not self._is_assigned(node):
            self._check_read(node.value, node.slice[0].slice.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _READ_METHODS and node.args:
            first = node.args[0]
            if first.keyword is None and not first.star:
                self._check_read(func.value, first.value)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                self._check_read(target.comparator, left)
            left = target.comparator

    def _is_assigned(self, node: cst.Subscript) -> bool:
        parent = self.get_metadata(ParentNodeProvider, node)
        annotated = isinstance(parent, cst.AnnAssign) and parent.target is node
        return annotated or isinstance(parent, (cst.AssignTarget, cst.Del))

    def _check_read(self, holder: cst.BaseExpression, key: cst.BaseExpression) -> None:
        evidence = self.get_metadata(ClaimSourceProvider, holder, None)
        if evidence is None:
            return
        value = self.get_metadata(StringValueProvider, key, None)
        through_constant = value is None and isinstance(key, cst.Name)
        if through_constant:  # CLAIM = "institution_id"; claims[CLAIM]
            values = assigned_values(self.get_metadata, key)
            value = self.get_metadata(StringValueProvider, values[0], None) if len(values) == 1 else None
        if value is None or value.text not in self._claims:
            return
        # A constant may name other things than the claim too, and a name proves little.
        safe = evidence is Evidence.SOURCE and not through_constant
        self._report(key, value, 0, len(value.text), "read", Applicability.SAFE if safe else Applicability.UNSAFE)

    # Requests: {"id_token": {"institution_id": None}} in the `claims` parameter, also JSON-encoded.
    def visit_Dict(self, node: cst.Dict) -> None:
        members = [
            member
            for element in node.elements
            if isinstance(element, cst.DictElement) and string_text(self.get_metadata, element.key) in _REQUEST_MEMBERS
            if (member := self._request_member(element.value)) is not None
        ]
        if not members or not self._in_claims_request(node, 0):
            return
        for member in members:
            for element in member.elements:
                assert isinstance(element, cst.DictElement)  # _request_member checked it
                value = self.get_metadata(StringValueProvider, element.key, None)
                if value is not None and value.text in self._claims:
                    self._report(element.key, value, 0, len(value.text), "requested", Applicability.SAFE)

    def _request_member(self, node: cst.BaseExpression) -> cst.Dict | None:
        """The dict of an `id_token` or `userinfo` request member, written here or bound once
        to a name, when it asks for claims (with None or a dict) rather than holds claim values."""
        if isinstance(node, cst.Name):
            values = assigned_values(self.get_metadata, node)
            node = values[0] if len(values) == 1 else node
        if not isinstance(node, cst.Dict):
            return None
        asks = all(
            isinstance(element, cst.DictElement) and (isinstance(element.value, cst.Dict) or _is_none(element.value))
            for element in node.elements
        )
        return node if asks else None

    def leave_Module(self, original_node: cst.Module) -> None:
        """Claims requests written as JSON text: claims='{"id_token": {"institution_id": null}}'."""
        for value in self.metadata[StringValueProvider].values():
            if any(f'"{member}"' in value.text for member in _REQUEST_MEMBERS) and self._in_claims_request(value.root, 0):
                for match in self._json_member.finditer(value.text):
                    self._report(value.literal_at(match.start(1)), value, *match.span(1), "requested", Applicability.SAFE)

    def _in_claims_request(self, node: cst.CSTNode, depth: int) -> bool:
        """Whether a value is what the `claims` parameter of an authorization request gets."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Arg):
            if parent.keyword is not None:
                return parent.keyword.value == _CLAIMS_PARAMETER
            call = self.get_metadata(ParentNodeProvider, parent, None)
            return (
                isinstance(call, cst.Call)
                and bool(qualified_names(self.get_metadata, call.func) & _ENCODERS)
                and self._in_claims_request(call, depth)
            )
        if isinstance(parent, cst.DictElement):
            return parent.value is node and string_text(self.get_metadata, parent.key) == _CLAIMS_PARAMETER
        if isinstance(parent, cst.Assign) and depth < _MAX_DEPTH:
            return any(self._names_claims_request(target.target, depth) for target in parent.targets)
        if isinstance(parent, (cst.AnnAssign, cst.NamedExpr)) and parent.value is node and depth < _MAX_DEPTH:
            return self._names_claims_request(parent.target, depth)
        return False

    def _names_claims_request(self, target: cst.BaseExpression, depth: int) -> bool:
        """`params["claims"] = ...`, `CLAIMS_REQUEST = ...`, or a name later used as one."""
        if isinstance(target, cst.Subscript):
            index = target.slice[0].slice if len(target.slice) == 1 else None
            return isinstance(index, cst.Index) and string_text(self.get_metadata, index.value) == _CLAIMS_PARAMETER
        if not isinstance(target, cst.Name):
            return False
        if _CLAIMS_PARAMETER in target.value.lower():
            return True
        scope = self.get_metadata(ScopeProvider, target, None)
        assignments = scope.assignments[target.value] if scope is not None else ()
        return any(
            self._in_claims_request(access.node, depth + 1)
            for assignment in assignments
            if isinstance(assignment, Assignment) and assignment.node is target
            for access in assignment.references
        )

    def _report(
        self, node: cst.CSTNode | None, value: StringValue, start: int, end: int, what: str, applicability: Applicability
    ) -> None:
        if node is None:
            return
        claim = value.text[start:end]
        replacement = self.domain.claim_namespace + claim
        edit = value.edit(self.context.source, start, end, replacement)
        self.report(node, edits=[edit], applicability=applicability, claim=claim, what=what, replacement=replacement)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
