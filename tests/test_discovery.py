from __future__ import annotations

import os
from pathlib import Path

import pytest

from banno_migrate.discovery import Discovered, DiscoveryError, discover
from banno_migrate.languages import FileTypes


def touch(root: Path, *rels: str) -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def names(result: Discovered) -> list[str]:
    return [path.as_posix() for path in result.files]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walks_recursively_and_filters_by_file_type(tree: Path) -> None:
    touch(tree, "a.py", "pkg/b.pyi", "pkg/deep/er/c.py", "notes.txt", "pkg/py", "README.md", "style.css")
    assert names(discover([Path(".")])) == ["a.py", "pkg/b.pyi", "pkg/deep/er/c.py"]


def test_user_file_types_add_globs(tree: Path) -> None:
    touch(tree, "a.py", "b.pyw", "notes.txt")
    file_types = FileTypes.from_mapping({"python": ["*.pyw"]})
    assert names(discover([Path(".")], file_types=file_types)) == ["a.py", "b.pyw"]
    assert file_types.language_for("b.pyw").name == "python"
    assert file_types.language_for("notes.txt") is None


@pytest.mark.parametrize(
    "skipped",
    [
        ".git", ".hg", ".svn", "__pycache__", "node_modules", "site-packages", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".banno-migrate-cache", ".eggs", "build",
        "dist", "mypkg.egg-info", ".venv", "venv",
    ],
)  # fmt: skip
def test_skips_well_known_directories_at_any_depth(tree: Path, skipped: str) -> None:
    touch(tree, "keep.py", f"{skipped}/top.py", f"src/{skipped}/nested.py")
    assert names(discover([Path(".")], respect_gitignore=False)) == ["keep.py"]


def test_similar_names_are_not_skipped(tree: Path) -> None:
    touch(tree, "builder/a.py", "distutils_extra/b.py", "my_venv_tools/c.py")
    assert names(discover([Path(".")])) == ["builder/a.py", "distutils_extra/b.py", "my_venv_tools/c.py"]


@pytest.mark.parametrize("marker", ["pyvenv.cfg", "CACHEDIR.TAG"])
def test_skips_directory_holding_a_marker_whatever_its_name(tree: Path, marker: str) -> None:
    touch(tree, "app.py", f"tools/py311-env/{marker}", "tools/py311-env/lib/python3.11/mod.py")
    assert names(discover([Path(".")])) == ["app.py"]


def test_nested_gitignore_applies_only_to_its_own_subtree(tree: Path) -> None:
    touch(tree, "gen.py", "sub/gen.py", "sub/deeper/gen.py", "sub/keep.py", "other/gen.py")
    write(tree / "sub/.gitignore", "gen.py\n")
    assert names(discover([Path(".")])) == ["gen.py", "other/gen.py", "sub/keep.py"]


def test_nested_gitignore_patterns_are_relative_to_their_directory(tree: Path) -> None:
    touch(tree, "sub/out.py", "sub/inner/out.py", "out.py")
    write(tree / "sub/.gitignore", "/out.py\n")
    assert names(discover([Path(".")])) == ["out.py", "sub/inner/out.py"]


def test_gitignore_negation_and_deeper_file_overrides(tree: Path) -> None:
    touch(tree, "a_pb2.py", "keep_pb2.py", "lib/b_pb2.py", "lib/c.py")
    write(tree / ".gitignore", "*_pb2.py\n!keep_pb2.py\n")
    write(tree / "lib/.gitignore", "!b_pb2.py\n")
    assert names(discover([Path(".")])) == ["keep_pb2.py", "lib/b_pb2.py", "lib/c.py"]


def test_gitignore_reinclusion_idioms_behave_like_git(tree: Path) -> None:
    # Both idioms must not prune the directory itself, or the re-included files are lost.
    touch(tree, "data/keep.py", "data/drop.py", "data/sub/x.py")
    touch(tree, "only/py/a.py", "only/py/a.pyi", "only/py/deep/b.py")
    write(tree / ".gitignore", "data/**\n!data/keep.py\n")
    write(tree / "only/.gitignore", "*\n!*/\n!*.py\n")
    assert names(discover([Path(".")])) == ["data/keep.py", "only/py/a.py", "only/py/deep/b.py"]


def test_parent_repo_gitignore_applies_when_scanning_a_subdirectory(tree: Path) -> None:
    (tree / ".git/info").mkdir(parents=True)
    write(tree / ".gitignore", "generated/\n*_old.py\n")
    write(tree / "examples/.gitignore", "scratch.py\n")
    app = "examples/app"
    touch(tree, f"{app}/main.py", f"{app}/generated/x.py", f"{app}/v1_old.py", f"{app}/scratch.py")
    assert names(discover([Path("examples/app")])) == ["examples/app/main.py"]


def test_git_info_exclude_is_honoured(tree: Path) -> None:
    write(tree / ".git/info/exclude", "local_*.py\n")
    touch(tree, "src/local_settings.py", "src/settings.py")
    assert names(discover([Path("src")])) == ["src/settings.py"]


def test_gitignore_above_the_root_is_ignored_outside_a_repository(tree: Path) -> None:
    write(tree / ".gitignore", "*.py\n")
    touch(tree, "proj/a.py")
    write(tree / "proj/.gitignore", "b.py\n")
    touch(tree, "proj/b.py")
    assert names(discover([Path("proj")])) == ["proj/a.py"]


def test_nested_repository_does_not_inherit_outer_gitignore(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / "vendor/lib/.git").mkdir(parents=True)
    write(tree / ".gitignore", "*_gen.py\n")
    touch(tree, "top_gen.py", "vendor/lib/mod_gen.py")
    assert names(discover([Path(".")])) == ["vendor/lib/mod_gen.py"]


def test_respect_gitignore_false_turns_every_ignore_file_off(tree: Path) -> None:
    write(tree / ".git/info/exclude", "a.py\n")
    write(tree / ".gitignore", "b.py\n")
    write(tree / "sub/.gitignore", "*\n")
    touch(tree, "a.py", "b.py", "sub/c.py")
    assert names(discover([Path(".")], respect_gitignore=False)) == ["a.py", "b.py", "sub/c.py"]


def test_exclude_glob_matches_files(tree: Path) -> None:
    touch(tree, "app/models.py", "app/models_pb2.py", "lib/x_pb2.py")
    assert names(discover([Path(".")], exclude=["*_pb2.py"])) == ["app/models.py"]


def test_exclude_pattern_prunes_a_directory(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tree, "app/main.py", "app/migrations/0001_initial.py", "legacy/old.py")
    walked: list[str] = []
    real_scandir = os.scandir

    def spy(path: str) -> object:
        walked.append(Path(path).as_posix())
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    result = discover([Path(".")], exclude=["migrations/", "/legacy"])
    assert names(result) == ["app/main.py"]
    assert "app/migrations" not in walked and "legacy" not in walked


def test_exclude_patterns_are_relative_to_exclude_root(tree: Path) -> None:
    touch(tree, "proj/scripts/tool.py", "proj/src/scripts/tool.py", "outside/scripts/tool.py")
    result = discover([Path("proj"), Path("outside")], exclude=["/scripts"], exclude_root=tree / "proj")
    assert names(result) == ["outside/scripts/tool.py", "proj/src/scripts/tool.py"]


@pytest.mark.parametrize("where", ["excluded.py", "node_modules/pkg/x.py", "ignored/x.py", "weird.txt"])
def test_explicit_file_is_returned_whatever_the_rules(tree: Path, where: str) -> None:
    (tree / ".git").mkdir()
    write(tree / ".gitignore", "ignored/\n")
    touch(tree, where)
    assert names(discover([Path(where)], exclude=["excluded.py"])) == [where]


@pytest.mark.parametrize(
    "where",
    [
        "excluded.py",
        "node_modules/pkg/x.py",
        "ignored/x.py",
        "lib/gen_x.py",
        "envs/py3/x.py",
        "migrations/deep/x.py",
    ],
)
def test_force_exclude_applies_the_rules_to_explicit_files(tree: Path, where: str) -> None:
    (tree / ".git").mkdir()
    write(tree / ".gitignore", "ignored/\ngen_*.py\n")
    touch(tree, where, "envs/py3/pyvenv.cfg", "lib/kept.py")
    exclude = ["excluded.py", "migrations/"]
    result = discover([Path(where), Path("lib/kept.py")], exclude=exclude, force_exclude=True)
    assert names(result) == ["lib/kept.py"]
    assert result.errors == []


def test_missing_path_is_an_error_and_the_rest_goes_on(tree: Path) -> None:
    touch(tree, "src/a.py")
    result = discover([Path("nope.py"), Path("src"), Path("gone/dir")])
    assert names(result) == ["src/a.py"]
    assert result.errors == [
        DiscoveryError(Path("gone/dir"), "no such file or directory"),
        DiscoveryError(Path("nope.py"), "no such file or directory"),
    ]


def test_each_file_appears_once(tree: Path) -> None:
    touch(tree, "src/pkg/a.py", "src/b.py")
    result = discover([Path("src"), Path("src/pkg"), Path("src/b.py"), Path("src"), Path("./src/pkg/a.py")])
    assert names(result) == ["src/b.py", "src/pkg/a.py"]


@pytest.mark.parametrize("order", [1, -1])
def test_a_file_named_two_ways_keeps_one_name_whatever_the_order(tree: Path, order: int) -> None:
    touch(tree, "src/a.py")
    result = discover([Path("src/a.py"), tree / "src"][::order])
    assert result.files == [tree / "src/a.py"]


def test_a_symlink_to_a_walked_file_is_not_a_second_file(tree: Path) -> None:
    touch(tree, "src/a.py")
    (tree / "src/z_alias.py").symlink_to(tree / "src/a.py")
    (tree / "src/0_alias.py").symlink_to(tree / "src/a.py")
    assert names(discover([Path("src")])) == ["src/a.py"]


def test_returned_paths_keep_the_form_given(tree: Path) -> None:
    touch(tree, "src/a.py", "lib/b.py")
    result = discover([Path("src"), tree / "lib"])
    assert result.files == [tree / "lib/b.py", Path("src/a.py")]


def test_output_is_sorted_by_posix_string(tree: Path) -> None:
    touch(tree, "b.py", "a/z.py", "B.py", "a_b.py", "a/a.py")
    assert names(discover([Path(".")])) == ["B.py", "a/a.py", "a/z.py", "a_b.py", "b.py"]


def test_symlinked_directory_is_not_descended(tree: Path) -> None:
    touch(tree, "src/a.py", "elsewhere/b.py")
    (tree / "src/linked").symlink_to(tree / "elsewhere", target_is_directory=True)
    (tree / "src/loop").symlink_to(tree / "src", target_is_directory=True)
    assert names(discover([Path("src")])) == ["src/a.py"]


def test_symlinked_file_is_kept_only_when_its_target_is_inside_a_root(tree: Path) -> None:
    touch(tree, "src/real/a.py", "outside/secret.py")
    write(tree / "src/.gitignore", "real/\n")
    (tree / "src/alias.py").symlink_to(tree / "src/real/a.py")
    (tree / "src/escape.py").symlink_to(tree / "outside/secret.py")
    assert names(discover([Path("src")])) == ["src/alias.py"]


def test_unreadable_directory_is_reported_and_the_walk_goes_on(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tree, "ok/a.py", "locked/b.py")
    real_scandir = os.scandir

    # chmod cannot lock root (tests may run as root), so refuse at the syscall's door.
    def refuse_locked(path: str) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    result = discover([Path(".")])
    assert names(result) == ["ok/a.py"]
    assert result.errors == [DiscoveryError(Path("locked"), "permission denied")]


def test_each_file_comes_with_the_path_it_resolves_to(tree: Path) -> None:
    touch(tree, "src/a.py", "src/pkg/b.py", "outer/c.py", "elsewhere/d.py")
    (tree / "src/alias.py").symlink_to(tree / "src/pkg/b.py")
    (tree / "src/linked").symlink_to(tree / "elsewhere", target_is_directory=True)
    (tree / "root_link").symlink_to(tree / "src", target_is_directory=True)
    result = discover([Path("root_link"), Path("outer/../outer/c.py"), tree / "src/linked/d.py"])
    assert [path.as_posix() for path in result.files] == [
        (tree / "src/linked/d.py").as_posix(),
        "outer/../outer/c.py",
        "root_link/a.py",
        "root_link/pkg/b.py",  # src/alias.py leads to the same file
    ]
    assert result.real_paths == [str(path.resolve()) for path in result.files]
    assert result.real_paths[0] == str(tree.resolve() / "elsewhere/d.py")
