"""Recognized Chinese: simplified, full-width marks, and a finished segment closed by one."""

from __future__ import annotations

import pytest

from voxhub.engines.asr.base import RecognizedSegment
from voxhub.engines.asr.chinese import ChineseText, closed, closed_last


@pytest.fixture(scope="module")
def chinese() -> ChineseText:
    return ChineseText.load()


def test_traditional_characters_and_ascii_marks_become_simplified_and_full_width(
    chinese: ChineseText,
) -> None:
    assert chinese.clean("請問, 這個 iPhone 多少錢?") == "请问，这个iPhone多少钱？"
    # marks inside numbers stay
    assert chinese.clean("价格是3.5元") == "价格是3.5元"


@pytest.mark.parametrize(
    ("segment", "ending"),
    [
        ("今天天气很好", "今天天气很好。"),
        ("你明天来吗", "你明天来吗？"),
        ("他在哪里呢", "他在哪里呢？"),
        ("已经有了。", "已经有了。"),
        ("真的吗？", "真的吗？"),
        ("我用iPhone", "我用iPhone"),
        ("司马懿，欧阳修，", "司马懿，欧阳修。"),
        ("", ""),
    ],
)
def test_text_that_ends_gets_a_mark(segment: str, ending: str) -> None:
    assert closed(segment) == ending


def test_only_the_last_segment_of_chinese_speech_is_closed() -> None:
    segments = [RecognizedSegment("我们明天", 0.0, 1.0), RecognizedSegment("去公园", 1.5, 2.5)]
    assert [s.text for s in closed_last(segments, "zh")] == ["我们明天", "去公园。"]
    english = [RecognizedSegment("we go", 0.0, 1.0)]
    assert closed_last(english, "en") == tuple(english)
    assert closed_last([], "zh") == ()
