"""ODD 7.11 Decisions: each legal resident absconds, goes home, seeks a transfer, or carries on.

Phase 10, two-phase: first the ESD transfers accepted ``transfer_lag_months`` ago take effect
(``Ledger.due_transfers``); then every legal resident's act is drawn from the same state (``decide_kernel``),
then the acts are applied in this order: disappearances (``abscond``), early returns
home, the searches of people released by their employer (who go home when their search has run
out), then the searches of voluntary seekers (``sim.processes.matching``), last the transfers
granted for unavoidable circumstances at violating employers (``transfer_for_unavoidable_circumstances``).

Monthly hazards (one uniform draw per person makes them exclusive, in this order):

    abscond     = min(HAZARD_CAP, base_monthly x exp(b_debt debt/500k + b_grievance grievance + b_gap gap
                                                      + b_ties [a contact works irregularly])
                                   x multiplier          their origin's and field's (``abscond_multiplier``)
                                   x legal_exit_factor   if they may leave their employer (a legal exit)
                                   x end_of_stay_factor  in the last months of a stay they want
                                                         to extend, with no legal way to: for an
                                                         SSW i holder, their own limit (60 months,
                                                         72 with the extension) and SSW ii open
                                                         in their own field this month)
    return home = min(HAZARD_CAP, return_base_monthly + return_per_grievance x grievance)  (SSW ii and 介護: ssw2_return_monthly)
    seek        = min(HAZARD_CAP, seek_base_monthly x exp(-free_months / seek_decay_months)
                                  + seek_per_wage_gap x gap + seek_per_grievance x grievance)
                  only if the policy lets them leave their employer now (``policy.may_leave_employer``) and they
                  have an employer

The seek hazard's duration dependence: ``free_months`` are the months a person has been free to
leave their current employer (``policy.months_free_to_leave``: with the employer since the later
of joining it and the rules letting them leave it; an SSW i holder's clock starts when they
become SSW i, a mover's again at the new firm). The base search - exploring what else there is,
a mismatch noticed early - fades as the match lasts, the negative duration dependence of job
separations (Jovanovic 1979, "Job matching and the theory of turnover", JPE 87(5); Farber 1994,
"The analysis of interfirm worker mobility", JOLE 12(4): the hazard of leaving falls steeply with
tenure); the parts driven by a present wage gap or grievance do not fade. ISA's SSW i entry
cohorts pin it: most who change employer do so in their first year or two as SSW i
(``scripts/calibrate_mobility.py``).

The multiplier: exp(b_fee x (origin's mean broker fee - the intake-weighted mean fee) / 500k)
x ``field_factor[field]`` x the ``factor`` of each ``origin_periods`` entry in force for the
origin this month (Myanmar's route out after the 2021 coup, history only)
x the demand pull (ratio of this calendar year / ratio of the last) ** b_demand, the ratio being
the national job openings-to-applicants ratio (``world.job_openings_ratio_by_year``). Irregular
work is the margin employers hire on when demand grows and shed first when it falls, so what
pulls a trainee out is the change in demand, not its level: ISA's yearly disappearance rate
2017-2022 follows the year's log change in the ratio (correlation 0.97; 0.31 with its level
without 2020). Years outside the series hold its first or last value, so a run past the data
(every policy scenario from 2027) has no change and no pull (factor 1).

Parameters: ``behaviour.abscond`` (``per_log_demand_change`` = b_demand), ``behaviour.departure``, ``behaviour.transfer`` (``DecisionParams``);
policy: stay limits, whether the SSW paths are open, who may transfer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.dates import YearMonth
from sim.domain import FIELDS, ORIGINS, Residence, Status
from sim.params import bind, part
from sim.processes import permanence
from sim.processes.codes import IS_LEGAL, IS_TRAINEE, STATUS_KINDS, of_kind
from sim.processes.ladder import ssw1_limit_and_way_on, stay_expiry
from sim.processes.matching import find_employers
from sim.scenario import value_in_year

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of decisions (and of the searches that follow them).
STREAM = "decisions"
#: Random stream of the transfers granted for unavoidable circumstances (and of their searches).
UNAVOIDABLE_STREAM = "unavoidable"

#: Acts, one per person: not a legal resident (no decision), carry on, abscond, go home, seek a
#: transfer, keep looking for an employer (between employers after a release).
NOT_LEGAL, CARRY_ON, ABSCOND, RETURN_HOME, SEEK_TRANSFER, KEEP_SEARCHING = -1, 0, 1, 2, 3, 4

#: No monthly hazard exceeds this (keeps the three exclusive acts' total below 1.5 and every act possible).
HAZARD_CAP = 0.5

#: Debt enters the absconding hazard in units of 500,000 yen.
DEBT_UNIT_YEN = 500_000.0

#: Months left treated as "no end" for SSW ii and 介護 holders (their stay is renewable without limit).
NO_END = 1_000_000


class DecisionParams(NamedTuple):
    """The behavioural parameters of the three hazards and this month's rules that shape them."""

    # behaviour.abscond
    base_monthly: float  # monthly hazard of absconding at zero debt, grievance, gap
    per_debt_500k_yen: float  # log-hazard per 500,000 yen of debt
    per_grievance: float  # log-hazard per unit of grievance
    per_wage_gap: float  # log-hazard per unit of relative wage gap
    per_irregular_contact: float  # log-hazard if a contact works irregularly
    legal_exit_factor: float  # multiplies the hazard of those who may leave their employer legally
    end_of_stay_factor: float  # multiplies it near the end of a stay with no way to stay on
    end_of_stay_window_months: int  # how many months count as "near the end"
    # behaviour.departure
    return_base_monthly: float  # monthly hazard of going home
    return_per_grievance: float  # added per unit of grievance
    ssw2_return_monthly: float  # monthly hazard of going home of SSW ii and 介護 holders (stays renewable without limit)
    # behaviour.transfer
    seek_base_monthly: float  # monthly hazard of seeking a transfer (when allowed)
    seek_per_wage_gap: float
    seek_per_grievance: float
    seek_decay_months: float  # the base seek hazard falls by e each this many months free to leave
    # the policy's stay limits (ESD: policy.stay; TITP: Policy.titp_max_months) ...
    max_trainee_months: int
    titp_max_months: int
    ssw1_open: bool  # ... and whether SSW i is open to trainees this month (SSW i holders: per person)

    @classmethod
    def of(cls, model: LabourMarket) -> DecisionParams:
        beh, pol, now = model.behaviour, model.policy, model.calendar()
        return bind(
            cls, beh.abscond, beh.departure, part(beh.transfer, "seek_base_monthly", "seek_per_wage_gap",
                                                  "seek_per_grievance", "seek_decay_months"),
            part(model.scenario.policy.stay, "max_trainee_months"),
            unused={"abscond_multiplier": ("per_origin_fee_500k_yen", "per_log_demand_change", "field_factor", "origin_periods"),
                    "arrivals (wish to stay) and the ladder (stage iii)": ("share_wanting_long_stay", "share_choosing_stage_iii"),
                    "apprehension (irregular workers)": ("irregular_apprehension_monthly", "irregular_self_departure_monthly")},
            titp_max_months=pol.titp_max_months, ssw1_open=pol.ssw1_open(*now),
        )


def abscond_multiplier(model: LabourMarket) -> np.ndarray:
    """Per person (row): the origin's and field's multiplier of the absconding hazard this month.

    The origin's part grows with its mean broker fee (``world.broker_fee_yen``), centred on the
    intake-weighted mean so that the average newcomer's hazard is unchanged; a dated period (a
    route out of TITP open to one nationality) multiplies it while in force.
    """
    a, w, p = model.behaviour.abscond, model.world, model.people
    fee = np.array([w.broker_fee_yen[o] for o in ORIGINS])
    share = np.array([w.origin_shares[o] for o in ORIGINS])
    by_origin = np.exp(a.per_origin_fee_500k_yen * (fee - share @ fee / share.sum()) / DEBT_UNIT_YEN)
    now = model.calendar()
    for period in a.origin_periods:
        if period.first_month <= YearMonth(*now) <= period.last_month:
            by_origin[ORIGINS.index(period.origin)] *= period.factor
    by_origin *= demand_change_factor(w.job_openings_ratio_by_year, now[0], a.per_log_demand_change)
    by_field = np.array([a.field_factor[f] for f in FIELDS])
    return multiplier_kernel(p.origin[: p.n], p.field[: p.n], by_origin, by_field)


def demand_change_factor(ratio_by_year: dict[int, float], year: int, elasticity: float) -> float:
    """The demand pull of irregular work in ``year``: (ratio in ``year`` / ratio the year before) ** elasticity.

    A year outside the series takes its nearest year's value (after the last: the last), so the
    pull is 1 once the data end, and 1 without a series.
    """
    if not ratio_by_year:
        return 1.0
    return (value_in_year(ratio_by_year, year) / value_in_year(ratio_by_year, year - 1)) ** elasticity


@njit(cache=True)
def multiplier_kernel(origin, field, by_origin, by_field):  # pragma: no cover - compiled
    """Per person: ``by_origin[origin] x by_field[field]`` in one pass (no temporaries over everyone)."""
    out = np.empty(origin.shape[0])
    for i in range(origin.shape[0]):
        out[i] = by_origin[origin[i]] * by_field[field[i]]
    return out


@njit(cache=True)
def abscond_hazard(debt_yen, grievance, wage_gap, irregular_contact, may_leave, near_end, multiplier, params):  # pragma: no cover
    """One person's monthly hazard of absconding (see the module docstring)."""
    log_h = params.per_debt_500k_yen * debt_yen / DEBT_UNIT_YEN + params.per_grievance * grievance + params.per_wage_gap * wage_gap
    if irregular_contact:
        log_h += params.per_irregular_contact
    h = params.base_monthly * np.exp(log_h) * multiplier
    if may_leave:
        h *= params.legal_exit_factor
    if near_end:
        h *= params.end_of_stay_factor
    return min(h, HAZARD_CAP)


@njit(cache=True)
def seek_hazard(free_months, wage_gap, grievance, params):  # pragma: no cover - compiled
    """One person's monthly hazard of seeking a transfer, if they may (see the module docstring)."""
    base = params.seek_base_monthly * np.exp(-free_months / params.seek_decay_months)
    return min(base + params.seek_per_wage_gap * wage_gap + params.seek_per_grievance * grievance, HAZARD_CAP)


@njit(cache=True)
def decide_kernel(
    u, status, firm, debt_yen, grievance, wage_gap, irregular_contact, may_leave, free_months,
    months_in_japan, months_in_status, wants_long_stay, ssw1_limit_months, ssw1_way_on, abscond_multiplier, params, kinds,
):  # pragma: no cover - compiled
    """Per person: one of the acts (NOT_LEGAL ... KEEP_SEARCHING).

    ``u`` holds one uniform draw per legal resident, in row order. ``ssw1_limit_months`` and
    ``ssw1_way_on``: each SSW i holder's own limit (with the extension if they earned it,
    ``ladder.ssw1_limit_and_way_on``) and whether a way to stay on is open in their field
    (``Policy.ssw1_way_on``).
    """
    out = np.full(status.shape[0], NOT_LEGAL, dtype=np.int8)
    j = 0
    for i in range(status.shape[0]):
        s = status[i]
        if not of_kind(kinds.legal, s):
            continue
        x = u[j]
        j += 1
        g, gap = grievance[i], wage_gap[i]
        # Near the end of the permitted stay, with no legal way to stay on?
        if of_kind(kinds.titp, s):
            left = params.titp_max_months - months_in_japan[i]
            path = params.ssw1_open
        elif s == kinds.esd:
            left = params.max_trainee_months - months_in_japan[i]
            path = params.ssw1_open
        elif s == kinds.ssw_1:
            left = ssw1_limit_months[i] - months_in_status[i]
            path = ssw1_way_on[i]
        else:
            left = NO_END
            path = True
        near_end = left <= params.end_of_stay_window_months and wants_long_stay[i] and not path
        h_a = abscond_hazard(debt_yen[i], g, gap, irregular_contact[i], may_leave[i], near_end, abscond_multiplier[i], params)
        h_r = params.ssw2_return_monthly if of_kind(kinds.unlimited, s) else params.return_base_monthly + params.return_per_grievance * g
        h_r = min(h_r, HAZARD_CAP)
        h_s = 0.0
        if may_leave[i] and firm[i] >= 0:
            h_s = seek_hazard(free_months[i], gap, g, params)
        if x < h_a:
            out[i] = ABSCOND
        elif x < h_a + h_r:
            out[i] = RETURN_HOME
        elif x < h_a + h_r + h_s:
            out[i] = SEEK_TRANSFER
        elif firm[i] < 0:
            out[i] = KEEP_SEARCHING
        else:
            out[i] = CARRY_ON
    return out


def decide(model: LabourMarket) -> None:
    """Phase 10: draw every legal resident's act, then apply the acts in order."""
    p = model.people
    n = p.n
    status = p.status[:n]
    n_legal = int(np.count_nonzero(IS_LEGAL[status]))
    if n_legal == 0:
        return
    rng = model.rng_for(STREAM)
    rows, to = model.ledger.due_transfers()  # ESD transfers accepted transfer_lag_months ago take effect
    model.ledger.move_workers(rows, to, voluntary=True)
    waits = model.ledger.waiting_months_of()
    may_leave = model.policy.may_leave_employer(status, p.months_with_employer[:n], waits, p.tests_passed[:n], p.residence[:n],
                                                model.ledger.transfer_tests_of())
    free_months = model.policy.months_free_to_leave(status, p.months_with_employer[:n], p.months_in_status[:n], waits,
                                                    p.residence[:n])
    ssw1_limit_months, ssw1_way_on = ssw1_limit_and_way_on(model)
    act = decide_kernel(
        rng.random(n_legal), status, p.firm[:n], p.debt_yen[:n], p.grievance[:n], p.wage_gap[:n],
        p.irregular_contact[:n], may_leave, free_months, p.months_in_japan[:n], p.months_in_status[:n], p.wants_long_stay[:n],
        ssw1_limit_months, ssw1_way_on, abscond_multiplier(model),
        DecisionParams.of(model), STATUS_KINDS,
    )
    permanence.settled_acts(model, act, CARRY_ON, KEEP_SEARCHING, ABSCOND, RETURN_HOME)  # settled residents (7.20)
    absconding, returning, seeking, searching = (np.flatnonzero(act == a) for a in (ABSCOND, RETURN_HOME, SEEK_TRANSFER, KEEP_SEARCHING))
    abscond(model, absconding)
    model.ledger.count_flow("returns_home", returning)
    model.ledger.leave_japan(returning, Status.RETURNED)

    found = find_employers(model, searching, rng, voluntary=False)
    gave_up = searching[(found < 0) & (p.months_searching[searching] >= model.behaviour.transfer.unavoidable_search_months)
                        & ~permanence.settled(model)[searching]]  # a settled resident's stay needs no employer
    model.ledger.count_flow("returns_home", gave_up)
    model.ledger.leave_japan(gave_up, Status.RETURNED)
    find_employers(model, seeking[p.pending_firm[seeking] < 0], rng, voluntary=True)  # a promised mover waits
    transfer_for_unavoidable_circumstances(model)


def transfer_for_unavoidable_circumstances(model: LabourMarket) -> None:
    """Trainees whose employer violates the rules this month are granted, each with the chance
    ``policy.transfer.unavoidable_transfer_monthly``, a transfer for unavoidable circumstances
    (やむを得ない事情: serious violations, violence, harassment; TITP practice since 2024-11-01, ESD
    by law) and search with their supervisory body at once: an unavoidable move to an acceptable
    firm if one is found, else they stay (stream ``unavoidable``; none drawn when the chance is 0).
    An employer's bankruptcy is ODD 7.14's closure and release."""
    chance = model.scenario.policy.transfer.unavoidable_transfer_monthly
    if chance <= 0.0:
        return
    p = model.people
    n = p.n
    firm = p.firm[:n]
    at_work = np.flatnonzero(IS_TRAINEE[p.status[:n]] & (p.residence[:n] == Residence.WORK) & (firm >= 0))
    rows = at_work[model.firms.violating[firm[at_work]]]
    rng = model.rng_for(UNAVOIDABLE_STREAM)
    find_employers(model, rows[rng.random(len(rows)) < chance], rng, voluntary=False)


def abscond(model: LabourMarket, rows: np.ndarray) -> None:
    """Legal residents at ``rows`` abscond into irregular work: the ledger's disappearance, with the
    month each one's permitted stay runs out (``ladder.stay_expiry``: overstayer or not, later)."""
    model.ledger.disappear(rows, stay_expiry(model, rows))
