"""INI and .env files, read line by line into the shared model (model.py).

No library keeps positions for these formats, and both are line-based, so a
small exact reader is enough.

INI follows configparser's defaults: `[section]` headers, `key = value` or
`key: value` (the first `=` or `:` splits), comment lines starting with `#`
or `;`, and continuation lines indented deeper than their key (joined with a
line feed). Two common extensions of other INI readers are honoured too: an
inline comment after white space (`key = value  ; note`), and a value wrapped
in matching quotes (the quotes are not part of it).

.env follows python-dotenv (also what docker compose and most dotenv ports
accept): `[export ]KEY=VALUE`, values unquoted (up to a ` #` comment),
single-quoted (only `\\'` and `\\\\` escape) or double-quoted (`\\n`, `\\"`...
escape, and the value may run over several lines), and `${VAR}` / `$VAR`
references, which are unknown parts of the value (holes named after the
variable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from banno_migrate.domain_patterns import HOLE
from banno_migrate.languages.config_files.model import Comment, Container, Document, Item, Scalar
from banno_migrate.languages.separated_lists import after_break, end_of_line, line_removal
from banno_migrate.source import SourceError, SourceText

_INI_COMMENTS = ("#", ";")
_INI_OPTION = re.compile(r"(?P<key>[^=:]*?)[ \t]*(?P<delimiter>[=:])[ \t]*")
_INI_SECTION = re.compile(r"\[(?P<name>[^\]\r\n]+)\]")
_INLINE_COMMENT = re.compile(r"[ \t][#;]")
_UNQUOTED_COMMENT = re.compile(r"[ \t]#")

_DOTENV_KEY = re.compile(r"(?:export[ \t]+)?(?:'(?P<quoted>[^'\r\n]+)'|(?P<key>[^=#\s]+))[ \t]*")
_DOTENV_SINGLE_ESCAPES = {"\\": "\\", "'": "'"}
_DOTENV_DOUBLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_REFERENCE = re.compile(r"\$\{(?P<braced>[A-Za-z_]\w*)[^}\r\n]*\}|\$(?P<bare>[A-Za-z_]\w*)")


def _syntax_error(text: str, format_name: str, offset: int) -> SourceError:
    line, column = SourceText(text, "utf-8").position(offset)
    return SourceError(f"cannot parse: {format_name} syntax error at line {line}, column {column + 1}")


def _skip_blanks(text: str, position: int, end: int) -> int:
    while position < end and text[position] in " \t":
        position += 1
    return position


# INI
def read_ini(text: str) -> Document:
    root: list[Item] = []
    section: tuple[str, int, list[Item]] | None = None
    comments: list[Comment] = []
    option: _IniOption | None = None  # the option whose value continuation lines extend
    blanks: list[int] = []  # blank lines since the option's last line: inside its value if more of it follows
    position = 0

    def close_option() -> None:
        nonlocal option
        if option is not None:
            (section[2] if section else root).append(option.item(text))
            option = None

    def close_section() -> None:
        if section is not None:
            name, start, items = section
            end = items[-1].span[1] if items else start
            root.append(Item(name, Container(tuple(items), True), (start, end), lambda: None))

    while position < len(text):
        line_end = end_of_line(text, position)
        start = _skip_blanks(text, position, line_end)
        indent = start - position
        if start == line_end:
            blanks.append(start)
        elif text.startswith(_INI_COMMENTS, start):
            comments.append(Comment(start, text[start:line_end]))
        else:
            # Like configparser, an inline comment goes before the line is read.
            end = _content_end(text, start, line_end, comments)
            if option is not None and indent > option.indent:
                option.parts.extend((blank, blank, blank, blank) for blank in blanks)
                option.parts.append(_ini_part(text, start, end))
            else:
                close_option()
                if text[start] == "[":
                    header = _INI_SECTION.match(text, start, end)
                    if header is None:
                        raise _syntax_error(text, "INI", start)
                    close_section()
                    section = (header.group("name").strip(), start, [])
                elif match := _INI_OPTION.match(text, start, end):
                    option = _IniOption(match.group("key").strip(), start, indent, [_ini_part(text, match.end(), end)])
                else:  # a key without a value (configparser's allow_no_value)
                    removal = lambda start=start, end=end: line_removal(text, start, end, _INI_COMMENTS)  # noqa: E731
                    (section[2] if section else root).append(Item(text[start:end], None, (start, end), removal))
            blanks.clear()
        position = after_break(text, line_end)
    close_option()
    close_section()
    return Document((Container(tuple(root), True),), tuple(comments))


def _content_end(text: str, start: int, line_end: int, comments: list[Comment]) -> int:
    """Where a line's content ends: before an inline comment (recorded) and trailing blanks."""
    inline = _INLINE_COMMENT.search(text, start, line_end)
    if inline is not None:
        comments.append(Comment(inline.start() + 1, text[inline.start() + 1 : line_end]))
        line_end = inline.start()
    return _trim_end(text, start, line_end)


def _trim_end(text: str, start: int, end: int) -> int:
    """`end` moved back over the blanks before it, not past `start` (slicing from 0 would copy the file per line)."""
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


def _ini_part(text: str, start: int, end: int) -> tuple[int, int, int, int]:
    """One line of a value: (literal start, literal end, value start, value end); wrapping quotes stay out."""
    if end - start >= 2 and text[start] == text[end - 1] and text[start] in "'\"":
        return start, end, start + 1, end - 1
    return start, end, start, end


@dataclass
class _IniOption:
    key: str
    start: int
    indent: int  # continuation lines are indented deeper
    parts: list[tuple[int, int, int, int]]  # one per line of the value (see _ini_part)

    def item(self, text: str) -> Item:
        """Continuation lines join the value with a line feed that stands for the break and indentation."""
        parts = self.parts
        chars: list[str] = []
        offsets: list[int] = []
        for index, (_, _, value_start, value_end) in enumerate(parts):
            if index:
                chars.append("\n")
                offsets.append(parts[index - 1][3])
            chars.extend(text[value_start:value_end])
            offsets.extend(range(value_start, value_end))
        start, end = self.start, parts[-1][1]
        scalar = Scalar("".join(chars), (*offsets, parts[-1][3]), (parts[0][0], end), report_at_literal=len(parts) == 1)
        return Item(self.key, scalar, (start, end), lambda: line_removal(text, start, end, _INI_COMMENTS))


# .env
def read_dotenv(text: str) -> Document:
    items: list[Item] = []
    comments: list[Comment] = []
    position = 0
    while position < len(text):
        line_end = end_of_line(text, position)
        start = _skip_blanks(text, position, line_end)
        if start == line_end:
            position = after_break(text, line_end)
            continue
        if text[start] == "#":
            comments.append(Comment(start, text[start:line_end]))
            position = after_break(text, line_end)
            continue
        key = _DOTENV_KEY.match(text, start, line_end)
        if key is None:
            raise _syntax_error(text, ".env", start)
        name = key.group("quoted") or key.group("key")
        if not text.startswith("=", key.end()):  # `KEY` alone: declared without a value
            rest = _skip_blanks(text, key.end(), line_end)
            if rest < line_end and text[rest] != "#":
                raise _syntax_error(text, ".env", rest)
            scalar, value_end = None, _trim_end(text, start, key.end())
        else:
            scalar, value_end = _dotenv_value(text, _skip_blanks(text, key.end() + 1, line_end))
        line_end = end_of_line(text, value_end)
        rest = _skip_blanks(text, value_end, line_end)
        if rest < line_end:
            if text[rest] != "#":
                raise _syntax_error(text, ".env", rest)
            comments.append(Comment(rest, text[rest:line_end]))
        items.append(Item(name, scalar, (start, value_end), lambda s=start, e=value_end: line_removal(text, s, e)))
        position = after_break(text, line_end)
    return Document((Container(tuple(items), True),), tuple(comments))


def _dotenv_value(text: str, start: int) -> tuple[Scalar, int]:
    """The value starting at `start` and where it ends (after a closing quote)."""
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        end = _closing_quote(text, start)
        if end < 0:
            raise _syntax_error(text, ".env", start)
        escapes = _DOTENV_SINGLE_ESCAPES if quote == "'" else _DOTENV_DOUBLE_ESCAPES
        chars, offsets, hints = _dotenv_chars(text, start + 1, end, escapes, references=quote == '"')
        return Scalar("".join(chars), tuple(offsets), (start, end + 1), hole_hints=hints), end + 1
    line_end = end_of_line(text, start)
    comment = _UNQUOTED_COMMENT.search(text, start, line_end)
    end = _trim_end(text, start, comment.start() if comment else line_end)
    chars, offsets, hints = _dotenv_chars(text, start, end, {}, references=True)
    return Scalar("".join(chars), tuple(offsets), (start, end), hole_hints=hints), end


def _closing_quote(text: str, start: int) -> int:
    """Where python-dotenv's pattern ('((?:\\'|[^'])*)') ends a quoted value: at the first quote without a
    backslash before it, or failing that (backtracking) at the last quote; -1 when there is none."""
    quote = text[start]
    end = start
    while (end := text.find(quote, end + 1)) >= 0:
        if text[end - 1] != "\\":
            return end
    return text.rfind(quote, start + 1)


def _dotenv_chars(
    text: str, start: int, limit: int, escapes: dict[str, str], *, references: bool
) -> tuple[list[str], list[int], dict[int, str]]:
    """The characters of a value's source text[start:limit], their offsets (plus the end) and its holes."""
    chars: list[str] = []
    offsets: list[int] = []
    hints: dict[int, str] = {}
    index = start
    while index < limit:
        char = text[index]
        if char == "\\" and index + 1 < limit and text[index + 1] in escapes:
            chars.append(escapes[text[index + 1]])
            offsets.append(index)
            index += 2
            continue
        if references and char == "$" and (reference := _REFERENCE.match(text, index, limit)):
            hints[len(chars)] = reference.group("braced") or reference.group("bare")
            chars.append(HOLE)
            offsets.append(index)
            index = reference.end()
            continue
        chars.append(char)
        offsets.append(index)
        index += 1
    offsets.append(index)
    return chars, offsets, hints
