"""Decomposing a difference between two scenarios into the contributions of its policy components.

``tenseki decompose A B`` asks, for each headline outcome (``sim.summary.METRICS``), how much of
the difference B − A each group of settings in which the two scenarios differ carries. A
*component* is such a group: by default one section of the policy (``transfer``, ``stay``,
``supervision``, ``recruitment``; outside the policy ``behaviour.<section>``, ``world``,
``run``), or one setting each (``--components key``), or groups a modeller names in a file
(``--components FILE.toml``)::

    # components.toml: name = [settings or tables, as dotted keys]
    [components]
    job_change = ["policy.transfer"]
    programme = ["policy.stay"]
    supervision = ["policy.supervision"]
    fee_cap = ["policy.recruitment.fee_cap_months_of_pay"]
    caps_on_residents = ["policy.recruitment.stock_cap_esd", "policy.recruitment.stock_caps_ssw_and_esd_by_field"]

A *hybrid* is A with the settings of some components taken from B; with k components there are
2^k of them, from A itself (none switched) to B (all switched). Every hybrid is validated like a
scenario file (a combination the schema refuses is an error naming the components) and runs on
the same seeds as every other (common random numbers, ``sim.experiments.design``): on one seed
two hybrids differ only by their settings. For each seed and outcome this gives:

- **alone**: A plus the component, minus A (one at a time, from A);
- **last**: B minus (B without the component) (one at a time, from B);
- **shapley**: the component's marginal contribution averaged over every order in which the
  components could be switched from A to B, ``Σ_{S ∌ i} |S|! (k − |S| − 1)! / k! (v(S ∪ {i}) −
  v(S))`` (Shapley 1953). The k Shapley contributions add up to B − A on every seed exactly
  (efficiency); a component that changes nothing gets 0 (null player); two interchangeable
  components get equal shares (symmetry).

Alone and last need not add up to the total: their gaps are the components' interactions. Each
contribution is then averaged over the seeds with a 95% Student t interval of the mean across
seeds; the seeds are paired (each seed's contributions come from hybrids run on that seed).
The runs go through the batch engine (``sim.experiments``), so they are cached, resumable and
parallel, in the store ``--out``; the contributions are written to ``OUT/decomposition/``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import Scenario, ScenarioError
from sim.scenario_schema import LEAF_TABLES
from sim.schema import nearest, show
from sim.summary import METRICS

#: Most components a decomposition takes: 2^8 = 256 hybrids a seed. Beyond, group them.
MAX_COMPONENTS = 8
#: Top-level keys that name a scenario rather than set it: never a component.
NOT_SETTINGS = frozenset({"name", "description"})
#: The methods of a decomposition, in the order shown.
METHODS = ("shapley", "alone", "last")
#: How the interval of a contribution is computed (said in every output).
INTERVAL_NOTE = ("95% CI: Student's t interval of the mean over seeds of the seed-by-seed contribution "
                 "(paired: every hybrid of a seed runs on that seed, common random numbers)")
TOTAL = "total (B − A)"
CONTRIBUTION_COLUMNS = ("metric", "label", "unit", "component", "settings", "n_seeds",
                        *(f"{m}{s}" for m in METHODS for s in ("", "_ci95_low", "_ci95_high")))


class DecompositionError(ScenarioError):
    """A decomposition that cannot be made (too many components, an invalid hybrid, a bad
    components file): the message is for the user as it stands (exit code 2)."""


@dataclass(frozen=True)
class Component:
    """A group of settings switched together: its name and the dotted keys it switches."""

    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Hybrid:
    """A with the components of ``mask`` (bit i: component i) taken from B."""

    mask: int
    scenario: Scenario


# =============================================================================================
# Which settings differ, and how they are grouped
# =============================================================================================
def differing_settings(a: Scenario, b: Scenario) -> dict[str, tuple[Any, Any]]:
    """The dotted keys whose values differ between ``a`` and ``b``, with (a's value, b's value).

    A table whose keys are data (``LEAF_TABLES``: caps by field, waits by field, dates) is one
    setting, as ``Scenario.with_changes`` replaces it whole; so is a table one side lacks
    (``policy.stay.bridging`` None against a table)."""
    out: dict[str, tuple[Any, Any]] = {}

    def walk(x: dict, y: dict, prefix: str) -> None:
        for key in [*x, *(k for k in y if k not in x)]:
            if not prefix and key in NOT_SETTINGS:
                continue
            vx, vy = x.get(key), y.get(key)
            if isinstance(vx, dict) and isinstance(vy, dict) and key not in LEAF_TABLES:
                walk(vx, vy, f"{prefix}{key}.")
            elif vx != vy:
                out[f"{prefix}{key}"] = (vx, vy)

    walk(a.model_dump(), b.model_dump(), "")
    return out


def section_of(key: str) -> str:
    """A setting's section, the default component: ``policy.transfer.regime`` -> ``transfer``,
    ``behaviour.abscond.base_monthly`` -> ``behaviour.abscond``, ``world.x`` -> ``world``."""
    parts = key.split(".")
    if parts[0] == "policy" and len(parts) > 2:
        return parts[1]
    if parts[0] == "behaviour" and len(parts) > 2:
        return ".".join(parts[:2])
    return parts[0]


def components_by_section(keys: list[str]) -> list[Component]:
    """One component per section of the settings that differ, in the order first met."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(section_of(key), []).append(key)
    return [Component(name, tuple(ks)) for name, ks in groups.items()]


def components_by_key(keys: list[str]) -> list[Component]:
    """One component per setting that differs (named without its leading ``policy.``)."""
    return [Component(key.removeprefix("policy."), (key,)) for key in keys]


def components_from_groups(groups: dict[str, list[str]], keys: list[str], a: Scenario, source: str) -> list[Component]:
    """Components named by a modeller: each name's dotted settings or tables (a table takes every
    setting under it). Every differing setting must fall in exactly one component; a component
    whose settings do not differ is kept (it switches nothing and gets 0).

    Raises:
        DecompositionError: a name that is not a setting of the scenario, a setting in two
            components, or a differing setting in none, naming them.
    """
    known = set(_setting_paths(a.model_dump()))
    owner: dict[str, str] = {}
    out = []
    for name, prefixes in groups.items():
        if not isinstance(prefixes, list) or not prefixes or not all(isinstance(p, str) for p in prefixes):
            raise DecompositionError(f"{source}: key 'components.{name}' = {show(prefixes)}: give a list of dotted settings "
                                     "or tables, e.g. [\"policy.transfer\"]")
        mine = []
        for prefix in prefixes:
            if prefix not in known:
                guess = nearest(prefix, sorted(known))
                hint = f"; did you mean {guess!r}?" if guess else ""
                raise DecompositionError(f"{source}: key 'components.{name}' = {prefix!r}: not a setting or table of "
                                         f"the scenario{hint}")
            for key in keys:
                if key == prefix or key.startswith(prefix + "."):
                    if key in owner and owner[key] != name:
                        raise DecompositionError(f"{source}: setting {key!r} is in two components, {owner[key]!r} and "
                                                 f"{name!r}; each setting belongs to one component")
                    if key not in owner:
                        owner[key] = name
                        mine.append(key)
        out.append(Component(name, tuple(mine)))
    left = [key for key in keys if key not in owner]
    if left:
        raise DecompositionError(f"{source}: the scenarios also differ in {', '.join(left)}, which no component names; "
                                 "add them to a component (the components must cover every difference)")
    return out


def _setting_paths(data: dict, prefix: str = "") -> list[str]:
    """Every dotted setting and table of a scenario's dump (what a component may name)."""
    out: list[str] = []
    for key, value in data.items():
        if not prefix and key in NOT_SETTINGS:
            continue
        out.append(f"{prefix}{key}")
        if isinstance(value, dict) and key not in LEAF_TABLES:
            out += _setting_paths(value, f"{prefix}{key}.")
    return out


def load_components(path: str | Path, keys: list[str], a: Scenario) -> list[Component]:
    """The components of a file (``[components]``: name = [dotted settings or tables])."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DecompositionError(f"--components {path}: no such file; give 'section', 'key' or a .toml file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DecompositionError(f"{path}: cannot be read as TOML: {exc}") from None
    groups = data.get("components")
    unknown = [k for k in data if k not in ("components", "description")]
    if unknown or not isinstance(groups, dict) or not groups:
        raise DecompositionError(f"{path}: give a table [components] of name = [dotted settings] (and nothing else"
                                 f"{'; unknown: ' + ', '.join(unknown) if unknown else ''})")
    return components_from_groups(groups, keys, a, str(path))


def choose_components(a: Scenario, b: Scenario, grouping: str = "section") -> list[Component]:
    """The components of ``b`` − ``a``: by ``grouping`` ("section", "key" or a components file).

    Raises:
        DecompositionError: the scenarios do not differ, or differ in more than
            ``MAX_COMPONENTS`` components (with the advice to group them).
    """
    diff = list(differing_settings(a, b))
    if not diff:
        raise DecompositionError(f"{a.name!r} and {b.name!r} do not differ in any setting: nothing to decompose")
    if grouping == "section":
        components = components_by_section(diff)
    elif grouping == "key":
        components = components_by_key(diff)
    else:
        components = load_components(grouping, diff, a)
    if len(components) > MAX_COMPONENTS:
        raise DecompositionError(
            f"{b.name} − {a.name}: {len(components)} components ({', '.join(c.name for c in components)}) need "
            f"2^{len(components)} = {2 ** len(components):,} hybrid scenarios a seed; at most {MAX_COMPONENTS} "
            f"components are allowed: group them (--components section, or a file naming groups)")
    return components


# =============================================================================================
# The hybrids
# =============================================================================================
def subset_names(components: list[Component], mask: int) -> list[str]:
    """The names of the components in ``mask`` (bit i: component i)."""
    return [c.name for i, c in enumerate(components) if mask >> i & 1]


def hybrid_name(a: Scenario, b: Scenario, components: list[Component], mask: int) -> str:
    """A's name for no component, B's for all, else "A + c1 + c2"."""
    if mask == 0:
        return a.name
    if mask == (1 << len(components)) - 1:
        return b.name
    return " + ".join([a.name, *subset_names(components, mask)])


def hybrids(a: Scenario, b: Scenario, components: list[Component]) -> list[Hybrid]:
    """The 2^k hybrids in mask order, each validated as a scenario is.

    Raises:
        DecompositionError: a hybrid the schema refuses, naming its components and the reason.
    """
    settings = differing_settings(a, b)
    if a.name == b.name:
        raise DecompositionError(f"both scenarios are named {a.name!r}; give each a different 'name'")
    out = []
    k = len(components)
    for mask in range(1 << k):
        changes = {key: settings[key][1] for c in (components[i] for i in range(k) if mask >> i & 1)
                   for key in c.keys}
        try:
            scenario = a if mask == 0 else a.with_changes({**changes, "name": hybrid_name(a, b, components, mask)})
        except ScenarioError as exc:
            taken = ", ".join(subset_names(components, mask))
            raise DecompositionError(
                f"the hybrid {a.name} + [{taken}] (the settings of {taken} from {b.name}, the rest from {a.name}) is not "
                f"a valid scenario: {str(exc).split(': ', 1)[-1]}; put the settings that must change together in one "
                f"component (--components FILE)") from None
        out.append(Hybrid(mask, scenario))
    if differing_settings(out[-1].scenario, b):
        raise AssertionError("the hybrid with every component differs from B")  # a bug: the components missed a setting
    return out


# =============================================================================================
# Shapley values and one-at-a-time contributions
# =============================================================================================
def shapley_weight(size: int, k: int) -> float:
    """The weight of a coalition of ``size`` components without i in i's Shapley value:
    the share of the k! orders in which exactly those come before i, size! (k − size − 1)! / k!."""
    return math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)


def shapley_values(values: np.ndarray) -> np.ndarray:
    """The Shapley contribution of each of k components, from v(S) for every subset S.

    Args:
        values: shape (2^k, ...), ``values[mask]`` the outcome of the hybrid ``mask``; trailing
            axes (seeds, metrics) are decomposed independently.

    Returns:
        Shape (k, ...). They add up to values[all] − values[none] (checked: an error if not).
    """
    n = values.shape[0]
    k = n.bit_length() - 1
    if n != 1 << k or k < 1:
        raise ValueError(f"need the values of all 2^k subsets; got {n}")
    phi = np.zeros((k, *values.shape[1:]))
    for i in range(k):
        bit = 1 << i
        for mask in range(n):
            if mask & bit:
                continue
            phi[i] += shapley_weight(bin(mask).count("1"), k) * (values[mask | bit] - values[mask])
    check_efficiency(phi, values[n - 1] - values[0])
    return phi


def check_efficiency(contributions: np.ndarray, total: np.ndarray) -> None:
    """Contributions that do not add up to the total (to floating precision) are a bug."""
    gap = np.abs(contributions.sum(axis=0) - total)
    scale = np.abs(contributions).sum(axis=0) + np.abs(total) + 1.0
    bad = np.isfinite(gap) & (gap > 1e-9 * scale)
    if bad.any():
        raise ArithmeticError(f"the contributions do not add up to the total (largest gap {np.nanmax(gap):.3g}): "
                              "the Shapley weights are wrong")


def one_at_a_time(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each component alone from A (v({i}) − v(∅)) and last into B (v(N) − v(N \\ {i}))."""
    n = values.shape[0]
    k = n.bit_length() - 1
    full = n - 1
    alone = np.stack([values[1 << i] - values[0] for i in range(k)])
    last = np.stack([values[full] - values[full & ~(1 << i)] for i in range(k)])
    return alone, last


# =============================================================================================
# From the runs to the table
# =============================================================================================
def value_array(runs: pd.DataFrame, names: list[str], seeds: list[int], metrics: list[str]) -> np.ndarray:
    """v(S) per hybrid (in ``names``' order, the mask order), seed and metric, from one row per run
    (columns scenario, seed and the metrics: ``sim.experiments.outcomes``); NaN where a run is missing."""
    table = runs.set_index(["scenario", "seed"])
    out = np.full((len(names), len(seeds), len(metrics)), np.nan)
    for h, name in enumerate(names):
        for s, seed in enumerate(seeds):
            if (name, seed) in table.index:
                out[h, s] = table.loc[(name, seed), metrics].to_numpy(dtype=float)
    return out


def contributions(values: np.ndarray, components: list[Component], seeds: list[int], metrics: list[str]) -> pd.DataFrame:
    """One row per (metric, component, seed) with each method's contribution in display units
    (``METRICS[metric].factor``), and one row per (metric, seed) for the total. A seed where some
    hybrid's outcome is undefined (NaN) is left out of that metric."""
    rows = []
    for j, metric in enumerate(metrics):
        factor = METRICS[metric].factor
        v = values[:, :, j] * factor
        ok = np.isfinite(v).all(axis=0)
        if not ok.any():
            continue
        v = v[:, ok]
        mine = [seed for seed, keep in zip(seeds, ok, strict=True) if keep]
        phi = shapley_values(v)
        alone, last = one_at_a_time(v)
        total = v[-1] - v[0]
        for i, c in enumerate(components):
            for s, seed in enumerate(mine):
                rows.append({"metric": metric, "component": c.name, "seed": seed,
                             "shapley": phi[i, s], "alone": alone[i, s], "last": last[i, s]})
        for s, seed in enumerate(mine):
            rows.append({"metric": metric, "component": TOTAL, "seed": seed,
                         "shapley": total[s], "alone": total[s], "last": total[s]})
    return pd.DataFrame(rows, columns=["metric", "component", "seed", *METHODS])


def summarise(per_seed: pd.DataFrame, components: list[Component]) -> pd.DataFrame:
    """Mean and 95% t interval over seeds of each contribution (``CONTRIBUTION_COLUMNS``)."""
    from sim.report import t_interval

    settings = {c.name: "; ".join(c.keys) for c in components}
    rows = []
    for (metric, component), g in per_seed.groupby(["metric", "component"], sort=False):
        m = METRICS[metric]
        row = {"metric": metric, "label": m.label, "unit": m.unit, "component": component,
               "settings": settings.get(component, ""), "n_seeds": len(g)}
        for method in METHODS:
            mean, _sd, lo, hi = t_interval(g[method].to_numpy(dtype=float))
            row |= {method: mean, f"{method}_ci95_low": lo, f"{method}_ci95_high": hi}
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CONTRIBUTION_COLUMNS))


@dataclass
class Decomposition:
    """What ``decompose_store`` found: the contributions (summary and per seed) and the levels."""

    a: str
    b: str
    components: list[Component]
    table: pd.DataFrame  # CONTRIBUTION_COLUMNS
    per_seed: pd.DataFrame
    levels: pd.DataFrame  # metric, a_mean, b_mean (display units)
    seeds: list[int]
    files: list[Path]
    values: np.ndarray | None = None  # v(S): hybrid (mask order) x seed x metric, display units
    metrics: tuple[str, ...] = ()

    def interaction(self, metric: str, i: int, j: int) -> float:
        """The pairwise interaction of components i and j on ``metric``, mean over seeds:
        v({i, j}) − v({i}) − v({j}) + v(∅) (0 when their effects simply add up from A)."""
        v = self.values[:, :, self.metrics.index(metric)]
        return float(np.nanmean(v[1 << i | 1 << j] - v[1 << i] - v[1 << j] + v[0]))


def decompose_runs(runs: pd.DataFrame, a: Scenario, b: Scenario, components: list[Component], seeds: list[int],
                   metrics: list[str] | None = None) -> Decomposition:
    """The decomposition from the runs' outcomes (one row per run: scenario, seed, metrics)."""
    metrics = list(metrics or METRICS)
    names = [hybrid_name(a, b, components, mask) for mask in range(1 << len(components))]
    values = value_array(runs, names, seeds, metrics)
    per_seed = contributions(values, components, seeds, metrics)
    table = summarise(per_seed, components)
    levels = pd.DataFrame([{"metric": m, "a_mean": float(np.nanmean(values[0, :, j])) * METRICS[m].factor,
                            "b_mean": float(np.nanmean(values[-1, :, j])) * METRICS[m].factor}
                           for j, m in enumerate(metrics) if np.isfinite(values[[0, -1], :, j]).any()])
    factors = np.array([METRICS[m].factor for m in metrics])
    return Decomposition(a.name, b.name, components, table, per_seed, levels, list(seeds), [], values * factors, tuple(metrics))


def experiment(a: Scenario, b: Scenario, components: list[Component], seeds: list[int]):
    """The batch experiment of the decomposition: every hybrid on every seed (``sim.experiments``)."""
    from sim.experiments import Experiment

    return Experiment.from_scenarios("decompose", [h.scenario for h in hybrids(a, b, components)], seeds=list(seeds))


def decompose_store(out: str | Path, a: Scenario, b: Scenario, components: list[Component], seeds: list[int],
                    metrics: list[str] | None = None, plots: bool = True) -> Decomposition:
    """The decomposition from the verified runs of the store ``out`` (after ``sim.experiments.sweep``
    of ``experiment(...)``), written to ``out/decomposition/``."""
    from sim.experiments import outcomes

    dec = decompose_runs(outcomes(out), a, b, components, seeds, metrics)
    write_decomposition(dec, Path(out) / "decomposition", plots=plots)
    return dec


def write_decomposition(dec: Decomposition, folder: str | Path, plots: bool = True) -> list[Path]:
    """``contributions.csv`` and ``.parquet`` (the table), ``contributions_by_seed.csv`` and the
    forest plot ``contributions.png``/``.svg`` in ``folder``; returns the files."""
    from sim.runner import write_table

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = [write_table(dec.table, folder / "contributions.csv"), write_table(dec.table, folder / "contributions.parquet"),
             write_table(dec.per_seed, folder / "contributions_by_seed.csv")]
    if plots:
        from sim import plotstyle

        fig = decomposition_figure(dec)
        if fig is not None:
            files += plotstyle.save(fig, folder / "contributions.png")
    dec.files = files
    return files


# =============================================================================================
# Printing and drawing
# =============================================================================================
def _num(value: float, decimals: int) -> str:
    from sim.report import _num as number

    return number(value, decimals)


def _cell(row: Any, method: str, decimals: int, interval: bool) -> str:
    text = _num(getattr(row, method), decimals)
    if interval and row.n_seeds > 1:
        text += f" [{_num(getattr(row, f'{method}_ci95_low'), decimals)}, {_num(getattr(row, f'{method}_ci95_high'), decimals)}]"
    return text


def shown_metrics(dec: Decomposition) -> list[str]:
    """The metrics with a decomposition, in ``METRICS`` order."""
    return list(dict.fromkeys(dec.table["metric"]))


def rows_of(dec: Decomposition, metric: str) -> list[list[str]]:
    """A metric's rows as printed: component, Shapley with its interval, alone, last."""
    decimals = METRICS[metric].decimals
    block = dec.table[dec.table.metric == metric]
    return [[str(r.component), _cell(r, "shapley", decimals, True), _cell(r, "alone", decimals, False),
             _cell(r, "last", decimals, False)] for r in block.itertuples(index=False)]


def heading_of(dec: Decomposition, metric: str) -> str:
    m = METRICS[metric]
    lv = dec.levels.set_index("metric")
    text = f"{m.label} ({m.unit})"
    if metric in lv.index:
        text += f": {dec.a} {_num(lv.at[metric, 'a_mean'], m.decimals)} → {dec.b} {_num(lv.at[metric, 'b_mean'], m.decimals)}"
    return text


HEADER = ["component", "Shapley [95% CI]", "alone", "last"]


def footnote(dec: Decomposition) -> str:
    return (f"{dec.b} − {dec.a} over {len(dec.seeds)} seed(s) ({', '.join(map(str, dec.seeds))}), "
            f"{len(dec.components)} components, {2 ** len(dec.components)} hybrids a seed. Shapley: the mean marginal "
            "contribution over every order of switching the components from A to B; the Shapley contributions add up to "
            "the total. Alone: A plus the component, minus A. Last: B minus B without the component. " + INTERVAL_NOTE + ".")


def format_decomposition(dec: Decomposition, width: int = 80) -> str:
    """The decomposition as plain text (logs, pipes): one block per outcome, within ``width``."""
    from sim.report import _wrap, full_name_lines

    lines = ["Components: " + "; ".join(f"{c.name} ({', '.join(c.keys) or 'no differing setting'})"
                                        for c in dec.components), ""]
    for metric in shown_metrics(dec):
        rows = rows_of(dec, metric)
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADER)]
        widths[0] = max(8, min(widths[0], width - 2 - sum(widths[1:]) - 6))
        lines.append(heading_of(dec, metric))
        for row in [HEADER, *rows]:
            whole, name = full_name_lines(row[0], widths[0], width)
            lines += whole
            lines.append(("  " + "  ".join([name, row[1].rjust(widths[1]), row[2].rjust(widths[2]),
                                            row[3].rjust(widths[3])])).rstrip())
        lines.append("")
    lines.append(footnote(dec))
    return "\n".join(_wrap(line, width) for line in lines)


def rich_tables(dec: Decomposition):
    """The decomposition as one rich table (a section per outcome), for a terminal."""
    from rich.table import Table

    grid = Table(title=f"{dec.b} − {dec.a}: contributions of the policy components", title_justify="left",
                 caption=footnote(dec), caption_justify="left", header_style="bold")
    grid.add_column(HEADER[0])
    for h in HEADER[1:]:
        grid.add_column(h, justify="right")
    for k, metric in enumerate(shown_metrics(dec)):
        if k:
            grid.add_section()
        grid.add_row(heading_of(dec, metric), "", "", "", style="bold")
        for row in rows_of(dec, metric):
            grid.add_row(*row, style="bold" if row[0] == TOTAL else None)
    return grid


#: At most this many outcomes in the figure (the first in ``METRICS`` order; all are in the CSV).
MAX_FIGURE_METRICS = 12


def decomposition_figure(dec: Decomposition):
    """A forest plot: one panel per outcome, one row per component and the total; point the Shapley
    contribution, whisker its 95% interval over seeds; alone (x) and last (+) as small marks; a line
    at zero. None when nothing is defined."""
    from matplotlib.lines import Line2D

    from sim import plotstyle

    metrics = [m for m in shown_metrics(dec) if np.isfinite(dec.table.loc[dec.table.metric == m, "shapley"]).any()]
    metrics = metrics[:MAX_FIGURE_METRICS]
    if not metrics:
        return None
    rows = [c.name for c in dec.components] + [TOTAL]
    styles = [plotstyle.arm_style(i) for i in range(len(dec.components))] + [{"color": "black", "marker": "D"}]
    fig, axes = plotstyle.panels(len(metrics), ncols=3, panel_size=(3.2, 1.2 + 0.36 * len(rows)),
                                 extra_width=plotstyle.label_width_in(rows) + plotstyle.LEGEND_IN,
                                 title=f"{dec.b} − {dec.a}: contribution of each component\n(point: Shapley, mean over "
                                       f"{len(dec.seeds)} seeds; line: 95% CI over seeds, paired; x alone, + last)")
    by = dec.table.set_index(["component", "metric"])
    for k, (ax, metric) in enumerate(zip(axes, metrics)):
        m = METRICS[metric]
        picked = by.reindex([(r, metric) for r in rows])
        plotstyle.intervals(ax, rows, picked["shapley"], picked["shapley_ci95_low"], picked["shapley_ci95_high"], styles,
                            zero_line=True, show_labels=k % 3 == 0)
        y = np.arange(len(rows))[::-1]
        ax.plot(picked["alone"].to_numpy(dtype=float), y, "x", color="0.35", markersize=5, zorder=4)
        ax.plot(picked["last"].to_numpy(dtype=float), y, "+", color="0.35", markersize=6, zorder=4)
        values = picked[["shapley_ci95_low", "shapley_ci95_high", "alone", "last"]].to_numpy(dtype=float)
        plotstyle.fit_xlim(ax, [values], [values], include_zero=True)
        ax.set_title(plotstyle.wrap(m.label.rstrip("*")))
        ax.set_xlabel(plotstyle.wrap(f"difference ({m.unit})", 40))
    handles = [Line2D([], [], color="0.2", marker="o", linestyle="-", label="Shapley, 95% CI"),
               Line2D([], [], color="0.35", marker="x", linestyle="none", label="alone (A + it − A)"),
               Line2D([], [], color="0.35", marker="+", linestyle="none", label="last (B − B without it)")]
    plotstyle.legend_outside(fig, handles, [h.get_label() for h in handles])
    return fig
