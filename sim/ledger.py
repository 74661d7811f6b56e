"""The ledger: the state of record and the books of every change of it (docs/ODD.md 7.13).

People, firms and supervisory bodies are columns of numpy arrays (``sim.population``); the
ledger holds them with the rest of the state that lasts from month to month - the wage offers,
this month's flows (nationally and by group), the SSW i job-change cohorts, the arrivals'
carried fractions and recruits on their way, the transfer record - and its methods are the one
place each kind of bookkeeping change passes: moving a worker to another employer, taking people
off their employer's books, releasing, disappearing, leaving Japan, changing status or residence,
counting a flow, recounting headcounts. So headcounts, ESD counts and flows cannot drift apart.

The ledger decides nothing and draws nothing: it never calls a process (``sim.processes``
behaviour), never touches the random streams, and knows no Mesa agent. Whoever asks it to record a
change has decided it: a released worker's job search is ``matching.release``, an absconder's
overstay month comes from the ladder (``decisions.abscond``). Processes read the arrays and may
write the columns of the people and firms they act on (pay, skills, grievance, markups), but every
change that other counts depend on goes through a method here, and every piece of state a
process keeps between months is a declared field below, not an attribute added on the fly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.domain import Residence, Status
from sim.outputs import GroupFlows
from sim.population import Firms, People, SupervisoryBodies, count_into_firms, employer_waits, workers_of_marked_firms
from sim.processes.codes import ESD, IS_LEGAL, IS_TRAINEE, STATUS_KINDS

if TYPE_CHECKING:
    from sim.geography import Geography
    from sim.policy import Policy


#: The kinds of move (a transfer record's ``kind``; the flows ``transfers_voluntary``,
#: ``transfers_unavoidable`` and ``transfers_at_stage_iii``).
VOLUNTARY, UNAVOIDABLE, AT_STAGE_III = "voluntary", "unavoidable", "at_stage_iii"

#: The keys of a transfer record (``Ledger.transfer_log``), all as they stood before the mover's
#: batch of moves (one ``move_workers`` call; the matching moves seekers one at a time within it).
TRANSFER_LOG_FIELDS = {
    "month": "model month of the move",
    "pid": "the mover's id for life",
    "status": "the mover's status code",
    "voluntary": "a voluntary transfer (kind == voluntary)",
    "kind": "voluntary, unavoidable (after a release) or at_stage_iii (the employer change at the TITP ii -> iii step)",
    "batch": "the batch of moves, numbered from 0 in the run",
    "from_firm": "the employer left (-1: none, a released worker)",
    "to_firm": "the new employer",
    "from_field": "the field of the employer left (-1: none)",
    "to_field": "the new employer's field",
    "person_field": "the mover's field",
    "from_pref": "the prefecture left (the employer's, or where a released worker lives)",
    "to_pref": "the new employer's prefecture",
    "from_metro": "is from_pref a designated (metro) area?",
    "to_metro": "is to_pref a designated (metro) area?",
    "months_with_employer": "months with the employer left",
    "waiting_months": "the ESD waiting period of the employer left (the last employer of a released worker; -1: none)",
    "tests_passed": "bit mask of the tests the mover has passed (domain.TEST_BITS)",
    "settled": "has the mover settled (residence not WORK: spouse status or permanent)?",
    "to_esd_headcount_before": "the new employer's ESD workers",
    "to_esd_transferees_before": "of them, voluntary transferees (the 1/3 cap)",
    "to_esd_local_before": "of those, from outside the designated area (the 1/6 cap of metro firms)",
}


@dataclass(eq=False, repr=False)
class Ledger:
    """The state of record of one run and its bookkeeping (see the module docstring)."""

    #: Everyone ever let into Japan (rows stay after they leave, until compaction).
    people: People
    #: The employers (rows never move).
    firms: Firms
    #: The supervisory bodies and their member firms.
    bodies: SupervisoryBodies
    #: Prefectures (``metro``: designated areas, for moves into and out of them).
    geo: Geography
    #: The policy (the cost-sharing reimbursement of a voluntary transfer).
    policy: Policy
    #: This month's flows by group (prefecture, field, origin), counted where events happen.
    group_flows: GroupFlows
    #: The model month whose books are open (0: the initial state).
    month: int = 0
    #: This month's flows, nationally: events counted in agents (or yen), reset each month.
    flows: Counter[str] = field(default_factory=Counter)
    #: By model month of entry into SSW i: people of that cohort who changed employer since
    #: (agents; the cohort column ``ssw1_entrants_changed``, ISA's SSW job-change measure).
    ssw1_changed_by_entry: np.ndarray = field(default_factory=lambda: np.zeros(1))
    #: Each prefecture's minimum-wage monthly pay now (``offers.update_offers``, ODD 7.1).
    base_pay_yen: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Each firm's monthly base wage offer now (``offers.update_offers``).
    offer_yen: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: The fraction of a newcomer carried to next month, by kind of newcomer (``arrivals``).
    intake_carry: dict[str, float] = field(default_factory=dict)
    #: Trainees recruited abroad and on their way: arrival month -> the ordering firms' rows.
    recruits_ordered: dict[int, np.ndarray] = field(default_factory=dict)
    #: Batches of releases this month (each batch's job search draws from its own stream).
    release_batches: int = 0
    #: Every transfer as a record (micro-data; ``log_transfers``), or None when not kept: one dict a
    #: mover with the keys ``TRANSFER_LOG_FIELDS``, as things stood before their batch of moves.
    transfer_log: list[dict] | None = None
    #: Batches of moves logged so far (``move_workers`` calls; a record's ``batch``), while the log is kept.
    transfer_batches: int = 0
    #: Called with the ids for life (``pid``) of people who left Japan (the model drops their agent views).
    on_leave_japan: Callable[[np.ndarray], None] | None = None

    def __repr__(self) -> str:
        return f"Ledger(month={self.month}, people={self.people.n}, firms={self.firms.n}, bodies={self.bodies.n})"

    # =========================================================================================
    # The month's books
    # =========================================================================================
    def open_month(self) -> None:
        """A new month: its flows start at zero (the cohort record grows if a run outlasts it)."""
        self.month += 1
        self.flows = Counter()
        self.group_flows.clear()
        self.release_batches = 0
        if self.month >= len(self.ssw1_changed_by_entry):  # a run longer than the scenario's months
            self.ssw1_changed_by_entry = np.append(self.ssw1_changed_by_entry, np.zeros(self.month + 1 - len(self.ssw1_changed_by_entry)))

    def count_flow(self, name: str, rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count this month's events ``name`` of the people at ``rows``: nationally and by their group."""
        if len(rows) == 0:
            return
        self.flows[name] += len(rows) if weights is None else weights.sum()
        self.group_flows.add_people(name, rows, self.people, weights)

    def count_firm_flow(self, name: str, firm_rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count this month's events ``name`` at firms: nationally and by the firms' prefecture and field."""
        if len(firm_rows) == 0:
            return
        self.flows[name] += len(firm_rows) if weights is None else weights.sum()
        self.group_flows.add_firms(name, firm_rows, self.firms, weights)

    def add_to_flow(self, name: str, amount: float) -> None:
        """Add ``amount`` (events, or yen) to this month's national flow ``name`` (one with no groups)."""
        self.flows[name] += amount

    def set_offers(self, base_pay_yen: np.ndarray, offer_yen: np.ndarray) -> None:
        """Record the prefectures' minimum-wage pay and the firms' wage offers now (``offers``, ODD 7.1)."""
        self.base_pay_yen = base_pay_yen
        self.offer_yen = offer_yen

    # =========================================================================================
    # What the arrivals carry between months
    # =========================================================================================
    def whole_newcomers(self, kind: str, expected: float) -> int:
        """This month's whole newcomers of ``kind`` out of ``expected`` (agents) and the fraction carried
        from last month; the fraction left is carried to next month."""
        want = self.intake_carry[kind] + expected
        n = int(want)
        self.intake_carry[kind] = want - n
        return n

    def order_recruits(self, arrival_month: int, firm_rows: np.ndarray) -> None:
        """Firms at ``firm_rows`` (one entry per recruit) ordered trainees who arrive in ``arrival_month``."""
        self.recruits_ordered[arrival_month] = firm_rows

    def recruits_arriving(self, month: int) -> np.ndarray:
        """The ordering firms' rows of the recruits who arrive in ``month`` (taken off the orders)."""
        return self.recruits_ordered.pop(month, np.zeros(0, dtype=np.int32))

    # =========================================================================================
    # Headcounts
    # =========================================================================================
    def recount_firms(self) -> None:
        """Every firm's headcounts from the people arrays (after vectorised changes)."""
        p = self.people
        n = p.n
        employed = np.flatnonzero(IS_LEGAL[p.status[:n]] & (p.firm[:n] >= 0))
        f = self.firms
        for counts in (f.headcount, f.esd_headcount, f.esd_transferees, f.esd_transferees_from_local):
            counts[:] = 0
        self.count_in(employed, +1)

    def count_in(self, rows: np.ndarray, sign: int) -> None:
        """Add (+1) or remove (-1) the employed people at ``rows`` to/from their firms' headcounts
        (``population.count_into_firms``: workers, ESD workers, ESD voluntary transferees)."""
        p, f = self.people, self.firms
        count_into_firms(np.asarray(rows, dtype=np.int64), np.int32(sign), p.firm, p.status, p.residence, p.transferee,
                         p.transferee_from_local, f.headcount, f.esd_headcount, f.esd_transferees,
                         f.esd_transferees_from_local, ESD)

    def waiting_months_of(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The ESD waiting period of each person's employer (``firms.waiting_months``; no limit
        without one); ``rows`` None: everyone's."""
        p = self.people
        firm = p.firm[: p.n] if rows is None else p.firm[rows]
        return employer_waits(firm, self.firms.waiting_months, np.iinfo(np.int32).max)

    def transfer_tests_of(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The bit mask of the tests a voluntary transfer needs for each person, by their employer's
        real field (``policy.transfer_tests_by_real_field``; without an employer the policy's
        ``transfer_tests``); ``rows`` None: everyone's."""
        p = self.people
        firm = p.firm[: p.n] if rows is None else p.firm[rows]
        by_firm = self.policy.transfer_tests_by_real_field[self.firms.real_field]
        return employer_waits(firm, by_firm, self.policy.transfer_tests)

    @contextmanager
    def _recounting(self, rows: np.ndarray) -> Iterator[None]:
        """Take the employed among ``rows`` out of their firms' counts, let the caller change what
        the counts depend on (status, residence), and count them in again."""
        employed = rows[self.people.firm[rows] >= 0]
        self.count_in(employed, -1)
        yield
        self.count_in(employed, +1)

    # =========================================================================================
    # Employers
    # =========================================================================================
    def move_workers(self, rows: np.ndarray, firm_rows: np.ndarray, voluntary: bool, at_stage_iii: bool = False) -> None:
        """Change employer (transfers, voluntary or unavoidable): the one place every move passes.

        Updates both firms' headcounts and ESD counts, the person's prefecture and months with
        the employer, and this month's flows (transfers, counted where the mover leaves; moves
        between prefectures and into or out of metro prefectures; the cost-sharing reimbursement).
        """
        if len(rows) == 0:
            return
        p, f, geo = self.people, self.firms, self.geo
        rows = np.asarray(rows, dtype=np.int64)
        firm_rows = np.asarray(firm_rows, dtype=np.int64)
        old = p.firm[rows].astype(np.int64)
        from_pref = np.where(old >= 0, f.pref[np.maximum(old, 0)], p.pref[rows])
        to_pref = f.pref[firm_rows]
        status = p.status[rows]
        ssw = (status == Status.SSW_1) | (status == Status.SSW_2)  # not 介護 (care workers), a status of its own
        served = p.months_with_employer[rows].astype(float)
        if self.transfer_log is not None:
            self._log_transfers(rows, firm_rows, old, from_pref, to_pref, status,
                                VOLUNTARY if voluntary else AT_STAGE_III if at_stage_iii else UNAVOIDABLE)
        if voluntary:  # counted in the groups the movers leave (``p.pref`` is still ``from_pref``)
            self.count_flow("transfers_voluntary", rows)
            # By holders of a work status; settled movers (who came through one) are in none of these.
            bound = p.residence[rows] == Residence.WORK
            self.count_flow("transfers_voluntary_ssw", rows[bound & ssw])
            self.count_flow("transfers_voluntary_trainee", rows[bound & IS_TRAINEE[status]])
            self.count_flow("transfers_voluntary_care_worker", rows[bound & (status == Status.CARE_WORKER)])
            self.flows["reimbursement_yen"] += self.policy.reimbursement_yen(status, served, p.residence[rows])
        elif at_stage_iii:  # the employer change allowed at the TITP ii -> iii step
            self.count_flow("transfers_at_stage_iii", rows)
        else:
            self.count_flow("transfers_unavoidable", rows)
        self.detach(rows[old >= 0], quits=voluntary)
        p.firm[rows] = firm_rows
        p.field[rows] = f.field[firm_rows]  # the same unless the policy lets people change field
        p.pref[rows] = to_pref
        p.months_with_employer[rows] = 0
        p.months_searching[rows] = 0
        # The caps count voluntary (本人意向) transferees [S]: all of them (1/3), and those whose
        # last employer is outside the designated area (1/6, at designated-area firms).
        p.transferee[rows] = voluntary
        p.transferee_from_local[rows] = voluntary & ~geo.metro[from_pref]
        self.count_in(rows, +1)
        if voluntary:
            p.transfers[rows] += 1
        self._count_ssw1_changes(rows, status)
        moved = from_pref != to_pref
        self.flows["inter_prefecture_moves"] += int(moved.sum())
        self.flows["employer_changes_ssw"] += int(ssw.sum())
        self.flows["inter_prefecture_moves_ssw"] += int((moved & ssw).sum())
        metro_from, metro_to = geo.metro[from_pref], geo.metro[to_pref]
        self.flows["moves_into_metro"] += int((metro_to & ~metro_from).sum())
        self.flows["moves_out_of_metro"] += int((metro_from & ~metro_to).sum())
        if moved.any():
            self.group_flows.add_places("moves_in", to_pref[moved])
            self.group_flows.add_places("moves_out", from_pref[moved])

    def promise_transfers(self, rows: np.ndarray, firm_rows: np.ndarray, due_month: int) -> None:
        """Record accepted voluntary transfers that take effect in ``due_month`` (the lag of plan
        certification and change of status): the people stay at their employer until then."""
        self.people.pending_firm[rows] = firm_rows
        self.people.pending_month[rows] = due_month

    def due_transfers(self) -> tuple[np.ndarray, np.ndarray]:
        """The promised transfers due this month, taken off the record: (rows, firm rows) of
        those still ESD workers at an employer, whose new employer is not barred; the others lapse."""
        p, f = self.people, self.firms
        n = p.n
        due = np.flatnonzero((p.pending_firm[:n] >= 0) & (p.pending_month[:n] <= self.month))
        to = p.pending_firm[due].astype(np.int64)
        p.pending_firm[due] = -1
        valid = ((p.status[due] == ESD) & (p.residence[due] == Residence.WORK) & (p.firm[due] >= 0) & (p.firm[due] != to)
                 & (f.barred_until[to] <= self.month))
        return due[valid], to[valid]

    def _log_transfers(self, rows: np.ndarray, firm_rows: np.ndarray, old: np.ndarray, from_pref: np.ndarray, to_pref: np.ndarray,
                       status: np.ndarray, kind: str) -> None:
        """Record a batch of moves in ``transfer_log`` as the state stood before it (``TRANSFER_LOG_FIELDS``):
        called only when the log is kept, so runs without it pay nothing for these reads."""
        p, f, metro = self.people, self.firms, self.geo.metro
        home = np.where(old >= 0, old, p.last_firm[rows])  # a released mover's home is their last employer
        waits = np.where(home >= 0, f.waiting_months[np.maximum(home, 0)], -1)
        columns = zip(p.pid[rows], status, old, firm_rows, p.field[rows], from_pref, to_pref, p.months_with_employer[rows], waits,
                      p.tests_passed[rows], p.residence[rows] != Residence.WORK, f.esd_headcount[firm_rows],
                      f.esd_transferees[firm_rows], f.esd_transferees_from_local[firm_rows])
        log, batch, voluntary = self.transfer_log, self.transfer_batches, kind == VOLUNTARY
        assert log is not None
        self.transfer_batches += 1
        log.extend(
            dict(month=self.month, pid=int(pid), status=int(st), voluntary=voluntary, kind=kind, batch=batch,
                 from_firm=int(a), to_firm=int(b), from_field=int(f.field[a]) if a >= 0 else -1, to_field=int(f.field[b]),
                 person_field=int(pf), from_pref=int(fp), to_pref=int(tp), from_metro=bool(metro[fp]), to_metro=bool(metro[tp]),
                 months_with_employer=int(m), waiting_months=int(w), tests_passed=int(tests), settled=bool(settled),
                 to_esd_headcount_before=int(e), to_esd_transferees_before=int(t), to_esd_local_before=int(local))
            for pid, st, a, b, pf, fp, tp, m, w, tests, settled, e, t, local in columns
        )

    def _count_ssw1_changes(self, rows: np.ndarray, status: np.ndarray) -> None:
        """SSW i holders' first change of employer since they became SSW i, counted in their entry cohort."""
        p = self.people
        ssw1 = rows[(status == Status.SSW_1) & (p.ssw1_month[rows] > 0)]
        first = ssw1[~p.changed_in_ssw1[ssw1]]
        np.add.at(self.ssw1_changed_by_entry, p.ssw1_month[first], 1.0)
        p.changed_in_ssw1[ssw1] = True

    def detach(self, rows: np.ndarray, quits: bool = False) -> None:
        """Take people off their employer's books (they keep ``last_firm``); ``quits`` counts them as quits."""
        p = self.people
        rows = rows[p.firm[rows] >= 0]
        if len(rows) == 0:
            return
        self.count_in(rows, -1)
        if quits:
            self.firms.quits_this_month += np.bincount(p.firm[rows], minlength=self.firms.n).astype(np.int32)
        p.last_firm[rows] = p.firm[rows]
        p.firm[rows] = -1

    def release(self, firm_rows: np.ndarray, trainees_only: bool) -> np.ndarray:
        """The workers (``trainees_only``: the trainees) of these firms lose their employer through no
        choice of theirs: taken off the books and counted as released, their search starting now.
        Returns their rows (their search is the caller's: ``matching.release``); a batch with
        anyone in it counts in ``release_batches``."""
        if len(firm_rows) == 0:
            return np.zeros(0, dtype=np.int64)
        p = self.people
        n = p.n
        releasing = np.zeros(self.firms.n, dtype=bool)
        releasing[firm_rows] = True
        rows = workers_of_marked_firms(p.firm[:n], p.status[:n], releasing,
                                      STATUS_KINDS.trainee if trainees_only else STATUS_KINDS.legal)
        if len(rows) == 0:
            return rows
        self.detach(rows)
        p.months_searching[rows] = 0
        self.count_flow("releases", rows)
        self.release_batches += 1
        return rows

    # =========================================================================================
    # Status and residence
    # =========================================================================================
    def disappear(self, rows: np.ndarray, stay_expired_month: np.ndarray) -> None:
        """Legal residents abscond into irregular work (their employer counts a quit);
        ``stay_expired_month``: when each one's permitted stay runs out (``ladder.stay_expiry``)."""
        if len(rows) == 0:
            return
        p = self.people
        self.count_flow("disappearances", rows)
        # ISA counts trainees; holders of the 2020-22 bridging status held another status (ladder).
        self.count_flow("disappearances_trainee", rows[IS_TRAINEE[p.status[rows]] & (p.bridging_until[rows] < 0)])
        p.stay_expired_month[rows] = stay_expired_month
        self.detach(rows, quits=True)
        p.status[rows] = Status.IRREGULAR
        p.months_in_status[rows] = 0
        p.transferee[rows] = False
        p.transferee_from_local[rows] = False

    def leave_japan(self, rows: np.ndarray, status: Status) -> None:
        """People leave Japan (RETURNED or REMOVED); their rows stay (until compaction), their agent views go."""
        if len(rows) == 0:
            return
        p = self.people
        self.detach(rows)
        p.status[rows] = status
        p.wage_yen[rows] = 0.0
        p.left_month[rows] = self.month
        if self.on_leave_japan is not None:
            self.on_leave_japan(p.pid[rows])

    def change_status(self, rows: np.ndarray, status: Status) -> None:
        """Move people to a new residence status, keeping firms' ESD counts right."""
        if len(rows) == 0:
            return
        p = self.people
        with self._recounting(rows):
            p.status[rows] = status
            p.months_in_status[rows] = 0
        if status == Status.SSW_1:
            self.mark_ssw1_entry(rows)

    def mark_ssw1_entry(self, rows: np.ndarray) -> None:
        """People who become SSW i now (from the ladder or arriving from abroad): their entry cohort."""
        self.people.ssw1_month[rows] = self.month
        self.people.changed_in_ssw1[rows] = False

    def change_residence(self, rows: np.ndarray, residence: Residence) -> None:
        """Settle people (spouse status, permanent residence), keeping firms' ESD counts right:
        a settled person keeps the programme's code in ``status`` but is no longer its worker."""
        if len(rows) == 0:
            return
        with self._recounting(rows):
            self.people.residence[rows] = residence

    def compact_if_due(self, share: float) -> None:
        """Drop the rows of people who left once they are more than ``share`` of the rows (only time
        and memory; ids for life, ``pid``, stay)."""
        if self.people.n - int(self.people.in_japan().sum()) > share * self.people.n:
            self.people.compact()
