"""The regular expressions built from the catalog's domain data, shared by every front end.

The Python rules (LibCST) and the string checks of the JavaScript and
configuration front ends (tree-sitter) judge string values the same way;
the patterns live here once. HOLE stands for a part of a value that is not
known statically (an interpolation, a name bound elsewhere). Callers keep
the compiled patterns (the Domain holds a dict: it cannot key a cache).
"""

from __future__ import annotations

import re
from banno_migrate.catalog import Domain

HOLE = "\x00"

# What may follow a path segment: the rest of the URL, or the end of what is known.
AFTER_SEGMENT = rf"(?=[/?#\s'\"{HOLE}]|$)"
AFTER_PATH = rf"(?=[?#\s'\"{HOLE}]|$)"


def legacy_path(domain: Domain) -> re.Pattern[str]:
    """The full legacy path: `/a/consumer/api/oidc`, then an optional endpoint."""
    return re.compile(re.escape(domain.legacy_path_prefix) + rf"{AFTER_SEGMENT}(?:/(?P<endpoint>[\w.\-/]+?){AFTER_PATH})?")


def oidc_after_unknown_base(domain: Domain) -> re.Pattern[str]:
    """`<unknown base>/oidc/<legacy endpoint>`, e.g. `settings.BANNO_BASE + "/oidc/token"`."""
    names = "|".join(re.escape(name) for name in sorted(domain.endpoints, key=len, reverse=True))
    return re.compile(rf"{HOLE}/?oidc/(?P<endpoint>{names}){AFTER_PATH}")


def legacy_issuer_prefixes(domain: Domain) -> tuple[str, ...]:
    """`https://www.banno.com`...: what comes before the legacy path in a legacy issuer."""
    return tuple(issuer.removesuffix(domain.legacy_path_prefix) for issuer in domain.legacy_issuers)


def legacy_issuer(domain: Domain) -> re.Pattern[str]:
    issuers = "|".join(re.escape(issuer) for issuer in domain.legacy_issuers)
    return re.compile(rf"(?<![\w.\-])(?:{issuers})/?(?=[\s'\"{HOLE}]|$)")


def endpoint_host(domain: Domain) -> re.Pattern[str]:
    return re.compile(domain.endpoint_host_pattern)


# What separates scope values: a space, or its encodings in a URL.
SCOPE_SEPARATOR = re.compile(r"%20| |\+")
_SEPARATORS = ("%20", " ", "+")


def separator_before(text: str, lower: int, index: int) -> str:
    """The scope separator that ends exactly at `index` (not before `lower`), or ''."""
    for separator in _SEPARATORS:
        if index - len(separator) >= lower and text.startswith(separator, index - len(separator)):
            return separator
    return ""


def separator_after(text: str, index: int, upper: int) -> str:
    """The scope separator that starts exactly at `index` (ending by `upper`), or ''."""
    match = SCOPE_SEPARATOR.match(text, index, upper)
    return match.group() if match else ""


QUERY_END = re.compile(r"[#'\"<>\n]")  # where a URL's query ends in text
QUERY_PARAMETER = re.compile(r"([A-Za-z_][\w.\-]*)=")
# Only a token request carries these (Untappd's token request even sends `response_type=code`).
TOKEN_REQUEST_PARAMETERS = frozenset({"code", "grant_type", "client_secret", "code_verifier", "refresh_token"})
_URL_OR_DOTTED_SCOPE = re.compile(r"[\w\-]+(?:[.:/][\w\-.:/]*)+")  # https://api.banno.com/..., a.b.read


def looks_like_scope_string(text: str, domain: Domain) -> bool:
    """Space-separated scope names with at least one standard OIDC scope, and nothing else."""
    tokens = [token for token in SCOPE_SEPARATOR.split(text) if token]
    known = domain.standard_scopes
    return (
        len(tokens) > 1
        and any(token in known for token in tokens)
        and all(
            token in known or token == domain.removed_scope or _URL_OR_DOTTED_SCOPE.fullmatch(token) for token in tokens
        )
    )


def query_segments(text: str) -> list[tuple[str | None, int, int]]:
    """(name, start, end) of each `&`-separated part of a URL's query or of a bare query string.

    The name is None for a part that is not `name=value` (`{extra}`, an unknown hole).
    """
    question = text.find("?")
    if question >= 0:
        start = question + 1
    elif QUERY_PARAMETER.match(text):
        start = 0
    else:
        return []
    end_match = QUERY_END.search(text, start)
    end = end_match.start() if end_match else len(text)
    segments: list[tuple[str | None, int, int]] = []
    position = start
    while position <= end:
        amp = text.find("&", position, end)
        segment_end = end if amp < 0 else amp
        name = QUERY_PARAMETER.match(text, position, segment_end)
        if name is not None or segment_end > position:
            segments.append((name.group(1) if name else None, position, segment_end))
        position = segment_end + 1
    return segments
