"""The policy: every question the model asks of a scenario's rules.

Nothing outside this module reads ``PolicyConfig`` settings: the processes and agents ask
``policy.may_transfer(trainee)``, ``policy.transfer_allowed(...)`` (its vectorised form),
``policy.same_field_required(status)``, ``policy.barred_until(month)``, ``policy.ssw1_open(year,
month)`` and so on, so that what a setting means (a regime, ``None`` for "no cap", the programme
behind the entry status) is decided in one place. Plain rates of supervision are read as the
group ``policy.supervision``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.domain import FIELDS, TEST_BITS, Status
from sim.scenario import LearningConfig, PolicyConfig, SupervisionPolicy

if TYPE_CHECKING:
    from sim.agents import Trainee


def test_mask(names: tuple[str, ...]) -> int:
    """The bit mask of a set of named tests (see ``domain.TEST_BITS``)."""
    mask = 0
    for name in names:
        mask |= TEST_BITS[name]
    return mask


#: A cap share of 1 (all transferees allowed) means no cap; kernels take 1.0 for "none".
NO_CAP = 1.0


@dataclass(frozen=True)
class Policy:
    """A frozen policy with the few derived values its questions need."""

    config: PolicyConfig
    waiting_months_by_field: np.ndarray = field(init=False, repr=False)
    transfer_tests: int = field(init=False)
    ssw1_tests: int = field(init=False)
    ssw2_tests: int = field(init=False)

    def __post_init__(self) -> None:
        t = self.config.transfer
        waits = np.array([t.waiting_months_by_field.get(f, t.waiting_months) for f in FIELDS], dtype=np.int32)
        waits.setflags(write=False)
        object.__setattr__(self, "waiting_months_by_field", waits)
        object.__setattr__(self, "transfer_tests", test_mask(t.requires_tests))
        object.__setattr__(self, "ssw1_tests", test_mask(self.config.stay.ssw1_requires_tests))
        object.__setattr__(self, "ssw2_tests", test_mask(self.config.stay.ssw2_requires_tests))

    # -- entry ---------------------------------------------------------------------------------
    @property
    def entry_status(self) -> Status:
        """The status newcomers recruited as trainees enter with (the programme's first stage)."""
        return Status.ESD if self.config.stay.programme == "esd" else Status.TITP_1

    def japanese_at_entry(self, learning: LearningConfig) -> float:
        """Japanese level of trainees at entry: ESD asks for A1 (N5) before entry, TITP does not."""
        return learning.japanese_at_arrival_esd if self.entry_status == Status.ESD else learning.japanese_at_arrival_titp

    def debt_at_entry(self, debt_yen: np.ndarray) -> np.ndarray:
        """Broker debt after the policy's fee cap, if any."""
        cap = self.config.recruitment.broker_fee_cap_yen
        return debt_yen if cap is None else np.minimum(debt_yen, cap)

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
    def transfer_allowed(
        self, status: np.ndarray, months_with_employer: np.ndarray, field_idx: np.ndarray, tests_passed: np.ndarray
    ) -> np.ndarray:
        """Who may change employer at their own wish this month (vectorised)."""
        t = self.config.transfer
        is_ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
        is_trainee = status <= Status.ESD
        if t.regime == "unavoidable_only":
            trainee_ok = np.zeros(status.shape, dtype=bool)
        elif t.regime == "free":
            trainee_ok = is_trainee
        else:
            waited = months_with_employer >= self.waiting_months_by_field[field_idx]
            tested = (tests_passed & self.transfer_tests) == self.transfer_tests
            trainee_ok = is_trainee & waited & tested
        return (trainee_ok & is_trainee) | (is_ssw & t.ssw_may_transfer)

    def may_transfer(self, trainee: Trainee) -> bool:
        """May this person change employer at their own wish now?"""
        return bool(
            self.transfer_allowed(
                np.array([trainee.status]),
                np.array([trainee.months_with_employer]),
                np.array([trainee.field_idx]),
                np.array([trainee.tests_passed]),
            )[0]
        )

    def same_field_required(self, status: np.ndarray) -> np.ndarray:
        """Must a mover of this status stay in their field (trainees and SSW holders have their own rule)?"""
        t = self.config.transfer
        is_ssw = (status == Status.SSW_1) | (status == Status.SSW_2)
        return np.where(is_ssw, t.ssw_same_field, t.same_field)

    @property
    def transferee_caps(self) -> tuple[float, float]:
        """(metro firms, every firm): the highest share of a firm's ESD workers who may have come
        by transfer from another prefecture; ``NO_CAP`` where the policy sets none."""
        t = self.config.transfer
        return (NO_CAP if t.metro_cap_share is None else t.metro_cap_share,
                NO_CAP if t.firm_cap_share is None else t.firm_cap_share)

    def caps_apply(self, status: np.ndarray) -> np.ndarray:
        """Do the caps on transferees bind a mover of this status (ESD workers, where a cap exists)?"""
        any_cap = min(self.transferee_caps) < NO_CAP
        return (status == Status.ESD) & any_cap

    def reimbursement_yen(self, status: np.ndarray, months_served: np.ndarray) -> float:
        """Initial costs the new employers of these voluntary movers pay back to the old ones, yen.

        Trainees' movers only, weighted by the share of 36 months not yet served (BRIEF.md, ESD).
        """
        trainee = status <= Status.ESD
        share = np.maximum(0.0, 1.0 - months_served[trainee] / 36.0)
        return float(self.config.transfer.reimbursement_yen * share.sum())

    # -- supervision and sanctions ------------------------------------------------------------
    @property
    def supervision(self) -> SupervisionPolicy:
        """The supervision levers (audit and inspection rates, detection, traits of the bodies)."""
        return self.config.supervision

    def barred_until(self, month: int) -> int:
        """The model month until which a firm whose plan is cancelled in ``month`` takes no one."""
        return month + self.config.supervision.sanction_bar_months

    # -- wages ---------------------------------------------------------------------------------
    @property
    def wage_floor_markup(self) -> float:
        """No firm offers less than this multiple of the prefecture's minimum-wage pay."""
        return self.config.wages.wage_floor_markup

    @property
    def firms_raise_wages(self) -> bool:
        """Do firms respond to quits and vacancies by raising wages?"""
        return self.config.wages.firms_raise_wages

    # -- stay and the status ladder -----------------------------------------------------------
    @property
    def max_trainee_months(self) -> int:
        """The longest stay as a trainee (TITP stages together, or ESD)."""
        return self.config.stay.max_trainee_months

    @property
    def ssw1_max_months(self) -> int:
        """The longest stay in SSW i."""
        return self.config.stay.ssw1_max_months

    @property
    def titp_ii_completion_exempts_tests(self) -> bool:
        """Does completing TITP ii exempt the SSW i tests in the same field?"""
        return self.config.stay.titp_ii_completion_exempts_tests

    @property
    def test_retake_grace_months(self) -> int:
        """Months an ESD worker who wants to stay may remain to retake the SSW i tests."""
        return self.config.stay.test_retake_grace_months

    def ssw_exists(self, year: int, month: int) -> bool:
        """Has the SSW status been created by this calendar month (``ssw_from``; None: always)?"""
        s = self.config.stay
        return s.ssw_from_year is None or (year, month) >= (s.ssw_from_year, s.ssw_from_month)

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
        if s.ssw1_ramp_months == 0 or s.ssw_from_year is None:
            return 1.0
        since = (year - s.ssw_from_year) * 12 + (month - s.ssw_from_month) + 1
        return min(1.0, since / s.ssw1_ramp_months)

    def ssw2_open(self, year: int, month: int) -> bool:
        """May SSW i holders move to SSW ii in this calendar month?"""
        return self.config.stay.ssw2_path and self.ssw_exists(year, month)

    @property
    def stage_iii_open(self) -> bool:
        """Does TITP stage iii exist (TITP programme, enabled, stays beyond 36 months)?"""
        s = self.config.stay
        return s.programme == "titp" and s.titp_stage_iii and s.max_trainee_months > 36
