"""Tier A: the ESD and SSW rules as the law and ordinances write them (issue 9), each in a tiny
hand-built world or a kernel with exact expectations: waiting periods by real field and the
firm's one-year choice with its pay rise, the reimbursement in the hiring decision, the ESD fee
cap, the caps on residents (受入れ見込数), the SSW i extension, SSW ii by field, and nursing
care's own route (the 介護福祉士 exam, then the status 介護).
(The caps on transferees are in ``test_tiny_worlds.py``.)
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE, AOMORI, BUILDING_CLEANING, CONSTRUCTION, FISHERY, FOOD_SERVICE, NURSING, OTHER, employed_counts, place, set_firm,
    settle, small, tiny_world,
)
from sim.domain import FIELDS, OTHER_FIELDS, REAL_FIELDS, TEST_BITS, Residence, Status
from sim.processes import arrivals, ladder, learning, work

TRANSFER_TESTS = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
NO_CAPS = {"policy.transfer.firm_cap_share": None, "policy.transfer.metro_cap_share": None}


# =============================================================================================
# Waiting periods by real field, the firm's one-year choice, the pay rise
# =============================================================================================
@pytest.mark.parametrize(
    "field, real_field, one_year, months, allowed",
    [
        (OTHER, FOOD_SERVICE, False, 23, False),      # food service: 2 years
        (OTHER, FOOD_SERVICE, False, 24, True),
        (OTHER, BUILDING_CLEANING, False, 12, True),  # building cleaning: 1 year
        (OTHER, BUILDING_CLEANING, False, 11, False),
        (OTHER, FOOD_SERVICE, True, 12, True),        # the firm chose one year
        (CONSTRUCTION, CONSTRUCTION, True, 12, True),
        (CONSTRUCTION, CONSTRUCTION, False, 12, False),
        (AGRICULTURE, AGRICULTURE, True, 11, False),  # one year is the shortest: the choice changes nothing
    ],
)
def test_esd_waiting_period_is_the_employers(field, real_field, one_year, months, allowed):
    """An ESD worker may move at will after their employer's waiting period: its real field's
    (food service 24 months, building cleaning 12, esd_fields.csv), or 12 months where the firm
    chose one year in a field with a longer period."""
    m = tiny_world("esd", firms=2, people=1)
    set_firm(m, 0, field=field, real_field=real_field, one_year_wait=one_year)
    place(m, 0, 0, Status.ESD, months_with_employer=months, tests=TRANSFER_TESTS)
    settle(m)
    assert m.trainee(0).may_leave_employer is allowed


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


# =============================================================================================
# The reimbursement in the hiring decision
# =============================================================================================
@pytest.mark.parametrize("months_in_japan, months_served, hired", [(24, 12, True), (34, 12, False), (35, 24, False), (30, 30, True)])
def test_firm_hires_a_transferee_only_if_the_surplus_covers_the_reimbursement(months_in_japan, months_served, hired):
    """The new employer owes R = 400,000 x (1 - served/36) yen; it takes the voluntary mover
    only if R <= hiring_surplus_share x its offer x the months left in the programme (36 -
    months in Japan): with 2 months left after 12 served it refuses; with 12 left it hires."""
    m = tiny_world("esd", firms=2, people=7, settings=NO_CAPS)
    set_firm(m, 0, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.3, demand=20)
    place(m, 0, 0, Status.ESD, months_in_japan=months_in_japan, months_with_employer=months_served, tests=TRANSFER_TESTS)
    for pid in range(1, 7):
        place(m, pid, 1, Status.ESD)
    settle(m)
    owed = 400_000 * (1 - months_served / 36)
    expected = owed <= m.behaviour.firms.hiring_surplus_share * m.offer_yen[1] * (36 - months_in_japan)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is bool(expected)
    assert m.flows["reimbursement_yen"] == pytest.approx(owed if expected else 0.0)
    assert bool(expected) is hired  # the cases span both outcomes


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
    m.month = 1
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


def test_settling_takes_an_esd_worker_out_of_the_firms_esd_counts():
    """An ESD trainee who settles stays with the employer (headcount) but leaves its ESD count and
    its count of voluntary transferees (the base and numerator of the 1/3 cap), as a recount says."""
    m = tiny_world("esd", firms=1, people=3)
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    m.people.transferee[0] = True
    settle(m)
    assert (m.firms.headcount[0], m.firms.esd_headcount[0], m.firms.esd_transferees[0]) == (3, 3, 1)
    m.change_residence(np.array([0]), Residence.SPOUSE_OF_JAPANESE)
    assert (m.firms.headcount[0], m.firms.esd_headcount[0], m.firms.esd_transferees[0]) == (3, 2, 0)
    m.change_residence(np.array([0]), Residence.PERMANENT)  # spouse status to permanent residence: no double count
    counts = (m.firms.headcount.copy(), m.firms.esd_headcount.copy(), m.firms.esd_transferees.copy())
    m.recount_firms()
    assert all((a == b).all() for a, b in zip(counts, employed_counts(m))) and counts[1][0] == 2


@pytest.mark.parametrize("residence, moves", [(Residence.WORK, False), (Residence.SPOUSE_OF_JAPANESE, True), (Residence.PERMANENT, True)])
def test_a_settled_resident_is_free_of_the_programmes_transfer_rules(residence, moves):
    """An ESD trainee 3 months with the employer may not change employer at will (waiting period),
    and only within the field; once settled they may, to a better-paying firm in another field."""
    m = tiny_world("esd", firms=2, people=1, settings=NO_CAPS)
    set_firm(m, 0, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.5, demand=10)
    place(m, 0, 0, Status.ESD, months_in_japan=3, months_with_employer=3, tests=TRANSFER_TESTS)
    m.people.residence[0] = residence
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is moves
    assert m.people.firm[0] == (1 if moves else 0)
    assert m.flows["reimbursement_yen"] == 0.0


# =============================================================================================
# SSW: the near-pass mark, the SSW i extension, SSW ii by field
# =============================================================================================
@pytest.mark.parametrize("score, bits", [
    (5.5, TEST_BITS["skill_ssw2"] | TEST_BITS["skill_ssw2_near"]),  # passed
    (4.4, TEST_BITS["skill_ssw2_near"]),                            # exactly 80% of the pass mark 5.5
    (4.39, 0),
])
def test_ssw2_score_near_the_pass_mark(score, bits):
    """The SSW ii skills test's score sets the near-pass bit at 80% of its pass mark."""
    got = learning._marks(np.array([score]), "skill_ssw2", 5.5, 0.8)[0]
    assert int(got) == bits


@pytest.mark.parametrize(
    "field, real_field, months, near, wants, employed, expected",
    [
        (CONSTRUCTION, CONSTRUCTION, 60, True, True, True, Status.SSW_1),    # extended to 6 years
        (CONSTRUCTION, CONSTRUCTION, 72, True, True, True, Status.RETURNED),  # six years are up
        (CONSTRUCTION, CONSTRUCTION, 60, False, True, True, Status.RETURNED),  # not near the pass mark
        (CONSTRUCTION, CONSTRUCTION, 60, True, False, True, Status.RETURNED),  # no pledge to stay and retake
        (CONSTRUCTION, CONSTRUCTION, 60, True, True, False, Status.RETURNED),  # no employer keeps them
        (NURSING, NURSING, 60, True, True, True, Status.RETURNED),             # nursing care has no SSW ii
        (OTHER, FOOD_SERVICE, 60, True, True, True, Status.SSW_1),
    ],
)
def test_ssw1_extension_for_those_near_the_ssw2_pass_mark(field, real_field, months, near, wants, employed, expected):
    """SSW i lasts 5 years, 6 for those who scored at least 80% of the SSW ii pass mark, want
    to stay (and retake), are kept by an employer, in a field open to SSW ii."""
    m = tiny_world("titp", firms=2, people=1)
    set_firm(m, 0, field=field, real_field=real_field)
    place(m, 0, 0 if employed else -1, Status.SSW_1, months_in_japan=96,
          tests=TEST_BITS["skill_ssw2_near"] if near else 0, field=field)
    m.people.months_in_status[0] = months
    m.people.wants_long_stay[0] = wants
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected


@pytest.mark.parametrize(
    "field, real_field, tests, expected",
    [
        (CONSTRUCTION, CONSTRUCTION, TEST_BITS["skill_ssw2"], Status.SSW_2),  # N3 not asked in construction
        (FISHERY, FISHERY, TEST_BITS["skill_ssw2"], Status.SSW_1),            # fishery asks N3 as well
        (FISHERY, FISHERY, TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"], Status.SSW_2),
        (OTHER, FOOD_SERVICE, TEST_BITS["skill_ssw2"], Status.SSW_1),         # so does food service
        (OTHER, BUILDING_CLEANING, TEST_BITS["skill_ssw2"], Status.SSW_2),
        (NURSING, NURSING, TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"], Status.SSW_1),  # no SSW ii in nursing care
        (OTHER, REAL_FIELDS.index("logistics_warehouse"), TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"], Status.SSW_1),
    ],
)
def test_ssw2_by_field(field, real_field, tests, expected):
    """SSW ii is open in 11 fields (not nursing care, nor the new ESD fields such as logistics)
    and needs the SSW ii skills test, with JLPT N3 only in fishery and food service."""
    m = tiny_world("titp", firms=2, people=1)
    set_firm(m, 0, field=field, real_field=real_field)
    place(m, 0, 0, Status.SSW_1, months_in_japan=60, tests=tests)
    m.people.months_in_status[0] = 24
    m.people.wants_long_stay[0] = True
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected


def test_real_fields_cover_the_model_fields():
    """The real fields are the model's (less "other") and those "other" pools, in that order."""
    assert REAL_FIELDS[: len(FIELDS) - 1] == FIELDS[:-1] and REAL_FIELDS[len(FIELDS) - 1 :] == OTHER_FIELDS


def test_the_shipped_rules_by_field_are_the_field_list():
    """``esd.toml`` and ``titp.toml`` agree with ``sim/data/esd_fields.csv`` for every ESD field
    the model has: the waiting period (2 years where the list says 24 months, else 1), whether
    SSW ii is open, and whether it asks for JLPT N3. (Machinery/metal and textiles are the list's
    industrial products.)"""
    import pandas as pd
    from pathlib import Path

    table = pd.read_csv(Path(sim.__file__).parent / "data" / "esd_fields.csv")
    pol = sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1).policy
    checked = 0
    for row in table.itertuples():
        names = sorted({row.field_en, *str(row.model_field).split(";")} & set(REAL_FIELDS))
        if row.esd_field != 1 or not names:
            continue
        for name in names:
            k = REAL_FIELDS.index(name)
            assert pol.waiting_months_by_real_field[k] == int(row.esd_waiting_months_proposed), name
            assert bool(pol.ssw2_open_by_real_field[k]) is bool(row.ssw2_open), name
            n3 = bool(pol.ssw2_tests_by_real_field[k] & TEST_BITS["japanese_b1"])
            assert n3 is (row.ssw2_japanese_n3_required == 1), name
            checked += 1
    assert checked == len(REAL_FIELDS)  # every real field the model has was checked once


# =============================================================================================
# Nursing care's own route: the Certified Care Worker exam, then the status 介護
# =============================================================================================
CARE_EXAM = TEST_BITS["care_worker_exam"]


def _nursing_holder(settings: dict | None = None, *, field: int = NURSING, months_in_japan: int = 47,
                    months_in_status: int = 11, wants: bool = True, tests: int = 0) -> sim.LabourMarket:
    """A tiny titp world with one SSW i holder at a firm of ``field`` (its real field the same)."""
    m = tiny_world("titp", firms=2, people=1, settings=settings)
    set_firm(m, 0, field=field, real_field=field)
    set_firm(m, 1, field=field, real_field=field)
    place(m, 0, 0, Status.SSW_1, months_in_japan=months_in_japan, tests=tests)
    m.people.months_in_status[0] = months_in_status
    m.people.wants_long_stay[0] = wants
    settle(m)
    return m


@pytest.mark.parametrize("pass_share, field, months_in_japan, wants, path, passed", [
    (1.0, NURSING, 47, True, True, True),        # 3 years of care work behind them, at the yearly sitting
    (0.0, NURSING, 47, True, True, False),       # failed
    (1.0, NURSING, 35, True, True, False),       # a sitting month, but under 3 years' experience
    (1.0, NURSING, 46, True, True, False),       # not a sitting month
    (1.0, NURSING, 47, False, True, False),      # no wish to stay: they do not sit it
    (1.0, CONSTRUCTION, 47, True, True, False),  # only nursing care
    (1.0, NURSING, 47, True, False, False),      # the route closed
])
def test_care_exam_sitting(pass_share, field, months_in_japan, wants, path, passed):
    """Nursing-care SSW i holders who want to stay sit the 介護福祉士 exam at the yearly sitting
    once they have 36 months in Japan, and pass with ``care_exam_pass_share``."""
    m = _nursing_holder({"behaviour.learning.care_exam_pass_share": pass_share, "policy.stay.care_worker_path": path},
                        field=field, months_in_japan=months_in_japan, wants=wants)
    learning.take_tests(m)
    assert bool(m.people.tests_passed[0] & CARE_EXAM) is passed


def test_care_exam_passes_at_the_published_rate():
    """Over many holders the share passing one sitting is ``care_exam_pass_share`` (0.36)."""
    n = 4000
    m = tiny_world("titp", firms=1, people=n)
    set_firm(m, 0, field=NURSING, real_field=NURSING, demand=float(n))
    for row in range(n):
        place(m, row, 0, Status.SSW_1, months_in_japan=47)
    m.people.wants_long_stay[:n] = True
    settle(m)
    learning.take_tests(m)
    share = float(np.mean((m.people.tests_passed[:n] & CARE_EXAM) != 0))
    assert m.behaviour.learning.care_exam_pass_share == 0.36
    assert share == pytest.approx(0.36, abs=0.03)


@pytest.mark.parametrize("field, tests, wants, path, expected", [
    (NURSING, CARE_EXAM, True, True, Status.CARE_WORKER),    # passed: 介護, not sent home at 60 months
    (NURSING, 0, True, True, Status.RETURNED),               # failed: leaves at SSW i's limit
    (NURSING, CARE_EXAM, False, True, Status.RETURNED),      # no wish to stay
    (NURSING, CARE_EXAM, True, False, Status.RETURNED),      # the route closed
    (CONSTRUCTION, CARE_EXAM, True, True, Status.RETURNED),  # the route is nursing care's only
])
def test_nursing_ssw1_holder_who_passed_becomes_a_care_worker(field, tests, wants, path, expected):
    """At SSW i's 60-month limit a nursing-care holder who passed the exam and wants to stay
    takes 介護 (counted in ``to_care_worker``); without the exam they leave at the limit."""
    m = _nursing_holder({"policy.stay.care_worker_path": path}, field=field, months_in_status=60, wants=wants,
                        tests=tests)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected
    assert m.flows["to_care_worker"] == int(expected == Status.CARE_WORKER)
    assert m.flows["returns_end_of_stay"] == int(expected == Status.RETURNED)


def test_a_care_worker_has_no_end_of_stay_and_may_change_employer_within_care():
    """介護 is renewable without limit: a care worker is still here after 20 years in the
    status; they may change employer at their own wish (within care work), and their pay is
    SSW pay; the status is not counted in the SSW stocks or the caps on residents."""
    m = _nursing_holder(months_in_status=11, tests=CARE_EXAM)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == Status.CARE_WORKER  # before the limit: as soon as passed
    m.people.months_in_status[0] = 240
    m.people.months_in_japan[0] = 300
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == Status.CARE_WORKER
    pol = m.policy
    status = np.array([Status.CARE_WORKER])
    assert pol.may_leave_employer(status, np.array([0]), np.array([24]), np.array([0]), np.array([0]))[0]
    assert pol.same_field_required(status)[0]
    assert pol.family_may_accompany(status)[0] and pol.permanence_counts(status)[0]
    assert all(Status.CARE_WORKER not in statuses for statuses in sim.policy.CAP_STATUSES.values())
    m._collect()
    assert m.last_row["stock_care_worker"] == 100 and m.last_row["stock_ssw1"] == 0  # real numbers, scale 0.01


def test_firm_counts_refuse_a_row_without_an_employer():
    """``count_in`` counts employed people only: a row with no employer (firm -1) is an error,
    not a silent count at the last firm."""
    m = tiny_world("esd", firms=2, people=2)
    place(m, 0, 0, Status.ESD)
    place(m, 1, -1, Status.ESD)
    settle(m)
    before = m.firms.headcount.copy()
    with pytest.raises(ValueError, match="without an employer"):
        m.count_in(np.array([1]), +1)
    m.count_in(np.array([0]), +1)
    assert m.firms.headcount.tolist() == [before[0] + 1, before[1]]
