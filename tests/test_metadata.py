"""Our metadata providers give exactly what LibCST's give, node for node, on real code."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst import metadata as libcst_metadata
from libcst.metadata.base_provider import LazyValue

import banno_migrate
from banno_migrate.analysis import metadata
from banno_migrate.analysis.traversal import read_only_walks
from cst_nodes import described_scopes, nodes_of

ROOT = Path(__file__).resolve().parents[1]
# Varied real code: the example apps, this package, and LibCST's own sources (big classes, nested scopes,
# comprehensions, lambdas, global/nonlocal, star imports, decorators, match statements).
SOURCES = [
    *sorted((ROOT / "examples" / "legacy-app").rglob("*.py")),
    Path(banno_migrate.__file__).parent / "analysis" / "strings.py",
    Path(cst.__file__).parent / "metadata" / "scope_provider.py",
    Path(cst.__file__).parent / "_nodes" / "expression.py",
    Path(cst.__file__).parent / "_parser" / "conversions" / "expression.py",
]


def _resolved(path: Path) -> tuple[cst.Module, libcst_metadata.MetadataWrapper]:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    return module, libcst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_same_parents_and_qualified_names_as_libcst(path: Path) -> None:
    module, wrapper = _resolved(path)
    theirs_parents = wrapper.resolve(libcst_metadata.ParentNodeProvider)
    theirs_names = wrapper.resolve(libcst_metadata.QualifiedNameProvider)
    ours_parents = wrapper.resolve(metadata.ParentNodeProvider)
    ours_names = wrapper.resolve(metadata.QualifiedNameProvider)
    assert dict(ours_parents) == dict(theirs_parents)
    nodes = nodes_of(module)
    named = 0
    for node in nodes:
        expected = theirs_names.get(node, set())
        if isinstance(expected, LazyValue):
            expected = expected()
        assert ours_names.get(node, set()) == expected, cst.Module([]).code_for_node(node)
        named += bool(expected)
    assert named > 0


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_same_expression_contexts_and_scopes_as_libcst(path: Path) -> None:
    """The contexts come from the parents loop; LibCST's scope analysis given them finds the same scopes."""
    module, wrapper = _resolved(path)
    theirs = dict(wrapper.resolve(libcst_metadata.ExpressionContextProvider))
    ours = wrapper.resolve(metadata.ExpressionContextProvider)
    assert ours is wrapper.resolve(metadata.ParentNodeProvider).contexts  # not LibCST's pass
    assert dict(ours) == theirs and set(theirs.values()) >= {
        libcst_metadata.ExpressionContext.LOAD,
        libcst_metadata.ExpressionContext.STORE,
    }
    scopes = described_scopes(module, wrapper.resolve(libcst_metadata.ScopeProvider))
    with read_only_walks():  # as a lint runs it
        assert described_scopes(module, wrapper.resolve(metadata.ScopeProvider)) == scopes and scopes


# Every place LibCST's expression-context pass treats on its own, and a few it does not.
EVERY_CONTEXT = """
import a.b as c, d
from e import f as g
x, *y = z[0], [w] = q.r = s[t] = u
v: int = 1
k += 2
del k, q.r, s[t], (m, n)
for (i, j) in pairs: print(i)
async def h[T: int, *Ts, **P](p: T = d, *args: Ts, kw=(lambda l=1, *, o: l + o), **kwargs) -> P:
    global x
    async for n in aiter(): pass
    async with open(p) as (fh, gh), other as hh: pass
    return [a1 for a1, b1 in items if (c1 := a1)] + {k2: v2 for k2 in ks for v2 in k2}
class C[U](Base, metaclass=M, **extra):
    attr: U
    def method(self, /, value=attr) -> None:
        nonlocal_holder = self.value = value.attr.deep
        try: pass
        except (E1, E2) as err: raise err from None
type Alias[V] = list[V]
def bounded[T: a.b[c], S: [e for e in h]](): pass
class Bounded[T: {k: v for k, v in d}, S: (y := 1)]: pass
def uses_then_binds():
    print(later)
    later = 3
    return later
match command:
    case {"k": [first, *rest]} | Point(x=first, y=rest) if first: pass
    case str() as text: pass
    case _: pass
f"{x!r:>{width}} {y=}"
"""


def test_the_same_expression_contexts_and_scopes_in_every_construct() -> None:
    module = cst.parse_module(EVERY_CONTEXT)
    wrapper = libcst_metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    theirs = dict(wrapper.resolve(libcst_metadata.ExpressionContextProvider))
    assert dict(wrapper.resolve(metadata.ExpressionContextProvider)) == theirs
    assert set(theirs.values()) == set(libcst_metadata.ExpressionContext)
    scopes = described_scopes(module, wrapper.resolve(libcst_metadata.ScopeProvider))
    with read_only_walks():  # as a lint runs it
        assert described_scopes(module, wrapper.resolve(metadata.ScopeProvider)) == scopes


def test_expression_contexts_come_from_libcst_when_a_class_cannot_be_read(monkeypatch: pytest.MonkeyPatch) -> None:
    module, wrapper = _resolved(SOURCES[0])
    monkeypatch.setattr(metadata, "reversed_child_fields", lambda kind: None)
    assert wrapper.resolve(metadata.ParentNodeProvider).contexts is None
    assert dict(wrapper.resolve(metadata.ExpressionContextProvider)) == dict(
        wrapper.resolve(libcst_metadata.ExpressionContextProvider)
    )


def test_a_node_outside_the_module_has_no_names() -> None:
    _, wrapper = _resolved(SOURCES[0])
    assert wrapper.resolve(metadata.QualifiedNameProvider).get(cst.Name("elsewhere"), set()) == set()


@pytest.mark.parametrize("path", SOURCES[-2:], ids=lambda path: f"{path.parent.name}/{path.name}")
def test_parents_of_formatting_are_found_when_first_asked(path: Path) -> None:
    """Formatting is left out of the parents until one of its nodes is asked about; no answer changes."""
    from banno_migrate.analysis.traversal import FORMATTING

    module, wrapper = _resolved(path)
    theirs = wrapper.resolve(libcst_metadata.ParentNodeProvider)
    ours = wrapper.resolve(metadata.ParentNodeProvider)
    nodes = nodes_of(module)
    formatting = [node for node in nodes if type(node) in FORMATTING]  # (and below them, only formatting)
    others = [node for node in nodes if type(node) not in FORMATTING]
    assert formatting and others
    assert [ours.get(node) for node in others] == [theirs.get(node) for node in others]
    assert ours.get(module) is None
    assert not ours._complete  # type: ignore[attr-defined]
    assert [ours[node] for node in formatting] == [theirs[node] for node in formatting]
    assert ours._complete  # type: ignore[attr-defined]


def test_a_lint_resolves_our_providers_never_libcsts_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module asking for LibCST's own positions, parents or qualified names would cost a second pass."""
    from banno_migrate import lint
    from banno_migrate.catalog import load_catalog
    from banno_migrate.languages import LintRequest
    from banno_migrate.source import SourceText

    resolved: list[type] = []

    class Recording(libcst_metadata.MetadataWrapper):
        def visit_batched(self, *args: object, **kwargs: object) -> cst.CSTNode:
            result = super().visit_batched(*args, **kwargs)  # type: ignore[arg-type]
            resolved.extend(self._metadata)
            return result

    monkeypatch.setattr(lint, "MetadataWrapper", Recording)
    catalog = load_catalog()
    path = ROOT / "examples" / "legacy-app" / "legacy_app" / "auth.py"
    source = SourceText.decode(path.read_bytes())
    request = LintRequest(codes=frozenset(catalog.codes), enabled=frozenset(catalog.codes))
    assert lint.lint_source(source, "auth.py", catalog, request, path)
    assert {metadata.PositionProvider, metadata.ParentNodeProvider, metadata.ExpressionContextProvider} <= set(resolved)
    twins = {
        libcst_metadata.PositionProvider,
        libcst_metadata.ParentNodeProvider,
        libcst_metadata.QualifiedNameProvider,
        libcst_metadata.ExpressionContextProvider,
        libcst_metadata.ScopeProvider,
    }
    assert not twins & set(resolved)


def test_parents_of_a_node_class_whose_fields_cannot_be_read_come_from_libcsts_children(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module, wrapper = _resolved(SOURCES[0])
    monkeypatch.setattr(metadata, "reversed_child_fields", lambda kind: None)
    parents, order, contexts = metadata._index(module, frozenset())
    assert parents == dict(wrapper.resolve(libcst_metadata.ParentNodeProvider))
    assert order is None and contexts is None  # LibCST's walk and expression contexts then
