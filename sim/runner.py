"""Running the model: one run as a plain, picklable function (for processes and Dask workers).

``run_scenario`` takes only picklable values (a scenario or its path, integers) and returns a
pandas DataFrame, so the same call runs in this process, in a ``ProcessPoolExecutor`` or on a
Dask worker and gives the same table for the same seed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from sim.scenario import Scenario, ScenarioError, check_memory, load_scenario
from sim.schema import show
from sim.seeds import check_seed


def run_scenario(
    scenario: Scenario | str | Path,
    seed: int,
    months: int | None = None,
    scale: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Build a model, run it and return its monthly table with ``scenario`` and ``seed`` columns.

    Raises:
        ScenarioError: for a scenario that does not validate, or a run that needs more memory
            than this machine has available (checked before anything is built).
    """
    return run_tables(scenario, seed, months=months, scale=scale, progress=progress)["national"]


def run_tables(
    scenario: Scenario | str | Path,
    seed: int,
    months: int | None = None,
    scale: float | None = None,
    by: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """One run's tables: ``"national"`` (one row per month) and each grouping of ``by``
    (``"prefecture"``, ``"field"``, ``"origin"``: month x group), each with ``scenario`` and
    ``seed`` columns first (``ScenarioError`` as ``run_scenario``; ``SeedError`` for a seed
    outside 0..``MAX_SEED``, before anything is built)."""
    seed = check_seed(seed)
    check_groupings(by)
    if progress is not None and not callable(progress):
        raise ScenarioError(f"progress = {show(progress)}: allowed: a function of the month, or None")
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = scenario.with_run(months=months, scale=scale)
    model = run_model(scenario, seed, progress)
    tables = {"national": model.results()} | {grouping: model.results(by=grouping) for grouping in by}
    for table in tables.values():
        table.insert(0, "seed", seed)
        table.insert(0, "scenario", scenario.name)
    return tables


def check_groupings(by: Sequence[str]) -> tuple[str, ...]:
    """``by`` as a tuple of known groupings, each once (``ScenarioError`` naming what is allowed),
    checked before a run is built rather than when its tables are made."""
    from sim.outputs import GROUPINGS

    if isinstance(by, str) or not isinstance(by, (list, tuple)):
        raise ScenarioError(f"by = {show(by)}: allowed: a list of groupings from {', '.join(map(repr, GROUPINGS))}")
    unknown = [g for g in by if g not in GROUPINGS]
    if unknown:
        raise ScenarioError(f"by = {show(list(by))}: {show(unknown[0])} is not a grouping; allowed: "
                            f"{', '.join(map(repr, GROUPINGS))}")
    if len(set(by)) != len(by):
        raise ScenarioError(f"by = {show(list(by))}: a grouping is named twice")
    return tuple(by)


def run_model(scenario: Scenario, seed: int, progress: Callable[[int], None] | None = None):
    """Build the model of ``scenario`` with ``seed`` and run its ``run.months``; returns the model
    (for callers that want more than the national table, e.g. by-group results). The memory the
    run needs is checked first (``ScenarioError`` if it cannot fit)."""
    from sim.model import LabourMarket

    check_memory(scenario)
    return LabourMarket(scenario, seed=seed).run(progress=progress)


def by_group_path(path: str | Path, grouping: str) -> Path:
    """Where the table of ``grouping`` goes beside the national table ``path`` (``esd.parquet`` ->
    ``esd.by_prefecture.parquet``)."""
    path = Path(path)
    return path.with_name(f"{path.stem}.by_{grouping}{path.suffix}")


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file whole or not at all: ``write(tmp)`` fills ``PATH.part``, which then replaces ``path``.

    On any failure (a full disk, Ctrl-C, a crash in ``write``) the ``.part`` file is removed and
    the error raised again; an ``OSError`` then names ``path``, whatever the library that
    failed put in it (pyarrow, for one, names no file).

    Raises:
        OSError: with ``filename`` set to ``path`` and ``strerror`` saying why.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        tmp.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    return path


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as Parquet (``.parquet``) or CSV (``.csv``), atomically (``write_atomic``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ValueError(f"{path}: the output must end in .parquet or .csv")
    if suffix == ".parquet":
        return write_atomic(path, lambda tmp: table.to_parquet(tmp, index=False))
    return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))
