"""BM009 callback-assumes-code, beyond the catalog examples: which functions are handlers, and where it applies."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from banno_migrate.analysis.web_handlers import Framework, WebHandler, WebHandlerProvider
from banno_migrate.catalog import load_catalog
from banno_migrate.lint import LintRequest, lint_source
from banno_migrate.prefilter import Prefilter
from banno_migrate.source import SourceText

CATALOG = load_catalog()
EXAMPLE_APP = Path(__file__).resolve().parents[1] / "examples" / "legacy-app"
CALLBACK = """
from flask import Flask, request

app = Flask(__name__)


@app.route("/callback")
def callback():
    return exchange_token(request.args["code"])
"""


def handlers(code: str) -> dict[str, WebHandler]:
    wrapper = MetadataWrapper(cst.parse_module(textwrap.dedent(code)))
    found = wrapper.resolve(WebHandlerProvider)
    return {node.name.value: handler for node, handler in found.items() if isinstance(node, cst.FunctionDef)}


def bm009(code: str, path: str = "app/views.py") -> list[tuple[int, int]]:
    source = SourceText(textwrap.dedent(code), "utf-8")
    findings = lint_source(source, path, CATALOG, LintRequest(codes=frozenset({"BM009"})))
    return [(finding.line, finding.column) for finding in findings]


def test_flask_app_factory_and_imported_blueprint() -> None:
    found = handlers(
        """
        from flask import Flask, request
        from .auth import bp

        def create_app():
            app = Flask(__name__)

            @app.route("/cb")
            def nested():
                pass

            return app

        @bp.get("/other")
        def other():
            pass

        def helper(request):
            pass
        """
    )
    assert set(found) == {"nested", "other"}
    assert found["nested"] == WebHandler(Framework.FLASK, "/cb")


def test_aliases_are_resolved() -> None:
    found = handlers(
        """
        import fastapi as fa
        from starlette.applications import Starlette as S

        api = fa.APIRouter()
        web = S()

        @api.get("/a")
        def a(req: fa.Request):
            pass

        @web.route("/b")
        async def b(incoming):
            pass
        """
    )
    assert found["a"] == WebHandler(Framework.FASTAPI, "/a", frozenset({"req"}))
    assert found["b"] == WebHandler(Framework.STARLETTE, "/b", frozenset({"incoming"}))


def test_route_decorators_need_a_web_framework() -> None:
    assert handlers('@cache.get("key")\ndef cached():\n    pass\n') == {}
    assert handlers('import requests\n\n@session.get("/x")\ndef f(request):\n    pass\n') == {}


def test_django_views() -> None:
    found = handlers(
        """
        from django.contrib.auth.decorators import login_required
        from django.urls import path, re_path
        from django.views.generic import TemplateView
        from .base import ProjectView

        def bound(req):
            pass

        @login_required
        def decorated(r):
            pass

        def plain(request):
            pass

        def not_a_view(user):
            pass

        class Base(TemplateView):
            def get_context_data(self, **kwargs):
                pass

        class Child(Base):
            def get(self, request, *args, **kwargs):
                pass

        class FromProject(ProjectView):
            def post(self, request):
                pass

        urlpatterns = [path("b/", bound), re_path(r"^c/$", view=Child.as_view())]
        """
    )
    assert set(found) == {"bound", "decorated", "plain", "get", "post"}
    assert found["bound"].request_params == {"req"}
    assert found["decorated"].request_params == {"r"}
    assert found["get"] == WebHandler(Framework.DJANGO, None, frozenset({"request"}), "Child")
    assert found["post"].view_class == "FromProject"


def test_url_rules_added_by_method() -> None:
    found = handlers(
        """
        from flask import Flask
        from fastapi import APIRouter

        app = Flask(__name__)
        router = APIRouter()

        def cb():
            pass

        def token_callback(code: str):
            pass

        app.add_url_rule("/cb", "cb", cb)
        router.add_api_route("/token", endpoint=token_callback)
        """
    )
    assert found["cb"].framework is Framework.FLASK
    assert found["token_callback"].framework is Framework.FASTAPI


def test_the_example_app_callback_is_reported_once() -> None:
    path = EXAMPLE_APP / "legacy_app" / "auth.py"
    source = SourceText(path.read_text(encoding="utf-8"), "utf-8")
    findings = lint_source(source, "auth.py", CATALOG, LintRequest(codes=frozenset({"BM009"})))
    assert [(f.line, f.column) for f in findings] == [(80, 12)]
    assert "without" in findings[0].message and "PKCE" in findings[0].message


@pytest.mark.parametrize("path", ["tests/test_auth.py", "app/tests/helpers.py", "conftest.py", "auth_test.py"])
def test_test_files_are_not_checked(path: str) -> None:
    assert bm009(CALLBACK) == [(9, 27)]
    assert bm009(CALLBACK, path) == []


def test_a_nested_function_is_its_own_scope() -> None:
    code = """
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/callback")
    def callback():
        def later():
            return request.args["code"]
        if "code" not in request.args:
            return start_login()
        return exchange_token(later())
    """
    assert bm009(code) == []


def test_a_check_after_the_use_is_too_late() -> None:
    code = """
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/callback")
    def callback():
        code = request.args.get("code")
        token = exchange_token(code)
        if not code:
            return start_login()
        return token
    """
    assert bm009(code) == [(8, 12)]


def test_a_subscript_in_a_condition_still_raises() -> None:
    code = """
    from django.shortcuts import redirect

    def oauth_callback(request):
        if request.GET["code"]:
            return redirect("/home")
    """
    assert bm009(code) == [(5, 8)]


def test_every_found_example_passes_the_prefilter() -> None:
    spec = CATALOG.rules["BM009"]
    prefilter = Prefilter(CATALOG)
    for example in spec.found:
        assert prefilter.candidates(example.code.encode(), frozenset({"BM009"})) == {"BM009"}, example.code


def test_a_required_parameter_is_shown_without_its_comma() -> None:
    code = """
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/callback")
    async def callback(code: str, state: str):
        return await exchange_token(code, state)
    """
    source = SourceText(textwrap.dedent(code), "utf-8")
    (finding,) = lint_source(source, "app.py", CATALOG, LintRequest(codes=frozenset({"BM009"})))
    assert finding.message.startswith("'code: str' assumes")
