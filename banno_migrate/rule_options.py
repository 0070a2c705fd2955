"""The parts of the configuration that change what rules find or how they fix.

Kept apart from the rules package so that the start-up path (engine, CLI)
does not import LibCST for a run that never parses a file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleOptions:
    issuer_host: str | None = None
    extra_claims: tuple[str, ...] = ()
