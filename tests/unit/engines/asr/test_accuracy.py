"""Word and character error rates, as the recognition tests and the benchmark score them."""

from __future__ import annotations

import pytest

from voxhub.engines.asr.accuracy import (
    character_error_rate,
    edit_distance,
    normalize_for_scoring,
    word_error_rate,
    word_tokens,
)


def test_case_and_punctuation_do_not_count() -> None:
    assert word_error_rate("Hello, world! Don't stop.", "hello world dont stop") == 0.0
    assert normalize_for_scoring("  Hello,\tWORLD…  ") == "hello world"


def test_substitution_insertion_and_deletion_each_cost_one() -> None:
    reference = "the quick brown fox"
    assert word_error_rate(reference, "the quick brown box") == pytest.approx(1 / 4)
    assert word_error_rate(reference, "the quick brown fox jumps") == pytest.approx(1 / 4)
    assert word_error_rate(reference, "quick brown fox") == pytest.approx(1 / 4)
    assert word_error_rate(reference, "") == 1.0
    assert edit_distance(list("kitten"), list("sitting")) == 3


def test_chinese_characters_are_scored_one_by_one() -> None:
    assert word_tokens("今天 天气很好，OK?") == ["今", "天", "天", "气", "很", "好", "ok"]
    assert character_error_rate("今天天气很好。", "今天天氣很好") == pytest.approx(1 / 6)
    assert character_error_rate("今天天气很好。", "今天 天气 很好") == 0.0


def test_empty_reference() -> None:
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "words") == 1.0
