"""ODD 7.9 Information (``sim/processes/information.py``): what contacts tell about wages and
irregular work, and how a month spreads it."""

from __future__ import annotations

import pytest

from helpers import (
    AOMORI,
    CONSTRUCTION,
    place,
    set_firm,
    settle,
    tiny_world,
)
from sim.domain import Status
from sim.processes import information

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
