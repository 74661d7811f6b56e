"""ODD 7.19 Ageing and families: age at arrival, marriage, family accompaniment and births in Japan.

People arrive at an age drawn from ``behaviour.settlement.age_at_arrival_bands`` / ``_shares``
(uniform within a band) and age a month a month (``birth_month`` is fixed; age = month -
birth_month). On arrival a share ``share_married_at_arrival`` is married to a compatriot, with
Poisson(``children_at_arrival_mean``) children (at most ``MAX_CHILDREN``); spouse and children stay
abroad (``family_in_japan`` False).

Phase 14b, for every legal resident (``form_families_kernel``, one uniform draw each for
marriage, accompaniment and a birth; monthly hazards are the yearly ones / 12):

* marriage, if unmarried and younger than ``marriage_max_age_years``: to a Japanese national
  with ``marry_japanese_per_year``, else to a compatriot with ``marry_compatriot_per_year``
  (both x ``trainee_marriage_factor`` for TITP and ESD trainees). A compatriot spouse lives in
  Japan as a dependant (家族滞在) at once if the holder's status allows family
  (``policy.family_may_accompany``, or a settled residence), else abroad;
* accompaniment: a spouse and children abroad join a holder whose status allows family and who
  wants a long stay, with ``accompany_per_year``;
* births: a couple living together in Japan (a compatriot spouse in Japan, or a Japanese spouse),
  the worker younger than ``birth_max_age_years`` and with fewer than ``MAX_CHILDREN`` children,
  has a child with ``births_per_couple_year``. A child of a Japanese national is Japanese.

Deaths (phase 14d, ``die``): each legal resident dies with the yearly probability
``mortality_gompertz_a`` x exp(``mortality_gompertz_b`` x age in years) / 12 a month (status
DIED); their foreign family in Japan is no longer followed (``family_bereaved``).

Family members are slots of their worker's row (spouse kind, up to three children's birth
months): they are in Japan while ``family_in_japan`` (or the spouse is Japanese) and leave with
the worker (``count_departures``, phase 14e); their status is the worker's (dependants of a
worker, family of a permanent resident, without status if the worker is irregular). Japanese
spouses and children of Japanese nationals stay but are not foreign residents.

Parameters: ``behaviour.settlement`` (``FamilyRules``); policy: ``family_may_accompany``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import Residence, Spouse, Status
from sim.params import bind, in_months, part
from sim.processes.codes import IS_LEGAL, REMOVED, RETURNED, STATUS_KINDS, of_kind

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of ages, marriages, accompaniment and births.
STREAM = "families"

#: Children a worker's row can hold (fixed slots ``child1..3_birth_month``).
MAX_CHILDREN = 3
#: Compulsory schooling in Japan: elementary and junior high school, ages 6-14 (in months) [P, School Education Act].
SCHOOL_AGE_FROM_MONTHS, SCHOOL_AGE_TO_MONTHS = 6 * 12, 15 * 12
#: The working age of the statistics: 15-64 years (in months).
WORKING_AGE_FROM_MONTHS, WORKING_AGE_TO_MONTHS = 15 * 12, 65 * 12
#: A child born before arrival is at most this old, and born when the parent was at least 18.
OLDEST_CHILD_AT_ARRIVAL_MONTHS, PARENT_MIN_AGE_MONTHS = 12 * 12, 18 * 12

#: Outcomes of the monthly kernel, one a person a month.
NOTHING, MARRIES_COMPATRIOT, MARRIES_JAPANESE, FAMILY_JOINS, CHILD_BORN = range(5)

NO_SPOUSE, COMPATRIOT, JAPANESE = int(Spouse.NONE), int(Spouse.COMPATRIOT), int(Spouse.JAPANESE)
WORK, PERMANENT = int(Residence.WORK), int(Residence.PERMANENT)


def draw_at_arrival(model: LabourMarket, rows: np.ndarray, batch: int = 0) -> None:
    """Age, marriage and children abroad of people who arrive (or are in Japan at the start).

    Draws from its own stream (``STREAM``, keys 1 and ``batch``: one batch per kind of newcomer
    in a month), so that adding families shifted no other draw. ``arrival_month`` must be set.
    """
    n = len(rows)
    if n == 0:
        return
    b, p = model.behaviour.settlement, model.people
    rng = model.rng_for(STREAM, 1, batch)
    edges = np.asarray(b.age_at_arrival_bands, dtype=np.float64)
    shares = np.asarray(b.age_at_arrival_shares, dtype=np.float64)
    band = rng.choice(len(shares), size=n, p=shares / shares.sum())
    age_months = np.floor((edges[band] + rng.random(n) * (edges[band + 1] - edges[band])) * 12).astype(np.int64)
    arrival = p.arrival_month[rows].astype(np.int64)
    p.birth_month[rows] = arrival - age_months
    married = rng.random(n) < b.share_married_at_arrival
    children = np.where(married, np.minimum(rng.poisson(b.children_at_arrival_mean, n), MAX_CHILDREN), 0)
    p.spouse[rows] = np.where(married, COMPATRIOT, NO_SPOUSE)
    p.married_month[rows] = arrival
    p.family_in_japan[rows] = False
    p.residence[rows] = WORK
    p.children[rows] = children
    oldest = np.clip(age_months - PARENT_MIN_AGE_MONTHS, 0, OLDEST_CHILD_AT_ARRIVAL_MONTHS)
    ages = np.floor(rng.random((MAX_CHILDREN, n)) * (oldest + 1)).astype(np.int64)
    for k, column in enumerate(CHILD_COLUMNS):
        getattr(p, column)[rows] = np.where(k < children, arrival - ages[k], 0)


#: The children's birth-month columns of ``People``, in slot order.
CHILD_COLUMNS = ("child1_birth_month", "child2_birth_month", "child3_birth_month")


class FamilyRules(NamedTuple):
    """Monthly hazards of marriage, accompaniment and births and the ages they end at
    (``behaviour.settlement``: its yearly keys in months, ``params.in_months``)."""

    marry_compatriot_per_month: float
    marry_japanese_per_month: float
    trainee_marriage_factor: float  # multiplies both for TITP and ESD trainees
    marriage_max_age_months: int
    accompany_per_month: float
    births_per_couple_month: float
    birth_max_age_months: int

    @classmethod
    def of(cls, model: LabourMarket) -> FamilyRules:
        b = model.behaviour.settlement
        return bind(cls, part(b, "trainee_marriage_factor"),
                    **in_months(b, "marry_compatriot_per_year", "marry_japanese_per_year", "marriage_max_age_years",
                                "accompany_per_year", "births_per_couple_year", "birth_max_age_years"))


@njit(cache=True)
def form_families_kernel(u, status, residence, spouse, family_in_japan, children, birth_month, wants_long_stay, allowed_by_status,
                         month, rules, kinds):  # pragma: no cover - compiled
    """Per person: one of NOTHING, MARRIES_COMPATRIOT, MARRIES_JAPANESE, FAMILY_JOINS, CHILD_BORN.

    ``u`` holds one uniform draw per legal resident, in row order (so compacting the arrays does
    not change who gets which draw); ``allowed_by_status[s]``: may the family of a holder of work
    status s live in Japan (settled residents' families always may: ``family_allowed``); ``rules``: ``FamilyRules``.
    """
    h_compatriot, h_japanese, trainee_factor = rules.marry_compatriot_per_month, rules.marry_japanese_per_month, rules.trainee_marriage_factor
    h_accompany, h_birth = rules.accompany_per_month, rules.births_per_couple_month
    max_marriage_age_months, max_birth_age_months = rules.marriage_max_age_months, rules.birth_max_age_months
    out = np.zeros(status.shape[0], dtype=np.int8)
    j = 0
    for i in range(status.shape[0]):
        s = status[i]
        if not of_kind(kinds.legal, s):
            continue
        x = u[j]
        j += 1
        age = month - birth_month[i]
        sp = spouse[i]
        if sp == NO_SPOUSE:
            if age < max_marriage_age_months:
                f = trainee_factor if (of_kind(kinds.trainee, s) and residence[i] == WORK) else 1.0
                if x < h_japanese * f:
                    out[i] = MARRIES_JAPANESE
                elif x < (h_japanese + h_compatriot) * f:
                    out[i] = MARRIES_COMPATRIOT
        elif sp == COMPATRIOT and not family_in_japan[i]:
            allowed = allowed_by_status[s] or residence[i] != WORK
            if allowed and wants_long_stay[i] and x < h_accompany:
                out[i] = FAMILY_JOINS
        elif age < max_birth_age_months and children[i] < MAX_CHILDREN and x < h_birth:
            out[i] = CHILD_BORN  # a couple in Japan: compatriot spouse in Japan, or Japanese spouse
    return out


def family_allowed(model: LabourMarket, rows: slice | np.ndarray) -> np.ndarray:
    """May the family of these people live in Japan: their work status allows it (SSW ii, 介護), or they are settled."""
    p = model.people
    return model.policy.family_may_accompany(p.status[rows]) | (p.residence[rows] != WORK)


def form_families(model: LabourMarket) -> None:
    """Phase 14b: this month's marriages, families joining and births."""
    p = model.people
    n = p.n
    if n == 0:
        return
    rng = model.rng_for(STREAM)
    allowed_by_status = model.policy.family_may_accompany(np.arange(len(Status)))  # a table: no pass over everyone
    act = form_families_kernel(
        rng.random(int(np.count_nonzero(IS_LEGAL[p.status[:n]]))), p.status[:n], p.residence[:n], p.spouse[:n], p.family_in_japan[:n], p.children[:n],
        p.birth_month[:n], p.wants_long_stay[:n], allowed_by_status, model.month, FamilyRules.of(model), STATUS_KINDS,
    )
    marry_c, marry_j, joins, born = (np.flatnonzero(act == a) for a in (MARRIES_COMPATRIOT, MARRIES_JAPANESE, FAMILY_JOINS, CHILD_BORN))
    p.spouse[marry_c] = COMPATRIOT
    p.spouse[marry_j] = JAPANESE
    p.married_month[marry_c] = model.month
    p.married_month[marry_j] = model.month
    allowed = family_allowed(model, marry_c)
    p.family_in_japan[marry_c] = allowed
    model.ledger.count_flow("marriages_compatriot", marry_c)
    model.ledger.count_flow("marriages_japanese", marry_j)
    model.ledger.count_flow("family_arrivals", marry_c[allowed])  # the spouse comes to live in Japan
    p.family_in_japan[joins] = True
    model.ledger.count_flow("family_arrivals", joins, weights=1.0 + p.children[joins].astype(np.float64))
    for k, column in enumerate(CHILD_COLUMNS):
        slot = born[p.children[born] == k]
        getattr(p, column)[slot] = model.month
    p.children[born] += 1
    japanese = p.spouse[born] == JAPANESE
    model.ledger.count_flow("births", born[~japanese])
    model.ledger.count_flow("births_japanese_nationality", born[japanese])


#: Random stream of deaths.
MORTALITY_STREAM = "mortality"


def die(model: LabourMarket) -> None:
    """Phase 14d: deaths of people in Japan, with the yearly probability a x exp(b x age) (Gompertz).

    One uniform draw per legal resident, in row order (irregular workers, young and few, are left
    out so that the irregular stock changes only by its own flows). The dead leave the population
    (status DIED, flow ``deaths``); their foreign family in Japan is no longer followed (flow
    ``family_bereaved``: the model has no rows of its own for them).
    """
    p, b = model.people, model.behaviour.settlement
    n = p.n
    here, age_months = legal_ages(p.status[:n], p.birth_month[:n], model.month, STATUS_KINDS.legal)
    if len(here) == 0 or b.mortality_gompertz_a <= 0:
        return
    # The hazard by age in months (a table over the ages present, not an exp for every person).
    youngest = int(age_months.min())
    age_years = np.arange(youngest, int(age_months.max()) + 1, dtype=np.int64) / 12.0
    monthly = np.minimum(b.mortality_gompertz_a * np.exp(b.mortality_gompertz_b * age_years), 1.0) / 12.0
    dying = dying_rows(model.rng_for(MORTALITY_STREAM).random(len(here)), here, age_months - youngest, monthly)
    family = foreign_family_in_japan(model, dying)
    model.ledger.count_flow("deaths", dying)
    model.ledger.count_flow("family_bereaved", dying[family > 0], weights=family[family > 0].astype(np.float64))
    model.ledger.leave_japan(dying, Status.DIED)


@njit(cache=True)
def legal_ages(status, birth_month, month, is_legal):  # pragma: no cover - compiled
    """The rows of legal residents (``is_legal``: the mask ``codes.STATUS_KINDS.legal``) and their ages in months, in row order (one pass)."""
    rows = np.empty(status.shape[0], dtype=np.int64)
    ages = np.empty(status.shape[0], dtype=np.int64)
    k = 0
    for i in range(status.shape[0]):
        if of_kind(is_legal, status[i]):
            rows[k] = i
            ages[k] = month - birth_month[i]
            k += 1
    return rows[:k], ages[:k]


@njit(cache=True)
def dying_rows(u, rows, age_index, hazard):  # pragma: no cover - compiled
    """The ``rows`` whose draw ``u`` falls below the hazard of their age (``hazard[age_index]``), in order."""
    out = np.empty(rows.shape[0], dtype=np.int64)
    k = 0
    for j in range(rows.shape[0]):
        if u[j] < hazard[age_index[j]]:
            out[k] = rows[j]
            k += 1
    return out[:k]


def foreign_family_in_japan(model: LabourMarket, rows: np.ndarray) -> np.ndarray:
    """Foreign family members in Japan of the people at ``rows``: a compatriot spouse and the children living here."""
    p = model.people
    here = p.family_in_japan[rows] & (p.spouse[rows] == COMPATRIOT)
    return np.where(here, 1 + p.children[rows].astype(np.int64), 0)


def count_departures(model: LabourMarket) -> None:
    """Phase 14e: foreign family members who left Japan this month with their worker (returned or removed)."""
    p = model.people
    n = p.n
    status = p.status[:n]
    left = np.flatnonzero((p.left_month[:n] == model.month) & ((status == RETURNED) | (status == REMOVED)))
    family = foreign_family_in_japan(model, left)
    model.ledger.count_flow("family_departures", left[family > 0], weights=family[family > 0].astype(np.float64))
