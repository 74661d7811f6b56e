"""Experiment files and their design: the spec, the design points, the runs and their seeds.

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
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from sim.experiments.fingerprint import code_fingerprint
from sim.renamed_keys import old_date_part
from sim.scenario import Scenario, ScenarioError, load_scenario, shipped_scenario_dir
from sim.scenario_schema import MIN_SCALE
from sim.schema import Frozen, describe_errors
from sim.summary import METRICS

MetricName = Literal[tuple(METRICS)]  # type: ignore[valid-type]
GroupName = Literal["prefecture", "field", "origin"]


class ExperimentError(Exception):
    """An experiment file (or object) that cannot be run; the message is for the user as it stands."""


class SmallSampleWarning(UserWarning):
    """A design too small for what is computed from it (a Sobol or Morris sample, replications for
    an interval): it runs, but its indices or intervals are not to be trusted. The command line
    shows it as one line, ``warning: ...``."""


#: Smallest samples whose numbers can be trusted (``SmallSampleWarning`` below them), as usual
#: practice has them: Sobol base samples N (a power of 2, as SALib's Sobol' sequence needs; with
#: fewer than 64 the indices' bootstrap intervals are wide and ST can fall below S1), Morris
#: trajectories r (10-20 are usual), and replications for a 95% interval of a mean (with 1 it is
#: undefined; with 2 Student's t has one degree of freedom and the interval is 12.7 standard errors wide each side).
SOBOL_MIN_BASE_SAMPLES = 64
MORRIS_MIN_TRAJECTORIES = 10
MIN_REPLICATIONS_FOR_INTERVAL = 3


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
    scale: Annotated[float, Field(ge=MIN_SCALE, le=1.0)] | None = None
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
        _warn_if_small(spec, source)
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
                    run = Run(
                        position=len(out), run_id="", scenario_name=scenario.name,
                        scenario=effective, point=point, replication=k, seed=seed,
                        settings_hash=hashlib.sha256(settings.encode()).hexdigest(), by=tuple(self.spec.by),
                    )
                    out.append(replace(run, run_id=f"{stem}-r{k:03d}-{content_id(run, dump)}"))
        _refuse_shared_ids(out, self.source)
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


def load_experiment(path: str | Path, months: int | None = None, scale: float | None = None) -> Experiment:
    """Read and validate an experiment file (TOML).

    Scenarios are shipped names (``"titp"``) or files relative to the experiment file. Every
    design point is validated against every scenario before anything runs.

    ``months`` and ``scale`` (``tenseki sweep --months 12 --scale 0.002``) run the experiment
    small: they replace the file's ``months`` and ``scale``, and, where they differ from it, are
    added to the experiment's name (``mobility_x_stay.months12.scale0.002``), so that a small run
    never poses as the full one: a store holding the full experiment refuses it, and its report
    and figures carry the name.

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
        smaller = {k: v for k, v in (("months", months), ("scale", scale)) if v is not None and v != getattr(spec, k)}
        if smaller:
            spec = ExperimentSpec.model_validate({**data, **smaller})
            spec = spec.model_copy(update={"name": spec.name + "".join(f".{k}{v:g}" for k, v in smaller.items())})
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


def _setting(key: str) -> str:
    """The setting a key of a changes table names, without its ``"<scenario>:"`` prefix."""
    return key.rpartition(":")[2]


def _check_keys(changes: dict[str, Any], source: str, where: str, scenarios: list[str] | None = None) -> None:
    spelt: dict[str, str] = {}
    for key in changes:
        other = spelt.setdefault(_setting(key), key)
        if other != key:  # "x" and "esd:x": which one wins in esd would depend on their order
            raise ExperimentError(f"{source}: keys '{where}.{other}' and '{where}.{key}' set the same setting "
                                  f"'{_setting(key)}'; give it once (or once per scenario, each as '<scenario>:key')")
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
    _refuse_shared_keys(factors, source)
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


def _refuse_shared_keys(factors: list[tuple[str, list[tuple[str, Any, dict[str, Any]]]]], source: str) -> None:
    """Two factors of a grid that set one key would run every point with whichever came last and
    still report them as different arms: refused, naming the key and both factors."""
    setter: dict[str, str] = {}
    for name, opts in factors:
        for key in sorted({_setting(key) for _label, _value, changes in opts for key in changes}):
            if key in setter:
                raise ExperimentError(
                    f"{source}: key '{key}' is set by two factors of the grid, 'grid.{setter[key]}' and "
                    f"'grid.{name}'; each setting may vary in one factor only (merge them into one factor "
                    f"with named levels)"
                )
            setter[key] = name


#: The narrowest range of a sampled number, relative to its size: points closer than this differ
#: in the last digits of a float and measure nothing.
MIN_RELATIVE_WIDTH = 1e-9


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
        if not integer[key] and bounds[1] - bounds[0] <= MIN_RELATIVE_WIDTH * max(abs(bounds[0]), abs(bounds[1])):
            raise ExperimentError(f"{source}: key 'sample.ranges.{key}' = {bounds!r}: the range is too narrow to sample "
                                  f"(its points would differ by less than {MIN_RELATIVE_WIDTH:g} of their value); allowed: "
                                  "a wider range")
        if integer[key] and int(round(bounds[0])) == int(round(bounds[1])):
            raise ExperimentError(f"{source}: key 'sample.ranges.{key}' = {bounds!r}: a whole-number setting whose bounds "
                                  f"both round to {int(round(bounds[0]))}, so every point would have the same value; "
                                  "allowed: bounds that round to different whole numbers")
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
    _refuse_collapsed(points, source)
    return points, matrix


def _refuse_collapsed(points: list[Point], source: str) -> None:
    """A sampled setting whose points all got one value (a range narrower than a float's
    precision, or a whole-number range that rounds to one number) measured nothing: sensitivity
    would report "no influence". Refused, naming the key, the range and the one value."""
    if len(points) < 2:
        return
    for key in points[0].changes:
        values = {p.changes[key] for p in points}
        if len(values) == 1:
            raise ExperimentError(f"{source}: key 'sample.ranges.{key}': every sampled point has the value "
                                  f"{next(iter(values))!r} (the range is too narrow to sample); allowed: a range whose "
                                  "points differ")


def _warn_if_small(spec: ExperimentSpec, source: str) -> None:
    """``SmallSampleWarning`` for a sample or a number of replications too small for the numbers
    computed from it (see the constants above). Replications are checked for designs whose
    report gives intervals over them (none, a grid, a Latin hypercube); a Morris or Sobol
    analysis averages them and takes its intervals from the sample."""
    sample = spec.sample
    problems = []
    if sample is not None and sample.method == "sobol" and sample.n < SOBOL_MIN_BASE_SAMPLES:
        problems.append(f"key 'sample.n' = {sample.n}: a Sobol sample of {sample.n} base samples is too small for "
                        f"stable indices and intervals; give a power of 2 of at least {SOBOL_MIN_BASE_SAMPLES} "
                        f"(e.g. {SOBOL_MIN_BASE_SAMPLES}, {2 * SOBOL_MIN_BASE_SAMPLES}, {4 * SOBOL_MIN_BASE_SAMPLES})")
    if sample is not None and sample.method == "morris" and sample.n < MORRIS_MIN_TRAJECTORIES:
        problems.append(f"key 'sample.n' = {sample.n}: Morris with {sample.n} trajectories is too few for a reliable "
                        f"ranking (mu*) and its interval; give at least {MORRIS_MIN_TRAJECTORIES} (10-20 are usual)")
    if sample is None or sample.method == "latin_hypercube":
        key, n = ("seeds", len(spec.seeds)) if spec.seeds is not None else ("replications", spec.replications)
        if n < MIN_REPLICATIONS_FOR_INTERVAL:
            shown = f"key '{key}' = {spec.seeds!r}" if spec.seeds is not None else f"key 'replications' = {n}"
            problems.append(f"{shown}: {n} run(s) per arm: the 95% interval of a mean is "
                            f"{'undefined' if n < 2 else 'very wide (Student t with 1 degree of freedom)'}; "
                            f"give at least {MIN_REPLICATIONS_FOR_INTERVAL}")
    for problem in problems:
        warnings.warn(f"{source}: {problem}", SmallSampleWarning, stacklevel=4)


def _get(scenario: Scenario, dotted: str) -> Any:
    """The scenario's value of a dotted setting (an old date key: its half of the date); None if
    it has none (``with_changes`` then says what is wrong)."""
    dump: Any = scenario.model_dump()
    value = dump
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return old_date_part(dump, dotted)
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


#: Characters of a scenario name kept in a run's file name (the rest become "-"), and how many:
#: the readable part of the name only; the run's identity is its content id.
_SAFE_LENGTH = 40
#: Hex digits of a run's content id in its file name (64 bits).
CONTENT_ID_DIGITS = 16


def _safe(name: str) -> str:
    """The readable part of a run's file name: the scenario name in letters, digits, ``_.-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:_SAFE_LENGTH].strip("-.") or "scenario"


def content_id(run: Run, scenario_json: str | None = None) -> str:
    """A run's identity: a hash of what its files hold, the resolved scenario (name, settings,
    months, scale), the seed, the by-group tables asked for and the labels written into its
    columns (its design point, factors and replication), as canonical JSON.

    Why content and not the name: two scenarios whose names differ only in punctuation or in
    letters outside A-Z (any Japanese name) sanitise to the same file name, and one run would
    overwrite the other. The model's code is not part of the id but of the settings hash the
    store checks before reusing a run: a run made by other code is redone under the same id
    (one file a run, whatever the number of versions that made it). ``scenario_json``: the
    resolved scenario as JSON with sorted keys, when the caller has it (one dump a design point)."""
    if scenario_json is None:
        scenario_json = json.dumps(run.scenario.model_dump(mode="json"), sort_keys=True)
    params = {k: v for k, v in run.parameters().items() if k != "run_id"}
    content = {"scenario": scenario_json, "seed": run.seed, "by": list(run.by), "parameters": params}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:CONTENT_ID_DIGITS]


def _refuse_shared_ids(runs: list[Run], source: str) -> None:
    """Two runs of one experiment under one id would write one file: never silently."""
    seen: dict[str, Run] = {}
    for run in runs:
        other = seen.setdefault(run.run_id, run)
        if other is not run:
            raise ExperimentError(f"{source}: runs {other.position} and {run.position} have the same id "
                                  f"{run.run_id!r}; their scenarios and settings are identical")
