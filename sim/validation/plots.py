"""The validation figure: the model's band over seeds against the official points, one panel a
measure, in the figures' one style (``sim.plotstyle.model_against_official``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim import plotstyle
from sim.validation.targets import IN_SAMPLE, MEASURES, OUT_OF_SAMPLE, SAMPLES, load_official, sample_of


def panels(model_yearly: pd.DataFrame, official: pd.DataFrame) -> list[plotstyle.ModelPanel]:
    """One panel per measure the runs hold: model mean and 5-95% band over seeds by year, the
    official values within those years (filled in sample, hollow out of sample, a cross for [U]),
    and the years held out of the fit."""
    out = []
    for measure in (m for m in MEASURES if m in model_yearly):
        col, flag_col, label = MEASURES[measure]
        g = model_yearly.groupby("year")[measure]
        years = np.array(sorted(g.groups))
        off = official[["year", col, flag_col]].dropna(subset=[col])
        points = [
            plotstyle.OfficialPoint(int(r["year"]), float(r[col]), in_sample=sample_of(int(r["year"]), measure) == "in",
                                    uncertain=r[flag_col] == "U")
            for _, r in off.iterrows() if years.min() <= int(r["year"]) <= years.max()
        ]
        held_out = SAMPLES.get(measure, (IN_SAMPLE, OUT_OF_SAMPLE))[1]  # none for a measure fitted in every year
        out.append(plotstyle.ModelPanel(
            title=label, x=years, mean=g.mean().reindex(years).to_numpy(), lo=g.quantile(0.05).reindex(years).to_numpy(),
            hi=g.quantile(0.95).reindex(years).to_numpy(), points=points,
            held_out=(held_out[0], held_out[-1]) if held_out else None,
        ))
    return out


def plot(model_yearly: pd.DataFrame, official: pd.DataFrame | None, path: str | Path, title: str = "") -> list[Path]:
    """The figure as PNG and SVG (``path`` with each suffix); returns both paths."""
    official = load_official() if official is None else official
    return plotstyle.model_against_official(
        panels(model_yearly, official), path, title,
        in_sample_label=f"official, in sample ({IN_SAMPLE[0]}-{str(IN_SAMPLE[-1])[2:]})",
        held_out_label=f"official, out of sample ({OUT_OF_SAMPLE[0]}-{str(OUT_OF_SAMPLE[-1])[2:]}, shaded)",
    )
