"""Where a run's CPU time goes, phase by phase: building the world, each submodel of the month
(in ``LabourMarket.step``'s order), the collection of the tables and compaction.

Usage::

    python benchmarks/profile_phases.py                        # esd, scale 0.3, 120 months, seed 1
    python benchmarks/profile_phases.py --scale 1.0 --months 120

Each phase is timed with ``time.process_time`` (CPU time of this process: other work on shared
cores disturbs it less than wall time) by wrapping the module functions ``step`` calls. A warm-up
run at a tiny scale compiles every kernel first, so compile time is not counted. For each phase
the table gives its CPU seconds over the run, its share, and its *floor*: one pass over the
person columns it reads or writes, each month, at this machine's memory bandwidth (measured here
by copying a large array), i.e. the time it would take if it did nothing but stream its data once.
``x floor`` is how far the phase is from that; phases far above their floor are bound by random
reads, by random draws or by Python overhead, not by bandwidth.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim import model as model_module  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

#: (module attribute path, phase name, person columns the phase touches) in the month's order.
#: The columns give the floor: bytes touched per person per month (a gather counts its columns).
MONTH_PHASES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sim.processes.offers.update_offers", "offers", ()),
    ("sim.processes.arrivals.arrive", "arrivals", ("status", "firm", "field", "origin", "pref")),
    ("sim.processes.violations.commit_violations", "violations", ()),
    ("sim.processes.work.work", "work", ("status", "firm", "wage_yen", "debt_yen", "savings_yen", "months_in_japan",
                                         "months_in_status", "months_with_employer")),
    ("sim.processes.learning.learn", "learn", ("status", "firm", "skill", "japanese", "aptitude")),
    ("sim.processes.learning.take_tests", "tests", ("status", "skill", "japanese", "tests_passed")),
    ("sim.processes.grievance.feel_grievance", "grievance", ("status", "firm", "grievance", "wage_yen")),
    ("sim.processes.integration.support", "integration", ("status", "pref")),
    ("sim.processes.audits.audit_members", "audits", ("status", "firm")),
    ("sim.processes.information.hear_about_wages", "information", ("status", "contacts", "heard_wage_yen", "wage_yen")),
    ("sim.processes.ladder.move_up_or_leave", "ladder", ("status", "months_in_status", "tests_passed", "firm")),
    ("sim.processes.decisions.decide", "decisions", ("status", "firm", "grievance", "heard_wage_yen", "wage_yen",
                                                     "debt_yen", "months_with_employer")),
    ("sim.processes.firms.close_some", "firm closures", ("status", "firm")),
    ("sim.processes.firms.adjust_wages", "wage adjustment", ()),
    ("sim.processes.firms.update_demand", "demand", ()),
    ("sim.processes.apprehension.face_apprehension", "apprehension", ("status",)),
    ("sim.processes.families.form_families", "families", ("status", "age", "residence")),
    ("sim.processes.permanence.settle_or_leave", "permanence", ("status", "residence", "months_in_japan")),
    ("sim.processes.families.die", "deaths", ("status", "age")),
    ("sim.processes.families.count_departures", "family departures", ("status",)),
    ("sim.model.LabourMarket._collect", "collection", ("status", "firm", "pref", "field", "origin", "wage_yen",
                                                        "debt_yen", "savings_yen", "residence")),
    ("sim.model.LabourMarket._compact_if_due", "compaction", ()),
)

#: Phases of building the world (``LabourMarket.__init__``), in its order.
BUILD_PHASES: tuple[tuple[str, str], ...] = (
    ("sim.model.build_ledger", "build: firms, bodies, ledger"),
    ("sim.model.build_network", "build: firm ties"),
    ("sim.model.populate", "build: initial people"),
)


def _resolve(path: str) -> tuple[object, str]:
    module_name, _, attr = path.rpartition(".")
    if module_name.endswith("LabourMarket"):
        return model_module.LabourMarket, attr
    return sys.modules[module_name] if module_name in sys.modules else __import__(module_name, fromlist=[attr]), attr


def _timed(fn, name: str, spent: dict[str, float]):
    def wrapper(*args, **kwargs):
        c0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - c0
    return wrapper


def instrument(spent: dict[str, float]) -> None:
    """Wrap every phase's function so that its CPU time adds to ``spent[phase]``."""
    for path, name, *_ in MONTH_PHASES + BUILD_PHASES:
        owner, attr = _resolve(path)
        setattr(owner, attr, _timed(getattr(owner, attr), name, spent))


def bandwidth_bytes_per_s() -> float:
    """Memory bandwidth as seen by one core: the best of a few copies of a 256 MB array (read + write)."""
    a = np.ones(2**25)
    b = np.empty_like(a)
    best = float("inf")
    for _ in range(5):
        c0 = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - c0)
    return 2 * a.nbytes / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="esd")
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    # Compile (or load from the cache) every kernel first: long enough for a compaction (month ~30).
    warm = load_scenario(str(ROOT / "scenarios" / f"{args.scenario}.toml")).with_run(scale=0.002, months=60)
    sim.LabourMarket(warm, seed=args.seed).run()

    spent: dict[str, float] = defaultdict(float)
    instrument(spent)
    spec = load_scenario(str(ROOT / "scenarios" / f"{args.scenario}.toml")).with_run(scale=args.scale, months=args.months)
    person_months = 0
    rows_months = 0
    c0 = time.process_time()
    model = sim.LabourMarket(spec, seed=args.seed)
    c1 = time.process_time()
    at_build = dict(spent)  # month phases the build calls too (offers, information, collection)
    for _ in range(args.months):
        model.step()
        person_months += int(model.people.in_japan().sum())
        rows_months += model.people.n
    c2 = time.process_time()
    build_other = (c1 - c0) - sum(spent[name] for _, name in BUILD_PHASES)
    bandwidth = bandwidth_bytes_per_s()

    p = model.people
    column_bytes = {name: getattr(p, name).itemsize * (getattr(p, name).shape[1] if getattr(p, name).ndim > 1 else 1)
                    for name in dir(p) if isinstance(getattr(p, name, None), np.ndarray) and len(getattr(p, name)) == p.capacity}
    run_total = c2 - c1
    print(f"# {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"# python benchmarks/profile_phases.py --scenario {args.scenario} --scale {args.scale} --months {args.months} --seed {args.seed}")
    print(f"# memory bandwidth (one core, copy): {bandwidth / 1e9:.1f} GB/s; rows x months {rows_months:,}; "
          f"person-months in Japan {person_months:,}")
    print(f"# build CPU {c1 - c0:.2f} s, run CPU {run_total:.2f} s, "
          f"{person_months / run_total / 1e6:.2f} M person-months per CPU second")
    print(f"{'phase':42} {'CPU s':>7} {'share':>6} {'floor s':>8} {'x floor':>8}")
    for _, name in BUILD_PHASES:
        print(f"{name:42} {spent[name]:7.2f}")
    print(f"{'build: other (agents, first collection)':42} {build_other:7.2f}")
    month_sum = 0.0
    for path, name, columns in MONTH_PHASES:
        cpu = spent[name] - at_build.get(name, 0.0)
        month_sum += cpu
        floor = rows_months * sum(column_bytes.get(c, 0) for c in columns) / bandwidth
        ratio = f"{cpu / floor:8.0f}" if floor > 0 else f"{'-':>8}"
        print(f"{name:42} {cpu:7.2f} {cpu / run_total:6.1%} {floor:8.3f} {ratio}")
    other = run_total - month_sum
    print(f"{'month: other (step glue, Mesa)':42} {other:7.2f} {other / run_total:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
