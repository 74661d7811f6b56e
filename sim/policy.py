"""The policy: every question the model asks of what a scenario's rules mean.

A setting whose meaning takes a rule lives here as a question: ``policy.may_leave_employer(...)``
(the right to leave an employer; per person ``Trainee.may_leave_employer``),
``policy.same_field_required(status)``, ``policy.barred_until(month)``, ``policy.ssw1_open(year,
month)``, ``policy.titp_max_months`` and so on, so that what a setting means (a regime, ``None``
for "no cap", the programme behind the entry status, a date) is decided in one place.

A setting used as it stands is not asked here: it is read from the frozen scenario by its key
(``model.scenario.policy.stay.max_trainee_months``, ``model.scenario.policy.supervision``), and
the kernels' parameter tuples bind such keys by name (``sim.params.bind``). A property here that
only returned a setting would be a second name for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.dates import YearMonth
from sim.domain import CARE_FIELD, FIELDS, OTHER_FIELDS, REAL_FIELDS, TEST_BITS, Residence, Status
from sim.params import bind, part
from sim.processes.codes import IS_TRAINEE, STATUS_KINDS, of_kind
from sim.scenario import LearningConfig, PolicyConfig


def test_mask(names: tuple[str, ...]) -> int:
    """The bit mask of a set of named tests (see ``domain.TEST_BITS``)."""
    mask = 0
    for name in names:
        mask |= TEST_BITS[name]
    return mask


#: A cap share of 1 (all transferees allowed) means no cap; kernels take 1.0 for "none".
NO_CAP = 1.0
#: A TITP trainee's longest stay: stages i (1 year), ii (2) and iii (2) [S].
TITP_MAX_MONTHS = 60
#: Months in Japan by the ESD start that stage iii needs in a transition: 12 in stage i + 12 in stage ii [S].
STAGE_III_TRANSITION_MONTHS = 24
#: "No limit" for a model month.
NO_LIMIT = 1_000_000
#: The ESD waiting period a firm may choose in a field whose period is longer (1 year) [S].
ONE_YEAR_MONTHS = 12
#: Months over which the initial costs are prorated by time served (docs/domain.md, ESD).
REIMBURSEMENT_PRORATION_MONTHS = 36.0
#: Statuses each scheme's intake caps count (受入れ見込数 operated as caps on residents).
CAP_STATUSES = {"ssw": (Status.SSW_1, Status.SSW_2), "esd": (Status.ESD,),
                "ssw_and_esd": (Status.ESD, Status.SSW_1, Status.SSW_2)}


class StockCap(NamedTuple):
    """One cap on residents: the statuses counted, the model field (-1: all fields), the cap (real people)."""

    statuses: tuple[Status, ...]
    field: int
    persons: float


#: How ``may_leave_employer`` treats trainees, by ``transfer.regime``: never (unavoidable
#: transfers only), freely, or after the employer's waiting period with the tests required.
TRAINEES_NEVER, TRAINEES_FREE, TRAINEES_AFTER_WAIT = range(3)
#: The real field of the care workers' own route (``domain.CARE_FIELD``).
CARE_REAL_FIELD = REAL_FIELDS.index(CARE_FIELD)


class LeavingRule(NamedTuple):
    """Who may leave their employer at will, as the kernels read it (``policy.transfer``)."""

    esd_only: bool  # the trainee rule covers ESD workers only (an ESD programme), else every trainee status
    trainee_regime: int  # TRAINEES_NEVER / _FREE / _AFTER_WAIT: the code of ``transfer.regime``
    transfer_tests: int  # bit mask of the tests a trainee's move needs (``transfer.requires_tests``)
    ssw_may_transfer: bool  # may SSW holders change employer?

    @classmethod
    def of(cls, config: PolicyConfig) -> LeavingRule:
        t = config.transfer
        # Under an ESD programme, trainees still in TITP (a transition) finish under TITP's rule.
        return bind(cls, part(t, "ssw_may_transfer"), esd_only=config.stay.programme != "titp",
                    trainee_regime={"unavoidable_only": TRAINEES_NEVER, "free": TRAINEES_FREE}.get(t.regime, TRAINEES_AFTER_WAIT),
                    transfer_tests=test_mask(t.requires_tests))


@njit(cache=True)
def _may_leave_employer_kernel(status, months_with_employer, waiting_months, tests_passed, required_tests, rule, kinds):  # pragma: no cover
    """``Policy.may_leave_employer`` in one compiled pass over the people (the rule is stated there;
    ``required_tests``: each person's bit mask of the tests a move needs, by the employer's field;
    ``rule``: ``LeavingRule``; ``kinds``: ``codes.STATUS_KINDS``)."""
    esd_only, regime, ssw_may_transfer = rule.esd_only, rule.trainee_regime, rule.ssw_may_transfer
    out = np.zeros(status.shape[0], dtype=np.bool_)
    for i in range(status.shape[0]):
        s = status[i]
        if s == kinds.ssw_1 or s == kinds.ssw_2:
            out[i] = ssw_may_transfer
        elif s == kinds.care_worker:
            out[i] = True  # 介護 is not tied to an employer (a change of employer is only notified) [S]
        elif (s == kinds.esd) if esd_only else of_kind(kinds.trainee, s):
            if regime == TRAINEES_FREE:
                out[i] = True
            elif regime == TRAINEES_AFTER_WAIT:
                out[i] = months_with_employer[i] >= waiting_months[i] and (tests_passed[i] & required_tests[i]) == required_tests[i]
    return out


@njit(cache=True)
def _months_free_kernel(status, months_with_employer, months_in_status, waiting_months, rule, kinds):  # pragma: no cover
    """``Policy.months_free_to_leave`` in one compiled pass over the people (the rule is stated there;
    ``rule``: ``LeavingRule``; ``kinds``: ``codes.STATUS_KINDS``)."""
    esd_only, regime = rule.esd_only, rule.trainee_regime
    out = np.zeros(status.shape[0], dtype=np.int32)
    for i in range(status.shape[0]):
        s = status[i]
        m = np.int32(months_with_employer[i])
        if s == kinds.ssw_1:
            out[i] = min(m, np.int32(months_in_status[i]))
        elif of_kind(kinds.unlimited, s):
            out[i] = m
        elif (s == kinds.esd) if esd_only else of_kind(kinds.trainee, s):
            if regime == TRAINEES_FREE:
                out[i] = m
            elif regime == TRAINEES_AFTER_WAIT:
                out[i] = max(np.int32(0), m - np.int32(min(waiting_months[i], m)))
    return out


@dataclass(frozen=True)
class Policy:
    """A frozen policy with the few derived values its questions need."""

    config: PolicyConfig
    waiting_months_by_field: np.ndarray = field(init=False, repr=False)
    waiting_months_by_real_field: np.ndarray = field(init=False, repr=False)
    ssw2_tests_by_real_field: np.ndarray = field(init=False, repr=False)
    ssw2_open_by_real_field: np.ndarray = field(init=False, repr=False)
    #: By the employer's real field: the bit mask of the tests a voluntary transfer needs.
    transfer_tests_by_real_field: np.ndarray = field(init=False, repr=False)
    #: By real field: the chance that a firm of it is in a given mover's job category (業務区分).
    job_category_shares: np.ndarray = field(init=False, repr=False)
    transfer_tests: int = field(init=False)
    #: Who may leave their employer at will (the kernels' form of ``policy.transfer``).
    leaving_rule: LeavingRule = field(init=False)
    ssw1_tests: int = field(init=False)
    ssw2_tests: int = field(init=False)

    def __post_init__(self) -> None:
        t, s = self.config.transfer, self.config.stay
        waits = np.array([t.waiting_months_by_field.get(f, t.waiting_months) for f in FIELDS], dtype=np.int32)
        # A firm in "other" waits its real field's period (waiting_months_by_other_field).
        real_waits = np.concatenate([waits[:-1], [t.waiting_months_by_other_field.get(f, t.waiting_months) for f in OTHER_FIELDS]])
        ssw2 = test_mask(s.ssw2_requires_tests)
        b1 = np.isin(REAL_FIELDS, s.ssw2_japanese_b1_fields)
        arrays = {
            "waiting_months_by_field": waits,
            "waiting_months_by_real_field": real_waits.astype(np.int32),
            "ssw2_tests_by_real_field": np.where(b1, ssw2 | TEST_BITS["japanese_b1"], ssw2).astype(np.int64),
            "ssw2_open_by_real_field": ~np.isin(REAL_FIELDS, s.ssw2_closed_fields),
            # A field may ask A2 instead of A1 (A2 passers hold the A1 bit too, so adding A2 is enough).
            "transfer_tests_by_real_field": np.where(np.isin(REAL_FIELDS, t.japanese_a2_fields),
                                                     test_mask(t.requires_tests) | TEST_BITS["japanese_a2"],
                                                     test_mask(t.requires_tests)).astype(np.int32),
            "job_category_shares": np.array([t.job_category_share_by_field.get(f, 1.0) for f in REAL_FIELDS]),
        }
        for name, values in arrays.items():
            values.setflags(write=False)
            object.__setattr__(self, name, values)
        object.__setattr__(self, "transfer_tests", test_mask(t.requires_tests))
        object.__setattr__(self, "leaving_rule", LeavingRule.of(self.config))
        object.__setattr__(self, "ssw1_tests", test_mask(s.ssw1_requires_tests))
        object.__setattr__(self, "ssw2_tests", ssw2)

    # -- entry ---------------------------------------------------------------------------------
    @property
    def entry_status(self) -> Status:
        """The status trainees enter with once the programme applies to entrants (its first stage)."""
        return Status.ESD if self.config.stay.programme == "esd" else Status.TITP_1

    def entry_status_at(self, year: int, month: int) -> Status:
        """The status trainees recruited in this calendar month enter with.

        With ``esd_from`` set (a transition), entrants before that month still enter TITP.
        """
        s = self.config.stay
        if s.programme == "esd" and s.esd_from is not None and YearMonth(year, month) < s.esd_from:
            return Status.TITP_1
        return self.entry_status

    @property
    def stock_under_titp(self) -> bool:
        """Is the stock at the start under TITP (a TITP programme, or a transition to ESD that
        lets those already in Japan finish under TITP), rather than "as if ESD had always applied"?"""
        s = self.config.stay
        return s.programme == "titp" or s.esd_from is not None

    def months_before_esd(self, start: YearMonth) -> int:
        """Model month of the first ESD entrants in a transition, in a run whose month 1 is ``start``
        (1: from the start; 0: never set)."""
        s = self.config.stay
        if s.programme != "esd" or s.esd_from is None:
            return 0
        return max(1, s.esd_from.months_since(start) + 1)

    def japanese_at_entry(self, learning: LearningConfig, status: Status | None = None) -> float:
        """Japanese level of trainees entering ``status`` (default: the programme's): ESD asks for
        A1 (N5) before entry, TITP does not."""
        status = self.entry_status if status is None else status
        return learning.japanese_at_arrival_esd if status == Status.ESD else learning.japanese_at_arrival_titp

    def debt_at_entry(self, debt_yen: np.ndarray) -> np.ndarray:
        """Broker debt after the policy's fee cap in yen, if any (every entrant)."""
        cap = self.config.recruitment.broker_fee_cap_yen
        return debt_yen if cap is None else np.minimum(debt_yen, cap)

    def esd_fee_cap(self, debt_yen: np.ndarray, scheduled_pay_yen: np.ndarray, status: np.ndarray,
                    complies: np.ndarray | None = None) -> np.ndarray:
        """Broker debt of ESD entrants after the ESD cap on the fee to a sending organisation:
        ``fee_cap_months_of_pay`` months of scheduled pay (所定内賃金, the employer's base offer) [S];
        other statuses (TITP, SSW) unchanged, and so is the debt of entrants whose organisation
        does not comply (``complies`` False; None: every one does)."""
        months = self.config.recruitment.fee_cap_months_of_pay
        if months is None:
            return debt_yen
        capped = status == Status.ESD if complies is None else (status == Status.ESD) & complies
        return np.where(capped, np.minimum(debt_yen, months * scheduled_pay_yen), debt_yen)

    def stock_caps(self, status: Status, year: int, month: int) -> list[StockCap]:
        """The caps on residents (受入れ見込数 operated as caps [S]) that an entrant of ``status``
        arriving in this calendar month must fit in: none after ``stock_caps_last_fiscal_year``
        (fiscal years start in April), if it is set."""
        r = self.config.recruitment
        fiscal_year = year if month >= 4 else year - 1
        if r.stock_caps_last_fiscal_year is not None and fiscal_year > r.stock_caps_last_fiscal_year:
            return []
        caps = [(scheme, -1, persons) for scheme, persons in
                (("ssw", r.stock_cap_ssw), ("esd", r.stock_cap_esd), ("ssw_and_esd", r.stock_cap_ssw_and_esd))
                if persons is not None]
        caps += [("ssw_and_esd", FIELDS.index(f), persons) for f, persons in r.stock_caps_ssw_and_esd_by_field.items()]
        caps += [("ssw", FIELDS.index(f), persons) for f, persons in r.stock_caps_ssw_by_field.items()]
        return [StockCap(CAP_STATUSES[scheme], fld, float(persons)) for scheme, fld, persons in caps
                if status in CAP_STATUSES[scheme]]

    def intake_cap_multiplier(self, excellent: np.ndarray) -> np.ndarray:
        """Factor on the legal intake cap: larger for "excellent" firms."""
        return np.where(excellent, self.config.recruitment.intake_cap_multiplier_excellent, 1.0)

    def intake_per_year(self, kind: str, year: int) -> float:
        """Newcomers a year (real people) of ``kind`` ("trainee" or "ssw") in calendar ``year``."""
        r = self.config.recruitment
        if kind == "trainee":
            return r.trainee_intake_by_year.get(year, r.trainee_intake_per_year)
        return r.ssw_direct_intake_by_year.get(year, r.ssw_direct_intake_per_year)

    def expected_entrants(self, months: int) -> float:
        """Real newcomers over ``months`` at the default yearly intakes (sizes the people arrays)."""
        r = self.config.recruitment
        return (r.trainee_intake_per_year + r.ssw_direct_intake_per_year) * months / 12

    # -- job change ----------------------------------------------------------------------------
    def firm_waiting_months(self, real_field: np.ndarray, chooses_one_year: np.ndarray) -> np.ndarray:
        """Each firm's ESD waiting period: its real field's, or one year where the field's is
        longer and the firm chose one year (各企業が自らの判断で1年とすることも可能 [S])."""
        waits = self.waiting_months_by_real_field[real_field]
        return np.where(chooses_one_year, np.minimum(waits, ONE_YEAR_MONTHS), waits).astype(np.int16)

    def longer_wait_raise(self, waiting_months: np.ndarray) -> np.ndarray:
        """Per firm: the pay rise it owes its ESD workers after their first year, a share of
        pay: ``longer_wait_pay_raise`` where it keeps a wait of more than a year (the basic
        policy: 1年を超える転籍制限期間を…選択した…実施者…昇給その他…待遇の向上 [P]), else 0
        (and 0 where the regime has no waiting period)."""
        t = self.config.transfer
        raise_share = t.longer_wait_pay_raise if t.regime == "after_waiting_period" else 0.0
        return np.where(waiting_months > ONE_YEAR_MONTHS, raise_share, 0.0)

    def may_leave_employer(
        self, status: np.ndarray, months_with_employer: np.ndarray, waiting_months: np.ndarray, tests_passed: np.ndarray,
        residence: np.ndarray, required_tests: np.ndarray | None = None,
    ) -> np.ndarray:
        """Who may leave their employer at their own wish this month (a voluntary transfer; the
        right to leave an employer), vectorised; ``waiting_months``: the waiting period of each
        person's employer (``firms.waiting_months``). One person: ``Trainee.may_leave_employer``.

        Settled residents (``residence`` not WORK: spouse status, permanent residence) always:
        their stay no longer rests on a work status. Otherwise SSW holders if
        ``transfer.ssw_may_transfer``; care workers (介護) always; trainees (ESD workers; under a
        TITP programme every trainee status) never under ``unavoidable_only``, always under
        ``free``, else once their months with the employer reach its waiting period and they have
        passed the tests the policy requires: ``required_tests``, each person's mask by their
        employer's real field (``Ledger.transfer_tests_of``: ``requires_tests``, with A2 in
        ``japanese_a2_fields``); None: ``transfer_tests`` for everyone; nobody else.
        """
        status = np.asarray(status)
        if required_tests is None:
            required_tests = np.full(status.shape[0], self.transfer_tests, dtype=np.int32)
        return _may_leave_employer_kernel(
            status, np.asarray(months_with_employer), np.asarray(waiting_months), np.asarray(tests_passed),
            np.asarray(required_tests), self.leaving_rule, STATUS_KINDS,
        ) | (np.asarray(residence) != Residence.WORK)

    def months_free_to_leave(
        self, status: np.ndarray, months_with_employer: np.ndarray, months_in_status: np.ndarray, waiting_months: np.ndarray,
        residence: np.ndarray,
    ) -> np.ndarray:
        """Months each person has been free to leave their current employer (0: not free, or just become so).

        The clock of the seek hazard's duration dependence (``sim.processes.decisions``): months
        with the employer counted from the later of joining it and the rules letting them leave
        it. SSW i: since joining or becoming SSW i (a TITP graduate who stays with the firm is
        free only from the change of status); SSW ii and 介護: since joining (they were free in
        SSW i already); trainees: since joining under ``free``, since the employer's waiting period
        ended under ``after_waiting_period`` (the tests are not dated: ignored), never otherwise.
        Settled residents (``residence`` not WORK), free whatever their code: since joining.
        """
        free = _months_free_kernel(np.asarray(status), np.asarray(months_with_employer), np.asarray(months_in_status),
                                   np.asarray(waiting_months), self.leaving_rule, STATUS_KINDS)
        return np.where(np.asarray(residence) != Residence.WORK, np.asarray(months_with_employer, dtype=np.int32), free)

    def same_field_required(self, status: np.ndarray) -> np.ndarray:
        """Must a mover of this status stay in their field (trainees and SSW holders have their own
        rule; care workers (介護) always: the status is for care work)?"""
        t = self.config.transfer
        is_ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
        return np.where(status == Status.CARE_WORKER, True, np.where(is_ssw, t.ssw_same_field, t.same_field))

    def job_category_required(self, status: np.ndarray) -> np.ndarray:
        """Must a mover of this status stay in their job category (業務区分), not only their field?
        Trainees (TITP, ESD) under ``same_field`` and ``same_job_category`` (the ESD rule: 同一の業務区分;
        TITP plans are by occupation); SSW holders and care workers keep the field rule."""
        t = self.config.transfer
        return IS_TRAINEE[status] & (t.same_field and t.same_job_category)

    @property
    def transferee_caps(self) -> tuple[float, float]:
        """(designated-area firms, every firm): the highest share of a firm's ESD workers who may
        have come by voluntary transfer (every firm: from anywhere, 1/3 [S]; a firm in the
        designated area: from outside it, 1/6 [S]); ``NO_CAP`` where the policy sets none."""
        t = self.config.transfer
        return (NO_CAP if t.metro_cap_share is None else t.metro_cap_share,
                NO_CAP if t.firm_cap_share is None else t.firm_cap_share)

    def caps_apply(self, status: np.ndarray) -> np.ndarray:
        """Do the caps on transferees bind a mover of this status (ESD workers, where a cap exists)?"""
        any_cap = min(self.transferee_caps) < NO_CAP
        return (status == Status.ESD) & any_cap

    def reimbursement_owed_yen(self, status: np.ndarray, months_served: np.ndarray, residence: np.ndarray) -> np.ndarray:
        """Per voluntary mover: the initial costs their new employer pays back to the old one, yen.

        Trainees only (not those who have settled, ``residence`` not WORK: they no longer hold the
        trainee status), weighted by the share of 36 months not yet served (docs/domain.md, ESD; the
        ordinance draft's proration by time served [S]).
        """
        share = np.maximum(0.0, 1.0 - months_served / REIMBURSEMENT_PRORATION_MONTHS)
        trainee = IS_TRAINEE[status] & (residence == Residence.WORK)
        return np.where(trainee, self.config.transfer.reimbursement_yen * share, 0.0)

    def months_left_in_programme(self, status: np.ndarray, months_in_japan: np.ndarray) -> np.ndarray:
        """Months a trainee has left in their programme (ESD, or TITP's stages); 0 for others."""
        limit = np.where(status == Status.ESD, self.config.stay.max_trainee_months, self.titp_max_months)
        return np.where(IS_TRAINEE[status], np.maximum(limit - months_in_japan, 0), 0)

    def reimbursement_yen(self, status: np.ndarray, months_served: np.ndarray, residence: np.ndarray) -> float:
        """Initial costs the new employers of these voluntary movers pay back to the old ones, yen."""
        return float(self.reimbursement_owed_yen(status, months_served, residence).sum())

    # -- supervision and sanctions ------------------------------------------------------------
    def barred_until(self, month: int) -> int:
        """The model month until which a firm whose plan is cancelled in ``month`` takes no one."""
        return month + self.config.supervision.sanction_bar_months

    def licence_barred_until(self, month: int) -> int:
        """The model month until which a body whose licence is revoked in ``month`` may not supervise."""
        return month + self.config.supervision.licence_bar_months

    def inspections_open(self, year: int, month: int) -> bool:
        """Do OTIT's inspections and the Act's dispositions exist in this calendar month (``inspections_from``; None: always)?"""
        s = self.config.supervision
        return s.inspections_from is None or YearMonth(year, month) >= s.inspections_from

    def inspections_start_month(self, start: YearMonth) -> int:
        """Model month of the first inspections in a run whose month 1 is ``start`` (1 if they exist from the start)."""
        s = self.config.supervision
        if s.inspections_from is None:
            return 1
        return max(1, s.inspections_from.months_since(start) + 1)

    def body_independence(self, base: np.ndarray, tied_officers: np.ndarray, external_auditor: np.ndarray) -> np.ndarray:
        """Share of found violations a body acts upon, from its traits (the independence rules as mechanisms).

        Officers tied to member firms multiply the body's own inclination (``base``) by
        ``tied_officers_independence_factor``; an external auditor brings ``external_auditor_catch``
        of what would be hushed up to light: 1 - (1 - own) x (1 - catch).
        """
        s = self.config.supervision
        own = base * np.where(tied_officers, s.tied_officers_independence_factor, 1.0)
        return 1.0 - (1.0 - own) * (1.0 - s.external_auditor_catch * external_auditor)

    # -- stay and the status ladder -----------------------------------------------------------
    @property
    def titp_max_months(self) -> int:
        """The longest stay of a TITP trainee: the programme's under TITP; under ESD, those who
        finish under TITP keep its five years (stages i-iii, Act supplementary provisions) [S]."""
        s = self.config.stay
        return s.max_trainee_months if s.programme == "titp" else TITP_MAX_MONTHS

    def ssw_exists(self, year: int, month: int) -> bool:
        """Has the SSW status been created by this calendar month (``ssw_from``; None: always)?"""
        s = self.config.stay
        return s.ssw_from is None or YearMonth(year, month) >= s.ssw_from

    def ssw1_open(self, year: int, month: int) -> bool:
        """May people move from training to SSW i in this calendar month?"""
        return self.config.stay.ssw1_path and self.ssw_exists(year, month)

    def ssw1_availability(self, year: int, month: int) -> float:
        """Chance that the SSW i path is open to a given person in this calendar month.

        0 before SSW exists or without the path; then rising linearly to 1 over
        ``ssw1_ramp_months`` (tests, agreements and procedures being set up); 1 without a ramp.
        """
        s = self.config.stay
        if not self.ssw1_open(year, month):
            return 0.0
        if s.ssw1_ramp_months == 0 or s.ssw_from is None:
            return 1.0
        since = YearMonth(year, month).months_since(s.ssw_from) + 1
        return min(1.0, since / s.ssw1_ramp_months)

    def ssw2_open(self, year: int, month: int) -> bool:
        """May SSW i holders move to SSW ii in this calendar month?"""
        return self.config.stay.ssw2_path and self.ssw_exists(year, month)

    def ssw1_way_on(self, real_field: np.ndarray, year: int, month: int) -> np.ndarray:
        """Per SSW i holder (their real field; -1 for others, who get False): is there a legal way
        to stay on after SSW i this month? SSW ii, where it is open this month in their field; in
        nursing care the care workers' route (``care_worker_open``)."""
        # One answer per real field, then one gather over everyone (row 0 of the table: not a holder).
        by_field = self.ssw2_open(year, month) & np.asarray(self.ssw2_open_by_real_field, dtype=bool)
        by_field[CARE_REAL_FIELD] |= self.care_worker_open(year, month)
        return np.concatenate(([False], by_field))[np.asarray(real_field) + 1]

    def care_worker_open(self, year: int, month: int) -> bool:
        """May nursing-care SSW i holders who passed the Certified Care Worker exam (介護福祉士)
        take the status 介護 in this calendar month (``care_worker_path``, from ``care_worker_from``)?"""
        s = self.config.stay
        return s.care_worker_path and (s.care_worker_from is None or YearMonth(year, month) >= s.care_worker_from)

    def stage_iii_open(self, year: int, month: int) -> bool:
        """Is TITP stage iii open in this calendar month (enabled, stays beyond 36 months, from
        ``stage_iii_from``; under ESD only for those finishing under TITP in a transition)?"""
        s = self.config.stay
        if not (s.titp_stage_iii and self.titp_max_months > 36):
            return False
        if s.programme == "esd" and s.esd_from is None:
            return False
        return s.stage_iii_from is None or YearMonth(year, month) >= s.stage_iii_from

    def bridging_open(self, year: int, month: int) -> bool:
        """May a trainee whose stay ends in this calendar month take the bridging status (the
        2020-22 "designated activities" for those unable to go home) instead of leaving?"""
        b = self.config.stay.bridging
        return b is not None and b.first_month <= YearMonth(year, month) <= b.last_entry

    def bridging_months(self, year: int, month: int) -> int:
        """How long a bridging stay that starts in this calendar month lasts, in months.

        Grants of ``grant_months`` are renewed until ``renewals_until``; the first grant to expire
        after that is followed by one last grant of ``final_grant_months``; a stay that starts
        after ``renewals_until`` gets only that last grant. 0 when the status is not open.
        """
        b = self.config.stay.bridging
        if not self.bridging_open(year, month):
            return 0
        to_last_renewal = b.renewals_until.months_since(YearMonth(year, month))
        if to_last_renewal <= 0:
            return b.final_grant_months
        grants = -(-to_last_renewal // b.grant_months)  # grants until one expires at or after the last renewal
        return grants * b.grant_months + b.final_grant_months

    def bridging_share(self) -> float:
        """Of those whose stay ends while the bridging status is open, the share who take it."""
        b = self.config.stay.bridging
        return 0.0 if b is None else float(b.share_taking_up)

    def stage_iii_latest_arrival(self, start: YearMonth) -> int:
        """Trainees who arrived after this model month (of a run whose month 1 is ``start``) may not enter stage iii.

        In a transition, stage iii needs at least 12 months in stage ii on the day ESD starts
        (transitional measures [S]), i.e. arrival 24 months or more before it; otherwise no limit.
        """
        switch = self.months_before_esd(start)
        return switch - 1 - STAGE_III_TRANSITION_MONTHS if switch else NO_LIMIT

    # -- families and settlement (sim.processes.families, permanence, integration) ------------
    def family_may_accompany(self, status: np.ndarray) -> np.ndarray:
        """May a holder of this work status bring spouse and children (家族滞在)? As enacted: SSW ii
        and 介護 yes; SSW i and trainees no (``settlement.family_accompaniment_statuses``). Vectorised."""
        allowed = np.zeros(len(Status), dtype=bool)
        for name in self.config.settlement.family_accompaniment_statuses:
            allowed[STATUS_BY_NAME[name]] = True
        return allowed[status]

    def permanence_counts(self, status: np.ndarray) -> np.ndarray:
        """Do months in this status count as the work years of permanent residence? As enacted SSW ii
        and 介護 (the guideline excludes TITP and SSW i; ESD, a training status, is taken as TITP)."""
        counted = np.zeros(len(Status), dtype=bool)
        for name in self.config.settlement.permanence_counted_statuses:
            counted[STATUS_BY_NAME[name]] = True
        return counted[status]

    def integration_support(self, names: tuple[str, ...]) -> np.ndarray:
        """Integration-support intensity (0..1) of each prefecture, in the order of ``names``."""
        i = self.config.integration
        return np.array([i.support_by_prefecture.get(name, i.support_everywhere) for name in names], dtype=np.float64)

    @property
    def integration_cost_yen_per_resident_month(self) -> float:
        """What support of intensity 1 costs a month per foreign resident it serves, yen."""
        return self.config.integration.cost_yen_per_resident_year / 12.0


#: Policy names of the work statuses (the scenario's ``family_accompaniment_statuses`` and the like).
STATUS_BY_NAME: dict[str, Status] = {
    "titp_1": Status.TITP_1, "titp_2": Status.TITP_2, "titp_3": Status.TITP_3,
    "esd": Status.ESD, "ssw_1": Status.SSW_1, "ssw_2": Status.SSW_2, "care_worker": Status.CARE_WORKER,
}
