"""The ``tenseki`` command line: run one policy scenario, or compare several on the same seeds.

    tenseki scenarios                                # the shipped scenarios, by name
    tenseki run esd --seed 7 --out esd.parquet       # a shipped scenario by name, or a file
    tenseki compare                                  # the four shipped policies, 3 seeds each
    tenseki compare a.toml b.toml --seeds 10 --workers 2 --out results/ab

A problem with the input (a scenario file that does not validate, a missing file, an output
with the wrong extension, a run setting out of range, a run too large for this machine's
memory) prints one clear message in red on stderr and exits with code 2, without a traceback.
A file that cannot be written (a full disk, no permission) prints one line naming it and
exits with code 1, leaving no partial file. Ctrl-C exits with code 130 and one line; ``compare``
keeps every run that finished and picks up from there when run again with the same settings.
The entry point is ``sim.__main__.main`` (it catches a Ctrl-C during these imports too), which
calls ``run_app``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import sim
from sim.runner import by_group_path, run_scenario, run_tables, write_atomic, write_table
from sim.scenario import Scenario, ScenarioError, check_memory, load_scenario, shipped_descriptions, shipped_scenario_dir

#: ``tenseki compare`` without arguments: the status quo against the reform from today
#: (``esd_transition``), the reform as if it had always applied, and the two benchmarks.
COMPARE_DEFAULT = ("titp", "esd_transition", "esd", "free_mobility", "restricted")
from sim.summary import LAST_12_NOTE, METRICS, headline, summarise

app = typer.Typer(
    name="tenseki",
    help=(
        "tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW) "
        "and of what letting trainees change employer (tenseki) does to disappearances, wages "
        "and rural employers.\n\n"
        "A scenario is a TOML file: the world, behaviour and policy of one run, or the name of a "
        "shipped one ('tenseki scenarios' lists them). "
        "'tenseki run' runs one scenario and writes its monthly table; 'tenseki compare' runs "
        "several on the same seeds and shows their headline outcomes side by side."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

out_console = Console()
if not out_console.is_terminal:  # a file or pipe: wide enough that the tables do not wrap
    out_console = Console(width=max(out_console.width, 160))
err_console = Console(stderr=True)


# Click's base of usage errors (an unknown option, a missing argument), whether typer vendors
# click (typer >= 0.20) or depends on it.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class UsageProblem(Exception):
    """A problem with the user's input: reported in red, exit code 2."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(Text(f"error: {message}", style="red"), soft_wrap=True)
    return typer.Exit(code)


def _cannot_write(exc: OSError, fallback: Path | None) -> typer.Exit:
    """One line for a file that could not be written (a full disk, no permission), exit code 1."""
    return _fail(f"{exc.filename or fallback}: cannot write: {exc.strerror or exc}", code=1)


_interrupt_reported = False


def _report_interrupt_line(text: str) -> None:
    """A command's own message on Ctrl-C (``run_app`` then adds nothing)."""
    global _interrupt_reported
    _interrupt_reported = True
    err_console.print(Text(text, style="yellow"), soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"tenseki {sim.__version__}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """tenseki: an agent-based model of Japan's foreign-trainee labour market."""


def run_app(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments); return the exit code.

    Whatever a command leaves uncaught ends here as one line, never a traceback: bad input
    (``ScenarioError``) exits 2, a file that cannot be written exits 1, Ctrl-C exits 130.
    """
    try:
        code = app(args=argv, prog_name="tenseki", standalone_mode=False)
    except _ClickException as exc:  # usage: an unknown option, a missing argument
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
        return exc.exit_code
    except typer.Abort:
        code = 130
    except ScenarioError as exc:
        _fail(str(exc))
        return 2
    except OSError as exc:
        _cannot_write(exc, None)
        return 1
    code = code if isinstance(code, int) else 0
    if code == 130 and not _interrupt_reported:
        from sim.__main__ import interrupted

        return interrupted()
    return code


def _with_run(scenario: Scenario, source: Path, months: int | None, scale: float | None) -> Scenario:
    """The scenario with --months/--scale applied; a value out of range is a ``UsageProblem``."""
    try:
        return scenario.with_run(months=months, scale=scale)
    except ScenarioError as exc:  # "scenario 'x': key 'run.months' = 0: ..." -> "--months 0: ..."
        message = re.sub(r"scenario '[^']*': key 'run\.(\w+)' = ", r"--\1 ", str(exc))
        raise UsageProblem(f"{source}: {message}" if not message.startswith("--") else message) from None


class _CtrlC:
    """Ctrl-C that cannot be lost.

    Python turns SIGINT into a KeyboardInterrupt wherever the main thread is, and C code that
    probes attributes (numpy does, on enum members) can swallow it. So the handler also sets a
    flag, and ``check()`` (called after every simulated month and every run) raises again.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> _CtrlC:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            # After a Ctrl-C the program is on its way out: a second one must not break the
            # clean-up (stopping workers) into a traceback.
            signal.signal(signal.SIGINT, signal.SIG_IGN if self.requested else self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:  # a second Ctrl-C while the first is being handled
            return
        self.requested = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def _groupings(by: str | None, out: Path | None) -> tuple[str, ...]:
    """The groupings named by ``--by`` (checked: known names, each once, with ``--out``)."""
    if by is None:
        return ()
    from sim.outputs import GROUPINGS

    names = tuple(name.strip() for name in by.split(","))
    unknown = [name for name in names if name not in GROUPINGS]
    if unknown or not names:
        raise UsageProblem(f"--by {by!r}: {', '.join(map(repr, unknown)) or 'nothing'} is not a grouping; allowed: {', '.join(GROUPINGS)}")
    if len(set(names)) != len(names):
        raise UsageProblem(f"--by {by!r}: a grouping is named twice")
    if out is None:
        raise UsageProblem("--by needs --out: the tables by group are written beside the monthly table")
    return names


def _check_table_path(path: Path) -> None:
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise UsageProblem(f"{path}: the output must end in .parquet or .csv")
    if path.is_dir():
        raise UsageProblem(f"{path}: is a folder; give a file name ending in .parquet or .csv")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


MAX_SEEDS = 10_000  # runs per scenario; plausible maximum (a confidence interval needs tens, not millions)
MAX_WORKERS = 1_024  # processes at once; plausible maximum for one machine

_HELP = {
    "scenario": "Scenario file, e.g. my_policy.toml, or a shipped scenario by name, e.g. esd (see: tenseki scenarios).",
    "scenarios": "Scenario files or shipped names (default: titp, esd_transition, esd, free_mobility, restricted).",
    "seed": "Seed of the run: the same seed gives the same table.",
    "seeds": "Runs per scenario, with seeds 1..SEEDS (the same seeds for every scenario).",
    "months": "Months to simulate (default: the scenario's run.months).",
    "months_each": "Months to simulate (default: each scenario's run.months).",
    "scale": "Agents per real person and firm, 0 < scale <= 1 (default: the scenario's run.scale).",
    "scale_each": "Agents per real person and firm, 0 < scale <= 1 (default: each scenario's run.scale).",
    "out_table": "Write the monthly table here: .parquet or .csv.",
    "by": "Also write month x group tables beside --out, for these groupings (comma-separated: prefecture, field, origin).",
    "out_dir": "Folder for summary.csv, monthly.parquet, compare.png and runs/.",
    "workers": "Runs at a time, in separate processes; results do not depend on it.",
}


# =============================================================================================
# tenseki run
# =============================================================================================
@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help=_HELP["scenario"], show_default=False)],
    seed: Annotated[int, typer.Option(min=0, help=_HELP["seed"])] = 1,
    months: Annotated[int | None, typer.Option(help=_HELP["months"], show_default=False)] = None,
    scale: Annotated[float | None, typer.Option(help=_HELP["scale"], show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(help=_HELP["out_table"], show_default=False)] = None,
    by: Annotated[str | None, typer.Option(metavar="GROUPS", help=_HELP["by"], show_default=False)] = None,
) -> None:
    """Run one scenario and print its headline outcomes.

    Simulates the scenario month by month from its initial state (month 0) and prints the
    headline outcomes (disappearances, job changes, wages, vacancies filled, ...; see
    sim/summary.py). With --out, also writes the monthly table, one row per month, columns as
    in docs/outputs.md; with --by, the tables by prefecture, field or origin beside it
    (esd.parquet -> esd.by_prefecture.parquet).
    """
    try:
        if out is not None:
            _check_table_path(out)
        groupings = _groupings(by, out)
        loaded = load_scenario(scenario)
        effective = _with_run(loaded, scenario, months, scale)
        check_memory(effective, source=str(scenario))
    except (ScenarioError, UsageProblem) as exc:
        raise _fail(str(exc)) from None

    total = effective.run.months
    done = 0

    def advance(month: int) -> None:
        nonlocal done
        done = month
        bar.update(task, completed=month)
        ctrl_c.check()

    started = time.perf_counter()
    try:
        with _CtrlC() as ctrl_c:
            with _progress(err_console) as bar:
                task = bar.add_task(f"{effective.name}, seed {seed}", total=total)
                tables = run_tables(effective, seed, by=groupings, progress=advance)
            table = tables["national"]
            seconds = time.perf_counter() - started
            if out is not None:  # each write is atomic: a file appears whole or not at all
                for grouping in groupings:
                    write_table(tables[grouping], by_group_path(out, grouping))
                write_table(table, out)
            ctrl_c.check()
    except KeyboardInterrupt:
        if out is not None and done == total and out.exists():
            note = f"the table was written to {out}"
        else:
            note = "nothing was written" if out is not None else "no table was to be written"
        _report_interrupt_line(f"Interrupted at month {done} of {total}; {note}.")
        raise typer.Exit(130) from None
    except OSError as exc:
        raise _cannot_write(exc, out) from None

    run_ = effective.run
    title = f"{effective.name}, seed {seed}: {total} months from {run_.start_year}-{run_.start_month:02d}, scale {run_.scale:g}"
    grid = Table(title=title, title_justify="left", caption=LAST_12_NOTE, caption_justify="left", header_style="bold")
    grid.add_column("Outcome")
    grid.add_column("Value", justify="right")
    grid.add_column("Unit")
    for key, value in headline(table).items():
        m = METRICS[key]
        grid.add_row(m.label, m.format(value), m.unit)
    out_console.print(grid)
    where = f"; table written to {out}" if out is not None else " (use --out FILE to keep the monthly table)"
    if groupings:
        where += ", by group to " + ", ".join(str(by_group_path(out, g)) for g in groupings)
    out_console.print(f"Ran in {seconds:.1f} s{where}.", soft_wrap=True)


# =============================================================================================
# tenseki validate
# =============================================================================================
@app.command()
def validate(
    seeds: Annotated[int, typer.Option(min=1, max=MAX_SEEDS, help="Runs of the historical scenario, seeds 1..SEEDS.")] = 5,
    scale: Annotated[float, typer.Option(min=0.0001, max=1.0, help="Agents per real person and firm.")] = 0.01,
    out: Annotated[Path, typer.Option(help="Folder for validation.csv, validation_summary.csv and validation.png.")] = Path(
        "results/validate"
    ),
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help=_HELP["workers"])] = 1,
) -> None:
    """Compare the model with official statistics, 2017-2024 (scenarios/history_2017.toml).

    Runs the historical scenario (TITP from the end-2016 stock, official yearly intakes, the
    2020-21 border closure, SSW from April 2019) over several seeds and prints, for each year,
    model against official: TITP stock, SSW stock, disappearances (count and ISA-style rate)
    and the mean TITP wage where data exist, with relative errors; 2017-2022 were used for
    calibration, 2023-2024 are out of sample. See docs/validation.md.
    """
    from sim import validation

    if out.exists() and not out.is_dir():
        raise _fail(f"{out}: is a file; give a folder for the validation outputs")
    started = time.perf_counter()
    try:
        with _CtrlC() as ctrl_c:
            with _progress(err_console) as bar:
                task = bar.add_task("history_2017", total=seeds)

                def advance(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)
                    ctrl_c.check()

                comparison = validation.validate(seeds=seeds, scale=scale, out_dir=out, workers=workers, progress=advance)
    except KeyboardInterrupt:
        _report_interrupt_line("Interrupted; no validation table was written.")
        raise typer.Exit(130) from None
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    out_console.print(validation.format_table(comparison), soft_wrap=True, markup=False, highlight=False)
    out_console.print(
        f"Ran {seeds} seed(s) at scale {scale:g} in {time.perf_counter() - started:.1f} s. "
        f"Wrote {out / 'validation.csv'}, {out / 'validation_summary.csv'}, {out / 'validation.png'}.",
        soft_wrap=True,
    )


# =============================================================================================
# tenseki compare
# =============================================================================================
@dataclass(frozen=True)
class _Job:
    index: int  # scenario's position on the command line
    name: str
    seed: int
    path: Path  # where the finished run's table is (or will be) kept


def _code_fingerprint() -> str:
    """A hash of the model's code and data: cached runs made by other code are not reused."""
    root = Path(sim.__file__).resolve().parent
    h = hashlib.sha256(sim.__version__.encode())
    skip = {"cli.py", "summary.py"}  # they do not change a run
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".csv") and p.name not in skip]
    for p in sorted(files):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _settings_key(scenario: Scenario, code: str) -> str:
    """A short hash of everything that decides a run but its seed: the merged scenario (base
    files included), months, scale, and the model's code."""
    payload = json.dumps({"scenario": scenario.model_dump(mode="json"), "code": code}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "scenario"


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (used on Ctrl-C: a running run is lost, finished ones are on disk)."""
    stop = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if stop is not None:
        stop()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


@app.command()
def compare(
    scenarios: Annotated[
        list[Path] | None, typer.Argument(metavar="SCENARIO", help=_HELP["scenarios"], show_default=False)
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, max=MAX_SEEDS, help=_HELP["seeds"])] = 3,
    months: Annotated[int | None, typer.Option(help=_HELP["months_each"], show_default=False)] = None,
    scale: Annotated[float | None, typer.Option(help=_HELP["scale_each"], show_default=False)] = None,
    out: Annotated[Path, typer.Option(help=_HELP["out_dir"])] = Path("results/compare"),
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help=_HELP["workers"])] = 1,
) -> None:
    """Run several scenarios on the same seeds and compare their headline outcomes.

    Each scenario runs with seeds 1..SEEDS. The same seed gives every scenario the same world
    and the same luck (common random numbers), so differences come from the policies. Prints a
    table of headline outcomes (mean ± 95% confidence interval over seeds) and writes to OUT:

    - **summary.csv**: scenario, metric, mean, sd, ci95, n_seeds (metrics: sim/summary.py);
    - **monthly.parquet**: every run's monthly table, with scenario and seed columns;
    - **compare.png**: the main monthly series, one line per scenario (band: min-max over seeds);
    - **runs/**: each finished run, kept as soon as it finishes.

    Interrupted or crashed? Run the same command again: finished runs in OUT/runs are reused
    when the scenario (base files included), --months, --scale and the model's code are unchanged.
    """
    try:
        if out.exists() and not out.is_dir():
            raise UsageProblem(f"{out}: exists and is not a folder")
        paths = list(scenarios) if scenarios else [shipped_scenario_dir() / f"{n}.toml" for n in COMPARE_DEFAULT]
        loaded = [_with_run(load_scenario(p), p, months, scale) for p in paths]
        names = [s.name for s in loaded]
        for name in dict.fromkeys(names):
            if names.count(name) > 1:
                same = ", ".join(str(p) for p, n in zip(paths, names, strict=True) if n == name)
                raise UsageProblem(f"two scenarios have the same name {name!r} ({same}); give each a different 'name'")
        for scenario, source in zip(loaded, paths, strict=True):  # runs at once: one per worker
            check_memory(scenario, runs_at_once=min(workers, len(loaded) * seeds), source=str(source))
    except (ScenarioError, UsageProblem) as exc:
        raise _fail(str(exc)) from None

    runs_dir = out / "runs"
    code = _code_fingerprint()
    jobs: list[_Job] = []
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        for i, (scenario, source) in enumerate(zip(loaded, paths, strict=True)):
            key = _settings_key(scenario, code)
            stem = f"{_safe(scenario.name)}_{key}"
            sidecar = runs_dir / f"{stem}.json"
            if not sidecar.exists():
                info = {
                    "scenario": scenario.name, "file": str(source), "months": scenario.run.months,
                    "scale": scenario.run.scale, "settings_key": key, "code_fingerprint": code,
                    "tenseki_version": sim.__version__,
                }
                write_atomic(sidecar, lambda tmp: tmp.write_text(json.dumps(info, indent=2) + "\n"))
            for seed in range(1, seeds + 1):
                jobs.append(_Job(i, scenario.name, seed, runs_dir / f"{_safe(scenario.name)}_seed{seed}_{key}.parquet"))
    except OSError as exc:
        raise _cannot_write(exc, out) from None

    cached = [j for j in jobs if j.path.exists()]
    todo = [j for j in jobs if not j.path.exists()]
    settings = ", ".join(sorted({f"{s.run.months} months, scale {s.run.scale:g}" for s in loaded}))
    err_console.print(
        f"Comparing {len(loaded)} scenarios x {seeds} seeds ({settings}) with {workers} worker(s); "
        f"{len(cached)} of {len(jobs)} runs already in {runs_dir}.",
        soft_wrap=True,
    )

    started = time.perf_counter()
    finished: list[_Job] = list(cached)
    try:
        with _CtrlC() as ctrl_c:
            pool = None
            if workers > 1 and todo:
                pool, pending = _start_pool(todo, loaded, workers)  # before the progress bar's thread
            try:
                with _progress(err_console) as bar:
                    task = bar.add_task("runs", total=len(jobs), completed=len(cached))
                    if pool is None:
                        for job in todo:
                            bar.update(task, description=f"{job.name}, seed {job.seed}")
                            table = run_scenario(loaded[job.index], job.seed, progress=lambda _month: ctrl_c.check())
                            write_table(table, job.path)
                            finished.append(job)
                            bar.advance(task)
                            ctrl_c.check()
                    else:
                        _collect(pool, pending, bar, task, finished, ctrl_c)
            except BaseException:
                if pool is not None:
                    _terminate(pool)
                raise
            seconds = time.perf_counter() - started

            tables = [pd.read_parquet(j.path) for j in sorted(jobs, key=lambda j: (j.index, j.seed))]
            summary = summarise(tables)
            write_table(summary, out / "summary.csv")
            write_table(pd.concat(tables, ignore_index=True), out / "monthly.parquet")
            _plot(tables, names, out / "compare.png")
            ctrl_c.check()
    except KeyboardInterrupt:
        _report_interrupt(finished, jobs, runs_dir)
        raise typer.Exit(130) from None
    except OSError as exc:
        raise _cannot_write(exc, out) from None

    _print_summary(summary, names, seeds, settings)
    out_console.print(
        f"{len(todo)} new run(s) in {seconds:.1f} s, {len(cached)} reused. "
        f"Wrote {out / 'summary.csv'}, {out / 'monthly.parquet'}, {out / 'compare.png'}.",
        soft_wrap=True,
    )


def _start_pool(todo: list[_Job], scenarios: list[Scenario], workers: int) -> tuple[ProcessPoolExecutor, dict[Future, _Job]]:
    """Worker processes with every job submitted; call before any other thread starts.

    On Linux workers are forked (instant; no other thread exists yet, so none can hold a lock
    the children inherit); elsewhere they are spawned. Either way they start with Ctrl-C
    ignored: the main process decides what happens on Ctrl-C (see ``_terminate``).
    """
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=multiprocessing.get_context(method))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the workers
    try:
        pending = {pool.submit(run_scenario, scenarios[j.index], j.seed): j for j in todo}
    finally:
        signal.signal(signal.SIGINT, previous)
    return pool, pending


def _collect(
    pool: ProcessPoolExecutor, pending: dict[Future, _Job], bar: Progress, task, finished: list[_Job], ctrl_c: _CtrlC
) -> None:
    """Keep each run's table on disk as soon as it arrives (the caller stops the pool on errors)."""
    while pending:
        done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        ctrl_c.check()
        for fut in sorted(done, key=lambda f: (pending[f].index, pending[f].seed)):
            job = pending.pop(fut)
            write_table(fut.result(), job.path)
            finished.append(job)
            bar.update(task, description=f"{job.name}, seed {job.seed}")
            bar.advance(task)
    pool.shutdown(wait=True)


def _report_interrupt(finished: list[_Job], jobs: list[_Job], runs_dir: Path) -> None:
    lines = [f"Interrupted: {len(finished)} of {len(jobs)} runs finished and are kept in {runs_dir}/"]
    by_name: dict[str, list[int]] = {}
    for j in sorted(finished, key=lambda j: (j.index, j.seed)):
        by_name.setdefault(j.name, []).append(j.seed)
    for name, done in by_name.items():
        lines.append(f"  {name}: seeds {', '.join(map(str, done))}")
    if len(finished) == len(jobs):
        lines.append("The summary files may be missing or old: run the same command again to write them (no run is repeated).")
    else:
        lines.append("Run the same command again to finish the rest (finished runs are reused).")
    _report_interrupt_line("\n".join(lines))


def _print_summary(summary: pd.DataFrame, names: list[str], seeds: int, settings: str) -> None:
    ci = "mean ± 95% CI" if seeds > 1 else "one seed, no confidence interval"
    grid = Table(
        title=f"Headline outcomes ({ci} over {seeds} seed(s); {settings})",
        title_justify="left",
        caption=LAST_12_NOTE,
        caption_justify="left",
        header_style="bold",
    )
    grid.add_column("Outcome")
    grid.add_column("Unit")
    for name in names:
        grid.add_column(name, justify="right")
    cell = {(r.scenario, r.metric): r for r in summary.itertuples(index=False)}
    for key, m in METRICS.items():
        row = [m.label, m.unit]
        for name in names:
            r = cell[(name, key)]
            text = m.format(r.mean)
            if r.n_seeds > 1 and math.isfinite(r.mean):
                text += f" ± {m.format(r.ci95)}"
            row.append(text)
        grid.add_row(*row)
    out_console.print(grid)


# ---------------------------------------------------------------------------------------------
# The figure
# ---------------------------------------------------------------------------------------------
def _legal_stock(t: pd.DataFrame) -> pd.Series:
    return (t["stock_total"] - t["stock_irregular"]) / 1000.0


def _smoothed(column: str):
    def series(t: pd.DataFrame) -> pd.Series:
        return t[column].where(t["month"] >= 1).rolling(12, min_periods=1).mean()

    return series


_PANELS = (
    ("Legal residents (thousand people)", _legal_stock),
    ("Disappearances (people a month, 12-month mean)", _smoothed("disappearances")),
    ("Voluntary job changes (people a month, 12-month mean)", _smoothed("transfers_voluntary")),
    ("Mean monthly wage (thousand yen)", lambda t: t["wage_mean_yen"] / 1000.0),
    ("Vacancies filled, non-metro prefectures (%)", lambda t: t["vacancy_fill_nonmetro"] * 100.0),
    ("Share still in broker debt (%)", lambda t: t["share_in_debt"] * 100.0),
)


def _plot(tables: list[pd.DataFrame], names: list[str], path: Path) -> None:
    """A 2 x 3 grid of the main monthly series: mean over seeds, band from min to max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), sharex=True, constrained_layout=True)
    colours = plt.get_cmap("tab10").colors
    for k, name in enumerate(names):
        runs = [t.sort_values("month") for t in tables if t["scenario"].iloc[0] == name]
        for ax, (_title, series) in zip(axes.flat, _PANELS, strict=True):
            frame = pd.concat([series(t).set_axis(t["month"].to_numpy()) for t in runs], axis=1)
            colour = colours[k % len(colours)]
            ax.fill_between(frame.index, frame.min(axis=1), frame.max(axis=1), color=colour, alpha=0.15, linewidth=0)
            ax.plot(frame.index, frame.mean(axis=1), color=colour, linewidth=1.8, label=name)
    thousands = matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:,.0f}" if abs(y) >= 1000 else f"{y:g}")
    last = max(int(t["month"].max()) for t in tables)
    step = next(s for s in (1, 3, 6, 12, 24, 60, 120, 240) if last / s <= 12)
    for ax, (title, _) in zip(axes.flat, _PANELS, strict=True):
        ax.set_title(title, fontsize=11)
        ax.yaxis.set_major_formatter(thousands)
        ax.grid(True, alpha=0.3)
        ax.set_xticks(range(0, last + 1, step))
    for ax in axes[1]:
        ax.set_xlabel("Months since start")
    n_seeds = len(tables) // max(len(names), 1)
    fig.suptitle(f"tenseki: scenarios compared (line: mean of {n_seeds} seed(s); band: min-max over seeds)", fontsize=13)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(names), frameon=False, fontsize=11)
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    finally:
        plt.close(fig)


# =============================================================================================
# tenseki scenarios
# =============================================================================================
@app.command("scenarios")
def list_scenarios() -> None:
    """List the shipped scenarios: name, description and file.

    Give a name to 'tenseki run' or 'tenseki compare' (e.g. 'tenseki run esd'), or build on one
    in your own file, in any folder, with base = "esd". world is the shared world the others
    build on; it has no policy of its own.
    """
    grid = Table(title="Shipped scenarios", title_justify="left", header_style="bold")
    grid.add_column("Name")
    grid.add_column("Description")
    for name, description, _path in shipped_descriptions():
        grid.add_row(name, description)
    out_console.print(grid)
    out_console.print(f"Files in {shipped_scenario_dir()}", soft_wrap=True, highlight=False)


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve the page on.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 serves this computer only.")] = "127.0.0.1",
) -> None:
    """Open the students' dashboard: presets, policy levers, Play, charts, a map of Japan, a network view and a comparison of two policies.

    Serves dashboards/app.py with Solara (the same as `solara run dashboards/app.py`), with no
    internet needed. Stop it with Ctrl-C.
    """
    import importlib.util
    import ipaddress
    import os

    spec = importlib.util.find_spec("dashboards.app") if importlib.util.find_spec("solara") else None
    if spec is None or spec.origin is None:
        raise _fail("the dashboard needs its extra packages: pip install -e \".[dashboard]\"")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    out_console.print(f"tenseki dashboard: http://{host}:{port}  (Ctrl-C to stop)", soft_wrap=True, highlight=False)
    if not loopback:
        err_console.print(Text(f"warning: --host {host} lets other computers open the page, and it has no login: "
                               "anyone who can reach this address can use it.", style="yellow"), soft_wrap=True)
    command = [sys.executable, "-m", "solara", "run", spec.origin, "--host", host, "--port", str(port), "--production", "--no-open"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # the server takes this process's place (and PID): Ctrl-C or a kill stops it


if __name__ == "__main__":  # python -m sim.cli
    sys.exit(run_app())
