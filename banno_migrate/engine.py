"""The pipeline over many files: read → prefilter → lint or fix → per-file reports.

This module stays light: LibCST is imported (through `lint` and `fixer`) only
when a file passes the prefilter, so a run over files without any trigger
string never pays for it.
"""

from __future__ import annotations

import functools
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from banno_migrate.catalog import Catalog, load_catalog
from banno_migrate.collector import collector_paused
from banno_migrate.findings import FileError, Finding
from banno_migrate.languages import PYTHON, FileTypes, Language, LintRequest, lint_file
from banno_migrate.prefilter import Prefilter
from banno_migrate.rule_options import RuleOptions
from banno_migrate.selection import RuleSelection
from banno_migrate.source import SourceError
from banno_migrate.suppressions import UNUSED_SUPPRESSION

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from banno_migrate.cache import FindingsCache

# Below this many files to parse, starting worker processes costs more than it saves. (At 17, two
# workers already take a run from 0.66 to 0.55 s; and on a large tree the sooner they start, the
# sooner the second core works: 24 kept it idle for the first 0.55 s of the benchmark's scan.)
PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class RunOptions:
    selection: RuleSelection
    rule_options: RuleOptions = field(default_factory=RuleOptions)
    report_unused_suppressions: bool = False
    unsafe_fixes: bool = False
    write: bool = True  # fix: write the files (False for --diff)
    jobs: int | None = None  # worker processes; None: one per core
    file_types: FileTypes = field(default_factory=FileTypes)
    prefilter: bool = True  # False: every applicable rule runs on every file (the test of the prefilter's soundness)
    slicing: bool = True  # False: LibCST parses every function body (the test of slicing's soundness)


@dataclass
class FileReport:
    path: Path
    display: str  # relative to the working directory, '/' separators
    findings: list[Finding] = field(default_factory=list)  # suppressed ones included, marked
    error: FileError | None = None
    # fix only
    original: str | None = None
    fixed_text: str | None = None
    fixed: dict[str, int] = field(default_factory=dict)
    written: bool = False
    dependencies: frozenset[str] = frozenset()  # other files the findings depend on (see cache)

    @property
    def changed(self) -> bool:
        return self.fixed_text is not None and self.fixed_text != self.original


def display_path(path: Path) -> str:
    if not path.is_absolute() and ".." not in path.parts:
        return path.as_posix()  # already relative to the working directory (pathlib keeps no "." parts)
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def _read(path: Path) -> bytes:
    """`path.read_bytes()`, unbuffered: one read of the whole file, without a buffer to copy it through."""
    with open(path, "rb", buffering=0) as handle:
        return handle.readall()


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


def real_path(path: Path) -> str:
    """`str(path.resolve())`, each directory resolved once: a file costs one lstat, not one per directory above it."""
    if ".." in path.parts or os.path.islink(path):  # `link/..` is where the link leads, then up
        return str(path.resolve())
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(_real_directory(directory), name)


@dataclass(frozen=True)
class _Job:
    path: Path
    display: str
    data: bytes
    codes: frozenset[str]
    enabled: frozenset[str]
    language: Language
    target: str  # where the path led when it was read (through symlinks)


Progress = Callable[[int], None]  # called with how many more files are done


def check_files(
    paths: Sequence[Path],
    options: RunOptions,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
    cache: FindingsCache | None = None,
    real_paths: Sequence[str] | None = None,
) -> list[FileReport]:
    """Lint the files; with a cache, unchanged files replay their recorded findings.

    `real_paths`, when given, are the files' resolved paths in the same order (discovery knows them).
    """
    reports = _run(paths, options, catalog or load_catalog(), _check_job, progress or _no_progress, cache, real_paths)
    if cache is not None:
        cache.save()
    return reports


def fix_files(
    paths: Sequence[Path],
    options: RunOptions,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
    real_paths: Sequence[str] | None = None,
) -> list[FileReport]:
    return _run(paths, options, catalog or load_catalog(), _fix_job, progress or _no_progress, None, real_paths)


def _no_progress(_done: int) -> None:
    pass


_Work = Callable[[_Job, RunOptions, Catalog], FileReport]


def _run(
    paths: Sequence[Path],
    options: RunOptions,
    catalog: Catalog,
    work: _Work,
    progress: Progress,
    cache: FindingsCache | None,
    real_paths: Sequence[str] | None,
) -> list[FileReport]:
    if real_paths is not None and len(real_paths) != len(paths):
        raise ValueError("real_paths must give one path for each of paths")
    reports: list[FileReport] = []
    triage = _Triage(options, Prefilter(catalog, options.rule_options.extra_claims), cache)
    runner = _Runner(work, options, catalog)
    # Reading and prefiltering make a report or a job per file, and the pool's start a front end's
    # modules: all kept to the end of the run, no cycles. The collector is held off meanwhile, and
    # then kept from scanning them (a collection of them all was half of this process's collector
    # time), unless the caller has frozen objects of its own: unfreezing would give those back too.
    freezing = gc.get_freeze_count() == 0
    with collector_paused():
        for index, path in enumerate(paths):
            outcome = triage(path, real_paths[index] if real_paths is not None else None)
            if isinstance(outcome, _Job):
                runner.add(outcome)
            else:
                reports.append(outcome)
                progress(1)
        if freezing:
            gc.freeze()
    try:
        for job, report in runner.results():
            reports.append(report)
            if cache is not None:
                error = report.error.message if report.error else None
                cache.store(job.target, job.data, report.findings, error, report.dependencies)
            progress(1)
    finally:
        if freezing:
            gc.unfreeze()  # the caller's objects are the collector's again
    return sorted(reports, key=lambda report: report.display)


@dataclass(frozen=True)
class _Triage:
    """Each file's first steps: replayed from the cache, passed clean by the prefilter, or a job to lint."""

    options: RunOptions
    prefilter: Prefilter
    cache: FindingsCache | None

    def __call__(self, path: Path, target: str | None = None) -> FileReport | _Job:
        """`target`: where `path` really leads, when the caller knows it."""
        display = display_path(path)
        try:
            target = target or real_path(path)
            # Metadata first: an unchanged file is not even read.
            cached = self.cache.lookup(target) if self.cache is not None else None
            data = b"" if cached is not None else _read(path)
        except OSError as exc:
            return FileReport(path, display, error=FileError(display, f"cannot read: {exc.strerror or exc}"))
        if cached is None and self.cache is not None:
            cached = self.cache.lookup(target, data)  # touched, or written in the entry's instant: the content decides
        if cached is not None:
            findings, error = cached
            for finding in findings:
                finding.path = display
            return FileReport(path, display, findings, FileError(display, error) if error is not None else None)
        # A file named on the command line may have any name: read it as Python unless it says otherwise.
        language = self.options.file_types.language_for(path.name) or PYTHON
        enabled = language.applicable(self.options.selection.codes_for(path))
        if not self.options.report_unused_suppressions:
            enabled -= {UNUSED_SUPPRESSION}
        codes = enabled
        if self.options.prefilter:
            codes = self.prefilter.candidates(data, enabled, display, python=language is PYTHON)
        if codes:
            return _Job(path, display, data, codes, enabled, language, target)
        if self.cache is not None:
            self.cache.store(target, data, [], None, ())
        return FileReport(path, display)


_worker_catalog: Catalog | None = None  # set once in each worker process


def _init_worker(catalog: Catalog) -> None:
    global _worker_catalog
    _worker_catalog = catalog
    gc.enable()  # forked while the main process held the collector off: each lint's cycles must go


def _in_worker(work: _Work, job: _Job, options: RunOptions) -> FileReport:
    assert _worker_catalog is not None
    return work(job, options, _worker_catalog)


class _Runner:
    """Runs the jobs in this process, or in a pool started as soon as there are enough of them.

    The pool starts while files are still being read and prefiltered, so its
    workers lint the first jobs while the rest are triaged; where workers are
    forked, the front ends (LibCST) are imported once, before they start.
    """

    def __init__(self, work: _Work, options: RunOptions, catalog: Catalog) -> None:
        self._work, self._options, self._catalog = work, options, catalog
        self._workers = options.jobs or os.cpu_count() or 1
        self._waiting: list[_Job] = []
        self._pool: ProcessPoolExecutor | None = None
        self._running: list[tuple[_Job, Future[FileReport]]] = []

    def add(self, job: _Job) -> None:
        if self._pool is not None:
            self._submit(job)
            return
        self._waiting.append(job)
        if self._workers >= 2 and len(self._waiting) >= PARALLEL_THRESHOLD:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor  # only runs large enough to pay for it

            if multiprocessing.get_start_method() == "fork":
                # Workers start as copies of this process: a front end imported here (LibCST, for
                # Python) is imported once, not once per worker.
                for language in {job.language for job in self._waiting}:
                    language.load()
            self._pool = ProcessPoolExecutor(max_workers=self._workers, initializer=_init_worker, initargs=(self._catalog,))
            for waiting in sorted(self._waiting, key=lambda job: -len(job.data)):  # the largest first
                self._submit(waiting)
            self._waiting = []

    def _submit(self, job: _Job) -> None:
        assert self._pool is not None
        self._running.append((job, self._pool.submit(_in_worker, self._work, job, self._options)))

    def results(self) -> Iterator[tuple[_Job, FileReport]]:
        if self._pool is None:
            yield from ((job, self._work(job, self._options, self._catalog)) for job in self._waiting)
            return
        with self._pool:
            for job, future in self._running:
                yield job, future.result()


def _request(job: _Job, options: RunOptions) -> LintRequest:
    return LintRequest(
        codes=job.codes,
        enabled=job.enabled,
        rule_options=options.rule_options,
        report_unused_suppressions=options.report_unused_suppressions,
        language=job.language.name,
        slicing=options.slicing,
    )


def _check_job(job: _Job, options: RunOptions, catalog: Catalog) -> FileReport:
    frontend = job.language.load()
    report = FileReport(job.path, job.display)
    request = _request(job, options)
    try:
        source = frontend.decode(job.data)
        report.findings = lint_file(frontend, source, job.display, catalog, request, job.path)
    except SourceError as exc:
        report.error = FileError(job.display, str(exc))
    report.dependencies = frozenset(request.consulted)
    return report


def _fix_job(job: _Job, options: RunOptions, catalog: Catalog) -> FileReport:
    from banno_migrate.fixer import WriteError, fix_source, write_atomically

    frontend = job.language.load()
    report = FileReport(job.path, job.display)
    try:
        source = frontend.decode(job.data)
        outcome = fix_source(
            source,
            job.display,
            catalog,
            _request(job, options),
            unsafe_fixes=options.unsafe_fixes,
            file=job.path,
            frontend=frontend,
        )
    except SourceError as exc:
        report.error = FileError(job.display, str(exc))
        return report
    report.original, report.fixed_text = source.text, outcome.text
    report.findings, report.fixed = outcome.remaining, outcome.fixed
    if outcome.problem:
        report.error = FileError(job.display, outcome.problem)
    if options.write and report.changed:
        try:
            write_atomically(job.path, source.encode(outcome.text), job.data, Path(job.target))
            report.written = True
        except WriteError as exc:
            report.error = FileError(job.display, str(exc))
            report.fixed_text, report.fixed, report.findings = source.text, {}, outcome.initial
    return report
