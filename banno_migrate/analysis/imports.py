"""String constants of the project's own modules, for values imported by name.

Legacy integrations keep their Banno base URL in a settings module and build
endpoints elsewhere: `settings.BANNO_BASE + "/oidc/token"`. To judge the
second file, the first file's module-level string constants are read here with
CPython's `ast` (much faster than a LibCST parse) and cached per process.
"""

from __future__ import annotations

import ast
from functools import cached_property, lru_cache
from pathlib import Path

_MAX_ANCESTORS = 6  # how far up an absolute import's top package is looked for


class ProjectModules:
    """Finds modules relative to the file being checked and reads their constants."""

    def __init__(self, file: Path | None, consulted: set[str] | None = None) -> None:
        self._given = file
        # Every path looked at, found or not: the findings depend on them (the cache keeps them).
        self.consulted = consulted if consulted is not None else set()

    @cached_property
    def file(self) -> Path | None:
        """The file, resolved when first asked: most files import no constant, and resolving costs an lstat
        per directory above it."""
        return self._given.resolve() if self._given is not None else None

    def constant(self, module: str, level: int, name: str) -> str | None:
        path = self._module_file(module, level)
        return None if path is None else _constants(path, _signature(path)).get(name)

    def is_module(self, module: str, level: int) -> bool:
        return self._module_file(module, level) is not None

    def _module_file(self, module: str, level: int) -> Path | None:
        if self.file is None:
            return None
        parts = [part for part in module.split(".") if part]
        if level:
            bases = [self.file.parents[level - 1]] if level <= len(self.file.parents) else []
        else:
            bases = list(self.file.parents[:_MAX_ANCESTORS])
        for base in bases:
            for candidate in (base.joinpath(*parts).with_suffix(".py") if parts else None, base.joinpath(*parts, "__init__.py")):
                if candidate is None:
                    continue
                self.consulted.add(str(candidate))
                if candidate.is_file():
                    return candidate
        return None


def _signature(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return info.st_size, info.st_mtime_ns


@lru_cache(maxsize=256)
def _constants(path: Path, signature: tuple[int, int]) -> dict[str, str]:  # noqa: ARG001 - a changed file is another key
    """Module-level names bound once to a string built from literals and earlier constants."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return {}
    values: dict[str, str] = {}
    seen: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id in seen:  # bound twice: which value applies depends on the code path
            values.pop(target.id, None)
            continue
        seen.add(target.id)
        text = _evaluate(value, values)
        if text is not None:
            values[target.id] = text
    return values


def _evaluate(node: ast.expr, known: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _evaluate(node.left, known), _evaluate(node.right, known)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            inner = value.value if isinstance(value, ast.FormattedValue) and not value.format_spec else value
            text = _evaluate(inner, known)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None
