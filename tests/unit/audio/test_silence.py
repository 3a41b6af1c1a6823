"""Finding the audible span of a clip."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from voxhub.audio.silence import speech_bounds

RATE = 24000


def clip(
    silence_before: float, sound: float, silence_after: float, level: float = 0.5
) -> np.ndarray:
    t = np.arange(round(RATE * sound)) / RATE
    body = level * np.sin(2 * np.pi * 200 * t)
    parts = [np.zeros(round(RATE * silence_before)), body, np.zeros(round(RATE * silence_after))]
    return np.concatenate(parts).astype(np.float32)


def test_bounds_surround_the_sound_with_padding() -> None:
    first, last = speech_bounds(clip(0.5, 1.0, 0.5), RATE)
    pad = round(RATE * 0.020)
    frame = RATE // 100
    assert 12000 - pad - frame <= first <= 12000 - pad
    assert 36000 + pad <= last <= 36000 + pad + frame


def test_padding_is_configurable_and_clamped_to_the_clip() -> None:
    samples = clip(0.01, 1.0, 0.01)
    assert speech_bounds(samples, RATE, pad_ms=50.0) == (0, len(samples))
    first, last = speech_bounds(samples, RATE, pad_ms=0.0)
    assert (first, last) == (240, 240 + 24000)


def test_silent_quiet_and_empty_clips_give_zero_span() -> None:
    assert speech_bounds(np.zeros(RATE, np.float32), RATE) == (0, 0)
    assert speech_bounds(np.zeros(0, np.float32), RATE) == (0, 0)
    noise = (np.random.default_rng(0).standard_normal(RATE) * 10 ** (-60 / 20)).astype(np.float32)
    assert speech_bounds(noise, RATE) == (0, 0)


def test_threshold_decides_what_counts_as_sound() -> None:
    # a sine at amplitude a has an RMS of a/sqrt(2): here about -43 dBFS
    samples = clip(0.2, 0.2, 0.2, level=0.01)
    assert speech_bounds(samples, RATE, threshold_db=-45.0) != (0, 0)
    assert speech_bounds(samples, RATE, threshold_db=-40.0) == (0, 0)


def test_a_short_last_frame_is_measured_on_its_own_length() -> None:
    samples = np.zeros(RATE + 7, np.float32)
    samples[-5:] = 0.5
    assert speech_bounds(samples, RATE, pad_ms=0.0) == (RATE, RATE + 7)


def test_ten_minutes_are_scanned_quickly() -> None:
    samples = np.tile(clip(0.0, 1.0, 0.0), 600)
    samples[:RATE] = 0.0
    first, last = speech_bounds(samples, RATE)
    # the best of two runs each: the first pays for fresh memory, not for the scan
    scan = min(_seconds(lambda: speech_bounds(samples, RATE)) for _ in range(2))
    one_pass = min(
        _seconds(lambda: float(np.mean(samples.astype(np.float64) ** 2))) for _ in range(2)
    )
    # vectorized: a few passes over the samples (about 1×), nowhere near a loop per sample
    assert scan < 20 * one_pass, (scan, one_pass)
    assert (first, last) == (RATE - round(RATE * 0.020), len(samples))


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
