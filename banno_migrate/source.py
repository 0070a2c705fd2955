"""Reading a file: Python the way Python itself would (encoding cookie, BOM), other text as UTF-8; line index."""

from __future__ import annotations

import io
import re
from bisect import bisect_right
import tokenize
from dataclasses import dataclass, field, replace
from functools import cached_property

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # CPython's line breaks, which are also LibCST's


def line_starts(text: str) -> tuple[int, ...]:
    """The offset in `text` where each line starts (line 1 at offset 0)."""
    return (0, *(match.end() for match in LINE_BREAK.finditer(text)))


class SourceError(Exception):
    """A file that cannot be read as Python source (the message is one line)."""


@dataclass(frozen=True)
class SourceText:
    """Decoded source plus what is needed to write it back byte-exact."""

    text: str
    encoding: str  # as tokenize reports it: 'utf-8-sig' keeps a BOM on the way back
    # The code LibCST generates back, when it is not `text`: LibCST leaves some
    # characters out of its tree (the blanks up to a form feed that starts a
    # statement's line, a line holding only a backslash continuation), and its
    # positions count this code, not the text.
    libcst_code: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def decode(cls, data: bytes) -> SourceText:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:  # a bad coding cookie
            raise SourceError(f"cannot decode: {exc.msg}") from None
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"cannot decode as {encoding}: {exc.reason if isinstance(exc, UnicodeDecodeError) else exc}") from None
        if "\x00" in text:
            raise SourceError("cannot parse: file contains a NUL byte (binary file?)")
        return cls(text, encoding)

    @classmethod
    def decode_utf8(cls, data: bytes) -> SourceText:
        """Text that is not Python (JavaScript, configuration): UTF-8, with or without a BOM."""
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SourceError(f"cannot decode as UTF-8: {exc.reason} at byte {exc.start}") from None
        if "\x00" in text:
            raise SourceError("cannot parse: file contains a NUL byte (binary file?)")
        return cls(text, encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        return line_starts(self.text)

    def offset(self, line: int, column: int) -> int:
        """Offset in `text` of a LibCST position (1-based line, 0-based column)."""
        if self.libcst_code is None:
            return self.line_starts[line - 1] + column
        code_line_starts, to_text = self._libcst_alignment
        return to_text[code_line_starts[line - 1] + column]

    def libcst_line(self, line: int) -> int:
        """The line of `text` that a LibCST line number points at."""
        return line if self.libcst_code is None else self.position(self.offset(line, 0))[0]

    def with_libcst_code(self, code: str) -> SourceText:
        """This text, told which code LibCST's positions count (`module.code`). Raises SourceError."""
        if code == self.text:
            return self
        aligned = replace(self, libcst_code=code)
        try:
            aligned._libcst_alignment  # noqa: B018 - computed now, so that a failure is this file's error
        except ValueError:  # LibCST also added characters: its positions cannot be trusted
            raise SourceError("cannot parse exactly: LibCST does not reproduce this file byte for byte") from None
        return aligned

    @cached_property
    def _libcst_alignment(self) -> tuple[tuple[int, ...], list[int]]:
        """Line starts of LibCST's code, and for each of its offsets the offset in `text`.

        LibCST only leaves characters out, so its code is a subsequence of the
        text: each character is matched to the next equal one.
        """
        code, text = self.libcst_code or "", self.text
        to_text, index = [], 0
        for char in code:
            index = text.index(char, index)
            to_text.append(index)
            index += 1
        to_text.append(len(text))
        return line_starts(code), to_text

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based column) of an offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1]

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")
