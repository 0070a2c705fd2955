"""Library-level tests of fixing: banno_migrate.fixer, .engine and .source.

apply_edits and the fix loop, the safety net that throws away a fix producing
invalid code, the atomic write (mode, symlinks, changed-on-disk), and
byte-exact round trips of line endings and encodings.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import pytest

from banno_migrate import engine, fixer
from banno_migrate.catalog import Catalog, load_catalog
from banno_migrate.config import Settings
from banno_migrate.engine import FileReport, RunOptions, check_files, fix_files
from banno_migrate.findings import Applicability, Edit
from banno_migrate.fixer import WriteError, apply_edits, fix_source, write_atomically
from banno_migrate.lint import LintRequest, compiles
from banno_migrate.resources import data_dir
from banno_migrate.selection import RuleSelection
from banno_migrate.source import SourceError, SourceText

# Only the rules this file is about, so that new rules do not change the expectations.
CODES = frozenset({"BM001", "BM002", "BM004"})
REQUEST = LintRequest(codes=CODES, enabled=CODES)
TOKEN = "https://h.example/a/consumer/api/oidc/token"
TOKEN_V0 = "https://h.example/a/consumer/api/v0/oidc/token"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def fix_text(text: str, catalog: Catalog, **kwargs) -> fixer.FixOutcome:
    return fix_source(SourceText(text, "utf-8"), "x.py", catalog, REQUEST, **kwargs)


def run_options(*, write: bool = True, unsafe_fixes: bool = False) -> RunOptions:
    known = load_catalog().codes
    selection = RuleSelection.from_settings(Settings(select=tuple(sorted(CODES))), known)
    return RunOptions(selection=selection, unsafe_fixes=unsafe_fixes, write=write, jobs=1)


def leftovers(directory: Path) -> list[str]:
    """Temporary files a write may have left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def crafted_catalog(tmp_path: Path, old: str, new: str) -> Catalog:
    """The shipped catalog with one line of domain.yaml changed, as a user editing it might."""
    directory = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), directory)
    domain = directory / "domain.yaml"
    text = domain.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in domain.yaml"
    domain.write_text(text.replace(old, new), encoding="utf-8")
    return load_catalog(directory)


# --------------------------------------------------------------------------- apply_edits and Edit


def test_apply_edits_in_one_pass() -> None:
    text = "abcdef"
    assert apply_edits(text, []) == text
    assert apply_edits(text, [Edit(0, 0, "X"), Edit(2, 3, "Y"), Edit(4, 6, "")]) == "XabYd"
    assert apply_edits(text, [Edit(6, 6, "!")]) == "abcdef!"
    assert apply_edits(text, [Edit(0, 1, "1"), Edit(1, 2, "2")]) == "12cdef"  # touching edits
    assert apply_edits(text, [Edit(3, 3, "+"), Edit(3, 5, "_")]) == "abc+_f"  # insertion before a replacement


def test_edit_overlaps() -> None:
    assert Edit(2, 2, "a").overlaps(Edit(2, 2, "b"))  # two insertions at one offset: order unknown
    assert Edit(0, 5, "").overlaps(Edit(3, 3, "x"))  # an insertion inside a replaced range
    assert Edit(0, 5, "").overlaps(Edit(4, 8, ""))
    assert not Edit(0, 5, "").overlaps(Edit(5, 8, ""))  # touching
    assert not Edit(0, 5, "").overlaps(Edit(5, 5, "x"))  # an insertion at the end of a range
    assert not Edit(5, 5, "x").overlaps(Edit(0, 5, ""))


# --------------------------------------------------------------------------- the fix loop


def test_fix_source_fixes_every_rule_and_is_idempotent(catalog: Catalog) -> None:
    text = (
        f'TOKEN_URL = "{TOKEN}"\n'
        'JWKS_URL = "https://h.example/a/consumer/api/oidc/certs"\n'
        'ISSUER = "https://www.banno.com/a/consumer/api/oidc"\n'
        'SCOPES = ["openid", "banno", "email"]\n'
    )
    outcome = fix_text(text, catalog)
    assert outcome.problem is None
    assert outcome.text == (
        f'TOKEN_URL = "{TOKEN_V0}"\n'
        'JWKS_URL = "https://h.example/a/consumer/api/v0/oidc/jwks"\n'
        'ISSUER = "https://h.example/a/consumer/api/v0/oidc"\n'  # host from the file's own endpoints
        'SCOPES = ["openid", "email"]\n'
    )
    assert outcome.fixed == {"BM001": 2, "BM002": 1, "BM004": 1}
    assert outcome.fixed_count == 4
    assert outcome.remaining == []
    assert [f.rule for f in outcome.initial] == ["BM001", "BM001", "BM002", "BM004"]
    again = fix_text(outcome.text, catalog)
    assert (again.text, again.fixed, again.remaining, again.problem) == (outcome.text, {}, [], None)


def test_overlapping_fixes_are_applied_over_several_rounds(catalog: Catalog) -> None:
    # Removing each "banno" takes a comma the other removal also needs: one per round.
    outcome = fix_text('SCOPES = ["banno", "banno", "openid"]\n', catalog)
    assert outcome.text == 'SCOPES = ["openid"]\n'
    assert outcome.fixed == {"BM004": 2}
    assert (outcome.remaining, outcome.problem) == ([], None)


def test_the_loop_stops_after_max_rounds_keeping_the_last_good_text(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fixer, "MAX_ROUNDS", 1)
    outcome = fix_text('SCOPES = ["banno", "banno", "openid"]\n', catalog)
    assert outcome.text == 'SCOPES = ["banno", "openid"]\n'
    assert outcome.fixed == {"BM004": 1}
    assert [f.rule for f in outcome.remaining] == ["BM004"]  # the findings of the text kept
    assert outcome.problem == "fixes did not settle after 1 rounds; the last good result was kept"


def test_unsafe_fixes_need_the_flag(catalog: Catalog) -> None:
    text = (
        "from urllib.parse import urljoin\n"
        "from django.conf import settings\n"
        "# BANNO_BASE ends in /a/consumer/api\n"
        'CERTS_URL = urljoin(settings.BANNO_BASE + "/", "oidc/certs")\n'
    )
    safe = fix_text(text, catalog)
    assert safe.text == text and safe.fixed == {}
    [finding] = safe.remaining
    assert finding.rule == "BM001" and finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    unsafe = fix_text(text, catalog, unsafe_fixes=True)
    assert unsafe.text == text.replace('"oidc/certs"', '"v0/oidc/jwks"')
    assert (unsafe.fixed, unsafe.remaining) == ({"BM001": 1}, [])


def test_suppressed_findings_are_not_fixed(catalog: Catalog) -> None:
    text = f'A = "{TOKEN}"  # banno-migrate: ignore[BM001]\nB = "{TOKEN}"\n'
    outcome = fix_text(text, catalog)
    assert outcome.text == f'A = "{TOKEN}"  # banno-migrate: ignore[BM001]\nB = "{TOKEN_V0}"\n'
    assert outcome.fixed == {"BM001": 1}
    assert [f.suppressed_by is not None for f in outcome.remaining] == [True]


def test_a_file_that_does_not_parse_raises_source_error(catalog: Catalog) -> None:
    with pytest.raises(SourceError, match=r"^cannot parse: "):
        fix_text(f'def f(:\n    URL = "{TOKEN}"\n', catalog)


def test_adjacent_tokens_in_one_literal_are_both_removed(catalog: Catalog) -> None:
    outcome = fix_text('SCOPE = "banno banno openid"\n', catalog)
    assert outcome.text == 'SCOPE = "openid"\n'


def test_a_form_feed_before_the_code_does_not_shift_the_edit(catalog: Catalog) -> None:
    outcome = fix_text('x = 1\n\x0cJWKS = "https://h.example/a/consumer/api/oidc/certs"\n', catalog)
    assert outcome.text == 'x = 1\n\x0cJWKS = "https://h.example/a/consumer/api/v0/oidc/jwks"\n'


# --------------------------------------------------------------------------- a fix that breaks the code


JWKS_SOURCE = 'JWKS_URL = "https://h.example/a/consumer/api/oidc/certs"\n'


def test_a_fix_that_does_not_parse_is_rejected(tmp_path: Path) -> None:
    # A catalog entry whose new endpoint name needs escaping inside a literal.
    catalog = crafted_catalog(tmp_path, "certs: jwks", "certs: 'jw\"ks'")
    outcome = fix_source(SourceText(JWKS_SOURCE, "utf-8"), "x.py", catalog, REQUEST)
    assert outcome.text == JWKS_SOURCE
    assert outcome.fixed == {}
    assert outcome.problem is not None
    assert outcome.problem.startswith("a fix for BM001 produced invalid code (cannot parse: ")
    assert outcome.problem.endswith("); those fixes were not applied")
    assert outcome.remaining == outcome.initial and len(outcome.remaining) == 1


def test_a_fix_that_parses_but_does_not_compile_is_rejected(tmp_path: Path) -> None:
    # LibCST accepts an unknown \N{...} escape; CPython does not.
    catalog = crafted_catalog(tmp_path, "certs: jwks", "certs: 'jwks\\N{NO SUCH CHARACTER}'")
    assert not compiles('x = "\\N{NO SUCH CHARACTER}"\n')
    outcome = fix_source(SourceText(JWKS_SOURCE, "utf-8"), "x.py", catalog, REQUEST)
    assert outcome.text == JWKS_SOURCE
    assert outcome.problem == (
        "a fix for BM001 produced invalid code (the fixed code does not compile); those fixes were not applied"
    )


def test_a_round_with_a_broken_fix_never_reaches_the_text(tmp_path: Path) -> None:
    catalog = crafted_catalog(tmp_path, "certs: jwks", "certs: 'jw\"ks'")
    text = JWKS_SOURCE + 'SCOPE = "openid banno"\n'
    outcome = fix_source(SourceText(text, "utf-8"), "x.py", catalog, REQUEST)
    assert 'jw"ks' not in outcome.text
    assert compiles(outcome.text)
    assert outcome.problem is not None and "BM001" in outcome.problem


def test_a_rejected_fix_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = crafted_catalog(tmp_path, "certs: jwks", "certs: 'jw\"ks'")
    monkeypatch.setattr(engine, "load_catalog", lambda directory=None: catalog)
    project = tmp_path / "project"
    project.mkdir()
    path = project / "jwks.py"
    path.write_text(JWKS_SOURCE)
    before = path.stat()
    [report] = fix_files([path], run_options(), catalog)
    assert path.read_text() == JWKS_SOURCE
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not report.written and not report.changed
    assert report.error is not None and "produced invalid code" in report.error.message
    assert leftovers(project) == []


# --------------------------------------------------------------------------- write_atomically


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o2750])
def test_atomic_write_keeps_the_mode_and_replaces_by_rename(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(b"old\n")
    path.chmod(mode)
    inode = path.stat().st_ino
    write_atomically(path, b"new\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert leftovers(tmp_path) == []


def test_atomic_write_refuses_a_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(b"edited by someone else\n")
    with pytest.raises(WriteError) as info:
        write_atomically(path, b"fixed\n", b"what we read\n")
    assert str(info.value) == "changed on disk while being fixed; not overwritten"
    assert path.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_atomic_write_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "settings.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    link = tmp_path / "settings.py"
    link.symlink_to(os.path.join("real", "settings.py"))
    write_atomically(link, b"new\n", b"old\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "settings.py")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(b"old\n")

    def refuse(source, destination):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError) as info:
        write_atomically(path, b"new\n", b"old\n")
    assert str(info.value) == "cannot write: Permission denied"
    assert path.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_a_file_removed_before_the_write_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match=r"^cannot write: No such file or directory$"):
        write_atomically(tmp_path / "gone.py", b"new\n", b"old\n")


# --------------------------------------------------------------------------- engine.fix_files


def test_fix_files_does_not_overwrite_a_file_changed_while_fixing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "app.py"
    path.write_text(f'URL = "{TOKEN}"\n')
    theirs = f'# edited in the editor meanwhile\nURL = "{TOKEN}"\n'
    real_fix_source = fixer.fix_source

    def racing(*args, **kwargs):
        outcome = real_fix_source(*args, **kwargs)
        path.write_text(theirs)  # someone saves the file while we fix it
        return outcome

    monkeypatch.setattr(fixer, "fix_source", racing)
    [report] = fix_files([path], run_options())
    assert path.read_text() == theirs
    assert not report.written
    assert report.error is not None and report.error.message == "changed on disk while being fixed; not overwritten"
    assert report.fixed == {}
    assert [f.rule for f in report.findings] == ["BM001"]  # still to do
    assert leftovers(tmp_path) == []


ROUND_TRIPS = {
    "crlf.py": (
        b'"""Doc.\r\n\r\nMore.\r\n"""\r\nURL = "https://h.example/a/consumer/api/oidc/certs"\r\n'
        b'SCOPES = [\r\n    "openid",\r\n    "banno",\r\n    "email",\r\n]\r\nX = 1\r\n',
        b'"""Doc.\r\n\r\nMore.\r\n"""\r\nURL = "https://h.example/a/consumer/api/v0/oidc/jwks"\r\n'
        b'SCOPES = [\r\n    "openid",\r\n    "email",\r\n]\r\nX = 1\r\n',
    ),
    "mixed.py": (
        b'A = 1\nB = 2\r\nC = 3\rURL = "https://h.example/a/consumer/api/oidc/token"\r\nD = 4',
        b'A = 1\nB = 2\r\nC = 3\rURL = "https://h.example/a/consumer/api/v0/oidc/token"\r\nD = 4',
    ),
    "bom.py": (
        b'\xef\xbb\xbf# \xc3\xa9t\xc3\xa9 \xe2\x82\xac\nNAME = "\xf0\x9f\x8f\xa6"; URL = "https://h.example/a/consumer/api/oidc/token"\n',
        b'\xef\xbb\xbf# \xc3\xa9t\xc3\xa9 \xe2\x82\xac\nNAME = "\xf0\x9f\x8f\xa6"; URL = "https://h.example/a/consumer/api/v0/oidc/token"\n',
    ),
    "latin1.py": (
        b'# -*- coding: latin-1 -*-\r\nNAME = "caf\xe9"\r\nSCOPE = "openid banno"  # \xe9t\xe9\r\n',
        b'# -*- coding: latin-1 -*-\r\nNAME = "caf\xe9"\r\nSCOPE = "openid"  # \xe9t\xe9\r\n',
    ),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_fix_keeps_every_byte_but_the_fixed_literal(tmp_path: Path, name: str) -> None:
    original, expected = ROUND_TRIPS[name]
    path = tmp_path / name
    path.write_bytes(original)
    [report] = fix_files([path], run_options())
    assert report.error is None
    assert report.written
    assert path.read_bytes() == expected


def test_fix_files_leaves_a_file_without_findings_untouched(tmp_path: Path) -> None:
    # Trigger strings everywhere, findings nowhere: parsed, not rewritten.
    data = (
        b'\xef\xbb\xbf"""Moved off https://h.example/a/consumer/api/oidc/token (the banno scope too)."""\r\n'
        b'URL = "https://h.example/a/consumer/api/v0/oidc/token"\r\n'
        b'SCOPE = "openid email"  # noqa: E501\r\n'
    )
    path = tmp_path / "clean.py"
    path.write_bytes(data)
    before = path.stat()
    [report] = fix_files([path], run_options())
    assert (report.error, report.findings, report.fixed, report.changed, report.written) == (None, [], {}, False, False)
    after = path.stat()
    assert path.read_bytes() == data
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_fix_files_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "urls.py"
    target.write_text(f'URL = "{TOKEN}"\n')
    link = tmp_path / "urls.py"
    link.symlink_to(target)
    [report] = fix_files([link], run_options())
    assert report.written and report.error is None
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == f'URL = "{TOKEN_V0}"\n'


def test_fix_files_without_writing_reports_the_fixed_text(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(f'URL = "{TOKEN}"\n')
    [report] = fix_files([path], run_options(write=False))
    assert isinstance(report, FileReport)
    assert (report.changed, report.written) == (True, False)
    assert report.original == f'URL = "{TOKEN}"\n'
    assert report.fixed_text == f'URL = "{TOKEN_V0}"\n'
    assert report.fixed == {"BM001": 1}
    assert path.read_text() == f'URL = "{TOKEN}"\n'


def test_fix_files_reports_unreadable_and_unparseable_files_and_goes_on(tmp_path: Path) -> None:
    broken = tmp_path / "a_broken.py"
    broken.write_text(f'def f(:\n    URL = "{TOKEN}"\n')
    good = tmp_path / "b_good.py"
    good.write_text(f'URL = "{TOKEN}"\n')
    missing = tmp_path / "c_missing.py"
    reports = fix_files([broken, good, missing], run_options())
    assert [r.path.name for r in reports] == ["a_broken.py", "b_good.py", "c_missing.py"]
    assert reports[0].error is not None and reports[0].error.message.startswith("cannot parse: ")
    assert reports[1].written and good.read_text() == f'URL = "{TOKEN_V0}"\n'
    assert reports[2].error is not None and reports[2].error.message == "cannot read: No such file or directory"


def test_check_files_lints_with_the_catalog_it_is_given(tmp_path: Path) -> None:
    catalog = crafted_catalog(tmp_path, "certs: jwks", "certs: keys")
    path = tmp_path / "jwks.py"
    path.write_text(JWKS_SOURCE)
    [report] = check_files([path], run_options(), catalog)
    [finding] = report.findings
    assert "/a/consumer/api/v0/oidc/keys" in finding.message


# --------------------------------------------------------------------------- source


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (b'x = "\xc3\xa9"\r\n', "utf-8", 'x = "é"\r\n'),
        (b'\xef\xbb\xbfx = "\xc3\xa9"\n', "utf-8-sig", 'x = "é"\n'),
        (b'# -*- coding: latin-1 -*-\nx = "\xe9"\n', "iso-8859-1", '# -*- coding: latin-1 -*-\nx = "é"\n'),
        (b'#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = "\x80"\n', "cp1252", '#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = "€"\n'),
    ],
    ids=["utf-8-crlf", "bom", "latin-1-cookie", "cp1252-vim"],
)
def test_source_decodes_like_python_and_encodes_back_byte_exact(data: bytes, encoding: str, text: str) -> None:
    source = SourceText.decode(data)
    assert (source.encoding, source.text) == (encoding, text)
    assert source.encode(source.text) == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"# coding: klingon\nx = 1\n", r"^cannot decode: "),
        (b'x = "\xff"\n', r"^cannot decode"),
        (b'x = 1\x00\n', r"^cannot parse: file contains a NUL byte \(binary file\?\)$"),
        (b'\xef\xbb\xbf# coding: latin-1\nx = 1\n', r"^cannot decode"),
    ],
    ids=["unknown-cookie", "invalid-utf-8", "nul", "bom-and-latin-1-cookie"],
)
def test_source_errors_are_one_line(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message) as info:
        SourceText.decode(data)
    assert "\n" not in str(info.value)


def test_source_line_index_with_every_kind_of_newline() -> None:
    source = SourceText("a\r\nbb\rccc\ndddd", "utf-8")
    assert source.line_starts == (0, 3, 6, 10)
    assert [source.line_text(n) for n in (1, 2, 3, 4)] == ["a", "bb", "ccc", "dddd"]
    for offset in range(len(source.text) + 1):
        line, column = source.position(offset)
        assert source.offset(line, column) == offset
    assert source.position(7) == (3, 1)
    assert source.offset(4, 2) == 12
