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
``over_time.png``
    The main monthly series per arm: mean over replications, band the 95% interval of the mean.
``final_year.png``
    Outcomes of the last 12 months of the run for every arm of a grid (mean and 95% interval).
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
        files.append(plot_over_time(runs, tables, folder / "over_time.png", desc))
        if desc.get("spec", {}).get("grid") or len(desc.get("scenarios", [])) > 1 and len(desc.get("points", [])) <= 1:
            files.append(plot_final_year(runs, tables, outputs, folder / "final_year.png", desc))
    return Report(summary, differences, runs, stored.problems, files, desc)


# =============================================================================================
# The terminal
# =============================================================================================
def _num(value: float, decimals: int) -> str:
    """A number as printed: thousands separated, a true minus sign, '–' when undefined."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.{decimals}f}".replace("-", "−")


def format_report(summary: pd.DataFrame, differences: pd.DataFrame, width: int = 80, max_arms: int = 24) -> str:
    """The summary and the paired differences as plain text, one block per outcome, no wider
    than ``width`` columns (arm names are shortened to fit); at most ``max_arms`` arms each
    (a sampled design has hundreds: they are in summary.csv)."""
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
            name = row[0] if len(row[0]) <= widths[0] else row[0][: widths[0] - 1] + "…"
            cells = [name.ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3]]
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
# Figures
# =============================================================================================
def _smoothed(series: pd.Series, months: pd.Series) -> pd.Series:
    return series.where(months >= 1).rolling(12, min_periods=1).mean()


PANELS = (
    ("Legal residents (thousand people)", lambda t: (t["stock_total"] - t["stock_irregular"]) / 1000.0),
    ("Disappearances (people a month, 12-month mean)", lambda t: _smoothed(t["disappearances"], t["month"])),
    ("Job changes by trainees, own wish\n(people a month, 12-month mean)",
     lambda t: _smoothed(t["transfers_voluntary"] - t["transfers_voluntary_ssw"] - t["transfers_voluntary_care_worker"],
                         t["month"])),
    ("Job changes by SSW holders, own wish\n(people a month, 12-month mean)",
     lambda t: _smoothed(t["transfers_voluntary_ssw"], t["month"])),
    ("Mean monthly wage (thousand yen)", lambda t: t["wage_mean_yen"] / 1000.0),
    ("Vacancies filled, non-metro prefectures (%)", lambda t: t["vacancy_fill_nonmetro"] * 100.0),
)


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    tmp = path.with_name(path.name + ".part.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path


def plot_over_time(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], path: Path, description: dict[str, Any]) -> Path:
    """Each main monthly series over time, one line per arm (mean), band: 95% interval of the mean.

    With more than 10 arms (a sampled design) lines are per scenario and the band is the 5-95%
    range over runs instead."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import stats

    many = runs["arm"].nunique() > 10
    key = "scenario" if many else "arm"
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), sharex=True, constrained_layout=True)
    colours = plt.get_cmap("tab10").colors
    for k, (name, g) in enumerate(runs.groupby(key, sort=False)):
        frames = [tables[str(r)].sort_values("month") for r in g["run_id"]]
        colour = colours[k % len(colours)]
        for ax, (_title, series) in zip(axes.flat, PANELS, strict=True):
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
            ax.fill_between(frame.index, lo, hi, color=colour, alpha=0.18, linewidth=0)
            ax.plot(frame.index, mean, color=colour, linewidth=1.6, label=str(name))
    last = int(max(t["month"].max() for t in tables.values()))
    step = next(s for s in (1, 3, 6, 12, 24, 60, 120, 240) if last / s <= 12)
    fmt = matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:,.0f}" if abs(y) >= 1000 else f"{y:g}")
    for ax, (title, _) in zip(axes.flat, PANELS, strict=True):
        ax.set_title(title, fontsize=10)
        ax.yaxis.set_major_formatter(fmt)
        ax.grid(True, alpha=0.3)
        ax.set_xticks(range(0, last + 1, step))
    for ax in axes[1]:
        ax.set_xlabel("Months since start")
    band = "band: 5-95% over runs" if many else "band: 95% CI of the mean over replications"
    fig.suptitle(f"{description.get('name', '')}: outcomes over time (line: mean; {band})", fontsize=12)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4), frameon=False, fontsize=10)
    return _save(fig, path)


def plot_final_year(runs: pd.DataFrame, tables: dict[str, pd.DataFrame], outputs: list[str], path: Path,
                    description: dict[str, Any]) -> Path:
    """The outcomes of the last 12 months per arm of the design: mean and 95% interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    final = []
    for r in runs.itertuples(index=False):
        t = tables[str(r.run_id)]
        last = t[t["month"] > t["month"].max() - 12]
        if len(last) < 1:
            continue
        final.append({"arm": r.arm, **headline(pd.concat([t[t["month"] == 0], last]))})
    frame = pd.DataFrame(final)
    shown = [m for m in outputs if m != "trainee_disappearance_rate_pct" and m != "still_in_japan_after_5y_share"][:8]
    cols = min(4, len(shown))
    rows = math.ceil(len(shown) / cols)
    arms = list(dict.fromkeys(runs["arm"]))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows + 1.2), squeeze=False, constrained_layout=True)
    colours = plt.get_cmap("tab10").colors
    for ax, metric in zip(axes.flat, shown):
        m = METRICS[metric]
        stats_ = [t_interval(frame.loc[frame.arm == a, metric].to_numpy(dtype=float) * m.factor) for a in arms]
        means = [s[0] for s in stats_]
        err = np.array([[s[0] - s[2] for s in stats_], [s[3] - s[0] for s in stats_]])
        ax.bar(range(len(arms)), means, yerr=err, capsize=3, color=[colours[i % 10] for i in range(len(arms))])
        ax.set_title(f"{m.label.rstrip('*')}\n({m.unit})", fontsize=9)
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels(arms, rotation=35, ha="right", fontsize=7)
        ax.grid(True, axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    fig.suptitle(f"{description.get('name', '')}: the final year of the run (last 12 months) across the design "
                 "(bar: mean over replications; whisker: 95% CI)", fontsize=11)
    return _save(fig, path)
