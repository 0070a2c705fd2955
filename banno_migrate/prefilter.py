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

from banno_migrate.catalog import Catalog, RuleSpec


_QUOTES = (b'"', b"'")


class Prefilter:
    def __init__(self, catalog: Catalog, extra_claims: Iterable[str] = ()) -> None:
        self._claims = tuple(dict.fromkeys(name.encode() for name in (*catalog.domain.custom_claims, *extra_claims)))
        self._specs = catalog.rules
        self._needles_of: dict[frozenset[str], tuple[bytes, ...]] = {}

    def candidates(self, data: bytes, codes: frozenset[str], path: str = "", python: bool = True) -> frozenset[str]:
        """The rules among `codes` that could find something in `data` (the file at `path`)."""
        # One substring scan per distinct string, whatever the number of rules and groups it is in.
        present = frozenset(needle for needle in self._needles(codes) if needle in data)
        return frozenset(code for code in codes if self._could_fire(code, data, present, path, python))

    def _needles(self, codes: frozenset[str]) -> tuple[bytes, ...]:
        needles = self._needles_of.get(codes)
        if needles is None:
            specs = [self._specs[code] for code in codes if code in self._specs]
            parts = {part for spec in specs for group in spec.triggers for part in group}
            if any(spec.triggers_include_claims for spec in specs):
                parts.update(self._claims)
            needles = self._needles_of[codes] = tuple(sorted(parts))
        return needles

    def _could_fire(self, code: str, data: bytes, present: frozenset[bytes], path: str, python: bool) -> bool:
        spec = self._specs.get(code)
        if spec is None:
            return True
        if not self._triggered(spec, data, present, python):
            return False
        if spec.skip_paths is not None and spec.skip_paths.search(path):
            return False
        return not python or all(pattern.search(data) for pattern in spec.requires)

    def _triggered(self, spec: RuleSpec, data: bytes, present: frozenset[bytes], python: bool) -> bool:
        if not spec.triggers and not spec.triggers_include_claims:
            return True
        if any(present.issuperset(group) for group in spec.triggers):
            return True
        if not spec.triggers_include_claims:
            return False
        names = [name for name in self._claims if name in present]
        if python:  # Python rules read a claim by a string key only (`claims["institution_id"]`): the name is quoted.
            return any(quote + name + quote in data for name in names for quote in _QUOTES)
        return bool(names)
