"""Which files are scanned, and which front end reads each kind.

A front end turns one file's text into findings: it parses with a real parser
that keeps positions, finds the string values the rules look at, and
reports edits as offsets into the text (so fixes, JSON, SARIF and the HTML
report work the same for every language). Each front end is a module with:

    decode(data: bytes) -> SourceText                 raises SourceError
    lint_source(source, path, catalog, request, file=None) -> list[Finding]
                                                      raises SourceError
    verify(text: str) -> None                         raises SourceError when
        a fixed text is not valid (the re-lint has already parsed it)

Front ends are imported only for files that pass the prefilter: this module
stays light.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from banno_migrate.rule_options import RuleOptions

if TYPE_CHECKING:
    from banno_migrate.catalog import Catalog
    from banno_migrate.findings import Finding
    from banno_migrate.source import SourceText

# The rules that read configuration values (endpoints, issuers, scopes, prompt).
CONFIG_CODES = frozenset({"BM001", "BM002", "BM004", "BM006", "BM100"})
CODE_CODES = frozenset({"BM001", "BM002", "BM003", "BM004", "BM005", "BM006", "BM007", "BM008", "BM100"})


@dataclass(frozen=True)
class Language:
    name: str
    patterns: tuple[str, ...]  # file-name globs
    frontend: str  # module path of the front end
    codes: frozenset[str] | None = None  # the rules it implements; None: every rule

    def applicable(self, codes: frozenset[str]) -> frozenset[str]:
        return codes if self.codes is None else codes & self.codes

    def load(self) -> ModuleType:
        return importlib.import_module(self.frontend)


PYTHON = Language("python", ("*.py", "*.pyi"), "banno_migrate.lint")
LANGUAGES: tuple[Language, ...] = (
    PYTHON,
    Language("javascript", ("*.js", "*.mjs", "*.cjs", "*.jsx"), "banno_migrate.languages.javascript", CODE_CODES),
    Language("typescript", ("*.ts", "*.mts", "*.cts"), "banno_migrate.languages.javascript", CODE_CODES),
    Language("tsx", ("*.tsx",), "banno_migrate.languages.javascript", CODE_CODES),
    Language("json", ("*.json",), "banno_migrate.languages.config_files", CONFIG_CODES),
    Language("yaml", ("*.yaml", "*.yml"), "banno_migrate.languages.config_files", CONFIG_CODES),
    Language("toml", ("*.toml",), "banno_migrate.languages.config_files", CONFIG_CODES),
    Language("ini", ("*.ini", "*.cfg"), "banno_migrate.languages.config_files", CONFIG_CODES),
    Language("dotenv", (".env", ".env.*", "*.env"), "banno_migrate.languages.config_files", CONFIG_CODES),
)
BY_NAME: dict[str, Language] = {language.name: language for language in LANGUAGES}


@dataclass(frozen=True)
class FileTypes:
    """File name → language: the built-in globs, after the user's own (`file-types` in the config).

    Matching is on the file name only, like the built-in globs; the user's
    globs win, so `*.conf` can be read as INI or `*.js.txt` as JavaScript.
    """

    extra: tuple[tuple[str, str], ...] = ()  # (glob, language name), in config order
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _languages: tuple[Language, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pairs = [(glob, BY_NAME[name]) for glob, name in self.extra]
        pairs += [(glob, language) for language in LANGUAGES for glob in language.patterns]
        # One regex with a group per glob: a directory of 10,000 files costs one match per name.
        alternatives = "|".join(f"(?P<g{index}>{fnmatch.translate(glob)})" for index, (glob, _) in enumerate(pairs))
        object.__setattr__(self, "_pattern", re.compile(alternatives))
        object.__setattr__(self, "_languages", tuple(language for _, language in pairs))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Sequence[str]]) -> FileTypes:
        return cls(tuple((glob, name) for name, globs in mapping.items() for glob in globs))

    def language_for(self, name: str) -> Language | None:
        match = self._pattern.match(name)
        if match is None:
            return None
        return self._languages[int(match.lastgroup[1:])]  # type: ignore[index]


@dataclass(frozen=True)
class LintRequest:
    """What to run on one file."""

    codes: frozenset[str]  # rules to run (already narrowed by the prefilter and per-file ignores)
    enabled: frozenset[str] = frozenset()  # every rule selected for the file, for judging suppressions
    rule_options: RuleOptions = field(default_factory=RuleOptions)
    report_unused_suppressions: bool = False
    language: str = "python"  # a name in BY_NAME: the file's kind, as the file types decided it
    slicing: bool = True  # Python: function bodies no rule needs are left out of the parse (banno_migrate/slicing.py)
    # Filled by the front end: other files the findings depend on (the cache checks them).
    consulted: set[str] = field(default_factory=set, compare=False)


def lint_file(
    frontend: ModuleType, source: SourceText, path: str, catalog: Catalog, request: LintRequest, file: Path | None = None
) -> list[Finding]:
    """`frontend.lint_source`, with what no front end may let out turned into the file's one-line error.

    Every front end walks its syntax tree recursively somewhere (LibCST's visitors,
    tree-sitter readers, JSON/YAML/TOML values): a file nested deeply enough
    exhausts the stack, which must cost that file, not the run.
    """
    from banno_migrate.source import SourceError

    try:
        return frontend.lint_source(source, path, catalog, request, file)
    except RecursionError:
        raise SourceError("cannot analyse: nested too deeply") from None
