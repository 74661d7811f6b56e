"""The figures of ``report`` and ``sensitivity`` (and the style ``validate`` is to share), looked at
by the machine: every arm is named in full in a legend or a row label, no two texts overlap and
none is cut by the figure's edge (titles, tick labels, axis labels, legends, as rendered), axes
start where the data do, the forest plot shows each paired difference with its interval and a zero
line, and each figure is written as PNG and SVG. Synthetic tables: six arms with long names, a wage
near 200,000 yen, three replications."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import plotstyle, report, sensitivity
from sim.outputs import COLUMNS
from sim.summary import METRICS

ARMS = ("restricted / three_years", "restricted / ssw_path", "after_waiting_period / three_years",
        "after_waiting_period / ssw_path", "free / three_years", "free / ssw_path")
REFERENCE = {arm: ARMS[0] if arm.endswith("three_years") else ARMS[1] for arm in ARMS}
MONTHS = 24
REPLICATIONS = 3
DESCRIPTION = {"name": "synthetic"}
WAGE_PANEL = 4  # report.PANELS: "Mean monthly wage (thousand yen)"


def monthly_table(arm: int, replication: int) -> pd.DataFrame:
    """A run's monthly table with every output column: counts in the thousands, a wage near
    200,000 yen rising with the arm, shares between 0 and 1."""
    rng = np.random.default_rng([arm, replication])
    months = np.arange(MONTHS + 1)
    table = {c: rng.uniform(50.0, 150.0, len(months)) for c in COLUMNS}
    table["month"] = months
    table["stock_total"] = 700_000.0 + 1_000.0 * arm + rng.normal(0, 2_000, len(months))
    table["stock_irregular"] = rng.uniform(9_000, 11_000, len(months))
    table["wage_mean_yen"] = 196_000.0 + 800.0 * arm + 150.0 * months + rng.normal(0, 300, len(months))
    for share in ("vacancy_fill_nonmetro", "vacancy_fill_metro", "share_in_debt", "retention_60m"):
        table[share] = rng.uniform(0.6, 0.9, len(months))
    return pd.DataFrame(table)


@pytest.fixture(scope="module")
def design() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Six arms x three replications: the runs table (run_id, arm, scenario) and the monthly tables."""
    runs, tables = [], {}
    for a, arm in enumerate(ARMS):
        for r in range(REPLICATIONS):
            run_id = f"p{a}-r{r}"
            runs.append({"run_id": run_id, "arm": arm, "scenario": "esd", "replication": r})
            tables[run_id] = monthly_table(a, r)
    return pd.DataFrame(runs), tables


@pytest.fixture(scope="module")
def differences() -> pd.DataFrame:
    """Paired differences of four arms against their reference, for three outcomes."""
    rows = []
    for k, arm in enumerate(a for a in ARMS if a not in REFERENCE.values()):
        for metric, centre in (("disappearances_per_1000", -3.0), ("wage_mean_yen", 1_500.0),
                               ("vacancy_fill_nonmetro", -2.0)):
            mean = centre * (k + 1)
            rows.append({"comparison": f"{arm} − {REFERENCE[arm]}", "arm": arm, "reference": REFERENCE[arm],
                         "metric": metric, "label": METRICS[metric].label, "unit": METRICS[metric].unit,
                         "n_pairs": REPLICATIONS, "mean_difference": mean, "ci95_low": mean - abs(centre),
                         "ci95_high": mean + abs(centre) * 0.5, "p_value": 0.04})
    return pd.DataFrame(rows, columns=list(report.DIFFERENCE_COLUMNS))


@pytest.fixture(scope="module")
def indices() -> pd.DataFrame:
    """Morris indices of seven parameters with long dotted names for two outputs."""
    rows = []
    for metric in ("disappearances_per_1000", "wage_mean_yen"):
        for i in range(7):
            name = f"esd:behaviour.transfer.a_rather_long_parameter_name_{i}"
            value = 10.0 * (i + 1)
            rows.append({"target": "esd − titp", "metric": metric, "label": METRICS[metric].label,
                         "unit": METRICS[metric].unit, "method": "morris", "parameter": name, "index": "mu_star",
                         "value": value, "ci95_low": value - 3.0, "ci95_high": value + 3.0})
    return pd.DataFrame(rows, columns=list(sensitivity.INDEX_COLUMNS))


VALIDATION_TITLES = ("TITP stock, year end (people)", "Trainee disappearances a year (people)",
                     "ISA disappearance rate (%)", "Mean TITP monthly pay (yen)",
                     "Bridging status holders, year end; official: upper bound (people)",
                     "Overstayers, last status TITP, 1 Jan next year (people)",
                     "SSW i entrants of the year who changed employer by end-2024 (%)")


def validation_panels() -> list[plotstyle.ModelPanel]:
    """Seven measures 2017-2024 as ``validate`` draws them: a band over seeds, official points in
    and out of sample, one uncertain; the first a stock between 250,000 and 460,000."""
    years = np.arange(2017, 2025)
    panels = []
    for k, title in enumerate(VALIDATION_TITLES):
        mean = (250_000.0 + 25_000.0 * (years - 2017)) / (k + 1)
        points = [plotstyle.OfficialPoint(y, m * 1.03, in_sample=y <= 2022, uncertain=y == 2020)
                  for y, m in zip(years, mean)]
        panels.append(plotstyle.ModelPanel(title, years, mean, mean * 0.95, mean * 1.05, points, held_out=(2023, 2024)))
    return panels


def figure_named(name: str, design, differences, indices):
    """The figure ``name`` of the report (or the sensitivity analysis) drawn from the synthetic tables."""
    if name != "sensitivity":
        runs, tables = design
        styles = report.arm_styles(runs)
    if name == "over_time":
        return report.over_time_figure(runs, tables, DESCRIPTION)
    if name == "differences":
        return report.differences_figure(differences, DESCRIPTION, styles)
    if name == "final_year":
        outputs = ["disappearances_per_1000", "wage_mean_yen", "vacancy_fill_nonmetro", "net_moves_into_metro_per_year"]
        return report.final_year_figure(runs, tables, outputs, DESCRIPTION, styles)
    if name == "validation":
        return plotstyle.model_against_official_figure(validation_panels(), "history_2017: model vs official statistics")
    assert name == "sensitivity"
    captured = {}
    original = plotstyle.save
    try:
        plotstyle.save = lambda fig, path, formats=plotstyle.FORMATS: captured.setdefault("fig", fig) and []
        sensitivity.plot_indices(indices, None, "synthetic")
    finally:
        plotstyle.save = original
    return captured["fig"]


@pytest.mark.parametrize("name", ["over_time", "differences", "final_year", "sensitivity", "validation"])
def test_no_two_texts_overlap_and_none_is_cut_by_the_edge(name, design, differences, indices):
    """Rendered boxes (``get_window_extent``) of the figure title, panel titles, axis labels,
    drawn tick labels and legends: no pair overlaps, none reaches past the figure's edge."""
    fig = figure_named(name, design, differences, indices)
    boxes = plotstyle.text_boxes(fig)
    assert len(boxes) > 20, "too few texts found: is text_boxes still finding tick labels and titles?"
    assert plotstyle.text_overlaps(fig) == []
    plotstyle.pyplot().close(fig)


def test_the_overlap_check_sees_overlapping_and_cut_texts():
    """The check itself can fail: titles of narrow neighbouring panels running into each other (as
    the old final-year figure's did), and a text past the edge."""
    fig, axes = plotstyle.panels(2, ncols=2, panel_size=(1.2, 1.5))
    for ax in axes:
        ax.set_title("Job changes by trainees, own wish (per 1,000 trainee-years)")
    found = plotstyle.text_overlaps(fig)
    assert ("axes 0 title", "axes 1 title") in found, found
    fig2, (ax2,) = plotstyle.panels(1, ncols=1)
    ax2.plot([0, 1], [0, 1], label="an arm whose legend is placed past the right edge")
    fig2.legend(loc="center left", bbox_to_anchor=(0.9, 0.5))
    assert any(pair[1] == "figure edge" for pair in plotstyle.text_overlaps(fig2))
    for f in (fig, fig2):
        plotstyle.pyplot().close(f)


def test_every_arm_is_in_the_legend_beside_the_panels_with_its_own_colour_and_line(design):
    """over_time names all six arms in full in one legend that overlaps no panel; no two arms
    share both colour and line style."""
    fig = report.over_time_figure(*design, DESCRIPTION)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == list(ARMS)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for ax in fig.axes:
        if ax.get_visible():
            assert not box.overlaps(ax.get_window_extent(renderer)), "the legend covers a panel"
    looks = {(line.get_color(), str(line.get_linestyle())) for line in fig.axes[0].get_lines()}
    assert len(looks) == len(ARMS)
    plotstyle.pyplot().close(fig)


def test_axes_start_where_the_data_do_not_at_zero(design):
    """The wage (about 196-204 thousand yen) is drawn on an axis that starts near 196, not at 0,
    in the series over time and in the final-year levels; a count near 0 keeps 0 in view."""
    runs, tables = design
    fig = report.over_time_figure(runs, tables, DESCRIPTION)
    wages = np.concatenate([t["wage_mean_yen"].to_numpy() / 1000.0 for t in tables.values()])
    bottom, top = fig.axes[WAGE_PANEL].get_ylim()
    assert bottom > 0.9 * wages.min() and bottom <= wages.min() and top >= wages.max() * 0.99
    plotstyle.pyplot().close(fig)
    levels = report.final_year_figure(runs, tables, ["wage_mean_yen"], DESCRIPTION, report.arm_styles(runs))
    left, _ = levels.axes[0].get_xlim()
    assert left > 150_000
    plotstyle.pyplot().close(levels)


def test_a_band_below_zero_does_not_pull_the_axis_below_it():
    """fit_ylim with nonnegative: a t interval reaching −5 for a count does not show negative counts;
    without it, data far from 0 keep 0 out of view."""
    fig, (ax,) = plotstyle.panels(1, ncols=1)
    plotstyle.fit_ylim(ax, [np.array([-5.0, 2.0])], [np.array([10.0, 12.0])], nonnegative=True)
    assert ax.get_ylim()[0] >= -plotstyle.PAD * 12.0 - 1e-9  # at most the margin that keeps a 0 line off the frame
    plotstyle.fit_ylim(ax, [np.array([1.0, 2.0])], [np.array([10.0, 12.0])], nonnegative=True)
    assert ax.get_ylim()[0] >= 0.0
    plotstyle.fit_ylim(ax, [np.array([980.0])], [np.array([1020.0])])
    assert ax.get_ylim()[0] > 900.0
    plotstyle.pyplot().close(fig)


def test_the_forest_plot_shows_each_paired_difference_with_its_interval_and_a_zero_line(differences):
    """One panel per outcome; in each, one row per arm against its reference, labelled with both
    full names, a whisker from ci95_low to ci95_high and a dashed line at zero."""
    runs = pd.DataFrame({"arm": list(ARMS)})
    fig = report.differences_figure(differences, DESCRIPTION, report.arm_styles(runs))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == differences["metric"].nunique()
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    comparisons = differences.drop_duplicates("comparison")
    assert labels == [f"{r.arm}\n− {r.reference}" for r in comparisons.itertuples()]  # top to bottom
    for ax, (metric, rows) in zip(axes, differences.groupby("metric", sort=False)):
        whiskers = {tuple(np.round(line.get_xdata(), 6)) for line in ax.get_lines() if len(line.get_xdata()) == 2}
        for r in rows.itertuples():
            assert (round(r.ci95_low, 6), round(r.ci95_high, 6)) in whiskers, (metric, r.arm)
        zero = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
        assert zero and ax.get_xlim()[0] < 0 < ax.get_xlim()[1]
    plotstyle.pyplot().close(fig)


def test_figures_are_written_as_png_and_svg_with_text_kept_as_text(design, differences, tmp_path):
    """plot_over_time and plot_differences write NAME.png and NAME.svg and return both; the SVG
    holds the arm names as text (a journal can edit it)."""
    runs, tables = design
    written = report.plot_over_time(runs, tables, tmp_path / "over_time.png", DESCRIPTION)
    written += report.plot_differences(differences, runs, tmp_path / "differences.png", DESCRIPTION)
    assert [p.name for p in written] == ["over_time.png", "over_time.svg", "differences.png", "differences.svg"]
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" if path.suffix == ".png" else b"<svg" in data[:2000]
    assert ARMS[2] in (tmp_path / "over_time.svg").read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.part"))


def test_report_tables_print_arm_names_whole_within_the_width():
    """format_report never cuts an arm name with '…': a name too long for its column is printed
    whole on its own line above its numbers, and every line stays within the width."""
    rows, diffs = [], []
    for arm in ARMS:
        rows.append({"arm": arm, "scenario": "esd", "point": 0, "point_label": arm, "metric": "wage_mean_yen",
                     "label": METRICS["wage_mean_yen"].label, "unit": "yen a month", "n": 3, "mean": 201_234.0,
                     "sd": 900.0, "ci95_low": 199_000.0, "ci95_high": 203_500.0})
        if arm != ARMS[0]:
            diffs.append({"comparison": f"{arm} − {ARMS[0]}", "arm": arm, "reference": ARMS[0],
                          "metric": "wage_mean_yen", "label": "", "unit": "yen a month", "n_pairs": 3,
                          "mean_difference": 1_234.0, "ci95_low": 1_000.0, "ci95_high": 1_500.0, "p_value": 0.01})
    text = report.format_report(pd.DataFrame(rows), pd.DataFrame(diffs), width=60)
    assert "…" not in text
    lines = text.splitlines()
    assert max(map(len, lines)) <= 60
    for arm in ARMS:
        assert any(line.strip().startswith(arm) for line in lines), arm


def test_sensitivity_figure_names_every_parameter(indices):
    """plot_indices labels every parameter of each panel (most important on top) and starts at 0."""
    fig = figure_named("sensitivity", None, None, indices)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    for ax in axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == [sensitivity.short_name(f"esd:behaviour.transfer.a_rather_long_parameter_name_{i}")
                          for i in reversed(range(7))]  # top (most important) to bottom
        assert ax.get_xlim()[0] <= 0.0 and math.isfinite(ax.get_xlim()[1])
    plotstyle.pyplot().close(fig)


def test_the_validation_figure_names_model_and_official_points_and_starts_near_the_data():
    """model_against_official_figure (what ``validate`` is to draw): one panel per measure, the
    legend beside them names the model's mean and band and the three kinds of official point, and a
    stock between 250,000 and 460,000 is not drawn from 0."""
    fig = plotstyle.model_against_official_figure(validation_panels())
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["model mean", "model 5-95% over seeds"] and "official, uncertain [U]" in labels
    assert sum(ax.get_visible() for ax in fig.axes) == len(VALIDATION_TITLES)
    assert fig.axes[0].get_ylim()[0] > 200_000
    plotstyle.pyplot().close(fig)


def test_the_validation_figure_is_built_from_the_runs_and_the_official_series(tmp_path):
    """``validate``'s figure uses the one style: a panel per measure the runs hold, the official
    points within the run's years flagged in or out of sample as the comparison flags them, the
    held-out years shaded; PNG and SVG written."""
    from sim.validation.plots import panels, plot
    from sim.validation.targets import MEASURES, load_official, sample_of

    measures = list(MEASURES)[:3]
    years = np.arange(2017, 2025)
    rows = [dict(year=y, seed=s, **{m: 100.0 + y - 2017 + s for m in measures}) for y in years for s in (1, 2)]
    model_yearly = pd.DataFrame(rows)
    official = load_official()
    built = panels(model_yearly, official)
    assert [p.title for p in built] == [MEASURES[m][2] for m in measures]
    for measure, panel in zip(measures, built):
        assert list(panel.x) == list(years) and np.allclose(panel.mean, [101.5 + y - 2017 for y in years])
        assert panel.points and all(p.in_sample == (sample_of(int(p.x), measure) == "in") for p in panel.points)
        col = MEASURES[measure][0]
        assert len(panel.points) == official[official["year"].between(2017, 2024)][col].notna().sum()
    written = plot(model_yearly, official, tmp_path / "validation.png", title="test")
    assert [p.suffix for p in written] == [".png", ".svg"] and all(p.stat().st_size > 0 for p in written)


@pytest.mark.parametrize("names", [("$\\frac{a}{$", "cost $5 and $10"), ("$x^2$", "a_b $\\alpha$")])
def test_names_with_markup_are_drawn_as_written(design, differences, tmp_path, names):
    """Arm and scenario names are users' text: ``$...$`` is drawn as written, never read as a
    formula (a broken one failed the report after every run had finished; a good one drew maths)."""
    runs, tables = design
    rename = {ARMS[0]: names[0], ARMS[1]: names[1]}
    runs = runs.assign(arm=runs["arm"].replace(rename))
    differences = differences.assign(arm=differences["arm"].replace(rename),
                                     reference=differences["reference"].replace(rename))
    differences["comparison"] = differences["arm"] + " − " + differences["reference"]
    written = report.plot_over_time(runs, tables, tmp_path / "over_time.png", DESCRIPTION)
    written += report.plot_differences(differences, runs, tmp_path / "differences.png", DESCRIPTION)
    assert len(written) == 4
    svg = (tmp_path / "over_time.svg").read_text(encoding="utf-8")
    from xml.sax.saxutils import escape

    for name in names:
        assert escape(name) in svg, name
