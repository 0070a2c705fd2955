"""bench/floor.py: the scan with rules at no cost runs the real CLI, and no rule."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from banno_migrate.engine import PARALLEL_THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
LEGACY_AUTH = ROOT / "examples" / "legacy-app" / "legacy_app" / "auth.py"


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="bench/floor.py needs forked workers")
@pytest.mark.parametrize("files", [1, PARALLEL_THRESHOLD + 2], ids=["in this process", "in a pool"])
def test_the_scan_with_rules_at_no_cost_runs_no_rule(files: int, tmp_path: Path) -> None:
    for number in range(files):
        (tmp_path / f"auth_{number}.py").write_bytes(LEGACY_AUTH.read_bytes())

    def scan(*command: str) -> dict[str, object]:
        args = [*command, "check", "--no-cache", "--format", "json", str(tmp_path)]
        run = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=tmp_path, check=False)
        assert run.returncode in (0, 1), run.stderr
        return json.loads(run.stdout)

    real, floor = scan("-m", "banno_migrate"), scan(str(ROOT / "bench" / "floor.py"))
    assert len({finding["path"] for finding in real["findings"]}) == files  # type: ignore[index, union-attr]
    assert floor["findings"] == []


def _bench_run_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_each_round_runs_every_case_left_once_and_no_case_always_follows_semgrep() -> None:
    bench = _bench_run_module()
    keys = ["cold", "warm", "no-cache", "no-rules", "one-clean", "one-legacy", "grep"]
    cases = [bench.Case(key, key, [], ROOT, 5, frozenset({0})) for key in keys]
    cases.append(bench.Case("semgrep", "semgrep", [], ROOT, 3, frozenset({0})))
    rounds = [[case.key for case in order] for order in bench.round_orders(cases)]
    assert [sorted(keys) for keys in rounds] == [sorted([*keys, "semgrep"])] * 3 + [sorted(keys)] * 2
    sequence = [key for keys in rounds for key in keys]
    after_semgrep = {sequence[index + 1] for index, key in enumerate(sequence) if key == "semgrep"}
    assert len(after_semgrep) > 1
    assert rounds == [[case.key for case in order] for order in bench.round_orders(cases)]  # the same each run
