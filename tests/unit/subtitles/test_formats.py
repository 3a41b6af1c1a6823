"""SRT, WebVTT and JSON output, and reading SRT back."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxhub.subtitles.cues import Cue
from voxhub.subtitles.formats import parse_srt, to_json, to_srt, to_vtt

CUES = [
    Cue(1, 0.0, 1.5, "Hello there."),
    Cue(2, 1.5, 3.2504, "This is the second\nsubtitle."),
    Cue(3, 3661.0, 3662.0456, "你好 & <再见>"),
]

SRT = (
    "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
    "2\n00:00:01,500 --> 00:00:03,250\nThis is the second\nsubtitle.\n\n"
    "3\n01:01:01,000 --> 01:01:02,046\n你好 & <再见>\n\n"
)


def test_srt_text_is_exact() -> None:
    assert to_srt(CUES) == SRT


def test_vtt_text_is_exact_and_escaped() -> None:
    assert to_vtt(CUES) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.500\nHello there.\n\n"
        "2\n00:00:01.500 --> 00:00:03.250\nThis is the second\nsubtitle.\n\n"
        "3\n01:01:01.000 --> 01:01:02.046\n你好 &amp; &lt;再见&gt;\n\n"
    )


def test_empty_cue_lists() -> None:
    assert to_srt([]) == ""
    assert to_vtt([]) == "WEBVTT\n\n"
    assert to_json([]) == []
    assert parse_srt("") == []
    assert parse_srt("\n\r\n  \n") == []


def test_json_rounds_times_to_milliseconds() -> None:
    assert to_json(CUES)[1] == {
        "index": 2,
        "start": 1.5,
        "end": 3.25,
        "text": "This is the second\nsubtitle.",
    }
    assert to_json(CUES)[2]["end"] == 3662.046


def test_hours_beyond_99_are_written() -> None:
    assert "100:00:00,000 --> 100:00:01,000" in to_srt([Cue(1, 360000.0, 360001.0, "late")])


def test_srt_round_trip() -> None:
    parsed = parse_srt(to_srt(CUES))
    assert [(c.index, c.text) for c in parsed] == [(c.index, c.text) for c in CUES]
    assert [(c.start, c.end) for c in parsed] == [(0.0, 1.5), (1.5, 3.25), (3661.0, 3662.046)]


def test_parse_srt_tolerates_crlf_bom_and_extra_blank_lines() -> None:
    text = "\ufeff" + SRT.replace("\n", "\r\n") + "\r\n\r\n\r\n"
    assert parse_srt(text) == parse_srt(SRT)
    assert len(parse_srt(SRT.replace("\n\n", "\n\n\n\n"))) == 3


def test_parse_srt_accepts_a_cue_without_text() -> None:
    assert parse_srt("1\n00:00:01,000 --> 00:00:02,000\n") == [Cue(1, 1.0, 2.0, "")]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("one\n00:00:01,000 --> 00:00:02,000\nHi\n", "line 1: expected a cue number"),
        ("1\n", "line 1: cue 1 has no timing line"),
        ("1\n00:00:01 --> 00:00:02\nHi\n", "line 2: expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"),
        ("1\n00:00:03,000 --> 00:00:02,000\nHi\n", "line 2: the cue ends before it starts"),
        (SRT + "4\nnot a time\n", "line 15: expected"),
    ],
)
def test_malformed_srt_raises_a_clear_error(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_srt(text)


def test_rounding_never_makes_a_cue_end_after_the_next_starts() -> None:
    # slightly out of order input, as another source might produce
    cues = [Cue(1, 0.0, 1.0006, "a"), Cue(2, 1.0004, 2.0, "b")]
    parsed = parse_srt(to_srt(cues))
    assert parsed[0].end <= parsed[1].start
    assert to_json(cues)[0]["end"] == to_json(cues)[1]["start"] == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 100000, allow_nan=False), min_size=2, max_size=30))
def test_ordered_cues_stay_ordered_after_rounding(times: list[float]) -> None:
    times.sort()
    cues = [Cue(i + 1, a, b, f"cue {i}") for i, (a, b) in enumerate(itertools.pairwise(times))]
    parsed = parse_srt(to_srt(cues))
    assert [c.text for c in parsed] == [c.text for c in cues]
    for cue, back in zip(cues, parsed, strict=True):
        assert abs(back.start - cue.start) <= 0.0005 + 1e-9
        assert back.start <= back.end
    for before, after in itertools.pairwise(parsed):
        assert before.end <= after.start
    vtt_lines = to_vtt(cues).split("\n")
    assert vtt_lines[0] == "WEBVTT"
