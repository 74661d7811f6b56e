"""Shared helpers and fixtures for the tenseki tests.

Three tiers (tests/README.md): tiny hand-built worlds with exact expectations, one file per
submodel in ``processes/`` (``processes/test_matching.py``, ``test_ladder.py``, ...), invariants
over runs of every shipped scenario and over random variations (``test_invariants.py``,
``test_properties.py``), and reproducibility with a fixed-seed regression baseline per shipped
scenario (``test_reproducibility.py``, ``test_regression.py``); plus the table, scenario files
and CLI (``test_outputs.py``, ``test_scenarios.py``, ``test_cli.py``). The helpers are in
``helpers.py``. Everything is seeded and small (scales 0.002-0.02, 12-63 months).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ``import helpers`` from any test module

from helpers import shipped_run_cached  # noqa: E402


@pytest.fixture(scope="session")
def shipped_run():
    """``shipped_run(name)``: the recorded run of a shipped scenario (scale 0.005, 48 months), made once."""
    return shipped_run_cached
