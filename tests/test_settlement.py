"""Tier A: tiny worlds for ages, families, permanence and integration support (ODD 7.19-7.21).

Each test hand-sets one or two people of a ``tiny_world`` and runs one submodel with draws of
zero (every hazard above zero fires) or of one (none does), so the expectations are exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import at_month, place, settle, tiny_world
from sim.domain import Residence, Spouse, Status
from sim.processes import families, integration, ladder, permanence


class _Draws:
    """A stand-in generator whose uniform draws are all ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self, size):
        return np.full(size, self.value)


def _with_draws(model, value: float):
    model.rng_for = lambda *args: _Draws(value)
    return model


def _person(model, row: int, status: Status, *, months_in_japan: int = 13, months_in_status: int = 0, age_years: int = 30,
            spouse: Spouse = Spouse.NONE, children: int = 0, family_in_japan: bool = False, wants: bool = True,
            residence: Residence = Residence.WORK) -> None:
    place(model, row, 0, status, months_in_japan=months_in_japan)
    p = model.people
    p.months_in_status[row] = months_in_status
    p.birth_month[row] = model.month - age_years * 12
    p.spouse[row] = spouse
    p.children[row] = children
    for k, column in enumerate(families.CHILD_COLUMNS):
        getattr(p, column)[row] = model.month - 12 * (k + 3) if k < children else 0
    p.family_in_japan[row] = family_in_japan
    p.wants_long_stay[row] = wants
    p.residence[row] = residence
    p.married_month[row] = model.month - 48


def _world(people: int = 1, settings: dict | None = None):
    model = tiny_world(base="esd", firms=1, people=people, settings=settings)
    at_month(model, 2027, 4)
    return model


# =============================================================================================
# Families (7.19)
# =============================================================================================
@pytest.mark.parametrize("status, statuses, joins", [
    (Status.SSW_2, None, True),             # as enacted: SSW ii may bring spouse and children
    (Status.SSW_1, None, False),            # SSW i may not
    (Status.ESD, None, False),              # nor trainees
    (Status.SSW_1, ["ssw_1", "ssw_2"], True),  # the rule is the policy's
    (Status.CARE_WORKER, None, True),       # as enacted: 介護 may bring spouse and children (家族滞在)
    (Status.CARE_WORKER, ["ssw_2"], False),
])
def test_a_family_arrives_only_where_the_status_allows_it(status, statuses, joins):
    settings = {"policy.settlement.family_accompaniment_statuses": statuses} if statuses else None
    model = _with_draws(_world(settings=settings), 0.0)
    _person(model, 0, status, spouse=Spouse.COMPATRIOT, children=2)
    settle(model)
    families.form_families(model)
    assert bool(model.people.family_in_japan[0]) is joins
    assert model.flows["family_arrivals"] == (3 if joins else 0)  # the spouse and two children


def test_a_family_does_not_come_without_the_wish_to_stay():
    model = _with_draws(_world(), 0.0)
    _person(model, 0, Status.SSW_2, spouse=Spouse.COMPATRIOT, children=1, wants=False)
    families.form_families(model)
    assert not model.people.family_in_japan[0] and model.flows["family_arrivals"] == 0


@pytest.mark.parametrize("spouse, flow", [(Spouse.COMPATRIOT, "births"), (Spouse.JAPANESE, "births_japanese_nationality")])
def test_a_child_is_born_to_a_couple_living_in_japan(spouse, flow):
    model = _with_draws(_world(), 0.0)
    _person(model, 0, Status.SSW_2, spouse=spouse, children=1, family_in_japan=True)
    families.form_families(model)
    p = model.people
    assert p.children[0] == 2 and p.child2_birth_month[0] == model.month
    assert model.flows[flow] == 1 and sum(model.flows[f] for f in ("births", "births_japanese_nationality")) == 1


def test_no_child_is_born_to_a_couple_apart_nor_past_the_age_limit():
    model = _with_draws(_world(people=2), 0.0)
    _person(model, 0, Status.SSW_1, spouse=Spouse.COMPATRIOT, children=0, family_in_japan=False)  # spouse abroad, may not join
    _person(model, 1, Status.SSW_2, spouse=Spouse.COMPATRIOT, children=0, family_in_japan=True, age_years=50)
    families.form_families(model)
    assert (model.people.children[:2] == 0).all() and model.flows["births"] == 0


def test_marriage_to_a_japanese_national_comes_first_and_trainees_marry_less():
    model = _with_draws(_world(people=2), 0.0)
    _person(model, 0, Status.SSW_1)
    _person(model, 1, Status.ESD)
    families.form_families(model)
    assert list(model.people.spouse[:2]) == [Spouse.JAPANESE, Spouse.JAPANESE]
    b = model.behaviour.settlement
    # A draw between the trainee's Japanese-marriage hazard and the other's: only the SSW holder
    # marries a Japanese national; the trainee's draw falls in the compatriot band.
    between = b.marry_japanese_per_year / 12.0 * (1 + b.trainee_marriage_factor) / 2
    assert between < (b.marry_japanese_per_year + b.marry_compatriot_per_year) / 12.0 * b.trainee_marriage_factor
    model = _with_draws(_world(people=2), between)
    _person(model, 0, Status.SSW_1)
    _person(model, 1, Status.ESD)
    families.form_families(model)
    assert list(model.people.spouse[:2]) == [Spouse.JAPANESE, Spouse.COMPATRIOT]


def test_family_leaves_with_the_worker_and_people_are_conserved():
    model = _with_draws(_world(people=2), 1.0)
    _person(model, 0, Status.SSW_2, spouse=Spouse.COMPATRIOT, children=2, family_in_japan=True)
    _person(model, 1, Status.SSW_2, spouse=Spouse.JAPANESE, children=1)  # Japanese spouse and child stay: not foreign
    settle(model)
    before = model.results()  # month-0 row is from the build; collect now
    model._collect()
    row = model.last_row
    assert row["family_in_japan"] == 300 and row["japanese_family"] == 200  # real numbers (scale 0.01)
    model.ledger.leave_japan(np.array([0, 1]), Status.RETURNED)
    families.count_departures(model)
    assert model.flows["family_departures"] == 3
    model._collect()
    assert model.last_row["family_in_japan"] == 0 and len(before) == 1


# =============================================================================================
# Permanence (7.20)
# =============================================================================================
@pytest.mark.parametrize("status, months, months_in_status, granted", [
    (Status.SSW_2, 120, 60, True),    # the legal year: 10 years in Japan, 5 of them in SSW ii
    (Status.SSW_2, 119, 60, False),   # one month short of 10 years
    (Status.SSW_2, 120, 59, False),   # one month short of 5 years in a counted status
    (Status.SSW_1, 120, 60, False),   # SSW i years do not count
    (Status.TITP_3, 120, 60, False),  # nor TITP years
    (Status.CARE_WORKER, 120, 60, True),   # 介護 is a work status that counts
    (Status.CARE_WORKER, 120, 59, False),
])
def test_permanent_residence_at_the_legal_year(status, months, months_in_status, granted):
    model = _with_draws(_world(), 0.0)
    _person(model, 0, status, months_in_japan=months, months_in_status=months_in_status)
    permanence.settle_or_leave(model)
    assert bool(model.people.residence[0] == Residence.PERMANENT) == granted
    assert model.flows["to_permanent"] == int(granted)


def test_spouse_of_a_japanese_national_settles_and_stays_past_the_programme():
    model = _with_draws(_world(), 0.0)
    _person(model, 0, Status.TITP_1, months_in_japan=12, spouse=Spouse.JAPANESE)
    model.people.married_month[0] = model.month  # married this month
    permanence.settle_or_leave(model)
    assert model.people.residence[0] == Residence.SPOUSE_OF_JAPANESE
    outcome = np.array([ladder.LEAVES], dtype=np.int8)
    permanence.exempt_from_ladder(model, outcome, ladder.STAYS)
    assert outcome[0] == ladder.STAYS  # the end of TITP i no longer ends the stay


def test_the_ladder_spares_a_settled_trainee_at_the_end_of_stage_i():
    """A TITP i trainee without the basic skills test leaves at 12 months, unless settled (spouse status)."""
    model = _with_draws(_world(people=2, settings={"policy.stay.programme": "titp", "policy.stay.max_trainee_months": 60}), 0.0)
    _person(model, 0, Status.TITP_1, months_in_japan=12)
    _person(model, 1, Status.TITP_1, months_in_japan=12, residence=Residence.SPOUSE_OF_JAPANESE, spouse=Spouse.JAPANESE)
    settle(model)
    ladder.move_up_or_leave(model)
    assert list(model.people.status[:2]) == [Status.RETURNED, Status.TITP_1]


def test_a_settled_resident_neither_absconds_nor_leaves_by_the_work_status_hazards():
    """With every draw zero the unsettled worker absconds; the settled one carries on."""
    from sim.processes import decisions

    model = _with_draws(_world(people=2), 0.0)
    _person(model, 0, Status.SSW_1)
    _person(model, 1, Status.SSW_1, residence=Residence.PERMANENT)
    settle(model)
    decisions.decide(model)
    assert list(model.people.status[:2]) == [Status.IRREGULAR, Status.SSW_1]


def test_settled_resident_naturalises_with_family_or_goes_home():
    model = _with_draws(_world(), 0.0)
    _person(model, 0, Status.SSW_2, months_in_japan=150, residence=Residence.PERMANENT, spouse=Spouse.COMPATRIOT,
            children=1, family_in_japan=True)
    permanence.settle_or_leave(model)
    assert model.people.status[0] == Status.NATURALISED
    assert model.flows["naturalisations"] == 1 and model.flows["family_naturalised"] == 2
    b = model.behaviour.settlement
    model = _with_draws(_world(), (b.naturalisation_per_year + b.settled_return_per_year / 2) / 12.0)
    _person(model, 0, Status.SSW_2, months_in_japan=150, residence=Residence.PERMANENT)
    permanence.settle_or_leave(model)
    assert model.people.status[0] == Status.RETURNED and model.flows["returns_settled"] == 1


# =============================================================================================
# Integration support (7.21)
# =============================================================================================
def test_integration_support_raises_japanese_and_lowers_grievance_where_it_runs():
    model = _with_draws(_world(people=2, settings={"policy.integration.support_everywhere": 1.0,
                                                   "policy.integration.cost_yen_per_resident_year": 12000.0}), 0.0)
    _person(model, 0, Status.ESD, wants=False)
    _person(model, 1, Status.SSW_2, spouse=Spouse.COMPATRIOT, children=1, family_in_japan=True)
    p = model.people
    p.grievance[:2] = 1.0
    p.japanese[:2] = 1.0
    settle(model)
    integration.support(model)
    b = model.behaviour.settlement
    expected = 1.0 + model.behaviour.learning.japanese_per_month * b.integration_japanese_gain * p.aptitude[0]
    assert p.japanese[0] == pytest.approx(expected, rel=1e-6)
    assert p.grievance[0] == pytest.approx(1.0 - b.integration_grievance_relief)
    assert p.wants_long_stay[0]
    assert model.flows["integration_cost_yen"] == pytest.approx(1000.0 * (1 + 3))  # 1,000 yen a month each: worker, then worker + 2


def test_no_support_no_change():
    model = _with_draws(_world(), 0.0)
    _person(model, 0, Status.ESD, wants=False)
    model.people.grievance[0] = 1.0
    integration.support(model)
    assert model.people.grievance[0] == 1.0 and not model.people.wants_long_stay[0]


def test_unknown_prefecture_is_refused():
    import sim
    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="Kanagawa"):
        sim.shipped_scenario("esd").with_changes({"policy.integration.support_by_prefecture": {"Kanagwa": 0.5}})


# =============================================================================================
# Deaths (7.19)
# =============================================================================================
@pytest.mark.parametrize("draw, dies", [(0.0, True), (1.0, False)])
def test_a_death_takes_the_worker_out_and_the_family_out_of_view(draw, dies):
    model = _with_draws(_world(), draw)
    _person(model, 0, Status.SSW_2, age_years=70, spouse=Spouse.COMPATRIOT, children=1, family_in_japan=True)
    families.die(model)
    assert bool(model.people.status[0] == Status.DIED) == dies
    assert model.flows["deaths"] == int(dies) and model.flows["family_bereaved"] == 2 * int(dies)


def test_mortality_is_the_documented_gompertz_hazard():
    model = _world()
    b = model.behaviour.settlement
    yearly = b.mortality_gompertz_a * np.exp(b.mortality_gompertz_b * 60.0)
    assert yearly == pytest.approx(0.0066, rel=0.02)  # about Japan's rate at 60 (docs/ODD.md 7.19)
    model = _with_draws(_world(), yearly / 12.0 * 0.999)
    _person(model, 0, Status.SSW_2, age_years=60)
    families.die(model)
    assert model.people.status[0] == Status.DIED
    model = _with_draws(_world(), yearly / 12.0 * 1.001)
    _person(model, 0, Status.SSW_2, age_years=60)
    families.die(model)
    assert model.people.status[0] == Status.SSW_2


def test_the_agent_object_shows_age_family_and_residence():
    model = _world()
    _person(model, 0, Status.SSW_2, age_years=31, spouse=Spouse.COMPATRIOT, children=2, family_in_japan=True,
            residence=Residence.PERMANENT)
    person = model.trainee(int(model.people.pid[0]))
    assert person.age_years == 31.0 and person.children == 2 and person.family_in_japan
    assert person.residence is Residence.PERMANENT and person.spouse is Spouse.COMPATRIOT
