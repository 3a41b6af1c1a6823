"""The style prompt whisper repeats on unclear audio is cut from text and words."""

from __future__ import annotations

import pytest

from voxhub.engines.asr.whisper.echo import echo_pieces, without_echo
from voxhub.engines.asr.whisper.engine import ZH_PROMPT
from voxhub.engines.asr.whisper.words import WordPiece, recognized


def test_the_repeated_sentence_is_cut_from_text() -> None:
    assert without_echo("司马懿，欧阳修，以下是普通话的句子。", ZH_PROMPT) == "司马懿，欧阳修，"
    assert without_echo("以下是普通话的句子。今天下雨。", ZH_PROMPT) == "今天下雨。"
    assert without_echo("以下是普通话的句子", ZH_PROMPT) == ""
    # a sentence that only shares words with the prompt stays
    assert without_echo("以下是今天的新闻。", ZH_PROMPT) == "以下是今天的新闻。"
    assert without_echo("Hello there.", "") == "Hello there."


def test_pieces_that_spell_the_sentence_are_found() -> None:
    pieces = ["司", "马", "懿", "，", "以下", "是", "普通话", "的", "句子", "。"]
    assert echo_pieces(pieces, ZH_PROMPT) == range(4, 10)
    assert echo_pieces(["以下", "是", "新闻"], ZH_PROMPT) == range(0)
    assert echo_pieces(pieces, "") == range(0)


def test_recognized_words_leave_the_repeat_out() -> None:
    pieces = [
        WordPiece(text, i * 0.2, i * 0.2 + 0.2, 0.9)
        for i, text in enumerate(["司", "马", "懿", "以下", "是", "普通话", "的", "句子", "。"])
    ]
    text, words = recognized(pieces, str.strip, ZH_PROMPT)
    assert text == "司马懿"
    assert [w.text for w in words] == ["司", "马", "懿"]
    assert words[-1].end == pytest.approx(0.6)
