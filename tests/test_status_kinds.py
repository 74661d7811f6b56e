"""Status kinds (``sim.processes.codes``): which statuses are of which kind, and that nothing
depends on the numbering of ``sim.domain.Status``.

The model asks what kind a status is through tables indexed by code (``IS_LEGAL[status]``), and
the compiled kernels take those tables and the codes they compare with as arguments. The
checks below read the sources: no comparison of a status by its order (``s <= CARE_WORKER``,
``counts[: Status.RETURNED]``) anywhere, and no compiled kernel that reads a status code or a
table of them as a module global (numba would bake it into the compiled and cached code), so
that renumbering ``Status`` cannot change a result.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import sim
from sim.domain import Status
from sim.processes import codes

ROOT = Path(__file__).resolve().parent.parent

#: Every status and the kinds it is of (every other kind it is not).
EXPECTED_KINDS: dict[str, set[str]] = {
    "TITP_1": {"IS_TITP", "IS_TRAINEE", "IS_LEGAL", "IN_JAPAN", "IS_ON_LADDER"},
    "TITP_2": {"IS_TITP", "IS_TRAINEE", "IS_LEGAL", "IN_JAPAN", "IS_ON_LADDER"},
    "TITP_3": {"IS_TITP", "IS_TRAINEE", "IS_LEGAL", "IN_JAPAN", "IS_ON_LADDER"},
    "ESD": {"IS_TRAINEE", "IS_LEGAL", "IN_JAPAN", "IS_ON_LADDER"},
    "SSW_1": {"IS_SKILLED", "IS_LEGAL", "IN_JAPAN", "IS_ON_LADDER"},
    "SSW_2": {"IS_SKILLED", "IS_UNLIMITED", "IS_LEGAL", "IN_JAPAN"},
    "CARE_WORKER": {"IS_SKILLED", "IS_UNLIMITED", "IS_LEGAL", "IN_JAPAN"},
    "IRREGULAR": {"IN_JAPAN"},
    "RETURNED": {"LEFT_JAPAN"},
    "REMOVED": {"LEFT_JAPAN"},
    "NATURALISED": {"LEFT_JAPAN"},
    "DIED": {"LEFT_JAPAN"},
}
KIND_TABLES = ("IS_TITP", "IS_TRAINEE", "IS_SKILLED", "IS_UNLIMITED", "IS_LEGAL", "IN_JAPAN", "LEFT_JAPAN", "IS_ON_LADDER")


def test_every_status_is_of_exactly_its_kinds():
    assert set(EXPECTED_KINDS) == {s.name for s in Status}, "a status without expectations: add it to EXPECTED_KINDS"
    for name in KIND_TABLES:
        table = getattr(codes, name)
        assert table.dtype == np.bool_ and table.shape == (len(Status),), name
        got = {s.name for s in Status if table[s]}
        assert got == {s for s, kinds in EXPECTED_KINDS.items() if name in kinds}, name


def test_the_kernels_argument_holds_the_same_kinds_and_codes():
    """``STATUS_KINDS`` (the kernels' argument: kinds as bit masks) says what the tables say, compiled or not."""
    k = codes.STATUS_KINDS
    for name in KIND_TABLES:
        mask = getattr(k, name.lower().removeprefix("is_"))
        for s in Status:
            assert codes.of_kind(mask, np.int8(s)) == codes.of_kind.py_func(mask, int(s)) == getattr(codes, name)[s], (name, s)
    for field in k._fields:
        if field.upper() in Status.__members__:
            assert getattr(k, field) == int(Status[field.upper()]), field


def _sources() -> list[Path]:
    return sorted(p for d in ("sim", "dashboards", "tests") for p in (ROOT / d).rglob("*.py"))


def _status_globals(tree: ast.Module) -> set[str]:
    """Module-level names bound to a status code: imported from ``codes`` or computed from ``Status``."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "sim.processes.codes":
            out |= {a.asname or a.name for a in node.names if a.name.isupper() and a.name != "N_STATUS_CODES"}
        elif isinstance(node, ast.Assign) and any(isinstance(n, ast.Name) and n.id == "Status" for n in ast.walk(node.value)):
            out |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return out


def _is_code(node: ast.AST | None, names: set[str]) -> bool:
    """``Status.X``, ``codes.X`` or a name bound to a status code."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("Status", "codes"):
        return True
    return isinstance(node, ast.Name) and node.id in names


def test_no_status_is_compared_by_its_order():
    """Fails on ``s <= CARE_WORKER``, ``status < Status.RETURNED``, ``counts[: Status.IRREGULAR]``."""
    order = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _status_globals(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, order) for op in node.ops):
                if any(_is_code(side, names) for side in [node.left, *node.comparators]):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Slice) and (_is_code(node.lower, names) or _is_code(node.upper, names)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"status compared by its order (use a kind table of sim.processes.codes): {found}"


def _names_read(code: types.CodeType) -> set[str]:
    out = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out |= _names_read(const)
    return out


def _kernels():
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == info.name:
                yield info.name, name, value.py_func


def test_no_compiled_kernel_reads_a_status_code_as_a_global():
    """numba freezes the globals a kernel reads into its compiled (and cached) code: the codes and
    kinds must come in as arguments (``codes.STATUS_KINDS``). (The month's tally reads two tables
    of columns by status code as globals, for speed: ``outputs.month_tally_kernel``.)"""
    kernels = list(_kernels())
    assert len(kernels) > 30
    trees: dict[str, set[str]] = {}
    found = []
    for module, name, func in kernels:
        if module not in trees:
            tree = ast.parse(Path(importlib.import_module(module).__file__).read_text(encoding="utf-8"))
            trees[module] = _status_globals(tree) | {"Status", "codes"}
        read = _names_read(func.__code__) & trees[module]
        if read:
            found.append(f"{module}.{name}: {sorted(read)}")
    assert not found, f"kernels reading status codes as globals: {found}"


@pytest.mark.parametrize("table", KIND_TABLES)
def test_kind_tables_are_read_only(table):
    with pytest.raises(ValueError):
        getattr(codes, table)[0] = not getattr(codes, table)[0]


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int64])
def test_a_kind_of_everyones_status_is_the_tables_answer(dtype):
    """Indexed by a whole array of codes a kind table answers with a compiled pass (for speed):
    the same booleans as numpy's own indexing of the table, for every kind and code."""
    from sim.processes import codes

    status = np.random.default_rng(3).integers(0, codes.N_STATUS_CODES, 5_000).astype(dtype)
    for name in ("IS_TITP", "IS_TRAINEE", "IS_SKILLED", "IS_UNLIMITED", "IS_LEGAL", "IN_JAPAN", "LEFT_JAPAN", "IS_ON_LADDER"):
        table = getattr(codes, name)
        answer = table[status]
        assert type(answer) is np.ndarray and answer.dtype == np.bool_
        assert np.array_equal(answer, np.asarray(table)[status]), name
