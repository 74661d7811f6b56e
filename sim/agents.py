"""The agents: trainees (workers once they hold SSW), firms and supervisory bodies.

These classes are the public, inspectable face of the model: ``trainee.employer``,
``trainee.status``, ``firm.wage_offer_yen``, ``firm.supervisory_body``, and the acts one agent
can take on its own (``trainee.seek_transfer()``, ``firm.sanction()``, ``body.report(firm)``,
``firm.close()``). Each act calls the same process code the monthly schedule runs
(``sim.processes``); what *every* agent does every month runs there over arrays.

The state of record lives in arrays (``sim.population``); agent objects are views on a row.
Firms and supervisory bodies are created once; they stand on their node of Mesa's network
space, which is built on first use (``model.space``). People are too many for an object each:
a ``Trainee`` object is made only when someone asks for one (``model.trainee(pid)``,
``model.trainees()``) and removed from the model when the person leaves Japan. See docs/ODD.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.discrete_space import FixedAgent

from sim.domain import FIELDS, ORIGINS, TEST_BITS, Residence, Spouse, Status
from sim.processes import audits, firms, matching

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
    children = _column("children", "Children (0-3), in Japan with the family or abroad (ODD 7.19).")
    family_in_japan = _column("family_in_japan", "The compatriot spouse and the children live in Japan.")

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
    def age_years(self) -> float:
        """Age now, in years (ODD 7.19)."""
        return (self.model.month - int(self.model.people.birth_month[self.row])) / 12.0

    @property
    def residence(self) -> Residence:
        """What the stay rests on: the work status, the spouse status or permanent residence (ODD 7.20)."""
        return Residence(int(self.model.people.residence[self.row]))

    @property
    def spouse(self) -> Spouse:
        return Spouse(int(self.model.people.spouse[self.row]))

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

    @property
    def may_leave_employer(self) -> bool:
        """May this person leave their employer at their own wish now (``Policy.may_leave_employer``)?"""
        return bool(self.model.policy.may_leave_employer(
            np.array([self.status_code]), np.array([self.months_with_employer]), self.model.ledger.waiting_months_of(np.array([self.row])),
            np.array([self.tests_passed]), np.array([int(self.model.people.residence[self.row])]),
            self.model.ledger.transfer_tests_of(np.array([self.row])),
        )[0])

    def __repr__(self) -> str:
        return f"Trainee(pid={self.pid}, {self.status.name}, {self.field}, {self.origin})"

    # -- individual acts (the code of the monthly batch) ------------------------------------------
    def seek_transfer(self, rng: np.random.Generator) -> bool:
        """Change employer at one's own wish, if the policy allows it now; True if moved.

        Looks over the reachable firms (ties of the employer, firms put forward by the
        supervisory body or drawn from the national pool of the field's vacancies, the
        employers of one's contacts) and moves to the one valued most (pay
        after rent, ties, distance, taste) that accepts and is worth ``min_wage_gain`` more than
        the employer (``sim.processes.matching``: a vacancy, not barred, the field rule, the caps
        on transferees). Refused (False, no search) when
        ``may_leave_employer`` says no or the person has no employer.
        """
        if self.model.people.firm[self.row] < 0 or not self.may_leave_employer:
            return False
        return bool(matching.find_employers(self.model, np.array([self.row]), rng, voluntary=True)[0] >= 0)

    def seek_new_employer(self, rng: np.random.Generator) -> bool:
        """After an unavoidable release: take any reachable firm in the field with a vacancy."""
        return bool(matching.find_employers(self.model, np.array([self.row]), rng, voluntary=False)[0] >= 0)

    def move_to(self, firm: Firm | int, voluntary: bool) -> None:
        """Change employer (a transfer, voluntary or unavoidable) and move along the network.

        No rule is checked: this is the bookkeeping of a move (``Ledger.move_workers``) for
        modellers who decide moves themselves; ``seek_transfer`` is the move by the rules.
        """
        row = firm.row if isinstance(firm, Firm) else int(firm)
        self.model.ledger.move_workers(np.array([self.row]), np.array([row]), voluntary)


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
    def barred(self) -> bool:
        """Is the firm barred from taking newcomers and movers (a cancelled plan)?"""
        return bool(self.model.firms.barred_until[self.row] > self.model.month)

    def __repr__(self) -> str:
        return f"Firm(row={self.row}, {self.field}, {self.prefecture}, {self.headcount} workers)"

    # -- individual acts (the code of the monthly batch) ------------------------------------------
    def sanction(self, revoke_plan: bool = False) -> None:
        """Act on a found violation: an improvement order, or the cancellation of the plan.

        Either way the firm's compliance improves. A cancelled plan also bars the firm from
        taking newcomers or movers, and its trainees must find a new employer (an unavoidable
        transfer), as in the monthly audits (``sim.processes.audits``).
        """
        audits.sanction(self.model, np.array([self.row]), np.array([revoke_plan]))
        if revoke_plan:
            matching.release(self.model, np.array([self.row]), trainees_only=True)

    def close(self) -> None:
        """Bankruptcy or closure: every worker is released; a new owner reopens on the node."""
        firms.close(self.model, np.array([self.row]))


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

    def __repr__(self) -> str:
        return f"SupervisoryBody(row={self.row}, {len(self.model.bodies.members_of(self.row))} member firms)"

    def report(self, firm: Firm, revoke_plan: bool = False) -> None:
        """Report a found violation to the authorities, who sanction the firm."""
        firm.sanction(revoke_plan)
