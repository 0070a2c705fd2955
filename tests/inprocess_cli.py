"""Running the CLI in-process, as a user would, for the tests that feed it hostile input.

Shared by tests/test_source_quirks.py and tests/test_faults.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from click.testing import CliRunner

from banno_migrate.cli import main


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[str]:
        return problems(self.err)

    def __str__(self) -> str:  # what pytest shows when an assertion about a run fails
        return f"$ banno-migrate {' '.join(self.args)}\n[exit {self.code}]\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def problems(stderr: str) -> list[str]:
    """The stderr lines that report a problem, `path: reason`; what stderr says for people (the fix table) is not one."""
    return [line for line in stderr.splitlines() if re.match(r"\S+: ", line)]


def banno_migrate(*args: str) -> Run:
    """Run the CLI in the current directory; fail on any traceback."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    run = Run(args, result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{run}\n{result.exc_info}"
    assert "Traceback" not in run.out + run.err, run
    return run
