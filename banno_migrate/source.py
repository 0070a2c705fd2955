"""Reading a Python file the way Python itself would: encoding, BOM, line index."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from functools import cached_property

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """A file that cannot be read as Python source (the message is one line)."""


@dataclass(frozen=True)
class SourceText:
    """Decoded source plus what is needed to write it back byte-exact."""

    text: str
    encoding: str  # as tokenize reports it: 'utf-8-sig' keeps a BOM on the way back

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

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        return (0, *(m.end() for m in _NEWLINE.finditer(self.text)))

    def offset(self, line: int, column: int) -> int:
        """Offset of a LibCST position (1-based line, 0-based column)."""
        return self._column_origin(line) + column

    def _column_origin(self, line: int) -> int:
        # Like CPython's tokenizer, LibCST restarts counting columns after a
        # form feed in a line's indentation.
        start = self.line_starts[line - 1]
        if "\f" not in self.text[start : start + 200]:
            return start
        text = self.line_text(line)
        indentation = text[: len(text) - len(text.lstrip(" \t\f"))]
        return start + indentation.rfind("\f") + 1

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based column) of an offset."""
        from bisect import bisect_right

        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1]

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")
