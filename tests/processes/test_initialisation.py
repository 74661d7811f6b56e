"""ODD 5 Initialisation (``LabourMarket`` building the world): the initial irregular stock,
firms' real fields and their one-year choice."""

from __future__ import annotations

import numpy as np

import sim
from helpers import (
    OTHER,
    small,
    tiny_world,
)
from sim.domain import OTHER_FIELDS, REAL_FIELDS, Status
from sim.outputs import collect

# =============================================================================================
# The status ladder
# =============================================================================================


def test_initial_irregular_stock_are_overstayers_and_leave_the_legal_stock_as_it_was():
    """``world.stock_irregular``: that many irregular workers at month 0, with no employer and past
    their stay (ISA's overstayers, so counted in stock_overstayers_trainee from month 0), drawn on a
    stream of their own: the legal stock's origins, employers and debts are those of the world
    without them."""
    without = tiny_world("titp", firms=2, people=3)
    scenario = without.scenario.with_changes({"world.stock_irregular": 200})
    m = sim.LabourMarket(scenario, seed=1)
    p, n = m.people, m.people.n
    assert n == 5
    irregular = np.flatnonzero(p.status[:n] == Status.IRREGULAR)
    assert irregular.tolist() == [3, 4] and (p.firm[irregular] == -1).all() and (p.stay_expired_month[irregular] == 0).all()
    assert collect(m)["stock_overstayers_trainee"] == 200 and collect(m)["stock_irregular"] == 200
    for column in ("origin", "firm", "debt_yen", "months_in_japan"):
        assert getattr(p, column)[:3].tolist() == getattr(without.people, column)[:3].tolist(), column


# =============================================================================================
# Waiting periods by real field, the firm's one-year choice, the pay rise
# =============================================================================================


def test_firms_in_other_draw_their_real_field_and_some_choose_one_year():
    """At the build, firms outside "other" keep their field as real field; firms in "other" draw
    one of the real fields with a positive share (world.other_field_shares); each firm's wait is
    its real field's or, for the firms that chose one year, 12 months."""
    m = sim.LabourMarket(small("esd", months=1, scale=0.02), seed=3)
    f, pol, w = m.firms, m.policy, m.world
    other = f.field == OTHER
    assert (f.real_field[~other] == f.field[~other]).all()
    drawn = {REAL_FIELDS[i] for i in np.unique(f.real_field[other])}
    assert drawn == {name for name in OTHER_FIELDS if w.other_field_shares.get(name, 0) > 0}
    field_wait = pol.waiting_months_by_real_field[f.real_field]
    chose = f.waiting_months < field_wait
    assert ((f.waiting_months == field_wait) | (chose & (f.waiting_months == 12))).all()
    long_field = field_wait > 12
    assert 0 < chose.sum() < long_field.sum()  # some, not all, of the firms that could choose did
