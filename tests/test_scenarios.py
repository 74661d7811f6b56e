"""Scenario files (``sim.load_scenario``): the shipped four load; every mistake in a file is a
``ScenarioError`` whose message names the file, the dotted key, the value and what is allowed
(a misspelt lever is an error, never a silent no-op)."""

from __future__ import annotations

import re

import pydantic
import pytest

import sim
from sim.scenario import SHIPPED, ScenarioError, load_scenario, shipped_scenario_dir

SCENARIOS = shipped_scenario_dir()
TITP = SCENARIOS / "titp.toml"
WORLD = SCENARIOS / "world.toml"


def write(tmp_path, text: str, name: str = "bad.toml", base=TITP):
    """A scenario file in ``tmp_path`` that names ``base`` by its absolute path, then ``text``."""
    path = tmp_path / name
    head = f'base = "{base}"\n' if base is not None else ""
    path.write_text(head + text, encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load(name):
    """Each shipped scenario loads, is named after its file and states which programme it is."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.name == name
    assert scenario.description
    assert scenario == sim.shipped_scenario(name)


def test_shipped_policies_differ_as_described():
    """The four shipped policies set the levers their descriptions name."""
    t = {n: sim.shipped_scenario(n).policy for n in SHIPPED}
    assert t["titp"].transfer.regime == "unavoidable_only" and t["titp"].stay.max_trainee_months == 60
    assert t["esd"].transfer.regime == "after_waiting_period" and t["esd"].stay.programme == "esd"
    assert t["esd"].transfer.metro_cap_share == pytest.approx(1 / 6, abs=1e-3)
    assert t["free_mobility"].transfer.regime == "free" and not t["free_mobility"].transfer.same_field
    assert t["restricted"].stay.max_trainee_months == 36 and not t["restricted"].stay.ssw1_path


def test_a_file_overrides_its_base_key_by_key(tmp_path):
    """A file with a ``base`` changes only the keys it sets: the rest comes from the base."""
    path = write(tmp_path, "[run]\nmonths = 12\n\n[policy.transfer]\nsame_field = false\n", name="mine.toml")
    mine, titp = load_scenario(path), sim.shipped_scenario("titp")
    assert mine.run.months == 12 and mine.run.scale == titp.run.scale
    assert mine.policy.transfer.same_field is False
    assert mine.policy.transfer.regime == titp.policy.transfer.regime
    assert mine.world == titp.world and mine.behaviour == titp.behaviour


def test_unknown_key_is_an_error_naming_file_key_and_value(tmp_path):
    """A misspelt lever (``regme``) is rejected; the message names the file, the dotted key and the value."""
    path = write(tmp_path, '[policy.transfer]\nregme = "free"\n')
    msg = error_of(path)
    assert str(path) in msg
    assert "policy.transfer.regme" in msg
    assert "'free'" in msg
    assert "unknown key" in msg


def test_unknown_table_is_an_error(tmp_path):
    """A whole misspelt table (``[policy.transfers]``) is rejected too."""
    msg = error_of(write(tmp_path, "[policy.transfers]\nregime = \"free\"\n"))
    assert "policy.transfers" in msg


@pytest.mark.parametrize(
    "text, key, value",
    [
        ('[run]\nmonths = "ten"\n', "run.months", "'ten'"),
        ("[run]\nmonths = 12.5\n", "run.months", "12.5"),
        ('[policy.transfer]\nsame_field = "sometimes"\n', "policy.transfer.same_field", "'sometimes'"),
        ("[world]\nfirms = [1, 2]\n", "world.firms", "[1, 2]"),
    ],
)
def test_wrong_type_is_an_error_naming_key_and_value(tmp_path, text, key, value):
    """A value of the wrong type is rejected with the file, the dotted key and the value."""
    path = write(tmp_path, text)
    msg = error_of(path)
    assert str(path) in msg and key in msg and value in msg


@pytest.mark.parametrize(
    "text, key, value",
    [
        ("[run]\nscale = 2.0\n", "run.scale", "2.0"),
        ("[run]\nscale = 0.0\n", "run.scale", "0.0"),
        ("[run]\nmonths = 0\n", "run.months", "0"),
        ("[behaviour.abscond]\nbase_monthly = 1.5\n", "behaviour.abscond.base_monthly", "1.5"),
        ("[world]\nshare_arriving_in_debt = -0.1\n", "world.share_arriving_in_debt", "-0.1"),
        ("[policy.transfer]\nmetro_cap_share = 1.5\n", "policy.transfer.metro_cap_share", "1.5"),
        ("[world.field_shares]\nconstruction = 1.5\n", "world.field_shares.construction", "1.5"),
    ],
)
def test_out_of_range_value_is_an_error_naming_key_and_value(tmp_path, text, key, value):
    """A value outside its allowed range (a scale above 1, a share above 1, a negative
    probability) is rejected with the file, the dotted key, the value and the bound."""
    path = write(tmp_path, text)
    msg = error_of(path)
    assert str(path) in msg and key in msg and value in msg
    assert re.search(r"less than|greater than|allowed", msg)


def test_choice_outside_allowed_values_lists_the_allowed_ones(tmp_path):
    """A regime that does not exist is rejected with the allowed regimes."""
    msg = error_of(write(tmp_path, '[policy.transfer]\nregime = "sometimes"\n'))
    assert "policy.transfer.regime" in msg and "'sometimes'" in msg
    for allowed in ("unavoidable_only", "after_waiting_period", "free"):
        assert allowed in msg


def test_shares_must_add_up_to_one(tmp_path):
    """Field shares that do not add up to 1 are rejected, saying what they add up to."""
    shares = "\n".join(f"{f} = 0.1" for f in sim.FIELDS)
    msg = error_of(write(tmp_path, f"[world.field_shares]\n{shares}\n"))
    assert "world.field_shares" in msg and "add up to 1" in msg and "0.8" in msg


def test_esd_programme_is_at_most_five_years(tmp_path):
    """An ESD programme longer than 60 months is inconsistent and rejected."""
    msg = error_of(write(tmp_path, "[policy.stay]\nmax_trainee_months = 72\n", base=SCENARIOS / "esd.toml"))
    assert "max_trainee_months" in msg and "60" in msg


def test_missing_required_key_is_an_error(tmp_path):
    """A scenario that never sets a required lever (here the maximum stay) is rejected, naming
    the dotted key and saying it is missing."""
    text = TITP.read_text(encoding="utf-8")
    text = text.replace('base = "world.toml"', "")
    assert "max_trainee_months = 60" in text
    text = re.sub(r"^max_trainee_months = 60.*$", "", text, flags=re.MULTILINE)
    path = write(tmp_path, text, name="no_stay.toml", base=WORLD)
    msg = error_of(path)
    assert "policy.stay.max_trainee_months" in msg and "missing" in msg
    assert str(path) in msg


def test_world_file_alone_is_not_a_scenario():
    """The shared world file has no policy: loading it alone says the policy is missing."""
    msg = error_of(WORLD)
    assert "'policy'" in msg and "missing" in msg


def test_missing_file_is_an_error(tmp_path):
    """A file that does not exist is named in the error."""
    path = tmp_path / "nowhere.toml"
    msg = error_of(path)
    assert str(path) in msg and "no such" in msg


def test_missing_base_file_is_an_error(tmp_path):
    """A ``base`` that does not exist is named in the error."""
    msg = error_of(write(tmp_path, "", base=tmp_path / "no_base_here.toml"))
    assert "no_base_here.toml" in msg and "no such" in msg


def test_folder_is_not_a_scenario(tmp_path):
    """A folder given as a scenario file is an error, not a crash."""
    assert str(tmp_path) in error_of(tmp_path)


def test_malformed_toml_is_an_error_naming_file_and_line(tmp_path):
    """A file that is not valid TOML is rejected with its name and where the syntax breaks."""
    path = write(tmp_path, "[run\nscale = 0.1\n")
    msg = error_of(path)
    assert str(path) in msg and "TOML" in msg and "line 2" in msg


def test_base_files_that_refer_to_each_other_are_an_error(tmp_path):
    """Two files that name each other as ``base`` are an error, not an endless loop."""
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('base = "b.toml"\n', encoding="utf-8")
    b.write_text('base = "a.toml"\n', encoding="utf-8")
    assert "loop" in error_of(a)


def test_several_problems_give_one_line_each(tmp_path):
    """Every problem in a file is reported, one line each."""
    msg = error_of(write(tmp_path, '[run]\nscale = 2.0\nmonths = "ten"\n'))
    lines = msg.splitlines()
    assert len(lines) == 2
    assert any("run.scale" in line for line in lines) and any("run.months" in line for line in lines)


def test_scenario_is_frozen():
    """A loaded scenario cannot be changed by a run (it is frozen)."""
    scenario = sim.shipped_scenario("titp")
    with pytest.raises(pydantic.ValidationError):
        scenario.run.months = 3  # type: ignore[misc]
