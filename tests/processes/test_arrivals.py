"""ODD 7.2 Arrivals and recruitment (``sim/processes/arrivals.py``): intake caps, recruitment
abroad with a lag, the origin mix, the ESD fee cap and broker fees, the caps on residents."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE,
    AOMORI,
    CONSTRUCTION,
    at_model_month,
    at_month,
    place,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.domain import Residence, Status
from sim.processes import arrivals
from sim.processes.arrivals import intake_cap

# =============================================================================================
# The status ladder
# =============================================================================================


def test_newcomers_origin_mix_follows_the_year_held_past_the_data():
    """``origin_shares_in``: a listed year's shares, else the nearest listed year before (before
    the first: the first); without a table ``world.origin_shares``. A whole year's newcomers in a
    tiny world with every newcomer from Myanmar in 2028 are all from Myanmar."""
    from sim.domain import ORIGINS
    from sim.processes.arrivals import origin_shares_in

    only = lambda o: {x: float(x == o) for x in ORIGINS}  # noqa: E731
    m = tiny_world("titp", firms=2, people=3, settings={"world.origin_shares_by_year": {2027: only("china"), 2028: only("myanmar")}})
    w = m.world
    for year, origin in ((2020, "china"), (2027, "china"), (2028, "myanmar"), (2040, "myanmar")):
        assert origin_shares_in(w, year).tolist() == [float(o == origin) for o in ORIGINS], year
    plain = tiny_world("titp", firms=2, people=3, settings={"world.origin_shares_by_year": {}}).world
    assert origin_shares_in(plain, 2028).tolist() == [plain.origin_shares[o] for o in ORIGINS]
    m = tiny_world("titp", firms=40, people=3, settings={
        "world.origin_shares_by_year": {2027: only("china"), 2028: only("myanmar")},
        "policy.recruitment.trainee_intake_per_year": 2400, "world.recruitment_lag_months": 0})
    assert (m.people.origin[:3] == ORIGINS.index("china")).all()  # the initial stock: March 2027
    m.run(22)  # to January 2029
    p = m.people
    arrived = p.arrival_month[: p.n]
    assert set(p.origin[: p.n][(arrived >= 1) & (arrived <= 9)].tolist()) == {ORIGINS.index("china")}  # April-December 2027
    assert set(p.origin[: p.n][(arrived >= 10) & (arrived <= 21)].tolist()) == {ORIGINS.index("myanmar")}  # 2028
    assert ((arrived >= 10) & (arrived <= 21)).sum() > 0


# =============================================================================================
# Firms' intake cap
# =============================================================================================


@pytest.mark.parametrize(
    "staff, cap",
    [(1, 3), (30, 3), (31, 4), (40, 4), (41, 5), (50, 5), (51, 6), (100, 6), (101, 10), (200, 10),
     (201, 15), (300, 15), (301, 15), (400, 20), (1000, 50)],
)
def test_titp_intake_cap_by_staff(staff, cap):
    """The TITP yearly intake cap by full-time staff: 3 up to 30, 4 up to 40, 5 up to 50,
    6 up to 100, 10 up to 200, 15 up to 300, then 1/20 of the staff."""
    assert intake_cap(np.array([staff]))[0] == cap


# =============================================================================================
# Recruitment abroad with a lag (ODD 7.2)
# =============================================================================================


@pytest.mark.parametrize("lag, barred_in_month_4, expected", [
    (0, False, [1, 1, 1, 0, 0]),   # intakes placed at once, only where there is a vacancy
    (3, False, [1, 1, 1, 1, 0]),   # month 1's order arrives in month 4 (months 1-3: orders from before the run)
    (3, True, [1, 1, 1, 0, 0]),    # the ordering firm is barred when they would arrive: they never come
])
def test_recruits_ordered_abroad_arrive_after_the_lag(lag, barred_in_month_4, expected):
    """One firm with one worker and demand 4, an intake of one trainee a month. With a lag of 3:
    month 1, one arrives (ordered before the run) and one is ordered (two vacancies, at most the
    month's intake); month 2, one arrives and nothing is ordered (the one vacancy left is covered
    by the recruit on the way); month 3, one arrives for that vacancy; month 4, the recruit
    ordered in month 1 arrives; month 5, nobody (nothing was ordered in month 2)."""
    m = tiny_world("titp", firms=1, people=1, settings={
        "world.recruitment_lag_months": lag, "policy.recruitment.trainee_intake_per_year": 1200})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=4.0)
    place(m, 0, 0, Status.TITP_2)
    settle(m)
    from sim.processes import arrivals
    arrived = []
    for month in range(1, 6):
        at_model_month(m, month)
        m.flows.clear()
        m.firms.barred_until[0] = 12 if (month == 4 and barred_in_month_4) else -1
        arrivals.arrive(m)
        arrived.append(int(m.flows["arrivals_trainee"]))
        assert m.flows.get("recruitment_cost_yen", 0) == 400_000 * arrived[-1]
    assert arrived == expected


# =============================================================================================
# The ESD fee cap and the caps on residents, in arrivals
# =============================================================================================


def _intake_world(base: str, settings: dict | None = None) -> sim.LabourMarket:
    """Two firms with room for many newcomers, 3 trainees in Japan, 12,000 trainees a year coming
    (10 agents a month), all in debt of 2,000,000 yen on average."""
    m = tiny_world(base, firms=2, people=3, settings={
        "policy.recruitment.trainee_intake_per_year": 12_000, "world.share_arriving_in_debt": 1.0,
        "world.broker_fee_yen": {o: 2_000_000 for o in ("vietnam", "china", "indonesia", "philippines", "myanmar", "cambodia", "other")},
        **(settings or {})})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=50)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.2, demand=50)
    for pid in range(3):
        place(m, pid, 0, Status.ESD if base == "esd" else Status.TITP_1)
    settle(m)
    at_month(m, 2027, 4)
    return m


def test_esd_entrants_pay_a_sending_organisation_at_most_two_months_of_pay():
    """ESD entrants' broker debt is capped at fee_cap_months_of_pay (2) x their employer's
    scheduled monthly pay (its offer); TITP entrants' is not."""
    esd = _intake_world("esd")
    arrivals.arrive(esd)
    p = esd.people
    new = np.arange(3, p.n)
    assert len(new) == 10
    cap = 2 * esd.offer_yen[p.firm[new]]
    assert (p.debt_yen[new] <= cap * (1 + 1e-12)).all() and np.isclose(p.debt_yen[new], cap).any()
    titp = _intake_world("titp")
    arrivals.arrive(titp)
    q = titp.people
    assert (q.debt_yen[3:q.n] > 2 * titp.offer_yen[q.firm[3:q.n]]).any()


def test_non_compliant_sending_organisations_leave_the_debt_as_drawn():
    """``fee_cap_compliance_share``: newcomers whose sending organisation keeps to the ESD fee cap
    have their debt capped, the others bring it as drawn (the world with no cap: the same draws,
    the compliance from a stream of its own); at 0 nobody's is capped, at 0.5 some are and some not."""
    def debts(settings):
        m = _intake_world("esd", settings)
        arrivals.arrive(m)
        return m.people.debt_yen[3 : m.people.n].copy(), 2 * m.offer_yen[m.people.firm[3 : m.people.n]]

    drawn, cap = debts({"policy.recruitment.fee_cap_months_of_pay": None})
    capped = np.minimum(drawn, cap)
    assert (drawn > cap).sum() >= 2  # the cap binds for some
    none_comply, _ = debts({"policy.recruitment.fee_cap_compliance_share": 0.0})
    assert (none_comply == drawn).all()
    half, _ = debts({"policy.recruitment.fee_cap_compliance_share": 0.5})
    assert ((half == drawn) | (half == capped)).all()
    binding = drawn > cap
    assert (half[binding] == capped[binding]).any() and (half[binding] == drawn[binding]).any()


@pytest.mark.parametrize(
    "settings, expected_esd, expected_construction",
    [
        ({}, 13, None),                                           # no cap: all 10 newcomers come
        ({"policy.recruitment.stock_cap_esd": 800}, 8, None),     # 8 agents at most: 5 come
        ({"policy.recruitment.stock_cap_esd": 200}, 3, None),     # already above: none come
        ({"policy.recruitment.stock_caps_ssw_and_esd_by_field": {"construction": 500}}, None, 5),  # 2 more in construction
    ],
)
def test_caps_on_residents_limit_the_newcomers(settings, expected_esd, expected_construction):
    """The 受入れ見込数 operated as caps: newcomers come only while the residents a cap counts
    (ESD nationally; SSW and ESD by field) stay within cap x scale; agriculture's newcomers
    are not held back by a cap on construction."""
    m = _intake_world("esd", settings)
    arrivals.arrive(m)
    p = m.people
    esd = p.status[: p.n] == Status.ESD
    if expected_esd is not None:
        assert esd.sum() == expected_esd
    if expected_construction is not None:
        assert (esd & (p.field[: p.n] == CONSTRUCTION)).sum() == expected_construction
        arrived = m.flows["arrivals"]
        assert p.n - 3 == arrived < 10  # some newcomers to construction did not come
        assert (esd & (p.field[: p.n] == AGRICULTURE)).sum() == arrived - (expected_construction - 3)


@pytest.mark.parametrize("cap, expected_construction", [(None, None), (500, 5)])
def test_ssw_field_caps_limit_ssw_newcomers_in_their_field(cap, expected_construction):
    """``stock_caps_ssw_by_field`` (受入れ見込数 of SSW by field, in every arm): direct SSW entrants
    to construction come only while construction's SSW holders stay within cap x scale (3 there,
    room for 2); those to agriculture are not held back; no cap, more than 2 come to construction."""
    settings = {"policy.recruitment.trainee_intake_per_year": 0, "policy.recruitment.ssw_direct_intake_per_year": 12_000}
    if cap is not None:
        settings["policy.recruitment.stock_caps_ssw_by_field"] = {"construction": cap}
    m = _intake_world("titp", settings)
    for pid in range(3):
        place(m, pid, 0, Status.SSW_1)
    settle(m)
    arrivals.arrive(m)
    p = m.people
    ssw = p.status[: p.n] == Status.SSW_1
    in_construction = int((ssw & (p.field[: p.n] == CONSTRUCTION)).sum())
    assert m.flows["arrivals_ssw"] == p.n - 3 > 0
    if expected_construction is None:
        assert in_construction > 5
    else:
        assert in_construction == expected_construction
        assert (ssw & (p.field[: p.n] == AGRICULTURE)).sum() == p.n - 3 - 2
    assert [c.field for c in m.policy.stock_caps(Status.ESD, 2027, 4)] == []  # an ESD entrant counts under no SSW cap


def test_caps_on_residents_end_after_their_last_fiscal_year():
    """``stock_caps_last_fiscal_year``: the caps hold for arrivals up to and including that fiscal
    year (April-March) and not after; unset, for ever. A cap the world is already above (200)
    lets no newcomer in while it holds and all 10 once it has ended."""
    probe = _intake_world("esd")
    year, month = probe.calendar()
    fiscal_year = year if month >= 4 else year - 1
    for last, expected in ((None, 3), (fiscal_year, 3), (fiscal_year - 1, 13)):
        m = _intake_world("esd", {"policy.recruitment.stock_cap_esd": 200,
                                  "policy.recruitment.stock_caps_last_fiscal_year": last})
        arrivals.arrive(m)
        assert (m.people.status[: m.people.n] == Status.ESD).sum() == expected, last
    policy = _intake_world("esd", {"policy.recruitment.stock_cap_esd": 200,
                                   "policy.recruitment.stock_caps_last_fiscal_year": 2028}).policy
    assert policy.stock_caps(Status.ESD, 2029, 3) and not policy.stock_caps(Status.ESD, 2029, 4)  # FY2028 ends in March 2029


@pytest.mark.parametrize("residence, expected", [(Residence.WORK, 3), (Residence.PERMANENT, 5), (Residence.SPOUSE_OF_JAPANESE, 5)])
def test_caps_on_residents_count_only_holders_of_the_work_status(residence, expected):
    """A cap on ESD residents (200: 2 agents) counts ESD workers; the 3 in Japan who have settled
    (permanent residence or spouse status) keep ESD's code but no longer hold it, so 2 newcomers
    come; while they hold it the world is above the cap and none does."""
    m = _intake_world("esd", {"policy.recruitment.stock_cap_esd": 200})
    m.people.residence[:3] = residence
    arrivals.arrive(m)
    assert (m.people.status[: m.people.n] == Status.ESD).sum() == expected


def test_broker_fee_cap_limits_the_debt_newcomers_bring():
    """With a broker-fee cap of 100,000 yen, no newcomer arrives owing more than that (and the
    cap binds for some); without it, some arrive owing more."""
    capped = sim.LabourMarket(small("titp", settings={"policy.recruitment.broker_fee_cap_yen": 100_000}), seed=1)
    free = sim.LabourMarket(small("titp"), seed=1)
    first_new = {}
    for m in (capped, free):
        at_month(m, 2027, 4)  # as at the start of month 1: only the arrivals happen
        first_new[id(m)] = m.people.n
        arrivals.arrive(m)
    new_capped = capped.people.debt_yen[first_new[id(capped)]: capped.people.n]
    new_free = free.people.debt_yen[first_new[id(free)]: free.people.n]
    assert len(new_capped) > 20
    assert new_capped.max() <= 100_000 and (new_capped == 100_000).any()
    assert new_free.max() > 100_000
    assert capped.people.debt_yen[: first_new[id(capped)]].max() <= 100_000, "the initial stock came under the same cap"


def test_excellent_firms_have_a_doubled_intake_cap():
    """Firms at or above the 'excellent' compliance get the intake cap x the multiplier (2)."""
    m = sim.LabourMarket(small("titp", scale=0.003), seed=3)
    f = m.firms
    excellent = f.compliance >= m.behaviour.firms.excellent_compliance
    assert excellent.any() and (~excellent).any()
    base = intake_cap(f.staff)
    np.testing.assert_array_equal(f.intake_cap_per_year[excellent], 2 * base[excellent])
    np.testing.assert_array_equal(f.intake_cap_per_year[~excellent], base[~excellent])


def test_zero_intake_means_no_arrivals():
    """With no intake of trainees or SSW workers, no one arrives and the stock only falls."""
    scenario = small("esd", months=12, scale=0.003, settings={
        "policy.recruitment.trainee_intake_per_year": 0, "policy.recruitment.ssw_direct_intake_per_year": 0})
    table = sim.LabourMarket(scenario, seed=5).run().results()
    assert (table.arrivals == 0).all()
    assert (table.stock_total.diff().iloc[1:] <= 0).all()
    assert table.entered_total.nunique() == 1
