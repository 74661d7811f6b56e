"""Names of the domain: statuses, fields, origins and the ESD metro prefectures.

Kept in one small module so that the model, the scenario schema and the outputs agree on the
spelling of every category.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Residence status of a person the model has let into Japan (stored as int8 in arrays)."""

    TITP_1 = 0  # Technical Intern Training (i): first year
    TITP_2 = 1  # TITP (ii): years 2-3
    TITP_3 = 2  # TITP (iii): years 4-5, only at "excellent" firms
    ESD = 3  # Employment for Skill Development (2027-): a 3-year programme
    SSW_1 = 4  # Specified Skilled Worker (i): up to 5 years, job change within field
    SSW_2 = 5  # SSW (ii): renewable without limit, family allowed
    CARE_WORKER = 6  # 介護 (Nursing Care): a Certified Care Worker (介護福祉士); renewable without limit, family allowed
    IRREGULAR = 7  # "disappeared": working without valid status
    RETURNED = 8  # left Japan on their own (end of stay, gave up, self-departure)
    REMOVED = 9  # apprehended and deported
    NATURALISED = 10  # became a Japanese national: left the foreign population (sim.processes.permanence)
    DIED = 11  # died in Japan (sim.processes.families.die)


TRAINEE_STATUSES = (Status.TITP_1, Status.TITP_2, Status.TITP_3, Status.ESD)
TITP_STATUSES = (Status.TITP_1, Status.TITP_2, Status.TITP_3)
SSW_STATUSES = (Status.SSW_1, Status.SSW_2)

#: The field whose SSW i holders have their own route to a long stay (no SSW ii there): the
#: Certified Care Worker exam (介護福祉士), then the status 介護 (``Status.CARE_WORKER``).
CARE_FIELD = "nursing_care"

#: Fields (sectors) of the model, in array order. The design names these eight (docs/design.md §2).
FIELDS: tuple[str, ...] = (
    "construction",
    "food_manufacturing",
    "machinery_metal",
    "agriculture",
    "textiles",
    "nursing_care",
    "fishery",
    "other",
)

#: The real (ESD/SSW) fields that the model's field "other" pools: a firm in "other" draws one of
#: them by ``world.other_field_shares`` (esd_fields.csv; the rules by field read them). TITP's
#: "other" occupations (welding, plastic moulding, painting, packaging ...) are industrial
#: products under ESD. Aviation and motor transport are SSW-only (no ESD): not drawn.
OTHER_FIELDS: tuple[str, ...] = (
    "industrial_products",
    "food_service",
    "building_cleaning",
    "accommodation",
    "shipbuilding",
    "automobile_repair",
    "linen_supply",
    "railway",
    "logistics_warehouse",
    "forestry",
    "wood_industry",
    "resource_recycling",
)

#: A firm's real field (``firms.real_field``): its model field for the first seven, else
#: ``len(FIELDS) - 1 + OTHER_FIELDS.index(...)`` (the field "other" itself is never a real field).
REAL_FIELDS: tuple[str, ...] = FIELDS[:-1] + OTHER_FIELDS

#: Countries of origin, in array order ("other" pools the rest).
ORIGINS: tuple[str, ...] = (
    "vietnam",
    "china",
    "indonesia",
    "philippines",
    "myanmar",
    "cambodia",
    "other",
)

#: JIS codes of the 8 prefectures whose firms are capped in taking ESD transferees from
#: other areas (Tokyo, Kanagawa, Saitama, Chiba, Aichi, Osaka, Kyoto, Hyogo; docs/domain.md, ESD details).
METRO_PREF_CODES: frozenset[int] = frozenset({11, 12, 13, 14, 23, 26, 27, 28})

#: Tests the rules can name, as bits of a person's ``tests_passed`` mask.
TEST_BITS: dict[str, int] = {
    "basic_skill": 1,  # TITP basic grade / ESD year-1 skills test
    "japanese_a1": 2,  # JLPT N5 or equivalent
    "skill_grade3": 4,  # grade-3 skills test (SSW i level)
    "japanese_a2": 8,  # JLPT N4
    "skill_ssw2": 16,  # SSW ii skills test
    "japanese_b1": 32,  # JLPT N3
    "skill_ssw2_near": 64,  # scored at least ``stay.ssw1_extension_pass_share`` of the SSW ii pass mark
    "care_worker_exam": 128,  # the national Certified Care Worker exam (介護福祉士国家試験)
}


class Residence(IntEnum):
    """What a person's right to stay rests on (stored as int8): their work status, or a settled status.

    A settled person keeps ``status`` as the programme they came through (so the ladder's and
    the firms' bookkeeping stay as they are) but is no longer bound by its end of stay
    (``sim.processes.permanence``).
    """

    WORK = 0  # the residence status in ``status`` (TITP, ESD, SSW i/ii, or none if irregular)
    SPOUSE_OF_JAPANESE = 1  # 日本人の配偶者等: married to a Japanese national
    PERMANENT = 2  # 永住者: permanent residence


class Spouse(IntEnum):
    """A person's spouse, if any (stored as int8)."""

    NONE = 0
    COMPATRIOT = 1  # a foreign national (lives in Japan as a dependant when ``family_in_japan``)
    JAPANESE = 2  # a Japanese national (in Japan; not a foreign resident)
