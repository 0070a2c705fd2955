"""BM005 beyond its catalog examples: the claim-source dataflow, fix safety, the legacy example."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from banno_migrate.analysis.claims import ClaimSourceProvider, Evidence
from banno_migrate.analysis.imports import ProjectModules
from banno_migrate.analysis.strings import StringValueProvider
from banno_migrate.catalog import load_catalog
from banno_migrate.findings import Applicability, Finding
from banno_migrate.lint import LintRequest, lint_source
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceText

CATALOG = load_catalog()
LEGACY_APP = Path(__file__).resolve().parents[1] / "examples" / "legacy-app" / "legacy_app"


def evidence_of_last(code: str, file: Path | None = None) -> Evidence | None:
    """The evidence for the expression `x` of the module's last statement, `x[...]`."""
    module = cst.parse_module(textwrap.dedent(code))
    modules = ProjectModules(file)
    wrapper = MetadataWrapper(module, cache={StringValueProvider: modules, ClaimSourceProvider: modules})
    evidence = wrapper.resolve(ClaimSourceProvider)
    statement = wrapper.module.body[-1]
    while isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        statement = statement.body.body[-1]
    expression = statement.body[0]
    expression = expression.value if isinstance(expression, (cst.Expr, cst.Return)) else expression
    assert isinstance(expression, cst.Subscript), "the last statement reads x[...]"
    return evidence.get(expression.value)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import jwt\nc = jwt.decode(t, k)\nc['x']", Evidence.SOURCE),
        ("import jwt as pyjwt\nc = pyjwt.api_jwt.decode(t, k)\nc['x']", Evidence.SOURCE),
        ("from jose import jwt\nc = jwt.decode(t, k)\nc['x']", Evidence.SOURCE),
        ("c = oauth.banno.parse_id_token(token)\nc['x']", Evidence.SOURCE),
        ("async def f():\n    c = await oauth.banno.userinfo(token=t)\n    return c['x']", Evidence.SOURCE),
        ("c = token.get('userinfo')\nc['x']", Evidence.SOURCE),
        ("import jwt\nc = dict(jwt.decode(t, k))\nd = c.copy()\nd['x']", Evidence.SOURCE),
        ("if (c := oauth.banno.userinfo()):\n    pass\nc['x']", Evidence.SOURCE),
        # `jwt` that is not PyJWT, and a decode of something else.
        ("jwt = JsonWebToken()\nc = jwt.decode(t, k)\nc['x']", None),
        ("import base64\nc = base64.b64decode(t)\nc['x']", None),
        # Names alone, unless the value is visibly the application's own data.
        ("def f(userinfo):\n    return userinfo['x']", Evidence.NAME),
        ("banno_claims = load()\nbanno_claims['x']", Evidence.NAME),
        ("claims = {'institution_id': 1}\nclaims['x']", None),
        ("userinfo = session['userinfo_cache']\nuserinfo['x']", None),
        ("claims = cursor.fetchone()\nclaims['x']", None),
        ("request.user.claims['x']", None),
        ("self.claims['x']", Evidence.NAME),
    ],
)
def test_sources(code: str, expected: Evidence | None) -> None:
    assert evidence_of_last(code) is expected


@pytest.mark.parametrize(
    "url",
    [
        '"https://h/a/consumer/api/oidc/me"',
        '"https://h/a/consumer/api/v0/oidc/me/"',
        'f"{BASE}/userinfo?schema=openid"',
        "USERINFO",  # a constant of the module
        'metadata["userinfo_endpoint"]',
        '"userinfo"',  # authlib: oauth.banno.get("userinfo")
    ],
)
def test_userinfo_responses(url: str) -> None:
    code = f"""
        USERINFO = BANNO + "/oidc/me"
        async def f(client):
            resp = await client.get({url}, headers=h)
            data = resp.json()
            return data["x"]
        """
    assert evidence_of_last(code) is Evidence.SOURCE


@pytest.mark.parametrize(
    "code",
    [
        "requests.get(TOKEN_URL).json()['x']",
        "requests.get('https://h/a/consumer/api/v0/users/me/accounts').json()['x']",
        "requests.post(url=f'{BASE}/oidc/token', data=d).json()['x']",
        "requests.get(USERINFO).text['x']",
    ],
)
def test_other_responses(code: str) -> None:
    assert evidence_of_last(code) is None


def test_returns_of_helpers_follow_call_chains() -> None:
    code = """
        import jwt
        def decode(raw):
            return jwt.decode(raw, KEY)
        def checked(raw):
            claims = decode(raw)
            return claims
        checked(t)["x"]
        """
    assert evidence_of_last(code) is Evidence.SOURCE


def test_recursive_helpers_terminate() -> None:
    code = """
        def a(n):
            return b(n) if n else oauth.banno.userinfo()
        def b(n):
            return a(n - 1)
        b(3)["x"]
        """
    assert evidence_of_last(code) is Evidence.SOURCE


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("use(claims_in, 1)", Evidence.SOURCE),
        ("use(1, claims_in)", None),
        ("use(b=1, a=claims_in)", Evidence.SOURCE),
        ("use(*rest, claims_in)", None),
        ("Backend().use(claims_in, 1)", None),  # not a call of this module's function
    ],
)
def test_parameters(call: str, expected: Evidence | None) -> None:
    code = f"""
        import jwt
        claims_in = jwt.decode(t, k)
        {call}
        def use(a, b):
            return a["x"]
        """
    assert evidence_of_last(code) is expected


def test_methods_bind_self() -> None:
    code = """
        import jwt
        class Backend:
            def login(self, raw):
                self.remember(jwt.decode(raw, KEY))
            def remember(self, member):
                return member["x"]
        """
    assert evidence_of_last(code) is Evidence.SOURCE


def test_imported_userinfo_url(tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text('BASE = "https://h/a/consumer/api"\nUSERINFO_URL = f"{BASE}/oidc/me"\n')
    code = """
        from . import settings
        import requests
        def f(token):
            data = requests.get(settings.USERINFO_URL, headers=h).json()
            return data["x"]
        """
    assert evidence_of_last(code, package / "views.py") is Evidence.SOURCE
    assert evidence_of_last(code, None) is None  # where the file is not known, neither is the URL


# The rule: what is reported, and how safe its fix is.
def findings(code: str, extra_claims: tuple[str, ...] = ()) -> list[Finding]:
    request = LintRequest(codes=frozenset({"BM005"}), rule_options=RuleOptions(extra_claims=extra_claims))
    return lint_source(SourceText(textwrap.dedent(code), "utf-8"), "example.py", CATALOG, request)


@pytest.mark.parametrize(
    ("code", "applicability"),
    [
        ("import jwt\nc = jwt.decode(t, k)\nc['institution_id']", Applicability.SAFE),
        ("def f(claims):\n    return claims['institution_id']", Applicability.UNSAFE),
        ("import jwt\nK = 'institution_id'\nc = jwt.decode(t, k)\nc[K]", Applicability.UNSAFE),
        ("import json\nq = json.dumps({'userinfo': {'institution_id': None}})\nparams = {'claims': q}", Applicability.SAFE),
    ],
)
def test_fix_safety(code: str, applicability: Applicability) -> None:
    (finding,) = findings(code)
    assert finding.fix is not None and finding.fix.applicability is applicability


def test_a_key_written_in_another_literal_piece_is_reported_without_a_fix() -> None:
    (finding,) = findings("import jwt\nc = jwt.decode(t, k)\nc['institution' '_id']")
    assert finding.fix is None and "where the key is written" in finding.message


def test_extra_claims_never_include_standard_ones() -> None:
    code = "import jwt\nc = jwt.decode(t, k)\nc['email'], c['tier']"
    assert [f.message.split("'")[1] for f in findings(code, ("email", "tier"))] == ["tier"]


def test_the_claims_request_needs_a_claims_parameter() -> None:
    code = """
        import json
        body = json.dumps({"id_token": {"institution_id": None}})
        log_payload(body)
        """
    assert findings(code) == []


def test_legacy_example() -> None:
    """EXPECTED.md: 4 findings, none on our own user table or session keys."""
    found = []
    for name in ("auth.py", "tokens.py", "settings.py", "__init__.py"):
        path = LEGACY_APP / name
        request = LintRequest(codes=frozenset({"BM005"}))
        source = SourceText(path.read_text(encoding="utf-8"), "utf-8")
        found += [(name, f.line) for f in lint_source(source, name, CATALOG, request, path)]
    assert found == [("auth.py", 40), ("auth.py", 105), ("auth.py", 106), ("tokens.py", 85)]


def test_legacy_userinfo_is_a_known_source() -> None:
    """tokens.py reads `settings.USERINFO_URL` (…/oidc/me) of the app's settings module."""
    code = (LEGACY_APP / "tokens.py").read_text(encoding="utf-8")
    code = code[: code.index("def pkce_pair")]  # fetch_institution_id is last: it returns userinfo[...]
    assert evidence_of_last(code, LEGACY_APP / "tokens.py") is Evidence.SOURCE
