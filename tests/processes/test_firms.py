"""ODD 7.14-7.16 Firms (``sim/processes/firms.py``): closures, wage adjustment, and demand, which
grows every month by the monthly equivalent of ``world.demand_growth_per_year``."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AOMORI,
    CONSTRUCTION,
    place,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.domain import Status
from sim.processes import firms


def demand_world(growth_per_year: float):
    m = tiny_world("titp", firms=2, people=2, settings={"world.demand_growth_per_year": growth_per_year})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, demand=10.0)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, demand=3.5)
    for pid in range(2):
        place(m, pid, pid, Status.TITP_2)
    settle(m)
    return m


@pytest.mark.parametrize("growth_per_year", [0.12, 0.0, -0.12])
def test_demand_grows_by_the_monthly_equivalent_of_the_yearly_rate(growth_per_year):
    """Each month multiplies every firm's demand by (1 + g)^(1/12) (in the arrays' float32), so
    that twelve months make 1 + g."""
    m = demand_world(growth_per_year)
    start = m.firms.demand.copy()
    factor = np.float32((1.0 + growth_per_year) ** (1.0 / 12.0))
    firms.update_demand(m)
    assert m.firms.demand.tolist() == (start * factor).tolist()
    for _ in range(11):
        firms.update_demand(m)
    assert np.allclose(m.firms.demand, start * (1.0 + growth_per_year), rtol=1e-5)


def test_a_month_grows_demand_once():
    """The month (phase 13) applies the growth once, and nothing else in a tiny world without
    closures changes demand."""
    m = demand_world(0.12)
    start = m.firms.demand.copy()
    m.step()
    assert m.firms.demand.tolist() == (start * np.float32(1.12 ** (1.0 / 12.0))).tolist()


# =============================================================================================
# Wage adjustment (ODD 7.15)
# =============================================================================================


def _wage_world(settings: dict | None = None):
    """Firm 0 lost a worker to a quit (not short of staff), firm 1 is short of staff, firm 2 is
    full and lost nobody, firm 3 is short near the ceiling."""
    m = tiny_world("titp", firms=4, people=4, settings=settings)
    for row, (markup, demand) in enumerate(((1.1, 1.0), (1.2, 3.0), (1.3, 1.0), (1.4998, 3.0))):
        set_firm(m, row, pref=AOMORI, field=CONSTRUCTION, markup=markup, demand=demand)
        place(m, row, row, Status.TITP_2)
    settle(m)
    m.firms.quits_this_month[:] = [1, 0, 0, 0]
    return m


def test_firms_raise_wages_after_quits_and_a_quarter_step_when_short():
    """markup x (1 + step) after a quit, x (1 + step / 4) while short of staff, x (1 - cut) for a
    firm with all the staff it wants and no quits, never above the ceiling; offers follow; the
    month's quits are reset."""
    m = _wage_world()
    step, ceiling = m.behaviour.firms.wage_raise_step, m.behaviour.firms.wage_markup_ceiling
    cut = m.behaviour.firms.wage_cut_step
    assert cut > 0
    before = m.firms.markup.astype(float).copy()
    firms.adjust_wages(m)
    expected = [before[0] * (1 + step), before[1] * (1 + step / 4), before[2] * (1 - cut), min(before[3] * (1 + step / 4), ceiling)]
    assert m.firms.markup.tolist() == pytest.approx(expected, rel=1e-6)
    assert m.firms.markup[3] == pytest.approx(ceiling, rel=1e-6)
    assert m.offer_yen.tolist() == pytest.approx((m.base_pay_yen[AOMORI] * m.firms.markup).tolist(), rel=1e-6)
    assert m.firms.quits_this_month.tolist() == [0, 0, 0, 0]


def test_wage_floor_binds_and_firms_that_do_not_respond_keep_their_markup():
    """With firms' response switched off markups stay, except that the policy's floor (1.25)
    lifts the two below it."""
    m = _wage_world({"policy.wages.firms_raise_wages": False, "policy.wages.wage_floor_markup": 1.25})
    firms.adjust_wages(m)
    assert m.firms.markup.tolist() == pytest.approx([1.25, 1.25, 1.3, 1.4998], rel=1e-6)


def test_wage_cuts_stop_at_the_floor():
    """A full firm with no quits cuts its markup each month, but never below the policy's floor:
    firm 2 (markup 1.3, full, no quits) with a cut of 0.2 a month goes to 1.04, then to the floor 1.0."""
    m = _wage_world({"behaviour.firms.wage_cut_step": 0.2})
    firms.adjust_wages(m)
    assert float(m.firms.markup[2]) == pytest.approx(1.3 * 0.8, rel=1e-6)
    firms.adjust_wages(m)
    assert float(m.firms.markup[2]) == pytest.approx(1.0, rel=1e-6)


def test_firms_that_do_not_raise_wages_keep_their_offers():
    """With firms_raise_wages off (and no closures), every firm's wage markup stays as drawn."""
    scenario = small("free_mobility", months=12, scale=0.003, settings={
        "policy.wages.firms_raise_wages": False, "world.firm_closure_monthly": 0.0})
    m = sim.LabourMarket(scenario, seed=2)
    before = m.firms.markup.copy()
    m.run()
    np.testing.assert_array_equal(m.firms.markup, before)
    raising = sim.LabourMarket(small("free_mobility", months=12, scale=0.003,
                                     settings={"world.firm_closure_monthly": 0.0}), seed=2).run()
    assert (raising.firms.markup > before).any(), "with the lever on, some firms do raise wages"
