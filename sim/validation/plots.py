"""The validation figure: the model's band over seeds against the official points, one panel a measure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.validation.targets import IN_SAMPLE, MEASURES, OUT_OF_SAMPLE, SAMPLES, load_official, sample_of


def plot(model_yearly: pd.DataFrame, official: pd.DataFrame | None, path: str | Path, title: str = "") -> Path:
    """A PNG with one panel per measure: model mean and 5-95% band over seeds, official points.

    Official points are filled in sample (2017-2022) and hollow out of sample (2023-2024);
    [U] (uncertain) values are marked with a cross.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    official = load_official() if official is None else official
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    measures = [m for m in MEASURES if m in model_yearly]
    ncols = 3
    nrows = math.ceil(len(measures) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.4 * nrows), squeeze=False)
    for ax, measure in zip(axes.flat, measures):
        col, flag_col, label = MEASURES[measure]
        g = model_yearly.groupby("year")[measure]
        years = np.array(sorted(g.groups))
        mean = g.mean().reindex(years).to_numpy()
        lo = g.quantile(0.05).reindex(years).to_numpy()
        hi = g.quantile(0.95).reindex(years).to_numpy()
        ax.fill_between(years, lo, hi, color="tab:blue", alpha=0.25, lw=0, label="model 5-95%")
        ax.plot(years, mean, color="tab:blue", lw=1.8, label="model mean")
        off = official[["year", col, flag_col]].dropna(subset=[col])
        for _, r in off.iterrows():
            y = int(r["year"])
            if y < years.min() or y > years.max():
                continue
            inside = sample_of(y, measure) == "in"
            marker = "X" if r[flag_col] == "U" else "o"
            ax.plot(y, r[col], marker=marker, ms=7, color="black", mfc="black" if inside else "white", ls="none")
        held_out = SAMPLES.get(measure, (IN_SAMPLE, OUT_OF_SAMPLE))[1]
        if held_out:  # a measure fitted in every year with data has none
            ax.axvspan(held_out[0] - 0.5, held_out[-1] + 0.5, color="grey", alpha=0.12, lw=0)
        ax.set_title(label, fontsize=10)
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
        if not measure.endswith("_pct"):
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(measures):]:
        ax.axis("off")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color="tab:blue", lw=1.8, label="model mean"),
        Patch(color="tab:blue", alpha=0.25, label="model 5-95% over seeds"),
        Line2D([], [], marker="o", color="black", ls="none", label="official, in sample (2017-22)"),
        Line2D([], [], marker="o", color="black", mfc="white", ls="none", label="official, out of sample (2023-24, shaded)"),
        Line2D([], [], marker="X", color="black", ls="none", label="official, uncertain [U]"),
    ]
    spare = list(axes.flat)[len(measures):]
    if spare:
        spare[0].legend(handles=handles, loc="center", fontsize=9, frameon=False)
    else:
        fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
