"""Guided lessons: a question, the student's prediction, the run, the gap explained, things to try.

Predict first (Kim, Reinecke & Hullman, CHI 2017: people who predict before they see the data
remember it better and notice what surprised them). Each lesson names two presets, a horizon
and one measure; the student sets a prediction, the page runs both presets on the student's seed
and shows the prediction, this run and the precomputed runs (``dashboards.ensemble``) on one
strip, then explains the gap in words. The words are in ``dashboards.strings``
(``lesson.<key>.*``); the numbers come from ``model.results()`` and the ensemble only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboards.strings import text


def _percent_change(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], float]:
    """(total of ``column`` under a - under b) / under b, in percent, over the months run."""

    def measure(a: pd.DataFrame, b: pd.DataFrame) -> float:
        x, y = float(a.loc[a["month"] >= 1, column].sum()), float(b.loc[b["month"] >= 1, column].sum())
        return 100.0 * (x - y) / y if y > 0 else float("nan")

    return measure


def _metro_share(a: pd.DataFrame, b: pd.DataFrame | None = None) -> float:
    """Share of the foreign residents modelled who live in the metro prefectures, last month, in percent."""
    metro, rest = float(a["stock_metro"].iloc[-1]), float(a["stock_nonmetro"].iloc[-1])
    return 100.0 * metro / (metro + rest) if metro + rest > 0 else float("nan")


def _points_gap(column: str) -> Callable[[pd.DataFrame, pd.DataFrame], float]:
    """Last month's ``column`` under a minus under b, in percentage points."""

    def measure(a: pd.DataFrame, b: pd.DataFrame) -> float:
        return 100.0 * (float(a[column].iloc[-1]) - float(b[column].iloc[-1]))

    return measure


@dataclass(frozen=True)
class Lesson:
    """One guided lesson: what is compared, over how long, and the measure the student predicts."""

    key: str
    preset: str
    second: str | None  # None: the measure reads one policy's run
    months: int
    measure: Callable[[pd.DataFrame, pd.DataFrame | None], float]
    low: float  # the prediction slider's range, in the measure's unit
    high: float
    unit: str  # "%" or "points"
    ensemble_name: str = "ensemble"  # which of dashboards/data's ensembles holds its precomputed runs

    @property
    def presets(self) -> tuple[str, ...]:
        return (self.preset,) if self.second is None else (self.preset, self.second)

    def ensemble_values(self, ensemble) -> np.ndarray:
        """The measure in each precomputed run (seed by seed: the same seed under both presets)."""
        if ensemble is None or self.months > ensemble.months:
            return np.array([])
        runs = ensemble.table[ensemble.table["month"] <= self.months]
        values = []
        for _, by_seed in runs.groupby("seed"):
            a = by_seed[by_seed["preset"] == self.preset].sort_values("month")
            b = None if self.second is None else by_seed[by_seed["preset"] == self.second].sort_values("month")
            if len(a) and (b is None or len(b)):
                values.append(self.measure(a, b))
        return np.array(values)


LESSONS: tuple[Lesson, ...] = (
    Lesson("mobility", "esd_transition", "titp", 36, _percent_change("disappearances_trainee"), -100, 100, "%"),
    Lesson("rural", "esd_transition", "titp", 60, _points_gap("vacancy_fill_nonmetro"), -20, 20, "points"),
    Lesson("settle", "esd_transition", None, 520, _metro_share, 0, 100, "%", ensemble_name="ensemble_2070"),
)
LESSON_BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def verdict(prediction: float, this_run: float, runs: np.ndarray, lesson: Lesson, lang: str) -> str:
    """The gap between the prediction and the result, in plain words."""
    unit = text(lang, f"lesson.unit.{lesson.unit}")
    gap = prediction - this_run
    if len(runs):
        low, high = float(np.min(runs)), float(np.max(runs))
        inside = low <= prediction <= high
        where = text(lang, "lesson.inside" if inside else "lesson.outside", low=f"{low:+.1f}", high=f"{high:+.1f}", unit=unit, n=len(runs))
    else:
        where = text(lang, "band.none")
    size = text(lang, "lesson.close") if abs(gap) <= max(2.0, 0.1 * abs(this_run)) else text(
        lang, "lesson.higher" if gap > 0 else "lesson.lower", gap=f"{abs(gap):.1f}", unit=unit)
    return text(lang, "lesson.result", prediction=f"{prediction:+.1f}", result=f"{this_run:+.1f}", unit=unit, size=size) + " " + where


def strip_chart(prediction: float, this_run: float, runs: np.ndarray, lesson: Lesson, lang: str) -> dict:
    """One axis: the precomputed runs (grey dots), this run (a big dot) and the prediction (a red rule)."""
    import altair as alt

    from dashboards.figures import _spec

    unit = text(lang, f"lesson.unit.{lesson.unit}")
    rows = [{"value": float(v), "what": text(lang, "lesson.what.runs")} for v in runs]
    rows.append({"value": float(this_run), "what": text(lang, "lesson.what.this_run")})
    points = alt.Chart(alt.Data(values=rows)).mark_circle(opacity=0.8).encode(
        x=alt.X("value:Q", title=text(lang, f"lesson.{lesson.key}.axis") + f" ({unit})",
                scale=alt.Scale(domain=[lesson.low, lesson.high])),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        size=alt.condition(f"datum.what == '{text(lang, 'lesson.what.this_run')}'", alt.value(220), alt.value(60)),
        tooltip=["what:N", alt.Tooltip("value:Q", format="+.1f")],
    )
    guess = alt.Chart(alt.Data(values=[{"value": float(prediction), "label": text(lang, "lesson.what.prediction")}])).mark_rule(
        color="#d62728", strokeWidth=3).encode(x="value:Q", tooltip=["label:N", alt.Tooltip("value:Q", format="+.1f")])
    label = alt.Chart(alt.Data(values=[{"value": float(prediction), "label": text(lang, "lesson.what.prediction")}])).mark_text(
        color="#d62728", dy=-30, align="left", dx=4).encode(x="value:Q", text="label:N")
    return _spec(alt.layer(guess, label, points).properties(width="container", height=80))
