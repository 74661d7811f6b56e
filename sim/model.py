"""LabourMarket: the Mesa model that runs the month over the world and its ledger.

Usage::

    import sim
    model = sim.LabourMarket("esd", seed=7)          # a shipped scenario by name, or a Scenario
    model.run(120)
    table = model.results()                          # one row per month, columns in docs/outputs.md
    by_pref = model.results(by="prefecture")         # month x prefecture (also "field", "origin")

``step()`` lists the submodels of the ODD in their order (``sim.processes``). The world is built
by ``sim.world`` (ODD section 5). The state - people, firms, bodies, wage offers, flows and what
processes keep between months - is ``model.ledger`` (``sim.ledger``), whose methods are the one
place each kind of change passes (moving a worker, releasing, disappearing, leaving Japan,
changing status or residence, counting a flow: ODD 7.13); ``model.people``, ``model.firms``,
``model.flows``, ``model.offer_yen`` and the like read it. The model keeps the random streams,
the calendar, the order of the month, the collection of the tables and the agent objects.

Randomness: one integer seed. Every random draw comes from a generator made for its purpose and
month from ``SeedSequence(seed, spawn_key=(month, purpose))``. The same seed therefore gives the
same world (firms, network, initial people) under every policy, and the same "luck" in each month
and process, so that scenario differences come from the policy, not from shifted random streams
(common random numbers).

Mesa conventions hold: ``model.datacollector`` is a ``mesa.DataCollector`` whose model variables
are the monthly table's columns (collected at the start and after every step), settings can be
given as keyword arguments (``LabourMarket("esd", seed=1, policy__transfer__waiting_months=24)``,
``__`` standing for the dots of ``Scenario.with_changes``), and ``mesa.batch_run`` returns every
month, 0 through the last, its ``Step`` equal to ``month``. For that, ``running`` turns False on
the call of ``step()`` after the scenario's last month, which simulates nothing (``step``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from sim import network as net
from sim.agents import Firm, SupervisoryBody, Trainee
from sim.checkpoint import START_FROM_STOCK, restore, start_checkpoint
from sim.dates import YearMonth
from sim.geography import load_geography
from sim.ledger import Ledger
from sim.outputs import COLUMNS, FLOW_COLUMNS, GROUPINGS, GroupFlows, by_group_table, collect, collect_by_group, month_tally
from sim.policy import Policy
from sim.population import Firms, People, SupervisoryBodies
from sim.processes import (
    apprehension,
    arrivals,
    audits,
    decisions,
    families,
    firms,
    grievance,
    information,
    integration,
    ladder,
    learning,
    offers,
    permanence,
    violations,
    work,
)
from sim.processes.codes import IN_JAPAN
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.schema import show
from sim.seeds import check_seed
from sim.world import build_ledger, build_network, populate

#: Fixed ids of the random streams (never renumber: it would change every seeded result; 17 is
#: kept for issue 10's "bridging" stream, merged on main after this branch began;
#: 5 "contacts" and 13 "revocation" are retired: contacts come from "arrivals"/"people", plan
#: cancellations from "audits"). Each process module names its stream (``STREAM``).
_STREAMS = {
    "firms": 1, "bodies": 2, "network": 3, "people": 4, "contacts": 5, "arrivals": 6,
    "violations": 7, "tests": 8, "audits": 9, "decisions": 10, "closures": 11,
    "apprehension": 12, "revocation": 13, "release": 14, "ladder": 15, "inspections": 16,
    "bridging": 17, "firm_fields": 18, "irregular_stock": 19, "care_exam": 40, "job_category": 41, "unavoidable": 42, "fee_cap": 43,
    "families": 31, "permanence": 32, "integration": 33, "mortality": 34,  # settlement (issue 13)
}


def _monthly_value(model: LabourMarket, column: str) -> float:
    """Model reporter of the DataCollector: ``column`` of the row collected this month."""
    return model.last_row[column]


class LabourMarket(mesa.Model):
    """Japan's foreign-trainee labour market under one policy.

    Args:
        scenario: a validated scenario, or the name or path of a scenario file.
        seed: the run's seed; None draws one from the OS (then kept in ``model.seed``).
        log_transfers: keep a record of every transfer in ``model.transfer_log`` (micro-data).
        checkpoint: start from the state saved in this checkpoint (``sim.checkpoint``) instead of
            building the initial stock; without it, the scenario's ``run.start_from`` (if set)
            names the history run's state to start from (built and cached on first use).
        **kwargs: settings to change, by dotted key with ``__`` for the dots
            (``run__scale=0.002``, ``policy__transfer__regime="free"``); validated as files are.
    """

    def __init__(
        self, scenario: Scenario | str | Path = "esd", seed: int | None = None, *, log_transfers: bool = False,
        checkpoint: str | Path | None = None, **kwargs: Any
    ) -> None:
        if not isinstance(log_transfers, bool):  # as strict as a file: no truthy stand-ins
            raise ScenarioError(f"log_transfers = {show(log_transfers)}: allowed: true or false")
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)  # a path, or a shipped scenario's name
        if kwargs:  # named ``kwargs`` as Mesa's SolaraViz expects of a model taking settings
            scenario = scenario.with_changes({key.replace("__", "."): value for key, value in kwargs.items()})
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        seed = check_seed(seed)  # a whole number 0..2**63-1, as files and the command line require
        super().__init__(seed=seed)
        self.seed = seed
        self.scenario = scenario
        self.policy = Policy(scenario.policy)
        self.world = scenario.world
        self.behaviour = scenario.behaviour
        self.scale = scenario.run.scale
        self.geo = load_geography()
        self._group_rows: list[np.ndarray] = []  # one array a month (``outputs.collect_by_group``)
        self._views: dict[int, Trainee] = {}
        #: Compact the people arrays when more than this share of rows are people who left
        #: (results do not depend on it; it only saves time and memory).
        self.compact_share = 0.2
        self.last_row: dict[str, float] = {}  # this month's row of the monthly table (``_collect``)
        #: The model month of the run's initial state (0; a checkpoint's month when started from one:
        #: the month numbering, and with it the random streams, goes on from the checkpoint's).
        self.first_month = 0

        # The world (docs/ODD.md section 5, ``sim.world``): firms, bodies, the ledger holding them
        # (``sim.ledger``: every state change passes there), the firms' ties, the initial people.
        self.ledger: Ledger = build_ledger(self, log_transfers=log_transfers)
        self.ledger.on_leave_japan = self._drop_views
        self.firm_nbr_ptr, self.firm_nbr, self._firm_edges = build_network(self)
        self._graph = None
        self._space = None
        self.firm_agents = [Firm(self, i) for i in range(self.firms.n)]
        self.body_agents = [SupervisoryBody(self, j) for j in range(self.bodies.n)]
        if checkpoint is not None:
            restore(self, checkpoint)
        elif scenario.run.start_from not in (None, START_FROM_STOCK):
            path, manifest = start_checkpoint(scenario, seed)
            restore(self, path, manifest)
        else:
            populate(self)
        self.datacollector = mesa.DataCollector(model_reporters={c: partial(_monthly_value, column=c) for c in COLUMNS})
        self._collect()

    # =========================================================================================
    # The state, read from the ledger (changes go through ``self.ledger``'s methods)
    # =========================================================================================
    @property
    def month(self) -> int:
        """The model month (0: the initial state; month 1 is the scenario's start)."""
        return self.ledger.month

    @month.setter
    def month(self, month: int) -> None:
        self.ledger.month = month

    @property
    def months_run(self) -> int:
        """Months stepped since the run's initial state (``month`` less ``first_month``: the model
        months of a run started from a checkpoint go on from the checkpoint's)."""
        return self.ledger.month - self.first_month

    @property
    def people(self) -> People:
        return self.ledger.people

    @property
    def firms(self) -> Firms:
        return self.ledger.firms

    @property
    def bodies(self) -> SupervisoryBodies:
        return self.ledger.bodies

    @property
    def flows(self) -> Counter[str]:
        """This month's flows, nationally (``Ledger.flows``)."""
        return self.ledger.flows

    @property
    def group_flows(self) -> GroupFlows:
        return self.ledger.group_flows

    @property
    def offer_yen(self) -> np.ndarray:
        """Each firm's monthly base wage offer now (``offers.update_offers``)."""
        return self.ledger.offer_yen

    @property
    def base_pay_yen(self) -> np.ndarray:
        """Each prefecture's minimum-wage monthly pay now."""
        return self.ledger.base_pay_yen

    @property
    def ssw1_changed_by_entry(self) -> np.ndarray:
        return self.ledger.ssw1_changed_by_entry

    @property
    def transfer_log(self) -> list[dict] | None:
        """Every transfer as a record when made with ``log_transfers=True`` (micro-data), else None."""
        return self.ledger.transfer_log

    # =========================================================================================
    # A month
    # =========================================================================================
    def step(self) -> None:
        """One month: the phases of docs/ODD.md section 3, in order (``sim.processes``).

        Once the scenario's months are done, the next call ends the run instead: it simulates
        nothing and turns ``running`` False (a later call simulates a month past the end). Why:
        the DataCollector holds month 0 (collected at the start, Mesa's step 0) and each month
        ``k`` (step ``k``), and Mesa 3.3's ``batch_run`` steps while ``running`` and then reads
        rows 0 .. ``model.steps`` - 1; with this closing call it reads months 0 .. the last, where
        turning ``running`` False at the last month would drop it.
        """
        if self.running and self.months_run >= self.scenario.run.months:
            self.running = False
            return
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

    def run(self, months: int | None = None, progress: Callable[[int], None] | None = None) -> LabourMarket:
        """Step ``months`` months (default: the scenario's); ``progress(months_run)`` after each
        (months since the run's initial state, which a checkpoint start puts after month 0)."""
        end = self.months_run + (self.scenario.run.months if months is None else months)
        while self.months_run < end:
            before = self.months_run
            self.step()  # past the scenario's months, one call ends the run and simulates nothing
            if progress is not None and self.months_run != before:
                progress(self.months_run)
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
        table["ssw1_entrants_changed"] = self.ssw1_changed_by_entry[table["month"].to_numpy(dtype=int) + self.first_month] / self.scale
        return table

    def _begin_month(self) -> None:
        self.ledger.open_month()
        offers.update_offers(self)

    def _collect(self) -> None:
        tally = month_tally(self)  # one pass over everyone for both tables
        self.last_row = collect(self, tally)
        self.datacollector.collect(self)
        self._group_rows.append(collect_by_group(self, tally))

    def _compact_if_due(self) -> None:
        self.ledger.compact_if_due(self.compact_share)

    # =========================================================================================
    # Randomness and the calendar
    # =========================================================================================
    def rng_for(self, purpose: str, *extra: int) -> np.random.Generator:
        """The generator for ``purpose`` in the current month (and ``extra`` keys, e.g. a firm)."""
        key = (self.month, _STREAMS[purpose], *extra)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def world_rng(self, purpose: str) -> np.random.Generator:
        """The generator for building the world (``sim.world``): the same whatever the month or policy."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**31, _STREAMS[purpose])))

    def calendar(self, month: int | None = None) -> tuple[int, int]:
        """(year, month 1-12) of model month ``month`` (default: now).

        Month 1 is the scenario's ``run.start``; month 0 is the state at the end
        of the month before (the initial stock). Model months count from ``first_month``.
        """
        at = self.month_one + ((self.month if month is None else month) - 1)
        return at.year, at.month

    @property
    def month_one(self) -> YearMonth:
        """The calendar month of model month 1: ``run.start``, less the months before a checkpoint
        the run started from (what the policy's dates are counted from, in model months)."""
        return self.scenario.run.start - self.first_month

    # =========================================================================================
    # People as agent objects
    # =========================================================================================
    def _drop_views(self, pids: np.ndarray) -> None:
        """Remove the agent objects of people who left Japan (``Ledger.on_leave_japan``)."""
        if self._views:
            for pid in self._views.keys() & set(pids.tolist()):
                self._views.pop(pid).remove()

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
    # The network of firms and bodies as Mesa space (built on first use)
    # =========================================================================================
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
