"""LabourMarket: builds the world, owns the random streams and the state, and runs the month.

Usage::

    import sim
    model = sim.LabourMarket("esd", seed=7)          # a shipped scenario by name, or a Scenario
    model.run(120)
    table = model.results()                          # one row per month, columns in docs/outputs.md
    by_pref = model.results(by="prefecture")         # month x prefecture (also "field", "origin")

``step()`` lists the submodels of the ODD in their order (``sim.processes``); the methods under
"State changes" are the one place each kind of change passes (moving a worker, releasing,
disappearing, leaving Japan, changing status), so that headcounts and flows stay right.

Randomness: one integer seed. Every random draw comes from a generator made for its purpose and
month from ``SeedSequence(seed, spawn_key=(month, purpose))``. The same seed therefore gives the
same world (firms, network, initial people) under every policy, and the same "luck" in each month
and process, so that scenario differences come from the policy, not from shifted random streams
(common random numbers).

Mesa conventions hold: ``model.datacollector`` is a ``mesa.DataCollector`` whose model variables
are the monthly table's columns (collected at the start and after every step), settings can be
given as keyword arguments (``LabourMarket("esd", seed=1, policy__transfer__waiting_months=24)``,
``__`` standing for the dots of ``Scenario.with_changes``), and ``running`` turns False when the
scenario's months are done, so ``mesa.batch_run`` works on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mesa.discrete_space import Network

import mesa
from sim import network as net
from sim.agents import Firm, SupervisoryBody, Trainee
from sim.domain import FIELDS, ORIGINS, OTHER_FIELDS, TEST_BITS, Residence, Status
from sim.geography import load_geography
from sim.outputs import (
    COLUMNS, FLOW_COLUMNS, GROUPINGS, GroupFlows, by_group_table, collect, collect_by_group, group_labels, month_tally,
)
from sim.policy import Policy
from sim.population import Firms, People, SupervisoryBodies, count_into_firms, employer_waits, workers_of_marked_firms
from sim.processes import (
    apprehension, arrivals, audits, decisions, families, firms, grievance, information, integration, ladder, learning,
    matching, offers, permanence, violations, work,
)
from sim.processes.codes import ESD, IN_JAPAN, IS_LEGAL, IS_TRAINEE, STATUS_KINDS
from sim.scenario import Scenario, load_scenario

#: Fixed ids of the random streams (never renumber: it would change every seeded result; 17 is
#: kept for issue 10's "bridging" stream, merged on main after this branch began;
#: 5 "contacts" and 13 "revocation" are retired: contacts come from "arrivals"/"people", plan
#: cancellations from "audits"). Each process module names its stream (``STREAM``).
_STREAMS = {
    "firms": 1, "bodies": 2, "network": 3, "people": 4, "contacts": 5, "arrivals": 6,
    "violations": 7, "tests": 8, "audits": 9, "decisions": 10, "closures": 11,
    "apprehension": 12, "revocation": 13, "release": 14, "ladder": 15, "inspections": 16,
    "bridging": 17, "firm_fields": 18, "irregular_stock": 19, "care_exam": 40,
    "families": 31, "permanence": 32, "integration": 33, "mortality": 34,  # settlement (issue 13)
}

#: Months of the past taken as "already served" for SSW holders who came through TITP ii (36)
#: and for SSW ii holders' years in SSW i (60), at the start.
_TITP_II_MONTHS, _SSW1_MONTHS = 36, 60


def _monthly_value(model: LabourMarket, column: str) -> float:
    """Model reporter of the DataCollector: ``column`` of the row collected this month."""
    return model.last_row[column]


class LabourMarket(mesa.Model):
    """Japan's foreign-trainee labour market under one policy.

    Args:
        scenario: a validated scenario, or the name or path of a scenario file.
        seed: the run's seed; None draws one from the OS (then kept in ``model.seed``).
        log_transfers: keep a record of every transfer in ``model.transfer_log`` (micro-data).
        **kwargs: settings to change, by dotted key with ``__`` for the dots
            (``run__scale=0.002``, ``policy__transfer__regime="free"``); validated as files are.
    """

    def __init__(
        self, scenario: Scenario | str | Path = "esd", seed: int | None = None, *, log_transfers: bool = False, **kwargs: Any
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)  # a path, or a shipped scenario's name
        if kwargs:  # named ``kwargs`` as Mesa's SolaraViz expects of a model taking settings
            scenario = scenario.with_changes({key.replace("__", "."): value for key, value in kwargs.items()})
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
        self.group_flows = GroupFlows({g: len(group_labels(self, g)) for g in GROUPINGS})
        self._group_rows: list[np.ndarray] = []  # one array a month (``outputs.collect_by_group``)
        self._views: dict[int, Trainee] = {}
        self.transfer_log: list[dict] | None = [] if log_transfers else None
        #: Compact the people arrays when more than this share of rows are people who left
        #: (results do not depend on it; it only saves time and memory).
        self.compact_share = 0.2
        #: The fraction of a newcomer carried to next month, by kind (``arrivals``).
        self.intake_carry = {kind: 0.0 for kind in arrivals.KINDS}
        #: Trainees recruited abroad and on their way: arrival month -> the ordering firms' rows.
        self.recruits_ordered: dict[int, np.ndarray] = {}
        self._release_batches = 0
        #: By model month of entry into SSW i: people of that cohort who changed employer since
        #: (agents; the cohort column ``ssw1_entrants_changed``, ISA's SSW job-change measure).
        self.ssw1_changed_by_entry = np.zeros(self.scenario.run.months + 1)

        self._build_firms()
        self._build_bodies()
        self._build_network()
        offers.update_offers(self)  # the stock's scheduled pay (the ESD fee cap) needs the offers
        self._build_people()
        self.recount_firms()
        offers.update_offers(self)
        self.people.wage_yen[: self.people.n] = work.pay(self)
        self.datacollector = mesa.DataCollector(model_reporters={c: partial(_monthly_value, column=c) for c in COLUMNS})
        self._collect()

    # =========================================================================================
    # A month
    # =========================================================================================
    def step(self) -> None:
        """One month: the phases of docs/ODD.md section 3, in order (``sim.processes``)."""
        self._begin_month()                      # 0  new month, flows reset, wage offers (7.1)
        arrivals.arrive(self)                    # 1  arrivals and recruitment (7.2)
        violations.commit_violations(self)       # 2  violations at firms (7.3)
        work.work(self)                          # 3  work, pay and money (7.4)
        learning.learn(self)                     # 4  learning (7.5)
        learning.take_tests(self)                # 5  tests (7.6)
        grievance.feel_grievance(self)           # 6  grievance (7.7)
        integration.support(self)                # 6b local integration support (7.21)
        audits.audit_members(self)               # 7  audits, inspections, sanctions (7.8)
        information.hear_about_wages(self)       # 8  information (7.9)
        ladder.move_up_or_leave(self)            # 9  status ladder and end of stay (7.10)
        decisions.decide(self)                   # 10 abscond, go home, seek a transfer (7.11, 7.12)
        firms.close_some(self)                   # 11 firm closures and new owners (7.14)
        firms.adjust_wages(self)                 # 12 wage adjustment (7.15)
        firms.update_demand(self)                # 13 demand (7.16)
        apprehension.face_apprehension(self)     # 14 apprehension and self-departure (7.17)
        families.form_families(self)             # 14b ageing, marriage, family joining, births (7.19)
        permanence.settle_or_leave(self)         # 14c spouse status, permanent residence, naturalisation, settled returns (7.20)
        families.die(self)                       # 14d deaths (7.19)
        families.count_departures(self)          # 14e families leaving with their worker (7.19)
        self._collect()                          # 15 the month's rows of the tables
        self._compact_if_due()                   # 16 drop the rows of people who left
        self.running = self.month < self.scenario.run.months

    def run(self, months: int | None = None, progress: Callable[[int], None] | None = None) -> LabourMarket:
        """Step ``months`` months (default: the scenario's); ``progress(month)`` after each."""
        for _ in range(self.scenario.run.months if months is None else months):
            self.step()
            if progress is not None:
                progress(self.month)
        return self

    def results(self, by: str | None = None) -> pd.DataFrame:
        """The monthly table so far (month 0 is the initial state, with no flows).

        ``by="prefecture"``, ``"field"`` or ``"origin"``: the tidy long table of that grouping
        (``month``, ``group``, then the columns of ``sim.outputs.group_columns``).
        """
        if by is not None:
            if by not in GROUPINGS:
                raise ValueError(f"results(by={by!r}): by must be one of {', '.join(GROUPINGS)}")
            return by_group_table(self, by, self._group_rows)
        table = self.datacollector.get_model_vars_dataframe()
        for col in FLOW_COLUMNS:
            if col not in table:
                table[col] = 0.0
        # A cohort column: each month's SSW i entrants who changed employer by now (not by then).
        table["ssw1_entrants_changed"] = self.ssw1_changed_by_entry[table["month"].to_numpy(dtype=int)] / self.scale
        return table

    def _begin_month(self) -> None:
        self.month += 1
        self.flows = Counter()
        self.group_flows.clear()
        self._release_batches = 0
        if self.month >= len(self.ssw1_changed_by_entry):  # a run longer than the scenario's months
            self.ssw1_changed_by_entry = np.append(self.ssw1_changed_by_entry, np.zeros(self.month + 1 - len(self.ssw1_changed_by_entry)))
        offers.update_offers(self)

    def _collect(self) -> None:
        tally = month_tally(self)  # one pass over everyone for both tables
        self.last_row = collect(self, tally)
        self.datacollector.collect(self)
        self._group_rows.append(collect_by_group(self, tally))

    def _compact_if_due(self) -> None:
        if self.people.n - int(self.people.in_japan().sum()) > self.compact_share * self.people.n:
            self.people.compact()

    # =========================================================================================
    # Randomness and the calendar
    # =========================================================================================
    def rng_for(self, purpose: str, *extra: int) -> np.random.Generator:
        """The generator for ``purpose`` in the current month (and ``extra`` keys, e.g. a firm)."""
        key = (self.month, _STREAMS[purpose], *extra)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def _world_rng(self, purpose: str) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**31, _STREAMS[purpose])))

    def calendar(self, month: int | None = None) -> tuple[int, int]:
        """(year, month 1-12) of model month ``month`` (default: now).

        Month 1 is the scenario's ``start_year``/``start_month``; month 0 is the state at the end
        of the month before (the initial stock).
        """
        run = self.scenario.run
        total = run.start_year * 12 + run.start_month - 1 + (self.month if month is None else month) - 1
        return total // 12, total % 12 + 1

    # =========================================================================================
    # State changes: the one place each kind of change passes (ODD 7.13)
    # =========================================================================================
    def count_flow(self, name: str, rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count this month's events ``name`` of the people at ``rows``: nationally and by their group."""
        if len(rows) == 0:
            return
        self.flows[name] += len(rows) if weights is None else weights.sum()
        self.group_flows.add_people(name, rows, self.people, weights)

    def count_firm_flow(self, name: str, firm_rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count this month's events ``name`` at firms: nationally and by the firms' prefecture and field."""
        if len(firm_rows) == 0:
            return
        self.flows[name] += len(firm_rows) if weights is None else weights.sum()
        self.group_flows.add_firms(name, firm_rows, self.firms, weights)

    def recount_firms(self) -> None:
        """Every firm's headcounts from the people arrays (after vectorised changes)."""
        p = self.people
        n = p.n
        employed = np.flatnonzero(IS_LEGAL[p.status[:n]] & (p.firm[:n] >= 0))
        f = self.firms
        for counts in (f.headcount, f.esd_headcount, f.esd_transferees, f.esd_transferees_from_local):
            counts[:] = 0
        self.count_in(employed, +1)

    def count_in(self, rows: np.ndarray, sign: int) -> None:
        """Add (+1) or remove (-1) the employed people at ``rows`` to/from their firms' headcounts
        (``population.count_into_firms``: workers, ESD workers, ESD voluntary transferees)."""
        p, f = self.people, self.firms
        count_into_firms(np.asarray(rows, dtype=np.int64), np.int32(sign), p.firm, p.status, p.residence, p.transferee,
                         p.transferee_from_local, f.headcount, f.esd_headcount, f.esd_transferees,
                         f.esd_transferees_from_local, ESD)

    def waiting_months_of(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The ESD waiting period of each person's employer (``firms.waiting_months``; no limit
        without one); ``rows`` None: everyone's."""
        p = self.people
        firm = p.firm[: p.n] if rows is None else p.firm[rows]
        return employer_waits(firm, self.firms.waiting_months, np.iinfo(np.int32).max)

    def move_workers(self, rows: np.ndarray, firm_rows: np.ndarray, voluntary: bool, at_stage_iii: bool = False) -> None:
        """Change employer (transfers, voluntary or unavoidable): the one place every move passes.

        Updates both firms' headcounts and ESD counts, the person's prefecture and months with
        the employer, and this month's flows (transfers, counted where the mover leaves; moves
        between prefectures and into or out of metro prefectures; the cost-sharing reimbursement).
        """
        if len(rows) == 0:
            return
        p, f, geo = self.people, self.firms, self.geo
        rows = np.asarray(rows, dtype=np.int64)
        firm_rows = np.asarray(firm_rows, dtype=np.int64)
        old = p.firm[rows].astype(np.int64)
        from_pref = np.where(old >= 0, f.pref[np.maximum(old, 0)], p.pref[rows])
        to_pref = f.pref[firm_rows]
        status = p.status[rows]
        ssw = (status == Status.SSW_1) | (status == Status.SSW_2)  # not 介護 (care workers), a status of its own
        served = p.months_with_employer[rows].astype(float)
        if self.transfer_log is not None:
            self.transfer_log.extend(
                dict(month=self.month, pid=int(p.pid[i]), status=int(st), voluntary=voluntary, from_firm=int(a), to_firm=int(b),
                     from_field=int(f.field[a]) if a >= 0 else -1, to_field=int(f.field[b]), from_pref=int(fp), to_pref=int(tp),
                     months_with_employer=int(m))
                for i, st, a, b, fp, tp, m in zip(rows, status, old, firm_rows, from_pref, to_pref, served)
            )
        if voluntary:  # counted in the groups the movers leave (``p.pref`` is still ``from_pref``)
            self.count_flow("transfers_voluntary", rows)
            # By holders of a work status; settled movers (who came through one) are in none of these.
            bound = p.residence[rows] == Residence.WORK
            self.count_flow("transfers_voluntary_ssw", rows[bound & ssw])
            self.count_flow("transfers_voluntary_trainee", rows[bound & IS_TRAINEE[status]])
            self.count_flow("transfers_voluntary_care_worker", rows[bound & (status == Status.CARE_WORKER)])
            self.flows["reimbursement_yen"] += self.policy.reimbursement_yen(status, served, p.residence[rows])
        elif at_stage_iii:  # the employer change allowed at the TITP ii -> iii step
            self.count_flow("transfers_at_stage_iii", rows)
        else:
            self.count_flow("transfers_unavoidable", rows)
        self.detach(rows[old >= 0], quits=voluntary)
        p.firm[rows] = firm_rows
        p.field[rows] = f.field[firm_rows]  # the same unless the policy lets people change field
        p.pref[rows] = to_pref
        p.months_with_employer[rows] = 0
        p.months_searching[rows] = 0
        # The caps count voluntary (本人意向) transferees [S]: all of them (1/3), and those whose
        # last employer is outside the designated area (1/6, at designated-area firms).
        p.transferee[rows] = voluntary
        p.transferee_from_local[rows] = voluntary & ~geo.metro[from_pref]
        self.count_in(rows, +1)
        if voluntary:
            p.transfers[rows] += 1
        self._count_ssw1_changes(rows, status)
        moved = from_pref != to_pref
        self.flows["inter_prefecture_moves"] += int(moved.sum())
        self.flows["employer_changes_ssw"] += int(ssw.sum())
        self.flows["inter_prefecture_moves_ssw"] += int((moved & ssw).sum())
        metro_from, metro_to = geo.metro[from_pref], geo.metro[to_pref]
        self.flows["moves_into_metro"] += int((metro_to & ~metro_from).sum())
        self.flows["moves_out_of_metro"] += int((metro_from & ~metro_to).sum())
        if moved.any():
            self.group_flows.add_places("moves_in", to_pref[moved])
            self.group_flows.add_places("moves_out", from_pref[moved])

    def _count_ssw1_changes(self, rows: np.ndarray, status: np.ndarray) -> None:
        """SSW i holders' first change of employer since they became SSW i, counted in their entry cohort."""
        p = self.people
        ssw1 = rows[(status == Status.SSW_1) & (p.ssw1_month[rows] > 0)]
        first = ssw1[~p.changed_in_ssw1[ssw1]]
        np.add.at(self.ssw1_changed_by_entry, p.ssw1_month[first], 1.0)
        p.changed_in_ssw1[ssw1] = True

    def mark_ssw1_entry(self, rows: np.ndarray) -> None:
        """People who become SSW i now (from the ladder or arriving from abroad): their entry cohort."""
        self.people.ssw1_month[rows] = self.month
        self.people.changed_in_ssw1[rows] = False

    def detach(self, rows: np.ndarray, quits: bool = False) -> None:
        """Take people off their employer's books (they keep ``last_firm``); ``quits`` counts them as quits."""
        p = self.people
        rows = rows[p.firm[rows] >= 0]
        if len(rows) == 0:
            return
        self.count_in(rows, -1)
        if quits:
            self.firms.quits_this_month += np.bincount(p.firm[rows], minlength=self.firms.n).astype(np.int32)
        p.last_firm[rows] = p.firm[rows]
        p.firm[rows] = -1

    def release_from(self, firm_rows: np.ndarray, trainees_only: bool) -> None:
        """Workers of these firms lose their employer through no choice of theirs and search at once."""
        if len(firm_rows) == 0:
            return
        p = self.people
        n = p.n
        releasing = np.zeros(self.firms.n, dtype=bool)
        releasing[firm_rows] = True
        rows = workers_of_marked_firms(p.firm[:n], p.status[:n], releasing, STATUS_KINDS.trainee if trainees_only else STATUS_KINDS.legal)
        if len(rows) == 0:
            return
        self.detach(rows)
        p.months_searching[rows] = 0
        self.count_flow("releases", rows)
        self._release_batches += 1  # each batch of releases in a month draws from its own stream
        matching.find_employers(self, rows, self.rng_for(matching.RELEASE_STREAM, self._release_batches), voluntary=False)

    def disappear(self, rows: np.ndarray) -> None:
        """Legal residents abscond into irregular work (their employer counts a quit)."""
        if len(rows) == 0:
            return
        p = self.people
        self.count_flow("disappearances", rows)
        # ISA counts trainees; holders of the 2020-22 bridging status held another status (ladder).
        self.count_flow("disappearances_trainee", rows[IS_TRAINEE[p.status[rows]] & (p.bridging_until[rows] < 0)])
        p.stay_expired_month[rows] = ladder.stay_expiry(self, rows)
        self.detach(rows, quits=True)
        p.status[rows] = Status.IRREGULAR
        p.months_in_status[rows] = 0
        p.transferee[rows] = False
        p.transferee_from_local[rows] = False

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
        """Move people to a new residence status, keeping firms' ESD counts right."""
        if len(rows) == 0:
            return
        p = self.people
        with self._recounting(rows):
            p.status[rows] = status
            p.months_in_status[rows] = 0
        if status == Status.SSW_1:
            self.mark_ssw1_entry(rows)

    def change_residence(self, rows: np.ndarray, residence: Residence) -> None:
        """Settle people (spouse status, permanent residence), keeping firms' ESD counts right:
        a settled person keeps the programme's code in ``status`` but is no longer its worker."""
        if len(rows) == 0:
            return
        with self._recounting(rows):
            self.people.residence[rows] = residence

    @contextmanager
    def _recounting(self, rows: np.ndarray) -> Iterator[None]:
        """Take the employed among ``rows`` out of their firms' counts, let the caller change what
        the counts depend on (status, residence), and count them in again."""
        employed = rows[self.people.firm[rows] >= 0]
        self.count_in(employed, -1)
        yield
        self.count_in(employed, +1)

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
            if row < 0 or not IN_JAPAN[self.people.status[row]]:
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
            g.add_edges_from((int(p.pid[i]), int(p.pid[c])) for c in p.contacts[i] if c >= 0 and IN_JAPAN[p.status[c]])
        by_firm: dict[int, list[int]] = {}
        for i in here:
            if p.firm[i] >= 0:
                by_firm.setdefault(int(p.firm[i]), []).append(int(p.pid[i]))
        for members in by_firm.values():
            g.add_edges_from((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
        return g

    # =========================================================================================
    # Building the world (docs/ODD.md section 5)
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
        self.firms = f
        markup, compliance = firms.new_owner_traits(self, rng, n)
        f.markup[:] = markup
        np.maximum(f.markup, self.policy.wage_floor_markup, out=f.markup)
        f.compliance[:] = compliance
        f.training_quality[:] = np.exp(rng.normal(0.0, self.behaviour.learning.training_quality_sigma, n))
        excellent = f.compliance >= self.behaviour.firms.excellent_compliance
        f.intake_cap_per_year[:] = np.round(arrivals.intake_cap(f.staff) * self.policy.intake_cap_multiplier(excellent))
        f.barred_until[:] = -1
        # The real (ESD/SSW) field of firms in "other", and whether a firm in a field with a wait
        # longer than a year chooses one year (its own stream: the draws above stay as they were).
        rng = self._world_rng("firm_fields")
        other_p = np.array([w.other_field_shares.get(x, 0.0) for x in OTHER_FIELDS])
        drawn = rng.choice(len(OTHER_FIELDS), size=n, p=other_p / other_p.sum())
        other = f.field == FIELDS.index("other")
        f.real_field[:] = np.where(other, len(FIELDS) - 1 + drawn, f.field)
        chooses_one_year = rng.random(n) < self.behaviour.firms.share_choosing_one_year_wait
        f.waiting_months[:] = self.policy.firm_waiting_months(f.real_field, chooses_one_year)

    def _build_bodies(self) -> None:
        rng = self._world_rng("bodies")
        sup = self.policy.supervision
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
        own = _beta(rng, sup.independence_mean, sup.independence_concentration, n)
        b.thoroughness[:] = _beta(rng, sup.thoroughness_mean, sup.thoroughness_concentration, n)
        u = rng.random((3, n))  # the same draws under every policy; the policy's shares decide
        b.tied_officers[:] = u[0] < sup.share_bodies_tied_officers
        b.external_auditor[:] = u[1] < sup.share_bodies_external_auditor
        b.general_licence[:] = u[2] < self.world.share_bodies_general_licence
        b.independence[:] = self.policy.body_independence(own, b.tied_officers, b.external_auditor)
        self.bodies = b
        audits.schedule_inspections(self, self._world_rng("inspections"))

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
        expected = total + self._count(w.stock_irregular) + self._count(pol.expected_entrants(self.scenario.run.months))
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
        arrivals.fill_newcomers(self, rng, rows, firm, arrival_month=0)

        # Time already spent, as a share of the permitted stay (one draw, whatever the policy).
        u = rng.random(total)
        max_tr = pol.max_trainee_months
        months = np.where(kind == 0, np.floor(u * max_tr), 0).astype(np.int16)
        # SSW i holders' time in status follows the recent growth of the stock (``ssw1_tenure_weights``).
        tenure = np.repeat(np.asarray(w.ssw1_tenure_weights, dtype=float), 12)[: pol.ssw1_max_months]
        tenure_cdf = np.cumsum(tenure) / tenure.sum()
        ssw1_months = np.minimum(np.searchsorted(tenure_cdf, u, side="right"), len(tenure) - 1)
        ssw_months = np.where(kind == 1, ssw1_months, np.floor(u * _TITP_II_MONTHS)).astype(np.int16)
        if not pol.stock_under_titp:
            status = np.full(total, Status.ESD)
        else:  # stage iii only at its hosts (``ladder.stage_iii_hosts``): elsewhere the time already spent is within 36 months
            max_tr = pol.titp_max_months
            months = np.floor(u * max_tr).astype(np.int16)
            host = ladder.stage_iii_hosts(self)[firm] & pol.stage_iii_open(*self.calendar(0))
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
        families.draw_at_arrival(self, rows)  # ages and families abroad (7.19)

        b = self.behaviour.learning
        m = p.months_in_japan[rows].astype(float)
        p.japanese[rows] = pol.japanese_at_entry(b, Status.TITP_1 if pol.stock_under_titp else Status.ESD)
        p.skill[rows] += b.skill_per_month * m * p.aptitude[rows]
        p.japanese[rows] += b.japanese_per_month * m * p.aptitude[rows]
        ssw = kind > 0
        p.skill[rows[ssw]] = np.maximum(p.skill[rows[ssw]], b.threshold_skill_grade3)
        p.japanese[rows[ssw]] = np.maximum(p.japanese[rows[ssw]], learning.JAPANESE_A2)
        p.skill[rows[kind == 2]] = np.maximum(p.skill[rows[kind == 2]], b.threshold_skill_ssw2)
        p.tests_passed[rows] = learning.tests_from_levels(p.skill[rows], p.japanese[rows], b, pol.ssw1_extension_pass_share)
        # SSW i holders at the start sit the SSW ii tests during the run (no jump in month 1).
        ssw2_bits = TEST_BITS["skill_ssw2"] | TEST_BITS["japanese_b1"] | TEST_BITS["skill_ssw2_near"]
        p.tests_passed[rows[kind == 1]] &= np.uint8(~ssw2_bits & 0xFF)
        past_first_year = rows[(kind == 0) & (months >= ladder.END_OF_TITP_1)]
        p.tests_passed[past_first_year] |= TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"] * (not pol.stock_under_titp)
        p.debt_yen[rows] = pol.esd_fee_cap(p.debt_yen[rows], self.offer_yen[firm], p.status[rows])
        # Debt left: repaid evenly over ``initial_debt_repaid_months`` of work (see ODD initialisation).
        p.debt_yen[rows] *= np.clip(1.0 - m / w.initial_debt_repaid_months, 0.0, 1.0)
        irregular_rng = self._world_rng("irregular_stock")
        irregular = self._add_irregular_stock(irregular_rng)
        everyone = np.concatenate([rows, irregular])
        initial = net.ContactPool(everyone, p.origin[everyone], p.pref[everyone], len(ORIGINS), geo.n)
        p.contacts[rows] = initial.draw(rng, p.origin[rows], p.pref[rows], w.contacts_per_person, w.contacts_same_prefecture)
        p.contacts[irregular] = initial.draw(irregular_rng, p.origin[irregular], p.pref[irregular],
                                             w.contacts_per_person, w.contacts_same_prefecture)
        p.contacts[everyone] = np.where(p.contacts[everyone] == everyone[:, None], -1, p.contacts[everyone])
        f = self.firms
        counts = np.bincount(firm, minlength=f.n)
        shortage = geo.job_openings_ratio[f.pref] / geo.job_openings_ratio.mean()
        f.demand[:] = np.maximum(counts, 1) * (1.0 + w.vacancy_margin * shortage)
        # What the stock has heard and the grievance it carries, as after a long time at its employers
        # (no start-up transient of grievance: ODD, initialisation).
        information.hear_about_wages(self)
        grievance.start_at_stationary_mean(self, rows)

    def _add_irregular_stock(self, rng: np.random.Generator) -> np.ndarray:
        """The irregular workers in Japan at the start (``world.stock_irregular``); their rows.

        They stand for ISA's overstayers whose last status was TITP (absconded trainees past their
        permitted stay: ``stay_expired_month`` 0). Without them a run starts with nobody irregular,
        so no one has an irregular contact and absconding is low until absconders build up (the
        start-up transient of docs/validation.md §5). Where they are and where they come from is not
        published with the count: they are spread over prefectures like the trainee stock and over
        origins like the newcomers (assumption), their time in Japan uniform over 1-5 years
        (assumption). Their own stream (``irregular_stock``) leaves the legal stock's draws as they were.
        """
        w, p, geo = self.world, self.people, self.geo
        rows = p.add(self._count(w.stock_irregular))
        n = len(rows)
        if n == 0:
            return rows
        origin_p = arrivals.origin_shares_in(w, self.calendar(0)[0])
        field_p = np.array([w.field_shares[f] for f in FIELDS])
        p.origin[rows] = rng.choice(len(ORIGINS), size=n, p=origin_p / origin_p.sum())
        p.pref[rows] = rng.choice(geo.n, size=n, p=geo.titp_stock / geo.titp_stock.sum())
        p.field[rows] = rng.choice(len(FIELDS), size=n, p=field_p / field_p.sum())
        p.months_in_japan[rows] = (12 + np.floor(rng.random(n) * 48)).astype(np.int16)
        p.arrival_month[rows] = -p.months_in_japan[rows].astype(np.int32)
        p.aptitude[rows] = 1.0
        p.status[rows] = Status.IRREGULAR
        p.stay_expired_month[rows] = 0
        families.draw_at_arrival(self, rows, batch=1)
        return rows

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


def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)
