"""The scenario's schema: the validated, frozen tables of one run's world, behaviour and policy.

Every table is a ``sim.schema.Frozen`` model: strict (no coercion), finite numbers, every count
and amount below a stated plausible maximum (the ``MAX_*`` constants), settings that contradict
each other refused with both keys named (``Contradiction``), unknown keys refused. ``Scenario``
is the whole; ``Scenario.with_changes`` changes settings by dotted key and validates again.
Reading files is ``sim.scenario_files``; the import surface is ``sim.scenario``.
"""

from __future__ import annotations

import copy
import math
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.dates import YearMonth
from sim.domain import FIELDS, ORIGINS
from sim.renamed_keys import upgrade_changes, upgrade_file
from sim.schema import AsTuple, Contradiction, Frozen, ScenarioError, YearKeys, describe_errors, nearest, show

# Plausible maxima. Every count and amount has one: a value above it is a typo or a unit slip,
# and a run built from it would not fit in any machine. Each is far above anything observed.
MAX_PEOPLE = 5_000_000  # people (a stock, a yearly intake): ~11x the TITP stock at end-2024 (456,595) [S]; assumption
MAX_FIRMS = 1_000_000  # firms: ~16x the 63,224 firms hosting trainees (FY2019, OTIT) [S]; assumption
MAX_BODIES = 100_000  # supervisory bodies: ~27x the 3,750 of 2024 (OTIT) [S/U]; assumption
MAX_FEE_YEN = 10_000_000  # yen per person, one-off (broker fee, its cap, reimbursement): ~15x the highest mean fee (Vietnam 688,143) [P]; assumption
MAX_MONTHLY_YEN = 1_000_000  # yen a month (living cost): ~5x the mean TITP pay (181,700, Wage Structure 2023) [P]; assumption
MAX_HOURLY_YEN = 10_000  # yen an hour (a minimum wage): ~9x the FY2024 national average (1,055) [S]; assumption
MAX_STAFF = 100_000  # full-time staff (the median firm): larger than Japan's largest employers; assumption
MAX_LOG_SD = 3.0  # log-sd of a lognormal spread: 3 sd is a factor of 8,100; assumption
MAX_LOG_EFFECT = 20.0  # change of a log hazard per unit: e^20 is a factor of 5e8; assumption
MAX_PER_UNIT = 100.0  # an additive effect per unit (grievance, wage gap, skill a month); assumption
MAX_CONCENTRATION = 10_000.0  # Beta concentration (mean x concentration = alpha); assumption
MAX_JOB_OPENINGS_RATIO = 10.0  # openings per applicant; the national record is 1.76 (1973) [S]; assumption
MAX_LEVEL = 100.0  # skill and Japanese levels and thresholds, in test-grade units (the ladder spans 0-6); assumption

# Plausible minima. Every number has an inclusive lower bound: 0 where none is meaningful (a
# share, a count, a fee), else a positive floor below which a value is a typo or a unit slip
# (a bound "greater than 0" would let 1e-300 through, and a run of it mean nothing).
MIN_SCALE = 1e-6  # agents per real person: one agent for a million people; below it no world holds anyone
MIN_STAFF = 1.0  # full-time staff of the median firm: a firm has someone
MIN_HOURS_PER_MONTH = 40.0  # hours of work a month: ten a week, far below any trainee's contract
MIN_HOURLY_YEN = 100.0  # yen an hour (a minimum wage): below Japan's lowest of the 1970s; assumption
MIN_JOB_OPENINGS_RATIO = 0.05  # openings per applicant; the national record low is 0.42 (1999) [S]; assumption
MIN_MONTHS_SPAN = 1.0  # a duration in months (a decay, a repayment): the model's step is one month
MIN_CONCENTRATION = 0.01  # Beta concentration: below it the draws are all but 0 or 1; assumption
MIN_JOB_CATEGORY_SHARE = 0.01  # chance a move within a field is within the mover's job category: 1 in 100; 0 would forbid every move; assumption
MIN_MULTIPLIER = 0.01  # a hazard multiplier: a 100-fold reduction, the mirror of MAX_MULTIPLIER; assumption

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Months = Annotated[int, Field(ge=0, le=1200)]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]
PeoplePerYear = Annotated[float, Field(ge=0.0, le=MAX_PEOPLE)]
FeeYen = Annotated[float, Field(ge=0.0, le=MAX_FEE_YEN)]
LogSd = Annotated[float, Field(ge=0.0, le=MAX_LOG_SD)]
LogEffect = Annotated[float, Field(ge=-MAX_LOG_EFFECT, le=MAX_LOG_EFFECT)]
PerUnit = Annotated[float, Field(ge=0.0, le=MAX_PER_UNIT)]
Level = Annotated[float, Field(ge=0.0, le=MAX_LEVEL)]
Concentration = Annotated[float, Field(ge=MIN_CONCENTRATION, le=MAX_CONCENTRATION)]
Year = Annotated[int, Field(ge=1990, le=2100)]
FieldName = Literal[
    "construction", "food_manufacturing", "machinery_metal", "agriculture",
    "textiles", "nursing_care", "fishery", "other",
]
#: The real fields the model's "other" pools (``domain.OTHER_FIELDS``).
OtherFieldName = Literal[
    "industrial_products", "food_service", "building_cleaning", "accommodation", "shipbuilding", "automobile_repair",
    "linen_supply", "railway", "logistics_warehouse", "forestry", "wood_industry", "resource_recycling",
]
#: A firm's real field (``domain.REAL_FIELDS``): a model field other than "other", or one "other" pools.
RealFieldName = Literal[
    "construction", "food_manufacturing", "machinery_metal", "agriculture", "textiles", "nursing_care", "fishery",
    "industrial_products", "food_service", "building_cleaning", "accommodation", "shipbuilding", "automobile_repair",
    "linen_supply", "railway", "logistics_warehouse", "forestry", "wood_industry", "resource_recycling",
]
OriginName = Literal["vietnam", "china", "indonesia", "philippines", "myanmar", "cambodia", "other"]
TestName = Literal["basic_skill", "japanese_a1", "skill_grade3", "japanese_a2", "skill_ssw2", "japanese_b1"]
Tests = Annotated[tuple[TestName, ...], AsTuple, Field(max_length=6)]


def _shares_sum_to_one(shares: dict[str, float]) -> dict[str, float]:
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=0.005):
        raise ValueError(f"shares must add up to 1 (they add up to {total:.4f})")
    return shares


def value_in_year(by_year: dict[int, Any], year: int) -> Any:
    """A by-year table's value in ``year``: that year's, or the nearest listed year's before it
    (before the first: the first's). So a run past the data holds the last value observed."""
    if year in by_year:
        return by_year[year]
    known = [y for y in by_year if y <= year]
    return by_year[max(known) if known else min(by_year)]


def _every_field(what: str):
    """A validator that every field of the model has a value (``what``: "a share", "a factor")."""

    def check(v: dict[str, float]) -> dict[str, float]:
        missing = [f for f in FIELDS if f not in v]
        if missing:
            raise ValueError(f"every field needs {what}; missing: {', '.join(missing)}")
        return v

    return check


# ---------------------------------------------------------------------------------------------
# Run settings
# ---------------------------------------------------------------------------------------------
#: The earliest month a run may start: TITP began in 1993.
FIRST_START = YearMonth(1993, 1)


class RunConfig(Frozen):
    months: Annotated[int, Field(ge=1, le=1200)] = 120
    scale: Annotated[float, Field(ge=MIN_SCALE, le=1.0)] = 0.01
    start: YearMonth = YearMonth(2027, 4)  # calendar month of month 1 (month 0: the month before)
    #: Start from the state the history run reaches at the end of a month, "history-YYYY-MM"
    #: (``sim.checkpoint``: built with the run's seed and scale on first use, then cached; ``start``
    #: is then the month after); "stock" or None: from the initial stock placed by ``sim.world``.
    start_from: str | None = None

    @field_validator("start")
    @classmethod
    def _not_before_titp(cls, start: YearMonth) -> YearMonth:
        if start < FIRST_START:
            raise ValueError(f'before {FIRST_START}, when TITP began; allowed: a month "YYYY-MM" from {FIRST_START} on')
        return start

    @field_validator("start_from")
    @classmethod
    def _history_month(cls, start_from: str | None) -> str | None:
        if start_from is not None:
            from sim.checkpoint import parse_start_from

            parse_start_from(start_from)
        return start_from

    @model_validator(mode="after")
    def _starts_after_checkpoint(self) -> RunConfig:
        if self.start_from is not None:
            from sim.checkpoint import parse_start_from

            at = parse_start_from(self.start_from)
            after = None if at is None else at + 1
            if after is not None and self.start != after:
                raise Contradiction(f'a run from the state at the end of {after - 1} starts the month after, "{after}" '
                                    f'(run.start_from = "stock" starts from the placed stock at any month)',
                                    {"run.start": str(self.start), "run.start_from": self.start_from})
        return self


# ---------------------------------------------------------------------------------------------
# The world: initial stocks, firms, wages, money
# ---------------------------------------------------------------------------------------------
class WorldConfig(Frozen):
    stock_trainees: People
    stock_ssw1: People
    stock_ssw2: People
    firms: Annotated[int, Field(ge=1, le=MAX_FIRMS)]
    supervisory_bodies: Annotated[int, Field(ge=1, le=MAX_BODIES)]
    field_shares: dict[FieldName, Fraction]
    other_field_shares: dict[OtherFieldName, Fraction]  # real fields of the firms in "other"
    origin_shares: dict[OriginName, Fraction]
    #: Newcomers' origin shares by calendar year of arrival, where data give them (history); a year
    #: not listed takes the nearest listed year before it (before the first: the first), and
    #: without the table every year takes ``origin_shares`` (``arrivals.origin_shares_in``).
    origin_shares_by_year: Annotated[dict[Year, dict[OriginName, Fraction]], YearKeys] = {}
    broker_fee_yen: dict[OriginName, FeeYen]
    share_arriving_in_debt: Fraction
    debt_sigma: LogSd
    firm_staff_median: Annotated[float, Field(ge=MIN_STAFF, le=MAX_STAFF)]
    firm_staff_sigma: LogSd
    hours_per_month: Annotated[float, Field(ge=MIN_HOURS_PER_MONTH, le=744.0)]  # at most the hours of a 31-day month
    wage_markup_mean: Annotated[float, Field(ge=1.0, le=3.0)]
    wage_markup_sd: Annotated[float, Field(ge=0.0, le=1.0)]
    ssw_wage_premium: Annotated[float, Field(ge=0.0, le=2.0)]
    irregular_wage_factor: Annotated[float, Field(ge=0.0, le=3.0)]
    deductions_share: Fraction
    living_cost_yen: Annotated[float, Field(ge=0.0, le=MAX_MONTHLY_YEN)]
    repay_share: Fraction
    remit_share: Fraction
    debt_interest_monthly: Annotated[float, Field(ge=0.0, le=0.2)]
    min_wage_growth_per_year: Annotated[float, Field(ge=-0.2, le=0.5)]
    min_wage_national_average_yen: Annotated[dict[Year, Annotated[float, Field(ge=MIN_HOURLY_YEN, le=MAX_HOURLY_YEN)]], YearKeys] = {}
    #: National effective job openings-to-applicants ratio, calendar-year average (the demand pull of
    #: irregular work, ``decisions.demand_change_factor``); years after the last hold its value.
    job_openings_ratio_by_year: Annotated[dict[Year, Annotated[float, Field(ge=MIN_JOB_OPENINGS_RATIO, le=MAX_JOB_OPENINGS_RATIO)]], YearKeys] = {}
    #: Irregular workers (absconded former trainees past their stay) in Japan at the start (month 0).
    stock_irregular: People = 0
    vacancy_margin: Annotated[float, Field(ge=0.0, le=5.0)]
    demand_growth_per_year: Annotated[float, Field(ge=-0.5, le=1.0)]
    #: Yearly growth of firms' demand in the calendar years where data give it (the past); other
    #: years grow at ``demand_growth_per_year`` (``firms.update_demand``).
    demand_growth_by_year: Annotated[dict[Year, Annotated[float, Field(ge=-0.5, le=1.0)]], YearKeys] = {}
    firm_closure_monthly: Fraction
    firm_ties_same_prefecture: Annotated[int, Field(ge=0, le=50)]
    firm_ties_adjacent: Annotated[int, Field(ge=0, le=50)]
    firm_ties_metro: Annotated[int, Field(ge=0, le=50)]
    contacts_per_person: Annotated[int, Field(ge=0, le=32)]
    contacts_same_prefecture: Fraction
    ssw1_tenure_weights: Annotated[tuple[Annotated[float, Field(ge=0.0, le=MAX_PEOPLE)], ...], AsTuple, Field(min_length=1, max_length=10)]
    ssw_share_via_titp: Fraction
    foreign_workers_staff_exponent: Annotated[float, Field(ge=0.0, le=2.0)]
    supervisory_body_size_pareto_shape: Annotated[float, Field(ge=0.1, le=100.0)]  # below 0.1 the weights overflow
    share_bodies_general_licence: Fraction
    initial_debt_repaid_months: Annotated[float, Field(ge=MIN_MONTHS_SPAN, le=120.0)]
    recruitment_lag_months: Annotated[int, Field(ge=0, le=36)]  # from a firm's order to the trainee's arrival; 0: at once
    recruitment_cost_yen: FeeYen  # per trainee recruited abroad (accounted)

    _field_sum = field_validator("field_shares", "origin_shares", "other_field_shares")(_shares_sum_to_one)

    @field_validator("min_wage_national_average_yen")
    @classmethod
    def _has_fy2024(cls, v: dict[int, float]) -> dict[int, float]:
        if v and 2024 not in v:
            raise ValueError("the national averages must include fiscal year 2024, the year of the prefecture table")
        return v

    _all_fields = field_validator("field_shares")(_every_field("a share"))

    @field_validator("origin_shares", "broker_fee_yen")
    @classmethod
    def _all_origins(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [o for o in ORIGINS if o not in v]
        if missing:
            raise ValueError(f"every origin needs a value; missing: {', '.join(missing)}")
        return v

    @field_validator("origin_shares_by_year")
    @classmethod
    def _each_year_complete(cls, v: dict[int, dict[str, float]]) -> dict[int, dict[str, float]]:
        for year, shares in v.items():
            try:
                cls._all_origins(shares)
                _shares_sum_to_one(shares)
            except ValueError as exc:
                raise ValueError(f"year {year}: {exc}") from None
        return v


# ---------------------------------------------------------------------------------------------
# Behaviour: how people and firms respond (the same under every policy unless overridden)
# ---------------------------------------------------------------------------------------------
class LearningConfig(Frozen):
    skill_per_month: Level
    japanese_per_month: Level
    aptitude_sigma: LogSd
    test_noise_sd: Level
    training_quality_sigma: LogSd
    japanese_at_arrival_titp: Level
    japanese_at_arrival_esd: Level
    threshold_basic_skill: Level
    threshold_skill_grade3: Level
    threshold_skill_ssw2: Level
    care_exam_pass_share: Fraction  # chance of passing the 介護福祉士 exam at one sitting


class ViolationConfig(Frozen):
    monthly_probability_at_zero_compliance: Fraction
    compliance_alpha: Concentration
    compliance_beta: Concentration
    share_underpayment: Fraction
    wage_theft_share: Fraction
    compliance_gain_after_sanction: Fraction


class GrievanceConfig(Frozen):
    monthly_decay: Fraction
    per_violation: PerUnit
    per_wage_gap: PerUnit


#: A multiplier of a hazard (a field's, a nationality's): at most this; assumption (a 100-fold hazard).
MAX_MULTIPLIER = 100.0
Multiplier = Annotated[float, Field(ge=MIN_MULTIPLIER, le=MAX_MULTIPLIER)]


class OriginPeriod(Frozen):
    """A dated multiplier of one origin's absconding hazard, from ``first_month`` to ``last_month``
    (both inclusive): a route out of TITP open to that nationality (Myanmar after the 2021 coup)."""

    origin: OriginName
    factor: Multiplier
    first_month: YearMonth
    last_month: YearMonth

    @model_validator(mode="after")
    def _ordered(self) -> OriginPeriod:
        if self.last_month < self.first_month:
            raise Contradiction("the period ends before it starts",
                                {"first_month": self.first_month, "last_month": self.last_month})
        return self


class AbscondConfig(Frozen):
    base_monthly: Fraction
    per_debt_500k_yen: LogEffect
    per_grievance: LogEffect
    per_wage_gap: LogEffect
    per_irregular_contact: LogEffect
    legal_exit_factor: Annotated[float, Field(ge=0.0, le=1.0)]
    end_of_stay_factor: Annotated[float, Field(ge=1.0, le=50.0)]
    end_of_stay_window_months: Months
    per_origin_fee_500k_yen: LogEffect  # log-hazard per 500,000 yen of the origin's mean broker fee above the mean
    per_log_demand_change: Annotated[float, Field(ge=0.0, le=MAX_LOG_EFFECT)]  # elasticity of the hazard to the year's change in the job-openings ratio
    field_factor: dict[FieldName, Multiplier]  # multiplies the hazard of people in each field
    origin_periods: Annotated[tuple[OriginPeriod, ...], AsTuple] = ()

    _all_fields = field_validator("field_factor")(_every_field("a factor"))


class TransferConfig(Frozen):
    seek_base_monthly: Fraction
    seek_per_wage_gap: PerUnit
    seek_per_grievance: PerUnit
    seek_decay_months: Annotated[float, Field(ge=MIN_MONTHS_SPAN, le=10_000.0)]  # e-folding months of the base seek hazard
    min_wage_gain: Annotated[float, Field(ge=0.0, le=1.0)]
    placement_offers: Annotated[int, Field(ge=0, le=100)]
    national_offer_share: Fraction  # of the placement offers, the share drawn from the national pool of the field's vacancies
    esd_national_offer_share: Fraction  # the same for an ESD worker's offers (public placement channels only)
    unavoidable_search_months: Annotated[int, Field(ge=0, le=24)]
    rent_yen: Annotated[float, Field(ge=0.0, le=MAX_MONTHLY_YEN)]  # at the national price level
    compatriot_weight: Annotated[float, Field(ge=0.0, le=5.0)]  # log units per share of contacts
    move_cost: Annotated[float, Field(ge=0.0, le=5.0)]  # log units
    far_move_cost: Annotated[float, Field(ge=0.0, le=5.0)]  # log units
    taste_scale: Annotated[float, Field(ge=0.0, le=2.0)]  # log units


class DepartureConfig(Frozen):
    return_base_monthly: Fraction
    return_per_grievance: PerUnit
    share_wanting_long_stay: Fraction
    share_choosing_stage_iii: Fraction
    ssw2_return_monthly: Fraction
    irregular_apprehension_monthly: Fraction
    irregular_self_departure_monthly: Fraction


class FirmBehaviourConfig(Frozen):
    wage_raise_step: Annotated[float, Field(ge=0.0, le=0.2)]
    wage_cut_step: Annotated[float, Field(ge=0.0, le=0.2)]  # monthly markup cut of a firm with no vacancy and no quits
    wage_markup_ceiling: Annotated[float, Field(ge=1.0, le=5.0)]
    excellent_compliance: Fraction
    share_choosing_one_year_wait: Fraction = 0.0  # of firms in fields with a longer ESD wait, those choosing one year
    hiring_surplus_share: Annotated[float, Field(ge=0.0, le=10.0)] = 10.0  # a worker's monthly surplus to the firm / pay


class SettlementBehaviour(Frozen):
    """Ages, families and settling down (sim.processes.families, permanence, integration)."""

    age_at_arrival_bands: Annotated[tuple[Annotated[int, Field(ge=15, le=70)], ...], AsTuple, Field(min_length=2, max_length=12)]
    age_at_arrival_shares: Annotated[tuple[Fraction, ...], AsTuple, Field(min_length=1, max_length=11)]
    share_married_at_arrival: Fraction
    children_at_arrival_mean: Annotated[float, Field(ge=0.0, le=3.0)]
    marry_compatriot_per_year: Fraction
    marry_japanese_per_year: Fraction
    trainee_marriage_factor: Fraction
    marriage_max_age_years: Annotated[int, Field(ge=15, le=100)]
    accompany_per_year: Fraction
    births_per_couple_year: Fraction
    birth_max_age_years: Annotated[int, Field(ge=15, le=100)]
    spouse_status_uptake: Fraction
    permanence_uptake_per_year: Fraction
    naturalisation_per_year: Fraction
    settled_return_per_year: Fraction
    integration_japanese_gain: Annotated[float, Field(ge=0.0, le=5.0)]
    integration_grievance_relief: Fraction
    integration_wish_to_stay_per_year: Fraction
    public_contribution_share: Fraction
    mortality_gompertz_a: Annotated[float, Field(ge=0.0, le=0.01)]
    mortality_gompertz_b: Annotated[float, Field(ge=0.0, le=0.5)]

    @model_validator(mode="after")
    def _bands(self) -> SettlementBehaviour:
        bands, shares = self.age_at_arrival_bands, self.age_at_arrival_shares
        if len(shares) != len(bands) - 1 or list(bands) != sorted(set(bands)):
            raise Contradiction(
                "age_at_arrival_bands are the increasing edges of the bands and need one more entry than age_at_arrival_shares",
                {"age_at_arrival_bands": bands, "age_at_arrival_shares": shares},
            )
        _shares_sum_to_one(dict(enumerate(shares)))
        return self


class BehaviourConfig(Frozen):
    learning: LearningConfig
    violations: ViolationConfig
    grievance: GrievanceConfig
    abscond: AbscondConfig
    transfer: TransferConfig
    departure: DepartureConfig
    firms: FirmBehaviourConfig
    settlement: SettlementBehaviour


# ---------------------------------------------------------------------------------------------
# Policy: the levers
# ---------------------------------------------------------------------------------------------
class TransferPolicy(Frozen):
    regime: Literal["unavoidable_only", "after_waiting_period", "free"]
    waiting_months: Months = 12
    waiting_months_by_field: dict[FieldName, Months] = {}
    waiting_months_by_other_field: dict[OtherFieldName, Months] = {}  # firms in "other", by their real field
    longer_wait_pay_raise: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0  # share; after year one where a wait > 1 year is kept
    requires_tests: Tests = ()
    #: Real fields whose ESD workers need A2 (JLPT N4) for a voluntary transfer, not only the tests of
    #: ``requires_tests``: each field sets the level between A1 and A2 (Policy.transfer_tests_by_real_field).
    japanese_a2_fields: Annotated[tuple[RealFieldName, ...], AsTuple] = ()
    same_field: bool = True
    #: Trainees' moves stay in their job category (業務区分), not only the model's field: in the home
    #: firm's real field, and there in the mover's category with ``job_category_share_by_field``'s chance.
    same_job_category: bool = False
    #: By real field: the chance that a firm of the field is in a given mover's job category (about 1 / the
    #: number of categories); a field not named: 1 (one category).
    job_category_share_by_field: dict[RealFieldName, Annotated[float, Field(ge=MIN_JOB_CATEGORY_SHARE, le=1.0)]] = {}
    metro_cap_share: Fraction | None = None
    firm_cap_share: Fraction | None = None
    reimbursement_yen: FeeYen = 0.0
    ssw_may_transfer: bool = True
    ssw_same_field: bool = True
    #: Chance a month that a trainee whose employer violates the rules this month is granted a transfer
    #: for unavoidable circumstances (やむを得ない事情) and searches with their supervisory body.
    unavoidable_transfer_monthly: Fraction = 0.0
    #: Months from an ESD worker's accepted voluntary offer to the move (the new plan's certification,
    #: the change of status); meanwhile they work on at the old employer. 0: the same month.
    transfer_lag_months: Annotated[int, Field(ge=0, le=24)] = 0


class BridgingPolicy(Frozen):
    """The 2020-2022 "designated activities" (特定活動) bridging status for trainees unable to go home.

    Trainees whose stay ended from ``first_month`` to ``last_entry`` could stay on with work permission
    (grants of ``grant_months``, renewable until ``renewals_until``; after that one last grant of
    ``final_grant_months``). ``share_taking_up`` is the share of those whose stay ends in the window
    who take it rather than go home (behaviour, an assumption of the history scenario).
    """

    first_month: YearMonth
    renewals_until: YearMonth
    last_entry: YearMonth
    grant_months: Annotated[int, Field(ge=1, le=60)]
    final_grant_months: Annotated[int, Field(ge=1, le=60)]
    share_taking_up: Fraction

    @model_validator(mode="after")
    def _ordered(self) -> BridgingPolicy:
        if not self.first_month <= self.renewals_until <= self.last_entry:
            keys = ("first_month", "renewals_until", "last_entry")
            raise Contradiction(
                "the bridging status must open, stop being renewed and close in that order",
                {key: getattr(self, key) for key in keys},
            )
        return self


class StayPolicy(Frozen):
    programme: Literal["titp", "esd"]
    max_trainee_months: Annotated[int, Field(ge=1, le=120)]
    titp_stage_iii: bool = True
    ssw1_path: bool = True
    ssw1_requires_tests: Tests = ("skill_grade3", "japanese_a2")
    titp_ii_completion_exempts_tests: bool = True
    ssw1_max_months: Annotated[int, Field(ge=1, le=1200)] = 60
    ssw2_path: bool = True
    ssw2_requires_tests: Tests = ("skill_ssw2", "japanese_b1")
    ssw2_japanese_b1_fields: Annotated[tuple[RealFieldName, ...], AsTuple] = ()  # where SSW ii also needs JLPT N3
    ssw2_closed_fields: Annotated[tuple[RealFieldName, ...], AsTuple] = ()  # real fields with no SSW ii
    ssw1_extension_months: Months = 0  # extra SSW i stay for those near the SSW ii pass mark
    ssw1_extension_pass_share: Fraction = 0.8  # "near": a score of at least this share of the pass mark
    test_retake_grace_months: Months = 0
    ssw_from: YearMonth | None = None  # SSW exists from then (None: always)
    ssw1_ramp_months: Months = 0
    stage_iii_from: YearMonth | None = None  # TITP stage iii exists from then (None: always)
    stage_iii_home_leave_months: Annotated[int, Field(ge=1, le=11)] = 1
    esd_from: YearMonth | None = None  # programme "esd" for entrants from then (a transition); None: for all
    bridging: BridgingPolicy | None = None  # the 2020-22 bridging status (history only); None: none
    care_worker_path: bool = False  # may nursing-care SSW i holders who pass the 介護福祉士 exam take the status 介護?
    care_worker_from: YearMonth | None = None  # the route opens then (None: always)
    care_exam_experience_months: Annotated[int, Field(ge=0, le=120)] = 36  # months in Japan before the exam may be sat


class SupervisionPolicy(Frozen):
    independence_mean: Fraction  # of a body with no officers tied to member firms and no external auditor
    independence_concentration: Concentration
    thoroughness_mean: Fraction
    thoroughness_concentration: Concentration
    share_bodies_tied_officers: Fraction
    tied_officers_independence_factor: Fraction
    share_bodies_external_auditor: Fraction
    external_auditor_catch: Fraction
    audit_monthly: Fraction
    inspection_cycle_months: Annotated[int, Field(ge=1, le=120)]
    inspection_detection: Fraction  # per violation-month since the last inspection
    cancellation_share_first_finding: Fraction
    cancellation_share_repeat_finding: Fraction
    sanction_bar_months: Months
    body_inspection_cycle_months: Annotated[int, Field(ge=1, le=120)]
    body_inspection_detection: Fraction  # per violation-month hushed up since the last inspection
    revocation_share_repeat_finding: Fraction
    licence_bar_months: Months
    inspections_from: YearMonth | None = None  # OTIT's inspections exist from then (None: always)


class RecruitmentPolicy(Frozen):
    trainee_intake_per_year: PeoplePerYear
    ssw_direct_intake_per_year: PeoplePerYear
    broker_fee_cap_yen: FeeYen | None = None
    fee_cap_months_of_pay: Annotated[float, Field(ge=0.0, le=60.0)] | None = None  # ESD entrants: months of scheduled pay
    fee_cap_compliance_share: Fraction = 1.0  # of ESD entrants, the share whose sending organisation keeps to that cap
    stock_cap_ssw: People | None = None  # SSW (i + ii) residents at most (受入れ見込数 as caps)
    stock_cap_esd: People | None = None  # ESD residents at most
    stock_cap_ssw_and_esd: People | None = None  # SSW and ESD residents together at most
    stock_caps_ssw_and_esd_by_field: dict[FieldName, People] = {}  # the same, by the model's field
    stock_caps_ssw_by_field: dict[FieldName, People] = {}  # SSW (i + ii) residents by the model's field at most
    # The caps above apply to arrivals up to and including this fiscal year (April-March), none
    # after it; None: held for ever (their figures run to FY2028; what follows is not decided).
    stock_caps_last_fiscal_year: Annotated[int, Field(ge=2019, le=2100)] | None = None
    trainee_intake_by_year: Annotated[dict[Annotated[int, Field(ge=1993, le=2100)], PeoplePerYear], YearKeys] = {}
    ssw_direct_intake_by_year: Annotated[dict[Annotated[int, Field(ge=1993, le=2100)], PeoplePerYear], YearKeys] = {}
    intake_cap_multiplier_excellent: Annotated[float, Field(ge=1.0, le=5.0)] = 2.0


class WagePolicy(Frozen):
    wage_floor_markup: Annotated[float, Field(ge=0.5, le=3.0)] = 1.0
    firms_raise_wages: bool = True


StatusName = Literal["titp_1", "titp_2", "titp_3", "esd", "ssw_1", "ssw_2", "care_worker"]
Statuses = Annotated[tuple[StatusName, ...], AsTuple, Field(max_length=7)]
PrefectureName = Annotated[str, Field(min_length=2, max_length=20)]


class SettlementPolicy(Frozen):
    """Who may bring family, and the legal years of permanent residence and naturalisation."""

    family_accompaniment_statuses: Statuses = ("ssw_2", "care_worker")
    permanence_residence_months: Months = 120
    permanence_work_status_months: Months = 60
    permanence_counted_statuses: Statuses = ("ssw_2", "care_worker")
    permanence_spouse_marriage_months: Months = 36
    permanence_spouse_residence_months: Months = 12
    naturalisation_residence_months: Months = 60
    naturalisation_spouse_residence_months: Months = 36


class IntegrationPolicy(Frozen):
    """Local integration support (Japanese classes, consultation desks, multilingual services) by prefecture."""

    support_by_prefecture: dict[PrefectureName, Fraction] = {}  # English prefecture name -> intensity 0..1
    support_everywhere: Fraction = 0.0  # intensity in prefectures not named above
    cost_yen_per_resident_year: FeeYen = 0.0  # at intensity 1, per foreign resident (workers and family)

    @field_validator("support_by_prefecture")
    @classmethod
    def _known_prefectures(cls, v: dict[str, float]) -> dict[str, float]:
        from sim.geography import load_geography

        names = load_geography().name
        unknown = [k for k in v if k not in names]
        if unknown:
            guess = nearest(unknown[0], list(names))
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise ValueError(f"not a prefecture: {', '.join(unknown)} (English names as in sim/data/minimum_wage.csv){hint}")
        return v


class PolicyConfig(Frozen):
    transfer: TransferPolicy
    stay: StayPolicy
    supervision: SupervisionPolicy
    recruitment: RecruitmentPolicy
    wages: WagePolicy = WagePolicy()
    settlement: SettlementPolicy = SettlementPolicy()
    integration: IntegrationPolicy = IntegrationPolicy()

    @model_validator(mode="after")
    def _consistent(self) -> PolicyConfig:
        stay, transfer = self.stay, self.transfer
        if stay.programme == "esd" and stay.max_trainee_months > 60:
            raise Contradiction(
                "ESD is a programme of at most 60 months",
                {"stay.max_trainee_months": stay.max_trainee_months, "stay.programme": stay.programme},
            )
        if transfer.regime == "after_waiting_period":
            waits = {"transfer.waiting_months": transfer.waiting_months}
            waits |= {f"transfer.waiting_months_by_field.{f}": m for f, m in transfer.waiting_months_by_field.items()}
            waits |= {f"transfer.waiting_months_by_other_field.{f}": m for f, m in transfer.waiting_months_by_other_field.items()}
            for key, months in waits.items():
                if months > stay.max_trainee_months:
                    raise Contradiction(
                        "the waiting period is longer than the maximum stay, so no trainee could ever change employer",
                        {key: months, "stay.max_trainee_months": stay.max_trainee_months},
                    )
        return self


class Scenario(Frozen):
    """Everything one run needs besides its seed; frozen so that a run cannot change it."""

    name: str
    description: str = ""
    run: RunConfig = RunConfig()
    world: WorldConfig
    behaviour: BehaviourConfig
    policy: PolicyConfig

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        self._holds_someone()
        # The initial SSW i holders' time in status is drawn from the weights of the years that
        # fit within the maximum SSW i stay: they cannot all be zero (a 0/0 distribution).
        years = math.ceil(self.policy.stay.ssw1_max_months / 12)
        weights = self.world.ssw1_tenure_weights
        if sum(weights[:years]) <= 0:
            raise Contradiction(
                f"the weights of the first {years} year(s) of SSW i, the years within the maximum stay, are all zero; "
                "at least one must be positive",
                {"world.ssw1_tenure_weights": weights, "policy.stay.ssw1_max_months": self.policy.stay.ssw1_max_months},
            )
        return self

    def _people_at_start_and_a_year(self) -> tuple[int, float]:
        """Real people in Japan at the start, and arriving in the year of the largest intake."""
        world, rec = self.world, self.policy.recruitment
        at_start = world.stock_trainees + world.stock_ssw1 + world.stock_ssw2 + world.stock_irregular
        per_year = max([rec.trainee_intake_per_year, *rec.trainee_intake_by_year.values()]) + max(
            [rec.ssw_direct_intake_per_year, *rec.ssw_direct_intake_by_year.values()])
        return at_start, per_year

    def people_in_run(self) -> float:
        """Agents of one run, at most: everyone in Japan at the start and everyone who arrives
        (at the largest yearly intake), at the run's scale (memory and time estimates)."""
        at_start, per_year = self._people_at_start_and_a_year()
        return (at_start + per_year * self.run.months / 12) * self.run.scale

    def _holds_someone(self) -> None:
        """A world that at its scale holds no one at the start and expects no one to arrive
        would run, print zeros and exit 0: refused, naming the scale and the numbers it scales."""
        run = self.run
        at_start, per_year = self._people_at_start_and_a_year()
        people = self.people_in_run()
        if people < 1:
            raise Contradiction(
                f"at this scale the world holds no one ({people:.2g} agents expected over the run, from "
                f"{at_start:,} people at the start and up to {per_year:,.0f} arrivals a year); allowed: a larger "
                "run.scale, a larger stock or intake, or more months",
                {"run.scale": run.scale, "run.months": run.months},
            )

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A copy with settings changed by dotted key, validated again (as strictly as a file).

        Example: ``scenario.with_changes({"policy.transfer.regime": "free", "run.scale": 0.1})``.
        Old keys of a date (``policy.stay.esd_from_year``) still work, with a warning (``sim.renamed_keys``).

        Raises:
            ScenarioError: for a key the scenario does not have (with the nearest one that it
                has), or a value that is not allowed, naming the key, the value and what is allowed.
        """
        data = self.model_dump()
        source = f"scenario {self.name!r}"
        for dotted, value in upgrade_changes(changes, data, source).items():
            *path, last = dotted.split(".")
            table = data
            for key in path:
                table = table.get(key) if isinstance(table, dict) else None
            if not isinstance(table, dict) or last not in table:
                guess = nearest(dotted, _dotted_keys(data))
                hint = f"did you mean {guess!r}?" if guess else "see the keys of scenarios/world.toml and titp.toml"
                raise ScenarioError(f"scenario {self.name!r}: unknown key {dotted!r} = {show(value)}: not a setting; {hint}")
            table[last] = copy.deepcopy(value)
        upgrade_file(data, source)  # old date keys in a table given whole
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(describe_errors(exc, Scenario, {}, f"scenario {self.name!r}")) from None

    def with_run(self, **changes: Any) -> Scenario:
        """A copy with run settings changed (``months=``, ``scale=``, ...; None keeps), validated again."""
        return self.with_changes({f"run.{k}": v for k, v in changes.items() if v is not None})


# ---------------------------------------------------------------------------------------------
# Tables whose keys are data
# ---------------------------------------------------------------------------------------------
#: The keys that hold a date (``YearMonth``), in every table.
DATE_KEYS = ("start", "first_month", "last_month", "renewals_until", "last_entry", "ssw_from", "stage_iii_from", "esd_from",
             "care_worker_from", "inspections_from")
# Tables whose keys are data (a mapping), replaced whole rather than merged.
LEAF_TABLES = frozenset({
    "field_shares", "origin_shares", "origin_shares_by_year", "broker_fee_yen", "waiting_months_by_field", "other_field_shares",
    "waiting_months_by_other_field", "stock_caps_ssw_and_esd_by_field", "job_category_share_by_field",
    "stock_caps_ssw_by_field",
    "trainee_intake_by_year", "ssw_direct_intake_by_year", "min_wage_national_average_yen", "job_openings_ratio_by_year",
    "demand_growth_by_year",
    "support_by_prefecture",
    # dates, which a file may write as a table {year = ..., month = ...}: a date is replaced whole
    *DATE_KEYS,
})


def _dotted_keys(data: dict, prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and key not in LEAF_TABLES:
            out += _dotted_keys(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out
