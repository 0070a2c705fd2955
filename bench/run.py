#!/usr/bin/env python3
"""Benchmark banno-migrate against the grep floor and semgrep (issue #6).

Builds a corpus from the ``.py`` files of pinned PyPI sdists plus the legacy
example app, installs this checkout (from its wheel, as users get it) and
semgrep into virtualenvs of their own, then times, side by side and interleaved:

* banno-migrate ``check --format json`` over the corpus, cold (its cache
  deleted before the run), warm (right after a run, cache kept) and, when the
  CLI has ``--no-cache``, with the cache off;
* rules at no cost (bench/floor.py): that ``--no-cache`` scan with rules that
  cost nothing, each file that passes only sliced, parsed and scope-analysed by
  LibCST: what no work on the rules can go below;
* banno-migrate ``check`` of one file the way pre-commit calls it: a file
  without any trigger string, and a legacy file;
* ``grep -rlE`` over the rules' trigger strings: the floor, since every tool
  has to read every byte at least once;
* semgrep with bench/semgrep-rules.yaml, rules written for this comparison.

Each figure is the median of several runs; peak RSS is the largest resident
set of any one process the run started. Prints a Markdown table and, with
``--write docs/performance.md``, puts it between the page's bench markers.

Standard library only: everything else runs as a subprocess. Downloads and
builds go to .cache/bench/ and are reused, so a second run downloads nothing.
Exit codes: 0 measured, 2 setup failed.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import html.parser
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "bench"
CORPUS = CACHE / "corpus"
SDISTS = CACHE / "sdists"
ONE_FILE = CACHE / "one-file"
MANIFEST = CORPUS / "manifest.json"
RULES = REPO / "bench" / "semgrep-rules.yaml"
FLOOR_SCRIPT = REPO / "bench" / "floor.py"
LEGACY_APP = REPO / "examples" / "legacy-app"
DEFAULT_LEGACY_FILE = LEGACY_APP / "legacy_app" / "auth.py"
SEMGREP_VENV = CACHE / "semgrep-venv"
BANNO_VENV = CACHE / "banno-migrate-venv"
SEMGREP_SPEC = "semgrep==1.182.*"
INDEX = "https://pypi.org/simple"
CACHE_DIR_NAME = ".banno-migrate-cache"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"

# The corpus, in its order. Versions are exact: the numbers in the issue were measured on these.
PINS: dict[str, str] = {
    "django": "5.2.19",
    "sqlalchemy": "2.1.9",
    "social-auth-core": "7.0.0",
    "werkzeug": "3.1.9",
    "oauthlib": "4.0.1",
    "authlib": "1.9.9",
    "flask": "3.1.3",
    "requests": "2.34.2",
    "pyjwt": "2.15.1",
    "mozilla-django-oidc": "5.0.2",
    "requests-oauthlib": "2.0.0",
}
# The scan runs every rule with default settings, whatever configuration the repository around the cache has.
BENCH_CONFIG = "# bench/run.py: every rule, default settings\n"
# Runs only on request (--report-unused-suppressions), so the default scan's prefilter leaves it out.
OPT_IN_RULES = frozenset({"BM100"})
SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}

# Runs one command in a fresh child and reports its wall time and the peak RSS of the
# processes it waited for: the measuring process's own memory stays out of the figure.
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
wall = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "rss_kib": rss_kib, "code": code}, out)
"""

# Asked of banno-migrate's own interpreter: each rule's trigger groups (a group's strings must all
# occur), the custom claim names standing for one-string groups where a rule includes them.
TRIGGERS_QUERY = """
import json
from banno_migrate.catalog import load_catalog
catalog = load_catalog()
claims = [[name] for name in catalog.domain.custom_claims]
print(json.dumps({
    code: [[part.decode() for part in group] for group in spec.triggers]
    + (claims if spec.triggers_include_claims else [])
    for code, spec in catalog.rules.items()
}))
"""


# Asked of banno-migrate's own interpreter, in .cache/bench/: how many corpus files its prefilter lets
# through for the given rules, their size, and how many non-blank characters slicing leaves to LibCST.
PREFILTER_QUERY = """
import json, sys
from pathlib import Path
from banno_migrate.catalog import load_catalog
from banno_migrate.languages import LintRequest
from banno_migrate.prefilter import Prefilter
from banno_migrate.source import SourceText
try:
    from banno_migrate.slicing import relevant_code, slice_needles
except ImportError:  # a version without slicing
    relevant_code = slice_needles = None
catalog, codes = load_catalog(), frozenset(json.loads(sys.argv[1]))
prefilter = Prefilter(catalog)
passed, size, kept = 0, 0, 0
for path in sorted(Path("corpus").rglob("*.py")):
    data = path.read_bytes()
    candidates = prefilter.candidates(data, codes, path.as_posix())
    if not candidates:
        continue
    passed, size = passed + 1, size + len(data)
    text = SourceText.decode(data).text
    needles = slice_needles(catalog, LintRequest(codes=candidates, enabled=codes)) if slice_needles else None
    sliced = relevant_code(text, needles) if needles is not None else None
    kept += len("".join((sliced or text).split()))
print(json.dumps({"files": passed, "bytes": size, "kept": kept if slice_needles else None}))
"""


class BenchError(Exception):
    """Setup failed: nothing can be measured."""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the corpus ---------------------------------------------------------------


class _Links(html.parser.HTMLParser):
    """The file links of a PEP 503 simple index page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def sdist_version(filename: str, name: str) -> str | None:
    """The version of an sdist file name of project `name`, or None if it is not one."""
    match = re.fullmatch(r"(.+)-([^-]+)\.(?:tar\.gz|zip)", filename)
    if not match or canonical(match.group(1)) != canonical(name):
        return None
    return match.group(2)


def find_sdist(index: str, name: str, version: str) -> tuple[str, str, str | None]:
    """(URL, file name, sha256 or None) of the sdist of name==version on a simple index."""
    page_url = f"{index.rstrip('/')}/{canonical(name)}/"
    with urllib.request.urlopen(page_url, timeout=60) as response:
        parser = _Links()
        parser.feed(response.read().decode("utf-8", "replace"))
    for href in parser.hrefs:
        url = urllib.parse.urljoin(page_url, href)
        path, _, fragment = url.partition("#")
        filename = urllib.parse.unquote(path.rsplit("/", 1)[-1])
        if sdist_version(filename, name) == version:
            digest = fragment[len("sha256="):] if fragment.startswith("sha256=") else None
            return path, filename, digest
    raise BenchError(f"{name}=={version}: no sdist on {page_url}")


def cached_sdist(name: str, version: str) -> Path | None:
    for path in SDISTS.glob("*"):
        if sdist_version(path.name, name) == version:
            return path
    return None


def fetch_sdist(index: str, name: str, version: str) -> Path:
    found = cached_sdist(name, version)
    if found:
        return found
    url, filename, digest = find_sdist(index, name, version)
    log(f"downloading {filename}")
    SDISTS.mkdir(parents=True, exist_ok=True)
    partial = SDISTS / (filename + ".part")
    with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    if digest and hashlib.sha256(partial.read_bytes()).hexdigest() != digest:
        partial.unlink()
        raise BenchError(f"{filename}: sha256 differs from the index's")
    return partial.rename(SDISTS / filename)


def archive_members(archive: Path) -> Iterator[tuple[PurePosixPath, bytes]]:
    """(path below the sdist's top folder, content) of each regular .py file."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                if not info.is_dir() and info.filename.endswith(".py"):
                    yield PurePosixPath(info.filename), zipped.read(info)
        return
    with tarfile.open(archive) as tarred:
        for member in tarred:
            if member.isfile() and member.name.endswith(".py"):
                extracted = tarred.extractfile(member)
                assert extracted is not None  # a regular file always has content
                yield PurePosixPath(member.name), extracted.read()


def extract_python(archive: Path, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    for path, data in archive_members(archive):
        inner = PurePosixPath(*path.parts[1:])  # below "name-version/"
        if not inner.parts or inner.is_absolute() or ".." in inner.parts:
            continue
        target = partial.joinpath(*inner.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)


def copy_legacy(dest: Path) -> None:
    """The example app's Python files; rewritten only when they changed, so the corpus stays put."""
    for source in sorted(LEGACY_APP.rglob("*.py")):
        target = dest / source.relative_to(LEGACY_APP)
        data = source.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def build_corpus(index: str) -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for name, version in PINS.items():
        dest = CORPUS / name
        if manifest.get(name) == version and dest.is_dir():
            continue
        archive = fetch_sdist(index, name, version)
        log(f"extracting the .py files of {archive.name}")
        extract_python(archive, dest)
        manifest[name] = version
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    copy_legacy(CORPUS / "legacy")


@dataclass
class CorpusStats:
    files: int = 0
    lines: int = 0
    bytes: int = 0

    def add(self, data: bytes) -> None:
        self.files += 1
        self.lines += data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
        self.bytes += len(data)

    def describe(self) -> str:
        return f"{self.files:,} files, {self.lines / 1e6:.2f} M lines, {self.bytes / 1e6:.1f} MB"


@dataclass
class Corpus:
    total: CorpusStats
    by_project: dict[str, CorpusStats]
    files: dict[Path, bytes] = field(repr=False)


def read_corpus() -> Corpus:
    """Every .py file of the corpus, read once (which also warms the OS file cache for every tool alike)."""
    total, by_project, files = CorpusStats(), {}, {}
    for path in sorted(CORPUS.rglob("*.py")):
        data = path.read_bytes()
        files[path] = data
        total.add(data)
        by_project.setdefault(path.relative_to(CORPUS).parts[0], CorpusStats()).add(data)
    return Corpus(total, by_project, files)


def clean_file(corpus: Corpus, triggers: list[str]) -> Path:
    """A corpus file of typical size that contains no trigger string: the prefilter's fast path."""
    needles = [t.encode() for t in triggers]
    clean = [p for p, data in corpus.files.items() if data.strip() and not any(n in data for n in needles)]
    if not clean:
        raise BenchError("every corpus file contains a trigger string")
    middle = statistics.median_low(len(corpus.files[p]) for p in clean)
    return min(clean, key=lambda p: (abs(len(corpus.files[p]) - middle), str(p)))


# --- the tools ----------------------------------------------------------------


def capture(command: list[str], **kwargs: Any) -> str:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, **kwargs)
    except OSError as exc:
        raise BenchError(f"cannot run {command[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        tail = " ".join(proc.stderr.strip().splitlines()[-3:])
        raise BenchError(f"{' '.join(command[:3])} ... exited {proc.returncode}: {tail}")
    return proc.stdout


def find_banno_migrate(explicit: str | None) -> Path:
    """The CLI given, or this checkout installed from its wheel into its own virtualenv.

    A wheel, not the checkout: that is what users run, with the catalog compiled
    (hatch_build.py) and the modules byte-compiled at install time.
    """
    if explicit:
        if not Path(explicit).is_file():
            raise BenchError(f"{explicit}: no such file")
        return Path(explicit).absolute()
    banno = venv_bin(BANNO_VENV, "banno-migrate")
    if not banno.is_file():
        log(f"installing banno-migrate into {BANNO_VENV.relative_to(REPO)} ...")
        capture([sys.executable, "-m", "venv", str(BANNO_VENV)])
        capture([str(venv_bin(BANNO_VENV, "python")), "-m", "pip", "install", "--quiet", str(REPO)])
    else:  # this checkout as it is now: a dependency it gained since, then the checkout itself (same version number)
        capture([str(venv_bin(BANNO_VENV, "python")), "-m", "pip", "install", "--quiet", str(REPO)])
        capture([str(venv_bin(BANNO_VENV, "python")), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(REPO)])
    return banno


def script_interpreter(script: Path) -> str:
    """The Python of a console script, from its shebang line."""
    with script.open("rb") as handle:
        first = handle.readline().decode("utf-8", "replace").strip()
    if not first.startswith("#!") or "python" not in first:
        raise BenchError(f"{script} is not a Python console script: cannot read its trigger strings")
    return first[2:].strip().split()[0]


@dataclass(frozen=True)
class Triggers:
    groups: dict[str, list[list[str]]]  # rule code -> its trigger groups

    @property
    def strings(self) -> list[str]:
        """Every trigger string, groups flattened: what grep looks for."""
        return sorted({part for groups in self.groups.values() for group in groups for part in group})


def read_triggers(banno: Path) -> Triggers:
    return Triggers(json.loads(capture([script_interpreter(banno), "-c", TRIGGERS_QUERY])))


def ere_alternation(strings: list[str]) -> str:
    """An extended regular expression matching any of the literal strings."""
    return "|".join(re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", s) for s in strings)


def venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def ensure_semgrep(spec: str) -> tuple[Path, str]:
    """semgrep in its own virtualenv, and its version; BenchError says why not."""
    semgrep = venv_bin(SEMGREP_VENV, "semgrep")
    if not semgrep.exists():
        log(f"installing {spec} into {SEMGREP_VENV} (once)")
        if not venv_bin(SEMGREP_VENV, "python").exists():
            capture([sys.executable, "-m", "venv", str(SEMGREP_VENV)])
        capture([str(venv_bin(SEMGREP_VENV, "python")), "-m", "pip", "install", "--quiet", spec])
    version = capture([str(semgrep), "--version"], env={**os.environ, **SEMGREP_ENV}).strip()
    return semgrep, version


# --- measuring ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A requirement of the issue on one row; None fields do not apply."""

    wall: float | None = None
    vs_grep: float | None = None  # at most this many times the grep floor
    vs_semgrep: float | None = None  # at least this many times faster than semgrep
    rss_mb: float | None = None


@dataclass
class Case:
    key: str
    label: str
    command: list[str]
    cwd: Path
    runs: int
    ok_codes: frozenset[int]
    target: Target = Target()
    before: Callable[[int], None] = lambda run: None
    whole_corpus: bool = True  # only then do the ratios to grep and semgrep compare like with like
    walls: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    failure: str | None = None
    last_stdout: str = ""

    @property
    def wall(self) -> float | None:
        return statistics.median(self.walls) if self.walls and not self.failure else None

    @property
    def rss_mb(self) -> float | None:
        return max(self.rss_kib) * 1024 / 1e6 if self.rss_kib and not self.failure else None


def measure(case: Case, run: int, env: dict[str, str]) -> None:
    case.before(run)
    with tempfile.TemporaryDirectory() as tmp:
        result_path, out_path, err_path = (Path(tmp) / name for name in ("result", "out", "err"))
        with out_path.open("wb") as out, err_path.open("wb") as err:
            subprocess.run(
                [sys.executable, "-c", WRAPPER, str(result_path), *case.command],
                cwd=case.cwd, env=env, stdout=out, stderr=err, check=True,
            )
        result = json.loads(result_path.read_text())
        if result["code"] not in case.ok_codes:
            tail = " ".join(err_path.read_text(errors="replace").strip().splitlines()[-3:])
            case.failure = f"exit {result['code']}: {tail}"[:300]
            return
        case.walls.append(result["wall"])
        case.rss_kib.append(result["rss_kib"])
        case.last_stdout = out_path.read_text(errors="replace")


def round_orders(cases: list[Case]) -> Iterator[list[Case]]:
    """The cases of each round, in an order shuffled anew each round (seeded: the same every time).

    Round after round, each case once per round while it has runs left: no tool gets a quieter
    minute. In one fixed order, the row after semgrep would start each of semgrep's rounds on a
    machine just out of a minute of full load on both cores (the cold scan did, in earlier tables);
    shuffled, no row is there more than now and then, which its median leaves out.
    """
    shuffle = random.Random(6).shuffle
    for run in range(max(case.runs for case in cases)):
        order = [case for case in cases if run < case.runs]
        shuffle(order)
        yield order


def run_interleaved(cases: list[Case], env: dict[str, str]) -> None:
    for run, order in enumerate(round_orders(cases)):
        for case in order:
            if not case.failure:
                log(f"run {run + 1}/{case.runs}: {case.label}")
                measure(case, run, env)
                if case.failure:
                    log(f"{case.label} failed: {case.failure}")


def delete_caches(roots: list[Path]) -> None:
    for root in roots:
        shutil.rmtree(root / CACHE_DIR_NAME, ignore_errors=True)


def stage_copy(source: Path, dest: Path) -> Callable[[int], None]:
    """Before each run, a copy of `source` with a comment naming the run: like a file being committed,
    it has just changed, so no cache can answer for it."""

    def before(run: int) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(source.read_bytes() + f"# bench run {run}\n".encode())

    return before


# --- the report ---------------------------------------------------------------


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}×"


def verdict(case: Case, grep: float | None, semgrep: float | None) -> tuple[str, str]:
    """(the target as text, met?) of one row."""
    target, wall = case.target, case.wall
    checks: list[tuple[str, bool | None]] = []
    if target.wall is not None:
        checks.append((f"≤ {seconds(target.wall)}", None if wall is None else wall <= target.wall))
    if target.vs_grep is not None:
        met = None if wall is None or grep is None else wall <= target.vs_grep * grep
        checks.append((f"≤ {target.vs_grep:g}× grep", met))
    if target.vs_semgrep is not None:
        met = None if wall is None or semgrep is None else semgrep >= target.vs_semgrep * wall
        checks.append((f"≥ {target.vs_semgrep:g}× faster than semgrep", met))
    if target.rss_mb is not None:
        met = None if case.rss_mb is None else case.rss_mb <= target.rss_mb
        checks.append((f"RSS ≤ {target.rss_mb:g} MB", met))
    if not checks:
        return "", ""
    text = ", ".join(label for label, _ in checks)
    if case.failure:
        return text, "failed"
    unmet = [label for label, met in checks if met is False]
    unknown = [label for label, met in checks if met is None]
    if unmet:
        return text, "**no** (" + "; ".join(unmet) + ")"
    return text, "yes" if not unknown else "yes, but not measured: " + "; ".join(unknown)


def table(cases: list[Case]) -> str:
    by_key = {case.key: case for case in cases}
    grep = by_key["grep"].wall if "grep" in by_key else None
    semgrep = by_key["semgrep"].wall if "semgrep" in by_key else None
    lines = [
        "| what | median wall | peak RSS | vs grep | vs semgrep | target | met? |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for case in cases:
        wall = case.wall
        rss = "n/a" if case.rss_mb is None else f"{case.rss_mb:.0f} MB"
        comparable = case.whole_corpus and wall
        vs_grep = ratio(wall / grep) if comparable and grep and case.key != "grep" else ""
        faster = ratio(semgrep / wall) + " faster" if comparable and semgrep and case.key != "semgrep" else ""
        if case.failure:
            wall_text = f"failed ({case.failure.split(':')[0]})"
        else:
            wall_text = f"{seconds(wall)} ({len(case.walls)} runs)"
        target, met = verdict(case, grep, semgrep)
        lines.append(f"| {case.label} | {wall_text} | {rss} | {vs_grep} | {faster} | {target} | {met} |")
    return "\n".join(lines)


def banno_findings(stdout: str) -> str:
    try:
        summary = json.loads(stdout)["summary"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return "its JSON report could not be read"
    rules = ", ".join(f"{code} {count}" for code, count in sorted(summary.get("by_rule", {}).items()))
    return f"{summary['findings']} findings in {summary['files']:,} files ({rules}), {summary.get('errors', 0)} files not parsed"


def semgrep_findings(stdout: str) -> str:
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        return "its JSON report could not be read"
    counts: dict[str, int] = {}
    for result in report.get("results", []):
        rule = result["check_id"].rsplit(".", 1)[-1].split("-")[0].upper()
        counts[rule] = counts.get(rule, 0) + 1
    scanned = len(report.get("paths", {}).get("scanned", []))
    rules = ", ".join(f"{code} {count}" for code, count in sorted(counts.items()))
    errors = len(report.get("errors", []))
    return f"{len(report.get('results', []))} findings in {scanned:,} files ({rules}), {errors} errors"


@dataclass
class Context:
    """What the numbers were measured on."""

    banno_version: str
    python: str
    semgrep: str
    grep: str
    corpus: Corpus
    clean: Path
    legacy: Path
    prefiltered: dict[str, Any]  # what banno-migrate's prefilter lets through: files, bytes, kept (after slicing)
    trigger_strings: int
    notes: list[str]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def report(cases: list[Case], context: Context) -> str:
    by_key = {case.key: case for case in cases}
    lines = [
        f"Measured {datetime.date.today().isoformat()} with `python3 bench/run.py`"
        f" on {cores()} cores ({cpu_model()}), {platform.system()} {platform.release()}.",
        "",
        f"- banno-migrate: {context.banno_version} ({context.python});"
        f" semgrep: {context.semgrep}; grep: {context.grep}.",
        f"- Corpus: {context.corpus.total.describe()} ("
        + ", ".join(f"{name} {stats.files:,}" for name, stats in context.corpus.by_project.items())
        + " files).",
        f"- One-file runs: `{context.clean.relative_to(CORPUS)}` (no trigger string,"
        f" {len(context.corpus.files[context.clean]):,} bytes) and `{context.legacy.relative_to(REPO)}`.",
    ]
    if "cold" in by_key:
        lines.append(f"- banno-migrate on the corpus: {banno_findings(by_key['cold'].last_stdout)}.")
    if "semgrep" in by_key and not by_key["semgrep"].failure:
        lines.append(f"- semgrep on the corpus: {semgrep_findings(by_key['semgrep'].last_stdout)}.")
    if "grep" in by_key and not by_key["grep"].failure:
        matched = len(by_key["grep"].last_stdout.splitlines())
        total = max(context.corpus.total.files, 1)
        passed = context.prefiltered
        kept = passed.get("kept")
        lines.append(
            f"- grep: {matched:,} files ({matched / total:.1%}) contain one of the {context.trigger_strings}"
            f" trigger strings; banno-migrate's prefilter (every string of a group, then the rules' `requires`)"
            f" lets {passed['files']:,} ({passed['files'] / total:.1%}, {passed['bytes'] / 1e6:.2f} MB) through"
            + (f", of which slicing leaves {kept / 1e3:,.0f} k non-blank characters to LibCST." if kept is not None else ".")
        )
    lines.extend(f"- {note}" for note in context.notes)
    lines.extend(["", table(cases)])
    return "\n".join(lines) + "\n"


def write_between_markers(page: Path, block: str) -> None:
    text = page.read_text(encoding="utf-8")
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise BenchError(f"{page}: no {MARK_START} ... {MARK_END} markers to write between")
    page.write_text(text[: start + len(MARK_START)] + "\n" + block + text[end:], encoding="utf-8")


# --- putting it together --------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--banno-migrate", metavar="PATH",
        help="the CLI to measure (default: this checkout, installed from its wheel into .cache/bench/banno-migrate-venv)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each fast case (default 5)")
    parser.add_argument("--semgrep-runs", type=int, default=3, help="runs of semgrep (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run of each case, for development")
    parser.add_argument("--skip-semgrep", action="store_true", help="leave semgrep out")
    parser.add_argument("--semgrep-spec", default=SEMGREP_SPEC, help=f"pip requirement (default {SEMGREP_SPEC})")
    parser.add_argument("--legacy-file", type=Path, default=DEFAULT_LEGACY_FILE, help="the one-file legacy case")
    parser.add_argument("--index", default=INDEX, help=f"simple index for the sdists (default {INDEX})")
    parser.add_argument("--write", type=Path, metavar="PAGE", help="write the results between the PAGE's bench markers")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = args.semgrep_runs = 1
    if args.runs < 1 or args.semgrep_runs < 1:
        parser.error("--runs and --semgrep-runs must be at least 1")
    return args


def build_cases(args: argparse.Namespace, banno: Path, grep_pattern: str, semgrep: Path | None,
                context: Context) -> list[Case]:
    help_text = capture([str(banno), "check", "--help"])
    scan = [str(banno), "check", "--format", "json", "corpus"]
    caches = [CACHE, CORPUS]
    found_or_clean = frozenset({0, 1})
    cold_target = Target(wall=2.0, vs_grep=10, vs_semgrep=30, rss_mb=150)
    cases = [
        Case("cold", "banno-migrate cold (no cache)", scan, CACHE, args.runs, found_or_clean, cold_target,
             before=lambda run: delete_caches(caches)),
        Case("warm", "banno-migrate warm (nothing changed)", scan, CACHE, args.runs, found_or_clean,
             Target(wall=0.5)),
    ]
    if "--no-cache" in help_text:
        cases.append(Case("no-cache", "banno-migrate --no-cache", [*scan, "--no-cache"], CACHE, args.runs,
                          found_or_clean, cold_target))
        # What the cold scan would take if the rules cost nothing (bench/floor.py): LibCST's parse and scope
        # analysis of what passes the prefilter and slicing, with everything else the CLI does.
        cases.append(Case("no-rules", "`--no-cache` with rules at no cost (LibCST parse + scopes only)",
                          [script_interpreter(banno), str(FLOOR_SCRIPT), *scan[1:], "--no-cache"], CACHE, args.runs,
                          found_or_clean))
    else:
        context.notes.append("This banno-migrate has no `--no-cache`: that row and the one of rules at no cost are left out.")
    clean_copy = ONE_FILE / f"clean_{context.clean.name}"
    legacy_copy = ONE_FILE / f"legacy_{context.legacy.name}"
    cases += [
        Case("one-clean", "pre-commit, 1 file without trigger", [str(banno), "check", str(clean_copy.relative_to(CACHE))],
             CACHE, args.runs, found_or_clean, Target(wall=0.1), before=stage_copy(context.clean, clean_copy),
             whole_corpus=False),
        Case("one-legacy", "pre-commit, 1 legacy file", [str(banno), "check", str(legacy_copy.relative_to(CACHE))],
             CACHE, args.runs, found_or_clean, Target(wall=0.45), before=stage_copy(context.legacy, legacy_copy),
             whole_corpus=False),
        Case("grep", "grep -rlE triggers (floor)",
             ["grep", "-rlE", grep_pattern, "--include=*.py", "corpus"], CACHE, args.runs, frozenset({0, 1})),
    ]
    if semgrep is not None:
        cases.append(Case(
            "semgrep", "semgrep (6 rules)",
            [str(semgrep), "scan", "--config", str(RULES), "--json", "--metrics=off", "--disable-version-check",
             # The corpus sits in a gitignored folder, and semgrep's default ignores skip tests/: scan every file,
             # as banno-migrate does.
             "--no-git-ignore", "--x-ignore-semgrepignore-files", "--max-target-bytes=0", "--quiet",
             # Its default is 85 % of the cores, rounded down: one of two. banno-migrate may use both, so may semgrep.
             f"--jobs={cores()}", "corpus"],
            CACHE, args.semgrep_runs, frozenset({0})))
    return cases


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        banno = find_banno_migrate(args.banno_migrate)
        legacy = args.legacy_file.resolve()
        if not legacy.is_file():
            raise BenchError(f"{legacy}: no such legacy file")
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / ".banno-migrate.yaml").write_text(BENCH_CONFIG)
        build_corpus(args.index)
        corpus = read_corpus()
        log(f"corpus: {corpus.total.describe()}")
        triggers = read_triggers(banno)
        default_rules = set(triggers.groups) - OPT_IN_RULES
        context = Context(
            banno_version=capture([str(banno), "--version"]).strip(),
            python=capture([script_interpreter(banno), "--version"]).strip(),
            semgrep="not measured",
            grep=capture(["grep", "--version"]).splitlines()[0],
            corpus=corpus,
            clean=clean_file(corpus, triggers.strings),
            trigger_strings=len(triggers.strings),
            prefiltered=json.loads(
                capture([script_interpreter(banno), "-c", PREFILTER_QUERY, json.dumps(sorted(default_rules))], cwd=CACHE)
            ),
            legacy=legacy,
            notes=[],
        )
        semgrep = None
        if args.skip_semgrep:
            context.notes.append("semgrep was skipped (`--skip-semgrep`).")
        else:
            try:
                semgrep, context.semgrep = ensure_semgrep(args.semgrep_spec)
            except BenchError as exc:
                log(f"semgrep left out: {exc}")
                context.notes.append(f"semgrep could not be installed ({exc}).")
        cases = build_cases(args, banno, ere_alternation(triggers.strings), semgrep, context)
    except (BenchError, OSError, urllib.error.URLError) as exc:
        log(f"setup failed: {exc}")
        return 2
    # Installed tools run from bytecode: a PYTHONDONTWRITEBYTECODE (set on some CI machines) would have
    # every run compile banno-migrate, and semgrep's Python, from source.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    run_interleaved(cases, {**env, **SEMGREP_ENV})
    cache_dirs = [f"`{(path / CACHE_DIR_NAME).relative_to(REPO)}`" for path in (CACHE, CORPUS)
                  if (path / CACHE_DIR_NAME).is_dir()]
    context.notes.append(
        f"banno-migrate's cache: {', '.join(cache_dirs)}."
        if cache_dirs else "banno-migrate wrote no cache directory: the warm row measures a second cold run."
    )
    block = report(cases, context)
    print(block)
    if args.write:
        write_between_markers(args.write, block)
        log(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
