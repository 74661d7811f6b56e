"""Residence-status codes and their kinds, as plain integers and lookup tables for the compiled kernels.

The model asks of a status what kind it is (may the person work legally? are they a trainee?
still in Japan?), never where its code falls in the order of ``sim.domain.Status``: each kind is
a boolean table indexed by status code (``IS_LEGAL[status]``), built here from named sets of
statuses, so that renumbering or adding a status cannot silently change which people a rule
applies to. The compiled kernels take the kinds (as bit masks over the codes, ``of_kind``) and
any code they compare with as an argument (``STATUS_KINDS``, a ``StatusKinds``), never as a
module global that numba would bake into the compiled code; numba's on-disk cache is keyed on the package's sources as a whole
(``sim._find_numba_cache``), so no cached kernel outlives a change of these values either.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.domain import TITP_STATUSES, TRAINEE_STATUSES, Status

TITP_1 = int(Status.TITP_1)
TITP_2 = int(Status.TITP_2)
TITP_3 = int(Status.TITP_3)
ESD = int(Status.ESD)
SSW_1 = int(Status.SSW_1)
SSW_2 = int(Status.SSW_2)
CARE_WORKER = int(Status.CARE_WORKER)
IRREGULAR = int(Status.IRREGULAR)
RETURNED = int(Status.RETURNED)
REMOVED = int(Status.REMOVED)
NATURALISED = int(Status.NATURALISED)
DIED = int(Status.DIED)
#: Number of status codes (the length of arrays indexed by status).
N_STATUS_CODES = len(Status)

#: The statuses of each kind the model asks about, by name (besides ``sim.domain``'s TITP and
#: trainee statuses: TITP i-iii, and with ESD).
#: The skilled-worker statuses, paid as Japanese workers: SSW i, SSW ii and 介護 (Certified Care Worker).
SKILLED_STATUSES = frozenset({Status.SSW_1, Status.SSW_2, Status.CARE_WORKER})
#: Statuses renewable without limit, family allowed: SSW ii and 介護.
UNLIMITED_STATUSES = frozenset({Status.SSW_2, Status.CARE_WORKER})
#: May work legally: the trainees and the skilled workers.
LEGAL_STATUSES = frozenset(TRAINEE_STATUSES) | SKILLED_STATUSES
#: In Japan: legal residents and the irregular ("disappeared").
IN_JAPAN_STATUSES = LEGAL_STATUSES | {Status.IRREGULAR}
#: With a next step on the ladder (``sim.processes.ladder``): the trainees and SSW i.
ON_LADDER_STATUSES = frozenset(TRAINEE_STATUSES) | {Status.SSW_1}


class KindTable(np.ndarray):
    """A boolean table indexed by status code (``IS_LEGAL[status]``), read-only.

    Indexed by a whole array of statuses (everyone's, each month) it answers with one compiled
    pass (``_statuses_of_kind``) instead of numpy's gather, which first converts the int8 codes
    to pointer-sized indices: several times slower than the comparison by order it replaced.
    Anything else (a code, a slice, a small array) is ordinary numpy indexing.
    """

    def __getitem__(self, index):
        if isinstance(index, np.ndarray) and index.ndim == 1 and index.dtype.kind in "iu" and index.size > 64:
            return _statuses_of_kind(_mask(np.asarray(self)), index)
        found = super().__getitem__(index)
        return found.view(np.ndarray) if isinstance(found, np.ndarray) else found  # a plain array, as numpy's


@njit(cache=True)
def _statuses_of_kind(mask, status):  # pragma: no cover - compiled
    """For each status code in ``status``: is it of the kind with bit mask ``mask``?"""
    out = np.empty(status.shape[0], dtype=np.bool_)
    for i in range(status.shape[0]):
        out[i] = (mask >> status[i]) & 1 != 0
    return out


def _table(statuses: Iterable[Status]) -> KindTable:
    """A boolean table indexed by status code: True for the codes of ``statuses``."""
    table = np.zeros(N_STATUS_CODES, dtype=np.bool_)
    table[[int(s) for s in statuses]] = True
    table = table.view(KindTable)
    table.flags.writeable = False
    return table


IS_TITP = _table(TITP_STATUSES)
IS_TRAINEE = _table(TRAINEE_STATUSES)
IS_SKILLED = _table(SKILLED_STATUSES)
IS_UNLIMITED = _table(UNLIMITED_STATUSES)
IS_LEGAL = _table(LEGAL_STATUSES)
IN_JAPAN = _table(IN_JAPAN_STATUSES)
#: Left Japan, by any way (returned, removed, naturalised, died): everyone not in Japan.
LEFT_JAPAN = _table(frozenset(Status) - IN_JAPAN_STATUSES)
IS_ON_LADDER = _table(ON_LADDER_STATUSES)


def _mask(table: np.ndarray) -> np.int32:
    """A kind table as a bit mask for the kernels: bit ``code`` set for the statuses of the kind."""
    if len(table) > 31:
        raise ValueError(f"{len(table)} status codes do not fit the kinds' int32 bit masks")
    return np.int32(sum(1 << code for code in np.flatnonzero(table).tolist()))


#: Options of a compiled helper that a loop calls once per person, seeker or candidate with arrays
#: among its arguments, and that allocates nothing: compiled without numba's reference counting
#: (``_nrt=False``), such a call does not increment and decrement each array's count (atomic
#: operations) every time, which made the calling loops up to ten times slower
#: (``ladder.ssw1_terms_of``; ``matching.firm_value``, ``offered_firm``: the job search 25% faster).
#: Results are the same: only the bookkeeping of array lifetimes is left out.
ARRAY_HELPER: dict[str, bool] = {"cache": True, "_nrt": False}


@njit(cache=True, inline="always")
def of_kind(mask, s):  # pragma: no cover - compiled
    """Is status code ``s`` of the kind with bit mask ``mask`` (a field of ``StatusKinds``)?

    A shift and an and, not a load from a table: the loops over everyone stay vectorised and
    branch-free (a bool table lookup made them several times slower).
    """
    return (mask >> s) & 1 != 0


class StatusKinds(NamedTuple):
    """The kinds (as bit masks over the codes) and status codes, one argument of the compiled kernels (``kinds``).

    A kernel asks ``of_kind(kinds.legal, s)`` or compares ``s == kinds.esd``: the values arrive
    at run time, so no compiled or cached kernel depends on the numbering of ``Status``.
    """

    titp: np.int32
    trainee: np.int32
    skilled: np.int32
    unlimited: np.int32
    legal: np.int32
    in_japan: np.int32
    left_japan: np.int32
    on_ladder: np.int32
    titp_1: int
    titp_2: int
    titp_3: int
    esd: int
    ssw_1: int
    ssw_2: int
    care_worker: int
    irregular: int
    returned: int
    removed: int


#: The one ``StatusKinds`` the model passes to its kernels.
STATUS_KINDS = StatusKinds(_mask(IS_TITP), _mask(IS_TRAINEE), _mask(IS_SKILLED), _mask(IS_UNLIMITED), _mask(IS_LEGAL),
                           _mask(IN_JAPAN), _mask(LEFT_JAPAN), _mask(IS_ON_LADDER),
                           TITP_1, TITP_2, TITP_3, ESD, SSW_1, SSW_2, CARE_WORKER, IRREGULAR, RETURNED, REMOVED)

#: The work status each legal status code is counted under in the stocks by work status (TITP
#: i-iii together), by the name the tallies give it.
WORK_STATUS_NAME: dict[int, str] = {
    TITP_1: "titp", TITP_2: "titp", TITP_3: "titp", ESD: "esd", SSW_1: "ssw1", SSW_2: "ssw2", CARE_WORKER: "care_worker",
}


def column_index(name: str, columns: tuple[str, ...]) -> tuple[int, ...]:
    """The positions of ``columns`` as a named tuple of class ``name`` (``T.paid`` is
    ``columns.index("paid")``): the tallies index their columns by name, also in compiled
    kernels (numba reads the fields of a global named tuple as constants)."""
    return namedtuple(name, columns)(*range(len(columns)))


def column_by_status(columns: tuple[str, ...], prefix: str = "", other: str | None = None) -> np.ndarray:
    """For each status code, the index in ``columns`` of ``prefix`` + its work status's name
    (``WORK_STATUS_NAME``), or of ``other`` for the codes without one (-1 if ``other`` is None):
    a table the compiled tallies read, so that one list says which column counts which status."""
    fallback = -1 if other is None else columns.index(other)
    return np.array([columns.index(prefix + WORK_STATUS_NAME[code]) if code in WORK_STATUS_NAME else fallback
                     for code in range(N_STATUS_CODES)], dtype=np.int64)
