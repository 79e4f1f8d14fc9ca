"""End-to-end fixtures: a real ``iop serve`` on a free local port, with a fresh
SQLite demo database in a temporary data directory, driven by a real headless
Chromium through Playwright's sync API.

No pytest-playwright plugin: the browser and the server are session fixtures
here. A browser that cannot be launched skips the e2e tests on a developer's
machine and fails them in CI (``CI=true``), so CI never goes green without
having run them.

On a failing test, a screenshot and the HTML of every open page are written to
``e2e/artifacts/`` (a directory that ignores itself in git).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

DEMO_PASSWORD = "demo-losen-2026"
SERVER_START_TIMEOUT = 30.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Generous for a loaded 2-core CI machine; Playwright's auto-waiting returns as
# soon as the condition holds, so this costs nothing when things go well.
expect.set_options(timeout=10_000)


# --------------------------------------------------------------------------- helpers


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _chromium_executable() -> str | None:
    """IOP_CHROMIUM if set, else Debian's Chromium if present, else None
    (Playwright's own bundled Chromium)."""
    override = os.environ.get("IOP_CHROMIUM", "").strip()
    if override:
        return override
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


def _iop_command() -> list[str]:
    beside = Path(sys.executable).parent / "iop"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("iop")
    if found:
        return [found]
    return [sys.executable, "-m", "web.console"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(ingen logg)"


# Loopback only: never let a proxy from the environment get in the way.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthz_ok(url: str) -> bool:
    try:
        with _NO_PROXY_OPENER.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


# --------------------------------------------------------------------------- hooks


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can see in their
    # teardown whether the test failed (for screenshots).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def mail_server() -> Iterator:
    """A real SMTP server (aiosmtpd) that the live server's mail is sent to."""
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_env(tmp_path_factory: pytest.TempPathFactory, mail_server) -> dict[str, str]:
    """The environment of the live server and of the commands run beside it."""
    data_dir = tmp_path_factory.mktemp("iop-data")
    env = os.environ.copy()
    env.pop("IOP_DATABASE_URL", None)  # SQLite in the data directory
    env.pop("IOP_SECURE_COOKIES", None)  # plain HTTP on loopback
    env["IOP_DATA_DIR"] = str(data_dir)
    env["IOP_SECRET_KEY"] = "e2e-secret"
    env["PYTHONUNBUFFERED"] = "1"
    env["IOP_SMTP_URL"] = mail_server.url
    return env


@pytest.fixture
def send_mail(live_env: dict[str, str]) -> Callable[[], None]:
    """Runs ``iop mail send`` once, as the compose file's mail service does in a loop."""

    def _send() -> None:
        subprocess.run([*_iop_command(), "mail", "send"], env=live_env, cwd=ROOT, check=True, capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)

    return _send


@pytest.fixture(scope="session")
def live_server(live_env: dict[str, str]) -> Iterator[str]:
    """Base URL (no trailing slash) of a real server with the demo data."""
    env = dict(live_env)
    data_dir = Path(env["IOP_DATA_DIR"])
    iop = _iop_command()

    demo = subprocess.run(
        [*iop, "demo"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )
    if demo.returncode != 0:
        pytest.fail(
            f"'iop demo' avslutades med kod {demo.returncode}:\n{demo.stdout}\n{demo.stderr}", pytrace=False
        )

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env["IOP_BASE_URL"] = base_url
    log_path = data_dir / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*iop, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"'iop serve' avslutades med kod {proc.returncode} innan den svarade:\n{_tail(log_path)}",
                    pytrace=False,
                )
            if _healthz_ok(f"{base_url}/healthz"):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"'iop serve' svarade inte 200 på /healthz inom {SERVER_START_TIMEOUT:.0f} s:\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium_executable()
    launch_kwargs: dict = {"headless": True, "args": CHROMIUM_ARGS}
    if executable:
        launch_kwargs["executable_path"] = executable
    playwright = None
    try:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(**launch_kwargs)
    except Exception as exc:  # noqa: BLE001 - any launch failure means the same thing here
        if playwright is not None:
            playwright.stop()
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        message = (
            f"Chromium kunde inte startas ({executable or 'Playwrights egen Chromium'}): {first_line}. "
            "Installera Debians chromium eller peka ut en webbläsare med IOP_CHROMIUM."
        )
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-150:]


def _save_artifacts(nodeid: str, contexts: list[BrowserContext]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    base = _safe_name(nodeid)
    for c, ctx in enumerate(contexts):
        for p, page in enumerate(ctx.pages):
            stem = ARTIFACTS / f"{base}-{c}-{p}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n{page.content()}", encoding="utf-8")
            except Exception:  # noqa: BLE001 - artifacts are best effort
                pass


@pytest.fixture
def new_page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Opens a page in a fresh browser context (its own cookies) on the live
    server; call it again for a second, independent user."""
    contexts: list[BrowserContext] = []

    def _open() -> Page:
        ctx = browser.new_context(base_url=live_server, locale="sv-SE", viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _open

    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        _save_artifacts(request.node.nodeid, contexts)
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """Signs in through the login form and waits until the browser has left it."""

    def _sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("E-postadress", exact=True).fill(email)
        page.get_by_label("Lösenord", exact=True).fill(password)
        page.get_by_role("button", name="Logga in", exact=True).click()
        expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))

    return _sign_in
