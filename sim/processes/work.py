"""ODD 7.4 Work, pay and money: everyone ages a month, is paid, repays debt, remits and saves.

Phase 3, for everyone in Japan:

* time: ``months_in_japan`` and ``months_in_status`` +1; ``months_with_employer`` +1 at work,
  ``months_searching`` +1 for a legal resident between employers;
* gross pay (``pay_of``): the employer's offer, x (1 + ``ssw_wage_premium``) for SSW and 介護 holders (a certified care worker taken to earn at least as much: assumption),
  x (1 + ``longer_wait_pay_raise``) for ESD workers past their first year at a firm that keeps an
  ESD waiting period longer than a year (``policy.longer_wait_raise``: the firm must raise pay
  after the first year [P]), x (1 - ``wage_theft_share``) where the employer underpays this month; irregular workers earn
  ``irregular_wage_factor`` x the local minimum-wage pay; nothing between employers, and
  nothing in the first ``stage_iii_home_leave_months`` of TITP iii (the home leave between
  stages ii and iii, during which the trainee keeps the place and the residence status);
* money: debt grows by ``debt_interest_monthly``; net pay = pay x (1 - ``deductions_share``) -
  ``living_cost_yen``; a positive net repays debt first (``repay_share`` of it), the rest is
  split between remittances (``remit_share``) and savings; a shortfall eats savings, then adds
  to debt, so neither savings nor debt can go negative.

Parameters: ``world`` (pay and money: ``PayParams``, ``MoneyParams``),
``behaviour.violations.wage_theft_share``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.params import bind, part
from sim.policy import ONE_YEAR_MONTHS
from sim.processes.codes import STATUS_KINDS, of_kind

if TYPE_CHECKING:
    from sim.model import LabourMarket


class PayParams(NamedTuple):
    """What gross pay depends on besides the employer's offer."""

    ssw_wage_premium: float  # share over the offer paid to SSW holders
    wage_theft_share: float  # share of pay withheld where the employer underpays
    irregular_wage_factor: float  # irregular pay / local minimum-wage pay
    stage_iii_home_leave_months: int  # unpaid months at home at the start of TITP iii
    raise_after_months: int  # ESD workers at a firm keeping a longer wait get its raise after this many months there

    @classmethod
    def of(cls, model: LabourMarket) -> PayParams:
        return bind(cls, part(model.world, "ssw_wage_premium", "irregular_wage_factor"),
                    part(model.behaviour.violations, "wage_theft_share"),
                    part(model.scenario.policy.stay, "stage_iii_home_leave_months"), raise_after_months=ONE_YEAR_MONTHS)


class MoneyParams(NamedTuple):
    """How net pay becomes repayments, remittances and savings."""

    debt_interest_monthly: float  # share of debt added each month
    deductions_share: float  # tax, social insurance, housing deductions, share of gross pay
    living_cost_yen: float  # living costs a month
    repay_share: float  # share of net pay that repays debt
    remit_share: float  # share of the rest sent home

    @classmethod
    def of(cls, model: LabourMarket) -> MoneyParams:
        return bind(cls, part(model.world, *cls._fields))


@njit(cache=True)
def pay_of(s, f, pref, months_in_status, months_with_employer, offer_yen, raise_share, underpaying, base_pay_yen, pay, kinds):  # pragma: no cover
    """One person's gross pay this month (status ``s``, employer ``f``, prefecture ``pref``;
    ``raise_share``: each firm's raise owed to ESD workers after their first year; ``kinds``: ``codes.STATUS_KINDS``)."""
    if s == kinds.titp_3 and months_in_status <= pay.stage_iii_home_leave_months:
        return 0.0
    if of_kind(kinds.legal, s) and f >= 0:
        # offer x (1 + the SSW premium or the ESD raise) x (1 - the share withheld), written with
        # 0/1 factors rather than branches: the loops calling this stay vectorised (the branches
        # made ``work_kernel`` 7x slower) and the products are exactly those of the branches.
        ssw = of_kind(kinds.skilled, s)  # SSW i, ii and 介護: paid as Japanese (care) workers
        raised = (s == kinds.esd) & (months_with_employer > pay.raise_after_months)
        amount = offer_yen[f] * (1.0 + (pay.ssw_wage_premium * ssw + raise_share[f] * raised))
        return amount * (1.0 - pay.wage_theft_share * underpaying[f])
    if s == kinds.irregular:
        return pay.irregular_wage_factor * base_pay_yen[pref]
    return 0.0


@njit(cache=True)
def pay_all(status, firm, pref, months_in_status, months_with_employer, offer_yen, raise_share, underpaying, base_pay_yen, pay, kinds):  # pragma: no cover
    out = np.zeros(status.shape[0])
    for i in range(status.shape[0]):
        out[i] = pay_of(status[i], firm[i], pref[i], months_in_status[i], months_with_employer[i], offer_yen, raise_share,
                        underpaying, base_pay_yen, pay, kinds)
    return out


@njit(cache=True)
def work_kernel(
    status, firm, pref, months_in_japan, months_in_status, months_with_employer, months_searching,
    wage_yen, debt_yen, savings_yen, remitted_yen, offer_yen, raise_share, underpaying, base_pay_yen, pay, money, kinds,
):  # pragma: no cover - compiled
    for i in range(status.shape[0]):
        s = status[i]
        if not of_kind(kinds.in_japan, s):
            continue
        months_in_japan[i] += 1
        months_in_status[i] += 1
        f = firm[i]
        if of_kind(kinds.legal, s) and f >= 0:
            months_with_employer[i] += 1
        elif of_kind(kinds.legal, s):
            months_searching[i] += 1
        gross = pay_of(s, f, pref[i], months_in_status[i], months_with_employer[i], offer_yen, raise_share, underpaying,
                       base_pay_yen, pay, kinds)
        wage_yen[i] = gross
        debt = debt_yen[i] * (1.0 + money.debt_interest_monthly)
        net = gross * (1.0 - money.deductions_share) - money.living_cost_yen
        if net >= 0.0:
            repay = min(debt, net * money.repay_share)
            debt -= repay
            rest = net - repay
            remit = rest * money.remit_share
            savings_yen[i] += rest - remit
            remitted_yen[i] += remit
        else:
            shortfall = -net
            from_savings = min(savings_yen[i], shortfall)
            savings_yen[i] -= from_savings
            debt += shortfall - from_savings
        debt_yen[i] = debt


def work(model: LabourMarket) -> None:
    """Phase 3: a month of time, pay, debt, remittances and savings for everyone in Japan."""
    p, f = model.people, model.firms
    n = p.n
    work_kernel(
        p.status[:n], p.firm[:n], p.pref[:n], p.months_in_japan[:n], p.months_in_status[:n],
        p.months_with_employer[:n], p.months_searching[:n],
        p.wage_yen[:n], p.debt_yen[:n], p.savings_yen[:n], p.remitted_yen[:n],
        model.offer_yen, model.policy.longer_wait_raise(f.waiting_months), f.underpaying, model.base_pay_yen,
        PayParams.of(model), MoneyParams.of(model), STATUS_KINDS,
    )


def pay(model: LabourMarket) -> np.ndarray:
    """This month's gross pay of everyone, by the rule ``work`` applies (``pay_of``)."""
    p = model.people
    n = p.n
    return pay_all(p.status[:n], p.firm[:n], p.pref[:n], p.months_in_status[:n], p.months_with_employer[:n], model.offer_yen,
                   model.policy.longer_wait_raise(model.firms.waiting_months), model.firms.underpaying, model.base_pay_yen,
                   PayParams.of(model), STATUS_KINDS)
