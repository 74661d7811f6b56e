"""Dates (sim/dates.py, sim/renamed_keys.py): the YearMonth type, dates in scenario files
("2027-04" or {year = 2027, month = 4}) refused with file, key, value and what is allowed, and
the old year/month pairs still read, converted, with a warning naming the file and the keys."""

from __future__ import annotations

import shutil
import warnings

import pytest

import sim
from sim.dates import YearMonth
from sim.renamed_keys import RENAMED_DATES, RenamedKeyWarning
from sim.scenario import ScenarioError, load_scenario, shipped_scenario_dir


def write(tmp_path, text: str):
    """A scenario file ``my.toml`` on the shipped esd.toml with ``text`` added."""
    path = tmp_path / "my.toml"
    path.write_text(f'base = "esd"\n{text}', encoding="utf-8")
    return path


def load_error(tmp_path, text: str) -> tuple[str, str]:
    """(the file, the error) of a file on esd.toml with ``text`` added that must not load."""
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(path), str(info.value)


# ---------------------------------------------------------------------------------------------
# The type
# ---------------------------------------------------------------------------------------------
def test_year_months_order_and_count_months_across_years():
    assert YearMonth(2026, 12) < YearMonth(2027, 1) < YearMonth(2027, 4) == YearMonth(2027, 4)
    assert sorted([YearMonth(2027, 4), YearMonth(2019, 11), YearMonth(2019, 4)]) == [
        YearMonth(2019, 4), YearMonth(2019, 11), YearMonth(2027, 4)]
    assert YearMonth(2027, 4) + 9 == YearMonth(2028, 1)
    assert YearMonth(2027, 1) + (-1) == YearMonth(2027, 1) - 1 == YearMonth(2026, 12)
    assert YearMonth(2028, 1).months_since(YearMonth(2027, 4)) == 9
    assert YearMonth(2027, 4).months_since(YearMonth(2028, 1)) == -9
    assert YearMonth(2027, 4).index == 2027 * 12 + 3
    for index in range(2019 * 12, 2031 * 12):
        assert YearMonth.from_index(index).index == index
    assert str(YearMonth(2027, 4)) == "2027-04"


def test_a_year_month_reads_from_text_or_a_table_and_nothing_else():
    assert YearMonth.parse("2027-04") == YearMonth.parse({"year": 2027, "month": 4}) == YearMonth(2027, 4)
    for bad in ("2027-13", "2027-00", "2027/4", "2027-4", "April 2027", 202704, {"year": 2027}, {"year": 2027, "month": "4"}):
        with pytest.raises(ValueError):
            YearMonth.parse(bad)
    with pytest.raises(ValueError):
        YearMonth(2027, 13)


# ---------------------------------------------------------------------------------------------
# Dates in files: bad values, both old and new keys
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, key, value, words",
    [
        ('[policy.stay]\nesd_from = "2027-13"\n', "policy.stay.esd_from", "'2027-13'", "month 13 is not a month"),
        ('[policy.stay]\nesd_from = "2027/4"\n', "policy.stay.esd_from", "'2027/4'", "not a year and month"),
        ("[policy.supervision]\ninspections_from = 2027\n", "policy.supervision.inspections_from", "2027", "wrong type"),
        ("[policy.stay]\nssw_from = { year = 2019, month = 0 }\n", "policy.stay.ssw_from", "{'year': 2019, 'month': 0}",
         "month 0 is not a month"),
        ('[run]\nstart = "2027-4"\n', "run.start", "'2027-4'", "not a year and month"),
        ('[run]\nstart = "1992-12"\n', "run.start", "'1992-12'", "1993-01"),
    ],
)
def test_a_bad_date_is_refused_naming_file_key_value_and_what_is_allowed(tmp_path, text, key, value, words):
    path, msg = load_error(tmp_path, text)
    assert msg.count("\n") == 0 and len(msg) < 400, msg
    assert msg.startswith(f"{path}: ") and f"'{key}' = {value}" in msg and words in msg, msg
    assert '"YYYY-MM"' in msg, msg  # what is allowed


def test_a_date_given_both_the_old_and_the_new_way_is_refused_naming_both_keys(tmp_path):
    path, msg = load_error(tmp_path, '[policy.stay]\nesd_from = "2027-04"\nesd_from_year = 2028\n')
    assert msg.startswith(f"{path}: ") and msg.count("\n") == 0, msg
    assert "'policy.stay.esd_from' = '2027-04'" in msg and "'policy.stay.esd_from_year'" in msg and "twice" in msg, msg


def test_an_old_month_without_its_year_is_refused(tmp_path):
    _path, msg = load_error(tmp_path, "[policy.supervision]\ninspections_from_month = 11\n")
    assert "'policy.supervision.inspections_from_month' = 11 without 'policy.supervision.inspections_from_year'" in msg, msg


@pytest.mark.parametrize("text, given, missing", [
    ("[run]\nstart_year = 2030\n", "run.start_year' = 2030", "run.start_month"),
    ("[run]\nstart_month = 7\n", "run.start_month' = 7", "run.start_year"),
    ("[policy.stay.bridging]\nfrom_year = 2024\n", "policy.stay.bridging.from_year' = 2024", "policy.stay.bridging.from_month"),
])
def test_half_an_old_date_with_no_default_for_the_other_half_is_refused(tmp_path, text, given, missing):
    """The run's start month came from the base file, which a file's old keys are not read with:
    a year alone is refused rather than given a month (as the bridging dates, which had no default)."""
    path, msg = load_error(tmp_path, text)
    assert msg.startswith(f"{path}: ") and msg.count("\n") == 0, msg
    assert f"'{given} without '{missing}'" in msg and '"YYYY-MM"' in msg, msg


def test_the_run_start_is_one_date_and_its_old_pair_still_reads(tmp_path):
    assert sim.shipped_scenario("history_2017").run.start == YearMonth(2017, 1)
    assert sim.shipped_scenario("esd").run.start == YearMonth(2025, 1)  # from the history's end-2024 state
    assert load_scenario(write(tmp_path, '[run]\nstart = "2030-07"\nstart_from = "stock"\n')).run.start == YearMonth(2030, 7)
    with pytest.warns(RenamedKeyWarning, match=r"'run.start_year' = 2030 and 'run.start_month' = 7: .*start = \"2030-07\""):
        scenario = load_scenario(write(tmp_path, '[run]\nstart_year = 2030\nstart_month = 7\nstart_from = "stock"\n'))
    assert scenario.run.start == YearMonth(2030, 7)
    path, msg = load_error(tmp_path, '[run]\nstart = "2030-07"\nstart_month = 7\n')
    assert msg.startswith(f"{path}: ") and msg.count("\n") == 0, msg
    assert "'run.start' = '2030-07'" in msg and "'run.start_month'" in msg and "twice" in msg, msg


def test_a_period_that_ends_before_it_starts_names_both_dates(tmp_path):
    text = ('[[behaviour.abscond.origin_periods]]\norigin = "myanmar"\nfactor = 2.0\n'
            'first_month = "2024-09"\nlast_month = "2021-06"\n')
    _path, msg = load_error(tmp_path, text)
    assert "'behaviour.abscond.origin_periods.0.first_month' = '2024-09'" in msg and "'2021-06'" in msg, msg
    assert "ends before it starts" in msg, msg


# ---------------------------------------------------------------------------------------------
# The old year/month pairs still read
# ---------------------------------------------------------------------------------------------
def old_pairs(text: str) -> str:
    """A shipped file as it was written before dates were one key: each date as a year and a month."""
    for renames in RENAMED_DATES.values():
        for old, new, _default in renames:
            lines = []
            for line in text.splitlines():
                key, sep, rest = line.partition(" = ")
                if sep and key.strip() == new:
                    date = YearMonth.parse(rest.split("#")[0].strip().strip('"'))
                    lines += [f"{old}_year = {date.year}", f"{old}_month = {date.month}"]
                else:
                    lines.append(line)
            text = "\n".join(lines) + "\n"
    return text


@pytest.mark.parametrize("name", ["history_2017", "esd_transition"])
def test_a_file_with_the_old_pairs_reads_to_the_same_scenario_with_a_warning(tmp_path, name):
    """Every date of the shipped files written the old way: the same Scenario, and one warning
    per date naming the file and its old keys."""
    for file in shipped_scenario_dir().glob("*.toml"):
        shutil.copy(file, tmp_path / file.name)
    old = tmp_path / f"{name}.toml"
    old.write_text(old_pairs(old.read_text(encoding="utf-8")), encoding="utf-8")
    assert "_year = " in old.read_text(encoding="utf-8")
    with pytest.warns(RenamedKeyWarning) as caught:
        scenario = load_scenario(old)
    assert scenario == sim.shipped_scenario(name)
    messages = [str(w.message) for w in caught]
    assert all(m.startswith(f"{old.resolve()}: ") for m in messages), messages
    year_keys = {f"{o}_year" for renames in RENAMED_DATES.values() for o, _n, _d in renames}
    dates = sum(line.partition(" = ")[0].strip() in year_keys for line in old.read_text(encoding="utf-8").splitlines())
    assert len(messages) == dates, messages


def test_an_old_year_alone_takes_the_month_the_old_schema_defaulted_to(tmp_path):
    with pytest.warns(RenamedKeyWarning, match="'policy.stay.ssw_from_year' = 2019"):
        scenario = load_scenario(write(tmp_path, "[policy.stay]\nssw_from_year = 2019\n"))
    assert scenario.policy.stay.ssw_from == YearMonth(2019, 4)


def test_old_dotted_keys_still_change_a_scenario_keeping_the_other_half_of_the_date():
    history = sim.load_scenario("history_2017")
    july = history.with_changes({"policy.stay.ssw_from": "2019-07"})
    with pytest.warns(RenamedKeyWarning, match="policy.stay.ssw_from_year"):
        assert july.with_changes({"policy.stay.ssw_from_year": 2020}).policy.stay.ssw_from == YearMonth(2020, 7)
    with pytest.warns(RenamedKeyWarning, match="policy.stay.ssw_from_month"):
        assert history.with_changes({"policy.stay.ssw_from_month": 6}).policy.stay.ssw_from == YearMonth(2019, 6)
    with pytest.warns(RenamedKeyWarning):
        bridging = history.policy.stay.bridging.model_dump(exclude={"first_month"})
        changed = history.with_changes({"policy.stay.bridging": {**bridging, "from_year": 2020, "from_month": 5}})
    assert changed.policy.stay.bridging.first_month == YearMonth(2020, 5)
    with pytest.raises(ScenarioError, match="twice"):
        history.with_changes({"policy.stay.ssw_from_year": 2020, "policy.stay.ssw_from": "2020-04"})


def test_the_run_start_changes_by_its_dotted_key_or_its_old_halves():
    history = sim.load_scenario("history_2017")
    assert history.with_changes({"run.start": "2018-04"}).run.start == YearMonth(2018, 4)
    with pytest.warns(RenamedKeyWarning, match="run.start_year"):
        assert history.with_changes({"run.start_year": 2019}).run.start == YearMonth(2019, 1)
    with pytest.warns(RenamedKeyWarning, match="run.start_month"):
        assert history.with_changes({"run.start_month": 4}).run.start == YearMonth(2017, 4)
    with pytest.raises(ScenarioError, match="twice"):
        history.with_changes({"run.start_year": 2019, "run.start": "2019-01"})


def test_the_shipped_files_use_no_old_key():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RenamedKeyWarning)
        for file in shipped_scenario_dir().glob("*.toml"):
            if file.stem != "world":
                load_scenario(file)


def test_the_command_line_shows_an_old_key_as_one_warning_line(tmp_path, capsys):
    """``warning: FILE: 'key' = value: old key(s), still read; write ... instead``: no Python
    file name and source line (``cli._warnings_for_users``)."""
    from sim.cli import run_app

    path = write(tmp_path, "[policy.stay]\nssw_from_year = 2019\n")
    code = run_app(["run", str(path), "--months", "1", "--scale", "0.002", "--out", str(tmp_path / "table.csv")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"warning: {path.resolve()}: 'policy.stay.ssw_from_year' = 2019: old key(s)" in err, err
    assert "RenamedKeyWarning" not in err and "warnings.warn" not in err, err


def test_an_experiment_may_still_sample_the_year_of_a_date_by_its_old_key(tmp_path):
    """A sensitivity over ``policy.stay.esd_from_year`` (a whole number, sampled as one): each
    point's scenario has that year and the scenario's month (``experiments.design._get``)."""
    from sim.experiments import load_experiment

    path = tmp_path / "old.toml"
    path.write_text('name = "old"\nscenarios = ["esd_transition"]\nmonths = 2\nscale = 0.002\n'
                    '[sample]\nmethod = "latin_hypercube"\nn = 3\n[sample.ranges]\n"policy.stay.esd_from_year" = [2027, 2030]\n',
                    encoding="utf-8")
    with pytest.warns(RenamedKeyWarning):
        runs = load_experiment(path).runs()
    years = [run.point.changes["policy.stay.esd_from_year"] for run in runs]
    assert all(isinstance(y, int) and 2027 <= y <= 2030 for y in years), years
    assert [run.scenario.policy.stay.esd_from for run in runs] == [YearMonth(y, 4) for y in years]
