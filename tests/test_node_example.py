"""examples/node-legacy-app: the CLI finds exactly what its EXPECTED.md lists, and `fix` writes exactly this.

The findings table of EXPECTED.md is the single list of what the example
holds (file, line, rule, and whether `fix` fixes it): the check must report
that set, no more and no fewer, with the fixability the table says. `fix` is
then run on a copy: every safe fix writes the line given here byte for byte,
nothing else in the files changes, only the unfixable findings remain, and the
fixed files parse.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from inprocess_cli import banno_migrate

from banno_migrate.languages.javascript.syntax import parse

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "node-legacy-app"
NS = "https://api.banno.com/consumer/claim/"

# (file, line) -> the line as `fix` writes it (safe fixes).
FIXED_LINES = {
    (".env.example", 9): "OIDC_SCOPE=openid profile",
    ("config/development.js", 4): "  issuer: 'https://digital.garden-fi.com/a/consumer/api/v0/oidc',",
    ("config/development.js", 5): "  authorization_endpoint: 'https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth',",
    ("config/development.js", 6): "  token_endpoint: 'https://digital.garden-fi.com/a/consumer/api/v0/oidc/token',",
    ("config/development.js", 7): "  userinfo_endpoint: 'https://digital.garden-fi.com/a/consumer/api/v0/oidc/me',",
    ("config/development.js", 8): "  jwks_uri: 'https://digital.garden-fi.com/a/consumer/api/v0/oidc/jwks',",
    ("config/development.js", 12): "  scope: 'openid profile',",
    ("config/production.js", 3): "const oidcBase = `https://${fiHost}/a/consumer/api/v0/oidc`;",
    ("config/production.js", 12): "  jwks_uri: `${oidcBase}/jwks`,",
    ("config/production.js", 16): "  scope: process.env.OIDC_SCOPE || 'openid profile',",
    ("public/silent-login.js", 3): "  const AUTHORIZE = 'https://digital.garden-fi.com/a/consumer/api/v0/oidc/auth';",
    ("public/silent-login.js", 10): "      scope: 'openid',",
    ("server.js", 18): "const USERINFO_PATH = '/a/consumer/api/v0/oidc/me';",
    ("server.js", 43): f"    institutionId: claims['{NS}institution_id'],",
    ("server.js", 44): f"    nettellerId: profile._json['{NS}netteller_id'],",
    ("server.js", 98): f"    userinfo['{NS}institution_id'],",
}


def expected_findings() -> dict[tuple[str, int, str], str]:
    """(file, line, rule) -> fix ("safe", "unsafe" or "none"), from the findings table of EXPECTED.md."""
    text = (EXAMPLE / "EXPECTED.md").read_text(encoding="utf-8")
    table = text.split("## Findings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) >= 4 and cells[1].isdigit():
            rows[(cells[0], int(cells[1]), cells[2])] = cells[3]
    return rows


EXPECTED = expected_findings()


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example, as the working directory, with no configuration from around it."""
    (tmp_path / ".banno-migrate.yaml").write_text("")
    root = tmp_path / "node-legacy-app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".banno-migrate-cache"))
    monkeypatch.chdir(root)
    return root


def check(*options: str) -> dict:
    run = banno_migrate("check", "--format", "json", *options, ".")
    document = json.loads(run.out)
    assert document["errors"] == [], run
    return document


def reported(document: dict) -> dict[tuple[str, int, str], str]:
    found = {}
    for finding in document["findings"]:
        key = (finding["path"], finding["line"], finding["rule"])
        assert key not in found, f"two {key} findings"
        found[key] = finding["fix"]["applicability"] if finding["fix"] else "none"
    return found


def test_the_table_is_the_documented_size() -> None:
    assert len(EXPECTED) == 21
    assert set(EXPECTED.values()) == {"safe", "unsafe", "none"}
    assert sum(fix == "safe" for fix in EXPECTED.values()) == 15


def test_check_reports_exactly_the_expected_findings(example: Path) -> None:
    assert reported(check()) == EXPECTED


def test_fix_writes_the_expected_lines_and_leaves_only_the_unfixable(example: Path) -> None:
    before = {path: path.read_text(encoding="utf-8") for path in example.rglob("*") if path.is_file()}
    banno_migrate("fix", ".")

    for path, original in before.items():
        relative = path.relative_to(example).as_posix()
        old_lines = original.split("\n")
        new_lines = path.read_text(encoding="utf-8").split("\n")
        assert len(new_lines) == len(old_lines), relative
        for number, (old, new) in enumerate(zip(old_lines, new_lines), start=1):
            assert new == FIXED_LINES.get((relative, number), old), f"{relative}:{number}"

    unfixed = {key: fix for key, fix in EXPECTED.items() if fix != "safe"}
    assert reported(check()) == unfixed
    for path in example.rglob("*.js"):
        parse(path.read_text(encoding="utf-8"), path.name)  # raises SourceError if a fix broke the syntax


def test_unsafe_fixes_move_the_refresh_token_request_to_the_v0_scope(example: Path) -> None:
    server = example / "server.js"
    original = server.read_text(encoding="utf-8").split("\n")
    banno_migrate("fix", "--unsafe-fixes", "--select", "BM006", ".")
    fixed = server.read_text(encoding="utf-8").split("\n")

    assert fixed[33] == "  scope: config.scope + ' https://api.banno.com/consumer/auth/offline_access',"
    assert original[35] == "  prompt: 'consent',"
    assert fixed == original[:33] + [fixed[33]] + original[34:35] + original[36:]  # the prompt line is gone
    assert ("server.js", 36, "BM006") not in reported(check())
