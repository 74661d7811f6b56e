"""The numbers the docs quote are the code's (issue 22 item 2): scripts/make_docs.py rewrites
every block between ``<!-- make_docs:NAME -->`` markers; the committed README.md and docs/*.md
must equal what its cheap blocks give now, and each expensive block (timings, experiments, the
calibration) must carry its date, machine and command."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_docs.py"


def load_make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_docs"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_docs = load_make_docs()


#: Expensive blocks committed before they could be measured (their text starts with PENDING: and
#: says why). Each is an open item: once `python scripts/make_docs.py --expensive JOB` has
#: rewritten it, this test fails until the name is taken out of here.
PENDING_EXPENSIVE = ()


def check(*args: str) -> subprocess.CompletedProcess:
    pending = ["--allow-pending", *PENDING_EXPENSIVE] if PENDING_EXPENSIVE else []
    return subprocess.run([sys.executable, str(SCRIPT), "--check", "--cheap", *args, *pending],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_committed_docs_match_what_make_docs_gives_now():
    """`python scripts/make_docs.py --check --cheap` exits 0: no cheap block has drifted from the
    code, every block is known, closed and in its document, every expensive one stamped."""
    done = check()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.fixture()
def docs_copy(tmp_path):
    for doc in make_docs.DOCUMENTS:
        if (ROOT / doc).is_file():
            (tmp_path / doc).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / doc, tmp_path / doc)
    return tmp_path


@pytest.mark.parametrize("doc, block", [
    ("README.md", "memory_example"),
    ("README.md", "compare_default"),
    ("README.md", "scenarios_table"),
    ("docs/validation.md", "shipped_base_monthly"),
])
def test_a_number_edited_by_hand_in_a_block_fails_the_check(docs_copy, doc, block):
    """The check is not vacuous: one digit (or name) changed inside a cheap block of a copy of the
    docs makes --check exit 1 and show the line."""
    path = docs_copy / doc
    text = path.read_text(encoding="utf-8")
    m = next(m for m in make_docs.BLOCK.finditer(text) if m.group("name") == block)
    body = m.group("body")
    edited = body.replace("esd_transition", "esd_transit") if "esd_transition" in body else \
        next(body.replace(d, str((int(d) + 1) % 10), 1) for d in "0123456789" if d in body)
    assert edited != body
    path.write_text(text[: m.start("body")] + edited + text[m.end("body"):], encoding="utf-8")
    done = check("--docs-root", str(docs_copy))
    assert done.returncode == make_docs.DRIFTED, done.stdout + done.stderr
    assert f"{doc} (committed)" in done.stdout and "drifted" in done.stderr


def test_an_expensive_block_without_its_stamp_or_an_unknown_block_is_reported():
    docs = {"README.md": "a <!-- make_docs:timing_compare -->takes 3 s<!-- /make_docs:timing_compare --> b "
                         "<!-- make_docs:nonsense -->x<!-- /make_docs:nonsense --> <!-- make_docs:compare_default -->"}
    problems = "\n".join(make_docs.structure_problems(docs))
    assert "'timing_compare' carries no stamp" in problems
    assert "unknown block 'nonsense'" in problems
    assert "'compare_default' is opened but not closed" in problems
    pending = {"README.md": "<!-- make_docs:timing_compare -->PENDING: later<!-- /make_docs:timing_compare -->"}
    assert "'timing_compare' is pending" in "\n".join(make_docs.pending_problems(pending, []))
    assert not make_docs.pending_problems(pending, ["timing_compare"])
    assert "drop it" in "\n".join(make_docs.pending_problems({"README.md": ""}, ["timing_compare"]))


def test_the_blocks_say_what_the_code_does():
    """The generators read the code: compare's default scenarios (esd_transition among them), a
    memory example that the estimator really refuses, every shipped scenario in the table."""
    from sim import cli
    from sim.scenario_files import shipped_names

    assert all(f"`{name}`" in make_docs.block_compare_default() for name in cli.COMPARE_DEFAULT)
    assert "esd_transition" in make_docs.block_compare_default()
    table = make_docs.block_scenarios_table()
    assert all(f"`{name}.toml`" in table for name in shipped_names())
    example = make_docs.block_memory_example()
    need_gb = float(example.split("needs about ")[1].split(" GB")[0])
    assert need_gb * 1e9 > make_docs.MEMORY_EXAMPLE_AVAILABLE_BYTES


def test_expensive_jobs_and_groups_are_named_as_documented():
    """`--expensive timings` re-measures every timing block (the one command the integrator runs);
    an unknown job is refused with the allowed names, exit 2."""
    timing_blocks = {b for job in make_docs.JOBS.values() if "timings" in job.groups for b in job.blocks}
    assert {b for b in make_docs.EXPENSIVE if b.startswith("timing_")} <= timing_blocks
    done = subprocess.run([sys.executable, str(SCRIPT), "--expensive", "timingz"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "timings" in done.stderr
