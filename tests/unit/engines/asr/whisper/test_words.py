"""Whisper's word pieces become whole words and text spaced as whisper spaced them."""

from __future__ import annotations

import pytest

from voxhub.engines.asr.chinese import ChineseText
from voxhub.engines.asr.whisper.words import WordPiece, recognized, whole_words


def _pieces(*texts: str) -> list[WordPiece]:
    return [WordPiece(text, i * 0.5, i * 0.5 + 0.4, 0.5 + i / 10) for i, text in enumerate(texts)]


def _english(text: str) -> str:
    return " ".join(text.split())


def test_a_piece_without_its_own_space_continues_the_word_before() -> None:
    words = whole_words(_pieces(" at", " o", "'clock", " sharp"))
    assert [w.text for w in words] == [" at", " o'clock", " sharp"]
    clock = words[1]
    assert (clock.start, clock.end) == (0.5, 1.4)
    assert clock.probability == pytest.approx((0.6 + 0.7) / 2)


def test_english_text_keeps_whisper_spacing() -> None:
    text, words = recognized(_pieces(" We", " meet", " at", " 8", " o", "'clock", "."), _english)
    assert text == "We meet at 8 o'clock."
    assert [w.text for w in words] == ["We", "meet", "at", "8", "o'clock."]


def test_mixed_chinese_keeps_latin_words_whole_and_characters_apart() -> None:
    chinese = ChineseText.load()
    pieces = _pieces(
        "我们", "学", "习", " Art", "ificial", " Inter", "l", "ient", " ", "技", "术。"
    )
    text, words = recognized(pieces, chinese.clean)
    assert text == "我们学习Artificial Interlient技术。"
    assert [w.text for w in words] == ["我们", "学", "习", "Artificial", "Interlient", "技", "术。"]


def test_nothing_heard_is_no_text() -> None:
    assert recognized([], _english) == ("", ())
    assert recognized(_pieces(" ", "  "), _english) == ("", ())


def test_a_loop_in_word_pieces_keeps_its_first_turn() -> None:
    pieces = [WordPiece("请", 3.5, 3.6, 0.9)] + [
        WordPiece("问", 3.6 + i / 100, 3.61 + i / 100, 0.9) for i in range(40)
    ]
    text, words = recognized(pieces, str.strip)
    assert text == "请问"
    assert [w.text for w in words] == ["请", "问"]
