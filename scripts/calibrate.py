"""Calibrate behavioural parameters to the in-sample official series 2017-2022 (docs/validation.md).

Procedure
---------
1. Parameters fitted (on transformed scales, log for hazards and multipliers):
   ``behaviour.abscond.base_monthly`` (the absconding hazard), ``behaviour.departure.return_base_monthly``
   and ``behaviour.departure.return_per_grievance`` (early returns home, which no statistic counts
   directly but which drain the TITP stock).
2. Targets: TITP stock at year end and trainee disappearances per year, 2017-2022 (12 numbers;
   sim/data/official_series.csv). 2023-2024 are never used (out of sample). SSW stocks are NOT
   targets of this fit: they set the SSW i uptake ramp (step 5).
3. Loss: mean over targets of the squared log error log(model / official)^2, the model value being
   the mean over seeds 1, 2, 3 (the same seeds for every parameter value: common random numbers),
   scenario ``history_2017.toml``, scale 0.01.
4. Search: a coarse 3 x 3 x 3 grid (log-spaced), then scipy.optimize Nelder-Mead on the log
   values from the best grid point until it converges: the simplex within ``--xatol`` (0.05: 5%)
   of its best vertex in every log value and its losses within ``--fatol`` (0.001, a tenth of the
   loss's spread over seed sets, docs/validation.md 3.1) of the best. ``--maxfev`` (200) is only a
   guard: a search stopped by it prints "NOT CONVERGED" and exits with code 1, its values are not
   a fit.
0. Absconding by origin (before step 1; ``--origins``): ``behaviour.abscond.per_origin_fee_500k_yen``
   (the log-hazard per 500,000 yen of the origin's mean broker fee, ``world.broker_fee_yen``) on a
   grid, scored by the divergence (Kullback-Leibler, official from model) of the in-sample 2019
   nationality shares of disappearances (ISA's complete table: Vietnam, China, Cambodia, Myanmar,
   Indonesia, other), which weights each nationality by its disappearances;
   then the factor of Myanmar's dated period (``behaviour.abscond.origin_periods``, from June 2021)
   on a grid, scored on the in-sample 2022 Myanmar share (607 of 9,006); seeds 1-16 (the shares of
   small nationalities are a few agents at scale 0.01). 2023-2024 shares are out of sample.
0c. Irregular workers' exits (``--irregular``): ``behaviour.departure.irregular_apprehension_monthly``
   and ``irregular_self_departure_monthly`` (kept equal, assumption) on a grid, scored by the
   squared log errors of the in-sample overstayers whose last status was TITP (ISA, 1 July
   2020-2022 and 1 January 2023 against the model's June and December 2022), compared like with
   like: absconded trainees whose permitted stay has run out (``stock_overstayers_trainee``).
0d. The demand pull of irregular work (``--demand``): ``behaviour.abscond.per_log_demand_change`` (the
   elasticity of the absconding hazard to the year's change in the job-openings ratio) on a grid,
   scored by the mean squared log error of the in-sample disappearances 2017-2022 (seeds 1-10: on
   seeds 1-3 the score is flat over 1.25-2), the absconding hazard and the rest as shipped.
5. The SSW i uptake ramp (``policy.stay.ssw1_ramp_months`` of history_2017.toml): a grid of 0-60
   months scored by the sum of squared log errors of the SSW stock 2020-2022 (2019's 1,621
   holders are too few to fit at scale 0.01); the best is copied into the scenario by hand.
   With the bridging status (2020-22) the ramp and the bridging take-up share
   (``policy.stay.bridging.share_taking_up``) are fitted together (``--ramp``): a grid scored by
   the same SSW score, with a penalty (the squared log excess) where the bridging stock exceeds
   its upper bound (the rise of the all-purpose 特定活動 stock over end-2019, 2020-2022).
   Diagnostic (not fitted): a profile of ``behaviour.departure.share_wanting_long_stay`` against
   the SSW stock 2019-2024.
6. TITP pay (``--wages``): the markup of the history's firms at the start (``world.wage_markup_mean``
   of history_2017.toml: the level) and ``behaviour.firms.wage_raise_step`` (the raises of firms
   short of staff or losing workers: the growth over the minimum wage) on a grid, scored by the
   squared log errors of the in-sample TITP scheduled pay 2019 and 2020 (Wage Structure survey,
   156,900 and 161,700 yen); 2023 (181,700) is out of sample, reported.

Run::

    .venv/bin/python scripts/calibrate.py [--workers 2] [--maxfev 200] [--no-diagnostics] [--out results/calibrate] [--scale 0.01] [--json fit.json]
    .venv/bin/python scripts/calibrate.py --origins | --irregular | --ramp | --wages   (one step only)

It prints the grid, the Nelder-Mead path, the fitted values and loss, and the diagnostics
(``--json PATH`` writes the fit, its losses and whether it converged, for scripts/make_docs.py); it
does not edit any file (copy the values into scenarios/world.toml by hand). Every evaluation is a small
experiment on the engine of ``sim.experiments`` (the same as ``tenseki compare``, ``validate`` and
``sweep``): its runs go to a store under ``--out`` named by a hash of the parameter values, so an
interrupted calibration re-run reuses every evaluation already made; ``--workers N`` runs them on a
Dask ``LocalCluster`` kept for the whole calibration (``sim.experiments.local_workers``), ``--scheduler ADDRESS`` on a running cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import validation  # noqa: E402
from sim.scenario import Scenario  # noqa: E402

SEEDS = (1, 2, 3)
#: Nelder-Mead's convergence: every log value of the simplex within XATOL of the best vertex (5%),
#: every loss within FATOL of the best (a tenth of the loss's spread over seed sets, 0.01).
XATOL = 0.05
FATOL = 1e-3
#: A guard, not a stop rule: a search that reaches it has not converged and says so.
MAXFEV = 200
#: Exit code of a search stopped by ``--maxfev`` before it converged.
NOT_CONVERGED = 1
SCALE = 0.01
TARGET_YEARS = validation.IN_SAMPLE  # 2017-2022
TARGETS = ("titp_stock", "disappearances")

#: (key, lower bound, upper bound); all searched on a log scale.
PARAMS = (
    ("behaviour.abscond.base_monthly", 1e-5, 0.02),
    ("behaviour.departure.return_base_monthly", 1e-5, 0.02),
    ("behaviour.departure.return_per_grievance", 1e-5, 0.02),
)
GRID = {
    "behaviour.abscond.base_monthly": (0.0006, 0.0009, 0.00135),
    "behaviour.departure.return_base_monthly": (0.0001, 0.0005, 0.002),
    "behaviour.departure.return_per_grievance": (0.0001, 0.0005, 0.002),
}


def with_values(base: Scenario, values: dict[str, object]) -> Scenario:
    """A validated copy of ``base`` with dotted keys set (``Scenario.with_changes``)."""
    return base.with_changes(values)


class Objective:
    """Runs the history scenario for the fixed seeds and scores it against the in-sample targets."""

    def __init__(self, client, base: Scenario, official: pd.DataFrame, out: Path) -> None:
        self.client, self.base, self.out = client, base, out
        off = official.set_index("year")
        self.target = {
            m: off.loc[list(TARGET_YEARS), validation.MEASURES[m][0]].astype(float) for m in TARGETS
        }
        self.evaluations = 0
        self.history: list[dict] = []

    def model_means(self, values: dict[str, object]) -> pd.DataFrame:
        scenario = with_values(self.base, values)
        key = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]
        return validation.run_history(SEEDS, SCALE, scenario=scenario, client=self.client, out=self.out / key)

    def loss_of(self, runs: pd.DataFrame) -> float:
        means = runs.groupby("year").mean(numeric_only=True)
        errs = []
        for m in TARGETS:
            model = means.loc[list(TARGET_YEARS), m].to_numpy(dtype=float)
            errs.extend(np.log(np.maximum(model, 1.0) / self.target[m].to_numpy()))
        return float(np.mean(np.square(errs)))

    def __call__(self, values: dict[str, float]) -> float:
        runs = self.model_means(values)
        loss = self.loss_of(runs)
        self.evaluations += 1
        self.history.append({**values, "loss": loss})
        return loss

    def reported(self, values: dict[str, float]) -> float:
        """The loss, with a line of the search's path (Nelder-Mead's evaluations, one a line)."""
        loss = self(values)
        print(f"  {self.evaluations:4d}  " + "  ".join(f"{k.split('.')[-1]} {v:.6g}" for k, v in values.items())
              + f"  -> loss {loss:.4f}", flush=True)
        return loss


ORIGIN_SEEDS = tuple(range(1, 17))
FEE_GRID = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
MYANMAR_GRID = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
NATIONALITIES_2019 = ("vietnam", "china", "cambodia", "myanmar", "indonesia", "other")


def origin_shares(f: Objective, values: dict[str, object]) -> pd.DataFrame:
    """Mean over ORIGIN_SEEDS of the nationality shares of disappearances (%), year x nationality."""
    scenario = with_values(f.base, values)
    key = "origins-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]
    validation.run_history(ORIGIN_SEEDS, SCALE, scenario=scenario, client=f.client, out=f.out / key)
    shares = validation.yearly_shares(f.out / key, f.base.run.start)
    shares = shares[shares["measure"].str.startswith("nat_share_")]
    return shares.groupby(["year", "measure"])["value"].mean().unstack("measure")


def fit_origins(f: Objective) -> dict[str, object]:
    """Step 0: the fee slope on the 2019 nationality shares, then Myanmar's factor on its 2022 share."""
    official = validation.load_official_shares().set_index(["measure", "year"])["official"]
    period = f.base.behaviour.abscond.origin_periods[0].model_dump()
    print("\n0a. fee slope (per_origin_fee_500k_yen) on the 2019 nationality shares (seeds 1-16)")
    best = None
    for slope in FEE_GRID:
        m = origin_shares(f, {"behaviour.abscond.per_origin_fee_500k_yen": slope})
        score = sum(official[(f"nat_share_{o}_pct", 2019)] / 100.0 * math.log(
            official[(f"nat_share_{o}_pct", 2019)] / m.at[2019, f"nat_share_{o}_pct"]) for o in NATIONALITIES_2019)
        print(f"  slope {slope:.1f}: score {score:.3f}   model/official 2019: "
              + ", ".join(f"{o} {m.at[2019, f'nat_share_{o}_pct']:.1f}/{official[(f'nat_share_{o}_pct', 2019)]:.1f}" for o in NATIONALITIES_2019))
        if best is None or score < best[0]:
            best = (score, slope)
    slope = best[1]
    print(f"  best slope {slope}")
    print("\n0b. Myanmar's factor from June 2021 on its 2022 share (official 6.74%; 2023 18.1% and 2024 19.4% out of sample)")
    best = None
    for factor in MYANMAR_GRID:
        m = origin_shares(f, {"behaviour.abscond.per_origin_fee_500k_yen": slope,
                              "behaviour.abscond.origin_periods": [{**period, "factor": factor}]})
        model = m["nat_share_myanmar_pct"]
        score = math.log(model[2022] / official[("nat_share_myanmar_pct", 2022)]) ** 2
        print(f"  factor {factor:.1f}: score {score:.3f}   Myanmar share 2021-2024: "
              + " / ".join(f"{model[y]:.1f}" for y in range(2021, 2025)))
        if best is None or score < best[0]:
            best = (score, factor)
    print(f"  best factor {best[1]}")
    return {"behaviour.abscond.per_origin_fee_500k_yen": slope, "myanmar_factor": best[1]}


IRREGULAR_GRID = (0.012, 0.018, 0.024, 0.036, 0.048)
OVERSTAYER_TARGETS = (("overstayers_jul", 2020), ("overstayers_jul", 2021), ("overstayers_jul", 2022), ("overstayers_jan", 2022))


def fit_irregular(f: Objective, values: dict[str, object] | None = None) -> dict[str, object]:
    """Step 0c: the irregular workers' monthly exit hazards (apprehension = self-departure) on the overstayers."""
    values = values or {}
    official = validation.load_official().set_index("year")
    print("\n0c. irregular exits (apprehension = self-departure, a month) on ISA's TITP overstayers, in sample")
    best = None
    for h in IRREGULAR_GRID:
        vals = {**values, "behaviour.departure.irregular_apprehension_monthly": h,
                "behaviour.departure.irregular_self_departure_monthly": h}
        means = f.model_means(vals).groupby("year").mean(numeric_only=True)
        errs = [math.log(means.at[y, m] / official.at[y, m]) for m, y in OVERSTAYER_TARGETS]
        score = float(np.mean(np.square(errs)))
        print(f"  hazard {h:.3f}: score {score:.3f}   overstayers Jul 2020-23 "
              + " / ".join(f"{means.at[y, 'overstayers_jul']:,.0f}" for y in range(2020, 2024))
              + f"   Jan 2023-24 {means.at[2022, 'overstayers_jan']:,.0f} / {means.at[2023, 'overstayers_jan']:,.0f}"
              + "   disappearances 2020-22 " + " / ".join(f"{means.at[y, 'disappearances']:,.0f}" for y in (2020, 2021, 2022)))
        if best is None or score < best[0]:
            best = (score, h)
    print(f"  best hazard {best[1]} (official Jul 2020-23: 12,457 / 9,186 / 6,093 / 10,913; Jan 2023-24: 7,985 / 11,210)")
    return {"behaviour.departure.irregular_apprehension_monthly": best[1],
            "behaviour.departure.irregular_self_departure_monthly": best[1]}


RAMP_GRID = (54, 66, 78, 90)
SHARE_GRID = (0.25, 0.5, 0.75, 1.0)
OFFICIAL_SSW = {2020: 15663, 2021: 49666, 2022: 130923}


def fit_ramp_and_bridging(f: Objective, values: dict[str, object] | None = None) -> dict[str, object]:
    """Step 5 with the bridging status: the SSW i ramp x the bridging take-up share on the SSW stocks 2020-2022."""
    values = values or {}
    bound = validation.load_official().set_index("year")["bridging_stock_bound"]
    print("\n5. SSW i ramp x bridging take-up share: SSW stock 2020-22 (15,663 / 49,666 / 130,923), bridging <= bound "
          f"({' / '.join(f'{bound[y]:,.0f}' for y in (2020, 2021, 2022))})")
    best = None
    for ramp in RAMP_GRID:
        for share in SHARE_GRID:
            vals = {**values, "policy.stay.ssw1_ramp_months": ramp, "policy.stay.bridging.share_taking_up": share}
            means = f.model_means(vals).groupby("year").mean(numeric_only=True)
            ssw = sum(math.log(means.at[y, "ssw_stock"] / OFFICIAL_SSW[y]) ** 2 for y in OFFICIAL_SSW)
            excess = sum(max(0.0, math.log(max(means.at[y, "bridging_stock"], 1.0) / bound[y])) ** 2 for y in OFFICIAL_SSW)
            score = ssw + excess
            print(f"  ramp {ramp} share {share:.2f}: score {score:.3f} (excess {excess:.3f})   SSW 2019-24 "
                  + " / ".join(f"{means.at[y, 'ssw_stock']:,.0f}" for y in range(2019, 2025))
                  + "   bridging 2020-22 " + " / ".join(f"{means.at[y, 'bridging_stock']:,.0f}" for y in (2020, 2021, 2022)))
            if best is None or score < best[0]:
                best = (score, ramp, share)
    print(f"  best: ramp {best[1]} months, share {best[2]}")
    return {"policy.stay.ssw1_ramp_months": best[1], "policy.stay.bridging.share_taking_up": best[2]}


MARKUP_GRID = (1.01, 1.02, 1.03, 1.05)
RAISE_STEP_GRID = (0.0, 0.002, 0.0025, 0.003, 0.005)
WAGE_YEARS_IN_SAMPLE = (2019, 2020)
WAGE_YEAR_OUT_OF_SAMPLE = 2023


def fit_wages(f: Objective, values: dict[str, object] | None = None) -> dict[str, object]:
    """Step 6: the history's starting markup x the raise step on the TITP pay of 2019 and 2020."""
    values = values or {}
    official = validation.load_official().set_index("year")["titp_wage_scheduled_yen"]
    years = (*WAGE_YEARS_IN_SAMPLE, WAGE_YEAR_OUT_OF_SAMPLE)
    print("\n6. starting markup x raise step: TITP pay " + " / ".join(f"{y} {official[y]:,.0f}" for y in years)
          + f" ({WAGE_YEAR_OUT_OF_SAMPLE} out of sample)")
    best = None
    for markup in MARKUP_GRID:
        for step in RAISE_STEP_GRID:
            vals = {**values, "world.wage_markup_mean": markup, "behaviour.firms.wage_raise_step": step}
            pay = f.model_means(vals).groupby("year")["titp_wage_yen"].mean()
            score = sum(math.log(pay[y] / official[y]) ** 2 for y in WAGE_YEARS_IN_SAMPLE)
            print(f"  markup {markup:.2f} step {step:.4f}: score {score:.6f}   pay " + " / ".join(f"{pay[y]:,.0f}" for y in years))
            if best is None or score < best[0]:
                best = (score, markup, step)
    print(f"  best: markup {best[1]}, raise step {best[2]}")
    return {"world.wage_markup_mean": best[1], "behaviour.firms.wage_raise_step": best[2]}


def to_x(values: dict[str, float]) -> np.ndarray:
    return np.array([math.log(values[k]) for k, _, _ in PARAMS])


def from_x(x: np.ndarray) -> dict[str, float]:
    return {k: float(np.clip(math.exp(v), lo, hi)) for (k, lo, hi), v in zip(PARAMS, x)}


DEMAND_GRID = (0.0, 1.0, 1.25, 1.5, 1.75, 2.0)
DEMAND_SEEDS = tuple(range(1, 11))


def fit_demand(f: Objective) -> dict[str, object]:
    """Step 0d: the demand pull's elasticity on the in-sample disappearances 2017-2022."""
    official = validation.load_official().set_index("year")["disappearances"]
    years = list(TARGET_YEARS)
    print("\n0d. demand pull (per_log_demand_change) on ISA disappearances 2017-2022 (seeds 1-10)")
    best = None
    for b in DEMAND_GRID:
        values = {"behaviour.abscond.per_log_demand_change": b}
        key = "demand-" + hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
        runs = validation.run_history(DEMAND_SEEDS, SCALE, scenario=with_values(f.base, values), client=f.client, out=f.out / key)
        means = runs.groupby("year").mean(numeric_only=True)
        errs = np.log(means.loc[years, "disappearances"].to_numpy() / official.loc[years].to_numpy())
        score = float(np.mean(np.square(errs)))
        print(f"  elasticity {b:.2f}: score {score:.4f}   disappearances 2017-2024 "
              + " / ".join(f"{means.at[y, 'disappearances']:,.0f}" for y in range(2017, 2025)))
        if best is None or score < best[0]:
            best = (score, b)
    print(f"  best elasticity {best[1]} (official 2017-2024: " + " / ".join(f"{official[y]:,.0f}" for y in range(2017, 2025)) + ")")
    return {"behaviour.abscond.per_log_demand_change": best[1]}


def main(argv: list[str] | None = None) -> int:
    global SCALE  # --scale: every evaluation's scale
    from scipy.optimize import minimize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--maxfev", type=int, default=MAXFEV,
                    help="Nelder-Mead evaluations at most (a guard: stopping there is reported as not converged)")
    ap.add_argument("--xatol", type=float, default=XATOL, help="convergence: simplex size in log values")
    ap.add_argument("--fatol", type=float, default=FATOL, help="convergence: spread of the simplex's losses")
    ap.add_argument("--json", type=Path, default=None, help="write the fit (values, losses, convergence) here")
    ap.add_argument("--no-diagnostics", action="store_true")
    ap.add_argument("--origins", action="store_true", help="only step 0, the absconding drivers by origin")
    ap.add_argument("--irregular", action="store_true", help="only step 0c, the irregular workers' exits")
    ap.add_argument("--demand", action="store_true", help="only step 0d, the demand pull of irregular work")
    ap.add_argument("--ramp", action="store_true", help="only step 5, the SSW i ramp and the bridging take-up share")
    ap.add_argument("--wages", action="store_true", help="only step 6, the starting markup and the raise step on TITP pay")
    ap.add_argument("--out", type=Path, default=Path("results/calibrate"), help="stores of the evaluations (reused)")
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    ap.add_argument("--scale", type=float, default=SCALE,
                    help=f"agents per real person and firm (default {SCALE}); another scale, e.g. 0.002 for a quick check, "
                         "keeps its evaluations apart, in OUT/scaleS, and its fit is not the shipped one")
    args = ap.parse_args(argv)
    if not 0 < args.scale <= 1:
        ap.error(f"--scale {args.scale:g}: give 0 < scale <= 1")
    if args.scale != SCALE:
        SCALE, args.out = args.scale, args.out / f"scale{args.scale:g}"

    t0 = time.perf_counter()
    base = validation.history_scenario()
    official = validation.load_official()
    with contextlib.ExitStack() as stack:
        client = None
        if args.scheduler or args.workers > 1:
            from distributed import Client

            from sim.experiments import local_workers

            if args.scheduler:
                client = stack.enter_context(Client(args.scheduler))
            else:  # the engine's workers (forked after the imports, loopback only), kept for every evaluation
                client = stack.enter_context(local_workers(args.workers))
        f = Objective(client, base, official, args.out)
        single = {"origins": fit_origins, "irregular": fit_irregular, "demand": fit_demand, "ramp": fit_ramp_and_bridging,
                  "wages": fit_wages}
        for name, step in single.items():
            if getattr(args, name):
                print(step(f))
                print(f"\nruntime {time.perf_counter() - t0:.0f} s")
                return 0
        start = {k: float(with_values(base, {}).model_dump()["behaviour"][k.split(".")[1]][k.split(".")[2]]) for k, _, _ in PARAMS}
        print(f"current values: {start}  loss {f(start):.4f}")

        print("\n1. grid")
        import itertools

        best_vals, best_loss = start, f.history[-1]["loss"]
        keys = list(GRID)
        for combo in itertools.product(*(GRID[k] for k in keys)):
            vals = {**start, **dict(zip(keys, combo))}
            loss = f(vals)
            print("  " + "  ".join(f"{k.split('.')[-1]} {v:.5f}" for k, v in zip(keys, combo)) + f"  -> loss {loss:.4f}")
            if loss < best_loss:
                best_vals, best_loss = vals, loss
        print(f"  best grid point: {best_vals}  loss {best_loss:.4f}")

        print("\n2. Nelder-Mead from the best grid point (log scale)")
        before = f.evaluations
        res = minimize(lambda x: f.reported(from_x(x)), to_x(best_vals), method="Nelder-Mead",
                       options={"maxfev": args.maxfev, "xatol": args.xatol, "fatol": args.fatol})
        fitted = from_x(res.x)
        converged = bool(res.success)
        if converged:
            print(f"  converged after {res.nfev} evaluations (simplex within {args.xatol} in log values, "
                  f"losses within {args.fatol}): {res.message}")
        else:
            print(f"  NOT CONVERGED: stopped at the cap of {args.maxfev} evaluations ({res.message}); "
                  f"the values below are the best point found, not a fit (raise --maxfev)")
        nelder_mead_evaluations = f.evaluations - before
        runs = f.model_means(fitted)
        loss = f.loss_of(runs)
        print("\nFitted values (seeds 1-3, scale 0.01, in-sample 2017-2022):")
        for k, v in fitted.items():
            print(f"  {k} = {v:.6g}")
        print(f"  loss (mean squared log error over {len(TARGETS) * len(TARGET_YEARS)} targets) = {loss:.4f}"
              f"  (RMS log error {math.sqrt(loss):.3f})")
        means = runs.groupby("year").mean(numeric_only=True)
        show = means[["titp_stock", "ssw_stock", "disappearances", "disappearance_rate_pct"]].round(2)
        show["official_titp"] = official.set_index("year")["titp_stock_year_end"]
        show["official_disapp"] = official.set_index("year")["disappearances"]
        print(show.to_string())

        # Local sensitivity: the loss at +-25% of each fitted value (how well the data pin it).
        print("\n3. Local sensitivity: loss at x0.75 and x1.25 of each fitted value")
        profile = {}
        for k, _, _ in PARAMS:
            lo = f({**fitted, k: fitted[k] * 0.75})
            hi = f({**fitted, k: fitted[k] * 1.25})
            profile[k] = (lo, hi)
            print(f"  {k}: x0.75 -> {lo:.4f}, fitted -> {loss:.4f}, x1.25 -> {hi:.4f}")
        if args.json:
            args.json.write_text(json.dumps({
                "shipped": start, "shipped_loss": f.history[0]["loss"], "grid_best": best_vals, "grid_best_loss": best_loss,
                "fitted": fitted, "loss": loss, "converged": converged, "nelder_mead_evaluations": nelder_mead_evaluations,
                "maxfev": args.maxfev, "xatol": args.xatol, "fatol": args.fatol, "message": str(res.message),
                "loss_at_0.75_and_1.25": profile, "seeds": list(SEEDS), "scale": SCALE}, indent=1) + "\n")

        if not args.no_diagnostics:
            print("\n4. Profile (not fitted): share_wanting_long_stay vs SSW stock (official 2019-2022:"
                  " 1,621 / 15,663 / 49,666 / 130,923; out of sample 2023-24: 208,462 / 284,466)")
            for share in (0.3, 0.4, 0.5, 0.6, 0.7):
                r = f.model_means({**fitted, "behaviour.departure.share_wanting_long_stay": share})
                m = r.groupby("year")["ssw_stock"].mean()
                t = r.groupby("year")["titp_stock"].mean()
                print(f"  share {share:.1f}: SSW " + " / ".join(f"{m[y]:,.0f}" for y in range(2019, 2025))
                      + f"   TITP 2022 {t[2022]:,.0f}  loss(TITP, disapp.) {f.loss_of(r):.4f}")
            print("\n5. SSW i uptake ramp (shipped parameters): sum of squared log errors of the SSW stock 2020-2022")
            official_ssw = {2020: 15663, 2021: 49666, 2022: 130923}
            for ramp in (0, 18, 24, 30, 36, 42, 48, 54, 60):
                r = f.model_means({"policy.stay.ssw1_ramp_months": ramp})  # the shipped parameters
                m = r.groupby("year")["ssw_stock"].mean()
                score = sum(math.log(m[y] / official_ssw[y]) ** 2 for y in official_ssw)
                print(f"  ramp {ramp:2d} months: score {score:.3f}   SSW " + " / ".join(f"{m[y]:,.0f}" for y in range(2019, 2025)))
    print(f"\n{f.evaluations} evaluations x {len(SEEDS)} seeds; runtime {time.perf_counter() - t0:.0f} s")
    if not converged:
        print(f"NOT CONVERGED: Nelder-Mead stopped at its cap of {args.maxfev} evaluations", file=sys.stderr)
        return NOT_CONVERGED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
