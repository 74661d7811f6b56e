"""The dashboard in a real browser (Debian chromium driven by Playwright), as a student uses it.

One server for the module, started with ``tenseki dashboard`` on a free loopback port and
stopped by its PID; the tests walk many page states in few pages. The page must load with no
page error, no console warning and no request leaving the computer (it works offline); open on
today's Japan; take every preset with every second policy, every slider at its bounds and
Reset / Apply / Play in any order without a traceback (an error is one sentence); keep Step,
Play and the story above the fold on a laptop and every chart inside its card; switch to
Japanese and back; leave a tab before its charts have drawn; and keep two tabs' runs apart.
Screenshots go to ``test-artifacts/`` (``TENSEKI_TEST_ARTIFACTS``), and with ``TENSEKI_UPDATE_SCREENSHOT=1`` to ``docs/``
(``dashboard_1366x768.png``, ``dashboard_1920x1080.png``). Timings are written there too
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

from dashboards.strings import text  # noqa: E402
from sim.scenario import SHIPPED, load_scenario  # noqa: E402

LABEL = {name: text("en", f"preset.{name}") for name in SHIPPED}
SLIDERS = {  # lever group -> slider labels (without the value the page appends)
    "Job change (tenseki)": ("Waiting period (months)", "Cost sharing (yen)"),
    "Stay and path to SSW": ("Maximum stay as trainee (months)",),
    "Supervision": ("Supervisory independence", "Bodies run by officers tied to member firms", "Audit effort (audits a month per firm)"),
    "Run: scale and seed": ("Seed (the run's luck)",),
}


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


def _clean(tab: Watched) -> None:
    assert tab.broken() is None, f"a traceback reached the page: {tab.broken()}"
    assert tab.errors == [], f"page errors: {tab.errors}"
    assert tab.outside == [], f"the page asked for files outside this computer: {tab.outside}"
    assert tab.failed == [], f"requests that failed: {tab.failed}"
    assert tab.warnings == [], f"console warnings: {tab.warnings[:5]}"


def _story(tab: Watched) -> str:
    return tab.page.locator(".tenseki-story").inner_text()


def test_a_student_session(server, browser):
    url, process = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = Watched(browser, url)
    timings = {"first_open_s": tab.open()}
    # Today first: the reform from today's trainees (the state the history run reaches at the end
    # of the latest data), the calendar and the switch in April 2027, months ahead.
    today = load_scenario("esd_transition")
    month_zero = today.run.start - 1
    ahead = today.policy.stay.esd_from.months_since(today.run.start) + 1
    assert "ESD from April 2027" in _story(tab) and f"in {ahead} months" in _story(tab)
    assert tab.page.locator(f"text=/^Month 0: {month_zero}/").count()
    figures = _headline(tab)
    assert "TITP " in figures and ", ESD 0" in figures, "today's trainees are TITP trainees"
    for _ in range(ahead - 1):
        tab.step()
    assert "in 1 month" in _story(tab)
    tab.step()
    assert "Since April 2027" in _story(tab)

    # A preset fills the levers and starts a new run, and says what it assumes.
    tab.pick("Preset", "TITP today")
    tab.page.locator(".tenseki-story", has_text="TITP stays as it is").wait_for()
    assert tab.month() == 0
    # A lever (folded under its topic): allow job change at any time; Apply starts a run with it.
    tab.unfold("Job change (tenseki)")
    tab.pick("Job change (tenseki)", "at any time (free)")
    tab.page.get_by_text("Levers changed").first.wait_for()
    tab.page.locator(".tenseki-apply").click()
    tab.page.get_by_text("Levers changed").first.wait_for(state="detached")
    assert tab.month() == 0

    figures_before, chart_before = _headline(tab), _chart_png(tab)
    timings["step_s"] = [tab.step() for _ in range(4)]
    assert tab.month() == 4
    tab.page.wait_for_timeout(500)  # let the chart draw the new month
    assert _headline(tab) != figures_before, "the headline figures should change as months pass"
    assert "last 4 months" in _headline(tab)
    assert _chart_png(tab) != chart_before, "the status chart should change as months pass"
    assert "precomputed runs of the preset as shipped" in tab.page.locator(".tenseki-band-label").inner_text()

    # Comparison mode: a second policy on the same seed, in lockstep, in words, against the range of runs.
    tab.page.locator("label", has_text="Compare with another policy").click()
    card = tab.page.locator(".tenseki-compare")
    card.wait_for()
    words = card.inner_text()
    assert "TITP + your levers compared with TITP" in words
    assert "In this run, after 4 months" in words and "precomputed runs" in words and "People in Japan now" in words
    timings["step_compare_s"] = [tab.step() for _ in range(2)]
    tab.page.locator(".tenseki-compare", has_text="after 6 months").wait_for(timeout=10_000)

    # The map and the network, side by side for both policies.
    tab.page.get_by_role("tab", name="Map and network").click()
    for panel in (".tenseki-map", ".tenseki-network"):
        tab.page.locator(f"{panel} canvas, {panel} svg").nth(1).wait_for()
        assert tab.page.locator(panel).count() == 2, f"{panel}: one per policy when comparing"
        boxes = [tab.page.locator(panel).nth(i).bounding_box() for i in range(2)]
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5 and boxes[0]["x"] < boxes[1]["x"], f"{panel}: side by side"
    tab.pick("Colour by", "Mean monthly wage")
    tab.step()
    tab.page.get_by_role("tab", name="Glossary").click()
    tab.page.get_by_text("ikusei shūrō").first.wait_for()
    tab.page.get_by_role("tab", name="Charts").click()

    # A bad combination is one sentence, not a broken page: ESD allows at most 60 months.
    tab.pick("Preset", "ESD 2027")
    tab.page.locator(".tenseki-story", has_text="thought experiment").wait_for()
    tab.unfold("Stay and path to SSW")
    slider = tab.page.locator(".v-input", has=tab.page.locator("label", has_text="Maximum stay as trainee (months)")).get_by_role("slider")
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
    _clean(tab)
    assert process.poll() is None


def test_every_preset_with_every_second_policy(server, browser):
    """The class of bug of issue 21: a preset or second policy the page had no words for."""
    url, _ = server
    tab = Watched(browser, url)
    tab.open()
    tab.page.locator("label", has_text="Compare with another policy").click()
    tab.page.locator(".tenseki-compare").wait_for()
    for first in SHIPPED:
        tab.pick("Preset", LABEL[first])
        tab.page.locator(".tenseki-story", has_text=text("en", f"assumes.{first}")[:40]).wait_for()
        for second in SHIPPED:
            tab.pick("Second policy", LABEL[second])
            short = text("en", f"short.{second}")
            tab.page.locator(".tenseki-compare .v-card__title", has_text=short).wait_for()
            before = tab.month()
            tab.step()
            tab.page.locator(".tenseki-compare", has_text=f"after {before + 1} month").wait_for(timeout=10_000)
            assert tab.broken() is None, (first, second, tab.broken())
            assert tab.page.locator(".tenseki-error").count() == 0, (first, second, tab.page.locator(".tenseki-error").inner_text())
    _clean(tab)


def test_levers_at_their_bounds_and_buttons_in_any_order(server, browser):
    url, _ = server
    tab = Watched(browser, url)
    tab.open()
    for group, labels in SLIDERS.items():
        tab.unfold(group)
        for label in labels:
            for key in ("End", "Home"):
                if tab.month() == 0:
                    tab.step()  # so that a new run (month 0) is seen to start
                slider = tab.page.locator(".v-input", has=tab.page.locator("label", has_text=label)).get_by_role("slider")
                slider.focus()
                tab.page.keyboard.press(key)
                tab.page.wait_for_timeout(400)  # the slider sends its value when the key is let go
                tab.page.locator(".tenseki-apply").click()
                try:
                    tab.page.locator(".tenseki-error").or_(tab.page.locator("text=/^Month 0:/")).first.wait_for(timeout=15_000)
                except sync_api.Error:
                    tab.page.screenshot(path=str(ARTIFACTS / "lever_bounds_failed.png"))
                    raise AssertionError(f"{label} at {key}: neither a new run nor a message") from None
                assert tab.broken() is None, (label, key, tab.broken())
                errors = tab.page.locator(".tenseki-error")
                if errors.count():  # a value the rules refuse: one sentence (a line or two), not a traceback
                    assert len(errors.inner_text().splitlines()) <= 3, errors.inner_text()
                else:
                    tab.step()
        tab.pick("Preset", LABEL["esd_transition"])  # back to a valid run for the next group
    buttons = {name: tab.page.locator(f".tenseki-{name}") for name in ("play", "reset", "step", "apply")}
    for order in (("play", "reset", "play", "apply", "step"), ("step", "play", "play", "reset", "step"), ("play", "apply", "reset")):
        for name in order:
            if buttons[name].is_enabled():
                buttons[name].click()
            tab.page.wait_for_timeout(400)
            assert tab.broken() is None, (order, name, tab.broken())
    if tab.page.locator(".tenseki-play", has_text="Pause").count():
        buttons["play"].click()
    _clean(tab)


def test_laptop_layout_and_screenshots(server, browser):
    """At 1366x768 Step, Play and the story are above the fold; every chart fits its card."""
    url, _ = server
    for width, height in ((1366, 768), (1920, 1080)):
        tab = Watched(browser, url, viewport=(width, height))
        tab.open()
        for name in ("step", "play", "story"):
            box = tab.page.locator(f".tenseki-{name}").first.bounding_box()
            assert box and box["y"] + box["height"] <= height, f"{name} below the fold at {width}x{height}: {box}"
        assert tab.page.get_by_text("Render Interval").count() == 0 and tab.page.get_by_text("Use Threads").count() == 0
        tab.page.locator("label", has_text="Compare with another policy").click()
        tab.page.locator(".tenseki-compare").wait_for()
        for _ in range(12):
            tab.step()
        tab.page.wait_for_timeout(1500)
        cards = tab.page.locator(".tenseki-chart")
        for i in range(cards.count()):
            card = cards.nth(i).bounding_box()
            drawn = cards.nth(i).locator("canvas, svg").first.bounding_box()
            assert drawn["x"] >= card["x"] - 1 and drawn["x"] + drawn["width"] <= card["x"] + card["width"] + 1, \
                f"chart {i} overflows its card at {width}x{height}: {drawn} in {card}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = f"dashboard_{width}x{height}.png"
        tab.page.screenshot(path=str(ARTIFACTS / name))
        if os.environ.get("TENSEKI_UPDATE_SCREENSHOT"):
            tab.page.screenshot(path=str(ROOT / "docs" / name))
        _clean(tab)
        tab.page.close()


def test_japanese(server, browser):
    url, _ = server
    tab = Watched(browser, url)
    tab.open()
    tab.page.locator(".tenseki-language button", has_text="ja").click()
    tab.page.get_by_role("button", name="1か月進める").wait_for()
    tab.page.get_by_role("tab", name="グラフ").wait_for()
    tab.page.locator(".tenseki-chart canvas, .tenseki-chart svg").first.wait_for()
    assert "2027年4月から育成就労" in _story(tab)
    tab.page.get_by_role("button", name="1か月進める").click()
    tab.page.locator("text=/^1か月目/").first.wait_for()
    tab.page.get_by_role("tab", name="用語集").click()
    tab.page.get_by_text("監理団体").first.wait_for()
    assert "技能実習" in tab.page.locator(".tenseki-headline").inner_text()
    tab.page.locator(".tenseki-language button", has_text="en").click()
    tab.page.get_by_role("button", name="Step").wait_for()
    tab.page.get_by_role("tab", name="Glossary").wait_for()
    _clean(tab)


def test_charts_tab_left_before_its_charts_draw(server, browser):
    """A chart removed before vega has drawn it (the tab left at once, or the language switched,
    which makes the tabs anew) draws nothing and raises no page error (Solara's own chart widget
    read its removed element: "Cannot read properties of undefined (reading 'classList')")."""
    url, _ = server
    tab = Watched(browser, url)
    tab.open()
    tab.page.get_by_role("tab", name="Glossary").click()
    tab.page.get_by_text("supervisory body").first.wait_for()
    for _ in range(3):  # Charts, and Glossary again before the charts had their 100 ms to draw
        tab.page.evaluate("""() => {
            const tab = name => [...document.querySelectorAll('.v-tab')].find(t => t.textContent.trim() === name);
            tab('Charts').click();
            setTimeout(() => tab('Glossary').click(), 0);
        }""")
        tab.page.wait_for_timeout(1500)
    _clean(tab)


def test_a_lesson_predict_run_explain(server, browser):
    """Predict first: the prediction is kept on the chart beside this run and the precomputed runs."""
    url, _ = server
    tab = Watched(browser, url)
    tab.open()
    tab.page.get_by_role("tab", name="Lessons").click()
    lesson = tab.page.locator(".tenseki-lesson")
    lesson.get_by_text("What changes when trainees may change employer?").first.wait_for()
    assert "Set your prediction" in lesson.inner_text()
    slider = lesson.get_by_role("slider")
    slider.focus()
    for _ in range(5):
        tab.page.keyboard.press("ArrowRight")
    tab.page.wait_for_timeout(400)
    tab.page.locator(".tenseki-lesson-run").click()
    verdict = tab.page.locator(".tenseki-lesson-verdict")
    verdict.wait_for(timeout=60_000)
    assert "You predicted +5.0 %" in verdict.inner_text() and "precomputed runs range from" in verdict.inner_text()
    lesson.locator("canvas, svg").first.wait_for()
    assert "Things to notice" in lesson.inner_text() and "Try:" in lesson.inner_text()
    tab.pick("Lesson", "Why do rural employers fear ESD?")
    lesson.get_by_text("Set your prediction").wait_for()
    _clean(tab)


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
