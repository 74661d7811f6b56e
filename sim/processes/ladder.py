"""ODD 7.10 Status ladder and end of stay: TITP i -> ii -> iii, TITP/ESD -> SSW i -> SSW ii, or leave.

Phase 9, for every trainee and SSW i holder (``ladder_kernel``; one outcome per person):

* TITP i at 12 months (or the maximum stay, if shorter): TITP ii with the basic skills test
  passed and a stay beyond 12 months allowed, else leave Japan.
* TITP ii at 36 months (or the maximum stay): SSW i if they want to stay and the SSW i path is
  open to them (completing TITP ii exempts the tests in the same field when the policy says so);
  else TITP iii if stage iii exists, they want to stay, their firm is "excellent" and grade 3 is
  passed; else leave.
* TITP iii at the maximum stay: SSW i if they want to stay and the path is open, else leave.
* ESD at the end of the programme: SSW i with the tests the policy names; without them, those
  who want to stay may keep retaking them for ``test_retake_grace_months``; else leave.
* SSW i: SSW ii as soon as its tests are passed (and they want to stay, the path open); leave at
  SSW i's limit.

While the SSW i path is being set up (``ssw1_ramp_months`` after SSW opens) it is open to a
given person with probability ``policy.ssw1_availability`` (one uniform draw each, stream
``ladder``, drawn only in those months).

Parameters: ``policy`` (stay rules and tests), ``behaviour.firms.excellent_compliance``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import TEST_BITS, Status
from sim.processes.codes import ESD, SSW_1, TITP_1, TITP_2, TITP_3

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the SSW i uptake ramp.
STREAM = "ladder"

#: Outcomes of the ladder for one person this month.
STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES = range(6)

#: The status each upward outcome leads to.
NEW_STATUS = {TO_TITP_2: Status.TITP_2, TO_TITP_3: Status.TITP_3, TO_SSW_1: Status.SSW_1, TO_SSW_2: Status.SSW_2}

BASIC_SKILL = TEST_BITS["basic_skill"]
SKILL_GRADE3 = TEST_BITS["skill_grade3"]

#: Months at which TITP stages i and ii end.
END_OF_TITP_1, END_OF_TITP_2 = 12, 36


class LadderRules(NamedTuple):
    """This month's rules of the ladder, as the policy answers them."""

    max_trainee_months: int  # maximum stay as a trainee (TITP or ESD)
    ssw1_max_months: int  # SSW i's limit
    ssw1_availability: float  # chance the SSW i path is open to a given person this month
    ssw2_open: bool  # may SSW i holders move to SSW ii this month?
    stage_iii_open: bool  # does TITP stage iii exist?
    exempt_after_titp_2: bool  # does completing TITP ii exempt the SSW i tests?
    ssw1_tests: int  # bit mask of the tests SSW i needs
    ssw2_tests: int  # bit mask of the tests SSW ii needs
    retake_grace_months: int  # months an ESD worker may stay on to retake the SSW i tests
    excellent_compliance: float  # compliance from which a firm is "excellent"

    @classmethod
    def of(cls, model: LabourMarket) -> LadderRules:
        pol, now = model.policy, model.calendar()
        return cls(
            int(pol.max_trainee_months), int(pol.ssw1_max_months), float(pol.ssw1_availability(*now)),
            bool(pol.ssw2_open(*now)), bool(pol.stage_iii_open), bool(pol.titp_ii_completion_exempts_tests),
            int(pol.ssw1_tests), int(pol.ssw2_tests), int(pol.test_retake_grace_months),
            float(model.behaviour.firms.excellent_compliance),
        )


@njit(cache=True)
def ladder_kernel(status, months_in_japan, months_in_status, wants_long_stay, tests_passed, firm, compliance, rules, u):  # pragma: no cover
    """Per person: one of STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES.

    Below full availability, person ``i`` finds the SSW i path open if ``u[i]`` is below it.
    """
    out = np.zeros(status.shape[0], dtype=np.int8)
    max_trainee = rules.max_trainee_months
    end_i_at = min(END_OF_TITP_1, max_trainee)
    end_ii_at = min(END_OF_TITP_2, max_trainee)
    availability = rules.ssw1_availability
    for i in range(status.shape[0]):
        s = status[i]
        if s > SSW_1:
            continue
        ssw1_open = availability >= 1.0 or (availability > 0.0 and u[i] < availability)
        m = months_in_japan[i]
        wants = wants_long_stay[i]
        tests = tests_passed[i]
        if s == TITP_1:
            if m >= end_i_at:
                out[i] = TO_TITP_2 if ((tests & BASIC_SKILL) and max_trainee > END_OF_TITP_1) else LEAVES
        elif s == TITP_2:
            if m >= end_ii_at:
                if wants and ssw1_open and (rules.exempt_after_titp_2 or (tests & rules.ssw1_tests) == rules.ssw1_tests):
                    out[i] = TO_SSW_1
                elif (wants and rules.stage_iii_open and firm[i] >= 0 and compliance[firm[i]] >= rules.excellent_compliance
                      and (tests & SKILL_GRADE3)):
                    out[i] = TO_TITP_3
                else:
                    out[i] = LEAVES
        elif s == TITP_3:
            if m >= max_trainee:
                out[i] = TO_SSW_1 if (wants and ssw1_open) else LEAVES
        elif s == ESD:
            if m >= max_trainee:
                if wants and ssw1_open and (tests & rules.ssw1_tests) == rules.ssw1_tests:
                    out[i] = TO_SSW_1
                elif wants and ssw1_open and m < max_trainee + rules.retake_grace_months:
                    out[i] = STAYS
                else:
                    out[i] = LEAVES
        else:  # SSW i
            if wants and rules.ssw2_open and (tests & rules.ssw2_tests) == rules.ssw2_tests:
                out[i] = TO_SSW_2
            elif months_in_status[i] >= rules.ssw1_max_months:
                out[i] = LEAVES
    return out


def move_up_or_leave(model: LabourMarket) -> None:
    """Phase 9: everyone's step on the ladder this month, applied status by status."""
    p = model.people
    n = p.n
    rules = LadderRules.of(model)
    u = model.rng_for(STREAM).random(n) if 0.0 < rules.ssw1_availability < 1.0 else np.zeros(0)
    outcome = ladder_kernel(
        p.status[:n], p.months_in_japan[:n], p.months_in_status[:n], p.wants_long_stay[:n], p.tests_passed[:n],
        p.firm[:n], model.firms.compliance, rules, u,
    )
    for code, new in NEW_STATUS.items():
        rows = np.flatnonzero(outcome == code)
        if code == TO_SSW_1:
            model.count_flow("to_ssw1", rows)
        elif code == TO_SSW_2:
            model.count_flow("to_ssw2", rows)
        model.change_status(rows, new)
    leavers = np.flatnonzero(outcome == LEAVES)
    model.count_flow("returns_home", leavers)
    model.count_flow("returns_end_of_stay", leavers)
    model.leave_japan(leavers, Status.RETURNED)
