"""Rule implementations, one per module, each paired with rules/<module>.yaml."""

from __future__ import annotations

from banno_migrate.rules.base import Rule
from banno_migrate.rules.bm001_unversioned_endpoint import UnversionedEndpoint
from banno_migrate.rules.bm002_legacy_issuer import LegacyIssuer
from banno_migrate.rules.bm004_banno_scope import BannoScope

ALL_RULES: tuple[type[Rule], ...] = (UnversionedEndpoint, LegacyIssuer, BannoScope)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.CODE: rule for rule in ALL_RULES}
