"""The prefilter's narrowing conditions: what they let through, and what they stop before any parse.

Each skipped case is a file the rule cannot find anything in (its own tests in
tests/test_rule_*.py show what it does find); each kept case is the smallest
file the rule does report.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from banno_migrate.catalog import CatalogError, load_catalog
from banno_migrate.lint import LintRequest, lint_source
from banno_migrate.prefilter import Prefilter, _Presence
from banno_migrate.rules.bm009_callback_assumes_code import _CALLBACK_WORDS
from banno_migrate.source import SourceText

CATALOG = load_catalog()
ROOT = Path(__file__).resolve().parents[1]

KEPT = {
    "BM005 quoted claim": (
        "BM005",
        """
        import jwt
        claims = jwt.decode(token, key, algorithms=["RS256"])
        institution = claims["institution_id"]
        """,
    ),
    "BM005 UserInfo response, nothing named claims": (
        "BM005",
        """
        import requests

        profile = requests.get("https://bank.example/a/consumer/api/v0/oidc/me").json()
        institution = profile["institution_id"]
        """,
    ),
    "BM005 UserInfo response read with a space before the call": (
        "BM005",
        """
        import requests

        profile = requests.get("https://bank.example/a/consumer/api/v0/oidc/me").json ()
        institution = profile["institution_id"]
        """,
    ),
    "BM005 claims request": (
        "BM005",
        """
        import json
        url = client.prepare_request_uri(AUTH_URL, claims=json.dumps({"id_token": {"institution_id": None}}))
        """,
    ),
    "BM003 a constant whose name ends with response_type": (
        "BM003",
        """
        OAUTH_RESPONSE_TYPE = "token"
        """,
    ),
    "BM007 authlib app without PKCE": (
        "BM007",
        """
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
        oauth.register("banno", server_metadata_url="https://digital.garden-fi.com/a/consumer/api/v0/oidc/.well-known/openid-configuration")

        def login():
            return oauth.banno.authorize_redirect(url_for("callback", _external=True))
        """,
    ),
    # BM003 and BM007's `requires_one_of`: each way the rule finds something lets a file through.
    "BM003 a library API by name": (
        "BM003",
        """
        from oauthlib.oauth2 import MobileApplicationClient as Client

        client = Client(CLIENT_ID)
        """,
    ),
    "BM003 a split at #access_token=": (
        "BM003",
        """
        def token(url):
            return url.split("#access_token=")[1]
        """,
    ),
    "BM003 a token read from a fragment": (
        "BM003",
        """
        from urllib.parse import parse_qs, urlparse

        def token(url):
            return parse_qs(urlparse(url).fragment)["access_token"][0]
        """,
    ),
    "BM003 a token read from what follows a #": (
        "BM003",
        """
        def token(url):
            base, rest = url.split("#", 1)
            return dict(pair.split("=") for pair in rest.split("&"))["id_token"]
        """,
    ),
    "BM003 a response type keyword": (
        "BM003",
        """
        url = client.prepare_request_uri(AUTH_URL, response_type="id_token token")
        """,
    ),
    "BM003 a response type in a query": (
        "BM003",
        """
        AUTH_URL = (
            "https://digital.garden-fi.com/a/consumer/api/oidc/auth"
            "?client_id=app&response_type=token"
        )
        """,
    ),
    "BM003 a response type annotated": (
        "BM003",
        """
        class Settings:
            response_type: str = "token"
        """,
    ),
    "BM003 a response type added to": (
        "BM003",
        """
        OAUTH_RESPONSE_TYPE = "code"
        OAUTH_RESPONSE_TYPE += " id_token"
        """,
    ),
    "BM003 a response type set on an attribute": (
        "BM003",
        """
        class TestDispatch(TestCase):
            def test_openid(self):
                self.request.response_type = 'id_token'
                self.assertIsInstance(self.dispatcher.handler_for(self.request), ImplicitGrant)
        """,
    ),
    "BM003 a response type annotated on an attribute": (
        "BM003",
        """
        class Login:
            def __init__(self):
                self.default_response_type: str = "token"
        """,
    ),
    "BM003 a response type assigned in parentheses": (
        "BM003",
        """
        (RESPONSE_TYPE) = "token"
        """,
    ),
    "BM003 a response type a function returns": (
        "BM003",
        """
        def response_type():
            return "id_token"
        """,
    ),
    "BM007 requests-oauthlib session without PKCE": (
        "BM007",
        """
        from requests_oauthlib import OAuth2Session

        def login():
            session = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK)
            return session.authorization_url("https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth")
        """,
    ),
    "BM007 hand-built dict": (
        "BM007",
        """
        from urllib.parse import urlencode

        def login(state):
            params = {"response_type": "code", "client_id": CLIENT_ID, "state": state}
            return AUTH_URL + "?" + urlencode(params)
        """,
    ),
    "BM007 hand-built dict() call": (
        "BM007",
        """
        import requests

        def login(state):
            return requests.get(AUTH_URL, params=dict(response_type="code", redirect_uri=CALLBACK, state=state))
        """,
    ),
    "BM007 hand-built query with a prompt": (
        "BM007",
        """
        LOGIN = "https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth?response_type=code&scope=openid&prompt=login"
        """,
    ),
    "BM008 oauthlib default method": (
        "BM008",
        """
        from oauthlib.oauth2 import WebApplicationClient
        client = WebApplicationClient("id")
        url = client.prepare_request_uri("https://bank.example/a/consumer/api/v0/oidc/auth", code_challenge=challenge)
        """,
    ),
    "BM009 flask callback": (
        "BM009",
        """
        from flask import Flask, request
        app = Flask(__name__)

        @app.route("/callback")
        def callback():
            return exchange(request.args["code"])
        """,
    ),
    "BM009 fastapi parameter": (
        "BM009",
        """
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/oauth/callback")
        async def callback(code: str, state: str):
            return await exchange(code)
        """,
    ),
}

SKIPPED = {
    # A column or attribute that shares a claim's name is not a claim read (sqlalchemy's `user_type`).
    "BM005 claim name as an identifier": (
        "BM005",
        """
        class Column:
            def __init__(self, user_type):
                self.user_type = user_type
        """,
    ),
    # A claim name as a dict key of the application's own data: nothing says the dict holds claims
    # (sqlalchemy's tests: {"phone_numbers": ...} rows).
    "BM005 claim name as a key of other data": (
        "BM005",
        """
        rows = [{"user_id": 1, "phone_numbers": ["555-0100"]}]
        numbers = rows[0]["phone_numbers"]
        """,
    ),
    # flask's tests: `response_type` inside longer names holds no response type.
    "BM003 response_type inside a longer name": (
        "BM003",
        """
        def test_response_types(app):
            supported = metadata["response_types_supported"]
            return app.make_response(supported)
        """,
    ),
    "BM007 response_type inside a longer name": (
        "BM007",
        """
        def test_response_types(app):
            return app.make_response(("Hello", 302))
        """,
    ),
    # oauthlib's grant types: the server reads the request's response type and answers with tokens.
    "BM003 a server reading the request's response type": (
        "BM003",
        """
        class ImplicitGrant(GrantTypeBase):
            def create_authorization_response(self, request, token_handler):
                if request.response_type == "token":
                    token = token_handler.create_token(request, refresh_token=False)
                    return {"access_token": token}
        """,
    ),
    "BM007 a server reading the request's response type": (
        "BM007",
        """
        class AuthorizationCodeGrant(GrantTypeBase):
            def validate(self, request):
                if request.response_type not in ("code", "code id_token"):
                    raise UnsupportedResponseTypeError(request=request, client_id=request.client_id)
        """,
    ),
    # python-social-auth's backends have their own `authorization_url` methods.
    "BM007 authorization_url without requests-oauthlib": (
        "BM007",
        """
        class GithubOAuth2(BaseOAuth2):
            def auth_url(self):
                return self.authorization_url()
        """,
    ),
    "BM008 challenge computed with S256 only": (
        "BM008",
        """
        import base64, hashlib
        code_challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
        params = {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        """,
    ),
    # Django's own source: a framework import and a "code" key, but no query string read as an attribute.
    "BM009 dict.values() is not a query string": (
        "BM009",
        """
        from django.core import checks

        def check(errors):
            for error in errors.values():
                yield checks.Error(error["code"], id="fields.E001")
        """,
    ),
    # Flask's own source: `code: int = 302` is a status, and only a FastAPI handler's parameters are read.
    "BM009 a parameter code outside FastAPI": (
        "BM009",
        """
        from flask import Flask
        app = Flask(__name__)

        @app.route("/login/redirect")
        def redirect(location: str, code: int = 302):
            return make_response(location, code)
        """,
    ),
    "BM009 a page that is no callback": (
        "BM009",
        """
        from flask import Flask, request
        app = Flask(__name__)

        @app.route("/country")
        def country():
            return lookup(request.args["code"])
        """,
    ),
}


def _source(code: str) -> bytes:
    return textwrap.dedent(code).encode()


@pytest.mark.parametrize("case", KEPT, ids=str)
def test_a_file_with_a_finding_passes(case: str) -> None:
    code, text = KEPT[case]
    assert Prefilter(CATALOG).candidates(_source(text), frozenset({code})) == {code}
    source = SourceText(textwrap.dedent(text), "utf-8")
    findings = lint_source(source, "app.py", CATALOG, LintRequest(codes=frozenset({code})))
    assert [finding.rule for finding in findings] == [code]


@pytest.mark.parametrize("case", SKIPPED, ids=str)
def test_a_file_without_one_is_not_parsed(case: str) -> None:
    code, text = SKIPPED[case]
    assert Prefilter(CATALOG).candidates(_source(text), frozenset({code})) == frozenset()
    # ...and the rule would not have found anything there either.
    source = SourceText(textwrap.dedent(text), "utf-8")
    assert lint_source(source, "app.py", CATALOG, LintRequest(codes=frozenset({code}))) == []


def test_claim_names_need_quotes_in_python_only() -> None:
    javascript = b"const id = claims.institution_id;"
    prefilter = Prefilter(CATALOG)
    assert prefilter.candidates(javascript, frozenset({"BM005"}), python=False) == {"BM005"}
    assert prefilter.candidates(javascript, frozenset({"BM005"}), python=True) == frozenset()


def test_extra_claims_are_quoted_too() -> None:
    prefilter = Prefilter(CATALOG, extra_claims=("branch_code",))
    assert prefilter.candidates(b'x = claims.get("branch_code")', frozenset({"BM005"})) == {"BM005"}
    assert prefilter.candidates(b"branch_code = 3", frozenset({"BM005"})) == frozenset()


def test_a_trigger_inside_another_is_found_too() -> None:
    """One scan finds every trigger string, also one that lies within another (`banno` in `banno.com`)."""
    data = b'ISSUER = "https://banno.com"'
    assert Prefilter(CATALOG).candidates(data, frozenset({"BM002", "BM004"})) == {"BM002", "BM004"}
    # ...and one inside another that a rule needs on its own (`#access_token=` holds `access_token`).
    fragment = b'callback = "https://app.example/cb#access_token="'
    assert Prefilter(CATALOG).candidates(fragment, frozenset({"BM003"})) == {"BM003"}


def test_bm009_requires_the_words_its_rule_looks_for() -> None:
    """The prefilter's callback words and the rule's are one list (a word added to one only would drop findings)."""
    patterns = [pattern.pattern.decode() for pattern in CATALOG.rules["BM009"].requires]
    assert f"(?i){_CALLBACK_WORDS.pattern}" in patterns


def _rules_with(tmp_path: Path, prefix: str, old: str, new: str) -> Path:
    """A copy of the shipped rules with one text of the rule file starting with `prefix` replaced."""
    for path in (ROOT / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith(prefix):
            assert old in text
            text = text.replace(old, new)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return tmp_path


def test_whole_name_triggers_must_be_trigger_strings(tmp_path: Path) -> None:
    rules = _rules_with(tmp_path, "bm003", "whole_name_triggers: [response_type, RESPONSE_TYPE]", "whole_name_triggers: [response_types]")
    with pytest.raises(CatalogError, match="bm003.*whole_name_triggers must be a list of the rule's trigger strings"):
        load_catalog(rules)


@pytest.mark.parametrize("trigger", ['""', "[]", '["fragment", ""]'])
def test_an_empty_trigger_is_refused(tmp_path: Path, trigger: str) -> None:
    """An empty string or group would let every file through; the catalog says so instead."""
    rules = _rules_with(tmp_path, "bm002", 'triggers: ["banno.com"]', f'triggers: ["banno.com", {trigger}]')
    with pytest.raises(CatalogError, match="bm002.*a trigger must be a non-empty string or a non-empty list"):
        load_catalog(rules)


@pytest.mark.parametrize("ways", ["token", "['token']", "[[]]", "[['token', '']]", "[['(unclosed']]"])
def test_requires_one_of_must_be_groups_of_regular_expressions(tmp_path: Path, ways: str) -> None:
    rules = _rules_with(tmp_path, "bm002", 'triggers: ["banno.com"]', f'triggers: ["banno.com"]\nrequires_one_of: {ways}')
    with pytest.raises(CatalogError, match="bm002.*(requires_one_of must be a list of lists|invalid regular expression)"):
        load_catalog(rules)


def test_one_way_of_requires_one_of_lets_a_file_through_in_python_only(tmp_path: Path) -> None:
    rules = _rules_with(tmp_path, "bm002", 'triggers: ["banno.com"]', "triggers: [\"banno.com\"]\nrequires_one_of: [[issuer, jwt], [ISS]]")
    prefilter = Prefilter(load_catalog(rules))
    legacy = b'issuer = "https://www.banno.com/a/consumer/api/oidc"\n'
    assert prefilter.candidates(legacy, frozenset({"BM002"})) == frozenset()  # `jwt` is missing
    assert prefilter.candidates(legacy, frozenset({"BM002"}), python=False) == {"BM002"}
    assert prefilter.candidates(legacy + b"import jwt\n", frozenset({"BM002"})) == {"BM002"}
    assert prefilter.candidates(legacy.replace(b"issuer", b"ISS"), frozenset({"BM002"})) == {"BM002"}


def test_an_empty_extra_claim_is_no_trigger() -> None:
    """(Outside Python: BM005's `requires`, which would stop the file anyway, are not asked.)"""
    prefilter = Prefilter(CATALOG, extra_claims=("",))
    assert prefilter.candidates(b"x = 1", frozenset({"BM005"}), python=False) == frozenset()


def test_a_whole_name_trigger_counts_only_at_the_end_of_a_name_outside_python_too() -> None:
    """BM007's `requires` (Python only) say the same as its whole-name trigger: this holds the trigger alone."""
    text = b"const supported = metadata.response_types_supported;"
    assert Prefilter(CATALOG).candidates(text, frozenset({"BM007"}), python=False) == frozenset()
    assert Prefilter(CATALOG).candidates(text.replace(b"types_supported", b"type"), frozenset({"BM007"}), python=False) == {"BM007"}


@pytest.mark.parametrize(
    ("code", "text", "found"),
    [
        ("BM003", 'OAUTH_RESPONSE_TYPE = "token"\n', True),
        ("BM003", 'oauth_response_type = "token"\n', True),
        ("BM003", 'params = {"RESPONSE_TYPE": "token"}\n', True),
        ("BM003", 'Oauth_Response_Type = "token"\n', False),
        ("BM003", 'params = {"Response_Type": "token"}\n', False),
        ("BM008", 'PKCE_METHOD = "plain"\n', True),
        ("BM008", 'Pkce_Method = "plain"\n', False),
        ("BM003", 'const params = { response_type: "token" };\n', True),
        ("BM003", 'const OAUTH_RESPONSE_TYPE = "token";\n', True),
        ("BM003", 'const params = { Response_Type: "token" };\n', False),
        ("BM003", 'const Oauth_Response_Type = "token";\n', False),
        ("BM008", 'const opts = { codeChallengeMethod: "plain" };\n', True),
        ("BM008", 'const opts = { Pkce_Method: "plain" };\n', False),
        ("BM008", 'const opts = { CodeChallengeMethod: "plain" };\n', False),
        ("BM008", 'const opts = { codechallengemethod: "plain" };\n', False),
    ],
)
def test_a_parameter_is_held_by_the_spellings_its_triggers_find(code: str, text: str, found: bool) -> None:
    """A name holds a request parameter written as the rule lists it (a snake_case one also in upper
    case): the spellings its trigger strings find, so the prefilter never skips a file the rule reports in."""
    from banno_migrate.languages import javascript

    python = not text.startswith("const ")
    passes = Prefilter(CATALOG).candidates(text.encode(), frozenset({code}), python=python) == {code}
    if python:
        findings = lint_source(SourceText(text, "utf-8"), "app.py", CATALOG, LintRequest(codes=frozenset({code})))
    else:
        request = LintRequest(codes=frozenset({code}), language="javascript")
        findings = javascript.lint_source(javascript.decode(text.encode()), "app.js", CATALOG, request)
    assert (passes, bool(findings)) == (found, found)


def test_every_spelling_of_a_parameter_holds_a_trigger_of_its_rule() -> None:
    from banno_migrate.languages.javascript.implicit_flow import RESPONSE_TYPE as JS_RESPONSE_TYPE
    from banno_migrate.languages.javascript.pkce import CODE_CHALLENGE_METHOD as JS_CODE_CHALLENGE_METHOD
    from banno_migrate.rules.bm003_implicit_flow import RESPONSE_TYPE
    from banno_migrate.rules.bm008_pkce_plain import CODE_CHALLENGE_METHOD

    parameters = [("BM003", RESPONSE_TYPE), ("BM003", JS_RESPONSE_TYPE)]
    parameters += [("BM008", CODE_CHALLENGE_METHOD), ("BM008", JS_CODE_CHALLENGE_METHOD)]
    for code, parameter in parameters:
        triggers = [group[0].decode() for group in CATALOG.rules[code].triggers]
        for spelling in parameter.names.spellings:
            assert any(trigger in spelling for trigger in triggers), (code, spelling)


def test_the_catalogs_requirements_ignoring_case_take_the_lower_case_path() -> None:
    """Speed, not findings: BM009's callback words ran on every web module, 4 ms each on a big one."""
    from banno_migrate.prefilter import _Requirement

    assert len(_IGNORING_CASE) >= 2
    assert all(_Requirement(CATALOG.rules[code].requires[index]).in_lower_case for code, index in _IGNORING_CASE)


def _in_every_case(word: bytes) -> list[bytes]:
    return [word.lower(), word.upper(), word.title(), word.swapcase(), bytes(reversed(word.title()))]


_IGNORING_CASE = [
    (code, index)
    for code, spec in CATALOG.rules.items()
    for index, pattern in enumerate(spec.requires)
    if pattern.pattern.startswith(b"(?i)")
]


@pytest.mark.parametrize("code, index", _IGNORING_CASE)
def test_a_requirement_ignoring_case_matches_what_it_matched_in_the_lowered_bytes(code: str, index: int) -> None:
    import re

    from banno_migrate.prefilter import _Requirement

    original = CATALOG.rules[code].requires[index]
    requirement = _Requirement(original)
    if not requirement.in_lower_case:
        pytest.skip("searched as it is written: nothing to compare")
    assert not requirement.pattern.flags & re.IGNORECASE
    words = [word for word in re.split(rb"[|\\()?*+:\[\]{}^$\s]+", original.pattern) if word]
    samples = [
        b"x = " + variant + b"\n"
        for word in [*words, b"Token", b"OAuth_Callback", b"DECODE(", b"log in", b".JSON ("]
        for variant in _in_every_case(word)
    ]
    assert any(original.search(sample) for sample in samples) and not all(original.search(sample) for sample in samples)
    for sample in samples:
        present = _Presence(sample, frozenset())
        assert present.matches(requirement) is (original.search(sample) is not None), sample


@pytest.mark.parametrize(
    "pattern",
    [rb"(?i)\x41pi", rb"(?i)a(?-i:pi)", rb"(?i)[A-Z]pi", rb"(?i)[@-_]pi", rb"(?i)[^@-_]pi", rb"(?i)\101pi", rb"(?i)(?P<n>api)", rb"api"],
)
def test_a_requirement_that_may_tell_cases_apart_looks_in_the_bytes_as_they_are(pattern: bytes) -> None:
    import re

    from banno_migrate.prefilter import _Requirement

    requirement = _Requirement(re.compile(pattern))
    assert not requirement.in_lower_case and requirement.pattern.pattern == pattern
    for sample in (b"API", b"Api", b"api", b"aPI", b"{pi", b"@PI"):
        assert _Presence(sample, frozenset()).matches(requirement) is (re.search(pattern, sample) is not None)


def test_a_file_without_any_trigger_string_compiles_no_regular_expression() -> None:
    """The pre-commit run on one clean file pays for no `requires` or whole-name pattern."""
    prefilter = Prefilter(CATALOG)
    assert prefilter.candidates(b"x = 1\n", frozenset(CATALOG.codes)) == frozenset()
    assert "_requires" not in vars(prefilter) and "_name_ends" not in vars(prefilter)
    assert prefilter.candidates(b"params = {'response_type': 'token'}\n", frozenset({"BM003"})) == {"BM003"}
    assert "_name_ends" in vars(prefilter) and "_requires" in vars(prefilter)


@pytest.mark.parametrize(
    "login",
    [
        'from .keys import RESPONSE_TYPE\n\nparams = {"client_id": "abc"}\nparams[RESPONSE_TYPE] = "token"\n',
        'from . import keys\n\nparams = {"client_id": "abc"}\nparams[keys.RESPONSE_TYPE] = "id_token token"\n',
    ],
    ids=["imported name", "module attribute"],
)
def test_a_response_type_key_from_another_module_passes(tmp_path: Path, login: str) -> None:
    """BM003 reads a key through constants of the project's other modules: its ways of `requires_one_of`
    name the constant, not only a written `response_type`."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "keys.py").write_text('RESPONSE_TYPE = "response_type"\n')
    path = tmp_path / "app" / "login.py"
    path.write_text(login)
    assert Prefilter(CATALOG).candidates(login.encode(), frozenset({"BM003"})) == {"BM003"}
    findings = lint_source(SourceText(login, "utf-8"), "app/login.py", CATALOG, LintRequest(codes=frozenset({"BM003"})), path)
    assert [(finding.rule, finding.line) for finding in findings] == [("BM003", 4)]
