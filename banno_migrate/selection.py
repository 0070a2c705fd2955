"""Which rules run on which file: --select/--ignore, then per-file-ignores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from banno_migrate.config import Settings

if TYPE_CHECKING:
    import pathspec


def expand(patterns: Iterable[str], known: Iterable[str]) -> frozenset[str]:
    """Codes matching codes or prefixes ("BM00" is BM001 to BM009)."""
    known = tuple(known)
    return frozenset(code for pattern in patterns for code in known if code.startswith(pattern.upper()))


@dataclass(frozen=True)
class RuleSelection:
    enabled: frozenset[str]
    root: Path
    per_file_ignores: tuple[tuple[pathspec.PathSpec, frozenset[str]], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, known: Iterable[str]) -> RuleSelection:
        known = tuple(known)
        selected = expand(settings.select, known) if settings.select is not None else frozenset(known)
        if settings.per_file_ignores:
            import pathspec  # only configurations with per-file-ignores pay for it
        per_file = tuple(
            (pathspec.GitIgnoreSpec.from_lines([glob]), expand(codes, known))
            for glob, codes in settings.per_file_ignores
        )
        return cls(selected - expand(settings.ignore, known), settings.root, per_file)

    def codes_for(self, path: Path) -> frozenset[str]:
        if not self.per_file_ignores:
            return self.enabled
        try:
            relative = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return self.enabled  # outside the configuration's tree: its globs say nothing about it
        ignored = frozenset().union(*(codes for spec, codes in self.per_file_ignores if spec.match_file(relative)))
        return self.enabled - ignored
