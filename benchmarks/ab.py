"""The same benchmark run on two versions of the code, alternately, in one run: is a change slower?

Usage::

    python benchmarks/ab.py REV                      # this working tree against git revision REV
    python benchmarks/ab.py REV --scale 1.0 --repeats 3 --months 120

REV is checked out into a temporary git worktree. Each repeat builds and runs the scenario once
in a fresh process for each version, alternating A, B, A, B, ... so that whatever else the
machine is doing weighs on both alike; the medians and their ratio are printed, for wall time and
for the process's CPU time (which other work on shared cores disturbs less: a process waiting for
a core is not charged for the wait). Both versions
must have the same results (the fixed-seed table is compared too), since a speed comparison of
two models that compute different things means little.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

MEASURE = """
import hashlib, json, resource, sys, time
sys.path.insert(0, {root!r})
import sim
from sim.scenario import load_scenario
spec = load_scenario({root!r} + "/scenarios/{scenario}.toml").with_run(scale={scale!r}, months={months!r})
sim.LabourMarket  # imports (numba included) before the clock starts
t0, c0 = time.perf_counter(), time.process_time()
model = sim.LabourMarket(spec, seed={seed!r})
t1, c1 = time.perf_counter(), time.process_time()
model.run()
t2, c2 = time.perf_counter(), time.process_time()
table = model.results()
digest = hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(json.dumps(dict(build_s=t1 - t0, run_s=t2 - t1, build_cpu_s=c1 - c0, run_cpu_s=c2 - c1, peak_rss_gb=rss,
                      table_sha256=digest)))
"""


def measure(root: Path, scenario: str, scale: float, months: int, seed: int) -> dict:
    """Build and run once in a fresh process on the code at ``root``."""
    code = MEASURE.format(root=str(root), scenario=scenario, scale=scale, months=months, seed=seed)
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rev", help="git revision to compare this working tree with")
    parser.add_argument("--scenario", default="esd")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tenseki-ab-") as tmp:
        other = Path(tmp) / "rev"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), args.rev], check=True)
        try:
            versions = {f"{args.rev} (A)": other, "working tree (B)": ROOT}
            for root in versions.values():  # compile and cache the kernels outside the timings
                measure(root, args.scenario, 0.001, 2, args.seed)
            runs: dict[str, list[dict]] = {name: [] for name in versions}
            for _ in range(args.repeats):
                for name, root in versions.items():
                    runs[name].append(measure(root, args.scenario, args.scale, args.months, args.seed))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)

    print(f"{args.scenario}, scale {args.scale:g}, {args.months} months, seed {args.seed}, {args.repeats} alternating repeats")
    print(f"{'version':<28} {'build s':>8} {'run s (median)':>15} {'runs s':>24} {'build CPU s':>12} {'run CPU s':>10} "
          f"{'peak RSS GB':>12}")
    medians, cpu = {}, {}
    for name, rs in runs.items():
        times = [r["run_s"] for r in rs]
        medians[name] = statistics.median(times)
        cpu[name] = statistics.median(r["run_cpu_s"] for r in rs)
        print(f"{name:<28} {statistics.median(r['build_s'] for r in rs):>8.2f} {medians[name]:>15.2f} "
              f"{' '.join(f'{t:.2f}' for t in times):>24} {statistics.median(r['build_cpu_s'] for r in rs):>12.2f} "
              f"{cpu[name]:>10.2f} {max(r['peak_rss_gb'] for r in rs):>12.2f}")
    a, b = medians.values()
    print(f"run time B / A = {b / a:.3f}")
    a, b = cpu.values()
    print(f"run CPU time B / A = {b / a:.3f} (steadier than wall time when other work shares the cores)")
    digests = {r["table_sha256"] for rs in runs.values() for r in rs}
    print("monthly tables identical" if len(digests) == 1 else f"monthly tables DIFFER ({len(digests)} distinct)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
