"""What a seed may be: one rule for the command line, experiment files and the Python API.

numpy's ``SeedSequence`` takes any non-negative integer, but a run's seed is also written into
its tables (a ``seed`` column of int64 in Parquet and pandas) and into run records, so a seed
must fit in a signed 64-bit integer. Checking it before anything is built means a bad seed is
refused at once, not after the run when its table is written.
"""

from __future__ import annotations

from typing import Any

#: The largest seed: the largest value of a signed 64-bit integer (the tables' ``seed`` column).
MAX_SEED = 2**63 - 1


class SeedError(ValueError):
    """A seed that is not a whole number from 0 to ``MAX_SEED``."""


def check_seed(seed: Any, what: str = "seed") -> int:
    """``seed`` as an int, or ``SeedError`` naming ``what``, the value and what is allowed.

    Refuses what the files refuse: booleans, floats (even 7.0), strings, negative numbers and
    numbers beyond ``MAX_SEED``; numpy integers are accepted as the integers they are.
    """
    import numbers

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise SeedError(f"{what}: {seed!r} is not a whole number; allowed: a whole number from 0 to {MAX_SEED}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise SeedError(f"{what}: {seed} is out of range; allowed: a whole number from 0 to {MAX_SEED}")
    return int(seed)
