"""The monthly tables: national (one row per month) and by group (docs/design.md §6; docs/outputs.md).

Counts of people, firms and events are *real* numbers: agent counts divided by ``scale``, so
that runs at different scales can be compared. Money is in yen (the FY2024 minimum-wage level
unless ``min_wage_growth_per_year`` or ``min_wage_national_average_yen`` is set). Reporters are plain functions (they pickle).

The by-group tables (``model.results(by="prefecture" | "field" | "origin")``) hold, for each
month and group, the national columns that make sense per group (``GROUP_COLUMNS``): stocks by
status, the month's flows of people counted in the group where the event happened (a transfer in
the group the mover left), moves into and out of a prefecture, wages and money, and for
prefectures and fields the firms' events and vacancy fill. Summed over the groups of a grouping,
every count equals the national column of the same name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim import settlement
from sim.domain import FIELDS, ORIGINS, Status
from sim.processes.codes import IN_JAPAN, IS_LEGAL, STATUS_KINDS, column_by_status, column_index, of_kind

if TYPE_CHECKING:
    import pandas as pd

    from sim.model import LabourMarket

#: Flows counted during a month (events), in the order they appear in the table.
FLOW_COLUMNS: tuple[str, ...] = (
    "arrivals",
    "arrivals_trainee",
    "arrivals_ssw",
    "transfers_voluntary",
    "transfers_voluntary_ssw",
    "transfers_voluntary_trainee",
    "transfers_voluntary_care_worker",
    "transfers_unavoidable",
    "transfers_at_stage_iii",
    "transfers_refused_by_firm_cap",
    "transfers_refused_by_metro_cap",
    "inter_prefecture_moves",
    "employer_changes_ssw",
    "inter_prefecture_moves_ssw",
    "moves_into_metro",
    "moves_out_of_metro",
    "disappearances",
    "disappearances_trainee",
    "apprehensions",
    "returns_home",
    "returns_end_of_stay",
    "returns_irregular",
    "releases",
    "to_titp3",
    "to_ssw1",
    "to_ssw2",
    "to_care_worker",
    "violations",
    "violations_detected",
    "violations_suppressed",
    "firm_inspections",
    "inspection_findings",
    "firms_sanctioned",
    "plans_cancelled",
    "plans_cancelled_expected",
    "body_inspections",
    "body_inspection_findings",
    "so_licences_revoked",
    "so_licences_revoked_expected",
    "firms_lost_supervisor",
    "firm_closures",
    "reimbursement_yen",
    "recruitment_cost_yen",
) + settlement.FLOW_COLUMNS

#: Stocks and states measured at the end of a month.
STATE_COLUMNS: tuple[str, ...] = (
    "stock_total",
    "stock_titp",
    "stock_titp3",
    "stock_bridging",
    "stock_esd",
    "stock_ssw1",
    "stock_ssw2",
    "stock_care_worker",
    "stock_irregular",
    "stock_overstayers_trainee",
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
    "bodies_barred",
    "retention_60m",
    "ssw1_entrants_changed",
) + settlement.STATE_COLUMNS

COLUMNS: tuple[str, ...] = ("month",) + STATE_COLUMNS + FLOW_COLUMNS


def collect(model: LabourMarket, tally: MonthTally | None = None) -> dict[str, float]:
    """The row for the month just ended (from ``tally``, this month's ``month_tally``, if given)."""
    p, f, s = model.people, model.firms, model.scale
    t = month_tally(model) if tally is None else tally
    counts, sums, wages = t.status_counts, t.sums, t.wages
    here = float(counts[IN_JAPAN].sum())
    legal = float(counts[IS_LEGAL].sum())
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
        "month": model.month - model.first_month,  # 0: the run's initial state (a checkpoint's)
        "stock_total": here / s,
        "stock_titp": float(counts[[Status.TITP_1, Status.TITP_2, Status.TITP_3]].sum()) / s,
        "stock_titp3": counts[Status.TITP_3] / s,
        "stock_bridging": t.bridging / s,
        "stock_esd": counts[Status.ESD] / s,
        "stock_ssw1": counts[Status.SSW_1] / s,
        "stock_ssw2": counts[Status.SSW_2] / s,
        "stock_care_worker": counts[Status.CARE_WORKER] / s,
        "stock_irregular": counts[Status.IRREGULAR] / s,
        "stock_overstayers_trainee": t.overstayers_trainee / s,
        "stock_searching": sums[SUM.searching] / s,
        "stock_metro": sums[SUM.in_metro] / s,
        "stock_nonmetro": (here - sums[SUM.in_metro]) / s,
        "entered_total": p.entered / s,
        "returned_total": (counts[Status.RETURNED] + p.archived_returned) / s,
        "removed_total": (counts[Status.REMOVED] + p.archived_removed) / s,
        "wage_mean_yen": per(sums[SUM.wages_yen], len(wages)),
        "wage_p10_yen": p10,
        "wage_p90_yen": p90,
        "wage_mean_trainee_yen": per(sums[SUM.trainee_wages_yen], sums[SUM.trainees_paid]),
        "debt_mean_yen": per(sums[SUM.debt_yen], here),
        "share_in_debt": per(sums[SUM.in_debt], here),
        "savings_mean_yen": per(sums[SUM.savings_yen], here),
        "remitted_mean_yen": per(sums[SUM.remitted_yen], here),
        "vacancy_fill_metro": fill(metro_firm),
        "vacancy_fill_nonmetro": fill(~metro_firm),
        "skill_mean": per(sums[SUM.skill], legal),
        "japanese_mean": per(sums[SUM.japanese], legal),
        "grievance_mean": per(sums[SUM.grievance], legal),
        "firms_barred": float((f.barred_until > model.month).sum()) / s,
        "bodies_barred": float((model.bodies.barred_until > model.month).sum()) / s,
        "retention_60m": retention(model, t),
        "ssw1_entrants_changed": (model.ssw1_changed_by_entry[model.month] if model.month < len(model.ssw1_changed_by_entry) else 0.0) / s,  # no entrants recorded yet that month
    }
    row.update(settlement.national(model, t.settlement, counts))
    settlement.correct_status_stocks(row, t.settlement, model.group_flows.sizes["prefecture"])
    for col in FLOW_COLUMNS:
        row[col] = model.flows.get(col, 0) / s
    return row


#: The national sums of ``month_tally_kernel`` (``MonthTally.sums``; agent counts, yen), and their positions by name.
NATIONAL_SUMS: tuple[str, ...] = (
    "wages_yen", "debt_yen", "in_debt", "savings_yen", "remitted_yen", "skill", "japanese", "grievance", "in_metro",
    "searching", "trainee_wages_yen", "trainees_paid",
)
N_NATIONAL_SUMS = len(NATIONAL_SUMS)
SUM = column_index("NationalSum", NATIONAL_SUMS)

#: ``retention_60m``: the share still in Japan of those who arrived this many months ago.
RETENTION_MONTHS = 60


def retention(model: LabourMarket, tally: MonthTally) -> float:
    """Share of the people who arrived ``RETENTION_MONTHS`` months ago who are still in Japan
    (the cohort counted by ``month_tally``).

    NaN until a cohort that arrived during the run is that old (the initial stock holds only
    the survivors of earlier cohorts, so it cannot say how many stayed).
    """
    cohort_month = model.month - RETENTION_MONTHS
    if cohort_month < 1:
        return float("nan")
    size = tally.cohort + model.people.archived_arrivals.get(cohort_month, 0)
    if size == 0:
        return float("nan")
    return float(tally.cohort_in_japan) / size


def _percentiles(values: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles of positive float32 ``values`` by linear interpolation between order
    statistics (numpy's default method).

    The order statistics come from ``order_statistics`` (two counting passes, exact) rather
    than a partial sort: the same values, a quarter of the time at full scale.
    """
    n = len(values)
    positions = [q / 100.0 * (n - 1) for q in qs]
    kth = sorted({int(np.floor(x)) for x in positions} | {min(int(np.floor(x)) + 1, n - 1) for x in positions})
    at = dict(zip(kth, order_statistics(values, np.array(kth, dtype=np.int64)).tolist()))
    out = []
    for x in positions:
        lo = int(np.floor(x))
        hi = min(lo + 1, n - 1)
        a, b = float(at[lo]), float(at[hi])
        out.append(a + (b - a) * (x - lo))
    return tuple(out)


#: Bits of a float32 key taken in each counting pass of ``order_statistics``.
RADIX_BITS = 16
RADIX_BINS = 1 << RADIX_BITS


@njit(cache=True)
def order_statistics(values, ks):  # pragma: no cover - compiled
    """The values at sorted positions ``ks`` (0-based) of ``values``: positive float32, whose bit
    patterns sort as the numbers do. Exact: the first pass counts the high 16 bits and finds
    each k's bin and rank in it; the second counts the low 16 bits within those bins."""
    bits = values.view(np.uint32)
    n_k = ks.shape[0]
    high = np.zeros(RADIX_BINS, dtype=np.int64)
    for i in range(bits.shape[0]):
        high[bits[i] >> RADIX_BITS] += 1
    bin_of = np.empty(n_k, dtype=np.int64)
    rank = np.empty(n_k, dtype=np.int64)
    for j in range(n_k):
        below = 0
        for b in range(RADIX_BINS):
            if below + high[b] > ks[j]:
                bin_of[j], rank[j] = b, ks[j] - below
                break
            below += high[b]
    low = np.zeros((n_k, RADIX_BINS), dtype=np.int64)
    for i in range(bits.shape[0]):
        h = bits[i] >> RADIX_BITS
        for j in range(n_k):
            if h == bin_of[j]:
                low[j, bits[i] & (RADIX_BINS - 1)] += 1
    keys = np.empty(n_k, dtype=np.uint32)
    for j in range(n_k):
        below = 0
        for b in range(RADIX_BINS):
            if below + low[j, b] > rank[j]:
                keys[j] = (bin_of[j] << RADIX_BITS) | b
                break
            below += low[j, b]
    return keys.view(np.float32)


#: Debt above this counts as "in debt" (rounding dust below it does not).
IN_DEBT_YEN = 1.0


class MonthTally(NamedTuple):
    """What the monthly rows count over everyone, from one pass (``month_tally_kernel``).

    National (agent counts): ``status_counts`` (people by status code), ``sums`` (the
    ``NATIONAL_SUMS``, positions ``SUM``), the paid wages (for percentiles), people in a bridging stay,
    trainees overstaying, and the cohort of ``retention`` (arrived, and of them still in Japan).
    By group (rows: ``GroupFlows.offsets``): ``groups`` (agent counts and sums, ``GROUP_TALLY``,
    read by ``collect_by_group``) and ``settlement`` (``settlement.TALLY``, real numbers: / scale).
    """

    status_counts: np.ndarray
    sums: np.ndarray
    wages: np.ndarray
    bridging: int
    overstayers_trainee: int
    cohort: int
    cohort_in_japan: int
    groups: np.ndarray
    settlement: np.ndarray


#: The counts of events of ``month_tally_kernel`` (its ``events``), named as the fields of
#: ``MonthTally`` they fill, and their positions by name.
MONTH_EVENTS: tuple[str, ...] = ("bridging", "overstayers_trainee", "cohort", "cohort_in_japan")
N_MONTH_EVENTS = len(MONTH_EVENTS)
EVENT = column_index("MonthEvent", MONTH_EVENTS)


def month_tally(model: LabourMarket) -> MonthTally:
    """This month's tallies over everyone, for ``collect`` and ``collect_by_group``."""
    p = model.people
    n = p.n
    sizes = model.group_flows.sizes
    assert GROUPINGS == ("prefecture", "field", "origin")  # the kernel's order
    counts, sums, wages, events, money, cells, settled_cells = month_tally_kernel(
        p.status[:n], p.firm[:n], p.pref[:n], p.field[:n], p.origin[:n], sizes["prefecture"], sizes["field"], sizes["origin"],
        model.geo.metro, p.wage_yen[:n], p.debt_yen[:n], p.savings_yen[:n], p.remitted_yen[:n], p.skill[:n], p.japanese[:n],
        p.grievance[:n], p.bridging_until[:n], p.stay_expired_month[:n], p.arrival_month[:n],
        model.month - RETENTION_MONTHS, settlement.Columns.of(p, n), model.month, STATUS_KINDS,
    )
    shape = (sizes["prefecture"], sizes["field"], sizes["origin"])
    groups = fold_cells(cells, shape)
    groups[:, GROUP_MONEY] = money[:, GROUP_MONEY]
    settled = fold_cells(settled_cells, shape)
    settled[:, settlement.WAGES] = money[:, GROUP_WAGES]  # the same people's wages, added in the same order
    return MonthTally(counts, sums, wages, groups=groups, settlement=settled / model.scale,
                      **{name: int(events[k]) for name, k in EVENT._asdict().items()})


def fold_cells(cells: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Counts per cell (prefecture x field x origin, ``month_tally_kernel``) summed into the rows of
    each grouping: the prefectures, then the fields, then the origins (``GroupFlows.offsets``).

    Exact in any order: every entry is a whole number far below 2**53.
    """
    c = cells.reshape(shape + cells.shape[1:])
    return np.concatenate([c.sum(axis=(1, 2)), c.sum(axis=(0, 2)), c.sum(axis=(0, 1))])


@njit(cache=True)
def month_tally_kernel(status, firm, pref, field, origin, n_pref, n_field, n_origin, metro_pref, wage_yen, debt_yen,
                       savings_yen, remitted_yen, skill, japanese, grievance, bridging_until, stay_expired_month,
                       arrival_month, cohort_month, family, month, kinds):  # pragma: no cover - compiled
    """One pass over everyone for all the tallies of the month's rows (see ``MonthTally``).

    One loop instead of three (national, by group, settlement by group), and each person's counts
    added once, to their cell (prefecture x field x origin; ``fold_cells`` sums the cells into
    the groups afterwards, exactly) rather than to each of their three groups. Sums of money,
    which depend on the order of the additions, are added per group in row order, as before
    (the same sums to the bit). ``family``: ``settlement.Columns``; each person's settlement
    counts are added by ``settlement.add_person``, their other counts by ``_add_to_cell``, their
    money by ``_add_money``.

    ``sums``: the ``NATIONAL_SUMS``; ``events``: the ``MONTH_EVENTS``; ``kinds``:
    ``codes.STATUS_KINDS``. The two tables of columns by status code (``GROUP_STATUS_COLUMN``,
    ``settlement.SETTLED_COLUMN``) are read as globals, that is as compile-time constants: passed
    as arguments they made the kernel twice as slow (2.5 -> 5 ms at scale 0.1). They name no
    status by its order, and no cache keeps old ones (it is keyed on all the sources,
    ``sim._find_numba_cache``).
    """
    residence, spouse, family_in_japan, children, child1, child2, child3, birth_month, months_in_japan = family
    counts = np.zeros(GROUP_STATUS_COLUMN.shape[0], dtype=np.int64)  # one per status code
    wages = np.empty(status.shape[0], dtype=np.float32)
    money = np.zeros((n_pref + n_field + n_origin, N_GROUP_TALLY))
    cells = np.zeros((n_pref * n_field * n_origin, N_GROUP_TALLY))
    settled_cells = np.zeros((n_pref * n_field * n_origin, settlement.N_TALLY))
    n_wages = 0
    # The national sums and counts in local variables (registers), not in an array: a store and a
    # load per person and sum otherwise, on the loop's critical path. The same additions, in order
    # (float64 as numpy scalars so that the source run as Python adds float32 values as numba does).
    wage = debt = in_debt = savings = remitted = skill_sum = japanese_sum = grievance_sum = np.float64(0.0)
    metro = searching = trainee_wage = trainees_paid = np.float64(0.0)
    bridging = overstaying = cohort = cohort_here = 0
    for i in range(status.shape[0]):
        s = status[i]
        counts[s] += 1
        if arrival_month[i] == cohort_month:
            cohort += 1
            if of_kind(kinds.in_japan, s):
                cohort_here += 1
        if not of_kind(kinds.in_japan, s):
            continue
        # National.
        debt += debt_yen[i]
        if debt_yen[i] > IN_DEBT_YEN:
            in_debt += 1
        savings += savings_yen[i]
        remitted += remitted_yen[i]
        if metro_pref[pref[i]]:
            metro += 1
        paid = firm[i] >= 0 and wage_yen[i] > 0.0  # not those hired after this month's payday
        if of_kind(kinds.legal, s):
            skill_sum += skill[i]
            japanese_sum += japanese[i]
            grievance_sum += grievance[i]
            if paid:
                wages[n_wages] = wage_yen[i]
                wage += wage_yen[i]
                n_wages += 1
                if of_kind(kinds.trainee, s):
                    trainee_wage += wage_yen[i]
                    trainees_paid += 1
            elif firm[i] < 0:
                searching += 1
        if of_kind(kinds.titp, s) and bridging_until[i] >= 0:
            bridging += 1
        if s == kinds.irregular and 0 <= stay_expired_month[i] <= month:
            overstaying += 1
        # By group: counts in the person's cell, money in each of their groups.
        c = (pref[i] * n_field + field[i]) * n_origin + origin[i]
        _add_to_cell(cells, c, s, firm[i], paid, debt_yen[i], kinds, GROUP_STATUS_COLUMN)
        n_children = n_school = n_working = 0.0
        if children[i] > 0:  # (most have none: their children's columns are not read)
            n_children, n_school, n_working = settlement.children_by_age(children[i], child1[i], child2[i], child3[i], month)
        settlement.add_person(settled_cells, c, s, residence[i], spouse[i], family_in_japan[i], month - birth_month[i],
                              n_children, n_school, n_working, months_in_japan[i], paid, kinds, settlement.SETTLED_COLUMN)
        _add_money(money, pref[i], s, paid, wage_yen[i], debt_yen[i], savings_yen[i], kinds)
        _add_money(money, n_pref + field[i], s, paid, wage_yen[i], debt_yen[i], savings_yen[i], kinds)
        _add_money(money, n_pref + n_field + origin[i], s, paid, wage_yen[i], debt_yen[i], savings_yen[i], kinds)
    sums = np.empty(N_NATIONAL_SUMS)
    sums[SUM.wages_yen] = wage
    sums[SUM.debt_yen] = debt
    sums[SUM.in_debt] = in_debt
    sums[SUM.savings_yen] = savings
    sums[SUM.remitted_yen] = remitted
    sums[SUM.skill] = skill_sum
    sums[SUM.japanese] = japanese_sum
    sums[SUM.grievance] = grievance_sum
    sums[SUM.in_metro] = metro
    sums[SUM.searching] = searching
    sums[SUM.trainee_wages_yen] = trainee_wage
    sums[SUM.trainees_paid] = trainees_paid
    events = np.empty(N_MONTH_EVENTS, dtype=np.int64)
    events[EVENT.bridging] = bridging
    events[EVENT.overstayers_trainee] = overstaying
    events[EVENT.cohort] = cohort
    events[EVENT.cohort_in_japan] = cohort_here
    return counts, sums, wages[:n_wages], events, money, cells, settled_cells


# =============================================================================================
# By group: prefecture, field, origin
# =============================================================================================
#: The groupings of the by-group tables and the people column that holds a person's group.
PERSON_GROUP_COLUMN: dict[str, str] = {"prefecture": "pref", "field": "field", "origin": "origin"}
#: The groupings that firms belong to, and the firm column that holds a firm's group.
FIRM_GROUP_COLUMN: dict[str, str] = {"prefecture": "pref", "field": "field"}
GROUPINGS: tuple[str, ...] = tuple(PERSON_GROUP_COLUMN)

#: Flows of people counted by group (each also a national column).
GROUP_PEOPLE_FLOWS: tuple[str, ...] = (
    "arrivals", "arrivals_trainee", "arrivals_ssw", "transfers_voluntary", "transfers_voluntary_ssw",
    "transfers_voluntary_trainee", "transfers_voluntary_care_worker", "transfers_unavoidable", "transfers_at_stage_iii",
    "disappearances", "disappearances_trainee", "apprehensions",
    "returns_home", "returns_end_of_stay", "returns_irregular", "releases", "to_titp3", "to_ssw1", "to_ssw2",
    "to_care_worker",
) + settlement.GROUP_FLOW_COLUMNS
#: Moves between prefectures, into and out of each (prefectures only; each sums to ``inter_prefecture_moves``).
GROUP_PLACE_FLOWS: tuple[str, ...] = ("moves_in", "moves_out")
#: Events at firms, counted in the firm's prefecture and field.
GROUP_FIRM_FLOWS: tuple[str, ...] = (
    "violations", "violations_detected", "violations_suppressed", "firm_inspections", "inspection_findings",
    "firms_sanctioned", "plans_cancelled", "plans_cancelled_expected", "firms_lost_supervisor", "firm_closures",
)
#: Stocks and states of people by group, measured at the end of the month.
GROUP_PEOPLE_STATES: tuple[str, ...] = (
    "stock_total", "stock_titp", "stock_esd", "stock_ssw1", "stock_ssw2", "stock_care_worker", "stock_irregular",
    "stock_searching", "workers_paid", "wage_mean_yen", "wage_mean_trainee_yen", "debt_mean_yen", "share_in_debt", "savings_mean_yen",
)
#: States of firms by group.
GROUP_FIRM_STATES: tuple[str, ...] = ("vacancy_fill",)
#: Settled residents, families, costs and contributions by group (``sim.settlement``; the working-age share for prefectures only).
GROUP_SETTLEMENT_STATES: tuple[str, ...] = settlement.GROUP_STATE_COLUMNS

#: Every column a by-group table can have, in table order (after ``month`` and ``group``).
GROUP_COLUMNS: tuple[str, ...] = (
    GROUP_PEOPLE_STATES + GROUP_FIRM_STATES + GROUP_SETTLEMENT_STATES + GROUP_PEOPLE_FLOWS + GROUP_PLACE_FLOWS + GROUP_FIRM_FLOWS
)
_COL = {name: k for k, name in enumerate(GROUP_COLUMNS)}


def group_columns(grouping: str) -> tuple[str, ...]:
    """The columns of one grouping's table: firm columns only where firms belong to the group, moves only for places."""
    firm = grouping in FIRM_GROUP_COLUMN
    return tuple(
        c for c in GROUP_COLUMNS
        if (firm or c not in GROUP_FIRM_STATES + GROUP_FIRM_FLOWS)
        and (grouping == "prefecture" or c not in GROUP_PLACE_FLOWS + ("foreign_share_working_age",))
    )


def group_labels(model: LabourMarket, grouping: str) -> tuple[str, ...]:
    """The names of the groups of ``grouping``, in index order."""
    return {"prefecture": tuple(model.geo.name), "field": FIELDS, "origin": ORIGINS}[grouping]


class GroupFlows:
    """This month's flows by group, counted where the events happen (``Ledger.count_flow``).

    One vector per flow over every group of every grouping: the prefectures, then the fields,
    then the origins (``offsets``), so that counting an event is one compiled call.
    """

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = sizes
        self.offsets = np.cumsum([0] + [sizes[g] for g in GROUPINGS]).astype(np.int64)
        self.counts: dict[str, np.ndarray] = {}
        self._no_weights = np.zeros(0)

    def _vector(self, name: str) -> np.ndarray:
        counts = self.counts.get(name)
        if counts is None:
            counts = self.counts[name] = np.zeros(int(self.offsets[-1]))
        return counts

    def add_people(self, name: str, rows: np.ndarray, people, weights: np.ndarray | None = None) -> None:
        """Events of the people at ``rows`` (one each, or ``weights``), in their prefecture, field and origin."""
        w = self._no_weights if weights is None else np.asarray(weights, dtype=np.float64)
        add_people_kernel(self._vector(name), np.asarray(rows, dtype=np.int64), people.pref, people.field, people.origin,
                          w, self.offsets)

    def add_firms(self, name: str, firm_rows: np.ndarray, firms, weights: np.ndarray | None = None) -> None:
        """Events at firms (one each, or ``weights``), in the firm's prefecture and field."""
        w = self._no_weights if weights is None else np.asarray(weights, dtype=np.float64)
        add_firms_kernel(self._vector(name), np.asarray(firm_rows, dtype=np.int64), firms.pref, firms.field, w, self.offsets)

    def add_places(self, name: str, prefs: np.ndarray) -> None:
        """One event per entry of ``prefs`` in that prefecture (moves into and out of prefectures)."""
        n_prefs = self.sizes["prefecture"]
        self._vector(name)[:n_prefs] += np.bincount(prefs, minlength=n_prefs)

    def clear(self) -> None:
        self.counts.clear()


@njit(cache=True)
def add_people_kernel(counts, rows, pref, field, origin, weights, offsets):  # pragma: no cover
    for k in range(rows.shape[0]):
        i = rows[k]
        w = 1.0 if weights.shape[0] == 0 else weights[k]
        counts[offsets[0] + pref[i]] += w
        counts[offsets[1] + field[i]] += w
        counts[offsets[2] + origin[i]] += w


@njit(cache=True)
def add_firms_kernel(counts, rows, pref, field, weights, offsets):  # pragma: no cover
    for k in range(rows.shape[0]):
        i = rows[k]
        w = 1.0 if weights.shape[0] == 0 else weights[k]
        counts[offsets[0] + pref[i]] += w
        counts[offsets[1] + field[i]] += w


#: Columns of ``MonthTally.groups``: in Japan, TITP, ESD, SSW i, SSW ii, irregular, searching, paid,
#: wage sum, trainees paid, trainee wage sum, debt sum, in debt, savings sum, care workers (介護).
GROUP_TALLY: tuple[str, ...] = (
    "here", "titp", "esd", "ssw1", "ssw2", "irregular", "searching", "paid", "wages_yen", "trainees_paid",
    "trainee_wages_yen", "debt_yen", "in_debt", "savings_yen", "care_worker",
)
N_GROUP_TALLY = len(GROUP_TALLY)
#: The position of each column of ``GROUP_TALLY`` by name (``GROUP_TALLY_COLUMN.paid``).
GROUP_TALLY_COLUMN = column_index("GroupTallyColumn", GROUP_TALLY)
#: The sums of money among them (added per group in row order; the others are counts, added per cell).
GROUP_MONEY = np.array([GROUP_TALLY.index(c) for c in ("wages_yen", "trainee_wages_yen", "debt_yen", "savings_yen")])
GROUP_WAGES = GROUP_TALLY.index("wages_yen")
#: The column of ``GROUP_TALLY`` that counts each status code in Japan (irregular: "irregular").
GROUP_STATUS_COLUMN = column_by_status(GROUP_TALLY, other="irregular")


@njit(cache=True, inline="always")
def _add_to_cell(out, c, s, firm, paid, debt_yen, kinds, status_column):  # pragma: no cover - compiled
    """Count one person in Japan (status ``s``; ``paid``: employed and paid this month) in row
    ``c`` of the cells' counts (the counts of ``GROUP_TALLY``; ``status_column``: ``GROUP_STATUS_COLUMN``)."""
    out[c, GROUP_TALLY_COLUMN.here] += 1
    out[c, status_column[s]] += 1
    if of_kind(kinds.legal, s):
        if paid:
            out[c, GROUP_TALLY_COLUMN.paid] += 1
            if of_kind(kinds.trainee, s):
                out[c, GROUP_TALLY_COLUMN.trainees_paid] += 1
        elif firm < 0:
            out[c, GROUP_TALLY_COLUMN.searching] += 1
    if debt_yen > IN_DEBT_YEN:
        out[c, GROUP_TALLY_COLUMN.in_debt] += 1


@njit(cache=True, inline="always")
def _add_money(out, g, s, paid, wage_yen, debt_yen, savings_yen, kinds):  # pragma: no cover - compiled
    """Add one person's money to row ``g`` (a group) of the sums of ``GROUP_MONEY``."""
    if of_kind(kinds.legal, s) and paid:
        out[g, GROUP_TALLY_COLUMN.wages_yen] += wage_yen
        if of_kind(kinds.trainee, s):
            out[g, GROUP_TALLY_COLUMN.trainee_wages_yen] += wage_yen
    out[g, GROUP_TALLY_COLUMN.debt_yen] += debt_yen
    out[g, GROUP_TALLY_COLUMN.savings_yen] += savings_yen


#: Columns of the by-group states filled from ``MonthTally.groups`` (see ``collect_by_group``).
_STATE_COLS = np.array([_COL[c] for c in GROUP_PEOPLE_STATES])


def collect_by_group(model: LabourMarket, tally: MonthTally | None = None) -> np.ndarray:
    """This month's by-group rows: every group of every grouping (``GroupFlows.offsets``) x
    ``GROUP_COLUMNS``, counts in real numbers (from ``tally``, this month's ``month_tally``, if given)."""
    f, s = model.firms, model.scale
    flows = model.group_flows
    offsets = flows.offsets
    month = month_tally(model) if tally is None else tally
    t = month.groups
    out = np.zeros((int(offsets[-1]), len(GROUP_COLUMNS)))
    c = GROUP_TALLY_COLUMN

    def mean(total: int, count: int) -> np.ndarray:
        return np.where(t[:, count] > 0, t[:, total] / t[:, count], np.nan)

    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, _STATE_COLS] = np.column_stack([  # in the order of GROUP_PEOPLE_STATES
            t[:, [c.here, c.titp, c.esd, c.ssw1, c.ssw2, c.care_worker, c.irregular, c.searching, c.paid]] / s,
            mean(c.wages_yen, c.paid),
            mean(c.trainee_wages_yen, c.trainees_paid),
            mean(c.debt_yen, c.here),
            mean(c.in_debt, c.here),
            mean(c.savings_yen, c.here),
        ])
        filled = np.minimum(f.headcount, f.demand).astype(float)
        demand = f.demand.astype(float)
        fill = np.full(int(offsets[-1]), np.nan)
        for k, grouping in enumerate(GROUPINGS):
            if grouping in FIRM_GROUP_COLUMN:
                of_firm = getattr(f, FIRM_GROUP_COLUMN[grouping])
                size = flows.sizes[grouping]
                d = np.bincount(of_firm, weights=demand, minlength=size)
                fill[offsets[k] : offsets[k + 1]] = np.where(d > 0, np.bincount(of_firm, weights=filled, minlength=size) / d, np.nan)
        out[:, _COL["vacancy_fill"]] = fill
    settlement.by_group(model, month.settlement, out, _COL)
    for name, counts in flows.counts.items():
        out[:, _COL[name]] = counts / s
    return out


def by_group_table(model: LabourMarket, grouping: str, rows: list[np.ndarray]) -> pd.DataFrame:
    """The tidy long table of one grouping from the monthly rows of ``collect_by_group``:
    ``month``, ``group``, then ``group_columns(grouping)``."""
    import pandas as pd

    k = GROUPINGS.index(grouping)
    lo, hi = model.group_flows.offsets[k], model.group_flows.offsets[k + 1]
    labels = group_labels(model, grouping)
    cols = group_columns(grouping)
    data = np.concatenate([r[lo:hi] for r in rows]) if rows else np.zeros((0, len(GROUP_COLUMNS)))
    table = pd.DataFrame(data[:, [_COL[c] for c in cols]], columns=list(cols))
    table.insert(0, "group", np.tile(np.array(labels, dtype=object), len(rows)))
    table.insert(0, "month", np.repeat(np.arange(len(rows), dtype=np.int64), len(labels)))
    return table
