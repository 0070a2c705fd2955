"""The regular expressions built from the catalog's domain data, shared by every front end.

The Python rules (LibCST) and the string checks of the JavaScript and
configuration front ends (tree-sitter) judge string values the same way;
the patterns live here once. HOLE stands for a part of a value that is not
known statically (an interpolation, a name bound elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable, Iterable
from urllib.parse import quote

from banno_migrate.findings import Applicability

if TYPE_CHECKING:
    from banno_migrate.catalog import Domain

HOLE = "\x00"

# What may follow a path segment: the rest of the URL, or the end of what is known.
AFTER_SEGMENT = rf"(?=[/?#\s'\"{HOLE}]|$)"
AFTER_PATH = rf"(?=[?#\s'\"{HOLE}]|$)"


class Destination(Enum):
    """Where an authorization request goes."""

    BANNO = "banno"
    OTHER = "other"  # a URL known well enough to be another provider's
    UNKNOWN = "unknown"


def combined_destination(kinds: Iterable[Destination], named_banno: bool = False) -> Destination:
    """Of a request with several possible URLs: Banno when any is (or a name says so), other when all
    are known others', else unknown."""
    kinds = set(kinds)
    if Destination.BANNO in kinds or named_banno:
        return Destination.BANNO
    return Destination.OTHER if kinds == {Destination.OTHER} else Destination.UNKNOWN


# A known host, or a known path: a URL of its own rather than a path after an unknown base.
_KNOWN_URL = re.compile(rf"://[^{HOLE}/]|/[\w.~-]")


@dataclass(frozen=True)
class EndpointMatch:
    """A legacy endpoint path in a string value (BM001), in value coordinates."""

    start: int  # where the finding starts: the path, or `oidc` after an unknown base
    end: int
    insert_at: int  # where `v0/` goes: before `oidc`, so that with urljoin(".../api/", "oidc/token") the edit lands in the relative part
    rename: tuple[int, int, str] | None  # the endpoint's new name where it moved (certs -> jwks)
    applicability: Applicability
    found: str  # the legacy path, for the message
    replacement: str


@dataclass(frozen=True)
class IssuerMatch:
    """A legacy issuer in a string value (BM002)."""

    start: int
    end: int
    found: str
    replacement: str | None  # None: the institution's host is not known


@dataclass(frozen=True)
class ScopeToken:
    """The removed `banno` scope in a scope string (BM004)."""

    start: int
    end: int
    removal: tuple[int, int] | None  # the token with one separator next to it; None: `banno` alone (no scope would be left)


class DomainText:
    """What the string rules find in a value's text, for every front end: only turning spans into edits differs.

    Built once per catalog (`Domain.text`), so the patterns are compiled once.
    """

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self._legacy_path = re.compile(
            re.escape(domain.legacy_path_prefix) + rf"{AFTER_SEGMENT}(?:/(?P<endpoint>[\w.\-/]+?){AFTER_PATH})?"
        )
        names = "|".join(re.escape(name) for name in sorted(domain.endpoints, key=len, reverse=True))
        self._oidc_after_unknown_base = re.compile(rf"{HOLE}/?oidc/(?P<endpoint>{names}){AFTER_PATH}")
        self._legacy_issuer_prefixes = tuple(issuer.removesuffix(domain.legacy_path_prefix) for issuer in domain.legacy_issuers)
        issuers = "|".join(re.escape(issuer) for issuer in domain.legacy_issuers)
        self._issuer = re.compile(rf"(?<![\w.\-])(?:{issuers})/?(?=[\s'\"{HOLE}]|$)")
        self._endpoint_host = re.compile(domain.endpoint_host_pattern)
        token = re.escape(domain.removed_scope)
        self._removed_scope = re.compile(rf"(?:(?<=^)|(?<=[ +{HOLE}=])|(?<=%20)){token}(?=$|[ +{HOLE}&]|%20)")
        # The bare token: space, `+` or `%20` separated; a namespaced scope ends in `/offline_access`.
        offline = re.escape(domain.legacy_offline_access)
        self._legacy_offline = re.compile(rf"(?:(?<=^)|(?<=[\s+={HOLE}])|(?<=%20)){offline}(?=$|[\s+&{HOLE}]|%20)")

    def unversioned_endpoints(self, text: str, hole_hint: Callable[[int], str]) -> list[EndpointMatch]:
        """BM001: the legacy path with a known base, and `/oidc/<endpoint>` after an unknown base named for Banno.

        `hole_hint(offset)` names the unknown part at `offset` (`settings.BANNO_BASE`).
        """
        found = []
        for match in self._legacy_path.finditer(text):
            is_issuer = match.group("endpoint") is None and text[: match.start()].endswith(self._legacy_issuer_prefixes)
            if not is_issuer:  # the issuer is BM002's: v0 there would keep the wrong host
                insert_at = match.start() + len(self.domain.api_path_prefix) + 1
                found.append(self._endpoint(match, match.start(), insert_at, Applicability.SAFE))
        for match in self._oidc_after_unknown_base.finditer(text):
            # Only a base whose very name says Banno: `/oidc/token` alone is any provider's.
            if "banno" in hole_hint(match.start()).lower():
                insert_at = match.start("endpoint") - len("oidc/")
                found.append(self._endpoint(match, insert_at, insert_at, Applicability.UNSAFE))
        return found

    def _endpoint(self, match: re.Match[str], start: int, insert_at: int, applicability: Applicability) -> EndpointMatch:
        old_name = match.group("endpoint")
        new_name = self.domain.endpoints.get(old_name, old_name) if old_name else None
        rename = (*match.span("endpoint"), new_name) if old_name and new_name and new_name != old_name else None
        return EndpointMatch(
            start=start,
            end=match.end(),
            insert_at=insert_at,
            rename=rename,  # type: ignore[arg-type]
            applicability=applicability,
            found=self.domain.legacy_path_prefix + (f"/{old_name}" if old_name else ""),
            replacement=self.domain.versioned_path_prefix + (f"/{new_name}" if new_name else ""),
        )

    def file_host(self, texts: Iterable[str], configured: str | None) -> str | None:
        """BM002's host: the configured `issuer-host`, else the one host of the file's own Banno endpoint URLs."""
        if configured:
            return configured
        hosts = {match.group(1).lower() for text in texts for match in self._endpoint_host.finditer(text)}
        hosts -= self.domain.legacy_issuer_hosts
        return hosts.pop() if len(hosts) == 1 else None

    def legacy_issuers(self, text: str, host: str | None) -> list[IssuerMatch]:
        """BM002: each legacy issuer, with its v0 replacement when the host is known."""
        found = []
        for match in self._issuer.finditer(text):
            issuer = match.group()
            replacement = None
            if host is not None:
                replacement = self.domain.versioned_issuer_template.format(host=host) + ("/" if issuer.endswith("/") else "")
            found.append(IssuerMatch(match.start(), match.end(), issuer, replacement))
        return found


    def url_destination(self, path: str, hole_names: Iterable[str]) -> Destination:
        """Where a URL (its part before `?`) leads, judged by path, not host: institutions serve Banno from
        their own domains. `hole_names` name its unknown parts (`BANNO_AUTH_URL` from a module we cannot read)."""
        if self.domain.api_path_prefix in path or any("banno" in name.lower() for name in hole_names):
            return Destination.BANNO
        return Destination.OTHER if _KNOWN_URL.search(path) else Destination.UNKNOWN

    def banno_scope_tokens(self, text: str, named_scope: bool) -> list[ScopeToken]:
        """BM004 in a string: in a URL or query only its `scope` parameter; otherwise the whole string,
        when its name says scope or it looks like a scope list."""
        if "=" in text:
            spans = [query.span(1) for query in _QUERY_SCOPE.finditer(text)]
        elif named_scope or self.looks_like_scope_string(text):
            spans = [(0, len(text))]
        else:
            spans = []
        found = []
        for start, end in spans:
            for token in self._removed_scope.finditer(text, start, end):
                before = _separator_before(text, start, token.start())
                after = _separator_after(text, token.end(), end)
                removal = None
                if before:
                    removal = (token.start() - len(before), token.end())
                elif after:
                    removal = (token.start(), token.end() + len(after))
                found.append(ScopeToken(token.start(), token.end(), removal))
        return found

    def legacy_offline_tokens(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """BM006: each bare `offline_access` in text[start:end]."""
        return [match.span() for match in self._legacy_offline.finditer(text, start, len(text) if end is None else end)]

    def offline_scope(self, written: str, in_query: bool) -> str:
        """BM006's replacement for a bare `offline_access` written in `written`: in a URL the scope is
        percent-encoded, unless the query already writes raw spaces."""
        scope = self.domain.offline_access_scope
        return quote(scope, safe="") if in_query and " " not in written else scope

    def looks_like_scope_string(self, text: str) -> bool:
        """Space-separated scope names with at least one standard OIDC scope, and nothing else."""
        tokens = [token for token in SCOPE_SEPARATOR.split(text) if token]
        known, removed = self.domain.standard_scopes, self.domain.removed_scope
        return (
            len(tokens) > 1
            and any(token in known for token in tokens)
            and all(token in known or token == removed or _URL_OR_DOTTED_SCOPE.fullmatch(token) for token in tokens)
        )


# What separates scope values: a space, or its encodings in a URL.
SCOPE_SEPARATOR = re.compile(r"%20| |\+")
_SEPARATORS = ("%20", " ", "+")


def _separator_before(text: str, lower: int, index: int) -> str:
    """The scope separator that ends exactly at `index` (not before `lower`), or ''."""
    for separator in _SEPARATORS:
        if index - len(separator) >= lower and text.startswith(separator, index - len(separator)):
            return separator
    return ""


def _separator_after(text: str, index: int, upper: int) -> str:
    """The scope separator that starts exactly at `index` (ending by `upper`), or ''."""
    match = SCOPE_SEPARATOR.match(text, index, upper)
    return match.group() if match else ""


def list_items(text: str) -> list[str]:
    """The items of a space-separated parameter value (`+` and `%20` are spaces in a URL)."""
    return [item for item in SCOPE_SEPARATOR.split(text) if item]


_TOKEN_RESPONSES = frozenset({"token", "id_token"})
_RESPONSE_TYPES = _TOKEN_RESPONSES | {"code"}


def asks_for_tokens(response_type: str) -> bool:
    """BM003: `token`, `id_token`, `id_token token`, or hybrid `code id_token`: not `code` nor `none`."""
    items = set(list_items(response_type))
    return bool(items) and items <= _RESPONSE_TYPES and bool(items & _TOKEN_RESPONSES)


class ParameterNames:
    """The names code writes one OAuth request parameter's value under, for every front end.

    Its name on the wire and the libraries' names for it (requests-oauthlib's and passport's
    `pkce`, openid-client's `usePKCE`), each as listed, and a snake_case one also as an upper-case
    constant (`RESPONSE_TYPE`), possibly after a prefix (`OAUTH_RESPONSE_TYPE`): the spellings the
    rules' trigger strings find, so that the prefilter never skips a file a rule reports in
    (`Response_Type` and `codechallengemethod` are neither).
    """

    def __init__(self, wire_name: str, *holder_names: str) -> None:
        self.wire_name = wire_name
        self.spellings = frozenset(
            spelling
            for name in (wire_name, *holder_names)
            for spelling in ((name, name.upper()) if name == name.lower() else (name,))
        )
        alternatives = "|".join(re.escape(name) for name in sorted(self.spellings))
        # `OAUTH_RESPONSE_TYPE` holds a response_type; `response_types_supported` does not.
        self._name_end = re.compile(rf"(?:^|_)(?:{alternatives})$")
        # Only where a query parameter can start: not `grant_type=refresh_token`, not prose.
        self.in_query = re.compile(rf"(?:^|(?<=[?&#])){re.escape(wire_name)}=([^&#\s'\"{HOLE}]+)")

    def held_by(self, names: Iterable[str], *, exactly: bool) -> bool:
        """Whether a value kept under one of `names` holds the parameter: `exactly` under its own name (a
        keyword, a key, a property), else under a name that ends with it (a constant, attribute or function)."""
        if exactly:
            return not self.spellings.isdisjoint(names)
        return any(self._name_end.search(name) for name in names)


QUERY_END = re.compile(r"[#'\"<>\n]")  # where a URL's query ends in text
QUERY_PARAMETER = re.compile(r"([A-Za-z_][\w.\-]*)=")
# Only a token request carries these (Untappd's token request even sends `response_type=code`).
TOKEN_REQUEST_PARAMETERS = frozenset({"code", "grant_type", "client_secret", "code_verifier", "refresh_token"})
_URL_OR_DOTTED_SCOPE = re.compile(r"[\w\-]+(?:[.:/][\w\-.:/]*)+")  # https://api.banno.com/..., a.b.read
_QUERY_SCOPE = re.compile(rf"[?&]scope=([^&#\s'\"{HOLE}]*)")  # the value of a URL's `scope` parameter


def query_parameter_removal(text: str, start: int, end: int) -> tuple[int, int] | None:
    """What removing the parameter text[start:end] (`prompt=consent`) takes: the `&` before it, or the
    `&` after it when it comes first; None when it is the query's only parameter."""
    if start > 0 and text[start - 1] == "&":
        return start - 1, end
    if text.startswith("&", end):
        return start, end + 1
    return None


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
