"""ODD 7.14-7.16 Firms (``sim/processes/firms.py``): closures, wage adjustment, and demand, which
grows every month by the monthly equivalent of ``world.demand_growth_per_year``."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import AOMORI, CONSTRUCTION, place, set_firm, settle, tiny_world
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
