"""Batch experiments: many runs of the model, on a Dask cluster, into a verified store (docs/design.md §8).

An experiment file names scenarios, a design over settings (a ``grid`` or a ``sample``),
replications, months and scale (docs/experiments.md). ``run_experiment`` runs what the store
(``sim.store``) does not already hold verified, in this process or on Dask, and returns one row
of headline outcomes per run. ``tenseki compare``, ``tenseki validate``, ``tenseki sweep``,
``tenseki sensitivity`` and ``scripts/calibrate.py`` all run through it.

The package: ``design`` (the file format, the design points, the runs and their seeds: common
random numbers), ``engine`` (one run on a worker, the sweep, Dask's workers, ``local_workers``
kept across sweeps), ``readers`` (a store's verified runs, their tables and outcomes), ``fingerprint``
(the code and libraries a run was made with) and ``estimate`` (a design's runs, time and disk
before it runs); every public name but the estimate's is importable from ``sim.experiments``.
"""

from sim.experiments.design import (
    Experiment,
    ExperimentError,
    ExperimentSpec,
    GroupName,
    MetricName,
    Point,
    Run,
    SampleSpec,
    SmallSampleWarning,
    changes_for,
    load_experiment,
    reference_of,
    salib_problem,
)
from sim.experiments.engine import Progress, SweepResult, execute_run, local_workers, run_experiment, sweep
from sim.experiments.fingerprint import code_fingerprint, provenance, versions
from sim.experiments.readers import StoredRuns, outcomes, read_runs, run_provenance, verified_runs
from sim.store import StoreError

__all__ = [
    "Experiment", "ExperimentError", "ExperimentSpec", "GroupName", "MetricName", "Point", "Progress", "Run",
    "SampleSpec", "SmallSampleWarning", "StoreError", "StoredRuns", "SweepResult", "changes_for", "code_fingerprint", "execute_run",
    "load_experiment", "local_workers", "outcomes", "provenance", "read_runs", "reference_of", "run_experiment", "run_provenance",
    "salib_problem", "sweep", "verified_runs", "versions",
]
