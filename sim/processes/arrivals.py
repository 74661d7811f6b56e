"""ODD 7.2 Arrivals and recruitment: trainees and direct SSW entrants arrive at firms with vacancies.

Phase 1. A yearly intake (``policy.intake_per_year``; SSW entrants only once SSW exists) is
spread evenly over the months, the fractional remainder carried to the next month. Each
newcomer takes a random open place: a firm's vacancies (demand minus headcount, rounded down),
at firms not barred from intake, and for trainees within the firm's yearly intake cap (the
legal table by full-time staff, ``intake_cap``; doubled for "excellent" firms). Newcomers draw
an origin, broker debt (lognormal around the origin's fee, capped by the policy's fee cap),
aptitude and whether they want a long stay; trainees enter in the policy's entry status of the
month (``policy.entry_status_at``: TITP until ESD starts in a transition) with its Japanese level, SSW entrants in SSW i with the skills and A2 Japanese tests passed abroad.
Each draws compatriot contacts from the people in Japan at the start of the month.

Parameters: ``world.origin_shares``, ``world.broker_fee_yen``, ``world.share_arriving_in_debt``,
``world.debt_sigma``, ``world.contacts_per_person``, ``world.contacts_same_prefecture``,
``behaviour.learning`` (aptitude, Japanese at arrival), ``behaviour.departure.share_wanting_long_stay``;
policy: intake volumes, fee cap, entry status, the intake cap of excellent firms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import network as net
from sim.domain import ORIGINS, Status
from sim.processes import families
from sim.processes.learning import JAPANESE_A2, tests_from_levels

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of arrivals (and of newcomers' contacts).
STREAM = "arrivals"

#: Newcomers by route: recruited as trainees, or entering SSW i directly from abroad.
KINDS = ("trainee", "ssw")

#: TITP annual intake cap by full-time staff (BRIEF.md, "Firms and overseers"): (staff up to, cap).
INTAKE_CAP_TABLE = ((30, 3), (40, 4), (50, 5), (100, 6), (200, 10), (300, 15))


def intake_cap(staff: np.ndarray) -> np.ndarray:
    """Trainees a firm may take in a year, by its full-time staff (before the 'excellent' bonus)."""
    cap = np.maximum(staff // 20, 15)  # >= 301 staff: 1/20 of staff
    for upper, value in reversed(INTAKE_CAP_TABLE):
        cap = np.where(staff <= upper, value, cap)
    return cap.astype(np.int32)


def arrive(model: LabourMarket) -> None:
    """Phase 1: this month's trainees and SSW direct entrants take open places at firms."""
    rng = model.rng_for(STREAM)
    f, p = model.firms, model.people
    if model.month % 12 == 1:
        f.intake_this_year[:] = 0
    open_ = f.barred_until <= model.month
    # Newcomers' compatriot contacts are drawn from the people in Japan at the start of the month.
    pool = np.flatnonzero(p.in_japan())
    contacts_index = net.ContactPool(pool, p.origin[pool], p.pref[pool], len(ORIGINS), model.geo.n)
    year, month = model.calendar()
    for kind in KINDS:
        per_year = model.policy.intake_per_year(kind, year)
        if kind == "ssw" and not model.policy.ssw_exists(year, month):
            per_year = 0.0
        want = model.intake_carry[kind] + per_year * model.scale / 12.0
        n = int(want)
        model.intake_carry[kind] = want - n
        vacancies = np.maximum(np.floor(f.demand - f.headcount), 0).astype(np.int64) * open_
        if kind == "trainee":
            vacancies = np.minimum(vacancies, np.maximum(f.intake_cap_per_year - f.intake_this_year, 0))
        slots = np.repeat(np.arange(f.n), vacancies)
        n = min(n, len(slots))
        if n == 0:
            continue
        firm = np.sort(slots[rng.choice(len(slots), size=n, replace=False)])
        rows = p.add(n)
        fill_newcomers(model, rng, rows, firm.astype(np.int32), arrival_month=model.month)
        admit(model, rows, kind, contacts_index, rng)
        families.draw_at_arrival(model, rows, batch=KINDS.index(kind))
        model.count_in(rows, +1)
        if kind == "trainee":
            np.add.at(f.intake_this_year, firm, 1)
        model.count_flow("arrivals", rows)
        model.count_flow(f"arrivals_{kind}", rows)


def fill_newcomers(model: LabourMarket, rng: np.random.Generator, rows: np.ndarray, firm: np.ndarray, arrival_month: int) -> None:
    """Attributes every newcomer draws: origin, broker debt, aptitude, intention; employer and field.

    The initial stock (``LabourMarket``'s build) draws the same attributes in the same way.
    """
    w, p = model.world, model.people
    n = len(rows)
    origin_p = np.array([w.origin_shares[o] for o in ORIGINS])
    origin = rng.choice(len(ORIGINS), size=n, p=origin_p / origin_p.sum())
    fee = np.array([w.broker_fee_yen[o] for o in ORIGINS])[origin]
    in_debt = rng.random(n) < w.share_arriving_in_debt
    sigma = w.debt_sigma
    debt = in_debt * fee * np.exp(rng.normal(-0.5 * sigma**2, sigma, n))  # lognormal with mean `fee`
    p.origin[rows] = origin
    p.debt_yen[rows] = model.policy.debt_at_entry(debt)
    p.aptitude[rows] = np.exp(rng.normal(0.0, model.behaviour.learning.aptitude_sigma, n))
    p.wants_long_stay[rows] = rng.random(n) < model.behaviour.departure.share_wanting_long_stay
    p.firm[rows] = firm
    p.field[rows] = model.firms.field[firm]
    p.pref[rows] = model.firms.pref[firm]
    p.arrival_month[rows] = arrival_month


def admit(model: LabourMarket, rows: np.ndarray, kind: str, contacts_index: net.ContactPool, rng: np.random.Generator) -> None:
    """Entry status, entry levels and tests, and contacts of newcomers of ``kind``."""
    p, b, w = model.people, model.behaviour.learning, model.world
    if kind == "trainee":
        status = model.policy.entry_status_at(*model.calendar())
        p.japanese[rows] = model.policy.japanese_at_entry(b, status)
    else:  # SSW i direct entrants passed the skills test and A2 Japanese abroad
        status = Status.SSW_1
        p.skill[rows] = b.threshold_skill_grade3
        p.japanese[rows] = JAPANESE_A2
    p.status[rows] = status
    p.tests_passed[rows] = tests_from_levels(p.skill[rows], p.japanese[rows], b)
    p.contacts[rows] = contacts_index.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)
