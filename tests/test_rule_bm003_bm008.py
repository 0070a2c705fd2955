"""BM003 implicit-flow and BM008 pkce-plain beyond their catalog examples: the value
grammar, how far a URL fragment is followed, and the bundled legacy app."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from banno_migrate.catalog import load_catalog
from banno_migrate.lint import LintRequest, lint_source
from banno_migrate.prefilter import Prefilter
from banno_migrate.domain_patterns import asks_for_tokens
from banno_migrate.source import SourceText

CATALOG = load_catalog()
LEGACY_APP = Path(__file__).resolve().parent.parent / "examples" / "legacy-app"
CODES = frozenset({"BM003", "BM008"})


def lines(code: str, path: Path | None = None) -> list[tuple[str, int]]:
    source = SourceText(textwrap.dedent(code), "utf-8")
    findings = lint_source(source, "example.py", CATALOG, LintRequest(codes=CODES), file=path)
    return [(finding.rule, finding.line) for finding in findings]


@pytest.mark.parametrize(
    ("response_type", "expected"),
    [
        ("token", True),
        ("id_token", True),
        ("id_token token", True),
        ("token id_token", True),
        ("id_token+token", True),
        ("id_token%20token", True),
        ("code id_token", True),  # hybrid: tokens from the authorization endpoint too
        ("code", False),
        ("none", False),
        ("code none", False),
        ("", False),
        ("tokens", False),
        ("\x00 token", False),  # part of it unknown
    ],
)
def test_which_response_types_ask_for_tokens(response_type: str, expected: bool) -> None:
    assert asks_for_tokens(response_type) is expected


def test_a_fragment_reassigned_in_a_loop_is_followed_once() -> None:
    code = """
        from urllib.parse import parse_qs, urlparse
        def token(url):
            fragment = urlparse(url).fragment
            while fragment.startswith("/"):
                fragment = fragment[1:]
            return parse_qs(fragment)["access_token"][0]
    """
    assert lines(code) == [("BM003", 4)]


def test_a_fragment_sent_away_as_request_data_is_not_read_from_the_url() -> None:
    code = """
        from urllib.parse import parse_qs, urlparse
        resp = requests.post(TOKEN_URL, data=parse_qs(urlparse(url).fragment))
        token = resp.json()["access_token"]
    """
    assert lines(code) == []


def test_exact_names_for_request_values_prefixed_names_for_constants() -> None:
    code = """
        server = AuthorizationEndpoint(default_response_type="token")
        DEFAULT_RESPONSE_TYPE = "token"
        self.code_challenge_method = "plain"
        client = OAuth2Session(cid, use_pkce="plain")
    """
    assert lines(code) == [("BM003", 3), ("BM008", 4)]


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_found_example_passes_the_prefilter(code: str) -> None:
    prefilter = Prefilter(CATALOG)
    for example in CATALOG.rules[code].found:
        assert code in prefilter.candidates(example.code.encode(), CODES, python=example.language == "python"), example.code


def _expected_rows() -> set[tuple[str, int, str]]:
    """(file, line, rule) of EXPECTED.md's findings for these two rules."""
    text = (LEGACY_APP / "EXPECTED.md").read_text(encoding="utf-8")
    findings = text.split("## Findings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\S+\.py) \| (\d+) \| (BM\d{3}) \|", findings, re.M)
    return {(file, int(line), rule) for file, line, rule in rows if rule in CODES}


def test_the_legacy_app_is_reported_where_expected() -> None:
    found = set()
    for path in sorted((LEGACY_APP / "legacy_app").glob("*.py")):
        source = SourceText(path.read_text(encoding="utf-8"), "utf-8")
        for rule, line in lines(source.text, path):
            found.add((path.name, line, rule))
    assert found == _expected_rows()
    assert {rule for _, _, rule in found} == CODES


@pytest.fixture
def qualified_names_asked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    from banno_migrate.analysis import metadata

    asked: list[object] = []
    getitem = metadata._QualifiedNames.__getitem__
    monkeypatch.setattr(metadata._QualifiedNames, "__getitem__", lambda self, node: asked.append(node) or getitem(self, node))
    return asked


def _request_rules(code: str) -> list[tuple[str, int]]:
    request = LintRequest(codes=frozenset({"BM003", "BM007", "BM008"}))
    return [(finding.rule, finding.line) for finding in lint_source(SourceText(textwrap.dedent(code), "utf-8"), "app.py", CATALOG, request)]


def test_no_qualified_name_is_resolved_in_a_module_that_names_no_library_api(qualified_names_asked: list[object]) -> None:
    """A qualified name ends with a name the module writes: resolving one for each call (thousands in a
    server's module) is left to the modules that write an API's name or import a client library."""
    code = """
        import requests

        def login(state):
            params = {"response_type": "token", "client_id": CLIENT_ID, "state": state}
            return requests.get(AUTH_URL, params=params).json()
    """
    assert _request_rules(code) == [("BM003", 5)]
    assert qualified_names_asked == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from oauthlib.oauth2 import MobileApplicationClient as Mobile\nclient = Mobile(CLIENT_ID)\n", [("BM003", 2)]),
        ("import oauthlib.oauth2 as o\nclass App(o.MobileApplicationClient):\n    pass\n", [("BM003", 2)]),
        ("from oauthlib.oauth2.rfc6749 import parameters as p\nuri = p.prepare_grant_uri(URL, CID, 'token', CB)\n", [("BM003", 2)]),
        ("from oauthlib.oauth2.rfc6749.parameters import prepare_grant_uri as g\nuri = g(URL, CID, 'code', CB, None, None, 'c', 'plain')\n", [("BM008", 2)]),
        ("from requests_oauthlib import OAuth2Session as S\ns = S(CID)\nurl = s.authorization_url(URL)\n", [("BM007", 3)]),
        ("from builtins import dict as D\np = D(response_type='code', client_id=CID)\nurl = URL + urlencode(p)\n", [("BM007", 2)]),
        (
            "from authlib.integrations.flask_client import OAuth as Registry\noauth = Registry(app)\n"
            "oauth.register('banno', client_id=CID)\nurl = oauth.banno.authorize_redirect(CALLBACK)\n",
            [("BM007", 4)],
        ),
    ],
    ids=[
        "aliased class",
        "base through a module alias",
        "function through a module alias",
        "aliased function",
        "aliased session",
        "aliased dict",
        "aliased registry, registered without its keywords",
    ],
)
def test_apis_and_clients_are_still_found_through_aliases(code: str, expected: list[tuple[str, int]]) -> None:
    assert _request_rules(code) == expected
