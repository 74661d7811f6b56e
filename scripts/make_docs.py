"""Regenerate every number, table and figure that README.md and docs/*.md quote about the code,
its speed, its results and its fits, in place between marker comments, so the docs cannot drift.

A block in a Markdown file is the text between ``<!-- make_docs:NAME -->`` and
``<!-- /make_docs:NAME -->`` (inline in a sentence, or whole lines). This script owns that text:
edit the generator below, not the block. Two kinds:

* **cheap** blocks are computed in seconds from the code and the shipped files (the scenarios
  ``tenseki compare`` runs, the table of shipped scenarios, a memory refusal from the memory
  estimator, the shipped fitted values, the commit the dashboard screenshots show). They are
  rewritten by every run of this script, and ``--check --cheap`` (run by
  tests/test_make_docs.py) fails on any difference between the committed docs and what the code
  gives now.
* **expensive** blocks are measurements and full experiments (timings, ``compare``'s table, the
  calibration, the figures). They are rewritten only when asked, by job or group name
  (``--expensive timings``, ``--expensive calibration``, ``--expensive all``), and each carries
  the date, the machine (cores, CPU model, load average at the start) and the command. The check
  only verifies that each is present and stamped. Timings give wall time and CPU time (of the
  command and every process it started): on a shared machine the CPU time is the steadier one.

Run::

    python scripts/make_docs.py                      # rewrite the cheap blocks
    python scripts/make_docs.py --check --cheap      # exit 1 and show the difference if any cheap block drifted
    python scripts/make_docs.py --expensive timings  # re-measure every timing and the experiments they time
    python scripts/make_docs.py --expensive calibration validation_figure
    python scripts/make_docs.py --list               # every block, its kind, job and document
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import inspect
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The documents this script may rewrite.
DOCUMENTS = ("README.md", "docs/experiments.md", "docs/validation.md", "docs/ODD.md", "docs/outputs.md",
             "docs/design.md", "docs/domain.md")
#: A block: <!-- make_docs:NAME --> ... <!-- /make_docs:NAME -->, inline or over lines.
BLOCK = re.compile(r"<!-- make_docs:(?P<name>[\w-]+) -->(?P<body>.*?)<!-- /make_docs:(?P=name) -->", re.S)
#: What every expensive block says about where and how it was made (checked by --check).
STAMP = re.compile(r"measured (?P<date>\d{4}-\d{2}-\d{2}) on (?P<cores>\d+) cores \((?P<cpu>[^)]*)\)")
#: An expensive block not measured yet begins with this (and says why); --check fails on it unless
#: named in --allow-pending.
PENDING = "PENDING:"
#: Exit code of --check when a block differs or is missing.
DRIFTED = 1


# =============================================================================================
# Cheap blocks: computed from the code and the shipped files in seconds
# =============================================================================================
def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def compare_defaults() -> tuple[tuple[str, ...], int]:
    """The scenarios and the number of seeds ``tenseki compare`` runs without arguments."""
    from sim import cli

    return tuple(cli.COMPARE_DEFAULT), int(inspect.signature(cli.compare).parameters["seeds"].default)


def block_compare_default() -> str:
    names, seeds = compare_defaults()
    return f"{_and_list([f'`{n}`' for n in names])} (seeds 1-{seeds})"


def _scenario_rows(folder: Path, prefix: str) -> list[str]:
    compared, _ = compare_defaults()
    rows = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        base = data.get("base")
        builds_on = "" if not base else (f"`{base}`" if base.endswith(".toml") else f"`{base}` (shipped)")
        if "scenarios" in data:  # an experiment file: the scenarios it varies
            builds_on = "experiment on " + ", ".join(f"`{s}`" for s in data["scenarios"])
        note = " Run by `tenseki compare`." if path.stem in compared and not prefix else ""
        rows.append(f"| `{prefix}{path.name}` | {builds_on} | {data.get('description', '')}{note} |")
    return rows


def block_scenarios_table() -> str:
    """The shipped scenario and experiment files, each with its base and its own description."""
    from sim.scenario_files import shipped_scenario_dir

    folder = shipped_scenario_dir()
    policies = [p.stem for p in sorted(folder.glob("*.toml")) if p.stem != "world"]
    lines = [f"`scenarios/` holds the shared world (`world.toml`) and {len(policies)} scenarios built on it "
             f"({', '.join(f'`{p}`' for p in policies)}), and {len(list((folder / 'experiments').glob('*.toml')))} "
             "experiment files in `scenarios/experiments/` (read from the files; the description is each "
             "file's own `description`):", "",
             "| File | Builds on | What |", "|---|---|---|"]
    lines += _scenario_rows(folder, "")
    lines += _scenario_rows(folder / "experiments", "experiments/")
    return "\n".join(lines)


#: The memory example: a policy file whose intake no machine of today holds at full scale.
MEMORY_EXAMPLE_FILE = "big.toml"
MEMORY_EXAMPLE_CHANGES = {"run.scale": 1.0, "run.months": 1200, "policy.recruitment.trainee_intake_per_year": 2_000_000}
#: The memory the example pretends the machine has (the message says what this one has).
MEMORY_EXAMPLE_AVAILABLE_BYTES = 16e9


def block_memory_example() -> str:
    """The refusal ``check_memory`` really gives for a hundred years at full scale with two million
    trainees a year, on a machine with 16 GB free (the estimate is the estimator's own)."""
    from unittest import mock

    import sim
    from sim import memory
    from sim.schema import ScenarioError

    scenario = sim.shipped_scenario("esd").with_changes(MEMORY_EXAMPLE_CHANGES)
    with mock.patch.object(memory, "available_memory_bytes", lambda: MEMORY_EXAMPLE_AVAILABLE_BYTES):
        try:
            memory.check_memory(scenario, source=MEMORY_EXAMPLE_FILE)
        except ScenarioError as exc:
            message = str(exc)
        else:
            raise SystemExit("make_docs: the memory example is no longer refused: choose a larger one")
    settings = ", ".join(f"`{k} = {v:g}`" if isinstance(v, float) else f"`{k} = {v}`" for k, v in MEMORY_EXAMPLE_CHANGES.items())
    return f"`{MEMORY_EXAMPLE_FILE}` with {settings} on a machine with 16 GB free: \"{message.split(': use')[0]}\""


#: The calibrated values docs/validation.md reports, as shipped in scenarios/world.toml.
CALIBRATED = ("behaviour.abscond.base_monthly", "behaviour.departure.return_base_monthly",
              "behaviour.departure.return_per_grievance")


def shipped_calibrated() -> dict[str, float]:
    from sim import validation

    dump = validation.history_scenario().model_dump()  # where scripts/calibrate.py starts
    values = {}
    for key in CALIBRATED:
        node = dump
        for part in key.split("."):
            node = node[part]
        values[key] = float(node)
    return values


def block_shipped_calibrated() -> str:
    return ", ".join(f"`{k.split('.', 1)[1]}` = {v:g}" for k, v in shipped_calibrated().items())


def block_shipped_base_monthly() -> str:
    return f"**{shipped_calibrated()[CALIBRATED[0]]:g}**"


DASHBOARD_IMAGES = ("docs/dashboard_1366x768.png", "docs/dashboard_1920x1080.png")


def block_dashboard_commit() -> str:
    """Which commit the dashboard screenshots were taken at: the last commit that changed them."""
    shown = []
    for image in DASHBOARD_IMAGES:
        done = subprocess.run(["git", "log", "-1", "--format=%h %cs", "--", image], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        if done.returncode != 0 or not done.stdout.strip():
            raise SkipBlock("not a git checkout: the commit of the screenshots is unknown")
        commit, date = done.stdout.split()
        shown.append(f"`{Path(image).name}` at commit {commit} ({date})")
    return "the screenshots show the dashboard as committed with them: " + ", ".join(shown) + \
        "; the model has changed since, so the figures in them are not today's"


class SkipBlock(Exception):
    """A cheap block that cannot be computed here (outside a git checkout)."""


# =============================================================================================
# Expensive jobs: measurements and experiments, each stamped with date, machine and command
# =============================================================================================
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def stamp(job: str, command: str) -> str:
    """Date, machine and command of a measurement, and how to make it again."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0]
    return (f"measured {dt.date.today().isoformat()} on {cores} cores ({cpu_model()}), load average {load:.1f} at "
            f"the start{' (shared: wall times are noisy, CPU times steadier)' if load > 0.5 * cores else ''}; "
            f"`{command}`; re-measure: `python scripts/make_docs.py --expensive {job}`")


@dataclass
class Timed:
    wall_s: float
    cpu_s: float
    stdout: str
    peak_rss_gb: float


def timed(args: list[str], cwd: Path) -> Timed:
    """Run a command; wall time, CPU time of it and every process it started, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"make_docs: {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timed(wall, cpu, done.stdout, after.ru_maxrss / 1e6)


def tenseki(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim", *args]


def _seconds(t: Timed) -> str:
    return f"{t.wall_s:.0f} s of wall time, {t.cpu_s:.0f} s of CPU time"


SMALL_RUN_CODE = """
import time, sim, json
s = sim.load_scenario("esd")
sim.LabourMarket(s, seed=1).run(12)  # numba's kernels loaded from the cache or compiled
out = []
for seed in (1, 2, 3):
    w, c = time.perf_counter(), time.process_time()
    sim.LabourMarket(s, seed=seed).run(120)
    out.append((time.perf_counter() - w, time.process_time() - c))
print(json.dumps(out))
"""


def job_small_run(work: Path) -> dict[str, str]:
    command = "tenseki run esd"
    t = timed([sys.executable, "-c", SMALL_RUN_CODE], ROOT)
    runs = sorted(json.loads(t.stdout.strip().splitlines()[-1]))
    wall, cpu = runs[1]
    return {"timing_small_run": (
        f"The default scale 0.01 runs 120 months of `esd` in {wall:.1f} s of wall time ({cpu:.1f} s of CPU time; the "
        f"median of three runs in one process, world built and kernels loaded; a fresh `{command}` adds "
        f"Python's start and imports) ({stamp('small_run', 'LabourMarket(esd, seed).run(120), seeds 1-3')})")}


def job_compare(work: Path) -> dict[str, str]:
    names, seeds = compare_defaults()
    t = timed(tenseki("compare", "--out", str(work / "compare")), ROOT)
    command = "tenseki compare"
    table = "\n".join(line.rstrip() for line in t.stdout.strip().splitlines() if not line.startswith("Wrote"))
    table = table.replace(str(work / "compare"), "results/compare")
    return {
        "timing_compare": (f"`{command}` ({len(names)} scenarios x {seeds} seeds, one worker) takes {_seconds(t)} "
                           f"({stamp('compare', command)})"),
        "compare_output": f"```\n$ {command}\n{table}\n```\n\n({stamp('compare', command)})",
    }


FULL_SCALE_CODE = """
import json, resource, time, sim
s = sim.load_scenario("esd").with_run(scale=1.0)
w, c = time.perf_counter(), time.process_time()
m = sim.LabourMarket(s, seed=1)
build = (time.perf_counter() - w, time.process_time() - c)
people = int(m.results().iloc[0]["stock_total"])
w, c = time.perf_counter(), time.process_time()
m.run(120)
run = (time.perf_counter() - w, time.process_time() - c)
print(json.dumps({"build": build, "run": run, "people": people, "firms": int(m.firms.n),
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def job_full_scale(work: Path) -> dict[str, str]:
    t = timed([sys.executable, "-c", FULL_SCALE_CODE], ROOT)
    r = json.loads(t.stdout.strip().splitlines()[-1])
    (bw, bc), (rw, rc) = r["build"], r["run"]
    return {"timing_full_scale": (
        f"All of Japan (scale 1.0: {r['people']:,} people in Japan at the start, {r['firms']:,} firms) runs 120 months "
        f"of `esd` in {bw + rw:.0f} s of wall time ({bw:.1f} s to build the world, {rw:.1f} s to run; CPU time "
        f"{bc:.1f} s + {rc:.1f} s) with {r['peak_gb']:.2f} GB peak memory "
        f"({stamp('full_scale', 'LabourMarket(esd at scale 1.0, seed=1).run(120)')})")}


def _experiment_job(name: str, verb: str, out_name: str, figure: str, image: str,
                    table: Callable[[Path, str], str] | None = None) -> Callable[[Path], dict[str, str]]:
    """An experiment file run as docs/experiments.md says (``--out results/OUT_NAME --workers 2``),
    timed; its figure copied into docs/; ``table(store, stamp)``, when given, writes the block
    ``NAME_table`` from the CSV files of the store's report or sensitivity analysis."""
    file = f"scenarios/experiments/{name}.toml"

    def job(work: Path) -> dict[str, str]:
        out = work / out_name
        command = f"tenseki {verb} {file} --out results/{out_name} --workers 2"
        resumed = (out / "runs").is_dir() and any((out / "runs").iterdir())
        t = timed(tenseki(verb, file, "--out", str(out), "--workers", "2"), ROOT)
        runs = len(list((out / "runs").glob("*.parquet"))) if (out / "runs").is_dir() else None
        if verb == "sweep":
            timed(tenseki("report", str(out)), ROOT)
        shutil.copyfile(out / figure, ROOT / image)
        what = f"{runs} runs, " if runs else ""
        reused = (" (resumed: runs already in its store were reused, so not the time of the whole experiment)"
                  if resumed else "")
        blocks = {f"timing_{name}": f"{what}{_seconds(t)}{reused} ({stamp(name, command)}; the figure below is `{figure}` "
                                    "of this run)"}
        if table is not None:
            blocks[f"{name}_table"] = table(out, stamp(name, command))
        return blocks

    return job


def _with_ci(mean: float, low: float, high: float, decimals: int) -> str:
    """``mean [low, high]`` printed as the report prints it (``sim.report._num``: true minus sign)."""
    from sim.report import _num

    return f"{_num(mean, decimals)} [{_num(low, decimals)}, {_num(high, decimals)}]"


#: The columns of the mobility x stay table: (metric, with its paired difference from the reference).
MOBILITY_TABLE_METRICS = (("disappearances_per_1000", True), ("trainee_job_changes_per_1000", False), ("vacancy_fill_nonmetro", True),
                          ("net_moves_into_metro_per_year", False), ("to_ssw1_per_year", False))


def mobility_table(store: Path, stamped: str) -> str:
    """The arms of ``tenseki report``'s summary.csv and differences.csv for the mobility x stay
    grid: each arm's mean [95% CI] and, for the outcomes marked, its paired difference from the
    reference arm at the same long-stay level."""
    import pandas as pd

    from sim.summary import METRICS

    report = store / "report"
    summary, differences = pd.read_csv(report / "summary.csv"), pd.read_csv(report / "differences.csv")

    header = ["arm"]
    for metric, with_difference in MOBILITY_TABLE_METRICS:
        m = METRICS[metric]
        header.append(f"{m.label} ({m.unit})")
        if with_difference:
            header.append("− reference")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for arm in summary["arm"].drop_duplicates():
        row = [arm]
        for metric, with_difference in MOBILITY_TABLE_METRICS:
            k = METRICS[metric].decimals  # summary.csv and differences.csv hold values in the unit shown
            s = summary[(summary.arm == arm) & (summary.metric == metric)].iloc[0]
            row.append(_with_ci(s["mean"], s.ci95_low, s.ci95_high, k))
            if with_difference:
                d = differences[(differences.arm == arm) & (differences.metric == metric)]
                row.append("" if d.empty else _with_ci(d.iloc[0].mean_difference, d.iloc[0].ci95_low, d.iloc[0].ci95_high, k))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + f"\n\nMeans over the replications with 95% CI; − reference: the paired difference from the reference arm (same seeds); * mean over the last 12 months of the run ({stamped})."


#: Assumptions shown per outcome in a sensitivity ranking (the rest are in indices.csv).
RANKING_TOP = 5


def sensitivity_ranking(store: Path, stamped: str) -> str:
    """Morris mu* (95% CI), mu and sigma of the ``RANKING_TOP`` most influential assumptions for
    each outcome, from ``tenseki sensitivity``'s OUT/sensitivity/indices.csv."""
    import pandas as pd

    from sim.report import _num
    from sim.summary import METRICS

    indices = pd.read_csv(store / "sensitivity" / "indices.csv")
    lines = ["| outcome (target) | assumption | mu* [95% CI] | mu | sigma |", "|---|---|---|---|---|"]
    for (target, metric), g in indices.groupby(["target", "metric"], sort=False):
        wide = g.pivot_table(index="parameter", columns="index", values="value", sort=False)
        low = g[g["index"] == "mu_star"].set_index("parameter")
        k = METRICS[metric].decimals if metric in METRICS else 2
        unit = f"{g.label.iloc[0]} ({g.unit.iloc[0]}; {target})"
        for rank, (parameter, row) in enumerate(wide.sort_values("mu_star", ascending=False).head(RANKING_TOP).iterrows()):
            mu_star = _with_ci(row.mu_star, low.ci95_low[parameter], low.ci95_high[parameter], k)
            lines.append(f"| {unit if rank == 0 else ''} | `{parameter}` | {mu_star} | {_num(row.mu, k)} | {_num(row.sigma, k)} |")
    return "\n".join(lines) + (f"\n\nThe {RANKING_TOP} assumptions with the largest mu* for each outcome (all of them: "
                               f"indices.csv of the run; {stamped}).")


def job_calibration(work: Path) -> dict[str, str]:
    """scripts/calibrate.py (the hazards, no diagnostics) against the shipped values."""
    command = "python scripts/calibrate.py --workers 2 --no-diagnostics"
    fit_file = work / "calibration.json"
    resumed = (work / "calibrate").is_dir() and any((work / "calibrate").iterdir())
    args = [sys.executable, "scripts/calibrate.py", "--workers", "2", "--no-diagnostics", "--out", str(work / "calibrate"),
            "--json", str(fit_file)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if not fit_file.exists():
        raise SystemExit(f"make_docs: {command} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    fit = json.loads(fit_file.read_text())
    shipped = shipped_calibrated()
    lines = ["| parameter | shipped (world.toml) | found by the script | found / shipped | loss at x0.75 / found / x1.25 |",
             "|---|---|---|---|---|"]
    for key in CALIBRATED:
        lo, hi = fit["loss_at_0.75_and_1.25"][key]
        lines.append(f"| `{key.split('.', 1)[1]}` | {shipped[key]:.6g} | {fit['fitted'][key]:.6g} | "
                     f"{fit['fitted'][key] / shipped[key]:.2f} | {lo:.4f} / {fit['loss']:.4f} / {hi:.4f} |")
    stop = (f"Nelder-Mead converged after {fit['nelder_mead_evaluations']} evaluations (simplex within {fit['xatol']} in "
            f"every log value, losses within {fit['fatol']})" if fit["converged"] else
            f"**Nelder-Mead did not converge**: it stopped at its cap of {fit['maxfev']} evaluations, so the values "
            "found are the best point seen, not a fit")
    lines += ["", f"Loss {fit['shipped_loss']:.4f} at the shipped values, {fit['grid_best_loss']:.4f} at the best grid "
              f"point, **{fit['loss']:.4f}** at the values found (RMS log error {fit['loss'] ** 0.5:.3f}). {stop}. "
              f"The run took {wall:.0f} s of wall time, {cpu:.0f} s of CPU time"
              + (" (resumed: evaluations already in its store were reused, so not the time of a whole calibration)"
                 if resumed else "") + f" ({stamp('calibration', command)})."]
    return {"calibration": "\n".join(lines)}


def job_validation_figure(work: Path) -> dict[str, str]:
    command = "tenseki validate --seeds 10 --workers 2"
    out = work / "validate"
    t = timed(tenseki("validate", "--seeds", "10", "--workers", "2", "--out", str(out)), ROOT)
    shutil.copyfile(out / "validation.png", ROOT / "docs/validation.png")
    printed = "\n".join(line.rstrip() for line in t.stdout.strip().splitlines()).replace(str(out), "results/validate")
    return {"validation_figure": f"the figure is `validation.png` of `{command}`, {_seconds(t)}; {stamp('validation_figure', command)}",
            "validation_output": f"```\n{printed}\n```\n\n({stamp('validation_figure', command)})"}


@dataclass(frozen=True)
class Job:
    make: Callable[[Path], dict[str, str]]
    blocks: tuple[str, ...]
    groups: tuple[str, ...]


#: Expensive jobs: what each rewrites, and the groups (--expensive GROUP) it belongs to.
JOBS = {
    "small_run": Job(job_small_run, ("timing_small_run",), ("timings",)),
    "compare": Job(job_compare, ("timing_compare", "compare_output"), ("timings", "results")),
    "full_scale": Job(job_full_scale, ("timing_full_scale",), ("timings",)),
    "mobility_x_stay": Job(_experiment_job("mobility_x_stay", "sweep", "mxs", "report/differences.png",
                                           "docs/experiments_mobility_x_stay.png", mobility_table),
                           ("timing_mobility_x_stay", "mobility_x_stay_table"), ("timings", "results")),
    "sensitivity_behaviour": Job(_experiment_job("sensitivity_behaviour", "sensitivity", "sens", "sensitivity/indices.png",
                                                 "docs/experiments_sensitivity.png", sensitivity_ranking),
                                 ("timing_sensitivity_behaviour", "sensitivity_behaviour_table"), ("timings", "results")),
    "sensitivity_settlement": Job(_experiment_job("sensitivity_settlement", "sensitivity", "senset", "sensitivity/indices.png",
                                                  "docs/experiments_sensitivity_settlement.png", sensitivity_ranking),
                                  ("timing_sensitivity_settlement", "sensitivity_settlement_table"), ("timings", "results")),
    "calibration": Job(job_calibration, ("calibration",), ("results",)),
    "validation_figure": Job(job_validation_figure, ("validation_figure", "validation_output"), ("results",)),
}

#: Cheap blocks: name -> generator.
CHEAP: dict[str, Callable[[], str]] = {
    "compare_default": block_compare_default,
    "scenarios_table": block_scenarios_table,
    "memory_example": block_memory_example,
    "shipped_calibrated": block_shipped_calibrated,
    "shipped_base_monthly": block_shipped_base_monthly,
    "dashboard_commit": block_dashboard_commit,
}
EXPENSIVE = {block: name for name, job in JOBS.items() for block in job.blocks}


# =============================================================================================
# Reading and rewriting the documents
# =============================================================================================
def blocks_in(text: str) -> list[str]:
    return [m.group("name") for m in BLOCK.finditer(text)]


def replaced(text: str, new: dict[str, str]) -> str:
    """The text with each block named in ``new`` holding the new body (inline stays inline)."""
    def one(m: re.Match) -> str:
        name, body = m.group("name"), m.group("body")
        if name not in new:
            return m.group(0)
        inner = new[name].strip("\n")
        inner = f"\n{inner}\n" if body.startswith("\n") else inner
        return f"<!-- make_docs:{name} -->{inner}<!-- /make_docs:{name} -->"

    return BLOCK.sub(one, text)


def documents(root: Path = ROOT) -> dict[str, str]:
    return {d: (root / d).read_text(encoding="utf-8") for d in DOCUMENTS if (root / d).is_file()}


def drifted(docs: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """The documents whose blocks differ from ``new``, with their text as it should be."""
    return {doc: after for doc, text in docs.items() if (after := replaced(text, new)) != text}


def structure_problems(docs: dict[str, str]) -> list[str]:
    """Unknown blocks, blocks no document has, unclosed markers, expensive blocks without a stamp."""
    problems, seen = [], set()
    for doc, text in docs.items():
        opened = re.findall(r"<!-- make_docs:([\w-]+) -->", text)
        names = blocks_in(text)
        problems += [f"{doc}: block {n!r} is opened but not closed" for n in opened if n not in names]
        for m in BLOCK.finditer(text):
            name = m.group("name")
            seen.add(name)
            if name not in CHEAP and name not in EXPENSIVE:
                problems.append(f"{doc}: unknown block {name!r} (known: {', '.join(sorted([*CHEAP, *EXPENSIVE]))})")
            elif name in EXPENSIVE and m.group("body").strip().startswith(PENDING):
                continue  # reported by pending_blocks
            elif name in EXPENSIVE and not STAMP.search(m.group("body")):
                problems.append(f"{doc}: expensive block {name!r} carries no stamp (measured DATE on N cores (CPU)): "
                                f"run python scripts/make_docs.py --expensive {EXPENSIVE[name]}")
    problems += [f"block {n!r} is in no document" for n in sorted({*CHEAP, *EXPENSIVE} - seen)]
    return problems


def pending_blocks(docs: dict[str, str]) -> set[str]:
    """Expensive blocks that say they are not measured yet."""
    return {m.group("name") for text in docs.values() for m in BLOCK.finditer(text)
            if m.group("name") in EXPENSIVE and m.group("body").strip().startswith(PENDING)}


def pending_problems(docs: dict[str, str], allowed: list[str]) -> list[str]:
    pending = pending_blocks(docs)
    return ([f"expensive block {n!r} is pending: run python scripts/make_docs.py --expensive {EXPENSIVE[n]}"
             for n in sorted(pending - set(allowed))]
            + [f"--allow-pending {n}: the block is measured now (or unknown): drop it" for n in sorted(set(allowed) - pending)])


def cheap_texts(skipped: list[str]) -> dict[str, str]:
    out = {}
    for name, make in CHEAP.items():
        try:
            out[name] = make()
        except SkipBlock as why:
            skipped.append(f"{name}: {why}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 and show what differs")
    ap.add_argument("--cheap", action="store_true", help="the cheap blocks only (the default)")
    ap.add_argument("--expensive", nargs="+", metavar="JOB", default=[],
                    help=f"re-measure these jobs or groups: {', '.join(JOBS)}; timings, results, all")
    ap.add_argument("--list", action="store_true", help="list the blocks")
    ap.add_argument("--allow-pending", nargs="+", default=[], metavar="BLOCK",
                    help="expensive blocks known not to be measured yet (their text starts with PENDING:)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the runs of expensive jobs in this folder")
    ap.add_argument("--docs-root", type=Path, default=ROOT, help="read and write the documents under this folder "
                    "(default: the repository; tests check a copy)")
    args = ap.parse_args(argv)

    if args.list:
        for name in CHEAP:
            print(f"{name:32s} cheap")
        for name, job in JOBS.items():
            print(f"{', '.join(job.blocks):32s} expensive: --expensive {name} (groups: {', '.join(job.groups)})")
        return 0
    groups = {g for job in JOBS.values() for g in job.groups} | {"all"}
    unknown = [j for j in args.expensive if j not in JOBS and j not in groups]
    if unknown:
        print(f"error: --expensive {unknown[0]!r}: not a job or group; allowed: {', '.join([*JOBS, *sorted(groups)])}",
              file=sys.stderr)
        return 2
    if args.check and args.expensive:
        print("error: --check checks the cheap blocks and the stamps of the expensive ones; it runs no job", file=sys.stderr)
        return 2

    skipped: list[str] = []
    new = cheap_texts(skipped)
    if args.expensive:
        jobs = [n for n, job in JOBS.items() if n in args.expensive or "all" in args.expensive
                or set(job.groups) & set(args.expensive)]
        with tempfile.TemporaryDirectory(prefix="make_docs-") as tmp:
            work = args.keep or Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            for name in jobs:
                print(f"make_docs: {name} ...", file=sys.stderr, flush=True)
                t0 = time.perf_counter()
                new.update(JOBS[name].make(work))
                print(f"make_docs: {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    docs = documents(args.docs_root)  # read after the jobs: the documents may have been edited while they ran
    problems = structure_problems(docs) + pending_problems(docs, args.allow_pending)
    changed = drifted(docs, new)
    for line in skipped:
        print(f"make_docs: skipped {line}", file=sys.stderr)
    if args.check:
        for doc, after in changed.items():
            sys.stdout.writelines(difflib.unified_diff(docs[doc].splitlines(True), after.splitlines(True),
                                                       f"{doc} (committed)", f"{doc} (from the code now)"))
        for p in problems:
            print(f"make_docs: {p}")
        if changed or problems:
            print(f"make_docs: the docs have drifted from the code ({len(changed)} documents, {len(problems)} problems): "
                  "run python scripts/make_docs.py and commit", file=sys.stderr)
            return DRIFTED
        return 0
    for doc, after in changed.items():
        (args.docs_root / doc).write_text(after, encoding="utf-8")
        print(f"make_docs: rewrote {doc}", file=sys.stderr)
    problems = structure_problems({**docs, **changed}) + pending_problems({**docs, **changed}, args.allow_pending)
    for p in problems:
        print(f"make_docs: {p}", file=sys.stderr)
    return DRIFTED if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
