"""The shortcuts change nothing: the same findings with and without the prefilter, slicing, the cache and the process pool.

The corpus is every example of the rule catalog (found and not found, each in
a file named for its language), the bundled example integrations, and the
slicing test programs (findings that depend on another function's body). The
reference run lints every file with every applicable rule, one process, no
cache; each shortcut must reproduce it exactly, fixes and fingerprints included.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from banno_migrate import engine
from banno_migrate.cache import FindingsCache
from banno_migrate.catalog import load_catalog
from banno_migrate.config import Settings
from banno_migrate.discovery import discover
from banno_migrate.engine import RunOptions, check_files
from banno_migrate.languages import BY_NAME
from banno_migrate.selection import RuleSelection

REPO = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for spec in CATALOG.rules.values():
        for kind in ("found", "not_found"):
            for index, example in enumerate(getattr(spec, kind)):
                name = BY_NAME[example.language].patterns[0].replace("*", f"{kind}_{index}")
                folder = root / "catalog" / spec.code / f"{kind}_{index}"  # own folder: `.env` names collide
                folder.mkdir(parents=True)
                (folder / name).write_text(example.code, encoding="utf-8")
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copytree(REPO / "tests" / "data" / "slicing", root / "slicing")
    return root


def _options(**changes) -> RunOptions:
    selection = RuleSelection.from_settings(Settings(), CATALOG.codes)
    changes.setdefault("report_unused_suppressions", True)
    return RunOptions(selection=selection, **changes)


def _results(corpus: Path, options: RunOptions, cache: FindingsCache | None = None) -> list[tuple]:
    files = discover([corpus]).files
    reports = check_files(files, options, CATALOG, cache=cache)
    return [
        (report.display, report.error.message if report.error else None, [asdict(finding) for finding in report.findings])
        for report in reports
    ]


@pytest.fixture(scope="module")
def reference(corpus: Path) -> list[tuple]:
    results = _results(corpus, _options(prefilter=False, jobs=1))
    assert sum(len(findings) for _, _, findings in results) > 200, "the corpus should exercise every rule"
    return results


def test_the_prefilter_skips_only_files_without_findings(corpus: Path, reference: list[tuple]) -> None:
    assert _results(corpus, _options(jobs=1)) == reference


def test_slicing_leaves_out_only_bodies_no_finding_needs(corpus: Path) -> None:
    # Unused suppressions are reported from every comment: with them on, nothing is sliced.
    whole = _results(corpus, _options(jobs=1, report_unused_suppressions=False, slicing=False))
    assert _results(corpus, _options(jobs=1, report_unused_suppressions=False)) == whole


def test_the_process_pool_changes_nothing(corpus: Path, reference: list[tuple], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 2)
    assert _results(corpus, _options(jobs=2)) == reference


def test_forked_workers_start_with_the_front_ends_imported(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked after a front end is imported (LibCST, for Python) need not import it each."""
    import concurrent.futures
    import multiprocessing

    from banno_migrate.languages import Language

    monkeypatch.setattr(multiprocessing, "get_start_method", lambda *args, **kwargs: "fork")
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 2)
    events: list[str] = []
    load, pool = Language.load, concurrent.futures.ProcessPoolExecutor

    def recording_load(self: Language):  # noqa: ANN202 - returns the front end module
        events.append(f"load {self.name}")
        return load(self)

    class RecordingPool(pool):  # type: ignore[valid-type, misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            events.append("pool")
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Language, "load", recording_load)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    _results(corpus / "examples", _options(jobs=2))
    assert "pool" in events and "load python" in events[: events.index("pool")]


def test_the_cache_replays_what_a_cold_run_found(
    corpus: Path, reference: list[tuple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _results(corpus, _options(jobs=1), FindingsCache(tmp_path, "key")) == reference
    assert list((tmp_path / ".banno-migrate-cache").rglob("*.json"))  # saved

    def never(*args: object) -> None:
        raise AssertionError("a warm run over unchanged files should neither lint nor record anything")

    monkeypatch.setattr(engine, "_check_job", never)
    monkeypatch.setattr(FindingsCache, "store", never)
    assert _results(corpus, _options(jobs=1), FindingsCache(tmp_path, "key")) == reference
