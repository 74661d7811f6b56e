"""Tier C: a fixed-seed regression baseline for each shipped scenario (as Covasim's
``test_baselines.py``).

A fresh run (seed 11, scale 0.005, 36 months) must match ``tests/baselines/<scenario>.csv`` to a
relative tolerance of 1e-9. When results change on purpose, regenerate the baselines with
``python tests/make_baselines.py`` and say why in the commit; otherwise a failure here means the
model's results changed without anyone intending it. The failure message lists the first
differing columns and months, baseline against now.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from make_baselines import MONTHS, baseline_path, baseline_table
from sim.scenario import SHIPPED

RTOL = 1e-9


def describe_differences(baseline: pd.DataFrame, now: pd.DataFrame, rtol: float = RTOL,
                         max_columns: int = 8, max_months: int = 4) -> str:
    """A readable account of how ``now`` differs from ``baseline`` ('' when they agree).

    Names columns missing or added, then for the first ``max_columns`` differing columns the
    first ``max_months`` differing months with both values.
    """
    lines = []
    missing = [c for c in baseline.columns if c not in now.columns]
    added = [c for c in now.columns if c not in baseline.columns]
    if missing:
        lines.append(f"columns missing now: {', '.join(missing)}")
    if added:
        lines.append(f"columns new now (not in the baseline): {', '.join(added)}")
    if len(baseline) != len(now):
        lines.append(f"rows: baseline {len(baseline)}, now {len(now)}")
    rows = min(len(baseline), len(now))
    differing = []
    for col in [c for c in baseline.columns if c in now.columns]:
        a, b = baseline[col].iloc[:rows], now[col].iloc[:rows]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            bad = ~np.isclose(y, x, rtol=rtol, atol=0.0, equal_nan=True)
        else:
            bad = (a.astype(str).to_numpy() != b.astype(str).to_numpy())
        if bad.any():
            differing.append((col, np.flatnonzero(bad)))
    if differing:
        lines.append(f"{len(differing)} column(s) differ: {', '.join(c for c, _ in differing)}")
        for col, where in differing[:max_columns]:
            shown = ", ".join(
                f"month {_value(baseline['month'].iloc[i]) if 'month' in baseline else i}: "
                f"baseline {_value(baseline[col].iloc[i])} now {_value(now[col].iloc[i])}"
                for i in where[:max_months]
            )
            more = f" (+{len(where) - max_months} more months)" if len(where) > max_months else ""
            lines.append(f"  {col}: {shown}{more}")
    return "\n".join(lines)


def _value(v) -> str:
    """A cell as a person would write it (12.5, 3, 'esd'), full precision for floats."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v)


@pytest.mark.parametrize("name", SHIPPED)
def test_run_matches_stored_baseline(name):
    """A fresh run of the shipped scenario with seed 11 gives the stored monthly table (every
    column, every month, relative tolerance 1e-9)."""
    path = baseline_path(name)
    assert path.exists(), f"{path} is missing: run `python tests/make_baselines.py {name}`"
    baseline = pd.read_csv(path)
    now = baseline_table(name)
    assert len(baseline) == MONTHS + 1
    report = describe_differences(baseline, now)
    assert report == "", (
        f"{name}: results differ from {path.name}.\n{report}\n"
        "If the change is intended, run `python tests/make_baselines.py` and say why in the commit."
    )


def test_difference_report_names_columns_and_months():
    """The regression report names a changed column with its first changed month and both values,
    and names columns that appeared or disappeared; equal tables give an empty report."""
    base = pd.DataFrame({"month": [0, 1, 2], "stock_total": [10.0, 11.0, 12.0], "wage_mean_yen": [1.0, np.nan, 3.0]})
    assert describe_differences(base, base.copy()) == ""
    now = base.copy()
    now.loc[2, "stock_total"] = 12.5
    now["new_column"] = 0
    report = describe_differences(base, now.drop(columns="wage_mean_yen"))
    assert "stock_total: month 2: baseline 12.0 now 12.5" in report
    assert "columns missing now: wage_mean_yen" in report
    assert "columns new now (not in the baseline): new_column" in report
    tiny = base.copy()
    tiny.loc[1, "stock_total"] = 11.0 * (1 + 1e-12)
    assert describe_differences(base, tiny) == "", "within the 1e-9 relative tolerance"
