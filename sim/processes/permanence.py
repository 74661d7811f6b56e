"""ODD 7.20 Routes to permanence and return: spouse status, permanent residence, naturalisation.

Phase 14c, for every legal resident (``permanence_kernel``; one uniform draw each, the monthly
hazards are the yearly ones / 12):

* someone who married a Japanese national this month takes the spouse status (日本人の配偶者等)
  with ``spouse_status_uptake``: no end of stay any more, and a shorter road to permanence;
* permanent residence (永住者) with ``permanence_uptake_per_year`` once the legal years are
  reached (``policy.settlement``): 10 years' continuous residence of which 5 in a counted work
  status (``policy.permanence_counts``: SSW ii and 介護; TITP, ESD and SSW i do not count), and a wish to
  stay; for spouses of Japanese nationals 3 years of marriage and 1 year in Japan [S];
* settled residents (spouse status or permanent) past the naturalisation years (5; 3 for spouses)
  naturalise with ``naturalisation_per_year`` (they, and their foreign family, leave the foreign
  population: status NATURALISED), or go home with their family with ``settled_return_per_year``.

Settled residents keep ``status`` (the programme they came through) but the ladder no longer ends
their stay (``exempt_from_ladder``) and they neither abscond nor go home by the work-status
hazards (``settled_acts``): their return is the one above. Return migration at the other stages
is decisions (7.11) and the ladder (7.10).

Parameters: ``behaviour.settlement`` (``SettledChoices``); ``policy.settlement`` (the legal months: ``PermanenceRules``), ``Policy.permanence_counts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import Residence, Spouse, Status
from sim.params import bind, in_months, part
from sim.processes.codes import IS_LEGAL, STATUS_KINDS, of_kind
from sim.processes.families import foreign_family_in_japan

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the changes to settled statuses, naturalisation and settled returns.
STREAM = "permanence"

#: Outcomes, one a person a month.
NOTHING, TO_SPOUSE_STATUS, TO_PERMANENT, NATURALISES, RETURNS = range(5)

WORK, SPOUSE_OF_JAPANESE, PERMANENT = int(Residence.WORK), int(Residence.SPOUSE_OF_JAPANESE), int(Residence.PERMANENT)
JAPANESE = int(Spouse.JAPANESE)


class PermanenceRules(NamedTuple):
    """The legal years of permanent residence and naturalisation, in months (``policy.settlement``)."""

    permanence_residence_months: int  # continuous residence for permanent residence
    permanence_work_status_months: int  # of which in a counted work status (the current one)
    permanence_spouse_marriage_months: int  # a Japanese national's spouse: years married ...
    permanence_spouse_residence_months: int  # ... and years of residence
    naturalisation_residence_months: int
    naturalisation_spouse_residence_months: int  # a Japanese national's spouse

    @classmethod
    def of(cls, model: LabourMarket) -> PermanenceRules:
        return bind(cls, model.scenario.policy.settlement, unused={
            "Policy.family_may_accompany and Policy.permanence_counts": (
                "family_accompaniment_statuses", "permanence_counted_statuses")})


class SettledChoices(NamedTuple):
    """How readily those who may settle do, and settled residents naturalise or go home
    (``behaviour.settlement``: its yearly rates per month, ``params.in_months``)."""

    spouse_status_uptake: float  # a Japanese national's spouse takes the spouse status (in the month of marriage)
    permanence_uptake_per_month: float
    naturalisation_per_month: float
    settled_return_per_month: float

    @classmethod
    def of(cls, model: LabourMarket) -> SettledChoices:
        b = model.behaviour.settlement
        return bind(cls, part(b, "spouse_status_uptake"),
                    **in_months(b, "permanence_uptake_per_year", "naturalisation_per_year", "settled_return_per_year"))


@njit(cache=True)
def permanence_kernel(u, status, residence, spouse, married_month, months_in_japan, months_in_status, counted_by_status, wants_long_stay,
                      month, rules, choices, is_legal):  # pragma: no cover - compiled
    """Per person: one of NOTHING, TO_SPOUSE_STATUS, TO_PERMANENT, NATURALISES, RETURNS.

    ``rules``: the legal months (``PermanenceRules``); ``choices``: the uptakes (``SettledChoices``);
    ``counted_by_status[s]``: do months in work status s count as work years (SSW ii, 介護)?
    ``is_legal``: the mask ``codes.STATUS_KINDS.legal``.
    """
    h_spouse_status, h_permanent = choices.spouse_status_uptake, choices.permanence_uptake_per_month
    h_naturalise, h_return = choices.naturalisation_per_month, choices.settled_return_per_month
    res_m, work_m = rules.permanence_residence_months, rules.permanence_work_status_months
    sp_marr_m, sp_res_m = rules.permanence_spouse_marriage_months, rules.permanence_spouse_residence_months
    nat_m, sp_nat_m = rules.naturalisation_residence_months, rules.naturalisation_spouse_residence_months
    out = np.zeros(status.shape[0], dtype=np.int8)
    j = 0  # ``u``: one draw per legal resident, in row order
    for i in range(status.shape[0]):
        if not of_kind(is_legal, status[i]):
            continue
        x = u[j]
        j += 1
        r = residence[i]
        m = months_in_japan[i]
        if r == WORK:
            if spouse[i] == JAPANESE and married_month[i] == month:
                if x < h_spouse_status:
                    out[i] = TO_SPOUSE_STATUS
            elif wants_long_stay[i] and m >= res_m and counted_by_status[status[i]] and months_in_status[i] >= work_m and x < h_permanent:
                out[i] = TO_PERMANENT
        else:
            spouse_route = r == SPOUSE_OF_JAPANESE
            years_ok = m >= (sp_nat_m if spouse_route else nat_m)
            h_nat = h_naturalise if years_ok else 0.0
            if x < h_nat:
                out[i] = NATURALISES
            elif x < h_nat + h_return:
                out[i] = RETURNS
            elif spouse_route and month - married_month[i] >= sp_marr_m and m >= sp_res_m and x < h_nat + h_return + h_permanent:
                out[i] = TO_PERMANENT
    return out


def settle_or_leave(model: LabourMarket) -> None:
    """Phase 14c: this month's changes to settled statuses, naturalisations and settled returns."""
    p = model.people
    n = p.n
    if n == 0:
        return
    rng = model.rng_for(STREAM)
    act = permanence_kernel(
        rng.random(int(np.count_nonzero(IS_LEGAL[p.status[:n]]))), p.status[:n], p.residence[:n], p.spouse[:n], p.married_month[:n], p.months_in_japan[:n],
        p.months_in_status[:n], model.policy.permanence_counts(np.arange(len(Status))), p.wants_long_stay[:n], model.month,
        PermanenceRules.of(model), SettledChoices.of(model), STATUS_KINDS.legal,
    )
    to_spouse, to_permanent, naturalising, returning = (np.flatnonzero(act == a) for a in (TO_SPOUSE_STATUS, TO_PERMANENT, NATURALISES, RETURNS))
    model.ledger.change_residence(to_spouse, Residence.SPOUSE_OF_JAPANESE)
    model.ledger.change_residence(to_permanent, Residence.PERMANENT)
    model.ledger.count_flow("to_spouse_of_japanese", to_spouse)
    model.ledger.count_flow("to_permanent", to_permanent)
    model.ledger.count_flow("naturalisations", naturalising)
    family = foreign_family_in_japan(model, naturalising)
    model.ledger.count_flow("family_naturalised", naturalising[family > 0], weights=family[family > 0].astype(np.float64))
    model.ledger.leave_japan(naturalising, Status.NATURALISED)
    model.ledger.count_flow("returns_home", returning)
    model.ledger.count_flow("returns_settled", returning)
    model.ledger.leave_japan(returning, Status.RETURNED)


def settled(model: LabourMarket) -> np.ndarray:
    """Boolean mask over the used rows: people whose stay rests on a settled status."""
    p = model.people
    return p.residence[: p.n] != WORK


def exempt_from_ladder(model: LabourMarket, outcome: np.ndarray, stays: int) -> None:
    """The ladder's outcome for settled people is ``stays``: their programme's end no longer ends their stay."""
    outcome[settled(model)] = stays


def settled_acts(model: LabourMarket, act: np.ndarray, carry_on: int, keep_searching: int, abscond: int, return_home: int) -> None:
    """Settled people neither abscond nor go home by the work-status hazards (their return is phase 14c):
    they carry on, or keep looking for work if they have no employer."""
    mask = settled(model) & ((act == abscond) | (act == return_home))
    act[mask] = np.where(model.people.firm[: model.people.n][mask] >= 0, carry_on, keep_searching)
