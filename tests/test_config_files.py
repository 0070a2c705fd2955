"""Configuration files (JSON, YAML, TOML, INI, .env): positions, quoting, escapes, keys, comments, fixes.

The rule examples (rules/*.yaml, `language: json|yaml|toml|ini|dotenv`) show
each rule in each format; these tests pin what is format-specific: where each
value's characters are in the source, which spellings can be edited exactly,
what is never a value, and what a file we cannot read gives.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from banno_migrate.catalog import load_catalog
from banno_migrate.findings import Applicability, Finding
from banno_migrate.fixer import fix_source
from banno_migrate.languages import CONFIG_CODES, FileTypes, LintRequest
from banno_migrate.languages import config_files as frontend
from banno_migrate.languages.string_checks import (
    HOLE,
    Literal,
    Reporter,
    StringChecks,
    Value,
)
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceError, SourceText

CATALOG = load_catalog()
RULES = frozenset(CONFIG_CODES - {"BM100"})
LEGACY = "https://h.example/a/consumer/api/oidc/token"
FIXED = "https://h.example/a/consumer/api/v0/oidc/token"


def _request(name: str, codes: frozenset[str] = RULES, issuer_host: str | None = None) -> LintRequest:
    """What the engine asks for a file: the language is the one its name's glob gives."""
    return LintRequest(
        codes=codes,
        language=FileTypes().language_for(PurePosixPath(name).name).name,
        enabled=CONFIG_CODES,
        rule_options=RuleOptions(issuer_host=issuer_host),
        report_unused_suppressions=True,
    )


def lint(name: str, text: str, **options) -> list[Finding]:
    return frontend.lint_source(frontend.decode(text.encode()), name, CATALOG, _request(name, **options))


def where(findings: list[Finding]) -> list[str]:
    return [f"{f.rule} {f.line}:{f.column}-{f.end_line}:{f.end_column}" for f in findings]


def fix(name: str, text: str, *, unsafe_fixes: bool = False, **options) -> str:
    outcome = fix_source(
        frontend.decode(text.encode()), name, CATALOG, _request(name, **options), unsafe_fixes=unsafe_fixes, frontend=frontend
    )
    assert outcome.problem is None
    return outcome.text


# Which format a file is: the language the registry's globs give its name, passed in the request.
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config/app.json", '{"url": "%s"}' % LEGACY),
        ("deploy/values.yml", "url: %s\n" % LEGACY),
        ("pyproject.toml", 'url = "%s"\n' % LEGACY),
        ("setup.cfg", "[oidc]\nurl = %s\n" % LEGACY),
        (".env.production", "URL=%s\n" % LEGACY),
        ("staging.env", "URL=%s\n" % LEGACY),
    ],
)
def test_the_format_comes_from_the_file_name(name: str, text: str) -> None:
    assert fix(name, text) == text.replace(LEGACY, FIXED)


def test_a_language_that_is_no_configuration_format_is_an_error() -> None:
    source = frontend.decode(("url: %s\n" % LEGACY).encode())
    with pytest.raises(SourceError, match="'python' is not a configuration format"):
        frontend.lint_source(source, "notes.txt", CATALOG, LintRequest(codes=RULES))


def test_a_format_imports_only_its_own_reader() -> None:
    program = (
        "import sys\n"
        "from banno_migrate.catalog import load_catalog\n"
        "from banno_migrate.languages import LintRequest, config_files\n"
        "request = LintRequest(codes=frozenset({'BM001'}), language='json')\n"
        "config_files.lint_source(config_files.decode(b'{}'), 'a.json', load_catalog(), request)\n"
        "print(sorted(name.rsplit('.', 1)[1] for name in sys.modules if name.startswith('banno_migrate.languages.config_files.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "['json_toml', 'model', 'syntax']"


# Positions: the finding covers the value's literal (quotes included), in code points.
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.json", '{"name": "Café ☕", "url": "%s"}' % LEGACY, ["BM001 1:27-1:72"]),
        ("a.yaml", "name: Café ☕\nurl:   '%s'\n" % LEGACY, ["BM001 2:8-2:53"]),
        ("a.toml", 'name = "Café ☕"\n[oidc]\nurl = """%s"""\n' % LEGACY, ["BM001 3:7-3:56"]),
        ("a.ini", "[oidc]\nurl: %s\n" % LEGACY, ["BM001 2:6-2:49"]),
        (".env", "export URL = %s  # token\n" % LEGACY, ["BM001 1:14-1:57"]),
    ],
)
def test_positions(name: str, text: str, expected: list[str]) -> None:
    assert where(lint(name, text)) == expected


def test_a_yaml_block_scalar_reports_the_matched_text_on_its_own_line() -> None:
    text = "script: |\n  set -e\n  curl %s\n" % LEGACY
    assert where(lint("ci.yaml", text)) == ["BM001 3:25-3:51"]  # from the legacy path to its end
    assert fix("ci.yaml", text) == text.replace(LEGACY, FIXED)


# Quoting styles and escapes: the fix edits the source of exactly the value's characters.
@pytest.mark.parametrize(
    ("name", "text", "fixed"),
    [
        # YAML: plain, single (with ''), double (with escapes), literal and folded block scalars.
        ("a.yaml", "url: %s\n" % LEGACY, "url: %s\n" % FIXED),
        ("a.yaml", "note: 'it''s %s'\n" % LEGACY, "note: 'it''s %s'\n" % FIXED),
        ("a.yaml", 'url: "\\x68ttps://h.example/a/consumer/api/oidc/certs\\n"\n', 'url: "\\x68ttps://h.example/a/consumer/api/v0/oidc/jwks\\n"\n'),
        ("a.yaml", "url: >-\n  %s\n  and more\n" % LEGACY, "url: >-\n  %s\n  and more\n" % FIXED),
        ("a.yaml", "url: plain\n  %s\n" % LEGACY, "url: plain\n  %s\n" % FIXED),
        # JSON: escapes before the edited text.
        ("a.json", '{"url": "\\u0068ttps:\\/\\/h.example/a/consumer/api/oidc/certs"}', '{"url": "\\u0068ttps:\\/\\/h.example/a/consumer/api/v0/oidc/jwks"}'),
        # TOML: basic, literal, multi-line basic with a line continuation, multi-line literal.
        ("a.toml", 'url = "\\u0068ttps://h.example/a/consumer/api/oidc/token"\n', 'url = "\\u0068ttps://h.example/a/consumer/api/v0/oidc/token"\n'),
        ("a.toml", "url = '%s'\n" % LEGACY, "url = '%s'\n" % FIXED),
        ("a.toml", 'url = """\nhttps://h.example\\\n    /a/consumer/api/oidc/token"""\n', 'url = """\nhttps://h.example\\\n    /a/consumer/api/v0/oidc/token"""\n'),
        ("a.toml", "url = '''\n%s'''\n" % LEGACY, "url = '''\n%s'''\n" % FIXED),
        # .env: unquoted, single-quoted, double-quoted with escapes, `export`.
        (".env", "URL=%s\n" % LEGACY, "URL=%s\n" % FIXED),
        (".env", "URL='%s'\n" % LEGACY, "URL='%s'\n" % FIXED),
        (".env", 'export MSG="say \\"hi\\"\\n%s"\n' % LEGACY, 'export MSG="say \\"hi\\"\\n%s"\n' % FIXED),
        # INI: `key: value`, quotes, a continuation line.
        ("a.ini", '[oidc]\nurl: "%s"\n' % LEGACY, '[oidc]\nurl: "%s"\n' % FIXED),
        ("a.ini", "[oidc]\nurls =\n    %s\n    other\n" % LEGACY, "[oidc]\nurls =\n    %s\n    other\n" % FIXED),
    ],
)
def test_quoting_styles_are_fixed_byte_for_byte(name: str, text: str, fixed: str) -> None:
    assert fix(name, text) == fixed


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.json", '{"url": "https://h.example/a/consumer/api/oidc/\\u0063erts"}'),  # the renamed endpoint is escaped
        ("a.yaml", 'url: "https://h.example/a/consumer/api/oidc/\\x63erts"\n'),
        ("a.toml", 'url = "https://h.example/a/consumer/api/oidc/\\u0063erts"\n'),
    ],
)
def test_an_edit_over_an_escape_is_refused(name: str, text: str) -> None:
    [finding] = lint(name, text)
    assert (finding.rule, finding.fix) == ("BM001", None)
    assert fix(name, text) == text


def test_a_folded_line_break_is_found_but_not_edited() -> None:
    text = 'scope: "openid\n  banno"\n'
    [finding] = lint("a.yaml", text)
    assert (finding.rule, finding.fix) == ("BM004", None)


def test_json_escapes_are_decoded_before_matching() -> None:
    text = '{"scope": "openid \\u0062anno", "issuer": "https:\\/\\/www.banno.com\\/a\\/consumer\\/api\\/oidc"}'
    assert [(f.rule, f.fixable) for f in lint("a.json", text, issuer_host="bank.example.com")] == [
        ("BM004", False),
        ("BM002", False),
    ]


# A key named scope with `openid banno`: BM004's fix in every format, byte for byte.
@pytest.mark.parametrize(
    ("name", "text", "fixed"),
    [
        ("a.json", '{"scope": "openid banno"}\r\n', '{"scope": "openid"}\r\n'),
        ("a.yaml", "scope: 'openid banno'\n", "scope: 'openid'\n"),
        ("a.toml", "scope = 'openid banno'\n", "scope = 'openid'\n"),
        ("a.ini", "[auth]\nscope = openid banno ; for claims\n", "[auth]\nscope = openid ; for claims\n"),
        (".env", "SCOPE=openid banno\n", "SCOPE=openid\n"),
    ],
)
def test_a_scope_key_loses_banno(name: str, text: str, fixed: str) -> None:
    assert fix(name, text) == fixed


@pytest.mark.parametrize(
    ("name", "text", "fixed"),
    [
        ("a.json", '{"scopes": ["banno", "openid"]}', '{"scopes": ["openid"]}'),
        ("a.json", '{"scopes": ["openid", "email", "banno"]}', '{"scopes": ["openid", "email"]}'),
        ("a.yaml", "scopes: [openid, banno, email]\n", "scopes: [openid, email]\n"),
        ("a.yaml", "scopes:\r\n  - banno\r\n  - openid\r\n", "scopes:\r\n  - openid\r\n"),
        ("a.toml", 'scopes = [\n  "openid",\n  "banno",\n]\n', 'scopes = [\n  "openid",\n]\n'),
    ],
)
def test_a_banno_element_goes_with_its_comma_or_line(name: str, text: str, fixed: str) -> None:
    assert fix(name, text) == fixed


def test_the_only_element_of_a_yaml_list_is_reported_without_a_fix() -> None:
    [finding] = lint("a.yaml", "scopes:\n  - banno\n")
    assert finding.fix is None


# What is never a value: keys, comments, section names; other providers' URLs.
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.json", '{"%s": "x", "banno": "openid"}' % LEGACY),
        ("a.yaml", "# %s\n%s: x\nopenid banno: x  # scope: openid banno\n" % (LEGACY, LEGACY)),
        ("a.toml", '# %s\n"%s" = 1\n["openid banno"]\nx = 1\n' % (LEGACY, LEGACY)),
        ("a.ini", "; %s\n# scope = openid banno\n[%s]\nopenid banno = x\n" % (LEGACY, LEGACY)),
        (".env", "# URL=%s\n# SCOPE=openid banno\n" % LEGACY),
        ("a.yaml", "token_url: https://login.example.org/oidc/token\njwks: https://idp.example.com/oauth2/oidc/certs\n"),
        (".env", "TOKEN_URL=https://login.example.org/oidc/token\n"),
        ("a.yaml", "description: requesting openid banno scope for claims\nclient: banno\n"),
        (".env", 'SCOPE="openid\\tbanno"\n'),  # an escaped tab is not a scope separator
    ],
)
def test_keys_comments_and_other_providers_stay_silent(name: str, text: str) -> None:
    assert lint(name, text) == []


# BM002: the host comes from the option or from the file's own Banno endpoints.
def test_the_issuer_takes_the_host_of_the_files_endpoints() -> None:
    text = "ISSUER=https://www.banno.com/a/consumer/api/oidc/\nAUTH=https://Bank.Example.com/a/consumer/api/v0/oidc/auth\n"
    assert fix(".env", text) == text.replace("https://www.banno.com/a/consumer/api/oidc/", "https://bank.example.com/a/consumer/api/v0/oidc/")


def test_two_endpoint_hosts_leave_the_issuer_unfixed_unless_configured() -> None:
    text = "issuer: https://www.banno.com/a/consumer/api/oidc\na: https://one.example/a/consumer/api/v0/oidc/auth\nb: https://two.example/a/consumer/api/v0/oidc/token\n"
    [finding] = lint("a.yaml", text)
    assert finding.fix is None and "issuer-host" in finding.message
    assert "issuer: https://bank.example/a/consumer/api/v0/oidc\n" in fix("a.yaml", text, issuer_host="bank.example")


# BM006: prompt=consent beside a scope with offline_access.
OFFLINE = "https://api.banno.com/consumer/auth/offline_access"


def test_consent_in_a_nested_mapping_finds_the_scope_around_it() -> None:
    text = (
        "banno:\n"
        "  server_metadata_url: https://bank.example.com/a/consumer/api/v0/oidc/.well-known/openid-configuration\n"
        "  client_kwargs:\n"
        "    scope: openid offline_access\n"
        "  authorize_params: {prompt: consent, display: page}\n"
    )
    [finding] = lint("a.yaml", text)
    assert (finding.rule, where([finding]), finding.fix.applicability) == ("BM006", ["BM006 5:22-5:37"], Applicability.SAFE)
    assert fix("a.yaml", text) == text.replace("openid offline_access", f"openid {OFFLINE}").replace("prompt: consent, ", "")


def test_consent_with_an_unknown_destination_is_an_unsafe_fix() -> None:
    text = '{"scope": "openid offline_access", "prompt": "consent"}'
    [finding] = lint("a.json", text)
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fix("a.json", text) == text
    assert fix("a.json", text, unsafe_fixes=True) == '{"scope": "openid %s"}' % OFFLINE


def test_consent_for_another_provider_stays_silent_even_beside_banno() -> None:
    text = (
        "[google]\nauthorize_url = https://accounts.google.com/o/oauth2/v2/auth\nscope = openid offline_access\nprompt = consent\n"
        "[banno]\nauthorize_url = https://bank.example.com/a/consumer/api/v0/oidc/auth\nscope = openid\n"
    )
    assert lint("a.ini", text) == []


def test_consent_whose_scope_has_no_offline_access_stays_silent() -> None:
    assert lint(".env", "BANNO_SCOPE=openid offline\nBANNO_PROMPT=consent\nOTHER=offline_access\n") == []


# Suppressions: a comment on the finding's line, in every format that has comments.
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.yaml", "url: %s  # banno-migrate: ignore[BM001] mock server\n" % LEGACY),
        ("a.toml", 'url = "%s"  # noqa: BM001\n' % LEGACY),
        ("a.ini", "[oidc]\nurl = %s ; banno-migrate: ignore[BM001]\n" % LEGACY),
        ("a.ini", "[oidc]\nurl = %s  # noqa: BM001\n" % LEGACY),
        (".env", 'URL="%s" # banno-migrate: ignore[BM001]\n' % LEGACY),
    ],
)
def test_suppression_comments(name: str, text: str) -> None:
    [finding] = lint(name, text)
    assert finding.suppressed_by is not None and finding.suppressed_by.codes == {"BM001"}
    assert fix(name, text) == text


def test_an_unused_ini_suppression_is_removed_as_written() -> None:
    text = "[http]\ntimeout = 30  ; banno-migrate: ignore[BM004]\n"
    [finding] = lint("a.ini", text, codes=CONFIG_CODES)
    assert finding.rule == "BM100"
    assert fix("a.ini", text, codes=CONFIG_CODES) == "[http]\ntimeout = 30\n"


def test_a_hash_inside_a_quoted_env_value_is_not_a_comment() -> None:
    text = 'URL="%s#banno-migrate: ignore[BM001]"\n' % LEGACY
    [finding] = lint(".env", text)
    assert finding.suppressed_by is None


def test_dotenv_entries_end_before_trailing_blanks_and_comments() -> None:
    from banno_migrate.languages.config_files.line_formats import read_dotenv

    text = "export DECLARED   \nURL=x y \t # note\nQUOTED='z'  \n"
    [root] = read_dotenv(text).roots
    assert [text[slice(*item.span)] for item in root.items] == ["export DECLARED", "URL=x y", "QUOTED='z'"]


# Files we cannot read.
@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.json", '{"a": 1,,}', "cannot parse: JSON syntax error at line 1, column 8"),
        ("a.yaml", "a: [1, 2\nb: c\n", "cannot parse: YAML syntax error at line"),
        ("a.toml", "[oidc\nurl = 1\n", "cannot parse: TOML syntax error at line 1"),
        ("a.ini", "[oidc\nurl = 1\n", "cannot parse: INI syntax error at line 1, column 1"),
        (".env", "URL='unterminated\n", "cannot parse: .env syntax error at line 1, column 5"),
        (".env", "URL='x' junk\n", "cannot parse: .env syntax error at line 1, column 9"),
        (".env", "not a variable\n", "cannot parse: .env syntax error at line 1, column 5"),
    ],
)
def test_unparseable_files_are_errors(name: str, text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message.replace("(", r"\(")):
        lint(name, text)


def test_bytes_that_are_not_utf8_are_an_error() -> None:
    with pytest.raises(SourceError, match="cannot decode as UTF-8"):
        frontend.decode(b"url: \xff\n")


# BOM and CRLF survive a fix.
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.json", '{\r\n  "url": "%s"\r\n}\r\n' % LEGACY),
        ("a.yaml", "a: 1\r\nurl: %s\r\n" % LEGACY),
        ("a.toml", 'a = 1\r\nurl = "%s"\r\n' % LEGACY),
        ("a.ini", "[oidc]\r\nurl = %s\r\n" % LEGACY),
        (".env", "A=1\r\nURL=%s\r\n" % LEGACY),
    ],
)
def test_bom_and_crlf_are_kept(name: str, text: str) -> None:
    data = b"\xef\xbb\xbf" + text.encode()
    source = frontend.decode(data)
    outcome = fix_source(source, name, CATALOG, _request(name), frontend=frontend)
    assert source.encode(outcome.text) == b"\xef\xbb\xbf" + text.replace(LEGACY, FIXED).encode()


# banno-migrate's own outputs quote legacy URLs in messages: never findings.
def test_our_own_reports_and_baselines_are_skipped(tmp_path: Path) -> None:
    from banno_migrate.baseline import Baseline
    from banno_migrate.reporters import Summary
    from banno_migrate.reporters import json as json_report
    from banno_migrate.reporters import sarif

    findings = lint(".env", "URL=%s\nISSUER=https://www.banno.com/a/consumer/api/oidc\n" % LEGACY)
    assert len(findings) == 2
    summary = Summary(files=1, findings=findings, errors=[], suppressed=[])
    Baseline.write(tmp_path / "baseline.json", findings)
    outputs = {
        "report.json": json_report.render(summary),
        "results.sarif.json": sarif.render(summary, CATALOG),
        "baseline.json": (tmp_path / "baseline.json").read_text(encoding="utf-8"),
    }
    for name, text in outputs.items():
        assert "/a/consumer/api/oidc" in text
        assert lint(name, text) == [], name


def test_a_json_file_with_findings_and_another_tool_is_not_skipped() -> None:
    text = '{"tool": "other", "findings": ["%s"]}' % LEGACY
    assert where(lint("a.json", text)) == ["BM001 1:32-1:77"]


# YAML specifics: several documents, anchors and tags, aliases.
def test_yaml_documents_anchors_and_tags() -> None:
    text = "---\nbase: &base !!str %s\nref: *base\n---\n- scope: !custom 'openid banno'\n" % LEGACY
    assert where(lint("a.yaml", text)) == ["BM001 2:19-2:62", "BM004 5:18-5:32"]


# string_checks on its own: the API the JavaScript front end shares.
def _value(text: str, start: int = 10, **fields) -> Value:
    return Value(text, tuple(range(start, start + len(text) + 1)), **fields)


def test_an_unknown_base_named_after_banno_is_an_unsafe_bm001() -> None:
    checks = StringChecks(CATALOG)
    value = _value(f"{HOLE}/oidc/token", hole_hints={0: "BANNO_BASE"})
    [found] = checks.check(value)
    assert (found.code, found.applicability, found.edits[0].start) == ("BM001", Applicability.UNSAFE, 2)
    assert checks.check(_value(f"{HOLE}/oidc/token", hole_hints={0: "AUTH_BASE"})) == []


def test_the_reporter_maps_value_edits_and_merges_findings_at_one_literal() -> None:
    text = 'X = "https://h/a/consumer/api/oidc/auth https://h/a/consumer/api/oidc/certs"'
    source = SourceText(text, "utf-8")
    body = text[5:-1]
    value = Value(body, tuple(range(5, 5 + len(body) + 1)), literals=(Literal(0, len(body), 4, len(text)),))
    reporter = Reporter(CATALOG, source, "x")
    for found in StringChecks(CATALOG).check(value):
        reporter.add(found)
    [finding] = reporter.findings
    assert (finding.column, finding.end_column) == (5, len(text) + 1)
    first, second = text.index("oidc/auth"), text.index("oidc/certs")
    assert [(edit.start, edit.end, edit.replacement) for edit in finding.fix.edits] == [
        (first, first, "v0/"),
        (second, second, "v0/"),
        (second + 5, second + 10, "jwks"),
    ]


def test_scope_string_without_a_scope_name_needs_standard_scopes() -> None:
    checks = StringChecks(CATALOG)
    assert [found.code for found in checks.check(_value("openid banno"))] == ["BM004"]
    assert checks.check(_value("banno client")) == []
    assert [found.code for found in checks.check(_value("banno", name="BANNO_SCOPE"))] == ["BM004"]


def test_a_yaml_file_beyond_the_parsers_line_limit_says_so() -> None:
    text = "".join(f"k{index}: {index}\n" for index in range(32769))
    with pytest.raises(SourceError, match="YAML file longer than 32768 lines"):
        lint("big.yaml", text)
