"""Batch experiments (sim/experiments/, sim/store.py, sim/report.py, sim/sensitivity.py;
docs/experiments.md): experiment files validated like scenarios, seeds from the design, the same
tables with one or two Dask workers, a store that never lies (every fault of issue 8 item 3),
killed sweeps that finish with exactly the uninterrupted results, no worker left behind, the
lock, paired differences, sensitivity indices. Tiny runs throughout (scale 0.002, a few months).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.experiments import Experiment, ExperimentError, load_experiment, read_runs, run_experiment, sweep
from sim.report import format_report, write_report
from sim.runner import run_scenario
from sim.store import StoreError
from sim.summary import headline

SHIPPED_EXPERIMENTS = Path(__file__).resolve().parent.parent / "scenarios" / "experiments"


def tiny(replications: int = 2, months: int = 4, **settings) -> Experiment:
    """Two shipped scenarios, a few replications of a few months at scale 0.002."""
    return Experiment.from_scenarios(
        "tiny", [sim.shipped_scenario("titp"), sim.shipped_scenario("esd")],
        replications=replications, base_seed=7, months=months, scale=0.002, **settings,
    )


def run_id(short: str, experiment: Experiment | None = None) -> str:
    """The id of run ``"<scenario>-r<replication>"`` (e.g. "esd-r000") of ``tiny()``: the short
    name is the start of the id, which ends in a hash of the run's content."""
    ids = [r.run_id for r in (experiment or tiny()).runs() if r.run_id.startswith(short + "-")]
    assert len(ids) == 1, (short, ids)
    return ids[0]


def write_experiment(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tenseki(*args, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", "from sim.cli import app; app()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


# =============================================================================================
# Experiment files: validated like scenarios
# =============================================================================================
GOOD = 'name = "t"\nscenarios = ["titp"]\nmonths = 3\nscale = 0.002\n'


@pytest.mark.parametrize("text, expected", [
    (GOOD + "replicatons = 3\n", ["replicatons", "not a setting"]),
    (GOOD + "replications = 0\n", ["replications", "out of range", "from 1"]),
    (GOOD + 'outputs = ["disappearances"]\n', ["outputs[0]", "disappearances_per_1000"]),
    (GOOD + '[grid]\n"policy.transfer.regme" = ["free"]\n', ["policy.transfer.regme", "not a setting"]),
    (GOOD + '[grid]\n"policy.transfer.regime" = ["sometimes"]\n', ["policy.transfer.regime", "sometimes", "free"]),
    (GOOD + "[grid]\npolicy.transfer.regime = [\"free\"]\n", ["grid.policy", "quotes"]),
    (GOOD.replace('["titp"]', '["nowhere"]'), ["scenarios", "nowhere"]),
    (GOOD + '[grid]\n"run.scale" = [0.5]\n[sample]\nmethod = "morris"\nn = 2\n[sample.ranges]\n"run.scale" = [0.1, 0.2]\n',
     ["either a [grid] or a [sample]"]),
    (GOOD + '[sample]\nmethod = "sobol"\nn = 3\n[sample.ranges]\n"behaviour.abscond.legal_exit_factor" = [0.1, 0.9]\n',
     ["sample.n", "power of 2"]),
    (GOOD + '[sample]\nmethod = "morris"\nn = 2\n[sample.ranges]\n"behaviour.abscond.legal_exit_factor" = [0.1, 2.0]\n',
     ["legal_exit_factor", "2.0", "out of range", "from 0 to 1"]),
    (GOOD + '[sample]\nmethod = "morris"\nn = 2\n[sample.ranges]\n"esx:policy.supervision.independence_mean" = [0.1, 0.9]\n',
     ["'esx' is not a scenario"]),
    (GOOD + 'reference = { job_change = "free" }\n[grid.job_change.restricted]\n"policy.transfer.regime" = "unavoidable_only"\n',
     ["reference.job_change", "'restricted'"]),
    (GOOD + '[grid.seed.one]\n"policy.transfer.regime" = "free"\n', ["grid.seed", "name the factor differently"]),
    (GOOD + '[grid]\n"policy.transfer.regime" = ["free", "unavoidable_only"]\n[grid.mobility.open]\n"policy.transfer.regime" = "free"\n',
     ["policy.transfer.regime", "two factors", "grid.policy.transfer.regime", "grid.mobility"]),
    (GOOD + '[grid]\n"policy.transfer.regime" = ["free"]\n[grid.mobility.open]\n"titp:policy.transfer.regime" = "free"\n',
     ["policy.transfer.regime", "two factors", "grid.policy.transfer.regime", "grid.mobility"]),
    # two spellings of one setting: plain and for one scenario; case and hyphen variants
    (GOOD + '[changes]\n"policy.transfer.regime" = "free"\n"titp:policy.transfer.regime" = "unavoidable_only"\n',
     ["'changes.policy.transfer.regime' and 'changes.titp:policy.transfer.regime' set the same setting"]),
    (GOOD + '[sample]\nmethod = "morris"\nn = 2\n[sample.ranges]\n"run.scale" = [0.1, 0.2]\n"titp:run.scale" = [0.1, 0.3]\n',
     ["'sample.ranges.run.scale' and 'sample.ranges.titp:run.scale' set the same setting"]),
    (GOOD + '[changes]\n"policy.transfer.Regime" = "free"\n', ["policy.transfer.Regime", "did you mean 'policy.transfer.regime'"]),
    (GOOD + '[changes]\n"policy.transfer.same-field" = false\n', ["same-field", "did you mean 'policy.transfer.same_field'"]),
    (GOOD + 'Replications = 2\n', ["Replications", "did you mean 'replications'"]),
    ("name = \"t\"\nscenarios = [\n", ["not valid TOML"]),
])
def test_a_bad_experiment_file_is_a_clear_error(tmp_path, text, expected):
    """Each mistake gives an ExperimentError naming the file and the key (and the value and
    what is allowed where there is one), like a bad scenario file."""
    path = write_experiment(tmp_path, text)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    message = str(err.value)
    assert str(path) in message
    for text_ in expected:
        assert text_ in message, message


def test_the_command_line_reports_a_bad_experiment_with_exit_2(tmp_path):
    """``tenseki sweep BAD.toml`` exits 2 with the file and key on stderr, no traceback, and
    writes nothing."""
    path = write_experiment(tmp_path, GOOD + "replications = -1\n")
    done = tenseki("sweep", path, "--out", tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert "exp.toml" in done.stderr and "replications" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_large_design_prints_its_size_and_runs_only_with_yes(tmp_path, monkeypatch, capsys):
    """Before anything runs, sweep, sensitivity and compare print the design's runs, estimated
    time and disk; past a limit they refuse without --yes (exit 2, nothing written), and run
    with it."""
    from sim.cli import run_app
    from sim.experiments import estimate

    path = write_experiment(tmp_path, GOOD.replace("months = 3", "months = 1") + "replications = 2\n")
    out = tmp_path / "out"
    monkeypatch.setattr(estimate, "MAX_RUNS_UNASKED", 1)
    argv = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    assert run_app(argv) == 2
    err = capsys.readouterr().err
    assert "Design: 2 runs, about" in err and "on disk" in err, err
    assert "the design is large (more than 1 runs" in err and "add --yes" in err and not out.exists()
    assert run_app(["compare", "titp", "--seeds", "2", "--months", "1", "--scale", "0.002", "--out", str(out)]) == 2
    assert "add --yes" in capsys.readouterr().err and not out.exists()
    assert run_app([*argv, "--yes"]) == 0
    assert len(list((out / "runs").glob("*.parquet"))) == 2


def test_the_size_estimate_counts_runs_time_and_disk():
    """Runs = scenarios x points x seeds; time shared by the workers; each limit alone asks."""
    from sim.experiments.estimate import MAX_BYTES_UNASKED, MAX_HOURS_UNASKED, DesignSize, design_size

    one, two = design_size(tiny(), workers=1), design_size(tiny(), workers=2)
    assert one.runs == two.runs == 4 and two.seconds == pytest.approx(one.seconds / 2) and one.bytes > 4 * 60_000
    assert design_size(tiny(months=40)).seconds > one.seconds and design_size(tiny(months=40)).bytes > one.bytes
    assert one.over_limit() is None
    assert "hours" in DesignSize(10, MAX_HOURS_UNASKED * 3600 + 1, 0, 1).over_limit()
    assert "on disk" in DesignSize(10, 1, MAX_BYTES_UNASKED + 1, 1).over_limit()


def test_shipped_experiments_load():
    """mobility_x_stay: 3 job-change x 2 long-stay levels x 10 replications of esd, the same
    10 seeds at every point; sensitivity_behaviour: a Morris sample over the nine assumptions,
    ESD's independence changed in esd only."""
    mxs = load_experiment(SHIPPED_EXPERIMENTS / "mobility_x_stay.toml")
    assert [p.label for p in mxs.points] == [
        f"{j} / {s}" for j in ("restricted", "after_waiting_period", "free") for s in ("three_years", "ssw_path")]
    runs = mxs.runs()
    assert len(runs) == 60 and len({r.seed for r in runs}) == 10
    free_ssw = runs[-1].scenario
    assert free_ssw.policy.transfer.regime == "free" and free_ssw.policy.stay.ssw1_path
    assert not runs[0].scenario.policy.stay.ssw1_path and runs[0].scenario.policy.transfer.regime == "unavoidable_only"

    sens = load_experiment(SHIPPED_EXPERIMENTS / "sensitivity_behaviour.toml")
    assert len(sens.points) == 10 * (9 + 1)
    runs = sens.runs()
    titp = [r for r in runs if r.scenario_name == "titp"]
    esd = [r for r in runs if r.scenario_name == "esd"]
    assert {r.scenario.policy.supervision.independence_mean for r in titp} == {sim.shipped_scenario("titp").policy.supervision.independence_mean}
    assert len({r.scenario.policy.supervision.independence_mean for r in esd}) > 1


# =============================================================================================
# Designs and seeds
# =============================================================================================
def test_the_long_run_caps_experiment_ends_the_caps_after_fy2028():
    """long_run_2070_caps: the caps as shipped ("held" for ever) or ending after FY2028 ("lifted")."""
    exp = load_experiment(SHIPPED_EXPERIMENTS / "long_run_2070_caps.toml")
    assert [p.label for p in exp.points] == ["held", "lifted"]
    for r in exp.runs():
        held = sim.shipped_scenario(r.scenario_name).policy.recruitment
        last = r.scenario.policy.recruitment.stock_caps_last_fiscal_year
        assert held.stock_caps_last_fiscal_year is None and last == (2028 if r.point.label == "lifted" else None)
        assert r.scenario.policy.recruitment.stock_cap_ssw == held.stock_cap_ssw == 805_700


def test_the_caps_experiment_holds_or_lifts_the_caps_on_residents():
    """caps_ten_years: titp and esd with the caps on residents as shipped ("held") or at the
    schema's largest stock ("lifted"): SSW's in both scenarios, ESD's and the field caps in esd."""
    exp = load_experiment(SHIPPED_EXPERIMENTS / "caps_ten_years.toml")
    assert [p.label for p in exp.points] == ["held", "lifted"]
    runs = {(r.scenario_name, r.point.label): r.scenario.policy.recruitment for r in exp.runs() if r.replication == 0}
    shipped = {name: sim.shipped_scenario(name).policy.recruitment for name in ("titp", "esd")}
    assert runs[("titp", "held")] == shipped["titp"] and runs[("esd", "held")] == shipped["esd"]
    assert shipped["esd"].stock_cap_esd == 426_200 and shipped["esd"].stock_caps_ssw_and_esd_by_field
    lifted_titp, lifted_esd = runs[("titp", "lifted")], runs[("esd", "lifted")]
    assert lifted_titp.stock_cap_ssw == lifted_esd.stock_cap_ssw == 5_000_000
    assert lifted_esd.stock_cap_esd == 5_000_000 and lifted_esd.stock_caps_ssw_and_esd_by_field == {}
    assert lifted_titp.stock_cap_esd == shipped["titp"].stock_cap_esd


def test_seeds_come_from_the_seed_sequence_by_replication():
    """Replication k has seed SeedSequence(base_seed).spawn(n)[k] in every scenario (common
    random numbers), whatever n is, and run ids and positions follow the design order."""
    exp = tiny(replications=3)
    expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in np.random.SeedSequence(7).spawn(3)]
    runs = exp.runs()
    assert [r.seed for r in runs] == expected * 2
    assert [r.run_id[:-17] for r in runs] == [f"{s}-r{k:03d}" for s in ("titp", "esd") for k in range(3)]
    assert [r.position for r in runs] == list(range(6))
    assert tiny(replications=5).seeds[:3] == expected


def test_a_grid_is_the_full_factorial_of_its_factors(tmp_path):
    """Two factors (one a single setting with values, one of named levels) give every
    combination, each validated and applied."""
    path = write_experiment(tmp_path, GOOD + '''
[grid]
"policy.transfer.min_wage_gain_x" = [1]
''')
    with pytest.raises(ExperimentError):
        load_experiment(path)
    path = write_experiment(tmp_path, GOOD + '''
[grid]
"behaviour.transfer.min_wage_gain" = [0.0, 0.05]
[grid.mobility.none]
"policy.transfer.regime" = "unavoidable_only"
[grid.mobility.free]
"policy.transfer.regime" = "free"
"policy.transfer.same_field" = false
''')
    exp = load_experiment(path)
    assert [p.factors for p in exp.points] == [
        {"behaviour.transfer.min_wage_gain": g, "mobility": m} for g in (0.0, 0.05) for m in ("none", "free")]
    last = exp.runs()[-1].scenario
    assert last.behaviour.transfer.min_wage_gain == 0.05 and last.policy.transfer.regime == "free"
    assert not last.policy.transfer.same_field


@pytest.mark.parametrize("method, n, points", [("latin_hypercube", 5, 5), ("morris", 3, 3 * 3), ("sobol", 4, 4 * (2 + 2))])
def test_a_sample_has_the_method_s_points_inside_the_ranges(tmp_path, method, n, points):
    """Latin hypercube: n points; Morris: n (D + 1); Sobol: n (D + 2). Values stay inside the
    ranges; an integer setting gets integers."""
    path = write_experiment(tmp_path, GOOD + f'''
[sample]
method = "{method}"
n = {n}
[sample.ranges]
"behaviour.abscond.legal_exit_factor" = [0.1, 0.9]
"policy.transfer.waiting_months" = [0, 24]
''')
    exp = load_experiment(path)
    assert len(exp.points) == points
    factors = [p.changes["behaviour.abscond.legal_exit_factor"] for p in exp.points]
    waits = [p.changes["policy.transfer.waiting_months"] for p in exp.points]
    assert all(0.1 <= f <= 0.9 for f in factors) and all(isinstance(w, int) and 0 <= w <= 24 for w in waits)
    assert [p.changes for p in load_experiment(path).points] == [p.changes for p in exp.points]  # seeded


@pytest.mark.parametrize("method, key, bounds, words", [
    ("morris", "policy.transfer.waiting_months", "[0.6, 1.4]", "both round to 1"),
    ("latin_hypercube", "policy.transfer.waiting_months", "[0.6, 1.6]", "every sampled point has the value 1"),
    ("morris", "behaviour.abscond.legal_exit_factor", "[0.5, 0.5000000000000001]", "too narrow to sample"),
    ("morris", "behaviour.abscond.legal_exit_factor", "[0.5, 0.5]", "low < high"),
])
def test_a_sample_that_collapses_its_range_is_refused(tmp_path, method, key, bounds, words):
    """A range whose sampled values are all one (equal bounds, a whole-number range that
    rounds to one number, a range narrower than a float's precision) measured nothing, and
    sensitivity would report "no influence": an error naming the key."""
    path = write_experiment(tmp_path, GOOD + f'''
[sample]
method = "{method}"
n = 2
[sample.ranges]
"behaviour.transfer.min_wage_gain" = [0.0, 0.1]
"{key}" = {bounds}
''')
    with pytest.raises(ExperimentError, match=f"'sample.ranges.{key}.*{words}"):
        load_experiment(path)


# =============================================================================================
# The engine: one worker or two, the same tables
# =============================================================================================
@pytest.fixture(scope="module")
def reference_store(tmp_path_factory) -> Path:
    """A finished in-process sweep of ``tiny()`` (copied by the store-fault tests)."""
    out = tmp_path_factory.mktemp("reference") / "store"
    result = sweep(tiny(), out)
    assert result.ran == 4 and not result.failed
    return out


def test_one_and_two_dask_workers_give_equal_tables(reference_store, tmp_path):
    """The same experiment on a real LocalCluster of 2 worker processes writes exactly the
    tables of the in-process sweep (seeds from the design, not from the worker)."""
    out = tmp_path / "two"
    result = sweep(tiny(), out, workers=2)
    assert result.ran == 4 and not result.failed
    pd.testing.assert_frame_equal(read_runs(out), read_runs(reference_store), check_exact=True)


def test_a_kept_worker_gives_the_tables_of_a_fresh_sweep(reference_store, tmp_path):
    """``local_workers`` keeps its workers between sweeps: a worker that has already run other
    runs (another experiment: other months, seeds and a changed setting) writes exactly the
    tables of the in-process sweep, twice; and the workers are stopped when the block ends."""
    from sim.experiments import local_workers

    other = Experiment.from_scenarios("other", [sim.shipped_scenario("esd").with_changes({"policy.transfer.waiting_months": 0})],
                                      replications=3, base_seed=11, months=6, scale=0.002)
    with local_workers(1) as client:  # one worker: every run of the later sweeps runs on a used worker
        assert not sweep(other, tmp_path / "other", client=client).failed
        for i in range(2):
            result = sweep(tiny(), tmp_path / f"kept{i}", client=client)
            assert result.ran == 4 and not result.failed
            pd.testing.assert_frame_equal(read_runs(tmp_path / f"kept{i}"), read_runs(reference_store), check_exact=True)
        pids = list(client.run(os.getpid).values())
    assert len(pids) == 1
    deadline = time.monotonic() + 30
    while _alive(pids[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pids[0]), "local_workers left its worker running after the block"


def test_a_run_is_the_seeded_run_with_its_parameters_as_columns(reference_store):
    """runs/<run_id>.parquet holds run_scenario's table for its seed, with run_id, scenario,
    point, replication and seed columns; the manifest records seed, status, checksum and versions."""
    exp = tiny()
    run = exp.runs()[3]
    table = pd.read_parquet(reference_store / "runs" / f"{run.run_id}.parquet")
    assert list(table.columns[:6]) == ["run_id", "scenario", "point", "point_label", "replication", "seed"]
    expected = run_scenario(sim.shipped_scenario("esd"), seed=run.seed, months=4, scale=0.002)
    pd.testing.assert_frame_equal(table[expected.columns].reset_index(drop=True), expected, check_exact=True)
    records = [json.loads(line) for line in (reference_store / "manifest.jsonl").read_text().splitlines()]
    rec = next(r for r in records if r["run_id"] == run.run_id)
    assert rec["status"] == "done" and rec["seed"] == run.seed and rec["error"] is None
    assert set(rec["versions"]) >= {"tenseki", "numpy", "numba", "pandas", "mesa"}
    assert len(rec["files"][f"{run.run_id}.parquet"]["sha256"]) == 64


def test_run_experiment_returns_one_row_per_run(reference_store, tmp_path):
    """The notebook API resumes the store and returns parameters and headline outcomes."""
    out = tmp_path / "api"
    shutil.copytree(reference_store, out)
    frame = run_experiment(tiny(), out=out)
    assert len(frame) == 4 and list(frame.scenario) == ["titp", "titp", "esd", "esd"]
    table = read_runs(out)
    first = table[table.run_id == run_id("titp-r000")].drop(columns=["run_id", "scenario", "point", "point_label", "replication", "seed"])
    assert frame.loc[0, "disappearances_per_1000"] == headline(first)["disappearances_per_1000"]


# =============================================================================================
# The store never lies
# =============================================================================================
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit(path: Path) -> None:  # a valid Parquet file with one value changed
    table = pd.read_parquet(path)
    table.loc[2, "disappearances"] += 100.0
    table.to_parquet(path, index=False)


FAULTS = {
    "missing": (lambda p: p.unlink(), "is missing"),
    "emptied": (lambda p: p.write_bytes(b""), "is empty"),
    "truncated": (_truncate, "is truncated"),
    "corrupted": (_corrupt, "edited or corrupted"),
    "edited": (_edit, "edited or corrupted"),
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_a_damaged_run_file_is_reported_and_redone(reference_store, tmp_path, kind):
    """A missing, emptied, truncated, corrupted or edited run file: the report leaves it out
    and says why (``tenseki report`` too, without a traceback), the next sweep names it, runs
    it again, and the store ends with exactly the original tables."""
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    damage, reason = FAULTS[kind]
    damaged = run_id("esd-r000")
    damage(out / "runs" / f"{damaged}.parquet")

    report = write_report(out, plots=False)
    assert [f.run_id for f in report.problems] == [damaged] and reason in report.problems[0].reason
    assert set(report.runs.run_id) == {run_id("titp-r000"), run_id("titp-r001"), run_id("esd-r001")}
    if kind == "truncated":  # the command line too (once: it costs a fresh process)
        done = tenseki("report", out)
        assert done.returncode == 0 and "Traceback" not in done.stderr and damaged in done.stderr

    result = sweep(tiny(), out)
    assert result.ran == 1 and [(f.run_id, reason in f.reason) for f in result.faults] == [(damaged, True)]
    pd.testing.assert_frame_equal(read_runs(out), read_runs(reference_store), check_exact=True)


def test_a_file_without_its_record_and_a_cut_manifest_line_are_redone(reference_store, tmp_path):
    """A kill between writing a file and recording it leaves a file with no record; a kill
    while appending leaves half a line. Neither is trusted; both runs are done again."""
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    lines = (out / "manifest.jsonl").read_text().splitlines()
    # drop titp-r001's record, cut esd-r001's line in half
    dropped, cut_short = f'"{run_id("titp-r001")}"', f'"{run_id("esd-r001")}"'
    kept = [line for line in lines if dropped not in line and cut_short not in line]
    cut = next(line for line in lines if cut_short in line)
    (out / "manifest.jsonl").write_text("\n".join(kept) + "\n" + cut[: len(cut) // 2])
    result = sweep(tiny(), out)
    assert result.ran == 2
    assert {f.run_id for f in result.faults} == {run_id("titp-r001"), run_id("esd-r001")}
    assert any("unreadable manifest line" in n for n in result.notes)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(reference_store), check_exact=True)
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 4


def test_changed_settings_are_not_reused(reference_store, tmp_path, monkeypatch):
    """Another number of months makes other runs (other ids: the id hashes the resolved
    scenario); the same runs made by other model code keep their ids and are redone."""
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    longer = tiny(months=5)
    assert not {r.run_id for r in longer.runs()} & {r.run_id for r in tiny().runs()}
    result = sweep(longer, out)
    assert result.ran == 4 and not result.faults
    assert read_runs(out).month.max() == 5
    import sim.experiments.design as design

    monkeypatch.setattr(design, "code_fingerprint", lambda: "other code")
    assert [r.run_id for r in longer.runs()] == [r.run_id for r in tiny(months=5).runs()]
    result = sweep(longer, out)
    assert result.ran == 4 and all("settings changed" in f.reason for f in result.faults)


def test_a_failing_run_is_recorded_and_does_not_stop_the_others(tmp_path, monkeypatch):
    """A run whose model raises is recorded as failed with its error and parameters; the
    others finish; the next sweep runs only the failed one again."""
    import sim.runner

    real = sim.runner.run_model
    bad_seed = tiny().runs()[1].seed

    def flaky(scenario, seed, progress=None):
        if seed == bad_seed and scenario.name == "titp":
            raise ValueError("a deliberate failure")
        return real(scenario, seed, progress)

    monkeypatch.setattr(sim.runner, "run_model", flaky)
    out = tmp_path / "store"
    result = sweep(tiny(), out)
    failing = run_id("titp-r001")
    assert result.ran == 4 and result.failed == [(failing, "ValueError: a deliberate failure")]
    records = {json.loads(line)["run_id"]: json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()}
    assert records[failing]["status"] == "failed" and records[failing]["seed"] == bad_seed
    assert "deliberate" in records[failing]["error"]
    assert sum(r["status"] == "done" for r in records.values()) == 3
    monkeypatch.setattr(sim.runner, "run_model", real)
    again = sweep(tiny(), out)
    assert again.ran == 1 and again.faults[0].run_id == failing and not again.failed


def _named(name: str, scenario: str = "titp"):
    return sim.shipped_scenario(scenario).model_copy(update={"name": name})


@pytest.mark.parametrize("names", [("日本の政策", "中国の政策"), ("policy (a)", "policy [a]"), ("a/b", "a:b")])
def test_names_that_sanitise_alike_are_different_runs(tmp_path, names):
    """A run's id ends in a hash of its content, so scenarios whose names differ only in
    punctuation or in letters outside A-Z (any Japanese name) write different files, and the
    report shows both (their ids were the sanitised name alone: one file, one policy)."""
    exp = Experiment.from_scenarios("names", [_named(names[0], "titp"), _named(names[1], "esd")], months=2, scale=0.002)
    runs = exp.runs()
    assert len({r.run_id for r in runs}) == 2
    out = tmp_path / "store"
    sweep(exp, out)
    assert len(list((out / "runs").glob("*.parquet"))) == 2
    report = write_report(out, plots=False)
    assert set(report.runs.scenario) == set(names) and not report.problems


def test_run_ids_that_collide_are_refused(monkeypatch):
    """Two runs of one design under one id (a hash collision) would share a file: refused."""
    import sim.experiments.design as design

    exp = Experiment.from_scenarios("names", [_named("policy (a)"), _named("policy [a]")], months=2, scale=0.002)
    assert len({r.run_id for r in exp.runs()}) == 2
    monkeypatch.setattr(design, "content_id", lambda run, scenario_json=None: "0" * 16)
    with pytest.raises(ExperimentError, match="runs 0 and 1 have the same id 'policy-a-r000-0000000000000000'"):
        exp.runs()


def test_a_store_of_the_older_layout_is_refused(reference_store, tmp_path):
    """A store written before run ids were content hashes (no "layout" in experiment.json) is
    refused by a sweep and by the report, with one message naming what to do (exit 2)."""
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    described = json.loads((out / "experiment.json").read_text())
    assert described["layout"] == 2
    del described["layout"]
    (out / "experiment.json").write_text(json.dumps(described))
    for attempt in (lambda: sweep(tiny(), out), lambda: write_report(out, plots=False)):
        with pytest.raises(StoreError, match="a store of layout 1 .* another --out, or remove the folder"):
            attempt()
    done = tenseki("report", out)
    assert done.returncode == 2 and "layout 1" in done.stderr and "Traceback" not in done.stderr


def test_a_store_of_another_experiment_is_refused(reference_store, tmp_path):
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    other = Experiment.from_scenarios("other", [sim.shipped_scenario("titp")], months=2, scale=0.002)
    with pytest.raises(StoreError, match="holds the runs of experiment 'tiny'"):
        sweep(other, out)


def test_a_held_lock_is_refused_and_a_left_lock_file_is_taken_over(reference_store, tmp_path):
    """The store's lock is the OS's (flock): while one holder has it, a second sweep is refused
    with the holder's PID, in this process and from the command line (exit 2, one line); a lock
    file left by a process that died, an empty one or a foreign one does not lock anything, and
    a sweep over it goes on (naming the dead PID it took over from)."""
    from sim.store import Store

    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    with Store(out).locked():
        with pytest.raises(StoreError, match=f"another sweep is writing here \\(PID {os.getpid()}"):
            sweep(tiny(), out)
        done = tenseki("sweep", "--out", out, write_experiment(tmp_path, 'name = "tiny"\nscenarios = ["titp"]\n'))
        assert done.returncode == 2 and "another sweep is writing here" in done.stderr and "Traceback" not in done.stderr
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".lock").write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename, "started": "then"}))
    result = sweep(tiny(), out)
    assert result.reused == 4 and any(f"lock file left by PID {dead.pid}" in n for n in result.notes)
    for foreign in ("", "not json at all", json.dumps({"pid": os.getpid(), "started": "now"})):
        (out / ".lock").write_text(foreign)  # an empty, foreign or forged file is no lock
        assert sweep(tiny(), out).reused == 4


def test_two_sweeps_started_together_never_write_the_store_at_once(tmp_path):
    """However the two start (even on an empty lock file), at most one holds the lock at a time."""
    import threading

    from sim.store import Store

    out = tmp_path / "store"
    out.mkdir()
    (out / ".lock").write_text("")
    holders, most, refused, lock = [], [0], [], threading.Lock()
    barrier = threading.Barrier(8)

    def contend() -> None:
        barrier.wait()
        try:
            with Store(out).locked():
                with lock:
                    holders.append(1)
                    most[0] = max(most[0], len(holders))
                time.sleep(0.05)
                with lock:
                    holders.pop()
        except StoreError:
            with lock:
                refused.append(1)

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and len(refused) >= 1 and not holders


# =============================================================================================
# Killed sweeps: exactly the uninterrupted results, no worker left behind
# =============================================================================================
KILL_EXPERIMENT = 'name = "tiny"\nscenarios = ["titp", "esd"]\nreplications = 4\nbase_seed = 7\nmonths = 12\nscale = 0.005\n'


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and ps --ppid")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_sweep_leaves_no_worker_and_finishes_exactly(tmp_path, how):
    """``tenseki sweep --workers 2`` killed (SIGKILL, or Ctrl-C's SIGINT) after some runs are
    recorded: its worker processes are gone within seconds, and the same command then ends
    with exactly the tables of an uninterrupted sweep."""
    path = write_experiment(tmp_path, KILL_EXPERIMENT)
    out = tmp_path / "store"
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-c", "from sim.cli import app; app()", "sweep", str(path), "--out", str(out),
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # a background job may inherit SIG_IGN
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline:
        workers = _children(proc.pid) or workers
        if manifest.exists() and manifest.read_text().count("\n") >= 1:
            break
        time.sleep(0.05)
    workers = _children(proc.pid) or workers
    proc.send_signal(how)
    _out, err = proc.communicate(timeout=60)
    assert workers, "the sweep started worker processes"
    for _ in range(100):
        if not any(_alive(w) for w in workers):
            break
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), f"workers outlived the sweep: {[w for w in workers if _alive(w)]}"
    recorded = manifest.read_text().count("\n")
    assert 1 <= recorded < 8, f"{recorded} runs recorded: the kill did not land mid-sweep"
    if how == signal.SIGINT:
        assert proc.returncode == 130 and b"Traceback" not in err and b"Interrupted" in err
    done = tenseki("sweep", path, "--out", out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    reference = tmp_path / "uninterrupted"
    sweep(load_experiment(path), reference)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(reference), check_exact=True)


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="starts dask processes and kills them by group")
def test_a_sweep_on_a_cluster_started_by_hand(reference_store, tmp_path):
    """docs/experiments.md's "by hand" route: ``dask scheduler`` and ``dask worker`` started as
    their own processes, ``tenseki sweep --scheduler ADDRESS`` sends the runs there and writes
    exactly the tables of the in-process sweep; the workers belong to whoever started them."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask_cli = Path(sys.executable).with_name("dask")
    env = {**os.environ, "NO_COLOR": "1"}
    started = []
    try:
        started.append(subprocess.Popen(
            [str(dask_cli), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True))
        started.append(subprocess.Popen(
            [str(dask_cli), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
             "--local-directory", str(tmp_path / "dask")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True))
        from distributed import Client
        deadline = time.monotonic() + 120
        while True:  # wait for both workers to join
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        path = write_experiment(tmp_path, 'name = "tiny"\nscenarios = ["titp", "esd"]\nreplications = 2\n'
                                'base_seed = 7\nmonths = 4\nscale = 0.002\n')
        out = tmp_path / "store"
        done = tenseki("sweep", path, "--out", out, "--scheduler", address)
        assert done.returncode == 0, done.stderr
        pd.testing.assert_frame_equal(read_runs(out), read_runs(reference_store), check_exact=True)
        assert all(p.poll() is None for p in started), "the sweep stopped workers it did not start"
        with Client(address, timeout=10) as client:  # the cluster, not this process, ran the four runs
            finished = client.run_on_scheduler(lambda dask_scheduler: sum(
                prefix.state_counts.get("memory", 0) for prefix in dask_scheduler.task_prefixes.values()))
        assert finished >= 4, f"the scheduler saw {finished} finished tasks, not the sweep's 4 runs"
    finally:
        for proc in reversed(started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# =============================================================================================
# Report and sensitivity
# =============================================================================================
def test_the_report_gives_paired_differences_with_t_intervals(reference_store, tmp_path):
    """differences.csv: esd − titp run by run on the same seeds, mean and 95% t interval
    (scipy.stats), in the units shown; summary.csv carries units; the text fits 80 columns."""
    out = tmp_path / "store"
    shutil.copytree(reference_store, out)
    report = write_report(out)
    runs = report.runs.set_index(["scenario", "replication"])
    d = (runs.loc["esd", "vacancy_fill_nonmetro"] - runs.loc["titp", "vacancy_fill_nonmetro"]).to_numpy() * 100
    lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    row = report.differences.set_index("metric").loc["vacancy_fill_nonmetro"]
    assert row.comparison == "esd − titp" and row.unit == "%" and row.n_pairs == 2
    assert row.mean_difference == pytest.approx(d.mean()) and (row.ci95_low, row.ci95_high) == pytest.approx((lo, hi))
    summary = pd.read_csv(out / "report" / "summary.csv")
    assert summary.unit.notna().all() and {"n", "mean", "sd", "ci95_low", "ci95_high"} <= set(summary.columns)
    text = format_report(report.summary, report.differences, width=80)
    assert max(map(len, text.splitlines())) <= 80 and "esd" in text and "− titp" in text
    for name in ("over_time.png", "final_year.png"):
        assert (out / "report" / name).read_bytes()[:4] == b"\x89PNG"


def test_headline_outcomes_show_trainee_and_ssw_job_changes_apart():
    """Trainees' voluntary moves are transfers_voluntary_trainee per 1,000 trainee-years; SSW
    holders' are transfers_voluntary_ssw per 1,000 SSW-years (settled movers are in neither)."""
    table = pd.DataFrame({
        "month": [0, 1, 2], "stock_total": [300.0] * 3, "stock_irregular": [0.0] * 3,
        "stock_titp": [120.0] * 3, "stock_esd": [0.0] * 3, "stock_ssw1": [60.0] * 3, "stock_ssw2": [0.0] * 3,
        "transfers_voluntary": [0.0, 3.0, 7.0], "transfers_voluntary_ssw": [0.0, 3.0, 4.0],
        "transfers_voluntary_trainee": [0.0, 0.0, 1.0], "transfers_voluntary_care_worker": [0.0, 0.0, 1.0],
        **{c: [0.0] * 3 for c in ("disappearances", "disappearances_trainee", "arrivals_trainee", "wage_mean_yen",
                                  "share_in_debt", "vacancy_fill_nonmetro", "vacancy_fill_metro", "violations",
                                  "violations_detected", "moves_into_metro", "moves_out_of_metro", "to_ssw1",
                                  "to_ssw2", "retention_60m")},
    })
    h = headline(table)
    assert h["trainee_job_changes_per_1000"] == pytest.approx(1000 * 1 / (2 * 120 / 12))
    assert h["ssw_job_changes_per_1000"] == pytest.approx(1000 * 7 / (2 * 60 / 12))


def test_morris_sensitivity_of_a_paired_difference(tmp_path):
    """A Morris sample over two assumptions: indices.csv has mu*, mu and sigma per parameter for
    the difference esd − titp, mu* with a 95% interval, and a bar plot; a Latin hypercube
    sample gives no indices but a clear error."""
    from sim import sensitivity

    path = write_experiment(tmp_path, '''name = "sens"
scenarios = ["titp", "esd"]
months = 3
scale = 0.002
outputs = ["disappearances_per_1000", "trainee_job_changes_per_1000"]
[sample]
method = "morris"
n = 2
[sample.ranges]
"behaviour.abscond.legal_exit_factor" = [0.1, 0.9]
"behaviour.transfer.seek_base_monthly" = [0.001, 0.05]
''')
    out = tmp_path / "store"
    sweep(path, out)
    indices = sensitivity.analyse(out)
    assert set(indices.target) == {"esd − titp"}
    mu_star = indices[indices["index"] == "mu_star"]
    assert len(mu_star) == 2 * 2 and (mu_star.ci95_low <= mu_star.value).all() and (mu_star.value >= 0).all()
    assert set(indices["index"]) == {"mu_star", "mu", "sigma"}
    assert (out / "sensitivity" / "indices.png").read_bytes()[:4] == b"\x89PNG"
    lhs = write_experiment(tmp_path, path.read_text().replace('"morris"', '"latin_hypercube"').replace("sens", "lhs"), "lhs.toml")
    done = tenseki("sensitivity", lhs, "--out", tmp_path / "lhs", "--workers", "1")
    assert done.returncode == 2 and "morris" in done.stderr and "Traceback" not in done.stderr


def test_morris_indices_are_named_by_the_matrix_columns(tmp_path):
    """The indices belong to the parameter that moved: the SSW wage premium drives the mean wage,
    the legal-exit factor hardly does. The ranges are listed out of alphabetical order, as the
    store's JSON sorts them, so that labels taken from the JSON's order would be swapped."""
    from sim import sensitivity

    path = write_experiment(tmp_path, '''name = "order"
scenarios = ["esd"]
months = 3
scale = 0.002
outputs = ["wage_mean_yen"]
[sample]
method = "morris"
n = 3
[sample.ranges]
"world.ssw_wage_premium" = [0.0, 0.5]
"behaviour.abscond.legal_exit_factor" = [0.1, 0.9]
''')
    out = tmp_path / "store"
    sweep(path, out)
    mu_star = sensitivity.analyse(out, plot=False).query("index == 'mu_star'").set_index("parameter")["value"]
    assert mu_star["world.ssw_wage_premium"] > 10 * mu_star["behaviour.abscond.legal_exit_factor"], mu_star.to_dict()
    described = json.loads((out / "experiment.json").read_text())
    assert described["sample_names"] == ["world.ssw_wage_premium", "behaviour.abscond.legal_exit_factor"]


def test_by_group_tables_are_stored_beside_each_run(tmp_path):
    """``by = ["prefecture", "origin"]`` stores each run's tables by group, with the run's
    parameters as columns, equal to the model's own ``results(by=...)``; ``read_runs(out, group)``
    reads them back; a grouping that does not exist is refused."""
    exp = tiny(replications=1, months=3, by=["prefecture", "origin"])
    sweep(exp, tmp_path)
    by_pref = read_runs(tmp_path, "prefecture")
    by_origin = read_runs(tmp_path, "origin")
    assert len(by_pref) == 2 * 4 * 47 and len(by_origin) == 2 * 4 * len(sim.ORIGINS)
    run = exp.runs()[0]
    model = sim.LabourMarket(run.scenario, seed=run.seed).run()
    mine = by_pref[by_pref.scenario == run.scenario.name]
    expected = model.results(by="prefecture")
    pd.testing.assert_frame_equal(mine[list(expected.columns)].reset_index(drop=True), expected, check_dtype=False)
    assert {"seed", "scenario"} <= set(by_pref.columns)
    with pytest.raises(ExperimentError, match="nation"):
        tiny(by=["nation"])


def _listening_addresses(pids: set[int]) -> set[str]:
    """The local IP addresses of the TCP sockets the processes ``pids`` listen on (Linux /proc)."""
    import ipaddress

    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(local.split(":")[0])
            # /proc prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(str(ipaddress.ip_address(words if width == 16 else words[:4])))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_a_sweeps_own_cluster_listens_on_loopback_only():
    """The scheduler, the workers and every HTTP server they start (health, metrics) bind
    127.0.0.1: a sweep with --workers opens nothing to the network (it used to bind the
    scheduler's HTTP server on every interface)."""
    from distributed import Client

    from sim.experiments.engine import _local_cluster

    cluster = _local_cluster(2)
    try:
        with Client(cluster) as client:
            pids = {os.getpid(), *client.run(os.getpid).values()}
            addresses = _listening_addresses(pids)
    finally:
        cluster.close()
    assert addresses and addresses <= {"127.0.0.1"}, addresses
