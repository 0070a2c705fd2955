"""The byte-level prefilter: which rules could possibly fire on a file.

Each rule lists in its catalog entry the byte strings without which it cannot
find anything (a rule about claims adds the claim names, the configured
`extra-claims` included, so a new name in the catalog updates the filter). A
trigger may be a group of strings that must all occur: `fragment` alone is in
many files, `fragment` with `access_token` in few. A file that contains none of them for any selected rule is
neither decoded nor parsed: most files of a real code base end here.
"""

from __future__ import annotations

from typing import Iterable

from banno_migrate.catalog import Catalog


class Prefilter:
    def __init__(self, catalog: Catalog, extra_claims: Iterable[str] = ()) -> None:
        claims = tuple((name.encode(),) for name in (*catalog.domain.custom_claims, *extra_claims))
        self._triggers = {
            code: spec.triggers + (claims if spec.triggers_include_claims else ())
            for code, spec in catalog.rules.items()
        }

    def candidates(self, data: bytes, codes: frozenset[str]) -> frozenset[str]:
        """The rules among `codes` whose trigger strings occur in `data`."""
        return frozenset(
            code
            for code in codes
            if not self._triggers.get(code)
            or any(all(part in data for part in group) for group in self._triggers[code])
        )
