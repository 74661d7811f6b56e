"""Speed and memory of tenseki, with a minimal per-agent Mesa loop measured in the same run as reference.

Usage::

    python benchmarks/run.py            # full scale, esd, seed 1: 120 months and 525 months (to Dec 2070)
    python benchmarks/run.py --table    # also scales 0.01 and 0.1; rewrites the table of benchmarks/README.md
    python benchmarks/run.py --quick    # scale 0.01, 12 and 24 months, a small reference: a smoke check
    python benchmarks/run.py --profile  # also write benchmarks/profile_full_scale.txt (pyinstrument)

Each model run is made in its own fresh process, which measures itself: the imports, the build
(``LabourMarket(...)``, numba's cached kernels loaded on first use included; a small run first
fills numba's cache if the sources changed, so no figure includes compiling) and the run, each in
wall-clock and CPU seconds (``time.process_time``), and the process's peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss`` at the end: the whole process, Python and libraries
included). Throughput is person-months per CPU second (and per wall-clock second): the people in
Japan each month, summed over the run, divided by the run's CPU (wall) time; the cost per
person-month is its inverse, in nanoseconds of CPU, also for the first and the last 120 months of a long run, so
that a cost that grows with the horizon shows (timed per month through ``run(progress=...)``).

The reference (issue 24) is the minimal per-agent Mesa loop: the Boltzmann wealth exchange
stepped with ``model.agents.shuffle_do("step")``, 100,000 agents, without space
(``benchmarks/reference.py``), in agent-steps per CPU second, measured in this process in the same
run; the ratio is tenseki's person-months per CPU second over it (target >= 20x). Both are timed
in CPU seconds: on a machine shared with other work, wall time measures the others too.

Targets (issue 24): full scale, 120 months, build + run <= 10 s and peak RSS <= 3 GB; 525
months <= 45 s; throughput >= 20x the reference. The machine may be shared: CPU seconds are the
steadier figure; read ratios measured in one run, never across runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

#: Months of the run to December 2070 (esd starts in April 2027: April 2027 + 524 months = December 2070).
MONTHS_TO_2070 = 525
#: Months of the headline run (ten years).
MONTHS_TEN_YEARS = 120
#: Agents of the reference loop (issue 24).
REFERENCE_AGENTS = 100_000
#: Months at the start and end of a long run whose cost per person-month is compared.
SEGMENT_MONTHS = 120
#: The README table lies between these two lines (rewritten by ``--table``).
TABLE_BEGIN = "<!-- scaling table: begin (written by python benchmarks/run.py --table) -->"
TABLE_END = "<!-- scaling table: end -->"
TARGETS = {"total_s": 10.0, "peak_rss_gb": 3.0, "long_run_total_s": 45.0, "ratio": 20.0}


def measure_model(scenario: str, scale: float, months: int, seed: int, import_s: tuple[float, float] = (0.0, 0.0)) -> dict:
    """Build and run one model in this process: time (wall and CPU), memory, throughput, cost per person-month."""
    import resource

    import sim

    spec = sim.shipped_scenario(scenario).with_run(scale=scale, months=months)
    sim.LabourMarket  # import the model's modules (numba included) before the clock starts
    cpu_at_month: list[float] = []
    w0, c0 = time.perf_counter(), time.process_time()
    model = sim.LabourMarket(spec, seed=seed)
    w1, c1 = time.perf_counter(), time.process_time()
    model.run(progress=lambda month: cpu_at_month.append(time.process_time()))
    w2, c2 = time.perf_counter(), time.process_time()
    table = model.results()
    people_by_month = (table["stock_total"].iloc[1:].to_numpy(dtype=float) * scale).tolist()  # agents in Japan each month
    person_months = float(sum(people_by_month))
    month_cpu = [b - a for a, b in zip([c1, *cpu_at_month[:-1]], cpu_at_month, strict=True)]

    def ns_per_person_month(first: int, last: int) -> float:
        return 1e9 * sum(month_cpu[first:last]) / max(sum(people_by_month[first:last]), 1.0)

    n = len(month_cpu)
    return {
        "scenario": scenario, "scale": scale, "months": months, "seed": seed,
        "import_s": import_s[0], "import_cpu_s": import_s[1],
        "build_s": w1 - w0, "build_cpu_s": c1 - c0,
        "run_s": w2 - w1, "run_cpu_s": c2 - c1,
        "total_s": w2 - w0, "total_cpu_s": c2 - c0,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,  # Linux: KiB
        "people_start": people_by_month[0] if people_by_month else 0.0,
        "people_end": people_by_month[-1] if people_by_month else 0.0,
        "person_months": person_months,
        "person_months_per_s": person_months / (w2 - w1),
        "person_months_per_cpu_s": person_months / (c2 - c1),
        "ns_per_person_month": 1e9 * (c2 - c1) / max(person_months, 1.0),
        "ns_per_person_month_first": ns_per_person_month(0, min(SEGMENT_MONTHS, n)),
        "ns_per_person_month_last": ns_per_person_month(max(n - SEGMENT_MONTHS, 0), n),
        "people_arrays_mb": model.people.nbytes() / 2**20,
    }


def in_fresh_process(scenario: str, scale: float, months: int, seed: int) -> dict:
    """``measure_model`` in a new Python process (its own imports, kernels and peak memory)."""
    code = (
        "import time; w, c = time.perf_counter(), time.process_time(); import sim, sim.model; "
        "t = (time.perf_counter() - w, time.process_time() - c); "
        "import json, sys; sys.path.insert(0, %r); import run; "
        "print(json.dumps(run.measure_model(%r, %r, %r, %r, t)))" % (str(HERE), scenario, scale, months, seed)
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=HERE.parent)
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


def machine() -> str:
    """nproc, the CPU model (/proc/cpuinfo), Python and the libraries: what the figures were measured on."""
    cpu = platform.processor() or "unknown CPU"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    import mesa
    import numba
    import numpy

    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"numba {numba.__version__}, Mesa {mesa.__version__}")


def scaling_table(rows: list[dict], ref_rate: float) -> list[str]:
    """The scaling table's lines (Markdown-friendly fixed-width text)."""
    head = (f"{'scale':>6} {'months':>6} {'people start':>12} {'people end':>11} {'import CPU s':>12} {'build CPU s':>11} "
            f"{'run CPU s':>9} {'run wall s':>10} {'peak RSS GB':>11} {'ns/person-month':>15} {'first 120':>9} "
            f"{'last 120':>8} {'x ref':>6}")
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['scale']:>6g} {r['months']:>6d} {r['people_start']:>12,.0f} {r['people_end']:>11,.0f} {r['import_cpu_s']:>12.2f} "
            f"{r['build_cpu_s']:>11.2f} {r['run_cpu_s']:>9.2f} {r['run_s']:>10.2f} {r['peak_rss_gb']:>11.2f} "
            f"{r['ns_per_person_month']:>15.0f} {r['ns_per_person_month_first']:>9.0f} {r['ns_per_person_month_last']:>8.0f} "
            f"{r['person_months_per_cpu_s'] / ref_rate:>6.1f}"
        )
    return lines


def rewrite_table(readme: Path, lines: list[str], command: str, ref: dict) -> None:
    """Replace what lies between ``TABLE_BEGIN`` and ``TABLE_END`` in ``readme`` (both must be there)."""
    text = readme.read_text() if readme.is_file() else ""
    if TABLE_BEGIN not in text or TABLE_END not in text:
        raise SystemExit(f"{readme}: the markers of the scaling table are missing ({TABLE_BEGIN!r} ... {TABLE_END!r})")
    head, rest = text.split(TABLE_BEGIN, 1)
    _, tail = rest.split(TABLE_END, 1)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    body = "\n".join([
        "",
        f"Measured {when} by `{command}` on {machine()}; load average at the end {load}.",
        "",
        "```",
        *lines,
        f"reference: minimal per-agent Mesa loop (Boltzmann exchange, shuffle_do, {ref['agents']:,} agents x "
        f"{ref['steps']} steps): {ref['agent_steps_per_cpu_second']:,.0f} agent-steps per CPU second",
        "```",
        "",
    ])
    readme.write_text(head + TABLE_BEGIN + body + TABLE_END + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="esd")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the headline runs (default 1.0: all of Japan)")
    parser.add_argument("--months", type=int, nargs="+", default=[MONTHS_TEN_YEARS, MONTHS_TO_2070],
                        help="horizons of the headline runs (default 120 and 525)")
    parser.add_argument("--table", action="store_true",
                        help="also scales 0.01 and 0.1 at each horizon, and rewrite the table of benchmarks/README.md")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md", help="the file whose table --table rewrites")
    parser.add_argument("--quick", "--smoke", action="store_true",
                        help="scale 0.01, 12 and 24 months, a reference of 10,000 agents: a quick check")
    parser.add_argument("--reference-agents", type=int, default=REFERENCE_AGENTS)
    parser.add_argument("--reference-steps", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="also profile the full-scale run into benchmarks/")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.months = 0.01, [12, 24]
        args.reference_agents, args.reference_steps = 10_000, 5
    scales = sorted({0.01, 0.1, args.scale}) if args.table and not args.quick else [args.scale]
    if args.table and args.quick:
        scales = [0.005, 0.01]

    from reference import measure_reference

    print(f"tenseki benchmark: scenario {args.scenario}, seed {args.seed}, horizons {args.months} months; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    # numba compiles the kernels into its cache once after any change of the sources (about 20 s of
    # CPU): a small run first, so that no measurement below includes compiling.
    in_fresh_process(args.scenario, 0.001, 2, args.seed)
    ref = measure_reference(n_agents=args.reference_agents, steps=args.reference_steps, seed=args.seed, kind="minimal")
    ref_rate = ref["agent_steps_per_cpu_second"]
    rows = [in_fresh_process(args.scenario, s, m, args.seed) for s in scales for m in sorted(args.months)]

    print(f"reference: minimal per-agent Mesa loop (Boltzmann exchange, shuffle_do, {ref['agents']:,} agents x "
          f"{ref['steps']} steps): {ref_rate:,.0f} agent-steps per CPU second ({ref['agent_steps_per_second']:,.0f} per wall s)")
    for r in rows:
        if r["scale"] != args.scale:
            continue
        print(f"\nscale {r['scale']:g}, {r['months']} months ({r['people_start']:,.0f} agents at the start, "
              f"{r['people_end']:,.0f} at the end):")
        print(f"  imports        {r['import_s']:7.2f} s wall {r['import_cpu_s']:7.2f} s CPU")
        print(f"  build          {r['build_s']:7.2f} s wall {r['build_cpu_s']:7.2f} s CPU")
        print(f"  run            {r['run_s']:7.2f} s wall {r['run_cpu_s']:7.2f} s CPU")
        print(f"  build + run    {r['total_s']:7.2f} s wall {r['total_cpu_s']:7.2f} s CPU"
              f"   (target {TARGETS['total_s' if r['months'] <= MONTHS_TEN_YEARS else 'long_run_total_s']:g} s at full scale)")
        print(f"  peak RSS       {r['peak_rss_gb']:7.2f} GB   (target <= {TARGETS['peak_rss_gb']:g} GB)")
        print(f"  throughput     {r['person_months_per_cpu_s']:,.0f} person-months per CPU second "
              f"({r['person_months_per_s']:,.0f} per wall s) = {r['person_months_per_cpu_s'] / ref_rate:.1f}x "
              f"the reference (target >= {TARGETS['ratio']:g}x)")
        print(f"  CPU per person-month {r['ns_per_person_month']:.0f} ns (first {SEGMENT_MONTHS} months "
              f"{r['ns_per_person_month_first']:.0f} ns, last {SEGMENT_MONTHS} {r['ns_per_person_month_last']:.0f} ns)")
    if args.table:
        lines = scaling_table(rows, ref_rate)
        print("\n" + "\n".join(lines))
        given = list(argv if argv is not None else sys.argv[1:])
        if "--readme" in given:  # where the table goes is not part of how it was measured
            del given[given.index("--readme"):given.index("--readme") + 2]
        command = "python benchmarks/run.py " + " ".join(given)
        rewrite_table(args.readme, lines, command.strip(), ref)
        print(f"table written to {args.readme}")
    if args.profile:
        path = HERE / "profile_full_scale.txt"
        profile_full_scale(args.scenario, MONTHS_TEN_YEARS, args.seed, path)
        print(f"profile written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
