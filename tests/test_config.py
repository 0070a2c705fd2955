"""Tests for banno_migrate.config: discovery, parsing, validation, precedence."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from banno_migrate.config import (
    CONFIG_FILENAME,
    ConfigError,
    Settings,
    find_config,
    load_config,
    load_settings,
    validate_codes,
)

KNOWN = ["BM001", "BM002", "BM003", "BM004", "BM005", "BM006", "BM007", "BM008", "BM009"]

FULL_YAML = """\
select: [BM001, BM00]
ignore: [BM002]
exclude: ["build/", "legacy/**/*.py"]
per-file-ignores:
  "tests/**": [BM003, BM004]
  "scripts/*.py": [BM005]
issuer-host: digital.garden-fi.com
extra-claims: [family_name, banno.institution_id]
"""

FULL_TOML = """\
[project]
name = "demo"

[tool.banno-migrate]
select = ["BM001", "BM00"]
ignore = ["BM002"]
exclude = ["build/", "legacy/**/*.py"]
issuer-host = "digital.garden-fi.com"
extra-claims = ["family_name", "banno.institution_id"]

[tool.banno-migrate.per-file-ignores]
"tests/**" = ["BM003", "BM004"]
"scripts/*.py" = ["BM005"]
"""

TOML_HEADER = "[tool.banno-migrate]\n"


def expected_full(root: Path, source: Path) -> Settings:
    return Settings(
        select=("BM001", "BM00"),
        ignore=("BM002",),
        exclude=("build/", "legacy/**/*.py"),
        per_file_ignores=(("tests/**", ("BM003", "BM004")), ("scripts/*.py", ("BM005",))),
        issuer_host="digital.garden-fi.com",
        extra_claims=("family_name", "banno.institution_id"),
        root=root,
        source=source,
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def yaml_error(tmp_path: Path, text: str) -> str:
    """Write `text` as ./.banno-migrate.yaml, load it, return the error message."""
    write(tmp_path / CONFIG_FILENAME, textwrap.dedent(text))
    with pytest.raises(ConfigError) as info:
        load_config(Path(CONFIG_FILENAME), KNOWN)
    return str(info.value)


def toml_error(tmp_path: Path, text: str) -> str:
    """Write `text` as ./pyproject.toml, load it, return the error message."""
    write(tmp_path / "pyproject.toml", textwrap.dedent(text))
    with pytest.raises(ConfigError) as info:
        load_config(Path("pyproject.toml"), KNOWN)
    return str(info.value)


def load_yaml(tmp_path: Path, text: str) -> Settings:
    write(tmp_path / CONFIG_FILENAME, textwrap.dedent(text))
    return load_config(Path(CONFIG_FILENAME), KNOWN)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Messages show paths as given, so the tests load relative paths from here.
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- loading


def test_yaml_loads_every_key(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, FULL_YAML)
    settings = load_config(Path(CONFIG_FILENAME), KNOWN)
    assert settings == expected_full(tmp_path.resolve(), Path(CONFIG_FILENAME))


def test_pyproject_loads_every_key(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", FULL_TOML)
    settings = load_config(Path("pyproject.toml"), KNOWN)
    assert settings == expected_full(tmp_path.resolve(), Path("pyproject.toml"))


def test_yml_suffix_is_yaml(tmp_path: Path) -> None:
    write(tmp_path / "custom.yml", "ignore: [BM004]\n")
    assert load_config(Path("custom.yml"), KNOWN).ignore == ("BM004",)


def test_underscore_spellings_are_accepted(tmp_path: Path) -> None:
    settings = load_yaml(
        tmp_path,
        """\
        per_file_ignores: {"a.py": [BM001]}
        issuer_host: digital.garden-fi.com
        extra_claims: [sub]
        """,
    )
    assert settings.per_file_ignores == (("a.py", ("BM001",)),)
    assert settings.issuer_host == "digital.garden-fi.com"
    assert settings.extra_claims == ("sub",)


def test_both_spellings_of_one_key_is_an_error(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "per-file-ignores: {}\nper_file_ignores: {}\n")
    assert message == ".banno-migrate.yaml: 'per_file_ignores' repeats 'per-file-ignores'"


def test_empty_yaml_file_means_defaults(tmp_path: Path) -> None:
    settings = load_yaml(tmp_path, "")
    assert settings == Settings(root=tmp_path.resolve(), source=Path(CONFIG_FILENAME))
    assert settings.select is None


def test_comment_only_yaml_file_means_defaults(tmp_path: Path) -> None:
    assert load_yaml(tmp_path, "# nothing configured yet\n").select is None


def test_null_value_means_default(tmp_path: Path) -> None:
    settings = load_yaml(tmp_path, "select:\nignore:\n")
    assert settings.select is None
    assert settings.ignore == ()


def test_empty_select_list_selects_nothing(tmp_path: Path) -> None:
    assert load_yaml(tmp_path, "select: []\n").select == ()


def test_empty_pyproject_table_means_defaults(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", TOML_HEADER)
    settings = load_config(Path("pyproject.toml"), KNOWN)
    assert settings == Settings(root=tmp_path.resolve(), source=Path("pyproject.toml"))


def test_pyproject_without_table_given_explicitly_is_an_error(tmp_path: Path) -> None:
    message = toml_error(tmp_path, '[project]\nname = "demo"\n')
    assert message == "pyproject.toml: no [tool.banno-migrate] table"


def test_pyproject_table_that_is_not_a_table(tmp_path: Path) -> None:
    message = toml_error(tmp_path, '[tool]\nbanno-migrate = "BM001"\n')
    assert message == "pyproject.toml: [tool.banno-migrate] must be a table, got str"


def test_root_is_the_config_files_directory(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "dir" / CONFIG_FILENAME, "exclude: [build/]\n")
    settings = load_config(Path("sub/dir") / CONFIG_FILENAME, KNOWN)
    assert settings.root == (tmp_path / "sub" / "dir").resolve()
    assert settings.root.is_absolute()
    assert settings.source == Path("sub/dir") / CONFIG_FILENAME


def test_codes_are_normalised(tmp_path: Path) -> None:
    assert load_yaml(tmp_path, "select: [' bm001 ', Bm00]\n").select == ("BM001", "BM00")


@pytest.mark.parametrize("prefix", ["BM", "BM0", "BM00", "BM009"])
def test_prefix_codes_are_accepted(tmp_path: Path, prefix: str) -> None:
    assert load_yaml(tmp_path, f"ignore: [{prefix}]\n").ignore == (prefix,)


def test_unsupported_suffix(tmp_path: Path) -> None:
    write(tmp_path / "banno.cfg", "")
    with pytest.raises(ConfigError, match=r"^banno\.cfg: unsupported config file type"):
        load_config(Path("banno.cfg"), KNOWN)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(Path("nope.yaml"), KNOWN)
    assert str(info.value) == "nope.yaml: no such file"


# --------------------------------------------------------------------------- discovery


def test_find_config_walks_up(tmp_path: Path) -> None:
    config = write(tmp_path / CONFIG_FILENAME, "")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == config.resolve()


def test_find_config_accepts_a_relative_start(tmp_path: Path) -> None:
    config = write(tmp_path / CONFIG_FILENAME, "")
    (tmp_path / "pkg").mkdir()
    assert find_config(Path("pkg")) == config.resolve()


def test_find_config_prefers_yaml_over_pyproject_in_same_dir(tmp_path: Path) -> None:
    yaml_file = write(tmp_path / CONFIG_FILENAME, "")
    write(tmp_path / "pyproject.toml", TOML_HEADER)
    assert find_config(tmp_path) == yaml_file.resolve()


def test_find_config_uses_pyproject_with_table(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", FULL_TOML)
    assert find_config(tmp_path) == pyproject.resolve()


def test_find_config_skips_pyproject_without_table(tmp_path: Path) -> None:
    yaml_file = write(tmp_path / CONFIG_FILENAME, "")
    inner = tmp_path / "inner"
    write(inner / "pyproject.toml", '[project]\nname = "x"\n[tool.black]\nline-length = 100\n')
    assert find_config(inner) == yaml_file.resolve()


def test_find_config_skips_unrelated_broken_pyproject(tmp_path: Path) -> None:
    yaml_file = write(tmp_path / CONFIG_FILENAME, "")
    write(tmp_path / "inner" / "pyproject.toml", "[project\n")
    assert find_config(tmp_path / "inner") == yaml_file.resolve()


def test_find_config_picks_broken_pyproject_that_mentions_us(tmp_path: Path) -> None:
    # Skipping it would silently run with defaults instead of reporting the typo.
    write(tmp_path / CONFIG_FILENAME, "")
    pyproject = write(tmp_path / "inner" / "pyproject.toml", "[tool.banno-migrate\nselect = []\n")
    assert find_config(tmp_path / "inner") == pyproject.resolve()


def test_find_config_closest_wins(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, "select: [BM001]\n")
    closer = write(tmp_path / "proj" / "pyproject.toml", TOML_HEADER + 'select = ["BM002"]\n')
    (tmp_path / "proj" / "src").mkdir()
    assert find_config(tmp_path / "proj" / "src") == closer.resolve()


def test_find_config_none_when_nothing_found(tmp_path: Path) -> None:
    # Guard: the machine running the tests must not have a config above tmp_path.
    if any((parent / CONFIG_FILENAME).exists() for parent in tmp_path.resolve().parents):
        pytest.skip("a .banno-migrate.yaml exists above the temporary directory")
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None


# --------------------------------------------------------------------------- load_settings


def test_load_settings_explicit_config(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "mine.yaml", "ignore: [BM007]\n")
    settings = load_settings(Path("conf/mine.yaml"), KNOWN)
    assert settings.ignore == ("BM007",)
    assert settings.source == Path("conf/mine.yaml")
    assert settings.root == (tmp_path / "conf").resolve()


def test_load_settings_explicit_config_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(Path("missing.yaml"), KNOWN)
    assert str(info.value) == "missing.yaml: no such file"


def test_load_settings_explicit_pyproject_bypasses_discovery(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, "select: [BM001]\n")
    write(tmp_path / "other" / "pyproject.toml", TOML_HEADER + 'select = ["BM002"]\n')
    assert load_settings(Path("other/pyproject.toml"), KNOWN).select == ("BM002",)


def test_load_settings_discovers_from_cwd(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, "select: [BM003]\n")
    work = tmp_path / "work"
    work.mkdir()
    settings = load_settings(None, KNOWN, cwd=work)
    assert settings.select == ("BM003",)
    assert settings.root == tmp_path.resolve()


def test_load_settings_defaults_to_process_cwd(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", TOML_HEADER + 'ignore = ["BM008"]\n')
    assert load_settings(None, KNOWN).ignore == ("BM008",)


def test_load_settings_without_any_file(tmp_path: Path) -> None:
    if any((parent / CONFIG_FILENAME).exists() for parent in tmp_path.resolve().parents):
        pytest.skip("a .banno-migrate.yaml exists above the temporary directory")
    assert load_settings(None, KNOWN, cwd=tmp_path) == Settings(root=tmp_path.resolve())


# --------------------------------------------------------------------------- errors


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "selct: [BM001]\n")
    assert message == ".banno-migrate.yaml: unknown key 'selct' (did you mean 'select'?)"


def test_unknown_key_suggests_dashed_spelling(tmp_path: Path) -> None:
    message = toml_error(tmp_path, TOML_HEADER + "per_file_ignore = {}\n")
    assert message == (
        "pyproject.toml: [tool.banno-migrate] unknown key 'per_file_ignore' "
        "(did you mean 'per-file-ignores'?)"
    )


def test_unknown_key_without_close_match(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "colour: blue\n")
    assert message == ".banno-migrate.yaml: unknown key 'colour'"


def test_yaml_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "- BM001\n- BM002\n")
    assert message == ".banno-migrate.yaml: top level must be a mapping of settings, got list"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('select = "BM001"', "'select' must be a list of rule codes, got str"),
        ("ignore = 1", "'ignore' must be a list of rule codes, got int"),
        ("ignore = [1]", "'ignore' must be a list of rule codes, got a list containing int"),
        ("exclude = true", "'exclude' must be a list of glob patterns, got bool"),
        ('exclude = [""]', "'exclude' contains an empty pattern"),
        (
            'per-file-ignores = ["tests/*"]',
            "'per-file-ignores' must be a mapping of glob pattern to rule codes, got list",
        ),
        (
            'per-file-ignores = {"tests/*" = "BM001"}',
            "'per-file-ignores' for 'tests/*' must be a list of rule codes, got str",
        ),
        ("issuer-host = 443", "'issuer-host' must be a host name string, got int"),
        (
            'issuer-host = ["a.com"]',
            "'issuer-host' must be a host name string, got list",
        ),
        ('extra-claims = "sub"', "'extra-claims' must be a list of claim names, got str"),
        ("extra-claims = [{a = 1}]", "'extra-claims' must be a list of claim names, got a list containing mapping"),
    ],
)
def test_wrong_types_in_pyproject(tmp_path: Path, text: str, expected: str) -> None:
    message = toml_error(tmp_path, TOML_HEADER + text + "\n")
    assert message == f"pyproject.toml: [tool.banno-migrate] {expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select: BM001", "'select' must be a list of rule codes, got str"),
        ("select: {BM001: true}", "'select' must be a list of rule codes, got mapping"),
        ("ignore: [BM001, null]", "'ignore' must be a list of rule codes, got a list containing null"),
        ("exclude: build/", "'exclude' must be a list of glob patterns, got str"),
        ("per-file-ignores: {1: [BM001]}", "'per-file-ignores' patterns must be non-empty strings, got 1"),
        ("issuer-host: 1.5", "'issuer-host' must be a host name string, got float"),
        ("extra-claims: [2024-01-01]", "'extra-claims' must be a list of claim names, got a list containing date"),
    ],
)
def test_wrong_types_in_yaml(tmp_path: Path, text: str, expected: str) -> None:
    assert yaml_error(tmp_path, text + "\n") == f".banno-migrate.yaml: {expected}"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "select: [BM001\nignore: [BM002]\n")
    assert message.startswith(".banno-migrate.yaml: invalid YAML at line ")
    assert "\n" not in message


def test_malformed_yaml_reports_the_right_line(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "select: [BM001]\nignore:\n  - BM002\n - BM003\n")
    assert message.startswith(".banno-migrate.yaml: invalid YAML at line 4, column 2: ")


def test_yaml_tab_indentation_is_reported_on_one_line(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "select:\n\t- BM001\n")
    assert message.startswith(".banno-migrate.yaml: invalid YAML at line 2")
    assert "\n" not in message


def test_non_utf8_yaml(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_bytes(b"select: [\xff]\n")
    with pytest.raises(ConfigError) as info:
        load_config(Path(CONFIG_FILENAME), KNOWN)
    assert str(info.value).startswith(".banno-migrate.yaml: invalid YAML")
    assert "\n" not in str(info.value)


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    message = toml_error(tmp_path, TOML_HEADER + 'select = ["BM001"]\nignore = [BM002]\n')
    assert message == "pyproject.toml: invalid TOML: Invalid value (at line 3, column 11)"


def test_non_utf8_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.banno-migrate]\nselect = ["\xff"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(Path("pyproject.toml"), KNOWN)
    assert str(info.value) == "pyproject.toml: invalid TOML: not UTF-8 text"


def test_config_path_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"^dir\.yaml: is a directory"):
        load_config(Path("dir.yaml"), KNOWN)


def test_absolute_path_is_shown_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / CONFIG_FILENAME, "selct: []\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, KNOWN)
    assert str(info.value).startswith(f"{path}: unknown key 'selct'")


# --------------------------------------------------------------------------- rule codes


def test_unknown_code_in_select(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "select: [BM001, BM999]\n")
    assert message == ".banno-migrate.yaml: unknown rule code 'BM999' in 'select'"


def test_unknown_code_in_ignore_pyproject(tmp_path: Path) -> None:
    message = toml_error(tmp_path, TOML_HEADER + 'ignore = ["BM01"]\n')
    assert message == "pyproject.toml: [tool.banno-migrate] unknown rule code 'BM01' in 'ignore'"


def test_unknown_code_in_per_file_ignores(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, 'per-file-ignores:\n  "tests/*": [BM002, XY001]\n')
    assert message == (
        ".banno-migrate.yaml: unknown rule code 'XY001' in 'per-file-ignores' for 'tests/*'"
    )


def test_empty_code_is_rejected(tmp_path: Path) -> None:
    # "" is a prefix of every code; accepting it would silently select everything.
    message = yaml_error(tmp_path, "ignore: ['  ']\n")
    assert message == ".banno-migrate.yaml: empty rule code in 'ignore'"


def test_validate_codes_for_the_command_line() -> None:
    assert validate_codes([" bm001", "BM", "bm00"], KNOWN, "--select") == ("BM001", "BM", "BM00")


def test_validate_codes_unknown_code() -> None:
    with pytest.raises(ConfigError) as info:
        validate_codes(["BM001", "bm999"], KNOWN, "--ignore")
    assert str(info.value) == "--ignore: unknown rule code 'bm999'"


def test_validate_codes_code_longer_than_any_known() -> None:
    with pytest.raises(ConfigError, match="unknown rule code 'BM0011'"):
        validate_codes(["BM0011"], KNOWN, "--select")


# --------------------------------------------------------------------------- issuer-host


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("digital.garden-fi.com", "digital.garden-fi.com"),
        ("digital.garden-fi.com:8443", "digital.garden-fi.com:8443"),
        ("https://digital.garden-fi.com", "digital.garden-fi.com"),
        ("https://digital.garden-fi.com/", "digital.garden-fi.com"),
        ("HTTPS://Digital.Garden-FI.com:443/", "digital.garden-fi.com:443"),
        ("localhost", "localhost"),
        ("127.0.0.1:8080", "127.0.0.1:8080"),
    ],
)
def test_issuer_host_is_normalised(tmp_path: Path, written: str, expected: str) -> None:
    assert load_yaml(tmp_path, f"issuer-host: '{written}'\n").issuer_host == expected


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("https://digital.garden-fi.com/a/oidc", "a path, query or fragment is not allowed"),
        ("digital.garden-fi.com/a", "a path, query or fragment is not allowed"),
        ("https://digital.garden-fi.com?x=1", "a path, query or fragment is not allowed"),
        ("http://digital.garden-fi.com", "only an https:// URL may be given"),
        ("digital garden.com", "contains whitespace"),
        (" digital.garden-fi.com", "contains whitespace"),
        ("digital.garden-fi.com:", "invalid port"),
        ("digital.garden-fi.com:99999", "invalid port"),
        ("digital.garden-fi.com:0", "invalid port"),
        ("digital.garden-fi.com:http", "invalid port"),
        ("https://", "not a valid host name"),
        ("", "not a valid host name"),
        ("-bad.example.com", "not a valid host name"),
        ("bad-.example.com", "not a valid host name"),
        ("under_score.example.com", "not a valid host name"),
        ("a..b", "not a valid host name"),
        ("user@digital.garden-fi.com", "not a valid host name"),
        ("a" * 64 + ".com", "not a valid host name"),
        (".".join(["abcdefghij"] * 24), "not a valid host name"),  # 263 characters
    ],
)
def test_issuer_host_is_rejected(tmp_path: Path, written: str, reason: str) -> None:
    message = yaml_error(tmp_path, f"issuer-host: '{written}'\n")
    assert message == (
        ".banno-migrate.yaml: 'issuer-host' must be a host name like 'digital.garden-fi.com', "
        f"got {written!r} ({reason})"
    )


def test_issuer_host_https_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", TOML_HEADER + 'issuer-host = "https://digital.garden-fi.com/"\n')
    assert load_config(Path("pyproject.toml"), KNOWN).issuer_host == "digital.garden-fi.com"


# --------------------------------------------------------------------------- extra-claims


def test_extra_claims_valid_names(tmp_path: Path) -> None:
    settings = load_yaml(tmp_path, "extra-claims: [_private, a.b-c, X9]\n")
    assert settings.extra_claims == ("_private", "a.b-c", "X9")


@pytest.mark.parametrize("claim", ["9lives", "-x", ".x", "has space", "a/b", "", "name\n"])
def test_extra_claims_invalid_names(tmp_path: Path, claim: str) -> None:
    # Written through TOML's basic-string escapes so "\n" really is a newline.
    escaped = claim.replace("\n", "\\n")
    message = toml_error(tmp_path, TOML_HEADER + f'extra-claims = ["ok", "{escaped}"]\n')
    assert message.startswith(
        f"pyproject.toml: [tool.banno-migrate] 'extra-claims' contains invalid claim name {claim!r}"
    )


# --------------------------------------------------------------------------- merged_with


def file_settings() -> Settings:
    return Settings(
        select=("BM001",),
        ignore=("BM002",),
        exclude=("build/",),
        per_file_ignores=(("tests/*", ("BM003",)),),
        issuer_host="file.example.com",
        extra_claims=("a",),
        root=Path("/proj"),
        source=Path("/proj/.banno-migrate.yaml"),
    )


def test_merged_with_no_overrides_is_unchanged() -> None:
    base = file_settings()
    assert base.merged_with() == base
    assert base.merged_with(select=None, ignore=None, exclude=None, issuer_host=None) == base


def test_merged_with_cli_replaces_fields() -> None:
    merged = file_settings().merged_with(
        select=["BM004"], ignore=("BM005",), exclude=["dist/"], issuer_host="cli.example.com"
    )
    assert merged.select == ("BM004",)
    assert merged.ignore == ("BM005",)
    assert merged.exclude == ("dist/",)
    assert merged.issuer_host == "cli.example.com"
    # Untouched fields still come from the file.
    assert merged.per_file_ignores == (("tests/*", ("BM003",)),)
    assert merged.extra_claims == ("a",)
    assert merged.root == Path("/proj")


def test_merged_with_empty_override_still_replaces() -> None:
    # Only None means "not given"; an explicit empty list is a real value.
    assert file_settings().merged_with(ignore=()).ignore == ()


def test_merged_with_extend_exclude_appends() -> None:
    assert file_settings().merged_with(extend_exclude=["gen/"]).exclude == ("build/", "gen/")


def test_merged_with_extend_exclude_after_exclude_override() -> None:
    merged = file_settings().merged_with(exclude=["dist/"], extend_exclude=("gen/",))
    assert merged.exclude == ("dist/", "gen/")


def test_merged_with_result_is_hashable() -> None:
    merged = file_settings().merged_with(per_file_ignores={"x/*": ["BM001"]}, extra_claims=["b"])
    assert merged.per_file_ignores == (("x/*", ("BM001",)),)
    hash(merged)


def test_merged_with_does_not_mutate_original() -> None:
    base = file_settings()
    base.merged_with(select=["BM009"])
    assert base.select == ("BM001",)


def test_merged_with_unknown_override() -> None:
    with pytest.raises(TypeError, match="selct"):
        file_settings().merged_with(selct=["BM001"])


# --------------------------------------------------------------------------- start-up cost


def test_import_does_not_pull_in_heavy_modules() -> None:
    code = (
        "import sys, banno_migrate.config as c; "
        "print(sorted({'yaml', 'libcst', 'click'} & set(sys.modules)))"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- parsed YAML kept in the cache


def _cache_made_by_a_run(root: Path) -> None:
    from banno_migrate.cache import FindingsCache

    FindingsCache(root, "key")._prepare_directory()


def test_a_yaml_config_parsed_once_is_read_back_without_pyyaml(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, FULL_YAML)
    _cache_made_by_a_run(tmp_path)
    assert load_settings(None, KNOWN, cache=True) == expected_full(tmp_path, tmp_path / CONFIG_FILENAME)
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from banno_migrate.config import load_settings\n"
        f"settings = load_settings(None, {KNOWN!r}, cache=True)\n"
        "print(settings.select, settings.per_file_ignores, 'yaml' in sys.modules)\n"
    )
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert second.stdout.split() == "('BM001', 'BM00') (('tests/**', ('BM003', 'BM004')), ('scripts/*.py', ('BM005',))) False".split()


def test_a_changed_config_is_parsed_again(tmp_path: Path) -> None:
    write(tmp_path / CONFIG_FILENAME, "select: [BM001]\n")
    _cache_made_by_a_run(tmp_path)
    assert load_settings(None, KNOWN, cache=True).select == ("BM001",)
    write(tmp_path / CONFIG_FILENAME, "select: [BM002]\n")
    assert load_settings(None, KNOWN, cache=True).select == ("BM002",)
    write(tmp_path / CONFIG_FILENAME, "select: [BM002\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_settings(None, KNOWN, cache=True)


def test_nothing_is_kept_without_a_cache_or_with_it_off_or_when_json_would_change_it(tmp_path: Path) -> None:
    from banno_migrate.cache import CACHE_DIR_NAME, parsed_config

    data = b"select: [BM001]\n"
    write(tmp_path / CONFIG_FILENAME, data.decode())
    load_settings(None, KNOWN, cache=True)
    assert not (tmp_path / CACHE_DIR_NAME).exists()  # no run made a cache here: none is made for this
    _cache_made_by_a_run(tmp_path)
    load_settings(None, KNOWN, cache=False)
    assert parsed_config(tmp_path, data) is None
    load_settings(None, KNOWN, cache=True)
    assert parsed_config(tmp_path, data) == ({"select": ["BM001"]},)
    dated = b"select: [BM001]\nsince: 2024-01-01\n"  # a date: JSON would give a string back
    write(tmp_path / CONFIG_FILENAME, dated.decode())
    with pytest.raises(ConfigError, match="since"):
        load_settings(None, KNOWN, cache=True)
    assert parsed_config(tmp_path, dated) is None
