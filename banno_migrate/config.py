"""Find, read and validate the banno-migrate configuration.

Settings come from `.banno-migrate.yaml` or from `[tool.banno-migrate]` in
`pyproject.toml`; both use the same keys.  The closest file wins and files are
never merged (ruff's model), so what a user sees in one file is what runs.

This module sits on the start-up path of every run, so it must not import
libcst or click, and PyYAML is imported only when a YAML file is actually read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_FILENAME = ".banno-migrate.yaml"
_PYPROJECT_FILENAME = "pyproject.toml"
_TOOL_TABLE = "tool.banno-migrate"

_YAML_SUFFIXES = (".yaml", ".yml")
_CLAIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
_MAX_HOST_LENGTH = 253


class ConfigError(Exception):
    """A configuration problem, as one line that already names the file and key.

    e.g. ".banno-migrate.yaml: unknown key 'selct' (did you mean 'select'?)"
    """


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None  # None = every rule
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, codes) in file order
    issuer_host: str | None = None
    extra_claims: tuple[str, ...] = ()
    file_types: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (language, globs): more files to scan
    # Directory the relative patterns are relative to: the config file's
    # directory (absolute, resolved) or the working directory without a file.
    root: Path = Path(".")
    source: Path | None = None  # the config file read, if any

    def merged_with(self, **overrides: Any) -> Settings:
        """Apply command-line options, which win over the file.

        Every override that is not None replaces its field (so an empty tuple
        for `select` really means "no rules"); `extend_exclude` is appended to
        `exclude` after any `exclude` override.
        """
        extend_exclude = overrides.pop("extend_exclude", None)
        unknown = overrides.keys() - {field.name for field in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"merged_with() got unknown override(s): {', '.join(sorted(unknown))}")
        changes = {name: _frozen(value) for name, value in overrides.items() if value is not None}
        merged = dataclasses.replace(self, **changes)
        if extend_exclude is not None:
            merged = dataclasses.replace(merged, exclude=merged.exclude + tuple(extend_exclude))
        return merged


def _frozen(value: Any) -> Any:
    # Callers pass lists and dicts straight from option parsers; tuples keep
    # the frozen Settings hashable and safe to share.
    if isinstance(value, Mapping):
        return tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


# --------------------------------------------------------------------------- discovery


def find_config(start: Path) -> Path | None:
    """Return the closest config file at or above the directory `start`.

    In each directory `.banno-migrate.yaml` is preferred over a
    `pyproject.toml`, and a pyproject only counts when it has a
    [tool.banno-migrate] table; the walk stops at the filesystem root.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        yaml_file = directory / CONFIG_FILENAME
        if yaml_file.is_file():
            return yaml_file
        pyproject = directory / _PYPROJECT_FILENAME
        if pyproject.is_file() and _declares_tool_table(pyproject):
            return pyproject
    return None


def _declares_tool_table(pyproject: Path) -> bool:
    import tomllib  # only a project with a pyproject.toml pays for the TOML parser

    try:
        raw = pyproject.read_bytes()
    except OSError:
        return False  # an unreadable unrelated pyproject must not stop the run
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject that mentions us is most likely our config with a
        # typo: pick it so load_config reports the error instead of silently
        # running with defaults.  Any other broken pyproject is not our business.
        return b"banno-migrate" in raw
    return _tool_table(document) is not None


def _tool_table(document: Mapping[str, Any]) -> object | None:
    tool = document.get("tool")
    return tool.get("banno-migrate") if isinstance(tool, dict) else None


def load_settings(
    config_path: Path | None, known_codes: Collection[str], cwd: Path | None = None, *, cache: bool = False
) -> Settings:
    """Settings for a run: the --config file, else the closest file, else defaults."""
    if config_path is not None:
        return load_config(config_path, known_codes, cache=cache)
    base = Path.cwd() if cwd is None else cwd.resolve()
    found = find_config(base)
    return load_config(found, known_codes, cache=cache) if found is not None else Settings(root=base)


# --------------------------------------------------------------------------- reading


def load_config(path: Path, known_codes: Collection[str], *, cache: bool = False) -> Settings:
    """Read and validate one config file (YAML, or the table in a TOML file).

    With `cache`, a YAML file parsed by an earlier run is read back from the
    findings cache next to it (`banno_migrate.cache.parsed_config`).
    """
    suffix = path.suffix.lower()
    if suffix in _YAML_SUFFIXES:
        table, prefix = _read_yaml_table(path, cache), f"{path}: "
    elif suffix == ".toml":
        table, prefix = _read_toml_table(path), f"{path}: [{_TOOL_TABLE}] "
    else:
        raise ConfigError(f"{path}: unsupported config file type (expected .yaml, .yml or .toml)")
    context = _Context(prefix, known_codes)
    fields = {
        key.replace("-", "_"): _PARSERS[key](repr(key), value, context)
        for key, value in _canonical_keys(table, context).items()
        # YAML's `select:` with nothing after it reads as null: treat as unset.
        if value is not None
    }
    return Settings(**fields, root=path.parent.resolve(), source=path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _unique_key_loader():
    """PyYAML's safe loader, refusing a key written twice in one mapping (it keeps the last, silently)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = []
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen and key != "<<":
                    raise yaml.constructor.ConstructorError(None, None, f"repeated key {key!r}", key_node.start_mark)
                seen.append(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def _read_yaml_table(path: Path, cache: bool) -> Mapping[Any, Any]:
    raw = _read_bytes(path)
    document = _cached_or_parsed_yaml(path, raw) if cache else _parse_yaml(path, raw)
    if document is None:  # an empty file means "all defaults"
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: top level must be a mapping of settings, got {_type_name(document)}")
    return document


def _cached_or_parsed_yaml(path: Path, raw: bytes) -> Any:
    from banno_migrate.cache import parsed_config, remember_parsed_config

    known = parsed_config(path.parent, raw)
    if known is not None:
        return known[0]
    document = _parse_yaml(path, raw)
    remember_parsed_config(path.parent, raw, document)
    return document


def _parse_yaml(path: Path, raw: bytes) -> Any:
    import yaml  # lazily: only YAML users should pay for importing PyYAML, and only when it is not cached

    try:
        return yaml.load(raw, Loader=_unique_key_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(f"{path}: invalid YAML{where}: {_one_line(problem)}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {_one_line(str(exc))}") from None


def _read_toml_table(path: Path) -> Mapping[str, Any]:
    import tomllib

    raw = _read_bytes(path)
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends in "(at line L, column C)".
        raise ConfigError(f"{path}: invalid TOML: {_one_line(str(exc))}") from None
    table = _tool_table(document)
    if table is None:
        raise ConfigError(f"{path}: no [{_TOOL_TABLE}] table")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{_TOOL_TABLE}] must be a table, got {_type_name(table)}")
    return table


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _type_name(value: object) -> str:
    # Name types the way a config author thinks of them, not Python's NoneType/dict.
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class _Context:
    prefix: str  # "<file>: " or "<file>: [tool.banno-migrate] "
    known_codes: Collection[str]

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{self.prefix}{message}")


def _canonical_keys(table: Mapping[Any, Any], context: _Context) -> dict[str, object]:
    """Map each key to its dashed spelling, rejecting unknown and repeated keys."""
    values: dict[str, object] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        written = str(key)
        name = written.replace("_", "-")
        if name not in _PARSERS:
            raise context.error(f"unknown key {written!r}{_suggestion(name)}")
        if name in values:
            raise context.error(f"{written!r} repeats {spelled[name]!r}")
        values[name] = value
        spelled[name] = written
    return values


def _suggestion(name: str) -> str:
    import difflib  # only a configuration error needs it

    matches = difflib.get_close_matches(name.lower(), _PARSERS, n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def validate_codes(codes: Iterable[str], known_codes: Collection[str], where: str) -> tuple[str, ...]:
    """Normalise rule codes or prefixes (strip, upper-case) and reject unknown ones.

    A prefix is valid when some known code starts with it ("BM" = all rules).
    `where` opens the error message, e.g. "--select".
    """
    return _checked_codes(codes, known_codes, f"{where}: ", suffix="")


def _checked_codes(
    codes: Iterable[str], known_codes: Collection[str], prefix: str, suffix: str
) -> tuple[str, ...]:
    checked = []
    for written in codes:
        code = written.strip().upper()
        if not code:  # "" is a prefix of every code, so it would select everything
            raise ConfigError(f"{prefix}empty rule code{suffix}")
        if not any(known.startswith(code) for known in known_codes):
            raise ConfigError(f"{prefix}unknown rule code {written.strip()!r}{suffix}")
        checked.append(code)
    return tuple(checked)


def _string_list(label: str, value: object, context: _Context, what: str) -> list[str]:
    if not isinstance(value, list):
        raise context.error(f"{label} must be a list of {what}, got {_type_name(value)}")
    for item in value:
        if not isinstance(item, str):
            raise context.error(f"{label} must be a list of {what}, got a list containing {_type_name(item)}")
    return value


def _parse_codes(label: str, value: object, context: _Context) -> tuple[str, ...]:
    codes = _string_list(label, value, context, "rule codes")
    return _checked_codes(codes, context.known_codes, context.prefix, f" in {label}")


def _parse_globs(label: str, value: object, context: _Context) -> tuple[str, ...]:
    patterns = _string_list(label, value, context, "glob patterns")
    if any(not pattern.strip() for pattern in patterns):
        raise context.error(f"{label} contains an empty pattern")
    return tuple(patterns)


def _parse_per_file_ignores(
    label: str, value: object, context: _Context
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise context.error(f"{label} must be a mapping of glob pattern to rule codes, got {_type_name(value)}")
    pairs = []
    for pattern, codes in value.items():
        if not isinstance(pattern, str) or not pattern.strip():
            raise context.error(f"{label} patterns must be non-empty strings, got {pattern!r}")
        pairs.append((pattern, _parse_codes(f"{label} for {pattern!r}", codes, context)))
    return tuple(pairs)


def _parse_file_types(
    label: str, value: object, context: _Context
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    from banno_migrate.languages import BY_NAME

    if not isinstance(value, dict):
        raise context.error(f"{label} must be a mapping of language to glob patterns, got {_type_name(value)}")
    pairs = []
    for language, globs in value.items():
        if language not in BY_NAME:
            known = ", ".join(BY_NAME)
            raise context.error(f"{label}: unknown language {language!r} (known: {known})")
        patterns = _parse_globs(f"{label} for {language!r}", globs, context)
        if any("/" in pattern for pattern in patterns):
            raise context.error(f"{label} for {language!r}: patterns match file names, without '/'")
        pairs.append((language, patterns))
    return tuple(pairs)


def _parse_issuer_host(label: str, value: object, context: _Context) -> str:
    if not isinstance(value, str):
        raise context.error(f"{label} must be a host name string, got {_type_name(value)}")
    try:
        return normalise_host(value)
    except ValueError as exc:
        raise context.error(
            f"{label} must be a host name like 'digital.garden-fi.com', got {value!r} ({exc})"
        ) from None


def normalise_host(value: str) -> str:
    """'https://Host:443/' -> 'host:443'; raise ValueError saying what is wrong."""
    if any(char.isspace() for char in value):
        raise ValueError("contains whitespace")
    host = value
    scheme, separator, rest = value.partition("://")
    if separator:
        if scheme.lower() != "https":
            raise ValueError("only an https:// URL may be given")
        host = rest.removesuffix("/")
    if any(char in host for char in "/?#"):
        raise ValueError("a path, query or fragment is not allowed")
    name, colon, port = host.partition(":")
    if colon and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        raise ValueError("invalid port")
    labels = name.split(".")
    if len(name) > _MAX_HOST_LENGTH or not all(_HOST_LABEL.fullmatch(part) for part in labels):
        raise ValueError("not a valid host name")
    # Host names are case-insensitive; one spelling keeps comparisons simple.
    return f"{name.lower()}:{int(port)}" if colon else name.lower()


def _parse_claims(label: str, value: object, context: _Context) -> tuple[str, ...]:
    claims = _string_list(label, value, context, "claim names")
    for claim in claims:
        if not _CLAIM_NAME.fullmatch(claim):
            raise context.error(
                f"{label} contains invalid claim name {claim!r} "
                "(letters, digits, '_', '.', '-'; not starting with a digit, '.' or '-')"
            )
    return tuple(claims)


# Every accepted key in its dashed spelling; '_' spellings are mapped onto these.
_PARSERS: dict[str, Callable[[str, object, _Context], Any]] = {
    "select": _parse_codes,
    "ignore": _parse_codes,
    "exclude": _parse_globs,
    "per-file-ignores": _parse_per_file_ignores,
    "issuer-host": _parse_issuer_host,
    "extra-claims": _parse_claims,
    "file-types": _parse_file_types,
}
