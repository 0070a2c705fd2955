"""The JavaScript / TypeScript front end: what it reads as a value, where it reports, what its fixes write.

Rule decisions shared with Python live in the rules' YAML examples
(tests/test_rule_examples.py runs the javascript, typescript and tsx ones);
these tests pin what is specific to the front end: grammars per extension,
template literals and escapes, JSX, comments and keys that must stay silent,
suppressions, syntax errors, byte-exact fixes, CRLF and code-point columns.
"""

from __future__ import annotations

import pytest

from banno_migrate.catalog import load_catalog
from banno_migrate.findings import Applicability, Finding
from banno_migrate.fixer import fix_source
from banno_migrate.languages import BY_NAME, FileTypes, LintRequest
from banno_migrate.languages import javascript as frontend
from banno_migrate.languages.javascript import syntax
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceError

CATALOG = load_catalog()
EVERY = BY_NAME["javascript"].applicable(frozenset(CATALOG.rules))
NS = "https://api.banno.com/consumer/claim/"
OFFLINE = "https://api.banno.com/consumer/auth/offline_access"


def request(path: str, **options: object) -> LintRequest:
    language = FileTypes().language_for(path)
    assert language is not None and language.frontend == frontend.__name__
    return LintRequest(
        codes=EVERY,
        enabled=EVERY,
        rule_options=RuleOptions(**options),  # type: ignore[arg-type]
        report_unused_suppressions=True,
        language=language.name,
    )


def lint(code: str, path: str = "example.js", **options: object) -> list[Finding]:
    return frontend.lint_source(frontend.decode(code.encode()), path, CATALOG, request(path, **options))


def active(code: str, path: str = "example.js", **options: object) -> list[tuple[str, str]]:
    """(rule, "line:column-end_line:end_column") of the unsuppressed findings."""
    return [
        (f.rule, f"{f.line}:{f.column}-{f.end_line}:{f.end_column}")
        for f in lint(code, path, **options)
        if f.suppressed_by is None
    ]


def rules(code: str, path: str = "example.js", **options: object) -> list[str]:
    return [rule for rule, _ in active(code, path, **options)]


def fix(code: str, path: str = "example.js", *, unsafe: bool = False, **options: object) -> str:
    source = frontend.decode(code.encode())
    outcome = fix_source(source, path, CATALOG, request(path, **options), unsafe_fixes=unsafe, frontend=frontend)
    assert outcome.problem is None
    return outcome.text


# --------------------------------------------------------------------------- grammars


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("auth.ts", "const url: string = `${base}/a/consumer/api/oidc/token` as const;\n"),
        ("auth.mts", "export const url = <string>'https://h/a/consumer/api/oidc/token';\n"),
        ("auth.cts", "const url = get<string>('https://h/a/consumer/api/oidc/token')!;\n"),
        ("Login.tsx", "export const A = (p: { id: string }) => <a href='https://h/a/consumer/api/oidc/token'>{p.id}</a>;\n"),
        ("Login.jsx", "export const A = () => <a href='https://h/a/consumer/api/oidc/token'>x</a>;\n"),
        ("auth.cjs", "module.exports = { url: 'https://h/a/consumer/api/oidc/token' };\n"),
        ("auth.mjs", "export default { url: 'https://h/a/consumer/api/oidc/token' };\n"),
    ],
)
def test_each_extension_gets_its_grammar(path: str, code: str) -> None:
    assert rules(code, path) == ["BM001"]


def test_typescript_syntax_in_a_js_file_is_a_syntax_error() -> None:
    with pytest.raises(SourceError, match=r"^cannot parse: JavaScript syntax error at line 2, column \d+$"):
        lint("const a = 1;\nconst url: string = 'x';\n", "auth.js")


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [
        ("a.js", "const a = {;\n", "cannot parse: JavaScript syntax error at line 1, column 12"),
        ("a.js", "const ok = 1;\n\nfunction (\n", "cannot parse: JavaScript syntax error at line 3, column 1"),
        ("a.ts", "let x: = 1;\n", "cannot parse: TypeScript syntax error at line 1, column 6"),
        ("a.tsx", "const é = 1;\nconst b = <a>;\n", "cannot parse: TSX syntax error at line 2, column 1"),
    ],
)
def test_syntax_errors_say_where(path: str, code: str, message: str) -> None:
    with pytest.raises(SourceError) as error:
        lint(code, path)
    assert str(error.value) == message


def test_undecodable_bytes_are_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot decode as UTF-8"):
        frontend.decode(b"const a = '\xff';\n")


def test_jsx_bare_ampersands_parse_and_real_errors_still_show() -> None:
    code = "const A = () => <a href='/a/consumer/api/oidc/auth?x=1&y=2' title=\"a & b\">Tom & Jerry</a>;\n"
    assert rules(code, "A.jsx") == ["BM001"]
    assert fix(code, "A.jsx") == code.replace("/api/oidc", "/api/v0/oidc")
    with pytest.raises(SourceError, match="at line 2, column"):
        lint("const A = () => <a href='?x=1&y=2'>x</a>;\nconst = 2;\n", "A.jsx")


@pytest.mark.parametrize(
    ("code", "parses"),
    [
        ("const a = b & c;\nconst A = () => <a href='?x=1'>x</a>;\n", 1),
        ("const a = b & ;\nconst A = () => <a>x</a>;\n", 1),  # an error outside JSX: not parsed again
        ("const A = () => <a href='?x=1&y=2'>x</a>;\n", 2),
    ],
)
def test_jsx_is_parsed_again_only_for_an_error_inside_jsx(monkeypatch: pytest.MonkeyPatch, code: str, parses: int) -> None:
    grammars: list[str] = []
    parser = syntax._parser

    def counting(grammar: str) -> object:
        grammars.append(grammar)
        return parser(grammar)

    monkeypatch.setattr(syntax, "_parser", counting)
    syntax.parse_root(code.encode(), syntax.JAVASCRIPT)
    assert grammars == ["javascript"] * parses


def test_deep_nesting_is_no_crash() -> None:
    code = "x = " + "[" * 3000 + "'openid banno'" + "]" * 3000 + ";\ny = " + " + ".join(["'a'"] * 3000) + ";\n"
    assert rules(code) == []


# --------------------------------------------------------------------------- what is a value


def test_template_literal_with_a_const_base_is_fixed_in_the_literal_that_holds_the_path() -> None:
    code = "const base = 'https://h.example/a/consumer/api';\nconst jwks = `${base}/oidc/certs`;\n"
    assert fix(code) == "const base = 'https://h.example/a/consumer/api';\nconst jwks = `${base}/v0/oidc/jwks`;\n"


def test_concatenation_of_consts_is_followed() -> None:
    code = "const HOST = 'https://h.example';\nconst API = HOST + '/a/consumer/api';\nconst TOKEN = API + '/oidc/token';\n"
    assert fix(code) == code.replace("'/oidc/token'", "'/v0/oidc/token'")


def test_a_name_bound_twice_is_not_followed() -> None:
    code = "const API = 'https://h.example/a/consumer/api';\nfunction f(API) { return API + '/oidc/token'; }\n"
    assert rules(code) == []


def test_an_unknown_base_counts_only_when_its_name_says_banno() -> None:
    assert rules("const url = `${config.bannoApi}/oidc/token`;\n") == ["BM001"]
    assert [f.fix.applicability for f in lint("const url = `${config.bannoApi}/oidc/token`;\n")] == [Applicability.UNSAFE]
    assert rules("const url = `${config.api}/oidc/token`;\n") == []


def test_string_raw_keeps_backslashes() -> None:
    assert rules("const scope = String.raw`openid\\u0020banno`;\n") == []
    assert rules("const scope = `openid\\u0020banno`;\n") == ["BM004"]


@pytest.mark.parametrize(
    "code",
    [
        "// const url = 'https://h.example/a/consumer/api/oidc/token';\nconst scope = 'openid'; // not banno\n",
        "/**\n * Scopes: 'openid profile banno' (legacy)\n * @see https://h.example/a/consumer/api/oidc/certs\n */\nexport {};\n",
        "const A = () => <p>{/* scope: 'openid banno' */}https://h/a/consumer/api/oidc/token</p>;\n",
    ],
)
def test_comments_and_jsx_text_are_silent(code: str) -> None:
    assert rules(code, "a.jsx") == []


@pytest.mark.parametrize(
    "code",
    [
        "const routes = { '/a/consumer/api/oidc/token': proxy, ['openid banno']: 1 };\n",
        "const v = cache['https://www.banno.com/a/consumer/api/oidc'];\n",
        "import legacy from './a/consumer/api/oidc/token';\nconst m = require('./openid banno');\n",
        "type Issuer = 'https://www.banno.com/a/consumer/api/oidc';\nlet s: 'openid banno';\n",
        "params.get('scope'); params.set('prompt', prompt);\n",
    ],
)
def test_keys_module_names_and_types_are_not_values(code: str) -> None:
    assert rules(code, "a.ts") == []


@pytest.mark.parametrize(
    "code",
    [
        "console.log('scope openid banno, /a/consumer/api/oidc/token');\n",
        "logger.warn(`issuer https://www.banno.com/a/consumer/api/oidc`);\n",
        "throw new Error('response_type: token is gone; openid banno');\n",
        "'use strict';\n",
    ],
)
def test_prose_is_silent(code: str) -> None:
    assert rules(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "const a = 'https://accounts.google.com/o/oauth2/v2/auth';\nconst b = 'https://login.example.com/oidc/token';\n",
        "const okta = { authorizationURL: 'https://x.okta.com/oauth2/v1/authorize', scope: 'openid offline_access', prompt: 'consent' };\n",
    ],
)
def test_other_providers_are_silent(code: str) -> None:
    assert rules(code) == []


# --------------------------------------------------------------------------- fixes, byte for byte


def test_fixes_keep_quotes_and_everything_around_them() -> None:
    code = (
        'const a = "openid banno profile";\n'
        "const scope = `openid ${extra} profile banno`;\n"
        "const c = { scope: ['openid',\n  'banno',\n  'email'] };\n"
    )
    assert fix(code) == (
        'const a = "openid profile";\n'
        "const scope = `openid ${extra} profile`;\n"
        "const c = { scope: ['openid',\n  'email'] };\n"
    )


def test_escapes_that_do_not_map_one_to_one_get_no_fix() -> None:
    code = "const scope = 'openid\\u0020banno';\nconst url = 'https://h/a/consumer/api/oidc/tok\\x65n';\n"
    findings = lint(code)
    assert [(f.rule, f.fixable) for f in findings] == [("BM004", False), ("BM001", True)]
    # The insertion lands between verbatim characters, before the escape: still exact.
    assert fix(code) == code.replace("/api/oidc", "/api/v0/oidc")


def test_jsx_attribute_strings_read_character_references() -> None:
    code = 'const A = () => <a href="/a/consumer/api/v0/oidc/auth?client_id=x&amp;scope=openid%20banno">x</a>;\n'
    assert fix(code, "A.jsx") == code.replace("%20banno", "")


def test_crlf_files_keep_their_line_endings() -> None:
    code = "const a = {\r\n  scope: 'openid offline_access',\r\n  prompt: 'consent',\r\n  authorizationURL: 'https://h/a/consumer/api/v0/oidc/auth',\r\n};\r\n"
    assert active(code) == [("BM006", "3:3-3:20")]
    assert fix(code) == (
        f"const a = {{\r\n  scope: 'openid {OFFLINE}',\r\n  authorizationURL: 'https://h/a/consumer/api/v0/oidc/auth',\r\n}};\r\n"
    )


def test_columns_count_code_points() -> None:
    code = "const ünï = '✓'; const u = 'https://h/a/consumer/api/oidc/token';\n"
    assert active(code) == [("BM001", "1:28-1:65")]
    assert fix(code) == code.replace("/api/oidc", "/api/v0/oidc")


def test_findings_are_located_for_reports() -> None:
    finding = lint("const t = 'https://h/a/consumer/api/oidc/token';\n")[0]
    assert finding.fingerprint and finding.edit_ranges == ((1, 37, 1, 37),)


# --------------------------------------------------------------------------- suppressions


def test_line_and_block_comments_suppress_their_line() -> None:
    code = (
        "const a = 'openid banno'; // noqa: BM004\n"
        "const b = 'openid banno'; /* banno-migrate: ignore[BM004] fixture for the old provider */\n"
        "const c = 'openid banno';\n"
    )
    findings = lint(code)
    assert [(f.line, f.suppressed_by is not None) for f in findings] == [(1, True), (2, True), (3, False)]
    assert findings[1].suppressed_by.reason == "fixture for the old provider"
    assert fix(code) == code.replace("const c = 'openid banno'", "const c = 'openid'")


def test_unused_suppressions_are_bm100_and_fix_removes_them() -> None:
    code = "const a = 1; // banno-migrate: ignore[BM001]\nconst A = () => <b>{/* noqa: BM004 */}</b>;\n"
    assert active(code, "a.jsx") == [("BM100", "1:14-1:45"), ("BM100", "2:21-2:38")]
    assert fix(code, "a.jsx") == "const a = 1;\nconst A = () => <b>{}</b>;\n"


def test_a_block_comment_over_several_lines_is_documentation() -> None:
    assert rules("/*\n * noqa: BM004\n */\nconst a = 1;\n") == []


# --------------------------------------------------------------------------- rules, where JavaScript differs


def test_claims_reads_and_their_fixes() -> None:
    code = (
        "const jwt = require('jsonwebtoken');\n"
        "const claims = jwt.verify(token, key);\n"
        "a = claims?.institution_id;\n"
        "b = claims\n  .netteller_id;\n"
        "const { institution_id = null, 'devices': d, sub } = claims;\n"
        "claims.user_type = 'x';\n"
        "c = claims.sub + claims.email;\n"
    )
    assert rules(code) == ["BM005"] * 4
    assert all(f.fix.applicability is Applicability.SAFE for f in lint(code))
    assert fix(code) == (
        "const jwt = require('jsonwebtoken');\n"
        "const claims = jwt.verify(token, key);\n"
        f"a = claims?.['{NS}institution_id'];\n"
        f"b = claims\n  ['{NS}netteller_id'];\n"
        f"const {{ '{NS}institution_id': institution_id = null, '{NS}devices': d, sub }} = claims;\n"
        "claims.user_type = 'x';\n"
        "c = claims.sub + claims.email;\n"
    )


def test_a_claims_object_known_only_by_its_name_gets_an_unsafe_fix_in_the_files_quote() -> None:
    code = 'function f(userInfo) { return userInfo.institution_id || "none"; }\n'
    assert [f.fix.applicability for f in lint(code)] == [Applicability.UNSAFE]
    assert fix(code) == code
    assert fix(code, unsafe=True) == f'function f(userInfo) {{ return userInfo["{NS}institution_id"] || "none"; }}\n'


def test_extra_claims_from_the_configuration_are_claims_too() -> None:
    code = "const claims = jwtDecode(t);\nconst x = claims.loyalty_tier;\n"
    assert rules(code, extra_claims=("loyalty_tier",)) == ["BM005"]
    assert rules(code) == []


def test_data_that_is_not_a_token_is_not_claims() -> None:
    code = "const claims = {};\nconst row = await db.get(q);\nf(row.institution_id, req.session.claims.institution_id, claims.institution_id);\n"
    assert rules(code) == []


@pytest.mark.parametrize(
    ("options", "found"),
    [
        ("", ["BM007"]),
        ("pkce: false,", ["BM007"]),
        ("pkce: 'plain',", ["BM008"]),
        ("pkce: true,", []),
        ("pkce: 'S256',", []),
        ("...shared,", []),
    ],
)
def test_passport_openidconnect_pkce(options: str, found: list[str]) -> None:
    code = (
        "import OpenIDConnectStrategy from 'passport-openidconnect';\n"
        f"passport.use(new OpenIDConnectStrategy({{ authorizationURL: AUTH_URL, clientID: ID, {options} }}, verify));\n"
    )
    assert rules(code, "a.ts") == found


@pytest.mark.parametrize(
    ("options", "found"),
    [("", []), ("usePKCE: false,", ["BM007"]), ("usePKCE: 'plain',", ["BM008"]), ("usePKCE: 'S256',", [])],
)
def test_openid_client_strategy_pkce(options: str, found: list[str]) -> None:
    code = f"const {{ Strategy }} = require('openid-client');\nconst s = new Strategy({{ client, {options} }}, verify);\n"
    assert rules(code) == found


def test_authorization_url_needs_the_openid_client_import() -> None:
    call = "const url = client.authorizationUrl({ scope: 'openid' });\n"
    assert rules("import { Issuer } from 'openid-client';\n" + call) == ["BM007"]
    assert rules(call) == []


def test_implicit_flow_fragment_reads() -> None:
    found = [
        "const t = new URLSearchParams(location.hash.slice(1)).get('id_token');\n",
        "const { access_token } = Object.fromEntries(new URLSearchParams(window.location.hash.substring(1)));\n",
        "const h = window.location.hash;\nconst t = h.split('access_token=')[1];\n",
        "const t = redirectUrl.split('#access_token=')[1];\n",
    ]
    for code in found:
        assert rules(code) == ["BM003"], code
    silent = [
        "const tab = location.hash.slice(1);\nconst code = new URLSearchParams(location.search).get('code');\n",
        "const digest = crypto.createHash('sha256').update(access_token).digest();\n",
    ]
    for code in silent:
        assert rules(code) == [], code


def test_prompt_alone_on_its_line_goes_with_the_line_and_a_comment_after_it_stays() -> None:
    code = (
        "const params = {\n"
        "  response_type: 'code', client_id: ID, code_challenge: c,\n"
        "  scope: 'openid offline_access',\n"
        "  prompt: 'consent', // for a refresh token\n"
        "};\n"
        "location.assign(`https://h/a/consumer/api/v0/oidc/auth?${new URLSearchParams(params)}`);\n"
    )
    assert fix(code) == (
        "const params = {\n"
        "  response_type: 'code', client_id: ID, code_challenge: c,\n"
        f"  scope: 'openid {OFFLINE}',\n"
        "  // for a refresh token\n"
        "};\n"
        "location.assign(`https://h/a/consumer/api/v0/oidc/auth?${new URLSearchParams(params)}`);\n"
    )


def test_legacy_issuer_takes_the_host_of_the_files_endpoints_or_the_option() -> None:
    code = "const issuer = 'https://www.banno.com/a/consumer/api/oidc';\n"
    assert fix(code) == code
    assert fix(code, issuer_host="fi.example.com") == "const issuer = 'https://fi.example.com/a/consumer/api/v0/oidc';\n"
    with_endpoint = code + "const auth = 'https://bank.example.com/a/consumer/api/v0/oidc/auth';\n"
    assert fix(with_endpoint).startswith("const issuer = 'https://bank.example.com/a/consumer/api/v0/oidc';\n")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("response_type=code&client_id=${ID}&redirect_uri=${CALLBACK}", ["BM007"]),
        ("response_type=code&client_id=${ID}&${pkceQuery}", []),  # a part we cannot read may hold the challenge
        ("response_type=code&client_id=${ID}&code_challenge=${challenge}", []),
    ],
)
def test_a_query_string_request_with_hidden_parts_is_not_judged(query: str, found: list[str]) -> None:
    assert rules(f"const url = `${{AUTH_URL}}?{query}`;\n") == found


def test_jose_payloads_are_claims() -> None:
    code = (
        "import { jwtVerify } from 'jose';\n"
        "const { payload } = await jwtVerify(token, jwks);\n"
        "const a = payload.institution_id;\n"
        "const b = (await jwtVerify(token, jwks)).payload.netteller_id;\n"
    )
    assert [(f.rule, f.line, f.fix.applicability) for f in lint(code, "a.mjs")] == [
        ("BM005", 3, Applicability.SAFE),
        ("BM005", 4, Applicability.SAFE),
    ]


@pytest.mark.parametrize(
    ("code", "found"),
    [
        (
            "const url = new URL(AUTHORIZE);\n"
            "url.searchParams.set('response_type', 'code');\nurl.searchParams.set('client_id', ID);\n",
            ["BM007"],
        ),
        (
            "const url = new URL(AUTHORIZE);\nurl.searchParams.set('response_type', 'code');\n"
            "url.searchParams.set('client_id', ID);\nurl.searchParams.set('code_challenge', challenge);\n",
            [],
        ),
        ("let p = { response_type: 'code', client_id: ID };\np = withPkce(p);\n", []),
        (
            "import * as client from 'openid-client';\n"
            "const url = client.buildAuthorizationUrl(config, { redirect_uri, scope: 'openid' });\n",
            ["BM007"],
        ),
        (
            "const url = new URL('https://accounts.google.com/o/oauth2/v2/auth');\n"
            "url.searchParams.set('response_type', 'code');\nurl.searchParams.set('client_id', ID);\n",
            [],
        ),
    ],
)
def test_hand_built_and_openid_client_v6_requests(code: str, found: list[str]) -> None:
    assert rules(code, "a.ts") == found


def test_a_blanket_suppression_that_silences_nothing_is_reported() -> None:
    code = "const a = 1; /* banno-migrate: ignore */\n"
    assert active(code, "a.ts") == [("BM100", "1:14-1:41")]
    assert fix(code, "a.ts") == "const a = 1;\n"


def test_the_grammar_follows_the_language_the_file_types_gave() -> None:
    code = "const url: string = 'https://h/a/consumer/api/oidc/token';\n"
    source = frontend.decode(code.encode())
    typescript = LintRequest(codes=EVERY, enabled=EVERY, language="typescript")
    assert [f.rule for f in frontend.lint_source(source, "auth.ts.txt", CATALOG, typescript)] == ["BM001"]
    with pytest.raises(SourceError, match="JavaScript syntax error"):
        frontend.lint_source(source, "auth.ts.txt", CATALOG, LintRequest(codes=EVERY, enabled=EVERY, language="javascript"))
