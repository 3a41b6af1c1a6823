"""The fake recognition engine hears one word per 100 ms of sound, and fails on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.asr_support import silence, tone
from voxhub.engines.asr.base import ASREngine, StreamOptions
from voxhub.engines.asr.fake import FakeASREngine
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.registry import asr_engine_class, available_asr_engines
from voxhub.errors import EngineUnavailable


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768


def test_registered_under_fake() -> None:
    assert "fake" in available_asr_engines()
    engine = asr_engine_class("fake").load(ASROptions())
    assert isinstance(engine, ASREngine)


def test_one_word_per_100_ms_of_sound_with_times() -> None:
    session = FakeASREngine().open_session(StreamOptions(language="en"))
    session.accept(samples(tone(0.3) + silence(0.2)))
    session.accept(samples(tone(0.2)))
    assert session.partial() == "w1 w2 w3 w4 w5"
    transcript = session.final()
    assert transcript.text == "w1 w2 w3 w4 w5"
    assert [(w.start, w.end) for w in transcript.words][3] == pytest.approx((0.5, 0.6))
    assert transcript.duration == pytest.approx(0.7)
    # final() readies the session for the next utterance
    session.accept(samples(tone(0.1)))
    assert session.final().text == "w1"


def test_silence_holds_no_words_and_reset_drops_audio() -> None:
    session = FakeASREngine().open_session(StreamOptions())
    session.accept(samples(silence(0.5)))
    assert session.partial() == ""
    session.accept(samples(tone(0.3)))
    session.reset()
    assert session.final().text == ""


def test_failures_and_call_log() -> None:
    engine = FakeASREngine()
    engine.fail_on = {"final"}
    session = engine.open_session(StreamOptions())
    session.accept(samples(tone(0.1)))
    with pytest.raises(EngineUnavailable, match="final"):
        session.final()
    assert engine.calls["accept"] == 1
    assert engine.calls["final"] == 1
