"""ODD 7.5-7.6 Learning and tests (``sim/processes/learning.py``): tests sat once a year and
passed at the scenario's thresholds."""

from __future__ import annotations

from helpers import (
    place,
    settle,
    tiny_world,
)
from sim.domain import TEST_BITS, Status
from sim.processes import learning

# =============================================================================================
# Tests (ODD 7.6)
# =============================================================================================


def test_tests_are_sat_once_a_year_and_passed_at_the_threshold():
    """Without luck (noise sd 0) a test is passed when the level reaches its threshold, only in
    the month before an arrival anniversary (months_in_japan % 12 == 11); passes are kept."""
    m = tiny_world("titp", firms=1, people=3, settings={"behaviour.learning.test_noise_sd": 0.0})
    b = m.behaviour.learning
    for pid, months in enumerate((11, 10, 23)):
        place(m, pid, 0, Status.TITP_1, months_in_japan=months)
    p = m.people
    p.skill[:3] = [b.threshold_basic_skill, b.threshold_basic_skill, b.threshold_basic_skill - 1e-6]
    p.japanese[:3] = [learning.JAPANESE_A1, learning.JAPANESE_A2, learning.JAPANESE_A1 - 1e-6]
    p.tests_passed[2] = TEST_BITS["skill_grade3"]  # passed earlier: kept
    settle(m)
    learning.take_tests(m)
    assert p.tests_passed[0] == TEST_BITS["basic_skill"] | TEST_BITS["japanese_a1"]
    assert p.tests_passed[1] == 0, "not sitting at 10 months"
    assert p.tests_passed[2] == TEST_BITS["skill_grade3"], "just below every threshold"


def test_test_thresholds_are_the_scenarios():
    """The six tests measure skill against the scenario's thresholds and Japanese against N5, N4, N3."""
    b = tiny_world("titp", firms=1, people=1).behaviour.learning
    assert learning.test_thresholds(b) == [
        ("basic_skill", "skill", b.threshold_basic_skill), ("skill_grade3", "skill", b.threshold_skill_grade3),
        ("skill_ssw2", "skill", b.threshold_skill_ssw2), ("japanese_a1", "japanese", 1.0),
        ("japanese_a2", "japanese", 2.0), ("japanese_b1", "japanese", 3.0),
    ]
