"""ODD 7.12 Job search and matching: who moves to which firm (transfers, voluntary or unavoidable).

Seekers act one at a time in a random priority order (a fresh order for each batch: the
released, the searching, the voluntary seekers of a month). Each looks over the firms they can
reach - the employer's firm ties, ``placement_offers`` member firms put forward by the
employer's supervisory body, the employers of their contacts - keeps those that would accept
them and moves to the best-paying one. Acceptable: not barred from intake, a vacancy, an offer
at least ``1 + min_wage_gain`` times the current one for a voluntary move, the field rule
(``policy.same_field_required``), for an ESD worker's voluntary move the caps on transferees
(``policy.transferee_caps``: at most 1/3 of any firm's ESD workers may have come by voluntary
transfer, from anywhere; at most 1/6 of a designated-area (metro) firm's may have come so from
an employer outside the designated area; a metro -> metro move counts under the 1/3 only), and
the firm's hiring decision on the reimbursement it would owe: a firm takes a voluntary trainee
mover only if the reimbursement (``policy.reimbursement_owed_yen``) is covered by the surplus
the worker brings it over the months left in the programme,
``owed <= hiring_surplus_share x offer x months_left``. Each move frees a place at the old employer and fills
one at the new, which the next seekers see (a serial dictatorship). Ties between equal offers go
to the firm with the higher random visibility drawn for the batch. One seeker alone gets exactly
their best acceptable firm, so ``Trainee.seek_transfer()`` and the monthly batch share this code.

Parameters: ``behaviour.transfer.min_wage_gain``, ``behaviour.transfer.placement_offers``,
``behaviour.firms.hiring_surplus_share``; policy: field rule, caps on transferees, reimbursement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import Status

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the searches of people released by their employer (keyed by the month's batch).
RELEASE_STREAM = "release"

#: Weight of the random visibility that breaks ties between equal offers.
TIE_BREAK = 1e-6

#: Tolerance in the cap comparisons, so that exact thirds and sixths pass.
CAP_TOLERANCE = 1e-9


class Seekers(NamedTuple):
    """Per-seeker arrays (one entry per seeker, in the order given)."""

    home: np.ndarray  # the firm they search from (employer, or last employer after a release)
    employed: np.ndarray  # still on their employer's books?
    min_offer: np.ndarray  # the lowest offer they accept, yen a month
    same_field: np.ndarray  # must they stay in their field?
    capped: np.ndarray  # do the caps on transferees apply to them (an ESD worker's voluntary move)?
    counts_as_transferee: np.ndarray  # counted as a voluntary transferee at the new employer (ESD, voluntary)?
    from_local: np.ndarray  # is their (last) employer outside the designated area?
    is_esd: np.ndarray  # ESD workers (counted in the firms' ESD headcounts)
    field: np.ndarray
    pref: np.ndarray
    transferee: np.ndarray  # counted as a voluntary transferee at their employer?
    transferee_from_local: np.ndarray  # ... and as one from outside the designated area?
    owed_yen: np.ndarray  # reimbursement a new employer would owe for them (0: none)
    months_left: np.ndarray  # months left in their programme (the horizon of the hiring decision)
    contacts: np.ndarray  # rows of their contacts (-1: none)
    needs_host: np.ndarray  # may they go only to a stage iii host (the ii->iii employer change)?
    placement_draws: np.ndarray  # uniform draws choosing the member firms their body puts forward


class Reach(NamedTuple):
    """The ties along which firms are reached (compressed rows)."""

    firm_nbr_ptr: np.ndarray
    firm_nbr: np.ndarray
    body_of_firm: np.ndarray
    member_ptr: np.ndarray
    members: np.ndarray
    person_firm: np.ndarray  # every person's employer (the employers of contacts)


class Openings(NamedTuple):
    """Firms as seekers see them; the counts are copies that follow each move of the batch."""

    offer_yen: np.ndarray
    visibility: np.ndarray  # random tie-breaker drawn for the batch
    demand: np.ndarray
    headcount: np.ndarray
    esd_headcount: np.ndarray
    esd_transferees: np.ndarray
    esd_transferees_from_local: np.ndarray
    barred_until: np.ndarray
    field: np.ndarray
    pref: np.ndarray
    metro_pref: np.ndarray  # by prefecture: a metro prefecture?
    stage_iii_host: np.ndarray  # by firm: may it host stage iii?
    month: int
    metro_cap_share: float  # 1.0: no cap
    firm_cap_share: float  # 1.0: no cap
    surplus_share: float  # a worker's monthly surplus to the firm, share of its offer


@njit(cache=True)
def match_kernel(order, seekers, reach, firms):  # pragma: no cover - compiled
    """Seekers, in ``order``, each take the best-paying acceptable firm they can reach.

    Acceptable: not barred, a vacancy, an offer at least the seeker's minimum, the field rule,
    a stage iii host where the seeker needs one, for capped seekers the caps on transferees
    (every firm's share of ESD workers who came by voluntary transfer; a metro firm's share of
    those who came so from outside the designated area, for a seeker from outside it; counting
    the seeker), and the reimbursement covered by the seeker's surplus over their months left.
    Returns each seeker's new firm, -1 for none; ``firms``' counts follow each move.
    """
    # The structures' members as locals: read through the tuples inside the loops, numba
    # reloads them at every access and the kernel runs several times slower.
    home, is_employed, min_offer, same_field = seekers.home, seekers.employed, seekers.min_offer, seekers.same_field
    capped, is_esd, field, pref = seekers.capped, seekers.is_esd, seekers.field, seekers.pref
    counts, from_local, owed, months_left = seekers.counts_as_transferee, seekers.from_local, seekers.owed_yen, seekers.months_left
    transferee, transferee_local = seekers.transferee, seekers.transferee_from_local
    contacts, needs_host, draws = seekers.contacts, seekers.needs_host, seekers.placement_draws
    firm_nbr_ptr, firm_nbr, body_of_firm = reach.firm_nbr_ptr, reach.firm_nbr, reach.body_of_firm
    member_ptr, members, person_firm = reach.member_ptr, reach.members, reach.person_firm
    offer, visibility, demand, headcount = firms.offer_yen, firms.visibility, firms.demand, firms.headcount
    esd_headcount, esd_transferees, barred_until = firms.esd_headcount, firms.esd_transferees, firms.barred_until
    esd_local = firms.esd_transferees_from_local
    firm_field, firm_pref, metro_pref, host = firms.field, firms.pref, firms.metro_pref, firms.stage_iii_host
    month, metro_share, firm_share, surplus = firms.month, firms.metro_cap_share, firms.firm_cap_share, firms.surplus_share

    result = np.full(order.shape[0], -1, dtype=np.int64)
    n_draws = draws.shape[1]
    n_contacts = contacts.shape[1]
    for s in order:
        h = home[s]
        best, best_score = -1, -1.0
        body = body_of_firm[h]
        n_members = member_ptr[body + 1] - member_ptr[body]
        n_ties = firm_nbr_ptr[h + 1] - firm_nbr_ptr[h]
        for k in range(n_ties + n_draws + n_contacts):
            if k < n_ties:
                c = firm_nbr[firm_nbr_ptr[h] + k]
            elif k < n_ties + n_draws:
                c = members[member_ptr[body] + int(draws[s, k - n_ties] * n_members)]
            else:
                who = contacts[s, k - n_ties - n_draws]
                c = person_firm[who] if who >= 0 else -1
            if c < 0 or c == h:
                continue
            # Would firm c take seeker s now?
            if barred_until[c] > month or demand[c] - headcount[c] < 1.0 or offer[c] < min_offer[s]:
                continue
            if same_field[s] and firm_field[c] != field[s]:
                continue
            if needs_host[s] and not host[c]:
                continue
            if capped[s]:
                after_e = esd_headcount[c] + 1.0
                if firm_share < 1.0 and esd_transferees[c] + 1.0 > firm_share * after_e + CAP_TOLERANCE:
                    continue
                if (from_local[s] and metro_pref[firm_pref[c]] and metro_share < 1.0
                        and esd_local[c] + 1.0 > metro_share * after_e + CAP_TOLERANCE):
                    continue
            # The hiring decision: the reimbursement owed must be covered by the worker's surplus.
            if owed[s] > 0.0 and owed[s] > surplus * offer[c] * months_left[s]:
                continue
            score = offer[c] * (1.0 + TIE_BREAK * visibility[c])
            if score > best_score:
                best, best_score = c, score
        if best < 0:
            continue
        result[s] = best
        headcount[best] += 1
        employed = is_employed[s]
        if employed:
            headcount[h] -= 1
        if is_esd[s]:
            esd_headcount[best] += 1
            if counts[s]:
                esd_transferees[best] += 1
                if from_local[s]:
                    esd_local[best] += 1
            if employed:
                esd_headcount[h] -= 1
                if transferee[s]:
                    esd_transferees[h] -= 1
                if transferee_local[s]:
                    esd_local[h] -= 1
    return result


def find_employers(
    model: LabourMarket, rows: np.ndarray, rng: np.random.Generator, voluntary: bool, stage_iii_host: np.ndarray | None = None
) -> np.ndarray:
    """Match seekers (rows of ``model.people``) to firms and move those hired.

    ``voluntary`` moves need a wage gain of ``min_wage_gain`` and count as voluntary transfers;
    otherwise (after an unavoidable release) any acceptable firm will do. With ``stage_iii_host``
    (a mask over firms) the seekers change employer at the ii->iii step: only to a host, at no
    lower pay (assumption), counted as ``transfers_at_stage_iii``. Returns each seeker's new
    firm (-1: none).
    """
    p, f, pol = model.people, model.firms, model.policy
    rows = np.asarray(rows, dtype=np.int64)
    result = np.full(len(rows), -1, dtype=np.int64)
    home = np.where(p.firm[rows] >= 0, p.firm[rows], p.last_firm[rows]).astype(np.int64)
    searching = np.flatnonzero(home >= 0)
    if len(searching) == 0:
        return result
    who, home = rows[searching], home[searching]
    n = len(who)
    order = rng.permutation(n)
    placement_draws = rng.random((n, model.behaviour.transfer.placement_offers))
    visibility = rng.random(f.n)

    status = p.status[who]
    is_esd = status == Status.ESD
    gain = model.behaviour.transfer.min_wage_gain
    metro_cap, firm_cap = pol.transferee_caps
    owed = pol.reimbursement_owed_yen(status, p.months_with_employer[who].astype(float)) if voluntary else np.zeros(n)
    seekers = Seekers(
        home=home, employed=p.firm[who] >= 0,
        min_offer=model.offer_yen[home] * (1.0 + gain) if voluntary else model.offer_yen[home] if stage_iii_host is not None else np.zeros(n),
        same_field=pol.same_field_required(status), capped=pol.caps_apply(status) & voluntary,
        counts_as_transferee=is_esd & voluntary, from_local=~model.geo.metro[f.pref[home]], is_esd=is_esd,
        field=p.field[who], pref=p.pref[who], transferee=p.transferee[who], transferee_from_local=p.transferee_from_local[who],
        owed_yen=owed, months_left=pol.months_left_in_programme(status, p.months_in_japan[who]).astype(float),
        contacts=p.contacts[who], needs_host=np.full(n, stage_iii_host is not None), placement_draws=placement_draws,
    )
    reach = Reach(model.firm_nbr_ptr, model.firm_nbr, f.supervisory_body, model.bodies.member_ptr, model.bodies.members, p.firm)
    openings = Openings(
        model.offer_yen, visibility, f.demand, f.headcount.copy(), f.esd_headcount.copy(), f.esd_transferees.copy(),
        f.esd_transferees_from_local.copy(), f.barred_until, f.field, f.pref, model.geo.metro,
        np.ones(f.n, dtype=np.bool_) if stage_iii_host is None else stage_iii_host, int(model.month), float(metro_cap), float(firm_cap),
        float(model.behaviour.firms.hiring_surplus_share),
    )
    moved_to = match_kernel(order, seekers, reach, openings)
    hired = np.flatnonzero(moved_to >= 0)
    model.move_workers(who[hired], moved_to[hired], voluntary, at_stage_iii=stage_iii_host is not None)
    result[searching[hired]] = moved_to[hired]
    return result
