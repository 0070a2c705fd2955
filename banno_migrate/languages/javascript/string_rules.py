"""BM001, BM002, BM004 and BM006 in JavaScript, decided by the language-neutral string_checks.

Every string value the program uses (not prose, not a key) goes to
`StringChecks.check`; every authorization request whose parameters are
written as an object (or `.set(...)` calls) goes to `check_request` for BM006,
with the edit that removes its `prompt` property.
"""

from __future__ import annotations

from banno_migrate.languages.javascript.context import Context
from banno_migrate.languages.javascript.requests import Parameter, Requests
from banno_migrate.languages.javascript.values import RoleKind
from banno_migrate.languages.string_checks import BM006, Entry, asks_consent


def check_values(context: Context) -> None:
    used = [value for value in context.values.all if not value.role.prose and value.role.kind is not RoleKind.KEY]
    values = [context.value(value) for value in used]
    host = context.checks.issuer_host(values)
    for value in values:
        for found in context.checks.check(value, host):
            context.report(found)


def check_requests(context: Context, requests: Requests) -> None:
    if BM006 not in context.codes:
        return
    for request in requests.requests:
        entries = [_entry(context, parameter) for parameter in request.parameters if parameter.value is not None]
        for found in context.checks.check_request(entries, requests.destination(request)):
            context.report(found)


def _entry(context: Context, parameter: Parameter) -> Entry:
    """A parameter written as a property or `.set(...)` (a query string's are check_values', in their URL)."""
    values = tuple(context.value(value) for value in context.string_values(parameter.value))
    # Only a prompt=consent entry is ever removed: the edit is not computed for the others (objects can be long).
    removal = parameter.removal() if parameter.removal is not None and asks_consent(parameter.name, values) else None
    return Entry(parameter.name, values, (context.tree.start(parameter.node), context.tree.end(parameter.node)), removal)
