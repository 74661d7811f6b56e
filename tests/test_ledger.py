"""The ledger apart from the model (issue 18): the bookkeeping calls no behaviour, no process adds
state to the model or the ledger on the fly, and a release is the ledger's books then the job search."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import mesa
import numpy as np

import sim
from helpers import AOMORI, CONSTRUCTION, TOKYO, place, set_firm, settle, small, tiny_world, transfers
from sim.domain import Residence, Status
from sim.ledger import TRANSFER_LOG_FIELDS, Ledger
from sim.processes import matching

LEDGER_SOURCE = Path(sim.__file__).parent / "ledger.py"
MODEL_SOURCE = Path(sim.__file__).parent / "model.py"

#: The ``sim`` modules the ledger may import: data, codes and arrays, no process, no model.
ALLOWED_SIM_IMPORTS = {"sim.domain", "sim.outputs", "sim.population", "sim.processes.codes", "sim.geography", "sim.policy"}


def imported_modules(source: str) -> set[str]:
    """The modules a source file imports from (``from sim.processes import ladder`` gives ``sim.processes``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_the_ledger_imports_no_behaviour() -> None:
    """sim/ledger.py imports no process module (only ``sim.processes.codes``), not the model, not Mesa."""
    imports = imported_modules(LEDGER_SOURCE.read_text(encoding="utf-8"))
    ours = {m for m in imports if m == "sim" or m.startswith("sim.") or m.split(".")[0] in ("mesa", "")}
    assert ours <= ALLOWED_SIM_IMPORTS, f"the ledger imports from {sorted(ours - ALLOWED_SIM_IMPORTS)}"


def test_the_import_check_catches_a_process() -> None:
    """What the check above reads: a process imported either way is seen and not allowed."""
    for line in ("from sim.processes import ladder", "import sim.processes.ladder", "from sim.model import LabourMarket"):
        assert not imported_modules(line) <= ALLOWED_SIM_IMPORTS, line


def attributes_assigned_on_self(source: str) -> set[str]:
    """The names a class's source assigns as ``self.name = ...`` (also in tuples)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    names.add(t.attr)
    return names


def test_no_process_adds_state_to_the_model_or_the_ledger() -> None:
    """Every piece of state a process keeps between months is declared: after construction and a
    few months (arrivals with recruits on their way, releases, audits, closures) the ledger has
    its dataclass fields and nothing else, and the model what ``sim/model.py`` itself assigns
    (and Mesa's own), nothing a process or the world builder put there."""
    model = sim.LabourMarket(small("esd", months=6, settings={"world.firm_closure_monthly": 0.01}), seed=3)
    model.run(4)
    assert model.flows["releases"] > 0 and model.ledger.recruits_ordered  # the processes that keep state ran
    declared = {f.name for f in dataclasses.fields(Ledger)}
    assert set(vars(model.ledger)) == declared, f"not declared in Ledger: {sorted(set(vars(model.ledger)) - declared)}"
    own = attributes_assigned_on_self(MODEL_SOURCE.read_text(encoding="utf-8")) | set(vars(mesa.Model(seed=1)))
    assert set(vars(model)) <= own, f"added to the model from outside sim/model.py: {sorted(set(vars(model)) - own)}"


def test_a_release_goes_through_the_ledger_and_searches() -> None:
    """``matching.release``: the ledger takes the workers off the books and counts the batch; the
    search that follows is the job search's (the released trainee finds the other firm)."""
    from helpers import place, settle

    m = tiny_world(firms=2, people=1)
    place(m, 0, 0, Status.TITP_1)
    settle(m)
    matching.release(m, np.array([0]), trainees_only=True)
    assert m.flows["releases"] == 1 and m.ledger.release_batches == 1
    assert m.people.firm[0] == 1 and m.people.last_firm[0] == 0 and m.flows["transfers_unavoidable"] == 1


def test_the_transfer_log_records_each_move_as_things_stood_before_its_batch():
    """Two workers of firm 0 (Aomori) move together to firm 1 (Tokyo, already with one ESD
    transferee): one record each with every key of ``TRANSFER_LOG_FIELDS`` (documented in
    docs/outputs.md: ``test_outputs``), the destination's counts before the batch, the kind and batch of the move;
    a released worker's waiting period is their last employer's. Without the log nothing is kept."""
    m = tiny_world("esd", firms=2, people=4)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0)
    set_firm(m, 1, pref=TOKYO, field=CONSTRUCTION, markup=1.0, demand=10.0)
    for pid, firm in ((0, 0), (1, 0), (2, 1), (3, 0)):
        place(m, pid, firm, Status.ESD, months_with_employer=20 + pid)
    m.people.transferee[2] = True
    m.people.residence[1] = Residence.PERMANENT
    settle(m)
    m.firms.waiting_months[:] = (12, 24)
    m.ledger.move_workers(np.array([0, 1]), np.array([1, 1]), voluntary=True)
    m.ledger.detach(np.array([3]))
    m.ledger.move_workers(np.array([3]), np.array([1]), voluntary=False)
    log = transfers(m)
    assert [set(r) for r in m.transfer_log] == [set(TRANSFER_LOG_FIELDS)] * 3
    assert log.kind.tolist() == ["voluntary", "voluntary", "unavoidable"] and log.batch.tolist() == [0, 0, 1]
    assert log.to_esd_headcount_before.tolist() == [1, 1, 2]  # the settled mover is no ESD worker
    assert log.to_esd_transferees_before.tolist() == [1, 1, 2] and log.to_esd_local_before.tolist() == [0, 0, 1]
    assert log.settled.tolist() == [False, True, False] and log.months_with_employer.tolist() == [20, 21, 23]
    assert log.from_firm.tolist() == [0, 0, -1] and log.waiting_months.tolist() == [12, 12, 12]
    assert log.to_metro.all() and not log.from_metro.any()
    quiet = small("esd", months=1, scale=0.002)
    unlogged = sim.LabourMarket(quiet, seed=1)
    unlogged.run(1)
    assert unlogged.transfer_log is None and unlogged.ledger.transfer_batches == 0
