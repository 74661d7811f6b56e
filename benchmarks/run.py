"""Speed and memory of tenseki, with a per-agent Mesa loop measured in the same run as reference.

Usage::

    python benchmarks/run.py                 # esd, 120 months, scales 0.01, 0.1 and 1.0
    python benchmarks/run.py --smoke         # scale 0.01, 12 months (what CI runs)
    python benchmarks/run.py --profile       # also write benchmarks/profile_full_scale.txt

Each scale runs in its own fresh process, so that its peak resident memory (RSS) is its own.
Throughput is person-months per second: the people in Japan each month, summed over the run,
divided by the run time (the build is timed separately). The reference is the Boltzmann wealth
model stepping every agent in Python with ``shuffle_do`` (``benchmarks/reference.py``), in
agent-steps per second; the ratio says how much faster than per-agent Mesa code tenseki is.
Targets (issue 3): full scale build + run under 30 s, peak RSS under 3 GB, throughput at
least 20x the reference, scale 0.01 under 1 s of run time. Timings are wall-clock on whatever
else the machine is doing: run it on an idle machine, and read ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def measure_model(scenario: str, scale: float, months: int, seed: int) -> dict:
    """Build and run one model in this process; time, memory and throughput."""
    import sim

    spec = sim.shipped_scenario(scenario).with_run(scale=scale, months=months)
    sim.LabourMarket  # import the model's modules (numba included) before the clock starts
    t0 = time.perf_counter()
    model = sim.LabourMarket(spec, seed=seed)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    table = model.results()
    person_months = float(table["stock_total"].iloc[1:].sum()) * scale
    peak_rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB
    return {
        "scenario": scenario,
        "scale": scale,
        "months": months,
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_gb": peak_rss_gb,
        "person_months": person_months,
        "person_months_per_s": person_months / (t2 - t1),
        "people_arrays_mb": model.people.nbytes() / 2**20,
    }


def _in_fresh_process(scenario: str, scale: float, months: int, seed: int) -> dict:
    code = (
        "import json, sys; sys.path.insert(0, %r); import run; "
        "print(json.dumps(run.measure_model(%r, %r, %r, %r)))" % (str(HERE), scenario, scale, months, seed)
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile_full_scale(scenario: str, months: int, seed: int, path: Path) -> None:
    """Write a pyinstrument profile of a full-scale run as text."""
    from pyinstrument import Profiler

    import sim

    spec = sim.shipped_scenario(scenario).with_run(scale=1.0, months=months)
    profiler = Profiler()
    profiler.start()
    sim.LabourMarket(spec, seed=seed).run()
    profiler.stop()
    path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="esd")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--smoke", action="store_true", help="scale 0.01, 12 months, small reference: a quick check")
    parser.add_argument("--profile", action="store_true", help="also profile the full-scale run into benchmarks/")
    args = parser.parse_args()
    if args.smoke:
        args.scales, args.months = [0.01], 12

    from reference import measure_reference

    steps = 10 if args.smoke else 50
    ref = measure_reference(n_agents=10_000, steps=steps, seed=args.seed, kind="grid")
    floor = measure_reference(n_agents=10_000, steps=steps, seed=args.seed, kind="minimal")
    rows = [_in_fresh_process(args.scenario, s, args.months, args.seed) for s in args.scales]
    ref_rate, floor_rate = ref["agent_steps_per_second"], floor["agent_steps_per_second"]

    print(f"tenseki benchmark: scenario {args.scenario}, {args.months} months, seed {args.seed}")
    print(
        f"{'scale':>6} {'build s':>8} {'run s':>8} {'total s':>8} {'peak RSS GB':>12} {'person-months/s':>16} "
        f"{'x Mesa ref':>11} {'x minimal':>10}"
    )
    for r in rows:
        print(
            f"{r['scale']:>6g} {r['build_s']:>8.2f} {r['run_s']:>8.2f} {r['total_s']:>8.2f} {r['peak_rss_gb']:>12.2f} "
            f"{r['person_months_per_s']:>16,.0f} {r['person_months_per_s'] / ref_rate:>11.1f} "
            f"{r['person_months_per_s'] / floor_rate:>10.1f}"
        )
    print(
        f"Mesa reference as in Mesa's benchmarks (Boltzmann on a torus MultiGrid, move + give to a cellmate, "
        f"shuffle_do, {ref['agents']} agents x {ref['steps']} steps): {ref_rate:,.0f} agent-steps/s"
    )
    print(f"Minimal per-agent loop (Boltzmann without space, shuffle_do): {floor_rate:,.0f} agent-steps/s")
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(
            f"memory growth {small['scale']:g} -> {large['scale']:g}: people arrays "
            f"{small['people_arrays_mb']:.1f} -> {large['people_arrays_mb']:.1f} MB "
            f"(x{large['people_arrays_mb'] / max(small['people_arrays_mb'], 1e-9):.0f} for x{large['scale'] / small['scale']:.0f} scale)"
        )
    if args.profile:
        path = HERE / "profile_full_scale.txt"
        profile_full_scale(args.scenario, args.months, args.seed, path)
        print(f"profile written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
