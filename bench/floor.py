"""The LibCST floor: `banno-migrate check --no-cache` with rules that cost nothing.

Runs the installed CLI as it is (discovery, cache off, prefilter, process pool,
slicing, reports), but each Python file that passes the prefilter is only
sliced, parsed by LibCST and given to LibCST's scope analysis, which every rule
builds on; no rule, analysis or position runs. bench/run.py measures it beside
the cold scan: what is left for the nine rules is the difference, and a target
below this row cannot be met by making the rules faster.

Usage (as bench/run.py calls it): python bench/floor.py [check arguments...]
"""

from __future__ import annotations

import sys

from banno_migrate import lint
from banno_migrate.analysis.traversal import read_only_walks
from banno_migrate.cli import main
from banno_migrate.collector import collector_paused


def parse_and_scopes_only(source, path, catalog, request, file=None):  # type: ignore[no-untyped-def]
    with collector_paused():  # as the lint holds it off
        _parse_and_scopes(source, catalog, request)
    return []


def _parse_and_scopes(source, catalog, request):  # type: ignore[no-untyped-def]
    from libcst.metadata import MetadataWrapper

    from banno_migrate.analysis.metadata import ScopeProvider  # LibCST's analysis, as a lint runs it

    analysed, _tree = lint._sliced(source, catalog, request)
    with read_only_walks():
        MetadataWrapper(lint.parse(analysed.text), unsafe_skip_copy=True).resolve(ScopeProvider)


if __name__ == "__main__":
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":  # spawned workers would import the real lint_source
        sys.exit("bench/floor.py: needs workers started by fork (Linux)")
    lint.lint_source = parse_and_scopes_only  # the Python front end's entry point (languages/__init__.py)
    sys.exit(main(sys.argv[1:], prog_name="banno-migrate"))
