"""The agents: trainees (workers once they hold SSW), firms and supervisory bodies.

Each class holds its own behaviour. What *every* agent does every month is a static method
over the whole population's arrays (``Trainee.work``, ``Trainee.learn``, ``Firm.commit_violations``,
``SupervisoryBody.audit_members``): one compiled or numpy pass instead of a Python call per
agent. What *few* agents do in a month is an ordinary method on one agent (``firm.sanction()``,
``body.report(firm)``, ``trainee.seek_transfer()``).

The state of record lives in arrays (``sim.population``); agent objects are views on a row.
Firms and supervisory bodies are created once; they stand on their node of Mesa's network
space, which is built on first use (``model.space``). People are too many for an object each:
the month's decisions and job searches run over the arrays (``Trainee.decide``,
``sim.matching``), and a ``Trainee`` object is made only when someone asks for one
(``model.trainee(pid)``, ``model.trainees()``); it is removed from the model when the person
leaves Japan. Its ``seek_transfer`` runs the same matching code as the monthly batch. See
docs/ODD.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import mesa
from mesa.discrete_space import FixedAgent
from sim import kernels
from sim.domain import FIELDS, ORIGINS, TEST_BITS, Status
from sim.matching import find_employers

if TYPE_CHECKING:
    from sim.model import LabourMarket


def _column(name: str, doc: str):
    """A property reading (and writing) one person's cell of a ``People`` column."""

    def get(self):
        return getattr(self.model.people, name)[self.row].item()

    def set_(self, value):
        getattr(self.model.people, name)[self.row] = value

    return property(get, set_, doc=doc)


# =============================================================================================
# Trainee
# =============================================================================================
class Trainee(mesa.Agent):
    """A foreign worker: TITP trainee, ESD worker, SSW holder, or irregular after disappearing."""

    status_code = _column("status", "Residence status (``domain.Status`` code).")
    months_in_japan = _column("months_in_japan", "Months since arrival.")
    months_with_employer = _column("months_with_employer", "Months with the current employer.")
    wage_yen = _column("wage_yen", "Gross pay received this month, yen.")
    debt_yen = _column("debt_yen", "Outstanding debt to brokers, yen.")
    savings_yen = _column("savings_yen", "Savings held in Japan, yen.")
    skill = _column("skill", "Skill in test-grade units.")
    japanese = _column("japanese", "Japanese level (1 = N5/A1, 2 = N4/A2, 3 = N3/B1).")
    grievance = _column("grievance", "Accumulated grievance (violations suffered, wage gaps).")
    tests_passed = _column("tests_passed", "Bit mask of tests passed (``domain.TEST_BITS``).")
    field_idx = _column("field", "Field index into ``domain.FIELDS``.")

    def __init__(self, model: LabourMarket, pid: int) -> None:
        super().__init__(model)
        self.pid = pid

    @property
    def row(self) -> int:
        """This person's row in ``model.people`` now (rows move when the arrays are compacted)."""
        return int(self.model.people.row_of_pid[self.pid])

    # -- what a modeller wants to read ----------------------------------------------------------
    @property
    def status(self) -> Status:
        return Status(self.status_code)

    @property
    def origin(self) -> str:
        return ORIGINS[self.model.people.origin[self.row]]

    @property
    def field(self) -> str:
        return FIELDS[self.field_idx]

    @property
    def employer(self) -> Firm | None:
        firm = int(self.model.people.firm[self.row])
        return None if firm < 0 else self.model.firm_agents[firm]

    @property
    def cell(self):
        """Trainees stand on their employer's node of the network space (None without one)."""
        employer = self.employer
        return None if employer is None else employer.cell

    def has_passed(self, test: str) -> bool:
        return bool(self.tests_passed & TEST_BITS[test])

    def __repr__(self) -> str:
        return f"Trainee(pid={self.pid}, {self.status.name}, {self.field}, {self.origin})"

    # -- rare, individual acts ---------------------------------------------------------------------
    def seek_transfer(self, rng: np.random.Generator) -> bool:
        """Look for a better-paid employer among reachable firms and move there if one accepts.

        Reachable: firms tied to the employer in the network, member firms put forward by the
        employer's supervisory body, and the employers of one's contacts. The destination must
        have a vacancy, not be barred from intake, pay at least ``min_wage_gain`` more, respect
        the field rule and the caps on transferees (``sim.matching``). The caller decides
        whether the policy allows a move (``policy.may_transfer(trainee)``).
        """
        if self.model.people.firm[self.row] < 0:
            return False
        return bool(find_employers(self.model, np.array([self.row]), rng, voluntary=True)[0] >= 0)

    def seek_new_employer(self, rng: np.random.Generator) -> bool:
        """After an unavoidable release: take any reachable firm in the field with a vacancy."""
        return bool(find_employers(self.model, np.array([self.row]), rng, voluntary=False)[0] >= 0)

    def move_to(self, firm: Firm | int, voluntary: bool) -> None:
        """Change employer (a transfer, voluntary or unavoidable) and move along the network."""
        row = firm.row if isinstance(firm, Firm) else int(firm)
        self.model.move_workers(np.array([self.row]), np.array([row]), voluntary)

    # -- what everyone does every month (vectorised over the population) -------------------------
    @staticmethod
    def work(model: LabourMarket) -> None:
        """Age a month; get paid (less wage theft), repay debt, send money home, save.

        Pay: the employer's offer (prefecture minimum wage x hours x markup), plus the SSW
        premium, less ``wage_theft_share`` where the employer underpays this month. Irregular
        workers earn ``irregular_wage_factor`` x the local minimum-wage pay; people between
        employers earn nothing. Net pay after deductions and living costs repays debt first
        (``repay_share``), then is split between remittances and savings; a shortfall eats
        savings, then adds to debt, so neither can go negative.
        """
        p, f, w = model.people, model.firms, model.world
        n = p.n
        kernels.work_month(
            p.status[:n], p.firm[:n], p.pref[:n], p.months_in_japan[:n], p.months_in_status[:n],
            p.months_with_employer[:n], p.months_searching[:n],
            p.wage_yen[:n], p.debt_yen[:n], p.savings_yen[:n], p.remitted_yen[:n],
            model.offer_yen, f.underpaying, model.base_pay_yen,
            w.ssw_wage_premium, model.behaviour.violations.wage_theft_share, w.irregular_wage_factor,
            w.debt_interest_monthly, w.deductions_share, w.living_cost_yen, w.repay_share, w.remit_share,
        )

    @staticmethod
    def pay(model: LabourMarket) -> np.ndarray:
        """This month's gross pay of everyone (the rule ``work`` applies: ``kernels.pay_of``)."""
        p, w = model.people, model.world
        n = p.n
        return kernels.pay_all(
            p.status[:n], p.firm[:n], p.pref[:n], model.offer_yen, model.firms.underpaying, model.base_pay_yen,
            w.ssw_wage_premium, model.behaviour.violations.wage_theft_share, w.irregular_wage_factor,
        )

    @staticmethod
    def learn(model: LabourMarket) -> None:
        """Skill grows with the employer's training quality; Japanese grows with time in work.

        Each month at work: skill += skill_per_month x training_quality x aptitude;
        Japanese += japanese_per_month x aptitude.
        """
        p, b = model.people, model.behaviour.learning
        n = p.n
        kernels.learn(
            p.status[:n], p.firm[:n], p.skill[:n], p.japanese[:n], p.aptitude[:n],
            model.firms.training_quality, b.skill_per_month, b.japanese_per_month,
        )

    @staticmethod
    def take_tests(model: LabourMarket, rng: np.random.Generator) -> None:
        """Sit, once a year (the month before each arrival anniversary), every test not yet passed.

        A test is passed when the level plus a noise draw reaches its threshold; a pass is kept.
        """
        p, b = model.people, model.behaviour.learning
        n = p.n
        sitting = (p.status[:n] <= Status.SSW_2) & (p.months_in_japan[:n] % 12 == 11)
        rows = np.flatnonzero(sitting)
        if len(rows) == 0:
            return
        skill, jp = p.skill[rows], p.japanese[rows]
        levels = {
            "basic_skill": (skill, b.threshold_basic_skill),
            "skill_grade3": (skill, b.threshold_skill_grade3),
            "skill_ssw2": (skill, b.threshold_skill_ssw2),
            "japanese_a1": (jp, 1.0),
            "japanese_a2": (jp, 2.0),
            "japanese_b1": (jp, 3.0),
        }
        passed = p.tests_passed[rows]
        for name, (level, threshold) in levels.items():
            noise = rng.normal(0.0, b.test_noise_sd, len(rows)) if b.test_noise_sd > 0 else 0.0
            passed = passed | np.where(level + noise >= threshold, TEST_BITS[name], 0).astype(np.uint8)
        p.tests_passed[rows] = passed

    @staticmethod
    def feel_grievance(model: LabourMarket) -> None:
        """Grievance decays, and grows with violations suffered and with a known wage gap.

        grievance = grievance x monthly_decay + per_violation x [employer violated this month]
                    + per_wage_gap x wage_gap (as heard last month: information spreads in phase 6).
        """
        p, g = model.people, model.behaviour.grievance
        n = p.n
        kernels.feel(
            p.status[:n], p.firm[:n], p.grievance[:n], p.wage_gap[:n], model.firms.violating,
            g.monthly_decay, g.per_violation, g.per_wage_gap,
        )

    @staticmethod
    def hear_about_wages(model: LabourMarket) -> None:
        """Hear from one's contacts: the best base wage at their employers, and who works irregularly.

        Sets ``known_wage_yen``, the relative ``wage_gap`` to one's own employer's offer, and
        ``irregular_contact``, which the decisions and next month's grievance use.
        """
        p = model.people
        n = p.n
        kernels.hear(
            p.contacts[:n], p.status[:n], p.firm[:n], model.offer_yen,
            p.known_wage_yen[:n], p.wage_gap[:n], p.irregular_contact[:n],
        )

    @staticmethod
    def move_up_or_leave(model: LabourMarket, rng: np.random.Generator) -> None:
        """The status ladder: TITP i -> ii -> iii, TITP/ESD -> SSW i -> SSW ii, or leave at the end.

        TITP i needs the basic skills test at 12 months. At the end of TITP ii (36 months) those
        who want to stay move to SSW i when the path is open (completing TITP ii exempts the
        tests in the same field), else to TITP iii at an excellent firm with grade 3 passed
        (when stage iii exists), else they leave. ESD workers move to SSW i at the end of the
        programme with the tests the rules name, or leave (after an optional grace period to
        retake them). SSW i holders move to SSW ii as soon as they pass its tests and want to
        stay, and leave when SSW i's limit is reached. While the SSW i path is being set up
        (``ssw1_ramp_months`` after SSW opens) it is open to a growing share of people.
        """
        p, pol = model.people, model.policy
        stay = pol.config.stay
        n = p.n
        now = model.calendar()
        availability = pol.ssw1_availability(*now)
        u = rng.random(n) if 0.0 < availability < 1.0 else np.zeros(0)
        act = kernels.climb(
            p.status[:n], p.months_in_japan[:n], p.months_in_status[:n], p.wants_long_stay[:n], p.tests_passed[:n],
            p.firm[:n], model.firms.compliance, stay.max_trainee_months, model.behaviour.firms.excellent_compliance,
            availability, pol.ssw2_open(*now), pol.stage_iii_open, stay.titp_ii_completion_exempts_tests,
            pol.ssw1_tests, pol.ssw2_tests, TEST_BITS["basic_skill"], TEST_BITS["skill_grade3"],
            stay.test_retake_grace_months, stay.ssw1_max_months, u,
        )
        for code, new in ((1, Status.TITP_2), (2, Status.TITP_3), (3, Status.SSW_1), (4, Status.SSW_2)):
            model.change_status(np.flatnonzero(act == code), new)
        model.flows["to_ssw1"] += int(np.count_nonzero(act == 3))
        model.flows["to_ssw2"] += int(np.count_nonzero(act == 4))
        leavers = np.flatnonzero(act == 5)
        model.leave_japan(leavers, Status.RETURNED)
        model.flows["returns_home"] += len(leavers)
        model.flows["returns_end_of_stay"] += len(leavers)

    @staticmethod
    def decide(model: LabourMarket, rng: np.random.Generator) -> None:
        """Each legal resident: disappear, go home, seek a transfer, or carry on.

        Monthly hazards (docs/ODD.md, decisions):
        disappear = base x exp(b_debt debt/500k + b_grievance grievance + b_gap gap + b_ties irregular contact)
                    x legal_exit_factor (if a legal transfer is open to them)
                    x end_of_stay_factor (in the last months of a stay with no way to stay on);
        return home = base + b grievance (SSW ii: their own, lower rate);
        seek a transfer (only if the policy allows) = base + b_gap gap + b_grievance grievance.
        One uniform draw per person makes the three exclusive. People released by their
        employer search each month and go home when the search runs out.
        """
        p, pol, beh = model.people, model.policy, model.behaviour
        a, d, t = beh.abscond, beh.departure, beh.transfer
        stay = pol.config.stay
        n = p.n
        status = p.status[:n]
        n_legal = int(np.count_nonzero(status <= Status.SSW_2))
        if n_legal == 0:
            return
        legal_exit = pol.transfer_allowed(status, p.months_with_employer[:n], p.field[:n], p.tests_passed[:n])
        act = kernels.choose_acts(
            rng.random(n_legal), status, p.firm[:n], p.debt_yen[:n], p.grievance[:n], p.wage_gap[:n],
            p.irregular_contact[:n], legal_exit, p.months_in_japan[:n], p.months_in_status[:n], p.wants_long_stay[:n],
            stay.max_trainee_months, stay.ssw1_max_months, pol.ssw1_open(*model.calendar()), pol.ssw2_open(*model.calendar()),
            a.end_of_stay_window_months,
            a.base_monthly, a.per_debt_500k_yen, a.per_grievance, a.per_wage_gap, a.per_irregular_contact,
            a.legal_exit_factor, a.end_of_stay_factor,
            d.return_base_monthly, d.return_per_grievance, d.ssw2_return_monthly,
            t.seek_base_monthly, t.seek_per_wage_gap, t.seek_per_grievance,
        )
        absconding, returning, seeking = (np.flatnonzero(act == code) for code in (1, 2, 3))
        searching = np.flatnonzero(act == 4)  # between employers after a release, carrying on
        model.disappear(absconding)
        model.leave_japan(returning, Status.RETURNED)
        model.flows["returns_home"] += len(returning)

        found = find_employers(model, searching, rng, voluntary=False)
        gave_up = searching[(found < 0) & (p.months_searching[searching] >= t.unavoidable_search_months)]
        model.leave_japan(gave_up, Status.RETURNED)
        model.flows["returns_home"] += len(gave_up)
        find_employers(model, seeking, rng, voluntary=True)

    @staticmethod
    def face_apprehension(model: LabourMarket, rng: np.random.Generator) -> None:
        """Irregular workers are apprehended and removed, or leave on their own."""
        p, d = model.people, model.behaviour.departure
        rows = np.flatnonzero(p.status[: p.n] == Status.IRREGULAR)
        if len(rows) == 0:
            return
        u = rng.random(len(rows))
        caught = rows[u < d.irregular_apprehension_monthly]
        leaving = rows[(u >= d.irregular_apprehension_monthly) & (u < d.irregular_apprehension_monthly + d.irregular_self_departure_monthly)]
        model.leave_japan(caught, Status.REMOVED)
        model.leave_japan(leaving, Status.RETURNED)
        model.flows["apprehensions"] += len(caught)
        model.flows["returns_home"] += len(leaving)
        model.flows["returns_irregular"] += len(leaving)


# =============================================================================================
# Firm
# =============================================================================================
class _OnNode(FixedAgent):
    """An agent fixed to its node of the model's network space (the space is built on first use)."""

    def __init__(self, model: LabourMarket, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def cell(self):
        if self._mesa_cell is None:
            self.model.space  # builds the space and places every firm and body
        return self._mesa_cell

    def place(self, cell) -> None:
        self._mesa_cell = cell
        cell.add_agent(self)


class Firm(_OnNode):
    """A (mostly small) employer of foreign workers, standing on its node of the network."""

    @property
    def prefecture(self) -> str:
        return self.model.geo.name[self.model.firms.pref[self.row]]

    @property
    def field(self) -> str:
        return FIELDS[self.model.firms.field[self.row]]

    @property
    def wage_offer_yen(self) -> float:
        return float(self.model.offer_yen[self.row])

    @property
    def compliance(self) -> float:
        return float(self.model.firms.compliance[self.row])

    @property
    def headcount(self) -> int:
        return int(self.model.firms.headcount[self.row])

    @property
    def vacancies(self) -> int:
        return max(0, int(self.model.firms.demand[self.row] - self.model.firms.headcount[self.row]))

    @property
    def supervisory_body(self) -> SupervisoryBody:
        return self.model.body_agents[self.model.firms.supervisory_body[self.row]]

    @property
    def sanctioned(self) -> bool:
        return bool(self.model.firms.sanctioned_until[self.row] > self.model.month)

    def workers(self) -> np.ndarray:
        """Rows (in ``model.people``) of the firm's workers (legal statuses)."""
        p = self.model.people
        return np.flatnonzero((p.firm[: p.n] == self.row) & (p.status[: p.n] <= Status.SSW_2))

    def __repr__(self) -> str:
        return f"Firm(row={self.row}, {self.field}, {self.prefecture}, {self.headcount} workers)"

    # -- rare, individual acts ---------------------------------------------------------------------
    def sanction(self, revoke_plan: bool = False) -> None:
        """Act on a found violation: an improvement order, or the cancellation of the plan.

        Either way the firm's compliance improves. A cancelled plan also bars the firm from
        taking newcomers (trainees and SSW entrants) or movers for ``sanction_bar_months``, and
        its trainees must find a new employer (``release_trainees``, an unavoidable transfer:
        ``audit_members`` releases the trainees of every cancelled plan of the month in one pass).
        """
        m, f = self.model, self.model.firms
        gain = m.behaviour.violations.compliance_gain_after_sanction
        f.compliance[self.row] += (1.0 - f.compliance[self.row]) * gain
        m.flows["firms_sanctioned"] += 1
        if revoke_plan:
            f.sanctioned_until[self.row] = m.month + m.policy.config.supervision.sanction_bar_months
            m.flows["plans_cancelled"] += 1

    def release_trainees(self) -> None:
        """Release the firm's trainees, who must find a new employer (an unavoidable transfer)."""
        self.model.release_from(np.array([self.row]), trainees_only=True)

    def close(self) -> None:
        """Bankruptcy or closure: every worker is released; a new owner reopens on the node."""
        self.model.release_from(np.array([self.row]), trainees_only=False)
        self.model.reopen_firm(self.row)

    # -- what every firm does every month (vectorised) -------------------------------------------
    @staticmethod
    def commit_violations(model: LabourMarket, rng: np.random.Generator) -> None:
        """Each firm violates this month with probability p0 x (1 - compliance); some underpay."""
        f, v = model.firms, model.behaviour.violations
        p_violate = v.monthly_probability_at_zero_compliance * (1.0 - f.compliance)
        u = rng.random((2, f.n))
        f.violating[:] = (u[0] < p_violate) & (f.headcount > 0)
        f.underpaying[:] = f.violating & (u[1] < v.share_underpayment)
        f.violations_pending += f.violating
        model.flows["violations"] += int(f.violating.sum())

    @staticmethod
    def adjust_wages(model: LabourMarket) -> None:
        """Firms that lost workers to quits raise their markup; ones with vacancies, a little.

        Wages are sticky downwards (no cuts). The policy's wage floor binds everyone.
        """
        f, b = model.firms, model.behaviour.firms
        pol = model.policy.config.wages
        if pol.firms_raise_wages and b.wage_raise_step > 0:
            short = f.demand - f.headcount >= 1
            step = b.wage_raise_step * ((f.quits_this_month > 0) + 0.25 * short)
            f.markup[:] = np.minimum(f.markup * (1.0 + step), np.maximum(b.wage_markup_ceiling, f.markup))
        np.maximum(f.markup, pol.wage_floor_markup, out=f.markup)
        f.quits_this_month[:] = 0
        model.update_offers()

    @staticmethod
    def update_demand(model: LabourMarket) -> None:
        """Labour demand grows at the world's yearly rate (the shortage deepens)."""
        growth = (1.0 + model.world.demand_growth_per_year) ** (1.0 / 12.0)
        model.firms.demand *= np.float32(growth)

    @staticmethod
    def close_some(model: LabourMarket, rng: np.random.Generator) -> None:
        """A few firms close each month (``firm_closure_monthly``); their workers are released."""
        rows = np.flatnonzero(rng.random(model.firms.n) < model.world.firm_closure_monthly)
        model.release_from(rows, trainees_only=False)
        for row in rows:
            model.reopen_firm(int(row))
        model.flows["firm_closures"] += len(rows)


# =============================================================================================
# Supervisory body
# =============================================================================================
class SupervisoryBody(_OnNode):
    """A kanri dantai (under ESD a supervisory support organisation) and its member firms."""

    @property
    def independence(self) -> float:
        return float(self.model.bodies.independence[self.row])

    @property
    def thoroughness(self) -> float:
        return float(self.model.bodies.thoroughness[self.row])

    def members(self) -> list[Firm]:
        return [self.model.firm_agents[r] for r in self.model.bodies.members_of(self.row)]

    def __repr__(self) -> str:
        return f"SupervisoryBody(row={self.row}, {len(self.model.bodies.members_of(self.row))} member firms)"

    def report(self, firm: Firm, revoke_plan: bool = False) -> None:
        """Report a found violation to the authorities, who sanction the firm."""
        firm.sanction(revoke_plan)

    @staticmethod
    def audit_members(model: LabourMarket, rng: np.random.Generator) -> None:
        """Audits by supervisory bodies and inspections by the authority (OTIT), all firms at once.

        A body audits each member with probability ``audit_monthly``; an audit finds pending
        violations with the body's thoroughness; a found violation is reported with the body's
        independence, else hushed up. The authority inspects with ``inspection_monthly`` and
        acts on what it finds. A sanctioned firm's plan is cancelled with probability
        ``plan_revocation_share`` (barred from intake, trainees released); otherwise it gets an
        improvement order. Pending violations are cleared by any audit or inspection.
        """
        f, b = model.firms, model.bodies
        sup = model.policy.config.supervision
        u = rng.random((6, f.n))
        pending = f.violations_pending > 0
        audited = u[0] < sup.audit_monthly
        found = audited & pending & (u[1] < b.thoroughness[f.supervisory_body])
        reported = found & (u[2] < b.independence[f.supervisory_body])
        inspected = u[3] < sup.inspection_monthly
        found_by_authority = inspected & pending & (u[4] < sup.inspection_detection)
        sanctioned = reported | found_by_authority
        revoked = sanctioned & (u[5] < sup.plan_revocation_share)
        model.flows["violations_detected"] += int(f.violations_pending[sanctioned].sum())
        model.flows["violations_suppressed"] += int(f.violations_pending[found & ~sanctioned].sum())
        f.violations_pending[audited | inspected] = 0
        for row in np.flatnonzero(reported):
            model.body_agents[f.supervisory_body[row]].report(model.firm_agents[row], revoke_plan=bool(revoked[row]))
        for row in np.flatnonzero(found_by_authority & ~reported):
            model.firm_agents[row].sanction(revoke_plan=bool(revoked[row]))
        model.release_from(np.flatnonzero(revoked), trainees_only=True)
