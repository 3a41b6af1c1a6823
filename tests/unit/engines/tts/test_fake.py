"""The fake engine is deterministic and fails on demand, for fault-injection tests."""

from __future__ import annotations

import numpy as np
import pytest

from voxhub.engines.tts.base import SynthesisParams
from voxhub.engines.tts.fake import CHAR_SECONDS, SAMPLE_RATE, FakeEngine
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineUnavailable


def test_timings_follow_characters() -> None:
    engine = FakeEngine.load(EngineOptions())
    voice = engine.default_voice("en")
    audio = engine.synthesize("ab cde, 你好", voice, "en", SynthesisParams())
    assert [w.text for w in audio.words] == ["ab", "cde", "你", "好"]
    assert audio.words[0].end == pytest.approx(2 * CHAR_SECONDS)
    assert audio.duration == pytest.approx(audio.words[-1].end)
    assert audio.sample_rate == SAMPLE_RATE
    again = engine.synthesize("ab cde, 你好", voice, "en", SynthesisParams())
    assert np.array_equal(audio.samples, again.samples)
    assert engine.calls == 2


def test_fails_on_demand() -> None:
    engine = FakeEngine.load(EngineOptions())
    engine.fail_on = "boom"
    voice = engine.default_voice("zh")
    with pytest.raises(EngineUnavailable, match="boom"):
        engine.synthesize("it goes boom", voice, "en", SynthesisParams())
    assert len(engine.synthesize("it is fine", voice, "en", SynthesisParams()).samples) > 0
