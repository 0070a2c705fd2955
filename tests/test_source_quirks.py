"""Source files as they come (issue #7): encodings, line endings, odd characters, size, depth, junk.

Each file is either checked and fixed correctly, with its encoding and line
endings kept (the bytes after `fix` are compared with the expected bytes), or
skipped with a one-line reason (`path: reason` on stderr, an entry in the JSON
`errors`), and the file is left alone. Never a traceback.

The command line runs in-process (click's CliRunner): the same code as the
console script, without the cost of a subprocess per case.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest


OLD = "/a/consumer/api/oidc/token"
NEW = "/a/consumer/api/v0/oidc/token"
URL = f"https://h.example{OLD}"
FIXED_URL = f"https://h.example{NEW}"


# --------------------------------------------------------------------------- running the tool


from inprocess_cli import banno_migrate


def put(root: Path, name: str, data: bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def leftovers(root: Path) -> list[str]:
    return sorted(path.name for path in root.rglob("*") if path.name.endswith(".tmp"))


def assert_fixed_exactly(root: Path, name: str, data: bytes, expected: bytes) -> None:
    """`fix` writes exactly `expected`; `check` is clean afterwards; a second `fix` changes nothing."""
    path = put(root, name, data)
    fixed = banno_migrate("fix", name)
    assert fixed.code == 1 and fixed.problems == [], fixed
    assert path.read_bytes() == expected
    assert leftovers(root) == []
    again = banno_migrate("fix", name)
    assert again.code == 0, again
    assert path.read_bytes() == expected


def assert_skipped(root: Path, name: str, data: bytes, reason: str | re.Pattern[str]) -> None:
    """Neither `check` nor `fix` reads past the problem: one line, one JSON error, the file untouched."""
    path = put(root, name, data)
    text = banno_migrate("check", name)
    assert text.code == 1, text
    assert len(text.problems) == 1, text
    path_part, _, message = text.problems[0].partition(": ")
    assert path_part == name, text
    if isinstance(reason, str):
        assert message == reason, text
    else:
        assert reason.fullmatch(message), text
    report = json.loads(banno_migrate("check", "--format", "json", name).out)
    assert report["errors"] == [{"path": name, "message": message}]
    assert report["findings"] == []
    fixed = banno_migrate("fix", name)
    assert fixed.code == 1 and f"{name}: {message}" in fixed.problems, fixed
    assert path.read_bytes() == data
    assert leftovers(root) == []


def assert_clean_and_untouched(root: Path, name: str, data: bytes) -> None:
    path = put(root, name, data)
    before = path.stat()
    for command in ("check", "fix"):
        run = banno_migrate(command, name)
        assert run.code == 0 and run.problems == [], run
    after = path.stat()
    assert path.read_bytes() == data
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


# --------------------------------------------------------------------------- checked and fixed, byte-exact

FIXED_EXACTLY = {
    "utf8_bom": (
        b'\xef\xbb\xbfURL = "' + URL.encode() + b'"\n',
        b'\xef\xbb\xbfURL = "' + FIXED_URL.encode() + b'"\n',
    ),
    "bom_and_crlf": (
        b'\xef\xbb\xbf# caf\xc3\xa9\r\nURL = "' + URL.encode() + b'"\r\nSCOPE = "openid banno"\r\n',
        b'\xef\xbb\xbf# caf\xc3\xa9\r\nURL = "' + FIXED_URL.encode() + b'"\r\nSCOPE = "openid"\r\n',
    ),
    "latin1_cookie": (
        b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nURL = "\xe9 ' + URL.encode() + b'"  # \xe0 la carte\n',
        b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nURL = "\xe9 ' + FIXED_URL.encode() + b'"  # \xe0 la carte\n',
    ),
    "cp1252_cookie_crlf": (
        b'# vim: set fileencoding=cp1252 :\r\nQUOTE = "\x93banno\x94"\r\nSCOPES = ["openid", "banno"]\r\n',
        b'# vim: set fileencoding=cp1252 :\r\nQUOTE = "\x93banno\x94"\r\nSCOPES = ["openid"]\r\n',
    ),
    "crlf": (
        b'import requests\r\n\r\nURL = "' + URL.encode() + b'"\r\nSCOPE = "banno openid"\r\n',
        b'import requests\r\n\r\nURL = "' + FIXED_URL.encode() + b'"\r\nSCOPE = "openid"\r\n',
    ),
    "mixed_line_endings": (
        b'A = 1\r\nURL = "' + URL.encode() + b'"\rB = 2\nSCOPE = "openid banno"\r\nC = 3',
        b'A = 1\r\nURL = "' + FIXED_URL.encode() + b'"\rB = 2\nSCOPE = "openid"\r\nC = 3',
    ),
    "old_mac_line_endings": (
        b'A = 1\rURL = "' + URL.encode() + b'"\rSCOPE = "openid banno"\r',
        b'A = 1\rURL = "' + FIXED_URL.encode() + b'"\rSCOPE = "openid"\r',
    ),
    "no_final_newline": (
        b'SCOPE = "openid banno"',
        b'SCOPE = "openid"',
    ),
    "tabs": (
        b'class Settings:\n\tdef urls(self):\n\t\treturn {\t"token":\t"' + URL.encode() + b'"}\n',
        b'class Settings:\n\tdef urls(self):\n\t\treturn {\t"token":\t"' + FIXED_URL.encode() + b'"}\n',
    ),
    "odd_whitespace_in_strings_and_comments": (
        'X = "a\x0b\x1c\x85\u2028b"; URL = "{}"  # c\x0c\u2029d\nSCOPE = "openid banno"\n'.format(URL).encode(),
        'X = "a\x0b\x1c\x85\u2028b"; URL = "{}"  # c\x0c\u2029d\nSCOPE = "openid"\n'.format(FIXED_URL).encode(),
    ),
    "non_ascii_identifiers_and_strings": (
        'café = "€ {}"\nπ = "openid banno"; 名前 = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 {}"\n'.format(URL, URL).encode(),
        'café = "€ {}"\nπ = "openid"; 名前 = "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 {}"\n'.format(FIXED_URL, FIXED_URL).encode(),
    ),
    "nested_brackets_100_deep": (
        ("X = " + "[" * 100 + f'"{URL}"' + "]" * 100 + "\n").encode(),
        ("X = " + "[" * 100 + f'"{FIXED_URL}"' + "]" * 100 + "\n").encode(),
    ),
    "long_chain_of_200_operands": (
        ("X = part" + " + part" * 200 + f' + "{URL}"\n').encode(),
        ("X = part" + " + part" * 200 + f' + "{FIXED_URL}"\n').encode(),
    ),
}


@pytest.mark.parametrize("case", sorted(FIXED_EXACTLY))
def test_quirky_file_is_fixed_byte_exact(project: Path, case: str) -> None:
    data, expected = FIXED_EXACTLY[case]
    compile(data, case, "exec")  # the case is valid Python, as CPython reads files
    assert_fixed_exactly(project, f"{case}.py", data, expected)


# A form feed (^L, a page break) may start any line. LibCST leaves the blanks
# before it out of its columns on some lines and not on others.
FORM_FEEDS = [
    pytest.param("A = 1\n\x0c\nURL = {url}\n\x0c\n", id="page_break_lines"),
    pytest.param("A = 1\n\x0cURL = {url}\n", id="top_level"),
    pytest.param("A = 1\n  \x0c\x0cSCOPE = {scope}; URL = {url}\n", id="top_level_after_blanks"),
    pytest.param("if x:\n    pass\n\x0cURL = {url}\n", id="top_level_after_a_block"),
    pytest.param("def f():\n    x = 1\n\x0c    return {scope}\n", id="second_line_of_a_block"),
    pytest.param("def f():\n    if x:\n        pass\n  \x0c    return {url}\n", id="back_to_an_outer_block"),
    pytest.param("A = 1;\x0cSCOPE = {scope}\n", id="between_statements"),
    pytest.param("f(1,\n\x0c  {scope})\n", id="continuation_line"),
    pytest.param("def f():\n\x0c    return {scope}\n", id="first_line_of_a_block"),
    pytest.param("if x:\n  \x0c    URL = {url}\n", id="first_line_of_a_block_after_blanks"),
]


# A line holding only a backslash continuation before a statement: valid, rare, and
# dropped by LibCST, which then numbers every later line one short.
LONE_BACKSLASHES = [
    pytest.param("x = 1\n\\\npass\nSCOPE = {scope}\n", id="backslash_after_a_statement"),
    pytest.param("\\\nURL = {url}\n", id="backslash_first_line_of_the_file"),
    pytest.param("if x:\n    y = 1\n    \\\n    SCOPE = {scope}\n", id="backslash_in_a_block"),
    pytest.param("# note\\\n\\\n\\\nURL = {url}\nSCOPE = {scope}\n", id="backslash_two_after_a_comment"),
    pytest.param("x = 1\r\\\rpass\rSCOPE = {scope}\r", id="backslash_after_a_lone_carriage_return"),
    pytest.param("if x:\r\n    y = 1\r\n    \\\r\n    URL = {url}\r\n", id="backslash_after_blanks_and_crlf"),
]


@pytest.mark.parametrize("template", FORM_FEEDS + LONE_BACKSLASHES)
def test_what_libcst_leaves_out_is_kept_and_the_fix_lands_in_the_right_place(project: Path, template: str) -> None:
    data = template.format(url=f'"{URL}"', scope='"openid banno"').encode()
    expected = template.format(url=f'"{FIXED_URL}"', scope='"openid"').encode()
    compile(data, "quirk.py", "exec")
    assert_fixed_exactly(project, "quirk.py", data, expected)


def test_diff_of_a_file_with_odd_line_breaks_in_strings_is_a_valid_patch(project: Path) -> None:
    put(project, "odd.py", f'X = "a\u2028b"\nURL = "{URL}"\n'.encode())
    run = banno_migrate("fix", "--diff", "odd.py")
    assert run.out == (
        "--- a/odd.py\n+++ b/odd.py\n@@ -1,2 +1,2 @@\n"
        f' X = "a\u2028b"\n-URL = "{URL}"\n+URL = "{FIXED_URL}"\n'
    ), run


def test_warnings_about_the_users_code_are_not_printed(project: Path) -> None:
    data = LEGACY_LINE + b'PATTERN = "\\d+"  # an invalid escape sequence, as in much real code\n'
    path = put(project, "regex.py", data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # Python 3.12+ shows this SyntaxWarning by default (3.11: a DeprecationWarning)
        run = banno_migrate("fix", "regex.py")
    assert run.code == 1 and run.problems == [], run
    assert path.read_bytes() == data.replace(OLD.encode(), NEW.encode())
    assert [str(warning.message) for warning in caught if "escape sequence" in str(warning.message)] == []


def test_ten_megabyte_file(project: Path) -> None:
    """Generated at test time: a legacy URL, 10 MB of comment, and a scope at the end."""
    head = f'URL = "{URL}"\n'.encode()
    bulk = b"# " + b"z" * 10_000_000 + b"\n"
    tail = b'SCOPE = "openid banno"\n'
    assert_fixed_exactly(
        project,
        "big.py",
        head + bulk + tail,
        f'URL = "{FIXED_URL}"\n'.encode() + bulk + b'SCOPE = "openid"\n',
    )


def test_ten_megabyte_file_without_trigger_strings_is_not_parsed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import banno_migrate.lint

    def no_parsing(text: str):
        raise AssertionError("a file without trigger strings was parsed")

    monkeypatch.setattr(banno_migrate.lint, "parse", no_parsing)
    data = b"X = 1\n" * 1_750_000  # 10.5 MB
    assert_clean_and_untouched(project, "big.py", data)


# --------------------------------------------------------------------------- checked, nothing to do

NOTHING_TO_DO = {
    "empty": b"",
    "only_a_bom": b"\xef\xbb\xbf",
    "only_newlines": b"\n\r\n\r",
    "v0_already": f'URL = "{FIXED_URL}"  # was {URL}\r\n'.encode(),
    "binary_without_trigger_strings": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("case", sorted(NOTHING_TO_DO))
def test_file_with_nothing_to_fix_is_checked_and_untouched(project: Path, case: str) -> None:
    assert_clean_and_untouched(project, f"{case}.py", NOTHING_TO_DO[case])


# --------------------------------------------------------------------------- skipped with one line

LEGACY_LINE = f'URL = "{URL}"\n'.encode()
ANY_PARSE_ERROR = re.compile(r"cannot parse: .+")

SKIPPED = {
    "python2_print": (b'print "hello"\n' + LEGACY_LINE, ANY_PARSE_ERROR),
    "python2_exec_and_backticks": (LEGACY_LINE + b'exec "x = 1"\ny = `x`\n', ANY_PARSE_ERROR),
    "python2_octal": (b"MODE = 0777\n" + LEGACY_LINE, ANY_PARSE_ERROR),
    "bad_indentation": (b"def f():\n    return 1\n  " + LEGACY_LINE, ANY_PARSE_ERROR),
    "binary_with_nul_and_trigger": (b"\x00\x01\x02\x03" + LEGACY_LINE + bytes(range(256)), re.compile(r"cannot (decode|parse)\b.+")),
    "nul_byte_in_valid_utf8": (LEGACY_LINE + b"X = 1\x00\n", "cannot parse: file contains a NUL byte (binary file?)"),
    "undecodable_utf8_on_line_1": (b'URL = "\xff' + URL.encode() + b'"\n', "cannot decode: invalid or missing encoding declaration"),
    "undecodable_utf8_on_line_3": (LEGACY_LINE + b"X = 1\nY = '\xff'\n", "cannot decode as utf-8: invalid start byte"),
    "cookie_that_lies": (b"# coding: ascii\n" + LEGACY_LINE + "Z = 'é'\n".encode(), "cannot decode as ascii: ordinal not in range(128)"),
    "unknown_cookie": (b"# coding: klingon\n" + LEGACY_LINE, "cannot decode: unknown encoding: klingon"),
    "bom_with_another_cookie": (b"\xef\xbb\xbf# coding: latin-1\n" + LEGACY_LINE, "cannot decode: encoding problem: utf-8"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_unreadable_source_is_skipped_with_one_line(project: Path, case: str) -> None:
    data, reason = SKIPPED[case]
    assert_skipped(project, f"{case}.py", data, reason)


def test_a_skipped_file_does_not_stop_the_others(project: Path) -> None:
    put(project, "py2.py", b'print "hello"\n' + LEGACY_LINE)
    good = put(project, "good.py", LEGACY_LINE)
    run = banno_migrate("fix", ".")
    assert run.code == 1, run
    assert [line.split(":")[0] for line in run.problems] == ["py2.py"], run
    assert good.read_bytes() == f'URL = "{FIXED_URL}"\n'.encode()


# --------------------------------------------------------------------------- where LibCST and CPython disagree; deep nesting

READ_BY_LIBCST_ONLY = {
    "300_nested_parentheses": ("X = " + "(" * 300 + f'"{URL}"' + ")" * 300 + "\n").encode(),  # CPython's limit is 200
    "python2_except_comma": LEGACY_LINE + b"try:\n    pass\nexcept Exception, e:\n    pass\n",
    "template_string": LEGACY_LINE + b't = t"{URL}"\n',  # Python 3.14 syntax
}


@pytest.mark.parametrize("case", sorted(READ_BY_LIBCST_ONLY))
def test_code_that_cpython_rejects_is_checked_but_never_fixed(project: Path, case: str) -> None:
    """LibCST reads it, this Python does not compile it: findings are reported, the file is not written."""
    data = READ_BY_LIBCST_ONLY[case]
    try:
        compile(data, case, "exec")
    except SyntaxError:
        pass
    else:
        pytest.skip(f"this Python compiles {case}")
    path = put(project, f"{case}.py", data)
    check = banno_migrate("check", path.name)
    assert check.code == 1 and f"{case}.py:" in check.out, check
    fixed = banno_migrate("fix", path.name)
    assert fixed.code == 1, fixed
    assert len(fixed.problems) == 1 and fixed.problems[0].startswith(f"{case}.py: "), fixed
    assert path.read_bytes() == data
    assert leftovers(project) == []


def test_long_operator_chain_is_a_file_error_not_an_internal_error(project: Path) -> None:
    data = ("X = part" + " + part" * 1500 + f' + "{URL}"\n').encode()
    compile(data, "chain.py", "exec")  # valid Python
    put(project, "chain.py", data)
    good = put(project, "good.py", LEGACY_LINE)
    run = banno_migrate("fix", ".")
    assert run.code == 1, run
    assert len(run.problems) == 1 and run.problems[0].startswith("chain.py: "), run
    assert good.read_bytes() == f'URL = "{FIXED_URL}"\n'.encode()


def test_deeply_nested_blocks(project: Path) -> None:
    depth = 90  # CPython's limit on nested blocks is 100
    lines = [" " * level + "if x:" for level in range(depth)]
    lines.append(" " * depth + f'url = "{URL}"')
    data = ("\n".join(lines) + "\n").encode()
    assert_fixed_exactly(project, "blocks.py", data, data.replace(OLD.encode(), NEW.encode()))


@pytest.mark.parametrize(
    ("name", "deep"),
    [
        ("deep.json", "[" * 2000 + f'"{URL}"' + "]" * 2000),
        ("deep.yaml", "key: " + "[" * 2000 + URL + "]" * 2000),
        ("deep.toml", "key = " + "[" * 2000 + f'"{URL}"' + "]" * 2000),
    ],
)
def test_deep_nesting_in_any_language_is_that_file_s_one_line_error(project: Path, name: str, deep: str) -> None:
    """A stack exhausted by one file's nesting costs that file only, whatever its front end."""
    put(project, name, (deep + "\n").encode())
    good = put(project, "good.py", LEGACY_LINE)
    run = banno_migrate("fix", ".")
    assert run.code == 1, run
    assert len(run.problems) == 1 and run.problems[0].startswith(f"{name}: "), run
    assert "internal error" not in run.err
    assert good.read_bytes() == f'URL = "{FIXED_URL}"\n'.encode()
