"""ODD 7.1 Wage offers: the minimum-wage index and each firm's monthly base wage offer.

Phase 0 of every month, and again after wage adjustment (phase 12, ``sim.processes.firms``).

    index(t)        = (1 + min_wage_growth_per_year) ^ floor(t / 12), or the national average
                      of the fiscal year over FY2024's when ``min_wage_national_average_yen`` is set
    base_pay_yen[r] = min_wage_fy2024[r] x hours_per_month x index(t)     (prefecture r)
    offer_yen[j]    = base_pay_yen[pref[j]] x markup[j]                    (firm j)

Parameters: ``world.hours_per_month``, ``world.min_wage_growth_per_year``,
``world.min_wage_national_average_yen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import LabourMarket


def min_wage_index(model: LabourMarket) -> float:
    """The minimum-wage level now relative to the FY2024 prefecture table.

    With ``min_wage_national_average_yen`` (by fiscal year; a fiscal year's rate applies from
    October) the ratio of this year's national average to FY2024's; otherwise
    ``min_wage_growth_per_year`` compounded for each full year run.
    """
    w = model.world
    if w.min_wage_national_average_yen:
        year, month = model.calendar()
        fiscal = year if month >= 10 else year - 1
        table = w.min_wage_national_average_yen
        known = [y for y in table if y <= fiscal] or [min(table)]
        return table[max(known)] / table[2024]
    return (1.0 + w.min_wage_growth_per_year) ** ((model.month - model.first_month) // 12)


def update_offers(model: LabourMarket) -> None:
    """Each firm's monthly base wage offer: prefecture minimum wage x hours x markup."""
    base_pay_yen = model.geo.min_wage_yen_per_hour * model.world.hours_per_month * min_wage_index(model)
    model.ledger.set_offers(base_pay_yen, base_pay_yen[model.firms.pref] * model.firms.markup)
