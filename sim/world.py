"""Building the world (docs/ODD.md section 5, initialisation): firms, supervisory bodies, the
network of firm ties and the initial people, from the scenario and the seed's world streams.

The world of a seed is the same under every policy where the policy does not decide it (firms,
bodies, ties, the initial stock's places and draws: ``LabourMarket.world_rng``), so scenario
differences come from the policy. ``LabourMarket.__init__`` calls, in this order:

``build_ledger``   the firms and bodies, and the ledger (``sim.ledger``) holding them with an
                   empty people table sized for the run;
``build_network``  the ties between firms (compressed arrays the job search reads);
``populate``       the state at month 0: the first inspections, the wage offers, the initial
                   stock of trainees, SSW holders and irregular workers placed at firms as if the
                   rules had always applied, their headcounts and pay.

Processes the initial state shares with the month (a new owner's traits, newcomers' attributes,
families abroad, what the stock has heard, its grievance) are called from ``sim.processes``, so
the two cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim import network as net
from sim.domain import FIELDS, ORIGINS, OTHER_FIELDS, TEST_BITS, Status
from sim.ledger import Ledger
from sim.outputs import GROUPINGS, GroupFlows, group_labels
from sim.population import Firms, People, SupervisoryBodies
from sim.processes import arrivals, audits, families, firms, grievance, information, ladder, learning, offers, work

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Months of the past taken as "already served" for SSW holders who came through TITP ii (36)
#: and for SSW ii holders' years in SSW i (60), at the start.
_TITP_II_MONTHS, _SSW1_MONTHS = 36, 60


class FirmTies(NamedTuple):
    """The ties between firms: each firm's neighbours in compressed rows, and the edge list."""

    nbr_ptr: np.ndarray  # firm j's neighbours are nbr[nbr_ptr[j]:nbr_ptr[j + 1]]
    nbr: np.ndarray
    edges: np.ndarray


def build_ledger(model: LabourMarket, log_transfers: bool = False) -> Ledger:
    """The firms and supervisory bodies of the seed's world, and the ledger that holds them with an
    empty people table sized for the run (``populate`` fills it); ``log_transfers``: keep a record
    of every transfer (``Ledger.transfer_log``)."""
    w, pol = model.world, model.policy
    firms_ = _build_firms(model)
    bodies = _build_bodies(model, firms_)
    stock = sum(_count(model, n) for n in (w.stock_trainees, w.stock_ssw1, w.stock_ssw2))
    expected = stock + _count(model, w.stock_irregular) + _count(model, pol.expected_entrants(model.scenario.run.months))
    return Ledger(
        people=People(capacity=int(expected * 1.1) + 16, contacts_per_person=w.contacts_per_person),
        firms=firms_,
        bodies=bodies,
        geo=model.geo,
        policy=pol,
        group_flows=GroupFlows({g: len(group_labels(model, g)) for g in GROUPINGS}),
        ssw1_changed_by_entry=np.zeros(model.scenario.run.months + 1),
        intake_carry={kind: 0.0 for kind in arrivals.KINDS},
        transfer_log=[] if log_transfers else None,
    )


def build_network(model: LabourMarket) -> FirmTies:
    """Ties between firms: within a prefecture, to adjacent ones, among metro prefectures (``sim.network``)."""
    w, f = model.world, model.firms
    rng = model.world_rng("network")
    edges = net.firm_ties(
        rng, model.geo, f.pref, f.field, len(FIELDS), w.firm_ties_same_prefecture, w.firm_ties_adjacent, w.firm_ties_metro
    )
    nbr_ptr, nbr = net.csr_neighbours(f.n, edges)
    return FirmTies(nbr_ptr, nbr, edges)


def populate(model: LabourMarket) -> None:
    """The state at month 0 on the model's ledger: the first inspections, the wage offers, the
    initial stock, the firms' headcounts and everyone's pay.

    The offers come first (the stock's debt under the ESD fee cap and what it has heard need
    them) and once: nothing after changes a markup or the month."""
    audits.schedule_inspections(model, model.world_rng("inspections"))
    offers.update_offers(model)
    _build_people(model)
    model.ledger.recount_firms()
    model.people.wage_yen[: model.people.n] = work.pay(model)


def _count(model: LabourMarket, real_number: float) -> int:
    """Scaled count of agents standing for ``real_number`` real ones."""
    return int(round(real_number * model.scale))


def _build_firms(model: LabourMarket) -> Firms:
    """The employers: prefecture, field, staff, owner's markup and compliance, training, intake cap, waiting period."""
    w, geo = model.world, model.geo
    rng = model.world_rng("firms")
    n = max(_count(model, w.firms), 1)
    f = Firms(n)
    workers_by_pref = geo.titp_stock + geo.ssw_stock
    f.pref[:] = rng.choice(geo.n, size=n, p=workers_by_pref / workers_by_pref.sum())
    field_p = np.array([w.field_shares[x] for x in FIELDS])
    f.field[:] = rng.choice(len(FIELDS), size=n, p=field_p / field_p.sum())
    staff = np.maximum(1, np.round(w.firm_staff_median * np.exp(rng.normal(0, w.firm_staff_sigma, n))))
    f.staff[:] = staff
    markup, compliance = firms.new_owner_traits(model, rng, n)
    f.markup[:] = markup
    np.maximum(f.markup, model.scenario.policy.wages.wage_floor_markup, out=f.markup)
    f.compliance[:] = compliance
    f.training_quality[:] = np.exp(rng.normal(0.0, model.behaviour.learning.training_quality_sigma, n))
    excellent = f.compliance >= model.behaviour.firms.excellent_compliance
    f.intake_cap_per_year[:] = np.round(arrivals.intake_cap(f.staff) * model.policy.intake_cap_multiplier(excellent))
    f.barred_until[:] = -1
    # The real (ESD/SSW) field of firms in "other", and whether a firm in a field with a wait
    # longer than a year chooses one year (its own stream: the draws above stay as they were).
    rng = model.world_rng("firm_fields")
    other_p = np.array([w.other_field_shares.get(x, 0.0) for x in OTHER_FIELDS])
    drawn = rng.choice(len(OTHER_FIELDS), size=n, p=other_p / other_p.sum())
    other = f.field == FIELDS.index("other")
    f.real_field[:] = np.where(other, len(FIELDS) - 1 + drawn, f.field)
    chooses_one_year = rng.random(n) < model.behaviour.firms.share_choosing_one_year_wait
    f.waiting_months[:] = model.policy.firm_waiting_months(f.real_field, chooses_one_year)
    return f


def _build_bodies(model: LabourMarket, firms_: Firms) -> SupervisoryBodies:
    """The supervisory bodies (a few large, many small, mostly in their members' prefecture) and their traits."""
    rng = model.world_rng("bodies")
    sup = model.scenario.policy.supervision
    n_firms = firms_.n
    n = min(max(_count(model, model.world.supervisory_bodies), 1), n_firms)
    firms_by_pref = np.bincount(firms_.pref, minlength=model.geo.n).astype(float)
    body_pref = rng.choice(model.geo.n, size=n, p=firms_by_pref / firms_by_pref.sum())
    size_weight = rng.pareto(model.world.supervisory_body_size_pareto_shape, n) + 1.0  # a few large, many small
    firm_body = np.empty(n_firms, dtype=np.int32)
    for pref in range(model.geo.n):
        members = np.flatnonzero(firms_.pref == pref)
        if len(members) == 0:
            continue
        local = np.flatnonzero(body_pref == pref)
        pool = local if len(local) else np.arange(n)
        w = size_weight[pool]
        firm_body[members] = pool[rng.choice(len(pool), size=len(members), p=w / w.sum())]
    firms_.supervisory_body[:] = firm_body
    b = SupervisoryBodies(n, firm_body)
    b.pref[:] = body_pref
    own = _beta(rng, sup.independence_mean, sup.independence_concentration, n)
    b.thoroughness[:] = _beta(rng, sup.thoroughness_mean, sup.thoroughness_concentration, n)
    u = rng.random((3, n))  # the same draws under every policy; the policy's shares decide
    b.tied_officers[:] = u[0] < sup.share_bodies_tied_officers
    b.external_auditor[:] = u[1] < sup.share_bodies_external_auditor
    b.general_licence[:] = u[2] < model.world.share_bodies_general_licence
    b.independence[:] = model.policy.body_independence(own, b.tied_officers, b.external_auditor)
    return b


def _build_people(model: LabourMarket) -> None:
    """The initial stock: trainees and SSW holders placed at firms, as if the rules had always applied."""
    w, geo, pol = model.world, model.geo, model.policy
    rng = model.world_rng("people")
    n_tr, n_s1, n_s2 = _count(model, w.stock_trainees), _count(model, w.stock_ssw1), _count(model, w.stock_ssw2)
    total = n_tr + n_s1 + n_s2
    p = model.people
    rows = p.add(total)
    kind = np.repeat([0, 1, 2], [n_tr, n_s1, n_s2])  # trainee, SSW i, SSW ii
    pref_p = np.where(kind == 0, 0, 1)
    pref_tables = (geo.titp_stock / geo.titp_stock.sum(), geo.ssw_stock / geo.ssw_stock.sum())
    pref = np.empty(total, dtype=np.int64)
    for k in (0, 1):
        sel = pref_p == k
        pref[sel] = rng.choice(geo.n, size=int(sel.sum()), p=pref_tables[k])
    firm = _place_in_firms(model, rng, pref)
    arrivals.fill_newcomers(model, rng, rows, firm, arrival_month=0)

    # Time already spent, as a share of the permitted stay (one draw, whatever the policy).
    u = rng.random(total)
    max_tr = model.scenario.policy.stay.max_trainee_months
    months = np.where(kind == 0, np.floor(u * max_tr), 0).astype(np.int16)
    # SSW i holders' time in status follows the recent growth of the stock (``ssw1_tenure_weights``).
    tenure = np.repeat(np.asarray(w.ssw1_tenure_weights, dtype=float), 12)[: model.scenario.policy.stay.ssw1_max_months]
    tenure_cdf = np.cumsum(tenure) / tenure.sum()
    ssw1_months = np.minimum(np.searchsorted(tenure_cdf, u, side="right"), len(tenure) - 1)
    ssw_months = np.where(kind == 1, ssw1_months, np.floor(u * _TITP_II_MONTHS)).astype(np.int16)
    if not pol.stock_under_titp:
        status = np.full(total, Status.ESD)
    else:  # stage iii only at its hosts (``ladder.stage_iii_hosts``): elsewhere the time already spent is within 36 months
        max_tr = pol.titp_max_months
        months = np.floor(u * max_tr).astype(np.int16)
        host = ladder.stage_iii_hosts(model)[firm] & pol.stage_iii_open(*model.calendar(0))
        months = np.where((kind == 0) & ~host, np.floor(u * min(max_tr, ladder.END_OF_TITP_2)), months).astype(np.int16)
        status = np.select([months < ladder.END_OF_TITP_1, months < ladder.END_OF_TITP_2], [Status.TITP_1, Status.TITP_2], Status.TITP_3)
    status = np.where(kind == 1, Status.SSW_1, np.where(kind == 2, Status.SSW_2, status))
    p.status[rows] = status
    via_titp = rng.random(total) < w.ssw_share_via_titp
    prior = np.where(kind == 0, 0, np.where(via_titp, _TITP_II_MONTHS, 0) + np.where(kind == 2, _SSW1_MONTHS, 0))
    p.months_in_japan[rows] = np.where(kind == 0, months, prior + ssw_months)
    stage_start = np.select([status == Status.TITP_2, status == Status.TITP_3], [ladder.END_OF_TITP_1, ladder.END_OF_TITP_2], 0)
    p.months_in_status[rows] = np.where(kind == 0, months - stage_start, ssw_months)
    p.months_with_employer[rows] = np.minimum(p.months_in_japan[rows], np.floor(rng.random(total) * _TITP_II_MONTHS))
    p.arrival_month[rows] = -p.months_in_japan[rows].astype(np.int32)
    families.draw_at_arrival(model, rows)  # ages and families abroad (7.19)

    b = model.behaviour.learning
    m = p.months_in_japan[rows].astype(float)
    p.japanese[rows] = pol.japanese_at_entry(b, Status.TITP_1 if pol.stock_under_titp else Status.ESD)
    p.skill[rows] += b.skill_per_month * m * p.aptitude[rows]
    p.japanese[rows] += b.japanese_per_month * m * p.aptitude[rows]
    ssw = kind > 0
    p.skill[rows[ssw]] = np.maximum(p.skill[rows[ssw]], b.threshold_skill_grade3)
    p.japanese[rows[ssw]] = np.maximum(p.japanese[rows[ssw]], learning.JAPANESE_A2)
    p.skill[rows[kind == 2]] = np.maximum(p.skill[rows[kind == 2]], b.threshold_skill_ssw2)
    p.tests_passed[rows] = learning.tests_from_levels(p.skill[rows], p.japanese[rows], b, model.scenario.policy.stay.ssw1_extension_pass_share)
    # SSW i holders at the start sit the SSW ii tests during the run (no jump in month 1).
    ssw2_bits = TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"] | TEST_BITS["skill_ssw2_near"]
    p.tests_passed[rows[kind == 1]] &= np.uint8(~ssw2_bits & 0xFF)
    past_first_year = rows[(kind == 0) & (months >= ladder.END_OF_TITP_1)]
    p.tests_passed[past_first_year] |= TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"] * (not pol.stock_under_titp)
    p.debt_yen[rows] = pol.esd_fee_cap(p.debt_yen[rows], model.offer_yen[firm], p.status[rows])
    # Debt left: repaid evenly over ``initial_debt_repaid_months`` of work (see ODD initialisation).
    p.debt_yen[rows] *= np.clip(1.0 - m / w.initial_debt_repaid_months, 0.0, 1.0)
    irregular_rng = model.world_rng("irregular_stock")
    irregular = _add_irregular_stock(model, irregular_rng)
    everyone = np.concatenate([rows, irregular])
    initial = net.ContactPool(everyone, p.origin[everyone], p.pref[everyone], len(ORIGINS), geo.n)
    p.contacts[rows] = initial.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)
    p.contacts[irregular] = initial.draw(irregular_rng, p.origin[irregular], p.pref[irregular],
                                         w.contacts_per_person, w.contacts_same_prefecture)
    p.contacts[everyone] = np.where(p.contacts[everyone] == everyone[:, None], -1, p.contacts[everyone])
    f = model.firms
    counts = np.bincount(firm, minlength=f.n)
    shortage = geo.job_openings_ratio[f.pref] / geo.job_openings_ratio.mean()
    f.demand[:] = np.maximum(counts, 1) * (1.0 + w.vacancy_margin * shortage)
    # What the stock has heard and the grievance it carries, as after a long time at its employers
    # (no start-up transient of grievance: ODD, initialisation).
    information.hear_about_wages(model)
    grievance.start_at_stationary_mean(model, rows)


def _add_irregular_stock(model: LabourMarket, rng: np.random.Generator) -> np.ndarray:
    """The irregular workers in Japan at the start (``world.stock_irregular``); their rows.

    They stand for ISA's overstayers whose last status was TITP (absconded trainees past their
    permitted stay: ``stay_expired_month`` 0). Without them a run starts with nobody irregular,
    so no one has an irregular contact and absconding is low until absconders build up (the
    start-up transient of docs/validation.md §5). Where they are and where they come from is not
    published with the count: they are spread over prefectures like the trainee stock and over
    origins like the newcomers (assumption), their time in Japan uniform over 1-5 years
    (assumption). Their own stream (``irregular_stock``) leaves the legal stock's draws as they were.
    """
    w, p, geo = model.world, model.people, model.geo
    rows = p.add(_count(model, w.stock_irregular))
    n = len(rows)
    if n == 0:
        return rows
    origin_p = arrivals.origin_shares_in(w, model.calendar(0)[0])
    field_p = np.array([w.field_shares[f] for f in FIELDS])
    p.origin[rows] = rng.choice(len(ORIGINS), size=n, p=origin_p / origin_p.sum())
    p.pref[rows] = rng.choice(geo.n, size=n, p=geo.titp_stock / geo.titp_stock.sum())
    p.field[rows] = rng.choice(len(FIELDS), size=n, p=field_p / field_p.sum())
    p.months_in_japan[rows] = (12 + np.floor(rng.random(n) * 48)).astype(np.int16)
    p.arrival_month[rows] = -p.months_in_japan[rows].astype(np.int32)
    p.aptitude[rows] = 1.0
    p.status[rows] = Status.IRREGULAR
    p.stay_expired_month[rows] = 0
    families.draw_at_arrival(model, rows, batch=1)
    return rows


def _place_in_firms(model: LabourMarket, rng: np.random.Generator, pref: np.ndarray) -> np.ndarray:
    """A firm for each initial worker, within their prefecture, weighted by staff^exponent."""
    firm = np.empty(len(pref), dtype=np.int32)
    f = model.firms
    for k in range(model.geo.n):
        who = np.flatnonzero(pref == k)
        if len(who) == 0:
            continue
        pool = np.flatnonzero(f.pref == k)
        if len(pool) == 0:  # tiny scales: a prefecture without firms sends its people anywhere
            pool = np.arange(f.n)
        w = f.staff[pool].astype(float) ** model.world.foreign_workers_staff_exponent
        firm[who] = pool[rng.choice(len(pool), size=len(who), p=w / w.sum())]
    return firm



def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)
