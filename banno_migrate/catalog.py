"""The rule catalog: rules/*.yaml loaded into typed, immutable records.

An installed wheel also carries the catalog compiled to JSON (COMPILED_FILE,
written by hatch_build.py when the wheel is built): it is used when it was
compiled from exactly these YAML files, so a run that only needs the catalog
never imports PyYAML (a quarter of the start-up of a pre-commit run on a clean
file). The rules' examples, which only `rule` and the tests need, stay YAML.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from banno_migrate.findings import Applicability, Edit, Finding, Fix
from banno_migrate.resources import data_dir

if TYPE_CHECKING:
    from banno_migrate.domain_patterns import DomainText

DOMAIN_FILE = "domain.yaml"
COMPILED_FILE = "compiled.json"


class CatalogError(Exception):
    """The shipped catalog is malformed: a bug in banno-migrate, not in the user's input."""


@dataclass(frozen=True)
class Example:
    code: str
    fixed: str | None = None  # None: the finding has no automatic fix here
    config: dict[str, Any] = field(default_factory=dict)
    locations: tuple[str, ...] = ()  # "line:col-end_line:end_col", 1-based, end exclusive
    language: str = "python"  # a name in banno_migrate.languages


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    severity: str
    summary: str
    message: str
    message_without_fix: str
    rationale: str
    guidance: tuple[str, ...]
    fix_safety: Applicability | None
    fix_description: str | None
    triggers: tuple[tuple[bytes, ...], ...]  # any group whose strings all occur lets a file through
    triggers_include_claims: bool  # the custom claim names (catalog + config) are triggers too
    # Trigger strings that count only where a name ends (not followed by a letter, digit or `_`).
    whole_name_triggers: frozenset[bytes]
    requires: tuple[re.Pattern[bytes], ...]  # in Python files, after the triggers: each must match somewhere
    # In Python files too: the ways a finding can come about, each a group of regular expressions that
    # must all match; one group must (no groups: no such condition).
    requires_one_of: tuple[tuple[re.Pattern[bytes], ...], ...]
    skip_paths: re.Pattern[str] | None  # files the rule never checks (matched against the '/'-separated path)
    # Strings besides the triggers whose function bodies slicing keeps; None: the rule needs every body.
    slice_context: tuple[str, ...] | None
    examples: _Examples = field(repr=False, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix_safety is not None

    def finding(
        self,
        path: str,
        start: tuple[int, int],
        end: tuple[int, int],
        edits: Iterable[Edit | None] | None,
        applicability: Applicability = Applicability.SAFE,
        **arguments: Any,
    ) -> Finding:
        """A finding of this rule at start..end, each (1-based line, 0-based column) in the file's text.

        `edits` None: no fix here. An edit that could not be computed (None in
        the list) makes the whole fix unavailable: a fix is never applied half-way.
        """
        edit_list = None if edits is None else list(edits)
        fix = None
        if edit_list and all(edit is not None for edit in edit_list):
            fix = Fix(tuple(sorted(edit_list)), applicability)  # type: ignore[arg-type]
        template = self.message if fix else self.message_without_fix
        return Finding(
            rule=self.code,
            name=self.name,
            severity=self.severity,
            path=path,
            line=start[0],
            column=start[1] + 1,
            end_line=end[0],
            end_column=end[1] + 1,
            message=template.format(**arguments),
            fix=fix,
        )

    @property
    def found(self) -> tuple[Example, ...]:
        return self.examples.load()[0]

    @property
    def not_found(self) -> tuple[Example, ...]:
        return self.examples.load()[1]


@dataclass
class _Examples:
    """A rule's examples, parsed on first use: a lint run never needs them, and they are most of the catalog."""

    text: str  # the `examples:` section of the rule's YAML, which ends the file
    source: Path
    _parsed: tuple[tuple[Example, ...], tuple[Example, ...]] | None = None

    def load(self) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        if self._parsed is None:
            data = _yaml_load(self.text, self.source) or {}
            if set(data) - {"examples"}:
                raise CatalogError(f"{self.source}: `examples:` must be the last key")
            examples = data.get("examples") or {}
            self._parsed = (_examples(examples.get("found")), _examples(examples.get("not_found")))
        return self._parsed


@dataclass(frozen=True)
class Domain:
    legacy_path_prefix: str
    versioned_path_prefix: str
    api_path_prefix: str
    endpoints: dict[str, str]
    legacy_issuers: tuple[str, ...]
    versioned_issuer_template: str
    removed_scope: str
    standard_scopes: frozenset[str]
    legacy_offline_access: str
    offline_access_scope: str
    claim_namespace: str
    custom_claims: tuple[str, ...]
    standard_claims: frozenset[str]

    @property
    def legacy_issuer_hosts(self) -> frozenset[str]:
        """www.banno.com and uat.banno.com: never an institution's host."""
        return frozenset(issuer.split("/")[2] for issuer in self.legacy_issuers)

    @cached_property
    def text(self) -> DomainText:
        """The string rules' decisions on a value's text (BM001, BM002), shared by every front end."""
        from banno_migrate.domain_patterns import DomainText

        return DomainText(self)

    @property
    def endpoint_host_pattern(self) -> str:
        """A regex whose group 1 is the host of a Banno endpoint URL (`https://<host>/a/consumer/api...`)."""
        return r"https?://([A-Za-z0-9.\-]+(?::\d+)?)" + re.escape(self.api_path_prefix) + r"(?=[/?#'\"\s]|$)"


@dataclass(frozen=True)
class Catalog:
    rules: dict[str, RuleSpec]  # by code, sorted
    domain: Domain
    fingerprint: str = ""  # a hash of the catalog files: cached results from another catalog are not reused

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.rules)


def _require(data: dict[str, Any], key: str, source: Path) -> Any:
    try:
        return data[key]
    except KeyError:
        raise CatalogError(f"{source}: missing key '{key}'") from None


def _examples(raw: list[dict[str, Any]] | None) -> tuple[Example, ...]:
    return tuple(
        Example(
            code=item["code"],
            fixed=item.get("fixed"),
            config=item.get("config", {}),
            locations=tuple(item.get("locations", ())),
            language=item.get("language", "python"),
        )
        for item in raw or ()
    )


def _trigger_group(item: str | list[str], source: Path) -> tuple[bytes, ...]:
    """A trigger is a string, or a list of strings that must all occur (none empty: an empty one would
    let every file through, the prefilter's automaton refuses it)."""
    texts = [item] if isinstance(item, str) else item
    if not isinstance(texts, list) or not texts or not all(isinstance(text, str) and text for text in texts):
        raise CatalogError(f"{source}: a trigger must be a non-empty string or a non-empty list of them")
    return tuple(text.encode() for text in texts)


def _whole_name_triggers(names: Any, triggers: tuple[tuple[bytes, ...], ...], source: Path) -> frozenset[bytes]:
    strings = {text for group in triggers for text in group}
    if not isinstance(names, list) or not all(isinstance(name, str) and name.encode() in strings for name in names):
        raise CatalogError(f"{source}: whole_name_triggers must be a list of the rule's trigger strings")
    return frozenset(name.encode() for name in names)


def _regex(pattern: str | bytes, source: Path) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CatalogError(f"{source}: invalid regular expression {pattern!r}: {exc}") from None


def _requires_one_of(value: Any, source: Path) -> tuple[tuple[re.Pattern[bytes], ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(group, list) and group and all(isinstance(pattern, str) and pattern for pattern in group)
        for group in value
    ):
        raise CatalogError(f"{source}: requires_one_of must be a list of lists of regular expressions")
    return tuple(tuple(_regex(pattern.encode(), source) for pattern in group) for group in value)


def _slice_context(value: Any, source: Path) -> tuple[str, ...] | None:
    if value == "whole-file":
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise CatalogError(f"{source}: slice_context must be a list of strings or 'whole-file'")
    return tuple(value)


def _rule(data: dict[str, Any], examples: _Examples, source: Path) -> RuleSpec:
    fix = data.get("fix") or {}
    message = _require(data, "message", source)
    triggers = tuple(_trigger_group(item, source) for item in data.get("triggers", ()))
    return RuleSpec(
        code=_require(data, "id", source),
        name=_require(data, "name", source),
        severity=_require(data, "severity", source),
        summary=_require(data, "summary", source),
        message=message,
        message_without_fix=data.get("message_without_fix", message),
        rationale=_require(data, "rationale", source),
        guidance=tuple(_require(data, "guidance", source)),
        fix_safety=Applicability(fix["safety"]) if fix.get("safety") else None,
        fix_description=fix.get("description"),
        triggers=triggers,
        triggers_include_claims=bool(data.get("triggers_include_claims", False)),
        whole_name_triggers=_whole_name_triggers(data.get("whole_name_triggers", []), triggers, source),
        requires=tuple(_regex(pattern.encode(), source) for pattern in data.get("requires", ())),
        requires_one_of=_requires_one_of(data.get("requires_one_of", []), source),
        skip_paths=_regex(data["skip_paths"], source) if data.get("skip_paths") else None,
        slice_context=_slice_context(data.get("slice_context", []), source),
        examples=examples,
    )


def _domain(data: dict[str, Any]) -> Domain:
    scopes, claims = data["scopes"], data["claims"]
    return Domain(
        legacy_path_prefix=data["legacy_path_prefix"],
        versioned_path_prefix=data["versioned_path_prefix"],
        api_path_prefix=data["api_path_prefix"],
        endpoints=dict(data["endpoints"]),
        legacy_issuers=tuple(data["legacy_issuers"]),
        versioned_issuer_template=data["versioned_issuer_template"],
        removed_scope=scopes["removed"],
        standard_scopes=frozenset(scopes["standard"]),
        legacy_offline_access=scopes["legacy_offline_access"],
        offline_access_scope=scopes["offline_access"],
        claim_namespace=claims["namespace"],
        custom_claims=tuple(claims["custom"]),
        standard_claims=frozenset(claims["standard"]),
    )


def _yaml_load(text: str, source: Path) -> Any:
    import yaml

    # libyaml's C loader, when PyYAML has it, parses the catalog several times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: {exc}") from None


@cache
def load_catalog(directory: Path | None = None) -> Catalog:
    directory = directory or data_dir("rules")
    texts = _read_texts(directory)
    fingerprint = _fingerprint(texts)
    heads = _compiled_heads(directory / COMPILED_FILE, fingerprint)
    rules: dict[str, RuleSpec] = {}
    domain: Domain | None = None
    for name, text in texts.items():
        path = directory / name
        head, examples = _split(text)
        data = heads[name] if heads is not None else _yaml_load(head, path)
        if not isinstance(data, dict):
            raise CatalogError(f"{path}: a rule file must be a mapping of its keys (id, name, message...)")
        if name == DOMAIN_FILE:
            domain = _domain(data)
        else:
            spec = _rule(data, _Examples(examples, path), path)
            rules[spec.code] = spec
    if domain is None:
        raise CatalogError(f"{directory}: missing {DOMAIN_FILE}")
    return Catalog(rules=dict(sorted(rules.items())), domain=domain, fingerprint=fingerprint)


def compile_catalog(directory: Path) -> str:
    """The JSON of COMPILED_FILE for the YAML files of `directory` (see hatch_build.py)."""
    import json

    texts = _read_texts(directory)
    heads = {name: _yaml_load(_split(text)[0], directory / name) for name, text in texts.items()}
    return json.dumps({"fingerprint": _fingerprint(texts), "heads": heads}, sort_keys=True)


def _read_texts(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.yaml"))}


def _fingerprint(texts: dict[str, str]) -> str:
    """Names and texts: a renamed, added or emptied file is another catalog."""
    digest = hashlib.blake2b(digest_size=12)
    for name, text in texts.items():
        digest.update(f"{len(name)}:{name}{len(text)}:".encode())
        digest.update(text.encode())
    return digest.hexdigest()


def _split(text: str) -> tuple[str, str]:
    """A rule's YAML before its `examples:` section (which ends the file), and that section."""
    head, marker, tail = text.partition("\nexamples:")
    return head, marker.lstrip("\n") + tail


def _compiled_heads(path: Path, fingerprint: str) -> dict[str, Any] | None:
    """The parsed YAML of each file, when `path` was compiled from these very files."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None  # a source checkout: the YAML is read
    import json

    try:
        compiled = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(compiled, dict) or compiled.get("fingerprint") != fingerprint:
        return None  # compiled from other YAML (a catalog being edited): the YAML is the truth
    return compiled.get("heads")
