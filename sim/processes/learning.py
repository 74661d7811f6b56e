"""ODD 7.5 Learning and 7.6 Tests: skill and Japanese grow at work; the yearly test sitting.

Learning (phase 4), for everyone employed in a legal status, each month:

    skill    += skill_per_month x training_quality[employer] x aptitude
    japanese += japanese_per_month x aptitude

Tests (phase 5): in the month before each arrival anniversary (``months_in_japan % 12 == 11``)
every legal resident sits every test not yet passed; a test is passed when the level plus a
normal noise draw (sd ``test_noise_sd``) reaches its threshold, and a pass is kept for good.
The six tests and their thresholds are the table ``TESTS``. The SSW ii skills test's score is
also read against ``policy.stay.ssw1_extension_pass_share`` of its pass mark: reaching it sets the
bit ``skill_ssw2_near`` (kept for good), which earns the SSW i extension (``ladder``). The score
is taken proportional to the skill level (assumption: the model has no test scale of its own).

The Certified Care Worker exam (介護福祉士国家試験, nursing care's own route to a long stay, no
SSW ii there): at the same yearly sitting, while ``policy.care_worker_open``, every SSW i holder
in nursing care who wants to stay and has ``policy.stay.care_exam_experience_months`` in Japan (3
years of care work) and has not passed it sits it, and passes with ``care_exam_pass_share`` (one
uniform draw each, stream ``care_exam``; the published pass rate of SSW i candidates, so no
level enters). A pass sets the bit ``care_worker_exam``; the ladder then grants the status 介護
(``Status.CARE_WORKER``).

Parameters: ``behaviour.learning`` (``LearningConfig``); policy: the extension's pass share, the
care workers' route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.domain import CARE_FIELD, FIELDS, TEST_BITS
from sim.params import bind, part
from sim.processes.codes import IS_LEGAL, SSW_1, STATUS_KINDS, of_kind
from sim.scenario import LearningConfig

if TYPE_CHECKING:
    from sim.model import LabourMarket

#: Random stream of the test sitting.
STREAM = "tests"
#: Random stream of the Certified Care Worker exam (its own: the other tests' draws do not shift).
CARE_EXAM_STREAM = "care_exam"
#: The exam's bit, and the model field whose SSW i holders may sit it.
CARE_EXAM, CARE_MODEL_FIELD = TEST_BITS["care_worker_exam"], FIELDS.index(CARE_FIELD)
#: Months between two sittings: the tests are sat in the month before each arrival anniversary.
SITTING_EVERY_MONTHS = 12

#: Japanese levels on the model's scale (``people.japanese``): 1 = JLPT N5 / CEFR A1, 2 = N4 / A2, 3 = N3 / B1.
JAPANESE_A1, JAPANESE_A2, JAPANESE_B1 = 1.0, 2.0, 3.0

#: The six tests the rules can name, in the order they are sat (the order of the noise draws):
#: (test, the level it measures, its threshold: a ``LearningConfig`` field or a Japanese level).
#: ``NEAR_TEST`` is scored on the sitting of ``NEAR_OF`` (no draw of its own).
TESTS: tuple[tuple[str, str, str | float], ...] = (
    ("basic_skill", "skill", "threshold_basic_skill"),
    ("skill_grade3", "skill", "threshold_skill_grade3"),
    ("skill_ssw2", "skill", "threshold_skill_ssw2"),
    ("japanese_a1", "japanese", JAPANESE_A1),
    ("japanese_a2", "japanese", JAPANESE_A2),
    ("japanese_b1", "japanese", JAPANESE_B1),
)


#: The test whose score also earns the near-pass bit, and that bit.
NEAR_OF, NEAR_TEST = "skill_ssw2", "skill_ssw2_near"


def test_thresholds(params: LearningConfig) -> list[tuple[str, str, float]]:
    """``TESTS`` with each threshold as a number: (test, level, threshold)."""
    return [(name, level, getattr(params, t) if isinstance(t, str) else t) for name, level, t in TESTS]


def tests_from_levels(skill: np.ndarray, japanese: np.ndarray, params: LearningConfig, near_share: float = 1.0) -> np.ndarray:
    """The bit mask of tests already passed by people whose levels reach each threshold (no
    noise), with the near-pass bit at ``near_share`` of the SSW ii skills threshold."""
    levels = {"skill": skill, "japanese": japanese}
    out = np.zeros(len(skill), dtype=np.uint8)
    for name, level, threshold in test_thresholds(params):
        out |= _marks(levels[level], name, threshold, near_share)
    return out


def _marks(score: np.ndarray, name: str, threshold: float, near_share: float) -> np.ndarray:
    """The bits a score earns on test ``name``: the pass, and on ``NEAR_OF`` the near-pass bit."""
    bits = np.where(score >= threshold, TEST_BITS[name], 0).astype(np.uint8)
    if name == NEAR_OF:
        bits |= np.where(score >= near_share * threshold, TEST_BITS[NEAR_TEST], 0).astype(np.uint8)
    return bits


class LearningRates(NamedTuple):
    """How fast skill and Japanese grow at work (``behaviour.learning``)."""

    skill_per_month: float  # x the employer's training quality x aptitude
    japanese_per_month: float  # x aptitude

    @classmethod
    def of(cls, model: LabourMarket) -> LearningRates:
        return bind(cls, part(model.behaviour.learning, *cls._fields))


@njit(cache=True)
def learn_kernel(status, firm, skill, japanese, aptitude, training_quality, rates, is_legal):  # pragma: no cover
    """A month of learning, in place (``rates``: ``LearningRates``; ``is_legal``: the mask ``codes.STATUS_KINDS.legal``)."""
    skill_per_month, japanese_per_month = rates.skill_per_month, rates.japanese_per_month
    for i in range(status.shape[0]):
        f = firm[i]
        if of_kind(is_legal, status[i]) and f >= 0:
            skill[i] += skill_per_month * training_quality[f] * aptitude[i]
            japanese[i] += japanese_per_month * aptitude[i]


def learn(model: LabourMarket) -> None:
    """Phase 4: skill grows with the employer's training quality; Japanese grows with time in work."""
    p = model.people
    n = p.n
    learn_kernel(p.status[:n], p.firm[:n], p.skill[:n], p.japanese[:n], p.aptitude[:n], model.firms.training_quality,
                 LearningRates.of(model), STATUS_KINDS.legal)


def take_tests(model: LabourMarket) -> None:
    """Phase 5: the yearly sitting of every test not yet passed (level + noise >= threshold)."""
    p, b = model.people, model.behaviour.learning
    n = p.n
    sit_care_exam(model)
    sitting = IS_LEGAL[p.status[:n]] & (p.months_in_japan[:n] % SITTING_EVERY_MONTHS == SITTING_EVERY_MONTHS - 1)
    rows = np.flatnonzero(sitting)
    if len(rows) == 0:
        return
    rng = model.rng_for(STREAM)
    levels = {"skill": p.skill[rows], "japanese": p.japanese[rows]}
    passed = p.tests_passed[rows]
    near_share = model.scenario.policy.stay.ssw1_extension_pass_share
    for name, level, threshold in test_thresholds(b):
        noise = rng.normal(0.0, b.test_noise_sd, len(rows)) if b.test_noise_sd > 0 else 0.0
        passed = passed | _marks(levels[level] + noise, name, threshold, near_share)
    p.tests_passed[rows] = passed


def sit_care_exam(model: LabourMarket) -> None:
    """Phase 5: the yearly sitting of the Certified Care Worker exam (see the module docstring)."""
    pol = model.policy
    if not pol.care_worker_open(*model.calendar()):
        return
    p = model.people
    n = p.n
    m = p.months_in_japan[:n]
    rows = np.flatnonzero(
        (p.status[:n] == SSW_1) & (p.field[:n] == CARE_MODEL_FIELD) & p.wants_long_stay[:n]
        & (m >= model.scenario.policy.stay.care_exam_experience_months) & (m % SITTING_EVERY_MONTHS == SITTING_EVERY_MONTHS - 1)
        & ((p.tests_passed[:n] & CARE_EXAM) == 0))
    if len(rows) == 0:
        return
    passed = rows[model.rng_for(CARE_EXAM_STREAM).random(len(rows)) < model.behaviour.learning.care_exam_pass_share]
    p.tests_passed[passed] |= np.uint8(CARE_EXAM)
