"""The settlement columns of the monthly tables: settled residents, families, costs and contributions.

Definitions, units and sources are in docs/outputs.md ("Settlement"). Counted from the people
arrays at the end of each month by ``add_person`` (the ``TALLY`` columns), per cell (prefecture x
field x origin), then summed into each group of every grouping (prefectures, then fields, then
origins, as ``outputs.GroupFlows.offsets``); the national value of a count is the sum over the
prefectures (everyone is in exactly one). ``add_person`` is called from the one monthly pass over
everyone, ``sim.outputs.month_tally_kernel``, which makes the national and by-group tallies in the
same loop (one read of the people arrays, not three). The stocks by work status of
``sim.outputs`` (``stock_titp`` ... ``stock_care_worker``) count only people whose stay rests on that
status: ``correct_status_stocks`` takes the settled out of them (they are ``stock_spouse_of_japanese``
and ``stock_permanent``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import Residence, Spouse, Status
from sim.processes.codes import column_by_status, column_index, of_kind
from sim.processes.families import (
    SCHOOL_AGE_FROM_MONTHS,
    SCHOOL_AGE_TO_MONTHS,
    WORKING_AGE_FROM_MONTHS,
    WORKING_AGE_TO_MONTHS,
)

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Flows of the settlement submodels (families 7.19, permanence 7.20, integration 7.21), counted by group too.
FLOW_COLUMNS: tuple[str, ...] = (
    "marriages_compatriot", "marriages_japanese", "family_arrivals", "births", "births_japanese_nationality",
    "family_departures", "to_spouse_of_japanese", "to_permanent", "naturalisations", "family_naturalised",
    "returns_settled", "integration_cost_yen", "deaths", "family_bereaved",
)

#: The kernel's columns, in order (counts of people unless the name says yen or months).
TALLY: tuple[str, ...] = (
    "principals", "stock_permanent", "stock_spouse_of_japanese", "stock_long_term", "family_dependants",
    "family_of_permanent", "family_of_irregular", "children_in_japan", "school_age_children", "japanese_family",
    "foreign_working_age", "health_insured", "pension_contributors", "wages_total_yen", "age_sum_months",
    "settled_titp", "settled_titp3", "settled_esd", "settled_ssw1", "settled_ssw2", "aged_65_plus",
    "settled_care_worker",
)
#: The position of each column of ``TALLY`` by name (``TALLY_COLUMN.principals``), for the compiled tally.
TALLY_COLUMN = column_index("TallyColumn", TALLY)
_T = TALLY_COLUMN._asdict()
N_TALLY = len(TALLY)
#: The ``settled_*`` column of each legal status code (the settled by the work status they came through).
SETTLED_COLUMN = column_by_status(TALLY, prefix="settled_")
WAGES = _T["wages_total_yen"]

#: Stocks and states of the national table (after ``sim.outputs.STATE_COLUMNS``).
STATE_COLUMNS: tuple[str, ...] = (
    "stock_spouse_of_japanese", "stock_permanent", "stock_long_term", "family_in_japan", "family_dependants",
    "family_of_permanent", "family_of_irregular", "children_in_japan", "school_age_children", "japanese_family",
    "foreign_residents_modelled", "foreign_share_working_age", "age_mean_years", "health_insured",
    "pension_contributors", "wages_total_yen", "contributions_yen", "naturalised_total", "died_total", "aged_65_plus",
)

#: States by group (prefecture, field, origin); ``foreign_share_working_age`` for prefectures only.
GROUP_STATE_COLUMNS: tuple[str, ...] = (
    "stock_spouse_of_japanese", "stock_permanent", "stock_long_term", "family_in_japan", "school_age_children",
    "foreign_residents_modelled", "foreign_share_working_age", "health_insured", "pension_contributors",
    "wages_total_yen", "contributions_yen",
)
#: Flows by group (all the settlement flows).
GROUP_FLOW_COLUMNS: tuple[str, ...] = FLOW_COLUMNS

WORK, PERMANENT = int(Residence.WORK), int(Residence.PERMANENT)
COMPATRIOT, JAPANESE = int(Spouse.COMPATRIOT), int(Spouse.JAPANESE)


class Columns(NamedTuple):
    """The people columns the settlement tally reads (rows ``:n``), for ``sim.outputs.month_tally_kernel``."""

    residence: np.ndarray
    spouse: np.ndarray
    family_in_japan: np.ndarray
    children: np.ndarray
    child1_birth_month: np.ndarray
    child2_birth_month: np.ndarray
    child3_birth_month: np.ndarray
    birth_month: np.ndarray
    months_in_japan: np.ndarray

    @classmethod
    def of(cls, people, n: int) -> Columns:
        return cls(*(getattr(people, name)[:n] for name in cls._fields))


@njit(cache=True, inline="always")
def children_by_age(children, birth1, birth2, birth3, month):  # pragma: no cover - compiled
    """A worker's children (their slots ``child1..3_birth_month``): how many, how many of
    compulsory-school age and how many of working age, as floats (the tally's units)."""
    n_children = 0.0
    n_school = 0.0
    n_working = 0.0
    for k in range(children):
        b = birth1 if k == 0 else (birth2 if k == 1 else birth3)
        a = month - b
        n_children += 1.0
        if SCHOOL_AGE_FROM_MONTHS <= a < SCHOOL_AGE_TO_MONTHS:
            n_school += 1.0
        if WORKING_AGE_FROM_MONTHS <= a < WORKING_AGE_TO_MONTHS:
            n_working += 1.0
    return n_children, n_school, n_working


@njit(cache=True, inline="always")
def add_person(out, g, s, r, sp, family_in_japan, age, n_children, n_school, n_working, months_in_japan,
               paid, kinds, settled_column):  # pragma: no cover - compiled
    """Count one person in Japan (status ``s``, residence ``r``, spouse ``sp``, age in
    months ``age``) and the family living with them in row ``g`` of ``out`` (the ``TALLY`` columns
    but ``wages_total_yen``).

    Called for each person by the one monthly pass over everyone, ``sim.outputs.month_tally_kernel``
    (which also makes the other tallies of the monthly rows), with ``g`` the person's cell
    (prefecture x field x origin), summed into the groups afterwards; ``paid``: employed and paid
    this month; ``kinds``: ``codes.STATUS_KINDS``; ``settled_column``: ``SETTLED_COLUMN``.
    ``wages_total_yen`` is the by-group wage sum of that pass (the same people).
    """
    here = family_in_japan and sp == COMPATRIOT
    out[g, TALLY_COLUMN.principals] += 1.0
    if r == PERMANENT:
        out[g, TALLY_COLUMN.stock_permanent] += 1.0
    elif r != WORK:
        out[g, TALLY_COLUMN.stock_spouse_of_japanese] += 1.0
    if months_in_japan >= 60:
        out[g, TALLY_COLUMN.stock_long_term] += 1.0
    if WORKING_AGE_FROM_MONTHS <= age < WORKING_AGE_TO_MONTHS:
        out[g, TALLY_COLUMN.foreign_working_age] += 1.0
    elif age >= WORKING_AGE_TO_MONTHS:
        out[g, TALLY_COLUMN.aged_65_plus] += 1.0 + (1.0 if here else 0.0)  # and a compatriot spouse in Japan, of the same age
    out[g, TALLY_COLUMN.age_sum_months] += age
    if sp == JAPANESE:
        out[g, TALLY_COLUMN.japanese_family] += 1.0 + n_children  # a Japanese spouse and Japanese children
    elif here:
        family = 1.0 + n_children
        if s == kinds.irregular:
            out[g, TALLY_COLUMN.family_of_irregular] += family
        elif r == PERMANENT:
            out[g, TALLY_COLUMN.family_of_permanent] += family
        else:
            out[g, TALLY_COLUMN.family_dependants] += family
        out[g, TALLY_COLUMN.children_in_japan] += n_children
        out[g, TALLY_COLUMN.school_age_children] += n_school
        if WORKING_AGE_FROM_MONTHS <= age < WORKING_AGE_TO_MONTHS:
            out[g, TALLY_COLUMN.foreign_working_age] += 1.0  # the spouse, taken to be of the worker's age
        out[g, TALLY_COLUMN.foreign_working_age] += n_working
        if of_kind(kinds.legal, s):
            out[g, TALLY_COLUMN.health_insured] += family
    if of_kind(kinds.legal, s):
        out[g, TALLY_COLUMN.health_insured] += 1.0
        if paid:
            out[g, TALLY_COLUMN.pension_contributors] += 1.0
        if r != WORK:  # settled, by the work status they came through
            out[g, settled_column[s]] += 1.0
            if s == kinds.titp_3:
                out[g, TALLY_COLUMN.settled_titp3] += 1.0


def _states(model: LabourMarket, t: np.ndarray, working_age: np.ndarray | None) -> dict[str, np.ndarray]:
    """The state columns from tally rows ``t`` (one row per group, or one national row)."""
    family = t[:, _T["family_dependants"]] + t[:, _T["family_of_permanent"]] + t[:, _T["family_of_irregular"]]
    wages = t[:, _T["wages_total_yen"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.full(len(t), np.nan) if working_age is None else t[:, _T["foreign_working_age"]] / working_age
        principals = t[:, _T["principals"]]
        age = np.where(principals > 0, t[:, _T["age_sum_months"]] / 12.0 / principals, np.nan)
    out = {name: t[:, _T[name]] for name in (
        "stock_spouse_of_japanese", "stock_permanent", "stock_long_term", "family_dependants", "family_of_permanent",
        "family_of_irregular", "children_in_japan", "school_age_children", "japanese_family", "health_insured",
        "pension_contributors", "wages_total_yen", "aged_65_plus")}
    out.update(
        family_in_japan=family, foreign_residents_modelled=principals + family, foreign_share_working_age=share,
        age_mean_years=age, contributions_yen=wages * model.behaviour.settlement.public_contribution_share,
    )
    return out


def national(model: LabourMarket, t: np.ndarray, status_counts: np.ndarray) -> dict[str, float]:
    """The national settlement columns from the by-group tally (sums over the prefectures) and the
    month's people by status code (``status_counts``, agent counts, rows not yet archived)."""
    n_pref = model.group_flows.sizes["prefecture"]
    total = t[:n_pref].sum(axis=0, keepdims=True)
    working = model.geo.working_age_population
    known = np.isfinite(working)
    states = _states(model, total, None)
    row = {name: float(states[name][0]) for name in STATE_COLUMNS if name in states}
    # The national share over the prefectures whose working-age population is known.
    here_known = t[:n_pref][known, _T["foreign_working_age"]].sum()
    row["foreign_share_working_age"] = float(here_known / working[known].sum()) if known.any() else float("nan")
    p = model.people
    row["naturalised_total"] = (int(status_counts[Status.NATURALISED]) + p.archived_naturalised) / model.scale
    row["died_total"] = (int(status_counts[Status.DIED]) + p.archived_died) / model.scale
    return row


def correct_status_stocks(row: dict[str, float], t: np.ndarray, n_pref: int) -> None:
    """Take the settled out of the national stocks by work status (they are counted as settled residents)."""
    total = t[:n_pref].sum(axis=0)
    row["stock_titp"] -= float(total[_T["settled_titp"]])
    row["stock_titp3"] -= float(total[_T["settled_titp3"]])
    row["stock_esd"] -= float(total[_T["settled_esd"]])
    row["stock_ssw1"] -= float(total[_T["settled_ssw1"]])
    row["stock_ssw2"] -= float(total[_T["settled_ssw2"]])
    row["stock_care_worker"] -= float(total[_T["settled_care_worker"]])


def by_group(model: LabourMarket, t: np.ndarray, out: np.ndarray, col: dict[str, int]) -> None:
    """Fill the settlement columns of this month's by-group rows ``out`` (columns ``col``), and take the
    settled out of the stocks by work status."""
    n_pref = model.group_flows.sizes["prefecture"]
    working = np.full(len(t), np.nan)
    working[:n_pref] = model.geo.working_age_population
    states = _states(model, t, working)
    for name in GROUP_STATE_COLUMNS:
        out[:, col[name]] = states[name]
    for status_col, settled_col in (("stock_titp", "settled_titp"), ("stock_esd", "settled_esd"), ("stock_ssw1", "settled_ssw1"),
                                    ("stock_ssw2", "settled_ssw2"), ("stock_care_worker", "settled_care_worker")):
        out[:, col[status_col]] -= t[:, _T[settled_col]]
