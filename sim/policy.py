"""The policy the agents ask questions of.

Agents never read scenario names or raw settings; they ask ``policy.may_transfer(trainee)``,
``policy.ssw1_open(year, month)`` and so on. The question asked of every resident every month,
``transfer_allowed``, takes arrays; ``may_transfer`` is its one-person form. All read the same
frozen ``PolicyConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.domain import FIELDS, TEST_BITS, Status
from sim.scenario import PolicyConfig

if TYPE_CHECKING:
    from sim.agents import Trainee


def test_mask(names: tuple[str, ...]) -> int:
    """The bit mask of a set of named tests (see ``domain.TEST_BITS``)."""
    mask = 0
    for name in names:
        mask |= TEST_BITS[name]
    return mask


@dataclass(frozen=True)
class Policy:
    """A frozen policy with the few derived arrays its vectorised questions need."""

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
        """The status newcomers recruited as trainees enter with."""
        return Status.ESD if self.config.stay.programme == "esd" else Status.TITP_1

    def debt_at_entry(self, debt_yen: np.ndarray) -> np.ndarray:
        """Broker debt after the policy's fee cap, if any."""
        cap = self.config.recruitment.broker_fee_cap_yen
        return debt_yen if cap is None else np.minimum(debt_yen, cap)

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

    # -- stay, the status ladder and intake ---------------------------------------------------
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

    def intake_per_year(self, kind: str, year: int) -> float:
        """Newcomers a year (real people) of ``kind`` ("trainee" or "ssw") in calendar ``year``."""
        r = self.config.recruitment
        if kind == "trainee":
            return r.trainee_intake_by_year.get(year, r.trainee_intake_per_year)
        return r.ssw_direct_intake_by_year.get(year, r.ssw_direct_intake_per_year)

    @property
    def stage_iii_open(self) -> bool:
        """Does TITP stage iii exist (TITP programme, enabled, stays beyond 36 months)?"""
        return self.config.stay.programme == "titp" and self.config.stay.titp_stage_iii and self.config.stay.max_trainee_months > 36
