"""The JavaScript and TypeScript front end (languages javascript, typescript, tsx).

One tree-sitter parse per file (the grammar of the file's language: javascript,
typescript or tsx, as the file types decided it), then:

- string values (literals, template literals, `+`, same-file consts) → string_checks: BM001, BM002, BM004, BM006;
- authorization requests (passport-openidconnect, openid-client, hand-built objects,
  URLSearchParams, URLs) → BM006 (request objects) and BM007;
- BM003 (response types that ask for tokens, tokens read from `location.hash`),
  BM005 (bare custom claims), BM008 (PKCE `plain`);
- `// banno-migrate: ignore[...]`, `// noqa: BM...` and the same in a one-line `/* */` comment
  silence findings on their line; BM100 reports the unused ones.

Comments, object keys, module names and log messages are never string values.
"""

from __future__ import annotations

from pathlib import Path

from banno_migrate.catalog import Catalog
from banno_migrate.findings import Finding, Suppression
from banno_migrate.languages import LintRequest
from banno_migrate.languages.javascript import claims, implicit_flow, pkce, string_rules
from banno_migrate.languages.javascript.context import Context
from banno_migrate.languages.javascript.requests import Requests
from banno_migrate.languages.javascript.syntax import Tree, parse
from banno_migrate.languages.string_checks import Reporter
from banno_migrate.finish import finish
from banno_migrate.source import SourceText
from banno_migrate.suppressions import parse_comment

_REQUEST_CODES = frozenset({"BM006", "BM007"})


def decode(data: bytes) -> SourceText:
    return SourceText.decode_utf8(data)


def verify(text: str) -> None:
    """Nothing to add: the fix loop's lint_source has re-parsed the fixed text with the file's own grammar
    (a syntax error there is its SourceError), and no other parser is stricter."""


def lint_source(
    source: SourceText, path: str, catalog: Catalog, request: LintRequest, file: Path | None = None
) -> list[Finding]:
    """All findings of one file, suppressed ones marked (not dropped). Raises SourceError."""
    tree = parse(source.text, path, request.language)
    codes = request.codes
    context = Context(tree, source, catalog, codes, Reporter(catalog, source, path), request.rule_options)
    _run(context, codes)  # deep nesting: languages.lint_file turns RecursionError into the file's error
    # The shared last step (banno_migrate/finish.py): suppressions, BM100, order, fingerprints.
    return finish(context.reporter.findings, _suppressions(tree, source), source, path, catalog, request)


def _run(context: Context, codes: frozenset[str]) -> None:
    string_rules.check_values(context)
    if codes & _REQUEST_CODES:
        requests = Requests(context)
        string_rules.check_requests(context, requests)
        if "BM007" in codes:
            pkce.check_missing(context, requests)
    if "BM003" in codes:
        implicit_flow.check(context)
    if "BM005" in codes:
        claims.check(context)
    if "BM008" in codes:
        pkce.check_plain(context)


def _suppressions(tree: Tree, source: SourceText) -> list[Suppression]:
    """Suppressions in `//` comments and one-line `/* */` comments (a block over several lines is documentation)."""
    found = []
    for comment in tree.nodes("comment"):
        text = tree.source(comment)
        if "\n" in text or "\r" in text:
            continue
        suppression = parse_comment(text, source.position(tree.start(comment))[0])
        if suppression is not None:
            found.append(suppression)
    return found
