"""Slicing leaves out the function bodies no rule needs, keeps every offset, and changes no finding."""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path

import pytest

from banno_migrate.catalog import load_catalog
from banno_migrate.languages import LintRequest
from banno_migrate.lint import lint_source
from banno_migrate.prefilter import Prefilter
from banno_migrate.rule_options import RuleOptions
from banno_migrate import slicing
from banno_migrate.slicing import relevant_code, slice_needles
from banno_migrate.source import SourceText

CATALOG = load_catalog()
PROGRAMS = sorted((Path(__file__).parent / "data" / "slicing").glob("*.py"))
CODE_RULES = frozenset(code for code in CATALOG.codes if code != "BM100")


def test_a_body_without_a_needle_becomes_one_blank_string_or_a_0() -> None:
    text = textwrap.dedent(
        '''\
        import os
        X = 1

        @app.route("/")
        def index():  # the signature stays
            """Docstring."""
            return render(X)

        class Client(Base):
            url = "oidc/auth"
            def start(self):
                return self.url + "oidc/"
            def stop(self): return None
            async def close(self,
                            force):
                await self.session.close()
        '''
    )
    expected = textwrap.dedent(
        '''\
        import os
        X = 1

        @app.route("/")
        def index():  # the signature stays
            """
        """

        class Client(Base):
            url = "oidc/auth"
            def start(self):
                return self.url + "oidc/"
            def stop(self): return None
            async def close(self,
                            force):
                0
        '''
    )
    sliced = relevant_code(text, ["oidc/"])
    assert sliced is not None and len(sliced) == len(text)
    assert [line.rstrip() for line in sliced.split("\n")] == expected.split("\n")


def test_docstrings_and_classes_without_a_needle_are_left_out() -> None:
    text = textwrap.dedent(
        '''\
        """The module's docstring."""
        import os


        class Settings:
            """Settings."""
            DEBUG = False

            def load(self):
                return os.environ


        class Client:
            """A client."""
            url = "oidc/auth"

            def start(self):
                """Starts at oidc/ (a needle in a docstring keeps nothing)."""
                return self.session.begin()
        '''
    )
    sliced = relevant_code(text, ["oidc/"])
    assert sliced is not None
    assert [line.rstrip() for line in sliced.split("\n")] == textwrap.dedent(
        '''\
        0
        import os


        class Settings:
            """



        """


        class Client:
            0
            url = "oidc/auth"

            def start(self):
                """
        """
        '''
    ).split("\n")


def test_a_docstring_sharing_its_line_is_kept() -> None:
    text = '"""Doc."""; import os\n\ndef f():\n    return 1\n'
    assert relevant_code(text, ["oidc/"]) == '"""Doc."""; import os\n\ndef f():\n    0       \n'


def test_a_name_an_import_holding_a_needle_binds_is_followed() -> None:
    """`M(...)` holds no needle: its function is kept because the import binding M does."""
    text = textwrap.dedent(
        """\
        from oauthlib.oauth2 import MobileApplicationClient as M

        def make():
            return M(CLIENT_ID)

        def other():
            return 1
        """
    )
    request = LintRequest(codes=frozenset({"BM003"}))
    sliced = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, request)
    whole = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, dataclasses.replace(request, slicing=False))
    assert [finding.line for finding in sliced] == [finding.line for finding in whole] == [4]
    assert relevant_code(text, slice_needles(CATALOG, request)).splitlines()[-1].strip() == "0"  # other() is left out


def test_a_body_that_starts_with_a_decorated_definition_is_left_out_from_its_first_decorator() -> None:
    """`lineno` of a decorated definition is its `def` line: a region starting there left the decorator
    behind, the slice did not parse, and the whole file went to LibCST (flask's tests, 54 kB)."""
    text = textwrap.dedent(
        """\
        def test_options(app):
            @app.route("/", methods=["GET"])
            def index():
                return "Hello"

        class Settings:
            @property
            def debug(self):
                return False

        def start():
            return "oidc/"
        """
    )
    sliced = relevant_code(text, ["oidc/"])
    assert sliced is not None and len(sliced) == len(text)
    kept = [line.strip() for line in sliced.splitlines() if line.strip()]
    assert kept == ["def test_options(app):", '"""', '"""', "class Settings:", '"""', '"""', "def start():", 'return "oidc/"']


def test_nothing_to_leave_out_or_nothing_parseable_gives_none() -> None:
    assert relevant_code("def f():\n    return 'oidc/'\n", ["oidc/"]) is None
    assert relevant_code("x = 1\n", ["oidc/"]) is None
    assert relevant_code("def f(:\n    pass\n", ["oidc/"]) is None


@pytest.mark.parametrize(
    "text",
    [
        "def f():\r\n    return 1\r\n\r\ndef g():\r\n    return 'oidc/'\r\n",  # CRLF
        "def f():\n\treturn 1\n\ndef g():\n\treturn 'oidc/'\n",  # tabs
        "def f():\n    é = 'ü'; return é\n\ndef g():\n    return 'oidc/'\n",  # non-ASCII
        "def f():\n    return '''a\nb'''\n\ndef g():\n    return 'oidc/'\n",  # a string over lines
        "def f():\n    x = 1 + \\\n        2\n    return x\ndef g():\n    return 'oidc/'\n",  # a continuation
    ],
    ids=["crlf", "tabs", "non-ascii", "multiline-string", "continuation"],
)
def test_every_offset_and_line_break_is_kept(text: str) -> None:
    sliced = relevant_code(text, ["oidc/"])
    assert sliced is not None and len(sliced) == len(text)
    assert [index for index, char in enumerate(sliced) if char in "\r\n"] == [
        index for index, char in enumerate(text) if char in "\r\n"
    ]
    kept = text.index("def g")
    assert sliced[kept:] == text[kept:]


def test_a_body_with_global_is_kept() -> None:
    text = "X = 'a'\n\ndef reset():\n    global X\n    X = 'b'\n"
    assert relevant_code(text, ["oidc/"]) is None


def test_rules_that_follow_the_module_s_functions_get_every_body() -> None:
    assert slice_needles(CATALOG, LintRequest(codes=frozenset({"BM001", "BM005"}))) is None
    assert slice_needles(CATALOG, LintRequest(codes=frozenset({"BM001"}))) == ("consumer/api", "oidc/")


def test_unused_suppressions_need_every_comment() -> None:
    request = LintRequest(codes=frozenset({"BM001", "BM100"}), enabled=frozenset({"BM001", "BM100"}), report_unused_suppressions=True)
    assert slice_needles(CATALOG, request) is None


def test_claim_names_are_needles_only_of_a_rule_that_includes_claims() -> None:
    # BM005, the one rule that includes them, keeps every body: give it a slice context to see its needles.
    rules = dict(CATALOG.rules, BM005=dataclasses.replace(CATALOG.rules["BM005"], slice_context=()))
    catalog = dataclasses.replace(CATALOG, rules=rules)
    options = RuleOptions(extra_claims=("branch_code",))
    claims_rule = slice_needles(catalog, LintRequest(codes=frozenset({"BM005"}), rule_options=options)) or ()
    assert {"institution_id", "branch_code"} <= set(claims_rule)
    other_rule = slice_needles(catalog, LintRequest(codes=frozenset({"BM001"}), rule_options=options)) or ()
    assert "branch_code" not in other_rule and "institution_id" not in other_rule


def _findings(path: Path, slicing: bool) -> list[dict]:
    """As the engine lints: the rules the prefilter lets through (one that needs every body would turn slicing off)."""
    data = path.read_bytes()
    codes = Prefilter(CATALOG).candidates(data, CODE_RULES)
    source = SourceText.decode(data)
    request = LintRequest(codes=codes, enabled=CODE_RULES, slicing=slicing)
    return [asdict(finding) for finding in lint_source(source, path.name, CATALOG, request, path)]


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda path: path.stem)
def test_a_finding_that_depends_on_another_function_survives_slicing(path: Path) -> None:
    whole = _findings(path, slicing=False)
    assert whole, "each program has a finding that depends on code outside its own function"
    assert _findings(path, slicing=True) == whole


@pytest.mark.parametrize("path", [path for path in PROGRAMS if path.stem != "claims_helper"], ids=lambda path: path.stem)
def test_each_program_does_lose_a_body_to_slicing(path: Path) -> None:
    """Otherwise the test above would prove nothing about slicing."""
    data = path.read_bytes()
    needles = slice_needles(CATALOG, LintRequest(codes=Prefilter(CATALOG).candidates(data, CODE_RULES)))
    assert needles is not None
    assert relevant_code(data.decode(), needles) is not None


def test_claims_are_followed_through_every_body() -> None:
    data = (PROGRAMS[0].parent / "claims_helper.py").read_bytes()
    assert slice_needles(CATALOG, LintRequest(codes=Prefilter(CATALOG).candidates(data, CODE_RULES))) is None


def test_a_caller_of_a_kept_function_is_kept() -> None:
    text = textwrap.dedent(
        """\
        def parse(url):
            return split(url.fragment)

        def middle(url):
            return parse(url)

        def reader(url):
            return middle(url)["x"]

        def unrelated(url):
            return url.strip()
        """
    )
    sliced = relevant_code(text, ["fragment"])
    assert sliced is not None
    kept = [line for line in sliced.splitlines() if line.strip() and line.strip() != "0"]
    assert kept == [line for line in text.splitlines() if line.strip()][:-1]


def _without_slice_context(catalog):
    return dataclasses.replace(
        catalog,
        rules={
            code: dataclasses.replace(spec, slice_context=() if spec.slice_context is not None else None)
            for code, spec in catalog.rules.items()
        },
    )


def _keep_nothing(self, functions, bound) -> None:
    pass


@pytest.mark.parametrize("path", [path for path in PROGRAMS if path.stem != "claims_helper"], ids=lambda path: path.stem)
def test_each_program_s_finding_needs_a_body_that_slicing_keeps(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every function body left out, each program's findings change: its kept bodies matter."""
    whole = _findings(path, slicing=False)
    monkeypatch.setattr(slicing._Slicer, "_keep", _keep_nothing)
    assert _findings(path, slicing=True) != whole


def _keep_only_needles(self, functions, bound) -> None:  # slicing without following values between functions
    self._kept.update(function for function in functions if any(needle in self._code(function) for needle in self._needles))


@pytest.mark.parametrize(
    ("stem", "taken_away"),
    [
        ("authlib_factory", {"slice_context", "followed values"}),  # either keeps the factory
        ("flask_factory", {"slice_context", "followed values"}),
        ("session_in_init", {"slice_context"}),
        ("fragment_helper", {"followed values"}),
        ("fragment_module_level", {"followed values"}),
    ],
)
def test_each_program_needs_what_keeps_its_finding(stem: str, taken_away: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Take away the part of slicing a program depends on, and its finding changes: the programs test something."""
    path = PROGRAMS[0].parent / f"{stem}.py"
    whole = _findings(path, slicing=False)
    if "slice_context" in taken_away:
        monkeypatch.setattr(sys.modules[__name__], "CATALOG", _without_slice_context(CATALOG))
    if "followed values" in taken_away:
        monkeypatch.setattr(slicing._Slicer, "_keep", _keep_only_needles)
    assert _findings(path, slicing=True) != whole


def test_a_slice_libcst_cannot_read_falls_back_to_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The slice is parsed once, by LibCST; should slicing ever produce what it cannot read, nothing is lost."""
    from banno_migrate import lint

    text = 'def f():\n    return 1\n\nURL = "https://digital.garden-fi.com/a/consumer/api/oidc/auth"\n'
    monkeypatch.setattr(lint, "relevant_code", lambda text, needles, tree: "def f(:\n" + text[8:])  # same length, broken
    request = LintRequest(codes=frozenset({"BM001"}))
    findings = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, request)
    assert [(finding.rule, finding.line) for finding in findings] == [("BM001", 4)]


@pytest.mark.parametrize(
    "text",
    [
        'ISSUER = "https://www.banno.com/a/consumer/api/oidc"\n\n\ndef token_url():\n    return "https://h.example/a/consumer/api/v0/oidc/token"\n',
        'ISSUER = "https://www.banno.com/a/consumer/api/oidc"\nTOKEN_URL = "https://h.example/a/consumer/api/v0/oidc/token"\n',
        'BANK = "https://h.example/a/consumer"\nISSUER = "https://www.banno.com/a/consumer/api/oidc"\n\n\n'
        'def token_url():\n    return BANK + "/api/v0/oidc/token"\n',
    ],
    ids=["in_a_function", "in_a_module_constant", "built_in_a_function"],
)
def test_the_endpoint_url_that_gives_the_issuer_fix_its_host_is_kept(text: str) -> None:
    """BM002 alone: the issuer's fix takes its host from another string of the file, which holds no trigger."""
    request = LintRequest(codes=frozenset({"BM002"}), enabled=frozenset({"BM002"}))
    sliced = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, request)
    whole = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, dataclasses.replace(request, slicing=False))
    assert [finding.fix is not None for finding in sliced] == [finding.fix is not None for finding in whole] == [True]
