"""The comparison: one run's monthly table as calendar- and fiscal-year measures, the model's
band over seeds against each official value, the summary errors, and the terminal table."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.dates import YearMonth
from sim.summary import isa_rate_pct
from sim.validation.targets import (
    MEASURES,
    NATIONALITY_GROUPS,
    load_official,
    load_official_shares,
    sample_of,
)

#: Fewest months of a fiscal year in the run for its shares of findings to be reported.
MIN_FY_MONTHS_FOR_SHARES = 6


# ---------------------------------------------------------------------------------------------
# Model side
# ---------------------------------------------------------------------------------------------
def yearly(table: pd.DataFrame, start: YearMonth) -> pd.DataFrame:
    """Calendar-year measures of one run's monthly table (one row a complete calendar year).

    Month 1 is ``start`` (the scenario's ``run.start``); month 0 is the state at the end of the month
    before. A year counts when the table holds its December and the December before it (the
    start-of-year stock) and all its months' flows.
    """
    t = table.sort_values("month")
    cal_year, cal_month = YearMonth.split_index(start.index + t["month"].to_numpy() - 1)
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



def yearly_shares(out: str | Path, start: YearMonth) -> pd.DataFrame:
    """Each origin's and field's share of the year's trainee disappearances (%), per seed and
    complete calendar year (month 1 is ``start``), from the by-group tables in the store ``out``: columns seed, year,
    measure (``nat_share_<nationality>_pct``, ``field_share_<field>_pct``), value."""
    from sim.experiments import read_runs

    parts = []
    for grouping, prefix in (("origin", "nat_share"), ("field", "field_share")):
        t = read_runs(out, grouping)
        if t.empty:
            continue
        t = t[t["month"] >= 1]
        t = t.assign(year=YearMonth.split_index(start.index + t["month"].to_numpy() - 1)[0])
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
            "measure": r.measure, "year": int(r.year), "sample": sample_of(int(r.year), r.measure), "official": float(r.official),
            "flag": r.flag, "model_mean": mean, "model_p05": lo, "model_p95": hi, "seeds": len(v),
            "error": mean - r.official, "rel_error": (mean - r.official) / r.official, "within_band": bool(lo <= r.official <= hi),
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["measure", "year"], kind="stable").reset_index(drop=True) if len(out) else out


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
