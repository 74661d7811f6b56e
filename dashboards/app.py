"""The students' dashboard: pick a policy, move its levers, press Play, see what happens and why.

    tenseki dashboard                  # http://127.0.0.1:8765
    solara run dashboards/app.py       # the same page

Built on Mesa's ``SolaraViz`` (its Step / Play / Reset controls and ``model_params``: the
settings of the current run, so Reset starts the same run again), with the page's own panels:
presets and policy levers (``dashboards.levers``, validated like scenario files), headline
figures, charts, a map of the 47 prefectures, a network view, a comparison of two policies on
the same seed, and a glossary (``dashboards.figures`` computes what they show).

One model per browser session: every model lives in the state of ``Page``, which Solara keeps
per browser tab (kernel); nothing at module level holds a model, so two tabs never step each
other's run.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import replace

import solara

# Mesa's ComponentsView returns early when it has no components of its own (the page draws its
# panels itself) and Solara's hook checker warns about it; with no components the hooks run the
# same way on every render, so the warning does not apply.
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early return")
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

import sim  # noqa: E402
from dashboards import figures as fig  # noqa: E402
from dashboards.levers import LEVERS, PRESET_LABELS, SCALES, Lever, Market, Settings  # noqa: E402
from dashboards.offline import serve_offline  # noqa: E402
from sim.scenario import SHIPPED, ScenarioError  # noqa: E402

SHORT_NAMES = {"titp": "TITP", "esd": "ESD", "free_mobility": "Free mobility", "restricted": "Restricted"}
DEFAULT_PRESET = "esd"
SMALL = {"font-size": "0.8em", "color": "#555", "margin-top": "-6px", "margin-bottom": "8px", "line-height": "1.2"}


def _warm_up() -> None:
    """Load the model's compiled kernels and Altair's chart schema once, when the server starts.

    Without it the first visitor would wait seconds for numba and Altair to load; the tiny run
    is thrown away (no model is kept at module level).
    """
    if os.environ.get("TENSEKI_DASHBOARD_NO_WARMUP"):
        return
    tiny = sim.LabourMarket("esd", seed=0, run__scale=0.0005, run__months=1)
    tiny.step()
    tables = {"warm-up": fig.with_derived(tiny.results(), tiny.calendar)}
    for compare in (False, True):  # the chart templates, checked against the Vega-Lite schema once
        fig.status_chart(tables if not compare else {**tables, "second": tables["warm-up"]})
        fig.flows_chart(tables)
        fig.money_chart(tables)


serve_offline()
_warm_up()


def Md(text: str, style: dict | None = None):
    """Markdown turned into HTML on the server.

    ``solara.Markdown`` loads KaTeX (for formulas) from the CDN in the browser, which
    solara-assets does not ship; the page has no formulas, so it does without.
    """
    import markdown

    css = ";".join(f"{k}:{v}" for k, v in (style or {}).items())
    return solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text), style=css)


# =============================================================================================
# Notes: "what am I looking at" for each panel
# =============================================================================================
NOTES = {
    "levers": (
        "Each lever is one setting of the policy's scenario file (scenarios/*.toml). A preset fills "
        "them with the policy as written; moving a lever and pressing **Apply** starts a new run from "
        "month 0. A value the rules do not allow is refused with the same message a scenario file gets."
    ),
    "headline": (
        "The state of the simulated Japan at the end of the month shown, in real numbers of people "
        "(each simulated person stands for 1/scale real people). Disappearances and job changes count "
        "the last 12 months. *Violations detected*: of the months firms spent violating the rules "
        "(unpaid wages, excess hours...), the share found and sanctioned."
    ),
    "compare": (
        "A second policy runs next to yours on the same seed, month for month: the same firms, the "
        "same people and the same luck, so the differences come from the policy. It is still one run "
        "at a small scale: differences of a few percent can be chance; `tenseki compare` runs many seeds."
    ),
    "status": (
        "How many foreign workers are in Japan, by residence status. Trainees (TITP or ESD) move up "
        "to Specified Skilled Worker (SSW i, then SSW ii) when they pass the tests, if the path is open. "
        "*Irregular*: people who left their employer without permission and stay without a status."
    ),
    "flows": (
        "Events of each month. A *disappearance* is a trainee or SSW worker leaving their job "
        "without permission. A job change of their own wish needs the policy to allow it; "
        "*unavoidable* transfers follow a bankruptcy or a sanctioned employer."
    ),
    "money": (
        "Mean gross monthly pay of employed legal residents (firms raise pay when they lose workers to "
        "better offers), and the share of people still repaying the fee they borrowed to come."
    ),
    "map": (
        "Each prefecture coloured by the chosen measure at the month shown (net moves: over the last 12 "
        "months, orange = more arrive than leave). Metro prefectures (Tokyo, Osaka, Aichi...) pay more; "
        "the fear is that free job change drains the countryside. Outlines: the japanmap package."
    ),
    "network": (
        "A sample: the five largest supervisory bodies (dark squares) and their largest member firms "
        "(circles, sized by foreign workers). Dashed lines: firms that know each other, along which "
        "workers hear of better jobs. An orange ring: a job change into or out of the firm in the last "
        "12 months. Low compliance (red) means more violations."
    ),
    "glossary": "Words of the debate, with where they are defined.",
}

GLOSSARY = """
**Tenseki (転籍)**: changing employer. Under TITP a trainee may change employer only in
"unavoidable circumstances" (bankruptcy, serious violations, violence); under ESD also at their
own wish after 1-2 years. *Source: Act on Proper Technical Intern Training and Protection of
Technical Intern Trainees (Act No. 89 of 2016); the 2024 amending act (below).*

**TITP, Technical Intern Training Program (技能実習)**: since 1993, officially skills transfer to
developing countries; in practice labour for small firms. Stages i (1 year), ii (2 years), iii
(2 years, "excellent" firms only). *Source: the 2016 Act; Immigration Services Agency (ISA).*

**ESD, Employment for Skill Development (ikusei shūrō, 育成就労)**: replaces TITP from
1 April 2027: a 3-year programme meant to bring workers to SSW i level, with job change after
1-2 years in the same field, tests, caps on moves into the 8 metro prefectures and cost sharing
between employers. *Source: Act partially amending the Immigration Control and Refugee
Recognition Act and the TITP Act (June 2024); MHLW/ISA draft ordinances (September 2025).*

**Kanri dantai (監理団体), supervisory body**: mostly business cooperatives that recruit trainees
through sending organisations abroad, audit member firms (at least every 3 months) and support
trainees; often close to the firms they oversee. Under ESD: supervisory *support* organisations
(監理支援機関) with stricter independence. *Source: the 2016 Act and its ordinance; OTIT.*

**SSW i / SSW ii, Specified Skilled Worker (特定技能 1号/2号)**: statuses since April 2019. SSW i:
up to 5 years, job change within the field allowed, no family. SSW ii: renewable without limit,
family allowed, the road to settling. *Source: Immigration Control and Refugee Recognition Act
(amended 2018); ISA.*

**OTIT, Organisation for Technical Intern Training (外国人技能実習機構)**: since 2017, approves
training plans, licenses supervisory bodies and inspects firms (about every 3 years). *Source: the
2016 Act; OTIT annual reports.*

**Disappearance (失踪)**: a trainee leaving the employer without permission, usually into
irregular work; about 5,000-10,000 a year (2015-2024). *Source: ISA figures as reported by the
press; docs/validation.md compares the model with them.*

**Broker fee**: what recruiters in the home country charge, often borrowed; debt keeps workers
from leaving abusive jobs. **Metro cap**: under ESD at most 1/6 of a metro firm's ESD workers may
have come by transfer from outside the metro (designated) area, and at most 1/3 of any firm's by
transfer at all. **Cost sharing**: the new employer pays the first one part of the costs of
recruiting and training a worker who moves (and hires a mover only if that pays).

The model, its assumptions and its sources: docs/ODD.md and docs/domain.md of the project.
"""


@solara.component
def Chart(spec: dict):
    """A Vega-Lite chart (``dashboards.figures`` makes the specs, from templates checked once)."""
    return solara.widgets.VegaLite.element(spec=spec, listen_to_click=False, listen_to_hover=False)


@solara.component
def Note(key: str):
    with solara.Details(summary="What am I looking at?"):
        Md(NOTES[key])


# =============================================================================================
# Levers
# =============================================================================================
@solara.component
def LeverInput(lever: Lever, value, on_value):
    if lever.kind == "select":
        solara.Select(lever.label, value=lever.choice_label(value), values=lever.choice_labels(value),
                      on_value=lambda label: on_value(lever.value_of(label, value)))
    elif lever.kind == "check":
        solara.Checkbox(label=lever.label, value=bool(value), on_value=on_value)
    elif lever.kind == "int":
        solara.SliderInt(lever.label, value=int(value), min=int(lever.low), max=int(lever.high), step=int(lever.step),
                         on_value=on_value, thumb_label="always" if lever.high <= 120 else True)
    else:
        solara.SliderFloat(lever.label, value=float(value), min=lever.low, max=lever.high, step=lever.step, on_value=on_value,
                           thumb_label="always")
    solara.Text(lever.explanation, style=SMALL)


@solara.component
def LeverPanel(draft: solara.Reactive[Settings], applied: Settings, error: str | None, on_apply, on_preset):
    s = draft.value
    with solara.Card("Policy"):
        solara.Select("Preset", value=PRESET_LABELS[s.preset], values=[PRESET_LABELS[n] for n in SHIPPED],
                      on_value=lambda label: on_preset({v: k for k, v in PRESET_LABELS.items()}[label]))
        solara.Text("A shipped policy: picking one fills the levers and starts a new run.", style=SMALL)
        for lever in LEVERS:
            LeverInput(lever, s.lever(lever.key), lambda v, key=lever.key: draft.set(draft.value.with_lever(key, v)))
        solara.Select("Scale", value=str(s.scale), values=[str(x) for x in SCALES],
                      on_value=lambda v: draft.set(Settings(s.preset, s.levers, float(v), s.seed)))
        solara.Text("Share of real people simulated: 0.005 is about 4,000 people (fast); larger is slower, less noisy.", style=SMALL)
        if error:
            solara.Error(error, classes=["tenseki-error"])
        elif replace(draft.value, seed=0) != replace(applied, seed=0):
            solara.Info("Levers changed: press Apply to start a new run with them.", dense=True)
        solara.Button("Apply: new run with these levers", color="primary", on_click=on_apply, classes=["tenseki-apply"])
        Note("levers")


@solara.component
def ComparePanel(enabled: solara.Reactive[bool], other: solara.Reactive[str]):
    with solara.Card("Comparison"):
        solara.Checkbox(label="Compare with another policy", value=enabled)
        solara.Select("Second policy", value=PRESET_LABELS[other.value], values=[PRESET_LABELS[n] for n in SHIPPED],
                      on_value=lambda label: other.set({v: k for k, v in PRESET_LABELS.items()}[label]))
        solara.Text("Runs in lockstep with yours, on the same seed and scale.", style=SMALL)


# =============================================================================================
# The main panels
# =============================================================================================
@solara.component
def Headline(model: sim.LabourMarket, table):
    year, month = model.calendar()
    Md(f"### Month {model.month}: {year}-{month:02d}", style={"margin": "0"})
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        for f in fig.headline(table):
            with solara.Card(style={"min-width": "150px", "max-width": "190px", "padding": "6px", "margin": "0"}, classes=["tenseki-figure"]):
                solara.Text(f.label, style={"font-size": "0.8em", "color": "#555"})
                Md(f"**{f.value}**", style={"font-size": "1.4em", "margin": "0"})
                solara.Text(f.note, style={"font-size": "0.7em", "color": "#777"})
    Note("headline")


@solara.component
def MapPanel(model: sim.LabourMarket):
    measure = solara.use_reactive(next(iter(fig.MAP_MEASURES)))
    with solara.Card("Map of Japan's 47 prefectures", classes=["tenseki-map"]):
        solara.Select("Colour by", value=measure, values=list(fig.MAP_MEASURES))
        values = fig.map_values(model.results(by="prefecture"), measure.value)
        Chart(fig.map_chart(values, measure.value))
        Note("map")


@solara.component
def NetworkPanel(model: sim.LabourMarket):
    colour = solara.use_reactive(fig.NETWORK_COLOURS[0])
    sample = solara.use_memo(lambda: fig.network_sample(model), [model])
    with solara.Card("Network: supervisory bodies and firms", classes=["tenseki-network"]):
        solara.ToggleButtonsSingle(value=colour, values=list(fig.NETWORK_COLOURS))
        Chart(fig.network_chart(model, sample, colour.value))
        Note("network")


@solara.component
def Dashboard(model: solara.Reactive, names: tuple[str, str], twin: fig.Twin | None):
    update_counter.get()  # re-render after every Step / Play tick of SolaraViz
    started = time.perf_counter()
    primary = model.value
    tables = {names[0]: fig.with_derived(primary.results(), primary.calendar)}
    if twin is not None:
        second = twin.follow(primary)
        tables[names[1]] = fig.with_derived(second.results(), second.calendar)
    with solara.Column(style={"padding": "8px", "gap": "8px"}):
        Headline(primary, tables[names[0]])
        if twin is not None:
            with solara.Card(f"{names[0]} compared with {names[1]}", classes=["tenseki-compare"]):
                for sentence in fig.compare_in_words(tables[names[0]], tables[names[1]], names[0], names[1]):
                    Md(f"- {sentence}", style={"margin": "0"})
                Note("compare")
        with solara.lab.Tabs(lazy=True):  # only the open tab is drawn after each month
            with solara.lab.Tab("Charts"):
                with solara.Card("People in Japan by status", classes=["tenseki-chart"]):
                    Chart(fig.status_chart(tables))
                    Note("status")
                with solara.Columns([1, 1]):
                    with solara.Card("Monthly flows"):
                        Chart(fig.flows_chart(tables))
                        Note("flows")
                    with solara.Card("Wages and debt"):
                        Chart(fig.money_chart(tables))
                        Note("money")
            with solara.lab.Tab("Map and network"):
                with solara.Columns([1, 1]):
                    MapPanel(primary)
                    NetworkPanel(primary)
            with solara.lab.Tab("Glossary"):
                with solara.Card("Glossary"):
                    Md(GLOSSARY)
                    Note("glossary")
    if os.environ.get("TENSEKI_DASHBOARD_TIMING"):
        print(f"tenseki dashboard: month {primary.month} drawn on the server in {time.perf_counter() - started:.3f} s", flush=True)


@solara.component
def SidebarPanels(draft, applied, error, on_apply, on_preset, comparing, other):
    _SidebarInner(draft, applied, error, on_apply, on_preset, comparing, other)


@solara.component
def _SidebarInner(draft, applied, error, on_apply, on_preset, comparing, other):
    # Two components deep, so that Solara puts these cards below SolaraViz's Step / Play / Reset.
    with solara.Sidebar():
        LeverPanel(draft, applied, error, on_apply, on_preset)
        ComparePanel(comparing, other)


def _short(settings: Settings) -> str:
    name = SHORT_NAMES[settings.preset]
    return name + " + your levers" if settings.describe() != PRESET_LABELS[settings.preset] else name


@solara.component
def Page():
    first = solara.use_memo(lambda: Settings.of_preset(DEFAULT_PRESET), [])
    draft = solara.use_reactive(first)
    applied = solara.use_reactive(first)
    version = solara.use_reactive(0)
    error = solara.use_reactive(None)
    model = solara.use_reactive(solara.use_memo(lambda: Market(**first.model_kwargs()), []))
    comparing = solara.use_reactive(False)
    other = solara.use_reactive("titp")
    twins = solara.use_memo(dict, [])  # preset -> Twin, this session's only

    def start(settings: Settings) -> None:
        try:
            kwargs = settings.model_kwargs()
            new_model = Market(**kwargs)
        except ScenarioError as exc:
            error.set(str(exc))
            return
        except (ValueError, TypeError) as exc:  # anything else the model refuses: a message, not a broken page
            error.set(f"these settings cannot be run: {exc}")
            return
        error.set(None)
        applied.set(settings)
        model.set(new_model)
        version.set(version.value + 1)

    def pick_preset(name: str) -> None:
        settings = Settings.of_preset(name, draft.value.scale, model.value.seed)
        draft.set(settings)
        if other.value == name:
            other.set("titp" if name != "titp" else "esd")
        start(settings)

    solara.Title("tenseki: job change for Japan's foreign trainees")
    solara.Style(".tenseki-figure .v-card__text{padding:4px}")
    SidebarPanels(draft, applied.value, error.value, lambda: start(replace(draft.value, seed=model.value.seed)), pick_preset, comparing, other)
    params = applied.value.model_kwargs()
    params["seed"] = {"type": "SliderInt", "value": params["seed"], "min": 0, "max": 99, "step": 1,
                      "label": "Seed: the run's luck (press Reset)"}
    SolaraViz(
        model,
        components=[],
        model_params=params,
        name="tenseki: " + applied.value.describe(),
        play_interval=150,
    ).key(f"viz-{version.value}")
    twin = None
    names = (_short(applied.value), SHORT_NAMES[other.value])
    if comparing.value:
        twin = twins.setdefault(other.value, fig.Twin(other.value))
        if names[1] == names[0]:
            names = (names[0], names[1] + " (second run)")
    Dashboard(model, names, twin)
