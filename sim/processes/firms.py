"""ODD 7.14-7.16 Firms: closures and new owners, wage adjustment, demand.

* Closures (phase 11, ``close_some``): each firm closes with ``firm_closure_monthly``; all its
  workers are released and search at once (an unavoidable transfer); a new owner reopens on the
  node with new owner traits (``new_owner_traits``: markup and compliance, drawn as at the start)
  and no pending violations, inspection record or bar (the inspection cycle goes on); staff, intake cap and training quality stay (assumption).
* Wage adjustment (phase 12, ``adjust_wages``): where the policy lets firms respond, a firm that
  lost workers to quits this month raises its markup by ``wage_raise_step``, one short of staff by
  a quarter of that, up to ``wage_markup_ceiling``; a firm with all the staff it wants and no
  quits lowers it by ``wage_cut_step`` (slowly: wages are stickier down than up, assumption);
  the policy's wage floor binds everyone; offers are recomputed.
* Demand (phase 13, ``update_demand``): every firm's demand grows at ``demand_growth_per_year``.

Parameters: ``behaviour.firms`` (``FirmBehaviourConfig``), ``world.firm_closure_monthly``,
``world.demand_growth_per_year``, ``world.wage_markup_mean``/``_sd``, ``behaviour.violations``
(compliance distribution); policy: wage floor, whether firms raise wages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.processes import matching, offers

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of closures and (keyed by the firm's row) of new owners' traits.
STREAM = "closures"

#: A firm short of staff raises its markup by this share of a step (one that lost quits: a full step).
SHORT_OF_STAFF_STEP = 0.25


def new_owner_traits(model: LabourMarket, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Markup (at least 1) and compliance of ``n`` new owners: the draws of the initial firms too."""
    w, v = model.world, model.behaviour.violations
    markup = np.maximum(1.0, rng.normal(w.wage_markup_mean, w.wage_markup_sd, n))
    compliance = rng.beta(v.compliance_alpha, v.compliance_beta, n)
    return markup, compliance


def close(model: LabourMarket, firm_rows: np.ndarray) -> None:
    """These firms close: every worker is released and searches; a new owner reopens each."""
    matching.release(model, firm_rows, trainees_only=False)
    f = model.firms
    for row in firm_rows:
        markup, compliance = new_owner_traits(model, model.rng_for(STREAM, int(row)), 1)
        f.markup[row], f.compliance[row] = markup[0], compliance[0]
        f.violations_pending[row] = 0
        f.violations_since_inspection[row] = 0
        f.warned[row] = False
        f.barred_until[row] = -1
    model.ledger.count_firm_flow("firm_closures", firm_rows)


def close_some(model: LabourMarket) -> None:
    """Phase 11: a few firms close each month (``firm_closure_monthly``)."""
    f = model.firms
    close(model, np.flatnonzero(model.rng_for(STREAM).random(f.n) < model.world.firm_closure_monthly))


def adjust_wages(model: LabourMarket) -> None:
    """Phase 12: firms that lost workers to quits raise their markup, ones with vacancies a little;
    ones with all the staff they want and no quits lower it (the market no longer pays the premium)."""
    f, b, wages = model.firms, model.behaviour.firms, model.scenario.policy.wages
    if wages.firms_raise_wages and (b.wage_raise_step > 0 or b.wage_cut_step > 0):
        quits = f.quits_this_month > 0
        short = f.demand - f.headcount >= 1
        step = b.wage_raise_step * (quits + SHORT_OF_STAFF_STEP * short) - b.wage_cut_step * (~quits & ~short)
        f.markup[:] = np.minimum(f.markup * (1.0 + step), np.maximum(b.wage_markup_ceiling, f.markup))
    np.maximum(f.markup, wages.wage_floor_markup, out=f.markup)
    f.quits_this_month[:] = 0
    offers.update_offers(model)


def update_demand(model: LabourMarket) -> None:
    """Phase 13: labour demand grows at the world's yearly rate (the shortage deepens): the
    calendar year's own where data give it (``demand_growth_by_year``), else ``demand_growth_per_year``."""
    w = model.world
    growth = (1.0 + w.demand_growth_by_year.get(model.calendar()[0], w.demand_growth_per_year)) ** (1.0 / 12.0)
    model.firms.demand *= np.float32(growth)
