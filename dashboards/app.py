"""The students' dashboard: pick a policy, move its levers, press Play, see what happens and why.

    tenseki dashboard                  # http://127.0.0.1:8765
    solara run dashboards/app.py       # the same page

The page opens on today's Japan (``esd_transition``: the trainees here now finish under TITP,
new entrants come under ESD from April 2027) and says what each preset assumes. Step / Play /
Reset sit at the top of the page with the story; the levers are folded by topic in the
sidebar. Every count the comparison gives is set against a precomputed ensemble
(``dashboards.ensemble``), so one noisy run is not told as fact. Every word comes from
``dashboards.strings`` (English and Japanese, switchable in the page).

Mesa's ``SolaraViz`` is not used: its controls show Mesa's internals (render interval,
threads) to students and its layout put Step and Play below the levers; the page runs the
same ``sim.LabourMarket`` with its own three buttons.

One model per browser session: every model lives in the state of ``Page``, which Solara keeps
per browser tab (kernel); nothing at module level holds a model, so two tabs never step each
other's run. A per-session lock keeps Play's thread from stepping a model the page is reading.

No traceback reaches the page: a run that cannot start, a step that fails and a panel that
cannot be drawn each become one sentence in the page (``Guard``, ``one_sentence``).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import solara
import solara.lab

import sim
from dashboards import ensemble as ens
from dashboards import figures as fig
from dashboards import lessons
from dashboards.levers import LEVER_BY_KEY, SCALES, Lever, Market, Settings, received
from dashboards.offline import serve_offline
from dashboards.strings import DEFAULT_LANGUAGE, LANGUAGES, lever_text, text
from sim.dates import YearMonth
from sim.scenario import SHIPPED, ScenarioError

#: Today first: the reform as it will happen, from today's trainees (until a checkpoint of
#: today's state exists, the model's starting state is the latest counted stock).
DEFAULT_PRESET = "esd_transition"
DEFAULT_SECOND = "titp"
#: Milliseconds between months while playing.
PLAY_INTERVAL_MS = 150
SMALL = {"font-size": "0.8em", "color": "#555", "line-height": "1.25", "margin": "0 0 6px 0"}
#: The levers, folded by topic (sidebar sections; ``strings`` names them ``group_<topic>``).
LEVER_GROUPS = {
    "mobility": ("policy.transfer.regime", "policy.transfer.waiting_months", "policy.transfer.waiting_months_by_field",
                 "policy.transfer.same_field", "policy.transfer.metro_cap_share", "policy.transfer.reimbursement_yen"),
    "stay": ("policy.stay.max_trainee_months", "policy.stay.ssw1_path"),
    "supervision": ("policy.supervision.independence_mean", "policy.supervision.share_bodies_tied_officers",
                    "policy.supervision.audit_monthly"),
    "money": ("policy.recruitment.broker_fee_cap_yen",),
}
CSS = """
.v-navigation-drawer.solara-content-main{min-width:330px !important;max-width:330px !important;width:330px !important}
.v-navigation-drawer .v-select__selection{font-size:0.9em}
.tenseki-headline{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:4px}
.tenseki-figure{border:1px solid #e0e0e0;border-radius:4px;padding:2px 6px;line-height:1.2}
.tenseki-figure .tf-label{font-size:0.72em;color:#555}
.tenseki-figure .tf-value{font-size:1.1em;font-weight:bold}
.tenseki-figure .tf-note{font-size:0.65em;color:#777}
.tenseki-bar{position:sticky;top:0;z-index:5;background:white;padding:4px 0;border-bottom:1px solid #ddd}
.tenseki-chart .vega-embed{width:100%}
.tenseki-chart .vega-embed summary{display:none}
.tenseki-story p{margin:0 0 4px 0}
"""


def _warm_up() -> None:
    """Load the model's compiled kernels, the ensemble and the chart templates once, when the server starts.

    Without it the first visitor would wait seconds for numba and Altair to load; the tiny run
    is thrown away (no model is kept at module level).
    """
    if os.environ.get("TENSEKI_DASHBOARD_NO_WARMUP"):
        return
    tiny = sim.LabourMarket(DEFAULT_PRESET, seed=0, run__scale=0.0005, run__months=1)
    tiny.step()
    table = fig.with_derived(tiny.results(), tiny.calendar)
    ensemble = ens.shipped()
    if ensemble is not None:  # the bands and running totals, once per preset
        for name in SHIPPED:
            if ensemble.has(name):
                ensemble.band(name, fig.STATUS_SERIES, 0)
                for column in fig.COMPARED_COUNTS:
                    ensemble.totals(name, column, 0)
    for lang in LANGUAGES:
        for tables in ({"a": table}, {"a": table, "b": table}):
            fig.status_chart(tables, lang)
            fig.flows_chart(tables, lang)
            fig.wage_chart(tables, lang)
            fig.debt_chart(tables, lang)


serve_offline()
_warm_up()


def one_sentence(exc: BaseException) -> str:
    """An exception as one line for the page: its first line, without the Python class."""
    message = str(exc).strip().splitlines()
    return message[0] if message else type(exc).__name__


def preset_label(name: str, lang: str) -> str:
    return text(lang, f"preset.{name}")


def Md(content: str, style: dict | None = None, classes: list[str] | None = None):
    """Markdown turned into HTML on the server.

    ``solara.Markdown`` loads KaTeX (for formulas) from the CDN in the browser, which
    solara-assets does not ship; the page has no formulas, so it does without.
    """
    import markdown

    css = ";".join(f"{k}:{v}" for k, v in (style or {}).items())
    return solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(content), style=css, classes=classes or [])


class VegaLite(solara.widgets.VegaLite):
    """Solara's Vega-Lite widget with its front end (``vegalite.vue``) made safe against leaving the page.

    Solara's draws 100 ms after mounting, once vega has loaded (re-loaded for every chart), and then
    reads ``this.$refs.plotElement``: a chart removed meanwhile (the language switched, which makes
    the tabs anew, or a tab closed) raised "Cannot read properties of undefined (reading 'classList')"
    in the page. Ours cancels the pending draw when destroyed and draws nothing into a removed chart;
    its resize observer also waits for the view it resizes.
    """

    template_file = str(Path(__file__).with_name("vegalite.vue"))


@solara.component
def Chart(spec: dict):
    """A Vega-Lite chart (``dashboards.figures`` makes the specs, from templates checked once)."""
    return VegaLite.element(spec=spec, listen_to_click=False, listen_to_hover=False)


@solara.component
def Note(key: str, lang: str):
    with solara.Details(summary=text(lang, "what_am_i")):
        Md(text(lang, f"note.{key}"))


@solara.component
def Guard(lang: str, children: list | None = None):
    """Draws its children, or one sentence if drawing them failed (never a traceback)."""
    exception, clear = solara.use_exception()
    if exception is not None:
        solara.Error(text(lang, "error_prefix", error=one_sentence(exception)), classes=["tenseki-error"])
        solara.Button(text(lang, "ok"), on_click=clear, text=True)
        return
    solara.Column(children=children or [], style={"gap": "8px"})


# =============================================================================================
# Levers
# =============================================================================================
@solara.component
def LeverInput(lever: Lever, value, on_value, lang: str):
    label, why, choice_labels = lever_text(lang, lever)
    if lever.kind == "select":
        values = [v for _, v in lever.choices]
        labels = list(choice_labels)
        shown = next((labels[i] for i, v in enumerate(values) if lever.choice_label(v) == lever.choice_label(value)), None)
        if shown is None:  # a preset value not among the choices is shown as it is
            shown = lever.choice_label(value)
            labels = labels + [shown]
        # a label the page did not offer (sent by hand) goes on as it is, and is refused there
        solara.Select(label, value=shown, values=labels,
                      on_value=lambda picked: on_value(values[labels.index(picked)] if picked in labels[:len(values)]
                                                       else value if picked in labels else picked))
    elif lever.kind == "check":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    elif lever.kind == "int":
        solara.SliderInt(f"{label}: {int(value):,}", value=int(value), min=int(lever.low), max=int(lever.high),
                         step=int(lever.step), on_value=on_value)
    else:
        solara.SliderFloat(f"{label}: {float(value):g}", value=float(value), min=lever.low, max=lever.high,
                           step=lever.step, on_value=on_value)
    solara.Text(why, style=SMALL)


@solara.component
def LeverPanel(draft: solara.Reactive[Settings], applied: Settings, error: str | None, on_apply, on_preset, lang: str, on_value):
    """The preset, the levers, scale and seed. Each value received goes through ``on_value(what,
    value)``, which checks it on the server (``levers.received``) before the draft takes it."""
    s = draft.value
    labels = {preset_label(n, lang): n for n in SHIPPED}
    with solara.Card(text(lang, "policy"), margin=0):
        solara.Select(text(lang, "preset"), value=preset_label(s.preset, lang), values=list(labels),
                      on_value=lambda label: on_preset(labels.get(label, label)), classes=["tenseki-preset"])
        solara.Text(text(lang, "preset_help"), style=SMALL)
        for group, keys in LEVER_GROUPS.items():
            with solara.Details(summary=text(lang, f"group_{group}")):
                for key in keys:
                    LeverInput(LEVER_BY_KEY[key], s.lever(key), lambda v, key=key: on_value(key, v), lang)
        with solara.Details(summary=text(lang, "group_run")):
            solara.Select(text(lang, "scale"), value=str(s.scale), values=[str(x) for x in SCALES],
                          on_value=lambda v: on_value("scale", v))
            solara.Text(text(lang, "scale_help"), style=SMALL)
            solara.SliderInt(f"{text(lang, 'seed')}: {s.seed}", value=s.seed, min=0, max=99,
                             on_value=lambda v: on_value("seed", v))
        if not error and draft.value != applied:
            solara.Info(text(lang, "levers_changed"), dense=True)
        solara.Button(text(lang, "apply"), color="primary", on_click=on_apply, classes=["tenseki-apply"], block=True)
        Note("levers", lang)


@solara.component
def ComparePanel(enabled: solara.Reactive[bool], other: solara.Reactive[str], lang: str):
    labels = {preset_label(n, lang): n for n in SHIPPED}
    with solara.Card(text(lang, "comparison"), margin=0):
        solara.Checkbox(label=text(lang, "compare_check"), value=enabled)
        solara.Select(text(lang, "second_policy"), value=preset_label(other.value, lang), values=list(labels),
                      on_value=lambda label: label in labels and other.set(labels[label]), classes=["tenseki-second"])
        solara.Text(text(lang, "second_help"), style=SMALL)


# =============================================================================================
# The main panels
# =============================================================================================
@solara.component
def Controls(model: sim.LabourMarket, month_shown: int, playing: solara.Reactive[bool], on_step, on_reset, lang: solara.Reactive[str]):
    year, month = model.calendar()
    with solara.Row(classes=["tenseki-bar"], style={"align-items": "center", "gap": "8px", "flex-wrap": "wrap"}):
        solara.Button(text(lang.value, "reset"), on_click=on_reset, outlined=True, classes=["tenseki-reset"])
        solara.Button(text(lang.value, "pause") if playing.value else text(lang.value, "play"), color="primary",
                      on_click=lambda: playing.set(not playing.value), classes=["tenseki-play"])
        solara.Button(text(lang.value, "step"), color="primary", on_click=on_step, disabled=playing.value, classes=["tenseki-step"])
        Md("### " + text(lang.value, "month_heading", month=model.months_run, year=year, month_of_year=month),
           style={"margin": "0 12px"}, classes=["tenseki-month"])
        solara.v.Spacer()
        solara.ToggleButtonsSingle(value=lang.value, values=list(LANGUAGES), on_value=lang.set, classes=["tenseki-language"])


def _switch_sentence(model: sim.LabourMarket, lang: str) -> str:
    """Where the run stands against ESD's start (April 2027) for a preset whose rules switch then."""
    switch = model.scenario.policy.stay.esd_from
    if switch is None:
        return text(lang, "switch_none")
    ahead = switch.months_since(YearMonth(*model.calendar()))
    if ahead == 1:
        return text(lang, "switch_ahead_one")
    return text(lang, "switch_ahead", months=ahead) if ahead > 0 else text(lang, "switch_passed")


@solara.component
def Story(settings: Settings, model: sim.LabourMarket, month_shown: int, lang: str):
    with solara.Card(margin=0, classes=["tenseki-story"], style={"padding": "4px 12px"}):
        Md(f"**{text(lang, 'assumes')}: {preset_label(settings.preset, lang)}**. "
           f"{text(lang, f'assumes.{settings.preset}')} {_switch_sentence(model, lang)}", style={"font-size": "0.95em"})


@solara.component
def Headline(table, lang: str):
    """The headline figures in a compact grid (one HTML block: a dozen cards took half a laptop screen)."""
    from html import escape

    cells = "".join(
        f'<div class="tenseki-figure"><div class="tf-label">{escape(f.label)}</div>'
        f'<div class="tf-value">{escape(f.value)}</div><div class="tf-note">{escape(f.note)}</div></div>'
        for f in fig.headline(table, lang)
    )
    solara.HTML(tag="div", unsafe_innerHTML=cells, classes=["tenseki-headline"])


@solara.component
def MapCard(model: sim.LabourMarket, name: str, measure: solara.Reactive[str], lang: str):
    with solara.Card(text(lang, "map.of", name=name), classes=["tenseki-map"], margin=0):
        values = fig.map_values(model.results(by="prefecture"), measure.value)
        Chart(fig.map_chart(values, measure.value, lang))


@solara.component
def NetworkCard(model: sim.LabourMarket, name: str, colour: str, lang: str):
    sample = solara.use_memo(lambda: fig.network_sample(model), [model])
    with solara.Card(text(lang, "network.of", name=name), classes=["tenseki-network"], margin=0):
        Chart(fig.network_chart(model, sample, colour, lang))


@solara.component
def MapAndNetwork(models: dict[str, sim.LabourMarket], lang: str):
    measure = solara.use_reactive(next(iter(fig.MAP_MEASURES)))
    colour = solara.use_reactive(fig.NETWORK_COLOURS[0])
    labels = {fig.measure_label(m, lang): m for m in fig.MAP_MEASURES}
    with solara.Row(style={"gap": "12px", "align-items": "center"}):
        solara.Select(text(lang, "colour_by"), value=fig.measure_label(measure.value, lang), values=list(labels),
                      on_value=lambda label: measure.set(labels[label]), style={"max-width": "320px"})
        colours = {text(lang, f"network.{c}"): c for c in fig.NETWORK_COLOURS}
        solara.ToggleButtonsSingle(value=text(lang, f"network.{colour.value}"), values=list(colours),
                                   on_value=lambda label: colour.set(colours[label]))
    with solara.Columns([1] * len(models)):
        for name, model in models.items():
            MapCard(model, name, measure, lang)
    with solara.Columns([1] * len(models)):
        for name, model in models.items():
            NetworkCard(model, name, colour.value, lang)
    with solara.Columns([1, 1]):
        Note("map", lang)
        Note("network", lang)


@solara.component
def Dashboard(model: sim.LabourMarket, month: int, names: tuple[str, str], presets: tuple[str, str],
              twin: fig.Twin | None, lock: threading.RLock, lang: str):
    """Everything below the story, for ``model`` at ``month`` (``month`` re-draws it after each step)."""
    started = time.perf_counter()
    with lock:  # Play's thread steps the model; read it whole
        tables = {names[0]: fig.with_derived(model.results(), model.calendar)}
        models = {names[0]: model}
        if twin is not None:
            second = twin.follow(model)
            tables[names[1]] = fig.with_derived(second.results(), second.calendar)
            models[names[1]] = second
    ensemble = ens.shipped()
    bands = {}
    if ensemble is not None:
        for name, preset in zip(tables, presets, strict=False):
            if ensemble.has(preset):
                bands[name] = ensemble.band(preset, fig.STATUS_SERIES, model.months_run)
    Headline(tables[names[0]], lang)
    if twin is not None:
        with solara.Card(text(lang, "compared_with", a=names[0], b=names[1]), classes=["tenseki-compare"], margin=0):
            for sentence in fig.compare_in_words(tables[names[0]], tables[names[1]], names[0], names[1], lang, ensemble, presets):
                Md(f"- {sentence}", style={"margin": "0"})
            Note("compare", lang)
    with solara.lab.Tabs(lazy=True):  # only the open tab is drawn after each month
        with solara.lab.Tab(text(lang, "tab_charts")):
            with solara.Card(classes=["tenseki-chart"], margin=0):
                Chart(fig.status_chart(tables, lang, bands, model.calendar))
                band_note = (text(lang, "band.label", seeds=ensemble.seeds, scale=f"{ensemble.scale:g}")
                             if ensemble is not None else text(lang, "band.none"))
                solara.Text(band_note, style=SMALL, classes=["tenseki-band-label"])
                Note("status", lang)
            with solara.Columns([1, 1, 1]):
                with solara.Card(classes=["tenseki-chart"], margin=0):
                    Chart(fig.flows_chart(tables, lang))
                    Note("flows", lang)
                with solara.Card(classes=["tenseki-chart"], margin=0):
                    Chart(fig.wage_chart(tables, lang))
                    Note("money", lang)
                with solara.Card(classes=["tenseki-chart"], margin=0):
                    Chart(fig.debt_chart(tables, lang))
        with solara.lab.Tab(text(lang, "tab_map")):
            MapAndNetwork(models, lang)
        with solara.lab.Tab(text(lang, "tab_lessons")):
            LessonPanel(model.seed, model.scale, lang)
        with solara.lab.Tab(text(lang, "tab_glossary")):
            with solara.Card(text(lang, "glossary"), margin=0):
                Md(text(lang, "glossary.body"))
                Note("glossary", lang)
    if os.environ.get("TENSEKI_DASHBOARD_TIMING"):
        print(f"tenseki dashboard: month {model.month} drawn on the server in {time.perf_counter() - started:.3f} s", flush=True)


@solara.component
def LessonPanel(seed: int, scale: float, lang: str):
    """A guided lesson: the question, the student's prediction, the run, the gap, things to try."""
    key = solara.use_reactive(lessons.LESSONS[0].key)
    prediction = solara.use_reactive(0.0)
    result = solara.use_reactive(None)  # (lesson key, prediction, this run's value)
    lesson = lessons.LESSON_BY_KEY[key.value]
    ensemble = ens.shipped(lesson.ensemble_name)
    runs = lesson.ensemble_values(ensemble)
    titles = {text(lang, f"lesson.{item.key}.title"): item.key for item in lessons.LESSONS}

    def pick(title: str) -> None:
        key.set(titles[title])
        prediction.set(0.0)
        result.set(None)

    def run() -> None:
        tables = []
        for name in lesson.presets:
            model = sim.LabourMarket(name, seed=seed, run__scale=scale, run__months=lesson.months)
            model.run(lesson.months)
            tables.append(model.results())
        result.set((lesson.key, prediction.value, lesson.measure(*tables)))

    with solara.Card(margin=0, classes=["tenseki-lesson"]):
        solara.Select(text(lang, "lesson.pick"), value=text(lang, f"lesson.{lesson.key}.title"), values=list(titles), on_value=pick)
        Md(f"**{text(lang, 'lesson.step1')}** {text(lang, f'lesson.{lesson.key}.question')}")
        Md(f"**{text(lang, 'lesson.step2')}**")
        unit = text(lang, f"lesson.unit.{lesson.unit}")
        solara.SliderFloat(f"{text(lang, f'lesson.{lesson.key}.predict')}: {prediction.value:+.0f} {unit}", value=prediction,
                           min=lesson.low, max=lesson.high, step=1.0)
        runs_on = "lesson.runs_on" if lesson.second else "lesson.runs_on_one"
        solara.Text(text(lang, runs_on, a=text(lang, f"short.{lesson.preset}"), b=text(lang, f"short.{lesson.second}"),
                         months=lesson.months, seed=seed, n=len(runs)), style=SMALL)
        solara.Button(text(lang, "lesson.run"), color="primary", on_click=run, classes=["tenseki-lesson-run"])
        Md(f"**{text(lang, 'lesson.step3')}**")
        if result.value is None or result.value[0] != lesson.key:
            solara.Text(text(lang, "lesson.predict_first"), style=SMALL)
        else:
            _, guessed, this_run = result.value
            Chart(lessons.strip_chart(guessed, this_run, runs, lesson, lang))
            Md(lessons.verdict(guessed, this_run, runs, lesson, lang), classes=["tenseki-lesson-verdict"])
            Md(text(lang, f"lesson.{lesson.key}.explain"))
            Md(f"**{text(lang, 'lesson.step4')}**")
            Md(f"- {text(lang, f'lesson.{lesson.key}.notice')}\n- {text(lang, f'lesson.{lesson.key}.try')}")


def short_name(settings: Settings, lang: str) -> str:
    """The run's name in the comparison: the preset's short name, "+ your levers" if any moved."""
    name = text(lang, f"short.{settings.preset}")
    moved = replace(settings, seed=0, scale=0) != replace(Settings.of_preset(settings.preset), seed=0, scale=0)
    return text(lang, "your_levers", name=name) if moved else name


@solara.component
def Page():
    """The page: its language, and everything else inside a ``Guard`` (a sentence, never a traceback)."""
    lang = solara.use_reactive(DEFAULT_LANGUAGE)
    solara.Title(text(lang.value, "title"))
    solara.Style(CSS)
    with Guard(lang.value):
        Main(lang)


@solara.component
def Main(lang: solara.Reactive[str]):
    first = solara.use_memo(lambda: Settings.of_preset(DEFAULT_PRESET), [])
    draft = solara.use_reactive(first)
    applied = solara.use_reactive(first)
    error = solara.use_reactive(None)
    model = solara.use_reactive(solara.use_memo(lambda: Market(**first.model_kwargs()), []))
    month = solara.use_reactive(0)  # the month shown: changing it re-draws the page
    playing = solara.use_reactive(False)
    comparing = solara.use_reactive(False)
    other = solara.use_reactive(DEFAULT_SECOND)
    twins = solara.use_memo(dict, [])  # preset -> Twin, this session's only
    lock = solara.use_memo(threading.RLock, [])

    def start(settings: Settings) -> None:
        playing.set(False)
        try:
            new_model = Market(**settings.model_kwargs())
        except ScenarioError as exc:
            error.set(str(exc))
            return
        except Exception as exc:  # anything else the model refuses: a sentence, not a broken page
            error.set(text(lang.value, "error_run", error=one_sentence(exc)))
            return
        error.set(None)
        applied.set(settings)
        with lock:
            model.set(new_model)
        month.set(new_model.months_run)

    def step() -> bool:
        """One month; False (and a sentence in the page) when the run cannot go on."""
        with lock:
            try:
                model.value.step()
            except Exception as exc:
                error.set(text(lang.value, "error_step", month=model.value.months_run, error=one_sentence(exc)))
                playing.set(False)
                return False
            now = model.value.months_run
        month.set(now)
        return True

    def play_loop() -> None:
        while playing.value:
            time.sleep(PLAY_INTERVAL_MS / 1000)
            if not playing.value or not step():
                break
            if model.value.months_run >= model.value.scenario.run.months:
                playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def pick_preset(name: str) -> None:
        try:
            settings = Settings.of_preset(name, draft.value.scale, draft.value.seed)
        except ScenarioError as exc:  # a preset the page did not offer
            error.set(str(exc))
            return
        draft.set(settings)
        start(settings)

    def receive(what: str, value) -> None:
        """A value from the browser: checked on the server; a bad one is reported in the page."""
        try:
            draft.set(received(draft.value, what, value))
        except ScenarioError as exc:
            error.set(str(exc))

    with solara.Sidebar():
        LeverPanel(draft, applied.value, error.value, lambda: start(draft.value), pick_preset, lang.value, receive)
        ComparePanel(comparing, other, lang.value)
    names = (short_name(applied.value, lang.value), text(lang.value, f"short.{other.value}"))
    if names[1] == names[0]:
        names = (names[0], text(lang.value, "second_run", name=names[1]))
    twin = twins.setdefault(other.value, fig.Twin(other.value)) if comparing.value else None
    with solara.Column(style={"padding": "0 8px 8px 8px", "gap": "8px"}):
        Controls(model.value, month.value, playing, step, lambda: start(applied.value), lang)
        if error.value:
            solara.Error(error.value, classes=["tenseki-error"])
        Story(applied.value, model.value, month.value, lang.value)
        with Guard(lang.value):
            # keyed by language: the tabs are made anew (Vuetify's tab bar broke on renamed tabs)
            Dashboard(model.value, month.value, names, (applied.value.preset, other.value), twin, lock, lang.value).key(f"dashboard-{lang.value}")
