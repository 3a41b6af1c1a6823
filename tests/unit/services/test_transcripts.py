"""Transcript text: Chinese cleanup and joining, the decode cost estimate, output formats."""

from __future__ import annotations

import json

import pytest

from voxhub.engines.asr.base import RecognizedSegment, RecognizedWord, Transcript, join_words
from voxhub.engines.asr.chinese import ChineseText
from voxhub.engines.asr.cost import DecodeCost
from voxhub.errors import UnsupportedFormat
from voxhub.services.transcripts import (
    check_format,
    openai_verbose_json,
    render_text,
    transcript_json,
)
from voxhub.subtitles.cues import CueRules
from voxhub.subtitles.formats import parse_srt


def test_chinese_comes_out_simplified_with_full_width_punctuation() -> None:
    chinese = ChineseText.load()
    assert chinese.clean(" 今天天氣很好,我們 一起去.") == "今天天气很好，我们一起去。"
    # numbers keep their ASCII marks
    assert chinese.clean("價格是3.5元,共1,000個") == "价格是3.5元，共1,000个"
    # whisper spaces Latin words inside Chinese; Chinese text runs on around them
    assert chinese.clean("我們學習 Artificial Intelligence 技術.") == (
        "我们学习Artificial Intelligence技术。"
    )


def test_join_words_puts_spaces_only_between_non_chinese_words() -> None:
    assert join_words(["今天", "天气", "很好，", "我们"], "zh") == "今天天气很好，我们"
    assert join_words([" Hello", "world. ", "", "Again"], "en") == "Hello world. Again"
    assert (
        join_words(["早上", "8", "点", "用", "iPhone", "13", "拍照。"], "zh")
        == "早上8点用iPhone 13拍照。"
    )
    assert join_words(["Say", "你好", "twice"], "en") == "Say 你好 twice"
    assert join_words(["to", "the", "park", ".", "Really", "?"], "en") == "to the park. Really?"
    assert join_words(["it's", "50", "%", ",", "fine"], "en") == "it's 50%, fine"


def test_decode_cost_learns_fixed_and_per_second_parts() -> None:
    cost = DecodeCost(fixed=1.0, per_second=0.0)
    for _ in range(60):
        for seconds in (2.0, 10.0, 20.0):
            cost.observe(seconds, 0.3 + 0.05 * seconds)
    assert cost.fixed == pytest.approx(0.3, rel=0.1)
    assert cost.per_second == pytest.approx(0.05, rel=0.1)
    assert cost.estimate(10.0) == pytest.approx(0.8, rel=0.05)


def test_decode_cost_rises_when_decodes_slow_down() -> None:
    cost = DecodeCost(fixed=0.5, per_second=0.01)
    before = cost.estimate(5.0)
    for _ in range(20):
        cost.observe(5.0, 2.0)
    assert cost.estimate(5.0) > 3 * before


def _transcript() -> Transcript:
    first = (RecognizedWord("Hello", 0.5, 0.9, 0.9), RecognizedWord("there.", 1.0, 1.4, 0.8))
    second = (RecognizedWord("Bye", 3.0, 3.4, None),)
    return Transcript(
        text="Hello there. Bye",
        language="en",
        duration=4.0,
        segments=(
            RecognizedSegment("Hello there.", 0.5, 1.4, first),
            RecognizedSegment("Bye", 3.0, 3.4, second),
        ),
    )


def test_output_formats() -> None:
    transcript = _transcript()
    body = transcript_json(transcript)
    assert json.loads(json.dumps(body))["segments"][0]["words"][1] == {
        "text": "there.",
        "start": 1.0,
        "end": 1.4,
        "probability": 0.8,
    }
    assert "words" not in transcript_json(transcript, words=False)["segments"][0]
    cues = parse_srt(render_text(transcript, "srt", CueRules()))
    assert [c.text for c in cues] == ["Hello there.", "Bye"]
    assert cues[0].start == 0.5 and cues[-1].end == 3.4
    assert render_text(transcript, "vtt", CueRules()).startswith("WEBVTT\n\n1\n00:00:00.500")
    assert render_text(transcript, "text", CueRules()) == "Hello there. Bye\n"
    verbose = openai_verbose_json(transcript, words=True)
    assert verbose["language"] == "english"
    assert verbose["words"][0] == {"word": "Hello", "start": 0.5, "end": 0.9}


def test_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(UnsupportedFormat, match="json, text, srt, vtt"):
        check_format("docx")
    assert check_format(" SRT ") == "srt"
