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


def test_a_run_holds_the_collector_off_while_it_reads_files_and_gives_it_back_unfrozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from banno_migrate import engine
    from banno_migrate.selection import RuleSelection

    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "auth.py").write_bytes(LEGACY_AUTH.read_bytes())
    seen: list[bool] = []
    frozen_while_linting: list[bool] = []
    triage, check_job = engine._Triage.__call__, engine._check_job

    def recording_triage(self: object, path: Path, target: str | None = None) -> object:
        seen.append(gc.isenabled())
        return triage(self, path, target)  # type: ignore[arg-type]

    def recording_check_job(*args: object) -> object:
        frozen_while_linting.append(gc.get_freeze_count() > 0)
        return check_job(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine._Triage, "__call__", recording_triage)
    monkeypatch.setattr(engine, "_check_job", recording_check_job)
    gc.enable()
    options = engine.RunOptions(selection=RuleSelection(frozenset(load_catalog().codes), tmp_path), jobs=1)
    reports = engine.check_files(sorted(tmp_path.glob("*.py")), options)
    assert [(report.path.name, bool(report.findings)) for report in reports] == [("auth.py", True), ("clean.py", False)]
    assert seen == [False, False] and frozen_while_linting == [True]
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_run_leaves_a_callers_frozen_objects_frozen(tmp_path: Path) -> None:
    from banno_migrate import engine
    from banno_migrate.selection import RuleSelection

    (tmp_path / "auth.py").write_bytes(LEGACY_AUTH.read_bytes())
    options = engine.RunOptions(selection=RuleSelection(frozenset(load_catalog().codes), tmp_path), jobs=1)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert engine.check_files([tmp_path / "auth.py"], options)[0].findings
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_worker_collects_cycles_though_forked_with_the_collector_off() -> None:
    from banno_migrate import engine

    gc.disable()
    try:
        engine._init_worker(load_catalog())
        assert gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("code", "generated"),
    [
        pytest.param('PATTERN = "\\\\d+\\n"\nSCOPE = "openid banno"\n', False, id="escapes_in_strings"),
        pytest.param('X = (1 + \\\n    2)\nSCOPE = "openid banno"\n', False, id="continuation_after_code"),
        pytest.param('X = 1\n\\\nSCOPE = "openid banno"\n', True, id="line_starting_with_a_backslash"),
        pytest.param('if X:\r    Y = 1\r    \\\r    SCOPE = "openid banno"\r', True, id="same_after_a_lone_carriage_return"),
        pytest.param('X = 1\n\x0cSCOPE = "openid banno"\n', True, id="form_feed"),
    ],
)
def test_libcsts_code_is_generated_only_where_it_may_leave_characters_out(
    monkeypatch: pytest.MonkeyPatch, code: str, generated: bool
) -> None:
    asked: list[str] = []
    with_libcst_code = SourceText.with_libcst_code

    def recording(self: SourceText, libcst_code: str) -> SourceText:
        asked.append(libcst_code)
        return with_libcst_code(self, libcst_code)

    monkeypatch.setattr(SourceText, "with_libcst_code", recording)
    findings = _lint(code.encode())
    assert [finding.rule for finding in findings] == ["BM004"]  # type: ignore[attr-defined]
    assert findings[0].line == len(code.replace("\r\n", "\n").replace("\r", "\n").split("\n")) - 1  # type: ignore[attr-defined]
    assert len(asked) == generated


def test_the_file_is_resolved_only_when_a_constant_is_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.py").write_text('BASE = "https://bank.example/a/consumer/api"\n')
    app = tmp_path / "app.py"
    resolved: list[Path] = []
    resolve = Path.resolve
    monkeypatch.setattr(Path, "resolve", lambda self, strict=False: resolved.append(self) or resolve(self, strict))
    catalog = load_catalog()
    request = LintRequest(codes=frozenset({"BM001"}), enabled=frozenset({"BM001"}))
    assert lint.lint_source(SourceText('URL = "https://bank.example/a/consumer/api/oidc/token"\n', "utf-8"), "app.py", catalog, request, app)
    assert resolved == []
    imported = 'from settings import BASE\nURL = BASE + "/oidc/token"\n'
    assert lint.lint_source(SourceText(imported, "utf-8"), "app.py", catalog, request, app)
    assert resolved == [app]


@pytest.mark.parametrize("ending", ["\n\n\n    # banno-migrate: ignore[BM003]\n", "\n\n\t# banno-migrate: ignore[BM003]"])
def test_an_indented_comment_among_the_lines_that_end_a_file_keeps_its_place(ending: str) -> None:
    """LibCST drops the blank lines before it (a found review: the text had no other sign of that)."""
    text = 'RESPONSE_TYPE = "token"\nPATTERN = "a\\\\b"\n' + ending
    codes = frozenset({"BM003", "BM100"})
    request = LintRequest(codes=codes, enabled=codes, report_unused_suppressions=True)
    findings = lint.lint_source(SourceText(text, "utf-8"), "app.py", load_catalog(), request)
    comment = text.index("# banno-migrate")
    line, column = text.count("\n", 0, comment) + 1, comment - text.rindex("\n", 0, comment)
    assert [(f.rule, f.line, f.column) for f in findings] == [("BM003", 1, 17), ("BM100", line, column)]  # type: ignore[attr-defined]
