"""BM002 legacy-issuer: the issuer https://www.banno.com/a/consumer/api/oidc."""

from __future__ import annotations

import re
from functools import cached_property

from banno_migrate import domain_patterns
from banno_migrate.analysis.strings import StringValue
from banno_migrate.rules.base import StringRule


class LegacyIssuer(StringRule):
    CODE = "BM002"

    @cached_property
    def _issuer(self) -> re.Pattern[str]:
        return domain_patterns.legacy_issuer(self.domain)

    @cached_property
    def _endpoint_host(self) -> re.Pattern[str]:
        return domain_patterns.endpoint_host(self.domain)

    def check_module(self, values: list[StringValue]) -> None:
        host = self.context.options.issuer_host or self._file_host(values)
        for value in values:
            for match in self._issuer.finditer(value.text):
                self._report(value, match, host)

    def _file_host(self, values: list[StringValue]) -> str | None:
        """The host of the file's own Banno endpoint URLs, when they all share one."""
        hosts = {
            match.group(1).lower()
            for value in values
            for match in self._endpoint_host.finditer(value.text)
        } - self.domain.legacy_issuer_hosts
        return hosts.pop() if len(hosts) == 1 else None

    def _report(self, value: StringValue, match: re.Match[str], host: str | None) -> None:
        found = match.group()
        literal = value.literal_at(match.start())
        if host is None:
            self.report(literal, found=found)
            return
        replacement = self.domain.versioned_issuer_template.format(host=host)
        if found.endswith("/"):
            replacement += "/"
        edit = value.edit(self.context.source, match.start(), match.end(), replacement)
        self.report(literal, edits=[edit], found=found, replacement=replacement)
