"""Which functions of a module are web request handlers, and where their request object is.

Reading a query parameter matters only where a request is being handled. A
handler is found by how the framework is told about it:

- Flask, Quart, FastAPI, Starlette: a function decorated with a route method
  (`@app.route`, `@bp.get`, `@router.post`, `@app.api_route`) of an
  application, blueprint or router. The object's framework is the class it is
  built from in this module (`app = Flask(__name__)`, resolved with
  `QualifiedNameProvider` through aliases); an object built elsewhere
  (`from .app import app`) takes the framework the module imports.
- Django (and Starlette's `Route`): a function bound to a URL in the same
  module (`path("cb/", callback)`, `re_path`, `url`, `Route("/cb", callback)`,
  `app.add_url_rule(..., view_func=callback)`, `router.add_api_route`), one
  decorated with a Django or DRF decorator (`@login_required`, `@require_GET`,
  `@csrf_exempt`, `@api_view`), or a module-level function taking `request`
  first in a module that imports django.
- Class-based views: the HTTP-method methods (`get`, `post`, ..., `dispatch`)
  of a subclass of a Django, DRF, Flask or Quart view or of Starlette's
  `HTTPEndpoint`, directly or through a class of the same module.

The request object is Flask's and Quart's global `request` (the rule resolves
that one itself), a parameter annotated `...Request`, the first parameter of a
Django or Starlette function view, the one after `self` of a class-based view
method, and `self.request` there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

import libcst as cst
from libcst.metadata import BatchableMetadataProvider

from banno_migrate.analysis.metadata import QualifiedNameProvider
from banno_migrate.analysis.strings import dotted_name


class Framework(str, Enum):
    FLASK = "flask"
    QUART = "quart"
    DJANGO = "django"
    FASTAPI = "fastapi"
    STARLETTE = "starlette"


@dataclass(frozen=True)
class WebHandler:
    framework: Framework
    route: str | None = None  # the URL rule of its route decorator, when it is a literal
    request_params: frozenset[str] = frozenset()  # parameters that receive the request object
    view_class: str | None = None  # for a method of a class-based view, the class: `self.request` is the request too


_PACKAGES = {
    "flask": Framework.FLASK,
    "quart": Framework.QUART,
    "django": Framework.DJANGO,
    "rest_framework": Framework.DJANGO,
    "fastapi": Framework.FASTAPI,
    "starlette": Framework.STARLETTE,
}
# Which framework a route decorator of an unknown object belongs to, when the module imports several.
_DECORATOR_FRAMEWORKS = (Framework.FASTAPI, Framework.QUART, Framework.FLASK, Framework.STARLETTE)
_VIEW_FRAMEWORKS = (Framework.DJANGO, Framework.FLASK, Framework.QUART, Framework.STARLETTE, Framework.FASTAPI)
_APP_CLASSES = frozenset({"Flask", "Blueprint", "Quart", "FastAPI", "APIRouter", "Starlette", "Router"})
_ROUTE_METHODS = frozenset({"route", "api_route", "get", "post", "put", "patch", "delete", "head", "options"})
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch"})
_VIEW_BASES = (
    "django.views.",
    "rest_framework.views.",
    "rest_framework.generics.",
    "rest_framework.viewsets.",
    "flask.views.",
    "quart.views.",
    "starlette.endpoints.",
)
_VIEW_DECORATORS = (
    "django.views.decorators.",
    "django.contrib.auth.decorators.",
    "django.contrib.admin.views.decorators.",
    "rest_framework.decorators.",
)
# Calls that bind a view to a URL: where the view is (positional index, keyword).
_URL_FUNCTIONS = {
    "django.urls.path": (1, "view"),
    "django.urls.re_path": (1, "view"),
    "django.conf.urls.url": (1, "view"),
    "starlette.routing.Route": (1, "endpoint"),
}
_URL_METHODS = {"add_url_rule": (2, "view_func"), "add_api_route": (1, "endpoint")}


class WebHandlerProvider(BatchableMetadataProvider[WebHandler]):
    """Sets a `WebHandler` on every function definition that handles web requests."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, cache: object = None) -> None:
        super().__init__(cache)
        self._imported: set[Framework] = set()
        self._apps: dict[str, Framework] = {}  # names bound to an application, blueprint or router
        self._bound: dict[str, Framework] = {}  # names of functions bound to a URL
        self._assignments: list[tuple[cst.Name, cst.Call]] = []
        self._calls: list[cst.Call] = []
        self._classes: list[cst.ClassDef] = []
        self._functions: list[tuple[cst.FunctionDef, cst.ClassDef | None]] = []
        self._module_level: set[cst.FunctionDef] = set()
        self._scopes: list[cst.CSTNode] = []

    # Collection: handlers are decided at the end, when every binding has been seen, and
    # names are resolved only in a module that imports a web framework (few do).
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._import(dotted_name(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not node.relative and node.module is not None:
            self._import(dotted_name(node.module))

    def _import(self, module: str) -> None:
        framework = _PACKAGES.get(module.split(".")[0])
        if framework is not None:
            self._imported.add(framework)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and isinstance(value, cst.Call):
            self._assignments.append((target, value))

    def visit_Call(self, node: cst.Call) -> None:
        self._calls.append(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(node)
        self._scopes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = self._scopes[-1] if self._scopes and isinstance(self._scopes[-1], cst.ClassDef) else None
        self._functions.append((node, owner))
        if not self._scopes:
            self._module_level.add(node)
        self._scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self._imported:
            return
        for target, value in self._assignments:
            self._bind_app(target, value)
        for call in self._calls:
            self._bind_view(call)
        views = self._view_classes()
        for function, owner in self._functions:
            if owner is not None:
                handler = self._method_handler(function, owner, views.get(owner.name.value))
            else:
                handler = self._function_handler(function)
            if handler is not None:
                self.set_metadata(function, handler)

    # Decisions
    def _bind_app(self, target: cst.Name, value: cst.Call) -> None:
        framework = self._framework_of(value.func, lambda name: name.rsplit(".", 1)[-1] in _APP_CLASSES)
        if framework is not None:
            self._apps[target.value] = framework

    def _bind_view(self, call: cst.Call) -> None:
        binder = next((name for name in self._qualified(call.func) if name in _URL_FUNCTIONS), None)
        framework: Framework | None
        if binder is not None:
            framework, where = _PACKAGES[binder.split(".")[0]], _URL_FUNCTIONS[binder]
        elif isinstance(call.func, cst.Attribute) and call.func.attr.value in _URL_METHODS:
            framework, where = self._app_framework(call.func.value), _URL_METHODS[call.func.attr.value]
        else:
            return
        view = call_argument(call, *where)
        if framework is not None and isinstance(view, cst.Name):
            self._bound[view.value] = framework

    def _function_handler(self, function: cst.FunctionDef) -> WebHandler | None:
        route = self._route(function)
        if route is not None:
            framework, rule = route
        else:
            framework, rule = self._bound.get(function.name.value) or self._django_view(function), None
        if framework is None:
            return None
        return WebHandler(framework, rule, _request_params(function, framework, skip=0))

    @staticmethod
    def _method_handler(function: cst.FunctionDef, owner: cst.ClassDef, framework: Framework | None) -> WebHandler | None:
        if framework is None or function.name.value not in _HTTP_METHODS:
            return None
        return WebHandler(framework, None, _request_params(function, framework, skip=1), owner.name.value)

    def _route(self, function: cst.FunctionDef) -> tuple[Framework, str | None] | None:
        for decorator in function.decorators:
            call = decorator.decorator
            if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
                continue
            if call.func.attr.value in _ROUTE_METHODS:
                framework = self._app_framework(call.func.value)
                if framework is not None:
                    rule = call_argument(call, 0, "path") or call_argument(call, 0, "rule")
                    text = rule.evaluated_value if isinstance(rule, cst.SimpleString) else None
                    return framework, text if isinstance(text, str) else None
        return None

    def _django_view(self, function: cst.FunctionDef) -> Framework | None:
        for decorator in function.decorators:
            expression = decorator.decorator
            callee = expression.func if isinstance(expression, cst.Call) else expression
            if self._framework_of(callee, lambda name: name.startswith(_VIEW_DECORATORS)):
                return Framework.DJANGO
        params = function.params.params
        if Framework.DJANGO in self._imported and function in self._module_level and params and params[0].name.value == "request":
            return Framework.DJANGO
        return None

    def _view_classes(self) -> dict[str, Framework]:
        views: dict[str, Framework] = {}
        for cls in self._classes:  # in source order: a base class of this module is decided first
            for base in cls.bases:
                framework = self._view_base(base.value, views)
                if framework is not None:
                    views[cls.name.value] = framework
                    break
        return views

    def _view_base(self, base: cst.BaseExpression, views: dict[str, Framework]) -> Framework | None:
        if isinstance(base, cst.Name) and base.value in views:
            return views[base.value]
        framework = self._framework_of(base, lambda name: name.startswith(_VIEW_BASES))
        if framework is None and dotted_name(base).endswith(("View", "ViewSet")):
            # A project base view imported from elsewhere: the module's framework says which.
            framework = next((f for f in _VIEW_FRAMEWORKS if f in self._imported), None)
        return framework

    def _app_framework(self, receiver: cst.BaseExpression) -> Framework | None:
        if isinstance(receiver, cst.Name) and receiver.value in self._apps:
            return self._apps[receiver.value]
        # An application object from another module: the framework this module imports.
        return next((f for f in _DECORATOR_FRAMEWORKS if f in self._imported), None)

    def _framework_of(self, node: cst.BaseExpression, accept: Callable[[str], bool]) -> Framework | None:
        """The framework of what `node` names, when its qualified name is one `accept`s."""
        for name in self._qualified(node):
            framework = _PACKAGES.get(name.split(".")[0])
            if framework is not None and accept(name):
                return framework
        return None

    def _qualified(self, node: cst.BaseExpression) -> set[str]:
        return {qualified.name for qualified in self.get_metadata(QualifiedNameProvider, node, set())}


def call_argument(call: cst.Call, index: int | None, keyword: str) -> cst.BaseExpression | None:
    """The argument given by `keyword`, or by position `index` (None: keyword only)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[index].value if index is not None and index < len(positional) else None


def _request_params(function: cst.FunctionDef, framework: Framework, skip: int) -> frozenset[str]:
    params = [*function.params.posonly_params, *function.params.params][skip:]
    names = {
        param.name.value
        for param in [*params, *function.params.kwonly_params]
        if param.annotation is not None and dotted_name(param.annotation.annotation).endswith("Request")
    }
    if framework in (Framework.DJANGO, Framework.STARLETTE) and params:
        names.add(params[0].name.value)
    return frozenset(names)
