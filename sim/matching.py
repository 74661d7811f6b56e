"""Job search and hiring: who moves to which firm this month (two phases, vectorised).

Phase one, everyone decides: each seeker looks over the firms they can reach - the employer's
firm ties, a few member firms put forward by the employer's supervisory body, the employers of
their contacts - keeps those that would accept them (a vacancy, not barred from intake, the
field rule, a wage gain for a voluntary move, the ESD caps on transferees from other
prefectures) and picks the best-paying one. Phase two, firms hire: each firm takes its
applicants in a random order up to its vacancies (and caps); those turned away try their next
best choice, for up to ``ROUNDS`` rounds. One seeker alone gets exactly their best acceptable
firm, so ``trainee.seek_transfer()`` and the monthly batch share this one implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.domain import Status

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Rounds of applications in a month (assumption: turned-away seekers try twice more).
ROUNDS = 3


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR rows given by (start, count): (row number, flat position) of every entry."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(starts, counts) + offsets


def reachable_firms(
    model: LabourMarket, home: np.ndarray, pids: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(seeker index, firm) pairs: the firms each seeker can reach from ``home`` (their employer)."""
    p, b = model.people, model.bodies
    owner_a, pos = _expand(model.firm_nbr_ptr[home], model.firm_nbr_ptr[home + 1] - model.firm_nbr_ptr[home])
    firm_a = model.firm_nbr[pos]
    offers = model.behaviour.transfer.placement_offers
    body = model.firms.supervisory_body[home]
    size = b.member_ptr[body + 1] - b.member_ptr[body]
    draw = (rng.random((len(home), offers)) * size[:, None]).astype(np.int64)
    firm_b = b.members[b.member_ptr[body][:, None] + draw].ravel()
    owner_b = np.repeat(np.arange(len(home)), offers)
    contacts = p.contacts[pids]
    firm_c = np.where(contacts >= 0, p.firm[np.maximum(contacts, 0)], -1).ravel()
    owner_c = np.repeat(np.arange(len(home)), contacts.shape[1])
    owner = np.concatenate([owner_a, owner_b, owner_c])
    firm = np.concatenate([firm_a, firm_b, firm_c]).astype(np.int64)
    keep = (firm >= 0) & (firm != home[owner])
    return owner[keep], firm[keep]


def _cap_room(share: float | None, esd: np.ndarray, transferees: np.ndarray) -> np.ndarray:
    """How many more ESD transferees from other areas a firm may take: (t + k) <= share (e + k)."""
    if share is None or share >= 1.0:
        return np.full(len(esd), np.inf)
    return np.floor((share * esd - transferees) / (1.0 - share) + 1e-9)


def find_employers(model: LabourMarket, pids: np.ndarray, rng: np.random.Generator, voluntary: bool) -> np.ndarray:
    """Match seekers to firms and move those hired; returns each seeker's new firm (-1: none).

    ``voluntary`` moves need a wage gain of ``min_wage_gain`` and count as voluntary transfers;
    otherwise (after an unavoidable release) any acceptable firm will do.
    """
    p, f, pol, geo = model.people, model.firms, model.policy, model.geo
    t = pol.config.transfer
    pids = np.asarray(pids, dtype=np.int64)
    result = np.full(len(pids), -1, dtype=np.int64)
    home = np.where(p.firm[pids] >= 0, p.firm[pids], p.last_firm[pids]).astype(np.int64)
    searching = np.flatnonzero(home >= 0)
    if len(searching) == 0:
        return result
    who, home = pids[searching], home[searching]
    owner, cand = reachable_firms(model, home, who, rng)
    tiebreak = rng.random(len(cand))
    priority = rng.random(len(who))

    status = p.status[who]
    is_ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
    same_field = np.where(is_ssw, t.ssw_same_field, t.same_field)
    gain = model.behaviour.transfer.min_wage_gain
    min_offer = model.offer_yen[home] * (1.0 + gain) if voluntary else np.zeros(len(who))
    capped = (status == Status.ESD) & ((t.metro_cap_share is not None) or (t.firm_cap_share is not None))

    # What does not change within the month: barred firms, wage gain, field rule.
    s, c, tb = owner, cand, tiebreak
    ok = (f.sanctioned_until[c] <= model.month) & (model.offer_yen[c] >= min_offer[s])
    ok &= ~same_field[s] | (f.field[c] == p.field[who][s])
    s, c, tb = s[ok], c[ok], tb[ok]
    capped_move = capped[s] & (f.pref[c] != p.pref[who][s])
    metro_dest = geo.metro[f.pref[c]]
    # Each seeker's acceptable firms, best-paid first (random tie-break): one sort for all rounds.
    order = np.argsort(s * 4_194_304.0 - model.offer_yen[c] * (1.0 + 1e-6 * tb), kind="stable")
    s, c, capped_move, metro_dest = s[order], c[order], capped_move[order], metro_dest[order]

    def room(firms: np.ndarray, metro: np.ndarray) -> np.ndarray:
        esd, moved = f.esd_headcount[firms], f.esd_transferees[firms]
        metro_room = np.where(metro, _cap_room(t.metro_cap_share, esd, moved), np.inf)
        return np.minimum(metro_room, _cap_room(t.firm_cap_share, esd, moved))

    for _ in range(ROUNDS):
        # Vacancies and cap room shrink as people are hired: what fails now fails for the month.
        ok = f.demand[c] - f.headcount[c] >= 1
        if capped_move.any():
            ok &= ~capped_move | (room(c, metro_dest) >= 1)
        s, c, capped_move, metro_dest = s[ok], c[ok], capped_move[ok], metro_dest[ok]
        if len(s) == 0:
            break
        # Phase one: each seeker applies to their best acceptable firm.
        first = np.r_[True, s[1:] != s[:-1]]
        a_s, a_c, a_capped, a_metro = s[first], c[first], capped_move[first], metro_dest[first]
        # Phase two: firms take applicants in random priority order up to vacancies and caps.
        order = np.lexsort((priority[a_s], a_c))
        a_s, a_c, a_capped, a_metro = a_s[order], a_c[order], a_capped[order], a_metro[order]
        group_start = np.flatnonzero(np.r_[True, a_c[1:] != a_c[:-1]])
        sizes = np.diff(np.r_[group_start, len(a_c)])
        rank = np.arange(len(a_c)) - np.repeat(group_start, sizes)
        accept = rank < np.floor(f.demand[a_c] - f.headcount[a_c])
        if a_capped.any():
            cum = np.cumsum(a_capped) - a_capped
            capped_rank = cum - np.repeat(cum[group_start], sizes)
            accept &= ~a_capped | (capped_rank < room(a_c, a_metro))
        hired_s, hired_c = a_s[accept], a_c[accept]
        if len(hired_s) == 0:
            break
        model.move_workers(who[hired_s], hired_c, voluntary)
        result[searching[hired_s]] = hired_c
        hired = np.zeros(len(who), dtype=bool)
        hired[hired_s] = True
        keep = ~hired[s]
        s, c, capped_move, metro_dest = s[keep], c[keep], capped_move[keep], metro_dest[keep]
    return result
