"""ODD 7.12 Job search and matching: who moves to which firm (transfers, voluntary or unavoidable).

Seekers act one at a time in a random priority order (a fresh order for each batch: the
released, the searching, the voluntary seekers of a month). Each looks over the firms they can
reach - the employer's firm ties, ``placement_offers`` offers, the employers of their contacts
(where a field's firms are enters through this reach) - keeps those that would accept them and
moves to the one they value most. Each offer comes, with probability ``national_offer_share``,
from the national pool of their field's listed vacancies (job sites and placement agencies,
registered support organisations, Hello Work: a firm is drawn with a chance proportional to its
whole vacancies at the start of the batch, wherever it is), otherwise from the member firms of
the employer's supervisory body; for an ESD worker with probability ``esd_national_offer_share``
(ESD moves are placed only through public channels - Hello Work, the ESD organisation, the
supervisory support organisation - not private agencies):

    value(c) = log(offer_yen[c] - rent_yen x housing_index[pref c] / 100)       pay after rent
               + compatriot_weight x (share of their contacts living in pref c)  ties to compatriots
               - move_cost x [pref c != their prefecture]                        leaving ties behind
               - far_move_cost x [pref c neither theirs nor a neighbour]          distance
               + taste_scale x g(seeker, c)                                       everything else

with g a standard Gumbel draw for each seeker and firm of the batch (a logit choice: the job,
the town, a friend's advice). A voluntary move needs value(c) >= value(employer) +
log(1 + min_wage_gain); a released person takes the best acceptable firm whatever its value.
Acceptable: not barred from intake, a vacancy, the field rule (``policy.same_field_required``),
at the ii->iii step a stage iii host at no lower pay, for an ESD worker's voluntary move the caps
on transferees (``policy.transferee_caps``: at most 1/3 of any firm's ESD workers may have come
by voluntary transfer, from anywhere; at most 1/6 of a designated-area (metro) firm's may have
come so from an employer outside the designated area; a metro -> metro move counts under the 1/3
only), and the firm's hiring decision on the reimbursement it would owe: a firm takes a
voluntary trainee mover only if the reimbursement (``policy.reimbursement_owed_yen``) is covered
by the surplus the worker brings it over the months left in the programme,
``owed <= hiring_surplus_share x offer x months_left``. Each move frees a place at the old
employer and fills one at the new, which the next seekers see (a serial dictatorship). Exact ties
go to the firm with the higher random visibility drawn for the batch. One seeker alone gets
exactly their best acceptable firm, so ``Trainee.seek_transfer()`` and the monthly batch share
this code.

Parameters: ``behaviour.transfer`` (``min_wage_gain``, ``placement_offers``, ``national_offer_share``,
``esd_national_offer_share``, ``rent_yen``,
``compatriot_weight``, ``move_cost``, ``far_move_cost``, ``taste_scale``),
``behaviour.firms.hiring_surplus_share``; data: the regional housing price index
(``sim/data/price_index_by_prefecture.csv``), prefecture adjacency; policy: field rule, caps on
transferees, reimbursement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import FIELDS, Residence, Status
from sim.params import bind, part
from sim.processes.codes import ARRAY_HELPER, STATUS_KINDS, of_kind

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the searches of people released by their employer (keyed by the month's batch).
RELEASE_STREAM = "release"
#: Random stream (of the world: fixed for the run) placing firms in or out of a mover's job category.
CATEGORY_STREAM = "job_category"

#: Weight of the random visibility that breaks ties between equal offers.
TIE_BREAK = 1e-6

#: Tolerance in the cap comparisons, so that exact thirds and sixths pass.
CAP_TOLERANCE = 1e-9

#: Pay after rent never counts below this (yen a month), so its log is defined.
MIN_NET_PAY_YEN = 1000.0

#: No gain needed (released people, the ii->iii step): any acceptable firm will do.
NO_THRESHOLD = -np.inf

#: Which cap on transferees refused a seeker the firm they would have taken (``match_kernel``'s
#: second result): none, the 1/3 of any firm, the 1/6 of a designated-area firm.
NOT_REFUSED, REFUSED_BY_FIRM_CAP, REFUSED_BY_METRO_CAP = 0, 1, 2
#: The flows counting them (voluntary ESD seekers whose best firm a cap refused).
REFUSED_FLOWS = {REFUSED_BY_FIRM_CAP: "transfers_refused_by_firm_cap", REFUSED_BY_METRO_CAP: "transfers_refused_by_metro_cap"}


class Seekers(NamedTuple):
    """Per-seeker arrays (one entry per seeker, in the order given)."""

    home: np.ndarray  # the firm they search from (employer, or last employer after a release)
    employed: np.ndarray  # still on their employer's books?
    min_offer: np.ndarray  # the lowest offer they accept, yen a month
    min_gain: np.ndarray  # value a firm must add over the employer's (log units; -inf: none)
    taste_key: np.ndarray  # uint64 key of their taste draws for the batch's firms
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
    same_category: np.ndarray  # must they stay in their job category (業務区分; trainees under ``same_job_category``)?
    category_key: np.ndarray  # uint64 key, fixed for life, of the draws placing firms in or out of their job category


class Reach(NamedTuple):
    """The ties along which firms are reached (compressed rows)."""

    firm_nbr_ptr: np.ndarray
    firm_nbr: np.ndarray
    body_of_firm: np.ndarray
    member_ptr: np.ndarray
    members: np.ndarray
    person_firm: np.ndarray  # every person's employer (the employers of contacts)
    person_pref: np.ndarray  # every person's prefecture (where contacts live) ...
    person_status: np.ndarray  # ... and status: only contacts still in Japan count ...
    in_japan: np.int32  # ... (the mask ``codes.STATUS_KINDS.in_japan``)


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
    rent_yen: np.ndarray  # by prefecture: the rent a mover weighs, yen a month
    adjacent: np.ndarray  # prefecture x prefecture: neighbours?
    month: int
    metro_cap_share: float  # policy.transfer's; 1.0 (``NO_CAP``): no cap
    firm_cap_share: float  # policy.transfer's; 1.0 (``NO_CAP``): no cap
    hiring_surplus_share: float  # a worker's monthly surplus to the firm, share of its offer (behaviour.firms)
    real_field: np.ndarray  # by firm: its real field (``domain.REAL_FIELDS``)
    category_share: np.ndarray  # by real field: chance a firm of it is in a given mover's job category (``policy.job_category_shares``)

    @classmethod
    def of(cls, model: LabourMarket, visibility: np.ndarray, stage_iii_host: np.ndarray | None) -> Openings:
        """The firms as this batch of seekers sees them (``stage_iii_host``: a mask, or None for every firm)."""
        f, geo = model.firms, model.geo
        metro_cap_share, firm_cap_share = model.policy.transferee_caps
        return bind(
            cls, part(model.behaviour.firms, "hiring_surplus_share"),
            offer_yen=model.offer_yen, visibility=visibility, demand=f.demand, headcount=f.headcount.copy(),
            esd_headcount=f.esd_headcount.copy(), esd_transferees=f.esd_transferees.copy(),
            esd_transferees_from_local=f.esd_transferees_from_local.copy(), barred_until=f.barred_until, field=f.field,
            pref=f.pref, metro_pref=geo.metro,
            stage_iii_host=np.ones(f.n, dtype=np.bool_) if stage_iii_host is None else stage_iii_host,
            rent_yen=model.behaviour.transfer.rent_yen * geo.housing_price_index / 100.0, adjacent=geo.adjacent,
            month=model.month, metro_cap_share=metro_cap_share, firm_cap_share=firm_cap_share,
            real_field=f.real_field, category_share=model.policy.job_category_shares,
        )


class Listings(NamedTuple):
    """The national pool of vacancies, by field (compressed rows: the field's firms with a whole
    vacancy and their cumulative vacancies), and the share of offers drawn from it."""

    field_ptr: np.ndarray  # field k's firms are firm[field_ptr[k]:field_ptr[k + 1]]
    firm: np.ndarray
    cum_vacancies: np.ndarray  # within each field, cumulative whole vacancies
    national_offer_share: float  # chance that an offer comes from this pool (behaviour.transfer)
    esd_national_offer_share: float  # ... for an ESD worker, whose moves go through public channels only

    @classmethod
    def of(cls, model: LabourMarket, vacancies: np.ndarray) -> Listings:
        """The pool of listed vacancies: each firm with at least one whole vacancy, by field (in
        firm order), weighted by its whole vacancies (``vacancies``: demand - headcount, <= 0 where barred)."""
        ptr, firm, cum = listings_kernel(model.firms.field.astype(np.int64), np.asarray(vacancies, dtype=np.float64), len(FIELDS))
        return bind(cls, part(model.behaviour.transfer, "national_offer_share", "esd_national_offer_share"), field_ptr=ptr, firm=firm,
                    cum_vacancies=cum)


@njit(cache=True)
def listings_kernel(firm_field, vacancies, n_fields):  # pragma: no cover - compiled
    """``Listings.of`` in two passes over the firms (a counting sort by field): the field
    pointers, the listed firms and their cumulative whole vacancies within each field."""
    ptr = np.zeros(n_fields + 1, dtype=np.int64)
    for c in range(firm_field.shape[0]):
        if vacancies[c] >= 1.0:
            ptr[firm_field[c] + 1] += 1
    for k in range(n_fields):
        ptr[k + 1] += ptr[k]
    firm = np.empty(ptr[n_fields], dtype=np.int64)
    cum = np.empty(ptr[n_fields])
    fill = ptr[:n_fields].copy()
    running = np.zeros(n_fields)
    for c in range(firm_field.shape[0]):
        if vacancies[c] >= 1.0:
            k = firm_field[c]
            running[k] += np.floor(vacancies[c])
            firm[fill[k]] = c
            cum[fill[k]] = running[k]
            fill[k] += 1
    return ptr, firm, cum


@njit(**ARRAY_HELPER)
def offered_firm(u, field, body_first, n_members, members, field_ptr, listed_firm, cum_vacancies, share):  # pragma: no cover
    """The firm an offer with uniform draw ``u`` puts forward: from the national pool of ``field``
    if ``u < share`` (``u / share`` picks a listed vacancy), else one of the supervisory body's
    ``n_members`` members from ``body_first`` (``(u - share) / (1 - share)`` picks it); -1: none.
    One draw decides both, so with ``share`` 0 the member drawn is exactly the one drawn before."""
    if u < share:
        lo, hi = field_ptr[field], field_ptr[field + 1]
        if hi == lo:
            return -1
        x = u / share * cum_vacancies[hi - 1]
        k = lo + np.searchsorted(cum_vacancies[lo:hi], x, side="right")
        return listed_firm[min(k, hi - 1)]
    if n_members == 0:
        return -1
    return members[body_first + min(int((u - share) / (1.0 - share) * n_members), n_members - 1)]


class Tastes(NamedTuple):
    """How seekers value a firm beyond its pay (``behaviour.transfer``)."""

    compatriot_weight: float  # per share of one's contacts living in the firm's prefecture
    move_cost: float  # for a firm in another prefecture
    far_move_cost: float  # more, for one not in a neighbouring prefecture
    taste_scale: float  # scale of the Gumbel taste for each seeker and firm

    @classmethod
    def of(cls, model: LabourMarket) -> Tastes:
        return bind(cls, part(model.behaviour.transfer, *cls._fields))


@njit(cache=True)
def pair_uniform(key, firm):  # pragma: no cover - compiled
    """A uniform draw in (0, 1) fixed by (key, firm): splitmix64 of the pair."""
    z = np.uint64(key) + np.uint64(firm + 1) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (float(z >> np.uint64(11)) + 0.5) / 9007199254740992.0


@njit(cache=True)
def taste_draw(key, firm):  # pragma: no cover - compiled
    """A standard Gumbel draw fixed by (seeker key, firm): -log(-log u) of ``pair_uniform``."""
    return -np.log(-np.log(pair_uniform(key, firm)))


@njit(cache=True)
def person_keys(pid, salt):  # pragma: no cover - compiled
    """Per person id: a uint64 key fixed for life (``pair_uniform`` of the id and the run's salt)."""
    out = np.empty(pid.shape[0], dtype=np.uint64)
    for i in range(pid.shape[0]):
        out[i] = np.uint64(pair_uniform(salt, pid[i]) * 18446744073709551615.0)
    return out


@njit(**ARRAY_HELPER)
def firm_value(c, pref_s, contact_pref, offer, firm_pref, rent_yen, adjacent, key, tastes):  # pragma: no cover
    """What a seeker living in ``pref_s`` makes of firm ``c`` (the module docstring's value).

    ``contact_pref``: the prefecture of each of the seeker's contacts in Japan (-1: no contact,
    or one who left), read once per seeker (``contact_prefectures``) rather than once per firm.
    """
    pc = firm_pref[c]
    v = np.log(max(offer[c] - rent_yen[pc], MIN_NET_PAY_YEN))
    n_contacts = contact_pref.shape[0]
    if tastes.compatriot_weight != 0.0 and n_contacts > 0:
        there = 0
        for k in range(n_contacts):
            if contact_pref[k] == pc:
                there += 1
        v += tastes.compatriot_weight * there / n_contacts
    if pc != pref_s:
        v -= tastes.move_cost
        if not adjacent[pref_s, pc]:
            v -= tastes.far_move_cost
    if tastes.taste_scale > 0.0:
        v += tastes.taste_scale * taste_draw(key, c)
    return v


@njit(**ARRAY_HELPER)
def contact_prefectures(contacts_s, person_pref, person_status, in_japan, out):  # pragma: no cover - compiled
    """Into ``out``: where each of a seeker's contacts (``contacts_s``, rows) lives, -1 for no contact or one who left
    Japan (not of the kind ``in_japan``, the mask ``codes.STATUS_KINDS.in_japan``)."""
    for k in range(contacts_s.shape[0]):
        who = contacts_s[k]
        out[k] = person_pref[who] if who >= 0 and of_kind(in_japan, person_status[who]) else -1


@njit(**ARRAY_HELPER)
def open_vacancy(c, barred_until, demand, headcount, month):  # pragma: no cover - compiled
    """Firm ``c``'s vacancies (demand - headcount), -inf while it is barred from intake."""
    return -np.inf if barred_until[c] > month else demand[c] - headcount[c]


@njit(cache=True)
def match_kernel(order, seekers, reach, firms, tastes, listings):  # pragma: no cover - compiled
    """Seekers, in ``order``, each take the acceptable firm they can reach that they value most.

    Acceptable: not barred, a vacancy, an offer at least the seeker's minimum, a value at least
    the employer's plus the seeker's minimum gain, the field rule, a stage iii host where the
    seeker needs one, for capped seekers the caps on transferees (every firm's share of ESD
    workers who came by voluntary transfer; a metro firm's share of those who came so from
    outside the designated area, for a seeker from outside it; counting the seeker), and the
    reimbursement covered by the seeker's surplus over their months left. Returns each seeker's
    new firm, -1 for none, and which cap (``REFUSED_BY_FIRM_CAP`` / ``_METRO_CAP``, else
    ``NOT_REFUSED``) refused them the firm they would have taken without the caps (a firm
    acceptable on every other count and valued above their choice, or above staying);
    ``firms``' counts follow each move.
    """
    # The structures' members as locals: read through the tuples inside the loops, numba
    # reloads them at every access and the kernel runs several times slower.
    home, is_employed, min_offer, same_field = seekers.home, seekers.employed, seekers.min_offer, seekers.same_field
    capped, is_esd, field, pref = seekers.capped, seekers.is_esd, seekers.field, seekers.pref
    counts, from_local, owed, months_left = seekers.counts_as_transferee, seekers.from_local, seekers.owed_yen, seekers.months_left
    transferee, transferee_local = seekers.transferee, seekers.transferee_from_local
    contacts, needs_host, draws = seekers.contacts, seekers.needs_host, seekers.placement_draws
    min_gain, taste_key = seekers.min_gain, seekers.taste_key
    same_category, category_key = seekers.same_category, seekers.category_key
    firm_nbr_ptr, firm_nbr, body_of_firm = reach.firm_nbr_ptr, reach.firm_nbr, reach.body_of_firm
    member_ptr, members, person_firm, person_pref = reach.member_ptr, reach.members, reach.person_firm, reach.person_pref
    person_status, in_japan = reach.person_status, reach.in_japan
    rent_yen, adjacent = firms.rent_yen, firms.adjacent
    offer, visibility, demand, headcount = firms.offer_yen, firms.visibility, firms.demand, firms.headcount
    esd_headcount, esd_transferees, barred_until = firms.esd_headcount, firms.esd_transferees, firms.barred_until
    esd_local = firms.esd_transferees_from_local
    firm_field, firm_pref, metro_pref, host = firms.field, firms.pref, firms.metro_pref, firms.stage_iii_host
    month, metro_share, firm_share, surplus = firms.month, firms.metro_cap_share, firms.firm_cap_share, firms.hiring_surplus_share
    real_field, category_share = firms.real_field, firms.category_share
    field_ptr, listed_firm, cum_vacancies, national_share = listings.field_ptr, listings.firm, listings.cum_vacancies, listings.national_offer_share
    esd_share = listings.esd_national_offer_share

    result = np.full(order.shape[0], -1, dtype=np.int64)
    refused = np.zeros(order.shape[0], dtype=np.int8)
    # Each firm's vacancies (demand - headcount; -inf when barred) in one array: one memory read
    # a candidate instead of three (the loop below is bound by reads of firms' attributes).
    vacancy = np.empty(offer.shape[0])
    for c in range(offer.shape[0]):
        vacancy[c] = open_vacancy(c, barred_until, demand, headcount, month)
    n_draws = draws.shape[1]
    n_contacts = contacts.shape[1]
    contact_pref = np.empty(n_contacts, dtype=person_pref.dtype)
    for s in order:
        h = home[s]
        best, best_score = -1, -np.inf
        capped_score, capped_by = -np.inf, NOT_REFUSED  # the best firm a cap refused them
        contact_prefectures(contacts[s], person_pref, person_status, in_japan, contact_pref)
        # The value of staying, and the least a new firm must be worth (released: no threshold).
        bar = NO_THRESHOLD
        if min_gain[s] > NO_THRESHOLD:
            bar = firm_value(h, pref[s], contact_pref, offer, firm_pref, rent_yen, adjacent, taste_key[s], tastes) + min_gain[s]
        body = body_of_firm[h]
        n_members = member_ptr[body + 1] - member_ptr[body]
        n_ties = firm_nbr_ptr[h + 1] - firm_nbr_ptr[h]
        share = esd_share if is_esd[s] else national_share  # ESD: the public channels' reach
        for k in range(n_ties + n_draws + n_contacts):
            if k < n_ties:
                c = firm_nbr[firm_nbr_ptr[h] + k]
            elif k < n_ties + n_draws:
                c = offered_firm(draws[s, k - n_ties], field[s], member_ptr[body], n_members, members, field_ptr, listed_firm,
                                 cum_vacancies, share)
            else:
                who = contacts[s, k - n_ties - n_draws]
                c = person_firm[who] if who >= 0 else -1
            if c < 0 or c == h:
                continue
            # Would firm c take seeker s now?
            if vacancy[c] < 1.0 or offer[c] < min_offer[s]:  # barred, full, or paying too little
                continue
            if same_field[s] and firm_field[c] != field[s]:
                continue
            if same_category[s]:  # the job category: the home firm's real field, and in it the mover's 業務区分 (a chance)
                if real_field[c] != real_field[h]:
                    continue
                category_chance = category_share[real_field[c]]
                if category_chance < 1.0 and pair_uniform(category_key[s], c) >= category_chance:
                    continue
            if needs_host[s] and not host[c]:
                continue
            cap_refuses = NOT_REFUSED
            if capped[s]:
                after_e = esd_headcount[c] + 1.0
                if firm_share < 1.0 and esd_transferees[c] + 1.0 > firm_share * after_e + CAP_TOLERANCE:
                    cap_refuses = REFUSED_BY_FIRM_CAP
                elif (from_local[s] and metro_pref[firm_pref[c]] and metro_share < 1.0
                        and esd_local[c] + 1.0 > metro_share * after_e + CAP_TOLERANCE):
                    cap_refuses = REFUSED_BY_METRO_CAP
            # The hiring decision: the reimbursement owed must be covered by the worker's surplus.
            if owed[s] > 0.0 and owed[s] > surplus * offer[c] * months_left[s]:
                continue
            value = firm_value(c, pref[s], contact_pref, offer, firm_pref, rent_yen, adjacent, taste_key[s], tastes)
            if value < bar:
                continue
            score = value + TIE_BREAK * visibility[c]
            if cap_refuses != NOT_REFUSED:
                if score > capped_score:
                    capped_score, capped_by = score, cap_refuses
                continue
            if score > best_score:
                best, best_score = c, score
        if capped_score > best_score:
            refused[s] = capped_by
        if best < 0:
            continue
        result[s] = best
        headcount[best] += 1
        vacancy[best] = open_vacancy(best, barred_until, demand, headcount, month)
        employed = is_employed[s]
        if employed:
            headcount[h] -= 1
            vacancy[h] = open_vacancy(h, barred_until, demand, headcount, month)
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
    return result, refused


def find_employers(
    model: LabourMarket, rows: np.ndarray, rng: np.random.Generator, voluntary: bool, stage_iii_host: np.ndarray | None = None
) -> np.ndarray:
    """Match seekers (rows of ``model.people``) to firms and move those hired.

    ``voluntary`` moves need a gain in value of ``min_wage_gain`` (module docstring) and count as
    voluntary transfers; otherwise (after an unavoidable release) any acceptable firm will do.
    With ``stage_iii_host`` (a mask over firms) the seekers change employer at the ii->iii step:
    only to a host, at no lower pay (assumption), counted as ``transfers_at_stage_iii``. Returns
    each seeker's new firm (-1: none).
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
    taste_key = rng.integers(0, 2**63, size=n, dtype=np.uint64)

    status = p.status[who]
    # Settled people (spouse status, permanent residence) keep their programme's code in ``status``
    # but are no longer bound by its rules: any field, no caps on transferees, nothing owed.
    bound = p.residence[who] == Residence.WORK
    is_esd = (status == Status.ESD) & bound
    t = model.behaviour.transfer
    same_category = pol.job_category_required(status) & bound
    category_key = np.zeros(n, dtype=np.uint64)
    if same_category.any():  # fixed for life: the salt from the run's seed, the key from the person's id
        salt = model.world_rng(CATEGORY_STREAM).integers(0, 2**63, dtype=np.uint64)
        category_key = person_keys(p.pid[who].astype(np.int64), salt)
    owed = pol.reimbursement_owed_yen(status, p.months_with_employer[who].astype(float), p.residence[who]) if voluntary else np.zeros(n)
    seekers = Seekers(
        home=home, employed=p.firm[who] >= 0,
        min_offer=model.offer_yen[home] if stage_iii_host is not None else np.zeros(n),
        min_gain=np.full(n, np.log1p(t.min_wage_gain) if voluntary else NO_THRESHOLD), taste_key=taste_key,
        same_field=pol.same_field_required(status) & bound, capped=pol.caps_apply(status) & bound & voluntary,
        counts_as_transferee=is_esd & voluntary, from_local=~model.geo.metro[f.pref[home]], is_esd=is_esd,
        field=p.field[who], pref=p.pref[who], transferee=p.transferee[who], transferee_from_local=p.transferee_from_local[who],
        owed_yen=owed, months_left=pol.months_left_in_programme(status, p.months_in_japan[who]).astype(float),
        contacts=p.contacts[who], needs_host=np.full(n, stage_iii_host is not None), placement_draws=placement_draws,
        same_category=same_category, category_key=category_key,
    )
    # Where contacts live: only those still in Japan count (rows of people who left stay until compaction).
    reach = Reach(model.firm_nbr_ptr, model.firm_nbr, f.supervisory_body, model.bodies.member_ptr, model.bodies.members, p.firm,
                  p.pref, p.status, STATUS_KINDS.in_japan)
    openings = Openings.of(model, visibility, stage_iii_host)
    tastes = Tastes.of(model)
    vacancies = np.where(f.barred_until > model.month, 0.0, f.demand - f.headcount)
    listings = Listings.of(model, vacancies)
    moved_to, refused = match_kernel(order, seekers, reach, openings, tastes, listings)
    for cap, flow in REFUSED_FLOWS.items():  # nationally (a seeker refused is no event of a group)
        if (count := int(np.count_nonzero(refused == cap))) > 0:
            model.ledger.add_to_flow(flow, count)
    hired = np.flatnonzero(moved_to >= 0)
    lag = model.scenario.policy.transfer.transfer_lag_months
    if voluntary and lag > 0:  # an ESD worker's move waits for the new plan and status: promised now, made later
        later = is_esd[hired]
        model.ledger.promise_transfers(who[hired[later]], moved_to[hired[later]], model.month + lag)
        result[searching[hired[later]]] = moved_to[hired[later]]  # accepted: the firm they go to
        hired = hired[~later]
    model.ledger.move_workers(who[hired], moved_to[hired], voluntary, at_stage_iii=stage_iii_host is not None)
    result[searching[hired]] = moved_to[hired]
    return result


def release(model: LabourMarket, firm_rows: np.ndarray, trainees_only: bool) -> None:
    """Workers (``trainees_only``: the trainees) of these firms lose their employer through no
    choice of theirs - a closure, a cancelled plan - and search at once (an unavoidable transfer).

    The ledger takes them off the books and counts the releases (``Ledger.release``); each batch
    of releases in a month searches with its own stream (``RELEASE_STREAM``, keyed by the batch).
    """
    rows = model.ledger.release(firm_rows, trainees_only)
    if len(rows) == 0:
        return
    find_employers(model, rows, model.rng_for(RELEASE_STREAM, model.ledger.release_batches), voluntary=False)
