"""BM001, BM002, BM004 and BM006 on string values, for front ends other than Python's.

The Python rules (banno_migrate/rules/bm00X_*.py) walk LibCST trees; this module
makes the same decisions on plain data, so that configuration files and
JavaScript need no LibCST. A front end parses its file, describes each string
value it finds as a `Value`, and gets back `ValueFinding`s, which
`Reporter.add` turns into `Finding`s with source-offset edits:

    checks = StringChecks(catalog, request.rule_options, request.codes)
    host = checks.issuer_host(values)          # once per file, over all its values
    reporter = Reporter(catalog, source, path)
    for value in values:
        for found in checks.check(value, host):
            reporter.add(found)
    findings = reporter.findings               # then suppressions, sort, lint.locate

API (nothing here imports LibCST or a parser):

    HOLE                          the character standing for an unknown part of a value
                                  (domain_patterns.HOLE, as in the Python analysis)
    Literal(start, end, source_start, source_end)
                                  value characters [start, end) are written in the literal
                                  at source [source_start, source_end) (quotes included):
                                  a finding is reported at the literal holding its start
    Value(text, offsets, name=None, literals=(), hole_hints={}, elements=None, removal=None)
        text      the decoded value, HOLE for each unknown (interpolated) part
        offsets   len(text) + 1 source offsets: where each character's source starts, then
                  where the last one ends (for a HOLE: where its expression starts)
        name      the key, property, keyword or variable the value is bound to, if any
                  (a list element: the list's name); BM004 trusts names containing "scope"
        literals  see Literal; empty: findings are reported at the matched text itself
        hole_hints  index of a HOLE in text -> the dotted name of what it stands for
                  (`BANNO_BASE + "/oidc/token"`: BM001 trusts a base whose name says Banno)
        elements  when the value is an element of a list: the texts of all the list's
                  elements (itself included), else None
        removal   for a list element: a callable returning the source Edit that removes it
                  from its list (with its comma or line), or None when it cannot
    Entry(name, values, span, removal)
                                  one parameter of a request-like mapping (BM006): its key,
                                  its string values (one, or a list's elements), the source
                                  span of the whole entry, and the Edit removing it (or None)
    ValueEdit(value, start, end, replacement)
                                  replace value.text[start:end]
    ValueFinding(code, value, start, end, edits, applicability, arguments, span=None)
        edits     tuple of ValueEdit / Edit (already in source offsets), or None: no fix
        span      a source span to report at instead of the value's literal
    StringChecks(catalog, options=RuleOptions(), codes=every code)
        .issuer_host(values)            BM002's host: the `issuer_host` option, else the one
                                        host of the file's own Banno endpoint URLs, else None
        .check(value, issuer_host)      BM001, BM002, BM004 and BM006 (a URL or query string
                                        holding both prompt=consent and the scope) in one value
        .check_request(entries, destination)
                                        BM006 in a mapping of parameters: each `prompt` entry of
                                        `consent` beside a scope entry holding `offline_access`
                                        (edits: the prompt entry's removal and each scope token)
        .destination(urls, names)       where such a mapping's request goes (Destination)
    is_prompt(name), is_scope(name)     which keys name the prompt and the scope, and whether an
    asks_consent(name, values)          entry is prompt=consent (BM006 grouping)
    query_parameters(text)              (name, start, end) of each `name=value` of a URL's query
                                        (domain_patterns.query_segments, unnamed parts left out)
    Reporter(catalog, source, path)
        .add(value_finding)             converts and collects; findings at the same place merge
        .findings                       the Findings so far (unsorted, unlocated: sort them,
                                        then call lint.locate as the Python front end does)

An edit is made only where the value's characters are written verbatim in the
source (source[offsets[start]:offsets[end]] == text[start:end]): a span that
holds an escape, a folded line or a HOLE makes the finding fixless, never wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote_plus

from banno_migrate.catalog import Catalog, Domain
from banno_migrate.domain_patterns import (
    HOLE,
    TOKEN_REQUEST_PARAMETERS,
    Destination,
    combined_destination,
    query_parameter_removal,
    query_segments,
)
from banno_migrate.findings import Applicability, Edit, Finding, FindingSet
from banno_migrate.rule_options import RuleOptions
from banno_migrate.source import SourceText

BM001, BM002, BM004, BM006 = "BM001", "BM002", "BM004", "BM006"
CODES = frozenset({BM001, BM002, BM004, BM006})


@dataclass(frozen=True)
class Literal:
    start: int
    end: int
    source_start: int
    source_end: int


@dataclass(frozen=True, eq=False)
class Value:
    text: str
    offsets: Sequence[int]
    name: str | None = None
    literals: tuple[Literal, ...] = ()
    hole_hints: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    elements: tuple[str, ...] | None = None
    removal: Callable[[], Edit | None] | None = None

    def literal_at(self, index: int) -> Literal | None:
        for literal in self.literals:
            if literal.start <= index < literal.end or literal.start == index == literal.end:
                return literal
        return None


@dataclass(frozen=True)
class ValueEdit:
    value: Value
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Entry:
    name: str
    values: tuple[Value, ...]
    span: tuple[int, int]
    removal: Edit | None


@dataclass(frozen=True)
class ValueFinding:
    code: str
    value: Value
    start: int
    end: int
    edits: tuple[ValueEdit | Edit | None, ...] | None
    applicability: Applicability = Applicability.SAFE
    arguments: Mapping[str, Any] = field(default_factory=dict)
    span: tuple[int, int] | None = None




class StringChecks:
    """The four rules' decisions on one file's values (the Python rules, without LibCST)."""

    def __init__(self, catalog: Catalog, options: RuleOptions | None = None, codes: Iterable[str] = CODES) -> None:
        self.domain: Domain = catalog.domain
        self.options = options or RuleOptions()
        self.codes = frozenset(codes) & CODES

    # Entry points.
    def issuer_host(self, values: Iterable[Value]) -> str | None:
        """The `issuer_host` option, else the host of the file's own Banno endpoint URLs when they all share one."""
        return self.domain.text.file_host((value.text for value in values), self.options.issuer_host)

    def check(self, value: Value, issuer_host: str | None = None) -> list[ValueFinding]:
        found: list[ValueFinding] = []
        if BM001 in self.codes:
            found += self._unversioned_endpoints(value)
        if BM002 in self.codes:
            found += self._legacy_issuers(value, issuer_host)
        if BM004 in self.codes:
            found += self._banno_scope(value)
        if BM006 in self.codes and "=" in value.text:
            found += self._consent_in_query(value)
        return found

    # BM001
    def _unversioned_endpoints(self, value: Value) -> list[ValueFinding]:
        found = []
        for match in self.domain.text.unversioned_endpoints(value.text, lambda offset: value.hole_hints.get(offset, "")):
            edits = [ValueEdit(value, match.insert_at, match.insert_at, "v0/")]
            if match.rename is not None:
                edits.append(ValueEdit(value, *match.rename))
            arguments = {"found": match.found, "replacement": match.replacement}
            found.append(ValueFinding(BM001, value, match.start, match.end, tuple(edits), match.applicability, arguments))
        return found

    # BM002
    def _legacy_issuers(self, value: Value, host: str | None) -> list[ValueFinding]:
        found = []
        for match in self.domain.text.legacy_issuers(value.text, host):
            if match.replacement is None:
                found.append(ValueFinding(BM002, value, match.start, match.end, None, arguments={"found": match.found}))
                continue
            edit = ValueEdit(value, match.start, match.end, match.replacement)
            arguments = {"found": match.found, "replacement": match.replacement}
            found.append(ValueFinding(BM002, value, match.start, match.end, (edit,), arguments=arguments))
        return found

    # BM004
    def _banno_scope(self, value: Value) -> list[ValueFinding]:
        named_scope = value.name is not None and is_scope(value.name)
        if value.elements is not None:
            if value.text == self.domain.removed_scope and (
                named_scope or any(text in self.domain.standard_scopes for text in value.elements)
            ):
                removal = value.removal() if value.removal is not None else None
                return [ValueFinding(BM004, value, 0, len(value.text), None if removal is None else (removal,))]
            return []
        return [
            ValueFinding(BM004, value, token.start, token.end, (ValueEdit(value, *token.removal, ""),) if token.removal else None)
            for token in self.domain.text.banno_scope_tokens(value.text, named_scope)
        ]

    # BM006
    def _consent_in_query(self, value: Value) -> list[ValueFinding]:
        """A URL or query string that asks for a refresh token the legacy way."""
        parameters = query_parameters(value.text)
        names = {name for name, _, _ in parameters}
        if names & TOKEN_REQUEST_PARAMETERS or not {"prompt", "scope"} <= names:
            return []
        destination = self._url_destination(value) if "?" in value.text else Destination.UNKNOWN
        if destination is Destination.OTHER:
            return []
        scope_start, scope_end = next((start, end) for name, start, end in parameters if name == "scope")
        replacements = self._offline_replacements(value, scope_start, scope_end, in_query=True)
        if not replacements:
            return []
        found = []
        for name, start, end in parameters:
            value_start = start + len(name) + 1
            if name == "prompt" and unquote_plus(value.text[value_start:end]) == "consent":
                removal = _query_parameter_removal(value, start, end)
                found.append(self._consent_finding(value, start, end, (removal, *replacements), destination))
        return found

    def check_request(self, entries: Sequence[Entry], destination: Destination) -> list[ValueFinding]:
        """BM006 in a mapping of parameters: a `prompt` entry of `consent` beside a scope with `offline_access`.

        The front end groups the entries (a JSON object, a YAML mapping, an INI
        section, a .env file) and judges their destination (`destination`).
        """
        if BM006 not in self.codes or destination is Destination.OTHER:
            return []
        replacements = [
            edit
            for entry in entries
            if is_scope(entry.name)
            for value in entry.values
            for edit in self._offline_replacements(value, 0, len(value.text), in_query=False)
        ]
        if not replacements:
            return []
        return [
            self._consent_finding(entry.values[0], 0, len(entry.values[0].text), (entry.removal, *replacements), destination, entry.span)
            for entry in entries
            if asks_consent(entry.name, entry.values)
        ]

    def destination(self, urls: Iterable[Value], names: Iterable[str] = ()) -> Destination:
        """Banno when a URL has Banno's API path or a name says Banno; other when every URL is known to be
        another's; else unknown (judged by path, not host: institutions serve Banno from their own domains)."""
        kinds = (self._url_destination(url) for url in urls)
        return combined_destination(kinds, named_banno=any("banno" in name.lower() for name in names))

    def _url_destination(self, url: Value) -> Destination:
        path = url.text.split("?", 1)[0]
        holes = (url.hole_hints.get(index, "") for index, char in enumerate(path) if char == HOLE)
        return self.domain.text.url_destination(path, holes)

    def _offline_replacements(self, value: Value, start: int, end: int, *, in_query: bool) -> list[ValueEdit]:
        """Replace each bare `offline_access` by Banno's scope (percent-encoded in a query without raw spaces)."""
        scope = self.domain.text.offline_scope(value.text[start:end], in_query)
        return [ValueEdit(value, *span, scope) for span in self.domain.text.legacy_offline_tokens(value.text, start, end)]

    def _consent_finding(
        self,
        value: Value,
        start: int,
        end: int,
        edits: tuple[ValueEdit | Edit | None, ...],
        destination: Destination,
        span: tuple[int, int] | None = None,
    ) -> ValueFinding:
        # Banno's scope would break a request that turns out to be another provider's: a person
        # confirms when the file does not show where the request goes.
        applicability = Applicability.SAFE if destination is Destination.BANNO else Applicability.UNSAFE
        arguments = {"scope": self.domain.offline_access_scope}
        return ValueFinding(BM006, value, start, end, edits, applicability, arguments, span)


def is_prompt(name: str) -> bool:
    """`prompt`, `PROMPT`, `BANNO_PROMPT`, `oidcPrompt`: a key that names the prompt parameter."""
    return name.lower().endswith("prompt")


def asks_consent(name: str, values: Sequence[Value]) -> bool:
    """A prompt entry whose one value is `consent`."""
    return is_prompt(name) and len(values) == 1 and values[0].text == "consent"


def is_scope(name: str) -> bool:
    """`scope`, `scopes`, `BANNO_SCOPE`, `defaultScopes`: a key that holds scopes."""
    return "scope" in name.lower()


def query_parameters(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each `name=value` of a URL's query or of a bare query string."""
    return [(name, start, end) for name, start, end in query_segments(text) if name is not None]


def _query_parameter_removal(value: Value, start: int, end: int) -> ValueEdit | None:
    removal = query_parameter_removal(value.text, start, end)
    return ValueEdit(value, *removal, "") if removal is not None else None


class Reporter:
    """Turns ValueFindings into Findings of one file; findings at the same place merge (like RuleContext.add)."""

    def __init__(self, catalog: Catalog, source: SourceText, path: str) -> None:
        self.catalog = catalog
        self.source = source
        self.path = path
        self._reported = FindingSet()

    @property
    def findings(self) -> list[Finding]:
        return self._reported.findings

    def add(self, found: ValueFinding) -> None:
        start, end = found.span or self._location(found)
        self.add_at(found.code, start, end, found.edits, found.applicability, **found.arguments)

    def add_at(
        self,
        code: str,
        start: int,
        end: int,
        edits: Iterable[ValueEdit | Edit | None] | None,
        applicability: Applicability = Applicability.SAFE,
        **arguments: Any,
    ) -> None:
        """A finding at a source span (character offsets)."""
        source_edits = None if edits is None else [self.source_edit(edit) for edit in edits]
        position = self.source.position
        spec = self.catalog.rules[code]
        self._reported.add(spec.finding(self.path, position(start), position(end), source_edits, applicability, **arguments))

    @staticmethod
    def _location(found: ValueFinding) -> tuple[int, int]:
        literal = found.value.literal_at(found.start)
        if literal is not None:
            return literal.source_start, literal.source_end
        return found.value.offsets[found.start], found.value.offsets[found.end]

    def source_edit(self, edit: ValueEdit | Edit | None) -> Edit | None:
        """The edit in source offsets, or None when the value's characters there are not written verbatim."""
        if not isinstance(edit, ValueEdit):
            return edit
        value = edit.value
        start = value.offsets[edit.start]
        # The end is one past the last edited character: the next character may be another literal's.
        end = value.offsets[edit.end - 1] + 1 if edit.end > edit.start else value.offsets[edit.end]
        if self.source.text[start:end] != value.text[edit.start : edit.end]:
            return None  # an escape, a folded line break or an unknown part: no exact edit
        return Edit(start, end, edit.replacement)
