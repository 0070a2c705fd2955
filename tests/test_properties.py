"""Property tests for issue #7, "never break a user's code".

hypothesmith generates valid Python from the grammar; legacy Banno literals
(unversioned endpoints, the legacy issuer, the `banno` scope, in strings,
pieces, f-strings, lists and dicts, some with suppression comments) are planted
into those programs by replacing expressions or inserting statements. Every
rule of the shipped catalog runs, with the library API the CLI uses.

Properties:
- `check` never raises (a SourceError for code LibCST cannot read is fine);
- the output of `fix` parses (LibCST) and compiles (CPython);
- `fix` is idempotent;
- `fix` leaves no fixable finding behind;
- a file without a fixable finding is byte-identical after `fix`;
- line endings, a BOM, form feeds and backslash continuations do not change what `fix` does;
- slicing keeps every offset and line break, what it keeps parses, and it changes no finding
  (also on programs wrapped into functions and classes, where it has bodies to leave out);
- a lint's read-only walks tell every kind of visitor what LibCST's own walk tells it, and
  LibCST's scope and expression-context analyses give the same results under them;
- positions placed one statement at a time are LibCST's, node for node.

The default run is short and deterministic (for CI). For a long, random run:

    BANNO_MIGRATE_FUZZ=long pytest tests/test_properties.py             # 20 000 examples per property
    BANNO_MIGRATE_FUZZ_EXAMPLES=5000 pytest tests/test_properties.py    # any number (random too)
"""

from __future__ import annotations

import ast
import os
import re
import textwrap
import warnings
from dataclasses import dataclass
from typing import Callable

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, Phase, assume, event, example, given, settings
from hypothesis import strategies as st
from libcst.metadata import ExpressionContextProvider, MetadataWrapper, ScopeProvider

from banno_migrate.analysis.metadata import ParentNodeProvider
from banno_migrate.analysis.traversal import FORMATTING, read_only_walks
from banno_migrate.catalog import load_catalog
from banno_migrate.findings import Applicability, Finding
from banno_migrate.fixer import FixOutcome, fix_source
from banno_migrate.lint import LintRequest, compiles, lint_source, parse
from banno_migrate.rule_options import RuleOptions
from banno_migrate.slicing import relevant_code, slice_needles
from banno_migrate.source import SourceError, SourceText
from cst_nodes import nodes_of
from walk_recorders import (
    BatchMember,
    Calls,
    CallsAndComments,
    EnteringBatchMember,
    LeavingBatchMember,
    OtherBatchMember,
    Recorder,
)

# Generated code is compiled (by hypothesmith, and by `fix`); CPython's remarks about it are not
# ours to show. (That `fix` must not print them is tests/test_source_quirks.py's business.)
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

CATALOG = load_catalog()
ALL_CODES = frozenset(CATALOG.codes)
HOST = "h.example"


# --------------------------------------------------------------------------- how long to fuzz


def _fuzz_settings() -> settings:
    mode = os.environ.get("BANNO_MIGRATE_FUZZ", "ci")
    if mode not in ("ci", "long"):
        raise pytest.UsageError(f"BANNO_MIGRATE_FUZZ must be 'ci' or 'long', not {mode!r}")
    count = os.environ.get("BANNO_MIGRATE_FUZZ_EXAMPLES")
    long_run = mode == "long" or count is not None
    return settings(
        max_examples=int(count) if count else (20_000 if long_run else 50),
        deadline=None,
        derandomize=not long_run,  # CI runs the same examples every time; a long run explores
        database=None,  # no example database (hypothesis keeps only caches, in its self-ignored .hypothesis/)
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


FUZZ = _fuzz_settings()


# --------------------------------------------------------------------------- what is planted

TOKEN = "https://h.example/a/consumer/api/oidc/token"
LEGACY_ISSUER = "https://www.banno.com/a/consumer/api/oidc"

# Values with findings (each also found inside a larger expression).
LEGACY_VALUES = (
    TOKEN,
    "https://h.example/a/consumer/api/oidc/auth?client_id=abc&scope=openid%20banno",
    "https://bank.example.com/a/consumer/api/oidc/certs",
    "/a/consumer/api/oidc/me",
    "/a/consumer/api/oidc/.well-known/openid-configuration",
    LEGACY_ISSUER,
    "openid banno",
    "openid profile banno",
    "banno openid",
    "openid+banno+profile",
    "banno",
)

# Legacy expressions written in other ways than one plain literal.
LEGACY_EXPRESSIONS = (
    '["openid", "banno"]',
    "('openid', 'banno', 'profile')",
    '{"scope": "openid banno", "response_type": "code"}',
    'dict(scope="banno openid", token_url="https://h.example/a/consumer/api/oidc/token")',
    '("https://h.example/a/consumer/api" + "/oidc/token")',
    '("https://h.example/a/consumer/api"\n    "/oidc/me")',
    'f"https://{host}/a/consumer/api/oidc/token"',
    '("%s/oidc/certs" % "https://h.example/a/consumer/api")',
    '"https://{}/a/consumer/api/oidc/auth".format(host)',
    'urljoin("https://h.example/a/consumer/api/", "oidc/token")',
    "' '.join(['openid', 'banno'])",
    '"openid banno"  # noqa: BM004\n',
    '"openid banno"  # banno-migrate: ignore[BM001]\n',
    '"https://h.example/a/consumer/api/v0/oidc/token"  # banno-migrate: ignore\n',
)

# Whole statements in the contexts the other rules look at (claims, flows, PKCE, callbacks).
LEGACY_SNIPPETS = (
    """\
import jwt
claims = jwt.decode(id_token, key, algorithms=["RS256"], issuer="https://www.banno.com/a/consumer/api/oidc")
institution_id = claims["institution_id"]
""",
    """\
params = {"response_type": "code", "client_id": CLIENT_ID, "scope": "openid banno offline_access", "prompt": "consent"}
url = "https://h.example/a/consumer/api/oidc/auth" + "?" + urlencode(params)
""",
    """\
oauth.register(
    "banno",
    server_metadata_url="https://h.example/a/consumer/api/oidc/.well-known/openid-configuration",
    client_kwargs={"scope": "openid banno", "code_challenge_method": "plain"},
    authorize_params={"response_type": "token id_token"},
)
""",
    """\
@app.route("/callback")
def callback():
    code = request.args["code"]
    token = requests.post("https://h.example/a/consumer/api/oidc/token", data={"code": code})
    return token.json()["netteller_id"]
""",
    """\
from requests_oauthlib import OAuth2Session
oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=["openid", "banno"], pkce="plain")
authorization_url, state = oauth.authorization_url("https://h.example/a/consumer/api/oidc/auth", prompt="consent")
""",
    """\
API = "https://h.example/a/consumer/api"
info = requests.get(API + "/oidc/me", headers=headers).json()
print(info.get("masked_accounts"), info["sub"])
""",
)

# Values that contain trigger strings and yet are correct: nothing to fix.
NEAR_MISS_VALUES = (
    "https://h.example/a/consumer/api/v0/oidc/token",
    "https://h.example/a/consumer/api/v0/oidc/jwks",
    "https://h.example/a/consumer/api/users/1/accounts",
    "https://h.example/a/consumer/api/v0/oidc",
    "https://login.example.com/oidc/token",
    "openid profile https://api.banno.com/consumer/auth/offline_access",
    "see the banno.com docs",
)
NEAR_MISS_EXPRESSIONS = (
    '["openid", "profile"]',
    'f"https://{host}/a/consumer/api/v0/oidc/token"',
    'banno_client_id  # banno: not a scope\n',
)

QUOTES = ('"{}"', "'{}'", 'r"{}"', '"""{}"""', "f'{}'", "u'{}'")


@dataclass(frozen=True)
class Planting:
    code: str
    statements: bool = False  # whole statements, else one expression


def _quoted(values: tuple[str, ...]) -> st.SearchStrategy[Planting]:
    return st.builds(lambda value, quote: Planting(quote.format(value)), st.sampled_from(values), st.sampled_from(QUOTES))


def _expressions(codes: tuple[str, ...]) -> st.SearchStrategy[Planting]:
    return st.sampled_from([Planting(code) for code in codes])


def _statements(codes: tuple[str, ...]) -> st.SearchStrategy[Planting]:
    return st.sampled_from([Planting(code, statements=True) for code in codes])


LEGACY = st.one_of(_quoted(LEGACY_VALUES), _expressions(LEGACY_EXPRESSIONS), _statements(LEGACY_SNIPPETS))
NEAR_MISS = st.one_of(_quoted(NEAR_MISS_VALUES), _expressions(NEAR_MISS_EXPRESSIONS))


# --------------------------------------------------------------------------- planting into generated programs

GENERATED = hypothesmith.from_grammar()
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _line_starts(text: str) -> list[int]:
    starts, offset = [], 0
    for line in _LINE.findall(text):
        starts.append(offset)
        offset += len(line)
    return starts + [offset]


def _offset(text: str, starts: list[int], line: int, byte_column: int) -> int:
    """Code-point offset of an ast position (1-based line, UTF-8 byte column)."""
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    return start + len(text[start:end].encode("utf-8")[:byte_column].decode("utf-8", "replace"))


@dataclass(frozen=True)
class Spot:
    start: int
    end: int  # == start: an insertion point for a statement
    indent: str = ""


def _replaceable(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes, int, float))
    return isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)


def spots(program: str) -> list[Spot]:
    """Expressions that a legacy expression may replace, and lines before which a statement may go."""
    tree = _parse_quietly(program)
    starts = _line_starts(program)
    inside_fstrings = {id(child) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for child in ast.walk(node) if child is not node}
    found = [Spot(len(program), len(program))]
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and _replaceable(node) and id(node) not in inside_fstrings:
            start = _offset(program, starts, node.lineno, node.col_offset)
            end = _offset(program, starts, node.end_lineno, node.end_col_offset)
            if program[start:end] == ast.get_source_segment(program, node):
                found.append(Spot(start, end))
        elif isinstance(node, ast.stmt) and not getattr(node, "decorator_list", None):
            line_start = starts[node.lineno - 1]
            start = _offset(program, starts, node.lineno, node.col_offset)
            indent = program[line_start:start]
            if not indent.strip():
                found.append(Spot(line_start, line_start, indent))
    return found


def plant(program: str, spot: Spot, planting: Planting, name: str) -> str:
    """Replace the expression at `spot`, or insert a statement before it (an assignment of an expression)."""
    if spot.start != spot.end:
        assert not planting.statements
        return program[: spot.start] + planting.code + program[spot.end :]
    text = program if not program or program.endswith(("\n", "\r")) else program + "\n"
    start = min(spot.start, len(text))
    code = planting.code if planting.statements else f"{name} = {planting.code}"
    code = code if code.endswith("\n") else code + "\n"
    lines = "".join(spot.indent + line for line in code.splitlines(keepends=True))
    return text[:start] + lines + text[start:]


@st.composite
def planted_programs(draw: st.DrawFn, plantings: st.SearchStrategy[Planting]) -> str:
    program = draw(GENERATED)
    for index in range(draw(st.integers(1, 4))):
        planting = draw(plantings)
        places = [spot for spot in spots(program) if spot.start == spot.end or not planting.statements]
        candidate = plant(program, draw(st.sampled_from(places)), planting, f"PLANTED_{index}")
        if _valid(candidate):
            program = candidate
    return program


def _parse_quietly(program: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warnings of generated code are not ours
        return ast.parse(program)


def _valid(program: str) -> bool:
    """Valid Python: CPython compiles it (to bytecode, which also rejects `return` outside a function)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(program, "<planted>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


LEGACY_PROGRAMS = planted_programs(LEGACY)
NEAR_MISS_PROGRAMS = planted_programs(NEAR_MISS)
ISSUER_HOSTS = st.sampled_from([None, HOST])


# --------------------------------------------------------------------------- running the tool


def request(issuer_host: str | None = None) -> LintRequest:
    return LintRequest(
        codes=ALL_CODES,
        enabled=ALL_CODES,
        rule_options=RuleOptions(issuer_host=issuer_host),
        report_unused_suppressions=True,
    )


def lint(text: str, issuer_host: str | None = None) -> list[Finding] | None:
    """The findings, or None when the text is not something LibCST reads (allowed)."""
    try:
        return lint_source(SourceText(text, "utf-8"), "generated.py", CATALOG, request(issuer_host))
    except SourceError:
        return None


def fix(source: SourceText, issuer_host: str | None = None) -> FixOutcome | None:
    try:
        return fix_source(source, "generated.py", CATALOG, request(issuer_host))
    except SourceError:
        return None


def fix_text(text: str, issuer_host: str | None = None) -> FixOutcome:
    """Fix a generated program; one LibCST cannot read is not an example (nothing to fix)."""
    outcome = fix(SourceText(text, "utf-8"), issuer_host)
    assume(outcome is not None)
    return outcome


def fix_again(text: str, issuer_host: str | None = None) -> FixOutcome:
    """Fix the output of fix: it must be readable."""
    outcome = fix(SourceText(text, "utf-8"), issuer_host)
    assert outcome is not None, f"LibCST cannot read the fixed code:\n{text}"
    return outcome


def fixable(findings: list[Finding]) -> list[Finding]:
    """What `fix` (without --unsafe-fixes) would still apply."""
    return [
        finding
        for finding in findings
        if finding.fix is not None and finding.suppressed_by is None and finding.fix.applicability is Applicability.SAFE
    ]


def record(findings: list[Finding]) -> None:
    """Let `--hypothesis-show-statistics` tell how many examples really had something to fix."""
    event("fixable findings: " + ("none" if not fixable(findings) else "some"))
    for code in sorted({finding.rule for finding in findings}):
        event(f"rule {code}")


def assert_well_formed(findings: list[Finding], text: str) -> None:
    lines = len(SourceText(text, "utf-8").line_starts)
    for finding in findings:
        assert 1 <= finding.line <= finding.end_line <= lines, finding
        assert finding.column >= 1 and finding.message, finding
        for edit in finding.fix.edits if finding.fix else ():
            assert 0 <= edit.start <= edit.end <= len(text), (finding, edit)


def crlf(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def before_statement_lines(program: str, insertion: Callable[[str], str]) -> str:
    """`insertion(indent)` put at the start of every line that starts a statement."""
    places = {(spot.start, spot.indent) for spot in spots(program) if spot.start == spot.end and spot.start < len(program)}
    for start, indent in sorted(places, reverse=True):
        program = program[:start] + insertion(indent) + program[start:]
    return program


def form_feeds(program: str) -> str:
    """A form feed before every statement (valid: CPython starts counting the indentation again after it)."""
    return before_statement_lines(program, lambda indent: "\f")


def backslash_lines(program: str) -> str:
    """A line holding only a backslash continuation before every statement (valid, and rare)."""
    return before_statement_lines(program, lambda indent: indent + "\\\n")


# --------------------------------------------------------------------------- the properties


@FUZZ
@given(program=st.one_of(GENERATED, LEGACY_PROGRAMS, NEAR_MISS_PROGRAMS), issuer_host=ISSUER_HOSTS)
def test_check_never_raises(program: str, issuer_host: str | None) -> None:
    findings = lint(program, issuer_host)  # any exception but SourceError fails the test
    event("read by LibCST" if findings is not None else "SourceError")
    if findings is not None:
        record(findings)
        assert_well_formed(findings, program)


def assert_parses_and_compiles(text: str) -> None:
    parse(text)  # a SourceError here fails the test
    assert compiles(text), f"the fixed code does not compile:\n{text}"


def assert_nothing_fixable_left(outcome: FixOutcome, issuer_host: str | None) -> None:
    assert outcome.problem is None, outcome.problem
    assert fixable(outcome.remaining) == []
    assert fixable(lint(outcome.text, issuer_host) or []) == []


def assert_idempotent(outcome: FixOutcome, issuer_host: str | None) -> None:
    again = fix_again(outcome.text, issuer_host)
    assert again.fixed == {}, again.fixed
    assert again.text == outcome.text


# One test for the three properties of fixing legacy code: each example is fixed
# once (the expensive part) and then judged three ways.
@FUZZ
@given(program=LEGACY_PROGRAMS, issuer_host=ISSUER_HOSTS)
def test_fixed_code_parses_settles_and_is_idempotent(program: str, issuer_host: str | None) -> None:
    outcome = fix_text(program, issuer_host)
    record(outcome.initial)
    assert_parses_and_compiles(outcome.text)
    assert_nothing_fixable_left(outcome, issuer_host)
    assert_idempotent(outcome, issuer_host)


@FUZZ
@given(program=st.one_of(GENERATED, NEAR_MISS_PROGRAMS), issuer_host=ISSUER_HOSTS, bom=st.booleans(), ending=st.sampled_from(["\n", "\r\n"]))
def test_a_file_without_fixable_findings_is_byte_identical_after_fix(
    program: str, issuer_host: str | None, bom: bool, ending: str
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + (program if ending == "\n" else crlf(program)).encode("utf-8")
    source = SourceText.decode(data)
    outcome = fix(source, issuer_host)
    assume(outcome is not None)
    record(outcome.initial)
    assume(not fixable(outcome.initial))
    assert outcome.fixed == {}
    assert source.encode(outcome.text) == data


@FUZZ
@given(program=LEGACY_PROGRAMS, issuer_host=ISSUER_HOSTS, bom=st.booleans())
def test_line_endings_and_bom_do_not_change_the_fix(program: str, issuer_host: str | None, bom: bool) -> None:
    lf = fix_text(program, issuer_host)
    prefix = b"\xef\xbb\xbf" if bom else b""
    source = SourceText.decode(prefix + crlf(program).encode("utf-8"))
    windows = fix(source, issuer_host)
    assert windows is not None, "LibCST reads the LF file but not the CRLF one"
    assert source.encode(windows.text) == prefix + crlf(lf.text).encode("utf-8")
    assert windows.fixed == lf.fixed


@settings(FUZZ, phases=[Phase.explicit, Phase.generate])  # a known failure: do not spend minutes shrinking it
@given(program=LEGACY_PROGRAMS, issuer_host=ISSUER_HOSTS)
@example(program='SCOPE = "openid banno"\n', issuer_host=None)
@example(program='def f():\n    return "openid banno"\n', issuer_host=None)
def test_form_feeds_do_not_change_the_fix(program: str, issuer_host: str | None) -> None:
    assume("\f" not in program)
    plain = fix_text(program, issuer_host)
    paged = form_feeds(program)
    assume(_valid(paged))
    outcome = fix(SourceText(paged, "utf-8"), issuer_host)
    assume(outcome is not None)  # LibCST does not read every valid file: then it is one line of error, not a fix
    assert outcome.text.replace("\f", "") == plain.text
    assert outcome.text.count("\f") == paged.count("\f")
    assert outcome.fixed == plain.fixed



@settings(FUZZ, phases=[Phase.explicit, Phase.generate])  # a known failure: do not spend minutes shrinking it
@given(program=LEGACY_PROGRAMS, issuer_host=ISSUER_HOSTS)
@example(program='SCOPE = "openid banno"\n', issuer_host=None)
def test_backslash_continuation_lines_do_not_change_the_fix(program: str, issuer_host: str | None) -> None:
    plain = fix_text(program, issuer_host)
    continued = backslash_lines(program)
    assume(_valid(continued))
    outcome = fix(SourceText(continued, "utf-8"), issuer_host)
    assume(outcome is not None)  # LibCST does not read every valid file: then it is one line of error, not a fix
    assert outcome.text == backslash_lines(plain.text)
    assert outcome.fixed == plain.fixed


def test_long_fuzz_find_a_comment_and_a_lone_backslash_before_legacy_code() -> None:
    """Found by the long run of test_fixed_code_parses_settles_and_is_idempotent (see docs/fault-matrix.md)."""
    program = (
        "#\\\n\\\npass\nimport jwt\n"
        'claims = jwt.decode(id_token, key, algorithms=["RS256"], issuer="https://www.banno.com/a/consumer/api/oidc")\n'
        'institution_id = claims["institution_id"]\n'
    )
    outcome = fix_again(program)
    assert_parses_and_compiles(outcome.text)
    assert_nothing_fixable_left(outcome, None)
    assert_idempotent(outcome, None)


# --------------------------------------------------------------------------- slicing (banno_migrate/slicing.py)

# The rules that slicing serves (BM002 and BM005 keep every body, BM100 every comment); their needles, and
# a few words common in generated code, so that bodies are both kept and left out.
SLICED_CODES = frozenset({"BM001", "BM003", "BM004", "BM006", "BM007", "BM008", "BM009"})
NEEDLES = st.lists(st.sampled_from(["oidc/", "banno", "consent", "fragment", "a", "b", "x", "return", "0", "None"]), max_size=3)


@st.composite
def programs_in_definitions(draw: st.DrawFn) -> str:
    """Generated and legacy programs as the bodies of functions, methods and classes: what slicing looks at."""
    units = []
    for index, body in enumerate(draw(st.lists(st.one_of(GENERATED, LEGACY_PROGRAMS), min_size=1, max_size=3))):
        inner = textwrap.indent(body, "    ") if body.strip() else "    pass\n"
        header = draw(st.sampled_from([f"def unit{index}():", f"async def unit{index}():", f"class Unit{index}:"]))
        units.append(f"{header}\n{inner}")
    program = "\n".join(units)
    assume(_valid(program))
    return program


DEFINITIONS = programs_in_definitions()


@FUZZ
@given(program=DEFINITIONS, needles=NEEDLES)
def test_slicing_keeps_every_offset_and_what_it_keeps_parses(program: str, needles: list[str]) -> None:
    sliced = relevant_code(program, needles)
    assume(sliced is not None)  # nothing left out: nothing to check
    assert len(sliced) == len(program)
    assert [match.span() for match in re.finditer(r"\r\n|\r|\n", sliced)] == [
        match.span() for match in re.finditer(r"\r\n|\r|\n", program)
    ]
    assert all(kept == original or kept.isspace() or kept in '0"' for kept, original in zip(sliced, program))
    _parse_quietly(sliced)


@FUZZ
@given(program=DEFINITIONS, issuer_host=ISSUER_HOSTS)
def test_slicing_changes_no_finding(program: str, issuer_host: str | None) -> None:
    def findings(slicing: bool) -> list[Finding] | None:
        sliced_request = LintRequest(
            codes=SLICED_CODES, enabled=SLICED_CODES, rule_options=RuleOptions(issuer_host=issuer_host), slicing=slicing
        )
        try:
            return lint_source(SourceText(program, "utf-8"), "generated.py", CATALOG, sliced_request)
        except SourceError:
            return None

    assume(relevant_code(program, slice_needles(CATALOG, LintRequest(codes=SLICED_CODES))) is not None)
    whole = findings(slicing=False)
    event("with findings" if whole else "without findings")
    assert findings(slicing=True) == whole


# --------------------------------------------------------------------------- read-only walks (analysis/traversal.py)


def _walk_events(module: cst.Module) -> tuple[object, ...]:
    """What each kind of visitor is told (its own on_visit/on_leave, methods for a few classes, formatting
    included or not, a batch), and LibCST's scope and expression-context results, node for node."""
    recorder, calls, with_comments = Recorder(), Calls(), CallsAndComments()
    for visitor in (recorder, calls, with_comments):
        module.visit(visitor)
    batched: list[tuple[str, str, int]] = []
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    wrapper.visit_batched([BatchMember("a", batched), OtherBatchMember("b", batched)])
    wrapper.resolve(ParentNodeProvider)  # after which a batch told of entering nodes only is told from a list
    wrapper.visit_batched([EnteringBatchMember("c", batched), LeavingBatchMember("d", batched)])
    wrapper.visit_batched([EnteringBatchMember("e", batched)])
    scopes = wrapper.resolve(ScopeProvider)
    contexts = wrapper.resolve(ExpressionContextProvider)
    return (
        recorder.events,
        calls.calls,
        with_comments.calls,
        batched,
        {  # but formatting, whose scope no one asks (the scope analysis is not walked into it)
            id(node): (type(scope).__name__, id(getattr(scope, "node", module))) if scope else None
            for node, scope in scopes.items()
            if type(node) not in FORMATTING
        },
        {id(node): context for node, context in contexts.items()},
    )


def _parsed(program: str) -> cst.Module:
    """The program's tree; a program LibCST cannot read is not an example (hypothesis draws another)."""
    try:
        return parse(program)
    except SourceError:
        assume(False)
        raise


@FUZZ
@given(program=st.one_of(GENERATED, DEFINITIONS))
def test_read_only_walks_tell_every_visitor_what_libcsts_walk_tells(program: str) -> None:
    module = _parsed(program)
    theirs = _walk_events(module)
    with read_only_walks():
        ours = _walk_events(module)
    assert ours == theirs


@FUZZ
@given(program=st.one_of(GENERATED, DEFINITIONS))
def test_the_parents_loop_finds_libcsts_expression_contexts(program: str) -> None:
    from banno_migrate.analysis.metadata import ExpressionContextProvider as OurContexts

    module = _parsed(program)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    assert dict(wrapper.resolve(OurContexts)) == dict(wrapper.resolve(ExpressionContextProvider))


# --------------------------------------------------------------------------- positions by statement (analysis/positions.py)


@FUZZ
@given(program=st.one_of(GENERATED, DEFINITIONS))
def test_statements_placed_on_their_own_give_libcsts_positions(program: str) -> None:
    from libcst.metadata import PositionProvider as LibcstPositions

    from banno_migrate.analysis.metadata import PositionProvider
    from banno_migrate.analysis.positions import ModuleCode, StatementPositions

    module = _parsed(program)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True, cache={PositionProvider: ModuleCode(module.code)})
    theirs = wrapper.resolve(LibcstPositions)
    parents = wrapper.resolve(ParentNodeProvider)
    # Each node asked of a fresh provider: one statement falling back to LibCST's pass hides no other.
    # The module's own header and footer lines are in no statement: LibCST's pass places them.
    nodes = nodes_of(*module.body)
    by_statement = 0
    for node in nodes:
        ours = StatementPositions(module, lambda: parents, ModuleCode(module.code))
        assert ours[node] == theirs[node]
        by_statement += ours._all is None
    event("every node placed by its statement" if by_statement == len(nodes) else "some by LibCST's pass")
