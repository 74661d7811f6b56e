"""Write the fixed-seed regression baselines: ``tests/baselines/<scenario>.csv``.

One run per shipped scenario (seed 11, scale 0.005, 36 months, every column of the monthly
table). ``tests/test_regression.py`` compares a fresh run against these files.

Run it deliberately, only when a change of results is intended (a new mechanism, a recalibrated
parameter, a fixed bug), and say in the commit message why the numbers changed::

    python tests/make_baselines.py            # all four shipped scenarios
    python tests/make_baselines.py esd titp   # some of them

Never regenerate baselines to make a failing regression test pass without knowing why it failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

BASELINE_DIR = Path(__file__).resolve().parent / "baselines"
SEED, SCALE, MONTHS = 11, 0.005, 36
#: Enough digits that a float read back from the CSV is the float written.
FLOAT_FORMAT = "%.17g"


def baseline_table(name: str) -> pd.DataFrame:
    """The run a baseline records: shipped scenario ``name``, seed 11, scale 0.005, 36 months."""
    import sim
    from sim.runner import run_scenario

    return run_scenario(sim.shipped_scenario(name), seed=SEED, months=MONTHS, scale=SCALE)


def baseline_path(name: str) -> Path:
    return BASELINE_DIR / f"{name}.csv"


def main(names: list[str]) -> None:
    from sim.scenario import SHIPPED

    unknown = [n for n in names if n not in SHIPPED]
    if unknown:
        sys.exit(f"not a shipped scenario: {', '.join(unknown)} (choose from {', '.join(SHIPPED)})")
    BASELINE_DIR.mkdir(exist_ok=True)
    for name in names or list(SHIPPED):
        path = baseline_path(name)
        baseline_table(name).to_csv(path, index=False, float_format=FLOAT_FORMAT)
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
