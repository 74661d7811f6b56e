"""ODD 7.7 Grievance: decays, and grows with violations suffered and with a known wage gap.

Phase 6, for everyone in Japan (violations are suffered by legal residents at work: TITP, ESD,
SSW i/ii and 介護):

    grievance = grievance x monthly_decay + per_violation x [employer violated this month]
                + per_wage_gap x wage_gap

The wage gap is the one heard last month (information spreads in phase 8, after this phase).

The initial stock starts at the stationary mean of this recursion given its employer and the
gap it hears at the start (``start_at_stationary_mean``):

    grievance_0 = (per_violation x P(employer violates in a month) + per_wage_gap x wage_gap) / (1 - monthly_decay)

with P = ``monthly_probability_at_zero_compliance`` x (1 - compliance) (ODD 7.3). Starting at 0
instead made the first year of every run a start-up transient: grievance needs about 20 months
(decay 0.9) to build up, and absconding with it. (With decay 1 there is no stationary mean: 0.)

Parameters: ``behaviour.grievance`` (``GrievanceConfig``, as ``GrievanceRules``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.params import bind
from sim.processes.codes import IS_LEGAL, STATUS_KINDS, of_kind

if TYPE_CHECKING:
    from sim.model import LabourMarket


class GrievanceRules(NamedTuple):
    """How grievance decays and grows (``behaviour.grievance``)."""

    monthly_decay: float  # share of last month's grievance kept
    per_violation: float  # added in a month the employer violates
    per_wage_gap: float  # added per unit of the wage gap heard

    @classmethod
    def of(cls, model: LabourMarket) -> GrievanceRules:
        return bind(cls, model.behaviour.grievance)


@njit(cache=True)
def feel_kernel(status, firm, grievance, wage_gap, violating, rules, kinds):  # pragma: no cover
    """Everyone's grievance this month, in place (``rules``: ``GrievanceRules``)."""
    monthly_decay, per_violation, per_wage_gap = rules.monthly_decay, rules.per_violation, rules.per_wage_gap
    for i in range(status.shape[0]):
        s = status[i]
        if not of_kind(kinds.in_japan, s):
            continue
        f = firm[i]
        exposed = 1.0 if (of_kind(kinds.legal, s) and f >= 0 and violating[f]) else 0.0
        grievance[i] = grievance[i] * monthly_decay + per_violation * exposed + per_wage_gap * wage_gap[i]


def start_at_stationary_mean(model: LabourMarket, rows: np.ndarray) -> None:
    """The initial stock's grievance: the recursion's stationary mean at their employer (module docstring)."""
    p, g, f = model.people, model.behaviour.grievance, model.firms
    firm = p.firm[rows]
    employed = IS_LEGAL[p.status[rows]] & (firm >= 0)
    p_violate = model.behaviour.violations.monthly_probability_at_zero_compliance * (1.0 - f.compliance[np.maximum(firm, 0)])
    inflow = g.per_violation * np.where(employed, p_violate, 0.0) + g.per_wage_gap * p.wage_gap[rows]
    p.grievance[rows] = inflow / (1.0 - g.monthly_decay) if g.monthly_decay < 1.0 else 0.0


def feel_grievance(model: LabourMarket) -> None:
    """Phase 6: everyone's grievance this month."""
    p = model.people
    n = p.n
    feel_kernel(p.status[:n], p.firm[:n], p.grievance[:n], p.wage_gap[:n], model.firms.violating, GrievanceRules.of(model), STATUS_KINDS)
