"""ODD 7.1 Wage offers (``sim/processes/offers.py``): the wage floor binds from the first month on."""

from __future__ import annotations

import sim
from helpers import on_home_leave, small
from sim.processes.codes import IS_LEGAL


def test_wage_floor_binds_from_the_first_month():
    """Under a wage floor of 1.2 x the minimum-wage pay, no firm offers less and no worker is
    paid less (when not underpaid, nor on the unpaid home leave before stage iii) from the start:
    at month 0 and in month 1's pay."""
    scenario = small("titp", months=2, scale=0.003, settings={
        "policy.wages.wage_floor_markup": 1.2, "behaviour.violations.monthly_probability_at_zero_compliance": 0.0})
    m = sim.LabourMarket(scenario, seed=1)
    assert m.firms.markup.min() >= 1.2 - 1e-6
    m.step()
    p = m.people
    n = p.n
    paid = IS_LEGAL[p.status[:n]] & (p.firm[:n] >= 0) & (p.months_with_employer[:n] >= 1) & ~on_home_leave(m)
    ratio = p.wage_yen[:n][paid] / m.base_pay_yen[m.firms.pref[p.firm[:n][paid]]]
    assert ratio.min() >= 1.2 * (1 - 1e-6)


def test_wage_floor_binds_after_the_first_month():
    """Under a wage floor of 1.2, from month 2 on every firm's offer is at least 1.2 x the
    minimum-wage pay of its prefecture."""
    scenario = small("titp", months=3, scale=0.003, settings={"policy.wages.wage_floor_markup": 1.2})
    m = sim.LabourMarket(scenario, seed=1).run()
    assert (m.offer_yen >= 1.2 * m.base_pay_yen[m.firms.pref] * (1 - 1e-6)).all()
