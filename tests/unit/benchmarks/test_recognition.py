"""The recognition benchmark's error on a name: edits to the closest stretch of the transcript."""

from __future__ import annotations

import pytest

from voxhub.benchmarks.recognition import term_error


def test_a_name_spelled_right_anywhere_costs_nothing() -> None:
    assert term_error("Voxhub", "Our speech service is called voxhub.") == 0.0
    assert term_error("彭于晏", "请联系彭于晏的经纪人。") == 0.0


def test_a_name_heard_wrong_costs_its_edits_over_its_length() -> None:
    # "box up" is "boxup" without the space: v→b, h dropped, b→p, three edits of six
    assert term_error("Voxhub", "It is called box up.") == pytest.approx(3 / 6)
    assert term_error("彭于晏", "请练习，帮你一样的静置。") == 1.0
    assert term_error("Qwen", "") == 1.0
