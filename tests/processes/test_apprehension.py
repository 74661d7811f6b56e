"""ODD 7.17 Apprehension and self-departure of irregular workers (``sim/processes/apprehension.py``):
each irregular worker is apprehended and removed with ``irregular_apprehension_monthly``, or
else leaves on their own with ``irregular_self_departure_monthly``, on one uniform draw."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import AOMORI, CONSTRUCTION, place, set_firm, settle, tiny_world
from sim.domain import Status
from sim.processes import apprehension, decisions

IRREGULAR, LEGAL = 12, 2


def irregular_world(apprehended: float, self_departing: float):
    """``IRREGULAR`` trainees who absconded (``model.disappear``) and ``LEGAL`` still at work."""
    m = tiny_world("titp", firms=1, people=IRREGULAR + LEGAL, settings={
        "behaviour.departure.irregular_apprehension_monthly": apprehended,
        "behaviour.departure.irregular_self_departure_monthly": self_departing,
    })
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION)
    for pid in range(IRREGULAR + LEGAL):
        place(m, pid, 0, Status.TITP_2)
    settle(m)
    decisions.abscond(m, np.arange(IRREGULAR))
    m.flows.clear()
    return m


def test_one_draw_decides_apprehension_then_self_departure():
    """With hazards 0.3 and 0.3, the person whose draw ``u`` (the month's apprehension stream, in
    row order) is below 0.3 is removed, one with 0.3 <= u < 0.6 goes home, the rest stay irregular;
    legal residents are never touched."""
    m = irregular_world(0.3, 0.3)
    u = m.rng_for(apprehension.STREAM).random(IRREGULAR)
    caught, leaving = u < 0.3, (u >= 0.3) & (u < 0.6)
    assert caught.any() and leaving.any() and (~caught & ~leaving).any()  # the draws try all three outcomes
    apprehension.face_apprehension(m)
    p = m.people
    expected = np.where(caught, Status.REMOVED, np.where(leaving, Status.RETURNED, Status.IRREGULAR))
    assert p.status[:IRREGULAR].tolist() == expected.tolist()
    assert p.status[IRREGULAR:p.n].tolist() == [Status.TITP_2] * LEGAL and p.firm[IRREGULAR:p.n].tolist() == [0] * LEGAL
    assert m.flows["apprehensions"] == caught.sum()
    assert m.flows["returns_home"] == m.flows["returns_irregular"] == leaving.sum()
    gone = caught | leaving
    assert (p.left_month[:IRREGULAR][gone] == m.month).all() and (p.wage_yen[:IRREGULAR][gone] == 0).all()


@pytest.mark.parametrize("apprehended, self_departing, removed, returned", [
    (0.0, 0.0, 0, 0),
    (1.0, 0.0, IRREGULAR, 0),
    (0.0, 1.0, 0, IRREGULAR),
    (1.0, 1.0, IRREGULAR, 0),  # apprehension comes first on the one draw
])
def test_hazards_at_their_bounds(apprehended, self_departing, removed, returned):
    m = irregular_world(apprehended, self_departing)
    apprehension.face_apprehension(m)
    status = m.people.status[:IRREGULAR]
    assert (status == Status.REMOVED).sum() == removed and (status == Status.RETURNED).sum() == returned
    assert (status == Status.IRREGULAR).sum() == IRREGULAR - removed - returned
    assert m.flows["apprehensions"] == removed and m.flows["returns_irregular"] == returned
    assert (m.people.status[IRREGULAR:m.people.n] == Status.TITP_2).all()
