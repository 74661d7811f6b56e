"""The monthly table (docs/design.md §6): its columns, its months, real-people counts, shares in
[0, 1]; and every shipped scenario running end to end."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from helpers import placed, small
from sim.domain import Status
from sim.ledger import TRANSFER_LOG_FIELDS
from sim.outputs import COLUMNS, FLOW_COLUMNS, GROUP_COLUMNS, STATE_COLUMNS
from sim.processes.codes import IN_JAPAN, IS_LEGAL, IS_TRAINEE, STATUS_KINDS
from sim.runner import run_scenario
from sim.scenario import SHIPPED, shipped_scenario_dir

REAL_STOCK_2024 = 456_595 + 283_634 + 832 + 10_490  # TITP + SSW i + SSW ii residents, end-2024, and irregular former trainees (ISA)
SHARE_COLUMNS = ("share_in_debt", "vacancy_fill_metro", "vacancy_fill_nonmetro", "retention_60m")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "outputs.md"
#: The heading of docs/outputs.md's last section, the transfer log's keys (not columns of the table).
TRANSFER_LOG_HEADING = "\n## The transfer log (micro-data)\n"


@pytest.fixture(scope="module")
def esd_table() -> pd.DataFrame:
    return run_scenario(sim.shipped_scenario("esd"), seed=3, months=12, scale=0.003)


def test_table_has_exactly_the_documented_columns(esd_table):
    """``run_scenario`` returns scenario and seed, then exactly the columns of ``sim.outputs.COLUMNS``
    in that order; the model's own table has exactly ``COLUMNS``."""
    assert list(esd_table.columns) == ["scenario", "seed", *COLUMNS]
    assert len(set(COLUMNS)) == len(COLUMNS) == 1 + len(STATE_COLUMNS) + len(FLOW_COLUMNS)
    assert (esd_table.scenario == "esd").all() and (esd_table.seed == 3).all()
    model = sim.LabourMarket(small("titp", months=2, scale=0.002), seed=1)
    assert list(model.run().results().columns) == list(COLUMNS)
    assert len(set(GROUP_COLUMNS)) == len(GROUP_COLUMNS)  # a name listed twice breaks the by-group tables


def test_months_run_from_zero_to_horizon_with_no_flows_in_month_zero(esd_table):
    """One row per month, 0..M; month 0 is the initial state, so every flow is zero there;
    every value is a number (no missing values except where a share is undefined)."""
    assert esd_table.month.tolist() == list(range(13))
    assert (esd_table.loc[0, list(FLOW_COLUMNS)] == 0).all()
    assert esd_table.drop(columns=["scenario", "retention_60m"]).notna().all().all()


def test_counts_are_real_people_whatever_the_scale():
    """Counts are in real people, not agents: the initial stock at scale 0.01 and 0.02 agrees
    within 5% and is near the 741,061 foreign trainees and SSW workers of end-2024; every
    count is a whole number of agents divided by the scale."""
    rows = {}
    for scale in (0.01, 0.02):
        table = run_scenario(placed(sim.shipped_scenario("titp")), seed=2, months=1, scale=scale)  # the placed end-2024 stock
        rows[scale] = table
        counts = table[["stock_total", "arrivals", "returns_home"]] * scale
        assert np.allclose(counts, counts.round(), atol=1e-6)
    a, b = rows[0.01].stock_total[0], rows[0.02].stock_total[0]
    assert abs(a - b) / b < 0.05
    for value in (a, b):
        assert abs(value - REAL_STOCK_2024) / REAL_STOCK_2024 < 0.01
    assert rows[0.01].stock_titp[0] == pytest.approx(456_595, rel=0.01)
    assert rows[0.01].stock_ssw1[0] == pytest.approx(283_634, rel=0.01)
    arrivals_per_month = (169_774 + 64_626) / 12
    assert rows[0.01].arrivals[1] == pytest.approx(arrivals_per_month, rel=0.05), "the intake is in real people too"


def test_share_columns_lie_between_zero_and_one():
    """Every share column is in [0, 1] every month; 5-year retention is undefined (NaN) until a
    cohort that arrived during the run is 60 months old, then a share."""
    table = run_scenario(placed(sim.shipped_scenario("titp")), seed=4, months=63, scale=0.002)  # from a history state, cohorts of its past count
    for col in SHARE_COLUMNS:
        values = table[col].dropna()
        assert values.between(0.0, 1.0).all(), col
    assert table.retention_60m[table.month <= 60].isna().all()
    assert table.retention_60m[table.month > 60].notna().all()


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_runs_end_to_end_from_its_file(name):
    """Each shipped scenario file runs (path in, table out) for a short horizon, with people
    arriving, leaving and working at positive wages."""
    path = shipped_scenario_dir() / f"{name}.toml"
    table = run_scenario(str(path), seed=1, months=12, scale=0.002)
    assert len(table) == 13 and (table.scenario == name).all()
    assert table.arrivals.iloc[1:].sum() > 0 and table.returns_home.iloc[1:].sum() > 0
    assert (table.wage_mean_yen > 100_000).all()


def test_docs_name_every_output_column():
    """docs/outputs.md documents every column of the table (and documents no column the table
    lacks): each name appears in backticks; its last section documents exactly the keys of the
    transfer log (``sim.ledger.TRANSFER_LOG_FIELDS``)."""
    text, log_section = DOCS.read_text(encoding="utf-8").split(TRANSFER_LOG_HEADING)
    assert set(re.findall(r"^\|\s*`([a-z0-9_]+)`", log_section, flags=re.MULTILINE)) == set(TRANSFER_LOG_FIELDS)
    undocumented = [c for c in COLUMNS + GROUP_COLUMNS if f"`{c}`" not in text]
    assert not undocumented, f"columns missing from docs/outputs.md: {undocumented}"
    named = set(re.findall(r"^\|\s*`([a-z0-9_]+)`", text, flags=re.MULTILINE))
    extra = named - set(COLUMNS) - set(GROUP_COLUMNS) - {"scenario", "seed", "group"}
    assert not extra, f"docs/outputs.md documents columns the table does not have: {sorted(extra)}"


# =============================================================================================
# Compiled helpers that replaced numpy passes: each gives exactly what the numpy call gave
# =============================================================================================
def test_order_statistics_are_those_of_a_full_sort():
    """``order_statistics`` (two counting passes over the float32 bits) returns exactly
    ``np.sort(values)[ks]``, ties and repeated wages included; ``_percentiles`` matches numpy's
    linear interpolation between them."""
    from sim.outputs import _percentiles, order_statistics

    rng = np.random.default_rng(5)
    for trial in range(50):
        n = int(rng.integers(1, 2000))
        if trial % 2:  # few distinct wages, many ties, as in the model
            values = rng.choice(rng.random(int(rng.integers(1, 30))) * 300_000 + 1, n).astype(np.float32)
        else:
            values = (rng.random(n) * 400_000 + 0.5).astype(np.float32)
        ks = np.unique(rng.integers(0, n, 4))
        assert np.array_equal(order_statistics(values, ks), np.sort(values)[ks])
        assert _percentiles(values, (10.0, 90.0)) == pytest.approx(np.percentile(values.astype(np.float64), (10.0, 90.0)), rel=1e-12)


@pytest.fixture(scope="module")
def esd_four_years() -> sim.LabourMarket:
    """esd after 48 months at scale 0.005: settled residents, families and children in Japan."""
    return sim.LabourMarket(small("esd", months=48), seed=2).run()


def test_month_tally_by_group_equals_direct_counts(esd_four_years):
    """The one monthly pass (``month_tally``: counts per cell, folded into the groups; money per
    group in row order) gives exactly, to the bit, what counting each grouping directly gives."""
    from sim import outputs, settlement

    model = esd_four_years
    p, n = model.people, model.people.n
    t = outputs.month_tally(model)
    here = IN_JAPAN[p.status[:n]]
    legal = IS_LEGAL[p.status[:n]]
    paid = legal & (p.firm[:n] >= 0) & (p.wage_yen[:n] > 0)
    col, tally = outputs.GROUP_TALLY.index, settlement.TALLY.index
    for k, grouping in enumerate(outputs.GROUPINGS):
        lo, hi = model.group_flows.offsets[k], model.group_flows.offsets[k + 1]
        of = getattr(p, outputs.PERSON_GROUP_COLUMN[grouping])[:n]

        def direct(mask, weights=None):
            w = None if weights is None else weights[mask].astype(np.float64)
            return np.bincount(of[mask], weights=w, minlength=hi - lo)  # adds in row order

        g, st = t.groups[lo:hi], t.settlement[lo:hi] * model.scale
        assert np.array_equal(g[:, col("here")], direct(here))
        assert np.array_equal(g[:, col("esd")], direct(p.status[:n] == Status.ESD))
        assert np.array_equal(g[:, col("care_worker")], direct(p.status[:n] == Status.CARE_WORKER))
        assert np.array_equal(g[:, col("irregular")], direct(p.status[:n] == Status.IRREGULAR))
        assert np.array_equal(g[:, col("paid")], direct(paid))
        assert np.array_equal(g[:, col("debt_yen")], direct(here, p.debt_yen[:n]))
        assert np.array_equal(g[:, col("wages_yen")], direct(paid, p.wage_yen[:n]))
        assert np.array_equal(st[:, tally("principals")], direct(here))
        assert np.array_equal(st[:, tally("stock_spouse_of_japanese")], direct(here & (p.residence[:n] == 1)))
        assert np.array_equal(st[:, tally("age_sum_months")], direct(here, model.month - p.birth_month[:n]))
        assert np.array_equal(st[:, tally("wages_total_yen")], direct(paid, p.wage_yen[:n]))
    assert t.settlement[:, tally("stock_spouse_of_japanese")].sum() > 0 and t.settlement[:, tally("children_in_japan")].sum() > 0
    assert t.status_counts.tolist() == np.bincount(p.status[:n], minlength=len(Status)).tolist()


def test_compiled_month_tally_is_its_current_source(esd_four_years, monkeypatch):
    """The compiled ``month_tally_kernel`` gives what its Python source gives now.

    It calls compiled helpers of another module (``settlement.add_person``), and numba's cache
    notices changes only in the kernel's own file: a cached kernel would go on counting the old
    way after an edit to those helpers, were the cache not keyed on all the sources
    (``sim._find_numba_cache``, ``test_numba_cache.py``). This test fails if that ever breaks.
    """
    from sim import outputs

    compiled = outputs.month_tally(esd_four_years)
    monkeypatch.setattr(outputs, "month_tally_kernel", outputs.month_tally_kernel.py_func)
    source = outputs.month_tally(esd_four_years)
    for name, a, b in zip(compiled._fields, compiled, source):
        assert np.array_equal(np.asarray(a), np.asarray(b)), f"{name}: the cached kernel is stale (see the docstring)"


def test_employer_queries_are_the_numpy_expressions_they_replaced():
    """``employer_waits`` and ``workers_of_marked_firms`` (compiled passes over everyone) give
    exactly the gather + ``np.where`` and the masks + ``flatnonzero`` they replaced, firm -1 included."""
    from sim.population import employer_waits, workers_of_marked_firms

    rng = np.random.default_rng(3)
    firm = rng.integers(-1, 50, 5000).astype(np.int32)
    status = rng.integers(0, len(Status), 5000).astype(np.int8)
    waiting = rng.integers(0, 24, 50).astype(np.int16)
    none = np.iinfo(np.int32).max
    expected = np.where(firm >= 0, waiting.astype(np.int32)[firm], none)
    got = employer_waits(firm, waiting, none)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)
    marked = np.zeros(50, dtype=bool)
    marked[rng.choice(50, 7, replace=False)] = True
    for table, mask in ((IS_TRAINEE, STATUS_KINDS.trainee), (IS_LEGAL, STATUS_KINDS.legal)):
        rows = np.flatnonzero((firm >= 0) & marked[firm] & table[status])
        assert np.array_equal(workers_of_marked_firms(firm, status, marked, mask), rows) and len(rows) > 0


def test_firm_tie_lists_are_those_of_the_row_sorts_they_replaced():
    """``unique_edges`` (one integer key a row) and ``csr_neighbours`` (a stable argsort of one
    key) order edges exactly as ``np.unique(axis=0)`` and ``np.lexsort`` did, duplicates included."""
    from sim.network import csr_neighbours, unique_edges

    rng = np.random.default_rng(4)
    n = 300
    edges = np.sort(rng.integers(0, n, (2000, 2)), axis=1)
    assert np.array_equal(unique_edges(edges, n), np.unique(edges, axis=0))
    both = np.concatenate([edges, edges[:, ::-1]])
    ordered = both[np.lexsort((both[:, 1], both[:, 0]))]
    indptr, indices = csr_neighbours(n, edges)
    assert np.array_equal(indices, ordered[:, 1].astype(np.int32))
    assert np.array_equal(indptr, np.concatenate([[0], np.cumsum(np.bincount(ordered[:, 0], minlength=n))]))


def test_group_index_is_a_stable_sort():
    """The contact pool's index (``network._group_index``, a counting sort) orders members as a
    stable argsort of their keys does, with each group's start and end."""
    from sim.network import _group_index

    keys = np.array([2, 0, 2, 1, 0, 2, 4])
    order, starts, ends = _group_index(keys, 5)
    assert order.tolist() == [1, 4, 3, 0, 2, 5, 6] == np.argsort(keys, kind="stable").tolist()
    assert starts.tolist() == [0, 2, 3, 6, 6] and ends.tolist() == [2, 3, 6, 6, 7]


def test_compaction_keeps_rows_in_order_and_renumbers_contacts():
    """``People.compact`` moves the kept rows to the front in order; a contact who was dropped becomes -1."""
    from sim.population import People

    people = People(8, contacts_per_person=2)
    rows = people.add(4)
    people.status[rows] = [Status.TITP_1, Status.RETURNED, Status.ESD, Status.SSW_1]
    people.debt_yen[rows] = [10.0, 20.0, 30.0, 40.0]
    people.contacts[rows] = [[1, 2], [0, -1], [1, 3], [0, 2]]
    people.compact()
    assert people.n == 3
    assert people.debt_yen[:3].tolist() == [10.0, 30.0, 40.0]
    assert people.contacts[:3].tolist() == [[-1, 1], [-1, 2], [0, 1]]
    assert people.row_of_pid.tolist() == [0, -1, 1, 2]
