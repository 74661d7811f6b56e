"""Global sensitivity analysis of an experiment with a Morris or Sobol sample (SALib).

The quantity analysed at each design point is, for each output, the mean over replications of
the paired difference between each scenario and the reference scenario (``esd − titp``: the
same seeds in both, so the policy effect is not buried in run-to-run noise), or, with one
scenario, the output itself. Morris gives mu* (the mean absolute elementary effect, in the
output's unit, with a bootstrap 95% interval) and sigma (spread of the effects: interactions
or non-linearity); Sobol gives first-order and total indices S1 and ST with 95% intervals.

``analyse(DIR)`` reads a store written by ``tenseki sweep`` or ``tenseki sensitivity`` and
writes ``DIR/sensitivity/indices.csv`` and the figure ``DIR/sensitivity/indices.png`` (and ``.svg``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments import ExperimentError, outcomes, verified_runs
from sim.report import _num, full_name_lines
from sim.runner import write_table
from sim.summary import METRICS

INDEX_COLUMNS = ("target", "metric", "label", "unit", "method", "parameter", "index", "value", "ci95_low", "ci95_high")


def _targets(runs: pd.DataFrame, description: dict, outputs: list[str]) -> dict[str, pd.DataFrame]:
    """target name -> per-point values (index: point, columns: outputs, display units)."""
    scenarios = description["scenarios"]
    ref = (description.get("reference") or {}).get("scenario")
    factor = pd.Series({m: METRICS[m].factor for m in outputs})
    values = runs.set_index(["scenario", "point", "replication"])[outputs] * factor
    if ref is None or len(scenarios) == 1:
        return {s: values.loc[s].groupby(level="point").mean() for s in scenarios}
    base = values.loc[ref]
    out = {}
    for s in scenarios:
        if s != ref:
            out[f"{s} − {ref}"] = (values.loc[s] - base).groupby(level="point").mean()
    return out


def analyse(out: str | Path, plot: bool = True) -> pd.DataFrame:
    """Morris or Sobol indices of each output (or paired difference) of the store's experiment.

    Raises:
        ExperimentError: the experiment has no Morris or Sobol sample, or some design points
            have no finished run (the analysis needs every point: run the sweep again).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    desc = verified_runs(out).description
    sample = desc["spec"].get("sample")
    if not sample or sample["method"] not in ("morris", "sobol"):
        raise ExperimentError(f"{out}: the experiment {desc['name']!r} has no Morris or Sobol [sample]; "
                              "sensitivity indices need one")
    outputs = list(desc["spec"]["outputs"])
    names = desc.get("sample_names")
    if not names:  # a store written before the column names were recorded
        raise ExperimentError(f"{out}: experiment.json does not record the order of the sample's parameters; "
                              "run the same 'tenseki sensitivity' (or 'tenseki sweep') command again: finished runs "
                              "are reused and the order is recorded")
    # Names in the matrix's column order (the spec's ranges come back from JSON with sorted keys).
    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(sample["ranges"][n]) for n in names]}
    matrix = np.asarray(desc["sample_matrix"], dtype=float)
    runs = outcomes(out)
    rows = []
    for target, per_point in _targets(runs, desc, outputs).items():
        per_point = per_point.reindex(range(len(matrix)))
        for metric in outputs:
            y = per_point[metric].to_numpy(dtype=float)
            missing = np.flatnonzero(~np.isfinite(y))
            if len(missing) == len(y):
                continue  # undefined everywhere (e.g. a 5-year retention in a shorter run)
            if len(missing):
                raise ExperimentError(
                    f"{out}: {len(missing)} design point(s) have no value of {metric} (first: point {missing[0]}); "
                    "a failed or missing run: run the sweep again to finish them"
                )
            m = METRICS[metric]
            common = {"target": target, "metric": metric, "label": m.label, "unit": m.unit, "method": sample["method"]}
            if sample["method"] == "morris":
                res = morris_analyze.analyze(problem, matrix, y, conf_level=0.95, num_resamples=1000,
                                             num_levels=int(sample.get("levels", 4)), seed=1)
                for i, name in enumerate(problem["names"]):
                    ms, conf = float(res["mu_star"][i]), float(res["mu_star_conf"][i])
                    rows.append({**common, "parameter": name, "index": "mu_star", "value": ms,
                                 "ci95_low": ms - conf, "ci95_high": ms + conf})
                    rows.append({**common, "parameter": name, "index": "mu", "value": float(res["mu"][i]),
                                 "ci95_low": math.nan, "ci95_high": math.nan})
                    rows.append({**common, "parameter": name, "index": "sigma", "value": float(res["sigma"][i]),
                                 "ci95_low": math.nan, "ci95_high": math.nan})
            else:
                res = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=1)
                for i, name in enumerate(problem["names"]):
                    for index in ("S1", "ST"):
                        v, conf = float(res[index][i]), float(res[f"{index}_conf"][i])
                        rows.append({**common, "parameter": name, "index": index, "value": v,
                                     "ci95_low": v - conf, "ci95_high": v + conf})
    indices = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    folder = Path(out) / "sensitivity"
    folder.mkdir(parents=True, exist_ok=True)
    write_table(indices, folder / "indices.csv")
    if plot and len(indices):
        plot_indices(indices, folder / "indices.png", desc["name"])
    return indices


def short_name(parameter: str) -> str:
    """A parameter as shown: its dotted key without the top table ("esd:policy.supervision.x"
    -> "esd:supervision.x"); the CSV keeps the full key."""
    scope, sep, key = parameter.rpartition(":")
    short = key.split(".", 1)[1] if key.count(".") >= 2 else key
    return f"{scope}{sep}{short}"


def main_index(method: str) -> str:
    return "mu_star" if method == "morris" else "ST"


def plot_indices(indices: pd.DataFrame, path: Path, title: str) -> list[Path]:
    """One panel per target and output: mu* (Morris) or ST (Sobol) of each parameter, most
    important on top, with its 95% interval; the look of ``sim/plotstyle.py``; PNG and SVG."""
    from sim import plotstyle

    method = str(indices["method"].iloc[0])
    key = main_index(method)
    main = indices[indices["index"] == key]
    panels = list(main.groupby(["target", "metric"], sort=False))
    n_parameters = main["parameter"].nunique()
    names = [short_name(p) for p in main["parameter"].unique()]  # every panel labels its own rows
    label = "Morris screening: mu* (mean |elementary effect|)" if method == "morris" else "Sobol total-order index ST"
    fig, axes = plotstyle.panels(len(panels), ncols=2, panel_size=(3.4 + plotstyle.label_width_in(names),
                                                                   1.1 + 0.24 * n_parameters),
                                 title=f"{title}: {label}\n(point: index; line: 95% CI)")
    style = plotstyle.arm_style(0)
    for ax, ((target, metric), g) in zip(axes, panels):
        g = g.sort_values("value", ascending=False)
        plotstyle.intervals(ax, [short_name(p) for p in g["parameter"]], g["value"], g["ci95_low"].clip(lower=0),
                            g["ci95_high"], [style] * len(g), zero_line=False, include_zero=True)
        unit = g["unit"].iloc[0] if method == "morris" else "share of variance"
        ax.set_title(plotstyle.wrap(f"{METRICS[metric].label.rstrip('*')}: {target}", 34))
        ax.set_xlabel(f"{key} ({unit})")
    return plotstyle.save(fig, path)


def format_indices(indices: pd.DataFrame, width: int = 80, top: int = 10) -> str:
    """The indices as plain text: per target and output, parameters by importance."""
    if indices.empty:
        return "No sensitivity index could be computed (no output is defined in these runs)."
    method = str(indices["method"].iloc[0])
    key = main_index(method)
    lines = []
    for (target, metric), g in indices.groupby(["target", "metric"], sort=False):
        m = METRICS[metric]
        main = g[g["index"] == key].sort_values("value", ascending=False).head(top)
        other = g[g["index"] == ("sigma" if method == "morris" else "S1")].set_index("parameter")["value"]
        signed = g[g["index"] == "mu"].set_index("parameter")["value"]
        unit = m.unit if method == "morris" else "share of variance"
        lines.append(f"{m.label.rstrip('*')}: {target} ({key}, {unit})")
        if method == "morris":
            lines.append("  mu*: mean |elementary effect| (95% CI); mu: signed; sigma: spread")
        d = (m.decimals + 1 if m.decimals else 0) if method == "morris" else 2
        head = ("", key, "95% CI", "mu", "sigma") if method == "morris" else ("", key, "95% CI", "S1")
        cells = [head]
        for r in main.itertuples(index=False):
            row = [short_name(r.parameter), _num(r.value, d), f"[{_num(r.ci95_low, d)}, {_num(r.ci95_high, d)}]"]
            row += [_num(signed[r.parameter], d), _num(other[r.parameter], d)] if method == "morris" else [
                _num(other[r.parameter], d)]
            cells.append(tuple(row))
        widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
        widths[0] = max(8, min(widths[0], width - 2 - sum(widths[1:]) - 2 * (len(head) - 1)))
        for row in cells:
            whole, name = full_name_lines(row[0], widths[0], width)
            lines += whole
            rest = [row[1].rjust(widths[1]), row[2].ljust(widths[2]), *(c.rjust(w) for c, w in zip(row[3:], widths[3:]))]
            lines.append(("  " + "  ".join([name, *rest])).rstrip())
        lines.append("")
    return "\n".join(lines).rstrip()
