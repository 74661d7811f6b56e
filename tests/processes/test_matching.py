"""ODD 7.12 Job search and hiring (``sim/processes/matching.py``) and the bookkeeping of a move
(``model.ledger.move_workers``): who counts towards the ESD caps at the new employer."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    AGRICULTURE,
    AOMORI,
    CONSTRUCTION,
    FOOD_SERVICE,
    MIYAGI,
    NO_CAPS,
    OSAKA,
    OTHER,
    TOKYO,
    TRANSFER_TESTS,
    employed_counts,
    place,
    set_firm,
    settle,
    tiny_world,
    transfers,
    two_firm_market,
)
from sim.domain import REAL_FIELDS, TEST_BITS, Status
from sim.scenario_schema import MIN_JOB_CATEGORY_SHARE


def metro_firm_with_esd_workers(mover_pref: int, esd_workers_there: int = 5, earlier_mover_pref: int | None = None):
    """Firm 1 in Tokyo with ``esd_workers_there`` ESD workers; the mover (person 0) at firm 0 in
    ``mover_pref``; optionally an earlier mover (person 1, at firm 2 in ``earlier_mover_pref``) who
    transfers to firm 1 first, through the model's own move (the per-agent act)."""
    earlier = earlier_mover_pref is not None
    m = tiny_world("esd", firms=3, people=1 + int(earlier) + esd_workers_there)
    set_firm(m, 0, pref=mover_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=TOKYO, field=CONSTRUCTION, markup=1.3, demand=20)
    set_firm(m, 2, pref=earlier_mover_pref if earlier else AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=TRANSFER_TESTS)
    first_worker = 1
    if earlier:
        place(m, 1, 2, Status.ESD, months_with_employer=30, tests=TRANSFER_TESTS)
        first_worker = 2
    for pid in range(first_worker, first_worker + esd_workers_there):
        place(m, pid, 1, Status.ESD)
    settle(m)
    if earlier:
        assert m.trainee(1).seek_transfer(np.random.default_rng(0)) is True
        assert m.people.firm[1] == 1
    return m


@pytest.mark.parametrize("mover_pref, from_outside", [(OSAKA, False), (TOKYO, False), (AOMORI, True)])
def test_only_a_mover_from_outside_the_designated_area_counts_towards_the_sixth(mover_pref, from_outside):
    """A voluntary mover into a designated-area (metro) firm counts as "from outside the
    designated area" (the 1/6 cap) only if the last employer was outside it: Osaka -> Tokyo and
    Tokyo -> Tokyo do not, Aomori -> Tokyo does; every voluntary mover counts under the 1/3."""
    m = metro_firm_with_esd_workers(mover_pref)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True
    p, f = m.people, m.firms
    assert p.firm[0] == 1 and p.transferee[0]
    assert bool(p.transferee_from_local[0]) is from_outside
    assert f.esd_transferees[1] == 1 and f.esd_transferees_from_local[1] == int(from_outside)
    log = transfers(m)
    assert log[["pid", "voluntary", "from_firm", "to_firm", "from_pref", "to_pref"]].values.tolist() == [
        [int(p.pid[0]), True, 0, 1, mover_pref, TOKYO]]


@pytest.mark.parametrize("earlier_mover_pref, accepted", [(OSAKA, True), (AOMORI, False)])
def test_an_earlier_metro_mover_leaves_room_under_the_sixth(earlier_mover_pref, accepted):
    """A Tokyo firm with 5 ESD workers takes one earlier voluntary mover (6 ESD workers, 1
    transferee): a mover from Aomori then fits under the 1/6 only if the earlier one came from
    a metro prefecture ((0 + 1) <= 1/6 x 7; (1 + 1) > 1/6 x 7); the 1/3 holds either way
    ((1 + 1) <= 1/3 x 7)."""
    m = metro_firm_with_esd_workers(AOMORI, earlier_mover_pref=earlier_mover_pref)
    assert m.firms.esd_headcount[1] == 6 and m.firms.esd_transferees[1] == 1
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is accepted
    assert bool(m.people.firm[0] == 1) is accepted
    assert transfers(m).to_firm.tolist() == [1] + [1] * accepted
    assert m.flows["transfers_refused_by_metro_cap"] == int(not accepted) and m.flows["transfers_refused_by_firm_cap"] == 0


@pytest.mark.parametrize("alternative", [False, True])
def test_a_mover_the_third_refuses_is_counted_whether_or_not_they_move_elsewhere(alternative):
    """Firm 1 (Aomori, the best pay) has 2 ESD workers, one a voluntary transferee: a third
    transferee would be 2 of 3 > 1/3, so the cap refuses the mover, who is counted in
    ``transfers_refused_by_firm_cap``; they stay, or move to firm 2 (less pay, 2 ESD workers none a
    transferee: 1 of 3) where it has room."""
    m = tiny_world("esd", firms=3, people=5)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.4, demand=10)
    set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.2, demand=10 if alternative else 0)
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=TRANSFER_TESTS)
    place(m, 1, 1, Status.ESD)
    place(m, 2, 1, Status.ESD)
    place(m, 3, 2, Status.ESD)
    place(m, 4, 2, Status.ESD)
    m.people.transferee[2] = True
    settle(m)
    assert m.firms.esd_transferees[1] == 1
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is alternative
    assert m.people.firm[0] == (2 if alternative else 0)
    assert m.flows["transfers_refused_by_firm_cap"] == 1 and m.flows["transfers_refused_by_metro_cap"] == 0


# =============================================================================================
# Voluntary transfers
# =============================================================================================


def test_free_trainee_moves_to_better_paid_firm_with_vacancy():
    """A trainee free to move, with a better-paid firm of their field that has a vacancy, moves
    there: headcounts, months with the employer, the person's transfer count and the month's
    voluntary-transfer flow all change by exactly one; nothing else moves."""
    m = two_firm_market()
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0)) is True
    p, f = m.people, m.firms
    assert p.firm[:3].tolist() == [1, 0, 0]
    assert f.headcount.tolist() == [2, 1]
    assert f.esd_headcount.tolist() == [2, 1]
    assert p.months_with_employer[0] == 0 and p.months_with_employer[1] == 13
    assert p.transfers[:3].tolist() == [1, 0, 0]
    # a voluntary move counts as a transfer (the 1/3 cap) from outside the designated area (the 1/6), even within Aomori
    assert p.pref[0] == AOMORI and p.transferee[0] and p.transferee_from_local[0]
    assert f.esd_transferees.tolist() == [0, 1] and f.esd_transferees_from_local.tolist() == [0, 1]
    assert trainee.employer is m.firm_agents[1]
    assert m.flows["transfers_voluntary"] == 1
    assert m.flows["transfers_voluntary_ssw"] == 0
    assert m.flows["transfers_unavoidable"] == 0
    assert m.flows["inter_prefecture_moves"] == 0
    assert [tuple(a) for a in employed_counts(m)] == [tuple(f.headcount), tuple(f.esd_headcount), tuple(f.esd_transferees)]


def test_transfer_into_metro_prefecture_counts_as_inter_prefecture_move():
    """A move from Aomori to a Tokyo firm changes the person's prefecture and counts one
    inter-prefecture move and one move into a metro prefecture (none out of one)."""
    m = two_firm_market(dest_pref=TOKYO)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    p = m.people
    assert p.pref[0] == TOKYO and p.transferee[0] and p.transferee_from_local[0]
    assert m.firms.esd_transferees.tolist() == [0, 1]
    assert (m.flows["inter_prefecture_moves"], m.flows["moves_into_metro"], m.flows["moves_out_of_metro"]) == (1, 1, 0)


@pytest.mark.parametrize(
    "why, changes",
    [
        ("no vacancy (demand 1.9, one worker already there)", dict(dest_demand=1.9, extra_worker=True)),
        ("destination pays less than the 3% wage gain asked", dict(dest_markup=1.02)),
        ("destination pays the same", dict(dest_markup=1.0)),
        ("destination in another field under the same-field rule", dict(dest_field=AGRICULTURE)),
        ("destination barred from intake by a sanction", dict(barred=True)),
    ],
)
def test_trainee_does_not_move_when_destination_is_unacceptable(why, changes):
    """A trainee looking for a better job stays put, and no flow is counted, when the only other
    firm has no vacancy, pays too little, is in another field (same-field rule) or is barred."""
    extra = changes.pop("extra_worker", False)
    barred = changes.pop("barred", False)
    m = two_firm_market(settings={"policy.transfer.same_field": True}, **changes)
    if extra:
        place(m, 2, 1, Status.ESD)
        settle(m)
    if barred:
        m.firms.barred_until[1] = m.month + 12
    before = m.firms.headcount.copy()
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is False, why
    assert m.people.firm[0] == 0
    assert m.firms.headcount.tolist() == before.tolist()
    assert m.people.transfers[0] == 0
    assert sum(m.flows.values()) == 0


def test_same_field_rule_off_lets_trainee_change_field():
    """With the same-field rule off, the better-paid firm in another field takes the trainee."""
    m = two_firm_market(dest_field=AGRICULTURE, settings={"policy.transfer.same_field": False})
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True
    assert m.people.firm[0] == 1


def test_wage_gain_threshold_is_enough_when_met():
    """A destination paying 4% more (above the 3% gain asked) is accepted."""
    m = two_firm_market(dest_markup=1.04)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is True


def test_best_paying_acceptable_firm_is_chosen():
    """Of two acceptable destinations, the trainee goes to the better-paying one."""
    m = tiny_world("free_mobility", firms=3, people=3)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.10, demand=10)
    set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.20, demand=10)
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == 2


def test_worker_who_changes_field_works_in_the_new_field():
    """After a voluntary move to a firm of another field (same-field rule off), the person's
    field is the new employer's field."""
    m = two_firm_market(dest_field=AGRICULTURE, settings={"policy.transfer.same_field": False})
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0))
    assert trainee.field == "agriculture"


def test_ssw_same_field_rule_binds_after_a_trainee_changed_field():
    """Trainees may change field but SSW holders may not: a worker who moved from construction
    to agriculture as a trainee and now holds SSW i may not move back into construction."""
    m = tiny_world("free_mobility", firms=3, people=3,
                   settings={"policy.transfer.same_field": False, "policy.transfer.ssw_same_field": True})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.2, demand=10)
    set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.4, demand=0.5)  # no vacancy yet
    for pid in range(3):
        place(m, pid, 0, Status.ESD)
    settle(m)
    trainee = m.trainee(0)
    assert trainee.seek_transfer(np.random.default_rng(0)) and m.people.firm[0] == 1  # trainee: construction -> agriculture
    m.ledger.change_status(np.array([0]), Status.SSW_1)
    m.firms.demand[2] = 10  # now construction firm 2 has vacancies and pays 1.4 / 1.2 more
    assert trainee.seek_transfer(np.random.default_rng(0)) is False
    assert m.people.firm[0] == 1


# =============================================================================================
# ESD caps on voluntary transferees (1/3 at every firm; 1/6 from outside the designated area
# into it)
# =============================================================================================


@pytest.mark.parametrize(
    "dest_pref, esd_workers_there, earlier_transferees, mover_pref, accepted",
    [
        (TOKYO, 4, 0, AOMORI, False),   # local -> metro: 1/6 binds, (0+1) > 1/6 x (4+1)
        (TOKYO, 5, 0, AOMORI, True),    # local -> metro: (0+1) <= 1/6 x (5+1), and 1 <= 1/3 x 6
        (TOKYO, 10, 1, AOMORI, False),  # an earlier local transferee counts: (1+1) > 1/6 x 11
        (TOKYO, 11, 1, AOMORI, True),   # (1+1) <= 1/6 x 12
        (TOKYO, 2, 0, OSAKA, True),     # metro -> metro: only the 1/3, (0+1) <= 1/3 x 3 (1/6 would refuse)
        (TOKYO, 1, 0, OSAKA, False),    # metro -> metro under the 1/3: (0+1) > 1/3 x 2
        (MIYAGI, 4, 0, AOMORI, True),   # non-metro, only the 1/3 cap: (0+1) <= 1/3 x 5
        (MIYAGI, 1, 0, AOMORI, False),  # non-metro, 1/3 cap binds: (0+1) > 1/3 x 2
        (MIYAGI, 1, 0, MIYAGI, False),  # within a prefecture the move counts under the 1/3 too
        (MIYAGI, 5, 2, MIYAGI, False),  # earlier transferees count: (2+1) > 1/3 x 6
        (MIYAGI, 5, 1, MIYAGI, True),   # (1+1) <= 1/3 x 6
    ],
)
def test_esd_caps_on_voluntary_transferees(dest_pref, esd_workers_there, earlier_transferees, mover_pref, accepted):
    """Under ESD as enacted, at most 1/3 of any firm's ESD workers may have come by voluntary
    transfer (from anywhere, within the prefecture too), and at most 1/6 of a designated-area
    (metro) firm's may have come so from an employer outside the designated area; a metro ->
    metro move is under the 1/3 only. Earlier transferees (the first ``earlier_transferees`` of
    the firm's ESD workers, come from Aomori) count."""
    m = tiny_world("esd", firms=3, people=1 + esd_workers_there)
    set_firm(m, 0, pref=mover_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=dest_pref, field=CONSTRUCTION, markup=1.3, demand=20)
    set_firm(m, 2, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)  # other field: never a destination
    place(m, 0, 0, Status.ESD, months_with_employer=30, tests=TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"])
    for pid in range(1, 1 + esd_workers_there):
        place(m, pid, 1, Status.ESD)
        m.people.transferee[pid] = m.people.transferee_from_local[pid] = pid <= earlier_transferees
    settle(m)
    assert m.firms.esd_headcount[1] == esd_workers_there and m.firms.esd_transferees[1] == earlier_transferees
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is accepted
    assert m.people.firm[0] == (1 if accepted else 0)
    assert m.firms.esd_transferees[1] == earlier_transferees + int(accepted)


# =============================================================================================
# Cost sharing and the network space
# =============================================================================================


@pytest.mark.parametrize("dest_pref", [AOMORI, TOKYO])
def test_unavoidable_transfer_carries_no_reimbursement_and_no_cap(dest_pref):
    """A worker released by a closing firm who finds another gives rise to no reimbursement, and
    is neither capped nor counted as a transferee (the caps concern moves at the worker's own
    wish, 本人意向): the Aomori worker may join a firm with one ESD worker, even in Tokyo, which
    would refuse a voluntary transferee under the 1/3 and the 1/6."""
    m = tiny_world("esd", firms=2, people=2)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10)
    set_firm(m, 1, pref=dest_pref, field=CONSTRUCTION, markup=1.0, demand=10)
    place(m, 0, 0, Status.ESD, months_with_employer=3)
    place(m, 1, 1, Status.ESD)
    settle(m)
    m.firm_agents[0].close()
    assert m.people.firm[0] == 1
    assert m.flows["transfers_unavoidable"] == 1 and m.flows["releases"] == 1
    assert m.flows["reimbursement_yen"] == 0
    assert m.firms.esd_transferees[1] == 0 and not m.people.transferee[0]


# =============================================================================================
# What movers weigh beyond pay (ODD 7.12): rent, compatriots, distance, taste
# =============================================================================================


def _three_firm_market(dest: tuple[tuple[int, float], tuple[int, float]], settings: dict | None = None):
    """Person 0 (ESD, free to move) at firm 0 (Aomori, markup 1.0); firms 1 and 2 at the given
    (prefecture, markup), both with room; persons 1 and 2 work at firm 2 and are person 0's only
    contacts (two of four: half of them live where firm 2 is)."""
    m = tiny_world("free_mobility", firms=3, people=3, settings=settings)
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0, compliance=0.5)
    for row, (pref, markup) in enumerate(dest, start=1):
        set_firm(m, row, pref=pref, field=CONSTRUCTION, markup=markup, demand=10.0, compliance=0.5)
    place(m, 0, 0, Status.ESD)
    place(m, 1, 2, Status.ESD)
    place(m, 2, 2, Status.ESD)
    m.people.contacts[:3] = -1
    m.people.contacts[0, :2] = [1, 2]
    settle(m)
    return m


@pytest.mark.parametrize("rent_yen, chosen", [(0.0, 1), (60_000.0, 2)])
def test_movers_weigh_pay_after_rent(rent_yen, chosen):
    """Tokyo (firm 1, markup 1.0: 1,163 yen/h) pays more than Aomori (firm 2, markup 1.15: 953 x
    1.15 yen/h); after a rent of 60,000 yen x the housing price index (Tokyo 127.2, Aomori 93.8) the
    Aomori firm leaves more, so the mover goes there; with no rent, to Tokyo."""
    m = _three_firm_market(((TOKYO, 1.0), (AOMORI, 1.15)), {"behaviour.transfer.rent_yen": rent_yen})
    pay = m.offer_yen[[1, 2]]
    assert pay[0] > pay[1]
    net = pay - rent_yen * m.geo.housing_price_index[[TOKYO, AOMORI]] / 100
    assert (net[0] < net[1]) == (rent_yen > 0)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


@pytest.mark.parametrize("weight, contacts_gone, chosen", [(0.0, False, 1), (0.1, False, 2), (0.1, True, 1)])
def test_movers_go_where_their_compatriots_are(weight, contacts_gone, chosen):
    """Firm 1 is in Aomori, firm 2 in Miyagi paying 1% less; half of the mover's contacts live in
    Miyagi, worth 0.5 x 0.1 = 0.05 in log pay with ``compatriot_weight`` 0.1, more than the 1%.
    Contacts who went home count nowhere (their rows remain until the arrays are compacted)."""
    m = tiny_world("free_mobility", firms=3, people=3)
    base = m.base_pay_yen
    miyagi_markup = 1.2 * base[AOMORI] / base[MIYAGI] * 0.99
    m = _three_firm_market(((AOMORI, 1.2), (MIYAGI, miyagi_markup)), {"behaviour.transfer.compatriot_weight": weight})
    assert m.offer_yen[2] == pytest.approx(0.99 * m.offer_yen[1], rel=1e-5)
    if contacts_gone:
        m.ledger.leave_japan(np.array([1, 2]), Status.RETURNED)
        settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


@pytest.mark.parametrize("move_cost, far_move_cost, chosen", [(0.0, 0.0, 2), (0.1, 0.0, 1), (0.0, 0.1, 1)])
def test_moving_away_costs_more_the_farther(move_cost, far_move_cost, chosen):
    """Firm 2 in Miyagi (not a neighbour of Aomori) pays 5% more than firm 1 in Aomori, where the
    mover lives; a cost of 0.1 (log pay) for leaving the prefecture, or for going beyond its
    neighbours, keeps them in Aomori."""
    m = tiny_world("free_mobility", firms=3, people=3)
    assert not m.geo.adjacent[AOMORI, MIYAGI]
    base = m.base_pay_yen
    m = _three_firm_market(((AOMORI, 1.2), (MIYAGI, 1.2 * 1.05 * base[AOMORI] / base[MIYAGI])),
                           {"behaviour.transfer.move_cost": move_cost, "behaviour.transfer.far_move_cost": far_move_cost})
    m.people.contacts[0] = -1  # no ties anywhere: only pay and distance differ
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


def test_taste_draws_are_standard_gumbel_and_fixed_by_seeker_and_firm():
    """The taste of a seeker for a firm is a function of (key, firm): the same pair gives the same
    draw; over many pairs the draws have the Gumbel mean (0.5772) and variance (pi^2 / 6)."""
    from sim.processes.matching import taste_draw

    assert taste_draw(np.uint64(12345), 7) == taste_draw(np.uint64(12345), 7)
    assert taste_draw(np.uint64(12345), 7) != taste_draw(np.uint64(12345), 8)
    draws = np.array([taste_draw(np.uint64(k * 7919 + 1), f) for k in range(400) for f in range(50)])
    assert draws.mean() == pytest.approx(0.5772, abs=0.03)
    assert draws.var() == pytest.approx(np.pi**2 / 6, rel=0.05)


def test_taste_sends_some_movers_to_the_lower_paid_firm():
    """With no taste every mover takes the better-paid of two firms; with a taste scale of 0.5
    (log pay) against a 2% pay difference, some of 40 movers take the other one."""
    def chosen(scale: float) -> np.ndarray:
        m = tiny_world("free_mobility", firms=3, people=40, settings={"behaviour.transfer.taste_scale": scale})
        set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=100.0)
        set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.2, demand=100.0)
        set_firm(m, 2, pref=AOMORI, field=CONSTRUCTION, markup=1.2 * 1.02, demand=100.0)
        for pid in range(40):
            place(m, pid, 0, Status.ESD)
        m.people.contacts[:40] = -1
        settle(m)
        from sim.processes.matching import find_employers
        find_employers(m, np.arange(40), np.random.default_rng(3), voluntary=True)
        return m.people.firm[:40]
    assert (chosen(0.0) == 2).all()
    picks = chosen(0.5)
    assert 0 < (picks == 1).sum() < 40


# =============================================================================================
# Reach beyond the network: the national pool of the field's vacancies (ODD 7.12)
# =============================================================================================


def test_national_pool_draws_a_listed_vacancy_in_proportion_to_vacancies():
    """The pool lists, by field, each firm with at least one whole vacancy (not barred), weighted
    by its whole vacancies; an offer's draw u < share picks the listed vacancy u / share along
    them, a draw u >= share the body member (u - share) / (1 - share) along the members."""
    from sim.processes.matching import Listings, listings_kernel, offered_firm

    field = np.array([0, 1, 0, 0, 1])
    vacancies = np.array([2.5, 0.9, 1.0, -3.0, 4.0])  # whole vacancies 2, 0, 1, 0, 4
    pool = Listings(*listings_kernel(field.astype(np.int64), vacancies, 3), national_offer_share=0.5, esd_national_offer_share=0.5)
    assert pool.field_ptr.tolist() == [0, 2, 3, 3]
    assert pool.firm.tolist() == [0, 2, 4] and pool.cum_vacancies.tolist() == [2.0, 3.0, 4.0]
    members = np.array([7, 8, 9, 6])
    pick = lambda u, f: offered_firm(u, f, 1, 3, members, pool.field_ptr, pool.firm, pool.cum_vacancies, 0.5)  # noqa: E731
    # field 0: u / 0.5 x 3 vacancies; the first two are firm 0's, the third firm 2's
    assert [pick(u, 0) for u in (0.0, 0.3, 0.34, 0.49)] == [0, 0, 2, 2]
    assert pick(0.2, 1) == 4 and pick(0.2, 2) == -1  # field 2 lists nothing
    # the rest are the body's members 8, 9, 6 (from position 1), each a third of [0.5, 1)
    assert [pick(u, 0) for u in (0.5, 0.66, 0.67, 0.99)] == [8, 8, 9, 6]
    # with no national share the member is the one drawn before the pool existed: int(u x n)
    for u in (0.0, 0.2, 0.5, 0.999):
        assert offered_firm(u, 0, 1, 3, members, pool.field_ptr, pool.firm, pool.cum_vacancies, 0.0) == members[1 + int(u * 3)]


@pytest.mark.parametrize("status, key", [(Status.SSW_1, "national_offer_share"), (Status.ESD, "esd_national_offer_share")])
@pytest.mark.parametrize("share, tokyo_demand, chosen", [(0.0, 10.0, 1), (1.0, 10.0, 2), (1.0, 0.0, 1)])
def test_national_offers_reach_a_firm_outside_the_network(share, tokyo_demand, chosen, status, key):
    """Person 0 at firm 0 (Aomori) reaches firm 1 (Aomori, markup 1.1) through their body and
    nothing else; firm 2 (Tokyo, markup 1.3) is outside their network. With every offer drawn
    from the national pool they move to Tokyo; with none, to firm 1; with Tokyo full, firm 1 is
    the only listed vacancy of the field. An SSW holder's reach is ``national_offer_share``, an
    ESD worker's ``esd_national_offer_share`` (public channels only), the other share set apart."""
    other = "esd_national_offer_share" if key == "national_offer_share" else "national_offer_share"
    m = tiny_world("free_mobility", firms=3, people=1,
                   settings={f"behaviour.transfer.{key}": share, f"behaviour.transfer.{other}": 1.0 - share})
    set_firm(m, 0, pref=AOMORI, field=CONSTRUCTION, markup=1.0, demand=10.0)
    set_firm(m, 1, pref=AOMORI, field=CONSTRUCTION, markup=1.1, demand=10.0)
    set_firm(m, 2, pref=TOKYO, field=CONSTRUCTION, markup=1.3, demand=tokyo_demand)
    place(m, 0, 0, status)
    m.people.contacts[0] = -1
    m.firm_nbr_ptr = np.zeros(4, dtype=np.int64)  # no firm ties
    m.firm_nbr = np.zeros(0, dtype=np.int32)
    m.bodies.members = np.array([0, 1], dtype=m.bodies.members.dtype)  # the body's members: the two Aomori firms
    m.bodies.member_ptr = np.array([0, 2], dtype=m.bodies.member_ptr.dtype)
    m.firms.supervisory_body[:] = 0
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0))
    assert m.people.firm[0] == chosen


# =============================================================================================
# The reimbursement in the hiring decision
# =============================================================================================


@pytest.mark.parametrize("months_in_japan, months_served, hired", [(24, 12, True), (34, 12, False), (35, 24, False), (30, 30, True)])
def test_firm_hires_a_transferee_only_if_the_surplus_covers_the_reimbursement(months_in_japan, months_served, hired):
    """The new employer owes R = 400,000 x (1 - served/36) yen; it takes the voluntary mover
    only if R <= hiring_surplus_share x its offer x the months left in the programme (36 -
    months in Japan): with 2 months left after 12 served it refuses; with 12 left it hires."""
    m = tiny_world("esd", firms=2, people=7, settings=NO_CAPS)
    set_firm(m, 0, pref=AOMORI, field=AGRICULTURE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=AGRICULTURE, markup=1.3, demand=20)
    place(m, 0, 0, Status.ESD, months_in_japan=months_in_japan, months_with_employer=months_served, tests=TRANSFER_TESTS)
    for pid in range(1, 7):
        place(m, pid, 1, Status.ESD)
    settle(m)
    owed = 400_000 * (1 - months_served / 36)
    expected = owed <= m.behaviour.firms.hiring_surplus_share * m.offer_yen[1] * (36 - months_in_japan)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is bool(expected)
    assert m.flows["reimbursement_yen"] == pytest.approx(owed if expected else 0.0)
    assert bool(expected) is hired  # the cases span both outcomes


# =============================================================================================
# The same-field rule at the job-category level (業務区分; ODD 7.12)
# =============================================================================================


@pytest.mark.parametrize(
    "status, same_job_category, dest_real_field, share, moves",
    [
        (Status.ESD, False, "building_cleaning", 1.0, True),  # the model's field only: food service -> cleaning, both "other"
        (Status.ESD, True, "building_cleaning", 1.0, False),  # another real field: another job category
        (Status.ESD, True, "food_service", 1.0, True),  # the same real field with one category
        (Status.ESD, True, "food_service", MIN_JOB_CATEGORY_SHARE, False),  # a hundred categories: the firm is (almost surely) in another
        (Status.SSW_1, True, "building_cleaning", 1.0, True),  # SSW holders keep the field rule
    ],
)
def test_a_trainee_moves_within_the_job_category(status, same_job_category, dest_real_field, share, moves):
    """Under ``same_job_category`` a trainee's move must stay in the home firm's real field and,
    within it, in the mover's job category, a firm being in it with ``job_category_share_by_field``'s
    chance (a draw fixed for the mover's life); without it the rule is the model's field ("other"
    pools food service and building cleaning). SSW holders are not bound by it."""
    m = tiny_world("free_mobility", firms=2, people=1,
                   settings={"policy.transfer.same_field": True, "policy.transfer.same_job_category": same_job_category,
                             "policy.transfer.job_category_share_by_field": {"food_service": share}})
    set_firm(m, 0, pref=AOMORI, field=OTHER, real_field=FOOD_SERVICE, markup=1.0, demand=10)
    set_firm(m, 1, pref=AOMORI, field=OTHER, real_field=REAL_FIELDS.index(dest_real_field), markup=1.3, demand=10)
    place(m, 0, 0, status)
    settle(m)
    assert m.trainee(0).seek_transfer(np.random.default_rng(0)) is moves
    assert m.people.firm[0] == (1 if moves else 0)


def test_the_job_category_draw_is_fixed_for_life():
    """The draw that places a firm in or out of a mover's category depends on the person's id, the
    firm and the run's seed only: the same in every batch, another for another person or firm."""
    from sim.processes.matching import pair_uniform, person_keys

    keys = person_keys(np.array([3, 3, 4], dtype=np.int64), np.uint64(12345))
    assert keys[0] == keys[1] != keys[2]
    draws = [pair_uniform(keys[0], 7), pair_uniform(keys[1], 7), pair_uniform(keys[2], 7), pair_uniform(keys[0], 8)]
    assert draws[0] == draws[1] and len(set(draws[1:])) == 3 and all(0.0 < u < 1.0 for u in draws)
