"""Bad input, class by class: every scenario mistake is refused with one short line that names the
file that set the value, the dotted key, the value and what is allowed (never coerced, never a
traceback; exit code 2 from the command line).

The classes (issue 12): coerced types, non-finite numbers, values beyond a plausible maximum,
settings that contradict each other, unknown keys and choices (with the nearest valid one),
values set in a base file (blamed on that file), missing or broken bases, changes made in code
(``Scenario.with_changes``) and runs too large for this machine's memory. ``load_scenario`` is
tested directly for the whole table; the command line in a fresh process for a representative
set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import sim
from sim import scenario as scenario_module
from sim.scenario import ScenarioError, load_scenario, shipped_scenario_dir

ESD = shipped_scenario_dir() / "esd.toml"
TITP = shipped_scenario_dir() / "titp.toml"

# (TOML added to a file with base = "esd", dotted key, value as shown, words the message must hold)
BAD = {
    # coerced types: a boolean is not a number, text is not a boolean, a quoted number is not a number
    "bool for a whole number": ("[policy.stay]\nmax_trainee_months = true\n", "policy.stay.max_trainee_months", "true", "whole number"),
    "bool for a number": ("[world]\nliving_cost_yen = false\n", "world.living_cost_yen", "false", "a number"),
    "text for a boolean": ('[policy.stay]\nssw1_path = "off"\n', "policy.stay.ssw1_path", "'off'", "true or false"),
    "number for a boolean": ("[policy.transfer]\nsame_field = 1\n", "policy.transfer.same_field", "1", "true or false"),
    "quoted number": ('[run]\nmonths = "12"\n', "run.months", "'12'", "whole number"),
    "quoted decimal": ('[run]\nscale = "0.1"\n', "run.scale", "'0.1'", "a number"),
    "decimal for a whole number": ("[run]\nmonths = 12.0\n", "run.months", "12.0", "write 12"),
    "table for a number": ("[world]\nfirms = { a = 1 }\n", "world.firms", "{'a': 1}", "whole number"),
    "list for a number": ("[world]\nfirms = [1, 2]\n", "world.firms", "[1, 2]", "whole number"),
    "number for text": ("name = 5\n", "name", "5", "text in quotes"),
    "bool in a list of numbers": ("[world]\nssw1_tenure_weights = [true, 1]\n", "world.ssw1_tenure_weights[0]", "true", "a number"),
    "text for a list": ('[policy.transfer]\nrequires_tests = "basic_skill"\n', "policy.transfer.requires_tests", "'basic_skill'", "a list"),
    "bool in a table of numbers": ("[world.broker_fee_yen]\nvietnam = true\nchina = 1\nindonesia = 1\nphilippines = 1\nmyanmar = 1\ncambodia = 1\nother = 1\n",
                                   "world.broker_fee_yen.vietnam", "true", "a number"),
    # non-finite numbers
    "nan": ("[behaviour.abscond]\nper_grievance = nan\n", "behaviour.abscond.per_grievance", "nan", "finite"),
    "inf": ("[world]\nliving_cost_yen = inf\n", "world.living_cost_yen", "inf", "finite"),
    "-inf": ("[behaviour.abscond]\nper_wage_gap = -inf\n", "behaviour.abscond.per_wage_gap", "-inf", "finite"),
    "inf intake": ("[policy.recruitment]\ntrainee_intake_per_year = inf\n", "policy.recruitment.trainee_intake_per_year", "inf", "finite"),
    "nan in a year table": ("[policy.recruitment.trainee_intake_by_year]\n2030 = nan\n", "policy.recruitment.trainee_intake_by_year.2030", "nan", "finite"),
    # beyond a plausible maximum (a run built from them would not fit in any machine)
    "1e300 intake": ("[policy.recruitment]\ntrainee_intake_per_year = 1e300\n", "policy.recruitment.trainee_intake_per_year", "1e+300", "5,000,000"),
    "9.2e18 stock": ("[world]\nstock_trainees = 9200000000000000000\n", "world.stock_trainees", "9200000000000000000", "5,000,000"),
    "firms": ("[world]\nfirms = 100000000\n", "world.firms", "100000000", "1,000,000"),
    "broker fee": ("[policy.recruitment]\nbroker_fee_cap_yen = 1e12\n", "policy.recruitment.broker_fee_cap_yen", "1000000000000.0", "10,000,000"),
    "log effect": ("[behaviour.abscond]\nper_grievance = 1e9\n", "behaviour.abscond.per_grievance", "1000000000.0", "from -20 to 20"),
    "negative count": ("[world]\nstock_ssw1 = -1\n", "world.stock_ssw1", "-1", "from 0"),
    "minimum wage": ("[world.min_wage_national_average_yen]\n2024 = 1e7\n", "world.min_wage_national_average_yen.2024", "10000000.0", "10,000"),
    # unknown keys and choices: the nearest valid one is suggested
    "misspelt lever": ('[policy.transfer]\nregme = "free"\n', "policy.transfer.regme", "'free'", "did you mean 'policy.transfer.regime'"),
    "misspelt table": ('[policy.transfers]\nregime = "free"\n', "policy.transfers", "{'regime': 'free'}", "did you mean 'policy.transfer'"),
    "misspelt base": ('bsae = "titp"\n', "bsae", "'titp'", "did you mean 'base'"),
    "misspelt choice": ('[policy.transfer]\nregime = "fre"\n', "policy.transfer.regime", "'fre'", "did you mean 'free'"),
    "misspelt field": ("[policy.transfer.waiting_months_by_field]\nconstructon = 12\n", "policy.transfer.waiting_months_by_field.constructon",
                       "'constructon'", "did you mean 'construction'"),
    "misspelt test": ('[policy.transfer]\nrequires_tests = ["basic_skil"]\n', "policy.transfer.requires_tests[0]", "'basic_skil'", "did you mean 'basic_skill'"),
    "misspelt real field": ('[policy.stay]\nssw2_closed_fields = ["nursing_cars"]\n', "policy.stay.ssw2_closed_fields[0]", "'nursing_cars'",
                            "did you mean 'nursing_care'"),
    "real-field shares not adding up": ("[world.other_field_shares]\nfood_service = 0.5\n", "world.other_field_shares", "{'food_service': 0.5}",
                                        "add up to 1"),
    "yearly origin shares not adding up": ("[world.origin_shares_by_year.2023]\nvietnam = 0.5\nchina = 0.1\nindonesia = 0.1\nphilippines = 0.1\n"
                                           "myanmar = 0.1\ncambodia = 0.0\nother = 0.0\n", "world.origin_shares_by_year",
                                           "{'2023': {'vietnam': 0.5", "year 2023: shares must add up to 1"),
    "yearly origin shares missing one": ("[world.origin_shares_by_year.2023]\nvietnam = 1.0\n", "world.origin_shares_by_year",
                                         "{'2023': {'vietnam': 1.0}}", "year 2023: every origin needs a value"),
    "job-openings ratio": ("[world.job_openings_ratio_by_year]\n2020 = 0\n", "world.job_openings_ratio_by_year.2020", "0", "from 0.05 to 10"),
    # below a plausible minimum (physically absurd small values; "greater than 0" let them through)
    "scale 1e-300": ("[run]\nscale = 1e-300\n", "run.scale", "1e-300", "from 1e-06 to 1"),
    "a minute of work a month": ("[world]\nhours_per_month = 0.02\n", "world.hours_per_month", "0.02", "from 40 to 744"),
    "a firm of no one": ("[world]\nfirm_staff_median = 0.001\n", "world.firm_staff_median", "0.001", "from 1 to 100,000"),
    "one yen an hour": ("[world.min_wage_national_average_yen]\n2024 = 1\n", "world.min_wage_national_average_yen.2024", "1", "from 100"),
    "debt repaid in an instant": ("[world]\ninitial_debt_repaid_months = 1e-9\n", "world.initial_debt_repaid_months", "1e-09", "from 1 to 120"),
    "seeking decays at once": ("[behaviour.transfer]\nseek_decay_months = 1e-12\n", "behaviour.transfer.seek_decay_months", "1e-12", "from 1"),
    "no concentration": ("[behaviour.violations]\ncompliance_alpha = 1e-200\n", "behaviour.violations.compliance_alpha", "1e-200", "from 0.01"),
    "a vanishing multiplier": ("[behaviour.abscond.field_factor]\nconstruction = 1e-30\nfood_manufacturing = 1\nmachinery_metal = 1\n"
                               "agriculture = 1\ntextiles = 1\nnursing_care = 1\nfishery = 1\nother = 1\n",
                               "behaviour.abscond.field_factor.construction", "1e-30", "from 0.01 to 100"),
    "negative demand elasticity": ("[behaviour.abscond]\nper_log_demand_change = -1\n", "behaviour.abscond.per_log_demand_change", "-1", "from 0"),
    "negative fee cap": ("[policy.recruitment]\nfee_cap_months_of_pay = -2\n", "policy.recruitment.fee_cap_months_of_pay", "-2", "from 0"),
    "year that is not a year": ("[world.min_wage_national_average_yen]\n20x4 = 1000\n", "world.min_wage_national_average_yen.20x4", "'20x4'", "1990 to 2100"),
}


def write(tmp_path, text: str, name: str = "my.toml", base: str = "esd"):
    path = tmp_path / name
    path.write_text(f'base = "{base}"\n{text}', encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_value_is_refused_naming_file_key_value_and_what_is_allowed(tmp_path, case):
    """One short line: the user's own file (not its base), the dotted key, the value as written,
    and what is allowed (a range, the type, or the nearest valid name)."""
    text, key, value, allowed = BAD[case]
    path = write(tmp_path, text)
    msg = error_of(path)
    assert msg.count("\n") == 0, msg
    assert len(msg) < 400, msg
    assert msg.startswith(f"{path}: "), msg
    assert f"'{key}'" in msg and f"= {value}" in msg, msg
    assert allowed in msg, msg
    assert str(ESD) not in msg and str(TITP) not in msg  # never blamed on a base file


@pytest.mark.parametrize(
    "text, keys, other_file",
    [
        ("[policy.transfer]\nwaiting_months = 600\n", ("policy.transfer.waiting_months", "policy.stay.max_trainee_months"), ESD),
        ("[policy.transfer.waiting_months_by_field]\nconstruction = 100\n",
         ("policy.transfer.waiting_months_by_field.construction", "policy.stay.max_trainee_months"), ESD),
        ("[world]\nssw1_tenure_weights = [0, 0, 0, 0, 0]\n", ("world.ssw1_tenure_weights", "policy.stay.ssw1_max_months"), TITP),
        ("[policy.stay]\nmax_trainee_months = 72\n", ("policy.stay.max_trainee_months", "policy.stay.programme"), ESD),
    ],
)
def test_settings_that_contradict_each_other_name_both_keys_and_their_files(tmp_path, text, keys, other_file):
    """A waiting period longer than the maximum stay, tenure weights that are all zero within
    the maximum SSW i stay, an ESD programme over 60 months: both keys, both values, and the
    file that set each."""
    path = write(tmp_path, text)
    msg = error_of(path)
    assert msg.count("\n") == 0 and len(msg) < 400, msg
    assert msg.startswith(f"{path}: "), msg
    assert f"'{keys[0]}'" in msg and f"'{keys[1]}'" in msg and "contradicts" in msg, msg
    assert f"(set in {other_file})" in msg, msg


def test_tenure_weights_beyond_the_maximum_stay_do_not_count(tmp_path):
    """Weights only in years the maximum SSW i stay never reaches are as good as none."""
    msg = error_of(write(tmp_path, "[world]\nssw1_tenure_weights = [0, 5]\n[policy.stay]\nssw1_max_months = 12\n"))
    assert "'world.ssw1_tenure_weights'" in msg and "'policy.stay.ssw1_max_months' = 12" in msg


def test_a_bad_value_in_a_base_file_is_blamed_on_that_file(tmp_path):
    """The file that set the value is named, not the file that was loaded."""
    base = write(tmp_path, "[world]\nliving_cost_yen = nan\n", name="base_bad.toml")
    mine = write(tmp_path, "[run]\nmonths = 12\n", name="mine.toml", base="base_bad.toml")
    msg = error_of(mine)
    assert msg.startswith(f"{base}: ") and "'world.living_cost_yen' = nan" in msg, msg


def test_a_missing_base_names_the_file_that_asked_for_it(tmp_path):
    """'base = "esdd"': the asking file, the name, where it was looked for, the nearest shipped name."""
    path = write(tmp_path, "", base="esdd")
    msg = error_of(path)
    assert msg.startswith(f"{path}: key 'base' = 'esdd'"), msg
    assert "no such file" in msg and "did you mean 'esd'" in msg and str(tmp_path) in msg


def test_a_base_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text("base = 3\n", encoding="utf-8")
    msg = error_of(path)
    assert msg.startswith(f"{path}: key 'base' = 3") and "file name" in msg


def test_a_loop_of_bases_names_the_files(tmp_path):
    (tmp_path / "a.toml").write_text('base = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('base = "a.toml"\n', encoding="utf-8")
    msg = error_of(tmp_path / "a.toml")
    assert "loop" in msg and "a.toml -> b.toml -> a.toml" in msg


def test_a_missing_key_names_the_file_and_what_is_allowed(tmp_path):
    path = tmp_path / "no_policy_stay.toml"
    path.write_text('base = "world"\n[policy.transfer]\nregime = "free"\n', encoding="utf-8")
    msg = error_of(path)
    assert f"{path}: key 'policy.stay' is missing" in msg
    assert "allowed: a table with the keys programme, max_trainee_months" in msg


def test_an_unknown_shipped_name_suggests_the_nearest():
    msg = error_of("titpp")
    assert msg.startswith("titpp: no such scenario file") and "did you mean 'titp'" in msg


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"run.scale": True}, ("'run.scale' = true", "wrong type")),
        ({"run.months": "12"}, ("'run.months' = '12'", "wrong type")),
        ({"world.living_cost_yen": float("nan")}, ("'world.living_cost_yen' = nan", "finite")),
        ({"policy.transfer.waiting_months": 600}, ("contradicts", "'policy.stay.max_trainee_months' = 36")),
        ({"run.scael": 0.1}, ("unknown key 'run.scael'", "did you mean 'run.scale'")),
    ],
)
def test_changes_made_in_code_are_as_strict_as_a_file(changes, words):
    """``Scenario.with_changes`` validates as strictly as a file does, and says so as clearly."""
    with pytest.raises(ScenarioError) as info:
        sim.shipped_scenario("esd").with_changes(changes)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_a_whole_number_is_accepted_where_a_number_is_meant(tmp_path):
    """TOML writes ``1`` for one: an int where a float is meant is a number, not a type error."""
    scenario = load_scenario(write(tmp_path, "[run]\nscale = 1\nmonths = 2\n[world]\nliving_cost_yen = 60000\n"))
    assert scenario.run.scale == 1.0 and isinstance(scenario.run.scale, float)
    assert sim.shipped_scenario("esd").with_changes({"policy.transfer.requires_tests": ["basic_skill"]}).policy.transfer.requires_tests == (
        "basic_skill",
    )


# ---------------------------------------------------------------------------------------------
# Memory, checked before a run is built
# ---------------------------------------------------------------------------------------------
def test_a_run_too_large_for_the_memory_is_refused_before_it_is_built(monkeypatch):
    """'... at scale 1 over 1200 months needs about 31 GB of memory; this machine has 8.0 GB
    available ...', raised before the model is built (run_scenario never gets to build it)."""
    big = sim.shipped_scenario("esd").with_changes(
        {"run.scale": 1.0, "run.months": 1200, "policy.recruitment.trainee_intake_per_year": 2_000_000}
    )
    need = scenario_module.memory_needed_bytes(big)
    assert 20e9 < need < 60e9  # 24 million people ever admitted, ~150 bytes each
    monkeypatch.setattr("sim.memory.available_memory_bytes", lambda: 8e9)  # check_memory lives there
    built = []
    monkeypatch.setattr("sim.model.LabourMarket.__init__", lambda self, *a, **k: built.append(1))
    with pytest.raises(ScenarioError) as info:
        sim.run_scenario(big, seed=1)
    msg = str(info.value)
    assert "scale 1 over 1200 months needs about" in msg and "this machine has 8.0 GB available" in msg, msg
    assert not built
    scenario_module.check_memory(sim.shipped_scenario("esd"))  # the shipped default fits


def test_the_memory_estimate_grows_with_the_people_in_the_run():
    small = sim.shipped_scenario("esd").with_run(scale=0.001)
    need = [scenario_module.memory_needed_bytes(small.with_run(scale=s)) for s in (0.001, 0.01, 0.1)]
    assert need[2] - need[1] == pytest.approx(10 * (need[1] - need[0]), rel=1e-6) and need[1] > need[0]


# ---------------------------------------------------------------------------------------------
# The command line, in a fresh process: exit code 2, one short message, no traceback
# ---------------------------------------------------------------------------------------------
def tenseki(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


CLI_CASES = {
    "coerced type": ("[policy.stay]\nmax_trainee_months = true\n", ["'policy.stay.max_trainee_months' = true", "whole number"]),
    "non-finite": ("[behaviour.abscond]\nper_grievance = nan\n", ["'behaviour.abscond.per_grievance' = nan"]),
    "beyond the maximum": ("[policy.recruitment]\ntrainee_intake_per_year = 1e300\n", ["trainee_intake_per_year", "5,000,000"]),
    "contradiction": ("[policy.transfer]\nwaiting_months = 600\n", ["contradicts", "'policy.stay.max_trainee_months' = 36"]),
    "unknown key": ('[policy.transfer]\nregme = "free"\n', ["did you mean 'policy.transfer.regime'"]),
    "missing base": (None, ["key 'base' = 'esdd'", "did you mean 'esd'"]),
    "too much memory": ("[run]\nscale = 1.0\nmonths = 1200\n[policy.recruitment]\ntrainee_intake_per_year = 5000000\n"
                        "ssw_direct_intake_per_year = 5000000\n", ["needs about", "GB of memory", "available"]),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_the_command_line_refuses_bad_input_with_exit_code_2_and_one_message(tmp_path, case):
    text, words = CLI_CASES[case]
    path = write(tmp_path, "", base="esdd") if text is None else write(tmp_path, text)
    done = tenseki("run", path, cwd=tmp_path)
    assert done.returncode == 2, f"exit code {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {path}: "), done.stderr
    for w in words:
        assert w in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my.toml"]  # nothing written


def test_an_unknown_scenario_name_exits_2_with_the_nearest_name(tmp_path):
    done = tenseki("compare", "esd", "titpp", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "titpp: no such scenario file" in done.stderr and "did you mean 'titp'" in done.stderr


def _numbers(model, prefix: str = ""):
    """(dotted key, annotation) of every number in a schema model, through tables, lists and dicts."""
    import typing

    from pydantic import BaseModel

    from sim.schema import _unwrap

    def walk(ann, key):
        base, constraints, _optional = _unwrap(ann)
        origin = typing.get_origin(base)
        if base in (int, float):
            yield key, constraints
        elif isinstance(base, type) and issubclass(base, BaseModel):
            for name, field in base.model_fields.items():
                yield from walk(typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation,
                                f"{key}.{name}" if key else name)
        elif origin in (tuple, list):
            yield from walk(typing.get_args(base)[0], f"{key}[]")
        elif origin is dict:
            yield from walk(typing.get_args(base)[1], f"{key}.*")
        elif origin in (typing.Union, __import__("types").UnionType):
            for arm in typing.get_args(base):
                yield from walk(arm, key)

    yield from walk(model, prefix)


def test_every_number_of_the_schema_has_an_inclusive_minimum_and_a_maximum():
    """Every number in a scenario has a plausible minimum as well as a maximum: an inclusive
    lower bound (0 where nothing smaller means anything, else a positive floor), never "greater
    than 0", which lets 1e-300 through (hours of work, staff, a scale, a decay in months)."""
    from sim.scenario import Scenario

    numbers = dict(_numbers(Scenario))
    assert len(numbers) > 150
    no_floor = [k for k, cs in numbers.items() if not any(getattr(c, "ge", None) is not None for c in cs)]
    no_ceiling = [k for k, cs in numbers.items() if not any(getattr(c, "le", None) is not None for c in cs)]
    assert not no_floor, no_floor
    assert not no_ceiling, no_ceiling


@pytest.mark.parametrize("changes", [{"run.scale": 1e-6, "run.months": 1},
                                     {"world.stock_trainees": 0, "world.stock_ssw1": 0, "world.stock_ssw2": 0, "world.stock_irregular": 0,
                                      "policy.recruitment.trainee_intake_per_year": 0.0,
                                      "policy.recruitment.ssw_direct_intake_per_year": 0.0}])
def test_a_world_that_holds_no_one_is_refused(changes):
    """At a scale (or with stocks and intakes) where no one is in the world or arrives, a run
    would print zeros and exit 0: refused, naming the scale and the months."""
    with pytest.raises(ScenarioError, match="run.scale.* contradicts .*run.months.*the world holds no one"):
        sim.shipped_scenario("titp").with_changes(changes)
    assert sim.shipped_scenario("titp").with_changes({"run.scale": 1e-4, "run.months": 1}).run.scale == 1e-4


def test_the_command_line_refuses_a_world_of_no_one_with_exit_2():
    done = tenseki("run", "titp", "--scale", "0.000001", "--months", "2")
    assert done.returncode == 2 and "holds no one" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_a_chain_of_bases_deeper_than_the_limit_is_one_message(tmp_path):
    """A chain of base files longer than MAX_BASE_DEPTH ends in one message naming the first
    file and the limit, not in Python's recursion limit."""
    from sim.schema import MAX_BASE_DEPTH

    (tmp_path / "f0.toml").write_text('base = "titp"\n', encoding="utf-8")
    for i in range(1, MAX_BASE_DEPTH + 3):
        (tmp_path / f"f{i}.toml").write_text(f'base = "f{i - 1}.toml"\n', encoding="utf-8")
    ok = tmp_path / f"f{MAX_BASE_DEPTH - 3}.toml"  # with titp and world: MAX_BASE_DEPTH files
    assert load_scenario(ok).name == ok.stem
    msg = error_of(tmp_path / f"f{MAX_BASE_DEPTH + 2}.toml")
    assert msg.count("\n") == 0 and f"more than {MAX_BASE_DEPTH} base files" in msg, msg
    assert msg.startswith(str(tmp_path / f"f{MAX_BASE_DEPTH + 2}.toml")), msg


@pytest.mark.parametrize("call, words", [
    (lambda: sim.runner.run_tables("titp", 1, months=1, by=("nope",)), "by = ['nope']: 'nope' is not a grouping; allowed:"),
    (lambda: sim.runner.run_tables("titp", 1, months=1, by="field"), "by = 'field': allowed: a list of groupings"),
    (lambda: sim.runner.run_tables(5, 1, months=1), "scenario = 5: allowed: a scenario file's path"),
    (lambda: sim.runner.run_tables("titp", 1, months=1, progress=5), "progress = 5: allowed: a function"),
    (lambda: sim.LabourMarket(5, 1), "scenario = 5: allowed"),
    (lambda: sim.LabourMarket("titp", 1, log_transfers="yes"), "log_transfers = 'yes': allowed: true or false"),
    (lambda: sim.LabourMarket("titp", 1, run__months="3"), "key 'run.months' = '3': wrong type"),
    (lambda: sim.run_scenario("titp", 1, months=3.0), "key 'run.months' = 3.0: a decimal where a whole number is needed"),
])
def test_the_python_api_is_as_strict_as_the_files(monkeypatch, call, words):
    """run_tables, run_scenario and LabourMarket refuse what a file or the command line would
    (no coercion, unknown groupings, a scenario that is neither a path nor a name) with one
    ScenarioError line before anything is built, never a TypeError from deep inside."""

    monkeypatch.setattr("sim.world.build_ledger", lambda *a, **k: pytest.fail("built a world"))
    with pytest.raises(ScenarioError) as info:
        call()
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)


@pytest.mark.parametrize("line", ["reference = 5", "[grid]\nx = 5", "changes = 5", "grid = 5", "seeds = [\"a\"]",
                                  "sample = 5", "[grid.x]\na = 5", 'scenarios = "titp"', "outputs = 5"])
def test_no_message_shows_python_type_notation(tmp_path, line):
    """What is allowed is said in words ("text in quotes or a table"), never as Python's
    annotation (str | dict[str, str], typing.Any) or pydantic's name of a union's member."""
    from sim.experiments import ExperimentError, load_experiment

    path = tmp_path / "exp.toml"
    path.write_text(f'name = "t"\nscenarios = ["titp"]\n{line}\n' if not line.startswith("scenarios") else f'name = "t"\n{line}\n',
                    encoding="utf-8")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    msg = str(info.value)
    for notation in ("typing", "Any", "dict[", "list[", "str |", "| None", "<class", "Literal"):
        assert notation not in msg, msg


def test_one_bad_value_gives_one_message_and_exit_2_in_every_command(tmp_path):
    """The same bad scenario value through run, compare, sweep and sensitivity (an experiment
    naming the file): exit 2, no traceback, and the same line naming file, key, value and what
    is allowed."""
    bad = write(tmp_path, "[world]\nhours_per_month = 0.5\n", name="bad.toml")
    expected = f"{bad}: key 'world.hours_per_month' = 0.5: out of range; allowed: a number from 40 to 744"
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "g"\nscenarios = ["bad.toml"]\nmonths = 1\nscale = 0.002\n', encoding="utf-8")
    sample = tmp_path / "sample.toml"
    sample.write_text('name = "s"\nscenarios = ["bad.toml"]\nmonths = 1\nscale = 0.002\n[sample]\nmethod = "morris"\n'
                      'n = 2\n[sample.ranges]\n"behaviour.transfer.min_wage_gain" = [0.0, 0.1]\n', encoding="utf-8")
    commands = [("run", bad), ("compare", bad, "--out", tmp_path / "c"), ("sweep", grid, "--out", tmp_path / "g"),
                ("sensitivity", sample, "--out", tmp_path / "s")]
    for args in commands:
        done = tenseki(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and expected in done.stderr, (args, done.stderr)
