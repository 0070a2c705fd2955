"""The parse without node validation: the same trees, and validation back for everything else."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode

from banno_migrate.analysis import parsing
from banno_migrate.catalog import load_catalog
from banno_migrate.languages import LintRequest
from banno_migrate.lint import lint_source, parse
from banno_migrate.source import SourceError, SourceText

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPO / "banno_migrate").rglob("*.py")) + sorted((REPO / "examples").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES[::7], ids=lambda path: path.relative_to(REPO).as_posix())
def test_the_tree_is_the_one_libcst_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = parsing.parse_module(text)
    assert tree.deep_equals(cst.parse_module(text))
    assert tree.code == text


def test_no_node_is_validated_during_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    validated: list[str] = []
    validate = cst.Name._validate
    monkeypatch.setattr(cst.Name, "_validate", lambda self: validated.append(self.value) or validate(self))
    text = "client = OAuth2Session(client_id)\n"
    parsing.parse_module(text)
    assert validated == []
    cst.parse_module(text)
    assert validated == ["client", "OAuth2Session", "client_id"]


def test_nodes_built_after_a_parse_are_validated_again() -> None:
    parsing.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_nodes_built_after_a_parse_that_failed_are_validated_again() -> None:
    with pytest.raises(SourceError):
        parse("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_a_post_init_that_does_more_than_validate_is_left_alone() -> None:
    def sets_a_field(self: CSTNode) -> None:
        self._validate()
        object.__setattr__(self, "cached", None)

    def calls_something_else(self: CSTNode) -> None:
        self._validate()
        print(self)

    def validates_twice_with_a_constant(self: CSTNode) -> None:
        self._validate()
        self._validate() if 2 else None

    assert not parsing._only_validates(sets_a_field)
    assert not parsing._only_validates(calls_something_else)
    assert not parsing._only_validates(validates_twice_with_a_constant)
    assert not parsing._only_validates(None)


def test_a_parse_validates_when_libcsts_post_init_is_not_the_known_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "_SKIPPABLE", False)
    validated: list[str] = []
    validate = cst.Name._validate
    monkeypatch.setattr(cst.Name, "_validate", lambda self: validated.append(self.value) or validate(self))
    parsing.parse_module("token = fetch()\n")
    assert validated == ["token", "fetch"]


def test_libcsts_own_check_would_refuse_code_its_parser_accepts() -> None:
    """LibCST 1.x's validation raises on `() if 0 else(lambda:())` (LibCST issue #1061): with the check off,
    such a file is linted instead of being reported as one that cannot be parsed."""
    text = 'RESPONSE_TYPE = "token"\ncallback = () if DEBUG else(lambda:())\n'
    assert parsing.parse_module(text).code == text
    findings = lint_source(SourceText(text, "utf-8"), "app.py", load_catalog(), LintRequest(codes=frozenset({"BM003"})))
    assert [(finding.rule, finding.line) for finding in findings] == [("BM003", 1)]


def test_the_check_is_skipped_exactly_when_libcsts_post_init_only_validates() -> None:
    assert parsing._SKIPPABLE is parsing._only_validates(CSTNode.__dict__["__post_init__"]) is True
