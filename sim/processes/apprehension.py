"""ODD 7.17 Apprehension and self-departure of irregular workers.

Phase 14. Each irregular worker is apprehended and removed with probability
``irregular_apprehension_monthly``, or else leaves Japan on their own with probability
``irregular_self_departure_monthly`` (one uniform draw makes the two exclusive).

Parameters: ``behaviour.departure`` (``DepartureConfig``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.domain import Status

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of apprehensions.
STREAM = "apprehension"


def face_apprehension(model: LabourMarket) -> None:
    """Phase 14: irregular workers are apprehended and removed, or leave on their own."""
    p, d = model.people, model.behaviour.departure
    rows = np.flatnonzero(p.status[: p.n] == Status.IRREGULAR)
    if len(rows) == 0:
        return
    u = model.rng_for(STREAM).random(len(rows))
    caught = rows[u < d.irregular_apprehension_monthly]
    leaving = rows[(u >= d.irregular_apprehension_monthly) & (u < d.irregular_apprehension_monthly + d.irregular_self_departure_monthly)]
    model.ledger.count_flow("apprehensions", caught)
    model.ledger.count_flow("returns_home", leaving)
    model.ledger.count_flow("returns_irregular", leaving)
    model.ledger.leave_japan(caught, Status.REMOVED)
    model.ledger.leave_japan(leaving, Status.RETURNED)
