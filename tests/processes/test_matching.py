"""ODD 7.12 Job search and hiring (``sim/processes/matching.py``) and the bookkeeping of a move
(``model.move_workers``): who counts towards the ESD caps at the new employer."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import AOMORI, CONSTRUCTION, OSAKA, TOKYO, place, set_firm, settle, tiny_world, transfers
from sim.domain import TEST_BITS, Status

ESD_READY = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]


def metro_firm_with_esd_workers(mover_pref: int, esd_workers_there: int = 5, earlier_mover_pref: int | None = None):
    """Firm 1 in Tokyo with ``esd_workers_there`` ESD workers; the mover (person 0) at firm 0 in
    ``mover_pref``; optionally an earlier mover (person 1, at firm 2 in ``earlier_mover_pref``) who
    transfers to firm 1 first, through the model's own move (the per-agent act)."""
    earlier = earlier_mover_pref is not None
    m = tiny_world("esd", firms=3, people=1 + int(earlier) + esd_workers_there)
    set_firm(m, 0, pref=mover_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=TOKYO, field=CONSTRUCTION, markup=1.3, demand=20)
    set_firm(m, 2, pref=earlier_mover_pref if earlier else AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=ESD_READY)
    first_worker = 1
    if earlier:
        place(m, 1, 2, Status.ESD, months_with_employer=30, tests=ESD_READY)
        first_worker = 2
    for pid in range(first_worker, first_worker + esd_workers_there):
        place(m, pid, 1, Status.ESD)
    settle(m)
    if earlier:
        assert m.trainee(1).seek_transfer(np.random.default_rng(0)) is True
        assert m.people.firm[1] == 1
    return m


@pytest.mark.parametrize("mover_pref, from_outside", [(OSAKA, False), (TOKYO, False), (AOMORI, True)])
def test_only_a_mover_from_outside_the_designated_area_counts_towards_the_sixth(mover_pref, from_outside):
    """A voluntary mover into a designated-area (metro) firm counts as "from outside the
    designated area" (the 1/6 cap) only if the last employer was outside it: Osaka -> Tokyo and
    Tokyo -> Tokyo do not, Aomori -> Tokyo does; every voluntary mover counts under the 1/3."""
    m = metro_firm_with_esd_workers(mover_pref)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True
    p, f = m.people, m.firms
    assert p.firm[0] == 1 and p.transferee[0]
    assert bool(p.transferee_from_local[0]) is from_outside
    assert f.esd_transferees[1] == 1 and f.esd_transferees_from_local[1] == int(from_outside)
    log = transfers(m)
    assert log[["pid", "voluntary", "from_firm", "to_firm", "from_pref", "to_pref"]].values.tolist() == [
        [int(p.pid[0]), True, 0, 1, mover_pref, TOKYO]]


@pytest.mark.parametrize("earlier_mover_pref, accepted", [(OSAKA, True), (AOMORI, False)])
def test_an_earlier_metro_mover_leaves_room_under_the_sixth(earlier_mover_pref, accepted):
    """A Tokyo firm with 5 ESD workers takes one earlier voluntary mover (6 ESD workers, 1
    transferee): a mover from Aomori then fits under the 1/6 only if the earlier one came from
    a metro prefecture ((0 + 1) <= 1/6 x 7; (1 + 1) > 1/6 x 7); the 1/3 holds either way
    ((1 + 1) <= 1/3 x 7)."""
    m = metro_firm_with_esd_workers(AOMORI, earlier_mover_pref=earlier_mover_pref)
    assert m.firms.esd_headcount[1] == 6 and m.firms.esd_transferees[1] == 1
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is accepted
    assert bool(m.people.firm[0] == 1) is accepted
    assert transfers(m).to_firm.tolist() == [1] + [1] * accepted
