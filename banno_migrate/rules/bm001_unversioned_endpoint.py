"""BM001 unversioned-endpoint: an OIDC endpoint under /a/consumer/api/oidc."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property

import libcst as cst

from banno_migrate import domain_patterns
from banno_migrate.analysis.strings import StringValue
from banno_migrate.findings import Applicability, Edit
from banno_migrate.rules.base import StringRule



class UnversionedEndpoint(StringRule):
    CODE = "BM001"

    @cached_property
    def _legacy_path(self) -> re.Pattern[str]:
        return domain_patterns.legacy_path(self.domain)

    @cached_property
    def _oidc_after_unknown_base(self) -> re.Pattern[str]:
        return domain_patterns.oidc_after_unknown_base(self.domain)

    @cached_property
    def _legacy_issuer_hosts(self) -> tuple[str, ...]:
        return domain_patterns.legacy_issuer_prefixes(self.domain)

    def check_string(self, value: StringValue) -> None:
        text = value.text
        for match in self._legacy_path.finditer(text):
            if not self._is_legacy_issuer(text, match):  # the issuer is BM002's: v0 there would keep the wrong host
                oidc_at = match.start() + len(self.domain.api_path_prefix) + 1
                self._report(value, oidc_at, match, Applicability.SAFE)
        for match in self._oidc_after_unknown_base.finditer(text):
            # Only a base whose very name says Banno: `/oidc/token` alone is any provider's.
            if "banno" in value.piece_at(match.start())[0].hint.lower():
                self._report(value, match.start("endpoint") - len("oidc/"), match, Applicability.UNSAFE)

    def _is_legacy_issuer(self, text: str, match: re.Match[str]) -> bool:
        return match.group("endpoint") is None and text[: match.start()].endswith(self._legacy_issuer_hosts)

    def _report(self, value: StringValue, oidc_at: int, match: re.Match[str], applicability: Applicability) -> None:
        """Insert `v0/` before `oidc` (so that with urljoin(".../api/", "oidc/token") the edit lands
        in the relative part, not in a shared base) and rename the endpoint if it moved."""
        source = self.context.source
        edits: dict[cst.CSTNode | None, list[Edit | None]] = defaultdict(list)
        edits[value.literal_at(oidc_at)].append(value.edit(source, oidc_at, oidc_at, "v0/"))

        old_name = match.group("endpoint")
        new_name = self.domain.endpoints.get(old_name, old_name) if old_name else None
        if old_name and new_name != old_name:
            start, end = match.span("endpoint")
            edits[value.literal_at(start)].append(value.edit(source, start, end, new_name))
        suffix = (lambda name: f"/{name}") if old_name else (lambda name: "")
        found = self.domain.legacy_path_prefix + suffix(old_name)
        replacement = self.domain.versioned_path_prefix + suffix(new_name)

        fixable = all(edit is not None for group in edits.values() for edit in group)
        for literal, group in edits.items():
            if literal is not None:
                self.report(
                    literal,
                    edits=group if fixable else None,
                    applicability=applicability,
                    found=found,
                    replacement=replacement,
                )
