"""Nothing crashes: Ctrl-C at any moment exits 130 with one line, a failed write leaves no ``.part``
file and says which file in one line, shipped scenarios work by name from any folder, and
``tenseki --version`` and ``tenseki scenarios`` answer."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import runner
from sim.scenario import shipped_descriptions


def tenseki(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


# ---------------------------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------------------------
# The command as the console script starts it, with a line on stderr once tenseki's entry point
# has installed its Ctrl-C handler (``sim._interrupt.install``, the first thing ``main`` does,
# inside its guard): the Ctrl-C below is sent that long after it. Before that point the interrupt
# is Python's own (its startup, tens of milliseconds), not tenseki's. An interrupt that escaped
# ``main`` would exit with _ESCAPED.
_STARTED = "started"
_ESCAPED = 99
_ENTRY = f"""
import sys
import sim._interrupt as entry
from sim.__main__ import main
install = entry.install
def install_and_say():
    previous = install()
    print({_STARTED!r}, file=sys.stderr, flush=True)
    return previous
entry.install = install_and_say
try:
    code = main()
except KeyboardInterrupt:
    sys.exit({_ESCAPED})
sys.exit(code)
"""


@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.15, 0.3, 0.6, 1.0, 2.0, 4.0])
def test_ctrl_c_at_any_moment_exits_130_with_one_line(tmp_path, delay_s):
    """SIGINT while the modules are imported (the first second or two), while the scenario is
    read, the model built or run: exit code 130, one line on stderr, no traceback, no file."""
    out = tmp_path / "t.parquet"
    proc = subprocess.Popen(
        [sys.executable, "-c", _ENTRY, "run", "esd", "--months", "600", "--scale", "0.05", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background job may inherit SIG_IGN
    )
    assert proc.stderr.readline().strip() == _STARTED
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 130, f"exit code {proc.returncode}\n{err}"
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("Interrupted"), err
    assert list(tmp_path.iterdir()) == []  # no table, no .part


@pytest.fixture
def fresh_sigint():
    """In-process Ctrl-C tests start with Python's own handler, as a fresh process does, and put
    back the handler they found: a guard that saw a Ctrl-C ignores SIGINT on its way out, and
    every subprocess a later test starts would inherit that and never see its Ctrl-C."""
    outside = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, outside)


def test_the_entry_point_turns_a_late_interrupt_into_130(monkeypatch, capsys, fresh_sigint):
    """A KeyboardInterrupt that escapes a command (between its guarded steps) is one line, 130."""
    from sim import __main__ as entry

    def interrupted_app(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.cli.run_app", interrupted_app)
    assert entry.main(["run", "esd"]) == 130
    assert capsys.readouterr().err == "Interrupted.\n"


# ---------------------------------------------------------------------------------------------
# Failed writes: a full disk
# ---------------------------------------------------------------------------------------------
def _disk_full_after_some_bytes(self, path, *args, **kwargs):
    with open(path, "wb") as fh:
        fh.write(b"PAR1 half a file")
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("name", ["t.parquet", "t.csv"])
def test_a_failed_write_leaves_no_part_file_and_names_the_file(tmp_path, monkeypatch, name):
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _disk_full_after_some_bytes)
    monkeypatch.setattr(pd.DataFrame, "to_csv", _disk_full_after_some_bytes)
    target = tmp_path / name
    with pytest.raises(OSError) as info:
        runner.write_table(pd.DataFrame({"month": [0, 1]}), target)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_no_part_file(tmp_path, monkeypatch):
    def interrupted(self, path, *args, **kwargs):
        open(path, "wb").write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.write_table(pd.DataFrame({"month": [0]}), tmp_path / "t.parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_full_disk_gives_one_line_naming_the_file(tmp_path, monkeypatch, capsys, command):
    """``tenseki run --out`` and ``tenseki compare`` on a full disk: exit code 1, one line that
    names the file, nothing half-written left behind."""
    from sim.cli import run_app

    if command == "run":
        monkeypatch.setattr(pd.DataFrame, "to_parquet", _disk_full_after_some_bytes)
    else:  # the engine's store writes each run's bytes itself
        real_write_bytes = Path.write_bytes

        def disk_full_for_run_files(self, data):
            if self.name.endswith(".parquet.part"):
                real_write_bytes(self, data[:16])
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write_bytes(self, data)

        monkeypatch.setattr(Path, "write_bytes", disk_full_for_run_files)
    out = tmp_path / "out"
    if command == "run":
        argv = ["run", "titp", "--months", "2", "--scale", "0.002", "--out", str(out / "t.parquet")]
    else:
        argv = ["compare", "titp", "--months", "2", "--scale", "0.002", "--seeds", "1", "--out", str(out)]
    assert run_app(argv) == 1
    err = capsys.readouterr().err
    plan = ("Comparing", "Design:", f"0 of 1 runs already in {out}")  # compare's plan and size, printed before any run
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(plan)]
    assert len(lines) == 1 and "No space left on device" in lines[0], err
    assert lines[0].startswith(f"error: {out}") and ".parquet: cannot write" in lines[0], err
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert not [p for p in out.rglob("*.parquet")]


# ---------------------------------------------------------------------------------------------
# Shipped scenarios by name, from any folder; --version; tenseki scenarios
# ---------------------------------------------------------------------------------------------
def test_shipped_scenarios_by_name_and_as_a_base_from_any_folder(tmp_path):
    """``tenseki run esd`` and a user's own file with ``base = "esd"``, both from a folder that
    holds no scenario, give the shipped scenario's table."""
    mine = tmp_path / "elsewhere" / "mine.toml"
    mine.parent.mkdir()
    mine.write_text('base = "esd"\nname = "mine"\n[policy.transfer]\nmetro_cap_share = 1.0\n', encoding="utf-8")
    by_name = tmp_path / "esd.csv"
    done = tenseki("run", "esd", "--months", "2", "--scale", "0.002", "--out", by_name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(
        pd.read_csv(by_name), sim.run_scenario("esd", seed=1, months=2, scale=0.002), check_dtype=False
    )
    assert sim.load_scenario(mine).policy.transfer.metro_cap_share == 1.0
    assert sim.load_scenario(mine).policy.transfer.regime == sim.shipped_scenario("esd").policy.transfer.regime
    done = tenseki("run", "mine", "--months", "2", "--scale", "0.002", cwd=mine.parent)  # ".toml" may be left out
    assert done.returncode == 0, done.stderr


def test_version():
    done = tenseki("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"tenseki {sim.__version__}"


def test_scenarios_lists_every_shipped_scenario_with_its_description():
    done = tenseki("scenarios")
    assert done.returncode == 0, done.stderr
    shipped = shipped_descriptions()
    assert {n for n, _, _ in shipped} >= {"titp", "esd", "free_mobility", "restricted", "history_2017", "world"}
    for name, description, _ in shipped:
        assert name in done.stdout and description[:40] in done.stdout


def test_a_ctrl_c_swallowed_by_c_code_still_ends_as_a_ctrl_c(capsys, fresh_sigint):
    """A Ctrl-C that lands in a C callback (numba compiling with a cold cache) reaches Python as
    an "unraisable" KeyboardInterrupt, which Python would print with a traceback, and the C code
    then fails in its own way. Inside the guard the unraisable is dropped silently and remembered,
    and the failure that follows leaves as a KeyboardInterrupt (exit 130, one line)."""
    import types

    from sim.cli import _CtrlC

    hook = sys.unraisablehook
    with pytest.raises(KeyboardInterrupt):
        with _CtrlC() as ctrl_c:
            sys.unraisablehook(types.SimpleNamespace(exc_type=KeyboardInterrupt, exc_value=KeyboardInterrupt(),
                                                     exc_traceback=None, err_msg="callback", object=None))
            assert ctrl_c.requested
            raise RuntimeError("the compiler failed after its callback was interrupted")
    assert capsys.readouterr().err == ""
    with pytest.raises(RuntimeError):  # without a Ctrl-C an error stays itself
        with _CtrlC():
            raise RuntimeError("a real failure")
    assert sys.unraisablehook is hook  # the guard puts Python's hook back


def test_a_ctrl_c_swallowed_before_the_guard_is_not_lost(monkeypatch, capsys, fresh_sigint):
    """A Ctrl-C between the entry point's start and a command's guard (during the imports, while
    the scenario is read) that C code swallows is recorded by the entry point's handler
    (``sim._interrupt``): the guard's first check raises it, and a command that still returned
    normally ends as a Ctrl-C (130, one line), not as a success."""
    from sim import __main__ as entry
    from sim import _interrupt, cli
    from sim.cli import _CtrlC

    before = signal.default_int_handler  # (fresh_sigint)
    previous = _interrupt.install()
    try:
        assert signal.getsignal(signal.SIGINT) is _interrupt.on_ctrl_c
        with pytest.raises(KeyboardInterrupt):
            _interrupt.on_ctrl_c(signal.SIGINT, None)  # the handler raises; suppose C code swallowed it
        with pytest.raises(KeyboardInterrupt):
            with _CtrlC() as ctrl_c:
                ctrl_c.check()  # the first check raises the recorded Ctrl-C
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    assert signal.getsignal(signal.SIGINT) is before

    def finishes_after_a_swallowed_ctrl_c(argv):
        _interrupt.requested = True  # recorded by the handler, swallowed, never raised again
        return 0

    monkeypatch.setattr(cli, "run_app", finishes_after_a_swallowed_ctrl_c)
    try:
        assert entry.main([]) == 130
    finally:
        signal.signal(signal.SIGINT, before)  # interrupted() ignores a second Ctrl-C on the way out
    assert capsys.readouterr().err.strip() == "Interrupted."
    monkeypatch.setattr(cli, "run_app", lambda argv: 0)
    assert entry.main([]) == 0  # install() clears an old record: a later command is not interrupted
    assert signal.getsignal(signal.SIGINT) is before  # main puts the handler back
