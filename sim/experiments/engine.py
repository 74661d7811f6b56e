"""The engine: run what a store does not already hold verified, in this process or on Dask.

``run_experiment`` runs what the store (``sim.store``) does not already hold verified: in this
process (``workers=1``), on a ``dask.distributed.LocalCluster`` of ``workers`` processes, or on
the cluster of a given ``client``. Each finished run's tables come back to this process as
Parquet bytes and are written atomically with their checksum in the manifest, so the workers
need no shared disk. A run that fails is recorded with its error and the others go on.

Worker processes never outlive the command: a ``LocalCluster``'s workers are child processes
that watch their parent and exit when it dies, even by SIGKILL (tests/test_experiments.py kills
a sweep and checks).
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.design import Experiment, ExperimentError, Run, _plain, load_experiment
from sim.experiments.fingerprint import code_fingerprint, machine, provenance, versions
from sim.experiments.readers import outcomes
from sim.scenario import Scenario
from sim.store import Fault, Store

#: Progress callback: ``progress(runs_done, runs_total, run_id_just_finished_or_None)``.
Progress = Callable[[int, int, "str | None"], None]


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def execute_run(run: Run, code: str) -> dict[str, Any]:
    """Run one run and return its tables as Parquet bytes (never raises for a model error).

    ``code`` is the fingerprint the caller expects: a worker with other code refuses the run
    (on a remote cluster the workers could run another version of tenseki).
    """
    from sim.runner import run_model

    started, cpu = time.perf_counter(), time.process_time()
    base = {"run_id": run.run_id, "versions": versions(), "host": machine()["hostname"]}
    try:
        mine = code_fingerprint()
        if mine != code:
            raise RuntimeError("this worker runs other tenseki code than the command that sent the run "
                               "(install the same version on every worker)")
        model = run_model(run.scenario, run.seed)
        params = run.parameters()
        tables: dict[str | None, pd.DataFrame] = {None: model.results()}
        for group in run.by:
            tables[group] = model.results(by=group)
        files = {}
        for group, table in tables.items():
            for i, (k, v) in enumerate(params.items()):
                table.insert(i, k, v)
            files[group] = _parquet_bytes(table)
        return {**base, "status": "done", "files": files, "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu}
    except Exception as exc:  # a failing run is recorded, never stops the others
        return {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=6), "seconds": time.perf_counter() - started}


# =============================================================================================
# The engine
# =============================================================================================
@dataclass
class SweepResult:
    """What a sweep did: runs reused, run now, failed, and the faults found in the store."""

    total: int
    reused: int
    ran: int
    failed: list[tuple[str, str]]
    faults: list[Fault]
    notes: list[str]
    seconds: float


def sweep(
    experiment: Experiment | str | Path,
    out: str | Path,
    client: Any = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int, int, list[Fault], list[str]], None] | None = None,
    on_failed: Callable[[str, str], None] | None = None,
) -> SweepResult:
    """Run every run of ``experiment`` that ``out`` does not hold verified; record each.

    Args:
        experiment: an ``Experiment`` or the path of an experiment file.
        out: the store folder (created if needed).
        client: a ``dask.distributed.Client`` to run on (left open); else ``scheduler`` (an
            address: a client is made and closed), else ``workers`` > 1 (a ``LocalCluster`` of
            that many worker processes, closed at the end), else this process.
        progress: called after each run with (done, total, run_id).
        on_start: called once before running with (total, to_run, faults, notes).
        on_failed: called with (run_id, error) when a run fails, before ``progress``.

    Raises:
        ExperimentError, StoreError: bad experiment, store locked by another sweep or holding
            another experiment. KeyboardInterrupt passes through after the workers are stopped;
            every run recorded so far is kept.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    runs = exp.runs()
    store = Store(out)
    started = time.perf_counter()
    origin = provenance()  # recorded with every run: code version, libraries, command, machine
    with store.locked() as notes:
        store.claim(exp.describe(runs))
        records = store.compact()
        if store.skipped_lines:
            notes.append(f"{len(store.skipped_lines)} unreadable manifest line(s) dropped (a sweep was killed while writing)")
        faults: list[Fault] = []
        todo: list[Run] = []
        for run in runs:
            reason = store.fault(run.run_id, records.get(run.run_id), run.settings_hash)
            if reason is not None:
                todo.append(run)
                if reason != "not run yet":
                    faults.append(Fault(run.run_id, reason))
        if on_start is not None:
            on_start(len(runs), len(todo), faults, notes)
        done = len(runs) - len(todo)
        if progress is not None:
            progress(done, len(runs), None)
        failed: list[tuple[str, str]] = []
        by_id = {r.run_id: r for r in todo}
        with contextlib.closing(_execute(todo, client, workers, scheduler)) as results:  # workers stopped on any exit
            for result in results:
                run = by_id[result["run_id"]]
                record = {**run.parameters(), "position": run.position, "settings_hash": run.settings_hash,
                          "changes": {k: _plain(v) for k, v in run.point.changes.items()},
                          "experiment": exp.spec.name, "status": result["status"], "error": result.get("error"),
                          "versions": result.get("versions"), "host": result.get("host"), "provenance": origin,
                          "seconds": round(float(result.get("seconds", 0.0)), 3),
                          "cpu_seconds": round(float(result.get("cpu_seconds", 0.0)), 3),
                          "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
                if result["status"] == "done":
                    record["files"] = store.save(run.run_id, result["files"])
                else:
                    record["files"] = {}
                    failed.append((run.run_id, result.get("error") or "unknown error"))
                    if on_failed is not None:
                        on_failed(*failed[-1])
                store.append(record)
                done += 1
                if progress is not None:
                    progress(done, len(runs), run.run_id)
    return SweepResult(len(runs), len(runs) - len(todo), len(todo), failed, faults, notes, time.perf_counter() - started)


def _execute(todo: list[Run], client: Any, workers: int, scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Yield each run's result as it finishes (in this process, or on Dask)."""
    if not todo:
        return
    code = code_fingerprint()
    if client is None and scheduler is None and workers <= 1:
        for run in todo:
            yield execute_run(run, code)
        return
    from distributed import Client, as_completed

    own_cluster = own_client = None
    quiet = contextlib.ExitStack()
    try:
        if client is None:
            quiet.enter_context(_quiet_dask_logs())
            if scheduler is not None:
                try:
                    own_client = client = Client(scheduler, timeout="30s")
                except (OSError, TimeoutError, ValueError) as exc:
                    raise ExperimentError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
            else:
                own_cluster = _local_cluster(min(workers, len(todo)), todo[0].scenario)
                own_client = client = Client(own_cluster)
        futures = client.map(execute_run, todo, code=code, pure=False, key=[f"tenseki-{r.run_id}-{r.settings_hash[:8]}" for r in todo])
        by_key = {f.key: r for f, r in zip(futures, todo, strict=True)}
        try:
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as exc:  # the worker died (KilledWorker), or the task was lost
                    run = by_key[fut.key]
                    yield {"run_id": run.run_id, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                fut.release()
        finally:
            client.cancel(futures)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
        quiet.close()


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Dask's, tornado's and asyncio's loggers silenced for the block (a cluster this process
    starts and stops logs its workers' comings and goings), then set back."""
    quiet = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


#: Where a sweep's own cluster listens: this machine only. A cluster others may use is started
#: by hand and named with ``--scheduler`` (docs/experiments.md).
LOOPBACK = "127.0.0.1"


#: Scale and most months of the small run that loads the compiled kernels before workers are forked.
WARM_UP_SCALE, WARM_UP_MONTHS = 0.001, 24
_kernels_loaded = False


def load_kernels(scenario: Scenario | None = None) -> None:
    """Load the model's compiled kernels into this process (once a process) by a small run of
    ``scenario`` (default ``esd``) at ``WARM_UP_SCALE`` for at most ``WARM_UP_MONTHS`` months.

    Why: numba loads each kernel from its on-disk cache on first call, about 0.3-0.5 s of CPU a
    process (``benchmarks/sweep.py``, start-up). Workers forked after this inherit the loaded
    kernels, so a process that starts several clusters (a sweep per evaluation) pays it once, not
    once per worker per cluster. Nothing of the small run is kept: every run builds its own model
    from its scenario and seed (tests/test_experiments.py checks the tables). A failure here is
    ignored: the workers then load the kernels themselves, as before.
    """
    global _kernels_loaded
    if _kernels_loaded:
        return
    from sim.model import LabourMarket
    from sim.scenario import shipped_scenario

    try:
        base = scenario or shipped_scenario("esd")
        LabourMarket(base.with_run(scale=WARM_UP_SCALE, months=min(base.run.months, WARM_UP_MONTHS)), seed=0).run()
    except Exception:  # noqa: BLE001  (a warm-up only: the runs report their own errors)
        return
    _kernels_loaded = True


def _local_cluster(workers: int, scenario: Scenario | None = None):
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes.

    On Linux the workers are forked from this process, which has already imported the model
    and loaded its compiled kernels (``load_kernels``, with ``scenario``): they start in a
    fraction of a second instead of the several seconds a spawned process spends importing
    numba, Mesa and pandas (that start-up would eat most of the gain of a second worker in a
    sweep of short runs), and their first run pays no kernel loading. They start with Ctrl-C ignored: this process
    decides what happens on Ctrl-C (it closes the cluster). Each worker exits as soon as this
    process dies, however it dies (``distributed`` gives every worker a pipe from its parent
    and exits when the pipe closes; tests/test_experiments.py checks it with SIGKILL).
    """
    import signal
    import sys

    import dask
    from distributed import LocalCluster

    import sim.model  # noqa: F401  (imported once here, inherited by the forked workers)

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork":
        load_kernels(scenario)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the workers
    try:
        # No statistical profiler in the workers: it samples the running task's stack every
        # 10 ms, CPU a sweep has better use for (nobody reads a profile of a model run here).
        settings = {"distributed.worker.multiprocessing-method": method, "distributed.worker.profile.enabled": False}
        with dask.config.set(settings):
            # Every server on loopback (LOOPBACK): the scheduler, the workers and their HTTP
            # servers (health and metrics, which distributed starts even without a dashboard);
            # ":0" would have bound the scheduler's on every interface, with no login.
            return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
                                host=LOOPBACK, dashboard_address=None,
                                scheduler_kwargs={"dashboard": False, "dashboard_address": f"{LOOPBACK}:0"},
                                worker_dashboard_address=f"{LOOPBACK}:0")
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def local_workers(workers: int) -> Iterator[Any]:
    """A ``dask.distributed.Client`` of ``workers`` worker processes on this machine, kept for the
    ``with`` block: pass it as ``client`` to every sweep of a batch of sweeps.

    Why: ``sweep(..., workers=N)`` starts a cluster for the sweep and stops it at the end, and each
    new worker then loads numba's compiled kernels again on its first run (about 0.3 s of CPU a
    worker, ``benchmarks/sweep.py``). A calibration or any loop that makes many small sweeps (one
    per evaluation) keeps one cluster instead: its workers stay alive between sweeps with the
    model imported and its kernels loaded. A run's tables do not depend on what the worker ran
    before (every run builds its own model from its scenario and seed;
    ``tests/test_experiments.py`` checks a reused worker against a fresh process). The workers
    are the engine's own (``_local_cluster``: forked from this process after it imported the
    model, loopback only, single-threaded) and are stopped at the end of the block, however it ends.
    """
    from distributed import Client

    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    with _quiet_dask_logs(), _local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    client: Any = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run an experiment (resuming whatever ``out`` holds) and return one row per run.

    The notebook API: ``sim.experiments.run_experiment("scenarios/experiments/mobility_x_stay.toml",
    out="results/mxs", client=client)``. Columns: run_id, scenario, point, point_label, the
    factors (grid factor names or sampled dotted keys), replication, seed, then the headline
    outcomes of ``sim.summary.METRICS``. Failed runs are absent (``sweep`` reports them);
    monthly tables: ``read_runs(out)``.
    """
    sweep(experiment, out, client=client, workers=workers, scheduler=scheduler, progress=progress)
    return outcomes(out)
