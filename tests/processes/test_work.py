"""ODD 7.4 Work, pay and money (``sim/processes/work.py``): the monthly money arithmetic, the
irregular worker's pay, the pay rise of a firm keeping a longer ESD wait."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    AGRICULTURE,
    AOMORI,
    CONSTRUCTION,
    TOKYO,
    place,
    set_firm,
    settle,
    tiny_world,
)
from sim.domain import Status
from sim.processes import decisions, work

# =============================================================================================
# Money: pay, debt, savings, remittances
# =============================================================================================


def test_monthly_money_arithmetic_matches_the_formula():
    """One month of ``work.work`` for four people, computed by hand from the documented rule:
    pay = offer x (1 + SSW premium) x (1 - theft); debt grows by the monthly interest; net pay
    after deductions and living costs repays debt first (repay_share of the surplus), the rest is
    split between remittances (remit_share) and savings; a shortfall eats savings, then adds to
    debt. A person with no employer earns nothing."""
    m = tiny_world("titp", firms=2, people=4)
    set_firm(m, 0, pref=AOMORI, markup=1.1)
    set_firm(m, 1, pref=TOKYO, markup=1.0)
    place(m, 0, 0, Status.TITP_1, debt=300_000.0)  # trainee, paid in full
    place(m, 1, 1, Status.SSW_1, debt=50_000.0, savings=1_000.0)  # SSW premium, underpaid this month
    place(m, 2, -1, Status.TITP_2, debt=50_000.0, savings=100_000.0)  # between employers, savings cover costs
    place(m, 3, -1, Status.TITP_2, debt=0.0, savings=20_000.0)  # between employers, savings run out
    settle(m)
    m.firms.underpaying[:] = [False, True]
    w = m.world
    theft = m.behaviour.violations.wage_theft_share
    offer = m.offer_yen
    wages = [offer[0], offer[1] * (1 + w.ssw_wage_premium) * (1 - theft), 0.0, 0.0]
    expected = []
    for wage, debt, savings in zip(wages, [300_000.0, 50_000.0, 50_000.0, 0.0], [0.0, 1_000.0, 100_000.0, 20_000.0]):
        debt = debt * (1 + w.debt_interest_monthly)
        net = wage * (1 - w.deductions_share) - w.living_cost_yen
        surplus = max(net, 0.0)
        repay = min(debt, surplus * w.repay_share)
        debt -= repay
        rest = surplus - repay
        remit = rest * w.remit_share
        savings += rest - remit
        shortfall = max(-net, 0.0)
        from_savings = min(savings, shortfall)
        expected.append((wage, debt + shortfall - from_savings, savings - from_savings, remit))
    months_before = m.people.months_in_japan[:4].copy()

    work.work(m)

    p = m.people
    for pid, (wage, debt, savings, remit) in enumerate(expected):
        assert p.wage_yen[pid] == pytest.approx(wage, rel=1e-6), pid
        assert p.debt_yen[pid] == pytest.approx(debt, rel=1e-12, abs=1e-6), pid
        assert p.savings_yen[pid] == pytest.approx(savings, rel=1e-12, abs=1e-6), pid
        assert p.remitted_yen[pid] == pytest.approx(remit, rel=1e-12, abs=1e-6), pid
    assert p.wage_yen[2] == 0.0 and p.wage_yen[3] == 0.0
    assert p.savings_yen[3] == 0.0 and p.debt_yen[3] == pytest.approx(w.living_cost_yen - 20_000.0)
    assert (p.months_in_japan[:4] == months_before + 1).all()
    assert p.months_with_employer[:4].tolist() == [14, 14, 0, 0]
    assert p.months_searching[:4].tolist() == [0, 0, 1, 1]


def test_irregular_worker_earns_local_minimum_wage_pay():
    """Someone who disappeared into irregular work earns irregular_wage_factor x the local
    minimum-wage pay (hourly minimum wage x hours), with no employer."""
    m = tiny_world("titp", firms=2, people=2)
    set_firm(m, 0, pref=TOKYO)
    place(m, 0, 0, Status.TITP_1)
    place(m, 1, 0, Status.TITP_1)
    settle(m)
    decisions.abscond(m, np.array([1]))
    pay = work.pay(m)
    w = m.world
    assert pay[1] == pytest.approx(w.irregular_wage_factor * m.geo.min_wage_yen_per_hour[TOKYO] * w.hours_per_month)
    assert pay[0] == pytest.approx(m.offer_yen[0])


# =============================================================================================
# Waiting periods by real field, the firm's one-year choice, the pay rise
# =============================================================================================


@pytest.mark.parametrize(
    "one_year, real_field, months_with_employer, raised",
    [
        (False, CONSTRUCTION, 12, False),  # the first year: no rise yet
        (False, CONSTRUCTION, 13, True),   # after the first year at a firm keeping 2 years
        (True, CONSTRUCTION, 13, False),   # the firm chose one year: no obligation
        (False, AGRICULTURE, 13, False),   # a 1-year field: no obligation
    ],
)
def test_firm_keeping_a_longer_wait_raises_pay_after_the_first_year(one_year, real_field, months_with_employer, raised):
    """A firm that keeps a waiting period over one year must raise its ESD workers' pay after
    their first year with it: pay = offer x (1 + longer_wait_pay_raise) from the 13th month."""
    m = tiny_world("esd", firms=2, people=1)
    set_firm(m, 0, pref=AOMORI, field=real_field, one_year_wait=one_year, markup=1.0)
    place(m, 0, 0, Status.ESD, months_with_employer=months_with_employer)
    settle(m)
    rise = m.policy.config.transfer.longer_wait_pay_raise
    assert rise > 0
    assert work.pay(m)[0] == pytest.approx(m.offer_yen[0] * (1 + rise * raised), rel=1e-12)
