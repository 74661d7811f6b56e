"""Headline outcomes of a run, and their mean and spread over seeds.

``headline(table)`` reduces one run's monthly table (``sim.run_scenario`` or
``model.results()``; columns in ``sim.outputs`` and docs/outputs.md) to a dozen numbers that
answer the policy question: does letting trainees change employer (tenseki) cut
disappearances, and at what cost to rural employers? ``summarise(tables)`` gives, for each
scenario, the mean of each number over seeds with a 95% confidence interval.

Conventions. Month 0 of a table is the initial state (no flows); "months run" are the rows with
``month >= 1`` and "years" is months run / 12. Counts are real numbers of people (agent counts
divided by ``scale``), so runs at different scales compare. Shares are fractions in [0, 1]
(shown as percentages by the command line). A metric that cannot be computed (no months, a
zero denominator) is NaN.

The metrics, in the order they are reported:

``trainee_disappearance_rate_pct``
    The headline (issue 19): the rate the Immigration Services Agency publishes, trainees only: for each full year of the run,
    ``disappearances_trainee`` in the year / (``stock_titp`` + ``stock_esd`` at the start of the
    year + ``arrivals_trainee`` in the year), averaged over the full years. Unit: percent a
    year. Why: comparable with the official 1.2-1.9% a year for TITP (calibration check); NaN
    for runs shorter than a year.
``non_trainee_disappearances_per_1000``
    Disappearances of legal residents who are not trainees (SSW i and ii holders, 介護 holders,
    the 2020-22 bridging status), per 1,000 of their person-years: 1000 x sum of
    (``disappearances`` - ``disappearances_trainee``) / sum over months >= 1 of (``stock_total``
    - ``stock_irregular`` - ``stock_titp`` - ``stock_esd``) / 12. Why: shown apart from the
    trainee rate (about a quarter of all disappearances are theirs), for which no official
    figure exists (ISA publishes trainees' only).
``disappearances_per_1000``
    Legal residents who disappear (abscond into irregular work), per 1,000 person-years of
    legal residence: 1000 x sum of ``disappearances`` / person-years, where person-years =
    sum over months >= 1 of (``stock_total`` - ``stock_irregular``) / 12. Unit: per 1,000
    person-years. Why: the outcome the reform is meant to reduce, per head so that policies
    with more or fewer residents compare.
``trainee_job_changes_per_1000``
    Job changes of trainees (TITP and ESD) at their own wish, per 1,000 trainee-years: 1000 x
    sum of ``transfers_voluntary_trainee`` / sum over months >= 1 of
    (``stock_titp`` + ``stock_esd``) / 12. Unit: per 1,000 trainee-years. Why: how much
    mobility a policy actually gives trainees, the lever the reform pulls (0 under TITP, where
    trainees move only in unavoidable circumstances).
``ssw_job_changes_per_1000``
    Job changes of Specified Skilled Workers (i and ii) at their own wish, per 1,000
    SSW-years: 1000 x sum of ``transfers_voluntary_ssw`` / sum of (``stock_ssw1`` +
    ``stock_ssw2``) / 12. Unit: per 1,000 SSW-years. Why: SSW holders may change employer
    under every policy; shown apart so that their moves are not read as trainees' moves.
``wage_mean_yen``
    Mean monthly gross pay of employed legal residents, mean over the last 12 months. Unit: yen
    a month. Why: whether mobility raises pay (firms compete for workers).
``share_in_debt``
    Share of people in Japan still owing broker debt, mean over the last 12 months. Unit:
    fraction. Why: debt bondage is a driver of disappearance and the target of fee caps.
``vacancy_fill_nonmetro``
    Positions filled / labour demand at firms outside the 8 metro prefectures, mean over the
    last 12 months. Unit: fraction. Why: the rural employers' fear that free job change drains
    them (the reason for the ESD metro caps).
``vacancy_fill_metro``
    The same at firms in the 8 metro prefectures. Unit: fraction. Why: the other side of the
    drain.
``detected_share_of_violations``
    Sum of ``violations_detected`` / sum of ``violations`` over the run. Unit: fraction. Why:
    how well supervision (audits, inspections, independence) finds abuse.
``net_moves_into_metro_per_year``
    (Sum of ``moves_into_metro`` - sum of ``moves_out_of_metro``) / years. Unit: people a year.
    Why: the size of the drain towards Tokyo, Osaka and the other metro prefectures.
``to_ssw1_per_year``
    Changes of status to Specified Skilled Worker i, per year. Unit: people a year. Why: whether
    the programme leads to skilled work, ESD's stated aim.
``to_ssw2_per_year``
    Changes of status to SSW ii (renewable without limit, family allowed), per year. Unit:
    people a year. Why: the route to long-term settlement.
``still_in_japan_after_5y_share``
    Of the people who arrived in some month of the run, the share still in Japan 60 months
    later (``retention_60m``), averaged over the months where it is defined; NaN for runs of
    60 months or less. Unit: fraction. Why: whether people stay on as skilled workers or go home.
``stock_total_end``
    People in Japan (all statuses, irregular included) in the last month. Unit: people. Why: the
    scale of the programme the policy ends up with.

Settlement outcomes (docs/outputs.md, "Settlement"; NaN for tables from before these columns):

``permanent_residents_end``
    ``stock_permanent`` in the last month. Unit: people. Why: the settlement conservatives warn
    of and liberals call membership, in one number.
``family_in_japan_end``
    ``family_in_japan`` (foreign spouses and children in Japan) in the last month. Unit: people.
    Why: family reunification, the other side of letting workers stay.
``school_age_children_end``
    ``school_age_children`` in the last month. Unit: people. Why: the first public cost of
    settlement (schools, Japanese-language support).
``foreign_residents_modelled_end``
    ``foreign_residents_modelled`` (workers and their foreign family) in the last month. Unit:
    people. Why: the model's part of the foreign population, to set against projections.
``births_per_year``
    ``births`` (to two foreign parents) per year of the run. Unit: people a year.
``to_permanent_per_year``
    ``to_permanent`` per year. Unit: people a year. Why: the flow into permanence.
``contributions_per_year_yen``
    Sum of ``contributions_yen`` (tax and social-insurance proxy) / years. Unit: yen a year.
    Why: what the workers pay in, against the costs above.
``integration_cost_per_year_yen``
    Sum of ``integration_cost_yen`` / years. Unit: yen a year. Why: the price of the local lever.

``summarise`` reports, per scenario and metric, the mean over seeds, the sample standard
deviation ``sd`` (0 for one seed), ``n_seeds`` (the seeds where the metric is defined) and
``ci95``, the half-width of a t-based 95% confidence interval for the mean (sd x t(0.975,
n-1) / sqrt(n), the quantile from ``scipy.stats.t``; 0 for one seed), in the metric's stored
unit (fractions as fractions; ``unit`` names it). Seeds of one scenario are independent replications; across
scenarios the same seed shares the same world and "luck" (common random numbers, see
``sim.model``), so differences between scenarios are sharper than their intervals suggest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Metric:
    """How a headline metric is named and shown to a person."""

    label: str  # short human name ("*": a mean over the last 12 months, see LAST_12_NOTE)
    unit: str  # unit of the value as shown (after ``factor``)
    factor: float = 1.0  # shown value = value x factor (e.g. 100 for a share shown in %)
    decimals: int = 1  # decimals shown
    raw_unit: str | None = None  # unit of the value as computed, when ``factor`` changes it

    @property
    def stored_unit(self) -> str:
        """The unit of the value as ``headline`` returns it (before ``factor``)."""
        return self.raw_unit or self.unit

    def format(self, value: float, with_unit: bool = False) -> str:
        """The value as a person reads it: scaled, rounded, thousands separated."""
        if value is None or not math.isfinite(value):
            return "–"
        text = f"{value * self.factor:,.{self.decimals}f}"
        return f"{text} {self.unit}" if with_unit else text


#: The headline metrics in the order they are reported (keys of ``headline``'s dict).
METRICS: dict[str, Metric] = {
    "trainee_disappearance_rate_pct": Metric("Trainee disappearance rate (ISA-style)", "% a year", decimals=2),
    "non_trainee_disappearances_per_1000": Metric("Disappearances of non-trainees (SSW holders ...)", "per 1,000 person-years", decimals=1),
    "disappearances_per_1000": Metric("Disappearances, all legal residents", "per 1,000 person-years", decimals=1),
    "trainee_job_changes_per_1000": Metric("Job changes by trainees, own wish", "per 1,000 trainee-years", decimals=1),
    "ssw_job_changes_per_1000": Metric("Job changes by SSW holders, own wish", "per 1,000 SSW-years", decimals=1),
    "wage_mean_yen": Metric("Mean monthly wage*", "yen a month", decimals=0),
    "share_in_debt": Metric("Share still in broker debt*", "%", factor=100.0, decimals=1, raw_unit="fraction"),
    "vacancy_fill_nonmetro": Metric("Vacancies filled, non-metro*", "%", factor=100.0, decimals=1, raw_unit="fraction"),
    "vacancy_fill_metro": Metric("Vacancies filled, metro*", "%", factor=100.0, decimals=1, raw_unit="fraction"),
    "detected_share_of_violations": Metric("Violations detected", "% of violations", factor=100.0, decimals=1, raw_unit="fraction of violations"),
    "net_moves_into_metro_per_year": Metric("Net moves into metro prefectures", "people a year", decimals=0),
    "to_ssw1_per_year": Metric("Moves up to SSW i", "people a year", decimals=0),
    "to_ssw2_per_year": Metric("Moves up to SSW ii", "people a year", decimals=0),
    "still_in_japan_after_5y_share": Metric("Still in Japan 5 years after arrival", "% of arrivals", factor=100.0, decimals=1, raw_unit="fraction of arrivals"),
    "stock_total_end": Metric("People in Japan at the end", "thousand people", factor=1e-3, decimals=1, raw_unit="people"),
    "permanent_residents_end": Metric("Permanent residents at the end", "thousand people", factor=1e-3, decimals=1, raw_unit="people"),
    "family_in_japan_end": Metric("Family members in Japan at the end", "thousand people", factor=1e-3, decimals=1, raw_unit="people"),
    "school_age_children_end": Metric("School-age children at the end", "thousand people", factor=1e-3, decimals=1, raw_unit="people"),
    "foreign_residents_modelled_end": Metric("Workers and families in Japan at the end", "thousand people", factor=1e-3, decimals=1, raw_unit="people"),
    "births_per_year": Metric("Births in Japan", "people a year", decimals=0),
    "to_permanent_per_year": Metric("Grants of permanent residence", "people a year", decimals=0),
    "contributions_per_year_yen": Metric("Taxes and social insurance paid (proxy)", "billion yen a year", factor=1e-9, decimals=1, raw_unit="yen a year"),
    "integration_cost_per_year_yen": Metric("Cost of integration support", "billion yen a year", factor=1e-9, decimals=2, raw_unit="yen a year"),
}

#: The footnote for labels ending in "*".
LAST_12_NOTE = "* mean over the last 12 months of the run"

#: Columns of ``summarise``'s table (and of ``summary.csv``), in order.
SUMMARY_COLUMNS: tuple[str, ...] = ("scenario", "metric", "unit", "mean", "sd", "ci95", "n_seeds")

def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (df >= 1), from scipy.stats."""
    if df < 1:
        raise ValueError("t975 needs at least one degree of freedom")
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def isa_rate_pct(disappearances: float, stock_at_start: float, entrants: float) -> float:
    """ISA's disappearance rate in %: disappearances / (start-of-year stock + the year's entrants)."""
    base = stock_at_start + entrants
    return 100.0 * disappearances / base if base > 0 else float("nan")


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator > 0 else float("nan")


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def headline(table: pd.DataFrame) -> dict[str, float]:
    """The headline outcomes of one run (see the module docstring for each metric).

    Args:
        table: one run's monthly table, with month 0 (the initial state) and months 1..M.

    Returns:
        A dict with the keys of ``METRICS``, in that order; NaN where a metric is undefined.
    """
    for col in ("scenario", "seed"):
        if col in table and table[col].nunique(dropna=False) > 1:
            raise ValueError(f"headline() takes one run's table; this one holds several values of {col!r}")
    t = table.sort_values("month")
    run = t[t["month"] >= 1]
    months = len(run)
    if months == 0:
        raise ValueError("the table holds no month after month 0 (the initial state)")
    years = months / 12.0

    person_years = float((run["stock_total"] - run["stock_irregular"]).sum()) / 12.0
    trainee_years = float((run["stock_titp"] + run["stock_esd"]).sum()) / 12.0
    ssw_years = float((run["stock_ssw1"] + run["stock_ssw2"]).sum()) / 12.0
    trainee_moves = float(run["transfers_voluntary_trainee"].sum())

    by_month = t.set_index("month")
    rates = []
    for y in range(int(run["month"].max()) // 12):
        start, end = 12 * y, 12 * (y + 1)
        if start not in by_month.index:
            continue
        year = run[(run["month"] > start) & (run["month"] <= end)]
        if len(year) < 12:
            continue
        stock = float(by_month.at[start, "stock_titp"] + by_month.at[start, "stock_esd"])
        rate = isa_rate_pct(float(year["disappearances_trainee"].sum()), stock, float(year["arrivals_trainee"].sum()))
        if math.isfinite(rate):
            rates.append(rate)
    trainee_rate = float(np.mean(rates)) if rates else float("nan")

    last = run.tail(12)
    return {
        "trainee_disappearance_rate_pct": trainee_rate,
        "non_trainee_disappearances_per_1000": 1000.0 * _ratio(run["disappearances"].sum() - run["disappearances_trainee"].sum(),
                                                               person_years - trainee_years),
        "disappearances_per_1000": 1000.0 * _ratio(run["disappearances"].sum(), person_years),
        "trainee_job_changes_per_1000": 1000.0 * _ratio(trainee_moves, trainee_years),
        "ssw_job_changes_per_1000": 1000.0 * _ratio(run["transfers_voluntary_ssw"].sum(), ssw_years),
        "wage_mean_yen": _mean(last["wage_mean_yen"]),
        "share_in_debt": _mean(last["share_in_debt"]),
        "vacancy_fill_nonmetro": _mean(last["vacancy_fill_nonmetro"]),
        "vacancy_fill_metro": _mean(last["vacancy_fill_metro"]),
        "detected_share_of_violations": _ratio(run["violations_detected"].sum(), run["violations"].sum()),
        "net_moves_into_metro_per_year": float(run["moves_into_metro"].sum() - run["moves_out_of_metro"].sum()) / years,
        "to_ssw1_per_year": float(run["to_ssw1"].sum()) / years,
        "to_ssw2_per_year": float(run["to_ssw2"].sum()) / years,
        "still_in_japan_after_5y_share": _mean(run["retention_60m"]),
        "stock_total_end": float(run["stock_total"].iloc[-1]),
        "permanent_residents_end": _last(run, "stock_permanent"),
        "family_in_japan_end": _last(run, "family_in_japan"),
        "school_age_children_end": _last(run, "school_age_children"),
        "foreign_residents_modelled_end": _last(run, "foreign_residents_modelled"),
        "births_per_year": _per_year(run, "births", years),
        "to_permanent_per_year": _per_year(run, "to_permanent", years),
        "contributions_per_year_yen": _per_year(run, "contributions_yen", years),
        "integration_cost_per_year_yen": _per_year(run, "integration_cost_yen", years),
    }


def _last(run: pd.DataFrame, column: str) -> float:
    """The column's value in the last month (NaN for a table without it)."""
    return float(run[column].iloc[-1]) if column in run else float("nan")


def _per_year(run: pd.DataFrame, column: str, years: float) -> float:
    """The column summed over the months run, per year (NaN for a table without it)."""
    return float(run[column].sum()) / years if column in run else float("nan")


def summarise(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean, sd, 95% confidence interval and seed count of each headline metric, by scenario.

    Args:
        tables: one monthly table per run, each with ``scenario`` and ``seed`` columns (as
            ``sim.run_scenario`` returns). Runs of a scenario are grouped by its name.

    Returns:
        One row per (scenario, metric), scenarios in order of first appearance and metrics in
        the order of ``METRICS``; columns ``SUMMARY_COLUMNS``. A metric undefined in some seeds
        is summarised over the others (``n_seeds`` says how many).
    """
    by_scenario: dict[str, dict[object, dict[str, float]]] = {}
    for table in tables:
        if "scenario" not in table or "seed" not in table or table.empty:
            raise ValueError("summarise() needs tables with 'scenario' and 'seed' columns (from sim.run_scenario)")
        name, seed = str(table["scenario"].iloc[0]), table["seed"].iloc[0]
        runs = by_scenario.setdefault(name, {})
        if seed in runs:
            raise ValueError(f"scenario {name!r}: seed {seed} appears twice")
        runs[seed] = headline(table)

    rows = []
    for name, runs in by_scenario.items():
        for metric in METRICS:
            values = np.array([h[metric] for h in runs.values()], dtype=float)
            values = values[np.isfinite(values)]
            n = len(values)
            if n == 0:
                mean = sd = ci = float("nan")
            elif n == 1:
                mean, sd, ci = float(values[0]), 0.0, 0.0
            else:
                mean, sd = float(values.mean()), float(values.std(ddof=1))
                ci = t975(n - 1) * sd / math.sqrt(n)
            rows.append({"scenario": name, "metric": metric, "unit": METRICS[metric].stored_unit, "mean": mean, "sd": sd, "ci95": ci, "n_seeds": n})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
