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
* SSW i: SSW ii as soon as its tests are passed (and they want to stay, the path open) in a
  field open to SSW ii (not nursing care, which has its own route, nor the new ESD fields
  outside the 11: ``policy.ssw2_open_by_real_field``); the tests are the policy's, with JLPT
  N3 only in the fields that ask it (``policy.ssw2_tests_by_real_field``) [S]. The field is
  the real field of the employer (of the last one, between employers). Leave at SSW i's limit;
  the limit is ``ssw1_extension_months`` longer (six years in all) for those who want to stay,
  have an employer, work in a field open to SSW ii and scored at least the extension's share
  of the SSW ii pass mark (the bit ``skill_ssw2_near``, ``learning``) [S].
* SSW i in nursing care (no SSW ii there): the care workers' own route. Having passed the
  Certified Care Worker exam (介護福祉士, the bit ``care_worker_exam``, ``learning``), a holder
  who wants to stay takes the status 介護 (``Status.CARE_WORKER``) while ``policy.care_worker_open``:
  renewable without limit, family allowed, counted for permanent residence, employer change
  within care work (``policy``) [S]. Those who never pass leave at SSW i's limit.
* 介護 (care workers) and SSW ii: no end of stay.

Bridging status (2020-22, history only; ``policy.bridging_open``): a TITP trainee whose stay ends
(outcome LEAVES) while the "designated activities" for those unable to go home are open takes it
with ``policy.bridging_share()`` (one draw each, stream ``bridging``) and stays at work for
``policy.bridging_months`` (``people.bridging_until``). Each month a holder moves up to SSW i if
they want to stay and the path is open to them (the ramp's draw, the SSW i tests unless TITP ii
was completed), else leaves when the stay runs out. Holders keep their TITP status code (they
work and decide as trainees); the official TITP stock excludes them (``stock_bridging``).

While the SSW i path is being set up (``ssw1_ramp_months`` after SSW opens) it is open to a
given person with probability ``policy.ssw1_availability``. Uniform draws (stream ``ladder``):
row 0 for the ramp, row 1 for the choice of stage iii, drawn for legal residents in row order
(so that dropping the rows of people who left does not shift them).

Parameters: ``policy`` (stay rules and tests), ``behaviour.firms.excellent_compliance``,
``behaviour.departure.share_choosing_stage_iii``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import REAL_FIELDS, TEST_BITS, Status
from sim.params import bind, part
from sim.policy import CARE_REAL_FIELD
from sim.processes import permanence
from sim.processes.codes import ARRAY_HELPER, ESD, IS_LEGAL, IS_TITP, SSW_1, STATUS_KINDS, TITP_1, TITP_2, TITP_3, of_kind
from sim.processes.matching import find_employers

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the SSW i uptake ramp.
STREAM = "ladder"
#: Random stream of taking up the bridging status (its own, so the ladder's draws do not shift).
BRIDGING_STREAM = "bridging"

#: Outcomes of the ladder for one person this month (SEEKS_TITP_3: looks for a stage iii host).
STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES, SEEKS_TITP_3, TO_CARE_WORKER = range(8)

#: The status each upward outcome leads to.
NEW_STATUS = {TO_TITP_2: Status.TITP_2, TO_TITP_3: Status.TITP_3, TO_SSW_1: Status.SSW_1, TO_SSW_2: Status.SSW_2,
              TO_CARE_WORKER: Status.CARE_WORKER}
#: The flow each upward outcome is counted in.
FLOW_OF = {TO_TITP_3: "to_titp3", TO_SSW_1: "to_ssw1", TO_SSW_2: "to_ssw2", TO_CARE_WORKER: "to_care_worker"}

BASIC_SKILL = TEST_BITS["basic_skill"]
SKILL_GRADE3 = TEST_BITS["skill_grade3"]
SSW2_NEAR = TEST_BITS["skill_ssw2_near"]
CARE_EXAM = TEST_BITS["care_worker_exam"]

#: Months at which TITP stages i and ii end.
END_OF_TITP_1, END_OF_TITP_2 = 12, 36


class LadderRules(NamedTuple):
    """This month's rules of the ladder, as the policy answers them."""

    max_trainee_months: int  # maximum stay as an ESD trainee (policy.stay)
    titp_max_months: int  # maximum stay as a TITP trainee
    ssw1_availability: float  # chance the SSW i path is open to a given person this month
    ssw2_open: bool  # may SSW i holders move to SSW ii this month?
    stage_iii_open: bool  # is TITP stage iii open this month?
    stage_iii_latest_arrival: int  # those who arrived after this model month may not enter it
    share_choosing_stage_iii: float  # of those who could take SSW i or stage iii, the share taking stage iii (behaviour.departure)
    titp_ii_completion_exempts_tests: bool  # does completing TITP ii exempt the SSW i tests? (policy.stay)
    ssw1_tests: int  # bit mask of the tests SSW i needs
    ssw2_tests: np.ndarray  # by real field: bit mask of the tests SSW ii needs
    ssw2_open_fields: np.ndarray  # by real field: is SSW ii open there?
    care_worker_open: bool  # may nursing-care SSW i holders who passed the care workers' exam take 介護 this month?
    test_retake_grace_months: int  # months an ESD worker may stay on to retake the SSW i tests (policy.stay)

    @classmethod
    def of(cls, model: LabourMarket) -> LadderRules:
        pol, now = model.policy, model.calendar()
        return bind(
            cls, part(model.scenario.policy.stay, "max_trainee_months", "titp_ii_completion_exempts_tests", "test_retake_grace_months"),
            part(model.behaviour.departure, "share_choosing_stage_iii"),
            titp_max_months=pol.titp_max_months, ssw1_availability=pol.ssw1_availability(*now), ssw2_open=pol.ssw2_open(*now),
            stage_iii_open=pol.stage_iii_open(*now),
            stage_iii_latest_arrival=pol.stage_iii_latest_arrival(model.month_one),
            ssw1_tests=pol.ssw1_tests, ssw2_tests=pol.ssw2_tests_by_real_field, ssw2_open_fields=pol.ssw2_open_by_real_field,
            care_worker_open=pol.care_worker_open(*now),
        )


def stage_iii_hosts(model: LabourMarket) -> np.ndarray:
    """Per firm: may it host stage iii? An excellent firm whose body holds the general licence, not revoked."""
    f, b = model.firms, model.bodies
    body = f.supervisory_body
    excellent = f.compliance >= model.behaviour.firms.excellent_compliance
    return excellent & b.general_licence[body] & (b.barred_until[body] <= model.month)


class Ssw1Stay(NamedTuple):
    """How long SSW i lasts (``policy.stay``)."""

    ssw1_max_months: int  # the limit ...
    ssw1_extension_months: int  # ... and the extension for those near the SSW ii pass mark

    @classmethod
    def of(cls, model: LabourMarket) -> Ssw1Stay:
        return bind(cls, part(model.scenario.policy.stay, *cls._fields))


@njit(**ARRAY_HELPER)
def ssw1_terms_of(i, wants_long_stay, tests_passed, firm, last_firm, field, firm_real_field, ssw2_open_fields,
                  ssw1_max_months, extension_months):  # pragma: no cover - compiled
    """(real field, SSW i limit in months) of SSW i holder ``i``.

    The real field is the employer's (``firm_real_field``), or the last employer's between
    employers (the model field if they never had one). The limit is ``ssw1_max_months``
    (``Ssw1Stay``), and ``extension_months`` more for a holder who wants to stay, has an employer, works in a field
    open to SSW ii and scored near its pass mark (``skill_ssw2_near``) [S]. One rule for the
    ladder (who leaves when, ``ladder_kernel``) and the decisions (who is near the end,
    ``ssw1_limit_and_way_on_kernel``), so they cannot disagree; the ladder asks it per holder inside its
    own pass rather than through arrays over everyone (a pass and two arrays less a month).
    Without reference counting (``codes.ARRAY_HELPER``): called per holder with arrays.
    """
    h = firm[i] if firm[i] >= 0 else last_firm[i]
    rf = firm_real_field[h] if h >= 0 else field[i]
    near = wants_long_stay[i] and ssw2_open_fields[rf] and firm[i] >= 0 and (tests_passed[i] & SSW2_NEAR) != 0
    return rf, ssw1_max_months + (extension_months if near else 0)


@njit(cache=True)
def ssw1_limit_and_way_on_kernel(status, wants_long_stay, tests_passed, firm, last_firm, field, firm_real_field, ssw2_open_fields,
                                 stay, way_on_by_real_field, ssw_1):  # pragma: no cover - compiled
    """Per person: (SSW i limit in months, a way to stay on after SSW i open?) of each SSW i
    holder (``ssw1_terms_of``; ``way_on_by_real_field``: ``Policy.ssw1_way_on`` of each real
    field); (0, False) for others. ``stay``: ``Ssw1Stay``; ``ssw_1``: the status code of SSW i.
    One pass for both, with no array of real fields over everyone to gather from afterwards.
    """
    ssw1_max_months, extension_months = stay.ssw1_max_months, stay.ssw1_extension_months
    n = status.shape[0]
    limit_months = np.zeros(n, dtype=np.int32)
    way_on = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if status[i] != ssw_1:
            continue
        rf, limit_months[i] = ssw1_terms_of(i, wants_long_stay, tests_passed, firm, last_firm, field, firm_real_field,
                                            ssw2_open_fields, ssw1_max_months, extension_months)
        way_on[i] = way_on_by_real_field[rf]
    return limit_months, way_on


def ssw1_limit_and_way_on(model: LabourMarket) -> tuple[np.ndarray, np.ndarray]:
    """Per person: each SSW i holder's SSW i limit in months and whether a legal way to stay on is
    open to them this month (``Policy.ssw1_way_on`` in their real field); for the decisions."""
    p = model.people
    n = p.n
    way_on_by_real_field = model.policy.ssw1_way_on(np.arange(len(REAL_FIELDS)), *model.calendar())
    return ssw1_limit_and_way_on_kernel(p.status[:n], p.wants_long_stay[:n], p.tests_passed[:n], p.firm[:n], p.last_firm[:n],
                                        p.field[:n], model.firms.real_field, model.policy.ssw2_open_by_real_field,
                                        Ssw1Stay.of(model), way_on_by_real_field, SSW_1)


@njit(cache=True)
def ladder_kernel(status, months_in_japan, months_in_status, arrival_month, wants_long_stay, tests_passed, firm, host,
                  last_firm, field, firm_real_field, stay, rules, u, kinds):  # pragma: no cover
    """Per person: one of STAYS, TO_TITP_2, TO_TITP_3, TO_SSW_1, TO_SSW_2, LEAVES, SEEKS_TITP_3, TO_CARE_WORKER.

    ``u[0, i]``: below the availability, the SSW i path is open to person ``i`` (read only
    below full availability); ``u[1, i]``: below ``share_choosing_stage_iii``, they prefer stage iii.
    ``last_firm``, ``field``, ``firm_real_field`` and ``stay`` (``Ssw1Stay``): what gives each
    SSW i holder's real field and limit (``ssw1_terms_of``).
    """
    out = np.zeros(status.shape[0], dtype=np.int8)
    max_esd = rules.max_trainee_months
    max_titp = rules.titp_max_months
    end_i_at = min(END_OF_TITP_1, max_titp)
    end_ii_at = min(END_OF_TITP_2, max_titp)
    availability = rules.ssw1_availability
    ssw2_tests, ssw2_fields = rules.ssw2_tests, rules.ssw2_open_fields
    for i in range(status.shape[0]):
        s = status[i]
        if not of_kind(kinds.on_ladder, s):
            continue
        ssw1_open = availability >= 1.0 or (availability > 0.0 and u[0, i] < availability)
        m = months_in_japan[i]
        wants = wants_long_stay[i]
        tests = tests_passed[i]
        if s == kinds.titp_1:
            if m >= end_i_at:
                out[i] = TO_TITP_2 if ((tests & BASIC_SKILL) and max_titp > END_OF_TITP_1) else LEAVES
        elif s == kinds.titp_2:
            if m >= end_ii_at:
                ssw_ok = wants and ssw1_open and (rules.titp_ii_completion_exempts_tests or (tests & rules.ssw1_tests) == rules.ssw1_tests)
                iii_ok = (rules.stage_iii_open and max_titp > END_OF_TITP_2 and firm[i] >= 0
                          and arrival_month[i] <= rules.stage_iii_latest_arrival and (tests & SKILL_GRADE3) != 0)
                prefers_iii = u[1, i] < rules.share_choosing_stage_iii
                if iii_ok and (prefers_iii or (wants and not ssw_ok)):
                    out[i] = TO_TITP_3 if host[firm[i]] else SEEKS_TITP_3
                elif ssw_ok:
                    out[i] = TO_SSW_1
                else:
                    out[i] = LEAVES
        elif s == kinds.titp_3:
            if m >= max_titp:
                out[i] = TO_SSW_1 if (wants and ssw1_open) else LEAVES
        elif s == kinds.esd:
            if m >= max_esd:
                if wants and ssw1_open and (tests & rules.ssw1_tests) == rules.ssw1_tests:
                    out[i] = TO_SSW_1
                elif wants and ssw1_open and m < max_esd + rules.test_retake_grace_months:
                    out[i] = STAYS
                else:
                    out[i] = LEAVES
        else:  # SSW i
            rf, limit_months = ssw1_terms_of(i, wants_long_stay, tests_passed, firm, last_firm, field, firm_real_field, ssw2_fields,
                                             stay.ssw1_max_months, stay.ssw1_extension_months)
            need = ssw2_tests[rf]
            if wants and rules.ssw2_open and ssw2_fields[rf] and (tests & need) == need:
                out[i] = TO_SSW_2
            elif wants and rules.care_worker_open and rf == CARE_REAL_FIELD and (tests & CARE_EXAM) != 0:
                out[i] = TO_CARE_WORKER
            elif months_in_status[i] >= limit_months:
                out[i] = LEAVES
    return out


def stay_expiry(model: LabourMarket, rows: np.ndarray) -> np.ndarray:
    """Model month the permitted stay of the TITP or ESD trainees at ``rows`` runs out (the end of
    their stage: 12 months for TITP i, 36 for ii, the TITP maximum for iii, the ESD maximum), -1
    for everyone else (SSW holders, bridging holders: not "last status TITP" in ISA's overstayer
    counts). Used when they abscond, to tell overstayers from absconders still within their stay."""
    p, pol = model.people, model.policy
    status = p.status[rows]
    end = np.select(
        [status == TITP_1, status == TITP_2, status == TITP_3, status == ESD],
        [min(END_OF_TITP_1, pol.titp_max_months), min(END_OF_TITP_2, pol.titp_max_months), pol.titp_max_months,
         model.scenario.policy.stay.max_trainee_months], -1)
    expires = model.month + np.maximum(end - p.months_in_japan[rows].astype(np.int64), 0)
    return np.where((end >= 0) & (p.bridging_until[rows] < 0), expires, -1).astype(np.int32)


def ssw1_ok(model: LabourMarket, rows: np.ndarray, rules: LadderRules, u: np.ndarray) -> np.ndarray:
    """Per person at ``rows``, leaving TITP: may they move up to SSW i now (want to stay, the path
    open to them by the ramp's draw ``u[0]``, the tests passed or exempted by completing TITP ii)?"""
    p = model.people
    exempt = rules.titp_ii_completion_exempts_tests & ((p.status[rows] == TITP_2) | (p.status[rows] == TITP_3))
    return p.wants_long_stay[rows] & ((rules.ssw1_availability >= 1.0) | (u[0, rows] < rules.ssw1_availability)) & (
        exempt | ((p.tests_passed[rows] & rules.ssw1_tests) == rules.ssw1_tests))


def bridging_holders(model: LabourMarket) -> np.ndarray:
    """Rows of the people holding the bridging status now (TITP trainees with a bridging stay)."""
    p = model.people
    n = p.n
    return np.flatnonzero((p.bridging_until[:n] >= 0) & IS_TITP[p.status[:n]])


def hold_over(model: LabourMarket, outcome: np.ndarray, rules: LadderRules, u: np.ndarray) -> None:
    """Bridging holders' outcomes: SSW i if possible, else leave when the stay has run out, else stay."""
    holders = bridging_holders(model)
    if len(holders) == 0:
        return
    expired = model.people.bridging_until[holders] <= model.month
    outcome[holders] = np.where(ssw1_ok(model, holders, rules, u), TO_SSW_1, np.where(expired, LEAVES, STAYS))


def bridge(model: LabourMarket, outcome: np.ndarray) -> None:
    """TITP trainees leaving at the end of their stay take the bridging status (if open) with its share."""
    pol, now = model.policy, model.calendar()
    if not pol.bridging_open(*now):
        return
    p = model.people
    n = p.n
    leaving = np.flatnonzero((outcome == LEAVES) & IS_TITP[p.status[:n]] & (p.bridging_until[:n] < 0))
    if len(leaving) == 0:
        return
    take = leaving[model.rng_for(BRIDGING_STREAM).random(len(leaving)) < pol.bridging_share()]
    outcome[take] = STAYS
    p.bridging_until[take] = model.month + pol.bridging_months(*now)


def move_up_or_leave(model: LabourMarket) -> None:
    """Phase 9: everyone's step on the ladder this month, applied status by status."""
    p = model.people
    n = p.n
    rules = LadderRules.of(model)
    rng = model.rng_for(STREAM)
    u = np.zeros((2, n))
    if 0.0 < rules.ssw1_availability < 1.0 or rules.stage_iii_open:
        # Draws for legal residents only, in row order, so that they do not depend on whether the
        # rows of people who left have been dropped yet (compaction).
        legal = np.flatnonzero(IS_LEGAL[p.status[:n]])
        u[:, legal] = rng.random((2, len(legal)))
    outcome = ladder_kernel(
        p.status[:n], p.months_in_japan[:n], p.months_in_status[:n], p.arrival_month[:n], p.wants_long_stay[:n],
        p.tests_passed[:n], p.firm[:n], stage_iii_hosts(model), p.last_firm[:n], p.field[:n], model.firms.real_field,
        Ssw1Stay.of(model), rules, u, STATUS_KINDS,
    )
    hold_over(model, outcome, rules, u)
    permanence.exempt_from_ladder(model, outcome, STAYS)  # settled residents: no end of stay (7.20)
    seekers = np.flatnonzero(outcome == SEEKS_TITP_3)
    if len(seekers):
        found = find_employers(model, seekers, rng, voluntary=False, stage_iii_host=stage_iii_hosts(model))
        outcome[seekers[found >= 0]] = TO_TITP_3
        outcome[seekers[found < 0]] = np.where(ssw1_ok(model, seekers[found < 0], rules, u), TO_SSW_1, LEAVES)
    bridge(model, outcome)
    for code, new in NEW_STATUS.items():
        rows = np.flatnonzero(outcome == code)
        if code in FLOW_OF:
            model.ledger.count_flow(FLOW_OF[code], rows)
        model.ledger.change_status(rows, new)
    p.bridging_until[np.flatnonzero(outcome == TO_SSW_1)] = -1
    leavers = np.flatnonzero(outcome == LEAVES)
    model.ledger.count_flow("returns_home", leavers)
    model.ledger.count_flow("returns_end_of_stay", leavers)
    model.ledger.leave_japan(leavers, Status.RETURNED)
