"""What a name is bound to, from LibCST's scope analysis: shared by the analyses.

Each function takes the `get_metadata` of a MetadataDependent whose
dependencies include ScopeProvider and ParentNodeProvider.
"""

from __future__ import annotations

from typing import Any, Callable

import libcst as cst
from libcst.metadata import Assignment

from banno_migrate.analysis.metadata import ParentNodeProvider, ScopeProvider

GetMetadata = Callable[..., Any]  # a MetadataDependent's get_metadata(provider, node, default)


def only_assignment(get_metadata: GetMetadata, name: cst.Name) -> Assignment | None:
    """The assignment of a name bound exactly once in its scope (an import counts)."""
    scope = get_metadata(ScopeProvider, name, None)
    if scope is None:
        return None
    assignments = list(scope[name.value])
    if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
        return None
    return assignments[0]


def bound_value(get_metadata: GetMetadata, name: cst.Name) -> cst.BaseExpression | None:
    """The expression of a name bound exactly once by a plain assignment (`X = ...`, `X: T = ...`)."""
    assignment = only_assignment(get_metadata, name)
    if assignment is None:
        return None
    target = assignment.node
    holder = get_metadata(ParentNodeProvider, target, None)
    if isinstance(holder, cst.AssignTarget):
        statement = get_metadata(ParentNodeProvider, holder, None)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return statement.value
    if isinstance(holder, cst.AnnAssign) and holder.target is target:
        return holder.value
    return None


def assigned_values(get_metadata: GetMetadata, name: cst.Name) -> list[cst.BaseExpression]:
    """Every expression a name is bound to by plain assignments, walrus or `with ... as`.

    Bindings of other kinds (parameters, loops, imports) have no expression and are left out.
    """
    scope = get_metadata(ScopeProvider, name, None)
    if scope is None:
        return []
    values = []
    for assignment in scope[name.value]:
        if not isinstance(assignment, Assignment):
            continue
        holder = get_metadata(ParentNodeProvider, assignment.node, None)
        if isinstance(holder, cst.AssignTarget):
            holder = get_metadata(ParentNodeProvider, holder, None)
        if isinstance(holder, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and holder.value is not None:
            values.append(holder.value)
        elif isinstance(holder, cst.AsName):
            item = get_metadata(ParentNodeProvider, holder, None)
            if isinstance(item, cst.WithItem):
                values.append(item.item)
    return values
