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
from sim.domain import FIELDS

STATUS_SERIES = {
    "stock_titp": "TITP trainees",
    "stock_esd": "ESD trainees",
    "stock_ssw1": "SSW i",
    "stock_ssw2": "SSW ii",
    "stock_care_worker": "Care workers (介護)",
    "stock_irregular": "Irregular (disappeared)",
}

FLOW_SERIES = {
    "disappearances_trainee": "Trainees who disappeared",
    "transfers_voluntary_trainee": "Trainees' own job changes",
    "transfers_unavoidable": "Unavoidable transfers",
    "to_ssw1": "Moves up to SSW i",
}

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


def headline(table: pd.DataFrame) -> list[Figure]:
    """The headline figures of the month just ended (``table``: ``with_derived`` of results())."""
    now = table.iloc[-1]
    year = last_12(table)
    months = len(year)
    span = f"last {months} month{'s' if months != 1 else ''}" if months else "no month run yet"
    violations = float(year["violations"].sum())
    detected = float(year["violations_detected"].sum()) / violations if violations > 0 else float("nan")
    trainees = now["stock_titp"] + now["stock_esd"]
    return [
        Figure("People in Japan", _people(now["stock_total"]), "all statuses, irregular included"),
        Figure("Trainees (TITP + ESD)", _people(trainees), f"TITP {_people(now['stock_titp'])}, ESD {_people(now['stock_esd'])}"),
        Figure("SSW i / SSW ii", f"{_people(now['stock_ssw1'])} / {_people(now['stock_ssw2'])}", "Specified Skilled Workers"),
        Figure("Irregular", _people(now["stock_irregular"]), "people who disappeared and are still in Japan"),
        Figure("Trainees who disappeared", _people(float(year["disappearances_trainee"].sum())), span),
        Figure("Trainees' own job changes", _people(float(year["transfers_voluntary_trainee"].sum())), span),
        Figure("Mean monthly wage", "–" if not math.isfinite(now["wage_mean_yen"]) else f"¥{now['wage_mean_yen']:,.0f}",
               "gross pay of employed legal residents"),
        Figure("Share in broker debt", _pct(now["share_in_debt"]), "of everyone in Japan"),
        Figure("Violations detected", _pct(detected), f"share of violations found and sanctioned, {span}"),
    ]


# ---------------------------------------------------------------------------------------------
# Time-series charts
# ---------------------------------------------------------------------------------------------
def _records(tables: dict[str, pd.DataFrame], series: dict[str, str]) -> list[dict]:
    """Long-form records (date, series, policy, value), one per month, series and policy."""
    records = []
    for policy, table in tables.items():
        dates = [d.strftime("%Y-%m-%d") for d in table["date"]]
        for column, name in series.items():
            values = table[column].to_numpy(dtype=float)
            records.extend(
                {"date": d, "series": name, "policy": policy, "value": (None if math.isnan(v) else float(v))}
                for d, v in zip(dates, values, strict=True)
            )
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


def _lines(name: str, title: str, y_title: str, compare: bool, y_format: str = ",.0f") -> alt.Chart:
    encoding: dict[str, Any] = dict(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", labelOverlap=True)),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=["policy:N", "series:N", alt.Tooltip("date:T", format="%Y-%m"), alt.Tooltip("value:Q", format=y_format)],
    )
    if compare:
        encoding["strokeDash"] = alt.StrokeDash("policy:N", title=None, legend=alt.Legend(orient="bottom"))
    return alt.Chart(alt.Data(name=name), title=title).mark_line().encode(**encoding).properties(width="container", height=220)


@lru_cache(maxsize=None)
def _template(kind: str, compare: bool) -> dict:
    if kind == "status":
        return _lines("series", "People in Japan by status", "people", compare).to_dict()
    if kind == "flows":
        return _lines("series", "Each month", "people a month", compare).to_dict()
    wage = _lines("wage", "Mean monthly wage", "yen", compare).properties(width=210)
    debt = _lines("debt", "Share in broker debt", "share", compare, ".0%").properties(width=210)
    return alt.hconcat(wage, debt).resolve_scale(color="independent").to_dict()


def status_chart(tables: dict[str, pd.DataFrame]) -> dict:
    """People in Japan by status, one line per status (dashed: the second policy); a Vega-Lite spec."""
    return with_data(_template("status", len(tables) > 1), {"series": _records(tables, STATUS_SERIES)})


def flows_chart(tables: dict[str, pd.DataFrame]) -> dict:
    """The month's flows: disappearances, job changes, moves up to SSW i."""
    return with_data(_template("flows", len(tables) > 1), {"series": _records(tables, FLOW_SERIES)})


def money_chart(tables: dict[str, pd.DataFrame]) -> dict:
    """Mean wage and the share in broker debt, side by side."""
    return with_data(_template("money", len(tables) > 1), {
        "wage": _records(tables, {"wage_mean_yen": "Mean monthly wage"}),
        "debt": _records(tables, {"share_in_debt": "Share in broker debt"}),
    })


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


def map_chart(values: pd.Series, measure: str) -> dict:
    """Japan's 47 prefectures coloured by ``values`` (``map_values``); a Vega-Lite spec."""
    unit = MAP_MEASURES[measure][2]
    features = []
    for feature, (name, value) in zip(prefecture_features(), values.items(), strict=True):
        value = float(value) if value is not None and math.isfinite(float(value)) else None
        if value is not None and unit == "%":
            value = 100 * value
        features.append({**feature, "properties": {**feature["properties"], "name": name, "value": value}})
    return with_data(_map_template(measure), {"prefectures": features})


@lru_cache(maxsize=None)
def _map_template(measure: str) -> dict:
    _, how, unit = MAP_MEASURES[measure]
    fmt = ",.0f" if unit != "%" else ".1f"
    scale = alt.Scale(scheme="blueorange", domainMid=0) if how == "last12" else alt.Scale(scheme="viridis")
    return (
        alt.Chart(alt.Data(name="prefectures"), title=f"{measure} ({unit})")
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .encode(
            color=alt.Color("properties.value:Q", title=unit, scale=scale),
            tooltip=[alt.Tooltip("properties.name:N", title="prefecture"), alt.Tooltip("properties.value:Q", title=unit, format=fmt)],
        )
        .project(type="identity", reflectY=True)
        .properties(width=420, height=420)
        .to_dict()
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


def network_chart(model: sim.LabourMarket, sample: NetworkSample, colour_by: str = "compliance") -> dict:
    """The sample now: firms sized by workers, coloured by compliance or field; recent transfers in orange."""
    firms = model.firms
    recent = _recent_transfers(model)
    nodes = []
    for f in sample.firms:
        x, y = sample.positions[("firm", int(f))]
        moved = recent.get(int(f), 0)
        nodes.append(dict(
            x=x, y=y, kind="firm", workers=int(firms.headcount[f]), compliance=round(float(firms.compliance[f]), 2),
            field=FIELDS[int(firms.field[f])], prefecture=model.geo.name[int(firms.pref[f])], transfers=moved,
            label=f"firm {int(f)}",
        ))
    body_nodes = []
    for b in sample.bodies:
        x, y = sample.positions[("body", int(b))]
        body_nodes.append(dict(x=x, y=y, label=f"supervisory body {int(b)}", independence=round(float(model.bodies.independence[b]), 2),
                               members=int((firms.supervisory_body == b).sum())))
    edges = []
    for f in sample.firms:
        a = sample.positions[("firm", int(f))]
        b = sample.positions[("body", int(firms.supervisory_body[f]))]
        edges.append(dict(x=a[0], y=a[1], x2=b[0], y2=b[1], tie="member of"))
    for fa, fb in sample.firm_ties:
        a, b = sample.positions[("firm", fa)], sample.positions[("firm", fb)]
        edges.append(dict(x=a[0], y=a[1], x2=b[0], y2=b[1], tie="firms that know each other"))
    return with_data(_network_template(colour_by), {"edges": edges, "firms": nodes, "bodies": body_nodes})


@lru_cache(maxsize=None)
def _network_template(colour_by: str) -> dict:
    axis = dict(axis=None)
    edge_layer = alt.Chart(alt.Data(name="edges")).mark_rule(opacity=0.35).encode(
        x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), x2="x2:Q", y2="y2:Q",
        strokeDash=alt.StrokeDash("tie:N", title=None, legend=alt.Legend(orient="bottom")),
    )
    colour = (
        alt.Color("compliance:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]), title="compliance")
        if colour_by == "compliance" else alt.Color("field:N", title="field")
    )
    firm_layer = alt.Chart(alt.Data(name="firms")).mark_circle(opacity=0.9).encode(
        x="x:Q", y="y:Q", size=alt.Size("workers:Q", title="workers", scale=alt.Scale(range=[20, 600])), color=colour,
        stroke=alt.condition("datum.transfers > 0", alt.value("#ff7f0e"), alt.value("white")),
        strokeWidth=alt.condition("datum.transfers > 0", alt.value(3), alt.value(0.5)),
        tooltip=["label:N", "prefecture:N", "field:N", "workers:Q", "compliance:Q",
                 alt.Tooltip("transfers:Q", title="job changes in or out, last 12 months")],
    )
    body_layer = alt.Chart(alt.Data(name="bodies")).mark_square(size=260, color="#333").encode(
        x="x:Q", y="y:Q", tooltip=["label:N", "independence:Q", alt.Tooltip("members:Q", title="member firms (all)")],
    )
    return alt.layer(edge_layer, firm_layer, body_layer).resolve_scale(color="independent").properties(width=520, height=420).to_dict()


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


def elapsed(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest or not parts:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


def _relative(a: float, b: float, more: str, fewer: str) -> str:
    """"38% fewer" / "12% more" / "about the same": ``a`` against ``b`` (which must not be 0)."""
    change = (a - b) / b
    if abs(change) < 0.005:
        return "about as many"
    return f"{abs(change):.0%} {more if change > 0 else fewer}"


def compare_in_words(a: pd.DataFrame, b: pd.DataFrame, name_a: str, name_b: str) -> list[str]:
    """The differences between two runs so far, as sentences (tables: ``with_derived`` of results())."""
    months = int(min(a["month"].max(), b["month"].max()))
    if months < 1:
        return ["Press Step or Play: both policies then run month by month on the same seed."]
    a, b = a[a["month"] <= months], b[b["month"] <= months]
    after = f"after {elapsed(months)}"
    run_a, run_b = a[a["month"] >= 1], b[b["month"] >= 1]
    sentences = []
    for column, what in (("disappearances_trainee", "disappearances of trainees"),
                         ("transfers_voluntary_trainee", "job changes by trainees' own wish")):
        x, y = float(run_a[column].sum()), float(run_b[column].sum())
        if y > 0:
            sentences.append(f"{name_a}: {_relative(x, y, 'more', 'fewer')} {what} than {name_b} {after} "
                             f"({_people(x)} against {_people(y)}).")
        else:
            sentences.append(f"{what.capitalize()} {after}: {_people(x)} under {name_a}, none under {name_b}.")
    now_a, now_b = a.iloc[-1], b.iloc[-1]
    wage_a, wage_b = float(now_a["wage_mean_yen"]), float(now_b["wage_mean_yen"])
    if math.isfinite(wage_a) and math.isfinite(wage_b) and wage_b > 0:
        wage = _relative(wage_a, wage_b, "higher", "lower").replace("about as many", "about the same")
        sentences.append(f"Mean monthly wage now: {wage} under {name_a} (¥{wage_a:,.0f} against ¥{wage_b:,.0f}).")
    for column, what in (("share_in_debt", "Share in broker debt"), ("vacancy_fill_nonmetro", "Vacancies filled outside the metro areas")):
        x, y = float(now_a[column]), float(now_b[column])
        if math.isfinite(x) and math.isfinite(y):
            gap = 100 * (x - y)
            direction = "the same" if abs(gap) < 0.05 else f"{abs(gap):.1f} points {'higher' if gap > 0 else 'lower'}"
            sentences.append(f"{what}: {_pct(x)} against {_pct(y)}, {direction} under {name_a}.")
    sentences.append(f"People in Japan now: {_people(float(now_a['stock_total']))} against {_people(float(now_b['stock_total']))}.")
    return sentences
