"""Property-based tests (hypothesis) of the two open-ended classes of input: names and numbers.

* Names: any text a user gives a scenario (any script, punctuation, control characters) makes
  runs whose ids are distinct for distinct names and safe as file names, and prints as data.
* Numbers: any value of a numeric scenario key outside its bounds is refused by the command line
  with exit code 2 and one line naming the key, before anything is built.
"""

from __future__ import annotations

import math
import re
import typing

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import sim
from sim.cli import _CONTROL, run_app, shown
from sim.experiments import Experiment
from sim.scenario import Scenario
from sim.schema import _unwrap

SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
TITP = sim.shipped_scenario("titp")


def _named(name: str) -> Scenario:
    return TITP.model_copy(update={"name": name})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(min_size=1, max_size=30), min_size=2, max_size=3, unique=True))
def test_distinct_names_make_distinct_safe_run_ids(names):
    """Whatever the names (Japanese, punctuation only, control characters, names that sanitise
    alike), the runs of distinct scenarios have distinct ids, each a safe file name."""
    exp = Experiment.from_scenarios("names", [_named(n) for n in names], months=1, scale=0.002)
    ids = [r.run_id for r in exp.runs()]
    assert len(set(ids)) == len(names)
    assert all(SAFE_FILE_NAME.match(i) and not i.startswith((".", "-")) for i in ids), ids


@given(st.text())
def test_any_text_is_printed_without_control_characters(text):
    """What the command line prints of a user's text has no control character left (ESC and
    the like are shown as escapes), and only the text's own tabs and newlines."""
    printed = shown(text)
    assert not _CONTROL.search(printed)
    assert printed.count("\n") == text.count("\n")


def _bounded_numbers(model: type[BaseModel] = Scenario, prefix: str = ""):
    """(dotted key, int or float, lowest, highest) of every single number of the schema (not
    inside a table of data or a list)."""
    for name, field in model.model_fields.items():
        ann = typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        base, constraints, _optional = _unwrap(ann)
        key = f"{prefix}{name}"
        if isinstance(base, type) and issubclass(base, BaseModel):
            yield from _bounded_numbers(base, key + ".")
        elif base in (int, float):
            low = next(c.ge for c in constraints if getattr(c, "ge", None) is not None)
            high = next(c.le for c in constraints if getattr(c, "le", None) is not None)
            yield key, base, low, high


def _in_esd(key: str) -> bool:
    """Does the esd scenario (the files' base below) have this key's table? (An optional table
    it lacks, such as the bridging status, would be missing its other keys: more than one problem.)"""
    value = sim.shipped_scenario("esd").model_dump()
    for part in key.split(".")[:-1]:
        value = value.get(part) if isinstance(value, dict) else None
    return isinstance(value, dict)


NUMBERS = [n for n in _bounded_numbers() if _in_esd(n[0])]


@st.composite
def out_of_bounds(draw):
    key, kind, low, high = draw(st.sampled_from(NUMBERS))
    below = draw(st.booleans())
    if kind is int:
        value = draw(st.integers(-(2**62), int(math.ceil(low)) - 1) if below else st.integers(int(high) + 1, 2**62))
    else:
        value = draw(st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False) if below
                     else st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False))
    return key, value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=out_of_bounds())
def test_any_number_out_of_bounds_exits_2_with_one_line(tmp_path, capsys, case):
    """A numeric key set beyond its bounds, either side, in a scenario file: 'tenseki run' exits
    2 with one line naming the file and the key, and never a traceback."""
    key, value = case
    table, _, name = key.rpartition(".")
    path = tmp_path / "bad.toml"
    text = repr(value) if isinstance(value, int) else repr(float(value))
    header = f"[{table}]\n" if table else ""
    path.write_text(f'base = "esd"\n{header}{name} = {text}\n', encoding="utf-8")
    capsys.readouterr()
    assert run_app(["run", str(path), "--months", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert f"'{key}'" in err and "Traceback" not in err, err


def test_every_single_number_is_in_the_property_test():
    assert len(NUMBERS) > 100 and any(k == "run.scale" for k, *_ in NUMBERS)
