"""The HTML audit report: content, secrets, hostile input, and a real browser.

The browser tests drive the system Chromium through Playwright (never a
downloaded browser). Without Chromium they skip, except on CI, where a
missing browser is a broken setup and fails them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from banno_migrate.redaction import MASK, redact, redact_marked

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
COMMAND = str(Path(sys.executable).parent / "banno-migrate")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

HOSTILE = "</script><img src=x onerror=alert(1)>"
# A directory and a file whose joined path reads <script>alert(1)</script><img ...>.py
HOSTILE_DIR, HOSTILE_FILE = "<script>alert(1)<", "script><img src=x onerror=alert(1)>.py"
HOSTILE_SOURCE = f'''\
TOKEN_URL = "https://bank.example.com/a/consumer/api/oidc/token?next={HOSTILE}"
SCOPE = "openid banno"  # "{HOSTILE}" \u202e reads backwards
'''

JWT_HEADER = "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3Qta2V5In0"
JWT_PAYLOAD = "eyJpc3MiOiJodHRwczovL3d3dy5iYW5uby5jb20iLCJzdWIiOiJmaXh0dXJlIn0"
JWT_SIGNATURE = "c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1sZWFr"
SECRETS = {
    "client secret literal": "s3cr3t-client-literal-9f2c",
    "environment default": "dev-env-default-7b1e",
    "bearer token": "8fJk2LmQ9xZr4TnWb7Vc",
    "password in a URL": "url-pass-5d3a",
    "client secret in a query": "query-secret-0c8e",
    "JWT header": JWT_HEADER,
    "JWT payload": JWT_PAYLOAD,
    "JWT signature": JWT_SIGNATURE,
}
# Every secret sits on a line with a finding, or right next to one.
SECRET_SETTINGS = f'''\
import os

import requests

CLIENT_SECRET = os.environ.get("BANNO_CLIENT_SECRET", "{SECRETS["environment default"]}")
TOKEN_URL = "https://rewards:{SECRETS["password in a URL"]}@bank.example.com/a/consumer/api/oidc/token?client_secret={SECRETS["client secret in a query"]}"
HEADERS = {{"Authorization": "Bearer {SECRETS["bearer token"]}"}}
requests.post(TOKEN_URL, data={{"client_secret": "{SECRETS["client secret literal"]}", "scope": "openid banno"}})
'''
SECRET_FIXTURE = f'''\
ID_TOKEN = "{JWT_HEADER}.{JWT_PAYLOAD}.{JWT_SIGNATURE}"; ISSUER = "https://www.banno.com/a/consumer/api/oidc"
'''


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def report(cwd: Path, *args: str) -> str:
    result = run(cwd, "report", ".", "--html", "report.html", *args)
    assert result.returncode == 0, result.stderr
    return (cwd / "report.html").read_text(encoding="utf-8")


def finding_ids(page_html: str) -> list[str]:
    return re.findall(r'<article class="finding [^"]*" id="(finding-\d+)"', page_html)


def copy_example(directory: Path) -> Path:
    project = directory / "legacy-app"
    shutil.copytree(REPO / "examples" / "legacy-app", project)
    return project


@dataclass(frozen=True)
class Example:
    """The bundled example's report and JSON, from one scan shared by the tests that only read them."""

    directory: Path
    html: str
    findings: list[dict[str, Any]]
    summary: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.directory / "report.html"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    project = copy_example(tmp_path_factory.mktemp("example"))
    page = report(project, "--json", "report.json")
    document = json.loads((project / "report.json").read_text(encoding="utf-8"))
    return Example(project, page, document["findings"], document["summary"])


@pytest.fixture()
def hostile_project(tmp_path: Path) -> Path:
    try:
        (tmp_path / HOSTILE_DIR).mkdir()
        (tmp_path / HOSTILE_DIR / HOSTILE_FILE).write_text(HOSTILE_SOURCE, encoding="utf-8")
    except OSError:  # a file system without '<' and '>' in names: the source line still carries the payload
        (tmp_path / "hostile.py").write_text(HOSTILE_SOURCE, encoding="utf-8")
    return tmp_path


# Redaction


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('CLIENT_SECRET = "abc"', f'CLIENT_SECRET = "{MASK}"'),
        ("client_secret='abc', token_url='https://h/oidc/token'", f"client_secret='{MASK}', token_url='https://h/oidc/token'"),
        ('{"client_secret": "abc", "scope": "openid"}', f'{{"client_secret": "{MASK}", "scope": "openid"}}'),
        ('S = os.environ.get("BANNO_CLIENT_SECRET", "dev")', f'S = os.environ.get("BANNO_CLIENT_SECRET", "{MASK}")'),
        ('SECRET_KEY = os.getenv("FLASK_SECRET_KEY", "dev")', f'SECRET_KEY = os.getenv("FLASK_SECRET_KEY", "{MASK}")'),
        ('os.environ["API_KEY"] = "k"', f'os.environ["API_KEY"] = "{MASK}"'),
        ('refresh_token: str = "r"', f'refresh_token: str = "{MASK}"'),
        ('PASSWORD = """pw"""', f'PASSWORD = """{MASK}"""'),
        ('if passwd == "pw": pass', f'if passwd == "{MASK}": pass'),
        ('{"X-Api-Key": "k"}', f'{{"X-Api-Key": "{MASK}"}}'),
        ('PRIVATE_KEY = b"pem"', f'PRIVATE_KEY = b"{MASK}"'),
        ('URL = "https://h/token?client_id=a&client_secret=b&x=1"', f'URL = "https://h/token?client_id=a&client_secret={MASK}&x=1"'),
        ('DSN = "postgresql://app:pw@db/rewards"', f'DSN = "postgresql://app:{MASK}@db/rewards"'),
        (f'T = "{JWT_HEADER}.{JWT_PAYLOAD}.{JWT_SIGNATURE}"', f'T = "{MASK}"'),
        ('H = {"Authorization": "Bearer 8fJk2LmQ9xZr4TnWb7Vc"}', f'H = {{"Authorization": "Bearer {MASK}"}}'),
        # Not secrets: names that merely start with a secret word, non-literal values, low-entropy words.
        ('TOKEN_URL = "https://h/a/consumer/api/oidc/token"', None),
        ('data={"grant_type": "refresh_token", "refresh_token": refresh_token}', None),
        ('id_token = token_response["id_token"]', None),
        ('params = {"response_type": "token", "scope": "openid banno"}', None),
        ('headers = {"Authorization": "Bearer " + access_token}', None),
        ('"Bearer authentication is described in RFC 6750"', None),
    ],
)
def test_redact(line: str, expected: str | None) -> None:
    assert redact(line) == (line if expected is None else expected)


@pytest.mark.parametrize(
    "line",
    ["token:" + " " * 20_000 + "x", "password = '" * 2_000, "a-" * 10_000 + "token", '("token", ' * 2_000, "?token=" * 3_000],
)
def test_redaction_of_a_hostile_line_takes_linear_time(line: str) -> None:
    started = time.perf_counter()
    redact(line)
    assert time.perf_counter() - started < 2  # backtracking would take minutes


def test_a_mark_moves_with_the_text_and_never_splits_a_mask() -> None:
    line = 'x = {"client_secret": "abcdef", "url": "https://h/oidc/token"}'
    shown, start, end = redact_marked(line, line.index("https"), line.index('"}'))
    assert shown[start:end] == "https://h/oidc/token"
    # A mark that starts inside the secret starts after its mask: no secret character is marked.
    shown, start, end = redact_marked(line, line.index("cdef"), line.index(", \"url"))
    assert shown[:start].endswith(MASK) and "cdef" not in shown


# The report's content


def test_report_shows_headline_chart_code_fix_and_rules(example: Example) -> None:
    page, findings, summary = example.html, example.findings, example.summary
    assert len(finding_ids(page)) == len(findings) > 0
    assert f"<dd>{len(findings)}</dd>" in page and f"<dd>{summary['files']}</dd>" in page
    assert f"<dd>{round(100 * summary['fixable'] / len(findings))}%</dd>" in page
    # One bar per rule found, labelled with its code.
    for code in summary["by_rule"]:
        assert re.search(rf'<text [^>]*class="bar-label">{code}</text>', page), code
        assert f'id="rule-{code}"' in page

    # The legacy token endpoint at settings.py:14: marked in its context, and its fix as before/after.
    assert '<span class="line" data-n="14" data-sign=" ">TOKEN_URL = BANNO_BASE + <mark>&#34;/oidc/token&#34;</mark></span>' in page
    assert re.search(r'<span class="line del" data-n="14" data-sign="−">TOKEN_URL = BANNO_BASE \+ &#34;/oidc/token&#34;</span>', page)
    assert re.search(r'<span class="line ins" data-n="14" data-sign="\+">TOKEN_URL = BANNO_BASE \+ &#34;/<ins>v0/</ins>oidc/token&#34;</span>', page)


def test_report_is_self_contained_and_locked_down(example: Example) -> None:
    page = example.html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style and "@import" not in style.group(1) and "url(" not in style.group(1)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta, "the report carries a Content-Security-Policy"
    policy = html.unescape(meta.group(1))
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    # Without JavaScript there is nothing to filter with, and every finding is shown.
    assert '<form id="filters" class="filters" hidden' in page
    assert not re.search(r'<article class="finding[^>]*\bhidden\b', page)


def test_report_marks_baselined_findings_and_counts_new_ones(tmp_path: Path) -> None:
    legacy_app = copy_example(tmp_path)
    assert run(legacy_app, "check", "--write-baseline", "baseline.json").returncode == 0
    settings = legacy_app / "legacy_app" / "settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + 'EXTRA_SCOPE = "openid banno"\n', encoding="utf-8")

    page = report(legacy_app, "--baseline", "baseline.json", "--json", "report.json")
    summary = json.loads((legacy_app / "report.json").read_text(encoding="utf-8"))["summary"]
    assert summary["findings"] == 1 and summary["baselined"] > 0
    assert len(re.findall(r'<article class="finding [^"]*is-baselined', page)) == summary["baselined"]
    assert len(finding_ids(page)) == summary["findings"] + summary["baselined"]
    assert "<dt>New findings</dt>\n      <dd>1</dd>" in page
    assert f"<dt>Baselined</dt>\n      <dd>{summary['baselined']}</dd>" in page


def test_report_lists_files_that_could_not_be_checked(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    SCOPE = 'openid banno'\n", encoding="utf-8")
    page = report(tmp_path)
    assert "Files that could not be checked" in page and "broken.py</span>: cannot parse" in page
    assert "No findings" in page


# Secrets and hostile input


def test_secrets_never_reach_any_output(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(SECRET_SETTINGS, encoding="utf-8")
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "tokens.py").write_text(SECRET_FIXTURE, encoding="utf-8")

    # SARIF and JSON come from `report`: the same renderers as `check --format`, one scan fewer.
    outputs = {f"check --format {fmt}": run(tmp_path, "check", "--format", fmt).stdout for fmt in ("text", "github")}
    assert all(outputs.values())
    outputs["report --html"] = report(tmp_path, "--sarif", "report.sarif", "--json", "report.json")
    outputs["report --sarif"] = (tmp_path / "report.sarif").read_text(encoding="utf-8")
    outputs["report --json"] = (tmp_path / "report.json").read_text(encoding="utf-8")

    findings = json.loads(outputs["report --json"])["findings"]
    assert {(f["path"], f["line"]) for f in findings} >= {("settings.py", 6), ("settings.py", 8), ("tests/fixtures/tokens.py", 1)}
    for output_name, output in outputs.items():
        for secret_name, secret in SECRETS.items():
            assert secret not in output, f"the {secret_name} leaks into {output_name}"
    # The lines were shown, masked: redaction is what kept them out (the JWT's three parts are one mask).
    assert outputs["report --html"].count(MASK) >= len(SECRETS) - 2


def test_hostile_code_and_file_names_are_text(hostile_project: Path) -> None:
    page = report(hostile_project)
    assert len(finding_ids(page)) == 2
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert page.count("<script") == 1 and page.count("</script>") == 1  # the report's own
    assert html.escape(HOSTILE, quote=False) in page
    assert "\u202e" not in page and "⟨U+202E⟩ reads backwards" in page  # no Trojan Source


# In a real browser


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if shutil.which("chromium") is None:
        return "headless Chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing_browser()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Loaded:
    """A report open in the browser, with what it did: console errors, dialogs, requests."""

    page: Any
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_report(browser: Any, path: Path, *, javascript: bool = True) -> Loaded:
    context = browser.new_context(viewport={"width": 1280, "height": 1600}, java_script_enabled=javascript)
    loaded = Loaded(context.new_page())
    loaded.page.on("console", lambda message: message.type == "error" and loaded.problems.append(message.text))
    loaded.page.on("pageerror", lambda error: loaded.problems.append(str(error)))
    loaded.page.on("dialog", lambda dialog: (loaded.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    loaded.page.on("request", lambda request: loaded.requests.append(request.url))
    loaded.page.goto(path.as_uri())
    return loaded


def visible_findings(page: Any) -> list[str]:
    return page.eval_on_selector_all(".finding", "nodes => nodes.filter(n => n.offsetParent !== null).map(n => n.dataset.rule)")


def test_example_report_in_chromium(browser: Any, example: Example) -> None:
    expected = example.findings
    loaded = open_report(browser, example.path)
    page = loaded.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"))
    page.screenshot(path=str(ARTIFACTS / "html-report-full.png"), full_page=True)

    assert page.locator(".finding").count() == len(expected)
    assert sorted(visible_findings(page)) == sorted(f["rule"] for f in expected)
    assert page.locator("#filters").is_visible()
    assert page.locator(".chart svg").count() == 2

    rule = expected[0]["rule"]
    page.select_option("#filters select[name=rule]", rule)
    assert visible_findings(page) == [f["rule"] for f in expected if f["rule"] == rule]
    assert page.locator("#filter-status").inner_text() == f"Showing {len(visible_findings(page))} of {len(expected)} findings"
    hidden_files = {f["path"] for f in expected} - {f["path"] for f in expected if f["rule"] == rule}
    for path in hidden_files:
        assert not page.locator(f'section.file[data-file="{path}"]').is_visible()
    page.screenshot(path=str(ARTIFACTS / "html-report-filtered.png"))

    page.click("#filters button[type=reset]")
    # The page re-applies the filters just after the reset event: wait for it (up to 5 s), don't race it.
    from playwright.sync_api import expect

    expect(page.locator("#filter-status")).to_have_text(f"Showing {len(expected)} of {len(expected)} findings")
    assert len(visible_findings(page)) == len(expected)
    page.pdf(path=str(ARTIFACTS / "html-report.pdf"))  # the print stylesheet, as a reader would print it
    assert loaded.problems == []  # a CSP violation or a script error would show here
    assert loaded.requests == [example.path.as_uri()]  # nothing fetched


def test_report_without_javascript_shows_everything(browser: Any, example: Example) -> None:
    page = open_report(browser, example.path, javascript=False).page
    assert not page.locator("#filters").is_visible()
    assert len(visible_findings(page)) == len(example.findings)


def test_hostile_input_stays_text_in_chromium(browser: Any, hostile_project: Path) -> None:
    report(hostile_project)
    loaded = open_report(browser, hostile_project / "report.html")
    assert loaded.page.locator("img").count() == 0
    assert loaded.page.locator("script").count() == 1
    assert HOSTILE in loaded.page.locator(".finding").first.inner_text()
    if (hostile_project / HOSTILE_DIR).exists():
        assert loaded.page.locator(".file-title .path").inner_text() == f"{HOSTILE_DIR}/{HOSTILE_FILE}"
    assert loaded.problems == []
