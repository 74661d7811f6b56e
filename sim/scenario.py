"""The scenario: a validated, frozen description of the world, behaviour and policy of one run.

The import surface of three modules, so that ``from sim.scenario import ...`` keeps working:

* ``sim.scenario_schema``: the tables (``Scenario``, the ``*Config`` and ``*Policy`` classes, the
  plausible maxima ``MAX_*``). Validation is strict (``sim.schema``): no coercion, finite
  numbers, every count and amount below a stated plausible maximum, settings that contradict
  each other refused with both keys named, unknown keys refused with the nearest valid key.
* ``sim.scenario_files``: finding and loading files. A scenario file is TOML; it may name a
  ``base`` (a file next to it, or a shipped scenario by name: ``base = "esd"``) whose tables it
  overrides key by key, so the shipped policies share one world (``scenarios/world.toml``).
  ``load_scenario`` turns every problem into a :class:`ScenarioError` that names the file that
  set the value, the key, the value and what is allowed.
* ``sim.memory``: ``check_memory`` refuses a run that would not fit in this machine's memory
  before anything is built.
"""

from __future__ import annotations

from sim.memory import available_memory_bytes, check_memory, memory_needed_bytes
from sim.scenario_files import (
    SHIPPED,
    find_scenario,
    load_scenario,
    shipped_descriptions,
    shipped_names,
    shipped_scenario,
    shipped_scenario_dir,
)
from sim.scenario_schema import (
    LEAF_TABLES,
    MAX_BODIES,
    MAX_CONCENTRATION,
    MAX_FEE_YEN,
    MAX_FIRMS,
    MAX_HOURLY_YEN,
    MAX_JOB_OPENINGS_RATIO,
    MAX_LEVEL,
    MAX_LOG_EFFECT,
    MAX_LOG_SD,
    MAX_MONTHLY_YEN,
    MAX_MULTIPLIER,
    MAX_PEOPLE,
    MAX_PER_UNIT,
    MAX_STAFF,
    AbscondConfig,
    BehaviourConfig,
    BridgingPolicy,
    Concentration,
    DepartureConfig,
    FeeYen,
    FieldName,
    FirmBehaviourConfig,
    Fraction,
    GrievanceConfig,
    IntegrationPolicy,
    LearningConfig,
    Level,
    LogEffect,
    LogSd,
    Months,
    Multiplier,
    OriginName,
    OriginPeriod,
    OtherFieldName,
    People,
    PeoplePerYear,
    PerUnit,
    PolicyConfig,
    PrefectureName,
    RealFieldName,
    RecruitmentPolicy,
    RunConfig,
    Scenario,
    SettlementBehaviour,
    SettlementPolicy,
    Statuses,
    StatusName,
    StayPolicy,
    SupervisionPolicy,
    TestName,
    Tests,
    TransferConfig,
    TransferPolicy,
    ViolationConfig,
    WagePolicy,
    WorldConfig,
    Year,
    value_in_year,
)
from sim.schema import ScenarioError

__all__ = [
    "LEAF_TABLES", "MAX_BODIES", "MAX_CONCENTRATION", "MAX_FEE_YEN", "MAX_FIRMS", "MAX_HOURLY_YEN", "MAX_JOB_OPENINGS_RATIO",
    "MAX_LEVEL", "MAX_LOG_EFFECT", "MAX_LOG_SD", "MAX_MONTHLY_YEN", "MAX_MULTIPLIER", "MAX_PEOPLE", "MAX_PER_UNIT",
    "MAX_STAFF", "SHIPPED", "AbscondConfig", "BehaviourConfig", "BridgingPolicy", "Concentration", "DepartureConfig",
    "FeeYen", "FieldName", "FirmBehaviourConfig", "Fraction", "GrievanceConfig", "IntegrationPolicy", "LearningConfig",
    "Level", "LogEffect", "LogSd", "Months", "Multiplier", "OriginName", "OriginPeriod", "OtherFieldName", "People",
    "PeoplePerYear", "PerUnit", "PolicyConfig", "PrefectureName", "RealFieldName", "RecruitmentPolicy", "RunConfig",
    "Scenario", "ScenarioError", "SettlementBehaviour", "SettlementPolicy", "StatusName", "Statuses", "StayPolicy",
    "SupervisionPolicy", "TestName", "Tests", "TransferConfig", "TransferPolicy", "ViolationConfig", "WagePolicy",
    "WorldConfig", "Year", "available_memory_bytes", "check_memory", "find_scenario", "load_scenario",
    "memory_needed_bytes", "shipped_descriptions", "shipped_names", "shipped_scenario", "shipped_scenario_dir",
    "value_in_year",
]
