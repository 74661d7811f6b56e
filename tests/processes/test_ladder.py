"""ODD 7.10 The status ladder and the end of stay (``sim/processes/ladder.py``): TITP i -> ii ->
iii or SSW i, the bridging status, stage iii and its hosts, overstaying, SSW i extension and
SSW ii by field, nursing care's own route (the care exam, then 介護), the SSW paths' levers."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE,
    AOMORI,
    BUILDING_CLEANING,
    CONSTRUCTION,
    FISHERY,
    FOOD_SERVICE,
    GRADE3_A2,
    NURSING,
    OTHER,
    at_model_month,
    at_month,
    place,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.domain import REAL_FIELDS, TEST_BITS, Status
from sim.outputs import collect
from sim.processes import decisions, ladder, learning, work
from sim.processes.codes import IS_LEGAL

# =============================================================================================
# The status ladder
# =============================================================================================


@pytest.mark.parametrize(
    "base, settings, status, months, tests, wants, employer_compliance, expected",
    [
        ("titp", {}, Status.TITP_1, 12, TEST_BITS["basic_skill"], False, 0.5, Status.TITP_2),
        ("titp", {}, Status.TITP_1, 12, 0, True, 0.5, Status.RETURNED),  # basic test failed
        ("titp", {}, Status.TITP_1, 11, 0, True, 0.5, Status.TITP_1),  # not yet a year
        ("titp", {}, Status.TITP_2, 36, 0, True, 0.5, Status.SSW_1),  # completing TITP ii exempts the tests
        ("titp", {}, Status.TITP_2, 36, GRADE3_A2, False, 0.95, Status.RETURNED),  # does not want to stay
        ("restricted", {}, Status.TITP_2, 36, GRADE3_A2, True, 0.95, Status.RETURNED),  # three years, then home
        ("titp", {"policy.stay.ssw1_path": False}, Status.TITP_2, 36, GRADE3_A2, True, 0.95, Status.TITP_3),
        ("titp", {"policy.stay.ssw1_path": False}, Status.TITP_2, 36, GRADE3_A2, True, 0.5, Status.RETURNED),
        ("titp", {}, Status.TITP_3, 60, 0, True, 0.5, Status.SSW_1),
        ("titp", {}, Status.TITP_3, 60, 0, False, 0.5, Status.RETURNED),
        ("esd", {}, Status.ESD, 36, GRADE3_A2, True, 0.5, Status.SSW_1),
        ("esd", {}, Status.ESD, 36, TEST_BITS["basic_skill"], True, 0.5, Status.ESD),  # a year's grace to retake
        ("esd", {}, Status.ESD, 48, TEST_BITS["basic_skill"], True, 0.5, Status.RETURNED),  # grace over
        ("esd", {}, Status.ESD, 36, TEST_BITS["basic_skill"], False, 0.5, Status.RETURNED),
    ],
)
def test_status_ladder(base, settings, status, months, tests, wants, employer_compliance, expected):
    """The rules of the status ladder for one person at the end of a stage: TITP i needs the
    basic test at 12 months; at 36 months TITP ii leads to SSW i (tests exempted) for those who
    want to stay, else to TITP iii at an excellent firm with grade 3, else home; the restricted
    policy sends everyone home at 36 months; ESD leads to SSW i with the tests passed, with a
    year's grace to retake them."""
    m = tiny_world(base, firms=2, people=1, settings={"behaviour.departure.share_choosing_stage_iii": 0.0, **settings})
    set_firm(m, 0, compliance=employer_compliance)
    place(m, 0, 0, status, months_in_japan=months, tests=tests, wants_long_stay=wants)
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected
    assert m.flows["to_ssw1"] == int(expected == Status.SSW_1)
    assert m.flows["returns_end_of_stay"] == int(expected == Status.RETURNED)
    if IS_LEGAL[expected]:
        assert m.people.firm[0] == 0, "moving up a status keeps the employer"
        assert m.firms.headcount[0] == 1 and m.firms.esd_headcount[0] == int(expected == Status.ESD)


#: A bridging window around the tiny worlds' calendar (month 1 = April 2027): open from April
#: 2027, renewed until October 2027, last entries in March 2028; grants of 6, then one of 4 months.
BRIDGING = {"first_month": "2027-04", "renewals_until": "2027-10", "last_entry": "2028-03", "grant_months": 6,
            "final_grant_months": 4}


@pytest.mark.parametrize("share, wants, expected_until, status_after_stay", [
    (1.0, False, 11, Status.RETURNED),   # 6-month grant to October (the last renewal), then 4 more: month 11, home
    (1.0, True, 11, Status.SSW_1),       # comes to want to stay (the path is open): SSW i the next month
    (0.0, False, -1, Status.RETURNED),   # nobody takes it up: home at once
])
def test_bridging_status_keeps_trainees_at_work_until_it_runs_out(share, wants, expected_until, status_after_stay):
    """A TITP iii trainee at the end of the stay (60 months) while the bridging status is open
    takes it with its share and stays at the same firm, in the TITP status code but counted in
    stock_bridging (not ISA's TITP stock) and not as a trainee when disappearing; the stay lasts
    grants of 6 months up to the first expiry after the last renewal plus one final grant of 4.
    A holder who wants to stay (here: comes to want it) moves up to SSW i when the path is open
    to them; the others leave when it runs out."""
    m = tiny_world("titp", firms=2, people=2, settings={
        "policy.stay.bridging": {**BRIDGING, "share_taking_up": share}, "behaviour.departure.share_choosing_stage_iii": 0.0})
    for row in (0, 1):
        place(m, row, 0, Status.TITP_3, months_in_japan=60, wants_long_stay=False)
    settle(m)
    at_month(m, 2027, 4)
    ladder.move_up_or_leave(m)
    p = m.people
    if share == 0.0:
        assert (p.status[:2] == Status.RETURNED).all() and m.flows["returns_end_of_stay"] == 2
        return
    assert (p.status[:2] == Status.TITP_3).all() and p.bridging_until[:2].tolist() == [expected_until] * 2
    assert m.firms.headcount[0] == 2 and m.flows["returns_end_of_stay"] == 0
    assert collect(m)["stock_bridging"] == collect(m)["stock_titp"] == 2 / m.scale
    decisions.abscond(m, np.array([1]))
    assert m.flows["disappearances"] == 1 and m.flows["disappearances_trainee"] == 0  # not a trainee for ISA
    if wants:  # SSW i path open to everyone (no ramp): the holder moves up the next month
        p.wants_long_stay[0] = True
        at_month(m, 2027, 5)
        ladder.move_up_or_leave(m)
        assert Status(p.status[0]) == Status.SSW_1 and p.bridging_until[0] == -1 and m.flows["to_ssw1"] == 1
        return
    at_model_month(m, expected_until - 1)
    ladder.move_up_or_leave(m)
    assert Status(p.status[0]) == Status.TITP_3, "still within the stay"
    at_model_month(m, expected_until)
    ladder.move_up_or_leave(m)
    assert Status(p.status[0]) == status_after_stay and m.flows["returns_end_of_stay"] == 1


def test_bridging_stays_last_to_the_first_expiry_after_the_last_renewal_plus_a_final_grant():
    """``Policy.bridging_months`` with the history scenario's dates (April 2020 - October 2022,
    renewals until May 2022, grants of 6 months, a final one of 4): exact lengths."""
    from sim.policy import Policy
    from sim.validation import history_scenario

    p = Policy(history_scenario().policy)
    got = {ym: p.bridging_months(*ym) for ym in [(2020, 3), (2020, 4), (2020, 5), (2021, 6), (2022, 5), (2022, 10), (2022, 11)]}
    assert got == {(2020, 3): 0, (2020, 4): 34, (2020, 5): 28, (2021, 6): 16, (2022, 5): 4, (2022, 10): 4, (2022, 11): 0}


def test_overstayers_are_absconded_trainees_past_the_end_of_their_stage():
    """An absconding TITP trainee's permitted stay runs out at the end of their stage (12 months
    for TITP i, 36 for ii); they count in stock_overstayers_trainee from that month; an SSW
    holder who absconds never does (ISA counts overstayers whose last status was TITP)."""
    m = tiny_world("titp", firms=2, people=3)
    place(m, 0, 0, Status.TITP_1, months_in_japan=5)
    place(m, 1, 0, Status.TITP_2, months_in_japan=30)
    place(m, 2, 0, Status.SSW_1, months_in_japan=40)
    settle(m)
    at_month(m, 2028, 1)
    decisions.abscond(m, np.array([0, 1, 2]))
    assert m.people.stay_expired_month[:3].tolist() == [17, 16, -1]
    s = m.scale
    for month, expected in ((15, 0), (16, 1), (17, 2), (99, 2)):
        at_model_month(m, month)
        assert collect(m)["stock_overstayers_trainee"] == expected / s, month
    assert collect(m)["stock_irregular"] == 3 / s


def test_trainee_without_employer_cannot_enter_titp_stage_iii():
    """TITP iii is only at an excellent firm: a TITP ii trainee between employers at 36 months
    (SSW path closed, grade 3 passed, wanting to stay) goes home, even if firm 0 is excellent."""
    m = tiny_world("titp", firms=2, people=1, settings={"policy.stay.ssw1_path": False})
    set_firm(m, 0, compliance=0.95)
    set_firm(m, 1, compliance=0.10)
    place(m, 0, -1, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2, wants_long_stay=True)
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == Status.RETURNED


@pytest.mark.parametrize("share, wants, licence, expected", [
    (1.0, True, True, Status.TITP_3),    # prefers stage iii, at a host
    (0.0, True, True, Status.SSW_1),     # prefers SSW i, which is open
    (1.0, False, True, Status.TITP_3),   # stage iii is part of TITP: open to those not wanting a long stay
    (0.0, False, True, Status.RETURNED),
    (1.0, True, False, Status.SSW_1),    # the body lacks the general licence, no host to move to: SSW i
    (1.0, False, False, Status.RETURNED),  # ... and without SSW i: home
])
def test_stage_iii_needs_an_excellent_firm_and_a_general_licence(share, wants, licence, expected):
    """At 36 months with grade 3 passed, a TITP ii trainee at an excellent firm (compliance 0.95)
    enters stage iii only if the supervisory body holds the general licence; whoever is eligible
    takes it with share_choosing_stage_iii, else SSW i (for those wanting to stay) or home. The
    only other firm is not excellent, so no employer change is possible."""
    m = tiny_world("titp", firms=2, people=1, settings={"behaviour.departure.share_choosing_stage_iii": share})
    set_firm(m, 0, field=CONSTRUCTION, compliance=0.95, demand=5)
    set_firm(m, 1, field=CONSTRUCTION, compliance=0.10, demand=5)
    place(m, 0, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2, wants_long_stay=wants)
    m.bodies.general_licence[:] = licence
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected
    assert m.flows["to_titp3"] == int(expected == Status.TITP_3) and m.flows["transfers_at_stage_iii"] == 0


@pytest.mark.parametrize("host_field, host_compliance, moved", [
    (CONSTRUCTION, 0.95, True), (AGRICULTURE, 0.95, False), (CONSTRUCTION, 0.5, False),
])
def test_employer_change_at_the_ii_to_iii_step(host_field, host_compliance, moved):
    """A trainee choosing stage iii at a firm that is not excellent may move to a host of the same
    field (an excellent firm with a general-licence body), counted as transfers_at_stage_iii, not
    as a voluntary or unavoidable transfer; with no such firm, SSW i."""
    m = tiny_world("titp", firms=2, people=1, settings={"behaviour.departure.share_choosing_stage_iii": 1.0})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, compliance=0.5, demand=5, markup=1.0)
    set_firm(m, 1, pref=AOMORI, field=host_field, compliance=host_compliance, demand=5, markup=1.0)
    place(m, 0, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2, wants_long_stay=True)
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == (Status.TITP_3 if moved else Status.SSW_1)
    assert m.people.firm[0] == (1 if moved else 0)
    assert m.flows["transfers_at_stage_iii"] == int(moved)
    assert m.flows["transfers_voluntary"] == 0 and m.flows["transfers_unavoidable"] == 0
    assert m.people.transfers[0] == 0


def test_stage_iii_starts_with_an_unpaid_month_at_home():
    """The home leave between stages ii and iii: the first stage_iii_home_leave_months (1) of
    TITP iii are unpaid; the month after, the trainee is paid the employer's offer."""
    m = tiny_world("titp", firms=2, people=1)
    set_firm(m, 0, markup=1.0)
    place(m, 0, 0, Status.TITP_3, months_in_japan=36, months_in_status=0)
    settle(m)
    work.work(m)
    assert m.people.wage_yen[0] == 0.0
    work.work(m)
    assert m.people.wage_yen[0] == pytest.approx(m.offer_yen[0])


def test_stage_iii_opens_at_its_date():
    """Stage iii exists from stage_iii_from (November 2017 in the history run): closed the month
    before, open from that month; never under ESD without a transition."""
    pol = sim.LabourMarket(small("titp", months=1, scale=0.002, settings={
        "policy.stay.stage_iii_from": "2017-11"}), seed=1).policy
    assert not pol.stage_iii_open(2017, 10) and pol.stage_iii_open(2017, 11) and pol.stage_iii_open(2030, 1)
    assert not sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1).policy.stage_iii_open(2030, 1)


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
          tests=TEST_BITS["skill_ssw2_near"] if near else 0, field=field, months_in_status=months, wants_long_stay=wants)
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
    place(m, 0, 0, Status.SSW_1, months_in_japan=60, tests=tests, months_in_status=24, wants_long_stay=True)
    settle(m)
    ladder.move_up_or_leave(m)
    assert Status(m.people.status[0]) == expected


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
    place(m, 0, 0, Status.SSW_1, months_in_japan=months_in_japan, tests=tests, months_in_status=months_in_status,
          wants_long_stay=wants)
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
        place(m, row, 0, Status.SSW_1, months_in_japan=47, wants_long_stay=True)
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


def test_closing_the_ssw2_path_stops_moves_to_ssw2():
    """With the SSW ii path closed no one moves up to SSW ii; with it open (same seed) some do."""
    closed = sim.LabourMarket(small("titp", months=24, scale=0.003, settings={"policy.stay.ssw2_path": False}), seed=4)
    opened = sim.LabourMarket(small("titp", months=24, scale=0.003), seed=4)
    assert (closed.run().results().to_ssw2 == 0).all()
    assert opened.run().results().to_ssw2.sum() > 0


def test_ssw1_path_opens_gradually_over_the_ramp():
    """With SSW from April 2019 and a 24-month ramp, the SSW i path is open to 1/24 of people in
    April 2019, half in March 2020 and everyone from March 2021; to no one before April 2019."""
    sc = sim.load_scenario(sim.scenario.shipped_scenario_dir() / "history_2017.toml").with_changes(
        {"policy.stay.ssw1_ramp_months": 24, "policy.stay.ssw_from": "2019-04"}
    )
    pol = sim.Policy(sc.policy)
    assert pol.ssw1_availability(2019, 3) == 0.0
    assert pol.ssw1_availability(2019, 4) == pytest.approx(1 / 24)
    assert pol.ssw1_availability(2020, 3) == pytest.approx(0.5)
    assert pol.ssw1_availability(2021, 3) == 1.0
    assert pol.ssw1_availability(2024, 1) == 1.0
    no_ramp = sim.Policy(sc.with_changes({"policy.stay.ssw1_ramp_months": 0}).policy)
    assert no_ramp.ssw1_availability(2019, 4) == 1.0 and no_ramp.ssw1_availability(2019, 3) == 0.0
