"""Make the dashboard's precomputed ensemble: every shipped preset, seeds 1-10, scale 0.005, 120 months.

    python scripts/dashboard_ensemble.py [--seeds 10] [--scale 0.005] [--months 120]

Writes ``dashboards/data/ensemble.csv.gz`` (one row per preset, seed and month, the columns of
``dashboards.ensemble.COLUMNS``) and ``dashboards/data/ensemble.json`` (the command, the date,
the commit, seeds, scale, months). The page labels the band "precomputed: N seeds, scale X".
Re-run it when the model's results change (about 4 s a run at scale 0.005).
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
    parser.add_argument("--months", type=int, default=ensemble.MONTHS)
    args = parser.parse_args()
    seeds = tuple(range(1, args.seeds + 1))
    started = time.perf_counter()
    table = ensemble.compute(SHIPPED, seeds, args.scale, args.months)
    ensemble.DATA_DIR.mkdir(parents=True, exist_ok=True)
    table.to_csv(ensemble.TABLE_PATH, index=False, float_format="%.6g")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    meta = {
        "command": " ".join(["python scripts/dashboard_ensemble.py", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(), "commit": commit,
        "presets": list(SHIPPED), "seeds": list(seeds), "scale": args.scale, "months": args.months,
        "seconds": round(time.perf_counter() - started, 1),
    }
    ensemble.META_PATH.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(SHIPPED)} presets x {len(seeds)} seeds at scale {args.scale}, {args.months} months: "
          f"{ensemble.TABLE_PATH.relative_to(ROOT)} in {meta['seconds']} s")


if __name__ == "__main__":
    main()
