"""The string-value analysis: what expressions evaluate to and where their text is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.strings import HOLE, RoleKind, StringValue, StringValueProvider
from banno_migrate.source import SourceText


def values(code: str, file: Path | None = None) -> list[StringValue]:
    code = textwrap.dedent(code)
    wrapper = MetadataWrapper(cst.parse_module(code), cache={StringValueProvider: ProjectModules(file)})
    return list(wrapper.resolve(StringValueProvider).values())


def texts(code: str, file: Path | None = None) -> list[str]:
    return [value.text for value in values(code, file)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('X = "a" "b"', ["ab"]),
        ('A = "https://h/api"\nX = A + "/oidc"', ["https://h/api", "https://h/api/oidc"]),
        ('A = "h"\nX = f"{A}/oidc/{y}"', ["h", f"h/oidc/{HOLE}"]),
        ('X = "%s/oidc/%s" % ("h", y)', [f"h/oidc/{HOLE}"]),
        ('X = "{}/{name}/{0}".format("h", name="n")', ["h/n/h"]),
        ('X = "100%% {{sure}}".format()', ["100%% {sure}"]),
        ('X = "100%% sure" % ()', ["100% sure"]),
        ('from urllib.parse import urljoin\nX = urljoin("https://h/a/", "b/c")', ["https://h/a/b/c"]),
        ('X = urljoin("https://h/a/x", "/b")', [f"{HOLE}/b"]),
        ('X = urljoin(base, "https://o/p")', ["https://o/p"]),
        ('X = r"a\\x2Fb" + "\\x2F"', ["a\\x2Fb/"]),
        ('X = b"bytes" + y', []),
    ],
)
def test_evaluation(code: str, expected: list[str]) -> None:
    assert texts(code) == expected


def test_a_name_bound_twice_is_unknown() -> None:
    assert texts('A = "x"\nif c:\n    A = "y"\nZ = A + "/oidc"')[-1] == f"{HOLE}/oidc"


def test_cyclic_names_do_not_loop() -> None:
    a, b = texts('A = B + "/a"\nB = A + "/b"')
    assert a.startswith(HOLE) and a.endswith("/a") and b.startswith(HOLE) and b.endswith("/b")


def test_each_character_maps_back_to_its_source() -> None:
    code = 'A = "https://h/api"\nX = A + "/o\\x69dc/token"\n'
    value = values(code)[-1]
    source = SourceText(code, "utf-8")
    start = value.text.index("oidc")
    edit = value.edit(source, start, start + 4, "OIDC")
    assert code[edit.start : edit.end] == "o\\x69dc"
    # An insertion goes into the literal of the character after it.
    insert = value.edit(source, start, start, "v0/")
    assert insert.start == insert.end == code.index("o\\x69dc")


def test_an_edit_across_two_literals_is_refused() -> None:
    code = 'X = "https://h/a" "pi"'
    value = values(code)[0]
    assert value.edit(SourceText(code, "utf-8"), value.text.index("api"), value.text.index("api") + 3, "x") is None


@pytest.mark.parametrize(
    ("code", "kind", "names", "prose"),
    [
        ('f(scope="openid")', RoleKind.KEYWORD, ("scope",), False),
        ('x = {"scope": "openid"}', RoleKind.DICT_VALUE, ("scope",), False),
        ('SCOPES = ["openid"]', RoleKind.ASSIGNMENT, ("SCOPES",), False),
        ('app.config["SCOPE"] = "openid"', RoleKind.ASSIGNMENT, ("SCOPE",), False),
        ('self.scope: str = "openid"', RoleKind.ASSIGNMENT, ("scope",), False),
        ('def scopes():\n    return " ".join(["openid"])', RoleKind.RETURN, ("scopes",), False),
        ('x = {"scope": "openid".split()}', RoleKind.DICT_VALUE, ("scope",), False),
        ('log.info("openid")', RoleKind.ARGUMENT, (), True),
        ('logger.warning("openid %s", x)', RoleKind.ARGUMENT, (), True),
        ('raise ValueError("openid")', RoleKind.ARGUMENT, (), True),
        ('print("openid")', RoleKind.ARGUMENT, (), True),
        ('def f():\n    """openid"""', RoleKind.OTHER, (), True),
        ('if x == "openid": pass', RoleKind.COMPARISON, (), False),
        ('requests.get("openid")', RoleKind.ARGUMENT, (), False),
    ],
)
def test_roles(code: str, kind: RoleKind, names: tuple[str, ...], prose: bool) -> None:
    (value,) = [v for v in values(code) if v.text.startswith("openid")]
    assert (value.role.kind, value.role.names, value.role.prose) == (kind, names, prose)


def test_list_elements_know_their_container() -> None:
    value = [v for v in values('S = ("openid", "banno")') if v.text == "banno"][0]
    assert isinstance(value.container, cst.Tuple) and value.element is value.container.elements[1]


def _project(tmp_path: Path) -> Path:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        'HOST = "digital.example.com"\n'
        'BANNO_BASE = f"https://{HOST}/a/consumer/api"\n'
        'TWICE = "a"\nTWICE = "b"\n'
    )
    return package / "views.py"


@pytest.mark.parametrize(
    "code",
    [
        'from . import settings\nX = settings.BANNO_BASE + "/oidc/token"',
        'from .settings import BANNO_BASE\nX = BANNO_BASE + "/oidc/token"',
        'from app.settings import BANNO_BASE as B\nX = f"{B}/oidc/token"',
        'import app.settings as s\nX = s.BANNO_BASE + "/oidc/token"',
    ],
)
def test_constants_of_project_modules_are_known(tmp_path: Path, code: str) -> None:
    assert texts(code, _project(tmp_path))[-1] == "https://digital.example.com/a/consumer/api/oidc/token"


def test_project_constants_bound_twice_or_missing_stay_unknown(tmp_path: Path) -> None:
    file = _project(tmp_path)
    assert texts('from . import settings\nX = settings.TWICE + "/x"', file)[-1] == f"{HOLE}/x"
    assert texts('from . import settings\nX = settings.NOPE + "/x"', file)[-1] == f"{HOLE}/x"
    assert texts('from .missing import BASE\nX = BASE + "/x"', file)[-1] == f"{HOLE}/x"


@pytest.mark.parametrize(
    ("body", "is_raw", "is_fstring_text"),
    [
        ("https://banno.com/a/oidc-provider/api/", False, False),  # the common case: no escape at all
        ("a\\x2Fb\\n\\u00e9\\N{DIGIT ONE}\\\\", False, False),
        ("a\\\nb", False, False),  # a line continuation adds nothing
        ("C:\\path\\x2F", True, False),  # raw: a backslash is itself
        ("a{{b}}c", False, True),  # f-string text: doubled braces are one
        ("a{{b\\tc", True, True),
        ("", False, False),
    ],
)
def test_decoding_gives_python_s_value_and_the_general_reader_s_offsets(body: str, is_raw: bool, is_fstring_text: bool) -> None:
    from functools import partial

    from banno_migrate.analysis.literals import _python_sequence, decode, decode_with

    text, offsets = decode(body, is_raw=is_raw, is_fstring_text=is_fstring_text)
    general = decode_with(body, partial(_python_sequence, is_raw=is_raw, is_fstring_text=is_fstring_text))
    assert (text, offsets) == general
    literal = ("rf" if is_raw and is_fstring_text else "r" if is_raw else "f" if is_fstring_text else "") + repr(body)[0] * 3
    assert eval(literal + body + literal[-3:]) == text  # noqa: S307 - our own test literals
    assert len(offsets) == len(text) + 1 and offsets[-1] == len(body)
