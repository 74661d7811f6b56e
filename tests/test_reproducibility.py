"""Tier C: one seed, one result - in this process, in a fresh process, in a process pool - and
the same initial world under every policy (common random numbers, docs/design.md §8)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

import sim
from helpers import small
from sim.runner import run_scenario

MONTHS, SCALE = 24, 0.003


def table(name: str = "esd", seed: int = 7) -> pd.DataFrame:
    return run_scenario(sim.shipped_scenario(name), seed=seed, months=MONTHS, scale=SCALE)


def test_same_seed_gives_identical_tables_in_one_process():
    """Two runs with the same seed in one process give exactly the same monthly table."""
    pd.testing.assert_frame_equal(table(seed=7), table(seed=7), check_exact=True)


def test_different_seeds_give_different_results():
    """Runs with different seeds differ (the seed is used), but have the same shape."""
    a, b = table(seed=7), table(seed=8)
    assert a.shape == b.shape
    assert not a.drop(columns="seed").equals(b.drop(columns="seed"))
    assert (a.stock_total.iloc[1:].to_numpy() != b.stock_total.iloc[1:].to_numpy()).any()


def test_interleaved_models_do_not_disturb_each_other():
    """Stepping two models month by month in turn gives the same tables as running each alone:
    no randomness or state is shared between models in one process."""
    alone_a = sim.LabourMarket(small("titp", months=MONTHS, scale=SCALE), seed=3).run().results()
    alone_b = sim.LabourMarket(small("free_mobility", months=MONTHS, scale=SCALE), seed=4).run().results()
    a = sim.LabourMarket(small("titp", months=MONTHS, scale=SCALE), seed=3)
    b = sim.LabourMarket(small("free_mobility", months=MONTHS, scale=SCALE), seed=4)
    for _ in range(MONTHS):
        a.step()
        b.step()
    pd.testing.assert_frame_equal(a.results(), alone_a, check_exact=True)
    pd.testing.assert_frame_equal(b.results(), alone_b, check_exact=True)


def test_same_seed_gives_identical_table_in_a_fresh_process(tmp_path):
    """A run in a fresh Python process (other hash seed) writes exactly the table this process makes."""
    out = tmp_path / "fresh.parquet"
    code = textwrap.dedent(f"""
        import sim
        from sim.runner import run_scenario
        t = run_scenario(sim.shipped_scenario("esd"), seed=7, months={MONTHS}, scale={SCALE})
        t.to_parquet({str(out)!r}, index=False)
    """)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out), table(seed=7), check_exact=True)


def _pool_run(args):
    name, seed = args
    return run_scenario(sim.shipped_scenario(name), seed=seed, months=MONTHS, scale=SCALE)


def test_runs_in_a_process_pool_match_in_process_runs():
    """Runs in a pool of fresh worker processes, in any order, give exactly the in-process tables."""
    jobs = [("titp", 5), ("esd", 5), ("restricted", 9)]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = list(pool.map(_pool_run, jobs))
    for (name, seed), got in zip(jobs, remote):
        pd.testing.assert_frame_equal(got, table(name, seed), check_exact=True)


def test_same_seed_gives_same_initial_world_under_every_policy():
    """The same seed builds the same firms (prefecture, field, size, compliance, wages,
    training, supervisory body), the same firm network and the same initial people (origin,
    prefecture, employer, field, aptitude, wish to stay, ties) under TITP, ESD, free mobility and restriction, so
    that differences between policies come from the policies."""
    models = {name: sim.LabourMarket(small(name, months=1, scale=SCALE), seed=21) for name in sim.scenario.SHIPPED}
    ref = models["titp"]
    for name, m in models.items():
        for col in ("pref", "field", "staff", "compliance", "markup", "training_quality", "supervisory_body", "demand"):
            np.testing.assert_array_equal(getattr(m.firms, col), getattr(ref.firms, col), err_msg=f"{name}: firms.{col}")
        np.testing.assert_array_equal(m.firm_nbr_ptr, ref.firm_nbr_ptr, err_msg=name)
        np.testing.assert_array_equal(m.firm_nbr, ref.firm_nbr, err_msg=name)
        np.testing.assert_array_equal(m.bodies.pref, ref.bodies.pref, err_msg=f"{name}: bodies.pref")
        n = ref.people.n
        assert m.people.n == n
        for col in ("origin", "pref", "firm", "field", "aptitude", "wants_long_stay"):  # (debt left depends on time served)
            np.testing.assert_array_equal(getattr(m.people, col)[:n], getattr(ref.people, col)[:n], err_msg=f"{name}: people.{col}")
        np.testing.assert_array_equal(m.people.contacts[:n], ref.people.contacts[:n], err_msg=name)
    other = sim.LabourMarket(small("titp", months=1, scale=SCALE), seed=22)
    assert not np.array_equal(other.firms.compliance, ref.firms.compliance), "another seed, another world"


def test_model_seed_is_kept_and_none_draws_one():
    """The seed given is kept in ``model.seed``; without one, a seed is drawn and kept, and a
    second model with that seed reproduces the first."""
    scenario = small("titp", months=3, scale=0.002)
    m = sim.LabourMarket(scenario, seed=None)
    assert isinstance(m.seed, int)
    again = sim.LabourMarket(scenario, seed=m.seed)
    pd.testing.assert_frame_equal(m.run().results(), again.run().results(), check_exact=True)


@pytest.mark.parametrize("name", ["titp", "esd"])  # titp: the ladder's stage iii draws
def test_results_do_not_depend_on_compacting_the_people_arrays(name):
    """Dropping the rows of people who left (compaction) saves memory only: compacting every
    month, at the default threshold, or never gives exactly the same table."""
    scenario = small(name, months=MONTHS, scale=SCALE)
    tables = []
    for share in (0.0, 0.25, 10.0):
        m = sim.LabourMarket(scenario, seed=9)
        m.compact_share = share
        tables.append(m.run().results())
    for other in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], other, check_exact=True)


def test_a_persons_agent_stays_theirs_across_compaction():
    """``model.trainee(pid)`` keeps pointing at the same person while others leave and the
    arrays are compacted: same id, origin and aptitude, at a row that moved up."""
    scenario = small("titp", months=MONTHS, scale=SCALE)
    probe = sim.LabourMarket(scenario, seed=9)
    probe.compact_share = 10.0  # never compact: rows are ids
    start = probe.people.n
    probe.run()
    still_here = np.flatnonzero(probe.people.in_japan()[:start])
    pid = int(still_here[-1])  # someone from the end of the initial stock who is still in Japan

    m = sim.LabourMarket(scenario, seed=9)
    m.compact_share = 0.0  # compact every month
    trainee = m.trainee(pid)
    origin, aptitude, first_row = trainee.origin, float(m.people.aptitude[trainee.row]), trainee.row
    m.run()
    assert m.trainee(pid) is trainee
    assert int(m.people.pid[trainee.row]) == pid
    assert trainee.origin == origin and float(m.people.aptitude[trainee.row]) == aptitude
    assert trainee.row < first_row, "people before them left, so their row moved up"
    assert trainee.status == sim.Status(probe.people.status[pid])
