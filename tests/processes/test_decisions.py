"""ODD 7.11 Decisions (``sim/processes/decisions.py``): abscond, go home, seek a transfer or carry on.

The decision kernel is called directly with hand-made people and uniform draws, so the hazards,
their order, the legal-exit factor, the end-of-stay factor and the hazard cap are each pinned to
a number; the absconding multipliers (origin, fee, field, dated periods, demand pull) in tiny worlds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE,
    AOMORI,
    CONSTRUCTION,
    NO_CAPS,
    NURSING,
    TRANSFER_TESTS,
    at_model_month,
    at_month,
    place,
    set_firm,
    settle,
    tiny_world,
    transfers,
)
from sim.domain import REAL_FIELDS, TEST_BITS, Residence, Status
from sim.params import bind, part
from sim.processes.codes import SSW_1, STATUS_KINDS
from sim.processes.decisions import (
    ABSCOND,
    CARRY_ON,
    HAZARD_CAP,
    KEEP_SEARCHING,
    NOT_LEGAL,
    RETURN_HOME,
    SEEK_TRANSFER,
    DecisionParams,
    abscond_hazard,
    decide_kernel,
    seek_hazard,
)
from sim.processes.ladder import Ssw1Stay, ssw1_limit_and_way_on_kernel

# =============================================================================================
# The status ladder
# =============================================================================================


def test_absconding_multiplier_of_origin_fee_field_and_dated_period():
    """``abscond_multiplier``: exp(b_fee x (origin's mean fee - intake-weighted mean fee) / 500k)
    x the field's factor x a dated origin period's factor while in force (from its first to its
    last month), to the last digit."""
    from sim.domain import FIELDS, ORIGINS
    from sim.processes.decisions import abscond_multiplier

    period = {"origin": "myanmar", "factor": 4.0, "first_month": "2027-05", "last_month": "2027-06"}
    m = tiny_world("titp", firms=2, people=3, settings={
        "behaviour.abscond.per_origin_fee_500k_yen": 1.25, "behaviour.abscond.origin_periods": [period],
        "behaviour.abscond.field_factor": {f: 1.0 for f in FIELDS} | {"construction": 2.0, "agriculture": 0.5}})
    w = m.world
    mean_fee = sum(w.origin_shares[o] * w.broker_fee_yen[o] for o in ORIGINS) / sum(w.origin_shares.values())
    p = m.people
    p.origin[:3] = [ORIGINS.index("vietnam"), ORIGINS.index("myanmar"), ORIGINS.index("philippines")]
    p.field[:3] = [CONSTRUCTION, AGRICULTURE, FIELDS.index("nursing_care")]
    fee = lambda o: math.exp(1.25 * (w.broker_fee_yen[o] - mean_fee) / 500_000)  # noqa: E731
    for month, myanmar in ((1, 1.0), (2, 4.0), (3, 4.0), (4, 1.0)):  # April 2027 ... July 2027
        at_model_month(m, month)
        got = abscond_multiplier(m)
        assert got == pytest.approx([fee("vietnam") * 2.0, fee("myanmar") * 0.5 * myanmar, fee("philippines")], rel=1e-12)


def test_demand_pull_is_the_change_in_the_job_openings_ratio_held_past_the_data():
    """``demand_change_factor``: (ratio this year / ratio last year) ** elasticity; a year outside
    the series takes its nearest year's value, so the pull is 1 before, after and without a series."""
    from sim.processes.decisions import demand_change_factor

    ratio = {2019: 1.6, 2020: 1.2, 2021: 1.5}
    assert demand_change_factor(ratio, 2020, 1.5) == pytest.approx(0.75**1.5, rel=1e-12)  # 0.6495
    assert demand_change_factor(ratio, 2021, 1.0) == pytest.approx(1.25, rel=1e-12)
    assert demand_change_factor(ratio, 2022, 1.5) == 1.0  # 2022 and 2021 both hold 1.5
    assert demand_change_factor(ratio, 2030, 1.5) == 1.0
    assert demand_change_factor(ratio, 2019, 1.5) == 1.0  # 2018 takes 2019's value
    assert demand_change_factor(ratio, 2020, 0.0) == 1.0
    assert demand_change_factor({}, 2020, 1.5) == 1.0


def test_demand_pull_multiplies_everyones_absconding_hazard():
    """The year's pull multiplies every person's multiplier (origin, field) by the same factor:
    a ratio of 1.0 in 2026 and 1.21 in 2027 with elasticity 0.5 gives x1.1 in April 2027."""
    from sim.processes.decisions import abscond_multiplier

    flat = tiny_world("titp", firms=2, people=3, settings={"world.job_openings_ratio_by_year": {2026: 1.21, 2027: 1.21}})
    pulled = tiny_world("titp", firms=2, people=3, settings={
        "world.job_openings_ratio_by_year": {2026: 1.0, 2027: 1.21}, "behaviour.abscond.per_log_demand_change": 0.5})
    for m in (flat, pulled):
        m.people.origin[:3] = [0, 1, 2]
        m.people.field[:3] = [CONSTRUCTION, AGRICULTURE, CONSTRUCTION]
        at_month(m, 2027, 4)
    assert abscond_multiplier(pulled) == pytest.approx(1.1 * abscond_multiplier(flat), rel=1e-12)
    at_month(pulled, 2028, 1)  # past the series, no change in demand
    assert abscond_multiplier(pulled) == pytest.approx(abscond_multiplier(flat), rel=1e-12)


# =============================================================================================
# Decisions (ODD 7.11): abscond, go home, seek a transfer, carry on
# =============================================================================================


PARAMS = DecisionParams(
    base_monthly=0.01, per_debt_500k_yen=0.5, per_grievance=0.2, per_wage_gap=1.0, per_irregular_contact=0.7,
    legal_exit_factor=0.4, end_of_stay_factor=3.0, end_of_stay_window_months=3, return_base_monthly=0.002,
    return_per_grievance=0.001, ssw2_return_monthly=0.004, seek_base_monthly=0.02, seek_per_wage_gap=0.1, seek_per_grievance=0.01,
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
           gap: float = 0.0, irregular_contact: bool = False, may_leave: bool = False, free_months: int = 0,
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
    limit, way_on = ssw1_limit_and_way_on_kernel(
        one(status, np.int8), one(wants_long_stay, bool), one(tests_passed, np.int64), firm, one(0, np.int32),
        one(real_field, np.int8), one(real_field, np.int8), pol.ssw2_open_by_real_field,
        bind(Ssw1Stay, part(pol.config.stay, *Ssw1Stay._fields)), pol.ssw1_way_on(np.arange(len(REAL_FIELDS)), 2030, 1), SSW_1)
    acts = decide_kernel(
        one(u, float), one(status, np.int8), firm, one(debt, float), one(grievance, float),
        one(gap, float), one(irregular_contact, bool), one(may_leave, bool), one(free_months, np.int32),
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
    assert act_of(u, debt=1_000_000.0, may_leave=False) == ABSCOND
    assert act_of(u, debt=1_000_000.0, may_leave=True) == SEEK_TRANSFER
    assert act_of(u, debt=1_000_000.0, may_leave=True, legal_exit_factor=1.0) == ABSCOND


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
    assert act_of(0.499, debt=1e9, return_base_monthly=0.0, return_per_grievance=0.0) == ABSCOND
    assert act_of(0.501, debt=1e9, return_base_monthly=0.0, return_per_grievance=0.0) == CARRY_ON
    # The return and seek hazards are capped alike.
    assert act_of(0.6, return_base_monthly=0.9, base_monthly=0.0) == CARRY_ON
    assert act_of(0.6, seek_base_monthly=0.9, base_monthly=0.0, return_base_monthly=0.0, return_per_grievance=0.0, may_leave=True) == CARRY_ON


def test_one_draw_orders_abscond_return_seek_then_carry_on():
    """The draw falls into [0, h_a), [h_a, h_a + h_r), [.., + h_s) or beyond: abscond, go home,
    seek, carry on; between employers the last is 'keep searching'; SSW ii holders go home at
    their own rate; people not in a legal status take no decision."""
    h_a, h_r, h_s = 0.01, 0.002 + 0.001 * 2.0, 0.02 + 0.1 * 0.5 + 0.01 * 2.0
    h_a *= math.exp(0.2 * 2.0 + 1.0 * 0.5)
    h_a *= 0.4  # legal exit open
    kw = dict(grievance=2.0, gap=0.5, may_leave=True)
    assert act_of(h_a - 1e-9, **kw) == ABSCOND
    assert act_of(h_a + 1e-9, **kw) == RETURN_HOME
    assert act_of(h_a + h_r + 1e-9, **kw) == SEEK_TRANSFER
    assert act_of(h_a + h_r + h_s + 1e-9, **kw) == CARRY_ON
    assert act_of(h_a + h_r + 1e-9, employed=False, **kw) == KEEP_SEARCHING, "no seeking without an employer"
    assert act_of(h_a / 0.4 + h_r + 1e-9, grievance=2.0, gap=0.5, may_leave=False) == CARRY_ON, "no seeking without a legal exit"
    assert act_of(0.01 + 0.004 - 1e-9, status=Status.SSW_2) == RETURN_HOME
    assert act_of(0.01 + 0.004 + 1e-9, status=Status.SSW_2) == CARRY_ON
    assert act_of(0.01 + 0.004 - 1e-9, status=Status.CARE_WORKER) == RETURN_HOME  # 介護: as SSW ii
    assert act_of(0.01 + 0.004 + 1e-9, status=Status.CARE_WORKER, months_in_status=600, wants_long_stay=True) == CARRY_ON
    assert act_of(0.0, status=Status.IRREGULAR) == NOT_LEGAL


def test_seek_hazard_base_falls_with_months_free_to_leave():
    """The base seek hazard is seek_base_monthly x exp(-free_months / seek_decay_months); the wage-gap and
    grievance parts do not fall. With a decay of 12 months, 24 months free: 0.02 e^-2 + 0.1 x 0.5
    + 0.01 x 2, to the last digit; a draw between the hazard at 24 and at 0 months seeks at 0 only."""
    p = PARAMS._replace(seek_decay_months=12.0)
    assert seek_hazard(0, 0.0, 0.0, p) == pytest.approx(0.02, rel=1e-12)
    assert seek_hazard(24, 0.5, 2.0, p) == pytest.approx(0.02 * math.exp(-2.0) + 0.05 + 0.02, rel=1e-12)
    kw = dict(may_leave=True, base_monthly=0.0, return_base_monthly=0.0, return_per_grievance=0.0, seek_decay_months=12.0)
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
# Transfers for unavoidable circumstances (やむを得ない事情) at violating employers
# =============================================================================================


@pytest.mark.parametrize("chance, moved", [(0.0, []), (1.0, [0, 1])])
def test_trainees_of_a_violating_employer_may_be_granted_an_unavoidable_transfer(chance, moved):
    """With ``unavoidable_transfer_monthly`` 1, the two TITP trainees of the firm that violates the
    rules this month move to the other firm as unavoidable transfers; its SSW holder does not (not
    a trainee), nor the trainee of a firm that keeps the rules; with 0 nobody moves."""
    from sim.processes.decisions import transfer_for_unavoidable_circumstances

    m = tiny_world("titp", firms=3, people=4, settings={"policy.transfer.unavoidable_transfer_monthly": chance})
    for row, markup in ((0, 1.0), (1, 1.2), (2, 1.0)):
        set_firm(m, row, pref=AOMORI, field=CONSTRUCTION, markup=markup, demand=10)
    for pid, firm, status in ((0, 0, Status.TITP_2), (1, 0, Status.TITP_1), (2, 0, Status.SSW_1), (3, 2, Status.TITP_2)):
        place(m, pid, firm, status)
    settle(m)
    m.firms.violating[:] = [True, False, False]
    transfer_for_unavoidable_circumstances(m)
    log = transfers(m)
    assert sorted(log.pid) == moved and set(log.kind) <= {"unavoidable"} and (log.to_firm == 1).all()
    assert m.flows["transfers_unavoidable"] == len(moved) and m.people.firm[2] == 0 and m.people.firm[3] == 2


# =============================================================================================
# The lag of plan certification and change of status (ESD voluntary transfers)
# =============================================================================================


@pytest.mark.parametrize("lag", [0, 2])
def test_an_accepted_esd_transfer_takes_effect_after_the_lag(lag):
    """With ``transfer_lag_months`` = 2 an ESD worker who accepts an offer in month 1 works on at
    the old employer, seeks no other, and moves in month 3 (a voluntary transfer counted then);
    with 0 they move at once."""
    from sim.processes import decisions

    quiet = {"behaviour.abscond.base_monthly": 0.0, "behaviour.departure.return_base_monthly": 0.0,
             "behaviour.departure.return_per_grievance": 0.0, "policy.transfer.transfer_lag_months": lag, **NO_CAPS}
    m = tiny_world("esd", firms=2, people=1, settings=quiet)
    set_firm(m, 0, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.3, demand=10)
    place(m, 0, 0, Status.ESD, months_in_japan=13, months_with_employer=13, tests=TRANSFER_TESTS)
    settle(m)
    at_model_month(m, 1)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True
    where = [int(m.people.firm[0])]
    for month in (2, 3):
        at_model_month(m, month)
        m.flows.clear()
        decisions.decide(m)
        where.append(int(m.people.firm[0]))
    assert where == ([1, 1, 1] if lag == 0 else [0, 0, 1])
    log = transfers(m)
    assert log.month.tolist() == [1 if lag == 0 else 3] and log.voluntary.all() and (m.people.pending_firm[:1] == -1).all()
