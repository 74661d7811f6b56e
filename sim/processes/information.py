"""ODD 7.9 Information: people hear from their contacts what others earn, and who works irregularly.

Phase 8. Each contact tells their employer's base wage offer (a legal resident at work: TITP,
ESD, SSW i/ii, 介護), or that they work irregularly.
A person keeps the best offer heard (``known_wage_yen``), the relative gap to their own
employer's offer (``wage_gap`` = max(heard - own, 0) / own; 0 without an employer) and whether
any contact is irregular (``irregular_contact``). The decisions of this month (phase 10) and the
grievance of next month (phase 6) use them.

Parameters: none (contacts are drawn at arrival: ``world.contacts_per_person``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.processes.codes import STATUS_KINDS, of_kind

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: What a contact tells who works irregularly (offers are positive; 0 means nothing to tell).
TELLS_IRREGULAR = -1.0


@njit(cache=True)
def hear_kernel(contacts, status, firm, offer_yen, known_wage_yen, wage_gap, irregular_contact, kinds):  # pragma: no cover
    n, k = contacts.shape[0], contacts.shape[1]
    # What each person tells their contacts: their employer's offer, TELLS_IRREGULAR, or 0.
    # One small array read at random is much cheaper than status, firm and offer each.
    tells = np.zeros(n)
    for i in range(n):
        s = status[i]
        if s == kinds.irregular:
            tells[i] = TELLS_IRREGULAR
        elif of_kind(kinds.legal, s) and firm[i] >= 0:
            tells[i] = offer_yen[firm[i]]
    for i in range(n):
        if not of_kind(kinds.in_japan, status[i]):
            continue
        heard = 0.0
        irregular = False
        for j in range(k):
            c = contacts[i, j]
            if c >= 0:
                told = tells[c]
                if told < 0.0:
                    irregular = True
                elif told > heard:
                    heard = told
        known_wage_yen[i] = heard
        own = tells[i]
        wage_gap[i] = max(heard - own, 0.0) / own if own > 0.0 else 0.0
        irregular_contact[i] = irregular


def hear_about_wages(model: LabourMarket) -> None:
    """Phase 8: known wage, wage gap and irregular contact of everyone in Japan."""
    p = model.people
    n = p.n
    hear_kernel(
        p.contacts[:n], p.status[:n], p.firm[:n], model.offer_yen,
        p.known_wage_yen[:n], p.wage_gap[:n], p.irregular_contact[:n], STATUS_KINDS,
    )
