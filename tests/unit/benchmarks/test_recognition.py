"""The recognition benchmark's pure parts: chunking, Chinese form checks, score aggregation."""

from __future__ import annotations

import numpy as np
import pytest
from opencc import OpenCC

from voxhub.benchmarks.recognition import (
    CHUNK,
    Heard,
    chunks,
    ends_full_width,
    form,
    has_ascii_after_han,
    hotword_scores,
    is_simplified,
    mean_errors,
    misses,
    name_heard,
    share,
)
from voxhub.benchmarks.recognition_texts import HOTWORDS, SHORT, TEXTS


def test_chunks_are_100_ms_and_cover_the_samples_in_order() -> None:
    samples = np.arange(2 * CHUNK + 300, dtype=np.float32)
    pieces = list(chunks(samples))
    assert CHUNK == 1600
    assert [len(piece) for piece in pieces] == [CHUNK, CHUNK, 300]
    np.testing.assert_array_equal(np.concatenate(pieces), samples)


def test_no_samples_make_no_chunks() -> None:
    assert list(chunks(np.zeros(0, dtype=np.float32))) == []


@pytest.mark.parametrize(
    ("text", "simplified"),
    [("今天天气很好。", True), ("今天天氣很好。", False), ("Hello, world.", True), ("", True)],
)
def test_is_simplified(text: str, simplified: bool) -> None:
    assert is_simplified(text, OpenCC("t2s")) is simplified


@pytest.mark.parametrize(
    ("text", "ascii_mark"),
    [
        ("你好,我是小王。", True),
        ("真的吗?", True),
        ("你好，我是小王。", False),
        # ASCII punctuation after a Latin word is how English is written inside Chinese
        ("我用 Python, 也用别的。", False),
        ("我用Python.", False),
    ],
)
def test_ascii_mark_after_han(text: str, ascii_mark: bool) -> None:
    assert has_ascii_after_han(text) is ascii_mark


@pytest.mark.parametrize(
    ("text", "full_width"),
    [("好的。", True), ("真的吗？ ", True), ("太好了！", True), ("好的.", False), ("好的", False)],
)
def test_ends_full_width(text: str, full_width: bool) -> None:
    assert ends_full_width(text) is full_width


def test_form_gives_each_share_over_all_texts() -> None:
    texts = ["今天很好。", "今天很好", "今天天氣很好,是吗?", "明天见！"]
    assert form(texts, OpenCC("t2s")) == (3 / 4, 3 / 4, 2 / 4)
    assert form([], OpenCC("t2s")) == (0.0, 0.0, 0.0)


def test_mean_errors_score_chinese_by_characters_and_english_by_words() -> None:
    chinese = [Heard("今天很好", "今天很好。", "今天很坏"), Heard("你好", "你", "你好")]
    # file: 0 and 1/2 of the characters wrong; stream: 1/4 and 0
    assert mean_errors(chinese, "zh") == pytest.approx((0.25, 0.125))
    english = [Heard("good morning to you", "good morning to you.", "good evening")]
    # stream: one substitution and two deletions of four words
    assert mean_errors(english, "en") == pytest.approx((0.0, 0.75))


def test_share_of_true_flags() -> None:
    assert share([True, False, True, True]) == 0.75
    assert share([]) == 0.0


def test_a_name_is_heard_only_written_whole() -> None:
    assert name_heard("Kubernetes", "we moved to kubernetes this year")
    assert not name_heard("Kubernetes", "we moved to Cooper Netties this year")
    assert name_heard("司马懿", "老师讲了司马懿的故事。")
    assert not name_heard("司马懿", "老师讲了司马义的故事。")


def test_hotword_scores_average_the_sentence_error_and_count_the_names() -> None:
    cases = [("读欧阳修的书", "欧阳修"), ("去鄱阳湖看鸟", "鄱阳湖")]
    heard = ["读欧阳修的书。", "去婆阳湖看鸟"]
    error, found = hotword_scores(cases, heard, "zh")
    assert error == pytest.approx((0 + 1 / 6) / 2)
    assert found == 0.5
    with pytest.raises(ValueError):
        hotword_scores(cases, heard[:1], "zh")


def test_misses_name_each_phrase_detected_wrong() -> None:
    assert misses(["好的", "谢谢你", "再见"], ["zh", "en", ""], "zh") == ["谢谢你→en", "再见→?"]
    assert misses(["yes"], ["en"], "en") == []


def test_texts_follow_the_benchmark_rules() -> None:
    assert all(len(texts) == 8 for texts in TEXTS.values())
    assert all(10 <= len(text) <= 30 for text in TEXTS["zh"])
    assert all(8 <= len(text.split()) <= 20 for text in TEXTS["en"])
    assert all(1 <= len(phrase.split()) <= 3 for phrase in SHORT["en"])
    assert all(name in text for cases in HOTWORDS.values() for text, name in cases)
    every = [*TEXTS["zh"], *TEXTS["en"], *(t for cases in HOTWORDS.values() for t, _ in cases)]
    assert not any(char.isdigit() for text in every for char in text)
