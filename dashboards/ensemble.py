"""The range of many runs, so that the page does not tell one noisy run as fact.

A small ensemble (``SEEDS`` at ``SCALE``, every shipped preset as shipped, ``MONTHS`` months)
is computed by ``scripts/dashboard_ensemble.py`` and shipped in ``dashboards/data/``
(``ensemble.csv.gz`` and ``ensemble.json``, which records the command, the date and the
commit). The page draws the band between the 10th and 90th percentile of the runs around the
student's run and says how many runs agree with the student's one ("in 8 of 10 runs..."),
labelled "precomputed: N seeds, scale X". Runs of the same seed share their random numbers
across presets (common random numbers), so a pair of presets can be compared seed by seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE_PATH = DATA_DIR / "ensemble.csv.gz"
META_PATH = DATA_DIR / "ensemble.json"
#: The long ensemble (to July 2070) of the lesson "Where do people settle by 2070?": two presets, fewer columns.
LONG = "ensemble_2070"
LONG_PRESETS = ("esd_transition", "titp")
LONG_MONTHS = 520
LONG_COLUMNS = ("stock_total", "stock_metro", "stock_nonmetro")

SEEDS = tuple(range(1, 11))
SCALE = 0.005
MONTHS = 120
#: The columns of ``model.results()`` kept per run (what the charts and the comparison use).
COLUMNS = (
    "stock_total", "stock_titp", "stock_esd", "stock_ssw1", "stock_ssw2", "stock_care_worker", "stock_irregular",
    "disappearances_trainee", "transfers_voluntary_trainee", "transfers_unavoidable", "to_ssw1",
    "wage_mean_yen", "share_in_debt", "vacancy_fill_nonmetro",
)
#: Quantiles drawn as the band: the middle 80% of the runs.
BAND = (0.1, 0.9)


def compute(presets: tuple[str, ...], seeds: tuple[int, ...] = SEEDS, scale: float = SCALE, months: int = MONTHS,
            columns: tuple[str, ...] = COLUMNS) -> pd.DataFrame:
    """One row per preset, seed and month (0 .. months) with ``columns``."""
    import sim

    frames = []
    for name in presets:
        for seed in seeds:
            model = sim.LabourMarket(name, seed=seed, run__scale=scale, run__months=months)
            model.run(months)
            table = model.results()[["month", *columns]].copy()
            table.insert(0, "seed", seed)
            table.insert(0, "preset", name)
            frames.append(table)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True, eq=False)
class Ensemble:
    """The shipped ensemble: its runs and how they were made."""

    table: pd.DataFrame
    seeds: int
    scale: float
    months: int
    made: str  # date and command, from ensemble.json

    def has(self, preset: str) -> bool:
        return preset in _presets(self)

    def band(self, preset: str, columns: tuple[str, ...], up_to_month: int) -> pd.DataFrame:
        """Month, column, low, high (``BAND`` quantiles over the seeds) of ``preset`` through ``up_to_month``."""
        whole = _band(self, preset, columns)
        return whole[whole["month"] <= up_to_month]

    def totals(self, preset: str, column: str, months: int) -> np.ndarray:
        """Per seed, the sum of ``column`` over months 1 .. ``months`` (seed order)."""
        running = _running_totals(self, preset, column)
        return running[:, min(months, running.shape[1] - 1)]

    def runs_fewer_more(self, a: str, b: str, column: str, months: int) -> tuple[int, int, int]:
        """(runs in which ``a`` had fewer ``column`` than ``b`` over the first ``months``, runs with more, runs)."""
        x, y = self.totals(a, column, months), self.totals(b, column, months)
        return int((x < y).sum()), int((x > y).sum()), len(x)


@lru_cache(maxsize=4)
def _presets(ensemble: Ensemble) -> frozenset[str]:
    return frozenset(ensemble.table["preset"].unique())


# Computed once per preset (the page asks again every month; a groupby each time cost tenths of a second).
@lru_cache(maxsize=64)
def _band(ensemble: Ensemble, preset: str, columns: tuple[str, ...]) -> pd.DataFrame:
    runs = ensemble.table[ensemble.table["preset"] == preset]
    rows = []
    for column in columns:
        q = runs.groupby("month")[column].quantile(list(BAND)).unstack()
        rows.append(pd.DataFrame({"month": q.index, "column": column, "low": q[BAND[0]].to_numpy(), "high": q[BAND[1]].to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["month", "column", "low", "high"])


@lru_cache(maxsize=256)
def _running_totals(ensemble: Ensemble, preset: str, column: str) -> np.ndarray:
    """[seed, month]: the sum of ``column`` over months 1 .. month (month 0: 0)."""
    runs = ensemble.table[ensemble.table["preset"] == preset].pivot(index="seed", columns="month", values=column).sort_index()
    values = runs.to_numpy(dtype=float, copy=True)
    values[:, 0] = 0.0  # month 0 is the initial state: no flows
    return np.cumsum(values, axis=1)


@lru_cache(maxsize=2)
def shipped(name: str = "ensemble") -> Ensemble | None:
    """The ensemble ``name`` in ``dashboards/data`` (None when it was not made: the page then says so)."""
    table_path, meta_path = DATA_DIR / f"{name}.csv.gz", DATA_DIR / f"{name}.json"
    if not table_path.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    table = pd.read_csv(table_path)
    return Ensemble(table, len(meta["seeds"]), float(meta["scale"]), int(meta["months"]), f"{meta['date']}: {meta['command']}")
