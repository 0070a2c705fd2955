"""Every example in rules/*.yaml, run as a test (Fixit's VALID/INVALID, as data).

- found: the rule reports it (at `locations`, if given), and `fix` writes
  exactly `fixed` (or changes nothing when the example has no `fixed`);
  the fixed code parses and a second fix changes nothing.
- not_found: the rule stays silent.

An example's `language` (default python) picks the front end that reads it.
"""

from __future__ import annotations

import pytest

from banno_migrate.catalog import Example, RuleSpec, load_catalog
from banno_migrate.fixer import fix_source
from banno_migrate.languages import BY_NAME, LintRequest
from banno_migrate.prefilter import Prefilter
from banno_migrate.rules.base import RuleOptions
from banno_migrate.suppressions import UNUSED_SUPPRESSION

CATALOG = load_catalog()


def _cases(kind: str) -> list:
    return [
        pytest.param(spec, example, id=f"{spec.code}-{kind}-{_case_language(example)}{index}")
        for spec in CATALOG.rules.values()
        for index, example in enumerate(getattr(spec, kind))
    ]


def _case_language(example: Example) -> str:
    return "" if example.language == "python" else f"{example.language}-"


def _file_name(example: Example) -> str:
    """A name the example's language claims: `example.py`, `example.js`, `.env`..."""
    return BY_NAME[example.language].patterns[0].replace("*", "example")


def _frontend(example: Example):
    return BY_NAME[example.language].load()


def _lint(spec: RuleSpec, example: Example, text: str):
    frontend = _frontend(example)
    return frontend.lint_source(frontend.decode(text.encode()), _file_name(example), CATALOG, _request(spec, example))


def _fix(spec: RuleSpec, example: Example, text: str, *, unsafe_fixes: bool = False):
    frontend = _frontend(example)
    source = frontend.decode(text.encode())
    request = _request(spec, example)
    return fix_source(source, _file_name(example), CATALOG, request, unsafe_fixes=unsafe_fixes, frontend=frontend)


def _request(spec: RuleSpec, example: Example) -> LintRequest:
    # Suppression examples need every rule running, to see what a comment silences.
    every = BY_NAME[example.language].applicable(frozenset(CATALOG.rules))
    codes = every if spec.code == UNUSED_SUPPRESSION else frozenset({spec.code})
    return LintRequest(
        codes=codes,
        enabled=every,
        rule_options=RuleOptions(
            issuer_host=example.config.get("issuer-host"),
            extra_claims=tuple(example.config.get("extra-claims", ())),
        ),
        report_unused_suppressions=True,
        language=example.language,
    )


def _findings(spec: RuleSpec, example: Example):
    findings = _lint(spec, example, example.code)
    return [f for f in findings if f.rule == spec.code and f.suppressed_by is None]


@pytest.mark.parametrize(("spec", "example"), _cases("found"))
def test_found(spec: RuleSpec, example: Example) -> None:
    findings = _findings(spec, example)
    assert findings, f"{spec.code} should report:\n{example.code}"
    if example.locations:
        assert [f"{f.line}:{f.column}-{f.end_line}:{f.end_column}" for f in findings] == list(example.locations)
    assert all(f.message and "{" not in f.message for f in findings)

    unsafe = bool(example.config.get("unsafe-fixes"))  # the fix is unsafe: `fixed` is what --unsafe-fixes writes
    if unsafe:
        safe_only = _fix(spec, example, example.code)
        assert safe_only.text == example.code, "this example's fix should need --unsafe-fixes"
    outcome = _fix(spec, example, example.code, unsafe_fixes=unsafe)
    assert outcome.problem is None
    if example.fixed is None:
        assert outcome.text == example.code, "this example has no automatic fix"
        assert not any(f.fixable for f in findings)
    else:
        assert outcome.text == example.fixed
        _lint(spec, example, outcome.text)  # parses
        again = _fix(spec, example, outcome.text, unsafe_fixes=unsafe)
        assert again.text == outcome.text, "fix is not idempotent"
        assert not [f for f in again.remaining if f.rule == spec.code and f.fixable], "fix left fixable findings"


@pytest.mark.parametrize(("spec", "example"), _cases("found"))
def test_found_examples_pass_the_prefilter(spec: RuleSpec, example: Example) -> None:
    extra_claims = tuple(example.config.get("extra-claims", ()))
    candidates = Prefilter(CATALOG, extra_claims).candidates(
        example.code.encode(), frozenset({spec.code}), python=example.language == "python"
    )
    assert spec.code in candidates, "the prefilter would skip this file: add a trigger to the rule's YAML"


@pytest.mark.parametrize(
    ("spec", "example"), [case for case in _cases("not_found") if case.values[1].language != "python"]
)
def test_not_found_examples_reach_the_rule(spec: RuleSpec, example: Example) -> None:
    """A "must not find" example the prefilter would skip never runs the rule's code in a real run.

    (JavaScript and configuration files; many older Python examples show what needs no trigger.)
    """
    candidates = Prefilter(CATALOG).candidates(example.code.encode(), frozenset({spec.code}), python=False)
    assert spec.code in candidates, "the prefilter skips this example: give it the trigger it is about"


@pytest.mark.parametrize(("spec", "example"), _cases("not_found"))
def test_not_found(spec: RuleSpec, example: Example) -> None:
    assert _findings(spec, example) == []


@pytest.mark.parametrize("spec", list(CATALOG.rules.values()), ids=lambda spec: spec.code)
def test_every_rule_has_examples_both_ways(spec: RuleSpec) -> None:
    assert len(spec.found) >= 4 and len(spec.not_found) >= 4
    # ...in every language the rule is shown to find something in: what it must not find there too.
    silent_languages = {example.language for example in spec.not_found}
    assert {example.language for example in spec.found} <= silent_languages
    if spec.fixable:
        assert any(example.fixed for example in spec.found), "a fixable rule shows its fix"


def test_catalog_and_implementations_match() -> None:
    from banno_migrate.rules import RULES_BY_CODE

    assert set(RULES_BY_CODE) | {UNUSED_SUPPRESSION} == set(CATALOG.rules)
