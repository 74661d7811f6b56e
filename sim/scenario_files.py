"""Scenario files: finding them (a path, or a shipped scenario by name), merging their ``base``
chain and validating the result against the schema (``sim.scenario_schema``).

A scenario file is TOML. It may name a ``base`` (a file next to it, or a shipped scenario by
name: ``base = "esd"``) whose tables it overrides key by key, so the shipped policies share one
world (``scenarios/world.toml``) and differ only in what they say. ``load_scenario`` turns every
problem into a :class:`ScenarioError` that names the file that set the value, the key, the
value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from sim.renamed_keys import upgrade_file
from sim.scenario_schema import LEAF_TABLES, Scenario
from sim.schema import ScenarioError, describe_errors, nearest, read_toml, resolve, show


def shipped_scenario_dir() -> Path:
    """Where the shipped scenarios are: the package data ``sim.scenarios``.

    In the repository that package is the top-level ``scenarios/`` folder (pyproject.toml maps
    it), so there is one copy of each file; a checkout used without installing finds it next
    to ``sim/``.
    """
    from importlib.resources import files

    try:
        path = Path(str(files("sim.scenarios")))
    except ModuleNotFoundError:  # a checkout on sys.path, not installed
        path = Path(__file__).resolve().parent.parent / "scenarios"
    if not (path / "world.toml").is_file():
        raise ScenarioError(f"cannot find the shipped scenarios (world.toml) in {path}: reinstall tenseki")
    return path


def shipped_names() -> list[str]:
    """Names of the shipped scenario files (``esd``, ``titp``, ..., ``world``), sorted."""
    return sorted(p.stem for p in shipped_scenario_dir().glob("*.toml"))


def shipped_descriptions() -> list[tuple[str, str, Path]]:
    """(name, description, file) of every shipped scenario, read from the files as they stand."""
    out = []
    for name in shipped_names():
        path = shipped_scenario_dir() / f"{name}.toml"
        description = read_toml(path).get("description", "")
        out.append((name, description if isinstance(description, str) else "", path))
    return out


def find_scenario(name: str | Path, near: Path | None = None) -> Path | None:
    """The file a scenario name or path refers to, or None.

    In this order: the path as given (relative to ``near``, the folder of the file that names
    it as its ``base``; else to the working directory); the same with ``.toml`` added; a
    shipped scenario of that name (``esd`` or ``esd.toml``), so that ``tenseki run esd`` and
    ``base = "esd"`` work from any folder.
    """
    given = Path(name)
    here = near / given if near is not None and not given.is_absolute() else given
    candidates = [here] if here.suffix else [here, here.with_name(here.name + ".toml")]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    if len(given.parts) == 1 and given.suffix in ("", ".toml"):
        shipped = shipped_scenario_dir() / f"{given.stem if given.suffix else given.name}.toml"
        if shipped.is_file():
            return shipped
    return None


def _not_found(name: str | Path, asking: Path | None = None) -> ScenarioError:
    names = shipped_names()
    guess = nearest(Path(name).stem, names)
    hint = f"; did you mean {guess!r}?" if guess else ""
    shipped = f"(shipped: {', '.join(names)})"
    if asking is None:
        return ScenarioError(f"{name}: no such scenario file, nor a shipped scenario of that name{hint} {shipped}")
    return ScenarioError(
        f"{asking}: key 'base' = {str(name)!r}: no such file next to it ({asking.parent}), "
        f"nor a shipped scenario of that name{hint} {shipped}"
    )


def _find_base(name: str, asking: Path) -> Path:
    found = find_scenario(name, near=asking.parent)
    if found is None:
        raise _not_found(name, asking)
    return found


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (``base``) and validate a scenario: a file, or a shipped scenario by name (``"esd"``).

    Raises:
        ScenarioError: with one line per problem, each naming the file that set the value, the
            key, the value and what is allowed.
    """
    if not isinstance(path, (str, Path)) or not str(path).strip():
        raise ScenarioError(f"scenario = {show(path)}: allowed: a scenario file's path or a shipped scenario's name "
                            f"(e.g. 'esd'), or a Scenario")
    found = find_scenario(path)
    if found is None:
        raise _not_found(path)
    origin: dict = {}
    data = resolve(found, origin, _find_base, LEAF_TABLES, upgrade=upgrade_file)
    own = read_toml(found)  # a scenario's name is its own, never inherited from its base
    data["name"] = own.get("name", found.stem)
    origin[("name",)] = str(found.resolve())
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(describe_errors(exc, Scenario, origin, str(found), extra_top_keys=("base",))) from None


SHIPPED = ("titp", "esd", "free_mobility", "restricted", "esd_transition")


def shipped_scenario(name: str) -> Scenario:
    """A shipped scenario by name (``titp``, ``esd``, ``esd_transition``, ``free_mobility``, ``restricted``, ``history_2017``)."""
    path = shipped_scenario_dir() / f"{name}.toml"
    if not path.is_file():
        raise _not_found(name)
    return load_scenario(path)
