"""ODD 7.7 Grievance (``sim/processes/grievance.py``): the initial grievance is the stationary mean."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    place,
    set_firm,
    settle,
    tiny_world,
)
from sim.domain import Status
from sim.processes import grievance

# =============================================================================================
# The status ladder
# =============================================================================================


def test_initial_grievance_is_the_stationary_mean_at_the_employer():
    """The initial stock starts at grievance = (per_violation x 0.3 (1 - compliance) + per_wage_gap
    x gap) / (1 - decay): built into the world at the start, and by hand for one employed
    trainee and one irregular worker (no employer: the gap alone)."""
    m = tiny_world("titp", firms=2, people=3)
    p, f, g = m.people, m.firms, m.behaviour.grievance
    q = m.behaviour.violations.monthly_probability_at_zero_compliance
    built = (g.per_violation * q * (1 - f.compliance[p.firm[:3]]) + g.per_wage_gap * p.wage_gap[:3]) / (1 - g.monthly_decay)
    assert p.grievance[:3] == pytest.approx(built, rel=1e-6) and (p.grievance[:3] > 0).all()
    set_firm(m, 0, compliance=0.5)
    place(m, 0, 0, Status.TITP_2)
    place(m, 1, -1, Status.IRREGULAR)
    settle(m)
    p.wage_gap[:2] = [0.1, 0.05]
    grievance.start_at_stationary_mean(m, np.array([0, 1]))
    assert p.grievance[:2] == pytest.approx([(1.0 * 0.3 * 0.5 + 2.0 * 0.1) / 0.1, 2.0 * 0.05 / 0.1], rel=1e-6)  # 3.5, 1.0 (float32)
