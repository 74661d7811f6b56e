"""Job search and hiring: who moves to which firm this month.

Seekers act one at a time in a random priority order (a fresh order for each batch of seekers:
the released, the searching, the voluntary seekers of a month): each looks over
the firms they can reach - the employer's firm ties, a few member firms put forward by the
employer's supervisory body, the employers of their contacts - keeps those that would accept
them (a vacancy, not barred from intake, the field rule, a wage gain for a voluntary move, the
ESD caps on transferees from other prefectures) and moves to the best-paying one. Each move
frees a place at the old employer and fills one at the new, which the next seekers see (as in
a serial dictatorship). Ties between equal offers go to the firm with the higher random
visibility drawn for the batch. One seeker alone gets exactly their best acceptable firm, so
``trainee.seek_transfer()`` and the monthly batch share this one implementation (the loop is
compiled: ``kernels.match``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.domain import Status

if TYPE_CHECKING:
    from sim.model import LabourMarket


def find_employers(model: LabourMarket, pids: np.ndarray, rng: np.random.Generator, voluntary: bool) -> np.ndarray:
    """Match seekers (rows of ``model.people``) to firms and move those hired.

    ``voluntary`` moves need a wage gain of ``min_wage_gain`` and count as voluntary transfers;
    otherwise (after an unavoidable release) any acceptable firm will do. Returns each
    seeker's new firm (-1: none).
    """
    p, f, pol = model.people, model.firms, model.policy
    t = pol.config.transfer
    pids = np.asarray(pids, dtype=np.int64)
    result = np.full(len(pids), -1, dtype=np.int64)
    home = np.where(p.firm[pids] >= 0, p.firm[pids], p.last_firm[pids]).astype(np.int64)
    searching = np.flatnonzero(home >= 0)
    if len(searching) == 0:
        return result
    who, home = pids[searching], home[searching]
    n = len(who)
    order = rng.permutation(n)
    placement_draws = rng.random((n, model.behaviour.transfer.placement_offers))
    noise = rng.random(f.n)

    status = p.status[who]
    is_ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
    is_esd = status == Status.ESD
    caps = (t.metro_cap_share is not None and t.metro_cap_share < 1.0) or (t.firm_cap_share is not None and t.firm_cap_share < 1.0)
    gain = model.behaviour.transfer.min_wage_gain
    min_offer = model.offer_yen[home] * (1.0 + gain) if voluntary else np.zeros(n)
    moved_to = kernels.match(
        order, home, p.firm[who] >= 0, min_offer, np.where(is_ssw, t.ssw_same_field, t.same_field), is_esd & caps,
        p.field[who], p.pref[who], p.transferee_from_other_area[who],
        model.firm_nbr_ptr, model.firm_nbr, f.supervisory_body, model.bodies.member_ptr, model.bodies.members,
        placement_draws, p.contacts[who], p.firm,
        model.offer_yen, noise, f.demand, f.headcount.copy(), f.esd_headcount.copy(), f.esd_transferees.copy(),
        f.sanctioned_until, model.month, f.field, f.pref, model.geo.metro,
        1.0 if t.metro_cap_share is None else t.metro_cap_share, 1.0 if t.firm_cap_share is None else t.firm_cap_share,
        is_esd,
    )
    hired = np.flatnonzero(moved_to >= 0)
    model.move_workers(who[hired], moved_to[hired], voluntary)
    result[searching[hired]] = moved_to[hired]
    return result
