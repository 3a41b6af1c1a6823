"""Decoding loops cut back to one turn; speech that repeats itself a little is left alone."""

from __future__ import annotations

from voxhub.engines.asr.whisper.loops import loop_start, spoken_loop_start, without_loop


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


def test_marks_between_the_turns_do_not_hide_a_loop() -> None:
    heard = "我们看到了很多候鸟。室，室，室，室，室，室。"
    assert without_loop(heard, "zh") == "我们看到了很多候鸟。室，"
    assert spoken_loop_start(["鸟", "。", "室", "，", "室", "，"] + ["室", "，"] * 5) == 4
    assert without_loop("对，对，对，就是这样。", "zh") == "对，对，对，就是这样。"
