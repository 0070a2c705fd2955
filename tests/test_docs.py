"""The README and the files it describes say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from banno_migrate.catalog import load_catalog
from banno_migrate.reporters.rule_docs import markdown_table

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick start has a sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_rules_table_matches_the_catalog() -> None:
    table = re.search(r"<!-- rules-table[^>]*-->\n(.*?)<!-- /rules-table -->", README, re.S)
    assert table, "README has the generated rules table"
    assert table.group(1) == markdown_table(load_catalog())


def test_quick_start_is_two_commands_install_and_run() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "pip install ." in commands[0] and "banno-migrate check examples/legacy-app" in commands[0]
    assert "pip install '.[test]'" in commands[1] and commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_commands()[1] in ci.splitlines()
    assert "set -euo pipefail" in ci  # a failing test fails CI


def test_pre_commit_hooks_run_our_commands() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"banno-migrate", "banno-migrate-fix"}
    assert hooks["banno-migrate"]["entry"] == "banno-migrate check --force-exclude"
    assert hooks["banno-migrate-fix"]["entry"] == "banno-migrate fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python"  # the file types: tests/test_precommit.py


def test_every_rule_is_explained_in_the_readme_table() -> None:
    for code in load_catalog().codes:
        assert f"| {code} |" in README
