"""BM006 consent-refresh-hack: `prompt=consent` with the `offline_access` scope, the legacy way to a refresh token."""

from __future__ import annotations

import libcst as cst

from banno_migrate.analysis.authorization_requests import (
    AuthorizationRequest,
    AuthorizationRequestProvider,
    Destination,
    Parameter,
    Span,
)
from banno_migrate.analysis.metadata import PositionProvider
from banno_migrate.domain_patterns import query_parameter_removal
from banno_migrate.findings import Applicability, Edit
from banno_migrate.rules.base import Rule
from banno_migrate.rules.edits import remove_item
from banno_migrate.source import SourceText


class ConsentRefreshHack(Rule):
    CODE = "BM006"
    METADATA_DEPENDENCIES = (PositionProvider, AuthorizationRequestProvider)

    def visit_Module(self, node: cst.Module) -> None:
        for request in self.get_metadata(AuthorizationRequestProvider, node):
            self._check(request)

    def _check(self, request: AuthorizationRequest) -> None:
        destination = request.destination(self.domain)
        # Other providers follow OIDC Core, where prompt=consent with offline_access is the rule.
        if destination is Destination.OTHER:
            return
        scope = request.parameter("scope")
        tokens = [] if scope is None else self._legacy_tokens(scope)
        if not tokens:
            return
        replacements = [self._replacement(span, start, end) for span, start, end in tokens]
        # Banno's scope would break a request that turns out to be another provider's: a person
        # confirms when the code does not show where the request goes.
        applicability = Applicability.SAFE if destination is Destination.BANNO else Applicability.UNSAFE
        for prompt in request.named("prompt"):
            if prompt.text == "consent":
                edits = [self._removal(prompt), *replacements]
                self.report(prompt.node, edits=edits, applicability=applicability, scope=self.domain.offline_access_scope)

    def _legacy_tokens(self, scope: Parameter) -> list[tuple[Span, int, int]]:
        return [
            (span, start, end)
            for span in scope.spans
            for start, end in self.domain.text.legacy_offline_tokens(span.value.text, span.start, span.end)
        ]

    def _replacement(self, span: Span, start: int, end: int) -> Edit | None:
        scope = self.domain.text.offline_scope(span.text, span.in_query)
        return span.value.edit(self.context.source, start, end, scope)

    def _removal(self, prompt: Parameter) -> Edit | None:
        if prompt.query is not None:
            return _remove_query_parameter(prompt.query, self.context.source)
        if prompt.items:
            return remove_item(self.context.source, self.range_of, prompt.items, prompt.index)
        return None  # set by `params["prompt"] = ...`: a statement, not an item


def _remove_query_parameter(parameter: Span, source: SourceText) -> Edit | None:
    removal = query_parameter_removal(parameter.value.text, parameter.start, parameter.end)
    return parameter.value.edit(source, *removal, "") if removal is not None else None
