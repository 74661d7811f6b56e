"""One look for the figures of ``report``, ``validate`` and ``sensitivity``.

A modeller should be able to put these figures in a paper as they are, so every figure is built
from the same few pieces:

- ``arm_style(k)``: the k-th arm's colour (Okabe-Ito, told apart by colour-blind readers), line
  style and marker, so that six arms stay distinct even in grey;
- ``panels``: a grid of axes in a constrained layout, so that the figure title, the panel titles,
  tick labels and the legend never overlap;
- ``band``: a mean line with its interval as a band;
- ``fit_ylim`` / ``fit_xlim``: axes that start where the data do (not at zero when the data are
  far from it), with zero kept as the floor of a quantity that cannot be negative;
- ``intervals``: a dot-and-whisker (forest) panel: one row per label, point and interval, and a
  zero line for differences;
- ``legend_outside``: the legend beside the panels, never over the data;
- ``save``: PNG and SVG (text kept as text) written atomically.

``text_overlaps(fig)`` lists pairs of text boxes (titles, axis labels, tick labels, legends) that
overlap in the rendered figure; the tests use it on every figure.

``sim/validation.py``'s figure is ``model_against_official(measures, path, title)``: one
``ModelPanel`` per measure (years, model mean and 5-95% band over seeds, ``OfficialPoint``s with
their in-sample and [U] flags, the held-out years) gives the same look, PNG and SVG.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.runner import write_atomic

#: Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies; black
#: is left out (kept for official data points).
ARM_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
#: Line styles cycled more slowly than colours would be pointless: each arm gets both.
ARM_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (8, 2)))
ARM_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Official (observed) values: black points over the model's colours.
OFFICIAL_POINT = {"marker": "o", "ms": 6, "color": "black", "ls": "none", "zorder": 5}
#: Formats every figure is written in: PNG for screens, SVG (text as text) for papers.
FORMATS = ("png", "svg")
PNG_DPI = 150
#: The figures' rcParams: small but legible type, light grid, no top and right frame.
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "lines.linewidth": 1.6,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}
#: Transparency of an interval band: light enough that six overlapping bands stay readable.
BAND_ALPHA = 0.14
#: Share of the data's range left free above and below it.
PAD = 0.06
#: Inches beside the panels for a legend of a few short entries.
LEGEND_IN = 2.4


def pyplot():
    """matplotlib's pyplot on the non-interactive Agg backend (figures are files, never windows)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def arm_style(k: int) -> dict[str, Any]:
    """Colour, line style and marker of the k-th arm (the same arm keeps them in every figure)."""
    return {"color": ARM_COLOURS[k % len(ARM_COLOURS)], "linestyle": ARM_LINESTYLES[k % len(ARM_LINESTYLES)],
            "marker": ARM_MARKERS[k % len(ARM_MARKERS)]}


def panels(n: int, ncols: int, title: str = "", panel_size: tuple[float, float] = (4.2, 3.0),
           sharex: bool = False, sharey: bool = False, extra_width: float = 0.0):
    """A figure of ``n`` panels in rows of ``ncols`` (unused cells hidden), laid out so that no text
    overlaps; ``extra_width`` inches are added for a legend beside the panels.

    Returns:
        The figure and the list of its ``n`` visible axes, row by row.
    """
    import matplotlib

    plt = pyplot()
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    with matplotlib.rc_context(STYLE):
        fig, grid = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols + extra_width, panel_size[1] * nrows),
                                 squeeze=False, sharex=sharex, sharey=sharey, layout="constrained")
    axes = list(grid.flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=STYLE["figure.titlesize"])
    return fig, axes[:n]


def band(ax, x, mean, lo, hi, style: dict[str, Any], label: str) -> None:
    """The mean as a line in the arm's colour and style, its interval [lo, hi] as a light band."""
    ax.fill_between(x, lo, hi, color=style["color"], alpha=BAND_ALPHA, linewidth=0)
    ax.plot(x, mean, color=style["color"], linestyle=style["linestyle"], linewidth=STYLE["lines.linewidth"],
            label=label)


def _limits(lows: Iterable, highs: Iterable, nonnegative: bool, include_zero: bool) -> tuple[float, float] | None:
    values_lo = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in lows] or [np.array([])])
    values_hi = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in highs] or [np.array([])])
    finite = np.concatenate([values_lo[np.isfinite(values_lo)], values_hi[np.isfinite(values_hi)]])
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    if nonnegative:
        low, high = max(low, 0.0), max(high, 0.0)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if span == 0.0:
        span = abs(high) * 0.1 or 1.0
    bottom, top = low - PAD * span, high + PAD * span
    if nonnegative and low > 0.0:
        bottom = max(bottom, 0.0)  # a margin below 0 only where a line lies at 0, to keep it off the frame
    return bottom, top


def fit_ylim(ax, lows: Iterable, highs: Iterable, nonnegative: bool = False, include_zero: bool = False) -> None:
    """Set the y-axis to the data's range plus a small margin, so that it starts where the data do
    (a wage of 200,000 yen is not drawn from 0); ``nonnegative`` keeps the axis at or above 0 for a
    quantity that cannot be negative (a t interval of a count may reach below it: draw its band
    clipped with ``np.maximum(lo, 0)``)."""
    limits = _limits(lows, highs, nonnegative, include_zero)
    if limits:
        ax.set_ylim(*limits)


def fit_xlim(ax, lows: Iterable, highs: Iterable, nonnegative: bool = False, include_zero: bool = False) -> None:
    """``fit_ylim`` for the x-axis (the value axis of a forest plot)."""
    limits = _limits(lows, highs, nonnegative, include_zero)
    if limits:
        ax.set_xlim(*limits)


def intervals(ax, labels: Sequence[str], mean, lo, hi, styles: Sequence[dict[str, Any]], zero_line: bool,
              show_labels: bool = True, include_zero: bool | None = None) -> None:
    """A forest panel: row i (top to bottom) is ``labels[i]``, its point ``mean[i]`` and its
    interval [lo[i], hi[i]] as a whisker in its style's colour and marker; with ``zero_line``, a
    line at 0 (no difference). The x-axis spans the data, and 0 too with ``include_zero`` (by
    default when there is a zero line)."""
    rows = np.arange(len(labels))[::-1]
    mean, lo, hi = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    for y, m, a, b, style in zip(rows, mean, lo, hi, styles):
        if np.isfinite(a) and np.isfinite(b):
            ax.plot([a, b], [y, y], color=style["color"], linewidth=2.0, solid_capstyle="butt")
        ax.plot([m], [y], marker=style["marker"], color=style["color"], markersize=6, markeredgecolor="white",
                markeredgewidth=0.6, linestyle="none", zorder=3)
    if zero_line:
        ax.axvline(0.0, color="0.25", linewidth=0.9, linestyle="--", zorder=1)
    ax.set_yticks(rows)
    ax.set_yticklabels(labels if show_labels else [""] * len(labels))
    if not show_labels:
        ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.grid(False, axis="y")
    fit_xlim(ax, [lo, mean], [hi, mean], include_zero=zero_line if include_zero is None else include_zero)
    number_axis(ax.xaxis)


def _number(value: float, _pos=None) -> str:
    """A tick value: thousands separated, a true minus sign, no needless decimals."""
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return text.replace("-", "\u2212")


def number_axis(axis, nbins: int = 5) -> None:
    """At most ``nbins`` + 1 round ticks on ``axis`` (ax.xaxis or ax.yaxis), printed as 12,000 and
    −2.5, so that tick labels never run into each other."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(_number))


#: Width of a character of a tick label (8 pt), to make room for the row labels of a forest panel.
LABEL_IN_PER_CHAR = 0.07


def label_width_in(labels: Iterable[str]) -> float:
    """Inches the longest line of these tick labels takes."""
    return LABEL_IN_PER_CHAR * max((len(line) for label in labels for line in str(label).split("\n")), default=0)


def wrap(text: str, chars: int = 30) -> str:
    """A panel title broken into lines of at most ``chars`` characters (titles of neighbouring
    panels must not run into each other)."""
    import textwrap

    return "\n".join(textwrap.fill(line, chars, break_on_hyphens=False) for line in text.split("\n"))


def legend_outside(fig, handles: Sequence, labels: Sequence[str], title: str | None = None):
    """The legend to the right of the panels, outside every axes (constrained layout makes room)."""
    return fig.legend(handles, labels, loc="outside right upper", frameon=False, title=title,
                      fontsize=STYLE["legend.fontsize"], title_fontsize=STYLE["legend.fontsize"])


def as_written(fig) -> None:
    """Every text of the figure shown as written: never read as mathtext.

    Why: the figures show names users chose (scenarios, arms, factor levels, parameters), and
    matplotlib reads text between two ``$`` as a formula: a name such as ``cost $5-$10`` or
    ``$\\frac`` would be drawn as maths or fail the whole figure once every run had finished.
    No figure of the project uses formulas, so none is lost."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)


def save(fig, path: str | Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write the figure as ``path`` with each suffix of ``formats`` (``x.png`` -> ``x.png``,
    ``x.svg``), each file whole or not at all; close the figure.

    Returns:
        The files written, in the order of ``formats``.
    """
    import matplotlib

    plt = pyplot()
    path = Path(path)
    written = []
    as_written(fig)
    try:
        with matplotlib.rc_context(STYLE):
            for fmt in formats:
                target = path.with_suffix(f".{fmt}")
                written.append(write_atomic(target, lambda tmp, fmt=fmt: fig.savefig(
                    tmp, format=fmt, dpi=PNG_DPI, metadata={"Date": None} if fmt == "svg" else None)))
    finally:
        plt.close(fig)
    return written


def text_boxes(fig) -> list[tuple[str, Any]]:
    """Every visible, non-empty text of the rendered figure with its box in pixels: the figure
    title, panel titles, axis labels, tick labels and legends (whole)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []

    def add(name: str, artist) -> None:
        if artist is None or not artist.get_visible():
            return
        if hasattr(artist, "get_text") and not artist.get_text().strip():
            return
        boxes.append((name, artist.get_window_extent(renderer)))

    add("figure title", fig._suptitle)
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for title in (ax._left_title, ax.title, ax._right_title):
            add(f"axes {k} title", title)
        add(f"axes {k} x label", ax.xaxis.label)
        add(f"axes {k} y label", ax.yaxis.label)
        for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * max(1.0, abs(low), abs(high))
            for tick in axis.get_major_ticks():  # only the ticks drawn: those within the view
                if low - slack <= tick.get_loc() <= high + slack:
                    add(f"axes {k} {axis_name} tick {tick.label1.get_text()!r}", tick.label1)
        if ax.get_legend() is not None:
            add(f"axes {k} legend", ax.get_legend())
    for k, legend in enumerate(fig.legends):
        add(f"figure legend {k}", legend)
    return boxes


def text_overlaps(fig, tolerance_px: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of text boxes of the rendered figure that overlap by more than ``tolerance_px``, and
    (name, "figure edge") for a text cut by the edge of the figure."""
    boxes = text_boxes(fig)
    edge = fig.bbox
    found = [(name, "figure edge") for name, box in boxes
             if box.x0 < edge.x0 - tolerance_px or box.y0 < edge.y0 - tolerance_px
             or box.x1 > edge.x1 + tolerance_px or box.y1 > edge.y1 + tolerance_px]
    for i, (name_a, a) in enumerate(boxes):
        for name_b, b in boxes[i + 1:]:
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > tolerance_px and height > tolerance_px:
                found.append((name_a, name_b))
    return found


# =============================================================================================
# The model against official figures (for sim/validation.py's plot)
# =============================================================================================
@dataclass(frozen=True)
class OfficialPoint:
    """One official value: filled if fitted (in sample), hollow if held out, a cross if uncertain [U]."""

    x: float
    y: float
    in_sample: bool = True
    uncertain: bool = False


@dataclass(frozen=True)
class ModelPanel:
    """One measure: the model's mean and band over seeds by year, the official points, and the
    years held out of the fit (shaded)."""

    title: str
    x: Sequence[float]
    mean: Sequence[float]
    lo: Sequence[float]
    hi: Sequence[float]
    points: Sequence[OfficialPoint] = ()
    held_out: tuple[float, float] | None = None


def model_against_official_figure(measures: Sequence[ModelPanel], title: str = "", ncols: int = 3,
                                  band_label: str = "model 5-95% over seeds",
                                  in_sample_label: str = "official, in sample",
                                  held_out_label: str = "official, out of sample (shaded)"):
    """One panel per measure: model mean line and band, official points on top, held-out years
    shaded, each y-axis spanning model and official values (0 kept as the floor), one legend
    beside the panels. ``sim/validation.py``'s figure is this with its measures."""
    fig, axes = panels(len(measures), ncols=ncols, panel_size=(3.9, 2.9), title=title, extra_width=LEGEND_IN)
    style = arm_style(0)
    for ax, m in zip(axes, measures):
        x = np.asarray(m.x, dtype=float)
        band(ax, x, m.mean, m.lo, m.hi, style, label="model mean")
        for p in m.points:
            ax.plot([p.x], [p.y], **{**OFFICIAL_POINT, "marker": "X" if p.uncertain else "o",
                                     "mfc": "black" if p.in_sample else "white"})
        if m.held_out:
            ax.axvspan(m.held_out[0] - 0.5, m.held_out[1] + 0.5, color="0.5", alpha=0.12, lw=0)
        official = [p.y for p in m.points]
        fit_ylim(ax, [m.lo, m.mean, official], [m.hi, m.mean, official], nonnegative=True)
        number_axis(ax.yaxis)
        ax.set_xlim(x.min() - 0.5, x.max() + 0.5)
        ax.set_xticks(x)
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_title(wrap(m.title, 32))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color=style["color"], linestyle=style["linestyle"], label="model mean"),
        Patch(color=style["color"], alpha=BAND_ALPHA * 2, label=band_label),
        Line2D([], [], **OFFICIAL_POINT, label=in_sample_label),
        Line2D([], [], **{**OFFICIAL_POINT, "mfc": "white"}, label=held_out_label),
        Line2D([], [], **{**OFFICIAL_POINT, "marker": "X"}, label="official, uncertain [U]"),
    ]
    legend_outside(fig, handles, [h.get_label() for h in handles])
    return fig


def model_against_official(measures: Sequence[ModelPanel], path: str | Path, title: str = "", **labels) -> list[Path]:
    """``model_against_official_figure`` written as PNG and SVG (``path`` with each suffix)."""
    return save(model_against_official_figure(measures, title, **labels), path)
