"""File system and configuration faults (issue #7, "never break a user's code").

What `fix` may never do: write a file nobody asked for, leave a half-written
file, overwrite a change made while it worked, lose a file's mode or owner,
silently replace a read-only file. What every command must do on a fault: say
so in one line (`path: reason`), go on with the other files, and never show a
traceback. Configuration faults stop the run: exit 2, one line naming the file
and the key.

Most faults are simulated in-process (monkeypatch, click's CliRunner). Real
permissions need a user that obeys them: as root, those tests run the console
script as `nobody` through setpriv (skipped where that is impossible).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from banno_migrate import fixer, temporary_files

URL = "https://h.example/a/consumer/api/oidc/token"
FIXED_URL = "https://h.example/a/consumer/api/v0/oidc/token"
LEGACY = f'URL = "{URL}"\n'.encode()
FIXED = f'URL = "{FIXED_URL}"\n'.encode()
USER_EDIT = b'URL = "edited by the user meanwhile"\n'
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --------------------------------------------------------------------------- running the tool in-process


from inprocess_cli import Run, banno_migrate, problems


def put(path: Path, data: bytes = LEGACY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def leftovers(directory: Path) -> list[str]:
    """Temporary files of the atomic write left behind (hidden, `.tmp`)."""
    return sorted(path.name for path in directory.rglob("*.tmp"))


def checked_paths(run: Run) -> list[str]:
    """The paths with findings in a text report."""
    return sorted({line.split(":")[0] for line in run.out.splitlines() if ": BM" in line})


# --------------------------------------------------------------------------- symlinks


def test_symlink_inside_the_root_is_fixed_once_through_its_target(project: Path) -> None:
    real = put(project / "pkg" / "real.py")
    link = project / "alias.py"
    link.symlink_to(Path("pkg") / "real.py")
    check = banno_migrate("check", ".")
    assert checked_paths(check) == ["pkg/real.py"], check  # one file, under its real name
    fixed = banno_migrate("fix", ".")
    assert fixed.code == 1 and fixed.problems == [], fixed
    assert real.read_bytes() == FIXED
    assert link.is_symlink() and os.readlink(link) == os.path.join("pkg", "real.py")


def test_symlink_leading_out_of_the_roots_is_neither_checked_nor_written(project: Path, tmp_path: Path) -> None:
    outside = put(tmp_path / "elsewhere" / "secret.py")
    (project / "link.py").symlink_to(outside)
    (project / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    put(project / "app.py")
    assert checked_paths(banno_migrate("check", ".")) == ["app.py"]
    run = banno_migrate("fix", ".")
    assert run.problems == [], run
    assert outside.read_bytes() == LEGACY
    assert (project / "app.py").read_bytes() == FIXED


def test_symlinked_directory_inside_the_root_is_not_descended_twice(project: Path) -> None:
    real = put(project / "src" / "app.py")
    (project / "mirror").symlink_to(project / "src", target_is_directory=True)
    check = banno_migrate("check", ".")
    assert checked_paths(check) == ["src/app.py"], check
    banno_migrate("fix", ".")
    assert real.read_bytes() == FIXED


def test_symlink_loops_end_and_are_reported_when_named(project: Path) -> None:
    (project / "self").symlink_to(project, target_is_directory=True)  # a directory loop
    (project / "a.py").symlink_to(project / "b.py")  # a file loop
    (project / "b.py").symlink_to(project / "a.py")
    (project / "dangling.py").symlink_to(project / "missing.py")
    good = put(project / "good.py")
    walked = banno_migrate("fix", ".")
    assert walked.problems == [], walked
    assert good.read_bytes() == FIXED
    named = banno_migrate("check", "a.py", "dangling.py")
    assert named.code == 1, named
    assert named.problems == ["a.py: too many levels of symbolic links", "dangling.py: no such file or directory"], named


def test_symlink_named_on_the_command_line_is_fixed_through_to_its_target(project: Path, tmp_path: Path) -> None:
    """A file named on the command line is a root: its target is what the user asked for."""
    outside = put(tmp_path / "shared" / "settings.py")
    link = project / "settings.py"
    link.symlink_to(outside)
    run = banno_migrate("fix", "settings.py")
    assert run.code == 1 and run.problems == [], run
    assert outside.read_bytes() == FIXED and link.is_symlink()


# --------------------------------------------------------------------------- unreadable files and directories


def deny(monkeypatch: pytest.MonkeyPatch, victim: Path) -> None:
    """Reading `victim` fails as it would without permission (the tests may run as root, who reads anything):
    as a file to lint (the engine's reader) or as a configuration (`Path.read_bytes`)."""
    from banno_migrate import engine

    def denying(read: Callable[[Path], bytes]) -> Callable[[Path], bytes]:
        def read_unless_victim(path: Path) -> bytes:
            if path.resolve() == victim.resolve():
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return read(path)

        return read_unless_victim

    monkeypatch.setattr(engine, "_read", denying(engine._read))
    monkeypatch.setattr(Path, "read_bytes", denying(Path.read_bytes))


@pytest.mark.parametrize("command", ["check", "fix"])
def test_unreadable_file_is_one_line_and_the_rest_goes_on(project: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    secret = put(project / "secret.py")
    good = put(project / "good.py")
    deny(monkeypatch, secret)
    run = banno_migrate(command, ".")
    assert run.code == 1, run
    assert run.problems == ["secret.py: cannot read: Permission denied"], run
    assert (good.read_bytes() == FIXED) is (command == "fix")
    monkeypatch.undo()
    assert secret.read_bytes() == LEGACY


def test_unreadable_directory_is_one_line_and_the_rest_goes_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(project / "locked" / "inside.py")
    good = put(project / "good.py")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    run = banno_migrate("fix", ".")
    assert run.code == 1, run
    assert run.problems == ["locked: permission denied"], run
    assert good.read_bytes() == FIXED


# --------------------------------------------------------------------------- writing: refusals and failures


def test_file_changed_between_read_and_write_is_not_overwritten(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = put(project / "app.py")
    real_write = fixer.write_atomically

    def user_saves_first(target: Path, data: bytes, original: bytes, *rest) -> None:
        target.write_bytes(USER_EDIT)
        real_write(target, data, original, *rest)

    monkeypatch.setattr(fixer, "write_atomically", user_saves_first)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1, run
    assert run.problems == ["app.py: changed on disk while being fixed; not overwritten"], run
    assert path.read_bytes() == USER_EDIT
    assert leftovers(project) == []


def test_file_deleted_between_read_and_write_is_not_recreated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = put(project / "app.py")
    real_write = fixer.write_atomically

    def user_deletes_first(target: Path, data: bytes, original: bytes, *rest) -> None:
        target.unlink()
        real_write(target, data, original, *rest)

    monkeypatch.setattr(fixer, "write_atomically", user_deletes_first)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1, run
    assert run.problems == ["app.py: cannot write: No such file or directory"], run
    assert not path.exists() and leftovers(project) == []


def test_file_swapped_for_a_symlink_out_of_the_roots_is_not_written_through(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(project / "app.py")
    outside = put(tmp_path / "elsewhere" / "victim.py")  # same bytes as the file that was read
    real_write = fixer.write_atomically

    def swap_first(target: Path, data: bytes, original: bytes, *rest) -> None:
        target.unlink()
        target.symlink_to(outside)
        real_write(target, data, original, *rest)

    monkeypatch.setattr(fixer, "write_atomically", swap_first)
    run = banno_migrate("fix", "app.py")
    assert outside.read_bytes() == LEGACY, "a file outside the given roots was written"
    assert run.code == 1 and len(run.problems) == 1 and run.problems[0].startswith("app.py: "), run


def test_read_only_directory_is_one_line_and_the_file_untouched(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = put(project / "ro" / "app.py")

    def no_temporary_file(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(temporary_files, "new_temporary", no_temporary_file)
    run = banno_migrate("fix", ".")
    assert run.code == 1, run
    assert run.problems == ["ro/app.py: cannot write: Permission denied"], run
    assert path.read_bytes() == LEGACY


def test_disk_full_is_one_line_and_no_temporary_file_is_left(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = put(project / "app.py")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fixer.os, "fsync", full)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1, run
    assert run.problems == ["app.py: cannot write: No space left on device"], run
    assert path.read_bytes() == LEGACY
    assert leftovers(project) == []


def test_read_only_file_is_not_replaced(project: Path) -> None:
    """Decision: a file without write permission is not fixed, whoever runs `fix` (the rename could, but must not)."""
    path = put(project / "app.py")
    path.chmod(0o444)
    run = banno_migrate("fix", "app.py")
    assert path.read_bytes() == LEGACY, "a read-only file was replaced"
    assert run.code == 1, run
    assert run.problems == ["app.py: cannot write: the file is read-only"], run
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


# --------------------------------------------------------------------------- Ctrl-C and crashes


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_ctrl_c_during_the_write_leaves_the_original_and_no_temporary_file(project: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    path = put(project / "app.py")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "write":
        real_fdopen = fixer.os.fdopen

        def fdopen(*args, **kwargs):
            handle = real_fdopen(*args, **kwargs)
            monkeypatch.setattr(handle, "write", interrupted)
            return handle

        monkeypatch.setattr(fixer.os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(fixer.os, where, interrupted)
    run = banno_migrate("fix", "app.py")
    assert run.code != 0, run
    assert path.read_bytes() == LEGACY
    assert leftovers(project) == []


def test_hard_crash_mid_write_leaves_the_original_intact(tmp_path: Path) -> None:
    """SIGKILL between the temporary file and the rename: the original is whole; the hidden temporary file is never linted."""
    root = tmp_path / "project"
    path = put(root / "app.py")
    (root / ".banno-migrate.yaml").write_text("")
    hooks = put(
        tmp_path / "hooks" / "sitecustomize.py",
        b"import os, signal\n"
        b"def replace(*args, **kwargs):\n"
        b"    os.kill(os.getpid(), signal.SIGKILL)\n"
        b"os.replace = replace\n",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks.parent), os.environ.get("PYTHONPATH")]))}
    crashed = subprocess.run([str(console_script()), "fix", "."], cwd=root, env=env, capture_output=True, timeout=120)
    assert crashed.returncode == -signal.SIGKILL, crashed
    assert path.read_bytes() == LEGACY
    assert len(leftovers(root)) == 1 and leftovers(root)[0].startswith(".app.py.")
    after = subprocess.run([str(console_script()), "check", "."], cwd=root, capture_output=True, text=True, timeout=120)
    assert after.stdout.splitlines()[0].startswith("app.py:1:7: BM001"), after
    assert ".tmp" not in after.stdout + after.stderr


# --------------------------------------------------------------------------- mode, owner, links


@pytest.mark.parametrize("mode", [0o640, 0o755, 0o600, 0o664, 0o2755])
def test_mode_is_kept(project: Path, mode: int) -> None:
    path = put(project / "app.py")
    path.chmod(mode)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1 and run.problems == [], run
    assert path.read_bytes() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another user")
def test_owner_and_group_are_kept_when_root_fixes_a_users_file(project: Path) -> None:
    path = put(project / "app.py")
    os.chown(path, 65534, 65534)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1 and run.problems == [], run
    assert path.read_bytes() == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)


def test_hard_link_the_named_file_is_fixed_the_other_name_keeps_the_old_bytes(project: Path) -> None:
    """Documented behaviour of an atomic rename (like `sed -i`): the link is split, nothing is half-written."""
    path = put(project / "app.py")
    other = project.parent / "elsewhere.py"
    os.link(path, other)
    run = banno_migrate("fix", "app.py")
    assert run.code == 1, run
    assert path.read_bytes() == FIXED
    assert other.read_bytes() == LEGACY
    assert path.stat().st_nlink == 1


# --------------------------------------------------------------------------- real permissions, as an unprivileged user

NOBODY = 65534


def console_script() -> Path:
    return Path(sys.executable).parent / "banno-migrate"


@dataclass
class Unprivileged:
    """Runs the console script as a user who obeys file permissions."""

    root: Path
    prefix: tuple[str, ...]

    def give(self, path: Path) -> Path:
        if IS_ROOT:
            os.chown(path, NOBODY, NOBODY)
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.prefix, str(console_script()), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )


@pytest.fixture
def unprivileged():
    if IS_ROOT and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot run as an unprivileged user")
    prefix = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups") if IS_ROOT else ()
    top = Path(tempfile.mkdtemp(prefix="banno-migrate-faults-"))  # pytest's tmp_path is private to root
    try:
        top.chmod(0o755)
        root = top / "project"
        root.mkdir()
        helper = Unprivileged(root, prefix)
        helper.give(root)
        helper.give(put(root / ".banno-migrate.yaml", b""))
        probe = helper.run("--version")
        # As root the tests run as `nobody`, who may not reach this checkout's virtualenv: skip then. Not as
        # root, nothing stands between the test and the console script: a failure is a failure.
        if IS_ROOT and probe.returncode != 0:
            pytest.skip(f"the console script does not run unprivileged: {probe.stderr.strip()[:200]}")
        assert probe.returncode == 0, probe.stderr
        yield helper
    finally:
        for path in top.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(top)


def test_really_unreadable_file(unprivileged: Unprivileged) -> None:
    secret = unprivileged.give(put(unprivileged.root / "secret.py"))
    good = unprivileged.give(put(unprivileged.root / "good.py"))
    secret.chmod(0o000)
    run = unprivileged.run("fix", ".")
    assert run.returncode == 1, run
    assert problems(run.stderr) == ["secret.py: cannot read: Permission denied"], run
    assert good.read_bytes() == FIXED


def test_really_read_only_directory(unprivileged: Unprivileged) -> None:
    directory = unprivileged.root / "ro"
    directory.mkdir()
    unprivileged.give(directory)
    path = unprivileged.give(put(directory / "app.py"))
    directory.chmod(0o555)
    run = unprivileged.run("fix", ".")
    assert run.returncode == 1, run
    assert problems(run.stderr) == ["ro/app.py: cannot write: Permission denied"], run
    assert path.read_bytes() == LEGACY
    assert sorted(p.name for p in directory.iterdir()) == ["app.py"]


def test_really_read_only_file(unprivileged: Unprivileged) -> None:
    path = unprivileged.give(put(unprivileged.root / "app.py"))
    path.chmod(0o444)
    run = unprivileged.run("fix", ".")
    assert path.read_bytes() == LEGACY, "a read-only file was replaced"
    assert run.returncode == 1, run
    assert problems(run.stderr) == ["app.py: cannot write: the file is read-only"], run


@pytest.mark.skipif(not IS_ROOT, reason="needs a file of another user")
def test_file_of_another_user_in_a_writable_directory_is_not_replaced(unprivileged: Unprivileged) -> None:
    path = put(unprivileged.root / "app.py")  # root's, 0o644: nobody may not write it, but may rename over it
    run = unprivileged.run("fix", ".")
    assert path.read_bytes() == LEGACY and path.stat().st_uid == 0, "another user's file was replaced"
    assert run.returncode == 1, run
    assert problems(run.stderr) == ["app.py: cannot write: the file is read-only"], run


# --------------------------------------------------------------------------- configuration faults

CONFIG_FAULTS = {
    "yaml_syntax": (".banno-migrate.yaml", "select: [BM001\n", "invalid YAML at line 2, column 1"),
    "yaml_tab": (".banno-migrate.yaml", "select: [BM001]\n\tignore: [BM002]\n", "invalid YAML at line 2, column 1"),
    "yaml_not_a_mapping": (".banno-migrate.yaml", "- select\n", "top level must be a mapping"),
    "yaml_unknown_key": (".banno-migrate.yaml", "selct: [BM001]\n", "unknown key 'selct' (did you mean 'select'?)"),
    "yaml_wrong_type": (".banno-migrate.yaml", "select: BM001\n", "'select' must be a list of rule codes, got str"),
    "yaml_wrong_item_type": (".banno-migrate.yaml", "exclude: [build/, 3]\n", "'exclude' must be a list of glob patterns, got a list containing int"),
    "yaml_wrong_mapping": (".banno-migrate.yaml", "per-file-ignores: [a.py]\n", "'per-file-ignores' must be a mapping"),
    "yaml_bad_host": (".banno-migrate.yaml", "issuer-host: http://bank.example\n", "'issuer-host' must be a host name"),
    "yaml_bad_claim": (".banno-migrate.yaml", "extra-claims: ['1st claim']\n", "'extra-claims' contains invalid claim name '1st claim'"),
    "yaml_unknown_code": (".banno-migrate.yaml", "select: [BM999]\n", "unknown rule code 'BM999' in 'select'"),
    "yaml_unknown_code_per_file": (".banno-migrate.yaml", "per-file-ignores:\n  'a.py': [XX1]\n", "unknown rule code 'XX1' in 'per-file-ignores' for 'a.py'"),
    "yaml_empty_code": (".banno-migrate.yaml", "ignore: ['']\n", "empty rule code in 'ignore'"),
    "yaml_python_tag": (".banno-migrate.yaml", "select: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
    "toml_syntax": ("pyproject.toml", "[tool.banno-migrate]\nselect = [\n", "invalid TOML"),
    "toml_duplicate_key": ("pyproject.toml", "[tool.banno-migrate]\nselect = ['BM001']\nselect = ['BM004']\n", "invalid TOML: Cannot overwrite a value (at line 3"),
    "toml_not_utf8": ("pyproject.toml", b"[tool.banno-migrate]\nselect = ['\xff']\n", "invalid TOML: not UTF-8 text"),
    "toml_not_a_table": ("pyproject.toml", "[tool]\nbanno-migrate = 3\n", "[tool.banno-migrate] must be a table, got int"),
    "toml_unknown_key": ("pyproject.toml", "[tool.banno-migrate]\nignore_ = ['BM001']\n", "[tool.banno-migrate] unknown key 'ignore_' (did you mean 'ignore'?)"),
    "toml_wrong_type": ("pyproject.toml", "[tool.banno-migrate.per-file-ignores]\n'a.py' = 'BM001'\n", "'per-file-ignores' for 'a.py' must be a list of rule codes, got str"),
    "toml_unknown_code": ("pyproject.toml", "[tool.banno-migrate]\nignore = ['BM01X']\n", "unknown rule code 'BM01X' in 'ignore'"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_FAULTS))
@pytest.mark.parametrize("command", ["check", "fix"])
def test_configuration_fault_exits_2_naming_the_file_and_the_key(project: Path, case: str, command: str) -> None:
    name, content, problem = CONFIG_FAULTS[case]
    (project / ".banno-migrate.yaml").unlink()
    config = project / name
    config.write_bytes(content if isinstance(content, bytes) else content.encode())
    app = put(project / "app.py")
    run = banno_migrate(command, ".")
    assert run.code == 2, run
    assert run.out == "" and len(run.problems) == 1, run
    assert run.err.startswith(f"banno-migrate: error: {config}: "), run
    assert problem in run.err, run
    assert app.read_bytes() == LEGACY


def test_repeated_yaml_key_exits_2_naming_the_key(project: Path) -> None:
    config = project / ".banno-migrate.yaml"
    config.write_text("select: [BM001]\nselect: [BM004]\n")
    run = banno_migrate("check", ".")
    assert run.code == 2, run
    assert run.err.startswith(f"banno-migrate: error: {config}: ") and "'select'" in run.err, run


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--config", "missing.yaml"], "missing.yaml: no such file"),
        (["--config", "settings.ini"], "settings.ini: unsupported config file type"),
        (["--select", "BM999"], "--select: unknown rule code 'BM999'"),
        (["--issuer-host", "bank example"], "--issuer-host: 'bank example' is not a host name"),
    ],
)
def test_command_line_configuration_fault_exits_2(project: Path, args: list[str], problem: str) -> None:
    (project / "settings.ini").write_text("[banno]\n")
    run = banno_migrate("check", *args, ".")
    assert run.code == 2, run
    assert len(run.problems) == 1 and run.err.startswith(f"banno-migrate: error: {problem}"), run


def test_unreadable_configuration_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / ".banno-migrate.yaml"
    deny(monkeypatch, config)
    run = banno_migrate("check", ".")
    assert run.code == 2, run
    assert run.problems == [f"banno-migrate: error: {config}: cannot read: Permission denied"], run
