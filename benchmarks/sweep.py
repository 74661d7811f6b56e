"""Throughput of the experiment engine (issue 8, item 10): one worker against two, and the
engine's overhead per run over a bare ``run_scenario``.

    .venv/bin/python benchmarks/sweep.py [--runs 40] [--months 120] [--scale 0.01]

In one process, one after the other, on the same 40 runs of ``esd`` (seeds from
``SeedSequence(base_seed).spawn``):

1. **bare**: ``sim.run_scenario`` for each seed in a loop, tables kept in memory, nothing
   written: the floor;
2. **engine, 1 worker**: ``sim.experiments.sweep(..., workers=1)`` into a fresh store (runs in
   this process; every table serialised, checksummed, written atomically, recorded);
3. **engine, 2 workers**: the same on a Dask ``LocalCluster`` of 2 worker processes, the
   cluster's start and shutdown included in the time.

It prints the wall-clock times, the speed-up of 2 workers over 1 (target: >= 1.6x on two
cores) and the overhead per run (2 minus 1, divided by the runs). The model is warmed up
(numba's compiled kernels loaded) before the first timing. The load average is printed before
and after: on a machine shared with other work the figures move, and only figures from one run
of this script compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sim  # noqa: E402
from sim.experiments import Experiment, sweep  # noqa: E402
from sim.runner import run_scenario  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--scale", type=float, default=0.01)
    args = ap.parse_args(argv)

    base = sim.shipped_scenario("esd").with_run(months=args.months, scale=args.scale)
    experiment = Experiment.from_scenarios("bench", [base], replications=args.runs, base_seed=2026)
    seeds = experiment.seeds
    print(f"{args.runs} runs of esd, {args.months} months, scale {args.scale:g}; cores: {os.cpu_count()}; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    run_scenario(base.with_run(months=2), seed=1)  # warm-up: numba kernels loaded

    started = time.perf_counter()
    for seed in seeds:
        run_scenario(base, seed)
    bare = time.perf_counter() - started
    print(f"bare run_scenario loop        {bare:7.1f} s  ({bare / args.runs:.3f} s a run)", flush=True)

    times = {}
    with tempfile.TemporaryDirectory(prefix="tenseki-bench-") as tmp:
        for workers in (1, 2):
            started = time.perf_counter()
            result = sweep(experiment, Path(tmp) / f"w{workers}", workers=workers)
            times[workers] = time.perf_counter() - started
            assert result.ran == args.runs and not result.failed, result
            label = "in this process" if workers == 1 else "LocalCluster, start and stop included"
            print(f"engine, {workers} worker(s)          {times[workers]:7.1f} s  ({label})", flush=True)
    print(f"speed-up, 2 workers over 1    {times[1] / times[2]:7.2f} x  (target >= 1.6 x)")
    print(f"engine overhead per run       {1000 * (times[1] - bare) / args.runs:7.1f} ms  "
          f"({100 * (times[1] - bare) / bare:+.1f}% over the bare loop)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
