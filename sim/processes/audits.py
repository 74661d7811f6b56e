"""ODD 7.8 Audits, inspections, sanctions and cancelled plans.

Phase 7, all firms at once. A supervisory body audits each member firm with probability
``audit_monthly``; an audit finds the pending violations with the body's thoroughness; a found
violation is reported with the body's independence, else hushed up. The authority (OTIT)
inspects each firm with ``inspection_monthly`` and finds pending violations with
``inspection_detection``. A reported or inspected-and-found firm is sanctioned (``sanction``):
its compliance improves by ``compliance_gain_after_sanction`` of the way to 1, and with
``plan_revocation_share`` its plan is cancelled: it is barred from intake and movers until
``policy.barred_until(month)`` and its trainees are released (an unavoidable transfer, searched
at once). Any audit or inspection clears the pending violations.

Parameters: ``policy.supervision`` (rates, the bar), ``behaviour.violations.compliance_gain_after_sanction``;
each body's ``independence`` and ``thoroughness`` are drawn at the start (ODD 5.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of audits, inspections and which sanctions cancel a plan.
STREAM = "audits"


def audit_members(model: LabourMarket) -> None:
    """Phase 7: audits and inspections of every firm; sanctions; the trainees of cancelled plans released."""
    f, b = model.firms, model.bodies
    sup = model.policy.supervision
    u = model.rng_for(STREAM).random((6, f.n))
    pending = f.violations_pending > 0
    audited = u[0] < sup.audit_monthly
    found = audited & pending & (u[1] < b.thoroughness[f.supervisory_body])
    reported = found & (u[2] < b.independence[f.supervisory_body])
    inspected = u[3] < sup.inspection_monthly
    found_by_authority = inspected & pending & (u[4] < sup.inspection_detection)
    sanctioned = reported | found_by_authority
    revoked = sanctioned & (u[5] < sup.plan_revocation_share)
    suppressed = found & ~sanctioned
    model.count_firm_flow("violations_detected", np.flatnonzero(sanctioned), f.violations_pending[sanctioned])
    model.count_firm_flow("violations_suppressed", np.flatnonzero(suppressed), f.violations_pending[suppressed])
    f.violations_pending[audited | inspected] = 0
    rows = np.flatnonzero(sanctioned)
    sanction(model, rows, revoked[rows])
    model.release_from(np.flatnonzero(revoked), trainees_only=True)


def sanction(model: LabourMarket, firm_rows: np.ndarray, revoke_plan: np.ndarray) -> None:
    """Act on found violations at these firms: an improvement order, or (``revoke_plan``) a cancelled plan.

    Either way compliance improves; a cancelled plan also bars the firm from taking newcomers
    and movers. Releasing the trainees of a cancelled plan is the caller's (``audit_members``
    releases those of every cancelled plan of the month in one batch).
    """
    f = model.firms
    gain = model.behaviour.violations.compliance_gain_after_sanction
    f.compliance[firm_rows] += (1.0 - f.compliance[firm_rows]) * gain
    cancelled = firm_rows[np.asarray(revoke_plan, dtype=bool)]
    f.barred_until[cancelled] = model.policy.barred_until(model.month)
    model.count_firm_flow("firms_sanctioned", firm_rows)
    model.count_firm_flow("plans_cancelled", cancelled)
