"""Batch commands that speak (issue 22 item 4): progress lines in a log, --months and --scale
to run an experiment file small (under another name), warnings for samples too small for their
method, and the provenance of every run in the manifest and the report. Tiny runs throughout."""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
import warnings
from pathlib import Path

import pytest
from rich.console import Console
from test_experiments import tenseki, write_experiment  # the command line in a child process (pipes, no terminal)

import sim.runner
from sim.cli import _ProgressLines, run_app
from sim.experiments import SmallSampleWarning, load_experiment, read_runs, run_provenance

#: "[12:04:31] runs: 2 of 4 done, 1 failed; 3 s elapsed, about 3 s to go"
LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] (?P<what>[\w ]+): (?P<done>\d+) of (?P<total>\d+) done(, (?P<failed>\d+) failed)?; "
                  r"(?P<elapsed>.+) elapsed, (?P<eta>.+)$")


def progress_lines(text: str) -> list[re.Match]:
    return [m for m in map(LINE.match, text.splitlines()) if m]


# =============================================================================================
# Progress in a log
# =============================================================================================
def test_a_sweep_in_a_log_prints_progress_lines_with_failures_and_the_time_to_go(tmp_path, capsys, monkeypatch):
    """Without a terminal, ``tenseki sweep`` prints a line as runs finish (here every run: a
    tenth of 4 runs is less than one): runs done of the total, failures so far, time elapsed and
    the time to go (the last line says finished), and the failed run at the end."""
    real = sim.runner.run_model

    def flaky(scenario, seed, progress=None):
        if scenario.name == "titp" and seed == 7:
            raise ValueError("a deliberate failure")
        return real(scenario, seed, progress)

    monkeypatch.setattr(sim.runner, "run_model", flaky)
    path = write_experiment(tmp_path, 'name = "speak"\nscenarios = ["titp", "esd"]\nseeds = [5, 6, 7]\nmonths = 2\nscale = 0.002\n')
    code = run_app(["sweep", str(path), "--out", str(tmp_path / "store"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1, err  # a failed run: exit 1
    lines = progress_lines(err)
    assert all(m["what"] == "runs" and m["total"] == "6" for m in lines)
    by_done = {int(m["done"]): m for m in lines}  # (on a busy machine the timer adds lines too)
    assert set(by_done) - {0} == set(range(1, 7)), err
    assert [int(by_done[k]["failed"] or 0) for k in range(1, 7)] == [0, 0, 1, 1, 1, 1]
    assert all(by_done[k]["eta"].startswith("about ") and by_done[k]["eta"].endswith(" to go") for k in range(1, 6))
    assert lines[-1]["eta"] == "finished" and lines[-1]["done"] == "6"
    assert re.search(r"titp-r002-[0-9a-f]{16}: ValueError: a deliberate failure", err), err


def test_progress_lines_come_from_a_timer_while_a_run_goes_on():
    """A run can take minutes: the timer prints a line every ``every_seconds`` while no run
    finishes, saying when the time to go will be known."""
    text = io.StringIO()
    with _ProgressLines("runs", Console(file=text, width=200), every_seconds=0.05) as meter:
        meter.start(5, 5)
        deadline = time.monotonic() + 30
        while not progress_lines(text.getvalue()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert meter._timer is not None and meter._timer.is_alive()
    first = progress_lines(text.getvalue())[0]
    assert (first["done"], first["total"], first["eta"]) == ("0", "5", "time to go known after the first run")


# =============================================================================================
# --months and --scale: an experiment file run small, under its own name
# =============================================================================================
EXPERIMENT = 'name = "small"\nscenarios = ["esd"]\nreplications = 3\nbase_seed = 7\nmonths = 120\nscale = 0.01\n'


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """``tenseki sweep EXPERIMENT --months 2 --scale 0.002`` in a child process (pipes, no terminal)."""
    tmp_path = tmp_path_factory.mktemp("small")
    path = write_experiment(tmp_path, EXPERIMENT)
    out = tmp_path / "store"
    done = tenseki("sweep", path, "--out", out, "--workers", "1", "--months", 2, "--scale", 0.002)
    assert done.returncode == 0, done.stderr
    return path, out, done


def test_months_and_scale_run_an_experiment_small_under_another_name(small_store):
    """The runs have 2 months at scale 0.002 and the experiment is named for it; the store then
    refuses the full experiment (a small run never poses as the full one), and the same values
    as the file's change nothing."""
    path, out, done = small_store
    assert "Experiment small.months2.scale0.002: " in done.stderr and "2 months, scale 0.002" in done.stderr
    assert json.loads((out / "experiment.json").read_text())["name"] == "small.months2.scale0.002"
    tables = read_runs(out)
    assert sorted(set(tables.month)) == [0, 1, 2] and tables.run_id.nunique() == 3
    full = tenseki("sweep", path, "--out", out, "--workers", "1")
    assert full.returncode == 2 and "holds the runs of experiment 'small.months2.scale0.002', not 'small'" in full.stderr
    assert load_experiment(path, months=120, scale=0.01).spec.name == "small"
    assert {m["done"] for m in progress_lines(done.stderr)} >= {"1", "2", "3"}, done.stderr  # through a pipe


@pytest.mark.parametrize("option, value", [("--months", 0), ("--scale", 0), ("--scale", 1.5)])
def test_months_and_scale_out_of_range_are_refused(tmp_path, option, value):
    path = write_experiment(tmp_path, EXPERIMENT)
    done = tenseki("sweep", path, "--out", tmp_path / "store", option, value)
    assert done.returncode == 2 and option in done.stderr and not (tmp_path / "store").exists()


# =============================================================================================
# Provenance
# =============================================================================================
def test_every_run_records_its_provenance_and_the_report_prints_it(small_store):
    """Each manifest record holds the code (git commit when run from a checkout, the package
    version and the model's fingerprint), the library versions, the command line and the
    machine; ``tenseki report`` prints them."""
    _path, out, _done = small_store
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    for record in records:
        origin = record["provenance"]
        assert set(origin) == {"code", "packages", "command", "machine"}
        assert set(origin["code"]) == {"git_commit", "git_dirty", "tenseki", "model_fingerprint"}
        assert origin["code"]["tenseki"] == sim.__version__
        assert set(origin["packages"]) >= {"numpy", "numba", "mesa", "pandas", "pyarrow", "dask", "python"}
        assert set(origin["machine"]) == {"hostname", "nproc", "platform", "python"}
        assert "sweep" in origin["command"] and "--months 2" in origin["command"]
        assert record["host"] == origin["machine"]["hostname"]
    if (Path(sim.__file__).resolve().parent.parent / ".git").exists():
        assert len(records[0]["provenance"]["code"]["git_commit"]) == 40
    entries = run_provenance(out)
    assert len(entries) == 1 and entries[0]["runs"] == 3
    shown = tenseki("report", out)
    assert shown.returncode == 0, shown.stderr
    assert "Experiment small.months2.scale0.002: 2 months, scale 0.002." in shown.stdout
    assert "Provenance of 3 run(s): tenseki " in shown.stdout
    assert re.search(r"^  command: .*sweep .*--months 2 --scale 0\.002$", shown.stdout, re.M), shown.stdout
    assert re.search(r"^  machine: .+ \(\d+ processors\)", shown.stdout, re.M)
    assert re.search(r"^  packages: .*mesa [\d.]+", shown.stdout, re.M) and re.search(r"numpy [\d.]+", shown.stdout)
    assert max(len(line) for line in shown.stdout.splitlines() if "command: " not in line) <= 80


# =============================================================================================
# Samples too small for their method
# =============================================================================================
SAMPLE = '\n[sample]\nmethod = "{method}"\nn = {n}\nranges = {{ "world.demand_growth_per_year" = [0.0, 0.12] }}\n'


@pytest.mark.parametrize("design, warned", [
    (SAMPLE.format(method="sobol", n=16), "Sobol sample of 16 base samples"),
    (SAMPLE.format(method="sobol", n=64), None),
    (SAMPLE.format(method="morris", n=4), "Morris with 4 trajectories"),
    (SAMPLE.format(method="morris", n=10), None),
    ("replications = 2\n", "key 'replications' = 2: 2 run(s) per arm"),
    ("seeds = [1]\n", "key 'seeds' = [1]: 1 run(s) per arm: the 95% interval of a mean is undefined"),
    ("replications = 3\n", None),
    ("replications = 1\n" + SAMPLE.format(method="morris", n=10), None),  # Morris averages replications
    ("replications = 1\n" + SAMPLE.format(method="latin_hypercube", n=5), "key 'replications' = 1"),
])
def test_a_sample_too_small_for_its_method_is_warned(tmp_path, design, warned):
    head = 'name = "t"\nscenarios = ["titp"]\nmonths = 3\nscale = 0.002\n'
    if "replications" not in design and "seeds" not in design:
        head += "replications = 3\n"
    path = write_experiment(tmp_path, head + design)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_experiment(path)
    small = [str(w.message) for w in caught if issubclass(w.category, SmallSampleWarning)]
    if warned is None:
        assert small == []
    else:
        assert len(small) == 1 and small[0].startswith(f"{path}: ") and warned in small[0], small


def test_the_command_line_shows_a_small_sample_as_one_warning_line(tmp_path, capsys):
    path = write_experiment(tmp_path, 'name = "t"\nscenarios = ["titp"]\nseeds = [1]\nmonths = 1\nscale = 0.001\n')
    assert run_app(["sweep", str(path), "--out", str(tmp_path / "store"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {path}: key 'seeds' = [1]: 1 run(s) per arm" in err and "SmallSampleWarning" not in err
