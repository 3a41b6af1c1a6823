"""Whole-array and streaming sample rate conversion."""

from __future__ import annotations

import numpy as np
import pytest

from voxhub.audio.resample import StreamResampler, resample


def tone(rate: int, seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_equal_rates_return_the_input_unchanged() -> None:
    samples = tone(24000, 0.1)
    assert resample(samples, 24000, 24000) is samples


@pytest.mark.parametrize(("source", "target"), [(24000, 16000), (24000, 44100), (22050, 48000)])
def test_resample_keeps_length_ratio_and_content(source: int, target: int) -> None:
    out = resample(tone(source, 1.0), source, target)
    assert out.dtype == np.float32
    assert abs(len(out) - target) <= 2
    expected = tone(target, 1.0)[: len(out)]
    middle = slice(target // 10, -target // 10)
    assert np.corrcoef(out[middle], expected[middle])[0, 1] > 0.999


def test_resample_of_empty_input_is_empty() -> None:
    assert len(resample(np.zeros(0, np.float32), 24000, 16000)) == 0


def test_non_positive_rates_are_rejected() -> None:
    with pytest.raises(ValueError, match="positive"):
        resample(tone(24000, 0.1), 24000, 0)
    with pytest.raises(ValueError, match="positive"):
        StreamResampler(0, 24000)


@pytest.mark.parametrize(("source", "target"), [(24000, 22050), (24000, 48000), (44100, 16000)])
def test_stream_resampler_matches_whole_array_resampling(source: int, target: int) -> None:
    samples = tone(source, 2.0, hz=300.0)
    rng = np.random.default_rng(7)
    resampler = StreamResampler(source, target)
    pieces, start = [], 0
    while start < len(samples):
        size = int(rng.choice([0, 1, 17, 480, 4000]))
        pieces.append(resampler.process(samples[start : start + size]))
        start += size
    pieces.append(resampler.process(np.zeros(0, np.float32), last=True))
    streamed = np.concatenate(pieces)
    assert streamed.dtype == np.float32
    assert abs(len(streamed) - round(len(samples) * target / source)) <= 3
    whole = resample(samples, source, target)
    middle = slice(target // 10, min(len(whole), len(streamed)) - target // 10)
    assert np.max(np.abs(streamed[middle] - whole[middle])) < 1e-3
