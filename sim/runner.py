"""Running the model: one run as a plain, picklable function (for processes and Dask workers).

``run_scenario`` takes only picklable values (a scenario or its path, integers) and returns a
pandas DataFrame, so the same call runs in this process, in a ``ProcessPoolExecutor`` or on a
Dask worker and gives the same table for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.scenario import Scenario, load_scenario


def run_scenario(
    scenario: Scenario | str | Path,
    seed: int,
    months: int | None = None,
    scale: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Build a model, run it and return its monthly table with ``scenario`` and ``seed`` columns."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = scenario.with_run(months=months, scale=scale)
    table = run_model(scenario, seed, progress).results()
    table.insert(0, "seed", seed)
    table.insert(0, "scenario", scenario.name)
    return table


def run_model(scenario: Scenario, seed: int, progress: Callable[[int], None] | None = None):
    """Build the model of ``scenario`` with ``seed`` and run its ``run.months``; returns the model
    (for callers that want more than the national table, e.g. by-group results)."""
    from sim.model import LabourMarket

    return LabourMarket(scenario, seed=seed).run(progress=progress)


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as Parquet (``.parquet``) or CSV (``.csv``), atomically (a crash leaves no half file)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ValueError(f"{path}: the output must end in .parquet or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if suffix == ".parquet":
        table.to_parquet(tmp, index=False)
    else:
        table.to_csv(tmp, index=False)
    tmp.replace(path)
    return path
