"""Decoding loops cut back to one turn; speech that repeats itself a little is left alone."""

from __future__ import annotations

from voxhub.engines.asr.whisper.loops import loop_start, without_loop


def test_a_character_loop_is_cut_after_its_first_turn() -> None:
    heard = "如果你有任何问题可以随时给我打电话。请问" + "问" * 300
    assert without_loop(heard, "zh") == "如果你有任何问题可以随时给我打电话。请问"


def test_a_phrase_loop_is_cut_after_its_first_turn() -> None:
    heard = "Thank you for watching. " + "See you next time. " * 10
    assert without_loop(heard, "en") == "Thank you for watching. See you next time."


def test_short_repetitions_people_say_stay() -> None:
    for text, language in (
        ("哈哈哈，太好笑了。", "zh"),
        ("谢谢谢谢，真的谢谢你。", "zh"),
        ("No, no, no, that is not what I said.", "en"),
        ("Very very very good.", "en"),
    ):
        assert without_loop(text, language) == text


def test_the_earliest_loop_wins() -> None:
    tokens = ["a", "b"] + ["x", "y"] * 6 + ["z"] * 8
    assert loop_start(tokens) == 4
    assert loop_start(["a", "b", "c"]) is None
