"""The byte-level prefilter: which rules could possibly fire on a file.

Each rule lists in its catalog entry the byte strings without which it cannot
find anything (a rule about claims adds the claim names, the configured
`extra-claims` included, so a new name in the catalog updates the filter). A
trigger may be a group of strings that must all occur: `fragment` alone is in
many files, `fragment` with `access_token` in few. A file that contains none of them for any selected rule is
neither decoded nor parsed: most files of a real code base end here.

A rule may narrow further, still without parsing: `skip_paths` (files it never
checks, such as tests) and, for Python files, `requires`: regular expressions
that must all match, written as necessary conditions of the rule's findings
(BM009 reads a `"code"` key with `[` or `.get(`, in a module importing a web
framework). Triggers are plain substring searches, which cost little; the
regular expressions run only on the few files that get past them.
"""

from __future__ import annotations

from typing import Iterable

from banno_migrate.catalog import Catalog


class Prefilter:
    def __init__(self, catalog: Catalog, extra_claims: Iterable[str] = ()) -> None:
        names = tuple(name.encode() for name in (*catalog.domain.custom_claims, *extra_claims))
        claims = tuple((name,) for name in names)
        # Python rules read a claim by a string key only (`claims["institution_id"]`): the name is quoted.
        quoted_claims = tuple((quote + name + quote,) for name in names for quote in (b'"', b"'"))
        self._triggers = {
            code: spec.triggers + (claims if spec.triggers_include_claims else ())
            for code, spec in catalog.rules.items()
        }
        self._python_triggers = {
            code: spec.triggers + (quoted_claims if spec.triggers_include_claims else ())
            for code, spec in catalog.rules.items()
        }
        self._specs = catalog.rules

    def candidates(self, data: bytes, codes: frozenset[str], path: str = "", python: bool = True) -> frozenset[str]:
        """The rules among `codes` that could find something in `data` (the file at `path`)."""
        return frozenset(code for code in codes if self._could_fire(code, data, path, python))

    def _could_fire(self, code: str, data: bytes, path: str, python: bool) -> bool:
        triggers = (self._python_triggers if python else self._triggers).get(code)
        if triggers and not any(all(part in data for part in group) for group in triggers):
            return False
        spec = self._specs.get(code)
        if spec is None:
            return True
        if spec.skip_paths is not None and spec.skip_paths.search(path):
            return False
        return not python or all(pattern.search(data) for pattern in spec.requires)
