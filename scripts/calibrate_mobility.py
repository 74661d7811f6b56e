"""Calibrate voluntary job change to ISA's SSW job-change statistics (docs/validation.md, "SSW job change").

Procedure
---------
1. Parameters fitted (log scale): ``behaviour.transfer.seek_base_monthly``,
   ``behaviour.transfer.seek_decay_months`` and ``behaviour.transfer.seek_per_grievance`` (the
   seek hazard: a base part that falls with the months a person has been free to leave their
   employer, and a grievance part that does not). The cohorts differ in little but their time
   since becoming SSW i, so their shape pins the decay and their level the hazard.
   ``behaviour.transfer.national_offer_share`` (the share of job offers drawn from the national
   pool of the field's vacancies: the search's reach beyond the prefecture). ``seek_per_wage_gap``
   and ``min_wage_gain`` stay as shipped (the first fit found the gain not identified:
   docs/validation.md).
2. Targets (``sim/data/ssw_job_change.csv``, ISA/MOJ material of November 2025 as quoted [S]):
   of the people who became SSW i in 2021, 2022 and 2023, the share who had changed employer by
   the end of 2024 (29.2 / 28.7 / 25.1 %). The 2024 cohort (12.2 %) is never used: out of
   sample. Model side: ``validation.yearly``'s ``ssw1_cohort_changed_pct`` (cohorts by the month
   a person became SSW i; the history run ends in December 2024); and the share of SSW job
   changes 2021-2024 that crossed a prefecture border (ISA: 66.0% [S]; model:
   ``inter_prefecture_moves_ssw / employer_changes_ssw``), which pins the national share.
3. Loss: mean over the four targets of log(model / official)^2, the model value being the mean
   over seeds 1-4 (common random numbers; the cross-prefecture share pooled), ``history_2017.toml``
   at scale 0.01.
4. Search: a coarse grid over the base seek hazard x the national share (decay 24 months), then
   Nelder-Mead on the four log values from the best grid point (``--maxfev`` evaluations at most).
5. Diagnostic (not fitted): a profile of ``behaviour.transfer.move_cost`` at the fitted values
   against the cross-prefecture share, with the moves into and out of metro prefectures 2017-2024.

Run::

    .venv/bin/python scripts/calibrate_mobility.py [--maxfev 40] [--out results/calibrate_mobility]

It prints every evaluation, the fitted values and the 2024 cohort out of sample; it does not edit
any file (copy the values into scenarios/world.toml by hand). Runs go through the experiment
engine into stores under ``--out`` named by a hash of the values (an interrupted run reuses them).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import validation  # noqa: E402

SEEDS = (1, 2, 3, 4)
SCALE = 0.01
COHORTS_IN_SAMPLE = (2021, 2022, 2023)
COHORT_OUT_OF_SAMPLE = 2024
CROSS_PREFECTURE_YEARS = (2021, 2022, 2023, 2024)
#: ISA: share of SSW job changes 2021-2024 that involved a move across a prefecture border [S].
CROSS_PREFECTURE_PCT = 66.0

#: (key, lower bound, upper bound); searched on a log scale.
PARAMS = (
    ("behaviour.transfer.seek_base_monthly", 1e-5, 0.2),
    ("behaviour.transfer.seek_decay_months", 1.0, 10_000.0),
    ("behaviour.transfer.seek_per_grievance", 1e-5, 0.1),
    ("behaviour.transfer.national_offer_share", 1e-3, 1.0),
)
MOVE_COSTS = (0.0, 0.02, 0.05, 0.1)
GRID = {
    "behaviour.transfer.seek_base_monthly": (0.008, 0.010, 0.012),
    "behaviour.transfer.national_offer_share": (0.4, 0.55, 0.7),
}


def measures(runs: pd.DataFrame, monthly: pd.DataFrame) -> dict[str, float]:
    """Cohort shares (mean over seeds) and the SSW cross-prefecture share of job changes (pooled)."""
    means = runs.groupby("year")["ssw1_cohort_changed_pct"].mean()
    out = {f"cohort_{y}": float(means.get(y, float("nan"))) for y in (*COHORTS_IN_SAMPLE, COHORT_OUT_OF_SAMPLE)}
    year = 2017 + (monthly["month"] - 1) // 12
    these = monthly[(monthly["month"] >= 1) & year.isin(CROSS_PREFECTURE_YEARS)]
    changes = float(these["employer_changes_ssw"].sum())
    out["cross_prefecture_pct"] = 100.0 * float(these["inter_prefecture_moves_ssw"].sum()) / changes if changes else float("nan")
    n_seeds = monthly["seed"].nunique()
    for col in ("moves_into_metro", "moves_out_of_metro"):
        out[col] = float(monthly[col].sum()) / n_seeds
    return out


class Objective:
    """Runs the history scenario for the fixed seeds and scores it against the in-sample targets."""

    def __init__(self, out: Path) -> None:
        self.base = validation.history_scenario()
        self.out = out
        targets = validation.ssw_job_change_targets().set_index("year")["ssw1_cohort_changed_pct"]
        self.targets = {f"cohort_{y}": float(targets[y]) for y in COHORTS_IN_SAMPLE}
        self.targets["cross_prefecture_pct"] = CROSS_PREFECTURE_PCT
        self.official_2024 = float(targets[COHORT_OUT_OF_SAMPLE])
        self.history: list[dict] = []

    def evaluate(self, values: dict[str, float]) -> dict[str, float]:
        from sim.experiments import read_runs

        key = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        store = self.out / key
        runs = validation.run_history(SEEDS, SCALE, scenario=self.base.with_changes(values), out=store)
        return measures(runs, read_runs(store))

    def loss_of(self, got: dict[str, float]) -> float:
        errs = [math.log(max(got[k], 0.1) / v) for k, v in self.targets.items()]
        return float(np.mean(np.square(errs)))

    def __call__(self, values: dict[str, float]) -> float:
        got = self.evaluate(values)
        loss = self.loss_of(got)
        self.history.append({**values, **got, "loss": loss})
        short = {k.rsplit(".", 1)[1]: round(v, 5) for k, v in values.items()}
        print(f"  {short}  cohorts {got['cohort_2021']:.1f}/{got['cohort_2022']:.1f}/{got['cohort_2023']:.1f}"
              f" (2024: {got['cohort_2024']:.1f})  cross-pref {got['cross_prefecture_pct']:.1f}%  loss {loss:.4f}", flush=True)
        return loss


def values_of(log_values: np.ndarray) -> dict[str, float]:
    """The parameter values at a point of the search (logs, clipped to the bounds)."""
    return {key: float(np.clip(math.exp(x), lo, hi)) for (key, lo, hi), x in zip(PARAMS, log_values)}


def main(argv: list[str] | None = None) -> int:
    from scipy.optimize import minimize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--maxfev", type=int, default=40, help="Nelder-Mead evaluations at most")
    ap.add_argument("--out", type=Path, default=Path("results/calibrate_mobility"), help="stores of the evaluations (reused)")
    args = ap.parse_args(argv)

    f = Objective(args.out)
    shipped = f.base.model_dump()["behaviour"]["transfer"]
    start = {k: float(shipped[k.rsplit(".", 1)[1]]) for k, _, _ in PARAMS}
    print(f"targets (in sample): {f.targets}; out of sample: cohort 2024 = {f.official_2024}")
    print("shipped values:")
    f(start)
    print("1. grid")
    for combo in itertools.product(*GRID.values()):
        f({**start, **dict(zip(GRID, combo))})
    best = min(f.history, key=lambda r: r["loss"])
    print("2. Nelder-Mead")
    res = minimize(lambda x: f(values_of(x)), np.log([best[k] for k, _, _ in PARAMS]), method="Nelder-Mead",
                   options={"maxfev": args.maxfev, "xatol": 0.05, "fatol": 1e-4, "initial_simplex": None})
    best = min(f.history, key=lambda r: r["loss"])
    print("\nfitted:", {k: best[k] for k, _, _ in PARAMS}, f"loss {best['loss']:.4f} ({res.nfev} Nelder-Mead evaluations)")
    print(f"cohorts 2021/2022/2023 (in sample): {best['cohort_2021']:.1f} / {best['cohort_2022']:.1f} / {best['cohort_2023']:.1f}"
          f"  official {f.targets['cohort_2021']} / {f.targets['cohort_2022']} / {f.targets['cohort_2023']}")
    print(f"cohort 2024 (out of sample): {best['cohort_2024']:.1f}  official {f.official_2024}")
    print(f"cross-prefecture share of SSW job changes: {best['cross_prefecture_pct']:.1f}%  official {CROSS_PREFECTURE_PCT}%")
    print("\n3. move_cost profile at the fitted values (not fitted)")
    fitted = {k: best[k] for k, _, _ in PARAMS}
    for cost in MOVE_COSTS:
        got = f.evaluate({**fitted, "behaviour.transfer.move_cost": cost})
        print(f"  move_cost {cost:<5}  cross-prefecture {got['cross_prefecture_pct']:.1f}% (ISA {CROSS_PREFECTURE_PCT}%)"
              f"  moves 2017-2024 into metro {got['moves_into_metro']:,.0f}, out {got['moves_out_of_metro']:,.0f}"
              f"  cohorts {got['cohort_2021']:.1f}/{got['cohort_2022']:.1f}/{got['cohort_2023']:.1f}/{got['cohort_2024']:.1f}")
    args.out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(f.history).to_csv(args.out / "evaluations.csv", index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
