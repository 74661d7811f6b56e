"""ODD 7.21 Local integration support: Japanese classes, consultation desks, multilingual services.

A lever of local government: each prefecture has an intensity 0..1 (``policy.integration_support``,
set per prefecture in the scenario). Phase 6b, for every legal resident (TITP, ESD, SSW i/ii,
介護) of a prefecture with intensity s > 0:

    japanese  += japanese_per_month x aptitude x integration_japanese_gain x s   (if employed:
                 the classes add to what work teaches, learning 7.5)
    grievance *= 1 - integration_grievance_relief x s                           (consultation desks)
    wants_long_stay becomes True with integration_wish_to_stay_per_year / 12 x s

Absconding falls through grievance (7.11's hazard rises with it) and the wish to stay through the
ladder's and the decisions' use of ``wants_long_stay``. Its cost, ``cost_yen_per_resident_year`` /
12 x s per foreign resident served (workers and their foreign family in Japan), is counted as the
flow ``integration_cost_yen`` where the residents live. With no support anywhere nothing is drawn
(results are those of a model without this submodel).

Parameters: ``behaviour.settlement.integration_*``, ``behaviour.learning.japanese_per_month``;
policy: ``integration_support``, ``integration_cost_yen_per_resident_month``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.params import bind, in_months, part
from sim.processes.codes import IS_LEGAL, STATUS_KINDS, of_kind
from sim.processes.families import foreign_family_in_japan

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the wish to stay that support brings.
STREAM = "integration"


class SupportEffects(NamedTuple):
    """What a month of full support does (``behaviour.settlement.integration_*``, ``behaviour.learning``)."""

    japanese_per_month: float  # what work teaches ...
    integration_japanese_gain: float  # ... and the classes add, as a multiple of it
    integration_grievance_relief: float  # share of grievance relieved
    integration_wish_to_stay_per_month: float  # chance of coming to wish a long stay (the key per year / 12)

    @classmethod
    def of(cls, model: LabourMarket) -> SupportEffects:
        b = model.behaviour.settlement
        return bind(cls, part(b, "integration_japanese_gain", "integration_grievance_relief"),
                    part(model.behaviour.learning, "japanese_per_month"), **in_months(b, "integration_wish_to_stay_per_year"))


@njit(cache=True)
def support_kernel(u, status, firm, pref, japanese, aptitude, grievance, wants_long_stay, support, effects, is_legal):  # pragma: no cover - compiled
    """Apply one month of support in place; ``support[k]`` is prefecture k's intensity; ``u``: one
    draw per legal resident (``is_legal``: the mask ``codes.STATUS_KINDS.legal``), in row order;
    ``effects``: ``SupportEffects``."""
    japanese_gain_per_month = effects.japanese_per_month * effects.integration_japanese_gain
    relief, h_wish = effects.integration_grievance_relief, effects.integration_wish_to_stay_per_month
    j = 0
    for i in range(status.shape[0]):
        if not of_kind(is_legal, status[i]):
            continue
        x = u[j]
        j += 1
        s = support[pref[i]]
        if s <= 0.0:
            continue
        if firm[i] >= 0:
            japanese[i] += japanese_gain_per_month * aptitude[i] * s
        grievance[i] *= 1.0 - relief * s
        if not wants_long_stay[i] and x < h_wish * s:
            wants_long_stay[i] = True


def support(model: LabourMarket) -> None:
    """Phase 6b: a month of local integration support, and its cost."""
    intensity = model.policy.integration_support(model.geo.name)
    if not (intensity > 0).any():
        return
    p = model.people
    n = p.n
    rng = model.rng_for(STREAM)
    support_kernel(
        rng.random(int(np.count_nonzero(IS_LEGAL[p.status[:n]]))), p.status[:n], p.firm[:n], p.pref[:n], p.japanese[:n], p.aptitude[:n], p.grievance[:n],
        p.wants_long_stay[:n], intensity, SupportEffects.of(model), STATUS_KINDS.legal,
    )
    served = np.flatnonzero(IS_LEGAL[p.status[:n]] & (intensity[p.pref[:n]] > 0))
    residents = 1.0 + foreign_family_in_japan(model, served)
    cost = residents * intensity[p.pref[served]] * model.policy.integration_cost_yen_per_resident_month
    model.ledger.count_flow("integration_cost_yen", served, weights=cost)
