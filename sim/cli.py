"""The ``tenseki`` command line: it parses and prints; the work is in ``sim.experiments``.

    tenseki scenarios                                # the shipped scenarios, by name
    tenseki run esd --seed 7 --out esd.parquet       # a shipped scenario by name, or a file
    tenseki compare                                  # the four shipped policies, 3 seeds each
    tenseki compare a.toml b.toml --seeds 10 --workers 2 --out results/ab
    tenseki decompose titp esd_transition --seeds 3   # B − A split by policy component (Shapley)
    tenseki sweep scenarios/experiments/mobility_x_stay.toml --out results/mxs --workers 2
    tenseki report results/mxs
    tenseki sensitivity scenarios/experiments/sensitivity_behaviour.toml --out results/sens
    tenseki validate --seeds 5

A problem with the input (a scenario or experiment file that does not validate, a missing
file, an output with the wrong extension, a run setting out of range, a run too large for
this machine's memory, a store another sweep is writing) prints one clear message in red on
stderr and exits with code 2, without a traceback. A file that cannot be written (a full
disk, no permission) prints one line naming it and exits with code 1, leaving no partial
file. Ctrl-C exits with code 130 and one line; ``compare``, ``sweep``, ``sensitivity`` and
``validate`` keep every run that finished and pick up from there when run again with the
same settings. The entry point is ``sim.__main__.main`` (it catches a Ctrl-C during these
imports too), which calls ``run_app``.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import sim
from sim import _interrupt
from sim.renamed_keys import RenamedKeyWarning
from sim.runner import by_group_path, run_tables, write_table
from sim.scenario import Scenario, ScenarioError, check_memory, load_scenario, shipped_descriptions, shipped_scenario_dir
from sim.seeds import MAX_SEED
from sim.summary import LAST_12_NOTE, METRICS, headline

#: ``tenseki compare`` without arguments: the status quo against the reform from today
#: (``esd_transition``), the reform as if it had always applied, and the two benchmarks.
COMPARE_DEFAULT = ("titp", "esd_transition", "esd", "free_mobility", "restricted")

app = typer.Typer(
    name="tenseki",
    help=(
        "tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW) "
        "and of what letting trainees change employer (tenseki) does to disappearances, wages "
        "and rural employers.\n\n"
        "A scenario is a TOML file: the world, behaviour and policy of one run, or the name of a "
        "shipped one ('tenseki scenarios' lists them). "
        "'tenseki run' runs one scenario and writes its monthly table; 'tenseki compare' runs "
        "several on the same seeds and shows their headline outcomes side by side. An experiment "
        "file (scenarios/experiments/) describes a batch: 'tenseki sweep' runs it (locally or on "
        "a Dask cluster), 'tenseki report' summarises it, 'tenseki sensitivity' screens its "
        "parameters (docs/experiments.md)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

#: Control characters (C0 but tab and newline, DEL, C1), among them ESC, which starts a terminal
#: escape sequence: shown as ``\x1b`` and the like, never sent to the terminal raw.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """``text`` as it may reach a terminal: its control characters as visible escapes."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class _PlainConsole(Console):
    """A console for text that may hold user input (scenario names, keys, values, paths): no
    markup, emoji or highlighting is read from it, and its control characters are shown as
    escapes (``shown``). Every string a command prints passes ``render_str``; styles are given
    as ``Text(..., style=...)`` or ``style=``, never as markup in the text."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(shown(text), **kwargs)


def _text(text: str, style: str) -> Text:
    """A styled line of text that may hold user input (see ``_PlainConsole``)."""
    return Text(shown(text), style=style)


out_console = _PlainConsole()
if not out_console.is_terminal:  # a file or pipe: 80 columns unless COLUMNS says otherwise
    out_console = _PlainConsole(width=int(os.environ.get("COLUMNS", "80")) if os.environ.get("COLUMNS", "").isdigit() else 80)
err_console = _PlainConsole(stderr=True)


# Click's base of usage errors (an unknown option, a missing argument), whether typer vendors
# click (typer >= 0.20) or depends on it.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class UsageProblem(Exception):
    """A problem with the user's input: reported in red, exit code 2."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(_text(f"error: {message}", style="red"), soft_wrap=True)
    return typer.Exit(code)


def _cannot_write(exc: OSError, fallback: Path | None) -> typer.Exit:
    """One line for a file that could not be written (a full disk, no permission), exit code 1."""
    return _fail(f"{exc.filename or fallback}: cannot write: {exc.strerror or exc}", code=1)


_interrupt_reported = False


def _report_interrupt_line(text: str) -> None:
    """A command's own message on Ctrl-C (``run_app`` then adds nothing)."""
    global _interrupt_reported
    _interrupt_reported = True
    err_console.print(_text(text, style="yellow"), soft_wrap=True)


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


def _warnings_for_users(show_others: Any) -> Any:
    """A ``warnings.showwarning`` that shows a warning meant for the user (an old scenario key,
    ``RenamedKeyWarning``; a sample too small for its method, ``SmallSampleWarning``) as one line, ``warning: FILE: ...``, without Python's file and source
    line; others go to ``show_others`` as before."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 (the warnings module's signature)
        from sim.experiments.design import SmallSampleWarning

        if issubclass(category, (RenamedKeyWarning, SmallSampleWarning)):
            print(f"warning: {message}", file=sys.stderr if file is None else file)
        else:
            show_others(message, category, filename, lineno, file, line)

    return show


def run_app(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments); return the exit code.

    Whatever a command leaves uncaught ends here as one line, never a traceback: bad input
    (``ScenarioError``) exits 2, a file that cannot be written exits 1, Ctrl-C exits 130.
    """
    try:
        with warnings.catch_warnings():  # put back as found: tests call this in-process
            warnings.showwarning = _warnings_for_users(warnings.showwarning)
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
    probes attributes (numpy does, on enum members) can swallow it. So the handler
    (``sim._interrupt.on_ctrl_c``) also records it, and ``check()`` (called after every simulated
    month and every run) raises again.

    A Ctrl-C that lands in a C callback (numba compiling a kernel on a machine whose cache is
    still cold calls back into Python from LLVM) is "ignored" by Python, which prints it with a
    traceback, and the C code then fails in its own way. So while guarding, an unraisable
    KeyboardInterrupt is dropped silently, and any error that follows a requested Ctrl-C is the
    Ctrl-C's consequence: it leaves as a KeyboardInterrupt, handled like any other.
    """

    def __init__(self) -> None:
        self._previous = None  # the handler to put back, if this guard installed one
        self._guarding = False
        self._previous_unraisable = None

    @property
    def requested(self) -> bool:
        """Has a Ctrl-C been asked for? The process's one record of it (``sim._interrupt``)."""
        return _interrupt.requested

    def __enter__(self) -> _CtrlC:
        # The recording handler: the entry point's (with a Ctrl-C it recorded before this guard:
        # check() raises it), or installed here (in-process use). Not when SIGINT is ignored or
        # handled by someone else: then only an unraisable Ctrl-C is recorded.
        current = signal.getsignal(signal.SIGINT)
        if current is signal.default_int_handler:
            self._previous = _interrupt.install()
        elif current is not _interrupt.on_ctrl_c:
            _interrupt.requested = False
        self._guarding = signal.getsignal(signal.SIGINT) is _interrupt.on_ctrl_c
        self._previous_unraisable = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        sys.unraisablehook = self._previous_unraisable
        if self._guarding:
            # After a Ctrl-C the program is on its way out: a second one must not break the
            # clean-up (stopping workers) into a traceback.
            if self.requested:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            elif self._previous is not None:
                signal.signal(signal.SIGINT, self._previous)
        if self.requested and exc_type is not None and not issubclass(exc_type, KeyboardInterrupt):
            raise KeyboardInterrupt from None

    def _unraisable(self, unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _interrupt.requested = True  # check() raises it again where Python can
            return
        self._previous_unraisable(unraisable)

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
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _path(text: str | Path) -> Path:
    """A file or folder named on the command line; an empty name is refused (``Path("")`` would
    silently mean the current folder, and a sweep would write its store there). Defaults and
    values typer has converted already arrive as ``Path``."""
    if isinstance(text, Path):
        return text
    if not text.strip():
        raise typer.BadParameter("an empty path; give a file or folder name")
    return Path(text)


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
    "out_dir": "Folder of the runs (runs/, manifest.jsonl) and the report (report/).",
    "workers": "Worker processes (a Dask LocalCluster; 1: in this process); results do not depend on it.",
    "scheduler": "Address of a running Dask scheduler (tcp://host:8786) to run on instead of a local cluster.",
    "experiment": "Experiment file, e.g. scenarios/experiments/mobility_x_stay.toml.",
    "months_small": "Months to simulate instead of the file's (a quick run: the experiment's name gets .monthsN, "
                    "so a store of the full experiment refuses it).",
    "scale_small": "Agents per real person and firm instead of the file's, 0 < scale <= 1 (the name gets .scaleS).",
    "store": "Folder of a sweep (its --out).",
    "yes": "Run a design past the size limits (10,000 runs, 8 hours or 5 GB estimated) without asking.",
}
_Yes = Annotated[bool, typer.Option("--yes", help=_HELP["yes"])]


# =============================================================================================
# tenseki run
# =============================================================================================
@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(parser=_path, metavar="SCENARIO", help=_HELP["scenario"], show_default=False)],
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help=_HELP["seed"])] = 1,
    months: Annotated[int | None, typer.Option(help=_HELP["months"], show_default=False)] = None,
    scale: Annotated[float | None, typer.Option(help=_HELP["scale"], show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(parser=_path, help=_HELP["out_table"], show_default=False)] = None,
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
        raise _fail_with(exc) from None

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
    except ScenarioError as exc:  # a checkpoint that cannot be used (run.start_from: sim.checkpoint)
        raise _fail_with(exc) from None
    except OSError as exc:
        raise _cannot_write(exc, out) from None

    run_ = effective.run
    title = f"{effective.name}, seed {seed}: {total} months from {run_.start}, scale {run_.scale:g}"
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
# The engine, with a progress bar (compare, validate, sweep, sensitivity)
# =============================================================================================
def _engine_sweep(experiment, out: Path, workers: int = 1, scheduler: str | None = None, what: str = "runs"):
    """Run ``experiment`` into the store ``out`` through ``sim.experiments.sweep``, showing its
    progress (runs done / total, failures, time left: a bar on a terminal, lines in a log,
    ``_ProgressLines``) and what the store held. Ctrl-C stops the workers and exits 130; every
    recorded run is kept."""
    from sim.experiments import sweep

    def on_start(total: int, todo: int, faults, notes) -> None:
        for note in notes:
            err_console.print(_text(f"note: {note}", style="yellow"), soft_wrap=True)
        if faults:
            lines = [f"{len(faults)} stored run(s) are not reused and will be run again:"]
            lines += [f"  {f.run_id}: {f.reason}" for f in faults[:10]]
            if len(faults) > 10:
                lines.append(f"  ... and {len(faults) - 10} more")
            err_console.print(_text("\n".join(lines), style="yellow"), soft_wrap=True)
        where = f"the cluster at {scheduler}" if scheduler else (
            f"{min(workers, max(todo, 1))} worker process(es)" if workers > 1 else "this process")
        err_console.print(f"{total - todo} of {total} {what} already in {out} (verified); {todo} to run on {where}.",
                          soft_wrap=True)
        meter.start(total, todo)

    with _CtrlC() as ctrl_c:
        with (_BarProgress(what) if err_console.is_terminal else _ProgressLines(what, err_console)) as meter:

            def progress(done: int, total: int, run_id: str | None) -> None:
                meter.update(done, total, run_id)
                ctrl_c.check()

            return sweep(experiment, out, workers=workers, scheduler=scheduler, progress=progress, on_start=on_start,
                         on_failed=meter.failed)


#: Without a terminal (a log file, a pipe, a batch job), a sweep prints a progress line each time
#: another tenth of its runs is done, and at least every PROGRESS_SECONDS while runs go on.
PROGRESS_LINES = 10
PROGRESS_SECONDS = 30.0


def _duration(seconds: float) -> str:
    """A duration as a log reads it: 42 s, 3 min 05 s, 2 h 07 min."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


class _ProgressLines:
    """A sweep's progress as lines for a log: "[12:04:31] runs: 12 of 48 done, 1 failed;
    3 min 05 s elapsed, about 9 min 15 s to go". A line when another tenth of the runs to do
    is done, and from a timer thread every ``every_seconds`` while none is (a run can take
    minutes), and one at the end. The estimate is the time per run so far times the runs left."""

    def __init__(self, what: str, console: Console, every_seconds: float = PROGRESS_SECONDS) -> None:
        self.what, self.console, self.every_seconds = what, console, every_seconds
        self.done = self.total = self.todo = self.failures = 0
        self.ran = 0  # runs finished by this sweep (reused ones are not in the estimate)
        self._first_done = 0
        self._started = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self._last_line = 0.0
        self._step = self._next_done = 1

    def __enter__(self) -> _ProgressLines:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        if exc_type is None and self.todo:
            self._line()

    def start(self, total: int, todo: int) -> None:
        self.total, self.todo, self.done = total, todo, total - todo
        self._first_done = self.done
        self._started = self._last_line = time.perf_counter()
        self._step = max(1, math.ceil(todo / PROGRESS_LINES))
        self._next_done = self.done + self._step
        if todo:
            self._timer = threading.Thread(target=self._beat, name="tenseki-progress", daemon=True)
            self._timer.start()

    def update(self, done: int, total: int, run_id: str | None) -> None:
        self.done, self.total = done, total
        self.ran = done - self._first_done
        if self.todo and done >= self._next_done and done < total:
            self._next_done = done + self._step
            self._line()

    def failed(self, run_id: str, error: str) -> None:
        self.failures += 1

    def _beat(self) -> None:
        while not self._stop.wait(self.every_seconds / 4):
            if time.perf_counter() - self._last_line >= self.every_seconds:
                self._line()

    def _line(self) -> None:
        with self._lock:
            now = time.perf_counter()
            self._last_line = now
            elapsed = now - self._started
            left = self.total - self.done
            if not left:
                eta = "finished"
            elif self.ran:
                eta = f"about {_duration(elapsed / self.ran * left)} to go"
            else:
                eta = "time to go known after the first run"
            failed = f", {self.failures} failed" if self.failures else ""
            self.console.print(f"[{time.strftime('%H:%M:%S')}] {self.what}: {self.done} of {self.total} done{failed}; "
                               f"{_duration(elapsed)} elapsed, {eta}", soft_wrap=True)


class _BarProgress:
    """A sweep's progress on a terminal: rich's bar (runs done / total, elapsed, time left), the
    last run finished and any failures in its description."""

    def __init__(self, what: str) -> None:
        self.what, self.failures = what, 0
        self.bar = _progress(err_console)
        self.task = None

    def __enter__(self) -> _BarProgress:
        self.bar.__enter__()
        self.task = self.bar.add_task(self.what, total=None)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            self.bar.stop()
        self.bar.__exit__(exc_type, exc, tb)

    def start(self, total: int, todo: int) -> None:
        self.bar.update(self.task, completed=total - todo, total=total)

    def update(self, done: int, total: int, run_id: str | None) -> None:
        failed = f" ({self.failures} failed)" if self.failures else ""
        self.bar.update(self.task, completed=done, total=total, description=f"{run_id or self.what}{failed}")

    def failed(self, run_id: str, error: str) -> None:
        self.failures += 1


def _announce_size(experiment, workers: int, yes: bool) -> None:
    """Print the design's size (runs, estimated time and disk) before anything runs; past a
    limit (``sim.experiments.estimate``) refuse to start without ``--yes``."""
    from sim.experiments.estimate import design_size

    size = design_size(experiment, workers)
    err_console.print(f"Design: {size.describe()}.", soft_wrap=True)
    reason = size.over_limit()
    if reason is not None and not yes:
        raise UsageProblem(f"the design is large ({reason}: {size.describe()}); nothing was run: "
                           "add --yes to run it, or make it smaller")


def _report_sweep(result, out: Path) -> None:
    """Print what a sweep did; failed runs are listed (they are retried by the next sweep)."""
    out_console.print(
        f"{result.ran} run(s) in {result.seconds:.1f} s, {result.reused} reused from {out}.", soft_wrap=True
    )
    if result.failed:
        lines = [f"{len(result.failed)} run(s) failed (recorded in {out / 'manifest.jsonl'}; "
                 "the same command runs them again):"]
        lines += [f"  {run_id}: {error}" for run_id, error in result.failed[:10]]
        err_console.print(_text("\n".join(lines), style="red"), soft_wrap=True)


def _interrupted(out: Path) -> typer.Exit:
    _report_interrupt_line(f"Interrupted: every finished run is kept in {out}; run the same command again to finish the rest.")
    return typer.Exit(130)


def _print_report(report, out: Path) -> None:
    from sim.report import format_report

    if report.problems:
        lines = [f"{len(report.problems)} run(s) of the experiment are not in the report:"]
        lines += [f"  {f.run_id}: {f.reason}" for f in report.problems[:10]]
        lines.append(f"Run the sweep again (same command, --out {out}) to redo them.")
        err_console.print(_text("\n".join(lines), style="yellow"), soft_wrap=True)
    if report.summary.empty:
        out_console.print("No finished run to report.")
        return
    desc = report.description
    out_console.print(f"Experiment {desc.get('name')}: {desc.get('months')} months, scale {desc.get('scale')}.", soft_wrap=True)
    out_console.print(format_report(report.summary, report.differences, width=min(out_console.width, 100)),
                      soft_wrap=True, markup=False, highlight=False)
    if report.files:
        folder = report.files[0].parent
        out_console.print(f"Wrote {folder}{os.sep}: {', '.join(f.name for f in report.files)}.")
    from sim.experiments import run_provenance

    out_console.print("\n".join(_provenance_lines(run_provenance(out), width=min(out_console.width, 100))),
                      soft_wrap=True)


def _provenance_lines(entries: list[dict[str, Any]], width: int) -> list[str]:
    """Where the runs of a report come from (``run_provenance``): code, libraries, command, machine;
    wrapped to ``width`` but for the command line, kept whole to be copied."""
    import textwrap

    wrap = functools.partial(textwrap.wrap, width=width, subsequent_indent="    ", break_on_hyphens=False)
    lines = []
    for entry in entries:
        origin, runs = entry["provenance"], f"{entry['runs']} run(s)"
        if origin is None:
            lines.append(f"Provenance of {runs}: not recorded (run before tenseki recorded it).")
            continue
        code = origin["code"]
        commit = (f"git {code['git_commit'][:12]}{' with uncommitted changes' if code.get('git_dirty') else ''}"
                  if code.get("git_commit") else "not from a git checkout")
        packages = origin["packages"]
        listed = ", ".join(f"{k} {v}" for k, v in packages.items() if k not in ("python", "tenseki"))
        host = origin["machine"]
        lines += wrap(f"Provenance of {runs}: tenseki {code['tenseki']} ({commit}; model code {code['model_fingerprint']})")
        lines.append(f"  command: {origin['command']}")
        lines += wrap(f"  machine: {host['hostname']} ({host['nproc']} processors), {host['platform']}, Python {host['python']}")
        lines += wrap(f"  packages: {listed}")
        if entry["hosts"] and entry["hosts"] != [host["hostname"]]:
            lines += wrap(f"  run on: {', '.join(entry['hosts'])}")
        if entry["versions"] not in (None, packages):
            lines += wrap("  workers' packages: " + ", ".join(f"{k} {v}" for k, v in entry["versions"].items()))
    return lines


def _user_errors():
    from sim.experiments import ExperimentError
    from sim.seeds import SeedError
    from sim.store import StoreError

    return (ScenarioError, UsageProblem, ExperimentError, StoreError, SeedError)


def _fail_with(exc: Exception) -> typer.Exit:
    """One line for a user error, with the exit code of its class: 1 for a place that cannot be
    written (an environment problem, as a table that cannot be written), 2 for bad input."""
    return _fail(str(exc), code=getattr(exc, "exit_code", 2))


# =============================================================================================
# tenseki validate
# =============================================================================================
@app.command()
def validate(
    seeds: Annotated[int, typer.Option(min=1, max=MAX_SEEDS, help="Runs of the historical scenario, seeds 1..SEEDS.")] = 5,
    scale: Annotated[float, typer.Option(min=0.0001, max=1.0, help="Agents per real person and firm.")] = 0.01,
    out: Annotated[Path, typer.Option(parser=_path, help="Folder for validation.csv, validation_summary.csv, validation.png and the runs.")] = Path(
        "results/validate"
    ),
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help=_HELP["workers"])] = 1,
    scheduler: Annotated[str | None, typer.Option(help=_HELP["scheduler"], show_default=False)] = None,
) -> None:
    """Compare the model with official statistics, 2017-2024 (scenarios/history_2017.toml).

    Runs the historical scenario (TITP from the end-2016 stock, official yearly intakes, the
    2020-21 border closure, SSW from April 2019) over several seeds and prints, for each year,
    model against official: TITP stock, SSW stock, disappearances (count and ISA-style rate)
    and the mean TITP wage where data exist, with relative errors; 2017-2022 were used for
    calibration, 2023-2024 are out of sample. See docs/validation.md. The runs are kept in
    OUT (reused when run again with the same settings).
    """
    from sim import validation

    started = time.perf_counter()
    try:
        if out.exists() and not out.is_dir():
            raise UsageProblem(f"{out}: is a file; give a folder for the validation outputs")
        experiment = validation.history_experiment(seeds, scale)
        result = _engine_sweep(experiment, out, workers, scheduler, what="history_2017 runs")
        if result.failed:
            _report_sweep(result, out)
            raise typer.Exit(1)
        comparison = validation.validate_store(out, seeds=seeds, scale=scale)
    except KeyboardInterrupt:
        raise _interrupted(out) from None
    except _user_errors() as exc:
        raise _fail_with(exc) from None
    out_console.print(validation.format_table(comparison), soft_wrap=True, markup=False, highlight=False)
    out_console.print(
        f"Ran {seeds} seed(s) at scale {scale:g} in {time.perf_counter() - started:.1f} s. "
        f"Wrote {out / 'validation.csv'}, {out / 'validation_summary.csv'}, {out / 'validation.png'} and .svg.",
        soft_wrap=True,
    )


@contextlib.contextmanager
def _store_command_errors(out: Path) -> Iterator[None]:
    """What a command writing the store ``out`` does on Ctrl-C (130), bad input (2) and a place
    it cannot write (1): one line each."""
    try:
        yield
    except KeyboardInterrupt:
        raise _interrupted(out) from None
    except _user_errors() as exc:
        raise _fail_with(exc) from None
    except OSError as exc:
        raise _cannot_write(exc, out) from None


# =============================================================================================
# tenseki compare
# =============================================================================================
@app.command()
def compare(
    scenarios: Annotated[
        list[Path] | None, typer.Argument(parser=_path, metavar="SCENARIO", help=_HELP["scenarios"], show_default=False)
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, max=MAX_SEEDS, help=_HELP["seeds"])] = 3,
    months: Annotated[int | None, typer.Option(help=_HELP["months_each"], show_default=False)] = None,
    scale: Annotated[float | None, typer.Option(help=_HELP["scale_each"], show_default=False)] = None,
    out: Annotated[Path, typer.Option(parser=_path, help=_HELP["out_dir"])] = Path("results/compare"),
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help=_HELP["workers"])] = 1,
    scheduler: Annotated[str | None, typer.Option(help=_HELP["scheduler"], show_default=False)] = None,
    yes: _Yes = False,
) -> None:
    """Run several scenarios on the same seeds and compare their headline outcomes.

    Each scenario runs with seeds 1..SEEDS. The same seed gives every scenario the same world
    and the same luck (common random numbers), so differences come from the policies. Prints,
    for each headline outcome, the mean and 95% confidence interval per scenario and the paired
    difference from the first scenario ("esd − titp: −3.0 [−3.6, −2.4]"), and writes the
    experiment's store and report to OUT (see 'tenseki report'): report/summary.csv,
    report/differences.csv, report/runs.csv and the figures report/over_time, differences
    (a forest plot of the paired differences) and final_year, as .png and .svg.

    Interrupted or crashed? Run the same command again: finished runs in OUT are reused when
    they verify (checksum) and the scenario (base files included), --months, --scale and the
    model's code are unchanged.
    """
    from sim.experiments import Experiment
    from sim.report import write_report

    with _store_command_errors(out):
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
        experiment = Experiment.from_scenarios("compare", loaded, seeds=list(range(1, seeds + 1)))
        settings = ", ".join(sorted({f"{s.run.months} months, scale {s.run.scale:g}" for s in loaded}))
        err_console.print(f"Comparing {len(loaded)} scenarios x {seeds} seeds ({settings}).", soft_wrap=True)
        _announce_size(experiment, workers, yes)
        result = _engine_sweep(experiment, out, workers, scheduler)
        report = write_report(out)
    _print_report(report, out)
    _report_sweep(result, out)
    if result.failed:
        raise typer.Exit(1)


# =============================================================================================
# tenseki decompose
# =============================================================================================
@app.command()
def decompose(
    a: Annotated[Path, typer.Argument(parser=_path, metavar="A", help="The scenario the difference starts from (a file or shipped name).", show_default=False)],
    b: Annotated[Path, typer.Argument(parser=_path, metavar="B", help="The scenario it goes to: the difference is B − A.", show_default=False)],
    components: Annotated[str, typer.Option(metavar="section|key|FILE.toml", help="How the differing settings are grouped: by section of the policy, one setting each, or the groups of a file ([components] name = [dotted settings]).")] = "section",
    seeds: Annotated[int, typer.Option(min=1, max=MAX_SEEDS, help=_HELP["seeds"])] = 3,
    months: Annotated[int | None, typer.Option(help=_HELP["months_each"], show_default=False)] = None,
    scale: Annotated[float | None, typer.Option(help=_HELP["scale_each"], show_default=False)] = None,
    out: Annotated[Path, typer.Option(parser=_path, help="Folder of the runs and of decomposition/ (contributions.csv, .parquet, contributions.png, .svg).")] = Path("results/decompose"),
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help=_HELP["workers"])] = 1,
    scheduler: Annotated[str | None, typer.Option(help=_HELP["scheduler"], show_default=False)] = None,
) -> None:
    """Split the difference B − A of each headline outcome into the contributions of the policy components.

    A component is a group of settings in which A and B differ (by default a section of the
    policy: transfer, stay, supervision, recruitment). Every one of the 2^k hybrids (A with some
    components taken from B) runs on seeds 1..SEEDS (common random numbers); at most 8
    components. Prints, per outcome and component, the Shapley contribution (the mean marginal
    contribution over every order of switching; they add up to B − A) with its 95% interval over
    seeds, and the one-at-a-time contributions (A plus the component alone; B without it). Runs are
    kept in OUT and reused (see 'tenseki compare'); OUT/decomposition/ holds the table and the figure.
    """
    from sim import decompose as dec_module

    with _store_command_errors(out):
        if out.exists() and not out.is_dir():
            raise UsageProblem(f"{out}: exists and is not a folder")
        first, second = (_with_run(load_scenario(p), p, months, scale) for p in (a, b))
        if first.name == second.name:
            raise UsageProblem(f"both scenarios are named {first.name!r} ({a}, {b}); give each a different 'name'")
        chosen = dec_module.choose_components(first, second, components)
        experiment = dec_module.experiment(first, second, chosen, list(range(1, seeds + 1)))
        for scenario, source in ((first, a), (second, b)):
            check_memory(scenario, runs_at_once=min(workers, len(experiment.scenarios) * seeds), source=str(source))
        err_console.print(f"Decomposing {second.name} − {first.name}: {len(chosen)} components "
                          f"({', '.join(c.name for c in chosen)}), {len(experiment.scenarios)} hybrids x {seeds} seeds "
                          f"({first.run.months} months, scale {first.run.scale:g}).", soft_wrap=True)
        result = _engine_sweep(experiment, out, workers, scheduler, what="hybrid runs")
        if result.failed:
            _report_sweep(result, out)
            raise typer.Exit(1)
        dec = dec_module.decompose_store(out, first, second, chosen, list(range(1, seeds + 1)))
    if out_console.is_terminal:
        out_console.print(dec_module.rich_tables(dec))
    else:
        out_console.print(dec_module.format_decomposition(dec, width=min(out_console.width, 100)),
                          soft_wrap=True, markup=False, highlight=False)
    _report_sweep(result, out)
    out_console.print(f"Wrote {out / 'decomposition'}{os.sep}: {', '.join(f.name for f in dec.files)}.", soft_wrap=True)


# =============================================================================================
# tenseki sweep / report / sensitivity
# =============================================================================================
_ExperimentArg = Annotated[Path, typer.Argument(parser=_path, metavar="EXPERIMENT.toml", help=_HELP["experiment"], show_default=False)]
_StoreOut = Annotated[Path, typer.Option(parser=_path, help=_HELP["out_dir"], show_default=False)]
_Workers = Annotated[int, typer.Option(min=1, help=_HELP["workers"])]
_Scheduler = Annotated[str | None, typer.Option(help=_HELP["scheduler"], show_default=False)]
_SmallMonths = Annotated[int | None, typer.Option(min=1, max=1200, help=_HELP["months_small"], show_default=False)]
_SmallScale = Annotated[float | None, typer.Option(help=_HELP["scale_small"], show_default=False)]


def _load_small(experiment: Path, months: int | None, scale: float | None):
    """The experiment file with --months/--scale applied (``load_experiment``: a smaller run
    is a differently named experiment)."""
    from sim.experiments import load_experiment

    if scale is not None and not 0 < scale <= 1:
        raise UsageProblem(f"--scale {scale:g}: give 0 < scale <= 1")
    return load_experiment(experiment, months=months, scale=scale)


@app.command("sweep")
def sweep_command(experiment: _ExperimentArg, out: _StoreOut, workers: _Workers = 2, scheduler: _Scheduler = None,
                  months: _SmallMonths = None, scale: _SmallScale = None,
                  yes: _Yes = False) -> None:
    """Run every run of an experiment file into a verified, resumable store.

    Runs execute on a Dask LocalCluster of --workers processes (1: in this process) or on the
    cluster at --scheduler. Each run's seed comes from the experiment's base_seed and its place
    in the design, so the tables do not depend on workers or order. OUT/runs/<run_id>.parquet
    holds each run's monthly table (its parameters as columns); OUT/manifest.jsonl records
    parameters, seed, status, error, checksum and library versions. Run the same command again
    after a crash, a Ctrl-C or a failed run: verified runs are reused, the rest (and any missing,
    damaged or edited file) are run again. Then: 'tenseki report OUT'. --months and --scale run
    the file small (a smoke test): its name gets .monthsN.scaleS, so it needs its own --out.
    Without a terminal (a log, a batch job) progress is printed as lines.
    """
    try:
        exp = _load_small(experiment, months, scale)
        spec = exp.spec
        design = (f"{len(exp.scenarios)} scenario(s) x {len(exp.points)} design point(s) x "
                  f"{len(exp.seeds)} replication(s); {exp.scenarios[0].run.months} months, scale {exp.scenarios[0].run.scale:g}")
        err_console.print(f"Experiment {spec.name}: {design}.", soft_wrap=True)
        _announce_size(exp, workers, yes)
        result = _engine_sweep(exp, out, workers, scheduler)
    except KeyboardInterrupt:
        raise _interrupted(out) from None
    except _user_errors() as exc:
        raise _fail_with(exc) from None
    except OSError as exc:
        raise _fail(f"{exc.filename or out}: cannot write: {exc.strerror or exc}", code=1) from None
    _report_sweep(result, out)
    if result.failed:
        raise typer.Exit(1)
    out_console.print(f"Next: tenseki report {out}", soft_wrap=True)


@app.command("report")
def report_command(
    store: Annotated[Path, typer.Argument(parser=_path, metavar="DIR", help=_HELP["store"], show_default=False)],
) -> None:
    """Summarise a sweep: mean, sd and 95% CI per arm, paired differences, figures.

    Reads the runs of DIR that verify against the manifest (a damaged or missing run is
    listed and left out, never read) and writes DIR/report/summary.csv (per scenario and design
    point: n, mean, sd, 95% CI of each outcome, with its unit), differences.csv (each arm minus
    the reference arm, run by run on the same seeds), runs.csv and the figures over_time,
    differences (forest plot) and final_year, each as .png and .svg.
    """
    from sim.report import write_report

    try:
        if not store.is_dir():
            raise UsageProblem(f"{store}: no such folder (give the --out of a sweep)")
        report = write_report(store)
    except _user_errors() as exc:
        raise _fail_with(exc) from None
    except OSError as exc:
        raise _fail(f"{exc.filename or store}: cannot write: {exc.strerror or exc}", code=1) from None
    _print_report(report, store)


@app.command("sensitivity")
def sensitivity_command(experiment: _ExperimentArg, out: _StoreOut, workers: _Workers = 2, scheduler: _Scheduler = None,
                        months: _SmallMonths = None, scale: _SmallScale = None,
                        yes: _Yes = False) -> None:
    """Morris screening or Sobol indices (SALib) of an experiment with a [sample].

    Sweeps the experiment like 'tenseki sweep' (resumable, same store), then computes, for each
    output and each scenario's paired difference from the reference scenario, Morris mu* and
    sigma or Sobol S1 and ST with 95% intervals. Writes OUT/sensitivity/indices.csv and
    OUT/sensitivity/indices.png. --months and --scale run it small, as for 'tenseki sweep'.
    """
    from sim import sensitivity
    from sim.experiments import ExperimentError

    try:
        exp = _load_small(experiment, months, scale)
        if exp.spec.sample is None or exp.spec.sample.method not in ("morris", "sobol"):
            raise ExperimentError(f"{experiment}: key 'sample.method': sensitivity needs a [sample] with method "
                                  "'morris' or 'sobol'")
        err_console.print(
            f"Experiment {exp.spec.name}: {exp.spec.sample.method} sample of {len(exp.points)} points over "
            f"{len(exp.spec.sample.ranges)} parameters x {len(exp.scenarios)} scenario(s) x {len(exp.seeds)} "
            f"replication(s).", soft_wrap=True)
        _announce_size(exp, workers, yes)
        result = _engine_sweep(exp, out, workers, scheduler)
        _report_sweep(result, out)
        if result.failed:
            raise typer.Exit(1)
        indices = sensitivity.analyse(out)
    except KeyboardInterrupt:
        raise _interrupted(out) from None
    except _user_errors() as exc:
        raise _fail_with(exc) from None
    out_console.print(sensitivity.format_indices(indices, width=min(out_console.width, 100)),
                      soft_wrap=True, markup=False, highlight=False)
    out_console.print(f"Wrote {out / 'sensitivity' / 'indices.csv'} and {out / 'sensitivity' / 'indices.png'}.",
                      soft_wrap=True)


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
    allow_host: Annotated[list[str] | None, typer.Option(
        help="A host name the page may be opened by besides this computer's (with --host other than 127.0.0.1); "
             "requests for any other Host or from another site's Origin are refused.", show_default=False)] = None,
) -> None:
    """Open the students' dashboard: presets, policy levers, Play, charts, a map of Japan, a network view and a comparison of two policies.

    Serves dashboards/app.py with Solara (as `solara run dashboards/app.py --production` does),
    with no internet needed; a request for another Host, or a websocket from another site's
    Origin, is refused (dashboards/serve.py). Stop it with Ctrl-C.
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
        err_console.print(_text(f"warning: --host {host} lets other computers open the page, and it has no login: "
                               "anyone who can reach this address can use it.", style="yellow"), soft_wrap=True)
    # Solara's server behind a check of every request's Host and Origin (dashboards/serve.py).
    command = [sys.executable, "-m", "dashboards.serve", "--host", host, "--port", str(port)]
    command += [arg for name in allow_host or () for arg in ("--allow-host", name)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # the server takes this process's place (and PID): Ctrl-C or a kill stops it


if __name__ == "__main__":  # python -m sim.cli
    sys.exit(run_app())
