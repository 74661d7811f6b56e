"""Validation against official statistics: the history scenario 2017-2024 against ISA and MHLW figures.

``tenseki validate`` runs ``scenarios/history_2017.toml`` (TITP rules from the end-2016 stock, the
official yearly intakes, SSW from April 2019) for several seeds and compares, year by year:

==========================  =================================================================
measure                     model side (from the monthly table, ``docs/outputs.md``)
==========================  =================================================================
``titp_stock``              ``stock_titp`` at the end of December
``ssw_stock``               ``stock_ssw1 + stock_ssw2`` at the end of December
``disappearances``          sum over the year of ``disappearances_trainee`` (ISA counts trainees)
``disappearance_rate_pct``  ISA's rate: trainee disappearances in the year / (TITP stock at the
                            end of the previous December + trainee arrivals in the year), in %
``titp_wage_yen``           mean over the year's months of ``wage_mean_trainee_yen``
``titp3_stock``             ``stock_titp3`` at the end of December
``plans_cancelled_fy``      sum over the fiscal year (April-March) starting in that year of
                            ``plans_cancelled_expected`` (the expected count given the year's
                            findings: the mean of ``plans_cancelled`` with far less noise at
                            small scales, where one agent firm stands for 100 real ones)
``licences_revoked_fy``     the same for ``so_licences_revoked_expected``
``firm_findings_pct``       ``inspection_findings`` / ``firm_inspections`` over the fiscal year's
                            months in the run, in %
``body_findings_pct``       ``body_inspection_findings`` / ``body_inspections``, the same way
``bridging_stock``          ``stock_bridging`` at the end of December (no official count: the
                            rise of ISA's all-purpose 特定活動 stock over end-2019 bounds it)
``overstayers_jan``         ``stock_overstayers_trainee`` at the end of December, against ISA's
                            overstayers whose last status was TITP on 1 January of the next year
``overstayers_jul``         the same at the end of June, against ISA's 1 July figure
``nat_share_<origin>_pct``  the origin's share of the year's trainee disappearances, % (ISA's
                            nationality table; "other" in 2019 = the model's Philippines + other)
``field_share_<field>_pct`` the field's share of the year's trainee disappearances, % (ISA's
                            occupation table)
``ssw1_cohort_changed_pct`` ISA's SSW job-change measure: of the people who became SSW i in the
                            year (``to_ssw1`` + ``arrivals_ssw``, by the month they became SSW i),
                            the share who changed employer while in SSW i by the end of the run
                            (``ssw1_entrants_changed``; the run ends in December 2024, as ISA's
                            count does), in %
==========================  =================================================================

with the official series in ``sim/data/official_series.csv`` (the overstayers in
``overstayers_titp.csv``, the shares in ``disappearances_by_nationality.csv`` and
``disappearances_by_field.csv``, the bridging bound in ``residents_by_status.csv``, the SSW i
cohorts' job changes in ``ssw_job_change.csv``) and the fiscal-year enforcement targets in
``sim/data/enforcement_targets.csv`` (sources and [S]/[U]/[P] flags per row). Years 2017-2022 are
in sample (the calibration, ``scripts/calibrate.py``, may use them); 2023-2024 are out of sample;
for the SSW job-change measure the 2021-2023 cohorts are in sample
(``scripts/calibrate_mobility.py``) and the 2024 cohort is out of sample. See docs/validation.md.

Usage::

    from sim import validation
    table = validation.validate(seeds=5, scale=0.01, out_dir=Path("results/validate"), workers=2)

The runs go through the experiment engine (``sim.experiments``) like every batch of runs.
    print(validation.format_table(table))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.summary import isa_rate_pct
from sim.scenario import Scenario, load_scenario, shipped_scenario_dir

#: The official series (one row a year, sources and flags per row).
OFFICIAL_CSV = Path(__file__).resolve().parent / "data" / "official_series.csv"
#: Enforcement by fiscal year (plan cancellations, licence revocations, inspection findings).
ENFORCEMENT_CSV = Path(__file__).resolve().parent / "data" / "enforcement_targets.csv"
#: Overstayers whose last status was TITP (ISA, 1 January and 1 July).
OVERSTAYERS_CSV = Path(__file__).resolve().parent / "data" / "overstayers_titp.csv"
#: Disappearances by nationality and by occupation (ISA via news).
NATIONALITY_CSV = Path(__file__).resolve().parent / "data" / "disappearances_by_nationality.csv"
FIELD_CSV = Path(__file__).resolve().parent / "data" / "disappearances_by_field.csv"
#: Residents by status (the all-purpose 特定活動 stock bounds the bridging stock).
STATUS_CSV = Path(__file__).resolve().parent / "data" / "residents_by_status.csv"
#: The groups of the model a nationality row of ISA's table stands for (2019's "other" pools the Philippines).
NATIONALITY_GROUPS = {"vietnam": ("vietnam",), "china": ("china",), "indonesia": ("indonesia",), "myanmar": ("myanmar",),
                      "cambodia": ("cambodia",), "other": ("philippines", "other")}
#: Groupings the validation runs keep by-group tables of.
GROUPED_BY = ("origin", "field")
#: ISA's SSW job-change statistics: share of each SSW i entry cohort who changed employer by end-2024.
SSW_JOB_CHANGE_CSV = Path(__file__).resolve().parent / "data" / "ssw_job_change.csv"
#: Fewest months of a fiscal year in the run for its shares of findings to be reported.
MIN_FY_MONTHS_FOR_SHARES = 6
#: Years the calibration may use, and years held out.
IN_SAMPLE = tuple(range(2017, 2023))
OUT_OF_SAMPLE = (2023, 2024)
#: Measures whose in- and out-of-sample years differ from those (the SSW job-change cohorts
#: 2021-2023 are fitted, ``scripts/calibrate_mobility.py``; the 2024 cohort is held out).
SAMPLES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "ssw1_cohort_changed_pct": ((2021, 2022, 2023), (2024,)),
    "plans_cancelled_fy": ((2018, 2019, 2020, 2021, 2022, 2023), ()),  # issue 9: fitted to each FY 2018-2023
}

#: measure -> (official column, flag column, label for tables and plots)
MEASURES: dict[str, tuple[str, str, str]] = {
    "titp_stock": ("titp_stock_year_end", "titp_stock_flag", "TITP stock, year end (people)"),
    "ssw_stock": ("ssw_stock_year_end", "ssw_stock_flag", "SSW stock (i + ii), year end (people)"),
    "disappearances": ("disappearances", "disappearances_flag", "Trainee disappearances a year (people)"),
    "disappearance_rate_pct": ("isa_disappearance_rate_pct", "isa_disappearance_rate_flag",
                               "ISA disappearance rate (%)"),
    "titp_wage_yen": ("titp_wage_scheduled_yen", "titp_wage_flag", "Mean TITP monthly pay (yen)"),
    "titp3_stock": ("titp3_stock_year_end", "titp3_stock_flag", "TITP stage iii stock, year end (people)"),
    "plans_cancelled_fy": ("plans_cancelled_fy", "plans_cancelled_flag", "Firms with plans cancelled, fiscal year"),
    "licences_revoked_fy": ("licences_revoked_fy", "licences_revoked_flag", "Supervisory licences revoked, fiscal year"),
    "firm_findings_pct": ("firm_findings_pct", "firm_findings_flag", "Inspected firms with findings, fiscal year (%)"),
    "body_findings_pct": ("body_findings_pct", "body_findings_flag", "Inspected bodies with findings, fiscal year (%)"),
    "bridging_stock": ("bridging_stock_bound", "bridging_stock_bound_flag",
                       "Bridging status holders, year end; official: upper bound (people)"),
    "overstayers_jan": ("overstayers_jan", "overstayers_jan_flag", "Overstayers, last status TITP, 1 Jan next year (people)"),
    "overstayers_jul": ("overstayers_jul", "overstayers_jul_flag", "Overstayers, last status TITP, 1 July (people)"),
    "ssw1_cohort_changed_pct": ("ssw1_cohort_changed_pct", "ssw1_cohort_changed_flag",
                                "SSW i entrants of the year who changed employer by end-2024 (%)"),
}

#: Progress callback: ``progress(runs_done, runs_total)``.
Progress = Callable[[int, int], None]


def history_scenario() -> Scenario:
    """The shipped historical scenario (``scenarios/history_2017.toml``)."""
    return load_scenario(shipped_scenario_dir() / "history_2017.toml")


def load_official(path: str | Path | None = None) -> pd.DataFrame:
    """The official series, one row a year (``sim/data/official_series.csv``), with the
    enforcement targets of the fiscal year starting in April of that year (``enforcement_targets.csv``)."""
    official = pd.read_csv(OFFICIAL_CSV if path is None else path)
    if path is not None:
        return official
    fy = pd.read_csv(ENFORCEMENT_CSV).rename(columns={"fiscal_year": "year", "source": "enforcement_source"})
    official = official.merge(fy, on="year", how="left").merge(_overstayers(), on="year", how="left")
    return official.merge(_bridging_bound(), on="year", how="left").merge(ssw_job_change_targets(), on="year", how="left")


def ssw_job_change_targets() -> pd.DataFrame:
    """ISA's share of each SSW i entry cohort (all fields) who changed employer by end-2024, one row a cohort year."""
    t = pd.read_csv(SSW_JOB_CHANGE_CSV, dtype={"cohort": str})
    t = t[(t["field"] == "all") & t["cohort"].str.fullmatch(r"\d{4}")]
    return pd.DataFrame({
        "year": t["cohort"].astype(int).to_numpy(),
        "ssw1_cohort_changed_pct": t["share_changed_employer_pct"].astype(float).to_numpy(),
        "ssw1_cohort_changed_flag": t["flag"].astype(str).to_numpy(),
    })


def _overstayers() -> pd.DataFrame:
    """ISA's overstayers whose last status was TITP, one row a year: ``overstayers_jan`` (1 January
    of the next year, set against the model's December) and ``overstayers_jul`` (1 July, against June)."""
    o = pd.read_csv(OVERSTAYERS_CSV).dropna(subset=["overstayers_last_status_titp"])
    date = pd.to_datetime(o["date"].astype(str))
    jan, jul = o[date.dt.month == 1], o[date.dt.month == 7]
    a = pd.DataFrame({"year": date[date.dt.month == 1].dt.year.to_numpy() - 1,
                      "overstayers_jan": jan["overstayers_last_status_titp"].to_numpy(float),
                      "overstayers_jan_flag": jan["flag"].astype(str).to_numpy()})
    b = pd.DataFrame({"year": date[date.dt.month == 7].dt.year.to_numpy(),
                      "overstayers_jul": jul["overstayers_last_status_titp"].to_numpy(float),
                      "overstayers_jul_flag": jul["flag"].astype(str).to_numpy()})
    return a.merge(b, on="year", how="outer")


def _bridging_bound() -> pd.DataFrame:
    """The upper bound of the bridging stock at year end 2020-2022: ISA's all-purpose 特定活動 stock
    less its end-2019 level (the rise also holds others, e.g. Myanmar's emergency status) [P, derived]."""
    r = pd.read_csv(STATUS_CSV)
    da = r[(r["status"] == "designated_activities_all") & r["date"].astype(str).str.endswith("12-31")]
    year = pd.to_datetime(da["date"].astype(str)).dt.year.to_numpy()
    base = float(da.loc[year == 2019, "residents"].iloc[0])
    keep = (year >= 2020) & (year <= 2022)
    return pd.DataFrame({"year": year[keep], "bridging_stock_bound": da["residents"].to_numpy(float)[keep] - base,
                         "bridging_stock_bound_flag": "U"})


# ---------------------------------------------------------------------------------------------
# Model side
# ---------------------------------------------------------------------------------------------
def yearly(table: pd.DataFrame, start_year: int, start_month: int = 1) -> pd.DataFrame:
    """Calendar-year measures of one run's monthly table (one row a complete calendar year).

    Month 1 is ``start_year``/``start_month``; month 0 is the state at the end of the month
    before. A year counts when the table holds its December and the December before it (the
    start-of-year stock) and all its months' flows.
    """
    t = table.sort_values("month")
    total = start_year * 12 + start_month - 1 + t["month"].to_numpy() - 1
    cal_year, cal_month = total // 12, total % 12 + 1
    t = t.assign(year=cal_year, cal_month=cal_month)
    december = t[t["cal_month"] == 12].set_index("year")
    flows = t[t["month"] >= 1]
    months_in_year = flows.groupby("year")["month"].count()
    rows = []
    for year in sorted(december.index):
        if year - 1 not in december.index or months_in_year.get(year, 0) != 12:
            continue
        end, start = december.loc[year], december.loc[year - 1]
        these = flows[flows["year"] == year]
        disappeared = float(these["disappearances_trainee"].sum())
        arrived = float(these["arrivals_trainee"].sum())
        rows.append({
            "year": int(year),
            **_fiscal_year(t, int(year)),
            "titp3_stock": float(end["stock_titp3"]) if "stock_titp3" in end else float("nan"),
            "titp_stock": _titp_stock(end),
            "bridging_stock": float(end["stock_bridging"]) if "stock_bridging" in end else 0.0,
            "overstayers_jan": float(end.get("stock_overstayers_trainee", float("nan"))),
            "overstayers_jul": _june(t, int(year), "stock_overstayers_trainee"),
            "ssw_stock": float(end["stock_ssw1"] + end["stock_ssw2"]),
            "disappearances": disappeared,
            "disappearance_rate_pct": isa_rate_pct(disappeared, _titp_stock(start), arrived),
            "titp_wage_yen": float(these["wage_mean_trainee_yen"].mean()),
            "ssw1_cohort_changed_pct": _cohort_share_pct(these),
            "titp_stock_start": _titp_stock(start),
            "arrivals_trainee": arrived,
        })
    return pd.DataFrame(rows)


def _june(t: pd.DataFrame, year: int, col: str) -> float:
    """``col`` at the end of June of ``year`` (NaN if the table lacks it)."""
    june = t[(t["year"] == year) & (t["cal_month"] == 6)]
    return float(june[col].iloc[0]) if col in june and len(june) else float("nan")


def _titp_stock(row: pd.Series) -> float:
    """ISA's TITP stock in the model: TITP statuses less the bridging holders (ISA counts them
    under 特定活動, not TITP; ``ladder``)."""
    return float(row["stock_titp"]) - (float(row["stock_bridging"]) if "stock_bridging" in row else 0.0)
def _cohort_share_pct(months: pd.DataFrame) -> float:
    """Of the people who became SSW i in these months, the share (%) who changed employer by the
    end of the run (``ssw1_entrants_changed``); NaN without entrants or in tables without the column."""
    if "ssw1_entrants_changed" not in months:
        return float("nan")
    entrants = float((months["to_ssw1"] + months["arrivals_ssw"]).sum())
    return 100.0 * float(months["ssw1_entrants_changed"].sum()) / entrants if entrants > 0 else float("nan")


def _fiscal_year(t: pd.DataFrame, year: int) -> dict[str, float]:
    """Enforcement measures of the fiscal year April ``year`` - March ``year + 1`` (``t``: a monthly
    table with calendar ``year`` and ``cal_month`` columns). Counts need all 12 months, shares
    at least ``MIN_FY_MONTHS_FOR_SHARES``; otherwise NaN."""
    nan = float("nan")
    fiscal = np.where(t["cal_month"] >= 4, t["year"], t["year"] - 1)
    these = t[(fiscal == year) & (t["month"] >= 1)]
    months = len(these)

    def total(col: str) -> float:
        return float(these[col].sum()) if col in these and months == 12 else nan

    def share(found: str, inspected: str) -> float:
        if found not in these or months < MIN_FY_MONTHS_FOR_SHARES or these[inspected].sum() <= 0:
            return nan
        return 100.0 * float(these[found].sum()) / float(these[inspected].sum())

    return {
        "plans_cancelled_fy": total("plans_cancelled_expected"),
        "licences_revoked_fy": total("so_licences_revoked_expected"),
        "firm_findings_pct": share("inspection_findings", "firm_inspections"),
        "body_findings_pct": share("body_inspection_findings", "body_inspections"),
    }


def history_experiment(seeds: int | Iterable[int] = 5, scale: float = 0.01, scenario: Scenario | None = None,
                       name: str = "validate"):
    """The validation runs as an experiment: the history scenario at ``scale``, seeds 1..K (or the seeds given)."""
    from sim.experiments import Experiment

    scenario = (history_scenario() if scenario is None else scenario).with_run(scale=scale)
    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    return Experiment.from_scenarios(name, [scenario], seeds=seed_list, by=list(GROUPED_BY))


def run_history(
    seeds: int | Iterable[int] = 5,
    scale: float = 0.01,
    workers: int = 1,
    scenario: Scenario | None = None,
    progress: Progress | None = None,
    client=None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Run the history scenario for each seed; yearly model measures, one row per seed and year.

    Runs go through the experiment engine (``sim.experiments``), into the store ``out`` (a
    temporary folder if None: nothing is kept).

    Args:
        seeds: a number K (seeds 1..K) or the seeds themselves.
        scale: agents per real person (0.01 is the documented validation setting).
        workers: worker processes (a Dask ``LocalCluster``); 1 runs in this process.
        scenario: the scenario to run (default: the shipped ``history_2017.toml``).
        progress: ``progress(runs_done, runs_total)`` after each run.
        client: a ``dask.distributed.Client`` to run on (``workers`` is then ignored).
        out: the store folder (runs reused when they verify).
    """
    import tempfile

    from sim.experiments import sweep

    experiment = history_experiment(seeds, scale, scenario)
    start = experiment.scenarios[0].run
    hook = None if progress is None else (lambda done, total, _run_id: progress(done, total))
    with tempfile.TemporaryDirectory(prefix="tenseki-history-") as tmp:
        store = Path(tmp) if out is None else Path(out)
        result = sweep(experiment, store, client=client, workers=workers, progress=hook)
        if result.failed:
            raise RuntimeError(f"{len(result.failed)} history run(s) failed: {result.failed[0][1]}")
        return _yearly_runs(store, start.start_year, start.start_month)


def _yearly_runs(out: Path, start_year: int, start_month: int) -> pd.DataFrame:
    from sim.experiments import read_runs

    monthly = read_runs(out)
    parts = []
    for seed, table in monthly.groupby("seed", sort=False):
        year = yearly(table, start_year, start_month)
        year.insert(0, "seed", seed)
        parts.append(year)
    return pd.concat(parts, ignore_index=True)


def yearly_shares(out: str | Path, start_year: int, start_month: int = 1) -> pd.DataFrame:
    """Each origin's and field's share of the year's trainee disappearances (%), per seed and
    complete calendar year, from the by-group tables in the store ``out``: columns seed, year,
    measure (``nat_share_<nationality>_pct``, ``field_share_<field>_pct``), value."""
    from sim.experiments import read_runs

    parts = []
    for grouping, prefix in (("origin", "nat_share"), ("field", "field_share")):
        t = read_runs(out, grouping)
        if t.empty:
            continue
        t = t[t["month"] >= 1]
        t = t.assign(year=(start_year * 12 + start_month - 1 + t["month"].to_numpy() - 1) // 12)
        months = t.groupby("year")["month"].nunique()
        t = t[t["year"].isin(months[months == 12].index)]
        d = t.groupby(["seed", "year", "group"])["disappearances_trainee"].sum().unstack("group")
        share = 100.0 * d.div(d.sum(axis=1).where(lambda x: x > 0), axis=0)
        names = NATIONALITY_GROUPS if grouping == "origin" else {f: (f,) for f in share.columns}
        for name, groups in names.items():
            value = share[[g for g in groups if g in share.columns]].sum(axis=1, min_count=1)
            parts.append(value.rename("value").reset_index().assign(measure=f"{prefix}_{name}_pct"))
    if not parts:
        return pd.DataFrame(columns=["seed", "year", "measure", "value"])
    return pd.concat(parts, ignore_index=True)[["seed", "year", "measure", "value"]]


def load_official_shares() -> pd.DataFrame:
    """ISA's shares of the year's disappearances by nationality (count / the year's total in
    ``official_series.csv``) and by occupation (as quoted), 2017 on: measure, year, official (%), flag."""
    totals = pd.read_csv(OFFICIAL_CSV).set_index("year")["disappearances"]
    nat = pd.read_csv(NATIONALITY_CSV)
    nat = nat[nat["period"].astype(str).str.fullmatch(r"\d{4}")]
    rows = [{"measure": f"nat_share_{r.nationality}_pct", "year": int(r.period),
             "official": 100.0 * float(r.disappearances) / float(totals[int(r.period)]), "flag": str(r.flag)}
            for r in nat.itertuples() if int(r.period) in totals.index and int(r.period) >= IN_SAMPLE[0]]
    rows += [{"measure": f"field_share_{r.field}_pct", "year": int(r.year), "official": float(r.share_pct), "flag": str(r.flag)}
             for r in pd.read_csv(FIELD_CSV).itertuples()]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------
def compare_shares(model_shares: pd.DataFrame, official: pd.DataFrame | None = None) -> pd.DataFrame:
    """``compare`` for the shares of disappearances by nationality and field (same columns)."""
    official = load_official_shares() if official is None else official
    long = model_shares.rename(columns={"value": "v"})
    rows = []
    for r in official.itertuples(index=False):
        v = long.loc[(long["measure"] == r.measure) & (long["year"] == r.year), "v"].dropna().to_numpy(dtype=float)
        if len(v) == 0:
            continue
        mean = float(v.mean())
        lo, hi = (float(x) for x in np.percentile(v, [5, 95]))
        rows.append({
            "measure": r.measure, "year": int(r.year), "sample": sample_of(int(r.year)), "official": float(r.official),
            "flag": r.flag, "model_mean": mean, "model_p05": lo, "model_p95": hi, "seeds": len(v),
            "error": mean - r.official, "rel_error": (mean - r.official) / r.official, "within_band": bool(lo <= r.official <= hi),
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["measure", "year"], kind="stable").reset_index(drop=True) if len(out) else out


def sample_of(year: int, measure: str = "") -> str:
    """'in' for the calibration years (2017-2022; ``SAMPLES`` for some measures), 'out' for the
    years held out (2023-2024), '' otherwise."""
    in_sample, out_of_sample = SAMPLES.get(measure, (IN_SAMPLE, OUT_OF_SAMPLE))
    return "in" if year in in_sample else "out" if year in out_of_sample else ""


def compare(model_yearly: pd.DataFrame, official: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model (mean and 5-95% band over seeds) against the official value, per year and measure.

    Only year-measure pairs with both a model value and an official value appear. Columns:
    measure, year, sample ('in'/'out'), official, flag, model_mean, model_p05, model_p95, seeds,
    error (model mean - official, in the measure's unit: percentage points for the rate),
    rel_error ((model mean - official) / official), within_band (official inside the band).
    """
    official = load_official() if official is None else official
    off = official.set_index("year")
    rows = []
    for measure, (col, flag_col, _) in MEASURES.items():
        if measure not in model_yearly or col not in off:
            continue
        by_year = model_yearly.groupby("year")[measure]
        for year, values in by_year:
            year = int(year)
            if year not in off.index or pd.isna(off.at[year, col]):
                continue
            v = values.dropna().to_numpy(dtype=float)
            if len(v) == 0:
                continue
            target = float(off.at[year, col])
            mean = float(v.mean())
            lo, hi = (float(x) for x in np.percentile(v, [5, 95]))
            flag = off.at[year, flag_col] if flag_col in off else ""
            rows.append({
                "measure": measure, "year": year, "sample": sample_of(year, measure), "official": target,
                "flag": "" if pd.isna(flag) else str(flag),
                "model_mean": mean, "model_p05": lo, "model_p95": hi, "seeds": len(v),
                "error": mean - target,
                "rel_error": (mean - target) / target if target != 0 else float("nan"),
                "within_band": bool(lo <= target <= hi),
            })
    return pd.DataFrame(rows)


def summarise(comparison: pd.DataFrame) -> pd.DataFrame:
    """Summary error per measure and sample: MAPE (mean absolute relative error, %), mean bias (%),
    mean absolute error (the measure's unit), the years counted."""
    rows = []
    for (measure, sample), g in comparison.groupby(["measure", "sample"], sort=False):
        if sample == "":
            continue
        rows.append({
            "measure": measure, "sample": sample, "years": len(g),
            "mape_pct": 100.0 * float(g["rel_error"].abs().mean()),
            "bias_pct": 100.0 * float(g["rel_error"].mean()),
            "mae": float(g["error"].abs().mean()),
        })
    order = {m: i for i, m in enumerate(MEASURES)}
    out = pd.DataFrame(rows)
    if len(out):
        out = out.sort_values(["measure", "sample"], key=lambda s: s.map(order) if s.name == "measure" else s)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------
def _fmt(value: float, measure: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if measure == "disappearance_rate_pct" or measure.endswith("_pct"):
        return f"{value:.2f}"
    return f"{value:,.0f}"


def format_table(comparison: pd.DataFrame) -> str:
    """The comparison as aligned plain text for the terminal, with the summary errors below."""
    header = ("measure", "year", "sample", "official", "model mean", "5%", "95%", "error", "rel err")
    lines_data = []
    for r in comparison.itertuples(index=False):
        err = f"{r.error:+.2f} pp" if r.measure.endswith("_pct") else f"{r.error:+,.0f}"
        flag = f" [{r.flag}]" if r.flag else ""
        lines_data.append((
            r.measure, str(r.year), r.sample, _fmt(r.official, r.measure) + flag, _fmt(r.model_mean, r.measure),
            _fmt(r.model_p05, r.measure), _fmt(r.model_p95, r.measure), err, f"{100 * r.rel_error:+.1f}%",
        ))
    widths = [max(len(h), *(len(row[i]) for row in lines_data)) if lines_data else len(h) for i, h in enumerate(header)]
    left = {0, 2}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths))]
    previous = None
    for row in lines_data:
        if previous is not None and row[0] != previous:
            out.append("")
        out.append(line(row))
        previous = row[0]
    summary = summarise(comparison)
    if len(summary):
        out += ["", "Summary (MAPE: mean absolute relative error; in sample 2017-2022, out of sample 2023-2024)"]
        sh = ("measure", "sample", "years", "MAPE", "bias", "MAE")
        srows = []
        for r in summary.itertuples(index=False):
            mae = f"{r.mae:.2f} pp" if r.measure.endswith("_pct") else f"{r.mae:,.0f}"
            srows.append((r.measure, r.sample, str(r.years), f"{r.mape_pct:.1f}%", f"{r.bias_pct:+.1f}%", mae))
        sw = [max(len(h), *(len(row[i]) for row in srows)) for i, h in enumerate(sh)]
        out.append("  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(sh, sw))).rstrip())
        for row in srows:
            out.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, sw))).rstrip())
    return "\n".join(out)


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


def validate(
    seeds: int = 5,
    scale: float = 0.01,
    out_dir: Path = Path("results/validate"),
    workers: int = 1,
    progress: Progress | None = None,
    client=None,
) -> pd.DataFrame:
    """Run the history scenario for seeds 1..``seeds`` and compare with the official series.

    The runs are kept in the store ``out_dir`` (``runs/``, ``manifest.jsonl``; reused when they
    verify). Writes ``out_dir/validation.csv`` (the comparison table, one row per year and
    measure), ``out_dir/validation_summary.csv`` (MAPE per measure, in and out of sample) and
    ``out_dir/validation.png`` (model bands against official points); returns the comparison.
    """
    run_history(seeds, scale, workers=workers, progress=progress, client=client, out=out_dir)
    return validate_store(out_dir, seeds, scale)


def validate_store(out_dir: str | Path, seeds: int, scale: float) -> pd.DataFrame:
    """The comparison with the official series of the validation runs in the store ``out_dir``
    (``history_experiment``), with its three files written beside the store."""
    out_dir = Path(out_dir)
    start = history_scenario().run
    model = _yearly_runs(out_dir, start.start_year, start.start_month)
    official = load_official()
    shares = compare_shares(yearly_shares(out_dir, start.start_year, start.start_month))
    comparison = pd.concat([compare(model, official), shares], ignore_index=True)
    comparison.to_csv(out_dir / "validation.csv", index=False)
    summarise(comparison).to_csv(out_dir / "validation_summary.csv", index=False)
    plot(model, official, out_dir / "validation.png",
         title=f"history_2017: model ({seeds} seeds, scale {scale:g}) vs official statistics")
    return comparison
