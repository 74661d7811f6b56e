"""benchmarks/run.py in quick mode: it runs, prints every figure issue 24 asks for, and rewrites
the scaling table between its markers and nothing else (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import run as bench  # noqa: E402


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), *args], capture_output=True, text=True,
                          timeout=600)


def test_quick_benchmark_prints_every_figure_and_rewrites_only_the_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{bench.TABLE_BEGIN}\nold table\n{bench.TABLE_END}\nafter\n")
    done = _run("--quick", "--table", "--readme", str(readme))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for figure in ("imports", "build", "run", "build + run", "peak RSS", "person-months per CPU second",
                   "x the reference", "CPU per person-month", "minimal per-agent Mesa loop"):
        assert figure in out, f"{figure!r} missing from the benchmark's output:\n{out}"
    assert out.count("months (") == 2  # the two horizons of the quick mode
    text = readme.read_text()
    assert text.startswith("before\n" + bench.TABLE_BEGIN) and text.endswith(bench.TABLE_END + "\nafter\n")
    assert "old table" not in text
    table = text.split(bench.TABLE_BEGIN)[1].split(bench.TABLE_END)[0]
    assert "python benchmarks/run.py --quick --table`" in table and "cores (" in table
    rows = [line.split() for line in table.splitlines() if line[:6].strip() in ("0.005", "0.01")]
    assert [(r[0], r[1]) for r in rows] == [("0.005", "12"), ("0.005", "24"), ("0.01", "12"), ("0.01", "24")]


def test_table_without_markers_is_an_error_naming_the_file(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    with pytest.raises(SystemExit, match="markers of the scaling table are missing"):
        bench.rewrite_table(readme, ["a line"], "cmd", {"agents": 2, "steps": 1, "agent_steps_per_cpu_second": 1.0})
    assert readme.read_text() == "no markers here\n"


def test_cost_per_person_month_is_timed_month_by_month():
    """The first and last 120 months of a run are costed from per-month CPU times: in a run of
    fewer than 120 months both segments are the whole run."""
    r = bench.measure_model("esd", 0.002, 3, 1)
    assert r["months"] == 3 and r["person_months"] > 0
    assert r["ns_per_person_month_first"] == pytest.approx(r["ns_per_person_month_last"])
    assert r["ns_per_person_month_first"] == pytest.approx(r["ns_per_person_month"], rel=0.05)
