"""ODD 7.20 Permanence (``sim/processes/permanence.py``): a settled resident is out of the
programme's counts and rules."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    AGRICULTURE,
    AOMORI,
    CONSTRUCTION,
    NO_CAPS,
    TRANSFER_TESTS,
    employed_counts,
    place,
    set_firm,
    settle,
    tiny_world,
)
from sim.domain import Residence, Status

# =============================================================================================
# The ESD fee cap and the caps on residents, in arrivals
# =============================================================================================


def test_settling_takes_an_esd_worker_out_of_the_firms_esd_counts():
    """An ESD trainee who settles stays with the employer (headcount) but leaves its ESD count and
    its count of voluntary transferees (the base and numerator of the 1/3 cap), as a recount says."""
    m = tiny_world("esd", firms=1, people=3)
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    m.people.transferee[0] = True
    settle(m)
    assert (m.firms.headcount[0], m.firms.esd_headcount[0], m.firms.esd_transferees[0]) == (3, 3, 1)
    m.ledger.change_residence(np.array([0]), Residence.SPOUSE_OF_JAPANESE)
    assert (m.firms.headcount[0], m.firms.esd_headcount[0], m.firms.esd_transferees[0]) == (3, 2, 0)
    m.ledger.change_residence(np.array([0]), Residence.PERMANENT)  # spouse status to permanent residence: no double count
    counts = (m.firms.headcount.copy(), m.firms.esd_headcount.copy(), m.firms.esd_transferees.copy())
    m.ledger.recount_firms()
    assert all((a == b).all() for a, b in zip(counts, employed_counts(m))) and counts[1][0] == 2


@pytest.mark.parametrize("residence, moves", [(Residence.WORK, False), (Residence.SPOUSE_OF_JAPANESE, True), (Residence.PERMANENT, True)])
def test_a_settled_resident_is_free_of_the_programmes_transfer_rules(residence, moves):
    """An ESD trainee 3 months with the employer may not change employer at will (waiting period),
    and only within the field; once settled they may, to a better-paying firm in another field."""
    m = tiny_world("esd", firms=2, people=1, settings=NO_CAPS)
    set_firm(m, 0, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.5, demand=10)
    place(m, 0, 0, Status.ESD, months_in_japan=3, months_with_employer=3, tests=TRANSFER_TESTS)
    m.people.residence[0] = residence
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is moves
    assert m.people.firm[0] == (1 if moves else 0)
    assert m.flows["reimbursement_yen"] == 0.0
