"""Throughput of the experiment engine (issue 8, item 10): one worker against two, and the
engine's overhead per run over a bare ``run_scenario``.

    .venv/bin/python benchmarks/sweep.py [--runs 40] [--months 120] [--scale 0.01]

All in one process, on 40 runs of ``esd`` (120 months, scale 0.01, seeds from
``SeedSequence(base_seed).spawn``), after a warm-up that loads numba's compiled kernels:

* **speed-up**: the whole sweep of the 40 runs into a fresh store with 1 worker (in this
  process) and with 2 workers (a Dask ``LocalCluster``; its start and shutdown included),
  timed twice in the order 1, 2, 2, 1 so that a drift in the machine's load falls on both;
  the speed-up is the sum of the 1-worker times over the sum of the 2-worker times
  (target: >= 1.6x on two cores). Each line also gives a run's mean wall-clock and CPU
  seconds from the manifest: when other work shares the cores, the CPU time per run shows
  whether a run costs more on a worker (it should not) and the wall time how much of a core
  each worker got;
* **overhead per run**: the same 40 runs in 4 interleaved chunks of 10: a bare loop of
  ``sim.run_scenario`` (tables kept in memory, nothing written), then the engine with
  1 worker running the chunk's 10 new runs (the experiment grows by 10 replications and the
  store resumes); the overhead is the engine's total minus the bare total, per run: the
  table's serialisation, checksum, atomic write and manifest record, and the sweep's own
  start (lock, manifest, audit of the stored runs) shared by the chunk's runs.

The load average is printed before and after: on a machine shared with other work the figures
move, and only figures from one run of this script compare with each other.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

import sim  # noqa: E402
from sim.experiments import Experiment, sweep  # noqa: E402
from sim.runner import run_scenario  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--chunk", type=int, default=10, help="runs per chunk of the overhead measurement")
    args = ap.parse_args(argv)

    base = sim.shipped_scenario("esd").with_run(months=args.months, scale=args.scale)

    def experiment(runs: int) -> Experiment:
        return Experiment.from_scenarios("bench", [base], replications=runs, base_seed=2026)

    print(f"{args.runs} runs of esd, {args.months} months, scale {args.scale:g}; cores: {os.cpu_count()}; "
          f"load average before: {load()}", flush=True)
    run_scenario(base.with_run(months=2), seed=1)  # warm-up: numba kernels loaded

    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="tenseki-bench-") as tmp:
        for i, workers in enumerate((1, 2, 2, 1)):
            started = time.perf_counter()
            result = sweep(experiment(args.runs), Path(tmp) / f"sweep{i}", workers=workers)
            times[workers].append(time.perf_counter() - started)
            assert result.ran == args.runs and not result.failed, result
            label = "in this process" if workers == 1 else "LocalCluster, start and stop included"
            per_run = pd.read_json(Path(tmp) / f"sweep{i}" / "manifest.jsonl", lines=True)
            print(f"sweep, {workers} worker(s)           {times[workers][-1]:7.1f} s  ({label}; a run: "
                  f"{per_run.seconds.mean():.2f} s wall, {per_run.cpu_seconds.mean():.2f} s CPU)", flush=True)
        speedup = sum(times[1]) / sum(times[2])
        print(f"speed-up, 2 workers over 1    {speedup:7.2f} x  (target >= 1.6 x)", flush=True)

        seeds = experiment(args.runs).seeds
        bare = engine = 0.0
        store = Path(tmp) / "overhead"
        for start in range(0, args.runs, args.chunk):
            t = time.perf_counter()
            for seed in seeds[start:start + args.chunk]:
                run_scenario(base, seed)
            bare += time.perf_counter() - t
            t = time.perf_counter()
            result = sweep(experiment(min(start + args.chunk, args.runs)), store, workers=1)
            engine += time.perf_counter() - t
            assert result.ran == min(args.chunk, args.runs - start), result
        print(f"bare run_scenario             {bare:7.1f} s  ({bare / args.runs:.3f} s a run)")
        print(f"engine, same runs             {engine:7.1f} s")
        print(f"engine overhead per run       {1000 * (engine - bare) / args.runs:7.1f} ms  "
              f"({100 * (engine - bare) / bare:+.1f}% of a bare run)")
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
