"""Validation against official statistics (sim/validation/; docs/validation.md).

1. Unit tests of the yearly aggregation, ISA's disappearance rate and ``compare`` on hand-made
   tables with exact expected numbers.
2. The shipped historical scenario (scenarios/history_2017.toml, calibrated world.toml) stays
   within the tolerances documented in docs/validation.md ("Tolerances tested"), at the
   documented scale 0.01 with seeds 1-4 averaged (a few seconds).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import validation as v
from sim.dates import YearMonth


# ---------------------------------------------------------------------------------------------
# Hand-made tables
# ---------------------------------------------------------------------------------------------
def monthly_table(months: int = 24) -> pd.DataFrame:
    """A fake monthly table: month 0 = end of December 2016, months 1-24 = 2017-2018."""
    m = np.arange(months + 1)
    stock = np.interp(m, [0, 12, 24], [100.0, 120.0, 150.0])
    flows = np.where(m == 0, 0.0, 1.0)
    return pd.DataFrame({
        "month": m,
        "stock_titp": stock,
        "stock_ssw1": 2.0 * m,
        "stock_ssw2": np.where(m >= 24, 1.0, 0.0),
        "disappearances_trainee": flows,  # 1 a month: 12 a year
        "arrivals_trainee": 5.0 * flows,  # 60 a year
        "wage_mean_trainee_yen": 1000.0 + m,  # the year's mean: 1006.5 in 2017, 1018.5 in 2018
    })


def test_isa_rate_is_disappearances_over_start_stock_plus_entrants():
    assert v.isa_rate_pct(12.0, 100.0, 60.0) == pytest.approx(7.5)
    # the official figure for 2023: 9,753 / (324,940 + 183,030 all-TITP entrants) = 1.92%
    assert v.isa_rate_pct(9753, 324940, 183030) == pytest.approx(1.91995, abs=1e-4)
    assert math.isnan(v.isa_rate_pct(1.0, 0.0, 0.0))


def test_yearly_aggregates_calendar_years_exactly():
    y = v.yearly(monthly_table(), YearMonth(2017, 1)).set_index("year")
    assert list(y.index) == [2017, 2018]
    assert y.at[2017, "titp_stock"] == 120.0 and y.at[2018, "titp_stock"] == 150.0
    assert y.at[2017, "titp_stock_start"] == 100.0 and y.at[2018, "titp_stock_start"] == 120.0
    assert y.at[2017, "ssw_stock"] == 24.0 and y.at[2018, "ssw_stock"] == 49.0  # 2 x 24 + 1 SSW ii
    assert y.at[2017, "disappearances"] == 12.0 and y.at[2017, "arrivals_trainee"] == 60.0
    assert y.at[2017, "disappearance_rate_pct"] == pytest.approx(100 * 12 / 160)  # 7.5
    assert y.at[2018, "disappearance_rate_pct"] == pytest.approx(100 * 12 / 180)  # 6.667
    assert y.at[2017, "titp_wage_yen"] == pytest.approx(1006.5)
    assert y.at[2018, "titp_wage_yen"] == pytest.approx(1018.5)


def test_isa_titp_stock_leaves_out_the_bridging_holders():
    """ISA counted the 2020-22 bridging holders under 特定活動: the TITP stock (and the rate's
    start-of-year stock) is stock_titp less stock_bridging; overstayers are read in December and June."""
    t = monthly_table().assign(stock_bridging=10.0, stock_overstayers_trainee=np.arange(25) * 1.0)
    y = v.yearly(t, YearMonth(2017, 1)).set_index("year")
    assert y.at[2017, "titp_stock"] == 110.0 and y.at[2017, "bridging_stock"] == 10.0
    assert y.at[2017, "disappearance_rate_pct"] == pytest.approx(100 * 12 / (90 + 60))
    assert y.at[2017, "overstayers_jan"] == 12.0 and y.at[2017, "overstayers_jul"] == 6.0  # month 12 = Dec, 6 = June
def test_ssw_job_change_share_is_the_cohorts_changers_over_its_entrants():
    """ISA's measure per calendar year: the year's SSW i entrants (``to_ssw1`` + ``arrivals_ssw``)
    who changed employer by the end of the run (``ssw1_entrants_changed``) over the entrants: in
    2017, 2 + 1 entrants a month and 1 changer in each of 6 months gives 6 / 36 = 16.7%; in 2018
    nobody enters (NaN); a table without the cohort column gives NaN."""
    t = monthly_table()
    in_2017 = (t["month"] >= 1) & (t["month"] <= 12)
    t["to_ssw1"] = np.where(in_2017, 2.0, 0.0)
    t["arrivals_ssw"] = np.where(in_2017, 1.0, 0.0)
    t["ssw1_entrants_changed"] = np.where(in_2017 & (t["month"] % 2 == 0), 1.0, 0.0)
    y = v.yearly(t, YearMonth(2017, 1)).set_index("year")
    assert y.at[2017, "ssw1_cohort_changed_pct"] == pytest.approx(100 * 6 / 36)
    assert math.isnan(y.at[2018, "ssw1_cohort_changed_pct"])
    no_column = v.yearly(t.drop(columns="ssw1_entrants_changed"), YearMonth(2017, 1))
    assert no_column["ssw1_cohort_changed_pct"].isna().all()


def test_ssw_job_change_targets_are_the_all_field_cohorts():
    """The targets are ISA's cohorts 2021-2024 for all fields (29.2, 28.7, 25.1, 12.2%, [S]); the
    pooled and field rows are not targets; 2021-2023 are in sample, 2024 out of sample."""
    t = v.ssw_job_change_targets().set_index("year")
    assert t["ssw1_cohort_changed_pct"].to_dict() == {2021: 29.2, 2022: 28.7, 2023: 25.1, 2024: 12.2}
    assert set(t["ssw1_cohort_changed_flag"]) == {"S"}
    assert [v.sample_of(y, "ssw1_cohort_changed_pct") for y in (2020, 2021, 2023, 2024)] == ["", "in", "in", "out"]
    assert v.sample_of(2023, "titp_stock") == "out"


def test_yearly_drops_incomplete_years_and_follows_the_start_month():
    # 18 months from July 2016: only 2017 is complete (its December and the one before are there)
    t = monthly_table(24).iloc[:19]
    y = v.yearly(t, YearMonth(2016, 7))
    assert list(y["year"]) == [2017]
    row = y.iloc[0]
    assert row["titp_stock_start"] == t.loc[6, "stock_titp"]  # month 6 = December 2016
    assert row["titp_stock"] == t.loc[18, "stock_titp"]  # month 18 = December 2017
    assert row["disappearances"] == 12.0


def test_compare_mean_band_errors_and_samples():
    model = pd.DataFrame({
        "seed": [1, 2, 1, 2],
        "year": [2022, 2022, 2023, 2023],
        "titp_stock": [10.0, 20.0, 30.0, 50.0],
        "disappearance_rate_pct": [1.0, 2.0, 2.0, 2.0],
    })
    official = pd.DataFrame({
        "year": [2022, 2023],
        "titp_stock_year_end": [12.0, 50.0], "titp_stock_flag": ["S", "U"],
        "isa_disappearance_rate_pct": [None, 1.6], "isa_disappearance_rate_flag": [None, "S"],
    })
    c = v.compare(model, official).set_index(["measure", "year"])
    r = c.loc[("titp_stock", 2022)]
    assert r["model_mean"] == 15.0 and r["official"] == 12.0
    assert r["model_p05"] == pytest.approx(10.5) and r["model_p95"] == pytest.approx(19.5)
    assert r["error"] == 3.0 and r["rel_error"] == pytest.approx(0.25)
    assert r["sample"] == "in" and r["flag"] == "S" and r["seeds"] == 2 and r["within_band"]
    r = c.loc[("titp_stock", 2023)]
    assert r["model_mean"] == 40.0 and r["rel_error"] == pytest.approx(-0.2)
    assert r["sample"] == "out" and r["flag"] == "U" and not r["within_band"]  # band 31-49
    # the rate: error in percentage points, and no row where the official value is missing
    assert ("disappearance_rate_pct", 2022) not in c.index
    r = c.loc[("disappearance_rate_pct", 2023)]
    assert r["error"] == pytest.approx(0.4) and r["rel_error"] == pytest.approx(0.25)

    s = v.summarise(c.reset_index()).set_index(["measure", "sample"])
    assert s.at[("titp_stock", "in"), "mape_pct"] == pytest.approx(25.0)
    assert s.at[("titp_stock", "out"), "mape_pct"] == pytest.approx(20.0)
    assert s.at[("titp_stock", "out"), "bias_pct"] == pytest.approx(-20.0)
    text = v.format_table(c.reset_index())
    assert "titp_stock" in text and "+25.0%" in text and "+0.40 pp" in text and "MAPE" in text


def test_official_series_is_complete_and_flagged():
    off = v.load_official()
    assert list(off["year"]) == list(range(2016, 2025))
    assert off["source"].notna().all()
    for col, flag, _ in v.MEASURES.values():
        has = off[col].notna()
        assert off.loc[has, flag].isin(["S", "U", "P"]).all(), col
    o = off.set_index("year")
    assert o.at[2024, "titp_stock_year_end"] == 456595 and o.at[2024, "ssw_stock_year_end"] == 284466
    assert o.at[2023, "isa_disappearance_rate_pct"] == 1.9 and o.at[2019, "titp_wage_scheduled_yen"] == 156900


# ---------------------------------------------------------------------------------------------
# The shipped historical scenario against the official series
# ---------------------------------------------------------------------------------------------
SEEDS = (1, 2, 3, 4)
SCALE = 0.01

#: Tolerances, as documented in docs/validation.md ("Tolerances tested"): |relative error| of
#: the model mean over seeds, per in-sample year.
TITP_STOCK_TOL = {2017: 0.15, 2018: 0.15, 2019: 0.15, 2020: 0.15, 2021: 0.15, 2022: 0.15}  # issue 10's target
DISAPPEARANCES_TOL = dict.fromkeys(range(2017, 2023), 0.35)  # issue 10's target, every in-sample year
DISAPPEARANCES_BIAS_TOL = 0.15  # mean relative error over 2017-2022
RATE_2020_TOL_PP = 1.0  # percentage points
WAGE_IN_SAMPLE_TOL = {2019: 0.01, 2020: 0.01}  # the starting markup and the raise step are fitted to them (calibrate.py --wages)
SSW_JOB_CHANGE_TOL = 0.25  # each in-sample SSW i cohort (2021-2023), relative error of the seed mean


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> pd.DataFrame:
    """The validation table of seeds 1-4 (national measures and the shares by nationality and field)."""
    out = tmp_path_factory.mktemp("history")
    model = v.run_history(SEEDS, SCALE, workers=1, out=out)
    shares = v.compare_shares(v.yearly_shares(out, YearMonth(2017, 1)))
    return pd.concat([v.compare(model), shares], ignore_index=True).set_index(["measure", "year"])


@pytest.mark.parametrize("year", sorted(TITP_STOCK_TOL))
def test_history_titp_stock(comparison, year):
    r = comparison.loc[("titp_stock", year)]
    assert abs(r["rel_error"]) <= TITP_STOCK_TOL[year], (year, r["model_mean"], r["official"])


@pytest.mark.parametrize("year", sorted(DISAPPEARANCES_TOL))
def test_history_disappearances(comparison, year):
    r = comparison.loc[("disappearances", year)]
    assert abs(r["rel_error"]) <= DISAPPEARANCES_TOL[year], (year, r["model_mean"], r["official"])


def test_history_disappearances_unbiased_in_sample(comparison):
    d = comparison.loc["disappearances"]
    bias = d.loc[list(v.IN_SAMPLE), "rel_error"].mean()
    assert abs(bias) <= DISAPPEARANCES_BIAS_TOL, bias


def test_history_disappearance_rate_2020(comparison):
    r = comparison.loc[("disappearance_rate_pct", 2020)]
    assert abs(r["error"]) <= RATE_2020_TOL_PP, r["model_mean"]


@pytest.mark.parametrize("year", sorted(WAGE_IN_SAMPLE_TOL))
def test_history_titp_wage_in_sample(comparison, year):
    """TITP pay within 1% of the Wage Structure survey in the fitted years (2019, 2020); before
    the fit it was 3.9% and 4.9% above."""
    r = comparison.loc[("titp_wage_yen", year)]
    assert r["sample"] == "in"
    assert abs(r["rel_error"]) <= WAGE_IN_SAMPLE_TOL[year], (year, r["model_mean"])


@pytest.mark.parametrize("cohort", [2021, 2022, 2023])
def test_history_ssw_job_change_cohorts(comparison, cohort):
    """The fitted seek hazard (scripts/calibrate_mobility.py) keeps each in-sample SSW i entry
    cohort's share who changed employer by end-2024 within 25% of ISA's."""
    r = comparison.loc[("ssw1_cohort_changed_pct", cohort)]
    assert r["sample"] == "in"
    assert abs(r["rel_error"]) <= SSW_JOB_CHANGE_TOL, (cohort, r["model_mean"], r["official"])


def test_history_out_of_sample_is_reported_not_fitted(comparison):
    samples = comparison.reset_index().groupby("year")["sample"].first()
    assert set(samples.loc[[2023, 2024]]) == {"out"}
    assert set(samples.loc[list(v.IN_SAMPLE)]) == {"in"}


# ---------------------------------------------------------------------------------------------
# Behaviour data (issue 10): shares of disappearances, overstayers, the bridging status
# ---------------------------------------------------------------------------------------------
def test_official_shares_overstayers_and_bridging_bound_are_read_exactly():
    """Shares are counts over the year's total (Myanmar 2022: 607 / 9,006); 2019's "other" pools
    the rest; the 1 January overstayers stand for the December before; the bridging bound is the
    rise of the 特定活動 stock over end-2019."""
    sh = v.load_official_shares().set_index(["measure", "year"])["official"]
    assert sh[("nat_share_myanmar_pct", 2022)] == pytest.approx(100 * 607 / 9006)
    assert sum(sh[(f"nat_share_{o}_pct", 2019)] for o in v.NATIONALITY_GROUPS) == pytest.approx(100.0)
    assert sh[("field_share_construction_pct", 2024)] == 50.6
    off = v.load_official().set_index("year")
    assert off.at[2022, "overstayers_jan"] == 7985 and off.at[2023, "overstayers_jan"] == 11210
    assert off.at[2022, "overstayers_jul"] == 6093 and off.at[2020, "overstayers_jul"] == 12457
    assert off.loc[[2020, 2021, 2022], "bridging_stock_bound"].tolist() == [103422 - 65187, 124056 - 65187, 83380 - 65187]


#: Tolerances, as documented in docs/validation.md ("Tolerances tested"), seeds 1-4.
VIETNAM_2019_TOL_PP = 10.0  # the largest nationality, in sample (2019)
MYANMAR_2022_FACTOR = 2.0  # Myanmar's 2022 share (the dated route factor's target)
CONSTRUCTION_2022_TOL_PP = 15.0  # construction's 2022 share (the field factors')
OVERSTAYERS_FACTOR = 2.5  # overstayers, last status TITP, in sample (1 July 2020-2022, 1 January 2023)


def test_history_shares_of_disappearances(comparison):
    assert abs(comparison.loc[("nat_share_vietnam_pct", 2019), "error"]) <= VIETNAM_2019_TOL_PP
    r = comparison.loc[("nat_share_myanmar_pct", 2022)]
    assert 1 / MYANMAR_2022_FACTOR <= r["model_mean"] / r["official"] <= MYANMAR_2022_FACTOR, r["model_mean"]
    assert abs(comparison.loc[("field_share_construction_pct", 2022), "error"]) <= CONSTRUCTION_2022_TOL_PP


@pytest.mark.parametrize("measure, year", [("overstayers_jul", 2020), ("overstayers_jul", 2021), ("overstayers_jul", 2022),
                                           ("overstayers_jan", 2022)])
def test_history_overstayers_like_with_like(comparison, measure, year):
    r = comparison.loc[(measure, year)]
    assert 1 / OVERSTAYERS_FACTOR <= r["model_mean"] / r["official"] <= OVERSTAYERS_FACTOR, (measure, year, r["model_mean"])


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_history_bridging_stock_below_its_bound(comparison, year):
    r = comparison.loc[("bridging_stock", year)]
    assert 0 < r["model_mean"] <= r["official"], r["model_mean"]


# ---------------------------------------------------------------------------------------------
# Enforcement by fiscal year and the stage iii stock (docs/validation.md, "Enforcement")
# ---------------------------------------------------------------------------------------------
def test_fiscal_year_sums_april_to_march_and_needs_every_month():
    """The fiscal year starting in April: counts over its 12 months (NaN when a month is missing),
    shares of findings over the months present (from 6)."""
    t = monthly_table(36).assign(
        plans_cancelled_expected=np.where(np.arange(37) == 0, 0.0, 2.0),
        so_licences_revoked_expected=0.5, firm_inspections=10.0, inspection_findings=4.0,
        body_inspections=2.0, body_inspection_findings=1.0, stock_titp3=7.0,
    )
    y = v.yearly(t, YearMonth(2017, 1)).set_index("year")
    assert y.at[2017, "plans_cancelled_fy"] == 24.0 and y.at[2018, "plans_cancelled_fy"] == 24.0
    assert math.isnan(y.at[2019, "plans_cancelled_fy"])  # FY2019 ends in March 2020, after the table
    assert y.at[2019, "firm_findings_pct"] == pytest.approx(40.0) and y.at[2019, "body_findings_pct"] == pytest.approx(50.0)
    assert y.at[2018, "licences_revoked_fy"] == 6.0 and y.at[2018, "titp3_stock"] == 7.0


def test_enforcement_targets_are_flagged_and_say_which_years_lack_data():
    off = v.load_official().set_index("year")
    assert off.loc[[2018, 2019, 2020], "plans_cancelled_fy"].tolist() == [8, 23, 77]
    assert off.loc[[2018, 2019, 2020], "plans_cancelled_flag"].tolist() == ["S", "S", "S"]
    assert off.loc[[2021, 2022, 2023], "plans_cancelled_flag"].tolist() == ["U", "U", "U"]  # estimated, not published
    assert off.loc[[2021, 2022, 2023], "plans_cancelled_fy"].tolist() == [151, 109, 98]  # from the lists' sizes
    assert math.isnan(off.at[2024, "plans_cancelled_fy"])  # no count found (the run ends in December 2024)
    assert off.at[2022, "titp3_stock_year_end"] == 75561 and off.at[2022, "titp3_stock_flag"] == "P"


#: Tolerances, as documented in docs/validation.md ("Enforcement"): the model mean over seeds
#: 1-4 at scale 0.01 (the expected counts given the findings).
PLANS_CANCELLED_FACTOR = 2.0  # within a factor of two of the official (FY2018-2020) or estimated (FY2021-23) count
FIRM_FINDINGS_TOL_PP = 5.0  # share of inspected firms with findings, FY2023-2024, percentage points
BODY_FINDINGS_TOL_PP = 10.0  # share of inspected bodies with findings, FY2023-2024
TITP3_STOCK_TOL = {2019: 0.35, 2020: 0.35, 2021: 0.35}  # |relative error|, stage iii stock
TITP3_STOCK_FACTOR_LATER = 2.5  # 2022-2024: the documented miss (the model's stage iii falls too soon)


@pytest.mark.parametrize("fiscal_year", [2018, 2019, 2020, 2021, 2022, 2023])
def test_history_plan_cancellations_within_a_factor_of_two(comparison, fiscal_year):
    r = comparison.loc[("plans_cancelled_fy", fiscal_year)]
    ratio = r["model_mean"] / r["official"]
    assert 1 / PLANS_CANCELLED_FACTOR <= ratio <= PLANS_CANCELLED_FACTOR, (fiscal_year, r["model_mean"], r["official"])


@pytest.mark.parametrize("fiscal_year", [2023, 2024])
def test_history_share_of_inspections_with_findings(comparison, fiscal_year):
    firm = comparison.loc[("firm_findings_pct", fiscal_year)]
    body = comparison.loc[("body_findings_pct", fiscal_year)]
    assert abs(firm["error"]) <= FIRM_FINDINGS_TOL_PP, firm["model_mean"]
    assert abs(body["error"]) <= BODY_FINDINGS_TOL_PP, body["model_mean"]


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022, 2023, 2024])
def test_history_stage_iii_stock(comparison, year):
    r = comparison.loc[("titp3_stock", year)]
    assert r["model_mean"] > 0
    if year in TITP3_STOCK_TOL:
        assert abs(r["rel_error"]) <= TITP3_STOCK_TOL[year], (year, r["model_mean"], r["official"])
    else:
        assert r["official"] / TITP3_STOCK_FACTOR_LATER <= r["model_mean"] <= r["official"], (year, r["model_mean"])


def test_what_set_a_parameter_is_in_sample():
    """Issue 19: the field shares of disappearances 2022-2023 (field factors), the findings shares
    FY2023-24 (detection chances) and the licence revocations (revocation share) set parameters, so
    they are in sample; construction's 2024 share and the stocks of 2023-2024 stay out of sample."""
    from sim.validation.targets import sample_of

    assert sample_of(2023, "field_share_construction_pct") == "in"
    assert sample_of(2024, "field_share_construction_pct") == "out"
    assert sample_of(2023, "firm_findings_pct") == sample_of(2024, "body_findings_pct") == "in"
    assert sample_of(2023, "licences_revoked_fy") == "in"
    assert sample_of(2023, "titp_stock") == sample_of(2024, "disappearances") == "out"


def test_the_headline_leads_with_the_isa_style_trainee_rate_and_shows_non_trainees_apart():
    """The first headline metric is ISA's trainee rate; non-trainees' (SSW holders') disappearances
    are their own metric, and with the trainees' they make up all disappearances."""
    import pandas as pd

    from sim.summary import METRICS, headline

    assert list(METRICS)[:3] == ["trainee_disappearance_rate_pct", "non_trainee_disappearances_per_1000", "disappearances_per_1000"]
    table = pd.DataFrame({"month": [0, 1, 2], "stock_total": [300.0] * 3, "stock_irregular": [0.0] * 3,
                          "stock_titp": [200.0] * 3, "stock_esd": [0.0] * 3, "stock_ssw1": [100.0] * 3, "stock_ssw2": [0.0] * 3,
                          "disappearances": [0.0, 3.0, 3.0], "disappearances_trainee": [0.0, 2.0, 2.0]})
    for col in ("transfers_voluntary_trainee", "transfers_voluntary_ssw", "arrivals_trainee", "wage_mean_yen", "share_in_debt",
                "vacancy_fill_nonmetro", "vacancy_fill_metro", "violations_detected", "violations", "moves_into_metro",
                "moves_out_of_metro", "to_ssw1", "to_ssw2", "retention_60m"):
        table[col] = 0.0
    h = headline(table)
    assert h["non_trainee_disappearances_per_1000"] == pytest.approx(1000.0 * 2 / (200 / 12))  # 2 of 100 people over 2 months
    assert h["disappearances_per_1000"] == pytest.approx(1000.0 * 6 / (600 / 12))
