"""Compiled loops (numba) for what every person does every month.

Each kernel is one pass over the people arrays doing what several numpy expressions would do
in several passes (and several temporary arrays). They hold no behaviour of their own: the
agent methods in ``sim.agents`` call them with the parameters, and their docstrings state the
rules. Compiled on first use and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Status codes (sim.domain.Status), as plain ints for compiled code.
TITP_1, TITP_2, TITP_3, ESD, SSW_1, SSW_2, IRREGULAR, RETURNED, REMOVED = range(9)


@njit(cache=True)
def pay_of(s, f, pref, offer_yen, underpaying, base_pay_yen, ssw_wage_premium, wage_theft_share, irregular_wage_factor):  # pragma: no cover
    """One person's gross pay this month: the employer's offer (plus the SSW premium, less wage
    theft where the employer underpays); irregular work at a multiple of local minimum-wage pay;
    nothing between employers or after leaving."""
    if s <= SSW_2 and f >= 0:
        pay = offer_yen[f]
        if s == SSW_1 or s == SSW_2:
            pay *= 1.0 + ssw_wage_premium
        if underpaying[f]:
            pay *= 1.0 - wage_theft_share
        return pay
    if s == IRREGULAR:
        return irregular_wage_factor * base_pay_yen[pref]
    return 0.0


@njit(cache=True)
def pay_all(status, firm, pref, offer_yen, underpaying, base_pay_yen, ssw_wage_premium, wage_theft_share, irregular_wage_factor):  # pragma: no cover
    out = np.zeros(status.shape[0])
    for i in range(status.shape[0]):
        out[i] = pay_of(status[i], firm[i], pref[i], offer_yen, underpaying, base_pay_yen,
                        ssw_wage_premium, wage_theft_share, irregular_wage_factor)
    return out


@njit(cache=True)
def work_month(
    status, firm, pref, months_in_japan, months_in_status, months_with_employer, months_searching,
    wage_yen, debt_yen, savings_yen, remitted_yen,
    offer_yen, underpaying, base_pay_yen,
    ssw_wage_premium, wage_theft_share, irregular_wage_factor, debt_interest_monthly,
    deductions_share, living_cost_yen, repay_share, remit_share,
):  # pragma: no cover - compiled
    for i in range(status.shape[0]):
        s = status[i]
        if s >= RETURNED:
            continue
        months_in_japan[i] += 1
        months_in_status[i] += 1
        f = firm[i]
        if s <= SSW_2 and f >= 0:
            months_with_employer[i] += 1
        elif s <= SSW_2:
            months_searching[i] += 1
        pay = pay_of(s, f, pref[i], offer_yen, underpaying, base_pay_yen, ssw_wage_premium, wage_theft_share, irregular_wage_factor)
        wage_yen[i] = pay
        debt = debt_yen[i] * (1.0 + debt_interest_monthly)
        net = pay * (1.0 - deductions_share) - living_cost_yen
        if net >= 0.0:
            repay = min(debt, net * repay_share)
            debt -= repay
            rest = net - repay
            remit = rest * remit_share
            savings_yen[i] += rest - remit
            remitted_yen[i] += remit
        else:
            shortfall = -net
            from_savings = min(savings_yen[i], shortfall)
            savings_yen[i] -= from_savings
            debt += shortfall - from_savings
        debt_yen[i] = debt


@njit(cache=True)
def learn(status, firm, skill, japanese, aptitude, training_quality, skill_per_month, japanese_per_month):  # pragma: no cover
    for i in range(status.shape[0]):
        f = firm[i]
        if status[i] <= SSW_2 and f >= 0:
            skill[i] += skill_per_month * training_quality[f] * aptitude[i]
            japanese[i] += japanese_per_month * aptitude[i]


@njit(cache=True)
def feel(status, firm, grievance, wage_gap, violating, monthly_decay, per_violation, per_wage_gap):  # pragma: no cover
    for i in range(status.shape[0]):
        s = status[i]
        if s >= RETURNED:
            continue
        f = firm[i]
        exposed = 1.0 if (s <= SSW_2 and f >= 0 and violating[f]) else 0.0
        grievance[i] = grievance[i] * monthly_decay + per_violation * exposed + per_wage_gap * wage_gap[i]


@njit(cache=True)
def hear(contacts, status, firm, offer_yen, known_wage_yen, wage_gap, irregular_contact):  # pragma: no cover
    n, k = contacts.shape[0], contacts.shape[1]
    # What each person tells their contacts: their employer's offer, -1 if irregular, else 0.
    # One small array read at random is much cheaper than status, firm and offer each.
    tells = np.zeros(n)
    for i in range(n):
        s = status[i]
        if s == IRREGULAR:
            tells[i] = -1.0
        elif s <= SSW_2 and firm[i] >= 0:
            tells[i] = offer_yen[firm[i]]
    for i in range(n):
        if status[i] >= RETURNED:
            continue
        heard = 0.0
        irregular = False
        for j in range(k):
            c = contacts[i, j]
            if c >= 0:
                told = tells[c]
                if told < 0.0:
                    irregular = True
                elif told > heard:
                    heard = told
        known_wage_yen[i] = heard
        own = tells[i]
        wage_gap[i] = max(heard - own, 0.0) / own if own > 0.0 else 0.0
        irregular_contact[i] = irregular


@njit(cache=True)
def choose_acts(
    u, status, firm, debt_yen, grievance, wage_gap, irregular_contact, legal_exit,
    months_in_japan, months_in_status, wants_long_stay,
    max_trainee_months, ssw1_max_months, ssw1_open, ssw2_open, end_window,
    base, per_debt, per_grievance, per_gap, per_irregular, legal_exit_factor, end_factor,
    return_base, return_per_grievance, ssw2_return, seek_base, seek_per_gap, seek_per_grievance,
):  # pragma: no cover - compiled
    """Per person: -1 not a legal resident, 0 carry on, 1 disappear, 2 go home, 3 seek a transfer,
    4 carry on looking for an employer (between employers after a release).

    ``u`` holds one uniform draw per legal resident, in row order.
    """
    out = np.full(status.shape[0], -1, dtype=np.int8)
    j = 0
    for i in range(status.shape[0]):
        s = status[i]
        if s > SSW_2:
            continue
        x = u[j]
        j += 1
        g, gap = grievance[i], wage_gap[i]
        # Near the end of the permitted stay, with no legal way to stay on?
        if s <= ESD:
            left = max_trainee_months - months_in_japan[i]
            path = ssw1_open
        elif s == SSW_1:
            left = ssw1_max_months - months_in_status[i]
            path = ssw2_open
        else:
            left = 1_000_000
            path = True
        near_end = left <= end_window and wants_long_stay[i] and not path
        log_h = per_debt * debt_yen[i] / 500_000.0 + per_grievance * g + per_gap * gap
        if irregular_contact[i]:
            log_h += per_irregular
        h_a = base * np.exp(log_h)
        if legal_exit[i]:
            h_a *= legal_exit_factor
        if near_end:
            h_a *= end_factor
        h_a = min(h_a, 0.5)
        h_r = ssw2_return if s == SSW_2 else return_base + return_per_grievance * g
        h_r = min(h_r, 0.5)
        h_s = 0.0
        if legal_exit[i] and firm[i] >= 0:
            h_s = min(seek_base + seek_per_gap * gap + seek_per_grievance * g, 0.5)
        if x < h_a:
            out[i] = 1
        elif x < h_a + h_r:
            out[i] = 2
        elif x < h_a + h_r + h_s:
            out[i] = 3
        elif firm[i] < 0:
            out[i] = 4
        else:
            out[i] = 0
    return out


@njit(cache=True)
def climb(
    status, months_in_japan, months_in_status, wants_long_stay, tests_passed, firm, compliance,
    max_trainee, excellent_compliance, ssw1_availability, ssw2_open, stage_iii_open, exempt_after_ii,
    ssw1_tests, ssw2_tests, basic_bit, grade3_bit, grace_months, ssw1_max_months, u,
):  # pragma: no cover - compiled
    """Per person: 0 stays as is, 1 -> TITP ii, 2 -> TITP iii, 3 -> SSW i, 4 -> SSW ii, 5 leaves Japan.

    ``ssw1_availability`` is the chance that the SSW i path is open to a given person this month
    (1 once it is fully open); below 1, person ``i`` finds it open if ``u[i]`` is below it.
    """
    out = np.zeros(status.shape[0], dtype=np.int8)
    end_i_at = min(12, max_trainee)
    end_ii_at = min(36, max_trainee)
    for i in range(status.shape[0]):
        s = status[i]
        if s > SSW_1:
            continue
        ssw1_open = ssw1_availability >= 1.0 or (ssw1_availability > 0.0 and u[i] < ssw1_availability)
        m = months_in_japan[i]
        wants = wants_long_stay[i]
        tests = tests_passed[i]
        if s == TITP_1:
            if m >= end_i_at:
                out[i] = 1 if ((tests & basic_bit) and max_trainee > 12) else 5
        elif s == TITP_2:
            if m >= end_ii_at:
                if wants and ssw1_open and (exempt_after_ii or (tests & ssw1_tests) == ssw1_tests):
                    out[i] = 3
                elif wants and stage_iii_open and firm[i] >= 0 and compliance[firm[i]] >= excellent_compliance and (tests & grade3_bit):
                    out[i] = 2
                else:
                    out[i] = 5
        elif s == TITP_3:
            if m >= max_trainee:
                out[i] = 3 if (wants and ssw1_open) else 5
        elif s == ESD:
            if m >= max_trainee:
                if wants and ssw1_open and (tests & ssw1_tests) == ssw1_tests:
                    out[i] = 3
                elif wants and ssw1_open and m < max_trainee + grace_months:
                    out[i] = 0
                else:
                    out[i] = 5
        else:  # SSW i
            if wants and ssw2_open and (tests & ssw2_tests) == ssw2_tests:
                out[i] = 4
            elif months_in_status[i] >= ssw1_max_months:
                out[i] = 5
    return out


@njit(cache=True)
def match(
    order, home, employed, min_offer, same_field, capped, field, pref, transferee,
    firm_nbr_ptr, firm_nbr, body_of_firm, member_ptr, members, placement_draws, contacts, person_firm,
    offer, noise, demand, headcount, esd_headcount, esd_transferees, sanctioned_until, month,
    firm_field, firm_pref, metro, metro_share, firm_share, is_esd,
):  # pragma: no cover - compiled
    """Seekers, in random priority order, each take the best-paying acceptable firm they can reach.

    Reachable from ``home``: its firm ties, ``placement_draws`` member firms of its supervisory
    body, the employers of one's contacts. Acceptable: not barred, a vacancy, offer >= the
    seeker's minimum, the field rule, and for ESD workers from another prefecture the caps on
    transferees. Counts (``headcount`` ... copies) follow each move, so later seekers see the
    vacancy a mover left and the one they filled. Returns each seeker's new firm, -1 for none.
    """
    result = np.full(order.shape[0], -1, dtype=np.int64)
    for s in order:
        h = home[s]
        best, best_score = -1, -1.0
        body = body_of_firm[h]
        n_members = member_ptr[body + 1] - member_ptr[body]
        n_ties = firm_nbr_ptr[h + 1] - firm_nbr_ptr[h]
        n_draws = placement_draws.shape[1]
        n_contacts = contacts.shape[1]
        for k in range(n_ties + n_draws + n_contacts):
            if k < n_ties:
                c = firm_nbr[firm_nbr_ptr[h] + k]
            elif k < n_ties + n_draws:
                c = members[member_ptr[body] + int(placement_draws[s, k - n_ties] * n_members)]
            else:
                who = contacts[s, k - n_ties - n_draws]
                c = person_firm[who] if who >= 0 else -1
            if c < 0 or c == h:
                continue
            if sanctioned_until[c] > month or demand[c] - headcount[c] < 1.0 or offer[c] < min_offer[s]:
                continue
            if same_field[s] and firm_field[c] != field[s]:
                continue
            if capped[s] and firm_pref[c] != pref[s]:
                after_t, after_e = esd_transferees[c] + 1.0, esd_headcount[c] + 1.0
                if metro[firm_pref[c]] and metro_share < 1.0 and after_t > metro_share * after_e + 1e-9:
                    continue
                if firm_share < 1.0 and after_t > firm_share * after_e + 1e-9:
                    continue
            score = offer[c] * (1.0 + 1e-6 * noise[c])
            if score > best_score:
                best, best_score = c, score
        if best < 0:
            continue
        result[s] = best
        headcount[best] += 1
        if employed[s]:
            headcount[h] -= 1
        if is_esd[s]:
            esd_headcount[best] += 1
            if firm_pref[best] != pref[s]:
                esd_transferees[best] += 1
            if employed[s]:
                esd_headcount[h] -= 1
                if transferee[s]:
                    esd_transferees[h] -= 1
    return result


@njit(cache=True)
def tally(status, firm, pref_metro, wage_yen, debt_yen, savings_yen, remitted_yen, skill, japanese, grievance):  # pragma: no cover
    """Counts and sums over people for the monthly row; the employed's wages for percentiles."""
    counts = np.zeros(9, dtype=np.int64)
    sums = np.zeros(12)  # wage, debt, in_debt, savings, remitted, skill, japanese, grievance, metro, searching,
    # trainee wage, employed trainees
    wages = np.empty(status.shape[0], dtype=np.float32)
    n_wages = 0
    for i in range(status.shape[0]):
        s = status[i]
        counts[s] += 1
        if s >= RETURNED:
            continue
        sums[1] += debt_yen[i]
        if debt_yen[i] > 1.0:
            sums[2] += 1
        sums[3] += savings_yen[i]
        sums[4] += remitted_yen[i]
        if pref_metro[i]:
            sums[8] += 1
        if s <= SSW_2:
            sums[5] += skill[i]
            sums[6] += japanese[i]
            sums[7] += grievance[i]
            if firm[i] >= 0 and wage_yen[i] > 0.0:  # not those hired after this month's payday
                wages[n_wages] = wage_yen[i]
                sums[0] += wage_yen[i]
                n_wages += 1
                if s <= ESD:
                    sums[10] += wage_yen[i]
                    sums[11] += 1
            elif firm[i] < 0:
                sums[9] += 1
    return counts, sums, wages[:n_wages]
