"""ODD 7.8 Audits, inspections and sanctions (``sim/processes/audits.py``): supervisory bodies'
audits and their independence, OTIT inspections, escalation to plan cancellation, bars on
newcomers, licence revocation."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AOMORI,
    CONSTRUCTION,
    at_month,
    place,
    placed,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.domain import Status
from sim.processes import audits, ladder

# =============================================================================================
# Violations, audits, sanctions
# =============================================================================================


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
    f, cycle = m.firms, m.scenario.policy.supervision.inspection_cycle_months
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
    scenario = placed(sim.shipped_scenario("titp")).with_changes({
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
    at_month(m, 2027, 4)
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
    s = pol.config.supervision
    base = np.array([0.5, 0.5, 0.5, 0.5])
    tied = np.array([False, True, False, True])
    auditor = np.array([False, False, True, True])
    got = pol.body_independence(base, tied, auditor)
    f, c = s.tied_officers_independence_factor, s.external_auditor_catch
    assert got == pytest.approx([0.5, 0.5 * f, 1 - 0.5 * (1 - c), 1 - (1 - 0.5 * f) * (1 - c)], rel=1e-12)
    esd = sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1)
    assert not esd.bodies.tied_officers.any() and esd.bodies.external_auditor.all()
    assert esd.policy.body_independence(np.array([0.5]), np.array([False]), np.array([True]))[0] == pytest.approx(0.6)
