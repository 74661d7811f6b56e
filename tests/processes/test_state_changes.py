"""ODD 7.13 State changes (the model's bookkeeping: ``move_workers``, ``disappear``,
``leave_japan``, the firms' counts): conservation of people, the reimbursement of a move, the
SSW i entry cohorts, the firms' counts."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    AOMORI,
    CONSTRUCTION,
    NO_CAPS,
    at_month,
    place,
    set_firm,
    settle,
    tiny_world,
)
from sim.domain import Status
from sim.outputs import collect
from sim.processes import decisions

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
    decisions.abscond(m, np.array([1]))
    after = collect(m)
    assert m.flows["disappearances"] == 1 and m.flows["disappearances_trainee"] == 1
    assert after["stock_total"] == before["stock_total"] == 3 / s
    assert after["stock_irregular"] == 1 / s and after["stock_titp"] == 2 / s
    assert m.people.status[1] == Status.IRREGULAR and m.people.firm[1] == -1 and m.people.last_firm[1] == 0
    assert m.firms.headcount.tolist() == [2, 0] and m.firms.quits_this_month[0] == 1
    m.ledger.leave_japan(np.array([1]), Status.REMOVED)
    gone = collect(m)
    assert gone["stock_total"] == 2 / s and gone["removed_total"] == 1 / s and gone["stock_irregular"] == 0
    for row in (before, after, gone):
        assert row["entered_total"] == row["stock_total"] + row["returned_total"] + row["removed_total"]
    with pytest.raises(KeyError):
        m.trainee(1)  # no agent object for someone who has left Japan


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
    m.ledger.move_workers(np.array([0]), np.array([1]), voluntary=True)
    at_month(m, 2027, 4)
    m.ledger.count_flow("to_ssw1", np.array([0, 1]))
    m.ledger.change_status(np.array([0, 1]), Status.SSW_1)
    assert m.people.ssw1_month[:3].tolist() == [1, 1, 0]
    m.ledger.move_workers(np.array([0]), np.array([2]), voluntary=True)
    m.ledger.move_workers(np.array([0]), np.array([1]), voluntary=False)
    assert m.ssw1_changed_by_entry[1] == 1.0 and m.ssw1_changed_by_entry.sum() == 1.0
    m._collect()
    table = m.results()
    assert table.loc[table["month"] == 1, "ssw1_entrants_changed"].item() == pytest.approx(100.0)
    assert m.flows["employer_changes_ssw"] == 2 and m.flows["inter_prefecture_moves_ssw"] == 0


# =============================================================================================
# Nursing care's own route: the Certified Care Worker exam, then the status 介護
# =============================================================================================


def test_firm_counts_refuse_a_row_without_an_employer():
    """``count_in`` counts employed people only: a row with no employer (firm -1) is an error,
    not a silent count at the last firm."""
    m = tiny_world("esd", firms=2, people=2)
    place(m, 0, 0, Status.ESD)
    place(m, 1, -1, Status.ESD)
    settle(m)
    before = m.firms.headcount.copy()
    with pytest.raises(ValueError, match="without an employer"):
        m.ledger.count_in(np.array([1]), +1)
    m.ledger.count_in(np.array([0]), +1)
    assert m.firms.headcount.tolist() == [before[0] + 1, before[1]]
