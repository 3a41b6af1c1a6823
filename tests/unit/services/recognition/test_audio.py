"""Incoming PCM16: conversion, odd lengths, the utterance limit, resampling to 16 kHz."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.asr_support import tone
from voxhub.errors import InvalidAudioFrame
from voxhub.services.recognition.audio import StreamAudio, pcm16_samples


def test_pcm16_is_read_little_endian_into_floats() -> None:
    samples = pcm16_samples(np.array([0, 16384, -32768], dtype="<i2").tobytes())
    assert samples.dtype == np.float32
    assert samples.tolist() == [0.0, 0.5, -1.0]
    with pytest.raises(InvalidAudioFrame, match="3 bytes"):
        pcm16_samples(b"\x00\x01\x02")


def test_a_frame_over_the_limit_is_split_where_the_limit_falls() -> None:
    audio = StreamAudio(16_000, 16_000, max_seconds=0.25)
    head, rest = audio.add(tone(0.2))
    assert (len(head), rest) == (3200, b"")
    assert not audio.full
    head, rest = audio.add(tone(0.2))
    assert len(head) == 800
    assert len(rest) == 2 * 2400
    assert audio.full
    audio.finish()
    assert not audio.heard
    assert not audio.full


def test_other_rates_reach_the_engine_at_16_khz() -> None:
    audio = StreamAudio(48_000, 16_000, max_seconds=10)
    produced = sum(len(audio.add(tone(0.1, rate=48_000))[0]) for _ in range(10))
    produced += len(audio.finish())
    # one second in, one second out, give or take the resampler's filter edge
    assert abs(produced - 16_000) <= 16
