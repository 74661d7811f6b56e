"""Tier A: each rule of the submodels stated with exact expectations.

The decision kernel is called directly with hand-made people and uniform draws, so the hazards,
their order, the legal-exit factor, the end-of-stay factor and the hazard cap are each pinned to
a number. Information, tests and wage adjustment run on tiny hand-built worlds
(``helpers.tiny_world``); one test runs a whole month so that a process left out of
``LabourMarket.step`` is caught too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from helpers import AOMORI, CONSTRUCTION, NURSING, place, set_firm, settle, tiny_world
from sim.domain import TEST_BITS, Residence, Status
from sim.outputs import COLUMNS
from sim.processes import firms, information, learning
from sim.processes.decisions import (
    ABSCOND, CARRY_ON, HAZARD_CAP, KEEP_SEARCHING, NOT_LEGAL, RETURN_HOME, SEEK_TRANSFER, DecisionParams, abscond_hazard,
    decide_kernel, seek_hazard,
)
from sim.processes.codes import SSW_1, STATUS_KINDS
from sim.processes.ladder import ssw1_terms_kernel

# =============================================================================================
# Decisions (ODD 7.11): abscond, go home, seek a transfer, carry on
# =============================================================================================
PARAMS = DecisionParams(
    abscond_base=0.01, per_debt_500k_yen=0.5, per_grievance=0.2, per_wage_gap=1.0, per_irregular_contact=0.7,
    legal_exit_factor=0.4, end_of_stay_factor=3.0, end_of_stay_window_months=3, return_base=0.002,
    return_per_grievance=0.001, ssw2_return=0.004, seek_base=0.02, seek_per_wage_gap=0.1, seek_per_grievance=0.01,
    seek_decay_months=1e9, max_trainee_months=36, titp_max_months=36, ssw1_open=True,
)
#: The shipped titp policy without the care workers' route: SSW ii open from the start in 11
#: fields (not nursing care), SSW i 60 months, 12 more near the SSW ii pass mark; the same with
#: SSW ii not open (as before its first tests); the shipped policy (the care route open).
_NO_CARE = {"policy.stay.care_worker_path": False}
TITP_POLICY = sim.Policy(sim.shipped_scenario("titp").with_changes(_NO_CARE).policy)
NO_SSW2_POLICY = sim.Policy(sim.shipped_scenario("titp").with_changes({**_NO_CARE, "policy.stay.ssw2_path": False}).policy)
CARE_POLICY = sim.Policy(sim.shipped_scenario("titp").policy)


def act_of(u: float, *, status: Status = Status.TITP_2, employed: bool = True, debt: float = 0.0, grievance: float = 0.0,
           gap: float = 0.0, irregular_contact: bool = False, legal_exit: bool = False, free_months: int = 0,
           months_in_japan: int = 13, months_in_status: int = 1, wants_long_stay: bool = False, multiplier: float = 1.0,
           tests_passed: int = 0, real_field: int = CONSTRUCTION, ssw2_open: bool = True, care_route: bool = False,
           **params) -> int:
    """The act the decision kernel chooses for one hand-made person with uniform draw ``u``.

    An SSW i holder's limit and way on are the ladder's and the policy's (``TITP_POLICY``) for
    their ``tests_passed`` and the ``real_field`` of their employer; ``ssw2_open``: is SSW ii
    open this month (``TITP_POLICY``, else ``NO_SSW2_POLICY``); ``care_route``: the care
    workers' route open too (``CARE_POLICY``); ``free_months``: months free to leave the employer."""
    one = lambda value, dtype: np.array([value], dtype=dtype)  # noqa: E731
    firm = one(0 if employed else -1, np.int32)
    pol = CARE_POLICY if care_route else (TITP_POLICY if ssw2_open else NO_SSW2_POLICY)
    field, limit = ssw1_terms_kernel(
        one(status, np.int8), one(wants_long_stay, bool), one(tests_passed, np.int64), firm, one(0, np.int32),
        one(real_field, np.int8), one(real_field, np.int8), pol.ssw2_open_by_real_field, pol.ssw1_max_months,
        pol.ssw1_extension_months, SSW_1)
    way_on = pol.ssw1_way_on(field, 2030, 1)
    acts = decide_kernel(
        one(u, float), one(status, np.int8), firm, one(debt, float), one(grievance, float),
        one(gap, float), one(irregular_contact, bool), one(legal_exit, bool), one(free_months, np.int32),
        one(months_in_japan, np.int16), one(months_in_status, np.int16), one(wants_long_stay, bool), limit, way_on,
        one(multiplier, float), PARAMS._replace(**params), STATUS_KINDS,
    )
    return int(acts[0])


def test_abscond_hazard_is_the_documented_formula():
    """hazard = base x exp(b_debt debt/500k + b_grievance grievance + b_gap gap + b_ties), to the last digit."""
    h = abscond_hazard(1_000_000.0, 1.5, 0.2, True, False, False, 1.0, PARAMS)
    assert h == pytest.approx(0.01 * math.exp(0.5 * 2 + 0.2 * 1.5 + 1.0 * 0.2 + 0.7), rel=1e-12)
    assert abscond_hazard(0.0, 0.0, 0.0, False, False, False, 1.0, PARAMS) == pytest.approx(0.01, rel=1e-12)


def test_origin_and_field_multiplier_scales_the_absconding_hazard():
    """The multiplier (origin's fee, field, dated origin period) multiplies the hazard: a draw
    between h and 2.5 h absconds at multiplier 2.5 and not at 1."""
    assert abscond_hazard(0.0, 0.0, 0.0, False, False, False, 2.5, PARAMS) == pytest.approx(0.025, rel=1e-12)
    assert act_of(0.02, multiplier=2.5) == ABSCOND
    assert act_of(0.02, multiplier=1.0) == CARRY_ON


def test_legal_exit_factor_divides_the_absconding_hazard():
    """With a legal transfer open the hazard is 0.4 x the hazard without: a draw between the two
    absconds without a legal exit and seeks a transfer with one."""
    h = 0.01 * math.exp(0.5 * 2)  # debt of 1,000,000 yen: 0.02718
    assert abscond_hazard(1_000_000.0, 0.0, 0.0, False, True, False, 1.0, PARAMS) == pytest.approx(0.4 * h, rel=1e-12)
    u = 0.015  # above 0.4 h (0.0109) + return 0.002, below h
    assert act_of(u, debt=1_000_000.0, legal_exit=False) == ABSCOND
    assert act_of(u, debt=1_000_000.0, legal_exit=True) == SEEK_TRANSFER
    assert act_of(u, debt=1_000_000.0, legal_exit=True, legal_exit_factor=1.0) == ABSCOND


def test_end_of_stay_factor_near_the_end_with_no_way_to_stay():
    """A trainee who wants to stay, within 3 months of the 36-month limit and with the SSW path
    closed, has 3 x the hazard; with the path open, or not wanting to stay, or earlier, not."""
    assert abscond_hazard(0.0, 0.0, 0.0, False, False, True, 1.0, PARAMS) == pytest.approx(0.03, rel=1e-12)
    u = 0.02
    assert act_of(u, months_in_japan=33, wants_long_stay=True, ssw1_open=False) == ABSCOND
    assert act_of(u, months_in_japan=32, wants_long_stay=True, ssw1_open=False) == CARRY_ON
    assert act_of(u, months_in_japan=33, wants_long_stay=True, ssw1_open=True) == CARRY_ON
    assert act_of(u, months_in_japan=33, wants_long_stay=False, ssw1_open=False) == CARRY_ON
    # SSW i holders: the end is SSW i's limit, the way to stay on is SSW ii.
    assert act_of(u, status=Status.SSW_1, months_in_status=58, wants_long_stay=True, ssw2_open=False) == ABSCOND
    assert act_of(u, status=Status.SSW_1, months_in_status=56, wants_long_stay=True, ssw2_open=False) == CARRY_ON
    assert act_of(u, status=Status.SSW_1, months_in_status=58, wants_long_stay=True, ssw2_open=True) == CARRY_ON


def test_end_of_stay_of_ssw1_holders_is_their_own_limit_and_field():
    """An SSW i holder's end is their own limit: 72 months with the extension (near the SSW ii
    pass mark), else 60; their way on is SSW ii open in their own field this month. With SSW ii
    not yet open, one at month 61 with the extension has 11 months left (not near the end), one
    without it is past the end (3 x the hazard). In nursing care SSW ii is closed: a holder there
    faces the end factor although SSW ii is open elsewhere, and earns no extension, unless the
    care workers' route (介護福祉士 -> 介護) is open: that is their way on."""
    u, near = 0.02, TEST_BITS["skill_ssw2_near"]
    ssw1 = dict(status=Status.SSW_1, wants_long_stay=True)
    assert act_of(u, months_in_status=61, tests_passed=near, ssw2_open=False, **ssw1) == CARRY_ON
    assert act_of(u, months_in_status=61, tests_passed=0, ssw2_open=False, **ssw1) == ABSCOND
    assert act_of(u, months_in_status=69, tests_passed=near, ssw2_open=False, **ssw1) == ABSCOND  # 3 left of 72
    assert act_of(u, months_in_status=68, tests_passed=near, ssw2_open=False, **ssw1) == CARRY_ON  # 4 left
    assert act_of(u, months_in_status=58, real_field=NURSING, **ssw1) == ABSCOND
    assert act_of(u, months_in_status=58, **ssw1) == CARRY_ON  # construction: SSW ii open
    assert act_of(u, months_in_status=61, tests_passed=near, real_field=NURSING, **ssw1) == ABSCOND
    assert act_of(u, months_in_status=58, real_field=NURSING, care_route=True, **ssw1) == CARRY_ON
    assert act_of(u, months_in_status=58, care_route=True, **ssw1) == CARRY_ON


def test_hazards_are_capped():
    """No hazard exceeds HAZARD_CAP (0.5): with a huge debt a draw of 0.499 absconds and 0.501 does not."""
    assert HAZARD_CAP == 0.5
    assert abscond_hazard(1e9, 0.0, 0.0, False, False, False, 1.0, PARAMS) == HAZARD_CAP
    assert act_of(0.499, debt=1e9, return_base=0.0, return_per_grievance=0.0) == ABSCOND
    assert act_of(0.501, debt=1e9, return_base=0.0, return_per_grievance=0.0) == CARRY_ON
    # The return and seek hazards are capped alike.
    assert act_of(0.6, return_base=0.9, abscond_base=0.0) == CARRY_ON
    assert act_of(0.6, seek_base=0.9, abscond_base=0.0, return_base=0.0, return_per_grievance=0.0, legal_exit=True) == CARRY_ON


def test_one_draw_orders_abscond_return_seek_then_carry_on():
    """The draw falls into [0, h_a), [h_a, h_a + h_r), [.., + h_s) or beyond: abscond, go home,
    seek, carry on; between employers the last is 'keep searching'; SSW ii holders go home at
    their own rate; people not in a legal status take no decision."""
    h_a, h_r, h_s = 0.01, 0.002 + 0.001 * 2.0, 0.02 + 0.1 * 0.5 + 0.01 * 2.0
    h_a *= math.exp(0.2 * 2.0 + 1.0 * 0.5)
    h_a *= 0.4  # legal exit open
    kw = dict(grievance=2.0, gap=0.5, legal_exit=True)
    assert act_of(h_a - 1e-9, **kw) == ABSCOND
    assert act_of(h_a + 1e-9, **kw) == RETURN_HOME
    assert act_of(h_a + h_r + 1e-9, **kw) == SEEK_TRANSFER
    assert act_of(h_a + h_r + h_s + 1e-9, **kw) == CARRY_ON
    assert act_of(h_a + h_r + 1e-9, employed=False, **kw) == KEEP_SEARCHING, "no seeking without an employer"
    assert act_of(h_a / 0.4 + h_r + 1e-9, grievance=2.0, gap=0.5, legal_exit=False) == CARRY_ON, "no seeking without a legal exit"
    assert act_of(0.01 + 0.004 - 1e-9, status=Status.SSW_2) == RETURN_HOME
    assert act_of(0.01 + 0.004 + 1e-9, status=Status.SSW_2) == CARRY_ON
    assert act_of(0.01 + 0.004 - 1e-9, status=Status.CARE_WORKER) == RETURN_HOME  # 介護: as SSW ii
    assert act_of(0.01 + 0.004 + 1e-9, status=Status.CARE_WORKER, months_in_status=600, wants_long_stay=True) == CARRY_ON
    assert act_of(0.0, status=Status.IRREGULAR) == NOT_LEGAL


def test_seek_hazard_base_falls_with_months_free_to_leave():
    """The base seek hazard is seek_base x exp(-free_months / seek_decay_months); the wage-gap and
    grievance parts do not fall. With a decay of 12 months, 24 months free: 0.02 e^-2 + 0.1 x 0.5
    + 0.01 x 2, to the last digit; a draw between the hazard at 24 and at 0 months seeks at 0 only."""
    p = PARAMS._replace(seek_decay_months=12.0)
    assert seek_hazard(0, 0.0, 0.0, p) == pytest.approx(0.02, rel=1e-12)
    assert seek_hazard(24, 0.5, 2.0, p) == pytest.approx(0.02 * math.exp(-2.0) + 0.05 + 0.02, rel=1e-12)
    kw = dict(legal_exit=True, abscond_base=0.0, return_base=0.0, return_per_grievance=0.0, seek_decay_months=12.0)
    u = 0.01  # above 0.02 e^-2 = 0.0027, below 0.02
    assert act_of(u, free_months=0, **kw) == SEEK_TRANSFER
    assert act_of(u, free_months=24, **kw) == CARRY_ON
    assert act_of(u, free_months=24, grievance=1.0, **kw) == SEEK_TRANSFER, "the grievance part does not fade"


def test_months_free_to_leave_starts_when_the_rules_let_people_leave():
    """SSW i: months with the employer, but at most the months in SSW i (a TITP graduate staying
    with the firm is free only from the change of status); SSW ii: months with the employer;
    ESD workers after a waiting period: months past it (0 before); trainees under a TITP
    programme that bars transfers: 0; settled residents: months with the employer."""
    esd = sim.load_scenario("esd")
    titp = sim.load_scenario("titp")
    status = np.array([Status.SSW_1, Status.SSW_1, Status.SSW_2, Status.ESD, Status.ESD, Status.TITP_2], dtype=np.int8)
    with_employer = np.array([40, 5, 40, 30, 8, 20], dtype=np.int16)
    in_status = np.array([7, 7, 3, 30, 8, 8], dtype=np.int16)
    waits = np.array([99, 99, 99, 12, 12, 12], dtype=np.int32)
    working = np.full(6, Residence.WORK, dtype=np.int8)
    got = sim.Policy(esd.policy).months_free_to_leave(status, with_employer, in_status, waits, working)
    assert got.tolist() == [7, 5, 40, 18, 0, 0]
    assert esd.policy.transfer.regime == "after_waiting_period" and titp.policy.transfer.regime == "unavoidable_only"
    got = sim.Policy(titp.policy).months_free_to_leave(status, with_employer, in_status, waits, working)
    assert got.tolist() == [7, 5, 40, 0, 0, 0]
    # settled residents (spouse status, permanent residence) are free whatever their code: since joining
    settled = np.full(6, Residence.PERMANENT, dtype=np.int8)
    assert sim.Policy(titp.policy).months_free_to_leave(status, with_employer, in_status, waits, settled).tolist() == [40, 5, 40, 30, 8, 20]


def test_one_uniform_draw_per_legal_resident_in_row_order():
    """Draws are consumed only by legal residents, in row order: an irregular person in between
    takes none, so the second legal person gets the second draw."""
    u = np.array([0.9, 0.0])
    status = np.array([Status.TITP_2, Status.IRREGULAR, Status.TITP_2], dtype=np.int8)
    zeros = np.zeros(3)
    acts = decide_kernel(u, status, np.zeros(3, np.int32), zeros, zeros, zeros, np.zeros(3, bool), np.zeros(3, bool),
                         np.zeros(3, np.int32), np.full(3, 13, np.int16), np.ones(3, np.int16), np.zeros(3, bool),
                         np.zeros(3, np.int32), np.zeros(3, bool), np.ones(3), PARAMS, STATUS_KINDS)
    assert acts.tolist() == [CARRY_ON, NOT_LEGAL, ABSCOND]


# =============================================================================================
# Information (ODD 7.9)
# =============================================================================================
def _informed_world():
    """Person 0 at firm 0 (markup 1.0) hears from person 1 at firm 1 (markup 1.2) and from the
    irregular person 2; person 1 hears only from person 0. Nobody decides anything."""
    m = tiny_world("titp", firms=2, people=3, settings={
        "behaviour.abscond.base_monthly": 0.0, "behaviour.departure.return_base_monthly": 0.0,
        "behaviour.departure.return_per_grievance": 0.0, "behaviour.departure.irregular_apprehension_monthly": 0.0,
        "behaviour.departure.irregular_self_departure_monthly": 0.0, "behaviour.transfer.seek_base_monthly": 0.0,
        "behaviour.transfer.seek_per_wage_gap": 0.0, "behaviour.transfer.seek_per_grievance": 0.0,
    })
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=1.0)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.2, demand=1.0)
    place(m, 0, 0, Status.TITP_2, months_in_japan=14)
    place(m, 1, 1, Status.TITP_2, months_in_japan=14)
    place(m, 2, -1, Status.IRREGULAR, months_in_japan=14)
    p = m.people
    p.contacts[:3] = -1
    p.contacts[0, :2] = [1, 2]
    p.contacts[1, 0] = 0
    p.wage_gap[:3] = 0.0
    settle(m)
    return m


def test_contacts_tell_their_wage_and_whether_they_work_irregularly():
    """Person 0 learns firm 1's offer, a wage gap of exactly 0.2 and an irregular contact; person 1
    hears a lower offer (gap 0, no irregular contact); the irregular person has no gap."""
    m = _informed_world()
    information.hear_about_wages(m)
    p = m.people
    assert p.known_wage_yen[0] == pytest.approx(m.offer_yen[1], rel=1e-6)  # kept as float32
    assert p.wage_gap[:3].tolist() == pytest.approx([0.2, 0.0, 0.0], abs=1e-6)
    assert p.irregular_contact[:3].tolist() == [True, False, False]
    assert p.known_wage_yen[1] == pytest.approx(m.offer_yen[0], rel=1e-6)


def test_a_month_spreads_wage_information():
    """One whole month (``LabourMarket.step``) leaves person 0 knowing of the 0.2 wage gap: the
    information phase is part of the month."""
    m = _informed_world()
    m.step()
    assert m.people.wage_gap[0] == pytest.approx(0.2, abs=1e-6)
    assert m.people.irregular_contact[0]


# =============================================================================================
# Tests (ODD 7.6)
# =============================================================================================
def test_tests_are_sat_once_a_year_and_passed_at_the_threshold():
    """Without luck (noise sd 0) a test is passed when the level reaches its threshold, only in
    the month before an arrival anniversary (months_in_japan % 12 == 11); passes are kept."""
    m = tiny_world("titp", firms=1, people=3, settings={"behaviour.learning.test_noise_sd": 0.0})
    b = m.behaviour.learning
    for pid, months in enumerate((11, 10, 23)):
        place(m, pid, 0, Status.TITP_1, months_in_japan=months)
    p = m.people
    p.skill[:3] = [b.threshold_basic_skill, b.threshold_basic_skill, b.threshold_basic_skill - 1e-6]
    p.japanese[:3] = [learning.JAPANESE_A1, learning.JAPANESE_A2, learning.JAPANESE_A1 - 1e-6]
    p.tests_passed[2] = TEST_BITS["skill_grade3"]  # passed earlier: kept
    settle(m)
    learning.take_tests(m)
    assert p.tests_passed[0] == TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
    assert p.tests_passed[1] == 0, "not sitting at 10 months"
    assert p.tests_passed[2] == TEST_BITS["skill_grade3"], "just below every threshold"


def test_test_thresholds_are_the_scenarios():
    """The six tests measure skill against the scenario's thresholds and Japanese against N5, N4, N3."""
    b = tiny_world("titp", firms=1, people=1).behaviour.learning
    assert learning.test_thresholds(b) == [
        ("basic_skill", "skill", b.threshold_basic_skill), ("skill_grade3", "skill", b.threshold_skill_grade3),
        ("skill_ssw2", "skill", b.threshold_skill_ssw2), ("japanese_a1", "japanese", 1.0),
        ("japanese_a2", "japanese", 2.0), ("japanese_b1", "japanese", 3.0),
    ]


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


# =============================================================================================
# The per-agent act asks the policy (ODD 7.18)
# =============================================================================================
def test_seek_transfer_refuses_what_the_policy_forbids():
    """Under TITP a trainee may not change employer at their own wish: ``seek_transfer`` returns
    False and moves no one although a better-paid firm has a vacancy; an SSW i holder, who may
    move within the field, moves."""
    m = tiny_world("titp", firms=2, people=2)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.3, demand=10)
    place(m, 0, 0, Status.TITP_2)
    place(m, 1, 0, Status.SSW_1)
    settle(m)
    assert not m.policy.may_transfer(m.trainee(0)) and m.policy.may_transfer(m.trainee(1))
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is False
    assert m.people.firm[0] == 0 and m.flows["transfers_voluntary"] == 0
    assert m.trainee(1).seek_transfer(np.random.default_rng(0)) is True
    assert m.people.firm[1] == 1 and m.flows["transfers_voluntary"] == 1 == m.flows["transfers_voluntary_ssw"]


# =============================================================================================
# Mesa conventions
# =============================================================================================
def test_datacollector_holds_the_monthly_table_and_settings_come_as_keywords():
    """``LabourMarket("esd", seed, run__scale=..., run__months=...)`` builds the named scenario with
    those settings; its DataCollector's model variables are the monthly table's columns, row for
    row; ``running`` turns False when the scenario's months are done; a bad setting is refused."""
    m = sim.LabourMarket("esd", seed=3, run__scale=0.002, run__months=2)
    assert m.scale == 0.002 and m.scenario.run.months == 2 and m.running
    m.step()
    assert m.running
    m.step()
    assert not m.running
    collected = m.datacollector.get_model_vars_dataframe()
    assert list(collected.columns) == list(COLUMNS)
    assert collected.equals(m.results()) and len(collected) == 3
    with pytest.raises(sim.ScenarioError, match="waiting_month"):
        sim.LabourMarket("esd", seed=3, policy__transfer__waiting_month=12)


def test_results_by_group_name_the_allowed_groupings():
    m = sim.LabourMarket("esd", seed=3, run__scale=0.002, run__months=1)
    with pytest.raises(ValueError, match="prefecture, field, origin"):
        m.results(by="nationality")
    table = m.results(by="origin")
    assert table.month.tolist() == [0] * 7 and table.group.tolist() == list(sim.ORIGINS)
