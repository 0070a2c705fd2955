"""Visitors that record what a walk tells them, for the tests that compare our read-only walks with LibCST's.

Shared by tests/test_traversal.py (real code) and tests/test_properties.py (generated programs).
"""

from __future__ import annotations

import libcst as cst


class Recorder(cst.CSTVisitor):
    """Every event of a walk, attribute hooks included (LibCST calls these by name)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node), type(node).__name__))
        return not isinstance(node, cst.Lambda)  # a visitor may skip a subtree

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node), type(original_node).__name__))

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.events.append(("visit bases", id(node), ""))

    def leave_FunctionDef_params(self, node: cst.FunctionDef) -> None:
        self.events.append(("leave params", id(node), ""))


class Calls(cst.CSTVisitor):
    """A visitor with methods for a few node types only: formatting nodes need not be walked for it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, int]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.calls.append(("Name", id(node)))

    def visit_Call(self, node: cst.Call) -> bool:
        self.calls.append(("Call", id(node)))
        return not isinstance(node.func, cst.Attribute)  # a visitor may skip a subtree

    def leave_SimpleString(self, original_node: cst.SimpleString) -> None:
        self.calls.append(("left SimpleString", id(original_node)))

    def visit_Arg_value(self, node: cst.Arg) -> None:
        self.calls.append(("Arg value", id(node)))


class CallsAndComments(Calls):
    def visit_Comment(self, node: cst.Comment) -> None:
        self.calls.append(("Comment", id(node)))


class _BatchRecorder(cst.BatchableCSTVisitor):
    """Records, tagged with its name, what a batch tells it."""

    def __init__(self, tag: str, calls: list[tuple[str, str, int]]) -> None:
        super().__init__()
        self.tag, self.calls = tag, calls

    def record(self, event: str, node: cst.CSTNode) -> None:
        self.calls.append((self.tag, event, id(node)))


class BatchMember(_BatchRecorder):
    """One of a batch: its methods are called by name, their results ignored (a batch walks every subtree)."""

    def visit_Call(self, node: cst.Call) -> bool:
        self.record("Call", node)
        return False

    def leave_Name(self, original_node: cst.Name) -> None:
        self.record("left Name", original_node)

    def visit_FunctionDef_params(self, node: cst.FunctionDef) -> None:
        self.record("params", node)


class OtherBatchMember(BatchMember):
    def visit_Name(self, node: cst.Name) -> None:
        self.record("Name", node)

    def visit_Comma(self, node: cst.Comma) -> None:
        self.record("Comma", node)


class EnteringBatchMember(_BatchRecorder):
    """One of a batch told of entering nodes only, and of leaving the module: a list of the nodes in
    walk order tells it the same as a walk."""

    def visit_Module(self, node: cst.Module) -> None:
        self.record("Module", node)

    def visit_Call(self, node: cst.Call) -> bool:
        self.record("Call", node)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.record("Name", node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.record("SimpleString", node)

    def leave_Module(self, original_node: cst.Module) -> None:
        self.record("left Module", original_node)


class LeavingBatchMember(EnteringBatchMember):
    """Told of leaving a node below the module too: only a walk tells it that."""

    def leave_Name(self, original_node: cst.Name) -> None:
        self.record("left Name", original_node)


class HookedBatchMember(EnteringBatchMember):
    """Told of entering a call's arguments too (an attribute hook): only a walk tells it that."""

    def visit_Call_args(self, node: cst.Call) -> None:
        self.record("Call args", node)


class CommaBatchMember(EnteringBatchMember):
    """Told of commas too: formatting, which the list of nodes in walk order leaves out."""

    def visit_Comma(self, node: cst.Comma) -> None:
        self.record("Comma", node)
