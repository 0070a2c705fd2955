"""Decoding the text of a string literal while remembering where each character came from.

A fix must edit the source of a literal, but a rule matches its value: in
`"a\\x2Fb"` the value `/` is four source characters. `decode` returns the value
and, for every character of it, the offset of its source text relative to the
start of the literal's body, plus one offset past the end.
"""

from __future__ import annotations

import re
import unicodedata

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


def decode(raw: str, *, is_raw: bool, is_fstring_text: bool) -> tuple[str, list[int]]:
    """Value of a literal body and the source offset of each value character (+ end)."""
    chars: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if is_fstring_text and ch in "{}" and raw.startswith(ch * 2, i):
            chars.append(ch)
            offsets.append(i)
            i += 2
        elif ch == "\\" and not is_raw and i + 1 < n:
            value, length = _escape(raw, i + 1)
            if value:
                chars.append(value)
                offsets.append(i)
            i += 1 + length
        else:
            chars.append(ch)
            offsets.append(i)
            i += 1
    offsets.append(n)
    return "".join(chars), offsets


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
