"""ODD 7.18 The policy (``sim/policy.py``): who may transfer when, the ESD waiting periods by
(real) field, the transition's dates, the rules by field; the per-agent act asks the policy."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from helpers import (
    AGRICULTURE,
    AOMORI,
    BUILDING_CLEANING,
    CONSTRUCTION,
    FOOD_SERVICE,
    GRADE3_A2,
    NURSING,
    OTHER,
    TRANSFER_TESTS,
    place,
    set_firm,
    settle,
    small,
    tiny_world,
)
from sim.dates import YearMonth
from sim.domain import FIELDS, OTHER_FIELDS, REAL_FIELDS, TEST_BITS, Status
from sim.processes import ladder

# =============================================================================================
# Policy questions
# =============================================================================================


@pytest.mark.parametrize(
    "base, status, months_with_employer, tests, allowed",
    [
        ("titp", Status.TITP_2, 30, 0, False),  # TITP: trainees never move at will
        ("titp", Status.SSW_1, 0, 0, True),  # SSW holders may
        ("restricted", Status.TITP_1, 5, 0, False),
        ("free_mobility", Status.ESD, 0, 0, True),  # free: from the first month
        ("esd", Status.ESD, 23, 3, False),  # construction: 24 months' wait
        ("esd", Status.ESD, 24, 3, True),
        ("esd", Status.ESD, 24, TEST_BITS["basic_skill"], False),  # A1 Japanese missing
    ],
)
def test_policy_says_who_may_leave_employer(base, status, months_with_employer, tests, allowed):
    """``Trainee.may_leave_employer``: TITP trainees never; SSW holders yes; free mobility from the
    start; ESD workers in construction after 24 months with the basic-skill and A1 tests."""
    m = tiny_world(base, firms=2, people=1)
    set_firm(m, 0, field=CONSTRUCTION)
    place(m, 0, 0, status, months_with_employer=months_with_employer, tests=tests)
    settle(m)
    assert m.trainee(0).may_leave_employer is allowed


def test_esd_waiting_period_by_field_is_shorter_in_agriculture():
    """Under ESD the waiting period is 12 months in agriculture and 24 in construction."""
    m = tiny_world("esd", firms=2, people=1)
    waits = m.policy.waiting_months_by_field
    assert (waits[AGRICULTURE], waits[CONSTRUCTION]) == (12, 24)


# =============================================================================================
# The status ladder
# =============================================================================================


def test_transition_entrants_by_date_and_titp_stock_keeps_titp_rules():
    """esd_transition: entrants before April 2027 would enter TITP i, from then ESD; the stock
    starts under TITP; a TITP trainee cannot change employer at will (TITP's rule) while an ESD
    worker past the waiting period with the tests can; stage iii is open to TITP ii trainees
    who arrived at least 24 months before the switch (12 months in stage ii on 2027-04-01)."""
    m = tiny_world("esd_transition", firms=2, people=2)
    pol = m.policy
    assert pol.entry_status_at(2027, 3) == Status.TITP_1 and pol.entry_status_at(2027, 4) == Status.ESD
    assert pol.stock_under_titp and pol.titp_max_months == 60 and pol.config.stay.max_trainee_months == 36
    assert pol.stage_iii_open(2028, 1) and pol.stage_iii_latest_arrival(YearMonth(2027, 4)) == -24
    tests = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
    allowed = pol.may_leave_employer(np.array([Status.TITP_2, Status.ESD]), np.array([30, 30]),
                                   np.array([AGRICULTURE, AGRICULTURE]), np.array([tests, tests]), np.zeros(2, dtype=np.int8))
    assert allowed.tolist() == [False, True]
    m2 = tiny_world("esd_transition", firms=2, people=2, settings={"behaviour.departure.share_choosing_stage_iii": 1.0})
    set_firm(m2, 0, compliance=0.95, demand=5)
    for pid, arrived in ((0, -24), (1, -23)):
        place(m2, pid, 0, Status.TITP_2, months_in_japan=36, tests=GRADE3_A2)
        m2.people.arrival_month[pid] = arrived
        m2.people.wants_long_stay[pid] = True
    settle(m2)
    ladder.move_up_or_leave(m2)
    assert [Status(x) for x in m2.people.status[:2]] == [Status.TITP_3, Status.SSW_1]


# =============================================================================================
# The per-agent act asks the policy (ODD 7.18)
# =============================================================================================


def test_seek_transfer_refuses_what_the_policy_forbids():
    """Under TITP a trainee may not change employer at their own wish: ``seek_transfer`` returns
    False and moves no one although a better-paid firm has a vacancy; an SSW i holder, who may
    move within the field, moves."""
    m = tiny_world("titp", firms=2, people=2)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.3, demand=10)
    place(m, 0, 0, Status.TITP_2)
    place(m, 1, 0, Status.SSW_1)
    settle(m)
    assert not m.trainee(0).may_leave_employer and m.trainee(1).may_leave_employer
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is False
    assert m.people.firm[0] == 0 and m.flows["transfers_voluntary"] == 0
    assert m.trainee(1).seek_transfer(np.random.default_rng(0)) is True
    assert m.people.firm[1] == 1 and m.flows["transfers_voluntary"] == 1 == m.flows["transfers_voluntary_ssw"]


# =============================================================================================
# Waiting periods by real field, the firm's one-year choice, the pay rise
# =============================================================================================


@pytest.mark.parametrize(
    "field, real_field, one_year, months, allowed",
    [
        (OTHER, FOOD_SERVICE, False, 23, False),      # food service: 2 years
        (OTHER, FOOD_SERVICE, False, 24, True),
        (OTHER, BUILDING_CLEANING, False, 12, True),  # building cleaning: 1 year
        (OTHER, BUILDING_CLEANING, False, 11, False),
        (OTHER, FOOD_SERVICE, True, 12, True),        # the firm chose one year
        (CONSTRUCTION, CONSTRUCTION, True, 12, True),
        (CONSTRUCTION, CONSTRUCTION, False, 12, False),
        (AGRICULTURE, AGRICULTURE, True, 11, False),  # one year is the shortest: the choice changes nothing
    ],
)
def test_esd_waiting_period_is_the_employers(field, real_field, one_year, months, allowed):
    """An ESD worker may move at will after their employer's waiting period: its real field's
    (food service 24 months, building cleaning 12, esd_fields.csv), or 12 months where the firm
    chose one year in a field with a longer period."""
    m = tiny_world("esd", firms=2, people=1)
    set_firm(m, 0, field=field, real_field=real_field, one_year_wait=one_year)
    place(m, 0, 0, Status.ESD, months_with_employer=months, tests=TRANSFER_TESTS)
    settle(m)
    assert m.trainee(0).may_leave_employer is allowed


@pytest.mark.parametrize(
    "field, real_field, tests, allowed",
    [
        (NURSING, NURSING, TRANSFER_TESTS, False),  # nursing care asks A2: A1 is not enough
        (NURSING, NURSING, TRANSFER_TESTS | TEST_BITS["japanese_a2"], True),
        (AGRICULTURE, AGRICULTURE, TRANSFER_TESTS, True),  # a field not named keeps A1
        (OTHER, FOOD_SERVICE, TRANSFER_TESTS, False),  # a real field of "other" named
        (OTHER, BUILDING_CLEANING, TRANSFER_TESTS, True),
    ],
)
def test_a_field_may_ask_a2_for_a_transfer(field, real_field, tests, allowed):
    """``policy.transfer.japanese_a2_fields``: an ESD worker whose employer is in a named real
    field needs A2 (JLPT N4) besides the basic skills test to move at will; elsewhere A1 is
    enough (the law lets each field set the level between A1 and A2)."""
    m = tiny_world("esd", firms=2, people=1,
                   settings={"policy.transfer.japanese_a2_fields": ["nursing_care", "food_service"]})
    set_firm(m, 0, field=field, real_field=real_field, one_year_wait=True)
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=tests)
    settle(m)
    assert m.trainee(0).may_leave_employer is allowed
    asks_a2 = bool(m.ledger.transfer_tests_of(np.array([0]))[0] & TEST_BITS["japanese_a2"])
    assert asks_a2 is (real_field in (NURSING, FOOD_SERVICE))


# =============================================================================================
# SSW: the near-pass mark, the SSW i extension, SSW ii by field
# =============================================================================================


def test_real_fields_cover_the_model_fields():
    """The real fields are the model's (less "other") and those "other" pools, in that order."""
    assert REAL_FIELDS[: len(FIELDS) - 1] == FIELDS[:-1] and REAL_FIELDS[len(FIELDS) - 1 :] == OTHER_FIELDS


def test_the_shipped_rules_by_field_are_the_field_list():
    """``esd.toml`` and ``titp.toml`` agree with ``sim/data/esd_fields.csv`` for every ESD field
    the model has: the waiting period (2 years where the list says 24 months, else 1), whether
    SSW ii is open, and whether it asks for JLPT N3. (Machinery/metal and textiles are the list's
    industrial products.)"""
    from pathlib import Path

    import pandas as pd

    table = pd.read_csv(Path(sim.__file__).parent / "data" / "esd_fields.csv")
    pol = sim.LabourMarket(small("esd", months=1, scale=0.002), seed=1).policy
    checked = 0
    for row in table.itertuples():
        names = sorted({row.field_en, *str(row.model_field).split(";")} & set(REAL_FIELDS))
        if row.esd_field != 1 or not names:
            continue
        for name in names:
            k = REAL_FIELDS.index(name)
            assert pol.waiting_months_by_real_field[k] == int(row.esd_waiting_months_proposed), name
            assert bool(pol.ssw2_open_by_real_field[k]) is bool(row.ssw2_open), name
            n3 = bool(pol.ssw2_tests_by_real_field[k] & TEST_BITS["japanese_b1"])
            assert n3 is (row.ssw2_japanese_n3_required == 1), name
            checked += 1
    assert checked == len(REAL_FIELDS)  # every real field the model has was checked once
