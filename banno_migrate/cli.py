"""The command line: `check`, `fix`, `rule`.

Exit codes (stable; scripts and pre-commit rely on them):
  0  nothing found (check) / nothing changed and nothing left (fix)
  1  findings, files that could not be read or parsed, or files changed by fix
  2  usage or configuration error, or an internal error
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import click

from banno_migrate import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageProblem(click.ClickException):
    """A configuration or usage error: one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"banno-migrate: error: {self.message}", err=True)


def _guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code; never show a traceback unless --verbose."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from banno_migrate.config import ConfigError

        verbose = kwargs.get("verbose", False)
        try:
            code = command(*args, **kwargs)
        except ConfigError as exc:
            raise UsageProblem(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if verbose:
                raise
            click.echo(
                f"banno-migrate: internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)",
                err=True,
            )
            sys.exit(EXIT_ERROR)
        sys.exit(code)

    return wrapper


def _split_codes(values: Sequence[str], option: str) -> tuple[str, ...] | None:
    """--select BM001,BM004 --select BM002 → ('BM001', 'BM004', 'BM002'); not given → None."""
    from banno_migrate.config import ConfigError

    codes = tuple(code.strip() for value in values for code in value.split(",") if code.strip())
    if values and not codes:
        raise ConfigError(f"{option}: no rule codes given")
    return codes if values else None


def _apply(options: list[Callable[..., Any]], command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(options):
        command = option(command)
    return command


def _scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """What to scan and with which rules: shared by check, fix and report."""
    return _apply(
        [
            click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
            click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes or prefixes (comma-separated, repeatable)."),
            click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes."),
            click.option("--config", "config_path", type=click.Path(path_type=Path), help="Configuration file (.banno-migrate.yaml or pyproject.toml); default: the closest one upwards."),
            click.option("--exclude", multiple=True, metavar="GLOB", help="Also skip paths matching this gitignore-style glob (repeatable)."),
            click.option("--force-exclude", is_flag=True, help="Apply excludes to files named on the command line too (for pre-commit)."),
            click.option("--issuer-host", metavar="HOST", help="Institution host for the v0 issuer (BM002 fixes)."),
            click.option("--report-unused-suppressions", is_flag=True, help="Report suppression comments that silence nothing (BM100); with fix, remove them."),
            click.option("--no-cache", is_flag=True, envvar="BANNO_MIGRATE_NO_CACHE", help="Do not read or write .banno-migrate-cache/ (check and report replay unchanged files from it)."),
            click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors."),
        ],
        command,
    )


def _output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How check and fix report."""
    return _apply(
        [
            click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True, help="Output format: text, json, sarif (code scanning), github (annotations)."),
            click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file instead of stdout."),
            click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding."),
            click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
        ],
        command,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="banno-migrate")
def main() -> None:
    """Find and fix legacy Banno OAuth/OIDC usage (migration to the /v0 endpoints)."""


@main.command()
@_scan_options
@_output_options
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(path_type=Path, dir_okay=False), help="Record today's findings in this baseline file and exit 0.")
@_guarded
def check(baseline_path: Path | None, write_baseline_path: Path | None, **options: Any) -> int:
    """Report legacy Banno usage in PATHS (default: the current directory)."""
    from banno_migrate.engine import check_files

    run = _prepare(options)
    reports = check_files(run.files, run.options, run.catalog, cache=_cache(run, options), real_paths=run.real_paths)
    summary = _summarise(reports, run, discovery_errors=run.discovery_errors)
    if write_baseline_path is not None:
        from banno_migrate.baseline import Baseline

        count = Baseline.write(write_baseline_path, summary.findings)
        click.echo(f"Recorded {count} finding{'' if count == 1 else 's'} in {write_baseline_path}.", err=True)
        return EXIT_CLEAN
    if baseline_path is not None:
        _apply_baseline(summary, baseline_path, reports)
    _emit(summary, run, options)
    has_problems = bool(summary.findings or summary.errors)
    return EXIT_FINDINGS if has_problems and not options["exit_zero"] else EXIT_CLEAN


@main.command()
@_scan_options
@_output_options
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff; write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that need review (marked unsafe).")
@_guarded
def fix(diff: bool, unsafe_fixes: bool, **options: Any) -> int:
    """Fix legacy Banno usage in PATHS in place, then report what is left."""
    from banno_migrate.engine import fix_files
    from banno_migrate.reporters.text import fix_table_lines, fixed_line

    run = _prepare(options, unsafe_fixes=unsafe_fixes, write=not diff)
    with _progress_bar(len(run.files), "Fixing") as progress:
        reports = fix_files(run.files, run.options, run.catalog, progress, real_paths=run.real_paths)
    summary = _summarise(reports, run, discovery_errors=run.discovery_errors)
    if diff:
        _echo_output(_unified_diff(reports), options["output"])
        _echo_errors(summary)
        click.echo(fixed_line(summary, dry_run=True), err=True)
    else:
        if options["output_format"] == "text":
            click.echo(fixed_line(summary, dry_run=False))
        _emit(summary, run, options, fix_mode=True)
        if options["output_format"] == "text" and not options["statistics"] and _for_people():
            # Like the progress bar: on a terminal only, and stdout keeps one line per finding.
            click.echo("\n".join(fix_table_lines(summary, run.catalog)), nl=False, err=True)
    changed = any(report.changed for report in reports)
    has_problems = bool(changed or summary.findings or summary.errors)
    return EXIT_FINDINGS if has_problems and not options["exit_zero"] else EXIT_CLEAN


@main.command()
@_scan_options
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Write the HTML audit report here.")
@click.option("--sarif", "sarif_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write SARIF here, from the same scan.")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write JSON here, from the same scan.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False), help="Mark findings in this baseline as baselined, not new.")
@_guarded
def report(html_path: Path, sarif_path: Path | None, json_path: Path | None, baseline_path: Path | None, **options: Any) -> int:
    """Write a self-contained HTML audit report of PATHS (and SARIF/JSON from the same scan)."""
    from banno_migrate.engine import check_files
    from banno_migrate.reporters import html, json as json_report, sarif

    run = _prepare(options)
    reports = check_files(run.files, run.options, run.catalog, cache=_cache(run, options), real_paths=run.real_paths)
    summary = _summarise(reports, run, discovery_errors=run.discovery_errors)
    if baseline_path is not None:
        _apply_baseline(summary, baseline_path, reports)
    _echo_output(html.render(summary, run.catalog), html_path)
    if sarif_path is not None:
        _echo_output(sarif.render(summary, run.catalog), sarif_path)
    if json_path is not None:
        _echo_output(json_report.render(summary), json_path)
    click.echo(
        f"Wrote {html_path}: {len(summary.findings)} finding{'' if len(summary.findings) == 1 else 's'} in {summary.files} files.",
        err=True,
    )
    return EXIT_CLEAN


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing .banno-migrate.yaml.")
@_guarded
def init(paths: tuple[Path, ...], force: bool) -> int:
    """Write a commented .banno-migrate.yaml here, with the institution host detected from PATHS."""
    from banno_migrate.catalog import load_catalog
    from banno_migrate.config import CONFIG_FILENAME
    from banno_migrate.discovery import discover
    from banno_migrate.init import detect_institution_hosts, render_config

    target = Path(CONFIG_FILENAME)
    if target.exists() and not force:
        raise UsageProblem(f"{target} exists already (use --force to overwrite it)")
    catalog = load_catalog()
    hosts = detect_institution_hosts(discover(list(paths) or [Path(".")]).files, catalog)
    _echo_output(render_config(hosts), target)
    detected = f" with issuer-host {hosts.most_common(1)[0][0]}" if hosts else " (no institution host detected)"
    click.echo(f"Wrote {target}{detected}. Next: banno-migrate check", err=True)
    return EXIT_CLEAN


@main.command()
@click.argument("code", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def rule(code: str | None, output_format: str) -> int:
    """Explain rule CODE (a code such as BM001 or a name); without CODE, list every rule."""
    from banno_migrate.catalog import load_catalog
    from banno_migrate.reporters import rule_docs

    catalog = load_catalog()
    if code is None:
        click.echo(rule_docs.render_table(catalog, output_format), nl=False)
        return EXIT_CLEAN
    spec = rule_docs.find(catalog, code)
    if spec is None:
        raise UsageProblem(f"unknown rule '{code}' (see 'banno-migrate rule' for the list)")
    click.echo(rule_docs.render_rule(spec, output_format), nl=False)
    return EXIT_CLEAN


# Shared plumbing of check and fix


@dataclasses.dataclass(frozen=True)
class _Run:
    """What check, fix and report share: the files found, how to lint them, and the catalog."""

    files: list[Path]
    real_paths: list[str]  # where each file really is, from discovery
    discovery_errors: list[Any]
    options: Any  # engine.RunOptions (not imported here: the start-up path stays light)
    catalog: Any  # catalog.Catalog
    settings: Any  # config.Settings


def _cache(run: _Run, options: dict[str, Any]):
    """The findings cache for this configuration, in the project root (the config file's directory)."""
    if options["no_cache"]:
        return None
    from banno_migrate.cache import FindingsCache

    key = FindingsCache.key_for(run.catalog.fingerprint, run.settings, run.options.report_unused_suppressions)
    return FindingsCache(run.settings.root.resolve(), key)


def _prepare(options: dict[str, Any], *, unsafe_fixes: bool = False, write: bool = True) -> _Run:
    from banno_migrate.catalog import load_catalog
    from banno_migrate.config import ConfigError, load_settings, normalise_host, validate_codes
    from banno_migrate.discovery import discover
    from banno_migrate.engine import RunOptions
    from banno_migrate.languages import FileTypes
    from banno_migrate.rule_options import RuleOptions
    from banno_migrate.selection import RuleSelection

    catalog = load_catalog()
    settings = load_settings(options["config_path"], catalog.codes, cache=not options["no_cache"])
    select, ignore = _split_codes(options["select"], "--select"), _split_codes(options["ignore"], "--ignore")
    issuer_host = options["issuer_host"]
    if issuer_host is not None:
        try:
            issuer_host = normalise_host(issuer_host)
        except ValueError as exc:
            raise ConfigError(f"--issuer-host: {issuer_host!r} is not a host name ({exc})") from None
    settings = settings.merged_with(
        select=None if select is None else validate_codes(select, catalog.codes, "--select"),
        ignore=None if ignore is None else validate_codes(ignore, catalog.codes, "--ignore"),
        issuer_host=issuer_host,
        extend_exclude=options["exclude"] or None,
    )
    paths = list(options["paths"]) or [Path(".")]
    file_types = FileTypes.from_mapping(dict(settings.file_types))
    discovered = discover(
        paths,
        exclude=settings.exclude,
        exclude_root=settings.root,
        force_exclude=options["force_exclude"],
        file_types=file_types,
    )
    run_options = RunOptions(
        selection=RuleSelection.from_settings(settings, catalog.codes),
        rule_options=RuleOptions(issuer_host=settings.issuer_host, extra_claims=settings.extra_claims),
        report_unused_suppressions=options["report_unused_suppressions"],
        unsafe_fixes=unsafe_fixes,
        write=write,
        file_types=file_types,
    )
    return _Run(discovered.files, discovered.real_paths, discovered.errors, run_options, catalog, settings)


def _for_people() -> bool:
    """Whether stderr is a person's terminal (not a pipe, a file, or a CI log)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def _progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, for people: never when stderr is not a terminal or in CI."""
    if total < 2 or not _for_people():
        yield lambda _done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update


def _apply_baseline(summary, baseline_path: Path, reports) -> None:
    from banno_migrate.baseline import Baseline

    comparison = Baseline.load(baseline_path).compare(summary.findings, [report.display for report in reports])
    summary.findings, summary.baselined, summary.baseline_fixed = comparison.new, comparison.baselined, comparison.fixed


def _summarise(reports, run: _Run, *, discovery_errors):
    from banno_migrate.engine import display_path
    from banno_migrate.findings import FileError
    from banno_migrate.reporters import Summary

    summary = Summary.of(reports, unsafe_fixes=run.options.unsafe_fixes)
    if run.options.report_unused_suppressions:
        summary.fix_command += " --report-unused-suppressions"
    summary.errors = [FileError(display_path(e.path), e.message) for e in discovery_errors] + summary.errors
    return summary


def _emit(summary, run: _Run, options: dict[str, Any], *, fix_mode: bool = False) -> None:
    output_format = options["output_format"]
    if output_format == "json":
        from banno_migrate.reporters import json as json_report

        _echo_output(json_report.render(summary, fix_mode=fix_mode), options["output"])
        return
    if output_format == "sarif":
        from banno_migrate.reporters import sarif

        _echo_output(sarif.render(summary, run.catalog), options["output"])
        return
    if output_format == "github":
        from banno_migrate.reporters import github

        _echo_output(github.render(summary), options["output"])
        return
    from banno_migrate.reporters import text

    _echo_errors(summary)
    _echo_output(text.render(summary, run.catalog, statistics=options["statistics"]), options["output"])


def _echo_errors(summary) -> None:
    for error in summary.errors:
        click.echo(f"{error.path}: {error.message}", err=True)


def _echo_output(content: str, output: Path | None) -> None:
    if output is None:
        click.echo(content, nl=False)
        return
    from banno_migrate.temporary_files import replace_atomically

    try:
        replace_atomically(output, content.encode("utf-8"))
    except OSError as exc:
        raise UsageProblem(f"{output}: cannot write the report: {exc.strerror or exc}") from None


def _lines(text: str) -> list[str]:
    """Lines as Python counts them: str.splitlines also breaks at \\f, \\v, \\x1c-\\x1e, \\x85, U+2028/9."""
    import io

    return io.StringIO(text, newline="").readlines()


def _unified_diff(reports) -> str:
    import difflib

    chunks = []
    for report in reports:
        if report.changed:
            chunks.extend(
                difflib.unified_diff(
                    _lines(report.original),
                    _lines(report.fixed_text),
                    fromfile=f"a/{report.display}",
                    tofile=f"b/{report.display}",
                )
            )
    return "".join(chunks)
