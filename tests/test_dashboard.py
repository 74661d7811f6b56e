"""The dashboard's logic without a browser: levers, figures, the comparison's lockstep.

The page itself is tested in chromium (``test_dashboard_browser.py``).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sim
from sim.domain import FIELDS
from sim.scenario import SHIPPED, ScenarioError

pytest.importorskip("solara")

from dashboards import ensemble as ens  # noqa: E402
from dashboards import figures as fig  # noqa: E402
from dashboards import strings  # noqa: E402
from dashboards.geometry import prefecture_features  # noqa: E402
from dashboards.levers import LEVERS, Market, Settings, changes, levers_of, preset  # noqa: E402
from dashboards.offline import MAJOR_VERSION_NAMES, link_folder  # noqa: E402


@pytest.mark.parametrize("name", SHIPPED)
def test_a_preset_fills_the_levers_with_its_own_values(name):
    settings = Settings.of_preset(name)
    assert changes(name, dict(settings.levers)) == {}
    kwargs = settings.model_kwargs()
    assert kwargs == {"scenario": name, "seed": 1, "log_transfers": True, "run__scale": settings.scale}
    assert dict(settings.levers)["policy.transfer.regime"] == preset(name).policy.transfer.regime
    for lever in LEVERS:  # every preset value can be shown by its lever
        if lever.kind == "select":
            assert lever.choice_label(settings.lever(lever.key)) in lever.choice_labels(settings.lever(lever.key))


def test_moved_levers_reach_the_model_as_settings():
    settings = (Settings.of_preset("esd").with_lever("policy.transfer.waiting_months", 6)
                .with_lever("policy.transfer.waiting_months_by_field", False)
                .with_lever("policy.recruitment.broker_fee_cap_yen", 300_000))
    model = Market(**settings.model_kwargs())
    transfer = model.scenario.policy.transfer
    assert (transfer.waiting_months, transfer.waiting_months_by_field) == (6, {})
    assert model.scenario.policy.recruitment.broker_fee_cap_yen == 300_000
    assert levers_of(model.scenario)["policy.transfer.waiting_months"] == 6
    assert "Waiting period (months): 6" in settings.describe()


def test_a_bad_combination_is_a_readable_message():
    settings = Settings.of_preset("esd").with_lever("policy.stay.max_trainee_months", 72)
    with pytest.raises(ScenarioError) as caught:
        settings.model_kwargs()
    message = str(caught.value)
    assert "ESD is a programme of at most 60 months" in message
    assert "{" not in message, "the message should not quote a whole table"
    assert Settings.of_preset("titp").with_lever("policy.stay.max_trainee_months", 72).model_kwargs()  # TITP may
    with pytest.raises(ScenarioError, match="seed"):
        Settings("esd", Settings.of_preset("esd").levers, seed=-1).model_kwargs()


@pytest.mark.parametrize("what, value, words", [
    ("policy.transfer.waiting_months", 1000, "out of range; allowed: a whole number from 0 to 36"),
    ("policy.transfer.waiting_months", -1, "from 0 to 36"),
    ("policy.transfer.waiting_months", "abc", "policy.transfer.waiting_months = 'abc': out of range"),
    ("policy.transfer.waiting_months", 12.5, "a whole number"),
    ("policy.supervision.independence_mean", 1.5, "a number from 0 to 1"),
    ("policy.supervision.independence_mean", float("nan"), "a number from 0 to 1"),
    ("policy.supervision.independence_mean", "0.5", "a number from 0 to 1"),
    ("policy.transfer.same_field", "yes", "allowed: true or false"),
    ("policy.transfer.same_field", 1, "allowed: true or false"),
    ("policy.transfer.regime", "sometimes", "allowed: one of only in unavoidable cases"),
    ("policy.recruitment.broker_fee_cap_yen", 123, "allowed: one of no cap"),
    ("scale", "1.0", "run.scale = '1.0': allowed: one of 0.002"),
    ("scale", "abc", "run.scale = 'abc'"),
    ("seed", 10**9, "seed = 1000000000: allowed: a whole number from 0 to 99"),
    ("seed", "7", "seed = '7'"),
    ("nope", 1, "lever 'nope': not a lever"),
])
def test_every_value_from_the_page_is_checked_on_the_server(what, value, words):
    """A widget's value can be set to anything through the websocket: beyond a slider's range,
    text where a number is meant, a scale no menu offers. Each is refused with one line naming
    it and what is allowed (the page shows it; the draft keeps its last good value)."""
    from dashboards.levers import received

    settings = Settings.of_preset("esd")
    with pytest.raises(ScenarioError) as caught:
        received(settings, what, value)
    assert words in str(caught.value) and "\n" not in str(caught.value), str(caught.value)


def test_good_values_from_the_page_are_taken():
    from dashboards.levers import received

    settings = Settings.of_preset("esd")
    assert received(settings, "policy.transfer.waiting_months", 24).lever("policy.transfer.waiting_months") == 24
    assert received(settings, "scale", "0.01").scale == 0.01
    assert received(settings, "seed", 5).seed == 5
    assert received(settings, "policy.transfer.metro_cap_share", None).lever("policy.transfer.metro_cap_share") is None


def test_a_scale_beyond_the_memory_is_refused_at_apply(monkeypatch):
    """The page's run is checked for memory as 'tenseki run' is."""
    monkeypatch.setattr("sim.memory.available_memory_bytes", lambda: 1e6)
    with pytest.raises(ScenarioError, match="needs about .* of memory"):
        Settings.of_preset("esd").model_kwargs()


@pytest.fixture(scope="module")
def pair():
    model = Market(**Settings.of_preset("esd", scale=0.003).model_kwargs())
    model.run(13)
    twin = fig.Twin("titp")
    return model, twin, twin.follow(model)


def test_the_comparison_runs_in_lockstep_on_the_same_seed(pair):
    model, twin, second = pair
    assert (second.months_run, second.seed, second.scale) == (13, model.seed, model.scale)
    assert second.scenario.name == "titp"
    alone = sim.LabourMarket("titp", seed=model.seed, run__scale=model.scale, run__months=model.scenario.run.months)
    alone.run(13)
    assert alone.results().equals(second.results()), "the twin must be the same run as titp on its own"
    model.step()
    assert twin.follow(model).months_run == 14 and twin.follow(model) is second
    restarted = Market(**Settings.of_preset("esd", scale=0.003).model_kwargs())  # a Reset
    assert twin.follow(restarted).months_run == 0 and twin.model is not second


def test_figures_and_words(pair):
    model, twin, second = pair
    a = fig.with_derived(model.results(), model.calendar)
    b = fig.with_derived(second.results(), second.calendar)
    shown = {f.label: f for f in fig.headline(a)}
    assert shown["Trainees who disappeared"].note == "last 12 months"
    year = a[a["month"] >= 1].tail(12)
    assert shown["Trainees who disappeared"].value == f"{year['disappearances_trainee'].sum():,.0f}"
    words = fig.compare_in_words(a, b, "ESD", "TITP")
    assert any("disappearances of trainees" in w and "ESD" in w and "TITP" in w for w in words)
    assert any("none under TITP" in w for w in words)  # TITP has no voluntary job changes of trainees
    assert fig.compare_in_words(a.head(1), b.head(1), "ESD", "TITP")[0].startswith("Press Step")
    for spec in (fig.status_chart({"ESD": a, "TITP": b}), fig.flows_chart({"ESD": a}), fig.wage_chart({"ESD": a, "TITP": b}),
                 fig.debt_chart({"ESD": a}, "ja")):
        assert "values" in str(spec)[:100_000] and "'name': 'series'" not in str(spec)
        assert "$schema" not in spec, "Altair's schema version made the browser warn for every chart"


def test_the_comparison_says_how_many_precomputed_runs_agree(pair):
    """One noisy run is not told as fact: each count is followed by the ensemble's verdict."""
    model, _, second = pair
    ensemble = ens.shipped()
    assert ensemble is not None, "dashboards/data/ensemble.* missing: python scripts/dashboard_ensemble.py"
    a = fig.with_derived(model.results(), model.calendar)
    b = fig.with_derived(second.results(), second.calendar)
    words = fig.compare_in_words(a, b, "ESD", "TITP", "en", ensemble, ("esd", "titp"))
    months = int(min(a["month"].max(), b["month"].max()))  # 13, or 14 after the lockstep test's extra step
    fewer, more, runs = ensemble.runs_fewer_more("esd", "titp", "disappearances_trainee", months)
    assert runs == ensemble.seeds == len(ens.SEEDS)
    told = [w for w in words if w.startswith(f"In {runs} precomputed runs")]
    assert len(told) == 2 and f"fewer disappearances of trainees in {fewer}, more in {more}" in told[0]
    assert any(w.startswith("In this run") for w in words)
    assert "No precomputed runs reach" in fig.compare_in_words(a, b, "ESD", "TITP", "en", ensemble, ("esd", "nope"))[1]
    japanese = fig.compare_in_words(a, b, "育成就労", "技能実習", "ja", ensemble, ("esd", "titp"))
    assert len(japanese) == len(words) and all("{" not in w for w in japanese)


def test_the_ensemble_is_labelled_and_made_by_its_script():
    ensemble = ens.shipped()
    meta = json.loads(ens.META_PATH.read_text())
    assert meta["command"].startswith("python scripts/dashboard_ensemble.py") and meta["date"] and meta["commit"]
    assert set(meta["presets"]) == set(SHIPPED) and ensemble.scale == meta["scale"] and ensemble.months == meta["months"]
    band = ensemble.band("esd_transition", fig.STATUS_SERIES, 24)
    assert set(band["column"]) == set(fig.STATUS_SERIES) and band["month"].max() == 24
    assert (band["low"] <= band["high"]).all()
    runs = ensemble.table[(ensemble.table["preset"] == "esd_transition") & (ensemble.table["month"] == 24)]["stock_esd"]
    row = band[(band["column"] == "stock_esd") & (band["month"] == 24)].iloc[0]
    assert row["low"] == pytest.approx(runs.quantile(0.1)) and row["high"] == pytest.approx(runs.quantile(0.9))


def test_the_map_has_47_prefectures_and_the_network_a_readable_sample(pair):
    model, _, _ = pair
    by_pref = model.results(by="prefecture")
    features = prefecture_features()
    assert len(features) == 47 and [f["id"] for f in features] == list(range(1, 48))
    for measure in fig.MAP_MEASURES:
        values = fig.map_values(by_pref, measure)
        assert list(values.index) == list(model.geo.name)
        spec = fig.map_chart(values, measure)
        assert len(spec["data"]["values"]) == 47
    japanese = fig.map_chart(fig.map_values(by_pref, "Mean monthly wage"), "Mean monthly wage", "ja")
    assert [f["properties"]["name"] for f in japanese["data"]["values"]][12] == "東京都" == strings.PREFECTURES_JA[12]
    assert list(model.geo.name)[12] == "Tokyo"
    workers = fig.map_values(by_pref, "Workers (people in the prefecture)")
    assert math.isclose(workers.sum(), model.results()["stock_total"].iloc[-1], rel_tol=1e-9)
    assert fig.map_values(by_pref, "Net moves in, last 12 months").sum() == pytest.approx(0.0, abs=1e-6)
    sample = fig.network_sample(model)
    assert 0 < len(sample.bodies) <= 5 and 0 < len(sample.firms) <= 45
    assert set(model.firms.supervisory_body[sample.firms]) <= set(sample.bodies.tolist())
    spec = fig.network_chart(model, sample, "field")
    firms_layer = spec["layer"][1]["data"]["values"]
    assert {f["workers"] for f in firms_layer} == {int(model.firms.headcount[f]) for f in sample.firms}
    japanese = fig.network_chart(model, sample, "field", "ja")  # fields and labels in the page's language
    ja_fields = {strings.JA[f"field.{name}"] for name in FIELDS}
    assert {f["field"] for f in japanese["layer"][1]["data"]["values"]} <= ja_fields
    assert all(f["label"].startswith("企業") for f in japanese["layer"][1]["data"]["values"])


def test_offline_assets_answer_to_the_names_the_charts_ask_for(tmp_path):
    installed = tmp_path / "cdn"
    for name in ("vega@5.21.0", "vega@5.3.1", "vega-lite@5.2.0", "vega-embed@6.20.2", "requirejs@2.3.6"):
        (installed / name / "build").mkdir(parents=True)
        (installed / name / "build" / "x.js").write_text(name)
    folder = link_folder(installed, tmp_path / "linked")
    assert (folder / "vega@5" / "build" / "x.js").read_text() == "vega@5.21.0"  # the newest 5.x
    for name, major in MAJOR_VERSION_NAMES.items():
        assert (folder / f"{name}@{major}").exists()
    assert (folder / "requirejs@2.3.6" / "build" / "x.js").exists()
    assert link_folder(installed, folder) == folder  # again: nothing to do, no error


def test_every_shipped_scenario_is_a_preset_and_loads():
    """Every shipped scenario is a preset with its label, short name and assumptions in every language
    (a new scenario without them replaced the whole page with a KeyError)."""
    for name in SHIPPED:
        assert levers_of(preset(name))
        for lang, table in strings.STRINGS.items():
            for key in strings.scenario_keys(name):
                assert table.get(key), f"{lang}: no string {key!r} for the shipped scenario {name!r}"


def test_no_string_is_missing_in_either_language():
    assert strings.missing_keys() == {lang: set() for lang in strings.STRINGS}
    for lang, table in strings.STRINGS.items():  # every field of the model has its name (a new field fails here)
        assert all(table.get(f"field.{name}") for name in FIELDS), lang
    for lever in LEVERS:  # the levers' Japanese: label, explanation and one label per choice
        label, why, choices = strings.lever_text("ja", lever)
        assert label and why and len(choices) == len(lever.choices), lever.key
        assert strings.lever_text("en", lever)[0] == lever.label
    for lang in strings.STRINGS:  # every template fills with the values the page gives it
        assert "{" not in strings.text(lang, "month_heading", month=3, year=2027, month_of_year=6)
        assert strings.text(lang, "nonexistent key") == "nonexistent key"  # never an exception in the page


def test_the_strings_check_can_fail(monkeypatch):
    monkeypatch.setitem(strings.STRINGS, "ja", {k: v for k, v in strings.JA.items() if k != "step"})
    assert strings.missing_keys()["ja"] == {"step"}
    monkeypatch.setattr("dashboards.strings.scenario_keys", lambda name: (f"preset.{name}", f"nope.{name}"))
    assert not all(strings.STRINGS["en"].get(k) for k in strings.scenario_keys("titp"))

def test_a_lesson_measures_the_same_thing_in_this_run_and_in_the_precomputed_runs():
    from dashboards import lessons

    for lesson in lessons.LESSONS:
        ensemble = ens.shipped(lesson.ensemble_name)
        assert ensemble is not None, f"{lesson.ensemble_name}: python scripts/dashboard_ensemble.py (--long)"
        assert set(lesson.presets) <= set(ensemble.table["preset"]) and lesson.months <= ensemble.months
        runs = lesson.ensemble_values(ensemble)
        assert len(runs) == ensemble.seeds and np.isfinite(runs).all()
        assert lesson.low <= runs.min() and runs.max() <= lesson.high, f"{lesson.key}: the slider must span the runs"
        seed_1 = ensemble.table[(ensemble.table["seed"] == 1) & (ensemble.table["month"] <= lesson.months)]
        second = None if lesson.second is None else seed_1[seed_1["preset"] == lesson.second]
        alone = lesson.measure(seed_1[seed_1["preset"] == lesson.preset], second)
        assert alone == pytest.approx(runs[0])
        for lang in strings.STRINGS:
            words = lessons.verdict(runs[0] + 30, runs[0], runs, lesson, lang)
            assert "{" not in words
            assert "$schema" not in lessons.strip_chart(0.0, runs[0], runs, lesson, lang)
    mobility = lessons.LESSON_BY_KEY["mobility"]
    assert "too high" in lessons.verdict(50.0, -10.0, np.array([-20.0, -5.0]), mobility, "en")
    assert "outside" in lessons.verdict(50.0, -10.0, np.array([-20.0, -5.0]), mobility, "en")
    assert "close" in lessons.verdict(-10.5, -10.0, np.array([-20.0, -5.0]), mobility, "en")
