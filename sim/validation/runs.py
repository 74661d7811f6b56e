"""The validation runs: the history scenario for several seeds through the experiment engine,
compared with the official series and written beside the store (``tenseki validate``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from sim.dates import YearMonth
from sim.scenario import Scenario, load_scenario, shipped_scenario_dir
from sim.validation.comparison import compare, compare_shares, summarise, yearly, yearly_shares
from sim.validation.plots import plot
from sim.validation.targets import load_official

#: Groupings the validation runs keep by-group tables of.
GROUPED_BY = ("origin", "field")

#: Progress callback: ``progress(runs_done, runs_total)``.
Progress = Callable[[int, int], None]


def history_scenario() -> Scenario:
    """The shipped historical scenario (``scenarios/history_2017.toml``)."""
    return load_scenario(shipped_scenario_dir() / "history_2017.toml")



def history_experiment(seeds: int | Iterable[int] = 5, scale: float = 0.01, scenario: Scenario | None = None,
                       name: str = "validate"):
    """The validation runs as an experiment: the history scenario at ``scale``, seeds 1..K (or the seeds given)."""
    from sim.experiments import Experiment

    scenario = (history_scenario() if scenario is None else scenario).with_run(scale=scale)
    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    return Experiment.from_scenarios(name, [scenario], seeds=seed_list, by=list(GROUPED_BY))


def run_history(
    seeds: int | Iterable[int] = 5,
    scale: float = 0.01,
    workers: int = 1,
    scenario: Scenario | None = None,
    progress: Progress | None = None,
    client=None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Run the history scenario for each seed; yearly model measures, one row per seed and year.

    Runs go through the experiment engine (``sim.experiments``), into the store ``out`` (a
    temporary folder if None: nothing is kept).

    Args:
        seeds: a number K (seeds 1..K) or the seeds themselves.
        scale: agents per real person (0.01 is the documented validation setting).
        workers: worker processes (a Dask ``LocalCluster``); 1 runs in this process.
        scenario: the scenario to run (default: the shipped ``history_2017.toml``).
        progress: ``progress(runs_done, runs_total)`` after each run.
        client: a ``dask.distributed.Client`` to run on (``workers`` is then ignored).
        out: the store folder (runs reused when they verify).
    """
    import tempfile

    from sim.experiments import sweep

    experiment = history_experiment(seeds, scale, scenario)
    start = experiment.scenarios[0].run.start
    hook = None if progress is None else (lambda done, total, _run_id: progress(done, total))
    with tempfile.TemporaryDirectory(prefix="tenseki-history-") as tmp:
        store = Path(tmp) if out is None else Path(out)
        result = sweep(experiment, store, client=client, workers=workers, progress=hook)
        if result.failed:
            raise RuntimeError(f"{len(result.failed)} history run(s) failed: {result.failed[0][1]}")
        return _yearly_runs(store, start)


def _yearly_runs(out: Path, start: YearMonth) -> pd.DataFrame:
    from sim.experiments import read_runs

    monthly = read_runs(out)
    parts = []
    for seed, table in monthly.groupby("seed", sort=False):
        year = yearly(table, start)
        year.insert(0, "seed", seed)
        parts.append(year)
    return pd.concat(parts, ignore_index=True)



def validate(
    seeds: int = 5,
    scale: float = 0.01,
    out_dir: Path = Path("results/validate"),
    workers: int = 1,
    progress: Progress | None = None,
    client=None,
) -> pd.DataFrame:
    """Run the history scenario for seeds 1..``seeds`` and compare with the official series.

    The runs are kept in the store ``out_dir`` (``runs/``, ``manifest.jsonl``; reused when they
    verify). Writes ``out_dir/validation.csv`` (the comparison table, one row per year and
    measure), ``out_dir/validation_summary.csv`` (MAPE per measure, in and out of sample) and
    ``out_dir/validation.png`` (model bands against official points); returns the comparison.
    """
    run_history(seeds, scale, workers=workers, progress=progress, client=client, out=out_dir)
    return validate_store(out_dir, seeds, scale)


def validate_store(out_dir: str | Path, seeds: int, scale: float) -> pd.DataFrame:
    """The comparison with the official series of the validation runs in the store ``out_dir``
    (``history_experiment``), with its three files written beside the store."""
    out_dir = Path(out_dir)
    start = history_scenario().run.start
    model = _yearly_runs(out_dir, start)
    official = load_official()
    shares = compare_shares(yearly_shares(out_dir, start))
    comparison = pd.concat([compare(model, official), shares], ignore_index=True)
    comparison.to_csv(out_dir / "validation.csv", index=False)
    summarise(comparison).to_csv(out_dir / "validation_summary.csv", index=False)
    plot(model, official, out_dir / "validation.png",
         title=f"history_2017: model ({seeds} seeds, scale {scale:g}) vs official statistics")
    return comparison
