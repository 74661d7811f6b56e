"""The command line (docs/design.md §1): ``tenseki run SCENARIO [--seed N] [--months M] [--scale S]
[--out FILE]`` and ``tenseki compare [SCENARIO ...] [--seeds K] [--months M] [--scale S]
[--out DIR]``. Each test starts the CLI in a fresh process, as a user would; a mistake in the
input exits with code 2 and one clear message on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
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
    (file,) = (out / "runs").glob("esd-r001-*.parquet")  # the id ends in a hash of the run's content
    table = pd.read_parquet(file)
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


#: A scenario name that is markup to rich ("[/]" closes no tag: a crash), an escape sequence that
#: would clear the terminal, plot mathtext and Japanese: all of it is data.
HOSTILE_NAME = "[bold red]x[/] [/nothing] \x1b[2J $x^2$ 育成就労"


def test_a_scenario_name_is_printed_as_data_never_as_markup_or_escape_codes(tmp_path):
    """User text reaches the terminal as text: rich markup in a name is printed literally (not
    styled, and an unmatched closing tag does not crash), and its control characters are shown
    as escapes, so no escape sequence from a file reaches the terminal raw."""
    from sim.cli import shown

    path = tmp_path / "hostile.toml"
    in_toml = HOSTILE_NAME.replace("\x1b", "\\u001b")  # TOML's escape for ESC
    path.write_text(f'base = "esd"\nname = "{in_toml}"\n', encoding="utf-8")
    done = tenseki("run", path, "--months", "1", "--scale", "0.002")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    assert "[bold red]x[/] [/nothing] \\x1b[2J $x^2$ 育成就労" in done.stdout
    assert shown("a\x1b[31mb\x07\x9b\n") == "a\\x1b[31mb\\x07\\x9b\n"


@pytest.mark.parametrize("args", [
    ("run", "esd", "--months", "1", "--out", ""),
    ("run", ""),
    ("compare", "esd", "titp", "--seeds", "1", "--months", "1", "--out", ""),
    ("compare", "", "--seeds", "1"),
    ("sweep", ""),
    ("report", ""),
    ("validate", "--seeds", "1", "--out", ""),
])
def test_an_empty_path_is_refused_not_taken_as_the_current_folder(args, tmp_path):
    """Every file or folder named on the command line: an empty name exits 2 with one message
    naming the option, and nothing is written in the current folder."""
    done = tenseki(*args, cwd=tmp_path)
    assert_clean_failure(done, "an empty path")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [
    ("run", "esd", "--months", "1", "--scale", "0.002", "--out", "{unwritable}/table.csv"),
    ("compare", "esd", "--seeds", "1", "--months", "1", "--scale", "0.002", "--out", "{unwritable}/cmp"),
    ("validate", "--seeds", "1", "--scale", "0.002", "--out", "{unwritable}/val"),
])
def test_an_unwritable_output_exits_1_from_every_command(args, tmp_path):
    """A place that cannot be written is an environment problem, not bad input: the same one line
    naming it and the same exit code (1) whichever command meets it."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")  # a folder cannot be made inside a file
    done = tenseki(*(a.replace("{unwritable}", str(blocker)) for a in args))
    assert done.returncode == 1, done.stderr
    assert "cannot write" in done.stderr and str(blocker) in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64 + 5, 7.0, "7", True])
def test_a_seed_outside_what_tables_hold_is_refused_before_the_run(seed):
    """The Python API is as strict as the command line: a seed is a whole number from 0 to
    2**63 - 1 (it is written into int64 table columns), checked before anything is built."""
    from sim.seeds import MAX_SEED, SeedError

    with pytest.raises(SeedError, match=str(MAX_SEED)):
        run_scenario("esd", seed, months=1, scale=0.002)


def test_the_largest_seed_runs_and_is_kept_in_the_table(tmp_path):
    done = tenseki("run", "esd", "--months", "1", "--scale", "0.002", "--seed", str(2**63 - 1), "--out", tmp_path / "t.parquet")
    assert done.returncode == 0, done.stderr
    assert pd.read_parquet(tmp_path / "t.parquet")["seed"].iloc[0] == 2**63 - 1
    done = tenseki("run", "esd", "--months", "1", "--seed", str(2**63))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--seed" in done.stderr


def test_the_model_itself_refuses_a_seed_the_files_would_refuse():
    """``LabourMarket`` is as strict as ``run_tables``: no float, string or out-of-range seed is
    coerced (``int(7.9)`` would silently be seed 7)."""
    from sim.seeds import SeedError

    for seed in (7.9, "7", -3, 2**63):
        with pytest.raises(SeedError):
            sim.LabourMarket("esd", seed=seed, run__scale=0.002)
    assert sim.LabourMarket("esd", seed=np.int64(7), run__scale=0.002).seed == 7
