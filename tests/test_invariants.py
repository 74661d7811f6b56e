"""Tier B: invariants that must hold in every month of a run of every shipped scenario.

One recorded run per shipped scenario (scale 0.005, 48 months, seed 2024; ``helpers.run_recorded``)
is shared by all tests here: it keeps the model's own record of every move (``model.transfer_log``,
written by ``model.ledger.move_workers``, the one place every move passes) and, after each month, checks the firms' counts and the money columns against the people arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import RUN_MONTHS, RUN_SCALE, SHIPPED, as_counts, esd_cap_breaches
from sim.domain import SSW_STATUSES, TEST_BITS, TITP_STATUSES, TRAINEE_STATUSES, Status
from sim.outputs import COLUMNS, GROUPINGS, group_columns, group_labels

STOCKS = ("stock_total", "stock_titp", "stock_esd", "stock_ssw1", "stock_ssw2", "stock_care_worker", "stock_irregular",
          "stock_searching", "stock_metro", "stock_nonmetro", "entered_total", "returned_total", "removed_total",
          "stock_spouse_of_japanese", "stock_permanent", "naturalised_total", "died_total", "family_in_japan")
FLOWS = ("arrivals", "arrivals_trainee", "arrivals_ssw", "returns_home", "returns_end_of_stay", "returns_irregular",
         "apprehensions", "disappearances", "disappearances_trainee", "transfers_voluntary", "transfers_voluntary_ssw",
         "transfers_voluntary_trainee", "transfers_voluntary_care_worker", "transfers_unavoidable", "transfers_at_stage_iii",
         "releases", "to_titp3", "to_ssw1", "to_ssw2", "to_care_worker", "inter_prefecture_moves", "moves_into_metro",
         "moves_out_of_metro", "naturalisations", "family_arrivals", "births", "family_departures", "family_naturalised",
         "returns_settled", "deaths", "family_bereaved")

SSW = [int(s) for s in SSW_STATUSES]
TRAINEES = [int(s) for s in TRAINEE_STATUSES]


def counts(run):
    return as_counts(run.table, RUN_SCALE, STOCKS + FLOWS)


# =============================================================================================
# Accounting: people are neither created nor lost
# =============================================================================================
@pytest.mark.parametrize("name", SHIPPED)
def test_everyone_who_entered_is_here_returned_or_removed(shipped_run, name):
    """Every month: people who ever entered = people in Japan + returned home + removed + naturalised + died."""
    c = counts(shipped_run(name))
    assert (c.entered_total == c.stock_total + c.returned_total + c.removed_total + c.naturalised_total + c.died_total).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_family_members_are_conserved(shipped_run, name):
    """Every month: the change in foreign family members in Japan = those who came + those born
    - those who left with their worker - those who naturalised with them - those of workers who
    died (families included in the accounting of people)."""
    c = counts(shipped_run(name))
    d = c.diff().iloc[1:]
    now = c.iloc[1:]
    assert (d.family_in_japan == now.family_arrivals + now.births - now.family_departures - now.family_naturalised
            - now.family_bereaved).all()
    assert (c.returns_settled <= c.returns_home).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_stock_changes_by_arrivals_less_departures(shipped_run, name):
    """Every month: the change in the number in Japan = arrivals - returns home - apprehensions,
    and the change in irregular workers = disappearances - apprehensions - irregular returns."""
    c = counts(shipped_run(name))
    d = c.diff().iloc[1:]
    now = c.iloc[1:]
    assert (d.stock_total == now.arrivals - now.returns_home - now.apprehensions - now.naturalisations - now.deaths).all()
    assert (d.stock_irregular == now.disappearances - now.apprehensions - now.returns_irregular).all()
    assert (d.entered_total == now.arrivals).all()
    assert (d.removed_total == now.apprehensions).all()
    assert (d.returned_total == now.returns_home).all()
    assert (d.naturalised_total == now.naturalisations).all()
    assert (d.died_total == now.deaths).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_stocks_and_flows_add_up(shipped_run, name):
    """Stocks by status add up to the total, metro + non-metro to the total; arrivals split into
    trainees and SSW entrants; sub-flows never exceed their flow."""
    c = counts(shipped_run(name))
    by_status = (c.stock_titp + c.stock_esd + c.stock_ssw1 + c.stock_ssw2 + c.stock_care_worker + c.stock_irregular
                 + c.stock_spouse_of_japanese + c.stock_permanent)
    assert (by_status == c.stock_total).all()
    assert (c.stock_metro + c.stock_nonmetro == c.stock_total).all()
    assert (c.arrivals == c.arrivals_trainee + c.arrivals_ssw).all()
    assert (c.returns_end_of_stay + c.returns_irregular <= c.returns_home).all()
    assert (c.disappearances_trainee <= c.disappearances).all()
    assert (c.transfers_voluntary_ssw + c.transfers_voluntary_trainee + c.transfers_voluntary_care_worker <= c.transfers_voluntary).all()
    assert (c.moves_into_metro + c.moves_out_of_metro <= c.inter_prefecture_moves).all()
    assert (c.stock_searching <= c.stock_total - c.stock_irregular).all()
    assert (c >= 0).all().all()


@pytest.mark.parametrize("name", SHIPPED)
def test_table_flows_match_recorded_moves(shipped_run, name):
    """The month's transfer flows (voluntary, unavoidable, at the ii -> iii step) equal the moves of the transfer log by kind, and the
    people's own transfer counters add up to the voluntary transfers of the whole run."""
    run = shipped_run(name)
    c = counts(run)
    moves = run.moves
    assert (moves.voluntary == (moves.kind == "voluntary")).all()
    by_month = moves.groupby(["month", "kind"]).size().unstack(fill_value=0).reindex(
        range(RUN_MONTHS + 1), fill_value=0)
    for flag, col in (("voluntary", "transfers_voluntary"), ("unavoidable", "transfers_unavoidable"),
                      ("at_stage_iii", "transfers_at_stage_iii")):
        recorded = by_month[flag] if flag in by_month else 0
        assert (c[col].to_numpy() == np.asarray(recorded)).all(), col
    bound = moves.voluntary & ~moves.settled  # holders of a work status (settled movers are in neither column)
    for statuses, col in ((SSW, "transfers_voluntary_ssw"), (TRAINEES, "transfers_voluntary_trainee"),
                          ([int(Status.CARE_WORKER)], "transfers_voluntary_care_worker")):
        recorded = moves[bound & moves.status.isin(statuses)].groupby("month").size().reindex(range(RUN_MONTHS + 1), fill_value=0)
        assert (c[col].to_numpy() == recorded.to_numpy()).all(), col
    assert int(moves.voluntary.sum()) == int(c.transfers_voluntary.sum())
    p = run.model.people
    per_person = moves[moves.voluntary].groupby("pid").size()
    here = p.pid[: p.n]
    assert (p.transfers[: p.n] == per_person.reindex(here, fill_value=0).to_numpy()).all(), \
        "each person's transfer counter = their voluntary moves"
    assert int(p.transfers[: p.n].sum()) > 0


# =============================================================================================
# The arrays stay consistent
# =============================================================================================
@pytest.mark.parametrize("name", SHIPPED)
def test_firm_headcounts_match_the_people_every_month(shipped_run, name):
    """At the end of every month each firm's headcount, ESD headcount and count of ESD
    transferees from other areas equal a recount from the people arrays, and no one who is
    irregular or gone is on a firm's books."""
    m = shipped_run(name).monthly
    assert len(m) == RUN_MONTHS
    assert m.headcount_ok.all() and m.esd_headcount_ok.all() and m.esd_transferees_ok.all()
    assert (m.gone_with_employer == 0).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_no_negative_or_missing_money(shipped_run, name):
    """No one's wage, debt, savings or remittances is ever negative or not a number (checked in
    the people arrays after every month), and the table's wage and debt columns are >= 0."""
    run = shipped_run(name)
    m = run.monthly
    assert m.finite_money.all()
    assert (m[["min_wage", "min_debt", "min_savings", "min_remitted"]] >= 0).all().all()
    money = run.table[["wage_mean_yen", "wage_p10_yen", "wage_p90_yen", "debt_mean_yen", "savings_mean_yen",
                       "remitted_mean_yen", "reimbursement_yen"]]
    assert money.notna().all().all() and (money >= 0).all().all()
    assert (run.table.wage_p10_yen <= run.table.wage_mean_yen).all()
    assert (run.table.wage_mean_yen <= run.table.wage_p90_yen).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_shares_and_means_in_range(shipped_run, name):
    """Shares lie in [0, 1]; mean skill, Japanese and grievance are non-negative."""
    t = shipped_run(name).table
    for col in ("share_in_debt", "vacancy_fill_metro", "vacancy_fill_nonmetro"):
        assert t[col].between(0, 1).all(), col
    assert (t[["skill_mean", "japanese_mean", "grievance_mean"]] >= 0).all().all()
    assert list(t.columns) == list(COLUMNS)


# =============================================================================================
# Who may change employer
# =============================================================================================
@pytest.mark.parametrize("name", ["titp", "restricted"])
def test_trainees_never_transfer_voluntarily_under_titp_rules(shipped_run, name):
    """Under TITP and the restricted policy, trainees change employer only when released:
    every voluntary transfer is by an SSW holder, a care worker (介護) or someone who has settled
    (a trainee married to a Japanese national holds the spouse status, no longer TITP); no one
    holding a TITP status has a voluntary transfer on record (nor in the table)."""
    run = shipped_run(name)
    moves = run.moves
    voluntary = moves[moves.voluntary]
    assert len(voluntary) > 0, "SSW holders do change jobs: the check is not vacuous"
    assert voluntary[~voluntary.settled].status.isin(SSW + [int(Status.CARE_WORKER)]).all()
    assert (counts(run).transfers_voluntary_trainee == 0).all()
    assert (run.monthly.titp_with_transfers == 0).all(), "a TITP trainee with a voluntary transfer on record"
    p = run.model.people
    movers = p.pid[: p.n][p.transfers[: p.n] > 0]
    assert set(movers.tolist()) <= set(voluntary.pid.tolist())


@pytest.mark.parametrize("name", ["titp", "esd", "restricted"])
def test_same_field_rules_hold_for_every_move(shipped_run, name):
    """Where both trainees and SSW holders must stay in their field, every move (voluntary or
    after a release) goes to a firm of the person's field and of the field of the firm left."""
    moves = shipped_run(name).moves
    moves = moves[~moves.settled]  # a settled resident may work in any field
    assert (moves.to_field == moves.person_field).all()
    left_a_firm = moves[moves.from_firm >= 0]
    assert (left_a_firm.to_field == left_a_firm.from_field).all()


def test_ssw_holders_under_titp_transfer_within_their_field(shipped_run):
    """Under TITP, SSW holders may and do change employer, always within their field."""
    moves = shipped_run("titp").moves
    ssw = moves[moves.voluntary & moves.status.isin(SSW) & ~moves.settled]  # the settled may change field
    assert len(ssw) > 0
    assert (ssw.from_field == ssw.to_field).all()


def test_esd_voluntary_moves_respect_waiting_period_tests_and_field(shipped_run):
    """Under ESD a worker moves at will only after their employer's waiting period (its real
    field's, 12 or 24 months, or 12 where it chose one year), with the basic-skill and A1 tests
    passed, within the field."""
    run = shipped_run("esd")
    moves = run.moves
    esd = moves[moves.voluntary & (moves.status == int(Status.ESD)) & ~moves.settled]  # settled: no longer ESD workers
    assert len(esd) > 0, "ESD workers do move: the check is not vacuous"
    f, pol = run.model.firms, run.model.policy
    field_waits = pol.waiting_months_by_real_field[f.real_field]
    assert np.isin(f.waiting_months, [12, 24]).all() and (f.waiting_months <= field_waits).all()
    assert (f.waiting_months < field_waits).any(), "some firms chose one year"
    assert (esd.months_with_employer >= esd.waiting_months).all() and (esd.waiting_months >= 12).all()
    required = TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
    assert ((esd.tests_passed & required) == required).all()
    assert (esd.from_field == esd.to_field).all()


def test_esd_caps_on_transferees_hold_at_every_hiring(shipped_run):
    """Whenever a firm takes on ESD workers by voluntary transfer, it ends up with at most 1/3 of
    its ESD workers as voluntary transferees, and a metro firm at most 1/6 as transferees from
    outside the designated area (counted at the hiring; ``helpers.esd_cap_breaches``)."""
    run = shipped_run("esd")
    t = run.model.policy.config.transfer
    moves = run.moves
    capped = moves[(moves.status == int(Status.ESD)) & moves.voluntary & ~moves.settled]
    assert len(capped) > 0 and (capped.to_metro & ~capped.from_metro).any(), "the caps are exercised"
    assert esd_cap_breaches(moves, t.metro_cap_share, t.firm_cap_share).empty


def test_free_mobility_lets_trainees_move_across_fields(shipped_run):
    """Under free mobility ESD workers move at will from their first months and across fields
    (so the same-field checks above are not true by construction)."""
    moves = shipped_run("free_mobility").moves
    trainee_moves = moves[moves.voluntary & moves.status.isin(TRAINEES)]
    assert len(trainee_moves) > 0
    assert (trainee_moves.months_with_employer < 12).any()
    left = trainee_moves[trainee_moves.from_firm >= 0]
    assert (left.from_field != left.to_field).any()


@pytest.mark.parametrize("name", ["titp", "esd", "restricted"])
def test_employed_people_work_in_their_field(shipped_run, name):
    """Where no one may change field, every employed person's field is their employer's."""
    assert (shipped_run(name).monthly.employed_outside_field == 0).all()


def test_employed_people_work_in_their_field_under_free_mobility(shipped_run):
    """Under free mobility people change field, and their recorded field follows their employer."""
    assert (shipped_run("free_mobility").monthly.employed_outside_field == 0).all()


# =============================================================================================
# Stay and status
# =============================================================================================
def test_restricted_trainees_leave_by_36_months_with_no_route_to_ssw(shipped_run):
    """Under the restricted policy no trainee is in Japan longer than 36 months at the end of
    any month, no one moves to SSW i, and there is no TITP iii stage."""
    run = shipped_run("restricted")
    assert run.monthly.max_months_titp.max() <= 36
    assert (run.table.to_ssw1 == 0).all()
    assert int(Status.TITP_3) not in run.statuses_seen
    assert run.table.returns_end_of_stay.sum() > 0


@pytest.mark.parametrize("name", SHIPPED)
def test_status_changes_follow_the_ladder(shipped_run, name):
    """From one month to the next a person's status only stays, moves one step up the ladder
    (TITP i -> ii -> iii, TITP ii/iii or ESD -> SSW i -> SSW ii), or ends in irregular work, a
    return home or removal; an irregular worker never regains a legal status."""
    assert (shipped_run(name).monthly.illegal_status_changes == 0).all()


@pytest.mark.parametrize("name", ["titp", "restricted"])
def test_titp_stage_lengths(shipped_run, name):
    """TITP i lasts at most 12 months and TITP ii ends at 36 months in Japan; trainees never
    exceed the maximum stay."""
    run = shipped_run(name)
    m = run.monthly
    assert m.max_months_titp1.max() <= 12
    assert m.max_months_titp2.max() <= 36
    assert m.max_months_titp.max() <= run.model.policy.config.stay.max_trainee_months


@pytest.mark.parametrize("name", ["esd", "free_mobility"])
def test_esd_trainees_have_status_esd_only(shipped_run, name):
    """Under ESD-based policies trainees hold ESD status only (never TITP i-iii) and stay at most
    the 36-month programme plus the year's grace to retake the tests."""
    run = shipped_run(name)
    assert not ({int(s) for s in TITP_STATUSES} & run.statuses_seen)
    assert (run.table.stock_titp == 0).all() and (run.table.stock_esd > 0).all()
    stay = run.model.policy.config.stay
    assert run.monthly.max_months_esd.max() < stay.max_trainee_months + stay.test_retake_grace_months


@pytest.mark.parametrize("name", ["titp", "restricted"])
def test_titp_policies_have_no_esd_workers(shipped_run, name):
    """Under TITP-based policies no one ever holds ESD status."""
    run = shipped_run(name)
    assert int(Status.ESD) not in run.statuses_seen
    assert (run.table.stock_esd == 0).all()


# =============================================================================================
# Firms and wages
# =============================================================================================
@pytest.mark.parametrize("name", SHIPPED)
def test_no_one_is_paid_below_the_minimum_wage_unless_underpaid(shipped_run, name):
    """Everyone who worked the month for their employer, at a firm that did not underpay them
    that month, was paid at least the prefecture's minimum wage x hours (the wage floor)."""
    m = shipped_run(name).monthly
    floor = shipped_run(name).model.policy.config.wages.wage_floor_markup
    assert (m.min_pay_ratio >= floor * (1 - 1e-6)).all()
    assert (m.min_markup >= floor - 1e-6).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_wages_are_cut_only_slowly_except_by_a_new_owner(shipped_run, name):
    """Firms cut wage offers only slowly: in any month, no more firms cut their markup by more
    than ``wage_cut_step`` than there were firm closures (a closed firm reopens under a new owner)."""
    m = shipped_run(name).monthly
    assert (m.markup_cuts <= m.closures).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_firms_stay_within_their_yearly_intake_cap(shipped_run, name):
    """No firm takes in more trainees in a year than its intake cap allows."""
    assert (shipped_run(name).monthly.intake_over_cap == 0).all()


@pytest.mark.parametrize("name", SHIPPED)
def test_released_workers_search_at_most_the_allowed_months(shipped_run, name):
    """A worker without an employer is never still searching after unavoidable_search_months:
    they find a firm or go home; and no SSW i holder stays beyond SSW i's limit (with the
    extension of those near the SSW ii pass mark)."""
    run = shipped_run(name)
    beh, stay = run.model.behaviour.transfer, run.model.policy.config.stay
    assert run.monthly.max_months_searching.max() <= beh.unavoidable_search_months
    assert run.monthly.max_months_in_ssw1.max() < stay.ssw1_max_months + stay.ssw1_extension_months


# =============================================================================================
# The tables by group add up to the national table
# =============================================================================================
@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("grouping", GROUPINGS)
def test_group_tables_add_up_to_the_national_table(shipped_run, name, grouping):
    """Every month, the stocks and flows of a grouping's table summed over its groups equal the
    national columns of the same name; moves into and out of prefectures each sum to the
    inter-prefecture moves; debt and the share in debt, weighted by each group's stock, give the
    national means; the groups are exactly the grouping's labels in every month."""
    run = shipped_run(name)
    national = run.table.set_index("month")
    table = run.model.results(by=grouping)
    labels = group_labels(run.model, grouping)
    assert list(table.columns[:2]) == ["month", "group"] and list(table.columns[2:]) == list(group_columns(grouping))
    assert all(tuple(groups) == tuple(labels) for _, groups in table.groupby("month")["group"])
    assert sorted(table.month.unique()) == list(national.index)
    summed = table.groupby("month").sum(numeric_only=True)
    additive = [c for c in group_columns(grouping) if c in national.columns and not c.endswith(("_yen", "share_in_debt", "_share_working_age")) and c != "vacancy_fill"]
    assert len(additive) >= 20
    for column in additive:
        np.testing.assert_allclose(summed[column], national[column], rtol=1e-9, atol=1e-6, err_msg=column)
    if grouping == "prefecture":
        for column in ("moves_in", "moves_out"):
            np.testing.assert_allclose(summed[column], national["inter_prefecture_moves"], rtol=1e-9, err_msg=column)
        assert national["inter_prefecture_moves"].sum() > 0, "the check needs moves to check"
    weighted = table.assign(debt=table.debt_mean_yen * table.stock_total, in_debt=table.share_in_debt * table.stock_total)
    sums = weighted.groupby("month")[["debt", "in_debt"]].sum()
    np.testing.assert_allclose(sums.debt, national.debt_mean_yen * national.stock_total, rtol=1e-9)
    np.testing.assert_allclose(sums.in_debt, national.share_in_debt * national.stock_total, rtol=1e-9)
    assert summed["disappearances"].sum() > 0 and summed["arrivals"].sum() > 0, "flows happened"
