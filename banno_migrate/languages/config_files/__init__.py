"""The front end for configuration files: JSON, YAML, TOML, INI and .env.

Legacy Banno integrations keep their endpoints, issuer and scopes in
configuration. Each format is read with a parser that keeps positions
(tree-sitter for JSON, YAML and TOML; exact line readers for INI and .env)
into one model (model.py): mappings, sequences and string scalars whose every
character knows its source offset. Only values are judged, never keys or
comments, with the Python rules' decisions (languages/string_checks.py):

- BM001, BM002, BM004 on each string value; BM002's host is the `issuer_host`
  option or the one host of the file's own Banno endpoint URLs;
- BM006 in a URL or query string, and in a mapping (object, table, section,
  the variables of a .env file) holding a `prompt` of `consent` beside a scope
  with `offline_access`; the scope is looked for in the prompt's mapping, then
  in the mappings around it;
- suppression comments (`# banno-migrate: ignore[...]`, `# noqa: BM001`, and
  `;` comments in INI) on a finding's first line, and BM100.

banno-migrate's own outputs (a SARIF log, the JSON report, a baseline) quote
legacy URLs in their messages: they are recognised by their content and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Callable, Iterator

from banno_migrate.catalog import Catalog
from banno_migrate.findings import Finding, Suppression
from banno_migrate.finish import finish
from banno_migrate.languages import LintRequest
from banno_migrate.languages.config_files.model import Container, Document, Item, Node, Removal, Scalar
from banno_migrate.languages.string_checks import (
    Destination,
    Entry,
    Literal,
    Reporter,
    StringChecks,
    Value,
    asks_consent,
    is_scope,
)
from banno_migrate.source import SourceError, SourceText
from banno_migrate.suppressions import parse_comment

# Language -> (module, reader): each is imported on first use, so a run over JSON files imports no YAML reader.
_READERS: dict[str, tuple[str, str]] = {
    "json": ("banno_migrate.languages.config_files.json_toml", "read_json"),
    "yaml": ("banno_migrate.languages.config_files.yaml_format", "read_yaml"),
    "toml": ("banno_migrate.languages.config_files.json_toml", "read_toml"),
    "ini": ("banno_migrate.languages.config_files.line_formats", "read_ini"),
    "dotenv": ("banno_migrate.languages.config_files.line_formats", "read_dotenv"),
}
_ABSOLUTE_URL = re.compile(r"[A-Za-z][\w+.\-]*://")
# Keys of URLs that are the client's own, not where an authorization request goes.
_CLIENT_URL_KEYS = ("redirect", "callback", "return", "logout")


def decode(data: bytes) -> SourceText:
    return SourceText.decode_utf8(data)


def verify(text: str) -> None:
    """Nothing to add: the fix loop's lint_source has re-read the fixed text with its format's parser."""


def lint_source(
    source: SourceText, path: str, catalog: Catalog, request: LintRequest, file: Path | None = None
) -> list[Finding]:
    """All findings of one configuration file, suppressed ones marked (not dropped). Raises SourceError."""
    document = _reader(request.language)(source.text)
    if _is_own_output(document):
        return []
    checks = StringChecks(catalog, request.rule_options, request.codes)
    values = _Values(document)
    reporter = Reporter(catalog, source, path)
    host = checks.issuer_host(values.all)
    for value in values.all:
        for found in checks.check(value, host):
            reporter.add(found)
    for mapping, prompt in values.prompts():
        if grouped := _request(checks, mapping, prompt):
            for found in checks.check_request(*grouped):
                reporter.add(found)
    return finish(reporter.findings, _suppressions(document, source), source, path, catalog, request)


@cache
def _reader(language: str) -> Callable[[str], Document]:
    if language not in _READERS:
        raise SourceError(f"'{language}' is not a configuration format")
    module, function = _READERS[language]
    return getattr(import_module(module), function)


def _is_own_output(document: Document) -> bool:
    """A SARIF log, our JSON report or our baseline: they quote legacy URLs in messages."""
    root = document.roots[0] if len(document.roots) == 1 else None
    if not isinstance(root, Container) or not root.mapping:
        return False
    keys = {item.key: item.node for item in root.items}
    schema = keys.get("$schema")
    if "runs" in keys and ("version" in keys or isinstance(schema, Scalar) and "sarif" in schema.text.lower()):
        return True
    tool = keys.get("tool")
    tool_texts = [tool.text] if isinstance(tool, Scalar) else [node.text for node in _scalars(tool)]
    return "findings" in keys and "banno-migrate" in tool_texts


def _scalars(node: Node) -> Iterator[Scalar]:
    if isinstance(node, Scalar):
        yield node
    elif isinstance(node, Container):
        for item in node.items:
            yield from _scalars(item.node)


# The values of a document, and the mappings they sit in.
@dataclass
class _Mapping:
    parent: _Mapping | None
    key: str | None
    entries: list[tuple[Item, tuple[Value, ...]]] = field(default_factory=list)  # values held by its own keys
    children: list[_Mapping] = field(default_factory=list)

    def lineage(self) -> Iterator[_Mapping]:
        mapping: _Mapping | None = self
        while mapping is not None:
            yield mapping
            mapping = mapping.parent

    def subtree(self) -> Iterator[tuple[Item, tuple[Value, ...]]]:
        yield from self.entries
        for child in self.children:
            yield from child.subtree()


class _Values:
    """Every string value of a document as a `Value`, named after its key (a list's element: the list's key)."""

    def __init__(self, document: Document) -> None:
        self.all: list[Value] = []
        root = _Mapping(None, None)
        self.mappings: list[_Mapping] = [root]
        for node in document.roots:
            self._node(node, None, root)

    def _node(self, node: Node, name: str | None, mapping: _Mapping) -> tuple[Value, ...]:
        if isinstance(node, Scalar):
            return (self._value(node, name),)
        if isinstance(node, Container) and node.mapping:
            inner = _Mapping(mapping, name)
            mapping.children.append(inner)
            self.mappings.append(inner)
            for item in node.items:
                values = self._node(item.node, item.key, inner)
                if item.key is not None and values:
                    inner.entries.append((item, values))
            return ()
        if isinstance(node, Container):
            elements = tuple(item.node.text for item in node.items if isinstance(item.node, Scalar))
            values: list[Value] = []
            for item in node.items:
                if isinstance(item.node, Scalar):
                    values.append(self._value(item.node, name, elements, item.removal))
                else:
                    self._node(item.node, name, mapping)
            return tuple(values)
        return ()

    def _value(
        self, scalar: Scalar, name: str | None, elements: tuple[str, ...] | None = None, removal: Removal | None = None
    ) -> Value:
        literals = (Literal(0, len(scalar.text), *scalar.span),) if scalar.report_at_literal else ()
        value = Value(scalar.text, scalar.offsets, name, literals, scalar.hole_hints, elements, removal)
        self.all.append(value)
        return value

    def prompts(self) -> Iterator[tuple[_Mapping, tuple[Item, tuple[Value, ...]]]]:
        for mapping in self.mappings:
            for entry in mapping.entries:
                item, values = entry
                if asks_consent(item.key or "", values):
                    yield mapping, entry


def _request(
    checks: StringChecks, mapping: _Mapping, prompt: tuple[Item, tuple[Value, ...]]
) -> tuple[list[Entry], Destination] | None:
    """The entries of the request a prompt belongs to, and where it goes; None without a scope.

    The request is the nearest mapping around the prompt (its own first) that
    has a scope somewhere inside; its URLs (not the client's own redirect or
    logout URLs) and the names around it say where the request goes.
    """
    item, values = prompt
    for candidate in mapping.lineage():
        scopes = [(entry, found) for entry, found in candidate.subtree() if is_scope(entry.key or "")]
        if scopes:
            break
    else:
        return None
    entries = [Entry(entry.key or "", found, entry.span, None) for entry, found in scopes]
    entries.append(Entry(item.key or "", values, item.span, item.removal()))
    urls = [
        value
        for entry, found in candidate.subtree()
        if not any(word in (entry.key or "").lower() for word in _CLIENT_URL_KEYS)
        for value in found
        if _ABSOLUTE_URL.match(value.text) or checks.domain.api_path_prefix in value.text
    ]
    names = [item.key or "", *(outer.key or "" for outer in mapping.lineage())]
    return entries, checks.destination(urls, names)


def _suppressions(document: Document, source: SourceText) -> list[Suppression]:
    suppressions = (parse_comment(comment.text, source.position(comment.offset)[0]) for comment in document.comments)
    return [suppression for suppression in suppressions if suppression is not None]

