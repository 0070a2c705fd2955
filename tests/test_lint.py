"""The Python front end's handling of the interpreter around one file's lint."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Iterator

import pytest

from banno_migrate import lint
from banno_migrate.catalog import load_catalog
from banno_migrate.languages import LintRequest
from banno_migrate.source import SourceError, SourceText

ROOT = Path(__file__).resolve().parents[1]
LEGACY_AUTH = ROOT / "examples" / "legacy-app" / "legacy_app" / "auth.py"


@pytest.fixture
def collector_seen_by_the_parser(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    seen: list[bool] = []
    parse = lint.parse

    def recording_parse(text: str) -> object:
        seen.append(gc.isenabled())
        return parse(text)

    monkeypatch.setattr(lint, "parse", recording_parse)
    was_enabled = gc.isenabled()
    yield seen
    gc.enable() if was_enabled else gc.disable()


def _lint(data: bytes) -> list[object]:
    catalog = load_catalog()
    request = LintRequest(codes=frozenset(catalog.codes), enabled=frozenset(catalog.codes))
    return list(lint.lint_source(SourceText.decode(data), "auth.py", catalog, request, LEGACY_AUTH))


def test_the_cycle_collector_is_off_during_a_lint_and_back_after(collector_seen_by_the_parser: list[bool]) -> None:
    gc.enable()
    assert _lint(LEGACY_AUTH.read_bytes())
    assert collector_seen_by_the_parser == [False]
    assert gc.isenabled()


def test_the_cycle_collector_is_back_after_a_file_that_does_not_parse(collector_seen_by_the_parser: list[bool]) -> None:
    gc.enable()
    with pytest.raises(SourceError):
        _lint(b"def f(:\n    response_type = 'token'\n")
    assert collector_seen_by_the_parser == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(collector_seen_by_the_parser: list[bool]) -> None:
    gc.disable()
    assert _lint(LEGACY_AUTH.read_bytes())
    assert collector_seen_by_the_parser == [False]
    assert not gc.isenabled()
