"""The report of an experiment: summary with confidence intervals, paired differences, figures.

``write_report(DIR)`` reads the verified runs of a store (``sim.experiments.verified_runs``;
damaged or missing runs are listed, never read) and writes ``DIR/report/``:

``summary.csv``
    One row per arm (scenario and design point) and headline outcome: n, mean, sd and the 95%
    confidence interval of the mean over replications (Student's t, ``scipy.stats``), in the
    unit shown in the ``unit`` column (percentages as percent, as printed).
``differences.csv``
    Paired differences against the reference arm (``reference`` of the experiment): the same
    replication has the same seed in every arm (common random numbers), so the difference is
    taken run by run and its mean gets a t interval and a paired t-test p-value. The label
    reads "esd − titp"; the unit is the outcome's.
``runs.csv``
    One row per run: its parameters and headline outcomes (stored units, as ``sim.summary``).
``over_time.png``, ``.svg``
    The main monthly series per arm: mean over replications, band the 95% interval of the mean.
``differences.png``, ``.svg``
    The forest plot of ``differences.csv``: one panel per outcome, one row per arm against its
    reference, point and 95% interval, a line at zero (what the analysis is about).
``final_year.png``, ``.svg``
    Outcomes of the last 12 months of the run for every arm of a grid (mean and 95% interval).

Every figure has the look of ``sim/plotstyle.py`` (shared with ``validate`` and ``sensitivity``):
full arm names, one colour, line style and marker per arm, axes spanning the data, PNG and SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments import verified_runs
from sim.runner import write_table
from sim.store import Fault
from sim.summary import LAST_12_NOTE, METRICS, headline

SUMMARY_COLUMNS = ("arm", "scenario", "point", "point_label", "metric", "label", "unit", "n", "mean", "sd",
                   "ci95_low", "ci95_high")
DIFFERENCE_COLUMNS = ("comparison", "arm", "reference", "metric", "label", "unit", "n_pairs", "mean_difference",
                      "ci95_low", "ci95_high", "p_value")


@dataclass
class Report:
    """What ``write_report`` found and wrote."""

    summary: pd.DataFrame
    differences: pd.DataFrame
    runs: pd.DataFrame
    problems: list[Fault]
    files: list[Path]
    description: dict[str, Any]


def t_interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sd and the 95% t interval of the mean (the interval is the mean itself for n = 1)."""
    from scipy import stats

    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return (math.nan,) * 4
    mean = float(values.mean())
    if n == 1:
        return mean, 0.0, mean, mean
    sd = float(values.std(ddof=1))
    if sd == 0.0:
        return mean, 0.0, mean, mean
    lo, hi = stats.t.interval(0.95, n - 1, loc=mean, scale=sd / math.sqrt(n))
    return mean, sd, float(lo), float(hi)


def arm_label(scenario: str, point_label: str, n_scenarios: int) -> str:
    """How an arm is named in tables: the scenario, the design point, or both."""
    if not point_label:
        return scenario
    return point_label if n_scenarios == 1 else f"{scenario}: {point_label}"


def run_outcomes(stored, keep_tables: bool = True) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Per-run headline outcomes (one row a run) and, with ``keep_tables``, the monthly tables by run_id."""
    desc = stored.description
    factors = desc.get("factors", [])
    rows, tables = [], {}
    n_scenarios = len(desc.get("scenarios", []))
    for rec in stored.records:
        table = pd.read_parquet(stored.path(rec))
        meta = ["run_id", "scenario", "point", "point_label", *factors, "replication", "seed"]
        params = {k: table[k].iloc[0] for k in meta}
        monthly = table.drop(columns=meta)
        params["arm"] = arm_label(str(params["scenario"]), str(params["point_label"]), n_scenarios)
        rows.append({**params, **headline(monthly)})
        if keep_tables:
            tables[str(params["run_id"])] = monthly
    return pd.DataFrame(rows), tables


def summarise_arms(runs: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Mean, sd and 95% interval of each output per arm, in display units (see the module doc)."""
    rows = []
    for (arm, scenario, point, label), g in runs.groupby(["arm", "scenario", "point", "point_label"], sort=False):
        for metric in outputs:
            m = METRICS[metric]
            values = g[metric].to_numpy(dtype=float) * m.factor
            mean, sd, lo, hi = t_interval(values)
            rows.append({"arm": arm, "scenario": scenario, "point": int(point), "point_label": label, "metric": metric,
                         "label": m.label, "unit": m.unit, "n": int(np.isfinite(values).sum()), "mean": mean, "sd": sd,
                         "ci95_low": lo, "ci95_high": hi})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def paired_differences(runs: pd.DataFrame, description: dict[str, Any], outputs: list[str]) -> pd.DataFrame:
    """Each arm minus its reference arm, replication by replication (same seeds)."""
    from scipy import stats

    reference = description.get("reference")
    if not reference or runs.empty:
        return pd.DataFrame(columns=list(DIFFERENCE_COLUMNS))
    points = {p["index"]: p for p in description.get("points", [])}
    by_factors = {tuple(sorted((k, str(v)) for k, v in p["factors"].items())): i for i, p in points.items()}
    arms = runs.drop_duplicates(["scenario", "point"])[["scenario", "point", "arm"]]
    arm_name = {(r.scenario, int(r.point)): r.arm for r in arms.itertuples(index=False)}
    rows = []
    for (scenario, point), name in arm_name.items():
        levels = {k: str(v) for k, v in points[point]["factors"].items()}
        ref_scenario = reference.get("scenario", scenario)
        levels.update({k: str(v) for k, v in reference.items() if k != "scenario"})
        ref_point = by_factors.get(tuple(sorted(levels.items())))
        if ref_point is None or (ref_scenario, ref_point) == (scenario, point) or (ref_scenario, ref_point) not in arm_name:
            continue
        mine = runs[(runs.scenario == scenario) & (runs.point == point)].set_index("replication")
        theirs = runs[(runs.scenario == ref_scenario) & (runs.point == ref_point)].set_index("replication")
        common = mine.index.intersection(theirs.index)
        ref_name = arm_name[(ref_scenario, ref_point)]
        for metric in outputs:
            m = METRICS[metric]
            d = (mine.loc[common, metric].to_numpy(dtype=float) - theirs.loc[common, metric].to_numpy(dtype=float)) * m.factor
            d = d[np.isfinite(d)]
            mean, sd, lo, hi = t_interval(d)
            p = float(stats.ttest_rel(d, np.zeros_like(d)).pvalue) if len(d) > 1 and sd > 0 else math.nan
            rows.append({"comparison": f"{name} − {ref_name}", "arm": name, "reference": ref_name, "metric": metric,
                         "label": m.label, "unit": m.unit, "n_pairs": len(d), "mean_difference": mean,
                         "ci95_low": lo, "ci95_high": hi, "p_value": p})
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


def write_report(out: str | Path, plots: bool = True) -> Report:
    """Write ``out/report/`` (see the module docstring) from the verified runs of the store ``out``."""
    stored = verified_runs(out)
    desc = stored.description
    outputs = list(desc.get("spec", {}).get("outputs") or METRICS)
    folder = Path(out) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    runs, tables = run_outcomes(stored)
    files = []
    if runs.empty:
        return Report(pd.DataFrame(columns=list(SUMMARY_COLUMNS)), pd.DataFrame(columns=list(DIFFERENCE_COLUMNS)),
                      runs, stored.problems, files, desc)
    summary = summarise_arms(runs, outputs)
    differences = paired_differences(runs, desc, outputs)
    files.append(write_table(summary, folder / "summary.csv"))
    files.append(write_table(differences, folder / "differences.csv"))
    files.append(write_table(runs, folder / "runs.csv"))
    if plots:
        files += plot_over_time(runs, tables, folder / "over_time.png", desc)
        files += plot_differences(differences, runs, folder / "differences.png", desc)
        if desc.get("spec", {}).get("grid") or len(desc.get("scenarios", [])) > 1 and len(desc.get("points", [])) <= 1:
            files += plot_final_year(runs, tables, outputs, folder / "final_year.png", desc)
    return Report(summary, differences, runs, stored.problems, files, desc)


# =============================================================================================
# The terminal
# =============================================================================================
def _num(value: float, decimals: int) -> str:
    """A number as printed: thousands separated, a true minus sign, '–' when undefined."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.{decimals}f}".replace("-", "−")


def full_name_lines(name: str, column: int, width: int) -> tuple[list[str], str]:
    """A row's name kept whole: the lines to print before the row (none when the name fits its
    ``column``; else the name on a line of its own, wrapped within ``width``) and the name cell."""
    import textwrap

    if len(name) <= column:
        return [], name.ljust(column)
    return ["  " + part for part in textwrap.wrap(name, width - 2, break_on_hyphens=False)], "".ljust(column)


def format_report(summary: pd.DataFrame, differences: pd.DataFrame, width: int = 80, max_arms: int = 24) -> str:
    """The summary and the paired differences as plain text, one block per outcome, no wider
    than ``width`` columns (an arm name too long for its column is printed whole on a line of
    its own above its numbers); at most ``max_arms`` arms each (a sampled design has hundreds:
    they are in summary.csv)."""
    lines: list[str] = []
    arms = list(dict.fromkeys(summary["arm"]))
    if len(arms) > max_arms:
        summary = summary[summary["arm"].isin(arms[:max_arms])]
        lines += [f"The first {max_arms} of {len(arms)} arms (all of them: report/summary.csv, differences.csv).", ""]
    diff = {(r.arm, r.metric): r for r in differences.itertuples(index=False)}
    ref_names = sorted(set(differences["reference"])) if len(differences) else []
    head_diff = f"− {ref_names[0]}" if len(ref_names) == 1 else "− reference"
    for metric in dict.fromkeys(summary["metric"]):
        m = METRICS[metric]
        block = summary[summary.metric == metric]
        rows = []
        for r in block.itertuples(index=False):
            ci = f"[{_num(r.ci95_low, m.decimals)}, {_num(r.ci95_high, m.decimals)}]" if r.n > 1 else ""
            d = diff.get((r.arm, metric))
            dtext = ""
            if d is not None:
                dtext = _num(d.mean_difference, m.decimals)
                if d.n_pairs > 1:
                    dtext += f" [{_num(d.ci95_low, m.decimals)}, {_num(d.ci95_high, m.decimals)}]"
            rows.append([str(r.arm), _num(r.mean, m.decimals), ci, dtext])
        header = ["", "mean", "95% CI", head_diff if any(row[3] for row in rows) else ""]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
        spare = width - 2 - sum(widths[1:]) - 3 * 2  # indent, three gaps of two
        widths[0] = max(8, min(widths[0], spare))
        lines.append(f"{m.label} ({m.unit})")
        for row in [header, *rows]:
            whole, name = full_name_lines(row[0], widths[0], width)
            lines += whole
            cells = [name, row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3]]
            lines.append(("  " + "  ".join(cells)).rstrip())
        lines.append("")
    n = summary["n"].max() if len(summary) else 0
    lines.append(f"Mean over {n} replication(s); 95% CI of the mean (Student's t). Differences are paired: the "
                 "same seeds in every arm (common random numbers).")
    if any(str(label).endswith("*") for label in summary["label"]):
        lines.append(LAST_12_NOTE)
    return "\n".join(_wrap(line, width) for line in lines)


def _wrap(line: str, width: int) -> str:
    if len(line) <= width:
        return line
    import textwrap

    return "\n".join(textwrap.wrap(line, width))


# =============================================================================================
# Figures (the shared look: sim/plotstyle.py)
# =============================================================================================
def _smoothed(series: pd.Series, months: pd.Series) -> pd.Series:
    return series.where(months >= 1).rolling(12, min_periods=1).mean()


PANELS = (
    ("Legal residents (thousand people)", lambda t: (t["stock_total"] - t["stock_irregular"]) / 1000.0),
    ("Disappearances (people a month, 12-month mean)", lambda t: _smoothed(t["disappearances"], t["month"])),
    ("Job changes by trainees, own wish\n(people a month, 12-month mean)",
     lambda t: _smoothed(t["transfers_voluntary_trainee"], t["month"])),
    ("Job changes by SSW holders, own wish\n(people a month, 12-month mean)",
     lambda t: _smoothed(t["transfers_voluntary_ssw"], t["month"])),
    ("Mean monthly wage (thousand yen)", lambda t: t["wage_mean_yen"] / 1000.0),
    ("Vacancies filled, non-metro prefectures (%)", lambda t: t["vacancy_fill_nonmetro"] * 100.0),
)
#: Above this many arms (a sampled design) the series are drawn per scenario, band 5-95% over runs.
MAX_ARMS_OVER_TIME = 10
#: Above this many comparisons the forest plot would be unreadable: differences.csv holds them.
MAX_FOREST_ROWS = 30
#: Outcomes left out of the final-year figure (undefined in a run's last 12 months alone).
NOT_IN_FINAL_YEAR = ("trainee_disappearance_rate_pct", "still_in_japan_after_5y_share")
LEGEND_WIDTH_IN = 2.6


def arm_styles(runs: pd.DataFrame, key: str = "arm") -> dict[str, dict[str, Any]]:
    """Each arm's colour, line style and marker, in the order the arms first appear (the same arm
    looks the same in every figure of the report)."""
    from sim import plotstyle

    return {str(name): plotstyle.arm_style(k) for k, name in enumerate(dict.fromkeys(runs[key].astype(str)))}


def _month_ticks(ax, last: int) -> None:
    step = next(s for s in (1, 3, 6, 12, 24, 60, 120, 240) if last / s <= 12)
    ax.set_xticks(range(0, last + 1, step))
    ax.set_xlim(0, last)


def over_time_figure(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], description: dict[str, Any]):
    """Each main monthly series over time, one line per arm (mean over replications) with its 95%
    interval of the mean as a band; each y-axis spans its data, the legend stands beside the panels.

    With more than ``MAX_ARMS_OVER_TIME`` arms (a sampled design) lines are per scenario and the
    band is the 5-95% range over runs instead."""
    from scipy import stats

    from sim import plotstyle

    many = runs["arm"].nunique() > MAX_ARMS_OVER_TIME
    key = "scenario" if many else "arm"
    band = "band: 5-95% over runs" if many else "band: 95% CI of the mean over replications"
    fig, axes = plotstyle.panels(len(PANELS), ncols=3, panel_size=(4.3, 3.1), sharex=True,
                                 extra_width=LEGEND_WIDTH_IN,
                                 title=f"{description.get('name', '')}: outcomes over time\n(line: mean; {band})")
    styles = arm_styles(runs, key)
    extent: list[tuple[list, list]] = [([], []) for _ in PANELS]
    for name, g in runs.groupby(key, sort=False):
        frames = [tables[str(r)].sort_values("month") for r in g["run_id"]]
        for (ax, (_title, series)), (lows, highs) in zip(zip(axes, PANELS, strict=True), extent, strict=True):
            frame = pd.concat([series(t).set_axis(t["month"].to_numpy()) for t in frames], axis=1)
            mean = frame.mean(axis=1)
            n = frame.shape[1]
            if many:
                lo, hi = frame.quantile(0.05, axis=1), frame.quantile(0.95, axis=1)
            elif n > 1:
                half = stats.t.ppf(0.975, n - 1) * frame.std(axis=1, ddof=1) / math.sqrt(n)
                lo, hi = mean - half, mean + half
            else:
                lo = hi = mean
            lo = np.maximum(lo, 0.0)  # every panel counts something: an interval below 0 is drawn to 0
            plotstyle.band(ax, frame.index, mean, lo, hi, styles[str(name)], label=str(name))
            lows.append(lo)
            highs.append(hi)
    last = int(max(t["month"].max() for t in tables.values()))
    for k, (ax, (title, _)) in enumerate(zip(axes, PANELS, strict=True)):
        ax.set_title(title)
        plotstyle.fit_ylim(ax, *extent[k], nonnegative=True)
        plotstyle.number_axis(ax.yaxis, nbins=6)
        _month_ticks(ax, last)
        if k >= len(PANELS) - 3:
            ax.set_xlabel("Months since start")
    handles, labels = axes[0].get_legend_handles_labels()
    plotstyle.legend_outside(fig, handles, labels, title="scenario" if many else "arm")
    return fig


def _shown_metrics(metrics: list[str], values: pd.DataFrame, column: str) -> list[str]:
    """The metrics that have at least one finite value (a 5-year retention is undefined in a shorter run)."""
    return [m for m in metrics if np.isfinite(values.loc[values.metric == m, column].to_numpy(dtype=float)).any()]


def _forest(rows: list[str], metrics: list[str], table: pd.DataFrame, row_column: str, value: str,
            styles: list[dict[str, Any]], zero_line: bool, title: str, xlabel: str, ncols: int, row_height_in: float):
    """Panels of dot-and-whisker rows (one panel per metric, the same rows in each, labelled in the
    first column); ``table`` has one line per (row, metric) with ``value``, ci95_low, ci95_high."""
    from sim import plotstyle

    ncols = min(ncols, len(metrics))
    fig, axes = plotstyle.panels(len(metrics), ncols=ncols, panel_size=(3.2, 1.1 + row_height_in * len(rows)),
                                 title=title, extra_width=plotstyle.label_width_in(rows))
    by = table.set_index([row_column, "metric"])
    for k, (ax, metric) in enumerate(zip(axes, metrics)):
        m = METRICS[metric]
        picked = by.reindex([(r, metric) for r in rows])
        plotstyle.intervals(ax, rows, picked[value], picked["ci95_low"], picked["ci95_high"], styles,
                            zero_line=zero_line, show_labels=k % ncols == 0)
        ax.set_title(plotstyle.wrap(m.label.rstrip("*")))
        ax.set_xlabel(plotstyle.wrap(xlabel.format(unit=m.unit), 40))
    return fig


def differences_figure(differences: pd.DataFrame, description: dict[str, Any], styles: dict[str, dict[str, Any]]):
    """The forest plot of the paired differences: one panel per outcome, one row per arm against its
    reference (point: mean of the run-by-run differences; whisker: 95% t interval), a line at zero.
    None when there is no difference to show or too many to read (``MAX_FOREST_ROWS``)."""
    if differences.empty:
        return None
    comparisons = list(dict.fromkeys(differences["comparison"]))
    metrics = _shown_metrics(list(dict.fromkeys(differences["metric"])), differences, "mean_difference")
    if not metrics or len(comparisons) > MAX_FOREST_ROWS:
        return None
    first = differences.drop_duplicates("comparison").set_index("comparison")
    labels = {c: f"{first.at[c, 'arm']}\n− {first.at[c, 'reference']}" for c in comparisons}
    table = differences.assign(row=differences["comparison"].map(labels))
    n = int(differences["n_pairs"].max())
    return _forest([labels[c] for c in comparisons], metrics, table, "row", "mean_difference",
                   [styles[str(first.at[c, "arm"])] for c in comparisons],
                   zero_line=True, xlabel="difference ({unit})", ncols=3, row_height_in=0.42,
                   title=f"{description.get('name', '')}: paired differences against the reference\n"
                         f"(point: mean over {n} replications of the run-by-run difference, same seeds in both arms; "
                         "line: 95% CI)")


def final_year_figure(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], outputs: list[str],
                      description: dict[str, Any], styles: dict[str, dict[str, Any]]):
    """The outcomes of the last 12 months per arm of the design: point (mean over replications)
    and 95% interval, each axis spanning its data (levels; the differences are differences_figure)."""
    final = []
    for r in runs.itertuples(index=False):
        t = tables[str(r.run_id)]
        last = t[t["month"] > t["month"].max() - 12]
        final.append({"arm": r.arm, **headline(pd.concat([t[t["month"] == 0], last]))})
    frame = pd.DataFrame(final)
    arms = list(dict.fromkeys(runs["arm"].astype(str)))
    rows = []
    for metric in (m for m in outputs if m not in NOT_IN_FINAL_YEAR):
        factor = METRICS[metric].factor
        for arm in arms:
            mean, _sd, lo, hi = t_interval(frame.loc[frame.arm == arm, metric].to_numpy(dtype=float) * factor)
            rows.append({"arm": arm, "metric": metric, "mean": mean, "ci95_low": lo, "ci95_high": hi})
    table = pd.DataFrame(rows)
    metrics = _shown_metrics(list(dict.fromkeys(table["metric"])), table, "mean")[:8]
    if not metrics:
        return None
    return _forest(arms, metrics, table, "arm", "mean", [styles[a] for a in arms], zero_line=False,
                   xlabel="{unit}", ncols=4, row_height_in=0.26,
                   title=f"{description.get('name', '')}: the final year of the run (last 12 months) across the design\n"
                         "(point: mean over replications; line: 95% CI)")


def plot_over_time(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], path: Path,
                   description: dict[str, Any]) -> list[Path]:
    """``over_time_figure`` written as PNG and SVG (``path`` with each suffix); returns the files."""
    from sim import plotstyle

    return plotstyle.save(over_time_figure(runs, tables, description), path)


def plot_differences(differences: pd.DataFrame, runs: pd.DataFrame, path: Path, description: dict[str, Any]) -> list[Path]:
    """``differences_figure`` written as PNG and SVG; no file when there is nothing to show."""
    from sim import plotstyle

    fig = differences_figure(differences, description, arm_styles(runs))
    return plotstyle.save(fig, path) if fig is not None else []


def plot_final_year(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], outputs: list[str], path: Path,
                    description: dict[str, Any]) -> list[Path]:
    """``final_year_figure`` written as PNG and SVG; no file when no outcome is defined."""
    from sim import plotstyle

    fig = final_year_figure(runs, tables, outputs, description, arm_styles(runs))
    return plotstyle.save(fig, path) if fig is not None else []
