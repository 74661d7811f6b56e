"""Do two revisions give the same results, to the bit? The check that a refactor changed no result.

Usage::

    python benchmarks/same_results.py REV_A             # git revision REV_A against this working tree
    python benchmarks/same_results.py REV_A REV_B       # two git revisions
    python benchmarks/same_results.py REV_A --quick     # one short case per scenario (a smoke check)
    python benchmarks/same_results.py REV_A --keep DIR  # keep the dumped tables in DIR/a and DIR/b

Each revision other than the working tree is checked out into a temporary git worktree. For each
version a fresh Python process, started in that version's root with only that root importable,
runs every shipped scenario (plus ``esd_integration_all`` and ``esd_integration_today``) for
several seeds and scales and writes its national and by-group (prefecture, field, origin)
tables, plus the history run (``history_2017``) at two scales, as parquet files. The two sets of
files are then compared column by column, to the bit (floats by their bit patterns, so 1 ulp or
-0.0 against 0.0 counts), and the first differences are printed.

The child process reads the scenarios of its own version: ``sim.scenarios`` is the top-level
``scenarios/`` folder only through pyproject's package-dir, and an editable install of another
checkout in this virtualenv would otherwise answer ``import sim.scenarios`` with *its* folder;
the child drops editable-install finders, binds ``sim.scenarios`` to its root's ``scenarios/``
and refuses to run if ``sim`` or the scenarios come from elsewhere
(tests/test_same_results.py checks this with an edited scenario in a worktree).

Exit code 0: identical; 1: a difference (or a different set of tables); 2: bad arguments or a
version that could not be checked out or run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

GROUPINGS = ("prefecture", "field", "origin")
EXTRA_SCENARIOS = ("esd_integration_all", "esd_integration_today")  # shipped files outside sim.scenario.SHIPPED
HISTORY_SCENARIO = "history_2017"


@dataclass(frozen=True)
class Case:
    """One run of a scenario: a seed, a scale and a number of months (None: the scenario's own)."""

    seed: int
    scale: float
    months: int | None

    def tag(self) -> str:
        return f"s{self.seed}__x{self.scale:g}__m{self.months if self.months is not None else 'all'}"


# seeds 1-2 at a small scale over 5 years, seed 3 at a larger scale over 2 years (the same cases
# as the reference dump of 18d5ec8); the history run over its own months at two scales
SCENARIO_CASES = (Case(1, 0.005, 60), Case(2, 0.005, 60), Case(3, 0.02, 24))
HISTORY_CASES = (Case(1, 0.01, None), Case(2, 0.005, None))
QUICK_SCENARIO_CASES = (Case(1, 0.002, 12),)
QUICK_HISTORY_CASES = (Case(1, 0.002, 24),)


# ---------------------------------------------------------------------------------------------
# The child: runs in a fresh process, in the root of the version being dumped.


def import_version(root: Path):
    """Import ``sim`` from ``root`` with ``sim.scenarios`` bound to ``root/scenarios``; returns
    the ``sim`` module. Raises RuntimeError if the code or the scenarios would come from elsewhere."""
    root = root.resolve()
    sys.path.insert(0, str(root))
    # an editable install (pip install -e) maps sim.scenarios to its own checkout's scenarios/:
    # drop its finders so that nothing but root answers for sim
    sys.meta_path[:] = [f for f in sys.meta_path if not str(getattr(f, "__module__", "")).startswith("__editable__")]
    import sim

    spec = importlib.util.spec_from_file_location(
        "sim.scenarios", root / "scenarios" / "__init__.py", submodule_search_locations=[str(root / "scenarios")]
    )
    scenarios = importlib.util.module_from_spec(spec)
    sys.modules["sim.scenarios"] = scenarios
    spec.loader.exec_module(scenarios)
    sim.scenarios = scenarios
    from sim.scenario import shipped_scenario_dir

    where = {"sim": Path(sim.__file__).resolve().parent, "scenarios": shipped_scenario_dir().resolve()}
    for what, path in where.items():
        if not path.is_relative_to(root):
            raise RuntimeError(f"{what} would be read from {path}, not from the version at {root}")
    return sim


def child_probe(root: Path) -> None:
    """Print (JSON) where ``sim`` and the scenarios were found and the ``esd`` scenario's waiting
    months: what the test of this script reads."""
    sim = import_version(root)
    from sim.scenario import shipped_scenario_dir

    esd = sim.shipped_scenario("esd")
    print(json.dumps({"sim": str(Path(sim.__file__).resolve().parent), "scenarios": str(shipped_scenario_dir().resolve()),
                      "esd_waiting_months": esd.policy.transfer.waiting_months}))


def child_dump(root: Path, out: Path, scenario_cases: Sequence[Case], history_cases: Sequence[Case]) -> None:
    """Write every table of every case as ``out/<scenario>__<case>__<table>.parquet``."""
    sim = import_version(root)
    from sim.runner import run_tables
    from sim.scenario import SHIPPED

    out.mkdir(parents=True, exist_ok=True)
    jobs = [(name, case) for name in (*SHIPPED, *EXTRA_SCENARIOS) for case in scenario_cases]
    jobs += [(HISTORY_SCENARIO, case) for case in history_cases]
    for name, case in jobs:
        tables = run_tables(sim.load_scenario(name), case.seed, months=case.months, scale=case.scale, by=GROUPINGS)
        for table_name, table in tables.items():
            table.to_parquet(out / f"{name}__{case.tag()}__{table_name}.parquet")
        print(f"  {root.name}: {name} {case.tag()}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The parent: checks out, runs the children, compares.


@contextmanager
def checked_out(rev: str | None, tmp: Path) -> Iterator[Path]:
    """The root of ``rev`` in a temporary git worktree under ``tmp`` (removed afterwards), or of
    this working tree when ``rev`` is None."""
    if rev is None:
        yield ROOT
        return
    where = tmp / f"rev-{rev.replace('/', '_')}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(where), rev], check=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)


def run_child(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run this script's child part for the version at ``root``, in ``root``, with ``root`` importable."""
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(Path.home())}
    return subprocess.run([sys.executable, str(Path(__file__).resolve()), *args, "--root", str(root)],
                          cwd=root, env=env, text=True, stdout=subprocess.PIPE)


def columns_differ(a, b) -> int | None:
    """The first row where two columns differ, to the bit (floats by their bit patterns), or None."""
    import numpy as np

    if a.dtype != b.dtype:
        return 0
    if a.dtype == object:
        same = np.array([x == y or (x != x and y != y) for x, y in zip(a, b)], dtype=bool)
    else:
        width = a.dtype.itemsize
        same = np.all(np.ascontiguousarray(a).view(np.uint8).reshape(-1, width)
                      == np.ascontiguousarray(b).view(np.uint8).reshape(-1, width), axis=1)
    return None if same.all() else int(np.flatnonzero(~same)[0])


def compare_dumps(dir_a: Path, dir_b: Path, show: int = 10) -> tuple[int, list[str]]:
    """Compare two dumps; returns the number of tables compared and the differences (one line each)."""
    import pandas as pd

    names_a = {p.name for p in dir_a.glob("*.parquet")}
    names_b = {p.name for p in dir_b.glob("*.parquet")}
    problems = [f"only in A: {name}" for name in sorted(names_a - names_b)]
    problems += [f"only in B: {name}" for name in sorted(names_b - names_a)]
    for name in sorted(names_a & names_b):
        a, b = pd.read_parquet(dir_a / name), pd.read_parquet(dir_b / name)
        if list(a.columns) != list(b.columns):
            problems.append(f"{name}: columns differ: only in A {sorted(set(a.columns) - set(b.columns))}, "
                            f"only in B {sorted(set(b.columns) - set(a.columns))}"
                            + (" (same columns, another order)" if set(a.columns) == set(b.columns) else ""))
            continue
        if a.shape != b.shape:
            problems.append(f"{name}: shape {a.shape} in A, {b.shape} in B")
            continue
        for column in a.columns:
            x, y = a[column].to_numpy(), b[column].to_numpy()
            row = columns_differ(x, y)
            if row is not None:
                month = f", month {a['month'].iloc[row]}" if "month" in a.columns else ""
                problems.append(f"{name}: column {column!r} differs (first at row {row}{month}: "
                                f"{x[row]!r} ({x.dtype}) in A, {y[row]!r} ({y.dtype}) in B)")
    return len(names_a | names_b), problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Exit code 0: identical; 1: different; 2: bad arguments or a failed run.")
    parser.add_argument("rev_a", nargs="?", help="git revision A (e.g. the commit before the refactor)")
    parser.add_argument("rev_b", nargs="?", default=None, help="git revision B (default: this working tree, uncommitted changes included)")
    parser.add_argument("--quick", action="store_true", help="one short, small case per scenario instead of the full set")
    parser.add_argument("--keep", type=Path, help="keep the dumps in KEEP/a and KEEP/b (default: a temporary folder)")
    parser.add_argument("--show", type=int, default=20, help="print at most this many differences (default 20)")
    # the child's part (run by the parent in each version's root)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    scenario_cases, history_cases = (QUICK_SCENARIO_CASES, QUICK_HISTORY_CASES) if args.quick else (SCENARIO_CASES, HISTORY_CASES)
    if args.probe:
        child_probe(args.root)
        return 0
    if args.dump is not None:
        child_dump(args.root, args.dump, scenario_cases, history_cases)
        return 0
    if args.rev_a is None:
        parser.error("give the git revision A to compare (and optionally B)")
    for rev in (args.rev_a, args.rev_b):
        if rev is not None and subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "-q", f"{rev}^{{commit}}"],
                                              capture_output=True).returncode != 0:
            print(f"same_results: {rev!r} is not a git revision of {ROOT}", file=sys.stderr)
            return 2

    label_a, label_b = args.rev_a, args.rev_b or "working tree"
    cases = len(scenario_cases), len(history_cases)
    print(f"A = {label_a}, B = {label_b}: every shipped scenario x {cases[0]} case(s) "
          f"({', '.join(c.tag() for c in scenario_cases)}) and {HISTORY_SCENARIO} x {cases[1]} "
          f"({', '.join(c.tag() for c in history_cases)}); national and by {', '.join(GROUPINGS)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tenseki-same-") as tmp_name:
        tmp = Path(tmp_name)
        dumps = args.keep or tmp / "dumps"
        for side, rev, label in (("a", args.rev_a, label_a), ("b", args.rev_b, label_b)):
            out = dumps / side
            if out.exists() and any(out.iterdir()):
                print(f"same_results: {out} is not empty: give an empty or new --keep folder", file=sys.stderr)
                return 2
            extra = ["--quick"] if args.quick else []
            with checked_out(rev, tmp) as root:
                print(f"dumping {label} ({root}) ...", flush=True)
                done = run_child(root, "--dump", str(out), *extra)
            if done.returncode != 0:
                print(f"same_results: the dump of {label} failed (exit {done.returncode}; its error is above)", file=sys.stderr)
                return 2
        count, problems = compare_dumps(dumps / "a", dumps / "b")
    for line in problems[: args.show]:
        print(line)
    if len(problems) > args.show:
        print(f"... and {len(problems) - args.show} more")
    if problems:
        print(f"DIFFERENT: {len(problems)} difference(s) in {count} tables ({label_a} against {label_b})")
        return 1
    print(f"IDENTICAL: {count} tables, every column to the bit ({label_a} against {label_b})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
