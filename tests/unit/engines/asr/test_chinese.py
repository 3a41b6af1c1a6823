"""Recognized Chinese: simplified, full-width marks, and a finished segment closed by one."""

from __future__ import annotations

import pytest

from voxhub.engines.asr.chinese import ChineseText


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
    ("segment", "closed"),
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
def test_a_finished_segment_ends_with_a_mark(segment: str, closed: str) -> None:
    assert ChineseText.closed(segment) == closed
