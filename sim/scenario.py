"""The scenario: a validated, frozen description of the world, behaviour and policy of one run.

A scenario file is TOML. It may name a ``base`` file (relative to itself) whose tables it
overrides key by key, so the shipped policies share one world (``scenarios/world.toml``) and
differ only in what they say. Every table rejects unknown keys: a misspelt lever is an error,
never a silent no-op. ``load_scenario`` turns every problem into a :class:`ScenarioError` that
names the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.domain import FIELDS, ORIGINS

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Months = Annotated[int, Field(ge=0, le=1200)]
FieldName = Literal[
    "construction", "food_manufacturing", "machinery_metal", "agriculture",
    "textiles", "nursing_care", "fishery", "other",
]
OriginName = Literal["vietnam", "china", "indonesia", "philippines", "myanmar", "cambodia", "other"]
TestName = Literal["basic_skill", "japanese_a1", "skill_grade3", "japanese_a2", "skill_ssw2", "japanese_b1"]


class Frozen(BaseModel):
    """Base of every table: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _shares_sum_to_one(shares: dict[str, float]) -> dict[str, float]:
    total = sum(shares.values())
    if not math.isclose(total, 1.0, abs_tol=0.005):
        raise ValueError(f"shares must add up to 1 (they add up to {total:.4f})")
    return shares


# ---------------------------------------------------------------------------------------------
# Run settings
# ---------------------------------------------------------------------------------------------
class RunConfig(Frozen):
    months: Annotated[int, Field(ge=1, le=1200)] = 120
    scale: Annotated[float, Field(gt=0.0, le=1.0)] = 0.01
    start_year: Annotated[int, Field(ge=1993, le=2100)] = 2027  # calendar year of month 1
    start_month: Annotated[int, Field(ge=1, le=12)] = 4  # calendar month of month 1 (month 0: the month before)


# ---------------------------------------------------------------------------------------------
# The world: initial stocks, firms, wages, money
# ---------------------------------------------------------------------------------------------
class WorldConfig(Frozen):
    stock_trainees: Annotated[int, Field(ge=0)]
    stock_ssw1: Annotated[int, Field(ge=0)]
    stock_ssw2: Annotated[int, Field(ge=0)]
    firms: Annotated[int, Field(ge=1)]
    supervisory_bodies: Annotated[int, Field(ge=1)]
    field_shares: dict[FieldName, Fraction]
    origin_shares: dict[OriginName, Fraction]
    broker_fee_yen: dict[OriginName, NonNegative]
    share_arriving_in_debt: Fraction
    debt_sigma: NonNegative
    firm_staff_median: Positive
    firm_staff_sigma: NonNegative
    hours_per_month: Positive
    wage_markup_mean: Annotated[float, Field(ge=1.0, le=3.0)]
    wage_markup_sd: NonNegative
    ssw_wage_premium: Annotated[float, Field(ge=0.0, le=2.0)]
    irregular_wage_factor: Annotated[float, Field(ge=0.0, le=3.0)]
    deductions_share: Fraction
    living_cost_yen: NonNegative
    repay_share: Fraction
    remit_share: Fraction
    debt_interest_monthly: Annotated[float, Field(ge=0.0, le=0.2)]
    min_wage_growth_per_year: Annotated[float, Field(ge=-0.2, le=0.5)]
    min_wage_national_average_yen: dict[Annotated[int, Field(ge=1990, le=2100)], Positive] = {}
    vacancy_margin: Annotated[float, Field(ge=0.0, le=5.0)]
    demand_growth_per_year: Annotated[float, Field(ge=-0.5, le=1.0)]
    firm_closure_monthly: Fraction
    firm_ties_same_prefecture: Annotated[int, Field(ge=0, le=50)]
    firm_ties_adjacent: Annotated[int, Field(ge=0, le=50)]
    firm_ties_metro: Annotated[int, Field(ge=0, le=50)]
    contacts_per_person: Annotated[int, Field(ge=0, le=32)]
    contacts_same_prefecture: Fraction
    ssw1_tenure_weights: Annotated[tuple[NonNegative, ...], Field(min_length=1, max_length=10)]
    ssw_share_via_titp: Fraction
    foreign_workers_staff_exponent: Annotated[float, Field(ge=0.0, le=2.0)]
    supervisory_body_size_pareto_shape: Positive
    share_bodies_general_licence: Fraction
    initial_debt_repaid_months: Annotated[float, Field(gt=0.0, le=120.0)]

    _field_sum = field_validator("field_shares", "origin_shares")(_shares_sum_to_one)

    @field_validator("min_wage_national_average_yen")
    @classmethod
    def _has_fy2024(cls, v: dict[int, float]) -> dict[int, float]:
        if v and 2024 not in v:
            raise ValueError("the national averages must include fiscal year 2024, the year of the prefecture table")
        return v

    @field_validator("field_shares")
    @classmethod
    def _all_fields(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [f for f in FIELDS if f not in v]
        if missing:
            raise ValueError(f"every field needs a share; missing: {', '.join(missing)}")
        return v

    @field_validator("origin_shares", "broker_fee_yen")
    @classmethod
    def _all_origins(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [o for o in ORIGINS if o not in v]
        if missing:
            raise ValueError(f"every origin needs a value; missing: {', '.join(missing)}")
        return v


# ---------------------------------------------------------------------------------------------
# Behaviour: how people and firms respond (the same under every policy unless overridden)
# ---------------------------------------------------------------------------------------------
class LearningConfig(Frozen):
    skill_per_month: NonNegative
    japanese_per_month: NonNegative
    aptitude_sigma: NonNegative
    test_noise_sd: NonNegative
    training_quality_sigma: NonNegative
    japanese_at_arrival_titp: NonNegative
    japanese_at_arrival_esd: NonNegative
    threshold_basic_skill: NonNegative
    threshold_skill_grade3: NonNegative
    threshold_skill_ssw2: NonNegative


class ViolationConfig(Frozen):
    monthly_probability_at_zero_compliance: Fraction
    compliance_alpha: Positive
    compliance_beta: Positive
    share_underpayment: Fraction
    wage_theft_share: Fraction
    compliance_gain_after_sanction: Fraction


class GrievanceConfig(Frozen):
    monthly_decay: Fraction
    per_violation: NonNegative
    per_wage_gap: NonNegative


class AbscondConfig(Frozen):
    base_monthly: Fraction
    per_debt_500k_yen: float
    per_grievance: float
    per_wage_gap: float
    per_irregular_contact: float
    legal_exit_factor: Annotated[float, Field(ge=0.0, le=1.0)]
    end_of_stay_factor: Annotated[float, Field(ge=1.0, le=50.0)]
    end_of_stay_window_months: Months


class TransferConfig(Frozen):
    seek_base_monthly: Fraction
    seek_per_wage_gap: NonNegative
    seek_per_grievance: NonNegative
    min_wage_gain: Annotated[float, Field(ge=0.0, le=1.0)]
    placement_offers: Annotated[int, Field(ge=0, le=100)]
    unavoidable_search_months: Annotated[int, Field(ge=0, le=24)]


class DepartureConfig(Frozen):
    return_base_monthly: Fraction
    return_per_grievance: NonNegative
    share_wanting_long_stay: Fraction
    share_choosing_stage_iii: Fraction
    ssw2_return_monthly: Fraction
    irregular_apprehension_monthly: Fraction
    irregular_self_departure_monthly: Fraction


class FirmBehaviourConfig(Frozen):
    wage_raise_step: Annotated[float, Field(ge=0.0, le=0.2)]
    wage_markup_ceiling: Annotated[float, Field(ge=1.0, le=5.0)]
    excellent_compliance: Fraction


class BehaviourConfig(Frozen):
    learning: LearningConfig
    violations: ViolationConfig
    grievance: GrievanceConfig
    abscond: AbscondConfig
    transfer: TransferConfig
    departure: DepartureConfig
    firms: FirmBehaviourConfig


# ---------------------------------------------------------------------------------------------
# Policy: the levers
# ---------------------------------------------------------------------------------------------
class TransferPolicy(Frozen):
    regime: Literal["unavoidable_only", "after_waiting_period", "free"]
    waiting_months: Months = 12
    waiting_months_by_field: dict[FieldName, Months] = {}
    requires_tests: tuple[TestName, ...] = ()
    same_field: bool = True
    metro_cap_share: Fraction | None = None
    firm_cap_share: Fraction | None = None
    reimbursement_yen: NonNegative = 0.0
    ssw_may_transfer: bool = True
    ssw_same_field: bool = True


class StayPolicy(Frozen):
    programme: Literal["titp", "esd"]
    max_trainee_months: Annotated[int, Field(ge=1, le=120)]
    titp_stage_iii: bool = True
    ssw1_path: bool = True
    ssw1_requires_tests: tuple[TestName, ...] = ("skill_grade3", "japanese_a2")
    titp_ii_completion_exempts_tests: bool = True
    ssw1_max_months: Annotated[int, Field(ge=1, le=1200)] = 60
    ssw2_path: bool = True
    ssw2_requires_tests: tuple[TestName, ...] = ("skill_ssw2", "japanese_b1")
    test_retake_grace_months: Months = 0
    ssw_from_year: Annotated[int, Field(ge=1993, le=2100)] | None = None
    ssw_from_month: Annotated[int, Field(ge=1, le=12)] = 4
    ssw1_ramp_months: Months = 0
    stage_iii_from_year: Annotated[int, Field(ge=1993, le=2100)] | None = None
    stage_iii_from_month: Annotated[int, Field(ge=1, le=12)] = 11
    stage_iii_home_leave_months: Annotated[int, Field(ge=1, le=11)] = 1
    esd_from_year: Annotated[int, Field(ge=1993, le=2100)] | None = None  # programme "esd" for entrants from then
    esd_from_month: Annotated[int, Field(ge=1, le=12)] = 4


class SupervisionPolicy(Frozen):
    independence_mean: Fraction  # of a body with no officers tied to member firms and no external auditor
    independence_concentration: Positive
    thoroughness_mean: Fraction
    thoroughness_concentration: Positive
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
    inspections_from_year: Annotated[int, Field(ge=1993, le=2100)] | None = None
    inspections_from_month: Annotated[int, Field(ge=1, le=12)] = 11


class RecruitmentPolicy(Frozen):
    trainee_intake_per_year: NonNegative
    ssw_direct_intake_per_year: NonNegative
    broker_fee_cap_yen: NonNegative | None = None
    trainee_intake_by_year: dict[Annotated[int, Field(ge=1993, le=2100)], NonNegative] = {}
    ssw_direct_intake_by_year: dict[Annotated[int, Field(ge=1993, le=2100)], NonNegative] = {}
    intake_cap_multiplier_excellent: Annotated[float, Field(ge=1.0, le=5.0)] = 2.0


class WagePolicy(Frozen):
    wage_floor_markup: Annotated[float, Field(ge=0.5, le=3.0)] = 1.0
    firms_raise_wages: bool = True


class PolicyConfig(Frozen):
    transfer: TransferPolicy
    stay: StayPolicy
    supervision: SupervisionPolicy
    recruitment: RecruitmentPolicy
    wages: WagePolicy = WagePolicy()

    @model_validator(mode="after")
    def _consistent(self) -> PolicyConfig:
        if self.stay.programme == "esd" and self.stay.max_trainee_months > 60:
            raise ValueError("stay.max_trainee_months: ESD is a programme of at most 60 months")
        return self


class Scenario(Frozen):
    """Everything one run needs besides its seed; frozen so that a run cannot change it."""

    name: str
    description: str = ""
    run: RunConfig = RunConfig()
    world: WorldConfig
    behaviour: BehaviourConfig
    policy: PolicyConfig

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A copy with settings changed by dotted key, validated again.

        Example: ``scenario.with_changes({"policy.transfer.regime": "free", "run.scale": 0.1})``.

        Raises:
            ScenarioError: for a key the scenario does not have, or a value that is not allowed,
                naming the key, the value and what is allowed.
        """
        data = self.model_dump()
        for dotted, value in changes.items():
            *path, last = dotted.split(".")
            table = data
            for key in path:
                table = table.get(key) if isinstance(table, dict) else None
            if not isinstance(table, dict) or last not in table:
                raise ScenarioError(f"scenario {self.name!r}: unknown key {dotted!r} = {value!r}: not a setting")
            table[last] = copy.deepcopy(value)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            lines = [_describe(e, {}, f"scenario {self.name!r}") for e in exc.errors()]
            raise ScenarioError("\n".join(lines)) from None

    def with_run(self, **changes: Any) -> Scenario:
        """A copy with run settings changed (``months=``, ``scale=``, ...; None keeps), validated again."""
        return self.with_changes({f"run.{k}": v for k, v in changes.items() if v is not None})


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
class ScenarioError(Exception):
    """A scenario file that cannot be used; the message is meant for the user as it stands."""


def _merge(base: dict, override: dict, origin: dict, path: str, src: str, keys: tuple = ()) -> dict:
    out = dict(base)
    for key, value in override.items():
        here = keys + (key,)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in _LEAF_TABLES:
            out[key] = _merge(out[key], value, origin, path, src, here)
        else:
            out[key] = value
            _record(origin, here, value, src)
    return out


# Tables whose keys are data (a mapping), replaced whole rather than merged.
_LEAF_TABLES = {
    "field_shares", "origin_shares", "broker_fee_yen", "waiting_months_by_field",
    "trainee_intake_by_year", "ssw_direct_intake_by_year", "min_wage_national_average_yen",
}


def _record(origin: dict, keys: tuple, value: Any, src: str) -> None:
    origin[keys] = src
    if isinstance(value, dict):
        for k, v in value.items():
            _record(origin, keys + (k,), v, src)


def _read_toml(path: Path) -> dict:
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a scenario file (.toml)")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None


def _resolve(path: Path, origin: dict, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve() if path.exists() else path
    if path in seen:
        raise ScenarioError(f"{path}: 'base' files refer to each other in a loop")
    data = _read_toml(path)
    base_name = data.pop("base", None)
    if base_name is None:
        merged: dict = {}
    else:
        if not isinstance(base_name, str):
            raise ScenarioError(f"{path}: key 'base' = {base_name!r}: must be a file name (a string)")
        merged = _resolve(path.parent / base_name, origin, seen + (path,))
    return _merge(merged, data, origin, str(path), str(path))


def _describe(err: dict, origin: dict, fallback: str) -> str:
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(loc) or "(top level)"
    src = fallback
    for i in range(len(loc), 0, -1):  # the deepest key some file set
        if loc[:i] in origin:
            src = origin[loc[:i]]
            break
    kind = err["type"]
    if kind == "missing":
        return f"{src}: key '{key}' is missing (it must be set here or in the base file)"
    if kind == "extra_forbidden":
        return f"{src}: unknown key '{key}' = {err['input']!r}: not a setting (check the spelling; see docs/ODD.md)"
    msg = err["msg"]
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        msg = f"allowed: {ctx['expected']}"
    elif kind.startswith("literal"):
        msg = f"allowed: {ctx.get('expected', msg)}"
    return f"{src}: key '{key}' = {err['input']!r}: {msg}"


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (``base``) and validate a scenario file.

    Raises:
        ScenarioError: with one line per problem, each naming file, key, value and what is allowed.
    """
    path = Path(path)
    origin: dict = {}
    data = _resolve(path, origin)
    own = _read_toml(path)  # a scenario's name is its own, never inherited from its base
    data["name"] = own.get("name", path.stem)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e, origin, str(path)) for e in exc.errors()]
        raise ScenarioError("\n".join(lines)) from None


def shipped_scenario_dir() -> Path:
    """Where the shipped scenarios live: the checkout's ``scenarios/`` or the installed copy."""
    import sys

    here = Path(__file__).resolve().parent.parent / "scenarios"
    if (here / "world.toml").exists():
        return here
    installed = Path(sys.prefix) / "share" / "tenseki" / "scenarios"
    if (installed / "world.toml").exists():
        return installed
    raise ScenarioError("cannot find the shipped scenarios (scenarios/world.toml)")


SHIPPED = ("titp", "esd", "free_mobility", "restricted", "esd_transition")


def shipped_scenario(name: str) -> Scenario:
    """One of the shipped scenarios by name (``titp``, ``esd``, ``free_mobility``, ``restricted``, ``esd_transition``)."""
    return load_scenario(shipped_scenario_dir() / f"{name}.toml")
