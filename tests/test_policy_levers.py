"""Policy levers do what they say (DESIGN.md §5): each lever, set in a small world, has its
stated effect on who arrives, what they owe, what they are paid and where the ladder leads."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import on_home_leave, small
from sim.processes.codes import IS_LEGAL
from sim.processes import arrivals
from sim.processes.arrivals import intake_cap


def test_broker_fee_cap_limits_the_debt_newcomers_bring():
    """With a broker-fee cap of 100,000 yen, no newcomer arrives owing more than that (and the
    cap binds for some); without it, some arrive owing more."""
    capped = sim.LabourMarket(small("titp", settings={"policy.recruitment.broker_fee_cap_yen": 100_000}), seed=1)
    free = sim.LabourMarket(small("titp"), seed=1)
    first_new = {}
    for m in (capped, free):
        m.month = 1  # as at the start of month 1: only the arrivals happen
        first_new[id(m)] = m.people.n
        arrivals.arrive(m)
    new_capped = capped.people.debt_yen[first_new[id(capped)]: capped.people.n]
    new_free = free.people.debt_yen[first_new[id(free)]: free.people.n]
    assert len(new_capped) > 20
    assert new_capped.max() <= 100_000 and (new_capped == 100_000).any()
    assert new_free.max() > 100_000
    assert capped.people.debt_yen[: first_new[id(capped)]].max() <= 100_000, "the initial stock came under the same cap"


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


def test_excellent_firms_have_a_doubled_intake_cap():
    """Firms at or above the 'excellent' compliance get the intake cap x the multiplier (2)."""
    m = sim.LabourMarket(small("titp", scale=0.003), seed=3)
    f = m.firms
    excellent = f.compliance >= m.behaviour.firms.excellent_compliance
    assert excellent.any() and (~excellent).any()
    base = intake_cap(f.staff)
    np.testing.assert_array_equal(f.intake_cap_per_year[excellent], 2 * base[excellent])
    np.testing.assert_array_equal(f.intake_cap_per_year[~excellent], base[~excellent])


def test_closing_the_ssw2_path_stops_moves_to_ssw2():
    """With the SSW ii path closed no one moves up to SSW ii; with it open (same seed) some do."""
    closed = sim.LabourMarket(small("titp", months=24, scale=0.003, settings={"policy.stay.ssw2_path": False}), seed=4)
    opened = sim.LabourMarket(small("titp", months=24, scale=0.003), seed=4)
    assert (closed.run().results().to_ssw2 == 0).all()
    assert opened.run().results().to_ssw2.sum() > 0


def test_zero_intake_means_no_arrivals():
    """With no intake of trainees or SSW workers, no one arrives and the stock only falls."""
    scenario = small("esd", months=12, scale=0.003, settings={
        "policy.recruitment.trainee_intake_per_year": 0, "policy.recruitment.ssw_direct_intake_per_year": 0})
    table = sim.LabourMarket(scenario, seed=5).run().results()
    assert (table.arrivals == 0).all()
    assert (table.stock_total.diff().iloc[1:] <= 0).all()
    assert table.entered_total.nunique() == 1


def test_ssw1_path_opens_gradually_over_the_ramp():
    """With SSW from April 2019 and a 24-month ramp, the SSW i path is open to 1/24 of people in
    April 2019, half in March 2020 and everyone from March 2021; to no one before April 2019."""
    sc = sim.load_scenario(sim.scenario.shipped_scenario_dir() / "history_2017.toml").with_changes(
        {"policy.stay.ssw1_ramp_months": 24, "policy.stay.ssw_from_year": 2019, "policy.stay.ssw_from_month": 4}
    )
    pol = sim.Policy(sc.policy)
    assert pol.ssw1_availability(2019, 3) == 0.0
    assert pol.ssw1_availability(2019, 4) == pytest.approx(1 / 24)
    assert pol.ssw1_availability(2020, 3) == pytest.approx(0.5)
    assert pol.ssw1_availability(2021, 3) == 1.0
    assert pol.ssw1_availability(2024, 1) == 1.0
    no_ramp = sim.Policy(sc.with_changes({"policy.stay.ssw1_ramp_months": 0}).policy)
    assert no_ramp.ssw1_availability(2019, 4) == 1.0 and no_ramp.ssw1_availability(2019, 3) == 0.0
