"""BM005 unnamespaced-claim in JavaScript: a custom claim read or requested by its bare name.

`claims.institution_id` is a claim read from a token; `row.institution_id` is a
database column. As in banno_migrate/analysis/claims.py, the difference is
where the object comes from, with two levels of evidence:

- SOURCE: it comes from a decoded ID token or a UserInfo response:
  jsonwebtoken's `jwt.verify` / `jwt.decode`, jwt-decode, jose's `decodeJwt`
  and `jwtVerify(...).payload`, openid-client's `tokenSet.claims()`,
  `client.userinfo()` and `fetchUserInfo()`, the verify callback of a passport
  strategy (passport-openidconnect's `profile._json`, openid-client's
  `userinfo`), `JSON.parse` of a JWT's middle part, and the `.json()` of a
  `fetch` to a UserInfo URL (`/oidc/me`, `/userinfo`);
- NAME: only a name says so (`claims`, `userinfo`, `idTokenClaims`).

Values flow through `const`/`let` names (by name, file-wide: a name that ever
holds claims holds claims). The fix writes the namespaced key: `claims.institution_id`
becomes `claims['https://api.banno.com/consumer/claim/institution_id']` (the
file's own quote), `const { institution_id } = claims` becomes
`const { 'https://.../institution_id': institution_id } = claims`. It is safe
with SOURCE evidence, unsafe (a person confirms) when only a name says claims.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import cached_property

from tree_sitter import Node

from banno_migrate.findings import Applicability, Edit
from banno_migrate.languages.javascript.bindings import outermost, unwrap
from banno_migrate.languages.javascript.context import Context
from banno_migrate.languages.javascript.requests import OPENID_CLIENT, PASSPORT
from banno_migrate.languages.javascript.syntax import Tree
from banno_migrate.languages.javascript.values import (
    ADDERS,
    JsValue,
    arguments_of,
    dotted_name,
    method_name,
    operator_of,
    receiver_of,
)
from banno_migrate.languages.string_checks import ValueEdit

CODE = "BM005"
_REQUEST_MEMBERS = frozenset({"id_token", "userinfo"})
_CLAIMS_PARAMETER = "claims"
_CLAIMS_NAMES = frozenset({"claims", "idclaims", "userinfo", "idtokenclaims", "userinfoclaims"})
_DECODERS = {  # module -> functions (or `default`) that return a token's claims
    "jsonwebtoken": frozenset({"verify", "decode"}),
    "jwt-decode": frozenset({"default", "jwtDecode", "jwt_decode"}),
    "jose": frozenset({"decodeJwt"}),
}
_CLAIMS_METHODS = frozenset({"claims", "userinfo", "userInfo"})  # openid-client: tokenSet.claims(), client.userinfo()
_USERINFO_FUNCTIONS = frozenset({"fetchUserInfo"})  # openid-client v6
_USERINFO_PATHS = ("/oidc/me", "/userinfo")
# Names on the way to a value that say it is the application's own data, not a token's.
_OTHER_DATA = frozenset(
    {
        "session", "req", "request", "body", "query", "params", "config", "settings", "db", "rows", "row",
        "cursor", "form", "env", "localStorage", "sessionStorage", "store", "state", "props", "headers",
    }
)  # fmt: skip
_DISPLAYS = frozenset({"object", "array", "string", "template_string", "number"})
_MAX_DEPTH = 8


class Evidence(IntEnum):
    NAME = 1
    SOURCE = 2


def is_claims_name(name: str) -> bool:
    folded = name.replace("_", "").lower()
    return folded in _CLAIMS_NAMES or folded.endswith("claims")


def check(context: Context) -> None:
    _Claims(context).check()


class _Claims:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.tree = context.tree
        self.values = context.values
        self.bindings = context.bindings
        self._variables: dict[str, Evidence] = {}
        self._assigned: dict[str, list[Node]] = {}  # name -> the values it is given
        self._profiles: set[str] = set()  # passport profile parameters: their `_json` holds claims
        self._responses: dict[Node, bool] = {}  # expressions known to be (or not) a UserInfo response
        self._collect()
        self._solve()

    @cached_property
    def claims(self) -> frozenset[str]:
        domain = self.context.domain
        return frozenset((*domain.custom_claims, *self.context.options.extra_claims)) - domain.standard_claims

    @cached_property
    def quote(self) -> str:
        """The file's own quote for a new string: the one most of its strings use."""
        quotes = [self.tree.source(node)[0] for node in self.tree.nodes("string")]
        return '"' if quotes.count('"') > quotes.count("'") else "'"

    # Collection
    def _collect(self) -> None:
        for declarator in self.tree.nodes("variable_declarator"):
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is not None and value is not None:
                self._bind(name, value)
        for assignment in self.tree.nodes("assignment_expression"):
            left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier":
                self._bind(left, right)
        for node in self.tree.nodes("new_expression"):
            self._verify_callback(node)

    def _bind(self, name: Node, value: Node) -> None:
        if name.type == "identifier":
            self._assigned.setdefault(self.tree.source(name), []).append(value)
        elif name.type == "object_pattern" and self._is_jwt_verification(value):  # const { payload } = await jwtVerify(...)
            for child in name.named_children:
                if child.type == "shorthand_property_identifier_pattern" and self.tree.source(child) == "payload":
                    self._variables["payload"] = Evidence.SOURCE

    def _verify_callback(self, node: Node) -> None:
        """The parameters of a passport strategy's verify function that receive claims."""
        constructor = node.child_by_field_name("constructor")
        imported = self.bindings.imported(constructor) if constructor is not None else None
        args = arguments_of(node)
        if imported is None or len(args) < 2 or args[1].type not in ("function_expression", "arrow_function", "function"):
            return
        parameters = args[1].child_by_field_name("parameters")
        names = [self._parameter_name(p) for p in parameters.named_children] if parameters is not None else []
        if imported.module == PASSPORT:
            self._profiles.update(name for name in names if name and "profile" in name.lower())
        elif imported.module == OPENID_CLIENT and imported.member == "Strategy" and len(names) >= 3:
            self._variables[names[1]] = Evidence.SOURCE  # (tokenSet, userinfo, done)

    def _parameter_name(self, node: Node) -> str | None:
        if node.type in ("required_parameter", "optional_parameter"):
            node = node.child_by_field_name("pattern")
        return self.tree.source(node) if node is not None and node.type == "identifier" else None

    def _solve(self) -> None:
        changed = True
        while changed:
            changed = False
            for name, values in self._assigned.items():
                evidence = max((e for value in values if (e := self.evidence(value, 0)) is not None), default=None)
                if evidence is not None and self._variables.get(name, 0) < evidence:
                    self._variables[name] = evidence
                    changed = True

    # Evidence
    def evidence(self, node: Node, depth: int) -> Evidence | None:
        if depth > _MAX_DEPTH:
            return None
        node = unwrap(node)
        if node.type == "await_expression" and node.named_children:
            return self.evidence(node.named_children[0], depth + 1)
        if node.type == "identifier":
            return _stronger(self._variables.get(self.tree.source(node)), self._by_name(node))
        if node.type == "member_expression":
            return self._member(node, depth)
        if node.type == "call_expression":
            return self._call(node, depth)
        if node.type == "binary_expression" and operator_of(node) in ("||", "??"):
            return self.evidence(node.child_by_field_name("left"), depth + 1)
        return None

    def _by_name(self, node: Node) -> Evidence | None:
        name = self.tree.source(node)
        if not is_claims_name(name):
            return None
        if any(_is_other_data(self.tree, value) for value in self._assigned.get(name, ())):
            return None
        return Evidence.NAME

    def _member(self, node: Node, depth: int) -> Evidence | None:
        obj, prop = node.child_by_field_name("object"), self.tree.source(node.child_by_field_name("property"))
        if prop == "_json" and self.tree.source(unwrap(obj)) in self._profiles:
            return Evidence.SOURCE
        if prop == "payload" and self._is_jwt_verification(obj):
            return Evidence.SOURCE
        if prop == "data" and self._is_userinfo_response(obj, depth + 1):  # axios: (await axios.get(url)).data
            return Evidence.SOURCE
        if is_claims_name(prop) and not (_chain_names(self.tree, obj) & _OTHER_DATA):
            return Evidence.NAME
        return None

    def _is_jwt_verification(self, node: Node) -> bool:
        """`jwtVerify(...)` or `await jose.jwtVerify(...)`: its result's `payload` is the claims."""
        node = unwrap(node)
        if node.type == "await_expression" and node.named_children:
            node = unwrap(node.named_children[0])
        return node.type == "call_expression" and dotted_name(self.tree, node.child_by_field_name("function")).endswith("jwtVerify")

    def _call(self, node: Node, depth: int) -> Evidence | None:
        function = node.child_by_field_name("function")
        imported = self.bindings.imported(function) if function is not None else None
        if imported is not None and imported.member in _DECODERS.get(imported.module, ()):
            return Evidence.SOURCE
        if imported is not None and imported.module == OPENID_CLIENT and imported.member in _USERINFO_FUNCTIONS:
            return Evidence.SOURCE
        method = method_name(self.tree, node)
        args = arguments_of(node)
        if method in _CLAIMS_METHODS and (method != "claims" or not args):
            return Evidence.SOURCE
        if method == "json" and not args:
            return Evidence.SOURCE if self._is_userinfo_response(receiver_of(node), depth + 1) else None
        if dotted_name(self.tree, function) == "JSON.parse" and args and re.search(
            r"""split\(\s*['"]\.['"]\s*\)\s*\[\s*1\s*\]""", self.tree.source(args[0])
        ):
            return Evidence.SOURCE  # JSON.parse(Buffer.from(idToken.split(".")[1], "base64").toString())
        return None

    def _is_userinfo_response(self, node: Node | None, depth: int) -> bool:
        """`fetch(USERINFO_URL)`, `axios.get(url)`, or a name bound to one (through `await`)."""
        if node is None or depth > _MAX_DEPTH:
            return False
        node = unwrap(node)
        if node not in self._responses:
            self._responses[node] = False  # a name assigned from itself adds nothing
            self._responses[node] = self._response(node, depth)
        return self._responses[node]

    def _response(self, node: Node, depth: int) -> bool:
        if node.type == "await_expression" and node.named_children:
            return self._is_userinfo_response(node.named_children[0], depth + 1)
        if node.type == "identifier":
            return any(self._is_userinfo_response(value, depth + 1) for value in self._assigned.get(self.tree.source(node), ()))
        if node.type != "call_expression":
            return False
        callee = dotted_name(self.tree, node.child_by_field_name("function"))
        args = arguments_of(node)
        if callee not in ("fetch", "axios.get", "axios", "got", "got.get") or not args:
            return False
        url = self.values.of(args[0])
        path = url.text.split("?", 1)[0].split("#", 1)[0].rstrip("/") if url is not None else ""
        return path.endswith(_USERINFO_PATHS)

    # Reads
    def check(self) -> None:
        for node in self.tree.nodes("member_expression"):
            self._member_read(node)
        for node in self.tree.nodes("subscript_expression"):
            self._subscript_read(node)
        for node in self.tree.nodes("binary_expression"):
            if operator_of(node) == "in":
                self._key_read(node.child_by_field_name("right"), node.child_by_field_name("left"))
        for declarator in self.tree.nodes("variable_declarator"):
            self._destructuring(declarator)
        for obj in self.tree.nodes("object"):
            self._claims_request(obj)
        for value in self.values.all:
            self._json_claims_request(value)

    def _applicability(self, holder: Node) -> Applicability | None:
        evidence = self.evidence(holder, 0)
        if evidence is None:
            return None
        return Applicability.SAFE if evidence is Evidence.SOURCE else Applicability.UNSAFE

    def _member_read(self, node: Node) -> None:
        prop = node.child_by_field_name("property")
        claim = self.tree.source(prop)
        if claim not in self.claims or self._is_written(node):
            return
        applicability = self._applicability(node.child_by_field_name("object"))
        if applicability is None:
            return
        optional = node.child_by_field_name("optional_chain")
        start = self.tree.end(optional) if optional is not None else self._dot(node)
        replacement = f"[{self._quoted(claim)}]"
        edit = Edit(start, self.tree.end(prop), replacement) if start is not None else None
        self._report(prop, claim, "read", [edit], applicability)

    def _dot(self, node: Node) -> int | None:
        dot = next((child for child in node.children if child.type == "."), None)
        return self.tree.start(dot) if dot is not None else None

    def _subscript_read(self, node: Node) -> None:
        if not self._is_written(node):
            self._key_read(node.child_by_field_name("object"), node.child_by_field_name("index"))

    def _key_read(self, holder: Node | None, key: Node | None) -> None:
        if holder is None or key is None:
            return
        value = self.values.of(key)
        if value is None or value.text not in self.claims:
            return
        applicability = self._applicability(holder)
        if applicability is None:
            return
        if unwrap(key).type == "identifier":  # CLAIM = "institution_id"; claims[CLAIM]: the name may mean more
            applicability = Applicability.UNSAFE
        self._report(key, value.text, "read", [self._namespaced(value, 0, len(value.text))], applicability)

    def _is_written(self, node: Node) -> bool:
        parent = self.tree.parent(node)
        if parent is None:
            return False
        if parent.type in ("assignment_expression", "augmented_assignment_expression"):
            return parent.child_by_field_name("left") == node
        if parent.type == "unary_expression" and operator_of(parent) == "delete":
            return True
        return parent.type == "call_expression" and parent.child_by_field_name("function") == node

    def _destructuring(self, declarator: Node) -> None:
        pattern, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        if pattern is None or value is None or pattern.type != "object_pattern":
            return
        applicability = None
        for child in pattern.named_children:
            target = child.child_by_field_name("left") if child.type == "object_assignment_pattern" else child
            if target is None:
                continue
            if target.type == "shorthand_property_identifier_pattern" and self.tree.source(target) in self.claims:
                claim = self.tree.source(target)
                edit: Edit | ValueEdit | None = Edit(self.tree.start(target), self.tree.start(target), f"{self._quoted(claim)}: ")
            elif target.type == "pair_pattern":
                key = target.child_by_field_name("key")
                claim = self.values.key_text(key) if key is not None else None
                if claim not in self.claims:
                    continue
                edit = self._key_edit(key, claim)
            else:
                continue
            applicability = applicability or self._applicability(value)
            if applicability is None:
                return
            self._report(target if target.type != "pair_pattern" else key, claim, "read", [edit], applicability)

    # Requests: `claims: { id_token: { institution_id: null } }`, also JSON-encoded.
    def _claims_request(self, obj: Node) -> None:
        members = []
        for item in obj.named_children:
            if item.type != "pair" or self.values.key_text(item.child_by_field_name("key")) not in _REQUEST_MEMBERS:
                continue
            member = self._request_member(item.child_by_field_name("value"))
            if member is not None:
                members.append(member)
        if not members or not self._in_claims_request(obj, 0):
            return
        for member in members:
            for item in member.named_children:
                key = item.child_by_field_name("key") if item.type == "pair" else None
                claim = self.values.key_text(key) if key is not None else None
                if claim in self.claims:
                    self._report(key, claim, "requested", [self._key_edit(key, claim)], Applicability.SAFE)

    def _request_member(self, node: Node | None) -> Node | None:
        """The object of an `id_token` / `userinfo` member when it asks for claims (null or an object each)."""
        if node is None:
            return None
        node = self.bindings.resolve(node)
        if node.type != "object":
            return None
        asks = all(
            item.type == "pair" and unwrap(item.child_by_field_name("value")).type in ("object", "null")
            for item in node.named_children
            if item.type != "comment"
        )
        return node if asks else None

    def _in_claims_request(self, node: Node, depth: int) -> bool:
        """Whether a value is what the `claims` parameter of an authorization request gets."""
        if depth > 4:
            return False
        node, parent = outermost(self.tree, node)
        if parent is None:
            return False
        if parent.type == "pair":
            return parent.child_by_field_name("value") == node and self.values.key_text(parent.child_by_field_name("key")) == _CLAIMS_PARAMETER
        if parent.type == "arguments":
            call = self.tree.parent(parent)
            callee = dotted_name(self.tree, call.child_by_field_name("function")) if call is not None else ""
            if callee in ("JSON.stringify", "encodeURIComponent"):
                return self._in_claims_request(call, depth + 1)
            if method_name(self.tree, call) in ADDERS:
                args = arguments_of(call)
                return len(args) >= 2 and args[1] == node and self.values.text(args[0]) == _CLAIMS_PARAMETER
            return False
        if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
            name = parent.child_by_field_name("name")
            if name is None or name.type != "identifier":
                return False
            if _CLAIMS_PARAMETER in self.tree.source(name).lower():
                return True
            return any(self._in_claims_request(use, depth + 1) for use in self.bindings.reads(name))
        return False

    def _json_claims_request(self, value: JsValue) -> None:
        """`claims: '{"id_token": {"institution_id": null}}'`."""
        if not any(f'"{member}"' in value.text for member in _REQUEST_MEMBERS) or not self._in_claims_request(value.root, 0):
            return
        names = "|".join(re.escape(name) for name in sorted(self.claims, key=len, reverse=True))
        for match in re.finditer(rf'"({names})"\s*:', value.text):
            literal = value.literal_at(match.start(1))
            if literal is None:
                continue
            self._report(literal, match.group(1), "requested", [self._namespaced(value, *match.span(1))], Applicability.SAFE)

    # Edits and reports
    def _quoted(self, claim: str) -> str:
        return f"{self.quote}{self.context.domain.claim_namespace}{claim}{self.quote}"

    def _key_edit(self, key: Node, claim: str) -> Edit | ValueEdit | None:
        """A property key written as a name becomes a quoted string; a string key gets the namespace inside."""
        if key.type in ("property_identifier", "identifier"):
            return Edit(self.tree.start(key), self.tree.end(key), self._quoted(claim))
        value = self.values.of(key)
        return self._namespaced(value, 0, len(value.text)) if value is not None else None

    def _namespaced(self, value: JsValue, start: int, end: int) -> ValueEdit:
        """The claim written at `value.text[start:end]`, with the namespace put before it."""
        return ValueEdit(self.context.value(value), start, end, self.context.domain.claim_namespace + value.text[start:end])

    def _report(self, node: Node, claim: str, what: str, edits, applicability: Applicability) -> None:
        replacement = self.context.domain.claim_namespace + claim
        self.context.report_node(CODE, node, edits=edits, applicability=applicability, claim=claim, what=what, replacement=replacement)


def _is_other_data(tree: Tree, node: Node) -> bool:
    node = unwrap(node)
    return node.type in _DISPLAYS or bool(_chain_names(tree, node) & _OTHER_DATA)


def _chain_names(tree: Tree, node: Node | None) -> set[str]:
    """The names along `a.b(...)[k].c`: {"a", "b", "c"}."""
    names: set[str] = set()
    while node is not None:
        node = unwrap(node)
        if node.type == "await_expression":
            node = node.named_children[0] if node.named_children else None
        elif node.type == "call_expression":
            node = node.child_by_field_name("function")
        elif node.type == "subscript_expression":
            node = node.child_by_field_name("object")
        elif node.type == "member_expression":
            names.add(tree.source(node.child_by_field_name("property")))
            node = node.child_by_field_name("object")
        else:
            if node.type == "identifier":
                names.add(tree.source(node))
            return names
    return names


def _stronger(first: Evidence | None, second: Evidence | None) -> Evidence | None:
    return max((evidence for evidence in (first, second) if evidence is not None), default=None)
