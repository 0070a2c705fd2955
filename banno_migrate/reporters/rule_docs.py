"""`banno-migrate rule`: the catalog as a table, or one rule explained."""

from __future__ import annotations

import json
import textwrap

from banno_migrate.catalog import Catalog, RuleSpec


def find(catalog: Catalog, code_or_name: str) -> RuleSpec | None:
    wanted = code_or_name.strip()
    for spec in catalog.rules.values():
        if wanted.upper() == spec.code or wanted.lower() == spec.name:
            return spec
    return None


def _fix_label(spec: RuleSpec) -> str:
    return spec.fix_safety.value if spec.fix_safety else "none"


def _as_dict(spec: RuleSpec) -> dict:
    return {
        "code": spec.code,
        "name": spec.name,
        "severity": spec.severity,
        "summary": spec.summary,
        "rationale": spec.rationale,
        "guidance": list(spec.guidance),
        "fix": {"safety": _fix_label(spec), "description": spec.fix_description},
    }


def markdown_table(catalog: Catalog) -> str:
    """The rules table of the README (a test keeps the two identical)."""
    rows = ["| Code | Name | Severity | Fix | What it finds |", "|---|---|---|---|---|"]
    rows += [
        f"| {spec.code} | `{spec.name}` | {spec.severity} | {_fix_label(spec)} | {spec.summary} |"
        for spec in catalog.rules.values()
    ]
    return "\n".join(rows) + "\n"


def render_table(catalog: Catalog, output_format: str = "text") -> str:
    if output_format == "json":
        return json.dumps([_as_dict(spec) for spec in catalog.rules.values()], indent=2) + "\n"
    width = max(len(spec.name) for spec in catalog.rules.values())
    lines = [f"{'Code':<6} {'Name':<{width}} {'Severity':<8} {'Fix':<6} Summary"]
    for spec in catalog.rules.values():
        lines.append(f"{spec.code:<6} {spec.name:<{width}} {spec.severity:<8} {_fix_label(spec):<6} {spec.summary}")
    return "\n".join(lines) + "\n"


def render_rule(spec: RuleSpec, output_format: str = "text") -> str:
    if output_format == "json":
        return json.dumps(_as_dict(spec), indent=2) + "\n"
    wrap = lambda text: textwrap.fill(" ".join(text.split()), width=88)  # noqa: E731
    parts = [
        f"{spec.code} {spec.name} ({spec.severity})",
        "",
        "What it finds",
        wrap(spec.summary),
        "",
        "Why",
        wrap(spec.rationale),
        "",
        "What to do",
        *(textwrap.fill(" ".join(step.split()), width=88, initial_indent="- ", subsequent_indent="  ") for step in spec.guidance),
        "",
        f"Fix: {_fix_label(spec)}",
        wrap(spec.fix_description or "No automatic fix: the change needs a decision only a person can make."),
    ]
    for example in _one_example_per_language(spec):
        suffix = "" if example.language == "python" else f" ({example.language})"
        parts += ["", f"Example{suffix}", textwrap.indent(example.code, "    ").rstrip()]
        if example.fixed:
            parts += ["", f"Fixed{suffix}", textwrap.indent(example.fixed, "    ").rstrip()]
    return "\n".join(parts) + "\n"


def _one_example_per_language(spec: RuleSpec) -> list:
    """Python first, then each other language once, in catalog order; an example with a fix where there is one."""
    languages = sorted({example.language for example in spec.found}, key=lambda name: (name != "python", [e.language for e in spec.found].index(name)))
    return [
        next((ex for ex in spec.found if ex.language == language and ex.fixed), None)
        or next(ex for ex in spec.found if ex.language == language)
        for language in languages
    ]
