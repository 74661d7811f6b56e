"""Helpers to drive the dashboard in a real browser: Debian's chromium, through Playwright.

``playwright install`` cannot download browsers here, so the tests use the system's chromium
(``.ci/run`` installs it with apt when ``/usr/bin/chromium`` is missing). Also used by
``benchmarks/dashboard.py`` to time the page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TENSEKI_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(port: int) -> subprocess.Popen:
    """``tenseki dashboard --port PORT`` on loopback; the server replaces the command, so its PID is the server's."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def wait_until_serving(server: subprocess.Popen, port: int, timeout_s: float = 240.0) -> float:
    """Seconds until the server answers on ``port`` (it loads the model's kernels first)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if server.poll() is not None:
            raise RuntimeError(f"the dashboard server stopped (exit code {server.returncode}):\n{server.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"the dashboard server did not answer on port {port} within {timeout_s:.0f} s")


def stop(server: subprocess.Popen) -> None:
    """Stop the server by its PID (SIGTERM, then SIGKILL)."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Watched:
    """A page with its page errors, failed requests and requests leaving this computer recorded."""

    def __init__(self, browser, base_url: str, viewport=(1500, 1100)) -> None:
        self.base_url = base_url
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.warnings: list[str] = []  # the browser console's warnings and errors
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.route("**/*", self._only_local)

    #: Console messages of Solara's own front end, not of the page (its Vue loader's notice).
    FRAMEWORK_NOTICES = ("Failed to evaluate Vue script and find module.exports",)

    def _console(self, message) -> None:
        if message.type in ("warning", "error") and not any(n in message.text for n in self.FRAMEWORK_NOTICES):
            self.warnings.append(f"{message.type}: {message.text}")

    def _only_local(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith(self.base_url.replace("http", "ws", 1)) or url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, timeout_ms: float = 120_000) -> float:
        """Load the page; seconds until Step can be pressed and the first chart is drawn."""
        started = time.perf_counter()
        self.page.goto(self.base_url)
        self.page.get_by_role("button", name="Step").wait_for(timeout=timeout_ms)
        self.page.locator(".tenseki-chart canvas, .tenseki-chart svg").first.wait_for(timeout=timeout_ms)
        return time.perf_counter() - started

    def month(self) -> int:
        text = self.page.locator("text=/^Month \\d+:/").first.inner_text()
        return int(text.split()[1].rstrip(":"))

    def step(self, timeout_ms: float = 30_000) -> float:
        """Press Step; seconds until the page shows the next month."""
        before = self.month()
        started = time.perf_counter()
        self.page.get_by_role("button", name="Step").click()
        try:
            self.page.locator(f"text=/^Month {before + 1}:/").first.wait_for(timeout=timeout_ms)
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / f"step_failed_month_{before}.png"))
            raise
        return time.perf_counter() - started

    def pick(self, label: str, option: str) -> None:
        """Choose ``option`` in the Vuetify select labelled ``label``."""
        self.page.locator(".v-select", has=self.page.locator(f"label:text-is('{label}')")).first.click()
        self.page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()
        self.page.locator(".menuable__content__active").wait_for(state="detached", timeout=5_000)

    def unfold(self, summary: str) -> None:
        """Open the folded section (``solara.Details``) whose summary is ``summary``, if closed."""
        header = self.page.locator(".v-expansion-panel-header", has_text=summary).first
        if "v-expansion-panel-header--active" not in (header.get_attribute("class") or ""):
            header.click()

    def broken(self) -> str | None:
        """A Python traceback shown in the page, if any (the page must show one sentence instead)."""
        shown = self.page.locator("text=/Traceback|most recent call last/")
        return shown.first.inner_text() if shown.count() else None
