"""ODD 7.8 Audits, inspections, dispositions: improvement, cancelled plans, revoked licences.

Phase 7, in three steps (docs/ODD.md 7.8 has the formulas):

1. *Audits by the supervisory body* (every firm, each month with ``audit_monthly``). An audit
   finds the pending violations with the body's thoroughness; a found violation is acted upon
   with the body's independence (guidance: the firm's compliance improves, ``sanction``) or
   hushed up (``violations_suppressed``; the body's own misconduct, counted towards its next
   inspection). Audits never cancel a plan: dispositions are the authorities'.
2. *OTIT inspections of firms*, on a fixed cycle (``inspection_cycle_months``: about every
   3 years [P, OTIT]) once the TITP Act's machinery exists (``policy.inspections_open``). Only
   firms with trainees are inspected. The inspection reviews the records since the last one:
   with k violation-months since then it finds them with ``1 - (1 - inspection_detection)^k``
   (a finding: a written improvement recommendation, 改善勧告; the firm's compliance improves).
   The rare escalation to a disposition: a finding cancels the plan with
   ``cancellation_share_first_finding``, or with ``cancellation_share_repeat_finding`` when the
   firm's previous inspection found violations too (a recommendation not heeded). A cancelled
   plan bars the firm from intake and movers until ``policy.barred_until(month)`` (5 years) and
   releases its trainees (an unavoidable transfer, searched at once).
3. *OTIT inspections of supervisory bodies*, yearly (``body_inspection_cycle_months``): with k
   violations hushed up since the last one, findings with ``1 - (1 - body_inspection_detection)^k``;
   a finding at two inspections running revokes the licence with ``revocation_share_repeat_finding``.
   A revoked body may not supervise until ``policy.licence_barred_until(month)`` (5 years); its
   member firms must find another body (``reassign_members``: a licensed body of their
   prefecture, weighted by its members, else anywhere), and it loses the general licence.

Parameters: ``policy.supervision`` (rates, cycles, shares, bars), ``behaviour.violations.compliance_gain_after_sanction``;
each body's ``independence`` and ``thoroughness`` are drawn at the start (ODD 5.2, ``body_traits``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.processes import matching
from sim.processes.codes import IS_TRAINEE

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the bodies' audits.
STREAM = "audits"
#: Random stream of OTIT's inspections of firms and bodies, and of the bodies firms move to.
INSPECTION_STREAM = "inspections"


def audit_members(model: LabourMarket) -> None:
    """Phase 7: the bodies' audits, then OTIT's inspections of firms and of bodies, then the dispositions."""
    f, b = model.firms, model.bodies
    sup = model.scenario.policy.supervision
    u = model.rng_for(STREAM).random((3, f.n))
    pending = f.violations_pending > 0
    audited = u[0] < sup.audit_monthly
    found = audited & pending & (u[1] < b.thoroughness[f.supervisory_body])
    reported = found & (u[2] < b.independence[f.supervisory_body])
    suppressed = found & ~reported
    model.ledger.count_firm_flow("violations_suppressed", np.flatnonzero(suppressed), f.violations_pending[suppressed])
    b.suppressed_since_inspection += np.bincount(f.supervisory_body[suppressed], weights=f.violations_pending[suppressed],
                                                 minlength=b.n).astype(np.int32)
    model.ledger.count_firm_flow("violations_detected", np.flatnonzero(reported), f.violations_pending[reported])
    f.violations_pending[audited] = 0
    sanction(model, np.flatnonzero(reported), np.zeros(int(reported.sum()), dtype=bool))
    if not model.policy.inspections_open(*model.calendar()):
        return
    rng = model.rng_for(INSPECTION_STREAM)
    cancelled = inspect_firms(model, rng)
    revoked = inspect_bodies(model, rng)
    revoke_licences(model, revoked, rng)
    matching.release(model, cancelled, trainees_only=True)


def inspect_firms(model: LabourMarket, rng: np.random.Generator) -> np.ndarray:
    """OTIT's inspections of the firms due this month; returns the rows of firms whose plan is cancelled."""
    f, p, sup = model.firms, model.people, model.scenario.policy.supervision
    due = np.flatnonzero(f.next_inspection <= model.month)
    u = rng.random((2, len(due)))
    f.next_inspection[due] = model.month + sup.inspection_cycle_months
    n = p.n
    trainees = np.bincount(p.firm[:n][IS_TRAINEE[p.status[:n]] & (p.firm[:n] >= 0)], minlength=f.n)
    inspected = due[trainees[due] > 0]
    u = u[:, trainees[due] > 0]
    k = f.violations_since_inspection[inspected]
    finding = u[0] < 1.0 - (1.0 - sup.inspection_detection) ** k
    share = np.where(f.warned[inspected], sup.cancellation_share_repeat_finding, sup.cancellation_share_first_finding)
    cancel = finding & (u[1] < share)
    found = inspected[finding]
    model.ledger.count_firm_flow("firm_inspections", inspected)
    model.ledger.count_firm_flow("inspection_findings", found)
    model.ledger.count_firm_flow("plans_cancelled_expected", found, share[finding])
    # Detected: the violation-months no audit has cleared (those on OTIT's record that a body
    # already reported were counted then; counting the whole record would count them twice).
    model.ledger.count_firm_flow("violations_detected", found, f.violations_pending[found])
    f.warned[inspected] = finding
    f.violations_since_inspection[inspected] = 0
    f.violations_pending[inspected] = 0
    sanction(model, found, cancel[finding])
    return inspected[cancel]


def inspect_bodies(model: LabourMarket, rng: np.random.Generator) -> np.ndarray:
    """OTIT's inspections of the licensed bodies due this month; returns the bodies whose licence is revoked."""
    b, sup = model.bodies, model.scenario.policy.supervision
    due = np.flatnonzero((b.next_inspection <= model.month) & (b.barred_until <= model.month))
    u = rng.random((2, len(due)))
    b.next_inspection[due] = model.month + sup.body_inspection_cycle_months
    k = b.suppressed_since_inspection[due]
    finding = u[0] < 1.0 - (1.0 - sup.body_inspection_detection) ** k
    revoke = finding & b.warned[due] & (u[1] < sup.revocation_share_repeat_finding)
    model.ledger.add_to_flow("body_inspections", len(due))
    model.ledger.add_to_flow("body_inspection_findings", int(finding.sum()))
    model.ledger.add_to_flow("so_licences_revoked_expected", float(sup.revocation_share_repeat_finding * (finding & b.warned[due]).sum()))
    b.warned[due] = finding
    b.suppressed_since_inspection[due] = 0
    return due[revoke]


def revoke_licences(model: LabourMarket, bodies: np.ndarray, rng: np.random.Generator) -> None:
    """Revoke these bodies' licences: barred from supervising, their member firms move to other bodies."""
    if len(bodies) == 0:
        return
    b, f = model.bodies, model.firms
    b.barred_until[bodies] = model.policy.licence_barred_until(model.month)
    b.warned[bodies] = False
    b.general_licence[bodies] = False
    orphans = np.flatnonzero(np.isin(f.supervisory_body, bodies))
    model.ledger.add_to_flow("so_licences_revoked", len(bodies))
    model.ledger.count_firm_flow("firms_lost_supervisor", orphans)
    reassign_members(model, orphans, rng)


def reassign_members(model: LabourMarket, firm_rows: np.ndarray, rng: np.random.Generator) -> None:
    """These firms join another licensed body: one of their prefecture (weighted by its members + 1), else any."""
    b, f = model.bodies, model.firms
    licensed = b.barred_until <= model.month
    if len(firm_rows) == 0 or not licensed.any():
        return
    weight = (np.bincount(f.supervisory_body, minlength=b.n) + 1.0) * licensed
    for row in firm_rows:
        local = weight * (b.pref == f.pref[row])
        w = local if local.sum() > 0 else weight
        f.supervisory_body[row] = rng.choice(b.n, p=w / w.sum())
    b.rebuild_members(f.supervisory_body)


def sanction(model: LabourMarket, firm_rows: np.ndarray, revoke_plan: np.ndarray) -> None:
    """Act on found violations at these firms: guidance or an improvement recommendation, or (``revoke_plan``) a cancelled plan.

    Either way compliance improves; a cancelled plan also bars the firm from taking newcomers
    and movers. Releasing the trainees of a cancelled plan is the caller's (``audit_members``
    releases those of every cancelled plan of the month in one batch).
    """
    f = model.firms
    gain = model.behaviour.violations.compliance_gain_after_sanction
    f.compliance[firm_rows] += (1.0 - f.compliance[firm_rows]) * gain
    cancelled = firm_rows[np.asarray(revoke_plan, dtype=bool)]
    f.barred_until[cancelled] = model.policy.barred_until(model.month)
    model.ledger.count_firm_flow("firms_sanctioned", firm_rows)
    model.ledger.count_firm_flow("plans_cancelled", cancelled)


def schedule_inspections(model: LabourMarket, rng: np.random.Generator) -> None:
    """At the start: each firm's and body's first inspection month, and the record of the last one.

    The cycle's phase is uniform. Where inspections already exist at the start, each firm's
    previous inspection is taken to have happened a cycle before its next one: the violation-months
    since then are drawn from its monthly violation chance, and whether that inspection found
    violations (``warned``) from a full cycle's record, so that repeat findings start in steady
    state. Where the machinery starts later (``inspections_from``), the first cycle starts then
    and nobody has a record.
    """
    f, b, sup = model.firms, model.bodies, model.scenario.policy.supervision
    v = model.behaviour.violations
    start = model.policy.inspections_start_month(model.month_one)
    u = rng.random((2, f.n))
    cycle = sup.inspection_cycle_months
    f.next_inspection[:] = start + np.floor(u[0] * cycle).astype(np.int32)
    b.next_inspection[:] = start + np.floor(rng.random(b.n) * sup.body_inspection_cycle_months).astype(np.int32)
    if start > 1:
        return
    p_violate = v.monthly_probability_at_zero_compliance * (1.0 - f.compliance)
    since = cycle - (f.next_inspection - 1)
    f.violations_since_inspection[:] = rng.binomial(np.maximum(since, 0), p_violate)
    previous = rng.binomial(cycle, p_violate)
    f.warned[:] = u[1] < 1.0 - (1.0 - sup.inspection_detection) ** previous
