"""BM002 legacy-issuer: the issuer https://www.banno.com/a/consumer/api/oidc."""

from __future__ import annotations

from banno_migrate.analysis.strings import StringValue
from banno_migrate.rules.base import StringRule


class LegacyIssuer(StringRule):
    CODE = "BM002"

    def check_module(self, values: list[StringValue]) -> None:
        text = self.domain.text
        host = text.file_host((value.text for value in values), self.context.options.issuer_host)
        for value in values:
            for match in text.legacy_issuers(value.text, host):
                literal = value.literal_at(match.start)
                if match.replacement is None:
                    self.report(literal, found=match.found)
                else:
                    edit = value.edit(self.context.source, match.start, match.end, match.replacement)
                    self.report(literal, edits=[edit], found=match.found, replacement=match.replacement)
