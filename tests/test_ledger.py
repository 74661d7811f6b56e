"""The ledger apart from the model (issue 18): the bookkeeping calls no behaviour, no process adds
state to the model or the ledger on the fly, and a release is the ledger's books then the job search."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import mesa
import numpy as np

import sim
from helpers import small, tiny_world
from sim.domain import Status
from sim.ledger import Ledger
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
