"""Residence-status codes as plain integers, for the compiled kernels.

numba reads module-level integers as compile-time constants; these are derived from
``sim.domain.Status`` so that the kernels and the rest of the model cannot disagree. numba's
on-disk cache (``cache=True``) is keyed on each kernel's own source file, not on these values:
after a change here, delete the cached kernels (``find sim -name '*.nbi' -delete``, and the
``*.nbc`` files) or they keep the old codes.
"""

from __future__ import annotations

import numpy as np

from sim.domain import Status

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

#: The highest code of a trainee status (TITP i-iii, ESD) and of a legal status (with SSW and 介護).
LAST_TRAINEE = ESD
LAST_LEGAL = CARE_WORKER

#: The work status each legal status code is counted under in the stocks by work status (TITP
#: i-iii together), by the name the tallies give it.
WORK_STATUS_NAME: dict[int, str] = {
    TITP_1: "titp", TITP_2: "titp", TITP_3: "titp", ESD: "esd", SSW_1: "ssw1", SSW_2: "ssw2", CARE_WORKER: "care_worker",
}


def column_by_status(columns: tuple[str, ...], prefix: str = "", other: str | None = None) -> np.ndarray:
    """For each status code, the index in ``columns`` of ``prefix`` + its work status's name
    (``WORK_STATUS_NAME``), or of ``other`` for the codes without one (-1 if ``other`` is None):
    a table the compiled tallies read, so that one list says which column counts which status."""
    fallback = -1 if other is None else columns.index(other)
    return np.array([columns.index(prefix + WORK_STATUS_NAME[code]) if code in WORK_STATUS_NAME else fallback
                     for code in range(N_STATUS_CODES)], dtype=np.int64)
