"""How large a design is before it runs: runs, time and disk, and whether to ask first.

A sweep of a large design (a Sobol sample of many parameters, thousands of replications) can
take days and fill a disk; the command line prints this estimate first and, past one of the
limits below, runs only with ``--yes``. The figures are estimates for the 2-core development
machine (benchmarks/README.md: 40 runs of esd, 120 months at scale 0.01, 16.7 s with one
worker); they err high rather than low and are meant to tell hours from weeks, not to the minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.experiments.design import Experiment

#: Seconds of one run besides its people: building the world, writing its tables (assumption).
SECONDS_PER_RUN = 0.05
#: Seconds a person-month (0.42 s a run of esd: ~31,000 people over 120 months at scale 0.01).
SECONDS_PER_PERSON_MONTH = 1.2e-7
#: Bytes of a run's Parquet table besides its rows (schema, column statistics), and a row's.
BYTES_PER_TABLE = 60_000
BYTES_PER_MONTH = 1_000
#: Bytes of one row (a month and a group) of a by-group table, and the groups of each grouping.
BYTES_PER_GROUP_ROW = 100
GROUPS = {"prefecture": 47, "field": 8, "origin": 7}

#: Past any of these a design runs only with --yes.
MAX_RUNS_UNASKED = 10_000
MAX_HOURS_UNASKED = 8.0
MAX_BYTES_UNASKED = 5e9


@dataclass(frozen=True)
class DesignSize:
    """A design's runs, its estimated wall-clock seconds on ``workers`` and its bytes on disk."""

    runs: int
    seconds: float
    bytes: float
    workers: int

    def describe(self) -> str:
        """'120 runs, about 2.5 min on 2 worker(s), about 11 MB on disk'."""
        return (f"{self.runs:,} runs, about {_duration(self.seconds)} on {self.workers} worker(s), "
                f"about {_size(self.bytes)} on disk")

    def over_limit(self) -> str | None:
        """Which limit the design passes (None: none): the reason to ask for --yes."""
        if self.runs > MAX_RUNS_UNASKED:
            return f"more than {MAX_RUNS_UNASKED:,} runs"
        if self.seconds > MAX_HOURS_UNASKED * 3600:
            return f"more than {MAX_HOURS_UNASKED:g} hours"
        if self.bytes > MAX_BYTES_UNASKED:
            return f"more than {_size(MAX_BYTES_UNASKED)} on disk"
        return None


def design_size(exp: Experiment, workers: int = 1) -> DesignSize:
    """The size of ``exp`` (counted from its scenarios, points and seeds: nothing is built)."""
    per_scenario = len(exp.points) * len(exp.seeds)
    seconds = bytes_ = 0.0
    for scenario in exp.scenarios:
        months = scenario.run.months
        seconds += per_scenario * (SECONDS_PER_RUN + SECONDS_PER_PERSON_MONTH * scenario.people_in_run() * months)
        group_rows = sum(GROUPS[g] for g in exp.spec.by) * months
        bytes_ += per_scenario * ((1 + len(exp.spec.by)) * BYTES_PER_TABLE + BYTES_PER_MONTH * months
                                  + BYTES_PER_GROUP_ROW * group_rows)
    runs = per_scenario * len(exp.scenarios)
    return DesignSize(runs, seconds / max(1, min(workers, runs)), bytes_, max(1, min(workers, runs)))


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _size(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n / 1e3:.0f} kB"
