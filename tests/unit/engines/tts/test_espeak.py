"""The espeak engine speaks Mandarin and English through libespeak-ng with word events."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from voxhub.engines.pool import EnginePool
from voxhub.engines.tts.base import SynthesisParams, TTSEngine
from voxhub.errors import UnsupportedLanguage


@pytest.fixture(scope="module")
def espeak(engine_pool: EnginePool) -> TTSEngine:
    return engine_pool.get("espeak")


def test_voices_cover_both_languages(espeak: TTSEngine) -> None:
    ids = {v.id for v in espeak.voices()}
    assert {"espeak:cmn", "espeak:en-us", "espeak:en-gb"} <= ids
    assert espeak.default_voice("zh").id == "espeak:cmn"
    assert espeak.default_voice("en").id == "espeak:en-us"
    with pytest.raises(UnsupportedLanguage):
        espeak.default_voice("fr")


@pytest.mark.parametrize("voice", ["espeak:en-us", "espeak:en-gb", "espeak:en-gb-x-rp"])
def test_english_words_cover_the_text_in_order(espeak: TTSEngine, voice: str) -> None:
    chosen = next(v for v in espeak.voices() if v.id == voice)
    audio = espeak.synthesize("Hello world, of the people.", chosen, "en", SynthesisParams())
    assert audio.sample_rate == espeak.capabilities.sample_rate == 22050
    assert float(np.abs(audio.samples).max()) > 0.05
    # espeak speaks "of the" as one word; the text still lands in exactly one word each
    assert [w.text for w in audio.words] == ["Hello", "world", "of the", "people"]
    starts = [w.start for w in audio.words]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert all(w.start < w.end <= audio.duration + 1e-9 for w in audio.words)


def test_mandarin_words(espeak: TTSEngine) -> None:
    audio = espeak.synthesize(
        "你好世界，今天天气很好。", espeak.default_voice("zh"), "zh", SynthesisParams()
    )
    assert "".join(w.text for w in audio.words) == "你好世界今天天气很好"
    assert 1.0 < audio.duration < 6.0


def test_speed_changes_duration(espeak: TTSEngine) -> None:
    voice = espeak.default_voice("en")
    text = "The quick brown fox jumps over the lazy dog."
    normal = espeak.synthesize(text, voice, "en", SynthesisParams()).duration
    fast = espeak.synthesize(text, voice, "en", SynthesisParams(speed=2.0)).duration
    slow = espeak.synthesize(text, voice, "en", SynthesisParams(speed=0.5)).duration
    assert fast < normal * 0.7 and slow > normal * 1.5


def test_concurrent_calls_match_serial_ones(espeak: TTSEngine) -> None:
    voice = espeak.default_voice("en")
    texts = [f"Sentence number {n} is spoken here." for n in range(8)]
    serial = [espeak.synthesize(t, voice, "en", SynthesisParams()) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(
            pool.map(lambda t: espeak.synthesize(t, voice, "en", SynthesisParams()), texts)
        )
    # espeak's output varies by up to about 10 ms from call to call, so compare closely, not
    # exactly: calls that mixed up each other's text would differ in words and by far more
    for one, other in zip(serial, parallel, strict=True):
        assert abs(len(one.samples) - len(other.samples)) < 0.02 * len(one.samples)
        assert [w.text for w in one.words] == [w.text for w in other.words]
        for a, b in zip(one.words, other.words, strict=True):
            assert abs(a.start - b.start) < 0.03


def test_blank_text_is_silence(espeak: TTSEngine) -> None:
    audio = espeak.synthesize("   ", espeak.default_voice("en"), "en", SynthesisParams())
    assert len(audio.samples) == 0 and audio.words == ()
