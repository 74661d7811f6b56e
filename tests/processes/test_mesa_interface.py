"""The Mesa interface of ``sim/model.py``: agent views of people and firms, the network space,
the DataCollector and settings as keywords, results by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from helpers import (
    place,
    settle,
    two_firm_market,
)
from sim.domain import TEST_BITS, Status
from sim.outputs import COLUMNS
from sim.processes import decisions
from sim.runner import run_tables

# =============================================================================================
# Voluntary transfers
# =============================================================================================


def test_agent_api_for_one_person_and_firm():
    """The per-agent face: a firm's offer is its prefecture's minimum-wage pay x markup; a trainee
    knows the tests passed; ``move_to`` is an unavoidable move counted once; a released trainee's
    ``seek_new_employer`` takes the only firm with a vacancy even though it pays less."""
    m = two_firm_market(dest_markup=1.0)
    f1 = m.firm_agents[1]
    assert f1.wage_offer_yen == pytest.approx(m.base_pay_yen[m.firms.pref[1]] * m.firms.markup[1])
    place(m, 0, 0, Status.ESD, tests=TEST_BITS["basic_skill"])
    settle(m)
    t = m.trainee(0)
    assert t.has_passed("basic_skill") and not t.has_passed("japanese_a1")
    t.move_to(f1, voluntary=False)
    assert t.employer is f1 and m.firms.headcount.tolist() == [2, 1]
    assert m.flows["transfers_unavoidable"] == 1 and m.flows["transfers_voluntary"] == 0
    m.ledger.detach(np.array([t.row]))  # released: no employer, last employer firm 1
    m.firms.demand[1] = 0.5  # firm 1 takes no one now; firm 0 has vacancies
    settle(m)  # (starts the month's flows afresh)
    assert t.seek_new_employer(np.random.default_rng(0)) is True
    assert t.employer is m.firm_agents[0] and m.flows["transfers_unavoidable"] == 1


# =============================================================================================
# Cost sharing and the network space
# =============================================================================================


def test_trainee_stands_on_the_employers_node():
    """A person stands on their employer's node of the network space and moves with a transfer;
    with no employer they stand nowhere."""
    m = two_firm_market()
    trainee = m.trainee(0)
    assert trainee.cell is m.firm_agents[0].cell
    assert trainee.seek_transfer(np.random.default_rng(0))
    assert trainee.cell is m.firm_agents[1].cell
    decisions.abscond(m, np.array([0]))
    assert trainee.cell is None and trainee.employer is None


# =============================================================================================
# Mesa conventions
# =============================================================================================


def test_datacollector_holds_the_monthly_table_and_settings_come_as_keywords():
    """``LabourMarket("esd", seed, run__scale=..., run__months=...)`` builds the named scenario with
    those settings; its DataCollector's model variables are the monthly table's columns, row for
    row; once the scenario's months are done, the next ``step()`` turns ``running`` False and
    simulates nothing (Mesa's batch_run needs that call: ``test_mesa_batch_run_returns_every_month``);
    a bad setting is refused."""
    m = sim.LabourMarket("esd", seed=3, run__scale=0.002, run__months=2)
    assert m.scale == 0.002 and m.scenario.run.months == 2 and m.running
    m.step()
    m.step()
    assert m.running and m.months_run == 2
    m.step()
    assert not m.running and m.months_run == 2 and m.steps == 3
    collected = m.datacollector.get_model_vars_dataframe()
    assert list(collected.columns) == list(COLUMNS)
    assert collected.equals(m.results()) and len(collected) == 3
    m.step()  # past the end, stepping by hand simulates further months
    assert m.months_run == 3 and len(m.results()) == 4
    with pytest.raises(sim.ScenarioError, match="waiting_month"):
        sim.LabourMarket("esd", seed=3, policy__transfer__waiting_month=12)


def test_mesa_batch_run_returns_every_month():
    """``mesa.batch_run`` on the model, as Mesa's users call it, returns every month of a 12-month
    run, 0 through 12, its ``Step`` equal to ``month``, with the values of ``run_tables``; with
    Mesa's default (collect at the end only) its one row is month 12. (Mesa 3.3 reads rows
    0 .. steps - 1 of the DataCollector: without the closing step the last month was missing.)
    The cohort column ``ssw1_entrants_changed`` is as collected that month: ``results()`` fills
    it in when the table is read (docs/outputs.md)."""
    import mesa

    columns = [c for c in COLUMNS if c != "ssw1_entrants_changed"]
    common = {"scenario": "esd", "run__scale": 0.002, "run__months": 12}
    rows = mesa.batch_run(sim.LabourMarket, parameters={**common, "seed": [1, 2]}, max_steps=12,
                          number_processes=1, data_collection_period=1, display_progress=False)
    assert sorted((r["seed"], r["Step"]) for r in rows) == [(s, k) for s in (1, 2) for k in range(13)]
    assert all(r["month"] == r["Step"] for r in rows)
    for seed in (1, 2):
        expected = run_tables("esd", seed, months=12, scale=0.002)["national"]
        got = pd.DataFrame([r for r in rows if r["seed"] == seed]).sort_values("Step")[columns]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected[columns], check_dtype=False)
    last = mesa.batch_run(sim.LabourMarket, parameters={**common, "seed": 1}, number_processes=1, display_progress=False)
    assert [r["month"] for r in last] == [12] and last[0]["stock_total"] == rows[12]["stock_total"]


def test_results_by_group_name_the_allowed_groupings():
    m = sim.LabourMarket("esd", seed=3, run__scale=0.002, run__months=1)
    with pytest.raises(ValueError, match="prefecture, field, origin"):
        m.results(by="nationality")
    table = m.results(by="origin")
    assert table.month.tolist() == [0] * 7 and table.group.tolist() == list(sim.ORIGINS)
