"""The dashboard in a real browser (Debian chromium driven by Playwright), as a student uses it.

One server for the module, started with ``tenseki dashboard`` on a free loopback port and
stopped by its PID. The page must load with no page error and no request leaving the computer
(it works offline), take a preset and a lever, step, compare two policies, draw the map and the
network, show a bad lever as a message, and keep two tabs' runs apart. Screenshots go to
``test-artifacts/`` (``TENSEKI_TEST_ARTIFACTS``); the page's timings are written there too
(figures, not assertions: ``benchmarks/dashboard.py`` reports them).
"""

from __future__ import annotations

import json
import os

import pytest

from browser import ARTIFACTS, CHROMIUM, ROOT, Watched, free_port, launch, start_dashboard, stop, wait_until_serving

pytest.importorskip("solara")
sync_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = start_dashboard(port)
    try:
        wait_until_serving(process, port)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        stop(process)
    assert process.poll() is not None, "the server should be stopped"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def _headline(tab: Watched) -> str:
    return " | ".join(tab.page.locator(".tenseki-figure").all_inner_texts())


def _chart_png(tab: Watched, attempts: int = 10) -> bytes:
    """A screenshot of the first chart. The chart library replaces its canvas when it redraws, so
    a screenshot taken during a redraw finds its element detached: then wait and take it again."""
    for attempt in range(attempts):
        try:
            return tab.page.locator(".tenseki-chart canvas, .tenseki-chart svg").first.screenshot(timeout=10_000)
        except sync_api.Error as exc:
            if "not attached" not in str(exc) and "detached" not in str(exc) or attempt == attempts - 1:
                raise
            tab.page.wait_for_timeout(200)
    raise AssertionError("unreachable")


def test_a_student_session(server, browser):
    url, process = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = Watched(browser, url)
    timings = {"first_open_s": tab.open()}
    assert "tenseki: ESD 2027" in tab.page.title() or tab.page.get_by_text("tenseki: ESD 2027").count()

    # A preset fills the levers and starts a new run.
    tab.pick("Preset", "TITP today")
    tab.page.get_by_text("tenseki: TITP today (status quo)").first.wait_for()
    # A lever: allow job change at any time; Apply starts a run with it.
    tab.pick("Job change (tenseki)", "at any time (free)")
    tab.page.get_by_text("Levers changed").first.wait_for()
    tab.page.locator(".tenseki-apply").click()
    tab.page.get_by_text("with Job change (tenseki): at any time (free)").first.wait_for()
    assert tab.month() == 0

    figures_before, chart_before = _headline(tab), _chart_png(tab)
    timings["step_s"] = [tab.step() for _ in range(4)]
    assert tab.month() == 4
    tab.page.wait_for_timeout(500)  # let the chart draw the new month
    assert _headline(tab) != figures_before, "the headline figures should change as months pass"
    assert "last 4 months" in _headline(tab)
    assert _chart_png(tab) != chart_before, "the status chart should change as months pass"

    # Comparison mode: a second policy on the same seed, in lockstep, described in words.
    tab.page.locator("label", has_text="Compare with another policy").click()
    card = tab.page.locator(".tenseki-compare")
    card.wait_for()
    text = card.inner_text()
    assert "TITP + your levers compared with ESD" in text
    assert "after 4 months" in text and "People in Japan now" in text
    timings["step_compare_s"] = [tab.step() for _ in range(2)]
    tab.page.locator(".tenseki-compare", has_text="after 6 months").wait_for(timeout=10_000)

    # The map and the network are drawn; the map's measure can be changed.
    tab.page.get_by_role("tab", name="Map and network").click()
    for panel in (".tenseki-map", ".tenseki-network"):
        drawn = tab.page.locator(f"{panel} canvas, {panel} svg").first
        drawn.wait_for()
        box = drawn.bounding_box()
        assert box["width"] > 200 and box["height"] > 200, f"{panel} should be drawn"
    tab.pick("Colour by", "Mean monthly wage")
    tab.step()
    tab.page.get_by_role("tab", name="Glossary").click()
    tab.page.get_by_text("ikusei shūrō").first.wait_for()
    tab.page.get_by_role("tab", name="Charts").click()

    # A bad combination is a message, not a broken page: ESD allows at most 60 months.
    tab.pick("Preset", "ESD 2027")
    tab.page.get_by_text("tenseki: ESD 2027 (as legislated)").first.wait_for()
    slider = tab.page.locator(".v-input", has=tab.page.locator("label:text-is('Maximum stay as trainee (months)')")).get_by_role("slider")
    slider.focus()
    tab.page.keyboard.press("End")
    tab.page.get_by_text("Levers changed").first.wait_for()
    tab.page.locator(".tenseki-apply").click()
    error = tab.page.locator(".tenseki-error")
    error.wait_for()
    assert "ESD is a programme of at most 60 months" in error.inner_text()
    assert tab.step() > 0  # the page still runs (the last good run)

    tab.page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
    (ARTIFACTS / "dashboard_timing.json").write_text(json.dumps(timings, indent=1))
    print("dashboard timings (s):", timings)
    assert tab.errors == [], f"page errors: {tab.errors}"
    assert tab.outside == [], f"the page asked for files outside this computer: {tab.outside}"
    assert tab.failed == [], f"requests that failed: {tab.failed}"
    assert process.poll() is None


def test_two_tabs_have_their_own_runs(server, browser):
    url, _ = server
    first, second = Watched(browser, url), Watched(browser, url)
    first.open()
    second.open()
    for _ in range(3):
        first.step()
    assert (first.month(), second.month()) == (3, 0)
    second.step()
    second.page.wait_for_timeout(300)
    first.page.wait_for_timeout(300)
    assert (first.month(), second.month()) == (3, 1), "a step in one tab must not step the other tab's model"
    first.step()
    assert (first.month(), second.month()) == (4, 1)
    assert first.errors == [] and second.errors == []


def test_readme_screenshot(server, browser):
    """The screenshot in docs/ for the README: ESD against TITP after two years."""
    url, _ = server
    tab = Watched(browser, url, viewport=(1440, 1500))
    tab.open()
    tab.page.locator("label", has_text="Compare with another policy").click()
    tab.page.locator(".tenseki-compare").wait_for()
    for _ in range(24):
        tab.step()
    tab.page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "dashboard_compare.png"))
    if os.environ.get("TENSEKI_UPDATE_SCREENSHOT"):
        tab.page.screenshot(path=str(ROOT / "docs" / "dashboard.png"))
    assert tab.errors == []
