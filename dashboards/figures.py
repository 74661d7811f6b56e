"""What the dashboard shows, computed from a model's public tables (no Solara here).

Headline figures, the time-series charts, the map's values, the network sample and the
comparison in words all read ``model.results()`` / ``model.results(by="prefecture")`` (columns
in docs/outputs.md), ``model.firms`` / ``model.bodies`` and ``model.transfer_log``; nothing
here changes a model except ``Twin.follow``, which steps the comparison's second model.

Counts are real numbers of people (agents / scale), as everywhere in tenseki; at the
dashboard's small default scale one agent stands for some 200 people, so a single run is noisy.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

import sim
from dashboards.geometry import prefecture_features
from dashboards.strings import prefecture_names, text
from sim.domain import FIELDS

#: Series of the charts (columns of ``results()``); their names are in ``dashboards.strings`` (``series.<column>``).
STATUS_SERIES = ("stock_titp", "stock_esd", "stock_ssw1", "stock_ssw2", "stock_care_worker", "stock_irregular")
FLOW_SERIES = ("disappearances_trainee", "transfers_voluntary_trainee", "transfers_unavoidable", "to_ssw1")

#: The month ESD starts for new entrants (2027-04-01, the law of June 2024), marked on the charts.
ESD_START = pd.Timestamp(2027, 4, 1)

#: Map measures: label -> (column of results(by="prefecture"), how a month's values combine, unit).
MAP_MEASURES = {
    "Workers (people in the prefecture)": ("stock_total", "now", "people"),
    "Net moves in, last 12 months": ("net_moves_in", "last12", "people"),
    "Mean monthly wage": ("wage_mean_yen", "now", "yen"),
    "Vacancies filled": ("vacancy_fill", "now", "%"),
}

NETWORK_COLOURS = ("compliance", "field")


def with_derived(table: pd.DataFrame, calendar) -> pd.DataFrame:
    """The monthly table plus ``date`` (first of the calendar month)."""
    out = table.copy()
    out["date"] = [pd.Timestamp(*calendar(int(m)), 1) for m in out["month"]]
    return out


def last_12(table: pd.DataFrame) -> pd.DataFrame:
    """The last (up to) 12 months run (month 0, the initial state, has no flows)."""
    return table[table["month"] >= 1].tail(12)


@dataclass(frozen=True)
class Figure:
    """One headline number as shown: label, value, and what it means."""

    label: str
    value: str
    note: str


def _people(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:,.0f}"


def _pct(x: float, decimals: int = 1) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.{decimals}f}%"


def span_words(months: int, lang: str = "en") -> str:
    """"last 4 months" / "no month run yet", in ``lang``."""
    if months == 0:
        return text(lang, "span.none")
    return text(lang, "span.month") if months == 1 else text(lang, "span.months", months=months)


def headline(table: pd.DataFrame, lang: str = "en") -> list[Figure]:
    """The headline figures of the month just ended (``table``: ``with_derived`` of results())."""
    now = table.iloc[-1]
    year = last_12(table)
    span = span_words(len(year), lang)
    violations = float(year["violations"].sum())
    detected = float(year["violations_detected"].sum()) / violations if violations > 0 else float("nan")
    trainees = now["stock_titp"] + now["stock_esd"]
    wage = "–" if not math.isfinite(now["wage_mean_yen"]) else f"¥{now['wage_mean_yen']:,.0f}"
    return [
        Figure(text(lang, "fig.people"), _people(now["stock_total"]), text(lang, "fig.people.note")),
        Figure(text(lang, "fig.trainees"), _people(trainees),
               text(lang, "fig.trainees.note", titp=_people(now["stock_titp"]), esd=_people(now["stock_esd"]))),
        Figure(text(lang, "fig.ssw"), f"{_people(now['stock_ssw1'])} / {_people(now['stock_ssw2'])}", text(lang, "fig.ssw.note")),
        Figure(text(lang, "fig.irregular"), _people(now["stock_irregular"]), text(lang, "fig.irregular.note")),
        Figure(text(lang, "fig.disappeared"), _people(float(year["disappearances_trainee"].sum())), span),
        Figure(text(lang, "fig.job_changes"), _people(float(year["transfers_voluntary_trainee"].sum())), span),
        Figure(text(lang, "fig.wage"), wage, text(lang, "fig.wage.note")),
        Figure(text(lang, "fig.debt"), _pct(now["share_in_debt"]), text(lang, "fig.debt.note")),
        Figure(text(lang, "fig.detected"), _pct(detected), text(lang, "fig.detected.note", span=span)),
    ]


# ---------------------------------------------------------------------------------------------
# Time-series charts
# ---------------------------------------------------------------------------------------------
def _records(tables: dict[str, pd.DataFrame], series: tuple[str, ...], lang: str) -> list[dict]:
    """Long-form records (date, series, policy, value), one per month, series and policy."""
    records = []
    for policy, table in tables.items():
        dates = [d.strftime("%Y-%m-%d") for d in table["date"]]
        for column in series:
            name = text(lang, f"series.{column}")
            values = table[column].to_numpy(dtype=float)
            records.extend(
                {"date": d, "series": name, "policy": policy, "value": (None if math.isnan(v) else float(v))}
                for d, v in zip(dates, values, strict=True)
            )
    return records


def band_records(bands: dict[str, pd.DataFrame], calendar, lang: str) -> list[dict]:
    """The ensemble's band (``Ensemble.band``) as records (date, series, policy, low, high)."""
    records = []
    for policy, band in bands.items():
        for month, column, low, high in band[["month", "column", "low", "high"]].itertuples(index=False):
            year, mon = calendar(int(month))
            records.append({"date": f"{year}-{mon:02d}-01", "series": text(lang, f"series.{column}"), "policy": policy,
                            "low": float(low), "high": float(high)})
    return records


def with_data(template: dict, datasets: dict[str, list]) -> dict:
    """A copy of a Vega-Lite spec whose named data sources (``{"name": ...}``) hold ``datasets``.

    The charts are built with Altair once (``to_dict()``, which checks them against the
    Vega-Lite schema) and kept as templates; each month only the data changes. Building and
    converting Altair charts every month costs tens of milliseconds a chart.
    """
    if isinstance(template, dict):
        if set(template) == {"name"} and template["name"] in datasets:
            return {"values": datasets[template["name"]]}
        return {key: with_data(value, datasets) for key, value in template.items()}
    if isinstance(template, list):
        return [with_data(value, datasets) for value in template]
    return template


def _spec(chart: alt.TopLevelMixin) -> dict:
    """Altair's dict without ``$schema``: it names Altair's Vega-Lite version, newer than the one
    served offline, and the browser logged a version warning for every chart drawn."""
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def _lines(name: str, title: str, y_title: str, compare: bool, y_format: str = ",.0f", band: bool = False,
           legend_columns: int = 3) -> alt.Chart:
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", tickCount=5, labelAngle=0, labelOverlap="greedy", labelPadding=4))
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format, labelOverlap="greedy", tickCount=5))
    colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=legend_columns, labelLimit=200))
    encoding: dict[str, Any] = dict(
        x=x, y=y, color=colour,
        tooltip=["policy:N", "series:N", alt.Tooltip("date:T", format="%Y-%m"), alt.Tooltip("value:Q", format=y_format)],
    )
    if compare:
        encoding["strokeDash"] = alt.StrokeDash("policy:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=300))
    lines = alt.Chart(alt.Data(name=name)).mark_line().encode(**encoding)
    switch = alt.Chart(alt.Data(name="switch")).mark_rule(color="#888", strokeDash=[2, 2]).encode(x="date:T", tooltip=["label:N"])
    layers = [lines, switch]
    if band:
        area = alt.Chart(alt.Data(name="band")).mark_area(opacity=0.15).encode(
            x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=colour, detail="policy:N")
        layers.insert(0, area)
    return alt.layer(*layers, title=title).properties(width="container", height=200)


@lru_cache(maxsize=None)
def _template(kind: str, compare: bool, lang: str = "en") -> dict:
    if kind == "status":
        return _spec(_lines("series", text(lang, "chart.status"), text(lang, "axis.people"), compare, band=True))
    if kind == "flows":
        return _spec(_lines("series", text(lang, "chart.flows"), text(lang, "axis.people_month"), compare, legend_columns=2))
    if kind == "wage":
        return _spec(_lines("series", text(lang, "series.wage_mean_yen"), text(lang, "axis.yen"), compare, legend_columns=1))
    return _spec(_lines("series", text(lang, "series.share_in_debt"), text(lang, "axis.share"), compare, ".0%", legend_columns=1))


def _switch(tables: dict[str, pd.DataFrame], lang: str) -> list[dict]:
    """April 2027 as a rule, named for what happens then (every shipped run starts in January 2025; an
    empty layer made the browser warn about the chart's extent)."""
    return [{"date": ESD_START.strftime("%Y-%m-%d"), "label": text(lang, "chart.switch")}]


def status_chart(tables: dict[str, pd.DataFrame], lang: str = "en", bands: dict[str, pd.DataFrame] | None = None,
                 calendar=None) -> dict:
    """People in Japan by status, one line per status (dashed: the second policy), the ensemble's band; a Vega-Lite spec."""
    band = band_records(bands, calendar, lang) if bands and calendar is not None else []
    return with_data(_template("status", len(tables) > 1, lang),
                     {"series": _records(tables, STATUS_SERIES, lang), "band": band, "switch": _switch(tables, lang)})


def flows_chart(tables: dict[str, pd.DataFrame], lang: str = "en") -> dict:
    """The month's flows: disappearances, job changes, moves up to SSW i."""
    return with_data(_template("flows", len(tables) > 1, lang),
                     {"series": _records(tables, FLOW_SERIES, lang), "switch": _switch(tables, lang)})


def wage_chart(tables: dict[str, pd.DataFrame], lang: str = "en") -> dict:
    """Mean monthly wage of employed legal residents."""
    return with_data(_template("wage", len(tables) > 1, lang),
                     {"series": _records(tables, ("wage_mean_yen",), lang), "switch": _switch(tables, lang)})


def debt_chart(tables: dict[str, pd.DataFrame], lang: str = "en") -> dict:
    """The share of people in Japan still repaying a broker's fee."""
    return with_data(_template("debt", len(tables) > 1, lang),
                     {"series": _records(tables, ("share_in_debt",), lang), "switch": _switch(tables, lang)})


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------
def map_values(by_prefecture: pd.DataFrame, measure: str) -> pd.Series:
    """One value per prefecture (index: prefecture name, JIS order) for a ``MAP_MEASURES`` label."""
    column, how, _ = MAP_MEASURES[measure]
    table = by_prefecture
    if column == "net_moves_in":
        table = table.assign(net_moves_in=table["moves_in"] - table["moves_out"])
    order = list(dict.fromkeys(table["group"]))
    if how == "last12":
        months = sorted(m for m in table["month"].unique() if m >= 1)[-12:]
        picked = table[table["month"].isin(months)].groupby("group", sort=False)[column].sum()
        return picked.reindex(order).fillna(0.0)
    last = table[table["month"] == table["month"].max()]
    return last.set_index("group")[column].reindex(order)


def measure_label(measure: str, lang: str = "en") -> str:
    """A ``MAP_MEASURES`` key as shown in ``lang``."""
    return text(lang, f"measure.{MAP_MEASURES[measure][0]}")


def map_chart(values: pd.Series, measure: str, lang: str = "en") -> dict:
    """Japan's 47 prefectures coloured by ``values`` (``map_values``); a Vega-Lite spec."""
    unit = MAP_MEASURES[measure][2]
    features = []
    names = prefecture_names(lang, list(values.index))
    for feature, name, value in zip(prefecture_features(), names, values.to_numpy(), strict=True):
        value = float(value) if value is not None and math.isfinite(float(value)) else None
        if value is not None and unit == "%":
            value = 100 * value
        features.append({**feature, "properties": {**feature["properties"], "name": name, "value": value}})
    return with_data(_map_template(measure, lang), {"prefectures": features})


@lru_cache(maxsize=None)
def _map_template(measure: str, lang: str = "en") -> dict:
    _, how, unit = MAP_MEASURES[measure]
    fmt = ",.0f" if unit != "%" else ".1f"
    unit_words = text(lang, f"unit.{unit}")
    scale = alt.Scale(scheme="blueorange", domainMid=0) if how == "last12" else alt.Scale(scheme="viridis")
    return _spec(
        alt.Chart(alt.Data(name="prefectures"), title=f"{measure_label(measure, lang)} ({unit_words})")
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .encode(
            color=alt.Color("properties.value:Q", title=unit_words, scale=scale, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("properties.name:N", title=text(lang, "map.prefecture")),
                     alt.Tooltip("properties.value:Q", title=unit_words, format=fmt)],
        )
        .project(type="identity", reflectY=True)
        .properties(width=300, height=300)
    )


# ---------------------------------------------------------------------------------------------
# The network view
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkSample:
    """A readable sample of the network: a few supervisory bodies, some members each, fixed positions."""

    bodies: np.ndarray  # body rows
    firms: np.ndarray  # firm rows
    positions: dict[tuple[str, int], tuple[float, float]]  # ("body"|"firm", row) -> (x, y)
    firm_ties: tuple[tuple[int, int], ...]  # ties between sampled firms (firm rows)


def network_sample(model: sim.LabourMarket, n_bodies: int = 5, firms_per_body: int = 9) -> NetworkSample:
    """Pick the sample once per model: the largest bodies, their largest member firms, a fixed layout.

    Uses its own generator (from the model's seed), so looking at the network never changes the run.
    """
    import networkx as nx

    firms, bodies = model.firms, model.bodies
    members = [np.flatnonzero(firms.supervisory_body == b) for b in range(bodies.n)]
    chosen_bodies = np.argsort([-len(m) for m in members], kind="stable")[:n_bodies]
    chosen_firms = []
    for b in chosen_bodies:
        own = members[b]
        chosen_firms.extend(own[np.argsort(-firms.staff[own], kind="stable")[:firms_per_body]])
    chosen_firms = np.array(sorted(chosen_firms), dtype=np.int64)
    in_sample = set(chosen_firms.tolist())
    n_firms = firms.n
    graph = nx.Graph()
    graph.add_nodes_from(("body", int(b)) for b in chosen_bodies)
    graph.add_nodes_from(("firm", int(f)) for f in chosen_firms)
    graph.add_edges_from((("firm", int(f)), ("body", int(firms.supervisory_body[f]))) for f in chosen_firms)
    ties = []
    for a, b in model.graph.edges():
        if a < n_firms and b < n_firms and a in in_sample and b in in_sample:
            ties.append((int(a), int(b)))
            graph.add_edge(("firm", int(a)), ("firm", int(b)), weight=0.2)
    layout = nx.spring_layout(graph, seed=int(model.seed) % (2**32), iterations=60)
    positions = {node: (float(x), float(y)) for node, (x, y) in layout.items()}
    return NetworkSample(np.asarray(chosen_bodies), chosen_firms, positions, tuple(ties))


def network_chart(model: sim.LabourMarket, sample: NetworkSample, colour_by: str = "compliance", lang: str = "en") -> dict:
    """The sample now: firms sized by workers, coloured by compliance or field; recent transfers in orange."""
    firms = model.firms
    recent = _recent_transfers(model)
    pref_names = prefecture_names(lang, list(model.geo.name))
    nodes = []
    for f in sample.firms:
        x, y = sample.positions[("firm", int(f))]
        moved = recent.get(int(f), 0)
        nodes.append(dict(
            x=x, y=y, kind="firm", workers=int(firms.headcount[f]), compliance=round(float(firms.compliance[f]), 2),
            field=text(lang, f"field.{FIELDS[int(firms.field[f])]}"), prefecture=pref_names[int(firms.pref[f])], transfers=moved,
            label=text(lang, "network.firm_label", number=int(f)),
        ))
    body_nodes = []
    for b in sample.bodies:
        x, y = sample.positions[("body", int(b))]
        body_nodes.append(dict(x=x, y=y, label=text(lang, "network.body_label", number=int(b)), independence=round(float(model.bodies.independence[b]), 2),
                               members=int((firms.supervisory_body == b).sum())))
    edges = []
    for f in sample.firms:
        a = sample.positions[("firm", int(f))]
        b = sample.positions[("body", int(firms.supervisory_body[f]))]
        edges.append(dict(x=a[0], y=a[1], x2=b[0], y2=b[1], tie="member of"))
    for fa, fb in sample.firm_ties:
        a, b = sample.positions[("firm", fa)], sample.positions[("firm", fb)]
        edges.append(dict(x=a[0], y=a[1], x2=b[0], y2=b[1], tie="firms that know each other"))
    return with_data(_network_template(colour_by, lang), {"edges": edges, "firms": nodes, "bodies": body_nodes})


@lru_cache(maxsize=None)
def _network_template(colour_by: str, lang: str = "en") -> dict:
    axis = dict(axis=None)
    edge_layer = alt.Chart(alt.Data(name="edges")).mark_rule(opacity=0.35).encode(
        x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), x2="x2:Q", y2="y2:Q",
        strokeDash=alt.StrokeDash("tie:N", title=None, legend=alt.Legend(orient="bottom")),
    )
    colour = (
        alt.Color("compliance:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]), title=text(lang, "network.compliance"))
        if colour_by == "compliance" else alt.Color("field:N", title=text(lang, "network.field"))
    )
    firm_layer = alt.Chart(alt.Data(name="firms")).mark_circle(opacity=0.9).encode(
        x="x:Q", y="y:Q", size=alt.Size("workers:Q", title=None, legend=None, scale=alt.Scale(range=[20, 600])), color=colour,
        stroke=alt.condition("datum.transfers > 0", alt.value("#ff7f0e"), alt.value("white")),
        strokeWidth=alt.condition("datum.transfers > 0", alt.value(3), alt.value(0.5)),
        tooltip=["label:N", "prefecture:N", "field:N", "workers:Q", "compliance:Q",
                 alt.Tooltip("transfers:Q", title="job changes in or out, last 12 months")],
    )
    body_layer = alt.Chart(alt.Data(name="bodies")).mark_square(size=260, color="#333").encode(
        x="x:Q", y="y:Q", tooltip=["label:N", "independence:Q", alt.Tooltip("members:Q", title="member firms (all)")],
    )
    chart = alt.layer(edge_layer, firm_layer, body_layer).resolve_scale(color="independent").properties(width=300, height=300)
    return _spec(chart.configure_legend(orient="bottom", direction="horizontal"))


def _recent_transfers(model: sim.LabourMarket, months: int = 12) -> dict[int, int]:
    """Firm row -> voluntary job changes into or out of it in the last ``months`` months."""
    counts: dict[int, int] = {}
    for move in reversed(model.transfer_log or []):
        if move["month"] <= model.month - months:
            break
        if move["voluntary"]:
            for firm in (move["from_firm"], move["to_firm"]):
                if firm >= 0:
                    counts[firm] = counts.get(firm, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# Comparison: a second policy on the same seed, in lockstep
# ---------------------------------------------------------------------------------------------
class Twin:
    """The comparison's second model: same seed, scale and months as the first, another policy.

    ``follow(primary)`` rebuilds it when the first model was replaced (a Reset or new levers) and
    steps it until both have run the same months, so the two are compared month for month on
    common random numbers (``sim.model``).
    """

    def __init__(self, preset: str) -> None:
        self.preset = preset
        self.model: sim.LabourMarket | None = None
        self._primary: sim.LabourMarket | None = None
        self._lock = threading.Lock()

    def follow(self, primary: sim.LabourMarket) -> sim.LabourMarket:
        with self._lock:
            if self.model is None or self._primary is not primary or self.model.month > primary.month:
                self.model = sim.LabourMarket(
                    self.preset, seed=primary.seed, run__scale=primary.scale, run__months=primary.scenario.run.months
                )
                self._primary = primary
            while self.model.month < primary.month:
                self.model.step()
            return self.model


def elapsed(months: int, lang: str = "en") -> str:
    """"1 year 3 months" in ``lang``."""
    years, rest = divmod(months, 12)
    parts = [text(lang, "elapsed.year") if years == 1 else text(lang, "elapsed.years", n=years)] if years else []
    if rest or not parts:
        parts.append(text(lang, "elapsed.month") if rest == 1 else text(lang, "elapsed.months", n=rest))
    return (" " if lang == "en" else "").join(parts)


def _relative(a: float, b: float, more: str, fewer: str, same: str, lang: str) -> str:
    """"38% fewer" / "12% more" / "about as many": ``a`` against ``b`` (which must not be 0)."""
    change = (a - b) / b
    if abs(change) < 0.005:
        return text(lang, same)
    return text(lang, more if change > 0 else fewer, p=f"{abs(change):.0%}")


#: The comparison's counts (summed over the months run), as ``dashboards.strings`` names them.
COMPARED_COUNTS = ("disappearances_trainee", "transfers_voluntary_trainee")
#: Share of runs from which "in most runs" is said (and at most 1 - this for "the other way").
MOST_RUNS = 0.7


def compare_in_words(a: pd.DataFrame, b: pd.DataFrame, name_a: str, name_b: str, lang: str = "en",
                     ensemble=None, presets: tuple[str, str] | None = None) -> list[str]:
    """The differences between two runs so far, as sentences (tables: ``with_derived`` of results()).

    With an ``ensemble`` (``dashboards.ensemble.Ensemble``) and the two ``presets``, each count
    is followed by how many precomputed runs agree, so one noisy run is never told as fact.
    """
    months = int(min(a["month"].max(), b["month"].max()))
    if months < 1:
        return [text(lang, "cmp.press_step")]
    a, b = a[a["month"] <= months], b[b["month"] <= months]
    after = elapsed(months, lang)
    run_a, run_b = a[a["month"] >= 1], b[b["month"] >= 1]
    sentences = []
    for column in COMPARED_COUNTS:
        what = text(lang, f"what.{column}")
        x, y = float(run_a[column].sum()), float(run_b[column].sum())
        if y > 0 and abs(x - y) / y < 0.005:
            sentences.append(text(lang, "cmp.this_run_same", after=after, a=name_a, b=name_b, what=what, x=_people(x), y=_people(y)))
        elif y > 0:
            rel = _relative(x, y, "rel.more", "rel.fewer", "rel.same_count", lang)
            sentences.append(text(lang, "cmp.this_run", after=after, a=name_a, b=name_b, rel=rel, what=what, x=_people(x), y=_people(y)))
        else:
            sentences.append(text(lang, "cmp.none_under_b", after=after, a=name_a, b=name_b, what=what, x=_people(x)))
        sentences.append(_in_most_runs(ensemble, presets, column, months, name_a, name_b, after, lang, x - y))
    now_a, now_b = a.iloc[-1], b.iloc[-1]
    wage_a, wage_b = float(now_a["wage_mean_yen"]), float(now_b["wage_mean_yen"])
    if math.isfinite(wage_a) and math.isfinite(wage_b) and wage_b > 0:
        rel = _relative(wage_a, wage_b, "rel.higher", "rel.lower", "rel.same_level", lang)
        sentences.append(text(lang, "cmp.wage", rel=rel, a=name_a, x=f"{wage_a:,.0f}", y=f"{wage_b:,.0f}"))
    for column in ("share_in_debt", "vacancy_fill_nonmetro"):
        x, y = float(now_a[column]), float(now_b[column])
        if math.isfinite(x) and math.isfinite(y):
            gap = 100 * (x - y)
            direction = (text(lang, "gap.same") if abs(gap) < 0.05
                         else text(lang, "gap.points_higher" if gap > 0 else "gap.points_lower", p=f"{abs(gap):.1f}"))
            sentences.append(text(lang, "cmp.share", what=text(lang, f"what.{column}"), x=_pct(x), y=_pct(y), direction=direction, a=name_a))
    sentences.append(text(lang, "cmp.stock", x=_people(float(now_a["stock_total"])), y=_people(float(now_b["stock_total"]))))
    return [s for s in sentences if s]


def _in_most_runs(ensemble, presets, column: str, months: int, name_a: str, name_b: str, after: str, lang: str,
                  this_run: float) -> str:
    """How the precomputed runs compare with this run's difference, or that they cannot say."""
    if ensemble is None or presets is None:
        return ""
    if not (ensemble.has(presets[0]) and ensemble.has(presets[1])) or months > ensemble.months:
        return text(lang, "cmp.no_runs", after=after)
    fewer, more, runs = ensemble.runs_fewer_more(presets[0], presets[1], column, months)
    same_way = fewer if this_run < 0 else more if this_run > 0 else runs - fewer - more
    share = same_way / runs
    verdict = "cmp.verdict.most" if share >= MOST_RUNS else "cmp.verdict.few" if share <= 1 - MOST_RUNS else "cmp.verdict.mixed"
    return text(lang, "cmp.most_runs", n=runs, scale=f"{ensemble.scale:g}", a=name_a, what=text(lang, f"what.{column}"),
                after=after, fewer=fewer, more=more, same=runs - fewer - more, verdict=text(lang, verdict))
