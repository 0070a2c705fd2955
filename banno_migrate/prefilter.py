"""The byte-level prefilter: which rules could possibly fire on a file.

Each rule lists in its catalog entry the byte strings without which it cannot
find anything (a rule about claims adds the claim names, the configured
`extra-claims` included, so a new name in the catalog updates the filter). A
trigger may be a group of strings that must all occur: `fragment` alone is in
many files, `fragment` with `access_token` in few. A file that contains none of them for any selected rule is
neither decoded nor parsed: most files of a real code base end here. Every
trigger string of every rule is looked for in one pass over the bytes (an
Aho-Corasick automaton, in Rust): a file costs one scan, not one per string. A trigger
listed in `whole_name_triggers` counts only where a name ends with it
(`OAUTH_RESPONSE_TYPE`, `"response_type"`, not `test_response_types`).

A rule may narrow further, still without parsing: `skip_paths` (files it never
checks, such as tests) and, for Python files, `requires`: regular expressions
that must all match, written as necessary conditions of the rule's findings
(BM009 reads a `"code"` key with `[` or `.get(`, in a module importing a web
framework), and `requires_one_of`: the ways a finding can come about, each a
group of regular expressions that must all match (BM007's request is a library
call on a client the module makes, or parameters that name `response_type`). The regular expressions run only on the few files that get past the triggers;
one that ignores case (`(?i)` and lower-case letters) looks in the file's bytes made lower
case instead (the same matches, five times faster than matching each byte in either case).
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

from ahocorasick_rs import BytesAhoCorasick

from banno_migrate.catalog import Catalog, RuleSpec


_QUOTES = (b'"', b"'")
_IGNORE_CASE = b"(?i)"
# Escapes that match the same bytes in either case (`\S`, `\(`); a byte's code (`\x41`) does not.
_CASELESS_ESCAPE = rb"\\[^0-9x]"  # (patterns, not compiled: only a file that gets as far as `requires` needs them)
# What may tell cases apart: an upper-case letter, another escape, a flag, or a character class
# (`[@-_]` holds the upper-case letters without naming one).
_CASED = rb"[A-Z]|\\|\(\?[a-zA-Z-]|\["


class _Requirement:
    """One of a rule's `requires`: a regular expression that must match somewhere in the file."""

    __slots__ = ("pattern", "in_lower_case")

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        text = pattern.pattern
        body = text[len(_IGNORE_CASE) :]
        # `(?i)` before lower-case letters alone matches the same bytes made lower case, where
        # the engine need not try both cases of every byte.
        self.in_lower_case = text.startswith(_IGNORE_CASE) and not re.search(_CASED, re.sub(_CASELESS_ESCAPE, b"", body))
        self.pattern = re.compile(body, pattern.flags & ~re.IGNORECASE) if self.in_lower_case else pattern


class Prefilter:
    def __init__(self, catalog: Catalog, extra_claims: Iterable[str] = ()) -> None:
        self._claims = tuple(dict.fromkeys(name.encode() for name in (*catalog.domain.custom_claims, *extra_claims) if name))
        self._specs = catalog.rules
        strings = {text for spec in catalog.rules.values() for group in spec.triggers for text in group}
        self._strings = tuple(sorted(strings | set(self._claims)))
        self._automaton = BytesAhoCorasick(list(self._strings)) if self._strings else None
        # A group counts only if its first string occurs: most files hold none of a rule's, and stop there.
        self._first_strings = {
            code: frozenset(group[0] for group in spec.triggers) | (set(self._claims) if spec.triggers_include_claims else set())
            for code, spec in catalog.rules.items()
        }

    # Regular expressions compiled when a file first gets as far as needing them: a run over files
    # without any trigger string (a pre-commit run on one clean file) compiles none.
    @functools.cached_property
    def _name_ends(self) -> dict[str, dict[bytes, re.Pattern[bytes]]]:
        """Each whole-name trigger as the end of a name: not followed by a letter, digit or `_`."""
        return {
            code: {name: re.compile(re.escape(name) + rb"(?!\w)") for name in spec.whole_name_triggers}
            for code, spec in self._specs.items()
        }

    @functools.cached_property
    def _requires(self) -> dict[str, tuple[_Requirement, ...]]:
        return {code: tuple(map(_Requirement, spec.requires)) for code, spec in self._specs.items()}

    @functools.cached_property
    def _requires_one_of(self) -> dict[str, tuple[tuple[_Requirement, ...], ...]]:
        return {
            code: tuple(tuple(map(_Requirement, group)) for group in spec.requires_one_of)
            for code, spec in self._specs.items()
        }

    def candidates(self, data: bytes, codes: frozenset[str], path: str = "", python: bool = True) -> frozenset[str]:
        """The rules among `codes` that could find something in `data` (the file at `path`)."""
        present = _Presence(data, self._found(data))
        return frozenset(code for code in codes if self._could_fire(code, data, present, path, python))

    def _found(self, data: bytes) -> frozenset[bytes]:
        """The trigger strings that occur in `data` (overlapping matches too: `banno` inside `banno.com`)."""
        if self._automaton is None:
            return frozenset()
        matches = self._automaton.find_matches_as_indexes(data, overlapping=True)
        return frozenset(self._strings[index] for index, _start, _end in matches)

    def _could_fire(self, code: str, data: bytes, present: _Presence, path: str, python: bool) -> bool:
        spec = self._specs.get(code)
        if spec is None:
            return True
        if not self._triggered(spec, code, data, present, python):
            return False
        if spec.skip_paths is not None and spec.skip_paths.search(path):
            return False
        if not python:
            return True
        if not all(present.matches(requirement) for requirement in self._requires[code]):
            return False
        ways = self._requires_one_of[code]
        return not ways or any(all(present.matches(requirement) for requirement in way) for way in ways)

    def _triggered(self, spec: RuleSpec, code: str, data: bytes, present: _Presence, python: bool) -> bool:
        if not spec.triggers and not spec.triggers_include_claims:
            return True
        if present.none_of(self._first_strings[code]):
            return False
        name_ends = self._name_ends[code]
        if any(all(present(text, name_ends.get(text)) for text in group) for group in spec.triggers):
            return True
        if not spec.triggers_include_claims:
            return False
        names = [name for name in self._claims if present(name)]
        if python:  # Python rules read a claim by a string key only (`claims["institution_id"]`): the name is quoted.
            return any(quote + name + quote in data for name in names for quote in _QUOTES)
        return bool(names)


class _Presence:
    """Whether a trigger string occurs in a file, from the strings one scan found.

    A string that must end a name (`response_type`, not `test_response_types`) is
    looked for as a name only in the files that hold it, once per file.
    """

    __slots__ = ("_data", "_found", "_names", "_lower_case")

    def __init__(self, data: bytes, found: frozenset[bytes]) -> None:
        self._data = data
        self._found = found
        self._names: dict[bytes, bool] = {}
        self._lower_case: bytes | None = None

    def none_of(self, needles: frozenset[bytes]) -> bool:
        return self._found.isdisjoint(needles)

    def __call__(self, needle: bytes, name_end: re.Pattern[bytes] | None = None) -> bool:
        """Whether `needle` occurs; with `name_end` (its pattern as the end of a name), whether it occurs so."""
        if needle not in self._found:
            return False
        if name_end is None:
            return True
        ends_a_name = self._names.get(needle)
        if ends_a_name is None:
            ends_a_name = self._names[needle] = name_end.search(self._data) is not None
        return ends_a_name

    def matches(self, requirement: _Requirement) -> bool:
        if not requirement.in_lower_case:
            return requirement.pattern.search(self._data) is not None
        if self._lower_case is None:
            self._lower_case = self._data.lower()
        return requirement.pattern.search(self._lower_case) is not None
