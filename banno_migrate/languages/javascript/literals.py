"""The value of a JavaScript string literal's body, and where each of its characters is written.

Like banno_migrate.analysis.literals for Python: the value, and per value
character the offset of its source text relative to the body's start, plus
one offset past the end. Three kinds of body:

- a quoted string: escapes (`\\n`, `\\x41`, `\\u0041`, `\\u{1F600}`, legacy
  octal, a backslash-newline continuation that adds nothing);
- a template literal's text: the same escapes, and a raw CR LF or CR that the
  language reads as LF (`String.raw` bodies keep everything as written);
- a JSX attribute string: no escapes, but HTML character references (`&amp;`).
"""

from __future__ import annotations

import html
import re
from functools import partial

from banno_migrate.analysis.literals import decode_with

_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_LINE_BREAKS = ("\r\n", "\n", "\r", "\u2028", "\u2029")
_HEX = re.compile(r"x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}")
_OCTAL = re.compile(r"[0-3][0-7]{0,2}|[4-7][0-7]?")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

def decode(raw: str, *, template: bool = False, jsx: bool = False, raw_template: bool = False) -> tuple[str, list[int]]:
    """(value, offsets): the value of a literal body and the source offset of each value character (+ end)."""
    if jsx:
        return decode_with(raw, _reference)
    return decode_with(raw, partial(_escape_or_line_break, template=template, escapes=not raw_template))


def _escape_or_line_break(raw: str, i: int, *, template: bool, escapes: bool) -> tuple[str, int] | None:
    if template and raw[i] == "\r":  # the template's raw CR LF / CR is read as LF
        return "\n", 2 if raw.startswith("\r\n", i) else 1
    if escapes and raw[i] == "\\" and i + 1 < len(raw):
        value, length = _escape(raw, i + 1)
        return value, 1 + length
    return None


def _escape(raw: str, start: int) -> tuple[str, int]:
    """(value, source length after the backslash) of the escape starting at `start`."""
    for line_break in _LINE_BREAKS:
        if raw.startswith(line_break, start):
            return "", len(line_break)  # a line continuation
    ch = raw[start]
    if ch in _SIMPLE:
        return _SIMPLE[ch], 1
    if hexadecimal := _HEX.match(raw, start):
        digits = next(group for group in hexadecimal.groups() if group is not None)
        code = int(digits, 16)
        if code <= 0x10FFFF:
            return chr(code), hexadecimal.end() - start
    if octal := _OCTAL.match(raw, start):  # `\0` and sloppy-mode octal
        return chr(int(octal.group(), 8)), octal.end() - start
    return ch, 1  # `\'`, `\\`, `\/` and any other character stand for themselves


def _reference(raw: str, i: int) -> tuple[str, int] | None:
    """An HTML character reference (`&amp;`) that names a character; a bare `&` stands for itself."""
    reference = _REFERENCE.match(raw, i) if raw[i] == "&" else None
    value = html.unescape(reference.group()) if reference else ""
    return (value, reference.end() - i) if reference and value != reference.group() else None
