"""Masking secrets in lines of scanned code before a report shows them.

Reports travel further than the code they describe (attached to tickets,
mailed to a security lead), so a client secret that sits next to a finding
must not ride along. Redaction works on one line at a time: it is what reports
show, and it needs no parse of code that may not even be valid Python.
Secrets in a string that spans lines are out of its reach.
"""

from __future__ import annotations

import math
import re
from collections import Counter

MASK = "«redacted»"

# Names whose values are secrets. A name matches when it ends with one of these
# (OKTA_CLIENT_SECRET, db_password), so TOKEN_URL and token_endpoint stay readable.
# client_secret, access_token, refresh_token and id_token end with these too.
_SECRET_WORDS = ("secret", "secret_key", "password", "passwd", "token", "api_key", "apikey", "private_key")
# Header names and config keys spell the same words with dashes (X-Api-Key).
_NAME = r"[\w-]*?(?:{})(?![\w-])".format("|".join(word.replace("_", "[-_]") for word in _SECRET_WORDS))
# A string literal: optional prefix, then its quotes; triple quotes first, or
# '"""x"""' would read as the empty string "" followed by more text.
_STRING = r"""(?<![\w])[rRbBuUfF]{0,2}(?P<quote>\"\"\"|'''|"|')(?P<value>.*?)(?<!\\)(?P=quote)"""

_PATTERNS = (
    # CLIENT_SECRET = "x", client_secret="x", "client_secret": "x", token: str = "x",
    # os.environ["API_KEY"] = "x", password == "x"
    # (Each part consumes what the next cannot, so a hostile line costs linear time.)
    re.compile(rf"""(?<![\w-]){_NAME}(?:["']\]?)?\s*(?::[^=:"'\n]{{0,80}})?(?:[:!=]?=|:)\s*{_STRING}""", re.I),
    # os.environ.get("CLIENT_SECRET", "dev-secret"), os.getenv(...), config.get(...)
    re.compile(rf"""\(\s*(["']){_NAME}\1\s*,\s*{_STRING}""", re.I),
    # ?client_secret=x&... inside a URL
    re.compile(rf"""[?&]{_NAME}=(?P<value>[^&\s'"#]+)""", re.I),
    # https://user:password@host
    re.compile(r"""://[^/\s:@'"]*:(?P<value>[^/\s@'"]+)@"""),
    # A JWT anywhere: header and payload are base64url JSON objects ("eyJ" is '{"').
    re.compile(r"(?P<value>\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*)"),
)
_BEARER = re.compile(r"\bBearer\s+(?P<value>[\w\-.~+/]{16,}=*)")
_MIN_BEARER_ENTROPY = 3.0  # bits per character: random tokens score 4+, words and placeholders less


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def secret_spans(line: str) -> list[tuple[int, int]]:
    """Where the secrets of a line are: sorted, disjoint (start, end) column ranges."""
    spans = [match.span("value") for pattern in _PATTERNS for match in pattern.finditer(line)]
    spans += [
        match.span("value") for match in _BEARER.finditer(line) if _entropy(match["value"]) >= _MIN_BEARER_ENTROPY
    ]
    return _merge([(start, end) for start, end in spans if end > start])


def _masked(line: str, spans: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in spans:
        parts += [line[last:start], MASK]
        last = end
    return "".join([*parts, line[last:]])


def _moved(column: int, spans: list[tuple[int, int]]) -> int:
    """Where a column lands once the spans are masked: inside a secret, after its mask,
    so a mark never splits a mask and no character of the secret survives."""
    shift = 0
    for start, end in spans:
        if column <= start:
            break
        column = max(column, end)
        shift += len(MASK) - (end - start)
    return column + shift


def redact(line: str) -> str:
    """The line with each secret replaced by MASK (quotes and everything around kept)."""
    return _masked(line, secret_spans(line))


def redact_marked(line: str, start: int, end: int) -> tuple[str, int, int]:
    """Redact a line and move the marked columns [start, end) along with the text."""
    spans = secret_spans(line)
    return _masked(line, spans), _moved(start, spans), _moved(end, spans)
