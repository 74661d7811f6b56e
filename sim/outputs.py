"""The monthly table: one row per month (DESIGN.md §6; names and units in docs/outputs.md).

Counts of people, firms and events are *real* numbers: agent counts divided by ``scale``, so
that runs at different scales can be compared. Money is in yen (the FY2024 minimum-wage level
unless ``min_wage_growth_per_year`` or ``min_wage_national_average_yen`` is set). Reporters are plain functions (they pickle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.domain import Status

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Flows counted during a month (events), in the order they appear in the table.
FLOW_COLUMNS: tuple[str, ...] = (
    "arrivals",
    "arrivals_trainee",
    "arrivals_ssw",
    "transfers_voluntary",
    "transfers_voluntary_ssw",
    "transfers_unavoidable",
    "inter_prefecture_moves",
    "moves_into_metro",
    "moves_out_of_metro",
    "disappearances",
    "disappearances_trainee",
    "apprehensions",
    "returns_home",
    "returns_end_of_stay",
    "returns_irregular",
    "releases",
    "to_ssw1",
    "to_ssw2",
    "violations",
    "violations_detected",
    "violations_suppressed",
    "firms_sanctioned",
    "plans_cancelled",
    "firm_closures",
    "reimbursement_yen",
)

#: Stocks and states measured at the end of a month.
STATE_COLUMNS: tuple[str, ...] = (
    "stock_total",
    "stock_titp",
    "stock_esd",
    "stock_ssw1",
    "stock_ssw2",
    "stock_irregular",
    "stock_searching",
    "stock_metro",
    "stock_nonmetro",
    "entered_total",
    "returned_total",
    "removed_total",
    "wage_mean_yen",
    "wage_p10_yen",
    "wage_p90_yen",
    "wage_mean_trainee_yen",
    "debt_mean_yen",
    "share_in_debt",
    "savings_mean_yen",
    "remitted_mean_yen",
    "vacancy_fill_metro",
    "vacancy_fill_nonmetro",
    "skill_mean",
    "japanese_mean",
    "grievance_mean",
    "firms_barred",
    "retention_60m",
)

COLUMNS: tuple[str, ...] = ("month",) + STATE_COLUMNS + FLOW_COLUMNS


def collect(model: LabourMarket) -> dict[str, float]:
    """The row for the month just ended."""
    p, f, s = model.people, model.firms, model.scale
    n = p.n
    counts, sums, wages = kernels.tally(
        p.status[:n], p.firm[:n], model.geo.metro[p.pref[:n]], p.wage_yen[:n], p.debt_yen[:n],
        p.savings_yen[:n], p.remitted_yen[:n], p.skill[:n], p.japanese[:n], p.grievance[:n],
    )
    here = float(counts[: Status.RETURNED].sum())
    legal = float(counts[: Status.IRREGULAR].sum())
    nan = float("nan")
    metro_firm = model.geo.metro[f.pref]
    filled = np.minimum(f.headcount, f.demand)

    def fill(mask: np.ndarray) -> float:
        demand = float(f.demand[mask].sum())
        return float(filled[mask].sum()) / demand if demand > 0 else nan

    def per(total: float, count: float) -> float:
        return float(total) / count if count > 0 else nan

    p10, p90 = _percentiles(wages, (10.0, 90.0)) if len(wages) else (nan, nan)
    row: dict[str, float] = {
        "month": model.month,
        "stock_total": here / s,
        "stock_titp": float(counts[[Status.TITP_1, Status.TITP_2, Status.TITP_3]].sum()) / s,
        "stock_esd": counts[Status.ESD] / s,
        "stock_ssw1": counts[Status.SSW_1] / s,
        "stock_ssw2": counts[Status.SSW_2] / s,
        "stock_irregular": counts[Status.IRREGULAR] / s,
        "stock_searching": sums[9] / s,
        "stock_metro": sums[8] / s,
        "stock_nonmetro": (here - sums[8]) / s,
        "entered_total": p.entered / s,
        "returned_total": (counts[Status.RETURNED] + p.archived_returned) / s,
        "removed_total": (counts[Status.REMOVED] + p.archived_removed) / s,
        "wage_mean_yen": per(sums[0], len(wages)),
        "wage_p10_yen": p10,
        "wage_p90_yen": p90,
        "wage_mean_trainee_yen": per(sums[10], sums[11]),
        "debt_mean_yen": per(sums[1], here),
        "share_in_debt": per(sums[2], here),
        "savings_mean_yen": per(sums[3], here),
        "remitted_mean_yen": per(sums[4], here),
        "vacancy_fill_metro": fill(metro_firm),
        "vacancy_fill_nonmetro": fill(~metro_firm),
        "skill_mean": per(sums[5], legal),
        "japanese_mean": per(sums[6], legal),
        "grievance_mean": per(sums[7], legal),
        "firms_barred": float((f.sanctioned_until > model.month).sum()) / s,
        "retention_60m": retention(model, 60),
    }
    for col in FLOW_COLUMNS:
        row[col] = model.flows.get(col, 0) / s
    return row


def retention(model: LabourMarket, months_after: int) -> float:
    """Share of the people who arrived ``months_after`` months ago who are still in Japan.

    NaN until a cohort that arrived during the run is that old (the initial stock holds only
    the survivors of earlier cohorts, so it cannot say how many stayed).
    """
    cohort_month = model.month - months_after
    if cohort_month < 1:
        return float("nan")
    p = model.people
    cohort = p.arrival_month[: p.n] == cohort_month
    size = int(cohort.sum()) + p.archived_arrivals.get(cohort_month, 0)
    if size == 0:
        return float("nan")
    return float((p.status[: p.n][cohort] < Status.RETURNED).sum()) / size


def _percentiles(values: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles by linear interpolation between order statistics (numpy's default method).

    One partial sort for all of them (``values`` is reordered in place: pass a copy you own).
    """
    n = len(values)
    positions = [q / 100.0 * (n - 1) for q in qs]
    kth = sorted({int(np.floor(x)) for x in positions} | {min(int(np.floor(x)) + 1, n - 1) for x in positions})
    values.partition(kth)
    out = []
    for x in positions:
        lo = int(np.floor(x))
        hi = min(lo + 1, n - 1)
        a, b = float(values[lo]), float(values[hi])
        out.append(a + (b - a) * (x - lo))
    return tuple(out)
