"""Kernel parameters are bound by name (``sim.params.bind``).

Every parameter tuple of the processes round-trips each shipped scenario: a field named after a
scenario key holds that key's value, and a field in months named after a key in years
(``params.in_months``) that key's value converted (the sections each tuple reads are stated here,
apart from the bindings), so two parameters swapped in a binding fail here and not only in the regression
baselines. The helper refuses a field nobody supplies, a key supplied twice and a key no field
takes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import NamedTuple, get_type_hints

import numpy as np
import pytest

import sim
from helpers import small
from sim import policy
from sim.params import YEARS_TO_MONTHS, BindingError, bind, in_months, months_name, part
from sim.policy import NO_CAP
from sim.processes import decisions, families, grievance, integration, ladder, learning, matching, permanence, work
from sim.scenario import shipped_names

#: The shipped scenarios (``world.toml`` is the base of the others, not a scenario).
SCENARIOS = [name for name in shipped_names() if name != "world"]

#: Each parameter tuple: the scenario sections its keys come from, and its fields that are not a
#: key (this month's rules, masks and limits the policy derives, constants, the firms' state).
TUPLES = {
    decisions.DecisionParams: (("behaviour.abscond", "behaviour.departure", "behaviour.transfer", "policy.stay"),
                               {"titp_max_months", "ssw1_open"}),
    ladder.LadderRules: (("policy.stay", "behaviour.departure"),
                         {"titp_max_months", "ssw1_availability", "ssw2_open", "stage_iii_open", "stage_iii_latest_arrival",
                          "ssw1_tests", "ssw2_tests", "ssw2_open_fields", "care_worker_open"}),
    work.PayParams: (("world", "behaviour.violations", "policy.stay"), {"raise_after_months"}),
    work.MoneyParams: (("world",), set()),
    matching.Tastes: (("behaviour.transfer",), set()),
    permanence.PermanenceRules: (("policy.settlement",), set()),
    permanence.SettledChoices: (("behaviour.settlement",), set()),
    grievance.GrievanceRules: (("behaviour.grievance",), set()),
    learning.LearningRates: (("behaviour.learning",), set()),
    integration.SupportEffects: (("behaviour.settlement", "behaviour.learning"), set()),
    families.FamilyRules: (("behaviour.settlement",), set()),
    ladder.Ssw1Stay: (("policy.stay",), set()),
    matching.Listings: (("behaviour.transfer",), {"field_ptr", "firm", "cum_vacancies"}),
    policy.LeavingRule: (("policy.transfer",), {"esd_only", "trainee_regime", "transfer_tests"}),
    matching.Openings: (("behaviour.firms", "policy.transfer"),
                        {"offer_yen", "visibility", "demand", "headcount", "esd_headcount", "esd_transferees",
                         "esd_transferees_from_local", "barred_until", "field", "pref", "metro_pref", "stage_iii_host",
                         "rent_yen", "adjacent", "month", "real_field", "category_share"}),
}
#: Keys a tuple holds in the kernels' form: a cap share of None (no cap) is ``NO_CAP``.
KERNEL_FORM = {"metro_cap_share": lambda v: NO_CAP if v is None else v, "firm_cap_share": lambda v: NO_CAP if v is None else v}


def build(tuple_class: type, model: sim.LabourMarket):
    if tuple_class is matching.Openings:
        return tuple_class.of(model, np.zeros(model.firms.n), None)
    if tuple_class is matching.Listings:
        return tuple_class.of(model, np.zeros(model.firms.n))
    if tuple_class is policy.LeavingRule:
        return tuple_class.of(model.scenario.policy)
    return tuple_class.of(model)


def section(scenario: sim.Scenario, path: str):
    for name in path.split("."):
        scenario = getattr(scenario, name)
    return scenario


def sources(scenario: sim.Scenario, paths: tuple[str, ...], name: str) -> list[tuple[str, str, float]]:
    """The keys of ``paths`` a field may hold: (section, key, factor), the key of the field's own
    name (factor 1) or else the key in years whose ``months_name`` it is (its factor)."""
    holders = [(p, name, 1.0) for p in paths if name in type(section(scenario, p)).model_fields]
    if holders:
        return holders
    for suffix, (to, factor) in YEARS_TO_MONTHS.items():
        key = name[: -len(to)] + suffix
        if name.endswith(to) and months_name(key) == (name, factor):
            return [(p, key, factor) for p in paths if key in type(section(scenario, p)).model_fields]
    return []


def expected_value(scenario: sim.Scenario, path: str, key: str, factor: float):
    """The value the field reads from ``path.key``: as it is, or converted to months as ``in_months`` does."""
    if factor == 1.0:
        return KERNEL_FORM.get(key, lambda v: v)(getattr(section(scenario, path), key))
    return next(iter(in_months(section(scenario, path), key).values()))


def distinct_scenario() -> sim.Scenario:
    """``esd`` with the keys the tuples take made distinct within each tuple: every float key set
    to a value of its own inside its bounds, an int key equal to an earlier one of its tuple
    raised until it differs (the stay limits are tied to other keys by the scenario's rules, so
    ints move as little as possible). The shipped scenarios share many values (1.0, 0.0, 60, ...),
    and a swap of two keys of equal value would not show."""
    base = small("esd", months=1, scale=0.002)
    changes: dict[str, float] = {}
    for tuple_class, (paths, not_keys) in TUPLES.items():
        ints: set[int] = set()
        for name in (f for f in tuple_class._fields if f not in not_keys):
            path, name, _ = sources(base, paths, name)[0]
            key, info = f"{path}.{name}", type(section(base, path)).model_fields[name]
            if info.annotation is int:
                value = changes.get(key, getattr(section(base, path), name))
                while value in ints:
                    value += 1
                ints.add(value)
                changes[key] = value
            elif info.annotation is float and key not in changes:
                low = next(getattr(m, a) for m in info.metadata for a in ("ge", "gt") if hasattr(m, a))
                high = next(getattr(m, a) for m in info.metadata for a in ("le", "lt") if hasattr(m, a))
                changes[key] = low + (high - low) * (len(changes) + 1) / 100
    return base.with_changes(changes)


@pytest.fixture(scope="module", params=[*SCENARIOS, "distinct"])
def model(request) -> sim.LabourMarket:
    scenario = distinct_scenario() if request.param == "distinct" else small(request.param, months=1, scale=0.002)
    return sim.LabourMarket(scenario, seed=1)


@pytest.mark.parametrize("tuple_class", list(TUPLES), ids=lambda t: t.__name__)
def test_every_parameter_tuple_round_trips_the_scenario(model, tuple_class):
    """Each field named after a key holds that key's value (same type as annotated); the others are no key."""
    paths, not_keys = TUPLES[tuple_class]
    params = build(tuple_class, model)
    types = get_type_hints(tuple_class)
    for name in tuple_class._fields:
        holders = sources(model.scenario, paths, name)
        if name in not_keys:
            assert not holders, f"{tuple_class.__name__}.{name} is a key of {holders}: bind it from there"
            continue
        assert len(holders) == 1, f"{tuple_class.__name__}.{name}: a key of {holders or 'no section'} of {paths}"
        path, key, factor = holders[0]
        expected = expected_value(model.scenario, path, key, factor)
        got = getattr(params, name)
        assert got == expected, f"{model.scenario.name}: {tuple_class.__name__}.{name} = {got!r}, {path}.{key} = {expected!r}"
        if types[name] in (int, float, bool):
            assert type(got) is types[name], f"{tuple_class.__name__}.{name} is a {type(got).__name__}"


def test_the_round_trip_can_tell_same_typed_keys_apart():
    """In ``distinct_scenario`` no two int or float key fields of one tuple hold the same value,
    so a swap of the two in a binding fails the round trip (booleans: too few values to tell)."""
    scenario = distinct_scenario()
    for tuple_class, (paths, not_keys) in TUPLES.items():
        types = get_type_hints(tuple_class)
        values = {f: expected_value(scenario, *sources(scenario, paths, f)[0])
                  for f in tuple_class._fields if f not in not_keys and types[f] in (int, float)}
        assert len(set(values.values())) == len(values), (tuple_class.__name__, values)


def test_every_parameter_tuple_of_the_processes_is_bound_by_name():
    """Each NamedTuple of ``sim.processes`` and ``sim.policy`` with an ``of`` builds itself with ``bind``, and is tested above."""
    modules = [importlib.import_module(f"sim.processes.{m.name}") for m in pkgutil.iter_modules(sim.processes.__path__)] + [policy]
    found = {obj for module in modules for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "of") and obj.__module__ == module.__name__}
    assert found == set(TUPLES)
    for tuple_class in found:
        assert "bind(" in inspect.getsource(tuple_class.of), f"{tuple_class.__name__}.of does not bind by name"


# ---------------------------------------------------------------------------------------------
# The helper's refusals
# ---------------------------------------------------------------------------------------------
class Departure(NamedTuple):
    return_base_monthly: float
    return_per_grievance: float
    months: int


DEPARTURE = sim.shipped_scenario("esd").behaviour.departure
REST = {"elsewhere": ("share_wanting_long_stay", "share_choosing_stage_iii", "ssw2_return_monthly",
                      "irregular_apprehension_monthly", "irregular_self_departure_monthly")}


def test_bind_fills_fields_by_name_and_casts():
    got = bind(Departure, DEPARTURE, unused=REST, months=np.int64(3))
    assert got == (DEPARTURE.return_base_monthly, DEPARTURE.return_per_grievance, 3) and type(got.months) is int
    assert bind(Departure, part(DEPARTURE, "return_per_grievance", "return_base_monthly"), months=3) == got


def test_bind_refuses_a_missing_key():
    with pytest.raises(BindingError, match="Departure: no section or named value supplies months"):
        bind(Departure, DEPARTURE, unused=REST)


def test_bind_refuses_a_key_supplied_twice():
    with pytest.raises(BindingError, match="Departure: key 'return_base_monthly' supplied twice, by behaviour.departure and by a named"):
        bind(Departure, DEPARTURE, unused=REST, months=3, return_base_monthly=0.1)
    with pytest.raises(BindingError, match="supplied twice"):
        bind(Departure, DEPARTURE, part(DEPARTURE, "return_base_monthly"), unused=REST, months=3)


def test_bind_refuses_an_unused_key():
    with pytest.raises(BindingError, match="Departure: no field takes behaviour.departure.ssw2_return_monthly"):
        bind(Departure, DEPARTURE, unused={"elsewhere": REST["elsewhere"][:2] + REST["elsewhere"][3:]}, months=3)
    with pytest.raises(BindingError, match="no field takes named value 'extra'"):
        bind(Departure, DEPARTURE, unused=REST, months=3, extra=1.0)
    with pytest.raises(BindingError, match="Departure: 'unused' lists return_per_grievance"):
        bind(Departure, DEPARTURE, unused={**REST, "stale": ("return_per_grievance",)}, months=3)


def test_bind_refuses_an_unknown_key_and_a_fraction_for_an_int():
    with pytest.raises(BindingError, match="behaviour.departure has no key seek_base_monthly"):
        part(DEPARTURE, "seek_base_monthly")
    with pytest.raises(BindingError, match=r"Departure.months is an int; got 2.5"):
        bind(Departure, DEPARTURE, unused=REST, months=2.5)


def test_in_months_names_and_converts_keys_in_years():
    """A rate per year becomes one per month (/ 12) and a span in years one in months (x 12),
    each under the key's name in months; a key not in years is refused."""
    settlement = sim.shipped_scenario("esd").behaviour.settlement
    got = in_months(settlement, "births_per_couple_year", "birth_max_age_years")
    assert got == {"births_per_couple_month": settlement.births_per_couple_year / 12.0,
                   "birth_max_age_months": settlement.birth_max_age_years * 12}
    with pytest.raises(BindingError, match="'spouse_status_uptake' is not a key in years"):
        in_months(settlement, "spouse_status_uptake")
    with pytest.raises(BindingError, match="behaviour.settlement has no key marry_per_year"):
        in_months(settlement, "marry_per_year")
