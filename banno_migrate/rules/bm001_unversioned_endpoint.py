"""BM001 unversioned-endpoint: an OIDC endpoint under /a/consumer/api/oidc."""

from __future__ import annotations

from collections import defaultdict

import libcst as cst

from banno_migrate.analysis.strings import StringValue
from banno_migrate.domain_patterns import EndpointMatch
from banno_migrate.findings import Edit
from banno_migrate.rules.base import StringRule



class UnversionedEndpoint(StringRule):
    CODE = "BM001"

    def check_string(self, value: StringValue) -> None:
        for match in self.domain.text.unversioned_endpoints(value.text, lambda offset: value.piece_at(offset)[0].hint):
            self._report(value, match)

    def _report(self, value: StringValue, match: EndpointMatch) -> None:
        """Insert `v0/` and rename the endpoint if it moved; each literal that gets an edit is a finding."""
        source = self.context.source
        edits: dict[cst.CSTNode | None, list[Edit | None]] = defaultdict(list)
        edits[value.literal_at(match.insert_at)].append(value.edit(source, match.insert_at, match.insert_at, "v0/"))
        if match.rename is not None:
            start, end, new_name = match.rename
            edits[value.literal_at(start)].append(value.edit(source, start, end, new_name))
        fixable = all(edit is not None for group in edits.values() for edit in group)
        for literal, group in edits.items():
            if literal is not None:
                self.report(
                    literal,
                    edits=group if fixable else None,
                    applicability=match.applicability,
                    found=match.found,
                    replacement=match.replacement,
                )
