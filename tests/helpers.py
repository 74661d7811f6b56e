"""Helpers shared by the tests: scenarios with changes, tiny hand-built worlds, recorded runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.dates import YearMonth
from sim.domain import FIELDS, REAL_FIELDS, TEST_BITS, TITP_STATUSES, Residence, Status
from sim.ledger import TRANSFER_LOG_FIELDS
from sim.processes import offers
from sim.processes.codes import IS_LEGAL
from sim.scenario import SHIPPED, Scenario

#: Prefecture indices (JIS code - 1) used by the hand-built worlds.
HOKKAIDO, AOMORI, MIYAGI, TOKYO, OSAKA = 0, 1, 3, 12, 26
CONSTRUCTION, AGRICULTURE = FIELDS.index("construction"), FIELDS.index("agriculture")
NURSING = FIELDS.index("nursing_care")
OTHER, FISHERY = FIELDS.index("other"), FIELDS.index("fishery")
FOOD_SERVICE, BUILDING_CLEANING = REAL_FIELDS.index("food_service"), REAL_FIELDS.index("building_cleaning")

#: A model month no tiny world reaches (no inspection is due).
NEVER = 10_000

#: Settings of the shared runs of every shipped scenario (tier B).
RUN_SCALE, RUN_MONTHS, RUN_SEED = 0.005, 48, 2024


# =============================================================================================
# Scenarios
# =============================================================================================
#: The placed initial stock from April 2027 (``run.start_from = "stock"``), what the submodel tests
#: build on: the shipped policy scenarios start from the history's end-2024 state (issue 19), whose
#: people the tests cannot set by hand; runs of the scenarios as shipped (``shipped_run``) keep it.
PLACED_STOCK = {"run.start_from": "stock", "run.start": "2027-04"}


def with_settings(scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted keys changed (``{"policy.transfer.regime": "free"}``), validated."""
    return scenario.with_changes(settings)


def placed(scenario: Scenario) -> Scenario:
    """``scenario`` from the placed initial stock in April 2027 (``PLACED_STOCK``) if it starts from a checkpoint."""
    return scenario if scenario.run.start_from in (None, "stock") else scenario.with_changes(PLACED_STOCK)


def small(name: str, months: int = 24, scale: float = 0.005, settings: dict[str, Any] | None = None) -> Scenario:
    """A shipped scenario at a small scale and a short horizon, from the placed stock in April 2027
    (``placed``), with optional dotted changes."""
    scenario = placed(sim.shipped_scenario(name)).with_run(months=months, scale=scale)
    return with_settings(scenario, settings) if settings else scenario


# =============================================================================================
# Tiny hand-built worlds (tier A)
# =============================================================================================
def tiny_world(
    base: str = "free_mobility", firms: int = 2, people: int = 3, seed: int = 1, settings: dict[str, Any] | None = None
) -> sim.LabourMarket:
    """A world of ``firms`` firms, one supervisory body and ``people`` trainees, with no intake.

    ``scale`` 0.01 with 100 real firms (people) per agent makes the rounding exact; every firm is
    tied to every other (so reachability never decides an outcome) and firm closures are off.
    Movers weigh pay alone (no rent, ties, moving cost or taste) unless a test sets those.
    Tests then set the arrays by hand (``set_firm``, ``place``) and call ``settle``. The model
    keeps its own record of every transfer (``log_transfers``; read it with ``transfers``).
    """
    scenario = placed(sim.shipped_scenario(base))
    overrides = {
        "run.scale": 0.01,
        "run.months": 12,
        "world.firms": firms * 100,
        "world.supervisory_bodies": 100,
        "world.stock_trainees": people * 100,
        "world.stock_ssw1": 0,
        "world.stock_ssw2": 0,
        "world.stock_irregular": 0,
        "world.firm_closure_monthly": 0.0,
        "policy.recruitment.trainee_intake_per_year": 0,
        "policy.recruitment.ssw_direct_intake_per_year": 0,
        "behaviour.transfer.rent_yen": 0.0,
        "behaviour.transfer.compatriot_weight": 0.0,
        "behaviour.transfer.move_cost": 0.0,
        "behaviour.transfer.far_move_cost": 0.0,
        "behaviour.transfer.taste_scale": 0.0,
    }
    overrides.update(settings or {})
    model = sim.LabourMarket(with_settings(scenario, overrides), seed=seed, log_transfers=True)
    assert model.firms.n == firms and model.bodies.n == 1 and model.people.n == people
    # Every firm tied to every other (a complete graph), in the CSR form the matching reads.
    nbrs = [np.array([j for j in range(firms) if j != i], dtype=np.int32) for i in range(firms)]
    model.firm_nbr_ptr = np.concatenate([[0], np.cumsum([len(x) for x in nbrs])]).astype(np.int64)
    model.firm_nbr = np.concatenate(nbrs).astype(np.int32) if firms > 1 else np.zeros(0, dtype=np.int32)
    f = model.firms
    f.barred_until[:] = -1
    f.violations_pending[:] = 0
    f.violations_since_inspection[:] = 0
    f.warned[:] = False
    f.next_inspection[:] = NEVER  # no OTIT inspection unless a test schedules one
    f.intake_cap_per_year[:] = 100
    model.bodies.general_licence[:] = True  # the one body may supervise stage iii
    model.bodies.next_inspection[:] = NEVER
    return model


def set_firm(model: sim.LabourMarket, row: int, *, pref: int | None = None, field: int | None = None,
             markup: float | None = None, demand: float | None = None, compliance: float | None = None,
             real_field: int | None = None, one_year_wait: bool = False) -> None:
    """Hand-set one firm's traits (call ``settle`` afterwards).

    The firm's real field follows its field (``real_field`` for a firm in "other"; else the one
    drawn stays), and its ESD waiting period is recomputed: its real field's, or one year if it
    chooses so (``one_year_wait``)."""
    f = model.firms
    for name, value in (("pref", pref), ("field", field), ("markup", markup), ("demand", demand), ("compliance", compliance)):
        if value is not None:
            getattr(f, name)[row] = value
    if real_field is not None:
        f.real_field[row] = real_field
    elif f.field[row] != OTHER:
        f.real_field[row] = f.field[row]
    f.waiting_months[row] = model.policy.firm_waiting_months(f.real_field[row : row + 1], np.array([one_year_wait]))[0]


def place(model: sim.LabourMarket, row: int, firm: int, status: Status, *, months_in_japan: int = 13,
          months_with_employer: int = 13, tests: int = 0, debt: float = 0.0, savings: float = 0.0,
          pref: int | None = None, field: int | None = None, months_in_status: int | None = None,
          wants_long_stay: bool | None = None) -> None:
    """Hand-set one person: employer (``-1`` for none), status, time served (in status: default
    ``months_in_japan % 12``), tests, money, and (if given) whether they want a long stay."""
    p, f = model.people, model.firms
    p.firm[row] = firm
    p.last_firm[row] = firm if firm >= 0 else 0
    p.status[row] = status
    p.pref[row] = f.pref[firm] if firm >= 0 else (pref if pref is not None else f.pref[0])
    p.field[row] = f.field[firm] if firm >= 0 else (field if field is not None else f.field[0])
    p.months_in_japan[row] = months_in_japan
    p.months_in_status[row] = months_in_japan % 12 if months_in_status is None else months_in_status
    p.months_with_employer[row] = months_with_employer if firm >= 0 else 0
    p.months_searching[row] = 0
    p.transferee[row] = False
    p.transferee_from_local[row] = False
    p.tests_passed[row] = tests
    p.debt_yen[row] = debt
    p.savings_yen[row] = savings
    p.remitted_yen[row] = 0.0
    p.grievance[row] = 0.0
    p.transfers[row] = 0
    if wants_long_stay is not None:
        p.wants_long_stay[row] = wants_long_stay


def settle(model: sim.LabourMarket) -> None:
    """Recompute what follows from hand-set arrays: headcounts, ESD counts and wage offers."""
    model.ledger.recount_firms()
    offers.update_offers(model)
    model.flows.clear()


def at_month(model: sim.LabourMarket, year: int, month: int) -> sim.LabourMarket:
    """Put a tiny world's clock at calendar ``year``/``month`` (model month 1 is the scenario's
    start; month 0 the state before it), as if that month had begun; returns the model.

    Rules that read the date (dated periods, the stage iii opening, the bridging status, the
    caps' fiscal years) are then tested without stepping the whole month."""
    at_model_month(model, YearMonth(year, month).months_since(model.scenario.run.start) + 1)
    assert model.calendar() == (year, month)
    return model


def at_model_month(model: sim.LabourMarket, month: int) -> sim.LabourMarket:
    """Put a tiny world's clock at model month ``month`` (1: the scenario's first month), as if
    that month had begun (``at_month`` by the calendar); returns the model."""
    if month < 0:
        raise ValueError(f"at_model_month: month {month} is before month 0 "
                         "(the state before the scenario's first month)")
    model.month = month
    return model


def transfers(model: sim.LabourMarket) -> pd.DataFrame:
    """Every change of employer so far, one row per mover, from the model's own record
    (``LabourMarket(log_transfers=True)``, as ``tiny_world`` and ``run_recorded`` build; the moves of
    ``move_workers``; columns ``sim.ledger.TRANSFER_LOG_FIELDS``)."""
    if model.transfer_log is None:
        raise ValueError("transfers: the model keeps no transfer log; build it with log_transfers=True (tiny_world does)")
    return pd.DataFrame(model.transfer_log, columns=list(TRANSFER_LOG_FIELDS))


def employed_counts(model: sim.LabourMarket) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Headcount, ESD headcount and ESD voluntary transferees, recounted from the people arrays
    (a settled ESD trainee, ``residence`` not WORK, is no longer an ESD worker)."""
    p, f = model.people, model.firms
    n = p.n
    employed = IS_LEGAL[p.status[:n]] & (p.firm[:n] >= 0)
    firm = p.firm[:n][employed]
    esd = (p.status[:n][employed] == Status.ESD) & (p.residence[:n][employed] == Residence.WORK)
    moved = esd & p.transferee[:n][employed]
    return (np.bincount(firm, minlength=f.n), np.bincount(firm[esd], minlength=f.n),
            np.bincount(firm[moved], minlength=f.n))


#: Settings without the caps on transferees (for tests of other rules).
NO_CAPS = {"policy.transfer.firm_cap_share": None, "policy.transfer.metro_cap_share": None}


def two_firm_market(base: str = "free_mobility", *, dest_pref: int = AOMORI, dest_field: int = CONSTRUCTION,
                    dest_markup: float = 1.2, dest_demand: float = 10.0, status: Status = Status.ESD,
                    settings: dict | None = None):
    """Three workers at firm 0 (Aomori, construction, markup 1.0, demand 10); firm 1 as given, empty."""
    m = tiny_world(base, firms=2, people=3, settings=settings)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0, compliance=0.5)
    set_firm(m, 1, pref=dest_pref, field=dest_field, markup=dest_markup, demand=dest_demand, compliance=0.5)
    for pid in range(3):
        place(m, pid, 0, status)
    settle(m)
    return m


GRADE3_A2 = TEST_BITS["basic_skill"] | TEST_BITS["skill_grade3"] | TEST_BITS["japanese_a2"] | TEST_BITS["japanese_a1"]


TRANSFER_TESTS = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]


# =============================================================================================
# Recorded runs (tier B)
# =============================================================================================
@dataclass
class RecordedRun:
    """A run with every move (``transfers``: one row per person moved) and a per-month check of the arrays."""

    model: sim.LabourMarket
    table: pd.DataFrame
    moves: pd.DataFrame
    monthly: pd.DataFrame
    statuses_seen: set[int] = field(default_factory=set)


def run_recorded(scenario: Scenario, seed: int, months: int | None = None) -> RecordedRun:
    """Run ``scenario`` keeping the model's own record of each move (``log_transfers``: the kind of
    move, its batch, the destination's ESD counts before it, ...; ``sim.ledger.TRANSFER_LOG_FIELDS``;
    ``pid`` is the person's id for life) and, after each month, the checks the invariant tests assert on."""
    model = sim.LabourMarket(scenario, seed=seed, log_transfers=True)
    monthly: list[dict] = []
    seen: set[int] = set()
    prev_markup = [model.firms.markup.copy()]
    last_status = {"by_pid": _status_by_pid(model)}

    def check(month: int) -> None:
        p, f = model.people, model.firms
        n = p.n
        status = p.status[:n]
        seen.update(np.unique(status).tolist())
        head, esd_head, esd_moved = employed_counts(model)
        employed = IS_LEGAL[status] & (p.firm[:n] >= 0)

        def max_months(*statuses: Status) -> int:
            """Longest time in Japan of those whose stay rests on these statuses (settled people are not bound by them)."""
            sel = np.isin(status, statuses) & (p.residence[:n] == Residence.WORK)
            return int(p.months_in_japan[:n][sel].max()) if sel.any() else -1

        monthly.append(dict(
            month=month,
            headcount_ok=bool(np.array_equal(head, f.headcount)),
            esd_headcount_ok=bool(np.array_equal(esd_head, f.esd_headcount)),
            esd_transferees_ok=bool(np.array_equal(esd_moved, f.esd_transferees)),
            min_wage=float(p.wage_yen[:n].min()), min_debt=float(p.debt_yen[:n].min()),
            min_savings=float(p.savings_yen[:n].min()), min_remitted=float(p.remitted_yen[:n].min()),
            finite_money=bool(np.isfinite(p.wage_yen[:n]).all() and np.isfinite(p.debt_yen[:n]).all()
                              and np.isfinite(p.savings_yen[:n]).all()),
            max_months_titp1=max_months(Status.TITP_1), max_months_titp2=max_months(Status.TITP_2),
            max_months_titp=max_months(Status.TITP_1, Status.TITP_2, Status.TITP_3),
            max_months_esd=max_months(Status.ESD),
            gone_with_employer=int((~IS_LEGAL[status] & (p.firm[:n] >= 0)).sum()),
            titp_with_transfers=int((np.isin(status, TITP_STATUSES) & (p.residence[:n] == Residence.WORK) & (p.transfers[:n] > 0)).sum()),
            # pay / the prefecture's minimum-wage pay, for people with the same employer since payday
            # (months_with_employer >= 1) whose employer did not underpay this month
            min_pay_ratio=float((p.wage_yen[:n][fair] / model.base_pay_yen[f.pref[p.firm[:n][fair]]]).min())
            if (fair := employed & (p.months_with_employer[:n] >= 1) & ~f.underpaying[np.maximum(p.firm[:n], 0)]
                & ~on_home_leave(model)).any() else float("nan"),
            min_markup=float(f.markup.min()),
            markup_cuts=int((f.markup < prev_markup[0] * (1 - model.behaviour.firms.wage_cut_step) * (1 - 1e-6)).sum()),
            closures=int(model.flows.get("firm_closures", 0)),
            intake_over_cap=int((f.intake_this_year > f.intake_cap_per_year).sum()),
            max_months_searching=int(p.months_searching[:n][searching].max())  # settled people need no employer to stay
            if (searching := IS_LEGAL[status] & (p.firm[:n] < 0) & (p.residence[:n] == Residence.WORK)).any() else 0,
            max_months_in_ssw1=int(p.months_in_status[:n][ssw1].max())
            if (ssw1 := (status == Status.SSW_1) & (p.residence[:n] == Residence.WORK)).any() else 0,
            employed_outside_field=int((employed & (p.field[:n] != f.field[np.maximum(p.firm[:n], 0)])).sum()),
            illegal_status_changes=_illegal_status_changes(last_status["by_pid"], _status_by_pid(model)),
        ))
        last_status["by_pid"] = _status_by_pid(model)

    def check_and_remember(month: int) -> None:
        check(month)
        prev_markup[0] = model.firms.markup.copy()

    model.run(months, progress=check_and_remember)
    table = model.results()
    return RecordedRun(model, table, transfers(model), pd.DataFrame(monthly), seen)


def esd_cap_breaches(moves: pd.DataFrame, metro_share: float | None, firm_share: float | None) -> pd.DataFrame:
    """Hirings of ESD voluntary transferees that break the caps.

    The caps are checked as the rules put them, at the moment of hiring: a firm may take an ESD
    worker's voluntary move only if afterwards its voluntary transferees ``t`` are at most 1/3 of
    its ESD workers ``e``, and a designated-area (metro) firm one from outside the designated
    area only if afterwards those of its transferees who came from outside it are at most 1/6
    of ``e``. Seekers move one at a time within a batch, so at the last capped hiring into a firm
    in a batch ``t >= t_before - (ESD workers who left it in the batch) + k`` (``k`` capped
    newcomers) and ``e <= e_before + (ESD newcomers in the batch)``; a breach is a batch where
    even these bounds break a cap. Later departures may raise the share above the cap without
    breaking the rule.
    """
    esd = moves[(moves.status == int(Status.ESD)) & ~moves.settled]  # settled movers are no longer ESD workers
    capped = esd[esd.voluntary]
    bad_groups = []
    for kind, sel, t_col, share in (
        ("all", capped, "to_esd_transferees_before", firm_share),
        ("local", capped[capped.to_metro & ~capped.from_metro], "to_esd_local_before", metro_share),
    ):
        if share is None or share >= 1 or sel.empty:
            continue
        groups = sel.groupby(["batch", "to_firm"]).agg(k=("pid", "size"), t=(t_col, "first"), e=("to_esd_headcount_before", "first"))
        arrivals = esd.groupby(["batch", "to_firm"]).size().reindex(groups.index, fill_value=0)
        leavers = esd.groupby(["batch", "from_firm"]).size()
        leavers.index = leavers.index.set_names(["batch", "to_firm"])
        leavers = leavers.reindex(groups.index, fill_value=0)
        bad = groups.t - leavers + groups.k > share * (groups.e + arrivals) + 1e-9
        bad_groups.append(groups[bad].assign(cap=kind))
    return pd.concat(bad_groups) if bad_groups else pd.DataFrame()


def as_counts(table: pd.DataFrame, scale: float, columns) -> pd.DataFrame:
    """Table columns of real numbers turned back into agent counts (exact integers)."""
    values = table[list(columns)] * scale
    rounded = values.round()
    assert np.allclose(values, rounded, atol=1e-6), "counts should be whole numbers of agents / scale"
    return rounded.astype(np.int64)


#: Status changes a person can go through in one month: at most one step up the ladder, and/or
#: disappearing, going home, being removed (a person may do several in a month, e.g. move up
#: and then leave). Gone is final; irregular never becomes legal again.
_LADDER = {
    Status.TITP_1: {Status.TITP_2}, Status.TITP_2: {Status.TITP_3, Status.SSW_1}, Status.TITP_3: {Status.SSW_1},
    Status.ESD: {Status.SSW_1}, Status.SSW_1: {Status.SSW_2, Status.CARE_WORKER}, Status.SSW_2: set(),
    Status.CARE_WORKER: set(),
}
_ALLOWED = np.zeros((len(Status), len(Status)), dtype=bool)
for _old in Status:
    _ALLOWED[_old, _old] = True
    if _old in _LADDER:
        for _new in _LADDER[_old] | {Status.IRREGULAR, Status.RETURNED, Status.REMOVED, Status.NATURALISED, Status.DIED}:
            _ALLOWED[_old, _new] = True
_ALLOWED[Status.IRREGULAR, [Status.RETURNED, Status.REMOVED, Status.DIED]] = True


def on_home_leave(model: sim.LabourMarket) -> np.ndarray:
    """Who is on the unpaid home leave at the start of TITP iii (``work.pay_of``)."""
    p = model.people
    return (p.status[: p.n] == Status.TITP_3) & (p.months_in_status[: p.n] <= model.scenario.policy.stay.stage_iii_home_leave_months)


def _status_by_pid(model: sim.LabourMarket) -> np.ndarray:
    """Everyone's status by id for life (-1: left and dropped from the arrays, or not yet arrived)."""
    p = model.people
    entered = int(getattr(p, "entered", p.n))
    out = np.full(entered, -1, dtype=np.int64)
    ids = p.pid[: p.n]
    out[ids] = p.status[: p.n]
    return out


def _illegal_status_changes(before: np.ndarray, now: np.ndarray) -> int:
    """People whose status changed in a way the rules do not allow in one month."""
    k = min(len(before), len(now))
    old, new = before[:k], now[:k]
    both = (old >= 0) & (new >= 0)
    return int((~_ALLOWED[old[both], new[both]]).sum())


_RUNS: dict[str, RecordedRun] = {}


def shipped_run_cached(name: str) -> RecordedRun:
    """The recorded run of a shipped scenario (scale 0.005, 48 months, seed 2024), made once per process."""
    if name not in _RUNS:
        _RUNS[name] = run_recorded(small(name, months=RUN_MONTHS, scale=RUN_SCALE), seed=RUN_SEED)
    return _RUNS[name]


__all__ = [
    "AGRICULTURE", "AOMORI", "GRADE3_A2", "NO_CAPS", "TRANSFER_TESTS", "two_firm_market", "BUILDING_CLEANING", "FISHERY", "FOOD_SERVICE", "NEVER", "OTHER", "on_home_leave", "CONSTRUCTION", "HOKKAIDO", "MIYAGI", "NURSING", "OSAKA", "RUN_MONTHS", "RUN_SCALE",
    "RUN_SEED", "SHIPPED", "TOKYO", "RecordedRun", "as_counts", "at_model_month", "at_month", "employed_counts", "esd_cap_breaches", "place",
    "run_recorded", "set_firm", "settle", "shipped_run_cached", "small", "tiny_world", "transfers", "with_settings",
]
