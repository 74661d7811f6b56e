"""LabourMarket: wires agents, network, policy and the monthly schedule (DESIGN.md §4).

Usage::

    from sim import LabourMarket, load_scenario
    model = LabourMarket(load_scenario("scenarios/esd.toml"), seed=7)
    model.run(120)
    table = model.results()          # one row per month, columns in docs/outputs.md

Randomness: one integer seed. Every random draw comes from a generator made for its purpose and
month from ``SeedSequence(seed, spawn_key=(month, purpose))``. The same seed therefore gives the
same world (firms, network, initial people) under every policy, and the same "luck" in each month
and process, so that scenario differences come from the policy, not from shifted random streams
(common random numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
from mesa.discrete_space import Network

import mesa
from sim import network as net
from sim.agents import Firm, SupervisoryBody, Trainee
from sim.domain import FIELDS, ORIGINS, TEST_BITS, Status
from sim.geography import load_geography
from sim.matching import find_employers
from sim.outputs import FLOW_COLUMNS, collect
from sim.policy import Policy
from sim.population import Firms, People, SupervisoryBodies
from sim.scenario import Scenario

#: Fixed ids of the random streams (never renumber: it would change every seeded result;
#: 5 "contacts" and 13 "revocation" are retired: contacts come from "arrivals"/"people", plan
#: cancellations from "audits").
_STREAMS = {
    "firms": 1, "bodies": 2, "network": 3, "people": 4, "contacts": 5, "arrivals": 6,
    "violations": 7, "tests": 8, "audits": 9, "decisions": 10, "closures": 11,
    "apprehension": 12, "revocation": 13, "release": 14, "ladder": 15,
}

#: TITP annual intake cap by full-time staff (BRIEF.md, "Firms and overseers"): (staff up to, cap).
_INTAKE_CAP_TABLE = ((30, 3), (40, 4), (50, 5), (100, 6), (200, 10), (300, 15))


def intake_cap(staff: np.ndarray) -> np.ndarray:
    """Trainees a firm may take in a year, by its full-time staff (before the 'excellent' bonus)."""
    cap = np.maximum(staff // 20, 15)  # >= 301 staff: 1/20 of staff
    for upper, value in reversed(_INTAKE_CAP_TABLE):
        cap = np.where(staff <= upper, value, cap)
    return cap.astype(np.int32)


class LabourMarket(mesa.Model):
    """Japan's foreign-trainee labour market under one policy.

    Args:
        scenario: a validated scenario (``sim.load_scenario``).
        seed: the run's seed; None draws one from the OS (then kept in ``model.seed``).
        log_transfers: keep a record of every transfer in ``model.transfer_log`` (micro-data).
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, log_transfers: bool = False) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        seed = int(seed)
        super().__init__(seed=seed)
        self.seed = seed
        self.scenario = scenario
        self.policy = Policy(scenario.policy)
        self.world = scenario.world
        self.behaviour = scenario.behaviour
        self.scale = scenario.run.scale
        self.month = 0
        self.geo = load_geography()
        self.flows: Counter[str] = Counter()
        self.records: list[dict] = []
        self._views: dict[int, Trainee] = {}
        self.transfer_log: list[dict] | None = [] if log_transfers else None
        #: Compact the people arrays when more than this share of rows are people who left
        #: (results do not depend on it; it only saves time and memory).
        self.compact_share = 0.2
        self._intake_carry = {"trainee": 0.0, "ssw": 0.0}
        self._release_batches = 0

        self._build_firms()
        self._build_bodies()
        self._build_network()
        self._build_people()
        self.recount_firms()
        self.update_offers()
        self.people.wage_yen[: self.people.n] = Trainee.pay(self)
        self.records.append(collect(self))

    # =========================================================================================
    # Randomness
    # =========================================================================================
    def rng_for(self, purpose: str, *extra: int) -> np.random.Generator:
        """The generator for ``purpose`` in the current month (and ``extra`` keys, e.g. a firm)."""
        key = (self.month, _STREAMS[purpose], *extra)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def _world_rng(self, purpose: str) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**31, _STREAMS[purpose])))

    # =========================================================================================
    # Building the world
    # =========================================================================================
    def _count(self, real_number: float) -> int:
        """Scaled count of agents standing for ``real_number`` real ones."""
        return int(round(real_number * self.scale))

    def _build_firms(self) -> None:
        w, geo = self.world, self.geo
        rng = self._world_rng("firms")
        n = max(self._count(w.firms), 1)
        f = Firms(n)
        workers_by_pref = geo.titp_stock + geo.ssw_stock
        f.pref[:] = rng.choice(geo.n, size=n, p=workers_by_pref / workers_by_pref.sum())
        field_p = np.array([w.field_shares[x] for x in FIELDS])
        f.field[:] = rng.choice(len(FIELDS), size=n, p=field_p / field_p.sum())
        staff = np.maximum(1, np.round(w.firm_staff_median * np.exp(rng.normal(0, w.firm_staff_sigma, n))))
        f.staff[:] = staff
        f.markup[:] = np.maximum(1.0, rng.normal(w.wage_markup_mean, w.wage_markup_sd, n))
        np.maximum(f.markup, self.policy.config.wages.wage_floor_markup, out=f.markup)
        v = self.behaviour.violations
        f.compliance[:] = rng.beta(v.compliance_alpha, v.compliance_beta, n)
        f.training_quality[:] = np.exp(rng.normal(0.0, self.behaviour.learning.training_quality_sigma, n))
        excellent = f.compliance >= self.behaviour.firms.excellent_compliance
        bonus = np.where(excellent, self.policy.config.recruitment.intake_cap_multiplier_excellent, 1.0)
        f.intake_cap_per_year[:] = np.round(intake_cap(f.staff) * bonus)
        f.sanctioned_until[:] = -1
        self.firms = f

    def _build_bodies(self) -> None:
        rng = self._world_rng("bodies")
        sup = self.policy.config.supervision
        n_firms = self.firms.n
        n = min(max(self._count(self.world.supervisory_bodies), 1), n_firms)
        firms_by_pref = np.bincount(self.firms.pref, minlength=self.geo.n).astype(float)
        body_pref = rng.choice(self.geo.n, size=n, p=firms_by_pref / firms_by_pref.sum())
        size_weight = rng.pareto(self.world.supervisory_body_size_pareto_shape, n) + 1.0  # a few large, many small
        firm_body = np.empty(n_firms, dtype=np.int32)
        for pref in range(self.geo.n):
            members = np.flatnonzero(self.firms.pref == pref)
            if len(members) == 0:
                continue
            local = np.flatnonzero(body_pref == pref)
            pool = local if len(local) else np.arange(n)
            w = size_weight[pool]
            firm_body[members] = pool[rng.choice(len(pool), size=len(members), p=w / w.sum())]
        self.firms.supervisory_body[:] = firm_body
        b = SupervisoryBodies(n, firm_body)
        b.pref[:] = body_pref
        b.independence[:] = _beta(rng, sup.independence_mean, sup.independence_concentration, n)
        b.thoroughness[:] = _beta(rng, sup.thoroughness_mean, sup.thoroughness_concentration, n)
        self.bodies = b

    def _build_network(self) -> None:
        w, f = self.world, self.firms
        rng = self._world_rng("network")
        edges = net.firm_ties(
            rng, self.geo, f.pref, f.field, len(FIELDS), w.firm_ties_same_prefecture, w.firm_ties_adjacent, w.firm_ties_metro
        )
        self.firm_nbr_ptr, self.firm_nbr = net.csr_neighbours(f.n, edges)
        self._firm_edges = edges
        self._graph = None
        self._space = None
        self.firm_agents = [Firm(self, i) for i in range(f.n)]
        self.body_agents = [SupervisoryBody(self, j) for j in range(self.bodies.n)]

    @property
    def graph(self):
        """The networkx graph of firms and supervisory bodies (built on first use).

        The dynamics read the same ties from compressed arrays (``firm_nbr_ptr``/``firm_nbr``,
        ``bodies.members``); building a networkx graph and Mesa cells for 67,000 nodes costs
        seconds at full scale, so runs that never look at them never pay for them.
        """
        if self._graph is None:
            f = self.firms
            self._graph = net.build_graph(f.pref, f.field, f.supervisory_body, self.bodies.n, self._firm_edges)
        return self._graph

    @property
    def space(self) -> Network:
        """Mesa's network space over ``graph``; firms and bodies stand on their nodes (built on first use)."""
        if self._space is None:
            self._space = Network(self.graph, random=self.random)
            cells = self._space._cells
            n_firms = self.firms.n
            for agent in self.firm_agents:
                agent.place(cells[agent.row])
            for agent in self.body_agents:
                agent.place(cells[n_firms + agent.row])
        return self._space

    def _build_people(self) -> None:
        """The initial stock: trainees and SSW holders placed at firms, as if the rules had always applied."""
        w, geo, pol = self.world, self.geo, self.policy
        rng = self._world_rng("people")
        n_tr, n_s1, n_s2 = self._count(w.stock_trainees), self._count(w.stock_ssw1), self._count(w.stock_ssw2)
        total = n_tr + n_s1 + n_s2
        expected = total + self._count(
            (pol.config.recruitment.trainee_intake_per_year + pol.config.recruitment.ssw_direct_intake_per_year)
            * self.scenario.run.months / 12
        )
        self.people = p = People(capacity=int(expected * 1.1) + 16, contacts_per_person=w.contacts_per_person)
        rows = p.add(total)
        kind = np.repeat([0, 1, 2], [n_tr, n_s1, n_s2])  # trainee, SSW i, SSW ii
        pref_p = np.where(kind == 0, 0, 1)
        pref_tables = (geo.titp_stock / geo.titp_stock.sum(), geo.ssw_stock / geo.ssw_stock.sum())
        pref = np.empty(total, dtype=np.int64)
        for k in (0, 1):
            sel = pref_p == k
            pref[sel] = rng.choice(geo.n, size=int(sel.sum()), p=pref_tables[k])
        firm = self._place_in_firms(rng, pref)
        self._fill_newcomers(rng, rows, firm, arrival_month=0)

        # Time already spent, as a share of the permitted stay (one draw, whatever the policy).
        u = rng.random(total)
        max_tr = pol.config.stay.max_trainee_months
        months = np.where(kind == 0, np.floor(u * max_tr), 0).astype(np.int16)
        # SSW i holders' time in status follows the recent growth of the stock (``ssw1_tenure_weights``).
        tenure = np.repeat(np.asarray(w.ssw1_tenure_weights, dtype=float), 12)[: pol.config.stay.ssw1_max_months]
        tenure_cdf = np.cumsum(tenure) / tenure.sum()
        ssw1_months = np.minimum(np.searchsorted(tenure_cdf, u, side="right"), len(tenure) - 1)
        ssw_months = np.where(kind == 1, ssw1_months, np.floor(u * 36)).astype(np.int16)
        if pol.entry_status == Status.ESD:
            status = np.full(total, Status.ESD)
        else:  # stage iii only at excellent firms: elsewhere the time already spent is within 36 months
            excellent = self.firms.compliance[firm] >= self.behaviour.firms.excellent_compliance
            months = np.where((kind == 0) & ~(excellent & pol.stage_iii_open), np.floor(u * min(max_tr, 36)), months).astype(np.int16)
            status = np.select([months < 12, months < 36], [Status.TITP_1, Status.TITP_2], Status.TITP_3)
        status = np.where(kind == 1, Status.SSW_1, np.where(kind == 2, Status.SSW_2, status))
        p.status[rows] = status
        via_titp = rng.random(total) < w.ssw_share_via_titp
        prior = np.where(kind == 0, 0, np.where(via_titp, 36, 0) + np.where(kind == 2, 60, 0))
        p.months_in_japan[rows] = np.where(kind == 0, months, prior + ssw_months)
        stage_start = np.select([status == Status.TITP_2, status == Status.TITP_3], [12, 36], 0)
        p.months_in_status[rows] = np.where(kind == 0, months - stage_start, ssw_months)
        p.months_with_employer[rows] = np.minimum(p.months_in_japan[rows], np.floor(rng.random(total) * 36))
        p.arrival_month[rows] = -p.months_in_japan[rows].astype(np.int32)

        b = self.behaviour.learning
        m = p.months_in_japan[rows].astype(float)
        p.japanese[rows] = b.japanese_at_arrival_esd if pol.entry_status == Status.ESD else b.japanese_at_arrival_titp
        p.skill[rows] += b.skill_per_month * m * p.aptitude[rows]
        p.japanese[rows] += b.japanese_per_month * m * p.aptitude[rows]
        ssw = kind > 0
        p.skill[rows[ssw]] = np.maximum(p.skill[rows[ssw]], b.threshold_skill_grade3)
        p.japanese[rows[ssw]] = np.maximum(p.japanese[rows[ssw]], 2.0)
        p.skill[rows[kind == 2]] = np.maximum(p.skill[rows[kind == 2]], b.threshold_skill_ssw2)
        p.tests_passed[rows] = _tests_from_levels(p.skill[rows], p.japanese[rows], b)
        # SSW i holders at the start sit the SSW ii tests during the run (no jump in month 1).
        p.tests_passed[rows[kind == 1]] &= np.uint8(~(TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"]) & 0xFF)
        past_first_year = rows[(kind == 0) & (months >= 12)]
        p.tests_passed[past_first_year] |= TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"] * (pol.entry_status == Status.ESD)
        # Debt left: repaid evenly over ``initial_debt_repaid_months`` of work (see ODD initialisation).
        p.debt_yen[rows] *= np.clip(1.0 - m / w.initial_debt_repaid_months, 0.0, 1.0)
        initial = net.ContactPool(rows, p.origin[rows], p.pref[rows], len(ORIGINS), geo.n)
        p.contacts[rows] = initial.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)
        p.contacts[rows] = np.where(p.contacts[rows] == rows[:, None], -1, p.contacts[rows])
        f = self.firms
        counts = np.bincount(firm, minlength=f.n)
        shortage = geo.job_openings_ratio[f.pref] / geo.job_openings_ratio.mean()
        f.demand[:] = np.maximum(counts, 1) * (1.0 + w.vacancy_margin * shortage)

    def _place_in_firms(self, rng: np.random.Generator, pref: np.ndarray) -> np.ndarray:
        """A firm for each initial worker, within their prefecture, weighted by staff^exponent."""
        firm = np.empty(len(pref), dtype=np.int32)
        f = self.firms
        for k in range(self.geo.n):
            who = np.flatnonzero(pref == k)
            if len(who) == 0:
                continue
            pool = np.flatnonzero(f.pref == k)
            if len(pool) == 0:  # tiny scales: a prefecture without firms sends its people anywhere
                pool = np.arange(f.n)
            w = f.staff[pool].astype(float) ** self.world.foreign_workers_staff_exponent
            firm[who] = pool[rng.choice(len(pool), size=len(who), p=w / w.sum())]
        return firm

    def _fill_newcomers(self, rng: np.random.Generator, rows: np.ndarray, firm: np.ndarray, arrival_month: int) -> None:
        """Attributes every newcomer draws: origin, broker debt, aptitude, intention; employer and field."""
        w, p = self.world, self.people
        n = len(rows)
        origin_p = np.array([w.origin_shares[o] for o in ORIGINS])
        origin = rng.choice(len(ORIGINS), size=n, p=origin_p / origin_p.sum())
        fee = np.array([w.broker_fee_yen[o] for o in ORIGINS])[origin]
        in_debt = rng.random(n) < w.share_arriving_in_debt
        sigma = w.debt_sigma
        debt = in_debt * fee * np.exp(rng.normal(-0.5 * sigma**2, sigma, n))  # lognormal with mean `fee`
        p.origin[rows] = origin
        p.debt_yen[rows] = self.policy.debt_at_entry(debt)
        p.aptitude[rows] = np.exp(rng.normal(0.0, self.behaviour.learning.aptitude_sigma, n))
        p.wants_long_stay[rows] = rng.random(n) < self.behaviour.departure.share_wanting_long_stay
        p.firm[rows] = firm
        p.field[rows] = self.firms.field[firm]
        p.pref[rows] = self.firms.pref[firm]
        p.arrival_month[rows] = arrival_month

    # =========================================================================================
    # Shared bookkeeping the agents call
    # =========================================================================================
    def calendar(self, month: int | None = None) -> tuple[int, int]:
        """(year, month 1-12) of model month ``month`` (default: now).

        Month 1 is the scenario's ``start_year``/``start_month``; month 0 is the state at the end
        of the month before (the initial stock).
        """
        run = self.scenario.run
        total = run.start_year * 12 + run.start_month - 1 + (self.month if month is None else month) - 1
        return total // 12, total % 12 + 1

    def min_wage_index(self) -> float:
        """The minimum-wage level now relative to the FY2024 prefecture table.

        With ``min_wage_national_average_yen`` (by fiscal year; a fiscal year's rate applies
        from October) the ratio of this year's national average to FY2024's; otherwise
        ``min_wage_growth_per_year`` compounded for each full year run.
        """
        w = self.world
        if w.min_wage_national_average_yen:
            year, month = self.calendar()
            fiscal = year if month >= 10 else year - 1
            table = w.min_wage_national_average_yen
            known = [y for y in table if y <= fiscal] or [min(table)]
            return table[max(known)] / table[2024]
        return (1.0 + w.min_wage_growth_per_year) ** (self.month // 12)

    def update_offers(self) -> None:
        """Each firm's monthly base wage offer: prefecture minimum wage x hours x markup."""
        self.base_pay_yen = self.geo.min_wage_yen_per_hour * self.world.hours_per_month * self.min_wage_index()
        self.offer_yen = self.base_pay_yen[self.firms.pref] * self.firms.markup

    def recount_firms(self) -> None:
        """Headcounts from the people arrays (after vectorised changes)."""
        p, f = self.people, self.firms
        n = p.n
        employed = (p.status[:n] <= Status.SSW_2) & (p.firm[:n] >= 0)
        firm = p.firm[:n][employed]
        f.headcount[:] = np.bincount(firm, minlength=f.n)
        esd = p.status[:n][employed] == Status.ESD
        f.esd_headcount[:] = np.bincount(firm[esd], minlength=f.n)
        moved = esd & p.transferee_from_other_area[:n][employed]
        f.esd_transferees[:] = np.bincount(firm[moved], minlength=f.n)

    def move_workers(self, pids: np.ndarray, firms: np.ndarray, voluntary: bool) -> None:
        """Change employer (transfers, voluntary or unavoidable): the one place every move passes.

        Updates both firms' headcounts and ESD counts, the person's prefecture and months with
        the employer, and this month's flows (transfers, moves between prefectures and into or
        out of metro prefectures, the cost-sharing reimbursement).
        """
        if len(pids) == 0:
            return
        p, f, geo = self.people, self.firms, self.geo
        pids = np.asarray(pids, dtype=np.int64)
        firms = np.asarray(firms, dtype=np.int64)
        old = p.firm[pids].astype(np.int64)
        from_pref = np.where(old >= 0, f.pref[np.maximum(old, 0)], p.pref[pids])
        to_pref = f.pref[firms]
        status = p.status[pids]
        ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
        served = p.months_with_employer[pids].astype(float)
        if self.transfer_log is not None:
            self.transfer_log.extend(
                dict(month=self.month, pid=int(p.pid[i]), status=int(st), voluntary=voluntary, from_firm=int(a), to_firm=int(b),
                     from_field=int(f.field[a]) if a >= 0 else -1, to_field=int(f.field[b]), from_pref=int(fp), to_pref=int(tp),
                     months_with_employer=int(m))
                for i, st, a, b, fp, tp, m in zip(pids, status, old, firms, from_pref, to_pref, served)
            )
        self.detach(pids[old >= 0], quits=voluntary)
        p.firm[pids] = firms
        p.field[pids] = f.field[firms]  # the same unless the policy lets people change field
        p.pref[pids] = to_pref
        p.months_with_employer[pids] = 0
        p.months_searching[pids] = 0
        p.transferee_from_other_area[pids] = from_pref != to_pref
        self._count_in(pids, +1)
        fl, n = self.flows, len(pids)
        if voluntary:
            p.transfers[pids] += 1
            fl["transfers_voluntary"] += n
            fl["transfers_voluntary_ssw"] += int(ssw.sum())
            share = np.maximum(0.0, 1.0 - served[~ssw] / 36.0)  # weighted by time served (BRIEF.md, ESD)
            fl["reimbursement_yen"] += float(self.policy.config.transfer.reimbursement_yen * share.sum())
        else:
            fl["transfers_unavoidable"] += n
        moved = from_pref != to_pref
        fl["inter_prefecture_moves"] += int(moved.sum())
        metro_from, metro_to = geo.metro[from_pref], geo.metro[to_pref]
        fl["moves_into_metro"] += int((metro_to & ~metro_from).sum())
        fl["moves_out_of_metro"] += int((metro_from & ~metro_to).sum())

    def _count_in(self, pids: np.ndarray, sign: int) -> None:
        """Add (+1) or remove (-1) employed people to/from their firms' counts."""
        p, f = self.people, self.firms
        firm = p.firm[pids]
        n = f.n
        f.headcount += sign * np.bincount(firm, minlength=n).astype(np.int32)
        esd = p.status[pids] == Status.ESD
        if esd.any():
            f.esd_headcount += sign * np.bincount(firm[esd], minlength=n).astype(np.int32)
            moved = esd & p.transferee_from_other_area[pids]
            f.esd_transferees += sign * np.bincount(firm[moved], minlength=n).astype(np.int32)

    def detach(self, pids: np.ndarray, quits: bool = False) -> None:
        """Take people off their employer's books (they keep ``last_firm``); ``quits`` counts them as quits."""
        p = self.people
        pids = pids[p.firm[pids] >= 0]
        if len(pids) == 0:
            return
        self._count_in(pids, -1)
        if quits:
            self.firms.quits_this_month += np.bincount(p.firm[pids], minlength=self.firms.n).astype(np.int32)
        p.last_firm[pids] = p.firm[pids]
        p.firm[pids] = -1

    def release_from(self, firm_rows: np.ndarray, trainees_only: bool) -> None:
        """Workers of these firms lose their employer through no choice of theirs and search at once."""
        if len(firm_rows) == 0:
            return
        p = self.people
        n = p.n
        releasing = np.zeros(self.firms.n + 1, dtype=bool)  # the extra last entry is read by firm -1
        releasing[firm_rows] = True
        mask = releasing[p.firm[:n]] & (p.status[:n] <= (Status.ESD if trainees_only else Status.SSW_2))
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return
        self.detach(rows)
        p.months_searching[rows] = 0
        self.flows["releases"] += len(rows)
        self._release_batches += 1  # each batch of releases in a month draws from its own stream
        find_employers(self, rows, self.rng_for("release", self._release_batches), voluntary=False)

    def disappear(self, rows: np.ndarray) -> None:
        """Legal residents abscond into irregular work (their employer counts a quit)."""
        if len(rows) == 0:
            return
        p = self.people
        self.flows["disappearances"] += len(rows)
        self.flows["disappearances_trainee"] += int((p.status[rows] <= Status.ESD).sum())
        self.detach(rows, quits=True)
        p.status[rows] = Status.IRREGULAR
        p.months_in_status[rows] = 0
        p.transferee_from_other_area[rows] = False

    def leave_japan(self, rows: np.ndarray, status: Status) -> None:
        """People leave Japan (RETURNED or REMOVED); their rows stay, their agent objects go."""
        if len(rows) == 0:
            return
        p = self.people
        self.detach(rows)
        p.status[rows] = status
        p.wage_yen[rows] = 0.0
        p.left_month[rows] = self.month
        if self._views:
            for pid in self._views.keys() & set(p.pid[rows].tolist()):
                self._views.pop(pid).remove()

    def change_status(self, rows: np.ndarray, status: Status) -> None:
        """Move employed people to a new residence status, keeping firms' ESD counts right."""
        if len(rows) == 0:
            return
        p = self.people
        employed = rows[p.firm[rows] >= 0]
        self._count_in(employed, -1)
        p.status[rows] = status
        p.months_in_status[rows] = 0
        self._count_in(employed, +1)

    def reopen_firm(self, row: int) -> None:
        """A closed firm's node is taken over by a new owner (assumption): a new markup and
        compliance, no pending violations, no bar; staff, intake cap and training quality stay."""
        rng = self.rng_for("closures", row)
        f, w, v = self.firms, self.world, self.behaviour.violations
        f.markup[row] = max(1.0, rng.normal(w.wage_markup_mean, w.wage_markup_sd))
        f.compliance[row] = rng.beta(v.compliance_alpha, v.compliance_beta)
        f.violations_pending[row] = 0
        f.sanctioned_until[row] = -1

    # =========================================================================================
    # People as agent objects
    # =========================================================================================
    def trainee(self, pid: int) -> Trainee:
        """The agent object of person ``pid`` (made on first use; removed when they leave Japan).

        ``pid`` is the person's id for life (``people.pid``), not their current row.
        """
        view = self._views.get(pid)
        if view is None:
            row = int(self.people.row_of_pid[pid]) if 0 <= pid < self.people.entered else -1
            if row < 0 or self.people.status[row] >= Status.RETURNED:
                raise KeyError(f"person {pid} is not in Japan")
            view = self._views[pid] = Trainee(self, pid)
        return view

    def trainees(self) -> list[Trainee]:
        """Agent objects for everyone in Japan now (for inspection and small models)."""
        p = self.people
        return [self.trainee(int(pid)) for pid in p.pid[: p.n][p.in_japan()]]

    def trainee_tie_graph(self):
        """A networkx graph of people in Japan (nodes: pids) and their ties (contacts, co-workers); small models only."""
        import networkx as nx

        p = self.people
        here = np.flatnonzero(p.in_japan())
        g = nx.Graph()
        g.add_nodes_from(int(p.pid[i]) for i in here)
        for i in here:
            g.add_edges_from((int(p.pid[i]), int(p.pid[c])) for c in p.contacts[i] if c >= 0 and p.status[c] < Status.RETURNED)
        by_firm: dict[int, list[int]] = {}
        for i in here:
            if p.firm[i] >= 0:
                by_firm.setdefault(int(p.firm[i]), []).append(int(p.pid[i]))
        for members in by_firm.values():
            g.add_edges_from((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
        return g

    # =========================================================================================
    # A month
    # =========================================================================================
    def arrive(self) -> None:
        """1. Arrivals: trainees to firms with vacancies within their yearly cap; SSW direct entrants."""
        rng = self.rng_for("arrivals")
        f = self.firms
        if self.month % 12 == 1:
            f.intake_this_year[:] = 0
        open_ = f.sanctioned_until <= self.month
        # Newcomers' compatriot contacts are drawn from the people in Japan at the start of the month.
        pool = np.flatnonzero(self.people.in_japan())
        p = self.people
        contacts_index = net.ContactPool(pool, p.origin[pool], p.pref[pool], len(ORIGINS), self.geo.n)
        year, month = self.calendar()
        for kind in ("trainee", "ssw"):
            per_year = self.policy.intake_per_year(kind, year)
            if kind == "ssw" and not self.policy.ssw_exists(year, month):
                per_year = 0.0
            want = self._intake_carry[kind] + per_year * self.scale / 12.0
            n = int(want)
            self._intake_carry[kind] = want - n
            vacancies = np.maximum(np.floor(f.demand - f.headcount), 0).astype(np.int64) * open_
            if kind == "trainee":
                vacancies = np.minimum(vacancies, np.maximum(f.intake_cap_per_year - f.intake_this_year, 0))
            slots = np.repeat(np.arange(f.n), vacancies)
            n = min(n, len(slots))
            if n == 0:
                continue
            firm = np.sort(slots[rng.choice(len(slots), size=n, replace=False)])
            rows = self.people.add(n)
            self._fill_newcomers(rng, rows, firm.astype(np.int32), arrival_month=self.month)
            self._admit(rows, kind, contacts_index, rng)
            self._count_in(rows, +1)
            if kind == "trainee":
                np.add.at(f.intake_this_year, firm, 1)
            self.flows["arrivals"] += n
            self.flows[f"arrivals_{kind}"] += n

    def _admit(self, rows: np.ndarray, kind: str, contacts_index: net.ContactPool, rng: np.random.Generator) -> None:
        p, b, w = self.people, self.behaviour.learning, self.world
        if kind == "trainee":
            status = self.policy.entry_status
            p.japanese[rows] = b.japanese_at_arrival_esd if status == Status.ESD else b.japanese_at_arrival_titp
        else:  # SSW i direct entrants passed the skills test and A2 Japanese abroad
            status = Status.SSW_1
            p.skill[rows] = b.threshold_skill_grade3
            p.japanese[rows] = 2.0
        p.status[rows] = status
        p.tests_passed[rows] = _tests_from_levels(p.skill[rows], p.japanese[rows], b)
        p.contacts[rows] = contacts_index.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)

    def step(self) -> None:
        """One month, in the order of DESIGN.md §4 (see docs/ODD.md, process overview)."""
        self.month += 1
        self.flows = Counter()
        self._release_batches = 0
        self.update_offers()
        self.arrive()  # 1
        Firm.commit_violations(self, self.rng_for("violations"))  # 2: violations happen at work
        Trainee.work(self)  # 2: wages, debt, remittances, savings
        Trainee.learn(self)  # 3
        Trainee.take_tests(self, self.rng_for("tests"))
        Trainee.feel_grievance(self)  # 4
        SupervisoryBody.audit_members(self, self.rng_for("audits"))  # 5
        Trainee.hear_about_wages(self)  # 6
        Trainee.move_up_or_leave(self, self.rng_for("ladder"))  # 7: the status ladder and end of stay
        Trainee.decide(self, self.rng_for("decisions"))  # 7: disappear, go home, transfer
        Firm.close_some(self, self.rng_for("closures"))  # 8
        Firm.adjust_wages(self)
        Firm.update_demand(self)
        Trainee.face_apprehension(self, self.rng_for("apprehension"))  # 9
        self.records.append(collect(self))  # 10
        if self.people.n - int(self.people.in_japan().sum()) > self.compact_share * self.people.n:
            self.people.compact()

    def run(self, months: int | None = None, progress: Callable[[int], None] | None = None) -> LabourMarket:
        """Step ``months`` months (default: the scenario's); ``progress(month)`` after each."""
        for _ in range(self.scenario.run.months if months is None else months):
            self.step()
            if progress is not None:
                progress(self.month)
        return self

    def results(self) -> pd.DataFrame:
        """The monthly table so far: month 0 is the initial state (no flows)."""
        table = pd.DataFrame.from_records(self.records)
        for col in FLOW_COLUMNS:
            if col not in table:
                table[col] = 0.0
        return table


def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def _tests_from_levels(skill: np.ndarray, japanese: np.ndarray, b) -> np.ndarray:
    """Tests already passed by people whose levels are at or above each threshold."""
    out = np.zeros(len(skill), dtype=np.uint8)
    for name, level, threshold in (
        ("basic_skill", skill, b.threshold_basic_skill),
        ("skill_grade3", skill, b.threshold_skill_grade3),
        ("skill_ssw2", skill, b.threshold_skill_ssw2),
        ("japanese_a1", japanese, 1.0),
        ("japanese_a2", japanese, 2.0),
        ("japanese_b1", japanese, 3.0),
    ):
        out |= np.where(level >= threshold, TEST_BITS[name], 0).astype(np.uint8)
    return out
