"""ODD 7.2 Arrivals and recruitment: trainees and direct SSW entrants arrive at firms with vacancies.

Phase 1. A yearly intake (``policy.intake_per_year``; SSW entrants only once SSW exists) is
spread evenly over the months, the fractional remainder carried to the next month. Each
newcomer takes a random open place: a firm's vacancies (demand minus headcount, rounded down),
at firms not barred from intake, and for trainees within the firm's yearly intake cap (the
legal table by full-time staff, ``intake_cap``; doubled for "excellent" firms), and within the
caps on residents the policy sets (``policy.stock_caps``: the 受入れ見込数 operated as caps [S],
on the SSW, ESD, or SSW and ESD residents, nationally or by field): a cap's room is its real
figure x scale less the agents it counts now, and of this month's newcomers it counts, those
beyond the room (in the random order of the places drawn; for recruits ordered earlier, in the
order of the firms' rows) do not come.

Trainees are recruited abroad through the supervisory-body route, which takes time
(``world.recruitment_lag_months``, L; interview, pre-entry training, plan certification,
certificate of eligibility, visa): with L > 0 the month's intake is the ceiling on *orders*,
random places among vacancies not already covered by recruits on the way (and within the
intake cap of the year they will arrive in); the recruits ordered in month t arrive at the ordering firm
in month t + L, unless it is barred from intake then (its plans are void: they never come).
Arrivals in months 1..L are the orders placed before the run: the month's intake placed at once,
as with L = 0 (which takes intakes as given, as the history scenario does). Each arriving
trainee costs ``world.recruitment_cost_yen`` (accounted: ``recruitment_cost_yen``). SSW direct
entrants are placed at once (assumption). Newcomers draw
an origin, broker debt (lognormal around the origin's fee, capped by the policy's fee cap; for
ESD entrants also at ``fee_cap_months_of_pay`` months of the employer's scheduled pay [S]),
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
from numba import njit

from sim import network as net
from sim.domain import FIELDS, ORIGINS, Residence, Status
from sim.processes import families
from sim.processes.codes import STATUS_KINDS
from sim.processes.learning import JAPANESE_A2, tests_from_levels
from sim.scenario import value_in_year

if TYPE_CHECKING:
    from sim.model import LabourMarket
    from sim.scenario import WorldConfig

#: Random stream of arrivals (and of newcomers' contacts).
STREAM = "arrivals"
#: Random stream of whether a newcomer's sending organisation keeps to the ESD fee cap.
FEE_CAP_STREAM = "fee_cap"
#: The residence code of people whose stay rests on their work status (compile-time constant).
WORK = int(Residence.WORK)

#: Newcomers by route: recruited as trainees, or entering SSW i directly from abroad.
KINDS = ("trainee", "ssw")

#: Key (after the stream) of the draws that choose where recruits are ordered.
ORDERS_KEY = 1

#: TITP annual intake cap by full-time staff (docs/domain.md, "Firms and overseers"): (staff up to, cap).
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
    contacts_index = net.ContactPool.of_people_in_japan(p.status[: p.n], p.origin[: p.n], p.pref[: p.n], STATUS_KINDS.in_japan,
                                                        len(ORIGINS), model.geo.n)
    year, month = model.calendar()
    lag = model.world.recruitment_lag_months
    for kind in KINDS:
        # Recruits ordered now arrive in ``lag`` months: the intake of the year they arrive in.
        per_year = model.policy.intake_per_year(kind, model.calendar(model.month + lag)[0] if kind == "trainee" else year)
        if kind == "ssw" and not model.policy.ssw_exists(year, month):
            per_year = 0.0
        n = model.ledger.whole_newcomers(kind, per_year * model.scale / 12.0)
        ordered = kind == "trainee" and lag > 0
        status = model.policy.entry_status_at(year, month) if kind == "trainee" else Status.SSW_1
        if ordered and model.month > lag:  # the recruits ordered ``lag`` months ago
            firm = model.ledger.recruits_arriving(model.month)
            firm = within_stock_caps(model, firm[open_[firm]], status)
        else:
            slots = open_places(model, open_, trainees=kind == "trainee", arrival_month=model.month)
            take = min(n, len(slots))
            drawn = slots[rng.choice(len(slots), size=take, replace=False)] if take else slots[:0]
            firm = np.sort(within_stock_caps(model, drawn, status))
        if kind == "trainee":
            np.add.at(f.intake_this_year, firm, 1)
        if len(firm):
            place_newcomers(model, rng, kind, firm.astype(np.int32), contacts_index)
        if ordered:  # for the places still open after this month's arrivals
            order_recruits(model, n, open_)


def place_newcomers(model: LabourMarket, rng: np.random.Generator, kind: str, firm: np.ndarray,
                    contacts_index: net.ContactPool) -> None:
    """Newcomers of ``kind`` start at ``firm`` (one entry each): their attributes, status, contacts, flows."""
    rows = model.people.add(len(firm))
    fill_newcomers(model, rng, rows, firm, arrival_month=model.month)
    admit(model, rows, kind, contacts_index, rng)
    families.draw_at_arrival(model, rows, batch=KINDS.index(kind))
    model.ledger.count_in(rows, +1)
    model.ledger.count_flow("arrivals", rows)
    model.ledger.count_flow(f"arrivals_{kind}", rows)
    if kind == "trainee":
        model.ledger.add_to_flow("recruitment_cost_yen", len(rows) * model.world.recruitment_cost_yen)


def open_places(model: LabourMarket, open_: np.ndarray, trainees: bool, arrival_month: int) -> np.ndarray:
    """One entry per place open to newcomers arriving in ``arrival_month``, by firm row.

    Vacancies (demand minus headcount, rounded down) at firms not barred, less the recruits on
    the way when ordering for later; for trainees within the intake cap of the intake year of
    their arrival, which counts the year's arrivals so far and the recruits due to arrive in it.
    """
    f = model.firms
    vacancies = np.maximum(np.floor(f.demand - f.headcount), 0).astype(np.int64) * open_
    ordering = arrival_month > model.month
    due = list(model.ledger.recruits_ordered.items())
    if ordering and due:
        vacancies = np.maximum(vacancies - np.bincount(np.concatenate([firms for _, firms in due]), minlength=f.n), 0)
    if trainees:
        year = intake_year(arrival_month)
        taken = f.intake_this_year.astype(np.int64) if year == intake_year(model.month) else np.zeros(f.n, dtype=np.int64)
        same_year = [firms for month, firms in due if intake_year(month) == year]
        if same_year:
            taken = taken + np.bincount(np.concatenate(same_year), minlength=f.n)
        vacancies = np.minimum(vacancies, np.maximum(f.intake_cap_per_year - taken, 0))
    return np.repeat(np.arange(f.n), vacancies)


def intake_year(month: int) -> int:
    """The intake year of a model month (``intake_this_year`` is reset in months 1, 13, 25, ...)."""
    return (month - 1) // 12


def order_recruits(model: LabourMarket, n: int, open_: np.ndarray) -> None:
    """Firms order up to ``n`` trainees from abroad for places not yet covered; they arrive in
    ``recruitment_lag_months`` (stream ``arrivals``, key ``ORDERS_KEY``) and count in the intake
    cap of the year they arrive in."""
    arrival_month = model.month + model.world.recruitment_lag_months
    slots = open_places(model, open_, trainees=True, arrival_month=arrival_month)
    n = min(n, len(slots))
    if n == 0:
        return
    rng = model.rng_for(STREAM, ORDERS_KEY)
    model.ledger.order_recruits(arrival_month, np.sort(slots[rng.choice(len(slots), size=n, replace=False)]).astype(np.int32))


def within_stock_caps(model: LabourMarket, firm: np.ndarray, status: Status) -> np.ndarray:
    """The newcomers' places (firm rows, in the order drawn) that fit within the caps on residents
    that count entrants of ``status``: a cap's room is round(cap x scale) less the agents it counts.

    A cap counts holders of its work statuses only: people who have settled (spouse status or
    permanent residence, ``people.residence``) keep their programme's code in ``status`` but no
    longer hold the work status, so they leave its cap's count."""
    caps = model.policy.stock_caps(status, *model.calendar())
    if not caps:
        return firm
    p = model.people
    # Holders of each work status by field (one pass over the people; the caps read sums of it).
    by_status_field = residents_by_status_field(p.status[: p.n], p.field[: p.n], p.residence[: p.n], len(Status), len(FIELDS))
    keep = np.ones(len(firm), dtype=bool)
    for cap in caps:
        counted = by_status_field[list(cap.statuses)]
        in_group = np.ones(len(firm), dtype=bool)
        if cap.field >= 0:
            counted = counted[:, cap.field]
            in_group = model.firms.field[firm] == cap.field
        room = max(int(round(cap.persons * model.scale)) - int(counted.sum()), 0)
        rank = np.cumsum(in_group & keep) - 1  # order among the still-kept newcomers of the group
        keep &= ~in_group | (rank < room)
    return firm[keep]


@njit(cache=True)
def residents_by_status_field(status, field, residence, n_status, n_fields):  # pragma: no cover - compiled
    """People (rows) holding their status code as their residence status (not settled), by status
    and field: one compiled pass, no temporaries over everyone."""
    out = np.zeros((n_status, n_fields), dtype=np.int64)
    for i in range(status.shape[0]):
        if residence[i] == WORK:
            out[status[i], field[i]] += 1
    return out


def origin_shares_in(world: WorldConfig, year: int) -> np.ndarray:
    """Newcomers' origin shares (``ORIGINS`` order) in calendar ``year``.

    ``world.origin_shares_by_year`` where the data give the mix of a year (the history run: it
    shifted from China and Vietnam to Indonesia and Myanmar), the nearest listed year before
    (before the first: the first), else ``world.origin_shares`` (every policy scenario).
    """
    table = world.origin_shares_by_year
    shares = value_in_year(table, year) if table else world.origin_shares
    return np.array([shares[o] for o in ORIGINS])


def fill_newcomers(model: LabourMarket, rng: np.random.Generator, rows: np.ndarray, firm: np.ndarray, arrival_month: int) -> None:
    """Attributes every newcomer draws: origin, broker debt, aptitude, intention; employer and field.

    The initial stock (``LabourMarket``'s build) draws the same attributes in the same way.
    """
    w, p = model.world, model.people
    n = len(rows)
    origin_p = origin_shares_in(w, model.calendar(arrival_month)[0])
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


def fee_cap_compliance(model: LabourMarket, n: int, kind: str) -> np.ndarray | None:
    """Per newcomer of ``kind``: does their sending organisation keep to the ESD fee cap? Each
    with ``fee_cap_compliance_share`` (stream ``fee_cap``, keyed by the kind); None (all do,
    nothing drawn) at a share of 1."""
    share = model.scenario.policy.recruitment.fee_cap_compliance_share
    if share >= 1.0:
        return None
    return model.rng_for(FEE_CAP_STREAM, KINDS.index(kind)).random(n) < share


def admit(model: LabourMarket, rows: np.ndarray, kind: str, contacts_index: net.ContactPool, rng: np.random.Generator) -> None:
    """Entry status, entry levels and tests, and contacts of newcomers of ``kind``."""
    p, b, w = model.people, model.behaviour.learning, model.world
    if kind == "trainee":
        status = model.policy.entry_status_at(*model.calendar())
        p.japanese[rows] = model.policy.japanese_at_entry(b, status)
    else:  # SSW i direct entrants passed the skills test and A2 Japanese abroad
        status = Status.SSW_1
        model.ledger.mark_ssw1_entry(rows)
        p.skill[rows] = b.threshold_skill_grade3
        p.japanese[rows] = JAPANESE_A2
    p.status[rows] = status
    p.debt_yen[rows] = model.policy.esd_fee_cap(p.debt_yen[rows], model.offer_yen[p.firm[rows]], np.full(len(rows), status),
                                                fee_cap_compliance(model, len(rows), kind))
    p.tests_passed[rows] = tests_from_levels(p.skill[rows], p.japanese[rows], b, model.scenario.policy.stay.ssw1_extension_pass_share)
    p.contacts[rows] = contacts_index.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)
