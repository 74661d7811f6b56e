"""The SLURM route of docs/experiments.md, for real (issue 22 item 6): a one-node Slurm cluster
started on this machine from Debian's packages (``scripts/slurm_local.sh``), dask-jobqueue's
``SLURMCluster`` submitting worker jobs to it, ``run_experiment`` running a tiny experiment on
them. Marked ``slow``; skipped where Slurm, MUNGE or dask-jobqueue are not installed or the
tests do not run as root (.ci/run installs the packages)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiments import Experiment, read_runs, run_experiment, sweep

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "slurm_local.sh"
#: Two worker jobs start in well under a minute on an idle 2-core machine; a busy one (CI beside
#: other work) has taken longer than 180 s for the second.
WORKERS_TIMEOUT_S = 600
TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                       reason="Slurm is not installed (apt-get install slurmctld slurmd slurm-client munge)"),
    pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="a Slurm node is started as root"),
]


def tiny() -> Experiment:
    return Experiment.from_scenarios("tiny", [sim.shipped_scenario("titp"), sim.shipped_scenario("esd")],
                                     replications=3, base_seed=7, months=3, scale=0.002)


@pytest.fixture
def slurm(tmp_path_factory, monkeypatch):
    """A running one-node Slurm cluster (its folder); stopped afterwards, its jobs cancelled."""
    folder = tmp_path_factory.mktemp("slurm")
    started = subprocess.run(["bash", str(SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=120)
    try:
        assert started.returncode == 0, started.stderr + "".join(
            (folder / log).read_text()[-2000:] for log in ("slurmctld.log", "slurmd.log") if (folder / log).exists())
        monkeypatch.setenv("SLURM_CONF", str(folder / "slurm.conf"))
        yield folder
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, text=True, timeout=120)


def test_a_sweep_on_slurm_worker_jobs(slurm, tmp_path):
    """docs/experiments.md's script, made small: SLURMCluster submits two worker jobs to the
    Slurm controller, each worker runs inside its Slurm job, and run_experiment on them writes
    exactly the tables of the in-process sweep."""
    dask_jobqueue = pytest.importorskip("dask_jobqueue")
    from distributed import Client

    cluster = dask_jobqueue.SLURMCluster(
        queue="debug", cores=1, processes=1, memory="1GB", walltime="00:10:00",
        log_directory=str(slurm / "logs"), local_directory=str(tmp_path / "dask"),
        scheduler_options={"host": "127.0.0.1", "dashboard_address": None},
        job_extra_directives=[f"--chdir={tmp_path}"],
    )
    try:
        assert "#SBATCH -p debug" in cluster.job_script()
        cluster.scale(jobs=2)
        with Client(cluster) as client:
            try:
                client.wait_for_workers(2, timeout=WORKERS_TIMEOUT_S)
            except TimeoutError as exc:  # say what Slurm saw: a job pending (and why) or never submitted
                queued = subprocess.run(["squeue", "-h", "-o", "%i %T %r %j"], capture_output=True, text=True).stdout
                node = subprocess.run(["scontrol", "show", "node"], capture_output=True, text=True).stdout
                raise AssertionError(f"{exc}\nsqueue:\n{queued}\nnode:\n{node}") from None
            jobs = set(client.run(lambda: os.environ.get("SLURM_JOB_ID")).values())
            assert len(jobs) == 2 and None not in jobs, f"workers outside Slurm jobs: {jobs}"
            queued = subprocess.run(["squeue", "-h", "-o", "%i %T %j"], capture_output=True, text=True).stdout
            assert all(f"{job} RUNNING dask-worker" in queued for job in jobs), queued
            runs = run_experiment(tiny(), out=tmp_path / "store", client=client)
    finally:
        cluster.close()
    assert len(runs) == 6
    sweep(tiny(), tmp_path / "here")
    pd.testing.assert_frame_equal(read_runs(tmp_path / "store"), read_runs(tmp_path / "here"), check_exact=True)
