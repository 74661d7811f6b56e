"""The command line (docs/design.md §1): ``tenseki run SCENARIO [--seed N] [--months M] [--scale S]
[--out FILE]`` and ``tenseki compare [SCENARIO ...] [--seeds K] [--months M] [--scale S]
[--out DIR]``. Each test starts the CLI in a fresh process, as a user would; a mistake in the
input exits with code 2 and one clear message on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.runner import run_scenario
from sim.scenario import shipped_scenario_dir

TITP = shipped_scenario_dir() / "titp.toml"
ESD = shipped_scenario_dir() / "esd.toml"


def tenseki(*args, cwd=None, columns: int = 160) -> subprocess.CompletedProcess:
    """Run ``tenseki ARGS`` in a fresh process with the package's Python."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from sim.cli import app; app()", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )


def assert_clean_failure(done: subprocess.CompletedProcess, *expected: str) -> None:
    assert done.returncode == 2, f"exit code {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stderr + done.stdout
    for text in expected:
        assert text in done.stderr, f"{text!r} not in stderr:\n{done.stderr}"


def test_run_with_a_bad_scenario_exits_2_with_the_message(tmp_path):
    """``tenseki run BAD.toml`` (a misspelt key) exits with code 2, prints the scenario error
    naming the file and the key on stderr, and shows no traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text(f'base = "{TITP}"\n[policy.transfer]\nregme = "free"\n', encoding="utf-8")
    assert_clean_failure(tenseki("run", bad), "bad.toml", "policy.transfer.regme")


def test_run_with_a_missing_file_exits_2(tmp_path):
    """``tenseki run`` on a file that does not exist exits with code 2 and names it."""
    assert_clean_failure(tenseki("run", tmp_path / "nowhere.toml"), "nowhere.toml")


def test_run_with_malformed_toml_exits_2(tmp_path):
    """A file that is not TOML exits with code 2, no traceback."""
    bad = tmp_path / "broken.toml"
    bad.write_text("[run\n", encoding="utf-8")
    assert_clean_failure(tenseki("run", bad), "broken.toml")


@pytest.mark.parametrize("option", [["--scale", "2"], ["--months", "0"], ["--out", "table.txt"]])
def test_run_with_a_bad_option_exits_2(tmp_path, option):
    """A scale above 1, zero months, or an output that is neither .parquet nor .csv exits with
    code 2 and a message, without running or writing anything."""
    done = tenseki("run", TITP, *option, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip()
    assert list(tmp_path.iterdir()) == []


def test_run_writes_the_table_of_the_seeded_run(tmp_path):
    """``tenseki run titp.toml --seed 3 --months 6 --scale 0.002 --out t.parquet`` exits 0 and
    writes exactly the table ``run_scenario`` gives for that seed (months 0..6)."""
    out = tmp_path / "t.parquet"
    done = tenseki("run", TITP, "--seed", 3, "--months", 6, "--scale", 0.002, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    written = pd.read_parquet(out)
    assert written.month.tolist() == list(range(7))
    expected = run_scenario(sim.shipped_scenario("titp"), seed=3, months=6, scale=0.002)
    pd.testing.assert_frame_equal(written, expected, check_exact=True)
    assert done.stdout.strip(), "headline outcomes are printed"


def test_run_writes_csv_too(tmp_path):
    """``--out FILE.csv`` writes the table as CSV with the same columns."""
    out = tmp_path / "t.csv"
    done = tenseki("run", ESD, "--seed", 2, "--months", 3, "--scale", 0.002, "--out", out)
    assert done.returncode == 0, done.stderr
    written = pd.read_csv(out)
    assert list(written.columns) == ["scenario", "seed", *sim.outputs.COLUMNS]
    assert len(written) == 4 and (written.scenario == "esd").all()


def test_compare_writes_summary_differences_and_figure(tmp_path):
    """``tenseki compare titp.toml esd.toml --seeds 2 --months 6 --scale 0.002 --out DIR``
    exits 0, writes DIR/report/summary.csv (both scenarios, with units), differences.csv
    (esd − titp, paired) and over_time.png, prints the paired differences, and keeps its
    output within 80 columns."""
    out = tmp_path / "cmp"
    done = tenseki("compare", TITP, ESD, "--seeds", 2, "--months", 6, "--scale", 0.002, "--out", out, columns=80)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = pd.read_csv(out / "report" / "summary.csv")
    assert set(summary.scenario) == {"titp", "esd"}
    assert summary.unit.notna().all() and "per 1,000 person-years" in set(summary.unit)
    diff = pd.read_csv(out / "report" / "differences.csv")
    assert set(diff.comparison) == {"esd − titp"}
    assert diff.set_index("metric").at["disappearances_per_1000", "n_pairs"] == 2
    assert "− titp" in done.stdout and "Job changes by trainees" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines() if str(tmp_path) not in line) <= 80
    png = (out / "report" / "over_time.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    # the same runs as ``run_scenario`` with seeds 1 and 2
    table = pd.read_parquet(out / "runs" / "esd-r001.parquet")
    expected = run_scenario(sim.shipped_scenario("esd"), seed=2, months=6, scale=0.002)
    pd.testing.assert_frame_equal(table[expected.columns].reset_index(drop=True), expected, check_exact=True)


def test_compare_with_a_bad_scenario_exits_2(tmp_path):
    """``tenseki compare`` with one bad file exits with code 2 and the file's error, no traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text(f'base = "{TITP}"\n[run]\nscale = 2.0\n', encoding="utf-8")
    assert_clean_failure(tenseki("compare", TITP, bad, "--seeds", 1, "--months", 2, "--out", tmp_path / "o"),
                         "bad.toml", "run.scale")


def test_run_by_group_writes_the_tables_beside_the_national_one(tmp_path):
    """``tenseki run ESD --out t.csv --by prefecture,origin`` writes ``t.by_prefecture.csv`` (47
    prefectures a month) and ``t.by_origin.csv`` beside ``t.csv``, equal to the model's own
    tables; an unknown grouping, or --by without --out, exits 2 naming the allowed ones."""
    out = tmp_path / "t.csv"
    done = tenseki("run", ESD, "--months", "3", "--scale", "0.002", "--seed", "4", "--out", out, "--by", "prefecture,origin")
    assert done.returncode == 0, done.stderr
    by_pref = pd.read_csv(tmp_path / "t.by_prefecture.csv")
    by_origin = pd.read_csv(tmp_path / "t.by_origin.csv")
    assert not (tmp_path / "t.by_field.csv").exists()
    assert len(by_pref) == 4 * 47 and len(by_origin) == 4 * len(sim.ORIGINS)
    model = sim.LabourMarket(sim.shipped_scenario("esd").with_run(months=3, scale=0.002), seed=4).run()
    expected = model.results(by="prefecture")
    pd.testing.assert_frame_equal(by_pref.drop(columns=["scenario", "seed"]), expected, check_dtype=False)
    assert_clean_failure(tenseki("run", ESD, "--out", out, "--by", "prefecture,nation"), "'nation'", "prefecture, field, origin")
    assert_clean_failure(tenseki("run", ESD, "--by", "field"), "--by needs --out")
