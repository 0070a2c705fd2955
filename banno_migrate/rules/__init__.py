"""Rule implementations, one per module, each paired with rules/<module>.yaml.

A rule module defines one `Rule` subclass with a `CODE`; it is found here by
walking the package, so adding a rule never means editing a list.
"""

from __future__ import annotations

import importlib
import pkgutil

from banno_migrate.rules.base import Rule


def _discover() -> dict[str, type[Rule]]:
    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if not module_info.name.startswith("bm"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and getattr(value, "CODE", None) and value.__module__ == module.__name__:
                if value.CODE in found:
                    raise RuntimeError(f"two rules claim {value.CODE}: {found[value.CODE].__name__} and {value.__name__}")
                found[value.CODE] = value
    return dict(sorted(found.items()))


RULES_BY_CODE: dict[str, type[Rule]] = _discover()
ALL_RULES: tuple[type[Rule], ...] = tuple(RULES_BY_CODE.values())
