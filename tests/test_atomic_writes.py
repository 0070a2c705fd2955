"""Every file banno-migrate writes is replaced whole or not at all (banno_migrate/temporary_files.py).

Reports (`-o`, `report --html/--sarif/--json`), baselines, `init`'s configuration
and cache shards go through `replace_atomically`; fixes through the fixer's own
write, which tests/test_faults.py covers.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from banno_migrate import temporary_files
from banno_migrate.temporary_files import replace_atomically
from inprocess_cli import banno_migrate

LEGACY = 'TOKEN_URL = "https://bank.example/a/consumer/api/oidc/token"\n'


def _interrupt_the_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(source: object, destination: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(temporary_files.os, "replace", full)


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"old")
    _interrupt_the_rename(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        replace_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_file_replaced_keeps_its_mode_and_a_new_one_gets_the_usual(tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    replace_atomically(kept, b"new")
    assert (kept.read_bytes(), stat.S_IMODE(kept.stat().st_mode)) == (b"new", 0o640)
    umask = os.umask(0o027)
    try:
        created = tmp_path / "created.json"
        replace_atomically(created, b"new")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(created.stat().st_mode) == 0o640  # 0666 less the umask, not the temporary file's 0600


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "report.sarif"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.sarif"
    link.symlink_to(target)
    replace_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/stdout` in a pipeline: the bytes go down the pipe, which stays a pipe (a device likewise)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    replace_atomically(pipe, b"report")
    reader.join(timeout=10)
    assert received == [b"report"] and stat.S_ISFIFO(os.stat(pipe).st_mode)


@pytest.mark.parametrize(
    ("options", "written", "what"),
    [
        (("--write-baseline", "baseline.json"), "baseline.json", "the baseline"),
        (("--format", "json", "-o", "report.json"), "report.json", "the report"),
    ],
)
def test_a_file_that_cannot_be_written_is_one_line_and_the_old_one_stays(
    project: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], written: str, what: str
) -> None:
    (project / "app.py").write_text(LEGACY)
    (project / written).write_text("the old one")
    _interrupt_the_rename(monkeypatch)
    run = banno_migrate("check", *options, ".")
    assert run.code == 2, run
    assert f"{written}: cannot write {what}: No space left on device" in run.err, run
    assert (project / written).read_text() == "the old one"
