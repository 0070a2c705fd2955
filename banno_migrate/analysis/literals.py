"""Decoding the text of a string literal while remembering where each character came from.

A fix must edit the source of a literal, but a rule matches its value: in
`"a\\x2Fb"` the value `/` is four source characters. `decode` returns the value
and, for every character of it, the offset of its source text relative to the
start of the literal's body, plus one offset past the end.
"""

from __future__ import annotations

import re
import unicodedata
from functools import partial
from typing import Callable

_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
_NAMED = re.compile(r"N\{([^}]*)\}")


# (value, source length) of the sequence at an offset when it does not stand for itself, else None.
Reader = Callable[[str, int], "tuple[str, int] | None"]


def decode_with(raw: str, read: Reader) -> tuple[str, list[int]]:
    """Value of a literal body and the source offset of each value character (+ end), for any language:
    `read` knows its escapes. Shared with the JavaScript front end (banno_migrate/languages/javascript/literals.py)."""
    chars: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(raw):
        value, length = read(raw, i) or (raw[i], 1)
        chars.append(value)
        offsets.extend([i] * len(value))  # a line continuation adds nothing; some sequences add two
        i += length
    offsets.append(len(raw))
    return "".join(chars), offsets


def decode(raw: str, *, is_raw: bool, is_fstring_text: bool) -> tuple[str, list[int]]:
    """Value of a Python literal body and the source offset of each value character (+ end)."""
    if ("\\" not in raw or is_raw) and not (is_fstring_text and ("{" in raw or "}" in raw)):
        return raw, list(range(len(raw) + 1))  # every character stands for itself (most literals)
    return decode_with(raw, partial(_python_sequence, is_raw=is_raw, is_fstring_text=is_fstring_text))


def _python_sequence(raw: str, i: int, *, is_raw: bool, is_fstring_text: bool) -> tuple[str, int] | None:
    ch = raw[i]
    if is_fstring_text and ch in "{}" and raw.startswith(ch * 2, i):
        return ch, 2
    if ch == "\\" and not is_raw and i + 1 < len(raw):
        value, length = _escape(raw, i + 1)
        return value, 1 + length
    return None


def _escape(raw: str, start: int) -> tuple[str, int]:
    """(value, source length after the backslash) of the escape starting at `start`."""
    ch = raw[start]
    if ch == "\n":
        return "", 1
    if raw.startswith("\r\n", start):
        return "", 2
    if ch == "\r":
        return "", 1
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch], 1
    if octal := _OCTAL.match(raw, start):
        return chr(int(octal.group(), 8)), octal.end() - start
    if ch in _HEX_LENGTHS:
        digits = raw[start + 1 : start + 1 + _HEX_LENGTHS[ch]]
        try:
            return chr(int(digits, 16)), 1 + len(digits)
        except ValueError:
            pass
    if named := _NAMED.match(raw, start):
        try:
            return unicodedata.lookup(named.group(1)), named.end() - start
        except KeyError:
            pass
    # An unknown escape keeps its backslash, as Python does; the next
    # character is then read on its own.
    return "\\", 0
