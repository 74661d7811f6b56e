"""Batch experiments: many runs of the model, on a Dask cluster, into a verified store (docs/design.md §8).

An experiment names scenarios, a design over settings (a full-factorial ``grid`` or a
``sample``: Latin hypercube, Sobol or Morris), replications, months and scale, and the outputs to
summarise (docs/experiments.md shows the file format). Every run is one (scenario, design
point, replication); ``Experiment.runs()`` lists them in a fixed order.

Seeds. Replication ``k`` uses the seed ``SeedSequence(base_seed).spawn(replications)[k]``
(as a 63-bit integer), the same under every scenario and design point: common random numbers,
so that two policies are compared on the same worlds and the same luck and their paired
difference is sharp. A run's seed depends only on its position in the design, never on the
worker that ran it or when, so a sweep gives the same tables with 1 or 20 workers, in any order,
and after any number of interruptions. (``seeds = [1, 2, 3]`` gives the seeds explicitly, as
``tenseki compare --seeds 3`` and ``tenseki validate`` do.)

The engine. ``run_experiment`` runs what the store (``sim.store``) does not already hold
verified: in this process (``workers=1``), on a ``dask.distributed.LocalCluster`` of ``workers``
processes, or on the cluster of a given ``client``. Each finished run's tables come back to this
process as Parquet bytes and are written atomically with their checksum in the manifest, so the
workers need no shared disk. A run that fails is recorded with its error and the others go on.
``tenseki compare``, ``tenseki validate``, ``tenseki sweep``, ``tenseki sensitivity`` and
``scripts/calibrate.py`` all run through it.

Worker processes never outlive the command: a ``LocalCluster``'s workers are child processes
that watch their parent and exit when it dies, even by SIGKILL (tests/test_experiments.py kills
a sweep and checks).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import json
import logging
import re
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

import sim
from sim.scenario import Scenario, ScenarioError, load_scenario, shipped_scenario_dir
from sim.schema import Frozen, describe_errors
from sim.store import Fault, Store, StoreError, run_file
from sim.summary import METRICS

MetricName = Literal[tuple(METRICS)]  # type: ignore[valid-type]
GroupName = Literal["prefecture", "field", "origin"]

#: Progress callback: ``progress(runs_done, runs_total, run_id_just_finished_or_None)``.
Progress = Callable[[int, int, "str | None"], None]


class ExperimentError(Exception):
    """An experiment file (or object) that cannot be run; the message is for the user as it stands."""


# =============================================================================================
# The file format
# =============================================================================================
class SampleSpec(Frozen):
    """A sample of the design space: ``method`` over ``ranges`` (dotted key -> [low, high])."""

    method: Literal["latin_hypercube", "sobol", "morris"]
    n: Annotated[int, Field(ge=1, le=100_000)]  # LHS: points; Sobol: base N; Morris: trajectories
    levels: Annotated[int, Field(ge=2, le=100)] = 4  # Morris grid levels
    ranges: Annotated[dict[str, list[float]], Field(min_length=1)]


class ExperimentSpec(Frozen):
    """What an experiment file holds (validated like a scenario: unknown keys are errors)."""

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenarios: Annotated[list[str], Field(min_length=1)]
    replications: Annotated[int, Field(ge=1, le=100_000)] = 1
    base_seed: Annotated[int, Field(ge=0)] = 0
    seeds: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)] | None = None
    months: Annotated[int, Field(ge=1, le=1200)] | None = None
    scale: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    outputs: Annotated[list[MetricName], Field(min_length=1)] = list(METRICS)
    by: list[GroupName] = []
    reference: str | dict[str, str] | None = None
    changes: dict[str, Any] = {}
    grid: dict[str, list[Any] | dict[str, dict[str, Any]]] = {}
    sample: SampleSpec | None = None

    @model_validator(mode="after")
    def _one_design(self) -> ExperimentSpec:
        if self.grid and self.sample is not None:
            raise ValueError("give either a [grid] or a [sample], not both")
        if self.seeds is not None and len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds: each seed at most once")
        return self


# =============================================================================================
# The design
# =============================================================================================
@dataclass(frozen=True)
class Point:
    """One point of the design: its factor levels (for tables) and the settings they change."""

    index: int
    label: str
    factors: dict[str, Any]
    changes: dict[str, Any]


@dataclass(frozen=True)
class Run:
    """One run of an experiment: everything a worker needs, and nothing it must look up."""

    position: int
    run_id: str
    scenario_name: str
    scenario: Scenario  # the effective scenario (design point, months and scale applied)
    point: Point
    replication: int
    seed: int
    settings_hash: str
    by: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        """The run's parameters, as written into its tables' columns and the manifest."""
        return {
            "run_id": self.run_id,
            "scenario": self.scenario_name,
            "point": self.point.index,
            "point_label": self.point.label,
            **{k: _plain(v) for k, v in self.point.factors.items()},
            "replication": self.replication,
            "seed": self.seed,
        }


@dataclass
class Experiment:
    """A validated experiment: the spec, the scenarios it runs, and where it came from."""

    spec: ExperimentSpec
    scenarios: list[Scenario]
    source: str = "(experiment)"
    points: list[Point] = field(default_factory=list)
    sample_matrix: np.ndarray | None = None  # the SALib sample, rows in point order

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_scenarios(cls, name: str, scenarios: list[Scenario], **settings: Any) -> Experiment:
        """An experiment over scenario objects (``compare``, ``validate``, calibration)."""
        try:
            spec = ExperimentSpec.model_validate({"name": name, "scenarios": [s.name for s in scenarios], **settings})
        except ValidationError as exc:
            raise ExperimentError(describe_errors(exc, ExperimentSpec, {}, f"experiment {name!r}")) from None
        return cls._checked(spec, list(scenarios), f"experiment {name!r}")

    @classmethod
    def _checked(cls, spec: ExperimentSpec, scenarios: list[Scenario], source: str) -> Experiment:
        names = [s.name for s in scenarios]
        for name in dict.fromkeys(names):
            if names.count(name) > 1:
                raise ExperimentError(f"{source}: two scenarios are named {name!r}; give each a different 'name'")
        run_settings = {k: v for k, v in (("run.months", spec.months), ("run.scale", spec.scale)) if v is not None}
        common = {**spec.changes, **run_settings}
        _check_keys(common, source, "changes", names)
        bases = []
        for s in scenarios:
            try:
                mine = changes_for(s.name, common)
                bases.append(s.with_changes(mine) if mine else s)
            except ScenarioError as exc:
                raise ExperimentError(f"{source}: {_strip_scenario(exc)}") from None
        exp = cls(spec=spec, scenarios=bases, source=source)
        exp.points, exp.sample_matrix = _design(spec, source, bases)
        _check_reference(exp)
        return exp

    # -- the runs -----------------------------------------------------------------------------
    @property
    def seeds(self) -> list[int]:
        """The seed of each replication (see the module docstring)."""
        if self.spec.seeds is not None:
            return list(self.spec.seeds)
        children = np.random.SeedSequence(self.spec.base_seed).spawn(self.spec.replications)
        return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]

    def runs(self) -> list[Run]:
        """Every run, in design order: scenario, then design point, then replication."""
        code = code_fingerprint()
        seeds = self.seeds
        single = len(self.points) == 1
        out: list[Run] = []
        for scenario in self.scenarios:
            for point in self.points:
                mine = changes_for(scenario.name, point.changes)
                effective = scenario.with_changes(mine) if mine else scenario
                dump = json.dumps(effective.model_dump(mode="json"), sort_keys=True)
                for k, seed in enumerate(seeds):
                    stem = _safe(scenario.name) if single else f"{_safe(scenario.name)}-p{point.index:04d}"
                    settings = json.dumps({"scenario": dump, "seed": seed, "by": self.spec.by, "code": code})
                    out.append(Run(
                        position=len(out), run_id=f"{stem}-r{k:03d}", scenario_name=scenario.name,
                        scenario=effective, point=point, replication=k, seed=seed,
                        settings_hash=hashlib.sha256(settings.encode()).hexdigest(), by=tuple(self.spec.by),
                    ))
        return out

    @property
    def factor_names(self) -> list[str]:
        return list(self.points[0].factors) if self.points else []

    def describe(self, runs: list[Run] | None = None) -> dict[str, Any]:
        """What ``experiment.json`` records: the spec, the design points, the seeds, the runs."""
        return {
            "name": self.spec.name,
            "source": self.source,
            "spec": self.spec.model_dump(mode="json"),
            "scenarios": [s.name for s in self.scenarios],
            "factors": self.factor_names,
            "points": [{"index": p.index, "label": p.label, "factors": {k: _plain(v) for k, v in p.factors.items()},
                        "changes": {k: _plain(v) for k, v in p.changes.items()}} for p in self.points],
            "seeds": self.seeds,
            "reference": reference_of(self),
            "months": self.scenarios[0].run.months,
            "scale": self.scenarios[0].run.scale,
            "sample_matrix": None if self.sample_matrix is None else self.sample_matrix.tolist(),
            # The names of the matrix's columns, in its order: the JSON file sorts the keys of the
            # spec's ranges, so their order there is not the matrix's.
            "sample_names": None if self.sample_matrix is None else list(self.spec.sample.ranges),
            "runs": [{"run_id": r.run_id, "settings_hash": r.settings_hash} for r in (self.runs() if runs is None else runs)],
        }


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file (TOML).

    Scenarios are shipped names (``"titp"``) or files relative to the experiment file. Every
    design point is validated against every scenario before anything runs.

    Raises:
        ExperimentError: one line per problem, naming the file, the key, the value and what is
            allowed (the scenario files' own errors come through as they are).
    """
    path = Path(path)
    if not path.exists():
        raise ExperimentError(f"{path}: no such experiment file")
    if path.is_dir():
        raise ExperimentError(f"{path}: is a folder, not an experiment file (.toml)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExperimentError(f"{path}: cannot be read: {exc}") from None
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(describe_errors(exc, ExperimentSpec, {}, str(path))) from None
    scenarios = []
    for entry in spec.scenarios:
        file = path.parent / entry
        if not entry.endswith(".toml") and "/" not in entry:
            file = shipped_scenario_dir() / f"{entry}.toml"
            if not file.exists():
                raise ExperimentError(f"{path}: key 'scenarios' = {entry!r}: no shipped scenario of that name "
                                      "(give a shipped name or a .toml file relative to the experiment)")
        try:
            scenarios.append(load_scenario(file))
        except ScenarioError as exc:
            raise ExperimentError(f"{path}: key 'scenarios' = {entry!r}:\n{exc}") from None
    return Experiment._checked(spec, scenarios, str(path))


# ---------------------------------------------------------------------------------------------
# Design construction and checks
# ---------------------------------------------------------------------------------------------
_TOP_TABLES = ("run", "world", "behaviour", "policy", "name", "description")
#: Columns of every run's table besides the factors: a factor may not be named like them.
_RESERVED = frozenset({"run_id", "scenario", "point", "point_label", "replication", "seed", "arm", "month", "group"})


def changes_for(scenario: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes that apply to ``scenario``: plain dotted keys, and keys written
    ``"<scenario>:dotted.key"`` (a setting changed in that scenario only)."""
    out = {}
    for key, value in changes.items():
        name, sep, dotted = key.rpartition(":")
        if not sep:
            out[key] = value
        elif name == scenario:
            out[dotted] = value
    return out


def _check_keys(changes: dict[str, Any], source: str, where: str, scenarios: list[str] | None = None) -> None:
    for key in changes:
        name, sep, dotted = key.rpartition(":")
        if sep and scenarios is not None and name not in scenarios:
            raise ExperimentError(f"{source}: key '{where}.{key}': {name!r} is not a scenario of the experiment "
                                  f"(allowed before ':': {', '.join(scenarios)})")
        if "." not in (dotted if sep else key):
            hint = ' (TOML reads an unquoted dotted key as nested tables: write "policy.transfer.regime" in quotes)'
            raise ExperimentError(f"{source}: key '{where}.{key}': not a dotted setting such as 'policy.transfer.regime'{hint}")


def _strip_scenario(exc: ScenarioError) -> str:
    return re.sub(r"^scenario '[^']*': ", "", str(exc), flags=re.M)


def _validate_changes(bases: list[Scenario], changes: dict[str, Any], source: str, where: str) -> None:
    _check_keys(changes, source, where.split(" ")[0], [s.name for s in bases])
    for s in bases:
        try:
            s.with_changes(changes_for(s.name, changes))
        except ScenarioError as exc:
            raise ExperimentError(f"{source}: {where}, scenario {s.name!r}: {_strip_scenario(exc)}") from None


def _design(spec: ExperimentSpec, source: str, bases: list[Scenario]) -> tuple[list[Point], np.ndarray | None]:
    if spec.sample is not None:
        return _sample_points(spec.sample, spec.base_seed, source, bases)
    if not spec.grid:
        return [Point(0, "", {}, {})], None
    factors: list[tuple[str, list[tuple[str, Any, dict[str, Any]]]]] = []
    for name, levels in spec.grid.items():
        if name in _RESERVED:
            raise ExperimentError(f"{source}: key 'grid.{name}': the name of a column every run has; "
                                  "name the factor differently")
        if isinstance(levels, list):  # one setting and its values
            _check_keys({name: None}, source, "grid")
            if not levels:
                raise ExperimentError(f"{source}: key 'grid.{name}' = []: give at least one value")
            opts = [(_plain(v), v, {name: v}) for v in levels]
        else:  # named levels, each a set of settings
            if name in _TOP_TABLES:
                raise ExperimentError(
                    f"{source}: key 'grid.{name}': looks like an unquoted dotted key; write it in quotes, "
                    f'e.g. "policy.transfer.regime" = ["unavoidable_only", "free"]'
                )
            if not levels:
                raise ExperimentError(f"{source}: key 'grid.{name}' = {{}}: give at least one level")
            opts = []
            for level, changes in levels.items():
                _check_keys(changes, source, f"grid.{name}.{level}")
                opts.append((level, level, changes))
        for label, _value, changes in opts:
            _validate_changes(bases, changes, source, f"grid.{name} = {label!r}")
        factors.append((name, opts))
    points = []
    for i, combo in enumerate(itertools.product(*(opts for _, opts in factors))):
        changes: dict[str, Any] = {}
        for _label, _value, ch in combo:
            changes.update(ch)
        levels = {name: value for (name, _), (_label, value, _ch) in zip(factors, combo, strict=True)}
        label = " / ".join(str(label) for label, _v, _c in combo)
        points.append(Point(i, label, levels, changes))
    for p in points:
        _validate_changes(bases, p.changes, source, f"grid point {p.label!r}")
    return points, None


def salib_problem(sample: SampleSpec) -> dict[str, Any]:
    """The SALib problem dict of a sample (names are the dotted keys)."""
    return {"num_vars": len(sample.ranges), "names": list(sample.ranges), "bounds": [list(b) for b in sample.ranges.values()]}


def _sample_points(sample: SampleSpec, base_seed: int, source: str, bases: list[Scenario]) -> tuple[list[Point], np.ndarray]:
    _check_keys(sample.ranges, source, "sample.ranges")
    integer = {}
    for key, bounds in sample.ranges.items():
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ExperimentError(f"{source}: key 'sample.ranges.{key}' = {bounds!r}: give [low, high] with low < high")
        current = [_get(s, k) for s in bases for k in changes_for(s.name, {key: None})]
        # A whole-number setting is sampled as numbers and rounded (points and bounds alike).
        integer[key] = all(isinstance(c, int) and not isinstance(c, bool) for c in current)
        for b in bounds:
            _validate_changes(bases, {key: int(round(b)) if integer[key] else b}, source, f"sample.ranges.{key} bound {b!r}")
    problem = salib_problem(sample)
    seed = int(np.random.SeedSequence(base_seed).generate_state(1)[0])  # the sample's own seed, from base_seed
    if sample.method == "latin_hypercube":
        from SALib.sample import latin

        matrix = latin.sample(problem, sample.n, seed=seed)
    elif sample.method == "sobol":
        from SALib.sample import sobol

        if sample.n & (sample.n - 1):
            raise ExperimentError(f"{source}: key 'sample.n' = {sample.n}: Sobol needs a power of 2 (e.g. 16, 32, 64)")
        matrix = sobol.sample(problem, sample.n, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        matrix = morris.sample(problem, sample.n, num_levels=sample.levels, seed=seed)
    points = []
    for i, row in enumerate(matrix):
        changes = {k: (int(round(v)) if integer[k] else float(v)) for k, v in zip(problem["names"], row, strict=True)}
        points.append(Point(i, f"p{i:04d}", dict(changes), changes))
    return points, matrix


def _get(scenario: Scenario, dotted: str) -> Any:
    value: Any = scenario.model_dump()
    for part in dotted.split("."):
        value = value[part]
    return value


def reference_of(exp: Experiment) -> dict[str, Any] | None:
    """The reference arm's levels ({"scenario": name} and/or factor levels), or None."""
    ref = exp.spec.reference
    if ref is None:
        if len(exp.scenarios) > 1:
            return {"scenario": exp.scenarios[0].name}
        if exp.spec.grid:
            return {n: _plain(v) for n, v in exp.points[0].factors.items()}
        return None
    if isinstance(ref, str):
        return {"scenario": ref}
    return dict(ref)


def _check_reference(exp: Experiment) -> None:
    ref = reference_of(exp)
    if ref is None or exp.spec.reference is None:
        return
    allowed = {"scenario": [s.name for s in exp.scenarios]}
    if exp.spec.grid:
        for name in exp.factor_names:
            allowed[name] = list(dict.fromkeys(str(p.factors[name]) for p in exp.points))
    for key, level in ref.items():
        if key not in allowed:
            raise ExperimentError(f"{exp.source}: key 'reference.{key}': not a scenario or grid factor; "
                                  f"allowed: {', '.join(allowed)}")
        if str(level) not in allowed[key]:
            raise ExperimentError(f"{exp.source}: key 'reference.{key}' = {level!r}: allowed: "
                                  f"{', '.join(map(repr, allowed[key]))}")


def _plain(value: Any) -> Any:
    """A value as a table column can hold it (lists and tables as JSON text)."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True)
    return value


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "scenario"


# =============================================================================================
# One run (on a worker)
# =============================================================================================
@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the model's code and data: a stored run made by other code is not reused
    (computed once a process)."""
    root = Path(sim.__file__).resolve().parent
    h = hashlib.sha256(sim.__version__.encode())
    skip = {"cli.py", "summary.py", "experiments.py", "store.py", "report.py", "sensitivity.py"}  # do not change a run
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".csv") and p.name not in skip]
    for p in sorted(files):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    return tuple(_find_versions().items())


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on (recorded with every run; looked up once a process)."""
    return dict(_versions())


def _find_versions() -> dict[str, str]:
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version(), "tenseki": sim.__version__}
    for name in ("numpy", "numba", "pandas", "mesa", "pyarrow"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def execute_run(run: Run, code: str) -> dict[str, Any]:
    """Run one run and return its tables as Parquet bytes (never raises for a model error).

    ``code`` is the fingerprint the caller expects: a worker with other code refuses the run
    (on a remote cluster the workers could run another version of tenseki).
    """
    from sim.runner import run_model

    started, cpu = time.perf_counter(), time.process_time()
    base = {"run_id": run.run_id, "versions": versions()}
    try:
        mine = code_fingerprint()
        if mine != code:
            raise RuntimeError("this worker runs other tenseki code than the command that sent the run "
                               "(install the same version on every worker)")
        model = run_model(run.scenario, run.seed)
        params = run.parameters()
        tables: dict[str | None, pd.DataFrame] = {None: model.results()}
        for group in run.by:
            tables[group] = model.results(by=group)
        files = {}
        for group, table in tables.items():
            for i, (k, v) in enumerate(params.items()):
                table.insert(i, k, v)
            files[group] = _parquet_bytes(table)
        return {**base, "status": "done", "files": files, "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu}
    except Exception as exc:  # a failing run is recorded, never stops the others
        return {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=6), "seconds": time.perf_counter() - started}


# =============================================================================================
# The engine
# =============================================================================================
@dataclass
class SweepResult:
    """What a sweep did: runs reused, run now, failed, and the faults found in the store."""

    total: int
    reused: int
    ran: int
    failed: list[tuple[str, str]]
    faults: list[Fault]
    notes: list[str]
    seconds: float


def sweep(
    experiment: Experiment | str | Path,
    out: str | Path,
    client: Any = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int, int, list[Fault], list[str]], None] | None = None,
) -> SweepResult:
    """Run every run of ``experiment`` that ``out`` does not hold verified; record each.

    Args:
        experiment: an ``Experiment`` or the path of an experiment file.
        out: the store folder (created if needed).
        client: a ``dask.distributed.Client`` to run on (left open); else ``scheduler`` (an
            address: a client is made and closed), else ``workers`` > 1 (a ``LocalCluster`` of
            that many worker processes, closed at the end), else this process.
        progress: called after each run with (done, total, run_id).
        on_start: called once before running with (total, to_run, faults, notes).

    Raises:
        ExperimentError, StoreError: bad experiment, store locked by another sweep or holding
            another experiment. KeyboardInterrupt passes through after the workers are stopped;
            every run recorded so far is kept.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    runs = exp.runs()
    store = Store(out)
    started = time.perf_counter()
    with store.locked() as notes:
        store.claim(exp.describe(runs))
        records = store.compact()
        if store.skipped_lines:
            notes.append(f"{len(store.skipped_lines)} unreadable manifest line(s) dropped (a sweep was killed while writing)")
        faults: list[Fault] = []
        todo: list[Run] = []
        for run in runs:
            reason = store.fault(run.run_id, records.get(run.run_id), run.settings_hash)
            if reason is not None:
                todo.append(run)
                if reason != "not run yet":
                    faults.append(Fault(run.run_id, reason))
        if on_start is not None:
            on_start(len(runs), len(todo), faults, notes)
        done = len(runs) - len(todo)
        if progress is not None:
            progress(done, len(runs), None)
        failed: list[tuple[str, str]] = []
        by_id = {r.run_id: r for r in todo}
        with contextlib.closing(_execute(todo, client, workers, scheduler)) as results:  # workers stopped on any exit
            for result in results:
                run = by_id[result["run_id"]]
                record = {**run.parameters(), "position": run.position, "settings_hash": run.settings_hash,
                          "changes": {k: _plain(v) for k, v in run.point.changes.items()},
                          "experiment": exp.spec.name, "status": result["status"], "error": result.get("error"),
                          "versions": result.get("versions"), "seconds": round(float(result.get("seconds", 0.0)), 3),
                          "cpu_seconds": round(float(result.get("cpu_seconds", 0.0)), 3),
                          "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
                if result["status"] == "done":
                    record["files"] = store.save(run.run_id, result["files"])
                else:
                    record["files"] = {}
                    failed.append((run.run_id, result.get("error") or "unknown error"))
                store.append(record)
                done += 1
                if progress is not None:
                    progress(done, len(runs), run.run_id)
    return SweepResult(len(runs), len(runs) - len(todo), len(todo), failed, faults, notes, time.perf_counter() - started)


def _execute(todo: list[Run], client: Any, workers: int, scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Yield each run's result as it finishes (in this process, or on Dask)."""
    if not todo:
        return
    code = code_fingerprint()
    if client is None and scheduler is None and workers <= 1:
        for run in todo:
            yield execute_run(run, code)
        return
    from distributed import Client, as_completed

    own_cluster = own_client = None
    quiet = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    levels = [q.level for q in quiet]
    try:
        if client is None:
            for q in quiet:
                q.setLevel(logging.CRITICAL)
            if scheduler is not None:
                try:
                    own_client = client = Client(scheduler, timeout="30s")
                except (OSError, TimeoutError, ValueError) as exc:
                    raise ExperimentError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
            else:
                own_cluster = _local_cluster(min(workers, len(todo)))
                own_client = client = Client(own_cluster)
        futures = client.map(execute_run, todo, code=code, pure=False, key=[f"tenseki-{r.run_id}-{r.settings_hash[:8]}" for r in todo])
        by_key = {f.key: r for f, r in zip(futures, todo, strict=True)}
        try:
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as exc:  # the worker died (KilledWorker), or the task was lost
                    run = by_key[fut.key]
                    yield {"run_id": run.run_id, "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                fut.release()
        finally:
            client.cancel(futures)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


def _local_cluster(workers: int):
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes.

    On Linux the workers are forked from this process, which has already imported the model:
    they start in a fraction of a second instead of the several seconds a spawned process
    spends importing numba, Mesa and pandas (that start-up would eat most of the gain of a
    second worker in a sweep of short runs). They start with Ctrl-C ignored: this process
    decides what happens on Ctrl-C (it closes the cluster). Each worker exits as soon as this
    process dies, however it dies (``distributed`` gives every worker a pipe from its parent
    and exits when the pipe closes; tests/test_experiments.py checks it with SIGKILL).
    """
    import signal
    import sys

    import dask
    from distributed import LocalCluster

    import sim.model  # noqa: F401  (imported once here, inherited by the forked workers)

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the workers
    try:
        # No statistical profiler in the workers: it samples the running task's stack every
        # 10 ms, CPU a sweep has better use for (nobody reads a profile of a model run here).
        settings = {"distributed.worker.multiprocessing-method": method, "distributed.worker.profile.enabled": False}
        with dask.config.set(settings):
            return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
                                dashboard_address=None,  # no dashboard; its HTTP server on any free port:
                                scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"})
    finally:
        signal.signal(signal.SIGINT, previous)


# =============================================================================================
# Reading a store back
# =============================================================================================
@dataclass
class StoredRuns:
    """The verified runs of a store: their records, and the runs that could not be used."""

    records: list[dict[str, Any]]
    problems: list[Fault]
    description: dict[str, Any]
    root: Path

    def path(self, record: dict[str, Any], group: str | None = None) -> Path:
        return self.root / "runs" / run_file(record["run_id"], group)


def verified_runs(out: str | Path) -> StoredRuns:
    """The runs of the store's experiment whose files match the manifest (checked now).

    Runs of the experiment not finished, failed or damaged are listed in ``problems`` and never
    read; records of runs that are not part of the experiment (an earlier design) are ignored.
    """
    store = Store(out)
    description = store.description()
    records = store.records()
    ok, problems, missing = [], [], 0
    for expected in description.get("runs", []):
        rec = records.get(expected["run_id"])
        reason = store.fault(expected["run_id"], rec, expected["settings_hash"])
        if reason is None:
            ok.append(rec)
        elif reason == "not run yet":
            missing += 1
        else:
            problems.append(Fault(expected["run_id"], reason))
    if missing:
        problems.append(Fault("(not run)", f"{missing} run(s) of the experiment have not run yet"))
    return StoredRuns(ok, problems, description, store.root)


def read_runs(out: str | Path, group: str | None = None) -> pd.DataFrame:
    """Every verified run's monthly table (or by-group table), concatenated, in design order."""
    stored = verified_runs(out)
    tables = [pd.read_parquet(stored.path(r, group)) for r in stored.records]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def outcomes(out: str | Path) -> pd.DataFrame:
    """One row per verified run: its parameters, its arm and its headline outcomes (``sim.summary``)."""
    from sim.report import run_outcomes

    return run_outcomes(verified_runs(out), keep_tables=False)[0]


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    client: Any = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run an experiment (resuming whatever ``out`` holds) and return one row per run.

    The notebook API: ``sim.experiments.run_experiment("scenarios/experiments/mobility_x_stay.toml",
    out="results/mxs", client=client)``. Columns: run_id, scenario, point, point_label, the
    factors (grid factor names or sampled dotted keys), replication, seed, then the headline
    outcomes of ``sim.summary.METRICS``. Failed runs are absent (``sweep`` reports them);
    monthly tables: ``read_runs(out)``.
    """
    sweep(experiment, out, client=client, workers=workers, scheduler=scheduler, progress=progress)
    return outcomes(out)


__all__ = [
    "Experiment", "ExperimentError", "ExperimentSpec", "SampleSpec", "StoreError", "SweepResult",
    "load_experiment", "outcomes", "read_runs", "run_experiment", "sweep", "verified_runs",
]
