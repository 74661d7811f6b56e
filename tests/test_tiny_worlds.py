"""Tier A: tiny hand-built worlds (two or three firms, one supervisory body, a few people) with
exact expected outcomes, in the manner of Flee's ``test_1_agent.py``.

Each world is built from a shipped scenario with no intake, then its arrays are set by hand
(``helpers.set_firm`` / ``helpers.place``) so that only the rule under test decides the outcome.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE, AOMORI, CONSTRUCTION, MIYAGI, OSAKA, TOKYO, employed_counts, place, set_firm, settle, small, tiny_world,
)
from sim.domain import TEST_BITS, Status
from sim.processes.codes import IS_LEGAL
from sim.processes import audits, grievance, ladder, violations, work
from sim.processes.arrivals import intake_cap
from sim.outputs import collect



#: Settings without the caps on transferees (for tests of other rules).
NO_CAPS = {"policy.transfer.firm_cap_share": None, "policy.transfer.metro_cap_share": None}


def two_firm_market(base: str = "free_mobility", *, dest_pref: int = AOMORI, dest_field: int = CONSTRUCTION,
                    dest_markup: float = 1.2, dest_demand: float = 10.0, status: Status = Status.ESD,
                    settings: dict | None = None):
    """Three workers at firm 0 (Aomori, construction, markup 1.0, demand 10); firm 1 as given, empty."""
    m = tiny_world(base, firms=2, people=3, settings=settings)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0, compliance=0.5)
    set_firm(m, 1, pref=dest_pref, field=dest_field, markup=dest_markup, demand=dest_demand, compliance=0.5)
    for pid in range(3):
        place(m, pid, 0, status)
    settle(m)
    return m


# =============================================================================================
# Voluntary transfers
# =============================================================================================
def test_free_trainee_moves_to_better_paid_firm_with_vacancy():
    """A trainee free to move, with a better-paid firm of their field that has a vacancy, moves
    there: headcounts, months with the employer, the person's transfer count and the month's
    voluntary-transfer flow all change by exactly one; nothing else moves."""
    m = two_firm_market()
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0)) is True
    p, f = m.people, m.firms
    assert p.firm[:3].tolist() == [1, 0, 0]
    assert f.headcount.tolist() == [2, 1]
    assert f.esd_headcount.tolist() == [2, 1]
    assert p.months_with_employer[0] == 0 and p.months_with_employer[1] == 13
    assert p.transfers[:3].tolist() == [1, 0, 0]
    # a voluntary move counts as a transfer (the 1/3 cap) from outside the designated area (the 1/6), even within Aomori
    assert p.pref[0] == AOMORI and p.transferee[0] and p.transferee_from_local[0]
    assert f.esd_transferees.tolist() == [0, 1] and f.esd_transferees_from_local.tolist() == [0, 1]
    assert trainee.employer is m.firm_agents[1]
    assert m.flows["transfers_voluntary"] == 1
    assert m.flows["transfers_voluntary_ssw"] == 0
    assert m.flows["transfers_unavoidable"] == 0
    assert m.flows["inter_prefecture_moves"] == 0
    assert [tuple(a) for a in employed_counts(m)] == [tuple(f.headcount), tuple(f.esd_headcount), tuple(f.esd_transferees)]


def test_agent_api_for_one_person_and_firm():
    """The per-agent face: a firm's offer is its prefecture's minimum-wage pay x markup; a trainee
    knows the tests passed; ``move_to`` is an unavoidable move counted once; a released trainee's
    ``seek_new_employer`` takes the only firm with a vacancy even though it pays less."""
    m = two_firm_market(dest_markup=1.0)
    f1 = m.firm_agents[1]
    assert f1.wage_offer_yen == pytest.approx(m.base_pay_yen[m.firms.pref[1]] * m.firms.markup[1])
    place(m, 0, 0, Status.ESD, tests=TEST_BITS["basic_skill"])
    settle(m)
    t = m.trainee(0)
    assert t.has_passed("basic_skill") and not t.has_passed("japanese_a1")
    t.move_to(f1, voluntary=False)
    assert t.employer is f1 and m.firms.headcount.tolist() == [2, 1]
    assert m.flows["transfers_unavoidable"] == 1 and m.flows["transfers_voluntary"] == 0
    m.detach(np.array([t.row]))  # released: no employer, last employer firm 1
    m.firms.demand[1] = 0.5  # firm 1 takes no one now; firm 0 has vacancies
    settle(m)  # (starts the month's flows afresh)
    assert t.seek_new_employer(np.random.default_rng(0)) is True
    assert t.employer is m.firm_agents[0] and m.flows["transfers_unavoidable"] == 1


def test_transfer_into_metro_prefecture_counts_as_inter_prefecture_move():
    """A move from Aomori to a Tokyo firm changes the person's prefecture and counts one
    inter-prefecture move and one move into a metro prefecture (none out of one)."""
    m = two_firm_market(dest_pref=TOKYO)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    p = m.people
    assert p.pref[0] == TOKYO and p.transferee[0] and p.transferee_from_local[0]
    assert m.firms.esd_transferees.tolist() == [0, 1]
    assert (m.flows["inter_prefecture_moves"], m.flows["moves_into_metro"], m.flows["moves_out_of_metro"]) == (1, 1, 0)


@pytest.mark.parametrize(
    "why, changes",
    [
        ("no vacancy (demand 1.9, one worker already there)", dict(dest_demand=1.9, extra_worker=True)),
        ("destination pays less than the 3% wage gain asked", dict(dest_markup=1.02)),
        ("destination pays the same", dict(dest_markup=1.0)),
        ("destination in another field under the same-field rule", dict(dest_field=AGRICULTURE)),
        ("destination barred from intake by a sanction", dict(barred=True)),
    ],
)
def test_trainee_does_not_move_when_destination_is_unacceptable(why, changes):
    """A trainee looking for a better job stays put, and no flow is counted, when the only other
    firm has no vacancy, pays too little, is in another field (same-field rule) or is barred."""
    extra = changes.pop("extra_worker", False)
    barred = changes.pop("barred", False)
    m = two_firm_market(settings={"policy.transfer.same_field": True}, **changes)
    if extra:
        place(m, 2, 1, Status.ESD)
        settle(m)
    if barred:
        m.firms.barred_until[1] = m.month + 12
    before = m.firms.headcount.copy()
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is False, why
    assert m.people.firm[0] == 0
    assert m.firms.headcount.tolist() == before.tolist()
    assert m.people.transfers[0] == 0
    assert sum(m.flows.values()) == 0


def test_same_field_rule_off_lets_trainee_change_field():
    """With the same-field rule off, the better-paid firm in another field takes the trainee."""
    m = two_firm_market(dest_field=AGRICULTURE, settings={"policy.transfer.same_field": False})
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True
    assert m.people.firm[0] == 1


def test_wage_gain_threshold_is_enough_when_met():
    """A destination paying 4% more (above the 3% gain asked) is accepted."""
    m = two_firm_market(dest_markup=1.04)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True


def test_best_paying_acceptable_firm_is_chosen():
    """Of two acceptable destinations, the trainee goes to the better-paying one."""
    m = tiny_world("free_mobility", firms=3, people=3)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.10, demand=10)
    set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.20, demand=10)
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == 2


def test_worker_who_changes_field_works_in_the_new_field():
    """After a voluntary move to a firm of another field (same-field rule off), the person's
    field is the new employer's field."""
    m = two_firm_market(dest_field=AGRICULTURE, settings={"policy.transfer.same_field": False})
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0))
    assert trainee.field == "agriculture"


def test_ssw_same_field_rule_binds_after_a_trainee_changed_field():
    """Trainees may change field but SSW holders may not: a worker who moved from construction
    to agriculture as a trainee and now holds SSW i may not move back into construction."""
    m = tiny_world("free_mobility", firms=3, people=3,
                   settings={"policy.transfer.same_field": False, "policy.transfer.ssw_same_field": True})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.2, demand=10)
    set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.4, demand=0.5)  # no vacancy yet
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    settle(m)
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0)) and m.people.firm[0] == 1  # trainee: construction -> agriculture
    m.change_status(np.array([0]), Status.SSW_1)
    m.firms.demand[2] = 10  # now construction firm 2 has vacancies and pays 1.4 / 1.2 more
    assert trainee.seek_transfer(np.random.default_rng(0)) is False
    assert m.people.firm[0] == 1


# =============================================================================================
# ESD caps on voluntary transferees (1/3 at every firm; 1/6 from outside the designated area
# into it)
# =============================================================================================
@pytest.mark.parametrize(
    "dest_pref, esd_workers_there, earlier_transferees, mover_pref, accepted",
    [
        (TOKYO, 4, 0, AOMORI, False),   # local -> metro: 1/6 binds, (0+1) > 1/6 x (4+1)
        (TOKYO, 5, 0, AOMORI, True),    # local -> metro: (0+1) <= 1/6 x (5+1), and 1 <= 1/3 x 6
        (TOKYO, 10, 1, AOMORI, False),  # an earlier local transferee counts: (1+1) > 1/6 x 11
        (TOKYO, 11, 1, AOMORI, True),   # (1+1) <= 1/6 x 12
        (TOKYO, 2, 0, OSAKA, True),     # metro -> metro: only the 1/3, (0+1) <= 1/3 x 3 (1/6 would refuse)
        (TOKYO, 1, 0, OSAKA, False),    # metro -> metro under the 1/3: (0+1) > 1/3 x 2
        (MIYAGI, 4, 0, AOMORI, True),   # non-metro, only the 1/3 cap: (0+1) <= 1/3 x 5
        (MIYAGI, 1, 0, AOMORI, False),  # non-metro, 1/3 cap binds: (0+1) > 1/3 x 2
        (MIYAGI, 1, 0, MIYAGI, False),  # within a prefecture the move counts under the 1/3 too
        (MIYAGI, 5, 2, MIYAGI, False),  # earlier transferees count: (2+1) > 1/3 x 6
        (MIYAGI, 5, 1, MIYAGI, True),   # (1+1) <= 1/3 x 6
    ],
)
def test_esd_caps_on_voluntary_transferees(dest_pref, esd_workers_there, earlier_transferees, mover_pref, accepted):
    """Under ESD as enacted, at most 1/3 of any firm's ESD workers may have come by voluntary
    transfer (from anywhere, within the prefecture too), and at most 1/6 of a designated-area
    (metro) firm's may have come so from an employer outside the designated area; a metro ->
    metro move is under the 1/3 only. Earlier transferees (the first ``earlier_transferees`` of
    the firm's ESD workers, come from Aomori) count."""
    m = tiny_world("esd", firms=3, people=1 + esd_workers_there)
    set_firm(m, 0, pref=mover_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=dest_pref, field=CONSTRUCTION, markup=1.3, demand=20)
    set_firm(m, 2, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)  # other field: never a destination
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"])
    for pid in range(1, 1 + esd_workers_there):
        place(m, pid, 1, Status.ESD)
        m.people.transferee[pid] = m.people.transferee_from_local[pid] = pid <= earlier_transferees
    settle(m)
    assert m.firms.esd_headcount[1] == esd_workers_there and m.firms.esd_transferees[1] == earlier_transferees
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is accepted
    assert m.people.firm[0] == (1 if accepted else 0)
    assert m.firms.esd_transferees[1] == earlier_transferees + int(accepted)


# =============================================================================================
# Policy questions
# =============================================================================================
@pytest.mark.parametrize(
    "base, status, months_with_employer, tests, allowed",
    [
        ("titp", Status.TITP_2, 30, 0, False),  # TITP: trainees never move at will
        ("titp", Status.SSW_1, 0, 0, True),  # SSW holders may
        ("restricted", Status.TITP_1, 5, 0, False),
        ("free_mobility", Status.ESD, 0, 0, True),  # free: from the first month
        ("esd", Status.ESD, 23, 3, False),  # construction: 24 months' wait
        ("esd", Status.ESD, 24, 3, True),
        ("esd", Status.ESD, 24, TEST_BITS["basic_skill"], False),  # A1 Japanese missing
    ],
)
def test_policy_says_who_may_transfer(base, status, months_with_employer, tests, allowed):
    """``policy.may_transfer``: TITP trainees never; SSW holders yes; free mobility from the
    start; ESD workers in construction after 24 months with the basic-skill and A1 tests."""
    m = tiny_world(base, firms=2, people=1)
    set_firm(m, 0, field=CONSTRUCTION)
    place(m, 0, 0, status, months_with_employer=months_with_employer, tests=tests)
    settle(m)
    assert m.policy.may_transfer(m.trainee(0)) is allowed


def test_esd_waiting_period_by_field_is_shorter_in_agriculture():
    """Under ESD the waiting period is 12 months in agriculture and 24 in construction."""
    m = tiny_world("esd", firms=2, people=1)
    waits = m.policy.waiting_months_by_field
    assert (waits[AGRICULTURE], waits[CONSTRUCTION]) == (12, 24)


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


def _audited_world(independence: float):
    m = tiny_world("titp", firms=2, people=4, settings={
        "behaviour.violations.monthly_probability_at_zero_compliance": 1.0,
        "policy.supervision.audit_monthly": 1.0,
        "policy.recruitment.trainee_intake_per_year": 2400,  # two newcomers a month at scale 0.01
    })
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, compliance=0.0, demand=50)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, compliance=1.0, demand=50)
    for pid in range(4):
        place(m, pid, pid % 2, Status.TITP_1, months_in_japan=2)
    m.bodies.thoroughness[:] = 1.0
    m.bodies.independence[:] = independence
    settle(m)
    return m


def test_thorough_independent_audit_gives_guidance_and_never_cancels_a_plan():
    """With monthly audits, thoroughness 1 and independence 1, the firm that violated is found
    and acted upon in the same month: its compliance improves by compliance_gain_after_sanction
    of the gap to 1; an audit never cancels a plan (dispositions are the authorities'), so
    nothing is barred and no one is released; the compliant firm is not touched."""
    m = _audited_world(independence=1.0)
    gain = m.behaviour.violations.compliance_gain_after_sanction
    m.step()
    row = m.results().iloc[-1]
    scale = m.scale
    assert row["violations"] * scale == 1 and row["violations_detected"] * scale == 1
    assert row["violations_suppressed"] == 0 and row["firms_sanctioned"] * scale == 1
    assert row["plans_cancelled"] == 0 and row["firms_barred"] == 0 and row["releases"] == 0
    assert (m.firms.barred_until == -1).all() and (m.firms.violations_pending == 0).all()
    assert m.firms.compliance[0] == pytest.approx(gain) and m.firms.compliance[1] == 1.0
    assert m.firms.violations_since_inspection.tolist() == [1, 0], "audits do not clear OTIT's record"


def test_audit_without_independence_hushes_violations_up():
    """With independence 0 a found violation is suppressed: counted as suppressed, no guidance,
    and counted against the body at its next inspection."""
    m = _audited_world(independence=0.0)
    m.step()
    row = m.results().iloc[-1]
    assert row["violations_detected"] == 0
    assert row["violations_suppressed"] * m.scale == 1
    assert row["firms_sanctioned"] == 0
    assert m.bodies.suppressed_since_inspection.tolist() == [1]
    assert (m.firms.barred_until == -1).all()


class AllBelow:
    """A generator whose uniform draws are all ``value`` (0: below every threshold)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def random(self, size=None):
        return np.full(size, self.value)


def _inspected_world(*, warned: bool, record: int, first: float, repeat: float, detection: float = 1.0, draw: float = 0.0):
    """Firm 0 (three trainees: TITP i, TITP ii, SSW i) due for an OTIT inspection this month with
    ``record`` violation-months since its last one; firm 1 empty, same field and prefecture."""
    m = tiny_world("titp", firms=2, people=3, settings={
        "policy.supervision.inspection_detection": detection,
        "policy.supervision.cancellation_share_first_finding": first,
        "policy.supervision.cancellation_share_repeat_finding": repeat,
        "policy.supervision.audit_monthly": 0.0,
    })
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10, compliance=0.5)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10, compliance=0.5)
    place(m, 0, 0, Status.TITP_1)
    place(m, 1, 0, Status.TITP_2)
    place(m, 2, 0, Status.SSW_1)
    settle(m)
    f = m.firms
    f.next_inspection[:] = [m.month, m.month]  # both due; firm 1 has no trainees
    f.violations_since_inspection[0] = record
    f.warned[0] = warned
    real_rng_for = m.rng_for
    m.rng_for = lambda purpose, *extra: AllBelow(draw) if purpose == audits.INSPECTION_STREAM else real_rng_for(purpose, *extra)
    return m


def test_inspection_reviews_the_record_since_the_last_and_reschedules():
    """An OTIT inspection finds violations with 1 - (1 - detection)^k for k violation-months on
    record: with detection 1, one month on record is always found, none never; firms without
    trainees are not inspected; every firm due is next inspected a cycle later; the record is
    cleared; a finding is an improvement recommendation (compliance up, warned), no bar."""
    m = _inspected_world(warned=False, record=1, first=0.0, repeat=0.0)
    gain = m.behaviour.violations.compliance_gain_after_sanction
    audits.audit_members(m)
    f, cycle = m.firms, m.policy.supervision.inspection_cycle_months
    assert m.flows["firm_inspections"] == 1 and m.flows["inspection_findings"] == 1
    assert f.next_inspection.tolist() == [m.month + cycle, m.month + cycle]
    assert f.violations_since_inspection[0] == 0 and f.warned.tolist() == [True, False]
    assert f.compliance[0] == pytest.approx(0.5 + 0.5 * gain)
    assert m.flows["plans_cancelled"] == 0 and (f.barred_until == -1).all()
    clean = _inspected_world(warned=True, record=0, first=1.0, repeat=1.0)
    audits.audit_members(clean)
    assert clean.flows["firm_inspections"] == 1 and clean.flows["inspection_findings"] == 0
    assert clean.firms.warned[0] == False and clean.flows["plans_cancelled"] == 0  # noqa: E712


@pytest.mark.parametrize("record, detection, draw, found", [(3, 0.5, 0.874, True), (3, 0.5, 0.876, False)])
def test_inspection_finding_chance_is_the_documented_formula(record, detection, draw, found):
    """With 3 violation-months on record and detection 0.5 per month the chance of a finding is
    1 - 0.5^3 = 0.875: a draw just below finds, just above does not."""
    m = _inspected_world(warned=False, record=record, first=0.0, repeat=0.0, detection=detection, draw=draw)
    audits.audit_members(m)
    assert m.flows["inspection_findings"] == int(found)


@pytest.mark.parametrize("warned, first, repeat, cancelled", [
    (False, 0.0, 1.0, False),  # a first finding, no escalation at first
    (True, 0.0, 1.0, True),    # a repeat finding: the recommendation was not heeded
    (False, 1.0, 0.0, True),   # a first finding that is serious enough
    (True, 1.0, 0.0, False),   # repeat findings escalate with the repeat share only
])
def test_escalation_to_plan_cancellation_first_or_repeat(warned, first, repeat, cancelled):
    """A finding cancels the plan with cancellation_share_first_finding, or with
    cancellation_share_repeat_finding when the previous inspection found violations too. A
    cancelled plan bars the firm for sanction_bar_months and releases its trainees (TITP i and
    ii, not the SSW holder) to the other firm as an unavoidable transfer; the expected count
    adds the finding's cancellation chance."""
    m = _inspected_world(warned=warned, record=2, first=first, repeat=repeat)
    audits.audit_members(m)
    bar = m.policy.config.supervision.sanction_bar_months
    assert m.flows["plans_cancelled"] == int(cancelled)
    assert m.flows["plans_cancelled_expected"] == pytest.approx(repeat if warned else first)
    if cancelled:
        assert m.firms.barred_until.tolist() == [m.month + bar, -1] and m.firm_agents[0].barred
        assert m.people.firm[:3].tolist() == [1, 1, 0], "the trainees move, the SSW holder stays"
        assert m.flows["releases"] == 2 and m.flows["transfers_unavoidable"] == 2 and m.flows["transfers_voluntary"] == 0
        assert m.people.transfers[:3].tolist() == [0, 0, 0], "an unavoidable move is not a voluntary transfer"
    else:
        assert (m.firms.barred_until == -1).all() and m.people.firm[:3].tolist() == [0, 0, 0]


def test_barred_firm_takes_no_newcomers():
    """While barred after a cancelled plan a firm receives no newcomers: every arrival goes to the other firm."""
    m = _audited_world(independence=1.0)
    m.firms.barred_until[0] = 100
    for _ in range(5):
        n_before = m.people.n
        m.step()
        new = np.arange(n_before, m.people.n)
        assert len(new) == 2, "two trainees arrive each month"
        assert (m.people.firm[new] == 1).all(), "a barred firm takes in no one"


def test_licence_revocation_moves_member_firms_to_another_body():
    """A body found at two inspections running (detection 1, k = 2 hushed-up violation-months,
    revocation share 1) loses its licence: barred for licence_bar_months and the general licence
    gone; its member firms join the other body of their prefecture (firms_lost_supervisor), the
    member index follows, and a firm whose body is revoked hosts no stage iii."""
    scenario = sim.shipped_scenario("titp").with_changes({
        "run.scale": 0.01, "world.firms": 300, "world.supervisory_bodies": 200, "world.stock_trainees": 300,
        "world.stock_ssw1": 0, "world.stock_ssw2": 0, "policy.supervision.audit_monthly": 0.0,
        "policy.supervision.body_inspection_detection": 1.0, "policy.supervision.revocation_share_repeat_finding": 1.0,
        "policy.recruitment.trainee_intake_per_year": 0, "policy.recruitment.ssw_direct_intake_per_year": 0,
    })
    m = sim.LabourMarket(scenario, seed=3)
    f, b = m.firms, m.bodies
    assert (f.n, b.n) == (3, 2)
    f.pref[:] = AOMORI
    b.pref[:] = AOMORI
    f.supervisory_body[:] = [0, 0, 1]
    b.rebuild_members(f.supervisory_body)
    f.compliance[:] = 0.95
    b.general_licence[:] = True
    f.next_inspection[:] = 10_000
    b.next_inspection[:] = [1, 10_000]
    b.suppressed_since_inspection[:] = [2, 0]
    b.warned[:] = [True, False]
    m.month = 1
    m.flows.clear()
    assert ladder.stage_iii_hosts(m).tolist() == [True, True, True]
    audits.audit_members(m)
    bar = m.policy.config.supervision.licence_bar_months
    assert m.flows["so_licences_revoked"] == 1 and m.flows["firms_lost_supervisor"] == 2
    assert b.barred_until.tolist() == [1 + bar, -1] and b.general_licence.tolist() == [False, True]
    assert f.supervisory_body.tolist() == [1, 1, 1]
    assert sorted(b.members_of(1).tolist()) == [0, 1, 2] and len(b.members_of(0)) == 0
    assert m.results().shape[0] >= 1
    m.firms.supervisory_body[0] = 0  # a firm still with the revoked body hosts no stage iii
    assert ladder.stage_iii_hosts(m).tolist() == [False, True, True]


def test_body_independence_from_its_officers_and_auditor():
    """Independence as the mechanisms give it: own inclination x tied_officers_independence_factor
    where officers are tied to member firms; an external auditor brings external_auditor_catch of
    the rest to light: 1 - (1 - own) x (1 - catch). ESD's rules (no tied officers, an auditor for
    every body) give 1 - (1 - 0.5) x (1 - 0.2) = 0.6 from an own inclination of 0.5."""
    pol = sim.LabourMarket(small("titp", months=1, scale=0.002), seed=1).policy
    s = pol.supervision
    base = np.array([0.5, 0.5, 0.5, 0.5])
    tied = np.array([False, True, False, True])
    auditor = np.array([False, False, True, True])
    got = pol.body_independence(base, tied, auditor)
    f, c = s.tied_officers_independence_factor, s.external_auditor_catch
    assert got == pytest.approx([0.5, 0.5 * f, 1 - 0.5 * (1 - c), 1 - (1 - 0.5 * f) * (1 - c)], rel=1e-12)
    esd = sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1)
    assert not esd.bodies.tied_officers.any() and esd.bodies.external_auditor.all()
    assert esd.policy.body_independence(np.array([0.5]), np.array([False]), np.array([True]))[0] == pytest.approx(0.6)


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
    m.disappear(np.array([1]))
    pay = work.pay(m)
    w = m.world
    assert pay[1] == pytest.approx(w.irregular_wage_factor * m.geo.min_wage_yen_per_hour[TOKYO] * w.hours_per_month)
    assert pay[0] == pytest.approx(m.offer_yen[0])


# =============================================================================================
# Conservation of people
# =============================================================================================
def test_disappearance_and_removal_conserve_people():
    """A hand-made disappearance leaves the number in Japan unchanged (one more irregular, one
    fewer at the firm, which counts a quit); removing that person then moves them from the stock
    to the removed; everyone who entered is always in Japan, returned or removed."""
    m = tiny_world("titp", firms=2, people=3)
    for pid in range(3):
        place(m, pid, 0, Status.TITP_1)
    settle(m)
    s = m.scale
    before = collect(m)
    m.disappear(np.array([1]))
    after = collect(m)
    assert m.flows["disappearances"] == 1 and m.flows["disappearances_trainee"] == 1
    assert after["stock_total"] == before["stock_total"] == 3 / s
    assert after["stock_irregular"] == 1 / s and after["stock_titp"] == 2 / s
    assert m.people.status[1] == Status.IRREGULAR and m.people.firm[1] == -1 and m.people.last_firm[1] == 0
    assert m.firms.headcount.tolist() == [2, 0] and m.firms.quits_this_month[0] == 1
    m.leave_japan(np.array([1]), Status.REMOVED)
    gone = collect(m)
    assert gone["stock_total"] == 2 / s and gone["removed_total"] == 1 / s and gone["stock_irregular"] == 0
    for row in (before, after, gone):
        assert row["entered_total"] == row["stock_total"] + row["returned_total"] + row["removed_total"]
    with pytest.raises(KeyError):
        m.trainee(1)  # no agent object for someone who has left Japan


# =============================================================================================
# The status ladder
# =============================================================================================
GRADE3_A2 = TEST_BITS["basic_skill"] | TEST_BITS["skill_grade3"] | TEST_BITS["japanese_a2"] | TEST_BITS["japanese_a1"]


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
    place(m, 0, 0, status, months_in_japan=months, tests=tests)
    m.people.wants_long_stay[0] = wants
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
BRIDGING = {"from_year": 2027, "from_month": 4, "renewals_until_year": 2027, "renewals_until_month": 10,
            "last_entry_year": 2028, "last_entry_month": 3, "grant_months": 6, "final_grant_months": 4}


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
        place(m, row, 0, Status.TITP_3, months_in_japan=60)
        m.people.wants_long_stay[row] = False
    settle(m)
    m.month = 1  # April 2027
    ladder.move_up_or_leave(m)
    p = m.people
    if share == 0.0:
        assert (p.status[:2] == Status.RETURNED).all() and m.flows["returns_end_of_stay"] == 2
        return
    assert (p.status[:2] == Status.TITP_3).all() and p.bridging_until[:2].tolist() == [expected_until] * 2
    assert m.firms.headcount[0] == 2 and m.flows["returns_end_of_stay"] == 0
    assert collect(m)["stock_bridging"] == collect(m)["stock_titp"] == 2 / m.scale
    m.disappear(np.array([1]))
    assert m.flows["disappearances"] == 1 and m.flows["disappearances_trainee"] == 0  # not a trainee for ISA
    if wants:  # SSW i path open to everyone (no ramp): the holder moves up the next month
        p.wants_long_stay[0] = True
        m.month = 2
        ladder.move_up_or_leave(m)
        assert Status(p.status[0]) == Status.SSW_1 and p.bridging_until[0] == -1 and m.flows["to_ssw1"] == 1
        return
    m.month = expected_until - 1
    ladder.move_up_or_leave(m)
    assert Status(p.status[0]) == Status.TITP_3, "still within the stay"
    m.month = expected_until
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


def test_absconding_multiplier_of_origin_fee_field_and_dated_period():
    """``abscond_multiplier``: exp(b_fee x (origin's mean fee - intake-weighted mean fee) / 500k)
    x the field's factor x a dated origin period's factor while in force (from its first to its
    last month), to the last digit."""
    from sim.domain import FIELDS, ORIGINS
    from sim.processes.decisions import abscond_multiplier

    period = {"origin": "myanmar", "factor": 4.0, "from_year": 2027, "from_month": 5, "until_year": 2027, "until_month": 6}
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
        m.month = month
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
        m.month = 1  # April 2027
    assert abscond_multiplier(pulled) == pytest.approx(1.1 * abscond_multiplier(flat), rel=1e-12)
    pulled.month = 10  # January 2028: past the series, no change in demand
    assert abscond_multiplier(pulled) == pytest.approx(abscond_multiplier(flat), rel=1e-12)


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
    plain = tiny_world("titp", firms=2, people=3).world
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


def test_overstayers_are_absconded_trainees_past_the_end_of_their_stage():
    """An absconding TITP trainee's permitted stay runs out at the end of their stage (12 months
    for TITP i, 36 for ii); they count in stock_overstayers_trainee from that month; an SSW
    holder who absconds never does (ISA counts overstayers whose last status was TITP)."""
    m = tiny_world("titp", firms=2, people=3)
    place(m, 0, 0, Status.TITP_1, months_in_japan=5)
    place(m, 1, 0, Status.TITP_2, months_in_japan=30)
    place(m, 2, 0, Status.SSW_1, months_in_japan=40)
    settle(m)
    m.month = 10
    m.disappear(np.array([0, 1, 2]))
    assert m.people.stay_expired_month[:3].tolist() == [17, 16, -1]
    s = m.scale
    for month, expected in ((15, 0), (16, 1), (17, 2), (99, 2)):
        m.month = month
        assert collect(m)["stock_overstayers_trainee"] == expected / s, month
    assert collect(m)["stock_irregular"] == 3 / s


def test_trainee_without_employer_cannot_enter_titp_stage_iii():
    """TITP iii is only at an excellent firm: a TITP ii trainee between employers at 36 months
    (SSW path closed, grade 3 passed, wanting to stay) goes home, even if firm 0 is excellent."""
    m = tiny_world("titp", firms=2, people=1, settings={"policy.stay.ssw1_path": False})
    set_firm(m, 0, compliance=0.95)
    set_firm(m, 1, compliance=0.10)
    place(m, 0, -1, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2)
    m.people.wants_long_stay[0] = True
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
    place(m, 0, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2)
    m.people.wants_long_stay[0] = wants
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
    place(m, 0, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2)
    m.people.wants_long_stay[0] = True
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
    place(m, 0, 0, Status.TITP_3, months_in_japan=36)
    m.people.months_in_status[0] = 0
    settle(m)
    work.work(m)
    assert m.people.wage_yen[0] == 0.0
    work.work(m)
    assert m.people.wage_yen[0] == pytest.approx(m.offer_yen[0])


def test_stage_iii_opens_at_its_date():
    """Stage iii exists from stage_iii_from (November 2017 in the history run): closed the month
    before, open from that month; never under ESD without a transition."""
    pol = sim.LabourMarket(small("titp", months=1, scale=0.002, settings={
        "policy.stay.stage_iii_from_year": 2017, "policy.stay.stage_iii_from_month": 11}), seed=1).policy
    assert not pol.stage_iii_open(2017, 10) and pol.stage_iii_open(2017, 11) and pol.stage_iii_open(2030, 1)
    assert not sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1).policy.stage_iii_open(2030, 1)


def test_transition_entrants_by_date_and_titp_stock_keeps_titp_rules():
    """esd_transition: entrants before April 2027 would enter TITP i, from then ESD; the stock
    starts under TITP; a TITP trainee cannot change employer at will (TITP's rule) while an ESD
    worker past the waiting period with the tests can; stage iii is open to TITP ii trainees
    who arrived at least 24 months before the switch (12 months in stage ii on 2027-04-01)."""
    m = tiny_world("esd_transition", firms=2, people=2)
    pol = m.policy
    assert pol.entry_status_at(2027, 3) == Status.TITP_1 and pol.entry_status_at(2027, 4) == Status.ESD
    assert pol.stock_under_titp and pol.titp_max_months == 60 and pol.max_trainee_months == 36
    assert pol.stage_iii_open(2028, 1) and pol.stage_iii_latest_arrival(2027, 4) == -24
    tests = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
    allowed = pol.transfer_allowed(np.array([Status.TITP_2, Status.ESD]), np.array([30, 30]),
                                   np.array([AGRICULTURE, AGRICULTURE]), np.array([tests, tests]), np.zeros(2, dtype=np.int8))
    assert allowed.tolist() == [False, True]
    m2 = tiny_world("esd_transition", firms=2, people=2, settings={"behaviour.departure.share_choosing_stage_iii": 1.0})
    set_firm(m2, 0, compliance=0.95, demand=5)
    for pid, arrived in ((0, -24), (1, -23)):
        place(m2, pid, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2)
        m2.people.arrival_month[pid] = arrived
        m2.people.wants_long_stay[pid] = True
    settle(m2)
    ladder.move_up_or_leave(m2)
    assert [Status(x) for x in m2.people.status[:2]] == [Status.TITP_3, Status.SSW_1]


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
# Cost sharing and the network space
# =============================================================================================
@pytest.mark.parametrize(
    "status, months_served, expected_yen",
    [(Status.ESD, 12, 400_000 * (1 - 12 / 36)), (Status.ESD, 0, 400_000), (Status.ESD, 40, 0.0), (Status.SSW_1, 12, 0.0)],
)
def test_new_employer_reimburses_initial_costs_weighted_by_time_served(status, months_served, expected_yen):
    """Under ESD the new employer of a voluntary transferee reimburses the first employer's
    initial costs, 400,000 yen less the share of 36 months already served; nothing for SSW
    holders (whose first employer had no such costs). ESD's reimbursement with free job change,
    so that a move after 0 months is allowed too."""
    m = tiny_world("esd", firms=2, people=2, settings={"policy.transfer.regime": "free", **NO_CAPS})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.3, demand=10)
    place(m, 0, 0, status, months_in_japan=months_served, months_with_employer=months_served)
    place(m, 1, 0, Status.ESD)
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.flows["reimbursement_yen"] == pytest.approx(expected_yen)
    assert collect(m)["reimbursement_yen"] == pytest.approx(expected_yen / m.scale)


@pytest.mark.parametrize("dest_pref", [AOMORI, TOKYO])
def test_unavoidable_transfer_carries_no_reimbursement_and_no_cap(dest_pref):
    """A worker released by a closing firm who finds another gives rise to no reimbursement, and
    is neither capped nor counted as a transferee (the caps concern moves at the worker's own
    wish, 本人意向): the Aomori worker may join a firm with one ESD worker, even in Tokyo, which
    would refuse a voluntary transferee under the 1/3 and the 1/6."""
    m = tiny_world("esd", firms=2, people=2)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=dest_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    place(m, 0, 0, Status.ESD, months_with_employer=3)
    place(m, 1, 1, Status.ESD)
    settle(m)
    m.firm_agents[0].close()
    assert m.people.firm[0] == 1
    assert m.flows["transfers_unavoidable"] == 1 and m.flows["releases"] == 1
    assert m.flows["reimbursement_yen"] == 0
    assert m.firms.esd_transferees[1] == 0 and not m.people.transferee[0]


def test_trainee_stands_on_the_employers_node():
    """A person stands on their employer's node of the network space and moves with a transfer;
    with no employer they stand nowhere."""
    m = two_firm_market()
    trainee = m.trainee(0)
    assert trainee.cell is m.firm_agents[0].cell
    assert trainee.seek_transfer(np.random.default_rng(0))
    assert trainee.cell is m.firm_agents[1].cell
    m.disappear(np.array([0]))
    assert trainee.cell is None and trainee.employer is None


# =============================================================================================
# What movers weigh beyond pay (ODD 7.12): rent, compatriots, distance, taste
# =============================================================================================
def _three_firm_market(dest: tuple[tuple[int, float], tuple[int, float]], settings: dict | None = None):
    """Person 0 (ESD, free to move) at firm 0 (Aomori, markup 1.0); firms 1 and 2 at the given
    (prefecture, markup), both with room; persons 1 and 2 work at firm 2 and are person 0's only
    contacts (two of four: half of them live where firm 2 is)."""
    m = tiny_world("free_mobility", firms=3, people=3, settings=settings)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0, compliance=0.5)
    for row, (pref, markup) in enumerate(dest, start=1):
        set_firm(m, row, pref=pref, field=CONSTRUCTION, markup=markup, demand=10.0, compliance=0.5)
    place(m, 0, 0, Status.ESD)
    place(m, 1, 2, Status.ESD)
    place(m, 2, 2, Status.ESD)
    m.people.contacts[:3] = -1
    m.people.contacts[0, :2] = [1, 2]
    settle(m)
    return m


@pytest.mark.parametrize("rent_yen, chosen", [(0.0, 1), (60_000.0, 2)])
def test_movers_weigh_pay_after_rent(rent_yen, chosen):
    """Tokyo (firm 1, markup 1.0: 1,163 yen/h) pays more than Aomori (firm 2, markup 1.15: 953 x
    1.15 yen/h); after a rent of 60,000 yen x the housing price index (Tokyo 127.2, Aomori 93.8) the
    Aomori firm leaves more, so the mover goes there; with no rent, to Tokyo."""
    m = _three_firm_market(((TOKYO, 1.0), (AOMORI, 1.15)), {"behaviour.transfer.rent_yen": rent_yen})
    pay = m.offer_yen[[1, 2]]
    assert pay[0] > pay[1]
    net = pay - rent_yen * m.geo.housing_price_index[[TOKYO, AOMORI]] / 100
    assert (net[0] < net[1]) == (rent_yen > 0)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


@pytest.mark.parametrize("weight, contacts_gone, chosen", [(0.0, False, 1), (0.1, False, 2), (0.1, True, 1)])
def test_movers_go_where_their_compatriots_are(weight, contacts_gone, chosen):
    """Firm 1 is in Aomori, firm 2 in Miyagi paying 1% less; half of the mover's contacts live in
    Miyagi, worth 0.5 x 0.1 = 0.05 in log pay with ``compatriot_weight`` 0.1, more than the 1%.
    Contacts who went home count nowhere (their rows remain until the arrays are compacted)."""
    m = tiny_world("free_mobility", firms=3, people=3)
    base = m.base_pay_yen
    miyagi_markup = 1.2 * base[AOMORI] / base[MIYAGI] * 0.99
    m = _three_firm_market(((AOMORI, 1.2), (MIYAGI, miyagi_markup)), {"behaviour.transfer.compatriot_weight": weight})
    assert m.offer_yen[2] == pytest.approx(0.99 * m.offer_yen[1], rel=1e-5)
    if contacts_gone:
        m.leave_japan(np.array([1, 2]), Status.RETURNED)
        settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


@pytest.mark.parametrize("move_cost, far_move_cost, chosen", [(0.0, 0.0, 2), (0.1, 0.0, 1), (0.0, 0.1, 1)])
def test_moving_away_costs_more_the_farther(move_cost, far_move_cost, chosen):
    """Firm 2 in Miyagi (not a neighbour of Aomori) pays 5% more than firm 1 in Aomori, where the
    mover lives; a cost of 0.1 (log pay) for leaving the prefecture, or for going beyond its
    neighbours, keeps them in Aomori."""
    m = tiny_world("free_mobility", firms=3, people=3)
    assert not m.geo.adjacent[AOMORI, MIYAGI]
    base = m.base_pay_yen
    m = _three_firm_market(((AOMORI, 1.2), (MIYAGI, 1.2 * 1.05 * base[AOMORI] / base[MIYAGI])),
                           {"behaviour.transfer.move_cost": move_cost, "behaviour.transfer.far_move_cost": far_move_cost})
    m.people.contacts[0] = -1  # no ties anywhere: only pay and distance differ
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


def test_taste_draws_are_standard_gumbel_and_fixed_by_seeker_and_firm():
    """The taste of a seeker for a firm is a function of (key, firm): the same pair gives the same
    draw; over many pairs the draws have the Gumbel mean (0.5772) and variance (pi^2 / 6)."""
    from sim.processes.matching import taste_draw

    assert taste_draw(np.uint64(12345), 7) == taste_draw(np.uint64(12345), 7)
    assert taste_draw(np.uint64(12345), 7) != taste_draw(np.uint64(12345), 8)
    draws = np.array([taste_draw(np.uint64(k * 7919 + 1), f) for k in range(400) for f in range(50)])
    assert draws.mean() == pytest.approx(0.5772, abs=0.03)
    assert draws.var() == pytest.approx(np.pi**2 / 6, rel=0.05)


def test_taste_sends_some_movers_to_the_lower_paid_firm():
    """With no taste every mover takes the better-paid of two firms; with a taste scale of 0.5
    (log pay) against a 2% pay difference, some of 40 movers take the other one."""
    def chosen(scale: float) -> np.ndarray:
        m = tiny_world("free_mobility", firms=3, people=40, settings={"behaviour.transfer.taste_scale": scale})
        set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=100.0)
        set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.2, demand=100.0)
        set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.2 * 1.02, demand=100.0)
        for pid in range(40):
            place(m, pid, 0, Status.ESD)
        m.people.contacts[:40] = -1
        settle(m)
        from sim.processes.matching import find_employers
        find_employers(m, np.arange(40), np.random.default_rng(3), voluntary=True)
        return m.people.firm[:40]
    assert (chosen(0.0) == 2).all()
    picks = chosen(0.5)
    assert 0 < (picks == 1).sum() < 40


# =============================================================================================
# ISA's SSW job-change measure (the cohort column ssw1_entrants_changed)
# =============================================================================================
def test_ssw1_entry_cohort_counts_the_first_change_of_employer_only():
    """Person 0 moves as ESD (not counted), becomes SSW i in month 1, then moves twice: their
    entry cohort (month 1) counts one change; person 1 becomes SSW i and never moves. The
    monthly table's cohort column shows 1 / scale for month 1 and the to_ssw1 flow the two."""
    m = tiny_world("free_mobility", firms=3, people=3)
    for row in range(3):
        set_firm(m, row, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0)
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    settle(m)
    m.move_workers(np.array([0]), np.array([1]), voluntary=True)
    m.month = 1
    m.count_flow("to_ssw1", np.array([0, 1]))
    m.change_status(np.array([0, 1]), Status.SSW_1)
    assert m.people.ssw1_month[:3].tolist() == [1, 1, 0]
    m.move_workers(np.array([0]), np.array([2]), voluntary=True)
    m.move_workers(np.array([0]), np.array([1]), voluntary=False)
    assert m.ssw1_changed_by_entry[1] == 1.0 and m.ssw1_changed_by_entry.sum() == 1.0
    m._collect()
    table = m.results()
    assert table.loc[table["month"] == 1, "ssw1_entrants_changed"].item() == pytest.approx(100.0)
    assert m.flows["employer_changes_ssw"] == 2 and m.flows["inter_prefecture_moves_ssw"] == 0


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
        m.month = month
        m.flows.clear()
        m.firms.barred_until[0] = 12 if (month == 4 and barred_in_month_4) else -1
        arrivals.arrive(m)
        arrived.append(int(m.flows["arrivals_trainee"]))
        assert m.flows.get("recruitment_cost_yen", 0) == 400_000 * arrived[-1]
    assert arrived == expected


# =============================================================================================
# Reach beyond the network: the national pool of the field's vacancies (ODD 7.12)
# =============================================================================================
def test_national_pool_draws_a_listed_vacancy_in_proportion_to_vacancies():
    """The pool lists, by field, each firm with at least one whole vacancy (not barred), weighted
    by its whole vacancies; an offer's draw u < share picks the listed vacancy u / share along
    them, a draw u >= share the body member (u - share) / (1 - share) along the members."""
    from sim.processes.matching import national_listings, offered_firm

    field = np.array([0, 1, 0, 0, 1])
    vacancies = np.array([2.5, 0.9, 1.0, -3.0, 4.0])  # whole vacancies 2, 0, 1, 0, 4
    pool = national_listings(field, vacancies, 3, 0.5)
    assert pool.field_ptr.tolist() == [0, 2, 3, 3]
    assert pool.firm.tolist() == [0, 2, 4] and pool.cum_vacancies.tolist() == [2.0, 3.0, 4.0]
    members = np.array([7, 8, 9, 6])
    pick = lambda u, f: offered_firm(u, f, 1, 3, members, pool.field_ptr, pool.firm, pool.cum_vacancies, 0.5)  # noqa: E731
    # field 0: u / 0.5 x 3 vacancies; the first two are firm 0's, the third firm 2's
    assert [pick(u, 0) for u in (0.0, 0.3, 0.34, 0.49)] == [0, 0, 2, 2]
    assert pick(0.2, 1) == 4 and pick(0.2, 2) == -1  # field 2 lists nothing
    # the rest are the body's members 8, 9, 6 (from position 1), each a third of [0.5, 1)
    assert [pick(u, 0) for u in (0.5, 0.66, 0.67, 0.99)] == [8, 8, 9, 6]
    # with no national share the member is the one drawn before the pool existed: int(u x n)
    for u in (0.0, 0.2, 0.5, 0.999):
        assert offered_firm(u, 0, 1, 3, members, pool.field_ptr, pool.firm, pool.cum_vacancies, 0.0) == members[1 + int(u * 3)]


@pytest.mark.parametrize("share, tokyo_demand, chosen", [(0.0, 10.0, 1), (1.0, 10.0, 2), (1.0, 0.0, 1)])
def test_national_offers_reach_a_firm_outside_the_network(share, tokyo_demand, chosen):
    """Person 0 at firm 0 (Aomori) reaches firm 1 (Aomori, markup 1.1) through their body and
    nothing else; firm 2 (Tokyo, markup 1.3) is outside their network. With every offer drawn
    from the national pool they move to Tokyo; with none, to firm 1; with Tokyo full, firm 1 is
    the only listed vacancy of the field."""
    m = tiny_world("free_mobility", firms=3, people=1, settings={"behaviour.transfer.national_offer_share": share})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.1, demand=10.0)
    set_firm(m, 2, pref=TOKYO, field=CONSTRUCTION, markup=1.3, demand=tokyo_demand)
    place(m, 0, 0, Status.ESD)
    m.people.contacts[0] = -1
    m.firm_nbr_ptr = np.zeros(4, dtype=np.int64)  # no firm ties
    m.firm_nbr = np.zeros(0, dtype=np.int32)
    m.bodies.members = np.array([0, 1], dtype=m.bodies.members.dtype)  # the body's members: the two Aomori firms
    m.bodies.member_ptr = np.array([0, 2], dtype=m.bodies.member_ptr.dtype)
    m.firms.supervisory_body[:] = 0
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen
