"""ODD 7.10 Status ladder and end of stay: TITP i -> ii -> iii, TITP/ESD -> SSW i -> SSW ii, or leave.

Phase 9, for every trainee and SSW i holder (``ladder_kernel``; one outcome per person):

* TITP i at 12 months (or the maximum stay, if shorter): TITP ii with the basic skills test
  passed and a stay beyond 12 months allowed, else leave Japan.
* TITP ii at 36 months (or the maximum stay):
  * SSW i is possible for those who want to stay if the path is open to them (completing TITP ii
    exempts the tests in the same field when the policy says so);
  * stage iii is possible if it is open (``policy.stage_iii_open``; in a transition only for
    those who arrived by ``policy.stage_iii_latest_arrival``) and the grade-3 practical test is
    passed. It is done at a *host*: an excellent firm (compliance >= ``excellent_compliance``,
    the 72-of-120-points rule) whose supervisory body holds the general licence and is not
    revoked (``stage_iii_hosts``) [S].
  * Stage iii is part of the TITP programme (two more years), so it is open to those who do not
    want a long stay too: whoever is eligible takes it with ``share_choosing_stage_iii`` (one
    draw each), and those who want to stay and have no SSW i path take it in any case; the
    others take SSW i if they want to stay and may, else leave. Choosing stage iii at a firm that is not a host, they look for a
    host of their field (the employer change allowed at the ii->iii step [S]; ``matching``,
    not a voluntary transfer); found, they move and enter stage iii, else SSW i if possible, else
    they leave. Stage iii starts with ``stage_iii_home_leave_months`` at home, unpaid (``work``).
* TITP iii at the TITP maximum stay: SSW i if they want to stay and the path is open, else leave.
* ESD at the end of the programme: SSW i with the tests the policy names; without them, those
  who want to stay may keep retaking them for ``test_retake_grace_months``; else leave.
* SSW i: SSW ii as soon as its tests are passed (and they want to stay, the path open); leave at
  SSW i's limit.

While the SSW i path is being set up (``ssw1_ramp_months`` after SSW opens) it is open to a
given person with probability ``policy.ssw1_availability``. Uniform draws (stream ``ladder``):
row 0 for the ramp, row 1 for the choice of stage iii.

Parameters: ``policy`` (stay rules and tests), ``behaviour.firms.excellent_compliance``,
``behaviour.departure.share_choosing_stage_iii``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import TEST_BITS, Status
from sim.processes.codes import ESD, SSW_1, TITP_1, TITP_2, TITP_3
from sim.processes import permanence
from sim.processes.matching import find_employers

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the SSW i uptake ramp.
STREAM = "ladder"

#: Outcomes of the ladder for one person this month (SEEKS_TITP_3: looks for a stage iii host).
STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES, SEEKS_TITP_3 = range(7)

#: The status each upward outcome leads to.
NEW_STATUS = {TO_TITP_2: Status.TITP_2, TO_TITP_3: Status.TITP_3, TO_SSW_1: Status.SSW_1, TO_SSW_2: Status.SSW_2}

BASIC_SKILL = TEST_BITS["basic_skill"]
SKILL_GRADE3 = TEST_BITS["skill_grade3"]

#: Months at which TITP stages i and ii end.
END_OF_TITP_1, END_OF_TITP_2 = 12, 36


class LadderRules(NamedTuple):
    """This month's rules of the ladder, as the policy answers them."""

    max_trainee_months: int  # maximum stay as an ESD trainee
    titp_max_months: int  # maximum stay as a TITP trainee
    ssw1_max_months: int  # SSW i's limit
    ssw1_availability: float  # chance the SSW i path is open to a given person this month
    ssw2_open: bool  # may SSW i holders move to SSW ii this month?
    stage_iii_open: bool  # is TITP stage iii open this month?
    stage_iii_latest_arrival: int  # those who arrived after this model month may not enter it
    share_choosing_stage_iii: float  # of those who could take SSW i or stage iii, the share taking stage iii
    exempt_after_titp_2: bool  # does completing TITP ii exempt the SSW i tests?
    ssw1_tests: int  # bit mask of the tests SSW i needs
    ssw2_tests: int  # bit mask of the tests SSW ii needs
    retake_grace_months: int  # months an ESD worker may stay on to retake the SSW i tests

    @classmethod
    def of(cls, model: LabourMarket) -> LadderRules:
        pol, now, run = model.policy, model.calendar(), model.scenario.run
        return cls(
            int(pol.max_trainee_months), int(pol.titp_max_months), int(pol.ssw1_max_months),
            float(pol.ssw1_availability(*now)), bool(pol.ssw2_open(*now)), bool(pol.stage_iii_open(*now)),
            int(pol.stage_iii_latest_arrival(run.start_year, run.start_month)),
            float(model.behaviour.departure.share_choosing_stage_iii), bool(pol.titp_ii_completion_exempts_tests),
            int(pol.ssw1_tests), int(pol.ssw2_tests), int(pol.test_retake_grace_months),
        )


def stage_iii_hosts(model: LabourMarket) -> np.ndarray:
    """Per firm: may it host stage iii? An excellent firm whose body holds the general licence, not revoked."""
    f, b = model.firms, model.bodies
    body = f.supervisory_body
    excellent = f.compliance >= model.behaviour.firms.excellent_compliance
    return excellent & b.general_licence[body] & (b.barred_until[body] <= model.month)


@njit(cache=True)
def ladder_kernel(status, months_in_japan, months_in_status, arrival_month, wants_long_stay, tests_passed, firm, host,
                  rules, u):  # pragma: no cover
    """Per person: one of STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES, SEEKS_TITP_3.

    ``u[0, i]``: below the availability, the SSW i path is open to person ``i`` (read only
    below full availability); ``u[1, i]``: below ``share_choosing_stage_iii``, they prefer stage iii.
    """
    out = np.zeros(status.shape[0], dtype=np.int8)
    max_esd = rules.max_trainee_months
    max_titp = rules.titp_max_months
    end_i_at = min(END_OF_TITP_1, max_titp)
    end_ii_at = min(END_OF_TITP_2, max_titp)
    availability = rules.ssw1_availability
    for i in range(status.shape[0]):
        s = status[i]
        if s > SSW_1:
            continue
        ssw1_open = availability >= 1.0 or (availability > 0.0 and u[0, i] < availability)
        m = months_in_japan[i]
        wants = wants_long_stay[i]
        tests = tests_passed[i]
        if s == TITP_1:
            if m >= end_i_at:
                out[i] = TO_TITP_2 if ((tests & BASIC_SKILL) and max_titp > END_OF_TITP_1) else LEAVES
        elif s == TITP_2:
            if m >= end_ii_at:
                ssw_ok = wants and ssw1_open and (rules.exempt_after_titp_2 or (tests & rules.ssw1_tests) == rules.ssw1_tests)
                iii_ok = (rules.stage_iii_open and max_titp > END_OF_TITP_2 and firm[i] >= 0
                          and arrival_month[i] <= rules.stage_iii_latest_arrival and (tests & SKILL_GRADE3) != 0)
                prefers_iii = u[1, i] < rules.share_choosing_stage_iii
                if iii_ok and (prefers_iii or (wants and not ssw_ok)):
                    out[i] = TO_TITP_3 if host[firm[i]] else SEEKS_TITP_3
                elif ssw_ok:
                    out[i] = TO_SSW_1
                else:
                    out[i] = LEAVES
        elif s == TITP_3:
            if m >= max_titp:
                out[i] = TO_SSW_1 if (wants and ssw1_open) else LEAVES
        elif s == ESD:
            if m >= max_esd:
                if wants and ssw1_open and (tests & rules.ssw1_tests) == rules.ssw1_tests:
                    out[i] = TO_SSW_1
                elif wants and ssw1_open and m < max_esd + rules.retake_grace_months:
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
    rng = model.rng_for(STREAM)
    u = rng.random((2, n)) if (0.0 < rules.ssw1_availability < 1.0 or rules.stage_iii_open) else np.zeros((2, n))
    outcome = ladder_kernel(
        p.status[:n], p.months_in_japan[:n], p.months_in_status[:n], p.arrival_month[:n], p.wants_long_stay[:n],
        p.tests_passed[:n], p.firm[:n], stage_iii_hosts(model), rules, u,
    )
    permanence.exempt_from_ladder(model, outcome, STAYS)  # settled residents: no end of stay (7.20)
    seekers = np.flatnonzero(outcome == SEEKS_TITP_3)
    if len(seekers):
        found = find_employers(model, seekers, rng, voluntary=False, stage_iii_host=stage_iii_hosts(model))
        outcome[seekers[found >= 0]] = TO_TITP_3
        ssw_ok = p.wants_long_stay[seekers] & ((rules.ssw1_availability >= 1.0) | (u[0, seekers] < rules.ssw1_availability)) & (
            rules.exempt_after_titp_2 | ((p.tests_passed[seekers] & rules.ssw1_tests) == rules.ssw1_tests))
        outcome[seekers[found < 0]] = np.where(ssw_ok[found < 0], TO_SSW_1, LEAVES)
    for code, new in NEW_STATUS.items():
        rows = np.flatnonzero(outcome == code)
        if code == TO_SSW_1:
            model.count_flow("to_ssw1", rows)
        elif code == TO_SSW_2:
            model.count_flow("to_ssw2", rows)
        elif code == TO_TITP_3:
            model.count_flow("to_titp3", rows)
        model.change_status(rows, new)
    leavers = np.flatnonzero(outcome == LEAVES)
    model.count_flow("returns_home", leavers)
    model.count_flow("returns_end_of_stay", leavers)
    model.leave_japan(leavers, Status.RETURNED)
