"""ODD 7.3 Violations: each firm with foreign workers violates the rules this month, or not.

Phase 2. A firm violates with probability ``monthly_probability_at_zero_compliance x
(1 - compliance)``; a share ``share_underpayment`` of violations include underpayment (wage
theft, applied to pay in phase 3). Violation-months accumulate in ``violations_pending`` until
an audit or inspection (phase 7, ``sim.processes.audits``) clears them.

Parameters: ``behaviour.violations`` (``ViolationConfig``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of violations.
STREAM = "violations"


def commit_violations(model: LabourMarket) -> None:
    """Phase 2: which firms violate this month, and which of them underpay."""
    f, v = model.firms, model.behaviour.violations
    rng = model.rng_for(STREAM)
    p_violate = v.monthly_probability_at_zero_compliance * (1.0 - f.compliance)
    u = rng.random((2, f.n))
    f.violating[:] = (u[0] < p_violate) & (f.headcount > 0)
    f.underpaying[:] = f.violating & (u[1] < v.share_underpayment)
    f.violations_pending += f.violating
    f.violations_since_inspection += f.violating
    model.ledger.count_firm_flow("violations", np.flatnonzero(f.violating))
