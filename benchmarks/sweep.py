"""Throughput of the experiment engine (issues 8 and 24): what repeats per run and per sweep, one
worker against two, the engine's overhead per run, and a calibration's runs per hour.

    .venv/bin/python benchmarks/sweep.py [--runs 60] [--months 120] [--scale 0.01] [--evaluations 8]
    .venv/bin/python benchmarks/sweep.py --parts startup calibration   # some parts only

* **start-up** (in a fresh process): the imports, then calibration runs one after another
  (``scripts/calibrate.py``'s scenario, scale and by-group tables), each split into reading and
  validating its scenario file, building the world, running the months and the engine's part
  (tables, Parquet): what the first run pays once a process (numba's kernels loaded from its
  cache) against what every run pays;

On ``--runs`` runs of ``esd`` (120 months, scale 0.01, seeds from ``SeedSequence(base_seed).spawn``),
in this process after a warm-up that loads numba's compiled kernels:

* **speed-up**: the whole sweep of the 40 runs into a fresh store with 1 worker (in this
  process) and with 2 workers (a Dask ``LocalCluster``; its start and shutdown included),
  timed twice in the order 1, 2, 2, 1 so that a drift in the machine's load falls on both;
  the speed-up is the sum of the 1-worker times over the sum of the 2-worker times
  (target: >= 1.8x on two cores, issue 24). Each line also gives a run's mean wall-clock and CPU
  seconds from the manifest: when other work shares the cores, the CPU time per run shows
  whether a run costs more on a worker (it should not) and the wall time how much of a core
  each worker got;
* **overhead per run**: the same 40 runs in 4 interleaved chunks of 10: a bare loop of
  ``sim.run_scenario`` (tables kept in memory, nothing written), then the engine with
  1 worker running the chunk's 10 new runs (the experiment grows by 10 replications and the
  store resumes); the overhead is the engine's total minus the bare total, per run: the
  table's serialisation, checksum, atomic write and manifest record, and the sweep's own
  start (lock, manifest, audit of the stored runs) shared by the chunk's runs;
* **calibration**: ``--evaluations`` evaluations of ``scripts/calibrate.py``'s objective (the
  history scenario at its scale for its seeds, by origin and field, each evaluation a sweep into
  its own store through ``validation.run_history``), in this process, on 2 workers started for
  each evaluation (``workers=2``) and on 2 workers kept for all (``local_workers(2)``, as
  calibrate.py does): the runs per hour of a calibration at its chosen scale.

The load average is printed before and after: on a machine shared with other work the figures
move, and only figures from one run of this script compare with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "scripts"))

#: The parts of the benchmark, in the order they run.
PARTS = ("startup", "speedup", "overhead", "calibration")
#: Target of the 2-worker speed-up (issue 24).
SPEEDUP_TARGET = 1.8


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def startup_costs(runs: int = 4) -> dict:
    """In this (fresh) process: the imports, then ``runs`` calibration runs one after another, each
    split into its parts, in wall and CPU seconds (the first run pays what a process pays once)."""
    w, c = time.perf_counter(), time.process_time()
    import calibrate

    import sim.model
    from sim.experiments.engine import _parquet_bytes
    from sim.scenario import load_scenario, shipped_scenario_dir
    from sim.validation import GROUPED_BY

    out = {"imports": (time.perf_counter() - w, time.process_time() - c), "runs": []}
    path = shipped_scenario_dir() / "history_2017.toml"
    for seed in range(1, runs + 1):
        parts, w, c = {}, time.perf_counter(), time.process_time()

        def lap(name: str) -> None:
            nonlocal w, c
            parts[name] = (time.perf_counter() - w, time.process_time() - c)
            w, c = time.perf_counter(), time.process_time()

        scenario = load_scenario(path).with_run(scale=calibrate.SCALE)
        lap("scenario file read and validated")
        model = sim.model.LabourMarket(scenario, seed=seed)
        lap("world built")
        model.run()
        lap("months run")
        for table in [model.results(), *(model.results(by=g) for g in GROUPED_BY)]:
            _parquet_bytes(table)
        lap("tables and Parquet (engine)")
        out["runs"].append(parts)
    return out


def print_startup() -> None:
    code = "import json, sys; sys.path.insert(0, %r); import sweep; print(json.dumps(sweep.startup_costs()))" % str(HERE)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=HERE.parent)
    costs = json.loads(done.stdout.strip().splitlines()[-1])
    wall, cpu = costs["imports"]
    print("start-up of a fresh process (calibration runs: history_2017 at calibrate.py's scale, by origin and field)")
    print(f"  imports (numba, Mesa, pandas, the model)      {wall:6.3f} s wall {cpu:6.3f} s CPU  (once a process)")
    first, later = costs["runs"][0], costs["runs"][1:]
    for name in first:
        mean_cpu = sum(r[name][1] for r in later) / len(later)
        print(f"  {name:<45} first run {first[name][1]:6.3f} s CPU, later runs {mean_cpu:6.3f} s CPU "
              f"(once a process: {first[name][1] - mean_cpu:+.3f} s)")
    total_first = sum(v[1] for v in first.values())
    total_later = sum(sum(v[1] for v in r.values()) for r in later) / len(later)
    repeated = sum(sum(r[n][1] for r in later) / len(later) for n in first if n != "months run")
    print(f"  a run: first {total_first:.3f} s CPU, later {total_later:.3f} s CPU; of a later run, "
          f"{repeated:.3f} s ({100 * repeated / total_later:.1f}%) is outside the months", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--chunk", type=int, default=10, help="runs per chunk of the overhead measurement")
    ap.add_argument("--evaluations", type=int, default=8, help="calibration evaluations timed per way of running them")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    args = ap.parse_args(argv)

    import pandas as pd

    import sim
    from sim.experiments import Experiment, local_workers, sweep
    from sim.runner import run_scenario

    base = sim.shipped_scenario("esd").with_run(months=args.months, scale=args.scale)

    def experiment(runs: int) -> Experiment:
        return Experiment.from_scenarios("bench", [base], replications=runs, base_seed=2026)

    print(f"{args.runs} runs of esd, {args.months} months, scale {args.scale:g}; cores: {os.cpu_count()}; "
          f"load average before: {load()}", flush=True)
    if "startup" in args.parts:
        print_startup()
    run_scenario(base.with_run(months=2), seed=1)  # warm-up: numba kernels loaded

    with tempfile.TemporaryDirectory(prefix="tenseki-bench-") as tmp:
        if "speedup" in args.parts:
            times: dict[int, list[float]] = {1: [], 2: []}
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
            print(f"speed-up, 2 workers over 1    {speedup:7.2f} x  (target >= {SPEEDUP_TARGET} x)", flush=True)

        if "overhead" in args.parts:
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
                  f"({100 * (engine - bare) / bare:+.1f}% of a bare run)", flush=True)

        if "calibration" in args.parts:
            calibration_runs_per_hour(Path(tmp) / "calibration", args.evaluations, local_workers)
    print(f"load average after: {load()}")
    return 0


def calibration_runs_per_hour(tmp: Path, evaluations: int, local_workers) -> None:
    """Time ``evaluations`` evaluations of calibrate.py's objective three ways; print runs per hour,
    measured (wall-clock) and as they would be on free cores (from the runs' CPU seconds: an
    evaluation's seeds run in rounds of one per worker, so 3 seeds on 2 workers take 2 rounds)."""
    import calibrate
    import pandas as pd

    from sim import validation

    scenario = validation.history_scenario()
    per_evaluation = len(calibrate.SEEDS)
    print(f"calibration (scripts/calibrate.py): history_2017 at scale {calibrate.SCALE:g}, seeds {calibrate.SEEDS} "
          f"an evaluation, by {'/'.join(validation.GROUPED_BY)}; {evaluations} evaluations each way", flush=True)

    def evaluate_all(label: str, cores: int, **how) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        stores = [tmp / f"{label}{k}" for k in range(evaluations)]
        for store in stores:
            validation.run_history(calibrate.SEEDS, calibrate.SCALE, scenario=scenario, out=store, **how)
        seconds = time.perf_counter() - started
        runs = evaluations * per_evaluation
        run_cpu = pd.concat([pd.read_json(s / "manifest.jsonl", lines=True) for s in stores]).cpu_seconds.mean()
        # An evaluation's runs on `cores` free cores: rounds of `cores` runs, the last one maybe part-empty.
        rounds = -(-per_evaluation // cores)
        print(f"  {label:<38} {seconds:7.1f} s  {3600 * runs / seconds:7,.0f} runs per hour "
              f"({3600 * evaluations / seconds:,.0f} evaluations); a run {run_cpu:.2f} s CPU, this process "
              f"{time.process_time() - cpu:.1f} s CPU; on {cores} free core(s): "
              f"{3600 * per_evaluation / (rounds * run_cpu):,.0f} runs per hour", flush=True)

    evaluate_all("1 worker (this process)", 1, workers=1)
    evaluate_all("2 workers, a cluster per evaluation", 2, workers=2)
    with local_workers(2) as client:
        evaluate_all("2 workers kept (local_workers)", 2, client=client)


if __name__ == "__main__":
    raise SystemExit(main())
