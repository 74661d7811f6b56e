"""benchmarks/same_results.py: each version's child reads that version's code and scenario files
(not those of the editable install), and the comparison sees a difference of one bit."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "same_results.py"

pytestmark = pytest.mark.skipif(not (ROOT / ".git").exists() or not SCRIPT.is_file(),
                                reason="needs the git checkout with benchmarks/")


def load_script():
    spec = importlib.util.spec_from_file_location("same_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("same_results", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_each_version_reads_its_own_scenario_files(tmp_path):
    """A worktree whose esd.toml says 13 waiting months: its child sees 13 and this tree's sees
    12, though this virtualenv's editable install maps sim.scenarios to this tree's scenarios/."""
    same_results = load_script()
    other = tmp_path / "other"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), "HEAD"], check=True)
    try:
        esd = other / "scenarios" / "esd.toml"
        text = esd.read_text()
        assert "\nwaiting_months = 12 " in text
        esd.write_text(text.replace("\nwaiting_months = 12 ", "\nwaiting_months = 13 ", 1))
        seen = {}
        for root in (other, ROOT):
            done = same_results.run_child(root, "--probe")
            assert done.returncode == 0
            seen[root] = json.loads(done.stdout)
        assert seen[other] == {"sim": str((other / "sim").resolve()), "scenarios": str((other / "scenarios").resolve()),
                               "esd_waiting_months": 13}
        assert seen[ROOT]["esd_waiting_months"] == 12
        assert seen[ROOT]["scenarios"] == str((ROOT / "scenarios").resolve())
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)


def test_comparison_is_to_the_bit(tmp_path):
    same_results = load_script()
    table = pd.DataFrame({"month": [0, 1, 2], "people": [10, 11, 12], "wage_yen": [1.0, 0.1 + 0.2, 0.0], "name": ["a", "b", None]})
    for side in ("a", "b", "c", "d"):
        (tmp_path / side).mkdir()
    table.to_parquet(tmp_path / "a" / "esd__t__national.parquet")
    table.to_parquet(tmp_path / "b" / "esd__t__national.parquet")
    assert same_results.compare_dumps(tmp_path / "a", tmp_path / "b") == (1, [])

    one_ulp = table.copy()
    one_ulp.loc[1, "wage_yen"] = np.nextafter(0.1 + 0.2, 1.0)
    one_ulp.to_parquet(tmp_path / "c" / "esd__t__national.parquet")
    count, problems = same_results.compare_dumps(tmp_path / "a", tmp_path / "c")
    assert count == 1 and len(problems) == 1 and "'wage_yen' differs (first at row 1, month 1" in problems[0]

    negative_zero = table.copy()
    negative_zero.loc[2, "wage_yen"] = -0.0
    negative_zero.to_parquet(tmp_path / "d" / "esd__t__national.parquet")
    negative_zero.to_parquet(tmp_path / "d" / "esd__t__prefecture.parquet")
    count, problems = same_results.compare_dumps(tmp_path / "a", tmp_path / "d")
    assert count == 2
    assert problems[0] == "only in B: esd__t__prefecture.parquet"
    assert "'wage_yen' differs (first at row 2" in problems[1]
