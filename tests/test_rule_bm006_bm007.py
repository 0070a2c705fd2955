"""BM006 consent-refresh-hack and BM007 missing-pkce beyond their catalog examples: the shared
authorization-request analysis, destinations, values written in other modules, and the bundled
legacy app."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from banno_migrate.analysis.authorization_requests import (
    AuthorizationRequest,
    AuthorizationRequestProvider,
    Destination,
    Library,
)
from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.strings import StringValueProvider
from banno_migrate.catalog import load_catalog
from banno_migrate.findings import Applicability
from banno_migrate.fixer import fix_source
from banno_migrate.lint import LintRequest, lint_source
from banno_migrate.source import SourceText

CATALOG = load_catalog()
LEGACY_APP = Path(__file__).resolve().parent.parent / "examples" / "legacy-app" / "legacy_app"
CODES = frozenset({"BM006", "BM007"})
NAMESPACED = CATALOG.domain.offline_access_scope


def requests_in(code: str, file: Path | None = None) -> tuple[AuthorizationRequest, ...]:
    wrapper = MetadataWrapper(cst.parse_module(textwrap.dedent(code)), cache={StringValueProvider: ProjectModules(file)})
    return wrapper.resolve(AuthorizationRequestProvider)[wrapper.module]


def findings(code: str, file: Path | None = None, codes: frozenset[str] = CODES) -> list[tuple[str, int, bool]]:
    source = SourceText(textwrap.dedent(code), "utf-8")
    found = lint_source(source, "example.py", CATALOG, LintRequest(codes=codes), file=file)
    return [(finding.rule, finding.line, finding.fixable) for finding in found]


def fixed(code: str, file: Path | None = None, codes: frozenset[str] = CODES) -> str:
    source = SourceText(textwrap.dedent(code), "utf-8")
    return fix_source(source, "example.py", CATALOG, LintRequest(codes=codes), file=file).text


# The analysis: one request per way of writing it, each parameter with its nodes.
def test_a_params_dict_is_one_request_with_its_entries() -> None:
    [request] = requests_in(
        """
        params = {"response_type": "code", "client_id": CID, "scope": "openid", "prompt": "consent"}
        url = "https://h.example/a/consumer/api/v0/oidc/auth?" + urlencode(params)
        """
    )
    assert request.library is Library.HAND_BUILT and isinstance(request.node, cst.Dict)
    assert [parameter.name for parameter in request.parameters] == ["response_type", "client_id", "scope", "prompt"]
    prompt = request.parameter("prompt")
    assert prompt is not None and isinstance(prompt.node, cst.DictElement) and prompt.text == "consent"
    assert prompt.items[prompt.index] is prompt.node
    assert request.destination(CATALOG.domain) is Destination.BANNO


def test_keyword_arguments_and_the_clients_configuration_are_one_request() -> None:
    requests = requests_in(
        """
        from requests_oauthlib import OAuth2Session as Session
        session = Session(CID, scope=["openid", "offline_access"], pkce="S256")
        url, state = session.authorization_url(AUTH_URL, prompt="consent")
        """
    )
    [request] = [request for request in requests if not request.configuration]
    assert request.library is Library.REQUESTS_OAUTHLIB and request.client_pkce is True
    assert [parameter.name for parameter in request.parameters] == ["prompt", "scope", "pkce"]
    scope = request.parameter("scope")
    assert scope is not None and [span.text for span in scope.spans] == ["openid", "offline_access"]
    assert isinstance(request.parameter("prompt").node, cst.Arg)  # type: ignore[union-attr]


def test_a_query_string_parameter_knows_its_span() -> None:
    [request] = requests_in('AUTH = "https://h.example/a/consumer/api/oidc/auth?response_type=code&client_id=a%20b"\n')
    client_id = request.parameter("client_id")
    assert client_id is not None and client_id.text == "a b"  # decoded
    assert client_id.query is not None and client_id.query.text == "client_id=a%20b"
    assert isinstance(client_id.node, cst.SimpleString)


def test_scope_values_are_followed_through_names_lists_and_join() -> None:
    [request] = requests_in(
        """
        BASE = ["openid"]
        EXTRA = ("email", "offline_access")
        params = {"prompt": "consent", "scope": " ".join(BASE + list(EXTRA))}
        """
    )
    scope = request.parameter("scope")
    assert scope is not None and [span.text for span in scope.spans] == ["openid", "email", "offline_access"]


@pytest.mark.parametrize(
    ("url", "destination"),
    [
        ('"https://h.example/a/consumer/api/oidc/auth"', Destination.BANNO),
        ('f"https://{host}/a/consumer/api/v0/oidc/auth"', Destination.BANNO),
        ("BANNO_AUTH_URL", Destination.BANNO),  # unresolved, but its name says whose it is
        ('"https://login.example.com/oauth2/v1/authorize"', Destination.OTHER),
        ('f"{ISSUER}/v1/authorize"', Destination.OTHER),  # a known path that is not Banno's
        ("AUTH_URL", Destination.UNKNOWN),
        ("config['auth_url']", Destination.UNKNOWN),
    ],
)
def test_destination_is_judged_by_path(url: str, destination: Destination) -> None:
    [request] = requests_in(
        f"""
        params = {{"response_type": "code", "client_id": CID}}
        url = {url} + "?" + urlencode(params)
        """
    )
    assert request.destination(CATALOG.domain) is destination


def test_a_request_sent_with_requests_params_goes_to_its_url() -> None:
    [request] = requests_in(
        """
        import requests
        params = {"response_type": "code", "client_id": CID}
        requests.request("GET", "https://login.example.com/authorize", params=params)
        """
    )
    assert request.destination(CATALOG.domain) is Destination.OTHER


def test_parameters_added_later_are_seen_and_unknown_additions_make_it_open_ended() -> None:
    [added] = requests_in(
        """
        params = {"response_type": "code", "client_id": CID}
        params["code_challenge"] = challenge
        """
    )
    assert added.parameter("code_challenge") is not None and not added.open_ended
    [updated] = requests_in(
        """
        params = {"response_type": "code", "client_id": CID}
        params.update(extra)
        """
    )
    assert updated.open_ended


def test_a_token_request_is_not_an_authorization_request() -> None:
    assert requests_in('data = {"grant_type": "authorization_code", "code": code, "redirect_uri": URI}\n') == ()


def test_oauth1_sessions_make_no_authorization_requests() -> None:
    code = """
        from requests_oauthlib import OAuth1Session
        twitter = OAuth1Session(KEY, client_secret=SECRET)
        url = twitter.authorization_url("https://api.twitter.com/oauth/authorize")
    """
    assert requests_in(code) == ()


def test_authorization_url_of_another_library_is_not_requests_oauthlibs() -> None:
    # python-social-auth's backends have their own `authorization_url()` method
    assert requests_in("def auth_url(self):\n    return self.authorization_url()\n") == ()


# Values written in other modules of the project.
def _project(tmp_path: Path, settings: str, auth: str) -> Path:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(textwrap.dedent(settings))
    (package / "auth.py").write_text(textwrap.dedent(auth))
    return package / "auth.py"


def test_a_known_other_provider_from_settings_is_not_banno(tmp_path: Path) -> None:
    auth = """
        from urllib.parse import urlencode
        from . import settings
        from .settings import OKTA_AUTH_URL

        def okta():
            params = {"response_type": "code", "client_id": CID}
            return settings.OKTA_AUTH_URL + "?" + urlencode(params)

        def okta_again():
            params = {"response_type": "code", "client_id": CID}
            return f"{OKTA_AUTH_URL}?{urlencode(params)}"

        def banno():
            params = {"response_type": "code", "client_id": CID}
            return settings.BANNO_AUTH_URL + "?" + urlencode(params)
    """
    settings = """
        OKTA_ISSUER = "https://garden.okta.com/oauth2/default"
        OKTA_AUTH_URL = OKTA_ISSUER + "/v1/authorize"
        BANNO_AUTH_URL = "https://h.example/a/consumer/api/v0/oidc/auth"
    """
    file = _project(tmp_path, settings, auth)
    assert findings(file.read_text(), file) == [("BM007", 15, False)]


def test_a_scope_written_in_another_module_is_reported_without_a_fix(tmp_path: Path) -> None:
    auth = """
        from .settings import SCOPES
        url = f"{AUTH_URL}?client_id={CID}&scope={SCOPES}&prompt=consent"
    """
    file = _project(tmp_path, 'SCOPES = "openid offline_access"\n', auth)
    assert findings(file.read_text(), file) == [("BM006", 3, False)]
    assert fixed(file.read_text(), file) == file.read_text()


# Fixes: both edits or none, and together with the other rules' edits.
def test_prompt_as_the_only_argument_is_reported_without_a_fix() -> None:
    code = """
        oauth.register("banno", client_kwargs={"scope": "openid offline_access"})
        oauth.banno.authorize_redirect(prompt="consent")
    """
    assert findings(code, codes=frozenset({"BM006"})) == [("BM006", 3, False)]


def test_one_literal_fixed_by_bm001_and_bm006_together() -> None:
    code = 'AUTH = "https://h.example/a/consumer/api/oidc/auth?response_type=code&scope=openid+offline_access&prompt=consent&code_challenge=c"\n'
    assert fixed(code, codes=frozenset({"BM001", "BM006", "BM007"})) == (
        'AUTH = "https://h.example/a/consumer/api/v0/oidc/auth?response_type=code'
        '&scope=openid+https%3A%2F%2Fapi.banno.com%2Fconsumer%2Fauth%2Foffline_access&code_challenge=c"\n'
    )


def test_a_raw_space_query_gets_the_scope_unencoded() -> None:
    code = 'url = f"{BANNO_AUTH}?client_id={CID}&scope=openid offline_access&prompt=consent"\n'
    assert fixed(code) == f'url = f"{{BANNO_AUTH}}?client_id={{CID}}&scope=openid {NAMESPACED}"\n'


def test_the_fix_is_unsafe_when_the_code_does_not_show_the_request_goes_to_banno() -> None:
    code = """
        params = {"client_id": CID, "scope": "openid offline_access", "prompt": "consent"}
        url = AUTH_URL + "?" + urlencode(params)
    """
    source = SourceText(textwrap.dedent(code), "utf-8")
    [finding] = lint_source(source, "example.py", CATALOG, LintRequest(codes=CODES))
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert fixed(code) == textwrap.dedent(code)
    unsafe = fix_source(source, "example.py", CATALOG, LintRequest(codes=CODES), unsafe_fixes=True).text
    assert unsafe == textwrap.dedent(
        f"""
        params = {{"client_id": CID, "scope": "openid {NAMESPACED}"}}
        url = AUTH_URL + "?" + urlencode(params)
        """
    )


# The bundled legacy app: the findings EXPECTED.md lists, and its Okta trap stays silent.
def _legacy(name: str) -> tuple[SourceText, Path]:
    file = LEGACY_APP / name
    return SourceText(file.read_text(encoding="utf-8"), "utf-8"), file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("auth.py", [("BM007", 32, False), ("BM006", 37, True)]),
        ("tokens.py", [("BM006", 103, True)]),
        ("settings.py", []),
        ("__init__.py", []),
    ],
)
def test_legacy_app_findings(name: str, expected: list[tuple[str, int, bool]]) -> None:
    source, file = _legacy(name)
    found = lint_source(source, name, CATALOG, LintRequest(codes=CODES), file=file)
    assert [(finding.rule, finding.line, finding.fixable) for finding in found] == expected


def test_legacy_app_fix() -> None:
    source, file = _legacy("auth.py")
    after = fix_source(source, "auth.py", CATALOG, LintRequest(codes=CODES), file=file).text.splitlines()
    assert f'        "scope": settings.SCOPES + " {NAMESPACED}",' in after
    assert '        "prompt": "consent",' not in after
    assert "        # without prompt=consent Banno never hands out a refresh token" in after  # comments stay
    source, file = _legacy("tokens.py")
    after = fix_source(source, "tokens.py", CATALOG, LintRequest(codes=CODES), file=file).text.splitlines()
    assert f'MOBILE_SCOPES = ["openid", "email", "banno", "{NAMESPACED}"]' in after
    assert '        "prompt": "consent",' not in after
