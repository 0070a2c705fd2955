"""SARIF, GitHub annotations and baselines, through the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
COMMAND = str(Path(sys.executable).parent / "banno-migrate")

LEGACY = '''\
import jwt

TOKEN_URL = "https://bank.example.com/a/consumer/api/oidc/token"
ISSUER = "https://www.banno.com/a/consumer/api/oidc"  # banno-migrate: ignore[BM002] reason: pinned by tests
SCOPE = "openid banno"
'''


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app dir").mkdir()
    (tmp_path / "app dir" / "auth.py").write_text(LEGACY, encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n    'banno'\n", encoding="utf-8")
    return tmp_path


def sarif(cwd: Path, *paths: str) -> dict:
    result = run(cwd, "check", *paths, "--format", "sarif")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def test_sarif_is_valid_and_shaped_for_code_scanning(project: Path) -> None:
    run_ = sarif(project)["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "banno-migrate" and driver["semanticVersion"] == driver["version"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert {"BM001", "BM002", "BM004"} <= set(rule_ids)
    assert all(rule["help"]["markdown"] and rule["defaultConfiguration"]["level"] for rule in driver["rules"])
    assert run_["columnKind"] == "unicodeCodePoints"

    by_rule = {result["ruleId"]: result for result in run_["results"]}
    endpoint = by_rule["BM001"]
    assert rule_ids[endpoint["ruleIndex"]] == "BM001"
    location = endpoint["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app%20dir/auth.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 13, "endLine": 3, "endColumn": 65}
    (replacement,) = endpoint["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement == {
        "deletedRegion": {"startLine": 3, "startColumn": 54, "endLine": 3, "endColumn": 54},
        "insertedContent": {"text": "v0/"},
    }

    # The suppressed finding is kept, with the comment's reason.
    assert by_rule["BM002"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "pinned by tests"}
    ]
    notifications = run_["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications] == ["broken.py"]
    assert "cannot parse" in notifications[0]["message"]["text"]


def test_fingerprints_survive_lines_inserted_above(project: Path) -> None:
    before = {r["ruleId"]: r["partialFingerprints"] for r in sarif(project)["runs"][0]["results"]}
    source = project / "app dir" / "auth.py"
    source.write_text("import os\n\n\n" + LEGACY, encoding="utf-8")
    after = {r["ruleId"]: r["partialFingerprints"] for r in sarif(project)["runs"][0]["results"]}
    assert before == after and all(before.values())


def test_github_annotations_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "a,b.py").write_text('SCOPE = "openid banno"\n', encoding="utf-8")
    result = run(tmp_path, "check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=a%2Cb.py,line=1,col=9,endLine=1,endColumn=23,title=BM004 banno-scope::"
        "The 'banno' scope is gone in v0: request custom claims with the OIDC 'claims' parameter instead"
    ]


def test_baseline_hides_known_findings_and_reports_new_ones(project: Path) -> None:
    (project / "broken.py").unlink()
    assert run(project, "check", "--write-baseline", "baseline.json").returncode == 0
    recorded = json.loads((project / "baseline.json").read_text())["findings"]
    assert {entry["rule"] for entry in recorded} == {"BM001", "BM004"}
    assert all(entry["path"] == "app dir/auth.py" for entry in recorded)

    # Moving code down does not resurrect anything.
    source = project / "app dir" / "auth.py"
    source.write_text("import os\n\n" + LEGACY, encoding="utf-8")
    clean = run(project, "check", "--baseline", "baseline.json")
    assert clean.returncode == 0, clean.stdout
    assert "2 findings hidden by the baseline; 0 baseline entries fixed" in clean.stdout

    # A second, identical finding in the same file is new (bandit would hide it).
    source.write_text(LEGACY + 'OTHER_SCOPE = "openid banno"\nSCOPE = "openid banno"\n', encoding="utf-8")
    result = run(project, "check", "--baseline", "baseline.json", "--format", "json")
    assert result.returncode == 1
    new = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in new] == [("BM004", 6), ("BM004", 7)]
    assert json.loads(result.stdout)["summary"]["baselined"] == 2

    # Fixing a baselined finding is counted.
    source.write_text(LEGACY.replace("openid banno", "openid"), encoding="utf-8")
    fixed = run(project, "check", "--baseline", "baseline.json", "--format", "json")
    assert json.loads(fixed.stdout)["summary"]["baseline_fixed"] == 1


def test_a_broken_baseline_is_a_usage_error(project: Path) -> None:
    (project / "baseline.json").write_text("{not json", encoding="utf-8")
    result = run(project, "check", "--baseline", "baseline.json")
    assert result.returncode == 2
    assert result.stderr.startswith("banno-migrate: error: baseline.json: not a banno-migrate baseline")
