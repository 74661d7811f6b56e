"""The validation targets: the official series 2017-2024 (ISA, MHLW, OTIT) as tables, the
measures they are compared on, and which years are in sample (calibration) or held out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: The model's data folder (sim/data), where the official series are.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: The official series (one row a year, sources and flags per row).
OFFICIAL_CSV = DATA_DIR / "official_series.csv"
#: Enforcement by fiscal year (plan cancellations, licence revocations, inspection findings).
ENFORCEMENT_CSV = DATA_DIR / "enforcement_targets.csv"
#: Overstayers whose last status was TITP (ISA, 1 January and 1 July).
OVERSTAYERS_CSV = DATA_DIR / "overstayers_titp.csv"
#: Disappearances by nationality and by occupation (ISA via news).
NATIONALITY_CSV = DATA_DIR / "disappearances_by_nationality.csv"
FIELD_CSV = DATA_DIR / "disappearances_by_field.csv"
#: Residents by status (the all-purpose 特定活動 stock bounds the bridging stock).
STATUS_CSV = DATA_DIR / "residents_by_status.csv"
#: The groups of the model a nationality row of ISA's table stands for (2019's "other" pools the Philippines).
NATIONALITY_GROUPS = {"vietnam": ("vietnam",), "china": ("china",), "indonesia": ("indonesia",), "myanmar": ("myanmar",),
                      "cambodia": ("cambodia",), "other": ("philippines", "other")}
#: ISA's SSW job-change statistics: share of each SSW i entry cohort who changed employer by end-2024.
SSW_JOB_CHANGE_CSV = DATA_DIR / "ssw_job_change.csv"
#: Years the calibration may use, and years held out.
IN_SAMPLE = tuple(range(2017, 2023))
OUT_OF_SAMPLE = (2023, 2024)
#: Measures whose in- and out-of-sample years differ from those (the SSW job-change cohorts
#: 2021-2023 are fitted, ``scripts/calibrate_mobility.py``; the 2024 cohort is held out).
SAMPLES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "ssw1_cohort_changed_pct": ((2021, 2022, 2023), (2024,)),
    "plans_cancelled_fy": ((2018, 2019, 2020, 2021, 2022, 2023), ()),  # issue 9: fitted to each FY 2018-2023
    # Issue 19, relabelled honestly: what set a parameter is in sample. The licence revocations of
    # FY2018-2024 set revocation_share_repeat_finding; the findings shares FY2023-24 set
    # inspection_detection and body_inspection_detection.
    "licences_revoked_fy": ((2018, 2019, 2020, 2021, 2022, 2023, 2024), ()),
    "firm_findings_pct": ((2023, 2024), ()),
    "body_findings_pct": ((2023, 2024), ()),
}
#: Measures named by a prefix whose samples differ: the field shares of disappearances of 2022 and
#: 2023 set behaviour.abscond.field_factor (issue 19: 2023 is in sample); 2024 is held out.
SAMPLES_BY_PREFIX: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "field_share_": ((2022, 2023), (2024,)),
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



def sample_of(year: int, measure: str = "") -> str:
    """'in' for the calibration years (2017-2022; ``SAMPLES`` and ``SAMPLES_BY_PREFIX`` for some measures), 'out' for the
    years held out (2023-2024), '' otherwise."""
    prefixed = next((v for k, v in SAMPLES_BY_PREFIX.items() if measure.startswith(k)), (IN_SAMPLE, OUT_OF_SAMPLE))
    in_sample, out_of_sample = SAMPLES.get(measure, prefixed)
    return "in" if year in in_sample else "out" if year in out_of_sample else ""

