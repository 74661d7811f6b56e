"""Make the dashboard's precomputed ensemble: every shipped preset, seeds 1-10, scale 0.005, 120 months.

    python scripts/dashboard_ensemble.py [--seeds 10] [--scale 0.005] [--months 120]
    python scripts/dashboard_ensemble.py --long    # the lesson's runs to July 2070 (esd_transition, titp)

Writes ``dashboards/data/ensemble.csv.gz`` (one row per preset, seed and month, the columns of
``dashboards.ensemble.COLUMNS``) and ``dashboards/data/ensemble.json`` (the command, the date,
the commit, seeds, scale, months). The page labels the band "precomputed: N seeds, scale X".
With ``--long``: ``ensemble_2070.*`` instead, the presets of the lesson "Where do people settle
by 2070?" over 520 months with the columns ``ensemble.LONG_COLUMNS``. Re-run both when the
model's results change (about 4 s a run of 120 months at scale 0.005, 6 s to 2070).
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboards import ensemble  # noqa: E402
from sim.scenario import SHIPPED  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(ensemble.SEEDS))
    parser.add_argument("--scale", type=float, default=ensemble.SCALE)
    parser.add_argument("--months", type=int, default=None, help=f"default {ensemble.MONTHS}, with --long {ensemble.LONG_MONTHS}")
    parser.add_argument("--long", action="store_true", help="the lesson's runs to 2070 (ensemble_2070.*)")
    args = parser.parse_args()
    seeds = tuple(range(1, args.seeds + 1))
    presets, name = (ensemble.LONG_PRESETS, ensemble.LONG) if args.long else (SHIPPED, "ensemble")
    columns = ensemble.LONG_COLUMNS if args.long else ensemble.COLUMNS
    args.months = args.months or (ensemble.LONG_MONTHS if args.long else ensemble.MONTHS)
    started = time.perf_counter()
    table = ensemble.compute(presets, seeds, args.scale, args.months, columns)
    ensemble.DATA_DIR.mkdir(parents=True, exist_ok=True)
    table_path, meta_path = ensemble.DATA_DIR / f"{name}.csv.gz", ensemble.DATA_DIR / f"{name}.json"
    table.to_csv(table_path, index=False, float_format="%.6g")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    meta = {
        "command": " ".join(["python scripts/dashboard_ensemble.py", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(), "commit": commit,
        "presets": list(presets), "seeds": list(seeds), "scale": args.scale, "months": args.months,
        "seconds": round(time.perf_counter() - started, 1),
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(presets)} presets x {len(seeds)} seeds at scale {args.scale}, {args.months} months: "
          f"{table_path.relative_to(ROOT)} in {meta['seconds']} s")


if __name__ == "__main__":
    main()
