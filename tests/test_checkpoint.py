"""Checkpoints (``sim.checkpoint``, issue 19 item 2): a run saved at month m and loaded is the same
run, to the bit; a checkpoint that does not match the code, the settings or its own checksum is
refused in one line naming the file (exit 2 on the command line); ``run.start_from`` builds the
history run's state on first use and starts the run from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sim
from sim.checkpoint import CheckpointError, read_manifest, save_checkpoint, settings_hash
from sim.scenario import ScenarioError, load_scenario, shipped_scenario_dir

SCALE = 0.002
SAVED_AT = 30  # model month of the checkpoint (June 2019: SSW open, stage iii open, inspections running)
MORE = 8


@pytest.fixture(scope="module")
def history():
    return load_scenario("history_2017").with_run(scale=SCALE)


@pytest.fixture(scope="module")
def saved(history, tmp_path_factory):
    """The history run to month 30, saved, then continued without stopping."""
    model = sim.LabourMarket(history, seed=5).run(SAVED_AT)
    path = save_checkpoint(model, tmp_path_factory.mktemp("ckpt") / "h30")
    model.run(MORE)
    return path, model


def _continued(history, path):
    return sim.LabourMarket(history.with_run(start="2019-07"), seed=5, checkpoint=path).run(MORE)


def test_a_run_loaded_at_month_m_and_continued_is_the_run_continued_to_the_bit(history, saved):
    """History to month m then on == load the checkpoint at m then on: the monthly table and every
    grouping, exactly (the random streams go on with the month; Mesa's generators are restored)."""
    path, whole = saved
    loaded = _continued(history, path)
    a = whole.results().iloc[SAVED_AT + 1:].reset_index(drop=True)
    b = loaded.results().iloc[1:].reset_index(drop=True)
    b["month"] += SAVED_AT
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for by in ("prefecture", "field", "origin"):
        ga = whole.results(by=by)
        gb = loaded.results(by=by)
        ga = ga[ga["month"] > SAVED_AT].reset_index(drop=True)
        gb = gb[gb["month"] > 0].reset_index(drop=True)
        gb["month"] += SAVED_AT
        pd.testing.assert_frame_equal(ga, gb, check_exact=True)
    assert whole.random.getstate() == loaded.random.getstate()
    n = whole.people.n
    assert np.array_equal(whole.people.grievance[:n], loaded.people.grievance[:n])


def test_the_loaded_runs_calendar_and_table_start_at_the_checkpoint(history, saved):
    """Month 0 of a loaded run's table is the checkpoint's state; the calendar goes on from it."""
    path, _ = saved
    model = sim.LabourMarket(history.with_run(start="2019-07"), seed=5, checkpoint=path)
    assert model.month == SAVED_AT and model.first_month == SAVED_AT
    assert model.calendar() == (2019, 6) and model.calendar(SAVED_AT + 1) == (2019, 7)
    assert model.results()["month"].tolist() == [0]


def _copy(path, tmp_path):
    manifest = json.loads(path.read_text())
    new = tmp_path / path.name
    new.write_text(path.read_text())
    new.with_suffix(".npz").write_bytes(path.with_suffix(".npz").read_bytes())
    return new, manifest


def test_a_damaged_checkpoint_is_refused_naming_the_file(saved, tmp_path):
    path, _ = saved
    new, _ = _copy(path, tmp_path)
    data = bytearray(new.with_suffix(".npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    new.with_suffix(".npz").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=rf"{new.name}.*damaged"):
        read_manifest(new)


@pytest.mark.parametrize(("key", "value", "says"), [
    ("code", "0" * 64, "made by other code"), ("version", 99, "format version 99"), ("format", "x", "not a tenseki checkpoint"),
])
def test_a_checkpoint_of_other_code_or_version_is_refused(saved, tmp_path, key, value, says):
    path, _ = saved
    new, manifest = _copy(path, tmp_path)
    new.write_text(json.dumps({**manifest, key: value}))
    with pytest.raises(CheckpointError, match=says):
        read_manifest(new)


def test_a_checkpoint_of_other_settings_seed_or_start_is_refused(history, saved):
    path, _ = saved
    with pytest.raises(CheckpointError, match="settings_sha256"):
        read_manifest(path, expect_settings=settings_hash(history.with_changes({"behaviour.abscond.base_monthly": 0.001})))
    assert read_manifest(path, expect_settings=settings_hash(history))["month"] == SAVED_AT
    with pytest.raises(CheckpointError, match="seed"):
        sim.LabourMarket(history.with_run(start="2019-07"), seed=6, checkpoint=path)
    with pytest.raises(CheckpointError, match='run.start must be "2019-07"'):
        sim.LabourMarket(history, seed=5, checkpoint=path)


def test_start_from_must_name_a_history_month_and_start_the_month_after():
    titp = load_scenario("titp")
    with pytest.raises(ScenarioError, match="history-YYYY-MM"):
        titp.with_changes({"run.start_from": "2024-12"})
    with pytest.raises(ScenarioError, match="run.start"):
        titp.with_changes({"run.start_from": "history-2024-12", "run.start": "2027-04"})


def test_start_from_builds_the_history_state_once_and_a_damaged_cache_exits_2(tmp_path):
    """A scenario with ``run.start_from`` runs from a fresh cache (built on first use), then from the
    cached checkpoint; a damaged cached checkpoint stops the command line with exit 2 and one line."""
    scenario = tmp_path / "from_history.toml"
    scenario.write_text(f'base = "{shipped_scenario_dir() / "titp.toml"}"\n'
                        '[run]\nstart_from = "history-2017-03"\nstart = "2017-04"\nmonths = 2\nscale = 0.002\n')
    env = {**os.environ, "TENSEKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200", "NO_COLOR": "1"}

    def tenseki(*args):
        return subprocess.run([sys.executable, "-c", "from sim.cli import app; app()", *map(str, args)],
                              capture_output=True, text=True, env=env, timeout=300)

    first = tenseki("run", scenario, "--seed", "2", "--out", tmp_path / "a.parquet")
    assert first.returncode == 0, first.stderr
    cached = sorted((tmp_path / "cache").glob("history-2017-03-seed2-*.npz"))
    assert len(cached) == 1
    second = tenseki("run", scenario, "--seed", "2", "--out", tmp_path / "b.parquet")
    assert second.returncode == 0, second.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet"))
    cached[0].write_bytes(cached[0].read_bytes()[:-10])
    broken = tenseki("run", scenario, "--seed", "2", "--out", tmp_path / "c.parquet")
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert cached[0].stem in broken.stderr and "damaged" in broken.stderr
