"""ODD 7.3 Violations at firms (``sim/processes/violations.py``): compliance sets the monthly chance."""

from __future__ import annotations

import numpy as np

import sim
from helpers import (
    place,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.domain import Status
from sim.processes import grievance, violations

# =============================================================================================
# Violations, audits, sanctions
# =============================================================================================


def test_firm_with_full_compliance_never_violates():
    """Over 24 months of a small world where every firm has compliance 1.0 (and no firm closes
    and reopens with new traits), no violation happens, none is detected, no firm is sanctioned."""
    scenario = small("titp", months=24, scale=0.003, settings={"world.firm_closure_monthly": 0.0})
    m = sim.LabourMarket(scenario, seed=5)
    m.firms.compliance[:] = 1.0
    m.firms.violations_since_inspection[:] = 0  # and no violation on record from before the start
    m.run()
    table = m.results()
    assert (table[["violations", "violations_detected", "violations_suppressed", "firms_sanctioned"]] == 0).all().all()
    assert (m.firms.violations_pending == 0).all()


def test_firm_with_zero_compliance_violates_every_month():
    """With a violation chance of 1 at compliance 0, every firm that employs someone violates
    in the month, and every worker there is exposed (grievance rises by exactly per_violation)."""
    m = tiny_world("titp", firms=2, people=3, settings={"behaviour.violations.monthly_probability_at_zero_compliance": 1.0})
    set_firm(m, 0, compliance=0.0)
    set_firm(m, 1, compliance=0.0)
    for pid in range(3):
        place(m, pid, 0, Status.TITP_1, months_in_japan=3)  # firm 1 employs no one
    settle(m)
    violations.commit_violations(m)
    assert m.firms.violating.tolist() == [True, False]
    assert m.firms.violations_pending.tolist() == [1, 0]
    assert m.flows["violations"] == 1
    grievance.feel_grievance(m)
    assert np.allclose(m.people.grievance[:3], m.behaviour.grievance.per_violation)
