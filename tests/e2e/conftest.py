"""A real server and a real browser for portal flows.

`live_server` runs gunicorn on a fresh SQLite database in its own instance folder
(migrated, content loaded, demo accounts created), so
browser tests see exactly what `make run` serves. `browser_page` drives Debian's
chromium through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BIN = Path(sys.executable).parent


@dataclass
class LiveServer:
    url: str
    passwords: dict[str, str]
    env: dict[str, str]

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "flask"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-instance")
    port = _free_port()
    env = {
        **os.environ,
        "FLASK_APP": "pathways",
        "PATHWAYS_INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'pathways.db'}",
        "PATHWAYS_BASE_URL": f"http://127.0.0.1:{port}",
        "PATHWAYS_LOG_LEVEL": "WARNING",
        # The server imports this checkout's code, whichever checkout runs the tests.
        "PYTHONPATH": str(ROOT),
    }
    server = LiveServer(f"http://127.0.0.1:{port}", {}, env)
    server.flask("db", "upgrade")
    server.flask("pathways", "load-content", str(ROOT / "content"))
    server.flask("pathways", "demo")
    for line in (instance / "demo_accounts.txt").read_text().splitlines():
        email, password = line.split(" ", 1)
        server.passwords[email] = password
    log_path = instance / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--no-control-socket",  # several servers may run on one machine
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "pathways:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start: " + log_path.read_text()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI: `make test` installs it")
        pytest.skip("Debian's chromium is not installed (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets axe-core's script run; the pages themselves load no external scripts.
    context = browser.new_context(bypass_csp=True, locale="en-CA")
    tab = context.new_page()
    yield tab
    context.close()


def serious_axe_violations(page) -> list[str]:
    """axe-core (shipped in the axe-playwright-python wheel) run on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]


def sign_in(page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(server.passwords[email])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/dashboard")


if shutil.which("gunicorn", path=str(BIN)) is None:  # pragma: no cover - install is broken
    raise RuntimeError("gunicorn is not installed in this environment")
