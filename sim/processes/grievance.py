"""ODD 7.7 Grievance: decays, and grows with violations suffered and with a known wage gap.

Phase 6, for everyone in Japan (violations are suffered by legal residents at work: TITP, ESD,
SSW i/ii and 介護):

    grievance = grievance x monthly_decay + per_violation x [employer violated this month]
                + per_wage_gap x wage_gap

The wage gap is the one heard last month (information spreads in phase 8, after this phase).

Parameters: ``behaviour.grievance`` (``GrievanceConfig``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import njit

from sim.processes.codes import LAST_LEGAL, RETURNED

if TYPE_CHECKING:
    from sim.model import LabourMarket


@njit(cache=True)
def feel_kernel(status, firm, grievance, wage_gap, violating, monthly_decay, per_violation, per_wage_gap):  # pragma: no cover
    for i in range(status.shape[0]):
        s = status[i]
        if s >= RETURNED:
            continue
        f = firm[i]
        exposed = 1.0 if (s <= LAST_LEGAL and f >= 0 and violating[f]) else 0.0
        grievance[i] = grievance[i] * monthly_decay + per_violation * exposed + per_wage_gap * wage_gap[i]


def feel_grievance(model: LabourMarket) -> None:
    """Phase 6: everyone's grievance this month."""
    p, g = model.people, model.behaviour.grievance
    n = p.n
    feel_kernel(
        p.status[:n], p.firm[:n], p.grievance[:n], p.wage_gap[:n], model.firms.violating,
        g.monthly_decay, g.per_violation, g.per_wage_gap,
    )
