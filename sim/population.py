"""People and firms as columns of numpy arrays (the state of record).

Every person the model ever let into Japan has a row in :class:`People`; the row stays after they
leave (status RETURNED or REMOVED), so flows and stocks can always be reconciled. Mesa agent
objects (``sim.agents``) are views on these rows: the arrays are what the monthly, vectorised
updates touch, as in Covasim and Starsim.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.domain import Residence, Status
from sim.processes.codes import IN_JAPAN, of_kind

#: name -> dtype of each per-person column. Money in yen, time in months.
PEOPLE_COLUMNS: dict[str, type | str] = {
    "pid": np.int64,  # the person's id for life (rows move when the arrays are compacted)
    "status": np.int8,
    "origin": np.int8,
    "field": np.int8,
    "firm": np.int32,  # employer row, -1 for none (irregular, searching, gone)
    "last_firm": np.int32,  # the previous employer (where a released person searches from)
    "pref": np.int16,  # prefecture index 0..46 where the person lives and works
    "arrival_month": np.int32,  # model month of arrival (negative for the initial stock)
    "left_month": np.int32,  # model month the person left Japan, -1 while in Japan
    "months_in_japan": np.int16,
    "months_in_status": np.int16,
    "months_with_employer": np.int16,
    "months_searching": np.int16,  # months without employer after an unavoidable release
    "wage_yen": np.float32,  # gross pay received this month
    "debt_yen": np.float64,
    "savings_yen": np.float64,
    "remitted_yen": np.float64,  # cumulative
    "skill": np.float32,  # in test-grade units (see docs/ODD.md, learning)
    "japanese": np.float32,  # JLPT-like units: 1 = N5/A1, 2 = N4/A2, 3 = N3/B1
    "aptitude": np.float32,
    "tests_passed": np.uint8,  # bit mask, domain.TEST_BITS
    "grievance": np.float32,
    "known_wage_yen": np.float32,  # best base wage heard of from ties
    "wage_gap": np.float32,  # (known wage - own employer's offer) / own offer, >= 0; 0 without employer
    "irregular_contact": np.bool_,  # a contact works irregularly (a route into irregular work)
    "wants_long_stay": np.bool_,
    "transferee": np.bool_,  # came to the employer by a voluntary transfer (the ESD 1/3 cap)
    "transferee_from_local": np.bool_,  # ... from an employer outside the designated (metro) area (the 1/6 cap)
    "transfers": np.int16,  # voluntary transfers made
    "pending_firm": np.int32,  # the firm an accepted ESD transfer goes to once it takes effect; -1: none
    "pending_month": np.int32,  # model month it takes effect (policy.transfer.transfer_lag_months)
    "bridging_until": np.int32,  # model month a bridging stay (2020-22 designated activities) ends; -1: none
    "stay_expired_month": np.int32,  # of an absconded trainee: model month their permitted stay ran out; -1: none
    "ssw1_month": np.int32,  # model month the person became SSW i (0: not during the run)
    "changed_in_ssw1": np.bool_,  # changed employer (any move) while in SSW i since then
    # Age, family and settlement (sim.processes.families, sim.processes.permanence):
    "birth_month": np.int32,  # model month of birth (age in months = month - birth_month)
    "residence": np.int8,  # domain.Residence: work status, spouse of a Japanese national, permanent resident
    "spouse": np.int8,  # domain.Spouse: none, a compatriot, a Japanese national
    "married_month": np.int32,  # model month of the marriage (for the spouses' permanence rule)
    "family_in_japan": np.bool_,  # the compatriot spouse and the children live in Japan (else abroad)
    "children": np.int8,  # children, 0..families.MAX_CHILDREN (their birth months in child*_birth_month)
    "child1_birth_month": np.int32,
    "child2_birth_month": np.int32,
    "child3_birth_month": np.int32,
}


@njit(cache=True)
def compact_column(column, keep):  # pragma: no cover - compiled
    """Move the kept rows of ``column`` (``keep``: a mask over its first rows) to its front, in order, in place."""
    j = 0
    for i in range(keep.shape[0]):
        if keep[i]:
            column[j] = column[i]
            j += 1


#: The unsigned integer type of each item size: columns are compacted as raw items of their size
#: (``_as_unsigned``), so ``compact_column`` is compiled (or loaded from the cache) for four
#: types rather than for each of the columns' nine dtypes; moving the bits moves the values.
_UNSIGNED_OF_SIZE = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _as_unsigned(column: np.ndarray) -> np.ndarray:
    """``column`` viewed as unsigned integers of its item size (no copy)."""
    return column.view(_UNSIGNED_OF_SIZE[column.itemsize])


@njit(cache=True)
def compact_contacts(contacts, keep, new_row):  # pragma: no cover - compiled
    """``compact_column`` for the contact rows, renumbered by ``new_row`` (-1: a contact who was dropped)."""
    j = 0
    for i in range(keep.shape[0]):
        if keep[i]:
            for k in range(contacts.shape[1]):
                c = contacts[i, k]
                contacts[j, k] = new_row[c] if c >= 0 else -1
            j += 1


@njit(cache=True)
def employer_waits(firm, waiting_months, none):  # pragma: no cover - compiled
    """Each person's ``waiting_months[firm]`` as int32, ``none`` for those without an employer
    (firm -1): one compiled pass instead of a fancy index, a cast and an ``np.where`` over everyone."""
    out = np.empty(firm.shape[0], dtype=np.int32)
    for i in range(firm.shape[0]):
        f = firm[i]
        out[i] = waiting_months[f] if f >= 0 else none
    return out


@njit(cache=True)
def workers_of_marked_firms(firm, status, marked, counted):  # pragma: no cover - compiled
    """Rows, in order, of the people whose status is of the kind ``counted`` (a mask of
    ``codes.STATUS_KINDS``, such as ``.legal``) and whose employer is marked
    (``marked``: one flag a firm): one compiled pass instead of a gather, two masks and a
    ``flatnonzero`` over everyone."""
    out = np.empty(firm.shape[0], dtype=np.int64)
    k = 0
    for i in range(firm.shape[0]):
        f = firm[i]
        if f >= 0 and marked[f] and of_kind(counted, status[i]):
            out[k] = i
            k += 1
    return out[:k]


#: The residence code read by ``count_into_firms``.
_WORK = int(Residence.WORK)


@njit(cache=True)
def count_into_firms(rows, sign, firm, status, residence, transferee, transferee_from_local, headcount, esd_headcount,
                     esd_transferees, esd_transferees_from_local, esd):  # pragma: no cover - compiled
    """Add (``sign`` +1) or remove (-1) the employed people at ``rows`` to or from their firms'
    counts, in place: workers; ESD workers (status ESD, not settled: a settled ESD trainee is no
    longer one); of them the voluntary transferees, and those from outside the designated area
    (the caps on transferees; ``esd``: the status code of ESD). One pass over ``rows``, not four counts over every firm."""
    for k in range(rows.shape[0]):
        i = rows[k]
        c = firm[i]
        if c < 0:  # (np.bincount refused it too: a -1 would silently count at the last firm)
            raise ValueError("count_into_firms: a row without an employer")
        headcount[c] += sign
        if status[i] == esd and residence[i] == _WORK:
            esd_headcount[c] += sign
            if transferee[i]:
                esd_transferees[c] += sign
                if transferee_from_local[i]:
                    esd_transferees_from_local[c] += sign


class People:
    """Growable columns, one row per person in Japan (and those who left since the last compaction).

    Rows are positions, not identities: ``compact`` drops people who left Japan and renumbers
    the rest (keeping their order), so ``pid`` is the id to keep across months and
    ``row_of_pid`` finds a person's row. What the outputs need of the people dropped (how many
    left and how, the month each arrived) is kept in counters.
    """

    def __init__(self, capacity: int, contacts_per_person: int) -> None:
        self.n = 0
        self.k = contacts_per_person
        self.next_pid = 0
        self._row_of_pid = np.zeros(0, dtype=np.int64)
        self.archived_returned = 0
        self.archived_removed = 0
        self.archived_naturalised = 0
        self.archived_died = 0
        self.archived_arrivals: dict[int, int] = {}  # arrival month -> people dropped by compaction
        self._alloc(max(capacity, 16))

    def _alloc(self, capacity: int) -> None:
        old_n = self.n
        for name, dtype in PEOPLE_COLUMNS.items():
            new = np.zeros(capacity, dtype=dtype)
            if old_n:
                new[:old_n] = getattr(self, name)[:old_n]
            setattr(self, name, new)
        # Not filled: ``add`` sets a row's contacts to -1 when it takes the row, and no one reads
        # rows beyond ``n``; memory the run never reaches is then never touched (build time, RSS).
        contacts = np.empty((capacity, self.k), dtype=np.int32)
        if old_n:
            contacts[:old_n] = self.contacts[:old_n]
        self.contacts = contacts
        self.capacity = capacity

    def add(self, count: int) -> np.ndarray:
        """Reserve ``count`` new rows (zeroed, firm -1, new pids) and return their indices."""
        if self.n + count > self.capacity:
            self._alloc(max(self.n + count, int(self.capacity * 1.5)))
        rows = np.arange(self.n, self.n + count)
        for name in PEOPLE_COLUMNS:  # rows freed by compaction still hold old values
            getattr(self, name)[self.n : self.n + count] = 0
        self.contacts[self.n : self.n + count] = -1
        self.firm[rows] = -1
        self.last_firm[rows] = -1
        self.left_month[rows] = -1
        self.bridging_until[rows] = -1
        self.stay_expired_month[rows] = -1
        self.pending_firm[rows] = -1
        pids = np.arange(self.next_pid, self.next_pid + count)
        self.pid[rows] = pids
        self.next_pid += count
        if self.next_pid > len(self._row_of_pid):  # grow geometrically: no copy every month
            grown = np.full(max(self.next_pid, int(len(self._row_of_pid) * 1.5)), -1, dtype=np.int64)
            grown[: len(self._row_of_pid)] = self._row_of_pid
            self._row_of_pid = grown
        self._row_of_pid[pids] = rows
        self.n += count
        return rows

    @property
    def row_of_pid(self) -> np.ndarray:
        """Current row of each person ever admitted, by pid (-1 once dropped by ``compact``)."""
        return self._row_of_pid[: self.next_pid]

    @property
    def entered(self) -> int:
        """Everyone ever admitted (initial stock included)."""
        return self.next_pid

    def view(self, name: str) -> np.ndarray:
        """The used part of a column (a view, no copy)."""
        return getattr(self, name)[: self.n]

    def in_japan(self) -> np.ndarray:
        """Boolean mask over used rows: legal or irregular, not gone."""
        return IN_JAPAN[self.view("status")]

    def compact(self) -> None:
        """Drop the rows of people who left Japan; contacts and ``row_of_pid`` follow the moves."""
        n = self.n
        keep = self.in_japan()
        gone = np.flatnonzero(~keep)
        if len(gone) == 0:
            return
        status = self.status[gone]
        self.archived_returned += int((status == Status.RETURNED).sum())
        self.archived_removed += int((status == Status.REMOVED).sum())
        self.archived_naturalised += int((status == Status.NATURALISED).sum())
        self.archived_died += int((status == Status.DIED).sum())
        months, counts = np.unique(self.arrival_month[gone], return_counts=True)
        for month, count in zip(months.tolist(), counts.tolist()):
            self.archived_arrivals[month] = self.archived_arrivals.get(month, 0) + count
        gone_pids = self.pid[gone].copy()
        kept = np.flatnonzero(keep)
        new_row = np.full(n, -1, dtype=np.int64)
        new_row[kept] = np.arange(len(kept))
        for name in PEOPLE_COLUMNS:  # in place, compiled: no temporary copy of each column
            compact_column(_as_unsigned(getattr(self, name)), keep)
        compact_contacts(self.contacts, keep, new_row)
        self.row_of_pid[gone_pids] = -1
        self.row_of_pid[self.pid[: len(kept)]] = np.arange(len(kept))
        self.n = len(kept)

    def nbytes(self) -> int:
        return sum(getattr(self, c).nbytes for c in PEOPLE_COLUMNS) + self.contacts.nbytes + self._row_of_pid.nbytes


#: name -> dtype of each per-firm column.
FIRM_COLUMNS: dict[str, type | str] = {
    "pref": np.int16,
    "field": np.int8,
    "real_field": np.int8,  # the ESD/SSW field, domain.REAL_FIELDS (firms in "other" draw theirs)
    "waiting_months": np.int16,  # ESD waiting before a voluntary transfer from this firm (its field's, or one year by choice)
    "supervisory_body": np.int32,
    "staff": np.int32,  # all full-time staff, Japanese included (sets the intake cap)
    "intake_cap_per_year": np.int32,
    "markup": np.float32,  # wage offer over the prefecture's minimum wage x hours
    "compliance": np.float32,  # 0..1: how unlikely the firm is to violate in a month
    "training_quality": np.float32,  # multiplies learning
    "demand": np.float32,  # foreign workers the firm wants
    "headcount": np.int32,  # foreign workers it has (legal statuses)
    "esd_headcount": np.int32,
    "esd_transferees": np.int32,  # ESD workers who came by voluntary transfer (the 1/3 cap)
    "esd_transferees_from_local": np.int32,  # ... of them from an employer outside the designated area (the 1/6 cap)
    "barred_until": np.int32,  # model month until which the firm takes no newcomers and no movers (a cancelled plan); -1: never barred
    "violations_pending": np.int32,  # violation-months since the last audit or inspection
    "violations_since_inspection": np.int32,  # violation-months since the last OTIT inspection (audits do not clear it)
    "next_inspection": np.int32,  # model month of the next OTIT inspection (every ``inspection_cycle_months``)
    "warned": np.bool_,  # the last OTIT inspection found violations (an improvement recommendation on record)
    "intake_this_year": np.int32,
    "quits_this_month": np.int32,
    "violating": np.bool_,  # violated this month
    "underpaying": np.bool_,  # this month's violation includes underpayment
}


class Firms:
    """Fixed-size columns, one row per firm (firms that close reopen under a new owner)."""

    def __init__(self, n: int) -> None:
        self.n = n
        for name, dtype in FIRM_COLUMNS.items():
            setattr(self, name, np.zeros(n, dtype=dtype))

    def nbytes(self) -> int:
        return sum(getattr(self, c).nbytes for c in FIRM_COLUMNS)


class SupervisoryBodies:
    """Columns of the supervisory bodies and their member firms (a CSR index, rebuilt when firms change body)."""

    def __init__(self, n: int, firm_body: np.ndarray) -> None:
        self.n = n
        self.independence = np.zeros(n, dtype=np.float32)  # share of found violations acted upon
        self.thoroughness = np.zeros(n, dtype=np.float32)  # chance an audit finds a violation
        self.pref = np.zeros(n, dtype=np.int16)
        self.general_licence = np.zeros(n, dtype=np.bool_)  # 一般監理事業: may supervise stage iii
        self.tied_officers = np.zeros(n, dtype=np.bool_)  # officers tied to member firms
        self.external_auditor = np.zeros(n, dtype=np.bool_)
        self.barred_until = np.full(n, -1, dtype=np.int32)  # licence revoked: may not supervise while > month
        self.next_inspection = np.zeros(n, dtype=np.int32)  # model month of the next OTIT inspection
        self.suppressed_since_inspection = np.zeros(n, dtype=np.int32)  # violation-months hushed up since then
        self.warned = np.zeros(n, dtype=np.bool_)  # the last inspection found something
        self.rebuild_members(firm_body)

    def rebuild_members(self, firm_body: np.ndarray) -> None:
        """The member index from each firm's body (at the start, and after firms move to other bodies)."""
        order = np.argsort(firm_body, kind="stable")
        counts = np.bincount(firm_body, minlength=self.n)
        self.member_ptr = np.concatenate([[0], np.cumsum(counts)])
        self.members = order.astype(np.int32)

    def members_of(self, body: int) -> np.ndarray:
        return self.members[self.member_ptr[body] : self.member_ptr[body + 1]]
